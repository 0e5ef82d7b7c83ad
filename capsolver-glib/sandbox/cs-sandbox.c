/* cs-sandbox.c: a local CapSolver-compatible service: the object and its API
 *
 * The sandbox's files are its layers: the server thread
 * (cs-sandbox-server.c), the HTTP face (cs-sandbox-http.c), the service's
 * state (cs-sandbox-service.c) and its answers (cs-sandbox-answers.c).
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-account.h"
#include "cs-sandbox-private.h"

/**
 * CsSandbox:
 *
 * A local service that speaks the CapSolver protocol, for tests and
 * offline development: no account, no network, no money.
 *
 * [method@Sandbox.start] listens on 127.0.0.1 (port 0 picks a free port)
 * and [method@Sandbox.get_base_url] gives the address to set as
 * [property@Client:base-url], or as the base URL of any other CapSolver client.
 * The server runs in a thread of its own, so blocking calls such as
 * [method@Client.solve] work against it from the thread that owns the
 * sandbox, in C, Python, JavaScript and Vala alike.
 *
 * The rules it follows (the protocol, keys and balances, the checks and
 * answers of each task type, time and limits, scripted failures and
 * faults, timing records) are in [the sandbox guide](sandbox.html).
 *
 * Since: 1.0
 */
G_DEFINE_FINAL_TYPE (CsSandbox, cs_sandbox, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_POLLS_UNTIL_READY,
  PROP_READY_DELAY,
  PROP_TASK_LIFETIME,
  PROP_FAULT_DELAY,
  PROP_TIME_SCALE,
  PROP_WORKERS,
  PROP_QUEUE_LIMIT,
  PROP_MAX_TASKS,
  PROP_RATE_LIMIT,
  PROP_KEY_BLOCK_ERRORS,
  PROP_IP_BAN_ERRORS,
  PROP_IDLE_TIMEOUT,
  PROP_DIALECT,
  PROP_BASE_URL,
  PROP_PORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
free_messages (gpointer messages)
{
  g_list_free_full (messages, g_object_unref);
}

static gboolean
drop_callbacks_cb (gpointer user_data)
{
  CsSandbox *self = user_data;

  self->stopping = TRUE;
  if (self->callbacks != NULL)
    soup_session_abort (self->callbacks);
  g_clear_object (&self->callbacks);
  return G_SOURCE_REMOVE;
}

/* Stops the server thread; @notify is FALSE while disposing. */
static void
stop_server (CsSandbox *self,
             gboolean   notify)
{
  if (self->server_thread == NULL)
    return;

  /* the session belongs to the server thread: it goes there, before it ends */
  g_main_context_invoke (_cs_server_thread_get_context (self->server_thread),
                         drop_callbacks_cb, self);
  _cs_server_thread_stop (g_steal_pointer (&self->server_thread));
  g_source_destroy (self->notice_source);
  g_clear_pointer (&self->notice_source, g_source_unref);
  g_source_destroy (self->expiry_source);
  g_clear_pointer (&self->expiry_source, g_source_unref);
  g_hash_table_remove_all (self->held);
  g_clear_pointer (&self->base_url, g_free);
  self->port = 0;
  if (notify)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
    }
}

/* --- GObject ------------------------------------------------------------------------------ */

static void
sandbox_dispose (GObject *object)
{
  stop_server (CS_SANDBOX (object), FALSE);

  G_OBJECT_CLASS (cs_sandbox_parent_class)->dispose (object);
}

static void
sandbox_finalize (GObject *object)
{
  CsSandbox *self = CS_SANDBOX (object);

  _cs_sandbox_service_free (self->service);
  g_queue_clear_full (&self->faults, g_free);
  g_hash_table_unref (self->request_counts);
  g_hash_table_unref (self->held);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (cs_sandbox_parent_class)->finalize (object);
}

