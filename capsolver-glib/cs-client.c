/* cs-client.c: the CapSolver API client
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-client-private.h"

/**
 * CsClient:
 *
 * A client of the CapSolver API. It sends every request with a fresh
 * message on a [class@Soup.Session], its own or the application's (see
 * [property@Client:session]); blocking calls go on a session beside it.
 *
 * [method@Client.solve] is the whole job in one call: it sends
 * `createTask`, and unless the answer came at once, polls `getTaskResult`
 * until the task is ready, fails, is cancelled or the client's
 * [property@Client:deadline] passes. `createTask` is never sent twice for a task:
 * a task that has a task id is polled, not created again, so solving a task
 * again after %CS_ERROR_TIMEOUT resumes where the first call stopped.
 *
 * Every operation has an asynchronous form with a [class@Gio.Cancellable] and a
 * blocking form. The blocking form runs the asynchronous one on a private
 * main context, so it never dispatches the application's sources and can
 * be called from a worker thread.
 *
 * Errors of the service are returned in the [error@CapSolver.Error] domain, with
 * messages that read `ERROR_CODE: description`; transport failures keep
 * the `G_IO_ERROR`, `G_TLS_ERROR` or `G_RESOLVER_ERROR` libsoup gave. The API
 * key never appears in an error message or a log line.
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (CsClient, cs_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_API_KEY,
  PROP_BASE_URL,
  PROP_APP_ID,
  PROP_LANGUAGE_POOL,
  PROP_FIRST_POLL_DELAY,
  PROP_POLL_INTERVAL,
  PROP_DEADLINE,
  PROP_MAX_POLLS,
  PROP_REQUEST_TIMEOUT,
  PROP_PAUSE_ON_COOLDOWN,
  PROP_SESSION,
  PROP_ADAPTIVE_POLLING,
  PROP_MAX_CONNECTIONS,
  PROP_TOKEN_REQUEST_TIMEOUT,
  PROP_TLS_DATABASE,
  PROP_ALLOW_INSECURE_HTTP,
  PROP_ACCOUNT_STATE,
  PROP_ACCOUNT_BREAKER,
  PROP_BALANCE_CACHE_TIME,
  PROP_MAX_TASKS_IN_FLIGHT,
  PROP_PROVIDER,
  PROP_BASE_URLS,
  PROP_ACTIVE_ENDPOINT,
  PROP_FALLBACK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Every client's CsClient:fallback, under one lock: a chain is read
 * whole when a task is routed, in whatever thread. */
static GMutex chain_lock;

static void update_base_url (CsClient *self);

/* Blocking calls go on a session of their own, beside the one of the
 * asynchronous calls and following it. One shared with asynchronous
 * calls may have every connection held by calls whose end waits on a
 * context nobody iterates (a main loop that quit, another client's):
 * libsoup gives a connection back only on the context of the call that
 * used it. The blocking calls' session is used by blocking calls alone,
 * and each gives its connection back before it returns. */
static void
client_constructed (GObject *object)
{
  CsClient *self = CS_CLIENT (object);

  G_OBJECT_CLASS (cs_client_parent_class)->constructed (object);
  self->constructing = FALSE;

  /* A session the application gives is its own to guard: it may accept
   * certificates. The client's own guard reaches the blocking calls'
   * session through the forwarded request-queued. */
  if (self->session == NULL)
    self->session = _cs_client_new_own_session (self);
  else if (soup_session_get_idle_timeout (self->session) != 0)
    g_debug ("the session given closes idle connections after %u s: libsoup 3.2.3 may lose "
             "a request that takes one as it does (docs/connections.md)",
             soup_session_get_idle_timeout (self->session));
  _cs_client_init_queue (self);
  self->blocking_session = _cs_client_new_companion_session (self->session,
                                                             self->max_connections, TRUE);
  /* a blocking getToken holds its connection until the task is solved */
  self->blocking_held_session = _cs_client_new_companion_session (self->session,
                                                                  self->max_held, FALSE);
  self->held_sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->held_session_use = g_array_new (FALSE, TRUE, sizeof (guint));
  _cs_client_new_held_session (self);
  if (self->tls_database != NULL)
    soup_session_set_tls_database (self->session, self->tls_database);
}

static void
client_finalize (GObject *object)
{
  CsClient *self = CS_CLIENT (object);

  g_clear_pointer (&self->handle, _cs_weak_handle_unref);
  g_clear_object (&self->fallback);
  g_free (self->api_key);
  g_free (self->base_url);
  g_free (self->base_url_given);
  g_strfreev (self->base_urls_given);
  g_strfreev (self->endpoints_skipped);
  _cs_client_endpoints_clear (self);
  g_free (self->app_id);
  g_free (self->language_pool);
  g_clear_object (&self->blocking_session);
  g_clear_object (&self->blocking_held_session);
  g_clear_pointer (&self->held_sessions, g_ptr_array_unref);
  g_clear_pointer (&self->held_session_use, g_array_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->tls_database);
  _cs_client_account_clear (self);
  _cs_client_clear_queue (self);
  g_mutex_clear (&self->queue_lock);
  _cs_client_slots_clear (self);
  g_clear_pointer (&self->schedulers, g_hash_table_unref);
  _cs_client_plan_clear (self);
  g_mutex_clear (&self->solve_lock);

  G_OBJECT_CLASS (cs_client_parent_class)->finalize (object);
}

