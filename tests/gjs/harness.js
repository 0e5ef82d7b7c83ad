// harness.js: the little the GJS tests share: TAP checks, and a main loop
// run with a guard timeout, so that checks run after the loop returns.
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import System from 'system';

const TIMEOUT_SECONDS = 20;

let checks = 0;
let failures = 0;

/** Prints one TAP line for a condition; a false one fails the test. */
export function check(condition, what) {
    checks++;
    print(`${condition ? 'ok' : 'not ok'} ${checks} - ${what}`);
    if (!condition)
        failures++;
}

/**
 * Runs body (an async function) on the main loop until it settles or the
 * guard fires.
 *
 * @param {Function} body - returns a Promise
 * @returns {object} {value, error, timedOut}
 */
export function runLoop(body) {
    const loop = new GLib.MainLoop(null, false);
    const outcome = {timedOut: false};
    const guard = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, TIMEOUT_SECONDS, () => {
        outcome.timedOut = true;
        loop.quit();
        return GLib.SOURCE_REMOVE;
    });
    body().then(value => {
        outcome.value = value;
    }, error => {
        outcome.error = error;
    }).finally(() => loop.quit());
    loop.run();
    if (!outcome.timedOut)
        GLib.source_remove(guard);
    return outcome;
}

/** Prints the TAP plan, and exits with status 1 if a check failed. */
export function finish() {
    print(`1..${checks}`);
    if (failures > 0) {
        printerr(`${failures} of ${checks} checks failed`);
        System.exit(1);
    }
}
