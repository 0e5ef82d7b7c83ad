/* cs-client-call.c: one HTTP exchange of a CsClient, and the queue before it
 *
 * A request is POSTed with a fresh message, its reply read with a size
 * cap, decoded if compressed, and parsed once into a CsReply. The client
 * admits to libsoup at most as many requests as it has connections and
 * keeps the others in a queue of its own: libsoup walks its whole queue
 * on every event, cannot cancel a message that waits for a connection,
 * and drops the idle connections of every host when its slots are full.
 * Here a request that waits is only a link in a list, and cancelling it or
 * reaching its solve's deadline ends it at once. The pause after a
 * cooldown error is enforced here too, since every request passes
 * through, and so is the bookkeeping of blocking calls, whose requests
 * skip the queue.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "cs-client-private.h"

#define READ_CHUNK 16384
/* decoded a step at a time, so that a bomb stops at the limit */
#define DECODE_STEP 65536
/* What the client asks for (docs/connections.md has the measures). */
#define ACCEPT_ENCODING "gzip, deflate"
/* Set on a request the client held back (_cs_client_call_was_held_back()). */
#define HELD_BACK "cs-held-back"
/* Set on a message once libsoup wrote its headers. */
#define CALL_WROTE "cs-wrote"
/* how long a message may wait for libsoup to give it a connection
 * before it is sent again, doubling up to the second figure */
#define CS_CONNECTION_WAIT_MS 250
#define CS_CONNECTION_WAIT_MAX_MS 8000
/* how long a call whose reply is in waits for libsoup to finish it */
#define FINISH_WAIT_MS 1000

/* What an exchange about @task (nullable) must never repeat: the key, the
 * login and password of the task's proxy. NULL-terminated. */
GStrv
_cs_client_dup_secrets (CsClient *self,
                        CsTask   *task)
{
  GPtrArray *secrets = g_ptr_array_new ();

  if (self->api_key != NULL && *self->api_key != '\0')
    g_ptr_array_add (secrets, g_strdup (self->api_key));
  if (task != NULL)
    _cs_task_add_secrets (task, secrets);
  g_ptr_array_add (secrets, NULL);
  return (GStrv) g_ptr_array_free (secrets, FALSE);
}

/* --- Blocking calls ------------------------------------------------------------
 *
 * A blocking call (cs-client-sync.c) runs its asynchronous form on a main
 * context of its own, pushed as the thread default, and iterates only
 * that context until the call is done. Its requests skip the queue; a
 * request that must complete even if its caller stops waiting (a
 * createTask that left) holds the call until it did, since nothing
 * iterates that context afterwards.
 */

/* The blocking call the thread is in, if any. */
static GPrivate current_blocking_call;

void
_cs_client_blocking_call_begin (CsBlockingCall *call)
{
  call->context = g_main_context_new ();
  call->holds = 0;
  call->outer = g_private_get (&current_blocking_call);
  g_main_context_push_thread_default (call->context);
  g_private_set (&current_blocking_call, call);
}

void
_cs_client_blocking_call_end (CsBlockingCall *call)
{
  /* libsoup finishes a message on the context that sent it, in a source
   * of its own: dispatch it, or the session keeps the message queued on a
   * context that is about to go, and the next call waits forever. */
  while (g_main_context_pending (call->context))
    g_main_context_iteration (call->context, FALSE);
  g_private_set (&current_blocking_call, call->outer);
  g_main_context_pop_thread_default (call->context);
  g_main_context_unref (call->context);
}

static gboolean
_cs_client_in_blocking_call (void)
{
  CsBlockingCall *call = g_private_get (&current_blocking_call);

  return call != NULL && call->context == g_main_context_get_thread_default ();
}

/* NULL outside a blocking call. */
gpointer
_cs_client_hold_blocking_call (void)
{
  CsBlockingCall *call = g_private_get (&current_blocking_call);

  if (call == NULL || call->context != g_main_context_get_thread_default ())
    return NULL;
  call->holds++;
  return call;
}

/* Runs on the held call's context, in its thread. */
void
_cs_client_release_blocking_call (gpointer hold)
{
  CsBlockingCall *call = hold;

  if (call == NULL)
    return;
  call->holds--;
  g_main_context_wakeup (call->context);
}

/* --- The account's breaker ---------------------------------------------------
 *
 * An answer that says the account cannot be used (cs-error.c's column)
 * pauses or holds the account in the registry (cs-account.c), which every
 * client with the key shares; every request is checked against it when it
 * is made and when it leaves the queue, and the account's wake-up ends the
 * queued ones (cs-client-account.c).
 */

/* The client's account, or NULL without a key. */
CsAccount *
_cs_client_ref_account (CsClient *self)
{
  CsAccount *account;

  g_mutex_lock (&self->account_lock);
  account = self->account != NULL ? _cs_account_ref (self->account) : NULL;
  g_mutex_unlock (&self->account_lock);
  return account;
}

/* Remembers what an answer says of the account: @seconds, when not
 * negative, overrides a cooldown's own length (Retry-After), 0 meaning
 * no pause at all. @error is redacted already. */
static void
trip (CsClient     *self,
      CsAccount    *account,
      const GError *error,
      gint64        seconds)
{
  CsHold hold = _cs_error_get_hold (error);

  if (account == NULL || hold == CS_HOLD_NONE)
    return;
  if (hold == CS_HOLD_ALL || hold == CS_HOLD_SPENDING)
    {
      if (self->account_breaker)
        _cs_account_hold (account, hold, error);
      return;
    }
  if (!self->pause_on_cooldown)
    return;
  if (seconds < 0)
    seconds = cs_error_get_cooldown (error);
  if (seconds <= 0)
    return;
  if (hold == CS_HOLD_PAUSE_ADDRESS)
    _cs_account_pause_address (account, error, (guint) MIN (seconds, CS_MAX_PAUSE));
  else
    _cs_account_pause (account, error, (guint) MIN (seconds, CS_MAX_PAUSE));
}

static gboolean
call_spends (CsCallFlags flags)
{
  return (flags & CS_CALL_SPENDS) != 0;
}

/* The error of a request that the account holds back, or NULL. */
static GError *
check_account (CsClient    *self,
               CsAccount   *account,
               const char  *method,
               CsCallFlags  flags)
{
  if (account == NULL)
    return NULL;
  return _cs_account_check (account, method, call_spends (flags), self->pause_on_cooldown,
                            self->account_breaker);
}

/* --- Content codings --------------------------------------------------------
 *
 * A reply's body is decoded here, not by libsoup's SoupContentDecoder,
 * which every session has unless removed: its stream ends a compressed
 * body cut short as if complete, hides a Content-Length that counts the
 * encoded bytes, and a session of the application's may have it or not.
 * The client reads the bytes as sent (Content-Length checked on them),
 * then decodes them whole, counting the limit on what they decode to.
 */

typedef enum {
  CODING_IDENTITY,
  CODING_GZIP,
  CODING_DEFLATE,
  CODING_UNKNOWN,
} Coding;

static const char * const coding_names[] = { "identity", "gzip", "deflate", "unknown" };

static Coding
reply_coding (SoupMessage *message)
{
  const char *value = soup_message_headers_get_list (soup_message_get_response_headers (message),
                                                     "Content-Encoding");

  if (value == NULL || g_ascii_strcasecmp (value, "identity") == 0)
    return CODING_IDENTITY;
  if (g_ascii_strcasecmp (value, "gzip") == 0 || g_ascii_strcasecmp (value, "x-gzip") == 0)
    return CODING_GZIP;
  if (g_ascii_strcasecmp (value, "deflate") == 0)
    return CODING_DEFLATE;
  return CODING_UNKNOWN;
}

/* "deflate" is zlib's format (RFC 9110), but some servers send the bare
 * deflate stream: a zlib header is a multiple of 31, deflate method 8. */
static GZlibCompressorFormat
deflate_format (const guint8 *bytes,
                gsize         size)
{
  if (size >= 2 && (bytes[0] & 0x0f) == 8 && (bytes[0] * 256 + bytes[1]) % 31 == 0)
    return G_ZLIB_COMPRESSOR_FORMAT_ZLIB;
  return G_ZLIB_COMPRESSOR_FORMAT_RAW;
}

/* The decoded body of a reply in @coding, at most CS_MAX_REPLY_SIZE
 * bytes; bytes after the end of the compressed stream are ignored, as
 * libsoup does. No body at all is an empty one. */
static GBytes *
decode_body (GBytes  *body,
             Coding   coding,
             guint    status,
             GError **error)
{
  gsize size;
  const guint8 *in = g_bytes_get_data (body, &size);
  g_autoptr(GZlibDecompressor) decoder = NULL;
  g_autoptr(GByteArray) out = NULL;
  gsize consumed = 0;

  if (coding == CODING_IDENTITY || size == 0)
    return g_bytes_ref (body);
  if (coding == CODING_UNKNOWN)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                   "HTTP %u: reply in a content coding the client does not read", status);
      return NULL;
    }

  decoder = g_zlib_decompressor_new (coding == CODING_GZIP ? G_ZLIB_COMPRESSOR_FORMAT_GZIP
                                                           : deflate_format (in, size));
  out = g_byte_array_new ();
  for (;;)
    {
      guint before = out->len;
      gsize n_read = 0;
      gsize n_written = 0;
      g_autoptr(GError) local_error = NULL;
      GConverterResult result;

      g_byte_array_set_size (out, before + DECODE_STEP);
      result = g_converter_convert (G_CONVERTER (decoder), in + consumed, size - consumed,
                                    out->data + before, DECODE_STEP, G_CONVERTER_INPUT_AT_END,
                                    &n_read, &n_written, &local_error);
      g_byte_array_set_size (out, before + n_written);
      consumed += n_read;
      if (result == G_CONVERTER_ERROR)
        {
          /* zlib wants more than there is: the stream does not end */
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
            g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                         "HTTP %u: %s reply cut short: its %" G_GSIZE_FORMAT " bytes end "
                         "before the compressed data does", status, coding_names[coding], size);
          else
            g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                         "HTTP %u: %s reply is not valid %s data", status, coding_names[coding],
                         coding_names[coding]);
          return NULL;
        }
      if (out->len > CS_MAX_REPLY_SIZE)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                       "HTTP %u: reply is larger than %d bytes once decoded (%s)", status,
                       CS_MAX_REPLY_SIZE, coding_names[coding]);
          return NULL;
        }
      if (result == G_CONVERTER_FINISHED)
        return g_byte_array_free_to_bytes (g_steal_pointer (&out));
    }
}

