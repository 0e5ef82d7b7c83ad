/* advice.vala: what an error means for the person at the window
 *
 * Each error of a solve, a balance read or the form becomes one sentence
 * that says what happened and what to do, and at most one button that
 * does it (switch to the sandbox, resume a paused client).
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

namespace CapSolverGnome {

/* Errors of the form itself, before anything is sent. */
public errordomain FormError {
  INVALID_VALUE,
}

public class Advice : Object {
  public string text { get; construct; }
  /* The button of the banner and the action it activates, or null. */
  public string? button_label { get; construct; }
  public string? action_name { get; construct; }

  public Advice (string text, string? button_label = null, string? action_name = null) {
    Object (text: text, button_label: button_label, action_name: action_name);
  }

  /* @keyring_problem: why there is no keyring, or null; @locked: the
   * keyring is there, locked. */
  public static Advice no_key (string? keyring_problem = null, bool locked = false) {
    string text = "No API key. Type your CapSolver key in “API key” and press Enter, " +
                  "or set CAPSOLVER_API_KEY; or switch on Sandbox to try without a key.";
    if (keyring_problem != null)
      text += " There is no keyring (%s): a typed key is not kept.".printf (keyring_problem);
    else if (locked)
      text += " The keyring is locked: a key kept in it cannot be read until it is unlocked.";
    return new Advice (text, "Use Sandbox", "win.use-sandbox");
  }

  public static Advice zero_balance (bool sandbox) {
    return new Advice ("The balance is too low for this task. Add funds on your " +
                       "CapSolver dashboard, then solve again; the sandbox costs nothing.",
                       sandbox ? null : "Use Sandbox", sandbox ? null : "win.use-sandbox");
  }

  /* The description of a CS_ERROR message, after "ERROR_CODE: ". */
  static string description (Error error) {
    return CapSolver.Error.get_description (error);
  }

  /* @paused_for: the seconds the client still holds its requests back. */
  public static Advice for_error (Error error, bool sandbox, uint paused_for,
                                  string base_url) {
    if (error is FormError)
      return new Advice ("%s. Correct the field, then solve again.".printf (error.message));
    if (error is IOError || error is ResolverError || error is TlsError)
      return new Advice ("Could not reach %s: %s. Check the network connection, then solve again."
                         .printf (base_url, error.message));
    if (!(error is CapSolver.Error))
      return new Advice ("%s. Solve again.".printf (error.message));

    string code = CapSolver.Error.get_code_text (error) ?? "ERROR";
    if (error is CapSolver.Error.KEY_DENIED_ACCESS || error is CapSolver.Error.KEY_DOES_NOT_EXIST)
      return new Advice (("The service refused the API key (%s). Check the key in “API key”: " +
                          "your CapSolver dashboard shows it.").printf (code),
                         sandbox ? null : "Use Sandbox", sandbox ? null : "win.use-sandbox");
    if (error is CapSolver.Error.ZERO_BALANCE || error is CapSolver.Error.SETTLEMENT_FAILED)
      return zero_balance (sandbox);
    if (error is CapSolver.Error.TIMEOUT)
      return new Advice ("No answer before the deadline. Solve again to go on polling the " +
                         "same task (it is not paid for twice).");
    if (error is CapSolver.Error.PROTOCOL)
      return new Advice (("%s does not answer as CapSolver does (%s). Check " +
                          "CAPSOLVER_BASE_URL, or try again later.").printf (
                           base_url, description (error)));

    switch (CapSolver.Error.get_retry_class (error)) {
    case CapSolver.RetryClass.COOLDOWN:
      if (paused_for > 0)
        return new Advice (("Requests are paused for %u more seconds after %s: the service " +
                            "asked this client to slow down. Wait, or resume now if the " +
                            "cause is gone.").printf (paused_for, code),
                           "Resume Now", "win.resume");
      return new Advice ("The service answered %s. Wait a minute, then solve again."
                         .printf (code));
    case CapSolver.RetryClass.TRANSIENT:
      return new Advice ("The service is busy (%s). Solve again in a moment.".printf (code));
    case CapSolver.RetryClass.NEW_TASK:
      return new Advice (("This attempt failed (%s: %s). Solve again to start a new task.")
                         .printf (code, description (error)));
    default:
      return new Advice (("The task cannot be solved as it is (%s: %s). Correct the fields, " +
                          "then solve again.").printf (code, description (error)));
    }
  }
}

}
