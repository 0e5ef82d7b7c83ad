/* cs-task-field.c: the JSON forms of a task field
 *
 * The family table (cs-task-family.c) says which fields a task has; this
 * file says what each kind of field looks like in JSON, both ways: the
 * value of a typed task's property as the node it sends and back, dotted
 * names ("metadata.action" is member action of object metadata), the
 * three forms of cookies, images as plain base64, and whether a node is
 * of a field's kind (for the validation of the client and the sandbox).
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-private.h"

/* --- Dotted names --------------------------------------------------------- */

/* The member a dotted name designates; "a.b" is member b of object a. */
JsonNode *
_cs_task_field_lookup (JsonObject *object,
                       const char *member)
{
  const char *dot = strchr (member, '.');

  if (dot != NULL)
    {
      g_autofree char *parent = g_strndup (member, dot - member);

      object = _cs_json_get_object (object, parent);
      member = dot + 1;
    }
  if (object == NULL || !json_object_has_member (object, member))
    return NULL;
  return json_object_get_member (object, member);
}

/* Sets (node != NULL, owned) or removes a member of an object. */
static void
object_put (JsonObject *object,
            const char *member,
            JsonNode   *node)
{
  if (node != NULL)
    json_object_set_member (object, member, node);
  else if (json_object_has_member (object, member))
    json_object_remove_member (object, member);
}

/* Writes (node owned) or, for a NULL node, removes a field; "a.b"
 * rewrites object a with member b changed (a copy, since the object may
 * be shared with the caller), and drops a when it ends up empty. */
void
_cs_task_field_put (JsonObject *fields,
                    const char *member,
                    JsonNode   *node)
{
  const char *dot = strchr (member, '.');
  g_autofree char *parent_name = NULL;
  JsonObject *parent;
  JsonObject *copy;
  JsonObjectIter iter;
  const char *name;
  JsonNode *child;

  if (dot == NULL)
    {
      object_put (fields, member, node);
      return;
    }

  parent_name = g_strndup (member, dot - member);
  parent = _cs_json_get_object (fields, parent_name);
  copy = json_object_new ();
  if (parent != NULL)
    {
      json_object_iter_init (&iter, parent);
      while (json_object_iter_next (&iter, &name, &child))
        json_object_set_member (copy, name, json_node_copy (child));
    }
  object_put (copy, dot + 1, node);

  if (json_object_get_size (copy) > 0)
    json_object_set_object_member (fields, parent_name, copy);
  else
    {
      json_object_unref (copy);
      object_put (fields, parent_name, NULL);
    }
}

/* --- Kinds ------------------------------------------------------------------ */

/* A null, an empty string or an empty array counts as absent: the service
 * reads them as "not given". */
gboolean
_cs_task_field_is_present (JsonObject *object,
                           const char *member)
{
  JsonNode *node = _cs_task_field_lookup (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return *json_node_get_string (node) != '\0';
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_length (json_node_get_array (node)) > 0;
  return TRUE;
}

static gboolean
holds_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
array_holds_strings (JsonNode *node)
{
  JsonArray *array = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!holds_string (json_array_get_element (array, i)))
      return FALSE;
  return TRUE;
}

gboolean
_cs_task_field_has_kind (JsonNode        *node,
                         CsTaskFieldKind  kind)
{
  GType value_type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node)
                                                  : G_TYPE_INVALID;

  switch (kind)
    {
    case CS_TASK_FIELD_KIND_STRING:
      return value_type == G_TYPE_STRING;
    case CS_TASK_FIELD_KIND_BOOLEAN:
      return value_type == G_TYPE_BOOLEAN;
    case CS_TASK_FIELD_KIND_INT:
      return value_type == G_TYPE_INT64;
    case CS_TASK_FIELD_KIND_DOUBLE:
      return value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE;
    case CS_TASK_FIELD_KIND_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (node);
    case CS_TASK_FIELD_KIND_STRV:
      return JSON_NODE_HOLDS_ARRAY (node) && array_holds_strings (node);
    case CS_TASK_FIELD_KIND_COOKIES:
      /* an array of {name, value}, or one "a=b; c=d" string */
      return JSON_NODE_HOLDS_ARRAY (node) || value_type == G_TYPE_STRING;
    default:
      return FALSE;
    }
}

/* --- Cookies ----------------------------------------------------------------- */

static void
cookie_from_pair (const char   *pair,
                  CsCookieFunc  func,
                  gpointer      user_data)
{
  g_auto(GStrv) parts = g_strsplit (pair, "=", 2);

  if (parts[0] == NULL || parts[1] == NULL)
    return;
  g_strstrip (parts[0]);
  if (*parts[0] != '\0')
    func (parts[0], g_strstrip (parts[1]), user_data);
}

static void
cookies_from_string (const char   *text,
                     CsCookieFunc  func,
                     gpointer      user_data)
{
  g_auto(GStrv) pairs = g_strsplit (text, ";", -1);

  for (gsize i = 0; pairs[i] != NULL; i++)
    cookie_from_pair (pairs[i], func, user_data);
}

