/* cs-client-plan.c: where to poll a task, learnt per task family
 *
 * Per task family, an estimate of when its tasks become ready, learnt
 * from every poll (pending: right-censored; ready: interval-censored,
 * resolved by EM), and the polls it plans; the details follow the
 * includes.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-client-private.h"

/* A client keeps, for each task family it solves, an estimate of how long
 * its tasks take to become ready, and from it a plan of when to poll.
 *
 * The estimate is a hazard per 50 ms bin (of the tasks still pending at
 * the start of a bin, the share that become ready in it), made from what
 * every poll saw. A poll that finds a task pending says it was pending
 * over the bins since the poll before (the task is right-censored there,
 * and stays so if it never becomes ready); a poll that finds it ready
 * says it became ready somewhere between the poll before, or its
 * creation, and this one (interval-censored: a first poll that finds a
 * task ready says nothing of when in between). Turnbull's EM, in hazard
 * form, resolves the intervals: each is spread over its bins as the
 * current estimate has tasks become ready there, and the hazard is remade
 * from these and the tasks at risk. Because the hazard divides by the
 * tasks still pending, the first tasks of a burst to be ready do not make
 * the family look faster for the others. A bin's hazard is read over its
 * neighbours where few tasks were at risk in it (at the edge of what a
 * burst has reached), and where fewer than COVER_WEIGHT were, it is the
 * family table's, if the table holds where tasks were seen, or else
 * unknown, guessed from the last stretch seen. Every weight halves as
 * HALF_LIFE more tasks are seen ready, so old observations fade.
 *
 * The table stands in with its times × a scale fitted to what was seen
 * (the likeliest on a grid, or the nearest 1 that is nearly as likely
 * where tasks were only seen pending): a service ten times faster or
 * slower than the table is learnt within a burst, from the first tasks
 * seen ready or from all those seen pending past where the table has
 * them ready, and the plan reads the table rescaled beyond what was seen.
 *
 * The plan follows from the estimate, smoothed over a few tasks seen
 * ready: a task pending at t is polled next once the tasks ready since t
 * have waited, together, λ ms per task still pending (the step √(2λ/h)
 * that minimises wait + λ × polls: few polls where tasks are seldom
 * ready, many where they are, and late in the distribution, where few
 * remain to pay for them). Steps are MIN_STEP_MS at least, MAX_STEP_MS at
 * most over unknown bins, and longer than LAG_GUARD_MS only before
 * LATE_EDGE of the tasks are ready and while a step leaves at most LATE_P
 * of them waiting that long. λ is the smallest for which a task costs, by
 * the estimate, BUDGET_FRACTION of the polls of polling every second from
 * the first (the client's fixed 1-second schedule); the polls sent before
 * any task was seen ready count as they were, not as the plan, made
 * later, would have placed them. A task follows the plan from its own
 * last poll, so that the plan may change in between.
 *
 * Those steps minimise the mean lag; the goal is on the median. When by
 * the estimate fewer than MEDIAN_TARGET of the tasks would wait at most
 * DENSE_LAG_MS, the bins of highest hazard that hold up to DENSE_SHARE
 * of the tasks (the most tasks ready for the fewest polls) are dense: a
 * task ready in one waits at most DENSE_LAG_MS. They get as large a
 * share as a budget of DENSE_BUDGET of the 1-second schedule's polls
 * allows with the longest steps elsewhere, λ is then the smallest within
 * it, and the plan is kept if more tasks wait little so. Tasks that get
 * fewer than DENSE_MIN_POLLS polls get dense bins only once LEARNT tasks
 * (aged) were seen ready, within LEARNT_BUDGET of the 1-second schedule's.
 *
 * While no task of the family was ever seen ready, a poll that finds a
 * burst's task pending is spent for nothing: WATCH_SHARE of its tasks
 * (the same ones at each poll, by a key of their own) watch for the first
 * to be ready, at the plan's steps but no shorter than LAG_GUARD_MS once
 * the table is found too fast, and the others wait twice the plan's
 * first step, then as long again as their age; once a task is seen ready
 * they are due at once. A service slower than the table so costs a burst
 * a few polls a task before its first token, not a poll a second.
 *
 * Nothing is learnt where nobody polls, such as before the first step. So
 * a few polls probe there: on a geometric grid from PROBE_FIRST_MS, a
 * cell fewer than PROBE_LOOKS polls fell in lends it a task's next poll,
 * while the probes are at most PROBE_SHARE of the tasks (a task solved
 * alone is not probed). The looks do not age with the rest: a cell looked
 * at again each time what was seen fades would cost every burst polls
 * the plan's budget does not count, a quarter of a poll a task at most,
 * some 7 % of the 1-second schedule's where tasks take 3.5 polls, and
 * find what it found before. A family faster than its
 * table shows itself so within a burst: a probe that finds a task ready
 * before the plan's first step remakes the plan at once, and the tasks
 * not polled yet whose first step is then past are due at once. When
 * polls find tasks ready far more or far less often than the estimate
 * expects, the service changed its pace: the cells are looked at anew.
 */

