/* cs-task.c: one captcha job, its request fields and its lifecycle
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-private.h"

/**
 * CsTask:
 *
 * One captcha job: the fields of the `task` object sent with `createTask`,
 * and what the service has said of it since (its task id, status and
 * solution).
 *
 * A task of any type, including types added to the service after this
 * library was written, is built with [ctor@Task.new] and the generic
 * setters such as [method@Task.set_string]. The typed subclasses (such as
 * [class@ReCaptchaV2Task]) add properties for the fields of their family
 * and pick the type name from them; [struct@TaskType] describes the types
 * the library knows, their classes and their fields.
 *
 * A field is named by its member: `websiteURL`, or `metadata.action` for
 * member `action` of the object `metadata`, the same with the generic
 * setters as in [method@TaskField.get_member]. A property of a typed task
 * and the generic setters write the same field: setting `metadata.action`
 * with [method@Task.set_string] notifies [property@TurnstileTask:action].
 *
 * A task that has a task id is not created again: [method@Client.solve]
 * on it resumes polling. [ctor@Task.new_for_id] makes such a task for an id
 * obtained elsewhere.
 *
 * Tasks are not thread-safe; use each from one thread at a time.
 *
 * Since: 1.0
 */

typedef struct
{
  char          *type_name;
  JsonObject    *fields;
  CsProxy       *proxy;
  CsProxyFormat  proxy_format;
  char          *callback_url;

  char          *task_id;
  CsProvider     provider;       /* who has the task, when provider_known */
  gboolean       provider_known; /* set by a client, or at construction */
  CsWeakHandle  *creator;        /* the client whose createTask made it */
  CsTaskStatus   status;
  CsSolution    *solution;
  guint          poll_count;
  gint64         last_poll_time; /* monotonic µs its last poll was sent, or 0 */
  guint          reports;        /* reports sent or on their way; under create_lock */
  gint64         solved_at;      /* monotonic µs of the solution, or 0 */
  /* a createTask on its way, and the calls that wait for its end; under
   * create_lock, with task_id, since tasks may be solved from any thread */
  gboolean       creating;
  GSList        *create_waiters;
} CsTaskPrivate;

static GMutex create_lock;
/* Tests widen the window before creation is decided (cs-private.h). */
static CsTaskHook begin_create_hook;

G_DEFINE_TYPE_WITH_PRIVATE (CsTask, cs_task, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TYPE_NAME,
  PROP_PROXY,
  PROP_PROXY_FORMAT,
  PROP_CALLBACK_URL,
  PROP_TASK_ID,
  PROP_STATUS,
  PROP_SOLUTION,
  PROP_POLL_COUNT,
  PROP_PROVIDER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
task_finalize (GObject *object)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (CS_TASK (object));

  g_free (priv->type_name);
  g_clear_pointer (&priv->fields, json_object_unref);
  g_clear_object (&priv->proxy);
  g_free (priv->callback_url);
  g_free (priv->task_id);
  g_clear_pointer (&priv->creator, _cs_weak_handle_unref);
  g_clear_object (&priv->solution);

  G_OBJECT_CLASS (cs_task_parent_class)->finalize (object);
}

