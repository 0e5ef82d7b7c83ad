/* cs-sandbox-server.c: a SoupServer on 127.0.0.1 in a thread of its own
 *
 * The thread has its own main context, so that a client blocking in any
 * other thread, the server's owner included, is still answered. Nothing
 * here knows the protocol: the owner gives the handlers. The owners are
 * the sandbox and the C tests' scripted server (tests/mock-server.c).
 *
 * ## Connections
 *
 * libsoup 3.2's SoupServer never lets go of a kept-alive connection that
 * its client closes between two requests: the message that waits for the
 * next request has no one to tell, so the connection stays open in
 * CLOSE-WAIT, and a long-running server stops answering at the open-file
 * limit. (libsoup 3.3 disconnects such connections.) The listener of 3.2
 * also keeps a reference on every socket it accepts. So this file accepts
 * the connections itself and gives each SoupServer connection one request
 * only: when the answer to a request that keeps the connection alive is
 * written, the stream is taken back (soup_server_message_steal_connection(),
 * which is meant for "wrote-body") and handed to the server again as a new
 * connection, whose first request the server follows to its end, closed
 * peers included. Clients see one kept-alive connection. Pipelined requests
 * are not supported: bytes read ahead of the next request would be lost.
 *
 * A connection that has not sent complete request headers some time after
 * it was accepted or answered, or a complete body some time after them
 * (libsoup 3.2 would wait forever), is shut down: the server then reads
 * the end of the stream and closes it as for a client that went away.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "cs-sandbox-private.h"

#define SERVER_DATA_KEY      "cs-server-thread"
#define CONNECTION_DATA_KEY  "cs-server-connection"
#define LISTEN_BACKLOG       4096
/* connections accepted at once before other sources get a turn */
#define ACCEPT_BATCH         64
/* after an error such as EMFILE, accepting waits this long (ms) */
#define ACCEPT_PAUSE         100
/* how often (ms) deadlines of connections are checked */
#define SWEEP_INTERVAL       100

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

  /* read from any thread */
  gint                n_accepted;
  gint                n_open;
  gint                header_timeout;   /* ms */
  gint                idle_timeout;     /* ms */
  gint                body_timeout;     /* ms */

  /* the server thread's own */
  SoupServer         *server;
  GSocket            *listener;
  GSocketAddress     *local_address;
  GSource            *accept_source;
  GSource            *sweep_source;
  GQueue              connections;      /* Connection */
  struct _Connection *accepting;        /* while handed to the server */
  GList              *delayed;          /* DelayedMessage */
};

/* --- Connections --------------------------------------------------------------
 *
 * A Connection lives as long as its stream: the SoupServer connections that
 * carry it in turn hold the stream, and the last one to let go ends it.
 */

typedef struct _Connection {
  CsServerThread    *owner;
  GSocketConnection *stream;     /* not a reference: a weak pointer */
  GSocketAddress    *remote_address;
  GList              link;
  gint64             deadline;   /* monotonic µs for complete headers or body; 0: none */
} Connection;

static void
connection_finalized_cb (gpointer  user_data,
                         GObject  *stream)
{
  Connection *connection = user_data;
  CsServerThread *self = connection->owner;

  g_queue_unlink (&self->connections, &connection->link);
  g_atomic_int_add (&self->n_open, -1);
  g_clear_object (&connection->remote_address);
  g_free (connection);
}

static void
set_deadline (Connection *connection,
              gint        timeout_ms)
{
  connection->deadline = timeout_ms > 0 ? g_get_monotonic_time () + (gint64) timeout_ms * 1000 : 0;
}

/* Gives @connection's stream to the server as a new connection, whose
 * request starts at once ("request-started" ties it to @connection). */
static void
hand_over (CsServerThread *self,
           Connection     *connection,
           gint            timeout_ms)
{
  set_deadline (connection, timeout_ms);
  self->accepting = connection;
  soup_server_accept_iostream (self->server, G_IO_STREAM (connection->stream),
                               self->local_address, connection->remote_address, NULL);
  self->accepting = NULL;
}

/* The request of @message keeps its connection open when both sides
 * agree, as libsoup decides it. */
static gboolean
is_keepalive (SoupServerMessage *message)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (message);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (message);

  if (soup_message_headers_get_encoding (response) == SOUP_ENCODING_EOF)
    return FALSE;
  if (soup_server_message_get_http_version (message) == SOUP_HTTP_1_0)
    return soup_message_headers_header_contains (response, "Connection", "Keep-Alive");
  return !soup_message_headers_header_contains (request, "Connection", "close") &&
         !soup_message_headers_header_contains (response, "Connection", "close");
}

