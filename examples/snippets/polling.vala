/* polling.vala: resuming a task after the deadline (docs/polling.md)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const string SITE_KEY = Snippet.SITE_KEY;

int main () {
  var sandbox = Snippet.sandbox (CapSolver.SANDBOX_DEFAULT_KEY);
  sandbox.set_ready_delay (1500);   /* the task takes 1.5 s */
  try {
    var client = new CapSolver.Client.from_environment ();
    var task = new CapSolver.ReCaptchaV2Task ("https://example.com/login", SITE_KEY);
    CapSolver.Solution solution;
    /* [doc] */
    client.deadline = 500;   /* milliseconds */
    client.poll_interval = 200;
    try {
      solution = client.solve (task);
    } catch (CapSolver.Error.TIMEOUT e) {
      print ("still solving: task %s\n", task.task_id);
      client.deadline = 150000;
      /* The same task again: polled, not created (nor billed) twice. */
      solution = client.solve (task);
    }
    /* [/doc] */
    print ("token: %s\n", solution.get_token ());
  } catch (Error e) {
    printerr ("%s\n", e.message);
    return 1;
  }
  sandbox.stop ();
  return sandbox.get_request_count ("createTask") == 1 ? 0 : 1;
}
