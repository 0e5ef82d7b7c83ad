#!/usr/bin/python3
# test_session.py: a client on a Soup.Session of the application's, from
# Python, against an in-process CsSandbox (its server runs in a thread of
# its own).
#
# A plain Soup.Session() keeps 2 connections per host, and libsoup gives a
# connection back only on the main context of the call that used it: after
# asynchronous solves whose loop has quit, both may be held until that
# context runs again. A blocking call must not wait for them.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import time
import unittest

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Soup', '3.0')
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, GLib, Soup  # noqa: E402

PAGE = 'https://example.com/login'
SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'
# A blocking call that waited for a held connection would fail after the
# request timeout; one that does not takes milliseconds. The bound only
# tells the two apart.
REQUEST_TIMEOUT_MS = 20000
PROMPT_SECONDS = 10
GUARD_SECONDS = 20


class ApplicationSessionTest(unittest.TestCase):

    def setUp(self):
        self.sandbox = CapSolver.Sandbox.new()
        self.sandbox.start(0)
        self.session = Soup.Session()

    def tearDown(self):
        self.sandbox.stop()

    def make_client(self):
        return CapSolver.Client(CapSolver.SANDBOX_DEFAULT_KEY,
                                base_url=self.sandbox.get_base_url(),
                                session=self.session,
                                request_timeout=REQUEST_TIMEOUT_MS,
                                first_poll_delay=10, poll_interval=10)

    def token_task(self):
        return CapSolver.ReCaptchaV2Task(website_url=PAGE, website_key=SITE_KEY)

    def solve_async_then_quit(self, clients, count):
        """Starts count solves on each client and runs a main loop that
        quits in the last one's callback; returns their tokens or errors.
        The callbacks keep the token only, as an application would."""
        loop = GLib.MainLoop()
        outcomes = []
        expected = count * len(clients)

        def done(client, result):
            try:
                outcomes.append(client.solve_finish(result).get_token())
            except GLib.Error as e:
                outcomes.append(e)
            if len(outcomes) == expected:
                loop.quit()

        def timed_out():
            loop.quit()
            return GLib.SOURCE_REMOVE

        guard = GLib.timeout_add_seconds(GUARD_SECONDS, timed_out)
        for client in clients:
            for _ in range(count):
                client.solve_async(self.token_task(), None, done)
        loop.run()
        if len(outcomes) == expected:
            GLib.source_remove(guard)
        return outcomes

    def blocking_solve(self, client):
        start = time.monotonic()
        error = None
        solution = None
        try:
            solution = client.solve(self.token_task(), None)
        except GLib.Error as e:
            error = e
        return solution, error, time.monotonic() - start

    def test_blocking_after_async(self):
        client = self.make_client()
        self.assertIs(client.props.session, self.session)
        outcomes = self.solve_async_then_quit([client], 2)
        self.assertEqual(len(outcomes), 2)
        for outcome in outcomes:
            self.assertIsInstance(outcome, str)

        # the loop has quit; nothing iterates the default context now
        solution, error, took = self.blocking_solve(client)
        self.assertIsNone(error)
        self.assertTrue(solution.get_token())
        self.assertLess(took, PROMPT_SECONDS)

    def test_blocking_while_async_on_their_way(self):
        """Solves whose createTask is still on its way when their loop
        stops hold both connections: the blocking solve does not wait."""
        client = self.make_client()
        self.sandbox.set_fault_delay(1000)
        self.sandbox.inject_fault(CapSolver.SandboxFault.DELAY, 2)
        loop = GLib.MainLoop()
        outcomes = []

        def done(client, result):
            try:
                outcomes.append(client.solve_finish(result).get_token())
            except GLib.Error as e:
                outcomes.append(e)

        for _ in range(2):
            client.solve_async(self.token_task(), None, done)
        GLib.timeout_add(300, loop.quit)
        loop.run()
        self.assertEqual(self.sandbox.get_request_count('createTask'), 2)
        self.assertEqual(outcomes, [])

        solution, error, took = self.blocking_solve(client)
        self.assertIsNone(error)
        self.assertTrue(solution.get_token())
        self.assertLess(took, PROMPT_SECONDS)

        # the solves left behind end once their context runs again
        deadline = time.monotonic() + GUARD_SECONDS
        while len(outcomes) < 2 and time.monotonic() < deadline:
            GLib.MainContext.default().iteration(True)
        self.assertEqual(len(outcomes), 2)
        for outcome in outcomes:
            self.assertIsInstance(outcome, str)

    def test_two_clients_one_session(self):
        first = self.make_client()
        second = self.make_client()
        outcomes = self.solve_async_then_quit([first, second], 2)
        self.assertEqual(len(outcomes), 4)
        for client in (second, first):
            solution, error, took = self.blocking_solve(client)
            self.assertIsNone(error)
            self.assertTrue(solution.get_token())
            self.assertLess(took, PROMPT_SECONDS)


if __name__ == '__main__':
    unittest.main(verbosity=2)
