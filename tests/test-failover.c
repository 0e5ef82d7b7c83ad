/* test-failover.c: a client with two endpoints of one service
 *
 * Two HTTP servers in threads of their own, Server-A and Server-B, share
 * one service (its tasks, as the two hosts of CapSolver do) and count the
 * requests each received. Server-A is reached through a relay of bytes
 * whose listening socket closes to refuse new connections (the ones open
 * go on), and can answer 503, or take a createTask and never answer. The
 * figures (tasks, requests per endpoint, time to switch and to return)
 * are printed with g_test_message.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "cs-sandbox-private.h"
#include "mock-server.h"

#define N_SOLVES      1000
#define N_SOLVES_SLOW 100    /* under valgrind (CS_TEST_TIME_FACTOR) */
#define POLLS_TO_READY 10
/* generous bounds that only prove there is no hang */
#define DEADLINE_S    240

typedef enum {
  MODE_OK,
  MODE_503_JSON,   /* 503 with the service's own envelope, no task */
  MODE_503_HTML,   /* 503 with a proxy's HTML page */
  MODE_HANG,       /* takes a createTask and never answers */
  MODE_DROP,       /* takes a createTask and closes the connection */
  MODE_502,        /* takes a createTask and answers a gateway's 502 page */
  MODE_504,        /* takes a createTask and answers a gateway's 504 page */
  MODE_PAGE,       /* takes a createTask and answers a proxy's 403 page */
  MODE_503_TASK,   /* creates the task and answers 503 with its id */
} Mode;

enum { A, B };

/* The service behind both endpoints. */
typedef struct {
  GMutex      lock;
  GHashTable *polls;          /* task id → polls so far */
  GHashTable *urls;           /* websiteURL → createTask count */
  guint       next_id;
  guint       creates[2];     /* tasks created through each endpoint */
  guint       requests[2];    /* every request each endpoint received */
  guint       balances[2];    /* getBalance (the probe) */
  guint       hung;           /* createTask bodies taken and never answered */
  guint       fault_after;    /* Server-A's fault starts after this many of its creates */
  gint        mode;           /* Server-A's, once fault_after is reached */
  gint        fault_on;       /* atomic: the fault began */
  gint64      fault_at;       /* monotonic µs */
} Service;

typedef struct {
  Service        *service;
  guint           index;
  CsServerThread *thread;
} Endpoint;

static void
reply (SoupServerMessage *message,
       guint              status,
       const char        *content_type,
       const char        *body)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, content_type, SOUP_MEMORY_COPY, body,
                                    strlen (body));
}