#define BIN_MS          50
#define N_BINS          3600      /* 180 s */
#define HALF_LIFE       100.0     /* tasks seen ready, for a weight to halve */
#define PRIOR_WEIGHT    1.0       /* tasks the table's distribution counts as */
#define COVER_WEIGHT    8.0       /* tasks at risk in a bin for what they show to count */
#define EM_POOL_WEIGHT  64.0      /* tasks at risk a bin's hazard is read from */
#define EM_POOL_BINS    10        /* over at most this many bins each side */
#define POOL_DROP       0.5       /* of the tasks at risk in the second before */
#define MAX_HAZARD      0.5       /* per bin, so that a thin bin ends no distribution */
#define EM_ROUNDS       12
#define POOL_DEATHS     4.0       /* tasks ready the plan's smoothing spreads over */
#define MIN_POOL_BINS   5         /* at least this many bins each side */
#define POOL_BINS       40        /* at most this many */
#define LAG_GUARD_MS    900       /* a longer step leaves a task waiting too long */
#define LATE_EDGE       0.01      /* so it is taken only before this share is ready */
#define LATE_P          0.001     /* leaving at most this share waiting that long */
#define BUDGET_FRACTION 0.9       /* of the polls of the 1-second schedule */
#define MEDIAN_TARGET   0.55      /* of the tasks wait at most DENSE_LAG_MS, */
#define DENSE_SHARE     0.4       /* or else, where they are readiest, these */
#define DENSE_LAG_MS    300       /* wait at most this long for their poll, */
#define DENSE_BUDGET    0.97      /* within this much of the 1-second schedule's polls */
#define DENSE_SPARE     0.5       /* and this many polls a task below them, */
#define DENSE_MIN_POLLS 3.0       /* where they are this many at least, */
#define LEARNT          120.0     /* or tasks seen ready (aged), and then */
#define LEARNT_BUDGET   0.93      /* within this much where they are fewer */
#define LAMBDA_SLACK    1.1       /* λ stays while at most this much above its due */
#define PROBE_FIRST_MS  250
#define PROBE_RATIO     1.5
#define PROBE_LOOKS     6.0
#define PROBE_SHARE     0.25      /* probes per task planned, at most */
#define N_CELLS         16        /* the probe grid, to 250 ms × 1.5^16 ≈ 164 s */
#define SURPRISE_DECAY  0.98      /* per poll seen: the last fifty or so count */
#define SURPRISE_SIGMAS 4.0
#define MAX_DEATHS      1024      /* intervals kept; the lightest go first */
#define SPREAD_MS       2000      /* polls left at this pace to the deadline are spread, */
#define SPREAD_RESERVE  24        /* once down to this many */
#define WATCH_SHARE     0.4       /* of the tasks keep the plan's steps while none is ready */
#define WATCH_TASKS     16.0      /* tasks planned, for a share to watch for the others */
#define WATCH_STRETCH   1         /* the others wait as long again as their age */
#define SCALE_RATIO     1.15      /* the table's times are fitted × 1.15^k, */
#define SCALE_STEPS     21        /* k from -21 to 21: 1/19 to 19 */
#define SCALE_MARGIN    2.0       /* log-likelihood a scale may fall short of the best */
#define SCALE_FLOOR     1e-3      /* of the tasks, ready at any time */

/* Types the table does not know: tokens in one to thirty seconds. */
static const CsTaskFamily unknown_family = {
  .name = "unknown",
  .solve_time = { 1000, 30000 },
};

typedef struct _Curve Curve;

/* Tasks seen ready in bins [from, to). */
typedef struct {
  guint16 from;
  guint16 to;
  float   weight;
} Death;

struct _CsPollPlan
{
  const CsTaskFamily *family;
  /* weights are stored multiplied by gain, which grows as tasks are seen
   * ready: what was stored earlier weighs less */
  double      gain;
  /* what the client keeps is bounded: floats over the bins, and at most
   * MAX_DEATHS intervals, the same intervals merged */
  float       survived[N_BINS];   /* tasks seen pending over each bin */
  GArray     *deaths;             /* of Death, sorted up to n_sorted */
  guint       n_sorted;
  double      looks[N_CELLS];     /* polls sent in each probe cell, never aged */
  double      tasks;              /* tasks whose first poll was planned */
  double      probes;             /* and probes sent: PROBE_SHARE of them at most */
  float       hazard[N_BINS];     /* the estimate */
  guint8      unknown[N_BINS];    /* where it is a guess: steps stay short */
  guint8      seen[N_BINS];       /* where enough tasks were seen */
  double      expected_ready;     /* by the estimate, of the last polls seen */
  double      seen_ready;         /* and seen */
  guint       observations;
  guint       planned_at;         /* observations when the steps were made */
  gboolean    changed;            /* since the last observation */
  Curve      *curve;              /* what the plan reads */
  double      lambda;             /* ms of waiting a poll is worth */
  double      scale;              /* of the service's times to the table's */
  guint       first_ready;        /* the earliest bin a task was seen ready from */
  double      early_polls;        /* polls seen before it */
  guint       watchers;           /* solves in flight whose key makes them watch */
  gboolean    stale;              /* observed since it was remade, and unread */
  guint       remakes;
};

/* --- The estimate -------------------------------------------------------------- */

/* The table's share of tasks ready by bin @bin, its times × @scale. */
static double
prior_within (const CsTaskFamily *family,
              double              scale,
              guint               bin)
{
  return _cs_task_family_solved_within (family, (double) bin * BIN_MS / scale);
}

/* The log-likelihood of what was seen if the service took the table's
 * times × @scale: each bin a task was seen pending over, the chance it
 * stayed so; each interval a task was seen ready in, the chance it became
 * ready there, pending at its start. A small share spread evenly over the
 * bins stands in where the table has no task ready. */
static double
plan_likelihood (const CsPollPlan *plan,
                 double            scale,
                 guint             end,
                 double           *pending)
{
  double likelihood = 0;

  for (guint i = 0; i <= end; i++)
    pending[i] = log ((1.0 - SCALE_FLOOR) * (1.0 - prior_within (plan->family, scale, i)) +
                      SCALE_FLOOR * (1.0 - (double) i / N_BINS) + 1e-300);
  for (guint i = 0; i < end; i++)
    likelihood += plan->survived[i] * (pending[i + 1] - pending[i]);
  for (guint i = 0; i < plan->deaths->len; i++)
    {
      const Death *death = &g_array_index (plan->deaths, Death, i);

      likelihood += death->weight * log (-expm1 (pending[death->to] - pending[death->from]) +
                                         1e-300);
    }
  return likelihood / plan->gain;
}

/* The table's times are taken × the scale that explains best what was
 * seen, or 1 while it explains it about as well: a service ten times
 * faster or slower than the table shows itself within a burst, by the
 * first tasks seen ready or by tasks all seen pending past where the
 * table has them ready. Those say the service is at least that slow, not
 * how much slower: a slower service is taken as the least slow that
 * explains what was seen about as well. */
static void
plan_fit_scale (CsPollPlan *plan)
{
  g_autofree double *pending = g_new (double, N_BINS + 1);
  double likelihoods[2 * SCALE_STEPS + 1];
  int best = -SCALE_STEPS, chosen;

  guint end = 0;

  /* nothing was seen past the last bin a poll covered */
  for (guint i = 0; i < plan->deaths->len; i++)
    end = MAX (end, g_array_index (plan->deaths, Death, i).to);
  for (end = MAX (end, 1); end < N_BINS && plan->survived[end] > 0; end++)
    ;
  for (int k = -SCALE_STEPS; k <= SCALE_STEPS; k++)
    {
      likelihoods[k + SCALE_STEPS] = plan_likelihood (plan, pow (SCALE_RATIO, k), end, pending);
      if (likelihoods[k + SCALE_STEPS] > likelihoods[best + SCALE_STEPS])
        best = k;
    }
  chosen = best;
  if (likelihoods[SCALE_STEPS] >= likelihoods[best + SCALE_STEPS] - SCALE_MARGIN)
    chosen = 0;
  else if (best > 0)
    while (chosen > 1 &&
           likelihoods[chosen - 1 + SCALE_STEPS] >= likelihoods[best + SCALE_STEPS] - SCALE_MARGIN)
      chosen--;
  plan->scale = pow (SCALE_RATIO, chosen);
}

