/* bench-engine.c: one client, many captchas, against its floors
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For each server, each concurrency C (1, 16, 256 and 10,000) and each of
 * two workloads, runs the client and its floors in turn, a round at a
 * time, each round starting with the next of them (A B C, B C A, ...), and
 * prints the medians of the rounds and of the ratios within a round:
 *
 *   - whole solves, C at a time: createTask, then getTaskResult until the
 *     task is ready, with no pause between polls. The client's solve()
 *     (all given one GCancellable, as an application that stops them
 *     together does; --no-cancellable for none) beside two bare libsoup
 *     loops that send the same requests with the same queue (C solves in
 *     flight, at most as many requests given to libsoup as the client has
 *     connections): one with the client's
 *     connection policy (a new connection for each createTask, polls on
 *     kept-alive ones), the floor to hold, and one that reuses
 *     connections for createTask too, which says what the policy costs;
 *   - polls alone, C getTaskResult in flight at once on the same tasks:
 *     the client's get_task_result() beside a bare libsoup loop.
 *
 * Each run prints operations/s, requests/s, the client's CPU per
 * operation (getrusage: the servers are other processes) and new
 * connections per 1,000 requests.
 *
 * The servers: `capsolver sandbox` over plain HTTP, in a process of its
 * own (a task is ready at its second poll); and, when nginx is installed,
 * nginx over TLS on 127.0.0.1 (tests/bench/nginx/run-nginx.sh, HTTP/1.1),
 * whose /solve/createTask answers a new task id and /solve/getTaskResult a
 * ready token. Both client and floors trust nginx's CA as tls-database,
 * after cs_client_install_default_tls_database() (--no-tls-speed-up
 * leaves the process's default alone).
 *
 * Then the time to token: tasks solved at the service's pace (the
 * sandbox's --time-scale 1), with the adaptive schedule and with a fixed
 * 1-second schedule on the same tasks; the sandbox's timing records give
 * the lag from "ready" to the poll that fetched it, and the polls per task.
 *
 * Run it by hand (the README's "Measuring" says how to read it):
 *   _build/tests/bench/bench-engine [--quick] [--rounds N] [--concurrency N]
 *     [--server http|tls] [--workload solves|polls] [--lag-tasks N]
 *   perf record -g _build/tests/bench/bench-engine --profile 0 ... (the client alone)
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "bench-common.h"

#define PNG_KEY CS_SANDBOX_DEFAULT_KEY
/* polls spread over this many tasks, so that no task of the sandbox
 * reaches the service's 120 polls in a row of runs */
#define N_POLLED 1200
#define WEBSITE_KEY "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-"

/* --- Measures ----------------------------------------------------------------- */

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* VmRSS of this process, in KiB. */
static guint64
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line != NULL ? g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10) : 0;
}

/* The requests a session sends and the connections it opens. */
typedef struct {
  guint requests;
  guint connections;
} Counts;

static void
network_event_cb (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  Counts *counts = user_data;

  if (event == G_SOCKET_CLIENT_CONNECTED)
    counts->connections++;
}

static void
request_queued_cb (SoupSession *session,
                   SoupMessage *message,
                   gpointer     user_data)
{
  Counts *counts = user_data;

  counts->requests++;
  g_signal_connect (message, "network-event", G_CALLBACK (network_event_cb), counts);
}

static void
count_requests (SoupSession *session,
                Counts      *counts)
{
  g_signal_connect (session, "request-queued", G_CALLBACK (request_queued_cb), counts);
}

/* One run of one contender. */
typedef struct {
  guint   operations;   /* solves or polls */
  guint   requests;
  guint   connections;
  guint   failed;
  double  seconds;
  double  cpu;          /* the client's */
  double  server_cpu;   /* the sandbox's, or 0 */
  guint64 rss_kib;      /* growth while C solves were in flight, or 0 */
} Run;

/* A server the contenders talk to. */
typedef struct {
  const char   *name;
  char         *base_url;
  GTlsDatabase *database;   /* to trust, for TLS */
  GPid          pid;        /* whose CPU is counted, or 0 */
  BenchSandbox *sandbox;
  char         *nginx_dir;
} Server;

