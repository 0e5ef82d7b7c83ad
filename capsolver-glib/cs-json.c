/* cs-json.c: reading remote JSON without trusting it
 *
 * json-glib's object getters emit criticals on missing or mistyped members;
 * everything that reads data from the network goes through these instead.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "cs-private.h"

/* json-glib 1.6 parses recursively with no limit, so measure the nesting
 * first: a hostile reply must not be able to overflow the stack. */
static gboolean
json_depth_ok (const char *data,
               gsize       length)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > CS_MAX_JSON_DEPTH)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

JsonNode *
_cs_json_parse (const char  *data,
                gsize        length,
                GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (length > CS_MAX_REPLY_SIZE)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                   "reply of %" G_GSIZE_FORMAT " bytes is larger than the %d allowed",
                   length, CS_MAX_REPLY_SIZE);
      return NULL;
    }
  if (!json_depth_ok (data, length))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                   "JSON nested deeper than %d levels", CS_MAX_JSON_DEPTH);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (length == 0 || !json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL, "not JSON: %s",
                   local_error != NULL ? local_error->message : "empty body");
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_PROTOCOL, "not JSON: empty document");
      return NULL;
    }
  return json_node_ref (root);
}

GBytes *
_cs_json_to_bytes (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length = 0;
  char *data;

  json_generator_set_root (generator, node);
  data = json_generator_to_data (generator, &length);
  return g_bytes_new_take (data, length);
}

static JsonNode *
get_value_node (JsonObject *object,
                const char *member,
                GType       type)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, member))
    return NULL;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (type != G_TYPE_INVALID && json_node_get_value_type (node) != type)
    return NULL;
  return node;
}

const char *
_cs_json_get_string (JsonObject *object,
                     const char *member)
{
  JsonNode *node = get_value_node (object, member, G_TYPE_STRING);

  return node != NULL ? json_node_get_string (node) : NULL;
}

gboolean
_cs_json_get_int (JsonObject *object,
                  const char *member,
                  gint64     *value)
{
  JsonNode *node = get_value_node (object, member, G_TYPE_INVALID);
  GType type;

  if (node == NULL)
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *value = json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      /* out of range, the cast below would be undefined */
      if (!(d >= (double) G_MININT64 && d < (double) G_MAXINT64))
        return FALSE;
      if (d != (double) (gint64) d)
        return FALSE;
      *value = (gint64) d;
    }
  else
    return FALSE;
  return TRUE;
}

gboolean
_cs_json_get_double (JsonObject *object,
                     const char *member,
                     double     *value)
{
  JsonNode *node = get_value_node (object, member, G_TYPE_INVALID);
  GType type;

  if (node == NULL)
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else if (type == G_TYPE_INT64)
    *value = (double) json_node_get_int (node);
  else
    return FALSE;
  return TRUE;
}

/* A number the service writes as a number or as its text ("0.000700"),
 * as some providers send `cost` and `balance`. */
gboolean
_cs_json_get_number (JsonObject *object,
                     const char *member,
                     double     *value)
{
  const char *text;
  char *end = NULL;
  double number;

  if (_cs_json_get_double (object, member, value))
    return TRUE;
  text = _cs_json_get_string (object, member);
  if (text == NULL || *text == '\0')
    return FALSE;
  number = g_ascii_strtod (text, &end);
  if (end == NULL || *end != '\0' || end == text || !isfinite (number))
    return FALSE;
  *value = number;
  return TRUE;
}

gboolean
_cs_json_get_boolean (JsonObject *object,
                      const char *member,
                      gboolean   *value)
{
  JsonNode *node = get_value_node (object, member, G_TYPE_BOOLEAN);

  if (node == NULL)
    return FALSE;
  *value = json_node_get_boolean (node);
  return TRUE;
}

JsonObject *
_cs_json_get_object (JsonObject *object,
                     const char *member)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, member))
    return NULL;
  node = json_object_get_member (object, member);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
_cs_json_get_array (JsonObject *object,
                    const char *member)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, member))
    return NULL;
  node = json_object_get_member (object, member);
  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* Task ids are UUID strings on CapSolver and integers on the services
 * that share its protocol: both become a string. */
char *
_cs_json_get_id (JsonObject *object,
                 const char *member)
{
  const char *text = _cs_json_get_string (object, member);
  gint64 number;

  if (text != NULL)
    return *text != '\0' ? g_strdup (text) : NULL;
  if (_cs_json_get_int (object, member, &number))
    return g_strdup_printf ("%" G_GINT64_FORMAT, number);
  return NULL;
}

/* A JSON scalar as text: strings as they are, integers written out;
 * NULL for anything else. */
char *
_cs_json_dup_scalar (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  return NULL;
}

static gboolean node_is_utf8 (JsonNode *node);

static gboolean
array_is_utf8 (JsonArray *array)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!node_is_utf8 (json_array_get_element (array, i)))
      return FALSE;
  return TRUE;
}

static gboolean
node_is_utf8 (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return _cs_json_find_invalid_utf8 (json_node_get_object (node)) == NULL;
    case JSON_NODE_ARRAY:
      return array_is_utf8 (json_node_get_array (node));
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) != G_TYPE_STRING ||
             g_utf8_validate (json_node_get_string (node), -1, NULL);
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

/* json-glib writes strings byte for byte: a member whose name or text is
 * not UTF-8 would make the request invalid JSON. Returns the first such
 * member of @object (its name, which may itself be the invalid text), or
 * NULL when all is well. */
const char *
_cs_json_find_invalid_utf8 (JsonObject *object)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &node))
    if (!g_utf8_validate (name, -1, NULL) || !node_is_utf8 (node))
      return name;
  return NULL;
}
