/* bench-engine.c: one client, many captchas, against its floors
 *
 * Starts `capsolver sandbox` as a separate process and measures, at each
 * concurrency (solves in flight on one client):
 *
 *   - the client: solves/s, requests/s, client CPU µs per request
 *     (getrusage: the sandbox is another process), new connections per
 *     1,000 requests, peak RSS and RSS per solve in flight;
 *   - the floors, in the same run against the same sandbox: a bare libsoup
 *     loop with the client's session settings POSTing the same
 *     getTaskResult bodies, and wrk with a Lua script (when installed);
 *   - each ratio.
 *
 * Then the time to token: tasks solved at the service's pace (the
 * sandbox's --time-scale 1, solve times drawn from each family's
 * distribution), with the adaptive schedule and with a fixed 1-second
 * schedule on the same tasks; the sandbox's timing records give the lag
 * from "ready" to the poll that fetched it, and the polls per task.
 *
 * Run it by hand, on a quiet machine:
 *   _build/tests/bench/bench-engine [--quick] [--lag-tasks N]
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "bench-common.h"

#define PNG_KEY CS_SANDBOX_DEFAULT_KEY
/* polls spread over this many tasks: the client's, the bare loop's and
 * wrk's together stay within the service's 120 per task */
#define N_POLLED 1200

/* --- Measures ----------------------------------------------------------------- */

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* VmRSS or VmHWM of this process, in KiB. */
static guint64
status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, field);
  return line != NULL ? g_ascii_strtoull (line + strlen (field) + 1, NULL, 10) : 0;
}

/* Counts the requests a session sends and the connections it opens. */
static guint n_connections;
static guint n_requests;

static void
network_event_cb (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_CONNECTED)
    n_connections++;
}

static void
request_queued_cb (SoupSession *session,
                   SoupMessage *message,
                   gpointer     user_data)
{
  n_requests++;
  g_signal_connect (message, "network-event", G_CALLBACK (network_event_cb), NULL);
}

static void
count_connections (SoupSession *session)
{
  g_signal_connect (session, "request-queued", G_CALLBACK (request_queued_cb), NULL);
}

typedef struct {
  const char *what;
  guint       concurrency;
  guint       operations;
  guint       requests;
  guint       connections;
  double      seconds;
  double      cpu;
  guint64     peak_rss_kib;
  guint64     base_rss_kib;
} Run;

static void
print_run (const Run *run)
{
  g_print ("  %-22s %7u ops %9.0f ops/s %9.0f req/s %7.1f us CPU/req %7.1f new conn/1000 req\n",
           run->what, run->operations, run->operations / run->seconds,
           run->requests / run->seconds, run->cpu * 1e6 / MAX (run->requests, 1),
           1000.0 * run->connections / MAX (run->requests, 1));
}

/* --- The sandbox, in a process of its own ------------------------------------------ */

static BenchSandbox *
sandbox_start (const char *time_scale)
{
  const char *poll_model[] = { "--key", PNG_KEY "=1000000", "--max-tasks", "1000000",
                               "--polls-until-ready", "1", NULL };
  const char *time_model[] = { "--key", PNG_KEY "=1000000", "--max-tasks", "1000000",
                               "--time-scale", time_scale, NULL };
  g_autoptr(GError) error = NULL;
  BenchSandbox *sandbox = bench_sandbox_start (time_scale != NULL ? time_model : poll_model,
                                               &error);

  if (sandbox == NULL)
    g_error ("cannot start the sandbox: %s", error->message);
  return sandbox;
}

/* --- The client ------------------------------------------------------------------- */

typedef struct {
  CsClient *client;
  guint     total;
  guint     started;
  guint     finished;
  guint     failed;
  guint     in_flight;
  guint64   peak_rss_kib;
  gboolean  lag_run;
  GPtrArray *tasks;
} SolveRun;

static CsTask *
new_task (guint        i,
          const char  *type_name)
{
  CsTask *task = cs_task_new (type_name);
  g_autofree char *url = g_strdup_printf ("https://example.com/bench/%u/%" G_GINT64_FORMAT,
                                          i, g_get_real_time ());

  cs_task_set_string (task, "websiteURL", url);
  cs_task_set_string (task, "websiteKey", "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-");
  return task;
}