/* In the endpoint's thread. */
static void
endpoint_handle (SoupServer        *server,
                 SoupServerMessage *message,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Endpoint *endpoint = user_data;
  Service *service = endpoint->service;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  g_autoptr(JsonNode) root = _cs_json_parse (g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), NULL);
  JsonObject *request = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
                        ? json_node_get_object (root) : NULL;
  Mode mode = MODE_OK;

  g_mutex_lock (&service->lock);
  service->requests[endpoint->index]++;
  if (endpoint->index == A && g_atomic_int_get (&service->fault_on))
    mode = service->mode;
  if ((mode == MODE_HANG || mode == MODE_DROP || mode == MODE_502 || mode == MODE_504 ||
       mode == MODE_PAGE) && g_strcmp0 (path, "/createTask") == 0)
    service->hung++;
  g_mutex_unlock (&service->lock);

  if (mode == MODE_503_JSON)
    {
      reply (message, 503, "application/json",
             "{\"errorId\":1,\"errorCode\":\"ERROR_SERVICE_UNAVALIABLE\","
             "\"errorDescription\":\"down for maintenance\"}");
      return;
    }
  if (mode == MODE_503_HTML)
    {
      reply (message, 503, "text/html",
             "<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title>"
             "</head><body><center><h1>503 Service Temporarily Unavailable</h1></center>"
             "</body></html>");
      return;
    }
  if (mode == MODE_HANG && g_strcmp0 (path, "/createTask") == 0)
    {
      _cs_server_delay_message (server, message, 600000);
      return;
    }
  if (mode == MODE_DROP && g_strcmp0 (path, "/createTask") == 0)
    {
      _cs_server_drop_connection (message);
      return;
    }
  if ((mode == MODE_502 || mode == MODE_504 || mode == MODE_PAGE) &&
      g_strcmp0 (path, "/createTask") == 0)
    {
      guint status = mode == MODE_502 ? 502 : mode == MODE_504 ? 504 : 403;

      reply (message, status, "text/html",
             "<html><head><title>Gateway</title></head><body>upstream</body></html>");
      return;
    }

  if (request != NULL && g_strcmp0 (path, "/createTask") == 0)
    {
      JsonObject *task = _cs_json_get_object (request, "task");
      const char *url = task != NULL ? _cs_json_get_string (task, "websiteURL") : NULL;
      g_autofree char *id = NULL;
      g_autofree char *answer = NULL;

      g_mutex_lock (&service->lock);
      id = g_strdup_printf ("t-%u", service->next_id++);
      g_hash_table_insert (service->polls, g_strdup (id), GUINT_TO_POINTER (0));
      if (url != NULL)
        g_hash_table_insert (service->urls, g_strdup (url),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (service->urls,
                                                                                      url)) + 1));
      /* the fault begins with the first request after the threshold */
      if (endpoint->index == A && ++service->creates[A] == service->fault_after &&
          service->fault_after != 0)
        {
          service->fault_at = g_get_monotonic_time ();
          g_atomic_int_set (&service->fault_on, TRUE);
        }
      else if (endpoint->index == B)
        service->creates[B]++;
      g_mutex_unlock (&service->lock);
      answer = g_strdup_printf ("{\"errorId\":0,\"taskId\":\"%s\"}", id);
      reply (message, mode == MODE_503_TASK ? 503 : 200, "application/json", answer);
    }
  else if (request != NULL && g_strcmp0 (path, "/getTaskResult") == 0)
    {
      const char *id = _cs_json_get_string (request, "taskId");
      gpointer polls = NULL;
      gboolean known;

      g_mutex_lock (&service->lock);
      known = id != NULL && g_hash_table_lookup_extended (service->polls, id, NULL, &polls);
      if (known)
        g_hash_table_insert (service->polls, g_strdup (id),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (polls) + 1));
      g_mutex_unlock (&service->lock);
      if (!known)
        reply (message, 400, "application/json",
               "{\"errorId\":1,\"errorCode\":\"ERROR_TASKID_INVALID\"}");
      else if (GPOINTER_TO_UINT (polls) + 1 >= POLLS_TO_READY)
        reply (message, 200, "application/json",
               "{\"errorId\":0,\"status\":\"ready\","
               "\"solution\":{\"gRecaptchaResponse\":\"tok\"}}");
      else
        reply (message, 200, "application/json", "{\"errorId\":0,\"status\":\"processing\"}");
    }
  else if (request != NULL && g_strcmp0 (path, "/getBalance") == 0)
    {
      g_mutex_lock (&service->lock);
      service->balances[endpoint->index]++;
      g_mutex_unlock (&service->lock);
      reply (message, 200, "application/json", "{\"errorId\":0,\"balance\":10}");
    }
  else
    reply (message, 404, "text/plain", "no such method");
}

/* --- The relay in front of Server-A ---------------------------------------------
 *
 * A threaded socket service that copies bytes both ways between each
 * connection and Server-A. Closing its listener refuses new connections
 * while those open go on, as a host that stops accepting does.
 */

typedef struct {
  GSocketService *service;
  guint           port;       /* its own, kept to listen again */
  guint           target;     /* Server-A's */
} Relay;

static void
splice_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  gboolean *done = user_data;

  g_io_stream_splice_finish (result, NULL);
  *done = TRUE;
}

/* In a thread of the relay's, for as long as the connection lasts. */
static gboolean
relay_run_cb (GThreadedSocketService *service,
              GSocketConnection      *connection,
              GObject                *source_object,
              gpointer                user_data)
{
  guint target = GPOINTER_TO_UINT (user_data);
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) upstream = NULL;
  gboolean done = FALSE;

  g_main_context_push_thread_default (context);
  upstream = g_socket_client_connect_to_host (client, "127.0.0.1", target, NULL, NULL);
  if (upstream != NULL)
    {
      g_io_stream_splice_async (G_IO_STREAM (connection), G_IO_STREAM (upstream),
                                G_IO_STREAM_SPLICE_CLOSE_STREAM1 |
                                G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                                G_PRIORITY_DEFAULT, NULL, splice_done_cb, &done);
      while (!done)
        g_main_context_iteration (context, TRUE);
    }
  g_main_context_pop_thread_default (context);
  return TRUE;
}

