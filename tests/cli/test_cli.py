#!/usr/bin/python3
# test_cli.py: runs the built capsolver command against `capsolver sandbox`
# started as a separate process, and checks its output and exit statuses.
#
#   test_cli.py CAPSOLVER SAMPLE_IMAGE
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import base64
import http.server
import json
import os
import pty
import select
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request

CAPSOLVER = None
SAMPLE_IMAGE = None
MAN_PAGE = None             # as built
COMPLETION = None           # the source of the bash completion
MESON = None
BUILD_ROOT = None
MAN_INSTALLED = None        # where `meson install` puts them, under DESTDIR
COMPLETION_INSTALLED = None
SAMPLE_ANSWER = 'K7WP3R'

SANDBOX_KEY = 'CAP-SANDBOX-' + '0' * 58   # CS_SANDBOX_DEFAULT_KEY
BALANCE_KEY = 'CAP-CLI-BALANCE'
BALANCE = 12.5
WRONG_KEY = 'CAP-CLI-WRONG-KEY-0123456789'
RECAPTCHA = ['ReCaptchaV2TaskProxyLess',
             'websiteURL=https://example.com/login',
             'websiteKey=6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-']

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_NETWORK, EXIT_TIMEOUT, EXIT_PROTOCOL = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

START_TIMEOUT = 20   # s, for a sandbox to print its URL
RUN_TIMEOUT = 60     # s, for one command


def clean_env(**extra):
    """The test environment without the user's CapSolver settings, on a
    terminal that takes escape sequences if there is one."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('CAPSOLVER_') and k != 'NO_COLOR'}
    env['TERM'] = 'xterm'
    env.update(extra)
    return env


def resume_hint(stderr):
    """The arguments of the `capsolver result …` that an error line offers,
    as a shell would read them."""
    return shlex.split(stderr.split('resume with: ', 1)[1])


def start_sandbox(*args):
    """Starts `capsolver sandbox` and returns (process, base URL)."""
    process = subprocess.Popen([CAPSOLVER, 'sandbox', '--port', '0', *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=clean_env())
    line = b''
    deadline = time.monotonic() + START_TIMEOUT
    while not line.endswith(b'\n'):
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([process.stdout], [], [], max(0, remaining))
        if not ready:
            process.kill()
            raise RuntimeError('capsolver sandbox printed no URL in %d s' % START_TIMEOUT)
        # os.read: a buffered read could hide the rest of the line from select
        byte = os.read(process.stdout.fileno(), 1)
        if not byte:
            _, err = process.communicate(timeout=RUN_TIMEOUT)
            raise RuntimeError('capsolver sandbox exited: %s' % err.decode())
        line += byte
    return process, line.decode().strip()


def stop_sandbox(process, signum=signal.SIGTERM):
    """Stops a sandbox with @signum; returns its exit status."""
    process.send_signal(signum)
    try:
        process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    return process.returncode


def read_terminal(master, until=None):
    """What the child wrote to a pseudo-terminal: up to @until, or all of it
    once the child closed its side."""
    data = b''
    deadline = time.monotonic() + RUN_TIMEOUT
    while until is None or until not in data:
        ready, _, _ = select.select([master], [], [], max(0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError('nothing more on the terminal: %r' % data)
        try:
            chunk = os.read(master, 4096)
        except OSError:     # EIO: the child closed the terminal
            chunk = b''
        if not chunk:
            if until is not None:
                raise AssertionError('%r never came: %r' % (until, data))
            break
        data += chunk
    return data


def closed_port():
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class HtmlErrorHandler(http.server.BaseHTTPRequestHandler):
    """What a proxy in front of the service may answer: not the protocol."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        body = b'<html><body>502 Bad Gateway</body></html>'
        self.send_response(502)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class ScriptedHandler(http.server.BaseHTTPRequestHandler):
    """Answers each method with what the server's script gives for it, and
    records the requests."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        method = self.path.strip('/')
        self.server.requests.append((method, json.loads(body)))
        reply = json.dumps(self.server.script[method]).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


class ScriptedServer:
    """A CapSolver service of a few scripted answers, {method: reply}."""

    def __init__(self, **script):
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), ScriptedHandler)
        self.server.script = script
        self.server.requests = []
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def requests(self):
        return self.server.requests

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *args):
        self.server.shutdown()
        self.server.server_close()


# A key, and the login and password of a proxy, and the forms in which the
# service may repeat them: the table of /security/echoed-secrets-hidden in
# tests/test-security.c, as (form, what errorDescription says, what the
# message keeps of it).
ECHO_KEY = 'CAP-' + '0123456789ABCDEF' * 4
ECHO_LOGIN = 'Pr0xy L0gin+1'
ECHO_PASSWORD = 'p@ss:w0rd"\u00e9/Pr0xyPa55'
ECHO_FORMS = [
    ('the key', ECHO_KEY, '[REDACTED]'),
    ('the key in lower case', ECHO_KEY.lower(), '[REDACTED]'),
    ('the key cut short', '0123456789abcdef01', '[REDACTED]'),
    ('the key cut short inside a word', 'xx0123456789ABCDEF01yy', 'xx[REDACTED]yy'),
    ('the key inside a word', 'xx' + ECHO_KEY + 'yy', 'xx[REDACTED]'),
    ('the password', ECHO_PASSWORD, '[REDACTED]'),
    ('the password in capitals', 'P@SS:W0RD"\u00e9/PR0XYPA55', '[REDACTED]'),
    ('the password percent-encoded', 'p%40ss%3Aw0rd%22%C3%A9%2FPr0xyPa55', '[REDACTED]'),
    ('the password percent-encoded, lower-case hex', 'p%40ss%3aw0rd%22%c3%a9%2fPr0xyPa55',
     '[REDACTED]'),
    ('the password escaped in JSON', 'p@ss:w0rd\\"\\u00e9\\/Pr0xyPa55', '[REDACTED]'),
    ('the password cut short', 'w0rd"\u00e9/Pr0', '[REDACTED]'),
    ('the password cut short, percent-encoded', '%3Aw0rd%22%C3%A9', '[REDACTED]'),
    ('the login', ECHO_LOGIN, '[REDACTED]'),
    ('the login percent-encoded', 'Pr0xy%20L0gin%2B1', '[REDACTED]'),
    ('the login escaped in JSON', 'Pr0xy\\u0020L0gin+1', '[REDACTED]'),
    ('the proxy', 'http://Pr0xy%20L0gin%2B1:p%40ss%3Aw0rd%22%C3%A9%2FPr0xyPa55@10.0.0.1:3128',
     'http://[REDACTED]@10.0.0.1:3128'),
    ('nothing secret', '10.0.0.1:3128', '10.0.0.1:3128'),
]


def secret_forms(*secrets):
    """Each secret as it is, percent-encoded and escaped in JSON."""
    for secret in secrets:
        yield secret
        yield urllib.parse.quote(secret, safe='')
        yield json.dumps(secret)[1:-1]
        yield json.dumps(secret, ensure_ascii=False)[1:-1]


# control characters a server might slip into what the command prints, and
# the line and paragraph separators
NASTY = '\x1b]0;owned\x07\x1b[2J\x9b31m\u202e\u2028\u2029'


class Result:
    def __init__(self, process, stdout, stderr):
        self.status = process.returncode
        self.stdout = stdout.decode()
        self.stderr = stderr.decode()

    def json(self):
        return json.loads(self.stdout)


class CliTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        # the first poll, 2 s after createTask, finds a token task ready
        cls.sandbox, cls.base_url = start_sandbox('--key', '%s=%g' % (BALANCE_KEY, BALANCE),
                                                  '--polls-until-ready', '0')

    @classmethod
    def tearDownClass(cls):
        status = stop_sandbox(cls.sandbox, signal.SIGTERM)
        if status != 0:
            raise AssertionError('capsolver sandbox ended with %r on SIGTERM' % status)

    def run_cli(self, *args, key=SANDBOX_KEY, base_url=True, stdin=None, env=None):
        """Runs capsolver with the sandbox's URL and key in the environment."""
        extra = {}
        if key is not None:
            extra['CAPSOLVER_API_KEY'] = key
        if base_url is True:
            extra['CAPSOLVER_BASE_URL'] = self.base_url
        process = subprocess.Popen([CAPSOLVER, *args], stdin=stdin or subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=env or clean_env(**extra))
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
        return Result(process, stdout, stderr)

    def assertSucceeded(self, result):
        self.assertEqual(result.status, EXIT_OK, result.stderr)
        self.assertEqual(result.stderr, '')

    def assertOneLineError(self, result, status, *words):
        """Exit @status, nothing on stdout, one line on stderr naming @words."""
        self.assertEqual(result.status, status, result.stderr)
        self.assertEqual(result.stdout, '')
        self.assertEqual(result.stderr.count('\n'), 1, result.stderr)
        self.assertTrue(result.stderr.startswith('capsolver'), result.stderr)
        for word in words:
            self.assertIn(word, result.stderr)

    def assertJsonError(self, result, status, kind):
        self.assertEqual(result.status, status, result.stderr)
        error = result.json()['error']
        self.assertEqual(error['kind'], kind)
        self.assertEqual(error['exitCode'], status)
        self.assertIsInstance(error['message'], str)
        return error

    def create_token_task(self):
        result = self.run_cli('--json', 'create', *RECAPTCHA)
        self.assertSucceeded(result)
        task = result.json()
        self.assertIsInstance(task['taskId'], str)
        self.assertNotEqual(task['taskId'], '')
        return task['taskId']


