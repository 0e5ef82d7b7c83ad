#!/usr/bin/python3
# test_routing.py: a chain of clients from Python: each client's fallback
# takes the new tasks it cannot, here a type the first provider lacks, and
# the task and its solution say which provider solved it.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import unittest

import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, GLib  # noqa: E402

KEY = 'CAP-PYTHON-ROUTING-KEY'
SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'


def start_sandbox(provider):
    sandbox = CapSolver.Sandbox(dialect=provider)
    sandbox.add_key(KEY, 10.0)
    sandbox.set_time_scale(0)
    sandbox.set_polls_until_ready(1)
    sandbox.start(0)
    return sandbox


def new_client(provider, sandbox):
    return CapSolver.Client(api_key=KEY, provider=provider, base_url=sandbox.get_base_url(),
                            adaptive_polling=False, first_poll_delay=5, poll_interval=5)


class RoutingTest(unittest.TestCase):
    def setUp(self):
        self.sandboxes = [start_sandbox(CapSolver.Provider.ANTI_CAPTCHA),
                          start_sandbox(CapSolver.Provider.CAPSOLVER)]
        self.first = new_client(CapSolver.Provider.ANTI_CAPTCHA, self.sandboxes[0])
        self.second = new_client(CapSolver.Provider.CAPSOLVER, self.sandboxes[1])

    def tearDown(self):
        for sandbox in self.sandboxes:
            sandbox.stop()

    def test_chain(self):
        changes = []
        self.first.connect('notify::fallback', lambda c, pspec: changes.append(c.props.fallback))
        self.first.props.fallback = self.second
        self.assertEqual(changes, [self.second])
        self.assertIs(self.first.get_fallback(), self.second)
        self.assertIsNone(self.second.props.fallback)
        self.assertEqual(self.second.get_provider(), CapSolver.Provider.CAPSOLVER)

        # Anti-Captcha has no MTCaptcha: CapSolver solves it
        task = CapSolver.Task.new('MtCaptchaTaskProxyLess')
        task.set_string('websiteURL', 'https://www.example.com/')
        task.set_string('websiteKey', 'MTPublic-abc123')
        solution = self.first.solve(task)
        self.assertEqual(solution.props.provider, CapSolver.Provider.CAPSOLVER)
        self.assertEqual(task.get_provider(), CapSolver.Provider.CAPSOLVER)
        self.assertEqual(self.sandboxes[0].get_request_count('createTask'), 0)
        self.assertEqual(self.sandboxes[1].get_request_count('createTask'), 1)
        self.assertEqual(self.second.get_usage().get_created(), 1)

        # a type the first has stays with the first
        recaptcha = CapSolver.ReCaptchaV2Task(website_url='https://www.example.com/',
                                              website_key=SITE_KEY)
        self.assertTrue(self.first.solve(recaptcha).get_token())
        self.assertEqual(recaptcha.props.provider, CapSolver.Provider.ANTI_CAPTCHA)

        # without the chain, the first says who has the type
        self.first.props.fallback = None
        task = CapSolver.Task.new('MtCaptchaTaskProxyLess')
        task.set_string('websiteURL', 'https://www.example.com/')
        task.set_string('websiteKey', 'MTPublic-abc123')
        with self.assertRaises(GLib.Error) as caught:
            self.first.solve(task)
        self.assertTrue(caught.exception.matches(CapSolver.error_quark(),
                                                 CapSolver.Error.TASK_NOT_SUPPORTED))

    def test_resumed_task(self):
        self.first.props.fallback = self.second
        task = CapSolver.ReCaptchaV2Task(website_url='https://www.example.com/',
                                         website_key=SITE_KEY)
        self.assertTrue(self.second.create_task(task))
        resumed = CapSolver.Task(task_id=task.props.task_id,
                                 provider=CapSolver.Provider.CAPSOLVER)
        self.assertTrue(self.first.solve(resumed).get_token())
        self.assertEqual(self.sandboxes[0].get_request_count(None), 0)


if __name__ == '__main__':
    unittest.main()
