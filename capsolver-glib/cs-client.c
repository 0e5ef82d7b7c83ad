/* cs-client.c: the CapSolver API client
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-private.h"

/**
 * CsClient:
 *
 * A client of the CapSolver API. It owns one #SoupSession and sends every
 * request with a fresh message on it.
 *
 * [method@Client.solve] is the whole job in one call: it sends
 * `createTask`, and unless the answer came at once, polls `getTaskResult`
 * until the task is ready, fails, is cancelled or the client's
 * #CsClient:deadline passes. `createTask` is never sent twice for a task:
 * a task that has a task id is polled, not created again, so solving a task
 * again after %CS_ERROR_TIMEOUT resumes where the first call stopped.
 *
 * Every operation has an asynchronous form with a #GCancellable and a
 * blocking form. The blocking form runs the asynchronous one on a private
 * main context, so it never dispatches the application's sources and can
 * be called from a worker thread.
 *
 * Errors of the service are returned in the #CS_ERROR domain, with
 * messages that read `ERROR_CODE: description`; transport failures keep
 * the #G_IO_ERROR, #G_TLS_ERROR or #G_RESOLVER_ERROR libsoup gave. The API
 * key never appears in an error message or a log line.
 *
 * Since: 1.0
 */

#define DEFAULT_FIRST_POLL_DELAY 2000   /* ms; token tasks are never ready sooner */
#define DEFAULT_POLL_INTERVAL    3000   /* ms; what the service asks for */
#define DEFAULT_DEADLINE         150000 /* ms; the service gives up at 120 s */
#define DEFAULT_MAX_POLLS        120    /* the service answers no more per task */
#define DEFAULT_REQUEST_TIMEOUT  60000  /* ms for one whole HTTP exchange */
#define SESSION_IO_TIMEOUT       60     /* s, per socket operation */
/* Polls are idempotent: a transient failure of one does not end the solve,
 * unless it happens this many times in a row. */
#define MAX_TRANSIENT_POLL_ERRORS 3

struct _CsClient
{
  GObject      parent_instance;

  char        *api_key;
  char        *base_url;
  char        *app_id;
  guint        first_poll_delay;
  guint        poll_interval;
  guint        deadline;
  guint        max_polls;
  guint        request_timeout;
  gboolean     pause_on_cooldown;
  SoupSession *session;

  /* after a cooldown error: no request before paused_until (monotonic µs) */
  GMutex       pause_lock;
  gint64       paused_until;
  CsError      paused_by;
};

