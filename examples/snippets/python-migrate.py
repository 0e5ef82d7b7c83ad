#!/usr/bin/python3
# python-migrate.py: the job of the official Python SDK's example, with
# capsolver-glib (docs/migrating.md)
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

# [doc]
import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver

client = CapSolver.Client.new_from_environment()   # CAPSOLVER_API_KEY, CAPSOLVER_BASE_URL
task = CapSolver.Task('ReCaptchaV2TaskProxyLess',
                      websiteURL='https://example.com/login',
                      websiteKey='6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-')
try:
    solution = client.solve(task)
    print(dict(solution))                  # {'gRecaptchaResponse': ..., ...}
except CapSolver.Error as e:
    print(e.error_code, e.description, task.get_task_id())

print(client.get_balance().get_amount())
# [/doc]
