/* cs-client-plan.c: where to poll a task, learnt per task family
 *
 * A client keeps, for each task family it solves, how long its tasks take
 * to become ready: a histogram seeded with the family table's solve-time
 * distribution and fed with every task it sees ready (each observation
 * spread over the interval between the last poll that found the task
 * pending and the one that found it ready). From it comes a plan: the
 * times after createTask at which to poll. None before almost any task is
 * ready; then steps that shrink where tasks become ready densely (a step
 * proportional to 1/√density spends a fixed number of polls where they
 * shorten the wait most) and never exceed MAX_STEP_MS, so a late task is
 * not kept waiting long. The density factor is the smallest for which a
 * task costs, on average, no more polls than polling every second from
 * the first second would: the plan is always at least as thrifty as that
 * schedule, and returns tokens sooner.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "cs-client-private.h"

#define BIN_MS          50
#define N_BINS          3600      /* 180 s */
#define PRIOR_WEIGHT    32.0      /* the table's prior counts as this many tasks */
#define FIRST_POLL_P    0.01      /* no poll before this fraction is ready */
#define DENSITY_WINDOW  5         /* bins each side when reading a density */
#define MAX_STEPS       CS_MAX_POLLS_PER_TASK
#define BUDGET_FRACTION 0.98      /* of the polls of a 1-second schedule */

/* Types the table does not know: tokens in one to thirty seconds. */
static const CsTaskFamily unknown_family = {
  .name = "unknown",
  .solve_time = { 1000, 30000 },
};

struct _CsPollPlan
{
  float   mass[N_BINS];
  double  total;
  guint   observations;
  guint   planned_at;          /* observations when the steps were made */
  guint   n_steps;
  guint   steps[MAX_STEPS];    /* ms after createTask, ascending */
};

/* --- The distribution ------------------------------------------------------- */

/* The fraction of tasks ready within each bin edge: cdf[i] for i * BIN_MS. */
static void
plan_cdf (CsPollPlan *plan,
          double     *cdf)
{
  cdf[0] = 0.0;
  for (guint i = 0; i < N_BINS; i++)
    cdf[i + 1] = cdf[i] + plan->mass[i] / plan->total;
}

static double
cdf_at (const double *cdf,
        double        msec)
{
  double position = CLAMP (msec / BIN_MS, 0.0, (double) N_BINS);
  guint i = MIN ((guint) position, N_BINS - 1);

  return cdf[i] + (cdf[i + 1] - cdf[i]) * (position - i);
}

/* Tasks becoming ready per second around @msec. */
static double
density_at (const double *cdf,
            double        msec)
{
  double half = DENSITY_WINDOW * BIN_MS;

  return (cdf_at (cdf, msec + half) - cdf_at (cdf, msec - half)) / (2 * half / 1000.0);
}

static double
quantile (const double *cdf,
          double        p)
{
  for (guint i = 0; i < N_BINS; i++)
    if (cdf[i + 1] >= p)
      return (i + (cdf[i + 1] > cdf[i] ? (p - cdf[i]) / (cdf[i + 1] - cdf[i]) : 0.0)) * BIN_MS;
  return (double) N_BINS * BIN_MS;
}

/* --- The steps ------------------------------------------------------------------ */

/* Places the steps for density factor @k; returns the polls a task costs
 * on average (a poll after step t happens when the task was not ready at
 * t). */
static double
place_steps (const double *cdf,
             double        k,
             guint        *steps,
             guint        *n_steps)
{
  double t = MAX (quantile (cdf, FIRST_POLL_P), MIN_STEP_MS);
  double expected = 1.0;
  guint n = 0;

  while (n < MAX_STEPS)
    {
      double ready = cdf_at (cdf, t);
      double density = density_at (cdf, t);
      double step = density > 0 ? 1000.0 * k / sqrt (density) : MAX_STEP_MS;

      steps[n++] = (guint) t;
      if (ready >= 0.9999)
        break;
      expected += 1.0 - ready;
      t += CLAMP (step, MIN_STEP_MS, MAX_STEP_MS);
    }
  *n_steps = n;
  return expected;
}

/* The polls a task costs when polled every second from the first. */
static double
one_second_budget (const double *cdf)
{
  double expected = 0.0;

  for (guint second = 0; second * 1000 < N_BINS * BIN_MS; second++)
    expected += 1.0 - cdf_at (cdf, second * 1000.0);
  return expected;
}

