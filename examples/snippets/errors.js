// errors.js: matching an error (docs/errors.md)
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';

import {run, sandbox, SITE_KEY} from './snippet.js';

const {CapSolver} = imports.capsolver;
const EMPTY_KEY = 'CAP-SNIPPET-EMPTY-ACCOUNT-000000000000000000000000000000000000000000000';

const service = sandbox(EMPTY_KEY);
run(async () => {
    const client = CapSolver.Client.new_from_environment();
    const task = CapSolver.ReCaptchaV2Task.new('https://example.com/login', SITE_KEY);
    let matched = false;
    // [doc]
    try {
        await client.solve_async(task, null);
    } catch (e) {
        if (e instanceof GLib.Error && e.matches(CapSolver.Error, CapSolver.Error.ZERO_BALANCE)) {
            print(`top up the account (${CapSolver.error_to_code(e.code)})`);
            matched = true;
        } else if (CapSolver.error_get_retry_class(e) === CapSolver.RetryClass.COOLDOWN) {
            print(`wait ${CapSolver.error_get_cooldown(e)} s`);
        } else {
            throw e;
        }
    }
    // [/doc]
    service.stop();
    if (!matched)
        throw new Error('ZERO_BALANCE was not matched');
});