G_DEFINE_FINAL_TYPE (CsClient, cs_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_API_KEY,
  PROP_BASE_URL,
  PROP_APP_ID,
  PROP_FIRST_POLL_DELAY,
  PROP_POLL_INTERVAL,
  PROP_DEADLINE,
  PROP_MAX_POLLS,
  PROP_REQUEST_TIMEOUT,
  PROP_PAUSE_ON_COOLDOWN,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cs_client_constructed (GObject *object)
{
  CsClient *self = CS_CLIENT (object);

  G_OBJECT_CLASS (cs_client_parent_class)->constructed (object);

  /* The trailing space makes libsoup append its own version. */
  if (self->session == NULL)
    self->session = soup_session_new_with_options ("user-agent", "capsolver-glib/" PACKAGE_VERSION " ",
                                                   "timeout", SESSION_IO_TIMEOUT,
                                                   NULL);
}

static void
cs_client_finalize (GObject *object)
{
  CsClient *self = CS_CLIENT (object);

  g_free (self->api_key);
  g_free (self->base_url);
  g_free (self->app_id);
  g_clear_object (&self->session);
  g_mutex_clear (&self->pause_lock);

  G_OBJECT_CLASS (cs_client_parent_class)->finalize (object);
}

static void
cs_client_get_property (GObject    *object,
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
    case PROP_APP_ID:
      g_value_set_string (value, self->app_id);
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_client_set_property (GObject      *object,
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
      cs_client_set_base_url (self, g_value_get_string (value));
      break;
    case PROP_APP_ID:
      cs_client_set_app_id (self, g_value_get_string (value));
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_client_class_init (CsClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = cs_client_constructed;
  object_class->finalize = cs_client_finalize;
  object_class->get_property = cs_client_get_property;
  object_class->set_property = cs_client_set_property;

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
   * another service that speaks the same protocol.
   *
   * Since: 1.0
   */
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, CS_DEFAULT_BASE_URL,
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
   * CsClient:first-poll-delay: (getter get_first_poll_delay) (setter set_first_poll_delay)
   *
   * Milliseconds between `createTask` and the first `getTaskResult`.
   *
   * Since: 1.0
   */
  properties[PROP_FIRST_POLL_DELAY] =
    g_param_spec_uint ("first-poll-delay", NULL, NULL, 0, G_MAXUINT, DEFAULT_FIRST_POLL_DELAY,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:poll-interval: (getter get_poll_interval) (setter set_poll_interval)
   *
   * Milliseconds between two `getTaskResult` requests for a task.
   *
   * Since: 1.0
   */
  properties[PROP_POLL_INTERVAL] =
    g_param_spec_uint ("poll-interval", NULL, NULL, 0, G_MAXUINT, DEFAULT_POLL_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                       G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:deadline: (getter get_deadline) (setter set_deadline)
   *
   * Milliseconds one [method@Client.solve] call waits for a solution
   * before it returns %CS_ERROR_TIMEOUT. The default, 150 seconds, is
   * longer than the 120 seconds after which the service gives up itself.
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
   * resumed solves. The service answers at most 120 per task.
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
   * Since: 1.0
   */
  properties[PROP_PAUSE_ON_COOLDOWN] =
    g_param_spec_boolean ("pause-on-cooldown", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsClient:session: (getter get_session)
   *
   * The #SoupSession requests are sent with. By default the client makes
   * its own; pass one at construction to share a session, a proxy
   * resolver or a TLS database with the application.
   *
   * Since: 1.0
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_client_init (CsClient *self)
{
  g_mutex_init (&self->pause_lock);
}

/**
 * cs_client_new:
 * @api_key: (nullable): the account key
 *
 * Creates a client of the CapSolver service.
 *
 * Returns: (transfer full): a new #CsClient
 *
 * Since: 1.0
 */
CsClient *
cs_client_new (const char *api_key)
{
  return g_object_new (CS_TYPE_CLIENT, "api-key", api_key, NULL);
}

/**
 * cs_client_new_from_environment:
 * @error: return location for an error
 *
 * Creates a client configured as the `capsolver` command is: the API key
 * from the `CAPSOLVER_API_KEY` environment variable, and the address of the
 * service from `CAPSOLVER_BASE_URL` when it is set (otherwise
 * [const@DEFAULT_BASE_URL]). [ctor@Client.new] reads no environment.
 *
 * Returns: (transfer full) (nullable): a new #CsClient, or %NULL with
 *   %CS_ERROR_KEY_DENIED_ACCESS set when `CAPSOLVER_API_KEY` is unset or
 *   empty
 *
 * Since: 1.0
 */
CsClient *
cs_client_new_from_environment (GError **error)
{
  const char *api_key = g_getenv ("CAPSOLVER_API_KEY");
  const char *base_url = g_getenv ("CAPSOLVER_BASE_URL");

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (api_key == NULL || *api_key == '\0')
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS,
                           "ERROR_KEY_DENIED_ACCESS: CAPSOLVER_API_KEY is not set");
      return NULL;
    }
  return g_object_new (CS_TYPE_CLIENT,
                       "api-key", api_key,
                       "base-url", base_url != NULL && *base_url != '\0' ? base_url : NULL,
                       NULL);
}

/**
 * cs_client_get_api_key: (get-property api-key)
 * @client: a #CsClient
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
 * @client: a #CsClient
 * @api_key: (nullable): the account key
 *
 * Sets the account key.
 *
 * Since: 1.0
 */
void
cs_client_set_api_key (CsClient   *client,
                       const char *api_key)
{
  g_return_if_fail (CS_IS_CLIENT (client));

  if (_cs_set_str (&client->api_key, api_key))
    g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_API_KEY]);
}

/**
 * cs_client_get_base_url: (get-property base-url)
 * @client: a #CsClient
 *
 * Gets the address of the service.
 *
 * Returns: the base URL
 *
 * Since: 1.0
 */
const char *
cs_client_get_base_url (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  return client->base_url;
}

/**
 * cs_client_set_base_url: (set-property base-url)
 * @client: a #CsClient
 * @base_url: (nullable): the address of the service, or %NULL for
 *   [const@DEFAULT_BASE_URL]
 *
 * Sets the address of the service.
 *
 * Since: 1.0
 */
void
cs_client_set_base_url (CsClient   *client,
                        const char *base_url)
{
  g_autofree char *trimmed = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));

  trimmed = g_strdup (base_url != NULL ? base_url : CS_DEFAULT_BASE_URL);
  /* the method names are appended with a slash of their own */
  while (g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';
  if (_cs_set_str (&client->base_url, trimmed))
    g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_BASE_URL]);
}