class SolveTest(CliTestCase):

    def test_image_prints_the_answer(self):
        result = self.run_cli('solve', '--image', SAMPLE_IMAGE)
        self.assertSucceeded(result)
        self.assertEqual(result.stdout, SAMPLE_ANSWER + '\n')

    def test_image_json(self):
        result = self.run_cli('--json', 'solve', '--image', SAMPLE_IMAGE)
        self.assertSucceeded(result)
        task = result.json()
        self.assertEqual(task['status'], 'ready')
        self.assertEqual(task['solution']['text'], SAMPLE_ANSWER)
        self.assertIsInstance(task['taskId'], str)

    def test_image_from_stdin(self):
        with open(SAMPLE_IMAGE, 'rb') as image:
            result = self.run_cli('solve', '--image', '-', '--json', stdin=image)
        self.assertSucceeded(result)
        self.assertEqual(result.json()['solution']['text'], SAMPLE_ANSWER)

    def test_image_with_module(self):
        result = self.run_cli('solve', '-i', SAMPLE_IMAGE, '--module', 'common')
        self.assertSucceeded(result)
        self.assertEqual(result.stdout, SAMPLE_ANSWER + '\n')

    def test_generic_type_with_a_file_field(self):
        result = self.run_cli('solve', 'ImageToTextTask', 'body@=' + SAMPLE_IMAGE)
        self.assertSucceeded(result)
        self.assertEqual(result.stdout, SAMPLE_ANSWER + '\n')

    def test_token_type_with_a_proxy(self):
        result = self.run_cli('--json', 'solve', 'ReCaptchaV2Task', *RECAPTCHA[1:],
                              '--proxy', 'socks5:192.0.2.10:1080:user:secret')
        self.assertSucceeded(result)
        self.assertIn('gRecaptchaResponse', result.json()['solution'])

    def test_token_type_with_fields(self):
        result = self.run_cli('solve', *RECAPTCHA, 'isInvisible:=false', '--json')
        self.assertSucceeded(result)
        task = result.json()
        self.assertEqual(task['status'], 'ready')
        token = task['solution']['gRecaptchaResponse']
        self.assertIsInstance(token, str)
        self.assertNotEqual(token, '')

    def test_token_type_human(self):
        result = self.run_cli('solve', *RECAPTCHA)
        self.assertSucceeded(result)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 1, result.stdout)
        self.assertNotEqual(lines[0].strip(), '')

    def test_in_process_sandbox(self):
        result = self.run_cli('--sandbox', 'solve', '--image', SAMPLE_IMAGE,
                              key=None, base_url=False)
        self.assertSucceeded(result)
        self.assertEqual(result.stdout, SAMPLE_ANSWER + '\n')

    def test_in_process_sandbox_ignores_environment_key(self):
        result = self.run_cli('solve', '--sandbox', '--json', '--image', SAMPLE_IMAGE,
                              key=WRONG_KEY, base_url=False)
        self.assertSucceeded(result)
        self.assertEqual(result.json()['solution']['text'], SAMPLE_ANSWER)


class TaskCommandsTest(CliTestCase):

    def test_create_then_result(self):
        task_id = self.create_token_task()
        result = self.run_cli('result', task_id, '--json')
        self.assertSucceeded(result)
        task = result.json()
        self.assertEqual(task['taskId'], task_id)
        self.assertEqual(task['status'], 'ready')
        self.assertIn('gRecaptchaResponse', task['solution'])

    def test_create_human_prints_the_id(self):
        result = self.run_cli('create', *RECAPTCHA)
        self.assertSucceeded(result)
        task_id = result.stdout.strip()
        self.assertRegex(task_id, r'^\S+$')

    def test_result_once(self):
        task_id = self.create_token_task()
        result = self.run_cli('--json', 'result', '--once', task_id)
        self.assertSucceeded(result)
        self.assertIn(result.json()['status'], ('idle', 'processing', 'ready'))

    def test_balance(self):
        result = self.run_cli('balance', '--json', key=BALANCE_KEY)
        self.assertSucceeded(result)
        balance = result.json()
        self.assertAlmostEqual(balance['balance'], BALANCE)
        self.assertIsInstance(balance['packages'], list)

    def test_balance_human(self):
        result = self.run_cli('balance', key=BALANCE_KEY)
        self.assertSucceeded(result)
        self.assertEqual(result.stdout.splitlines()[0], '12.50 USD')

    def test_balance_in_process_sandbox(self):
        result = self.run_cli('--sandbox', '--json', 'balance', key=None, base_url=False)
        self.assertSucceeded(result)
        self.assertAlmostEqual(result.json()['balance'], 100.0)

    def test_round_balance_is_written_in_full(self):
        result = self.run_cli('--sandbox', 'balance', key=None, base_url=False)
        self.assertSucceeded(result)
        self.assertEqual(result.stdout.splitlines()[0], '100.00 USD')

    def test_feedback(self):
        task_id = self.create_token_task()
        self.assertSucceeded(self.run_cli('result', task_id))
        result = self.run_cli('--json', 'feedback', task_id, '--invalid', '--code', '7',
                              '--message', 'refused by the site')
        self.assertSucceeded(result)
        self.assertEqual(result.json(), {'taskId': task_id, 'invalid': True})

    def test_feedback_human(self):
        task_id = self.create_token_task()
        result = self.run_cli('feedback', '--valid', task_id)
        self.assertSucceeded(result)
        self.assertIn(task_id, result.stdout)