/* The table's hazard, its times × the plan's scale. */
static void
plan_prior_hazard (CsPollPlan *plan)
{
  for (guint i = 0; i < N_BINS; i++)
    {
      double before = prior_within (plan->family, plan->scale, i);
      double within = prior_within (plan->family, plan->scale, i + 1) - before;

      plan->hazard[i] = before < 1.0 ? MIN (within / (1.0 - before), MAX_HAZARD) : 0.0;
      plan->unknown[i] = before >= 1.0;
    }
}

/* Weights so large that a double loses the small ones are scaled back. */
static void
plan_rescale (CsPollPlan *plan)
{
  double factor = 1.0 / plan->gain;

  for (guint i = 0; i < N_BINS; i++)
    plan->survived[i] *= factor;
  for (guint i = 0; i < plan->deaths->len; i++)
    g_array_index (plan->deaths, Death, i).weight *= factor;
  plan->tasks *= factor;
  plan->probes *= factor;
  plan->early_polls *= factor;
  plan->gain = 1.0;
}

static int
death_compare (gconstpointer a,
               gconstpointer b)
{
  const Death *x = a;
  const Death *y = b;

  return x->from != y->from ? x->from - y->from : x->to - y->to;
}

/* Merges the same intervals, and drops those that weigh nothing any
 * more, or the lightest when too many are kept. */
static void
plan_prune_deaths (CsPollPlan *plan)
{
  double floor = plan->gain * 1e-4;
  guint kept = 0;

  g_array_sort (plan->deaths, death_compare);
  for (guint i = 0; i < plan->deaths->len; i++)
    {
      Death death = g_array_index (plan->deaths, Death, i);
      Death *last = kept > 0 ? &g_array_index (plan->deaths, Death, kept - 1) : NULL;

      if (last != NULL && last->from == death.from && last->to == death.to)
        last->weight += death.weight;
      else
        g_array_index (plan->deaths, Death, kept++) = death;
    }
  g_array_set_size (plan->deaths, kept);
  if (kept > MAX_DEATHS / 2)
    {
      /* halve until few enough weigh more than the floor */
      while (TRUE)
        {
          guint above = 0;

          for (guint i = 0; i < kept; i++)
            above += g_array_index (plan->deaths, Death, i).weight >= floor;
          if (above <= MAX_DEATHS / 2)
            break;
          floor *= 2;
        }
    }
  kept = 0;
  for (guint i = 0; i < plan->deaths->len; i++)
    {
      Death death = g_array_index (plan->deaths, Death, i);

      if (death.weight >= floor)
        g_array_index (plan->deaths, Death, kept++) = death;
    }
  g_array_set_size (plan->deaths, kept);
  plan->n_sorted = kept;
}

/* Which bins enough tasks were seen at risk in for what they show to
 * count; none from @end on. */
static void
plan_mark_seen (CsPollPlan   *plan,
                const double *at_risk,
                guint         end)
{
  double cover = COVER_WEIGHT * plan->gain;

  for (guint i = 0; i < end; i++)
    plan->seen[i] = at_risk[i + 1] - at_risk[i] >= cover;
  memset (plan->seen + end, FALSE, N_BINS - end);
}

/* The hazard of the last stretch seen before @seen_end that holds a few
 * tasks ready, up to 1 s: what an unknown bin after it is guessed to have. */
static double
last_stretch_hazard (const CsPollPlan *plan,
                     const double     *deaths,
                     const double     *at_risk,
                     guint             seen_end)
{
  guint from = seen_end;

  while (from > 0 && seen_end - from < 1000 / BIN_MS &&
         deaths[seen_end] - deaths[from] < POOL_DEATHS * plan->gain)
    from--;
  if (seen_end == 0 || at_risk[seen_end] <= at_risk[from])
    return 0.0;
  return CLAMP ((deaths[seen_end] - deaths[from]) / (at_risk[seen_end] - at_risk[from]), 0.0,
                MAX_HAZARD);
}

/* The hazard before bin @end from the deaths and tasks at risk seen
 * (cumulated over the bins) and the prior's. Where few tasks were seen, the prior's, if the
 * prior holds where they were (the tasks seen ready there are within a
 * factor of four of those it expects); else the bin is unknown, and its
 * hazard that of the last stretch seen with a few tasks ready in it. */
static void
plan_remake_hazard (CsPollPlan   *plan,
                    const double *deaths,
                    const double *at_risk,
                    const double *prior_deaths,
                    const double *prior_risk,
                    guint         end)
{
  double pool = EM_POOL_WEIGHT * plan->gain;
  double expected = 0, observed = 0;
  gboolean credible;
  guint seen_end = 0;
  guint guessed_after = G_MAXUINT;   /* the seen_end @guessed was read before */
  double guessed = 0.0;

  plan_mark_seen (plan, at_risk, end);
  for (guint i = 0; i < end; i++)
    if (plan->seen[i] && prior_risk[i + 1] > prior_risk[i])
      {
        expected += (at_risk[i + 1] - at_risk[i]) * (prior_deaths[i + 1] - prior_deaths[i]) /
                    (prior_risk[i + 1] - prior_risk[i]);
        observed += deaths[i + 1] - deaths[i];
      }
  expected /= plan->gain;
  observed /= plan->gain;
  credible = (observed + 2) <= 4 * (expected + 2) && (expected + 2) <= 4 * (observed + 2);

  for (guint i = 0; i < end; i++)
    {
      double prior = prior_risk[i + 1] - prior_risk[i];

      if (plan->seen[i])
        {
          /* the prior's few tasks too, where it holds, so that a hazard
           * no task shows yet is not taken for none */
          double prior_share = credible ? 1.0 : 0.0;
          double enough = pool;
          guint low = i, high = i + 1;

          /* a bin few were at risk in is read with the bins seen around
           * it; so is one with far fewer than the second before it, at
           * the edge of what a burst has reached: the polls of tasks
           * created together are spread over tens of ms, and a bin where
           * fewer happen to be at risk would draw whole intervals to it */
          for (guint j = i - MIN (i, 1000 / BIN_MS); j < i; j++)
            enough = MAX (enough, POOL_DROP * (at_risk[j + 1] - at_risk[j]));
          while (at_risk[high] - at_risk[low] < enough && high - low < 2 * EM_POOL_BINS + 1 &&
                 ((low > 0 && plan->seen[low - 1]) || (high < N_BINS && plan->seen[high])))
            {
              if (low > 0 && plan->seen[low - 1])
                low--;
              if (high < N_BINS && plan->seen[high])
                high++;
            }
          seen_end = i + 1;
          plan->unknown[i] = FALSE;
          plan->hazard[i] = CLAMP ((deaths[high] - deaths[low] +
                                    prior_share * (prior_deaths[high] - prior_deaths[low])) /
                                   (at_risk[high] - at_risk[low] +
                                    prior_share * (prior_risk[high] - prior_risk[low])),
                                   0.0, MAX_HAZARD);
        }
      else if (credible && prior > 0)
        {
          plan->unknown[i] = FALSE;
          plan->hazard[i] = MIN ((prior_deaths[i + 1] - prior_deaths[i]) / prior, MAX_HAZARD);
        }
      else
        {
          if (guessed_after != seen_end)
            {
              guessed = last_stretch_hazard (plan, deaths, at_risk, seen_end);
              guessed_after = seen_end;
            }
          plan->unknown[i] = TRUE;
          plan->hazard[i] = guessed;
        }
    }
}

