#!/usr/bin/python3
# test_smoke.py: the uninstalled typelib solves one task against a
# Soup.Server running in this process, on the same main loop.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import unittest

import gi
gi.require_version('Soup', '3.0')
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, Soup  # noqa: E402

import mainloop  # noqa: E402

KEY = 'CAP-SMOKE-TEST-KEY'


class FakeService:
    """Answers createTask with a task id and getTaskResult with a token,
    after one 'processing' reply."""

    def __init__(self):
        self.requests = []
        self.server = Soup.Server()
        self.server.add_handler(None, self.handle)
        self.server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY)
        self.base_url = self.server.get_uris()[0].to_string().rstrip('/')

    def handle(self, server, msg, path, query):
        body = msg.get_request_body().flatten().get_data()
        request = json.loads(bytes(body).decode('utf-8'))
        self.requests.append((path, request))
        if request.get('clientKey') != KEY:
            reply = {'errorId': 1, 'errorCode': 'ERROR_KEY_DENIED_ACCESS',
                     'errorDescription': 'wrong key'}
        elif path == '/createTask':
            reply = {'errorId': 0, 'taskId': 'smoke-1', 'status': 'idle'}
        elif path == '/getTaskResult':
            polls = sum(1 for p, _ in self.requests if p == '/getTaskResult')
            if polls < 2:
                reply = {'errorId': 0, 'taskId': 'smoke-1', 'status': 'processing'}
            else:
                reply = {'errorId': 0, 'taskId': 'smoke-1', 'status': 'ready',
                         'solution': {'gRecaptchaResponse': 'smoke-token',
                                      'userAgent': 'smoke-agent'}}
        else:
            msg.set_status(404, None)
            return
        msg.set_status(200, None)
        msg.set_response('application/json', Soup.MemoryUse.COPY,
                         json.dumps(reply).encode('utf-8'))


class SmokeTest(unittest.TestCase):
    def setUp(self):
        self.service = FakeService()

    def tearDown(self):
        self.service.server.disconnect()

    def solve(self, key, task):
        client = CapSolver.Client(key, base_url=self.service.base_url,
                                  first_poll_delay=10, poll_interval=10)
        solution, error, timed_out = mainloop.run_async(
            lambda done: client.solve_async(task, None, done), client.solve_finish)
        self.assertFalse(timed_out, 'the solve did not finish in time')
        return solution, error

    def make_task(self):
        return CapSolver.Task('ReCaptchaV2TaskProxyLess',
                              websiteURL='https://example.com/',
                              websiteKey='site-key')

    def test_solve(self):
        task = self.make_task()
        statuses = []
        task.connect('notify::status', lambda t, _: statuses.append(t.get_status()))
        solution, error = self.solve(KEY, task)

        self.assertIsNone(error)
        self.assertEqual(solution.get_token(), 'smoke-token')
        self.assertEqual(solution['userAgent'], 'smoke-agent')
        self.assertEqual(task.get_task_id(), 'smoke-1')
        self.assertEqual(task.get_status(), CapSolver.TaskStatus.READY)
        self.assertIn(CapSolver.TaskStatus.PROCESSING, statuses)
        self.assertEqual(statuses[-1], CapSolver.TaskStatus.READY)
        path, request = self.service.requests[0]
        self.assertEqual(path, '/createTask')
        self.assertEqual(request['task'], {'type': 'ReCaptchaV2TaskProxyLess',
                                           'websiteURL': 'https://example.com/',
                                           'websiteKey': 'site-key'})

    def test_error_domain(self):
        _, error = self.solve('CAP-WRONG', self.make_task())

        self.assertTrue(error.matches(CapSolver.error_quark(),
                                      CapSolver.Error.KEY_DENIED_ACCESS))
        self.assertIsInstance(error, CapSolver.Error)
        self.assertEqual(error.error_code, 'ERROR_KEY_DENIED_ACCESS')


if __name__ == '__main__':
    unittest.main(verbosity=2)
