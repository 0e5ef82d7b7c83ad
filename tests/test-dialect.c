/* test-dialect.c: the providers' dialects: requests, replies, reports
 *
 * The providers' documented examples are JSON files under
 * tests/dialects/<provider>/, one case each: a createTask built from a
 * provider-neutral task ("neutral", "envelope") and compared with the
 * documented body ("request") member by member; a reply ("reply") read
 * into the library's terms ("expect"); a report ("family", "correct")
 * and its endpoint and body.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "mock-server.h"
#include "cs-dialect.h"

/* A 6x6 PNG of 182 bytes: within every provider's sizes. */
#define PNG_182 \
  "iVBORw0KGgoAAAANSUhEUgAAAAYAAAAGCAIAAABvrngfAAAAfUlEQVR42gFyAI3/AKVNyhglMLsdbRMs" \
  "3tYjey7ZHgA/ch/LGXEXRJTWSTydXDRgvjEAIB5p/tqg7ui5mX9cfCmZ/a/lAJMlPNZUr0361xQnoK6z" \
  "/ukjLwCK8iEfnuSRxbEL7LVWO/web5MAQn7LyP4pVeXNjkbcjtS3wnZNPi02ziAg2G4AAAAASUVORK5C" \
  "YII="

static const CsDialect *
dialect (CsProvider provider)
{
  const CsDialect *found = _cs_dialect_get (provider);

  g_assert_nonnull (found);
  return found;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = _cs_json_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

/* --- Comparing JSON member by member ------------------------------------- */

static void assert_same_node (const char *path, JsonNode *expected, JsonNode *actual);

static void
assert_same_object (const char *path,
                    JsonObject *expected,
                    JsonObject *actual)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  json_object_iter_init (&iter, expected);
  while (json_object_iter_next (&iter, &member, &node))
    {
      g_autofree char *where = g_strdup_printf ("%s.%s", path, member);

      if (!json_object_has_member (actual, member))
        g_error ("%s: missing", where);
      assert_same_node (where, node, json_object_get_member (actual, member));
    }
  json_object_iter_init (&iter, actual);
  while (json_object_iter_next (&iter, &member, &node))
    if (!json_object_has_member (expected, member))
      g_error ("%s.%s: not in the documented example", path, member);
}

static void
assert_same_node (const char *path,
                  JsonNode   *expected,
                  JsonNode   *actual)
{
  if (json_node_get_node_type (expected) != json_node_get_node_type (actual))
    g_error ("%s: a %s where the example has a %s", path, json_node_type_name (actual),
             json_node_type_name (expected));
  switch (json_node_get_node_type (expected))
    {
    case JSON_NODE_OBJECT:
      assert_same_object (path, json_node_get_object (expected), json_node_get_object (actual));
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *a = json_node_get_array (expected);
        JsonArray *b = json_node_get_array (actual);

        if (json_array_get_length (a) != json_array_get_length (b))
          g_error ("%s: %u elements, not %u", path, json_array_get_length (b),
                   json_array_get_length (a));
        for (guint i = 0; i < json_array_get_length (a); i++)
          {
            g_autofree char *where = g_strdup_printf ("%s[%u]", path, i);

            assert_same_node (where, json_array_get_element (a, i),
                              json_array_get_element (b, i));
          }
      }
      break;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (expected) != json_node_get_value_type (actual))
        g_error ("%s: a %s where the example has a %s", path,
                 g_type_name (json_node_get_value_type (actual)),
                 g_type_name (json_node_get_value_type (expected)));
      if (!json_node_equal (expected, actual))
        {
          g_autofree char *a = json_to_string (expected, FALSE);
          g_autofree char *b = json_to_string (actual, FALSE);

          g_error ("%s: %s where the example has %s", path, b, a);
        }
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
}

static void
assert_same_json (const char *path,
                  JsonObject *expected,
                  JsonObject *actual)
{
  assert_same_object (path, expected, actual);
}

/* --- The example files --------------------------------------------------- */

static CsDialectMethod
method_of (const char *word)
{
  if (g_strcmp0 (word, "createTask") == 0)
    return CS_DIALECT_CREATE_TASK;
  if (g_strcmp0 (word, "getTaskResult") == 0)
    return CS_DIALECT_GET_TASK_RESULT;
  if (g_strcmp0 (word, "getBalance") == 0)
    return CS_DIALECT_GET_BALANCE;
  g_assert_cmpstr (word, ==, "report");
  return CS_DIALECT_REPORT;
}

static void
check_create_example (const CsDialect *d,
                      JsonObject      *example)
{
  JsonObject *envelope_json = _cs_json_get_object (example, "envelope");
  JsonArray *expected_dropped = _cs_json_get_array (example, "dropped");
  CsDialectEnvelope envelope = {
    _cs_json_get_string (envelope_json, "clientKey"),
    _cs_json_get_string (envelope_json, "appId"),
    _cs_json_get_string (envelope_json, "callbackUrl"),
    _cs_json_get_string (envelope_json, "languagePool"),
  };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) dropped = NULL;
  g_autoptr(JsonObject) body = NULL;

  body = _cs_dialect_build_create_task (d, _cs_json_get_object (example, "neutral"),
                                        &envelope, &dropped, &error);
  g_assert_no_error (error);
  assert_same_json ("request", _cs_json_get_object (example, "request"), body);

  /* a server speaking the dialect reads back the task that was written:
   * writing what it read gives the same body */
  {
    g_autoptr(JsonObject) read_back = _cs_dialect_read_create_task (d, body, &error);
    g_autoptr(JsonObject) again = NULL;

    g_assert_no_error (error);
    g_assert_true (_cs_task_family_validate (_cs_json_get_string (read_back, "type"), read_back,
                                             &error));
    g_assert_no_error (error);
    again = _cs_dialect_build_create_task (d, read_back, &envelope, NULL, &error);
    g_assert_no_error (error);
    assert_same_json ("read back", body, again);
  }

  g_assert_cmpuint (dropped != NULL ? g_strv_length (dropped) : 0, ==,
                    expected_dropped != NULL ? json_array_get_length (expected_dropped) : 0);
  for (guint i = 0; dropped != NULL && dropped[i] != NULL; i++)
    g_assert_cmpstr (dropped[i], ==, json_array_get_string_element (expected_dropped, i));
}

