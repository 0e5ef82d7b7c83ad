/* test-tasks.c: the typed tasks and the family table
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "mock-server.h"

/* A 1x1 grey PNG; the request examples carry the same image. */
#define PNG_BASE64 \
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="

#define DEMO_URL "https://www.google.com/recaptcha/api2/demo"
#define DEMO_KEY "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-"
#define CHROME_UA "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " \
                  "(KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36"
#define PROXY_TEXT "http:192.168.1.10:8080:user:pass"

static GBytes *
png_bytes (void)
{
  gsize length = 0;
  guchar *data = g_base64_decode (PNG_BASE64, &length);

  return g_bytes_new_take (data, length);
}

static CsProxy *
proxy_from (const char *text)
{
  g_autoptr(GError) error = NULL;
  CsProxy *proxy = cs_proxy_new_from_string (text, &error);

  g_assert_no_error (error);
  return proxy;
}

static JsonObject *
load_request (const char *file_name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "requests", file_name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  root = _cs_json_parse (contents, length, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static char *
object_to_string (JsonObject *object)
{
  g_autoptr(GBytes) bytes = _cs_json_to_bytes (object);

  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* Compares as JSON: member order does not matter. */
static void
assert_json_equal (JsonObject *actual,
                   JsonObject *expected)
{
  g_autoptr(JsonNode) a = json_node_init_object (json_node_alloc (), actual);
  g_autoptr(JsonNode) b = json_node_init_object (json_node_alloc (), expected);

  if (!json_node_equal (a, b))
    {
      g_autofree char *actual_text = object_to_string (actual);
      g_autofree char *expected_text = object_to_string (expected);

      g_assert_cmpstr (actual_text, ==, expected_text);
    }
}

/* --- One builder per request example, from properties only ---------------- */

static CsTask *
build_image_to_text (void)
{
  g_autoptr(GBytes) png = png_bytes ();
  CsTask *task = cs_image_to_text_task_new_from_bytes (png);

  g_object_set (task, "website-url", "https://example.com/login", "module", "common", NULL);
  return task;
}

static CsTask *
build_image_to_text_number (void)
{
  g_autoptr(GBytes) png = png_bytes ();
  CsTask *task = g_object_new (CS_TYPE_IMAGE_TO_TEXT_TASK, "module", "number", NULL);

  cs_image_to_text_task_add_image (CS_IMAGE_TO_TEXT_TASK (task), png);
  cs_image_to_text_task_add_image (CS_IMAGE_TO_TEXT_TASK (task), png);
  return task;
}

static CsTask *
build_recaptcha_classification (void)
{
  g_autoptr(GBytes) png = png_bytes ();
  CsTask *task = cs_recaptcha_classification_task_new (png, "/m/0k4j");

  g_object_set (task, "website-url", DEMO_URL, "website-key", DEMO_KEY, NULL);
  return task;
}

static CsTask *
build_aws_waf_classification (void)
{
  g_autoptr(GBytes) png = png_bytes ();
  CsTask *task = cs_aws_waf_classification_task_new ("aws:toycarcity:carcity");

  g_object_set (task, "website-url",
                "https://efw47fpad9.execute-api.us-east-1.amazonaws.com/latest", NULL);
  cs_aws_waf_classification_task_add_image (CS_AWS_WAF_CLASSIFICATION_TASK (task), png);
  return task;
}

static CsTask *
build_vision_engine (void)
{
  g_autoptr(GBytes) png = png_bytes ();
  CsTask *task = cs_vision_engine_task_new ("slider_1", png);

  g_object_set (task, "website-url", "https://example.com/slider", NULL);
  cs_vision_engine_task_set_image_background (CS_VISION_ENGINE_TASK (task), png);
  return task;
}

static CsTask *
build_recaptcha_v2_proxyless (void)
{
  const char *cookies[] = { "__Secure-3PSID=AIKkIs3ch7", "NID=511=abc", NULL };

  return g_object_new (CS_TYPE_RECAPTCHA_V2_TASK,
                       "website-url", DEMO_URL,
                       "website-key", DEMO_KEY,
                       "page-action", "login",
                       "recaptcha-data-s-value", "s-value-from-the-page",
                       "invisible", TRUE,
                       "session", TRUE,
                       "api-domain", "http://www.recaptcha.net/",
                       "cookies", cookies,
                       "user-agent", CHROME_UA,
                       NULL);
}

static CsTask *
build_recaptcha_v2 (void)
{
  g_autoptr(CsProxy) proxy = proxy_from (PROXY_TEXT);

  return g_object_new (CS_TYPE_RECAPTCHA_V2_TASK,
                       "website-url", DEMO_URL, "website-key", DEMO_KEY, "proxy", proxy, NULL);
}

static JsonObject *
enterprise_payload (void)
{
  JsonObject *payload = json_object_new ();

  json_object_set_string_member (payload, "s", "SOME_ADDITIONAL_TOKEN");
  return payload;
}

static CsTask *
build_recaptcha_v2_enterprise_proxyless (void)
{
  g_autoptr(JsonObject) payload = enterprise_payload ();

  return g_object_new (CS_TYPE_RECAPTCHA_V2_TASK,
                       "enterprise", TRUE,
                       "website-url", "https://example.com/enterprise",
                       "website-key", DEMO_KEY,
                       "enterprise-payload", payload,
                       "api-domain", "http://www.google.com/",
                       NULL);
}

static CsTask *
build_recaptcha_v2_enterprise (void)
{
  g_autoptr(CsProxy) proxy = cs_proxy_new (CS_PROXY_SCHEME_SOCKS5, "192.168.1.10", 1080,
                                           "user", "p:ss@word");

  return g_object_new (CS_TYPE_RECAPTCHA_V2_TASK,
                       "enterprise", TRUE,
                       "website-url", "https://example.com/enterprise",
                       "website-key", DEMO_KEY,
                       "invisible", TRUE,
                       "proxy", proxy,
                       "proxy-format", CS_PROXY_FORMAT_FIELDS,
                       NULL);
}

static CsTask *
build_recaptcha_v3_proxyless (void)
{
  return g_object_new (CS_TYPE_RECAPTCHA_V3_TASK,
                       "website-url", "https://example.com/v3",
                       "website-key", DEMO_KEY,
                       "page-action", "submit",
                       "min-score", 0.7,
                       NULL);
}

static CsTask *
build_recaptcha_v3 (void)
{
  g_autoptr(CsProxy) proxy = proxy_from ("socks5://user:p%3Ass%40word@192.168.1.10:1080");
  const char *cookies[] = { "session=42", NULL };

  return g_object_new (CS_TYPE_RECAPTCHA_V3_TASK,
                       "website-url", "https://example.com/v3",
                       "website-key", DEMO_KEY,
                       "page-action", "verify",
                       "user-agent", CHROME_UA,
                       "cookies", cookies,
                       "proxy", proxy,
                       NULL);
}

static CsTask *
build_recaptcha_v3_enterprise_proxyless (void)
{
  g_autoptr(JsonObject) payload = enterprise_payload ();

  return g_object_new (CS_TYPE_RECAPTCHA_V3_TASK,
                       "enterprise", TRUE,
                       "website-url", "https://example.com/v3",
                       "website-key", DEMO_KEY,
                       "page-action", "login",
                       "enterprise-payload", payload,
                       "session", TRUE,
                       NULL);
}

static CsTask *
build_recaptcha_v3_enterprise (void)
{
  g_autoptr(CsProxy) proxy = proxy_from ("https:proxy.example.net:3128");

  return g_object_new (CS_TYPE_RECAPTCHA_V3_TASK,
                       "enterprise", TRUE,
                       "website-url", "https://example.com/v3",
                       "website-key", DEMO_KEY,
                       "api-domain", "http://www.recaptcha.net/",
                       "proxy", proxy,
                       NULL);
}

static CsTask *
build_turnstile (void)
{
  return g_object_new (CS_TYPE_TURNSTILE_TASK,
                       "website-url", "https://example.com/turnstile",
                       "website-key", "0x4AAAAAAAAkg0s2VIOD34y5",
                       "action", "login",
                       "cdata", "0000-1111-2222-3333-example-cdata",
                       NULL);
}

static CsTask *
build_cloudflare_challenge (void)
{
  g_autoptr(CsProxy) proxy = proxy_from (PROXY_TEXT);
  CsTask *task = cs_cloudflare_challenge_task_new ("https://example.com/protected", proxy);

  g_object_set (task,
                "user-agent", CHROME_UA,
                "html", "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
                NULL);
  return task;
}

static CsTask *
build_aws_waf_proxyless (void)
{
  return g_object_new (CS_TYPE_AWS_WAF_TASK,
                       "website-url", "https://example.com/waf",
                       "aws-key", "AQIDAHjcYu/GjX+QlghicBgQ/7bFaQZ+m5FKCMDnO+vTp0Ye",
                       "aws-iv", "CgAAFDIlckAAAAid",
                       "aws-context", "qoJYgnKsc1uQv4/Zc5u2dP9T",
                       "aws-challenge-js", "https://41bcdd4fb3cb.610cd090.us-east-1.token.awswaf.com"
                                           "/41bcdd4fb3cb/0d21de737ccb/cd77baa6c832/challenge.js",
                       NULL);
}

static CsTask *
build_aws_waf (void)
{
  g_autoptr(CsProxy) proxy = proxy_from ("socks5:192.168.1.10:1080:user:pass");

  return g_object_new (CS_TYPE_AWS_WAF_TASK,
                       "website-url", "https://example.com/waf",
                       "aws-api-js", "https://41bcdd4fb3cb.edge.captcha-sdk.awswaf.com/41bcdd4fb3cb/jsapi.js",
                       "aws-problem-url", "https://41bcdd4fb3cb.edge.captcha-sdk.awswaf.com/41bcdd4fb3cb"
                                          "/problem?kind=visual&domain=example.com&locale=en-us"
                                          "&problem=toycarcity&num_solutions_required=1",
                       "aws-api-key", "api-key-of-the-problem-endpoint",
                       "aws-existing-token", "previous-aws-waf-token",
                       "proxy", proxy,
                       NULL);
}

static CsTask *
build_datadome (void)
{
  g_autoptr(CsProxy) proxy = proxy_from (PROXY_TEXT);
  CsTask *task = cs_datadome_task_new ("https://geo.captcha-delivery.com/captcha/"
                                       "?initialCid=AHrlqAAAAAMA&hash=789361B674144528D0B7EE76B35826"
                                       "&cid=6QAEc&t=fe&referer=https%3A%2F%2Fexample.com%2F&s=9817",
                                       CHROME_UA, proxy);

  g_object_set (task, "website-url", "https://example.com/", NULL);
  return task;
}

static CsTask *
build_geetest_v3 (void)
{
  CsTask *task = cs_geetest_task_new_v3 ("https://example.com/geetest3",
                                         "022397c99c9f646f6477822485f30404",
                                         "7f0b8e4b4b3c40a6c8a6bb1a77a1b5d0");

  g_object_set (task, "api-server-subdomain", "api.geetest.com", NULL);
  return task;
}

static CsTask *
build_geetest_v4 (void)
{
  return cs_geetest_task_new_v4 ("https://example.com/geetest4", "e392e1d7fd421dc63325744d5a2b9c73");
}

/* The same task through a proxy. */
static CsTask *
with_proxy (CsTask     *task,
            const char *proxy_text)
{
  g_autoptr(CsProxy) proxy = proxy_from (proxy_text);

  cs_task_set_proxy (task, proxy);
  return task;
}

static CsTask *
build_geetest_v4_proxy (void)
{
  CsTask *task = with_proxy (build_geetest_v4 (), "192.168.1.10:8080");

  g_object_set (task, "risk-type", "ai", NULL);
  return task;
}

static CsTask *
build_mtcaptcha_proxyless (void)
{
  return cs_mtcaptcha_task_new ("https://example.com/mtcaptcha", "MTPublic-tqNCRE0GS");
}

static CsTask *
build_mtcaptcha (void)
{
  return with_proxy (build_mtcaptcha_proxyless (), PROXY_TEXT);
}

static CsTask *
build_friendly_captcha (void)
{
  return cs_friendly_captcha_task_new ("https://example.com/friendly", "FCMGEMUD2KTDSQ5H");
}

static CsTask *
build_yandex_captcha (void)
{
  return cs_yandex_captcha_task_new ("https://example.com/yandex",
                                     "ysc1_K3VxzfvaOWOaSj5JXsrP6Kq5aNqpYFqB9nPQQZkcf6ee4e6e");
}

typedef struct {
  const char *file_name;
  CsTask   *(*build) (void);
} RequestExample;

static const RequestExample examples[] = {
  { "ImageToTextTask.json", build_image_to_text },
  { "ImageToTextTask-number.json", build_image_to_text_number },
  { "ReCaptchaV2Classification.json", build_recaptcha_classification },
  { "AwsWafClassification.json", build_aws_waf_classification },
  { "VisionEngine.json", build_vision_engine },
  { "ReCaptchaV2TaskProxyLess.json", build_recaptcha_v2_proxyless },
  { "ReCaptchaV2Task.json", build_recaptcha_v2 },
  { "ReCaptchaV2EnterpriseTaskProxyLess.json", build_recaptcha_v2_enterprise_proxyless },
  { "ReCaptchaV2EnterpriseTask.json", build_recaptcha_v2_enterprise },
  { "ReCaptchaV3TaskProxyLess.json", build_recaptcha_v3_proxyless },
  { "ReCaptchaV3Task.json", build_recaptcha_v3 },
  { "ReCaptchaV3EnterpriseTaskProxyLess.json", build_recaptcha_v3_enterprise_proxyless },
  { "ReCaptchaV3EnterpriseTask.json", build_recaptcha_v3_enterprise },
  { "AntiTurnstileTaskProxyLess.json", build_turnstile },
  { "AntiCloudflareTask.json", build_cloudflare_challenge },
  { "AntiAwsWafTaskProxyLess.json", build_aws_waf_proxyless },
  { "AntiAwsWafTask.json", build_aws_waf },
  { "DatadomeSliderTask.json", build_datadome },
  { "GeeTestTaskProxyLess.json", build_geetest_v3 },
  { "GeeTestTaskProxyLess-v4.json", build_geetest_v4 },
  { "GeeTestTask.json", build_geetest_v4_proxy },
  { "MtCaptchaTaskProxyLess.json", build_mtcaptcha_proxyless },
  { "MtCaptchaTask.json", build_mtcaptcha },
  { "FriendlyCaptchaTaskProxyless.json", build_friendly_captcha },
  { "YandexCaptchaTaskProxyLess.json", build_yandex_captcha },
};

static void
test_request_example (gconstpointer data)
{
  const RequestExample *example = data;
  g_autoptr(JsonObject) expected = load_request (example->file_name);
  g_autoptr(CsTask) task = example->build ();
  g_autoptr(JsonObject) actual = cs_task_to_json (task);
  g_autoptr(GError) error = NULL;

  assert_json_equal (actual, expected);
  g_assert_true (cs_task_validate (task, &error));
  g_assert_no_error (error);
  /* the sandbox's check of the file itself agrees */
  g_assert_true (_cs_task_family_validate (_cs_json_get_string (expected, "type"), expected, &error));
  g_assert_no_error (error);
}

static gboolean
has_example (const char *file_name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (examples); i++)
    if (g_str_equal (examples[i].file_name, file_name))
      return TRUE;
  return FALSE;
}

/* Every type name of the table has an example, and every example is tested. */
static void
test_examples_cover_every_type (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "requests", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  guint n_types = 0;
  const CsTaskType * const *types = cs_task_type_get_all (&n_types);
  const char *name;

  g_assert_cmpuint (n_types, >=, 14);
  for (guint i = 0; i < n_types; i++)
    {
      g_auto(GStrv) names = cs_task_type_dup_wire_names (types[i]);

      for (gsize j = 0; names[j] != NULL; j++)
        {
          g_autofree char *file_name = g_strconcat (names[j], ".json", NULL);

          if (!has_example (file_name))
            g_error ("no request example for %s", names[j]);
        }
    }

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json") && !has_example (name))
      g_error ("request example %s is not tested", name);
}

/* --- Type names ------------------------------------------------------------- */

static void
test_type_name_variants (void)
{
  g_autoptr(CsProxy) proxy = proxy_from (PROXY_TEXT);
  g_autoptr(CsTask) v2 = cs_recaptcha_v2_task_new (DEMO_URL, DEMO_KEY);
  g_autoptr(CsTask) turnstile = cs_turnstile_task_new ("https://example.com/", "key");
  g_autoptr(CsTask) datadome = cs_datadome_task_new ("https://c/?t=fe", CHROME_UA, NULL);
  g_autoptr(CsTask) image = cs_image_to_text_task_new (PNG_BASE64);
  gboolean enterprise = TRUE;

  g_assert_cmpstr (cs_task_get_type_name (v2), ==, "ReCaptchaV2TaskProxyLess");
  cs_task_set_proxy (v2, proxy);
  g_assert_cmpstr (cs_task_get_type_name (v2), ==, "ReCaptchaV2Task");
  g_object_set (v2, "enterprise", TRUE, NULL);
  g_assert_cmpstr (cs_task_get_type_name (v2), ==, "ReCaptchaV2EnterpriseTask");
  cs_task_set_proxy (v2, NULL);
  g_assert_cmpstr (cs_task_get_type_name (v2), ==, "ReCaptchaV2EnterpriseTaskProxyLess");
  g_object_get (v2, "enterprise", &enterprise, NULL);
  g_assert_true (enterprise);

  /* a forced name wins over the choice, and NULL gives the choice back */
  cs_task_set_type_name (v2, "ReCaptchaV2TaskProxyless");
  g_assert_cmpstr (cs_task_get_type_name (v2), ==, "ReCaptchaV2TaskProxyless");
  cs_task_set_type_name (v2, NULL);
  g_assert_cmpstr (cs_task_get_type_name (v2), ==, "ReCaptchaV2EnterpriseTaskProxyLess");

  /* one name only, proxy or not */
  g_assert_cmpstr (cs_task_get_type_name (turnstile), ==, "AntiTurnstileTaskProxyLess");
  g_assert_cmpstr (cs_task_get_type_name (datadome), ==, "DatadomeSliderTask");
  g_assert_cmpstr (cs_task_get_type_name (image), ==, "ImageToTextTask");
  g_assert_null (g_object_class_find_property (G_OBJECT_GET_CLASS (turnstile), "enterprise"));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_type_name_notify (void)
{
  g_autoptr(CsTask) task = cs_recaptcha_v3_task_new (DEMO_URL, DEMO_KEY);
  guint type_name_changes = 0;
  guint url_changes = 0;

  g_signal_connect (task, "notify::type-name", G_CALLBACK (count_notify), &type_name_changes);
  g_signal_connect (task, "notify::website-url", G_CALLBACK (count_notify), &url_changes);
  g_object_set (task, "enterprise", TRUE, NULL);
  g_object_set (task, "enterprise", TRUE, NULL);
  g_assert_cmpuint (type_name_changes, ==, 1);

  g_object_set (task, "website-url", DEMO_URL, NULL);
  g_assert_cmpuint (url_changes, ==, 0);
  g_object_set (task, "website-url", "https://example.com/other", NULL);
  g_object_set (task, "website-url", NULL, NULL);
  g_assert_cmpuint (url_changes, ==, 2);
}

/* --- Properties are views over the fields ------------------------------- */

static void
test_unset_optionals_absent (void)
{
  g_autoptr(JsonObject) payload = enterprise_payload ();
  g_autoptr(CsTask) task = NULL;
  g_autoptr(JsonObject) json = NULL;
  const char *cookies[] = { "a=1", NULL };
  const char *none[] = { NULL };

  task = g_object_new (CS_TYPE_RECAPTCHA_V2_TASK,
                       "website-url", DEMO_URL, "website-key", DEMO_KEY,
                       "invisible", TRUE, "page-action", "x", "cookies", cookies,
                       "enterprise-payload", payload, NULL);
  g_object_set (task,
                "invisible", FALSE, "page-action", "", "cookies", none,
                "enterprise-payload", NULL, "user-agent", NULL, NULL);

  json = cs_task_to_json (task);
  g_assert_cmpuint (json_object_get_size (json), ==, 3);
  g_assert_cmpstr (_cs_json_get_string (json, "type"), ==, "ReCaptchaV2TaskProxyLess");
  g_assert_cmpstr (_cs_json_get_string (json, "websiteURL"), ==, DEMO_URL);
  g_assert_cmpstr (_cs_json_get_string (json, "websiteKey"), ==, DEMO_KEY);
}

static void
test_property_round_trip (void)
{
  g_autoptr(JsonObject) payload = enterprise_payload ();
  g_autoptr(CsTask) task = NULL;
  g_autoptr(JsonObject) payload_out = NULL;
  g_auto(GStrv) cookies_out = NULL;
  g_autofree char *url = NULL;
  const char *cookies[] = { "a=1", "b=x=y", NULL };
  gboolean session = FALSE;
  double min_score = 0;

  task = g_object_new (CS_TYPE_RECAPTCHA_V3_TASK,
                       "website-url", DEMO_URL, "session", TRUE, "min-score", 0.3,
                       "cookies", cookies, "enterprise-payload", payload, NULL);
  g_object_get (task,
                "website-url", &url, "session", &session, "min-score", &min_score,
                "cookies", &cookies_out, "enterprise-payload", &payload_out, NULL);

  g_assert_cmpstr (url, ==, DEMO_URL);
  g_assert_true (session);
  g_assert_cmpfloat (min_score, ==, 0.3);
  g_assert_cmpstrv (cookies_out, cookies);
  g_assert_cmpstr (_cs_json_get_string (payload_out, "s"), ==, "SOME_ADDITIONAL_TOKEN");
}

/* Fields set through the generic setters read through the properties, and
 * a field of the wrong type reads as unset instead of warning. */
static void
test_generic_setters_show_in_properties (void)
{
  g_autoptr(CsTask) task = g_object_new (CS_TYPE_RECAPTCHA_V2_TASK, NULL);
  g_autoptr(JsonNode) cookies = json_from_string ("\"a=1; b=2\"", NULL);
  g_auto(GStrv) cookies_out = NULL;
  g_autofree char *key = NULL;
  const char *expected[] = { "a=1", "b=2", NULL };

  cs_task_set_string (task, "websiteURL", DEMO_URL);
  cs_task_set_int (task, "websiteKey", 42);
  cs_task_set_json (task, "cookies", cookies);
  g_object_get (task, "website-key", &key, "cookies", &cookies_out, NULL);

  g_assert_null (key);
  g_assert_cmpstrv (cookies_out, expected);
}

static void
test_nested_fields (void)
{
  g_autoptr(CsTask) task = cs_turnstile_task_new ("https://example.com/", "key");
  g_autoptr(JsonObject) json = NULL;
  JsonObject *metadata;

  g_object_set (task, "cdata", "c", NULL);
  g_object_set (task, "action", "a", NULL);
  json = cs_task_to_json (task);
  metadata = _cs_json_get_object (json, "metadata");
  g_assert_nonnull (metadata);
  g_assert_cmpuint (json_object_get_size (metadata), ==, 2);
  g_assert_cmpstr (_cs_json_get_string (metadata, "action"), ==, "a");
  g_assert_cmpstr (_cs_json_get_string (metadata, "cdata"), ==, "c");
  g_clear_pointer (&json, json_object_unref);

  g_object_set (task, "action", NULL, NULL);
  json = cs_task_to_json (task);
  g_assert_cmpuint (json_object_get_size (_cs_json_get_object (json, "metadata")), ==, 1);
  g_clear_pointer (&json, json_object_unref);

  g_object_set (task, "cdata", NULL, NULL);
  json = cs_task_to_json (task);
  g_assert_false (json_object_has_member (json, "metadata"));
}

/* The generic setters and the properties write through one writer: a
 * dotted member means the same in both, and setting a field generically
 * notifies its property, once per change. */
static void
test_one_writer (void)
{
  g_autoptr(CsTask) task = cs_turnstile_task_new ("https://example.com/", "key");
  g_autoptr(CsTask) image = g_object_new (CS_TYPE_IMAGE_TO_TEXT_TASK, NULL);
  g_autoptr(JsonNode) metadata = json_from_string ("{\"action\": \"b\", \"cdata\": \"c\"}", NULL);
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GBytes) png = png_bytes ();
  g_autofree char *action = NULL;
  guint action_notified = 0;
  guint cdata_notified = 0;
  guint body_notified = 0;

  g_signal_connect (task, "notify::action", G_CALLBACK (count_notify), &action_notified);
  g_signal_connect (task, "notify::cdata", G_CALLBACK (count_notify), &cdata_notified);

  cs_task_set_string (task, "metadata.action", "a");
  cs_task_set_string (task, "metadata.action", "a");   /* no change, no notify */
  g_object_get (task, "action", &action, NULL);
  g_assert_cmpstr (action, ==, "a");
  g_assert_cmpuint (action_notified, ==, 1);
  g_assert_cmpuint (cdata_notified, ==, 0);
  g_assert_cmpstr (json_node_get_string (cs_task_get_field (task, "metadata.action")), ==, "a");
  json = cs_task_to_json (task);
  g_assert_cmpstr (_cs_json_get_string (_cs_json_get_object (json, "metadata"), "action"), ==, "a");
  g_assert_false (json_object_has_member (json, "metadata.action"));

  /* the whole object notifies each property it holds */
  cs_task_set_json (task, "metadata", metadata);
  g_assert_cmpuint (action_notified, ==, 2);
  g_assert_cmpuint (cdata_notified, ==, 1);

  cs_task_remove_field (task, "metadata.cdata");
  g_assert_cmpuint (cdata_notified, ==, 2);
  g_assert_null (cs_task_get_field (task, "metadata.cdata"));
  g_object_set (task, "action", NULL, NULL);
  g_assert_cmpuint (action_notified, ==, 3);
  g_assert_null (cs_task_get_field (task, "metadata"));

  /* an image set generically is the property's too */
  g_signal_connect (image, "notify::body", G_CALLBACK (count_notify), &body_notified);
  g_assert_true (cs_task_set_image (image, "body", png, NULL));
  g_assert_cmpuint (body_notified, ==, 1);
}

static void
test_image_from_file (void)
{
  g_autoptr(GBytes) png = png_bytes ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileIOStream) stream = NULL;
  g_autoptr(GFile) file = g_file_new_tmp ("cs-test-XXXXXX.png", &stream, &error);
  g_autoptr(GFile) missing = NULL;
  g_autoptr(CsTask) task = NULL;
  g_autofree char *body = NULL;

  g_assert_no_error (error);
  g_file_replace_contents (file, g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                           NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL, &error);
  g_assert_no_error (error);

  task = cs_image_to_text_task_new_from_file (file, &error);
  g_assert_no_error (error);
  g_object_get (task, "body", &body, NULL);
  g_assert_cmpstr (body, ==, PNG_BASE64);
  g_file_delete (file, NULL, NULL);

  missing = g_file_new_for_path ("/nonexistent/cs-test.png");
  g_assert_null (cs_image_to_text_task_new_from_file (missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

/* --- The family table -------------------------------------------------------- */

static void
test_lookup_ignores_case (void)
{
  gboolean with_proxy = TRUE;
  const CsTaskFamily *family;

  family = _cs_task_family_lookup ("DataDomeSliderTask", &with_proxy);
  g_assert_nonnull (family);
  g_assert_cmpstr (family->name, ==, "datadome");
  g_assert_true (with_proxy);

  family = _cs_task_family_lookup ("GeetestTaskProxyless", &with_proxy);
  g_assert_cmpstr (family->name, ==, "geetest");
  g_assert_false (with_proxy);

  family = _cs_task_family_lookup ("recaptchav2enterprisetask", &with_proxy);
  g_assert_cmpstr (family->name, ==, "recaptcha-v2");
  g_assert_true (with_proxy);

  family = _cs_task_family_lookup ("ImageToTextTask", &with_proxy);
  g_assert_true (family->synchronous);
  g_assert_false (with_proxy);

  g_assert_null (_cs_task_family_lookup ("HCaptchaTaskProxyLess", &with_proxy));
  g_assert_null (_cs_task_family_lookup (NULL, NULL));
}

/* Each spelling of each family leads back to it, in any case, with
 * whether it solves through a proxy. */
static void
test_lookup_every_spelling (void)
{
  guint n;
  const CsTaskFamily * const *families = _cs_task_family_get_all (&n);

  for (guint i = 0; i < n; i++)
    {
      const CsTaskSpelling *names = &families[i]->spelling;
      const char *spellings[] = { names->proxyless, names->enterprise_proxyless, names->proxy,
                                  names->enterprise_proxy };

      for (gsize j = 0; j < G_N_ELEMENTS (spellings); j++)
        {
          g_autofree char *upper = spellings[j] != NULL ? g_ascii_strup (spellings[j], -1) : NULL;
          gboolean with_proxy = j < 2;

          if (spellings[j] == NULL)
            continue;
          g_assert_true (_cs_task_family_lookup (spellings[j], &with_proxy) == families[i]);
          g_assert_cmpint (with_proxy, ==, j >= 2);
          g_assert_true (_cs_task_family_lookup (upper, NULL) == families[i]);
        }
    }
}

static void
assert_invalid (CsTask     *task,
                const char *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (cs_task_validate (task, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_validation_names_field (void)
{
  g_autoptr(CsTask) v2 = g_object_new (CS_TYPE_RECAPTCHA_V2_TASK, "website-url", DEMO_URL, NULL);
  g_autoptr(CsTask) cloudflare = cs_cloudflare_challenge_task_new ("https://example.com/", NULL);
  g_autoptr(CsTask) aws = cs_aws_waf_classification_task_new ("aws:grid:bed");
  g_autoptr(CsTask) image = cs_image_to_text_task_new (NULL);
  g_autoptr(CsTask) unknown = cs_task_new ("SomeFutureTask");
  g_autoptr(JsonNode) images = NULL;
  g_autoptr(GError) error = NULL;

  assert_invalid (v2, "ERROR_INVALID_TASK_DATA: missing required field websiteKey");
  assert_invalid (cloudflare, "ERROR_INVALID_TASK_DATA: missing required field proxy "
                              "(AntiCloudflareTask solves through your proxy)");
  assert_invalid (aws, "ERROR_INVALID_TASK_DATA: missing required field images");
  assert_invalid (image, "ERROR_INVALID_TASK_DATA: missing required field body (or images)");

  /* a proxy given as separate fields counts */
  cs_task_set_string (cloudflare, "proxyAddress", "192.168.1.10");
  cs_task_set_int (cloudflare, "proxyPort", 8080);
  g_assert_true (cs_task_validate (cloudflare, &error));
  g_assert_no_error (error);

  /* a field of the wrong type */
  cs_task_set_int (v2, "websiteKey", 5);
  assert_invalid (v2, "ERROR_INVALID_TASK_DATA: field websiteKey has the wrong type");
  images = json_from_string ("[\"aGk=\", 5]", NULL);
  cs_task_set_json (aws, "images", images);
  assert_invalid (aws, "ERROR_INVALID_TASK_DATA: field images has the wrong type");

  /* no whitelist: unknown types pass */
  g_assert_true (cs_task_validate (unknown, &error));
  g_assert_no_error (error);
}

static void
test_geetest_alternatives (void)
{
  g_autoptr(CsTask) v3 = cs_geetest_task_new_v3 ("https://example.com/", "gt-value", NULL);
  g_autoptr(CsTask) v4 = cs_geetest_task_new_v4 ("https://example.com/", "id");
  g_autoptr(CsTask) neither = g_object_new (CS_TYPE_GEETEST_TASK,
                                            "website-url", "https://example.com/", NULL);
  g_autoptr(GError) error = NULL;

  assert_invalid (v3, "ERROR_INVALID_TASK_DATA: missing required field challenge (or captchaId)");
  g_object_set (v3, "challenge", "fresh", NULL);
  g_assert_true (cs_task_validate (v3, &error));
  g_assert_no_error (error);

  g_assert_true (cs_task_validate (v4, &error));
  g_assert_no_error (error);

  assert_invalid (neither, "ERROR_INVALID_TASK_DATA: missing required field gt (or captchaId)");
}

/* Validation fails before any connection: the client points at a port
 * where nothing listens, so reaching the network would be an I/O error. */
static void
test_validation_without_network (void)
{
  g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
  g_autoptr(CsTask) task = g_object_new (CS_TYPE_RECAPTCHA_V2_TASK, "website-url", DEMO_URL, NULL);
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  cs_client_set_base_url (client, "http://127.0.0.1:9");
  solution = cs_client_solve (client, task, NULL, &error);
  g_assert_null (solution);
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
  g_assert_cmpstr (error->message, ==,
                   "ERROR_INVALID_TASK_DATA: missing required field websiteKey");
  g_assert_null (cs_task_get_task_id (task));
}

/* --- Solving every typed task against the sandbox ------------------------ */

/* A 300x300 PNG, which the sandbox reads as a 3x3 reCAPTCHA grid. */
#define GRID_PNG_BASE64 \
  "iVBORw0KGgoAAAANSUhEUgAAASwAAAEsCAAAAABcFtGpAAAAbUlEQVR42u3BAQEAAACCIP+vbkhAAQAAAAAAAAAAAAAAAAAA" \
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
  "AAAA8G5gywABEMbFvQAAAABJRU5ErkJggg=="

/* One sandbox serves every solve test. */
static CsSandbox *sandbox;

typedef void (*CheckSolution) (CsTask     *task,
                               CsSolution *solution);

typedef struct {
  const char    *name;
  CsTask      *(*build) (void);
  CheckSolution  check;
} SolveCase;

static void
assert_nonempty (const char *text)
{
  g_assert_nonnull (text);
  g_assert_cmpstr (text, !=, "");
}

static void
check_text (CsTask     *task,
            CsSolution *solution)
{
  assert_nonempty (cs_solution_get_text (solution));
}

static void
check_answers (CsTask     *task,
               CsSolution *solution)
{
  g_auto(GStrv) answers = cs_solution_get_answers (solution);

  g_assert_nonnull (answers);
  g_assert_cmpuint (g_strv_length (answers), ==, 2);
  assert_nonempty (answers[0]);
}

static void
check_recaptcha (CsTask     *task,
                 CsSolution *solution)
{
  gboolean session = FALSE;

  g_object_get (task, "session", &session, NULL);
  assert_nonempty (cs_solution_get_token (solution));
  g_assert_cmpstr (cs_solution_get_token (solution), ==,
                   cs_solution_get_string (solution, "gRecaptchaResponse"));
  assert_nonempty (cs_solution_get_user_agent (solution));
  assert_nonempty (cs_solution_get_sec_ch_ua (solution));
  g_assert_cmpint (cs_solution_get_create_time (solution), >, 0);
  g_assert_cmpint (cs_solution_get_expire_time (solution), >, cs_solution_get_create_time (solution));
  g_assert_true ((cs_solution_get_recaptcha_ca_t (solution) != NULL) == session);
  g_assert_null (cs_solution_get_recaptcha_ca_e (solution));
}

static void
check_turnstile (CsTask     *task,
                 CsSolution *solution)
{
  assert_nonempty (cs_solution_get_token (solution));
  g_assert_cmpstr (cs_solution_get_classification_type (solution), ==, "turnstile");
  assert_nonempty (cs_solution_get_user_agent (solution));
}

static void
check_cloudflare (CsTask     *task,
                  CsSolution *solution)
{
  g_autoptr(GHashTable) cookies = cs_solution_get_cookies (solution);

  g_assert_nonnull (cookies);
  assert_nonempty (g_hash_table_lookup (cookies, "cf_clearance"));
  g_assert_cmpstr (cs_solution_get_token (solution), ==, g_hash_table_lookup (cookies, "cf_clearance"));
  g_assert_cmpstr (cs_solution_get_user_agent (solution), ==, CHROME_UA);
}

static void
check_cookie_token (CsTask     *task,
                    CsSolution *solution)
{
  assert_nonempty (cs_solution_get_cookie (solution));
  g_assert_cmpstr (cs_solution_get_token (solution), ==, cs_solution_get_cookie (solution));
  g_assert_null (cs_solution_get_cookies (solution));
}

static void
check_datadome (CsTask     *task,
                CsSolution *solution)
{
  check_cookie_token (task, solution);
  g_assert_true (g_str_has_prefix (cs_solution_get_cookie (solution), "datadome="));
  g_assert_cmpstr (cs_solution_get_user_agent (solution), ==, CHROME_UA);
}

static void
check_geetest_v3 (CsTask     *task,
                  CsSolution *solution)
{
  g_autofree char *challenge = NULL;
  g_autofree char *seccode = NULL;

  g_object_get (task, "challenge", &challenge, NULL);
  g_assert_cmpstr (cs_solution_get_geetest_challenge (solution), ==, challenge);
  assert_nonempty (cs_solution_get_geetest_validate (solution));
  seccode = g_strconcat (cs_solution_get_geetest_validate (solution), "|jordan", NULL);
  g_assert_cmpstr (cs_solution_get_geetest_seccode (solution), ==, seccode);
  g_assert_null (cs_solution_get_geetest_captcha_output (solution));
}

static void
check_geetest_v4 (CsTask     *task,
                  CsSolution *solution)
{
  g_autofree char *captcha_id = NULL;
  g_autofree char *risk_type = NULL;

  g_object_get (task, "captcha-id", &captcha_id, "risk-type", &risk_type, NULL);
  g_assert_cmpstr (cs_solution_get_geetest_captcha_id (solution), ==, captcha_id);
  assert_nonempty (cs_solution_get_geetest_captcha_output (solution));
  assert_nonempty (cs_solution_get_geetest_gen_time (solution));
  assert_nonempty (cs_solution_get_geetest_lot_number (solution));
  assert_nonempty (cs_solution_get_geetest_pass_token (solution));
  g_assert_cmpstr (cs_solution_get_geetest_risk_type (solution), ==,
                   risk_type != NULL ? risk_type : "slide");
  g_assert_null (cs_solution_get_geetest_validate (solution));
}

static void
check_token (CsTask     *task,
             CsSolution *solution)
{
  assert_nonempty (cs_solution_get_token (solution));
}

static void
check_single_tile (CsTask     *task,
                   CsSolution *solution)
{
  g_assert_cmpstr (cs_solution_get_classification_type (solution), ==, "single");
  g_assert_cmpuint (cs_solution_get_size (solution), ==, 1);
  g_assert_true (cs_solution_has_field (solution, "hasObject"));
  (void) cs_solution_get_has_object (solution);
}

/* Tile indices lie within a grid of n_tiles. */
static void
assert_objects_within (CsSolution *solution,
                       gsize       n_tiles)
{
  g_autofree int *objects = NULL;
  gsize n_objects = 0;

  objects = cs_solution_get_objects (solution, &n_objects);
  g_assert_nonnull (objects);
  for (gsize i = 0; i < n_objects; i++)
    g_assert_cmpint (objects[i], <, (int) n_tiles);
}

static void
check_grid (CsTask     *task,
            CsSolution *solution)
{
  g_assert_cmpstr (cs_solution_get_classification_type (solution), ==, "multi");
  g_assert_cmpuint (cs_solution_get_size (solution), ==, 3);
  assert_objects_within (solution, 9);
}

static void
check_aws_grid (CsTask     *task,
                CsSolution *solution)
{
  assert_objects_within (solution, 9);
}

static void
assert_box (CsSolution *solution,
            gsize       n_expected)
{
  g_autofree double *box = NULL;
  gsize n_values = 0;

  box = cs_solution_get_box (solution, &n_values);
  g_assert_nonnull (box);
  g_assert_cmpuint (n_values, ==, n_expected);
}

static void
check_point (CsTask     *task,
             CsSolution *solution)
{
  assert_box (solution, 2);
}

static void
check_box (CsTask     *task,
           CsSolution *solution)
{
  assert_box (solution, 4);
}

static void
check_distance (CsTask     *task,
                CsSolution *solution)
{
  double distance = -1;

  g_assert_true (cs_solution_get_distance (solution, &distance));
  g_assert_cmpfloat (distance, >=, 0);
}

static void
check_angle (CsTask     *task,
             CsSolution *solution)
{
  double angle = -1;

  g_assert_true (cs_solution_get_angle (solution, &angle));
  g_assert_cmpfloat (angle, >=, 0);
  g_assert_cmpfloat (angle, <, 360);
}

static void
check_rects (CsTask     *task,
             CsSolution *solution)
{
  g_autofree double *rects = NULL;
  gsize n_values = 0;

  rects = cs_solution_get_rects (solution, &n_values);
  g_assert_nonnull (rects);
  g_assert_cmpuint (n_values, >=, 4);
  g_assert_cmpuint (n_values % 4, ==, 0);
}

/* Tasks beyond the request examples, for the other shapes of answer. */

static GBytes *
grid_png_bytes (void)
{
  gsize length = 0;
  guchar *data = g_base64_decode (GRID_PNG_BASE64, &length);

  return g_bytes_new_take (data, length);
}

static CsTask *
build_recaptcha_grid (void)
{
  g_autoptr(GBytes) grid = grid_png_bytes ();

  return cs_recaptcha_classification_task_new (grid, "/m/015qff");
}

static CsTask *
build_aws_grid (void)
{
  g_autoptr(GBytes) png = png_bytes ();
  CsTask *task = cs_aws_waf_classification_task_new ("aws:grid:chair");

  for (guint i = 0; i < 9; i++)
    cs_aws_waf_classification_task_add_image (CS_AWS_WAF_CLASSIFICATION_TASK (task), png);
  return task;
}

static CsTask *
build_aws_distance (void)
{
  g_autoptr(GBytes) png = png_bytes ();
  CsTask *task = cs_aws_waf_classification_task_new ("aws:bifurcatedzoo:slider");

  cs_aws_waf_classification_task_add_image (CS_AWS_WAF_CLASSIFICATION_TASK (task), png);
  return task;
}

static CsTask *
build_vision_module (const char *module,
                     const char *question)
{
  g_autoptr(GBytes) png = png_bytes ();
  CsTask *task = cs_vision_engine_task_new (module, png);

  g_object_set (task, "question", question, NULL);
  return task;
}

static CsTask *
build_vision_rotate (void)
{
  return build_vision_module ("rotate_2", NULL);
}

static CsTask *
build_vision_space (void)
{
  return build_vision_module ("space_detection", "Please click on the largest letter");
}

static CsTask *
build_vision_shein (void)
{
  return build_vision_module ("shein", "Please click on the shoes");
}

static const SolveCase solve_cases[] = {
  { "ImageToTextTask", build_image_to_text, check_text },
  { "ImageToTextTask-number", build_image_to_text_number, check_answers },
  { "ReCaptchaV2Classification", build_recaptcha_classification, check_single_tile },
  { "ReCaptchaV2Classification-grid", build_recaptcha_grid, check_grid },
  { "AwsWafClassification", build_aws_waf_classification, check_point },
  { "AwsWafClassification-grid", build_aws_grid, check_aws_grid },
  { "AwsWafClassification-distance", build_aws_distance, check_distance },
  { "VisionEngine", build_vision_engine, check_distance },
  { "VisionEngine-rotate", build_vision_rotate, check_angle },
  { "VisionEngine-space", build_vision_space, check_box },
  { "VisionEngine-shein", build_vision_shein, check_rects },
  { "ReCaptchaV2TaskProxyLess", build_recaptcha_v2_proxyless, check_recaptcha },
  { "ReCaptchaV2Task", build_recaptcha_v2, check_recaptcha },
  { "ReCaptchaV2EnterpriseTaskProxyLess", build_recaptcha_v2_enterprise_proxyless, check_recaptcha },
  { "ReCaptchaV2EnterpriseTask", build_recaptcha_v2_enterprise, check_recaptcha },
  { "ReCaptchaV3TaskProxyLess", build_recaptcha_v3_proxyless, check_recaptcha },
  { "ReCaptchaV3Task", build_recaptcha_v3, check_recaptcha },
  { "ReCaptchaV3EnterpriseTaskProxyLess", build_recaptcha_v3_enterprise_proxyless, check_recaptcha },
  { "ReCaptchaV3EnterpriseTask", build_recaptcha_v3_enterprise, check_recaptcha },
  { "AntiTurnstileTaskProxyLess", build_turnstile, check_turnstile },
  { "AntiCloudflareTask", build_cloudflare_challenge, check_cloudflare },
  { "AntiAwsWafTaskProxyLess", build_aws_waf_proxyless, check_cookie_token },
  { "AntiAwsWafTask", build_aws_waf, check_cookie_token },
  { "DatadomeSliderTask", build_datadome, check_datadome },
  { "GeeTestTaskProxyLess", build_geetest_v3, check_geetest_v3 },
  { "GeeTestTaskProxyLess-v4", build_geetest_v4, check_geetest_v4 },
  { "GeeTestTask", build_geetest_v4_proxy, check_geetest_v4 },
  { "MtCaptchaTaskProxyLess", build_mtcaptcha_proxyless, check_token },
  { "MtCaptchaTask", build_mtcaptcha, check_token },
  { "FriendlyCaptchaTaskProxyless", build_friendly_captcha, check_token },
  { "YandexCaptchaTaskProxyLess", build_yandex_captcha, check_token },
};

static void
test_solve_in_sandbox (gconstpointer data)
{
  const SolveCase *c = data;
  g_autoptr(CsClient) client = cs_client_new (CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsTask) task = c->build ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  const CsTaskFamily *family = _cs_task_family_lookup (cs_task_get_type_name (task), NULL);

  cs_client_set_base_url (client, cs_sandbox_get_base_url (sandbox));
  cs_client_set_first_poll_delay (client, 2);
  cs_client_set_poll_interval (client, 2);
  cs_client_set_deadline (client, MOCK_WAIT_TIMEOUT * 1000);

  solution = cs_client_solve (client, task, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (solution);
  g_assert_true (cs_task_get_solution (task) == solution);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_READY);
  /* recognition answers come with createTask, tokens after polling */
  g_assert_nonnull (family);
  g_assert_true ((cs_task_get_poll_count (task) == 0) == family->synchronous);
  c->check (task, solution);
}

/* cs_task_set_image() refuses what the sandbox refuses, in its words:
 * a BMP file (which the command once let through), an empty one. */
static void
test_set_image_checks_like_the_sandbox (void)
{
  static const guint8 bmp[] = { 'B', 'M', 0x3a, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0 };
  g_autoptr(GBytes) png = png_bytes ();
  g_autoptr(GBytes) bmp_bytes = g_bytes_new_static (bmp, sizeof bmp);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(CsTask) task = cs_task_new ("ImageToTextTask");
  g_autoptr(CsTask) raw = cs_task_new ("ImageToTextTask");
  g_autoptr(CsClient) client = cs_client_new (CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) served = NULL;
  g_autofree char *code = NULL;
  g_autofree char *bmp_base64 = g_base64_encode (bmp, sizeof bmp);

  g_assert_true (cs_task_set_image (task, "body", png, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_node_get_string (cs_task_get_field (task, "body")), ==, PNG_BASE64);

  cs_task_remove_field (task, "body");
  g_assert_false (cs_task_set_image (task, "body", empty, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_IMAGE);
  g_assert_cmpstr (error->message, ==, "ERROR_INVALID_IMAGE: field body: the image is empty");
  g_clear_error (&error);

  g_assert_false (cs_task_set_image (task, "body", bmp_bytes, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_IMAGE);
  g_assert_null (cs_task_get_field (task, "body"));
  code = cs_error_get_code_text (error);
  g_assert_cmpstr (code, ==, "ERROR_INVALID_IMAGE");

  /* the sandbox, sent the same file, answers the same message */
  cs_task_set_string (raw, "body", bmp_base64);
  cs_client_set_base_url (client, cs_sandbox_get_base_url (sandbox));
  g_assert_false (cs_client_create_task (client, raw, NULL, &served));
  g_assert_error (served, CS_ERROR, CS_ERROR_INVALID_IMAGE);
  g_assert_cmpstr (served->message, ==, error->message);
  g_assert_cmpstr (error->message, ==,
                   "ERROR_INVALID_IMAGE: field body is not a PNG, JPEG, GIF or WebP image");
}

/* The solve cases cover every type name of the table. */
static void
test_solve_cases_cover_every_type (void)
{
  guint n_types = 0;
  const CsTaskType * const *types = cs_task_type_get_all (&n_types);

  for (guint i = 0; i < n_types; i++)
    {
      g_auto(GStrv) names = cs_task_type_dup_wire_names (types[i]);

      for (gsize j = 0; names[j] != NULL; j++)
        {
          gboolean found = FALSE;

          for (gsize k = 0; !found && k < G_N_ELEMENTS (solve_cases); k++)
            found = g_str_equal (solve_cases[k].name, names[j]);
          if (!found)
            g_error ("%s is never solved against the sandbox", names[j]);
        }
    }
}

/* A field named "type" cannot send another type than the one validated. */
static void
test_type_field_ignored (void)
{
  g_autoptr(CsTask) task = cs_task_new ("ImageToTextTask");
  g_autoptr(JsonObject) json = NULL;

  cs_task_set_string (task, "type", "SomethingElse");
  json = cs_task_to_json (task);
  g_assert_cmpstr (json_object_get_string_member (json, "type"), ==, "ImageToTextTask");
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tasks/request/%s", examples[i].file_name);

      g_test_add_data_func (path, &examples[i], test_request_example);
    }
  g_test_add_func ("/tasks/request/cover-every-type", test_examples_cover_every_type);
  g_test_add_func ("/tasks/type-name/variants", test_type_name_variants);
  g_test_add_func ("/tasks/type-name/notify", test_type_name_notify);
  g_test_add_func ("/tasks/properties/unset-absent", test_unset_optionals_absent);
  g_test_add_func ("/tasks/properties/round-trip", test_property_round_trip);
  g_test_add_func ("/tasks/properties/type-field-ignored", test_type_field_ignored);
  g_test_add_func ("/tasks/properties/generic-setters", test_generic_setters_show_in_properties);
  g_test_add_func ("/tasks/properties/nested", test_nested_fields);
  g_test_add_func ("/tasks/properties/one-writer", test_one_writer);
  g_test_add_func ("/tasks/image/from-file", test_image_from_file);
  g_test_add_func ("/tasks/family/lookup", test_lookup_ignores_case);
  g_test_add_func ("/tasks/family/lookup-every-spelling", test_lookup_every_spelling);
  g_test_add_func ("/tasks/validate/names-field", test_validation_names_field);
  g_test_add_func ("/tasks/validate/geetest", test_geetest_alternatives);
  g_test_add_func ("/tasks/validate/no-network", test_validation_without_network);

  sandbox = cs_sandbox_new ();
  if (!cs_sandbox_start (sandbox, 0, &error))
    g_error ("the sandbox does not start: %s", error->message);
  for (gsize i = 0; i < G_N_ELEMENTS (solve_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tasks/solve/%s", solve_cases[i].name);

      g_test_add_data_func (path, &solve_cases[i], test_solve_in_sandbox);
    }
  g_test_add_func ("/tasks/solve/cover-every-type", test_solve_cases_cover_every_type);
  g_test_add_func ("/tasks/image/checked-like-the-sandbox", test_set_image_checks_like_the_sandbox);

  status = g_test_run ();
  cs_sandbox_stop (sandbox);
  g_clear_object (&sandbox);
  return status;
}
