/* test-sandbox.c: the real client against an in-process CsSandbox
 *
 * Every test starts a sandbox on a free port and talks to it with a
 * CsClient that polls every few milliseconds, mostly through the blocking
 * calls (the sandbox answers from its own thread). The raw HTTP tests post
 * hand-written JSON with a plain SoupSession, as another SDK would.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "mock-server.h"
#include "cs-sandbox-private.h"

#define TOKEN_TYPE "ReCaptchaV2TaskProxyLess"
#define PROXY_TEXT "http:192.168.1.10:8080:user:pass"
#define OTHER_KEY  "CAP-0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
#define SAMPLE_ANSWER "sandbox42"

typedef struct {
  CsSandbox   *sandbox;
  CsClient    *client;
  SoupSession *session;
} Fixture;

static CsClient *
new_client (Fixture    *f,
            const char *api_key)
{
  CsClient *client = cs_client_new (api_key);

  cs_client_set_base_url (client, cs_sandbox_get_base_url (f->sandbox));
  cs_client_set_first_poll_delay (client, 2);
  cs_client_set_poll_interval (client, 2);
  /* every scripted code in turn, cooldown and account ones included
   * (test-account.c has the breaker's tests), and every balance read */
  cs_client_set_pause_on_cooldown (client, FALSE);
  cs_client_set_account_breaker (client, FALSE);
  cs_client_set_balance_cache_time (client, 0);
  return client;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->sandbox = cs_sandbox_new ();
  g_assert_true (cs_sandbox_start (f->sandbox, 0, &error));
  g_assert_no_error (error);
  f->client = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->client);
  g_clear_object (&f->sandbox);
}

/* --- Images ------------------------------------------------------------------------ */

static void
append_be32 (GByteArray *array,
             guint32     value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (array, bytes, sizeof bytes);
}

static guint32
png_crc (const guint8 *data,
         gsize         length)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (int bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
  return ~crc;
}

static void
append_png_chunk (GByteArray   *png,
                  const char   *type,
                  const guint8 *data,
                  gsize         length)
{
  guint start;

  append_be32 (png, length);
  start = png->len;
  g_byte_array_append (png, (const guint8 *) type, 4);
  g_byte_array_append (png, data, length);
  append_be32 (png, png_crc (png->data + start, 4 + length));
}