static void
sandbox_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  CsSandbox *self = CS_SANDBOX (object);

  switch (prop_id)
    {
    case PROP_POLLS_UNTIL_READY:
      g_value_set_uint (value, cs_sandbox_get_polls_until_ready (self));
      break;
    case PROP_READY_DELAY:
      g_value_set_uint (value, cs_sandbox_get_ready_delay (self));
      break;
    case PROP_TASK_LIFETIME:
      g_value_set_uint (value, cs_sandbox_get_task_lifetime (self));
      break;
    case PROP_FAULT_DELAY:
      g_value_set_uint (value, cs_sandbox_get_fault_delay (self));
      break;
    case PROP_TIME_SCALE:
      g_value_set_double (value, cs_sandbox_get_time_scale (self));
      break;
    case PROP_WORKERS:
      g_value_set_uint (value, cs_sandbox_get_workers (self));
      break;
    case PROP_QUEUE_LIMIT:
      g_value_set_uint (value, cs_sandbox_get_queue_limit (self));
      break;
    case PROP_MAX_TASKS:
      g_value_set_uint (value, cs_sandbox_get_max_tasks (self));
      break;
    case PROP_RATE_LIMIT:
      g_value_set_uint (value, cs_sandbox_get_rate_limit (self));
      break;
    case PROP_KEY_BLOCK_ERRORS:
      g_value_set_uint (value, cs_sandbox_get_key_block_errors (self));
      break;
    case PROP_IP_BAN_ERRORS:
      g_value_set_uint (value, cs_sandbox_get_ip_ban_errors (self));
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, cs_sandbox_get_idle_timeout (self));
      break;
    case PROP_BASE_URL:
      g_value_set_string (value, cs_sandbox_get_base_url (self));
      break;
    case PROP_PORT:
      g_value_set_uint (value, cs_sandbox_get_port (self));
      break;
    case PROP_DIALECT:
      g_value_set_enum (value, cs_sandbox_get_dialect (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sandbox_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  CsSandbox *self = CS_SANDBOX (object);

  switch (prop_id)
    {
    case PROP_POLLS_UNTIL_READY:
      cs_sandbox_set_polls_until_ready (self, g_value_get_uint (value));
      break;
    case PROP_READY_DELAY:
      cs_sandbox_set_ready_delay (self, g_value_get_uint (value));
      break;
    case PROP_TASK_LIFETIME:
      cs_sandbox_set_task_lifetime (self, g_value_get_uint (value));
      break;
    case PROP_FAULT_DELAY:
      cs_sandbox_set_fault_delay (self, g_value_get_uint (value));
      break;
    case PROP_TIME_SCALE:
      cs_sandbox_set_time_scale (self, g_value_get_double (value));
      break;
    case PROP_WORKERS:
      cs_sandbox_set_workers (self, g_value_get_uint (value));
      break;
    case PROP_QUEUE_LIMIT:
      cs_sandbox_set_queue_limit (self, g_value_get_uint (value));
      break;
    case PROP_MAX_TASKS:
      cs_sandbox_set_max_tasks (self, g_value_get_uint (value));
      break;
    case PROP_RATE_LIMIT:
      cs_sandbox_set_rate_limit (self, g_value_get_uint (value));
      break;
    case PROP_KEY_BLOCK_ERRORS:
      cs_sandbox_set_key_block_errors (self, g_value_get_uint (value));
      break;
    case PROP_IP_BAN_ERRORS:
      cs_sandbox_set_ip_ban_errors (self, g_value_get_uint (value));
      break;
    case PROP_IDLE_TIMEOUT:
      cs_sandbox_set_idle_timeout (self, g_value_get_uint (value));
      break;
    case PROP_DIALECT:
      cs_sandbox_set_dialect (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_sandbox_class_init (CsSandboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sandbox_dispose;
  object_class->finalize = sandbox_finalize;
  object_class->get_property = sandbox_get_property;
  object_class->set_property = sandbox_set_property;

  /**
   * CsSandbox:polls-until-ready: (getter get_polls_until_ready) (setter set_polls_until_ready)
   *
   * How many `getTaskResult` polls of a token task answer `processing`
   * before one answers `ready`; 0 makes the first poll answer `ready`.
   *
   * Since: 1.0
   */
  properties[PROP_POLLS_UNTIL_READY] =
    g_param_spec_uint ("polls-until-ready", NULL, NULL, 0, G_MAXUINT, DEFAULT_POLLS_UNTIL_READY,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:ready-delay: (getter get_ready_delay) (setter set_ready_delay)
   *
   * Milliseconds after `createTask` before a token task can be `ready`,
   * whatever the number of polls. 0 by default.
   *
   * Since: 1.0
   */
  properties[PROP_READY_DELAY] =
    g_param_spec_uint ("ready-delay", NULL, NULL, 0, G_MAXUINT, DEFAULT_READY_DELAY,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:task-lifetime: (getter get_task_lifetime) (setter set_task_lifetime)
   *
   * Seconds a task is kept: after `createTask` in the poll-count model,
   * after it became ready or failed in the time model (see
   * [property@Sandbox:time-scale]); then its id gives `ERROR_TASKID_INVALID`. These
   * are real seconds, whatever the time scale. Five minutes by default, as
   * on the service; 0 forgets a task as soon as its lifetime starts, for
   * testing expired ids.
   *
   * Since: 1.0
   */
  properties[PROP_TASK_LIFETIME] =
    g_param_spec_uint ("task-lifetime", NULL, NULL, 0, G_MAXUINT, DEFAULT_TASK_LIFETIME,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:fault-delay: (getter get_fault_delay) (setter set_fault_delay)
   *
   * Milliseconds a request faulted with %CS_SANDBOX_FAULT_DELAY waits
   * before its answer.
   *
   * Since: 1.0
   */
  properties[PROP_FAULT_DELAY] =
    g_param_spec_uint ("fault-delay", NULL, NULL, 0, G_MAXUINT, DEFAULT_FAULT_DELAY,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:time-scale: (getter get_time_scale) (setter set_time_scale)
   *
   * The pace of the time model. At 0 or above, each token task takes its
   * solve time, drawn from its family's distribution and multiplied by the
   * scale: 1 is the service's pace, 0.01 makes a 10 s solve take 100 ms, 0
   * makes every task ready at once, up to 1000 (a thousand times slower
   * than the service). Recognition tasks answer `createTask` after their
   * solve time. The task timeout and the error storms are scaled too (but
   * not at 0), [property@Sandbox:task-lifetime] never: the sandbox guide lists
   * [what the scale stretches](sandbox.html#what-the-time-scale-stretches).
   *
   * A negative scale, the default (-1), keeps the poll-count model: a
   * token task is ready after [property@Sandbox:polls-until-ready] polls and
   * [property@Sandbox:ready-delay].
   *
   * Since: 1.0
   */
  properties[PROP_TIME_SCALE] =
    g_param_spec_double ("time-scale", NULL, NULL, -1.0, MAX_TIME_SCALE, -1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:workers: (getter get_workers) (setter set_workers)
   *
   * How many tasks the sandbox solves at once in the time model (see
   * [property@Sandbox:time-scale]); the tasks beyond wait, `idle`, for a worker in
   * the order they came. 0, the default, solves every task at once.
   *
   * Since: 1.0
   */
  properties[PROP_WORKERS] =
    g_param_spec_uint ("workers", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:queue-limit: (getter get_queue_limit) (setter set_queue_limit)
   *
   * How many tasks may wait for a worker (see [property@Sandbox:workers]); past it
   * `createTask` fails with `ERROR_SERVICE_UNAVALIABLE`, as the service does
   * under load. 0, the default, lets any number wait.
   *
   * Since: 1.0
   */
  properties[PROP_QUEUE_LIMIT] =
    g_param_spec_uint ("queue-limit", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:max-tasks: (getter get_max_tasks) (setter set_max_tasks)
   *
   * How many tasks the sandbox keeps at once, expired ones excepted; past it
   * `createTask` fails with `ERROR_SERVICE_UNAVALIABLE` and a description
   * that says so. The timing records are those of the tasks kept. 100000 by
   * default.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_TASKS] =
    g_param_spec_uint ("max-tasks", NULL, NULL, 0, G_MAXUINT, DEFAULT_MAX_TASKS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:rate-limit: (getter get_rate_limit) (setter set_rate_limit)
   *
   * How many requests a second one API key may make; the next ones in the
   * same second get `ERROR_RATE_LIMIT`. 0, the default, sets no limit.
   *
   * Since: 1.0
   */
  properties[PROP_RATE_LIMIT] =
    g_param_spec_uint ("rate-limit", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:key-block-errors: (getter get_key_block_errors) (setter set_key_block_errors)
   *
   * How many error replies a key may get within a minute (scaled by
   * [property@Sandbox:time-scale] when it is above 0) before it is blocked for five
   * minutes (scaled too): every request with it then gets
   * `ERROR_KEY_TEMP_BLOCKED`. 0, the default, never blocks a key.
   *
   * Since: 1.0
   */
  properties[PROP_KEY_BLOCK_ERRORS] =
    g_param_spec_uint ("key-block-errors", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:ip-ban-errors: (getter get_ip_ban_errors) (setter set_ip_ban_errors)
   *
   * How many error replies, whatever the key, within a minute (scaled by
   * [property@Sandbox:time-scale] when it is above 0) ban the client's IP address
   * for ten minutes (scaled too): every request then gets `ERROR_IP_BANNED`.
   * All clients of a sandbox share 127.0.0.1, so the ban is for all. 0, the
   * default, never bans.
   *
   * Since: 1.0
   */
  properties[PROP_IP_BAN_ERRORS] =
    g_param_spec_uint ("ip-ban-errors", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:idle-timeout: (getter get_idle_timeout) (setter set_idle_timeout)
   *
   * Milliseconds a connection may take to send complete request headers,
   * after it is accepted and after each answer, and then as long again to
   * send the complete request body; past either deadline the sandbox closes
   * it. This drops connections that never finish a request (headers that
   * dribble in, a `Content-Length` body cut short, a chunked body without
   * its last chunk) and kept-alive connections left idle. 0 never closes
   * them; 30000 by default. Applies to deadlines that start after the
   * change.
   *
   * Since: 1.0
   */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL, 0, G_MAXUINT, CS_SANDBOX_IDLE_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:dialect: (getter get_dialect) (setter set_dialect)
   *
   * The provider whose dialect of the protocol the sandbox speaks:
   * %CS_PROVIDER_CAPSOLVER by default. With another provider the sandbox
   * takes that provider's type names, proxy fields and numeric task ids,
   * answers with its error codes and `errorId`s, the result fields it adds
   * and its report methods, as [the sandbox guide](sandbox.html) says;
   * keys, balances, tasks and their answers stay the sandbox's.
   * %CS_PROVIDER_COMPATIBLE is CapSolver's dialect. Applies to the
   * requests that come after the change.
   *
   * Since: 1.0
   */
  properties[PROP_DIALECT] =
    g_param_spec_enum ("dialect", NULL, NULL, CS_TYPE_PROVIDER, CS_PROVIDER_CAPSOLVER,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsSandbox:base-url: (getter get_base_url)
   *
   * The address the sandbox listens on, such as `http://127.0.0.1:41234`,
   * or %NULL while it is not running.
   *
   * Since: 1.0
   */
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * CsSandbox:port: (getter get_port)
   *
   * The TCP port the sandbox listens on, or 0 while it is not running.
   *
   * Since: 1.0
   */
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_sandbox_init (CsSandbox *self)
{
  g_mutex_init (&self->lock);
  g_queue_init (&self->faults);
  self->request_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->fault_delay = DEFAULT_FAULT_DELAY;
  self->service = _cs_sandbox_service_new ();
  self->service->polls_until_ready = DEFAULT_POLLS_UNTIL_READY;
  self->service->ready_delay = DEFAULT_READY_DELAY;
  self->service->task_lifetime = DEFAULT_TASK_LIFETIME;
  self->service->max_tasks = DEFAULT_MAX_TASKS;
  self->idle_timeout = CS_SANDBOX_IDLE_TIMEOUT;
  self->held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_messages);
  _cs_sandbox_service_set_balance (self->service, CS_SANDBOX_DEFAULT_KEY, DEFAULT_BALANCE);
}

/* --- Public API ---------------------------------------------------------------------------- */

/**
 * cs_sandbox_new:
 *
 * Creates a sandbox that accepts [const@SANDBOX_DEFAULT_KEY]. It does not
 * listen until [method@Sandbox.start] is called.
 *
 * Returns: (transfer full): a new [class@Sandbox]
 *
 * Since: 1.0
 */
CsSandbox *
cs_sandbox_new (void)
{
  return g_object_new (CS_TYPE_SANDBOX, NULL);
}

/**
 * cs_sandbox_start:
 * @sandbox: a [class@Sandbox]
 * @port: the TCP port to listen on, or 0 for any free port
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Starts answering on 127.0.0.1 (and on nothing else), in a thread of the
 * sandbox's own. When this returns, the sandbox accepts connections at
 * [method@Sandbox.get_base_url].
 *
 * Starting a sandbox that is running does nothing if @port is 0 or its
 * port; another port fails with %G_IO_ERROR_BUSY. A stopped sandbox can be
 * started again; it keeps its keys, balances and tasks. The process
 * forgets what earlier services at its address said of accounts that no
 * client uses any more (a refused key, a pause: see
 * [property@Client:account-state]).
 *
 * Returns: %TRUE if the sandbox is listening, %FALSE with @error set (for
 *   instance %G_IO_ERROR_ADDRESS_IN_USE) otherwise
 *
 * Since: 1.0
 */
gboolean
cs_sandbox_start (CsSandbox  *sandbox,
                  guint       port,
                  GError    **error)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (sandbox->server_thread != NULL)
    {
      if (port == 0 || port == sandbox->port)
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "the sandbox is already listening on port %u", sandbox->port);
      return FALSE;
    }

  /* made before the thread answers, attached once there is its context */
  _cs_sandbox_http_make_sources (sandbox);
  sandbox->stopping = FALSE;
  sandbox->server_thread = _cs_server_thread_start (port, _cs_sandbox_http_request_headers,
                                                    _cs_sandbox_http_request, sandbox, error);
  if (sandbox->server_thread == NULL)
    {
      g_clear_pointer (&sandbox->notice_source, g_source_unref);
      g_clear_pointer (&sandbox->expiry_source, g_source_unref);
      return FALSE;
    }

  sandbox->port = _cs_server_thread_get_port (sandbox->server_thread);
  _cs_server_thread_set_timeouts (sandbox->server_thread, sandbox->idle_timeout,
                                  sandbox->idle_timeout, sandbox->idle_timeout);
  g_source_attach (sandbox->notice_source, _cs_server_thread_get_context (sandbox->server_thread));
  g_source_attach (sandbox->expiry_source, _cs_server_thread_get_context (sandbox->server_thread));
  /* the client appends "/method" */
  sandbox->base_url = g_strdup_printf ("http://127.0.0.1:%u", sandbox->port);
  /* a service of the past at this address refused or paused nothing here */
  _cs_account_forget_service (sandbox->base_url);
  g_object_notify_by_pspec (G_OBJECT (sandbox), properties[PROP_BASE_URL]);
  g_object_notify_by_pspec (G_OBJECT (sandbox), properties[PROP_PORT]);
  return TRUE;
}

/**
 * cs_sandbox_stop:
 * @sandbox: a [class@Sandbox]
 *
 * Stops answering: closes the connections, drops the answers that
 * %CS_SANDBOX_FAULT_DELAY holds back, and ends the sandbox's thread. Does
 * nothing if the sandbox is not running. Disposing a sandbox stops it.
 *
 * Since: 1.0
 */
void
cs_sandbox_stop (CsSandbox *sandbox)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  stop_server (sandbox, TRUE);
}

/**
 * cs_sandbox_is_running:
 * @sandbox: a [class@Sandbox]
 *
 * Tells whether the sandbox is listening.
 *
 * Returns: %TRUE between [method@Sandbox.start] and [method@Sandbox.stop]
 *
 * Since: 1.0
 */
gboolean
cs_sandbox_is_running (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), FALSE);

  return sandbox->server_thread != NULL;
}

/**
 * cs_sandbox_get_base_url: (get-property base-url)
 * @sandbox: a [class@Sandbox]
 *
 * Gets the address to give clients as their base URL, such as
 * `http://127.0.0.1:41234`, without a trailing slash.
 *
 * Returns: (nullable): the address, or %NULL while the sandbox is not
 *   running
 *
 * Since: 1.0
 */
const char *
cs_sandbox_get_base_url (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), NULL);

  return sandbox->base_url;
}

/**
 * cs_sandbox_get_port: (get-property port)
 * @sandbox: a [class@Sandbox]
 *
 * Gets the TCP port the sandbox listens on, which is the one it picked
 * when started with port 0.
 *
 * Returns: the port, or 0 while the sandbox is not running
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_port (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  return sandbox->port;
}

/**
 * cs_sandbox_add_key:
 * @sandbox: a [class@Sandbox]
 * @api_key: an API key
 * @balance: its balance in USD, from 0
 *
 * Makes the sandbox accept @api_key with @balance, or sets the balance of
 * a key it accepts already. A balance of 0 tests `ERROR_ZERO_BALANCE`.
 *
 * Since: 1.0
 */
void
cs_sandbox_add_key (CsSandbox  *sandbox,
                    const char *api_key,
                    double      balance)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));
  g_return_if_fail (api_key != NULL && *api_key != '\0');
  g_return_if_fail (balance >= 0.0);

  g_mutex_lock (&sandbox->lock);
  _cs_sandbox_service_set_balance (sandbox->service, api_key, balance);
  g_mutex_unlock (&sandbox->lock);
}

/**
 * cs_sandbox_get_key_balance:
 * @sandbox: a [class@Sandbox]
 * @api_key: an API key
 *
 * Gets what is left on a key, as `getBalance` would answer.
 *
 * Returns: the balance in USD, or -1 if the sandbox does not accept
 *   @api_key
 *
 * Since: 1.0
 */
double
cs_sandbox_get_key_balance (CsSandbox  *sandbox,
                            const char *api_key)
{
  double balance;

  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), -1.0);
  g_return_val_if_fail (api_key != NULL, -1.0);

  g_mutex_lock (&sandbox->lock);
  balance = _cs_sandbox_service_get_balance (sandbox->service, api_key);
  g_mutex_unlock (&sandbox->lock);
  return balance;
}

/**
 * cs_sandbox_get_price:
 * @sandbox: a [class@Sandbox]
 * @type_name: a task type, such as `ReCaptchaV2TaskProxyLess`
 *
 * Gets what the sandbox charges for a solved task of @type_name: 0.0004
 * USD for recognition tasks, 0.0008 USD for token tasks.
 *
 * Returns: the price in USD, or 0 for a type the sandbox does not know
 *
 * Since: 1.0
 */
double
cs_sandbox_get_price (CsSandbox  *sandbox,
                      const char *type_name)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0.0);
  g_return_val_if_fail (type_name != NULL, 0.0);

  return _cs_sandbox_service_get_price (type_name) / 1000000.0;
}

/* Sets one of the service's settings, under the lock, and notifies. */
static void
set_setting (CsSandbox *self,
             guint     *setting,
             guint      value,
             guint      prop_id)
{
  gboolean changed;

  g_mutex_lock (&self->lock);
  changed = *setting != value;
  *setting = value;
  g_mutex_unlock (&self->lock);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static guint
get_setting (CsSandbox *self,
             guint     *setting)
{
  guint value;

  g_mutex_lock (&self->lock);
  value = *setting;
  g_mutex_unlock (&self->lock);
  return value;
}

/**
 * cs_sandbox_get_polls_until_ready: (get-property polls-until-ready)
 * @sandbox: a [class@Sandbox]
 *
 * Gets how many polls of a token task answer `processing` before one
 * answers `ready`.
 *
 * Returns: the number of polls
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_polls_until_ready (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  return get_setting (sandbox, &sandbox->service->polls_until_ready);
}

/**
 * cs_sandbox_set_polls_until_ready: (set-property polls-until-ready)
 * @sandbox: a [class@Sandbox]
 * @polls: the number of polls
 *
 * Sets how many polls of a token task answer `processing` before one
 * answers `ready`; 0 makes the first poll answer `ready`. Tasks created
 * already follow the new number too.
 *
 * Since: 1.0
 */
void
cs_sandbox_set_polls_until_ready (CsSandbox *sandbox,
                                  guint      polls)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  set_setting (sandbox, &sandbox->service->polls_until_ready, polls, PROP_POLLS_UNTIL_READY);
}

/**
 * cs_sandbox_get_ready_delay: (get-property ready-delay)
 * @sandbox: a [class@Sandbox]
 *
 * Gets how long after `createTask` a token task can be ready.
 *
 * Returns: the delay in milliseconds
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_ready_delay (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  return get_setting (sandbox, &sandbox->service->ready_delay);
}

/**
 * cs_sandbox_set_ready_delay: (set-property ready-delay)
 * @sandbox: a [class@Sandbox]
 * @msec: the delay in milliseconds
 *
 * Sets how long after `createTask` a token task can be ready, on top of
 * [property@Sandbox:polls-until-ready].
 *
 * Since: 1.0
 */
void
cs_sandbox_set_ready_delay (CsSandbox *sandbox,
                            guint      msec)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  set_setting (sandbox, &sandbox->service->ready_delay, msec, PROP_READY_DELAY);
}

/**
 * cs_sandbox_get_task_lifetime: (get-property task-lifetime)
 * @sandbox: a [class@Sandbox]
 *
 * Gets how long a task is kept (see [property@Sandbox:task-lifetime]).
 *
 * Returns: the lifetime in seconds
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_task_lifetime (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  return get_setting (sandbox, &sandbox->service->task_lifetime);
}

/**
 * cs_sandbox_set_task_lifetime: (set-property task-lifetime)
 * @sandbox: a [class@Sandbox]
 * @seconds: the lifetime in seconds
 *
 * Sets [property@Sandbox:task-lifetime]: how long a task is kept, in real
 * seconds; 0 forgets a task as soon as its lifetime starts, so that its id
 * gives `ERROR_TASKID_INVALID`. The tasks kept already count their age
 * against the new lifetime.
 *
 * Since: 1.0
 */
void
cs_sandbox_set_task_lifetime (CsSandbox *sandbox,
                              guint      seconds)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  set_setting (sandbox, &sandbox->service->task_lifetime, seconds, PROP_TASK_LIFETIME);
}

