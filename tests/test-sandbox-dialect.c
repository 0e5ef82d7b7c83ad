/* test-sandbox-dialect.c: the sandbox in each provider's dialect
 *
 * Every test posts JSON with a plain SoupSession, as that provider's own
 * SDKs would (tests/test-client-dialect.c has the client's side): the
 * createTask bodies are the providers' documented requests kept under
 * tests/dialects/. Each reply is checked as the provider writes it, then
 * read back with the dialect layer's own reader (_cs_dialect_parse_reply),
 * which closes the loop between the sandbox and the client side.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver-glib.h"
#include "mock-server.h"
#include "cs-dialect.h"
#include "cs-sandbox-private.h"

/* What a provider's dialect looks like on the wire, from its pages. */
typedef struct {
  CsProvider  provider;
  const char *dir;                /* under tests/dialects */
  const char *key;                /* the examples' clientKey */
  const char *image_file;         /* an image-to-text createTask */
  const char *image_dir;          /* where it is, when not in dir */
  const char *recaptcha_file;     /* a reCAPTCHA v2 createTask */
  const char *image_report;       /* reports an incorrect image answer */
  const char *token_report;       /* reports a reCAPTCHA v2 answer */
  gboolean    once;               /* one report per task */
  const char *again_code;         /* a second report's code */
  CsError     again_error;
  const char *key_code;           /* a key it does not know */
  gint64      key_id;
  gint64      not_supported_id;   /* errorId of ERROR_TASK_NOT_SUPPORTED */
  gint64      no_task_id;         /* errorId of its code for no such task */
  const char *no_task_code;
  gboolean    extras;             /* cost, ip, createTime, endTime, solveCount */
  int         cost_digits;
  gboolean    count_as_text;
  gboolean    credits;
  gboolean    null_codes;
} DialectCase;

static const DialectCase cases[] = {
  { CS_PROVIDER_ANTI_CAPTCHA, "anti-captcha", "anti-test-key",
    "create-image-to-text.json", NULL, "create-recaptcha-v2-proxy.json",
    "reportIncorrectImageCaptcha", "reportIncorrectRecaptcha",
    TRUE, "ERROR_BAD_REQUEST", CS_ERROR_BAD_REQUEST,
    "ERROR_KEY_DOES_NOT_EXIST", 1, 23, 16, "ERROR_NO_SUCH_CAPCHA_ID",
    TRUE, 6, TRUE, TRUE, FALSE },
  { CS_PROVIDER_TWOCAPTCHA, "2captcha", "2captcha-test-key",
    "create-image-to-text.json", NULL, "create-recaptcha-v2.json",
    "reportIncorrect", "reportCorrect",
    TRUE, "ERROR_REPORT_NOT_RECORDED", CS_ERROR_BAD_REQUEST,
    "ERROR_KEY_DOES_NOT_EXIST", 1, 23, 16, "ERROR_NO_SUCH_CAPCHA_ID",
    TRUE, 5, FALSE, FALSE, FALSE },
  /* CapMonster Cloud publishes no image example of its own: 2Captcha's
   * request, which is the same but for its languagePool */
  { CS_PROVIDER_CAPMONSTER, "capmonster", "capmonster-test-key",
    "create-image-to-text.json", "2captcha", "create-recaptcha-v2.json",
    "reportIncorrectImageCaptcha", "reportIncorrectTokenCaptcha",
    FALSE, NULL, 0,
    "ERROR_KEY_DOES_NOT_EXIST", 1, 1, 1, "ERROR_NO_SUCH_CAPCHA_ID",
    FALSE, 0, FALSE, FALSE, TRUE },
};

typedef struct {
  const DialectCase *dc;
  const CsDialect   *dialect;
  CsSandbox         *sandbox;
  SoupSession       *session;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dc = data;
  f->dialect = _cs_dialect_get (f->dc->provider);
  f->sandbox = g_object_new (CS_TYPE_SANDBOX, "dialect", f->dc->provider, NULL);
  cs_sandbox_add_key (f->sandbox, f->dc->key, 10.0);
  g_assert_true (cs_sandbox_start (f->sandbox, 0, &error));
  g_assert_no_error (error);
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->sandbox);
}

/* --- Requests and replies -------------------------------------------------- */