class ExitStatusTest(CliTestCase):

    def test_wrong_key_is_an_api_error(self):
        result = self.run_cli('--json', 'balance', key=WRONG_KEY)
        error = self.assertJsonError(result, EXIT_API, 'api')
        self.assertTrue(error['code'].startswith('ERROR_'), error)
        self.assertEqual(result.stderr.count('\n'), 1, result.stderr)
        # the key never appears in what the command prints
        self.assertNotIn(WRONG_KEY, result.stdout + result.stderr)

    def test_wrong_key_human(self):
        result = self.run_cli('solve', '--image', SAMPLE_IMAGE, key=WRONG_KEY)
        self.assertOneLineError(result, EXIT_API, 'ERROR_')
        self.assertNotIn(WRONG_KEY, result.stderr)

    def test_unknown_task_id_is_an_api_error(self):
        result = self.run_cli('--json', 'result', 'no-such-task')
        self.assertJsonError(result, EXIT_API, 'api')

    def test_closed_port_is_a_network_error(self):
        url = 'http://127.0.0.1:%d' % closed_port()
        result = self.run_cli('--base-url', url, 'balance')
        self.assertOneLineError(result, EXIT_NETWORK)
        result = self.run_cli('--json', '--base-url', url, 'solve', '--image', SAMPLE_IMAGE)
        self.assertJsonError(result, EXIT_NETWORK, 'network')

    def test_deadline_is_a_timeout(self):
        # a sandbox at a fifth of the service's pace solves reCAPTCHA v2 in
        # 1 to 3 s: no poll within the deadline finds it ready, whenever the
        # client's schedule sends them
        sandbox, base_url = start_sandbox('--time-scale', '0.2')
        self.addCleanup(stop_sandbox, sandbox)
        self.base_url = base_url
        result = self.run_cli('--json', 'solve', *RECAPTCHA, '--timeout', '0.5')
        error = self.assertJsonError(result, EXIT_TIMEOUT, 'timeout')
        self.assertIsNone(error['code'])
        task_id = result.json()['taskId']
        self.assertEqual(resume_hint(result.stderr), ['capsolver', 'result', task_id])
        self.assertEqual(result.stderr.count('\n'), 1, result.stderr)

        # the task is resumed, not created again
        resumed = self.run_cli('--json', 'result', task_id)
        self.assertSucceeded(resumed)
        self.assertEqual(resumed.json()['taskId'], task_id)
        self.assertEqual(resumed.json()['status'], 'ready')

    def test_not_the_protocol_is_a_protocol_error(self):
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), HtmlErrorHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = 'http://127.0.0.1:%d' % server.server_address[1]
            result = self.run_cli('--json', '--base-url', url, 'balance')
            self.assertJsonError(result, EXIT_PROTOCOL, 'protocol')
            # a createTask answered so once its body was sent may have
            # created the task: the outcome is unknown, not a protocol error
            result = self.run_cli('--base-url', url, 'solve', '--image', SAMPLE_IMAGE)
            self.assertOneLineError(result, EXIT_NETWORK)
            self.assertIn('may have been carried out', result.stderr)
        finally:
            server.shutdown()
            server.server_close()

    def test_faults_of_the_sandbox_process(self):
        # a task asks the sandbox process for an HTTP fault in its own body
        fault = 'https://sandbox.invalid/fault/'
        result = self.run_cli('--json', 'create', 'ReCaptchaV2TaskProxyLess',
                              'websiteURL=' + fault + 'http-503-html', 'websiteKey=k')
        self.assertJsonError(result, EXIT_PROTOCOL, 'protocol')
        result = self.run_cli('create', 'ReCaptchaV2TaskProxyLess',
                              'websiteURL=' + fault + 'drop-connection', 'websiteKey=k')
        self.assertOneLineError(result, EXIT_NETWORK)
        # and a scripted error code ends the task in it
        result = self.run_cli('--json', 'solve', 'ReCaptchaV2TaskProxyLess',
                              'websiteURL=https://sandbox.invalid/error/ERROR_CAPTCHA_UNSOLVABLE',
                              'websiteKey=k')
        error = self.assertJsonError(result, EXIT_API, 'api')
        self.assertEqual(error['code'], 'ERROR_CAPTCHA_UNSOLVABLE')

    def interrupt_solve(self, signum):
        """Sends @signum to a solve once its task exists; returns (exit
        status, JSON error, last line on stderr)."""
        # stderr on a terminal: the live status line says when the task
        # exists, so the signal comes neither too early nor too late
        sandbox, url = start_sandbox('--polls-until-ready', '1000')
        master, slave = pty.openpty()
        try:
            process = subprocess.Popen(
                [CAPSOLVER, '--json', 'solve', *RECAPTCHA, '--timeout', '60'],
                stdout=subprocess.PIPE, stderr=slave,
                env=clean_env(CAPSOLVER_API_KEY=SANDBOX_KEY, CAPSOLVER_BASE_URL=url))
            os.close(slave)
            status_line = read_terminal(master, until=b'capsolver: task ')
            self.assertIn(b'\r\x1b[Kcapsolver: task ', status_line)
            process.send_signal(signum)
            stdout, _ = process.communicate(timeout=RUN_TIMEOUT)
            stderr = read_terminal(master)
        finally:
            os.close(master)
            self.assertEqual(stop_sandbox(sandbox, signal.SIGINT), 0)

        error = json.loads(stdout)
        self.assertEqual(error['error']['kind'], 'interrupted')
        self.assertEqual(error['error']['exitCode'], process.returncode)
        # the status line was erased, and one line says what happened
        last_line = stderr.decode().replace('\r\n', '\n').split('\x1b[K')[-1]
        self.assertEqual(last_line.count('\n'), 1, last_line)
        self.assertEqual(resume_hint(last_line), ['capsolver', 'result', error['taskId']])
        return process.returncode, error, last_line

    def test_sigint_interrupts_and_prints_the_task_id(self):
        status, _, last_line = self.interrupt_solve(signal.SIGINT)
        self.assertEqual(status, EXIT_INTERRUPTED)
        self.assertIn('interrupted', last_line)

    def test_sigterm_exits_143(self):
        status, _, last_line = self.interrupt_solve(signal.SIGTERM)
        self.assertEqual(status, EXIT_TERMINATED)
        self.assertIn('terminated', last_line)