/* Measures @run from @start_cpu and @start until now. */
static void
run_end (Run          *run,
         const Server *server,
         double        start_cpu,
         double        start_server_cpu,
         gint64        start,
         const Counts *counts)
{
  run->seconds = (g_get_monotonic_time () - start) / 1e6;
  run->cpu = cpu_seconds () - start_cpu;
  if (server->pid != 0)
    run->server_cpu = bench_process_cpu_seconds (server->pid) - start_server_cpu;
  run->requests = counts->requests;
  run->connections = counts->connections;
}

static double
server_cpu_now (const Server *server)
{
  return server->pid != 0 ? bench_process_cpu_seconds (server->pid) : 0;
}

/* --no-cancellable: solve() without one */
static gboolean with_cancellable = TRUE;

/* --- The client: whole solves ---------------------------------------------------------- */

typedef struct {
  CsClient *client;
  guint     total;
  guint     started;
  guint     finished;
  guint     failed;
  guint     in_flight;
  GPtrArray *tasks;     /* for the lag run */
  GCancellable *cancellable;  /* one for every solve, as an application stops them all */
} SolveRun;

static CsTask *
new_task (guint i)
{
  CsTask *task = cs_task_new ("ReCaptchaV2TaskProxyLess");
  g_autofree char *url = g_strdup_printf ("https://example.com/bench/%u/%" G_GINT64_FORMAT,
                                          i, g_get_real_time ());

  cs_task_set_string (task, "websiteURL", url);
  cs_task_set_string (task, "websiteKey", WEBSITE_KEY);
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
  g_autoptr(CsTask) task = new_task (run->started);

  run->started++;
  run->in_flight++;
  if (run->tasks != NULL)
    g_ptr_array_add (run->tasks, g_object_ref (task));
  cs_client_solve_async (run->client, task, run->cancellable, solved_cb, run);
}

static CsClient *
new_client (const Server *server)
{
  return g_object_new (CS_TYPE_CLIENT, "api-key", PNG_KEY, "base-url", server->base_url,
                       "tls-database", server->database, NULL);
}

static Run
run_client_solves (const Server *server,
                   guint         concurrency,
                   guint         total)
{
  g_autoptr(CsClient) client = new_client (server);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  SolveRun solves = { client, total, };
  Counts counts = { 0, };
  Run run = { total, };
  guint64 base_rss;
  double start_cpu, start_server_cpu;
  gint64 start;

  if (with_cancellable)
    solves.cancellable = cancellable;
  g_object_set (client, "first-poll-delay", 0, "poll-interval", 0, "deadline", 600000, NULL);
  count_requests (cs_client_get_session (client), &counts);
  base_rss = rss_kib ();
  start_server_cpu = server_cpu_now (server);
  start_cpu = cpu_seconds ();
  start = g_get_monotonic_time ();
  while (solves.started < MIN (concurrency, total))
    start_solve (&solves);
  /* once, with every solve in flight: reading /proc is not free */
  if (concurrency >= 1000)
    run.rss_kib = rss_kib () - base_rss;
  while (solves.finished < total)
    g_main_context_iteration (NULL, TRUE);
  run_end (&run, server, start_cpu, start_server_cpu, start, &counts);
  run.failed = solves.failed;
  return run;
}

/* --- The client: polls alone ----------------------------------------------------------- */

typedef struct {
  CsClient  *client;
  CsTask   **tasks;      /* n_tasks >= the polls in flight: never one twice at once */
  guint      n_tasks;
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
  CsTask *task = run->tasks[run->started++ % run->n_tasks];

  cs_client_get_task_result_async (run->client, task, NULL, polled_cb, run);
}

static Run
run_client_polls (const Server *server,
                  const GStrv   task_ids,
                  guint         concurrency,
                  guint         total)
{
  g_autoptr(CsClient) client = new_client (server);
  guint n_tasks = MAX (concurrency, N_POLLED);
  g_autofree CsTask **tasks = g_new (CsTask *, n_tasks);
  PollRun polls = { client, tasks, n_tasks, total, };
  Counts counts = { 0, };
  Run run = { total, };
  double start_cpu, start_server_cpu;
  gint64 start;

  for (guint i = 0; i < n_tasks; i++)
    tasks[i] = cs_task_new_for_id (task_ids[i % N_POLLED]);
  count_requests (cs_client_get_session (client), &counts);
  start_server_cpu = server_cpu_now (server);
  start_cpu = cpu_seconds ();
  start = g_get_monotonic_time ();
  while (polls.started < MIN (concurrency, total))
    poll_next (&polls);
  while (polls.finished < total)
    g_main_context_iteration (NULL, TRUE);
  run_end (&run, server, start_cpu, start_server_cpu, start, &counts);
  run.failed = polls.failed;
  for (guint i = 0; i < n_tasks; i++)
    g_object_unref (tasks[i]);
  return run;
}

