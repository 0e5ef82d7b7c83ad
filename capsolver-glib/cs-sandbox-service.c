/* cs-sandbox-service.c: the CapSolver service the sandbox plays
 *
 * Keys and balances, tasks and their lifecycle, and the four methods of
 * the protocol, each taking the request's JSON and giving an HTTP status
 * and a reply. The HTTP side (cs-sandbox.c) holds the sandbox's lock
 * around every call, so nothing here locks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-sandbox-private.h"

/* getTaskResult answers this many polls of a task; the next loses it */
#define MAX_POLLS_PER_TASK 120
#define MICRO_USD          1000000.0
/* a balance above this would not fit in millionths of a USD */
#define MAX_BALANCE        1e12

typedef enum {
  TASK_PENDING,
  TASK_READY,
  TASK_FAILED,
} TaskState;

typedef struct {
  char       *id;
  char       *api_key;
  gint64      created;              /* monotonic µs */
  guint       polls;
  gint64      price;                /* millionths of a USD */
  TaskState   state;
  JsonObject *solution;
  /* a scripted outcome for the ready poll, then the failure itself */
  char       *error_code;
  char       *error_description;
} SandboxTask;

static void
sandbox_task_free (SandboxTask *task)
{
  g_free (task->id);
  g_free (task->api_key);
  g_clear_pointer (&task->solution, json_object_unref);
  g_free (task->error_code);
  g_free (task->error_description);
  g_free (task);
}

CsSandboxService *
_cs_sandbox_service_new (void)
{
  CsSandboxService *service = g_new0 (CsSandboxService, 1);

  service->balances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  service->tasks = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) sandbox_task_free);
  g_queue_init (&service->scripted_failures);
  return service;
}

void
_cs_sandbox_service_free (CsSandboxService *service)
{
  g_hash_table_unref (service->balances);
  g_hash_table_unref (service->tasks);
  g_queue_clear_full (&service->scripted_failures, g_free);
  g_free (service);
}

/* --- Keys and balances ---------------------------------------------------------- */

void
_cs_sandbox_service_set_balance (CsSandboxService *service,
                                 const char       *api_key,
                                 double            balance)
{
  gint64 *units = g_new (gint64, 1);

  if (!(balance >= 0.0))
    balance = 0.0;   /* and NaN */
  *units = (gint64) (MIN (balance, MAX_BALANCE) * MICRO_USD + 0.5);
  g_hash_table_replace (service->balances, g_strdup (api_key), units);
}

double
_cs_sandbox_service_get_balance (CsSandboxService *service,
                                 const char       *api_key)
{
  gint64 *units = g_hash_table_lookup (service->balances, api_key);

  return units != NULL ? *units / MICRO_USD : -1.0;
}

void
_cs_sandbox_service_fail_next (CsSandboxService *service,
                               const char       *error_code)
{
  if (error_code == NULL)
    g_queue_clear_full (&service->scripted_failures, g_free);
  else
    g_queue_push_tail (&service->scripted_failures, g_strdup (error_code));
}

/* What a solved task of @type_name costs, or 0 for a type the sandbox
 * does not know. */
gint64
_cs_sandbox_service_get_price (const char *type_name)
{
  const CsTaskFamily *family = _cs_task_family_lookup (type_name, NULL);

  if (family == NULL)
    return 0;
  return family->synchronous ? CS_SANDBOX_RECOGNITION_PRICE : CS_SANDBOX_TOKEN_PRICE;
}

/* Takes from the balance of @api_key; FALSE if it does not cover @price. */
static gboolean
charge (CsSandboxService *service,
        const char       *api_key,
        gint64            price)
{
  gint64 *balance = g_hash_table_lookup (service->balances, api_key);

  if (balance == NULL || *balance < price)
    return FALSE;
  *balance -= price;
  return TRUE;
}

/* --- Replies ------------------------------------------------------------------------ */

static JsonObject *
new_reply (void)
{
  JsonObject *reply = json_object_new ();

  json_object_set_int_member (reply, "errorId", 0);
  json_object_set_string_member (reply, "errorCode", "");
  json_object_set_string_member (reply, "errorDescription", "");
  return reply;
}

static gboolean
is_key_error (const char *code)
{
  return g_strcmp0 (code, "ERROR_KEY_DENIED_ACCESS") == 0 ||
         g_strcmp0 (code, "ERROR_KEY_DOES_NOT_EXIST") == 0;
}

