/* sandbox.vala: the sandbox in a test (docs/sandbox.md)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const string SITE_KEY = Snippet.SITE_KEY;

/* [doc] */
void test_unsolvable () {
  var sandbox = new CapSolver.Sandbox ();
  var client = new CapSolver.Client (CapSolver.SANDBOX_DEFAULT_KEY);
  bool unsolvable = false;

  try {
    sandbox.start (0);   /* any free port */
    client.base_url = sandbox.get_base_url ();
    client.first_poll_delay = 10;   /* tests need not wait */
    client.poll_interval = 10;
    sandbox.fail_next_task ("ERROR_CAPTCHA_UNSOLVABLE");
    client.solve (new CapSolver.ReCaptchaV2Task ("https://example.com/login", SITE_KEY));
  } catch (CapSolver.Error.CAPTCHA_UNSOLVABLE e) {
    unsolvable = true;
  } catch (Error e) {
    error ("unexpected error: %s", e.message);
  }
  sandbox.stop ();
  assert_true (unsolvable);
}
/* [/doc] */

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/sandbox/unsolvable", test_unsolvable);
  return Test.run ();
}
