/* test-client-dialect.c: the client speaking each provider's dialect
 *
 * Every test runs once per provider, a client of that provider against
 * a sandbox in its dialect (CsSandbox:dialect): what the client writes
 * must be what the provider takes, and what it reads what the provider
 * sends (integer task ids, its error codes and numbers).
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver-glib.h"
#include "cs-dialect.h"
#include "mock-server.h"

#define GOOD_KEY "dialect-test-key"
#define RECAPTCHA_SITE_KEY "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-"

typedef struct {
  CsProvider  provider;
  const char *example;        /* a documented reCAPTCHA v2 createTask, under tests/dialects */
  CsError     wrong_key;      /* what a key the provider does not know is */
  const char *wrong_key_code; /* and its code as sent */
  const char *lacking_type;   /* a type the provider has none of; NULL: none tried */
  gboolean    integer_ids;
  gboolean    extras;         /* cost, ip, createTime… beside the solution, as text or not */
  const char *report_bad;     /* the method of an incorrect reCAPTCHA report */
  const char *report_good;    /* of a correct one; NULL: it takes none */
  gboolean    report_once;    /* one report per task */
  const char *report_image;   /* the method of an incorrect image report */
  const char *image_example;  /* a documented image createTask, or NULL */
  const char *pool_at;        /* where languagePool goes: "envelope", "image", NULL */
} ProviderCase;

static const ProviderCase cases[] = {
  { CS_PROVIDER_CAPSOLVER, "capsolver/create-recaptcha-v2.json",
    CS_ERROR_KEY_DENIED_ACCESS, "ERROR_KEY_DENIED_ACCESS",
    NULL, FALSE, FALSE, "feedbackTask", "feedbackTask", FALSE, "feedbackTask", NULL, NULL },
  { CS_PROVIDER_COMPATIBLE, "capsolver/create-recaptcha-v2.json",
    CS_ERROR_KEY_DENIED_ACCESS, "ERROR_KEY_DENIED_ACCESS",
    NULL, FALSE, FALSE, "feedbackTask", "feedbackTask", FALSE, "feedbackTask", NULL, NULL },
  { CS_PROVIDER_ANTI_CAPTCHA, "anti-captcha/create-recaptcha-v2-proxy.json",
    CS_ERROR_KEY_DOES_NOT_EXIST, "ERROR_KEY_DOES_NOT_EXIST",
    "MtCaptchaTaskProxyLess", TRUE, TRUE,
    "reportIncorrectRecaptcha", "reportCorrectRecaptcha", TRUE, "reportIncorrectImageCaptcha",
    "anti-captcha/create-image-to-text.json", "image" },
  { CS_PROVIDER_TWOCAPTCHA, "2captcha/create-recaptcha-v2.json",
    CS_ERROR_KEY_DOES_NOT_EXIST, "ERROR_KEY_DOES_NOT_EXIST",
    "MtCaptchaTaskProxyLess", TRUE, TRUE, "reportIncorrect", "reportCorrect", TRUE,
    "reportIncorrect", "2captcha/create-image-to-text.json", "envelope" },
  { CS_PROVIDER_CAPMONSTER, "capmonster/create-recaptcha-v2.json",
    CS_ERROR_KEY_DOES_NOT_EXIST, "ERROR_KEY_DOES_NOT_EXIST",
    "AntiAwsWafTaskProxyLess", TRUE, FALSE, "reportIncorrectTokenCaptcha", NULL, FALSE,
    "reportIncorrectImageCaptcha", NULL, NULL },
};

typedef struct {
  const ProviderCase *pc;
  CsSandbox          *sandbox;
  CsClient           *client;
  GAsyncResult       *result;
} Fixture;

