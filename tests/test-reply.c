/* test-reply.c: the reply parser's status words and the balance reader
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "mock-server.h"

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reply/status/round-trip", test_status_words_round_trip);
  g_test_add_func ("/reply/status/unknown-is-pending", test_unknown_status_is_pending);
  g_test_add_func ("/reply/balance/refused", test_balance_refuses_a_bad_reply);

  return g_test_run ();
}
