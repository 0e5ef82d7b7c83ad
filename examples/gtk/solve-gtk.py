#!/usr/bin/python3
# solve-gtk.py: a GTK 4 window that solves a reCAPTCHA v2 task
#
# A Solve button starts client.solve_async(); a label bound to the task's
# status property follows it (new, idle, processing, ready, failed); a
# Cancel button cancels the solve; the token, or the error, shows at the
# end. GTK runs the GLib main loop, so the callback form of solve_async()
# is the one to use here (asyncio is for programs without a GLib loop).
#
# The task's status stops at the last answer of the service, so a
# cancelled solve stays "processing": when the solve ends, the label is
# unbound and says how it ended. A token has no spaces, so its label wraps
# anywhere (WORD_CHAR): wrapping at words only would widen the window to
# the whole token. It is cut after six lines, so the window keeps its
# size too; selecting it all copies the whole token.
#
#   solve-gtk.py             the real service: CAPSOLVER_API_KEY (and
#                            CAPSOLVER_BASE_URL) from the environment;
#                            without a key the window says what to do
#   solve-gtk.py --sandbox   an in-process sandbox, no key, no network
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys

import gi
gi.require_version('Gtk', '4.0')
gi.require_version('Pango', '1.0')
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, Gio, GLib, GObject, Gtk, Pango  # noqa: E402

PAGE = 'https://example.com/login'
SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'
NO_KEY = ('No API key: set CAPSOLVER_API_KEY to your CapSolver key, '
          'or run with --sandbox to try the built-in sandbox')


def status_text(_binding, status):
    return 'Status: %s' % CapSolver.TaskStatus(status).value_nick


class SolveWindow(Gtk.ApplicationWindow):

    def __init__(self, application, client, problem=None):
        super().__init__(application=application, title='CapSolver', default_width=420)
        self.client = client
        self.cancellable = None
        self.binding = None

        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12,
                      margin_top=18, margin_bottom=18, margin_start=18, margin_end=18)
        self.status = Gtk.Label(label=problem or 'Status: –', xalign=0, wrap=True,
                                wrap_mode=Pango.WrapMode.WORD_CHAR)
        self.result = Gtk.Label(label='', xalign=0, wrap=True, selectable=True,
                                wrap_mode=Pango.WrapMode.WORD_CHAR,
                                lines=6, ellipsize=Pango.EllipsizeMode.END)
        buttons = Gtk.Box(spacing=6, halign=Gtk.Align.END)
        self.solve_button = Gtk.Button(label='Solve', sensitive=client is not None)
        self.cancel_button = Gtk.Button(label='Cancel', sensitive=False)
        self.solve_button.connect('clicked', self.on_solve)
        self.cancel_button.connect('clicked', self.on_cancel)
        buttons.append(self.cancel_button)
        buttons.append(self.solve_button)
        for widget in (self.status, self.result, buttons):
            box.append(widget)
        self.set_child(box)

    def on_solve(self, _button):
        task = CapSolver.ReCaptchaV2Task(website_url=PAGE, website_key=SITE_KEY)
        # The label follows the task's status property.
        self.binding = task.bind_property('status', self.status, 'label',
                                          GObject.BindingFlags.SYNC_CREATE, status_text)
        self.cancellable = Gio.Cancellable()
        self.solve_button.set_sensitive(False)
        self.cancel_button.set_sensitive(True)
        self.result.set_label('')
        self.client.solve_async(task, self.cancellable, self.on_solved)

    def on_cancel(self, _button):
        self.cancellable.cancel()

    def on_solved(self, client, result):
        # The task no longer changes: the label says how the solve ended.
        self.binding.unbind()
        self.binding = None
        try:
            solution = client.solve_finish(result)
            self.status.set_label('Status: ready')
            self.result.set_label('Token: %s' % solution.get_token())
        except GLib.Error as error:
            cancelled = error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
            self.status.set_label('Status: cancelled' if cancelled else 'Status: failed')
            self.result.set_label('Error: %s' % error.message)
        self.solve_button.set_sensitive(True)
        self.cancel_button.set_sensitive(False)


class SolveApplication(Gtk.Application):

    def __init__(self, use_sandbox):
        super().__init__(application_id='org.example.CapSolverGtk',
                         flags=Gio.ApplicationFlags.NON_UNIQUE)
        self.use_sandbox = use_sandbox
        self.sandbox = None
        self.window = None
        self.problem = None

    def do_startup(self):
        Gtk.Application.do_startup(self)
        if self.use_sandbox:
            self.sandbox = CapSolver.Sandbox()
            self.sandbox.start(0)
            client = CapSolver.Client(CapSolver.SANDBOX_DEFAULT_KEY,
                                      base_url=self.sandbox.get_base_url(),
                                      first_poll_delay=300, poll_interval=300)
        else:
            try:
                client = CapSolver.Client.new_from_environment()
            except GLib.Error as error:
                # No key (or a CAPSOLVER_BASE_URL the client refuses): the
                # window says so, and Solve stays off.
                client = None
                self.problem = NO_KEY if not GLib.getenv('CAPSOLVER_API_KEY') else error.message
                print('solve-gtk: %s' % self.problem, file=sys.stderr)
        self.window = SolveWindow(self, client, self.problem)

    def do_activate(self):
        self.window.present()

    def do_shutdown(self):
        if self.sandbox is not None:
            self.sandbox.stop()
        Gtk.Application.do_shutdown(self)


def main(argv):
    use_sandbox = '--sandbox' in argv
    return SolveApplication(use_sandbox).run([a for a in argv if a != '--sandbox'])


if __name__ == '__main__':
    sys.exit(main(sys.argv))