static void
client_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  CsClient *self = CS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_API_KEY:
      g_value_set_string (value, self->api_key);
      break;
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_BASE_URLS:
      g_mutex_lock (&self->endpoint_lock);
      g_value_set_boxed (value, self->base_urls);
      g_mutex_unlock (&self->endpoint_lock);
      break;
    case PROP_ACTIVE_ENDPOINT:
      g_value_take_string (value, cs_client_dup_active_endpoint (self));
      break;
    case PROP_APP_ID:
      g_value_set_string (value, self->app_id);
      break;
    case PROP_LANGUAGE_POOL:
      g_value_set_string (value, self->language_pool);
      break;
    case PROP_FIRST_POLL_DELAY:
      g_value_set_uint (value, self->first_poll_delay);
      break;
    case PROP_POLL_INTERVAL:
      g_value_set_uint (value, self->poll_interval);
      break;
    case PROP_DEADLINE:
      g_value_set_uint (value, self->deadline);
      break;
    case PROP_MAX_POLLS:
      g_value_set_uint (value, self->max_polls);
      break;
    case PROP_REQUEST_TIMEOUT:
      g_value_set_uint (value, self->request_timeout);
      break;
    case PROP_PAUSE_ON_COOLDOWN:
      g_value_set_boolean (value, self->pause_on_cooldown);
      break;
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_ADAPTIVE_POLLING:
      g_value_set_boolean (value, self->adaptive_polling);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_TOKEN_REQUEST_TIMEOUT:
      g_value_set_uint (value, self->token_request_timeout);
      break;
    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;
    case PROP_ALLOW_INSECURE_HTTP:
      g_value_set_boolean (value, self->allow_insecure_http);
      break;
    case PROP_ACCOUNT_STATE:
      g_value_set_enum (value, cs_client_get_account_state (self));
      break;
    case PROP_ACCOUNT_BREAKER:
      g_value_set_boolean (value, self->account_breaker);
      break;
    case PROP_BALANCE_CACHE_TIME:
      g_value_set_uint (value, self->balance_cache_time);
      break;
    case PROP_MAX_TASKS_IN_FLIGHT:
      g_value_set_uint (value, cs_client_get_max_tasks_in_flight (self));
      break;
    case PROP_PROVIDER:
      g_value_set_enum (value, self->provider);
      break;
    case PROP_FALLBACK:
      g_mutex_lock (&chain_lock);
      g_value_set_object (value, self->fallback);
      g_mutex_unlock (&chain_lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
client_set_property (GObject      *object,
                     guint         prop_id,
                     const GValue *value,
                     GParamSpec   *pspec)
{
  CsClient *self = CS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_API_KEY:
      cs_client_set_api_key (self, g_value_get_string (value));
      break;
    case PROP_BASE_URL:
      /* a list given at construction wins, whatever the order */
      if (!self->constructing || !self->construct_urls_given)
        cs_client_set_base_url (self, g_value_get_string (value));
      break;
    case PROP_BASE_URLS:
      if (self->constructing && g_value_get_boxed (value) == NULL)
        break;
      self->construct_urls_given = self->constructing;
      cs_client_set_base_urls (self, g_value_get_boxed (value));
      break;
    case PROP_APP_ID:
      cs_client_set_app_id (self, g_value_get_string (value));
      break;
    case PROP_LANGUAGE_POOL:
      cs_client_set_language_pool (self, g_value_get_string (value));
      break;
    case PROP_FIRST_POLL_DELAY:
      cs_client_set_first_poll_delay (self, g_value_get_uint (value));
      break;
    case PROP_POLL_INTERVAL:
      cs_client_set_poll_interval (self, g_value_get_uint (value));
      break;
    case PROP_DEADLINE:
      cs_client_set_deadline (self, g_value_get_uint (value));
      break;
    case PROP_MAX_POLLS:
      cs_client_set_max_polls (self, g_value_get_uint (value));
      break;
    case PROP_REQUEST_TIMEOUT:
      cs_client_set_request_timeout (self, g_value_get_uint (value));
      break;
    case PROP_PAUSE_ON_COOLDOWN:
      cs_client_set_pause_on_cooldown (self, g_value_get_boolean (value));
      break;
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_ADAPTIVE_POLLING:
      cs_client_set_adaptive_polling (self, g_value_get_boolean (value));
      break;
    case PROP_MAX_CONNECTIONS:
      self->max_connections = g_value_get_uint (value);
      break;
    case PROP_TOKEN_REQUEST_TIMEOUT:
      cs_client_set_token_request_timeout (self, g_value_get_uint (value));
      break;
    case PROP_TLS_DATABASE:
      cs_client_set_tls_database (self, g_value_get_object (value));
      break;
    case PROP_ALLOW_INSECURE_HTTP:
      cs_client_set_allow_insecure_http (self, g_value_get_boolean (value));
      break;
    case PROP_ACCOUNT_BREAKER:
      cs_client_set_account_breaker (self, g_value_get_boolean (value));
      break;
    case PROP_BALANCE_CACHE_TIME:
      cs_client_set_balance_cache_time (self, g_value_get_uint (value));
      break;
    case PROP_MAX_TASKS_IN_FLIGHT:
      cs_client_set_max_tasks_in_flight (self, g_value_get_uint (value));
      break;
    case PROP_PROVIDER:
      self->provider = g_value_get_enum (value);
      self->dialect = _cs_dialect_get (self->provider);
      update_base_url (self);
      break;
    case PROP_FALLBACK:
      cs_client_set_fallback (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_client_class_init (CsClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = client_constructed;
  object_class->finalize = client_finalize;
  object_class->get_property = client_get_property;
  object_class->set_property = client_set_property;

  /**
   * CsClient:api-key: (getter get_api_key) (setter set_api_key)
   *
   * The account key sent as `clientKey`. It is never logged nor put in an
   * error message.
   *
   * Since: 1.0
   */
  properties[PROP_API_KEY] =
    g_param_spec_string ("api-key", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:base-url: (getter get_base_url) (setter set_base_url)
   *
   * The address of the service: [const@DEFAULT_BASE_URL], the service's
   * second server `https://api-stable.capsolver.com`, a [class@Sandbox], or
   * another service that speaks the same protocol. When it is not set
   * (or set to %NULL) it reads as the first base URL of
   * [property@Client:provider] ([func@Provider.get_base_urls]); a client of
   * %CS_PROVIDER_COMPATIBLE has none, and every call fails with
   * %G_IO_ERROR_INVALID_ARGUMENT until it is set.
   *
   * It is the first of [property@Client:base-urls]. Setting it sets a list
   * of one endpoint, but for %NULL or the provider's first base URL, which
   * set the provider's list (CapSolver's: Server-A, then Server-B).
   *
   * It must be an `https://` URL, or an `http://` one to this machine
   * (a loopback address or `localhost`) unless
   * [property@Client:allow-insecure-http] is set: otherwise every call fails with
   * %G_IO_ERROR_INVALID_ARGUMENT and sends nothing.
   *
   * Since: 1.0
   */
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:app-id: (getter get_app_id) (setter set_app_id)
   *
   * The developer `appId` sent with `createTask` and `feedbackTask`, or
   * %NULL to send none. The library never sends one of its own.
   *
   * Since: 1.0
   */
  properties[PROP_APP_ID] =
    g_param_spec_string ("app-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:language-pool: (getter get_language_pool) (setter set_language_pool)
   *
   * The pool of workers that solve image tasks, by language, as the
   * provider names them (`"en"` for English-speaking workers, `"rn"` for
   * Russian-speaking ones at Anti-Captcha and 2Captcha), or %NULL for the
   * provider's default. It is sent where the provider takes it: beside
   * every task at 2Captcha, inside an `ImageToTextTask` at Anti-Captcha
   * (and with no other task there). CapSolver and CapMonster Cloud have
   * no such pool: it is never sent to them.
   *
   * Since: 1.0
   */
  properties[PROP_LANGUAGE_POOL] =
    g_param_spec_string ("language-pool", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:first-poll-delay: (getter get_first_poll_delay) (setter set_first_poll_delay)
   *
   * Milliseconds between `createTask` and the first `getTaskResult` on
   * the fixed schedule. Setting it selects the fixed schedule (see
   * [property@Client:adaptive-polling]).
   *
   * Since: 1.0
   */
  properties[PROP_FIRST_POLL_DELAY] =
    g_param_spec_uint ("first-poll-delay", NULL, NULL, 0, G_MAXUINT, DEFAULT_FIRST_POLL_DELAY,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:poll-interval: (getter get_poll_interval) (setter set_poll_interval)
   *
   * Milliseconds between two `getTaskResult` requests for a task on the
   * fixed schedule. Setting it selects the fixed schedule (see
   * [property@Client:adaptive-polling]).
   *
   * Since: 1.0
   */
  properties[PROP_POLL_INTERVAL] =
    g_param_spec_uint ("poll-interval", NULL, NULL, 0, G_MAXUINT, DEFAULT_POLL_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:deadline: (getter get_deadline) (setter set_deadline)
   *
   * Milliseconds one [method@Client.solve] call waits for a solution
   * before it returns %CS_ERROR_TIMEOUT. The default, 150 seconds, is
   * longer than the 120 seconds after which the service gives up itself.
   * A solve whose next poll would come too late for its reply to arrive
   * before the deadline is polled once more, shortly before it (see
   * [Polling](polling.html)).
   *
   * Since: 1.0
   */
  properties[PROP_DEADLINE] =
    g_param_spec_uint ("deadline", NULL, NULL, 1, G_MAXUINT, DEFAULT_DEADLINE,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:max-polls: (getter get_max_polls) (setter set_max_polls)
   *
   * How many `getTaskResult` requests a task may get in all, across
   * resumed solves. The service answers at most 120 per task, and the
   * client never polls a task past the count its provider publishes,
   * whatever this property says (see [Polling](polling.html)).
   *
   * Since: 1.0
   */
  properties[PROP_MAX_POLLS] =
    g_param_spec_uint ("max-polls", NULL, NULL, 1, G_MAXUINT, DEFAULT_MAX_POLLS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:request-timeout: (getter get_request_timeout) (setter set_request_timeout)
   *
   * Milliseconds one HTTP exchange may take, from sending the request to
   * the end of the reply, before it fails with %G_IO_ERROR_TIMED_OUT. A
   * server that answers a byte at a time cannot hold a call for longer.
   * A `createTask` that times out may still have created a task: it is not
   * sent again.
   *
   * Since: 1.0
   */
  properties[PROP_REQUEST_TIMEOUT] =
    g_param_spec_uint ("request-timeout", NULL, NULL, 1, G_MAXUINT, DEFAULT_REQUEST_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:pause-on-cooldown: (getter get_pause_on_cooldown) (setter set_pause_on_cooldown)
   *
   * Whether an error of the %CS_RETRY_CLASS_COOLDOWN class
   * (`ERROR_IP_BANNED`, `ERROR_KEY_TEMP_BLOCKED`, `ERROR_RATE_LIMIT`)
   * pauses every request of the client for its cooldown. While paused, a
   * call fails at once with the same error code and sends nothing: more
   * requests would only prolong the block. See [method@Client.get_paused_for]
   * and [method@Client.resume].
   *
   * An HTTP 429 reply pauses as `ERROR_RATE_LIMIT` does, for the time its
   * `Retry-After` header gives, if any: `Retry-After: 0` or a date already
   * past means no pause. No pause lasts longer than 30 minutes (the
   * longest cooldown, that of `ERROR_IP_BANNED`), whatever a server asks,
   * and a pause ends when [property@Client:api-key] or
   * [property@Client:base-url] changes.
   *
   * Since: 1.0
   */
  properties[PROP_PAUSE_ON_COOLDOWN] =
    g_param_spec_boolean ("pause-on-cooldown", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:session: (getter get_session)
   *
   * The [class@Soup.Session] asynchronous requests are sent with. By default the
   * client makes its own; pass one at construction to share a session, a
   * proxy resolver or a TLS database with the application. Any number of
   * clients may share one session, of any limits (a plain
   * `soup_session_new()` keeps 2 connections per host).
   *
   * Blocking calls go on a session of the client's own beside this one,
   * that only blocking calls use, so that a blocking call never waits for
   * a connection of this session: libsoup gives a connection back only on
   * the main context of the call that used it, and asynchronous calls
   * whose main loop has stopped, the client's or another's, can hold every
   * connection. That session follows this one (given or the client's
   * own): these of its properties, as they change:
   * [property@Soup.Session:user-agent],
   * [property@Soup.Session:accept-language],
   * [property@Soup.Session:timeout],
   * [property@Soup.Session:proxy-resolver],
   * [property@Soup.Session:tls-database] and
   * [property@Soup.Session:tls-interaction]; its
   * [property@Soup.Session:local-address] and
   * [property@Soup.Session:remote-connectable]; and the handlers of its
   * [signal@Soup.Session::request-queued] and
   * [signal@Soup.Session::request-unqueued] signals see the blocking
   * calls' messages too (to accept a certificate, or add a header).
   * Features added to this session (a [class@Soup.Logger], a cookie jar)
   * do not see them. `getToken` requests go on sessions of the client's
   * own beside it too, following it the same way, except for the I/O
   * [property@Soup.Session:timeout]: the service holds them for as long as
   * it solves, which [property@Client:token-request-timeout] bounds (see
   * [property@Client:max-connections]).
   *
   * The client's own session refuses to resume a TLS session whose
   * certificate its database does not trust (see the security notes), and
   * so does the one beside it; a session given here, and the one beside
   * it, are left as they are.
   *
   * The client's own sessions keep an [property@Soup.Session:idle-timeout]
   * of 0: libsoup 3.2.3 loses a request that takes a kept-alive connection
   * just as its idle timer closes it (no reply, no error, even when
   * cancelled), so libsoup never closes their idle connections; the server
   * does, and a request that meets that close is sent again when it is
   * safe to repeat. A session given here keeps its own idle-timeout
   * (libsoup's default is 60 s): give one with an idle-timeout of 0. With
   * another, a request lost that way ends after
   * [property@Client:request-timeout] with %G_IO_ERROR_TIMED_OUT; a solve
   * polls again, and `createTask` and `getToken`, which never reuse a
   * connection, cannot meet it. `docs/connections.md` has the details.
   *
   * Since: 1.0
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * CsClient:adaptive-polling: (getter get_adaptive_polling) (setter set_adaptive_polling)
   *
   * Whether polls are placed where tasks become ready. The client learns,
   * for each task family, when its tasks become ready (starting from the
   * solve times the service documents), and polls none before almost any
   * is ready, then densely where most become ready, at most a second
   * apart and at least 250 ms: on average no more polls than one a
   * second, and the token sooner. When %FALSE, the client polls after
   * [property@Client:first-poll-delay] and then every [property@Client:poll-interval];
   * setting either of those turns this off.
   *
   * Since: 1.0
   */
  properties[PROP_ADAPTIVE_POLLING] =
    g_param_spec_boolean ("adaptive-polling", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:max-connections:
   *
   * How many asynchronous requests the client has on their way at once:
   * the connections of its session to the service. Further requests wait in
   * the client's own queue, where cancelling one or reaching a solve's
   * deadline ends it at once, polls and `createTask` taking turns. The
   * default, 16, lets 16 requests go together: at the service's usual
   * 0.1 to 0.3 s a request, 50 to 160 requests a second, enough to poll
   * thousands of tasks; libsoup's own default of 2 would serialise
   * concurrent solves. With a [property@Client:session] of the
   * application's, the session's own limits also apply. Blocking calls do
   * not wait in the queue: they go at once on a session of their own (see
   * [property@Client:session]), which keeps as many connections.
   *
   * `getToken` requests ([method@Client.get_token_async]), which the
   * service holds until their task is solved, do not count here: they have
   * an allowance of their own, on sessions of the client's own, of half
   * the process's open-file limit (`RLIMIT_NOFILE` when the client is
   * made), at most 4096 and at least this many; further ones wait in the
   * client's queue. A thousand `getToken` calls at once each return when
   * their task is solved, and never hold up polls or `createTask`.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL, 1, 1024, DEFAULT_MAX_CONNECTIONS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * CsClient:token-request-timeout: (getter get_token_request_timeout)
   *   (setter set_token_request_timeout)
   *
   * Milliseconds a [method@Client.get_token_async] request may take: the
   * service holds it until the task is solved, up to 120 seconds.
   *
   * Since: 1.0
   */
  properties[PROP_TOKEN_REQUEST_TIMEOUT] =
    g_param_spec_uint ("token-request-timeout", NULL, NULL, 1, G_MAXUINT,
                       DEFAULT_TOKEN_REQUEST_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:tls-database: (getter get_tls_database) (setter set_tls_database)
   *
   * The certificate authorities the client trusts, instead of the
   * system's, or %NULL for the system's. Set it to a [iface@Gio.TlsFileDatabase] to
   * reach a server whose certificate a private authority signed, without
   * replacing the whole [property@Client:session]. It is applied to the client's
   * session, a session given at construction included.
   *
   * Whatever it is, each new TLS connection is first given the process's
   * default database, and glib-networking parses the system's authorities
   * for it: see [func@Client.install_default_tls_database] for what avoids it.
   *
   * Since: 1.0
   */
  properties[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:allow-insecure-http: (getter get_allow_insecure_http) (setter set_allow_insecure_http)
   *
   * Whether a `http://` [property@Client:base-url] may name a host other than this
   * machine. By default such a base URL is refused, since the API key
   * would travel in clear text: every call fails with
   * %G_IO_ERROR_INVALID_ARGUMENT and sends nothing. Plain `http://` to a
   * loopback address or `localhost` is always allowed.
   *
   * Since: 1.0
   */
  properties[PROP_ALLOW_INSECURE_HTTP] =
    g_param_spec_boolean ("allow-insecure-http", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:account-state: (getter get_account_state)
   *
   * What the client sends for its account, after what the service last
   * said of it: usable, paused for a cooldown, no money (no task is
   * created until a balance read shows some), or the key refused (nothing
   * is sent with it). A call that the state holds back ends at once with
   * the error that set it, whose message says that it was not sent;
   * [method@Client.dup_account_error] gives that error.
   *
   * The state belongs to the key at the base URL: every client of the
   * process with the same key shares it. It is notified on the main
   * context that was the thread default when the client was made, and
   * only when it changes, so a user interface can bind to it. It opens
   * again with [method@Client.resume], a new [property@Client:api-key] or
   * [property@Client:base-url], the end of a cooldown, or, when the money
   * ran out, a balance read that shows some: the client reads it 30 s
   * after the error, then at doubling waits up to 10 minutes, one read
   * for all the clients of the key, on the context it was made in (or,
   * when that read is due, in the next blocking call that would create a
   * task). `docs/errors.md` lists the codes.
   *
   * Since: 1.0
   */
  properties[PROP_ACCOUNT_STATE] =
    g_param_spec_enum ("account-state", NULL, NULL, CS_TYPE_ACCOUNT_STATE,
                       CS_ACCOUNT_STATE_USABLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:account-breaker: (getter get_account_breaker) (setter set_account_breaker)
   *
   * Whether an answer that refuses the key or says the money ran out
   * holds back the requests that would meet it again (see
   * [property@Client:account-state]). Leave it on: services ban the keys
   * and addresses that keep sending failing requests. Cooldowns are
   * [property@Client:pause-on-cooldown]'s.
   *
   * Since: 1.0
   */
  properties[PROP_ACCOUNT_BREAKER] =
    g_param_spec_boolean ("account-breaker", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:balance-cache-time: (getter get_balance_cache_time) (setter set_balance_cache_time)
   *
   * For how many seconds [method@Client.get_balance_async] answers with
   * the balance read last, without a request; 0 asks the service every
   * time. Calls made while a read is on its way share it, whatever this
   * is. The balance is shared by the clients of the process with the same
   * key; [method@Client.invalidate_balance] forces the next read.
   *
   * Since: 1.0
   */
  properties[PROP_BALANCE_CACHE_TIME] =
    g_param_spec_uint ("balance-cache-time", NULL, NULL, 0, G_MAXUINT,
                       DEFAULT_BALANCE_CACHE_TIME,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:max-tasks-in-flight: (getter get_max_tasks_in_flight)
   *   (setter set_max_tasks_in_flight)
   *
   * How many tasks the solves of the key may have at the service at once,
   * for an account allowed only so many; 0 (the default) for no limit.
   * The places count the solves of every client of the process with the
   * same key at the same base URL, each client holding back its own
   * solves at its own limit. A solve holds a place from its start until
   * it ends, solved, failed,
   * cancelled or timed out; past the limit a solve waits in line, without
   * a request, until another ends, and its [property@Client:deadline]
   * starts only then (cancelling ends the wait at once). Two solves of
   * one task hold a place each. Tasks made with
   * [method@Client.create_task_async] or [method@Client.get_token_async]
   * are the application's to count.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_TASKS_IN_FLIGHT] =
    g_param_spec_uint ("max-tasks-in-flight", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:provider: (getter get_provider)
   *
   * The service whose dialect the client speaks: how `createTask` is
   * written (type names, proxy fields, `softId` for
   * [property@Client:app-id]), how task ids are sent and how replies,
   * statuses and error codes are read. A task type the provider lacks
   * fails with %CS_ERROR_TASK_NOT_SUPPORTED before anything is sent, the
   * message naming the providers that have it. Unless
   * [property@Client:base-url] is set, the client talks to the provider's
   * first base URL; %CS_PROVIDER_COMPATIBLE needs one set.
   *
   * Since: 1.0
   */
  properties[PROP_PROVIDER] =
    g_param_spec_enum ("provider", NULL, NULL, CS_TYPE_PROVIDER, CS_PROVIDER_CAPSOLVER,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * CsClient:base-urls: (getter get_base_urls) (setter set_base_urls)
   *
   * The endpoints of the service, in order of preference: unless set,
   * CapSolver's Server-A `https://api.capsolver.com` then Server-B
   * `https://api-stable.capsolver.com`, or the first host of another
   * [property@Client:provider] ([func@Provider.get_base_urls]: 2Captcha's
   * second host serves other accounts). The first is
   * [property@Client:base-url], and setting that sets a list of one. Every
   * URL is checked as [property@Client:base-url] is: one that requests may
   * not go to (not an `http` or `https` URL with a host, one with a query or
   * a fragment, `http` to another machine without
   * [property@Client:allow-insecure-http]) is left out of the list, as is
   * a URL given twice, and the reason is logged with g_message() at the
   * first request; the others work as if it had not been given. Reading the
   * property gives the endpoints in use. When none is usable, the list is
   * kept as given and every call fails with %G_IO_ERROR_INVALID_ARGUMENT
   * naming the first.
   *
   * The endpoints are hosts of one service: they share the key's account,
   * its tasks and its state, keyed by the first endpoint. Requests go to
   * [property@Client:active-endpoint]; a request that meets an endpoint
   * down moves the client to the next, and a probe brings it back to the
   * first (see the Failover page for when a `createTask` moves and when
   * it never does).
   *
   * Since: 1.0
   */
  properties[PROP_BASE_URLS] =
    g_param_spec_boxed ("base-urls", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                        G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:active-endpoint: (getter dup_active_endpoint)
   *
   * The endpoint of [property@Client:base-urls] that requests go to now.
   * It changes when a request finds it down (a transport failure, a 5xx,
   * an error page) and when a probe finds the first endpoint answering
   * again; each change is logged and counted
   * ([method@Usage.get_endpoint_switches]). It is notified on the main
   * context the client was made in.
   *
   * Since: 1.0
   */
  properties[PROP_ACTIVE_ENDPOINT] =
    g_param_spec_string ("active-endpoint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:fallback: (getter get_fallback) (setter set_fallback)
   *
   * The client that takes the new tasks this one cannot: the next
   * provider, with its own key, endpoints and account. A client and its
   * fallbacks, in order, are the chain a task is routed along; each
   * client of the chain is also usable alone.
   *
   * A new task (`createTask` or `getToken`, from
   * [method@Client.solve_async], [method@Client.create_task_async] or
   * [method@Client.get_token_async]) goes to the first client of the
   * chain that can take it, and moves to the next when the one it tried
   * certainly created nothing:
   *
   * - the provider lacks the task's type, or cannot take its proxy or
   *   image (refused before sending);
   * - its account holds creates back ([property@Client:account-state]
   *   not %CS_ACCOUNT_STATE_USABLE: no money, a refused key, a pause);
   * - its answer names an account error (%CS_ERROR_ZERO_BALANCE, a
   *   refused key, a cooldown: see [func@Error.get_cooldown]), with no task;
   * - every endpoint of it was down and provably never reached
   *   (connection refused, no such host, TLS handshake failed).
   *
   * It never moves once the request may have reached a provider: a
   * `createTask` written and never answered fails with the error that
   * says it may have been carried out, as with one client. A refusal for
   * want of a slot is not moved either: a solve sends it again to the same
   * provider (see [method@Client.solve_async]). When no client of the chain
   * can take the task, the error is the first client's own.
   *
   * The task then belongs to the client that created it: its
   * [property@Task:provider] and its solution's [property@Solution:provider]
   * say which, its polls and reports go there, and that client's
   * [method@Client.get_usage] counts it (the client called counts the
   * solve itself: submitted, and how it ended).
   *
   * A fallback that would make the chain a loop is refused (a programmer
   * error).
   *
   * Since: 1.0
   */
  properties[PROP_FALLBACK] =
    g_param_spec_object ("fallback", NULL, NULL, CS_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_client_init (CsClient *self)
{
  self->dialect = _cs_dialect_get (CS_PROVIDER_CAPSOLVER);
  self->handle = _cs_weak_handle_new (G_OBJECT (self));
  _cs_client_account_init (self);
  g_mutex_init (&self->endpoint_lock);
  self->probe_first_wait = DEFAULT_ENDPOINT_PROBE_WAIT;
  self->constructing = TRUE;
  g_mutex_init (&self->queue_lock);
  g_mutex_init (&self->solve_lock);
  g_queue_init (&self->waiting_creates);
  g_queue_init (&self->waiting_polls);
  g_queue_init (&self->waiting_paced);
  _cs_client_slots_init (self);
  self->first_poll_delay = DEFAULT_FIRST_POLL_DELAY;
  self->poll_interval = DEFAULT_POLL_INTERVAL;
  self->adaptive_polling = TRUE;
  self->outage_backoff = DEFAULT_OUTAGE_BACKOFF;
  /* the solves' schedulers, one per main context (cs-client-solve.c) */
  self->schedulers = g_hash_table_new (NULL, NULL);
  _cs_client_plan_init (self);
}

/**
 * cs_client_new:
 * @api_key: (nullable): the account key
 *
 * Creates a client of the CapSolver service.
 *
 * Returns: (transfer full): a new [class@Client]
 *
 * Since: 1.0
 */
CsClient *
cs_client_new (const char *api_key)
{
  return g_object_new (CS_TYPE_CLIENT, "api-key", api_key, NULL);
}

/**
 * cs_client_get_api_key: (get-property api-key)
 * @client: a [class@Client]
 *
 * Gets the account key.
 *
 * Returns: (nullable): the API key
 *
 * Since: 1.0
 */
const char *
cs_client_get_api_key (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  return client->api_key;
}

/**
 * cs_client_set_api_key: (set-property api-key)
 * @client: a [class@Client]
 * @api_key: (nullable): the account key
 *
 * Sets the account key. The new key has an account state of its own
 * (see [property@Client:account-state]): a pause or a hold of the old one
 * no longer holds this client's calls back.
 *
 * Since: 1.0
 */
void
cs_client_set_api_key (CsClient   *client,
                       const char *api_key)
{
  g_return_if_fail (CS_IS_CLIENT (client));

  if (_cs_set_str (&client->api_key, api_key))
    {
      /* a block was the old key's: the new one has an account of its own */
      _cs_client_bind_account (client);
      g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_API_KEY]);
    }
}

/**
 * cs_client_get_base_url: (get-property base-url)
 * @client: a [class@Client]
 *
 * Gets the address of the service: the one set, or else the first base
 * URL of [property@Client:provider].
 *
 * Returns: (nullable): the base URL, or %NULL for a client of
 *   %CS_PROVIDER_COMPATIBLE whose base URL is not set
 *
 * Since: 1.0
 */
const char *
cs_client_get_base_url (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  return client->base_url;
}

/* --- Base URLs: which a request may go to ------------------------------------ */

/* The endpoints of @urls requests may go to, each once: the others
 * are left out, and why goes to @skipped. When none may, all of them:
 * every call then fails with the first one's reason, and @all_usable is
 * FALSE. */
static GStrv
usable_endpoints (CsClient            *self,
                  const char * const  *urls,
                  GStrv               *skipped,
                  gboolean            *all_usable)
{
  g_autoptr(GStrvBuilder) usable = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) reasons = g_strv_builder_new ();
  g_auto(GStrv) result = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  for (gsize i = 0; urls[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!_cs_client_base_url_usable (self, urls[i], &error))
        {
          g_autofree char *reason = g_strdup_printf ("endpoint %" G_GSIZE_FORMAT " of base-urls"
                                                     " left out: %s", i + 1, error->message);

          /* it is not a request's failure */
          if (g_str_has_suffix (reason, "; nothing was sent"))
            reason[strlen (reason) - strlen ("; nothing was sent")] = '\0';
          g_strv_builder_add (reasons, reason);
        }
      else if (!g_ptr_array_find_with_equal_func (kept, urls[i], g_str_equal, NULL))
        {
          g_ptr_array_add (kept, (gpointer) urls[i]);
          g_strv_builder_add (usable, urls[i]);
        }
    }
  result = g_strv_builder_end (usable);
  *skipped = g_strv_builder_end (reasons);
  *all_usable = result[0] != NULL;
  if (result[0] == NULL)
    {
      g_clear_pointer (skipped, g_strfreev);
      return g_strdupv ((char **) urls);
    }
  if ((*skipped)[0] == NULL)
    g_clear_pointer (skipped, g_strfreev);
  return g_steal_pointer (&result);
}

/* The endpoints: the list set, else the base URL set, else the
 * provider's, but for those requests may not go to; the base URL in use
 * is the first. */
static void
update_base_url (CsClient *self)
{
  g_auto(GStrv) usable = NULL;
  GStrv skipped = NULL;
  const char * const *provided = _cs_dialect_get_base_urls (self->dialect);
  const char * const one[] = { self->base_url_given, NULL };
  const char * const first[] = { provided[0], NULL };
  const char * const *urls = provided;
  gboolean first_changed, urls_changed, all_usable;

  /* CapSolver's two hosts are one service; 2Captcha's second is for
   * rucaptcha accounts, another service to fail over to */
  if (self->provider != CS_PROVIDER_CAPSOLVER)
    urls = first;
  if (self->base_urls_given != NULL)
    urls = (const char * const *) self->base_urls_given;
  else if (self->base_url_given != NULL && g_strcmp0 (self->base_url_given, provided[0]) != 0)
    urls = one;
  usable = usable_endpoints (self, urls, &skipped, &all_usable);
  urls = (const char * const *) usable;
  g_mutex_lock (&self->endpoint_lock);
  g_strfreev (self->endpoints_skipped);
  self->endpoints_skipped = skipped;
  self->skipped_logged = FALSE;
  g_mutex_unlock (&self->endpoint_lock);
  first_changed = _cs_set_str (&self->base_url, urls[0]);
  urls_changed = _cs_client_endpoints_set (self, urls, all_usable);
  /* the account is the key's at the first endpoint: every endpoint of
   * the service shares it. Bound once the list is in place: what its
   * notifications run may set another */
  if (first_changed)
    _cs_client_bind_account (self);
  if (urls_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URLS]);
  if (first_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
}

/* @url without the slashes it ends with: the method names are appended
 * with a slash of their own. */
static char *
trim_base_url (const char *url)
{
  char *trimmed = g_strdup (url);

  while (trimmed != NULL && g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';
  return trimmed;
}

/**
 * cs_client_set_base_url: (set-property base-url)
 * @client: a [class@Client]
 * @base_url: (nullable): the address of the service, or %NULL for
 *   the first base URL of [property@Client:provider]
 *
 * Sets the address of the service. The key at the new address has an
 * account state of its own (see [property@Client:account-state]).
 *
 * Since: 1.0
 */
void
cs_client_set_base_url (CsClient   *client,
                        const char *base_url)
{
  g_return_if_fail (CS_IS_CLIENT (client));

  g_clear_pointer (&client->base_urls_given, g_strfreev);
  g_free (client->base_url_given);
  client->base_url_given = trim_base_url (base_url);
  update_base_url (client);
}

/**
 * cs_client_get_base_urls: (get-property base-urls)
 * @client: a [class@Client]
 *
 * Gets the endpoints of the service, in order of preference.
 *
 * Returns: (transfer none) (array zero-terminated=1): the base URLs, none
 *   for a client of %CS_PROVIDER_COMPATIBLE whose base URL is not set
 *
 * Since: 1.0
 */
const char * const *
cs_client_get_base_urls (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  return (const char * const *) client->base_urls;
}

/**
 * cs_client_set_base_urls: (set-property base-urls)
 * @client: a [class@Client]
 * @base_urls: (nullable) (array zero-terminated=1): the endpoints of the
 *   service, in order of preference, or %NULL (or an empty list) for
 *   those of [property@Client:provider]
 *
 * Sets the endpoints of the service; the first becomes
 * [property@Client:base-url], and the client goes back to it. The key at
 * a new first endpoint has an account state of its own (see
 * [property@Client:account-state]).
 *
 * Since: 1.0
 */
void
cs_client_set_base_urls (CsClient           *client,
                         const char * const *base_urls)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_if_fail (CS_IS_CLIENT (client));

  for (gsize i = 0; base_urls != NULL && base_urls[i] != NULL; i++)
    {
      g_autofree char *trimmed = trim_base_url (base_urls[i]);

      g_strv_builder_add (builder, trimmed);
    }
  g_clear_pointer (&client->base_url_given, g_free);
  g_strfreev (client->base_urls_given);
  client->base_urls_given = g_strv_builder_end (builder);
  if (client->base_urls_given[0] == NULL)
    g_clear_pointer (&client->base_urls_given, g_strfreev);
  update_base_url (client);
}

/**
 * cs_client_dup_active_endpoint: (get-property active-endpoint)
 * @client: a [class@Client]
 *
 * Gets the endpoint that requests go to now, one of
 * [property@Client:base-urls].
 *
 * Returns: (transfer full) (nullable): the base URL in use, or %NULL for
 *   a client of %CS_PROVIDER_COMPATIBLE whose base URL is not set
 *
 * Since: 1.0
 */
char *
cs_client_dup_active_endpoint (CsClient *client)
{
  char *url;

  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);

  g_mutex_lock (&client->endpoint_lock);
  url = client->base_urls != NULL ? g_strdup (client->base_urls[client->endpoint]) : NULL;
  g_mutex_unlock (&client->endpoint_lock);
  return url;
}

/**
 * cs_client_get_provider: (get-property provider)
 * @client: a [class@Client]
 *
 * Gets the provider whose dialect the client speaks.
 *
 * Returns: the provider
 *
 * Since: 1.0
 */
CsProvider
cs_client_get_provider (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), CS_PROVIDER_CAPSOLVER);
  return client->provider;
}

/**
 * cs_client_get_fallback: (get-property fallback)
 * @client: a [class@Client]
 *
 * Gets the client that takes the new tasks this one cannot (see
 * [property@Client:fallback]).
 *
 * Returns: (transfer none) (nullable): the next client of the chain, or %NULL
 *
 * Since: 1.0
 */
CsClient *
cs_client_get_fallback (CsClient *client)
{
  CsClient *fallback;

  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);

  g_mutex_lock (&chain_lock);
  fallback = client->fallback;
  g_mutex_unlock (&chain_lock);
  return fallback;
}

/**
 * cs_client_set_fallback: (set-property fallback)
 * @client: a [class@Client]
 * @fallback: (nullable): the next client of the chain, or %NULL for none
 *
 * Sets the client that takes the new tasks this one cannot (see
 * [property@Client:fallback]). @fallback must not be @client, nor a
 * client whose chain leads back to @client.
 *
 * Since: 1.0
 */
void
cs_client_set_fallback (CsClient *client,
                        CsClient *fallback)
{
  gboolean loop = FALSE;
  gboolean changed = FALSE;

  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (fallback == NULL || CS_IS_CLIENT (fallback));

  g_mutex_lock (&chain_lock);
  for (CsClient *next = fallback; next != NULL && !loop; next = next->fallback)
    loop = next == client;
  if (!loop)
    changed = g_set_object (&client->fallback, fallback);
  g_mutex_unlock (&chain_lock);

  g_return_if_fail (!loop);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_FALLBACK]);
}

/* @self, then its fallbacks in order, each with a reference: the chain
 * as it is now. */
GPtrArray *
_cs_client_dup_chain (CsClient *self)
{
  GPtrArray *chain = g_ptr_array_new_with_free_func (g_object_unref);

  g_mutex_lock (&chain_lock);
  for (CsClient *next = self; next != NULL; next = next->fallback)
    g_ptr_array_add (chain, g_object_ref (next));
  g_mutex_unlock (&chain_lock);
  return chain;
}

/**
 * cs_client_get_app_id: (get-property app-id)
 * @client: a [class@Client]
 *
 * Gets the developer `appId`.
 *
 * Returns: (nullable): the app id
 *
 * Since: 1.0
 */
const char *
cs_client_get_app_id (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  return client->app_id;
}

/**
 * cs_client_set_app_id: (set-property app-id)
 * @client: a [class@Client]
 * @app_id: (nullable): the developer `appId`, or %NULL
 *
 * Sets the developer `appId`.
 *
 * Since: 1.0
 */
void
cs_client_set_app_id (CsClient   *client,
                      const char *app_id)
{
  g_return_if_fail (CS_IS_CLIENT (client));

  if (_cs_set_str (&client->app_id, app_id))
    g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_APP_ID]);
}

/**
 * cs_client_get_language_pool: (get-property language-pool)
 * @client: a [class@Client]
 *
 * Gets the pool of workers image tasks are sent to, by language.
 *
 * Returns: (nullable): the `languagePool`, or %NULL for the provider's default
 *
 * Since: 1.0
 */
const char *
cs_client_get_language_pool (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  return client->language_pool;
}

/**
 * cs_client_set_language_pool: (set-property language-pool)
 * @client: a [class@Client]
 * @language_pool: (nullable): the `languagePool` (`"en"`, `"rn"`), or %NULL
 *   (or an empty string) for the provider's default
 *
 * Sets the pool of workers image tasks are sent to, by language, at the
 * providers that take one (see [property@Client:language-pool]).
 *
 * Since: 1.0
 */
void
cs_client_set_language_pool (CsClient   *client,
                             const char *language_pool)
{
  g_return_if_fail (CS_IS_CLIENT (client));

  if (language_pool != NULL && *language_pool == '\0')
    language_pool = NULL;
  if (_cs_set_str (&client->language_pool, language_pool))
    g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_LANGUAGE_POOL]);
}

/* The four timing properties share one setter. */
static void
set_timing (CsClient *client,
            guint    *field,
            guint     value,
            guint     prop_id)
{
  if (*field != value)
    {
      *field = value;
      g_object_notify_by_pspec (G_OBJECT (client), properties[prop_id]);
    }
}

/**
 * cs_client_get_first_poll_delay: (get-property first-poll-delay)
 * @client: a [class@Client]
 *
 * Gets the delay between `createTask` and the first `getTaskResult`.
 *
 * Returns: the delay before the first poll, in milliseconds
 *
 * Since: 1.0
 */
guint
cs_client_get_first_poll_delay (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), 0);
  return client->first_poll_delay;
}

/**
 * cs_client_set_first_poll_delay: (set-property first-poll-delay)
 * @client: a [class@Client]
 * @msec: the delay before the first poll, in milliseconds
 *
 * Sets the delay between `createTask` and the first `getTaskResult`.
 *
 * Since: 1.0
 */
void
cs_client_set_first_poll_delay (CsClient *client,
                                guint     msec)
{
  g_return_if_fail (CS_IS_CLIENT (client));
  set_timing (client, &client->first_poll_delay, msec, PROP_FIRST_POLL_DELAY);
  cs_client_set_adaptive_polling (client, FALSE);
}

/**
 * cs_client_get_poll_interval: (get-property poll-interval)
 * @client: a [class@Client]
 *
 * Gets the interval between two `getTaskResult` requests.
 *
 * Returns: the interval between polls, in milliseconds
 *
 * Since: 1.0
 */
guint
cs_client_get_poll_interval (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), 0);
  return client->poll_interval;
}

/**
 * cs_client_set_poll_interval: (set-property poll-interval)
 * @client: a [class@Client]
 * @msec: the interval between polls, in milliseconds
 *
 * Sets the interval between two `getTaskResult` requests.
 *
 * Since: 1.0
 */
void
cs_client_set_poll_interval (CsClient *client,
                             guint     msec)
{
  g_return_if_fail (CS_IS_CLIENT (client));
  set_timing (client, &client->poll_interval, msec, PROP_POLL_INTERVAL);
  cs_client_set_adaptive_polling (client, FALSE);
}

/**
 * cs_client_get_deadline: (get-property deadline)
 * @client: a [class@Client]
 *
 * Gets how long one [method@Client.solve] call waits for a solution.
 *
 * Returns: how long one solve waits, in milliseconds
 *
 * Since: 1.0
 */
guint
cs_client_get_deadline (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), 0);
  return client->deadline;
}

/**
 * cs_client_set_deadline: (set-property deadline)
 * @client: a [class@Client]
 * @msec: how long one solve waits, in milliseconds (at least 1)
 *
 * Sets how long one [method@Client.solve] call waits for a solution.
 *
 * Since: 1.0
 */
void
cs_client_set_deadline (CsClient *client,
                        guint     msec)
{
  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (msec > 0);
  set_timing (client, &client->deadline, msec, PROP_DEADLINE);
}

/**
 * cs_client_get_max_polls: (get-property max-polls)
 * @client: a [class@Client]
 *
 * Gets how many `getTaskResult` requests a task may get.
 *
 * Returns: how many polls a task may get in all
 *
 * Since: 1.0
 */
guint
cs_client_get_max_polls (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), 0);
  return client->max_polls;
}

/**
 * cs_client_set_max_polls: (set-property max-polls)
 * @client: a [class@Client]
 * @max_polls: how many polls a task may get in all (at least 1)
 *
 * Sets how many `getTaskResult` requests a task may get.
 *
 * Since: 1.0
 */
void
cs_client_set_max_polls (CsClient *client,
                         guint     max_polls)
{
  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (max_polls > 0);
  set_timing (client, &client->max_polls, max_polls, PROP_MAX_POLLS);
}

/**
 * cs_client_get_request_timeout: (get-property request-timeout)
 * @client: a [class@Client]
 *
 * Gets how long one HTTP exchange may take.
 *
 * Returns: the limit of one request, in milliseconds
 *
 * Since: 1.0
 */
guint
cs_client_get_request_timeout (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), 0);
  return client->request_timeout;
}

/**
 * cs_client_set_request_timeout: (set-property request-timeout)
 * @client: a [class@Client]
 * @msec: the limit of one request, in milliseconds (at least 1)
 *
 * Sets how long one HTTP exchange may take before it fails with
 * %G_IO_ERROR_TIMED_OUT.
 *
 * Since: 1.0
 */
void
cs_client_set_request_timeout (CsClient *client,
                               guint     msec)
{
  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (msec > 0);
  set_timing (client, &client->request_timeout, msec, PROP_REQUEST_TIMEOUT);
}

/**
 * cs_client_get_adaptive_polling: (get-property adaptive-polling)
 * @client: a [class@Client]
 *
 * Gets whether polls are placed where tasks become ready.
 *
 * Returns: %TRUE on the adaptive schedule, %FALSE on the fixed one
 *
 * Since: 1.0
 */
gboolean
cs_client_get_adaptive_polling (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), FALSE);
  return client->adaptive_polling;
}

