/* cs-usage.c: what a client asked of the service, and spent
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-private.h"

/**
 * CsUsage:
 *
 * A snapshot of the counters of a [class@Client], from
 * [method@Client.get_usage]: what it asked of the service and what that
 * cost. A snapshot never changes; take another to see later counts.
 *
 * Every solve ([method@Client.solve_async] and its blocking form) counts
 * once as submitted, and once it ends, once in one of: solved; failed, by
 * the [enum@RetryClass] of its error ([func@Error.get_retry_class]);
 * cancelled; or not sent, when the client itself held its request back
 * and nothing reached the service. Once every solve ended,
 * solved + failed (all classes) + cancelled + not sent = submitted;
 * [method@Usage.get_failed_total] counts the cancelled ones with the
 * failures, so that solved + failed total + not sent = submitted.
 *
 * Created counts the tasks the service created, whichever call made them
 * (solves, [method@Client.create_task_async], [method@Client.get_token_async]);
 * feedback sent the `feedbackTask` requests the service took.
 *
 * The cost adds up, for each task the client saw become ready, the `cost`
 * its reply carried (a number or a string, as Anti-Captcha-style services
 * send it), or, when the reply carried none, as CapSolver's never do, the
 * price of its type in the sandbox's price table (see
 * [method@Sandbox.get_price]): that part is the estimate,
 * [method@Usage.get_estimated_cost]. A type the library does not know has
 * no price: it adds nothing.
 *
 * Since: 1.0
 */

struct _CsUsage
{
  gatomicrefcount ref_count;
  gint64          counters[CS_USAGE_N_FIELDS];
};

G_DEFINE_BOXED_TYPE (CsUsage, cs_usage, cs_usage_ref, cs_usage_unref)

CsUsage *
_cs_usage_new (const gint64 *counters)
{
  CsUsage *usage = g_new0 (CsUsage, 1);

  g_atomic_ref_count_init (&usage->ref_count);
  memcpy (usage->counters, counters, sizeof usage->counters);
  return usage;
}

/**
 * cs_usage_ref:
 * @usage: a [struct@Usage]
 *
 * Takes a reference on @usage.
 *
 * Returns: (transfer full): @usage
 *
 * Since: 1.0
 */
CsUsage *
cs_usage_ref (CsUsage *usage)
{
  g_return_val_if_fail (usage != NULL, NULL);

  g_atomic_ref_count_inc (&usage->ref_count);
  return usage;
}

/**
 * cs_usage_unref:
 * @usage: (transfer full): a [struct@Usage]
 *
 * Drops a reference on @usage, freeing it with the last.
 *
 * Since: 1.0
 */
void
cs_usage_unref (CsUsage *usage)
{
  g_return_if_fail (usage != NULL);

  if (g_atomic_ref_count_dec (&usage->ref_count))
    g_free (usage);
}

static guint64
count (const CsUsage *usage,
       CsUsageField   field)
{
  g_return_val_if_fail (usage != NULL, 0);

  return (guint64) usage->counters[field];
}

/**
 * cs_usage_get_submitted:
 * @usage: a [struct@Usage]
 *
 * Gets how many solves were started.
 *
 * Returns: the solves submitted
 *
 * Since: 1.0
 */
guint64
cs_usage_get_submitted (const CsUsage *usage)
{
  return count (usage, CS_USAGE_SUBMITTED);
}

/**
 * cs_usage_get_created:
 * @usage: a [struct@Usage]
 *
 * Gets how many tasks the service created, by any call.
 *
 * Returns: the tasks created
 *
 * Since: 1.0
 */
guint64
cs_usage_get_created (const CsUsage *usage)
{
  return count (usage, CS_USAGE_CREATED);
}

/**
 * cs_usage_get_solved:
 * @usage: a [struct@Usage]
 *
 * Gets how many solves ended with a solution.
 *
 * Returns: the solves solved
 *
 * Since: 1.0
 */
guint64
cs_usage_get_solved (const CsUsage *usage)
{
  return count (usage, CS_USAGE_SOLVED);
}

/**
 * cs_usage_get_failed:
 * @usage: a [struct@Usage]
 * @retry_class: the class of the errors to count
 *
 * Gets how many solves ended with an error of @retry_class: a
 * %CS_ERROR_TIMEOUT is %CS_RETRY_CLASS_TRANSIENT, `ERROR_CAPTCHA_UNSOLVABLE`
 * %CS_RETRY_CLASS_NEW_TASK, and so on. Cancelled solves are not counted
 * here (see [method@Usage.get_cancelled]).
 *
 * Returns: the solves failed with an error of @retry_class
 *
 * Since: 1.0
 */
guint64
cs_usage_get_failed (const CsUsage *usage,
                     CsRetryClass   retry_class)
{
  g_return_val_if_fail (retry_class <= CS_RETRY_CLASS_NEW_TASK, 0);

  return count (usage, CS_USAGE_FAILED_PERMANENT + retry_class);
}

/**
 * cs_usage_get_cancelled:
 * @usage: a [struct@Usage]
 *
 * Gets how many solves were cancelled by their caller.
 *
 * Returns: the solves cancelled
 *
 * Since: 1.0
 */
guint64
cs_usage_get_cancelled (const CsUsage *usage)
{
  return count (usage, CS_USAGE_CANCELLED);
}

/**
 * cs_usage_get_failed_total:
 * @usage: a [struct@Usage]
 *
 * Gets how many solves ended without a solution after their request was
 * sent, or cancelled: the failures of every class and the cancellations.
 *
 * Returns: the solves that failed, cancelled ones included
 *
 * Since: 1.0
 */
