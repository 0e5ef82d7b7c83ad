// snippet.js: what the GJS snippets of the documentation share. Each
// snippet is a program whose part between the [doc] and [/doc] lines is
// shown in a page of docs/; around it, a sandbox stands in for the service.
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import System from 'system';

const {CapSolver} = imports.capsolver;

export const SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-';

/** Starts a sandbox and points CAPSOLVER_API_KEY and CAPSOLVER_BASE_URL at
 * it (a key other than the default one has no balance). */
export function sandbox(apiKey = CapSolver.SANDBOX_DEFAULT_KEY) {
    const service = new CapSolver.Sandbox();
    service.start(0);
    if (apiKey !== CapSolver.SANDBOX_DEFAULT_KEY)
        service.add_key(apiKey, 0);
    service.set_polls_until_ready(0);   // ready at the first poll
    GLib.setenv('CAPSOLVER_API_KEY', apiKey, true);
    GLib.setenv('CAPSOLVER_BASE_URL', service.get_base_url(), true);
    return service;
}

/** Runs main (an async function) on a GLib main loop; exits 1 if it throws. */
export function run(main) {
    const loop = new GLib.MainLoop(null, false);
    let failure = null;
    main().catch(e => (failure = e)).finally(() => loop.quit());
    loop.run();
    if (failure !== null) {
        printerr(`${failure}\n${failure.stack ?? ''}`);
        System.exit(1);
    }
}
