#!/usr/bin/python3
# test_account.py: the account's breaker and balance cache from Python,
# against an in-process CsSandbox whose request counts are printed.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
import unittest

import gi
gi.require_version('GLib', '2.0')
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, GLib  # noqa: E402

PAGE = 'https://example.com/login'
SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'
WRONG_KEY = 'CAP-PYTHON-WRONG-KEY-00000000000000000000000000000000000000000000000000'
EMPTY_KEY = 'CAP-PYTHON-EMPTY-KEY-00000000000000000000000000000000000000000000000000'
N_QUEUED = 10000
DEADLINE_SECONDS = 120
State = CapSolver.AccountState


def report(text):
    print('# ' + text, file=sys.stderr)


class AccountTestCase(unittest.TestCase):

    def setUp(self):
        self.sandbox = CapSolver.Sandbox.new()
        self.sandbox.set_time_scale(0)
        self.sandbox.set_polls_until_ready(1)
        self.sandbox.start(0)

    def tearDown(self):
        self.sandbox.stop()

    def make_client(self, key):
        return CapSolver.Client(key, base_url=self.sandbox.get_base_url(),
                                first_poll_delay=2, poll_interval=2)

    def count(self, method):
        return self.sandbox.get_request_count(method)

    def run_loop(self, is_done):
        context = GLib.MainContext.default()
        deadline = GLib.get_monotonic_time() + DEADLINE_SECONDS * 1000000
        while not is_done():
            self.assertLess(GLib.get_monotonic_time(), deadline, 'no end in sight')
            context.iteration(True)

    def settle(self):
        done = []
        GLib.idle_add(lambda: done.append(True), priority=GLib.PRIORITY_LOW)
        self.run_loop(lambda: done)

    def solve_many(self, client, n):
        """Queues n solves, runs them to their end; returns their errors
        (None for a solution)."""
        outcomes = []
        tasks = []

        def done(source, result):
            try:
                source.solve_finish(result)
                outcomes.append(None)
            except GLib.Error as e:
                outcomes.append(e)

        for i in range(n):
            task = CapSolver.ReCaptchaV2Task(website_url='%s/%d' % (PAGE, i),
                                             website_key=SITE_KEY)
            tasks.append(task)
            client.solve_async(task, None, done)
        self.run_loop(lambda: len(outcomes) == n)
        return outcomes

    def assert_held(self, outcomes, code, sent):
        matching = [e for e in outcomes
                    if e is not None and e.matches(CapSolver.error_quark(), code)]
        not_sent = [e for e in matching if 'not sent' in e.message]
        self.assertEqual(len(matching), len(outcomes))
        self.assertEqual(len(not_sent), len(outcomes) - sent)
        return len(not_sent)


