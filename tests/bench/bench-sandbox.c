/* bench-sandbox.c: the sandbox's own capacity as a server
 *
 * Starts `capsolver sandbox` as a process (time scale 0: tasks are ready
 * at once) and drives createTask, then getTaskResult, first with a plain
 * libsoup loop (a few requests in flight on kept-alive connections, then
 * with a connection per request, as a client does for createTask), then
 * with wrk on the same port. For each it prints the requests per second
 * and the sandbox's CPU time per request, read from /proc/PID/stat, so
 * that clients measured against the sandbox know when it is not their
 * bottleneck. Run it by hand:
 *
 *   _build/tests/bench/bench-sandbox [seconds per run] [connections]
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "bench-common.h"

#define TOKEN_TASK "{\"type\": \"ReCaptchaV2TaskProxyLess\", " \
                   "\"websiteURL\": \"https://bench.example/\", \"websiteKey\": \"bench\"}"
/* tasks polled in turn, so that none reaches the 120-poll cap */
#define MAX_POLLED_TASKS 20000

typedef struct {
  SoupSession        *session;
  char               *url;
  const char * const *bodies;
  guint               n_bodies;
  gboolean            reuse;       /* keep connections alive */
  gint64              end;
  guint               next_body;
  guint               in_flight;
  guint               done;
  guint               failed;
  GPtrArray          *task_ids;    /* collected from createTask replies, or NULL */
  GMainLoop          *loop;
} Driver;

static void send_next (Driver *driver);

static void
collect_task_id (Driver *driver,
                 GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonNode *task_id;

  if (driver->task_ids == NULL || driver->task_ids->len >= MAX_POLLED_TASKS ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   g_bytes_get_size (body), NULL))
    return;
  root = json_parser_get_root (parser);
  task_id = JSON_NODE_HOLDS_OBJECT (root)
            ? json_object_get_member (json_node_get_object (root), "taskId") : NULL;
  if (task_id != NULL && json_node_get_value_type (task_id) == G_TYPE_STRING)
    g_ptr_array_add (driver->task_ids, g_strdup (json_node_get_string (task_id)));
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Driver *driver = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (driver->session, result, NULL);
  SoupMessage *message = soup_session_get_async_result_message (driver->session, result);

  driver->in_flight--;
  if (body != NULL && soup_message_get_status (message) == SOUP_STATUS_OK)
    {
      driver->done++;
      collect_task_id (driver, body);
    }
  else
    driver->failed++;
  if (g_get_monotonic_time () < driver->end)
    send_next (driver);
  else if (driver->in_flight == 0)
    g_main_loop_quit (driver->loop);
}

static void
send_next (Driver *driver)
{
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_POST, driver->url);
  const char *text = driver->bodies[driver->next_body++ % driver->n_bodies];
  g_autoptr(GBytes) body = g_bytes_new_static (text, strlen (text));

  soup_message_set_request_body_from_bytes (message, "application/json", body);
  if (driver->reuse)
    soup_message_add_flags (message, SOUP_MESSAGE_IDEMPOTENT);
  else
    soup_message_headers_replace (soup_message_get_request_headers (message),
                                  "Connection", "close");
  driver->in_flight++;
  soup_session_send_and_read_async (driver->session, message, G_PRIORITY_DEFAULT, NULL,
                                    sent_cb, driver);
}

/* Requests per second of a libsoup loop with @connections requests in
 * flight. */
static double
drive_libsoup (const char         *url,
               const char * const *bodies,
               guint               connections,
               guint               seconds,
               gboolean            reuse,
               GPtrArray          *task_ids)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("max-conns", connections,
                                                                  "max-conns-per-host",
                                                                  connections, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Driver driver = { session, (char *) url, bodies, g_strv_length ((char **) bodies), reuse,
                    0, 0, 0, 0, 0, task_ids, loop };
  gint64 start = g_get_monotonic_time ();

  driver.end = start + (gint64) seconds * G_USEC_PER_SEC;
  for (guint i = 0; i < connections; i++)
    send_next (&driver);
  g_main_loop_run (loop);
  if (driver.failed > 0)
    fprintf (stderr, "%u requests failed\n", driver.failed);
  return driver.done / ((g_get_monotonic_time () - start) / 1e6);
}

typedef struct {
  double cpu;
  gint64 requests;
} Usage;

static Usage
read_usage (BenchSandbox *sandbox)
{
  g_autoptr(GError) error = NULL;
  Usage usage = { bench_process_cpu_seconds (sandbox->pid),
                  bench_sandbox_requests (sandbox->base_url, &error) };

  if (usage.requests < 0)
    g_error ("%s", error->message);
  return usage;
}

