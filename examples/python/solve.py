#!/usr/bin/python3
# solve.py: capsolver-glib from Python
#
# Starts a local sandbox, then: reads an image captcha, solves a reCAPTCHA
# v2 task asynchronously while following its status, meets a zero-balance
# account, and cancels a solve. The same program exists in C, GJS and Vala
# next to this one.
#
# Against the real service, drop the sandbox and create the client with
# your own key: the client's base URL defaults to the CapSolver API.
#
#   solve.py [IMAGE]     (default: examples/data/sample-captcha.png)
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys

import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver, Gio, GLib  # noqa: E402

PAGE = 'https://example.com/login'
SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'
EMPTY_KEY = 'CAP-EXAMPLE-EMPTY-ACCOUNT-000000000000000000000000000000000000000000000'


def solve_on_loop(client, task, cancellable=None):
    """Runs client.solve_async() on a main loop; returns the solution or
    raises its error."""
    loop = GLib.MainLoop()
    outcome = {}

    def done(source, result):
        try:
            outcome['solution'] = source.solve_finish(result)
        except GLib.Error as error:
            outcome['error'] = error
        loop.quit()

    client.solve_async(task, cancellable, done)
    loop.run()
    if 'error' in outcome:
        raise outcome['error']
    return outcome['solution']


def main(image='examples/data/sample-captcha.png'):
    sandbox = CapSolver.Sandbox()
    sandbox.start(0)

    def sandbox_client(api_key):
        return CapSolver.Client(api_key, base_url=sandbox.get_base_url(),
                                first_poll_delay=100, poll_interval=100)

    client = sandbox_client(CapSolver.SANDBOX_DEFAULT_KEY)

    # 1. An image captcha: answered at once, a blocking call is fine.
    with open(image, 'rb') as f:
        image_task = CapSolver.ImageToTextTask(body=f.read())
    solution = client.solve(image_task)
    print('image text:', solution['text'])

    # 2. A reCAPTCHA v2 task: polled until ready, asynchronously.
    recaptcha = CapSolver.ReCaptchaV2Task(website_url=PAGE, website_key=SITE_KEY)
    recaptcha.connect('notify::status',
                      lambda task, _: print('  status:', task.props.status.value_nick))
    token = solve_on_loop(client, recaptcha)
    print('reCAPTCHA token: %.20s...' % token.get_token())

    # 3. An account without balance.
    sandbox.add_key(EMPTY_KEY, 0)
    try:
        sandbox_client(EMPTY_KEY).solve(
            CapSolver.ReCaptchaV2Task(website_url=PAGE, website_key=SITE_KEY))
        raise SystemExit('expected a zero balance, got a solution')
    except CapSolver.Error as error:
        if error.code != CapSolver.Error.ZERO_BALANCE:
            raise
        print('no balance: %s (%s)' % (error.error_code, error.message))

    # 4. A solve cancelled while the service is slow to answer.
    sandbox.props.fault_delay = 5000
    sandbox.inject_fault(CapSolver.SandboxFault.DELAY, 1)
    cancellable = Gio.Cancellable()
    GLib.timeout_add(200, lambda: cancellable.cancel() or GLib.SOURCE_REMOVE)
    try:
        solve_on_loop(client, CapSolver.ReCaptchaV2Task(website_url=PAGE, website_key=SITE_KEY),
                      cancellable)
        raise SystemExit('expected a cancellation, got a solution')
    except GLib.Error as error:
        if not error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
            raise
        print('cancelled:', error.message)

    sandbox.stop()


if __name__ == '__main__':
    main(*sys.argv[1:2])