/* The EM rounds: the deaths spread by the current hazard, then the hazard
 * remade from them, the tasks seen pending and the prior; then the
 * hazard the plan reads, smoothed. */
static void
plan_estimate (CsPollPlan *plan,
               double     *smooth)
{
  g_autofree double *ready = g_new (double, N_BINS + 1);       /* p̃, cumulated */
  g_autofree double *per_death = g_new (double, N_BINS + 1);   /* Σ w/P of the deaths over a bin */
  g_autofree double *per_later = g_new (double, N_BINS + 1);   /* Σ w·C(to)/P */
  g_autofree double *deaths = g_new (double, N_BINS + 1);      /* seen, cumulated */
  g_autofree double *at_risk = g_new (double, N_BINS + 1);     /* seen, cumulated */
  g_autofree double *prior_deaths = g_new (double, N_BINS + 1);
  g_autofree double *prior_risk = g_new (double, N_BINS + 1);
  double weight = PRIOR_WEIGHT * plan->gain;
  double enough = POOL_DEATHS * plan->gain;
  double trace = 1e-3 * plan->gain;
  double death_sum, alive;
  guint seen_to = 0;
  g_autofree double *mass = g_new (double, N_BINS);
  g_autofree double *spread = g_new (double, N_BINS);

  prior_deaths[0] = prior_risk[0] = 0.0;
  for (guint i = 0; i < N_BINS; i++)
    {
      double before = prior_within (plan->family, plan->scale, i);
      double within = prior_within (plan->family, plan->scale, i + 1) - before;

      prior_deaths[i + 1] = prior_deaths[i] + weight * within;
      prior_risk[i + 1] = prior_risk[i] + weight * (1.0 - before);
    }

  /* past the last bin a poll covered, no task was seen: no task is
   * ready or at risk there, and the rounds need not walk it */
  for (guint i = 0; i < plan->deaths->len; i++)
    seen_to = MAX (seen_to, g_array_index (plan->deaths, Death, i).to);
  for (guint i = N_BINS; i > seen_to; i--)
    if (plan->survived[i - 1] > 0)
      {
        seen_to = i;
        break;
      }

  for (guint round = 0; round < EM_ROUNDS; round++)
    {
      double later_sum = 0;

      death_sum = 0;
      alive = 1.0;

      /* p̃ of each bin, with a floor so that an interval the estimate
       * gives nothing to is spread evenly */
      ready[0] = 0.0;
      for (guint i = 0; i < seen_to; i++)
        {
          double h = MAX (plan->hazard[i], 0.0);

          ready[i + 1] = ready[i] + alive * h + 1e-12;
          alive *= 1.0 - h;
        }
      memset (per_death, 0, sizeof (double) * (seen_to + 1));
      memset (per_later, 0, sizeof (double) * (seen_to + 1));
      for (guint i = 0; i < plan->deaths->len; i++)
        {
          const Death *death = &g_array_index (plan->deaths, Death, i);
          double share = death->weight / (ready[death->to] - ready[death->from]);

          per_death[death->from] += share;
          per_death[death->to] -= share;
          per_later[death->from] += share * ready[death->to];
          per_later[death->to] -= share * ready[death->to];
        }
      deaths[0] = at_risk[0] = 0.0;
      for (guint i = 0; i < seen_to; i++)
        {
          death_sum += per_death[i];
          later_sum += per_later[i];
          /* a death in bin i; at risk in bin i if ready in it or later */
          deaths[i + 1] = deaths[i] + MAX ((ready[i + 1] - ready[i]) * death_sum, 0.0);
          at_risk[i + 1] = at_risk[i] + plan->survived[i] +
                           MAX (later_sum - ready[i] * death_sum, 0.0);
        }
      for (guint i = seen_to; i < N_BINS; i++)
        {
          deaths[i + 1] = deaths[i];
          at_risk[i + 1] = at_risk[i];
        }
      /* until the last round, only the bins the next reads */
      plan_remake_hazard (plan, deaths, at_risk, prior_deaths, prior_risk,
                          round + 1 < EM_ROUNDS ? seen_to : N_BINS);
    }

  /* For the plan, what is ready in each bin is spread over its
   * neighbours until the stretch holds a few tasks seen ready (and over
   * MIN_POOL_BINS at least): EM puts the tasks of an interval on few
   * bins, and a hazard read from one or two tasks would make the plan
   * jump over others. Only where enough tasks were seen, and from a few
   * bins before the first seen ready (the next may come a little sooner)
   * to the last, so that little spills into stretches seen empty; the
   * total is kept. */
  alive = 1.0;
  for (guint i = 0; i < N_BINS; i++)
    {
      double h = MAX (plan->hazard[i], 0.0);

      mass[i] = alive * h;
      alive *= 1.0 - h;
    }
  memcpy (spread, mass, sizeof (double) * N_BINS);
  for (guint start = 0; start < N_BINS;)
    {
      guint end = start, first, last;

      if (!plan->seen[start])
        {
          start++;
          continue;
        }
      while (end < N_BINS && plan->seen[end])
        end++;
      for (first = start; first < end && deaths[first + 1] - deaths[first] < trace; first++)
        ;
      for (last = end; last > first && deaths[last] - deaths[last - 1] < trace; last--)
        ;
      memset (per_death, 0, sizeof (double) * (N_BINS + 1));
      for (guint i = first; i < last; i++)
        {
          guint edge = MAX (start, first - MIN (first, MIN_POOL_BINS));
          guint low = MAX (i - MIN (i, MIN_POOL_BINS), edge);
          guint high = MIN (i + MIN_POOL_BINS + 1, last);

          while (deaths[high] - deaths[low] < enough && high - low < 2 * POOL_BINS + 1 &&
                 (low > edge || high < last))
            {
              low = MAX (low, edge + 1) - 1;
              high = MIN (high + 1, last);
            }
          per_death[low] += mass[i] / (high - low);
          per_death[high] -= mass[i] / (high - low);
        }
      death_sum = 0;
      for (guint i = start; i < last; i++)
        {
          death_sum += per_death[i];
          spread[i] = MAX (death_sum, 0.0);
        }
      start = end;
    }
  alive = 1.0;
  for (guint i = 0; i < N_BINS; i++)
    {
      smooth[i] = alive > 1e-12 ? CLAMP (spread[i] / alive, 0.0, MAX_HAZARD) : MAX_HAZARD;
      alive -= spread[i];
    }
}

