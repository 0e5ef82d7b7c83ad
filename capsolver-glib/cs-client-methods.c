/* cs-client-methods.c: the protocol's methods of CsClient
 *
 * createTask, getToken, getTaskResult, getBalance and feedbackTask, each
 * one exchange (cs-client-call.c) and what its reply does to the task.
 * The object and its configuration are in cs-client.c, the scheduler
 * that solves in cs-client-solve.c.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-client-private.h"

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
_cs_client_check_api_key (CsClient  *self,
                          GError   **error)
{
  if (self->api_key != NULL && *self->api_key != '\0')
    return TRUE;
  g_set_error_literal (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS,
                       "ERROR_KEY_DENIED_ACCESS: no API key is set on the client");
  return FALSE;
}

/* Every endpoint: a request may move to any of them. The URLs left out
 * of the list (cs-client.c) are logged at the first request, once the
 * properties that decide it are all set. */
gboolean
_cs_client_check_base_url (CsClient  *self,
                           GError   **error)
{
  g_auto(GStrv) base_urls = NULL;
  g_auto(GStrv) skipped = NULL;
  gboolean usable;

  if (self->base_url == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "a client of a %s provider needs a base URL; nothing was sent",
                   _cs_dialect_get_nick (self->dialect));
      return FALSE;
    }
  g_mutex_lock (&self->endpoint_lock);
  /* the list was checked when it was made (cs-client.c), and is made
   * again whenever what the checks read changes */
  usable = self->endpoints_usable;
  if (!usable)
    base_urls = g_strdupv (self->base_urls);
  if (!self->skipped_logged)
    skipped = g_strdupv (self->endpoints_skipped);
  self->skipped_logged = TRUE;
  g_mutex_unlock (&self->endpoint_lock);
  for (gsize i = 0; skipped != NULL && skipped[i] != NULL; i++)
    g_message ("%s", skipped[i]);
  for (gsize i = 0; base_urls != NULL && base_urls[i] != NULL; i++)
    if (!_cs_client_base_url_usable (self, base_urls[i], error))
      return FALSE;
  return TRUE;
}

/* getToken and feedbackTask are CapSolver's: the other providers have
 * no such method (their reports are other calls). */
static gboolean
check_capsolver_method (CsClient    *self,
                        const char  *method,
                        GError     **error)
{
  if (self->provider == CS_PROVIDER_CAPSOLVER || self->provider == CS_PROVIDER_COMPATIBLE)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "%s is CapSolver's method: %s has none; nothing was sent", method,
               _cs_dialect_get_name (self->dialect));
  return FALSE;
}

/* What every method checks before it sends anything. */
static gboolean
check_can_send (CsClient  *self,
                GError   **error)
{
  return _cs_client_check_api_key (self, error) && _cs_client_check_base_url (self, error);
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

/* --- Routing ------------------------------------------------------------------ */

gboolean
_cs_client_would_send_task (CsClient *client,
                            CsTask   *task)
{
  g_autoptr(JsonObject) task_json = _cs_task_to_valid_json (task, NULL);
  g_autoptr(JsonObject) body = NULL;
  CsDialectEnvelope envelope = { 0, };

  if (task_json == NULL || !check_can_send (client, NULL))
    return FALSE;
  envelope.client_key = client->api_key;
  body = _cs_dialect_build_create_task (client->dialect, task_json, &envelope, NULL, NULL);
  return body != NULL;
}

CsClient *
_cs_client_route_task (CsClient  *self,
                       CsTask    *task,
                       GError   **error)
{
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GObject) creator = NULL;
  CsProvider provider;

  if (!_cs_task_get_known_provider (task, &provider))
    return g_object_ref (self);
  /* the client that created the task has it, whatever the chain is now:
   * its key's account billed it */
  creator = _cs_task_dup_creator (task);
  if (creator != NULL)
    return CS_CLIENT (g_steal_pointer (&creator));
  chain = _cs_client_dup_chain (self);
  for (guint i = 0; i < chain->len; i++)
    {
      CsClient *client = g_ptr_array_index (chain, i);

      if (client->provider == provider)
        return g_object_ref (client);
    }
  g_set_error (error, CS_ERROR, CS_ERROR_TASKID_INVALID,
               "task %s is %s's, and no client of this chain speaks to %s; nothing was sent",
               cs_task_get_task_id (task) != NULL ? cs_task_get_task_id (task) : "(no id)",
               cs_provider_get_display_name (provider), cs_provider_get_display_name (provider));
  return NULL;
}

/* --- Outages ------------------------------------------------------------------ */

/* Whether @error, of a request whose reply had @http_status (0 when none
 * came), tells of an outage of the service or of the way to it rather
 * than of the request: a transport failure, an HTTP 5xx that is not the
 * protocol or names no code this version knows (a proxy's or a gateway's
 * page), or the service saying it is unavailable. A request safe to
 * repeat may be sent again later. An error code the service chose (a
 * cooldown, a verdict on the task) is not an outage, whatever the status. */
