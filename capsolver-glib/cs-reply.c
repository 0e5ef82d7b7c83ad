/* cs-reply.c: the one place where a reply of the service is read
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

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

static gboolean
is_error_envelope (JsonObject *root)
{
  const char *code = _cs_json_get_string (root, "errorCode");
  gint64 error_id = 0;

  if (_cs_json_get_int (root, "errorId", &error_id))
    return error_id != 0;
  /* no usable errorId: an errorCode alone still names an error */
  return code != NULL && *code != '\0';
}

/* Reads the envelope of every reply, whatever its HTTP status: the service
 * answers 400 and 401 with a JSON body that names the error. A body that is
 * not the protocol (an HTML error page, nothing, garbage) is
 * CS_ERROR_PROTOCOL with the HTTP status in the message. A reply whose
 * status is "failed" is an error too; reply->status still says so. */
gboolean
_cs_reply_parse (CsReply     *reply,
                 guint        http_status,
                 GBytes      *body,
                 const char  *secret,
                 GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) parse_error = NULL;
  gconstpointer data;
  const char *status;
  gsize length = 0;

  memset (reply, 0, sizeof *reply);
  reply->http_status = http_status;

  data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  root = _cs_json_parse (data, length, &parse_error);
  if (root == NULL)
    {
      /* json-glib quotes the token it choked on, which may be the key */
      g_autofree char *safe_message = _cs_redact (parse_error->message, secret);

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
  reply->task_id = _cs_json_get_id (reply->root, "taskId");
  reply->solution = _cs_json_get_object (reply->root, "solution");

  if (is_error_envelope (reply->root))
    {
      g_propagate_error (error,
                         _cs_error_new_from_reply (_cs_json_get_string (reply->root, "errorCode"),
                                                   _cs_json_get_string (reply->root, "errorDescription"),
                                                   secret));
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
      g_propagate_error (error, _cs_error_new_from_reply (code, description, secret));
      return FALSE;
    }

  return TRUE;
}