static void
task_get_property (GObject    *object,
                   guint       prop_id,
                   GValue     *value,
                   GParamSpec *pspec)
{
  CsTask *self = CS_TASK (object);
  CsTaskPrivate *priv = cs_task_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_TYPE_NAME:
      g_value_set_string (value, cs_task_get_type_name (self));
      break;
    case PROP_PROXY:
      g_value_set_object (value, priv->proxy);
      break;
    case PROP_PROXY_FORMAT:
      g_value_set_enum (value, priv->proxy_format);
      break;
    case PROP_CALLBACK_URL:
      g_value_set_string (value, priv->callback_url);
      break;
    case PROP_TASK_ID:
      g_value_set_string (value, priv->task_id);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, priv->status);
      break;
    case PROP_SOLUTION:
      g_value_set_object (value, priv->solution);
      break;
    case PROP_POLL_COUNT:
      g_value_set_uint (value, priv->poll_count);
      break;
    case PROP_PROVIDER:
      g_value_set_enum (value, cs_task_get_provider (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
task_set_property (GObject      *object,
                   guint         prop_id,
                   const GValue *value,
                   GParamSpec   *pspec)
{
  CsTask *self = CS_TASK (object);
  CsTaskPrivate *priv = cs_task_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_TYPE_NAME:
      cs_task_set_type_name (self, g_value_get_string (value));
      break;
    case PROP_PROXY:
      cs_task_set_proxy (self, g_value_get_object (value));
      break;
    case PROP_PROXY_FORMAT:
      cs_task_set_proxy_format (self, g_value_get_enum (value));
      break;
    case PROP_CALLBACK_URL:
      cs_task_set_callback_url (self, g_value_get_string (value));
      break;
    case PROP_TASK_ID:
      /* construct-only: cs_task_new_for_id() */
      g_free (priv->task_id);
      priv->task_id = g_value_dup_string (value);
      if (priv->task_id != NULL && priv->status == CS_TASK_STATUS_NEW)
        priv->status = CS_TASK_STATUS_IDLE;
      break;
    case PROP_PROVIDER:
      cs_task_set_provider (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_task_class_init (CsTaskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = task_finalize;
  object_class->get_property = task_get_property;
  object_class->set_property = task_set_property;

  /**
   * CsTask:type-name: (getter get_type_name) (setter set_type_name)
   *
   * The `task.type` sent to the service, such as `ImageToTextTask`. A
   * typed task chooses it from its properties unless one is set here.
   *
   * Since: 1.0
   */
  properties[PROP_TYPE_NAME] =
    g_param_spec_string ("type-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsTask:proxy: (getter get_proxy) (setter set_proxy)
   *
   * The proxy the service solves through, for the task types that take
   * one; %NULL for the service's own.
   *
   * Since: 1.0
   */
  properties[PROP_PROXY] =
    g_param_spec_object ("proxy", NULL, NULL, CS_TYPE_PROXY,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsTask:proxy-format: (getter get_proxy_format) (setter set_proxy_format)
   *
   * How [property@Task:proxy] is written into the task.
   *
   * Since: 1.0
   */
  properties[PROP_PROXY_FORMAT] =
    g_param_spec_enum ("proxy-format", NULL, NULL, CS_TYPE_PROXY_FORMAT,
                       CS_PROXY_FORMAT_STRING,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsTask:callback-url: (getter get_callback_url) (setter set_callback_url)
   *
   * An address the service POSTs the result to when the task is ready,
   * sent as `callbackUrl` with `createTask`.
   *
   * Since: 1.0
   */
  properties[PROP_CALLBACK_URL] =
    g_param_spec_string ("callback-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsTask:task-id: (getter get_task_id)
   *
   * The id the service gave the task, or %NULL before it was created.
   * Set at construction only by [ctor@Task.new_for_id].
   *
   * Since: 1.0
   */
  properties[PROP_TASK_ID] =
    g_param_spec_string ("task-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsTask:status: (getter get_status)
   *
   * The status of the task as the service last reported it. It changes
   * while [method@Client.solve] polls, so a user interface can bind to it.
   *
   * Since: 1.0
   */
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, CS_TYPE_TASK_STATUS, CS_TASK_STATUS_NEW,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsTask:solution: (getter get_solution)
   *
   * The solution, once the task is ready.
   *
   * Since: 1.0
   */
  properties[PROP_SOLUTION] =
    g_param_spec_object ("solution", NULL, NULL, CS_TYPE_SOLUTION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsTask:poll-count: (getter get_poll_count)
   *
   * How many times `getTaskResult` was sent for this task. The service
   * answers at most 120 polls per task.
   *
   * Since: 1.0
   */
  properties[PROP_POLL_COUNT] =
    g_param_spec_uint ("poll-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * CsTask:provider: (getter get_provider) (setter set_provider)
   *
   * The provider that has the task: set when a client creates it, to that
   * client's [property@Client:provider] (which, in a chain of
   * [property@Client:fallback] clients, may be another than the client
   * called). Polls and reports of the task go to the client of that
   * provider in the chain of the client called.
   *
   * A task made with [ctor@Task.new_for_id] is given it with
   * [method@Task.set_provider]; without it the task belongs to the client
   * that first polls it, and reads %CS_PROVIDER_CAPSOLVER until then.
   *
   * Since: 1.0
   */
  properties[PROP_PROVIDER] =
    g_param_spec_enum ("provider", NULL, NULL, CS_TYPE_PROVIDER, CS_PROVIDER_CAPSOLVER,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_task_init (CsTask *self)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (self);

  priv->fields = json_object_new ();
  priv->status = CS_TASK_STATUS_NEW;
}

/**
 * cs_task_new:
 * @type_name: the `task.type` to send, such as `ImageToTextTask`
 *
 * Creates a task of any type; its fields are set with the generic setters.
 * No type name is refused: the service decides what it supports.
 *
 * Returns: (transfer full): a new [class@Task]
 *
 * Since: 1.0
 */
CsTask *
cs_task_new (const char *type_name)
{
  g_return_val_if_fail (type_name != NULL, NULL);

  return g_object_new (CS_TYPE_TASK, "type-name", type_name, NULL);
}

/**
 * cs_task_new_for_id:
 * @task_id: the id of a task created earlier
 *
 * Creates a task for an id that `createTask` gave earlier, perhaps in
 * another process, so that [method@Client.solve] or
 * [method@Client.get_task_result] can poll it without creating (and
 * paying for) a new task.
 *
 * Returns: (transfer full): a new [class@Task]
 *
 * Since: 1.0
 */
CsTask *
cs_task_new_for_id (const char *task_id)
{
  g_return_val_if_fail (task_id != NULL && *task_id != '\0', NULL);

  return g_object_new (CS_TYPE_TASK, "task-id", task_id, NULL);
}

/**
 * cs_task_get_type_name: (get-property type-name)
 * @task: a [class@Task]
 *
 * Gets the `task.type` that is sent: the one set with
 * [method@Task.set_type_name], or the one a typed task chose from its
 * properties.
 *
 * Returns: (nullable): the type name
 *
 * Since: 1.0
 */
const char *
cs_task_get_type_name (CsTask *task)
{
  CsTaskPrivate *priv;
  CsTaskClass *klass;

  g_return_val_if_fail (CS_IS_TASK (task), NULL);

  priv = cs_task_get_instance_private (task);
  if (priv->type_name != NULL)
    return priv->type_name;
  klass = CS_TASK_GET_CLASS (task);
  return klass->get_type_name != NULL ? klass->get_type_name (task) : NULL;
}

/**
 * cs_task_set_type_name: (set-property type-name)
 * @task: a [class@Task]
 * @type_name: (nullable): the `task.type` to send, or %NULL to let a typed
 *   task choose
 *
 * Forces the type name sent to the service.
 *
 * Since: 1.0
 */
void
cs_task_set_type_name (CsTask     *task,
                       const char *type_name)
{
  CsTaskPrivate *priv;

  g_return_if_fail (CS_IS_TASK (task));

  priv = cs_task_get_instance_private (task);
  if (_cs_set_str (&priv->type_name, type_name))
    g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_TYPE_NAME]);
}

/* Notifies the properties of a typed task whose field @member changed:
 * the one of that member, or those of its members when @member is their
 * object ("metadata" for "metadata.action"). */
static void
notify_field (CsTask     *task,
              const char *member)
{
  const CsTaskFamily *family = _cs_task_family_of_gtype (G_TYPE_FROM_INSTANCE (task));
  gsize length = strlen (member);

  if (family == NULL)
    return;
  for (const CsTaskField * const *field = family->fields; *field != NULL; field++)
    {
      const char *name = (*field)->member;

      if ((*field)->property != NULL && strncmp (name, member, length) == 0 &&
          (name[length] == '\0' || name[length] == '.'))
        g_object_notify (G_OBJECT (task), (*field)->property);
    }
}

/* The one writer of a task's fields: the generic setters, the properties
 * of the typed tasks and their images all come here, so that "a.b" is
 * member b of object a whichever way it is set, and a typed property is
 * notified whichever way its field changed. Takes @node; NULL removes the
 * field. */
void
_cs_task_write_field (CsTask     *task,
                      const char *member,
                      JsonNode   *node)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);
  JsonNode *old = _cs_task_field_lookup (priv->fields, member);
  gboolean changed = (old == NULL) != (node == NULL) ||
                     (old != NULL && !json_node_equal (old, node));

  _cs_task_field_put (priv->fields, member, node);
  if (changed)
    notify_field (task, member);
}

/**
 * cs_task_set_string:
 * @task: a [class@Task]
 * @field: the member of the field, such as `websiteURL`, or
 *   `metadata.action` for member `action` of the object `metadata`
 * @value: (nullable): the value, or %NULL to remove the field
 *
 * Sets a string field of the task. On a typed task, setting a field
 * notifies the property that holds it.
 *
 * Since: 1.0
 */
void
cs_task_set_string (CsTask     *task,
                    const char *field,
                    const char *value)
{
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (field != NULL);

  if (value == NULL)
    cs_task_remove_field (task, field);
  else
    _cs_task_write_field (task, field, json_node_init_string (json_node_alloc (), value));
}

/**
 * cs_task_set_int:
 * @task: a [class@Task]
 * @field: the member of the field (see [method@Task.set_string])
 * @value: the value
 *
 * Sets an integer field of the task.
 *
 * Since: 1.0
 */
void
cs_task_set_int (CsTask     *task,
                 const char *field,
                 gint64      value)
{
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (field != NULL);

  _cs_task_write_field (task, field, json_node_init_int (json_node_alloc (), value));
}

/**
 * cs_task_set_double:
 * @task: a [class@Task]
 * @field: the member of the field (see [method@Task.set_string])
 * @value: the value
 *
 * Sets a floating-point field of the task.
 *
 * Since: 1.0
 */
void
cs_task_set_double (CsTask     *task,
                    const char *field,
                    double      value)
{
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (field != NULL);

  _cs_task_write_field (task, field, json_node_init_double (json_node_alloc (), value));
}

/**
 * cs_task_set_boolean:
 * @task: a [class@Task]
 * @field: the member of the field (see [method@Task.set_string])
 * @value: the value
 *
 * Sets a boolean field of the task.
 *
 * Since: 1.0
 */
void
cs_task_set_boolean (CsTask     *task,
                     const char *field,
                     gboolean    value)
{
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (field != NULL);

  _cs_task_write_field (task, field, json_node_init_boolean (json_node_alloc (), value));
}

/**
 * cs_task_set_json:
 * @task: a [class@Task]
 * @field: the member of the field (see [method@Task.set_string])
 * @value: (nullable): any JSON value (it is copied), or %NULL to remove
 *   the field
 *
 * Sets a field of the task to any JSON value: an object, an array, or a
 * value of a type the other setters do not cover.
 *
 * Since: 1.0
 */
void
cs_task_set_json (CsTask     *task,
                  const char *field,
                  JsonNode   *value)
{
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (field != NULL);

  if (value == NULL)
    cs_task_remove_field (task, field);
  else
    _cs_task_write_field (task, field, json_node_copy (value));
}

/**
 * cs_task_set_image:
 * @task: a [class@Task]
 * @field: the member of the field, such as `body`
 * @image: the image file's contents
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Sets a field to an image, base64-encoded without a `data:` prefix as the
 * service wants it, after checking that @image is a PNG, JPEG, GIF or WebP
 * file, the formats the service reads. The sandbox refuses other images
 * with the same error.
 *
 * Returns: %TRUE if the field was set, %FALSE with
 *   %CS_ERROR_INVALID_IMAGE (and the field left as it was) otherwise
 *
 * Since: 1.0
 */
gboolean
cs_task_set_image (CsTask      *task,
                   const char  *field,
                   GBytes      *image,
                   GError     **error)
{
  g_return_val_if_fail (CS_IS_TASK (task), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);
  g_return_val_if_fail (image != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_cs_image_check (field, image, error))
    return FALSE;
  _cs_task_write_field (task, field, _cs_task_field_image_node (image));
  return TRUE;
}

/**
 * cs_task_remove_field:
 * @task: a [class@Task]
 * @field: the member of the field (see [method@Task.set_string])
 *
 * Removes a field, so that it is not sent.
 *
 * Since: 1.0
 */
void
cs_task_remove_field (CsTask     *task,
                      const char *field)
{
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (field != NULL);

  _cs_task_write_field (task, field, NULL);
}

/**
 * cs_task_get_field:
 * @task: a [class@Task]
 * @field: the member of the field (see [method@Task.set_string])
 *
 * Gets a field of the task as it will be sent.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL if the field is
 *   not set
 *
 * Since: 1.0
 */
JsonNode *
cs_task_get_field (CsTask     *task,
                   const char *field)
{
  CsTaskPrivate *priv;

  g_return_val_if_fail (CS_IS_TASK (task), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  priv = cs_task_get_instance_private (task);
  return _cs_task_field_lookup (priv->fields, field);
}

static void
add_secret (GPtrArray  *secrets,
            const char *secret)
{
  if (secret != NULL && *secret != '\0')
    g_ptr_array_add (secrets, g_strdup (secret));
}

static void
add_field_secret (CsTask     *task,
                  const char *field,
                  GPtrArray  *secrets)
{
  JsonNode *node = cs_task_get_field (task, field);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    add_secret (secrets, json_node_get_string (node));
}

/* Adds to @secrets (of strings, owned) what the task sends that must
 * never come back in a message or a log line: the login and password of
 * its proxy, whether a #CsProxy or fields set by name. */
void
_cs_task_add_secrets (CsTask    *task,
                      GPtrArray *secrets)
{
  CsProxy *proxy = cs_task_get_proxy (task);
  JsonNode *text = cs_task_get_field (task, "proxy");

  if (proxy != NULL)
    {
      add_secret (secrets, cs_proxy_get_login (proxy));
      add_secret (secrets, cs_proxy_get_password (proxy));
    }
  add_field_secret (task, "proxyLogin", secrets);
  add_field_secret (task, "proxyPassword", secrets);
  if (text != NULL && JSON_NODE_HOLDS_VALUE (text) &&
      json_node_get_value_type (text) == G_TYPE_STRING)
    {
      g_autoptr(CsProxy) parsed = cs_proxy_new_from_string (json_node_get_string (text), NULL);

      if (parsed != NULL)
        {
          add_secret (secrets, cs_proxy_get_login (parsed));
          add_secret (secrets, cs_proxy_get_password (parsed));
        }
    }
}

/**
 * cs_task_get_proxy: (get-property proxy)
 * @task: a [class@Task]
 *
 * Gets the proxy the service solves through.
 *
 * Returns: (transfer none) (nullable): the proxy
 *
 * Since: 1.0
 */
CsProxy *
cs_task_get_proxy (CsTask *task)
{
  CsTaskPrivate *priv;

  g_return_val_if_fail (CS_IS_TASK (task), NULL);

  priv = cs_task_get_instance_private (task);
  return priv->proxy;
}

/**
 * cs_task_set_proxy: (set-property proxy)
 * @task: a [class@Task]
 * @proxy: (nullable): a proxy, or %NULL for the service's own
 *
 * Sets the proxy the service solves through. A typed task then sends the
 * type name of its variant with a proxy.
 *
 * Since: 1.0
 */
void
cs_task_set_proxy (CsTask  *task,
                   CsProxy *proxy)
{
  CsTaskPrivate *priv;

  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (proxy == NULL || CS_IS_PROXY (proxy));

  priv = cs_task_get_instance_private (task);
  if (g_set_object (&priv->proxy, proxy))
    {
      g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_PROXY]);
      g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_TYPE_NAME]);
    }
}

/**
 * cs_task_get_proxy_format: (get-property proxy-format)
 * @task: a [class@Task]
 *
 * Gets how the proxy is written into the task.
 *
 * Returns: the proxy format
 *
 * Since: 1.0
 */
CsProxyFormat
cs_task_get_proxy_format (CsTask *task)
{
  CsTaskPrivate *priv;

  g_return_val_if_fail (CS_IS_TASK (task), CS_PROXY_FORMAT_STRING);

  priv = cs_task_get_instance_private (task);
  return priv->proxy_format;
}

/**
 * cs_task_set_proxy_format: (set-property proxy-format)
 * @task: a [class@Task]
 * @format: how to write the proxy
 *
 * Sets how the proxy is written into the task: one `proxy` string (the
 * default) or the separate `proxyType`, `proxyAddress`… fields.
 *
 * Since: 1.0
 */
void
cs_task_set_proxy_format (CsTask        *task,
                          CsProxyFormat  format)
{
  CsTaskPrivate *priv;

  g_return_if_fail (CS_IS_TASK (task));

  priv = cs_task_get_instance_private (task);
  if (priv->proxy_format != format)
    {
      priv->proxy_format = format;
      g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_PROXY_FORMAT]);
    }
}

/**
 * cs_task_get_callback_url: (get-property callback-url)
 * @task: a [class@Task]
 *
 * Gets the address the service POSTs the result to.
 *
 * Returns: (nullable): the callback URL
 *
 * Since: 1.0
 */
const char *
cs_task_get_callback_url (CsTask *task)
{
  CsTaskPrivate *priv;

  g_return_val_if_fail (CS_IS_TASK (task), NULL);

  priv = cs_task_get_instance_private (task);
  return priv->callback_url;
}

/**
 * cs_task_set_callback_url: (set-property callback-url)
 * @task: a [class@Task]
 * @callback_url: (nullable): an address, or %NULL
 *
 * Sets the address the service POSTs the result to when the task is ready.
 * Polling goes on regardless: a callback that never arrives costs nothing.
 *
 * Since: 1.0
 */
void
cs_task_set_callback_url (CsTask     *task,
                          const char *callback_url)
{
  CsTaskPrivate *priv;

  g_return_if_fail (CS_IS_TASK (task));

  priv = cs_task_get_instance_private (task);
  if (_cs_set_str (&priv->callback_url, callback_url))
    g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_CALLBACK_URL]);
}

