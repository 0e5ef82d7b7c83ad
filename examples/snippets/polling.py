#!/usr/bin/python3
# polling.py: resuming a task after the deadline (docs/polling.md)
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys

import snippet
from gi.repository import CapSolver

sandbox = snippet.sandbox()
sandbox.set_ready_delay(1500)        # the task takes 1.5 s
client = CapSolver.Client.new_from_environment()
task = CapSolver.ReCaptchaV2Task(website_url='https://example.com/login',
                                 website_key=snippet.SITE_KEY)
# [doc]
client.props.deadline = 500          # milliseconds
client.props.poll_interval = 200
try:
    solution = client.solve(task)
except CapSolver.Error as e:
    if e.code != CapSolver.Error.TIMEOUT:
        raise
    print('still solving: task', task.get_task_id())
    client.props.deadline = 150000
    # The same task again: polled, not created (nor billed) twice.
    solution = client.solve(task)
# [/doc]
print('token:', solution.get_token())
sandbox.stop()
sys.exit(0 if sandbox.get_request_count('createTask') == 1 else 1)
