/* test-capsolver.vala: capsolver-glib from Vala, compiled against the
 * generated VAPI, against an in-process CsSandbox (its HTTP server runs in
 * its own thread, so blocking calls work here).
 *
 * Asynchronous calls run on a main loop with a guard timeout; the
 * assertions run after the loop returns.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const uint TIMEOUT_SECONDS = 20;
const string PAGE = "https://example.com/login";
const string SITE_KEY = "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-";
const string ZERO_KEY = "CAP-VALA-ZERO-BALANCE-000000000000000000000000000000000000000000000000";
const string UNKNOWN_KEY = "CAP-VALA-UNKNOWN-KEY-0000000000000000000000000000000000000000000000000";

/* A sandbox and a client that polls quickly, for one test. */
class Fixture : Object {
  public CapSolver.Sandbox sandbox;
  public CapSolver.Client client;
  public CapSolver.TaskStatus[] statuses = {};

  public Fixture () {
    sandbox = new CapSolver.Sandbox ();
    try {
      sandbox.start (0);
    } catch (Error e) {
      error ("the sandbox does not start: %s", e.message);
    }
    client = make_client (CapSolver.SANDBOX_DEFAULT_KEY);
  }

  ~Fixture () {
    sandbox.stop ();
  }

  public CapSolver.Client make_client (string key) {
    return (CapSolver.Client) Object.new (typeof (CapSolver.Client),
                                          "api-key", key,
                                          "base-url", sandbox.get_base_url (),
                                          "first-poll-delay", 10U,
                                          "poll-interval", 10U);
  }

  public CapSolver.Task watched_token_task (string page = PAGE) {
    var task = new CapSolver.ReCaptchaV2Task (page, SITE_KEY);
    task.notify["status"].connect ((obj, pspec) => statuses += ((CapSolver.Task) obj).status);
    return task;
  }

  /* Runs the loop until quit or the guard fires; false if it fired. */
  public static bool run (MainLoop loop) {
    bool timed_out = false;
    uint guard = Timeout.add_seconds (TIMEOUT_SECONDS, () => {
      timed_out = true;
      loop.quit ();
      return Source.REMOVE;
    });
    loop.run ();
    if (!timed_out)
      Source.remove (guard);
    return !timed_out;
  }

  /* solve_async on the loop: the solution, or the error in @error. */
  public CapSolver.Solution? solve_on_loop (CapSolver.Client with_client, CapSolver.Task task,
                                            Cancellable? cancellable, out Error? failure) {
    var loop = new MainLoop ();
    CapSolver.Solution? solution = null;
    Error? caught = null;
    with_client.solve_async.begin (task, cancellable, (obj, res) => {
      try {
        solution = with_client.solve_async.end (res);
      } catch (Error e) {
        caught = e;
      }
      loop.quit ();
    });
    assert_true (run (loop));
    failure = caught;
    return solution;
  }

  public bool saw_status (CapSolver.TaskStatus status) {
    foreach (var s in statuses)
      if (s == status)
        return true;
    return false;
  }

  public void assert_solved_token_task (CapSolver.Task task, CapSolver.Solution? solution) {
    assert_nonnull (solution);
    assert_true (solution.get_token () != null && solution.get_token () != "");
    assert_true (task.solution == solution);
    assert_nonnull (task.task_id);
    assert_true (task.poll_count >= 2);
    assert_true (saw_status (CapSolver.TaskStatus.PROCESSING));
    assert_true (statuses[statuses.length - 1] == CapSolver.TaskStatus.READY);
  }

  /* createTask, then getTaskResult until ready, all asynchronous. */
  public async bool create_then_poll (CapSolver.Task task) throws Error {
    if (!yield client.create_task_async (task))
      return false;
    for (int i = 0; i < 10 && task.status != CapSolver.TaskStatus.READY; i++)
      if (!yield client.get_task_result_async (task))
        return false;
    return true;
  }

  /* getBalance and feedbackTask, asynchronous. */
  public async double balance_and_feedback (CapSolver.Task task) throws Error {
    if (!yield client.feedback_task_async (task, true, 1001, "rejected"))
      return -1;
    var balance = yield client.get_balance_async ();
    return balance.amount;
  }

