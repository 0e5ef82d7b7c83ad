/* cs-client-solve.c: create a task, then poll it until it is done
 *
 * Every solve waiting for its next poll sits in one binary heap per client
 * and main context, behind a single GSource whose ready time is the
 * earliest due poll: ten thousand waiting tasks cost one source, not ten
 * thousand timers. A solve is in the heap for its whole life: while it
 * waits, at its next poll (never later than its deadline); while a request
 * of it is on its way, at its deadline, so that the deadline ends it even
 * then.
 *
 * Polls are placed by a plan per task family (cs-client-plan.c) unless
 * the application set a fixed schedule. When what a poll saw changes the
 * plan, the solves waiting for a poll it placed are placed anew, so that
 * a burst's waiting tasks follow what its first polls taught at once.
 * A solve whose next poll could not be answered before its deadline is
 * polled once more, early enough to be (last_poll_time()): a task ready
 * after its last regular poll is not lost to the deadline.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-client-private.h"

/* --- Solves ------------------------------------------------------------------ */

typedef enum {
  SOLVE_WAITING_TICKET, /* for a place among the tasks in flight */
  SOLVE_WAITING,   /* for its next poll */
  SOLVE_CREATING,  /* its createTask is on its way */
  SOLVE_JOINING,   /* another call creates its task */
  SOLVE_POLLING,   /* a getTaskResult is on its way */
  SOLVE_FINISHED,
} SolveState;

typedef struct _Scheduler Scheduler;

typedef struct {
  CsTicket      ticket;           /* its place among the tasks in flight */
  CsAccount    *account;          /* the key's when it was submitted: its counters */
  GTask        *gtask;            /* not owned: the solve this is the data of */
  CsTask       *task;
  CsPollPlan   *plan;             /* of its family, the client's */
  Scheduler    *scheduler;
  SolveState    state;
  guint         heap_index;
  gint64        due;              /* monotonic µs */
  gint64        deadline;         /* monotonic µs */
  gint64        retention_end;    /* when the provider drops the task; 0: unknown */
  gint64        created;          /* monotonic µs; the plan counts from here */
  gint64        last_poll;        /* when the last poll was sent, or 0 */
  gint64        create_sent;      /* when its createTask was, or 0 */
  gint64        previous_poll;    /* the one before, or created */
  guint         plan_step;        /* polls of this solve so far */
  gint64        jitter;           /* µs, of its next poll */
  guint32       plan_key;         /* its own, for the plan: whether it watches */
  gboolean      replannable;      /* it waits for a poll the plan placed */
  gboolean      last_poll_placed; /* its one poll before the deadline is placed */
  guint         transient_errors;
  guint         outage_failures;  /* polls in a row that met an outage */
  GError       *outage_error;     /* the last of them, or the last no-slot refusal */
  gboolean      deadline_passed;
  gboolean      held_back;        /* the client held its createTask back */
  GCancellable *cancellable;      /* polls, and createTask while it waits */
  gulong        cancel_handler;
  GCancellable *caller_cancellable;
  gulong        caller_handler;
} SolveData;

struct _Scheduler
{
  GSource       source;
  CsClient     *client;           /* not owned: every solve holds it */
  GMainContext *context;          /* not owned: the source is attached to it */
  GPtrArray    *heap;             /* GTask of the solve, earliest due first */
  guint         n_solves;         /* registered solves, in the heap or not */
  gint          cancel_pending;   /* atomic: a solve's cancellable fired */
};

/* Spreads the polls of tasks created together over this many ms. */
#define POLL_JITTER_MS 40
/* The last poll before the deadline leaves it at most this long to come
 * back, unless the poll before took longer (last_poll_time()). */
#define LAST_POLL_LEAD_MAX_MS 1000

static void
solve_data_free (SolveData *data)
{
  if (data->caller_handler != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_handler);
  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->task);
  g_clear_error (&data->outage_error);
  g_clear_pointer (&data->account, _cs_account_unref);
  g_free (data);
}

static SolveData *
solve_data (GTask *gtask)
{
  return g_task_get_task_data (gtask);
}

/* --- The heap ------------------------------------------------------------------ */

static gboolean
heap_before (Scheduler *self,
             guint      a,
             guint      b)
{
  return solve_data (g_ptr_array_index (self->heap, a))->due <
         solve_data (g_ptr_array_index (self->heap, b))->due;
}

static void
heap_swap (Scheduler *self,
           guint      a,
           guint      b)
{
  gpointer *items = self->heap->pdata;
  gpointer item = items[a];

  items[a] = items[b];
  items[b] = item;
  solve_data (items[a])->heap_index = a;
  solve_data (items[b])->heap_index = b;
}

/* Moves the item at @i down below the items due before it. */
static void
heap_sift_down (Scheduler *self,
                guint      i)
{
  for (;;)
    {
      guint smallest = i;
      guint left = 2 * i + 1;

      if (left < self->heap->len && heap_before (self, left, smallest))
        smallest = left;
      if (left + 1 < self->heap->len && heap_before (self, left + 1, smallest))
        smallest = left + 1;
      if (smallest == i)
        return;
      heap_swap (self, i, smallest);
      i = smallest;
    }
}

