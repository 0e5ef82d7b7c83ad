/* cs-reply.c: the one place where a reply of the service is read
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <libsoup/soup.h>

#include "cs-private.h"

void
_cs_reply_clear (CsReply *reply)
{
  g_clear_pointer (&reply->root, json_object_unref);
  g_clear_pointer (&reply->task_id, g_free);
  reply->has_status = FALSE;
  reply->status = CS_TASK_STATUS_NEW;
  reply->solution = NULL;
  reply->http_status = 0;
  reply->has_cost = FALSE;
  reply->cost = 0;
}

/* `cost` in USD, as Anti-Captcha-style services report it: a number, or
 * a number written as a string ("0.000700"). Anything else says nothing. */
static void
read_cost (CsReply *reply)
{
  double cost = 0;

  if (!_cs_json_get_number (reply->root, "cost", &cost) || !isfinite (cost) || cost < 0 ||
      cost > 1e6)
    return;
  reply->has_cost = TRUE;
  reply->cost = (gint64) (cost * 1e6 + 0.5);
}

/* The status words of the service. "new" is the client's own word for a
 * task not sent yet: the service never sends it. */
static const struct {
  CsTaskStatus status;
  const char  *text;
} status_words[] = {
  { CS_TASK_STATUS_IDLE,       "idle" },
  { CS_TASK_STATUS_PROCESSING, "processing" },
  { CS_TASK_STATUS_READY,      "ready" },
  { CS_TASK_STATUS_FAILED,     "failed" },
};

/* Reads a status the service sent, without regard to case. Unknown ones
 * are pending (the service has added one before). */
static CsTaskStatus
status_from_word (const char *word)
{
  if (word == NULL)
    return CS_TASK_STATUS_PROCESSING;
  for (gsize i = 0; i < G_N_ELEMENTS (status_words); i++)
    if (g_ascii_strcasecmp (status_words[i].text, word) == 0)
      return status_words[i].status;
  return CS_TASK_STATUS_PROCESSING;
}

/* The word a reply carries for a status, as the sandbox writes it; NULL
 * for CS_TASK_STATUS_NEW, which is never sent. */
const char *
_cs_reply_status_to_string (CsTaskStatus status)
{
  for (gsize i = 0; i < G_N_ELEMENTS (status_words); i++)
    if (status_words[i].status == status)
      return status_words[i].text;
  return NULL;
}

typedef enum {
  ERROR_ID_ABSENT,
  ERROR_ID_ZERO,
  ERROR_ID_SET,
  ERROR_ID_UNREADABLE,
} ErrorId;

/* errorId as the service means it: a number, or the same number or a
 * boolean written otherwise ("1", true). Anything else is unreadable, and
 * never taken for success: null included, which says nothing. */
static ErrorId
read_error_id (JsonObject *root)
{
  gint64 number = 0;
  gboolean flag = FALSE;
  const char *text;

  if (!json_object_has_member (root, "errorId"))
    return ERROR_ID_ABSENT;
  if (_cs_json_get_int (root, "errorId", &number))
    return number != 0 ? ERROR_ID_SET : ERROR_ID_ZERO;
  if (_cs_json_get_boolean (root, "errorId", &flag))
    return flag ? ERROR_ID_SET : ERROR_ID_ZERO;
  text = _cs_json_get_string (root, "errorId");
  if (text != NULL && *text != '\0' && strspn (text, "0123456789") == strlen (text))
    return strspn (text, "0") == strlen (text) ? ERROR_ID_ZERO : ERROR_ID_SET;
  return ERROR_ID_UNREADABLE;
}

static gboolean
is_error_envelope (JsonObject *root)
{
  const char *code = _cs_json_get_string (root, "errorCode");

  switch (read_error_id (root))
    {
    case ERROR_ID_SET:
      return TRUE;
    case ERROR_ID_ZERO:
      return FALSE;
    case ERROR_ID_ABSENT:
    case ERROR_ID_UNREADABLE:
    default:
      /* no usable errorId: an errorCode alone still names an error */
      return code != NULL && *code != '\0';
    }
}

/* Reads the envelope of every reply, whatever its HTTP status: the service
 * answers 400 and 401 with a JSON body that names the error. A body that is
 * not the protocol (an HTML error page, nothing, garbage) is
 * CS_ERROR_PROTOCOL with the HTTP status in the message. A reply whose
 * status is "failed" is an error too; reply->status still says so. */
/* Whether every number written as the value of "@member" in @data, and
 * at least one, reads @canonical: the text does not tell the top-level
 * member from a nested one of the same name, so all must agree. *@first
 * gets the first that does not, or else the first, as written. */
