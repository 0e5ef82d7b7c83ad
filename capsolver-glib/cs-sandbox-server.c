/* cs-sandbox-server.c: a SoupServer on 127.0.0.1 in a thread of its own
 *
 * The thread has its own main context, so that a client blocking in any
 * other thread, the server's owner included, is still answered. Nothing
 * here knows the protocol: the owner gives the handlers. The owners are
 * the sandbox and the C tests' scripted server (tests/mock-server.c).
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-sandbox-private.h"

#define SERVER_DATA_KEY "cs-server-thread"

struct _CsServerThread
{
  /* the start handshake */
  GMutex              lock;
  GCond               started_cond;
  gboolean            started;
  GError             *start_error;

  GThread            *thread;
  GMainContext       *context;
  GMainLoop          *loop;
  guint               requested_port;
  guint               port;
  SoupServerCallback  early_handler;
  SoupServerCallback  handler;
  gpointer            user_data;

  /* the server thread's own */
  SoupServer         *server;
  GList              *delayed;   /* DelayedMessage */
};

/* --- Messages held back ------------------------------------------------------ */

typedef struct {
  CsServerThread    *owner;
  SoupServerMessage *message;
  GSource           *timer;
  gboolean           disconnected;
} DelayedMessage;

static void
delayed_message_free (DelayedMessage *delayed)
{
  g_signal_handlers_disconnect_by_data (delayed->message, delayed);
  g_object_unref (delayed->message);
  g_source_destroy (delayed->timer);
  g_source_unref (delayed->timer);
  g_free (delayed);
}

static void
delayed_message_disconnected_cb (SoupServerMessage *message,
                                 DelayedMessage    *delayed)
{
  delayed->disconnected = TRUE;
}

static gboolean
delayed_message_cb (gpointer user_data)
{
  DelayedMessage *delayed = user_data;

  delayed->owner->delayed = g_list_remove (delayed->owner->delayed, delayed);
  /* a client that gave up has closed the connection: no one to answer */
  if (!delayed->disconnected)
    soup_server_message_unpause (delayed->message);
  delayed_message_free (delayed);
  return G_SOURCE_REMOVE;
}

/* Holds @message, answered already or not, for @delay_ms: a timer on the
 * server's context, never a sleep, so other requests are answered
 * meanwhile. Messages still held when the server stops are dropped. Call
 * from a handler. */
void
_cs_server_delay_message (SoupServer        *server,
                          SoupServerMessage *message,
                          guint              delay_ms)
{
  CsServerThread *self = g_object_get_data (G_OBJECT (server), SERVER_DATA_KEY);
  DelayedMessage *delayed = g_new0 (DelayedMessage, 1);

  delayed->owner = self;
  delayed->message = g_object_ref (message);
  g_signal_connect (message, "disconnected", G_CALLBACK (delayed_message_disconnected_cb),
                    delayed);
  soup_server_message_pause (message);

  delayed->timer = g_timeout_source_new (delay_ms);
  g_source_set_callback (delayed->timer, delayed_message_cb, delayed, NULL);
  g_source_attach (delayed->timer, self->context);
  self->delayed = g_list_prepend (self->delayed, delayed);
}

/* Closes the connection of @message without an answer: the client sees its
 * request sent and nothing back. */
void
_cs_server_drop_connection (SoupServerMessage *message)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (message);

  g_io_stream_close (stream, NULL, NULL);
}

/* --- The thread ---------------------------------------------------------------- */

/* libsoup's own listener rather than streams accepted here and handed
 * over: a SoupServer keeps connections alive only while it listens, and
 * clients expect keep-alive. */
static gboolean
server_listen (CsServerThread  *self,
               GError         **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) requested = g_inet_socket_address_new (loopback, self->requested_port);
  g_autoptr(GSocketAddress) bound = NULL;
  GSList *sockets;

  self->server = soup_server_new ("server-header", "capsolver-glib-sandbox ", NULL);
  g_object_set_data (G_OBJECT (self->server), SERVER_DATA_KEY, self);
  if (self->early_handler != NULL)
    soup_server_add_early_handler (self->server, NULL, self->early_handler, self->user_data, NULL);
  soup_server_add_handler (self->server, NULL, self->handler, self->user_data, NULL);
  if (!soup_server_listen (self->server, requested, 0, error))
    return FALSE;

  sockets = soup_server_get_listeners (self->server);
  bound = g_socket_get_local_address (sockets->data, error);
  g_slist_free (sockets);
  if (bound == NULL)
    return FALSE;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return TRUE;
}

static gboolean
server_quit_cb (gpointer user_data)
{
  CsServerThread *self = user_data;

  g_list_free_full (g_steal_pointer (&self->delayed), (GDestroyNotify) delayed_message_free);
  soup_server_disconnect (self->server);
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

static void
drain_context (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
}

static gpointer
server_thread (gpointer user_data)
{
  CsServerThread *self = user_data;
  GError *error = NULL;

  g_main_context_push_thread_default (self->context);
  server_listen (self, &error);

  g_mutex_lock (&self->lock);
  self->start_error = error;
  self->started = TRUE;
  g_cond_signal (&self->started_cond);
  g_mutex_unlock (&self->lock);

  if (error == NULL)
    g_main_loop_run (self->loop);

  /* the closed connections finish their work before the context goes */
  drain_context (self->context);
  g_clear_object (&self->server);
  drain_context (self->context);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static void
server_thread_free (CsServerThread *self)
{
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->started_cond);
  g_free (self);
}

/* Listens on 127.0.0.1:@port (0: any free port) in a new thread, which
 * calls the handlers; returns once the server accepts connections, or
 * NULL with @error set. */
CsServerThread *
_cs_server_thread_start (guint                port,
                         SoupServerCallback   early_handler,
                         SoupServerCallback   handler,
                         gpointer             user_data,
                         GError             **error)
{
  CsServerThread *self = g_new0 (CsServerThread, 1);
  GError *start_error;

  g_mutex_init (&self->lock);
  g_cond_init (&self->started_cond);
  self->requested_port = port;
  self->early_handler = early_handler;
  self->handler = handler;
  self->user_data = user_data;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("cs-sandbox", server_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->started_cond, &self->lock);
  start_error = g_steal_pointer (&self->start_error);
  g_mutex_unlock (&self->lock);

  if (start_error != NULL)
    {
      server_thread_free (self);
      g_propagate_error (error, start_error);
      return NULL;
    }
  return self;
}

guint
_cs_server_thread_get_port (CsServerThread *self)
{
  return self->port;
}

/* Closes every connection, drops the messages held back, and ends the
 * thread. Call from any thread but the server's. */
void
_cs_server_thread_stop (CsServerThread *self)
{
  g_main_context_invoke (self->context, server_quit_cb, self);
  server_thread_free (self);
}
