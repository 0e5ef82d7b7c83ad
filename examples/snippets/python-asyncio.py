#!/usr/bin/python3
# python-asyncio.py: awaiting the client in an asyncio program (docs/python.md)
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

# [doc]
import asyncio

import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver

SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'   # the reCAPTCHA key of the page to solve


async def main():
    client = CapSolver.Client.new_from_environment()
    tasks = [CapSolver.ReCaptchaV2Task(website_url='https://example.com/page/%d' % i,
                                       website_key=SITE_KEY) for i in range(3)]
    # Three solves at once; no GLib main loop to run.
    solutions = await asyncio.gather(*(client.solve_async(t) for t in tasks))
    for solution in solutions:
        print('token:', solution.get_token()[:20], '...')

    # Cancelling the awaiting asyncio task cancels the solve.
    pending = asyncio.ensure_future(client.solve_async(tasks[0]))
    pending.cancel()
    try:
        await pending
    except asyncio.CancelledError:
        print('cancelled')

    print('balance:', (await client.get_balance_async()).get_amount())


asyncio.run(main())
# [/doc]