static GBytes *
zlib_compress (const guint8 *data,
               gsize         size)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GZlibCompressor) zlib = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, -1);
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (zlib));
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (out, data, size, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* A grey PNG, in base64, with a capsolver-sandbox-answer chunk when
 * @answer is given. */
static char *
make_png (guint       width,
          guint       height,
          const char *answer)
{
  g_autoptr(GByteArray) png = g_byte_array_new ();
  g_autoptr(GByteArray) header = g_byte_array_new ();
  g_autofree guint8 *pixels = g_malloc0 ((width + 1) * height);
  g_autoptr(GBytes) compressed = zlib_compress (pixels, (width + 1) * height);
  static const guint8 depth_and_kind[] = { 8, 0, 0, 0, 0 };   /* 8-bit grey */

  g_byte_array_append (png, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  append_be32 (header, width);
  append_be32 (header, height);
  g_byte_array_append (header, depth_and_kind, sizeof depth_and_kind);
  append_png_chunk (png, "IHDR", header->data, header->len);
  if (answer != NULL)
    {
      g_autoptr(GByteArray) text = g_byte_array_new ();

      g_byte_array_append (text, (const guint8 *) CS_SANDBOX_ANSWER_KEYWORD,
                           sizeof CS_SANDBOX_ANSWER_KEYWORD);   /* with its NUL */
      g_byte_array_append (text, (const guint8 *) answer, strlen (answer));
      append_png_chunk (png, "tEXt", text->data, text->len);
    }
  append_png_chunk (png, "IDAT", g_bytes_get_data (compressed, NULL),
                    g_bytes_get_size (compressed));
  append_png_chunk (png, "IEND", NULL, 0);
  return g_base64_encode (png->data, png->len);
}

/* The headers the sandbox reads, of 100×100 images. */
static const guint8 jpeg_tile[] = {
  0xff, 0xd8,
  0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
  0xff, 0xc0, 0x00, 0x11, 8, 0, 100, 0, 100, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
  0xff, 0xd9,
};
static const guint8 gif_tile[] = { 'G', 'I', 'F', '8', '9', 'a', 100, 0, 100, 0, 0, 0, 0, ';' };
static const guint8 webp_tile[] = {
  'R', 'I', 'F', 'F', 22, 0, 0, 0, 'W', 'E', 'B', 'P',
  'V', 'P', '8', 'X', 10, 0, 0, 0, 0, 0, 0, 0, 99, 0, 0, 99, 0, 0,
};

/* Replaces the image placeholders of a JSON text. */
static char *
expand_images (const char *json)
{
  g_autofree char *tile = make_png (100, 100, NULL);
  g_autofree char *grid = make_png (300, 300, NULL);
  g_autofree char *grid4 = make_png (450, 450, NULL);
  g_autofree char *text = make_png (120, 40, SAMPLE_ANSWER);
  g_autofree char *jpeg = g_base64_encode (jpeg_tile, sizeof jpeg_tile);
  g_autofree char *gif = g_base64_encode (gif_tile, sizeof gif_tile);
  g_autofree char *webp = g_base64_encode (webp_tile, sizeof webp_tile);
  const char *names[] = { "@GRID4", "@GRID", "@TILE", "@TEXT", "@JPEG", "@GIF", "@WEBP" };
  const char *values[] = { grid4, grid, tile, text, jpeg, gif, webp };
  g_autoptr(GString) out = g_string_new (json);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    g_string_replace (out, names[i], values[i], 0);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* --- Tasks and solves ---------------------------------------------------------------- */

/* A generic task with the members of a JSON object as its fields. */
static CsTask *
new_task (const char *type_name,
          const char *fields_json)
{
  g_autofree char *json = expand_images (fields_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = json_from_string (json, &error);
  CsTask *task = cs_task_new (type_name);
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  g_assert_no_error (error);
  json_object_iter_init (&iter, json_node_get_object (root));
  while (json_object_iter_next (&iter, &name, &value))
    cs_task_set_json (task, name, value);
  return task;
}

static CsTask *
new_token_task (const char *website_url)
{
  CsTask *task = cs_task_new (TOKEN_TYPE);

  cs_task_set_string (task, "websiteURL", website_url);
  cs_task_set_string (task, "websiteKey", "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-");
  return task;
}

static CsTask *
new_image_task (const char *website_url)
{
  CsTask *task = new_task ("ImageToTextTask", "{\"body\": \"@TILE\"}");

  if (website_url != NULL)
    cs_task_set_string (task, "websiteURL", website_url);
  return task;
}

static CsSolution *
solve_ok (Fixture *f,
          CsTask  *task)
{
  g_autoptr(GError) error = NULL;
  CsSolution *solution = cs_client_solve (f->client, task, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (solution);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_READY);
  return solution;
}

static void
assert_solve_fails (CsClient *client,
                    CsTask   *task,
                    CsError   code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsSolution) solution = cs_client_solve (client, task, NULL, &error);

  g_assert_error (error, CS_ERROR, (int) code);
  g_assert_null (solution);
}

static void
assert_balance (Fixture *f,
                double   expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBalance) balance = cs_client_get_balance (f->client, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (cs_balance_get_amount (balance), expected, 1e-9);
  g_assert_cmpfloat_with_epsilon (cs_sandbox_get_key_balance (f->sandbox, CS_SANDBOX_DEFAULT_KEY),
                                  expected, 1e-9);
}

/* The solution as text, without the fields that tell the time. */
static char *
solution_without_clock (CsSolution *solution)
{
  static const char * const clock_fields[] = { "createTime", "expireTime", "gen_time" };
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) copy = NULL;

  json_node_set_object (node, cs_solution_get_json (solution));
  copy = json_node_copy (node);
  for (gsize i = 0; i < G_N_ELEMENTS (clock_fields); i++)
    if (json_object_has_member (json_node_get_object (copy), clock_fields[i]))
      json_object_remove_member (json_node_get_object (copy), clock_fields[i]);
  return json_to_string (copy, FALSE);
}

/* --- Start and stop ------------------------------------------------------------------- */

static void
test_start_stop (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CsSandbox) other = cs_sandbox_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *expected_url = NULL;
  guint port = cs_sandbox_get_port (f->sandbox);

  g_assert_cmpuint (port, >, 0);
  expected_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_assert_cmpstr (cs_sandbox_get_base_url (f->sandbox), ==, expected_url);
  g_object_get (f->sandbox, "base-url", &base_url, NULL);
  g_assert_cmpstr (base_url, ==, expected_url);
  g_assert_true (cs_sandbox_is_running (f->sandbox));

  /* starting again is a no-op, unless another port is asked for */
  g_assert_true (cs_sandbox_start (f->sandbox, 0, &error));
  g_assert_no_error (error);
  g_assert_false (cs_sandbox_start (f->sandbox, port == 65535 ? 1 : port + 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);

  /* the port is taken */
  g_assert_false (cs_sandbox_start (other, port, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_false (cs_sandbox_is_running (other));
  g_assert_null (cs_sandbox_get_base_url (other));

  /* stop is idempotent, and a stopped sandbox starts again, state kept */
  cs_sandbox_add_key (f->sandbox, OTHER_KEY, 3.5);
  cs_sandbox_stop (f->sandbox);
  cs_sandbox_stop (f->sandbox);
  g_assert_false (cs_sandbox_is_running (f->sandbox));
  g_assert_null (cs_sandbox_get_base_url (f->sandbox));
  g_assert_cmpuint (cs_sandbox_get_port (f->sandbox), ==, 0);

  g_assert_true (cs_sandbox_start (f->sandbox, port, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cs_sandbox_get_base_url (f->sandbox), ==, expected_url);
  g_assert_cmpfloat_with_epsilon (cs_sandbox_get_key_balance (f->sandbox, OTHER_KEY), 3.5, 1e-9);
  assert_balance (f, 100.0);
}

static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  guint polls, ready_delay, lifetime, fault_delay, port;

  g_object_get (f->sandbox, "polls-until-ready", &polls, "ready-delay", &ready_delay,
                "task-lifetime", &lifetime, "fault-delay", &fault_delay, "port", &port, NULL);
  g_assert_cmpuint (polls, ==, 2);
  g_assert_cmpuint (ready_delay, ==, 0);
  g_assert_cmpuint (lifetime, ==, 300);
  g_assert_cmpuint (fault_delay, ==, 1000);
  g_assert_cmpuint (port, ==, cs_sandbox_get_port (f->sandbox));

  g_object_set (f->sandbox, "polls-until-ready", 5, "ready-delay", 7, "task-lifetime", 9,
                "fault-delay", 11, NULL);
  g_assert_cmpuint (cs_sandbox_get_polls_until_ready (f->sandbox), ==, 5);
  g_assert_cmpuint (cs_sandbox_get_ready_delay (f->sandbox), ==, 7);
  g_assert_cmpuint (cs_sandbox_get_task_lifetime (f->sandbox), ==, 9);
  g_assert_cmpuint (cs_sandbox_get_fault_delay (f->sandbox), ==, 11);

  g_assert_cmpfloat_with_epsilon (cs_sandbox_get_price (f->sandbox, TOKEN_TYPE), 0.0008, 1e-12);
  g_assert_cmpfloat_with_epsilon (cs_sandbox_get_price (f->sandbox, "imagetotexttask"), 0.0004,
                                  1e-12);
  g_assert_cmpfloat (cs_sandbox_get_price (f->sandbox, "NoSuchTask"), ==, 0.0);
  g_assert_cmpfloat (cs_sandbox_get_key_balance (f->sandbox, "CAP-NOT-A-KEY"), ==, -1.0);
}

/* --- Every task family ------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *type_name;
  const char *fields;           /* JSON, with image placeholders */
  gboolean    with_proxy;
  gboolean    synchronous;
  const char *solution_fields;  /* the members the service returns */
} FamilyCase;

#define SITE "\"websiteURL\": \"https://www.example.com/login\""
#define SITE_AND_KEY SITE ", \"websiteKey\": \"6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-\""
#define RECAPTCHA_FIELDS "gRecaptchaResponse userAgent secChUa createTime expireTime"

static const FamilyCase family_cases[] = {
  { "image-to-text", "ImageToTextTask", "{\"body\": \"@TEXT\", \"module\": \"common\"}",
    FALSE, TRUE, "text" },
  { "image-to-text-number", "ImageToTextTask",
    "{\"images\": [\"@TILE\", \"@TEXT\"], \"module\": \"number\"}", FALSE, TRUE, "text answers" },
  { "recaptcha-v2", "ReCaptchaV2TaskProxyLess", "{" SITE_AND_KEY "}", FALSE, FALSE,
    RECAPTCHA_FIELDS },
  { "recaptcha-v2-proxy", "ReCaptchaV2Task", "{" SITE_AND_KEY ", \"isInvisible\": true}",
    TRUE, FALSE, RECAPTCHA_FIELDS },
  { "recaptcha-v2-enterprise", "ReCaptchaV2EnterpriseTaskProxyLess",
    "{" SITE_AND_KEY ", \"enterprisePayload\": {\"s\": \"abc\"}}", FALSE, FALSE,
    RECAPTCHA_FIELDS },
  { "recaptcha-v3-session", "ReCaptchaV3TaskProxyLess",
    "{" SITE_AND_KEY ", \"pageAction\": \"login\", \"isSession\": true}", FALSE, FALSE,
    RECAPTCHA_FIELDS " recaptcha-ca-t" },
  { "recaptcha-v3-enterprise", "ReCaptchaV3EnterpriseTask", "{" SITE_AND_KEY "}", TRUE, FALSE,
    RECAPTCHA_FIELDS },
  { "turnstile", "AntiTurnstileTaskProxyLess",
    "{" SITE_AND_KEY ", \"metadata\": {\"action\": \"login\"}}", FALSE, FALSE,
    "token type userAgent" },
  { "cloudflare-challenge", "AntiCloudflareTask", "{" SITE "}", TRUE, FALSE,
    "cookies token userAgent" },
  { "aws-waf", "AntiAwsWafTaskProxyLess", "{" SITE ", \"awsKey\": \"k\"}", FALSE, FALSE,
    "cookie" },
  { "aws-waf-proxy", "AntiAwsWafTask", "{" SITE "}", TRUE, FALSE, "cookie" },
  { "datadome", "DatadomeSliderTask",
    "{" SITE ", \"captchaUrl\": \"https://geo.captcha-delivery.com/captcha/?t=fe\", "
    "\"userAgent\": \"Mozilla/5.0 Chrome/137\"}", TRUE, FALSE, "cookie userAgent" },
  { "geetest-v3", "GeeTestTaskProxyLess",
    "{" SITE ", \"gt\": \"022397c99c9f646f6477822485f30404\", "
    "\"challenge\": \"7f0a3f1b5c8d\"}", FALSE, FALSE, "challenge validate seccode" },
  { "geetest-v4", "GeeTestTaskProxyLess",
    "{" SITE ", \"captchaId\": \"e392e1d7fd421dc63325744d5a2b9c73\"}", FALSE, FALSE,
    "captcha_id captcha_output gen_time lot_number pass_token risk_type" },
  { "mtcaptcha", "MtCaptchaTaskProxyLess",
    "{" SITE ", \"websiteKey\": \"MTPublic-KzqLY1cKH\"}", FALSE, FALSE, "token" },
  { "mtcaptcha-proxy", "MtCaptchaTask", "{" SITE ", \"websiteKey\": \"MTPublic-KzqLY1cKH\"}",
    TRUE, FALSE, "token" },
  { "friendly-captcha", "FriendlyCaptchaTaskProxyless", "{" SITE_AND_KEY "}", FALSE, FALSE,
    "token" },
  { "yandex", "YandexCaptchaTaskProxyLess", "{" SITE ", \"websiteKey\": \"ysc1_abc\"}",
    FALSE, FALSE, "token" },
  { "recaptcha-classification-grid", "ReCaptchaV2Classification",
    "{\"image\": \"@GRID\", \"question\": \"/m/04_sv\"}", FALSE, TRUE, "type objects size" },
  { "recaptcha-classification-tile", "ReCaptchaV2Classification",
    "{\"image\": \"@JPEG\", \"question\": \"/m/0k4j\"}", FALSE, TRUE, "type hasObject size" },
  { "aws-waf-classification-grid", "AwsWafClassification",
    "{\"images\": [\"@TILE\", \"@TILE\", \"@TILE\", \"@TILE\", \"@TILE\", \"@TILE\", \"@TILE\", "
    "\"@TILE\", \"@GIF\"], \"question\": \"aws:grid:bed\"}", FALSE, TRUE, "objects" },
  { "aws-waf-classification-carcity", "AwsWafClassification",
    "{\"images\": [\"@GRID\"], \"question\": \"aws:toycarcity:carcity\"}", FALSE, TRUE, "box" },
  { "aws-waf-classification-zoo", "AwsWafClassification",
    "{\"images\": [\"@WEBP\"], \"question\": \"aws:bifurcatedzoo:bird\"}", FALSE, TRUE,
    "distance" },
  { "vision-engine-slider", "VisionEngine",
    "{\"module\": \"slider_1\", \"image\": \"@TILE\", \"imageBackground\": \"@GRID\"}",
    FALSE, TRUE, "distance" },
  { "vision-engine-rotate", "VisionEngine",
    "{\"module\": \"rotate_1\", \"image\": \"@TILE\", \"imageBackground\": \"@GRID\"}",
    FALSE, TRUE, "angle" },
  { "vision-engine-rotate-2", "VisionEngine", "{\"module\": \"rotate_2\", \"image\": \"@JPEG\"}",
    FALSE, TRUE, "angle" },
  { "vision-engine-space", "VisionEngine",
    "{\"module\": \"space_detection\", \"image\": \"@GRID\", \"question\": \"the chair\"}",
    FALSE, TRUE, "box" },
  { "vision-engine-shein", "VisionEngine",
    "{\"module\": \"shein\", \"image\": \"@GRID4\", \"question\": \"the shoes\"}",
    FALSE, TRUE, "rects" },
  { "vision-engine-ocr-gif", "VisionEngine", "{\"module\": \"ocr_gif\", \"image\": \"@GIF\"}",
    FALSE, TRUE, "text" },
};

static CsTask *
new_family_task (const FamilyCase *row)
{
  CsTask *task = new_task (row->type_name, row->fields);

  if (row->with_proxy)
    cs_task_set_string (task, "proxy", PROXY_TEXT);
  return task;
}

static void
test_family (Fixture       *f,
             gconstpointer  data)
{
  const FamilyCase *row = data;
  g_autoptr(CsTask) task = new_family_task (row);
  g_autoptr(CsTask) again = new_family_task (row);
  g_autoptr(CsSolution) solution = solve_ok (f, task);
  g_autoptr(CsSolution) solution_again = NULL;
  g_auto(GStrv) fields = g_strsplit (row->solution_fields, " ", -1);
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  guint polls = cs_sandbox_get_request_count (f->sandbox, "getTaskResult");

  for (guint i = 0; fields[i] != NULL; i++)
    if (!cs_solution_has_field (solution, fields[i]))
      g_error ("%s: the solution has no %s", row->type_name, fields[i]);

  /* recognition tasks are answered in createTask; token tasks after two
   * polls that answer processing */
  g_assert_nonnull (cs_task_get_task_id (task));
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "createTask"), ==, 1);
  g_assert_cmpuint (polls, ==, row->synchronous ? 0 : 3);
  /* every token task but GeeTest's has a token to submit */
  if (!row->synchronous && !g_str_has_prefix (row->name, "geetest"))
    g_assert_nonnull (cs_solution_get_token (solution));
  assert_balance (f, 100.0 - cs_sandbox_get_price (f->sandbox, row->type_name));

  /* the same task, the same answer */
  solution_again = solve_ok (f, again);
  g_assert_cmpstr (cs_task_get_task_id (again), !=, cs_task_get_task_id (task));
  text = solution_without_clock (solution);
  text_again = solution_without_clock (solution_again);
  g_assert_cmpstr (text, ==, text_again);
}

/* --- Values of particular solutions ---------------------------------------------- */

static CsTask *
new_proxy_token_task (const char *proxy)
{
  CsTask *task = new_token_task ("https://www.example.com/");

  cs_task_set_type_name (task, "ReCaptchaV2Task");
  cs_task_set_string (task, "proxy", proxy);
  return task;
}

static void
test_answers_token (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ("https://www.example.com/");
  g_autoptr(CsTask) other_key = new_token_task ("https://www.example.com/");
  g_autoptr(CsTask) other_site = new_token_task ("https://www.example.org/");
  g_autoptr(CsTask) proxy_a = new_proxy_token_task (PROXY_TEXT);
  g_autoptr(CsTask) proxy_b = new_proxy_token_task ("socks5:10.0.0.1:1080:a:b");
  g_autoptr(CsSolution) solution = solve_ok (f, task);
  g_autoptr(CsSolution) solution_key = NULL;
  g_autoptr(CsSolution) solution_site = NULL;
  g_autoptr(CsSolution) solution_a = NULL;
  g_autoptr(CsSolution) solution_b = NULL;
  const char *token = cs_solution_get_token (solution);
  gint64 create_time = cs_solution_get_create_time (solution);

  g_assert_true (g_str_has_prefix (token, "03A"));
  g_assert_cmpuint (strlen (token), ==, 503);
  g_assert_true (g_str_has_prefix (cs_solution_get_user_agent (solution), "Mozilla/5.0"));
  g_assert_nonnull (strstr (cs_solution_get_sec_ch_ua (solution), "Chrome"));
  g_assert_cmpint (create_time, >, G_GINT64_CONSTANT (1700000000000));
  g_assert_cmpint (cs_solution_get_expire_time (solution), ==, create_time + 120000);
  g_assert_null (cs_solution_get_recaptcha_ca_t (solution));

  /* another site key or page, another token */
  cs_task_set_string (other_key, "websiteKey", "6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI");
  solution_key = solve_ok (f, other_key);
  g_assert_cmpstr (cs_solution_get_token (solution_key), !=, token);
  solution_site = solve_ok (f, other_site);
  g_assert_cmpstr (cs_solution_get_token (solution_site), !=, token);

  /* the proxy is not part of the task: another proxy, the same token; the
   * type is, so the ProxyLess token differs */
  solution_a = solve_ok (f, proxy_a);
  solution_b = solve_ok (f, proxy_b);
  g_assert_cmpstr (cs_solution_get_token (solution_a), ==, cs_solution_get_token (solution_b));
  g_assert_cmpstr (cs_solution_get_token (solution_a), !=, token);
}

static void
test_answers_recognition (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CsTask) text_task = new_task ("ImageToTextTask", "{\"body\": \"@TEXT\"}");
  g_autoptr(CsTask) plain_task = new_task ("ImageToTextTask", "{\"body\": \"@TILE\"}");
  g_autoptr(CsTask) number_task = new_task ("ImageToTextTask",
                                            "{\"images\": [\"@TEXT\", \"@TILE\"], "
                                            "\"module\": \"number\"}");
  g_autoptr(CsTask) grid_task = new_task ("ReCaptchaV2Classification",
                                          "{\"image\": \"@GRID4\", \"question\": \"/m/0k4j\"}");
  g_autoptr(CsTask) tile_task = new_task ("ReCaptchaV2Classification",
                                          "{\"image\": \"@TILE\", \"question\": \"/m/0k4j\"}");
  g_autoptr(CsSolution) solution = NULL;
  g_auto(GStrv) answers = NULL;
  const char *text;

  solution = solve_ok (f, text_task);
  g_assert_cmpstr (cs_solution_get_text (solution), ==, SAMPLE_ANSWER);
  g_clear_object (&solution);

  solution = solve_ok (f, plain_task);
  text = cs_solution_get_text (solution);
  g_assert_cmpuint (strlen (text), ==, 6);
  for (const char *p = text; *p != '\0'; p++)
    g_assert_true (g_ascii_islower (*p) || g_ascii_isdigit (*p));
  g_clear_object (&solution);

  solution = solve_ok (f, number_task);
  answers = cs_solution_get_answers (solution);
  g_assert_cmpuint (g_strv_length (answers), ==, 2);
  g_assert_cmpstr (answers[0], ==, SAMPLE_ANSWER);
  g_assert_cmpuint (strlen (answers[1]), ==, 5);
  for (const char *p = answers[1]; *p != '\0'; p++)
    g_assert_true (g_ascii_isdigit (*p));
  g_assert_true (g_str_has_prefix (cs_solution_get_text (solution), SAMPLE_ANSWER ","));
  g_clear_object (&solution);

  solution = solve_ok (f, grid_task);
  g_assert_cmpstr (cs_solution_get_classification_type (solution), ==, "multi");
  g_assert_cmpuint (cs_solution_get_size (solution), ==, 4);
  g_clear_object (&solution);

  solution = solve_ok (f, tile_task);
  g_assert_cmpstr (cs_solution_get_classification_type (solution), ==, "single");
  g_assert_cmpuint (cs_solution_get_size (solution), ==, 1);

  /* none of them polled */
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "getTaskResult"), ==, 0);
}

