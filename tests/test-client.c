/* test-client.c: the client against a scripted server
 *
 * Every test gets its own mock server (in its own thread) and a client
 * that polls every few milliseconds. Results are checked after the call
 * returns, never inside a callback.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "mock-server.h"

#define TASK_ID    "61138bb6-19fb-11ec-a9c8-0242ac110006"
#define OTHER_KEY  "CAP-FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210"
#define PNG_1X1    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

/* Replies of the service */
#define REPLY_ID         "{\"errorId\":0,\"errorCode\":\"\",\"errorDescription\":\"\",\"taskId\":\"" TASK_ID "\"}"
#define REPLY_IDLE       "{\"errorId\":0,\"taskId\":\"" TASK_ID "\",\"status\":\"idle\"}"
#define REPLY_PROCESSING "{\"errorId\":0,\"taskId\":\"" TASK_ID "\",\"status\":\"processing\"}"
#define REPLY_READY      "{\"errorId\":0,\"taskId\":\"" TASK_ID "\",\"status\":\"ready\"," \
                         "\"solution\":{\"gRecaptchaResponse\":\"03AGdB-token\"}}"
#define REPLY_OK         "{\"errorId\":0,\"errorCode\":\"\",\"errorDescription\":\"\"}"

/* Requests of the client, as they must be sent */
#define BODY_CREATE      "{\"clientKey\":\"" MOCK_API_KEY "\",\"task\":{\"type\":\"TestTask\"," \
                         "\"websiteURL\":\"https://example.com/\",\"websiteKey\":\"site-key\"}}"
#define BODY_POLL        "{\"clientKey\":\"" MOCK_API_KEY "\",\"taskId\":\"" TASK_ID "\"}"
#define BODY_BALANCE     "{\"clientKey\":\"" MOCK_API_KEY "\"}"

typedef struct {
  MockServer   *server;
  CsClient     *client;
  GAsyncResult *pending;    /* filled by mock_store_result() */
  GAsyncResult *result;     /* the last call's, kept until the next one */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = mock_server_new ();
  f->client = mock_server_new_client (f->server, MOCK_API_KEY);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* libsoup finishes its messages in sources of the default context */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->result);
  g_clear_object (&f->client);
  g_clear_pointer (&f->server, mock_server_free);
}

/* A task of a type the library does not know: any type can be sent. */
static CsTask *
new_token_task (void)
{
  CsTask *task = cs_task_new ("TestTask");

  cs_task_set_string (task, "websiteURL", "https://example.com/");
  cs_task_set_string (task, "websiteKey", "site-key");
  return task;
}

/* --- Running the asynchronous calls to the end ----------------------------
 *
 * Each starts a call with &f->pending as its data and finishes it with
 * the result fixture_wait() gives.
 */

static GAsyncResult *
fixture_wait (Fixture *f)
{
  g_clear_object (&f->result);
  f->result = mock_wait_result (&f->pending);
  return f->result;
}

static gboolean
run_create_task (Fixture  *f,
                 CsTask   *task,
                 GError  **error)
{
  cs_client_create_task_async (f->client, task, NULL, mock_store_result, &f->pending);
  return cs_client_create_task_finish (f->client, fixture_wait (f), error);
}

static gboolean
run_get_task_result (Fixture  *f,
                     CsTask   *task,
                     GError  **error)
{
  cs_client_get_task_result_async (f->client, task, NULL, mock_store_result, &f->pending);
  return cs_client_get_task_result_finish (f->client, fixture_wait (f), error);
}

static CsSolution *
run_solve (Fixture       *f,
           CsTask        *task,
           GCancellable  *cancellable,
           GError       **error)
{
  cs_client_solve_async (f->client, task, cancellable, mock_store_result, &f->pending);
  return cs_client_solve_finish (f->client, fixture_wait (f), error);
}

static CsBalance *
run_get_balance (Fixture  *f,
                 GError  **error)
{
  cs_client_get_balance_async (f->client, NULL, mock_store_result, &f->pending);
  return cs_client_get_balance_finish (f->client, fixture_wait (f), error);
}

static gboolean
run_feedback (Fixture     *f,
              CsTask      *task,
              gboolean     invalid,
              int          code,
              const char  *message,
              GError     **error)
{
  cs_client_feedback_task_async (f->client, task, invalid, code, message, NULL,
                                 mock_store_result, &f->pending);
  return cs_client_feedback_task_finish (f->client, fixture_wait (f), error);
}

/* How many createTask and getTaskResult requests the server received. */
static void
assert_requests (Fixture *f,
                 guint    creates,
                 guint    polls)
{
  g_assert_cmpuint (mock_server_count_requests (f->server, "createTask"), ==, creates);
  g_assert_cmpuint (mock_server_count_requests (f->server, "getTaskResult"), ==, polls);
}

/* @task was refused or lost: it has no id, and createTask went out once. */
static void
assert_not_created (Fixture *f,
                    CsTask  *task)
{
  g_assert_null (cs_task_get_task_id (task));
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_NEW);
  g_assert_cmpuint (mock_server_count_requests (f->server, "createTask"), ==, 1);
}

/* Solves @task, which must succeed. */
static CsSolution *
solve_ok (Fixture *f,
          CsTask  *task)
{
  g_autoptr(GError) error = NULL;
  CsSolution *solution = run_solve (f, task, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (solution);
  return solution;
}

/* Solves @task, which must fail; returns the error. */
static GError *
solve_error (Fixture      *f,
             CsTask       *task,
             GCancellable *cancellable)
{
  g_autoptr(CsSolution) solution = NULL;
  GError *error = NULL;

  solution = run_solve (f, task, cancellable, &error);
  g_assert_null (solution);
  g_assert_nonnull (error);
  return error;
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Milliseconds since @start, a monotonic time. */
static gint64
elapsed_ms (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000;
}

/* --- Properties ------------------------------------------------------------- */

static void
test_defaults (void)
{
  g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);

  g_assert_cmpstr (cs_client_get_api_key (client), ==, MOCK_API_KEY);
  g_assert_cmpstr (cs_client_get_base_url (client), ==, CS_DEFAULT_BASE_URL);
  g_assert_null (cs_client_get_app_id (client));
  /* the service's own advice: a first poll after a few seconds, every 3 s,
   * no more than 120 polls, and longer than its own 120 s timeout */
  g_assert_cmpuint (cs_client_get_first_poll_delay (client), >=, 1000);
  g_assert_cmpuint (cs_client_get_first_poll_delay (client), <=, 5000);
  g_assert_cmpuint (cs_client_get_poll_interval (client), >=, 1000);
  g_assert_cmpuint (cs_client_get_poll_interval (client), <=, 5000);
  g_assert_cmpuint (cs_client_get_max_polls (client), ==, 120);
  g_assert_cmpuint (cs_client_get_deadline (client), >, 120000);
  g_assert_true (SOUP_IS_SESSION (cs_client_get_session (client)));

  cs_client_set_base_url (client, "http://127.0.0.1:1/api//");
  g_assert_cmpstr (cs_client_get_base_url (client), ==, "http://127.0.0.1:1/api");
  cs_client_set_base_url (client, NULL);
  g_assert_cmpstr (cs_client_get_base_url (client), ==, CS_DEFAULT_BASE_URL);
}

static void
test_session_property (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(CsClient) client = g_object_new (CS_TYPE_CLIENT,
                                             "api-key", MOCK_API_KEY,
                                             "base-url", mock_server_get_url (f->server),
                                             "session", session,
                                             NULL);
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_client_get_session (client) == session);
  mock_server_add_reply (f->server, "getBalance", 200, "{\"errorId\":0,\"balance\":1}");
  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (cs_balance_get_amount (balance), ==, 1.0);
}

/* --- createTask --------------------------------------------------------------- */

static void
test_create_ready (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CsTask) task = cs_task_new ("ImageToTextTask");
  g_autoptr(GError) error = NULL;

  cs_task_set_string (task, "body", PNG_1X1);
  mock_server_add_reply (f->server, "createTask", 200,
                         "{\"errorId\":0,\"errorCode\":\"\",\"errorDescription\":\"\","
                         "\"status\":\"ready\",\"solution\":{\"text\":\"44795sds\"},"
                         "\"taskId\":\"2376919c-1863-11ec-a012-94e6f7355a0b\"}");

  g_assert_true (run_create_task (f, task, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cs_task_get_task_id (task), ==, "2376919c-1863-11ec-a012-94e6f7355a0b");
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_READY);
  g_assert_nonnull (cs_task_get_solution (task));
  g_assert_cmpstr (cs_solution_get_text (cs_task_get_solution (task)), ==, "44795sds");

  mock_assert_request_body (f->server, "createTask", 0,
                            "{\"clientKey\":\"" MOCK_API_KEY "\",\"task\":{\"type\":\"ImageToTextTask\","
                            "\"body\":\"" PNG_1X1 "\"}}");
  g_assert_cmpuint (mock_server_count_requests (f->server, NULL), ==, 1);
}

typedef struct {
  const char   *name;
  const char   *reply;
  const char   *task_id;
  CsTaskStatus  status;
} CreateCase;

/* Replies that give a task id to poll: the status says how far it is. */
static const CreateCase create_cases[] = {
  { "id-only", REPLY_ID, TASK_ID, CS_TASK_STATUS_IDLE },
  { "idle", REPLY_IDLE, TASK_ID, CS_TASK_STATUS_IDLE },
  { "processing", REPLY_PROCESSING, TASK_ID, CS_TASK_STATUS_PROCESSING },
  { "integer-id", "{\"errorId\":0,\"taskId\":4242}", "4242", CS_TASK_STATUS_IDLE },
  /* "ready" without a solution is not ready: the task is polled */
  { "ready-without-solution", "{\"errorId\":0,\"taskId\":\"" TASK_ID "\",\"status\":\"ready\"}",
    TASK_ID, CS_TASK_STATUS_PROCESSING },
  { "unknown-status", "{\"errorId\":0,\"taskId\":\"" TASK_ID "\",\"status\":\"queued\"}",
    TASK_ID, CS_TASK_STATUS_PROCESSING },
  { "no-error-members", "{\"taskId\":\"" TASK_ID "\"}", TASK_ID, CS_TASK_STATUS_IDLE },
};

