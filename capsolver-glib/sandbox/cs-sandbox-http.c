/* cs-sandbox-http.c: the sandbox's HTTP face, in the server thread
 *
 * Turns requests into calls of the service (cs-sandbox-service.c) and its
 * answers into replies: the injected faults and the request counters,
 * getToken requests held until their task is due, callbacks, and the
 * sandbox's own paths. The object and its API are in cs-sandbox.c.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cs-sandbox-private.h"

/* --- Faults and counters, under the lock ------------------------------------------ */

static void
count_request (CsSandbox  *self,
               const char *name)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->request_counts, name));

  self->n_requests++;
  /* a scan of a long-running sandbox must not grow the table forever:
   * past a few dozen names, new paths are counted in the total only */
  if (count == 0 && g_hash_table_size (self->request_counts) >= MAX_COUNTED_NAMES)
    return;
  g_hash_table_replace (self->request_counts, g_strdup (name), GUINT_TO_POINTER (count + 1));
}

static CsSandboxFault
take_fault (CsSandbox *self)
{
  FaultRun *run = g_queue_peek_head (&self->faults);
  CsSandboxFault fault;

  if (run == NULL)
    return CS_SANDBOX_FAULT_NONE;
  fault = run->fault;
  if (--run->remaining == 0)
    g_free (g_queue_pop_head (&self->faults));
  return fault;
}

/* --- Answering, in the server thread ------------------------------------------------- */

/* Stops keeping a request body that is over the limit, so that a huge
 * upload costs no memory; the handler then refuses it. */
static void
stop_accumulating (SoupServerMessage *message)
{
  SoupMessageBody *body = soup_server_message_get_request_body (message);

  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  g_object_set_data (G_OBJECT (message), TOO_LARGE_KEY, GINT_TO_POINTER (TRUE));
}

static void
request_chunk_cb (SoupServerMessage *message,
                  GBytes            *chunk,
                  gpointer           user_data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (message);

  if (body->length > CS_SANDBOX_MAX_REQUEST_SIZE &&
      g_object_get_data (G_OBJECT (message), TOO_LARGE_KEY) == NULL)
    stop_accumulating (message);
}

void
_cs_sandbox_http_request_headers (SoupServer        *server,
                                  SoupServerMessage *message,
                                  const char        *path,
                                  GHashTable        *query,
                                  gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);

  if (soup_message_headers_get_content_length (headers) > CS_SANDBOX_MAX_REQUEST_SIZE)
    stop_accumulating (message);
  else
    g_signal_connect (message, "got-chunk", G_CALLBACK (request_chunk_cb), NULL);
}

/* json-glib 1.6 ends a string at an escaped NUL: "KEY\u0000junk" reads
 * as "KEY", and a member "clientKey\u0000x" as "clientKey". Such a body
 * is refused, so that no key, type name or task id is compared cut short. */
static gboolean
has_escaped_nul (const char *data,
                 gsize       length)
{
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!in_string)
        in_string = data[i] == '"';
      else if (data[i] == '"')
        in_string = FALSE;
      else if (data[i] == '\\')
        {
          if (length - i >= 6 && memcmp (data + i + 1, "u0000", 5) == 0)
            return TRUE;
          i++;   /* the escaped character, a quote or a backslash maybe */
        }
    }
  return FALSE;
}

/* A reply made before the service was asked, in the sandbox's dialect. */
static guint
early_reply (CsSandbox   *self,
             const char  *method,
             guint        status,
             JsonObject **reply)
{
  g_mutex_lock (&self->lock);
  if (self->dialect != NULL)
    status = _cs_sandbox_dialect_write (self->service, self->dialect, method, status, reply);
  g_mutex_unlock (&self->lock);
  return status;
}

guint
_cs_sandbox_answer_body (CsSandbox   *self,
                         const char  *method,
                         GBytes      *body,
                         JsonObject **reply,
                         guint       *delay_ms,
                         char       **held)
{
  g_autoptr(JsonNode) root = NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);
  guint status;

  *delay_ms = 0;
  *held = NULL;
  if (data != NULL && has_escaped_nul (data, size))
    return early_reply (self, method,
                        _cs_sandbox_error_reply ("ERROR_BAD_REQUEST", "the request body holds "
                                                 "a NUL character (\\u0000)", reply),
                        reply);
  root = _cs_json_parse (data, size, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return early_reply (self, method,
                        _cs_sandbox_error_reply ("ERROR_BAD_REQUEST",
                                                 "the request body is not a JSON object", reply),
                        reply);

  g_mutex_lock (&self->lock);
  if (self->dialect != NULL)
    status = _cs_sandbox_dialect_call (self->service, self->dialect, method,
                                       json_node_get_object (root), reply, delay_ms, held);
  else
    status = _cs_sandbox_service_call (self->service, method, json_node_get_object (root), reply,
                                       delay_ms, held);
  g_mutex_unlock (&self->lock);
  return status;
}