static void
heap_sift (Scheduler *self,
           guint      i)
{
  while (i > 0 && heap_before (self, i, (i - 1) / 2))
    {
      heap_swap (self, i, (i - 1) / 2);
      i = (i - 1) / 2;
    }
  heap_sift_down (self, i);
}

/* Restores the heap after many dues changed. */
static void
heap_rebuild (Scheduler *self)
{
  for (guint i = self->heap->len / 2; i-- > 0;)
    heap_sift_down (self, i);
}

static void
heap_remove (Scheduler *self,
             GTask     *gtask)
{
  guint i = solve_data (gtask)->heap_index;
  guint last = self->heap->len - 1;

  if (i != last)
    heap_swap (self, i, last);
  g_ptr_array_remove_index (self->heap, last);
  solve_data (gtask)->heap_index = G_MAXUINT;
  if (i < self->heap->len)
    heap_sift (self, i);
}

static void
scheduler_update_ready_time (Scheduler *self)
{
  gint64 ready = self->heap->len > 0 ? solve_data (g_ptr_array_index (self->heap, 0))->due : -1;

  if (g_source_get_ready_time (&self->source) != ready)
    g_source_set_ready_time (&self->source, ready);
}

/* (Re)places a registered solve in the heap at @due, never after its
 * deadline. */
static void
scheduler_put (GTask  *gtask,
               gint64  due)
{
  SolveData *data = solve_data (gtask);
  Scheduler *self = data->scheduler;

  data->due = MIN (due, data->deadline);
  if (data->heap_index == G_MAXUINT)
    {
      data->heap_index = self->heap->len;
      g_ptr_array_add (self->heap, gtask);
    }
  heap_sift (self, data->heap_index);
  scheduler_update_ready_time (self);
}

/* --- The scheduler's source --------------------------------------------------- */

static void solve_due (GTask *gtask);
static void solve_end (GTask  *gtask,
                       GError *error);

/* Ends the waiting solves whose cancellable fired: a solve with a request
 * on its way is ended by that request instead. */
static void
scheduler_end_cancelled (Scheduler *self)
{
  g_autoptr(GPtrArray) cancelled = g_ptr_array_new ();

  for (guint i = 0; i < self->heap->len; i++)
    {
      GTask *gtask = g_ptr_array_index (self->heap, i);
      SolveData *data = solve_data (gtask);

      if ((data->state == SOLVE_WAITING || data->state == SOLVE_JOINING ||
           data->state == SOLVE_WAITING_TICKET) &&
          g_cancellable_is_cancelled (data->cancellable))
        g_ptr_array_add (cancelled, gtask);
    }
  for (guint i = 0; i < cancelled->len; i++)
    solve_end (g_ptr_array_index (cancelled, i), NULL);
}

static gboolean
scheduler_dispatch (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  Scheduler *self = (Scheduler *) source;
  gint64 now = g_get_monotonic_time ();

  /* the solves may end the scheduler: keep it until this returns */
  g_source_ref (source);
  if (g_atomic_int_compare_and_exchange (&self->cancel_pending, 1, 0))
    scheduler_end_cancelled (self);
  while (self->heap->len > 0 && solve_data (g_ptr_array_index (self->heap, 0))->due <= now)
    solve_due (g_ptr_array_index (self->heap, 0));
  if (!g_source_is_destroyed (source))
    scheduler_update_ready_time (self);
  g_source_unref (source);
  return G_SOURCE_CONTINUE;
}

static void
scheduler_finalize (GSource *source)
{
  Scheduler *self = (Scheduler *) source;

  g_ptr_array_unref (self->heap);
}

static GSourceFuncs scheduler_funcs = {
  NULL, NULL, scheduler_dispatch, scheduler_finalize, NULL, NULL,
};

/* The scheduler of the thread-default context, made on first use. */
static Scheduler *
scheduler_get (CsClient *client)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  Scheduler *self;

  g_mutex_lock (&client->solve_lock);
  self = g_hash_table_lookup (client->schedulers, context);
  if (self == NULL)
    {
      self = (Scheduler *) g_source_new (&scheduler_funcs, sizeof (Scheduler));
      g_source_set_static_name (&self->source, "CsClient scheduler");
      self->client = client;
      self->context = context;
      self->heap = g_ptr_array_new ();
      g_source_attach (&self->source, context);
      g_hash_table_insert (client->schedulers, context, self);
    }
  self->n_solves++;
  g_mutex_unlock (&client->solve_lock);
  g_main_context_unref (context);
  return self;
}

/* A scheduler with no solve left goes: a blocking call's private context
 * is about to. */
static void
scheduler_release (Scheduler *self)
{
  CsClient *client = self->client;
  gboolean last;

  g_mutex_lock (&client->solve_lock);
  last = --self->n_solves == 0;
  if (last)
    g_hash_table_remove (client->schedulers, self->context);
  g_mutex_unlock (&client->solve_lock);
  if (last)
    {
      g_source_destroy (&self->source);
      g_source_unref (&self->source);
    }
}

