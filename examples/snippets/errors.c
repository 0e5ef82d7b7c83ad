/* errors.c: matching an error (docs/errors.md)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "snippet.h"

#define EMPTY_KEY "CAP-SNIPPET-EMPTY-ACCOUNT-000000000000000000000000000000000000000000000"

int
main (void)
{
  g_autoptr(CsSandbox) sandbox = snippet_sandbox (EMPTY_KEY);
  g_autoptr(CsClient) client = cs_client_new_from_environment (NULL);
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/login", SITE_KEY);
  g_autoptr(CsSolution) solution = NULL;
  gboolean matched = FALSE;
  /* [doc] */
  g_autoptr(GError) error = NULL;

  solution = cs_client_solve (client, task, NULL, &error);
  if (g_error_matches (error, CS_ERROR, CS_ERROR_ZERO_BALANCE))
    {
      g_print ("top up the account (%s)\n", cs_error_to_code (error->code));
      matched = TRUE;
    }
  else if (error != NULL && cs_error_get_retry_class (error) == CS_RETRY_CLASS_COOLDOWN)
    g_print ("wait %u s\n", cs_error_get_cooldown (error));
  /* [/doc] */
  cs_sandbox_stop (sandbox);
  return matched ? 0 : 1;
}
