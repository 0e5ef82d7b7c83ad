/* cs-client-call.c: one HTTP exchange of a CsClient
 *
 * A request is POSTed with a fresh message, its reply read with a size cap
 * and parsed once into a CsReply; the pause after a cooldown error is
 * enforced here, since every request passes through.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-client-private.h"

/* Remembers a cooldown error, so that the requests after it wait. */
static void
client_pause_after (CsClient     *self,
                    const GError *error)
{
  gint64 until;

  if (!self->pause_on_cooldown || error->domain != CS_ERROR ||
      cs_error_get_retry_class (error) != CS_RETRY_CLASS_COOLDOWN)
    return;

  until = g_get_monotonic_time () + (gint64) cs_error_get_cooldown (error) * G_USEC_PER_SEC;
  g_mutex_lock (&self->pause_lock);
  if (until > self->paused_until)
    {
      self->paused_until = until;
      self->paused_by = error->code;
    }
  g_mutex_unlock (&self->pause_lock);
}

/* The error of a request made during a pause, or NULL. */
static GError *
client_check_paused (CsClient *self)
{
  guint left = cs_client_get_paused_for (self);
  CsError code;

  if (left == 0)
    return NULL;
  g_mutex_lock (&self->pause_lock);
  code = self->paused_by;
  g_mutex_unlock (&self->pause_lock);
  return g_error_new (CS_ERROR, code,
                      "%s: requests are paused for %u more seconds after this error; "
                      "nothing was sent", cs_error_to_code (code), left);
}


/* --- One request ------------------------------------------------------------
 *
 * POST a JSON body to one method, read the reply with a size cap and parse
 * it into a CsReply. Every operation below goes through here.
 */

#define READ_CHUNK 16384

typedef struct {
  SoupMessage  *message;
  GInputStream *stream;
  GByteArray   *body;
  const char   *method;
  char         *url;
  GBytes       *request_body;
  gboolean      idempotent;
  guint         attempts;
  CsReply       reply;
  /* the exchange runs under a cancellable of its own, cancelled by the
   * caller's or by the request timeout */
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong        caller_handler;
  GSource      *timeout_source;
  gboolean      timed_out;
} CallData;

static void
call_data_free (CallData *data)
{
  g_clear_object (&data->message);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->body, g_byte_array_unref);
  g_free (data->url);
  g_clear_pointer (&data->request_body, g_bytes_unref);
  _cs_reply_clear (&data->reply);
  if (data->caller_handler != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_handler);
  g_clear_object (&data->caller_cancellable);
  if (data->timeout_source != NULL)
    {
      g_source_destroy (data->timeout_source);
      g_source_unref (data->timeout_source);
    }
  g_clear_object (&data->cancellable);
  g_free (data);
}

static void
call_caller_cancelled_cb (GCancellable *caller_cancellable,
                          GCancellable *cancellable)
{
  g_cancellable_cancel (cancellable);
}

static gboolean
call_timeout_cb (gpointer user_data)
{
  CallData *data = user_data;

  data->timed_out = TRUE;
  g_cancellable_cancel (data->cancellable);
  return G_SOURCE_REMOVE;
}

/* Starts the clock of one exchange. The timeout source holds no reference
 * on the GTask; the task data destroys it. */
static void
call_data_start_clock (CallData     *data,
                       GTask        *task,
                       guint         timeout_ms,
                       GCancellable *caller_cancellable)
{
  data->cancellable = g_cancellable_new ();
  if (caller_cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (caller_cancellable);
      data->caller_handler = g_cancellable_connect (caller_cancellable,
                                                    G_CALLBACK (call_caller_cancelled_cb),
                                                    g_object_ref (data->cancellable),
                                                    g_object_unref);
    }
  data->timeout_source = g_timeout_source_new (timeout_ms);
  g_source_set_callback (data->timeout_source, call_timeout_cb, data, NULL);
  g_source_attach (data->timeout_source, g_task_get_context (task));
}

/* A cancellation that the request timeout caused is a time-out. */
static void
call_return_error (GTask  *task,
                   GError *error)
{
  CallData *data = g_task_get_task_data (task);

  if (data->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      CsClient *self = g_task_get_source_object (task);

      g_error_free (error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "%s: no complete reply within %u ms", data->method,
                               self->request_timeout);
      return;
    }
  g_task_return_error (task, error);
}

static void call_send (GTask *task);

static void call_read_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data);

static void
call_read_next (GTask *task)
{
  CallData *data = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (data->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   data->cancellable, call_read_cb, task);
}

