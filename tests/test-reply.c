/* test-reply.c: the reply parser: status words, errorId in every form,
 * the members a solution promises, and the balance reader
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "mock-server.h"

#define PNG_1X1 "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

static gboolean
parse (CsReply     *reply,
       const char  *text,
       GError     **error)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  return _cs_reply_parse (reply, 200, body, NULL, error);
}

/* Every word the sandbox writes reads back as its status, in any case. */
static void
test_status_words_round_trip (void)
{
  static const CsTaskStatus statuses[] = {
    CS_TASK_STATUS_IDLE, CS_TASK_STATUS_PROCESSING, CS_TASK_STATUS_READY,
  };

  g_assert_null (_cs_reply_status_to_string (CS_TASK_STATUS_NEW));
  g_assert_cmpstr (_cs_reply_status_to_string (CS_TASK_STATUS_FAILED), ==, "failed");

  for (gsize i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      const char *word = _cs_reply_status_to_string (statuses[i]);
      g_autofree char *upper = g_ascii_strup (word, -1);
      g_autofree char *text = g_strdup_printf ("{\"errorId\": 0, \"status\": \"%s\"}", upper);
      g_auto(CsReply) reply = { 0, };
      g_autoptr(GError) error = NULL;

      g_assert_true (parse (&reply, text, &error));
      g_assert_no_error (error);
      g_assert_true (reply.has_status);
      g_assert_cmpint (reply.status, ==, statuses[i]);
    }
}

/* A status the parser does not know, "new" included, is still pending. */
static void
test_unknown_status_is_pending (void)
{
  static const char * const texts[] = {
    "{\"errorId\": 0, \"status\": \"new\"}",
    "{\"errorId\": 0, \"status\": \"queued\"}",
    "{\"errorId\": 0}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_auto(CsReply) reply = { 0, };

      g_assert_true (parse (&reply, texts[i], NULL));
      g_assert_cmpint (reply.status, ==, CS_TASK_STATUS_PROCESSING);
    }
}

/* The balance is read once, and a reply without a number is refused. */
static void
test_balance_refuses_a_bad_reply (void)
{
  static const char * const bad[] = {
    "{\"errorId\": 0}",
    "{\"errorId\": 0, \"balance\": \"12.5\"}",
    "{\"errorId\": 0, \"balance\": null}",
  };
  g_auto(CsReply) good = { 0, };
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (parse (&good, "{\"errorId\": 0, \"balance\": 12.5, \"packages\": []}", NULL));
  balance = _cs_balance_new_from_reply (&good, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (cs_balance_get_amount (balance), ==, 12.5);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(CsReply) reply = { 0, };

      g_assert_true (parse (&reply, bad[i], NULL));
      g_assert_null (_cs_balance_new_from_reply (&reply, &error));
      g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "HTTP 200"));
      g_clear_error (&error);
    }
}

/* --- errorId --------------------------------------------------------------- */

typedef struct {
  const char *json;
  GQuark      domain;   /* 0: success */
  int         code;
} ErrorIdCase;

static void
test_error_id_types (void)
{
  const ErrorIdCase cases[] = {
    /* as the service means it */
    { "{\"errorId\":0,\"balance\":1}", 0, 0 },
    { "{\"errorId\":\"0\",\"balance\":1}", 0, 0 },
    { "{\"errorId\":false,\"balance\":1}", 0, 0 },
    { "{\"balance\":1}", 0, 0 },
    { "{\"errorId\":\"1\",\"errorCode\":\"ERROR_ZERO_BALANCE\"}", CS_ERROR, CS_ERROR_ZERO_BALANCE },
    { "{\"errorId\":true,\"errorCode\":\"ERROR_ZERO_BALANCE\"}", CS_ERROR, CS_ERROR_ZERO_BALANCE },
    { "{\"errorId\":\"1\"}", CS_ERROR, CS_ERROR_FAILED },
    { "{\"errorId\":true}", CS_ERROR, CS_ERROR_FAILED },
    { "{\"errorId\":1.0}", CS_ERROR, CS_ERROR_FAILED },
    /* or refused, never success */
    { "{\"errorId\":\"no\"}", CS_ERROR, CS_ERROR_PROTOCOL },
    { "{\"errorId\":\"\"}", CS_ERROR, CS_ERROR_PROTOCOL },
    { "{\"errorId\":\"-1\"}", CS_ERROR, CS_ERROR_PROTOCOL },
    { "{\"errorId\":1.5}", CS_ERROR, CS_ERROR_PROTOCOL },
    { "{\"errorId\":[]}", CS_ERROR, CS_ERROR_PROTOCOL },
    { "{\"errorId\":{}}", CS_ERROR, CS_ERROR_PROTOCOL },
    /* null says nothing: not a success */
    { "{\"errorId\":null,\"balance\":1}", CS_ERROR, CS_ERROR_PROTOCOL },
    { "{\"errorId\":null,\"status\":\"ready\",\"solution\":{\"text\":\"x\"}}", CS_ERROR,
      CS_ERROR_PROTOCOL },
    { "{\"errorId\":null,\"errorCode\":\"ERROR_ZERO_BALANCE\"}", CS_ERROR,
      CS_ERROR_ZERO_BALANCE },
    { "{\"errorId\":\"x\",\"errorCode\":\"ERROR_RATE_LIMIT\"}", CS_ERROR, CS_ERROR_RATE_LIMIT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (cases[i].json, strlen (cases[i].json));
      g_auto(CsReply) reply = { 0, };
      g_autoptr(GError) error = NULL;
      gboolean ok;

      g_test_message ("%s", cases[i].json);
      ok = _cs_reply_parse (&reply, 200, body, MOCK_SECRETS (MOCK_API_KEY), &error);
      if (cases[i].domain == 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, cases[i].domain, cases[i].code);
        }
    }
}