static void
test_answers_unknown_question (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CsTask) recaptcha = new_task ("ReCaptchaV2Classification",
                                          "{\"image\": \"@GRID\", \"question\": \"cars\"}");
  g_autoptr(CsTask) aws = new_task ("AwsWafClassification",
                                    "{\"images\": [\"@GRID\"], \"question\": \"aws:slider\"}");
  g_autoptr(CsTask) grid = new_task ("AwsWafClassification",
                                     "{\"images\": [\"@GRID\"], \"question\": \"aws:grid:bed\"}");
  g_autoptr(CsTask) vision = new_task ("VisionEngine",
                                       "{\"module\": \"slider_1\", \"image\": \"@TILE\"}");
  g_autoptr(CsTask) module = new_task ("VisionEngine",
                                       "{\"module\": \"puzzle_9\", \"image\": \"@TILE\"}");
  g_autoptr(GError) error = NULL;

  assert_solve_fails (f->client, recaptcha, CS_ERROR_UNKNOWN_QUESTION);
  assert_solve_fails (f->client, aws, CS_ERROR_UNKNOWN_QUESTION);
  assert_solve_fails (f->client, grid, CS_ERROR_INVALID_TASK_DATA);
  assert_solve_fails (f->client, module, CS_ERROR_INVALID_TASK_DATA);

  /* the client cannot know this one: the sandbox names the field */
  cs_client_solve (f->client, vision, NULL, &error);
  g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
  g_assert_nonnull (strstr (error->message, "imageBackground"));
  assert_balance (f, 100.0);
}

/* --- The lifecycle of token tasks ---------------------------------------------------- */

static void
record_status_cb (CsTask     *task,
                  GParamSpec *pspec,
                  GArray     *statuses)
{
  CsTaskStatus status = cs_task_get_status (task);

  if (statuses->len == 0 || g_array_index (statuses, CsTaskStatus, statuses->len - 1) != status)
    g_array_append_val (statuses, status);
}

static void
test_polled_statuses (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ("https://www.example.com/");
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (CsTaskStatus));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) pending = NULL;
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  g_signal_connect (task, "notify::status", G_CALLBACK (record_status_cb), statuses);
  cs_client_solve_async (f->client, task, NULL, mock_store_result, &pending);
  result = mock_wait_result (&pending);
  solution = cs_client_solve_finish (f->client, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (solution);

  g_assert_cmpuint (statuses->len, ==, 3);
  g_assert_cmpint (g_array_index (statuses, CsTaskStatus, 0), ==, CS_TASK_STATUS_IDLE);
  g_assert_cmpint (g_array_index (statuses, CsTaskStatus, 1), ==, CS_TASK_STATUS_PROCESSING);
  g_assert_cmpint (g_array_index (statuses, CsTaskStatus, 2), ==, CS_TASK_STATUS_READY);
  g_assert_cmpuint (cs_task_get_poll_count (task), ==, 3);
}

static void
create_ok (CsClient *client,
           CsTask   *task)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_client_create_task (client, task, NULL, &error));
  g_assert_no_error (error);
}

static void
poll_ok (CsClient     *client,
         CsTask       *task,
         CsTaskStatus  expected)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_client_get_task_result (client, task, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cs_task_get_status (task), ==, expected);
  g_assert_true ((cs_task_get_solution (task) != NULL) == (expected == CS_TASK_STATUS_READY));
}

/* Polls @task and expects @code, with @in_message (if not NULL) in the
 * message. */
static void
poll_fails (CsClient   *client,
            CsTask     *task,
            CsError     code,
            const char *in_message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (cs_client_get_task_result (client, task, NULL, &error));
  g_assert_error (error, CS_ERROR, (int) code);
  if (in_message != NULL)
    g_assert_nonnull (strstr (error->message, in_message));
}

static void
test_polled_steps (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ("https://www.example.com/");
  g_autoptr(CsTask) at_once = new_token_task ("https://www.example.com/now");
  g_autoptr(CsTask) delayed = new_token_task ("https://www.example.com/later");
  g_autoptr(CsSolution) solution = NULL;

  create_ok (f->client, task);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_IDLE);
  g_assert_true (g_uuid_string_is_valid (cs_task_get_task_id (task)));
  poll_ok (f->client, task, CS_TASK_STATUS_PROCESSING);
  poll_ok (f->client, task, CS_TASK_STATUS_PROCESSING);
  poll_ok (f->client, task, CS_TASK_STATUS_READY);
  poll_ok (f->client, task, CS_TASK_STATUS_READY);   /* and it stays ready */

  /* 0 polls: the first poll is ready */
  cs_sandbox_set_polls_until_ready (f->sandbox, 0);
  create_ok (f->client, at_once);
  poll_ok (f->client, at_once, CS_TASK_STATUS_READY);

  /* a ready delay holds the task back whatever the polls */
  cs_sandbox_set_ready_delay (f->sandbox, 60 * 1000);
  create_ok (f->client, delayed);
  for (guint i = 0; i < 5; i++)
    poll_ok (f->client, delayed, CS_TASK_STATUS_PROCESSING);
  cs_sandbox_set_ready_delay (f->sandbox, 0);
  solution = solve_ok (f, delayed);

  /* three token tasks solved, three charged */
  assert_balance (f, 100.0 - 3 * cs_sandbox_get_price (f->sandbox, TOKEN_TYPE));
}

static void
test_task_id_invalid (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CsTask) unknown = cs_task_new_for_id ("2376919c-1863-11ec-a012-94e6f7355a0b");
  g_autoptr(CsTask) task = new_token_task ("https://www.example.com/");
  g_autoptr(CsTask) expired = new_token_task ("https://www.example.com/expired");
  g_autoptr(CsTask) stolen = NULL;
  g_autoptr(CsClient) other_client = NULL;

  poll_fails (f->client, unknown, CS_ERROR_TASKID_INVALID, NULL);

  /* the task of another key does not exist for this one */
  cs_sandbox_add_key (f->sandbox, OTHER_KEY, 1.0);
  other_client = new_client (f, OTHER_KEY);
  create_ok (f->client, task);
  stolen = cs_task_new_for_id (cs_task_get_task_id (task));
  poll_fails (other_client, stolen, CS_ERROR_TASKID_INVALID, NULL);

  /* a lifetime of 0 forgets tasks at once */
  cs_sandbox_set_task_lifetime (f->sandbox, 0);
  create_ok (f->client, expired);
  poll_fails (f->client, expired, CS_ERROR_TASKID_INVALID, NULL);
  g_assert_cmpint (cs_task_get_status (expired), ==, CS_TASK_STATUS_FAILED);
  poll_fails (f->client, task, CS_ERROR_TASKID_INVALID, NULL);

  /* nothing was solved, nothing was charged */
  assert_balance (f, 100.0);
}

static void
test_poll_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ("https://www.example.com/");

  cs_sandbox_set_polls_until_ready (f->sandbox, 1000);
  create_ok (f->client, task);
  for (guint i = 0; i < 120; i++)
    poll_ok (f->client, task, CS_TASK_STATUS_PROCESSING);

  /* the 121st poll loses the result, and the task with it */
  poll_fails (f->client, task, CS_ERROR_TASKID_INVALID, "120");
  cs_sandbox_set_polls_until_ready (f->sandbox, 0);
  poll_fails (f->client, task, CS_ERROR_TASKID_INVALID, NULL);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "getTaskResult"), ==, 122);
}

/* --- Keys and balances ------------------------------------------------------------------- */

static void
test_unknown_key (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, OTHER_KEY);
  g_autoptr(CsTask) task = new_token_task ("https://www.example.com/");
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_null (balance);
  /* the sandbox repeats the key, as the service does; the client hides it */
  g_assert_null (strstr (error->message, OTHER_KEY));
  g_clear_error (&error);

  assert_solve_fails (client, task, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_NEW);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "createTask"), ==, 1);
}

static void
test_balance (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CsClient) client = NULL;
  g_autoptr(CsClient) broke = NULL;
  g_autoptr(CsTask) token = new_token_task ("https://www.example.com/1");
  g_autoptr(CsTask) image = new_image_task (NULL);
  g_autoptr(CsTask) last = new_token_task ("https://www.example.com/2");
  g_autoptr(CsTask) refused = new_token_task ("https://www.example.com/3");
  g_autoptr(CsTask) unsolvable = new_token_task (CS_SANDBOX_ERROR_URL_PREFIX
                                                 "ERROR_CAPTCHA_UNSOLVABLE");
  g_autoptr(CsTask) nothing = new_image_task (NULL);
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  /* room for two token tasks and a recognition task, exactly */
  cs_sandbox_add_key (f->sandbox, OTHER_KEY, 0.002);
  client = new_client (f, OTHER_KEY);
  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (cs_balance_get_amount (balance), 0.002, 1e-12);

  solution = cs_client_solve (client, token, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (cs_sandbox_get_key_balance (f->sandbox, OTHER_KEY), 0.0012,
                                  1e-12);
  g_clear_object (&solution);

  /* a failed task is not charged */
  assert_solve_fails (client, unsolvable, CS_ERROR_CAPTCHA_UNSOLVABLE);
  g_assert_cmpfloat_with_epsilon (cs_sandbox_get_key_balance (f->sandbox, OTHER_KEY), 0.0012,
                                  1e-12);

  solution = cs_client_solve (client, image, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (cs_sandbox_get_key_balance (f->sandbox, OTHER_KEY), 0.0008,
                                  1e-12);
  g_clear_object (&solution);

  solution = cs_client_solve (client, last, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (cs_sandbox_get_key_balance (f->sandbox, OTHER_KEY), ==, 0.0);

  assert_solve_fails (client, refused, CS_ERROR_ZERO_BALANCE);
  g_assert_null (cs_task_get_task_id (refused));

  /* a key with nothing on it */
  cs_sandbox_add_key (f->sandbox, "CAP-BROKE-0000000000000000000000000000000000000000", 0.0);
  broke = new_client (f, "CAP-BROKE-0000000000000000000000000000000000000000");
  assert_solve_fails (broke, nothing, CS_ERROR_ZERO_BALANCE);

  /* the default key was never touched */
  assert_balance (f, 100.0);
}

/* A token task made ready when its key can no longer pay for it. */
static void
test_settlement (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CsClient) client = NULL;
  g_autoptr(CsTask) first = new_token_task ("https://www.example.com/1");
  g_autoptr(CsTask) second = new_token_task ("https://www.example.com/2");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  cs_sandbox_add_key (f->sandbox, OTHER_KEY, 0.001);
  client = new_client (f, OTHER_KEY);
  create_ok (client, first);
  create_ok (client, second);

  solution = cs_client_solve (client, first, NULL, &error);
  g_assert_no_error (error);
  assert_solve_fails (client, second, CS_ERROR_SETTLEMENT_FAILED);
  g_assert_cmpint (cs_task_get_status (second), ==, CS_TASK_STATUS_FAILED);
  g_assert_cmpfloat_with_epsilon (cs_sandbox_get_key_balance (f->sandbox, OTHER_KEY), 0.0002,
                                  1e-12);
}

static void
test_feedback (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ("https://www.example.com/");
  g_autoptr(CsTask) unknown = cs_task_new_for_id ("61138bb6-19fb-11ec-a9c8-0242ac110006");
  g_autoptr(CsSolution) solution = solve_ok (f, task);
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_client_feedback_task (f->client, task, TRUE, 1001, "invalid token", NULL,
                                          &error));
  g_assert_no_error (error);
  g_assert_true (cs_client_feedback_task (f->client, task, FALSE, 0, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (cs_client_feedback_task (f->client, unknown, TRUE, 0, NULL, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_TASKID_INVALID);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "feedbackTask"), ==, 3);
}

/* --- Checks of requests ----------------------------------------------------------------- */

static void
test_bad_images (Fixture       *f,
                 gconstpointer  data)
{
  static const struct {
    const char *fields;
    CsError     error;
  } rows[] = {
    { "{\"body\": \"not base64!\"}", CS_ERROR_PARSE_IMAGE_FAIL },
    { "{\"body\": \"aGVsbG8=\"}", CS_ERROR_INVALID_IMAGE },                /* "hello" */
    { "{\"body\": \"data:image/png;base64,@TILE\"}", CS_ERROR_PARSE_IMAGE_FAIL },
    { "{\"body\": \"aGVs\\nbG8=\"}", CS_ERROR_PARSE_IMAGE_FAIL },
    { "{\"body\": \"a===\"}", CS_ERROR_PARSE_IMAGE_FAIL },
    { "{\"images\": [\"@TILE\", \"AAAA\"], \"module\": \"number\"}", CS_ERROR_INVALID_IMAGE },
    { "{\"images\": [\"@TILE\", \"\"], \"module\": \"number\"}", CS_ERROR_INVALID_IMAGE },
    { "{\"images\": [\"@TILE\", \"@@\"], \"module\": \"number\"}", CS_ERROR_PARSE_IMAGE_FAIL },
  };
  static const char * const accepted[] = { "@JPEG", "@GIF", "@WEBP", "@GRID" };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(CsTask) task = new_task ("ImageToTextTask", rows[i].fields);

      assert_solve_fails (f->client, task, rows[i].error);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *fields = g_strdup_printf ("{\"body\": \"%s\"}", accepted[i]);
      g_autoptr(CsTask) task = new_task ("ImageToTextTask", fields);
      g_autoptr(CsSolution) solution = solve_ok (f, task);
    }
  g_assert_cmpfloat_with_epsilon (cs_sandbox_get_key_balance (f->sandbox, CS_SANDBOX_DEFAULT_KEY),
                                  100.0 - 4 * 0.0004, 1e-9);
}