/* --- The steps ------------------------------------------------------------------ */

struct _Curve {
  float   cdf[N_BINS + 1];       /* ready by each bin edge, by the smoothed hazard */
  guint16 unknown[N_BINS + 1];   /* unknown bins before each edge */
  double  guess_lambda;          /* λ for unknown bins: the prior's */
  double  dense_hazard;          /* a bin of this hazard or more is dense */
};

static void
curve_make (const CsPollPlan *plan,
            const double     *hazard,
            Curve            *curve)
{
  double alive = 1.0;

  curve->cdf[0] = 0.0;
  curve->unknown[0] = 0;
  for (guint i = 0; i < N_BINS; i++)
    {
      alive *= 1.0 - hazard[i];
      curve->cdf[i + 1] = 1.0 - alive;
      curve->unknown[i + 1] = curve->unknown[i] + plan->unknown[i];
    }
}

/* Whether bin @i is dense: known, and of a hazard no lower than the
 * dense ones'. */
static inline gboolean
bin_dense (const Curve *curve,
           guint        i)
{
  double pending = 1.0 - curve->cdf[i];

  return curve->dense_hazard < G_MAXDOUBLE && curve->unknown[i + 1] == curve->unknown[i] &&
         pending > 1e-4 &&
         curve->cdf[i + 1] - curve->cdf[i] >= curve->dense_hazard * pending;
}

/* The goal is on the median lag, and the steps that minimise the mean
 * lag leave it long where tasks are spread over a wide range: where the
 * hazard is highest, in the bins that hold @share of the tasks, a task
 * ready waits at most DENSE_LAG_MS, so that however long the steps are
 * elsewhere (LAG_GUARD_MS at most), half the tasks wait little. Those
 * bins cost the fewest polls per task they hold. The threshold is read
 * on a histogram of quarter octaves of hazard: one walk of the bins. */
#define DENSE_BUCKETS 96
static double
dense_threshold (const Curve *curve,
                 double       share)
{
  double mass[DENSE_BUCKETS] = { 0 };
  double sum = 0;

  if (share <= 0)
    return G_MAXDOUBLE;
  for (guint i = 0; i < N_BINS; i++)
    {
      double pending = 1.0 - curve->cdf[i];
      double ready = curve->cdf[i + 1] - curve->cdf[i];
      int bucket;

      if (ready <= 0 || pending <= 1e-4 || curve->unknown[i + 1] > curve->unknown[i])
        continue;
      bucket = CLAMP ((int) floor (-4 * log2 (ready / pending)), 0, DENSE_BUCKETS - 1);
      mass[bucket] += ready;
    }
  for (int bucket = 0; bucket < DENSE_BUCKETS; bucket++)
    {
      sum += mass[bucket];
      if (sum >= share)
        return exp2 (-(bucket + 1) / 4.0);
    }
  return 0.0;
}

/* Where a task pending at bin @t is polled next, for @lambda (ms of
 * waiting a poll is worth): once the tasks ready since @t have waited
 * @lambda per task still pending. At least MIN_STEP_MS on; at most
 * MAX_STEP_MS over unknown bins; longer than LAG_GUARD_MS only if almost
 * no task waits so long; MAX_STEP_MS when the estimate has every task
 * ready already (the task is late, or the estimate wrong). */
static guint
step_after (const Curve *curve,
            double       lambda,
            guint        t)
{
  const guint min_bins = MIN_STEP_MS / BIN_MS;
  const guint max_bins = MAX_STEP_MS / BIN_MS;
  const guint guard_bins = LAG_GUARD_MS / BIN_MS;
  const guint dense_bins = DENSE_LAG_MS / BIN_MS;
  guint next = MIN (t + min_bins, N_BINS);
  double area = 0;   /* ∫ cdf from t to next, in ms */

  if (t >= N_BINS)
    return t + max_bins;
  if (curve->cdf[t] >= 0.9999 && curve->unknown[N_BINS] == curve->unknown[t])
    return t + max_bins;
  for (guint i = t; i < next; i++)
    area += ((double) curve->cdf[i] + curve->cdf[i + 1]) / 2 * BIN_MS;
  for (; next < N_BINS; area += ((double) curve->cdf[next] + curve->cdf[next + 1]) / 2 * BIN_MS,
       next++)
    {
      double waited = area - (next - t) * BIN_MS * (double) curve->cdf[t];
      /* where the estimate is a guess, a poll is worth no less than the
       * family's table made it */
      double worth = curve->unknown[next] > curve->unknown[t] ? MAX (lambda, curve->guess_lambda)
                                                              : lambda;

      if (waited >= worth * (1.0 - curve->cdf[next]))
        break;
      /* the bins about to be covered */
      if (next + 1 - t > max_bins && curve->unknown[next + 1] > curve->unknown[t])
        break;
      /* a task ready in a dense bin waits at most DENSE_LAG_MS */
      if (next + 1 - t > dense_bins && bin_dense (curve, next - dense_bins))
        break;
      if (next + 1 - t > guard_bins &&
          (curve->cdf[next + 1 - guard_bins] - curve->cdf[t] > LATE_P ||
           curve->cdf[next + 1 - guard_bins] > LATE_EDGE))
        break;
    }
  return next;
}

/* Whether @early polls and those a task costs on average when it
 * follows @lambda from its creation (a poll after bin t happens when the
 * task was not ready at t), those placed from bin @from on only, are
 * within @budget. The count only grows: it stops once over. */
static gboolean
within_budget (const Curve *curve,
               double       lambda,
               guint        from,
               double       early,
               double       budget)
{
  guint t = step_after (curve, lambda, 0);
  double expected = t >= from ? 1.0 : 0.0;

  while (t < N_BINS && !(curve->cdf[t] >= 0.9999 && curve->unknown[N_BINS] == curve->unknown[t]) &&
         early + expected <= budget)
    {
      guint next = step_after (curve, lambda, t);

      /* where the estimate is a guess, the polls are not counted: a
       * budget made of them would buy polls where it is not */
      if (curve->unknown[t] == curve->unknown[t - 1] && next >= from)
        expected += 1.0 - curve->cdf[t];
      t = next;
    }
  return early + expected <= budget;
}