static JsonObject *
parse_object (const char *data,
              gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = _cs_json_parse (data, size, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

/* The "request" of an example file, with the key the sandbox knows. */
static JsonObject *
load_request (Fixture    *f,
              const char *dir,
              const char *file)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "dialects",
                                                 dir != NULL ? dir : f->dc->dir, file, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) example = NULL;
  JsonObject *request;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  example = parse_object (text, strlen (text));
  request = json_object_get_object_member (example, "request");
  g_assert_nonnull (request);
  /* another provider's example: our key */
  if (dir != NULL)
    json_object_set_string_member (request, "clientKey", f->dc->key);
  g_assert_cmpstr (_cs_json_get_string (request, "clientKey"), ==, f->dc->key);
  return json_object_ref (request);
}

/* One POST; the reply, its HTTP status and its bytes. */
typedef struct {
  guint       status;
  GBytes     *body;
  JsonObject *root;
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->root, json_object_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static void
post (Fixture    *f,
      const char *method,
      JsonObject *request,
      Reply      *reply)
{
  g_autofree char *url = g_strconcat (cs_sandbox_get_base_url (f->sandbox), "/", method, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr(GBytes) body = _cs_sandbox_json_to_bytes (request);
  g_autoptr(GError) error = NULL;
  gsize size = 0;
  const char *data;

  soup_message_set_request_body_from_bytes (message, "application/json", body);
  reply->body = soup_session_send_and_read (f->session, message, NULL, &error);
  g_assert_no_error (error);
  reply->status = soup_message_get_status (message);
  data = g_bytes_get_data (reply->body, &size);
  reply->root = parse_object (data, size);
}

static JsonObject *
task_call (Fixture    *f,
           const char *key,
           gint64      task_id)
{
  JsonObject *request = json_object_new ();

  json_object_set_string_member (request, "clientKey", key);
  json_object_set_int_member (request, "taskId", task_id);
  return request;
}

static gint64
get_integer (JsonObject *object,
             const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

/* A reply without an error, as the provider writes it: errorId 0, and no
 * errorCode but CapMonster's null. */
static void
assert_no_error (Fixture *f,
                 Reply   *reply)
{
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  g_assert_cmpint (get_integer (reply->root, "errorId"), ==, 0);
  if (f->dc->null_codes)
    {
      g_assert_true (json_object_has_member (reply->root, "errorCode"));
      g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (reply->root, "errorCode")));
    }
  else
    g_assert_false (json_object_has_member (reply->root, "errorCode"));
}

/* An error as the provider writes it: HTTP 200, its errorId and code. */
static void
assert_error (Reply      *reply,
              gint64      error_id,
              const char *code)
{
  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  g_assert_cmpint (get_integer (reply->root, "errorId"), ==, error_id);
  g_assert_cmpstr (_cs_json_get_string (reply->root, "errorCode"), ==, code);
  g_assert_nonnull (_cs_json_get_string (reply->root, "errorDescription"));
}

/* The dialect layer reads @reply; FALSE with @error for an error. */
static gboolean
read_reply (Fixture         *f,
            CsDialectMethod  method,
            Reply           *reply,
            CsDialectReply  *read,
            GError         **error)
{
  return _cs_dialect_parse_reply (f->dialect, method, reply->status, reply->body, NULL, read,
                                  error);
}

static void
assert_reads_error (Fixture         *f,
                    CsDialectMethod  method,
                    Reply           *reply,
                    CsError          code,
                    const char      *code_text)
{
  g_auto(CsDialectReply) read = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (read_reply (f, method, reply, &read, &error));
  g_assert_error (error, CS_ERROR, (gint) code);
  g_assert_cmpstr (read.code_text, ==, code_text);
}

/* createTask: the task id is a number; the dialect reads it back. */
static gint64
create (Fixture    *f,
        JsonObject *request)
{
  g_auto(Reply) reply = { 0 };
  g_auto(CsDialectReply) read = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 task_id;

  post (f, "createTask", request, &reply);
  assert_no_error (f, &reply);
  task_id = get_integer (reply.root, "taskId");
  g_assert_cmpint (task_id, >, 0);
  /* the others answer with the id alone */
  g_assert_false (json_object_has_member (reply.root, "status"));
  g_assert_false (json_object_has_member (reply.root, "solution"));

  g_assert_true (read_reply (f, CS_DIALECT_CREATE_TASK, &reply, &read, &error));
  g_assert_no_error (error);
  text = g_strdup_printf ("%" G_GINT64_FORMAT, task_id);
  g_assert_cmpstr (read.task_id, ==, text);
  return task_id;
}

/* Polls until the task is ready; returns the ready reply's root. */
static JsonObject *
poll_ready (Fixture *f,
            gint64   task_id,
            guint   *polls)
{
  g_autoptr(JsonObject) call = task_call (f, f->dc->key, task_id);

  for (*polls = 1; *polls <= 10; (*polls)++)
    {
      g_auto(Reply) reply = { 0 };
      g_auto(CsDialectReply) read = { 0 };
      g_autoptr(GError) error = NULL;
      const char *status;

      post (f, "getTaskResult", call, &reply);
      assert_no_error (f, &reply);
      status = _cs_json_get_string (reply.root, "status");
      g_assert_true (read_reply (f, CS_DIALECT_GET_TASK_RESULT, &reply, &read, &error));
      g_assert_no_error (error);
      /* no "idle" in these dialects */
      if (g_strcmp0 (status, "processing") == 0)
        {
          g_assert_cmpint (read.status, ==, CS_TASK_STATUS_PROCESSING);
          continue;
        }
      g_assert_cmpstr (status, ==, "ready");
      g_assert_cmpint (read.status, ==, CS_TASK_STATUS_READY);
      g_assert_nonnull (read.reply.solution);
      if (f->dc->extras)
        {
          CsDialectFields all = CS_DIALECT_HAS_COST | CS_DIALECT_HAS_IP |
                                CS_DIALECT_HAS_CREATE_TIME | CS_DIALECT_HAS_END_TIME |
                                CS_DIALECT_HAS_SOLVE_COUNT;

          g_assert_cmpint (read.fields & all, ==, all);
          g_assert_cmpfloat (read.cost, >, 0.0);
          g_assert_cmpint (read.solve_count, ==, 1);
          g_assert_cmpint (read.end_time, >=, read.create_time);
        }
      else
        g_assert_cmpint (read.fields, ==, 0);
      return json_object_ref (reply.root);
    }
  g_assert_not_reached ();
}

/* The result fields as the provider writes them, or none. */
static void
assert_result_fields (Fixture    *f,
                      JsonObject *ready,
                      double      price)
{
  static const char * const members[] = {
    "cost", "ip", "createTime", "endTime", "solveCount", NULL
  };
  g_autofree char *format = NULL;
  char cost[G_ASCII_DTOSTR_BUF_SIZE];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  JsonNode *count;

  if (!f->dc->extras)
    {
      for (guint i = 0; members[i] != NULL; i++)
        g_assert_false (json_object_has_member (ready, members[i]));
      return;
    }
  /* cost is text at both, with the decimals their examples have */
  format = g_strdup_printf ("%%.%df", f->dc->cost_digits);
  g_ascii_formatd (cost, sizeof cost, format, price);
  g_assert_cmpstr (_cs_json_get_string (ready, "cost"), ==, cost);
  g_assert_cmpstr (_cs_json_get_string (ready, "ip"), ==, "127.0.0.1");
  g_assert_cmpint (get_integer (ready, "createTime"), <=, get_integer (ready, "endTime"));
  g_assert_cmpint (get_integer (ready, "endTime"), <=, now);
  g_assert_cmpint (get_integer (ready, "createTime"), >, now - 60);
  count = json_object_get_member (ready, "solveCount");
  g_assert_nonnull (count);
  if (f->dc->count_as_text)
    g_assert_cmpstr (json_node_get_string (count), ==, "1");
  else
    g_assert_cmpint (json_node_get_int (count), ==, 1);
}

/* --- Solving ------------------------------------------------------------------ */

static void
test_image (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(JsonObject) request = load_request (f, f->dc->image_dir, f->dc->image_file);
  g_autoptr(JsonObject) ready = NULL;
  gint64 task_id;
  guint polls = 0;

  /* CapMonster takes no languagePool */
  if (f->dc->provider == CS_PROVIDER_CAPMONSTER)
    json_object_remove_member (request, "languagePool");
  task_id = create (f, request);
  ready = poll_ready (f, task_id, &polls);
  /* a recognition task is solved at once: ready at the first poll */
  g_assert_cmpuint (polls, ==, 1);
  g_assert_nonnull (_cs_json_get_string (json_object_get_object_member (ready, "solution"),
                                         "text"));
  assert_result_fields (f, ready, cs_sandbox_get_price (f->sandbox, "ImageToTextTask"));
  g_assert_cmpfloat_with_epsilon (cs_sandbox_get_key_balance (f->sandbox, f->dc->key),
                                  10.0 - cs_sandbox_get_price (f->sandbox, "ImageToTextTask"), 1e-9);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "createTask"), ==, 1);
}

