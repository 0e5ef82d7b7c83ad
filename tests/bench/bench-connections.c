/* bench-connections.c: what a connection costs createTask over HTTPS
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * POSTs a createTask-sized body to a local nginx (tests/bench/nginx/
 * run-nginx.sh) with libsoup alone, no capsolver-glib, so the figures are
 * those of the connection policy and nothing else (but for --tls-cpu,
 * below).  Modes:
 *
 *   new-connection  a plain POST: libsoup opens a connection for each one
 *                   (what createTask does today)
 *   idempotent      a POST flagged SOUP_MESSAGE_IDEMPOTENT: libsoup reuses
 *                   kept-alive connections, and multiplexes on HTTP/2
 *   get             a GET (stale test only): libsoup may resend it, which
 *                   shows the resend detector works
 *
 * Throughput (default): N requests at each concurrency, per protocol and
 * mode; prints requests/s, client CPU per request, TCP connections the
 * client opened and nginx saw per 1000 requests, latency percentiles.
 *
 * Stale (--stale): against an nginx whose keepalive_timeout is
 * --keepalive-ms, many lanes (one session each) send requests one at a
 * time, spaced around that timeout, so that some are written on a
 * connection nginx is closing.  Prints how many failed and with which
 * error, how many libsoup restarted, and what nginx received: a resend
 * shows as more requests received than sent; then, by how long the
 * connection had been idle, how many requests reused it, how many of
 * those failed, and how many found it closed.  A request libsoup has
 * neither completed nor failed after STUCK_AFTER_S is reported as stuck
 * and cancelled.
 *
 * TLS CPU (--tls-cpu): what a createTask costs a CsClient on a new TLS
 * connection, by the database the connection gets, before and after
 * cs_client_install_default_tls_database(), against the floor measured in
 * the same run: a getTaskResult on a kept-alive connection.  A row gives
 * the client's session a forwarding database alone, which does not help:
 * libsoup sets it once the connection has built its trust list.  The system's
 * authorities are stood in for by a GTlsFileDatabase of the system's CA
 * bundle (--system-bundle) with the bench's CA added, installed as the
 * process's default: GnuTLS reads the same bundle for its system trust,
 * and parses it the same way for each connection.
 *
 * Run it by hand, e.g. (docs/connections.md has the figures):
 *
 *   tests/bench/nginx/run-nginx.sh start /tmp/bench-nginx 18443 18444 75s
 *   _build/tests/bench/bench-connections --ca /tmp/bench-nginx/ca.pem \
 *     --log /tmp/bench-nginx/access.log \
 *     --h2 https://127.0.0.1:18443/ --h1 https://127.0.0.1:18444/
 *   tests/bench/nginx/run-nginx.sh stop /tmp/bench-nginx
 *
 *   tests/bench/nginx/run-nginx.sh start /tmp/bench-nginx-1s 18453 18454 1s
 *   _build/tests/bench/bench-connections --ca /tmp/bench-nginx-1s/ca.pem \
 *     --log /tmp/bench-nginx-1s/access.log --stale --keepalive-ms 1000 \
 *     --h2 https://127.0.0.1:18453/ --h1 https://127.0.0.1:18454/
 *   tests/bench/nginx/run-nginx.sh stop /tmp/bench-nginx-1s
 *
 *   _build/tests/bench/bench-connections --ca /tmp/bench-nginx/ca.pem \
 *     --log /tmp/bench-nginx/access.log --tls-cpu --h1 https://127.0.0.1:18444/
 */

#include <sys/resource.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "capsolver-glib.h"
#include "cs-private.h"

/* A createTask body as the client sends it. */
#define CREATE_TASK_BODY \
  "{\"clientKey\":\"CAI-0000000000000000000000000000000000\",\"task\":{\"type\":" \
  "\"ReCaptchaV2TaskProxyLess\",\"websiteURL\":\"https://example.com/\"," \
  "\"websiteKey\":\"6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-\"}}"

typedef struct {
  const char *name;
  const char *method;
  gboolean    idempotent;
} Mode;

static const Mode modes[] = {
  { "new-connection", "POST", FALSE },
  { "idempotent", "POST", TRUE },
  { "get", "GET", FALSE },
};
#define N_THROUGHPUT_MODES 2

/* stale test: idle times are counted in 5 ms buckets, up to 2.5 s */
#define IDLE_BUCKET_MS 5
#define IDLE_BUCKETS 500

