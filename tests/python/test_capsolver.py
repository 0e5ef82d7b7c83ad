#!/usr/bin/python3
# test_capsolver.py: capsolver-glib from Python, against an in-process
# CsSandbox (its HTTP server runs in its own thread, so blocking calls work
# from this one).
#
# Every asynchronous call runs on a main loop with a guard timeout; the
# assertions run after the loop returns.
#
# Class and method names follow the scenario names shared with the GJS and
# Vala suites (tests/README.md): PolledTest.test_create_then_poll is the
# scenario polled/create-then-poll. Methods without a counterpart there
# end in what they add (test_create_then_poll_blocking).
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import threading
import unittest

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, Gio, GLib  # noqa: E402

import mainloop  # noqa: E402

# The sample image of the examples, and the answer its
# capsolver-sandbox-answer PNG chunk gives the sandbox.
CAPTCHA = os.path.join(os.environ.get('G_TEST_SRCDIR', os.path.dirname(__file__) + '/..'),
                       '..', 'examples', 'data', 'sample-captcha.png')
CAPTCHA_ANSWER = 'K7WP3R'
PAGE = 'https://example.com/login'
SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'
ZERO_KEY = 'CAP-PYTHON-ZERO-BALANCE-00000000000000000000000000000000000000000000000'
UNKNOWN_KEY = 'CAP-PYTHON-UNKNOWN-KEY-000000000000000000000000000000000000000000000000'


class SandboxTestCase(unittest.TestCase):
    """Each test gets its own sandbox and a client that polls quickly."""

    def setUp(self):
        self.sandbox = CapSolver.Sandbox.new()
        self.sandbox.start(0)
        self.client = self.make_client()

    def tearDown(self):
        self.sandbox.stop()

    def make_client(self, key=CapSolver.SANDBOX_DEFAULT_KEY, **kwargs):
        kwargs.setdefault('first_poll_delay', 10)
        kwargs.setdefault('poll_interval', 10)
        return CapSolver.Client(key, base_url=self.sandbox.get_base_url(), **kwargs)

    def token_task(self, page=PAGE):
        return CapSolver.ReCaptchaV2Task(website_url=page, website_key=SITE_KEY)

    def run_async(self, start, finish, before_loop=None):
        """Runs an asynchronous call on a main loop (see mainloop.py) and
        returns (value, error) once the loop has returned."""
        value, error, timed_out = mainloop.run_async(start, finish, before_loop)
        self.assertFalse(timed_out, 'the call did not finish in time')
        return value, error

    def solve_async(self, client, task, cancellable=None, before_loop=None):
        return self.run_async(
            lambda done: client.solve_async(task, cancellable, done),
            client.solve_finish, before_loop)

    def watch_status(self, task):
        statuses = []
        task.connect('notify::status', lambda t, _pspec: statuses.append(t.get_status()))
        return statuses

    def assert_cs_error(self, error, code, code_text):
        self.assertIsInstance(error, CapSolver.Error)
        self.assertIsInstance(error, GLib.Error)
        self.assertTrue(error.matches(CapSolver.error_quark(), code),
                        '%r does not match %r' % (error, code))
        self.assertEqual(error.code, code)
        self.assertEqual(error.error_code, code_text)
        self.assertTrue(error.message.startswith(code_text + ': '), error.message)


class SyncAnswerTest(SandboxTestCase):
    """An ImageToTextTask is answered in the createTask reply."""

    def test_blocking(self):
        task = CapSolver.ImageToTextTask.new_from_file(Gio.File.new_for_path(CAPTCHA))
        self.assertTrue(self.client.create_task(task))
        self.assertEqual(task.get_status(), CapSolver.TaskStatus.READY)
        self.assertEqual(task.get_solution().get_text(), CAPTCHA_ANSWER)
        self.assertEqual(task.get_poll_count(), 0)
        self.assertEqual(self.sandbox.get_request_count('getTaskResult'), 0)

    def test_async(self):
        with open(CAPTCHA, 'rb') as f:
            task = CapSolver.ImageToTextTask(body=f.read(), module='common')
        solution, error = self.solve_async(self.client, task)
        self.assertIsNone(error)
        self.assertEqual(solution.get_text(), CAPTCHA_ANSWER)
        self.assertEqual(solution['text'], CAPTCHA_ANSWER)
        self.assertEqual(task.get_poll_count(), 0)


