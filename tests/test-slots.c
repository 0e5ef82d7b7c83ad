/* test-slots.c: what a client asks of the service's slots, and spends
 *
 * No-slot answers slow down every create of the client by one shared
 * back-off; solves send their refused creates again in turn. A cap on
 * the tasks in flight holds solves back until others end. What was
 * spent adds up.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "mock-server.h"

#define TASK_ID      "61138bb6-19fb-11ec-a9c8-0242ac110006"
#define REPLY_ID     "{\"errorId\":0,\"taskId\":\"" TASK_ID "\",\"status\":\"idle\"}"
#define REPLY_READY  "{\"errorId\":0,\"taskId\":\"" TASK_ID "\",\"status\":\"ready\"," \
                     "\"solution\":{\"gRecaptchaResponse\":\"03AGdB-token\"}}"
#define REPLY_NO_SLOT "{\"errorId\":1,\"errorCode\":\"ERROR_SERVICE_UNAVALIABLE\"," \
                      "\"errorDescription\":\"service is temporarily unavailable\"}"
/* the client's first wait after a no-slot answer, in ms */
#define BACKOFF_MS 40

static CsTask *
new_token_task (void)
{
  CsTask *task = cs_task_new ("ReCaptchaV2TaskProxyLess");

  cs_task_set_string (task, "websiteURL", "https://example.com/login");
  cs_task_set_string (task, "websiteKey", "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-");
  return task;
}

/* A client of @base_url with @max_connections, polling every 5 ms. */
static CsClient *
new_client (const char *base_url,
            const char *api_key,
            guint       max_connections)
{
  CsClient *client = g_object_new (CS_TYPE_CLIENT,
                                   "api-key", api_key,
                                   "base-url", base_url,
                                   "max-connections", max_connections,
                                   "adaptive-polling", FALSE,
                                   "first-poll-delay", 5,
                                   "poll-interval", 5,
                                   NULL);

  client->outage_backoff = BACKOFF_MS;
  return client;
}

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* Solves of one batch, and how they ended. */
typedef struct {
  guint   pending;
  guint   solved;
  GError *first_error;
} Batch;

static void
batch_solved_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Batch *batch = user_data;
  g_autoptr(CsSolution) solution = NULL;
  GError *error = NULL;

  solution = cs_client_solve_finish (CS_CLIENT (source), result, &error);
  if (solution != NULL)
    batch->solved++;
  else if (batch->first_error == NULL)
    batch->first_error = error;
  else
    g_error_free (error);
  batch->pending--;
}