static void start_solve (SolveRun *run);

static void
solved_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SolveRun *run = user_data;
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  solution = cs_client_solve_finish (CS_CLIENT (source), result, &error);
  if (solution == NULL && run->failed++ == 0)
    g_printerr ("  a solve failed: %s\n", error->message);
  run->finished++;
  run->in_flight--;
  if (run->started < run->total)
    start_solve (run);
}

static void
start_solve (SolveRun *run)
{
  g_autoptr(CsTask) task = new_task (run->started, "ReCaptchaV2TaskProxyLess");

  run->started++;
  run->in_flight++;
  if (run->tasks != NULL)
    g_ptr_array_add (run->tasks, g_object_ref (task));
  cs_client_solve_async (run->client, task, NULL, solved_cb, run);
}

/* Samples the RSS while many solves are in flight, a few times a second:
 * reading /proc is not free, and the CPU figure is the client's. */
static gboolean
sample_rss_cb (gpointer user_data)
{
  SolveRun *run = user_data;

  if (run->in_flight > 1000)
    run->peak_rss_kib = MAX (run->peak_rss_kib, status_kib ("VmRSS:"));
  return G_SOURCE_CONTINUE;
}

static Run
run_client (const char *url,
            guint       concurrency,
            guint       total)
{
  g_autoptr(CsClient) client = g_object_new (CS_TYPE_CLIENT,
                                             "api-key", PNG_KEY,
                                             "base-url", url,
                                             "first-poll-delay", 0,
                                             "poll-interval", 0,
                                             "deadline", 600000,
                                             NULL);
  SolveRun solves = { client, total, };
  Run run = { "client", concurrency, total, };
  gint64 start;
  double cpu_start;
  guint sampler;

  n_connections = 0;
  n_requests = 0;
  count_connections (cs_client_get_session (client));
  run.base_rss_kib = status_kib ("VmRSS:");
  cpu_start = cpu_seconds ();
  start = g_get_monotonic_time ();
  sampler = g_timeout_add (200, sample_rss_cb, &solves);
  while (solves.started < MIN (concurrency, total))
    start_solve (&solves);
  sample_rss_cb (&solves);
  while (solves.finished < total)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (sampler);
  run.seconds = (g_get_monotonic_time () - start) / 1e6;
  run.cpu = cpu_seconds () - cpu_start;
  run.requests = n_requests;
  run.connections = n_connections;
  run.peak_rss_kib = solves.peak_rss_kib;
  if (solves.failed > 0)
    g_print ("  %u of %u solves failed\n", solves.failed, total);
  return run;
}

/* --- The client doing what the floor does: polls ------------------------------------- */

typedef struct {
  CsClient  *client;
  CsTask   **tasks;
  guint      total;
  guint      started;
  guint      finished;
  guint      failed;
} PollRun;

static void poll_next (PollRun *run);

static void
polled_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  PollRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!cs_client_get_task_result_finish (CS_CLIENT (source), result, &error) &&
      run->failed++ == 0)
    g_printerr ("  a poll failed: %s\n", error->message);
  run->finished++;
  if (run->started < run->total)
    poll_next (run);
}

static void
poll_next (PollRun *run)
{
  CsTask *task = run->tasks[run->started++ % N_POLLED];

  cs_client_get_task_result_async (run->client, task, NULL, polled_cb, run);
}

