#!/usr/bin/python3
# test_key.py: `capsolver key`, and the other commands taking the key from
# the keyring, against `capsolver sandbox` started as a separate process.
#
#   keyring-session.py test_key.py CAPSOLVER COMPLETION MAN_PAGE
#       in a D-Bus session with an unlocked gnome-keyring-daemon
#   test_key.py --no-keyring CAPSOLVER COMPLETION MAN_PAGE
#       without a session bus (the test environment names one that is not
#       there)
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import termios
import time
import unittest

import test_cli
from test_cli import (EXIT_OK, EXIT_API, EXIT_USAGE, RECAPTCHA, RUN_TIMEOUT, SANDBOX_KEY,
                      WRONG_KEY, clean_env, read_terminal, start_sandbox, stop_sandbox)

CAPSOLVER = None
COMPLETION = None
MAN_PAGE = None
MASKED_SANDBOX_KEY = SANDBOX_KEY[:4] + '...' + SANDBOX_KEY[-4:]


def run_cli(*args, stdin='', **env):
    return subprocess.run([CAPSOLVER, *args], input=stdin, capture_output=True, text=True,
                          env=clean_env(**env), timeout=RUN_TIMEOUT)


class SandboxCase(unittest.TestCase):
    def setUp(self):
        self.sandbox, self.url = start_sandbox()

    def tearDown(self):
        stop_sandbox(self.sandbox)

    def assertUsage(self, result, *words):
        self.assertEqual(result.returncode, EXIT_USAGE, result.stderr)
        self.assertEqual(result.stdout, '')
        for word in words:
            self.assertIn(word, result.stderr)