static void
check_report_example (const CsDialect *d,
                      JsonObject      *example)
{
  JsonObject *envelope = _cs_json_get_object (example, "envelope");
  gboolean correct = FALSE;
  gint64 code = 0;
  CsDialectReport report = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  const char *method = NULL;

  g_assert_true (_cs_json_get_boolean (example, "correct", &correct));
  _cs_json_get_int (example, "code", &code);
  report.client_key = _cs_json_get_string (envelope, "clientKey");
  report.app_id = _cs_json_get_string (envelope, "appId");
  report.task_id = _cs_json_get_string (example, "taskId");
  report.family = _cs_json_get_string (example, "family");
  report.correct = correct;
  report.code = (int) code;
  report.message = _cs_json_get_string (example, "message");
  report.since_solved_s = 5;

  body = _cs_dialect_build_report (d, &report, &method, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (method, ==, _cs_json_get_string (example, "endpoint"));
  assert_same_json ("request", _cs_json_get_object (example, "request"), body);
}

static void
check_reply_example (const CsDialect *d,
                     JsonObject      *example)
{
  JsonObject *expect = _cs_json_get_object (example, "expect");
  g_autoptr(JsonObject) reply_json = json_object_ref (_cs_json_get_object (example, "reply"));
  g_autoptr(GBytes) body = _cs_json_to_bytes (reply_json);
  g_auto(CsDialectReply) reply = { 0, };
  g_autoptr(GError) error = NULL;
  const char *error_nick = _cs_json_get_string (expect, "error");
  const char *status_word = _cs_json_get_string (expect, "status");
  gint64 http = 200;
  gint64 number = 0;
  double value = 0;
  gboolean ok;

  _cs_json_get_int (example, "http", &http);
  ok = _cs_dialect_parse_reply (d, method_of (_cs_json_get_string (example, "method")),
                                (guint) http, body, NULL, &reply, &error);
  if (error_nick != NULL)
    {
      g_autoptr(GEnumClass) codes = g_type_class_ref (CS_TYPE_ERROR);
      GEnumValue *code = g_enum_get_value_by_nick (codes, error_nick);

      g_assert_nonnull (code);
      g_assert_false (ok);
      g_assert_error (error, CS_ERROR, code->value);
      /* the message starts with the code as sent */
      g_assert_true (g_str_has_prefix (error->message, _cs_json_get_string (expect, "codeText")));
    }
  else
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }

  g_assert_cmpstr (reply.code_text, ==, _cs_json_get_string (expect, "codeText"));
  if (_cs_json_get_int (expect, "errorId", &number))
    g_assert_cmpint (reply.error_id, ==, number);
  g_assert_cmpstr (reply.task_id, ==, _cs_json_get_string (expect, "taskId"));
  if (status_word != NULL)
    g_assert_cmpstr (_cs_reply_status_to_string (reply.status), ==, status_word);
  else if (error_nick == NULL)
    g_assert_cmpint (reply.status, ==, CS_TASK_STATUS_NEW);

  /* the extra fields: exactly those the example expects */
  g_assert_cmpint (!!(reply.fields & CS_DIALECT_HAS_COST), ==,
                   json_object_has_member (expect, "cost"));
  if (_cs_json_get_double (expect, "cost", &value))
    g_assert_cmpfloat_with_epsilon (reply.cost, value, 1e-12);
  g_assert_cmpstr (reply.ip, ==, _cs_json_get_string (expect, "ip"));
  g_assert_cmpint (!!(reply.fields & CS_DIALECT_HAS_CREATE_TIME), ==,
                   json_object_has_member (expect, "createTime"));
  if (_cs_json_get_int (expect, "createTime", &number))
    g_assert_cmpint (reply.create_time, ==, number);
  g_assert_cmpint (!!(reply.fields & CS_DIALECT_HAS_END_TIME), ==,
                   json_object_has_member (expect, "endTime"));
  if (_cs_json_get_int (expect, "endTime", &number))
    g_assert_cmpint (reply.end_time, ==, number);
  g_assert_cmpint (!!(reply.fields & CS_DIALECT_HAS_SOLVE_COUNT), ==,
                   json_object_has_member (expect, "solveCount"));
  if (_cs_json_get_int (expect, "solveCount", &number))
    g_assert_cmpint (reply.solve_count, ==, number);
  g_assert_cmpint (!!(reply.fields & CS_DIALECT_HAS_BALANCE), ==,
                   json_object_has_member (expect, "balance"));
  if (_cs_json_get_double (expect, "balance", &value))
    g_assert_cmpfloat (reply.balance, ==, value);
  g_assert_cmpint (!!(reply.fields & CS_DIALECT_HAS_CREDITS), ==,
                   json_object_has_member (expect, "credits"));
  if (_cs_json_get_int (expect, "credits", &number))
    g_assert_cmpint (reply.credits, ==, number);
}

static void
test_example (gconstpointer data)
{
  const char *path = data;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *nick = g_path_get_basename (dir);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) example = NULL;
  const CsDialect *d = _cs_dialect_lookup (nick);

  g_assert_nonnull (d);
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  example = parse_object (text);

  if (json_object_has_member (example, "reply"))
    check_reply_example (d, example);
  else if (json_object_has_member (example, "endpoint"))
    check_report_example (d, example);
  else
    check_create_example (d, example);
}

/* Adds a test per example file; returns how many. */
static guint
add_examples (GPtrArray *paths)
{
  g_autofree char *root = g_test_build_filename (G_TEST_DIST, "dialects", NULL);
  g_autoptr(GDir) providers = g_dir_open (root, 0, NULL);
  const char *provider;
  guint count = 0;

  g_assert_nonnull (providers);
  while ((provider = g_dir_read_name (providers)) != NULL)
    {
      g_autofree char *dir_path = g_build_filename (root, provider, NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (name, ".json"))
          g_ptr_array_add (names, g_strdup (name));
      for (guint i = 0; i < names->len; i++)
        {
          char *path = g_build_filename (dir_path, g_ptr_array_index (names, i), NULL);
          g_autofree char *base = g_strndup (g_ptr_array_index (names, i),
                                             strlen (g_ptr_array_index (names, i)) - 5);
          g_autofree char *test_path = g_strdup_printf ("/dialect/example/%s/%s", provider, base);

          g_ptr_array_add (paths, path);
          g_test_add_data_func (test_path, path, test_example);
          count++;
        }
    }
  return count;
}

/* --- The rows ------------------------------------------------------------ */

/* Each provider's row is found by the nickname of its CsProvider value,
 * and lists its hosts in the order to try them. */
static void
test_rows (void)
{
  g_autoptr(GEnumClass) providers = g_type_class_ref (CS_TYPE_PROVIDER);
  const char * const *urls;

  for (guint i = 0; i < providers->n_values; i++)
    {
      const CsDialect *d = _cs_dialect_lookup (cs_provider_get_name (providers->values[i].value));

      g_assert_nonnull (d);
      g_assert_cmpint (_cs_dialect_get_provider (d), ==, providers->values[i].value);
      g_assert_true (d == _cs_dialect_get (providers->values[i].value));
    }
  /* an identifier in every binding; the name a command line takes */
  g_assert_cmpstr (providers->values[CS_PROVIDER_TWOCAPTCHA].value_nick, ==, "twocaptcha");
  g_assert_cmpstr (cs_provider_get_name (CS_PROVIDER_TWOCAPTCHA), ==, "2captcha");
  g_assert_null (_cs_dialect_lookup ("rucaptcha"));
  g_assert_null (_cs_dialect_get ((CsProvider) 99));

  urls = _cs_dialect_get_base_urls (dialect (CS_PROVIDER_CAPSOLVER));
  g_assert_cmpstr (urls[0], ==, "https://api.capsolver.com");
  g_assert_cmpstr (urls[1], ==, "https://api-stable.capsolver.com");
  g_assert_null (urls[2]);
  urls = _cs_dialect_get_base_urls (dialect (CS_PROVIDER_TWOCAPTCHA));
  g_assert_cmpstr (urls[0], ==, "https://api.2captcha.com");
  g_assert_cmpstr (urls[1], ==, "https://api.rucaptcha.com");
  g_assert_null (_cs_dialect_get_base_urls (dialect (CS_PROVIDER_COMPATIBLE))[0]);

  /* who pays for an unsolvable captcha */
  g_assert_cmpint (_cs_dialect_get_unsolvable_billing (dialect (CS_PROVIDER_CAPSOLVER)), ==,
                   CS_UNSOLVABLE_NOT_CHARGED);
  g_assert_cmpint (_cs_dialect_get_unsolvable_billing (dialect (CS_PROVIDER_ANTI_CAPTCHA)), ==,
                   CS_UNSOLVABLE_CHARGED);
  g_assert_cmpint (_cs_dialect_get_unsolvable_billing (dialect (CS_PROVIDER_TWOCAPTCHA)), ==,
                   CS_UNSOLVABLE_REFUNDED);

  /* limits the scheduler and the checks will read */
  g_assert_cmpuint (_cs_dialect_get_limits (dialect (CS_PROVIDER_CAPSOLVER))->polls_per_task,
                    ==, CS_MAX_POLLS_PER_TASK);
  g_assert_cmpuint (_cs_dialect_get_limits (dialect (CS_PROVIDER_CAPMONSTER))->image_max_bytes,
                    ==, 50 * 1024);
  g_assert_cmpuint (_cs_dialect_get_limits (dialect (CS_PROVIDER_CAPMONSTER))
                    ->min_poll_interval_ms, ==, 2000);
  /* Anti-Captcha keeps a task 60 s after completion (the report window),
   * which does not bound its polls; CapSolver 300 s after creation */
  g_assert_cmpuint (_cs_dialect_get_limits (dialect (CS_PROVIDER_ANTI_CAPTCHA))->retention_s,
                    ==, 0);
  g_assert_cmpuint (_cs_dialect_get_limits (dialect (CS_PROVIDER_CAPSOLVER))->retention_s,
                    ==, 300);
  g_assert_cmpuint (_cs_dialect_get_limits (dialect (CS_PROVIDER_TWOCAPTCHA))->image_max_side,
                    ==, 600);

  g_assert_false (_cs_dialect_ids_are_integers (dialect (CS_PROVIDER_CAPSOLVER)));
  g_assert_true (_cs_dialect_ids_are_integers (dialect (CS_PROVIDER_ANTI_CAPTCHA)));
}

/* A neutral task of @family's variant, with a proxy when it needs one. */
static JsonObject *
neutral_task (const char *wire_name,
              gboolean    with_proxy)
{
  JsonObject *task = json_object_new ();

  json_object_set_string_member (task, "type", wire_name);
  json_object_set_string_member (task, "websiteURL", "https://example.com/login");
  json_object_set_double_member (task, "minScore", 0.7);
  if (with_proxy)
    json_object_set_string_member (task, "proxy", "http:203.0.113.9:8080");
  return task;
}

