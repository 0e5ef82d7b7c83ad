/* test-gnome-app.vala: the libadwaita application under Xvfb
 *
 * The program is linked with the application's own sources and runs it as
 * `capsolver-gnome` runs, then clicks its real buttons, picks types in its
 * combo row and types into its rows, from a script that waits for what
 * the window shows. Every check runs after the application has returned.
 *
 *   every-type    each type of the schema gets the form of its fields and
 *                 is solved on the sandbox from the examples alone
 *   solve-cancel  a token shows without widening the window (the buttons
 *                 stay inside it), Copy copies it, Cancel while the task is
 *                 processing says "Cancelled", not "Processing"; a
 *                 screenshot
 *   errors        a zero balance, a paused client (and Resume), a value
 *                 that is not a number, a missing field: a banner that
 *                 says what to do
 *   live          --live without a key says so and sends nothing (a
 *                 screenshot); a typed key with no balance, then a good
 *                 one, on a sandbox standing in for the service
 *                 (CAPSOLVER_BASE_URL); with no session bus, the window
 *                 says there is no keyring, and the typed key works all
 *                 the same
 *
 *   xvfb-run -a test-gnome-app --tap --screenshot-dir DIR
 *
 * With --keyring, under tests/keyring-session.py: the key in the keyring
 * instead (see "The key in the keyring" below).
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

using CapSolverGnome;

const int DEADLINE_SECONDS = 30;
/* Frames drawn after a change before the window is measured: enough for
 * a resize to reach the X server and come back. */
const int SETTLE_FRAMES = 5;
const string ZERO_KEY = "CAP-ZERO00000000000000000000000000000000000000000000000000000000000";
const string GOOD_KEY = "CAP-GOOD00000000000000000000000000000000000000000000000000000000000";
const string OTHER_KEY = "CAP-OTHER0000000000000000000000000000000000000000000000000000000000";
/* A key no service knows. */
const string WRONG_KEY = "CAP-WRONG0000000000000000000000000000000000000000000000000000000000";

string screenshot_dir;

delegate bool Condition ();

/* Runs a fresh application with a script; what the script sees is kept
 * for the checks after run () returns. */
abstract class Driver : Object {
  public CapSolverGnome.Application app;
  public string? failure;
  public int status = -1;
  bool started;

  protected Window win { get { return app.window; } }

  protected abstract async void script ();

  public void run (string[] argv) {
    app = new CapSolverGnome.Application ();
    app.activate.connect_after (() => {
      if (!started) {
        started = true;
        start.begin ();
      }
    });
    status = app.run (argv);
  }

  async void start () {
    if (yield wait_for ("the window", () => win != null && win.get_mapped ()))
      yield script ();
    app.quit ();
  }

  protected async bool wait_for (string what, owned Condition condition) {
    if (failure != null)
      return false;
    int64 deadline = get_monotonic_time () + DEADLINE_SECONDS * TimeSpan.SECOND;
    while (!condition ()) {
      if (get_monotonic_time () > deadline) {
        failure = "timed out waiting for %s (status: “%s”, banner: “%s”)".printf (
          what, win.status_label.label, win.banner_label.label);
        return false;
      }
      Timeout.add (20, wait_for.callback);
      yield;
    }
    return true;
  }

  /* Waits until @n frames have been painted: layout and any resize are
   * done, and the window has a picture. It resumes after a paint, when
   * nothing waits for layout. */
  protected async void settle (int n = SETTLE_FRAMES) {
    int count = 0;
    SourceFunc resume = settle.callback;
    var clock = win.get_frame_clock ();
    /* A tick callback keeps the clock going while nothing changes. */
    uint tick = win.add_tick_callback (() => Source.CONTINUE);
    ulong handler = 0;
    handler = clock.after_paint.connect (() => {
      if (++count == n)
        Idle.add ((owned) resume);
    });
    yield;
    clock.disconnect (handler);
    win.remove_tick_callback (tick);
  }

  /* Clicks Solve and waits until the solve has ended. */
  protected async bool solve (string what) {
    win.solve_button.clicked ();
    return yield wait_for (what, () => !win.solving);
  }

  /* The text row of a member of the form. */
  protected Adw.EntryRow entry_of (string member) {
    foreach (var row in win.form.rows)
      if (row.member == member && row.entry != null)
        return row.entry;
    error ("no text row for %s", member);
  }

  /* The right edge of @widget in the window, or int.MAX. */
  protected int right_edge (Gtk.Widget widget) {
    Graphene.Rect bounds;
    if (!widget.compute_bounds (win, out bounds))
      return int.MAX;
    return (int) Math.ceilf (bounds.get_x () + bounds.get_width ());
  }

  /* Renders the window to a PNG, as a person would see it. */
  protected bool screenshot (string name) {
    var paintable = new Gtk.WidgetPaintable (win);
    var snapshot = new Gtk.Snapshot ();
    paintable.snapshot (snapshot, win.get_width (), win.get_height ());
    var node = snapshot.free_to_node ();
    if (node == null) {
      printerr ("# no render node for %s (%dx%d)\n", name, win.get_width (), win.get_height ());
      return false;
    }
    var texture = win.get_native ().get_renderer ().render_texture (node, null);
    return texture.save_to_png (Path.build_filename (screenshot_dir, name));
  }
}