/**
 * cs_client_set_adaptive_polling: (set-property adaptive-polling)
 * @client: a [class@Client]
 * @adaptive: whether to place polls where tasks become ready
 *
 * Chooses between the adaptive schedule and the fixed one of
 * [property@Client:first-poll-delay] and [property@Client:poll-interval]. Solves under way
 * follow the change from their next poll.
 *
 * Since: 1.0
 */
void
cs_client_set_adaptive_polling (CsClient *client,
                                gboolean  adaptive)
{
  g_return_if_fail (CS_IS_CLIENT (client));

  adaptive = !!adaptive;
  if (client->adaptive_polling == adaptive)
    return;
  client->adaptive_polling = adaptive;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_ADAPTIVE_POLLING]);
}

/**
 * cs_client_get_token_request_timeout: (get-property token-request-timeout)
 * @client: a [class@Client]
 *
 * Gets how long a `getToken` request may take.
 *
 * Returns: the limit of a `getToken` request, in milliseconds
 *
 * Since: 1.0
 */
guint
cs_client_get_token_request_timeout (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), 0);
  return client->token_request_timeout;
}

/**
 * cs_client_set_token_request_timeout: (set-property token-request-timeout)
 * @client: a [class@Client]
 * @msec: the limit of a `getToken` request, in milliseconds (at least 1)
 *
 * Sets how long a `getToken` request may take before it fails with
 * %G_IO_ERROR_TIMED_OUT.
 *
 * Since: 1.0
 */
