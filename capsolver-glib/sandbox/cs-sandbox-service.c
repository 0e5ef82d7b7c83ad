/* cs-sandbox-service.c: the CapSolver service the sandbox plays
 *
 * Keys and balances, tasks and their lifecycle (the two time models,
 * expiry, limits), and the five methods of the protocol, each taking the
 * request's JSON and giving an HTTP status and a reply. The HTTP face
 * (cs-sandbox-http.c) and the API (cs-sandbox.c) hold the sandbox's lock
 * around every call, so nothing here locks.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-sandbox-private.h"

#define MICRO_USD          1000000.0
/* a balance above this would not fit in millionths of a USD */
#define MAX_BALANCE        1e12
/* the service gives up on a task after this long (s, scaled) */
#define TASK_TIMEOUT       120
/* the windows and penalties of the error-storm rules (s, scaled) */
#define STORM_WINDOW       60
#define KEY_BLOCK_TIME     300
#define IP_BAN_TIME        600
/* a worker takes up a task this far (1/n) into its solve time: until then
 * the task is idle */
#define PICKUP_FRACTION    10
/* a task id: a UUID in text, and its NUL */
#define TASK_ID_SIZE       37
/* after this many tasks are forgotten, their memory is worth giving back */
#define RELEASE_AFTER_TASKS 1024

typedef enum {
  TASK_PENDING,
  TASK_READY,
  TASK_FAILED,
} TaskState;

/* A task kept for 5 minutes, 100,000 at once: it is one allocation of
 * its own, and its solution one string, so that the memory goes back to
 * the system when it expires. (As a JsonObject, a solution is some thirty
 * GSlice blocks that a few survivors pin for good.) */
typedef struct {
  char           id[TASK_ID_SIZE];
  char          *api_key;           /* a GRefString, shared by the key's tasks */
  char          *type_name;         /* a GRefString */
  char          *callback_url;
  gint64         created;           /* monotonic µs */
  gint64         solve;             /* µs, scaled */
  gint64         started;           /* when a worker took it; 0: waiting */
  gint64         due;               /* when it finishes, once started */
  gint64         finish;            /* when it became ready or failed; 0: pending */
  gint64         fetched;           /* first poll at or after finish; 0: none */
  guint64        serial;
  guint          polls;
  guint          reports;           /* of a dialect's report methods */
  gint64         price;             /* millionths of a USD */
  TaskState      state;
  gboolean       synchronous;       /* answered in createTask */
  gboolean       held;              /* a getToken request waits for it */
  gboolean       timed_out;
  char          *solution;          /* the solution object, as JSON */
  /* a scripted outcome for the ready poll, then the failure itself */
  char          *error_code;
  char          *error_description;
  GList          created_link;
  GList          finished_link;     /* in service->finished or waiting */
  GQueue        *queue;             /* which of them, or NULL */
  GSequenceIter *running;
} SandboxTask;

typedef struct {
  gint64 rate_window;               /* start of the current second */
  guint  requests;
  gint64 error_window;
  guint  errors;
  gint64 blocked_until;
} KeyState;

static void
sandbox_task_free (SandboxTask *task)
{
  g_ref_string_release (task->api_key);
  g_ref_string_release (task->type_name);
  g_free (task->callback_url);
  g_free (task->solution);
  g_free (task->error_code);
  g_free (task->error_description);
  g_free (task);
}

static void
_cs_sandbox_notice_free (CsSandboxNotice *notice)
{
  g_free (notice->task_id);
  g_free (notice->callback_url);
  g_free (notice);
}

static gboolean
time_model (CsSandboxService *service)
{
  return service->time_scale >= 0.0;
}

/* @seconds of the service's time in µs: scaled, except at scale 0 where
 * the limits keep their real length (everything else is instant). */
static gint64
period (CsSandboxService *service,
        double            seconds)
{
  double scale = service->time_scale > 0.0 ? service->time_scale : 1.0;

  return (gint64) (seconds * scale * G_USEC_PER_SEC);
}

