/* polling.c: resuming a task after the deadline (docs/polling.md)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "snippet.h"

int
main (void)
{
  g_autoptr(CsSandbox) sandbox = snippet_sandbox (CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsClient) client = cs_client_new_from_environment (NULL);
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/login", SITE_KEY);
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  cs_sandbox_set_ready_delay (sandbox, 1500);   /* the task takes 1.5 s */
  /* [doc] */
  cs_client_set_deadline (client, 500);         /* milliseconds */
  cs_client_set_poll_interval (client, 200);
  solution = cs_client_solve (client, task, NULL, &error);
  if (g_error_matches (error, CS_ERROR, CS_ERROR_TIMEOUT))
    {
      g_print ("still solving: task %s\n", cs_task_get_task_id (task));
      g_clear_error (&error);
      cs_client_set_deadline (client, 150000);
      /* The same task again: polled, not created (nor billed) twice. */
      solution = cs_client_solve (client, task, NULL, &error);
    }
  if (solution == NULL)
    return report (error);
  /* [/doc] */
  g_print ("token: %s\n", cs_solution_get_token (solution));
  cs_sandbox_stop (sandbox);
  return cs_sandbox_get_request_count (sandbox, "createTask") == 1 ? 0 : 1;
}