/* Solves @n tasks at once and waits for all of them. */
static void
solve_batch (CsClient *client,
             guint     n,
             Batch    *batch)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsTask) task = new_token_task ();

      batch->pending++;
      cs_client_solve_async (client, task, NULL, batch_solved_cb, batch);
    }
  while (batch->pending > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* 200 solves meet 8 no-slot answers: all are solved, each refused create
 * sent again once, and the creates after the first answers leave one by
 * one, at least half the back-off apart, not all at once. */
static void
test_no_slot_paces_creates (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = new_client (mock_server_get_url (server), MOCK_API_KEY, 4);
  Batch batch = { 0, };
  guint refusals = 8;
  gint64 start;

  for (guint i = 0; i < refusals; i++)
    mock_server_add_reply (server, "createTask", 200, REPLY_NO_SLOT);
  mock_server_set_fallback (server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (server, "getTaskResult", 200, REPLY_READY);

  start = now_ms ();
  solve_batch (client, 200, &batch);

  g_assert_no_error (batch.first_error);
  g_assert_cmpuint (batch.solved, ==, 200);
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 200 + refusals);
  /* at most max-connections (4) refusals came back together; each of the
   * others waited its turn, at least BACKOFF_MS / 2 after the last */
  g_assert_cmpint (now_ms () - start, >=, (refusals - 4) * BACKOFF_MS / 2);
}

/* A create of the plain call is not sent again: the caller has the
 * refusal, and nothing was created. */
static void
test_no_slot_create_task_returns (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = new_client (mock_server_get_url (server), MOCK_API_KEY, 4);
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;

  mock_server_add_reply (server, "createTask", 200, REPLY_NO_SLOT);
  mock_server_set_fallback (server, "createTask", 200, REPLY_ID);

  g_assert_false (cs_client_create_task (client, task, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_SERVICE_UNAVAILABLE);
  g_assert_null (cs_task_get_task_id (task));
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 1);

  /* the task may be created again, at the client's pace */
  g_clear_error (&error);
  g_assert_true (cs_client_create_task (client, task, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);
}

/* A blocking solve waits for its turns too: three refusals, then the
 * task; its creates are at least the waits of levels 1 and 2 apart. */
static void
test_no_slot_blocking (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = new_client (mock_server_get_url (server), MOCK_API_KEY, 4);
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  for (guint i = 0; i < 3; i++)
    mock_server_add_reply (server, "createTask", 200, REPLY_NO_SLOT);
  mock_server_set_fallback (server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (server, "getTaskResult", 200, REPLY_READY);

  start = now_ms ();
  solution = cs_client_solve (client, task, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (solution);
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 4);
  g_assert_cmpint (now_ms () - start, >=, BACKOFF_MS / 2 + BACKOFF_MS + 2 * BACKOFF_MS);
}

static gpointer
blocking_create_thread (gpointer user_data)
{
  CsClient *client = user_data;
  g_autoptr(CsTask) task = new_token_task ();
  GError *error = NULL;

  g_assert_false (cs_client_create_task (client, task, NULL, &error));
  return error;
}

/* A blocking createTask waiting for its turn after a no-slot answer is
 * not sent when a pause came meanwhile: it ends, saying it was not sent. */
static void
test_no_slot_blocking_paused (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = new_client (mock_server_get_url (server), MOCK_API_KEY, 4);
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) refused = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;

  mock_server_add_reply (server, "createTask", 200, REPLY_NO_SLOT);
  mock_server_set_fallback (server, "createTask", 200, REPLY_ID);
  /* the refusal sets the pace: the next create waits about BACKOFF_MS */
  g_assert_false (cs_client_create_task (client, task, NULL, &refused));
  g_assert_error (refused, CS_ERROR, CS_ERROR_SERVICE_UNAVAILABLE);
  thread = g_thread_new ("blocking-create", blocking_create_thread, client);
  g_usleep (BACKOFF_MS * 1000 / 4);
  cs_client_pause (client, 60);
  error = g_thread_join (thread);
  g_assert_error (error, CS_ERROR, CS_ERROR_RATE_LIMIT);
  g_assert_nonnull (strstr (error->message, "nothing was sent"));
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 1);
  cs_client_resume (client);
}

static gboolean
count_creates_cb (gpointer user_data)
{
  gpointer *data = user_data;

  *(guint *) data[1] = mock_server_count_requests (data[0], "createTask");
  return G_SOURCE_REMOVE;
}

/* Once the wait is over, creates leave one at a time, then more with each
 * task created: not all at once at the service that just had no slot. */
static void
test_no_slot_window (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = new_client (mock_server_get_url (server), MOCK_API_KEY, 16);
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  Batch batch = { 0, };
  guint seen = G_MAXUINT;
  gpointer data[2] = { server, &seen };

  mock_server_add_reply (server, "createTask", 200, REPLY_NO_SLOT);
  mock_server_add_reply (server, "createTask", 200, REPLY_ID);
  mock_server_add_delayed_reply (server, "createTask", 400, 200, REPLY_ID);
  mock_server_set_fallback (server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (server, "getTaskResult", 200, REPLY_READY);

  /* refused, then created: the wait is over */
  solution = cs_client_solve (client, task, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 2);

  /* 50 at once: while the first is held 400 ms, no other leaves */
  g_timeout_add (200, count_creates_cb, data);
  solve_batch (client, 50, &batch);
  g_assert_no_error (batch.first_error);
  g_assert_cmpuint (batch.solved, ==, 50);
  g_assert_cmpuint (seen, <=, 3);
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 52);
}

/* A solve past its deadline while it waits for its turn ends with
 * CS_ERROR_TIMEOUT, having created nothing. */
static void
test_no_slot_deadline (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = new_client (mock_server_get_url (server), MOCK_API_KEY, 4);
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;

  mock_server_set_fallback (server, "createTask", 200, REPLY_NO_SLOT);
  cs_client_set_deadline (client, 300);
  g_assert_null (cs_client_solve (client, task, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "ERROR_SERVICE_UNAVALIABLE"));
  g_assert_nonnull (strstr (error->message, "no task was created"));
  g_assert_null (cs_task_get_task_id (task));
  /* 40, 80, 160 ms less jitter: at most 6 in 300 ms, not thousands */
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), <=, 8);
}