/**
 * cs_sandbox_get_fault_delay: (get-property fault-delay)
 * @sandbox: a [class@Sandbox]
 *
 * Gets how long %CS_SANDBOX_FAULT_DELAY holds an answer back.
 *
 * Returns: the delay in milliseconds
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_fault_delay (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  return get_setting (sandbox, &sandbox->fault_delay);
}

/**
 * cs_sandbox_set_fault_delay: (set-property fault-delay)
 * @sandbox: a [class@Sandbox]
 * @msec: the delay in milliseconds
 *
 * Sets how long %CS_SANDBOX_FAULT_DELAY holds an answer back.
 *
 * Since: 1.0
 */
void
cs_sandbox_set_fault_delay (CsSandbox *sandbox,
                            guint      msec)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  set_setting (sandbox, &sandbox->fault_delay, msec, PROP_FAULT_DELAY);
}

/**
 * cs_sandbox_fail_next_task:
 * @sandbox: a [class@Sandbox]
 * @error_code: (nullable): an error code, such as
 *   `ERROR_CAPTCHA_UNSOLVABLE`, or %NULL
 *
 * Makes the next task that `createTask` accepts end in @error_code, in
 * `createTask` or at its ready poll (see [the sandbox guide](sandbox.html)).
 * Each call scripts one more task; %NULL forgets the tasks scripted and not
 * created yet. Any code may be given, including codes this library does
 * not know. A task whose fields name a code with
 * [const@SANDBOX_ERROR_URL_PREFIX] takes that code and leaves the scripted
 * one for the next task.
 *
 * Since: 1.0
 */