/* --- Every type -------------------------------------------------------------- */

class EveryType : Driver {
  public GenericArray<string> problems = new GenericArray<string> ();
  public uint solved;

  protected override async void script () {
    unowned CapSolver.TaskType[] types = CapSolver.TaskType.get_all ();
    for (uint i = 0; i < types.length; i++) {
      unowned CapSolver.TaskType type = types[i];
      win.type_row.selected = i;

      string[] wanted = {};
      foreach (unowned CapSolver.TaskField field in type.get_fields ())
        wanted += field.get_member ();
      string[] shown = {};
      foreach (var row in win.form.rows)
        shown += row.member;
      if (string.joinv (",", wanted) != string.joinv (",", shown))
        problems.add ("%s: the form has %s, the schema %s".printf (
          type.get_name (), string.joinv (",", shown), string.joinv (",", wanted)));

      if (!yield solve (type.get_name ()))
        return;
      if (win.solution_text == null || win.token_label.label != win.solution_text)
        problems.add ("%s: not solved: “%s” “%s”".printf (type.get_name (),
                      win.status_label.label, win.banner_label.label));
      else
        solved++;
    }
  }
}

void test_every_type () {
  var driver = new EveryType ();
  driver.run ({ "capsolver-gnome" });
  assert_cmpint (driver.status, CompareOperator.EQ, 0);
  assert_null (driver.failure);
  foreach (var problem in driver.problems)
    printerr ("# %s\n", problem);
  assert_cmpuint (driver.problems.length, CompareOperator.EQ, 0);
  assert_cmpuint (driver.solved, CompareOperator.EQ, CapSolver.TaskType.get_all ().length);
  assert_cmpuint (driver.solved, CompareOperator.GE, 14);
}

/* --- Solve, copy, cancel ---------------------------------------------------------- */

class SolveCancel : Driver {
  public int[] widths = {};
  public int[] right_edges = {};
  public GenericArray<string> statuses = new GenericArray<string> ();
  public string? token;
  public string? shown_token;
  public string? copied;
  public string? status_after_solve;
  public string? status_after_cancel;
  public CapSolver.TaskStatus task_status_after_cancel;
  public double fraction_after_cancel = -1;
  public bool solve_enabled_after_cancel;
  public bool cancel_enabled_after_cancel = true;
  public bool screenshot_saved;

  void measure () {
    widths += win.get_width ();
    right_edges += int.max (right_edge (win.solve_button), right_edge (win.copy_button));
  }

  protected override async void script () {
    win.status_label.notify["label"].connect (() => statuses.add (win.status_label.label));
    if (!win.select_type ("recaptcha-v2")) {
      failure = "no recaptcha-v2 type";
      return;
    }
    yield settle ();
    measure ();

    if (!yield solve ("the token"))
      return;
    yield settle ();
    measure ();
    token = win.task.solution != null ? win.task.solution.get_token () : null;
    shown_token = win.token_label.label;
    status_after_solve = win.status_label.label;
    screenshot_saved = screenshot ("gnome-app.png");

    win.copy_button.clicked ();
    win.get_clipboard ().read_text_async.begin (null, (obj, result) => {
      try {
        copied = win.get_clipboard ().read_text_async.end (result) ?? "";
      } catch (Error e) {
        copied = e.message;
      }
    });
    if (!yield wait_for ("the copied token", () => copied != null))
      return;

    /* A task the sandbox keeps processing: Cancel while it does. */
    app.sandbox.polls_until_ready = 1000;
    win.solve_button.clicked ();
    if (!yield wait_for ("the task processing", () => win.status_label.label == "Processing…"))
      return;
    win.cancel_button.clicked ();
    if (!yield wait_for ("the end of the cancelled solve", () => !win.solving))
      return;
    task_status_after_cancel = win.task.status;
    yield settle ();
    measure ();
    status_after_cancel = win.status_label.label;
    fraction_after_cancel = win.progress.fraction;
    solve_enabled_after_cancel = win.solve_button.sensitive;
    cancel_enabled_after_cancel = win.cancel_button.sensitive;
  }
}

void test_solve_cancel () {
  var driver = new SolveCancel ();
  driver.run ({ "capsolver-gnome", "--sandbox" });
  assert_cmpint (driver.status, CompareOperator.EQ, 0);
  assert_null (driver.failure);

  /* The status line followed the task, then said how the solve ended. */
  assert_true ("Processing…" in driver.statuses.data);
  assert_true (driver.status_after_solve.has_prefix ("Ready: solved in "));
  /* The whole token is shown and copied. */
  assert_nonnull (driver.token);
  assert_cmpint (driver.token.length, CompareOperator.GT, 400);
  assert_cmpstr (driver.shown_token, CompareOperator.EQ, driver.token);
  assert_cmpstr (driver.copied, CompareOperator.EQ, driver.token);
  /* A token has nowhere to wrap at words: the window keeps its width and
   * its buttons. */
  assert_cmpint (driver.widths.length, CompareOperator.EQ, 3);
  assert_cmpint (driver.widths[0], CompareOperator.GT, 0);
  assert_cmpint (driver.widths[0], CompareOperator.LE, 560);
  for (int i = 1; i < driver.widths.length; i++)
    assert_cmpint (driver.widths[i], CompareOperator.EQ, driver.widths[0]);
  for (int i = 0; i < driver.right_edges.length; i++)
    assert_cmpint (driver.right_edges[i], CompareOperator.LE, driver.widths[i]);
  /* After Cancel: not "Processing", though the task's status stays
   * processing (the service said so last), and Solve is back. */
  assert_true (driver.task_status_after_cancel == CapSolver.TaskStatus.PROCESSING);
  assert_cmpstr (driver.status_after_cancel, CompareOperator.EQ, "Cancelled");
  assert_cmpfloat (driver.fraction_after_cancel, CompareOperator.EQ, 0.0);
  assert_true (driver.solve_enabled_after_cancel);
  assert_false (driver.cancel_enabled_after_cancel);
  assert_true (driver.screenshot_saved);
}

