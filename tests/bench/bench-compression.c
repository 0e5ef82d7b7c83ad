/* bench-compression.c: what compressed replies save and cost the client
 *
 * A raw HTTP/1.1 server on loopback, in threads of its own, answers every
 * getTaskResult with one reply, sent as is, gzip or deflate (compressed
 * beforehand: the server's work is not measured). A CsClient polls it with
 * blocking calls on kept-alive connections. For each reply and coding it
 * prints the bytes of the body on the wire, the time per call, the
 * client's CPU per call (the calling thread's: a blocking call does all
 * its I/O there), and what the body takes on a 10 Mbit/s link.
 *
 * The replies: the typical ones (createTask's task id, a reCAPTCHA token
 * ready), and replies carrying a base64 image of 100 KiB, 1 MiB and 4 MiB
 * (random bytes, as compressed image formats are), which CapSolver does not
 * send today but a task type could.
 *
 * Run it by hand: `_build/tests/bench/bench-compression [scale]`; scale
 * multiplies the number of calls (default 1). docs/connections.md has
 * the figures.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <time.h>

#include "capsolver-glib.h"

typedef enum {
  CODING_IDENTITY,
  CODING_GZIP,
  CODING_DEFLATE,
  N_CODINGS
} Coding;

static const char * const coding_names[N_CODINGS] = { "identity", "gzip", "deflate" };

/* The reply every request gets: set by the main thread between runs. */
static GMutex reply_lock;
static GBytes *reply_body;
static Coding reply_coding;

/* --- The server ------------------------------------------------------------ */

static gboolean
serve_one (GDataInputStream *in,
           GOutputStream    *out)
{
  g_autofree char *request_line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  gsize content_length = 0;
  g_autofree char *body = NULL;
  g_autofree char *head = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GByteArray) message = NULL;
  Coding coding;

  if (request_line == NULL)
    return FALSE;
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, NULL);

      if (line == NULL)
        return FALSE;
      if (*line == '\0')
        break;
      if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
        content_length = g_ascii_strtoull (line + 15, NULL, 10);
    }
  body = g_malloc (content_length + 1);
  if (!g_input_stream_read_all (G_INPUT_STREAM (in), body, content_length, NULL, NULL, NULL))
    return FALSE;

  g_mutex_lock (&reply_lock);
  reply = g_bytes_ref (reply_body);
  coding = reply_coding;
  g_mutex_unlock (&reply_lock);

  head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n%s%s%s\r\n",
                          g_bytes_get_size (reply),
                          coding != CODING_IDENTITY ? "Content-Encoding: " : "",
                          coding != CODING_IDENTITY ? coding_names[coding] : "",
                          coding != CODING_IDENTITY ? "\r\n" : "");
  /* in one write: a head then a body, each in its own segment, wait for
   * the client's delayed acknowledgement (Nagle) */
  message = g_byte_array_sized_new (strlen (head) + g_bytes_get_size (reply));
  g_byte_array_append (message, (const guint8 *) head, strlen (head));
  g_byte_array_append (message, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
  return g_output_stream_write_all (out, message->data, message->len, NULL, NULL, NULL);
}

static gpointer
connection_thread (gpointer user_data)
{
  g_autoptr(GSocketConnection) connection = user_data;
  g_autoptr(GDataInputStream) in =
    g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  while (serve_one (in, out))
    ;
  return NULL;
}

static gpointer
accept_thread (gpointer user_data)
{
  GSocketListener *listener = user_data;

  for (;;)
    {
      GSocketConnection *connection = g_socket_listener_accept (listener, NULL, NULL, NULL);

      if (connection == NULL)
        break;
      g_thread_unref (g_thread_new ("bench-connection", connection_thread, connection));
    }
  return NULL;
}

static guint16
start_server (void)
{
  GSocketListener *listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  /* not GLib's backlog of 10: dropped SYNs cost a second each */
  g_socket_listener_set_backlog (listener, 1024);
  if (!g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error))
    g_error ("cannot listen: %s", error->message);
  /* the listener lives as long as the program */
  g_thread_unref (g_thread_new ("bench-accept", accept_thread, listener));
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* --- The replies ------------------------------------------------------------- */

static char *
random_base64 (GRand *rand,
               gsize  raw_size)
{
  g_autofree guchar *raw = g_malloc (raw_size);

  for (gsize i = 0; i < raw_size; i++)
    raw[i] = (guchar) g_rand_int_range (rand, 0, 256);
  return g_base64_encode (raw, raw_size);
}

/* A reCAPTCHA token: 03A and base64url, about the length the service's are. */
static char *
token (GRand *rand)
{
  char *text = random_base64 (rand, 1500);

  for (char *p = text; *p != '\0'; p++)
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
    else if (*p == '=')
      *p = '\0';
  memcpy (text, "03A", 3);
  return text;
}

