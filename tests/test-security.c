/* test-security.c: where the key may go, whom the client trusts, and what
 * it never repeats
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "mock-server.h"

#define REPLY_BALANCE "{\"errorId\":0,\"balance\":1.5,\"packages\":[]}"

/* --- Base URLs ------------------------------------------------------------ */

static void
assert_refused_without_sending (CsClient   *client,
                                const char *reason)
{
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_null (balance);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, reason));
  g_assert_nonnull (strstr (error->message, "nothing was sent"));
  g_assert_null (strstr (error->message, MOCK_API_KEY));
  g_assert_cmpint (cs_error_get_retry_class (error), ==, CS_RETRY_CLASS_PERMANENT);
}

/* The key would cross the network in clear text: refused before anything
 * is sent, with the property to set named. */
static void
test_insecure_http_refused (void)
{
  static const char * const urls[] = {
    "http://192.0.2.1",
    "http://api.capsolver.com",
    "HTTP://Example.COM:80/v1/",
    "http://127.0.0.1.example.com",
    "http://localhost.example.com",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
      g_autoptr(GError) error = NULL;

      cs_client_set_base_url (client, urls[i]);
      assert_refused_without_sending (client, "allow-insecure-http");
      /* and what needs no opt-in */
      assert_refused_without_sending (client, "http to this machine (127.0.0.0/8, ::1, localhost)");

      cs_client_set_allow_insecure_http (client, TRUE);
      g_assert_true (_cs_client_check_base_url (client, &error));
      g_assert_no_error (error);
    }
}

/* Loopback needs no opt-in, in any of its spellings. */
static void
test_loopback_http_allowed (void)
{
  static const char * const urls[] = {
    "http://127.0.0.1:8080", "http://127.1.2.3", "http://[::1]:80/x", "http://localhost:1",
    "http://LOCALHOST", "http://sandbox.localhost:9", "https://api.capsolver.com",
  };
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = mock_server_new_client (server, MOCK_API_KEY);
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(CsClient) other = cs_client_new (MOCK_API_KEY);

      cs_client_set_base_url (other, urls[i]);
      g_assert_true (_cs_client_check_base_url (other, &error));
      g_assert_no_error (error);
    }

  mock_server_add_reply (server, "getBalance", 200, REPLY_BALANCE);
  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (balance);
}

/* A base URL libsoup cannot send to fails cleanly: no critical (the test
 * runs with criticals fatal), nothing sent. */