class PolledTest(SandboxTestCase):
    """A token task goes idle, then processing, then ready."""

    def setUp(self):
        super().setUp()
        self.sandbox.set_polls_until_ready(3)

    def test_blocking(self):
        task = self.token_task()
        statuses = self.watch_status(task)
        solution = self.client.solve(task)
        self.assertTrue(solution.get_token())
        self.assertIs(task.get_solution(), solution)
        self.assertIsNotNone(task.get_task_id())
        self.assertGreaterEqual(task.get_poll_count(), 2)
        self.assertIn(CapSolver.TaskStatus.PROCESSING, statuses)
        self.assertEqual(statuses[-1], CapSolver.TaskStatus.READY)

    def test_async(self):
        task = self.token_task()
        statuses = self.watch_status(task)
        solution, error = self.solve_async(self.client, task)
        self.assertIsNone(error)
        self.assertEqual(solution.get_token(), solution['gRecaptchaResponse'])
        self.assertIn(CapSolver.TaskStatus.PROCESSING, statuses)
        self.assertEqual(statuses[-1], CapSolver.TaskStatus.READY)
        self.assertEqual(task.get_status(), CapSolver.TaskStatus.READY)

    def test_create_then_poll(self):
        task = self.token_task()
        created, error = self.run_async(
            lambda done: self.client.create_task_async(task, None, done),
            self.client.create_task_finish)
        self.assertIsNone(error)
        self.assertTrue(created)
        self.assertIsNotNone(task.get_task_id())
        self.assertIsNone(task.get_solution())
        polls = []
        while task.get_status() != CapSolver.TaskStatus.READY and len(polls) < 10:
            polls.append(self.run_async(
                lambda done: self.client.get_task_result_async(task, None, done),
                self.client.get_task_result_finish))
        self.assertTrue(all(ok and err is None for ok, err in polls), polls)
        self.assertEqual(task.get_status(), CapSolver.TaskStatus.READY)
        self.assertTrue(task.get_solution().get_token())

    def test_create_then_poll_blocking(self):
        task = self.token_task()
        self.assertTrue(self.client.create_task(task))
        for _ in range(10):
            if task.get_status() == CapSolver.TaskStatus.READY:
                break
            self.assertTrue(self.client.get_task_result(task))
        self.assertEqual(task.get_status(), CapSolver.TaskStatus.READY)


class AccountTest(SandboxTestCase):
    """getBalance and feedbackTask, blocking and asynchronous."""

    def test_balance_and_feedback(self):
        self.check_balance()
        self.check_feedback()

    def check_balance(self):
        self.assertEqual(self.client.get_balance().get_amount(), 100.0)
        # A solved token task is charged its price.
        self.client.solve(self.token_task())
        expected = 100.0 - self.sandbox.get_price('ReCaptchaV2TaskProxyLess')
        # The balance read a moment ago answers for 30 s: ask again.
        self.client.invalidate_balance()
        balance, error = self.run_async(
            lambda done: self.client.get_balance_async(None, done),
            self.client.get_balance_finish)
        self.assertIsNone(error)
        self.assertAlmostEqual(balance.get_amount(), expected)
        self.assertAlmostEqual(
            self.sandbox.get_key_balance(CapSolver.SANDBOX_DEFAULT_KEY), expected)

    def check_feedback(self):
        task = self.token_task()
        self.client.solve(task)
        self.assertTrue(self.client.feedback_task(task, False, 0, 'accepted'))
        ok, error = self.run_async(
            lambda done: self.client.feedback_task_async(task, True, 1001, 'rejected', None, done),
            self.client.feedback_task_finish)
        self.assertIsNone(error)
        self.assertTrue(ok)