static void
test_create_pending (Fixture       *f,
                     gconstpointer  data)
{
  const CreateCase *c = data;
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;

  mock_server_add_reply (f->server, "createTask", 200, c->reply);

  g_assert_true (run_create_task (f, task, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cs_task_get_task_id (task), ==, c->task_id);
  g_assert_null (cs_task_get_solution (task));
  g_assert_cmpint (cs_task_get_status (task), ==, c->status);
  mock_assert_request_body (f->server, "createTask", 0, BODY_CREATE);
}

static void
test_create_integer_id_polled (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;

  mock_server_add_reply (f->server, "createTask", 200, "{\"errorId\":0,\"taskId\":4242}");
  mock_server_add_reply (f->server, "getTaskResult", 200,
                         "{\"errorId\":0,\"taskId\":4242,\"status\":\"ready\","
                         "\"solution\":{\"token\":\"t\"}}");

  solution = solve_ok (f, task);
  g_assert_cmpstr (cs_solution_get_token (solution), ==, "t");
  mock_assert_request_body (f->server, "getTaskResult", 0,
                            "{\"clientKey\":\"" MOCK_API_KEY "\",\"taskId\":\"4242\"}");
}

static void
test_create_no_id (Fixture       *f,
                   gconstpointer  data)
{
  static const char * const replies[] = {
    "{\"errorId\":0,\"errorCode\":\"\",\"errorDescription\":\"\"}",
    "{\"errorId\":0,\"taskId\":\"\"}",
    "{\"errorId\":0,\"taskId\":null,\"status\":\"idle\"}",
    "{\"errorId\":0,\"taskId\":{\"id\":1}}",
    "{\"errorId\":0,\"taskId\":1e300}",
    "{\"errorId\":0,\"taskId\":-1e300}",
    "{\"errorId\":0,\"taskId\":12.5}",
    "{\"errorId\":0,\"taskId\":true}",
    "{\"errorId\":0,\"status\":\"ready\"}",
    "{\"errorId\":0,\"status\":\"ready\",\"solution\":\"text\"}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (replies); i++)
    {
      g_autoptr(CsTask) task = new_token_task ();
      g_autoptr(GError) error = NULL;

      mock_server_add_reply (f->server, "createTask", 200, replies[i]);
      g_assert_false (run_create_task (f, task, &error));
      g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "HTTP 200"));
      g_assert_null (cs_task_get_task_id (task));
      g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_NEW);
    }
  g_assert_cmpuint (mock_server_count_requests (f->server, "getTaskResult"), ==, 0);
}

static void
test_create_existing (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsTask) task = cs_task_new_for_id (TASK_ID);
  g_autoptr(GError) error = NULL;

  cs_task_set_type_name (task, "TestTask");
  g_assert_false (run_create_task (f, task, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);
  g_assert_cmpuint (mock_server_count_requests (f->server, NULL), ==, 0);
}

static void
test_create_envelope (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *http_method = NULL;
  g_autofree char *user_agent = NULL;

  cs_client_set_app_id (f->client, "3E36E3CD-7EB5-4CAF-AA15-91011E652321");
  cs_task_set_callback_url (task, "https://hooks.example/done?x=1&y=2");
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);

  g_assert_true (run_create_task (f, task, &error));
  g_assert_no_error (error);
  mock_assert_request_body (f->server, "createTask", 0,
                            "{\"clientKey\":\"" MOCK_API_KEY "\","
                            "\"appId\":\"3E36E3CD-7EB5-4CAF-AA15-91011E652321\","
                            "\"callbackUrl\":\"https://hooks.example/done?x=1&y=2\","
                            "\"task\":{\"type\":\"TestTask\",\"websiteURL\":\"https://example.com/\","
                            "\"websiteKey\":\"site-key\"}}");

  http_method = mock_server_dup_request_header (f->server, "createTask", 0, "Method");
  content_type = mock_server_dup_request_header (f->server, "createTask", 0, "Content-Type");
  user_agent = mock_server_dup_request_header (f->server, "createTask", 0, "User-Agent");
  g_assert_cmpstr (http_method, ==, "POST");
  g_assert_cmpstr (content_type, ==, "application/json");
  g_assert_true (g_str_has_prefix (user_agent, "capsolver-glib/"));

  /* getTaskResult takes no appId */
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  g_assert_true (run_get_task_result (f, task, &error));
  g_assert_no_error (error);
  mock_assert_request_body (f->server, "getTaskResult", 0, BODY_POLL);
}

static void
test_no_api_key (Fixture       *f,
                 gconstpointer  data)
{
  static const char * const keys[] = { NULL, "" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr(CsTask) task = new_token_task ();
      g_autoptr(CsTask) created = cs_task_new_for_id (TASK_ID);
      g_autoptr(CsBalance) balance = NULL;
      g_autoptr(CsSolution) solution = NULL;
      g_autoptr(GError) create_error = NULL;
      g_autoptr(GError) poll_error = NULL;
      g_autoptr(GError) solve_error = NULL;
      g_autoptr(GError) balance_error = NULL;
      g_autoptr(GError) feedback_error = NULL;

      cs_client_set_api_key (f->client, keys[i]);
      g_assert_false (run_create_task (f, task, &create_error));
      g_assert_error (create_error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
      g_assert_false (run_get_task_result (f, created, &poll_error));
      g_assert_error (poll_error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
      solution = run_solve (f, task, NULL, &solve_error);
      g_assert_null (solution);
      g_assert_error (solve_error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
      balance = run_get_balance (f, &balance_error);
      g_assert_null (balance);
      g_assert_error (balance_error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
      g_assert_false (run_feedback (f, created, TRUE, 0, NULL, &feedback_error));
      g_assert_error (feedback_error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
      g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_NEW);
    }
  g_assert_cmpuint (mock_server_count_requests (f->server, NULL), ==, 0);
}

static void
test_invalid_base_url (void)
{
  static const char * const urls[] = {
    "not a url",
    "ftp://127.0.0.1:1",
    "http://",
    "://x",
    "",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
      g_autoptr(CsTask) task = new_token_task ();
      g_autoptr(CsBalance) balance = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) balance_error = NULL;

      cs_client_set_base_url (client, urls[i]);
      g_assert_false (cs_client_create_task (client, task, NULL, &error));
      g_assert_nonnull (error);
      g_assert_null (cs_task_get_task_id (task));
      balance = cs_client_get_balance (client, NULL, &balance_error);
      g_assert_null (balance);
      g_assert_nonnull (balance_error);
    }
}

static void
test_connection_refused (void)
{
  g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;

  /* port 1 is privileged and never listened to in the test environment */
  cs_client_set_base_url (client, "http://127.0.0.1:1");
  g_assert_false (cs_client_create_task (client, task, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpint (cs_error_get_retry_class (error), ==, CS_RETRY_CLASS_TRANSIENT);
}

/* --- getTaskResult ------------------------------------------------------------ */

typedef struct {
  const char   *name;
  const char   *reply;
  CsTaskStatus  status;
  gboolean      has_solution;
} PollCase;

static const PollCase poll_cases[] = {
  { "idle", REPLY_IDLE, CS_TASK_STATUS_IDLE, FALSE },
  { "processing", REPLY_PROCESSING, CS_TASK_STATUS_PROCESSING, FALSE },
  { "ready", REPLY_READY, CS_TASK_STATUS_READY, TRUE },
  /* a status this version does not know is pending, not an error */
  { "unknown", "{\"errorId\":0,\"taskId\":\"" TASK_ID "\",\"status\":\"warming-up\"}",
    CS_TASK_STATUS_PROCESSING, FALSE },
  { "no-status", "{\"errorId\":0,\"taskId\":\"" TASK_ID "\"}", CS_TASK_STATUS_PROCESSING, FALSE },
  { "upper-case", "{\"errorId\":0,\"status\":\"READY\",\"solution\":{\"token\":\"x\"}}",
    CS_TASK_STATUS_READY, TRUE },
};

static void
test_poll_status (Fixture       *f,
                  gconstpointer  data)
{
  const PollCase *c = data;
  g_autoptr(CsTask) task = cs_task_new_for_id (TASK_ID);
  g_autoptr(GError) error = NULL;

  mock_server_add_reply (f->server, "getTaskResult", 200, c->reply);
  g_assert_true (run_get_task_result (f, task, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cs_task_get_status (task), ==, c->status);
  g_assert_true ((cs_task_get_solution (task) != NULL) == c->has_solution);
  g_assert_cmpuint (cs_task_get_poll_count (task), ==, 1);
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);
  mock_assert_request_body (f->server, "getTaskResult", 0, BODY_POLL);
}

static void
test_poll_ready_without_solution (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(CsTask) task = cs_task_new_for_id (TASK_ID);
  g_autoptr(GError) error = NULL;

  mock_server_add_reply (f->server, "getTaskResult", 200,
                         "{\"errorId\":0,\"status\":\"ready\",\"solution\":[1]}");
  g_assert_false (run_get_task_result (f, task, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "HTTP 200"));
  g_assert_cmpint (cs_task_get_status (task), !=, CS_TASK_STATUS_READY);
  g_assert_null (cs_task_get_solution (task));
}

static void
test_poll_failed (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsTask) task = cs_task_new_for_id (TASK_ID);
  g_autoptr(CsTask) bare = cs_task_new_for_id (TASK_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) bare_error = NULL;

  /* "failed" ends the task, with or without an error code */
  mock_server_add_reply (f->server, "getTaskResult", 200,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_CAPTCHA_UNSOLVABLE\","
                         "\"errorDescription\":\"Captcha not recognized\",\"status\":\"failed\"}");
  mock_server_add_reply (f->server, "getTaskResult", 200,
                         "{\"errorId\":0,\"taskId\":\"" TASK_ID "\",\"status\":\"failed\"}");

  g_assert_false (run_get_task_result (f, task, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_CAPTCHA_UNSOLVABLE);
  g_assert_cmpstr (error->message, ==, "ERROR_CAPTCHA_UNSOLVABLE: Captcha not recognized");
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_FAILED);

  g_assert_false (run_get_task_result (f, bare, &bare_error));
  g_assert_true (bare_error->domain == CS_ERROR);
  g_assert_cmpint (cs_task_get_status (bare), ==, CS_TASK_STATUS_FAILED);
  g_assert_cmpstr (cs_task_get_task_id (bare), ==, TASK_ID);
}

static void
test_poll_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsTask) task = cs_task_new_for_id (TASK_ID);
  g_autoptr(CsTask) busy = cs_task_new_for_id (TASK_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) busy_error = NULL;
  CsTaskStatus status_before = cs_task_get_status (busy);

  /* an error of the task ends it; an overloaded service does not */
  mock_server_add_reply (f->server, "getTaskResult", 400,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_TASKID_INVALID\","
                         "\"errorDescription\":\"Task ID does not exist or is invalid\"}");
  mock_server_add_reply (f->server, "getTaskResult", 400,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_SERVICE_UNAVALIABLE\","
                         "\"errorDescription\":\"busy\"}");

  g_assert_false (run_get_task_result (f, task, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_TASKID_INVALID);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_FAILED);

  g_assert_false (run_get_task_result (f, busy, &busy_error));
  g_assert_error (busy_error, CS_ERROR, CS_ERROR_SERVICE_UNAVAILABLE);
  g_assert_cmpint (cs_task_get_status (busy), ==, status_before);
}

static void
test_poll_without_id (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) feedback_error = NULL;

  g_assert_false (run_get_task_result (f, task, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_false (run_feedback (f, task, TRUE, 0, NULL, &feedback_error));
  g_assert_error (feedback_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (cs_task_get_poll_count (task), ==, 0);
  g_assert_cmpuint (mock_server_count_requests (f->server, NULL), ==, 0);
}

/* --- solve ----------------------------------------------------------------------- */

static void
script_token_task (Fixture *f)
{
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_IDLE);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_READY);
}

/* Solves @task, which must run out of time and keep its task id. */
static void
assert_solve_times_out (Fixture *f,
                        CsTask  *task)
{
  g_autoptr(GError) error = solve_error (f, task, NULL);

  g_assert_error (error, CS_ERROR, CS_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, TASK_ID));
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);
}