void
cs_sandbox_fail_next_task (CsSandbox  *sandbox,
                           const char *error_code)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));
  g_return_if_fail (error_code == NULL || *error_code != '\0');

  g_mutex_lock (&sandbox->lock);
  _cs_sandbox_service_fail_next (sandbox->service, error_code);
  g_mutex_unlock (&sandbox->lock);
}

/**
 * cs_sandbox_inject_fault:
 * @sandbox: a [class@Sandbox]
 * @fault: what goes wrong
 * @count: how many requests it happens to, or 0
 *
 * Makes the next @count HTTP requests, whatever their method, fail as
 * @fault says. Calls queue up: after the requests of one call come those
 * of the next, and %CS_SANDBOX_FAULT_NONE lets @count requests through
 * before the faults queued after it. A @count of 0 forgets every fault not
 * used yet.
 *
 * Since: 1.0
 */
void
cs_sandbox_inject_fault (CsSandbox      *sandbox,
                         CsSandboxFault  fault,
                         guint           count)
{
  FaultRun *run;

  g_return_if_fail (CS_IS_SANDBOX (sandbox));
  g_return_if_fail (fault >= CS_SANDBOX_FAULT_NONE && fault <= CS_SANDBOX_FAULT_DROP_CONNECTION);

  g_mutex_lock (&sandbox->lock);
  if (count == 0)
    g_queue_clear_full (&sandbox->faults, g_free);
  else
    {
      run = g_new (FaultRun, 1);
      run->fault = fault;
      run->remaining = count;
      g_queue_push_tail (&sandbox->faults, run);
    }
  g_mutex_unlock (&sandbox->lock);
}

