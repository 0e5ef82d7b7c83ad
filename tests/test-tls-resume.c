/* test-tls-resume.c: a TLS session another client trusted is not reused
 *
 * glib-networking shares resumed TLS sessions across the whole process and
 * skips verification when it resumes one; it also turns that cache off in
 * GTest programs, so this test is a plain program that prints TAP. The
 * server is `openssl s_server`, which issues session tickets (a SoupServer
 * does not). A client that trusts the test authority talks to it first;
 * then a client with the system's authorities must be refused, not
 * resumed into the session the first one trusted.
 *
 * With --shared-default-database, the process first installs the client's
 * shared default database (cs_client_install_default_tls_database()): the
 * other client's connections then verify through it, and must refuse the
 * same.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "capsolver-glib.h"
#include "cs-private.h"

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
wait_for_port (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GSocketConnection) connection =
        g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

      if (connection != NULL)
        return TRUE;
      g_usleep (50 * 1000);
    }
  return FALSE;
}

/* 3 s, or 15 under valgrind (its test setup sets CS_TEST_TIME_FACTOR),
 * where a GnuTLS handshake takes seconds. The trusting client's request
 * waits that long for the reply that never comes. */
static guint
request_timeout_ms (void)
{
  return g_getenv ("CS_TEST_TIME_FACTOR") != NULL ? 15000 : 3000;
}

static GError *
balance_error (CsClient *client)
{
  g_autoptr(CsBalance) balance = NULL;
  GError *error = NULL;

  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_null (balance);
  return error;
}

int
main (int    argc,
      char **argv)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *dir = g_build_filename (srcdir != NULL ? srcdir : ".", "tls", NULL);
  g_autofree char *cert = g_build_filename (dir, "server.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "server-key.pem", NULL);
  g_autofree char *ca = g_build_filename (dir, "ca.pem", NULL);
  guint16 port = free_port ();
  g_autofree char *accept = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", port);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(CsClient) trusting = cs_client_new ("CAP-TRUSTING");
  g_autoptr(CsClient) other = cs_client_new ("CAP-OTHER");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) trusted_error = NULL;
  g_autoptr(GError) other_error = NULL;
  gboolean shared = argc > 1 && g_strcmp0 (argv[1], "--shared-default-database") == 0;
  gboolean refused;

  if (shared)
    cs_client_install_default_tls_database ();
  g_print ("1..1\n");
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             &error, "openssl", "s_server", "-accept", accept, "-cert", cert,
                             "-key", key, "-www", "-quiet", NULL);
  g_assert_no_error (error);
  g_assert_true (wait_for_port (port));

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  cs_client_set_tls_database (trusting, database);
  cs_client_set_base_url (trusting, url);
  cs_client_set_base_url (other, url);
  cs_client_set_request_timeout (trusting, request_timeout_ms ());
  cs_client_set_request_timeout (other, request_timeout_ms ());

  /* the server answers a POST with nothing: what matters is the
   * handshake, and the tickets that come after it */
  trusted_error = balance_error (trusting);
  other_error = balance_error (other);
  g_print ("# trusting client: %s\n# other client: %s\n", trusted_error->message,
           other_error->message);

  refused = g_error_matches (other_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_true (trusted_error->domain != G_TLS_ERROR);
  g_print ("%s 1 /tls/no-resumption-of-a-session-another-client-trusted%s\n",
           refused ? "ok" : "not ok", shared ? "/shared-default-database" : "");

  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  return refused ? 0 : 1;
}