/* Runs in whatever thread cancels: only wakes the scheduler, which ends
 * the solve on its own context. */
static void
solve_cancelled_cb (GCancellable *cancellable,
                    Scheduler    *scheduler)
{
  g_atomic_int_set (&scheduler->cancel_pending, 1);
  g_source_set_ready_time (&scheduler->source, 0);
}

static void
solve_caller_cancelled_cb (GCancellable *caller_cancellable,
                           GCancellable *cancellable)
{
  g_cancellable_cancel (cancellable);
}

/* --- A solve's life -------------------------------------------------------------- */

/* The dialect of the provider that has the solve's task: a later client
 * of the chain may have created it (cs-client-methods.c). */
static const CsDialect *
solve_dialect (CsClient  *client,
               SolveData *data)
{
  CsProvider provider;

  if (_cs_task_get_known_provider (data->task, &provider))
    return _cs_dialect_get (provider);
  return client->dialect;
}

static GError *
timeout_error (GTask      *gtask,
               SolveState  state)
{
  CsClient *client = g_task_get_source_object (gtask);
  SolveData *data = solve_data (gtask);

  if (state == SOLVE_JOINING)
    return g_error_new (CS_ERROR, CS_ERROR_TIMEOUT,
                        "the deadline of %u ms passed while another call's createTask of "
                        "this task was on its way; that call will have its task id",
                        client->deadline);
  if (data->retention_end != 0 && data->deadline == data->retention_end)
    return g_error_new (CS_ERROR, CS_ERROR_TASKID_INVALID,
                        "task %s not ready %u s after it was created, when %s drops it; "
                        "polled again, it would be unknown: create a new task",
                        cs_task_get_task_id (data->task),
                        _cs_dialect_get_limits (solve_dialect (client, data))->retention_s,
                        _cs_dialect_get_name (solve_dialect (client, data)));
  if (cs_task_get_task_id (data->task) == NULL && data->outage_error != NULL)
    return g_error_new (CS_ERROR, CS_ERROR_TIMEOUT,
                        "the deadline of %u ms passed before the task was created (%s); "
                        "no task was created", client->deadline, data->outage_error->message);
  if (cs_task_get_task_id (data->task) == NULL)
    return g_error_new (CS_ERROR, CS_ERROR_TIMEOUT,
                        "the deadline of %u ms passed before the task was created; "
                        "no task was created", client->deadline);
  if (data->outage_error != NULL)
    return g_error_new (CS_ERROR, CS_ERROR_TIMEOUT,
                        "task %s not ready: the deadline of %u ms passed while the service "
                        "could not be reached (%s); solve it again to resume polling",
                        cs_task_get_task_id (data->task), client->deadline,
                        data->outage_error->message);
  return g_error_new (CS_ERROR, CS_ERROR_TIMEOUT,
                      "task %s not ready: the deadline of %u ms passed; solve it again "
                      "to resume polling", cs_task_get_task_id (data->task), client->deadline);
}

/* The one counter a solve that ends with @error (NULL: solved) adds to. */
static CsUsageField
solve_outcome (SolveData    *data,
               const GError *error)
{
  if (error == NULL)
    return CS_USAGE_SOLVED;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return CS_USAGE_CANCELLED;
  if (data->held_back && cs_task_get_task_id (data->task) == NULL)
    return CS_USAGE_NOT_SENT;
  return CS_USAGE_FAILED_PERMANENT + cs_error_get_retry_class (error);
}

/* Ends the solve with @error, or with its solution when @error is NULL
 * and the task has one; a cancelled solve ends cancelled, a solve past its
 * deadline with CS_ERROR_TIMEOUT. */
static void scheduler_replan (Scheduler  *self,
                              CsPollPlan *plan);

