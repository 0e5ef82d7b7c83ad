#!/usr/bin/python3
# test_cli.py: runs the built capsolver command against `capsolver sandbox`
# started as a separate process, and checks its output and exit statuses.
#
#   test_cli.py CAPSOLVER SAMPLE_IMAGE
#
# SPDX-License-Identifier: LGPL-2.1-or-later

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

CAPSOLVER = None
SAMPLE_IMAGE = None
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
        # the first poll of a token task comes after 2 s: past the deadline
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
            result = self.run_cli('--base-url', url, 'solve', '--image', SAMPLE_IMAGE)
            self.assertOneLineError(result, EXIT_PROTOCOL)
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


class UsageTest(CliTestCase):

    def assertUsageError(self, *args, words=(), **kwargs):
        result = self.run_cli(*args, **kwargs)
        self.assertOneLineError(result, EXIT_USAGE, *words)
        return result

    def test_no_command(self):
        self.assertUsageError(words=('command',))

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

    def test_version(self):
        result = self.run_cli('--version')
        self.assertSucceeded(result)
        self.assertTrue(result.stdout.startswith('capsolver '))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: test_cli.py CAPSOLVER SAMPLE_IMAGE')
    CAPSOLVER, SAMPLE_IMAGE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    unittest.main(argv=sys.argv[:1], verbosity=2)
