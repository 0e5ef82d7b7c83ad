#!/usr/bin/python3
# solve.py: solving a captcha (docs/overview.md)
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

# [doc]
import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver

SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'   # the reCAPTCHA key of the page to solve

client = CapSolver.Client.new_from_environment()   # CAPSOLVER_API_KEY
task = CapSolver.ReCaptchaV2Task(website_url='https://example.com/login',
                                 website_key=SITE_KEY)
solution = client.solve(task)
print('token:', solution.get_token())
# [/doc]