  /* A solve that hits the deadline, then the same task solved again. */
  public async CapSolver.Solution timeout_then_resume (CapSolver.Task task,
                                                       out bool timed_out,
                                                       out string? id_after_timeout) throws Error {
    client.deadline = 200;
    timed_out = false;
    try {
      yield client.solve_async (task);
    } catch (CapSolver.Error.TIMEOUT e) {
      timed_out = true;
    }
    id_after_timeout = task.task_id;
    client.deadline = 20000;
    return yield client.solve_async (task);
  }
}

/* The sample image of the examples, and the answer its
 * capsolver-sandbox-answer PNG chunk gives the sandbox. */
const string CAPTCHA_ANSWER = "K7WP3R";

string captcha_path () {
  return Test.build_filename (Test.FileType.DIST, "..", "examples", "data", "sample-captcha.png");
}

/* --- Tasks answered at once ------------------------------------------------- */

void test_sync_answer_blocking () {
  var f = new Fixture ();
  try {
    var task = new CapSolver.ImageToTextTask.from_file (File.new_for_path (captcha_path ()));
    assert_true (f.client.create_task (task));
    assert_true (task.status == CapSolver.TaskStatus.READY);
    assert_cmpstr (task.solution.get_text (), CompareOperator.EQ, CAPTCHA_ANSWER);
    assert_cmpuint (task.poll_count, CompareOperator.EQ, 0);
    assert_cmpuint (f.sandbox.get_request_count ("getTaskResult"), CompareOperator.EQ, 0);
  } catch (Error e) {
    error ("%s", e.message);
  }
}

void test_sync_answer_async () {
  var f = new Fixture ();
  uint8[] contents;
  try {
    FileUtils.get_data (captcha_path (), out contents);
  } catch (Error e) {
    error ("%s", e.message);
  }
  var task = new CapSolver.ImageToTextTask.from_bytes (new Bytes (contents));
  Error? failure;
  var solution = f.solve_on_loop (f.client, task, null, out failure);
  assert_no_error (failure);
  assert_cmpstr (solution.get_text (), CompareOperator.EQ, CAPTCHA_ANSWER);
  assert_cmpuint (task.poll_count, CompareOperator.EQ, 0);
}

/* --- Polled tasks -------------------------------------------------------------- */

void test_polled_blocking () {
  var f = new Fixture ();
  f.sandbox.set_polls_until_ready (3);
  var task = f.watched_token_task ();
  try {
    var solution = f.client.solve (task);
    f.assert_solved_token_task (task, solution);
  } catch (Error e) {
    error ("%s", e.message);
  }
}

void test_polled_async () {
  var f = new Fixture ();
  f.sandbox.set_polls_until_ready (3);
  var task = f.watched_token_task ();
  Error? failure;
  var solution = f.solve_on_loop (f.client, task, null, out failure);
  assert_no_error (failure);
  f.assert_solved_token_task (task, solution);
}

void test_polled_create_then_poll () {
  var f = new Fixture ();
  f.sandbox.set_polls_until_ready (3);
  var task = f.watched_token_task ();
  var loop = new MainLoop ();
  bool ok = false;
  Error? failure = null;
  f.create_then_poll.begin (task, (obj, res) => {
    try {
      ok = f.create_then_poll.end (res);
    } catch (Error e) {
      failure = e;
    }
    loop.quit ();
  });
  assert_true (Fixture.run (loop));
  assert_no_error (failure);
  assert_true (ok);
  assert_true (task.status == CapSolver.TaskStatus.READY);
  assert_nonnull (task.solution.get_token ());
}

/* --- Account -------------------------------------------------------------------- */

