/* snippet.vala: what the Vala snippets of the documentation share. Each
 * snippet is a program whose part between the [doc] and [/doc] lines is
 * shown in a page of docs/; around it, a sandbox stands in for the service.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

namespace Snippet {
  public const string SITE_KEY = "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-";

  /* Starts a sandbox and points CAPSOLVER_API_KEY and CAPSOLVER_BASE_URL
   * at it (a key other than the default one has no balance). */
  public CapSolver.Sandbox sandbox (string api_key) {
    var service = new CapSolver.Sandbox ();
    try {
      service.start (0);
    } catch (Error e) {
      error ("the sandbox does not start: %s", e.message);
    }
    if (api_key != CapSolver.SANDBOX_DEFAULT_KEY)
      service.add_key (api_key, 0);
    service.set_polls_until_ready (0);   /* ready at the first poll */
    Environment.set_variable ("CAPSOLVER_API_KEY", api_key, true);
    Environment.set_variable ("CAPSOLVER_BASE_URL", service.get_base_url (), true);
    return service;
  }
}