typedef struct {
  guint       sent;
  guint       completed;
  guint       failed;
  guint       failed_on_reused;
  guint       connects;
  guint       restarts;
  guint       stuck;
  guint       abandoned;
  GHashTable *in_flight;  /* Request set */
  guint       versions[SOUP_HTTP_2_0 + 1];
  GArray     *latencies;  /* gint64 µs, completed requests */
  GHashTable *errors;     /* error text → count */
  /* stale test, by how long the lane's connection had been idle: requests
   * sent on it, those of them that failed, and requests that found it
   * closed and opened another */
  guint       reused_by_idle[IDLE_BUCKETS];
  guint       failed_by_idle[IDLE_BUCKETS];
  guint       new_by_idle[IDLE_BUCKETS];
} Stats;

typedef struct {
  Stats       *stats;
  const Mode  *mode;
  const char  *url;
  SoupSession *session;
  GBytes      *body;
  guint        to_send;
  guint        in_flight;
  guint        concurrency;
  guint        spacing_min_ms;  /* 0: back to back */
  guint        spacing_max_ms;
  guint        delay_first_ms;
  gboolean     started;
  gint64       last_done;       /* when its last request completed */
  guint       *lanes_running;
} Lane;

typedef struct {
  Lane         *lane;     /* NULL once the bench has abandoned it */
  SoupMessage  *message;
  GCancellable *cancellable;
  gint64        start;
  gint64        idle_ms;   /* since the lane's previous request, -1 for its first */
  guint         connects;
  guint         restarts;
} Request;

/* libsoup's I/O timeout, and how long after it the bench gives up on a
 * request that libsoup neither completed nor failed */
#define SESSION_TIMEOUT_S 30
#define STUCK_AFTER_S (SESSION_TIMEOUT_S + 15)

/* What nginx logged during one run. */
typedef struct {
  guint requests;
  guint connections;
  guint not_ok;
  guint resumed;
} ServerLog;

static GTlsDatabase *ca_database;
static const char *access_log_path;

static void lane_next (Lane *lane);

static void
stats_init (Stats *stats)
{
  memset (stats, 0, sizeof *stats);
  stats->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  stats->errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  stats->in_flight = g_hash_table_new (NULL, NULL);
}

static void
stats_clear (Stats *stats)
{
  g_array_unref (stats->latencies);
  g_hash_table_unref (stats->errors);
  g_hash_table_unref (stats->in_flight);
}

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
percentile_ms (GArray *sorted,
               double  fraction)
{
  if (sorted->len == 0)
    return 0;
  return g_array_index (sorted, gint64, (guint) ((sorted->len - 1) * fraction)) / 1000.0;
}

static const char *
versions_text (const Stats *stats)
{
  gboolean h1 = stats->versions[SOUP_HTTP_1_1] > 0 || stats->versions[SOUP_HTTP_1_0] > 0;
  gboolean h2 = stats->versions[SOUP_HTTP_2_0] > 0;

  return h1 && h2 ? "mixed" : h2 ? "2" : h1 ? "1.1" : "-";
}

static void
print_errors (const Stats *stats)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, stats->errors);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_print ("      %5u x %s\n", GPOINTER_TO_UINT (value), (const char *) key);
  if (stats->stuck > 0)
    g_print ("      %u requests stuck: cancelled after %d s (and one more request sent on the same"
             " session), %u of them still pending %d s later\n",
             stats->stuck, STUCK_AFTER_S, stats->abandoned, STUCK_AFTER_S);
}

static void
print_idle_buckets (const Stats *stats)
{
  g_print ("      idle ms      reused  failed  new-conn\n");
  for (guint i = 0; i < IDLE_BUCKETS; i++)
    if (stats->reused_by_idle[i] > 0 || stats->new_by_idle[i] > 0)
      g_print ("      %4u..%4u %7u %7u %9u\n", i * IDLE_BUCKET_MS, (i + 1) * IDLE_BUCKET_MS - 1,
               stats->reused_by_idle[i], stats->failed_by_idle[i], stats->new_by_idle[i]);
}

static goffset
log_size (void)
{
  GStatBuf st;

  if (access_log_path == NULL || g_stat (access_log_path, &st) != 0)
    return 0;
  return st.st_size;
}

/* Reads the lines nginx appended after @from.  nginx logs a request
 * once its reply is written, so give it a moment first. */
static ServerLog
read_log (goffset from)
{
  ServerLog log = { 0 };
  g_autoptr(GHashTable) connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *text = NULL;
  gsize length;
  g_auto(GStrv) lines = NULL;

  if (access_log_path == NULL)
    return log;
  g_usleep (200 * 1000);
  if (!g_file_get_contents (access_log_path, &text, &length, NULL) || (gsize) from > length)
    return log;
  lines = g_strsplit (text + from, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);

      if (g_strv_length (fields) < 6)
        continue;
      log.requests++;
      g_hash_table_add (connections, g_strdup (fields[0]));
      log.not_ok += strcmp (fields[4], "200") != 0;
      log.resumed += strcmp (fields[5], "r") == 0;
    }
  log.connections = g_hash_table_size (connections);
  return log;
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static SoupSession *
new_session (guint max_conns_per_host)
{
  SoupSession *session = soup_session_new_with_options ("tls-database", ca_database,
                                                        "timeout", SESSION_TIMEOUT_S,
                                                        NULL);

  if (max_conns_per_host > 0)
    g_object_set (session,
                  "max-conns", MAX (max_conns_per_host, 10),
                  "max-conns-per-host", max_conns_per_host,
                  NULL);
  return session;
}