/* Every variant of every family of the task table, in every dialect:
 * written with the dialect's own name, read back as the same variant; or
 * refused before sending, naming CapSolver, which has them all. */
static void
test_every_family (void)
{
  guint n_families = 0;
  const CsTaskFamily * const *families = _cs_task_family_get_all (&n_families);
  const CsDialectEnvelope envelope = { "key", NULL, NULL, NULL };
  guint written = 0;
  guint refused = 0;

  for (CsProvider p = CS_PROVIDER_CAPSOLVER; p <= CS_PROVIDER_COMPATIBLE; p++)
    for (guint f = 0; f < n_families; f++)
      for (guint v = 0; v < 4; v++)
        {
          const CsTaskSpelling *names = &families[f]->spelling;
          const char *variants[] = {
            names->proxyless, names->proxy, names->enterprise_proxyless, names->enterprise_proxy
          };
          gboolean with_proxy = v % 2 == 1;
          gboolean enterprise = v >= 2;
          g_autoptr(JsonObject) task = NULL;
          g_autoptr(JsonObject) body = NULL;
          g_autoptr(GError) error = NULL;
          gboolean read_proxy = FALSE;
          gboolean read_enterprise = FALSE;
          JsonObject *sent;
          const char *expected_name;

          if (variants[v] == NULL)
            continue;
          task = neutral_task (variants[v], with_proxy);
          body = _cs_dialect_build_create_task (dialect (p), task, &envelope, NULL, &error);
          expected_name = _cs_dialect_type_name (dialect (p), families[f]->name, with_proxy,
                                                 enterprise, NULL);
          if (body == NULL)
            {
              g_assert_error (error, CS_ERROR, CS_ERROR_TASK_NOT_SUPPORTED);
              g_assert_null (expected_name);
              g_assert_nonnull (strstr (error->message, "CapSolver"));
              g_assert_nonnull (strstr (error->message, families[f]->name));
              refused++;
              continue;
            }
          g_assert_no_error (error);
          sent = _cs_json_get_object (body, "task");
          g_assert_cmpstr (_cs_json_get_string (sent, "type"), ==, expected_name);
          g_assert_cmpstr (_cs_dialect_family_of (dialect (p), expected_name, sent, &read_proxy,
                                                  &read_enterprise), ==, families[f]->name);
          g_assert_cmpint (read_proxy, ==, with_proxy);
          g_assert_cmpint (read_enterprise, ==, enterprise);
          written++;
        }
  g_assert_cmpuint (written, >, 0);
  g_assert_cmpuint (refused, >, 0);
}

/* Anti-Captcha and CapMonster Cloud still read NoCaptchaTask, the old name
 * for reCAPTCHA v2. */
static void
test_aliases (void)
{
  gboolean with_proxy = TRUE;
  gboolean enterprise = TRUE;

  g_assert_cmpstr (_cs_dialect_family_of (dialect (CS_PROVIDER_ANTI_CAPTCHA),
                                          "NoCaptchaTaskProxyless", NULL, &with_proxy,
                                          &enterprise), ==, "recaptcha-v2");
  g_assert_false (with_proxy);
  g_assert_false (enterprise);
  g_assert_cmpstr (_cs_dialect_family_of (dialect (CS_PROVIDER_ANTI_CAPTCHA), "NoCaptchaTask",
                                          NULL, &with_proxy, NULL), ==, "recaptcha-v2");
  g_assert_true (with_proxy);
  /* CapMonster Cloud's JS client sends its old name, with or without a proxy */
  {
    g_autoptr(JsonObject) bare = parse_object ("{\"type\":\"NoCaptchaTask\"}");
    g_autoptr(JsonObject) proxied =
      parse_object ("{\"type\":\"NoCaptchaTask\",\"proxyAddress\":\"8.8.8.8\"}");

    g_assert_cmpstr (_cs_dialect_family_of (dialect (CS_PROVIDER_CAPMONSTER), "NoCaptchaTask",
                                            bare, &with_proxy, &enterprise), ==,
                     "recaptcha-v2");
    g_assert_false (with_proxy);
    g_assert_false (enterprise);
    g_assert_cmpstr (_cs_dialect_family_of (dialect (CS_PROVIDER_CAPMONSTER), "NoCaptchaTask",
                                            proxied, &with_proxy, NULL), ==, "recaptcha-v2");
    g_assert_true (with_proxy);
  }
  /* and its name for reCAPTCHA v3 Enterprise, beside isEnterprise */
  g_assert_cmpstr (_cs_dialect_family_of (dialect (CS_PROVIDER_CAPMONSTER),
                                          "RecaptchaV3EnterpriseTask", NULL, &with_proxy,
                                          &enterprise), ==, "recaptcha-v3");
  g_assert_false (with_proxy);
  g_assert_true (enterprise);
  /* its GeeTestTask takes a proxy or none; GeeTestTaskProxyless is its old name */
  {
    g_autoptr(JsonObject) geetest = parse_object ("{\"type\":\"GeeTestTask\"}");

    g_assert_cmpstr (_cs_dialect_family_of (dialect (CS_PROVIDER_CAPMONSTER), "GeeTestTask",
                                            geetest, &with_proxy, NULL), ==, "geetest");
    g_assert_false (with_proxy);
    g_assert_cmpstr (_cs_dialect_family_of (dialect (CS_PROVIDER_CAPMONSTER),
                                            "GeeTestTaskProxyless", NULL, &with_proxy, NULL),
                     ==, "geetest");
    g_assert_false (with_proxy);
    g_assert_cmpstr (_cs_dialect_type_name (dialect (CS_PROVIDER_CAPMONSTER), "geetest", FALSE,
                                            FALSE, NULL), ==, "GeeTestTask");
  }
  /* an alias of one provider is no name of another */
  g_assert_null (_cs_dialect_family_of (dialect (CS_PROVIDER_TWOCAPTCHA), "NoCaptchaTask",
                                        NULL, NULL, NULL));
  g_assert_null (_cs_dialect_family_of (dialect (CS_PROVIDER_ANTI_CAPTCHA),
                                        "AntiTurnstileTaskProxyLess", NULL, NULL, NULL));
  g_assert_null (_cs_dialect_type_name (dialect (CS_PROVIDER_CAPMONSTER), NULL, FALSE, FALSE,
                                        NULL));
  g_assert_null (_cs_dialect_type_name (dialect (CS_PROVIDER_CAPSOLVER), "no-such-family",
                                        FALSE, FALSE, NULL));
}

static GError *
build_error (CsProvider  provider,
             const char *task_text)
{
  const CsDialectEnvelope envelope = { "key", NULL, NULL, NULL };
  g_autoptr(JsonObject) task = parse_object (task_text);
  g_autoptr(JsonObject) body = NULL;
  GError *error = NULL;

  body = _cs_dialect_build_create_task (dialect (provider), task, &envelope, NULL, &error);
  g_assert_null (body);
  g_assert_nonnull (error);
  return error;
}

static JsonObject *
build_task (CsProvider  provider,
            const char *task_text)
{
  const CsDialectEnvelope envelope = { "key", NULL, NULL, NULL };
  g_autoptr(JsonObject) task = parse_object (task_text);
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;

  body = _cs_dialect_build_create_task (dialect (provider), task, &envelope, NULL, &error);
  g_assert_no_error (error);
  return json_object_ref (_cs_json_get_object (body, "task"));
}

/* A type the provider lacks is refused before sending, with the names of
 * the providers that have it. */
static void
test_lacking_types (void)
{
  g_autoptr(GError) vision = build_error (CS_PROVIDER_ANTI_CAPTCHA,
                                          "{\"type\":\"VisionEngine\",\"module\":\"slider_1\"}");
  g_autoptr(GError) v3_proxy = build_error (CS_PROVIDER_TWOCAPTCHA,
                                            "{\"type\":\"ReCaptchaV3Task\","
                                            "\"proxy\":\"http:203.0.113.9:8080\"}");
  g_autoptr(GError) mtcaptcha = build_error (CS_PROVIDER_TWOCAPTCHA,
                                             "{\"type\":\"MtCaptchaTaskProxyLess\"}");

  g_assert_error (vision, CS_ERROR, CS_ERROR_TASK_NOT_SUPPORTED);
  g_assert_nonnull (strstr (vision->message, "Anti-Captcha has no vision-engine task"));
  g_assert_true (g_str_has_suffix (vision->message, "this provider has it: CapSolver"));
  g_assert_error (v3_proxy, CS_ERROR, CS_ERROR_TASK_NOT_SUPPORTED);
  g_assert_nonnull (strstr (v3_proxy->message, "through your proxy"));
  g_assert_true (g_str_has_suffix (v3_proxy->message, ": CapSolver"));
  g_assert_error (mtcaptcha, CS_ERROR, CS_ERROR_TASK_NOT_SUPPORTED);
  g_assert_true (g_str_has_suffix (mtcaptcha->message,
                                   "these providers have it: CapSolver, CapMonster Cloud"));
}