static void
assert_token_task_solved (Fixture    *f,
                          CsTask     *task,
                          CsSolution *solution)
{
  g_assert_nonnull (solution);
  g_assert_cmpstr (cs_solution_get_token (solution), ==, "03AGdB-token");
  g_assert_true (cs_task_get_solution (task) == solution);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_READY);
  g_assert_cmpuint (cs_task_get_poll_count (task), ==, 3);
  assert_requests (f, 1, 3);
  mock_assert_request_body (f->server, "createTask", 0, BODY_CREATE);
  for (guint i = 0; i < 3; i++)
    mock_assert_request_body (f->server, "getTaskResult", i, BODY_POLL);
}

static void
test_solve_async (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;

  script_token_task (f);
  solution = solve_ok (f, task);
  assert_token_task_solved (f, task, solution);
}

static void
test_solve_blocking (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  script_token_task (f);
  solution = cs_client_solve (f->client, task, NULL, &error);
  g_assert_no_error (error);
  assert_token_task_solved (f, task, solution);
}

/* The blocking calls run on a private context: a source on the default
 * context is not dispatched meanwhile. */
static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_blocking_calls (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  gboolean dispatched = FALSE;
  guint idle_id = g_idle_add (set_flag_cb, &dispatched);

  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_READY);
  mock_server_add_reply (f->server, "getBalance", 200, "{\"errorId\":0,\"balance\":2.5}");
  mock_server_add_reply (f->server, "feedbackTask", 200, REPLY_OK);

  /* one after the other on one session: each must leave it usable */
  g_assert_true (cs_client_create_task (f->client, task, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cs_client_get_task_result (f->client, task, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_READY);
  balance = cs_client_get_balance (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (cs_balance_get_amount (balance), ==, 2.5);
  g_assert_true (cs_client_feedback_task (f->client, task, FALSE, 0, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (dispatched);
  g_source_remove (idle_id);
  g_assert_cmpuint (mock_server_count_requests (f->server, NULL), ==, 4);
}

static void
test_solve_sync_reply (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CsTask) task = cs_task_new ("ImageToTextTask");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(CsSolution) again = NULL;

  cs_task_set_string (task, "body", PNG_1X1);
  mock_server_add_reply (f->server, "createTask", 200,
                         "{\"errorId\":0,\"status\":\"ready\",\"solution\":{\"text\":\"abc\"},"
                         "\"taskId\":\"" TASK_ID "\"}");

  solution = solve_ok (f, task);
  g_assert_cmpstr (cs_solution_get_text (solution), ==, "abc");
  assert_requests (f, 1, 0);

  /* a solved task gives its solution again without a request */
  again = solve_ok (f, task);
  g_assert_true (again == solution);
  assert_requests (f, 1, 0);
}

static void
status_changed_cb (CsTask     *task,
                   GParamSpec *pspec,
                   GArray     *statuses)
{
  CsTaskStatus status = cs_task_get_status (task);

  g_array_append_val (statuses, status);
}

static void
test_solve_notify_status (Fixture       *f,
                          gconstpointer  data)
{
  static const CsTaskStatus expected[] = {
    CS_TASK_STATUS_IDLE, CS_TASK_STATUS_PROCESSING, CS_TASK_STATUS_READY,
  };
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (CsTaskStatus));

  g_signal_connect (task, "notify::status", G_CALLBACK (status_changed_cb), statuses);
  mock_server_add_reply (f->server, "createTask", 200, REPLY_IDLE);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_IDLE);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_READY);

  solution = solve_ok (f, task);
  g_assert_cmpmem (statuses->data, statuses->len * sizeof (CsTaskStatus),
                   expected, sizeof expected);
}

static void
test_solve_failed (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;

  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  mock_server_add_reply (f->server, "getTaskResult", 200,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_CAPTCHA_UNSOLVABLE\","
                         "\"errorDescription\":\"no luck\",\"status\":\"failed\"}");
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_READY);

  error = solve_error (f, task, NULL);
  g_assert_error (error, CS_ERROR, CS_ERROR_CAPTCHA_UNSOLVABLE);
  g_assert_cmpstr (error->message, ==, "ERROR_CAPTCHA_UNSOLVABLE: no luck");
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_FAILED);
  assert_requests (f, 1, 2);
}

/* Statuses are read without regard to case: a "FAILED" task is not
 * polled on until the deadline. */
static void
test_solve_failed_upper_case (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;

  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_reply (f->server, "getTaskResult", 200,
                         "{\"errorId\":0,\"taskId\":\"" TASK_ID "\",\"status\":\"FAILED\"}");
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_PROCESSING);

  error = solve_error (f, task, NULL);
  g_assert_true (error->domain == CS_ERROR);
  g_assert_cmpint (error->code, !=, CS_ERROR_TIMEOUT);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_FAILED);
  assert_requests (f, 1, 1);
}

/* A blocking call the async call refuses (a critical, no callback) returns
 * at once instead of iterating its context forever. */
static void
test_blocking_refused (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CsSolution) solution = NULL;

  g_test_expect_message ("CapSolver", G_LOG_LEVEL_CRITICAL, "*CS_IS_TASK*");
  solution = cs_client_solve (f->client, NULL, NULL, NULL);
  g_test_assert_expected_messages ();
  g_assert_null (solution);
  assert_requests (f, 0, 0);
}

static void
test_solve_create_error (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;

  mock_server_add_reply (f->server, "createTask", 400,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_ZERO_BALANCE\","
                         "\"errorDescription\":\"Insufficient account balance\"}");

  error = solve_error (f, task, NULL);
  g_assert_error (error, CS_ERROR, CS_ERROR_ZERO_BALANCE);
  g_assert_cmpstr (error->message, ==, "ERROR_ZERO_BALANCE: Insufficient account balance");
  assert_not_created (f, task);
  assert_requests (f, 1, 0);
}

static void
test_solve_task_for_id (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CsTask) task = cs_task_new_for_id (TASK_ID);
  g_autoptr(CsSolution) solution = NULL;

  /* a status this version does not know is pending: keep polling */
  mock_server_add_reply (f->server, "getTaskResult", 200,
                         "{\"errorId\":0,\"status\":\"warming-up\"}");
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_READY);

  solution = solve_ok (f, task);
  assert_requests (f, 0, 3);
}

static void
test_solve_transient_poll_error (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GBytes) page = g_bytes_new_static ("<html>503 Service Unavailable</html>", 36);

  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  mock_server_add_raw_reply (f->server, "getTaskResult", 503, "text/html", page);
  mock_server_add_reply (f->server, "getTaskResult", 400,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_SERVICE_UNAVALIABLE\","
                         "\"errorDescription\":\"Service temporarily unavailable\"}");
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_READY);

  solution = solve_ok (f, task);
  assert_requests (f, 1, 4);
}

/* Replies that are not the protocol, with a 200 (no outage, but something
 * between the client and the service that mangles them): a few tries. */
static void
test_solve_transient_errors_give_up (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GBytes) page = g_bytes_new_static ("<html>Welcome</html>", 20);
  g_autoptr(GError) error = NULL;
  guint polls;

  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  for (guint i = 0; i < 20; i++)
    mock_server_add_raw_reply (f->server, "getTaskResult", 200, "text/html", page);

  error = solve_error (f, task, NULL);
  g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "HTTP 200"));
  /* a few tries, not the whole poll budget */
  polls = mock_server_count_requests (f->server, "getTaskResult");
  g_assert_cmpuint (polls, >=, 2);
  g_assert_cmpuint (polls, <=, 5);
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);
}

static void
test_solve_cancel_between_polls (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 start;

  cs_client_set_first_poll_delay (f->client, 10000);
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_READY);

  start = g_get_monotonic_time ();
  /* late enough for createTask on a loaded machine */
  g_timeout_add (500, cancel_cb, cancellable);
  error = solve_error (f, task, cancellable);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (elapsed_ms (start), <, 2000);
  assert_requests (f, 1, 0);
  /* the task was created: it keeps its id, to be resumed */
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);
}

static void
test_solve_cancel_during_poll (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) resumed = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 start;

  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_delayed_reply (f->server, "getTaskResult", 10000, 200, REPLY_READY);

  start = g_get_monotonic_time ();
  g_timeout_add (300, cancel_cb, cancellable);
  error = solve_error (f, task, cancellable);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (elapsed_ms (start), <, 2000);
  assert_requests (f, 1, 1);

  /* and the task can be solved after all */
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_READY);
  resumed = solve_ok (f, task);
  assert_requests (f, 1, 2);
}

static void
test_solve_cancelled_before (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  error = solve_error (f, task, cancellable);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (cs_task_get_task_id (task));
}

static void
test_solve_deadline_resume (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;
  guint polls;
  gint64 start;

  cs_client_set_deadline (f->client, 200);
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_PROCESSING);

  start = g_get_monotonic_time ();
  assert_solve_times_out (f, task);
  g_assert_cmpint (elapsed_ms (start), >=, 190);
  g_assert_cmpint (elapsed_ms (start), <, 2000);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_PROCESSING);
  /* the deadline may interrupt a poll the server never saw */
  polls = cs_task_get_poll_count (task);
  g_assert_cmpuint (polls, >, 0);
  g_assert_cmpuint (mock_server_count_requests (f->server, "getTaskResult"), <=, polls);

  /* solving again polls the same task: no second createTask. (The poll
   * the deadline cut short may still reach the server: every poll from
   * now on answers ready.) */
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_READY);
  solution = solve_ok (f, task);
  g_assert_cmpstr (cs_solution_get_token (solution), ==, "03AGdB-token");
  g_assert_cmpuint (cs_task_get_poll_count (task), ==, polls + 1);
  g_assert_cmpuint (mock_server_count_requests (f->server, "createTask"), ==, 1);
  mock_assert_request_body (f->server, "getTaskResult",
                            mock_server_count_requests (f->server, "getTaskResult") - 1,
                            BODY_POLL);
}

static void
test_solve_deadline_during_poll (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  gint64 start;

  cs_client_set_deadline (f->client, 300);
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_delayed_reply (f->server, "getTaskResult", 10000, 200, REPLY_READY);

  start = g_get_monotonic_time ();
  assert_solve_times_out (f, task);
  g_assert_cmpint (elapsed_ms (start), <, 2000);
}

/* createTask is not abandoned when the deadline passes while it is on its
 * way: the task gets its id, to be resumed. */
static void
test_solve_deadline_during_create (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();

  cs_client_set_deadline (f->client, 50);
  mock_server_add_delayed_reply (f->server, "createTask", 300, 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_READY);

  assert_solve_times_out (f, task);
  assert_requests (f, 1, 0);
}

/* --- The last poll before the deadline ------------------------------------ */

static guint time_factor (void);

