/* solve.c: solving a captcha (docs/overview.md)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "snippet.h"

int
main (void)
{
  g_autoptr(CsSandbox) sandbox = snippet_sandbox (CS_SANDBOX_DEFAULT_KEY);
  /* [doc] */
  g_autoptr(GError) error = NULL;
  g_autoptr(CsClient) client = cs_client_new_from_environment (&error);
  g_autoptr(CsTask) task = NULL;
  g_autoptr(CsSolution) solution = NULL;

  if (client == NULL)
    return report (error);   /* CAPSOLVER_API_KEY is not set */

  task = cs_recaptcha_v2_task_new ("https://example.com/login", SITE_KEY);
  solution = cs_client_solve (client, task, NULL, &error);
  if (solution == NULL)
    return report (error);
  g_print ("token: %s\n", cs_solution_get_token (solution));
  /* [/doc] */
  cs_sandbox_stop (sandbox);
  return 0;
}
