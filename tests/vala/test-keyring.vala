/* test-keyring.vala: the API key in the keyring, from Vala.
 *
 *   keyring-session.py test-vala-keyring --tap
 *       in a D-Bus session with an unlocked gnome-keyring-daemon: store,
 *       read, solve on an in-process sandbox with the stored key, forget
 *   test-vala-keyring --tap --no-keyring
 *       without a session bus: the calls fail at once and say why, and
 *       CAPSOLVER_API_KEY still works
 *
 * The asynchronous forms run on a main loop with a guard timeout; the
 * assertions run after the loop returns.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const uint TIMEOUT_SECONDS = 20;
const string KEY = "CAP-VALA-KEYRING-00000000000000000000000000000000000000000000000000000";
const string ENV_KEY = "CAP-VALA-KEYRING-ENV-000000000000000000000000000000000000000000000000";
const string OTHER_URL = "http://127.0.0.1:9/vala";
const string PAGE = "https://example.com/login";
const string SITE_KEY = "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-";
const int64 NO_HANG_SECONDS = 20;

/* The asynchronous part of a test: body () runs on a main loop, and
 * keeps what it saw in fields for the assertions after the loop. */
abstract class LoopCase : Object {
  public Error? failure;

  protected abstract async void body () throws Error;

  /* Runs body () until it ends; false if the guard fired. */
  public bool run () {
    var loop = new MainLoop ();
    bool timed_out = false;
    uint guard = Timeout.add_seconds (TIMEOUT_SECONDS, () => {
      timed_out = true;
      loop.quit ();
      return Source.REMOVE;
    });
    body.begin ((obj, res) => {
      try {
        body.end (res);
      } catch (Error e) {
        failure = e;
      }
      loop.quit ();
    });
    loop.run ();
    if (!timed_out)
      Source.remove (guard);
    return !timed_out;
  }
}

/* A sandbox with KEY and ENV_KEY, CAPSOLVER_BASE_URL naming it and
 * CAPSOLVER_API_KEY unset, for one test. */
class Fixture : Object {
  public CapSolver.Sandbox sandbox = new CapSolver.Sandbox ();
  public string url;

  public Fixture () {
    try {
      sandbox.start (0);
    } catch (Error e) {
      error ("the sandbox does not start: %s", e.message);
    }
    sandbox.add_key (KEY, 10);
    sandbox.add_key (ENV_KEY, 10);
    url = sandbox.get_base_url ();
    Environment.unset_variable ("CAPSOLVER_API_KEY");
    Environment.set_variable ("CAPSOLVER_BASE_URL", url, true);
  }

  ~Fixture () {
    Environment.unset_variable ("CAPSOLVER_API_KEY");
    Environment.unset_variable ("CAPSOLVER_BASE_URL");
    sandbox.stop ();
  }
}

CapSolver.Task token_task () {
  return new CapSolver.ReCaptchaV2Task (PAGE, SITE_KEY);
}

/* Solves with @client, blocking: the token. */
string? solve_token (CapSolver.Client client) throws Error {
  client.first_poll_delay = 10;
  client.poll_interval = 10;
  return client.solve (token_task ()).get_token ();
}

/* --- In a session with an unlocked keyring ------------------------------------- */

void test_store_lookup_clear () {
  try {
    assert_true (CapSolver.keyring_is_supported ());
    CapSolver.keyring_clear_key (OTHER_URL);
    assert_null (CapSolver.keyring_lookup_key (OTHER_URL));
    assert_true (CapSolver.keyring_store_key (OTHER_URL, KEY + "\n"));
    assert_cmpstr (CapSolver.keyring_lookup_key (OTHER_URL + "/"), CompareOperator.EQ, KEY);
    assert_null (CapSolver.keyring_lookup_key (OTHER_URL + "/other"));
    assert_true (CapSolver.keyring_clear_key (OTHER_URL));
    assert_false (CapSolver.keyring_clear_key (OTHER_URL));
    assert_null (CapSolver.keyring_lookup_key (OTHER_URL));
  } catch (Error e) {
    error ("%s", e.message);
  }
}

class StoreLookupClear : LoopCase {
  public bool stored;
  public bool cleared;
  public string? found;
  public string? after = "";

  protected override async void body () throws Error {
    stored = yield CapSolver.keyring_store_key_async (OTHER_URL, KEY, null);
    found = yield CapSolver.keyring_lookup_key_async (OTHER_URL, null);
    cleared = yield CapSolver.keyring_clear_key_async (OTHER_URL, null);
    after = yield CapSolver.keyring_lookup_key_async (OTHER_URL, null);
  }
}

void test_store_lookup_clear_async () {
  var c = new StoreLookupClear ();
  assert_true (c.run ());
  assert_no_error (c.failure);
  assert_true (c.stored);
  assert_cmpstr (c.found, CompareOperator.EQ, KEY);
  assert_true (c.cleared);
  assert_null (c.after);
}

void test_invalid_key () {
  foreach (unowned string key in new string[] { "", "CAP ONE", "CAP-\x07" }) {
    try {
      CapSolver.keyring_store_key (OTHER_URL, key);
      assert_not_reached ();
    } catch (IOError.INVALID_ARGUMENT e) {
      assert_true (e.message.has_prefix ("keyring: "));
    } catch (Error e) {
      error ("not G_IO_ERROR_INVALID_ARGUMENT: %s", e.message);
    }
  }
  try {
    assert_null (CapSolver.keyring_lookup_key (OTHER_URL));
  } catch (Error e) {
    error ("%s", e.message);
  }
}

