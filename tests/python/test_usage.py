#!/usr/bin/python3
# test_usage.py: what a client spent, from Python: a CapSolver.Usage
# snapshot of a mixed run against the sandbox adds up, its estimate is what
# the sandbox charged, and max-tasks-in-flight is a property like the
# others.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import unittest

import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, Gio, GLib  # noqa: E402

KEY = 'CAP-PYTHON-USAGE-KEY'
SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'


def token_task():
    return CapSolver.ReCaptchaV2Task(website_url='https://www.example.com/',
                                     website_key=SITE_KEY)


class UsageTest(unittest.TestCase):
    def setUp(self):
        self.sandbox = CapSolver.Sandbox.new()
        self.sandbox.add_key(KEY, 100.0)
        self.sandbox.start(0)
        self.client = CapSolver.Client(api_key=KEY, base_url=self.sandbox.get_base_url(),
                                       adaptive_polling=False, first_poll_delay=5,
                                       poll_interval=5, max_tasks_in_flight=2)

    def tearDown(self):
        self.sandbox.stop()

    def solve_all(self, tasks, cancellables):
        """Solves the tasks at once; returns the errors raised."""
        loop = GLib.MainLoop()
        errors = []
        pending = [len(tasks)]

        def done(client, result):
            try:
                client.solve_finish(result)
            except GLib.Error as e:
                errors.append(e)
            pending[0] -= 1
            if pending[0] == 0:
                loop.quit()

        for task, cancellable in zip(tasks, cancellables):
            self.client.solve_async(task, cancellable, done)
        GLib.timeout_add_seconds(20, loop.quit)
        loop.run()
        self.assertEqual(pending[0], 0)
        return errors

    def test_mixed_run_adds_up(self):
        self.assertEqual(self.client.props.max_tasks_in_flight, 2)
        self.sandbox.fail_next_task('ERROR_CAPTCHA_UNSOLVABLE')
        cancelled = Gio.Cancellable()
        tasks = [token_task() for _ in range(8)]
        cancellables = [None] * 6 + [cancelled, cancelled]
        # the last two wait for a place (two at a time) and are cancelled
        GLib.idle_add(cancelled.cancel)
        errors = self.solve_all(tasks, cancellables)

        usage = self.client.get_usage()
        self.assertIsInstance(usage, CapSolver.Usage)
        self.assertEqual(usage.get_submitted(), 8)
        self.assertEqual(usage.get_solved(), 5)
        self.assertEqual(usage.get_failed(CapSolver.RetryClass.NEW_TASK), 1)
        self.assertEqual(usage.get_cancelled(), 2)
        self.assertEqual(usage.get_failed_total(), 3)
        self.assertEqual(usage.get_not_sent(), 0)
        self.assertEqual(usage.get_solved() + usage.get_failed_total() + usage.get_not_sent(),
                         usage.get_submitted())
        self.assertEqual(len(errors), 3)
        self.assertEqual(usage.get_created(), 6)
        spent = 100.0 - self.sandbox.get_key_balance(KEY)
        self.assertAlmostEqual(usage.get_cost(), spent, places=9)
        self.assertAlmostEqual(usage.get_estimated_cost(), spent, places=9)
        self.assertIn('5 solved', usage.to_string())

    def test_snapshot_does_not_change(self):
        before = self.client.get_usage()
        self.client.solve(token_task(), None)
        self.assertEqual(before.get_submitted(), 0)
        self.assertEqual(self.client.get_usage().get_submitted(), 1)


if __name__ == '__main__':
    unittest.main()