/* --- Errors --------------------------------------------------------------------- */

class Errors : Driver {
  public string? zero_balance;
  public string? zero_balance_status;
  public string? paused;
  public string? paused_button;
  public string? paused_again;
  public uint paused_after_resume = uint.MAX;
  public string? after_resume;
  public string? not_a_number;
  public string? not_a_number_status;
  public string? missing;
  public bool screenshot_saved;

  string banner () {
    return win.banner.reveal_child ? win.banner_label.label : "";
  }

  protected override async void script () {
    win.select_type ("recaptcha-v2");
    var url = entry_of ("websiteURL");

    url.text = CapSolver.SANDBOX_ERROR_URL_PREFIX + "ERROR_ZERO_BALANCE";
    if (!yield solve ("the zero balance"))
      return;
    zero_balance = banner ();
    zero_balance_status = win.status_label.label;
    if (!yield wait_for ("the banner", () => win.banner.child_revealed))
      return;
    yield settle ();
    screenshot_saved = screenshot ("gnome-app-error.png");
    /* No money holds every new task back until a balance read shows some:
     * funds were added */
    assert (app.client.account_state == CapSolver.AccountState.NO_BALANCE);
    app.client.resume ();

    /* A cooldown error pauses the client: the banner offers Resume. */
    url.text = CapSolver.SANDBOX_ERROR_URL_PREFIX + "ERROR_RATE_LIMIT";
    if (!yield solve ("the rate limit"))
      return;
    paused = banner ();
    paused_button = win.banner_button.visible ? win.banner_button.label : null;
    url.text = "https://example.com/login";
    if (!yield solve ("the paused client"))
      return;
    paused_again = banner ();
    win.banner_button.clicked ();
    paused_after_resume = app.client.get_paused_for ();
    if (!yield solve ("a solve after Resume"))
      return;
    after_resume = win.solution_text;

    /* A number field that holds text; then a required field left empty. */
    foreach (unowned CapSolver.TaskType type in CapSolver.TaskType.get_all ())
      foreach (unowned CapSolver.TaskField field in type.get_fields ())
        if (not_a_number == null && field.get_kind () == CapSolver.TaskFieldKind.DOUBLE) {
          win.select_type (type.get_name ());
          entry_of (field.get_member ()).text = "seven";
          win.solve_button.clicked ();
          not_a_number = banner ();
          not_a_number_status = win.status_label.label;
        }
    win.select_type ("recaptcha-v2");
    entry_of ("websiteKey").text = "";
    win.solve_button.clicked ();
    missing = banner ();
  }
}

void test_errors () {
  var driver = new Errors ();
  driver.run ({ "capsolver-gnome" });
  assert_cmpint (driver.status, CompareOperator.EQ, 0);
  assert_null (driver.failure);

  assert_true ("balance is too low" in driver.zero_balance);
  assert_true ("Add funds" in driver.zero_balance);
  assert_cmpstr (driver.zero_balance_status, CompareOperator.EQ, "Failed: ERROR_ZERO_BALANCE");
  assert_true (driver.screenshot_saved);

  assert_true ("Requests are paused" in driver.paused);
  assert_true ("ERROR_RATE_LIMIT" in driver.paused);
  assert_cmpstr (driver.paused_button, CompareOperator.EQ, "Resume Now");
  assert_true ("Requests are paused" in driver.paused_again);
  assert_cmpuint (driver.paused_after_resume, CompareOperator.EQ, 0);
  assert_nonnull (driver.after_resume);

  assert_nonnull (driver.not_a_number);
  assert_true ("“seven” is not a number" in driver.not_a_number);
  assert_true ("Correct the field" in driver.not_a_number);
  assert_cmpstr (driver.not_a_number_status, CompareOperator.EQ,
                 "Not sent: a field needs correcting");
  assert_true ("websiteKey" in driver.missing);
}

/* --- The live service ----------------------------------------------------------- */

class Live : Driver {
  public string? no_key;
  public string? no_key_button;
  public string? no_key_balance;
  public string? no_key_status;
  public string? zero_balance;
  public string? zero_balance_banner;
  public string? zero_balance_solve;
  public string? good_balance;
  public string? good_token;
  public bool sandbox_after_button;

  public string? keyring_before;
  public string? keyring_after;
  public KeyringState keyring_state_after;
  public string? toast_after;
  public bool screenshot_saved;