/* Closes the session's connections first: disposing of a session that
 * still holds one makes libsoup 3.2.3 warn. */
static void
close_session (SoupSession *session)
{
  soup_session_abort (session);
  g_object_unref (session);
}

static void
network_event_cb (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  Request            *request)
{
  if (event != G_SOCKET_CLIENT_CONNECTED)
    return;
  request->connects++;
  request->lane->stats->connects++;
}

static void
restarted_cb (SoupMessage *message,
              Request     *request)
{
  request->restarts++;
  request->lane->stats->restarts++;
}

/* Stops waiting for a request that cancelling did not complete either:
 * its lane ends, and its callback, if it ever comes, only frees it. */
static void
abandon_request (Request *request)
{
  Lane *lane = request->lane;

  g_signal_handlers_disconnect_by_data (request->message, request);
  request->lane = NULL;
  lane->stats->abandoned++;
  lane->in_flight--;
  lane->to_send = 0;
  lane_next (lane);
}

static void
nudge_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GBytes) reply = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
}

/* Sends one more request on a stuck request's session, so that libsoup
 * runs its queue again: does that complete the cancelled one? */
static void
nudge_session (Lane *lane)
{
  g_autoptr(SoupMessage) message = soup_message_new ("GET", lane->url);

  soup_session_send_and_read_async (lane->session, message, G_PRIORITY_DEFAULT, NULL,
                                    nudge_done_cb, NULL);
}

/* Cancels the requests libsoup has held for too long, and says which. */
static gboolean
watchdog_cb (gpointer user_data)
{
  Stats *stats = user_data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, stats->in_flight);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Request *request = key;
      gint64 age = now - request->start;

      if (age >= 2 * STUCK_AFTER_S * G_USEC_PER_SEC)
        {
          g_hash_table_iter_remove (&iter);
          abandon_request (request);
          continue;
        }
      if (age < STUCK_AFTER_S * G_USEC_PER_SEC || g_cancellable_is_cancelled (request->cancellable))
        continue;
      stats->stuck++;
      g_print ("      stuck %d s: idle %" G_GINT64_FORMAT " ms before it, %u connects, %u restarts\n",
               STUCK_AFTER_S, request->idle_ms, request->connects, request->restarts);
      g_cancellable_cancel (request->cancellable);
      nudge_session (request->lane);
    }
  return G_SOURCE_CONTINUE;
}

static void
record_error (Stats        *stats,
              const GError *error)
{
  g_autoptr(GEnumClass) io_errors = g_type_class_ref (G_TYPE_IO_ERROR_ENUM);
  GEnumValue *value = error->domain == G_IO_ERROR ? g_enum_get_value (io_errors, error->code) : NULL;
  g_autofree char *text = value != NULL
    ? g_strdup_printf ("%s: %s", value->value_name, error->message)
    : g_strdup_printf ("%s %d: %s", g_quark_to_string (error->domain), error->code, error->message);
  gpointer count = g_hash_table_lookup (stats->errors, text);

  g_hash_table_insert (stats->errors, g_steal_pointer (&text),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (count) + 1));
}

static void
free_request (Request *request)
{
  g_object_unref (request->message);
  g_object_unref (request->cancellable);
  g_free (request);
}

static void
send_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *request = user_data;
  Lane *lane = request->lane;
  Stats *stats;
  SoupMessage *message = request->message;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (lane == NULL)
    {
      free_request (request);
      return;
    }
  stats = lane->stats;
  if (reply != NULL && soup_message_get_status (message) == SOUP_STATUS_OK)
    {
      gint64 latency = g_get_monotonic_time () - request->start;

      stats->completed++;
      stats->versions[soup_message_get_http_version (message)]++;
      g_array_append_val (stats->latencies, latency);
    }
  else
    {
      if (error == NULL)
        error = g_error_new (SOUP_SESSION_ERROR, 0, "HTTP %u", soup_message_get_status (message));
      stats->failed++;
      stats->failed_on_reused += request->connects == 0;
      record_error (stats, error);
    }
  if (request->idle_ms >= 0)
    {
      guint bucket = MIN (request->idle_ms / IDLE_BUCKET_MS, IDLE_BUCKETS - 1);

      stats->new_by_idle[bucket] += request->connects > 0;
      stats->reused_by_idle[bucket] += request->connects == 0;
      stats->failed_by_idle[bucket] += request->connects == 0 && reply == NULL;
    }

  g_signal_handlers_disconnect_by_data (message, request);
  g_hash_table_remove (stats->in_flight, request);
  free_request (request);
  lane->last_done = g_get_monotonic_time ();
  lane->in_flight--;
  lane_next (lane);
}