static CsClient *
new_client (Fixture    *f,
            const char *key)
{
  return g_object_new (CS_TYPE_CLIENT,
                       "api-key", key,
                       "provider", f->pc->provider,
                       "base-url", cs_sandbox_get_base_url (f->sandbox),
                       "first-poll-delay", 10,
                       "poll-interval", 10,
                       NULL);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->pc = data;
  f->sandbox = g_object_new (CS_TYPE_SANDBOX, "dialect", f->pc->provider, NULL);
  cs_sandbox_add_key (f->sandbox, GOOD_KEY, 10.0);
  /* a task is ready at its first poll, so that the solves do not wait
   * the provider's minimum poll interval; poll-interval polls before */
  cs_sandbox_set_polls_until_ready (f->sandbox, 0);
  g_assert_true (cs_sandbox_start (f->sandbox, 0, &error));
  g_assert_no_error (error);
  f->client = new_client (f, GOOD_KEY);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->result);
  g_clear_object (&f->client);
  g_clear_object (&f->sandbox);
}

static CsTask *
new_recaptcha_task (void)
{
  CsTask *task = cs_task_new ("ReCaptchaV2TaskProxyLess");

  cs_task_set_string (task, "websiteURL", "https://example.com/login");
  cs_task_set_string (task, "websiteKey", RECAPTCHA_SITE_KEY);
  return task;
}

static CsSolution *
solve (Fixture  *f,
       CsTask   *task,
       GError  **error)
{
  g_clear_object (&f->result);
  cs_client_solve_async (f->client, task, NULL, mock_store_result, &f->result);
  return cs_client_solve_finish (f->client, mock_wait_result (&f->result), error);
}

static void
assert_task_id_form (Fixture *f,
                     CsTask  *task)
{
  const char *task_id = cs_task_get_task_id (task);
  gsize digits;

  g_assert_nonnull (task_id);
  digits = strspn (task_id, "0123456789");
  /* the providers that number their tasks number them; CapSolver's are UUIDs */
  if (f->pc->integer_ids)
    g_assert_cmpuint (digits, ==, strlen (task_id));
  else
    g_assert_cmpuint (digits, <, strlen (task_id));
}

/* The result fields as the sandbox writes them in the dialect: Anti-Captcha
 * sends cost and solveCount as text, 2Captcha cost as text and solveCount
 * as a number; the others send none. The cost is counted. */
static void
assert_result_fields (Fixture    *f,
                      CsSolution *solution,
                      const char *type_name)
{
  g_autoptr(CsUsage) usage = cs_client_get_usage (f->client);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  double price = cs_sandbox_get_price (f->sandbox, type_name);

  if (!f->pc->extras)
    {
      g_assert_cmpfloat (cs_solution_get_cost (solution), ==, -1);
      g_assert_null (cs_solution_get_ip (solution));
      g_assert_cmpint (cs_solution_get_task_create_time (solution), ==, 0);
      g_assert_cmpint (cs_solution_get_task_end_time (solution), ==, 0);
      g_assert_cmpint (cs_solution_get_solve_count (solution), ==, -1);
      return;
    }
  g_assert_cmpfloat (price, >, 0);
  g_assert_cmpfloat_with_epsilon (cs_solution_get_cost (solution), price, 1e-6);
  g_assert_cmpfloat_with_epsilon (cs_usage_get_cost (usage), cs_solution_get_cost (solution),
                                  1e-6);
  g_assert_cmpstr (cs_solution_get_ip (solution), ==, "127.0.0.1");
  g_assert_cmpint (cs_solution_get_task_create_time (solution), >, now - 60);
  g_assert_cmpint (cs_solution_get_task_create_time (solution), <=,
                   cs_solution_get_task_end_time (solution));
  g_assert_cmpint (cs_solution_get_task_end_time (solution), <=, now);
  g_assert_cmpint (cs_solution_get_solve_count (solution), ==, 1);
  {
    double cost = 0;
    gint64 count = 0;

    g_object_get (solution, "cost", &cost, "solve-count", &count, NULL);
    g_assert_cmpfloat (cost, ==, cs_solution_get_cost (solution));
    g_assert_cmpint (count, ==, 1);
  }
}

static gboolean report (Fixture  *f,
                        CsTask   *task,
                        gboolean  correct,
                        GError  **error);