void
cs_client_set_token_request_timeout (CsClient *client,
                                     guint     msec)
{
  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (msec > 0);
  set_timing (client, &client->token_request_timeout, msec, PROP_TOKEN_REQUEST_TIMEOUT);
}

/**
 * cs_client_get_pause_on_cooldown: (get-property pause-on-cooldown)
 * @client: a [class@Client]
 *
 * Gets whether a cooldown error pauses every request of the client.
 *
 * Returns: %TRUE if the client pauses after a cooldown error
 *
 * Since: 1.0
 */
gboolean
cs_client_get_pause_on_cooldown (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), FALSE);
  return client->pause_on_cooldown;
}

/**
 * cs_client_set_pause_on_cooldown: (set-property pause-on-cooldown)
 * @client: a [class@Client]
 * @pause: whether to pause after a cooldown error
 *
 * Sets whether an error of the %CS_RETRY_CLASS_COOLDOWN class pauses
 * every request of the client for its cooldown. Turning it off also ends
 * a pause under way.
 *
 * Since: 1.0
 */
void
cs_client_set_pause_on_cooldown (CsClient *client,
                                 gboolean  pause)
{
  g_return_if_fail (CS_IS_CLIENT (client));

  pause = !!pause;
  if (client->pause_on_cooldown == pause)
    return;
  client->pause_on_cooldown = pause;
  /* the pause is the account's, shared: this client just stops minding it */
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_PAUSE_ON_COOLDOWN]);
}