  protected override async void script () {
    if (!yield wait_for ("the keyring", () => !app.reading_key))
      return;
    win.select_type ("recaptcha-v2");
    keyring_before = win.keyring_row.subtitle;
    no_key = win.banner.reveal_child ? win.banner_label.label : null;
    if (!yield wait_for ("the banner", () => win.banner.child_revealed))
      return;
    yield settle ();
    screenshot_saved = screenshot ("gnome-app-no-keyring.png");
    no_key_button = win.banner_button.label;
    no_key_balance = win.balance_button.label;
    win.solve_button.clicked ();
    no_key_status = win.status_label.label;

    win.key_row.text = ZERO_KEY;
    win.key_row.apply ();
    if (!yield wait_for ("the zero balance", () => win.balance_button.label == "$0.00"))
      return;
    zero_balance = win.balance_button.label;
    zero_balance_banner = win.banner_label.label;
    /* The live service's form starts empty: its Example buttons fill it. */
    foreach (var row in win.form.rows)
      if (row.field.is_required () && row.example_button != null)
        row.example_button.clicked ();
    if (!yield solve ("the solve without balance"))
      return;
    zero_balance_solve = win.status_label.label;

    win.key_row.text = GOOD_KEY;
    win.key_row.apply ();
    if (!yield wait_for ("the balance", () => win.balance_button.label == "$5.00"))
      return;
    good_balance = win.balance_button.label;
    if (!yield solve ("the token"))
      return;
    good_token = win.solution_text;
    /* No keyring: the key was used, and nothing tried to keep it. */
    keyring_after = win.keyring_row.subtitle;
    keyring_state_after = app.keyring_state;
    toast_after = win.last_toast;

    /* The banner's button switches to the sandbox. */
    win.key_row.text = "";
    win.key_row.apply ();
    win.banner_button.clicked ();
    sandbox_after_button = app.use_sandbox && win.sandbox_switch.active && app.client != null;
  }
}

void test_live () {
  var service = new CapSolver.Sandbox ();
  try {
    service.start (0);
  } catch (Error e) {
    error ("%s", e.message);
  }
  service.add_key (ZERO_KEY, 0);
  service.add_key (GOOD_KEY, 5);
  Environment.set_variable ("CAPSOLVER_BASE_URL", service.get_base_url (), true);

  var driver = new Live ();
  driver.run ({ "capsolver-gnome", "--live" });
  Environment.unset_variable ("CAPSOLVER_BASE_URL");
  service.stop ();
  assert_cmpint (driver.status, CompareOperator.EQ, 0);
  assert_null (driver.failure);

  assert_nonnull (driver.no_key);
  assert_true (driver.no_key.has_prefix ("No API key."));
  assert_true ("CAPSOLVER_API_KEY" in driver.no_key);
  assert_true ("There is no keyring (no D-Bus session bus" in driver.no_key);
  assert_cmpstr (driver.no_key_button, CompareOperator.EQ, "Use Sandbox");
  assert_cmpstr (driver.no_key_balance, CompareOperator.EQ, "No key");
  assert_cmpstr (driver.no_key_status, CompareOperator.EQ, "Not sent: no API key");

  assert_cmpstr (driver.zero_balance, CompareOperator.EQ, "$0.00");
  assert_true ("balance is too low" in driver.zero_balance_banner);
  assert_cmpstr (driver.zero_balance_solve, CompareOperator.EQ, "Failed: ERROR_ZERO_BALANCE");

  assert_cmpstr (driver.good_balance, CompareOperator.EQ, "$5.00");
  assert_nonnull (driver.good_token);
  assert_true (driver.keyring_before.has_prefix ("No keyring: no D-Bus session bus"));
  assert_true ("A typed key works until the application quits" in driver.keyring_before);
  assert_cmpstr (driver.keyring_after, CompareOperator.EQ, driver.keyring_before);
  assert_true (driver.keyring_state_after == KeyringState.UNAVAILABLE);
  assert_null (driver.toast_after);
  assert_true (driver.screenshot_saved);
  /* Requests went to the stand-in service only once a key was typed. */
  assert_cmpuint (service.get_request_count ("createTask"), CompareOperator.EQ, 2);
  assert_true (driver.sandbox_after_button);
}

/* --- The key in the keyring ---------------------------------------------------- */

/* With --keyring, run by tests/keyring-session.py:
 *
 *   keyring/store       a typed key is kept once a solve with it succeeds,
 *                       not after a failed one; a screenshot
 *   keyring/next-start  the kept key is read at start and solves; Forget
 *                       takes it out of the keyring and the window, and
 *                       the start after that has no key
 *   keyring/save        Save keeps a typed key without a solve
 *   keyring/environment CAPSOLVER_API_KEY comes before the keyring, which
 *                       is then not read; the sandbox never reads it
 *   keyring/late-read   a keyring read that ends while a solve with a typed
 *                       key is under way (the daemon stopped, then
 *                       continued) leaves the solve alone
 *   keyring/locked      a locked keyring is said to be locked, not empty,
 *                       and Forget stays enabled
 */

/* A sandbox standing in for the live service, named by CAPSOLVER_BASE_URL
 * for the application runs of one test. */
class StandIn : Object {
  public CapSolver.Sandbox service = new CapSolver.Sandbox ();
  public string url;