guint
_cs_sandbox_error_reply (const char  *code,
                         const char  *description,
                         JsonObject **reply)
{
  JsonObject *body = json_object_new ();

  json_object_set_int_member (body, "errorId", 1);
  json_object_set_string_member (body, "errorCode", code);
  json_object_set_string_member (body, "errorDescription", description);
  *reply = body;
  return is_key_error (code) ? SOUP_STATUS_UNAUTHORIZED : SOUP_STATUS_BAD_REQUEST;
}

/* An error reply from a CS_ERROR error; a message that starts with its
 * code (as _cs_task_family_validate() writes them) loses the prefix. */
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

/* Replies for a failed task carry its id and the "failed" status, which
 * third-party clients look for. */
static guint
task_error_reply (SandboxTask  *task,
                  JsonObject  **reply)
{
  guint status = _cs_sandbox_error_reply (task->error_code, task->error_description, reply);

  json_object_set_string_member (*reply, "taskId", task->id);
  json_object_set_string_member (*reply, "status", "failed");
  return status;
}

/* --- Reading requests ------------------------------------------------------------- */

/* The name of a member of the envelope. Some SDKs send "ClientKey" or
 * "TaskId" and the service takes them, so case does not matter. */
static const char *
find_member_name (JsonObject *object,
                  const char *name)
{
  g_autoptr(GList) members = NULL;

  if (json_object_has_member (object, name))
    return name;
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    if (g_ascii_strcasecmp (l->data, name) == 0)
      return l->data;
  return NULL;
}

static const char *
request_string (JsonObject *request,
                const char *name)
{
  const char *member = find_member_name (request, name);
  const char *value = member != NULL ? _cs_json_get_string (request, member) : NULL;

  return value != NULL && *value != '\0' ? value : NULL;
}

/* The API key of a request, or NULL with an error reply. */
static const char *
authorize (CsSandboxService  *service,
           JsonObject        *request,
           JsonObject       **reply,
           guint             *status)
{
  const char *api_key = request_string (request, "clientKey");

  if (api_key != NULL && g_hash_table_contains (service->balances, api_key))
    return api_key;

  if (api_key == NULL)
    {
      *status = _cs_sandbox_error_reply ("ERROR_KEY_DENIED_ACCESS", "clientKey is missing", reply);
      return NULL;
    }
  /* the service repeats the key it refused; the sandbox never does, so
   * that no test or log of it can carry a key */
  *status = _cs_sandbox_error_reply ("ERROR_KEY_DENIED_ACCESS",
                                     "Your api key is invalid or balance is insufficient",
                                     reply);
  return NULL;
}

static gboolean
task_expired (CsSandboxService *service,
              SandboxTask      *task)
{
  return g_get_monotonic_time () - task->created >= (gint64) service->task_lifetime * G_USEC_PER_SEC;
}

static void
remove_expired_tasks (CsSandboxService *service)
{
  GHashTableIter iter;
  SandboxTask *task;

  g_hash_table_iter_init (&iter, service->tasks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &task))
    if (task_expired (service, task))
      g_hash_table_iter_remove (&iter);
}

/* The task a request names, or NULL with an error reply: tasks of other
 * keys and expired tasks do not exist. */
static SandboxTask *
find_task (CsSandboxService  *service,
           JsonObject        *request,
           const char        *api_key,
           JsonObject       **reply,
           guint             *status)
{
  const char *member = find_member_name (request, "taskId");
  g_autofree char *task_id = member != NULL ? _cs_json_get_id (request, member) : NULL;
  SandboxTask *task = task_id != NULL ? g_hash_table_lookup (service->tasks, task_id) : NULL;

  if (task != NULL && task_expired (service, task))
    {
      g_hash_table_remove (service->tasks, task_id);
      task = NULL;
    }
  if (task != NULL && strcmp (task->api_key, api_key) == 0)
    return task;

  *status = _cs_sandbox_error_reply ("ERROR_TASKID_INVALID",
                                     task_id == NULL ? "taskId is missing"
                                                     : "Task ID does not exist or is invalid",
                                     reply);
  return NULL;
}

/* --- Scripted outcomes ---------------------------------------------------------------- */