static gboolean
_cs_client_error_is_outage (const GError *error,
                            guint         http_status)
{
  if (error->domain == CS_ERROR)
    {
      switch (error->code)
        {
        case CS_ERROR_SERVICE_UNAVAILABLE:
        case CS_ERROR_INTERNAL_SERVER_ERROR:
          return TRUE;
        case CS_ERROR_PROTOCOL:
        case CS_ERROR_FAILED:
          return http_status >= 500;
        default:
          return FALSE;
        }
    }
  return (error->domain == G_IO_ERROR || error->domain == G_RESOLVER_ERROR) &&
         cs_error_get_retry_class (error) == CS_RETRY_CLASS_TRANSIENT;
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

/* The solution of a ready reply, with what the reply said beside it. */
static CsSolution *
new_solution (CsClient *client,
              CsReply  *reply)
{
  g_auto(CsDialectReply) fields = { 0, };
  CsSolution *solution = cs_solution_new (reply->solution);

  _cs_dialect_read_result_fields (reply->root, &fields);
  _cs_solution_set_result_fields (solution, &fields);
  _cs_solution_set_provider (solution, client->provider);
  return solution;
}

/* A task became ready: what it cost, as the reply says, or else as the
 * price table estimates. */
static void
count_ready (CsClient *client,
             CsTask   *task,
             CsReply  *reply)
{
  const CsTaskFamily *family;

  if (reply->has_cost)
    {
      _cs_client_count (client, CS_USAGE_COST, reply->cost);
      return;
    }
  family = cs_task_get_type_name (task) != NULL
           ? _cs_task_family_lookup (cs_task_get_type_name (task), NULL) : NULL;
  if (family != NULL)
    _cs_client_count (client, CS_USAGE_ESTIMATED_COST, _cs_task_family_price (family));
}

/* Decides from the reply, never from the task type: a solution with status
 * "ready" ends the task at once; otherwise the task id is polled. */
static gboolean
apply_create_reply (CsClient *client,
                    CsTask   *task,
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

  /* before the id: a poll routed by another thread once it sees the id
   * must find who has the task */
  _cs_task_set_provider (task, client->handle, client->provider, TRUE);
  if (reply->task_id != NULL)
    _cs_task_set_task_id (task, reply->task_id);
  if (ready && !_cs_reply_check_solution (reply, cs_task_get_type_name (task), error))
    {
      /* a task id can still be polled, by solving the task again */
      if (reply->task_id != NULL)
        _cs_task_set_status (task, CS_TASK_STATUS_PROCESSING);
      return FALSE;
    }
  if (ready)
    {
      g_autoptr(CsSolution) solution = new_solution (client, reply);

      _cs_task_set_solution (task, solution);
      _cs_task_set_status (task, CS_TASK_STATUS_READY);
      count_ready (client, task, reply);
    }
  else
    _cs_task_set_status (task, create_reply_pending_status (reply));
  _cs_client_count (client, CS_USAGE_CREATED, 1);
  return TRUE;
}

/* A createTask or getToken. Once sent it is never cut short: the task it
 * creates is billed, and its id must reach the task. A caller that
 * cancels then is answered at once, and the request completes in the
 * background (on the caller's context, which a blocking call keeps
 * iterating until then). */
typedef struct {
  CsTask       *task;
  const char   *method;
  GCancellable *cancellable;     /* the caller's */
  gulong        cancel_handler;  /* answers a caller that cancels */
  gpointer      hold;            /* on the blocking call it was made in */
  gboolean      answered;        /* the caller has its answer */
  /* the route along the chain (CsClient:fallback) */
  GPtrArray    *chain;           /* the client called, then its fallbacks */
  guint         next;            /* the index of the next client to try */
  JsonObject   *task_json;       /* the task, provider-neutral */
  GCancellable *unsent_cancellable;
  CsCallFlags   flags;
  GError       *first_error;     /* the first client's: the error when none takes it */
  gboolean      first_held_back; /* the first client held it back */
  gboolean      sent;            /* an attempt that moved on left all the same */
} CreateCall;

static void
create_call_free (CreateCall *call)
{
  g_clear_object (&call->cancellable);
  g_clear_object (&call->unsent_cancellable);
  g_clear_pointer (&call->chain, g_ptr_array_unref);
  g_clear_pointer (&call->task_json, json_object_unref);
  g_clear_error (&call->first_error);
  g_object_unref (call->task);
  g_free (call);
}

/* Gives the caller its answer, once. */
static void
create_answer (GTask  *gtask,
               GError *error)
{
  CreateCall *call = g_task_get_task_data (gtask);

  if (call->answered)
    {
      g_clear_error (&error);
      return;
    }
  call->answered = TRUE;
  /* never from the handler: it only attaches a source; waits for one
   * running in another thread, which holds the GTask */
  if (call->cancel_handler != 0)
    g_cancellable_disconnect (call->cancellable, call->cancel_handler);
  call->cancel_handler = 0;
  if (error != NULL)
    g_task_return_error (gtask, error);
  else
    g_task_return_boolean (gtask, TRUE);
}

/* A request that nobody waits for any more tells the application what
 * it created: the task is billed, and solving it again polls it. */
static void
log_unclaimed (CreateCall   *call,
               const GError *error)
{
  const char *task_id = cs_task_get_task_id (call->task);

  if (error != NULL)
    g_debug ("%s of a cancelled call failed: %s", call->method, error->message);
  else if (cs_task_get_status (call->task) == CS_TASK_STATUS_READY)
    g_message ("%s of a cancelled call completed: task %s was solved (and billed); "
               "the CsTask has its solution", call->method,
               task_id != NULL ? task_id : "without an id");
  else
    g_message ("%s of a cancelled call completed: task %s was created (and billed); "
               "the CsTask has its id: solve it again to get its solution",
               call->method, task_id);
}

/* Set on a createTask or getToken the service refused for want of a
 * slot: it created nothing, and may be sent again. */
#define CREATE_REFUSED "cs-create-refused"
/* Set on a createTask or getToken the client held back (a pause). */
#define CREATE_HELD_BACK "cs-create-held-back"

/* Ends a createTask or getToken: the task is no longer being created, and
 * the solves that waited for it go on. */
static void
create_task_return (GTask    *gtask,
                    GError   *error,
                    gboolean  sent)
{
  CreateCall *call = g_task_get_task_data (gtask);
  guint n_waiters = _cs_task_end_create (call->task, error, sent);

  if (call->answered && n_waiters == 0 && sent)
    log_unclaimed (call, error);
  create_answer (gtask, error);
  _cs_client_release_blocking_call (g_steal_pointer (&call->hold));
  g_object_unref (gtask);
}

static void create_send_next (GTask    *gtask,
                              GError   *error,
                              gboolean  held_back);

/* Whether a createTask or getToken that failed with @error certainly
 * created nothing at the client that sent it, so that the next client of
 * the chain may have the task: held back by the account, refused with an
 * account error (no money, a refused key, a cooldown, including an HTTP
 * 429 with no body: the request was turned away, not processed), or never
 * reached on any endpoint. A refusal for want of a slot stays: the solve
 * paces it. */
static gboolean
create_may_move (GAsyncResult *result,
                 CsReply      *reply,
                 const GError *error,
                 CsTask       *task)
{
  if (cs_task_get_task_id (task) != NULL || cs_task_get_status (task) == CS_TASK_STATUS_READY)
    return FALSE;
  if (_cs_client_call_was_held_back (result) || _cs_client_call_never_reached (result))
    return TRUE;
  return (reply->root != NULL || reply->http_status == HTTP_TOO_MANY_REQUESTS) &&
         reply->task_id == NULL && error->domain == CS_ERROR &&
         _cs_error_get_hold (error) != CS_HOLD_NONE;
}

static void
create_task_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *gtask = user_data;
  CreateCall *call = g_task_get_task_data (gtask);
  CsClient *client = CS_CLIENT (source);
  CsTask *task = call->task;
  g_auto(CsReply) reply = { 0, };
  GError *error = NULL;
  gboolean sent = _cs_client_call_was_sent (result);
  gboolean refused = FALSE;

  if (_cs_client_call_finish (client, result, &reply, &error) &&
      apply_create_reply (client, task, &reply, &error) &&
      g_task_get_source_tag (gtask) == cs_client_get_token_async &&
      cs_task_get_status (task) != CS_TASK_STATUS_READY)
    error = g_error_new (CS_ERROR, CS_ERROR_PROTOCOL,
                         "HTTP %u: getToken reply has no solution", reply.http_status);
  /* a refusal is an envelope that created nothing: as if never sent; one
   * that names a task all the same may have created it */
  if (error != NULL && reply.root != NULL && reply.task_id == NULL &&
      _cs_error_is_no_slot (error) && cs_task_get_task_id (task) == NULL)
    {
      g_object_set_data (G_OBJECT (gtask), CREATE_REFUSED, GINT_TO_POINTER (TRUE));
      refused = TRUE;
    }
  else if (error != NULL && create_may_move (result, &reply, error, task))
    {
      if (call->next < call->chain->len)
        {
          g_debug ("%s at %s: %s; the task goes to the next client of the chain",
                   call->method, _cs_dialect_get_name (client->dialect), error->message);
          call->sent = call->sent || sent;
          create_send_next (gtask, error, _cs_client_call_was_held_back (result));
          return;
        }
      if (call->first_error != NULL)
        {
          /* the last client of the chain could not take it either: the
           * first client's error is the one to give */
          g_clear_error (&error);
          error = g_steal_pointer (&call->first_error);
          if (call->first_held_back && !call->sent && !sent)
            g_object_set_data (G_OBJECT (gtask), CREATE_HELD_BACK, GINT_TO_POINTER (TRUE));
          create_task_return (gtask, error, sent || call->sent);
          return;
        }
    }
  /* any other end is this client's own: a task it may have created, a
   * refusal the solve paces, or an error of the task */
  if (_cs_client_call_was_held_back (result))
    g_object_set_data (G_OBJECT (gtask), CREATE_HELD_BACK, GINT_TO_POINTER (TRUE));
  create_task_return (gtask, error, !refused && (sent || call->sent));
}

