/* bench-common.c: helpers shared by the benchmarks under tests/bench
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "capsolver-glib.h"
#include "cs-private.h"
#include "bench-common.h"

#define START_TIMEOUT 20   /* s */

const char *
bench_capsolver_path (void)
{
  const char *path = g_getenv ("CAPSOLVER");

  return path != NULL ? path : BENCH_CAPSOLVER_PATH;
}

/* --- The sandbox process ---------------------------------------------------------- */

/* A line of the sandbox's output, waiting for it at most START_TIMEOUT. */
static char *
read_line (GDataInputStream *input,
           int               fd,
           GError          **error)
{
  struct pollfd readable = { fd, POLLIN, 0 };
  char *line;

  if (g_buffered_input_stream_get_available (G_BUFFERED_INPUT_STREAM (input)) == 0 &&
      poll (&readable, 1, START_TIMEOUT * 1000) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "capsolver sandbox printed nothing in %d s", START_TIMEOUT);
      return NULL;
    }
  line = g_data_input_stream_read_line_utf8 (input, NULL, NULL, error);

  if (line == NULL && error != NULL && *error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                         "capsolver sandbox exited before printing its URL and key");
  return line;
}

BenchSandbox *
bench_sandbox_start (const char * const *args,
                     GError            **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  BenchSandbox *sandbox = g_new0 (BenchSandbox, 1);
  int out_fd = -1;

  g_ptr_array_add (argv, (gpointer) bench_capsolver_path ());
  g_ptr_array_add (argv, "sandbox");
  g_ptr_array_add (argv, "--port");
  g_ptr_array_add (argv, "0");
  for (gsize i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL,
                                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                 NULL, NULL, &sandbox->pid, NULL, &out_fd, NULL, error))
    {
      g_free (sandbox);
      return NULL;
    }

  stream = g_unix_input_stream_new (out_fd, TRUE);
  input = g_data_input_stream_new (stream);
  sandbox->base_url = read_line (input, out_fd, error);
  if (sandbox->base_url != NULL)
    sandbox->api_key = read_line (input, out_fd, error);
  if (sandbox->api_key == NULL || !g_str_has_prefix (sandbox->base_url, "http://"))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "capsolver sandbox printed “%s”, not a URL", sandbox->base_url);
      bench_sandbox_stop (sandbox);
      return NULL;
    }
  return sandbox;
}

void
bench_sandbox_stop (BenchSandbox *sandbox)
{
  int status;

  kill (sandbox->pid, SIGTERM);
  waitpid (sandbox->pid, &status, 0);
  g_spawn_close_pid (sandbox->pid);
  g_free (sandbox->base_url);
  g_free (sandbox->api_key);
  g_free (sandbox);
}

double
bench_process_cpu_seconds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1.0;
  /* the name (field 2) may hold spaces: count from the last ')' */
  after_name = strrchr (text, ')');
  if (after_name == NULL)
    return -1.0;
  fields = g_strsplit (after_name + 2, " ", 0);
  /* fields 14 and 15 (utime, stime) are 11 and 12 after the state */
  if (g_strv_length (fields) < 13)
    return -1.0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) /
         sysconf (_SC_CLK_TCK);
}

gint64
bench_sandbox_requests (const char  *base_url,
                        GError     **error)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (base_url, "/sandbox/timings", NULL);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonNode *requests;

  body = soup_session_send_and_read (session, message, NULL, error);
  if (body == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   g_bytes_get_size (body), error))
    return -1;
  root = json_parser_get_root (parser);
  requests = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
             ? json_object_get_member (json_node_get_object (root), "requests") : NULL;
  if (requests == NULL || json_node_get_value_type (requests) != G_TYPE_INT64)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s has no requests counter", url);
      return -1;
    }
  return json_node_get_int (requests);
}

/* --- wrk ---------------------------------------------------------------------------- */

gboolean
bench_wrk_available (void)
{
  g_autofree char *path = g_find_program_in_path ("wrk");

  return path != NULL;
}

void
bench_wrk_explain_missing (void)
{
  fprintf (stderr, "wrk is not installed, so there is no figure to compare with.\n"
                   "Install it (Debian package wrk): apt-get install wrk\n");
}

/* A Lua long string holding @text, with a level of = signs it does not
 * contain. */
static void
append_lua_string (GString    *script,
                   const char *text)
{
  g_autofree char *level = NULL;

  for (guint n = 0;; n++)
    {
      g_autofree char *close = NULL;

      g_free (level);
      level = g_strnfill (n, '=');
      close = g_strdup_printf ("]%s]", level);
      if (strstr (text, close) == NULL)
        break;
    }
  g_string_append_printf (script, "[%s[%s]%s]", level, text, level);
}