static const struct {
  const char *code;
  const char *description;
} scripted_descriptions[] = {
  { "ERROR_SERVICE_UNAVALIABLE", "service is temporarily unavailable, server under high load" },
  { "ERROR_RATE_LIMIT", "the request rate limit of your package was exceeded" },
  { "ERROR_INVALID_TASK_DATA", "invalid task data" },
  { "ERROR_BAD_REQUEST", "request error, contact support if it persists" },
  { "ERROR_TASKID_INVALID", "Task ID does not exist or is invalid" },
  { "ERROR_TASK_TIMEOUT", "the task was not solved within 120 seconds" },
  { "ERROR_SETTLEMENT_FAILED", "settlement of the task failed, check your balance" },
  { "ERROR_KEY_DENIED_ACCESS", "wrong account key" },
  { "ERROR_ZERO_BALANCE", "insufficient account balance" },
  { "ERROR_TASK_NOT_SUPPORTED", "the task type is wrong or not supported" },
  { "ERROR_CAPTCHA_UNSOLVABLE", "captcha not recognized, not charged, please try again" },
  { "ERROR_UNKNOWN_QUESTION", "unknown question id" },
  { "ERROR_PROXY_BANNED", "the proxy IP is banned by the target service" },
  { "ERROR_INVALID_IMAGE", "the image size does not meet the requirements" },
  { "ERROR_PARSE_IMAGE_FAIL", "the image could not be parsed, check its base64" },
  { "ERROR_IP_BANNED", "this IP is blocked for 10 minutes after too many errors" },
  { "ERROR_KEY_TEMP_BLOCKED", "the key is blocked for 5 minutes after too many errors" },
};

static char *
scripted_description (const char *code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (scripted_descriptions); i++)
    if (strcmp (scripted_descriptions[i].code, code) == 0)
      return g_strconcat (scripted_descriptions[i].description, " (scripted by the sandbox)",
                          NULL);
  return g_strdup ("scripted by the sandbox");
}

static gboolean
is_error_code (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isupper (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

/* The code of the reserved URL in a string member of @task, or NULL. */
static char *
reserved_url_code (JsonObject *task)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init (&iter, task);
  while (json_object_iter_next (&iter, &name, &node))
    {
      const char *value = JSON_NODE_HOLDS_VALUE (node) &&
                          json_node_get_value_type (node) == G_TYPE_STRING
                          ? json_node_get_string (node) : NULL;
      g_autofree char *code = NULL;

      if (value == NULL || !g_str_has_prefix (value, CS_SANDBOX_ERROR_URL_PREFIX))
        continue;
      value += strlen (CS_SANDBOX_ERROR_URL_PREFIX);
      code = g_strndup (value, strcspn (value, "/?#"));
      if (is_error_code (code))
        return g_steal_pointer (&code);
    }
  return NULL;
}

/* The outcome scripted for a new task: the reserved URL first, then the
 * queue of cs_sandbox_fail_next_task(). */
static char *
take_scripted_code (CsSandboxService *service,
                    JsonObject       *task)
{
  char *code = reserved_url_code (task);

  if (code != NULL)
    return code;
  return g_queue_pop_head (&service->scripted_failures);
}

/* Codes that end a solving attempt (retry class "new task", and codes the
 * library does not know) come at the ready poll of a token task; the
 * others refuse createTask itself, as the service does. */
static gboolean
fails_at_creation (const CsTaskFamily *family,
                   const char         *code)
{
  CsError error = cs_error_from_code (code);

  if (family->synchronous)
    return TRUE;
  if (error == CS_ERROR_FAILED)
    return FALSE;
  return cs_error_code_get_retry_class (error) != CS_RETRY_CLASS_NEW_TASK;
}

/* --- createTask ----------------------------------------------------------------------- */

static gboolean
is_port_number (JsonNode *node)
{
  guint64 port = 0;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    port = json_node_get_int (node) > 0 ? json_node_get_int (node) : 0;
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
           !g_ascii_string_to_unsigned (json_node_get_string (node), 10, 1, 65535, &port, NULL))
    return FALSE;
  return port >= 1 && port <= 65535;
}

/* The proxy members, when given, must be readable: a port may come as a
 * number or as a string of digits. */