/* The deadline of these tests: the last poll goes a quarter of the time
 * left before it, at most 1 s; longer under valgrind, where the first poll
 * takes long enough to leave too little time for one more, and within
 * what a test waits. */
static guint
last_poll_deadline (void)
{
  return MIN (1500 * time_factor (), MOCK_WAIT_TIMEOUT * 1000 / 2);
}

/* A fixed schedule whose second poll falls far past the deadline: the
 * first poll at 20 ms, the next a minute later. */
static guint
set_sparse_schedule (CsClient *client)
{
  cs_client_set_first_poll_delay (client, 20);
  cs_client_set_poll_interval (client, 60000);
  cs_client_set_deadline (client, last_poll_deadline ());
  return last_poll_deadline ();
}

/* The task becomes ready after its last regular poll, before the deadline:
 * the poll placed before the deadline sees it, instead of a time-out for a
 * task solved (and paid for). */
static void
test_solve_deadline_last_poll_ready (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;
  guint deadline = set_sparse_schedule (f->client);
  gint64 start = g_get_monotonic_time ();

  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_READY);

  solution = solve_ok (f, task);
  g_assert_cmpstr (cs_solution_get_token (solution), ==, "03AGdB-token");
  g_assert_cmpint (elapsed_ms (start), <, deadline);
  assert_requests (f, 1, 2);
  g_assert_cmpuint (cs_task_get_poll_count (task), ==, 2);
}

/* Never ready: one poll more, no other, and the solve still ends at its
 * deadline, resumably. */
static void
test_solve_deadline_last_poll_timeout (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;
  guint deadline = set_sparse_schedule (f->client);
  gint64 start = g_get_monotonic_time ();

  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_PROCESSING);

  error = solve_error (f, task, NULL);
  g_assert_error (error, CS_ERROR, CS_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, TASK_ID));
  g_assert_nonnull (strstr (error->message, "solve it again to resume polling"));
  g_assert_cmpint (elapsed_ms (start), >=, deadline);
  g_assert_cmpint (elapsed_ms (start), <, deadline + 5000 * time_factor ());
  assert_requests (f, 1, 2);
  g_assert_cmpuint (cs_task_get_poll_count (task), ==, 2);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_PROCESSING);
}

/* The adaptive plan too: a type the client does not know (1 to 30 s) has
 * its first planned poll past a 500 ms deadline, and gets the last one
 * before it all the same. */
static void
test_solve_deadline_last_poll_planned (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;

  cs_client_set_adaptive_polling (f->client, TRUE);
  cs_client_set_deadline (f->client, 500 * time_factor ());
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_READY);

  solution = solve_ok (f, task);
  g_assert_cmpstr (cs_solution_get_token (solution), ==, "03AGdB-token");
  assert_requests (f, 1, 1);
}

/* A createTask that took most of the deadline says how long a poll's round
 * trip may take: no last poll is spent that could not come back. */
static void
test_solve_deadline_no_last_poll_after_slow_create (Fixture       *f,
                                                    gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;
  guint deadline = last_poll_deadline ();

  set_sparse_schedule (f->client);
  cs_client_set_first_poll_delay (f->client, 60000);
  mock_server_add_delayed_reply (f->server, "createTask", deadline * 13 / 15, 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_PROCESSING);

  error = solve_error (f, task, NULL);
  g_assert_error (error, CS_ERROR, CS_ERROR_TIMEOUT);
  assert_requests (f, 1, 0);
  g_assert_cmpuint (cs_task_get_poll_count (task), ==, 0);
}

typedef struct {
  guint   done;
  gint64  start;
  double  times[40];
} Burst;

static void
burst_solved_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Burst *burst = user_data;
  g_autoptr(CsSolution) solution = cs_client_solve_finish (CS_CLIENT (source), result, NULL);

  g_assert_nonnull (solution);
  burst->times[burst->done++] = (g_get_monotonic_time () - burst->start) / 1000.0;
}

/* Solves whose first planned poll is past the deadline get their last
 * poll before it; when the first polls find tasks ready and the plan
 * places the others sooner, the last polls move with them instead of
 * waiting for the deadline. */
static void
test_solve_deadline_last_poll_replanned (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  guint deadline = MIN (2400 * time_factor (), MOCK_WAIT_TIMEOUT * 1000 / 2);
  Burst burst = { 0, };
  guint soon = 0;

  cs_client_set_adaptive_polling (f->client, TRUE);
  cs_client_set_deadline (f->client, deadline);
  mock_server_set_fallback (f->server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_READY);
  burst.start = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (burst.times); i++)
    {
      CsTask *task = new_token_task ();

      g_ptr_array_add (tasks, task);
      cs_client_solve_async (f->client, task, NULL, burst_solved_cb, &burst);
    }
  while (burst.done < G_N_ELEMENTS (burst.times))
    g_main_context_iteration (NULL, TRUE);

  /* most are solved well before the last polls would have gone */
  for (guint i = 0; i < G_N_ELEMENTS (burst.times); i++)
    soon += burst.times[i] < 0.6 * deadline;
  g_test_message ("deadline %u ms: %u of %u solved within %.0f ms", deadline, soon,
                  (guint) G_N_ELEMENTS (burst.times), 0.6 * deadline);
  g_assert_cmpuint (soon, >, G_N_ELEMENTS (burst.times) / 2);
}

typedef struct {
  MockServer   *server;
  GCancellable *cancellable;
  guint         polls;         /* cancels once the server had this many */
} PollCancel;

static gboolean
cancel_at_poll_cb (gpointer user_data)
{
  PollCancel *cancel = user_data;

  if (mock_server_count_requests (cancel->server, "getTaskResult") < cancel->polls)
    return G_SOURCE_CONTINUE;
  g_cancellable_cancel (cancel->cancellable);
  return G_SOURCE_REMOVE;
}

/* Cancelled while the last poll is on its way: the call ends cancelled,
 * not timed out, and the solve is gone. */
static void
test_solve_deadline_last_poll_cancelled (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  PollCancel cancel = { f->server, cancellable, 2 };
  gpointer solve;

  set_sparse_schedule (f->client);
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  mock_server_add_delayed_reply (f->server, "getTaskResult", 20000, 200, REPLY_READY);
  g_timeout_add (5, cancel_at_poll_cb, &cancel);

  error = solve_error (f, task, cancellable);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_requests (f, 1, 2);
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);

  /* the result is the solve's last reference: nothing else holds it, nor
   * the task */
  solve = f->result;
  g_object_add_weak_pointer (G_OBJECT (solve), &solve);
  g_clear_object (&f->result);
  g_assert_null (solve);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (G_OBJECT (task)->ref_count, ==, 1);
}

static gpointer
cancel_at_poll_thread (gpointer user_data)
{
  PollCancel *cancel = user_data;
  gint64 give_up = g_get_monotonic_time () + MOCK_WAIT_TIMEOUT * G_USEC_PER_SEC;

  while (mock_server_count_requests (cancel->server, "getTaskResult") < cancel->polls &&
         g_get_monotonic_time () < give_up)
    g_usleep (2000);
  g_cancellable_cancel (cancel->cancellable);
  return NULL;
}

/* The blocking call gets the same last poll: ready, never ready, and
 * cancelled from another thread while that poll is on its way. */
static void
test_solve_blocking_deadline_last_poll (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(CsTask) ready = new_token_task ();
  g_autoptr(CsTask) pending = new_token_task ();
  g_autoptr(CsTask) cancelled = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) cancel_error = NULL;
  PollCancel cancel = { f->server, cancellable, 6 };
  guint deadline = set_sparse_schedule (f->client);
  GThread *thread;
  gint64 start;

  mock_server_set_fallback (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_READY);
  solution = cs_client_solve (f->client, ready, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cs_solution_get_token (solution), ==, "03AGdB-token");
  g_assert_cmpuint (cs_task_get_poll_count (ready), ==, 2);

  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  start = g_get_monotonic_time ();
  g_assert_null (cs_client_solve (f->client, pending, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "solve it again to resume polling"));
  g_assert_cmpint (elapsed_ms (start), >=, deadline);
  g_assert_cmpint (elapsed_ms (start), <, deadline + 5000 * time_factor ());
  g_assert_cmpuint (cs_task_get_poll_count (pending), ==, 2);
  assert_requests (f, 2, 4);

  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  mock_server_add_delayed_reply (f->server, "getTaskResult", 20000, 200, REPLY_READY);
  /* the sixth poll is this solve's last */
  thread = g_thread_new ("cancel", cancel_at_poll_thread, &cancel);
  g_assert_null (cs_client_solve (f->client, cancelled, cancellable, &cancel_error));
  g_thread_join (thread);
  g_assert_error (cancel_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_requests (f, 3, 6);
  g_assert_cmpuint (G_OBJECT (cancelled)->ref_count, ==, 1);
}

static void
test_solve_max_polls (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();

  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;

  cs_client_set_max_polls (f->client, 3);
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_PROCESSING);

  /* a spent budget is no time-out: nothing can resume the task, and a
   * generic retry loop must not take it for a transient error */
  error = solve_error (f, task, NULL);
  g_assert_error (error, CS_ERROR, CS_ERROR_POLLS_EXHAUSTED);
  g_assert_cmpint (cs_error_get_retry_class (error), ==, CS_RETRY_CLASS_NEW_TASK);
  g_assert_nonnull (strstr (error->message, TASK_ID));
  g_assert_null (strstr (error->message, "resume"));
  assert_requests (f, 1, 3);
  g_assert_cmpuint (cs_task_get_poll_count (task), ==, 3);

  /* the budget is per task: solving again sends nothing */
  again = solve_error (f, task, NULL);
  g_assert_error (again, CS_ERROR, CS_ERROR_POLLS_EXHAUSTED);
  assert_requests (f, 1, 3);
}

/* The client allows more polls than the provider answers: the solve ends
 * at the provider's count, naming it, without the poll past it (CapSolver
 * answers 120 a task, then forgets it: the result would be lost). */
static void
test_solve_provider_polls (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;

  cs_client_set_max_polls (f->client, 500);
  /* the last two or three polls are spread over what is left of it */
  cs_client_set_deadline (f->client, 6000);
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_PROCESSING);

  error = solve_error (f, task, NULL);
  g_assert_error (error, CS_ERROR, CS_ERROR_POLLS_EXHAUSTED);
  g_assert_nonnull (strstr (error->message, "CapSolver"));
  assert_requests (f, 1, CS_MAX_POLLS_PER_TASK);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_FAILED);
}

/* The blocking calls run on a context of their own, so several worker
 * threads can solve with one client at once. */
#define N_WORKERS 4

typedef struct {
  CsClient   *client;
  CsSolution *solution;
  GError     *error;
} WorkerSolve;

static gpointer
worker_solve (gpointer user_data)
{
  WorkerSolve *work = user_data;
  g_autoptr(CsTask) task = new_token_task ();

  work->solution = cs_client_solve (work->client, task, NULL, &work->error);
  return NULL;
}