static void
relay_listen (Relay *relay)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, relay->port);
  g_autoptr(GSocketAddress) bound = NULL;

  relay->service = g_threaded_socket_service_new (-1);
  g_signal_connect (relay->service, "run", G_CALLBACK (relay_run_cb),
                    GUINT_TO_POINTER (relay->target));
  g_socket_listener_add_address (G_SOCKET_LISTENER (relay->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  relay->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_service_start (relay->service);
}

/* New connections are refused from now on; the open ones go on. */
static void
relay_refuse (Relay *relay)
{
  g_socket_service_stop (relay->service);
  g_socket_listener_close (G_SOCKET_LISTENER (relay->service));
  /* its threads hold it while their connections last */
  g_clear_object (&relay->service);
}

/* --- The runs ------------------------------------------------------------------ */

typedef struct {
  Service   service;
  Endpoint  endpoints[2];
  Relay     relay;
  char     *urls[3];
  CsClient *client;
  gint64    switched_at;   /* monotonic µs of the last notify::active-endpoint */
  guint     notified;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_mutex_init (&f->service.lock);
  f->service.polls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->service.urls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = A; i <= B; i++)
    {
      f->endpoints[i].service = &f->service;
      f->endpoints[i].index = i;
      f->endpoints[i].thread = _cs_server_thread_start (0, NULL, endpoint_handle,
                                                        &f->endpoints[i], &error);
      g_assert_no_error (error);
    }
  f->relay.target = _cs_server_thread_get_port (f->endpoints[A].thread);
  relay_listen (&f->relay);
  f->urls[A] = g_strdup_printf ("http://127.0.0.1:%u", f->relay.port);
  f->urls[B] = g_strdup_printf ("http://127.0.0.1:%u",
                                _cs_server_thread_get_port (f->endpoints[B].thread));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->client);
  if (f->relay.service != NULL)
    relay_refuse (&f->relay);
  for (guint i = A; i <= B; i++)
    _cs_server_thread_stop (f->endpoints[i].thread);
  g_free (f->urls[A]);
  g_free (f->urls[B]);
  g_hash_table_unref (f->service.polls);
  g_hash_table_unref (f->service.urls);
  g_mutex_clear (&f->service.lock);
}

static void
active_endpoint_cb (CsClient   *client,
                    GParamSpec *pspec,
                    Fixture    *f)
{
  f->switched_at = g_get_monotonic_time ();
  f->notified++;
}

static CsClient *
new_client (Fixture *f)
{
  CsClient *client = g_object_new (CS_TYPE_CLIENT,
                                   "api-key", MOCK_API_KEY,
                                   "base-urls", f->urls,
                                   "first-poll-delay", 10,
                                   "poll-interval", 10,
                                   NULL);

  /* the probe's first wait, shortened (5 s by default) */
  client->probe_first_wait = 200;
  g_signal_connect (client, "notify::active-endpoint", G_CALLBACK (active_endpoint_cb), f);
  return client;
}

static gboolean
active_is (CsClient   *client,
           const char *url)
{
  g_autofree char *active = cs_client_dup_active_endpoint (client);

  return g_strcmp0 (active, url) == 0;
}

typedef struct {
  guint total;
  guint finished;
  guint failed;
} Run;

static void
solve_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsSolution) solution = cs_client_solve_finish (CS_CLIENT (source), result, &error);

  if (solution == NULL)
    {
      g_test_message ("a solve failed: %s", error->message);
      run->failed++;
    }
  run->finished++;
}

static void
iterate_until (gboolean (*done) (gpointer),
               gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      if (!done (data))
        g_usleep (500);
    }
}

static gboolean
run_done (gpointer data)
{
  Run *run = data;

  return run->finished == run->total;
}

typedef struct {
  Fixture    *f;
  const char *url;
} WaitActive;

static gboolean
active_reached (gpointer data)
{
  WaitActive *wait = data;

  return active_is (wait->f->client, wait->url);
}