static void
test_recaptcha (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonObject) request = load_request (f, NULL, f->dc->recaptcha_file);
  g_autoptr(JsonObject) ready = NULL;
  gint64 task_id;
  guint polls = 0;

  task_id = create (f, request);
  ready = poll_ready (f, task_id, &polls);
  /* the sandbox's default: two polls processing, the third ready */
  g_assert_cmpuint (polls, ==, 3);
  g_assert_nonnull (_cs_json_get_string (json_object_get_object_member (ready, "solution"),
                                         "gRecaptchaResponse"));
  assert_result_fields (f, ready, cs_sandbox_get_price (f->sandbox, "ReCaptchaV2TaskProxyLess"));
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "getTaskResult"), ==, 3);
}

/* Every createTask example of the provider is taken and solved. */
static void
test_every_example (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "dialects", f->dc->dir, NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint count = 0;

  g_assert_nonnull (dir);
  cs_sandbox_set_polls_until_ready (f->sandbox, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr(JsonObject) request = NULL;
      guint polls = 0;

      if (!g_str_has_prefix (name, "create-") || !g_str_has_suffix (name, ".json"))
        continue;
      g_test_message ("%s", name);
      request = load_request (f, NULL, name);
      json_object_remove_member (request, "callbackUrl");
      json_object_unref (poll_ready (f, create (f, request), &polls));
      count++;
    }
  g_assert_cmpuint (count, >=, 2);
}