/* The caller cancelled. A request still waiting for a slot is withdrawn
 * by the same cancellable, and ends first (this source comes after it);
 * one that left goes on without the caller. */
static gboolean
create_cancelled_idle_cb (gpointer user_data)
{
  GTask *gtask = user_data;
  CreateCall *call = g_task_get_task_data (gtask);

  create_answer (gtask, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     "%s: cancelled; a request already sent completes in the "
                                     "background, and the task gets its id", call->method));
  return G_SOURCE_REMOVE;
}

/* Runs in whatever thread cancels: the answer goes to the call's context.
 * A handler rather than a GCancellableSource per call: a context walks
 * every source it holds at each iteration, and ten thousand solves
 * waiting for a slot would each hold one. */
static void
create_cancelled_cb (GCancellable *cancellable,
                     GTask        *gtask)
{
  g_autoptr(GSource) idle = g_idle_source_new ();

  g_source_set_priority (idle, G_PRIORITY_LOW);
  g_source_set_callback (idle, create_cancelled_idle_cb, g_object_ref (gtask), g_object_unref);
  g_source_attach (idle, g_task_get_context (gtask));
}

/* The body of the task's createTask (or getToken) for @client, or NULL
 * with the error that refuses it there before anything is sent: no key,
 * a type the provider lacks, a proxy or an image it cannot take. */
static JsonObject *
create_body (CsClient    *client,
             CreateCall  *call,
             GError     **error)
{
  CsDialectEnvelope envelope = { 0, };

  if (!check_can_send (client, error) ||
      ((call->flags & CS_CALL_LONG) != 0 && !check_capsolver_method (client, call->method,
                                                                     error)))
    return NULL;
  envelope.client_key = client->api_key;
  envelope.app_id = client->app_id;
  envelope.language_pool = client->language_pool;
  envelope.callback_url = cs_task_get_callback_url (call->task);
  return _cs_dialect_build_create_task (client->dialect, call->task_json, &envelope, NULL,
                                        error);
}

/* Sends the task to the next client of the chain that can take it, after
 * @error (owned, nullable) of the one before, which @held_back tells
 * whether it held the task back; when none is left, ends the call with
 * the first client's error. */
static void
create_send_next (GTask    *gtask,
                  GError   *error,
                  gboolean  held_back)
{
  CreateCall *call = g_task_get_task_data (gtask);
  g_autoptr(JsonObject) body = NULL;
  g_auto(GStrv) secrets = NULL;
  CsClient *client = NULL;

  while (body == NULL)
    {
      if (error != NULL && call->first_error == NULL)
        {
          call->first_error = g_steal_pointer (&error);
          call->first_held_back = held_back;
        }
      g_clear_error (&error);
      held_back = FALSE;
      if (call->next >= call->chain->len)
        {
          if (call->first_held_back && !call->sent)
            g_object_set_data (G_OBJECT (gtask), CREATE_HELD_BACK, GINT_TO_POINTER (TRUE));
          create_task_return (gtask, g_steal_pointer (&call->first_error), call->sent);
          return;
        }
      /* cancelled on the way along the chain: nothing more is sent */
      if (g_cancellable_is_cancelled (call->cancellable) ||
          g_cancellable_is_cancelled (call->unsent_cancellable))
        {
          create_task_return (gtask, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  "%s: cancelled before it was sent",
                                                  call->method),
                              call->sent);
          return;
        }
      client = g_ptr_array_index (call->chain, call->next++);
      /* a client whose endpoints all failed lately is skipped while a
       * later one may take the task; the last one always tries */
      if (call->next < call->chain->len && _cs_client_endpoints_down (client))
        {
          error = g_error_new (G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE,
                               "%s: every endpoint of %s failed lately; not sent",
                               call->method, _cs_dialect_get_name (client->dialect));
          held_back = TRUE;
          continue;
        }
      body = create_body (client, call, &error);
    }

  /* the call hides the key and the proxy in its errors and log lines */
  secrets = _cs_client_dup_secrets (client, call->task);
  _cs_client_call_async (client, call->method, body, (const char * const *) secrets,
                         call->flags, NULL,
                         call->unsent_cancellable != NULL ? call->unsent_cancellable
                                                          : call->cancellable,
                         create_task_cb, gtask);
}