class BreakerTest(AccountTestCase):

    def test_refused_key(self):
        client = self.make_client(WRONG_KEY)
        states = []
        client.connect('notify::account-state',
                       lambda c, _p: states.append(c.props.account_state))
        outcomes = self.solve_many(client, N_QUEUED)
        sent = self.count('createTask')
        not_sent = self.assert_held(outcomes, CapSolver.Error.KEY_DENIED_ACCESS, sent)
        report('refused key: %d solves, %d createTask seen by the sandbox, %d not sent'
               % (N_QUEUED, sent, not_sent))
        self.assertLessEqual(sent, client.props.max_connections)
        self.assertEqual(states, [State.REFUSED])
        reason = client.dup_account_error()
        self.assertTrue(reason.matches(CapSolver.error_quark(),
                                       CapSolver.Error.KEY_DENIED_ACCESS))

    def test_refused_key_get_token(self):
        client = self.make_client(WRONG_KEY)
        n = 2000
        outcomes = []
        tasks = []

        def done(source, result):
            try:
                source.get_token_finish(result)
                outcomes.append(None)
            except GLib.Error as e:
                outcomes.append(e)

        for i in range(n):
            task = CapSolver.ReCaptchaV2Task(website_url='%s/%d' % (PAGE, i),
                                             website_key=SITE_KEY)
            tasks.append(task)
            client.get_token_async(task, None, done)
        self.run_loop(lambda: len(outcomes) == n)
        sent = self.count('getToken')
        not_sent = self.assert_held(outcomes, CapSolver.Error.KEY_DENIED_ACCESS, sent)
        report('refused key: %d getTokens, %d getToken seen by the sandbox, %d not sent'
               % (n, sent, not_sent))
        self.assertGreaterEqual(sent, 1)
        self.assertLessEqual(sent, client.props.max_connections)

    def test_client_per_call_keeps_refusal(self):
        for _ in range(5):
            client = self.make_client(WRONG_KEY)
            with self.assertRaises(GLib.Error) as caught:
                client.get_balance()
            self.assertTrue(caught.exception.matches(CapSolver.error_quark(),
                                                     CapSolver.Error.KEY_DENIED_ACCESS))
            del client
        report('a client per call, 5 calls: %d getBalance seen by the sandbox'
               % self.count('getBalance'))
        self.assertEqual(self.count('getBalance'), 1)

    def test_zero_balance_then_top_up(self):
        self.sandbox.add_key(EMPTY_KEY, 0)
        client = self.make_client(EMPTY_KEY)
        outcomes = self.solve_many(client, N_QUEUED)
        sent = self.count('createTask')
        not_sent = self.assert_held(outcomes, CapSolver.Error.ZERO_BALANCE, sent)
        report('zero balance: %d solves, %d createTask seen by the sandbox, %d not sent'
               % (N_QUEUED, sent, not_sent))
        self.assertLessEqual(sent, client.props.max_connections)
        self.assertEqual(client.props.account_state, State.NO_BALANCE)
        # balance reads are not held, and an empty one opens nothing
        self.assertEqual(client.get_balance().get_amount(), 0)
        self.assertEqual(client.props.account_state, State.NO_BALANCE)
        # topped up: a fresh read that shows money opens it, as the probe does
        self.sandbox.add_key(EMPTY_KEY, 10)
        client.invalidate_balance()
        self.assertEqual(client.get_balance().get_amount(), 10)
        self.assertEqual(client.props.account_state, State.USABLE)
        later = self.solve_many(client, 10)
        self.assertEqual(later, [None] * 10)
        report('zero balance: %d getBalance, %d createTask in all'
               % (self.count('getBalance'), self.count('createTask')))

    def test_two_clients_share(self):
        first = self.make_client(WRONG_KEY)
        second = self.make_client(WRONG_KEY)
        notified = []
        second.connect('notify::account-state',
                       lambda c, _p: notified.append(c.props.account_state))
        self.solve_many(first, 1)
        self.settle()
        self.assertEqual(notified, [State.REFUSED])
        outcomes = self.solve_many(second, 100)
        self.assert_held(outcomes, CapSolver.Error.KEY_DENIED_ACCESS, 0)
        report('two clients: %d createTask seen by the sandbox' % self.count('createTask'))
        self.assertEqual(self.count('createTask'), 1)

    def test_resume_and_key_change(self):
        client = self.make_client(WRONG_KEY)
        notified = []
        client.connect('notify::account-state',
                       lambda c, _p: notified.append(c.props.account_state))
        self.solve_many(client, 1)
        self.settle()
        client.resume()
        self.settle()
        client.resume()
        self.settle()
        self.assertEqual(notified, [State.REFUSED, State.USABLE])
        client.props.api_key = CapSolver.SANDBOX_DEFAULT_KEY
        self.assertEqual(client.props.account_state, State.USABLE)
        self.assertEqual(self.solve_many(client, 3), [None] * 3)
        report('resume and key change: %d createTask seen by the sandbox'
               % self.count('createTask'))

    def test_pause_from_outside(self):
        client = self.make_client(CapSolver.SANDBOX_DEFAULT_KEY)
        client.pause(60)
        self.assertEqual(client.props.account_state, State.PAUSED)
        with self.assertRaises(GLib.Error) as caught:
            client.get_balance()
        self.assertTrue(caught.exception.matches(CapSolver.error_quark(),
                                                 CapSolver.Error.RATE_LIMIT))
        self.assertEqual(self.count(None), 0)
        client.resume()
        self.assertEqual(client.props.account_state, State.USABLE)


class BalanceTest(AccountTestCase):

    def test_concurrent_reads_share_one_request(self):
        client = self.make_client(CapSolver.SANDBOX_DEFAULT_KEY)
        amounts = []

        def done(source, result):
            amounts.append(source.get_balance_finish(result).get_amount())

        for _ in range(1000):
            client.get_balance_async(None, done)
        self.run_loop(lambda: len(amounts) == 1000)
        report('1000 concurrent balance calls: %d getBalance seen by the sandbox'
               % self.count('getBalance'))
        self.assertEqual(self.count('getBalance'), 1)
        self.assertEqual(len(set(amounts)), 1)
        client.get_balance()
        self.assertEqual(self.count('getBalance'), 1)
        client.invalidate_balance()
        client.get_balance()
        self.assertEqual(self.count('getBalance'), 2)
        client.props.balance_cache_time = 0
        client.get_balance()
        self.assertEqual(self.count('getBalance'), 3)


if __name__ == '__main__':
    unittest.main(verbosity=2)