class ProvidersTest(CliTestCase):

    def test_providers_lists_dialects_endpoints_and_types(self):
        result = self.run_cli('providers', key=None, base_url=False)
        self.assertSucceeded(result)
        for line in ('anti-captcha (Anti-Captcha)', 'capmonster (CapMonster Cloud)',
                     '  endpoints: https://api.capsolver.com https://api-stable.capsolver.com',
                     '  endpoints: https://api.2captcha.com https://api.rucaptcha.com',
                     '  endpoints: the base URL you give (--base-url)'):
            self.assertIn(line + '\n', result.stdout)
        names = self.run_cli('providers', '--names', key=None, base_url=False)
        self.assertSucceeded(names)
        self.assertEqual(names.stdout.split(),
                         ['capsolver', 'anti-captcha', '2captcha', 'capmonster', 'compatible'])

    def test_providers_json(self):
        result = self.run_cli('--json', 'providers', key=None, base_url=False)
        self.assertSucceeded(result)
        providers = {p['name']: p for p in result.json()}
        self.assertEqual(providers['anti-captcha']['endpoints'], ['https://api.anti-captcha.com'])
        self.assertEqual(providers['compatible']['endpoints'], [])
        families = {t['family']: t['types'] for t in providers['capmonster']['types']}
        # one name for both variants, the proxy fields decide
        self.assertEqual(families['recaptcha-v2'],
                         ['RecaptchaV2Task', 'RecaptchaV2EnterpriseTask'])
        self.assertEqual(families['turnstile'], ['TurnstileTask'])
        self.assertNotIn('cloudflare-challenge', families)
        capsolver = {t['family'] for t in providers['capsolver']['types']}
        self.assertIn('cloudflare-challenge', capsolver)

    def test_types_of_a_provider(self):
        names = self.run_cli('types', '--provider', 'Anti-Captcha', '--names', key=None)
        self.assertSucceeded(names)
        self.assertIn('RecaptchaV2TaskProxyless', names.stdout.split())
        self.assertIn('TurnstileTaskProxyless', names.stdout.split())
        self.assertNotIn('AntiCloudflareTask', names.stdout.split())
        one = self.run_cli('types', '--provider', '2captcha', 'TurnstileTaskProxyless', key=None)
        self.assertSucceeded(one)
        self.assertTrue(one.stdout.startswith('TurnstileTaskProxyless (turnstile)\n'), one.stdout)
        as_json = self.run_cli('--json', 'types', '--provider', 'capmonster', key=None)
        self.assertSucceeded(as_json)
        self.assertIn(['MTCaptchaTask'], [t['types'] for t in as_json.json()])
        self.assertOneLineError(
            self.run_cli('types', '--provider', 'capmonster', 'AntiCloudflareTask', key=None),
            EXIT_USAGE, 'CapMonster Cloud has no task of type AntiCloudflareTask')
        self.assertOneLineError(self.run_cli('types', '--provider', 'deathbycaptcha', key=None),
                                EXIT_USAGE, '--provider', 'deathbycaptcha', 'anti-captcha')

    def test_sandbox_speaks_a_dialect(self):
        sandbox, url = start_sandbox('--dialect', 'anti-captcha')
        try:
            def post(method, body):
                request = urllib.request.Request(url + '/' + method, json.dumps(body).encode(),
                                                 {'Content-Type': 'application/json'})
                with urllib.request.urlopen(request, timeout=RUN_TIMEOUT) as reply:
                    self.assertEqual(reply.status, 200)
                    return json.load(reply)

            task = {'type': 'RecaptchaV2TaskProxyless', 'websiteURL': 'https://example.com/',
                    'websiteKey': '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'}
            created = post('createTask', {'clientKey': SANDBOX_KEY, 'task': task})
            self.assertEqual(created['errorId'], 0)
            self.assertIsInstance(created['taskId'], int)
            wrong = post('createTask', {'clientKey': WRONG_KEY, 'task': task})
            self.assertEqual((wrong['errorId'], wrong['errorCode']),
                             (1, 'ERROR_KEY_DOES_NOT_EXIST'))
            balance = post('getBalance', {'clientKey': SANDBOX_KEY})
            self.assertEqual(balance['captchaCredits'], 0)
        finally:
            self.assertEqual(stop_sandbox(sandbox, signal.SIGTERM), 0)
        self.assertOneLineError(self.run_cli('sandbox', '--dialect', 'nope', key=None),
                                EXIT_USAGE, '--dialect', 'nope')


class UsageTest(CliTestCase):

    def assertUsageError(self, *args, words=(), **kwargs):
        result = self.run_cli(*args, **kwargs)
        self.assertOneLineError(result, EXIT_USAGE, *words)
        return result

    def test_no_command_prints_the_usage(self):
        result = self.run_cli()
        self.assertEqual(result.status, EXIT_USAGE, result.stderr)
        self.assertEqual(result.stdout, '')
        self.assertIn('Usage:', result.stderr)
        for command in ('solve', 'create', 'result', 'balance', 'feedback', 'sandbox', 'types',
                        'providers'):
            self.assertIn(command, result.stderr)

    def test_unknown_command(self):
        self.assertUsageError('solver', words=('solver',))

    def test_unknown_option(self):
        self.assertUsageError('--frobnicate', 'balance', words=('--frobnicate',))
        self.assertUsageError('solve', '--frobnicate', words=('--frobnicate',))

    def test_missing_key(self):
        result = self.assertUsageError('balance', key=None, words=('CAPSOLVER_API_KEY',))
        self.assertIn('--api-key', result.stderr)

    def test_empty_key(self):
        self.assertUsageError('--api-key', '', 'balance', words=('--api-key',))

    def test_unreadable_file(self):
        missing = os.path.join(tempfile.gettempdir(), 'capsolver-no-such-file.png')
        self.assertUsageError('solve', '--image', missing, words=(missing,))

    def test_directory(self):
        self.assertUsageError('solve', '--image', tempfile.gettempdir(), words=('directory',))

    def test_not_an_image(self):
        with tempfile.NamedTemporaryFile(suffix='.png') as text:
            text.write(b'hello, this is text\n')
            text.flush()
            self.assertUsageError('solve', '--image', text.name, words=(text.name, 'image'))

    def test_bmp_image_refused_as_the_sandbox_does(self):
        # the service reads PNG, JPEG, GIF and WebP only; the command and
        # the sandbox share the library's check and its words
        bmp = b'BM:\0\0\0\0\0\0\0' + b'6\0\0\0' + bytes(40)
        refusal = 'ERROR_INVALID_IMAGE: field body is not a PNG, JPEG, GIF or WebP image'
        with tempfile.NamedTemporaryFile(suffix='.bmp') as image:
            image.write(bmp)
            image.flush()
            self.assertUsageError('solve', '--image', image.name, words=(image.name, refusal))
        body = 'body=' + base64.b64encode(bmp).decode('ascii')
        result = self.run_cli('--json', 'solve', 'ImageToTextTask', body)
        error = self.assertJsonError(result, EXIT_API, 'api')
        self.assertEqual(error['code'], 'ERROR_INVALID_IMAGE')
        self.assertEqual(error['message'], refusal)

    def test_empty_image(self):
        with tempfile.NamedTemporaryFile(suffix='.png') as empty:
            self.assertUsageError('solve', '--image', empty.name, words=('empty',))

    def test_no_task_type(self):
        self.assertUsageError('solve', words=('type',))
        self.assertUsageError('create', 'websiteURL=https://example.com/', words=('type',))

    def test_bad_fields(self):
        self.assertUsageError('solve', RECAPTCHA[0], 'websiteURL', words=('websiteURL',))
        self.assertUsageError('solve', RECAPTCHA[0], 'metadata:={oops', words=('metadata',))
        self.assertUsageError('solve', RECAPTCHA[0], '=value', words=('=value',))
        self.assertUsageError('solve', RECAPTCHA[0], 'type=Other', words=('type',))

    def test_module_without_image(self):
        self.assertUsageError('solve', *RECAPTCHA, '--module', 'common', words=('--module',))

    def test_bad_timeout(self):
        for value in ('0', '-3', 'soon', '1e9'):
            self.assertUsageError('balance', '--timeout', value, words=('--timeout',))

    def test_bad_base_url(self):
        self.assertUsageError('--base-url', 'ftp://example.com', 'balance', base_url=False,
                              words=('ftp://example.com',))
        env = clean_env(CAPSOLVER_API_KEY=SANDBOX_KEY, CAPSOLVER_BASE_URL='not a url')
        self.assertUsageError('balance', env=env, words=('CAPSOLVER_BASE_URL',))

    def test_sandbox_and_base_url(self):
        self.assertUsageError('--sandbox', '--base-url', 'http://127.0.0.1:1', 'balance',
                              words=('--sandbox',))

    def test_task_id_arguments(self):
        self.assertUsageError('result', words=('task id',))
        self.assertUsageError('result', 'a', 'b', words=('"b"',))
        self.assertUsageError('feedback', 'some-task', words=('--invalid',))
        self.assertUsageError('feedback', 'some-task', '--valid', '--invalid',
                              words=('--invalid',))
        self.assertUsageError('balance', 'extra', words=('extra',))

    def test_bad_proxy(self):
        self.assertUsageError('solve', *RECAPTCHA, '--proxy', 'socks9://h:1',
                              words=('--proxy',))

    def test_sandbox_bad_options(self):
        self.assertUsageError('sandbox', '--port', '70000', words=('--port',))
        self.assertUsageError('sandbox', '--key', 'k=lots', words=('--key',))

    def test_usage_error_json(self):
        result = self.run_cli('--json', 'solve', '--image', '/nonexistent/captcha.png')
        self.assertJsonError(result, EXIT_USAGE, 'usage')
        self.assertEqual(result.stderr.count('\n'), 1)