/* The HTTP status and reply of a request that was not faulted, to send
 * after @delay_ms; or 0 and the task to wait for in @held. */
static guint
compute_answer (CsSandbox          *self,
                SoupServerMessage  *message,
                const char         *method,
                JsonObject        **reply,
                guint              *delay_ms,
                char              **held)
{
  g_autoptr(GBytes) body = NULL;

  *delay_ms = 0;
  *held = NULL;
  if (method == NULL)
    {
      _cs_sandbox_error_reply ("ERROR_PAGE_NOT_FOUND", "no such method", reply);
      return early_reply (self, method, SOUP_STATUS_NOT_FOUND, reply);
    }
  if (strcmp (soup_server_message_get_method (message), SOUP_METHOD_POST) != 0)
    {
      _cs_sandbox_error_reply ("ERROR_BAD_REQUEST", "the API only takes POST requests", reply);
      return early_reply (self, method, SOUP_STATUS_METHOD_NOT_ALLOWED, reply);
    }
  if (g_object_get_data (G_OBJECT (message), TOO_LARGE_KEY) != NULL)
    return early_reply (self, method,
                        _cs_sandbox_error_reply ("ERROR_BAD_REQUEST",
                                                 "the request body is larger than 8 MiB", reply),
                        reply);

  body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  return _cs_sandbox_answer_body (self, method, body, reply, delay_ms, held);
}

static void
write_reply (SoupServerMessage *message,
             guint              status,
             JsonObject        *reply)
{
  g_autoptr(GBytes) body = _cs_sandbox_json_to_bytes (reply);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  soup_server_message_set_status (message, status, NULL);
  soup_message_headers_replace (headers, "Content-Type", "application/json");
  if (status == SOUP_STATUS_METHOD_NOT_ALLOWED)
    soup_message_headers_replace (headers, "Allow", "POST");
  soup_message_body_append_bytes (soup_server_message_get_response_body (message), body);
}

/* --- Tasks someone waits for, in the server thread ------------------------------------ */

static void
hold_message (CsSandbox         *self,
              SoupServerMessage *message,
              char              *task_id)
{
  GList *messages = g_hash_table_lookup (self->held, task_id);

  soup_server_message_pause (message);
  g_hash_table_replace (self->held, task_id,
                        g_list_prepend (messages, g_object_ref (message)));
}

static void
answer_held (CsSandbox  *self,
             const char *task_id)
{
  GList *messages = NULL;
  g_autofree char *key = NULL;

  if (!g_hash_table_steal_extended (self->held, task_id, (gpointer *) &key,
                                    (gpointer *) &messages))
    return;
  for (GList *l = messages; l != NULL; l = l->next)
    {
      g_autoptr(JsonObject) reply = NULL;
      guint status;

      g_mutex_lock (&self->lock);
      status = _cs_sandbox_service_task_reply (self->service, task_id, TRUE, &reply);
      g_mutex_unlock (&self->lock);
      write_reply (l->data, status, reply);
      soup_server_message_unpause (l->data);
    }
  g_list_free_full (messages, g_object_unref);
}

static void
callback_sent_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  /* no retries: the receiver had its one chance */
  GBytes *body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (body != NULL)
    g_bytes_unref (body);
}