/* --- One exchange ------------------------------------------------------------ */

typedef enum {
  CALL_WAITING,    /* in the client's queue */
  CALL_SENDING,    /* given to libsoup: holds one of the client's slots */
  CALL_WITHDRAWN,  /* left the queue unsent; its end is on its way */
  CALL_PACING,     /* a blocking call's paced request, waiting for its turn */
} CallState;

typedef struct {
  GList         link;              /* in a queue of the client while waiting */
  CallState     state;             /* under the client's queue_lock */
  GMainContext *context;           /* the GTask's: everything runs there */
  SoupMessage  *message;
  GInputStream *stream;
  GByteArray   *body;
  const char   *method;
  GUri         *uri;
  GBytes       *request_body;
  GStrv         secrets;           /* hidden in its errors and log lines */
  CsAccount    *account;           /* the client's when it was made */
  GError       *held;              /* why the account held it back */
  CsCallFlags   flags;
  guint         attempts;
  guint         slot_generation;   /* of the pace it left under (CS_CALL_PACED) */
  gboolean      paced;             /* the queue let it go at its turn */
  CsReply       reply;
  /* the exchange runs under a cancellable of its own, cancelled by the
   * caller's or by the request timeout; the unsent cancellable only takes
   * a request out of the queue */
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong        caller_handler;
  GCancellable *unsent_cancellable;
  gulong        unsent_handler;
  GSource      *timeout_source;
  GSource      *connection_watch;  /* until libsoup gives the message a connection */
  guint         connection_wait_ms;
  SoupSession  *session;           /* the one it was sent on */
  guint         held_session;      /* which of the held requests' */
  gboolean      timed_out;
  gboolean      ended;             /* returned: libsoup's late news is dropped */
  /* the reply is read: the call ends once libsoup finished its message */
  gboolean      message_finished;
  gboolean      end_pending;
  GError       *pending_error;
  GSource      *finish_wait;
  guint         endpoint;          /* the index of the endpoint it goes to */
  guint         endpoint_generation;
  guint         endpoints_tried;   /* besides the first */
  gboolean      endpoint_down;     /* it failed as an endpoint that is down does */
  gboolean      down_unsent;       /* and that attempt provably never reached it */
  gboolean      gated;             /* holds a place at the account's gate */
} CallData;

/* Disconnects the handlers of the caller's cancellables; waits for one
 * running in another thread. Never called from one of them. */
static void
call_data_disconnect (CallData *data)
{
  if (data->caller_handler != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_handler);
  if (data->unsent_handler != 0)
    g_cancellable_disconnect (data->unsent_cancellable, data->unsent_handler);
  data->caller_handler = 0;
  data->unsent_handler = 0;
}

/* Closes the body stream while its message and connection are there:
 * libsoup 3.2 crashes closing one later, from the finalization of the
 * last GIO operation that held it. */
static void
call_close_stream (CallData *data)
{
  if (data->stream != NULL && !g_input_stream_is_closed (data->stream) &&
      !g_input_stream_has_pending (data->stream))
    g_input_stream_close (data->stream, NULL, NULL);
}

static void
call_data_free (CallData *data)
{
  call_data_disconnect (data);
  call_close_stream (data);
  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->unsent_cancellable);
  g_clear_object (&data->stream);
  g_clear_object (&data->message);
  g_clear_pointer (&data->body, g_byte_array_unref);
  g_clear_pointer (&data->uri, g_uri_unref);
  g_clear_pointer (&data->request_body, g_bytes_unref);
  g_strfreev (data->secrets);
  g_clear_pointer (&data->account, _cs_account_unref);
  g_clear_error (&data->held);
  _cs_reply_clear (&data->reply);
  if (data->timeout_source != NULL)
    {
      g_source_destroy (data->timeout_source);
      g_source_unref (data->timeout_source);
    }
  if (data->connection_watch != NULL)
    {
      g_source_destroy (data->connection_watch);
      g_source_unref (data->connection_watch);
    }
  if (data->finish_wait != NULL)
    {
      g_source_destroy (data->finish_wait);
      g_source_unref (data->finish_wait);
    }
  g_clear_error (&data->pending_error);
  g_clear_object (&data->cancellable);
  g_main_context_unref (data->context);
  g_free (data);
}

/* --- Endpoints ----------------------------------------------------------------
 *
 * The client has an ordered list of endpoints, hosts of one service that
 * share its accounts and tasks, and sends each request to the one in use.
 * A request that finds its endpoint down moves the client to the next (a
 * request that met the failure after the client moved on moves nothing),
 * and, if it is safe to send again, goes there itself. Off the first
 * endpoint, a probe at waits that double brings the client back to it
 * once it answers. docs/failover.md says when a request moves.
 */

/* Whether a request may go to @base_url: the checks each endpoint passes
 * when the list is made, and a request aimed at a list that did not. */
static gboolean
base_url_error (CsClient    *self,
                const char  *base_url,
                GError     **error,
                const char  *reason)
{
  /* the URL is the application's, but may carry credentials */
  g_auto(GStrv) secrets = _cs_client_dup_secrets (self, NULL);
  g_autofree char *safe_url = _cs_redact (base_url, (const char * const *) secrets);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "base URL “%s” %s; nothing was sent", safe_url, reason);
  return FALSE;
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

  if (address != NULL)
    return g_inet_address_get_is_loopback (address);
  /* RFC 6761: localhost names never leave the machine */
  return g_ascii_strcasecmp (host, "localhost") == 0 ||
         (strlen (host) > strlen (".localhost") &&
          g_ascii_strcasecmp (host + strlen (host) - strlen (".localhost"), ".localhost") == 0);
}

gboolean
_cs_client_base_url_usable (CsClient    *self,
                            const char  *base_url,
                            GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  const char *scheme;
  const char *host;

  if (uri == NULL)
    return base_url_error (self, base_url, error, "is not a URL");
  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    return base_url_error (self, base_url, error, "is not an http or https URL");
  if (host == NULL || *host == '\0')
    return base_url_error (self, base_url, error, "has no host");
  /* the method names are appended to it */
  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    return base_url_error (self, base_url, error, "has a query or a fragment");
  if (g_ascii_strcasecmp (scheme, "http") == 0 && !self->allow_insecure_http &&
      !host_is_loopback (host))
    return base_url_error (self, base_url, error,
                           "would send the API key in clear text to another machine: "
                           "use https, or http to this machine (127.0.0.0/8, ::1, localhost), "
                           "or set the client's allow-insecure-http property");
  return TRUE;
}

/* The endpoint in use and the generation of the list, under the lock. */
static guint
active_endpoint (CsClient *self,
                 guint    *generation)
{
  guint index;

  g_mutex_lock (&self->endpoint_lock);
  index = self->endpoint;
  *generation = self->endpoint_generation;
  g_mutex_unlock (&self->endpoint_lock);
  return index;
}

/* The URL of endpoint @index, or NULL if the list changed; and whether
 * the list passed its checks when it was made. */
static char *
dup_endpoint (CsClient *self,
              guint     index,
              guint     generation,
              gboolean *usable)
{
  char *url = NULL;

  g_mutex_lock (&self->endpoint_lock);
  if (generation == self->endpoint_generation && index < g_strv_length (self->base_urls))
    url = g_strdup (self->base_urls[index]);
  *usable = self->endpoints_usable;
  g_mutex_unlock (&self->endpoint_lock);
  return url;
}

static gboolean
notify_endpoint_cb (gpointer user_data)
{
  g_autoptr(GObject) self = _cs_weak_handle_dup (user_data);

  if (self != NULL)
    g_object_notify (self, "active-endpoint");
  return G_SOURCE_REMOVE;
}

/* Notifies active-endpoint on the context the client was made in: a
 * request that moves it may end on any. */
static void
notify_endpoint (CsClient *self)
{
  g_autoptr(GSource) idle = NULL;

  if (g_thread_self () == self->made_in || g_main_context_is_owner (self->context))
    {
      g_object_notify (G_OBJECT (self), "active-endpoint");
      return;
    }
  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_static_name (idle, "[capsolver-glib] active-endpoint");
  g_source_set_callback (idle, notify_endpoint_cb, _cs_weak_handle_ref (self->handle),
                         _cs_weak_handle_unref);
  g_source_attach (idle, self->context);
}

/* Logs and counts a move that was made, and notifies it. */
static void
endpoint_moved (CsClient           *self,
                const char         *from,
                const char         *to,
                const char         *why,
                const char * const *secrets)
{
  g_autofree char *safe_from = _cs_redact (from, secrets);
  g_autofree char *safe_to = _cs_redact (to, secrets);

  g_message ("endpoint %s -> %s: %s", safe_from, safe_to, why);
  _cs_client_count (self, CS_USAGE_ENDPOINT_SWITCHES, 1);
  notify_endpoint (self);
}

static void schedule_probe_locked (CsClient *self);

/* A request found endpoint @failed down: the client moves to the next,
 * unless it is no longer there. */