/**
 * cs_task_to_json:
 * @task: a [class@Task]
 *
 * Builds the `task` object exactly as `createTask` sends it: its `type`,
 * its fields and its proxy.
 *
 * Returns: (transfer full): a new JSON object
 *
 * Since: 1.0
 */
JsonObject *
cs_task_to_json (CsTask *task)
{
  CsTaskPrivate *priv;
  JsonObject *object;
  const char *type_name;
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  g_return_val_if_fail (CS_IS_TASK (task), NULL);

  priv = cs_task_get_instance_private (task);
  object = json_object_new ();
  type_name = cs_task_get_type_name (task);
  if (type_name != NULL)
    json_object_set_string_member (object, "type", type_name);

  /* a field named "type" must not send another type than the one
   * cs_task_validate() checked: the type name wins */
  json_object_iter_init (&iter, priv->fields);
  while (json_object_iter_next (&iter, &member, &node))
    if (type_name == NULL || g_strcmp0 (member, "type") != 0)
      json_object_set_member (object, member, json_node_copy (node));

  if (priv->proxy != NULL)
    _cs_proxy_write_fields (priv->proxy, priv->proxy_format, object);

  return object;
}

/**
 * cs_task_validate:
 * @task: a [class@Task]
 *
 * Checks the task the way the service would before `createTask` is sent:
 * for the task types this library knows, every required field is present
 * and a proxy is set where the type needs one. A [class@Proxy] set on the task
 * must also be one that [ctor@Proxy.new] accepts (a proxy made with
 * g_object_new() may not be): a host without spaces or brackets, a port,
 * a login and a password together or neither. [method@Client.create_task]
 * and [method@Client.solve] call it, so that a missing field costs no
 * round trip. Type names the library does not know pass.
 *
 * Returns: %TRUE if the task can be sent, %FALSE with
 *   %CS_ERROR_INVALID_TASK_DATA naming the missing field or what is wrong
 *   with the proxy otherwise
 *
 * Since: 1.0
 */