class ClientFromEnvironment : LoopCase {
  public string? key;
  public string? token;

  protected override async void body () throws Error {
    var client = yield new CapSolver.Client.from_environment_async (null);
    key = client.api_key;
    client.first_poll_delay = 10;
    client.poll_interval = 10;
    token = (yield client.solve_async (token_task ())).get_token ();
  }
}

/* Store, read, solve on the sandbox, forget. */
void test_client_from_keyring () {
  var fixture = new Fixture ();
  try {
    assert_true (CapSolver.keyring_store_key (fixture.url, KEY));
    var client = new CapSolver.Client.from_environment ();
    assert_cmpstr (client.api_key, CompareOperator.EQ, KEY);
    assert_cmpstr (client.base_url, CompareOperator.EQ, fixture.url);
    assert_nonnull (solve_token (client));

    /* The variable comes first. */
    Environment.set_variable ("CAPSOLVER_API_KEY", ENV_KEY, true);
    assert_cmpstr (new CapSolver.Client.from_environment ().api_key, CompareOperator.EQ,
                   ENV_KEY);
    Environment.unset_variable ("CAPSOLVER_API_KEY");
  } catch (Error e) {
    error ("%s", e.message);
  }

  var from_environment = new ClientFromEnvironment ();
  assert_true (from_environment.run ());
  assert_no_error (from_environment.failure);
  assert_cmpstr (from_environment.key, CompareOperator.EQ, KEY);
  assert_nonnull (from_environment.token);

  try {
    assert_true (CapSolver.keyring_clear_key (fixture.url));
  } catch (Error e) {
    error ("%s", e.message);
  }
  try {
    new CapSolver.Client.from_environment ();
    assert_not_reached ();
  } catch (CapSolver.Error.KEY_DENIED_ACCESS e) {
    assert_true (("the keyring has no key for " + fixture.url) in e.message);
  } catch (Error e) {
    error ("not KEY_DENIED_ACCESS: %s", e.message);
  }
}

/* --- Without a session bus -------------------------------------------------------- */

void assert_not_connected (Error? e) {
  assert_true (e != null);
  assert_true (e is IOError.NOT_CONNECTED);
  assert_true (e.message.has_prefix ("keyring: no D-Bus session bus"));
}

class Lookup : LoopCase {
  public string? found = "";

  protected override async void body () throws Error {
    found = yield CapSolver.keyring_lookup_key_async (OTHER_URL, null);
  }
}

void test_no_keyring_calls_fail () {
  int64 start = get_monotonic_time ();
  Error? failure = null;
  try {
    CapSolver.keyring_store_key (OTHER_URL, KEY);
  } catch (Error e) {
    failure = e;
  }
  assert_not_connected (failure);
  failure = null;
  try {
    CapSolver.keyring_lookup_key (OTHER_URL);
  } catch (Error e) {
    failure = e;
  }
  assert_not_connected (failure);
  failure = null;
  try {
    CapSolver.keyring_clear_key (OTHER_URL);
  } catch (Error e) {
    failure = e;
  }
  assert_not_connected (failure);

  var lookup = new Lookup ();
  assert_true (lookup.run ());
  assert_cmpstr (lookup.found, CompareOperator.EQ, "");
  assert_not_connected (lookup.failure);
  assert_true ((get_monotonic_time () - start) / TimeSpan.SECOND < NO_HANG_SECONDS);
}

void test_no_keyring_environment () {
  var fixture = new Fixture ();
  try {
    Environment.set_variable ("CAPSOLVER_API_KEY", ENV_KEY, true);
    var client = new CapSolver.Client.from_environment ();
    assert_cmpstr (client.api_key, CompareOperator.EQ, ENV_KEY);
    assert_cmpstr (client.base_url, CompareOperator.EQ, fixture.url);
    assert_nonnull (solve_token (client));
    Environment.unset_variable ("CAPSOLVER_API_KEY");
  } catch (Error e) {
    error ("%s", e.message);
  }
  try {
    new CapSolver.Client.from_environment ();
    assert_not_reached ();
  } catch (CapSolver.Error.KEY_DENIED_ACCESS e) {
    assert_true ("no D-Bus session bus" in e.message);
  } catch (Error e) {
    error ("not KEY_DENIED_ACCESS: %s", e.message);
  }
}

int main (string[] args) {
  bool no_keyring = false;
  string[] rest = {};
  foreach (unowned string arg in args) {
    if (arg == "--no-keyring")
      no_keyring = true;
    else
      rest += arg;
  }
  unowned string[] test_args = rest;
  Test.init (ref test_args);
  if (no_keyring) {
    Test.add_func ("/no-keyring/calls-fail-clearly", test_no_keyring_calls_fail);
    Test.add_func ("/no-keyring/environment-still-works", test_no_keyring_environment);
  } else {
    Test.add_func ("/keyring/store-lookup-clear", test_store_lookup_clear);
    Test.add_func ("/keyring/async", test_store_lookup_clear_async);
    Test.add_func ("/keyring/invalid-key", test_invalid_key);
    Test.add_func ("/keyring/client-from-keyring", test_client_from_keyring);
  }
  return Test.run ();
}