/* At the service's pace a new task waits, idle, for a worker: these
 * dialects have no such status, and say processing. */
static void
test_no_idle (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonObject) request = load_request (f, NULL, f->dc->recaptcha_file);
  g_autoptr(JsonObject) call = NULL;
  g_auto(Reply) reply = { 0 };
  g_auto(CsDialectReply) read = { 0 };
  g_autoptr(GError) error = NULL;

  /* no call to a URL of the example's, whenever the task ends */
  json_object_remove_member (request, "callbackUrl");
  cs_sandbox_set_time_scale (f->sandbox, 1.0);
  cs_sandbox_set_workers (f->sandbox, 1);
  /* the first takes the one worker, for seconds; the second waits */
  create (f, request);
  call = task_call (f, f->dc->key, create (f, request));
  post (f, "getTaskResult", call, &reply);
  assert_no_error (f, &reply);
  g_assert_cmpstr (_cs_json_get_string (reply.root, "status"), ==, "processing");
  g_assert_true (read_reply (f, CS_DIALECT_GET_TASK_RESULT, &reply, &read, &error));
  g_assert_no_error (error);
  g_assert_cmpint (read.status, ==, CS_TASK_STATUS_PROCESSING);
}

/* A callback carries the getTaskResult reply, in the dialect. */
static void
test_callback (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(MockServer) receiver = mock_server_new ();
  g_autoptr(JsonObject) request = load_request (f, NULL, f->dc->recaptcha_file);
  g_autoptr(JsonObject) received = NULL;
  g_autofree char *url = g_strconcat (mock_server_get_url (receiver), "/hook", NULL);
  gint64 task_id;

  mock_server_set_fallback (receiver, "hook", SOUP_STATUS_OK, "{}");
  json_object_set_string_member (request, "callbackUrl", url);
  cs_sandbox_set_time_scale (f->sandbox, 0.001);
  task_id = create (f, request);
  for (guint i = 0; i < 10000 && mock_server_count_requests (receiver, "hook") == 0; i++)
    g_usleep (1000);

  g_assert_cmpuint (mock_server_count_requests (receiver, "hook"), ==, 1);
  received = mock_server_dup_request_json (receiver, "hook", 0);
  g_assert_cmpint (get_integer (received, "taskId"), ==, task_id);
  g_assert_cmpint (get_integer (received, "errorId"), ==, 0);
  g_assert_cmpstr (_cs_json_get_string (received, "status"), ==, "ready");
  assert_result_fields (f, received, cs_sandbox_get_price (f->sandbox, "ReCaptchaV2TaskProxyLess"));
}