/* POSTs the task's result to its callback URL. */
static void
send_callback (CsSandbox       *self,
               CsSandboxNotice *notice)
{
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_POST, notice->callback_url);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GBytes) body = NULL;
  guint status;

  if (message == NULL || self->stopping)
    return;
  g_mutex_lock (&self->lock);
  status = _cs_sandbox_service_task_reply (self->service, notice->task_id, FALSE, &reply);
  if (self->dialect != NULL)
    _cs_sandbox_dialect_write (self->service, self->dialect, "getTaskResult", status, &reply);
  g_mutex_unlock (&self->lock);
  body = _cs_sandbox_json_to_bytes (reply);
  soup_message_set_request_body_from_bytes (message, "application/json", body);
  if (self->callbacks == NULL)
    self->callbacks = soup_session_new_with_options ("timeout", CALLBACK_TIMEOUT,
                                                     "idle-timeout", CALLBACK_TIMEOUT,
                                                     "user-agent", "capsolver-glib-sandbox ",
                                                     NULL);
  soup_session_send_and_read_async (self->callbacks, message, G_PRIORITY_DEFAULT, NULL,
                                    callback_sent_cb, NULL);
}

/* Answers the getToken requests and calls back the URLs of the tasks that
 * finished, then waits for the next. */
static void
handle_notices (CsSandbox *self)
{
  g_autoptr(GPtrArray) notices = NULL;
  gint64 next;

  g_mutex_lock (&self->lock);
  notices = _cs_sandbox_service_advance (self->service);
  next = _cs_sandbox_service_next_notice (self->service);
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < notices->len; i++)
    {
      CsSandboxNotice *notice = notices->pdata[i];

      if (notice->held)
        answer_held (self, notice->task_id);
      if (notice->callback_url != NULL)
        send_callback (self, notice);
    }
  g_source_set_ready_time (self->notice_source, next != 0 ? next : -1);
}

static gboolean
notice_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs notice_source_funcs = { NULL, NULL, notice_dispatch, NULL, NULL, NULL };

static gboolean
notice_cb (gpointer user_data)
{
  handle_notices (user_data);
  return G_SOURCE_CONTINUE;
}

/* Forgets the expired tasks of a sandbox that nobody asks (createTask
 * does it too), and once a thousand or more are gone, gives their memory
 * back: glibc keeps what is freed inside its heaps for the process, and
 * 100,000 expired tasks (110 MB) stayed resident for good. Trimming then
 * takes some 13 ms, once. */
static gboolean
expiry_cb (gpointer user_data)
{
  CsSandbox *self = user_data;
  gboolean release;

  g_mutex_lock (&self->lock);
  release = _cs_sandbox_service_expire (self->service);
  g_mutex_unlock (&self->lock);
  handle_notices (self);
#ifdef __GLIBC__
  if (release)
    malloc_trim (0);
#endif
  return G_SOURCE_CONTINUE;
}

/* The two timers of the server thread, made before the thread answers and
 * attached once there is its context: the next task due, and the sweep of
 * expired tasks. */
void
_cs_sandbox_http_make_sources (CsSandbox *self)
{
  self->notice_source = g_source_new (&notice_source_funcs, sizeof (GSource));
  g_source_set_callback (self->notice_source, notice_cb, self, NULL);
  self->expiry_source = g_timeout_source_new_seconds (EXPIRY_INTERVAL);
  g_source_set_callback (self->expiry_source, expiry_cb, self, NULL);
}

/* --- The sandbox's own paths --------------------------------------------------------- */

JsonObject *
_cs_sandbox_http_get_timings (CsSandbox *self)
{
  guint connections = 0;
  guint open_connections = 0;
  guint requests;
  JsonObject *timings;

  if (self->server_thread != NULL)
    _cs_server_thread_get_connections (self->server_thread, &connections, &open_connections);
  g_mutex_lock (&self->lock);
  requests = self->n_requests;
  timings = _cs_sandbox_service_get_timings (self->service, connections, open_connections,
                                             requests);
  g_mutex_unlock (&self->lock);
  return timings;
}

/* GET /sandbox/timings and POST /sandbox/timings/clear; FALSE for other
 * paths. */
static gboolean
handle_sandbox_path (CsSandbox         *self,
                     SoupServerMessage *message,
                     const char        *path)
{
  const char *http_method = soup_server_message_get_method (message);
  g_autoptr(JsonObject) reply = NULL;

  if (strcmp (path, TIMINGS_PATH) == 0 && strcmp (http_method, SOUP_METHOD_GET) == 0)
    reply = _cs_sandbox_http_get_timings (self);
  else if (strcmp (path, TIMINGS_PATH "/clear") == 0 &&
           strcmp (http_method, SOUP_METHOD_POST) == 0)
    {
      g_mutex_lock (&self->lock);
      _cs_sandbox_service_clear_timings (self->service);
      g_mutex_unlock (&self->lock);
      reply = json_object_new ();
      json_object_set_int_member (reply, "errorId", 0);
    }
  else
    return FALSE;
  write_reply (message, SOUP_STATUS_OK, reply);
  return TRUE;
}

