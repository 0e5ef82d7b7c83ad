/* mock-server.c: a scripted CapSolver server for the C tests
 *
 * The server is the sandbox's server thread (cs-sandbox-server.c): a
 * SoupServer on 127.0.0.1 in a thread with its own main context, since a
 * blocking client call on the test thread would otherwise wait for a
 * server that can never run. This file gives it the handler. Scripts and
 * records are shared with the test thread under one mutex.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "cs-sandbox-private.h"
#include "mock-server.h"

typedef enum {
  REPLY_RESPOND,
  REPLY_DROP,
} ReplyKind;

typedef struct {
  ReplyKind  kind;
  guint      status;
  char      *content_type;
  GBytes    *body;
  guint      delay_ms;
} MockReply;

typedef struct {
  char               *method;
  char               *http_method;
  char               *body;
  SoupMessageHeaders *headers;
} MockRequest;

struct _MockServer
{
  GMutex          lock;
  CsServerThread *thread;
  char           *url;

  /* under the lock */
  GHashTable     *scripts;     /* method → GQueue of MockReply */
  GHashTable     *fallbacks;   /* method → MockReply */
  GPtrArray      *requests;    /* MockRequest, in the order they came */
};

/* --- Replies and requests ------------------------------------------------ */

static MockReply *
mock_reply_new (ReplyKind   kind,
                guint       status,
                const char *content_type,
                GBytes     *body,
                guint       delay_ms)
{
  MockReply *reply = g_new0 (MockReply, 1);

  reply->kind = kind;
  reply->status = status;
  reply->content_type = g_strdup (content_type);
  reply->body = body != NULL ? g_bytes_ref (body) : NULL;
  reply->delay_ms = delay_ms;
  return reply;
}

static MockReply *
mock_reply_new_json (guint       status,
                     const char *json,
                     guint       delay_ms)
{
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  return mock_reply_new (REPLY_RESPOND, status, "application/json", body, delay_ms);
}

static MockReply *
mock_reply_copy (const MockReply *reply)
{
  return mock_reply_new (reply->kind, reply->status, reply->content_type, reply->body,
                         reply->delay_ms);
}

static void
mock_reply_free (MockReply *reply)
{
  g_free (reply->content_type);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_free (reply);
}

static void
mock_request_free (MockRequest *request)
{
  g_free (request->method);
  g_free (request->http_method);
  g_free (request->body);
  soup_message_headers_unref (request->headers);
  g_free (request);
}

static void
script_free (GQueue *script)
{
  g_queue_free_full (script, (GDestroyNotify) mock_reply_free);
}

static void
mock_server_push_reply (MockServer *self,
                        const char *method,
                        MockReply  *reply)
{
  GQueue *script;

  g_mutex_lock (&self->lock);
  script = g_hash_table_lookup (self->scripts, method);
  if (script == NULL)
    {
      script = g_queue_new ();
      g_hash_table_insert (self->scripts, g_strdup (method), script);
    }
  g_queue_push_tail (script, reply);
  g_mutex_unlock (&self->lock);
}

/* The next reply for @method, owned by the caller, or NULL. */
static MockReply *
mock_server_take_reply (MockServer *self,
                        const char *method)
{
  MockReply *reply = NULL;
  GQueue *script;

  g_mutex_lock (&self->lock);
  script = g_hash_table_lookup (self->scripts, method);
  if (script != NULL && !g_queue_is_empty (script))
    reply = g_queue_pop_head (script);
  else if (g_hash_table_contains (self->fallbacks, method))
    reply = mock_reply_copy (g_hash_table_lookup (self->fallbacks, method));
  g_mutex_unlock (&self->lock);
  return reply;
}