/* --- The floors: bare libsoup loops ------------------------------------------------------
 *
 * They keep C solves (or polls) in flight as the client does: requests
 * wait in a queue of the loop's own and libsoup gets at most as many as
 * the client has connections, creates and polls in turn. Each reply is
 * parsed with json-glib, as the client's are.
 */

typedef struct _BareRun BareRun;

typedef struct {
  BareRun *run;
  GList    link;
  char    *task_id;     /* NULL until created; polls only: always set */
} BareSolve;

struct _BareRun {
  SoupSession *session;
  char        *create_url;
  char        *poll_url;
  gboolean     reuse;          /* createTask on kept-alive connections too */
  gboolean     polls_only;     /* one request an operation, never ready */
  GStrv        task_ids;       /* polls only */
  GQueue       creates;
  GQueue       polls;
  gboolean     creates_next;
  guint        sending;
  guint        total;
  guint        started;
  guint        finished;
  guint        failed;
};

static void bare_admit (BareRun *run);

static void
bare_solve_free (BareSolve *solve)
{
  g_free (solve->task_id);
  g_free (solve);
}

static void
bare_queue (BareSolve *solve)
{
  BareRun *run = solve->run;

  g_queue_push_tail_link (solve->task_id == NULL ? &run->creates : &run->polls, &solve->link);
}

static void
bare_start (BareRun *run)
{
  BareSolve *solve = g_new0 (BareSolve, 1);

  solve->run = run;
  solve->link.data = solve;
  if (run->polls_only)
    solve->task_id = g_strdup (run->task_ids[run->started % N_POLLED]);
  run->started++;
  bare_queue (solve);
}

static void
bare_finish (BareSolve *solve,
             gboolean   ok)
{
  BareRun *run = solve->run;

  if (!ok)
    run->failed++;
  run->finished++;
  bare_solve_free (solve);
  if (run->started < run->total)
    bare_start (run);
}

static void
bare_reply_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  BareSolve *solve = user_data;
  BareRun *run = solve->run;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *reply = NULL;
  const char *status;
  gboolean created = solve->task_id == NULL;

  run->sending--;
  if (body != NULL)
    root = _cs_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    reply = json_node_get_object (root);
  if (reply == NULL)
    bare_finish (solve, FALSE);
  else if (run->polls_only)
    bare_finish (solve, TRUE);
  else if (created && _cs_json_get_string (reply, "taskId") == NULL)
    bare_finish (solve, FALSE);
  else if (created)
    {
      solve->task_id = g_strdup (_cs_json_get_string (reply, "taskId"));
      bare_queue (solve);
    }
  else if ((status = _cs_json_get_string (reply, "status")) != NULL &&
           strcmp (status, "ready") == 0)
    bare_finish (solve, _cs_json_get_object (reply, "solution") != NULL);
  else
    bare_queue (solve);
  bare_admit (run);
}

static void
bare_send (BareSolve *solve)
{
  BareRun *run = solve->run;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  gboolean create = solve->task_id == NULL;
  char *text;

  if (create)
    text = g_strdup_printf ("{\"clientKey\":\"%s\",\"task\":{\"type\":"
                            "\"ReCaptchaV2TaskProxyLess\",\"websiteURL\":"
                            "\"https://example.com/bench/%u/%" G_GINT64_FORMAT "\","
                            "\"websiteKey\":\"%s\"}}",
                            PNG_KEY, run->started, g_get_real_time (), WEBSITE_KEY);
  else
    text = g_strdup_printf ("{\"clientKey\":\"%s\",\"taskId\":\"%s\"}", PNG_KEY,
                            solve->task_id);
  body = g_bytes_new_take (text, strlen (text));
  message = soup_message_new (SOUP_METHOD_POST, create ? run->create_url : run->poll_url);
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  if (!create || run->reuse)
    soup_message_add_flags (message, SOUP_MESSAGE_IDEMPOTENT);
  soup_message_set_request_body_from_bytes (message, "application/json", body);
  run->sending++;
  soup_session_send_and_read_async (run->session, message, G_PRIORITY_DEFAULT, NULL,
                                    bare_reply_cb, solve);
}