/**
 * cs_sandbox_get_request_count:
 * @sandbox: a [class@Sandbox]
 * @method: (nullable): an API method, such as `createTask`, or %NULL
 *
 * Counts the HTTP requests the sandbox received for @method, or in all
 * when @method is %NULL, faulted and refused ones included. Requests to a
 * path that is not a method count under that path.
 *
 * Returns: the number of requests
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_request_count (CsSandbox  *sandbox,
                              const char *method)
{
  guint count;

  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  g_mutex_lock (&sandbox->lock);
  if (method == NULL)
    count = sandbox->n_requests;
  else
    count = GPOINTER_TO_UINT (g_hash_table_lookup (sandbox->request_counts, method));
  g_mutex_unlock (&sandbox->lock);
  return count;
}

static void
apply_idle_timeout (CsSandbox *self)
{
  guint timeout = get_setting (self, &self->idle_timeout);

  if (self->server_thread != NULL)
    _cs_server_thread_set_timeouts (self->server_thread, timeout, timeout, timeout);
}

/**
 * cs_sandbox_get_time_scale: (get-property time-scale)
 * @sandbox: a [class@Sandbox]
 *
 * Gets [property@Sandbox:time-scale].
 *
 * Returns: the time scale, or a negative number for the poll-count model
 *
 * Since: 1.0
 */