static void
print_row (const char *method,
           const char *driver,
           double      rate,
           Usage       before,
           Usage       after)
{
  /* the timings request itself is not counted */
  gint64 requests = after.requests - before.requests - 1;
  double cpu = after.cpu - before.cpu;

  printf ("%-14s %-34s %10.0f %12.1f %8.0f%%\n", method, driver, rate,
          requests > 0 ? cpu / requests * 1e6 : 0.0, cpu / ((double) requests / rate) * 100.0);
}

static void
run_wrk (BenchSandbox       *sandbox,
         const char         *method,
         const char         *url,
         const char * const *bodies,
         guint               connections,
         guint               seconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("wrk, %u connections", connections);
  Usage before = read_usage (sandbox);
  double rate = 0.0;

  if (!bench_wrk_post_each (url, bodies, connections, seconds, &rate, &error))
    {
      if (g_error_matches (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
        printf ("%-14s %-34s (wrk is not installed: apt-get install wrk)\n", method, "wrk");
      else
        printf ("%-14s %-34s failed: %s\n", method, "wrk", error->message);
      return;
    }
  print_row (method, name, rate, before, read_usage (sandbox));
}

static void
run_libsoup (BenchSandbox       *sandbox,
             const char         *method,
             const char         *url,
             const char * const *bodies,
             guint               connections,
             guint               seconds,
             gboolean            reuse,
             GPtrArray          *task_ids)
{
  g_autofree char *name = g_strdup_printf ("libsoup, %u %s", connections,
                                           reuse ? "kept-alive connections"
                                                 : "in flight, new connections");
  Usage before = read_usage (sandbox);
  double rate = drive_libsoup (url, bodies, connections, seconds, reuse, task_ids);

  print_row (method, name, rate, before, read_usage (sandbox));
}

int
main (int    argc,
      char **argv)
{
  const char * const sandbox_args[] = { "--time-scale", "0", "--max-tasks", "10000000", NULL };
  guint seconds = argc > 1 ? (guint) atoi (argv[1]) : 3;
  guint connections = argc > 2 ? (guint) atoi (argv[2]) : 8;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) task_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) polls = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *create_body = NULL;
  g_autofree char *create_url = NULL;
  g_autofree char *poll_url = NULL;
  BenchSandbox *sandbox;

  if (seconds == 0 || connections == 0)
    {
      fprintf (stderr, "usage: %s [seconds per run] [connections]\n", argv[0]);
      return 2;
    }
  sandbox = bench_sandbox_start (sandbox_args, &error);
  if (sandbox == NULL)
    {
      fprintf (stderr, "cannot start %s sandbox: %s\n", bench_capsolver_path (), error->message);
      return 1;
    }
  create_body = g_strdup_printf ("{\"clientKey\": \"%s\", \"task\": " TOKEN_TASK "}",
                                 sandbox->api_key);
  create_url = g_strconcat (sandbox->base_url, "/createTask", NULL);
  poll_url = g_strconcat (sandbox->base_url, "/getTaskResult", NULL);

  printf ("capsolver sandbox at %s, %u s per run, %u processors\n", sandbox->base_url, seconds,
          g_get_num_processors ());
  printf ("%-14s %-34s %10s %12s %9s\n", "method", "driver", "requests/s", "CPU µs/req",
          "CPU");
  {
    const char * const creates[] = { create_body, NULL };

    run_libsoup (sandbox, "createTask", create_url, creates, connections, seconds, TRUE,
                 task_ids);
    run_libsoup (sandbox, "createTask", create_url, creates, connections, seconds, FALSE, NULL);
    run_wrk (sandbox, "createTask", create_url, creates, connections, seconds);
  }

  for (guint i = 0; i < task_ids->len; i++)
    g_ptr_array_add (polls, g_strdup_printf ("{\"clientKey\": \"%s\", \"taskId\": \"%s\"}",
                                             sandbox->api_key,
                                             (char *) task_ids->pdata[i]));
  g_ptr_array_add (polls, NULL);
  run_libsoup (sandbox, "getTaskResult", poll_url, (const char * const *) polls->pdata,
               connections, seconds, TRUE, NULL);
  run_wrk (sandbox, "getTaskResult", poll_url, (const char * const *) polls->pdata, connections,
           seconds);

  if (!bench_wrk_available ())
    bench_wrk_explain_missing ();
  bench_sandbox_stop (sandbox);
  return 0;
}