static void
solve_end (GTask  *gtask,
           GError *error)
{
  SolveData *data = solve_data (gtask);
  Scheduler *scheduler = data->scheduler;
  SolveState state = data->state;

  if (state == SOLVE_FINISHED)
    {
      g_clear_error (&error);
      return;
    }
  data->state = SOLVE_FINISHED;
  if (data->heap_index != G_MAXUINT)
    {
      heap_remove (scheduler, gtask);
      scheduler_update_ready_time (scheduler);
    }
  if (_cs_client_plan_end (g_task_get_source_object (gtask), data->plan, data->plan_key))
    scheduler_replan (scheduler, data->plan);

  if (error == NULL && data->caller_cancellable != NULL &&
      g_cancellable_is_cancelled (data->caller_cancellable))
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the solve was cancelled");
  else if (error == NULL && (data->deadline_passed || g_get_monotonic_time () >= data->deadline) &&
           cs_task_get_status (data->task) != CS_TASK_STATUS_READY)
    error = timeout_error (gtask, state);
  else if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
           data->deadline_passed &&
           (data->caller_cancellable == NULL ||
            !g_cancellable_is_cancelled (data->caller_cancellable)))
    {
      /* a request the deadline cut short is the deadline's error */
      g_error_free (error);
      error = timeout_error (gtask, state);
    }

  /* the scheduler may go: nothing may wake it any more */
  g_cancellable_disconnect (data->cancellable, data->cancel_handler);
  data->cancel_handler = 0;
  _cs_client_ticket_drop (g_task_get_source_object (gtask), &data->ticket);

  if (error == NULL && cs_task_get_solution (data->task) == NULL)
    error = g_error_new (CS_ERROR, CS_ERROR_PROTOCOL, "task %s ended without a solution",
                         cs_task_get_task_id (data->task));
  _cs_client_count_for (g_task_get_source_object (gtask), data->account,
                        solve_outcome (data, error), 1);
  if (error != NULL)
    g_task_return_error (gtask, error);
  else
    g_task_return_pointer (gtask, g_object_ref (cs_task_get_solution (data->task)),
                           g_object_unref);
  scheduler_release (scheduler);
  /* the solve's own reference, held since it started */
  g_object_unref (gtask);
}

/* The earliest the solve's next poll may be sent by its provider's
 * limits (cs-client-plan.c), whatever placed it. */
static gint64
poll_floor (CsClient  *client,
            SolveData *data)
{
  /* the task's last poll may be an earlier solve's, that timed out */
  gint64 last_poll = MAX (data->last_poll, _cs_task_get_last_poll_time (data->task));

  return _cs_client_plan_poll_floor (_cs_dialect_get_limits (solve_dialect (client, data)),
                                     cs_task_get_poll_count (data->task), last_poll,
                                     g_get_monotonic_time (), data->deadline);
}

/* When the next poll of the solve is due: on the fixed schedule, or by
 * its family's plan, a little late at random so that tasks created
 * together do not all poll together. */
static gint64
next_poll_time (CsClient  *client,
                SolveData *data)
{
  gint64 now = g_get_monotonic_time ();
  gint64 offset_ms;

  data->replannable = FALSE;
  if (!client->adaptive_polling)
    return now + (gint64) (data->plan_step == 0 ? client->first_poll_delay
                                                : client->poll_interval) * 1000;

  offset_ms = _cs_client_plan_next_poll (client, data->plan, (now - data->created) / 1000,
                                         data->last_poll != 0
                                         ? (data->last_poll - data->created) / 1000 : -1,
                                         data->plan_key);
  data->jitter = g_random_int_range (0, POLL_JITTER_MS * 1000);
  data->replannable = TRUE;
  return data->created + offset_ms * 1000 + data->jitter;
}

/* @plan changed: the solves waiting for a poll it placed, and that it now
 * places sooner, are placed anew, with the same jitter. No poll is added:
 * each still waits for one. */
static void
scheduler_replan (Scheduler  *self,
                  CsPollPlan *plan)
{
  CsClient *client = self->client;
  gint64 now = g_get_monotonic_time ();
  gboolean moved = FALSE;

  if (!client->adaptive_polling)
    return;
  for (guint i = 0; i < self->heap->len; i++)
    {
      SolveData *data = solve_data (g_ptr_array_index (self->heap, i));
      gint64 offset_ms, due;

      if (data->state != SOLVE_WAITING || !data->replannable || data->plan != plan)
        continue;
      offset_ms = _cs_client_plan_replan (client, plan, (now - data->created) / 1000,
                                          data->last_poll != 0
                                          ? (data->last_poll - data->created) / 1000 : -1,
                                          data->plan_key);
      /* sooner only: polls a plan made thinner are the next ones, else
       * the tasks a burst has not polled yet would wait on the first
       * polls of the others, for ever later */
      due = MAX (data->created + offset_ms * 1000 + data->jitter, poll_floor (client, data));
      if (due < data->due)
        {
          data->due = due;
          data->last_poll_placed = FALSE;
          moved = TRUE;
        }
    }
  if (moved)
    {
      heap_rebuild (self);
      scheduler_update_ready_time (self);
    }
}

/* Ends the solve when its task has had all its polls. The task is over
 * for the client: its status says so. */
static gboolean
solve_end_if_polls_spent (GTask *gtask)
{
  CsClient *client = g_task_get_source_object (gtask);
  SolveData *data = solve_data (gtask);
  /* the client's count, or the provider's if it answers fewer */
  const CsDialect *dialect = solve_dialect (client, data);
  guint limit = _cs_client_plan_poll_limit (_cs_dialect_get_limits (dialect), client->max_polls);

  if (cs_task_get_poll_count (data->task) < limit)
    return FALSE;
  _cs_task_set_status (data->task, CS_TASK_STATUS_FAILED);
  if (limit < client->max_polls)
    solve_end (gtask, g_error_new (CS_ERROR, CS_ERROR_POLLS_EXHAUSTED,
                                   "task %s not ready after the %u polls %s answers per task; "
                                   "polled again, its result would be lost: create a new task",
                                   cs_task_get_task_id (data->task), limit,
                                   _cs_dialect_get_name (dialect)));
  else
    solve_end (gtask, g_error_new (CS_ERROR, CS_ERROR_POLLS_EXHAUSTED,
                                   "task %s not ready after all %u polls the client allows; "
                                   "the service answers no more for it: create a new task",
                                   cs_task_get_task_id (data->task), client->max_polls));
  return TRUE;
}