static void
lane_send (Lane *lane)
{
  Request *request = g_new0 (Request, 1);
  SoupMessage *message = soup_message_new (lane->mode->method, lane->url);

  request->lane = lane;
  request->message = message;
  request->cancellable = g_cancellable_new ();
  g_hash_table_add (lane->stats->in_flight, request);
  if (lane->mode->idempotent)
    soup_message_add_flags (message, SOUP_MESSAGE_IDEMPOTENT);
  if (strcmp (lane->mode->method, "POST") == 0)
    soup_message_set_request_body_from_bytes (message, "application/json", lane->body);
  g_signal_connect (message, "network-event", G_CALLBACK (network_event_cb), request);
  g_signal_connect (message, "restarted", G_CALLBACK (restarted_cb), request);

  lane->to_send--;
  lane->in_flight++;
  lane->stats->sent++;
  request->start = g_get_monotonic_time ();
  request->idle_ms = lane->last_done > 0 ? (request->start - lane->last_done) / 1000 : -1;
  soup_session_send_and_read_async (lane->session, message, G_PRIORITY_DEFAULT, request->cancellable,
                                    send_done_cb, request);
}

static gboolean
send_later_cb (gpointer user_data)
{
  lane_send (user_data);
  return G_SOURCE_REMOVE;
}

/* Keeps the lane's requests in flight; a spaced lane waits before each
 * request after its first. */
static void
lane_next (Lane *lane)
{
  if (lane->to_send == 0)
    {
      if (lane->in_flight == 0)
        (*lane->lanes_running)--;
      return;
    }
  if (lane->spacing_max_ms > 0 && lane->started)
    {
      g_timeout_add (g_random_int_range (lane->spacing_min_ms, lane->spacing_max_ms + 1),
                     send_later_cb, lane);
      return;
    }
  if (lane->delay_first_ms > 0 && !lane->started)
    {
      lane->started = TRUE;
      g_timeout_add (lane->delay_first_ms, send_later_cb, lane);
      return;
    }
  lane->started = TRUE;
  while (lane->in_flight < lane->concurrency && lane->to_send > 0)
    lane_send (lane);
}