/**
 * cs_client_get_app_id: (get-property app-id)
 * @client: a #CsClient
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
 * @client: a #CsClient
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
 * @client: a #CsClient
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
 * @client: a #CsClient
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
}

/**
 * cs_client_get_poll_interval: (get-property poll-interval)
 * @client: a #CsClient
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
 * @client: a #CsClient
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
}

/**
 * cs_client_get_deadline: (get-property deadline)
 * @client: a #CsClient
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
 * @client: a #CsClient
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
 * @client: a #CsClient
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
 * @client: a #CsClient
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
 * @client: a #CsClient
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
 * @client: a #CsClient
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
 * cs_client_get_pause_on_cooldown: (get-property pause-on-cooldown)
 * @client: a #CsClient
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
 * @client: a #CsClient
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
  if (!pause)
    cs_client_resume (client);
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_PAUSE_ON_COOLDOWN]);
}

/**
 * cs_client_get_paused_for:
 * @client: a #CsClient
 *
 * Tells how long the client still holds back its requests after the
 * service answered with a cooldown error.
 *
 * Returns: the seconds left of the pause (rounded up), or 0
 *
 * Since: 1.0
 */
guint
cs_client_get_paused_for (CsClient *client)
{
  gint64 left;

  g_return_val_if_fail (CS_IS_CLIENT (client), 0);

  g_mutex_lock (&client->pause_lock);
  left = client->paused_until - g_get_monotonic_time ();
  g_mutex_unlock (&client->pause_lock);
  return left > 0 ? (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
}

/**
 * cs_client_resume:
 * @client: a #CsClient
 *
 * Ends a pause that a cooldown error started, so that the next call is
 * sent at once: for when the application knows better, such as after
 * changing the API key.
 *
 * Since: 1.0
 */
void
cs_client_resume (CsClient *client)
{
  g_return_if_fail (CS_IS_CLIENT (client));

  g_mutex_lock (&client->pause_lock);
  client->paused_until = 0;
  g_mutex_unlock (&client->pause_lock);
}

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

/**
 * cs_client_get_session: (get-property session)
 * @client: a #CsClient
 *
 * Gets the session requests are sent with.
 *
 * Returns: (transfer none): the #SoupSession
 *
 * Since: 1.0
 */
SoupSession *
cs_client_get_session (CsClient *client)
{
  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  return client->session;
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

static void
cs_client_call_async (CsClient            *self,
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

  g_task_set_source_tag (task, cs_client_call_async);

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
static gboolean
cs_client_call_finish (CsClient      *self,
                       GAsyncResult  *result,
                       CsReply       *reply,
                       GError       **error)
{
  CallData *data = g_task_get_task_data (G_TASK (result));

  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_client_call_async, FALSE);

  *reply = data->reply;
  memset (&data->reply, 0, sizeof data->reply);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The envelope every method shares; NULL members are not sent. */
static JsonObject *
new_envelope (CsClient *self,
              gboolean  with_app_id)
{
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "clientKey", self->api_key);
  if (with_app_id && self->app_id != NULL)
    json_object_set_string_member (body, "appId", self->app_id);
  return body;
}

static gboolean
check_api_key (CsClient  *self,
               GError   **error)
{
  if (self->api_key != NULL && *self->api_key != '\0')
    return TRUE;
  g_set_error_literal (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS,
                       "ERROR_KEY_DENIED_ACCESS: no API key is set on the client");
  return FALSE;
}

static gboolean
check_task_id (CsTask  *task,
               GError **error)
{
  if (cs_task_get_task_id (task) != NULL)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "the task has no task id: create it first");
  return FALSE;
}

/* --- createTask ------------------------------------------------------------ */

/* The status of a created task that is to be polled. "ready" without a
 * solution is not ready: solve() would have nothing to return. */
static CsTaskStatus
create_reply_pending_status (CsReply *reply)
{
  if (!reply->has_status)
    return CS_TASK_STATUS_IDLE;
  return reply->status == CS_TASK_STATUS_READY ? CS_TASK_STATUS_PROCESSING : reply->status;
}

/* Decides from the reply, never from the task type: a solution with status
 * "ready" ends the task at once; otherwise the task id is polled. */
static gboolean
apply_create_reply (CsTask   *task,
                    CsReply  *reply,
                    GError  **error)
{
  gboolean ready = reply->status == CS_TASK_STATUS_READY && reply->solution != NULL;

  if (!ready && reply->task_id == NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                   "HTTP %u: createTask reply has neither a task id nor a solution",
                   reply->http_status);
      return FALSE;
    }

  if (reply->task_id != NULL)
    _cs_task_set_task_id (task, reply->task_id);
  if (ready)
    {
      g_autoptr(CsSolution) solution = cs_solution_new (reply->solution);

      _cs_task_set_solution (task, solution);
      _cs_task_set_status (task, CS_TASK_STATUS_READY);
    }
  else
    _cs_task_set_status (task, create_reply_pending_status (reply));
  return TRUE;
}