double
cs_sandbox_get_time_scale (CsSandbox *sandbox)
{
  double scale;

  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), -1.0);

  g_mutex_lock (&sandbox->lock);
  scale = sandbox->service->time_scale;
  g_mutex_unlock (&sandbox->lock);
  return scale;
}

/**
 * cs_sandbox_set_time_scale: (set-property time-scale)
 * @sandbox: a [class@Sandbox]
 * @scale: 1 for the service's pace, 0.01 for a hundred times faster, 0
 *   for no waiting, or a negative number for the poll-count model
 *
 * Sets [property@Sandbox:time-scale]. Set it before creating tasks: tasks created
 * under another model are not moved over.
 *
 * Since: 1.0
 */
void
cs_sandbox_set_time_scale (CsSandbox *sandbox,
                           double     scale)
{
  gboolean changed;

  g_return_if_fail (CS_IS_SANDBOX (sandbox));
  g_return_if_fail (!isnan (scale));

  if (scale < 0.0)
    scale = -1.0;
  scale = MIN (scale, MAX_TIME_SCALE);
  g_mutex_lock (&sandbox->lock);
  changed = sandbox->service->time_scale != scale;
  sandbox->service->time_scale = scale;
  g_mutex_unlock (&sandbox->lock);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (sandbox), properties[PROP_TIME_SCALE]);
}

