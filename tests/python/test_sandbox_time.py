#!/usr/bin/python3
# test_sandbox_time.py: the sandbox's time model, load limits, getToken,
# callbacks and timing records, from Python.
#
# An in-process CsSandbox, set through its properties, spoken to with
# Python's standard HTTP client; the timing records are read both through
# the binding (cs_sandbox_get_timings(), a Json.Node) and over HTTP.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import http.server
import json
import threading
import time
import unittest
import urllib.error
import urllib.request

import gi
gi.require_version('CapSolver', '1')
gi.require_version('Json', '1.0')
from gi.repository import CapSolver, Json  # noqa: E402

KEY = CapSolver.SANDBOX_DEFAULT_KEY


def v2_task(url):
    return {'type': 'ReCaptchaV2TaskProxyLess', 'websiteURL': url, 'websiteKey': 'k'}


class SandboxTimeTestCase(unittest.TestCase):

    def setUp(self):
        self.sandbox = CapSolver.Sandbox.new()
        self.sandbox.start(0)
        self.base_url = self.sandbox.get_base_url()

    def tearDown(self):
        self.sandbox.stop()

    def post(self, method, body, key=KEY):
        """POSTs a JSON body; returns (HTTP status, decoded JSON reply)."""
        if key is not None:
            body = dict(body, clientKey=key)
        request = urllib.request.Request(
            self.base_url + '/' + method, data=json.dumps(body).encode(),
            headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def create(self, task):
        status, reply = self.post('createTask', {'task': task})
        self.assertEqual(status, 200, reply)
        return reply['taskId']

    def poll_until_done(self, task_id):
        """Polls every 20 ms (within the 120-poll cap); returns the statuses
        seen, in order, each once, and the last reply."""
        seen = []
        for _ in range(500):
            _, reply = self.post('getTaskResult', {'taskId': task_id})
            status = reply.get('status') or reply.get('errorCode')
            if not seen or seen[-1] != status:
                seen.append(status)
            if status not in ('idle', 'processing'):
                return seen, reply
            time.sleep(0.02)
        self.fail('the task never finished')

    def timings(self):
        node = self.sandbox.get_timings()
        return json.loads(Json.to_string(node, False))

    def record(self, task_id, timings=None):
        for record in (timings or self.timings())['tasks']:
            if record['taskId'] == task_id:
                return record
        return None

    def test_time_scale_and_idle(self):
        # reCAPTCHA v2: 5 to 15 s, 50 to 150 ms at 0.01
        self.sandbox.props.time_scale = 0.01
        task_id = self.create(v2_task('https://py.example/scale'))
        seen, reply = self.poll_until_done(task_id)
        # in order, whatever the polls saw
        self.assertIn(seen, [['idle', 'processing', 'ready'], ['processing', 'ready'], ['ready']])
        self.assertTrue(reply['solution']['gRecaptchaResponse'].startswith('03A'))
        record = self.record(task_id)
        self.assertGreaterEqual(record['readyMs'] - record['createdMs'], 50)
        self.assertLessEqual(record['readyMs'] - record['createdMs'], 150)
        self.assertGreaterEqual(record['fetchedMs'], record['readyMs'])
        self.assertEqual(record['state'], 'ready')

    def test_idle_then_processing(self):
        # reCAPTCHA v3 at the service's pace: taken up after 0.2 to 0.6 s
        self.sandbox.props.time_scale = 1.0
        task_id = self.create({'type': 'ReCaptchaV3TaskProxyLess', 'websiteURL': 'https://a/',
                               'websiteKey': 'k', 'pageAction': 'login'})
        _, idle = self.post('getTaskResult', {'taskId': task_id})
        time.sleep(0.7)
        _, processing = self.post('getTaskResult', {'taskId': task_id})
        self.assertEqual(idle['status'], 'idle')
        self.assertEqual(processing['status'], 'processing')

    def test_poll_count_model_stays_the_default(self):
        self.assertLess(self.sandbox.props.time_scale, 0)
        task_id = self.create(v2_task('https://py.example/polls'))
        seen, _ = self.poll_until_done(task_id)
        self.assertEqual(seen, ['processing', 'ready'])
        self.assertEqual(self.record(task_id)['polls'], 3)

    def test_capacity(self):
        self.sandbox.props.time_scale = 0.05
        self.sandbox.props.workers = 1
        self.sandbox.props.queue_limit = 1
        first = self.create(v2_task('https://py.example/1'))
        second = self.create(v2_task('https://py.example/2'))
        status, refused = self.post('createTask', {'task': v2_task('https://py.example/3')})
        _, waiting = self.post('getTaskResult', {'taskId': second})
        self.poll_until_done(first)
        self.poll_until_done(second)
        self.assertEqual(status, 400)
        self.assertEqual(refused['errorCode'], 'ERROR_SERVICE_UNAVALIABLE')
        self.assertEqual(waiting['status'], 'idle')
        timings = self.timings()
        self.assertGreater(self.record(second, timings)['readyMs'],
                           self.record(first, timings)['readyMs'])

    def test_retention(self):
        # kept task-lifetime seconds after completion, whatever the scale
        self.sandbox.props.time_scale = 0.001
        self.sandbox.props.task_lifetime = 0
        task_id = self.create(v2_task('https://py.example/retention'))
        self.poll_until_done(task_id)
        time.sleep(0.4)
        status, reply = self.post('getTaskResult', {'taskId': task_id})
        self.assertEqual(status, 400)
        self.assertEqual(reply['errorCode'], 'ERROR_TASKID_INVALID')

    def test_poll_cap(self):
        self.sandbox.props.time_scale = 1.0
        task_id = self.create(v2_task('https://py.example/cap'))
        for _ in range(120):
            status, reply = self.post('getTaskResult', {'taskId': task_id})
            self.assertEqual(status, 200)
        status, reply = self.post('getTaskResult', {'taskId': task_id})
        self.assertEqual(reply['errorCode'], 'ERROR_TASKID_INVALID')
        self.assertIn('120', reply['errorDescription'])

    def test_rate_limit(self):
        self.sandbox.props.rate_limit = 5
        replies = [self.post('getBalance', {}) for _ in range(6)]
        self.assertEqual([status for status, _ in replies[:5]], [200] * 5)
        self.assertEqual(replies[5][1]['errorCode'], 'ERROR_RATE_LIMIT')

    def test_key_temp_blocked(self):
        self.sandbox.props.key_block_errors = 2
        for _ in range(2):
            self.post('getTaskResult', {'taskId': 'nope'})
        _, reply = self.post('getBalance', {})
        self.assertEqual(reply['errorCode'], 'ERROR_KEY_TEMP_BLOCKED')

    def test_get_token(self):
        self.sandbox.props.time_scale = 0.01
        started = time.monotonic()
        status, reply = self.post('getToken', {'task': v2_task('https://py.example/token')})
        held = time.monotonic() - started
        self.assertEqual(status, 200, reply)
        self.assertEqual(reply['status'], 'ready')
        self.assertIn('gRecaptchaResponse', reply['solution'])
        self.assertGreaterEqual(held, 0.05)
        record = self.record(reply['taskId'])
        self.assertEqual(record['polls'], 0)
        self.assertGreaterEqual(record['fetchedMs'], record['readyMs'])

    def test_get_token_takes_recaptcha_only(self):
        status, reply = self.post('getToken', {'task': {
            'type': 'AntiTurnstileTaskProxyLess', 'websiteURL': 'https://a/',
            'websiteKey': 'k'}})
        self.assertEqual(status, 400)
        self.assertEqual(reply['errorCode'], 'ERROR_TASK_NOT_SUPPORTED')

    def test_callback(self):
        received = []
        done = threading.Event()

        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers['Content-Length'])
                received.append((self.path, json.loads(self.rfile.read(length))))
                self.send_response(200)
                self.send_header('Content-Length', '0')
                self.end_headers()
                done.set()

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(('127.0.0.1', 0), Receiver)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            self.sandbox.props.time_scale = 0.001
            status, reply = self.post('createTask', {
                'task': v2_task('https://py.example/callback'),
                'callbackUrl': 'http://127.0.0.1:%d/hook' % server.server_port})
            self.assertEqual(status, 200)
            self.assertTrue(done.wait(10))
        finally:
            server.shutdown()
            server.server_close()
        path, body = received[0]
        self.assertEqual(path, '/hook')
        self.assertEqual(body['taskId'], reply['taskId'])
        self.assertEqual(body['status'], 'ready')
        self.assertIn('gRecaptchaResponse', body['solution'])

    def test_timings_over_http(self):
        self.sandbox.props.time_scale = 0.0
        old = self.create(v2_task('https://py.example/old'))
        with urllib.request.urlopen(urllib.request.Request(
                self.base_url + '/sandbox/timings/clear', data=b'', method='POST')) as reply:
            self.assertEqual(reply.status, 200)
        new = self.create(v2_task('https://py.example/new'))
        self.poll_until_done(new)
        with urllib.request.urlopen(self.base_url + '/sandbox/timings') as reply:
            timings = json.loads(reply.read())
        self.assertEqual(list(timings), ['now', 'connections', 'openConnections',
                                         'requests', 'tasks'])
        self.assertEqual([record['taskId'] for record in timings['tasks']], [new])
        self.assertEqual(list(timings['tasks'][0]),
                         ['taskId', 'type', 'createdMs', 'readyMs', 'fetchedMs', 'polls',
                          'state'])
        self.assertGreaterEqual(timings['connections'], 3)
        self.assertIsNone(self.record(old, timings))
        self.sandbox.clear_timings()
        self.assertEqual(self.timings()['tasks'], [])


if __name__ == '__main__':
    unittest.main(verbosity=2)