static void
create_task_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_auto(CsReply) reply = { 0, };
  GError *error = NULL;

  if (!cs_client_call_finish (CS_CLIENT (source), result, &reply, &error) ||
      !apply_create_reply (g_task_get_task_data (task), &reply, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * cs_client_create_task_async:
 * @client: a #CsClient
 * @task: the task to create
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the request is done
 * @user_data: data for @callback
 *
 * Sends `createTask` for @task. The task is checked first with
 * [method@Task.validate], and a task that already has a task id is refused
 * with %G_IO_ERROR_EXISTS rather than created (and billed) twice.
 *
 * On success the task has its task id and status, and, for the tasks the
 * service answers at once (image and classification tasks), its solution
 * and the status %CS_TASK_STATUS_READY.
 *
 * Cancelling while the request is on its way may leave a task created on
 * the service that the client never heard of.
 *
 * Since: 1.0
 */
void
cs_client_create_task_async (CsClient            *client,
                             CsTask              *task,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) gtask = NULL;
  g_autoptr(JsonObject) body = NULL;
  JsonObject *task_json;
  GError *error = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, cs_client_create_task_async);
  g_task_set_task_data (gtask, g_object_ref (task), g_object_unref);

  if (cs_task_get_task_id (task) != NULL)
    {
      g_task_return_new_error (gtask, G_IO_ERROR, G_IO_ERROR_EXISTS,
                               "the task was already created as %s",
                               cs_task_get_task_id (task));
      return;
    }
  if (!check_api_key (client, &error) ||
      (task_json = _cs_task_to_valid_json (task, &error)) == NULL)
    {
      g_task_return_error (gtask, error);
      return;
    }

  body = new_envelope (client, TRUE);
  if (cs_task_get_callback_url (task) != NULL)
    json_object_set_string_member (body, "callbackUrl", cs_task_get_callback_url (task));
  json_object_set_object_member (body, "task", task_json);

  cs_client_call_async (client, "createTask", body, FALSE, cancellable,
                        create_task_cb, g_steal_pointer (&gtask));
}

/**
 * cs_client_create_task_finish:
 * @client: a #CsClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Client.create_task_async].
 *
 * Returns: %TRUE if the task was created
 *
 * Since: 1.0
 */
gboolean
cs_client_create_task_finish (CsClient      *client,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_client_create_task_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- getTaskResult ---------------------------------------------------------- */

static gboolean
apply_result_reply (CsTask   *task,
                    CsReply  *reply,
                    GError  **error)
{
  CsTaskStatus status = reply->status;

  if (status == CS_TASK_STATUS_READY)
    {
      g_autoptr(CsSolution) solution = NULL;

      if (reply->solution == NULL)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                       "HTTP %u: task is ready but the reply has no solution",
                       reply->http_status);
          return FALSE;
        }
      solution = cs_solution_new (reply->solution);
      _cs_task_set_solution (task, solution);
    }
  _cs_task_set_status (task, status);
  return TRUE;
}

/* An error ends the task when the service says so: a "failed" status, or
 * an error of the task itself. Transport, protocol and account errors say
 * nothing of the task, which can still be polled. */
static void
apply_result_error (CsTask       *task,
                    CsReply      *reply,
                    const GError *error)
{
  if (reply->status == CS_TASK_STATUS_FAILED ||
      (error->domain == CS_ERROR &&
       (cs_error_code_get_retry_class (error->code) == CS_RETRY_CLASS_NEW_TASK ||
        error->code == CS_ERROR_FAILED)))
    _cs_task_set_status (task, CS_TASK_STATUS_FAILED);
}