static void
run_lanes (Lane  *lanes,
           guint  n_lanes)
{
  guint running = n_lanes;
  guint watchdog = g_timeout_add_seconds (1, watchdog_cb, lanes[0].stats);

  for (guint i = 0; i < n_lanes; i++)
    {
      lanes[i].lanes_running = &running;
      lane_next (&lanes[i]);
    }
  while (running > 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (watchdog);
}

static void
lane_init (Lane        *lane,
           Stats       *stats,
           const Mode  *mode,
           const char  *url,
           GBytes      *body,
           SoupSession *session,
           guint        to_send)
{
  lane->stats = stats;
  lane->mode = mode;
  lane->url = url;
  lane->body = body;
  lane->session = session;
  lane->to_send = to_send;
  lane->concurrency = 1;
}

static void
print_throughput_header (void)
{
  g_print ("%-5s %-15s %4s %9s %10s %12s %12s %8s %8s %5s %6s %6s %5s %8s\n",
           "proto", "mode", "conc", "req/s", "cpu us/req", "client conn", "server conn",
           "p50 ms", "p99 ms", "http", "sent", "recv", "fail", "restarts");
  g_print ("%-5s %-15s %4s %9s %10s %12s %12s\n", "", "", "", "", "", "per 1000", "per 1000");
}

static void
run_throughput (const char *proto,
                const char *url,
                const Mode *mode,
                guint       n_requests,
                guint       concurrency,
                guint       max_conns_per_host,
                GBytes     *body)
{
  Stats stats;
  Lane lane = { 0 };
  goffset log_start = log_size ();
  double cpu_start = cpu_seconds ();
  gint64 start = g_get_monotonic_time ();
  double elapsed, cpu;
  ServerLog log;

  stats_init (&stats);
  lane_init (&lane, &stats, mode, url, body, new_session (max_conns_per_host), n_requests);
  lane.concurrency = concurrency;
  run_lanes (&lane, 1);
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  cpu = cpu_seconds () - cpu_start;
  close_session (lane.session);

  g_array_sort (stats.latencies, compare_gint64);
  log = read_log (log_start);
  g_print ("%-5s %-15s %4u %9.0f %10.0f %12.1f %12.1f %8.2f %8.2f %5s %6u %6u %5u %8u\n",
           proto, mode->name, concurrency, stats.completed / elapsed, cpu * 1e6 / n_requests,
           stats.connects * 1000.0 / n_requests, log.connections * 1000.0 / n_requests,
           percentile_ms (stats.latencies, 0.5), percentile_ms (stats.latencies, 0.99),
           versions_text (&stats), stats.sent, log.requests, stats.failed, stats.restarts);
  if (log.resumed > 0)
    g_print ("      nginx: %u of %u requests on a resumed TLS session\n", log.resumed, log.requests);
  print_errors (&stats);
  stats_clear (&stats);
}

static void
run_stale (const char *proto,
           const char *url,
           const Mode *mode,
           guint       n_lanes,
           guint       rounds,
           guint       spacing_min_ms,
           guint       spacing_max_ms,
           GBytes     *body)
{
  Stats stats;
  g_autofree Lane *lanes = g_new0 (Lane, n_lanes);
  goffset log_start = log_size ();
  ServerLog log;

  stats_init (&stats);
  for (guint i = 0; i < n_lanes; i++)
    {
      lane_init (&lanes[i], &stats, mode, url, body, new_session (0), rounds + 1);
      lanes[i].spacing_min_ms = spacing_min_ms;
      lanes[i].spacing_max_ms = spacing_max_ms;
      /* spread the lanes over one spacing so they do not all connect at once */
      lanes[i].delay_first_ms = i * spacing_min_ms / n_lanes;
    }
  run_lanes (lanes, n_lanes);
  for (guint i = 0; i < n_lanes; i++)
    close_session (lanes[i].session);

  log = read_log (log_start);
  g_print ("%-5s %-15s %6u %6u %6u %6u %9u %8u %8u %7u %7u\n",
           proto, mode->name, stats.sent, log.requests, stats.completed, stats.failed,
           stats.failed_on_reused, stats.restarts, stats.connects, log.connections, log.not_ok);
  print_errors (&stats);
  print_idle_buckets (&stats);
  stats_clear (&stats);
}

/* --- TLS CPU ------------------------------------------------------------ */

#define TLS_CPU_WARM_UP 5
#define TLS_CPU_TASK_ID "0b8c4e52-ad1f-4c45-9a0b-1d3b0b4d7e01"

static void
count_connect_cb (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_CONNECTED)
    (*(guint *) user_data)++;
}

static void
count_connects_cb (SoupSession *session,
                   SoupMessage *message,
                   gpointer     user_data)
{
  g_signal_connect (message, "network-event", G_CALLBACK (count_connect_cb), user_data);
}

static CsTask *
new_create_task (void)
{
  CsTask *task = cs_task_new ("ReCaptchaV2TaskProxyLess");

  cs_task_set_string (task, "websiteURL", "https://example.com/");
  cs_task_set_string (task, "websiteKey", "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-");
  return task;
}

/* Sends @n createTasks, or getTaskResults when @poll (the floor), one at a
 * time on one client, after a few not counted; prints and returns the
 * client's CPU per request in µs, and its ratio to @floor_us when known. */
static double
run_client (const char   *label,
            const char   *base_url,
            GTlsDatabase *database,
            gboolean      poll,
            guint         n,
            double        floor_us)
{
  g_autoptr(CsClient) client = g_object_new (CS_TYPE_CLIENT,
                                             "api-key", "CAI-0000000000000000000000000000000000",
                                             "base-url", base_url, "tls-database", database, NULL);
  g_autoptr(GTlsDatabase) connection_database = NULL;
  guint connects = 0;
  goffset log_start = 0;
  double cpu_start = 0, cpu_us;
  char ratio[32] = "-";
  ServerLog log;

  g_signal_connect (cs_client_get_session (client), "request-queued",
                    G_CALLBACK (count_connects_cb), &connects);
  for (guint i = 0; i < TLS_CPU_WARM_UP + n; i++)
    {
      g_autoptr(CsTask) task = poll ? cs_task_new_for_id (TLS_CPU_TASK_ID) : new_create_task ();
      g_autoptr(GError) error = NULL;
      gboolean ok;

      if (i == TLS_CPU_WARM_UP)
        {
          connects = 0;
          log_start = log_size ();
          cpu_start = cpu_seconds ();
        }
      ok = poll ? cs_client_get_task_result (client, task, NULL, &error)
                : cs_client_create_task (client, task, NULL, &error);
      if (!ok)
        {
          g_printerr ("%s: %s\n", label, error->message);
          exit (1);
        }
    }
  cpu_us = (cpu_seconds () - cpu_start) * 1e6 / n;
  soup_session_abort (cs_client_get_session (client));
  log = read_log (log_start);
  if (floor_us > 0)
    g_snprintf (ratio, sizeof ratio, "%.1f", cpu_us / floor_us);
  g_print ("%-56s %9.0f %8s %8.2f %9.2f %7u\n", label, cpu_us, poll ? "1.0" : ratio,
           (double) connects / n, access_log_path != NULL ? (double) log.connections / n : -1,
           log.resumed);
  return cpu_us;
}