static void
test_unsupported_type (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CsTask) removed = cs_task_new ("HCaptchaTaskProxyLess");
  g_autoptr(CsTask) odd_case = new_token_task ("https://www.example.com/");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(CsTask) bad_port = new_token_task ("https://www.example.com/");
  g_autoptr(CsTask) port_text = new_token_task ("https://www.example.com/");
  g_autoptr(CsTask) bad_proxy = new_token_task ("https://www.example.com/");

  cs_task_set_string (removed, "websiteURL", "https://www.example.com/");
  assert_solve_fails (f->client, removed, CS_ERROR_TASK_NOT_SUPPORTED);

  /* type names are matched without regard to case */
  cs_task_set_type_name (odd_case, "ReCaptchaV2TaskProxyless");
  solution = solve_ok (f, odd_case);

  /* proxy fields: the port may be text, but must be a port */
  cs_task_set_type_name (port_text, "ReCaptchaV2Task");
  cs_task_set_string (port_text, "proxyType", "http");
  cs_task_set_string (port_text, "proxyAddress", "192.168.1.10");
  cs_task_set_string (port_text, "proxyPort", "8080");
  g_clear_object (&solution);
  solution = solve_ok (f, port_text);

  cs_task_set_type_name (bad_port, "ReCaptchaV2Task");
  cs_task_set_string (bad_port, "proxyType", "http");
  cs_task_set_string (bad_port, "proxyAddress", "192.168.1.10");
  cs_task_set_int (bad_port, "proxyPort", 70000);
  assert_solve_fails (f->client, bad_port, CS_ERROR_INVALID_TASK_DATA);

  cs_task_set_type_name (bad_proxy, "ReCaptchaV2Task");
  cs_task_set_string (bad_proxy, "proxy", "ftp://10.0.0.1:21");
  assert_solve_fails (f->client, bad_proxy, CS_ERROR_INVALID_TASK_DATA);
}

/* --- Scripted outcomes --------------------------------------------------------------------- */

/* The CsError values that have an error code on the wire. */
static GArray *
wire_errors (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (CS_TYPE_ERROR);
  GArray *errors = g_array_new (FALSE, FALSE, sizeof (CsError));

  for (guint i = 0; i < klass->n_values; i++)
    {
      CsError value = klass->values[i].value;

      if (cs_error_to_code (value) != NULL)
        g_array_append_val (errors, value);
    }
  g_assert_cmpuint (errors->len, >, 20);
  return errors;
}

/* The refusals for want of a slot, which a solve sends again in turn
 * (test-slots.c): scripted once, the solve still succeeds. */
static gboolean
is_no_slot (CsError code)
{
  GError error = { CS_ERROR, code, NULL };

  return _cs_error_is_no_slot (&error);
}

static void
assert_refused_then_solved (Fixture *f,
                            CsTask  *task)
{
  guint creates = cs_sandbox_get_request_count (f->sandbox, "createTask");
  g_autoptr(CsSolution) solution = solve_ok (f, task);

  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "createTask"), ==, creates + 2);
}

/* Solves a task scripted to fail with @expected, and checks that it failed
 * where the documented rule says: at the ready poll for token tasks and
 * codes that end a solving attempt, in createTask otherwise. */
static void
assert_scripted_failure (Fixture  *f,
                         CsTask   *task,
                         gboolean  synchronous,
                         CsError   expected)
{
  const char *code = cs_error_to_code (expected);
  gboolean at_poll = !synchronous &&
                     cs_error_code_get_retry_class (expected) == CS_RETRY_CLASS_NEW_TASK;
  guint polls = cs_sandbox_get_request_count (f->sandbox, "getTaskResult");
  g_autoptr(GError) error = NULL;
  g_autoptr(CsSolution) solution = cs_client_solve (f->client, task, NULL, &error);

  g_assert_null (solution);
  if (!g_error_matches (error, CS_ERROR, expected) || !g_str_has_prefix (error->message, code))
    g_error ("%s: got %s", code, error->message);
  if (at_poll)
    {
      g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "getTaskResult"), ==,
                        polls + 3);
      g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_FAILED);
    }
  else
    {
      g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "getTaskResult"), ==, polls);
      g_assert_null (cs_task_get_task_id (task));
    }
}

static void
test_scripted_fail_next (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GArray) errors = wire_errors ();
  g_autoptr(CsTask) unknown = new_token_task ("https://www.example.com/");
  g_autoptr(CsTask) cleared = new_token_task ("https://www.example.com/");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  guint n_solved = 1;

  for (guint i = 0; i < errors->len; i++)
    {
      CsError expected = g_array_index (errors, CsError, i);
      g_autoptr(CsTask) token = new_token_task ("https://www.example.com/");
      g_autoptr(CsTask) image = new_image_task (NULL);

      cs_sandbox_fail_next_task (f->sandbox, cs_error_to_code (expected));
      if (is_no_slot (expected))
        {
          assert_refused_then_solved (f, token);
          n_solved++;
          continue;
        }
      assert_scripted_failure (f, token, FALSE, expected);
      cs_sandbox_fail_next_task (f->sandbox, cs_error_to_code (expected));
      assert_scripted_failure (f, image, TRUE, expected);
    }

  /* a code the library does not know: CS_ERROR_FAILED, with the code */
  cs_sandbox_fail_next_task (f->sandbox, "ERROR_SOMETHING_NEW");
  cs_client_solve (f->client, unknown, NULL, &error);
  g_assert_error (error, CS_ERROR, CS_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "ERROR_SOMETHING_NEW: "));
  g_assert_cmpint (cs_task_get_status (unknown), ==, CS_TASK_STATUS_FAILED);

  /* NULL forgets what was scripted */
  cs_sandbox_fail_next_task (f->sandbox, "ERROR_CAPTCHA_UNSOLVABLE");
  cs_sandbox_fail_next_task (f->sandbox, NULL);
  solution = solve_ok (f, cleared);

  /* failures are free */
  assert_balance (f, 100.0 - n_solved * cs_sandbox_get_price (f->sandbox, TOKEN_TYPE));
}

static void
test_scripted_url (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GArray) errors = wire_errors ();
  g_autoptr(CsTask) queued = new_token_task (CS_SANDBOX_ERROR_URL_PREFIX "ERROR_PROXY_BANNED");
  g_autoptr(CsTask) next = new_token_task ("https://www.example.com/");
  g_autoptr(CsTask) nested = new_task ("VisionEngine",
                                       "{\"module\": \"rotate_2\", \"image\": \"@TILE\", "
                                       "\"question\": \"https://sandbox.invalid/error/"
                                       "ERROR_UNKNOWN_QUESTION?x=1\"}");

  for (guint i = 0; i < errors->len; i++)
    {
      CsError expected = g_array_index (errors, CsError, i);
      g_autofree char *url = g_strconcat (CS_SANDBOX_ERROR_URL_PREFIX,
                                          cs_error_to_code (expected), NULL);
      g_autoptr(CsTask) token = new_token_task (url);
      g_autoptr(CsTask) image = new_image_task (url);

      /* refused for ever: the solve would try again until its deadline */
      if (is_no_slot (expected))
        continue;
      assert_scripted_failure (f, token, FALSE, expected);
      assert_scripted_failure (f, image, TRUE, expected);
    }

  /* any string field works; the URL wins over the queue, which waits */
  assert_scripted_failure (f, nested, TRUE, CS_ERROR_UNKNOWN_QUESTION);
  cs_sandbox_fail_next_task (f->sandbox, "ERROR_TASK_TIMEOUT");
  assert_scripted_failure (f, queued, FALSE, CS_ERROR_PROXY_BANNED);
  assert_scripted_failure (f, next, FALSE, CS_ERROR_TASK_TIMEOUT);
  assert_balance (f, 100.0);
}

/* --- HTTP faults ------------------------------------------------------------------------ */

static void
assert_balance_fails (Fixture    *f,
                      GQuark      domain,
                      int         code,
                      const char *in_message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBalance) balance = cs_client_get_balance (f->client, NULL, &error);

  g_assert_null (balance);
  if (code >= 0)
    g_assert_error (error, domain, code);
  else
    g_assert_true (error != NULL && error->domain == domain);
  if (in_message != NULL && strstr (error->message, in_message) == NULL)
    g_error ("“%s” is not in “%s”", in_message, error->message);
}

static void
test_faults (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CsTask) dropped = new_token_task ("https://www.example.com/");
  g_autoptr(CsTask) after_drop = new_token_task ("https://www.example.com/");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  /* a balance read is sent again after a 5xx, a few times: fault them all */
  f->client->outage_backoff = 5;
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_HTTP_500, 1 + OUTAGE_RETRIES);
  assert_balance_fails (f, CS_ERROR, CS_ERROR_PROTOCOL, "500");
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_HTTP_503_HTML, 1 + OUTAGE_RETRIES);
  assert_balance_fails (f, CS_ERROR, CS_ERROR_PROTOCOL, "503");
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_MALFORMED_JSON, 1);
  assert_balance_fails (f, CS_ERROR, CS_ERROR_PROTOCOL, "not JSON");

  /* a delay, then a normal answer */
  cs_sandbox_set_fault_delay (f->sandbox, 30);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_DELAY, 1);
  assert_balance (f, 100.0);

  /* a dropped createTask: the transport's error, and no task created */
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_DROP_CONNECTION, 1);
  g_assert_false (cs_client_create_task (f->client, dropped, NULL, &error));
  g_assert_true (error != NULL && error->domain == G_IO_ERROR);
  g_assert_null (cs_task_get_task_id (dropped));
  g_clear_error (&error);
  solution = solve_ok (f, after_drop);

  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "getBalance"), ==,
                    2 * (1 + OUTAGE_RETRIES) + 2);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "createTask"), ==, 2);
  assert_balance (f, 100.0 - cs_sandbox_get_price (f->sandbox, TOKEN_TYPE));
}