/* Solves @n tasks at once; the run ends when all did. */
static void
solve_many (Fixture *f,
            guint    first,
            guint    n,
            Run     *run)
{
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);

  run->total = n;
  for (guint i = 0; i < n; i++)
    {
      CsTask *task = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");
      g_autofree char *page = g_strdup_printf ("https://example.com/%u", first + i);

      cs_task_set_string (task, "websiteURL", page);
      g_ptr_array_add (tasks, task);
      cs_client_solve_async (f->client, task, NULL, solve_cb, run);
    }
  iterate_until (run_done, run);
}

static guint
n_solves (void)
{
  return g_getenv ("CS_TEST_TIME_FACTOR") != NULL ? N_SOLVES_SLOW : N_SOLVES;
}

/* Every task created once, counted on both endpoints. */
static void
assert_created_once (Fixture *f,
                     guint    tasks)
{
  GHashTableIter iter;
  gpointer count;

  g_assert_cmpuint (f->service.creates[A] + f->service.creates[B], ==, tasks);
  g_assert_cmpuint (g_hash_table_size (f->service.urls), ==, tasks);
  g_hash_table_iter_init (&iter, f->service.urls);
  while (g_hash_table_iter_next (&iter, NULL, &count))
    g_assert_cmpuint (GPOINTER_TO_UINT (count), ==, 1);
}

/* A fault of Server-A in the middle of the run: every solve completes,
 * none creates its task twice, and the client moves to Server-B, then
 * comes back once Server-A answers again. */
static void
run_fault (Fixture *f,
           Mode     mode,
           gboolean refuse)
{
  guint total = n_solves ();
  Run run = { 0, };
  Run again = { 0, };
  WaitActive back = { f, f->urls[A] };
  g_autoptr(CsUsage) usage = NULL;
  gint64 healed_at;
  guint creates_a;

  f->client = new_client (f);
  f->service.fault_after = total / 3;
  f->service.mode = mode;
  if (refuse)
    {
      /* the relay stops accepting once the fault is on: the main loop
       * looks for it between iterations */
      Run *r = &run;
      gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
      g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);

      r->total = total;
      for (guint i = 0; i < total; i++)
        {
          CsTask *task = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");
          g_autofree char *page = g_strdup_printf ("https://example.com/%u", i);

          cs_task_set_string (task, "websiteURL", page);
          g_ptr_array_add (tasks, task);
          cs_client_solve_async (f->client, task, NULL, solve_cb, r);
        }
      while (!run_done (r))
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          if (f->relay.service != NULL && g_atomic_int_get (&f->service.fault_on))
            relay_refuse (&f->relay);
          g_main_context_iteration (NULL, FALSE);
          g_usleep (200);
        }
    }
  else
    solve_many (f, 0, total, &run);

  g_test_message ("%s: %u tasks, %u failed; createTask %u on A, %u on B; requests %u on A, "
                  "%u on B; switched to B %.3f s after the fault began",
                  refuse ? "refused connections" : mode == MODE_503_HTML ? "503 HTML page"
                  : "503 JSON", total, run.failed, f->service.creates[A], f->service.creates[B],
                  f->service.requests[A], f->service.requests[B],
                  f->notified > 0 ? (f->switched_at - f->service.fault_at) / 1e6 : -1.0);
  g_assert_cmpuint (run.failed, ==, 0);
  assert_created_once (f, total);
  g_assert_true (active_is (f->client, f->urls[B]));
  g_assert_cmpuint (f->service.creates[B], >, 0);

  /* Server-A heals: the probe brings the client back */
  g_mutex_lock (&f->service.lock);
  g_atomic_int_set (&f->service.fault_on, FALSE);
  g_mutex_unlock (&f->service.lock);
  if (refuse)
    relay_listen (&f->relay);
  healed_at = g_get_monotonic_time ();
  iterate_until (active_reached, &back);
  g_test_message ("back on A %.3f s after it healed (%u getBalance probes on A)",
                  (g_get_monotonic_time () - healed_at) / 1e6, f->service.balances[A]);
  g_assert_cmpuint (f->service.balances[A], >, 0);

  /* and new tasks go to Server-A again */
  creates_a = f->service.creates[A];
  solve_many (f, total, 10, &again);
  g_assert_cmpuint (again.failed, ==, 0);
  g_assert_cmpuint (f->service.creates[A], ==, creates_a + 10);
  assert_created_once (f, total + 10);

  usage = cs_client_get_usage (f->client);
  g_test_message ("endpoint switches: %" G_GUINT64_FORMAT,
                  cs_usage_get_endpoint_switches (usage));
  g_assert_cmpuint (cs_usage_get_endpoint_switches (usage), >=, 2);
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  run_fault (f, MODE_OK, TRUE);
}