gboolean
cs_task_validate (CsTask  *task,
                  GError **error)
{
  g_autoptr(JsonObject) object = NULL;

  g_return_val_if_fail (CS_IS_TASK (task), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  object = _cs_task_to_valid_json (task, error);
  return object != NULL;
}

/* Never send invalid JSON: the text is not shown, it may be a password. */
static gboolean
check_utf8 (CsTask      *task,
            JsonObject  *object,
            GError     **error)
{
  CsProxy *proxy = cs_task_get_proxy (task);
  const char *member = proxy != NULL && !_cs_proxy_is_utf8 (proxy)
                       ? "proxy" : _cs_json_find_invalid_utf8 (object);

  if (member == NULL)
    return TRUE;
  if (!g_utf8_validate (member, -1, NULL))
    member = "with a name that";
  g_set_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA,
               "ERROR_INVALID_TASK_DATA: member %s is not valid UTF-8", member);
  return FALSE;
}

/* A proxy made with g_object_new() escaped the checks of cs_proxy_new():
 * one its task string cannot carry is never sent. */
static gboolean
check_proxy (CsTask  *task,
             GError **error)
{
  CsProxy *proxy = cs_task_get_proxy (task);
  g_autoptr(GError) proxy_error = NULL;

  if (proxy == NULL || _cs_proxy_check (proxy, &proxy_error))
    return TRUE;
  g_set_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA,
               "ERROR_INVALID_TASK_DATA: %s", proxy_error->message);
  return FALSE;
}

