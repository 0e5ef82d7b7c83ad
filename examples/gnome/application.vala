/* application.vala: the application: the service it talks to
 *
 * By default it solves on a CapSolver.Sandbox started in the process (no
 * key, no network, no cost); --live, or the Sandbox switch turned off,
 * talks to the CapSolver service (or CAPSOLVER_BASE_URL) with the key of
 * CAPSOLVER_API_KEY or the one typed into the window. Without a key there
 * is no client, and the window says so.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

namespace CapSolverGnome {

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
  string? typed_key;

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
    string? key = typed_key ?? Environment.get_variable ("CAPSOLVER_API_KEY");
    if (key == null || key == "") {
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
}

}