/**
 * cs_sandbox_get_timings:
 * @sandbox: a [class@Sandbox]
 *
 * Gets the timing records of the sandbox's tasks and its connection
 * counters, the JSON that `GET /sandbox/timings` answers (see
 * [the sandbox guide](sandbox.html)).
 *
 * Returns: (transfer full): a JSON object
 *
 * Since: 1.0
 */
JsonNode *
cs_sandbox_get_timings (CsSandbox *sandbox)
{
  g_autoptr(JsonObject) timings = NULL;

  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), NULL);

  timings = _cs_sandbox_http_get_timings (sandbox);
  return json_node_init_object (json_node_alloc (), timings);
}

/**
 * cs_sandbox_clear_timings:
 * @sandbox: a [class@Sandbox]
 *
 * Forgets the timing records of the tasks created so far, as `POST
 * /sandbox/timings/clear` does: [method@Sandbox.get_timings] then reports
 * the tasks created after this call only, so that a benchmark reads one
 * phase at a time. The tasks themselves are kept.
 *
 * Since: 1.0
 */
void
cs_sandbox_clear_timings (CsSandbox *sandbox)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  g_mutex_lock (&sandbox->lock);
  _cs_sandbox_service_clear_timings (sandbox->service);
  g_mutex_unlock (&sandbox->lock);
}

/**
 * cs_sandbox_get_workers: (get-property workers)
 * @sandbox: a [class@Sandbox]
 *
 * Gets [property@Sandbox:workers].
 *
 * Returns: the number
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_workers (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  return get_setting (sandbox, &sandbox->service->workers);
}

/**
 * cs_sandbox_set_workers: (set-property workers)
 * @sandbox: a [class@Sandbox]
 * @workers: the number
 *
 * Sets [property@Sandbox:workers].
 *
 * Since: 1.0
 */
void
cs_sandbox_set_workers (CsSandbox *sandbox,
                        guint      workers)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  set_setting (sandbox, &sandbox->service->workers, workers, PROP_WORKERS);
}

/**
 * cs_sandbox_get_queue_limit: (get-property queue-limit)
 * @sandbox: a [class@Sandbox]
 *
 * Gets [property@Sandbox:queue-limit].
 *
 * Returns: the number
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_queue_limit (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  return get_setting (sandbox, &sandbox->service->queue_limit);
}

/**
 * cs_sandbox_set_queue_limit: (set-property queue-limit)
 * @sandbox: a [class@Sandbox]
 * @tasks: the number
 *
 * Sets [property@Sandbox:queue-limit].
 *
 * Since: 1.0
 */
void
cs_sandbox_set_queue_limit (CsSandbox *sandbox,
                            guint      tasks)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  set_setting (sandbox, &sandbox->service->queue_limit, tasks, PROP_QUEUE_LIMIT);
}

/**
 * cs_sandbox_get_max_tasks: (get-property max-tasks)
 * @sandbox: a [class@Sandbox]
 *
 * Gets [property@Sandbox:max-tasks].
 *
 * Returns: the number
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_max_tasks (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  return get_setting (sandbox, &sandbox->service->max_tasks);
}

/**
 * cs_sandbox_set_max_tasks: (set-property max-tasks)
 * @sandbox: a [class@Sandbox]
 * @tasks: the number
 *
 * Sets [property@Sandbox:max-tasks].
 *
 * Since: 1.0
 */
void
cs_sandbox_set_max_tasks (CsSandbox *sandbox,
                          guint      tasks)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  set_setting (sandbox, &sandbox->service->max_tasks, tasks, PROP_MAX_TASKS);
}

/**
 * cs_sandbox_get_rate_limit: (get-property rate-limit)
 * @sandbox: a [class@Sandbox]
 *
 * Gets [property@Sandbox:rate-limit].
 *
 * Returns: the requests
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_rate_limit (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  return get_setting (sandbox, &sandbox->service->rate_limit);
}

/**
 * cs_sandbox_set_rate_limit: (set-property rate-limit)
 * @sandbox: a [class@Sandbox]
 * @requests: the requests
 *
 * Sets [property@Sandbox:rate-limit].
 *
 * Since: 1.0
 */
