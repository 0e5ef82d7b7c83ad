// solve.js: solving a captcha (docs/overview.md); run with gjs -m
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

// [doc]
const {CapSolver} = imports.capsolver;   // every *_async call returns a Promise

const SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-';   // the reCAPTCHA key of the page to solve

const client = CapSolver.Client.new_from_environment();   // CAPSOLVER_API_KEY
const task = new CapSolver.ReCaptchaV2Task({
    website_url: 'https://example.com/login',
    website_key: SITE_KEY,
});
const solution = await client.solve_async(task, null);   // gjs -m: await at the top level
print(`token: ${solution.get_token()}`);
// [/doc]