void test_balance_and_feedback () {
  var f = new Fixture ();
  var task = f.watched_token_task ();
  /* The solved token task is charged its price. */
  double expected = 100.0 - f.sandbox.get_price ("ReCaptchaV2TaskProxyLess");
  try {
    f.client.solve (task);
    assert_true (f.client.feedback_task (task, false, 0, "accepted"));
    assert_cmpfloat_with_epsilon (f.client.get_balance ().get_amount (), expected, 1e-9);
    /* What was spent: the solve, the feedback, the price as estimate. */
    var usage = f.client.get_usage ();
    assert_true (usage.get_solved () == 1 && usage.get_feedback_sent () == 1);
    assert_cmpfloat_with_epsilon (usage.get_estimated_cost (), 100.0 - expected, 1e-9);
  } catch (Error e) {
    error ("%s", e.message);
  }
  var loop = new MainLoop ();
  double amount = 0;
  Error? failure = null;
  f.balance_and_feedback.begin (task, (obj, res) => {
    try {
      amount = f.balance_and_feedback.end (res);
    } catch (Error e) {
      failure = e;
    }
    loop.quit ();
  });
  assert_true (Fixture.run (loop));
  assert_no_error (failure);
  assert_cmpfloat_with_epsilon (amount, expected, 1e-9);
}

/* --- Typed tasks ---------------------------------------------------------------- */

void test_typed_tasks () {
  var f = new Fixture ();
  var from_new = new CapSolver.ReCaptchaV2Task (PAGE, SITE_KEY);
  var from_props = (CapSolver.ReCaptchaV2Task) Object.new (typeof (CapSolver.ReCaptchaV2Task),
                                                           "website-url", PAGE,
                                                           "website-key", SITE_KEY,
                                                           "invisible", true);
  var turnstile = new CapSolver.TurnstileTask (PAGE, "0x4AAAAAAA");
  turnstile.action = "login";
  var generic = new CapSolver.Task ("ReCaptchaV3TaskProxyLess");
  generic.set_string ("websiteURL", PAGE);
  generic.set_string ("websiteKey", SITE_KEY);
  generic.set_string ("pageAction", "submit");

  assert_cmpstr (from_new.website_key, CompareOperator.EQ, SITE_KEY);
  var json = from_props.to_json ();
  assert_cmpstr (json.get_string_member ("type"), CompareOperator.EQ, "ReCaptchaV2TaskProxyLess");
  assert_cmpstr (json.get_string_member ("websiteURL"), CompareOperator.EQ, PAGE);
  assert_true (json.get_boolean_member ("isInvisible"));
  assert_cmpstr (generic.get_field ("pageAction").get_string (), CompareOperator.EQ, "submit");

  CapSolver.Task[] tasks = { from_new, from_props, turnstile, generic };
  foreach (var task in tasks) {
    try {
      var solution = f.client.solve (task);
      assert_nonnull (solution.get_token ());
    } catch (Error e) {
      error ("%s: %s", task.get_type_name (), e.message);
    }
  }
}

/* --- Task types ------------------------------------------------------------------ */

/* A task of the first variant of @type, its required fields filled from
 * the schema: their examples, the sample image for an image field. */
CapSolver.Task task_from_schema (CapSolver.TaskType type, string image) throws Error {
  var task = type.new_task ();
  var chosen = new GenericSet<string> (str_hash, str_equal);

  if (type.get_proxy_requirement () == CapSolver.ProxyRequirement.REQUIRED)
    task.proxy = new CapSolver.Proxy.from_string ("http:192.0.2.10:8080:user:pass");
  foreach (unowned CapSolver.TaskField field in type.get_fields ()) {
    unowned string? unless = field.get_required_unless ();
    unowned string member = field.get_member ();

    if (!field.is_required () || (unless != null && chosen.contains (unless)))
      continue;
    chosen.add (member);
    if (field.is_image () && field.get_kind () == CapSolver.TaskFieldKind.STRV)
      task.set_json (member, Json.from_string ("[\"%s\"]".printf (image)));
    else if (field.is_image () || field.get_kind () == CapSolver.TaskFieldKind.STRING)
      task.set_string (member, field.is_image () ? image : field.get_example ());
    else
      task.set_json (member, Json.from_string (field.get_example ()));
  }
  return task;
}

