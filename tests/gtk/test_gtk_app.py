#!/usr/bin/python3
# test_gtk_app.py: the GTK 4 example (examples/gtk/solve-gtk.py) under Xvfb,
# against its in-process sandbox: clicking Solve shows the statuses of the
# task in the bound label, then the token; clicking Cancel during a slow
# reply shows the cancellation. The checks run after the application has
# returned. Without xvfb-run the test fails.
#
#   test_gtk_app.py EXAMPLE
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import importlib.util
import os
import shutil
import sys
import unittest

EXAMPLE = sys.argv[1]

if os.environ.get('CAPSOLVER_TEST_UNDER_XVFB') != '1':
    xvfb_run = shutil.which('xvfb-run')
    if xvfb_run is None:
        sys.exit('xvfb-run is missing: apt-get install xvfb (tools/quickstart does)')
    os.environ['CAPSOLVER_TEST_UNDER_XVFB'] = '1'
    os.environ.pop('WAYLAND_DISPLAY', None)
    os.environ['GDK_BACKEND'] = 'x11'
    os.environ['GSK_RENDERER'] = 'cairo'
    os.environ['GTK_A11Y'] = 'none'
    os.execv(xvfb_run, [xvfb_run, '-a', sys.executable] + sys.argv)

import gi  # noqa: E402
gi.require_version('Gtk', '4.0')
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, GLib  # noqa: E402

TIMEOUT_SECONDS = 30
POLL_MS = 50


def load_example():
    spec = importlib.util.spec_from_file_location('solve_gtk', EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Driver:
    """Clicks through the window: Solve until a token shows, then Solve and
    Cancel during a slow reply until an error shows; then quits."""

    def __init__(self, app):
        self.app = app
        self.statuses = []
        self.results = []
        self.timed_out = False
        self.steps = [self.solve, self.wait_result, self.solve_slowly,
                      self.cancel, self.wait_result, self.quit]

    def start(self, _app):
        window = self.app.window
        window.status.connect('notify::label', lambda label, _: self.statuses.append(label.get_label()))
        GLib.timeout_add(POLL_MS, self.step)
        GLib.timeout_add_seconds(TIMEOUT_SECONDS, self.guard)

    def step(self):
        if not self.steps:
            return GLib.SOURCE_REMOVE
        if self.steps[0]():
            self.steps.pop(0)
        return GLib.SOURCE_CONTINUE

    def solve(self):
        self.app.window.solve_button.emit('clicked')
        return True

    def wait_result(self):
        text = self.app.window.result.get_label()
        if text:
            self.results.append(text)
        return bool(text)

    def solve_slowly(self):
        self.app.sandbox.props.fault_delay = 5000
        self.app.sandbox.inject_fault(CapSolver.SandboxFault.DELAY, 1)
        return self.solve()

    def cancel(self):
        self.app.window.cancel_button.emit('clicked')
        return True

    def quit(self):
        self.app.quit()
        return True

    def guard(self):
        self.timed_out = True
        self.app.quit()
        return GLib.SOURCE_REMOVE


class GtkAppTest(unittest.TestCase):

    def test_solve_and_cancel(self):
        example = load_example()
        app = example.SolveApplication(use_sandbox=True)
        driver = Driver(app)
        app.connect('activate', driver.start)
        status = app.run([EXAMPLE])
        self.assertEqual(status, 0)
        self.assertFalse(driver.timed_out, 'the window did not show a result in time')
        self.assertEqual(len(driver.results), 2, driver.results)
        self.assertTrue(driver.results[0].startswith('Token: '), driver.results[0])
        self.assertGreater(len(driver.results[0]), len('Token: ') + 20)
        self.assertIn('Status: processing', driver.statuses)
        self.assertIn('Status: ready', driver.statuses)
        self.assertTrue(driver.results[1].startswith('Error: '), driver.results[1])
        self.assertIn('cancel', driver.results[1].lower())


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