static void
get_task_result_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CsTask *cs_task = g_task_get_task_data (task);
  g_auto(CsReply) reply = { 0, };
  GError *error = NULL;

  if (!cs_client_call_finish (CS_CLIENT (source), result, &reply, &error))
    {
      apply_result_error (cs_task, &reply, error);
      g_task_return_error (task, error);
      return;
    }
  if (!apply_result_reply (cs_task, &reply, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * cs_client_get_task_result_async:
 * @client: a #CsClient
 * @task: a task that has a task id
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the request is done
 * @user_data: data for @callback
 *
 * Sends one `getTaskResult` for @task and updates its status, and its
 * solution when it is ready. Unknown statuses are taken as pending.
 *
 * Since: 1.0
 */
void
cs_client_get_task_result_async (CsClient            *client,
                                 CsTask              *task,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) gtask = NULL;
  g_autoptr(JsonObject) body = NULL;
  GError *error = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, cs_client_get_task_result_async);
  g_task_set_task_data (gtask, g_object_ref (task), g_object_unref);

  if (!check_api_key (client, &error) || !check_task_id (task, &error))
    {
      g_task_return_error (gtask, error);
      return;
    }

  body = new_envelope (client, FALSE);
  json_object_set_string_member (body, "taskId", cs_task_get_task_id (task));
  _cs_task_count_poll (task);
  cs_client_call_async (client, "getTaskResult", body, TRUE, cancellable,
                        get_task_result_cb, g_steal_pointer (&gtask));
}

/**
 * cs_client_get_task_result_finish:
 * @client: a #CsClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Client.get_task_result_async]. Success means the
 * service answered; whether the task is ready is its #CsTask:status.
 *
 * Returns: %TRUE if the service answered without an error
 *
 * Since: 1.0
 */