static void
test_image (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CsTask) task = mock_new_image_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  solution = solve (f, task, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cs_solution_get_text (solution));
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_READY);
  assert_task_id_form (f, task);
  assert_result_fields (f, solution, "ImageToTextTask");

  /* an image is reported by the provider's image method */
  g_assert_true (report (f, task, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, f->pc->report_image), ==, 1);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "createTask"), ==, 1);
  /* CapSolver answers recognition at once; the others are polled */
  if (f->pc->integer_ids)
    g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "getTaskResult"), >=, 1);
}

static void
test_recaptcha (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CsTask) task = new_recaptcha_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  const char *token;

  solution = solve (f, task, &error);
  g_assert_no_error (error);
  token = cs_solution_get_token (solution);
  g_assert_nonnull (token);
  g_assert_cmpstr (token, !=, "");
  assert_task_id_form (f, task);
  assert_result_fields (f, solution, "ReCaptchaV2TaskProxyLess");
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "createTask"), ==, 1);
}

/* A task polled before it is ready is polled again no sooner than the
 * provider's minimum poll interval, whatever the client's poll interval
 * (10 ms here): the provider refuses or punishes polls closer than that. */
static void
test_poll_interval (Fixture       *f,
                    gconstpointer  data)
{
  guint interval = _cs_dialect_get_limits (_cs_dialect_get (f->pc->provider))
                   ->min_poll_interval_ms;
  g_autoptr(CsTask) task = new_recaptcha_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) timings = NULL;
  JsonObject *record;

  cs_sandbox_set_polls_until_ready (f->sandbox, 1);
  solution = solve (f, task, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cs_solution_get_token (solution));
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "getTaskResult"), ==, 2);

  /* the second poll, which fetched the token, came at least the interval
   * after the first, itself after createTask */
  timings = cs_sandbox_get_timings (f->sandbox);
  record = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (timings), "tasks"), 0);
  g_test_message ("%s: minimum interval %u ms, token fetched %.0f ms after createTask",
                  cs_provider_get_name (f->pc->provider), interval,
                  json_object_get_double_member (record, "fetchedMs") -
                  json_object_get_double_member (record, "createdMs"));
  g_assert_cmpfloat (json_object_get_double_member (record, "fetchedMs") -
                     json_object_get_double_member (record, "createdMs"), >=, interval);
}

static void
record_poll_cb (SoupSession *session,
                SoupMessage *message,
                gpointer     user_data)
{
  GArray *sent = user_data;

  if (g_str_has_suffix (g_uri_get_path (soup_message_get_uri (message)), "getTaskResult"))
    {
      gint64 now = g_get_monotonic_time ();

      g_array_append_val (sent, now);
    }
}

/* The provider's minimum interval holds across solves of one task: a solve
 * that ended with CS_ERROR_TIMEOUT (after its last poll, shortly before its
 * deadline) and is solved again, as the error says, polls again no sooner
 * than the interval after that poll. */
static void
test_poll_interval_resumed (Fixture       *f,
                            gconstpointer  data)
{
  guint interval = _cs_dialect_get_limits (_cs_dialect_get (f->pc->provider))
                   ->min_poll_interval_ms;
  g_autoptr(GArray) sent = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(CsTask) task = new_recaptcha_task ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) resumed_error = NULL;

  cs_sandbox_set_polls_until_ready (f->sandbox, 1000);
  cs_client_set_first_poll_delay (f->client, 10);
  cs_client_set_poll_interval (f->client, 60000);
  cs_client_set_deadline (f->client, 2500);
  g_signal_connect (cs_client_get_session (f->client), "request-queued",
                    G_CALLBACK (record_poll_cb), sent);
  g_assert_null (cs_client_solve (f->client, task, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_TIMEOUT);
  cs_client_set_deadline (f->client, 300);
  g_assert_null (cs_client_solve (f->client, task, NULL, &resumed_error));
  g_assert_error (resumed_error, CS_ERROR, CS_ERROR_TIMEOUT);
  g_signal_handlers_disconnect_by_data (cs_client_get_session (f->client), sent);

  g_assert_cmpuint (sent->len, >=, 1);
  for (guint i = 1; i < sent->len; i++)
    g_assert_cmpint (g_array_index (sent, gint64, i) - g_array_index (sent, gint64, i - 1),
                     >=, (gint64) interval * 1000);
}