guint64
cs_usage_get_failed_total (const CsUsage *usage)
{
  guint64 total = cs_usage_get_cancelled (usage);

  for (CsRetryClass retry = CS_RETRY_CLASS_PERMANENT; retry <= CS_RETRY_CLASS_NEW_TASK; retry++)
    total += cs_usage_get_failed (usage, retry);
  return total;
}

/**
 * cs_usage_get_not_sent:
 * @usage: a [struct@Usage]
 *
 * Gets how many solves ended without sending anything because the client
 * held their request back, as it does while paused after a cooldown
 * error ([method@Client.get_paused_for]).
 *
 * Returns: the solves not sent
 *
 * Since: 1.0
 */
guint64
cs_usage_get_not_sent (const CsUsage *usage)
{
  return count (usage, CS_USAGE_NOT_SENT);
}

/**
 * cs_usage_get_feedback_sent:
 * @usage: a [struct@Usage]
 *
 * Gets how many `feedbackTask` requests the service took.
 *
 * Returns: the feedback sent
 *
 * Since: 1.0
 */
guint64
cs_usage_get_feedback_sent (const CsUsage *usage)
{
  return count (usage, CS_USAGE_FEEDBACK_SENT);
}

/**
 * cs_usage_get_endpoint_switches:
 * @usage: a [struct@Usage]
 *
 * Gets how many times the client moved from one of its endpoints
 * ([property@Client:base-urls]) to another: after a failure of the one in
 * use, and back to the first once a probe found it answering. See
 * [property@Client:active-endpoint].
 *
 * Returns: the moves between endpoints
 *
 * Since: 1.0
 */
guint64
cs_usage_get_endpoint_switches (const CsUsage *usage)
{
  return count (usage, CS_USAGE_ENDPOINT_SWITCHES);
}

/**
 * cs_usage_get_cost:
 * @usage: a [struct@Usage]
 *
 * Gets what the tasks that became ready cost, in US dollars: the costs
 * the replies reported, and the estimate for those that reported none.
 *
 * Returns: the cost in USD, [method@Usage.get_estimated_cost] included
 *
 * Since: 1.0
 */
double
cs_usage_get_cost (const CsUsage *usage)
{
  return (count (usage, CS_USAGE_COST) + count (usage, CS_USAGE_ESTIMATED_COST)) / 1e6;
}

/**
 * cs_usage_get_estimated_cost:
 * @usage: a [struct@Usage]
 *
 * Gets the part of [method@Usage.get_cost] that is an estimate, from the
 * price table, for tasks whose replies carried no cost: all of it against
 * CapSolver, which reports none.
 *
 * Returns: the estimated cost in USD
 *
 * Since: 1.0
 */
double
cs_usage_get_estimated_cost (const CsUsage *usage)
{
  return count (usage, CS_USAGE_ESTIMATED_COST) / 1e6;
}

/**
 * cs_usage_to_string:
 * @usage: a [struct@Usage]
 *
 * Writes the counters of @usage for people, one line each, as
 * `capsolver --verbose` prints them at the end of a run.
 *
 * Returns: (transfer full): the text, ending with a newline
 *
 * Since: 1.0
 */
char *
cs_usage_to_string (const CsUsage *usage)
{
  g_autofree char *estimate = NULL;
  g_autofree char *switches = NULL;
  double estimated;

  g_return_val_if_fail (usage != NULL, NULL);

  /* only when there were any: most clients have one endpoint in use */
  switches = g_strdup_printf ("endpoint switches: %" G_GUINT64_FORMAT "\n",
                              cs_usage_get_endpoint_switches (usage));
  estimated = cs_usage_get_estimated_cost (usage);
  if (estimated > 0 && estimated == cs_usage_get_cost (usage))
    estimate = g_strdup (", estimated from the price table");
  else if (estimated > 0)
    estimate = g_strdup_printf (", %.6f of it estimated from the price table", estimated);
  return g_strdup_printf ("solves: %" G_GUINT64_FORMAT " submitted, %" G_GUINT64_FORMAT
                          " solved, %" G_GUINT64_FORMAT " failed, %" G_GUINT64_FORMAT
                          " not sent\n"
                          "failed: %" G_GUINT64_FORMAT " permanent, %" G_GUINT64_FORMAT
                          " transient, %" G_GUINT64_FORMAT " cooldown, %" G_GUINT64_FORMAT
                          " new-task, %" G_GUINT64_FORMAT " cancelled\n"
                          "tasks created: %" G_GUINT64_FORMAT ", feedback sent: %"
                          G_GUINT64_FORMAT "\n"
                          "cost: %.6f USD%s\n%s",
                          cs_usage_get_submitted (usage), cs_usage_get_solved (usage),
                          cs_usage_get_failed_total (usage), cs_usage_get_not_sent (usage),
                          cs_usage_get_failed (usage, CS_RETRY_CLASS_PERMANENT),
                          cs_usage_get_failed (usage, CS_RETRY_CLASS_TRANSIENT),
                          cs_usage_get_failed (usage, CS_RETRY_CLASS_COOLDOWN),
                          cs_usage_get_failed (usage, CS_RETRY_CLASS_NEW_TASK),
                          cs_usage_get_cancelled (usage),
                          cs_usage_get_created (usage), cs_usage_get_feedback_sent (usage),
                          cs_usage_get_cost (usage), estimate != NULL ? estimate : "",
                          cs_usage_get_endpoint_switches (usage) == 0 ? "" : switches);
}