/* A type the task table does not know goes as it is, in every dialect:
 * a provider's own types (AntiGateTask) stay usable. */
static void
test_unknown_types_pass (void)
{
  for (CsProvider p = CS_PROVIDER_CAPSOLVER; p <= CS_PROVIDER_COMPATIBLE; p++)
    {
      g_autoptr(JsonObject) task = build_task (p, "{\"type\":\"AntiGateTask\","
                                                  "\"templateName\":\"Sign-in\"}");

      g_assert_cmpstr (_cs_json_get_string (task, "type"), ==, "AntiGateTask");
      g_assert_cmpstr (_cs_json_get_string (task, "templateName"), ==, "Sign-in");
    }
}

typedef struct {
  CsProvider  provider;
  const char *proxy;     /* the neutral "proxy" member */
  const char *refusal;   /* a part of the message, or NULL: accepted */
} ProxyCase;

static const ProxyCase proxy_cases[] = {
  /* IP-only providers refuse host names, and addresses they cannot reach */
  { CS_PROVIDER_ANTI_CAPTCHA, "http:proxy.example.net:8080", "not a host name" },
  { CS_PROVIDER_CAPMONSTER, "socks5://u:p@proxy.example.net:1080", "not a host name" },
  { CS_PROVIDER_ANTI_CAPTCHA, "http:127.0.0.1:8080", "loopback" },
  { CS_PROVIDER_ANTI_CAPTCHA, "http:10.1.2.3:8080", "private" },
  { CS_PROVIDER_ANTI_CAPTCHA, "http:192.168.1.20:8080", "private" },
  { CS_PROVIDER_CAPMONSTER, "http:172.16.0.5:8080", "private" },
  { CS_PROVIDER_CAPMONSTER, "http:169.254.1.1:8080", "link-local" },
  { CS_PROVIDER_CAPMONSTER, "http://[fd00::1]:8080", "private" },
  { CS_PROVIDER_CAPMONSTER, "http://[::1]:8080", "loopback" },
  { CS_PROVIDER_ANTI_CAPTCHA, "http:203.0.113.9:8080", NULL },
  { CS_PROVIDER_ANTI_CAPTCHA, "http://[2001:db8::7]:8080", NULL },
  /* schemes the provider does not take */
  { CS_PROVIDER_ANTI_CAPTCHA, "https:203.0.113.9:8443", "takes no https proxy" },
  { CS_PROVIDER_TWOCAPTCHA, "https:203.0.113.9:8443", "takes no https proxy" },
  { CS_PROVIDER_CAPMONSTER, "https:203.0.113.9:8443", NULL },
  /* host names where the provider says nothing against them */
  { CS_PROVIDER_TWOCAPTCHA, "socks5:proxy.example.net:1080:u:p", NULL },
  { CS_PROVIDER_CAPSOLVER, "http:proxy.example.net:8080", NULL },
  { CS_PROVIDER_COMPATIBLE, "http:10.0.0.1:8080", NULL },
  /* a proxy that cannot be read at all */
  { CS_PROVIDER_TWOCAPTCHA, "http:proxy.example.net:99999", "cannot be read" },
};

static void
test_proxies (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (proxy_cases); i++)
    {
      const ProxyCase *c = &proxy_cases[i];
      const CsDialectEnvelope envelope = { "key", NULL, NULL, NULL };
      g_autoptr(JsonObject) task = parse_object ("{\"type\":\"ReCaptchaV2Task\"}");
      g_autoptr(JsonObject) body = NULL;
      g_autoptr(GError) error = NULL;

      json_object_set_string_member (task, "proxy", c->proxy);
      body = _cs_dialect_build_create_task (dialect (c->provider), task, &envelope, NULL,
                                            &error);
      if (c->refusal == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (body);
          continue;
        }
      g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
      if (strstr (error->message, c->refusal) == NULL)
        g_error ("%s: \"%s\" does not say %s", c->proxy, error->message, c->refusal);
      /* no credentials in the message */
      g_assert_null (strstr (error->message, ":p@"));
    }
}

/* The separate fields form of the neutral task is read too, and a task
 * whose type needs a proxy is refused without one (CapMonster would
 * otherwise solve it without, under the same name). */