static void
bare_admit (BareRun *run)
{
  while (run->sending < DEFAULT_MAX_CONNECTIONS)
    {
      GQueue *first = run->creates_next ? &run->creates : &run->polls;
      GQueue *second = first == &run->creates ? &run->polls : &run->creates;
      GList *link = g_queue_pop_head_link (first);

      if (link == NULL)
        link = g_queue_pop_head_link (second);
      else
        run->creates_next = !run->creates_next;
      if (link == NULL)
        return;
      bare_send (link->data);
    }
}

/* Whole solves (or, with @task_ids, polls of those tasks), @concurrency
 * at a time; @reuse lets createTask take a kept-alive connection. */
static Run
run_bare (const Server *server,
          guint         concurrency,
          guint         total,
          gboolean      reuse,
          const GStrv   task_ids)
{
  g_autoptr(SoupSession) session =
    soup_session_new_with_options ("max-conns", DEFAULT_MAX_CONNECTIONS,
                                   "max-conns-per-host", DEFAULT_MAX_CONNECTIONS,
                                   "timeout", SESSION_IO_TIMEOUT,
                                   "tls-database", server->database,
                                   NULL);
  g_autofree char *create_url = g_strconcat (server->base_url, "/createTask", NULL);
  g_autofree char *poll_url = g_strconcat (server->base_url, "/getTaskResult", NULL);
  BareRun bare = { session, create_url, poll_url, reuse, task_ids != NULL, task_ids, };
  Counts counts = { 0, };
  Run run = { total, };
  double start_cpu, start_server_cpu;
  gint64 start;

  g_queue_init (&bare.creates);
  g_queue_init (&bare.polls);
  bare.total = total;
  count_requests (session, &counts);
  start_server_cpu = server_cpu_now (server);
  start_cpu = cpu_seconds ();
  start = g_get_monotonic_time ();
  while (bare.started < MIN (concurrency, total))
    bare_start (&bare);
  bare_admit (&bare);
  while (bare.finished < total)
    g_main_context_iteration (NULL, TRUE);
  run_end (&run, server, start_cpu, start_server_cpu, start, &counts);
  run.failed = bare.failed;
  return run;
}

/* getTaskResult task ids for N_POLLED tasks of @server. */
static GStrv
new_task_ids (const Server *server)
{
  g_autoptr(CsClient) client = new_client (server);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();

  for (guint i = 0; i < N_POLLED; i++)
    {
      g_autoptr(CsTask) task = new_task (i);
      g_autoptr(GError) error = NULL;

      if (!cs_client_create_task (client, task, NULL, &error))
        g_error ("createTask: %s", error->message);
      g_strv_builder_add (ids, cs_task_get_task_id (task));
    }
  return g_strv_builder_end (ids);
}

/* --- The servers ---------------------------------------------------------------------- */

static gboolean
sandbox_open (Server     *server,
              const char *time_scale)
{
  const char *poll_model[] = { "--key", PNG_KEY "=1000000", "--max-tasks", "1000000",
                               "--polls-until-ready", "1", NULL };
  const char *time_model[] = { "--key", PNG_KEY "=1000000", "--max-tasks", "1000000",
                               "--time-scale", time_scale, NULL };
  g_autoptr(GError) error = NULL;

  memset (server, 0, sizeof *server);
  server->sandbox = bench_sandbox_start (time_scale != NULL ? time_model : poll_model, &error);
  if (server->sandbox == NULL)
    g_error ("cannot start the sandbox: %s", error->message);
  server->name = "HTTP, capsolver sandbox";
  server->base_url = g_strdup (server->sandbox->base_url);
  server->pid = server->sandbox->pid;
  return TRUE;
}

/* nginx's worker, whose CPU is nginx's: the master's only child. */
static GPid
nginx_worker (GPid master)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/children", master, master);
  g_autofree char *children = NULL;

  if (!g_file_get_contents (path, &children, NULL, NULL))
    return 0;
  return (GPid) g_ascii_strtoll (children, NULL, 10);
}

static gboolean
run_nginx (const char  *command,
           const char  *dir,
           const char  *h1_port,
           GError     **error)
{
  const char *argv[] = { "sh", BENCH_NGINX_SCRIPT, command, dir, NULL, NULL, NULL };
  g_autofree char *h2_port = g_strdup_printf ("%d", atoi (h1_port != NULL ? h1_port : "0") + 1);
  int status;

  if (h1_port != NULL)
    {
      argv[4] = h2_port;
      argv[5] = h1_port;
    }
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, error))
    return FALSE;
  return g_spawn_check_wait_status (status, error);
}