class TypedTasksTest(SandboxTestCase):
    """Typed tasks from properties or from the API's field names."""

    def test_construction(self):
        task = CapSolver.ReCaptchaV2Task(website_url=PAGE, website_key=SITE_KEY,
                                         invisible=True, page_action='login')
        fields = task['websiteURL'], task['websiteKey'], task['isInvisible'], task['pageAction']
        self.assertEqual(fields, (PAGE, SITE_KEY, True, 'login'))
        self.assertEqual(task.get_type_name(), 'ReCaptchaV2TaskProxyLess')

    def test_api_field_names(self):
        task = CapSolver.ReCaptchaV2Task(websiteURL=PAGE, websiteKey=SITE_KEY,
                                         enterprisePayload={'s': 'abc'})
        self.assertEqual(task.props.website_url, PAGE)
        self.assertEqual(task.props.website_key, SITE_KEY)
        self.assertEqual(task['enterprisePayload'], {'s': 'abc'})
        generic = CapSolver.Task('AntiTurnstileTaskProxyLess', websiteURL=PAGE,
                                 websiteKey=SITE_KEY, metadata={'action': 'login'})
        json_object = generic.to_json()
        self.assertEqual(json_object.get_string_member('type'), 'AntiTurnstileTaskProxyLess')
        self.assertEqual(generic['metadata'], {'action': 'login'})
        generic['metadata'] = None
        self.assertNotIn('metadata', generic)

    def test_gobject_api_stays(self):
        task = CapSolver.ReCaptchaV2Task.new(PAGE, SITE_KEY)
        task.set_boolean('isInvisible', True)
        self.assertTrue(task['isInvisible'])
        self.assertIsInstance(task, CapSolver.Task)

    def test_solve_typed_tasks(self):
        solutions = []
        for task in (CapSolver.ReCaptchaV2Task(website_url=PAGE, website_key=SITE_KEY),
                     CapSolver.TurnstileTask(website_url=PAGE, website_key='0x4AAAAAAA'),
                     CapSolver.Task('ReCaptchaV3TaskProxyLess', websiteURL=PAGE,
                                    websiteKey=SITE_KEY, pageAction='submit')):
            solutions.append(self.client.solve(task))
        for solution in solutions:
            self.assertTrue(solution.get_token())
            self.assertEqual(dict(solution), solution.to_dict())
            self.assertGreater(len(solution), 0)


class ErrorsTest(SandboxTestCase):
    """Errors of the CapSolver domain, blocking and asynchronous."""

    def test_zero_balance(self):
        self.sandbox.add_key(ZERO_KEY, 0.0)
        client = self.make_client(ZERO_KEY)
        with self.assertRaises(CapSolver.Error) as raised:
            client.solve(self.token_task())
        self.assert_cs_error(raised.exception, CapSolver.Error.ZERO_BALANCE, 'ERROR_ZERO_BALANCE')
        _, error = self.solve_async(client, self.token_task())
        self.assert_cs_error(error, CapSolver.Error.ZERO_BALANCE, 'ERROR_ZERO_BALANCE')
        self.assertEqual(error.retry_class, CapSolver.RetryClass.PERMANENT)

    def test_key_denied_access(self):
        client = self.make_client(UNKNOWN_KEY)
        with self.assertRaises(GLib.Error) as raised:
            client.get_balance()
        self.assert_cs_error(raised.exception, CapSolver.Error.KEY_DENIED_ACCESS,
                             'ERROR_KEY_DENIED_ACCESS')
        self.assertNotIn(UNKNOWN_KEY, raised.exception.message)
        _, error = self.solve_async(client, self.token_task())
        self.assert_cs_error(error, CapSolver.Error.KEY_DENIED_ACCESS, 'ERROR_KEY_DENIED_ACCESS')

    def test_captcha_unsolvable(self):
        self.sandbox.fail_next_task('ERROR_CAPTCHA_UNSOLVABLE')
        with self.assertRaises(CapSolver.Error) as raised:
            self.client.solve(self.token_task())
        self.assert_cs_error(raised.exception, CapSolver.Error.CAPTCHA_UNSOLVABLE,
                             'ERROR_CAPTCHA_UNSOLVABLE')
        self.assertEqual(raised.exception.retry_class, CapSolver.RetryClass.NEW_TASK)
        task = self.token_task(CapSolver.SANDBOX_ERROR_URL_PREFIX + 'ERROR_CAPTCHA_UNSOLVABLE')
        _, error = self.solve_async(self.client, task)
        self.assert_cs_error(error, CapSolver.Error.CAPTCHA_UNSOLVABLE, 'ERROR_CAPTCHA_UNSOLVABLE')
        self.assertEqual(task.get_status(), CapSolver.TaskStatus.FAILED)

    def test_code_table(self):
        self.assertEqual(CapSolver.Error.from_code('ERROR_ZERO_BALANCE'), CapSolver.Error.ZERO_BALANCE)
        self.assertEqual(CapSolver.error_to_code(CapSolver.Error.KEY_DENIED_ACCESS),
                         'ERROR_KEY_DENIED_ACCESS')
        self.assertIs(CapSolver.Error.Code.ZERO_BALANCE, CapSolver.Error.ZERO_BALANCE)