  public StandIn () {
    try {
      service.start (0);
    } catch (Error e) {
      error ("%s", e.message);
    }
    service.add_key (ZERO_KEY, 0);
    service.add_key (GOOD_KEY, 5);
    service.add_key (OTHER_KEY, 5);
    url = service.get_base_url ();
    Environment.set_variable ("CAPSOLVER_BASE_URL", url, true);
  }

  ~StandIn () {
    Environment.unset_variable ("CAPSOLVER_BASE_URL");
    service.stop ();
  }

  /* What the keyring holds for the stand-in, read by the library itself. */
  public string? kept_key () {
    try {
      return CapSolver.keyring_lookup_key (url);
    } catch (Error e) {
      error ("the keyring: %s", e.message);
    }
  }

  public void keep (string? key) {
    try {
      if (key != null)
        CapSolver.keyring_store_key (url, key);
      else
        CapSolver.keyring_clear_key (url);
    } catch (Error e) {
      error ("the keyring: %s", e.message);
    }
  }
}

abstract class KeyringDriver : Driver {
  protected async bool keyring_read () {
    return yield wait_for ("the keyring", () => !app.reading_key);
  }

  /* The live service's form starts empty: its Example buttons fill it. */
  protected void fill_examples () {
    foreach (var row in win.form.rows)
      if (row.field.is_required () && row.example_button != null)
        row.example_button.clicked ();
  }

  protected async bool type_key (string key, string balance) {
    win.key_row.text = key;
    win.key_row.apply ();
    return yield wait_for ("the balance " + balance, () => win.balance_button.label == balance);
  }
}

class KeyringStore : KeyringDriver {
  public KeyringState state_at_start;
  public string? banner_at_start;
  public string? failed_solve;
  public KeyringState state_after_failure;
  public string? token;
  public string? toast;
  public string? row;
  public bool save_enabled = true;
  public KeySource source;
  public bool screenshot_saved;

  protected override async void script () {
    if (!yield keyring_read ())
      return;
    state_at_start = app.keyring_state;
    banner_at_start = win.banner.reveal_child ? win.banner_label.label : null;
    win.select_type ("recaptcha-v2");
    fill_examples ();

    if (!yield type_key (ZERO_KEY, "$0.00"))
      return;
    if (!yield solve ("the solve without balance"))
      return;
    failed_solve = win.status_label.label;
    state_after_failure = app.keyring_state;

    if (!yield type_key (GOOD_KEY, "$5.00"))
      return;
    if (!yield solve ("the token"))
      return;
    token = win.solution_text;
    if (!yield wait_for ("the key kept", () => app.keyring_state == KeyringState.STORED &&
                                               !app.keyring_busy))
      return;
    toast = win.last_toast;
    row = win.keyring_row.subtitle;
    save_enabled = win.save_key_button.sensitive;
    source = app.key_source;
    yield settle ();
    screenshot_saved = screenshot ("gnome-app-keyring.png");
  }
}

void test_keyring_store () {
  var stand_in = new StandIn ();
  stand_in.keep (null);
  var driver = new KeyringStore ();
  driver.run ({ "capsolver-gnome", "--live" });
  assert_cmpint (driver.status, CompareOperator.EQ, 0);
  assert_null (driver.failure);

  assert_true (driver.state_at_start == KeyringState.EMPTY);
  assert_true (driver.banner_at_start.has_prefix ("No API key."));
  assert_false ("no keyring" in driver.banner_at_start);
  /* A key the service took but could not solve with is not kept. */
  assert_cmpstr (driver.failed_solve, CompareOperator.EQ, "Failed: ERROR_ZERO_BALANCE");
  assert_true (driver.state_after_failure == KeyringState.EMPTY);
  /* One that solved is. */
  assert_nonnull (driver.token);
  assert_cmpstr (driver.toast, CompareOperator.EQ,
                 "Key saved in the keyring: it is used at the next start");
  assert_cmpstr (driver.row, CompareOperator.EQ,
                 "The typed key is kept in the keyring, for the next start.");
  assert_false (driver.save_enabled);
  assert_true (driver.source == KeySource.TYPED);
  assert_true (driver.screenshot_saved);
  assert_cmpstr (stand_in.kept_key (), CompareOperator.EQ, GOOD_KEY);
  stand_in.keep (null);
}

class KeyringNextStart : KeyringDriver {
  public KeyringState state;
  public KeySource source;
  public string? key;
  public string? typed;
  public bool banner_shown = true;
  public string? row;
  public string? token;
  public bool save_enabled = true;
  public bool forget_enabled;
  public KeyringState state_after_forget;
  public bool client_after_forget = true;
  public string? banner_after_forget;
  public string? toast;

  protected override async void script () {
    if (!yield keyring_read ())
      return;
    state = app.keyring_state;
    source = app.key_source;
    key = app.client != null ? app.client.api_key : null;
    typed = win.key_row.text;
    banner_shown = win.banner.reveal_child;
    row = win.keyring_row.subtitle;
    save_enabled = win.save_key_button.sensitive;
    forget_enabled = win.forget_key_button.sensitive;
    if (key == null)
      return;
    win.select_type ("recaptcha-v2");
    fill_examples ();
    if (!yield solve ("the token"))
      return;
    token = win.solution_text;

    win.forget_key_button.clicked ();
    if (!yield wait_for ("the key forgotten", () => app.keyring_state == KeyringState.EMPTY))
      return;
    state_after_forget = app.keyring_state;
    client_after_forget = app.client != null;
    banner_after_forget = win.banner.reveal_child ? win.banner_label.label : null;
    toast = win.last_toast;
  }
}