/* Waits for the next poll, at @due. */
static void
solve_wait_until (GTask  *gtask,
                  gint64  due)
{
  SolveData *data = solve_data (gtask);

  if (solve_end_if_polls_spent (gtask))
    return;
  data->state = SOLVE_WAITING;
  scheduler_put (gtask, MAX (due, poll_floor (g_task_get_source_object (gtask), data)));
}

/* Waits for the next poll, at a time the plan does not place. */
static void
solve_wait_unplanned (GTask  *gtask,
                      gint64  due)
{
  solve_data (gtask)->replannable = FALSE;
  solve_wait_until (gtask, due);
}

/* When the solve's next poll, at @due by its schedule, could not be
 * answered before the deadline (sent later than the deadline less the
 * round trip of the poll before), the time of one last poll that can be,
 * or else @due. Called as a poll's reply arrives, or the task was created.
 *
 * The last poll leaves the deadline a lead of a quarter of the time left,
 * at most LAST_POLL_LEAD_MAX_MS, but at least two round trips of the poll
 * before. It is left out when that lead would be more than half the time
 * left (the deadline is less than four round trips away), so that it never
 * follows the poll before back to back: the poll before then stands for
 * the deadline. Before the first poll, the createTask's round trip stands
 * for a poll's. One per solve; a plan that places the poll sooner takes
 * it back (scheduler_replan()), and the next reply may place it again. */
static gint64
last_poll_time (SolveData *data,
                gint64     due)
{
  gint64 now = g_get_monotonic_time ();
  gint64 left = data->deadline - now;
  gint64 round_trip = 0;
  gint64 lead;

  if (data->last_poll != 0)
    round_trip = now - data->last_poll;
  else if (data->create_sent != 0)
    round_trip = data->created - data->create_sent;
  if (data->last_poll_placed || left <= 0 || due <= data->deadline - round_trip)
    return due;
  lead = MAX (MIN (left / 4, LAST_POLL_LEAD_MAX_MS * 1000), 2 * round_trip);
  if (2 * lead > left)
    return due;
  data->last_poll_placed = TRUE;
  return data->deadline - lead;
}

static void
solve_wait (GTask *gtask)
{
  SolveData *data = solve_data (gtask);

  solve_wait_until (gtask, last_poll_time (data, next_poll_time (g_task_get_source_object (gtask),
                                                                 data)));
}

static void
solve_poll_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *gtask = user_data;
  CsClient *client = CS_CLIENT (source);
  SolveData *data = solve_data (gtask);
  GError *error = NULL;

  if (!cs_client_get_task_result_finish (client, result, &error))
    {
      gboolean retry;

      if (_cs_client_poll_met_outage (result))
        {
          /* a poll is safe to repeat: the solve rides the outage out
           * until its deadline, backing off at a pace of its own, so that
           * the many solves it hit come back spread out; the task keeps
           * the status the service last gave */
          guint wait_ms = _cs_client_outage_backoff (++data->outage_failures,
                                                     client->outage_backoff,
                                                     client->outage_backoff *
                                                     OUTAGE_POLL_MAX_STEPS);

          g_debug ("poll of task %s met an outage (%u in a row), polling again in %u ms: %s",
                   cs_task_get_task_id (data->task), data->outage_failures, wait_ms,
                   error->message);
          g_clear_error (&data->outage_error);
          data->outage_error = error;
          solve_wait_unplanned (gtask, g_get_monotonic_time () + (gint64) wait_ms * 1000);
          return;
        }
      retry = !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
              cs_task_get_status (data->task) != CS_TASK_STATUS_FAILED &&
              cs_error_get_retry_class (error) == CS_RETRY_CLASS_TRANSIENT &&
              ++data->transient_errors < MAX_TRANSIENT_POLL_ERRORS;

      /* a cooldown the client enforces pauses the task, not ends it: it
       * exists, and the deadline ends the wait resumably */
      if (cs_error_get_retry_class (error) == CS_RETRY_CLASS_COOLDOWN &&
          cs_client_get_paused_for (client) > 0)
        retry = TRUE;
      if (!retry)
        {
          solve_end (gtask, error);
          return;
        }
      g_debug ("poll of task %s failed, polling again: %s",
               cs_task_get_task_id (data->task), error->message);
      g_error_free (error);
      solve_wait (gtask);
      return;
    }

  data->transient_errors = 0;
  data->outage_failures = 0;
  g_clear_error (&data->outage_error);
  /* ready or pending, what the poll saw teaches the plan; the others'
   * polls follow what it taught */
  if (_cs_client_plan_observe (client, data->plan,
                               (data->last_poll - data->created) / 1000,
                               (data->previous_poll - data->created) / 1000,
                               cs_task_get_status (data->task) == CS_TASK_STATUS_READY))
    scheduler_replan (data->scheduler, data->plan);
  if (cs_task_get_status (data->task) == CS_TASK_STATUS_READY)
    {
      solve_end (gtask, NULL);
      return;
    }
  solve_wait (gtask);
}