static void
test_wrong_key (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, "a-key-nobody-registered");
  g_autoptr(CsTask) task = new_recaptcha_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  g_set_object (&f->client, client);
  solution = solve (f, task, &error);
  g_assert_null (solution);
  g_assert_error (error, CS_ERROR, (gint) f->pc->wrong_key);
  code = cs_error_get_code_text (error);
  g_assert_cmpstr (code, ==, f->pc->wrong_key_code);
  g_assert_null (strstr (error->message, "a-key-nobody-registered"));
  g_assert_null (cs_task_get_task_id (task));
}

static void
test_balance (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  cs_client_get_balance_async (f->client, NULL, mock_store_result, &f->result);
  balance = cs_client_get_balance_finish (f->client, mock_wait_result (&f->result), &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (cs_balance_get_amount (balance), 10.0, 1e-9);
}

static gboolean
report (Fixture  *f,
        CsTask   *task,
        gboolean  correct,
        GError  **error)
{
  g_clear_object (&f->result);
  cs_client_report_async (f->client, task, correct, NULL, mock_store_result, &f->result);
  return cs_client_report_finish (f->client, mock_wait_result (&f->result), error);
}

/* A report the provider answered with an outage page may have been
 * recorded: it is sent once, not again after the outage, and where the
 * provider takes one report per task, it was that one. */
static void
test_report_outage (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsTask) task = new_recaptcha_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again_error = NULL;
  gboolean again;

  solution = solve (f, task, &error);
  g_assert_no_error (error);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_HTTP_503_HTML, 10);
  g_assert_false (report (f, task, FALSE, &error));
  g_assert_nonnull (error);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_NONE, 0);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, f->pc->report_bad), ==, 1);

  again = report (f, task, FALSE, &again_error);
  if (f->pc->report_once)
    {
      g_assert_false (again);
      g_assert_error (again_error, CS_ERROR, CS_ERROR_BAD_REQUEST);
      g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, f->pc->report_bad), ==, 1);
    }
  else
    {
      g_assert_no_error (again_error);
      g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, f->pc->report_bad), ==, 2);
    }
}

/* One call reports a solution, by the provider's own method and rules. */
static void
test_report (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CsTask) bad = new_recaptcha_task ();
  g_autoptr(CsTask) good = new_recaptcha_task ();
  g_autoptr(CsSolution) bad_solution = NULL;
  g_autoptr(CsSolution) good_solution = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again_error = NULL;
  g_autoptr(GError) good_error = NULL;
  gboolean again;

  bad_solution = solve (f, bad, &error);
  g_assert_no_error (error);
  good_solution = solve (f, good, &error);
  g_assert_no_error (error);

  g_assert_true (report (f, bad, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, f->pc->report_bad), ==, 1);

  /* a second report of the same task */
  again = report (f, bad, FALSE, &again_error);
  if (f->pc->report_once)
    {
      g_assert_false (again);
      g_assert_error (again_error, CS_ERROR, CS_ERROR_BAD_REQUEST);
      g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, f->pc->report_bad), ==, 1);
    }
  else
    {
      g_assert_no_error (again_error);
      g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, f->pc->report_bad), ==, 2);
    }

  /* a correct solution */
  if (f->pc->report_good == NULL)
    {
      guint before = cs_sandbox_get_request_count (f->sandbox, f->pc->report_bad);

      g_assert_false (report (f, good, TRUE, &good_error));
      g_assert_error (good_error, CS_ERROR, CS_ERROR_PAGE_NOT_FOUND);
      g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, f->pc->report_bad), ==,
                        before);
    }
  else
    {
      guint before = cs_sandbox_get_request_count (f->sandbox, f->pc->report_good);

      g_assert_true (report (f, good, TRUE, &good_error));
      g_assert_no_error (good_error);
      g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, f->pc->report_good), ==,
                        before + 1);
    }
}