/* Against the sandbox with two workers and one waiting place: the
 * creates past them are refused until tasks are done, then all solve. */
static void
test_no_slot_sandbox (void)
{
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  g_autoptr(CsClient) client = NULL;
  g_autoptr(GError) error = NULL;
  Batch batch = { 0, };
  guint creates;

  cs_sandbox_add_key (sandbox, MOCK_API_KEY, 100.0);
  cs_sandbox_set_time_scale (sandbox, 0.005);
  cs_sandbox_set_workers (sandbox, 2);
  cs_sandbox_set_queue_limit (sandbox, 1);
  g_assert_true (cs_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  client = new_client (cs_sandbox_get_base_url (sandbox), MOCK_API_KEY, 16);

  solve_batch (client, 30, &batch);
  g_assert_no_error (batch.first_error);
  g_assert_cmpuint (batch.solved, ==, 30);
  creates = cs_sandbox_get_request_count (sandbox, "createTask");
  g_test_message ("30 solves, 3 places: %u createTask requests", creates);
  /* how many were refused depends on the pace of both sides: the mock
   * server's tests above count the refusals exactly */
  g_assert_cmpuint (creates, >=, 30);
}

/* --- max-tasks-in-flight --------------------------------------------------- */

static CsSandbox *
new_sandbox (void)
{
  CsSandbox *sandbox = cs_sandbox_new ();
  g_autoptr(GError) error = NULL;

  cs_sandbox_add_key (sandbox, MOCK_API_KEY, 100.0);
  g_assert_true (cs_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  return sandbox;
}

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  /* at one time, an end (negative) before a start */
  if (fabs (x) != fabs (y))
    return fabs (x) < fabs (y) ? -1 : 1;
  return x < y ? -1 : x > y;
}

/* The most tasks the sandbox had open at once: created, and not yet
 * fetched ready or failed. */
static guint
max_open_tasks (CsSandbox *sandbox)
{
  g_autoptr(JsonNode) timings = cs_sandbox_get_timings (sandbox);
  JsonArray *tasks = json_object_get_array_member (json_node_get_object (timings), "tasks");
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (double));
  guint open = 0;
  guint most = 0;

  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonObject *task = json_array_get_object_element (tasks, i);
      /* the sandbox's clock starts above 0: a time is never -0 */
      double created = json_object_get_double_member (task, "createdMs") + 1;
      double fetched = -(json_object_get_double_member (task, "fetchedMs") + 1);

      g_assert_false (json_object_get_null_member (task, "fetchedMs"));
      g_array_append_val (events, created);
      g_array_append_val (events, fetched);
    }
  g_array_sort (events, compare_events);
  for (guint i = 0; i < events->len; i++)
    {
      if (g_array_index (events, double, i) > 0)
        open++;
      else
        open--;
      most = MAX (most, open);
    }
  return most;
}