/* nginx over TLS on 127.0.0.1, HTTP/1.1, or FALSE when it is missing. */
static gboolean
nginx_open (Server *server,
            guint   port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autofree char *ca = NULL;
  g_autofree char *pid_path = NULL;
  g_autofree char *pid_text = NULL;
  g_autofree char *nginx = g_find_program_in_path ("nginx");

  memset (server, 0, sizeof *server);
  if (nginx == NULL && !g_file_test ("/usr/sbin/nginx", G_FILE_TEST_EXISTS))
    {
      g_print ("nginx is not installed (apt-get install nginx-light): no TLS rows\n");
      return FALSE;
    }
  server->nginx_dir = g_dir_make_tmp ("bench-engine-nginx-XXXXXX", &error);
  if (server->nginx_dir == NULL || !run_nginx ("start", server->nginx_dir, port_text, &error))
    {
      g_print ("cannot start nginx (%s): no TLS rows\n", error->message);
      return FALSE;
    }
  ca = g_build_filename (server->nginx_dir, "ca.pem", NULL);
  server->database = g_tls_file_database_new (ca, &error);
  if (server->database == NULL)
    g_error ("%s: %s", ca, error->message);
  pid_path = g_build_filename (server->nginx_dir, "child.pid", NULL);
  if (g_file_get_contents (pid_path, &pid_text, NULL, NULL))
    server->pid = nginx_worker ((GPid) g_ascii_strtoll (pid_text, NULL, 10));
  server->name = "TLS, nginx";
  server->base_url = g_strdup_printf ("https://127.0.0.1:%u/solve", port);
  return TRUE;
}

static void
server_close (Server *server)
{
  if (server->sandbox != NULL)
    bench_sandbox_stop (server->sandbox);
  if (server->nginx_dir != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", server->nginx_dir);

      if (!run_nginx ("stop", server->nginx_dir, NULL, &error))
        g_printerr ("stopping nginx: %s\n", error->message);
      /* the directory is ours, made by g_dir_make_tmp() */
      if (!g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL))
        g_printerr ("cannot remove %s\n", server->nginx_dir);
    }
  g_clear_object (&server->database);
  g_free (server->base_url);
  g_free (server->nginx_dir);
}

/* --- Rounds ----------------------------------------------------------------------------- */

typedef enum {
  CLIENT_SOLVES,
  BARE_SOLVES,
  BARE_SOLVES_REUSE,
  CLIENT_POLLS,
  BARE_POLLS,
} Contender;

static const char * const contender_names[] = {
  "client solve()",
  "bare loop, same policy",
  "bare loop, reuse",
  "client polls",
  "bare loop polls",
};

static Run
run_contender (Contender     contender,
               const Server *server,
               guint         concurrency,
               guint         total,
               const GStrv   task_ids)
{
  switch (contender)
    {
    case CLIENT_SOLVES:
      return run_client_solves (server, concurrency, total);
    case BARE_SOLVES:
      return run_bare (server, concurrency, total, FALSE, NULL);
    case BARE_SOLVES_REUSE:
      return run_bare (server, concurrency, total, TRUE, NULL);
    case CLIENT_POLLS:
      return run_client_polls (server, task_ids, concurrency, total);
    case BARE_POLLS:
    default:
      return run_bare (server, concurrency, total, TRUE, task_ids);
    }
}

static double
rate (const Run *run)
{
  return run->operations / run->seconds;
}

static double
cpu_per_operation (const Run *run)
{
  return run->cpu / run->operations;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof *values, compare_double);
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

#define MAX_ROUNDS 15

/* --profile: runs this contender alone (for perf record), or -1 */
static int profile_contender = -1;

/* The median over the rounds of @measure (a, b) for contenders @a and @b. */
static double
median_of (Run         runs[][3],
           guint       rounds,
           guint       a,
           guint       b,
           double    (*measure) (const Run *, const Run *))
{
  double values[MAX_ROUNDS];

  for (guint r = 0; r < rounds; r++)
    values[r] = measure (&runs[r][a], &runs[r][b]);
  return median (values, rounds);
}

static double
rate_ratio (const Run *a,
            const Run *b)
{
  return rate (a) / rate (b);
}

static double
cpu_ratio (const Run *a,
           const Run *b)
{
  return cpu_per_operation (a) / cpu_per_operation (b);
}