static void
solve_poll (GTask *gtask)
{
  CsClient *client = g_task_get_source_object (gtask);
  SolveData *data = solve_data (gtask);

  g_autoptr(CsClient) route = NULL;

  if (solve_end_if_polls_spent (gtask))
    return;
  /* the pause that matters is that of the client that has the task */
  route = _cs_client_route_task (client, data->task, NULL);
  if (cs_client_get_paused_for (route != NULL ? route : client) > 0)
    {
      /* sending would only fail: wait for the end of the pause, looking
       * again every second (cs_client_resume() may end it early) */
      data->state = SOLVE_WAITING;
      data->replannable = FALSE;
      scheduler_put (gtask, g_get_monotonic_time () + G_USEC_PER_SEC);
      return;
    }
  data->state = SOLVE_POLLING;
  data->previous_poll = data->last_poll != 0 ? data->last_poll : data->created;
  data->last_poll = g_get_monotonic_time ();
  data->plan_step++;
  /* the deadline still ends the solve while the request is on its way */
  scheduler_put (gtask, data->deadline);
  cs_client_get_task_result_async (client, data->task, data->cancellable, solve_poll_cb, gtask);
}

/* The scheduler calls this when the solve is due: its next poll, or its
 * deadline. */
static void
solve_due (GTask *gtask)
{
  SolveData *data = solve_data (gtask);

  if (g_get_monotonic_time () < data->deadline && data->state == SOLVE_WAITING)
    {
      solve_poll (gtask);
      return;
    }

  data->deadline_passed = TRUE;
  switch (data->state)
    {
    case SOLVE_CREATING:
    case SOLVE_POLLING:
      /* a poll on its way is cut short; a createTask that left is never
       * abandoned (it may have created a task, whose id must reach the
       * caller), one still waiting to leave is withdrawn */
      heap_remove (data->scheduler, gtask);
      g_cancellable_cancel (data->cancellable);
      break;
    default:
      solve_end (gtask, NULL);
      break;
    }
}

/* The task this solve created is polled no later than its provider keeps
 * it: the solve's deadline comes no later than that. */
static void
solve_keep_to_retention (GTask *gtask)
{
  SolveData *data = solve_data (gtask);
  const CsDialect *dialect = solve_dialect (g_task_get_source_object (gtask), data);
  gint64 end = _cs_client_plan_retention_end (_cs_dialect_get_limits (dialect), data->created);

  if (end >= data->deadline)
    return;
  data->retention_end = end;
  data->deadline = end;
}

/* After the task exists (or is ready already): poll it, or end. */
static void
solve_continue (GTask *gtask)
{
  SolveData *data = solve_data (gtask);

  if (cs_task_get_status (data->task) == CS_TASK_STATUS_READY &&
      cs_task_get_solution (data->task) != NULL)
    {
      solve_end (gtask, NULL);
      return;
    }
  data->created = g_get_monotonic_time ();
  solve_keep_to_retention (gtask);
  solve_wait (gtask);
}

static void solve_create_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data);
static void solve_begin_create (GTask *gtask);
static void solve_start (GTask *gtask);
static void solve_ticket_granted (CsTicket *ticket);
static void solve_wake_joined (GObject      *waiter,
                               const GError *error,
                               gboolean      sent);

/* Sends createTask for a task this solve marked as being created. */
static void
solve_create (GTask *gtask)
{
  SolveData *data = solve_data (gtask);

  data->state = SOLVE_CREATING;
  data->create_sent = g_get_monotonic_time ();
  _cs_client_create_task_started (g_task_get_source_object (gtask), data->task,
                                  data->caller_cancellable, data->cancellable,
                                  solve_create_cb, gtask);
}

static void
solve_create_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *gtask = user_data;
  SolveData *data = solve_data (gtask);
  GError *error = NULL;

  if (!cs_client_create_task_finish (CS_CLIENT (source), result, &error) &&
      _cs_client_create_was_refused (result))
    {
      /* nothing was created: the task waits for its turn in the client's
       * one pace of creates (cs-client-slots.c), unless its time is up */
      g_clear_error (&data->outage_error);
      data->outage_error = error;
      if (data->deadline_passed || g_cancellable_is_cancelled (data->cancellable))
        {
          solve_end (gtask, NULL);
          return;
        }
      g_debug ("createTask refused, the solve creates again in turn: %s", error->message);
      solve_begin_create (gtask);
      return;
    }
  if (error != NULL)
    {
      data->held_back = _cs_client_create_was_held_back (result);
      solve_end (gtask, error);
      return;
    }
  if (data->deadline_passed && cs_task_get_status (data->task) != CS_TASK_STATUS_READY)
    {
      solve_end (gtask, NULL);
      return;
    }
  solve_continue (gtask);
}