/* 200 solves, 5 tasks at a time: the sandbox never has more than 5 open,
 * and all are solved. */
static void
test_cap_tasks_in_flight (void)
{
  g_autoptr(CsSandbox) sandbox = new_sandbox ();
  g_autoptr(CsClient) client = new_client (cs_sandbox_get_base_url (sandbox), MOCK_API_KEY, 16);
  Batch batch = { 0, };
  guint most;

  cs_client_set_max_tasks_in_flight (client, 5);
  solve_batch (client, 200, &batch);
  g_assert_no_error (batch.first_error);
  g_assert_cmpuint (batch.solved, ==, 200);
  g_assert_cmpuint (cs_sandbox_get_request_count (sandbox, "createTask"), ==, 200);
  most = max_open_tasks (sandbox);
  g_test_message ("at most %u tasks open at once", most);
  g_assert_cmpuint (most, <=, 5);
  g_assert_cmpuint (most, >=, 1);
}

/* Two clients of one key, each capped at 5, 100 solves each at once: the
 * cap counts the key's tasks, so the sandbox never has more than 5 open;
 * a client of another key is not held back by them. */
static void
test_cap_per_key (void)
{
  g_autoptr(CsSandbox) sandbox = new_sandbox ();
  const char *url = cs_sandbox_get_base_url (sandbox);
  g_autoptr(CsClient) first = new_client (url, MOCK_API_KEY, 16);
  g_autoptr(CsClient) second = new_client (url, MOCK_API_KEY, 16);
  Batch batch = { 0, };
  guint most;

  cs_client_set_max_tasks_in_flight (first, 5);
  cs_client_set_max_tasks_in_flight (second, 5);
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(CsTask) one = new_token_task ();
      g_autoptr(CsTask) other = new_token_task ();

      batch.pending += 2;
      cs_client_solve_async (first, one, NULL, batch_solved_cb, &batch);
      cs_client_solve_async (second, other, NULL, batch_solved_cb, &batch);
    }
  while (batch.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (batch.first_error);
  g_assert_cmpuint (batch.solved, ==, 200);
  most = max_open_tasks (sandbox);
  g_test_message ("two clients of one key: at most %u tasks open at once", most);
  g_assert_cmpuint (most, <=, 5);
  g_assert_cmpuint (most, >=, 1);
}

/* The same without a cap: many open at once, so that the count above can
 * fail. */
static void
test_cap_none (void)
{
  g_autoptr(CsSandbox) sandbox = new_sandbox ();
  g_autoptr(CsClient) client = new_client (cs_sandbox_get_base_url (sandbox), MOCK_API_KEY, 16);
  Batch batch = { 0, };
  guint most;

  solve_batch (client, 200, &batch);
  g_assert_cmpuint (batch.solved, ==, 200);
  most = max_open_tasks (sandbox);
  g_test_message ("without a cap, at most %u tasks open at once", most);
  g_assert_cmpuint (most, >, 5);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* A solve waiting for its place ends at once when cancelled, having sent
 * nothing; the place it waited for goes to the next in line. */
static void
test_cap_cancel_waiting (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = new_client (mock_server_get_url (server), MOCK_API_KEY, 4);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CsTask) first = new_token_task ();
  g_autoptr(CsTask) waiting = new_token_task ();
  g_autoptr(CsTask) next = new_token_task ();
  GAsyncResult *first_result = NULL;
  GAsyncResult *waiting_result = NULL;
  GAsyncResult *next_result = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  cs_client_set_max_tasks_in_flight (client, 1);
  mock_server_add_delayed_reply (server, "createTask", 300, 200, REPLY_ID);
  mock_server_set_fallback (server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (server, "getTaskResult", 200, REPLY_READY);

  cs_client_solve_async (client, first, NULL, mock_store_result, &first_result);
  cs_client_solve_async (client, waiting, cancellable, mock_store_result, &waiting_result);
  cs_client_solve_async (client, next, NULL, mock_store_result, &next_result);
  g_timeout_add (50, cancel_cb, cancellable);

  result = mock_wait_result (&waiting_result);
  g_assert_null (cs_client_solve_finish (client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* the first still holds the place */
  g_assert_null (first_result);
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), <=, 1);

  g_clear_error (&error);
  g_clear_object (&result);
  result = mock_wait_result (&first_result);
  solution = cs_client_solve_finish (client, result, &error);
  g_assert_no_error (error);
  g_clear_object (&solution);
  g_clear_object (&result);
  result = mock_wait_result (&next_result);
  solution = cs_client_solve_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_null (cs_task_get_task_id (waiting));
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 2);
}

