/* snippet.h: what the C snippets of the documentation share. Each snippet
 * is a program whose part between the [doc] and [/doc] lines is shown in a
 * page of docs/; around it, a sandbox stands in for the service.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <capsolver-glib.h>

#define SITE_KEY "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-"

/* Starts a sandbox and points CAPSOLVER_API_KEY and CAPSOLVER_BASE_URL at
 * it, with api_key as the key (a key of its own with no balance when it is
 * not the sandbox's default). */
static inline CsSandbox *
snippet_sandbox (const char *api_key)
{
  CsSandbox *sandbox = cs_sandbox_new ();
  g_autoptr(GError) error = NULL;

  if (!cs_sandbox_start (sandbox, 0, &error))
    g_error ("the sandbox does not start: %s", error->message);
  if (g_strcmp0 (api_key, CS_SANDBOX_DEFAULT_KEY) != 0)
    cs_sandbox_add_key (sandbox, api_key, 0);
  cs_sandbox_set_polls_until_ready (sandbox, 0);   /* ready at the first poll */
  g_setenv ("CAPSOLVER_API_KEY", api_key, TRUE);
  g_setenv ("CAPSOLVER_BASE_URL", cs_sandbox_get_base_url (sandbox), TRUE);
  return sandbox;
}

/* Prints error and returns the exit status of a failure. */
static inline int
report (const GError *error)
{
  g_printerr ("%s\n", error->message);
  return 1;
}