static void
test_503_json (Fixture       *f,
               gconstpointer  data)
{
  run_fault (f, MODE_503_JSON, FALSE);
}

static void
test_503_html (Fixture       *f,
               gconstpointer  data)
{
  run_fault (f, MODE_503_HTML, FALSE);
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(CsSolution) solution = cs_client_solve_finish (CS_CLIENT (source), result, error);

  g_assert_null (solution);
}

/* Server-A takes the createTask body and never answers, or closes the
 * connection: the outcome is unknown, the task fails with the error that
 * says so, and Server-B receives no createTask, though the client moved
 * to it. */
static void
run_unknown_outcome (Fixture *f,
                     Mode     mode)
{
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  gint64 started;

  f->client = new_client (f);
  cs_client_set_request_timeout (f->client, 2000);
  f->service.mode = mode;
  g_atomic_int_set (&f->service.fault_on, TRUE);
  started = g_get_monotonic_time ();
  cs_client_solve_async (f->client, task, NULL, store_cb, &error);
  while (error == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_test_message ("%s: %s after %.3f s; createTask received %u on A (unanswered), %u on B; "
                  "client on B: %s", mode == MODE_HANG ? "no answer"
                                     : mode == MODE_DROP ? "closed after the body"
                                     : "a gateway's page",
                  error->message, (g_get_monotonic_time () - started) / 1e6, f->service.hung,
                  f->service.creates[B], active_is (f->client, f->urls[B]) ? "yes" : "no");
  if (mode != MODE_DROP)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  else
    g_assert_true (error->domain == G_IO_ERROR && error->code != G_IO_ERROR_TIMED_OUT &&
                   error->code != G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "may have been carried out"));
  g_assert_cmpuint (f->service.hung, ==, 1);
  g_assert_cmpuint (f->service.creates[B], ==, 0);
  g_assert_cmpuint (f->service.requests[B], ==, 0);
  g_assert_null (cs_task_get_task_id (task));
  g_assert_true (active_is (f->client, f->urls[B]));
}

static void
test_no_answer (Fixture       *f,
                gconstpointer  data)
{
  run_unknown_outcome (f, MODE_HANG);
}

static void
test_closed_after_body (Fixture       *f,
                        gconstpointer  data)
{
  run_unknown_outcome (f, MODE_DROP);
}

/* A gateway's 502 or 504, or a proxy's error page, once the createTask
 * body was sent: the service may have the task, as when no answer came. */
static void
test_502_after_body (Fixture       *f,
                     gconstpointer  data)
{
  run_unknown_outcome (f, MODE_502);
}

static void
test_504_after_body (Fixture       *f,
                     gconstpointer  data)
{
  run_unknown_outcome (f, MODE_504);
}

static void
test_page_after_body (Fixture       *f,
                      gconstpointer  data)
{
  run_unknown_outcome (f, MODE_PAGE);
}

static void
solved_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CsSolution **solution = user_data;
  g_autoptr(GError) error = NULL;

  *solution = cs_client_solve_finish (CS_CLIENT (source), result, &error);
  g_assert_no_error (error);
}

/* Server-A's address takes no connection (its listen queue is full, as a
 * host that drops packets): nothing of the createTask is written before
 * the request timeout, so the service cannot have it, and the solve goes
 * on at Server-B, which creates the one task. */