/**
 * cs_client_get_session: (get-property session)
 * @client: a [class@Client]
 *
 * Gets the session asynchronous requests are sent with (blocking calls
 * use one of the client's own beside it: see [property@Client:session]).
 *
 * Returns: (transfer none): the [class@Soup.Session]
 *
 * Since: 1.0
 */
SoupSession *
cs_client_get_session (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  return client->session;
}

/**
 * cs_client_get_tls_database: (get-property tls-database)
 * @client: a [class@Client]
 *
 * Gets the certificate authorities the client trusts.
 *
 * Returns: (transfer none) (nullable): the [class@Gio.TlsDatabase], or %NULL for the
 *   system's
 *
 * Since: 1.0
 */
GTlsDatabase *
cs_client_get_tls_database (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  return client->tls_database;
}

/**
 * cs_client_set_tls_database: (set-property tls-database)
 * @client: a [class@Client]
 * @database: (nullable): the authorities to trust, or %NULL for the
 *   system's
 *
 * Sets the certificate authorities the client trusts, on its session.
 * Changing it once requests were sent closes the session's connections,
 * which trusted the authorities of before: requests on their way fail
 * with %G_IO_ERROR_CANCELLED. Set it before the first request.
 *
 * Since: 1.0
 */
void
cs_client_set_tls_database (CsClient     *client,
                            GTlsDatabase *database)
{
  g_autoptr(GTlsDatabase) system = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  if (!g_set_object (&client->tls_database, database))
    return;
  /* before construction ends, constructed() applies it */
  if (client->session != NULL)
    {
      g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);

      if (database == NULL)
        system = g_tls_backend_get_default_database (g_tls_backend_get_default ());
      /* the sessions beside it follow */
      soup_session_set_tls_database (client->session, database != NULL ? database : system);
      /* a kept-alive connection would go on trusting what it did */
      soup_session_abort (client->session);
      soup_session_abort (client->blocking_session);
      soup_session_abort (client->blocking_held_session);
      /* aborted outside the lock: an aborted request may end at once */
      g_mutex_lock (&client->queue_lock);
      for (guint i = 0; i < client->held_sessions->len; i++)
        g_ptr_array_add (held, g_object_ref (g_ptr_array_index (client->held_sessions, i)));
      g_mutex_unlock (&client->queue_lock);
      for (guint i = 0; i < held->len; i++)
        soup_session_abort (g_ptr_array_index (held, i));
    }
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_TLS_DATABASE]);
}