static void
endpoint_failed (CsClient           *self,
                 guint               failed,
                 guint               generation,
                 const char         *why,
                 const char * const *secrets)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  guint n;

  g_mutex_lock (&self->endpoint_lock);
  n = g_strv_length (self->base_urls);
  if (generation == self->endpoint_generation && failed == self->endpoint && n > 1)
    {
      from = g_strdup (self->base_urls[failed]);
      self->endpoint = (failed + 1) % n;
      to = g_strdup (self->base_urls[self->endpoint]);
      self->switched_at = g_get_monotonic_time ();
      if (self->endpoint == 0 && self->endpoint_probe != NULL)
        {
          g_source_destroy (self->endpoint_probe);
          g_clear_pointer (&self->endpoint_probe, g_source_unref);
        }
      else if (self->endpoint != 0 && self->endpoint_probe == NULL)
        {
          self->probe_wait = self->probe_first_wait;
          schedule_probe_locked (self);
        }
    }
  g_mutex_unlock (&self->endpoint_lock);
  if (to != NULL)
    endpoint_moved (self, from, to, why, secrets);
}

/* A request found its endpoint down: once every endpoint has, in a row,
 * the client is down for a while (DOWN_HOLD_MS, doubling), and a chain
 * sends its new tasks to the next client (cs-client-methods.c). */
static void
endpoints_note_down (CsClient   *self,
                     const char *why)
{
  gboolean held = FALSE;
  guint hold = 0;

  g_mutex_lock (&self->endpoint_lock);
  if (++self->down_streak >= g_strv_length (self->base_urls) &&
      g_get_monotonic_time () >= self->down_until)
    {
      self->down_hold = self->down_hold == 0 ? DOWN_HOLD_MS
                                              : MIN (self->down_hold * 2, MAX_DOWN_HOLD_MS);
      self->down_until = g_get_monotonic_time () + (gint64) self->down_hold * 1000;
      hold = self->down_hold;
      held = TRUE;
    }
  g_mutex_unlock (&self->endpoint_lock);
  if (held)
    g_debug ("every endpoint of %s failed in a row (%s): a chain's new tasks go to its "
             "next client for %u ms", _cs_dialect_get_name (self->dialect), why, hold);
}

/* The service answered: the client is up. */
static void
endpoints_note_answer (CsClient *self)
{
  g_mutex_lock (&self->endpoint_lock);
  self->down_streak = 0;
  self->down_hold = 0;
  self->down_until = 0;
  g_mutex_unlock (&self->endpoint_lock);
}

gboolean
_cs_client_endpoints_down (CsClient *self)
{
  gboolean down;

  g_mutex_lock (&self->endpoint_lock);
  down = self->down_hold != 0 && g_get_monotonic_time () < self->down_until;
  g_mutex_unlock (&self->endpoint_lock);
  return down;
}

typedef struct {
  guint generation;
} ProbeData;

static void
probe_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CsClient *self = CS_CLIENT (source);
  ProbeData *probe = user_data;
  CallData *data = g_task_get_task_data (G_TASK (result));
  g_auto(CsReply) reply = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  gboolean answered;
  g_auto(GStrv) secrets = _cs_client_dup_secrets (self, NULL);

  _cs_client_call_finish (self, result, &reply, &error);
  /* any answer of the service will do, an error envelope too; a request
   * the account held back tells nothing */
  answered = data->attempts > 0 && !data->endpoint_down &&
             !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_mutex_lock (&self->endpoint_lock);
  if (probe->generation == self->endpoint_generation && self->endpoint != 0)
    {
      if (answered)
        {
          from = g_strdup (self->base_urls[self->endpoint]);
          to = g_strdup (self->base_urls[0]);
          self->endpoint = 0;
          self->switched_at = g_get_monotonic_time ();
        }
      else
        {
          self->probe_wait = MIN (self->probe_wait * 2, MAX_ENDPOINT_PROBE_WAIT);
          schedule_probe_locked (self);
        }
    }
  g_mutex_unlock (&self->endpoint_lock);
  if (to != NULL)
    endpoint_moved (self, from, to, "the first endpoint answers again",
                    (const char * const *) secrets);
  else if (!answered)
    g_debug ("probe of the first endpoint: %s", error != NULL ? error->message : "no answer");
  g_free (probe);
}

/* Sends the probe, a balance read, to the first endpoint, on the
 * client's context. */
static gboolean
probe_due_cb (gpointer user_data)
{
  g_autoptr(CsClient) self = CS_CLIENT (_cs_weak_handle_dup (user_data));
  g_autoptr(JsonObject) body = NULL;
  g_auto(GStrv) secrets = NULL;
  ProbeData *probe;
  gboolean due;

  if (self == NULL)
    return G_SOURCE_REMOVE;
  probe = g_new0 (ProbeData, 1);
  g_mutex_lock (&self->endpoint_lock);
  due = self->endpoint_probe == g_main_current_source () && self->endpoint != 0;
  if (self->endpoint_probe == g_main_current_source ())
    g_clear_pointer (&self->endpoint_probe, g_source_unref);
  probe->generation = self->endpoint_generation;
  g_mutex_unlock (&self->endpoint_lock);
  if (!due)
    {
      g_free (probe);
      return G_SOURCE_REMOVE;
    }

  body = json_object_new ();
  if (self->api_key != NULL)
    json_object_set_string_member (body, "clientKey", self->api_key);
  secrets = _cs_client_dup_secrets (self, NULL);
  g_main_context_push_thread_default (self->context);
  _cs_client_call_async (self, "getBalance", body, (const char * const *) secrets,
                         CS_CALL_IDEMPOTENT | CS_CALL_PROBE, NULL, NULL, probe_done_cb, probe);
  g_main_context_pop_thread_default (self->context);
  return G_SOURCE_REMOVE;
}

/* Called with endpoint_lock held, off the first endpoint. */
static void
schedule_probe_locked (CsClient *self)
{
  if (self->endpoint_probe != NULL)
    return;
  self->endpoint_probe = g_timeout_source_new (self->probe_wait);
  g_source_set_static_name (self->endpoint_probe, "[capsolver-glib] endpoint probe");
  g_source_set_callback (self->endpoint_probe, probe_due_cb, _cs_weak_handle_ref (self->handle),
                         _cs_weak_handle_unref);
  g_source_attach (self->endpoint_probe, self->context);
}

/* Sets the list of endpoints, @usable if every URL of it passed the
 * checks, and puts the client back on the first; FALSE if it was that
 * already. */
gboolean
_cs_client_endpoints_set (CsClient           *self,
                          const char * const *base_urls,
                          gboolean            usable)
{
  gboolean moved;

  g_mutex_lock (&self->endpoint_lock);
  /* with the list, so that a request reads the two together */
  self->endpoints_usable = usable;
  if (self->base_urls != NULL &&
      g_strv_equal (base_urls, (const char * const *) self->base_urls))
    {
      g_mutex_unlock (&self->endpoint_lock);
      return FALSE;
    }
  moved = self->base_urls == NULL || self->endpoint != 0 ||
          g_strcmp0 (self->base_urls[0], base_urls[0]) != 0;
  g_strfreev (self->base_urls);
  self->base_urls = g_strdupv ((char **) base_urls);
  self->endpoint = 0;
  self->endpoint_generation++;
  if (self->endpoint_probe != NULL)
    {
      g_source_destroy (self->endpoint_probe);
      g_clear_pointer (&self->endpoint_probe, g_source_unref);
    }
  g_mutex_unlock (&self->endpoint_lock);
  if (moved && !self->constructing)
    notify_endpoint (self);
  return TRUE;
}

/* For finalize. */
void
_cs_client_endpoints_clear (CsClient *self)
{
  if (self->endpoint_probe != NULL)
    {
      g_source_destroy (self->endpoint_probe);
      g_clear_pointer (&self->endpoint_probe, g_source_unref);
    }
  g_clear_pointer (&self->base_urls, g_strfreev);
  g_mutex_clear (&self->endpoint_lock);
}

static GQueue *
queue_for (CsClient *self,
           CallData *data)
{
  if ((data->flags & CS_CALL_LONG) != 0)
    return &self->waiting_held;
  if ((data->flags & CS_CALL_PACED) != 0)
    return &self->waiting_paced;
  return (data->flags & CS_CALL_IDEMPOTENT) != 0 ? &self->waiting_polls : &self->waiting_creates;
}

static void call_send (GTask *gtask);
static gboolean call_aim (CsClient  *self,
                          CallData  *data,
                          guint      index,
                          guint      generation,
                          GError   **error);
static void call_complete (GTask  *gtask,
                           GError *error);

/* A request the account held back, out of the queue: ends it with the
 * queue's reference, which went with it. */
static gboolean
call_held_cb (gpointer user_data)
{
  GTask *gtask = user_data;
  CallData *data = g_task_get_task_data (gtask);

  _cs_error_redact (data->held, (const char * const *) data->secrets);
  g_debug ("%s: %s", data->method, data->held->message);
  g_object_set_data (G_OBJECT (gtask), HELD_BACK, GINT_TO_POINTER (TRUE));
  call_complete (gtask, g_steal_pointer (&data->held));
  return G_SOURCE_REMOVE;
}

/* Runs @func on the request's context at its next pass; the source holds
 * @gtask's reference that the caller gives. */
static void
run_soon_owned (GTask       *gtask,
                GSourceFunc  func)
{
  CallData *data = g_task_get_task_data (gtask);
  g_autoptr(GSource) idle = g_idle_source_new ();

  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, func, gtask, NULL);
  g_source_attach (idle, data->context);
}

static gboolean
call_send_cb (gpointer user_data)
{
  call_send (user_data);
  return G_SOURCE_REMOVE;
}

/* The next request that writes (createTask, getToken, feedbackTask): a
 * paced one only when its turn has come. */
static GList *
pop_write_locked (CsClient *self)
{
  GList *link = g_queue_pop_head_link (&self->waiting_creates);
  CallData *data;

  if (link != NULL || self->waiting_paced.length == 0)
    return link;
  data = g_task_get_task_data (self->waiting_paced.head->data);
  if (!_cs_client_slots_pass (self, g_get_monotonic_time (), &data->slot_generation))
    return NULL;
  data->paced = TRUE;
  return g_queue_pop_head_link (&self->waiting_paced);
}