/* The headers are in: now the body has its own deadline. (The server's
 * early handler ran first, and left the connection open.) */
static void
message_got_headers_cb (SoupServerMessage *message,
                        Connection        *connection)
{
  set_deadline (connection, g_atomic_int_get (&connection->owner->body_timeout));
}

/* The request is complete: the handler may hold it as long as it likes.
 * The server says so before it calls the handler, which may close the
 * connection (a "got-body" handler of ours would come after). */
static void
request_read_cb (SoupServer        *server,
                 SoupServerMessage *message,
                 CsServerThread    *self)
{
  Connection *connection = g_object_get_data (G_OBJECT (message), CONNECTION_DATA_KEY);

  if (connection != NULL)
    connection->deadline = 0;
}

/* The answer is out: the stream goes back to the server for the next
 * request, as a connection of its own. */
static void
message_wrote_body_cb (SoupServerMessage *message,
                       Connection        *connection)
{
  CsServerThread *self = connection->owner;
  g_autoptr(GSocketConnection) stream = NULL;
  g_autoptr(GIOStream) taken = NULL;

  if (!is_keepalive (message))
    return;

  /* the server's wrapper does not close the stream it wraps */
  stream = g_object_ref (connection->stream);
  g_signal_handlers_disconnect_by_data (message, connection);
  taken = soup_server_message_steal_connection (message);
  if (taken == NULL || g_io_stream_is_closed (G_IO_STREAM (stream)))
    return;
  hand_over (self, connection, g_atomic_int_get (&self->idle_timeout));
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *message,
                    CsServerThread    *self)
{
  Connection *connection = self->accepting;

  /* every server connection has one request, started when handed over */
  if (connection == NULL)
    return;
  g_object_set_data (G_OBJECT (message), CONNECTION_DATA_KEY, connection);
  g_signal_connect (message, "got-headers", G_CALLBACK (message_got_headers_cb), connection);
  g_signal_connect (message, "wrote-body", G_CALLBACK (message_wrote_body_cb), connection);
}

static void
accept_one (CsServerThread *self,
            GSocket        *socket)
{
  Connection *connection = g_new0 (Connection, 1);
  g_autoptr(GSocketConnection) stream = g_socket_connection_factory_create_connection (socket);

  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  connection->owner = self;
  connection->stream = stream;
  connection->remote_address = g_socket_get_remote_address (socket, NULL);
  if (connection->remote_address == NULL)
    connection->remote_address = g_object_ref (self->local_address);
  connection->link.data = connection;
  g_object_weak_ref (G_OBJECT (stream), connection_finalized_cb, connection);
  g_queue_push_tail_link (&self->connections, &connection->link);
  g_atomic_int_inc (&self->n_accepted);
  g_atomic_int_inc (&self->n_open);
  hand_over (self, connection, g_atomic_int_get (&self->header_timeout));
}

static gboolean accept_cb (GSocket *listener, GIOCondition condition, gpointer user_data);

static void
watch_listener (CsServerThread *self)
{
  self->accept_source = g_socket_create_source (self->listener, G_IO_IN, NULL);
  g_source_set_callback (self->accept_source, G_SOURCE_FUNC (accept_cb), self, NULL);
  g_source_attach (self->accept_source, self->context);
}

static gboolean
resume_accepting_cb (gpointer user_data)
{
  CsServerThread *self = user_data;

  g_clear_pointer (&self->accept_source, g_source_unref);
  watch_listener (self);
  return G_SOURCE_REMOVE;
}