/* The polls a task costs when polled every second from the first. */
static double
one_second_budget (const Curve *curve)
{
  double expected = 0.0;

  for (guint second = 0; second * 1000 < N_BINS * BIN_MS; second++)
    {
      guint t = second * 1000 / BIN_MS;

      if (t == 0 || curve->unknown[t] == curve->unknown[t - 1])
        expected += 1.0 - curve->cdf[t];
    }
  return expected;
}

#define LOG_LAMBDA_LOW  log (0.01)
#define LOG_LAMBDA_HIGH log (1e6)

/* The smallest λ within @budget, to 0.1 %: steps are whole bins, and
 * each try walks the whole curve. */
static double
lambda_within (const Curve *curve,
               guint        first,
               double       early,
               double       budget)
{
  double low = LOG_LAMBDA_LOW;
  double high = LOG_LAMBDA_HIGH;

  while (high - low > 1e-3)
    {
      double middle = (low + high) / 2;

      if (within_budget (curve, exp (middle), first, early, budget))
        high = middle;
      else
        low = middle;
    }
  return exp (high);
}

/* The share of the tasks that wait at most DENSE_LAG_MS for the poll
 * that finds them ready, by the estimate, when the plan follows
 * @lambda from their creation. */
static double
within_goal (const Curve *curve,
             double       lambda)
{
  const guint goal_bins = DENSE_LAG_MS / BIN_MS;
  guint t = 0;
  double share = 0;

  while (t < N_BINS)
    {
      guint next = MIN (step_after (curve, lambda, t), N_BINS);

      share += curve->cdf[next] - curve->cdf[MAX (t, next - MIN (next, goal_bins))];
      t = next;
    }
  return share;
}

/* The largest share of the tasks, up to DENSE_SHARE, whose dense bins
 * the budget allows, to 1/64 of DENSE_SHARE: 0 if none. */
static double
dense_share (Curve  *curve,
             guint   first,
             double  early,
             double  budget)
{
  double low = 0, high = DENSE_SHARE;

  curve->dense_hazard = dense_threshold (curve, high);
  if (within_budget (curve, exp (LOG_LAMBDA_HIGH), first, early, budget))
    return high;
  while (high - low > DENSE_SHARE / 64)
    {
      double middle = (low + high) / 2;

      curve->dense_hazard = dense_threshold (curve, middle);
      if (within_budget (curve, exp (LOG_LAMBDA_HIGH), first, early, budget))
        low = middle;
      else
        high = middle;
    }
  curve->dense_hazard = G_MAXDOUBLE;
  return low;
}

static void
plan_remake (CsPollPlan *plan)
{
  Curve *curve = plan->curve;
  double budget, scale, early, lambda, goal, second;
  double ready_seen = 0;
  gboolean learnt;
  guint first;

  g_autofree double *smooth = g_new (double, N_BINS);

  plan_prune_deaths (plan);
  scale = plan->scale;
  plan_fit_scale (plan);
  /* the EM starts again from the table at its new scale: from the old,
   * it would spread what the first polls saw ready over all the time
   * before them */
  if (fabs (log (plan->scale / scale)) > 0.01)
    plan_prior_hazard (plan);
  plan_estimate (plan, smooth);
  curve_make (plan, smooth, curve);
  /* a task costs one poll at least; what the tasks were sent before any
   * was seen ready counts as it was (a burst against a service slower
   * than the table polls where the plan, made later, would not) */
  budget = MAX (BUDGET_FRACTION * one_second_budget (curve), 1.0 + 1e-3);
  first = plan->first_ready < N_BINS ? plan->first_ready : 0;
  early = first > 0 && plan->tasks > 0 ? plan->early_polls / plan->tasks : 0.0;
  /* the smallest λ, so the densest plan, within the budget, to 0.1 %:
   * steps are whole bins, and each try walks the whole curve */
  curve->dense_hazard = G_MAXDOUBLE;
  lambda = lambda_within (curve, first, early, budget);
  /* if those steps leave the median lag long, the dense bins' are
   * bounded, where the budget allows it */
  goal = within_goal (curve, lambda);
  second = one_second_budget (curve);
  /* tasks that get fewer than DENSE_MIN_POLLS polls are left to the
   * mean's steps while the estimate is rough (a first burst's); once it
   * has seen a burst's worth of tasks ready, they get dense bins too (half
   * a poll a task below the 1-second schedule's would leave them none) */
  for (guint i = 0; i < plan->deaths->len; i++)
    ready_seen += g_array_index (plan->deaths, Death, i).weight;
  learnt = ready_seen >= LEARNT * plan->gain;
  if (goal < MEDIAN_TARGET && (second >= DENSE_MIN_POLLS || learnt))
    {
      double wider = MAX (budget, MIN (DENSE_BUDGET * second, second - DENSE_SPARE));
      double share;

      if (second < DENSE_MIN_POLLS)
        wider = MAX (wider, LEARNT_BUDGET * second);
      share = dense_share (curve, first, early, wider);

      if (share > 0)
        {
          double dense_lambda;

          curve->dense_hazard = dense_threshold (curve, share);
          dense_lambda = lambda_within (curve, first, early, wider);
          /* kept only if more tasks wait little so */
          if (within_goal (curve, dense_lambda) > goal)
            lambda = dense_lambda;
          else
            curve->dense_hazard = G_MAXDOUBLE;
        }
    }
  /* λ is kept while no smaller than the estimate calls for, and not much
   * larger: a task follows the λ of the moment from its last poll, and a
   * λ that followed every wave of the estimate down would spend again, on
   * the tasks in flight, the polls the wave saves a new task before them */
  if (plan->lambda < lambda || plan->lambda > LAMBDA_SLACK * lambda)
    plan->lambda = lambda;
  plan->planned_at = plan->observations;
  plan->changed = TRUE;
  plan->stale = FALSE;
  plan->remakes++;
}

static CsPollPlan *
plan_new (const CsTaskFamily *family)
{
  CsPollPlan *plan = g_new0 (CsPollPlan, 1);

  plan->family = family;
  plan->gain = 1.0;
  plan->scale = 1.0;
  plan->first_ready = N_BINS;
  plan->curve = g_new (Curve, 1);
  plan->deaths = g_array_new (FALSE, FALSE, sizeof (Death));
  plan_prior_hazard (plan);
  plan->curve->guess_lambda = 0;
  plan->curve->dense_hazard = G_MAXDOUBLE;
  plan_remake (plan);
  plan->curve->guess_lambda = plan->lambda;
  return plan;
}

