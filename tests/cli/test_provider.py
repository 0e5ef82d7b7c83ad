#!/usr/bin/python3
# test_provider.py: `capsolver --provider NAME` against a sandbox process
# that speaks that provider's dialect (`capsolver sandbox --dialect NAME`),
# the key read from the variable of the provider's own SDKs.
#
# Standard library only. Usage: test_provider.py CAPSOLVER
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import http.server
import unittest

CAPSOLVER = None
START_TIMEOUT = 20   # s
RUN_TIMEOUT = 60     # s
KEY = 'provider-cli-test-key'
BALANCE = 7.5
RECAPTCHA = ['ReCaptchaV2TaskProxyLess',
             'websiteURL=https://example.com/login',
             'websiteKey=6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-']
EXIT_OK, EXIT_API, EXIT_USAGE = 0, 1, 2
KEY_VARIABLES = ('CAPSOLVER_API_KEY', 'ANTICAPTCHA_API_KEY', 'APIKEY_2CAPTCHA',
                 'CAPMONSTER_API_KEY')


def clean_env(**extra):
    """No key from the user's environment, and no session bus: no keyring."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('CAPSOLVER_') and k not in KEY_VARIABLES and
           k != 'DBUS_SESSION_BUS_ADDRESS'}
    env['DBUS_SESSION_BUS_ADDRESS'] = 'unix:path=/nonexistent/bus'
    env['NO_COLOR'] = '1'
    env.update(extra)
    return env


def start_sandbox(*args):
    process = subprocess.Popen([CAPSOLVER, 'sandbox', '--port', '0', *args],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=clean_env())
    line = b''
    deadline = time.monotonic() + START_TIMEOUT
    while not line.endswith(b'\n'):
        ready, _, _ = select.select([process.stdout], [], [],
                                    max(0, deadline - time.monotonic()))
        if not ready:
            process.kill()
            raise RuntimeError('capsolver sandbox printed no URL')
        byte = os.read(process.stdout.fileno(), 1)
        if not byte:
            raise RuntimeError('capsolver sandbox exited')
        line += byte
    return process, line.decode().strip()


class Result:
    def __init__(self, process, stdout, stderr):
        self.status = process.returncode
        self.stdout = stdout.decode()
        self.stderr = stderr.decode()

    def json(self):
        return json.loads(self.stdout)


def run_cli(*args, **variables):
    process = subprocess.Popen([CAPSOLVER, *args], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=clean_env(**variables))
    stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
    return Result(process, stdout, stderr)


class ProviderTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.sandbox, cls.base_url = start_sandbox('--dialect', 'anti-captcha',
                                                  '--key', '%s=%g' % (KEY, BALANCE))

    @classmethod
    def tearDownClass(cls):
        cls.sandbox.send_signal(signal.SIGTERM)
        try:
            cls.sandbox.communicate(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            cls.sandbox.kill()
            cls.sandbox.communicate()

    def anti_captcha(self, *args, **variables):
        return run_cli('--provider', 'anti-captcha', '--base-url', self.base_url, *args,
                       **variables)

    def test_solve_with_the_providers_variable(self):
        result = self.anti_captcha('--json', 'solve', *RECAPTCHA, ANTICAPTCHA_API_KEY=KEY)
        self.assertEqual(result.status, EXIT_OK, result.stderr)
        task = result.json()
        self.assertIn('gRecaptchaResponse', task['solution'])
        # Anti-Captcha numbers its tasks
        self.assertTrue(task['taskId'].isdigit(), task['taskId'])

    def test_balance(self):
        result = self.anti_captcha('--json', 'balance', '--api-key', KEY)
        self.assertEqual(result.status, EXIT_OK, result.stderr)
        self.assertAlmostEqual(result.json()['balance'], BALANCE)

    def test_wrong_key_is_the_providers_code(self):
        result = self.anti_captcha('--json', 'balance', ANTICAPTCHA_API_KEY='nobody-has-it')
        self.assertEqual(result.status, EXIT_API, result.stderr)
        self.assertIn('ERROR_KEY_DOES_NOT_EXIST', result.stdout)

    def test_capsolver_key_is_not_sent_to_another_provider(self):
        result = self.anti_captcha('--json', 'balance', CAPSOLVER_API_KEY=KEY)
        self.assertEqual(result.status, EXIT_USAGE, result.stdout)
        self.assertIn('ANTICAPTCHA_API_KEY', result.stdout + result.stderr)
        self.assertEqual(self.sandbox.poll(), None)

    def test_capsolver_key_is_not_sent_to_a_compatible_service(self):
        result = run_cli('--provider', 'compatible', '--base-url', self.base_url, '--json',
                         'balance', CAPSOLVER_API_KEY=KEY)
        self.assertEqual(result.status, EXIT_USAGE, result.stdout)
        self.assertIn('CAPSOLVER_COMPATIBLE_API_KEY', result.stdout + result.stderr)
        self.assertEqual(self.sandbox.poll(), None)

    def test_type_the_provider_lacks(self):
        result = self.anti_captcha('--json', 'solve', 'MtCaptchaTaskProxyLess',
                                   'websiteURL=https://example.com/', 'websiteKey=MTPublic-abc',
                                   ANTICAPTCHA_API_KEY=KEY)
        self.assertEqual(result.status, EXIT_API, result.stderr)
        self.assertIn('ERROR_TASK_NOT_SUPPORTED', result.stdout)

    def test_unknown_provider(self):
        result = run_cli('--provider', 'nope', 'balance', CAPSOLVER_API_KEY=KEY)
        self.assertEqual(result.status, EXIT_USAGE)
        self.assertIn('unknown provider', result.stderr)

    def test_in_process_sandbox_speaks_the_provider(self):
        result = run_cli('--sandbox', '--provider', '2captcha', '--json', 'solve', *RECAPTCHA)
        self.assertEqual(result.status, EXIT_OK, result.stderr)
        self.assertTrue(result.json()['taskId'].isdigit())

    def refused_url(self):
        # a port nothing listens on: its connections are refused
        with socket.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            return 'http://127.0.0.1:%d' % probe.getsockname()[1]

    def test_endpoints_in_order(self):
        # --base-url given twice, or as a comma list: the first refuses, and
        # the requests go on at the second, a createTask included (it
        # never reached the first)
        down = self.refused_url()
        for urls in (['--base-url', down, '--base-url', self.base_url],
                     ['--base-url', '%s, %s/' % (down, self.base_url)]):
            result = run_cli('--provider', 'anti-captcha', *urls, '--json', 'solve', *RECAPTCHA,
                             ANTICAPTCHA_API_KEY=KEY)
            self.assertEqual(result.status, EXIT_OK, result.stderr)
            self.assertIn('gRecaptchaResponse', result.json()['solution'])
            self.assertIn('endpoint %s -> %s' % (down, self.base_url), result.stderr)

    def test_endpoints_checked(self):
        for urls in ('%s,ftp://example.com' % self.base_url, '%s,' % self.base_url):
            result = run_cli('--provider', 'anti-captcha', '--base-url', urls, 'balance',
                             ANTICAPTCHA_API_KEY=KEY)
            self.assertEqual(result.status, EXIT_USAGE, result.stderr)
            self.assertIn('--base-url', result.stderr)

    def test_compatible_needs_a_base_url(self):
        result = run_cli('--provider', 'compatible', 'balance',
                         CAPSOLVER_COMPATIBLE_API_KEY=KEY)
        self.assertEqual(result.status, EXIT_USAGE)
        self.assertIn('--base-url', result.stderr)


MTCAPTCHA = ['MtCaptchaTaskProxyLess', 'websiteURL=https://example.com/',
             'websiteKey=MTPublic-abc']


class ChainTestCase(unittest.TestCase):
    """--provider NAME,NAME…: a type the first lacks goes to the next, each
    provider with the key of its own variable."""

    @classmethod
    def setUpClass(cls):
        cls.sandboxes = []
        for dialect in ('anti-captcha', 'capsolver'):
            process, url = start_sandbox('--dialect', dialect,
                                         '--key', '%s=%g' % (KEY, BALANCE))
            cls.sandboxes.append((process, url))

    @classmethod
    def tearDownClass(cls):
        for process, _ in cls.sandboxes:
            process.send_signal(signal.SIGTERM)
            try:
                process.communicate(timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()

    def chain(self, *args, **variables):
        return run_cli('--provider', 'anti-captcha,capsolver',
                       '--base-url', self.sandboxes[0][1], '--json', *args,
                       CAPSOLVER_BASE_URL=self.sandboxes[1][1], **variables)

    def test_type_the_first_lacks(self):
        result = self.chain('solve', *MTCAPTCHA, ANTICAPTCHA_API_KEY=KEY, CAPSOLVER_API_KEY=KEY)
        self.assertEqual(result.status, EXIT_OK, result.stderr)
        self.assertEqual(result.json()['provider'], 'capsolver')
        self.assertIn('token', result.json()['solution'])

    def test_type_the_first_has(self):
        result = self.chain('solve', *RECAPTCHA, ANTICAPTCHA_API_KEY=KEY, CAPSOLVER_API_KEY=KEY)
        self.assertEqual(result.status, EXIT_OK, result.stderr)
        self.assertEqual(result.json()['provider'], 'anti-captcha')

    def test_each_provider_needs_its_own_key(self):
        result = self.chain('solve', *MTCAPTCHA, ANTICAPTCHA_API_KEY=KEY)
        self.assertEqual(result.status, EXIT_USAGE, result.stdout)
        self.assertIn('CAPSOLVER_API_KEY', result.stderr)

    def test_one_address_for_two_providers(self):
        # the CapSolver key would go to Anti-Captcha's address
        result = run_cli('--provider', 'anti-captcha,capsolver', '--base-url', self.sandboxes[0][1],
                         '--json', 'solve', *RECAPTCHA, ANTICAPTCHA_API_KEY=KEY,
                         CAPSOLVER_API_KEY=KEY, CAPSOLVER_BASE_URL=self.sandboxes[0][1] + '/')
        self.assertEqual(result.status, EXIT_USAGE, result.stdout)
        self.assertIn('own address', result.stderr)

    def test_in_process_sandboxes(self):
        result = run_cli('--sandbox', '--provider', 'anti-captcha,capmonster,capsolver',
                         '--json', 'solve', *MTCAPTCHA)
        self.assertEqual(result.status, EXIT_OK, result.stderr)
        self.assertEqual(result.json()['provider'], 'capmonster')

    def test_a_provider_named_twice(self):
        result = run_cli('--sandbox', '--provider', 'capsolver,capsolver', 'solve', *RECAPTCHA)
        self.assertEqual(result.status, EXIT_USAGE)
        self.assertIn('named twice', result.stderr)


class KeyLog(http.server.BaseHTTPRequestHandler):
    """A service that notes every clientKey it receives and has no money:
    createTask fails with ERROR_ZERO_BALANCE, so that a chain moves on."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
        self.server.keys.append(body.get('clientKey'))
        if self.path == '/getBalance':
            answer = {'errorId': 0, 'balance': 0}
        else:
            answer = {'errorId': 1, 'errorCode': 'ERROR_ZERO_BALANCE',
                      'errorDescription': 'no money'}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def start_key_log():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), KeyLog)
    server.keys = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, 'http://127.0.0.1:%d' % server.server_address[1]