class CancelTest(SandboxTestCase):
    """A cancelled solve ends in G_IO_ERROR_CANCELLED, wherever it is."""

    def setUp(self):
        super().setUp()
        self.sandbox.props.fault_delay = 5000
        self.sandbox.inject_fault(CapSolver.SandboxFault.DELAY, 1)

    def test_async(self):
        cancellable = Gio.Cancellable()

        def cancel_soon():
            GLib.timeout_add(100, lambda: cancellable.cancel() or GLib.SOURCE_REMOVE)

        task = self.token_task()
        _, error = self.solve_async(self.client, task, cancellable, cancel_soon)
        self.assertIsInstance(error, GLib.Error)
        self.assertTrue(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED), error)
        self.assertNotIsInstance(error, CapSolver.Error)

    def test_blocking(self):
        cancellable = Gio.Cancellable()
        timer = threading.Timer(0.1, cancellable.cancel)
        timer.start()
        try:
            with self.assertRaises(GLib.Error) as raised:
                self.client.solve(self.token_task(), cancellable)
        finally:
            timer.join(mainloop.TIMEOUT_SECONDS)
        self.assertTrue(raised.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))


class DeadlineTest(SandboxTestCase):
    """The client's deadline ends a solve with TIMEOUT; the task keeps its
    id, and solving it again resumes polling instead of creating a task.

    The sandbox holds the task back for READY_DELAY milliseconds after
    createTask, far beyond the DEADLINE of the first solve, whatever the
    load of the machine."""

    READY_DELAY = 2000
    DEADLINE = 200

    def setUp(self):
        super().setUp()
        self.sandbox.set_ready_delay(self.READY_DELAY)
        self.client.props.poll_interval = 100
        self.task = self.token_task()
        self.assertTrue(self.client.create_task(self.task))
        self.task_id = self.task.get_task_id()
        self.client.props.deadline = self.DEADLINE

    def resume(self):
        self.assertEqual(self.task.get_task_id(), self.task_id)
        self.assertNotEqual(self.task.get_status(), CapSolver.TaskStatus.READY)
        self.client.props.deadline = 10 * self.READY_DELAY

    def assert_resumed(self, solution):
        self.assertTrue(solution.get_token())
        self.assertEqual(self.task.get_task_id(), self.task_id)
        self.assertEqual(self.sandbox.get_request_count('createTask'), 1)

    def test_timeout_then_resume(self):
        _, error = self.solve_async(self.client, self.task)
        self.assert_cs_error_timeout(error)
        self.resume()
        solution, error = self.solve_async(self.client, self.task)
        self.assertIsNone(error)
        self.assert_resumed(solution)

    def test_timeout_then_resume_blocking(self):
        with self.assertRaises(CapSolver.Error) as raised:
            self.client.solve(self.task)
        self.assert_cs_error_timeout(raised.exception)
        self.resume()
        self.assert_resumed(self.client.solve(self.task))

    def assert_cs_error_timeout(self, error):
        self.assertIsInstance(error, CapSolver.Error)
        self.assertTrue(error.matches(CapSolver.error_quark(), CapSolver.Error.TIMEOUT), error)
        self.assertIsNone(error.error_code)


class EnvironmentTest(SandboxTestCase):
    """CapSolver.Client.new_from_environment(): CAPSOLVER_API_KEY and
    CAPSOLVER_BASE_URL."""

    def tearDown(self):
        os.environ.pop('CAPSOLVER_API_KEY', None)
        os.environ.pop('CAPSOLVER_BASE_URL', None)
        super().tearDown()

    def test_new_from_environment(self):
        os.environ['CAPSOLVER_API_KEY'] = CapSolver.SANDBOX_DEFAULT_KEY
        os.environ['CAPSOLVER_BASE_URL'] = self.sandbox.get_base_url()
        client = CapSolver.Client.new_from_environment()
        self.assertEqual(client.props.base_url, self.sandbox.get_base_url())
        self.assertEqual(client.get_balance().get_amount(), 100.0)
        del os.environ['CAPSOLVER_API_KEY']
        with self.assertRaises(CapSolver.Error) as raised:
            CapSolver.Client.new_from_environment()
        self.assertEqual(raised.exception.code, CapSolver.Error.KEY_DENIED_ACCESS)


if __name__ == '__main__':
    unittest.main(verbosity=2)