/* A task asks for a fault in its own body: for that request only. */
static void
test_fault_in_request (Fixture       *f,
                       gconstpointer  data)
{
  static const struct {
    const char *url;
    int         code;   /* in CS_ERROR, or -1 for any G_IO_ERROR */
  } cases[] = {
    /* not the service's answer, once the body was sent: it may exist */
    { CS_SANDBOX_FAULT_URL_PREFIX "http-500", -1 },
    { CS_SANDBOX_FAULT_URL_PREFIX "http-503-html", CS_ERROR_PROTOCOL },
    { CS_SANDBOX_FAULT_URL_PREFIX "malformed-json", CS_ERROR_PROTOCOL },
    { CS_SANDBOX_FAULT_URL_PREFIX "drop-connection", -1 },
  };
  g_autoptr(CsTask) delayed = new_token_task (CS_SANDBOX_FAULT_URL_PREFIX "delay");
  g_autoptr(CsSolution) solution = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CsTask) task = new_token_task (cases[i].url);
      g_autoptr(GError) error = NULL;

      g_assert_false (cs_client_create_task (f->client, task, NULL, &error));
      if (cases[i].code >= 0)
        g_assert_error (error, CS_ERROR, cases[i].code);
      else
        g_assert_true (error != NULL && error->domain == G_IO_ERROR);
      g_assert_null (cs_task_get_task_id (task));
    }

  /* a delayed createTask is answered, and the next requests are not faulted */
  cs_sandbox_set_fault_delay (f->sandbox, 30);
  solution = solve_ok (f, delayed);
  assert_balance (f, 100.0 - cs_sandbox_get_price (f->sandbox, TOKEN_TYPE));
}

static void
test_fault_queue (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ("https://www.example.com/");
  g_autoptr(CsSolution) solution = NULL;

  /* one request through, then two errors, which a balance read rides
   * out (it is sent again after a 5xx, a few times), then more errors
   * than it does */
  f->client->outage_backoff = 5;
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_NONE, 1);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_HTTP_500, 2);
  assert_balance (f, 100.0);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "getBalance"), ==, 1);
  assert_balance (f, 100.0);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "getBalance"), ==, 4);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_HTTP_500, 1 + OUTAGE_RETRIES);
  assert_balance_fails (f, CS_ERROR, CS_ERROR_PROTOCOL, "500");
  assert_balance (f, 100.0);

  /* 0 forgets the faults queued */
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_HTTP_500, 5);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_HTTP_500, 0);
  assert_balance (f, 100.0);

  /* createTask passes; the client polls through two faulted polls */
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_NONE, 1);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_HTTP_503_HTML, 1);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_DROP_CONNECTION, 1);
  solution = solve_ok (f, task);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "getTaskResult"), ==, 5);
}

/* Runs the test thread's context until the sandbox has received a
 * request of @method: the sandbox's thread does not wake this one. */
static void
wait_for_request (Fixture    *f,
                  const char *method)
{
  gint64 deadline = g_get_monotonic_time () + MOCK_WAIT_TIMEOUT * G_USEC_PER_SEC;

  while (cs_sandbox_get_request_count (f->sandbox, method) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("no %s request after %d seconds", method, MOCK_WAIT_TIMEOUT);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* A client that gives up on a delayed answer; the sandbox stays
 * responsive meanwhile and stops cleanly with the answer pending. */
static void
test_fault_delay_pending (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) pending = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CsClient) patient = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  cs_sandbox_set_fault_delay (f->sandbox, 60 * 1000);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_DELAY, 1);
  cs_client_get_balance_async (patient, cancellable, mock_store_result, &pending);
  wait_for_request (f, "getBalance");

  /* another request is answered at once */
  assert_balance (f, 100.0);

  g_cancellable_cancel (cancellable);
  result = mock_wait_result (&pending);
  balance = cs_client_get_balance_finish (patient, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (balance);
}

/* --- The protocol, as another SDK sees it ----------------------------------------------- */

/* Posts @body (NULL: no body) to @path and reads the JSON reply. */
static JsonObject *
post_raw (Fixture    *f,
          const char *http_method,
          const char *path,
          const char *body,
          guint      *status)
{
  g_autofree char *url = g_strconcat (cs_sandbox_get_base_url (f->sandbox), path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (http_method, url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gsize size = 0;
  const char *data;

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }
  /* some SDKs send the key as a bearer token too: it is ignored */
  soup_message_headers_append (soup_message_get_request_headers (message), "Authorization",
                               "Bearer " OTHER_KEY);
  reply = soup_session_send_and_read (f->session, message, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (message);
  g_assert_cmpstr (soup_message_headers_get_content_type (
                     soup_message_get_response_headers (message), NULL), ==, "application/json");

  data = g_bytes_get_data (reply, &size);
  root = _cs_json_parse (data, size, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static void
assert_reply_error (JsonObject *reply,
                    guint       status,
                    guint       expected_status,
                    const char *code,
                    const char *in_description)
{
  gint64 error_id = 0;
  const char *description = _cs_json_get_string (reply, "errorDescription");

  g_assert_cmpuint (status, ==, expected_status);
  g_assert_true (_cs_json_get_int (reply, "errorId", &error_id));
  g_assert_cmpint (error_id, ==, 1);
  g_assert_cmpstr (_cs_json_get_string (reply, "errorCode"), ==, code);
  g_assert_nonnull (description);
  if (in_description != NULL && strstr (description, in_description) == NULL)
    g_error ("“%s” is not in “%s”", in_description, description);
}

static void
assert_reply_ok (JsonObject *reply,
                 guint       status)
{
  gint64 error_id = -1;

  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_true (_cs_json_get_int (reply, "errorId", &error_id));
  g_assert_cmpint (error_id, ==, 0);
  g_assert_cmpstr (_cs_json_get_string (reply, "errorCode"), ==, "");
  g_assert_cmpstr (_cs_json_get_string (reply, "errorDescription"), ==, "");
}

#define KEY_MEMBER "\"clientKey\": \"" CS_SANDBOX_DEFAULT_KEY "\""

static void
test_raw_lifecycle (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *poll = NULL;
  g_autofree char *feedback = NULL;
  const char *task_id;
  JsonArray *packages;
  double balance = 0;
  guint status = 0;

  /* "ClientKey" as one SDK spells it, a trailing slash, a string port */
  created = post_raw (f, "POST", "/createTask/",
                      "{\"ClientKey\": \"" CS_SANDBOX_DEFAULT_KEY "\", \"appId\": \"X\", "
                      "\"task\": {\"type\": \"ReCaptchaV2Task\", "
                      "\"websiteURL\": \"https://www.example.com/\", \"websiteKey\": \"k\", "
                      "\"proxyType\": \"socks5\", \"proxyAddress\": \"10.0.0.1\", "
                      "\"proxyPort\": \"1080\"}}", &status);
  assert_reply_ok (created, status);
  g_assert_cmpstr (_cs_json_get_string (created, "status"), ==, "idle");
  task_id = _cs_json_get_string (created, "taskId");
  g_assert_true (g_uuid_string_is_valid (task_id));
  g_assert_false (json_object_has_member (created, "solution"));

  poll = g_strdup_printf ("{" KEY_MEMBER ", \"taskId\": \"%s\"}", task_id);
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&reply, json_object_unref);
      reply = post_raw (f, "POST", "/getTaskResult", poll, &status);
      assert_reply_ok (reply, status);
      g_assert_cmpstr (_cs_json_get_string (reply, "status"), ==, "processing");
      g_assert_cmpstr (_cs_json_get_string (reply, "taskId"), ==, task_id);
    }
  g_clear_pointer (&reply, json_object_unref);
  reply = post_raw (f, "POST", "/getTaskResult", poll, &status);
  assert_reply_ok (reply, status);
  g_assert_cmpstr (_cs_json_get_string (reply, "status"), ==, "ready");
  g_assert_nonnull (_cs_json_get_string (_cs_json_get_object (reply, "solution"),
                                         "gRecaptchaResponse"));

  g_clear_pointer (&reply, json_object_unref);
  reply = post_raw (f, "POST", "/getBalance", "{" KEY_MEMBER "}", &status);
  assert_reply_ok (reply, status);
  g_assert_true (_cs_json_get_double (reply, "balance", &balance));
  g_assert_cmpfloat_with_epsilon (balance, 100.0 - 0.0008, 1e-9);
  packages = _cs_json_get_array (reply, "packages");
  g_assert_nonnull (packages);
  g_assert_cmpuint (json_array_get_length (packages), ==, 0);

  feedback = g_strdup_printf ("{" KEY_MEMBER ", \"taskId\": \"%s\", "
                              "\"result\": {\"invalid\": true, \"code\": 1001}}", task_id);
  g_clear_pointer (&reply, json_object_unref);
  reply = post_raw (f, "POST", "/feedbackTask", feedback, &status);
  assert_reply_ok (reply, status);
  g_assert_cmpstr (_cs_json_get_string (reply, "message"), ==, "okay");

  g_clear_pointer (&reply, json_object_unref);
  reply = post_raw (f, "POST", "/feedbackTask", poll, &status);
  assert_reply_error (reply, status, 400, "ERROR_INVALID_TASK_DATA", "result.invalid");
}

static void
test_raw_recognition (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *body = expand_images ("{" KEY_MEMBER ", \"task\": {\"type\": "
                                         "\"ImageToTextTask\", \"body\": \"@TEXT\"}}");
  g_autoptr(JsonObject) reply = NULL;
  guint status = 0;

  reply = post_raw (f, "POST", "/createTask", body, &status);
  assert_reply_ok (reply, status);
  g_assert_cmpstr (_cs_json_get_string (reply, "status"), ==, "ready");
  g_assert_true (g_uuid_string_is_valid (_cs_json_get_string (reply, "taskId")));
  g_assert_cmpstr (_cs_json_get_string (_cs_json_get_object (reply, "solution"), "text"), ==,
                   SAMPLE_ANSWER);
}

static void
test_raw_errors (Fixture       *f,
                 gconstpointer  data)
{
  static const struct {
    const char *http_method;
    const char *path;
    const char *body;
    guint       status;
    const char *code;
    const char *in_description;
  } rows[] = {
    /* the refused key is never repeated */
    { "POST", "/getBalance", "{\"clientKey\": \"CAP-WRONG\"}", 401, "ERROR_KEY_DENIED_ACCESS",
      "invalid" },
    { "POST", "/getBalance", "{}", 401, "ERROR_KEY_DENIED_ACCESS", "clientKey" },
    { "POST", "/createTask", "{" KEY_MEMBER "}", 400, "ERROR_INVALID_TASK_DATA", "task" },
    { "POST", "/createTask", "{" KEY_MEMBER ", \"task\": {\"websiteURL\": \"https://a/\"}}", 400,
      "ERROR_INVALID_TASK_DATA", "type" },
    { "POST", "/createTask", "{" KEY_MEMBER ", \"task\": {\"type\": \"ReCaptchaV2TaskProxyLess\", "
      "\"websiteURL\": \"https://a/\"}}", 400, "ERROR_INVALID_TASK_DATA", "websiteKey" },
    { "POST", "/createTask", "{" KEY_MEMBER ", \"task\": {\"type\": \"AntiCloudflareTask\", "
      "\"websiteURL\": \"https://a/\"}}", 400, "ERROR_INVALID_TASK_DATA", "proxy" },
    { "POST", "/createTask", "{" KEY_MEMBER ", \"task\": {\"type\": \"DatadomeSliderTask\", "
      "\"captchaUrl\": \"https://c/\", \"proxy\": \"" PROXY_TEXT "\"}}", 400,
      "ERROR_INVALID_TASK_DATA", "userAgent" },
    { "POST", "/createTask", "{" KEY_MEMBER ", \"task\": {\"type\": \"ReCaptchaV2Task\", "
      "\"websiteURL\": \"https://a/\", \"websiteKey\": \"k\", \"proxyAddress\": \"10.0.0.1\", "
      "\"proxyPort\": \"port\"}}", 400, "ERROR_INVALID_TASK_DATA", "proxyPort" },
    { "POST", "/createTask", "{" KEY_MEMBER ", \"task\": {\"type\": \"FunCaptchaTask\"}}", 400,
      "ERROR_TASK_NOT_SUPPORTED", "FunCaptchaTask" },
    { "POST", "/createTask", "{" KEY_MEMBER ", \"task\": {\"type\": \"ImageToTextTask\", "
      "\"body\": \"%%%%\"}}", 400, "ERROR_PARSE_IMAGE_FAIL", "body" },
    { "POST", "/getTaskResult", "{" KEY_MEMBER "}", 400, "ERROR_TASKID_INVALID", NULL },
    { "POST", "/getTaskResult", "{" KEY_MEMBER ", \"taskId\": \"nope\"}", 400,
      "ERROR_TASKID_INVALID", NULL },
    { "POST", "/feedbackTask", "{" KEY_MEMBER ", \"taskId\": \"nope\", \"result\": "
      "{\"invalid\": true}}", 400, "ERROR_TASKID_INVALID", NULL },
    { "POST", "/createTask", "not json", 400, "ERROR_BAD_REQUEST", NULL },
    { "POST", "/createTask", "[1, 2]", 400, "ERROR_BAD_REQUEST", NULL },
    { "POST", "/createTask", NULL, 400, "ERROR_BAD_REQUEST", NULL },
    { "POST", "/getState", "{" KEY_MEMBER "}", 404, "ERROR_PAGE_NOT_FOUND", NULL },
    { "POST", "/getToken", "{" KEY_MEMBER ", \"task\": {\"type\": \"AntiTurnstileTaskProxyLess\", "
      "\"websiteURL\": \"https://a/\", \"websiteKey\": \"k\"}}", 400,
      "ERROR_TASK_NOT_SUPPORTED", "reCAPTCHA" },
    { "POST", "/", "{" KEY_MEMBER "}", 404, "ERROR_PAGE_NOT_FOUND", NULL },
    { "GET", "/getBalance", NULL, 405, "ERROR_BAD_REQUEST", "POST" },
  };
  guint n_creates = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(JsonObject) reply = NULL;
      guint status = 0;

      reply = post_raw (f, rows[i].http_method, rows[i].path, rows[i].body, &status);
      assert_reply_error (reply, status, rows[i].status, rows[i].code, rows[i].in_description);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    n_creates += strcmp (rows[i].path, "/createTask") == 0;
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, NULL), ==, G_N_ELEMENTS (rows));
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "/getState"), ==, 1);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "getToken"), ==, 1);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandbox, "createTask"), ==, n_creates);
}

