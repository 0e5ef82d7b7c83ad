/* cs-client-solve.c: create a task, then poll it until it is done
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-client-private.h"

/* --- solve: create, then poll ------------------------------------------------
 *
 * The polls and the waits between them run under a cancellable of the
 * solve's own, which the caller's cancellable and the deadline both
 * cancel: the deadline then ends a poll that is still on its way, not
 * just the wait for the next one. createTask runs under the caller's
 * cancellable alone: interrupting it could leave a task created, and
 * billed, that the client never heard of.
 */

typedef struct {
  CsTask       *task;
  gint64        deadline;          /* monotonic µs */
  guint         transient_errors;
  GCancellable *cancellable;       /* polls and waits */
  GCancellable *caller_cancellable;
  gulong        caller_handler;
  GSource      *deadline_source;
  gboolean      deadline_passed;
  gboolean      wait_reaches_deadline;  /* the pending wait ends at the deadline */
} SolveData;

static void
solve_data_free (SolveData *data)
{
  if (data->caller_handler != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_handler);
  g_clear_object (&data->caller_cancellable);
  if (data->deadline_source != NULL)
    {
      g_source_destroy (data->deadline_source);
      g_source_unref (data->deadline_source);
    }
  g_clear_object (&data->cancellable);
  g_clear_object (&data->task);
  g_free (data);
}

static void
solve_caller_cancelled_cb (GCancellable *caller_cancellable,
                           GCancellable *cancellable)
{
  g_cancellable_cancel (cancellable);
}

static gboolean
solve_deadline_cb (gpointer user_data)
{
  SolveData *data = user_data;

  data->deadline_passed = TRUE;
  g_cancellable_cancel (data->cancellable);
  return G_SOURCE_REMOVE;
}

/* Starts the clock of one solve. The deadline source holds no reference
 * on the GTask; the task data destroys it. */
static void
solve_data_start (SolveData    *data,
                  GTask        *gtask,
                  CsClient     *client,
                  GCancellable *caller_cancellable)
{
  data->deadline = g_get_monotonic_time () + (gint64) client->deadline * 1000;
  data->cancellable = g_cancellable_new ();
  if (caller_cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (caller_cancellable);
      data->caller_handler = g_cancellable_connect (caller_cancellable,
                                                    G_CALLBACK (solve_caller_cancelled_cb),
                                                    g_object_ref (data->cancellable),
                                                    g_object_unref);
    }
  data->deadline_source = g_timeout_source_new (client->deadline);
  g_source_set_callback (data->deadline_source, solve_deadline_cb, data, NULL);
  g_source_attach (data->deadline_source, g_task_get_context (gtask));
}

static void solve_poll (GTask *gtask);

static void
solve_return_solution (GTask *gtask)
{
  SolveData *data = g_task_get_task_data (gtask);

  g_task_return_pointer (gtask, g_object_ref (cs_task_get_solution (data->task)),
                         g_object_unref);
}

static void
solve_return_timeout (GTask      *gtask,
                      const char *why)
{
  SolveData *data = g_task_get_task_data (gtask);

  g_task_return_new_error (gtask, CS_ERROR, CS_ERROR_TIMEOUT,
                           "task %s not ready: %s; solve it again to resume polling",
                           cs_task_get_task_id (data->task), why);
}

/* Ends the solve if the caller cancelled it or its deadline passed. */
static gboolean
solve_return_if_interrupted (GTask *gtask)
{
  CsClient *self = g_task_get_source_object (gtask);
  SolveData *data = g_task_get_task_data (gtask);
  g_autofree char *why = NULL;

  if (g_task_return_error_if_cancelled (gtask))
    return TRUE;
  if (!data->deadline_passed && g_get_monotonic_time () < data->deadline)
    return FALSE;

  why = g_strdup_printf ("the deadline of %u ms passed", self->deadline);
  solve_return_timeout (gtask, why);
  return TRUE;
}

static gboolean
solve_timer_cb (gpointer user_data)
{
  GTask *gtask = user_data;
  SolveData *data = g_task_get_task_data (gtask);

  /* A wait cut short to end at the deadline is the deadline, even when
   * the timer fires a fraction of a millisecond before the monotonic
   * clock gets there (remaining_ms is rounded down, and a timeout counts
   * from the context's cached time): never send a poll at the deadline. */
  if (data->wait_reaches_deadline)
    data->deadline_passed = TRUE;
  if (!solve_return_if_interrupted (gtask))
    solve_poll (g_object_ref (gtask));
  return G_SOURCE_REMOVE;
}

/* Waits on the operation's own context, never the global default one, so
 * the blocking wrapper and worker threads work; cancellation wakes it. */