/* --- Errors ------------------------------------------------------------------- */

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JsonObject) request = load_request (f, NULL, f->dc->recaptcha_file);
  g_autoptr(JsonObject) unsupported = json_object_new ();
  g_autoptr(JsonObject) task = json_object_new ();
  g_autoptr(JsonObject) call = NULL;
  g_auto(Reply) wrong_key = { 0 };
  g_auto(Reply) not_supported = { 0 };
  g_auto(Reply) no_task = { 0 };
  g_auto(Reply) no_method = { 0 };

  /* a key the provider does not know */
  json_object_set_string_member (request, "clientKey", "not-a-key-of-this-sandbox");
  post (f, "createTask", request, &wrong_key);
  assert_error (&wrong_key, f->dc->key_id, f->dc->key_code);
  assert_reads_error (f, CS_DIALECT_CREATE_TASK, &wrong_key, CS_ERROR_KEY_DOES_NOT_EXIST,
                      f->dc->key_code);

  /* CapSolver's name of a type none of them has under that name */
  json_object_set_string_member (unsupported, "clientKey", f->dc->key);
  json_object_set_string_member (task, "type", "AntiTurnstileTaskProxyLess");
  json_object_set_string_member (task, "websiteURL", "https://example.com/login");
  json_object_set_string_member (task, "websiteKey", "0x4AAAAAAAexample");
  json_object_set_object_member (unsupported, "task", json_object_ref (task));
  post (f, "createTask", unsupported, &not_supported);
  assert_error (&not_supported, f->dc->not_supported_id, "ERROR_TASK_NOT_SUPPORTED");
  assert_reads_error (f, CS_DIALECT_CREATE_TASK, &not_supported, CS_ERROR_TASK_NOT_SUPPORTED,
                      "ERROR_TASK_NOT_SUPPORTED");

  /* a task id that was never given */
  call = task_call (f, f->dc->key, 42);
  post (f, "getTaskResult", call, &no_task);
  assert_error (&no_task, f->dc->no_task_id, f->dc->no_task_code);
  assert_reads_error (f, CS_DIALECT_GET_TASK_RESULT, &no_task, CS_ERROR_TASKID_INVALID,
                      f->dc->no_task_code);

  /* CapSolver's own methods are not theirs */
  post (f, "feedbackTask", call, &no_method);
  g_assert_cmpstr (_cs_json_get_string (no_method.root, "errorCode"), ==, "ERROR_NO_SUCH_METHOD");
  assert_reads_error (f, CS_DIALECT_REPORT, &no_method, CS_ERROR_PAGE_NOT_FOUND,
                      "ERROR_NO_SUCH_METHOD");
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "createTask"), ==, 2);
}

/* The provider knows its own type names, spelt as it documents them:
 * CapSolver's spelling of the same type ("ReCaptchaV2Task"), or its own
 * in another case, is a type it does not have. */
static void
test_type_spelling (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) request = load_request (f, NULL, f->dc->recaptcha_file);
  JsonObject *task = json_object_get_object_member (request, "task");
  g_autofree char *own = g_strdup (json_object_get_string_member (task, "type"));
  g_autofree char *lower = g_ascii_strdown (own, -1);
  g_autofree char *upper = g_ascii_strup (own, -1);
  g_autoptr(GString) capsolver = g_string_new (own);
  const char *wrong[] = { NULL, lower, upper };
  g_auto(Reply) created = { 0 };

  g_assert_true (g_str_has_prefix (own, "RecaptchaV2Task"));
  /* CapSolver's: ReCaptchaV2Task, ReCaptchaV2TaskProxyLess */
  g_string_replace (capsolver, "Recaptcha", "ReCaptcha", 1);
  g_string_replace (capsolver, "Proxyless", "ProxyLess", 1);
  wrong[0] = capsolver->str;
  for (gsize i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_auto(Reply) refused = { 0 };

      json_object_set_string_member (task, "type", wrong[i]);
      post (f, "createTask", request, &refused);
      assert_error (&refused, f->dc->not_supported_id, "ERROR_TASK_NOT_SUPPORTED");
      g_assert_nonnull (strstr (_cs_json_get_string (refused.root, "errorDescription"),
                                wrong[i]));
    }
  json_object_set_string_member (task, "type", own);
  post (f, "createTask", request, &created);
  assert_no_error (f, &created);
  /* Anti-Captcha's old name, as it spells it */
  if (f->dc->provider == CS_PROVIDER_ANTI_CAPTCHA)
    {
      g_auto(Reply) alias = { 0 };
      g_auto(Reply) alias_lower = { 0 };

      json_object_set_string_member (task, "type", "NoCaptchaTask");
      post (f, "createTask", request, &alias);
      assert_no_error (f, &alias);
      json_object_set_string_member (task, "type", "nocaptchatask");
      post (f, "createTask", request, &alias_lower);
      assert_error (&alias_lower, f->dc->not_supported_id, "ERROR_TASK_NOT_SUPPORTED");
    }
}