class KeyringEmptyStart : KeyringDriver {
  public KeyringState state;
  public bool client = true;
  public string? banner;

  protected override async void script () {
    if (!yield keyring_read ())
      return;
    state = app.keyring_state;
    client = app.client != null;
    banner = win.banner.reveal_child ? win.banner_label.label : null;
  }
}

void test_keyring_next_start () {
  var stand_in = new StandIn ();
  stand_in.keep (GOOD_KEY);
  var driver = new KeyringNextStart ();
  driver.run ({ "capsolver-gnome", "--live" });
  assert_cmpint (driver.status, CompareOperator.EQ, 0);
  assert_null (driver.failure);

  /* Read at start, used without typing, and solving. */
  assert_true (driver.state == KeyringState.STORED);
  assert_true (driver.source == KeySource.KEYRING);
  assert_cmpstr (driver.key, CompareOperator.EQ, GOOD_KEY);
  assert_cmpstr (driver.typed, CompareOperator.EQ, "");
  assert_false (driver.banner_shown);
  assert_cmpstr (driver.row, CompareOperator.EQ, "The key is kept in the keyring, and used.");
  assert_false (driver.save_enabled);
  assert_true (driver.forget_enabled);
  assert_nonnull (driver.token);
  /* Forget: out of the keyring and of the window. */
  assert_true (driver.state_after_forget == KeyringState.EMPTY);
  assert_false (driver.client_after_forget);
  assert_true (driver.banner_after_forget.has_prefix ("No API key."));
  assert_cmpstr (driver.toast, CompareOperator.EQ, "Key forgotten: removed from the keyring");
  assert_null (stand_in.kept_key ());

  /* The next start has no key. */
  var empty = new KeyringEmptyStart ();
  empty.run ({ "capsolver-gnome", "--live" });
  assert_cmpint (empty.status, CompareOperator.EQ, 0);
  assert_null (empty.failure);
  assert_true (empty.state == KeyringState.EMPTY);
  assert_false (empty.client);
  assert_true (empty.banner.has_prefix ("No API key."));
}

class KeyringSave : KeyringDriver {
  public bool save_enabled_empty = true;
  public string? wrong_banner;
  public string? wrong_toast;
  public KeyringState wrong_state;
  public string? toast;
  public KeySource source;

  protected override async void script () {
    if (!yield keyring_read ())
      return;
    save_enabled_empty = win.save_key_button.sensitive;
    /* A key the service refuses: checked, not kept, and the banner says so. */
    win.key_row.text = WRONG_KEY;
    win.save_key_button.clicked ();
    if (!yield wait_for ("the key checked", () => win.banner.reveal_child && !win.checking_key))
      return;
    wrong_banner = win.banner_label.label;
    wrong_toast = win.last_toast;
    wrong_state = app.keyring_state;
    /* Typed, not applied: Save applies and keeps it. */
    win.key_row.text = OTHER_KEY;
    win.save_key_button.clicked ();
    if (!yield wait_for ("the key kept", () => app.keyring_state == KeyringState.STORED &&
                                               !app.keyring_busy))
      return;
    toast = win.last_toast;
    source = app.key_source;
  }
}

void test_keyring_save () {
  var stand_in = new StandIn ();
  stand_in.keep (null);
  var driver = new KeyringSave ();
  driver.run ({ "capsolver-gnome", "--live" });
  assert_cmpint (driver.status, CompareOperator.EQ, 0);
  assert_null (driver.failure);
  assert_false (driver.save_enabled_empty);
  assert_true ("refused the API key" in driver.wrong_banner);
  assert_cmpstr (driver.wrong_toast, CompareOperator.EQ,
                 "The key was not saved: the service did not take it");
  assert_true (driver.wrong_state == KeyringState.EMPTY);
  assert_cmpstr (driver.toast, CompareOperator.EQ, "Key saved in the keyring");
  assert_true (driver.source == KeySource.TYPED);
  assert_cmpstr (stand_in.kept_key (), CompareOperator.EQ, OTHER_KEY);
  assert_cmpuint (stand_in.service.get_request_count ("createTask"), CompareOperator.EQ, 0);
  stand_in.keep (null);
}

class KeyringEnvironment : KeyringDriver {
  public KeyringState state;
  public KeySource source;
  public string? key;
  public string? row;

  protected override async void script () {
    /* Nothing to wait for: the keyring is not read. */
    yield wait_for ("the balance", () => win.balance_button.label == "$5.00");
    state = app.keyring_state;
    source = app.key_source;
    key = app.client != null ? app.client.api_key : null;
    row = win.keyring_row.subtitle;
  }
}