/* One element of an array of cookies: {"name", "value"} or "a=b". */
static void
cookie_from_element (JsonNode     *element,
                     CsCookieFunc  func,
                     gpointer      user_data)
{
  JsonObject *cookie;
  const char *name;
  g_autofree char *value = NULL;

  if (holds_string (element))
    {
      cookie_from_pair (json_node_get_string (element), func, user_data);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (element))
    return;
  cookie = json_node_get_object (element);
  name = _cs_json_get_string (cookie, "name");
  if (json_object_has_member (cookie, "value"))
    value = _cs_json_dup_scalar (json_object_get_member (cookie, "value"));
  if (name != NULL && *name != '\0' && value != NULL)
    func (name, value, user_data);
}

static void
cookies_from_object (JsonObject   *object,
                     CsCookieFunc  func,
                     gpointer      user_data)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &member))
    {
      g_autofree char *value = _cs_json_dup_scalar (member);

      if (value != NULL)
        func (name, value, user_data);
    }
}

void
_cs_cookies_foreach (JsonNode     *node,
                     CsCookieFunc  func,
                     gpointer      user_data)
{
  if (node == NULL)
    return;
  if (holds_string (node))
    cookies_from_string (json_node_get_string (node), func, user_data);
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        cookie_from_element (json_array_get_element (array, i), func, user_data);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    cookies_from_object (json_node_get_object (node), func, user_data);
}

/* --- Property values: GValue <-> JsonNode, per kind ------------------------ */

/* A node that owns the array (json_node_init_array() adds a reference). */
static JsonNode *
array_to_node (JsonArray *array)
{
  JsonNode *node = json_node_init_array (json_node_alloc (), array);

  json_array_unref (array);
  return node;
}

typedef void (*AddElementFunc) (JsonArray  *array,
                                const char *text);

static void
add_string (JsonArray  *array,
            const char *text)
{
  json_array_add_string_element (array, text);
}

/* "name=value" is sent as {"name": …, "value": …}. */
static void
add_cookie_object (JsonArray  *array,
                   const char *text)
{
  JsonObject *cookie = json_object_new ();
  const char *equals = strchr (text, '=');
  g_autofree char *name = g_strndup (text, equals != NULL ? (gsize) (equals - text)
                                                          : strlen (text));

  json_object_set_string_member (cookie, "name", g_strstrip (name));
  json_object_set_string_member (cookie, "value", equals != NULL ? equals + 1 : "");
  json_array_add_object_element (array, cookie);
}

/* An array of what @add makes of each string, or NULL for no strings. */
static JsonNode *
strv_to_node (const char * const *strv,
              AddElementFunc      add)
{
  JsonArray *array;

  if (strv == NULL || strv[0] == NULL)
    return NULL;
  array = json_array_new ();
  for (gsize i = 0; strv[i] != NULL; i++)
    add (array, strv[i]);
  return array_to_node (array);
}

/* The node a property value sends, or NULL when the value means "not
 * sent": an empty string or list, FALSE, zero. */
JsonNode *
_cs_task_field_from_value (const CsTaskField *field,
                           const GValue      *value)
{
  const char *text;
  JsonObject *object;

  switch (field->kind)
    {
    case CS_TASK_FIELD_KIND_STRING:
      text = g_value_get_string (value);
      return text != NULL && *text != '\0' ? json_node_init_string (json_node_alloc (), text)
                                           : NULL;
    case CS_TASK_FIELD_KIND_BOOLEAN:
      return g_value_get_boolean (value) ? json_node_init_boolean (json_node_alloc (), TRUE)
                                         : NULL;
    case CS_TASK_FIELD_KIND_INT:
      return g_value_get_int64 (value) != 0
             ? json_node_init_int (json_node_alloc (), g_value_get_int64 (value)) : NULL;
    case CS_TASK_FIELD_KIND_DOUBLE:
      return g_value_get_double (value) != 0.0
             ? json_node_init_double (json_node_alloc (), g_value_get_double (value)) : NULL;
    case CS_TASK_FIELD_KIND_STRV:
      return strv_to_node (g_value_get_boxed (value), add_string);
    case CS_TASK_FIELD_KIND_COOKIES:
      return strv_to_node (g_value_get_boxed (value), add_cookie_object);
    case CS_TASK_FIELD_KIND_OBJECT:
      object = g_value_get_boxed (value);
      return object != NULL && json_object_get_size (object) > 0
             ? json_node_init_object (json_node_alloc (), object) : NULL;
    default:
      g_assert_not_reached ();
    }
}

static GStrv
node_to_strv (JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (holds_string (element))
        g_strv_builder_add (builder, json_node_get_string (element));
    }
  return g_strv_builder_end (builder);
}

static void
add_cookie (const char *name,
            const char *value,
            gpointer    user_data)
{
  g_autofree char *cookie = g_strdup_printf ("%s=%s", name, value);

  g_strv_builder_add (user_data, cookie);
}