void test_task_types_every_type () {
  var f = new Fixture ();
  uint8[] contents;

  try {
    FileUtils.get_data (captcha_path (), out contents);
  } catch (Error e) {
    error ("%s", e.message);
  }
  var image = Base64.encode (contents);
  unowned CapSolver.TaskType[] types = CapSolver.TaskType.get_all ();
  assert_true (types.length >= 14);
  foreach (unowned CapSolver.TaskType type in types) {
    try {
      var task = task_from_schema (type, image);
      assert_true (task.get_task_type () == type);
      var solution = f.client.solve (task);
      assert_nonnull (solution);
    } catch (Error e) {
      error ("%s: %s", type.get_name (), e.message);
    }
  }
}

/* --- Errors ------------------------------------------------------------------------ */

void assert_cs_error (Error? e, int code) {
  assert_true (e != null);
  assert_true (e is CapSolver.Error);
  assert_error (e, CapSolver.Error.quark (), code);
  assert_true (e.message.has_prefix (CapSolver.Error.to_code (code) + ": "));
}

void test_zero_balance () {
  var f = new Fixture ();
  f.sandbox.add_key (ZERO_KEY, 0);
  var client = f.make_client (ZERO_KEY);
  bool caught = false;
  try {
    client.solve (f.watched_token_task ());
  } catch (CapSolver.Error.ZERO_BALANCE e) {
    caught = true;
  } catch (Error e) {
    error ("unexpected error %s", e.message);
  }
  assert_true (caught);
  Error? failure;
  f.solve_on_loop (client, f.watched_token_task (), null, out failure);
  assert_cs_error (failure, CapSolver.Error.ZERO_BALANCE);
  assert_true (CapSolver.Error.get_retry_class (failure) == CapSolver.RetryClass.PERMANENT);
  assert_true (CapSolver.Error.from_code ("ERROR_ZERO_BALANCE") == CapSolver.Error.ZERO_BALANCE);
}

void test_key_denied_access () {
  var f = new Fixture ();
  var client = f.make_client (UNKNOWN_KEY);
  bool caught = false;
  try {
    client.get_balance ();
  } catch (CapSolver.Error.KEY_DENIED_ACCESS e) {
    caught = true;
    assert_false (UNKNOWN_KEY in e.message);
  } catch (Error e) {
    error ("unexpected error %s", e.message);
  }
  assert_true (caught);
  Error? failure;
  f.solve_on_loop (client, f.watched_token_task (), null, out failure);
  assert_cs_error (failure, CapSolver.Error.KEY_DENIED_ACCESS);
}

void test_captcha_unsolvable () {
  var f = new Fixture ();
  f.sandbox.fail_next_task ("ERROR_CAPTCHA_UNSOLVABLE");
  bool caught = false;
  try {
    f.client.solve (f.watched_token_task ());
  } catch (CapSolver.Error.CAPTCHA_UNSOLVABLE e) {
    caught = true;
    assert_true (CapSolver.Error.get_retry_class (e) == CapSolver.RetryClass.NEW_TASK);
  } catch (Error e) {
    error ("unexpected error %s", e.message);
  }
  assert_true (caught);
  var task = f.watched_token_task (CapSolver.SANDBOX_ERROR_URL_PREFIX + "ERROR_CAPTCHA_UNSOLVABLE");
  Error? failure;
  f.solve_on_loop (f.client, task, null, out failure);
  assert_cs_error (failure, CapSolver.Error.CAPTCHA_UNSOLVABLE);
  assert_true (task.status == CapSolver.TaskStatus.FAILED);
}

/* --- Cancellation --------------------------------------------------------------------- */

void test_cancel_async () {
  var f = new Fixture ();
  f.sandbox.fault_delay = 5000;
  f.sandbox.inject_fault (CapSolver.SandboxFault.DELAY, 1);
  var cancellable = new Cancellable ();
  Timeout.add (100, () => {
    cancellable.cancel ();
    return Source.REMOVE;
  });
  Error? failure;
  f.solve_on_loop (f.client, f.watched_token_task (), cancellable, out failure);
  assert_error (failure, IOError.quark (), IOError.CANCELLED);
}