static void
test_proxy_fields_form (void)
{
  g_autoptr(JsonObject) task = build_task (CS_PROVIDER_CAPMONSTER,
                                           "{\"type\":\"ReCaptchaV2Task\","
                                           "\"proxyType\":\"SOCKS5\","
                                           "\"proxyAddress\":\"203.0.113.9\","
                                           "\"proxyPort\":\"1080\"}");
  g_autoptr(GError) missing = build_error (CS_PROVIDER_CAPMONSTER,
                                           "{\"type\":\"ReCaptchaV2Task\"}");
  gint64 port = 0;

  g_assert_cmpstr (_cs_json_get_string (task, "proxyType"), ==, "socks5");
  g_assert_true (_cs_json_get_int (task, "proxyPort", &port));
  g_assert_cmpint (port, ==, 1080);
  g_assert_false (json_object_has_member (task, "proxyLogin"));
  g_assert_error (missing, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
  g_assert_nonnull (strstr (missing->message, "proxy"));
}

/* CapSolver's own fields: left out and said so, refused when leaving them
 * out would change the task, required where the provider requires them. */
static void
test_fields (void)
{
  const CsDialectEnvelope envelope = { "key", "7", NULL, "rn" };
  g_autoptr(JsonObject) task = parse_object ("{\"type\":\"ReCaptchaV2TaskProxyLess\","
                                             "\"isSession\":true,\"cookies\":\"a=1; b=2\"}");
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) images = NULL;
  g_autoptr(GError) geetest = NULL;
  g_autoptr(GError) turnstile = NULL;
  g_autoptr(GError) min_score = NULL;
  g_auto(GStrv) dropped = NULL;
  g_autoptr(JsonObject) v3 = NULL;

  body = _cs_dialect_build_create_task (dialect (CS_PROVIDER_CAPMONSTER), task, &envelope,
                                        &dropped, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (_cs_json_get_string (_cs_json_get_object (body, "task"), "cookies"), ==,
                   "a=1; b=2");
  g_assert_nonnull (dropped);
  g_assert_true (g_strv_contains ((const char * const *) dropped, "isSession"));
  g_assert_true (g_strv_contains ((const char * const *) dropped, "appId"));
  g_assert_true (g_strv_contains ((const char * const *) dropped, "languagePool"));
  g_assert_false (json_object_has_member (body, "softId"));
  g_assert_false (json_object_has_member (body, "languagePool"));

  images = build_error (CS_PROVIDER_ANTI_CAPTCHA,
                        "{\"type\":\"ImageToTextTask\",\"images\":[\"aGk=\",\"aGk=\"]}");
  g_assert_error (images, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
  g_assert_nonnull (strstr (images->message, "images"));
  geetest = build_error (CS_PROVIDER_TWOCAPTCHA,
                         "{\"type\":\"GeeTestTaskProxyLess\",\"captchaId\":\"abc\"}");
  g_assert_error (geetest, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
  turnstile = build_error (CS_PROVIDER_CAPMONSTER,
                           "{\"type\":\"AntiTurnstileTaskProxyLess\","
                           "\"metadata\":{\"action\":\"login\"}}");
  g_assert_error (turnstile, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
  min_score = build_error (CS_PROVIDER_TWOCAPTCHA, "{\"type\":\"ReCaptchaV3TaskProxyLess\"}");
  g_assert_error (min_score, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
  g_assert_nonnull (strstr (min_score->message, "minScore"));

  /* Turnstile's metadata object, emptied by the renames, is not sent */
  v3 = build_task (CS_PROVIDER_TWOCAPTCHA, "{\"type\":\"AntiTurnstileTaskProxyLess\","
                                           "\"metadata\":{\"action\":\"a\",\"cdata\":\"c\"}}");
  g_assert_false (json_object_has_member (v3, "metadata"));
  g_assert_cmpstr (_cs_json_get_string (v3, "action"), ==, "a");
  g_assert_cmpstr (_cs_json_get_string (v3, "cData"), ==, "c");
}

/* softId is a number; a CapSolver appId cannot be sent as one. */
static void
test_developer_id (void)
{
  const CsDialectEnvelope envelope = { "key", "8E1B29B2-3C19", NULL, NULL };
  g_autoptr(JsonObject) task = parse_object ("{\"type\":\"ImageToTextTask\","
                                             "\"body\":\"" PNG_182 "\"}");
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;

  body = _cs_dialect_build_create_task (dialect (CS_PROVIDER_ANTI_CAPTCHA), task, &envelope,
                                        NULL, &error);
  g_assert_null (body);
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
  g_assert_nonnull (strstr (error->message, "softId"));
  g_clear_error (&error);

  body = _cs_dialect_build_create_task (dialect (CS_PROVIDER_COMPATIBLE), task, &envelope,
                                        NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (_cs_json_get_string (body, "appId"), ==, "8E1B29B2-3C19");
}

/* Images outside the sizes a provider takes are refused before sending;
 * the size is that of the image, not of its base64 text. */
static void
test_image_sizes (void)
{
  static const struct {
    CsProvider  provider;
    gsize       bytes;
    gboolean    taken;
  } cases[] = {
    { CS_PROVIDER_ANTI_CAPTCHA, 99, FALSE },
    { CS_PROVIDER_ANTI_CAPTCHA, 100, TRUE },
    { CS_PROVIDER_ANTI_CAPTCHA, 500000, TRUE },
    { CS_PROVIDER_ANTI_CAPTCHA, 500001, FALSE },
    { CS_PROVIDER_TWOCAPTCHA, 100 * 1024, TRUE },
    { CS_PROVIDER_TWOCAPTCHA, 100 * 1024 + 1, FALSE },
    { CS_PROVIDER_CAPMONSTER, 50 * 1024, TRUE },
    { CS_PROVIDER_CAPMONSTER, 50 * 1024 + 2, FALSE },
    /* CapSolver publishes no sizes */
    { CS_PROVIDER_CAPSOLVER, 1, TRUE },
    { CS_PROVIDER_CAPSOLVER, 4 * 1024 * 1024, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const CsDialectEnvelope envelope = { "key", NULL, NULL, NULL };
      g_autofree guchar *bytes = g_malloc0 (cases[i].bytes);
      g_autofree char *base64 = g_base64_encode (bytes, cases[i].bytes);
      g_autoptr(JsonObject) task = parse_object ("{\"type\":\"ImageToTextTask\"}");
      g_autoptr(JsonObject) body = NULL;
      g_autoptr(GError) error = NULL;

      json_object_set_string_member (task, "body", base64);
      body = _cs_dialect_build_create_task (dialect (cases[i].provider), task, &envelope, NULL,
                                            &error);
      if (cases[i].taken)
        g_assert_no_error (error);
      else
        {
          g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_IMAGE);
          g_assert_nonnull (strstr (error->message, "body has"));
        }
    }
}

/* A proxy beside a type without one: CapSolver's dialect sends the task
 * as it is; where one name serves both variants it is left out, or the
 * task would be solved through it. */
static void
test_proxy_on_proxyless_type (void)
{
  const char *text = "{\"type\":\"ReCaptchaV2TaskProxyLess\","
                     "\"proxy\":\"http:proxy.example.net:8080\"}";
  const CsDialectEnvelope envelope = { "key", NULL, NULL, NULL };
  g_autoptr(JsonObject) task = parse_object (text);
  g_autoptr(JsonObject) capmonster = NULL;
  g_autoptr(JsonObject) capsolver = build_task (CS_PROVIDER_CAPSOLVER, text);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) dropped = NULL;
  JsonObject *sent;

  g_assert_cmpstr (_cs_json_get_string (capsolver, "proxy"), ==, "http:proxy.example.net:8080");
  capmonster = _cs_dialect_build_create_task (dialect (CS_PROVIDER_CAPMONSTER), task, &envelope,
                                              &dropped, &error);
  g_assert_no_error (error);
  sent = _cs_json_get_object (capmonster, "task");
  g_assert_false (json_object_has_member (sent, "proxy"));
  g_assert_false (json_object_has_member (sent, "proxyAddress"));
  g_assert_cmpstr (_cs_json_get_string (sent, "type"), ==, "RecaptchaV2Task");
  g_assert_nonnull (dropped);
  g_assert_true (g_strv_contains ((const char * const *) dropped, "proxy"));
}

/* getTaskResult's taskId goes as a number where the provider numbers its
 * tasks. */
static void
test_task_call (void)
{
  g_autoptr(JsonObject) numbered = NULL;
  g_autoptr(JsonObject) named = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  numbered = _cs_dialect_build_task_call (dialect (CS_PROVIDER_TWOCAPTCHA), "key",
                                          "72345678901", &error);
  g_assert_no_error (error);
  g_assert_true (_cs_json_get_int (numbered, "taskId", &id));
  g_assert_cmpint (id, ==, G_GINT64_CONSTANT (72345678901));
  named = _cs_dialect_build_task_call (dialect (CS_PROVIDER_CAPSOLVER), "key",
                                       "37223a89-06ed-442c-a0b8-22067b79c5b4", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (_cs_json_get_string (named, "taskId"), ==,
                   "37223a89-06ed-442c-a0b8-22067b79c5b4");
  refused = _cs_dialect_build_task_call (dialect (CS_PROVIDER_ANTI_CAPTCHA), "key",
                                         "37223a89-06ed", &error);
  g_assert_null (refused);
  g_assert_error (error, CS_ERROR, CS_ERROR_TASKID_INVALID);
}

/* --- Replies --------------------------------------------------------------- */

static gboolean
parse_reply (CsProvider       provider,
             CsDialectMethod  method,
             guint            http_status,
             const char      *text,
             CsDialectReply  *reply,
             GError         **error)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  return _cs_dialect_parse_reply (dialect (provider), method, http_status, body,
                                  MOCK_SECRETS ("secret-key-1234"), reply, error);
}

typedef struct {
  CsProvider  provider;
  const char *reply;
  CsError     code;
  const char *code_text;
} ErrorCase;

/* The error table of each provider, by text and by number. */
static const ErrorCase error_cases[] = {
  { CS_PROVIDER_CAPSOLVER, "{\"errorId\":1,\"errorCode\":\"ERROR_TASKID_INVALID\"}",
    CS_ERROR_TASKID_INVALID, "ERROR_TASKID_INVALID" },
  { CS_PROVIDER_CAPSOLVER, "{\"errorId\":1,\"errorCode\":\"ERROR_KEY_DENIED_ACCESS\"}",
    CS_ERROR_KEY_DENIED_ACCESS, "ERROR_KEY_DENIED_ACCESS" },
  { CS_PROVIDER_COMPATIBLE, "{\"errorId\":1,\"errorCode\":\"ERROR_SERVICE_UNAVALIABLE\"}",
    CS_ERROR_SERVICE_UNAVAILABLE, "ERROR_SERVICE_UNAVALIABLE" },
  { CS_PROVIDER_ANTI_CAPTCHA, "{\"errorId\":1,\"errorCode\":\"ERROR_KEY_DOES_NOT_EXIST\"}",
    CS_ERROR_KEY_DOES_NOT_EXIST, "ERROR_KEY_DOES_NOT_EXIST" },
  { CS_PROVIDER_ANTI_CAPTCHA, "{\"errorId\":2}", CS_ERROR_NO_SLOT_AVAILABLE,
    "ERROR_NO_SLOT_AVAILABLE" },
  { CS_PROVIDER_ANTI_CAPTCHA, "{\"errorId\":4}", CS_ERROR_INVALID_IMAGE,
    "ERROR_TOO_BIG_CAPTCHA_FILESIZE" },
  { CS_PROVIDER_ANTI_CAPTCHA, "{\"errorId\":10,\"errorCode\":\"ERROR_ZERO_BALANCE\"}",
    CS_ERROR_ZERO_BALANCE, "ERROR_ZERO_BALANCE" },
  { CS_PROVIDER_ANTI_CAPTCHA, "{\"errorId\":\"16\"}", CS_ERROR_TASKID_INVALID,
    "ERROR_NO_SUCH_CAPCHA_ID" },
  { CS_PROVIDER_ANTI_CAPTCHA, "{\"errorId\":21,\"errorCode\":\"ERROR_IP_BLOCKED\"}",
    CS_ERROR_IP_BANNED, "ERROR_IP_BLOCKED" },
  { CS_PROVIDER_ANTI_CAPTCHA, "{\"errorId\":28}", CS_ERROR_PROXY_BANNED,
    "ERROR_PROXY_BANNED" },
  { CS_PROVIDER_ANTI_CAPTCHA, "{\"errorId\":55}", CS_ERROR_ACCOUNT_SUSPENDED,
    "ERROR_ACCOUNT_SUSPENDED" },
  /* a code with no meaning of the library's: FAILED, the text kept */
  { CS_PROVIDER_ANTI_CAPTCHA, "{\"errorId\":26}", CS_ERROR_FAILED,
    "ERROR_PROXY_CONNECT_TIMEOUT" },
  { CS_PROVIDER_ANTI_CAPTCHA, "{\"errorId\":40,\"errorCode\":\"ERROR_FACTORY_SERVER_ERRORID_MISSING\"}",
    CS_ERROR_FAILED, "ERROR_FACTORY_SERVER_ERRORID_MISSING" },
  /* the text wins over the number */
  { CS_PROVIDER_ANTI_CAPTCHA, "{\"errorId\":12,\"errorCode\":\"ERROR_ZERO_BALANCE\"}",
    CS_ERROR_ZERO_BALANCE, "ERROR_ZERO_BALANCE" },
  /* a bare 1 is a wrong key where the provider numbers its codes */
  { CS_PROVIDER_ANTI_CAPTCHA, "{\"errorId\":1}", CS_ERROR_KEY_DOES_NOT_EXIST,
    "ERROR_KEY_DOES_NOT_EXIST" },
  { CS_PROVIDER_TWOCAPTCHA, "{\"errorId\":1}", CS_ERROR_KEY_DOES_NOT_EXIST,
    "ERROR_KEY_DOES_NOT_EXIST" },
  { CS_PROVIDER_TWOCAPTCHA, "{\"errorId\":5}", CS_ERROR_INVALID_TASK_DATA, "ERROR_PAGEURL" },
  { CS_PROVIDER_TWOCAPTCHA, "{\"errorId\":12}", CS_ERROR_CAPTCHA_UNSOLVABLE,
    "ERROR_CAPTCHA_UNSOLVABLE" },
  { CS_PROVIDER_TWOCAPTCHA, "{\"errorId\":55}", CS_ERROR_ACCOUNT_SUSPENDED,
    "ERROR_ACCOUNT_SUSPENDED" },
  { CS_PROVIDER_TWOCAPTCHA, "{\"errorId\":11}", CS_ERROR_IP_NOT_ALLOWED,
    "ERROR_IP_NOT_ALLOWED" },
  { CS_PROVIDER_TWOCAPTCHA, "{\"errorId\":130}", CS_ERROR_FAILED, "ERROR_BAD_PROXY" },
  { CS_PROVIDER_TWOCAPTCHA, "{\"errorId\":1,\"errorCode\":\"ERROR_REPORT_NOT_RECORDED\"}",
    CS_ERROR_BAD_REQUEST, "ERROR_REPORT_NOT_RECORDED" },
  { CS_PROVIDER_CAPMONSTER, "{\"errorId\":1,\"errorCode\":\"ERROR_TOO_MUCH_REQUESTS\"}",
    CS_ERROR_RATE_LIMIT, "ERROR_TOO_MUCH_REQUESTS" },
  { CS_PROVIDER_CAPMONSTER, "{\"errorId\":1,\"errorCode\":\"ERROR_NO_SUCH_CAPCHA_ID\"}",
    CS_ERROR_TASKID_INVALID, "ERROR_NO_SUCH_CAPCHA_ID" },
  { CS_PROVIDER_CAPMONSTER, "{\"errorId\":1,\"errorCode\":\"ERROR_ZERO_BALANCE\"}",
    CS_ERROR_ZERO_BALANCE, "ERROR_ZERO_BALANCE" },
  { CS_PROVIDER_CAPMONSTER, "{\"errorId\":1,\"errorCode\":\"ERROR_WRONG_USERAGENT\"}",
    CS_ERROR_INVALID_TASK_DATA, "ERROR_WRONG_USERAGENT" },
  /* CapMonster's errorId is only 0 or 1: a bare 1 names nothing */
  { CS_PROVIDER_CAPMONSTER, "{\"errorId\":16}", CS_ERROR_FAILED, NULL },
};

static void
test_error_tables (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *c = &error_cases[i];
      g_auto(CsDialectReply) reply = { 0, };
      g_autoptr(GError) error = NULL;

      g_assert_false (parse_reply (c->provider, CS_DIALECT_GET_TASK_RESULT, 200, c->reply,
                                   &reply, &error));
      if (error == NULL || error->domain != CS_ERROR || error->code != (gint) c->code)
        g_error ("%s: %s (%d)", c->reply, error != NULL ? error->message : "no error",
                 error != NULL ? error->code : -1);
      g_assert_cmpstr (reply.code_text, ==, c->code_text);
      if (c->code_text != NULL)
        g_assert_true (g_str_has_prefix (error->message, c->code_text));
    }
}

/* Every numbered row of a provider names its code back, and reads as the
 * code its text reads as. */
static void
test_error_numbers (void)
{
  for (CsProvider p = CS_PROVIDER_CAPSOLVER; p <= CS_PROVIDER_COMPATIBLE; p++)
    for (gint64 id = 2; id < 200; id++)
      {
        const char *text = _cs_dialect_code_from_id (dialect (p), id);
        g_autofree char *reply_text = NULL;
        g_auto(CsDialectReply) reply = { 0, };
        g_autoptr(GError) error = NULL;

        if (text == NULL)
          continue;
        g_assert_true (p == CS_PROVIDER_ANTI_CAPTCHA || p == CS_PROVIDER_TWOCAPTCHA);
        reply_text = g_strdup_printf ("{\"errorId\":%" G_GINT64_FORMAT "}", id);
        g_assert_false (parse_reply (p, CS_DIALECT_CREATE_TASK, 200, reply_text, &reply,
                                     &error));
        g_assert_cmpstr (reply.code_text, ==, text);
        g_assert_cmpint (error->code, ==, _cs_dialect_error_from_code (dialect (p), text));
      }
}

/* A server writes each error the way the dialect does, and the client
 * reads it back as the same error. */
static void
test_error_codes_for_servers (void)
{
  g_autoptr(GEnumClass) codes = g_type_class_ref (CS_TYPE_ERROR);
  guint written = 0;

  for (CsProvider p = CS_PROVIDER_CAPSOLVER; p <= CS_PROVIDER_COMPATIBLE; p++)
    for (guint i = 0; i < codes->n_values; i++)
      {
        CsError code = codes->values[i].value;
        gint id = 0;
        const char *text = _cs_dialect_code_for_error (dialect (p), code, &id);
        g_autofree char *reply_text = NULL;
        g_auto(CsDialectReply) reply = { 0, };
        g_autoptr(GError) error = NULL;

        if (text == NULL)
          {
            /* then CapSolver's code, which every dialect reads */
            text = cs_error_to_code (code);
            id = 1;
            if (text == NULL)
              continue;
          }
        reply_text = g_strdup_printf ("{\"errorId\":%d,\"errorCode\":\"%s\"}", id, text);
        g_assert_false (parse_reply (p, CS_DIALECT_GET_TASK_RESULT, 200, reply_text, &reply,
                                     &error));
        /* a wrong key is a key that does not exist, outside CapSolver */
        if (code == CS_ERROR_KEY_DENIED_ACCESS && p != CS_PROVIDER_CAPSOLVER &&
            p != CS_PROVIDER_COMPATIBLE)
          g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DOES_NOT_EXIST);
        else
          g_assert_error (error, CS_ERROR, (gint) code);
        written++;
      }
  g_assert_cmpuint (written, >, 50);
  g_assert_cmpstr (_cs_dialect_code_for_error (dialect (CS_PROVIDER_ANTI_CAPTCHA),
                                               CS_ERROR_TASKID_INVALID, NULL), ==,
                   "ERROR_NO_SUCH_CAPCHA_ID");
  g_assert_null (_cs_dialect_code_for_error (dialect (CS_PROVIDER_CAPSOLVER),
                                             CS_ERROR_TASKID_INVALID, NULL));
  g_assert_cmpstr (_cs_dialect_code_for_error (dialect (CS_PROVIDER_TWOCAPTCHA),
                                               CS_ERROR_INVALID_TASK_DATA, NULL), ==,
                   "ERROR_BAD_PARAMETERS");
  /* none of Anti-Captcha's means only that: CapSolver's code is sent */
  g_assert_null (_cs_dialect_code_for_error (dialect (CS_PROVIDER_ANTI_CAPTCHA),
                                             CS_ERROR_INVALID_TASK_DATA, NULL));
}

/* Replies the sandbox writes in CapSolver's form, written in each dialect,
 * read back in that dialect: the same task id, status and error. */
static void
test_write_reply (void)
{
  static const struct {
    CsDialectMethod  method;
    const char      *reply;
    CsTaskStatus     status;        /* CS_TASK_STATUS_NEW: none */
    gboolean         idle;          /* idle at CapSolver, processing elsewhere */
    CsError          code;          /* CS_ERROR_FAILED: no error */
    const char      *anti_captcha;  /* its code text there, for an error */
  } cases[] = {
    { CS_DIALECT_CREATE_TASK, "{\"errorId\":0,\"errorCode\":\"\",\"errorDescription\":\"\","
      "\"taskId\":\"1234567\"}", CS_TASK_STATUS_NEW, FALSE, CS_ERROR_FAILED, NULL },
    { CS_DIALECT_GET_TASK_RESULT, "{\"errorId\":0,\"status\":\"idle\",\"taskId\":\"1234567\"}",
      CS_TASK_STATUS_IDLE, TRUE, CS_ERROR_FAILED, NULL },
    { CS_DIALECT_GET_TASK_RESULT, "{\"errorId\":0,\"status\":\"ready\",\"taskId\":\"1234567\","
      "\"solution\":{\"gRecaptchaResponse\":\"t\"}}", CS_TASK_STATUS_READY, FALSE,
      CS_ERROR_FAILED, NULL },
    { CS_DIALECT_GET_TASK_RESULT, "{\"errorId\":1,\"errorCode\":\"ERROR_TASKID_INVALID\","
      "\"errorDescription\":\"gone\"}", CS_TASK_STATUS_NEW, FALSE, CS_ERROR_TASKID_INVALID,
      "ERROR_NO_SUCH_CAPCHA_ID" },
    { CS_DIALECT_GET_TASK_RESULT, "{\"errorId\":1,\"errorCode\":\"ERROR_ZERO_BALANCE\","
      "\"errorDescription\":\"no money\"}", CS_TASK_STATUS_NEW, FALSE, CS_ERROR_ZERO_BALANCE,
      "ERROR_ZERO_BALANCE" },
    { CS_DIALECT_GET_TASK_RESULT, "{\"errorId\":1,\"status\":\"failed\","
      "\"errorCode\":\"ERROR_CAPTCHA_UNSOLVABLE\",\"errorDescription\":\"no\"}",
      CS_TASK_STATUS_FAILED, FALSE, CS_ERROR_CAPTCHA_UNSOLVABLE, "ERROR_CAPTCHA_UNSOLVABLE" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (CsProvider p = CS_PROVIDER_CAPSOLVER; p <= CS_PROVIDER_COMPATIBLE; p++)
      {
        g_autoptr(JsonObject) capsolver = parse_object (cases[i].reply);
        g_autoptr(JsonObject) written = _cs_dialect_write_reply (dialect (p), capsolver);
        g_autoptr(GBytes) body = _cs_json_to_bytes (written);
        gboolean foreign = p != CS_PROVIDER_CAPSOLVER && p != CS_PROVIDER_COMPATIBLE;
        g_auto(CsDialectReply) reply = { 0, };
        g_autoptr(GError) error = NULL;
        gint64 id = 0;

        _cs_dialect_parse_reply (dialect (p), cases[i].method, 200, body, NULL, &reply, &error);
        if (cases[i].code == CS_ERROR_FAILED)
          {
            g_assert_no_error (error);
            g_assert_cmpstr (reply.task_id, ==, "1234567");
            g_assert_cmpint (reply.status, ==,
                             cases[i].idle && foreign ? CS_TASK_STATUS_PROCESSING
                                                      : cases[i].status);
            /* numbers where the provider numbers its tasks */
            g_assert_cmpint (_cs_json_get_int (written, "taskId", &id), ==, foreign);
            continue;
          }
        g_assert_error (error, CS_ERROR, (gint) cases[i].code);
        if (p == CS_PROVIDER_ANTI_CAPTCHA)
          {
            g_assert_cmpstr (reply.code_text, ==, cases[i].anti_captcha);
            g_assert_cmpint (reply.error_id, >, 1);
            g_assert_false (json_object_has_member (written, "status"));
          }
      }
}

/* Reading a createTask in a dialect: aliases and flags back to the
 * table's names, renamed fields back to CapSolver's. */
static void
test_read_create_task (void)
{
  static const struct {
    CsProvider  provider;
    const char *body;
    const char *type_name;
  } cases[] = {
    { CS_PROVIDER_ANTI_CAPTCHA, "{\"task\":{\"type\":\"NoCaptchaTaskProxyless\"}}",
      "ReCaptchaV2TaskProxyLess" },
    { CS_PROVIDER_ANTI_CAPTCHA, "{\"task\":{\"type\":\"NoCaptchaTask\"}}", "ReCaptchaV2Task" },
    { CS_PROVIDER_CAPMONSTER, "{\"task\":{\"type\":\"RecaptchaV2Task\"}}",
      "ReCaptchaV2TaskProxyLess" },
    { CS_PROVIDER_CAPMONSTER, "{\"task\":{\"type\":\"RecaptchaV2Task\","
      "\"proxyAddress\":\"203.0.113.9\",\"proxyPort\":80}}", "ReCaptchaV2Task" },
    { CS_PROVIDER_TWOCAPTCHA, "{\"task\":{\"type\":\"RecaptchaV3TaskProxyless\","
      "\"isEnterprise\":true}}", "ReCaptchaV3EnterpriseTaskProxyLess" },
    { CS_PROVIDER_TWOCAPTCHA, "{\"task\":{\"type\":\"RecaptchaV3TaskProxyless\","
      "\"isEnterprise\":false}}", "ReCaptchaV3TaskProxyLess" },
    { CS_PROVIDER_ANTI_CAPTCHA, "{\"task\":{\"type\":\"AntiGateTask\"}}", "AntiGateTask" },
    { CS_PROVIDER_CAPSOLVER, "{\"task\":{\"type\":\"recaptchav2taskproxyless\"}}",
      "recaptchav2taskproxyless" },
  };
  g_autoptr(JsonObject) no_task = parse_object ("{\"clientKey\":\"k\"}");
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) body = parse_object (cases[i].body);
      g_autoptr(JsonObject) task = _cs_dialect_read_create_task (dialect (cases[i].provider),
                                                                 body, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (_cs_json_get_string (task, "type"), ==, cases[i].type_name);
      g_assert_false (json_object_has_member (task, "isEnterprise"));
    }
  g_assert_null (_cs_dialect_read_create_task (dialect (CS_PROVIDER_TWOCAPTCHA), no_task,
                                               &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_REQUIRED_FIELDS);
}

/* cost, createTime, endTime and solveCount come as numbers or as their
 * text; text that is no number is not read. */
static void
test_number_or_string (void)
{
  static const struct {
    const char *reply;
    gboolean    has_cost;
    double      cost;
    gboolean    has_count;
    gint64      count;
  } cases[] = {
    { "{\"errorId\":0,\"status\":\"ready\",\"solution\":{},\"cost\":0.0007,\"solveCount\":0}",
      TRUE, 0.0007, TRUE, 0 },
    { "{\"errorId\":0,\"status\":\"ready\",\"solution\":{},\"cost\":\"0.000700\","
      "\"solveCount\":\"0\"}", TRUE, 0.0007, TRUE, 0 },
    { "{\"errorId\":0,\"status\":\"ready\",\"solution\":{},\"cost\":1,\"solveCount\":2.0}",
      TRUE, 1.0, TRUE, 2 },
    { "{\"errorId\":0,\"status\":\"ready\",\"solution\":{},\"cost\":\"free\","
      "\"solveCount\":\"2.5\"}", FALSE, 0, FALSE, 0 },
    { "{\"errorId\":0,\"status\":\"ready\",\"solution\":{},\"cost\":\"\",\"solveCount\":null}",
      FALSE, 0, FALSE, 0 },
    { "{\"errorId\":0,\"status\":\"ready\",\"solution\":{},\"cost\":\"nan\","
      "\"solveCount\":true}", FALSE, 0, FALSE, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (CsProvider p = CS_PROVIDER_ANTI_CAPTCHA; p <= CS_PROVIDER_TWOCAPTCHA; p++)
      {
        g_auto(CsDialectReply) reply = { 0, };
        g_autoptr(GError) error = NULL;

        g_assert_true (parse_reply (p, CS_DIALECT_GET_TASK_RESULT, 200, cases[i].reply,
                                    &reply, &error));
        g_assert_no_error (error);
        g_assert_cmpint (!!(reply.fields & CS_DIALECT_HAS_COST), ==, cases[i].has_cost);
        g_assert_cmpfloat_with_epsilon (reply.cost, cases[i].cost, 1e-12);
        g_assert_cmpint (!!(reply.fields & CS_DIALECT_HAS_SOLVE_COUNT), ==, cases[i].has_count);
        g_assert_cmpint (reply.solve_count, ==, cases[i].count);
      }
}

/* Bodies that are not the protocol, in any dialect. */
static void
test_protocol_errors (void)
{
  static const struct {
    CsDialectMethod method;
    guint           http_status;
    const char     *reply;
  } cases[] = {
    { CS_DIALECT_CREATE_TASK, 200, "{\"errorId\":0}" },
    { CS_DIALECT_CREATE_TASK, 200, "{\"errorId\":0,\"taskId\":0}" },
    { CS_DIALECT_GET_TASK_RESULT, 200, "{\"errorId\":0}" },
    { CS_DIALECT_GET_BALANCE, 200, "{\"errorId\":0,\"balance\":\"lots\"}" },
    { CS_DIALECT_REPORT, 502, "<html><body>Bad gateway</body></html>" },
    { CS_DIALECT_REPORT, 200, "[]" },
    { CS_DIALECT_GET_TASK_RESULT, 500, "{\"status\":\"processing\"}" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (CsProvider p = CS_PROVIDER_CAPSOLVER; p <= CS_PROVIDER_COMPATIBLE; p++)
      {
        g_auto(CsDialectReply) reply = { 0, };
        g_autoptr(GError) error = NULL;

        g_assert_false (parse_reply (p, cases[i].method, cases[i].http_status, cases[i].reply,
                                     &reply, &error));
        g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
        g_assert_null (reply.code_text);
      }
}

/* The key the service echoes is redacted from the message; the code stays. */
static void
test_reply_redacts (void)
{
  g_auto(CsDialectReply) reply = { 0, };
  g_autoptr(GError) error = NULL;

  g_assert_false (parse_reply (CS_PROVIDER_ANTI_CAPTCHA, CS_DIALECT_CREATE_TASK, 200,
                               "{\"errorId\":1,\"errorCode\":\"ERROR_KEY_DOES_NOT_EXIST\","
                               "\"errorDescription\":\"no key secret-key-1234\"}",
                               &reply, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DOES_NOT_EXIST);
  g_assert_null (strstr (error->message, "secret-key-1234"));
  g_assert_true (g_str_has_prefix (error->message, "ERROR_KEY_DOES_NOT_EXIST: "));
}

/* --- Reports --------------------------------------------------------------- */

static JsonObject *
report (CsProvider   provider,
        const char  *family,
        gboolean     correct,
        guint        reports_sent,
        gint64       since_solved_s,
        const char **method,
        GError     **error)
{
  CsDialectReport r = {
    "key", NULL, "12345", family, correct, 0, NULL, reports_sent, since_solved_s
  };

  return _cs_dialect_build_report (dialect (provider), &r, method, error);
}

static void
test_report_rules (void)
{
  const char *method = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;

  /* Anti-Captcha: no report of a correct image, none of a Turnstile */
  body = report (CS_PROVIDER_ANTI_CAPTCHA, "image-to-text", TRUE, 0, 1, &method, &error);
  g_assert_null (body);
  g_assert_null (method);
  g_assert_error (error, CS_ERROR, CS_ERROR_PAGE_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "correct solution of image-to-text"));
  g_clear_error (&error);
  body = report (CS_PROVIDER_ANTI_CAPTCHA, "turnstile", FALSE, 0, 1, &method, &error);
  g_assert_error (error, CS_ERROR, CS_ERROR_PAGE_NOT_FOUND);
  g_clear_error (&error);
  /* ... one report per task, within 60 s */
  body = report (CS_PROVIDER_ANTI_CAPTCHA, "recaptcha-v2", FALSE, 1, 1, &method, &error);
  g_assert_error (error, CS_ERROR, CS_ERROR_BAD_REQUEST);
  g_clear_error (&error);
  body = report (CS_PROVIDER_ANTI_CAPTCHA, "recaptcha-v2", FALSE, 0, 61, &method, &error);
  g_assert_error (error, CS_ERROR, CS_ERROR_TASKID_INVALID);
  g_assert_nonnull (strstr (error->message, "within 60 s"));
  g_clear_error (&error);
  body = report (CS_PROVIDER_ANTI_CAPTCHA, "recaptcha-v2", FALSE, 0, 60, &method, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (method, ==, "reportIncorrectRecaptcha");
  g_clear_pointer (&body, json_object_unref);
  /* an unknown time is no reason to refuse */
  body = report (CS_PROVIDER_ANTI_CAPTCHA, "recaptcha-v3", TRUE, 0, -1, &method, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (method, ==, "reportCorrectRecaptcha");
  g_clear_pointer (&body, json_object_unref);

  /* CapMonster: incorrect reports only */
  body = report (CS_PROVIDER_CAPMONSTER, "recaptcha-v2", TRUE, 0, 1, &method, &error);
  g_assert_error (error, CS_ERROR, CS_ERROR_PAGE_NOT_FOUND);
  g_clear_error (&error);
  body = report (CS_PROVIDER_CAPMONSTER, "geetest", FALSE, 0, 1, &method, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (method, ==, "reportIncorrectTokenCaptcha");
  g_clear_pointer (&body, json_object_unref);

  /* 2Captcha: any type, once */
  body = report (CS_PROVIDER_TWOCAPTCHA, NULL, TRUE, 0, 1000, &method, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (method, ==, "reportCorrect");
  g_clear_pointer (&body, json_object_unref);
  body = report (CS_PROVIDER_TWOCAPTCHA, "recaptcha-v2", FALSE, 1, 1, &method, &error);
  g_assert_error (error, CS_ERROR, CS_ERROR_BAD_REQUEST);
  g_clear_error (&error);

  /* CapSolver: any type, in both senses, more than once */
  body = report (CS_PROVIDER_CAPSOLVER, "vision-engine", TRUE, 3, 1000, &method, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (method, ==, "feedbackTask");
  g_assert_false (json_object_has_member (_cs_json_get_object (body, "result"), "code"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dialect/rows", test_rows);
  g_test_add_func ("/dialect/type/every-family", test_every_family);
  g_test_add_func ("/dialect/type/aliases", test_aliases);
  g_test_add_func ("/dialect/type/lacking", test_lacking_types);
  g_test_add_func ("/dialect/type/unknown-passes", test_unknown_types_pass);
  g_test_add_func ("/dialect/proxy/rules", test_proxies);
  g_test_add_func ("/dialect/proxy/fields-form", test_proxy_fields_form);
  g_test_add_func ("/dialect/proxy/on-proxyless-type", test_proxy_on_proxyless_type);
  g_test_add_func ("/dialect/fields", test_fields);
  g_test_add_func ("/dialect/image-sizes", test_image_sizes);
  g_test_add_func ("/dialect/developer-id", test_developer_id);
  g_test_add_func ("/dialect/task-call", test_task_call);
  g_test_add_func ("/dialect/reply/error-tables", test_error_tables);
  g_test_add_func ("/dialect/reply/error-numbers", test_error_numbers);
  g_test_add_func ("/dialect/reply/number-or-string", test_number_or_string);
  g_test_add_func ("/dialect/reply/protocol", test_protocol_errors);
  g_test_add_func ("/dialect/reply/codes-for-servers", test_error_codes_for_servers);
  g_test_add_func ("/dialect/read-create-task", test_read_create_task);
  g_test_add_func ("/dialect/write-reply", test_write_reply);
  g_test_add_func ("/dialect/reply/redacts", test_reply_redacts);
  g_test_add_func ("/dialect/report/rules", test_report_rules);
  g_assert_cmpuint (add_examples (paths), >=, 40);

  return g_test_run ();
}
