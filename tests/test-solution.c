/* test-solution.c: the typed getters of CsSolution
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "mock-server.h"

static CsSolution *
solution_from (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = _cs_json_parse (json, strlen (json), &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return cs_solution_new (json_node_get_object (root));
}

static void
test_token_fields (void)
{
  g_autoptr(CsSolution) recaptcha = solution_from (
    "{\"gRecaptchaResponse\":\"03AGdB\",\"userAgent\":\"UA\",\"secChUa\":\"\\\"Chromium\\\";v=\\\"137\\\"\","
    "\"createTime\":1671615324290,\"expireTime\":1671615444290,"
    "\"recaptcha-ca-t\":\"AbEA\",\"recaptcha-ca-e\":\"AcEB\"}");
  g_autoptr(CsSolution) turnstile = solution_from (
    "{\"token\":\"0.abc\",\"type\":\"turnstile\",\"userAgent\":\"UA\"}");
  g_autoptr(CsSolution) aws = solution_from ("{\"cookie\":\"aws-waf-token-value\"}");

  g_assert_cmpstr (cs_solution_get_token (recaptcha), ==, "03AGdB");
  g_assert_cmpstr (cs_solution_get_user_agent (recaptcha), ==, "UA");
  g_assert_cmpstr (cs_solution_get_sec_ch_ua (recaptcha), ==, "\"Chromium\";v=\"137\"");
  g_assert_cmpint (cs_solution_get_create_time (recaptcha), ==, 1671615324290);
  g_assert_cmpint (cs_solution_get_expire_time (recaptcha), ==, 1671615444290);
  g_assert_cmpstr (cs_solution_get_recaptcha_ca_t (recaptcha), ==, "AbEA");
  g_assert_cmpstr (cs_solution_get_recaptcha_ca_e (recaptcha), ==, "AcEB");

  g_assert_cmpstr (cs_solution_get_token (turnstile), ==, "0.abc");
  g_assert_cmpstr (cs_solution_get_classification_type (turnstile), ==, "turnstile");

  g_assert_cmpstr (cs_solution_get_token (aws), ==, "aws-waf-token-value");
  g_assert_cmpstr (cs_solution_get_cookie (aws), ==, "aws-waf-token-value");
}

/* Every getter answers "absent" on an empty solution, without a warning. */
static void
test_absent_fields (void)
{
  g_autoptr(CsSolution) empty = solution_from ("{}");
  gsize n = 99;
  double value = 0;

  g_assert_null (cs_solution_get_text (empty));
  g_assert_null (cs_solution_get_token (empty));
  g_assert_null (cs_solution_get_user_agent (empty));
  g_assert_null (cs_solution_get_sec_ch_ua (empty));
  g_assert_null (cs_solution_get_answers (empty));
  g_assert_null (cs_solution_get_cookies (empty));
  g_assert_null (cs_solution_get_cookie (empty));
  g_assert_cmpint (cs_solution_get_expire_time (empty), ==, 0);
  g_assert_cmpint (cs_solution_get_create_time (empty), ==, 0);
  g_assert_null (cs_solution_get_recaptcha_ca_t (empty));
  g_assert_null (cs_solution_get_recaptcha_ca_e (empty));
  g_assert_null (cs_solution_get_classification_type (empty));
  g_assert_null (cs_solution_get_objects (empty, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (cs_solution_get_has_object (empty));
  g_assert_cmpuint (cs_solution_get_size (empty), ==, 0);
  n = 99;
  g_assert_null (cs_solution_get_box (empty, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (cs_solution_get_distance (empty, &value));
  g_assert_false (cs_solution_get_angle (empty, NULL));
  n = 99;
  g_assert_null (cs_solution_get_rects (empty, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_null (cs_solution_get_geetest_challenge (empty));
  g_assert_null (cs_solution_get_geetest_validate (empty));
  g_assert_null (cs_solution_get_geetest_seccode (empty));
  g_assert_null (cs_solution_get_geetest_captcha_id (empty));
  g_assert_null (cs_solution_get_geetest_captcha_output (empty));
  g_assert_null (cs_solution_get_geetest_gen_time (empty));
  g_assert_null (cs_solution_get_geetest_lot_number (empty));
  g_assert_null (cs_solution_get_geetest_pass_token (empty));
  g_assert_null (cs_solution_get_geetest_risk_type (empty));
}

/* Fields of an unexpected type read as absent too. */
static void
test_mistyped_fields (void)
{
  g_autoptr(CsSolution) odd = solution_from (
    "{\"text\":5,\"gRecaptchaResponse\":{},\"answers\":\"x\",\"cookies\":42,"
    "\"expireTime\":\"soon\",\"objects\":[1,\"2\",-3,3.5,4],\"hasObject\":\"yes\","
    "\"size\":-1,\"box\":{},\"distance\":\"far\",\"angle\":null,\"rects\":[1,{\"x1\":1}],"
    "\"validate\":[]}");
  g_autoptr(GHashTable) cookies = NULL;
  g_autofree int *objects = NULL;
  g_autofree double *rects = NULL;
  gsize n = 0;

  g_assert_null (cs_solution_get_text (odd));
  g_assert_null (cs_solution_get_token (odd));
  g_assert_null (cs_solution_get_answers (odd));
  cookies = cs_solution_get_cookies (odd);
  g_assert_nonnull (cookies);
  g_assert_cmpuint (g_hash_table_size (cookies), ==, 0);
  g_assert_cmpint (cs_solution_get_expire_time (odd), ==, 0);
  objects = cs_solution_get_objects (odd, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (objects[0], ==, 1);
  g_assert_cmpint (objects[1], ==, 4);
  g_assert_false (cs_solution_get_has_object (odd));
  g_assert_cmpuint (cs_solution_get_size (odd), ==, 0);
  g_assert_null (cs_solution_get_box (odd, &n));
  g_assert_false (cs_solution_get_distance (odd, NULL));
  g_assert_false (cs_solution_get_angle (odd, NULL));
  rects = cs_solution_get_rects (odd, &n);
  g_assert_cmpuint (n, ==, 0);
  g_assert_null (cs_solution_get_geetest_validate (odd));
}

static void
test_answers (void)
{
  g_autoptr(CsSolution) solution = solution_from (
    "{\"answers\":[\"12\",34,\"56\",true]}");
  g_auto(GStrv) answers = cs_solution_get_answers (solution);
  const char *expected[] = { "12", "34", "56", NULL };

  g_assert_cmpstrv (answers, expected);
}

static void
assert_cookies (const char *json)
{
  g_autoptr(CsSolution) solution = solution_from (json);
  g_autoptr(GHashTable) cookies = cs_solution_get_cookies (solution);

  g_assert_nonnull (cookies);
  g_assert_cmpuint (g_hash_table_size (cookies), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (cookies, "cf_clearance"), ==, "abc=def");
  g_assert_cmpstr (g_hash_table_lookup (cookies, "session"), ==, "42");
}

static void
test_cookies_every_form (void)
{
  assert_cookies ("{\"cookies\":{\"cf_clearance\":\"abc=def\",\"session\":42,\"bad\":[]}}");
  assert_cookies ("{\"cookies\":\"cf_clearance=abc=def; session=42;; Secure; =x\"}");
  assert_cookies ("{\"cookies\":[{\"name\":\"cf_clearance\",\"value\":\"abc=def\"},"
                  "{\"name\":\"session\",\"value\":42},{\"name\":\"no-value\"},{\"value\":\"v\"},"
                  "7,null]}");
  assert_cookies ("{\"cookies\":[\"cf_clearance=abc=def\",\"session=42\",\"broken\"]}");
}

static void
test_classification (void)
{
  g_autoptr(CsSolution) multi = solution_from (
    "{\"type\":\"multi\",\"objects\":[0,4,8],\"size\":3}");
  g_autoptr(CsSolution) single = solution_from (
    "{\"type\":\"single\",\"hasObject\":true,\"size\":1}");
  g_autoptr(CsSolution) none = solution_from ("{\"type\":\"multi\",\"objects\":[],\"size\":4}");
  g_autoptr(CsSolution) aws = solution_from ("{\"box\":[116.5,98],\"distance\":21.5}");
  g_autofree int *objects = NULL;
  g_autofree double *box = NULL;
  gsize n = 0;
  double distance = 0;

  g_assert_cmpstr (cs_solution_get_classification_type (multi), ==, "multi");
  objects = cs_solution_get_objects (multi, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (objects[0], ==, 0);
  g_assert_cmpint (objects[1], ==, 4);
  g_assert_cmpint (objects[2], ==, 8);
  g_assert_cmpuint (cs_solution_get_size (multi), ==, 3);

  /* no tile matches: an empty answer, not an absent one */
  g_clear_pointer (&objects, g_free);
  objects = cs_solution_get_objects (none, &n);
  g_assert_nonnull (objects);
  g_assert_cmpuint (n, ==, 0);

  g_assert_cmpstr (cs_solution_get_classification_type (single), ==, "single");
  g_assert_true (cs_solution_get_has_object (single));
  g_assert_cmpuint (cs_solution_get_size (single), ==, 1);

  box = cs_solution_get_box (aws, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpfloat (box[0], ==, 116.5);
  g_assert_cmpfloat (box[1], ==, 98);
  g_assert_true (cs_solution_get_distance (aws, &distance));
  g_assert_cmpfloat (distance, ==, 21.5);
}

static void
test_vision_engine (void)
{
  g_autoptr(CsSolution) rotate = solution_from ("{\"angle\":135}");
  g_autoptr(CsSolution) shein = solution_from (
    "{\"rects\":[{\"x1\":1,\"y1\":2,\"x2\":3,\"y2\":4.5},{\"x1\":1},"
    "{\"x1\":10,\"y1\":20,\"x2\":30,\"y2\":40}]}");
  g_autofree double *rects = NULL;
  double angle = 0;
  gsize n = 0;

  g_assert_true (cs_solution_get_angle (rotate, &angle));
  g_assert_cmpfloat (angle, ==, 135);

  rects = cs_solution_get_rects (shein, &n);
  g_assert_cmpuint (n, ==, 8);
  g_assert_cmpfloat (rects[3], ==, 4.5);
  g_assert_cmpfloat (rects[4], ==, 10);
  g_assert_cmpfloat (rects[7], ==, 40);
}

static void
test_geetest (void)
{
  g_autoptr(CsSolution) v3 = solution_from (
    "{\"challenge\":\"c\",\"validate\":\"v\",\"seccode\":\"v|jordan\"}");
  g_autoptr(CsSolution) v4 = solution_from (
    "{\"captcha_id\":\"id\",\"captcha_output\":\"out\",\"gen_time\":\"1700000000\","
    "\"lot_number\":\"lot\",\"pass_token\":\"pass\",\"risk_type\":\"slide\"}");

  g_assert_cmpstr (cs_solution_get_geetest_challenge (v3), ==, "c");
  g_assert_cmpstr (cs_solution_get_geetest_validate (v3), ==, "v");
  g_assert_cmpstr (cs_solution_get_geetest_seccode (v3), ==, "v|jordan");
  g_assert_cmpstr (cs_solution_get_geetest_captcha_id (v4), ==, "id");
  g_assert_cmpstr (cs_solution_get_geetest_captcha_output (v4), ==, "out");
  g_assert_cmpstr (cs_solution_get_geetest_gen_time (v4), ==, "1700000000");
  g_assert_cmpstr (cs_solution_get_geetest_lot_number (v4), ==, "lot");
  g_assert_cmpstr (cs_solution_get_geetest_pass_token (v4), ==, "pass");
  g_assert_cmpstr (cs_solution_get_geetest_risk_type (v4), ==, "slide");
}

static void
test_raw_json_kept (void)
{
  g_autoptr(CsSolution) solution = solution_from ("{\"text\":\"44795sds\",\"newField\":[1,2]}");
  JsonObject *json = cs_solution_get_json (solution);

  g_assert_cmpstr (cs_solution_get_text (solution), ==, "44795sds");
  g_assert_true (cs_solution_has_field (solution, "newField"));
  g_assert_nonnull (_cs_json_get_array (json, "newField"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/solution/token-fields", test_token_fields);
  g_test_add_func ("/solution/absent", test_absent_fields);
  g_test_add_func ("/solution/mistyped", test_mistyped_fields);
  g_test_add_func ("/solution/answers", test_answers);
  g_test_add_func ("/solution/cookies", test_cookies_every_form);
  g_test_add_func ("/solution/classification", test_classification);
  g_test_add_func ("/solution/vision-engine", test_vision_engine);
  g_test_add_func ("/solution/geetest", test_geetest);
  g_test_add_func ("/solution/raw-json", test_raw_json_kept);

  return g_test_run ();
}
