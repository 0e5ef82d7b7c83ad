#!/usr/bin/python3
# test_keyring.py: the API key in the keyring, from Python.
#
#   keyring-session.py /usr/bin/python3 test_keyring.py
#       in a D-Bus session with an unlocked gnome-keyring-daemon: store,
#       read, solve on an in-process sandbox with the stored key, forget
#   test_keyring.py --no-keyring
#       without a session bus: the calls fail at once and say why, and
#       CAPSOLVER_API_KEY still works
#
# Asynchronous calls run on a main loop (mainloop.py); the assertions run
# after the loop returns.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import time
import unittest

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, Gio, GLib  # noqa: E402

import mainloop  # noqa: E402

KEY = 'CAP-PYTHON-KEYRING-0000000000000000000000000000000000000000000000000'
ENV_KEY = 'CAP-PYTHON-KEYRING-ENV-00000000000000000000000000000000000000000000'
OTHER_URL = 'http://127.0.0.1:9/python'
PAGE = 'https://example.com/login'
SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'
NO_HANG_SECONDS = 20


def run_async(test, start, finish):
    value, error, timed_out = mainloop.run_async(start, finish)
    test.assertFalse(timed_out, 'the call did not finish in time')
    return value, error


class EnvironmentMixin:
    """A sandbox with KEY and ENV_KEY, CAPSOLVER_BASE_URL naming it, and
    CAPSOLVER_API_KEY unset; the variables as they were afterwards."""

    def setUp(self):
        self.saved = {k: os.environ.get(k) for k in ('CAPSOLVER_API_KEY', 'CAPSOLVER_BASE_URL')}
        self.sandbox = CapSolver.Sandbox.new()
        self.sandbox.start(0)
        self.sandbox.add_key(KEY, 10.0)
        self.sandbox.add_key(ENV_KEY, 10.0)
        self.url = self.sandbox.get_base_url()
        os.environ.pop('CAPSOLVER_API_KEY', None)
        os.environ['CAPSOLVER_BASE_URL'] = self.url

    def tearDown(self):
        self.sandbox.stop()
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def assert_solves(self, client, key):
        self.assertEqual(client.get_api_key(), key)
        self.assertEqual(client.get_base_url(), self.url)
        client.set_first_poll_delay(10)
        client.set_poll_interval(10)
        task = CapSolver.ReCaptchaV2Task(website_url=PAGE, website_key=SITE_KEY)
        solution = client.solve(task, None)
        self.assertTrue(solution.get_token())

    def client_async(self):
        return run_async(self, lambda done: CapSolver.Client.new_from_environment_async(None, done),
                         CapSolver.Client.new_from_environment_finish)


