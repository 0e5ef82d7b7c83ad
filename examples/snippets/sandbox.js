// sandbox.js: the sandbox in a test (docs/sandbox.md); run with gjs -m
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

// [doc]
const {CapSolver} = imports.capsolver;

const sandbox = new CapSolver.Sandbox();
sandbox.start(0);   // any free port
const client = new CapSolver.Client({
    api_key: CapSolver.SANDBOX_DEFAULT_KEY,
    base_url: sandbox.get_base_url(),
    first_poll_delay: 10,   // tests need not wait
    poll_interval: 10,
});
sandbox.fail_next_task('ERROR_CAPTCHA_UNSOLVABLE');
const task = CapSolver.ReCaptchaV2Task.new('https://example.com/login',
    '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-');
let error = null;
try {
    await client.solve_async(task, null);
} catch (e) {
    error = e;
}
sandbox.stop();
if (!error?.matches(CapSolver.Error, CapSolver.Error.CAPTCHA_UNSOLVABLE))
    throw new Error(`expected ERROR_CAPTCHA_UNSOLVABLE, got ${error}`);
// [/doc]