static gboolean
check_proxy (JsonObject  *task,
             GError     **error)
{
  static const char * const schemes[] = { "http", "https", "socks4", "socks5", NULL };
  const char *text = _cs_json_get_string (task, "proxy");
  const char *scheme = _cs_json_get_string (task, "proxyType");
  JsonNode *port = _cs_task_field_lookup (task, "proxyPort");

  if (text != NULL && *text != '\0')
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(CsProxy) proxy = cs_proxy_new_from_string (text, &local_error);

      if (proxy == NULL)
        {
          g_set_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA,
                       "field proxy cannot be read: %s", local_error->message);
          return FALSE;
        }
    }
  if (port != NULL && !JSON_NODE_HOLDS_NULL (port) && !is_port_number (port))
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA,
                           "field proxyPort is not a port number");
      return FALSE;
    }
  if (scheme != NULL && *scheme != '\0')
    {
      g_autofree char *lower = g_ascii_strdown (scheme, -1);

      if (!g_strv_contains (schemes, lower))
        {
          g_set_error_literal (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA,
                               "field proxyType must be http, https, socks4 or socks5");
          return FALSE;
        }
    }
  return TRUE;
}

/* The family of a valid task, or NULL with @error set. */
static const CsTaskFamily *
check_task (JsonObject  *task,
            GError     **error)
{
  const char *type_name = _cs_json_get_string (task, "type");
  const CsTaskFamily *family;

  if (type_name == NULL || *type_name == '\0')
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA,
                           "missing required field type");
      return NULL;
    }
  family = _cs_task_family_lookup (type_name, NULL);
  if (family == NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_TASK_NOT_SUPPORTED,
                   "unsupported captcha type, please check if the type is correct: %s",
                   type_name);
      return NULL;
    }
  if (!_cs_task_family_validate (type_name, task, error) ||
      !check_proxy (task, error) ||
      !_cs_sandbox_check_images (family, task, error))
    return NULL;
  return family;
}

static SandboxTask *
add_task (CsSandboxService *service,
          const char       *api_key,
          gint64            price,
          JsonObject       *solution)
{
  SandboxTask *task = g_new0 (SandboxTask, 1);

  task->id = g_uuid_string_random ();
  task->api_key = g_strdup (api_key);
  task->created = g_get_monotonic_time ();
  task->price = price;
  task->solution = json_object_ref (solution);
  g_hash_table_insert (service->tasks, task->id, task);
  return task;
}

static guint
handle_create_task (CsSandboxService  *service,
                    const char        *api_key,
                    JsonObject        *request,
                    JsonObject       **reply)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) solution = NULL;
  g_autofree char *code = NULL;
  const char *member;
  const CsTaskFamily *family;
  JsonObject *task_json;
  SandboxTask *task;
  gint64 price;

  remove_expired_tasks (service);

  member = find_member_name (request, "task");
  task_json = member != NULL ? _cs_json_get_object (request, member) : NULL;
  if (task_json == NULL)
    return _cs_sandbox_error_reply ("ERROR_INVALID_TASK_DATA", "missing required field task",
                                    reply);
  family = check_task (task_json, &error);
  if (family != NULL)
    solution = _cs_sandbox_answer (family, task_json, g_get_real_time () / 1000, &error);
  if (solution == NULL)
    return gerror_reply (error, reply);

  code = take_scripted_code (service, task_json);
  if (code != NULL && fails_at_creation (family, code))
    {
      g_autofree char *description = scripted_description (code);

      return _cs_sandbox_error_reply (code, description, reply);
    }

  price = family->synchronous ? CS_SANDBOX_RECOGNITION_PRICE : CS_SANDBOX_TOKEN_PRICE;
  if (*(gint64 *) g_hash_table_lookup (service->balances, api_key) < price)
    return _cs_sandbox_error_reply ("ERROR_ZERO_BALANCE", "insufficient account balance", reply);

  task = add_task (service, api_key, price, solution);
  *reply = new_reply ();
  if (family->synchronous)
    {
      charge (service, api_key, price);
      task->state = TASK_READY;
      json_object_set_string_member (*reply, "status", "ready");
      json_object_set_object_member (*reply, "solution", json_object_ref (solution));
    }
  else
    {
      task->error_code = g_steal_pointer (&code);
      if (task->error_code != NULL)
        task->error_description = scripted_description (task->error_code);
      json_object_set_string_member (*reply, "status", "idle");
    }
  json_object_set_string_member (*reply, "taskId", task->id);
  return SOUP_STATUS_OK;
}

/* --- getTaskResult -------------------------------------------------------------------- */

static gboolean
ready_time_passed (CsSandboxService *service,
                   SandboxTask      *task)
{
  return task->polls > service->polls_until_ready &&
         g_get_monotonic_time () - task->created >= (gint64) service->ready_delay * 1000;
}