class KeyringTest(EnvironmentMixin, unittest.TestCase):
    """In a D-Bus session whose gnome-keyring-daemon is unlocked."""

    def test_store_lookup_clear(self):
        self.assertTrue(CapSolver.keyring_is_supported())
        CapSolver.keyring_clear_key(OTHER_URL, None)
        self.assertIsNone(CapSolver.keyring_lookup_key(OTHER_URL, None))
        self.assertTrue(CapSolver.keyring_store_key(OTHER_URL, KEY + '\n', None))
        self.assertEqual(CapSolver.keyring_lookup_key(OTHER_URL + '/', None), KEY)
        self.assertIsNone(CapSolver.keyring_lookup_key(OTHER_URL + '/other', None))
        self.assertTrue(CapSolver.keyring_clear_key(OTHER_URL, None))
        self.assertFalse(CapSolver.keyring_clear_key(OTHER_URL, None))
        self.assertIsNone(CapSolver.keyring_lookup_key(OTHER_URL, None))

    def test_async(self):
        stored, error = run_async(
            self, lambda done: CapSolver.keyring_store_key_async(OTHER_URL, KEY, None, done),
            CapSolver.keyring_store_key_finish)
        self.assertIsNone(error)
        self.assertTrue(stored)
        found, error = run_async(
            self, lambda done: CapSolver.keyring_lookup_key_async(OTHER_URL, None, done),
            CapSolver.keyring_lookup_key_finish)
        self.assertIsNone(error)
        self.assertEqual(found, KEY)
        cleared, error = run_async(
            self, lambda done: CapSolver.keyring_clear_key_async(OTHER_URL, None, done),
            CapSolver.keyring_clear_key_finish)
        self.assertIsNone(error)
        self.assertTrue(cleared)

    def test_invalid_key(self):
        for key in ('', 'CAP ONE', 'CAP-\x07'):
            with self.assertRaises(GLib.Error) as raised:
                CapSolver.keyring_store_key(OTHER_URL, key, None)
            self.assertTrue(raised.exception.matches(Gio.io_error_quark(),
                                                     Gio.IOErrorEnum.INVALID_ARGUMENT))
            self.assertTrue(raised.exception.message.startswith('keyring: '))
        self.assertIsNone(CapSolver.keyring_lookup_key(OTHER_URL, None))

    def test_client_from_keyring(self):
        """Store, read, solve on the sandbox, forget."""
        self.assertTrue(CapSolver.keyring_store_key(self.url, KEY, None))
        self.assert_solves(CapSolver.Client.new_from_environment(), KEY)
        client, error = self.client_async()
        self.assertIsNone(error)
        self.assert_solves(client, KEY)

        # the variable comes first
        os.environ['CAPSOLVER_API_KEY'] = ENV_KEY
        self.assert_solves(CapSolver.Client.new_from_environment(), ENV_KEY)
        del os.environ['CAPSOLVER_API_KEY']

        self.assertTrue(CapSolver.keyring_clear_key(self.url, None))
        with self.assertRaises(CapSolver.Error) as raised:
            CapSolver.Client.new_from_environment()
        self.assertTrue(raised.exception.matches(CapSolver.error_quark(),
                                                 CapSolver.Error.KEY_DENIED_ACCESS))
        self.assertIn('the keyring has no key for ' + self.url, raised.exception.message)
        client, error = self.client_async()
        self.assertIsNone(client)
        self.assertTrue(error.matches(CapSolver.error_quark(), CapSolver.Error.KEY_DENIED_ACCESS))


class NoKeyringTest(EnvironmentMixin, unittest.TestCase):
    """Without a session bus."""

    def assert_not_connected(self, error):
        self.assertIsInstance(error, GLib.Error)
        self.assertTrue(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_CONNECTED),
                        error)
        self.assertTrue(error.message.startswith('keyring: no D-Bus session bus'), error.message)

    def test_calls_fail_clearly(self):
        start = time.monotonic()
        for call in (lambda: CapSolver.keyring_store_key(OTHER_URL, KEY, None),
                     lambda: CapSolver.keyring_lookup_key(OTHER_URL, None),
                     lambda: CapSolver.keyring_clear_key(OTHER_URL, None)):
            with self.assertRaises(GLib.Error) as raised:
                call()
            self.assert_not_connected(raised.exception)
        found, error = run_async(
            self, lambda done: CapSolver.keyring_lookup_key_async(OTHER_URL, None, done),
            CapSolver.keyring_lookup_key_finish)
        self.assertIsNone(found)
        self.assert_not_connected(error)
        self.assertLess(time.monotonic() - start, NO_HANG_SECONDS)

    def test_environment_still_works(self):
        os.environ['CAPSOLVER_API_KEY'] = ENV_KEY
        self.assert_solves(CapSolver.Client.new_from_environment(), ENV_KEY)
        client, error = self.client_async()
        self.assertIsNone(error)
        self.assert_solves(client, ENV_KEY)

        del os.environ['CAPSOLVER_API_KEY']
        with self.assertRaises(CapSolver.Error) as raised:
            CapSolver.Client.new_from_environment()
        self.assertTrue(raised.exception.matches(CapSolver.error_quark(),
                                                 CapSolver.Error.KEY_DENIED_ACCESS))
        self.assertIn('no D-Bus session bus', raised.exception.message)


if __name__ == '__main__':
    no_keyring = sys.argv[1:] == ['--no-keyring']
    case = NoKeyringTest if no_keyring else KeyringTest
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