void test_cancel_blocking () {
  var f = new Fixture ();
  f.sandbox.fault_delay = 5000;
  f.sandbox.inject_fault (CapSolver.SandboxFault.DELAY, 1);
  var cancellable = new Cancellable ();
  var canceller = new Thread<bool> ("canceller", () => {
    Thread.usleep (100000);
    cancellable.cancel ();
    return true;
  });
  bool cancelled = false;
  try {
    f.client.solve (f.watched_token_task (), cancellable);
  } catch (IOError.CANCELLED e) {
    cancelled = true;
  } catch (Error e) {
    error ("unexpected error %s", e.message);
  }
  canceller.join ();
  assert_true (cancelled);
}

/* --- Deadline, then resume ------------------------------------------------------------ */

/* The sandbox holds the task back for 2 s after createTask, far beyond the
 * 200 ms deadline of the first solve, whatever the load of the machine. */
void test_timeout_then_resume () {
  var f = new Fixture ();
  f.sandbox.set_ready_delay (2000);
  f.client.poll_interval = 100;
  var task = f.watched_token_task ();
  try {
    assert_true (f.client.create_task (task));
  } catch (Error e) {
    error ("%s", e.message);
  }
  string created_id = task.task_id;
  var loop = new MainLoop ();
  CapSolver.Solution? solution = null;
  bool timed_out = false;
  string? id_after_timeout = null;
  Error? failure = null;
  f.timeout_then_resume.begin (task, (obj, res) => {
    try {
      solution = f.timeout_then_resume.end (res, out timed_out, out id_after_timeout);
    } catch (Error e) {
      failure = e;
    }
    loop.quit ();
  });
  assert_true (Fixture.run (loop));
  assert_no_error (failure);
  assert_true (timed_out);
  assert_cmpstr (id_after_timeout, CompareOperator.EQ, created_id);
  assert_cmpstr (task.task_id, CompareOperator.EQ, created_id);
  assert_nonnull (solution.get_token ());
  assert_cmpuint (f.sandbox.get_request_count ("createTask"), CompareOperator.EQ, 1);
}

/* --- A client from the environment ------------------------------------------------- */

void test_new_from_environment () {
  var f = new Fixture ();
  Environment.set_variable ("CAPSOLVER_API_KEY", CapSolver.SANDBOX_DEFAULT_KEY, true);
  Environment.set_variable ("CAPSOLVER_BASE_URL", f.sandbox.get_base_url (), true);
  double amount = -1;
  try {
    var client = new CapSolver.Client.from_environment ();
    assert_cmpstr (client.base_url, CompareOperator.EQ, f.sandbox.get_base_url ());
    amount = client.get_balance ().amount;
  } catch (Error e) {
    error ("unexpected error %s", e.message);
  }
  Environment.unset_variable ("CAPSOLVER_API_KEY");
  bool denied = false;
  try {
    new CapSolver.Client.from_environment ();
  } catch (CapSolver.Error.KEY_DENIED_ACCESS e) {
    denied = true;
  } catch (Error e) {
    error ("unexpected error %s", e.message);
  }
  Environment.unset_variable ("CAPSOLVER_BASE_URL");
  assert_cmpfloat (amount, CompareOperator.EQ, 100.0);
  assert_true (denied);
}

/* The scenario names are shared with the Python and GJS suites
 * (tests/README.md). */
int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/sync-answer/blocking", test_sync_answer_blocking);
  Test.add_func ("/sync-answer/async", test_sync_answer_async);
  Test.add_func ("/polled/blocking", test_polled_blocking);
  Test.add_func ("/polled/async", test_polled_async);
  Test.add_func ("/polled/create-then-poll", test_polled_create_then_poll);
  Test.add_func ("/account/balance-and-feedback", test_balance_and_feedback);
  Test.add_func ("/typed-tasks/construction", test_typed_tasks);
  Test.add_func ("/task-types/every-type", test_task_types_every_type);
  Test.add_func ("/errors/zero-balance", test_zero_balance);
  Test.add_func ("/errors/key-denied-access", test_key_denied_access);
  Test.add_func ("/errors/captcha-unsolvable", test_captcha_unsolvable);
  Test.add_func ("/cancel/async", test_cancel_async);
  Test.add_func ("/cancel/blocking", test_cancel_blocking);
  Test.add_func ("/deadline/timeout-then-resume", test_timeout_then_resume);
  Test.add_func ("/environment/new-from-environment", test_new_from_environment);
  return Test.run ();
}
