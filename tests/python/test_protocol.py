#!/usr/bin/python3
# test_protocol.py: the sandbox speaks the protocol, not this library's
# reading of it.
#
# Each test talks to an in-process CsSandbox with nothing but Python's
# standard HTTP client, the way other CapSolver clients do: the request
# shapes, headers and spellings they are known to send (a Bearer header
# besides clientKey, "ClientKey" with a capital C, "Proxyless" type names,
# polling while the status is idle or processing).
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import time
import unittest
import urllib.error
import urllib.request

import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver  # noqa: E402

KEY = CapSolver.SANDBOX_DEFAULT_KEY
PAGE = 'https://example.com/login'
SITE_KEY = 'protocol-test-site-key'


class ProtocolTestCase(unittest.TestCase):

    def setUp(self):
        self.sandbox = CapSolver.Sandbox.new()
        self.sandbox.start(0)
        self.base_url = self.sandbox.get_base_url()

    def tearDown(self):
        self.sandbox.stop()

    def post(self, method, body, headers=None):
        """POSTs a JSON body; returns (HTTP status, decoded JSON reply)."""
        request = urllib.request.Request(
            self.base_url + '/' + method, data=json.dumps(body).encode(),
            headers={'Content-Type': 'application/json', **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                self.assertEqual(reply.headers.get_content_type(), 'application/json')
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            self.assertEqual(error.headers.get_content_type(), 'application/json')
            return error.code, json.loads(error.read())

    def poll(self, task_id, key_field='clientKey'):
        """Polls as the usual clients do, until the status is neither idle
        nor processing; returns the last reply."""
        for _ in range(20):
            status, reply = self.post('getTaskResult', {key_field: KEY, 'taskId': task_id})
            self.assertEqual(status, 200)
            if reply.get('status') not in ('idle', 'processing'):
                return reply
            time.sleep(0.01)
        self.fail('the task never became ready')

    def test_bearer_header_and_poll(self):
        status, created = self.post(
            'createTask',
            {'clientKey': KEY, 'task': {'type': 'ReCaptchaV2TaskProxyLess',
                                        'websiteURL': PAGE, 'websiteKey': SITE_KEY}},
            headers={'Authorization': 'Bearer ' + KEY})
        self.assertEqual(status, 200)
        self.assertEqual(created['errorId'], 0)
        self.assertEqual(created['errorCode'], '')
        self.assertIn(created['status'], ('idle', 'processing'))
        self.assertIsInstance(created['taskId'], str)

        ready = self.poll(created['taskId'])
        self.assertEqual(ready['status'], 'ready')
        self.assertTrue(ready['solution']['gRecaptchaResponse'])
        self.assertTrue(ready['solution']['userAgent'])

    def test_capitalised_key_and_proxyless_spelling(self):
        status, created = self.post(
            'createTask',
            {'ClientKey': KEY, 'task': {'type': 'ReCaptchaV2TaskProxyless',
                                        'websiteURL': PAGE, 'websiteKey': SITE_KEY}})
        self.assertEqual(status, 200, created)
        ready = self.poll(created['taskId'], key_field='ClientKey')
        self.assertEqual(ready['status'], 'ready')

    def test_recognition_answered_at_once(self):
        png = ('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk'
               '+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==')
        status, created = self.post(
            'createTask', {'clientKey': KEY, 'task': {'type': 'ImageToTextTask', 'body': png}})
        self.assertEqual(status, 200)
        self.assertEqual(created['status'], 'ready')
        self.assertTrue(created['solution']['text'])
        # a client that polls anyway gets the same answer
        self.assertEqual(self.poll(created['taskId'])['solution'], created['solution'])

    def test_errors_are_json_envelopes(self):
        status, denied = self.post('getBalance', {'clientKey': 'CAP-NOT-A-SANDBOX-KEY'})
        self.assertEqual(status, 401)
        self.assertEqual(denied['errorId'], 1)
        self.assertEqual(denied['errorCode'], 'ERROR_KEY_DENIED_ACCESS')

        status, invalid = self.post(
            'createTask', {'clientKey': KEY, 'task': {'type': 'ReCaptchaV2TaskProxyLess',
                                                      'websiteURL': PAGE}})
        self.assertEqual(status, 400)
        self.assertEqual(invalid['errorCode'], 'ERROR_INVALID_TASK_DATA')
        self.assertIn('websiteKey', invalid['errorDescription'])

        status, unknown = self.post('getTaskResult', {'clientKey': KEY, 'taskId': 'no-such-task'})
        self.assertEqual(status, 400)
        self.assertEqual(unknown['errorCode'], 'ERROR_TASKID_INVALID')

    def test_balance_and_feedback(self):
        status, balance = self.post('getBalance', {'clientKey': KEY})
        self.assertEqual(status, 200)
        self.assertIsInstance(balance['balance'], (int, float))
        self.assertEqual(balance['packages'], [])

        _, created = self.post(
            'createTask', {'clientKey': KEY, 'task': {'type': 'AntiTurnstileTaskProxyLess',
                                                      'websiteURL': PAGE, 'websiteKey': SITE_KEY}})
        status, feedback = self.post(
            'feedbackTask', {'clientKey': KEY, 'taskId': created['taskId'],
                             'result': {'invalid': True, 'code': 1001, 'message': 'rejected'}})
        self.assertEqual(status, 200)
        self.assertEqual(feedback['errorId'], 0)


if __name__ == '__main__':
    unittest.main(verbosity=2)
