/* sandbox.c: the sandbox in a test (docs/sandbox.md)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "snippet.h"

int
main (void)
{
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/login", SITE_KEY);
  g_autoptr(CsSolution) solution = NULL;
  /* [doc] */
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  g_autoptr(CsClient) client = cs_client_new (CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(GError) error = NULL;

  if (!cs_sandbox_start (sandbox, 0, &error))   /* any free port */
    return report (error);
  cs_client_set_base_url (client, cs_sandbox_get_base_url (sandbox));
  cs_client_set_first_poll_delay (client, 10);  /* tests need not wait */
  cs_client_set_poll_interval (client, 10);

  cs_sandbox_fail_next_task (sandbox, "ERROR_CAPTCHA_UNSOLVABLE");
  solution = cs_client_solve (client, task, NULL, &error);
  g_assert_error (error, CS_ERROR, CS_ERROR_CAPTCHA_UNSOLVABLE);
  cs_sandbox_stop (sandbox);
  /* [/doc] */
  return 0;
}