/**
 * cs_client_get_allow_insecure_http: (get-property allow-insecure-http)
 * @client: a [class@Client]
 *
 * Gets whether a plain `http://` base URL may name another machine.
 *
 * Returns: %TRUE if the key may be sent in clear text
 *
 * Since: 1.0
 */
gboolean
cs_client_get_allow_insecure_http (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), FALSE);
  return client->allow_insecure_http;
}

/**
 * cs_client_set_allow_insecure_http: (set-property allow-insecure-http)
 * @client: a [class@Client]
 * @allow: whether a plain `http://` base URL may name another machine
 *
 * Sets whether a plain `http://` base URL may name a host other than this
 * machine, sending the API key in clear text. Leave it off unless the
 * network between the two is trusted.
 *
 * Since: 1.0
 */
void
cs_client_set_allow_insecure_http (CsClient *client,
                                   gboolean  allow)
{
  g_return_if_fail (CS_IS_CLIENT (client));

  allow = !!allow;
  if (client->allow_insecure_http == allow)
    return;
  client->allow_insecure_http = allow;
  /* it decides which endpoints requests may go to */
  update_base_url (client);
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_ALLOW_INSECURE_HTTP]);
}

/**
 * cs_client_get_account_breaker: (get-property account-breaker)
 * @client: a [class@Client]
 *
 * Gets whether a refused key or an empty balance holds back the requests
 * that would meet it again.
 *
 * Returns: %TRUE if the breaker is on
 *
 * Since: 1.0
 */