/* Moves a pending task on when its time has come: to its scripted
 * failure, or to ready, paid for by its key. */
static void
advance_task (CsSandboxService *service,
              SandboxTask      *task)
{
  if (task->state != TASK_PENDING || !ready_time_passed (service, task))
    return;

  if (task->error_code == NULL && !charge (service, task->api_key, task->price))
    {
      task->error_code = g_strdup ("ERROR_SETTLEMENT_FAILED");
      task->error_description = g_strdup ("the balance no longer covers the task");
    }
  task->state = task->error_code != NULL ? TASK_FAILED : TASK_READY;
}

static guint
handle_get_task_result (CsSandboxService  *service,
                        const char        *api_key,
                        JsonObject        *request,
                        JsonObject       **reply)
{
  SandboxTask *task;
  guint status = 0;

  task = find_task (service, request, api_key, reply, &status);
  if (task == NULL)
    return status;

  if (++task->polls > MAX_POLLS_PER_TASK)
    {
      g_hash_table_remove (service->tasks, task->id);
      return _cs_sandbox_error_reply ("ERROR_TASKID_INVALID",
                                      "the task was polled more than 120 times; "
                                      "its result is lost", reply);
    }

  advance_task (service, task);
  if (task->state == TASK_FAILED)
    return task_error_reply (task, reply);

  *reply = new_reply ();
  json_object_set_string_member (*reply, "taskId", task->id);
  if (task->state == TASK_READY)
    {
      json_object_set_string_member (*reply, "status", "ready");
      json_object_set_object_member (*reply, "solution", json_object_ref (task->solution));
    }
  else
    json_object_set_string_member (*reply, "status", "processing");
  return SOUP_STATUS_OK;
}

/* --- getBalance and feedbackTask ------------------------------------------------------ */

static guint
handle_get_balance (CsSandboxService  *service,
                    const char        *api_key,
                    JsonObject        *request,
                    JsonObject       **reply)
{
  *reply = new_reply ();
  json_object_set_double_member (*reply, "balance",
                                 _cs_sandbox_service_get_balance (service, api_key));
  json_object_set_array_member (*reply, "packages", json_array_new ());
  return SOUP_STATUS_OK;
}

static guint
handle_feedback_task (CsSandboxService  *service,
                      const char        *api_key,
                      JsonObject        *request,
                      JsonObject       **reply)
{
  const char *member;
  JsonObject *result;
  gboolean invalid;
  guint status = 0;

  if (find_task (service, request, api_key, reply, &status) == NULL)
    return status;

  member = find_member_name (request, "result");
  result = member != NULL ? _cs_json_get_object (request, member) : NULL;
  if (!_cs_json_get_boolean (result, "invalid", &invalid))
    return _cs_sandbox_error_reply ("ERROR_INVALID_TASK_DATA",
                                    "missing required field result.invalid", reply);

  *reply = new_reply ();
  json_object_set_string_member (*reply, "message", "okay");
  return SOUP_STATUS_OK;
}

/* --- Methods ------------------------------------------------------------------------------ */

typedef guint (*MethodFunc) (CsSandboxService  *service,
                             const char        *api_key,
                             JsonObject        *request,
                             JsonObject       **reply);

static const struct {
  const char *name;
  MethodFunc  func;
} methods[] = {
  { "createTask", handle_create_task },
  { "getTaskResult", handle_get_task_result },
  { "getBalance", handle_get_balance },
  { "feedbackTask", handle_feedback_task },
};

const char *
_cs_sandbox_service_lookup_method (const char *path)
{
  gsize length;

  if (path[0] == '/')
    path++;
  length = strlen (path);
  if (length > 0 && path[length - 1] == '/')
    length--;

  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    if (strlen (methods[i].name) == length && strncmp (methods[i].name, path, length) == 0)
      return methods[i].name;
  return NULL;
}

/* Every method needs a key the service knows. */
guint
_cs_sandbox_service_call (CsSandboxService  *service,
                          const char        *method,
                          JsonObject        *request,
                          JsonObject       **reply)
{
  const char *api_key;
  guint status = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      if (strcmp (methods[i].name, method) != 0)
        continue;
      api_key = authorize (service, request, reply, &status);
      if (api_key == NULL)
        return status;
      return methods[i].func (service, api_key, request, reply);
    }
  return _cs_sandbox_error_reply ("ERROR_PAGE_NOT_FOUND", "no such method", reply);
}