/* Sends @method (createTask or getToken) for a task marked as being
 * created, under @source_tag, to the first client of @client's chain that
 * takes it (CsClient:fallback). @cancellable withdraws the request while
 * it waits to be sent, and once it left stops the caller's wait only;
 * @unsent_cancellable (which @cancellable must then cancel too) only
 * withdraws it. */
static void
send_create (CsClient            *client,
             CsTask              *task,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GCancellable        *unsent_cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *gtask = g_task_new (client, cancellable, callback, user_data);
  gboolean get_token = source_tag == cs_client_get_token_async;
  CreateCall *call = g_new0 (CreateCall, 1);
  GError *error = NULL;

  g_task_set_source_tag (gtask, source_tag);
  g_task_set_check_cancellable (gtask, FALSE);
  call->task = g_object_ref (task);
  call->method = get_token ? "getToken" : "createTask";
  call->flags = CS_CALL_SPENDS | CS_CALL_PACED | (get_token ? CS_CALL_LONG : 0);
  call->chain = _cs_client_dup_chain (client);
  g_task_set_task_data (gtask, call, (GDestroyNotify) create_call_free);

  if ((call->task_json = _cs_task_to_valid_json (task, &error)) == NULL)
    {
      create_task_return (gtask, error, FALSE);
      return;
    }
  if (cancellable != NULL)
    {
      call->cancellable = g_object_ref (cancellable);
      call->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (create_cancelled_cb),
                                                    gtask, NULL);
    }
  if (unsent_cancellable != NULL)
    call->unsent_cancellable = g_object_ref (unsent_cancellable);
  call->hold = _cs_client_hold_blocking_call ();
  create_send_next (gtask, NULL, FALSE);
}

/* createTask for a task that _cs_task_begin_create() marked: the solve's
 * way in, which may also withdraw the request while it waits to be sent. */
void
_cs_client_create_task_started (CsClient            *client,
                                CsTask              *task,
                                GCancellable        *cancellable,
                                GCancellable        *unsent_cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  send_create (client, task, cs_client_create_task_async, cancellable, unsent_cancellable,
               callback, user_data);
}

/* Marks @task as being created; an error if it may not be: a task is
 * created once. */
static GError *
begin_create (CsTask *task)
{
  switch (_cs_task_begin_create (task, NULL, NULL))
    {
    case CS_CREATE_BEGUN:
      return NULL;
    case CS_CREATE_JOINED:
      return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PENDING,
                                  "the task is being created by another call");
    case CS_CREATE_DONE:
    default:
      if (cs_task_get_task_id (task) == NULL)
        return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS,
                                    "the task was already created, and solved");
      return g_error_new (G_IO_ERROR, G_IO_ERROR_EXISTS, "the task was already created as %s",
                          cs_task_get_task_id (task));
    }
}

/* The public forms check that the task may be created, then send. */
static void
create_task_async (CsClient            *client,
                   CsTask              *task,
                   gpointer             source_tag,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GError *error = begin_create (task);

  if (error != NULL)
    {
      g_autoptr(GTask) gtask = g_task_new (client, cancellable, callback, user_data);

      g_task_set_source_tag (gtask, source_tag);
      g_task_return_error (gtask, error);
      return;
    }
  send_create (client, task, source_tag, cancellable, NULL, callback, user_data);
}

/**
 * cs_client_create_task_async:
 * @client: a [class@Client]
 * @task: the task to create
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the request is done
 * @user_data: data for @callback
 *
 * Sends `createTask` for @task. The task is checked first with
 * [method@Task.validate]. A task is created once: one that already has a
 * task id is refused with %G_IO_ERROR_EXISTS, and one whose `createTask`
 * (or `getToken`) is on its way with %G_IO_ERROR_PENDING (a solve of it
 * waits for that instead).
 *
 * On success the task has its task id and status, and, for the tasks the
 * service answers at once (image and classification tasks), its solution
 * and the status %CS_TASK_STATUS_READY.
 *
 * A refusal for want of a slot (%CS_ERROR_SERVICE_UNAVAILABLE,
 * %CS_ERROR_NO_SLOT_AVAILABLE, %CS_ERROR_THREADS_MAXIMUM) is returned as
 * it is: nothing was created, and the task may be created again. It slows
 * every create of the client down, this call's included: see
 * [method@Client.solve_async], which sends such a create again itself.
 *
 * Cancelling while the request waits for a connection sends nothing.
 * Cancelling once it was sent ends the call at once with
 * %G_IO_ERROR_CANCELLED, but not the request, which completes in the
 * background (on the thread-default main context of the call, which a
 * blocking call keeps iterating until then): the task gets its task id,
 * which a solve waiting for it goes on with, and when nobody waits for
 * it, a message naming the id is logged. A task created is billed: a
 * task that has its id is solved by polling it.
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
  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  create_task_async (client, task, cs_client_create_task_async, cancellable,
                     callback, user_data);
}

/**
 * cs_client_create_task_finish:
 * @client: a [class@Client]
 * @result: the [iface@Gio.AsyncResult] given to the callback
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
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_client_create_task_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- getToken -------------------------------------------------------------- */