/* A type the provider lacks is refused before anything is sent, naming
 * who has it. */
static void
test_lacking_type (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CsTask) task = NULL;
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  if (f->pc->lacking_type == NULL)
    {
      g_test_skip ("the provider has every type of the task table");
      return;
    }
  task = cs_task_new (f->pc->lacking_type);
  cs_task_set_string (task, "websiteURL", "https://example.com/login");
  cs_task_set_string (task, "websiteKey", "MTPublic-abc123");
  solution = solve (f, task, &error);
  g_assert_null (solution);
  g_assert_error (error, CS_ERROR, CS_ERROR_TASK_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "CapSolver"));
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "createTask"), ==, 0);
}

static JsonObject *
load_example (const char *file)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "dialects", file, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  root = json_from_string (text, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (root));
}

static JsonNode *
parse_body (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

/* What the client writes is the provider's documented request: the task
 * in its words, its developer id, and task ids of its type in the poll. */
static void
run_wire (const ProviderCase *pc,
          const char         *example_file)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(JsonObject) example = load_example (example_file);
  JsonObject *neutral = json_object_get_object_member (example, "neutral");
  JsonObject *envelope = json_object_get_object_member (example, "envelope");
  JsonObject *request = json_object_get_object_member (example, "request");
  const char *app_id = json_object_get_string_member_with_default (envelope, "appId", NULL);
  const char *callback = json_object_get_string_member_with_default (envelope, "callbackUrl",
                                                                     NULL);
  const char *pool = json_object_get_string_member_with_default (envelope, "languagePool",
                                                                 NULL);
  gboolean image = g_strcmp0 (json_object_get_string_member (neutral, "type"),
                              "ImageToTextTask") == 0;
  g_autoptr(CsClient) client = NULL;
  g_autoptr(CsTask) task = cs_task_new (json_object_get_string_member (neutral, "type"));
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *create_text = NULL;
  g_autofree char *poll_text = NULL;
  g_autoptr(JsonNode) sent = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autoptr(JsonNode) poll = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  client = g_object_new (CS_TYPE_CLIENT,
                         "api-key", json_object_get_string_member (envelope, "clientKey"),
                         "provider", pc->provider, "app-id", app_id,
                         "language-pool", pool,
                         "base-url", mock_server_get_url (server),
                         "first-poll-delay", 5, "poll-interval", 5, NULL);
  json_object_iter_init (&iter, neutral);
  while (json_object_iter_next (&iter, &name, &value))
    if (strcmp (name, "type") != 0)
      cs_task_set_json (task, name, value);
  if (callback != NULL)
    cs_task_set_callback_url (task, callback);

  mock_server_add_reply (server, "createTask", 200,
                         pc->integer_ids ? "{\"errorId\":0,\"taskId\":7654321}"
                                         : "{\"errorId\":0,\"taskId\":\"6a2c1f0e-1\"}");
  mock_server_add_reply (server, "getTaskResult", 200,
                         "{\"errorId\":0,\"status\":\"processing\"}");
  mock_server_add_reply (server, "getTaskResult", 200,
                         "{\"errorId\":0,\"status\":\"ready\","
                         "\"solution\":{\"gRecaptchaResponse\":\"03AGdBq2\",\"text\":\"03AGdBq2\"},"
                         "\"cost\":0.00125,\"ip\":\"203.0.113.5\",\"createTime\":1700000000,"
                         "\"endTime\":\"1700000007\",\"solveCount\":\"0\"}");
  cs_client_solve_async (client, task, NULL, mock_store_result, &result);
  solution = cs_client_solve_finish (client, mock_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (image ? cs_solution_get_text (solution) : cs_solution_get_token (solution), ==,
                   "03AGdBq2");
  g_assert_cmpstr (cs_task_get_task_id (task), ==, pc->integer_ids ? "7654321" : "6a2c1f0e-1");
  /* the result fields as numbers (and a time and a count as text) */
  g_assert_cmpfloat_with_epsilon (cs_solution_get_cost (solution), 0.00125, 1e-9);
  g_assert_cmpstr (cs_solution_get_ip (solution), ==, "203.0.113.5");
  g_assert_cmpint (cs_solution_get_task_create_time (solution), ==, 1700000000);
  g_assert_cmpint (cs_solution_get_task_end_time (solution), ==, 1700000007);
  g_assert_cmpint (cs_solution_get_solve_count (solution), ==, 0);
  {
    g_autoptr(CsUsage) usage = cs_client_get_usage (client);

    g_assert_cmpfloat_with_epsilon (cs_usage_get_cost (usage), 0.00125, 1e-9);
  }

  create_text = mock_server_dup_request_body (server, "createTask", 0);
  sent = parse_body (create_text);
  expected = json_node_init_object (json_node_alloc (), request);
  if (!json_node_equal (sent, expected))
    {
      g_autofree char *want = json_to_string (expected, FALSE);

      g_test_message ("sent %s\nexpected %s", create_text, want);
      g_test_fail ();
    }

  poll_text = mock_server_dup_request_body (server, "getTaskResult", 0);
  poll = parse_body (poll_text);
  value = json_object_get_member (json_node_get_object (poll), "taskId");
  g_assert_nonnull (value);
  if (pc->integer_ids)
    {
      g_assert_cmpint (json_node_get_value_type (value), ==, G_TYPE_INT64);
      g_assert_cmpint (json_node_get_int (value), ==, 7654321);
    }
  else
    g_assert_cmpstr (json_node_get_string (value), ==, "6a2c1f0e-1");
}

static void
test_wire (gconstpointer data)
{
  const ProviderCase *pc = data;

  run_wire (pc, pc->example);
}

/* The documented image request, its languagePool from
 * CsClient:language-pool where the provider wants it. */
static void
test_wire_image (gconstpointer data)
{
  const ProviderCase *pc = data;

  run_wire (pc, pc->image_example);
}

/* CsClient:language-pool goes where the provider takes it, for the
 * tasks it takes it for, and nowhere else: not to CapSolver nor
 * CapMonster Cloud, not with a reCAPTCHA task at Anti-Captcha. */
static void
test_language_pool (gconstpointer data)
{
  const ProviderCase *pc = data;
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = NULL;
  CsTask *tasks[2] = { mock_new_image_task (), new_recaptcha_task () };

  client = g_object_new (CS_TYPE_CLIENT, "api-key", GOOD_KEY, "provider", pc->provider,
                         "base-url", mock_server_get_url (server), "language-pool", "en",
                         "first-poll-delay", 5, "poll-interval", 5, NULL);
  g_assert_cmpstr (cs_client_get_language_pool (client), ==, "en");
  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      g_autoptr(CsSolution) solution = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) sent = NULL;
      JsonObject *task;
      gboolean in_envelope = g_strcmp0 (pc->pool_at, "envelope") == 0;
      gboolean in_task = g_strcmp0 (pc->pool_at, "image") == 0 && i == 0;

      mock_server_add_reply (server, "createTask", 200,
                             pc->integer_ids ? "{\"errorId\":0,\"taskId\":7654321}"
                                             : "{\"errorId\":0,\"taskId\":\"6a2c1f0e-1\"}");
      mock_server_add_reply (server, "getTaskResult", 200,
                             "{\"errorId\":0,\"status\":\"ready\","
                             "\"solution\":{\"gRecaptchaResponse\":\"t\",\"text\":\"t\"}}");
      cs_client_solve_async (client, tasks[i], NULL, mock_store_result, &result);
      solution = cs_client_solve_finish (client, mock_wait_result (&result), &error);
      g_assert_no_error (error);
      sent = mock_server_dup_request_json (server, "createTask", i);
      task = json_object_get_object_member (sent, "task");
      g_assert_cmpstr (json_object_get_string_member_with_default (sent, "languagePool", NULL),
                       ==, in_envelope ? "en" : NULL);
      g_assert_cmpstr (json_object_get_string_member_with_default (task, "languagePool", NULL),
                       ==, in_task ? "en" : NULL);
      g_object_unref (tasks[i]);
    }
  /* an empty string is none */
  cs_client_set_language_pool (client, "");
  g_assert_null (cs_client_get_language_pool (client));
}

