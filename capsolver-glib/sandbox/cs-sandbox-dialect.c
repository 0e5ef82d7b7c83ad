/* cs-sandbox-dialect.c: the sandbox in another provider's dialect
 *
 * The service (cs-sandbox-service.c) speaks CapSolver's dialect. For
 * another provider, each request is read into CapSolver's form with the
 * dialect layer (cs-dialect.c), checked against that provider's own rules
 * (its type names, proxy encoding, image sizes), answered by the service
 * with its validation, answers and time model unchanged, and the reply is
 * written back as the provider writes it: its codes and errorIds, numeric
 * task ids, the result fields it adds, HTTP 200 for every reply. The
 * report methods are the dialect's rows, with their rules (one report per
 * task, the provider's window) as the client side applies them.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-sandbox-private.h"

/* How a provider writes what the dialect rows do not say: the fields a
 * ready result and a balance carry, and their JSON types as the provider
 * sends them (which are not always what its pages say). */
typedef struct {
  CsProvider  provider;
  gboolean    extras;          /* cost, ip, createTime, endTime, solveCount */
  int         cost_digits;     /* cost as text with these decimals */
  gboolean    count_as_text;   /* solveCount as text ("0") */
  gboolean    credits;         /* captchaCredits beside the balance */
  gboolean    null_codes;      /* errorCode and errorDescription null without an error */
} ReplyForm;

static const ReplyForm reply_forms[] = {
  { CS_PROVIDER_ANTI_CAPTCHA, TRUE, 6, TRUE, TRUE, FALSE },
  { CS_PROVIDER_TWOCAPTCHA, TRUE, 5, FALSE, FALSE, FALSE },
  { CS_PROVIDER_CAPMONSTER, FALSE, 0, FALSE, FALSE, TRUE },
};

static const ReplyForm plain_form = { CS_PROVIDER_COMPATIBLE, FALSE, 0, FALSE, FALSE, FALSE };

/* Where the sandbox's tasks come from: the only address it listens on. */
#define SANDBOX_CLIENT_IP "127.0.0.1"

/* The methods every dialect has; the reports are the dialect's rows. */
static const char * const common_methods[] = { "createTask", "getTaskResult", "getBalance", NULL };

static const ReplyForm *
form_of (const CsDialect *dialect)
{
  for (gsize i = 0; i < G_N_ELEMENTS (reply_forms); i++)
    if (reply_forms[i].provider == _cs_dialect_get_provider (dialect))
      return &reply_forms[i];
  return &plain_form;
}

const char *
_cs_sandbox_dialect_lookup_method (const CsDialect *dialect,
                                   const char      *path)
{
  g_autofree char *name = NULL;
  gsize length;

  if (path[0] == '/')
    path++;
  length = strlen (path);
  if (length > 0 && path[length - 1] == '/')
    length--;
  name = g_strndup (path, length);
  for (guint i = 0; common_methods[i] != NULL; i++)
    if (strcmp (common_methods[i], name) == 0)
      return common_methods[i];
  return _cs_dialect_lookup_report (dialect, name, NULL);
}

/* An error reply from a CS_ERROR error, in CapSolver's words: the writer
 * puts it in the dialect's. */
static guint
gerror_reply (const GError  *error,
              JsonObject   **reply)
{
  const char *code = cs_error_to_code (error->code);
  const char *description = error->message;

  if (code == NULL)
    code = "ERROR_BAD_REQUEST";
  if (g_str_has_prefix (description, code) && g_str_has_prefix (description + strlen (code), ": "))
    description += strlen (code) + 2;
  return _cs_sandbox_error_reply (code, description, reply);
}

/* A member of the envelope as text, its name matched without regard to
 * case as the service matches it ("TaskId"); NULL if none. */
static char *
member_id (JsonObject *request,
           const char *name)
{
  g_autoptr(GList) members = json_object_get_members (request);

  for (GList *l = members; l != NULL; l = l->next)
    if (g_ascii_strcasecmp (l->data, name) == 0)
      return _cs_json_get_id (request, l->data);
  return NULL;
}

/* @request without its task. */
static JsonObject *
copy_envelope (JsonObject *request)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  json_object_iter_init (&iter, request);
  while (json_object_iter_next (&iter, &member, &node))
    if (g_ascii_strcasecmp (member, "task") != 0)
      json_object_set_member (copy, member, json_node_copy (node));
  return copy;
}

/* Whether an image of @task holds fewer bytes than the provider's least:
 * every provider with a least has a code of its own for that,
 * ERROR_ZERO_CAPTCHA_FILESIZE, apart from ERROR_TOO_BIG_CAPTCHA_FILESIZE. */