static double
just_rate (const Run *a,
           const Run *b)
{
  return rate (a);
}

static double
just_cpu_us (const Run *a,
             const Run *b)
{
  return cpu_per_operation (a) * 1e6;
}

static double
requests_per_operation (const Run *a,
                        const Run *b)
{
  return (double) a->requests / a->operations;
}

static double
connections_per_1000 (const Run *a,
                      const Run *b)
{
  return 1000.0 * a->connections / MAX (a->requests, 1);
}

static double
server_cpu_us (const Run *a,
               const Run *b)
{
  return a->server_cpu * 1e6 / MAX (a->requests, 1);
}

/* Runs @contenders (2 or 3) @rounds times in turn, each round starting
 * with the next one, and prints the medians. */
static void
measure_row (const Server    *server,
             const Contender *contenders,
             guint            n,
             guint            concurrency,
             guint            total,
             guint            rounds)
{
  Run runs[MAX_ROUNDS][3];
  g_auto(GStrv) task_ids = NULL;
  guint failed = 0;
  guint64 rss = 0;

  if (contenders[0] == CLIENT_POLLS)
    task_ids = new_task_ids (server);
  if (profile_contender >= 0)
    {
      Contender contender = contenders[MIN ((guint) profile_contender, n - 1)];
      Run run = run_contender (contender, server, concurrency, total, task_ids);

      g_print ("%s, %u in flight: %s alone, %.0f ops/s, %.1f us CPU/op\n", server->name,
               concurrency, contender_names[contender], rate (&run),
               cpu_per_operation (&run) * 1e6);
      return;
    }
  for (guint r = 0; r < rounds; r++)
    for (guint k = 0; k < n; k++)
      {
        guint i = (r + k) % n;

        runs[r][i] = run_contender (contenders[i], server, concurrency, total, task_ids);
        failed += runs[r][i].failed;
        rss = MAX (rss, runs[r][i].rss_kib);
      }

  g_print ("%s, %u %s in flight, %u a run, %u rounds in turn (medians)\n", server->name,
           concurrency, contenders[0] == CLIENT_POLLS ? "polls" : "solves", total, rounds);
  g_print ("  %-24s %9s %9s %10s %9s %10s %11s\n", "", "ops/s", "req/s", "CPU us/op",
           "req/op", "conn/1000", "server us/req");
  for (guint i = 0; i < n; i++)
    {
      double ops = median_of (runs, rounds, i, i, just_rate);

      g_print ("  %-24s %9.0f %9.0f %10.1f %9.2f %10.1f %11.1f\n", contender_names[contenders[i]],
               ops, ops * median_of (runs, rounds, i, i, requests_per_operation),
               median_of (runs, rounds, i, i, just_cpu_us),
               median_of (runs, rounds, i, i, requests_per_operation),
               median_of (runs, rounds, i, i, connections_per_1000),
               median_of (runs, rounds, i, i, server_cpu_us));
    }
  if (failed > 0)
    g_print ("  %u operations failed\n", failed);
  if (rss > 0)
    g_print ("  RSS grew %" G_GUINT64_FORMAT " KiB, %.2f KiB per solve in flight\n", rss,
             (double) rss / concurrency);
  g_print ("  client / %-22s rate %5.2f (target >= 0.90)  CPU %5.2f (target <= 1.15)\n",
           contender_names[contenders[1]], median_of (runs, rounds, 0, 1, rate_ratio),
           median_of (runs, rounds, 0, 1, cpu_ratio));
  if (n == 3)
    {
      g_print ("  new connection per createTask / reuse:  rate %5.2f  CPU %5.2f (bare loops)\n",
               median_of (runs, rounds, 1, 2, rate_ratio),
               median_of (runs, rounds, 1, 2, cpu_ratio));
      g_print ("  client / bare loop, reuse:              rate %5.2f  CPU %5.2f\n",
               median_of (runs, rounds, 0, 2, rate_ratio),
               median_of (runs, rounds, 0, 2, cpu_ratio));
    }
}

/* --- Time to token ---------------------------------------------------------------- */

typedef BenchLag Lag;

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
  return bench_sandbox_read_lag (url, ids);
}