static void
test_raw_scripted_failure (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *poll = NULL;
  guint status = 0;

  created = post_raw (f, "POST", "/createTask",
                      "{" KEY_MEMBER ", \"task\": {\"type\": \"AntiTurnstileTaskProxyLess\", "
                      "\"websiteURL\": \"" CS_SANDBOX_ERROR_URL_PREFIX "ERROR_CAPTCHA_UNSOLVABLE\", "
                      "\"websiteKey\": \"0x4AAAAAAA\"}}", &status);
  assert_reply_ok (created, status);

  cs_sandbox_set_polls_until_ready (f->sandbox, 0);
  poll = g_strdup_printf ("{" KEY_MEMBER ", \"taskId\": \"%s\"}",
                          _cs_json_get_string (created, "taskId"));
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&reply, json_object_unref);
      reply = post_raw (f, "POST", "/getTaskResult", poll, &status);
      assert_reply_error (reply, status, 400, "ERROR_CAPTCHA_UNSOLVABLE", "scripted");
      g_assert_cmpstr (_cs_json_get_string (reply, "status"), ==, "failed");
      g_assert_cmpstr (_cs_json_get_string (reply, "taskId"), ==,
                       _cs_json_get_string (created, "taskId"));
    }
}

static void
test_raw_too_large (Fixture       *f,
                    gconstpointer  data)
{
  gsize size = 9 * 1024 * 1024;
  g_autofree char *body = g_malloc (size + 1);
  g_autoptr(JsonObject) reply = NULL;
  guint status = 0;

  memset (body, ' ', size);
  body[0] = '{';
  body[size - 1] = '}';
  body[size] = '\0';
  reply = post_raw (f, "POST", "/getBalance", body, &status);
  assert_reply_error (reply, status, 400, "ERROR_BAD_REQUEST", "8 MiB");

  /* the sandbox is still there */
  assert_balance (f, 100.0);
}

/* --- Time and load ------------------------------------------------------------------------ */

#define V2_TASK(url) "{\"type\": \"ReCaptchaV2TaskProxyLess\", \"websiteURL\": \"" url "\", " \
                     "\"websiteKey\": \"k\"}"
#define MT_TASK(url) "{\"type\": \"MtCaptchaTaskProxyLess\", \"websiteURL\": \"" url "\", " \
                     "\"websiteKey\": \"MTPublic-k\"}"

/* createTask of @task_json, which must be accepted; returns the task id. */
static char *
create_raw (Fixture    *f,
            const char *task_json)
{
  g_autofree char *body = g_strdup_printf ("{" KEY_MEMBER ", \"task\": %s}", task_json);
  g_autoptr(JsonObject) reply = NULL;
  guint status = 0;

  reply = post_raw (f, "POST", "/createTask", body, &status);
  assert_reply_ok (reply, status);
  return g_strdup (_cs_json_get_string (reply, "taskId"));
}

static JsonObject *
poll_raw (Fixture    *f,
          const char *task_id,
          guint      *status)
{
  g_autofree char *body = g_strdup_printf ("{" KEY_MEMBER ", \"taskId\": \"%s\"}", task_id);

  return post_raw (f, "POST", "/getTaskResult", body, status);
}

/* Polls every 20 ms (well within the 120-poll cap) until the task is no
 * longer idle or processing; returns the statuses seen, joined by
 * spaces. */
static char *
poll_until_done (Fixture    *f,
                 const char *task_id)
{
  g_autoptr(GString) seen = g_string_new (NULL);

  for (guint i = 0; i < 500; i++)
    {
      g_autoptr(JsonObject) reply = NULL;
      const char *status_text;
      guint status = 0;

      reply = poll_raw (f, task_id, &status);
      status_text = _cs_json_get_string (reply, "status");
      if (status_text == NULL)
        status_text = _cs_json_get_string (reply, "errorCode");
      if (seen->len == 0 || !g_str_has_suffix (seen->str, status_text))
        g_string_append_printf (seen, "%s%s", seen->len > 0 ? " " : "", status_text);
      if (g_strcmp0 (status_text, "idle") != 0 && g_strcmp0 (status_text, "processing") != 0)
        break;
      g_usleep (20 * 1000);
    }
  return g_string_free (g_steal_pointer (&seen), FALSE);
}

/* The timing record of @task_id, or NULL. */
static JsonObject *
find_record (JsonNode   *timings,
             const char *task_id)
{
  JsonArray *tasks = _cs_json_get_array (json_node_get_object (timings), "tasks");

  g_assert_nonnull (tasks);
  for (guint i = 0; i < json_array_get_length (tasks); i++)
    {
      JsonObject *record = json_array_get_object_element (tasks, i);

      if (g_strcmp0 (_cs_json_get_string (record, "taskId"), task_id) == 0)
        return record;
    }
  return NULL;
}

static double
record_ms (JsonObject *record,
           const char *member)
{
  double value = -1.0;

  g_assert_true (_cs_json_get_double (record, member, &value));
  return value;
}

static void
test_time_scale (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *statuses = NULL;
  g_autoptr(JsonNode) timings = NULL;
  JsonObject *record;
  double solve;

  /* reCAPTCHA v2 takes 5 to 15 s: 50 to 150 ms here */
  cs_sandbox_set_time_scale (f->sandbox, 0.01);
  g_assert_cmpfloat (cs_sandbox_get_time_scale (f->sandbox), ==, 0.01);
  first = create_raw (f, V2_TASK ("https://time.example/"));
  again = create_raw (f, V2_TASK ("https://time.example/"));
  statuses = poll_until_done (f, first);
  g_free (poll_until_done (f, again));

  /* in order, whatever the polls saw (a slow run may see ready only) */
  g_assert_true (g_str_has_suffix ("idle processing ready", statuses));
  timings = cs_sandbox_get_timings (f->sandbox);
  record = find_record (timings, first);
  g_assert_nonnull (record);
  solve = record_ms (record, "readyMs") - record_ms (record, "createdMs");
  g_assert_cmpfloat (solve, >=, 50.0);
  g_assert_cmpfloat (solve, <=, 150.0);
  g_assert_cmpfloat (record_ms (record, "fetchedMs"), >=, record_ms (record, "readyMs"));
  g_assert_cmpstr (_cs_json_get_string (record, "state"), ==, "ready");
  g_assert_cmpstr (_cs_json_get_string (record, "type"), ==, "ReCaptchaV2TaskProxyLess");

  /* the solve time is drawn from the task: the same task takes as long */
  record = find_record (timings, again);
  g_assert_cmpfloat_with_epsilon (record_ms (record, "readyMs") - record_ms (record, "createdMs"),
                                  solve, 0.002);
}

/* At the service's pace: idle until a worker takes the task up (a tenth
 * into its solve time), then processing: clients meet both. */
static void
test_time_idle_processing (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *task_id = NULL;
  g_autoptr(JsonObject) idle = NULL;
  g_autoptr(JsonObject) processing = NULL;
  guint status = 0;

  /* reCAPTCHA v3: 2 to 6 s, taken up after 0.2 to 0.6 s */
  cs_sandbox_set_time_scale (f->sandbox, 1.0);
  task_id = create_raw (f, "{\"type\": \"ReCaptchaV3TaskProxyLess\", "
                           "\"websiteURL\": \"https://pace.example/\", \"websiteKey\": \"k\", "
                           "\"pageAction\": \"login\"}");
  idle = poll_raw (f, task_id, &status);
  g_usleep (700 * 1000);
  processing = poll_raw (f, task_id, &status);

  g_assert_cmpstr (_cs_json_get_string (idle, "status"), ==, "idle");
  g_assert_cmpstr (_cs_json_get_string (processing, "status"), ==, "processing");
}

static void
test_time_instant (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *task_id = NULL;
  g_autofree char *statuses = NULL;
  g_autoptr(CsTask) task = new_image_task (NULL);
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(JsonObject) created = NULL;
  guint status = 0;

  cs_sandbox_set_time_scale (f->sandbox, 0.0);
  created = post_raw (f, "POST", "/createTask",
                      "{" KEY_MEMBER ", \"task\": " V2_TASK ("https://instant.example/") "}",
                      &status);
  assert_reply_ok (created, status);
  task_id = g_strdup (_cs_json_get_string (created, "taskId"));
  statuses = poll_until_done (f, task_id);
  /* a token task is still fetched with getTaskResult, ready at once */
  g_assert_cmpstr (_cs_json_get_string (created, "status"), ==, "idle");
  g_assert_false (json_object_has_member (created, "solution"));
  g_assert_cmpstr (statuses, ==, "ready");
  solution = solve_ok (f, task);
  g_assert_nonnull (cs_solution_get_text (solution));
}

static void
test_time_recognition (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CsTask) task = new_image_task (NULL);
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(JsonNode) timings = NULL;
  JsonObject *record;
  double solve;

  /* answered in createTask, after 10 to 60 ms */
  cs_sandbox_set_time_scale (f->sandbox, 1.0);
  solution = solve_ok (f, task);
  timings = cs_sandbox_get_timings (f->sandbox);
  record = find_record (timings, cs_task_get_task_id (task));
  solve = record_ms (record, "readyMs") - record_ms (record, "createdMs");
  g_assert_cmpfloat (solve, >=, 10.0);
  g_assert_cmpfloat (solve, <=, 60.0);
  g_assert_cmpfloat (record_ms (record, "fetchedMs"), ==, record_ms (record, "readyMs"));
}

static void
test_time_workers (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *statuses = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonNode) timings = NULL;
  guint status = 0;
  guint refused_status = 0;

  /* one worker, one place in the queue; 250 to 750 ms a task */
  cs_sandbox_set_time_scale (f->sandbox, 0.05);
  cs_sandbox_set_workers (f->sandbox, 1);
  cs_sandbox_set_queue_limit (f->sandbox, 1);
  first = create_raw (f, V2_TASK ("https://workers.example/1"));
  second = create_raw (f, V2_TASK ("https://workers.example/2"));
  refused = post_raw (f, "POST", "/createTask",
                      "{" KEY_MEMBER ", \"task\": " V2_TASK ("https://workers.example/3") "}",
                      &refused_status);
  reply = poll_raw (f, second, &status);
  statuses = poll_until_done (f, second);
  g_free (poll_until_done (f, first));

  assert_reply_error (refused, refused_status, 400, "ERROR_SERVICE_UNAVALIABLE", "high load");
  /* the second waits for the first, idle */
  g_assert_cmpstr (_cs_json_get_string (reply, "status"), ==, "idle");
  g_assert_true (g_str_has_prefix (statuses, "idle"));
  g_assert_true (g_str_has_suffix (statuses, "ready"));
  timings = cs_sandbox_get_timings (f->sandbox);
  g_assert_cmpfloat (record_ms (find_record (timings, second), "readyMs"), >,
                     record_ms (find_record (timings, first), "readyMs"));
}