static void
mock_server_record (MockServer        *self,
                    const char        *method,
                    SoupServerMessage *message)
{
  MockRequest *request = g_new0 (MockRequest, 1);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (message));

  request->method = g_strdup (method);
  request->http_method = g_strdup (soup_server_message_get_method (message));
  request->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  request->headers = soup_message_headers_ref (soup_server_message_get_request_headers (message));

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->requests, request);
  g_mutex_unlock (&self->lock);
}

/* --- Answering, in the server thread ---------------------------------------- */

static void
write_reply (SoupServerMessage *message,
             const MockReply   *reply)
{
  soup_server_message_set_status (message, reply->status, NULL);
  if (reply->content_type != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                  "Content-Type", reply->content_type);
  if (reply->body != NULL && g_bytes_get_size (reply->body) > 0)
    soup_message_body_append_bytes (soup_server_message_get_response_body (message),
                                    reply->body);
}

static void
handle_request (SoupServer        *soup_server,
                SoupServerMessage *message,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  MockServer *self = user_data;
  const char *method = path[0] == '/' ? path + 1 : path;
  MockReply *reply;

  mock_server_record (self, method, message);
  reply = mock_server_take_reply (self, method);
  if (reply == NULL)
    {
      g_autofree char *text = g_strdup_printf ("no reply scripted for %s", method);

      soup_server_message_set_status (message, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_COPY,
                                        text, strlen (text));
      return;
    }

  if (reply->kind == REPLY_DROP)
    _cs_server_drop_connection (message);
  else
    {
      write_reply (message, reply);
      /* answered now, sent once the delay is over, unless the client has
       * given up by then or the server stops first */
      if (reply->delay_ms > 0)
        _cs_server_delay_message (soup_server, message, reply->delay_ms);
    }
  mock_reply_free (reply);
}

/* --- The server ------------------------------------------------------------- */

/**
 * mock_server_new:
 *
 * Starts a server on 127.0.0.1, on a free port, in a thread of its own.
 *
 * Returns: the server, to free with mock_server_free()
 */
MockServer *
mock_server_new (void)
{
  MockServer *self = g_new0 (MockServer, 1);
  g_autoptr(GError) error = NULL;

  g_mutex_init (&self->lock);
  self->scripts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) script_free);
  self->fallbacks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) mock_reply_free);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) mock_request_free);

  self->thread = _cs_server_thread_start (0, NULL, handle_request, self, &error);
  g_assert_no_error (error);
  /* the client appends "/method" itself */
  self->url = g_strdup_printf ("http://127.0.0.1:%u", _cs_server_thread_get_port (self->thread));

  return self;
}

/**
 * mock_server_free:
 * @server: a #MockServer
 *
 * Stops the server and its thread, dropping the replies still delayed.
 */
void
mock_server_free (MockServer *server)
{
  _cs_server_thread_stop (server->thread);

  g_hash_table_unref (server->scripts);
  g_hash_table_unref (server->fallbacks);
  g_ptr_array_unref (server->requests);
  g_free (server->url);
  g_mutex_clear (&server->lock);
  g_free (server);
}

/**
 * mock_server_get_url:
 * @server: a #MockServer
 *
 * Returns: the base URL of the server, without a trailing slash
 */
const char *
mock_server_get_url (MockServer *server)
{
  return server->url;
}

/**
 * mock_server_new_client:
 * @server: a #MockServer
 * @api_key: (nullable): the key of the client
 *
 * Makes a client that talks to @server and polls every few milliseconds,
 * and sends a request again a few milliseconds after an outage.
 *
 * Returns: (transfer full): a new client
 */
CsClient *
mock_server_new_client (MockServer *server,
                        const char *api_key)
{
  CsClient *client = cs_client_new (api_key);

  cs_client_set_base_url (client, server->url);
  cs_client_set_first_poll_delay (client, 5);
  cs_client_set_poll_interval (client, 5);
  /* tests script error codes one after another: the pause that follows
   * a cooldown error has tests of its own */
  cs_client_set_pause_on_cooldown (client, FALSE);
  /* so are the breaker after an account error, and the balance cache:
   * tests count the requests a call makes */
  cs_client_set_account_breaker (client, FALSE);
  cs_client_set_balance_cache_time (client, 0);
  /* and outages a few replies long: the waits before sending again are
   * as short as the polls */
  client->outage_backoff = 5;
  return client;
}