/* An image below the provider's least has a code of its own, apart from one
 * above its most (CapMonster Cloud's client tells them apart). */
static void
test_image_sizes (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) request = load_request (f, f->dc->image_dir, f->dc->image_file);
  JsonObject *task = json_object_get_object_member (request, "task");
  /* numbered codes where the provider numbers them (ERROR_TASK_NOT_SUPPORTED 23) */
  gboolean numbered = f->dc->not_supported_id != 1;
  g_autofree guchar *big = g_malloc0 (600 * 1024);
  g_autofree char *big_text = g_base64_encode (big, 600 * 1024);
  g_auto(Reply) small = { 0 };
  g_auto(Reply) large = { 0 };

  json_object_remove_member (request, "languagePool");
  json_object_set_string_member (task, "body", "aGVsbG8=");   /* "hello", 5 bytes */
  post (f, "createTask", request, &small);
  assert_error (&small, numbered ? 3 : 1, "ERROR_ZERO_CAPTCHA_FILESIZE");
  assert_reads_error (f, CS_DIALECT_CREATE_TASK, &small, CS_ERROR_INVALID_IMAGE,
                      "ERROR_ZERO_CAPTCHA_FILESIZE");

  json_object_set_string_member (task, "body", big_text);
  post (f, "createTask", request, &large);
  assert_error (&large, numbered ? 4 : 1, "ERROR_TOO_BIG_CAPTCHA_FILESIZE");
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "createTask"), ==, 2);
}

/* A failed task is an error, with the provider's number, and no status. */
static void
test_unsolvable (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) request = load_request (f, NULL, f->dc->recaptcha_file);
  g_autoptr(JsonObject) call = NULL;
  g_auto(Reply) reply = { 0 };
  gint64 expected_id = f->dc->provider == CS_PROVIDER_CAPMONSTER ? 1 : 12;

  cs_sandbox_set_polls_until_ready (f->sandbox, 0);
  cs_sandbox_fail_next_task (f->sandbox, "ERROR_CAPTCHA_UNSOLVABLE");
  call = task_call (f, f->dc->key, create (f, request));
  post (f, "getTaskResult", call, &reply);
  assert_error (&reply, expected_id, "ERROR_CAPTCHA_UNSOLVABLE");
  g_assert_false (json_object_has_member (reply.root, "status"));
  assert_reads_error (f, CS_DIALECT_GET_TASK_RESULT, &reply, CS_ERROR_CAPTCHA_UNSOLVABLE,
                      "ERROR_CAPTCHA_UNSOLVABLE");
  /* Anti-Captcha charges it; 2Captcha refunds it; CapMonster Cloud does
   * not say, and the sandbox does not charge a failed task */
  g_assert_cmpfloat_with_epsilon (cs_sandbox_get_key_balance (f->sandbox, f->dc->key),
                                  f->dc->provider == CS_PROVIDER_ANTI_CAPTCHA
                                  ? 10.0 - cs_sandbox_get_price (f->sandbox, "ReCaptchaV2TaskProxyLess") : 10.0, 1e-9);
}