/* An integer task id is kept only when json-glib reads it exactly: digits
 * up to G_MAXINT64. One past it (which json-glib wraps or clamps), a
 * negative, a fraction or an exponent is refused with CS_ERROR_PROTOCOL
 * naming it as written, and nothing is polled. */
static void
test_task_id_range (gconstpointer data)
{
  const ProviderCase *pc = data;
  static const char * const refused[] = {
    "99999999999999999999", "9223372036854775808", "18446744073709551615", "-5",
    "-9223372036854775809", "1.5", "1e3", "7.0",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (refused) + 1; i++)
    {
      g_autoptr(MockServer) server = mock_server_new ();
      g_autoptr(CsClient) client = NULL;
      g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/",
                                                         RECAPTCHA_SITE_KEY);
      g_autoptr(CsSolution) solution = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      const char *id = i < G_N_ELEMENTS (refused) ? refused[i] : "9223372036854775807";
      g_autofree char *reply = g_strdup_printf ("{\"errorId\":0,\"taskId\": %s}", id);
      g_autoptr(JsonObject) poll = NULL;

      client = g_object_new (CS_TYPE_CLIENT, "api-key", GOOD_KEY, "provider", pc->provider,
                             "base-url", mock_server_get_url (server),
                             "first-poll-delay", 5, "poll-interval", 5, NULL);
      mock_server_add_reply (server, "createTask", 200, reply);
      mock_server_add_reply (server, "getTaskResult", 200,
                             "{\"errorId\":0,\"status\":\"ready\","
                             "\"solution\":{\"gRecaptchaResponse\":\"tok\"}}");
      cs_client_solve_async (client, task, NULL, mock_store_result, &result);
      solution = cs_client_solve_finish (client, mock_wait_result (&result), &error);
      if (i < G_N_ELEMENTS (refused))
        {
          g_autofree char *named = g_strdup_printf ("taskId %s is no whole number", id);

          g_assert_null (solution);
          g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
          g_assert_nonnull (strstr (error->message, named));
          g_assert_null (cs_task_get_task_id (task));
          g_assert_cmpuint (mock_server_count_requests (server, "getTaskResult"), ==, 0);
          continue;
        }
      /* the largest is kept exactly, and polled as the same number */
      g_assert_no_error (error);
      g_assert_cmpstr (cs_task_get_task_id (task), ==, id);
      poll = mock_server_dup_request_json (server, "getTaskResult", 0);
      g_assert_cmpint (json_object_get_int_member (poll, "taskId"), ==, G_MAXINT64);
    }
}