/* The task object as createTask sends it, once it passed the checks of
 * cs_task_validate(); NULL with @error set otherwise. */
JsonObject *
_cs_task_to_valid_json (CsTask  *task,
                        GError **error)
{
  g_autoptr(JsonObject) object = NULL;
  const char *type_name = cs_task_get_type_name (task);

  if (type_name == NULL || *type_name == '\0')
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA,
                           "ERROR_INVALID_TASK_DATA: the task has no type");
      return NULL;
    }
  object = cs_task_to_json (task);
  if (!check_utf8 (task, object, error) || !check_proxy (task, error) ||
      !_cs_task_family_validate (type_name, object, error))
    return NULL;
  return g_steal_pointer (&object);
}

/**
 * cs_task_get_task_id: (get-property task-id)
 * @task: a [class@Task]
 *
 * Gets the id the service gave the task.
 *
 * Returns: (nullable): the task id, or %NULL before `createTask` succeeded
 *
 * Since: 1.0
 */
const char *
cs_task_get_task_id (CsTask *task)
{
  CsTaskPrivate *priv;

  g_return_val_if_fail (CS_IS_TASK (task), NULL);

  priv = cs_task_get_instance_private (task);
  return priv->task_id;
}

/**
 * cs_task_get_status: (get-property status)
 * @task: a [class@Task]
 *
 * Gets the status of the task as the service last reported it.
 *
 * Returns: the status
 *
 * Since: 1.0
 */