class KeyringTest(SandboxCase):
    """In a D-Bus session whose gnome-keyring-daemon is unlocked."""

    def key(self, action, *args, stdin='', **env):
        return run_cli('--base-url', self.url, *args, 'key', action, stdin=stdin, **env)

    def test_set_show_use_forget(self):
        stored = self.key('set', stdin='  %s\nthe rest is not read\n' % SANDBOX_KEY)
        self.assertEqual(stored.returncode, EXIT_OK, stored.stderr)
        self.assertEqual(stored.stdout, 'Stored the API key for %s in the keyring.\n' % self.url)
        self.assertNotIn(SANDBOX_KEY, stored.stdout + stored.stderr)

        # under the schema and attribute the documentation gives
        found = subprocess.run(['secret-tool', 'lookup', 'xdg:schema', 'com.capsolver.ApiKey',
                                'base-url', self.url], capture_output=True, text=True,
                               timeout=RUN_TIMEOUT)
        self.assertEqual(found.returncode, 0, found.stderr)
        self.assertEqual(found.stdout, SANDBOX_KEY)

        shown = self.key('show')
        self.assertEqual(shown.returncode, EXIT_OK, shown.stderr)
        self.assertEqual(shown.stdout, '%s: %s\n' % (self.url, MASKED_SANDBOX_KEY))
        self.assertEqual(shown.stderr, '')
        shown_json = self.key('show', '--json')
        self.assertEqual(json.loads(shown_json.stdout),
                         {'baseUrl': self.url, 'key': MASKED_SANDBOX_KEY})

        # the other commands take it, for the address they speak to
        solved = run_cli('solve', *RECAPTCHA, '--quiet', CAPSOLVER_BASE_URL=self.url + '/')
        self.assertEqual(solved.returncode, EXIT_OK, solved.stderr)
        self.assertTrue(solved.stdout.strip())
        balance = run_cli('--base-url', self.url, '--json', 'balance')
        self.assertEqual(balance.returncode, EXIT_OK, balance.stderr)
        self.assertIn('balance', json.loads(balance.stdout))

        # CAPSOLVER_API_KEY comes first, and `key show` says so
        wrong = run_cli('--base-url', self.url, 'balance', CAPSOLVER_API_KEY=WRONG_KEY)
        self.assertEqual(wrong.returncode, EXIT_API, wrong.stderr)
        shadowed = self.key('show', CAPSOLVER_API_KEY=WRONG_KEY)
        self.assertEqual(shadowed.returncode, EXIT_OK)
        self.assertIn('CAPSOLVER_API_KEY is set', shadowed.stderr)
        self.assertNotIn(WRONG_KEY, shadowed.stdout + shadowed.stderr)

        forgotten = self.key('forget')
        self.assertEqual(forgotten.returncode, EXIT_OK, forgotten.stderr)
        self.assertEqual(forgotten.stdout, 'Removed the API key for %s from the keyring.\n'
                         % self.url)
        again = self.key('forget', '--json')
        self.assertEqual(again.returncode, EXIT_OK, again.stderr)
        self.assertEqual(json.loads(again.stdout), {'baseUrl': self.url, 'removed': False})

        self.assertUsage(self.key('show'), 'the keyring has no key for ' + self.url)
        self.assertUsage(run_cli('--base-url', self.url, 'balance'),
                         'no API key', 'capsolver key set', 'the keyring has no key')

    def test_one_key_per_address(self):
        self.assertEqual(self.key('set', stdin=SANDBOX_KEY).returncode, EXIT_OK)
        other = run_cli('--base-url', 'http://127.0.0.1:9', 'key', 'show')
        self.assertUsage(other, 'the keyring has no key for http://127.0.0.1:9')
        default = run_cli('key', 'show')
        self.assertUsage(default, 'the keyring has no key for https://api.capsolver.com')
        self.assertEqual(self.key('forget').returncode, EXIT_OK)

    def test_prompt_does_not_echo(self):
        master, slave = pty.openpty()
        process = subprocess.Popen([CAPSOLVER, '--base-url', self.url, 'key', 'set'],
                                   stdin=slave, stdout=slave, stderr=slave,
                                   env=clean_env())
        os.close(slave)
        try:
            seen = read_terminal(master, until=b'API key for %s: ' % self.url.encode())
            os.write(master, SANDBOX_KEY.encode() + b'\n')
            seen += read_terminal(master)
            self.assertEqual(process.wait(timeout=RUN_TIMEOUT), EXIT_OK, seen)
        finally:
            os.close(master)
        self.assertNotIn(SANDBOX_KEY.encode(), seen)
        self.assertIn(b'Stored the API key', seen)
        shown = self.key('show')
        self.assertEqual(shown.stdout, '%s: %s\n' % (self.url, MASKED_SANDBOX_KEY))
        self.assertEqual(self.key('forget').returncode, EXIT_OK)

    def test_interrupted_prompt_restores_echo(self):
        master, slave = pty.openpty()
        process = subprocess.Popen([CAPSOLVER, '--base-url', self.url, 'key', 'set'],
                                   stdin=slave, stdout=slave, stderr=slave,
                                   env=clean_env(), start_new_session=True)
        try:
            read_terminal(master, until=b'API key for ')
            self.assertFalse(termios.tcgetattr(slave)[3] & termios.ECHO)
            process.send_signal(signal.SIGINT)
            self.assertEqual(process.wait(timeout=RUN_TIMEOUT), -signal.SIGINT)
            self.assertTrue(termios.tcgetattr(slave)[3] & termios.ECHO)
        finally:
            os.close(slave)
            os.close(master)
        self.assertUsage(self.key('show'), 'the keyring has no key')

    def test_key_never_from_the_command_line(self):
        in_argv = run_cli('--base-url', self.url, 'key', 'set', SANDBOX_KEY)
        self.assertUsage(in_argv, 'the key itself is never an argument')
        self.assertNotIn(SANDBOX_KEY, in_argv.stderr)
        as_action = run_cli('key', SANDBOX_KEY)
        self.assertUsage(as_action, 'unknown action')
        self.assertNotIn(SANDBOX_KEY, as_action.stderr)
        self.assertUsage(self.key('set', '--api-key', SANDBOX_KEY, stdin=SANDBOX_KEY),
                         'never from the command line')
        self.assertUsage(self.key('set', stdin='\n'), 'no key given')
        self.assertUsage(self.key('set', stdin='CAP ONE\n'), 'spaces or control characters')
        self.assertUsage(self.key('set', stdin='CAP-' + 'A' * 5000), 'too long')
        self.assertUsage(run_cli('--sandbox', 'key', 'show'), '--sandbox')
        self.assertUsage(run_cli('key'), 'no action given')
        self.assertUsage(self.key('show'), 'the keyring has no key')