/* The raw text cannot tell the top-level taskId from a nested one of the
 * same name, nor find a name written with escapes: such replies are
 * refused rather than read as another number. */
static void
test_task_id_text (gconstpointer data)
{
  const ProviderCase *pc = data;
  static const char * const replies[] = {
    "{\"errorId\":0,\"taskId\":-9223372036854775809,\"x\":{\"taskId\":9223372036854775807}}",
    "{\"errorId\":0,\"x\":{\"taskId\":-9223372036854775809},\"taskId\":9223372036854775807}",
    "{\"errorId\":0,\"task\\u0049d\":5}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (replies); i++)
    {
      g_autoptr(MockServer) server = mock_server_new ();
      g_autoptr(CsClient) client = NULL;
      g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/",
                                                         RECAPTCHA_SITE_KEY);
      g_autoptr(CsSolution) solution = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      client = g_object_new (CS_TYPE_CLIENT, "api-key", GOOD_KEY, "provider", pc->provider,
                             "base-url", mock_server_get_url (server),
                             "first-poll-delay", 5, "poll-interval", 5, NULL);
      mock_server_add_reply (server, "createTask", 200, replies[i]);
      mock_server_add_reply (server, "getTaskResult", 200,
                             "{\"errorId\":0,\"status\":\"ready\","
                             "\"solution\":{\"gRecaptchaResponse\":\"tok\"}}");
      cs_client_solve_async (client, task, NULL, mock_store_result, &result);
      solution = cs_client_solve_finish (client, mock_wait_result (&result), &error);
      g_assert_null (solution);
      g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
      g_assert_null (cs_task_get_task_id (task));
      g_assert_cmpuint (mock_server_count_requests (server, "getTaskResult"), ==, 0);
    }
}