/* The system's authorities and @ca in one file: GnuTLS reads its system
 * trust from the same bundle, again for each connection. */
static GTlsDatabase *
new_system_stand_in (const char  *bundle,
                     const char  *ca,
                     char       **path,
                     GError     **error)
{
  g_autofree char *system = NULL, *extra = NULL, *both = NULL;
  int fd;

  if (!g_file_get_contents (bundle, &system, NULL, error) ||
      !g_file_get_contents (ca, &extra, NULL, error))
    return NULL;
  fd = g_file_open_tmp ("bench-connections-XXXXXX.pem", path, error);
  if (fd < 0)
    return NULL;
  g_close (fd, NULL);
  both = g_strconcat (system, "\n", extra, NULL);
  if (!g_file_set_contents (*path, both, -1, error))
    return NULL;
  return g_tls_file_database_new (*path, error);
}

/* The rows of --tls-cpu, each with the process's default database it
 * runs under and the database the client is given. */
typedef enum {
  TLS_DEFAULT_OWN,        /* glib-networking's own, as today */
  TLS_DEFAULT_OWN_SHARED, /* the same, after cs_client_install_default_tls_database() */
  TLS_DEFAULT_SYSTEM,     /* the system's CAs stand-in */
  TLS_DEFAULT_SYSTEM_SHARED,
} TlsDefault;

typedef enum {
  TLS_CLIENT_CA,          /* tls-database: the bench's CA */
  TLS_CLIENT_FORWARDING,  /* tls-database: a forwarding database around it */
  TLS_CLIENT_DEFAULT,     /* no tls-database: the default decides */
} TlsClientDatabase;

typedef struct {
  const char        *name;
  const char        *label;
  TlsDefault         default_database;
  TlsClientDatabase  client_database;
  gboolean           poll;
} TlsRow;

enum {
  TLS_FLOOR, TLS_CA, TLS_CA_FORWARDING, TLS_CA_AFTER, TLS_SYSTEM, TLS_SYSTEM_AFTER, TLS_N_ROWS
};

static const TlsRow tls_rows[TLS_N_ROWS] = {
  { "floor", "getTaskResult, kept-alive connection (floor)",
    TLS_DEFAULT_OWN, TLS_CLIENT_CA, TRUE },
  { "ca", "createTask, new connection, private CA (tls-database)",
    TLS_DEFAULT_OWN, TLS_CLIENT_CA, FALSE },
  { "ca-forwarding", "  the same, tls-database forwarding to it (per session)",
    TLS_DEFAULT_OWN, TLS_CLIENT_FORWARDING, FALSE },
  { "ca-after", "  the same after cs_client_install_default_tls_database",
    TLS_DEFAULT_OWN_SHARED, TLS_CLIENT_CA, FALSE },
  { "system", "createTask, new connection, system's CAs (default)",
    TLS_DEFAULT_SYSTEM, TLS_CLIENT_DEFAULT, FALSE },
  { "system-after", "  the same after cs_client_install_default_tls_database",
    TLS_DEFAULT_SYSTEM_SHARED, TLS_CLIENT_DEFAULT, FALSE },
};

static gint
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), (GCompareFunc) compare_double);
  return values[n / 2];
}

/* Rounds of every row (or of those in @only_rows), so that the machine's
 * load weighs on each alike; the medians are compared. */