/**
 * mock_server_add_reply:
 * @server: a #MockServer
 * @method: an API method, such as "createTask"
 * @http_status: the HTTP status of the reply
 * @json: the body, sent as application/json
 *
 * Queues a reply for the next request of @method.
 */
void
mock_server_add_reply (MockServer *server,
                       const char *method,
                       guint       http_status,
                       const char *json)
{
  mock_server_push_reply (server, method, mock_reply_new_json (http_status, json, 0));
}

/**
 * mock_server_add_raw_reply:
 * @server: a #MockServer
 * @method: an API method
 * @http_status: the HTTP status of the reply
 * @content_type: (nullable): the Content-Type, or %NULL for none
 * @body: (nullable): the body, or %NULL for an empty one
 *
 * Queues a reply of any content, such as an HTML error page.
 */
void
mock_server_add_raw_reply (MockServer *server,
                           const char *method,
                           guint       http_status,
                           const char *content_type,
                           GBytes     *body)
{
  mock_server_push_reply (server, method,
                          mock_reply_new (REPLY_RESPOND, http_status, content_type, body, 0));
}

/**
 * mock_server_add_delayed_reply:
 * @server: a #MockServer
 * @method: an API method
 * @delay_ms: how long the server holds the request before it answers
 * @http_status: the HTTP status of the reply
 * @json: the body, sent as application/json
 *
 * Queues a reply that comes @delay_ms after the request. A client that
 * gives up sooner gets nothing; the server stays responsive meanwhile.
 */
void
mock_server_add_delayed_reply (MockServer *server,
                               const char *method,
                               guint       delay_ms,
                               guint       http_status,
                               const char *json)
{
  mock_server_push_reply (server, method, mock_reply_new_json (http_status, json, delay_ms));
}

/**
 * mock_server_add_drop:
 * @server: a #MockServer
 * @method: an API method
 *
 * Queues a dropped connection: the server reads the request and closes
 * the connection without answering.
 */
void
mock_server_add_drop (MockServer *server,
                      const char *method)
{
  mock_server_push_reply (server, method, mock_reply_new (REPLY_DROP, 0, NULL, NULL, 0));
}

/**
 * mock_server_set_fallback:
 * @server: a #MockServer
 * @method: an API method
 * @http_status: the HTTP status of the reply
 * @json: the body, sent as application/json
 *
 * Sets the reply to every request of @method once its queue is empty,
 * such as a "processing" status for as many polls as the client sends.
 */
void
mock_server_set_fallback (MockServer *server,
                          const char *method,
                          guint       http_status,
                          const char *json)
{
  g_mutex_lock (&server->lock);
  g_hash_table_insert (server->fallbacks, g_strdup (method),
                       mock_reply_new_json (http_status, json, 0));
  g_mutex_unlock (&server->lock);
}

/* Request @index among those of @method (of all methods if NULL), or
 * NULL. Call with the lock held. */
static MockRequest *
find_request (MockServer *self,
              const char *method,
              guint       index)
{
  for (guint i = 0; i < self->requests->len; i++)
    {
      MockRequest *request = g_ptr_array_index (self->requests, i);

      if (method != NULL && g_strcmp0 (request->method, method) != 0)
        continue;
      if (index == 0)
        return request;
      index--;
    }
  return NULL;
}

/**
 * mock_server_count_requests:
 * @server: a #MockServer
 * @method: (nullable): an API method, or %NULL for all
 *
 * Returns: how many requests of @method the server has received
 */
