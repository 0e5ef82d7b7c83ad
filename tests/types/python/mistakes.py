# mistakes.py: mistakes that pyright must flag with the generated stub, each
# on the line marked "# error: RULE" (test_pyright.py checks that every
# marked line, and no other, has an error of that rule).
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import typing

import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver  # noqa: E402


async def mistakes(client: CapSolver.Client) -> None:
    task = CapSolver.ReCaptchaV2Task(website_url='https://example.com', website_key='key')
    await client.solve_asnyc(task)  # error: reportAttributeAccessIssue
    client.solve(task, 5)  # error: reportArgumentType
    client.solve('ReCaptchaV2Task')  # error: reportArgumentType
    CapSolver.ReCaptchaV2Task(website_url='u', isInvisble=True)  # error: reportCallIssue
    CapSolver.ReCaptchaV2Task(websiteURL=42)  # error: reportArgumentType
    solution = client.solve(task)
    token: str = solution.get_token()  # error: reportAssignmentType
    fields: list[int] = list(task)  # error: reportAssignmentType
    CapSolver.Error.NO_SUCH_CODE  # error: reportAttributeAccessIssue
    client.props.base_ulr  # error: reportAttributeAccessIssue
    CapSolver.TaskType.lookup('ReCaptchaV2Task').get_name()  # error: reportOptionalMemberAccess
    value: typing.Optional[int] = solution.get_int('x')
    print(token, fields, value + 1)  # error: reportOptionalOperand