static gboolean
image_too_small (const CsDialect *dialect,
                 JsonObject      *task)
{
  const CsTaskFamily *family = _cs_task_family_lookup (_cs_json_get_string (task, "type"), NULL);
  guint least = _cs_dialect_get_limits (dialect)->image_min_bytes;

  for (const CsTaskField * const *field = family != NULL ? family->fields : NULL;
       field != NULL && *field != NULL && least > 0; field++)
    {
      JsonNode *node = _cs_task_field_lookup (task, (*field)->member);
      g_autoptr(JsonArray) images = json_array_new ();

      if (((*field)->flags & CS_FIELD_IMAGE) == 0 || node == NULL)
        continue;
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          json_array_unref (images);
          images = json_array_ref (json_node_get_array (node));
        }
      else
        json_array_add_element (images, json_node_copy (node));
      for (guint i = 0; i < json_array_get_length (images); i++)
        {
          JsonNode *image = json_array_get_element (images, i);
          g_autofree guchar *bytes = NULL;
          gsize size = 0;

          if (!JSON_NODE_HOLDS_VALUE (image) ||
              json_node_get_value_type (image) != G_TYPE_STRING)
            continue;
          bytes = g_base64_decode (json_node_get_string (image), &size);
          if (size < least)
            return TRUE;
        }
    }
  return FALSE;
}

static guint
create_task (CsSandboxService  *service,
             const CsDialect   *dialect,
             JsonObject        *request,
             JsonObject       **reply)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) task = _cs_dialect_read_create_task (dialect, request, &error);
  g_autoptr(JsonObject) checked = NULL;
  g_autoptr(JsonObject) neutral = NULL;
  g_autofree char *held = NULL;
  const char *wire_name;
  guint delay_ms = 0;
  guint status;

  if (task == NULL)
    return gerror_reply (error, reply);
  /* a type this provider does not have, or one it has spelt otherwise
   * (CapSolver's "ReCaptchaV2TaskProxyLess" at Anti-Captcha): the
   * provider knows its own names only, as documented, case included */
  wire_name = _cs_json_get_string (_cs_json_get_object (request, "task"), "type");
  if (!_cs_dialect_is_own_spelling (dialect, wire_name) &&
      (_cs_dialect_family_of (dialect, wire_name, NULL, NULL, NULL) != NULL ||
       _cs_task_family_lookup (wire_name, NULL) != NULL))
    {
      g_set_error (&error, CS_ERROR, CS_ERROR_TASK_NOT_SUPPORTED,
                   "%s has no task type %s", _cs_dialect_get_name (dialect), wire_name);
      return gerror_reply (error, reply);
    }
  /* the provider's own rules: the proxy it takes, the image sizes, the
   * fields it requires; the task as the client side would write it */
  if (_cs_task_family_lookup (_cs_json_get_string (task, "type"), NULL) != NULL)
    {
      const CsDialectEnvelope envelope = { NULL, NULL, NULL, NULL };

      checked = _cs_dialect_build_create_task (dialect, task, &envelope, NULL, &error);
      if (checked == NULL && g_error_matches (error, CS_ERROR, CS_ERROR_INVALID_IMAGE) &&
          image_too_small (dialect, task))
        {
          const char *description = error->message;

          if (g_str_has_prefix (description, "ERROR_INVALID_IMAGE: "))
            description += strlen ("ERROR_INVALID_IMAGE: ");
          return _cs_sandbox_error_reply ("ERROR_ZERO_CAPTCHA_FILESIZE", description, reply);
        }
      if (checked == NULL)
        return gerror_reply (error, reply);
    }

  neutral = copy_envelope (request);
  json_object_set_object_member (neutral, "task", g_steal_pointer (&task));
  status = _cs_sandbox_service_call (service, "createTask", neutral, reply, &delay_ms, &held);
  /* the others answer with the task id alone, and a recognition task is
   * polled like any other */
  if (status == SOUP_STATUS_OK)
    {
      json_object_remove_member (*reply, "status");
      json_object_remove_member (*reply, "solution");
    }
  return status;
}

/* A report method of the dialect: the service checks the key, its limits
 * and the task as it does for feedbackTask; then the dialect's rules. */