static GBytes *
encode (GBytes *plain,
        Coding  coding)
{
  g_autoptr(GZlibCompressor) compressor = NULL;
  g_autoptr(GOutputStream) memory = NULL;
  g_autoptr(GOutputStream) out = NULL;

  if (coding == CODING_IDENTITY)
    return g_bytes_ref (plain);
  /* zlib's default level, as servers and CDNs use */
  compressor = g_zlib_compressor_new (coding == CODING_GZIP ? G_ZLIB_COMPRESSOR_FORMAT_GZIP
                                                            : G_ZLIB_COMPRESSOR_FORMAT_ZLIB, -1);
  memory = g_memory_output_stream_new_resizable ();
  out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  g_output_stream_write_all (out, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain),
                             NULL, NULL, NULL);
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static double
thread_cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int    argc,
      char **argv)
{
  double scale = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 1.0;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *recaptcha_token = token (rand);
  g_autofree char *image_100k = random_base64 (rand, 75 * 1024);
  g_autofree char *image_1m = random_base64 (rand, 768 * 1024);
  g_autofree char *image_4m = random_base64 (rand, 3 * 1024 * 1024);
  struct {
    const char *name;
    char       *body;
    guint       calls;
  } replies[] = {
    { "createTask (task id)",
      g_strdup ("{\"errorId\":0,\"errorCode\":\"\",\"errorDescription\":\"\",\"status\":\"idle\","
                "\"taskId\":\"37223a89-06ed-442c-a0b8-22067b79c5b4\"}"), 4000 },
    { "getTaskResult (processing)",
      g_strdup ("{\"errorId\":0,\"status\":\"processing\","
                "\"taskId\":\"37223a89-06ed-442c-a0b8-22067b79c5b4\"}"), 4000 },
    { "getTaskResult (token)",
      g_strdup_printf ("{\"errorId\":0,\"status\":\"ready\","
                       "\"taskId\":\"37223a89-06ed-442c-a0b8-22067b79c5b4\",\"solution\":{"
                       "\"userAgent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
                       "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36\","
                       "\"createTime\":1671615324290,\"gRecaptchaResponse\":\"%s\"}}",
                       recaptcha_token), 4000 },
    { "image 100 KiB", NULL, 400 },
    { "image 1 MiB", NULL, 60 },
    { "image 4 MiB", NULL, 15 },
  };
  const char *images[] = { image_100k, image_1m, image_4m };
  g_autofree char *base_url = NULL;
  guint16 port;

  if (scale <= 0)
    scale = 1.0;
  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    replies[3 + i].body = g_strdup_printf ("{\"errorId\":0,\"status\":\"ready\","
                                           "\"taskId\":\"37223a89-06ed-442c-a0b8-22067b79c5b4\","
                                           "\"solution\":{\"text\":\"ok\",\"image\":\"%s\"}}",
                                           images[i]);

  port = start_server ();
  base_url = g_strdup_printf ("http://127.0.0.1:%u", port);

  g_print ("%-28s %-9s %10s %7s %10s %10s %12s\n", "reply", "coding", "bytes", "of id.",
           "us/call", "CPU us", "ms @10Mbit/s");
  for (gsize r = 0; r < G_N_ELEMENTS (replies); r++)
    {
      g_autoptr(GBytes) plain = g_bytes_new_take (replies[r].body, strlen (replies[r].body));
      guint calls = MAX (1, (guint) (replies[r].calls * scale));

      for (Coding coding = CODING_IDENTITY; coding < N_CODINGS; coding++)
        {
          g_autoptr(GBytes) body = encode (plain, coding);
          g_autoptr(CsClient) client = cs_client_new ("CAP-BENCH");
          g_autoptr(CsTask) task = cs_task_new_for_id ("37223a89-06ed-442c-a0b8-22067b79c5b4");
          gint64 start = 0;
          double cpu_start = 0;
          double wall;
          double cpu;

          g_mutex_lock (&reply_lock);
          g_clear_pointer (&reply_body, g_bytes_unref);
          reply_body = g_bytes_ref (body);
          reply_coding = coding;
          g_mutex_unlock (&reply_lock);

          cs_client_set_base_url (client, base_url);
          /* one call first, for the connection */
          for (guint i = 0; i < calls + 1; i++)
            {
              g_autoptr(GError) error = NULL;

              if (i == 1)
                {
                  start = g_get_monotonic_time ();
                  cpu_start = thread_cpu_seconds ();
                }
              if (!cs_client_get_task_result (client, task, NULL, &error))
                g_error ("%s, %s: %s", replies[r].name, coding_names[coding], error->message);
            }
          wall = (g_get_monotonic_time () - start) / 1e6;
          cpu = thread_cpu_seconds () - cpu_start;
          g_print ("%-28s %-9s %10" G_GSIZE_FORMAT " %6.0f%% %10.1f %10.1f %12.2f\n",
                   replies[r].name, coding_names[coding], g_bytes_get_size (body),
                   100.0 * g_bytes_get_size (body) / g_bytes_get_size (plain),
                   wall * 1e6 / calls, cpu * 1e6 / calls,
                   g_bytes_get_size (body) * 8 / 10e6 * 1e3);
        }
    }
  g_clear_pointer (&reply_body, g_bytes_unref);
  return 0;
}