/* --- Main --------------------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  gboolean quick = FALSE;
  gboolean no_speed_up = FALSE;
  int lag_tasks = 300;
  int only = 0;
  int rounds = 3;
  int tls_port = 0;
  g_autofree char *server_name = NULL;
  g_autofree char *workload = NULL;
  const GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "Fewer operations per run", NULL },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds of each row (1-15, default 3)", "N" },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &only, "Measure this concurrency only", "N" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &server_name, "http or tls (default: both)", "NAME" },
    { "workload", 0, 0, G_OPTION_ARG_STRING, &workload, "solves or polls (default: both)", "NAME" },
    { "tls-port", 0, 0, G_OPTION_ARG_INT, &tls_port, "nginx's HTTP/1.1 port (and the next one)",
      "PORT" },
    { "no-tls-speed-up", 0, 0, G_OPTION_ARG_NONE, &no_speed_up,
      "Do not call cs_client_install_default_tls_database()", NULL },
    { "no-cancellable", 0, G_OPTION_FLAG_REVERSE, G_OPTION_ARG_NONE, &with_cancellable,
      "Solve without a GCancellable", NULL },
    { "profile", 0, 0, G_OPTION_ARG_INT, &profile_contender,
      "Run only the Nth contender of a row, once (0: the client), for a profiler", "N" },
    { "lag-tasks", 0, 0, G_OPTION_ARG_INT, &lag_tasks,
      "Tasks in the time-to-token run (0: skip)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new ("- the client engine against its floors");
  g_autoptr(GError) error = NULL;
  static const guint concurrencies[] = { 1, 16, 256, 10000 };
  static const Contender solves[] = { CLIENT_SOLVES, BARE_SOLVES, BARE_SOLVES_REUSE };
  static const Contender polls[] = { CLIENT_POLLS, BARE_POLLS };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (rounds < 1 || rounds > MAX_ROUNDS)
    {
      g_printerr ("--rounds: 1 to %d\n", MAX_ROUNDS);
      return 2;
    }
  if (tls_port <= 0)
    tls_port = 20000 + (getpid () % 6000) * 2;  /* below the ephemeral ports */
  if (!no_speed_up)
    cs_client_install_default_tls_database ();

  g_print ("%u connections per client; rounds of contenders in turn, each round starting "
           "with the next\n", DEFAULT_MAX_CONNECTIONS);
  for (guint s = 0; s < 2; s++)
    {
      Server server;

      if (server_name != NULL && strcmp (server_name, s == 0 ? "http" : "tls") != 0)
        continue;
      if (s == 0)
        sandbox_open (&server, NULL);
      else if (!nginx_open (&server, (guint) tls_port))
        continue;
      g_print ("\n%s: %s\n", server.name, server.base_url);
      for (gsize i = 0; i < G_N_ELEMENTS (concurrencies); i++)
        {
          guint c = only > 0 ? (guint) only : concurrencies[i];

          if (workload == NULL || strcmp (workload, "solves") == 0)
            measure_row (&server, solves, G_N_ELEMENTS (solves), c,
                         MAX (c, quick ? 500 : 2000), (guint) rounds);
          if (workload == NULL || strcmp (workload, "polls") == 0)
            measure_row (&server, polls, G_N_ELEMENTS (polls), c,
                         MAX (2 * c, quick ? 5000 : 20000), (guint) rounds);
          if (only > 0)
            break;
        }
      server_close (&server);
    }

  if (lag_tasks > 0)
    {
      Server server;
      Lag adaptive, fixed;

      sandbox_open (&server, "1");
      g_print ("\ntime to token: %d ReCaptchaV2TaskProxyLess tasks at the service's pace "
               "(5-15 s), all at once\n", lag_tasks);
      adaptive = run_lag (server.base_url, lag_tasks, TRUE);
      fixed = run_lag (server.base_url, lag_tasks, FALSE);
      server_close (&server);
      if (adaptive.n == 0 || fixed.n == 0)
        g_print ("  the sandbox keeps no timing records (GET /sandbox/timings)\n");
      else
        {
          g_print ("  adaptive schedule:  lag p50 %.2f s, p99 %.2f s, "
                   "%.2f polls per task (%u tasks)\n",
                   adaptive.p50, adaptive.p99, adaptive.polls, adaptive.n);
          g_print ("  1-second schedule:  lag p50 %.2f s, p99 %.2f s, "
                   "%.2f polls per task (%u tasks)\n",
                   fixed.p50, fixed.p99, fixed.polls, fixed.n);
          g_print ("  targets: p50 <= 0.30 s, p99 <= 1.00 s, polls <= the 1-second schedule's\n");
        }
    }
  return 0;
}