/* Takes the next waiting request, alternating between the requests that
 * create something and those that read: neither starves the other. */
static GList *
pop_next_locked (CsClient *self)
{
  GList *link;

  if (self->admit_creates_next && (link = pop_write_locked (self)) != NULL)
    {
      self->admit_creates_next = FALSE;
      return link;
    }
  link = g_queue_pop_head_link (&self->waiting_polls);
  if (link != NULL)
    self->admit_creates_next = TRUE;
  else
    link = pop_write_locked (self);
  return link;
}

/* Whether the next held request may go: while its key has had no answer
 * (cs-account.c's probation), no more of them than max-connections. */
static gboolean
held_may_go_locked (CsClient *self)
{
  CallData *data;

  if (self->waiting_held.head == NULL)
    return FALSE;
  data = g_task_get_task_data (self->waiting_held.head->data);
  return data->account == NULL ||
         _cs_account_probation_admits (data->account, self->held_in_flight,
                                       self->max_in_flight);
}

/* Takes the next waiting request that has a free slot: a held request
 * (getToken) one of its own, held for as long as the service solves the
 * task, so that it never keeps a poll or a createTask waiting. */
static GList *
pop_admitted_locked (CsClient *self)
{
  GList *link = NULL;

  if (self->held_in_flight < self->max_held && held_may_go_locked (self))
    link = g_queue_pop_head_link (&self->waiting_held);
  if (link != NULL)
    self->held_in_flight++;
  else if (self->in_flight < self->max_in_flight && (link = pop_next_locked (self)) != NULL)
    self->in_flight++;
  return link;
}

static void admit (CsClient *self);

static gboolean
pace_wake_cb (gpointer user_data)
{
  CsClient *self = user_data;

  /* a withdrawal may have replaced it meanwhile (withdraw()) */
  g_mutex_lock (&self->queue_lock);
  if (self->pace_wake == g_main_current_source ())
    g_clear_pointer (&self->pace_wake, g_source_unref);
  g_mutex_unlock (&self->queue_lock);
  admit (self);
  return G_SOURCE_REMOVE;
}

/* Paced requests wait for their turn: wakes the queue then, on the context
 * of the first of them. Called with queue_lock held. */
static void
wake_paced_locked (CsClient *self)
{
  CallData *head;
  gint64 next;
  gint64 wait;

  if (self->pace_wake != NULL || self->waiting_paced.length == 0 ||
      self->in_flight >= self->max_in_flight)
    return;
  head = g_task_get_task_data (self->waiting_paced.head->data);
  /* no turn to wait for: the window is full, and an answer wakes the queue */
  next = _cs_client_slots_next (self);
  if (next == 0)
    return;
  wait = next - g_get_monotonic_time ();
  self->pace_wake = g_timeout_source_new ((guint) MAX (0, (wait + 999) / 1000));
  g_source_set_static_name (self->pace_wake, "CsClient pace");
  g_source_set_callback (self->pace_wake, pace_wake_cb, self, NULL);
  g_source_attach (self->pace_wake, head->context);
}

/* For finalize: the wake holds no reference on the client. */
void
_cs_client_clear_queue (CsClient *self)
{
  if (self->pace_wake != NULL)
    {
      g_source_destroy (self->pace_wake);
      g_clear_pointer (&self->pace_wake, g_source_unref);
    }
}

/* Gives libsoup the waiting requests for which there is a free slot, each
 * on its own context. */
static void
admit (CsClient *self)
{
  for (;;)
    {
      GList *link;
      GTask *gtask;
      CallData *data;

      g_mutex_lock (&self->queue_lock);
      link = pop_admitted_locked (self);
      if (link == NULL)
        {
          wake_paced_locked (self);
          g_mutex_unlock (&self->queue_lock);
          return;
        }
      gtask = link->data;
      data = g_task_get_task_data (gtask);
      /* the account may have refused since the request was queued */
      data->held = check_account (self, data->account, data->method, data->flags);
      if (data->held != NULL)
        {
          data->state = CALL_WITHDRAWN;
          /* it gives back the slot it was admitted to, never taken */
          if ((data->flags & CS_CALL_LONG) != 0)
            self->held_in_flight--;
          else
            self->in_flight--;
          g_mutex_unlock (&self->queue_lock);
          run_soon_owned (gtask, call_held_cb);
          continue;
        }
      data->state = CALL_SENDING;
      g_mutex_unlock (&self->queue_lock);

      /* the queue's reference goes with the request */
      g_main_context_invoke_full (data->context, G_PRIORITY_DEFAULT, call_send_cb, gtask, NULL);
    }
}

/* Ends every waiting request that the account now holds back, each on its
 * own context, with the account's error: none of them was sent. */
void
_cs_client_end_held_calls (CsClient *self)
{
  GQueue *queues[] = { &self->waiting_creates, &self->waiting_polls, &self->waiting_paced,
                       &self->waiting_held };
  GSList *held = NULL;
  gboolean rewake = FALSE;

  g_mutex_lock (&self->queue_lock);
  for (gsize i = 0; i < G_N_ELEMENTS (queues); i++)
    {
      GList *link = queues[i]->head;

      while (link != NULL)
        {
          GList *next = link->next;
          CallData *data = g_task_get_task_data (link->data);

          data->held = check_account (self, data->account, data->method, data->flags);
          if (data->held != NULL)
            {
              g_queue_unlink (queues[i], link);
              data->state = CALL_WITHDRAWN;
              held = g_slist_prepend (held, link->data);
              rewake |= queues[i] == &self->waiting_paced;
            }
          link = next;
        }
    }
  /* the paced requests' wake may be on the context of one that left */
  rewake = rewake && self->pace_wake != NULL;
  if (rewake)
    {
      g_source_destroy (self->pace_wake);
      g_clear_pointer (&self->pace_wake, g_source_unref);
    }
  g_mutex_unlock (&self->queue_lock);

  held = g_slist_reverse (held);
  for (GSList *l = held; l != NULL; l = l->next)
    run_soon_owned (l->data, call_held_cb);
  g_slist_free (held);
  /* and lets in what the account lets go now (its probation ended) */
  admit (self);
}

/* What the service said of a paced request that left: a no-slot answer
 * (an envelope: the task was not created) slows the next ones down, a
 * task created speeds them up; anything else tells nothing of slots. */
static void
record_slot_answer (CsClient     *self,
                    CallData     *data,
                    const GError *error)
{
  if (error == NULL)
    _cs_client_slots_record (self, data->slot_generation, FALSE);
  else if (_cs_error_is_no_slot (error) && data->reply.root != NULL)
    _cs_client_slots_record (self, data->slot_generation, TRUE);
}

/* Ends the exchange: gives its slot to the next request, returns @error
 * (or success) and drops the exchange's reference on @gtask. */
static void
call_complete (GTask  *gtask,
               GError *error)
{
  CsClient *self = g_task_get_source_object (gtask);
  CallData *data = g_task_get_task_data (gtask);
  gboolean held_slot;

  if (data->ended)
    {
      g_clear_error (&error);
      call_close_stream (data);
      return;
    }
  data->ended = TRUE;
  /* no handler may touch the GTask once it returns: its source object
   * goes before its data when it is finalized */
  call_data_disconnect (data);
  if (data->timeout_source != NULL)
    g_source_destroy (data->timeout_source);
  if (data->connection_watch != NULL)
    g_source_destroy (data->connection_watch);
  if (data->finish_wait != NULL)
    g_source_destroy (data->finish_wait);

  if ((data->flags & CS_CALL_PACED) != 0 && data->attempts > 0)
    record_slot_answer (self, data, error);
  /* the breaker tripped already if it was to: what waits may go or end */
  if (data->account != NULL && data->attempts > 0 &&
      (error == NULL || data->reply.root != NULL || _cs_error_get_hold (error) != CS_HOLD_NONE))
    _cs_account_answered (data->account);
  if (data->gated)
    _cs_account_gate_leave (data->account);
  if (data->paced)
    _cs_client_slots_left (self);

  g_mutex_lock (&self->queue_lock);
  held_slot = data->state == CALL_SENDING && (data->flags & CS_CALL_BLOCKING) == 0;
  if (held_slot && (data->flags & CS_CALL_LONG) != 0)
    {
      self->held_in_flight--;
      if (data->session != NULL)
        g_array_index (self->held_session_use, guint, data->held_session)--;
    }
  else if (held_slot)
    self->in_flight--;
  g_mutex_unlock (&self->queue_lock);
  if (held_slot)
    admit (self);

  if (error != NULL)
    g_task_return_error (gtask, error);
  else
    g_task_return_boolean (gtask, TRUE);
  g_object_unref (gtask);
}

/* Runs @func on the request's context at its next pass, never from here:
 * this may be a cancellable's handler, and ending a request disconnects
 * those. The source holds @gtask. */
static void
run_soon (GTask       *gtask,
          GSourceFunc  func)
{
  CallData *data = g_task_get_task_data (gtask);
  g_autoptr(GSource) idle = g_idle_source_new ();

  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, func, g_object_ref (gtask), g_object_unref);
  g_source_attach (idle, data->context);
}

static gboolean
call_withdrawn_cb (gpointer user_data)
{
  GTask *gtask = user_data;
  CallData *data = g_task_get_task_data (gtask);

  /* ends with the queue's reference, which went with it */
  call_complete (gtask, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     "%s: cancelled before it was sent", data->method));
  return G_SOURCE_REMOVE;
}