IMAGE = ['ImageToTextTask', 'body=iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk'
         'YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==']
SECRET, COMPATIBLE_KEY = 'capsolver-secret-key', 'compatible-key'


class ChainAddressTestCase(unittest.TestCase):
    """A chain of capsolver and compatible: each key goes only to its own
    provider's address, whatever CAPSOLVER_BASE_URL says."""

    def setUp(self):
        self.servers = [start_key_log(), start_key_log()]
        for server, _ in self.servers:
            self.addCleanup(server.server_close)
            self.addCleanup(server.shutdown)

    def solve(self, order, *args, **variables):
        return run_cli('--provider', order, *args, '--timeout', '30', '--json', 'solve', *IMAGE,
                       CAPSOLVER_API_KEY=SECRET, CAPSOLVER_COMPATIBLE_API_KEY=COMPATIBLE_KEY,
                       **variables)

    def test_capsolver_base_url_is_not_the_compatible_services(self):
        server, url = self.servers[0]
        for order in ('compatible,capsolver', 'capsolver,compatible'):
            result = self.solve(order, CAPSOLVER_BASE_URL=url)
            self.assertEqual(result.status, EXIT_USAGE, result.stderr)
            self.assertIn('CAPSOLVER_COMPATIBLE_BASE_URL', result.stderr)
        self.assertEqual(server.keys, [])

    def test_one_address_for_both_is_refused(self):
        server, url = self.servers[0]
        for order in ('compatible,capsolver', 'capsolver,compatible'):
            result = self.solve(order, CAPSOLVER_BASE_URL=url,
                                CAPSOLVER_COMPATIBLE_BASE_URL=url + '/')
            self.assertEqual(result.status, EXIT_USAGE, result.stderr)
            self.assertIn('own address', result.stderr)
        self.assertEqual(server.keys, [])

    def test_each_key_to_its_own_address(self):
        (capsolver, capsolver_url), (compatible, compatible_url) = self.servers
        runs = [('capsolver,compatible', [], {'CAPSOLVER_BASE_URL': capsolver_url,
                                              'CAPSOLVER_COMPATIBLE_BASE_URL': compatible_url}),
                ('compatible,capsolver', ['--base-url', compatible_url],
                 {'CAPSOLVER_BASE_URL': capsolver_url}),
                ('compatible,capsolver', [], {'CAPSOLVER_COMPATIBLE_BASE_URL': compatible_url,
                                              'CAPSOLVER_BASE_URL': capsolver_url})]
        for order, args, variables in runs:
            del capsolver.keys[:], compatible.keys[:]
            result = self.solve(order, *args, **variables)
            self.assertEqual(result.status, EXIT_API, result.stderr)
            self.assertIn('ERROR_ZERO_BALANCE', result.stdout)
            # the chain reached both, each with its own key only
            self.assertEqual(set(capsolver.keys), {SECRET}, order)
            self.assertEqual(set(compatible.keys), {COMPATIBLE_KEY}, order)

    def test_in_process_sandboxes_ignore_the_addresses(self):
        server, url = self.servers[0]
        result = run_cli('--sandbox', '--provider', 'compatible,capsolver', '--json', 'solve',
                         *RECAPTCHA, CAPSOLVER_BASE_URL=url, CAPSOLVER_COMPATIBLE_BASE_URL=url)
        self.assertEqual(result.status, EXIT_OK, result.stderr)
        self.assertEqual(server.keys, [])


if __name__ == '__main__':
    CAPSOLVER = sys.argv.pop(1)
    unittest.main()