static void
test_time_timeout (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  guint ready = 0;
  guint timed_out = 0;

  /* 120 s is 1.2 s here; MTCaptcha takes 50 to 300 ms, one at a time:
   * the tasks queued behind the first few wait too long */
  cs_sandbox_set_time_scale (f->sandbox, 0.01);
  cs_sandbox_set_workers (f->sandbox, 1);
  /* results kept 1000 s after completion (the 300 s default is 3 s here) */
  cs_sandbox_set_task_lifetime (f->sandbox, 100000);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *task = g_strdup_printf ("{\"type\": \"MtCaptchaTaskProxyLess\", "
                                               "\"websiteURL\": \"https://t.example/%u\", "
                                               "\"websiteKey\": \"MTPublic-k\"}", i);

      g_ptr_array_add (ids, create_raw (f, task));
    }
  g_usleep (1500 * 1000);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(JsonObject) reply = NULL;
      guint status = 0;

      reply = poll_raw (f, ids->pdata[i], &status);
      if (g_strcmp0 (_cs_json_get_string (reply, "status"), "ready") == 0)
        ready++;
      else
        {
          assert_reply_error (reply, status, 400, "ERROR_TASK_TIMEOUT", "120 seconds");
          g_assert_cmpstr (_cs_json_get_string (reply, "status"), ==, "failed");
          timed_out++;
        }
    }
  g_assert_cmpuint (ready, >, 0);
  g_assert_cmpuint (timed_out, >, 0);
}

static void
test_time_retention (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *task_id = NULL;
  g_autofree char *statuses = NULL;
  g_autoptr(JsonObject) kept = NULL;
  g_autoptr(JsonObject) gone = NULL;
  g_autoptr(JsonNode) timings = NULL;
  guint kept_status = 0;
  guint gone_status = 0;

  /* results are kept task-lifetime real seconds after completion,
   * whatever the scale: a client at the service's pace must find them.
   * A scaled lifetime would be 1 ms here, gone long before the poll below. */
  cs_sandbox_set_time_scale (f->sandbox, 0.001);
  cs_sandbox_set_task_lifetime (f->sandbox, 1);
  task_id = create_raw (f, V2_TASK ("https://retention.example/"));
  statuses = poll_until_done (f, task_id);
  g_usleep (300 * 1000);
  kept = poll_raw (f, task_id, &kept_status);
  g_usleep (1000 * 1000);
  gone = poll_raw (f, task_id, &gone_status);
  timings = cs_sandbox_get_timings (f->sandbox);

  g_assert_cmpuint (kept_status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (_cs_json_get_string (kept, "status"), ==, "ready");
  g_assert_true (g_str_has_suffix (statuses, "ready"));
  assert_reply_error (gone, gone_status, 400, "ERROR_TASKID_INVALID", NULL);
  /* and its memory with it */
  g_assert_null (find_record (timings, task_id));
}

static void
test_task_store_cap (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(JsonObject) refused = NULL;
  guint status = 0;

  cs_sandbox_set_max_tasks (f->sandbox, 2);
  g_assert_cmpuint (cs_sandbox_get_max_tasks (f->sandbox), ==, 2);
  first = create_raw (f, V2_TASK ("https://cap.example/1"));
  second = create_raw (f, V2_TASK ("https://cap.example/2"));
  refused = post_raw (f, "POST", "/createTask",
                      "{" KEY_MEMBER ", \"task\": " V2_TASK ("https://cap.example/3") "}",
                      &status);
  assert_reply_error (refused, status, 400, "ERROR_SERVICE_UNAVALIABLE", "at most 2 tasks");
}

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) refused = NULL;
  g_autoptr(JsonObject) other = NULL;
  guint status = 0;
  guint other_status = 0;

  cs_sandbox_set_rate_limit (f->sandbox, 3);
  cs_sandbox_add_key (f->sandbox, OTHER_KEY, 1.0);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) reply = post_raw (f, "POST", "/getBalance", "{" KEY_MEMBER "}",
                                              &status);
      assert_reply_ok (reply, status);
    }
  refused = post_raw (f, "POST", "/getBalance", "{" KEY_MEMBER "}", &status);
  /* per key */
  other = post_raw (f, "POST", "/getBalance", "{\"clientKey\": \"" OTHER_KEY "\"}",
                    &other_status);

  assert_reply_error (refused, status, 400, "ERROR_RATE_LIMIT", NULL);
  assert_reply_ok (other, other_status);
}

static void
test_key_blocked (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) blocked = NULL;
  g_autoptr(JsonObject) unblocked = NULL;
  guint status = 0;
  guint later_status = 0;

  /* three errors within a minute (0.6 s here) block the key for five
   * (3 s) */
  cs_sandbox_set_time_scale (f->sandbox, 0.01);
  cs_sandbox_set_key_block_errors (f->sandbox, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) reply = NULL;

      reply = poll_raw (f, "no-such-task", &status);
      assert_reply_error (reply, status, 400, "ERROR_TASKID_INVALID", NULL);
    }
  blocked = post_raw (f, "POST", "/getBalance", "{" KEY_MEMBER "}", &status);
  g_usleep (3200 * 1000);
  unblocked = post_raw (f, "POST", "/getBalance", "{" KEY_MEMBER "}", &later_status);

  assert_reply_error (blocked, status, 400, "ERROR_KEY_TEMP_BLOCKED", NULL);
  assert_reply_ok (unblocked, later_status);
}

static void
test_ip_banned (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonObject) banned = NULL;
  g_autoptr(GError) error = NULL;
  guint status = 0;

  cs_sandbox_set_ip_ban_errors (f->sandbox, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) reply = poll_raw (f, "no-such-task", &status);

      assert_reply_error (reply, status, 400, "ERROR_TASKID_INVALID", NULL);
    }
  banned = post_raw (f, "POST", "/getBalance", "{" KEY_MEMBER "}", &status);
  assert_reply_error (banned, status, 400, "ERROR_IP_BANNED", NULL);

  /* our client reads it as the cooldown error it is */
  g_assert_null (cs_client_get_balance (f->client, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IP_BANNED);
}

static void
test_get_token (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) instant = NULL;
  g_autoptr(JsonNode) timings = NULL;
  JsonObject *solution;
  JsonObject *record;
  guint status = 0;
  guint instant_status = 0;

  /* held until solved: 50 to 150 ms here */
  cs_sandbox_set_time_scale (f->sandbox, 0.01);
  reply = post_raw (f, "POST", "/getToken",
                    "{" KEY_MEMBER ", \"task\": " V2_TASK ("https://token.example/") "}",
                    &status);
  assert_reply_ok (reply, status);
  g_assert_cmpstr (_cs_json_get_string (reply, "status"), ==, "ready");
  solution = _cs_json_get_object (reply, "solution");
  g_assert_nonnull (solution);
  g_assert_true (g_str_has_prefix (_cs_json_get_string (solution, "gRecaptchaResponse"), "03A"));
  timings = cs_sandbox_get_timings (f->sandbox);
  record = find_record (timings, _cs_json_get_string (reply, "taskId"));
  g_assert_nonnull (record);
  g_assert_cmpfloat (record_ms (record, "readyMs") - record_ms (record, "createdMs"), >=, 50.0);
  g_assert_cmpfloat (record_ms (record, "fetchedMs"), >=, record_ms (record, "readyMs"));
  g_assert_cmpint (json_object_get_int_member (record, "polls"), ==, 0);

  /* the poll-count model answers at once */
  cs_sandbox_set_time_scale (f->sandbox, -1.0);
  instant = post_raw (f, "POST", "/getToken/",
                      "{" KEY_MEMBER ", \"task\": " V2_TASK ("https://token.example/2") "}",
                      &instant_status);
  assert_reply_ok (instant, instant_status);
  g_assert_cmpstr (_cs_json_get_string (instant, "status"), ==, "ready");
}

static void
test_callback (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(MockServer) receiver = mock_server_new ();
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) received = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  cs_sandbox_set_time_scale (f->sandbox, 0.001);
  body = g_strdup_printf ("{" KEY_MEMBER ", \"callbackUrl\": \"%s/hook\", \"task\": "
                          V2_TASK ("https://callback.example/") "}",
                          mock_server_get_url (receiver));
  created = post_raw (f, "POST", "/createTask", body, &status);
  for (guint i = 0; i < 10000 && mock_server_count_requests (receiver, "hook") == 0; i++)
    g_usleep (1000);

  /* the getTaskResult body, POSTed once by the sandbox when the task was ready */
  assert_reply_ok (created, status);
  g_assert_cmpuint (mock_server_count_requests (receiver, "hook"), ==, 1);
  received = mock_server_dup_request_json (receiver, "hook", 0);
  g_assert_cmpstr (_cs_json_get_string (received, "taskId"), ==,
                   _cs_json_get_string (created, "taskId"));
  g_assert_cmpstr (_cs_json_get_string (received, "status"), ==, "ready");
  g_assert_nonnull (_cs_json_get_object (received, "solution"));
}

static void
test_timings (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(JsonNode) timings = NULL;
  g_autoptr(JsonNode) raw_node = NULL;
  g_autoptr(JsonObject) raw = NULL;
  g_autoptr(JsonObject) cleared = NULL;
  JsonObject *object;
  JsonObject *record;
  gint64 value = 0;
  guint status = 0;

  cs_sandbox_set_time_scale (f->sandbox, 0.001);
  before = create_raw (f, V2_TASK ("https://timings.example/1"));
  cleared = post_raw (f, "POST", "/sandbox/timings/clear", "", &status);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  after = create_raw (f, V2_TASK ("https://timings.example/2"));
  g_free (poll_until_done (f, after));
  timings = cs_sandbox_get_timings (f->sandbox);
  raw = post_raw (f, "GET", "/sandbox/timings", NULL, &status);

  object = json_node_get_object (timings);
  g_assert_cmpfloat (record_ms (object, "now"), >, 0.0);
  g_assert_true (_cs_json_get_int (object, "connections", &value));
  g_assert_cmpint (value, >=, 1);
  g_assert_true (_cs_json_get_int (object, "openConnections", &value));
  g_assert_true (_cs_json_get_int (object, "requests", &value));
  g_assert_cmpint (value, >=, 3);
  /* one phase at a time */
  g_assert_null (find_record (timings, before));
  record = find_record (timings, after);
  g_assert_nonnull (record);
  g_assert_cmpint (json_object_get_int_member (record, "polls"), >=, 1);
  g_assert_cmpfloat (record_ms (record, "fetchedMs"), >=, record_ms (record, "readyMs"));
  g_assert_cmpfloat (record_ms (record, "readyMs"), >, record_ms (record, "createdMs"));

  /* the same over HTTP, no key needed */
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  raw_node = json_node_init_object (json_node_alloc (), raw);
  g_assert_nonnull (find_record (raw_node, after));

  cs_sandbox_clear_timings (f->sandbox);
  g_clear_pointer (&timings, json_node_unref);
  timings = cs_sandbox_get_timings (f->sandbox);
  g_assert_cmpuint (json_array_get_length (_cs_json_get_array (json_node_get_object (timings),
                                                               "tasks")), ==, 0);
}

static void
test_pending_record (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *task_id = NULL;
  g_autoptr(JsonNode) timings = NULL;
  JsonObject *record;

  /* a task not ready has no ready or fetched time */
  cs_sandbox_set_time_scale (f->sandbox, 1.0);
  task_id = create_raw (f, V2_TASK ("https://pending.example/"));
  timings = cs_sandbox_get_timings (f->sandbox);
  record = find_record (timings, task_id);
  g_assert_true (json_object_get_null_member (record, "readyMs"));
  g_assert_true (json_object_get_null_member (record, "fetchedMs"));
  g_assert_cmpstr (_cs_json_get_string (record, "state"), ==, "idle");
}