/**
 * cs_client_get_token_async:
 * @client: a [class@Client]
 * @task: a reCAPTCHA task to solve
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the task is solved or failed
 * @user_data: data for @callback
 *
 * Solves @task with one `getToken` request: the service holds it until the
 * task is solved and answers with the solution, so the token comes back
 * the moment it is ready, with no polling. The service offers it for the
 * reCAPTCHA v2 and v3 types only. Prefer it for those when a request may
 * stay open for up to two minutes ([property@Client:token-request-timeout]); prefer
 * [method@Client.solve_async] for other types, for tasks to resume after a
 * time-out, and behind proxies that cut long requests.
 *
 * Each request holds a connection of its own until its task is solved,
 * from an allowance of the client's apart from
 * [property@Client:max-connections] (see there): a thousand of them at
 * once each return when their task is solved, and solves on the same
 * client keep their pace.
 *
 * The request is never sent twice; a task that already has a task id, or
 * is being created, is refused as by [method@Client.create_task_async],
 * and a request that was sent is not cut short by cancelling the call
 * either: it completes in the background, and the task gets its solution
 * (the blocking form, cancelled, returns once it has).
 *
 * Since: 1.0
 */
void
cs_client_get_token_async (CsClient            *client,
                           CsTask              *task,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  create_task_async (client, task, cs_client_get_token_async, cancellable, callback, user_data);
}

/**
 * cs_client_get_token_finish:
 * @client: a [class@Client]
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Client.get_token_async].
 *
 * Returns: (transfer full): the solution, also kept by the task
 *
 * Since: 1.0
 */
CsSolution *
cs_client_get_token_finish (CsClient      *client,
                            GAsyncResult  *result,
                            GError       **error)
{
  GTask *gtask = G_TASK (result);

  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  g_return_val_if_fail (g_task_get_source_tag (gtask) == cs_client_get_token_async, NULL);

  if (!g_task_propagate_boolean (gtask, error))
    return NULL;
  return g_object_ref (cs_task_get_solution (((CreateCall *) g_task_get_task_data (gtask))->task));
}

/* --- getTaskResult ---------------------------------------------------------- */

static gboolean
apply_result_reply (CsClient *client,
                    CsTask   *task,
                    CsReply  *reply,
                    GError  **error)
{
  CsTaskStatus status = reply->status;
  gboolean was_ready = cs_task_get_status (task) == CS_TASK_STATUS_READY;

  if (status == CS_TASK_STATUS_READY)
    {
      g_autoptr(CsSolution) solution = NULL;

      if (!_cs_reply_check_solution (reply, cs_task_get_type_name (task), error))
        return FALSE;
      solution = new_solution (client, reply);
      _cs_task_set_solution (task, solution);
    }
  _cs_task_set_status (task, status);
  /* polled again once ready, a task is not paid again */
  if (status == CS_TASK_STATUS_READY && !was_ready)
    count_ready (client, task, reply);
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
  /* an unknown code in a 5xx is a proxy's or a gateway's: an outage */
  if (reply->status == CS_TASK_STATUS_FAILED ||
      (error->domain == CS_ERROR &&
       (cs_error_code_get_retry_class (error->code) == CS_RETRY_CLASS_NEW_TASK ||
        (error->code == CS_ERROR_FAILED && reply->http_status < 500))))
    _cs_task_set_status (task, CS_TASK_STATUS_FAILED);
}

/* Set on a getTaskResult whose failure was an outage. */
#define POLL_OUTAGE "cs-poll-outage"

static void
get_task_result_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) gtask = user_data;
  CsTask *task = g_task_get_task_data (gtask);
  g_auto(CsReply) reply = { 0, };
  GError *error = NULL;

  if (!_cs_client_call_finish (CS_CLIENT (source), result, &reply, &error))
    {
      apply_result_error (task, &reply, error);
      if (cs_task_get_status (task) != CS_TASK_STATUS_FAILED &&
          _cs_client_error_is_outage (error, reply.http_status))
        g_object_set_data (G_OBJECT (gtask), POLL_OUTAGE, GINT_TO_POINTER (TRUE));
      g_task_return_error (gtask, error);
      return;
    }
  /* a task resumed from its id is the answering client's from now on */
  _cs_task_set_provider (task, CS_CLIENT (source)->handle, CS_CLIENT (source)->provider, FALSE);
  if (!apply_result_reply (CS_CLIENT (source), task, &reply, &error))
    {
      g_task_return_error (gtask, error);
      return;
    }
  g_task_return_boolean (gtask, TRUE);
}

/**
 * cs_client_get_task_result_async:
 * @client: a [class@Client]
 * @task: a task that has a task id
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the request is done
 * @user_data: data for @callback
 *
 * Sends one `getTaskResult` for @task and updates its status, and its
 * solution when it is ready. Unknown statuses are taken as pending.
 *
 * The request goes to the client that has the task: the one that created
 * it while it exists, even if it is no longer in @client's chain (see
 * [property@Client:fallback]), or else the first of that chain that speaks
 * its [property@Task:provider]. A task of a provider
 * that no client of the chain speaks fails with %CS_ERROR_TASKID_INVALID
 * before anything is sent.
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
  g_autoptr(CsClient) route = NULL;
  g_auto(GStrv) secrets = NULL;
  GError *error = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, cs_client_get_task_result_async);
  g_task_set_check_cancellable (gtask, FALSE);
  g_task_set_task_data (gtask, g_object_ref (task), g_object_unref);

  if (!check_task_id (task, &error) ||
      (route = _cs_client_route_task (client, task, &error)) == NULL ||
      !check_can_send (route, &error))
    {
      g_task_return_error (gtask, error);
      return;
    }

  body = _cs_dialect_build_task_call (route->dialect, route->api_key,
                                      cs_task_get_task_id (task), &error);
  if (body == NULL)
    {
      g_task_return_error (gtask, error);
      return;
    }
  _cs_task_count_poll (task);
  secrets = _cs_client_dup_secrets (route, task);
  _cs_client_call_async (route, "getTaskResult", body, (const char * const *) secrets,
                         CS_CALL_IDEMPOTENT, cancellable, NULL,
                         get_task_result_cb, g_steal_pointer (&gtask));
}

/**
 * cs_client_get_task_result_finish:
 * @client: a [class@Client]
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Client.get_task_result_async]. Success means the
 * service answered; whether the task is ready is its [property@Task:status].
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

/* Whether the createTask that gave @result was refused for want of a slot
 * at the service: it created nothing. */
gboolean
_cs_client_create_was_refused (GAsyncResult *result)
{
  return g_object_get_data (G_OBJECT (result), CREATE_REFUSED) != NULL;
}

