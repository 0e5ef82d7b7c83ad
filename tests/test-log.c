/* test-log.c: the API key never reaches a log line
 *
 * Every message the library logs, debug ones included, goes through a
 * writer that keeps it; the tests then run requests whose bodies and
 * replies carry the key and check that no kept line contains it, and
 * that the lines of every request are written only when shown.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "mock-server.h"

#define TASK_ID "61138bb6-19fb-11ec-a9c8-0242ac110006"

static GMutex log_lock;
static GPtrArray *log_lines;

static GLogWriterOutput
keep_log_line (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  g_mutex_lock (&log_lock);
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
      g_ptr_array_add (log_lines, g_strdup (fields[i].value));
  g_mutex_unlock (&log_lock);

  /* fatal levels stay fatal */
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static guint
count_debug_lines (void)
{
  guint n;

  g_mutex_lock (&log_lock);
  n = log_lines->len;
  g_mutex_unlock (&log_lock);
  return n;
}

static void
assert_no_line_contains (const char *secret)
{
  g_mutex_lock (&log_lock);
  for (guint i = 0; i < log_lines->len; i++)
    g_assert_null (strstr (g_ptr_array_index (log_lines, i), secret));
  g_mutex_unlock (&log_lock);
}

static void
test_key_not_logged (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = mock_server_new_client (server, MOCK_API_KEY);
  g_autoptr(CsTask) task = cs_task_new ("TestTask");
  g_autoptr(CsTask) failing = cs_task_new ("TestTask");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) balance_error = NULL;
  g_autoptr(GBytes) page = g_bytes_new_static ("<html>" MOCK_API_KEY "</html>",
                                               strlen ("<html>" MOCK_API_KEY "</html>"));

  cs_task_set_string (task, "websiteURL", "https://example.com/");
  cs_task_set_string (failing, "websiteURL", "https://example.com/");
  mock_server_add_reply (server, "createTask", 200, "{\"errorId\":0,\"taskId\":\"" TASK_ID "\"}");
  mock_server_add_reply (server, "getTaskResult", 200,
                         "{\"errorId\":0,\"status\":\"ready\",\"solution\":{\"text\":\"x\"}}");
  mock_server_add_reply (server, "createTask", 401,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_KEY_DENIED_ACCESS\","
                         "\"errorDescription\":\"Your api key is invalid (" MOCK_API_KEY ")\"}");
  mock_server_add_raw_reply (server, "getBalance", 502, "text/html", page);

  solution = cs_client_solve (client, task, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cs_client_create_task (client, failing, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  balance = cs_client_get_balance (client, NULL, &balance_error);
  g_assert_error (balance_error, CS_ERROR, CS_ERROR_PROTOCOL);

  /* the library did log these requests, and the key is in none of it */
  g_assert_cmpuint (count_debug_lines (), >, 0);
  assert_no_line_contains (MOCK_API_KEY);
  assert_no_line_contains ("0123456789ABCDEF0123456789ABCDEF");
}

static guint
count_lines_starting (const char *start)
{
  guint n = 0;

  g_mutex_lock (&log_lock);
  for (guint i = 0; i < log_lines->len; i++)
    n += g_str_has_prefix (g_ptr_array_index (log_lines, i), start);
  g_mutex_unlock (&log_lock);
  return n;
}

/* The lines of every request are written only when debug lines are shown,
 * also to a writer of the application's own: they are not even formatted
 * otherwise. */
static void
test_request_lines_when_shown (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = mock_server_new_client (server, MOCK_API_KEY);
  const char *reply = "{\"errorId\":0,\"balance\":1.5}";
  g_autoptr(CsBalance) hidden = NULL;
  g_autoptr(CsBalance) shown = NULL;

  mock_server_add_reply (server, "getBalance", 200, reply);
  mock_server_add_reply (server, "getBalance", 200, reply);

  g_mutex_lock (&log_lock);
  g_ptr_array_set_size (log_lines, 0);
  g_mutex_unlock (&log_lock);
  g_log_set_debug_enabled (FALSE);
  hidden = cs_client_get_balance (client, NULL, NULL);
  g_assert_nonnull (hidden);
  g_assert_cmpuint (count_lines_starting ("getBalance: POST"), ==, 0);
  g_assert_cmpuint (count_lines_starting ("getBalance: HTTP 200"), ==, 0);

  g_log_set_debug_enabled (TRUE);
  shown = cs_client_get_balance (client, NULL, NULL);
  g_assert_nonnull (shown);
  g_assert_cmpuint (count_lines_starting ("getBalance: POST"), ==, 1);
  g_assert_cmpuint (count_lines_starting ("getBalance: HTTP 200"), ==, 1);
}

/* A base URL may carry the key in its path: the line of each request,
 * written only when shown, names the path without it. */
static void
test_key_in_base_url_path (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  const char *url = mock_server_get_url (server);
  g_autofree char *base = g_strdup_printf ("%s%s" MOCK_API_KEY "/", url,
                                           g_str_has_suffix (url, "/") ? "" : "/");
  g_autoptr(CsClient) client = g_object_new (CS_TYPE_CLIENT, "api-key", MOCK_API_KEY,
                                             "base-url", base, NULL);
  g_autoptr(CsBalance) balance = NULL;

  g_mutex_lock (&log_lock);
  g_ptr_array_set_size (log_lines, 0);
  g_mutex_unlock (&log_lock);
  g_log_set_debug_enabled (TRUE);
  /* the request is what matters here, not its answer */
  balance = cs_client_get_balance (client, NULL, NULL);
  g_assert_cmpuint (count_lines_starting ("getBalance: POST /[REDACTED]/"), >=, 1);
  assert_no_line_contains (MOCK_API_KEY);
  assert_no_line_contains ("0123456789ABCDEF0123456789ABCDEF");
}

int
main (int    argc,
      char **argv)
{
  /* whether debug lines are shown is the tests' to say */
  g_unsetenv ("G_MESSAGES_DEBUG");
  log_lines = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (keep_log_line, NULL, NULL);
  g_log_set_debug_enabled (TRUE);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/log/key-not-logged", test_key_not_logged);
  g_test_add_func ("/log/request-lines-when-shown", test_request_lines_when_shown);
  g_test_add_func ("/log/key-in-base-url-path", test_key_in_base_url_path);
  return g_test_run ();
}
