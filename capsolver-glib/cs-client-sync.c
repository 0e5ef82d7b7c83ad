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

typedef struct {
  CsBlockingCall  blocking;   /* first: its context, kept by cs-client-call.c */
  GAsyncResult   *result;
} SyncCall;

/* A call that would create a task first reads the balance of an account
 * without money when its probe is due (cs-client-account.c): nothing
 * else of a program of blocking calls would. Each client of the chain
 * (CsClient:fallback) may get the task, up to the first that takes it:
 * those after it are not waited for. @task is NULL for a call that
 * creates none. */
static void
sync_call_begin (SyncCall *call,
                 CsClient *client,
                 CsTask   *task)
{
  call->result = NULL;
  _cs_client_blocking_call_begin (&call->blocking);
  if (task != NULL)
    {
      g_autoptr(GPtrArray) chain = _cs_client_dup_chain (client);

      for (guint i = 0; i < chain->len; i++)
        {
          CsClient *link = g_ptr_array_index (chain, i);

          _cs_client_probe_blocking (link);
          if (cs_client_get_account_state (link) == CS_ACCOUNT_STATE_USABLE &&
              _cs_client_would_send_task (link, task))
            break;
        }
    }
}

static void
sync_call_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SyncCall *call = user_data;

  call->result = g_object_ref (result);
  g_main_context_wakeup (call->blocking.context);
}

static GAsyncResult *
sync_call_wait (SyncCall *call)
{
  while (call->result == NULL || call->blocking.holds > 0)
    g_main_context_iteration (call->blocking.context, TRUE);
  _cs_client_blocking_call_end (&call->blocking);
  return call->result;
}

/**
 * cs_client_create_task:
 * @client: a [class@Client]
 * @task: the task to create
 * @cancellable: (nullable): a [class@Gio.Cancellable]
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

  sync_call_begin (&call, client, task);
  cs_client_create_task_async (client, task, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_create_task_finish (client, result, error);
}

/**
 * cs_client_get_task_result:
 * @client: a [class@Client]
 * @task: a task that has a task id
 * @cancellable: (nullable): a [class@Gio.Cancellable]
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

  sync_call_begin (&call, client, NULL);
  cs_client_get_task_result_async (client, task, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_get_task_result_finish (client, result, error);
}

/**
 * cs_client_solve:
 * @client: a [class@Client]
 * @task: the task to solve
 * @cancellable: (nullable): a [class@Gio.Cancellable]
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

  sync_call_begin (&call, client, task);
  cs_client_solve_async (client, task, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_solve_finish (client, result, error);
}

/**
 * cs_client_get_token:
 * @client: a [class@Client]
 * @task: a reCAPTCHA task to solve
 * @cancellable: (nullable): a [class@Gio.Cancellable]
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

  sync_call_begin (&call, client, task);
  cs_client_get_token_async (client, task, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_get_token_finish (client, result, error);
}

/**
 * cs_client_get_balance:
 * @client: a [class@Client]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for an error
 *
 * The blocking form of [method@Client.get_balance_async]. Blocking calls
 * that threads make at once for one account share one read too; a call
 * cancelled while it waits for another thread's read ends at once.
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
  g_autoptr(CsAccount) account = NULL;
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) local_error = NULL;
  CsReadTurn turn = CS_READ_ALONE;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  /* Threads that read at once share one read, as callers on one context
   * do: each blocking call runs its own context, which the asynchronous
   * form's sharing does not reach. */
  account = _cs_client_ref_account (client);
  if (account != NULL &&
      (balance = _cs_account_get_cached_balance (account, client->balance_cache_time)) != NULL)
    return g_steal_pointer (&balance);
  if (account != NULL)
    turn = _cs_account_begin_blocking_read (account, cancellable, &balance, error);
  if (turn == CS_READ_ANSWERED)
    return g_steal_pointer (&balance);

  sync_call_begin (&call, client, NULL);
  cs_client_get_balance_async (client, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  balance = cs_client_get_balance_finish (client, result, &local_error);
  if (turn == CS_READ_LEAD)
    _cs_account_end_blocking_read (account, balance, local_error);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return g_steal_pointer (&balance);
}

/**
 * cs_client_feedback_task:
 * @client: a [class@Client]
 * @task: a task that has a task id
 * @invalid: %TRUE if the site rejected the solution
 * @code: a code of your own for the outcome, or 0
 * @message: (nullable): a note of your own, or %NULL
 * @cancellable: (nullable): a [class@Gio.Cancellable]
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

  sync_call_begin (&call, client, NULL);
  cs_client_feedback_task_async (client, task, invalid, code, message, cancellable,
                                 sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_feedback_task_finish (client, result, error);
}

/**
 * cs_client_report:
 * @client: a [class@Client]
 * @task: a solved task that has a task id
 * @correct: %TRUE if the site took the solution, %FALSE if it rejected it
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for an error
 *
 * The blocking form of [method@Client.report_async].
 *
 * Returns: %TRUE if the provider took the report
 *
 * Since: 1.0
 */
gboolean
cs_client_report (CsClient      *client,
                  CsTask        *task,
                  gboolean       correct,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  SyncCall call;

  g_return_val_if_fail (CS_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (CS_IS_TASK (task), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  sync_call_begin (&call, client, NULL);
  cs_client_report_async (client, task, correct, cancellable, sync_call_done, &call);
  result = sync_call_wait (&call);
  return cs_client_report_finish (client, result, error);
}