CsSandboxService *
_cs_sandbox_service_new (void)
{
  CsSandboxService *service = g_new0 (CsSandboxService, 1);

  service->balances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  service->tasks = g_hash_table_new (g_str_hash, g_str_equal);
  service->key_states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  service->running = g_sequence_new (NULL);
  service->time_scale = -1.0;
  service->epoch = g_get_monotonic_time ();
  service->id_base = 1000000000 + (guint64) g_random_int_range (0, 1000000000) * 10;
  g_queue_init (&service->scripted_failures);
  g_queue_init (&service->created);
  g_queue_init (&service->finished);
  g_queue_init (&service->waiting);
  g_queue_init (&service->notices);
  return service;
}

void
_cs_sandbox_service_free (CsSandboxService *service)
{
  g_hash_table_unref (service->balances);
  g_hash_table_unref (service->tasks);
  g_hash_table_unref (service->key_states);
  g_sequence_free (service->running);
  while (service->created.head != NULL)
    {
      SandboxTask *task = service->created.head->data;

      g_queue_unlink (&service->created, &task->created_link);
      sandbox_task_free (task);
    }
  g_queue_clear_full (&service->scripted_failures, g_free);
  g_queue_clear_full (&service->notices, (GDestroyNotify) _cs_sandbox_notice_free);
  g_free (service);
}