static GStrv
node_to_cookies (JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  _cs_cookies_foreach (node, add_cookie, builder);
  return g_strv_builder_end (builder);
}

/* Reads a node into a value already holding the property's default; a
 * node of another type (set through the generic setters) reads as unset. */
void
_cs_task_field_to_value (const CsTaskField *field,
                         JsonNode          *node,
                         GValue            *value)
{
  GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  switch (field->kind)
    {
    case CS_TASK_FIELD_KIND_STRING:
      if (type == G_TYPE_STRING)
        g_value_set_string (value, json_node_get_string (node));
      break;
    case CS_TASK_FIELD_KIND_BOOLEAN:
      if (type == G_TYPE_BOOLEAN)
        g_value_set_boolean (value, json_node_get_boolean (node));
      break;
    case CS_TASK_FIELD_KIND_INT:
      if (type == G_TYPE_INT64)
        g_value_set_int64 (value, json_node_get_int (node));
      break;
    case CS_TASK_FIELD_KIND_DOUBLE:
      if (type == G_TYPE_DOUBLE || type == G_TYPE_INT64)
        g_value_set_double (value, json_node_get_double (node));
      break;
    case CS_TASK_FIELD_KIND_STRV:
      if (JSON_NODE_HOLDS_ARRAY (node))
        g_value_take_boxed (value, node_to_strv (node));
      break;
    case CS_TASK_FIELD_KIND_COOKIES:
      g_value_take_boxed (value, node_to_cookies (node));
      break;
    case CS_TASK_FIELD_KIND_OBJECT:
      if (JSON_NODE_HOLDS_OBJECT (node))
        g_value_set_boxed (value, json_node_get_object (node));
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The property of a field: its type follows the field's kind. */
GParamSpec *
_cs_task_field_param_spec (const CsTaskField *field)
{
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const char *name = field->property;

  switch (field->kind)
    {
    case CS_TASK_FIELD_KIND_STRING:
      return g_param_spec_string (name, NULL, NULL, NULL, flags);
    case CS_TASK_FIELD_KIND_BOOLEAN:
      return g_param_spec_boolean (name, NULL, NULL, FALSE, flags);
    case CS_TASK_FIELD_KIND_INT:
      return g_param_spec_int64 (name, NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
    case CS_TASK_FIELD_KIND_DOUBLE:
      return g_param_spec_double (name, NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0, flags);
    case CS_TASK_FIELD_KIND_STRV:
    case CS_TASK_FIELD_KIND_COOKIES:
      return g_param_spec_boxed (name, NULL, NULL, G_TYPE_STRV, flags);
    case CS_TASK_FIELD_KIND_OBJECT:
      return g_param_spec_boxed (name, NULL, NULL, JSON_TYPE_OBJECT, flags);
    default:
      g_assert_not_reached ();
    }
}

/* --- Images -------------------------------------------------------------------- */

/* The formats the service reads, from their signatures. */
CsImageFormat
_cs_image_sniff (const guint8 *data,
                 gsize         size)
{
  if (size >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return CS_IMAGE_PNG;
  if (size >= 3 && memcmp (data, "\xff\xd8\xff", 3) == 0)
    return CS_IMAGE_JPEG;
  if (size >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0))
    return CS_IMAGE_GIF;
  if (size >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return CS_IMAGE_WEBP;
  return CS_IMAGE_UNKNOWN;
}

/* Refuses what the service would refuse as an image of @field, with the
 * words the sandbox answers. */
gboolean
_cs_image_check (const char  *field,
                 GBytes      *image,
                 GError     **error)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (image, &size);

  if (size == 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID_IMAGE,
                   "ERROR_INVALID_IMAGE: field %s: the image is empty", field);
      return FALSE;
    }
  if (_cs_image_sniff (data, size) == CS_IMAGE_UNKNOWN)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID_IMAGE,
                   "ERROR_INVALID_IMAGE: field %s is not a PNG, JPEG, GIF or WebP image", field);
      return FALSE;
    }
  return TRUE;
}

/* Base64 without a data: prefix or line breaks, as the service wants. */
JsonNode *
_cs_task_field_image_node (GBytes *image)
{
  gsize length = 0;
  const guchar *data = g_bytes_get_data (image, &length);
  g_autofree char *base64 = g_base64_encode (data, length);

  return json_node_init_string (json_node_alloc (), base64);
}

/* A new array of the images of @images (nullable), then @image. */
JsonNode *
_cs_task_field_images_append (JsonArray *images,
                              GBytes    *image)
{
  guint n_images = images != NULL ? json_array_get_length (images) : 0;
  JsonArray *copy = json_array_sized_new (n_images + 1);

  for (guint i = 0; i < n_images; i++)
    json_array_add_element (copy, json_node_copy (json_array_get_element (images, i)));
  json_array_add_element (copy, _cs_task_field_image_node (image));
  return array_to_node (copy);
}