void test_keyring_environment () {
  var stand_in = new StandIn ();
  stand_in.keep (OTHER_KEY);
  Environment.set_variable ("CAPSOLVER_API_KEY", GOOD_KEY, true);
  var driver = new KeyringEnvironment ();
  driver.run ({ "capsolver-gnome", "--live" });
  Environment.unset_variable ("CAPSOLVER_API_KEY");
  assert_cmpint (driver.status, CompareOperator.EQ, 0);
  assert_null (driver.failure);
  assert_true (driver.state == KeyringState.NOT_READ);
  assert_true (driver.source == KeySource.ENVIRONMENT);
  assert_cmpstr (driver.key, CompareOperator.EQ, GOOD_KEY);
  assert_cmpstr (driver.row, CompareOperator.EQ,
                 "CAPSOLVER_API_KEY is used: the keyring is not read while it is set.");

  /* The sandbox has a key of its own: the keyring is not read either. */
  var sandbox = new KeyringEmptyStart ();
  sandbox.run ({ "capsolver-gnome" });
  assert_cmpint (sandbox.status, CompareOperator.EQ, 0);
  assert_null (sandbox.failure);
  assert_true (sandbox.state == KeyringState.NOT_READ);
  assert_true (sandbox.client);
  assert_cmpstr (stand_in.kept_key (), CompareOperator.EQ, OTHER_KEY);
  stand_in.keep (null);
}

/* The keyring daemon of the session: stopped, continued, or replaced by a
 * new one whose login keyring is unlocked with keyring-session.py's
 * password. */
const string TEST_PASSWORD = "capsolver-glib-test-password";

uint32 keyring_daemon_pid () {
  try {
    var bus = Bus.get_sync (BusType.SESSION);
    var reply = bus.call_sync ("org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                               new Variant ("(s)", "org.freedesktop.secrets"),
                               new VariantType ("(u)"), DBusCallFlags.NONE, -1);
    uint32 pid;
    reply.get ("(u)", out pid);
    return pid;
  } catch (Error e) {
    error ("the keyring daemon: %s", e.message);
  }
}

void signal_daemon (uint32 pid, string signal_name) {
  try {
    string[] argv = { "kill", "-" + signal_name, pid.to_string () };
    int status;
    Process.spawn_sync (null, argv, null, SpawnFlags.SEARCH_PATH, null, null, null, out status);
    Process.check_wait_status (status);
  } catch (Error e) {
    error ("kill -%s: %s", signal_name, e.message);
  }
}

void lock_keyring () {
  try {
    var bus = Bus.get_sync (BusType.SESSION);
    string[] collections = { "/org/freedesktop/secrets/aliases/default" };
    bus.call_sync ("org.freedesktop.secrets", "/org/freedesktop/secrets",
                   "org.freedesktop.Secret.Service", "Lock",
                   new Variant ("(^ao)", collections), null, DBusCallFlags.NONE, -1);
  } catch (Error e) {
    error ("Lock: %s", e.message);
  }
}

void restart_keyring () {
  try {
    var launcher = new SubprocessLauncher (SubprocessFlags.STDIN_PIPE |
                                           SubprocessFlags.STDOUT_SILENCE);
    launcher.unsetenv ("G_DEBUG");
    var daemon = launcher.spawnv ({ "gnome-keyring-daemon", "--replace", "--unlock",
                                    "--components=secrets", "--daemonize" });
    daemon.communicate (new Bytes (TEST_PASSWORD.data), null, null, null);
    assert_true (daemon.get_successful ());
    var bus = Bus.get_sync (BusType.SESSION);
    int64 deadline = get_monotonic_time () + DEADLINE_SECONDS * TimeSpan.SECOND;
    for (;;) {
      var reply = bus.call_sync ("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                 "org.freedesktop.DBus", "NameHasOwner",
                                 new Variant ("(s)", "org.freedesktop.secrets"),
                                 new VariantType ("(b)"), DBusCallFlags.NONE, -1);
      bool owned;
      reply.get ("(b)", out owned);
      if (owned)
        break;
      assert_cmpint ((int) (get_monotonic_time () > deadline), CompareOperator.EQ, 0);
      Thread.usleep (50000);
    }
  } catch (Error e) {
    error ("gnome-keyring-daemon: %s", e.message);
  }
}

class KeyringLateRead : KeyringDriver {
  public uint32 daemon;
  public bool reading_at_start;
  public bool solving_after_read;
  public string? token;
  public string? status_line;
  public KeySource source;
  public KeyringState state;
  public string? key;

  protected override async void script () {
    reading_at_start = app.reading_key;
    win.select_type ("recaptcha-v2");
    fill_examples ();
    win.key_row.text = GOOD_KEY;
    win.key_row.apply ();
    win.solve_button.clicked ();
    /* the task created: the solve is polling when the keyring answers */
    if (!yield wait_for ("the task sent", () => !win.solving ||
                                                win.task.status != CapSolver.TaskStatus.NEW))
      return;
    signal_daemon (daemon, "CONT");
    if (!yield wait_for ("the keyring read", () => !app.reading_key))
      return;
    solving_after_read = win.solving;
    if (!yield wait_for ("the end of the solve", () => !win.solving))
      return;
    token = win.solution_text;
    status_line = win.status_label.label;
    source = app.key_source;
    state = app.keyring_state;
    key = app.client != null ? app.client.api_key : null;
    yield wait_for ("the keyring", () => !app.keyring_busy);
  }
}

