/* cs-client-sessions.c: the sessions of a client
 *
 * The client's own session, made when the application gives none, and
 * the sessions of its own beside it, its own or the application's: the
 * blocking calls' and the held requests' (getToken). The bottom of the
 * client's layers: the queue (cs-client-call.c) opens a held requests'
 * session when the others are full, the object makes the rest.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-client-private.h"

/* glib-networking resumes TLS sessions from a cache shared by the whole
 * process, keyed by the server and not by whom it trusted, and a resumed
 * handshake skips verification: a session another part of the process
 * trusted would be taken as is. The connection still computes its peer's
 * errors against this client's database, so a handshake that "succeeds"
 * with errors (no message of this client accepts a bad certificate) is a
 * resumption this client would not have trusted: close the connection
 * before the request, and the key, are written. */
static void
session_network_event_cb (SoupMessage        *message,
                          GSocketClientEvent  event,
                          GIOStream          *connection,
                          gpointer            user_data)
{
  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKED || !G_IS_TLS_CONNECTION (connection) ||
      g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (connection)) == 0)
    return;
  g_debug ("refusing a resumed TLS session whose certificate this client does not trust");
  g_object_set_data (G_OBJECT (message), CS_UNTRUSTED_TLS_RESUMPTION, GINT_TO_POINTER (TRUE));
  g_io_stream_close (connection, NULL, NULL);
}

static void
session_request_queued_cb (SoupSession *session,
                           SoupMessage *message,
                           gpointer     user_data)
{
  g_signal_connect (message, "network-event", G_CALLBACK (session_network_event_cb), NULL);
}

/* A session with the client's own settings. The trailing space makes
 * libsoup append its own version to the user agent. libsoup's limits are
 * the client's: it never queues a message itself. Its idle connections
 * are never closed by libsoup's idle timer: libsoup 3.2.3 loses a request
 * that takes a connection just as that timer closes it (no reply, no
 * error, not even when cancelled). An idle connection lasts until the
 * server closes it; a request that meets that close fails as on a stale
 * connection, and one safe to repeat is sent again (cs-client-call.c). */
SoupSession *
_cs_client_new_own_session (CsClient *self)
{
  SoupSession *session = soup_session_new_with_options ("user-agent",
                                                        "capsolver-glib/" PACKAGE_VERSION " ",
                                                        "timeout", SESSION_IO_TIMEOUT,
                                                        "idle-timeout", 0,
                                                        "max-conns", self->max_connections,
                                                        "max-conns-per-host",
                                                        self->max_connections,
                                                        NULL);

  g_signal_connect (session, "request-queued", G_CALLBACK (session_request_queued_cb), NULL);
  return session;
}

/* The application's handlers of its session's request-queued and
 * request-unqueued see the messages of the blocking calls too (one that
 * accepts a certificate, or adds a header). */
static void
forward_request_queued_cb (SoupSession *companion,
                           SoupMessage *message,
                           gpointer     shared)
{
  g_signal_emit_by_name (shared, "request-queued", message);
}

static void
forward_request_unqueued_cb (SoupSession *companion,
                             SoupMessage *message,
                             gpointer     shared)
{
  g_signal_emit_by_name (shared, "request-unqueued", message);
}

/* A session of the client's own beside @shared, the client's own or the
 * application's (the blocking calls', the held requests'): its settings,
 * followed as they change; its features (a logger, a cookie jar) are its
 * own and are not shared. Its idle-timeout is not followed: it is 0, as
 * on the client's own session, whatever the application's session has.
 * Without @follow_timeout, nor is the I/O timeout: a held request waits
 * for its reply as long as the service solves (token-request-timeout
 * bounds it). */
SoupSession *
_cs_client_new_companion_session (SoupSession *shared,
                                  guint        max_connections,
                                  gboolean     follow_timeout)
{
  static const char * const followed[] = {
    "user-agent", "accept-language", "proxy-resolver", "tls-database", "tls-interaction",
    "timeout",
  };
  SoupSession *session = g_object_new (SOUP_TYPE_SESSION,
                                       "timeout", 0,
                                       "idle-timeout", 0,
                                       "max-conns", max_connections,
                                       "max-conns-per-host", max_connections,
                                       "local-address", soup_session_get_local_address (shared),
                                       "remote-connectable",
                                       soup_session_get_remote_connectable (shared),
                                       NULL);

  /* the last one, the I/O timeout, only with @follow_timeout */
  for (gsize i = 0; i < G_N_ELEMENTS (followed) - (follow_timeout ? 0 : 1); i++)
    g_object_bind_property (shared, followed[i], session, followed[i], G_BINDING_SYNC_CREATE);
  g_signal_connect_object (session, "request-queued", G_CALLBACK (forward_request_queued_cb),
                           shared, 0);
  g_signal_connect_object (session, "request-unqueued", G_CALLBACK (forward_request_unqueued_cb),
                           shared, 0);
  return session;
}

/* Held requests (getToken) go on sessions of their own, each holding its
 * connection until the task is solved: they never wait for the
 * connections of polls and createTask, nor hold those. Called under the
 * queue lock, or before any request. */
SoupSession *
_cs_client_new_held_session (CsClient *self)
{
  SoupSession *session = _cs_client_new_companion_session (self->session, CS_HELD_SESSION_SIZE,
                                                             FALSE);
  guint none = 0;

  g_ptr_array_add (self->held_sessions, session);
  g_array_append_val (self->held_session_use, none);
  return session;
}
