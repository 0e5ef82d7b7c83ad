// solve.js: solving a captcha (docs/overview.md)
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import {run, sandbox, SITE_KEY} from './snippet.js';

const service = sandbox();
run(async () => {
    // [doc]
    const {CapSolver} = imports.capsolver;   // every *_async call returns a Promise

    const client = CapSolver.Client.new_from_environment();   // CAPSOLVER_API_KEY
    const task = new CapSolver.ReCaptchaV2Task({
        website_url: 'https://example.com/login',
        website_key: SITE_KEY,
    });
    const solution = await client.solve_async(task, null);
    print(`token: ${solution.get_token()}`);
    // [/doc]
    service.stop();
});