void test_keyring_late_read () {
  var stand_in = new StandIn ();
  stand_in.keep (OTHER_KEY);
  /* a few polls: the solve lasts seconds after the keyring has answered */
  stand_in.service.polls_until_ready = 2;
  var driver = new KeyringLateRead ();
  driver.daemon = keyring_daemon_pid ();
  signal_daemon (driver.daemon, "STOP");
  driver.run ({ "capsolver-gnome", "--live" });
  signal_daemon (driver.daemon, "CONT");
  assert_cmpint (driver.status, CompareOperator.EQ, 0);
  assert_null (driver.failure);

  assert_true (driver.reading_at_start);
  assert_true (driver.solving_after_read);
  /* the read did not cancel the solve: it ended with its token */
  assert_true (driver.status_line.has_prefix ("Ready: solved in "));
  assert_nonnull (driver.token);
  assert_true (driver.source == KeySource.TYPED);
  assert_cmpstr (driver.key, CompareOperator.EQ, GOOD_KEY);
  assert_true (driver.state == KeyringState.STORED);
  assert_cmpuint (stand_in.service.get_request_count ("createTask"), CompareOperator.EQ, 1);
  stand_in.keep (null);
}

/* libsecret 0.20 logs criticals of its own when the keyring's prompt to
 * unlock cannot be shown, as in this session with no display: those two,
 * and only those, are not fatal here (see tests/test-keyring.c). */
bool is_prompt_critical (string? domain, string message) {
  return (domain == "GLib" && "g_variant_unref: assertion 'value != NULL' failed" in message) ||
         (domain == "GLib-GIO" &&
          "g_task_return_error: assertion 'error != NULL' failed" in message);
}

void tolerate_prompt_criticals () {
  LogFunc handler = (domain, level, message) => {
    if (is_prompt_critical (domain, message))
      Test.message ("libsecret, with no prompter: %s", message);
    else
      Log.default_handler (domain, level, message);
  };
  var levels = LogLevelFlags.LEVEL_CRITICAL | LogLevelFlags.FLAG_FATAL |
               LogLevelFlags.FLAG_RECURSION;
  Log.set_handler ("GLib", levels, handler);
  Log.set_handler ("GLib-GIO", levels, handler);
  Test.log_set_fatal_handler ((domain, level, message) => !is_prompt_critical (domain, message));
}

class KeyringLocked : KeyringDriver {
  public KeyringState state;
  public string? row;
  public string? banner;
  public bool forget_enabled;

  protected override async void script () {
    if (!yield keyring_read ())
      return;
    state = app.keyring_state;
    row = win.keyring_row.subtitle;
    banner = win.banner.reveal_child ? win.banner_label.label : null;
    forget_enabled = win.forget_key_button.sensitive;
  }
}

void test_keyring_locked () {
  var stand_in = new StandIn ();
  stand_in.keep (GOOD_KEY);
  tolerate_prompt_criticals ();
  lock_keyring ();
  var driver = new KeyringLocked ();
  driver.run ({ "capsolver-gnome", "--live" });
  /* a new login unlocks it, for what comes next */
  restart_keyring ();
  assert_cmpint (driver.status, CompareOperator.EQ, 0);
  assert_null (driver.failure);

  assert_true (driver.state == KeyringState.LOCKED);
  assert_true (driver.row.has_prefix ("The keyring is locked"));
  assert_true (driver.banner.has_prefix ("No API key."));
  assert_true ("The keyring is locked" in driver.banner);
  assert_true (driver.forget_enabled);
  assert_cmpstr (stand_in.kept_key (), CompareOperator.EQ, GOOD_KEY);
  stand_in.keep (null);
}

int main (string[] args) {
  string[] rest = {};
  bool keyring = false;
  for (int i = 0; i < args.length; i++) {
    if (args[i] == "--screenshot-dir" && i + 1 < args.length)
      screenshot_dir = args[++i];
    else if (args[i] == "--keyring")
      keyring = true;
    else
      rest += args[i];
  }
  if (screenshot_dir == null)
    screenshot_dir = Environment.get_current_dir ();
  /* The X server of xvfb-run, drawn without GL, and no key of the caller's. */
  Environment.unset_variable ("WAYLAND_DISPLAY");
  Environment.set_variable ("GDK_BACKEND", "x11", true);
  Environment.set_variable ("GSK_RENDERER", "cairo", true);
  Environment.set_variable ("GTK_A11Y", "none", true);
  Environment.unset_variable ("CAPSOLVER_API_KEY");
  Environment.unset_variable ("CAPSOLVER_BASE_URL");

  unowned string[] test_args = rest;
  Test.init (ref test_args);
  if (keyring) {
    Test.add_func ("/gnome-app/keyring/store", test_keyring_store);
    Test.add_func ("/gnome-app/keyring/next-start", test_keyring_next_start);
    Test.add_func ("/gnome-app/keyring/save", test_keyring_save);
    Test.add_func ("/gnome-app/keyring/environment", test_keyring_environment);
    Test.add_func ("/gnome-app/keyring/late-read", test_keyring_late_read);
    Test.add_func ("/gnome-app/keyring/locked", test_keyring_locked);
  } else {
    Test.add_func ("/gnome-app/every-type", test_every_type);
    Test.add_func ("/gnome-app/solve-cancel", test_solve_cancel);
    Test.add_func ("/gnome-app/errors", test_errors);
    Test.add_func ("/gnome-app/live", test_live);
  }
  return Test.run ();
}