static void
plan_make_steps (CsPollPlan *plan)
{
  g_autofree double *cdf = g_new (double, N_BINS + 1);
  double budget;
  double low = 0.001;
  double high = 10.0;

  plan_cdf (plan, cdf);
  budget = BUDGET_FRACTION * one_second_budget (cdf);
  /* the smallest factor, so the densest plan, within the budget */
  for (guint i = 0; i < 32; i++)
    {
      double k = (low + high) / 2;

      if (place_steps (cdf, k, plan->steps, &plan->n_steps) <= budget)
        high = k;
      else
        low = k;
    }
  place_steps (cdf, high, plan->steps, &plan->n_steps);
  plan->planned_at = plan->observations;
}

/* Spreads @weight over the bins of (@from_ms, @to_ms]. */
static void
plan_add (CsPollPlan *plan,
          double      from_ms,
          double      to_ms,
          double      weight)
{
  guint first = MIN ((guint) MAX (from_ms, 0.0) / BIN_MS, N_BINS - 1);
  guint last = MIN ((guint) MAX (to_ms, 0.0) / BIN_MS, N_BINS - 1);

  for (guint i = first; i <= last; i++)
    plan->mass[i] += weight / (last - first + 1);
  plan->total += weight;
}

static CsPollPlan *
plan_new (const CsTaskFamily *family)
{
  CsPollPlan *plan = g_new0 (CsPollPlan, 1);

  for (guint i = 0; i < N_BINS; i++)
    plan->mass[i] = PRIOR_WEIGHT * (_cs_task_family_solved_within (family, (i + 1) * BIN_MS) -
                                    _cs_task_family_solved_within (family, i * BIN_MS));
  plan->total = 0;
  for (guint i = 0; i < N_BINS; i++)
    plan->total += plan->mass[i];
  if (plan->total <= 0)
    plan_add (plan, 0, N_BINS * BIN_MS, PRIOR_WEIGHT);
  plan_make_steps (plan);
  return plan;
}

/* The plan of @task's family, made on first use; it lives as long as the
 * client, so a solve looks it up once. */
CsPollPlan *
_cs_client_plan_for_task (CsClient *client,
                          CsTask   *task)
{
  const char *type_name = cs_task_get_type_name (task);
  const CsTaskFamily *family = _cs_task_family_lookup (type_name, NULL);
  /* a task resumed from its id alone has no type */
  const char *key = family != NULL ? family->name : type_name != NULL ? type_name : "";
  CsPollPlan *plan;

  g_mutex_lock (&client->solve_lock);
  plan = g_hash_table_lookup (client->poll_plans, key);
  if (plan == NULL)
    {
      plan = plan_new (family != NULL ? family : &unknown_family);
      g_hash_table_insert (client->poll_plans, g_strdup (key), plan);
    }
  g_mutex_unlock (&client->solve_lock);
  return plan;
}

/* When to poll a task of @plan next, in ms after it was created: the plan's first
 * step after @now_ms, and at least MIN_STEP_MS after the last poll sent
 * at @last_ms (or now, for the first poll of a solve). */
gint64
_cs_client_plan_next_poll (CsClient   *client,
                           CsPollPlan *plan,
                           gint64      now_ms,
                           gint64      last_ms)
{
  gint64 next = now_ms + MAX_STEP_MS;

  /* the steps change when an observation remakes them */
  g_mutex_lock (&client->solve_lock);
  for (guint i = 0; i < plan->n_steps; i++)
    if (plan->steps[i] > now_ms)
      {
        next = plan->steps[i];
        break;
      }
  g_mutex_unlock (&client->solve_lock);
  return last_ms >= 0 ? MAX (next, last_ms + MIN_STEP_MS) : next;
}

/* A task of @plan was found ready by a poll sent @ready_ms after createTask, and
 * pending by the one sent at @pending_ms. */
void
_cs_client_plan_observe (CsClient   *client,
                         CsPollPlan *plan,
                         gint64      ready_ms,
                         gint64      pending_ms)
{
  g_mutex_lock (&client->solve_lock);
  plan_add (plan, pending_ms, ready_ms, 1.0);
  /* plans are remade as observations double, then every 25 % more */
  if (++plan->observations >= plan->planned_at + MAX (8, plan->planned_at / 4))
    plan_make_steps (plan);
  g_mutex_unlock (&client->solve_lock);
}

void
_cs_client_plan_init (CsClient *self)
{
  self->poll_plans = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
_cs_client_plan_clear (CsClient *self)
{
  g_clear_pointer (&self->poll_plans, g_hash_table_unref);
}