/* Whether the client held back the createTask that gave @result: nothing
 * was sent. */
gboolean
_cs_client_create_was_held_back (GAsyncResult *result)
{
  return g_object_get_data (G_OBJECT (result), CREATE_HELD_BACK) != NULL;
}

/* Whether the poll that gave @result failed for an outage (see
 * _cs_client_error_is_outage()), and said nothing of its task. */
gboolean
_cs_client_poll_met_outage (GAsyncResult *result)
{
  return g_object_get_data (G_OBJECT (result), POLL_OUTAGE) != NULL;
}

/* --- Requests sent again after an outage ---------------------------------------
 *
 * getBalance and feedbackTask: a transport failure or a 5xx (see
 * _cs_client_error_is_outage()) is sent again, OUTAGE_RETRIES times at
 * most, after a wait that doubles from the client's outage_backoff, less
 * a random part (0.25–0.5 s, 0.5–1 s, 1–2 s): a short outage is ridden
 * out, a long one still ends the call within a few seconds.
 */

typedef void (*RetryDoneFunc) (GTask   *gtask,
                               CsReply *reply,
                               GError  *error);

typedef struct {
  const char    *method;
  JsonObject    *body;
  char         **secrets;   /* hidden in errors and log lines */
  CsCallFlags    flags;
  RetryDoneFunc  done;
  guint          max_retries;
  guint          retries;   /* sent again so far */
  gboolean       arrived;   /* the last try may have reached the service */
  GSource       *wait;      /* before the next try */
  CsClient      *client;    /* that sends it: the task's in the chain, or the caller */
} RetryCall;

static void
retry_call_free (RetryCall *call)
{
  if (call->wait != NULL)
    {
      g_source_destroy (call->wait);
      g_source_unref (call->wait);
    }
  json_object_unref (call->body);
  g_strfreev (call->secrets);
  g_clear_object (&call->client);
  g_free (call);
}

static void retry_call_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data);

/* The GTask's reference goes with the request. */
static void
retry_call_send (GTask *gtask)
{
  RetryCall *call = g_task_get_task_data (gtask);

  _cs_client_call_async (call->client, call->method, call->body,
                         (const char * const *) call->secrets, call->flags,
                         g_task_get_cancellable (gtask), NULL, retry_call_cb, gtask);
}

/* The wait is over, or was cancelled (its child source). */
static gboolean
retry_call_wait_cb (gpointer user_data)
{
  GTask *gtask = user_data;
  RetryCall *call = g_task_get_task_data (gtask);

  g_clear_pointer (&call->wait, g_source_unref);
  if (g_cancellable_is_cancelled (g_task_get_cancellable (gtask)))
    {
      call->done (gtask, NULL, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                            "%s: cancelled while waiting to be sent again",
                                            call->method));
      g_object_unref (gtask);
    }
  else
    retry_call_send (gtask);
  return G_SOURCE_REMOVE;
}

static void
retry_call_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *gtask = user_data;
  RetryCall *call = g_task_get_task_data (gtask);
  GCancellable *cancellable = g_task_get_cancellable (gtask);
  g_auto(CsReply) reply = { 0, };
  GError *error = NULL;

  call->arrived = call->arrived || _cs_client_call_may_have_arrived (result);
  if (!_cs_client_call_finish (CS_CLIENT (source), result, &reply, &error) &&
      call->retries < call->max_retries &&
      _cs_client_error_is_outage (error, reply.http_status) &&
      !g_cancellable_is_cancelled (cancellable))
    {
      guint wait_ms = _cs_client_outage_backoff (++call->retries,
                                                 CS_CLIENT (source)->outage_backoff, G_MAXUINT);

      g_debug ("%s: %s; sending it again in %u ms", call->method, error->message, wait_ms);
      g_error_free (error);
      call->wait = g_timeout_source_new (wait_ms);
      if (cancellable != NULL)
        {
          g_autoptr(GSource) cancelled = g_cancellable_source_new (cancellable);

          g_source_set_dummy_callback (cancelled);
          g_source_add_child_source (call->wait, cancelled);
        }
      g_source_set_callback (call->wait, retry_call_wait_cb, gtask, NULL);
      g_source_attach (call->wait, g_task_get_context (gtask));
      return;
    }
  call->done (gtask, &reply, error);
  g_object_unref (gtask);
}

/* Sends @method through @route (NULL: the client of @gtask), again after
 * an outage @max_retries times at most, then calls @done with the reply
 * or the error. Takes @gtask's reference and @secrets. */
static void
send_with_retries (GTask          *gtask,
                   CsClient       *route,
                   const char     *method,
                   JsonObject     *body,
                   char          **secrets,
                   CsCallFlags     flags,
                   guint           max_retries,
                   RetryDoneFunc   done)
{
  RetryCall *call = g_new0 (RetryCall, 1);

  call->method = method;
  call->body = json_object_ref (body);
  call->secrets = secrets;
  call->flags = flags;
  call->done = done;
  call->max_retries = max_retries;
  call->client = g_object_ref (route != NULL ? route : g_task_get_source_object (gtask));
  g_task_set_task_data (gtask, call, (GDestroyNotify) retry_call_free);
  retry_call_send (gtask);
}

static void
send_retrying (GTask          *gtask,
               CsClient       *route,
               const char     *method,
               JsonObject     *body,
               char          **secrets,
               CsCallFlags     flags,
               RetryDoneFunc   done)
{
  send_with_retries (gtask, route, method, body, secrets, flags, OUTAGE_RETRIES, done);
}

/* --- getBalance ------------------------------------------------------------- *
 *
 * A balance comes from the account's cache while it is fresh; otherwise
 * the calls made on one main context while a read is on its way wait for
 * that read, which no caller's cancellable stops: a caller that cancels is
 * answered at once, and the read still fills the cache.
 */

/* A caller of get_balance waiting for a shared read. */
typedef struct {
  GSource       *cancel_source;
  gboolean       answered;
  CsAccount     *account;
  CsBalanceRead *read;       /* until it ends, which answers every waiter */
} BalanceWaiter;