static gboolean
find_number_text (const char  *data,
                  gsize        length,
                  const char  *member,
                  const char  *canonical,
                  char       **first)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", member);
  const char *end = data + length;
  const char *at = data;

  gboolean found = FALSE;

  *first = NULL;
  while (at < end && (at = g_strstr_len (at, end - at, quoted)) != NULL)
    {
      const char *value;
      gsize span = 0;

      at += strlen (quoted);
      value = at;
      while (value < end && g_ascii_isspace (*value))
        value++;
      if (value >= end || *value != ':')
        continue;
      value++;
      while (value < end && g_ascii_isspace (*value))
        value++;
      while (value + span < end && strchr ("+-.eE0123456789", value[span]) != NULL &&
             value[span] != '\0')
        span++;
      if (span == 0)
        continue;
      if (span != strlen (canonical) || strncmp (value, canonical, span) != 0)
        {
          g_free (*first);
          *first = g_strndup (value, span);
          return FALSE;
        }
      if (*first == NULL)
        *first = g_strndup (value, span);
      found = TRUE;
    }
  return found;
}

/* The task id: a string as it is, a number only when json-glib read it
 * exactly. It reads an integer past G_MAXINT64 wrapped or clamped (and a
 * negative one past G_MININT64 as a positive one), so the number as
 * written must be the one read: digits from 0 to G_MAXINT64. Anything
 * else goes to @bad as written, for an error that names it. */
static char *
read_task_id (JsonObject     *root,
              gconstpointer   data,
              gsize           length,
              char          **bad)
{
  JsonNode *node = json_object_get_member (root, "taskId");
  g_autofree char *canonical = NULL;
  g_autofree char *written = NULL;
  gboolean exact;
  GType type;

  *bad = NULL;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return *json_node_get_string (node) != '\0' ? g_strdup (json_node_get_string (node)) : NULL;
  if (type == G_TYPE_INT64)
    canonical = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE)
    canonical = g_strdup_printf ("%.17g", json_node_get_double (node));
  else
    return NULL;
  /* a key written with escapes is not found: not read exactly either */
  exact = find_number_text (data, length, "taskId", canonical, &written);
  if (type == G_TYPE_INT64 && json_node_get_int (node) >= 0 && exact)
    return g_steal_pointer (&canonical);
  *bad = written != NULL ? g_steal_pointer (&written) : g_steal_pointer (&canonical);
  return NULL;
}

gboolean
_cs_reply_parse (CsReply            *reply,
                 guint               http_status,
                 GBytes             *body,
                 const char * const *secrets,
                 GError            **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) parse_error = NULL;
  gconstpointer data;
  const char *status;
  gsize length = 0;
  g_autofree char *bad_id = NULL;

  memset (reply, 0, sizeof *reply);
  reply->http_status = http_status;

  data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  root = _cs_json_parse (data, length, &parse_error);
  if (root == NULL)
    {
      /* json-glib quotes the token it choked on, which may be the key */
      g_autofree char *safe_message = _cs_redact (parse_error->message, secrets);

      g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL, "HTTP %u: %s",
                   http_status, safe_message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                   "HTTP %u: reply is JSON but not an object", http_status);
      return FALSE;
    }

  reply->root = json_object_ref (json_node_get_object (root));
  status = _cs_json_get_string (reply->root, "status");
  reply->has_status = status != NULL;
  reply->status = status_from_word (status);
  reply->task_id = read_task_id (reply->root, data, length, &bad_id);
  reply->solution = _cs_json_get_object (reply->root, "solution");
  read_cost (reply);

  if (is_error_envelope (reply->root))
    {
      const char *code = _cs_json_get_string (reply->root, "errorCode");
      const char *description = _cs_json_get_string (reply->root, "errorDescription");

      g_propagate_error (error, _cs_error_new_from_reply (code, description, secrets));
      return FALSE;
    }

  if (bad_id != NULL)
    {
      g_autofree char *safe_id = _cs_redact (bad_id, secrets);

      g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                   "HTTP %u: taskId %s is no whole number from 0 to %" G_GINT64_FORMAT
                   ", the ids this client reads exactly: the task it names, if any, "
                   "cannot be polled", http_status, safe_id, G_MAXINT64);
      return FALSE;
    }

  if (read_error_id (reply->root) == ERROR_ID_UNREADABLE)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                   "HTTP %u: errorId is neither a number nor a boolean", http_status);
      return FALSE;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (http_status))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                   "HTTP %u: reply carries no error code", http_status);
      return FALSE;
    }

  if (reply->status == CS_TASK_STATUS_FAILED)
    {
      const char *code = _cs_json_get_string (reply->root, "errorCode");
      const char *description = _cs_json_get_string (reply->root, "errorDescription");

      if (code == NULL || *code == '\0')
        code = "ERROR_TASK_FAILED";
      if (description == NULL || *description == '\0')
        description = "the service reported the task as failed";
      g_propagate_error (error, _cs_error_new_from_reply (code, description, secrets));
      return FALSE;
    }

  return TRUE;
}