static int
run_tls_cpu (const char *base_url,
             const char *ca,
             const char *bundle,
             guint       n,
             guint       rounds,
             const char *only_rows)
{
  GTlsBackend *backend = g_tls_backend_get_default ();
  g_auto(GStrv) wanted = only_rows != NULL ? g_strsplit (only_rows, ",", -1) : NULL;
  g_autofree char *stand_in_path = NULL;
  g_autoptr(GTlsDatabase) stand_in = NULL;
  g_autoptr(GTlsDatabase) forwarding = _cs_tls_database_new (ca_database);
  g_autoptr(GError) error = NULL;
  g_autofree double *cpu = g_new0 (double, TLS_N_ROWS * rounds);
  double medians[TLS_N_ROWS] = { 0, };

  stand_in = new_system_stand_in (bundle, ca, &stand_in_path, &error);
  if (stand_in == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print ("client CPU per request on %s, %u requests a row, one at a time, %u rounds\n",
           base_url, n, rounds);
  g_print ("%-56s %9s %8s %8s %9s %7s\n", "", "cpu us", "x floor", "conns", "nginx", "nginx");
  g_print ("%-56s %9s %8s %8s %9s %7s\n", "", "/req", "", "/req", "conns/req", "resumed");
  for (guint r = 0; r < rounds; r++)
    {
      double *row_cpu = cpu + r * TLS_N_ROWS;

      g_print ("round %u\n", r + 1);
      for (guint i = 0; i < TLS_N_ROWS; i++)
        {
          const TlsRow *row = &tls_rows[i];
          GTlsDatabase *client_database = NULL;

          if (wanted != NULL && !g_strv_contains ((const char * const *) wanted, row->name))
            continue;
          g_tls_backend_set_default_database (backend,
                                              row->default_database >= TLS_DEFAULT_SYSTEM
                                              ? stand_in : NULL);
          if (row->default_database == TLS_DEFAULT_OWN_SHARED ||
              row->default_database == TLS_DEFAULT_SYSTEM_SHARED)
            cs_client_install_default_tls_database ();
          if (row->client_database == TLS_CLIENT_CA)
            client_database = ca_database;
          else if (row->client_database == TLS_CLIENT_FORWARDING)
            client_database = forwarding;
          row_cpu[i] = run_client (row->label, base_url, client_database, row->poll, n,
                                   row_cpu[TLS_FLOOR]);
        }
    }
  g_tls_backend_set_default_database (backend, NULL);
  g_unlink (stand_in_path);
  if (wanted != NULL)
    return 0;

  for (guint i = 0; i < TLS_N_ROWS; i++)
    {
      g_autofree double *values = g_new (double, rounds);

      for (guint r = 0; r < rounds; r++)
        values[r] = cpu[r * TLS_N_ROWS + i];
      medians[i] = median (values, rounds);
    }
  g_print ("medians: floor (a poll on a kept-alive connection) %.0f us\n", medians[TLS_FLOOR]);
  g_print ("  createTask, system's CAs: %.0f -> %.0f us, %.1fx less; %.1fx -> %.1fx the floor\n",
           medians[TLS_SYSTEM], medians[TLS_SYSTEM_AFTER],
           medians[TLS_SYSTEM] / medians[TLS_SYSTEM_AFTER],
           medians[TLS_SYSTEM] / medians[TLS_FLOOR],
           medians[TLS_SYSTEM_AFTER] / medians[TLS_FLOOR]);
  g_print ("  createTask, private CA:   %.0f -> %.0f us, %.1fx less; %.1fx -> %.1fx the floor\n",
           medians[TLS_CA], medians[TLS_CA_AFTER], medians[TLS_CA] / medians[TLS_CA_AFTER],
           medians[TLS_CA] / medians[TLS_FLOOR], medians[TLS_CA_AFTER] / medians[TLS_FLOOR]);
  g_print ("  createTask, private CA, forwarding database on the session only: %.0f us\n",
           medians[TLS_CA_FORWARDING]);
  return 0;
}

static gboolean
parse_concurrency (const char  *text,
                   GArray      *levels,
                   GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 parsed;
      guint level;

      if (!g_ascii_string_to_unsigned (parts[i], 10, 1, 1000, &parsed, error))
        return FALSE;
      level = parsed;
      g_array_append_val (levels, level);
    }
  return TRUE;
}

