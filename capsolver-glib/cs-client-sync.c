/* cs-client-sync.c: the blocking forms of the CsClient operations
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-client-private.h"

/* --- Blocking forms ----------------------------------------------------------
 *
 * Each runs the asynchronous call on a new main context pushed as the
 * thread default, and iterates only that context until the call is done.
 */

typedef struct _SyncCall SyncCall;

struct _SyncCall {
  GMainContext *context;
  SyncCall     *outer;     /* the blocking call this one is inside */
  GAsyncResult *result;
  guint         holds;     /* work of its context that must end first */
};

/* The blocking call the thread is in, if any. */
static GPrivate current_call;

gboolean
_cs_client_in_blocking_call (void)
{
  SyncCall *call = g_private_get (&current_call);

  return call != NULL && call->context == g_main_context_get_thread_default ();
}

/* A request that must complete even if its caller stops waiting (a
 * createTask that left): the blocking call it was made in returns only
 * once it did, since nothing iterates its context afterwards. NULL
 * outside a blocking call. */
gpointer
_cs_client_hold_blocking_call (void)
{
  SyncCall *call = g_private_get (&current_call);

  if (call == NULL || call->context != g_main_context_get_thread_default ())
    return NULL;
  call->holds++;
  return call;
}

/* Runs on the held call's context, in its thread. */
void
_cs_client_release_blocking_call (gpointer hold)
{
  SyncCall *call = hold;

  if (call == NULL)
    return;
  call->holds--;
  g_main_context_wakeup (call->context);
}

static void
sync_call_begin (SyncCall *call)
{
  call->context = g_main_context_new ();
  call->result = NULL;
  call->holds = 0;
  call->outer = g_private_get (&current_call);
  g_main_context_push_thread_default (call->context);
  g_private_set (&current_call, call);
}

static void
sync_call_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SyncCall *call = user_data;

  call->result = g_object_ref (result);
  g_main_context_wakeup (call->context);
}

static GAsyncResult *
sync_call_wait (SyncCall *call)
{
  while (call->result == NULL || call->holds > 0)
    g_main_context_iteration (call->context, TRUE);
  /* libsoup finishes a message on the context that sent it, in a source
   * of its own: dispatch it, or the session keeps the message queued on a
   * context that is about to go, and the next call waits forever. */
  while (g_main_context_pending (call->context))
    g_main_context_iteration (call->context, FALSE);
  g_private_set (&current_call, call->outer);
  g_main_context_pop_thread_default (call->context);
  g_main_context_unref (call->context);
  return call->result;
}

/**
 * cs_client_create_task:
 * @client: a #CsClient
 * @task: the task to create
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The blocking form of [method@Client.create_task_async].
 *
 * Returns: %TRUE if the task was created
 *
 * Since: 1.0
 */
gboolean
cs_client_create_task (CsClient      *client,
                       CsTask        *task,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), FALSE);
  /* the async call would refuse these without calling back: do not wait */
  g_return_val_if_fail (CS_IS_TASK (task), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  sync_call_begin (&call);
  cs_client_create_task_async (client, task, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_create_task_finish (client, result, error);
}

/**
 * cs_client_get_task_result:
 * @client: a #CsClient
 * @task: a task that has a task id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The blocking form of [method@Client.get_task_result_async].
 *
 * Returns: %TRUE if the service answered without an error
 *
 * Since: 1.0
 */
gboolean
cs_client_get_task_result (CsClient      *client,
                           CsTask        *task,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (CS_IS_TASK (task), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  sync_call_begin (&call);
  cs_client_get_task_result_async (client, task, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_get_task_result_finish (client, result, error);
}

/**
 * cs_client_solve:
 * @client: a #CsClient
 * @task: the task to solve
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The blocking form of [method@Client.solve_async].
 *
 * Returns: (transfer full): the solution
 *
 * Since: 1.0
 */
CsSolution *
cs_client_solve (CsClient      *client,
                 CsTask        *task,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (CS_IS_TASK (task), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  sync_call_begin (&call);
  cs_client_solve_async (client, task, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_solve_finish (client, result, error);
}

/**
 * cs_client_get_token:
 * @client: a #CsClient
 * @task: a reCAPTCHA task to solve
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The blocking form of [method@Client.get_token_async].
 *
 * Returns: (transfer full): the solution
 *
 * Since: 1.0
 */
CsSolution *
cs_client_get_token (CsClient      *client,
                     CsTask        *task,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (CS_IS_TASK (task), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  sync_call_begin (&call);
  cs_client_get_token_async (client, task, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_get_token_finish (client, result, error);
}

/**
 * cs_client_get_balance:
 * @client: a #CsClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The blocking form of [method@Client.get_balance_async].
 *
 * Returns: (transfer full): the balance
 *
 * Since: 1.0
 */
CsBalance *
cs_client_get_balance (CsClient      *client,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  sync_call_begin (&call);
  cs_client_get_balance_async (client, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_get_balance_finish (client, result, error);
}

/**
 * cs_client_feedback_task:
 * @client: a #CsClient
 * @task: a task that has a task id
 * @invalid: %TRUE if the site rejected the solution
 * @code: a code of your own for the outcome, or 0
 * @message: (nullable): a note of your own, or %NULL
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The blocking form of [method@Client.feedback_task_async].
 *
 * Returns: %TRUE if the service took the feedback
 *
 * Since: 1.0
 */
gboolean
cs_client_feedback_task (CsClient      *client,
                         CsTask        *task,
                         gboolean       invalid,
                         int            code,
                         const char    *message,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (CS_IS_TASK (task), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  sync_call_begin (&call);
  cs_client_feedback_task_async (client, task, invalid, code, message, cancellable,
                                 sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_feedback_task_finish (client, result, error);
}