/* Takes a waiting request out of the queue; it ends on its own context. */
static void
withdraw (GTask *gtask)
{
  CsClient *self = g_task_get_source_object (gtask);
  CallData *data = g_task_get_task_data (gtask);
  gboolean waiting;
  gboolean rewake = FALSE;

  g_mutex_lock (&self->queue_lock);
  waiting = data->state == CALL_WAITING || data->state == CALL_PACING;
  if (data->state == CALL_WAITING)
    g_queue_unlink (queue_for (self, data), &data->link);
  if (waiting)
    data->state = CALL_WITHDRAWN;
  /* the wake of the paced requests may be on this one's context, which
   * its caller may no longer iterate: the next one's context takes it */
  if (waiting && (data->flags & CS_CALL_PACED) != 0 && self->pace_wake != NULL)
    {
      g_source_destroy (self->pace_wake);
      g_clear_pointer (&self->pace_wake, g_source_unref);
      rewake = TRUE;
    }
  g_mutex_unlock (&self->queue_lock);

  if (waiting)
    run_soon (gtask, call_withdrawn_cb);
  if (rewake)
    admit (self);
}

/* Both run in whatever thread cancels. The GTask outlives them: its data
 * disconnects them, and a disconnection waits for a running handler. */
static void call_fail (GTask  *gtask,
                       GError *error);

static gboolean
call_cut_short_cb (gpointer user_data)
{
  GTask *gtask = user_data;
  CallData *data = g_task_get_task_data (gtask);

  /* here, on the request's own context: libsoup's handlers of the
   * cancellable are not safe in another thread */
  g_cancellable_cancel (data->cancellable);
  /* a call whose reply is in ends with it */
  if (!data->ended && !data->end_pending && data->state == CALL_SENDING)
    call_fail (gtask, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   "%s: cancelled on its way", data->method));
  return G_SOURCE_REMOVE;
}

/* Ends a request on its way at once, rather than when libsoup reports
 * the cancellation: libsoup 3.2.3 may never report it (an HTTP/2 stream
 * that its server closed as it was written stays pending). */
static void
cut_short (GTask *gtask)
{
  run_soon (gtask, call_cut_short_cb);
}

static void
call_cancelled_cb (GCancellable *cancellable,
                   GTask        *gtask)
{
  withdraw (gtask);
  cut_short (gtask);
}

static void
call_unsent_cancelled_cb (GCancellable *cancellable,
                          GTask        *gtask)
{
  withdraw (gtask);
}

static gboolean
call_timeout_cb (gpointer user_data)
{
  GTask *gtask = user_data;
  CallData *data = g_task_get_task_data (gtask);

  data->timed_out = TRUE;
  g_cancellable_cancel (data->cancellable);
  cut_short (gtask);
  return G_SOURCE_REMOVE;
}

/* The clock of an exchange starts when it is sent, not while it waits. */
/* The timer holds no reference: the task data destroys it. */
static void
call_start_clock (GTask *gtask,
                  guint  timeout_ms)
{
  CallData *data = g_task_get_task_data (gtask);

  if (data->timeout_source != NULL)
    return;
  data->timeout_source = g_timeout_source_new (timeout_ms);
  g_source_set_callback (data->timeout_source, call_timeout_cb, gtask, NULL);
  g_source_attach (data->timeout_source, data->context);
}

static guint
call_timeout_ms (CsClient *self,
                 CallData *data)
{
  return (data->flags & CS_CALL_LONG) != 0 ? self->token_request_timeout : self->request_timeout;
}

/* Whether @error, that ended an exchange, says that its endpoint is down:
 * a transport failure, a 5xx, an error page that is not the protocol.
 * @unsent tells whether the request provably never reached the service:
 * nothing of it was written and no connection was made (refused, no
 * route, no such host, a TLS handshake that failed), or a 503 that names
 * no task, whoever sent it. */
/* Whether something of the request was written: from then on, the
 * service may have it. */
static gboolean
call_wrote (CallData *data)
{
  return data->message != NULL &&
         g_object_get_data (G_OBJECT (data->message), CALL_WROTE) != NULL;
}

static gboolean
endpoint_is_down (CallData     *data,
                  const GError *error,
                  gboolean     *unsent)
{
  guint status = data->message != NULL ? soup_message_get_status (data->message) : 0;
  gboolean wrote = call_wrote (data);

  *unsent = FALSE;
  if (error->domain == G_RESOLVER_ERROR || error->domain == G_TLS_ERROR)
    {
      *unsent = !wrote && status == 0;
      return TRUE;
    }
  if (error->domain == G_IO_ERROR)
    {
      if (error->code == G_IO_ERROR_CANCELLED || error->code == G_IO_ERROR_INVALID_ARGUMENT)
        return FALSE;
      /* nothing of the request was written: whatever failed (a refused
       * or reset connect, a connect that never completed before the
       * request timeout), the service cannot have it */
      *unsent = !wrote && status == 0;
      return TRUE;
    }
  if (SOUP_STATUS_IS_SERVER_ERROR (status))
    {
      *unsent = status == SOUP_STATUS_SERVICE_UNAVAILABLE &&
                !_cs_reply_mentions_task (&data->reply);
      return TRUE;
    }
  /* an error page of a proxy or a gateway, not the service's answer */
  return status >= 400 && status != HTTP_TOO_MANY_REQUESTS && data->reply.root == NULL;
}

/* A request that found its endpoint down moves the client on, and goes
 * to the next endpoint itself when it may be sent again: a request safe
 * to repeat, or one that provably never reached the service (createTask
 * and getToken are never sent twice). Each endpoint is tried once. */
static gboolean
call_fail_over (GTask  *gtask,
                GError *error)
{
  CsClient *self = g_task_get_source_object (gtask);
  CallData *data = g_task_get_task_data (gtask);
  g_autoptr(GCancellable) left = NULL;
  gboolean unsent;
  guint n;

  if (data->ended || !endpoint_is_down (data, error, &unsent))
    return FALSE;
  data->endpoint_down = TRUE;
  data->down_unsent = unsent;
  if ((data->flags & CS_CALL_PROBE) != 0)
    return FALSE;
  endpoints_note_down (self, error->message);
  endpoint_failed (self, data->endpoint, data->endpoint_generation, error->message,
                   (const char * const *) data->secrets);
  if ((data->flags & CS_CALL_IDEMPOTENT) == 0 && !unsent)
    return FALSE;
  g_mutex_lock (&self->endpoint_lock);
  n = data->endpoint_generation == self->endpoint_generation ? g_strv_length (self->base_urls)
                                                              : 0;
  g_mutex_unlock (&self->endpoint_lock);
  if (data->endpoints_tried + 1 >= n ||
      !call_aim (self, data, (data->endpoint + 1) % n, data->endpoint_generation, NULL))
    return FALSE;

  data->endpoints_tried++;
  data->endpoint_down = FALSE;
  g_debug ("%s: %s; sent to the next endpoint", data->method, error->message);
  g_error_free (error);
  /* a new attempt: its own clock and cancellable, nothing of the last */
  call_close_stream (data);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->body, g_byte_array_unref);
  _cs_reply_clear (&data->reply);
  data->timed_out = FALSE;
  if (data->timeout_source != NULL)
    {
      g_source_destroy (data->timeout_source);
      g_clear_pointer (&data->timeout_source, g_source_unref);
    }
  left = g_steal_pointer (&data->cancellable);
  data->cancellable = g_cancellable_new ();
  g_cancellable_cancel (left);
  call_send (gtask);
  return TRUE;
}

/* A cancellation that the request timeout caused is a time-out. */
static void
call_fail (GTask  *gtask,
           GError *error)
{
  CsClient *self = g_task_get_source_object (gtask);
  CallData *data = g_task_get_task_data (gtask);
  GError *no_answer = NULL;
  gboolean unsent;

  _cs_error_redact (error, (const char * const *) data->secrets);
  g_debug ("%s: %s", data->method, error->message);
  if (data->message != NULL &&
      g_object_get_data (G_OBJECT (data->message), CS_UNTRUSTED_TLS_RESUMPTION) != NULL)
    {
      g_error_free (error);
      error = g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           "%s: the server's certificate is not one this client trusts "
                           "(a TLS session resumed from elsewhere in the process); nothing "
                           "was sent", data->method);
    }
  else if (data->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "%s: no complete reply within %u ms%s", data->method,
                           call_timeout_ms (self, data),
                           (data->flags & CS_CALL_IDEMPOTENT) != 0 ? ""
                           : call_wrote (data) ? "; it may have been carried out"
                           : "; nothing was sent");
    }
  else if ((data->flags & CS_CALL_IDEMPOTENT) == 0 && error->domain == G_IO_ERROR &&
           error->code != G_IO_ERROR_CANCELLED && call_wrote (data))
    {
      /* the connection failed once the request was on its way */
      GError *unknown = g_error_new (G_IO_ERROR, error->code,
                                     "%s: %s; it may have been carried out", data->method,
                                     error->message);

      g_error_free (error);
      error = unknown;
    }
  else if ((data->flags & CS_CALL_IDEMPOTENT) == 0 && call_wrote (data) &&
           g_error_matches (error, CS_ERROR, CS_ERROR_PROTOCOL) &&
           endpoint_is_down (data, error, &unsent) && !unsent)
    {
      /* a gateway's 502 or 504, an error page: something other than the
       * service answered once the body was on its way, so the service may
       * have the task as surely as when no answer came at all */
      guint status = soup_message_get_status (data->message);

      no_answer = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "%s: HTTP %u %s, not the service's answer (%s); "
                               "it may have been carried out", data->method, status,
                               soup_message_get_reason_phrase (data->message) != NULL
                               ? soup_message_get_reason_phrase (data->message) : "",
                               error->message);
    }
  if (call_fail_over (gtask, error))
    {
      g_clear_error (&no_answer);
      return;
    }
  if (no_answer != NULL)
    {
      g_error_free (error);
      error = no_answer;
    }
  call_close_stream (data);
  call_complete (gtask, error);
}

static void call_read_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data);

static void
call_read_next (GTask *gtask)
{
  CallData *data = g_task_get_task_data (gtask);

  g_input_stream_read_bytes_async (data->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   data->cancellable, call_read_cb, g_object_ref (gtask));
}

/* Retry-After in seconds, either form, within CS_MAX_PAUSE: 0 for "now"
 * (zero, a date past), -1 when absent or unreadable. A number of any
 * length is a number: too long for 64 bits is only very long. */