guint
mock_server_count_requests (MockServer *server,
                            const char *method)
{
  guint count = 0;

  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->requests->len; i++)
    {
      MockRequest *request = g_ptr_array_index (server->requests, i);

      if (method == NULL || g_strcmp0 (request->method, method) == 0)
        count++;
    }
  g_mutex_unlock (&server->lock);
  return count;
}

/* A copy of one part of a request: its body when @header is NULL, its
 * HTTP method for "Method", a header otherwise. */
static char *
dup_request_part (MockServer *self,
                  const char *method,
                  guint       index,
                  const char *header)
{
  MockRequest *request;
  char *value = NULL;

  g_mutex_lock (&self->lock);
  request = find_request (self, method, index);
  if (request != NULL && header == NULL)
    value = g_strdup (request->body);
  else if (request != NULL && g_ascii_strcasecmp (header, "Method") == 0)
    value = g_strdup (request->http_method);
  else if (request != NULL)
    value = g_strdup (soup_message_headers_get_one (request->headers, header));
  g_mutex_unlock (&self->lock);
  return value;
}

/**
 * mock_server_dup_request_body:
 * @server: a #MockServer
 * @method: (nullable): an API method, or %NULL for all
 * @index: which request of @method, from 0
 *
 * Returns: (nullable): the body of that request as text, or %NULL if
 *   there was no such request
 */
char *
mock_server_dup_request_body (MockServer *server,
                              const char *method,
                              guint       index)
{
  return dup_request_part (server, method, index, NULL);
}

/**
 * mock_server_dup_request_header:
 * @server: a #MockServer
 * @method: (nullable): an API method, or %NULL for all
 * @index: which request of @method, from 0
 * @header: a header name; "Method" gives the HTTP method
 *
 * Returns: (nullable): the value of @header in that request, or %NULL
 */
char *
mock_server_dup_request_header (MockServer *server,
                                const char *method,
                                guint       index,
                                const char *header)
{
  return dup_request_part (server, method, index, header);
}

/**
 * mock_server_dup_request_json:
 * @server: a #MockServer
 * @method: (nullable): an API method, or %NULL for all
 * @index: which request of @method, from 0
 *
 * Parses the body of a request; fails the test if it is not a JSON object.
 *
 * Returns: (transfer full): the body as a JSON object
 */
JsonObject *
mock_server_dup_request_json (MockServer *server,
                              const char *method,
                              guint       index)
{
  g_autofree char *body = mock_server_dup_request_body (server, method, index);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_nonnull (body);
  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

/* --- Waiting ------------------------------------------------------------------ */

void
mock_store_result (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static gboolean
wait_timed_out_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * mock_wait_result:
 * @slot: where mock_store_result() puts the result
 *
 * Iterates the thread-default main context until @slot is set.
 *
 * Returns: (transfer full): the result, taken out of @slot
 */
GAsyncResult *
mock_wait_result (GAsyncResult **slot)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (MOCK_WAIT_TIMEOUT);
  gboolean timed_out = FALSE;

  g_source_set_callback (timeout, wait_timed_out_cb, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (*slot == NULL && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_main_context_unref (context);

  if (*slot == NULL)
    g_error ("no result after %d seconds", MOCK_WAIT_TIMEOUT);
  return g_steal_pointer (slot);
}

/* --- Tasks ---------------------------------------------------------------- */

/* The image of 2Captcha's documented request, which every provider takes. */
CsTask *
mock_new_image_task (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "dialects", "2captcha",
                                                 "create-image-to-text.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *neutral;
  CsTask *task;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  root = json_from_string (text, &error);
  g_assert_no_error (error);
  neutral = json_object_get_object_member (json_node_get_object (root), "neutral");
  g_assert_cmpstr (json_object_get_string_member (neutral, "type"), ==, "ImageToTextTask");
  task = cs_task_new ("ImageToTextTask");
  cs_task_set_string (task, "body", json_object_get_string_member (neutral, "body"));
  return task;
}
