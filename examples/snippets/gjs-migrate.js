// gjs-migrate.js: the job of capsolver-npm's reCAPTCHA example, with
// capsolver-glib (docs/migrating.md); run with gjs -m
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

// [doc]
const {CapSolver} = imports.capsolver;

const client = CapSolver.Client.new_from_environment();   // CAPSOLVER_API_KEY
const task = new CapSolver.ReCaptchaV2Task({
    website_url: 'https://example.com/login',
    website_key: '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-',
});
try {
    const solution = await client.solve_async(task, null);
    print(solution.get_token());
} catch (e) {
    print(`task ${task.task_id}: ${CapSolver.error_get_code_text(e)} (${e.message})`);
}
// [/doc]