static void
test_solve_worker_threads (Fixture       *f,
                           gconstpointer  data)
{
  WorkerSolve work[N_WORKERS] = { { 0, }, };
  GThread *threads[N_WORKERS];

  mock_server_set_fallback (f->server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_READY);

  for (guint i = 0; i < N_WORKERS; i++)
    {
      work[i].client = f->client;
      threads[i] = g_thread_new ("solver", worker_solve, &work[i]);
    }
  for (guint i = 0; i < N_WORKERS; i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < N_WORKERS; i++)
    {
      g_assert_no_error (work[i].error);
      g_assert_nonnull (work[i].solution);
      g_object_unref (work[i].solution);
    }
  g_assert_cmpuint (mock_server_count_requests (f->server, "createTask"), ==, N_WORKERS);
}

static void
test_solve_blocking_deadline (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  cs_client_set_deadline (f->client, 100);
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_IDLE);

  solution = cs_client_solve (f->client, task, NULL, &error);
  g_assert_null (solution);
  g_assert_error (error, CS_ERROR, CS_ERROR_TIMEOUT);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_IDLE);
}

/* --- getBalance ----------------------------------------------------------------- */

/* Every getter of CsPackage has its read-only property, with the same value. */
static void
assert_package_properties (CsPackage *package)
{
  g_autofree char *id = NULL, *title = NULL, *token = NULL;
  gint64 package_type, number_of_calls, status, expire_time;

  g_object_get (package, "id", &id, "package-type", &package_type, "title", &title,
                "number-of-calls", &number_of_calls, "status", &status,
                "expire-time", &expire_time, "token", &token, NULL);
  g_assert_cmpstr (id, ==, cs_package_get_id (package));
  g_assert_cmpint (package_type, ==, cs_package_get_package_type (package));
  g_assert_cmpstr (title, ==, cs_package_get_title (package));
  g_assert_cmpint (number_of_calls, ==, cs_package_get_number_of_calls (package));
  g_assert_cmpint (status, ==, cs_package_get_status (package));
  g_assert_cmpint (expire_time, ==, cs_package_get_expire_time (package));
  g_assert_cmpstr (token, ==, cs_package_get_token (package));
}

static void
test_balance (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *packages;
  g_autoptr(CsPackage) package = NULL;

  cs_client_set_app_id (f->client, "APP");
  mock_server_add_reply (f->server, "getBalance", 200,
                         "{\"errorId\":0,\"balance\":48.6361,\"packages\":["
                         "{\"packageId\":\"12327bff7f703e135e7379kf\",\"type\":2,"
                         "\"title\":\"reCAPTCHA v2 500K\",\"numberOfCalls\":1234567,\"status\":1,"
                         "\"token\":\"CAP-1234567C19044AF7351B31EC12345678\",\"expireTime\":1702896511},"
                         "\"not a package\"]}");

  balance = run_get_balance (f, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (cs_balance_get_amount (balance), 48.6361, 1e-9);
  packages = cs_balance_get_packages (balance);
  g_assert_cmpuint (g_list_model_get_n_items (packages), ==, 1);
  package = g_list_model_get_item (packages, 0);
  g_assert_cmpstr (cs_package_get_id (package), ==, "12327bff7f703e135e7379kf");
  g_assert_cmpint (cs_package_get_package_type (package), ==, 2);
  g_assert_cmpstr (cs_package_get_title (package), ==, "reCAPTCHA v2 500K");
  g_assert_cmpint (cs_package_get_number_of_calls (package), ==, 1234567);
  g_assert_cmpint (cs_package_get_status (package), ==, 1);
  g_assert_cmpint (cs_package_get_expire_time (package), ==, 1702896511);
  g_assert_cmpstr (cs_package_get_token (package), ==, "CAP-1234567C19044AF7351B31EC12345678");
  assert_package_properties (package);

  /* getBalance takes no appId */
  mock_assert_request_body (f->server, "getBalance", 0, BODY_BALANCE);
}

static void
test_balance_shapes (Fixture       *f,
                     gconstpointer  data)
{
  static const struct {
    const char *reply;
    double      amount;
  } good[] = {
    { "{\"errorId\":0,\"balance\":1234567}", 1234567 },
    { "{\"errorId\":0,\"balance\":0.0001,\"packages\":[]}", 0.0001 },
    { "{\"errorId\":0,\"balance\":0}", 0 },
    { "{\"errorId\":0,\"errorCode\":\"\",\"balance\":12.5,\"packages\":null}", 12.5 },
  };
  static const char * const bad[] = {
    "{\"errorId\":0}",
    "{\"errorId\":0,\"balance\":null}",
    "{\"errorId\":0,\"balance\":\"12.5\"}",
    "{\"errorId\":0,\"balance\":{\"usd\":1}}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(CsBalance) balance = NULL;
      g_autoptr(GError) error = NULL;

      mock_server_add_reply (f->server, "getBalance", 200, good[i].reply);
      balance = run_get_balance (f, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (cs_balance_get_amount (balance), good[i].amount, 1e-9);
      g_assert_cmpuint (g_list_model_get_n_items (cs_balance_get_packages (balance)), ==, 0);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(CsBalance) balance = NULL;
      g_autoptr(GError) error = NULL;

      mock_server_add_reply (f->server, "getBalance", 200, bad[i]);
      balance = run_get_balance (f, &error);
      g_assert_null (balance);
      g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "HTTP 200"));
    }
}

/* --- feedbackTask ------------------------------------------------------------------ */

static void
test_feedback (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CsTask) task = cs_task_new_for_id (TASK_ID);
  g_autoptr(GError) error = NULL;

  mock_server_add_reply (f->server, "feedbackTask", 200,
                         "{\"errorId\":0,\"errorCode\":\"\",\"errorDescription\":\"\",\"message\":\"okay\"}");
  mock_server_add_reply (f->server, "feedbackTask", 200, REPLY_OK);
  mock_server_add_reply (f->server, "feedbackTask", 400,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_TASKID_INVALID\","
                         "\"errorDescription\":\"expired\"}");

  cs_client_set_app_id (f->client, "APP-ID");
  g_assert_true (run_feedback (f, task, TRUE, 1001, "invalid token", &error));
  g_assert_no_error (error);
  mock_assert_request_body (f->server, "feedbackTask", 0,
                            "{\"clientKey\":\"" MOCK_API_KEY "\",\"appId\":\"APP-ID\","
                            "\"taskId\":\"" TASK_ID "\",\"result\":{\"invalid\":true,"
                            "\"code\":1001,\"message\":\"invalid token\"}}");

  cs_client_set_app_id (f->client, NULL);
  g_assert_true (run_feedback (f, task, FALSE, 0, NULL, &error));
  g_assert_no_error (error);
  mock_assert_request_body (f->server, "feedbackTask", 1,
                            "{\"clientKey\":\"" MOCK_API_KEY "\",\"taskId\":\"" TASK_ID "\","
                            "\"result\":{\"invalid\":false}}");

  g_assert_false (run_feedback (f, task, TRUE, 0, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_TASKID_INVALID);
}

/* --- Error replies ------------------------------------------------------------------- */

static void
test_http_400_json (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;

  mock_server_add_reply (f->server, "createTask", 400,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_INVALID_TASK_DATA\","
                         "\"errorDescription\":\"invalid task data: websiteKey is required\"}");

  g_assert_false (run_create_task (f, task, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
  g_assert_cmpstr (error->message, ==,
                   "ERROR_INVALID_TASK_DATA: invalid task data: websiteKey is required");
  assert_not_created (f, task);
  g_assert_cmpint (cs_error_get_retry_class (error), ==, CS_RETRY_CLASS_PERMANENT);
}

static void
test_http_401_json (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  mock_server_add_reply (f->server, "getBalance", 401,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_KEY_DENIED_ACCESS\","
                         "\"errorDescription\":\"Your api key is invalid or balance is insufficient ("
                         MOCK_API_KEY ")\"}");

  balance = run_get_balance (f, &error);
  g_assert_null (balance);
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_cmpstr (error->message, ==,
                   "ERROR_KEY_DENIED_ACCESS: Your api key is invalid or balance is insufficient "
                   "([REDACTED])");
}

/* The envelope decides, whatever the HTTP status says. */
static void
test_envelope_over_status (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(CsBalance) no_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) no_id_error = NULL;

  mock_server_add_reply (f->server, "getBalance", 200,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_IP_BANNED\",\"errorDescription\":\"banned\"}");
  mock_server_add_reply (f->server, "getBalance", 200,
                         "{\"errorCode\":\"ERROR_RATE_LIMIT\",\"errorDescription\":\"slow down\"}");

  balance = run_get_balance (f, &error);
  g_assert_null (balance);
  g_assert_error (error, CS_ERROR, CS_ERROR_IP_BANNED);
  g_assert_cmpuint (cs_error_get_cooldown (error), >, 0);

  no_id = run_get_balance (f, &no_id_error);
  g_assert_null (no_id);
  g_assert_error (no_id_error, CS_ERROR, CS_ERROR_RATE_LIMIT);
}

typedef struct {
  const char *name;
  guint       status;
  const char *content_type;
  const char *body;       /* NULL: built by the test */
} BadReply;

static const BadReply bad_replies[] = {
  { "html-502", 502, "text/html",
    "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>" },
  { "empty-200", 200, NULL, "" },
  { "empty-json-200", 200, "application/json", "" },
  { "garbage-200", 200, "application/json", "\x01\x02\xff garbage {" },
  { "truncated-200", 200, "application/json", "{\"errorId\":0,\"balance\":" },
  { "array-200", 200, "application/json", "[{\"errorId\":0,\"balance\":1}]" },
  { "string-200", 200, "application/json", "\"ok\"" },
  { "null-200", 200, "application/json", "null" },
  { "number-200", 200, "application/json", "42" },
  { "html-200", 200, "text/html", "<!DOCTYPE html><html></html>" },
  { "empty-503", 503, "text/plain", "" },
  { "json-500-without-code", 500, "application/json", "{\"errorId\":0}" },
  { "json-404-empty-object", 404, "application/json", "{}" },
  { "deep-array-200", 200, "application/json", NULL },
  { "deep-object-200", 200, "application/json", NULL },
  { "huge-200", 200, "application/json", NULL },
};

static GBytes *
build_bad_body (const BadReply *c)
{
  GString *body;

  if (c->body != NULL)
    return g_bytes_new (c->body, strlen (c->body));

  body = g_string_new (NULL);
  if (g_str_equal (c->name, "deep-array-200"))
    {
      for (guint i = 0; i < 10000; i++)
        g_string_append_c (body, '[');
      for (guint i = 0; i < 10000; i++)
        g_string_append_c (body, ']');
    }
  else if (g_str_equal (c->name, "deep-object-200"))
    {
      for (guint i = 0; i < 10000; i++)
        g_string_append (body, "{\"a\":");
      g_string_append (body, "1");
      for (guint i = 0; i < 10000; i++)
        g_string_append_c (body, '}');
    }
  else
    {
      /* valid JSON, but 9 MiB of it */
      g_string_append (body, "{\"errorId\":0,\"balance\":1,\"padding\":\"");
      while (body->len < 9 * 1024 * 1024)
        g_string_append (body, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
      g_string_append (body, "\"}");
    }
  return g_string_free_to_bytes (body);
}

static void
test_bad_reply (Fixture       *f,
                gconstpointer  data)
{
  const BadReply *c = data;
  g_autoptr(GBytes) body = build_bad_body (c);
  g_autofree char *status_text = g_strdup_printf ("HTTP %u", c->status);
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) create_error = NULL;

  /* a 5xx is an outage: a balance read meets it once more per retry */
  for (guint i = 0; i < (c->status >= 500 ? 1 + OUTAGE_RETRIES : 1); i++)
    mock_server_add_raw_reply (f->server, "getBalance", c->status, c->content_type, body);
  mock_server_add_raw_reply (f->server, "createTask", c->status, c->content_type, body);

  balance = run_get_balance (f, &error);
  g_assert_null (balance);
  g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, status_text));

  g_assert_cmpuint (mock_server_count_requests (f->server, "getBalance"), ==,
                    c->status >= 500 ? 1 + OUTAGE_RETRIES : 1);

  g_assert_false (run_create_task (f, task, &create_error));
  /* a 5xx but 503 that is not the protocol came once the body was sent:
   * the service may have created the task */
  if (c->status >= 500 && c->status != 503)
    {
      g_assert_error (create_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
      g_assert_nonnull (strstr (create_error->message, "may have been carried out"));
    }
  else
    g_assert_error (create_error, CS_ERROR, CS_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (create_error->message, status_text));
  assert_not_created (f, task);
}