/* --- Solutions ------------------------------------------------------------- */

typedef struct {
  const char *type_name;
  const char *solution;   /* JSON object, or NULL for none */
  gboolean    usable;
} SolutionCase;

static void
test_solution_fields (void)
{
  const SolutionCase cases[] = {
    { "ReCaptchaV2TaskProxyLess", "{\"gRecaptchaResponse\":\"03AG\"}", TRUE },
    { "ReCaptchaV2TaskProxyLess", "{\"gRecaptchaResponse\":\"03AG\",\"userAgent\":1}", TRUE },
    { "ReCaptchaV2TaskProxyLess", "{}", FALSE },
    { "ReCaptchaV2TaskProxyLess", "{\"token\":\"03AG\"}", FALSE },
    { "ReCaptchaV2TaskProxyLess", "{\"gRecaptchaResponse\":42}", FALSE },
    { "ReCaptchaV2TaskProxyLess", "{\"gRecaptchaResponse\":null}", FALSE },
    { "ReCaptchaV2TaskProxyLess", "{\"gRecaptchaResponse\":\"\"}", FALSE },
    { "ReCaptchaV2TaskProxyLess", "{\"gRecaptchaResponse\":[\"03AG\"]}", FALSE },
    { "ReCaptchaV2TaskProxyLess", NULL, FALSE },
    { "ImageToTextTask", "{\"text\":\"44795sds\"}", TRUE },
    { "ImageToTextTask", "{\"answers\":[\"a\"]}", TRUE },
    { "ImageToTextTask", "{\"text\":{},\"answers\":\"a\"}", FALSE },
    { "ReCaptchaV2Classification", "{\"hasObject\":false}", TRUE },
    { "ReCaptchaV2Classification", "{\"hasObject\":\"no\"}", FALSE },
    { "AntiTurnstileTaskProxyLess", "{\"token\":\"0.x\"}", TRUE },
    /* a type the library does not know takes any solution object */
    { "SomeFutureTask", "{}", TRUE },
    { "SomeFutureTask", NULL, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"errorId\":0,\"status\":\"ready\"%s%s}",
                                               cases[i].solution != NULL ? ",\"solution\":" : "",
                                               cases[i].solution != NULL ? cases[i].solution : "");
      g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
      g_auto(CsReply) reply = { 0, };
      g_autoptr(GError) error = NULL;

      g_test_message ("%s %s", cases[i].type_name, json);
      g_assert_true (_cs_reply_parse (&reply, 200, body, NULL, &error));
      g_assert_no_error (error);
      if (cases[i].usable)
        {
          g_assert_true (_cs_reply_check_solution (&reply, cases[i].type_name, &error));
          g_assert_no_error (error);
        }
      else
        {
          g_assert_false (_cs_reply_check_solution (&reply, cases[i].type_name, &error));
          g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
        }
    }
}

/* Through the client: a ready reply without what the family promises is
 * an error, never a success with no token; createTask is not sent again
 * and the task id it gave can still be polled. */
static void
test_solve_without_promised_solution (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = mock_server_new_client (server, MOCK_API_KEY);
  g_autoptr(CsTask) polled = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");
  g_autoptr(CsTask) at_once = cs_image_to_text_task_new (PNG_1X1);
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(CsSolution) image_solution = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) image_error = NULL;

  mock_server_add_reply (server, "createTask", 200, "{\"errorId\":0,\"taskId\":\"t-1\"}");
  /* a reply that breaks the protocol may be transient: polled again, it
   * ends the solve when it keeps coming */
  mock_server_set_fallback (server, "getTaskResult", 200,
                            "{\"errorId\":0,\"status\":\"ready\",\"solution\":{\"text\":\"x\"}}");
  solution = cs_client_solve (client, polled, NULL, &error);
  g_assert_null (solution);
  g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "gRecaptchaResponse"));
  g_assert_null (cs_task_get_solution (polled));

  mock_server_add_reply (server, "createTask", 200,
                         "{\"errorId\":0,\"taskId\":\"t-2\",\"status\":\"ready\","
                         "\"solution\":{\"text\":7}}");
  image_solution = cs_client_solve (client, at_once, NULL, &image_error);
  g_assert_null (image_solution);
  g_assert_error (image_error, CS_ERROR, CS_ERROR_PROTOCOL);
  g_assert_cmpstr (cs_task_get_task_id (at_once), ==, "t-2");
  g_assert_null (cs_task_get_solution (at_once));
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reply/status/round-trip", test_status_words_round_trip);
  g_test_add_func ("/reply/status/unknown-is-pending", test_unknown_status_is_pending);
  g_test_add_func ("/reply/balance/refused", test_balance_refuses_a_bad_reply);
  g_test_add_func ("/reply/error-id-types", test_error_id_types);
  g_test_add_func ("/reply/solution-fields", test_solution_fields);
  g_test_add_func ("/reply/solve-without-promised-solution", test_solve_without_promised_solution);

  return g_test_run ();
}
