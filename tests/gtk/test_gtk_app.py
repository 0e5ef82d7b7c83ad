#!/usr/bin/python3
# test_gtk_app.py: the GTK 4 example (examples/gtk/solve-gtk.py) under Xvfb,
# against its in-process sandbox: clicking Solve shows the statuses of the
# task in the bound label, then the token, and the window keeps its width
# (a token has no spaces to wrap at); clicking Cancel while the task is
# processing shows the cancellation, and the status label stops saying
# "processing". Without a key the window says what to do, with no
# traceback. The checks run after the application has returned. Without
# xvfb-run the test fails.
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
from gi.repository import Gdk, GLib  # noqa: E402

TIMEOUT_SECONDS = 30
POLL_MS = 50
# Frames drawn after a change before the window is measured: enough for a
# resize to reach the X server and come back.
SETTLE_FRAMES = 5


def load_example():
    spec = importlib.util.spec_from_file_location('solve_gtk', EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Driver:
    """Clicks through the window: Solve until a token shows, then Solve and
    Cancel during a slow reply until an error shows; then quits. After each
    result it waits for the window to settle and notes what it shows."""

    def __init__(self, app):
        self.app = app
        self.statuses = []
        self.results = []
        self.widths = []       # at the start, after the token, after Cancel
        self.final_statuses = []
        self.button_bounds = []
        self.copied = None
        self.frames = 0
        self.timed_out = False
        self.steps = [self.wait_mapped, self.settle, self.measure,
                      self.solve, self.wait_result, self.settle, self.measure, self.copy,
                      self.wait_copied, self.solve_held, self.wait_processing, self.cancel,
                      self.wait_result, self.settle, self.measure, self.quit]

    def start(self, _app):
        window = self.app.window
        window.status.connect('notify::label',
                              lambda label, _: self.statuses.append(label.get_label()))
        GLib.timeout_add(POLL_MS, self.step)
        GLib.timeout_add_seconds(TIMEOUT_SECONDS, self.guard)

    def wait_mapped(self):
        return self.app.window.get_mapped()

    def settle(self):
        if self.frames == 0:
            self.frames = 1
            self.app.window.add_tick_callback(self.tick)
        return self.frames > SETTLE_FRAMES

    def tick(self, _widget, _clock):
        self.frames += 1
        if self.frames <= SETTLE_FRAMES:
            return GLib.SOURCE_CONTINUE
        return GLib.SOURCE_REMOVE

    def measure(self):
        window = self.app.window
        self.frames = 0
        self.widths.append(window.get_width())
        self.final_statuses.append(window.status.get_label())
        for button in (window.solve_button, window.cancel_button):
            ok, bounds = button.compute_bounds(window)
            self.button_bounds.append((ok, bounds.get_x() + bounds.get_width(), window.get_width()))
        return True

    def copy(self):
        result = self.app.window.result
        result.select_region(0, -1)
        result.emit('copy-clipboard')
        clipboard = Gdk.Display.get_default().get_clipboard()
        clipboard.read_text_async(None, self.on_copied)
        return True

    def on_copied(self, clipboard, result):
        self.copied = clipboard.read_text_finish(result)

    def wait_copied(self):
        return self.copied is not None

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

    def solve_held(self):
        # The sandbox keeps the task processing until it is cancelled.
        self.app.sandbox.props.polls_until_ready = 1000
        return self.solve()

    def wait_processing(self):
        return self.app.window.status.get_label() == 'Status: processing'

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

    def setUp(self):
        # An exception in a GTK callback is printed, not raised: note it.
        self.exceptions = []
        self.excepthook = sys.excepthook
        sys.excepthook = lambda kind, value, trace: self.exceptions.append(value)

    def tearDown(self):
        sys.excepthook = self.excepthook

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
        # The token wraps (or is cut) inside the window: no wider than before.
        self.assertEqual(len(driver.widths), 3, driver.widths)
        self.assertGreater(driver.widths[0], 0)
        self.assertEqual(driver.widths[1], driver.widths[0], driver.widths)
        self.assertEqual(driver.widths[2], driver.widths[0], driver.widths)
        for ok, right, width in driver.button_bounds:
            self.assertTrue(ok)
            self.assertLessEqual(right, width)
        # ... and selecting it all copies the whole token.
        self.assertEqual(driver.copied, driver.results[0])
        # The labels say how each solve ended.
        self.assertEqual(driver.final_statuses[1], 'Status: ready')
        self.assertEqual(driver.final_statuses[2], 'Status: cancelled')
        self.assertEqual(self.exceptions, [])

    def test_no_key(self):
        os.environ.pop('CAPSOLVER_API_KEY', None)
        example = load_example()
        app = example.SolveApplication(use_sandbox=False)
        seen = {}

        def look():
            window = app.window
            if window is None or not window.get_mapped():
                return GLib.SOURCE_CONTINUE
            seen['status'] = window.status.get_label()
            seen['solve'] = window.solve_button.get_sensitive()
            app.quit()
            return GLib.SOURCE_REMOVE

        def guard():
            seen['timed out'] = True
            app.quit()
            return GLib.SOURCE_REMOVE

        app.connect('activate', lambda _app: GLib.timeout_add(POLL_MS, look))
        guard_id = GLib.timeout_add_seconds(TIMEOUT_SECONDS, guard)
        status = app.run([EXAMPLE])
        if 'timed out' not in seen:
            GLib.source_remove(guard_id)
        self.assertEqual(status, 0)
        self.assertEqual(self.exceptions, [])
        self.assertIn('CAPSOLVER_API_KEY', seen.get('status', ''), seen)
        self.assertIn('--sandbox', seen['status'])
        self.assertFalse(seen['solve'])


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