CsTaskStatus
cs_task_get_status (CsTask *task)
{
  CsTaskPrivate *priv;

  g_return_val_if_fail (CS_IS_TASK (task), CS_TASK_STATUS_NEW);

  priv = cs_task_get_instance_private (task);
  return priv->status;
}

/**
 * cs_task_get_solution: (get-property solution)
 * @task: a [class@Task]
 *
 * Gets the solution of a ready task.
 *
 * Returns: (transfer none) (nullable): the solution, or %NULL
 *
 * Since: 1.0
 */
CsSolution *
cs_task_get_solution (CsTask *task)
{
  CsTaskPrivate *priv;

  g_return_val_if_fail (CS_IS_TASK (task), NULL);

  priv = cs_task_get_instance_private (task);
  return priv->solution;
}

/**
 * cs_task_get_poll_count: (get-property poll-count)
 * @task: a [class@Task]
 *
 * Gets how many times the task was polled.
 *
 * Returns: the number of `getTaskResult` requests sent for the task
 *
 * Since: 1.0
 */
guint
cs_task_get_poll_count (CsTask *task)
{
  CsTaskPrivate *priv;

  g_return_val_if_fail (CS_IS_TASK (task), 0);

  priv = cs_task_get_instance_private (task);
  return priv->poll_count;
}