static gint64
retry_after_seconds (SoupMessage *message)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                    "Retry-After");
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) now = NULL;
  guint64 seconds;
  GTimeSpan ahead;

  if (value == NULL)
    return -1;
  if (*value != '\0' && value[strspn (value, "0123456789")] == '\0')
    {
      if (!g_ascii_string_to_unsigned (value, 10, 0, CS_MAX_PAUSE, &seconds, NULL))
        seconds = CS_MAX_PAUSE;
      return (gint64) seconds;
    }
  date = soup_date_time_new_from_http_string (value);
  if (date == NULL)
    return -1;
  now = g_date_time_new_now_utc ();
  ahead = g_date_time_difference (date, now);
  if (ahead <= 0)
    return 0;
  /* rounded up: a date a moment ahead still means later */
  return MIN ((ahead + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, CS_MAX_PAUSE);
}

/* HTTP statuses that say something before the body is read: a redirect
 * is not followed (another origin's reply is not trusted), and 429 is the
 * service's rate limit even without a JSON body. */
static GError *
check_http_status (CsClient *self,
                   CallData *data,
                   GError   *parse_error)
{
  guint status = soup_message_get_status (data->message);

  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      SoupMessageHeaders *headers = soup_message_get_response_headers (data->message);
      const char *target = soup_message_headers_get_one (headers, "Location");
      g_autofree char *safe_target = _cs_redact (target != NULL ? target : "nowhere",
                                                 (const char * const *) data->secrets);

      g_clear_error (&parse_error);
      return g_error_new (CS_ERROR, CS_ERROR_PROTOCOL,
                          "HTTP %u: %s redirected to %s; not followed", status, data->method,
                          safe_target);
    }
  if (status == HTTP_TOO_MANY_REQUESTS)
    {
      gint64 seconds = retry_after_seconds (data->message);
      GError *error = parse_error;

      if (error == NULL || error->domain != CS_ERROR || error->code == CS_ERROR_PROTOCOL)
        {
          const char *header =
            soup_message_headers_get_one (soup_message_get_response_headers (data->message),
                                          "Retry-After");

          g_clear_error (&error);
          error = g_error_new (CS_ERROR, CS_ERROR_RATE_LIMIT,
                               "ERROR_RATE_LIMIT: HTTP 429 Too Many Requests%s",
                               seconds >= 0 ? "" : header == NULL ? " without Retry-After" :
                               " with a Retry-After that is no number of seconds nor date");
        }
      trip (self, data->account, error, seconds);
      return error;
    }
  if (parse_error != NULL)
    trip (self, data->account, parse_error, -1);
  return parse_error;
}

/* libsoup finishes a message whose body was read and closed at a later
 * pass of the message's context, and only then gives its connection
 * back. A caller that stops iterating that context once it has its
 * result (a thread of its own, a blocking call) would leave the
 * connection in use for good, and past max-connections such calls would
 * wait for ever. So a call whose reply is in returns once libsoup has
 * finished its message, or after FINISH_WAIT_MS at most. */
static void
call_end_now (GTask  *gtask,
              GError *error)
{
  if (error != NULL)
    call_fail (gtask, error);
  else
    call_complete (gtask, NULL);
}

static void
call_end_pending (GTask *gtask)
{
  CallData *data = g_task_get_task_data (gtask);

  if (!data->end_pending)
    return;
  data->end_pending = FALSE;
  if (data->finish_wait != NULL)
    {
      g_source_destroy (data->finish_wait);
      g_clear_pointer (&data->finish_wait, g_source_unref);
    }
  call_end_now (gtask, g_steal_pointer (&data->pending_error));
}

static gboolean
call_finish_wait_cb (gpointer user_data)
{
  call_end_pending (user_data);
  return G_SOURCE_REMOVE;
}

static void
call_message_finished_cb (SoupMessage *message,
                          GTask       *gtask)
{
  CallData *data = g_task_get_task_data (gtask);

  if (message != data->message)
    return;
  data->message_finished = TRUE;
  call_end_pending (gtask);
}

static void
call_end_after_message (GTask  *gtask,
                        GError *error)
{
  CallData *data = g_task_get_task_data (gtask);

  /* the service's own envelope, whatever it says: its endpoint is up */
  if (data->reply.root != NULL && data->message != NULL &&
      !SOUP_STATUS_IS_SERVER_ERROR (soup_message_get_status (data->message)))
    endpoints_note_answer (g_task_get_source_object (gtask));
  if (data->message_finished || data->ended)
    {
      call_end_now (gtask, error);
      return;
    }
  /* the reply is in: no time-out or cancellation ends it now */
  if (data->timeout_source != NULL)
    g_source_destroy (data->timeout_source);
  data->end_pending = TRUE;
  data->pending_error = error;
  data->finish_wait = g_timeout_source_new (FINISH_WAIT_MS);
  g_source_set_callback (data->finish_wait, call_finish_wait_cb, gtask, NULL);
  g_source_attach (data->finish_wait, data->context);
}

static void
call_finish_body (GTask *gtask)
{
  CsClient *self = g_task_get_source_object (gtask);
  CallData *data = g_task_get_task_data (gtask);
  g_autoptr(GBytes) raw_body = g_byte_array_free_to_bytes (g_steal_pointer (&data->body));
  g_autoptr(GBytes) body = NULL;
  guint status = soup_message_get_status (data->message);
  Coding coding = reply_coding (data->message);
  GError *error = NULL;

  if (_cs_debug_shown ())
    g_debug ("%s: HTTP %u, %" G_GSIZE_FORMAT " bytes%s%s", data->method, status,
             g_bytes_get_size (raw_body), coding != CODING_IDENTITY ? " of " : "",
             coding != CODING_IDENTITY ? coding_names[coding] : "");

  body = decode_body (raw_body, coding, status, &error);
  if (body == NULL && (SOUP_STATUS_IS_REDIRECTION (status) || status == HTTP_TOO_MANY_REQUESTS))
    {
      /* the status says what matters (not followed, a rate limit) */
      g_debug ("%s: %s", data->method, error->message);
      g_clear_error (&error);
      body = g_bytes_new (NULL, 0);
    }
  else if (body == NULL)
    {
      call_end_after_message (gtask, error);
      return;
    }

  /* data->reply is kept on failure: a failed status still tells the
   * task's fate */
  if (SOUP_STATUS_IS_REDIRECTION (status) ||
      !_cs_dialect_read_envelope (self->dialect, &data->reply, status, body,
                                  (const char * const *) data->secrets, &error) ||
      status == HTTP_TOO_MANY_REQUESTS)
    {
      error = check_http_status (self, data, error);
      /* a createTask answered 5xx that still names its task: the task
       * exists, and is billed; its id is kept and polled, never created
       * again elsewhere */
      if (error != NULL && (data->flags & CS_CALL_IDEMPOTENT) == 0 &&
          SOUP_STATUS_IS_SERVER_ERROR (status) && _cs_reply_names_task (&data->reply))
        {
          g_message ("%s: HTTP %u, but the reply names task %s: kept", data->method, status,
                     data->reply.task_id);
          g_clear_error (&error);
        }
      if (error != NULL)
        {
          call_end_after_message (gtask, error);
          return;
        }
    }
  call_end_after_message (gtask, NULL);
}

/* A kept-alive connection the server closed while it sat idle fails the
 * next request sent on it, and libsoup resends no POST by itself. A
 * request that is safe to repeat gets one more try on a new connection;
 * createTask never does. */
static gboolean
call_retry_on_stale_connection (GTask  *gtask,
                                GError *error)
{
  CallData *data = g_task_get_task_data (gtask);

  if ((data->flags & CS_CALL_IDEMPOTENT) == 0 || data->attempts > 1 ||
      !(g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT)))
    return FALSE;

  _cs_error_redact (error, (const char * const *) data->secrets);
  g_debug ("%s: %s; sending again on a new connection", data->method, error->message);
  g_error_free (error);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->body, g_byte_array_unref);
  call_send (gtask);
  return TRUE;
}

static void
call_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) gtask = user_data;
  CallData *data = g_task_get_task_data (gtask);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (data->ended)
    {
      g_clear_error (&error);
      call_close_stream (data);
      return;
    }
  if (chunk == NULL)
    {
      if (!call_retry_on_stale_connection (gtask, error))
        call_fail (gtask, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      /* Closing the body ends the message in libsoup now, on this
       * context, rather than whenever the stream is freed: a blocking
       * call stops iterating its private context once it has a result. */
      g_input_stream_close (data->stream, NULL, NULL);
      call_finish_body (gtask);
      return;
    }
  if (data->body->len + g_bytes_get_size (chunk) > CS_MAX_REPLY_SIZE)
    {
      call_fail (gtask, g_error_new (CS_ERROR, CS_ERROR_PROTOCOL,
                                     "HTTP %u: reply is larger than %d bytes",
                                     soup_message_get_status (data->message), CS_MAX_REPLY_SIZE));
      return;
    }
  g_byte_array_append (data->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  call_read_next (gtask);
}

static void
call_read_all_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) gtask = user_data;
  CallData *data = g_task_get_task_data (gtask);
  GError *error = NULL;
  gsize length = 0;

  g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &length, &error);
  if (data->ended)
    {
      g_clear_error (&error);
      call_close_stream (data);
      return;
    }
  if (error != NULL)
    {
      if (!call_retry_on_stale_connection (gtask, error))
        call_fail (gtask, error);
      return;
    }
  /* one byte more was asked, to read up to the end, which lets libsoup
   * keep the connection */
  if (length + 1 != data->body->len)
    {
      call_fail (gtask, g_error_new (CS_ERROR, CS_ERROR_PROTOCOL,
                                     "HTTP %u: reply cut short after %" G_GSIZE_FORMAT
                                     " of %u bytes", soup_message_get_status (data->message),
                                     length, data->body->len - 1));
      return;
    }
  g_byte_array_set_size (data->body, length);
  g_input_stream_close (data->stream, NULL, NULL);
  call_finish_body (gtask);
}

