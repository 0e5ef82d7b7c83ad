/* bench-lag.c: the time from "ready" to the token, per task set
 *
 * Starts `capsolver sandbox --time-scale S` as a separate process and
 * solves bursts of tasks, all started at once, with a client on its
 * adaptive schedule and with a client on the fixed 1-second schedule
 * (first-poll-delay and poll-interval 1000 ms), on the same tasks: the
 * sandbox draws each task's solve time from its family's distribution at
 * a quantile taken from the task itself, so a set of tasks (websiteURL
 * https://example.com/lag/SET/I) takes as long for both. The sandbox's
 * timing records (GET /sandbox/timings) give the lag from "ready" to the
 * poll that fetched the result, and the polls per task.
 *
 * A time scale other than 1 plays a service that much slower or faster
 * than the family table the client starts from: the adaptive client then
 * solves a burst of another set first, to learn from (the table's row
 * "learning"), then the set measured; with --first-burst, the set measured
 * is the adaptive client's first burst, against the 1-second schedule on
 * the same tasks.
 *
 * Run it by hand, on a quiet machine:
 *   _build/tests/bench/bench-lag                  all of the below
 *   _build/tests/bench/bench-lag --family recaptcha-v2 --time-scale 1 --sets 20
 *   _build/tests/bench/bench-lag --family recaptcha-v2 --time-scale 0.1 --sets 5
 *   _build/tests/bench/bench-lag --family recaptcha-v3 --time-scale 10 --sets 2
 *   _build/tests/bench/bench-lag --family recaptcha-v2 --time-scale 0.1 --first-burst
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The service answers at most 120 polls per task: at --time-scale 10,
 * reCAPTCHA v2's 50 to 150 s are more than the 1-second schedule may
 * poll, so the program runs reCAPTCHA v3 there. */

#include "config.h"

#include <stdlib.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "bench-common.h"

#define KEY CS_SANDBOX_DEFAULT_KEY

typedef BenchLag Lag;

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* A task of @family for set @set, number @i: the family's example values,
 * and an address of its own, so that its solve time is its own. */
static CsTask *
new_task (const CsTaskType *family,
          guint             set,
          guint             i)
{
  CsTask *task = cs_task_new (cs_task_type_get_wire_name (family, FALSE, FALSE));
  guint n_fields = 0;
  const CsTaskField * const *fields = cs_task_type_get_fields (family, &n_fields);
  g_autofree char *site = g_strdup_printf ("https://example.com/lag/%u/%u", set, i);

  for (guint f = 0; f < n_fields; f++)
    if (cs_task_field_is_required (fields[f]) &&
        cs_task_field_get_kind (fields[f]) == CS_TASK_FIELD_KIND_STRING &&
        cs_task_field_get_example (fields[f]) != NULL)
      cs_task_set_string (task, cs_task_field_get_member (fields[f]),
                          cs_task_field_get_example (fields[f]));
  cs_task_set_string (task, "websiteURL", site);
  return task;
}

typedef struct {
  guint finished;
  guint failed;
} Burst;

static void
solved_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Burst *burst = user_data;
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  solution = cs_client_solve_finish (CS_CLIENT (source), result, &error);
  if (solution == NULL && burst->failed++ == 0)
    g_printerr ("  a solve failed: %s\n", error->message);
  burst->finished++;
}

/* Solves @n tasks of set @set at once on @client; returns their lag. */
static Lag
run_burst (CsClient         *client,
           const char       *url,
           const CsTaskType *family,
           guint             set,
           guint             n)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  Burst burst = { 0, 0 };
  Lag lag;

  for (guint i = 0; i < n; i++)
    {
      CsTask *task = new_task (family, set, i);

      g_ptr_array_add (tasks, task);
      cs_client_solve_async (client, task, NULL, solved_cb, &burst);
    }
  while (burst.finished < n)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < tasks->len; i++)
    {
      const char *id = cs_task_get_task_id (g_ptr_array_index (tasks, i));

      if (id != NULL)
        g_hash_table_add (ids, g_strdup (id));
    }
  lag = bench_sandbox_read_lag (url, ids);
  lag.failed = burst.failed;
  return lag;
}

static CsClient *
new_client (const char *url,
            gboolean    adaptive,
            guint       deadline)
{
  CsClient *client = g_object_new (CS_TYPE_CLIENT,
                                   "api-key", KEY,
                                   "base-url", url,
                                   "deadline", deadline,
                                   NULL);

  if (!adaptive)
    g_object_set (client, "first-poll-delay", 1000, "poll-interval", 1000, NULL);
  return client;
}

static void
print_row (const char *label,
           const Lag  *adaptive,
           const Lag  *second)
{
  g_print ("  %-12s %5.2f %5.2f %6.2f     %5.2f %5.2f %6.2f   %s%s\n", label,
           adaptive->p50, adaptive->p99, adaptive->polls,
           second != NULL ? second->p50 : 0.0, second != NULL ? second->p99 : 0.0,
           second != NULL ? second->polls : 0.0,
           adaptive->failed + (second != NULL ? second->failed : 0) > 0 ? "FAILED SOLVES " : "",
           second == NULL ? "" :
           adaptive->p99 <= 1.0 && adaptive->polls <= second->polls ? "" : "(p99 or polls)");
}

