#!/usr/bin/python3
# sandbox.py: the sandbox in a test (docs/sandbox.md)
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

# [doc]
import unittest

import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver

SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'   # the reCAPTCHA key of the page to solve


class UnsolvableTest(unittest.TestCase):

    def test_unsolvable(self):
        with CapSolver.Sandbox() as sandbox:          # any free port
            client = CapSolver.Client(CapSolver.SANDBOX_DEFAULT_KEY,
                                      base_url=sandbox.get_base_url(),
                                      first_poll_delay=10,   # tests need not wait
                                      poll_interval=10)
            sandbox.fail_next_task('ERROR_CAPTCHA_UNSOLVABLE')
            task = CapSolver.ReCaptchaV2Task(website_url='https://example.com/login',
                                             website_key=SITE_KEY)
            with self.assertRaises(CapSolver.Error) as raised:
                client.solve(task)
            self.assertEqual(raised.exception.code, CapSolver.Error.CAPTCHA_UNSOLVABLE)


if __name__ == '__main__':
    unittest.main()
# [/doc]