/* Whether a reply that failed for its HTTP status alone still names a
 * task: an object with a task id and no error, whatever the status. The
 * service created that task, and it must not be lost. */
gboolean
_cs_reply_names_task (const CsReply *reply)
{
  ErrorId error_id;

  if (reply->root == NULL || reply->task_id == NULL)
    return FALSE;
  error_id = read_error_id (reply->root);
  return (error_id == ERROR_ID_ZERO || error_id == ERROR_ID_ABSENT) &&
         !is_error_envelope (reply->root) && reply->status != CS_TASK_STATUS_FAILED;
}

/* Whether the reply carries a taskId at all, one it could not read
 * (a number past 64 bits) included: the service may have created that
 * task. 0 and "" are no task (an error reply may carry "taskId": 0). */
gboolean
_cs_reply_mentions_task (const CsReply *reply)
{
  JsonNode *node;
  gint64 number = 0;
  const char *text;

  if (reply->task_id != NULL)
    return TRUE;
  if (reply->root == NULL || !json_object_has_member (reply->root, "taskId"))
    return FALSE;
  node = json_object_get_member (reply->root, "taskId");
  if (JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  text = _cs_json_get_string (reply->root, "taskId");
  if (text != NULL)
    return *text != '\0';
  return !_cs_json_get_int (reply->root, "taskId", &number) || number != 0;
}

/* The JSON kinds a promised member of a solution must have to count;
 * members not listed count with any value but null. */
static const struct {
  const char *member;
  JsonNodeType node_type;   /* JSON_NODE_VALUE: see value_type */
  GType value_type;         /* G_TYPE_INVALID: any */
} solution_kinds[] = {
  { "gRecaptchaResponse", JSON_NODE_VALUE, G_TYPE_STRING },
  { "token", JSON_NODE_VALUE, G_TYPE_STRING },
  { "text", JSON_NODE_VALUE, G_TYPE_STRING },
  { "cookie", JSON_NODE_VALUE, G_TYPE_STRING },
  { "validate", JSON_NODE_VALUE, G_TYPE_STRING },
  { "captcha_output", JSON_NODE_VALUE, G_TYPE_STRING },
  { "hasObject", JSON_NODE_VALUE, G_TYPE_BOOLEAN },
  { "answers", JSON_NODE_ARRAY, G_TYPE_INVALID },
  { "objects", JSON_NODE_ARRAY, G_TYPE_INVALID },
  { "box", JSON_NODE_ARRAY, G_TYPE_INVALID },
  { "rects", JSON_NODE_ARRAY, G_TYPE_INVALID },
};

static gboolean
solution_member_usable (JsonObject *solution,
                        const char *member)
{
  JsonNode *node;

  if (!json_object_has_member (solution, member))
    return FALSE;
  node = json_object_get_member (solution, member);
  if (JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (solution_kinds); i++)
    {
      if (strcmp (solution_kinds[i].member, member) != 0)
        continue;
      if (json_node_get_node_type (node) != solution_kinds[i].node_type)
        return FALSE;
      if (solution_kinds[i].node_type != JSON_NODE_VALUE)
        return TRUE;
      if (json_node_get_value_type (node) != solution_kinds[i].value_type)
        return FALSE;
      /* an empty token solves nothing */
      return solution_kinds[i].value_type != G_TYPE_STRING || *json_node_get_string (node) != '\0';
    }
  return TRUE;
}

/* A "ready" reply must carry what the family of @type_name promises: at
 * least one of its solution members, of the right kind. A type the
 * library does not know accepts any solution object. */
gboolean
_cs_reply_check_solution (CsReply     *reply,
                          const char  *type_name,
                          GError     **error)
{
  const CsTaskFamily *family = _cs_task_family_lookup (type_name, NULL);
  g_autofree char *promised = NULL;

  if (reply->solution == NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                   "HTTP %u: task is ready but the reply has no solution", reply->http_status);
      return FALSE;
    }
  if (family == NULL || family->solution_fields == NULL)
    return TRUE;
  for (const char * const *member = family->solution_fields; *member != NULL; member++)
    if (solution_member_usable (reply->solution, *member))
      return TRUE;

  promised = g_strjoinv (", ", (char **) family->solution_fields);
  g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
               "HTTP %u: task is ready but its solution has none of %s, or not of the right type",
               reply->http_status, promised);
  return FALSE;
}