static void
plan_free (gpointer data)
{
  CsPollPlan *plan = data;

  g_free (plan->curve);
  g_array_unref (plan->deaths);
  g_free (plan);
}

/* --- Probes --------------------------------------------------------------------- */

static guint
cell_start (guint cell)
{
  return (guint) (PROBE_FIRST_MS * pow (PROBE_RATIO, cell));
}

static int
cell_of (gint64 msec)
{
  int cell = N_CELLS - 1;

  while (cell >= 0 && msec < cell_start (cell))
    cell--;
  return cell;
}

/* --- Changes of pace ----------------------------------------------------------- */

/* Whether the polls seen lately, this one included (it covered bins
 * [@from, @to) of a task pending at @from), found tasks ready far more or
 * far less often than the estimate expects. */
static gboolean
plan_surprised (CsPollPlan *plan,
                guint       from,
                guint       to,
                gboolean    ready)
{
  const Curve *curve = plan->curve;
  double pending = 1.0 - curve->cdf[from];

  /* where the estimate is a guess, it expects nothing */
  if (curve->unknown[to] > curve->unknown[from] || pending < 1e-6)
    return FALSE;
  plan->expected_ready = plan->expected_ready * SURPRISE_DECAY +
                         CLAMP ((curve->cdf[to] - curve->cdf[from]) / pending, 0.0, 1.0);
  plan->seen_ready = plan->seen_ready * SURPRISE_DECAY + (ready ? 1.0 : 0.0);
  return fabs (plan->seen_ready - plan->expected_ready) >
         SURPRISE_SIGMAS * sqrt (plan->expected_ready + 1.0);
}

/* --- The client's side -------------------------------------------------------- */

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

/* Whether a solve of @key is of the share that watches for the first
 * task ready while none was. */
static gboolean
key_watches (guint32 key)
{
  return key < (guint32) (WATCH_SHARE * G_MAXUINT32);
}

/* A solve of @key starts polling by @plan. */
void
_cs_client_plan_begin (CsClient   *client,
                       CsPollPlan *plan,
                       guint32     key)
{
  if (!key_watches (key))
    return;
  g_mutex_lock (&client->solve_lock);
  plan->watchers++;
  g_mutex_unlock (&client->solve_lock);
}

/* It ended. Returns whether the plan changed: the last watcher gone, the
 * others wait for nobody and are due at the plan's steps. */
gboolean
_cs_client_plan_end (CsClient   *client,
                     CsPollPlan *plan,
                     guint32     key)
{
  gboolean changed;

  if (!key_watches (key))
    return FALSE;
  g_mutex_lock (&client->solve_lock);
  plan->watchers--;
  changed = plan->watchers == 0 && plan->first_ready == N_BINS;
  g_mutex_unlock (&client->solve_lock);
  return changed;
}

/* The plan's next poll of a task pending since @last_ms (-1: not polled
 * yet), after @now_ms. */
static gint64
plan_step_from (CsPollPlan *plan,
                gint64      now_ms,
                gint64      last_ms,
                guint32     key)
{
  gint64 earliest = MAX (now_ms + 1, last_ms >= 0 ? last_ms + MIN_STEP_MS : PROBE_FIRST_MS);
  gboolean watcher = key_watches (key);
  guint step;

  /* a task follows the plan from its own last poll, so that the plan may
   * change between two of its polls */
  if (last_ms >= 0)
    step = step_after (plan->curve, plan->lambda, (guint) MIN (last_ms / BIN_MS, N_BINS));
  else
    step = step_after (plan->curve, plan->lambda, 0);
  /* a task not polled yet, or that waited for the watchers since before
   * the first task was seen ready, is due at once when the plan's step
   * for it is past: a probe found the service faster than the plan was */
  if (plan->first_ready == N_BINS ||
      (last_ms >= 0 && (watcher || last_ms / BIN_MS >= plan->first_ready)))
    while ((gint64) step * BIN_MS <= now_ms)
      step = step_after (plan->curve, plan->lambda, step);
  /* while no task of the family was seen ready, a burst's polls that
   * find none ready are spent for nothing: a share of its tasks, the same
   * at each poll, watches for the first to be ready at the plan's steps,
   * and the others wait twice the first step, then as long again as their
   * age, to be placed anew the moment one is seen ready */
  if (plan->first_ready == N_BINS && plan->tasks >= WATCH_TASKS * plan->gain &&
      plan->watchers > 0 && step < N_BINS && !plan->seen[step] && !watcher)
    step = last_ms < 0 ? 2 * step
                       : MAX (step, (guint) ((last_ms + last_ms / WATCH_STRETCH) / BIN_MS));
  /* and the watchers, once the table is found too fast, need steps no
   * shorter than keep the lag of the first tasks ready within the guard */
  else if (plan->first_ready == N_BINS && plan->scale > 1.0 && last_ms >= 0 &&
           plan->tasks >= WATCH_TASKS * plan->gain && step < N_BINS && !plan->seen[step])
    step = MAX (step, (guint) ((last_ms + LAG_GUARD_MS) / BIN_MS));
  return MAX ((gint64) step * BIN_MS, earliest);
}

/* When to poll a task of @plan next, in ms after it was created: the
 * plan's step from the last poll, sent at @last_ms (-1: none yet), after
 * @now_ms and at least MIN_STEP_MS after the last poll; or sooner, in a
 * probe cell that has seen too few polls. */
gint64
_cs_client_plan_next_poll (CsClient   *client,
                           CsPollPlan *plan,
                           gint64      now_ms,
                           gint64      last_ms,
                           guint32     key)
{
  gint64 earliest = MAX (now_ms + 1, last_ms >= 0 ? last_ms + MIN_STEP_MS : PROBE_FIRST_MS);
  gint64 next;
  int cell;

  g_mutex_lock (&client->solve_lock);
  if (plan->stale)
    plan_remake (plan);
  next = plan_step_from (plan, now_ms, last_ms, key);
  if (last_ms < 0)
    plan->tasks += plan->gain;
  /* probes are lent by the tasks of a burst, a few of them: a task solved
   * alone pays for every poll it is sent, and a probe would seldom find it
   * ready (the table has none ready there) */
  for (int c = MAX (cell_of (earliest), 0);
       c < N_CELLS && plan->probes + plan->gain <= PROBE_SHARE * plan->tasks; c++)
    {
      gint64 probe_ms = MAX (earliest, (gint64) cell_start (c));

      if (probe_ms + MIN_STEP_MS > next)
        break;
      if (probe_ms < cell_start (c + 1) && plan->looks[c] < PROBE_LOOKS)
        {
          next = probe_ms;
          plan->probes += plan->gain;
          break;
        }
    }
  cell = cell_of (next);
  if (cell >= 0)
    plan->looks[cell] += 1.0;
  g_mutex_unlock (&client->solve_lock);
  return next;
}