/* getTaskResult of the tasks the floors poll, @in_flight at a time. */
static Run
run_client_polls (const char  *url,
                  const GStrv  task_ids,
                  guint        in_flight,
                  guint        total)
{
  g_autoptr(CsClient) client = g_object_new (CS_TYPE_CLIENT, "api-key", PNG_KEY,
                                             "base-url", url, NULL);
  CsTask *tasks[N_POLLED];
  PollRun polls = { client, tasks, total, };
  Run run = { "client polls", in_flight, total, };
  gint64 start;
  double cpu_start;

  for (guint i = 0; i < N_POLLED; i++)
    tasks[i] = cs_task_new_for_id (task_ids[i]);
  n_connections = 0;
  n_requests = 0;
  count_connections (cs_client_get_session (client));
  cpu_start = cpu_seconds ();
  start = g_get_monotonic_time ();
  while (polls.started < MIN (in_flight, total))
    poll_next (&polls);
  while (polls.finished < total)
    g_main_context_iteration (NULL, TRUE);
  run.seconds = (g_get_monotonic_time () - start) / 1e6;
  run.cpu = cpu_seconds () - cpu_start;
  run.requests = n_requests;
  run.connections = n_connections;
  for (guint i = 0; i < N_POLLED; i++)
    g_object_unref (tasks[i]);
  if (polls.failed > 0)
    g_print ("  %u of %u polls failed\n", polls.failed, total);
  return run;
}

/* --- The floor: a bare libsoup loop ---------------------------------------------------- */

typedef struct {
  SoupSession *session;
  char        *url;
  GBytes      *bodies[N_POLLED];
  guint        total;
  guint        started;
  guint        finished;
} BareRun;

static void bare_send (BareRun *run);

static void
bare_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  BareRun *run = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  /* parse as the client does, so both pay for reading the reply */
  if (body != NULL)
    json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  run->finished++;
  if (run->started < run->total)
    bare_send (run);
}

static void
bare_send (BareRun *run)
{
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_POST, run->url);

  run->started++;
  soup_message_add_flags (message, SOUP_MESSAGE_IDEMPOTENT);
  soup_message_set_request_body_from_bytes (message, "application/json",
                                            run->bodies[run->started % N_POLLED]);
  soup_session_send_and_read_async (run->session, message, G_PRIORITY_DEFAULT, NULL,
                                    bare_read_cb, run);
}

/* getTaskResult bodies for N_POLLED tasks of the sandbox, so that no task
 * reaches the service's 120 polls during a run. */

static GStrv
poll_bodies (const char *url,
             GStrv      *task_ids)
{
  g_autoptr(CsClient) client = cs_client_new (PNG_KEY);
  g_autoptr(GStrvBuilder) bodies = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();

  cs_client_set_base_url (client, url);
  for (guint i = 0; i < N_POLLED; i++)
    {
      g_autoptr(CsTask) task = new_task (i, "ReCaptchaV2TaskProxyLess");
      g_autoptr(GError) error = NULL;
      g_autofree char *body = NULL;

      if (!cs_client_create_task (client, task, NULL, &error))
        g_error ("createTask: %s", error->message);
      body = g_strdup_printf ("{\"clientKey\":\"%s\",\"taskId\":\"%s\"}", PNG_KEY,
                              cs_task_get_task_id (task));
      g_strv_builder_add (bodies, body);
      g_strv_builder_add (ids, cs_task_get_task_id (task));
    }
  *task_ids = g_strv_builder_end (ids);
  return g_strv_builder_end (bodies);
}

static Run
run_bare (const char   *url,
          const GStrv   bodies,
          guint         in_flight,
          guint         total)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("max-conns", DEFAULT_MAX_CONNECTIONS,
                                                                  "max-conns-per-host", DEFAULT_MAX_CONNECTIONS,
                                                                  "timeout", SESSION_IO_TIMEOUT,
                                                                  NULL);
  g_autofree char *method_url = g_strconcat (url, "/getTaskResult", NULL);
  BareRun bare = { session, method_url, { NULL, }, total, };
  Run run = { "bare libsoup loop", in_flight, total, total, };
  gint64 start;
  double cpu_start;

  for (guint i = 0; i < N_POLLED; i++)
    bare.bodies[i] = g_bytes_new (bodies[i], strlen (bodies[i]));
  n_connections = 0;
  count_connections (session);
  cpu_start = cpu_seconds ();
  start = g_get_monotonic_time ();
  while (bare.started < MIN (in_flight, total))
    bare_send (&bare);
  while (bare.finished < total)
    g_main_context_iteration (NULL, TRUE);
  run.seconds = (g_get_monotonic_time () - start) / 1e6;
  run.cpu = cpu_seconds () - cpu_start;
  run.connections = n_connections;
  for (guint i = 0; i < N_POLLED; i++)
    g_bytes_unref (bare.bodies[i]);
  return run;
}