gboolean
cs_client_get_account_breaker (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), TRUE);
  return client->account_breaker;
}

/**
 * cs_client_set_account_breaker: (set-property account-breaker)
 * @client: a [class@Client]
 * @breaker: whether to hold back requests after an account error
 *
 * Sets whether a refused key or an empty balance holds back the requests
 * that would meet it again. A client with the breaker off neither trips
 * nor minds it; others with the key still do.
 *
 * Since: 1.0
 */
void
cs_client_set_account_breaker (CsClient *client,
                               gboolean  breaker)
{
  g_return_if_fail (CS_IS_CLIENT (client));

  breaker = !!breaker;
  if (client->account_breaker == breaker)
    return;
  client->account_breaker = breaker;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_ACCOUNT_BREAKER]);
}

/**
 * cs_client_get_balance_cache_time: (get-property balance-cache-time)
 * @client: a [class@Client]
 *
 * Gets how long a balance read answers the next balance calls.
 *
 * Returns: the time in seconds, 0 for no cache
 *
 * Since: 1.0
 */
guint
cs_client_get_balance_cache_time (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), 0);
  return client->balance_cache_time;
}

/**
 * cs_client_set_balance_cache_time: (set-property balance-cache-time)
 * @client: a [class@Client]
 * @seconds: the time in seconds, 0 for no cache
 *
 * Sets how long a balance read answers the next balance calls.
 *
 * Since: 1.0
 */
