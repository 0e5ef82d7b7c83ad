/* errors.vala: matching an error (docs/errors.md)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const string SITE_KEY = Snippet.SITE_KEY;

const string EMPTY_KEY = "CAP-SNIPPET-EMPTY-ACCOUNT-000000000000000000000000000000000000000000000";

int main () {
  var sandbox = Snippet.sandbox (EMPTY_KEY);
  bool matched = false;
  try {
    var client = new CapSolver.Client.from_environment ();
    var task = new CapSolver.ReCaptchaV2Task ("https://example.com/login", SITE_KEY);
    /* [doc] */
    try {
      client.solve (task);
    } catch (CapSolver.Error.ZERO_BALANCE e) {
      print ("top up the account (%s)\n", CapSolver.Error.to_code (e.code));
      matched = true;
    } catch (CapSolver.Error e) {
      if (CapSolver.Error.get_retry_class (e) == CapSolver.RetryClass.COOLDOWN)
        print ("wait %u s\n", CapSolver.Error.get_cooldown (e));
    }
    /* [/doc] */
  } catch (Error e) {
    printerr ("%s\n", e.message);
  }
  sandbox.stop ();
  return matched ? 0 : 1;
}