/* --- The floor: wrk ---------------------------------------------------------------- */

/* wrk's requests/s POSTing @bodies in turn, or 0 when wrk is missing. */
static double
run_wrk (const char   *url,
         const GStrv   bodies,
         guint         connections)
{
  g_autofree char *method_url = g_strconcat (url, "/getTaskResult", NULL);
  g_autoptr(GError) error = NULL;
  double requests_per_second = 0;

  if (!bench_wrk_available ())
    return 0;
  if (!bench_wrk_post_each (method_url, (const char * const *) bodies, connections, 3,
                            &requests_per_second, &error))
    g_printerr ("  wrk: %s\n", error->message);
  return requests_per_second;
}

/* --- Time to token ---------------------------------------------------------------- */

typedef struct {
  double p50;
  double p99;
  double polls;
  guint  n;
} Lag;

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Reads the sandbox's timing records of the tasks in @ids. */
static Lag
read_lag (const char *url,
          GHashTable *ids)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *timings_url = g_strconcat (url, "/sandbox/timings", NULL);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, timings_url);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, message, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GArray) lags = g_array_new (FALSE, FALSE, sizeof (double));
  JsonArray *tasks;
  Lag lag = { -1, -1, -1, 0 };
  double polls = 0;

  if (body == NULL || soup_message_get_status (message) != SOUP_STATUS_OK)
    return lag;
  root = _cs_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
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
  g_array_sort (lags, compare_double);
  lag.n = lags->len;
  lag.p50 = g_array_index (lags, double, lags->len / 2) / 1000.0;
  lag.p99 = g_array_index (lags, double, MIN (lags->len - 1, lags->len * 99 / 100)) / 1000.0;
  lag.polls = polls / lags->len;
  return lag;
}

static Lag
run_lag (const char *url,
         guint       n_tasks,
         gboolean    adaptive)
{
  g_autoptr(CsClient) client = g_object_new (CS_TYPE_CLIENT,
                                             "api-key", PNG_KEY,
                                             "base-url", url,
                                             NULL);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  SolveRun solves = { client, n_tasks, };

  if (!adaptive)
    g_object_set (client, "first-poll-delay", 1000, "poll-interval", 1000, NULL);
  solves.tasks = g_ptr_array_new_with_free_func (g_object_unref);
  /* the same tasks for both schedules: the same solve times */
  for (guint i = 0; i < n_tasks; i++)
    {
      g_autoptr(CsTask) task = cs_task_new ("ReCaptchaV2TaskProxyLess");
      g_autofree char *site = g_strdup_printf ("https://example.com/lag/%u", i);

      cs_task_set_string (task, "websiteURL", site);
      cs_task_set_string (task, "websiteKey", "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-");
      solves.started++;
      solves.in_flight++;
      g_ptr_array_add (solves.tasks, g_object_ref (task));
      cs_client_solve_async (client, task, NULL, solved_cb, &solves);
    }
  while (solves.finished < n_tasks)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < solves.tasks->len; i++)
    {
      const char *id = cs_task_get_task_id (g_ptr_array_index (solves.tasks, i));

      if (id != NULL)
        g_hash_table_add (ids, g_strdup (id));
    }
  g_ptr_array_unref (solves.tasks);
  return read_lag (url, ids);
}

/* --- Main --------------------------------------------------------------------------- */

static void
print_ratio (const char *what,
             double      value,
             double      floor,
             const char *target)
{
  if (floor > 0)
    g_print ("  %-40s %6.2f   (target %s)\n", what, value / floor, target);
}

