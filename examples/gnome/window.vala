/* window.vala: the window: the service, a task type, its form, a solve
 *
 * The header bar has the Sandbox switch and the balance. The status line
 * and the progress bar are bound to the task's status property while it
 * is solved; when the solve ends they are unbound and say how it ended
 * (the task's status stays at the last answer of the service, so a
 * cancelled task would read "processing" forever). The token wraps
 * anywhere and scrolls past a few lines, so it never widens or lengthens
 * the window. Errors
 * are a banner that says what to do, with a button when the window can
 * do it. Below the key, the Keyring row says what the keyring holds for
 * the service, or why there is none, with Save and Forget.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

namespace CapSolverGnome {

public class Window : Adw.ApplicationWindow {
  public unowned Application app;

  public Gtk.Switch sandbox_switch;
  public Adw.WindowTitle title_widget;
  public Gtk.Button balance_button;
  public Adw.PreferencesGroup key_group;
  public Adw.PasswordEntryRow key_row;
  public Adw.ActionRow keyring_row;
  public Gtk.Button save_key_button;
  public Gtk.Button forget_key_button;
  public Adw.ComboRow type_row;
  public TaskForm form;
  public Gtk.ProgressBar progress;
  public Gtk.Label status_label;
  public Gtk.Button solve_button;
  public Gtk.Button cancel_button;
  public Gtk.Label token_label;
  public Gtk.Button copy_button;
  public Gtk.Revealer banner;
  public Gtk.Label banner_label;
  public Gtk.Button banner_button;
  public Adw.ToastOverlay toasts;

  /* Save is checking the typed key with the service. */
  public bool checking_key { get; private set; }
  /* The solve under way, or the last one. */
  public CapSolver.Task? task;
  public bool solving { get; private set; }
  public string? solution_text;
  /* The text of the last toast, which is gone after a while. */
  public string? last_toast;
  Cancellable? cancellable;
  Cancellable? balance_cancellable;
  Binding? status_binding;
  Binding? progress_binding;
  unowned CapSolver.TaskType[] types;

  SimpleAction solve_action;
  SimpleAction cancel_action;
  SimpleAction copy_action;
  SimpleAction save_key_action;
  SimpleAction forget_key_action;

  public Window (Application app) {
    Object (application: app, title: "CapSolver", default_width: 560, default_height: 760);
    this.app = app;
    types = CapSolver.TaskType.get_all ();
    add_actions ();
    build ();
    sandbox_switch.active = app.use_sandbox;
    sandbox_switch.notify["active"].connect (() => app.use_service (sandbox_switch.active));
    app.notify["client"].connect (service_changed);
    foreach (unowned string name in new string[] { "keyring-state", "keyring-problem",
                                                    "keyring-busy", "key-source" })
      app.notify[name].connect (keyring_changed);
    key_row.changed.connect (keyring_changed);
    notify["checking-key"].connect (keyring_changed);
    app.notify["keyring-state"].connect (() => {
      /* A read of the keyring ended without a key, or it failed. */
      if (!app.use_sandbox && !app.reading_key && app.client == null)
        show_advice (no_key_advice ());
    });
    type_row.notify["selected"].connect (type_changed);
    type_changed ();
    service_changed ();
    keyring_changed ();
  }

  void add_actions () {
    solve_action = new SimpleAction ("solve", null);
    solve_action.activate.connect (solve);
    cancel_action = new SimpleAction ("cancel", null);
    cancel_action.activate.connect (() => cancellable.cancel ());
    cancel_action.set_enabled (false);
    copy_action = new SimpleAction ("copy-token", null);
    copy_action.activate.connect (copy_token);
    copy_action.set_enabled (false);
    var use_sandbox = new SimpleAction ("use-sandbox", null);
    use_sandbox.activate.connect (() => { sandbox_switch.active = true; });
    var resume = new SimpleAction ("resume", null);
    resume.activate.connect (() => {
      if (app.client != null)
        app.client.resume ();
      hide_banner ();
      toast ("Requests resumed");
    });
    var refresh = new SimpleAction ("refresh-balance", null);
    refresh.activate.connect (refresh_balance);
    save_key_action = new SimpleAction ("save-key", null);
    save_key_action.activate.connect (() => {
      apply_key ();
      check_and_store_key.begin ();
    });
    forget_key_action = new SimpleAction ("forget-key", null);
    forget_key_action.activate.connect (() => forget_key.begin ());
    foreach (var action in new SimpleAction[] { solve_action, cancel_action, copy_action,
                                                 use_sandbox, resume, refresh,
                                                 save_key_action, forget_key_action })
      add_action (action);
  }

  void build () {
    var header = new Adw.HeaderBar ();
    title_widget = new Adw.WindowTitle ("CapSolver", "");
    header.title_widget = title_widget;

    var sandbox_box = new Gtk.Box (Gtk.Orientation.HORIZONTAL, 6);
    sandbox_switch = new Gtk.Switch ();
    sandbox_switch.valign = Gtk.Align.CENTER;
    sandbox_switch.tooltip_text = "Solve on the built-in sandbox: no key, no cost, no network";
    var sandbox_label = new Gtk.Label ("Sandbox");
    sandbox_label.mnemonic_widget = sandbox_switch;
    sandbox_box.append (sandbox_label);
    sandbox_box.append (sandbox_switch);
    header.pack_start (sandbox_box);

    balance_button = new Gtk.Button.with_label ("—");
    balance_button.add_css_class ("flat");
    balance_button.add_css_class ("numeric");
    balance_button.action_name = "win.refresh-balance";
    balance_button.tooltip_text = "Balance of the account; click to read it again";
    header.pack_end (balance_button);

    /* The banner: what went wrong and what to do. */
    var banner_box = new Gtk.Box (Gtk.Orientation.HORIZONTAL, 12);
    banner_box.add_css_class ("error-banner");
    banner_box.append (new Gtk.Image.from_icon_name ("dialog-warning-symbolic"));
    banner_label = new Gtk.Label ("");
    banner_label.wrap = true;
    banner_label.wrap_mode = Pango.WrapMode.WORD_CHAR;
    banner_label.xalign = 0;
    banner_label.hexpand = true;
    banner_box.append (banner_label);
    banner_button = new Gtk.Button ();
    banner_button.valign = Gtk.Align.CENTER;
    banner_box.append (banner_button);
    var close = new Gtk.Button.from_icon_name ("window-close-symbolic");
    close.add_css_class ("flat");
    close.valign = Gtk.Align.CENTER;
    close.tooltip_text = "Close";
    close.clicked.connect (hide_banner);
    banner_box.append (close);
    banner = new Gtk.Revealer ();
    banner.child = banner_box;

    /* The service: the key, for the live service only. */
    key_group = new Adw.PreferencesGroup ();
    key_group.title = "Service";
    key_row = new Adw.PasswordEntryRow ();
    key_row.title = Environment.get_variable ("CAPSOLVER_API_KEY") != null
                    ? "API key (CAPSOLVER_API_KEY is used until you type one)" : "API key";
    key_row.show_apply_button = true;
    key_row.apply.connect (apply_key);
    key_row.entry_activated.connect (apply_key);
    key_group.add (key_row);

    /* What the keyring holds for the service, or why there is none. */
    keyring_row = new Adw.ActionRow ();
    keyring_row.title = "Keyring";
    keyring_row.subtitle_lines = 4;
    save_key_button = new Gtk.Button.with_mnemonic ("Sa_ve");
    save_key_button.valign = Gtk.Align.CENTER;
    save_key_button.action_name = "win.save-key";
    save_key_button.tooltip_text = "Keep the typed key in the keyring for the next start";
    forget_key_button = new Gtk.Button.with_mnemonic ("_Forget");
    forget_key_button.valign = Gtk.Align.CENTER;
    forget_key_button.action_name = "win.forget-key";
    forget_key_button.tooltip_text = "Remove the key from the keyring and from this window";
    keyring_row.add_suffix (save_key_button);
    keyring_row.add_suffix (forget_key_button);
    key_group.add (keyring_row);

    /* The task type: every type of the schema, by name. */
    var names = new Gtk.StringList (null);
    foreach (unowned CapSolver.TaskType type in types)
      names.append (type.get_name ());
    type_row = new Adw.ComboRow ();
    type_row.title = "Task type";
    type_row.model = names;
    var type_group = new Adw.PreferencesGroup ();
    type_group.title = "Task";
    type_group.add (type_row);

    form = new TaskForm ();

    var page = new Gtk.Box (Gtk.Orientation.VERTICAL, 24);
    page.margin_top = page.margin_bottom = 24;
    page.margin_start = page.margin_end = 12;
    page.append (key_group);
    page.append (type_group);
    page.append (form);
    var clamp = new Adw.Clamp ();
    clamp.maximum_size = 640;
    clamp.child = page;
    var scrolled = new Gtk.ScrolledWindow ();
    scrolled.hscrollbar_policy = Gtk.PolicyType.NEVER;
    scrolled.vexpand = true;
    scrolled.child = clamp;

    /* Below the form, always in view: the status line and the progress
     * bound to the task, the token, Copy, Cancel and Solve. */
    status_label = new Gtk.Label ("Not solved yet");
    status_label.xalign = 0;
    status_label.wrap = true;
    status_label.wrap_mode = Pango.WrapMode.WORD_CHAR;
    progress = new Gtk.ProgressBar ();

    /* The answer: the token (or the text, or the solution's JSON). It
     * wraps anywhere, a token having no spaces, and scrolls past a few
     * lines. */
    token_label = new Gtk.Label ("");
    token_label.selectable = true;
    token_label.wrap = true;
    token_label.wrap_mode = Pango.WrapMode.WORD_CHAR;
    token_label.xalign = 0;
    token_label.yalign = 0;
    token_label.add_css_class ("monospace");
    token_label.margin_top = token_label.margin_bottom = 6;
    token_label.margin_start = token_label.margin_end = 12;
    var token_scrolled = new Gtk.ScrolledWindow ();
    token_scrolled.hscrollbar_policy = Gtk.PolicyType.NEVER;
    token_scrolled.min_content_height = 100;
    token_scrolled.max_content_height = 100;
    token_scrolled.child = token_label;
    token_scrolled.add_css_class ("card");

    var buttons = new Gtk.Box (Gtk.Orientation.HORIZONTAL, 6);
    copy_button = new Gtk.Button ();
    copy_button.child = new Adw.ButtonContent () {
      icon_name = "edit-copy-symbolic", label = "_Copy Token", use_underline = true
    };
    copy_button.action_name = "win.copy-token";
    var spacer = new Gtk.Box (Gtk.Orientation.HORIZONTAL, 0);
    spacer.hexpand = true;
    cancel_button = new Gtk.Button.with_mnemonic ("C_ancel");
    cancel_button.action_name = "win.cancel";
    solve_button = new Gtk.Button.with_mnemonic ("_Solve");
    solve_button.add_css_class ("suggested-action");
    solve_button.action_name = "win.solve";
    buttons.append (copy_button);
    buttons.append (spacer);
    buttons.append (cancel_button);
    buttons.append (solve_button);

    var bottom = new Gtk.Box (Gtk.Orientation.VERTICAL, 12);
    bottom.margin_top = bottom.margin_bottom = 12;
    bottom.margin_start = bottom.margin_end = 12;
    bottom.append (status_label);
    bottom.append (progress);
    bottom.append (token_scrolled);
    bottom.append (buttons);
    var bottom_clamp = new Adw.Clamp ();
    bottom_clamp.maximum_size = 640;
    bottom_clamp.child = bottom;

    var content = new Gtk.Box (Gtk.Orientation.VERTICAL, 0);
    content.append (header);
    content.append (banner);
    content.append (scrolled);
    content.append (new Gtk.Separator (Gtk.Orientation.HORIZONTAL));
    content.append (bottom_clamp);
    toasts = new Adw.ToastOverlay ();
    toasts.child = content;
    this.content = toasts;
  }

  public unowned CapSolver.TaskType selected_type () {
    return types[type_row.selected];
  }

  /* Selects the task type of that name; false if there is none. */
  public bool select_type (string name) {
    for (uint i = 0; i < types.length; i++)
      if (types[i].get_name () == name) {
        type_row.selected = i;
        return true;
      }
    return false;
  }

  void type_changed () {
    unowned CapSolver.TaskType type = selected_type ();
    type_row.subtitle = type.dup_wire_names ()[0];
    form.show_type (type);
    if (app.use_sandbox)
      form.fill_examples (app.sample_image);
  }

  void service_changed () {
    if (cancellable != null)
      cancellable.cancel ();
    hide_banner ();
    title_widget.subtitle = app.use_sandbox ? "Sandbox: no key, no cost" : app.base_url;
    key_group.visible = !app.use_sandbox;
    if (sandbox_switch.active != app.use_sandbox)
      sandbox_switch.active = app.use_sandbox;
    if (app.use_sandbox)
      form.fill_examples (app.sample_image);
    if (app.client == null && !app.reading_key)
      show_advice (no_key_advice ());
    refresh_balance ();
  }

  void apply_key () {
    app.set_api_key (key_row.text.strip ());
  }

  Advice no_key_advice () {
    switch (app.keyring_state) {
    case KeyringState.UNAVAILABLE:
      return Advice.no_key (app.keyring_problem);
    case KeyringState.LOCKED:
      return Advice.no_key (null, true);
    default:
      return Advice.no_key ();
    }
  }

  /* --- The keyring ----------------------------------------------------------- */

  /* What the Keyring row says. */
  public string keyring_text () {
    switch (app.keyring_state) {
    case KeyringState.READING:
      return "Reading the key from the keyring…";
    case KeyringState.UNAVAILABLE:
      return "No keyring: %s. A typed key works until the application quits, and is not kept."
             .printf (app.keyring_problem);
    case KeyringState.LOCKED:
      return ("The keyring is locked: a key kept in it cannot be read or removed until it is " +
              "unlocked. A typed key works.");
    case KeyringState.NOT_READ:
      return "CAPSOLVER_API_KEY is used: the keyring is not read while it is set.";
    case KeyringState.STORED:
      switch (app.key_source) {
      case KeySource.KEYRING:
        return "The key is kept in the keyring, and used.";
      case KeySource.ENVIRONMENT:
        return "A key is kept in the keyring; CAPSOLVER_API_KEY comes first.";
      default:
        return app.is_kept (key_row.text.strip ())
               ? "The typed key is kept in the keyring, for the next start."
               : "Another key is kept in the keyring; the typed key is used.";
      }
    default:
      return "No key is kept. A typed key is kept once a solve with it succeeds, or with Save.";
    }
  }

  void keyring_changed () {
    bool reading = app.reading_key;
    keyring_row.subtitle = keyring_text ();
    string typed = key_row.text.strip ();
    save_key_action.set_enabled (!reading && !app.keyring_busy && !checking_key &&
                                 typed != "" && !app.is_kept (typed));
    /* A locked keyring, or one that failed, may still keep a key: only
     * where there is no keyring is there nothing to forget. */
    forget_key_action.set_enabled (!reading && !app.keyring_busy && !app.keyring_absent);
  }

  /* Keeps the typed key; @after_solve: because a solve with it succeeded. */
  async void store_key (bool after_solve) {
    try {
      yield app.save_key ();
      toast (after_solve ? "Key saved in the keyring: it is used at the next start"
                         : "Key saved in the keyring");
    } catch (IOError.CANCELLED e) {
    } catch (Error e) {
      toast ("The key was not saved: %s".printf (e.message));
    }
  }

  /* Save: the typed key is kept only once the service took it (a balance
   * read, which costs nothing); a key it refuses is not kept, and the
   * banner says why. */
  async void check_and_store_key () {
    var client = app.client;
    if (client == null || app.key_source != KeySource.TYPED)
      return;
    checking_key = true;
    try {
      yield client.get_balance_async (null);
    } catch (Error e) {
      checking_key = false;
      if (client == app.client) {
        show_advice (advise (e));
        toast ((e is CapSolver.Error) ? "The key was not saved: the service did not take it"
                                      : "The key was not saved: it could not be checked");
      }
      return;
    }
    checking_key = false;
    /* another key typed meanwhile is not the one checked */
    if (client == app.client)
      yield store_key (false);
  }

  async void forget_key () {
    try {
      bool removed = yield app.forget_key ();
      key_row.text = "";
      toast (removed ? "Key forgotten: removed from the keyring"
                     : "Key forgotten: the keyring had none");
    } catch (IOError.CANCELLED e) {
    } catch (Error e) {
      toast ("The key could not be forgotten: %s".printf (e.message));
    }
  }

  /* --- The balance ---------------------------------------------------------- */

  public void refresh_balance () {
    if (balance_cancellable != null)
      balance_cancellable.cancel ();
    if (app.client == null) {
      balance_button.label = "No key";
      return;
    }
    balance_cancellable = new Cancellable ();
    read_balance.begin (app.client, balance_cancellable);
  }

  async void read_balance (CapSolver.Client client, Cancellable cancellable) {
    balance_button.label = "…";
    try {
      var balance = yield client.get_balance_async (cancellable);
      balance_button.label = "$%.2f".printf (balance.amount);
      balance_button.tooltip_text = "Balance: %g USD; click to read it again".printf (
        balance.amount);
      if (balance.amount <= 0 && !solving)
        show_advice (Advice.zero_balance (app.use_sandbox));
    } catch (IOError.CANCELLED e) {
    } catch (Error e) {
      balance_button.label = "—";
      balance_button.tooltip_text = "The balance could not be read: %s".printf (e.message);
      if (!solving)
        show_advice (advise (e));
    }
  }

  /* --- Solving -------------------------------------------------------------- */

  static string status_text (CapSolver.TaskStatus status) {
    switch (status) {
    case CapSolver.TaskStatus.NEW:
      return "Sending the task…";
    case CapSolver.TaskStatus.IDLE:
      return "Queued at the service…";
    case CapSolver.TaskStatus.PROCESSING:
      return "Processing…";
    case CapSolver.TaskStatus.READY:
      return "Ready";
    default:
      return "Failed";
    }
  }

  static double status_fraction (CapSolver.TaskStatus status) {
    switch (status) {
    case CapSolver.TaskStatus.NEW:
      return 0.1;
    case CapSolver.TaskStatus.IDLE:
      return 0.3;
    case CapSolver.TaskStatus.PROCESSING:
      return 0.6;
    default:
      return 1.0;
    }
  }

  Advice advise (Error error) {
    var client = app.client;
    return Advice.for_error (error, app.use_sandbox, client != null ? client.get_paused_for () : 0,
                             app.base_url);
  }

  void solve () {
    hide_banner ();
    var client = app.client;
    if (client == null) {
      status_label.label = "Not sent: no API key";
      show_advice (no_key_advice ());
      return;
    }
    CapSolver.Task task;
    try {
      task = form.build_task ();
    } catch (Error e) {
      status_label.label = "Not sent: a field needs correcting";
      show_advice (advise (e));
      return;
    }
    run_solve.begin (client, task);
  }

  void show_solving (bool solving) {
    this.solving = solving;
    solve_action.set_enabled (!solving);
    cancel_action.set_enabled (solving);
    type_row.sensitive = !solving;
    form.sensitive = !solving;
  }

  async void run_solve (CapSolver.Client client, CapSolver.Task task) {
    this.task = task;
    cancellable = new Cancellable ();
    solution_text = null;
    token_label.label = "";
    copy_action.set_enabled (false);
    status_binding = task.bind_property ("status", status_label, "label",
                                         BindingFlags.SYNC_CREATE, (binding, from, ref to) => {
      to.set_string (status_text ((CapSolver.TaskStatus) from.get_enum ()));
      return true;
    });
    progress_binding = task.bind_property ("status", progress, "fraction",
                                           BindingFlags.SYNC_CREATE, (binding, from, ref to) => {
      to.set_double (status_fraction ((CapSolver.TaskStatus) from.get_enum ()));
      return true;
    });
    show_solving (true);
    var timer = new Timer ();

    try {
      var solution = yield client.solve_async (task, cancellable);
      unbind_status ();
      solution_text = solution.get_token () ?? solution.get_text () ?? solution.to_string ();
      token_label.label = solution_text;
      copy_action.set_enabled (true);
      status_label.label = "Ready: solved in %.1f s".printf (timer.elapsed ());
      progress.fraction = 1.0;
      /* The service took the typed key: keep it for the next start. */
      if (client == app.client && app.should_save_key ())
        store_key.begin (true);
    } catch (Error e) {
      unbind_status ();
      if (e is IOError.CANCELLED) {
        status_label.label = "Cancelled";
        progress.fraction = 0.0;
        toast ("Solve cancelled: the task is no longer polled");
      } else {
        string? code = (e is CapSolver.Error) ? CapSolver.Error.get_code_text (e) : null;
        status_label.label = "Failed: %s".printf (code ?? e.message);
        progress.fraction = 0.0;
        show_advice (advise (e));
      }
    }
    show_solving (false);
    refresh_balance ();
  }

  void unbind_status () {
    status_binding.unbind ();
    progress_binding.unbind ();
    status_binding = progress_binding = null;
  }

  void copy_token () {
    if (solution_text == null)
      return;
    get_clipboard ().set_text (solution_text);
    toast ("Token copied");
  }

  /* --- Messages ------------------------------------------------------------- */

  public void show_advice (Advice advice) {
    banner_label.label = advice.text;
    banner_button.visible = advice.button_label != null;
    if (advice.button_label != null) {
      banner_button.label = advice.button_label;
      banner_button.action_name = advice.action_name;
    }
    banner.reveal_child = true;
  }

  public void hide_banner () {
    banner.reveal_child = false;
  }

  void toast (string text) {
    last_toast = text;
    toasts.add_toast (new Adw.Toast (text));
  }
}

}