/**
 * cs_task_get_provider: (get-property provider)
 * @task: a [class@Task]
 *
 * Gets the provider that has the task (see [property@Task:provider]).
 *
 * Returns: the provider whose client created or polled the task, the one
 *   given at construction, or %CS_PROVIDER_CAPSOLVER before any of these
 *
 * Since: 1.0
 */
CsProvider
cs_task_get_provider (CsTask *task)
{
  CsTaskPrivate *priv;
  CsProvider provider;

  g_return_val_if_fail (CS_IS_TASK (task), CS_PROVIDER_CAPSOLVER);

  priv = cs_task_get_instance_private (task);
  g_mutex_lock (&create_lock);
  provider = priv->provider_known ? priv->provider : CS_PROVIDER_CAPSOLVER;
  g_mutex_unlock (&create_lock);
  return provider;
}

/**
 * cs_task_set_provider: (set-property provider)
 * @task: a [class@Task]
 * @provider: the provider that has the task
 *
 * Says which provider has the task: for a task made with
 * [ctor@Task.new_for_id], whose polls and reports then go to the client of
 * that provider in the chain of the client called (see
 * [property@Client:fallback]). A client sets it itself on the tasks it
 * creates.
 *
 * Since: 1.0
 */
void
cs_task_set_provider (CsTask     *task,
                      CsProvider  provider)
{
  g_return_if_fail (CS_IS_TASK (task));

  _cs_task_set_provider (task, NULL, provider, TRUE);
}

/* Whether the task's provider is known, and in *@provider which. */
gboolean
_cs_task_get_known_provider (CsTask     *task,
                             CsProvider *provider)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);
  gboolean known;

  g_mutex_lock (&create_lock);
  known = priv->provider_known;
  *provider = priv->provider;
  g_mutex_unlock (&create_lock);
  return known;
}

/* @client (a CsClient) of @provider created the task, or polled it
 * first: its polls and reports go there. @creator FALSE keeps a
 * provider already known. */
void
_cs_task_set_provider (CsTask       *task,
                       CsWeakHandle *client,
                       CsProvider    provider,
                       gboolean      creator)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);
  CsWeakHandle *old = NULL;
  gboolean changed = FALSE;

  g_mutex_lock (&create_lock);
  if (creator || !priv->provider_known)
    {
      changed = !priv->provider_known || priv->provider != provider;
      priv->provider = provider;
      priv->provider_known = TRUE;
      old = priv->creator;
      priv->creator = client != NULL ? _cs_weak_handle_ref (client) : NULL;
    }
  g_mutex_unlock (&create_lock);
  g_clear_pointer (&old, _cs_weak_handle_unref);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_PROVIDER]);
}

/* The client that created the task or first polled it, if it still
 * exists. */
GObject *
_cs_task_dup_creator (CsTask *task)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);
  g_autoptr(CsWeakHandle) creator = NULL;

  g_mutex_lock (&create_lock);
  if (priv->creator != NULL)
    creator = _cs_weak_handle_ref (priv->creator);
  g_mutex_unlock (&create_lock);
  return _cs_weak_handle_dup (creator);
}

/* Under create_lock: another thread may be deciding whether to create
 * the task. */