/* A reply whose length its headers give is read in one go (most are: a
 * chunk at a time costs a main loop iteration each), into a buffer of
 * that size, refused at once when too large; FALSE for a reply of unknown
 * length, read a chunk at a time. */
static gboolean
call_read_announced (GTask *gtask)
{
  CallData *data = g_task_get_task_data (gtask);
  SoupMessageHeaders *headers = soup_message_get_response_headers (data->message);
  goffset length;

  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    return FALSE;
  length = soup_message_headers_get_content_length (headers);
  if (length > CS_MAX_REPLY_SIZE)
    {
      call_fail (gtask, g_error_new (CS_ERROR, CS_ERROR_PROTOCOL,
                                     "HTTP %u: reply is larger than %d bytes",
                                     soup_message_get_status (data->message), CS_MAX_REPLY_SIZE));
      return TRUE;
    }
  g_byte_array_set_size (data->body, length + 1);
  g_input_stream_read_all_async (data->stream, data->body->data, length + 1, G_PRIORITY_DEFAULT,
                                 data->cancellable, call_read_all_cb, g_object_ref (gtask));
  return TRUE;
}

static void
call_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) gtask = user_data;
  CallData *data = g_task_get_task_data (gtask);
  GError *error = NULL;

  if (soup_session_get_async_result_message (SOUP_SESSION (source), result) != data->message)
    {
      /* an attempt taken back before it had a connection */
      g_autoptr(GInputStream) stale = soup_session_send_finish (SOUP_SESSION (source), result,
                                                                NULL);

      if (stale != NULL)
        g_input_stream_close (stale, NULL, NULL);
      return;
    }
  data->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  /* libsoup's body stream reads through its message without holding it,
   * and may be closed last by a GIO operation that ends after this call:
   * it keeps the message */
  if (data->stream != NULL)
    g_object_set_data_full (G_OBJECT (data->stream), "cs-message",
                            g_object_ref (data->message), g_object_unref);
  if (data->ended)
    {
      g_clear_error (&error);
      call_close_stream (data);
      return;
    }
  if (data->stream == NULL)
    {
      if (!call_retry_on_stale_connection (gtask, error))
        call_fail (gtask, error);
      return;
    }
  data->body = g_byte_array_new ();
  if (!call_read_announced (gtask))
    call_read_next (gtask);
}

/* Polls and balance reads are safe to repeat: they take any kept-alive
 * connection, and one that the server closed under them costs one resend.
 * A request that is not (createTask, getToken, feedbackTask) opens a
 * connection of its own: on a kept-alive one, a server closing it just as
 * it is reused fails the request with no way to tell whether it was
 * carried out, and libsoup 3.2.3 can neither keep one message on
 * HTTP/1.1 nor say how long a connection sat idle (docs/connections.md
 * has the measures behind this). */
static gboolean
may_reuse_connection (CallData *data)
{
  return (data->flags & CS_CALL_IDEMPOTENT) != 0;
}

/* A held request's session: the first with room, or a new one. */
static SoupSession *
take_held_session (CsClient *self,
                   CallData *data)
{
  SoupSession *session = NULL;
  guint i;

  g_mutex_lock (&self->queue_lock);
  for (i = 0; i < self->held_sessions->len; i++)
    if (g_array_index (self->held_session_use, guint, i) < CS_HELD_SESSION_SIZE)
      break;
  if (i == self->held_sessions->len)
    _cs_client_new_held_session (self);
  session = g_ptr_array_index (self->held_sessions, i);
  g_array_index (self->held_session_use, guint, i)++;
  data->held_session = i;
  g_mutex_unlock (&self->queue_lock);
  return session;
}

/* Blocking calls have a session of their own (cs-client.c), and so have
 * held requests, so that a thousand of them never wait for the
 * connections of the session's limits, nor hold those. Called once per
 * request for a held one. */
static SoupSession *
session_for (CsClient *self,
             CallData *data)
{
  if ((data->flags & CS_CALL_BLOCKING) != 0)
    return (data->flags & CS_CALL_LONG) != 0 ? self->blocking_held_session
                                             : self->blocking_session;
  if ((data->flags & CS_CALL_LONG) != 0)
    return take_held_session (self, data);
  return self->session;
}

/* libsoup 3.2.3 can leave a message waiting for a connection with none
 * ever coming: a kept-alive connection its server closes between two of
 * libsoup's checks of it still counts against the session's limit, and
 * nothing wakes the queue again until another message is sent. A message
 * that has no connection yet has sent nothing: it is taken back and sent
 * again as a new message, which wakes the queue, after a wait that
 * doubles so that a session that is only busy is not stirred for long. */
static gboolean
call_connection_watch_cb (gpointer user_data)
{
  GTask *gtask = user_data;
  CallData *data = g_task_get_task_data (gtask);
  g_autoptr(GCancellable) taken_back = NULL;

  g_clear_pointer (&data->connection_watch, g_source_unref);
  if (data->ended || data->message == NULL ||
      soup_message_get_connection_id (data->message) != 0)
    return G_SOURCE_REMOVE;

  g_debug ("%s: no connection from libsoup within %u ms; sent again", data->method,
           data->connection_wait_ms);
  /* the attempt's cancellable goes with it; the caller's and the
   * request timeout cancel the next one */
  taken_back = g_steal_pointer (&data->cancellable);
  data->cancellable = g_cancellable_new ();
  g_cancellable_cancel (taken_back);
  data->attempts--;
  data->connection_wait_ms = MIN (data->connection_wait_ms * 2, CS_CONNECTION_WAIT_MAX_MS);
  call_send (gtask);
  return G_SOURCE_REMOVE;
}

/* The watch holds no reference: the task data destroys it. */
static void
call_watch_connection (GTask *gtask)
{
  CallData *data = g_task_get_task_data (gtask);

  if (data->connection_wait_ms == 0)
    data->connection_wait_ms = CS_CONNECTION_WAIT_MS;
  if (data->connection_watch != NULL)
    {
      g_source_destroy (data->connection_watch);
      g_source_unref (data->connection_watch);
    }
  data->connection_watch = g_timeout_source_new (data->connection_wait_ms);
  g_source_set_callback (data->connection_watch, call_connection_watch_cb, gtask, NULL);
  g_source_attach (data->connection_watch, data->context);
}

/* Something of the request was written: from then on, the server may
 * have received it. */
static void
call_wrote_cb (SoupMessage *message)
{
  g_object_set_data (G_OBJECT (message), CALL_WROTE, GINT_TO_POINTER (TRUE));
}

/* Sends the request with a fresh message: a message is never queued
 * twice. Runs on the request's context, holding a slot. */
static void
call_send (GTask *gtask)
{
  CsClient *self = g_task_get_source_object (gtask);
  CallData *data = g_task_get_task_data (gtask);

  if (g_cancellable_is_cancelled (data->cancellable))
    {
      call_fail (gtask, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     "%s: cancelled before it was sent", data->method));
      return;
    }

  /* a request that waited goes where the client is now, if it may */
  if (data->attempts == 0 && data->endpoints_tried == 0 && (data->flags & CS_CALL_PROBE) == 0)
    {
      guint generation;
      guint index = active_endpoint (self, &generation);
      GError *error = NULL;

      if ((index != data->endpoint || generation != data->endpoint_generation) &&
          !call_aim (self, data, index, generation, &error) && error != NULL)
        {
          call_fail (gtask, error);
          return;
        }
    }

  g_clear_object (&data->message);
  data->message = soup_message_new_from_uri (SOUP_METHOD_POST, data->uri);
  data->message_finished = FALSE;
  g_signal_connect_object (data->message, "finished", G_CALLBACK (call_message_finished_cb),
                           gtask, 0);
  g_signal_connect (data->message, "wrote-headers", G_CALLBACK (call_wrote_cb), NULL);
  data->attempts++;
  /* A redirect is never followed. The flag lets libsoup send on a
   * kept-alive connection, which it does not resend a POST on (flagged or
   * not: a failure is returned); it does not make the request repeated. */
  soup_message_add_flags (data->message, SOUP_MESSAGE_NO_REDIRECT);
  if (may_reuse_connection (data))
    soup_message_add_flags (data->message, SOUP_MESSAGE_IDEMPOTENT);
  /* sent again after a stale connection: not on another one the server
   * may have closed at the same moment */
  if (data->attempts > 1)
    soup_message_add_flags (data->message, SOUP_MESSAGE_NEW_CONNECTION);
  soup_message_set_request_body_from_bytes (data->message, "application/json",
                                            data->request_body);
  soup_message_headers_replace (soup_message_get_request_headers (data->message),
                                "Accept", "application/json");
  /* the body is decoded here (see decode_body()), whatever the session */
  soup_message_disable_feature (data->message, SOUP_TYPE_CONTENT_DECODER);
  soup_message_headers_replace (soup_message_get_request_headers (data->message),
                                "Accept-Encoding", ACCEPT_ENCODING);
  /* A held request's connection is its own and never reused: it closes
   * after the reply instead of staying idle. libsoup leaves the header
   * out on HTTP/2. */
  if ((data->flags & CS_CALL_LONG) != 0)
    soup_message_headers_replace (soup_message_get_request_headers (data->message),
                                  "Connection", "close");

  call_start_clock (gtask, call_timeout_ms (self, data));
  if (_cs_debug_shown ())
    {
      /* a base URL may carry the key in its path */
      g_autofree char *safe_path = _cs_redact (g_uri_get_path (data->uri),
                                               (const char * const *) data->secrets);

      g_debug ("%s: POST %s", data->method, safe_path);
    }
  if (data->session == NULL)
    data->session = session_for (self, data);
  soup_session_send_async (data->session, data->message, G_PRIORITY_DEFAULT,
                           data->cancellable, call_sent_cb, g_object_ref (gtask));
  call_watch_connection (gtask);
}