static guint
report_task (CsSandboxService  *service,
             const CsDialect   *dialect,
             const char        *method,
             JsonObject        *request,
             JsonObject       **reply)
{
  g_autoptr(JsonObject) feedback = copy_envelope (request);
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *held = NULL;
  g_autofree char *task_id = member_id (request, "taskId");
  g_autofree char *api_key = member_id (request, "clientKey");
  const char *built = NULL;
  const CsTaskFamily *family;
  JsonObject *result = json_object_new ();
  CsSandboxTaskInfo info;
  CsDialectReport report = { 0 };
  guint delay_ms = 0;
  guint status;

  json_object_set_boolean_member (result, "invalid", TRUE);
  json_object_set_object_member (feedback, "result", result);
  status = _cs_sandbox_service_call (service, "feedbackTask", feedback, reply, &delay_ms, &held);
  if (status != SOUP_STATUS_OK)
    return status;
  g_clear_pointer (reply, json_object_unref);
  /* the service found it, the key and the id as it reads them */
  if (!_cs_sandbox_service_get_task_info (service, api_key, task_id, FALSE, &info))
    return _cs_sandbox_error_reply ("ERROR_TASKID_INVALID",
                                    "Task ID does not exist or is invalid", reply);

  family = _cs_task_family_lookup (info.type_name, NULL);
  report.client_key = api_key;
  report.task_id = task_id;
  report.family = family != NULL ? family->name : NULL;
  _cs_dialect_lookup_report (dialect, method, &report.correct);
  report.reports_sent = info.reports;
  report.since_solved_s = info.finished != 0
                          ? (g_get_real_time () - info.finished) / G_USEC_PER_SEC : -1;
  if (!info.ready)
    g_set_error (&error, CS_ERROR, CS_ERROR_TASKID_INVALID,
                 "task %s has no solution to report", task_id);
  else
    body = _cs_dialect_build_report (dialect, &report, &built, &error);
  /* a method for other types: the provider knows no such task there */
  if ((body == NULL && g_error_matches (error, CS_ERROR, CS_ERROR_PAGE_NOT_FOUND)) ||
      (body != NULL && g_strcmp0 (built, method) != 0))
    {
      g_clear_error (&error);
      g_set_error (&error, CS_ERROR, CS_ERROR_TASKID_INVALID,
                   "%s takes no %s task (task %s)", method,
                   report.family != NULL ? report.family : info.type_name, task_id);
    }
  if (error != NULL)
    return gerror_reply (error, reply);

  _cs_sandbox_service_get_task_info (service, api_key, task_id, TRUE, &info);
  *reply = json_object_new ();
  json_object_set_int_member (*reply, "errorId", 0);
  json_object_set_string_member (*reply, "status", "success");
  return SOUP_STATUS_OK;
}

guint
_cs_sandbox_dialect_call (CsSandboxService  *service,
                          const CsDialect   *dialect,
                          const char        *method,
                          JsonObject        *request,
                          JsonObject       **reply,
                          guint             *delay_ms,
                          char             **held)
{
  guint status;

  *delay_ms = 0;
  *held = NULL;
  if (strcmp (method, "createTask") == 0)
    status = create_task (service, dialect, request, reply);
  else if (_cs_dialect_lookup_report (dialect, method, NULL) != NULL)
    status = report_task (service, dialect, method, request, reply);
  else if (g_strv_contains (common_methods, method))
    status = _cs_sandbox_service_call (service, method, request, reply, delay_ms, held);
  else
    /* getToken and feedbackTask are CapSolver's */
    status = _cs_sandbox_error_reply ("ERROR_PAGE_NOT_FOUND", "no such method", reply);
  return _cs_sandbox_dialect_write (service, dialect, method, status, reply);
}

/* The fields a ready result of the provider carries beside the solution. */
static void
add_extras (CsSandboxService *service,
            const ReplyForm  *form,
            const char       *task_id,
            JsonObject       *reply)
{
  char cost[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *format = g_strdup_printf ("%%.%df", form->cost_digits);
  CsSandboxTaskInfo info;

  if (!_cs_sandbox_service_get_task_info (service, NULL, task_id, FALSE, &info) || !info.ready)
    return;
  g_ascii_formatd (cost, sizeof cost, format, info.price / 1000000.0);
  json_object_set_string_member (reply, "cost", cost);
  json_object_set_string_member (reply, "ip", SANDBOX_CLIENT_IP);
  json_object_set_int_member (reply, "createTime", info.created / G_USEC_PER_SEC);
  json_object_set_int_member (reply, "endTime", info.finished / G_USEC_PER_SEC);
  /* one worker solved it */
  if (form->count_as_text)
    json_object_set_string_member (reply, "solveCount", "1");
  else
    json_object_set_int_member (reply, "solveCount", 1);
}

guint
_cs_sandbox_dialect_write (CsSandboxService  *service,
                           const CsDialect   *dialect,
                           const char        *method,
                           guint              status,
                           JsonObject       **reply)
{
  const ReplyForm *form = form_of (dialect);
  JsonObject *written = _cs_dialect_write_reply (dialect, *reply);
  gint64 error_id = 0;

  _cs_json_get_int (written, "errorId", &error_id);
  if (error_id == 0 && g_strcmp0 (method, "getTaskResult") == 0 && form->extras &&
      g_strcmp0 (_cs_json_get_string (written, "status"), "ready") == 0)
    add_extras (service, form, _cs_json_get_string (*reply, "taskId"), written);
  if (error_id == 0 && g_strcmp0 (method, "getBalance") == 0)
    {
      json_object_remove_member (written, "packages");
      if (form->credits)
        json_object_set_int_member (written, "captchaCredits", 0);
    }
  if (error_id == 0 && form->null_codes)
    {
      json_object_set_null_member (written, "errorCode");
      json_object_set_null_member (written, "errorDescription");
    }
  json_object_unref (*reply);
  *reply = written;
  /* "the status code is always 200": the error is in the body */
  return status == SOUP_STATUS_METHOD_NOT_ALLOWED ? status : SOUP_STATUS_OK;
}
