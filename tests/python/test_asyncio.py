#!/usr/bin/python3
# test_asyncio.py: awaiting the client's *_async calls in an asyncio loop
# (the override iterates the GLib main context from it; no GLib main loop
# runs here), against an in-process CsSandbox.
#
# Each test runs one coroutine with asyncio.run() under a guard timeout and
# asserts on what it returned, after the loop has returned.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import asyncio
import unittest

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, Gio, GLib  # noqa: E402

import mainloop  # noqa: E402

PAGE = 'https://example.com/login'
SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'
ZERO_KEY = 'CAP-ASYNCIO-ZERO-BALANCE-0000000000000000000000000000000000000000000000'


def token_task():
    return CapSolver.ReCaptchaV2Task(website_url=PAGE, website_key=SITE_KEY)


class AsyncioTest(unittest.TestCase):

    def setUp(self):
        self.sandbox = CapSolver.Sandbox()
        self.sandbox.start(0)
        self.sandbox.set_polls_until_ready(2)
        self.client = self.make_client()

    def tearDown(self):
        self.sandbox.stop()

    def make_client(self, key=CapSolver.SANDBOX_DEFAULT_KEY):
        return CapSolver.Client(key, base_url=self.sandbox.get_base_url(),
                                first_poll_delay=10, poll_interval=10)

    def run_coroutine(self, coroutine):
        async def guarded():
            return await asyncio.wait_for(coroutine, mainloop.TIMEOUT_SECONDS)
        return asyncio.run(guarded())

    def slow_service(self):
        """The next request waits 5 s for its reply."""
        self.sandbox.props.fault_delay = 5000
        self.sandbox.inject_fault(CapSolver.SandboxFault.DELAY, 1)

    def test_solve(self):
        task = token_task()
        statuses = []
        task.connect('notify::status', lambda t, _: statuses.append(t.get_status()))

        async def solve():
            return await self.client.solve_async(task)

        solution = self.run_coroutine(solve())
        self.assertTrue(solution.get_token())
        self.assertIs(task.get_solution(), solution)
        self.assertIn(CapSolver.TaskStatus.PROCESSING, statuses)
        self.assertEqual(statuses[-1], CapSolver.TaskStatus.READY)

    def test_every_async_method(self):
        task = token_task()

        async def calls():
            created = await self.client.create_task_async(task, None)
            polled = await self.client.get_task_result_async(task=task)
            while task.get_status() != CapSolver.TaskStatus.READY:
                await self.client.get_task_result_async(task)
            balance = await self.client.get_balance_async()
            reported = await self.client.feedback_task_async(task, True, 0, 'accepted')
            return created, polled, balance, reported

        created, polled, balance, reported = self.run_coroutine(calls())
        self.assertTrue(created)
        self.assertTrue(polled)
        self.assertTrue(task.get_solution().get_token())
        self.assertIsInstance(balance, CapSolver.Balance)
        self.assertTrue(reported)
        # Every *_async/*_finish pair of the client's methods is covered,
        # whatever methods the C API adds (a static function such as
        # new_from_environment_async keeps its callback form).
        pairs = [m.get_name() for m in CapSolver.Client.__info__.get_methods()
                 if m.get_name().endswith('_async') and m.is_method()]
        for name in pairs:
            self.assertIn('awaitable', getattr(CapSolver.Client, name).__doc__, name)

    def test_concurrent_solves(self):
        tasks = [token_task() for _ in range(8)]

        async def solve_all():
            return await asyncio.gather(*(self.client.solve_async(t) for t in tasks))

        solutions = self.run_coroutine(solve_all())
        self.assertEqual(len(solutions), len(tasks))
        self.assertTrue(all(s.get_token() for s in solutions))
        self.assertEqual(len({t.get_task_id() for t in tasks}), len(tasks))
        self.assertEqual(self.sandbox.get_request_count('createTask'), len(tasks))

    def test_error_raised(self):
        self.sandbox.add_key(ZERO_KEY, 0.0)
        client = self.make_client(ZERO_KEY)

        async def solve():
            try:
                await client.solve_async(token_task())
            except CapSolver.Error as error:
                return error
            return None

        error = self.run_coroutine(solve())
        self.assertIsInstance(error, CapSolver.Error)
        self.assertEqual(error.code, CapSolver.Error.ZERO_BALANCE)

    def test_cancel_task(self):
        # createTask is answered after 1 s; the asyncio task is cancelled
        # at 0.2 s. Had the GLib call gone on, the client would poll from
        # 1 s on.
        self.sandbox.props.fault_delay = 1000
        self.sandbox.inject_fault(CapSolver.SandboxFault.DELAY, 1)
        task = token_task()

        async def cancel():
            pending = asyncio.ensure_future(self.client.solve_async(task))
            await asyncio.sleep(0.2)
            pending.cancel()
            try:
                await pending
            except asyncio.CancelledError:
                outcome = 'cancelled'
            else:
                outcome = 'solved'
            # Long enough for the reply, a poll or a second createTask to
            # show, were the GLib call not cancelled.
            await asyncio.sleep(1.5)
            return outcome

        self.assertEqual(self.run_coroutine(cancel()), 'cancelled')
        self.assertEqual(self.sandbox.get_request_count('createTask'), 1)
        self.assertEqual(self.sandbox.get_request_count('getTaskResult'), 0)
        self.assertIsNone(task.get_solution())

    def test_cancellable_argument(self):
        self.slow_service()
        cancellable = Gio.Cancellable()

        async def cancel():
            asyncio.get_running_loop().call_later(0.2, cancellable.cancel)
            try:
                await self.client.solve_async(token_task(), cancellable)
            except GLib.Error as error:
                return error
            return None

        error = self.run_coroutine(cancel())
        self.assertIsNotNone(error)
        self.assertTrue(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED), error)

    def test_refused_without_loop(self):
        with self.assertRaises(TypeError) as raised:
            self.client.solve_async(token_task())
        self.assertIn('asyncio', str(raised.exception))
        with self.assertRaises(TypeError):
            self.client.get_balance_async(None)
        # Nothing was sent, so nothing was billed.
        self.assertEqual(self.sandbox.get_request_count('createTask'), 0)
        self.assertEqual(self.sandbox.get_request_count('getBalance'), 0)

    def test_callback_still_works(self):
        solution, error, timed_out = mainloop.run_async(
            lambda done: self.client.solve_async(token_task(), None, done),
            self.client.solve_finish)
        self.assertFalse(timed_out)
        self.assertIsNone(error)
        self.assertTrue(solution.get_token())


if __name__ == '__main__':
    unittest.main(verbosity=2)