/* The raw text of a reply. */
static char *
post_for_text (Fixture    *f,
               const char *path,
               const char *body)
{
  g_autofree char *url = g_strconcat (cs_sandbox_get_base_url (f->sandbox), path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  reply = soup_session_send_and_read (f->session, message, NULL, &error);
  g_assert_no_error (error);
  return g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
}

static void
test_doubles (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *text = NULL;

  cs_sandbox_add_key (f->sandbox, OTHER_KEY, 99.9988);
  text = post_for_text (f, "/getBalance", "{\"clientKey\": \"" OTHER_KEY "\"}");
  g_assert_nonnull (strstr (text, "\"balance\":99.9988,"));
}

/* --- Strings cut short ---------------------------------------------------------------------- */

static void
test_raw_nul (Fixture       *f,
              gconstpointer  data)
{
  /* json-glib 1.6 reads "KEY\u0000junk" as "KEY": each of these would
   * pass for the request without the junk */
  static const struct {
    const char *path;
    const char *body;
  } cut_short[] = {
    { "/getBalance", "{\"clientKey\": \"" CS_SANDBOX_DEFAULT_KEY "\\u0000junk\"}" },
    { "/getBalance", "{\"clientKey\\u0000junk\": \"" CS_SANDBOX_DEFAULT_KEY "\"}" },
    { "/createTask", "{" KEY_MEMBER ", \"task\": {\"type\": \"ReCaptchaV2TaskProxyLess\\u0000x\", "
                     "\"websiteURL\": \"https://nul.example/\", \"websiteKey\": \"k\"}}" },
    { "/createTask", "{" KEY_MEMBER ", \"task\": {\"type\": \"ReCaptchaV2TaskProxyLess\", "
                     "\"websiteURL\": \"https://nul.example/\", \"websiteKey\": \"k\", "
                     "\"proxy\\u0000\": 1}}" },
  };
  g_autofree char *task_id = create_raw (f, V2_TASK ("https://nul.example/"));
  g_autofree char *poll = g_strdup_printf ("{" KEY_MEMBER ", \"taskId\": \"%s\\u0000x\"}",
                                           task_id);
  g_autoptr(JsonObject) polled = NULL;
  g_autoptr(JsonObject) escaped = NULL;
  guint status = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (cut_short); i++)
    {
      g_autoptr(JsonObject) reply = post_raw (f, "POST", cut_short[i].path, cut_short[i].body,
                                              &status);

      assert_reply_error (reply, status, 400, "ERROR_BAD_REQUEST", "NUL");
    }
  polled = post_raw (f, "POST", "/getTaskResult", poll, &status);
  assert_reply_error (polled, status, 400, "ERROR_BAD_REQUEST", "NUL");

  /* an escaped backslash before "u0000" is no NUL: just a key it does not know */
  escaped = post_raw (f, "POST", "/getBalance",
                      "{\"clientKey\": \"" CS_SANDBOX_DEFAULT_KEY "\\\\u0000\"}", &status);
  assert_reply_error (escaped, status, 401, "ERROR_KEY_DENIED_ACCESS", NULL);
  assert_balance (f, 100.0);
}

/* --- Serving forever --------------------------------------------------------------------- */

/* A connection to the sandbox that has sent @request. */
static GSocket *
connect_raw (Fixture    *f,
             const char *request)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  gsize sent = 0;

  address = g_inet_socket_address_new (loopback, cs_sandbox_get_port (f->sandbox));
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  while (sent < strlen (request))
    {
      gssize n = g_socket_send (socket, request + sent, strlen (request) - sent, NULL, &error);

      g_assert_no_error (error);
      sent += n;
    }
  return g_steal_pointer (&socket);
}

/* Whether the sandbox closes @socket, without an answer, within @seconds. */
static gboolean
closed_by_sandbox (GSocket *socket,
                   guint    seconds)
{
  g_autoptr(GError) error = NULL;
  char byte;
  gssize got;

  g_socket_set_timeout (socket, seconds);
  got = g_socket_receive (socket, &byte, 1, NULL, &error);
  if (got < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  return got == 0 || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
}

#define BALANCE_BODY "{" KEY_MEMBER "}"

static void
test_stalled_body (Fixture       *f,
                   gconstpointer  data)
{
  /* headers complete, the body never: 1 byte of 1,000, or a chunk and
   * no last chunk */
  static const char * const stalled[] = {
    "POST /getBalance HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    "Content-Length: 1000\r\n\r\n{",
    "POST /getBalance HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    "Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n",
  };
  g_autofree char *slow = g_strdup_printf ("POST /getBalance HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Content-Length: %zu\r\nConnection: close\r\n\r\n{",
                                           strlen (BALANCE_BODY));
  g_autoptr(GSocket) answered = NULL;
  g_autoptr(GError) error = NULL;
  char reply[16] = "";

  cs_sandbox_set_idle_timeout (f->sandbox, 200);
  for (gsize i = 0; i < G_N_ELEMENTS (stalled); i++)
    {
      g_autoptr(GSocket) socket = connect_raw (f, stalled[i]);

      /* a bound that proves no hang, not a speed */
      g_assert_true (closed_by_sandbox (socket, 10));
    }

  /* a body that comes, slowly but within the deadline, is answered */
  answered = connect_raw (f, slow);
  g_usleep (50 * 1000);
  g_socket_send (answered, BALANCE_BODY + 1, strlen (BALANCE_BODY) - 1, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (answered, 10);
  g_assert_cmpint (g_socket_receive (answered, reply, sizeof reply - 1, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 200"));
  assert_balance (f, 100.0);
}

/* The resident memory of this process, in KiB. */
static guint64
resident_kib (void)
{
  g_autofree char *statm = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  fields = g_strsplit (statm, " ", 3);
  g_assert_nonnull (fields[1]);
  return g_ascii_strtoull (fields[1], NULL, 10) * (guint64) sysconf (_SC_PAGESIZE) / 1024;
}

/* Under valgrind (its test setup sets CS_TEST_TIME_FACTOR) or
 * AddressSanitizer, memory is not the process's to measure: freed blocks
 * are held back, and valgrind runs 50 times slower. */
static gboolean
memory_is_checked (void)
{
#if defined(__SANITIZE_ADDRESS__)
  return TRUE;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return TRUE;
#endif
#endif
  return g_getenv ("CS_TEST_TIME_FACTOR") != NULL;
}

/* createTask through the sandbox's request handling, without HTTP (a
 * hundred thousand HTTP requests would take a minute): the HTTP status. */
static guint
create_unsent (Fixture *f,
               guint    n)
{
  char *text = g_strdup_printf ("{" KEY_MEMBER ", \"task\": "
                                V2_TASK ("https://memory.example/%u") "}", n);
  g_autoptr(GBytes) body = g_bytes_new_take (text, strlen (text));
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *held = NULL;
  guint delay_ms = 0;

  return _cs_sandbox_answer_body (f->sandbox, "createTask", body, &reply, &delay_ms, &held);
}

#define MEMORY_TASKS      100000
#define MEMORY_TASKS_SLOW 2000
#define MEMORY_WARM_UP    100

static void
test_memory_returned (Fixture       *f,
                      gconstpointer  data)
{
  guint n_tasks = memory_is_checked () ? MEMORY_TASKS_SLOW : MEMORY_TASKS;
  guint64 fresh;
  guint64 full;
  guint64 expired;
  gint64 started;
  gint64 created;
  gint64 deadline;

  cs_sandbox_set_max_tasks (f->sandbox, n_tasks);
  for (guint i = 0; i < MEMORY_WARM_UP; i++)
    g_assert_cmpuint (create_unsent (f, i), ==, SOUP_STATUS_OK);
  fresh = resident_kib ();

  started = g_get_monotonic_time ();
  for (guint i = MEMORY_WARM_UP; i < n_tasks; i++)
    g_assert_cmpuint (create_unsent (f, i), ==, SOUP_STATUS_OK);
  /* all kept at once: the store is full */
  g_assert_cmpuint (create_unsent (f, n_tasks), ==, SOUP_STATUS_BAD_REQUEST);
  full = resident_kib ();
  created = g_get_monotonic_time ();

  /* a second from now they have all expired, and no request comes to
   * sweep them */
  cs_sandbox_set_task_lifetime (f->sandbox, 1);
  g_usleep (G_USEC_PER_SEC + 100 * 1000);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  do
    {
      g_usleep (100 * 1000);
      expired = resident_kib ();
    }
  while (expired > 2 * fresh && g_get_monotonic_time () < deadline);
  /* the last sweep, if that was not it (1 s apart): the figure to report */
  g_usleep (G_USEC_PER_SEC + 100 * 1000);
  expired = resident_kib ();
  g_test_message ("%u tasks created in %.1f s; resident: fresh %" G_GUINT64_FORMAT " KiB, "
                  "%u tasks %" G_GUINT64_FORMAT " KiB, %.1f s after they expired %"
                  G_GUINT64_FORMAT " KiB", n_tasks, (created - started) / 1e6, fresh, n_tasks,
                  full, (g_get_monotonic_time () - created) / 1e6 - 1.0, expired);

  /* room again */
  g_assert_cmpuint (create_unsent (f, 0), ==, SOUP_STATUS_OK);
  if (!memory_is_checked ())
    g_assert_cmpuint (expired, <=, 2 * fresh);
}

/* --- Running the tests --------------------------------------------------------------------- */

#define add_test(path, func) \
  g_test_add ("/sandbox/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add_test ("start-stop", test_start_stop);
  add_test ("properties", test_properties);
  for (gsize i = 0; i < G_N_ELEMENTS (family_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/sandbox/family/", family_cases[i].name, NULL);

      g_test_add (path, Fixture, &family_cases[i], fixture_setup, test_family, fixture_teardown);
    }
  add_test ("answers/token", test_answers_token);
  add_test ("answers/recognition", test_answers_recognition);
  add_test ("answers/unknown-question", test_answers_unknown_question);
  add_test ("lifecycle/statuses", test_polled_statuses);
  add_test ("lifecycle/steps", test_polled_steps);
  add_test ("lifecycle/task-id-invalid", test_task_id_invalid);
  add_test ("lifecycle/poll-limit", test_poll_limit);
  add_test ("keys/unknown", test_unknown_key);
  add_test ("keys/balance", test_balance);
  add_test ("keys/settlement", test_settlement);
  add_test ("feedback", test_feedback);
  add_test ("checks/bad-images", test_bad_images);
  add_test ("checks/types-and-proxies", test_unsupported_type);
  add_test ("scripted/fail-next-task", test_scripted_fail_next);
  add_test ("scripted/reserved-url", test_scripted_url);
  add_test ("faults/each", test_faults);
  add_test ("faults/in-request", test_fault_in_request);
  add_test ("faults/queue", test_fault_queue);
  add_test ("faults/delay-pending", test_fault_delay_pending);
  add_test ("raw/lifecycle", test_raw_lifecycle);
  add_test ("raw/recognition", test_raw_recognition);
  add_test ("raw/errors", test_raw_errors);
  add_test ("raw/scripted-failure", test_raw_scripted_failure);
  add_test ("raw/too-large", test_raw_too_large);
  add_test ("time/scale", test_time_scale);
  add_test ("time/idle-processing", test_time_idle_processing);
  add_test ("time/instant", test_time_instant);
  add_test ("time/recognition", test_time_recognition);
  add_test ("time/workers", test_time_workers);
  add_test ("time/timeout", test_time_timeout);
  add_test ("time/retention", test_time_retention);
  add_test ("limits/task-store", test_task_store_cap);
  add_test ("limits/rate", test_rate_limit);
  add_test ("limits/key-blocked", test_key_blocked);
  add_test ("limits/ip-banned", test_ip_banned);
  add_test ("get-token", test_get_token);
  add_test ("callback", test_callback);
  add_test ("timings/records", test_timings);
  add_test ("timings/pending", test_pending_record);
  add_test ("raw/doubles", test_doubles);
  add_test ("raw/nul", test_raw_nul);
  add_test ("connections/stalled-body", test_stalled_body);
  add_test ("limits/memory-returned", test_memory_returned);

  return g_test_run ();
}