/* A proxy written as the provider takes it, and one it does not take. */
static void
test_proxy (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(JsonObject) request = load_request (f, NULL, f->dc->recaptcha_file);
  JsonObject *task = json_object_get_object_member (request, "task");
  g_auto(Reply) host = { 0 };
  g_auto(Reply) port = { 0 };
  guint polls = 0;

  /* RecaptchaV2Task with the proxy fields, in every dialect */
  json_object_set_string_member (task, "type", "RecaptchaV2Task");
  json_object_set_string_member (task, "proxyType", "http");
  json_object_set_string_member (task, "proxyAddress", "203.0.113.9");
  json_object_set_int_member (task, "proxyPort", 3128);
  json_object_unref (poll_ready (f, create (f, request), &polls));

  /* a host name: 2Captcha takes it, the others want an IP address */
  json_object_set_string_member (task, "proxyAddress", "proxy.example.net");
  post (f, "createTask", request, &host);
  if (f->dc->provider == CS_PROVIDER_TWOCAPTCHA)
    assert_no_error (f, &host);
  else
    assert_reads_error (f, CS_DIALECT_CREATE_TASK, &host, CS_ERROR_INVALID_TASK_DATA,
                        "ERROR_INVALID_TASK_DATA");

  /* a port that is no port, at every provider */
  json_object_set_string_member (task, "proxyAddress", "203.0.113.9");
  json_object_set_int_member (task, "proxyPort", 70000);
  post (f, "createTask", request, &port);
  g_assert_cmpint (get_integer (port.root, "errorId"), !=, 0);
}

/* --- Reports and balance ------------------------------------------------------- */

static void
report (Fixture    *f,
        const char *method,
        gint64      task_id,
        Reply      *reply)
{
  g_autoptr(JsonObject) call = task_call (f, f->dc->key, task_id);

  post (f, method, call, reply);
}

static void
assert_report_accepted (Fixture *f,
                        Reply   *reply)
{
  g_auto(CsDialectReply) read = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (reply->status, ==, SOUP_STATUS_OK);
  g_assert_cmpint (get_integer (reply->root, "errorId"), ==, 0);
  g_assert_cmpstr (_cs_json_get_string (reply->root, "status"), ==, "success");
  g_assert_true (read_reply (f, CS_DIALECT_REPORT, reply, &read, &error));
  g_assert_no_error (error);
}

static void
test_reports (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonObject) image = load_request (f, f->dc->image_dir, f->dc->image_file);
  g_autoptr(JsonObject) recaptcha = load_request (f, NULL, f->dc->recaptcha_file);
  g_auto(Reply) first = { 0 };
  g_auto(Reply) second = { 0 };
  g_auto(Reply) token = { 0 };
  g_auto(Reply) pending = { 0 };
  g_auto(Reply) wrong_type = { 0 };
  gint64 image_id;
  gint64 token_id;
  gint64 pending_id;
  guint polls = 0;

  json_object_remove_member (image, "languagePool");
  image_id = create (f, image);
  json_object_unref (poll_ready (f, image_id, &polls));

  report (f, f->dc->image_report, image_id, &first);
  assert_report_accepted (f, &first);
  report (f, f->dc->image_report, image_id, &second);
  if (f->dc->once)
    {
      g_assert_cmpint (get_integer (second.root, "errorId"), !=, 0);
      g_assert_cmpstr (_cs_json_get_string (second.root, "errorCode"), ==, f->dc->again_code);
      assert_reads_error (f, CS_DIALECT_REPORT, &second, f->dc->again_error,
                          f->dc->again_code);
    }
  else
    assert_report_accepted (f, &second);

  /* a token task, once solved; not before */
  pending_id = create (f, recaptcha);
  report (f, f->dc->token_report, pending_id, &pending);
  assert_reads_error (f, CS_DIALECT_REPORT, &pending, CS_ERROR_TASKID_INVALID,
                      f->dc->no_task_code);
  token_id = create (f, recaptcha);
  json_object_unref (poll_ready (f, token_id, &polls));
  report (f, f->dc->token_report, token_id, &token);
  assert_report_accepted (f, &token);

  /* the image report takes no token task, where the provider has one per type */
  if (strcmp (f->dc->image_report, f->dc->token_report) != 0 &&
      f->dc->provider != CS_PROVIDER_TWOCAPTCHA)
    {
      json_object_unref (poll_ready (f, pending_id, &polls));
      report (f, f->dc->image_report, pending_id, &wrong_type);
      assert_reads_error (f, CS_DIALECT_REPORT, &wrong_type, CS_ERROR_TASKID_INVALID,
                          f->dc->no_task_code);
    }
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, f->dc->image_report), >=, 2);
}