void
_cs_task_set_task_id (CsTask     *task,
                      const char *task_id)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);
  gboolean changed;

  g_mutex_lock (&create_lock);
  changed = _cs_set_str (&priv->task_id, task_id);
  g_mutex_unlock (&create_lock);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_TASK_ID]);
}

void
_cs_task_set_status (CsTask       *task,
                     CsTaskStatus  status)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);

  if (priv->status != status)
    {
      priv->status = status;
      g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_STATUS]);
    }
}

void
_cs_task_set_solution (CsTask     *task,
                       CsSolution *solution)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);

  if (solution != NULL && priv->solution != solution)
    priv->solved_at = g_get_monotonic_time ();
  if (g_set_object (&priv->solution, solution))
    g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_SOLUTION]);
}

/* A report of @task begins: the reports before it, counted under the
 * lock so that two at once cannot both be the first. */
guint
_cs_task_begin_report (CsTask *task)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);
  guint before;

  g_mutex_lock (&create_lock);
  before = priv->reports++;
  g_mutex_unlock (&create_lock);
  return before;
}

/* A report that never reached the provider does not count. */
void
_cs_task_cancel_report (CsTask *task)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);

  g_mutex_lock (&create_lock);
  if (priv->reports > 0)
    priv->reports--;
  g_mutex_unlock (&create_lock);
}

/* Seconds since @task got its solution in this process, or -1. */
gint64
_cs_task_get_seconds_since_solved (CsTask *task)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);

  if (priv->solved_at == 0)
    return -1;
  return (g_get_monotonic_time () - priv->solved_at) / G_USEC_PER_SEC;
}

void
_cs_task_count_poll (CsTask *task)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);

  priv->poll_count++;
  priv->last_poll_time = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (task), properties[PROP_POLL_COUNT]);
}

/* When the task's last poll was sent (monotonic µs), by any solve or
 * call, or 0: a provider's minimum interval between polls holds across
 * solves of the same task. */
gint64
_cs_task_get_last_poll_time (CsTask *task)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);

  return priv->last_poll_time;
}

typedef struct {
  CsCreateWakeFunc  wake;
  GObject          *waiter;
} CreateWaiter;

/* Decides whether the caller creates @task, under one lock: a task with
 * a task id, or solved at once, was created; one being created is joined,
 * @waiter (when not NULL) being kept, with a reference, for
 * _cs_task_end_create() to wake with @wake; otherwise the caller creates
 * it. */
CsCreateStart
_cs_task_begin_create (CsTask           *task,
                       CsCreateWakeFunc  wake,
                       GObject          *waiter)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);
  CsTaskHook hook = g_atomic_pointer_get (&begin_create_hook);
  CsCreateStart start;

  if (G_UNLIKELY (hook != NULL))
    hook (task);
  g_mutex_lock (&create_lock);
  if (priv->creating)
    {
      start = CS_CREATE_JOINED;
      if (waiter != NULL)
        {
          CreateWaiter *joined = g_new (CreateWaiter, 1);

          joined->wake = wake;
          joined->waiter = g_object_ref (waiter);
          priv->create_waiters = g_slist_prepend (priv->create_waiters, joined);
        }
    }
  else if (priv->task_id != NULL ||
           (priv->status == CS_TASK_STATUS_READY && priv->solution != NULL))
    start = CS_CREATE_DONE;
  else
    {
      priv->creating = TRUE;
      start = CS_CREATE_BEGUN;
    }
  g_mutex_unlock (&create_lock);
  return start;
}

/* For tests only: @hook runs at the start of every
 * _cs_task_begin_create(), before anything is decided. */
void
_cs_task_set_begin_create_hook (CsTaskHook hook)
{
  g_atomic_pointer_set (&begin_create_hook, hook);
}

/* Ends the creation of @task and wakes the callers that joined it, in the
 * order they came; returns how many there were. */
guint
_cs_task_end_create (CsTask       *task,
                     const GError *error,
                     gboolean      sent)
{
  CsTaskPrivate *priv = cs_task_get_instance_private (task);
  GSList *waiters;
  guint n = 0;

  g_mutex_lock (&create_lock);
  priv->creating = FALSE;
  waiters = g_slist_reverse (g_steal_pointer (&priv->create_waiters));
  g_mutex_unlock (&create_lock);
  for (GSList *l = waiters; l != NULL; l = l->next, n++)
    {
      CreateWaiter *joined = l->data;

      joined->wake (joined->waiter, error, sent);
      g_object_unref (joined->waiter);
      g_free (joined);
    }
  g_slist_free (waiters);
  return n;
}
