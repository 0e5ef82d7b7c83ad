/* main.vala: capsolver-gnome, a libadwaita application for capsolver-glib
 *
 *   capsolver-gnome            solve on the built-in sandbox
 *   capsolver-gnome --live     solve on the CapSolver service: the key typed
 *                              into the window, or CAPSOLVER_API_KEY, or the
 *                              one kept in the keyring
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

int main (string[] args) {
  return new CapSolverGnome.Application ().run (args);
}