/* The next poll of a task waiting for one the plan placed before it
 * changed: the plan's step from its last poll, as _cs_client_plan_next_poll()
 * would place it now, without probing or counting it again. */
gint64
_cs_client_plan_replan (CsClient   *client,
                        CsPollPlan *plan,
                        gint64      now_ms,
                        gint64      last_ms,
                        guint32     key)
{
  gint64 next;

  g_mutex_lock (&client->solve_lock);
  if (plan->stale)
    plan_remake (plan);
  next = plan_step_from (plan, now_ms, last_ms, key);
  g_mutex_unlock (&client->solve_lock);
  return next;
}

/* A poll of a task of @plan sent @poll_ms after createTask found it
 * @ready, or pending; the poll before it, at @previous_ms (0: none),
 * found it pending. Returns whether the plan changed: the polls it placed
 * before are due for a new place. */
gboolean
_cs_client_plan_observe (CsClient   *client,
                         CsPollPlan *plan,
                         gint64      poll_ms,
                         gint64      previous_ms,
                         gboolean    ready)
{
  guint from = (guint) CLAMP ((previous_ms + BIN_MS / 2) / BIN_MS, 0, N_BINS - 1);
  guint to = (guint) CLAMP ((poll_ms + BIN_MS / 2) / BIN_MS, 0, N_BINS);
  gboolean changed, remake = FALSE;

  /* the first poll of a solve that resumed a task created earlier, sent
   * at once: its age is not the task's */
  if (poll_ms < PROBE_FIRST_MS / 2)
    return FALSE;
  g_mutex_lock (&client->solve_lock);
  /* polls that find tasks ready far more or far less often than the
   * estimate expects tell of a service that changed its pace: where
   * nobody polls must be looked at again (intervals that start at
   * creation cannot show it) */
  if (plan_surprised (plan, from, MAX (to, from + 1), ready))
    memset (plan->looks, 0, sizeof plan->looks);
  if (ready)
    {
      Death death = { from, MAX (to, from + 1), plan->gain };
      Death *same;

      /* the tasks waiting longer for none was ready come back now; a
       * probe that finds a task ready before the plan's first step is
       * news the plan follows at once, or the tasks waiting for that
       * step would wait on for the next remake */
      if (from < plan->first_ready)
        {
          plan->first_ready = from;
          plan->changed = TRUE;
          remake = to <= step_after (plan->curve, plan->lambda, 0);
        }

      /* an interval seen before adds to its weight; the others wait
       * unsorted for the next merge, MAX_DEATHS at most */
      same = bsearch (&death, plan->deaths->data, plan->n_sorted, sizeof (Death), death_compare);
      if (same != NULL)
        same->weight += plan->gain;
      else
        {
          if (plan->deaths->len >= MAX_DEATHS)
            plan_prune_deaths (plan);
          g_array_append_val (plan->deaths, death);
        }
      plan->gain *= exp2 (1.0 / HALF_LIFE);
      if (plan->gain > 1e12)
        plan_rescale (plan);
    }
  else
    {
      for (guint i = from; i < to; i++)
        plan->survived[i] += plan->gain;
    }
  if (MAX (to, from + 1) <= plan->first_ready)
    plan->early_polls += plan->gain;
  /* plans are remade as observations grow by a quarter, at least every
   * 256; a client polling on a fixed schedule reads none, and its plans
   * are remade when read again */
  if (++plan->observations >= plan->planned_at + CLAMP (plan->planned_at / 4, 8, 256) || remake)
    {
      if (client->adaptive_polling)
        plan_remake (plan);
      else
        plan->stale = TRUE;
    }
  changed = plan->changed;
  plan->changed = FALSE;
  g_mutex_unlock (&client->solve_lock);
  return changed;
}

/* --- The provider's limits ----------------------------------------------------- */

/* The earliest the next poll of a task may be sent (monotonic µs; 0: at
 * any time) under its provider's @limits: min_poll_interval_ms after the
 * last, sent at @last_poll (0: none yet), since the provider refuses or
 * punishes polls closer than that; and once the polls it still answers
 * (@polls were sent of its polls_per_task) are down to SPREAD_RESERVE and
 * could no longer go every SPREAD_MS until @deadline, spread evenly over
 * what is left of it, so that they last as long as the solve does (not
 * before: a long deadline must not thin the polls of every task). */
gint64
_cs_client_plan_poll_floor (const CsDialectLimits *limits,
                            guint                  polls,
                            gint64                 last_poll,
                            gint64                 now,
                            gint64                 deadline)
{
  gint64 floor = 0;

  if (last_poll != 0 && limits->min_poll_interval_ms > 0)
    floor = last_poll + (gint64) limits->min_poll_interval_ms * 1000;
  if (limits->polls_per_task > polls && deadline > now)
    {
      guint left = limits->polls_per_task - polls;

      if (left <= SPREAD_RESERVE && (gint64) left * SPREAD_MS * 1000 < deadline - now)
        floor = MAX (floor, now + (deadline - now) / (left + 1));
    }
  return floor;
}

/* When a task created at @created (monotonic µs) is gone at its
 * provider, which keeps it @limits' retention_s after creation: polls
 * later than that only learn that its id is invalid. G_MAXINT64 when the
 * provider publishes no such time. */
gint64
_cs_client_plan_retention_end (const CsDialectLimits *limits,
                               gint64                 created)
{
  if (limits->retention_s == 0)
    return G_MAXINT64;
  return created + (gint64) limits->retention_s * G_USEC_PER_SEC;
}

/* The polls a task may have in all: the client's @max_polls, or fewer if
 * its provider answers fewer. */
guint
_cs_client_plan_poll_limit (const CsDialectLimits *limits,
                            guint                  max_polls)
{
  return limits->polls_per_task > 0 ? MIN (max_polls, limits->polls_per_task) : max_polls;
}

/* The bytes @plan holds, for the tests. */
gsize
_cs_client_plan_memory (CsPollPlan *plan)
{
  return sizeof *plan + sizeof *plan->curve + plan->deaths->len * sizeof (Death);
}

/* How many times @plan was made, for the tests. */
guint
_cs_client_plan_get_remakes (CsPollPlan *plan)
{
  return plan->remakes;
}

void
_cs_client_plan_init (CsClient *self)
{
  self->poll_plans = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, plan_free);
}

void
_cs_client_plan_clear (CsClient *self)
{
  g_clear_pointer (&self->poll_plans, g_hash_table_unref);
}