/* The envelope's members in another case, as some SDKs send them. */
static void
test_report_member_case (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) image = load_request (f, f->dc->image_dir, f->dc->image_file);
  g_autoptr(JsonObject) call = json_object_new ();
  g_auto(Reply) reply = { 0 };
  gint64 task_id;
  guint polls = 0;

  json_object_remove_member (image, "languagePool");
  task_id = create (f, image);
  json_object_unref (poll_ready (f, task_id, &polls));
  json_object_set_string_member (call, "ClientKey", f->dc->key);
  json_object_set_int_member (call, "TaskId", task_id);
  post (f, f->dc->image_report, call, &reply);
  assert_report_accepted (f, &reply);
}

static void
test_balance (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonObject) call = json_object_new ();
  g_auto(Reply) reply = { 0 };
  g_auto(CsDialectReply) read = { 0 };
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (call, "clientKey", f->dc->key);
  post (f, "getBalance", call, &reply);
  assert_no_error (f, &reply);
  g_assert_false (json_object_has_member (reply.root, "packages"));
  g_assert_cmpint (json_object_has_member (reply.root, "captchaCredits"), ==, f->dc->credits);
  g_assert_true (read_reply (f, CS_DIALECT_GET_BALANCE, &reply, &read, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (read.balance, 10.0, 1e-9);
  g_assert_cmpint ((read.fields & CS_DIALECT_HAS_CREDITS) != 0, ==, f->dc->credits);
}

/* getToken, CapSolver's, asked of the service in another dialect: no such
 * method, never a held request. */
static void
test_get_token (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonObject) request = load_request (f, NULL, f->dc->recaptcha_file);
  g_autoptr(GBytes) body = _cs_sandbox_json_to_bytes (request);
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *held = NULL;
  guint delay_ms = 0;
  guint status;

  status = _cs_sandbox_answer_body (f->sandbox, "getToken", body, &reply, &delay_ms, &held);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_null (held);
  g_assert_cmpstr (_cs_json_get_string (reply, "errorCode"), ==, "ERROR_NO_SUCH_METHOD");
}

/* --- CapSolver's dialect ------------------------------------------------------- */

/* The property, and CapSolver's ids back when it is set back. */
static void
test_property (void)
{
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  CsProvider provider = CS_PROVIDER_ANTI_CAPTCHA;

  g_assert_cmpint (cs_sandbox_get_dialect (sandbox), ==, CS_PROVIDER_CAPSOLVER);
  cs_sandbox_set_dialect (sandbox, CS_PROVIDER_TWOCAPTCHA);
  g_object_get (sandbox, "dialect", &provider, NULL);
  g_assert_cmpint (provider, ==, CS_PROVIDER_TWOCAPTCHA);
  g_assert_true (sandbox->service->numeric_ids);
  g_assert_false (sandbox->service->charge_unsolvable);
  cs_sandbox_set_dialect (sandbox, CS_PROVIDER_ANTI_CAPTCHA);
  g_assert_true (sandbox->service->charge_unsolvable);
  cs_sandbox_set_dialect (sandbox, CS_PROVIDER_COMPATIBLE);
  g_assert_null (sandbox->dialect);
  g_assert_false (sandbox->service->numeric_ids);
  g_assert_false (sandbox->service->charge_unsolvable);
  cs_sandbox_set_dialect (sandbox, CS_PROVIDER_CAPSOLVER);
  g_assert_cmpint (cs_sandbox_get_dialect (sandbox), ==, CS_PROVIDER_CAPSOLVER);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sandbox-dialect/property", test_property);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const struct {
        const char *name;
        void      (*func) (Fixture *, gconstpointer);
      } tests[] = {
        { "image", test_image },
        { "recaptcha-v2", test_recaptcha },
        { "no-idle", test_no_idle },
        { "every-example", test_every_example },
        { "callback", test_callback },
        { "errors", test_errors },
        { "type-spelling", test_type_spelling },
        { "image-sizes", test_image_sizes },
        { "unsolvable", test_unsolvable },
        { "proxy", test_proxy },
        { "reports", test_reports },
        { "report-member-case", test_report_member_case },
        { "balance", test_balance },
        { "get-token", test_get_token },
      };

      for (gsize j = 0; j < G_N_ELEMENTS (tests); j++)
        {
          g_autofree char *path = g_strdup_printf ("/sandbox-dialect/%s/%s", cases[i].dir,
                                                   tests[j].name);

          g_test_add (path, Fixture, &cases[i], fixture_setup, tests[j].func,
                      fixture_teardown);
        }
    }
  return g_test_run ();
}