/* The turn of a blocking call's paced request came, unless it was
 * withdrawn meanwhile. */
static gboolean
paced_turn_cb (gpointer user_data)
{
  GTask *gtask = user_data;
  CsClient *self = g_task_get_source_object (gtask);
  CallData *data = g_task_get_task_data (gtask);
  gboolean turn;

  g_mutex_lock (&self->queue_lock);
  turn = data->state == CALL_PACING;
  if (turn)
    {
      /* the account may have been refused or paused while it waited */
      data->held = check_account (self, data->account, data->method, data->flags);
      data->state = data->held != NULL ? CALL_WITHDRAWN : CALL_SENDING;
    }
  g_mutex_unlock (&self->queue_lock);
  if (turn && data->held != NULL)
    call_held_cb (gtask);
  else if (turn)
    call_send (gtask);
  return G_SOURCE_REMOVE;
}

/* A blocking call's request goes at once, or at its turn when paced,
 * withdrawn as a queued one is if cancelled before. */
static void
send_blocking (GTask *gtask)
{
  CsClient *self = g_task_get_source_object (gtask);
  CallData *data = g_task_get_task_data (gtask);
  gint64 now = g_get_monotonic_time ();
  gint64 turn;
  g_autoptr(GSource) wait = NULL;

  if ((data->flags & CS_CALL_PACED) == 0 ||
      (turn = _cs_client_slots_reserve (self, now, &data->slot_generation)) <= now)
    {
      call_send (gtask);
      return;
    }
  g_mutex_lock (&self->queue_lock);
  data->state = CALL_PACING;
  g_mutex_unlock (&self->queue_lock);
  wait = g_timeout_source_new ((guint) ((turn - now + 999) / 1000));
  g_source_set_callback (wait, paced_turn_cb, g_object_ref (gtask), g_object_unref);
  g_source_attach (wait, data->context);
}

/* The URL of @method at @base_url, parsed once for every attempt. The
 * callers checked the base URLs (_cs_client_check_base_url()); this only
 * keeps libsoup from ever seeing a URL it would not take. */
static GUri *
method_uri (const char  *base_url,
            const char  *method,
            GError     **error)
{
  g_autofree char *url = g_strconcat (base_url, "/", method, NULL);
  GUri *uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_clear_pointer (&uri, g_uri_unref);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "cannot send to “%s”: not an HTTP URL with a host", base_url);
    }
  return uri;
}

/* Points the request at endpoint @index of list @generation; FALSE if
 * the list changed meanwhile, or with @error if the endpoint is one
 * requests may not go to (a list none of whose URLs passed the checks). */
static gboolean
call_aim (CsClient  *self,
          CallData  *data,
          guint      index,
          guint      generation,
          GError   **error)
{
  gboolean usable;
  g_autofree char *base_url = dup_endpoint (self, index, generation, &usable);
  GUri *uri;

  if (base_url == NULL)
    return FALSE;
  if (!usable && !_cs_client_base_url_usable (self, base_url, error))
    return FALSE;
  uri = method_uri (base_url, data->method, error);
  if (uri == NULL)
    return FALSE;
  g_clear_pointer (&data->uri, g_uri_unref);
  data->uri = uri;
  data->endpoint = index;
  data->endpoint_generation = generation;
  return TRUE;
}

static gulong
connect_cancellable (GCancellable *cancellable,
                     GCallback     callback,
                     GTask        *gtask)
{
  return cancellable != NULL ? g_cancellable_connect (cancellable, callback, gtask, NULL) : 0;
}

static void
connect_caller (CallData     *data,
                GTask        *gtask,
                GCancellable *cancellable,
                GCancellable *unsent_cancellable)
{
  if (cancellable != NULL)
    data->caller_cancellable = g_object_ref (cancellable);
  if (unsent_cancellable != NULL)
    data->unsent_cancellable = g_object_ref (unsent_cancellable);
  data->caller_handler = connect_cancellable (cancellable, G_CALLBACK (call_cancelled_cb), gtask);
  data->unsent_handler = connect_cancellable (unsent_cancellable,
                                              G_CALLBACK (call_unsent_cancelled_cb), gtask);
}

/* Sends one request of @method, in turn with the client's other requests.
 * @cancellable ends it at any time; @unsent_cancellable only while it
 * waits for a slot (a createTask that left may have created a task).
 * Finish with _cs_client_call_finish(). */
void
_cs_client_call_async (CsClient            *self,
                       const char          *method,
                       JsonObject          *body,
                       const char * const  *secrets,
                       CsCallFlags          flags,
                       GCancellable        *cancellable,
                       GCancellable        *unsent_cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *gtask = g_task_new (self, cancellable, callback, user_data);
  CallData *data;
  GError *error = NULL;
  guint generation;
  guint index;

  g_task_set_source_tag (gtask, _cs_client_call_async);
  /* the error says whether the request left; GTask's own would not */
  g_task_set_check_cancellable (gtask, FALSE);

  data = g_new0 (CallData, 1);
  data->link.data = gtask;
  data->context = g_main_context_ref_thread_default ();
  data->method = method;
  data->request_body = _cs_json_to_bytes (body);
  data->secrets = g_strdupv ((char **) secrets);
  data->flags = flags;
  data->cancellable = g_cancellable_new ();
  g_task_set_task_data (gtask, data, (GDestroyNotify) call_data_free);

  data->account = _cs_client_ref_account (self);
  /* the probe goes to the first endpoint, anything else to the one in use */
  index = active_endpoint (self, &generation);
  if ((flags & CS_CALL_PROBE) != 0)
    index = 0;
  if (!call_aim (self, data, index, generation, &error) && error == NULL)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s: the client's endpoints changed as it was made", method);
  if (error == NULL && (error = check_account (self, data->account, method, flags)) != NULL)
    g_object_set_data (G_OBJECT (gtask), HELD_BACK, GINT_TO_POINTER (TRUE));
  /* the blocking calls of other threads bypass the queue: the account's
   * gate bounds those that a wrong key would turn into a storm */
  if (error == NULL && data->account != NULL && _cs_client_in_blocking_call () &&
      (flags & (CS_CALL_SPENDS | CS_CALL_LONG)) != 0 &&
      !_cs_account_gate_enter (data->account, self->max_in_flight, method, call_spends (flags),
                               (flags & CS_CALL_LONG) != 0, self->pause_on_cooldown,
                               self->account_breaker, cancellable, &data->gated, &error) &&
      error->domain == CS_ERROR)
    g_object_set_data (G_OBJECT (gtask), HELD_BACK, GINT_TO_POINTER (TRUE));
  if (error != NULL)
    {
      _cs_error_redact (error, secrets);
      g_debug ("%s: %s", method, error->message);
      g_task_return_error (gtask, error);
      g_object_unref (gtask);
      return;
    }

  /* A blocking call iterates its own context only: it cannot wait for a
   * slot that requests of other contexts hold, nor for connections whose
   * end another context would dispatch. It goes at once, on the session
   * that only blocking calls use. */
  if (_cs_client_in_blocking_call ())
    {
      data->flags |= CS_CALL_BLOCKING;
      data->state = CALL_SENDING;
      send_blocking (gtask);
      connect_caller (data, gtask, cancellable, unsent_cancellable);
      return;
    }

  /* the queue holds the reference of the exchange until it is sent */
  g_mutex_lock (&self->queue_lock);
  data->state = CALL_WAITING;
  g_queue_push_tail_link (queue_for (self, data), &data->link);
  g_mutex_unlock (&self->queue_lock);

  connect_caller (data, gtask, cancellable, unsent_cancellable);
  admit (self);
}

/* Whether the client held the request back, for the state of the
 * account (a pause): nothing was sent. */
gboolean
_cs_client_call_was_held_back (GAsyncResult *result)
{
  return g_object_get_data (G_OBJECT (result), HELD_BACK) != NULL;
}

/* Whether the request left: a request that did not (cancelled while it
 * waited, refused before sending) carried nothing out. */
gboolean
_cs_client_call_was_sent (GAsyncResult *result)
{
  CallData *data = g_task_get_task_data (G_TASK (result));

  return data->attempts > 0;
}

/* Whether the service may have the request: something of it was written
 * on its last attempt, or an answer came. */
gboolean
_cs_client_call_may_have_arrived (GAsyncResult *result)
{
  CallData *data = g_task_get_task_data (G_TASK (result));

  return data->attempts > 0 &&
         (call_wrote (data) || data->reply.root != NULL ||
          (data->message != NULL && soup_message_get_status (data->message) != 0));
}

/* Whether the request failed on every endpoint of the client, none of
 * them provably reached: a request that is never sent twice moved from
 * each to the next only when its attempt was unsent, so the last one
 * unsent means all were. */
gboolean
_cs_client_call_never_reached (GAsyncResult *result)
{
  CallData *data = g_task_get_task_data (G_TASK (result));

  return data->attempts > 0 && data->endpoint_down && data->down_unsent;
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

/* How many requests the client gives libsoup at once: its own limit, and
 * never more than a session it was given can carry to one host. */
void
_cs_client_init_queue (CsClient *self)
{
  guint session_limit = MIN (soup_session_get_max_conns_per_host (self->session),
                             soup_session_get_max_conns (self->session));

  self->max_in_flight = MAX (1, MIN (self->max_connections, session_limit));
  self->max_held = _cs_client_held_allowance (self->max_connections);
}

/* How many held requests go at once: each holds a connection, an open
 * file, for as long as the service takes to solve its task. Half the
 * process's open-file limit, at most CS_MAX_HELD_REQUESTS, and never
 * fewer than the client's max-connections. */
guint
_cs_client_held_allowance (guint max_connections)
{
  struct rlimit limit;
  guint64 files = 1024;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    files = limit.rlim_cur == RLIM_INFINITY ? G_MAXUINT64 : limit.rlim_cur;
  return (guint) CLAMP (files / 2, max_connections, CS_MAX_HELD_REQUESTS);
}