gboolean
cs_client_get_task_result_finish (CsClient      *client,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_client_get_task_result_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- solve: create, then poll ------------------------------------------------
 *
 * The polls and the waits between them run under a cancellable of the
 * solve's own, which the caller's cancellable and the deadline both
 * cancel: the deadline then ends a poll that is still on its way, not
 * just the wait for the next one. createTask runs under the caller's
 * cancellable alone: interrupting it could leave a task created, and
 * billed, that the client never heard of.
 */

typedef struct {
  CsTask       *task;
  gint64        deadline;          /* monotonic µs */
  guint         transient_errors;
  GCancellable *cancellable;       /* polls and waits */
  GCancellable *caller_cancellable;
  gulong        caller_handler;
  GSource      *deadline_source;
  gboolean      deadline_passed;
  gboolean      wait_reaches_deadline;  /* the pending wait ends at the deadline */
} SolveData;

static void
solve_data_free (SolveData *data)
{
  if (data->caller_handler != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_handler);
  g_clear_object (&data->caller_cancellable);
  if (data->deadline_source != NULL)
    {
      g_source_destroy (data->deadline_source);
      g_source_unref (data->deadline_source);
    }
  g_clear_object (&data->cancellable);
  g_clear_object (&data->task);
  g_free (data);
}

static void
solve_caller_cancelled_cb (GCancellable *caller_cancellable,
                           GCancellable *cancellable)
{
  g_cancellable_cancel (cancellable);
}

static gboolean
solve_deadline_cb (gpointer user_data)
{
  SolveData *data = user_data;

  data->deadline_passed = TRUE;
  g_cancellable_cancel (data->cancellable);
  return G_SOURCE_REMOVE;
}

/* Starts the clock of one solve. The deadline source holds no reference
 * on the GTask; the task data destroys it. */
static void
solve_data_start (SolveData    *data,
                  GTask        *gtask,
                  CsClient     *client,
                  GCancellable *caller_cancellable)
{
  data->deadline = g_get_monotonic_time () + (gint64) client->deadline * 1000;
  data->cancellable = g_cancellable_new ();
  if (caller_cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (caller_cancellable);
      data->caller_handler = g_cancellable_connect (caller_cancellable,
                                                    G_CALLBACK (solve_caller_cancelled_cb),
                                                    g_object_ref (data->cancellable),
                                                    g_object_unref);
    }
  data->deadline_source = g_timeout_source_new (client->deadline);
  g_source_set_callback (data->deadline_source, solve_deadline_cb, data, NULL);
  g_source_attach (data->deadline_source, g_task_get_context (gtask));
}

static void solve_poll (GTask *gtask);

static void
solve_return_solution (GTask *gtask)
{
  SolveData *data = g_task_get_task_data (gtask);

  g_task_return_pointer (gtask, g_object_ref (cs_task_get_solution (data->task)),
                         g_object_unref);
}

static void
solve_return_timeout (GTask      *gtask,
                      const char *why)
{
  SolveData *data = g_task_get_task_data (gtask);

  g_task_return_new_error (gtask, CS_ERROR, CS_ERROR_TIMEOUT,
                           "task %s not ready: %s; solve it again to resume polling",
                           cs_task_get_task_id (data->task), why);
}

/* Ends the solve if the caller cancelled it or its deadline passed. */
static gboolean
solve_return_if_interrupted (GTask *gtask)
{
  CsClient *self = g_task_get_source_object (gtask);
  SolveData *data = g_task_get_task_data (gtask);
  g_autofree char *why = NULL;

  if (g_task_return_error_if_cancelled (gtask))
    return TRUE;
  if (!data->deadline_passed && g_get_monotonic_time () < data->deadline)
    return FALSE;

  why = g_strdup_printf ("the deadline of %u ms passed", self->deadline);
  solve_return_timeout (gtask, why);
  return TRUE;
}

static gboolean
solve_timer_cb (gpointer user_data)
{
  GTask *gtask = user_data;
  SolveData *data = g_task_get_task_data (gtask);

  /* A wait cut short to end at the deadline is the deadline, even when
   * the timer fires a fraction of a millisecond before the monotonic
   * clock gets there (remaining_ms is rounded down, and a timeout counts
   * from the context's cached time): never send a poll at the deadline. */
  if (data->wait_reaches_deadline)
    data->deadline_passed = TRUE;
  if (!solve_return_if_interrupted (gtask))
    solve_poll (g_object_ref (gtask));
  return G_SOURCE_REMOVE;
}

/* Waits on the operation's own context, never the global default one, so
 * the blocking wrapper and worker threads work; cancellation wakes it. */
static void
solve_schedule (GTask *gtask,
                guint  delay_ms)
{
  CsClient *self = g_task_get_source_object (gtask);
  SolveData *data = g_task_get_task_data (gtask);
  g_autoptr(GSource) timer = NULL;
  g_autoptr(GSource) cancel = NULL;
  gint64 remaining_ms = (data->deadline - g_get_monotonic_time ()) / 1000;

  if (cs_task_get_poll_count (data->task) >= self->max_polls)
    {
      g_autofree char *why = g_strdup_printf ("all %u polls were used", self->max_polls);

      solve_return_timeout (gtask, why);
      g_object_unref (gtask);
      return;
    }

  data->wait_reaches_deadline = (gint64) delay_ms >= remaining_ms;
  timer = g_timeout_source_new (MAX (0, MIN ((gint64) delay_ms, remaining_ms)));
  cancel = g_cancellable_source_new (data->cancellable);
  g_source_set_dummy_callback (cancel);
  g_source_add_child_source (timer, cancel);
  g_task_attach_source (gtask, timer, solve_timer_cb);
  /* the source holds the task through its callback data */
  g_source_set_callback (timer, solve_timer_cb, gtask, g_object_unref);
}

static void
solve_poll_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *gtask = user_data;
  CsClient *self = CS_CLIENT (source);
  SolveData *data = g_task_get_task_data (gtask);
  GError *error = NULL;

  if (!cs_client_get_task_result_finish (self, result, &error))
    {
      gboolean retry = !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
                       cs_task_get_status (data->task) != CS_TASK_STATUS_FAILED &&
                       cs_error_get_retry_class (error) == CS_RETRY_CLASS_TRANSIENT &&
                       ++data->transient_errors < MAX_TRANSIENT_POLL_ERRORS;

      if (retry)
        {
          g_debug ("poll of task %s failed, polling again: %s",
                   cs_task_get_task_id (data->task), error->message);
          g_error_free (error);
          solve_schedule (gtask, self->poll_interval);
          return;
        }
      /* a poll cancelled by the deadline is the deadline's error */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          solve_return_if_interrupted (gtask))
        g_error_free (error);
      else
        g_task_return_error (gtask, error);
      g_object_unref (gtask);
      return;
    }

  data->transient_errors = 0;
  if (cs_task_get_status (data->task) == CS_TASK_STATUS_READY)
    {
      solve_return_solution (gtask);
      g_object_unref (gtask);
      return;
    }
  solve_schedule (gtask, self->poll_interval);
}

static void
solve_poll (GTask *gtask)
{
  SolveData *data = g_task_get_task_data (gtask);

  cs_client_get_task_result_async (g_task_get_source_object (gtask), data->task,
                                   data->cancellable, solve_poll_cb, gtask);
}

static void
solve_create_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *gtask = user_data;
  CsClient *self = CS_CLIENT (source);
  SolveData *data = g_task_get_task_data (gtask);
  GError *error = NULL;

  if (!cs_client_create_task_finish (self, result, &error))
    {
      g_task_return_error (gtask, error);
      g_object_unref (gtask);
      return;
    }
  if (cs_task_get_status (data->task) == CS_TASK_STATUS_READY)
    {
      solve_return_solution (gtask);
      g_object_unref (gtask);
      return;
    }
  solve_schedule (gtask, self->first_poll_delay);
}

