// solve.js: capsolver-glib from GJS (run with gjs -m)
//
// Starts a local sandbox, then: reads an image captcha, solves a reCAPTCHA
// v2 task asynchronously while following its status, meets a zero-balance
// account, and cancels a solve. The same program exists in C, Python and
// Vala next to this one.
//
// Against the real service, drop the sandbox and create the client with
// your own key: the client's base URL defaults to the CapSolver API.
//
//   gjs -m solve.js [IMAGE]     (default: examples/data/sample-captcha.png)
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import System from 'system';

// Makes every _async call of CapSolver awaitable (bindings/gjs/capsolver.js).
const {CapSolver} = imports.capsolver;

const PAGE = 'https://example.com/login';
const SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-';
const EMPTY_KEY = 'CAP-EXAMPLE-EMPTY-ACCOUNT-000000000000000000000000000000000000000000000';

async function main(image) {
    const sandbox = new CapSolver.Sandbox();
    sandbox.start(0);
    const sandboxClient = apiKey => new CapSolver.Client({
        api_key: apiKey,
        base_url: sandbox.get_base_url(),
        first_poll_delay: 100,
        poll_interval: 100,
    });
    const client = sandboxClient(CapSolver.SANDBOX_DEFAULT_KEY);

    // 1. An image captcha: answered at once.
    const imageTask = CapSolver.ImageToTextTask.new_from_file(Gio.File.new_for_commandline_arg(image));
    const solution = await client.solve_async(imageTask, null);
    print(`image text: ${solution.get_text()}`);

    // 2. A reCAPTCHA v2 task: polled until ready.
    const recaptcha = new CapSolver.ReCaptchaV2Task({website_url: PAGE, website_key: SITE_KEY});
    recaptcha.connect('notify::status', task => {
        print(`  status: ${Object.keys(CapSolver.TaskStatus).find(k => CapSolver.TaskStatus[k] === task.status)}`);
    });
    const token = await client.solve_async(recaptcha, null);
    print(`reCAPTCHA token: ${token.get_token().slice(0, 20)}...`);

    // 3. An account without balance.
    sandbox.add_key(EMPTY_KEY, 0);
    try {
        await sandboxClient(EMPTY_KEY).solve_async(CapSolver.ReCaptchaV2Task.new(PAGE, SITE_KEY), null);
        throw new Error('expected a zero balance, got a solution');
    } catch (e) {
        if (!(e instanceof GLib.Error && e.matches(CapSolver.Error, CapSolver.Error.ZERO_BALANCE)))
            throw e;
        print(`no balance: ${CapSolver.error_to_code(e.code)} (${e.message})`);
    }

    // 4. A solve cancelled while the service is slow to answer.
    sandbox.fault_delay = 5000;
    sandbox.inject_fault(CapSolver.SandboxFault.DELAY, 1);
    const cancellable = new Gio.Cancellable();
    GLib.timeout_add(GLib.PRIORITY_DEFAULT, 200, () => {
        cancellable.cancel();
        return GLib.SOURCE_REMOVE;
    });
    try {
        await client.solve_async(CapSolver.ReCaptchaV2Task.new(PAGE, SITE_KEY), cancellable);
        throw new Error('expected a cancellation, got a solution');
    } catch (e) {
        if (!(e instanceof GLib.Error && e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED)))
            throw e;
        print(`cancelled: ${e.message}`);
    }

    sandbox.stop();
}

const loop = new GLib.MainLoop(null, false);
let failure = null;
main(System.programArgs[0] ?? 'examples/data/sample-captcha.png')
    .catch(e => {
        failure = e;
    })
    .finally(() => loop.quit());
loop.run();
if (failure !== null) {
    printerr(`${failure}\n${failure.stack ?? ''}`);
    System.exit(1);
}