/* Creates the task, or waits for the call that creates it, or goes on
 * with the task another call created. */
static void
solve_begin_create (GTask *gtask)
{
  SolveData *data = solve_data (gtask);

  switch (_cs_task_begin_create (data->task, solve_wake_joined, G_OBJECT (gtask)))
    {
    case CS_CREATE_BEGUN:
      solve_create (gtask);
      break;
    case CS_CREATE_JOINED:
      data->state = SOLVE_JOINING;
      break;
    case CS_CREATE_DONE:
    default:
      solve_continue (gtask);
      break;
    }
}

/* How a createTask that solves waited for ended, for each of them. */
typedef struct {
  GTask    *gtask;
  GError   *error;   /* NULL: the task exists */
  gboolean  sent;
} CreateEnd;

static void
create_end_free (CreateEnd *end)
{
  g_object_unref (end->gtask);
  g_clear_error (&end->error);
  g_free (end);
}

static gboolean
solve_joined_cb (gpointer user_data)
{
  CreateEnd *end = user_data;
  GTask *gtask = end->gtask;
  SolveData *data = solve_data (gtask);

  if (data->state != SOLVE_JOINING)
    return G_SOURCE_REMOVE;
  if (cs_task_get_task_id (data->task) != NULL ||
      cs_task_get_status (data->task) == CS_TASK_STATUS_READY)
    solve_continue (gtask);
  else if (!end->sent)
    /* nothing left, or the service refused it: this solve creates the
     * task, or waits for the one that took it over */
    solve_begin_create (gtask);
  else
    solve_end (gtask, g_error_new (end->error->domain, end->error->code,
                                   "the createTask this solve waited for failed: %s",
                                   end->error->message));
  return G_SOURCE_REMOVE;
}

/* The createTask this solve joined ended (cs-task.c calls it in the thread
 * that ended it): the solve goes on, on its own context. */
static void
solve_wake_joined (GObject      *waiter,
                   const GError *error,
                   gboolean      sent)
{
  CreateEnd *end = g_new0 (CreateEnd, 1);

  end->gtask = G_TASK (g_object_ref (waiter));
  end->error = error != NULL ? g_error_copy (error) : NULL;
  end->sent = sent;
  g_main_context_invoke_full (g_task_get_context (end->gtask), G_PRIORITY_DEFAULT,
                              solve_joined_cb, end, (GDestroyNotify) create_end_free);
}