/* Without a base URL, a client of a provider talks to the provider's own
 * first host; "compatible" has none, and sends nothing. */
static void
test_default_base_url (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CsClient) client = g_object_new (CS_TYPE_CLIENT, "api-key", "k",
                                                 "provider", cases[i].provider, NULL);
      const char * const *urls = cs_provider_get_base_urls (cases[i].provider);

      g_assert_cmpint (cs_client_get_provider (client), ==, cases[i].provider);
      g_assert_cmpstr (cs_client_get_base_url (client), ==, urls[0]);
      /* set, then unset: the provider's again */
      cs_client_set_base_url (client, "http://127.0.0.1:9/");
      g_assert_cmpstr (cs_client_get_base_url (client), ==, "http://127.0.0.1:9");
      cs_client_set_base_url (client, NULL);
      g_assert_cmpstr (cs_client_get_base_url (client), ==, urls[0]);
    }

  {
    g_autoptr(CsClient) client = cs_client_new ("k");

    g_assert_cmpint (cs_client_get_provider (client), ==, CS_PROVIDER_CAPSOLVER);
    g_assert_cmpstr (cs_client_get_base_url (client), ==, CS_DEFAULT_BASE_URL);
  }
}

static void
test_compatible_needs_url (void)
{
  g_autoptr(CsClient) client = g_object_new (CS_TYPE_CLIENT, "api-key", "k",
                                             "provider", CS_PROVIDER_COMPATIBLE, NULL);
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_null (balance);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "needs a base URL"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *name = cs_provider_get_name (cases[i].provider);
#define ADD(what, func)                                                              \
      G_STMT_START {                                                                 \
        g_autofree char *path = g_strdup_printf ("/client-dialect/%s/" what, name);  \
        g_test_add (path, Fixture, &cases[i], fixture_setup, func, fixture_teardown); \
      } G_STMT_END
      ADD ("image", test_image);
      ADD ("recaptcha-v2", test_recaptcha);
      ADD ("poll-interval", test_poll_interval);
      ADD ("poll-interval-resumed", test_poll_interval_resumed);
      ADD ("wrong-key", test_wrong_key);
      ADD ("balance", test_balance);
      ADD ("lacking-type", test_lacking_type);
      ADD ("report", test_report);
      ADD ("report-outage", test_report_outage);
#undef ADD
      {
        g_autofree char *path = g_strdup_printf ("/client-dialect/%s/wire", name);

        g_test_add_data_func (path, &cases[i], test_wire);
      }
      {
        g_autofree char *path = g_strdup_printf ("/client-dialect/%s/language-pool", name);

        g_test_add_data_func (path, &cases[i], test_language_pool);
      }
      if (cases[i].image_example != NULL)
        {
          g_autofree char *path = g_strdup_printf ("/client-dialect/%s/wire-image", name);

          g_test_add_data_func (path, &cases[i], test_wire_image);
        }
      if (cases[i].integer_ids)
        {
          g_autofree char *path = g_strdup_printf ("/client-dialect/%s/task-id-range", name);
          g_autofree char *text_path = g_strdup_printf ("/client-dialect/%s/task-id-text", name);

          g_test_add_data_func (path, &cases[i], test_task_id_range);
          g_test_add_data_func (text_path, &cases[i], test_task_id_text);
        }
    }
  g_test_add_func ("/client-dialect/default-base-url", test_default_base_url);
  g_test_add_func ("/client-dialect/compatible-needs-url", test_compatible_needs_url);

  return g_test_run ();
}