class HelpTest(CliTestCase):

    def test_main_help_documents_exit_statuses(self):
        result = self.run_cli('--help')
        self.assertSucceeded(result)
        for word in ('solve', 'create', 'result', 'balance', 'feedback', 'sandbox',
                     'Exit status', '130', 'CAPSOLVER_API_KEY', '--json', '--timeout'):
            self.assertIn(word, result.stdout)

    def test_each_command_has_help(self):
        for command, option in (('solve', '--image'), ('create', '--proxy'),
                                ('result', '--once'), ('balance', '--api-key'),
                                ('feedback', '--invalid'), ('sandbox', '--port')):
            result = self.run_cli(command, '--help')
            self.assertSucceeded(result)
            self.assertIn('capsolver ' + command, result.stdout)
            self.assertIn(option, result.stdout)

    def test_examples_name_their_command(self):
        for command in ('solve', 'create'):
            result = self.run_cli('help', command)
            self.assertSucceeded(result)
            examples = result.stdout[result.stdout.index('Examples:'):]
            self.assertIn('capsolver %s --image' % command, examples)
            other = 'create' if command == 'solve' else 'solve'
            self.assertNotIn('capsolver %s ' % other, examples)

    def test_version(self):
        result = self.run_cli('--version')
        self.assertSucceeded(result)
        self.assertTrue(result.stdout.startswith('capsolver '))