static void
solve_schedule (GTask *gtask,
                guint  delay_ms)
{
  CsClient *self = g_task_get_source_object (gtask);
  SolveData *data = g_task_get_task_data (gtask);
  g_autoptr(GSource) timer = NULL;
  g_autoptr(GSource) cancel = NULL;
  gint64 remaining_ms = (data->deadline - g_get_monotonic_time ()) / 1000;

  if (cs_task_get_poll_count (data->task) >= self->max_polls)
    {
      g_autofree char *why = g_strdup_printf ("all %u polls were used", self->max_polls);

      solve_return_timeout (gtask, why);
      g_object_unref (gtask);
      return;
    }

  data->wait_reaches_deadline = (gint64) delay_ms >= remaining_ms;
  timer = g_timeout_source_new (MAX (0, MIN ((gint64) delay_ms, remaining_ms)));
  cancel = g_cancellable_source_new (data->cancellable);
  g_source_set_dummy_callback (cancel);
  g_source_add_child_source (timer, cancel);
  g_task_attach_source (gtask, timer, solve_timer_cb);
  /* the source holds the task through its callback data */
  g_source_set_callback (timer, solve_timer_cb, gtask, g_object_unref);
}

static void
solve_poll_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *gtask = user_data;
  CsClient *self = CS_CLIENT (source);
  SolveData *data = g_task_get_task_data (gtask);
  GError *error = NULL;

  if (!cs_client_get_task_result_finish (self, result, &error))
    {
      gboolean retry = !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
                       cs_task_get_status (data->task) != CS_TASK_STATUS_FAILED &&
                       cs_error_get_retry_class (error) == CS_RETRY_CLASS_TRANSIENT &&
                       ++data->transient_errors < MAX_TRANSIENT_POLL_ERRORS;

      if (retry)
        {
          g_debug ("poll of task %s failed, polling again: %s",
                   cs_task_get_task_id (data->task), error->message);
          g_error_free (error);
          solve_schedule (gtask, self->poll_interval);
          return;
        }
      /* a poll cancelled by the deadline is the deadline's error */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          solve_return_if_interrupted (gtask))
        g_error_free (error);
      else
        g_task_return_error (gtask, error);
      g_object_unref (gtask);
      return;
    }

  data->transient_errors = 0;
  if (cs_task_get_status (data->task) == CS_TASK_STATUS_READY)
    {
      solve_return_solution (gtask);
      g_object_unref (gtask);
      return;
    }
  solve_schedule (gtask, self->poll_interval);
}

static void
solve_poll (GTask *gtask)
{
  SolveData *data = g_task_get_task_data (gtask);

  cs_client_get_task_result_async (g_task_get_source_object (gtask), data->task,
                                   data->cancellable, solve_poll_cb, gtask);
}

static void
solve_create_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *gtask = user_data;
  CsClient *self = CS_CLIENT (source);
  SolveData *data = g_task_get_task_data (gtask);
  GError *error = NULL;

  if (!cs_client_create_task_finish (self, result, &error))
    {
      g_task_return_error (gtask, error);
      g_object_unref (gtask);
      return;
    }
  if (cs_task_get_status (data->task) == CS_TASK_STATUS_READY)
    {
      solve_return_solution (gtask);
      g_object_unref (gtask);
      return;
    }
  solve_schedule (gtask, self->first_poll_delay);
}

/**
 * cs_client_solve_async:
 * @client: a #CsClient
 * @task: the task to solve
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the task is solved or failed
 * @user_data: data for @callback
 *
 * Solves @task: sends `createTask` unless the task already has a task id,
 * then, unless the service answered at once, polls `getTaskResult` after
 * #CsClient:first-poll-delay and then every #CsClient:poll-interval until
 * the task is ready, fails, is cancelled, or #CsClient:deadline passes.
 * The task's #CsTask:status follows what the service reports.
 *
 * On %CS_ERROR_TIMEOUT the task keeps its task id: solving it again resumes
 * polling without creating a new task. The deadline interrupts a
 * `getTaskResult` request on its way, but never `createTask`: abandoning
 * that would leave a task created, and billed, with no id to resume. A transient failure of a single
 * poll (a dropped connection, an error page, `ERROR_SERVICE_UNAVALIABLE`)
 * is retried at the next interval, up to three times in a row.
 *
 * Since: 1.0
 */
void
cs_client_solve_async (CsClient            *client,
                       CsTask              *task,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *gtask;
  SolveData *data;

  g_return_if_fail (CS_IS_CLIENT (client));
  g_return_if_fail (CS_IS_TASK (task));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, cs_client_solve_async);

  data = g_new0 (SolveData, 1);
  data->task = g_object_ref (task);
  g_task_set_task_data (gtask, data, (GDestroyNotify) solve_data_free);
  solve_data_start (data, gtask, client, cancellable);

  if (cs_task_get_task_id (task) == NULL)
    {
      cs_client_create_task_async (client, task, cancellable, solve_create_cb, gtask);
      return;
    }
  if (cs_task_get_status (task) == CS_TASK_STATUS_READY && cs_task_get_solution (task) != NULL)
    {
      solve_return_solution (gtask);
      g_object_unref (gtask);
      return;
    }
  /* resuming: the first poll is due already */
  solve_schedule (gtask, 0);
}

/**
 * cs_client_solve_finish:
 * @client: a #CsClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Client.solve_async].
 *
 * Returns: (transfer full): the solution, also kept by the task
 *
 * Since: 1.0
 */
CsSolution *
cs_client_solve_finish (CsClient      *client,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cs_client_solve_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

