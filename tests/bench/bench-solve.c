/* bench-solve.c: how many tasks a client solves per second on loopback
 *
 * Solves tasks one after another against an in-process CsSandbox and
 * prints the rate for a task answered in createTask (one request) and for
 * a polled token task (createTask, then getTaskResult until ready). It
 * measures the client and the sandbox together, over real HTTP on
 * 127.0.0.1. Run it by hand: `_build/tests/bench/bench-solve [tasks]`.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "capsolver-glib.h"
#include "cs-private.h"

#define PNG_1X1 "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

static CsTask *
new_image_task (guint i)
{
  CsTask *task = cs_task_new ("ImageToTextTask");

  cs_task_set_string (task, "body", PNG_1X1);
  cs_task_set_int (task, "sequence", i);
  return task;
}

static CsTask *
new_token_task (guint i)
{
  CsTask *task = cs_task_new ("ReCaptchaV2TaskProxyLess");
  g_autofree char *url = g_strdup_printf ("https://example.com/%u", i);

  cs_task_set_string (task, "websiteURL", url);
  cs_task_set_string (task, "websiteKey", "bench-site-key");
  return task;
}

static void
run (CsClient   *client,
     CsSandbox  *sandbox,
     const char *name,
     CsTask   *(*new_task) (guint),
     guint       n_tasks)
{
  guint requests_before = cs_sandbox_get_request_count (sandbox, NULL);
  gint64 start = g_get_monotonic_time ();
  double elapsed;
  guint requests;

  for (guint i = 0; i < n_tasks; i++)
    {
      g_autoptr(CsTask) task = new_task (i);
      g_autoptr(GError) error = NULL;
      g_autoptr(CsSolution) solution = cs_client_solve (client, task, NULL, &error);

      if (solution == NULL)
        g_error ("%s: %s", name, error->message);
    }

  elapsed = (g_get_monotonic_time () - start) / 1e6;
  requests = cs_sandbox_get_request_count (sandbox, NULL) - requests_before;
  g_print ("%-24s %8u tasks %8.0f tasks/s %8.0f requests/s %8.1f requests/task\n",
           name, n_tasks, n_tasks / elapsed, requests / elapsed, (double) requests / n_tasks);
}

int
main (int    argc,
      char **argv)
{
  guint n_tasks = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 2000;
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  g_autoptr(CsClient) client = cs_client_new (CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(GError) error = NULL;

  if (n_tasks == 0)
    n_tasks = 2000;
  /* enough balance for any run */
  cs_sandbox_add_key (sandbox, CS_SANDBOX_DEFAULT_KEY, 1e9);
  cs_sandbox_set_polls_until_ready (sandbox, 1);
  if (!cs_sandbox_start (sandbox, 0, &error))
    g_error ("%s", error->message);

  g_object_set (client,
                "base-url", cs_sandbox_get_base_url (sandbox),
                "first-poll-delay", 0,
                "poll-interval", 0,
                NULL);

  run (client, sandbox, "ImageToTextTask", new_image_task, n_tasks);
  run (client, sandbox, "ReCaptchaV2TaskProxyLess", new_token_task, n_tasks);

  cs_sandbox_stop (sandbox);
  return 0;
}