class TypesTest(CliTestCase):

    def test_types_lists_every_type_with_its_fields(self):
        result = self.run_cli('types', key=None, base_url=False)
        self.assertSucceeded(result)
        for name in ('ImageToTextTask', 'ReCaptchaV2TaskProxyLess', 'ReCaptchaV2EnterpriseTask',
                     'AntiTurnstileTaskProxyLess', 'AntiCloudflareTask', 'GeeTestTaskProxyLess',
                     'DatadomeSliderTask', 'VisionEngine'):
            self.assertIn(name, result.stdout)
        self.assertIn('required: websiteURL websiteKey', result.stdout)

    def test_types_json(self):
        result = self.run_cli('--json', 'types', key=None, base_url=False)
        self.assertSucceeded(result)
        families = {family['types'][0]: family for family in result.json()}
        recaptcha = families['ReCaptchaV2TaskProxyLess']
        self.assertIn('ReCaptchaV2Task', recaptcha['types'])
        self.assertEqual(recaptcha['required'], ['websiteURL', 'websiteKey'])
        self.assertIn('isInvisible', recaptcha['optional'])
        self.assertFalse(recaptcha['needsProxy'])
        self.assertTrue(families['AntiCloudflareTask']['needsProxy'])
        self.assertIn(['captchaId'], families['GeeTestTaskProxyLess']['oneOf'])
        self.assertIn(['gt', 'challenge'], families['GeeTestTaskProxyLess']['oneOf'])
        self.assertIn('metadata.action', families['AntiTurnstileTaskProxyLess']['optional'])

    def test_types_of_one_type(self):
        result = self.run_cli('types', 'recaptchav2taskproxyless', key=None, base_url=False)
        self.assertSucceeded(result)
        self.assertTrue(result.stdout.startswith('ReCaptchaV2TaskProxyLess'), result.stdout)
        self.assertNotIn('ImageToTextTask', result.stdout)
        names = self.run_cli('types', '--names', 'AntiTurnstileTaskProxyLess', key=None)
        self.assertEqual(names.stdout.split(),
                         ['websiteURL', 'websiteKey', 'metadata.action', 'metadata.cdata'])

    def test_types_json_is_the_schema(self):
        result = self.run_cli('--json', 'types', 'GeeTestTask', key=None, base_url=False)
        self.assertSucceeded(result)
        [geetest] = result.json()
        self.assertEqual(geetest['name'], 'geetest')
        self.assertEqual(geetest['proxy'], 'optional')
        gt = next(field for field in geetest['fields'] if field['member'] == 'gt')
        self.assertEqual(gt['property'], 'gt')
        self.assertEqual(gt['kind'], 'string')
        self.assertTrue(gt['required'])
        self.assertEqual(gt['requiredUnless'], 'captchaId')
        self.assertFalse(gt['image'])
        human = self.run_cli('types', 'ImageToTextTask', key=None, base_url=False)
        self.assertIn('images (FIELD@=FILE): body images', human.stdout)
        self.assertIn('example: capsolver solve ImageToTextTask body@=FILE', human.stdout)
        self.assertIn('needs --proxy', self.run_cli('types', 'AntiCloudflareTask', key=None).stdout)

    def solve_arguments(self, entry, type_name):
        """`capsolver solve` of @type_name with the required fields of its
        entry in `capsolver --json types`, filled with their examples."""
        with open(SAMPLE_IMAGE, 'rb') as f:
            image = base64.b64encode(f.read()).decode('ascii')
        args = ['solve', type_name]
        chosen = set()
        for field in entry['fields']:
            unless = field['requiredUnless']
            if not field['required'] or unless in chosen:
                continue
            chosen.add(field['member'])
            if field['image'] and field['kind'] == 'strv':
                args.append('%s:=%s' % (field['member'], json.dumps([image])))
            elif field['image']:
                args.append('%s@=%s' % (field['member'], SAMPLE_IMAGE))
            else:
                self.assertIsNotNone(field['example'], '%s: %s has no example'
                                     % (type_name, field['member']))
                sigil = '=' if field['kind'] == 'string' else ':='
                args.append(field['member'] + sigil + field['example'])
        if entry['proxy'] != 'none':
            args += ['--proxy', 'http:192.0.2.10:8080:user:pass']
        return args

    def test_every_type_solves(self):
        # every type name `capsolver types` lists, from its printout alone
        result = self.run_cli('--json', 'types', key=None, base_url=False)
        self.assertSucceeded(result)
        runs = []
        for entry in result.json():
            for type_name in entry['types']:
                args = self.solve_arguments(entry, type_name)
                env = clean_env(CAPSOLVER_API_KEY=SANDBOX_KEY, CAPSOLVER_BASE_URL=self.base_url)
                runs.append((type_name, subprocess.Popen(
                    [CAPSOLVER, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, env=env)))
        self.assertGreaterEqual(len(runs), 14)
        for type_name, process in runs:
            stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
            with self.subTest(type=type_name):
                self.assertEqual(process.returncode, EXIT_OK, stderr.decode())
                self.assertNotEqual(stdout.strip(), b'')

    def test_unknown_type_did_you_mean(self):
        result = self.run_cli('types', 'ReCaptchaV2TaskProxyles', key=None)
        self.assertOneLineError(result, EXIT_USAGE, 'did you mean ReCaptchaV2TaskProxyLess?')

    def test_checked_before_any_request(self):
        # every mistake is caught here: exit 2, and the service hears nothing
        with ScriptedServer() as server:
            for args, words in (
                    (['ReCaptchaV2TaskProxyles', *RECAPTCHA[1:]],
                     ('did you mean ReCaptchaV2TaskProxyLess?',)),
                    ([RECAPTCHA[0], 'websiteUrl=https://example.com/', RECAPTCHA[2]],
                     ('"websiteUrl"', 'did you mean websiteURL?')),
                    ([RECAPTCHA[0], RECAPTCHA[1]], ('websiteKey',)),
                    (['AntiCloudflareTask', 'websiteURL=https://example.com/'], ('proxy',)),
                    (['solve', '--image', SAMPLE_IMAGE, 'modul=common'],
                     ('did you mean module?',))):
                if args[0] != 'solve':
                    args = ['solve', *args]
                result = self.run_cli('--base-url', server.url, *args)
                self.assertOneLineError(result, EXIT_USAGE, *words)
                result = self.run_cli('--json', '--base-url', server.url, *args)
                self.assertJsonError(result, EXIT_USAGE, 'usage')
            self.assertEqual(server.requests, [])

    def test_no_check_sends_what_is_given(self):
        with ScriptedServer(createTask={'errorId': 0, 'taskId': 'task-1',
                                        'status': 'idle'}) as server:
            result = self.run_cli('--base-url', server.url, 'create', '--no-check',
                                  'SomeNewTaskProxyLess', 'someField=1')
            self.assertSucceeded(result)
        self.assertEqual(server.requests[0][1]['task'],
                         {'type': 'SomeNewTaskProxyLess', 'someField': '1'})

    def test_text_for_a_json_field_hints_at_colon_equals(self):
        result = self.run_cli('solve', *RECAPTCHA, 'isInvisible=true')
        self.assertOneLineError(result, EXIT_USAGE, 'isInvisible:=true')
        result = self.run_cli('solve', *RECAPTCHA, 'enterprisePayload=x')
        self.assertOneLineError(result, EXIT_USAGE, 'enterprisePayload:=JSON')

    def test_dotted_field_sets_a_member_of_an_object(self):
        with ScriptedServer(createTask={'errorId': 0, 'taskId': 'task-1',
                                        'status': 'idle'}) as server:
            result = self.run_cli('--base-url', server.url, 'create',
                                  'AntiTurnstileTaskProxyLess', *RECAPTCHA[1:],
                                  'metadata.action=login', 'metadata.cdata=abc')
            self.assertSucceeded(result)
        self.assertEqual(server.requests[0][1]['task']['metadata'],
                         {'action': 'login', 'cdata': 'abc'})


class OptionsTest(CliTestCase):

    def test_ca_file(self):
        """A service whose certificate a private authority signed: refused
        with the system's authorities, answered with --ca-file."""
        import ssl
        tls = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tls')
        with ScriptedServer(getBalance={'errorId': 0, 'balance': 1.5, 'packages': []}) as server:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(os.path.join(tls, 'server.pem'),
                                    os.path.join(tls, 'server-key.pem'))
            server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
            url = server.url.replace('http://', 'https://')
            refused = self.run_cli('--base-url', url, 'balance')
            self.assertEqual(refused.status, EXIT_NETWORK, refused.stderr)
            trusted = self.run_cli('--base-url', url, '--ca-file', os.path.join(tls, 'ca.pem'),
                                   'balance')
            self.assertSucceeded(trusted)
            self.assertIn('1.5', trusted.stdout)
        missing = self.run_cli('--ca-file', '/nonexistent/ca.pem', 'balance')
        self.assertOneLineError(missing, EXIT_USAGE, '--ca-file')

    def test_help_command(self):
        for command in ('solve', 'create', 'result', 'balance', 'feedback', 'sandbox', 'types',
                        'providers', 'help'):
            result = self.run_cli('help', command)
            self.assertSucceeded(result)
            self.assertEqual(result.stdout, self.run_cli(command, '--help').stdout)
        self.assertEqual(self.run_cli('help').stdout, self.run_cli('--help').stdout)
        self.assertOneLineError(self.run_cli('help', 'solv'), EXIT_USAGE, 'did you mean solve?')

    def test_callback_url_and_app_id_are_sent(self):
        args = ['--app-id', 'cli-test-app', 'create', *RECAPTCHA,
                '--callback-url', 'https://example.com/hook']
        # the sandbox takes them
        self.assertSucceeded(self.run_cli(*args))
        with ScriptedServer(createTask={'errorId': 0, 'taskId': 'task-1',
                                        'status': 'idle'}) as server:
            self.assertSucceeded(self.run_cli('--base-url', server.url, *args))
        request = server.requests[0][1]
        self.assertEqual(request['appId'], 'cli-test-app')
        self.assertEqual(request['callbackUrl'], 'https://example.com/hook')

    def test_verbose_hides_the_key_and_proxy_passwords(self):
        for proxy_args in (['--proxy', 'socks5:192.0.2.10:1080:user:Pr0xyPassw0rd'],
                           ['--proxy', 'http://user:Pr0xyPassw0rd@192.0.2.10:8080'],
                           ['proxyType=http', 'proxyAddress=192.0.2.10', 'proxyPort:=8080',
                            'proxyLogin=user', 'proxyPassword=Pr0xyPassw0rd']):
            result = self.run_cli('-v', '--json', 'solve', 'ReCaptchaV2Task', *RECAPTCHA[1:],
                                  *proxy_args)
            self.assertEqual(result.status, EXIT_OK, result.stderr)
            self.assertIn('> POST /createTask', result.stderr)
            self.assertIn('< HTTP/1.1 200', result.stderr)
            self.assertIn('"clientKey":"[REDACTED]"', result.stderr)
            self.assertIn('192.0.2.10', result.stderr)
            self.assertNotIn(SANDBOX_KEY, result.stderr)
            self.assertNotIn('Pr0xyPassw0rd', result.stderr)
            self.assertIn('gRecaptchaResponse', result.json()['solution'])

    def usage_block(self, result):
        """The counters --verbose ends stderr with: its last lines, each
        starting with '= '."""
        lines = result.stderr.splitlines()
        block = [line[2:] for line in lines if line.startswith('= ')]
        # the counters, then the account's state while it holds requests back
        self.assertIn(len(block), (4, 5), result.stderr)
        self.assertEqual(len(block) == 5, block[-1].startswith('account: '), result.stderr)
        self.assertEqual(lines[-len(block):], ['= ' + line for line in block])
        return block

    def test_verbose_ends_with_the_counters(self):
        result = self.run_cli('-v', 'solve', '--image', SAMPLE_IMAGE)
        self.assertEqual(result.status, EXIT_OK, result.stderr)
        self.assertEqual(self.usage_block(result), [
            'solves: 1 submitted, 1 solved, 0 failed, 0 not sent',
            'failed: 0 permanent, 0 transient, 0 cooldown, 0 new-task, 0 cancelled',
            'tasks created: 1, feedback sent: 0',
            'cost: 0.000400 USD, estimated from the price table'])
        # a failed solve is counted by the class of its error
        with ScriptedServer(createTask={'errorId': 1, 'errorCode': 'ERROR_INVALID_TASK_DATA',
                                        'errorDescription': 'scripted'}) as server:
            result = self.run_cli('-v', '--base-url', server.url, 'solve', *RECAPTCHA)
        self.assertNotEqual(result.status, EXIT_OK)
        block = self.usage_block(result)
        self.assertEqual(block[0], 'solves: 1 submitted, 0 solved, 1 failed, 0 not sent')
        self.assertTrue(block[1].startswith('failed: 1 permanent, 0 transient'), block)
        self.assertEqual(block[3], 'cost: 0.000000 USD')
        # without --verbose, nothing
        self.assertNotIn('= solves', self.run_cli('solve', '--image', SAMPLE_IMAGE).stderr)
        # a refused key: the block ends with the account's state and why
        result = self.run_cli('-v', 'solve', '--image', SAMPLE_IMAGE, key=WRONG_KEY)
        self.assertNotEqual(result.status, EXIT_OK)
        block = self.usage_block(result)
        self.assertEqual(block[0], 'solves: 1 submitted, 0 solved, 1 failed, 0 not sent')
        self.assertTrue(block[-1].startswith('account: refused: ERROR_KEY_DENIED_ACCESS: '), block)
        self.assertNotIn(WRONG_KEY, result.stderr)

    def test_insecure_http_names_the_flag(self):
        """The library refuses to send the key over plain http to another
        machine; the command says which flag allows it, and what needs
        none."""
        for args in (['--json'], []):
            result = self.run_cli(*args, '--base-url', 'http://192.0.2.1', 'balance')
            self.assertEqual(result.status, EXIT_USAGE, result.stderr)
            self.assertEqual(result.stderr.count('\n'), 1, result.stderr)
            for words in ('--allow-insecure-http', '127.0.0.0/8, ::1, localhost',
                          'nothing was sent'):
                self.assertIn(words, result.stderr)
            self.assertNotIn('property', result.stderr)
        self.assertEqual(self.run_cli('--json', '--base-url', 'http://192.0.2.1',
                                      'balance').json()['error']['kind'], 'usage')
        # 0.0.0.0 reaches this machine without being a loopback address
        # (Linux): refused, then sent with the flag
        url = self.base_url.replace('127.0.0.1', '0.0.0.0')
        self.assertEqual(self.run_cli('--base-url', url, 'balance').status, EXIT_USAGE)
        self.assertSucceeded(self.run_cli('--allow-insecure-http', '--base-url', url,
                                          'balance'))

    def test_verbose_hides_echoed_secrets(self):
        """The service repeats the key and the proxy in every form of
        ECHO_FORMS (the table of /security/echoed-secrets-hidden): none
        reaches stderr, in the reply body that --verbose shows or in the
        error; the error reads as the library's."""
        proxy = 'http://%s:%s@10.0.0.1:3128' % (urllib.parse.quote(ECHO_LOGIN, safe=''),
                                                 urllib.parse.quote(ECHO_PASSWORD, safe=''))
        for form, echo, expected in ECHO_FORMS:
            with self.subTest(form=form):
                reply = {'errorId': 1, 'errorCode': 'ERROR_PROXY_BANNED',
                         'errorDescription': 'proxy %s rejected' % echo}
                with ScriptedServer(createTask=reply) as server:
                    result = self.run_cli('-v', '--json', '--base-url', server.url, 'create',
                                          'ReCaptchaV2Task', *RECAPTCHA[1:], '--proxy', proxy,
                                          key=ECHO_KEY)
                self.assertEqual(self.assertJsonError(result, EXIT_API, 'api')['message'],
                                 'ERROR_PROXY_BANNED: proxy %s rejected' % expected)
                # the reply as it came, and the request, each with its secrets hidden
                self.assertIn('< {"errorId": 1, "errorCode": "ERROR_PROXY_BANNED", '
                              '"errorDescription": "proxy %s rejected"}'
                              % json.dumps(expected)[1:-1], result.stderr)
                self.assertIn('"clientKey":"[REDACTED]"', result.stderr)
                self.assertIn('"proxy":"http://[REDACTED]@10.0.0.1:3128"', result.stderr)
                lower = result.stderr.lower()
                for secret in secret_forms(ECHO_KEY, ECHO_LOGIN, ECHO_PASSWORD):
                    self.assertNotIn(secret.lower(), lower)
                if echo != expected:
                    self.assertNotIn(json.dumps(echo)[1:-1], result.stderr)
                    self.assertNotIn(echo, result.stderr)

    def solve_on_terminal(self, **env):
        """Solves an image with stderr on a pseudo-terminal; returns what
        the terminal got."""
        master, slave = pty.openpty()
        try:
            process = subprocess.Popen(
                [CAPSOLVER, 'solve', '--image', SAMPLE_IMAGE], stdout=subprocess.PIPE,
                stderr=slave, env=clean_env(CAPSOLVER_API_KEY=SANDBOX_KEY,
                                            CAPSOLVER_BASE_URL=self.base_url, **env))
            os.close(slave)
            stdout, _ = process.communicate(timeout=RUN_TIMEOUT)
            terminal = read_terminal(master)
        finally:
            os.close(master)
        self.assertEqual(process.returncode, EXIT_OK)
        self.assertEqual(stdout.decode(), SAMPLE_ANSWER + '\n')
        return terminal

    def test_escape_codes_only_where_welcome(self):
        self.assertIn(b'\x1b[K', self.solve_on_terminal())
        self.assertNotIn(b'\x1b', self.solve_on_terminal(NO_COLOR='1'))
        self.assertNotIn(b'\x1b', self.solve_on_terminal(TERM='dumb'))
        # not a terminal
        result = self.run_cli('solve', '--image', SAMPLE_IMAGE)
        self.assertSucceeded(result)

    def test_balance_as_the_service_writes_it(self):
        with ScriptedServer(getBalance={'errorId': 0, 'balance': 99.9988,
                                        'packages': []}) as server:
            human = self.run_cli('--base-url', server.url, 'balance')
            machine = self.run_cli('--base-url', server.url, 'balance', '--json')
        self.assertSucceeded(human)
        self.assertEqual(human.stdout, '99.9988 USD\n')
        self.assertSucceeded(machine)
        self.assertIn('99.9988', machine.stdout)
        self.assertNotIn('99.99880', machine.stdout)
        self.assertEqual(machine.json()['balance'], 99.9988)


class ServerTextTest(CliTestCase):
    """What the server writes reaches the terminal without its control
    characters."""

    def assertNoControls(self, text):
        for character in ('\x1b', '\x07', '\x9b', '\u202e', '\u2028', '\u2029'):
            self.assertNotIn(character, text)

    def test_error_description(self):
        with ScriptedServer(getBalance={'errorId': 1, 'errorCode': 'ERROR_KEY_DENIED_ACCESS',
                                        'errorDescription': 'denied' + NASTY}) as server:
            result = self.run_cli('--base-url', server.url, 'balance')
            machine = self.run_cli('--base-url', server.url, 'balance', '--json')
        self.assertOneLineError(result, EXIT_API, 'denied', '\\x1b')
        self.assertNoControls(result.stderr)
        self.assertEqual(self.assertJsonError(machine, EXIT_API, 'api')['code'],
                         'ERROR_KEY_DENIED_ACCESS')
        self.assertNoControls(machine.stderr)

    def test_scripted_error_code_of_the_sandbox(self):
        result = self.run_cli('solve', 'ReCaptchaV2TaskProxyLess',
                              'websiteURL=https://sandbox.invalid/error/ERROR_NEW_CODE_9',
                              'websiteKey=k', '--json')
        self.assertEqual(self.assertJsonError(result, EXIT_API, 'api')['code'],
                         'ERROR_NEW_CODE_9')

    def test_answer(self):
        reply = {'errorId': 0, 'taskId': 'task-1', 'status': 'ready',
                 'solution': {'text': 'K7WP' + NASTY}}
        with ScriptedServer(createTask=reply) as server:
            result = self.run_cli('--base-url', server.url, 'solve', '--image', SAMPLE_IMAGE)
        self.assertSucceeded(result)
        self.assertTrue(result.stdout.startswith('K7WP\\x1b]0;owned'), result.stdout)
        self.assertNoControls(result.stdout)
        # JSON escapes them all, and reads back as the server wrote it
        with ScriptedServer(createTask=reply) as server:
            result = self.run_cli('--base-url', server.url, '--json', 'solve', '--image',
                                  SAMPLE_IMAGE)
        self.assertSucceeded(result)
        self.assertNoControls(result.stdout)
        self.assertEqual(result.json()['solution']['text'], 'K7WP' + NASTY)

    def test_task_id(self):
        task_id = 'task' + NASTY
        with ScriptedServer(createTask={'errorId': 0, 'taskId': task_id,
                                        'status': 'idle'}) as server:
            result = self.run_cli('--base-url', server.url, 'create', *RECAPTCHA)
        self.assertSucceeded(result)
        self.assertTrue(result.stdout.startswith('task\\x1b'), result.stdout)
        self.assertNoControls(result.stdout)

    def test_resume_hint_quotes_the_id(self):
        task_id = "t'1; touch pwned $(id)"
        with ScriptedServer(createTask={'errorId': 0, 'taskId': task_id, 'status': 'idle'},
                            getTaskResult={'errorId': 0, 'taskId': task_id,
                                           'status': 'processing'}) as server:
            result = self.run_cli('--base-url', server.url, '--json', 'solve', *RECAPTCHA,
                                  '--timeout', '0.5')
        self.assertJsonError(result, EXIT_TIMEOUT, 'timeout')
        self.assertEqual(resume_hint(result.stderr), ['capsolver', 'result', task_id])


class ManualTest(unittest.TestCase):
    """capsolver(1) and the bash completion."""

    def help_page(self, *args):
        return subprocess.run([CAPSOLVER, *args], capture_output=True, text=True, check=True,
                              env=clean_env()).stdout

    def test_man_page_says_what_help_says(self):
        with open(MAN_PAGE, encoding='utf-8') as page:
            man = page.read().replace('\\-', '-').replace('\\e', '\\')
        self.assertTrue(man.startswith('.\\"') or man.startswith('.TH'), man[:80])
        self.assertIn('.TH CAPSOLVER 1', man)
        for section in ('.SH NAME', '.SH SYNOPSIS', '.SH OPTIONS', '.SH COMMANDS',
                        '.SH "ENVIRONMENT"', '.SH "EXIT STATUS"'):
            self.assertIn(section, man)
        for command in ('solve', 'create', 'result', 'balance', 'feedback', 'sandbox', 'types',
                        'providers', 'help'):
            self.assertIn('.SS "capsolver ' + command, man)
            for line in self.help_page(command, '--help').splitlines():
                option = line.split()[1 if line.startswith('  -') and ', ' in line else 0] \
                    if line.startswith('  -') else None
                if option and option not in ('--help', '-h,'):
                    self.assertIn(option.split('=')[0], man, command)
        for status in ('130', '143'):
            self.assertIn('.TP\n' + status + '\n', man)

    def complete(self, *words):
        """What the completion offers for the last of @words."""
        script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
                  '_capsolver; printf "%s\\n" "${COMPREPLY[@]}"')
        result = subprocess.run(['bash', '-c', script, 'bash', COMPLETION, CAPSOLVER, *words],
                                capture_output=True, text=True, env=clean_env())
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.split()

    def test_bash_completion(self):
        self.assertEqual(self.complete('s'), ['sandbox', 'solve'])
        self.assertIn('types', self.complete(''))
        self.assertEqual(self.complete('--timeout', '5', 'he'), ['help'])
        self.assertEqual(self.complete('--js'), ['--json'])
        self.assertIn('--callback-url', self.complete('solve', '--'))
        self.assertIn('--once', self.complete('result', '--'))
        self.assertIn('ReCaptchaV2EnterpriseTaskProxyLess', self.complete('solve', 'ReCaptcha'))
        self.assertIn('AntiTurnstileTaskProxyLess', self.complete('types', 'Anti'))
        self.assertEqual(sorted(self.complete('types', '--provider', 'ca')),
                         ['capmonster', 'capsolver'])
        self.assertEqual(self.complete('sandbox', '--dialect', '2'), ['2captcha'])
        self.assertEqual(self.complete('create', '--proxy', 'p', 'ReCaptchaV2Task', 'website'),
                         ['websiteURL=', 'websiteKey='])
        self.assertEqual(self.complete('solve', '--image', SAMPLE_IMAGE, 'mod'), ['module='])
        self.assertEqual(self.complete('solve', '-i', SAMPLE_IMAGE[:-2]), [SAMPLE_IMAGE])

    def test_installed(self):
        with tempfile.TemporaryDirectory() as destdir:
            install = subprocess.run([MESON, 'install', '-C', BUILD_ROOT, '--no-rebuild',
                                      '--quiet', '--destdir', destdir],
                                     capture_output=True, text=True)
            self.assertEqual(install.returncode, 0, install.stdout + install.stderr)
            for path in (MAN_INSTALLED, COMPLETION_INSTALLED):
                installed = os.path.join(destdir, path.lstrip('/'))
                self.assertTrue(os.path.isfile(installed), installed)
            with open(os.path.join(destdir, MAN_INSTALLED.lstrip('/'))) as man:
                self.assertIn('.TH CAPSOLVER 1', man.read())
            with open(os.path.join(destdir, COMPLETION_INSTALLED.lstrip('/'))) as completion:
                self.assertIn('complete -F _capsolver capsolver', completion.read())


if __name__ == '__main__':
    if len(sys.argv) != 9:
        sys.exit('usage: test_cli.py CAPSOLVER SAMPLE_IMAGE MAN_PAGE COMPLETION MESON '
                 'BUILD_ROOT MAN_INSTALLED COMPLETION_INSTALLED')
    CAPSOLVER, SAMPLE_IMAGE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    MAN_PAGE, COMPLETION = os.path.abspath(sys.argv[3]), os.path.abspath(sys.argv[4])
    MESON, BUILD_ROOT = sys.argv[5], sys.argv[6]
    MAN_INSTALLED, COMPLETION_INSTALLED = sys.argv[7], sys.argv[8]
    unittest.main(argv=sys.argv[:1], verbosity=2)