/* Raising the cap starts the waiting solves at once. */
static void
test_cap_raised (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = new_client (mock_server_get_url (server), MOCK_API_KEY, 4);
  Batch batch = { 0, };

  cs_client_set_max_tasks_in_flight (client, 1);
  mock_server_add_delayed_reply (server, "createTask", 1000, 200, REPLY_ID);
  mock_server_set_fallback (server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (server, "getTaskResult", 200, REPLY_READY);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CsTask) task = new_token_task ();

      batch.pending++;
      cs_client_solve_async (client, task, NULL, batch_solved_cb, &batch);
    }
  g_object_set (client, "max-tasks-in-flight", 0, NULL);
  /* the two waiting ones end while the first's create is still held */
  while (batch.pending > 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (batch.solved, ==, 2);
  while (batch.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (batch.solved, ==, 3);
}

/* --- What was spent ---------------------------------------------------------- */

#define REPLY_PROCESSING "{\"errorId\":0,\"status\":\"processing\"}"
#define REPLY_READY_COST(cost) "{\"errorId\":0,\"status\":\"ready\",\"cost\":" cost "," \
                               "\"solution\":{\"gRecaptchaResponse\":\"03AGdB-token\"}}"
#define REPLY_ERROR(code) "{\"errorId\":1,\"errorCode\":\"" code "\"," \
                          "\"errorDescription\":\"scripted\"}"

/* One blocking solve; the error it ended with, or NULL. */
static GError *
solve_one (CsClient     *client,
           GCancellable *cancellable)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;
  GError *error = NULL;

  solution = cs_client_solve (client, task, cancellable, &error);
  g_assert_true ((solution != NULL) == (error == NULL));
  return error;
}

static void
assert_solve_fails (CsClient *client,
                    GQuark    domain,
                    int       code)
{
  g_autoptr(GError) error = solve_one (client, NULL);

  g_assert_error (error, domain, code);
}

static void
assert_usage_adds_up (CsUsage *usage)
{
  g_assert_cmpuint (cs_usage_get_solved (usage) + cs_usage_get_failed_total (usage) +
                    cs_usage_get_not_sent (usage), ==, cs_usage_get_submitted (usage));
}

/* A mixed run: successes, errors of every class, a cancellation and a
 * solve held back by a pause; the counters add up exactly, and the cost
 * is what the replies said plus the price table's estimate. */