static void
call_finish_body (GTask *task)
{
  CsClient *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&data->body));
  guint status = soup_message_get_status (data->message);
  GError *error = NULL;

  g_debug ("%s: HTTP %u, %" G_GSIZE_FORMAT " bytes", data->method, status,
           g_bytes_get_size (body));

  if (!_cs_reply_parse (&data->reply, status, body, self->api_key, &error))
    {
      g_debug ("%s: %s", data->method, error->message);
      client_pause_after (self, error);
      /* data->reply is kept: a failed status still tells the task's fate */
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* A kept-alive connection the server closed while it sat idle fails the
 * next request sent on it, and libsoup resends only GET-like methods by
 * itself. A request that is safe to repeat gets one more try on a new
 * connection; createTask never does. */
static gboolean
call_retry_on_stale_connection (GTask  *task,
                                GError *error)
{
  CallData *data = g_task_get_task_data (task);

  if (!data->idempotent || data->attempts > 1 ||
      !(g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT)))
    return FALSE;

  g_debug ("%s: %s; sending again on a new connection", data->method, error->message);
  g_error_free (error);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->body, g_byte_array_unref);
  call_send (task);
  return TRUE;
}

static void
call_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      GTask *owned = g_steal_pointer (&task);

      if (!call_retry_on_stale_connection (owned, error))
        {
          call_return_error (owned, error);
          g_object_unref (owned);
        }
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      /* Closing the body ends the message in libsoup now, on this
       * context, rather than whenever the stream is freed: a blocking
       * call stops iterating its private context once it has a result. */
      g_input_stream_close (data->stream, NULL, NULL);
      call_finish_body (task);
      return;
    }
  if (data->body->len + g_bytes_get_size (chunk) > CS_MAX_REPLY_SIZE)
    {
      g_task_return_new_error (task, CS_ERROR, CS_ERROR_PROTOCOL,
                               "HTTP %u: reply is larger than %d bytes",
                               soup_message_get_status (data->message), CS_MAX_REPLY_SIZE);
      return;
    }
  g_byte_array_append (data->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  call_read_next (g_steal_pointer (&task));
}

static void
call_send_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (data->stream == NULL)
    {
      GTask *owned = g_steal_pointer (&task);

      if (!call_retry_on_stale_connection (owned, error))
        {
          g_debug ("%s: %s", data->method, error->message);
          call_return_error (owned, error);
          g_object_unref (owned);
        }
      return;
    }
  data->body = g_byte_array_new ();
  call_read_next (g_steal_pointer (&task));
}

void
_cs_client_call_async (CsClient            *self,
                      const char          *method,
                      JsonObject          *body,
                      gboolean             idempotent,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *url = g_strconcat (self->base_url, "/", method, NULL);
  CallData *data;
  GError *paused;

  g_task_set_source_tag (task, _cs_client_call_async);

  data = g_new0 (CallData, 1);
  data->method = method;
  data->url = g_steal_pointer (&url);
  data->request_body = _cs_json_to_bytes (body);
  data->idempotent = idempotent;
  g_task_set_task_data (task, data, (GDestroyNotify) call_data_free);

  paused = client_check_paused (self);
  if (paused != NULL)
    {
      g_debug ("%s: %s", method, paused->message);
      g_task_return_error (task, paused);
      return;
    }
  call_data_start_clock (data, task, self->request_timeout, cancellable);
  call_send (g_steal_pointer (&task));
}

/* Sends the request with a fresh message: a message is never queued twice. */
static void
call_send (GTask *task)
{
  CsClient *self = g_task_get_source_object (task);
  CallData *data = g_task_get_task_data (task);

  g_clear_object (&data->message);
  data->message = soup_message_new (SOUP_METHOD_POST, data->url);
  if (data->message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "cannot send to “%s”: not an HTTP URL", self->base_url);
      g_object_unref (task);
      return;
    }
  data->attempts++;
  /* Polls and balance reads may be repeated safely: let libsoup keep the
   * connection. createTask is never flagged, so it is never resent. */
  if (data->idempotent)
    soup_message_add_flags (data->message, SOUP_MESSAGE_IDEMPOTENT);
  soup_message_set_request_body_from_bytes (data->message, "application/json",
                                            data->request_body);
  soup_message_headers_replace (soup_message_get_request_headers (data->message),
                                "Accept", "application/json");

  g_debug ("%s: POST %s", data->method, data->url);
  soup_session_send_async (self->session, data->message, G_PRIORITY_DEFAULT,
                           data->cancellable, call_send_cb, task);
}

/* On success, @reply takes the parsed reply. On failure, @reply still gets
 * the parsed body if there was one (its root is NULL otherwise). */
gboolean
_cs_client_call_finish (CsClient      *self,
                       GAsyncResult  *result,
                       CsReply       *reply,
                       GError       **error)
{
  CallData *data = g_task_get_task_data (G_TASK (result));

  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == _cs_client_call_async, FALSE);

  *reply = data->reply;
  memset (&data->reply, 0, sizeof data->reply);
  return g_task_propagate_boolean (G_TASK (result), error);
}