static void
write_text (SoupServerMessage *message,
            guint              status,
            const char        *content_type,
            const char        *text)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, content_type, SOUP_MEMORY_STATIC,
                                    text, strlen (text));
}

static const char service_unavailable_page[] =
  "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
  "<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
  "</body>\r\n</html>\r\n";

/* The fault a request asks for in its own body, or CS_SANDBOX_FAULT_NONE. */
static CsSandboxFault
requested_fault (SoupServerMessage *message)
{
  SoupMessageBody *request_body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GEnumClass) faults = NULL;
  g_autofree char *nick = NULL;
  const char *data;
  const char *start;
  const char *end;
  gsize length;
  GEnumValue *value;

  /* a body over the size limit was not kept */
  if (!soup_message_body_get_accumulate (request_body))
    return CS_SANDBOX_FAULT_NONE;
  body = soup_message_body_flatten (request_body);
  faults = g_type_class_ref (CS_TYPE_SANDBOX_FAULT);
  data = g_bytes_get_data (body, &length);
  start = data != NULL ? g_strstr_len (data, length, CS_SANDBOX_FAULT_URL_PREFIX) : NULL;
  if (start == NULL)
    return CS_SANDBOX_FAULT_NONE;
  start += strlen (CS_SANDBOX_FAULT_URL_PREFIX);
  for (end = start; end < data + length && (g_ascii_isalnum (*end) || *end == '-'); end++)
    ;
  nick = g_strndup (start, end - start);
  value = g_enum_get_value_by_nick (faults, nick);
  return value != NULL ? (CsSandboxFault) value->value : CS_SANDBOX_FAULT_NONE;
}

/* Answers a request that was not faulted, at once, later, or when its
 * task is solved. */
static void
answer_request (CsSandbox         *self,
                SoupServer        *server,
                SoupServerMessage *message,
                const char        *method,
                guint              extra_delay)
{
  g_autoptr(JsonObject) reply = NULL;
  char *held = NULL;
  guint delay_ms = 0;
  guint status = compute_answer (self, message, method, &reply, &delay_ms, &held);

  if (held != NULL)
    hold_message (self, message, held);
  else
    {
      write_reply (message, status, reply);
      if (delay_ms + extra_delay > 0)
        _cs_server_delay_message (server, message, delay_ms + extra_delay);
    }
  handle_notices (self);
}

void
_cs_sandbox_http_request (SoupServer        *server,
                          SoupServerMessage *message,
                          const char        *path,
                          GHashTable        *query,
                          gpointer           user_data)
{
  CsSandbox *self = user_data;
  const char *method;
  CsSandboxFault fault;
  guint delay_ms;

  if (handle_sandbox_path (self, message, path))
    return;
  fault = requested_fault (message);
  g_mutex_lock (&self->lock);
  method = self->dialect != NULL ? _cs_sandbox_dialect_lookup_method (self->dialect, path)
                                 : _cs_sandbox_service_lookup_method (path);
  count_request (self, method != NULL ? method : path);
  if (fault == CS_SANDBOX_FAULT_NONE)
    fault = take_fault (self);
  delay_ms = self->fault_delay;
  g_mutex_unlock (&self->lock);

  switch (fault)
    {
    case CS_SANDBOX_FAULT_HTTP_500:
      soup_server_message_set_status (message, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      break;
    case CS_SANDBOX_FAULT_HTTP_503_HTML:
      write_text (message, SOUP_STATUS_SERVICE_UNAVAILABLE, "text/html", service_unavailable_page);
      break;
    case CS_SANDBOX_FAULT_MALFORMED_JSON:
      write_text (message, SOUP_STATUS_OK, "application/json", "{\"errorId\":0,\"taskId\":");
      break;
    case CS_SANDBOX_FAULT_DROP_CONNECTION:
      _cs_server_drop_connection (message);
      break;
    case CS_SANDBOX_FAULT_DELAY:
      answer_request (self, server, message, method, delay_ms);
      break;
    case CS_SANDBOX_FAULT_NONE:
    default:
      answer_request (self, server, message, method, 0);
      break;
    }
}