/* Sets of @n tasks of @family on a sandbox at @scale: per set, the
 * adaptive schedule (after a burst to learn from, at a scale other than 1
 * unless @first) and the 1-second schedule. */
static void
run_family (const char *name,
            double      scale,
            guint       sets,
            guint       n,
            gboolean    first)
{
  const CsTaskType *family = cs_task_type_find (name);
  g_autofree char *scale_text = g_strdup_printf ("%g", scale);
  const char *args[] = { "--key", KEY "=1000000", "--max-tasks", "1000000",
                         "--time-scale", scale_text, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) p50s = g_array_new (FALSE, FALSE, sizeof (double));
  BenchSandbox *sandbox;
  /* the service gives up at 120 s, scaled: so may the client */
  guint deadline = (guint) MAX (150000, 150000 * scale);
  guint met = 0;
  double worst_p99 = 0;

  if (family == NULL)
    g_error ("no task family %s", name);
  sandbox = bench_sandbox_start (args, &error);
  if (sandbox == NULL)
    g_error ("cannot start the sandbox: %s", error->message);
  g_print ("%s, %u tasks at once, sandbox --time-scale %g (%s)\n", name, n, scale,
           sandbox->base_url);
  g_print ("  set          adaptive: p50   p99  polls   1 s:  p50   p99  polls\n");
  for (guint set = 1; set <= sets; set++)
    {
      g_autoptr(CsClient) adaptive = new_client (sandbox->base_url, TRUE, deadline);
      g_autoptr(CsClient) second = new_client (sandbox->base_url, FALSE, deadline);
      g_autofree char *label = NULL;
      Lag plan, fixed;

      if (scale != 1.0 && !first)
        {
          /* another set, as a burst to learn from */
          Lag learning = run_burst (adaptive, sandbox->base_url, family, 1000 + set, n);

          label = g_strdup_printf ("%2u learning", set);
          print_row (label, &learning, NULL);
          g_clear_pointer (&label, g_free);
        }
      plan = run_burst (adaptive, sandbox->base_url, family, set, n);
      fixed = run_burst (second, sandbox->base_url, family, set, n);
      if (plan.n == 0 || fixed.n == 0)
        {
          g_print ("  the sandbox keeps no timing records (GET /sandbox/timings)\n");
          break;
        }
      label = g_strdup_printf ("%2u", set);
      print_row (label, &plan, &fixed);
      g_array_append_val (p50s, plan.p50);
      worst_p99 = MAX (worst_p99, plan.p99);
      met += plan.p99 <= 1.0 && plan.polls <= fixed.polls;
    }
  bench_sandbox_stop (sandbox);
  if (p50s->len > 0)
    {
      g_array_sort (p50s, compare_double);
      g_print ("  adaptive: median p50 %.2f s (largest %.2f s), largest p99 %.2f s; "
               "p99 <= 1 s and polls <= the 1-second schedule's in %u of %u sets\n",
               g_array_index (p50s, double, p50s->len / 2),
               g_array_index (p50s, double, p50s->len - 1), worst_p99, met, p50s->len);
    }
}

int
main (int    argc,
      char **argv)
{
  char *family = NULL;
  double scale = 1.0;
  int sets = 0;
  int tasks = 300;
  gboolean first = FALSE;
  const GOptionEntry entries[] = {
    { "family", 0, 0, G_OPTION_ARG_STRING, &family, "Only this task family", "NAME" },
    { "time-scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale,
      "The sandbox's pace against the family table (with --family)", "S" },
    { "sets", 0, 0, G_OPTION_ARG_INT, &sets, "Task sets to run", "N" },
    { "tasks", 0, 0, G_OPTION_ARG_INT, &tasks, "Tasks in a set", "N" },
    { "first-burst", 0, 0, G_OPTION_ARG_NONE, &first,
      "Measure the adaptive client's first burst (with --family)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- lag from ready to token, per set");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (tasks <= 0 || sets < 0 || scale <= 0)
    {
      g_printerr ("--tasks, --sets and --time-scale take positive numbers\n");
      return 2;
    }
  if (family != NULL)
    {
      run_family (family, scale, sets > 0 ? (guint) sets : 5, (guint) tasks, first);
      g_free (family);
      return 0;
    }
  run_family ("recaptcha-v2", 1.0, sets > 0 ? (guint) sets : 20, (guint) tasks, FALSE);
  run_family ("mtcaptcha", 1.0, sets > 0 ? (guint) sets : 5, (guint) tasks, FALSE);
  run_family ("recaptcha-v2", 0.1, sets > 0 ? (guint) sets : 5, (guint) tasks, FALSE);
  run_family ("recaptcha-v3", 10.0, sets > 0 ? (guint) sets : 2, (guint) tasks, FALSE);
  return 0;
}