static void
test_base_url_unusable (void)
{
  static const struct {
    const char *url;
    const char *reason;
  } cases[] = {
    { "http:///x", "has no host" },
    { "https://", "has no host" },
    { "file:///x", "is not an http or https URL" },
    { "ftp://example.com/", "is not an http or https URL" },
    { "example.com", "is not a URL" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
      g_autoptr(CsTask) task = cs_task_new ("TestTask");
      g_autoptr(GError) error = NULL;

      cs_client_set_base_url (client, cases[i].url);
      cs_client_set_allow_insecure_http (client, TRUE);
      assert_refused_without_sending (client, cases[i].reason);
      g_assert_false (cs_client_create_task (client, task, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_null (cs_task_get_task_id (task));
    }
}

/* Requests to a base URL that must be refused: "http://0.0.0.0:P" is
 * plain http to a host that is not loopback by the client's rule, yet
 * Linux connects it to this machine, so a sandbox on P counts what would
 * have left. */

#define REFUSED_KEY "0123456789abcdef0123456789abcdef"

static CsSandbox *
start_counting_sandbox (void)
{
  CsSandbox *sandbox = cs_sandbox_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  cs_sandbox_add_key (sandbox, REFUSED_KEY, 10.0);
  return sandbox;
}

static CsTask *
new_recaptcha_task (void)
{
  return cs_recaptcha_v2_task_new ("https://example.com/",
                                   "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-");
}

static char *
unlisted_url (CsSandbox *sandbox)
{
  return g_strdup_printf ("http://0.0.0.0:%u", cs_sandbox_get_port (sandbox));
}

static const char *nested_url;

/* An application that moves to its other server when the account changes
 * state, from within the notification. */
static void
move_on_state_cb (CsClient   *client,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  gboolean *moved = user_data;

  if (*moved || cs_client_get_account_state (client) != CS_ACCOUNT_STATE_USABLE)
    return;
  *moved = TRUE;
  cs_client_set_base_url (client, nested_url);
}

/* A base URL set from a notification of setting another ends the list
 * in use, with what its checks said: the outer change's refused URL is
 * neither sent to nor taken for checked. */
static void
test_base_url_nested_change (void)
{
  g_autoptr(CsSandbox) usable = start_counting_sandbox ();
  g_autoptr(CsSandbox) refused = start_counting_sandbox ();
  g_autoptr(CsTask) task = new_recaptcha_task ();
  g_autoptr(GError) error = NULL;
  g_autofree char *refused_url = unlisted_url (refused);
  g_autofree char *moved_to = g_strdup_printf ("http://localhost:%u",
                                               cs_sandbox_get_port (usable));
  g_autofree char *active = NULL;
  g_autoptr(CsClient) client = g_object_new (CS_TYPE_CLIENT, "api-key", REFUSED_KEY,
                                             "base-url", cs_sandbox_get_base_url (usable),
                                             NULL);
  gboolean moved = FALSE;

  nested_url = moved_to;
  cs_client_pause (client, 60);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_signal_connect (client, "notify::account-state", G_CALLBACK (move_on_state_cb), &moved);
  cs_client_set_base_url (client, refused_url);
  g_assert_true (moved);
  active = cs_client_dup_active_endpoint (client);
  g_assert_cmpstr (active, ==, moved_to);
  g_assert_true (cs_client_create_task (client, task, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cs_sandbox_get_request_count (refused, "createTask"), ==, 0);
  g_assert_cmpuint (cs_sandbox_get_request_count (usable, "createTask"), ==, 1);
  nested_url = NULL;
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;

  cs_client_create_task_finish (CS_CLIENT (source), result, error);
  if (*error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "created");
}

/* A request that waited in the client's queue while the base URL moved
 * to one requests may not go to is refused, not sent there. */
static void
test_base_url_queued_request (void)
{
  g_autoptr(CsSandbox) usable = start_counting_sandbox ();
  g_autoptr(CsSandbox) refused = start_counting_sandbox ();
  g_autoptr(CsTask) sent = new_recaptcha_task ();
  g_autoptr(CsTask) queued = new_recaptcha_task ();
  g_autofree char *refused_url = unlisted_url (refused);
  g_autoptr(CsClient) client = g_object_new (CS_TYPE_CLIENT, "api-key", REFUSED_KEY,
                                             "base-url", cs_sandbox_get_base_url (usable),
                                             "max-connections", 1, NULL);
  g_autoptr(GError) sent_error = NULL;
  g_autoptr(GError) queued_error = NULL;

  /* the first holds the one connection long enough for the move */
  cs_sandbox_set_fault_delay (usable, 300);
  cs_sandbox_inject_fault (usable, CS_SANDBOX_FAULT_DELAY, 1);
  cs_client_create_task_async (client, sent, NULL, created_cb, &sent_error);
  cs_client_create_task_async (client, queued, NULL, created_cb, &queued_error);
  cs_client_set_base_url (client, refused_url);
  while (sent_error == NULL || queued_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (sent_error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_error (queued_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (queued_error->message, "in clear text"));
  g_assert_true (g_str_has_suffix (queued_error->message, "nothing was sent"));
  g_assert_null (cs_task_get_task_id (queued));
  g_assert_cmpuint (cs_sandbox_get_request_count (refused, "createTask"), ==, 0);
}

/* CAPSOLVER_BASE_URL goes through the same check. */
static void
test_environment_base_url (void)
{
  g_autoptr(CsClient) client = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("CAPSOLVER_API_KEY", MOCK_API_KEY, TRUE);
  g_setenv ("CAPSOLVER_BASE_URL", "http://192.0.2.1/", TRUE);
  client = cs_client_new_from_environment (&error);
  g_assert_no_error (error);
  assert_refused_without_sending (client, "allow-insecure-http");
  g_unsetenv ("CAPSOLVER_API_KEY");
  g_unsetenv ("CAPSOLVER_BASE_URL");
}

/* --- TLS ------------------------------------------------------------------ */

typedef struct {
  SoupServer *server;
  char       *url;
  guint       requests;
} TlsServer;

static void
tls_server_handle (SoupServer        *server,
                   SoupServerMessage *message,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  TlsServer *self = user_data;

  self->requests++;
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                    REPLY_BALANCE, strlen (REPLY_BALANCE));
}

/* An HTTPS server on this thread's context, with a certificate that a
 * private authority (tests/tls/ca.pem) signed for 127.0.0.1. */
static void
tls_server_start (TlsServer *self)
{
  g_autofree char *cert_file = g_test_build_filename (G_TEST_DIST, "tls", "server.pem", NULL);
  g_autofree char *key_file = g_test_build_filename (G_TEST_DIST, "tls", "server-key.pem", NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  g_assert_no_error (error);
  self->server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (self->server, NULL, tls_server_handle, self, NULL);
  g_assert_true (soup_server_listen_local (self->server, 0,
                                           SOUP_SERVER_LISTEN_HTTPS | SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (self->server);
  self->url = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));
}

static void
tls_server_stop (TlsServer *self)
{
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->url, g_free);
}

static CsBalance *
get_balance_here (CsClient  *client,
                  GError   **error)
{
  GAsyncResult *pending = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  cs_client_get_balance_async (client, NULL, mock_store_result, &pending);
  result = mock_wait_result (&pending);
  return cs_client_get_balance_finish (client, result, error);
}

/* By default the system's authorities decide, and they never signed the
 * test certificate; with the private authority's database it is trusted. */
static void
test_tls_custom_ca (void)
{
  g_autofree char *ca_file = g_test_build_filename (G_TEST_DIST, "tls", "ca.pem", NULL);
  TlsServer server = { NULL, };
  g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(CsBalance) refused = NULL;
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) tls_error = NULL;

  tls_server_start (&server);
  cs_client_set_base_url (client, server.url);

  refused = get_balance_here (client, &tls_error);
  g_assert_null (refused);
  g_assert_error (tls_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpuint (server.requests, ==, 0);
  g_assert_null (cs_client_get_tls_database (client));

  database = g_tls_file_database_new (ca_file, &error);
  g_assert_no_error (error);
  cs_client_set_tls_database (client, database);
  g_assert_true (cs_client_get_tls_database (client) == database);
  g_assert_true (soup_session_get_tls_database (cs_client_get_session (client)) == database);
  balance = get_balance_here (client, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (cs_balance_get_amount (balance), ==, 1.5);
  g_assert_cmpuint (server.requests, ==, 1);

  /* NULL gives the session the system's authorities back, not none */
  cs_client_set_tls_database (client, NULL);
  g_assert_nonnull (soup_session_get_tls_database (cs_client_get_session (client)));
  g_assert_true (soup_session_get_tls_database (cs_client_get_session (client)) != database);

  g_clear_object (&client);
  tls_server_stop (&server);
}

/* Set at construction, the database reaches the client's own session, and
 * a session the application gave. */
static void
test_tls_database_at_construction (void)
{
  g_autofree char *ca_file = g_test_build_filename (G_TEST_DIST, "tls", "ca.pem", NULL);
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca_file, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(CsClient) own = g_object_new (CS_TYPE_CLIENT, "tls-database", database, NULL);
  g_autoptr(CsClient) shared = g_object_new (CS_TYPE_CLIENT, "tls-database", database,
                                             "session", session, NULL);
  g_autoptr(GTlsDatabase) read_back = NULL;

  g_assert_nonnull (database);
  g_assert_true (soup_session_get_tls_database (cs_client_get_session (own)) == database);
  g_assert_true (soup_session_get_tls_database (session) == database);
  g_object_get (own, "tls-database", &read_back, NULL);
  g_assert_true (read_back == database);
}

/* The library leaves the process's default database alone: a client, with
 * its own database or the system's, neither replaces nor wraps it. */
static void
test_tls_default_database_untouched (void)
{
  g_autofree char *ca_file = g_test_build_filename (G_TEST_DIST, "tls", "ca.pem", NULL);
  GTlsBackend *backend = g_tls_backend_get_default ();
  g_autoptr(GTlsDatabase) before = g_tls_backend_get_default_database (backend);
  g_autoptr(GTlsDatabase) after = NULL;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca_file, NULL);
  TlsServer server = { NULL, };
  g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(CsBalance) refused = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (before);
  tls_server_start (&server);
  cs_client_set_base_url (client, server.url);
  refused = get_balance_here (client, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  cs_client_set_tls_database (client, database);
  balance = get_balance_here (client, &error);
  g_assert_no_error (error);
  cs_client_set_tls_database (client, NULL);

  after = g_tls_backend_get_default_database (backend);
  g_assert_true (after == before);
  g_assert_false (CS_IS_TLS_DATABASE (after));

  g_clear_object (&client);
  tls_server_stop (&server);
}

/* Records the database of each TLS connection the session opens, as the
 * handshake starts: glib-networking has built its trust list by then. */
static void
record_database_cb (SoupMessage        *message,
                    GSocketClientEvent  event,
                    GIOStream          *connection,
                    gpointer            user_data)
{
  GPtrArray *databases = user_data;

  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_ptr_array_add (databases,
                     g_object_ref (g_tls_connection_get_database (G_TLS_CONNECTION (connection))));
}

static void
record_databases_cb (SoupSession *session,
                     SoupMessage *message,
                     gpointer     user_data)
{
  g_signal_connect (message, "network-event", G_CALLBACK (record_database_cb), user_data);
}

/* Run in a subprocess: installing the shared default database is for the
 * whole process. */
static gboolean
in_subprocess (void)
{
  if (g_test_subprocess ())
    return TRUE;
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  return FALSE;
}

/* Over the system's authorities, which never signed the test certificate:
 * the shared default database still refuses it, and a client's own
 * database (one of glib-networking's) still decides for that client. */
static void
test_tls_shared_default_refuses (void)
{
  g_autofree char *ca_file = NULL;
  GTlsBackend *backend = g_tls_backend_get_default ();
  g_autoptr(GTlsDatabase) system = NULL;
  g_autoptr(GTlsDatabase) shared = NULL;
  g_autoptr(GTlsDatabase) again = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GPtrArray) databases = g_ptr_array_new_with_free_func (g_object_unref);
  TlsServer server = { NULL, };
  g_autoptr(CsClient) client = NULL;
  g_autoptr(CsClient) private_ca = NULL;
  g_autoptr(CsBalance) refused = NULL;
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  if (!in_subprocess ())
    return;

  system = g_tls_backend_get_default_database (backend);
  cs_client_install_default_tls_database ();
  shared = g_tls_backend_get_default_database (backend);
  g_assert_true (CS_IS_TLS_DATABASE (shared));
  g_assert_true (_cs_tls_database_get_target (shared) == system);
  /* once is enough: a second call does not wrap it again */
  cs_client_install_default_tls_database ();
  again = g_tls_backend_get_default_database (backend);
  g_assert_true (again == shared);

  tls_server_start (&server);
  client = cs_client_new (MOCK_API_KEY);
  cs_client_set_base_url (client, server.url);
  g_signal_connect (cs_client_get_session (client), "request-queued",
                    G_CALLBACK (record_databases_cb), databases);
  refused = get_balance_here (client, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpuint (server.requests, ==, 0);
  g_assert_cmpuint (databases->len, ==, 1);
  g_assert_true (databases->pdata[0] == shared);
  g_clear_error (&error);

  ca_file = g_test_build_filename (G_TEST_DIST, "tls", "ca.pem", NULL);
  database = g_tls_file_database_new (ca_file, &error);
  g_assert_no_error (error);
  private_ca = g_object_new (CS_TYPE_CLIENT, "api-key", MOCK_API_KEY, "base-url", server.url,
                             "tls-database", database, NULL);
  balance = get_balance_here (private_ca, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (server.requests, ==, 1);

  g_clear_object (&client);
  g_clear_object (&private_ca);
  tls_server_stop (&server);
}

/* The shared default database forwards to the default of before, here one
 * the application installed (standing in for the system's authorities,
 * which no test can change): a client without a database of its own
 * trusts what it trusts, through connections whose database is not
 * glib-networking's, so that none builds a trust list of its own. */
static void
test_tls_shared_default_follows_default (void)
{
  g_autofree char *ca_file = NULL;
  GTlsBackend *backend = g_tls_backend_get_default ();
  g_autoptr(GTlsDatabase) application = NULL;
  g_autoptr(GTlsDatabase) shared = NULL;
  g_autoptr(GPtrArray) databases = g_ptr_array_new_with_free_func (g_object_unref);
  TlsServer server = { NULL, };
  g_autoptr(CsClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (!in_subprocess ())
    return;

  ca_file = g_test_build_filename (G_TEST_DIST, "tls", "ca.pem", NULL);
  application = g_tls_file_database_new (ca_file, &error);
  g_assert_no_error (error);
  g_tls_backend_set_default_database (backend, application);
  cs_client_install_default_tls_database ();
  shared = g_tls_backend_get_default_database (backend);
  g_assert_true (CS_IS_TLS_DATABASE (shared));
  g_assert_true (_cs_tls_database_get_target (shared) == application);

  tls_server_start (&server);
  client = cs_client_new (MOCK_API_KEY);
  cs_client_set_base_url (client, server.url);
  /* three reads, each a request */
  cs_client_set_balance_cache_time (client, 0);
  g_signal_connect (cs_client_get_session (client), "request-queued",
                    G_CALLBACK (record_databases_cb), databases);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CsBalance) balance = get_balance_here (client, &error);

      g_assert_no_error (error);
      g_assert_cmpfloat (cs_balance_get_amount (balance), ==, 1.5);
    }
  g_assert_cmpuint (server.requests, ==, 3);
  g_assert_cmpuint (databases->len, >=, 1);
  for (guint i = 0; i < databases->len; i++)
    g_assert_true (databases->pdata[i] == shared);

  g_clear_object (&client);
  tls_server_stop (&server);
}

/* --- What is never repeated ------------------------------------------------ */

/* The sandbox refuses a key without repeating any of it. */
static void
test_sandbox_never_echoes_key (void)
{
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  cs_client_set_base_url (client, cs_sandbox_get_base_url (sandbox));
  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_null (balance);
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_null (strstr (error->message, "REDACTED"));
  g_assert_null (strstr (error->message, "0123456789"));
  cs_sandbox_stop (sandbox);
}

/* The service echoes a task's proxy, altered, in its errors: neither its
 * login nor its password comes back. */
static void
test_proxy_credentials_redacted (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = mock_server_new_client (server, MOCK_API_KEY);
  g_autoptr(CsProxy) proxy = cs_proxy_new (CS_PROXY_SCHEME_HTTP, "10.0.0.1", 3128,
                                           "Login-Of-Mine", "Pass:Word@Of-Mine");
  g_autoptr(CsTask) task = cs_task_new ("TestTask");
  g_autoptr(CsTask) polled = cs_task_new ("TestTask");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) poll_error = NULL;

  cs_task_set_proxy (task, proxy);
  mock_server_add_reply (server, "createTask", 200,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_PROXY_BANNED\","
                         "\"errorDescription\":\"proxy login-of-mine / pass:word@of-mine "
                         "(http:10.0.0.1:3128:Login-Of-Mine:Pass) banned\"}");
  g_assert_false (cs_client_create_task (client, task, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_PROXY_BANNED);
  g_assert_cmpstr (error->message, ==,
                   "ERROR_PROXY_BANNED: proxy [REDACTED] / [REDACTED] "
                   "(http:10.0.0.1:3128:[REDACTED]) banned");

  cs_task_set_proxy (polled, proxy);
  _cs_task_set_task_id (polled, "1");
  mock_server_add_reply (server, "getTaskResult", 200,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_PROXY_BANNED\","
                         "\"errorDescription\":\"PASS:WORD@OF-MINE refused\"}");
  g_assert_false (cs_client_get_task_result (client, polled, NULL, &poll_error));
  g_assert_cmpstr (poll_error->message, ==, "ERROR_PROXY_BANNED: [REDACTED] refused");
}

/* --- Echoed secrets: errors, the debug log, cs_client_redact() ----------- */

/* The debug lines of the library, kept while a test looks. */
static GMutex log_lock;
static GPtrArray *log_lines;

static GLogWriterOutput
keep_debug_line (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  g_mutex_lock (&log_lock);
  for (gsize i = 0; log_lines != NULL && i < n_fields; i++)
    if ((level & G_LOG_LEVEL_DEBUG) != 0 && g_strcmp0 (fields[i].key, "MESSAGE") == 0 &&
        fields[i].length < 0)
      g_ptr_array_add (log_lines, g_strdup (fields[i].value));
  g_mutex_unlock (&log_lock);
  /* debug lines are shown to the tests only */
  if ((level & G_LOG_LEVEL_DEBUG) != 0)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
start_keeping_log (void)
{
  g_mutex_lock (&log_lock);
  g_clear_pointer (&log_lines, g_ptr_array_unref);
  log_lines = g_ptr_array_new_with_free_func (g_free);
  g_mutex_unlock (&log_lock);
}

static GPtrArray *
stop_keeping_log (void)
{
  GPtrArray *lines;

  g_mutex_lock (&log_lock);
  lines = g_steal_pointer (&log_lines);
  g_mutex_unlock (&log_lock);
  return lines;
}

#define ECHO_LOGIN "Pr0xy L0gin+1"
/* p@ss:w0rd"é/Pr0xyPa55: percent-encoding and JSON both change it */
#define ECHO_PASSWORD "p@ss:w0rd\"\xc3\xa9/Pr0xyPa55"

typedef struct {
  const char *form;
  const char *echo;       /* what errorDescription carries */
  const char *expected;   /* what the message keeps of it */
} EchoCase;

/* The ways the service was seen, or may be expected, to repeat a secret.
 * The same table is in tests/cli/test_cli.py, for capsolver --verbose. */
static const EchoCase echo_cases[] = {
  { "the key", MOCK_API_KEY, "[REDACTED]" },
  { "the key in lower case",
    "cap-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "[REDACTED]" },
  { "the key cut short", "0123456789abcdef01", "[REDACTED]" },
  { "the key cut short inside a word", "xx0123456789ABCDEF01yy", "xx[REDACTED]yy" },
  /* the shape of a key runs on to the end of the word */
  { "the key inside a word", "xx" MOCK_API_KEY "yy", "xx[REDACTED]" },
  { "the password", ECHO_PASSWORD, "[REDACTED]" },
  { "the password in capitals", "P@SS:W0RD\"\xc3\xa9/PR0XYPA55", "[REDACTED]" },
  { "the password percent-encoded", "p%40ss%3Aw0rd%22%C3%A9%2FPr0xyPa55", "[REDACTED]" },
  { "the password percent-encoded, lower-case hex", "p%40ss%3aw0rd%22%c3%a9%2fPr0xyPa55",
    "[REDACTED]" },
  { "the password escaped in JSON", "p@ss:w0rd\\\"\\u00e9\\/Pr0xyPa55", "[REDACTED]" },
  { "the password cut short", "w0rd\"\xc3\xa9/Pr0", "[REDACTED]" },
  { "the password cut short, percent-encoded", "%3Aw0rd%22%C3%A9", "[REDACTED]" },
  { "the login", ECHO_LOGIN, "[REDACTED]" },
  { "the login percent-encoded", "Pr0xy%20L0gin%2B1", "[REDACTED]" },
  { "the login escaped in JSON", "Pr0xy\\u0020L0gin+1", "[REDACTED]" },
  { "the proxy", "http://Pr0xy%20L0gin%2B1:p%40ss%3Aw0rd%22%C3%A9%2FPr0xyPa55@10.0.0.1:3128",
    "http://[REDACTED]@10.0.0.1:3128" },
  { "nothing secret", "10.0.0.1:3128", "10.0.0.1:3128" },
};

static char *
error_reply (const char *description)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "errorId");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "errorCode");
  json_builder_add_string_value (builder, "ERROR_PROXY_BANNED");
  json_builder_set_member_name (builder, "errorDescription");
  json_builder_add_string_value (builder, description);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* The error's message is @expected, and so is the debug line of @method. */
static void
assert_echo_hidden (const EchoCase *echo,
                    const char     *method,
                    const GError   *error,
                    GPtrArray      *lines)
{
  g_autofree char *message = g_strdup_printf ("ERROR_PROXY_BANNED: proxy %s rejected",
                                              echo->expected);
  g_autofree char *line = g_strdup_printf ("%s: %s", method, message);
  gboolean logged = FALSE;

  g_assert_error (error, CS_ERROR, CS_ERROR_PROXY_BANNED);
  g_assert_cmpstr (error->message, ==, message);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *kept = g_ptr_array_index (lines, i);

      if (strcmp (echo->echo, echo->expected) != 0)
        g_assert_null (strstr (kept, echo->echo));
      g_assert_null (strstr (kept, ECHO_PASSWORD));
      g_assert_null (strstr (kept, MOCK_API_KEY));
      logged = logged || strcmp (kept, line) == 0;
    }
  g_assert_true (logged);
}

/* Each form of each secret, repeated by createTask and by a poll: neither
 * the error nor the debug line logged before it carries it. */
static void
test_echoed_secrets_hidden (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = mock_server_new_client (server, MOCK_API_KEY);
  g_autoptr(CsProxy) proxy = cs_proxy_new (CS_PROXY_SCHEME_HTTP, "10.0.0.1", 3128,
                                           ECHO_LOGIN, ECHO_PASSWORD);

  for (gsize i = 0; i < G_N_ELEMENTS (echo_cases); i++)
    {
      g_autofree char *description = g_strdup_printf ("proxy %s rejected", echo_cases[i].echo);
      g_autofree char *reply = error_reply (description);
      g_autofree char *redacted = NULL;
      g_autoptr(CsTask) task = cs_task_new ("TestTask");
      g_autoptr(CsTask) polled = cs_task_new ("TestTask");
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) poll_error = NULL;
      g_autoptr(GPtrArray) lines = NULL;

      g_test_message ("%s: %s", echo_cases[i].form, echo_cases[i].echo);
      cs_task_set_proxy (task, proxy);
      cs_task_set_proxy (polled, proxy);
      _cs_task_set_task_id (polled, "1");
      mock_server_add_reply (server, "createTask", 200, reply);
      mock_server_add_reply (server, "getTaskResult", 200, reply);

      start_keeping_log ();
      g_assert_false (cs_client_create_task (client, task, NULL, &error));
      lines = stop_keeping_log ();
      assert_echo_hidden (&echo_cases[i], "createTask", error, lines);
      g_clear_pointer (&lines, g_ptr_array_unref);

      start_keeping_log ();
      g_assert_false (cs_client_get_task_result (client, polled, NULL, &poll_error));
      lines = stop_keeping_log ();
      assert_echo_hidden (&echo_cases[i], "getTaskResult", poll_error, lines);

      /* and what a program logs of the exchange itself */
      redacted = cs_client_redact (client, task, description);
      g_assert_cmpstr (strchr (error->message, ' ') + 1, ==, redacted);
    }
}

/* cs_client_redact() finds the proxy of a task however it was given. */
static void
test_redact_task_proxy_forms (void)
{
  g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
  g_autoptr(CsTask) fields = cs_task_new ("TestTask");
  g_autoptr(CsTask) text = cs_task_new ("TestTask");
  g_autoptr(CsTask) none = cs_task_new ("TestTask");
  g_autofree char *from_fields = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *without_task = NULL;
  g_autofree char *from_none = NULL;

  cs_task_set_string (fields, "proxyLogin", "F1eld-L0gin");
  cs_task_set_string (fields, "proxyPassword", "F1eld-Passw0rd");
  cs_task_set_string (text, "proxy", "socks5:10.0.0.1:1080:T3xt-L0gin:T3xt-Passw0rd");
  from_fields = cs_client_redact (client, fields, "f1eld-l0gin F1eld-Passw0rd " MOCK_API_KEY);
  from_text = cs_client_redact (client, text, "T3xt-L0gin / t3xt-passw0rd");
  without_task = cs_client_redact (client, NULL, "key " MOCK_API_KEY ", T3xt-Passw0rd");
  from_none = cs_client_redact (client, none, "nothing");
  g_assert_cmpstr (from_fields, ==, "[REDACTED] [REDACTED] [REDACTED]");
  g_assert_cmpstr (from_text, ==, "[REDACTED] / [REDACTED]");
  g_assert_cmpstr (without_task, ==, "key [REDACTED], T3xt-Passw0rd");
  g_assert_cmpstr (from_none, ==, "nothing");
  g_assert_null (cs_client_redact (client, NULL, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_log_set_writer_func (keep_debug_line, NULL, NULL);
  /* the lines of every request are written only when shown */
  g_log_set_debug_enabled (TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/security/base-url/insecure-http-refused", test_insecure_http_refused);
  g_test_add_func ("/security/base-url/loopback-http-allowed", test_loopback_http_allowed);
  g_test_add_func ("/security/base-url/unusable", test_base_url_unusable);
  g_test_add_func ("/security/base-url/environment", test_environment_base_url);
  g_test_add_func ("/security/base-url/nested-change", test_base_url_nested_change);
  g_test_add_func ("/security/base-url/queued-request", test_base_url_queued_request);
  g_test_add_func ("/security/tls/custom-ca", test_tls_custom_ca);
  g_test_add_func ("/security/tls/database-at-construction", test_tls_database_at_construction);
  g_test_add_func ("/security/tls/default-database-untouched", test_tls_default_database_untouched);
  g_test_add_func ("/security/tls/shared-default/refuses", test_tls_shared_default_refuses);
  g_test_add_func ("/security/tls/shared-default/follows-default",
                   test_tls_shared_default_follows_default);
  g_test_add_func ("/security/sandbox-never-echoes-key", test_sandbox_never_echoes_key);
  g_test_add_func ("/security/proxy-credentials-redacted", test_proxy_credentials_redacted);
  g_test_add_func ("/security/echoed-secrets-hidden", test_echoed_secrets_hidden);
  g_test_add_func ("/security/redact-task-proxy-forms", test_redact_task_proxy_forms);

  return g_test_run ();
}
