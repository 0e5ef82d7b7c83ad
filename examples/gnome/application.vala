/* application.vala: the application: the service it talks to
 *
 * By default it solves on a CapSolver.Sandbox started in the process (no
 * key, no network, no cost); --live, or the Sandbox switch turned off,
 * talks to the CapSolver service (or CAPSOLVER_BASE_URL). Its key is the
 * one typed into the window, else, in the order of
 * cs_client_new_from_environment_async(), CAPSOLVER_API_KEY, else the one
 * the keyring keeps for the service's address. A typed key goes into the
 * keyring once a solve with it succeeds, or when the user saves it (once
 * a balance read shows the service takes it), and Forget takes it out.
 * Without a key there is no client, and without a keyring a typed key
 * lasts until the application quits: the window says both. A locked
 * keyring is said to be locked.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

namespace CapSolverGnome {

/* Where the key of the live service came from. */
public enum KeySource {
  NONE,
  TYPED,
  ENVIRONMENT,
  KEYRING,
}

/* What the keyring holds for the live service's address. */
public enum KeyringState {
  NOT_READ,
  READING,
  EMPTY,
  STORED,
  /* The keyring is there but locked: what it keeps cannot be read or
   * removed until it is unlocked. keyring_problem says so. */
  LOCKED,
  /* No keyring (no session bus, no Secret Service, a build without
   * libsecret), or it failed: keyring_problem says why. */
  UNAVAILABLE,
}

public class Application : Adw.Application {
  public bool use_sandbox { get; private set; default = true; }
  /* null while the live service has no key. */
  public CapSolver.Client? client { get; private set; }
  public CapSolver.Sandbox? sandbox;
  public Window? window;
  /* A PNG the sandbox reads, for the image fields of the examples. */
  public Bytes sample_image;
  /* The live service's address. */
  public string base_url;
  public KeySource key_source { get; private set; default = KeySource.NONE; }
  public KeyringState keyring_state { get; private set; default = KeyringState.NOT_READ; }
  /* Why the keyring cannot be used, without the library's "keyring: ". */
  public string? keyring_problem { get; private set; }
  /* A store or a removal under way. */
  public bool keyring_busy { get; private set; }
  /* No keyring at all (no session bus, no Secret Service, no libsecret),
   * rather than one that failed or is locked: nothing to forget there. */
  public bool keyring_absent { get; private set; }
  string? typed_key;
  string? stored_key;
  Cancellable keyring_cancellable = new Cancellable ();

  public Application () {
    Object (application_id: "org.example.CapSolverGnome",
            flags: ApplicationFlags.NON_UNIQUE);
    add_main_option ("sandbox", 0, 0, OptionArg.NONE,
                     "Solve on the built-in sandbox (the default)", null);
    add_main_option ("live", 0, 0, OptionArg.NONE,
                     "Solve on the CapSolver service, with CAPSOLVER_API_KEY or a typed key",
                     null);
    base_url = Environment.get_variable ("CAPSOLVER_BASE_URL") ?? CapSolver.DEFAULT_BASE_URL;
  }

  public override int handle_local_options (VariantDict options) {
    if (options.contains ("live") && options.contains ("sandbox")) {
      printerr ("capsolver-gnome: --live and --sandbox exclude each other\n");
      return 2;
    }
    use_sandbox = !options.contains ("live");
    return -1;
  }

  public override void startup () {
    base.startup ();
    try {
      sample_image = resources_lookup_data ("/org/example/CapSolverGnome/sample-captcha.png",
                                            ResourceLookupFlags.NONE);
    } catch (Error e) {
      error ("the resources are not linked in: %s", e.message);
    }
    var quit = new SimpleAction ("quit", null);
    quit.activate.connect (() => this.quit ());
    add_action (quit);
    set_accels_for_action ("app.quit", { "<Control>q" });
    set_accels_for_action ("win.solve", { "<Control>Return" });
    set_accels_for_action ("win.cancel", { "Escape" });
    make_client ();
  }

  public override void activate () {
    if (window == null)
      window = new Window (this);
    window.present ();
  }

  public override void shutdown () {
    keyring_cancellable.cancel ();
    if (sandbox != null)
      sandbox.stop ();
    base.shutdown ();
  }