static gboolean
mode_wanted (const Mode *mode,
             const char *only_modes)
{
  g_auto(GStrv) names = only_modes != NULL ? g_strsplit (only_modes, ",", -1) : NULL;

  return names == NULL || g_strv_contains ((const char * const *) names, mode->name);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *ca = NULL, *log = NULL, *h1 = NULL, *h2 = NULL;
  g_autofree char *concurrency = g_strdup ("1,16");
  int n_requests = 0, max_conns_per_host = 0;
  g_autofree char *only_modes = NULL;
  gboolean stale = FALSE, tls_cpu = FALSE;
  int tls_rounds = 3;
  g_autofree char *tls_rows_wanted = NULL;
  g_autofree char *system_bundle = g_strdup ("/etc/ssl/certs/ca-certificates.crt");
  int keepalive_ms = 1000, lanes = 32, rounds = 10, offset_min_ms = -5, offset_max_ms = 15;
  const GOptionEntry entries[] = {
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca, "CA certificate to trust (PEM)", "FILE" },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &log, "nginx access log, to count what it received", "FILE" },
    { "h1", 0, 0, G_OPTION_ARG_STRING, &h1, "URL offering HTTP/1.1 only", "URL" },
    { "h2", 0, 0, G_OPTION_ARG_STRING, &h2, "URL offering HTTP/2", "URL" },
    { "requests", 'n', 0, G_OPTION_ARG_INT, &n_requests,
      "requests per run (2000; --tls-cpu 300)", "N" },
    { "concurrency", 'c', 0, G_OPTION_ARG_STRING, &concurrency, "requests in flight (1,16)", "C,..." },
    { "max-conns-per-host", 0, 0, G_OPTION_ARG_INT, &max_conns_per_host,
      "libsoup's max-conns-per-host (its default, 2)", "N" },
    { "modes", 0, 0, G_OPTION_ARG_STRING, &only_modes,
      "modes to run (new-connection,idempotent; the stale test adds get)", "M,..." },
    { "stale", 0, 0, G_OPTION_ARG_NONE, &stale, "run the stale connection test instead", NULL },
    { "tls-cpu", 0, 0, G_OPTION_ARG_NONE, &tls_cpu,
      "measure a client's createTask on a new TLS connection instead (--h1, -n 300)", NULL },
    { "system-bundle", 0, 0, G_OPTION_ARG_FILENAME, &system_bundle,
      "tls-cpu: the system's CA bundle (/etc/ssl/certs/ca-certificates.crt)", "FILE" },
    { "tls-rounds", 0, 0, G_OPTION_ARG_INT, &tls_rounds, "tls-cpu: rounds of every row (3)", "N" },
    { "tls-rows", 0, 0, G_OPTION_ARG_STRING, &tls_rows_wanted,
      "tls-cpu: rows to run (floor,ca,ca-forwarding,ca-after,system,system-after)", "R,..." },
    { "keepalive-ms", 0, 0, G_OPTION_ARG_INT, &keepalive_ms, "nginx's keepalive_timeout (1000)", "MS" },
    { "lanes", 0, 0, G_OPTION_ARG_INT, &lanes, "stale: sessions sending at once (32)", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "stale: spaced requests per session (10)", "N" },
    { "offset-min-ms", 0, 0, G_OPTION_ARG_INT, &offset_min_ms, "stale: earliest spacing, from the timeout (-5)", "MS" },
    { "offset-max-ms", 0, 0, G_OPTION_ARG_INT, &offset_max_ms, "stale: latest spacing, from the timeout (15)", "MS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- connection policies for createTask over HTTPS");
  g_autoptr(GArray) levels = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static (CREATE_TASK_BODY, strlen (CREATE_TASK_BODY));
  const char *protos[] = { "h1", "h2" };
  const char *urls[2];

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !parse_concurrency (concurrency, levels, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (n_requests == 0)
    n_requests = tls_cpu ? 300 : 2000;
  if (ca == NULL || (h1 == NULL && h2 == NULL) || n_requests <= 0 || lanes <= 0 || rounds <= 0 ||
      tls_rounds <= 0 ||
      keepalive_ms + offset_min_ms <= 0 || offset_max_ms < offset_min_ms)
    {
      g_printerr ("need --ca and --h1 or --h2, and sane counts; see --help\n");
      return 2;
    }
  ca_database = g_tls_file_database_new (ca, &error);
  if (ca_database == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  access_log_path = log;
  urls[0] = h1;
  urls[1] = h2;

  if (tls_cpu)
    {
      int status = run_tls_cpu (h1 != NULL ? h1 : h2, ca, system_bundle, n_requests,
                                tls_rounds, tls_rows_wanted);

      g_object_unref (ca_database);
      return status;
    }
  if (!stale)
    {
      print_throughput_header ();
      for (guint p = 0; p < G_N_ELEMENTS (urls); p++)
        for (guint m = 0; m < N_THROUGHPUT_MODES && urls[p] != NULL; m++)
          for (guint c = 0; c < levels->len && mode_wanted (&modes[m], only_modes); c++)
            run_throughput (protos[p], urls[p], &modes[m], n_requests,
                            g_array_index (levels, guint, c), max_conns_per_host, body);
    }
  else
    {
      g_print ("stale: %d sessions x %d requests spaced %d..%d ms (keepalive %d ms)\n",
               lanes, rounds, keepalive_ms + offset_min_ms, keepalive_ms + offset_max_ms,
               keepalive_ms);
      g_print ("%-5s %-15s %6s %6s %6s %6s %9s %8s %8s %7s %7s\n", "proto", "mode", "sent",
               "recv", "ok", "fail", "on reused", "restarts", "connects", "s-conns", "s-non200");
      for (guint p = 0; p < G_N_ELEMENTS (urls); p++)
        for (guint m = 0; m < G_N_ELEMENTS (modes) && urls[p] != NULL; m++)
          if (mode_wanted (&modes[m], only_modes))
            run_stale (protos[p], urls[p], &modes[m], lanes, rounds,
                       keepalive_ms + offset_min_ms, keepalive_ms + offset_max_ms, body);
    }

  g_object_unref (ca_database);
  return 0;
}