static double
_cs_sandbox_service_ms (CsSandboxService *service,
                        gint64            time)
{
  return (time - service->epoch) / 1000.0;
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

  return family != NULL ? _cs_task_family_price (family) : 0;
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
  json_object_set_string_member (*reply, "status",
                                 _cs_reply_status_to_string (CS_TASK_STATUS_FAILED));
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

/* --- The task store ------------------------------------------------------------- */

/* Forgets @task wherever it is. */
static void
remove_task (CsSandboxService *service,
             SandboxTask      *task)
{
  if (task->state == TASK_PENDING && time_model (service) &&
      (task->held || task->callback_url != NULL))
    service->n_awaited--;
  g_hash_table_remove (service->tasks, task->id);
  g_queue_unlink (&service->created, &task->created_link);
  if (task->running != NULL)
    g_sequence_remove (task->running);
  if (task->queue != NULL)
    g_queue_unlink (task->queue, &task->finished_link);
  sandbox_task_free (task);
  service->n_forgotten++;
}

/* In the poll-count model a task is kept task-lifetime seconds after its
 * creation; in the time model task-lifetime seconds after it finished.
 * Real seconds in both: the time scale never stretches the lifetime. */
static gboolean
task_expired (CsSandboxService *service,
              SandboxTask      *task,
              gint64            now)
{
  if (!time_model (service))
    return now - task->created >= (gint64) service->task_lifetime * G_USEC_PER_SEC;
  /* not period (): a client polling at the service's pace must still find
   * the results of a sandbox that solves faster */
  return task->finish != 0 && task->finish <= now &&
         now - task->finish >= (gint64) service->task_lifetime * G_USEC_PER_SEC;
}

/* Tasks expire in the order of their queue: only its head is looked at. */
static void
remove_expired_tasks (CsSandboxService *service,
                      gint64            now)
{
  GQueue *queue = time_model (service) ? &service->finished : &service->created;
  GList *head;

  while ((head = g_queue_peek_head_link (queue)) != NULL)
    {
      SandboxTask *task = head->data;

      if (!task_expired (service, task, now))
        break;
      remove_task (service, task);
    }
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

  if (task != NULL && task_expired (service, task, g_get_monotonic_time ()))
    {
      remove_task (service, task);
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

/* --- The time model -------------------------------------------------------------------
 *
 * Each task takes its solve time once a worker takes it; with a number of
 * workers, the tasks beyond it wait (idle) in order. Tasks are moved on
 * lazily, event by event in time order, whenever the service is asked;
 * the running ones are kept by the time they are due.
 */

static gint
compare_due (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  const SandboxTask *ta = a;
  const SandboxTask *tb = b;

  if (ta->due != tb->due)
    return ta->due < tb->due ? -1 : 1;
  return ta->serial < tb->serial ? -1 : ta->serial > tb->serial;
}

static void
enqueue (GQueue      *queue,
         SandboxTask *task)
{
  g_queue_push_tail_link (queue, &task->finished_link);
  task->queue = queue;
}

static void
dequeue (SandboxTask *task)
{
  g_queue_unlink (task->queue, &task->finished_link);
  task->queue = NULL;
}

static void
start_task (CsSandboxService *service,
            SandboxTask      *task,
            gint64            now)
{
  gint64 deadline = task->created + period (service, TASK_TIMEOUT);

  task->started = now;
  task->due = now + task->solve;
  if (task->due > deadline && task->solve > 0)
    {
      task->due = deadline;
      task->timed_out = TRUE;
    }
  task->running = g_sequence_insert_sorted (service->running, task, compare_due, NULL);
}

static void
set_failure (SandboxTask *task,
             const char  *code,
             const char  *description)
{
  g_free (task->error_code);
  g_free (task->error_description);
  task->error_code = g_strdup (code);
  task->error_description = g_strdup (description);
}

/* Ends a pending task at @now: in its scripted failure, or ready and paid
 * for by its key. */
static void
finish_task (CsSandboxService *service,
             SandboxTask      *task,
             gint64            now)
{
  if (task->timed_out)
    set_failure (task, "ERROR_TASK_TIMEOUT", "the task was not solved within 120 seconds");
  else if (task->error_code == NULL && !charge (service, task->api_key, task->price))
    set_failure (task, "ERROR_SETTLEMENT_FAILED", "the balance no longer covers the task");
  else if (service->charge_unsolvable &&
           g_strcmp0 (task->error_code, "ERROR_CAPTCHA_UNSOLVABLE") == 0)
    charge (service, task->api_key, task->price);
  task->state = task->error_code != NULL ? TASK_FAILED : TASK_READY;
  task->finish = now;

  if (!time_model (service))
    return;
  enqueue (&service->finished, task);
  if (task->held || task->callback_url != NULL)
    {
      CsSandboxNotice *notice = g_new0 (CsSandboxNotice, 1);

      service->n_awaited--;
      notice->task_id = g_strdup (task->id);
      notice->callback_url = g_strdup (task->callback_url);
      notice->held = task->held;
      g_queue_push_tail (&service->notices, notice);
    }
}

static void
start_waiting_tasks (CsSandboxService *service,
                     gint64            now)
{
  while (service->waiting.head != NULL &&
         (service->workers == 0 ||
          (guint) g_sequence_get_length (service->running) < service->workers))
    {
      SandboxTask *task = service->waiting.head->data;

      dequeue (task);
      start_task (service, task, now);
    }
}

/* Plays every event up to @now: tasks that are due finish, freeing their
 * worker for the next waiting task; waiting tasks time out. */
static void
advance (CsSandboxService *service,
         gint64            now)
{
  if (!time_model (service))
    return;

  for (;;)
    {
      GSequenceIter *first = g_sequence_get_begin_iter (service->running);
      SandboxTask *due = g_sequence_iter_is_end (first) ? NULL : g_sequence_get (first);
      SandboxTask *waiting = g_queue_peek_head (&service->waiting);
      gint64 due_time = due != NULL ? due->due : G_MAXINT64;
      gint64 timeout = waiting != NULL ? waiting->created + period (service, TASK_TIMEOUT)
                                       : G_MAXINT64;

      if (MIN (due_time, timeout) > now)
        break;
      if (timeout < due_time)
        {
          dequeue (waiting);
          waiting->timed_out = TRUE;
          finish_task (service, waiting, timeout);
          continue;
        }
      g_sequence_remove (first);
      due->running = NULL;
      finish_task (service, due, due_time);
      start_waiting_tasks (service, due_time);
    }
}

GPtrArray *
_cs_sandbox_service_advance (CsSandboxService *service)
{
  GPtrArray *notices = g_ptr_array_new_with_free_func ((GDestroyNotify) _cs_sandbox_notice_free);
  CsSandboxNotice *notice;

  advance (service, g_get_monotonic_time ());
  while ((notice = g_queue_pop_head (&service->notices)) != NULL)
    g_ptr_array_add (notices, notice);
  return notices;
}

gboolean
_cs_sandbox_service_expire (CsSandboxService *service)
{
  gint64 now = g_get_monotonic_time ();

  advance (service, now);
  remove_expired_tasks (service, now);
  if (service->n_forgotten < RELEASE_AFTER_TASKS)
    return FALSE;
  service->n_forgotten = 0;
  return TRUE;
}

gint64
_cs_sandbox_service_next_notice (CsSandboxService *service)
{
  GSequenceIter *first;
  SandboxTask *waiting;
  gint64 next = 0;

  if (!time_model (service) || service->n_awaited == 0)
    return 0;
  /* the first event, whoever waits for it: a worker it frees may start a
   * task someone waits for */
  first = g_sequence_get_begin_iter (service->running);
  if (!g_sequence_iter_is_end (first))
    next = ((SandboxTask *) g_sequence_get (first))->due;
  waiting = g_queue_peek_head (&service->waiting);
  if (waiting != NULL)
    {
      gint64 timeout = waiting->created + period (service, TASK_TIMEOUT);

      next = next == 0 ? timeout : MIN (next, timeout);
    }
  return next;
}

static CsTaskStatus
task_status_at (CsSandboxService *service,
                SandboxTask      *task,
                gint64            now)
{
  if (task->state != TASK_PENDING && task->finish > now)
    return CS_TASK_STATUS_PROCESSING;   /* a recognition task, answered once solved */
  if (task->state == TASK_READY)
    return CS_TASK_STATUS_READY;
  if (task->state == TASK_FAILED)
    return CS_TASK_STATUS_FAILED;
  if (!time_model (service))
    return CS_TASK_STATUS_PROCESSING;
  if (task->started == 0 || now < task->started + task->solve / PICKUP_FRACTION)
    return CS_TASK_STATUS_IDLE;
  return CS_TASK_STATUS_PROCESSING;
}

/* idle, processing, ready or failed, in the reply parser's words */
static const char *
task_status (CsSandboxService *service,
             SandboxTask      *task,
             gint64            now)
{
  return _cs_reply_status_to_string (task_status_at (service, task, now));
}

/* --- createTask and getToken ---------------------------------------------------------- */

static SandboxTask *
add_task (CsSandboxService   *service,
          const char         *api_key,
          const char         *type_name,
          gint64              price,
          JsonObject         *solution,
          guint               solve_ms,
          gint64              now)
{
  SandboxTask *task = g_new0 (SandboxTask, 1);
  /* a dialect that numbers tasks: digits, from a base that differs from
   * one run to the next, as the services' do */
  g_autofree char *id = service->numeric_ids
                        ? g_strdup_printf ("%" G_GUINT64_FORMAT,
                                           service->id_base + service->serial)
                        : g_uuid_string_random ();
  g_autoptr(GBytes) text = _cs_sandbox_json_to_bytes (solution);
  gsize length = 0;
  const char *data = g_bytes_get_data (text, &length);

  g_strlcpy (task->id, id, sizeof task->id);
  task->api_key = g_ref_string_new_intern (api_key);
  task->type_name = g_ref_string_new_intern (type_name);
  task->created = now;
  task->serial = service->serial++;
  task->solve = time_model (service) ? (gint64) (solve_ms * 1000.0 * service->time_scale) : 0;
  task->price = price;
  task->solution = g_strndup (data, length);
  task->created_link.data = task;
  task->finished_link.data = task;
  g_hash_table_insert (service->tasks, task->id, task);
  g_queue_push_tail_link (&service->created, &task->created_link);
  return task;
}

/* Whether the service takes one more task now, or an error reply. */
static gboolean
has_room (CsSandboxService  *service,
          JsonObject       **reply,
          guint             *status)
{
  g_autofree char *description = NULL;

  if (g_hash_table_size (service->tasks) >= service->max_tasks)
    description = g_strdup_printf ("the sandbox keeps at most %u tasks at once; "
                                   "they expire as their lifetime ends", service->max_tasks);
  else if (time_model (service) && service->workers > 0 && service->queue_limit > 0 &&
           (guint) g_sequence_get_length (service->running) >= service->workers &&
           service->waiting.length >= service->queue_limit)
    description = g_strdup_printf ("service is temporarily unavailable, server under high load "
                                   "(%u tasks wait for %u workers)",
                                   service->waiting.length, service->workers);
  if (description == NULL)
    return TRUE;
  *status = _cs_sandbox_error_reply ("ERROR_SERVICE_UNAVALIABLE", description, reply);
  return FALSE;
}

/* The task a createTask or getToken request describes, added and queued,
 * or NULL with an error reply. @token_only takes the reCAPTCHA families
 * only, as getToken does. */
static SandboxTask *
create_task (CsSandboxService  *service,
             const char        *api_key,
             JsonObject        *request,
             gboolean           token_only,
             JsonObject       **reply,
             guint             *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) solution = NULL;
  g_autofree char *code = NULL;
  gint64 now = g_get_monotonic_time ();
  const char *member;
  const CsTaskFamily *family;
  JsonObject *task_json;
  SandboxTask *task;
  gint64 price;
  guint solve_ms = 0;

  advance (service, now);
  remove_expired_tasks (service, now);

  member = find_member_name (request, "task");
  task_json = member != NULL ? _cs_json_get_object (request, member) : NULL;
  if (task_json == NULL)
    {
      *status = _cs_sandbox_error_reply ("ERROR_INVALID_TASK_DATA", "missing required field task",
                                         reply);
      return NULL;
    }
  family = check_task (task_json, &error);
  if (family != NULL && token_only &&
      !g_str_equal (family->name, "recaptcha-v2") && !g_str_equal (family->name, "recaptcha-v3"))
    g_set_error (&error, CS_ERROR, CS_ERROR_TASK_NOT_SUPPORTED,
                 "getToken only takes reCAPTCHA v2 and v3 tasks, not %s",
                 _cs_json_get_string (task_json, "type"));
  else if (family != NULL)
    solution = _cs_sandbox_answer (family, task_json, g_get_real_time () / 1000, &solve_ms,
                                   &error);
  if (solution == NULL)
    {
      *status = gerror_reply (error, reply);
      return NULL;
    }

  code = take_scripted_code (service, task_json);
  if (code != NULL && fails_at_creation (family, code))
    {
      g_autofree char *description = scripted_description (code);

      *status = _cs_sandbox_error_reply (code, description, reply);
      return NULL;
    }

  price = _cs_task_family_price (family);
  if (*(gint64 *) g_hash_table_lookup (service->balances, api_key) < price)
    {
      *status = _cs_sandbox_error_reply ("ERROR_ZERO_BALANCE", "insufficient account balance",
                                         reply);
      return NULL;
    }
  if (!has_room (service, reply, status))
    return NULL;

  task = add_task (service, api_key, _cs_json_get_string (task_json, "type"), price, solution,
                   solve_ms, now);
  member = find_member_name (request, "callbackUrl");
  if (member != NULL && request_string (request, member) != NULL)
    {
      task->callback_url = g_strdup (request_string (request, member));
      service->n_awaited += time_model (service);
    }
  task->synchronous = family->synchronous;
  if (family->synchronous)
    {
      /* answered in createTask, once solved */
      task->started = now;
      finish_task (service, task, now + task->solve);
      task->fetched = task->finish;
      return task;
    }
  task->error_code = g_steal_pointer (&code);
  if (task->error_code != NULL)
    task->error_description = scripted_description (task->error_code);
  if (time_model (service))
    {
      enqueue (&service->waiting, task);
      start_waiting_tasks (service, now);
      advance (service, now);
    }
  return task;
}

static void
set_result (SandboxTask *task,
            JsonObject  *reply)
{
  g_autoptr(JsonNode) solution = _cs_json_parse (task->solution, strlen (task->solution), NULL);

  json_object_set_string_member (reply, "status",
                                 _cs_reply_status_to_string (CS_TASK_STATUS_READY));
  /* the sandbox wrote it: it reads back */
  g_assert (solution != NULL && JSON_NODE_HOLDS_OBJECT (solution));
  json_object_set_object_member (reply, "solution",
                                 json_object_ref (json_node_get_object (solution)));
}

static guint
handle_create_task (CsSandboxService  *service,
                    const char        *api_key,
                    JsonObject        *request,
                    JsonObject       **reply,
                    guint             *delay_ms,
                    char             **held)
{
  guint status = 0;
  SandboxTask *task = create_task (service, api_key, request, FALSE, reply, &status);

  if (task == NULL)
    return status;
  *reply = new_reply ();
  /* a token task, even one solved at once, is fetched with getTaskResult */
  if (task->synchronous)
    {
      set_result (task, *reply);
      *delay_ms = (guint) ((task->finish - task->created) / 1000);
    }
  else
    json_object_set_string_member (*reply, "status",
                                   _cs_reply_status_to_string (CS_TASK_STATUS_IDLE));
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

/* The reply of a finished or pending task, as getTaskResult gives it. */
static guint
task_reply (CsSandboxService  *service,
            SandboxTask       *task,
            gint64             now,
            JsonObject       **reply)
{
  if (task->state == TASK_FAILED)
    return task_error_reply (task, reply);

  *reply = new_reply ();
  json_object_set_string_member (*reply, "taskId", task->id);
  if (task->state == TASK_READY)
    set_result (task, *reply);
  else
    json_object_set_string_member (*reply, "status", task_status (service, task, now));
  return SOUP_STATUS_OK;
}

static guint
handle_get_task_result (CsSandboxService  *service,
                        const char        *api_key,
                        JsonObject        *request,
                        JsonObject       **reply,
                        guint             *delay_ms,
                        char             **held)
{
  gint64 now = g_get_monotonic_time ();
  SandboxTask *task;
  guint status = 0;

  advance (service, now);
  task = find_task (service, request, api_key, reply, &status);
  if (task == NULL)
    return status;

  if (++task->polls > CS_MAX_POLLS_PER_TASK)
    {
      remove_task (service, task);
      return _cs_sandbox_error_reply ("ERROR_TASKID_INVALID",
                                      "the task was polled more than "
                                      G_STRINGIFY (CS_MAX_POLLS_PER_TASK) " times; "
                                      "its result is lost", reply);
    }

  /* the poll-count model */
  if (!time_model (service) && task->state == TASK_PENDING && ready_time_passed (service, task))
    finish_task (service, task, now);
  if (task->state != TASK_PENDING && task->fetched == 0)
    task->fetched = now;
  return task_reply (service, task, now, reply);
}

guint
_cs_sandbox_service_task_reply (CsSandboxService  *service,
                                const char        *task_id,
                                gboolean           fetched,
                                JsonObject       **reply)
{
  SandboxTask *task = g_hash_table_lookup (service->tasks, task_id);
  gint64 now = g_get_monotonic_time ();

  if (task == NULL)
    return _cs_sandbox_error_reply ("ERROR_TASKID_INVALID", "Task ID does not exist or is invalid",
                                    reply);
  if (fetched && task->state != TASK_PENDING && task->fetched == 0)
    task->fetched = now;
  return task_reply (service, task, now, reply);
}

static guint
handle_get_token (CsSandboxService  *service,
                  const char        *api_key,
                  JsonObject        *request,
                  JsonObject       **reply,
                  guint             *delay_ms,
                  char             **held)
{
  guint status = 0;
  SandboxTask *task = create_task (service, api_key, request, TRUE, reply, &status);

  if (task == NULL)
    return status;
  /* without the time model, the task is solved at once */
  if (!time_model (service))
    finish_task (service, task, task->created);
  if (task->state != TASK_PENDING)
    return _cs_sandbox_service_task_reply (service, task->id, TRUE, reply);
  /* a task with a callback URL is awaited already */
  if (task->callback_url == NULL)
    service->n_awaited++;
  task->held = TRUE;
  *held = g_strdup (task->id);
  return 0;
}

/* --- Timings ------------------------------------------------------------------------- */

static void
set_time_member (JsonObject       *object,
                 const char       *name,
                 CsSandboxService *service,
                 gint64            time)
{
  if (time == 0)
    json_object_set_null_member (object, name);
  else
    json_object_set_double_member (object, name,
                                   round (_cs_sandbox_service_ms (service, time) * 1000.0) /
                                   1000.0);
}

JsonObject *
_cs_sandbox_service_get_timings (CsSandboxService *service,
                                 guint             connections,
                                 guint             open_connections,
                                 guint             requests)
{
  gint64 now = g_get_monotonic_time ();
  JsonObject *timings = json_object_new ();
  JsonArray *tasks = json_array_new ();

  set_time_member (timings, "now", service, now);
  json_object_set_int_member (timings, "connections", connections);
  json_object_set_int_member (timings, "openConnections", open_connections);
  json_object_set_int_member (timings, "requests", requests);
  advance (service, now);
  remove_expired_tasks (service, now);
  for (GList *l = service->created.head; l != NULL; l = l->next)
    {
      SandboxTask *task = l->data;
      JsonObject *record;

      if (task->created < service->timings_since)
        continue;
      record = json_object_new ();
      json_object_set_string_member (record, "taskId", task->id);
      json_object_set_string_member (record, "type", task->type_name);
      set_time_member (record, "createdMs", service, task->created);
      set_time_member (record, "readyMs", service, task->finish <= now ? task->finish : 0);
      set_time_member (record, "fetchedMs", service, task->fetched);
      json_object_set_int_member (record, "polls", task->polls);
      json_object_set_string_member (record, "state", task_status (service, task, now));
      json_array_add_object_element (tasks, record);
    }
  json_object_set_array_member (timings, "tasks", tasks);
  return timings;
}

void
_cs_sandbox_service_clear_timings (CsSandboxService *service)
{
  service->timings_since = g_get_monotonic_time () + 1;
}

/* --- getBalance and feedbackTask ------------------------------------------------------ */

static guint
handle_get_balance (CsSandboxService  *service,
                    const char        *api_key,
                    JsonObject        *request,
                    JsonObject       **reply,
                    guint             *delay_ms,
                    char             **held)
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
                      JsonObject       **reply,
                      guint             *delay_ms,
                      char             **held)
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

/* --- Limits ----------------------------------------------------------------------------- */

static KeyState *
lookup_key_state (CsSandboxService *service,
                  const char       *api_key)
{
  KeyState *state = g_hash_table_lookup (service->key_states, api_key);

  if (state == NULL)
    {
      state = g_new0 (KeyState, 1);
      g_hash_table_insert (service->key_states, g_strdup (api_key), state);
    }
  return state;
}

/* Counts an error in a window of STORM_WINDOW (scaled); TRUE when it is
 * the @threshold-th of its window. */
static gboolean
count_error (CsSandboxService *service,
             gint64           *window,
             guint            *errors,
             guint             threshold,
             gint64            now)
{
  if (threshold == 0)
    return FALSE;
  if (now - *window >= period (service, STORM_WINDOW))
    {
      *window = now;
      *errors = 0;
    }
  return ++*errors == threshold;
}

/* The refusal of a request that a limit stops, or 0. */
static guint
check_limits (CsSandboxService  *service,
              const char        *api_key,
              gint64             now,
              JsonObject       **reply)
{
  KeyState *state;

  if (now < service->ip_banned_until)
    return _cs_sandbox_error_reply ("ERROR_IP_BANNED",
                                    "this IP is blocked for 10 minutes after too many errors",
                                    reply);
  /* only keys the service knows have a state, so that made-up keys cost
   * no memory */
  if (api_key == NULL || !g_hash_table_contains (service->balances, api_key) ||
      (service->rate_limit == 0 && service->key_block_errors == 0))
    return 0;

  state = lookup_key_state (service, api_key);
  if (now < state->blocked_until)
    return _cs_sandbox_error_reply ("ERROR_KEY_TEMP_BLOCKED",
                                    "the key is blocked for 5 minutes after too many errors",
                                    reply);
  if (service->rate_limit == 0)
    return 0;
  /* rates are real: one-second windows */
  if (now - state->rate_window >= G_USEC_PER_SEC)
    {
      state->rate_window = now;
      state->requests = 0;
    }
  if (++state->requests > service->rate_limit)
    return _cs_sandbox_error_reply ("ERROR_RATE_LIMIT",
                                    "the request rate limit of your package was exceeded",
                                    reply);
  return 0;
}

/* An error reply was sent: the error-storm rules count it. */
static void
count_errors (CsSandboxService *service,
              const char       *api_key,
              gint64            now)
{
  if (count_error (service, &service->ip_window, &service->ip_errors, service->ip_ban_errors, now))
    service->ip_banned_until = now + period (service, IP_BAN_TIME);
  if (api_key != NULL && service->key_block_errors > 0)
    {
      KeyState *state = lookup_key_state (service, api_key);

      if (count_error (service, &state->error_window, &state->errors,
                       service->key_block_errors, now))
        state->blocked_until = now + period (service, KEY_BLOCK_TIME);
    }
}

/* --- Methods ------------------------------------------------------------------------------ */

typedef guint (*MethodFunc) (CsSandboxService  *service,
                             const char        *api_key,
                             JsonObject        *request,
                             JsonObject       **reply,
                             guint             *delay_ms,
                             char             **held);

static const struct {
  const char *name;
  MethodFunc  func;
} methods[] = {
  { "createTask", handle_create_task },
  { "getTaskResult", handle_get_task_result },
  { "getBalance", handle_get_balance },
  { "feedbackTask", handle_feedback_task },
  { "getToken", handle_get_token },
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

/* Every method needs a key the service knows, within its limits. */
guint
_cs_sandbox_service_call (CsSandboxService  *service,
                          const char        *method,
                          JsonObject        *request,
                          JsonObject       **reply,
                          guint             *delay_ms,
                          char             **held)
{
  gint64 now = g_get_monotonic_time ();
  const char *api_key = NULL;
  guint status = 0;

  *delay_ms = 0;
  *held = NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      if (strcmp (methods[i].name, method) != 0)
        continue;
      status = check_limits (service, request_string (request, "clientKey"), now, reply);
      if (status == 0)
        api_key = authorize (service, request, reply, &status);
      if (api_key != NULL)
        status = methods[i].func (service, api_key, request, reply, delay_ms, held);
      if (status >= SOUP_STATUS_BAD_REQUEST)
        count_errors (service, api_key, now);
      return status;
    }
  return _cs_sandbox_error_reply ("ERROR_PAGE_NOT_FOUND", "no such method", reply);
}

/* --- What a dialect needs of a task --------------------------------------------------- */

gboolean
_cs_sandbox_service_get_task_info (CsSandboxService  *service,
                                   const char        *api_key,
                                   const char        *task_id,
                                   gboolean           report,
                                   CsSandboxTaskInfo *info)
{
  gint64 now = g_get_monotonic_time ();
  gint64 real_now = g_get_real_time ();
  SandboxTask *task;

  advance (service, now);
  task = task_id != NULL ? g_hash_table_lookup (service->tasks, task_id) : NULL;
  if (task == NULL || task_expired (service, task, now) ||
      (api_key != NULL && strcmp (task->api_key, api_key) != 0))
    return FALSE;
  memset (info, 0, sizeof *info);
  info->type_name = task->type_name;
  info->price = task->price;
  info->created = real_now - (now - task->created);
  if (task->state != TASK_PENDING && task->finish <= now)
    {
      info->finished = real_now - (now - task->finish);
      info->ready = task->state == TASK_READY;
    }
  info->reports = task->reports;
  if (report)
    task->reports++;
  return TRUE;
}