  void make_client () {
    if (use_sandbox) {
      if (sandbox == null) {
        sandbox = new CapSolver.Sandbox ();
        try {
          sandbox.start (0);
        } catch (Error e) {
          error ("the sandbox did not start: %s", e.message);
        }
      }
      var client = new CapSolver.Client (CapSolver.SANDBOX_DEFAULT_KEY);
      client.base_url = sandbox.get_base_url ();
      client.first_poll_delay = 300;
      client.poll_interval = 300;
      this.client = client;
      return;
    }
    if (keyring_state == KeyringState.NOT_READ && environment_key () == null) {
      /* The first use of the live service: the keyring answers later. */
      client = null;
      read_keyring.begin ();
      return;
    }
    string? key = null;
    if (typed_key != null) {
      key = typed_key;
      key_source = KeySource.TYPED;
    } else if ((key = environment_key ()) != null) {
      key_source = KeySource.ENVIRONMENT;
    } else if ((key = stored_key) != null) {
      key_source = KeySource.KEYRING;
    } else {
      key_source = KeySource.NONE;
      client = null;
      return;
    }
    var client = new CapSolver.Client (key);
    client.base_url = base_url;
    this.client = client;
  }

  /* Switches between the sandbox and the live service. */
  public void use_service (bool sandbox) {
    if (sandbox == use_sandbox)
      return;
    use_sandbox = sandbox;
    make_client ();
  }

  /* The key typed into the window, for the live service. */
  public void set_api_key (string key) {
    typed_key = key != "" ? key : null;
    if (!use_sandbox)
      make_client ();
  }

  static string? environment_key () {
    unowned string? key = Environment.get_variable ("CAPSOLVER_API_KEY");
    return key != null && key != "" ? key : null;
  }

  /* True while the keyring is read for the key: the window waits for it
   * before it says there is no key. */
  public bool reading_key {
    get { return keyring_state == KeyringState.READING; }
  }

  /* Why the keyring failed, for the window: the library's message
   * without its "keyring: ". */
  static string problem_of (Error error) {
    return error.message.has_prefix ("keyring: ") ? error.message.substring (9) : error.message;
  }

  /* What a failed keyring call says of the keyring. */
  KeyringState state_of (Error error) {
    keyring_problem = problem_of (error);
    keyring_absent = error is IOError.NOT_CONNECTED || error is IOError.NOT_SUPPORTED;
    return (error is IOError.PERMISSION_DENIED) ? KeyringState.LOCKED : KeyringState.UNAVAILABLE;
  }

  void keyring_failed (Error error) {
    keyring_state = state_of (error);
  }

  async void read_keyring () {
    keyring_state = KeyringState.READING;
    KeyringState state;
    try {
      stored_key = yield CapSolver.keyring_lookup_key_async (base_url, keyring_cancellable);
      state = stored_key != null ? KeyringState.STORED : KeyringState.EMPTY;
    } catch (IOError.CANCELLED e) {
      return;
    } catch (Error e) {
      state = state_of (e);
    }
    /* The client first, then the state: the window says "no key" only
     * once both are known. A key typed while the keyring was read has
     * its client already, maybe solving: a new one would cancel that. */
    if (!use_sandbox && typed_key == null)
      make_client ();
    keyring_state = state;
  }

  /* Keeps the typed key in the keyring, for the live service's address;
   * throws what the keyring said. */
  public async void save_key () throws Error {
    if (typed_key == null)
      throw new IOError.INVALID_ARGUMENT ("there is no typed key to save");
    string key = typed_key;
    keyring_busy = true;
    try {
      yield CapSolver.keyring_store_key_async (base_url, key, keyring_cancellable);
    } catch (IOError.CANCELLED e) {
      throw e;
    } catch (Error e) {
      keyring_failed (e);
      throw e;
    } finally {
      keyring_busy = false;
    }
    stored_key = key;
    keyring_problem = null;
    keyring_absent = false;
    keyring_state = KeyringState.STORED;
  }

  /* Whether the keyring keeps @key for the live service, as far as the
   * application knows. */
  public bool is_kept (string key) {
    return keyring_state == KeyringState.STORED && key == stored_key;
  }

  /* True when a solve with the typed key succeeded and the keyring may
   * keep it: not yet kept, and a keyring that has not failed, nor is
   * locked (a store would ask for its password out of the blue). */
  public bool should_save_key () {
    return !use_sandbox && key_source == KeySource.TYPED && typed_key != stored_key &&
           keyring_state != KeyringState.UNAVAILABLE && keyring_state != KeyringState.LOCKED &&
           !keyring_busy;
  }

  /* Takes the key of the live service's address out of the keyring, and
   * the typed key out of the application: what is left is
   * CAPSOLVER_API_KEY, or no key. Returns whether the keyring had one. */
  public async bool forget_key () throws Error {
    bool removed = false;
    keyring_busy = true;
    try {
      removed = yield CapSolver.keyring_clear_key_async (base_url, keyring_cancellable);
    } catch (IOError.CANCELLED e) {
      throw e;
    } catch (Error e) {
      keyring_failed (e);
      throw e;
    } finally {
      keyring_busy = false;
    }
    stored_key = null;
    typed_key = null;
    keyring_problem = null;
    keyring_absent = false;
    keyring_state = KeyringState.EMPTY;
    if (!use_sandbox)
      make_client ();
    return removed;
  }
}

}