/**
 * cs_client_solve_async:
 * @client: a [class@Client]
 * @task: the task to solve
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the task is solved or failed
 * @user_data: data for @callback
 *
 * Solves @task: sends `createTask` unless the task already has a task id,
 * then, unless the service answered at once, polls `getTaskResult` until
 * the task is ready, fails, is cancelled, or [property@Client:deadline] passes.
 * The task's [property@Task:status] follows what the service reports.
 *
 * Polls are placed where tasks of the same family become ready, from what
 * the client has seen of them (see [property@Client:adaptive-polling]), or on the
 * fixed schedule of [property@Client:first-poll-delay] and [property@Client:poll-interval].
 *
 * A task is created once, whichever threads solve it: while its
 * `createTask` is on its way, another solve of the same task waits for it
 * and then polls the same task id. On %CS_ERROR_TIMEOUT the task keeps its
 * task id: solving it again resumes polling without creating a new task.
 *
 * When the next poll would come too late for its reply to arrive before
 * the deadline (later than the deadline less the round trip of the poll
 * before), the solve is polled once more instead, so that a task ready
 * since its last poll is not lost to the deadline: the deadline less a
 * quarter of the time left, at most 1 s before it, but at least two round
 * trips of the poll before. It is left out when that lead would be more
 * than half the time left, and there is one per solve; the waits of an
 * outage get none. The deadline stays hard: if that poll finds the task
 * pending, or its reply comes too late, the solve ends at the deadline
 * with %CS_ERROR_TIMEOUT, resumable as above.
 * The deadline interrupts a `getTaskResult` request on its way, and a
 * `createTask` still waiting for a connection, but never a `createTask`
 * that left: abandoning that would leave a task created, and billed, with
 * no id to resume. Cancelling ends the solve at once; a `createTask` it
 * sent completes in the background all the same (see
 * [method@Client.create_task_async]), and another solve that waits for
 * it goes on.
 *
 * A `createTask` the service refuses for want of a slot
 * (`ERROR_SERVICE_UNAVALIABLE`, `ERROR_NO_SLOT_AVAILABLE`,
 * `ERROR_THREADS_MAXIMUM`) created nothing, and is sent again: all the
 * creates of the client then leave one at a time, a wait apart that
 * starts at 0.5 s, doubles at each refusal up to 16 s and halves at each
 * task created, less a random part of up to half; after the last halving,
 * one create at a time may be on its way, then twice as many at each task
 * created, until none is held back. The deadline ends a
 * solve still waiting for its turn with %CS_ERROR_TIMEOUT.
 *
 * Polls are safe to repeat. A poll that meets an outage (a transport
 * failure, an HTTP 5xx, `ERROR_SERVICE_UNAVALIABLE`) is sent again after
 * a wait that doubles from 0.5 s up to 4 s, less a random part of up to
 * half, until the deadline; the task keeps the status the service last
 * gave, and at the deadline the %CS_ERROR_TIMEOUT names the last failure.
 * Another transient failure of a poll (a reply that is not the protocol)
 * is retried at the next poll; the third in a row ends the solve. When
 * [property@Client:max-polls] polls were used the solve ends with
 * %CS_ERROR_POLLS_EXHAUSTED, and the task's status is
 * %CS_TASK_STATUS_FAILED: the client polls it no more.
 *
 * With a [property@Client:fallback], the task is created by the first
 * client of the chain that can take it, and polled there: see that
 * property for when a task moves to the next client.
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
  g_task_set_check_cancellable (gtask, FALSE);
  /* the solve's own reference, until solve_end() */
  data = g_new0 (SolveData, 1);
  data->plan_key = g_random_int ();
  data->account = _cs_client_ref_account (client);
  _cs_client_count_for (client, data->account, CS_USAGE_SUBMITTED, 1);
  data->gtask = gtask;
  data->ticket.granted = solve_ticket_granted;
  data->task = g_object_ref (task);
  data->plan = _cs_client_plan_for_task (client, task);
  _cs_client_plan_begin (client, data->plan, data->plan_key);
  data->heap_index = G_MAXUINT;
  data->deadline = g_get_monotonic_time () + (gint64) client->deadline * 1000;
  data->cancellable = g_cancellable_new ();
  data->scheduler = scheduler_get (client);
  g_task_set_task_data (gtask, data, (GDestroyNotify) solve_data_free);

  data->cancel_handler = g_cancellable_connect (data->cancellable,
                                                G_CALLBACK (solve_cancelled_cb),
                                                data->scheduler, NULL);
  if (cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (cancellable);
      data->caller_handler = g_cancellable_connect (cancellable,
                                                    G_CALLBACK (solve_caller_cancelled_cb),
                                                    g_object_ref (data->cancellable),
                                                    g_object_unref);
    }

  if (!_cs_client_ticket_take (client, &data->ticket))
    {
      /* in the heap all the same, for a cancellation to find it */
      data->state = SOLVE_WAITING_TICKET;
      data->deadline = G_MAXINT64;
      scheduler_put (gtask, G_MAXINT64);
      return;
    }
  solve_start (gtask);
}

/* The solve has its place among the tasks in flight: its deadline starts
 * now. */
static gboolean
solve_ticket_cb (gpointer user_data)
{
  GTask *gtask = user_data;
  CsClient *client = g_task_get_source_object (gtask);
  SolveData *data = solve_data (gtask);

  if (data->state != SOLVE_WAITING_TICKET)
    return G_SOURCE_REMOVE;
  data->deadline = g_get_monotonic_time () + (gint64) client->deadline * 1000;
  solve_start (gtask);
  return G_SOURCE_REMOVE;
}

/* Under the client's slot_lock, in whatever thread freed the place: only
 * schedules the solve, on its own context. */
static void
solve_ticket_granted (CsTicket *ticket)
{
  SolveData *data = (SolveData *) ((char *) ticket - G_STRUCT_OFFSET (SolveData, ticket));
  g_autoptr(GSource) idle = g_idle_source_new ();

  g_source_set_callback (idle, solve_ticket_cb, g_object_ref (data->gtask), g_object_unref);
  g_source_attach (idle, g_task_get_context (data->gtask));
}

/* Creates the task, or waits for the call that creates it, or resumes it. */
static void
solve_start (GTask *gtask)
{
  SolveData *data = solve_data (gtask);
  CsTask *task = data->task;

  /* the deadline must reach a solve that waits for another's createTask */
  scheduler_put (gtask, data->deadline);
  /* whether to create is decided once, under the task's lock: a check
   * of the task id before it would let two threads both create */
  switch (_cs_task_begin_create (task, solve_wake_joined, G_OBJECT (gtask)))
    {
    case CS_CREATE_BEGUN:
      solve_create (gtask);
      break;
    case CS_CREATE_JOINED:
      data->state = SOLVE_JOINING;
      break;
    case CS_CREATE_DONE:
    default:
      if (cs_task_get_status (task) == CS_TASK_STATUS_READY &&
          cs_task_get_solution (task) != NULL)
        {
          solve_end (gtask, NULL);
          break;
        }
      /* resuming: the first poll is due already, as the provider's
       * limits allow after the last of an earlier solve */
      data->created = g_get_monotonic_time ();
      solve_wait_unplanned (gtask, data->created);
      break;
    }
}

/**
 * cs_client_solve_finish:
 * @client: a [class@Client]
 * @result: the [iface@Gio.AsyncResult] given to the callback
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