static void
balance_waiter_free (BalanceWaiter *waiter)
{
  if (waiter->cancel_source != NULL)
    {
      g_source_destroy (waiter->cancel_source);
      g_source_unref (waiter->cancel_source);
    }
  g_clear_pointer (&waiter->account, _cs_account_unref);
  g_free (waiter);
}

/* Gives a waiting caller its answer, once; takes @balance and @error. */
static void
balance_answer (GTask     *gtask,
                CsBalance *balance,
                GError    *error)
{
  BalanceWaiter *waiter = g_task_get_task_data (gtask);

  if (waiter->answered)
    {
      g_clear_object (&balance);
      g_clear_error (&error);
      return;
    }
  waiter->answered = TRUE;
  if (waiter->cancel_source != NULL)
    g_source_destroy (waiter->cancel_source);
  if (error != NULL)
    g_task_return_error (gtask, error);
  else
    g_task_return_pointer (gtask, balance, g_object_unref);
}

/* The last caller to leave takes the read with it (withdrawn from the
 * queue, or cut short: it is safe to repeat), and gets its end; the
 * others are answered at once. */
static gboolean
balance_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  GTask *gtask = user_data;
  BalanceWaiter *waiter = g_task_get_task_data (gtask);

  g_clear_pointer (&waiter->cancel_source, g_source_unref);
  if (!_cs_account_leave_read (waiter->account, waiter->read))
    balance_answer (gtask, NULL,
                    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         "getBalance: cancelled; the read on its way goes on "
                                         "for the other callers"));
  return G_SOURCE_REMOVE;
}

static void
get_balance_done (GTask   *gtask,
                  CsReply *reply,
                  GError  *error)
{
  CsBalance *balance = NULL;

  if (error == NULL)
    balance = _cs_balance_new_from_reply (reply, &error);
  if (balance == NULL)
    g_task_return_error (gtask, error);
  else
    g_task_return_pointer (gtask, balance, g_object_unref);
}

typedef struct {
  CsAccount     *account;
  CsBalanceRead *read;
} SharedRead;

/* The shared read ended: the cache keeps its balance, and every caller
 * that waited for it gets it. */
static void
shared_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SharedRead *shared = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBalance) balance = g_task_propagate_pointer (G_TASK (result), &error);
  guint generation = _cs_account_read_get_generation (shared->read);
  g_autoptr(GPtrArray) waiters = _cs_account_end_read (shared->account, shared->read);

  if (balance != NULL)
    _cs_account_set_balance (shared->account, balance, generation);
  for (guint i = 0; i < waiters->len; i++)
    balance_answer (g_ptr_array_index (waiters, i),
                    balance != NULL ? g_object_ref (balance) : NULL,
                    balance != NULL ? NULL : g_error_copy (error));
  _cs_account_unref (shared->account);
  g_free (shared);
}

/* Sends the one read that the callers on this context share. */
static void
send_shared_read (CsClient      *client,
                  CsAccount     *account,
                  CsBalanceRead *read)
{
  SharedRead *shared = g_new0 (SharedRead, 1);
  GTask *gtask;
  g_autoptr(JsonObject) body = new_envelope (client, FALSE);

  shared->account = _cs_account_ref (account);
  shared->read = read;
  gtask = g_task_new (client, _cs_account_read_get_cancellable (read), shared_read_cb, shared);
  g_task_set_source_tag (gtask, send_shared_read);
  /* the call's own error says whether it left */
  g_task_set_check_cancellable (gtask, FALSE);
  send_retrying (gtask, NULL, "getBalance", body, _cs_client_dup_secrets (client, NULL),
                 CS_CALL_IDEMPOTENT, get_balance_done);
}

/* Answers from the cache, or waits for the read on its way, or sends it. */
static void
get_balance (CsClient *client,
             GTask    *gtask)
{
  g_autoptr(CsAccount) account = _cs_client_ref_account (client);
  CsBalance *cached = _cs_account_get_cached_balance (account, client->balance_cache_time);
  GCancellable *cancellable = g_task_get_cancellable (gtask);
  BalanceWaiter *waiter;
  CsBalanceRead *read;
  gboolean joined;

  if (cached != NULL)
    {
      g_task_return_pointer (gtask, cached, g_object_unref);
      return;
    }
  waiter = g_new0 (BalanceWaiter, 1);
  g_task_set_task_data (gtask, waiter, (GDestroyNotify) balance_waiter_free);
  waiter->account = _cs_account_ref (account);
  joined = _cs_account_join_read (account, g_task_get_context (gtask), G_OBJECT (gtask), &read);
  waiter->read = read;
  if (cancellable != NULL)
    {
      waiter->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancel_source, G_SOURCE_FUNC (balance_cancelled_cb),
                             gtask, NULL);
      g_source_attach (waiter->cancel_source, g_task_get_context (gtask));
    }
  if (!joined)
    send_shared_read (client, account, read);
}

/**
 * cs_client_get_balance_async:
 * @client: a [class@Client]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the request is done
 * @user_data: data for @callback
 *
 * Gets the balance of the client's account. The services block keys that
 * ask too often, so the balance read last answers for
 * [property@Client:balance-cache-time] (30 s by default), and the calls
 * made while a read is on its way share it: a thousand calls at once send
 * one `getBalance`. The cache is the account's, shared by the clients of
 * the process with the same key; [method@Client.invalidate_balance]
 * makes the next call ask the service.
 *
 * A transport failure or an HTTP 5xx (an outage of the service or of the
 * way to it) is sent again up to three times, after waits of about 0.5,
 * 1 and 2 s, each less a random part of up to half; the error of the
 * last try is returned.
 *
 * Since: 1.0
 */
void
cs_client_get_balance_async (CsClient            *client,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) gtask = NULL;
  GError *error = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, cs_client_get_balance_async);
  g_task_set_check_cancellable (gtask, FALSE);

  if (!check_can_send (client, &error))
    {
      g_task_return_error (gtask, error);
      return;
    }
  get_balance (client, gtask);
}

/**
 * cs_client_get_balance_finish:
 * @client: a [class@Client]
 * @result: the [iface@Gio.AsyncResult] given to the callback
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
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_client_get_balance_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- feedbackTask ------------------------------------------------------------ */