void
cs_client_set_balance_cache_time (CsClient *client,
                                  guint     seconds)
{
  g_return_if_fail (CS_IS_CLIENT (client));

  if (client->balance_cache_time == seconds)
    return;
  client->balance_cache_time = seconds;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_BALANCE_CACHE_TIME]);
}

/**
 * cs_client_get_max_tasks_in_flight: (get-property max-tasks-in-flight)
 * @client: a [class@Client]
 *
 * Gets how many tasks the solves of @client may have at once.
 *
 * Returns: the limit, or 0 for none
 *
 * Since: 1.0
 */
guint
cs_client_get_max_tasks_in_flight (CsClient *client)
{
  guint max_tasks;

  g_return_val_if_fail (CS_IS_CLIENT (client), 0);

  g_mutex_lock (&client->slot_lock);
  max_tasks = client->max_tasks;
  g_mutex_unlock (&client->slot_lock);
  return max_tasks;
}

/**
 * cs_client_set_max_tasks_in_flight: (set-property max-tasks-in-flight)
 * @client: a [class@Client]
 * @max_tasks: how many tasks the solves may have at once, or 0 for no limit
 *
 * Sets how many tasks the solves of @client may have at once. Raising it
 * starts waiting solves at once.
 *
 * Since: 1.0
 */
void
cs_client_set_max_tasks_in_flight (CsClient *client,
                                   guint     max_tasks)
{
  g_return_if_fail (CS_IS_CLIENT (client));

  if (cs_client_get_max_tasks_in_flight (client) == max_tasks)
    return;
  _cs_client_tickets_set_max (client, max_tasks);
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_MAX_TASKS_IN_FLIGHT]);
}

/**
 * cs_client_redact:
 * @client: a [class@Client]
 * @task: (nullable): the task @text is about, or %NULL
 * @text: (nullable): text that may hold a secret: a request or a reply of
 *   @client, or what a server wrote
 *
 * Hides in @text what the client hides in its own error messages and
 * debug log: its API key, and the login and password of @task's proxy
 * (a [class@Proxy] or the `proxyLogin`, `proxyPassword` and `proxy` fields),
 * each replaced with `[REDACTED]`. A secret is found in any case, as it
 * is, percent-encoded or escaped in JSON, and cut short (any 8 characters
 * of it in a row, even inside a longer word); a secret shorter than 8
 * characters only whole, as a word of its own. Anything shaped like a
 * CapSolver key, and the login and password of anything that reads as a
 * proxy, are hidden too.
 *
 * Use it on what the client's session logs (a [class@Soup.Logger] on
 * [method@Client.get_session]): `capsolver --verbose` does.
 *
 * Returns: (transfer full) (nullable): @text without the secrets, or
 *   %NULL if @text is %NULL
 *
 * Since: 1.0
 */
char *
cs_client_redact (CsClient   *client,
                  CsTask     *task,
                  const char *text)
{
  g_auto(GStrv) secrets = NULL;

  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (task == NULL || CS_IS_TASK (task), NULL);

  if (text == NULL)
    return NULL;
  secrets = _cs_client_dup_secrets (client, task);
  return _cs_redact (text, (const char * const *) secrets);
}