/**
 * cs_client_solve_async:
 * @client: a #CsClient
 * @task: the task to solve
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the task is solved or failed
 * @user_data: data for @callback
 *
 * Solves @task: sends `createTask` unless the task already has a task id,
 * then, unless the service answered at once, polls `getTaskResult` after
 * #CsClient:first-poll-delay and then every #CsClient:poll-interval until
 * the task is ready, fails, is cancelled, or #CsClient:deadline passes.
 * The task's #CsTask:status follows what the service reports.
 *
 * On %CS_ERROR_TIMEOUT the task keeps its task id: solving it again resumes
 * polling without creating a new task. The deadline interrupts a
 * `getTaskResult` request on its way, but never `createTask`: abandoning
 * that would leave a task created, and billed, with no id to resume. A transient failure of a single
 * poll (a dropped connection, an error page, `ERROR_SERVICE_UNAVALIABLE`)
 * is retried at the next interval, up to three times in a row.
 *
 * Since: 1.0
 */
void
cs_client_solve_async (CsClient            *client,
                       CsTask              *task,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *gtask;
  SolveData *data;

  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, cs_client_solve_async);

  data = g_new0 (SolveData, 1);
  data->task = g_object_ref (task);
  g_task_set_task_data (gtask, data, (GDestroyNotify) solve_data_free);
  solve_data_start (data, gtask, client, cancellable);

  if (cs_task_get_task_id (task) == NULL)
    {
      cs_client_create_task_async (client, task, cancellable, solve_create_cb, gtask);
      return;
    }
  if (cs_task_get_status (task) == CS_TASK_STATUS_READY && cs_task_get_solution (task) != NULL)
    {
      solve_return_solution (gtask);
      g_object_unref (gtask);
      return;
    }
  /* resuming: the first poll is due already */
  solve_schedule (gtask, 0);
}

/**
 * cs_client_solve_finish:
 * @client: a #CsClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Client.solve_async].
 *
 * Returns: (transfer full): the solution, also kept by the task
 *
 * Since: 1.0
 */
CsSolution *
cs_client_solve_finish (CsClient      *client,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_client_solve_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- getBalance ------------------------------------------------------------- */

static void
get_balance_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_auto(CsReply) reply = { 0, };
  GError *error = NULL;
  CsBalance *balance = NULL;

  if (cs_client_call_finish (CS_CLIENT (source), result, &reply, &error))
    balance = _cs_balance_new_from_reply (&reply, &error);
  if (balance == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, balance, g_object_unref);
}

/**
 * cs_client_get_balance_async:
 * @client: a #CsClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the request is done
 * @user_data: data for @callback
 *
 * Sends `getBalance`. The service is known to block keys that ask too
 * often: keep the result rather than asking before every solve.
 *
 * Since: 1.0
 */