static void
test_dropped_connection (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(CsBalance) first = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) balance_error = NULL;

  /* a kept-alive connection first, so that createTask could be tempted
   * to reuse it and resend on failure */
  mock_server_add_reply (f->server, "getBalance", 200, "{\"errorId\":0,\"balance\":1}");
  first = run_get_balance (f, &error);
  g_assert_no_error (error);

  mock_server_add_drop (f->server, "createTask");
  mock_server_set_fallback (f->server, "createTask", 200, REPLY_ID);
  g_assert_false (run_create_task (f, task, &error));
  g_assert_true (error->domain == G_IO_ERROR);
  assert_not_created (f, task);

  /* a balance read is sent again after an outage, a few times: each try
   * loses its connection, and its resend on a new one too */
  for (guint i = 0; i < 2 * (1 + OUTAGE_RETRIES); i++)
    mock_server_add_drop (f->server, "getBalance");
  balance = run_get_balance (f, &balance_error);
  g_assert_null (balance);
  g_assert_true (balance_error->domain == G_IO_ERROR);
  g_assert_cmpint (cs_error_get_retry_class (balance_error), ==, CS_RETRY_CLASS_TRANSIENT);
  g_assert_cmpuint (mock_server_count_requests (f->server, "getBalance"), ==,
                    1 + 2 * (1 + OUTAGE_RETRIES));
}

/* A server that does not finish its reply cannot hold a call past the
 * request timeout; a createTask cut short is not sent again. */
static void
test_request_timeout (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) create_error = NULL;
  gint64 start;

  cs_client_set_request_timeout (f->client, 100);
  /* a balance read that times out is sent again, a few times */
  for (guint i = 0; i < 1 + OUTAGE_RETRIES; i++)
    mock_server_add_delayed_reply (f->server, "getBalance", 5000, 200,
                                   "{\"errorId\":0,\"balance\":1}");
  start = g_get_monotonic_time ();
  balance = run_get_balance (f, &error);
  g_assert_null (balance);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (mock_server_count_requests (f->server, "getBalance"), ==, 1 + OUTAGE_RETRIES);
  g_assert_cmpint (cs_error_get_retry_class (error), ==, CS_RETRY_CLASS_TRANSIENT);

  mock_server_add_delayed_reply (f->server, "createTask", 5000, 200, REPLY_ID);
  g_assert_false (run_create_task (f, task, &create_error));
  g_assert_error (create_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  assert_not_created (f, task);
}

/* After a cooldown error the client sends nothing until the cooldown is
 * over: more requests would only prolong the block. */
static void
test_pause_on_cooldown (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsBalance) resumed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) paused_error = NULL;
  g_autoptr(GError) create_error = NULL;

  cs_client_set_pause_on_cooldown (f->client, TRUE);
  mock_server_add_reply (f->server, "getBalance", 400,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_KEY_TEMP_BLOCKED\","
                         "\"errorDescription\":\"too many bad requests\"}");
  mock_server_set_fallback (f->server, "getBalance", 200, "{\"errorId\":0,\"balance\":3}");

  g_assert_null (run_get_balance (f, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_TEMP_BLOCKED);
  g_assert_cmpuint (cs_client_get_paused_for (f->client), >, 290);
  g_assert_cmpuint (cs_client_get_paused_for (f->client), <=, 300);

  /* paused: the same error at once, and nothing sent */
  g_assert_null (run_get_balance (f, &paused_error));
  g_assert_error (paused_error, CS_ERROR, CS_ERROR_KEY_TEMP_BLOCKED);
  g_assert_nonnull (strstr (paused_error->message, "ERROR_KEY_TEMP_BLOCKED: "));
  g_assert_false (run_create_task (f, task, &create_error));
  g_assert_error (create_error, CS_ERROR, CS_ERROR_KEY_TEMP_BLOCKED);
  g_assert_cmpuint (mock_server_count_requests (f->server, "getBalance"), ==, 1);
  g_assert_cmpuint (mock_server_count_requests (f->server, "createTask"), ==, 0);
  g_assert_null (cs_task_get_task_id (task));

  cs_client_resume (f->client);
  g_assert_cmpuint (cs_client_get_paused_for (f->client), ==, 0);
  resumed = run_get_balance (f, NULL);
  g_assert_nonnull (resumed);
  g_assert_cmpuint (mock_server_count_requests (f->server, "getBalance"), ==, 2);
}

/* Errors of other classes pause nothing, nor does a client told not to. */
static void
test_no_pause (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) rate_error = NULL;
  g_autoptr(CsBalance) balance = NULL;

  cs_client_set_pause_on_cooldown (f->client, TRUE);
  mock_server_add_reply (f->server, "getBalance", 400,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_ZERO_BALANCE\"}");
  g_assert_null (run_get_balance (f, &error));
  g_assert_cmpuint (cs_client_get_paused_for (f->client), ==, 0);

  cs_client_set_pause_on_cooldown (f->client, FALSE);
  mock_server_add_reply (f->server, "getBalance", 400,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_RATE_LIMIT\"}");
  g_assert_null (run_get_balance (f, &rate_error));
  g_assert_error (rate_error, CS_ERROR, CS_ERROR_RATE_LIMIT);
  g_assert_cmpuint (cs_client_get_paused_for (f->client), ==, 0);
  mock_server_set_fallback (f->server, "getBalance", 200, "{\"errorId\":0,\"balance\":3}");
  balance = run_get_balance (f, NULL);
  g_assert_nonnull (balance);
}

/* A request that is safe to repeat gets one more try on a new connection;
 * createTask never does. */
static void
test_dropped_balance_resent (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  mock_server_add_drop (f->server, "getBalance");
  mock_server_set_fallback (f->server, "getBalance", 200, "{\"errorId\":0,\"balance\":2.5}");
  balance = run_get_balance (f, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (cs_balance_get_amount (balance), ==, 2.5);
  g_assert_cmpuint (mock_server_count_requests (f->server, "getBalance"), ==, 2);
}

static void
test_dropped_poll_retried (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;

  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  mock_server_add_drop (f->server, "getTaskResult");
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_READY);

  solution = solve_ok (f, task);
  g_assert_cmpuint (mock_server_count_requests (f->server, "createTask"), ==, 1);
}

/* --- Secrets ------------------------------------------------------------------------ */

static void
assert_no_secret (const GError *error,
                  const char   *secret)
{
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, secret));
  g_assert_null (strstr (error->message, "CAP-0123456789ABCDEF"));
  g_assert_null (strstr (error->message, "CAP-FEDCBA9876543210"));
}

static void
test_key_redacted (Fixture       *f,
                   gconstpointer  data)
{
  static const char plain_key[] = "my-private-key-not-cap-shaped";
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsTask) polled = cs_task_new_for_id (TASK_ID);
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) create_error = NULL;
  g_autoptr(GError) poll_error = NULL;
  g_autoptr(GError) balance_error = NULL;

  mock_server_add_reply (f->server, "createTask", 400,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_KEY_DENIED_ACCESS\","
                         "\"errorDescription\":\"key " MOCK_API_KEY " and " OTHER_KEY " denied\"}");
  g_assert_false (run_create_task (f, task, &create_error));
  assert_no_secret (create_error, MOCK_API_KEY);
  g_assert_cmpstr (create_error->message, ==,
                   "ERROR_KEY_DENIED_ACCESS: key [REDACTED] and [REDACTED] denied");

  /* an error code that carries the key is redacted as well */
  mock_server_add_reply (f->server, "getTaskResult", 400,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_" MOCK_API_KEY "\","
                         "\"errorDescription\":\"x\"}");
  g_assert_false (run_get_task_result (f, polled, &poll_error));
  assert_no_secret (poll_error, MOCK_API_KEY);
  g_assert_error (poll_error, CS_ERROR, CS_ERROR_FAILED);

  /* a key of any shape, echoed back */
  cs_client_set_api_key (f->client, plain_key);
  mock_server_add_reply (f->server, "getBalance", 401,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_KEY_DENIED_ACCESS\","
                         "\"errorDescription\":\"clientKey my-private-key-not-cap-shaped is invalid\"}");
  balance = run_get_balance (f, &balance_error);
  g_assert_null (balance);
  assert_no_secret (balance_error, plain_key);
  g_assert_cmpstr (balance_error->message, ==, "ERROR_KEY_DENIED_ACCESS: clientKey [REDACTED] is invalid");
}

/* The JSON parser quotes the token it could not read: a body that is not
 * JSON must not carry the key into the message either. */
static void
test_key_redacted_in_bad_json (Fixture       *f,
                               gconstpointer  data)
{
  static const char * const bodies[] = {
    MOCK_API_KEY,
    "{\"errorId\":1,\"errorDescription\":" MOCK_API_KEY "}",
    "[" OTHER_KEY "]",
    "{\"clientKey\": my-private-key-not-cap-shaped}",
  };

  cs_client_set_api_key (f->client, "my-private-key-not-cap-shaped");
  for (gsize i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (bodies[i], strlen (bodies[i]));
      g_autoptr(CsBalance) balance = NULL;
      g_autoptr(GError) error = NULL;

      mock_server_add_raw_reply (f->server, "getBalance", 200, "application/json", body);
      balance = run_get_balance (f, &error);
      g_assert_null (balance);
      g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
      assert_no_secret (error, "my-private-key");
    }
}