static void
feedback_task_done (GTask   *gtask,
                    CsReply *reply,
                    GError  *error)
{
  if (error != NULL)
    {
      g_task_return_error (gtask, error);
      return;
    }
  _cs_client_count (((RetryCall *) g_task_get_task_data (gtask))->client,
                    CS_USAGE_FEEDBACK_SENT, 1);
  g_task_return_boolean (gtask, TRUE);
}

/**
 * cs_client_feedback_task_async:
 * @client: a [class@Client]
 * @task: a task that has a task id
 * @invalid: %TRUE if the site rejected the solution
 * @code: a code of your own for the outcome, or 0
 * @message: (nullable): a note of your own, or %NULL
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the request is done
 * @user_data: data for @callback
 *
 * Sends `feedbackTask`: tells the service whether the solution of @task
 * worked, which it uses to judge the quality of its answers. An outage is
 * ridden out as by [method@Client.get_balance_async].
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
  g_autoptr(CsClient) route = NULL;
  JsonObject *outcome;
  GError *error = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, cs_client_feedback_task_async);
  g_task_set_check_cancellable (gtask, FALSE);

  if (!check_task_id (task, &error) ||
      (route = _cs_client_route_task (client, task, &error)) == NULL ||
      !check_can_send (route, &error) ||
      !check_capsolver_method (route, "feedbackTask", &error))
    {
      g_task_return_error (gtask, error);
      return;
    }

  body = new_envelope (route, TRUE);
  json_object_set_string_member (body, "taskId", cs_task_get_task_id (task));
  outcome = json_object_new ();
  json_object_set_boolean_member (outcome, "invalid", invalid);
  if (code != 0)
    json_object_set_int_member (outcome, "code", code);
  if (message != NULL)
    json_object_set_string_member (outcome, "message", message);
  json_object_set_object_member (body, "result", outcome);

  send_retrying (g_steal_pointer (&gtask), route, "feedbackTask", body,
                 _cs_client_dup_secrets (route, task), 0,
                 feedback_task_done);
}

/**
 * cs_client_feedback_task_finish:
 * @client: a [class@Client]
 * @result: the [iface@Gio.AsyncResult] given to the callback
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

/* --- Reports ------------------------------------------------------------------ */

#define REPORT_TASK "cs-report-task"

static void
report_done (GTask   *gtask,
             CsReply *reply,
             GError  *error)
{
  CsTask *task = g_object_get_data (G_OBJECT (gtask), REPORT_TASK);
  RetryCall *call = g_task_get_task_data (gtask);

  if (error != NULL)
    {
      /* a report that never reached the provider may be sent again; one
       * that may have (written, then no answer) counts as made */
      if (!call->arrived)
        _cs_task_cancel_report (task);
      g_task_return_error (gtask, error);
      return;
    }
  _cs_client_count (((RetryCall *) g_task_get_task_data (gtask))->client,
                    CS_USAGE_FEEDBACK_SENT, 1);
  g_task_return_boolean (gtask, TRUE);
}

/**
 * cs_client_report_async:
 * @client: a [class@Client]
 * @task: a solved task that has a task id
 * @correct: %TRUE if the site took the solution, %FALSE if it rejected it
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the request is done
 * @user_data: data for @callback
 *
 * Reports the solution of @task as correct or incorrect, by the method of
 * the client's [property@Client:provider]: `feedbackTask` at CapSolver;
 * `reportIncorrectImageCaptcha`, `reportIncorrectRecaptcha` or
 * `reportCorrectRecaptcha` at Anti-Captcha; `reportCorrect` or
 * `reportIncorrect` at 2Captcha; `reportIncorrectImageCaptcha` or
 * `reportIncorrectTokenCaptcha` at CapMonster Cloud.
 *
 * The provider's rules are kept before anything is sent: a report it does
 * not take (a correct one at CapMonster Cloud, or of a type it has no
 * report for) fails with %CS_ERROR_PAGE_NOT_FOUND, a second report of the
 * same task where one is allowed with %CS_ERROR_BAD_REQUEST, and one after
 * Anti-Captcha's 60 seconds with %CS_ERROR_TASKID_INVALID. A report that
 * never reached the provider may be sent again.
 *
 * The report goes to the client that has the task, as polls do (see
 * [method@Client.get_task_result_async]), in that provider's words; a task
 * of a provider that no client of the chain speaks fails with
 * %CS_ERROR_TASKID_INVALID before anything is sent.
 *
 * Since: 1.0
 */
void
cs_client_report_async (CsClient            *client,
                        CsTask              *task,
                        gboolean             correct,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) gtask = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(CsClient) route = NULL;
  const CsTaskFamily *family;
  CsDialectReport report = { 0, };
  const char *method = NULL;
  GError *error = NULL;

  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, cs_client_report_async);
  g_task_set_check_cancellable (gtask, FALSE);

  if (!check_task_id (task, &error) ||
      (route = _cs_client_route_task (client, task, &error)) == NULL ||
      !check_can_send (route, &error))
    {
      g_task_return_error (gtask, error);
      return;
    }

  family = cs_task_get_type_name (task) != NULL
           ? _cs_task_family_lookup (cs_task_get_type_name (task), NULL) : NULL;
  report.client_key = route->api_key;
  report.app_id = route->app_id;
  report.task_id = cs_task_get_task_id (task);
  report.family = family != NULL ? family->name : NULL;
  report.correct = correct;
  report.since_solved_s = _cs_task_get_seconds_since_solved (task);
  report.reports_sent = _cs_task_begin_report (task);
  body = _cs_dialect_build_report (route->dialect, &report, &method, &error);
  if (body == NULL)
    {
      _cs_task_cancel_report (task);
      g_task_return_error (gtask, error);
      return;
    }

  g_object_set_data_full (G_OBJECT (gtask), REPORT_TASK, g_object_ref (task), g_object_unref);
  /* sent once, never again after an outage: a report that may have
   * reached a provider that takes one per task is the one */
  send_with_retries (g_steal_pointer (&gtask), route, method, body,
                     _cs_client_dup_secrets (route, task), 0, 0, report_done);
}

/**
 * cs_client_report_finish:
 * @client: a [class@Client]
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Client.report_async].
 *
 * Returns: %TRUE if the provider took the report
 *
 * Since: 1.0
 */
gboolean
cs_client_report_finish (CsClient      *client,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_client_report_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
