/* bench-plan-bound.c: the fewest polls a task needs for a lag goal
 *
 * For each token family, its solve times (the family table's) × a pace,
 * the polls per task an oracle needs that knows the distribution exactly
 * and polls each task on a schedule of its own choosing, so that the lag
 * from "ready" to the poll that sees it is at most the goal for half the
 * tasks and at most 1 s for 99 %: beside the polls of the 1-second
 * schedule (a poll a second from the first), a case whose bound exceeds
 * them cannot meet the goal at no more polls, however the planner learns.
 *
 * A task learns only "pending" from a poll, so any policy is a mixture of
 * fixed schedules t1 < t2 < …, and a schedule costs Σ P(T > t(k-1)) polls.
 * The bound is the Lagrangian dual: for prices a and b, the schedule on a
 * 50 ms grid that minimises polls − a·P(lag ≤ goal) − b·P(lag ≤ 1 s) is
 * found by dynamic programming over the last poll, and polls ≥ its value
 * + a/2 + 0.99·b for every policy that meets the goal; the best (a, b)
 * gives the bound. Round trips and jitter are left out: they only add lag.
 * Where every task is ready within the first second, the 1-second
 * schedule polls each task once: at no more polls, no poll may find a task
 * pending, so every poll comes after the last task is ready, and the
 * median task waits at least from its time to the last's.
 *
 * Usage: bench-plan-bound [--margin SECONDS] [FAMILY…]
 *
 * --margin takes SECONDS off both limits, for what the jitter of the
 * polls and their round trips add to the lag (0.05 s is what the
 * planner keeps).
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "capsolver-glib.h"
#include "cs-private.h"

#define STEP_S     0.05
#define MAX_STEP_S 4.0

typedef struct {
  const CsTaskFamily *family;
  double              pace;
} Service;

/* seconds the poll's jitter and round trip take off both limits */
static double margin = 0;

static double
ready_by (const Service *service,
          double         seconds)
{
  return _cs_task_family_solved_within (service->family, seconds * 1000 / service->pace);
}

/* min over schedules of polls − a·P(lag ≤ goal) − b·P(lag ≤ 1 s) */
static double
lagrangian (const double *cdf,
            guint         n,
            double        goal,
            double        a,
            double        b)
{
  g_autofree double *value = g_new0 (double, n);
  guint goal_bins = (guint) lround ((goal - margin) / STEP_S);
  guint second_bins = (guint) lround ((1.0 - margin) / STEP_S);
  guint max_bins = (guint) (MAX_STEP_S / STEP_S);

  for (guint i = n; i-- > 0;)
    {
      double pending = 1.0 - cdf[i];
      double best = G_MAXDOUBLE;
      /* the first poll may come at any time; the next within MAX_STEP_S */
      guint last = i == 0 ? n - 1 : MIN (n - 1, i + max_bins);

      if (pending <= 1e-12)
        continue;
      for (guint j = i + 1; j <= last; j++)
        {
          double within_goal = cdf[j] - cdf[MAX (i, j - MIN (j, goal_bins))];
          double within_second = cdf[j] - cdf[MAX (i, j - MIN (j, second_bins))];

          best = MIN (best, pending - a * within_goal - b * within_second + value[j]);
        }
      value[i] = best;
    }
  return value[0];
}

static void
print_bound (const Service *service)
{
  const CsSolveTime *times = &service->family->solve_time;
  double high = times->high_ms * service->pace / 1000;
  double goal = times->high_ms >= 5 * times->low_ms ? 0.35 : 0.30;
  guint n = (guint) ceil (high / STEP_S) + 2;
  g_autofree double *cdf = g_new (double, n);
  double bound = 0, one_second = 0;

  for (guint i = 0; i < n; i++)
    cdf[i] = ready_by (service, i * STEP_S);
  for (double a = 0; a <= 400; a = a == 0 ? 0.5 : a * 1.25)
    for (double b = 0; b <= 5000; b = b == 0 ? 1 : b * 1.5)
      bound = MAX (bound, lagrangian (cdf, n, goal, a, b) + 0.5 * a + 0.99 * b);
  /* a poll a second: a task ready within k seconds, and not k - 1, costs k */
  for (guint k = 1; k <= ceil (high) + 1; k++)
    one_second += k * (ready_by (service, k) - ready_by (service, k - 1.0));
  g_print ("%-22s %5g  %4.2f s  %8.2f  %8.2f  %s", service->family->name, service->pace,
           goal, bound, one_second, bound > one_second + 1e-6 ? "cannot" : "");
  /* every task ready within the first second: the 1-second schedule polls
   * each once, so at no more polls each task's one poll finds it ready,
   * comes after the last is ready, and the median task waits from its
   * time to the last's */
  if (high <= 1.0)
    {
      double median = 0, span = high;

      while (span > 1e-4)
        {
          span /= 2;
          if (ready_by (service, median + span) < 0.5)
            median += span;
        }
      g_print ("one poll each: lag p50 >= %.2f s%s", high - median,
               high - median > goal ? ", cannot" : "");
    }
  g_print ("\n");
}

int
main (int    argc,
      char **argv)
{
  const char *defaults[] = {
    "recaptcha-v2", "recaptcha-v3", "turnstile", "geetest", "mtcaptcha",
    "cloudflare-challenge", "datadome", NULL,
  };
  const double paces[] = { 0.1, 0.3, 1, 3, 10 };
  const char * const *names;

  if (argc > 2 && g_str_equal (argv[1], "--margin"))
    {
      margin = g_ascii_strtod (argv[2], NULL);
      argv += 2;
      argc -= 2;
    }
  names = argc > 1 ? (const char * const *) argv + 1 : defaults;

  g_print ("%-22s %5s  %6s  %8s  %8s\n", "family", "pace", "p50 <=", "oracle",
           "1 s");
  for (guint i = 0; names[i] != NULL; i++)
    {
      const CsTaskFamily *family = cs_task_type_find (names[i]);

      if (family == NULL)
        {
          g_printerr ("no task family %s\n", names[i]);
          return 1;
        }
      for (guint p = 0; p < G_N_ELEMENTS (paces); p++)
        {
          Service service = { family, paces[p] };

          print_bound (&service);
        }
    }
  return 0;
}