static gboolean
accept_cb (GSocket      *listener,
           GIOCondition  condition,
           gpointer      user_data)
{
  CsServerThread *self = user_data;

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_accept (listener, NULL, &error);

      if (socket != NULL)
        {
          accept_one (self, socket);
          continue;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;

      /* out of file descriptors, most likely: wait rather than spin */
      g_clear_pointer (&self->accept_source, g_source_unref);
      self->accept_source = g_timeout_source_new (ACCEPT_PAUSE);
      g_source_set_callback (self->accept_source, resume_accepting_cb, self, NULL);
      g_source_attach (self->accept_source, self->context);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Shuts down the connections past their deadline. */
static gboolean
sweep_cb (gpointer user_data)
{
  CsServerThread *self = user_data;
  gint64 now = g_get_monotonic_time ();

  for (GList *l = self->connections.head; l != NULL; l = l->next)
    {
      Connection *connection = l->data;

      if (connection->deadline == 0 || now < connection->deadline)
        continue;
      connection->deadline = 0;
      g_socket_shutdown (g_socket_connection_get_socket (connection->stream), TRUE, TRUE, NULL);
    }
  return G_SOURCE_CONTINUE;
}

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

static gboolean
server_listen (CsServerThread  *self,
               GError         **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) requested = g_inet_socket_address_new (loopback, self->requested_port);

  self->server = soup_server_new ("server-header", "capsolver-glib-sandbox ", NULL);
  g_object_set_data (G_OBJECT (self->server), SERVER_DATA_KEY, self);
  if (self->early_handler != NULL)
    soup_server_add_early_handler (self->server, NULL, self->early_handler, self->user_data, NULL);
  soup_server_add_handler (self->server, NULL, self->handler, self->user_data, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->server, "request-read", G_CALLBACK (request_read_cb), self);

  self->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, error);
  if (self->listener == NULL)
    return FALSE;
  g_socket_set_blocking (self->listener, FALSE);
  g_socket_set_listen_backlog (self->listener, LISTEN_BACKLOG);
  if (!g_socket_bind (self->listener, requested, TRUE, error) ||
      !g_socket_listen (self->listener, error))
    return FALSE;
  self->local_address = g_socket_get_local_address (self->listener, error);
  if (self->local_address == NULL)
    return FALSE;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (self->local_address));

  watch_listener (self);
  self->sweep_source = g_timeout_source_new (SWEEP_INTERVAL);
  g_source_set_callback (self->sweep_source, sweep_cb, self, NULL);
  g_source_attach (self->sweep_source, self->context);
  return TRUE;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static gboolean
server_quit_cb (gpointer user_data)
{
  CsServerThread *self = user_data;

  g_list_free_full (g_steal_pointer (&self->delayed), (GDestroyNotify) delayed_message_free);
  clear_source (&self->accept_source);
  clear_source (&self->sweep_source);
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
  clear_source (&self->accept_source);
  clear_source (&self->sweep_source);
  drain_context (self->context);
  g_clear_object (&self->server);
  drain_context (self->context);
  if (self->listener != NULL)
    g_socket_close (self->listener, NULL);
  g_clear_object (&self->listener);
  g_clear_object (&self->local_address);
  /* streams a client still holds (none once the server is gone) */
  while (self->connections.head != NULL)
    {
      Connection *connection = self->connections.head->data;

      g_object_weak_unref (G_OBJECT (connection->stream), connection_finalized_cb, connection);
      connection_finalized_cb (connection, NULL);
    }
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
 * NULL with @error set. @early_handler must not close the connection
 * (the handler may). */
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
  self->header_timeout = CS_SANDBOX_IDLE_TIMEOUT;
  self->idle_timeout = CS_SANDBOX_IDLE_TIMEOUT;
  self->body_timeout = CS_SANDBOX_IDLE_TIMEOUT;
  g_queue_init (&self->connections);
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

GMainContext *
_cs_server_thread_get_context (CsServerThread *self)
{
  return self->context;
}

/* Sets how long (ms, 0: forever) a connection may take to send complete
 * request headers after it is accepted, and after its previous answer,
 * and a complete request body after its headers. Applies to later
 * deadlines. Call from any thread. */
void
_cs_server_thread_set_timeouts (CsServerThread *self,
                                guint           header_timeout,
                                guint           idle_timeout,
                                guint           body_timeout)
{
  g_atomic_int_set (&self->header_timeout, MIN (header_timeout, G_MAXINT));
  g_atomic_int_set (&self->idle_timeout, MIN (idle_timeout, G_MAXINT));
  g_atomic_int_set (&self->body_timeout, MIN (body_timeout, G_MAXINT));
}

/* Connections accepted since the start, and open now. Call from any
 * thread. */
void
_cs_server_thread_get_connections (CsServerThread *self,
                                   guint          *accepted,
                                   guint          *open)
{
  *accepted = (guint) g_atomic_int_get (&self->n_accepted);
  *open = (guint) g_atomic_int_get (&self->n_open);
}

/* Closes every connection, drops the messages held back, and ends the
 * thread. Call from any thread but the server's. */
void
_cs_server_thread_stop (CsServerThread *self)
{
  g_main_context_invoke (self->context, server_quit_cb, self);
  server_thread_free (self);
}