void
cs_client_get_balance_async (CsClient            *client,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) body = NULL;
  GError *error = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, cs_client_get_balance_async);

  if (!check_api_key (client, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  body = new_envelope (client, FALSE);
  cs_client_call_async (client, "getBalance", body, TRUE, cancellable,
                        get_balance_cb, g_steal_pointer (&task));
}

/**
 * cs_client_get_balance_finish:
 * @client: a #CsClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Client.get_balance_async].
 *
 * Returns: (transfer full): the balance
 *
 * Since: 1.0
 */
CsBalance *
cs_client_get_balance_finish (CsClient      *client,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_client_get_balance_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- feedbackTask ------------------------------------------------------------ */

static void
feedback_task_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_auto(CsReply) reply = { 0, };
  GError *error = NULL;

  if (!cs_client_call_finish (CS_CLIENT (source), result, &reply, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * cs_client_feedback_task_async:
 * @client: a #CsClient
 * @task: a task that has a task id
 * @invalid: %TRUE if the site rejected the solution
 * @code: a code of your own for the outcome, or 0
 * @message: (nullable): a note of your own, or %NULL
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the request is done
 * @user_data: data for @callback
 *
 * Sends `feedbackTask`: tells the service whether the solution of @task
 * worked, which it uses to judge the quality of its answers.
 *
 * Since: 1.0
 */
void
cs_client_feedback_task_async (CsClient            *client,
                               CsTask              *task,
                               gboolean             invalid,
                               int                  code,
                               const char          *message,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) gtask = NULL;
  g_autoptr(JsonObject) body = NULL;
  JsonObject *outcome;
  GError *error = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, cs_client_feedback_task_async);

  if (!check_api_key (client, &error) || !check_task_id (task, &error))
    {
      g_task_return_error (gtask, error);
      return;
    }

  body = new_envelope (client, TRUE);
  json_object_set_string_member (body, "taskId", cs_task_get_task_id (task));
  outcome = json_object_new ();
  json_object_set_boolean_member (outcome, "invalid", invalid);
  if (code != 0)
    json_object_set_int_member (outcome, "code", code);
  if (message != NULL)
    json_object_set_string_member (outcome, "message", message);
  json_object_set_object_member (body, "result", outcome);

  cs_client_call_async (client, "feedbackTask", body, FALSE, cancellable,
                        feedback_task_cb, g_steal_pointer (&gtask));
}

/**
 * cs_client_feedback_task_finish:
 * @client: a #CsClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Client.feedback_task_async].
 *
 * Returns: %TRUE if the service took the feedback
 *
 * Since: 1.0
 */
gboolean
cs_client_feedback_task_finish (CsClient      *client,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_client_feedback_task_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- Blocking forms ----------------------------------------------------------
 *
 * Each runs the asynchronous call on a new main context pushed as the
 * thread default, and iterates only that context until the call is done.
 */

typedef struct {
  GMainContext *context;
  GAsyncResult *result;
} SyncCall;

static void
sync_call_begin (SyncCall *call)
{
  call->context = g_main_context_new ();
  call->result = NULL;
  g_main_context_push_thread_default (call->context);
}

static void
sync_call_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SyncCall *call = user_data;

  call->result = g_object_ref (result);
  g_main_context_wakeup (call->context);
}

static GAsyncResult *
sync_call_wait (SyncCall *call)
{
  while (call->result == NULL)
    g_main_context_iteration (call->context, TRUE);
  /* libsoup finishes a message on the context that sent it, in a source
   * of its own: dispatch it, or the session keeps the message queued on a
   * context that is about to go, and the next call waits forever. */
  while (g_main_context_pending (call->context))
    g_main_context_iteration (call->context, FALSE);
  g_main_context_pop_thread_default (call->context);
  g_main_context_unref (call->context);
  return call->result;
}

/**
 * cs_client_create_task:
 * @client: a #CsClient
 * @task: the task to create
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The blocking form of [method@Client.create_task_async].
 *
 * Returns: %TRUE if the task was created
 *
 * Since: 1.0
 */
gboolean
cs_client_create_task (CsClient      *client,
                       CsTask        *task,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), FALSE);
  /* the async call would refuse these without calling back: do not wait */
  g_return_val_if_fail (CS_IS_TASK (task), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  sync_call_begin (&call);
  cs_client_create_task_async (client, task, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_create_task_finish (client, result, error);
}

/**
 * cs_client_get_task_result:
 * @client: a #CsClient
 * @task: a task that has a task id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The blocking form of [method@Client.get_task_result_async].
 *
 * Returns: %TRUE if the service answered without an error
 *
 * Since: 1.0
 */
gboolean
cs_client_get_task_result (CsClient      *client,
                           CsTask        *task,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (CS_IS_TASK (task), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  sync_call_begin (&call);
  cs_client_get_task_result_async (client, task, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_get_task_result_finish (client, result, error);
}

/**
 * cs_client_solve:
 * @client: a #CsClient
 * @task: the task to solve
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The blocking form of [method@Client.solve_async].
 *
 * Returns: (transfer full): the solution
 *
 * Since: 1.0
 */
CsSolution *
cs_client_solve (CsClient      *client,
                 CsTask        *task,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (CS_IS_TASK (task), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  sync_call_begin (&call);
  cs_client_solve_async (client, task, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_solve_finish (client, result, error);
}

/**
 * cs_client_get_balance:
 * @client: a #CsClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The blocking form of [method@Client.get_balance_async].
 *
 * Returns: (transfer full): the balance
 *
 * Since: 1.0
 */
CsBalance *
cs_client_get_balance (CsClient      *client,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  sync_call_begin (&call);
  cs_client_get_balance_async (client, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_get_balance_finish (client, result, error);
}

/**
 * cs_client_feedback_task:
 * @client: a #CsClient
 * @task: a task that has a task id
 * @invalid: %TRUE if the site rejected the solution
 * @code: a code of your own for the outcome, or 0
 * @message: (nullable): a note of your own, or %NULL
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The blocking form of [method@Client.feedback_task_async].
 *
 * Returns: %TRUE if the service took the feedback
 *
 * Since: 1.0
 */
gboolean
cs_client_feedback_task (CsClient      *client,
                         CsTask        *task,
                         gboolean       invalid,
                         int            code,
                         const char    *message,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (CS_IS_TASK (task), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  sync_call_begin (&call);
  cs_client_feedback_task_async (client, task, invalid, code, message, cancellable,
                                 sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_feedback_task_finish (client, result, error);
}