int
main (int    argc,
      char **argv)
{
  gboolean quick = FALSE;
  int lag_tasks = 300;
  int only = 0;
  const GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "Fewer operations per step", NULL },
    { "lag-tasks", 0, 0, G_OPTION_ARG_INT, &lag_tasks, "Tasks in the time-to-token run (0: skip)", "N" },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &only, "Measure this concurrency only", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- the client engine against its floors");
  g_autoptr(GError) error = NULL;
  static const guint concurrencies[] = { 1, 16, 256, 10000 };
  BenchSandbox *sandbox;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  sandbox = sandbox_start (NULL);
  g_print ("sandbox: %s (separate process), %u connections per client\n", sandbox->base_url,
           DEFAULT_MAX_CONNECTIONS);
  for (gsize i = 0; i < G_N_ELEMENTS (concurrencies); i++)
    {
      guint c = only > 0 ? (guint) only : concurrencies[i];
      guint total = c == 10000 ? 10000 : (quick ? 1000 : 4000);
      double server_cpu = bench_process_cpu_seconds (sandbox->pid);
      Run client = run_client (sandbox->base_url, c, total);
      double client_server_cpu = bench_process_cpu_seconds (sandbox->pid) - server_cpu;
      g_auto(GStrv) task_ids = NULL;
      g_auto(GStrv) bodies = poll_bodies (sandbox->base_url, &task_ids);
      /* enough polls that the first connections weigh little */
      guint n_polls = quick ? 3000 : 20000;
      Run polls = run_client_polls (sandbox->base_url, task_ids,
                                    MIN (c, DEFAULT_MAX_CONNECTIONS), n_polls);
      Run bare = run_bare (sandbox->base_url, bodies, MIN (c, DEFAULT_MAX_CONNECTIONS), n_polls);
      double wrk = run_wrk (sandbox->base_url, bodies, MIN (c, DEFAULT_MAX_CONNECTIONS));

      g_print ("concurrency %u: solves (createTask, then polls) and polls alone\n", c);
      print_run (&client);
      print_run (&polls);
      g_print ("  %-22s %7.1f us CPU/req while the client ran\n", "sandbox",
               client_server_cpu * 1e6 / MAX (client.requests, 1));
      print_run (&bare);
      if (wrk > 0)
        g_print ("  %-22s %9.0f req/s\n", "wrk", wrk);
      else
        bench_wrk_explain_missing ();
      if (client.peak_rss_kib > 0)
        g_print ("  peak RSS %" G_GUINT64_FORMAT " KiB, %.2f KiB per solve in flight\n",
                 client.peak_rss_kib,
                 (double) (client.peak_rss_kib - client.base_rss_kib) / MIN (c, total));
      print_ratio ("polls/s, client / bare loop", polls.requests / polls.seconds,
                   bare.requests / bare.seconds, ">= 0.90");
      print_ratio ("CPU per poll, client / bare loop", polls.cpu / polls.requests,
                   bare.cpu / bare.requests, "<= 1.15");
      print_ratio ("solve requests/s, client / bare loop", client.requests / client.seconds,
                   bare.requests / bare.seconds, "-");
      print_ratio ("CPU per solve request, client / bare loop", client.cpu / client.requests,
                   bare.cpu / bare.requests, "-");
      print_ratio ("requests/s, client / wrk", client.requests / client.seconds, wrk, "-");
      if (only > 0)
        break;
    }
  bench_sandbox_stop (sandbox);

  if (lag_tasks > 0)
    {
      Lag adaptive, fixed;

      sandbox = sandbox_start ("1");
      g_print ("time to token: %d ReCaptchaV2TaskProxyLess tasks at the service's pace "
               "(5-15 s), all at once\n", lag_tasks);
      adaptive = run_lag (sandbox->base_url, lag_tasks, TRUE);
      fixed = run_lag (sandbox->base_url, lag_tasks, FALSE);
      bench_sandbox_stop (sandbox);
      if (adaptive.n == 0 || fixed.n == 0)
        g_print ("  the sandbox keeps no timing records (GET /sandbox/timings)\n");
      else
        {
          g_print ("  adaptive schedule:  lag p50 %.2f s, p99 %.2f s, %.2f polls per task (%u tasks)\n",
                   adaptive.p50, adaptive.p99, adaptive.polls, adaptive.n);
          g_print ("  1-second schedule:  lag p50 %.2f s, p99 %.2f s, %.2f polls per task (%u tasks)\n",
                   fixed.p50, fixed.p99, fixed.polls, fixed.n);
          g_print ("  targets: p50 <= 0.30 s, p99 <= 1.00 s, polls <= the 1-second schedule's\n");
        }
    }
  return 0;
}
