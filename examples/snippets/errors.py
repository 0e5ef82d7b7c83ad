#!/usr/bin/python3
# errors.py: matching an error (docs/errors.md)
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys

import snippet
from gi.repository import CapSolver

EMPTY_KEY = 'CAP-SNIPPET-EMPTY-ACCOUNT-000000000000000000000000000000000000000000000'

sandbox = snippet.sandbox(EMPTY_KEY)
client = CapSolver.Client.new_from_environment()
task = CapSolver.ReCaptchaV2Task(website_url='https://example.com/login',
                                 website_key=snippet.SITE_KEY)
matched = False
# [doc]
try:
    solution = client.solve(task)
except CapSolver.Error as e:          # a GLib.Error of the CapSolver domain
    if e.code == CapSolver.Error.ZERO_BALANCE:
        print('top up the account (%s)' % e.error_code)
        matched = True
    elif e.retry_class == CapSolver.RetryClass.COOLDOWN:
        print('wait %d s' % e.cooldown)
    else:
        raise
# [/doc]
sandbox.stop()
sys.exit(0 if matched else 1)
