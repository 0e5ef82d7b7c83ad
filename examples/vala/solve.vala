/* solve.vala: capsolver-glib from Vala
 *
 * Starts a local sandbox, then: reads an image captcha, solves a reCAPTCHA
 * v2 task asynchronously while following its status, meets a zero-balance
 * account, and cancels a solve. The same program exists in C, Python and
 * GJS next to this one.
 *
 * Against the real service, drop the sandbox and create the client with
 * your own key: the client's base URL defaults to the CapSolver API.
 *
 *   valac --pkg capsolver-glib-1 solve.vala
 *   ./solve [IMAGE]     (default: examples/data/sample-captcha.png)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const string PAGE = "https://example.com/login";
const string SITE_KEY = "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-";
const string EMPTY_KEY = "CAP-EXAMPLE-EMPTY-ACCOUNT-000000000000000000000000000000000000000000000";

CapSolver.Client sandbox_client (CapSolver.Sandbox sandbox, string api_key) {
  var client = new CapSolver.Client (api_key);
  client.base_url = sandbox.get_base_url ();
  client.first_poll_delay = 100;
  client.poll_interval = 100;
  return client;
}

async void run (string image) throws Error {
  var sandbox = new CapSolver.Sandbox ();
  sandbox.start (0);
  var client = sandbox_client (sandbox, CapSolver.SANDBOX_DEFAULT_KEY);

  /* 1. An image captcha: answered at once. */
  var image_task = new CapSolver.ImageToTextTask.from_file (File.new_for_commandline_arg (image));
  var solution = yield client.solve_async (image_task);
  print ("image text: %s\n", solution.get_text ());

  /* 2. A reCAPTCHA v2 task: polled until ready. */
  var recaptcha = new CapSolver.ReCaptchaV2Task (PAGE, SITE_KEY);
  recaptcha.notify["status"].connect ((task, pspec) => {
    print ("  status: %s\n", ((CapSolver.Task) task).status.to_string ());
  });
  var token = yield client.solve_async (recaptcha);
  print ("reCAPTCHA token: %.20s...\n", token.get_token ());

  /* 3. An account without balance. */
  sandbox.add_key (EMPTY_KEY, 0);
  try {
    yield sandbox_client (sandbox, EMPTY_KEY).solve_async (new CapSolver.ReCaptchaV2Task (PAGE, SITE_KEY));
    throw new CapSolver.Error.FAILED ("expected a zero balance, got a solution");
  } catch (CapSolver.Error.ZERO_BALANCE e) {
    print ("no balance: %s (%s)\n", CapSolver.Error.to_code (e.code), e.message);
  }

  /* 4. A solve cancelled while the service is slow to answer. */
  sandbox.fault_delay = 5000;
  sandbox.inject_fault (CapSolver.SandboxFault.DELAY, 1);
  var cancellable = new Cancellable ();
  Timeout.add (200, () => {
    cancellable.cancel ();
    return Source.REMOVE;
  });
  try {
    yield client.solve_async (new CapSolver.ReCaptchaV2Task (PAGE, SITE_KEY), cancellable);
    throw new CapSolver.Error.FAILED ("expected a cancellation, got a solution");
  } catch (IOError.CANCELLED e) {
    print ("cancelled: %s\n", e.message);
  }

  sandbox.stop ();
}

int main (string[] args) {
  var loop = new MainLoop ();
  Error? failure = null;
  run.begin (args.length > 1 ? args[1] : "examples/data/sample-captcha.png", (obj, res) => {
    try {
      run.end (res);
    } catch (Error e) {
      failure = e;
    }
    loop.quit ();
  });
  loop.run ();
  if (failure != null) {
    printerr ("%s\n", failure.message);
    return 1;
  }
  return 0;
}
