#!/usr/bin/python3
# python-task-types.py: a task built from the schema of task types
# (docs/task-types.md)
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

# [doc]
import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver

for task_type in CapSolver.TaskType.get_all():
    print(task_type.get_name(), task_type.dup_wire_names(),
          task_type.get_proxy_requirement().value_nick)

# A form for one type: a row per field, its example as the placeholder
turnstile = CapSolver.TaskType.lookup('AntiTurnstileTaskProxyLess')
for field in turnstile.get_fields():
    print(field.get_member(), field.get_kind().value_nick,
          'required' if field.is_required() else 'optional', field.get_example())

task = turnstile.new_task()                       # a CapSolver.TurnstileTask
task['websiteURL'] = 'https://example.com/login'
task['websiteKey'] = '0x4AAAAAAA'
task['metadata.action'] = 'login'                 # the same field as task.props.action
assert task.props.action == 'login'

client = CapSolver.Client.new_from_environment()
print(client.solve(task).get_token())
# [/doc]