static void
test_connect_never_completes (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GSocket) full = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GPtrArray) fillers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");
  g_autoptr(CsSolution) solution = NULL;
  g_autofree char *blackhole = NULL;
  const char *urls[3] = { NULL, NULL, NULL };
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  full = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (full, any, TRUE, &error));
  g_socket_set_listen_backlog (full, 0);
  g_assert_true (g_socket_listen (full, &error));
  bound = g_socket_get_local_address (full, &error);
  g_assert_no_error (error);
  /* fills the queue that is never accepted from */
  for (guint i = 0; i < 4; i++)
    {
      GSocket *filler = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL);

      g_socket_set_blocking (filler, FALSE);
      g_socket_connect (filler, bound, NULL, NULL);
      g_ptr_array_add (fillers, filler);
    }
  blackhole = g_strdup_printf ("http://127.0.0.1:%u",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  urls[0] = blackhole;
  urls[1] = f->urls[B];
  f->client = g_object_new (CS_TYPE_CLIENT, "api-key", MOCK_API_KEY, "base-urls", urls,
                            "first-poll-delay", 10, "poll-interval", 10,
                            "request-timeout", 1000, NULL);
  cs_client_solve_async (f->client, task, NULL, solved_cb, &solution);
  while (solution == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_test_message ("connect never completes on A: solved on B; createTask %u on A, %u on B",
                  f->service.creates[A], f->service.creates[B]);
  g_assert_cmpuint (f->service.creates[A], ==, 0);
  g_assert_cmpuint (f->service.creates[B], ==, 1);
  g_assert_true (active_is (f->client, f->urls[B]));
}

/* Server-A creates the task and answers 503 with its id: the task exists,
 * so its id is kept and polled where it was created, and nothing goes to
 * Server-B. */
static void
test_503_names_task (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");
  g_autoptr(CsSolution) solution = NULL;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  f->client = new_client (f);
  f->service.mode = MODE_503_TASK;
  g_atomic_int_set (&f->service.fault_on, TRUE);
  cs_client_solve_async (f->client, task, NULL, solved_cb, &solution);
  while (solution == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpstr (cs_solution_get_token (solution), ==, "tok");
  g_assert_cmpstr (cs_task_get_task_id (task), ==, "t-0");
  g_assert_cmpuint (g_hash_table_size (f->service.polls), ==, 1);
  g_assert_cmpuint (f->service.creates[B], ==, 0);
  g_assert_cmpuint (f->service.requests[B], ==, 0);
  g_assert_true (active_is (f->client, f->urls[A]));
}

/* A 503 whose body names a task by an id the client cannot read exactly
 * still names a task: the createTask does not go to Server-B. */
static void
test_503_unreadable_task (void)
{
  g_autoptr(MockServer) first = mock_server_new ();
  g_autoptr(MockServer) second = mock_server_new ();
  const char *urls[] = { mock_server_get_url (first), mock_server_get_url (second), NULL };
  g_autoptr(CsClient) client = NULL;
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(GAsyncResult) done = NULL;

  client = g_object_new (CS_TYPE_CLIENT, "api-key", MOCK_API_KEY, "base-urls", urls,
                         "provider", CS_PROVIDER_ANTI_CAPTCHA, NULL);
  mock_server_add_reply (first, "createTask", 503,
                         "{\"errorId\":0,\"taskId\":99999999999999999999}");
  mock_server_add_reply (second, "createTask", 200, "{\"errorId\":0,\"taskId\":7}");
  cs_client_create_task_async (client, task, NULL, mock_store_result, &result);
  done = mock_wait_result (&result);
  g_assert_false (cs_client_create_task_finish (client, done, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "99999999999999999999"));
  g_assert_null (cs_task_get_task_id (task));
  g_assert_cmpuint (mock_server_count_requests (second, "createTask"), ==, 0);
}

/* A balance read moves on its own when the first endpoint refuses, and
 * the endpoints share the key's account: the first endpoint's. */
static void
test_balance_and_account (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CsClient) alone = NULL;
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(CsUsage) usage = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  Run run = { 0, };

  f->client = new_client (f);
  relay_refuse (&f->relay);
  cs_client_get_balance_async (f->client, NULL, mock_store_result, &result);
  g_clear_object (&done);
  done = mock_wait_result (&result);
  balance = cs_client_get_balance_finish (f->client, done, &error);
  g_assert_no_error (error);
  g_assert_nonnull (balance);
  g_assert_cmpuint (f->service.balances[B], ==, 1);
  g_assert_true (active_is (f->client, f->urls[B]));

  /* a client of the first endpoint alone has the same account */
  alone = cs_client_new (MOCK_API_KEY);
  cs_client_set_base_url (alone, f->urls[A]);
  solve_many (f, 0, 3, &run);
  g_assert_cmpuint (run.failed, ==, 0);
  g_assert_cmpuint (f->service.creates[B], ==, 3);
  usage = cs_client_get_account_usage (alone);
  g_assert_cmpuint (cs_usage_get_created (usage), ==, 3);
}

/* An entry of base-urls requests may not go to (not a URL, another
 * scheme, a query, http to another machine) is left out, and why is
 * logged at the first request: the others still work. One that
 * allow-insecure-http makes usable comes back when it is set. When none
 * is usable, every call fails with the first one's reason. */
static void
test_unusable_entries (Fixture       *f,
                       gconstpointer  data)
{
  const char *urls[] = { "not a url", f->urls[A], "ftp://example.com", "http://192.0.2.2:9",
                         "https://example.com/?q=1", f->urls[A], f->urls[B], NULL };
  const char * const none[] = { "ftp://example.com", "", NULL };
  const char * const *kept;
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *active = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(GAsyncResult) done = NULL;

  f->client = new_client (f);
  cs_client_set_base_urls (f->client, urls);
  kept = cs_client_get_base_urls (f->client);
  g_assert_cmpuint (g_strv_length ((GStrv) kept), ==, 2);
  g_assert_cmpstr (kept[0], ==, f->urls[A]);
  g_assert_cmpstr (kept[1], ==, f->urls[B]);
  g_assert_cmpstr (cs_client_get_base_url (f->client), ==, f->urls[A]);
  active = cs_client_dup_active_endpoint (f->client);
  g_assert_cmpstr (active, ==, f->urls[A]);

  g_test_expect_message ("CapSolver", G_LOG_LEVEL_MESSAGE,
                         "endpoint 1 of base-urls left out: *“not a url” is not a URL");
  g_test_expect_message ("CapSolver", G_LOG_LEVEL_MESSAGE,
                         "endpoint 3 of base-urls left out: *“ftp://example.com” is not an "
                         "http or https URL");
  g_test_expect_message ("CapSolver", G_LOG_LEVEL_MESSAGE,
                         "endpoint 4 of base-urls left out: *“http://192.0.2.2:9” would send "
                         "the API key in clear text*");
  g_test_expect_message ("CapSolver", G_LOG_LEVEL_MESSAGE,
                         "endpoint 5 of base-urls left out: *has a query or a fragment");
  /* asynchronous: the relay in front of Server-A accepts on this context */
  cs_client_get_balance_async (f->client, NULL, mock_store_result, &result);
  g_clear_object (&done);
  done = mock_wait_result (&result);
  balance = cs_client_get_balance_finish (f->client, done, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_nonnull (balance);
  g_assert_cmpuint (f->service.balances[A], ==, 1);
  /* logged once: a second request logs nothing */
  g_clear_object (&balance);
  cs_client_set_balance_cache_time (f->client, 0);
  cs_client_get_balance_async (f->client, NULL, mock_store_result, &result);
  g_clear_object (&done);
  done = mock_wait_result (&result);
  balance = cs_client_get_balance_finish (f->client, done, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->service.balances[A], ==, 2);

  /* allowed now: the plain-http entry is an endpoint again */
  cs_client_set_allow_insecure_http (f->client, TRUE);
  kept = cs_client_get_base_urls (f->client);
  g_assert_cmpuint (g_strv_length ((GStrv) kept), ==, 3);
  g_assert_cmpstr (kept[1], ==, "http://192.0.2.2:9");

  /* none usable: the calls fail with the first one's reason */
  cs_client_set_base_urls (f->client, none);
  g_clear_object (&balance);
  cs_client_get_balance_async (f->client, NULL, mock_store_result, &result);
  g_clear_object (&done);
  done = mock_wait_result (&result);
  balance = cs_client_get_balance_finish (f->client, done, &error);
  g_assert_null (balance);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“ftp://example.com” is not an http or https URL"));
}

/* The properties: base-url is the first of base-urls, the default list
 * is CapSolver's two servers, and the account is the first endpoint's. */
static void
test_properties (void)
{
  g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
  const char * const two[] = { "http://127.0.0.1:1/", "http://127.0.0.1:2", NULL };
  const char * const *urls = cs_client_get_base_urls (client);
  g_autofree char *active = cs_client_dup_active_endpoint (client);
  g_autoptr(CsClient) built = NULL;

  g_assert_cmpuint (g_strv_length ((GStrv) urls), ==, 2);
  g_assert_cmpstr (urls[0], ==, "https://api.capsolver.com");
  g_assert_cmpstr (urls[1], ==, "https://api-stable.capsolver.com");
  g_assert_cmpstr (cs_client_get_base_url (client), ==, CS_DEFAULT_BASE_URL);
  g_assert_cmpstr (active, ==, "https://api.capsolver.com");

  cs_client_set_base_urls (client, two);
  g_assert_cmpstr (cs_client_get_base_url (client), ==, "http://127.0.0.1:1");
  g_assert_cmpstr (cs_client_get_base_urls (client)[1], ==, "http://127.0.0.1:2");

  cs_client_set_base_url (client, "http://127.0.0.1:3");
  g_assert_cmpuint (g_strv_length ((GStrv) cs_client_get_base_urls (client)), ==, 1);
  g_assert_cmpstr (cs_client_get_base_urls (client)[0], ==, "http://127.0.0.1:3");

  /* the provider's hosts unless set; "compatible" has none */
  {
    g_autoptr(CsClient) twocaptcha = g_object_new (CS_TYPE_CLIENT, "provider",
                                                   CS_PROVIDER_TWOCAPTCHA, NULL);
    g_autoptr(CsClient) compatible = g_object_new (CS_TYPE_CLIENT, "provider",
                                                   CS_PROVIDER_COMPATIBLE, NULL);
    g_autofree char *none = cs_client_dup_active_endpoint (compatible);

    /* api.rucaptcha.com serves other accounts: no endpoint to move to */
    g_assert_cmpuint (g_strv_length ((GStrv) cs_client_get_base_urls (twocaptcha)), ==, 1);
    g_assert_cmpstr (cs_client_get_base_urls (twocaptcha)[0], ==,
                     cs_provider_get_base_urls (CS_PROVIDER_TWOCAPTCHA)[0]);
    g_assert_cmpuint (g_strv_length ((GStrv) cs_client_get_base_urls (compatible)), ==, 0);
    g_assert_null (cs_client_get_base_url (compatible));
    g_assert_null (none);
    cs_client_set_base_url (client, NULL);
    g_assert_cmpuint (g_strv_length ((GStrv) cs_client_get_base_urls (client)), ==, 2);
  }

  /* a list given at construction wins over base-url's default */
  built = g_object_new (CS_TYPE_CLIENT, "api-key", MOCK_API_KEY, "base-urls", two, NULL);
  g_assert_cmpstr (cs_client_get_base_url (built), ==, "http://127.0.0.1:1");
  g_assert_cmpuint (g_strv_length ((GStrv) cs_client_get_base_urls (built)), ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/failover/properties", test_properties);
  g_test_add_func ("/failover/503-unreadable-task", test_503_unreadable_task);
  g_test_add ("/failover/refused", Fixture, NULL, fixture_setup, test_refused,
              fixture_teardown);
  g_test_add ("/failover/503-json", Fixture, NULL, fixture_setup, test_503_json,
              fixture_teardown);
  g_test_add ("/failover/503-html", Fixture, NULL, fixture_setup, test_503_html,
              fixture_teardown);
  g_test_add ("/failover/no-answer", Fixture, NULL, fixture_setup, test_no_answer,
              fixture_teardown);
  g_test_add ("/failover/balance-and-account", Fixture, NULL, fixture_setup,
              test_balance_and_account, fixture_teardown);
  g_test_add ("/failover/closed-after-body", Fixture, NULL, fixture_setup,
              test_closed_after_body, fixture_teardown);
  g_test_add ("/failover/502-after-body", Fixture, NULL, fixture_setup, test_502_after_body,
              fixture_teardown);
  g_test_add ("/failover/504-after-body", Fixture, NULL, fixture_setup, test_504_after_body,
              fixture_teardown);
  g_test_add ("/failover/error-page-after-body", Fixture, NULL, fixture_setup,
              test_page_after_body, fixture_teardown);
  g_test_add ("/failover/503-names-task", Fixture, NULL, fixture_setup, test_503_names_task,
              fixture_teardown);
  g_test_add ("/failover/unusable-entries", Fixture, NULL, fixture_setup,
              test_unusable_entries, fixture_teardown);
  g_test_add ("/failover/connect-never-completes", Fixture, NULL, fixture_setup,
              test_connect_never_completes, fixture_teardown);

  return g_test_run ();
}