class NoKeyringTest(SandboxCase):
    """Without a session bus: `key` fails at once and says why, and
    CAPSOLVER_API_KEY still works."""

    def test_key_commands_fail_clearly(self):
        start = time.monotonic()
        for action in ('set', 'show', 'forget'):
            result = run_cli('--base-url', self.url, 'key', action, stdin=SANDBOX_KEY)
            self.assertUsage(result, 'keyring: no D-Bus session bus')
            failed = run_cli('--base-url', self.url, '--json', 'key', action, stdin=SANDBOX_KEY)
            self.assertEqual(failed.returncode, EXIT_USAGE)
            self.assertEqual(json.loads(failed.stdout)['error']['kind'], 'usage')
        # a generous deadline, proving no hang
        self.assertLess(time.monotonic() - start, RUN_TIMEOUT)

    def test_environment_still_works(self):
        balance = run_cli('--base-url', self.url, 'balance', CAPSOLVER_API_KEY=SANDBOX_KEY)
        self.assertEqual(balance.returncode, EXIT_OK, balance.stderr)
        solved = run_cli('solve', *RECAPTCHA, '--quiet', CAPSOLVER_API_KEY=SANDBOX_KEY,
                         CAPSOLVER_BASE_URL=self.url)
        self.assertEqual(solved.returncode, EXIT_OK, solved.stderr)
        missing = run_cli('--base-url', self.url, 'balance')
        self.assertUsage(missing, 'no API key', 'CAPSOLVER_API_KEY', 'capsolver key set',
                         'keyring: no D-Bus session bus')


class HelpTest(unittest.TestCase):
    """`key` in the help pages, the manual and the completion."""

    def test_help_manual_completion(self):
        main = run_cli('--help')
        self.assertIn('key set|show|forget', main.stdout)
        page = run_cli('help', 'key')
        self.assertEqual(page.returncode, EXIT_OK)
        for word in ('Actions:', 'set', 'show', 'forget', 'com.capsolver.ApiKey',
                     'never from the', 'masked'):
            self.assertIn(word, page.stdout)
        with open(MAN_PAGE, encoding='utf-8') as man:
            text = man.read().replace('\\-', '-')
        self.assertIn('.SS "capsolver key', text)
        self.assertIn('com.capsolver.ApiKey', text)

        def complete(*words):
            script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
                      '_capsolver; printf "%s\\n" "${COMPREPLY[@]}"')
            result = subprocess.run(['bash', '-c', script, 'bash', COMPLETION, CAPSOLVER,
                                     *words], capture_output=True, text=True, env=clean_env())
            self.assertEqual(result.returncode, 0, result.stderr)
            return result.stdout.split()

        self.assertEqual(complete('ke'), ['key'])
        self.assertEqual(complete('key', ''), ['set', 'show', 'forget'])
        self.assertEqual(complete('--json', 'key', 'f'), ['forget'])
        self.assertEqual(complete('key', 'set', ''), [])


if __name__ == '__main__':
    args = sys.argv[1:]
    no_keyring = args[:1] == ['--no-keyring']
    if no_keyring:
        args = args[1:]
    if len(args) != 3:
        sys.exit('usage: test_key.py [--no-keyring] CAPSOLVER COMPLETION MAN_PAGE')
    CAPSOLVER, COMPLETION, MAN_PAGE = (os.path.abspath(a) for a in args)
    test_cli.CAPSOLVER = CAPSOLVER
    if not no_keyring and shutil.which('secret-tool') is None:
        sys.exit('secret-tool is missing (tools/quickstart installs libsecret-tools)')
    cases = [NoKeyringTest, HelpTest] if no_keyring else [KeyringTest]
    suite = unittest.TestSuite(unittest.defaultTestLoader.loadTestsFromTestCase(c)
                               for c in cases)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