/* Adds one test per row of a table whose rows start with their name. */
static void
add_table (const char    *prefix,
           gconstpointer  rows,
           gsize          n_rows,
           gsize          row_size,
           void         (*test) (Fixture *, gconstpointer))
{
  for (gsize i = 0; i < n_rows; i++)
    {
      gconstpointer row = (const char *) rows + i * row_size;
      g_autofree char *path = g_strdup_printf ("/client/%s/%s", prefix,
                                               *(const char * const *) row);

      g_test_add (path, Fixture, row, fixture_setup, test, fixture_teardown);
    }
}

/* The environment configures a client only when asked to. */
static void
test_new_from_environment (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsClient) missing = NULL;
  g_autoptr(CsClient) client = NULL;
  g_autoptr(CsClient) explicit = NULL;

  g_unsetenv ("CAPSOLVER_API_KEY");
  g_unsetenv ("CAPSOLVER_BASE_URL");
  missing = cs_client_new_from_environment (&error);
  g_assert_null (missing);
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_nonnull (strstr (error->message, "CAPSOLVER_API_KEY"));

  g_setenv ("CAPSOLVER_API_KEY", MOCK_API_KEY, TRUE);
  client = cs_client_new_from_environment (NULL);
  g_assert_cmpstr (cs_client_get_api_key (client), ==, MOCK_API_KEY);
  g_assert_cmpstr (cs_client_get_base_url (client), ==, CS_DEFAULT_BASE_URL);
  g_clear_object (&client);

  g_setenv ("CAPSOLVER_BASE_URL", "http://127.0.0.1:9/", TRUE);
  client = cs_client_new_from_environment (NULL);
  g_assert_cmpstr (cs_client_get_base_url (client), ==, "http://127.0.0.1:9");
  explicit = cs_client_new ("other");
  g_assert_cmpstr (cs_client_get_base_url (explicit), ==, CS_DEFAULT_BASE_URL);
  g_unsetenv ("CAPSOLVER_API_KEY");
  g_unsetenv ("CAPSOLVER_BASE_URL");
}

/* --- Outages ------------------------------------------------------------------------ */

/* How much slower than usual the tests run (valgrind's setup sets
 * CS_TEST_TIME_FACTOR): bounds and server delays are stretched by it. */
static guint
time_factor (void)
{
  const char *factor = g_getenv ("CS_TEST_TIME_FACTOR");

  return factor != NULL ? MAX (1, g_ascii_strtoll (factor, NULL, 10)) : 1;
}

static void
record_status_cb (CsTask     *task,
                  GParamSpec *pspec,
                  GArray     *statuses)
{
  CsTaskStatus status = cs_task_get_status (task);

  g_array_append_val (statuses, status);
}

/* Polls meeting 5xx pages, dropped connections and a gateway's JSON error
 * in a row: the solve rides them out, and the task's status stays what
 * the service said (never "failed" for a gateway's error). */
static void
test_solve_outage_ridden_out (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GBytes) page = g_bytes_new_static ("<html>503 Service Unavailable</html>", 36);
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (CsTaskStatus));

  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  for (guint i = 0; i < 3; i++)
    {
      mock_server_add_raw_reply (f->server, "getTaskResult", 503, "text/html", page);
      mock_server_add_drop (f->server, "getTaskResult");
      mock_server_add_reply (f->server, "getTaskResult", 502,
                             "{\"errorId\":1,\"errorCode\":\"ERROR_UPSTREAM_DOWN\","
                             "\"errorDescription\":\"no upstream\"}");
    }
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_READY);
  g_signal_connect (task, "notify::status", G_CALLBACK (record_status_cb), statuses);

  solution = solve_ok (f, task);
  g_assert_cmpstr (cs_solution_get_token (solution), ==, "03AGdB-token");
  g_assert_cmpuint (mock_server_count_requests (f->server, "createTask"), ==, 1);
  g_assert_cmpuint (mock_server_count_requests (f->server, "getTaskResult"), ==, 11);
  for (guint i = 0; i < statuses->len; i++)
    g_assert_cmpint (g_array_index (statuses, CsTaskStatus, i), !=, CS_TASK_STATUS_FAILED);
  g_assert_cmpint (g_array_index (statuses, CsTaskStatus, statuses->len - 1), ==,
                   CS_TASK_STATUS_READY);
}

/* An outage longer than the deadline: the polls back off until it, and
 * the solve ends resumably, saying why. */
static void
test_solve_outage_until_deadline (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  guint deadline = 300 * time_factor ();
  guint polls;

  cs_client_set_deadline (f->client, deadline);
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_PROCESSING);
  mock_server_set_fallback (f->server, "getTaskResult", 502, "{\"errorId\":0}");

  error = solve_error (f, task, NULL);
  g_assert_error (error, CS_ERROR, CS_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, TASK_ID));
  g_assert_nonnull (strstr (error->message, "HTTP 502"));
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_PROCESSING);
  /* more than three failures in a row; but backing off (waits of at
   * least 2.5, 5, 10, then 20 ms), not every 5 ms */
  polls = mock_server_count_requests (f->server, "getTaskResult");
  g_assert_cmpuint (polls, >, 1 + MAX_TRANSIENT_POLL_ERRORS);
  g_assert_cmpuint (polls, <=, 6 + deadline / 20);

  /* the service is back: solving again polls the same task */
  cs_client_set_deadline (f->client, 10000);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_READY);
  solution = solve_ok (f, task);
  g_assert_cmpuint (mock_server_count_requests (f->server, "createTask"), ==, 1);
}

/* A task whose polls are spent is over for the client: its status says
 * so. */
static void
test_solve_polls_exhausted_status (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GError) error = NULL;

  cs_client_set_max_polls (f->client, 2);
  mock_server_add_reply (f->server, "createTask", 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_PROCESSING);

  error = solve_error (f, task, NULL);
  g_assert_error (error, CS_ERROR, CS_ERROR_POLLS_EXHAUSTED);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_FAILED);
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);
}

/* A balance read rides out a short outage; one longer than its few
 * retries ends with the last error. */
static void
test_balance_outage (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(CsBalance) none = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) page = g_bytes_new_static ("<html>502 Bad Gateway</html>", 28);

  mock_server_add_raw_reply (f->server, "getBalance", 502, "text/html", page);
  mock_server_add_reply (f->server, "getBalance", 503,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_UPSTREAM_DOWN\"}");
  mock_server_add_reply (f->server, "getBalance", 200, "{\"errorId\":0,\"balance\":2.5}");
  balance = run_get_balance (f, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (cs_balance_get_amount (balance), ==, 2.5);
  g_assert_cmpuint (mock_server_count_requests (f->server, "getBalance"), ==, 3);

  mock_server_set_fallback (f->server, "getBalance", 503, "{\"errorId\":0}");
  none = run_get_balance (f, &error);
  g_assert_null (none);
  g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "HTTP 503"));
  g_assert_cmpuint (mock_server_count_requests (f->server, "getBalance"), ==,
                    3 + 1 + OUTAGE_RETRIES);
}

static void wait_for_requests (Fixture    *f,
                               const char *method,
                               guint       n);

/* Cancelling a balance read that waits to be sent again ends it then. */
static void
test_balance_outage_cancelled (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  f->client->outage_backoff = 60000;
  mock_server_set_fallback (f->server, "getBalance", 503, "{\"errorId\":0}");
  cs_client_get_balance_async (f->client, cancellable, mock_store_result, &f->pending);
  /* the reply comes back soon after the server has the request: by the
   * cancel the client most likely waits to send it again */
  wait_for_requests (f, "getBalance", 1);
  g_timeout_add (200 * time_factor (), cancel_cb, cancellable);
  balance = cs_client_get_balance_finish (f->client, fixture_wait (f), &error);
  g_assert_null (balance);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("%s", error->message);
  /* not after the wait of 30 s or more */
  g_assert_cmpint (elapsed_ms (start), <, 20000);
  g_assert_cmpuint (mock_server_count_requests (f->server, "getBalance"), ==, 1);
}

/* feedbackTask too; its connection lost, it is sent again. */
static void
test_feedback_outage (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsTask) task = cs_task_new_for_id (TASK_ID);
  g_autoptr(GError) error = NULL;

  mock_server_add_drop (f->server, "feedbackTask");
  mock_server_add_reply (f->server, "feedbackTask", 500,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_SERVICE_UNAVALIABLE\"}");
  mock_server_add_reply (f->server, "feedbackTask", 200, REPLY_OK);
  g_assert_true (run_feedback (f, task, FALSE, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mock_server_count_requests (f->server, "feedbackTask"), ==, 3);
}

/* --- createTask: once, and never lost ------------------------------------------------ */

/* Iterates the default context until the server has had @n requests of
 * @method. */
static void
wait_for_requests (Fixture    *f,
                   const char *method,
                   guint       n)
{
  gint64 give_up = g_get_monotonic_time () + MOCK_WAIT_TIMEOUT * G_USEC_PER_SEC;

  while (mock_server_count_requests (f->server, method) < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Iterates the default context until @task has a task id. */
static void
wait_for_task_id (CsTask *task)
{
  gint64 give_up = g_get_monotonic_time () + MOCK_WAIT_TIMEOUT * G_USEC_PER_SEC;

  while (cs_task_get_task_id (task) == NULL && g_get_monotonic_time () < give_up)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);
}

/* How long the server holds a createTask in these tests: the caller
 * cancels meanwhile. */
static guint
create_delay_ms (void)
{
  return 500 * time_factor ();
}

/* Solve A sends createTask and is cancelled while solve B waits for it:
 * A ends at once, B goes on with the task A's request created. */
static void
test_solve_joined_creator_cancelled (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GAsyncResult *pending_a = NULL;
  GAsyncResult *pending_b = NULL;
  g_autoptr(GAsyncResult) result_a = NULL;
  g_autoptr(GAsyncResult) result_b = NULL;
  g_autoptr(CsSolution) solution_a = NULL;
  g_autoptr(CsSolution) solution_b = NULL;
  g_autoptr(GError) error_a = NULL;
  g_autoptr(GError) error_b = NULL;
  g_autofree char *id_when_a_ended = NULL;

  mock_server_add_delayed_reply (f->server, "createTask", create_delay_ms (), 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_READY);
  cs_client_solve_async (f->client, task, cancellable, mock_store_result, &pending_a);
  cs_client_solve_async (f->client, task, NULL, mock_store_result, &pending_b);
  wait_for_requests (f, "createTask", 1);
  g_cancellable_cancel (cancellable);

  result_a = mock_wait_result (&pending_a);
  id_when_a_ended = g_strdup (cs_task_get_task_id (task));
  solution_a = cs_client_solve_finish (f->client, result_a, &error_a);
  result_b = mock_wait_result (&pending_b);
  solution_b = cs_client_solve_finish (f->client, result_b, &error_b);

  g_assert_null (solution_a);
  g_assert_error (error_a, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* A did not wait for the reply */
  g_assert_null (id_when_a_ended);
  g_assert_no_error (error_b);
  g_assert_cmpstr (cs_solution_get_token (solution_b), ==, "03AGdB-token");
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_READY);
  g_assert_cmpuint (mock_server_count_requests (f->server, "createTask"), ==, 1);
}

typedef struct {
  CsClient     *client;
  CsTask       *task;
  GCancellable *cancellable;
  CsSolution   *solution;
  GError       *error;
} BlockingSolve;

static gpointer
blocking_solve_thread (gpointer user_data)
{
  BlockingSolve *work = user_data;

  work->solution = cs_client_solve (work->client, work->task, work->cancellable, &work->error);
  return NULL;
}

/* The same with a blocking solve as the creator: its createTask
 * completes on its private context, which it iterates until then. */
static void
test_solve_blocking_creator_cancelled (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  BlockingSolve work = { f->client, task, cancellable, NULL, NULL };
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;

  mock_server_add_delayed_reply (f->server, "createTask", create_delay_ms (), 200, REPLY_ID);
  mock_server_set_fallback (f->server, "getTaskResult", 200, REPLY_READY);
  thread = g_thread_new ("creator", blocking_solve_thread, &work);
  wait_for_requests (f, "createTask", 1);
  cs_client_solve_async (f->client, task, NULL, mock_store_result, &f->pending);
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);
  solution = cs_client_solve_finish (f->client, fixture_wait (f), &error);

  g_assert_null (work.solution);
  g_assert_error (work.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&work.error);
  g_assert_no_error (error);
  g_assert_cmpstr (cs_solution_get_token (solution), ==, "03AGdB-token");
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);
  g_assert_cmpuint (mock_server_count_requests (f->server, "createTask"), ==, 1);
}