static char *
write_script (const char * const *bodies,
              GError            **error)
{
  g_autoptr(GString) script = g_string_new ("local bodies = {\n");
  g_autofree char *path = NULL;
  int fd;

  for (gsize i = 0; bodies[i] != NULL; i++)
    {
      append_lua_string (script, bodies[i]);
      g_string_append (script, ",\n");
    }
  g_string_append (script,
                   "}\n"
                   "local next_body = 0\n"
                   "wrk.method = \"POST\"\n"
                   "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                   "request = function()\n"
                   "  next_body = next_body % #bodies + 1\n"
                   "  return wrk.format(nil, nil, nil, bodies[next_body])\n"
                   "end\n");
  fd = g_file_open_tmp ("bench-wrk-XXXXXX.lua", &path, error);
  if (fd < 0)
    return NULL;
  close (fd);
  if (!g_file_set_contents (path, script->str, script->len, error))
    {
      g_unlink (path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* The figure of "Requests/sec:   12345.67" in wrk's output. */
static gboolean
parse_rate (const char  *output,
            double      *rate,
            GError     **error)
{
  const char *line = strstr (output, "Requests/sec:");
  char *end = NULL;

  if (line != NULL)
    *rate = g_ascii_strtod (line + strlen ("Requests/sec:"), &end);
  if (line == NULL || end == line + strlen ("Requests/sec:"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "wrk printed no rate:\n%s", output);
      return FALSE;
    }
  return TRUE;
}

gboolean
bench_wrk_post_each (const char         *url,
                     const char * const *bodies,
                     guint               connections,
                     guint               seconds,
                     double             *requests_per_second,
                     GError            **error)
{
  g_autofree char *script = NULL;
  g_autofree char *threads = g_strdup_printf ("%u", MIN (g_get_num_processors (),
                                                          MAX (connections, 1)));
  g_autofree char *conns = g_strdup_printf ("%u", MAX (connections, 1));
  g_autofree char *duration = g_strdup_printf ("%us", MAX (seconds, 1));
  g_autofree char *output = NULL;
  g_autofree char *errors = NULL;
  int status = 0;
  gboolean ran;

  if (!bench_wrk_available ())
    {
      g_set_error_literal (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
                           "wrk is not installed (apt-get install wrk)");
      return FALSE;
    }
  script = write_script (bodies, error);
  if (script == NULL)
    return FALSE;
  {
    const char *argv[] = { "wrk", "-t", threads, "-c", conns, "-d", duration,
                           "-s", script, url, NULL };

    ran = g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                        &output, &errors, &status, error);
  }
  g_unlink (script);
  if (!ran || !g_spawn_check_wait_status (status, error))
    return FALSE;
  return parse_rate (output, requests_per_second, error);
}

gboolean
bench_wrk_post (const char  *url,
                const char  *body,
                guint        connections,
                guint        seconds,
                double      *requests_per_second,
                GError     **error)
{
  const char * const bodies[] = { body, NULL };

  return bench_wrk_post_each (url, bodies, connections, seconds, requests_per_second, error);
}

static int
compare_lag (gconstpointer a,
             gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* As tests/test-plan.c reads them: from ready to fetched, per task. */
BenchLag
bench_sandbox_read_lag (const char *url,
                        GHashTable *ids)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *timings_url = g_strconcat (url, "/sandbox/timings", NULL);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, timings_url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, message, NULL, NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GArray) lags = g_array_new (FALSE, FALSE, sizeof (double));
  JsonArray *tasks;
  BenchLag lag = { -1, -1, -1, 0, 0 };
  double polls = 0;

  if (body == NULL || soup_message_get_status (message) != SOUP_STATUS_OK)
    return lag;
  root = _cs_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  tasks = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
          ? _cs_json_get_array (json_node_get_object (root), "tasks") : NULL;
  for (guint i = 0; tasks != NULL && i < json_array_get_length (tasks); i++)
    {
      JsonNode *node = json_array_get_element (tasks, i);
      JsonObject *record = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = record != NULL ? _cs_json_get_string (record, "taskId") : NULL;
      double ready, fetched;
      gint64 n_polls;

      if (id == NULL || !g_hash_table_contains (ids, id) ||
          !_cs_json_get_double (record, "readyMs", &ready) ||
          !_cs_json_get_double (record, "fetchedMs", &fetched) ||
          !_cs_json_get_int (record, "polls", &n_polls))
        continue;
      fetched -= ready;
      g_array_append_val (lags, fetched);
      polls += n_polls;
    }
  if (lags->len == 0)
    return lag;
  g_array_sort (lags, compare_lag);
  lag.n = lags->len;
  lag.p50 = g_array_index (lags, double, lags->len / 2) / 1000.0;
  lag.p99 = g_array_index (lags, double, MIN (lags->len - 1, lags->len * 99 / 100)) / 1000.0;
  lag.polls = polls / lags->len;
  return lag;
}
