/* solve.vala: solving a captcha (docs/overview.md)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const string SITE_KEY = Snippet.SITE_KEY;

int main () {
  var sandbox = Snippet.sandbox (CapSolver.SANDBOX_DEFAULT_KEY);
  /* [doc] */
  try {
    var client = new CapSolver.Client.from_environment ();   // CAPSOLVER_API_KEY
    var task = new CapSolver.ReCaptchaV2Task ("https://example.com/login", SITE_KEY);
    var solution = client.solve (task);
    print ("token: %s\n", solution.get_token ());
  } catch (Error e) {
    printerr ("%s\n", e.message);
    return 1;
  }
  /* [/doc] */
  sandbox.stop ();
  return 0;
}