/* A solve cancelled once its createTask left, that nobody else waits
 * for: the request completes in the background, the task gets its id, and
 * a message names it. Solving the task again polls it. */
static void
test_solve_cancelled_create_completes (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  mock_server_add_delayed_reply (f->server, "createTask", create_delay_ms (), 200, REPLY_ID);
  cs_client_solve_async (f->client, task, cancellable, mock_store_result, &f->pending);
  wait_for_requests (f, "createTask", 1);
  g_test_expect_message ("CapSolver", G_LOG_LEVEL_MESSAGE, "*task " TASK_ID " was created*");
  g_cancellable_cancel (cancellable);
  g_assert_null (cs_client_solve_finish (f->client, fixture_wait (f), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (cs_task_get_task_id (task));

  wait_for_task_id (task);
  g_test_assert_expected_messages ();
  assert_requests (f, 1, 0);

  mock_server_add_reply (f->server, "getTaskResult", 200, REPLY_READY);
  solution = solve_ok (f, task);
  assert_requests (f, 1, 1);
}

/* The same for a bare createTask: the call ends cancelled at once, the
 * request does not. */
static void
test_create_cancelled_after_sent (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  mock_server_add_delayed_reply (f->server, "createTask", create_delay_ms (), 200, REPLY_ID);
  cs_client_create_task_async (f->client, task, cancellable, mock_store_result, &f->pending);
  wait_for_requests (f, "createTask", 1);
  g_test_expect_message ("CapSolver", G_LOG_LEVEL_MESSAGE, "*task " TASK_ID " was created*");
  g_cancellable_cancel (cancellable);
  g_assert_false (cs_client_create_task_finish (f->client, fixture_wait (f), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (cs_task_get_task_id (task));

  wait_for_task_id (task);
  g_test_assert_expected_messages ();
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_IDLE);
  assert_requests (f, 1, 0);
}

/* Threads race blocking solves and createTasks of one task, each held a
 * while where it decides whether to create (the test hook): one
 * createTask, whatever the timing. */
#define N_RACERS 12

typedef struct {
  CsClient   *client;
  CsTask     *task;
  guint       index;
  gboolean    created;
  CsSolution *solution;
  GError     *error;
} Racer;

static void
hold_before_create_hook (CsTask *task)
{
  g_usleep (20 * 1000);
}

static gpointer
racer_thread (gpointer user_data)
{
  Racer *racer = user_data;

  /* staggered: some decide while an earlier one's createTask is on its
   * way, some after it came back */
  g_usleep (racer->index * 3 * 1000);
  if (racer->index % 2 == 0)
    racer->solution = cs_client_solve (racer->client, racer->task, NULL, &racer->error);
  else
    racer->created = cs_client_create_task (racer->client, racer->task, NULL, &racer->error);
  return NULL;
}

static void
test_create_race (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ();
  Racer racers[N_RACERS] = { { 0, }, };
  GThread *threads[N_RACERS];
  guint created = 0;

  /* answered at once, so that no racer polls */
  mock_server_set_fallback (f->server, "createTask", 200, REPLY_READY);
  _cs_task_set_begin_create_hook (hold_before_create_hook);
  for (guint i = 0; i < N_RACERS; i++)
    {
      racers[i].client = f->client;
      racers[i].task = task;
      racers[i].index = i;
      threads[i] = g_thread_new ("racer", racer_thread, &racers[i]);
    }
  for (guint i = 0; i < N_RACERS; i++)
    g_thread_join (threads[i]);
  _cs_task_set_begin_create_hook (NULL);

  g_test_message ("%u createTask requests for one task",
                  mock_server_count_requests (f->server, "createTask"));
  g_assert_cmpuint (mock_server_count_requests (f->server, "createTask"), ==, 1);
  for (guint i = 0; i < N_RACERS; i++)
    {
      if (i % 2 == 0)
        {
          g_assert_no_error (racers[i].error);
          g_assert_cmpstr (cs_solution_get_token (racers[i].solution), ==, "03AGdB-token");
          g_clear_object (&racers[i].solution);
        }
      else if (racers[i].created)
        created++;
      else
        g_assert_true (g_error_matches (racers[i].error, G_IO_ERROR, G_IO_ERROR_EXISTS) ||
                       g_error_matches (racers[i].error, G_IO_ERROR, G_IO_ERROR_PENDING));
      g_clear_error (&racers[i].error);
    }
  g_assert_cmpuint (created, <=, 1);
  g_assert_cmpstr (cs_task_get_task_id (task), ==, TASK_ID);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/client/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
#define ADD_TABLE(prefix, table, func) \
  add_table (prefix, table, G_N_ELEMENTS (table), sizeof table[0], func)

  g_test_add_func ("/client/defaults", test_defaults);
  g_test_add_func ("/client/new-from-environment", test_new_from_environment);
  g_test_add_func ("/client/invalid-base-url", test_invalid_base_url);
  g_test_add_func ("/client/connection-refused", test_connection_refused);
  ADD ("session-property", test_session_property);

  ADD ("create/ready", test_create_ready);
  ADD_TABLE ("create/pending", create_cases, test_create_pending);
  ADD ("create/integer-id-polled", test_create_integer_id_polled);
  ADD ("create/no-id", test_create_no_id);
  ADD ("create/existing", test_create_existing);
  ADD ("create/envelope", test_create_envelope);
  ADD ("no-api-key", test_no_api_key);

  ADD_TABLE ("poll/status", poll_cases, test_poll_status);
  ADD ("poll/ready-without-solution", test_poll_ready_without_solution);
  ADD ("poll/failed", test_poll_failed);
  ADD ("poll/errors", test_poll_errors);
  ADD ("poll/without-id", test_poll_without_id);

  ADD ("solve/async", test_solve_async);
  ADD ("solve/blocking", test_solve_blocking);
  ADD ("solve/worker-threads", test_solve_worker_threads);
  ADD ("blocking-calls", test_blocking_calls);
  ADD ("solve/sync-reply", test_solve_sync_reply);
  ADD ("solve/notify-status", test_solve_notify_status);
  ADD ("solve/failed", test_solve_failed);
  ADD ("solve/failed-upper-case", test_solve_failed_upper_case);
  ADD ("blocking-refused", test_blocking_refused);
  ADD ("solve/create-error", test_solve_create_error);
  ADD ("solve/task-for-id", test_solve_task_for_id);
  ADD ("solve/transient-poll-error", test_solve_transient_poll_error);
  ADD ("solve/transient-errors-give-up", test_solve_transient_errors_give_up);
  ADD ("solve/cancel-between-polls", test_solve_cancel_between_polls);
  ADD ("solve/cancel-during-poll", test_solve_cancel_during_poll);
  ADD ("solve/cancelled-before", test_solve_cancelled_before);
  ADD ("solve/deadline-resume", test_solve_deadline_resume);
  ADD ("solve/deadline-during-poll", test_solve_deadline_during_poll);
  ADD ("solve/deadline-during-create", test_solve_deadline_during_create);
  ADD ("solve/deadline-last-poll-ready", test_solve_deadline_last_poll_ready);
  ADD ("solve/deadline-last-poll-timeout", test_solve_deadline_last_poll_timeout);
  ADD ("solve/deadline-last-poll-cancelled", test_solve_deadline_last_poll_cancelled);
  ADD ("solve/deadline-last-poll-planned", test_solve_deadline_last_poll_planned);
  ADD ("solve/deadline-last-poll-replanned", test_solve_deadline_last_poll_replanned);
  ADD ("solve/deadline-no-last-poll-after-slow-create",
       test_solve_deadline_no_last_poll_after_slow_create);
  ADD ("solve/max-polls", test_solve_max_polls);
  ADD ("solve/provider-polls", test_solve_provider_polls);
  ADD ("solve/blocking-deadline", test_solve_blocking_deadline);
  ADD ("solve/blocking-deadline-last-poll", test_solve_blocking_deadline_last_poll);

  ADD ("balance", test_balance);
  ADD ("balance/shapes", test_balance_shapes);
  ADD ("feedback", test_feedback);

  ADD ("http-400-json", test_http_400_json);
  ADD ("http-401-json", test_http_401_json);
  ADD ("envelope-over-status", test_envelope_over_status);
  ADD_TABLE ("bad-reply", bad_replies, test_bad_reply);
  ADD ("dropped-connection", test_dropped_connection);
  ADD ("dropped-poll-retried", test_dropped_poll_retried);
  ADD ("dropped-balance-resent", test_dropped_balance_resent);
  ADD ("request-timeout", test_request_timeout);
  ADD ("pause-on-cooldown", test_pause_on_cooldown);
  ADD ("no-pause", test_no_pause);
  ADD ("key-redacted", test_key_redacted);
  ADD ("key-redacted-in-bad-json", test_key_redacted_in_bad_json);

  ADD ("solve/outage-ridden-out", test_solve_outage_ridden_out);
  ADD ("solve/outage-until-deadline", test_solve_outage_until_deadline);
  ADD ("solve/polls-exhausted-status", test_solve_polls_exhausted_status);
  ADD ("balance/outage", test_balance_outage);
  ADD ("balance/outage-cancelled", test_balance_outage_cancelled);
  ADD ("feedback/outage", test_feedback_outage);
  ADD ("solve/joined-creator-cancelled", test_solve_joined_creator_cancelled);
  ADD ("solve/blocking-creator-cancelled", test_solve_blocking_creator_cancelled);
  ADD ("solve/cancelled-create-completes", test_solve_cancelled_create_completes);
  ADD ("create/cancelled-after-sent", test_create_cancelled_after_sent);
  ADD ("create/race", test_create_race);

#undef ADD
#undef ADD_TABLE

  return g_test_run ();
}
