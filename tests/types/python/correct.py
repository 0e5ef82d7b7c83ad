# correct.py: right uses of the CapSolver namespace from Python, the idioms
# of docs/python.md. test_pyright.py type-checks it with the generated stub:
# pyright must find no error.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import asyncio
import typing

import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, Gio, GLib  # noqa: E402


def blocking(client: CapSolver.Client) -> typing.Optional[str]:
    task = CapSolver.ReCaptchaV2Task(website_url='https://example.com', website_key='key',
                                     isInvisible=True)
    task['pageAction'] = 'login'
    task.update(isSession=True)
    fields: dict[str, typing.Any] = dict(task)
    mapping: typing.Mapping[str, typing.Any] = task
    print(fields['type'], len(mapping), 'websiteURL' in task, list(task.keys()))
    try:
        solution = client.solve(task, None)
    except CapSolver.Error as e:
        if e.code == CapSolver.Error.ZERO_BALANCE:
            print('top up the account:', e.error_code, e.description)
        elif e.retry_class == CapSolver.RetryClass.COOLDOWN:
            print('wait', e.cooldown, 's')
        return None
    except GLib.Error as e:
        print(e.message, e.matches(CapSolver.error_quark(), 0))
        return None
    answer: dict[str, typing.Any] = dict(solution)
    print(solution['gRecaptchaResponse'], solution.get('userAgent'), answer)
    distance: typing.Optional[float] = solution.get_distance()
    print(distance)
    return solution.get_token()


async def awaiting() -> None:
    with CapSolver.Sandbox() as sandbox:
        client = CapSolver.Client(CapSolver.SANDBOX_DEFAULT_KEY, base_url=sandbox.get_base_url())
        image = CapSolver.ImageToTextTask(body=b'\x89PNG...', module='common')
        solution = await client.solve_async(image)
        print(solution.get_text())
        balance = await client.get_balance_async()
        print(balance.get_amount())
        task = CapSolver.Task('ReCaptchaV2TaskProxyLess', websiteURL='https://example.com',
                              websiteKey='key', anyFieldAtAll=[1, 2])
        await client.solve_async(task, Gio.Cancellable())
        turnstile = CapSolver.TurnstileTask(websiteURL='https://example.com',
                                            websiteKey='key', action='login')
        print(turnstile.props.website_url, turnstile.props.task_id)


        def done(source: typing.Any, result: Gio.AsyncResult) -> None:
            print(source.solve_finish(result).get_token())
        client.solve_async(task, None, done)

    task_type = CapSolver.TaskType.lookup('ReCaptchaV2Task')
    if task_type is not None:
        for field in task_type.get_fields():
            print(field.get_member(), field.get_kind() == CapSolver.TaskFieldKind.STRING)


blocking(CapSolver.Client.new('key'))
asyncio.run(awaiting())