void
cs_sandbox_set_rate_limit (CsSandbox *sandbox,
                           guint      requests)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  set_setting (sandbox, &sandbox->service->rate_limit, requests, PROP_RATE_LIMIT);
}

/**
 * cs_sandbox_get_key_block_errors: (get-property key-block-errors)
 * @sandbox: a [class@Sandbox]
 *
 * Gets [property@Sandbox:key-block-errors].
 *
 * Returns: the errors
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_key_block_errors (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  return get_setting (sandbox, &sandbox->service->key_block_errors);
}

/**
 * cs_sandbox_set_key_block_errors: (set-property key-block-errors)
 * @sandbox: a [class@Sandbox]
 * @errors: the errors
 *
 * Sets [property@Sandbox:key-block-errors].
 *
 * Since: 1.0
 */
void
cs_sandbox_set_key_block_errors (CsSandbox *sandbox,
                                 guint      errors)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  set_setting (sandbox, &sandbox->service->key_block_errors, errors, PROP_KEY_BLOCK_ERRORS);
}

/**
 * cs_sandbox_get_ip_ban_errors: (get-property ip-ban-errors)
 * @sandbox: a [class@Sandbox]
 *
 * Gets [property@Sandbox:ip-ban-errors].
 *
 * Returns: the errors
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_ip_ban_errors (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  return get_setting (sandbox, &sandbox->service->ip_ban_errors);
}

/**
 * cs_sandbox_set_ip_ban_errors: (set-property ip-ban-errors)
 * @sandbox: a [class@Sandbox]
 * @errors: the errors
 *
 * Sets [property@Sandbox:ip-ban-errors].
 *
 * Since: 1.0
 */
void
cs_sandbox_set_ip_ban_errors (CsSandbox *sandbox,
                              guint      errors)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  set_setting (sandbox, &sandbox->service->ip_ban_errors, errors, PROP_IP_BAN_ERRORS);
}

/**
 * cs_sandbox_get_idle_timeout: (get-property idle-timeout)
 * @sandbox: a [class@Sandbox]
 *
 * Gets [property@Sandbox:idle-timeout].
 *
 * Returns: the milliseconds
 *
 * Since: 1.0
 */
guint
cs_sandbox_get_idle_timeout (CsSandbox *sandbox)
{
  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), 0);

  return get_setting (sandbox, &sandbox->idle_timeout);
}

/**
 * cs_sandbox_set_idle_timeout: (set-property idle-timeout)
 * @sandbox: a [class@Sandbox]
 * @msec: the milliseconds
 *
 * Sets [property@Sandbox:idle-timeout].
 *
 * Since: 1.0
 */
void
cs_sandbox_set_idle_timeout (CsSandbox *sandbox,
                             guint      msec)
{
  g_return_if_fail (CS_IS_SANDBOX (sandbox));

  set_setting (sandbox, &sandbox->idle_timeout, msec, PROP_IDLE_TIMEOUT);
  apply_idle_timeout (sandbox);
}

/**
 * cs_sandbox_get_dialect: (get-property dialect)
 * @sandbox: a [class@Sandbox]
 *
 * Gets [property@Sandbox:dialect].
 *
 * Returns: the provider whose dialect the sandbox speaks
 *
 * Since: 1.0
 */
CsProvider
cs_sandbox_get_dialect (CsSandbox *sandbox)
{
  CsProvider provider;

  g_return_val_if_fail (CS_IS_SANDBOX (sandbox), CS_PROVIDER_CAPSOLVER);

  g_mutex_lock (&sandbox->lock);
  provider = sandbox->provider;
  g_mutex_unlock (&sandbox->lock);
  return provider;
}

/**
 * cs_sandbox_set_dialect: (set-property dialect)
 * @sandbox: a [class@Sandbox]
 * @provider: the provider whose dialect to speak
 *
 * Sets [property@Sandbox:dialect]. Tasks created before keep their ids.
 *
 * Since: 1.0
 */
void
cs_sandbox_set_dialect (CsSandbox  *sandbox,
                        CsProvider  provider)
{
  const CsDialect *dialect;
  gboolean changed;

  g_return_if_fail (CS_IS_SANDBOX (sandbox));
  dialect = _cs_dialect_get (provider);
  g_return_if_fail (dialect != NULL);

  g_mutex_lock (&sandbox->lock);
  changed = sandbox->provider != provider;
  sandbox->provider = provider;
  /* CapSolver's own and the compatible services': the service as it is */
  sandbox->dialect = provider == CS_PROVIDER_CAPSOLVER || provider == CS_PROVIDER_COMPATIBLE
                     ? NULL : dialect;
  sandbox->service->numeric_ids = _cs_dialect_ids_are_integers (dialect);
  sandbox->service->charge_unsolvable =
    _cs_dialect_get_unsolvable_billing (dialect) == CS_UNSOLVABLE_CHARGED;
  g_mutex_unlock (&sandbox->lock);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (sandbox), properties[PROP_DIALECT]);
}
