/* test-smoke.vala: the VAPI compiles a program that solves one task
 * against a Soup.Server running in this process, on the same main loop,
 * and matches an error of the CapSolver domain with a catch clause.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const string KEY = "CAP-SMOKE-TEST-KEY";
const uint TIMEOUT_SECONDS = 10;

class FakeService : Object {
  public Soup.Server server = new Soup.Server ("server-header", "smoke");
  public string base_url;
  public int polls = 0;
  public string? first_path = null;

  public FakeService () throws Error {
    server.add_handler (null, handle);
    server.listen_local (0, Soup.ServerListenOptions.IPV4_ONLY);
    var uri = server.get_uris ().data.to_string ();
    base_url = uri.has_suffix ("/") ? uri.slice (0, -1) : uri;
  }

  void reply (Soup.ServerMessage msg, string json) {
    msg.set_status (200, null);
    msg.set_response ("application/json", Soup.MemoryUse.COPY, json.data);
  }

  void handle (Soup.Server server, Soup.ServerMessage msg, string path, HashTable<string, string>? query) {
    if (first_path == null)
      first_path = path;
    var body = (string) msg.get_request_body ().flatten ().get_data ();
    if (!body.contains (KEY))
      reply (msg, """{"errorId":1,"errorCode":"ERROR_KEY_DENIED_ACCESS","errorDescription":"wrong key"}""");
    else if (path == "/createTask")
      reply (msg, """{"errorId":0,"taskId":"smoke-1","status":"idle"}""");
    else if (path == "/getTaskResult" && ++polls < 2)
      reply (msg, """{"errorId":0,"taskId":"smoke-1","status":"processing"}""");
    else if (path == "/getTaskResult")
      reply (msg, """{"errorId":0,"taskId":"smoke-1","status":"ready","solution":{"gRecaptchaResponse":"smoke-token"}}""");
    else
      msg.set_status (404, null);
  }
}

/* Solves on the main loop; the solution, or the error in @failure. */
CapSolver.Solution? solve_on_loop (CapSolver.Client client, CapSolver.Task task, out Error? failure) {
  var loop = new MainLoop ();
  CapSolver.Solution? solution = null;
  Error? caught = null;
  bool timed_out = false;
  uint guard = Timeout.add_seconds (TIMEOUT_SECONDS, () => {
    timed_out = true;
    loop.quit ();
    return Source.REMOVE;
  });
  client.solve_async.begin (task, null, (obj, res) => {
    try {
      solution = client.solve_async.end (res);
    } catch (Error e) {
      caught = e;
    }
    loop.quit ();
  });
  loop.run ();
  if (!timed_out)
    Source.remove (guard);
  assert_false (timed_out);
  failure = caught;
  return solution;
}

CapSolver.Task make_task () {
  var task = new CapSolver.Task ("ReCaptchaV2TaskProxyLess");
  task.set_string ("websiteURL", "https://example.com/");
  task.set_string ("websiteKey", "site-key");
  return task;
}

void test_solve () {
  FakeService service;
  try {
    service = new FakeService ();
  } catch (Error e) {
    error ("%s", e.message);
  }
  var client = new CapSolver.Client (KEY);
  client.base_url = service.base_url;
  client.first_poll_delay = 10;
  client.poll_interval = 10;
  var task = make_task ();
  CapSolver.TaskStatus[] statuses = {};
  task.notify["status"].connect ((obj, pspec) => statuses += ((CapSolver.Task) obj).status);

  Error? failure;
  var solution = solve_on_loop (client, task, out failure);
  service.server.disconnect ();

  assert_no_error (failure);
  assert_cmpstr (solution.get_token (), CompareOperator.EQ, "smoke-token");
  assert_cmpstr (task.task_id, CompareOperator.EQ, "smoke-1");
  assert_cmpstr (service.first_path, CompareOperator.EQ, "/createTask");
  assert_true (CapSolver.TaskStatus.PROCESSING in statuses);
  assert_true (statuses[statuses.length - 1] == CapSolver.TaskStatus.READY);
}

void test_error_domain () {
  FakeService service;
  try {
    service = new FakeService ();
  } catch (Error e) {
    error ("%s", e.message);
  }
  var client = new CapSolver.Client ("CAP-WRONG");
  client.base_url = service.base_url;
  Error? failure;
  solve_on_loop (client, make_task (), out failure);
  service.server.disconnect ();

  assert_error (failure, CapSolver.Error.quark (), CapSolver.Error.KEY_DENIED_ACCESS);
  bool caught = false;
  try {
    throw failure;
  } catch (CapSolver.Error.KEY_DENIED_ACCESS e) {
    caught = true;
  } catch (Error e) {
    error ("unexpected error %s", e.message);
  }
  assert_true (caught);
  assert_cmpstr (CapSolver.Error.to_code (failure.code), CompareOperator.EQ, "ERROR_KEY_DENIED_ACCESS");
}

int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/smoke/solve", test_solve);
  Test.add_func ("/smoke/error-domain", test_error_domain);
  return Test.run ();
}