static void
test_usage_mixed (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = new_client (mock_server_get_url (server), MOCK_API_KEY, 4);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(CsTask) solved = new_token_task ();
  g_autoptr(CsUsage) usage = NULL;
  g_autoptr(GError) error = NULL;
  double token_price = 0.0008;

  mock_server_set_fallback (server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (server, "getTaskResult", 200, REPLY_READY);
  mock_server_set_fallback (server, "feedbackTask", 200, "{\"errorId\":0}");

  /* 3 solved at the estimated price, 2 at the cost their reply says */
  for (guint i = 0; i < 3; i++)
    g_assert_null (solve_one (client, NULL));
  mock_server_add_reply (server, "getTaskResult", 200, REPLY_READY_COST ("\"0.000700\""));
  g_assert_null (solve_one (client, NULL));
  mock_server_add_reply (server, "getTaskResult", 200, REPLY_READY_COST ("0.0005"));
  g_assert_null (solve_one (client, NULL));

  /* permanent, new-task, transient (the deadline) */
  mock_server_add_reply (server, "createTask", 400, REPLY_ERROR ("ERROR_INVALID_TASK_DATA"));
  assert_solve_fails (client, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
  mock_server_add_reply (server, "getTaskResult", 200, REPLY_ERROR ("ERROR_CAPTCHA_UNSOLVABLE"));
  assert_solve_fails (client, CS_ERROR, CS_ERROR_CAPTCHA_UNSOLVABLE);
  mock_server_set_fallback (server, "getTaskResult", 200, REPLY_PROCESSING);
  cs_client_set_deadline (client, 100);
  assert_solve_fails (client, CS_ERROR, CS_ERROR_TIMEOUT);
  cs_client_set_deadline (client, 150000);
  mock_server_set_fallback (server, "getTaskResult", 200, REPLY_READY);

  /* cancelled */
  g_cancellable_cancel (cancelled);
  error = solve_one (client, cancelled);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* cooldown: it pauses the client, whose next two solves send nothing */
  mock_server_add_reply (server, "createTask", 200, REPLY_ERROR ("ERROR_RATE_LIMIT"));
  assert_solve_fails (client, CS_ERROR, CS_ERROR_RATE_LIMIT);
  assert_solve_fails (client, CS_ERROR, CS_ERROR_RATE_LIMIT);
  assert_solve_fails (client, CS_ERROR, CS_ERROR_RATE_LIMIT);
  cs_client_resume (client);

  /* feedback, and a plain create that is no solve */
  g_assert_true (cs_client_create_task (client, solved, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cs_client_feedback_task (client, solved, FALSE, 0, NULL, NULL, &error));
  g_assert_true (cs_client_feedback_task (client, solved, TRUE, 0, NULL, NULL, &error));
  g_assert_no_error (error);

  usage = cs_client_get_usage (client);
  g_assert_cmpuint (cs_usage_get_submitted (usage), ==, 12);
  g_assert_cmpuint (cs_usage_get_solved (usage), ==, 5);
  g_assert_cmpuint (cs_usage_get_failed (usage, CS_RETRY_CLASS_PERMANENT), ==, 1);
  g_assert_cmpuint (cs_usage_get_failed (usage, CS_RETRY_CLASS_NEW_TASK), ==, 1);
  g_assert_cmpuint (cs_usage_get_failed (usage, CS_RETRY_CLASS_TRANSIENT), ==, 1);
  g_assert_cmpuint (cs_usage_get_failed (usage, CS_RETRY_CLASS_COOLDOWN), ==, 1);
  g_assert_cmpuint (cs_usage_get_cancelled (usage), ==, 1);
  g_assert_cmpuint (cs_usage_get_failed_total (usage), ==, 5);
  g_assert_cmpuint (cs_usage_get_not_sent (usage), ==, 2);
  assert_usage_adds_up (usage);
  /* 5 solved, the new-task failure and the time-out had tasks; one plain */
  g_assert_cmpuint (cs_usage_get_created (usage), ==, 8);
  g_assert_cmpuint (cs_usage_get_feedback_sent (usage), ==, 2);
  g_assert_cmpfloat_with_epsilon (cs_usage_get_estimated_cost (usage), 3 * token_price, 1e-9);
  g_assert_cmpfloat_with_epsilon (cs_usage_get_cost (usage),
                                  3 * token_price + 0.0007 + 0.0005, 1e-9);
}

/* Many solves at once from several threads, some cancelled: the counters
 * add up exactly, and the estimate is what the sandbox charged. */
typedef struct {
  CsClient *client;
  guint     n;
} Worker;

static gpointer
worker_run (gpointer user_data)
{
  Worker *worker = user_data;

  for (guint i = 0; i < worker->n; i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;

      /* every third is cancelled before it starts */
      if (i % 3 == 2)
        g_cancellable_cancel (cancellable);
      error = solve_one (worker->client, cancellable);
      g_assert_true (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
    }
  return NULL;
}

static void
test_usage_threads_sandbox (void)
{
  g_autoptr(CsSandbox) sandbox = new_sandbox ();
  g_autoptr(CsClient) client = new_client (cs_sandbox_get_base_url (sandbox), MOCK_API_KEY, 16);
  g_autoptr(CsUsage) usage = NULL;
  Worker worker = { client, 30 };
  GThread *threads[4];
  Batch batch = { 0, };

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("solver", worker_run, &worker);
  solve_batch (client, 50, &batch);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  usage = cs_client_get_usage (client);
  g_assert_cmpuint (cs_usage_get_submitted (usage), ==, 4 * 30 + 50);
  g_assert_cmpuint (cs_usage_get_cancelled (usage), ==, 4 * 10);
  g_assert_cmpuint (cs_usage_get_solved (usage), ==, 4 * 20 + 50);
  assert_usage_adds_up (usage);
  g_assert_cmpfloat_with_epsilon (cs_usage_get_cost (usage),
                                  100.0 - cs_sandbox_get_key_balance (sandbox, MOCK_API_KEY),
                                  1e-9);
  g_assert_cmpfloat (cs_usage_get_estimated_cost (usage), ==, cs_usage_get_cost (usage));
}

/* The reply's cost, as a number or a string; anything else is no cost. */
static void
test_usage_reply_cost (void)
{
  static const struct {
    const char *cost;
    gboolean    has_cost;
    gint64      micros;
  } cases[] = {
    { "0.0007", TRUE, 700 },
    { "\"0.000700\"", TRUE, 700 },
    { "2", TRUE, 2000000 },
    { "\"\"", FALSE, 0 },
    { "\"0.1x\"", FALSE, 0 },
    { "-1", FALSE, 0 },
    { "null", FALSE, 0 },
    { "true", FALSE, 0 },
    { "{}", FALSE, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"errorId\":0,\"cost\":%s}", cases[i].cost);
      g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
      g_auto(CsReply) reply = { 0, };
      g_autoptr(GError) error = NULL;

      g_assert_true (_cs_reply_parse (&reply, 200, body, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (reply.has_cost, ==, cases[i].has_cost);
      g_assert_cmpint (reply.cost, ==, cases[i].micros);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/slots/no-slot/paces-creates", test_no_slot_paces_creates);
  g_test_add_func ("/slots/no-slot/create-task-returns", test_no_slot_create_task_returns);
  g_test_add_func ("/slots/no-slot/blocking", test_no_slot_blocking);
  g_test_add_func ("/slots/no-slot/blocking-paused", test_no_slot_blocking_paused);
  g_test_add_func ("/slots/no-slot/deadline", test_no_slot_deadline);
  g_test_add_func ("/slots/no-slot/window", test_no_slot_window);
  g_test_add_func ("/slots/no-slot/sandbox", test_no_slot_sandbox);
  g_test_add_func ("/slots/cap/tasks-in-flight", test_cap_tasks_in_flight);
  g_test_add_func ("/slots/cap/per-key", test_cap_per_key);
  g_test_add_func ("/slots/cap/none", test_cap_none);
  g_test_add_func ("/slots/cap/cancel-waiting", test_cap_cancel_waiting);
  g_test_add_func ("/slots/cap/raised", test_cap_raised);
  g_test_add_func ("/slots/usage/mixed", test_usage_mixed);
  g_test_add_func ("/slots/usage/threads-sandbox", test_usage_threads_sandbox);
  g_test_add_func ("/slots/usage/reply-cost", test_usage_reply_cost);

  return g_test_run ();
}
