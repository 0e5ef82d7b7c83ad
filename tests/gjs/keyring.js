// keyring.js: the API key in the keyring, from GJS.
//
//   keyring-session.py gjs -m keyring.js
//       in a D-Bus session with an unlocked gnome-keyring-daemon: store,
//       read, solve on an in-process sandbox with the stored key, forget
//   gjs -m keyring.js --no-keyring
//       without a session bus: the calls fail at once and say why, and
//       CAPSOLVER_API_KEY still works
//
// The keyring functions take a callback (they are not promisified, see
// docs/keyring.md); the asynchronous parts run on the main loop of
// harness.js, and the checks after it returns. The output is TAP.
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import System from 'system';

import {check, finish, runLoop} from './harness.js';

const {CapSolver} = imports.capsolver;

const KEY = 'CAP-GJS-KEYRING-000000000000000000000000000000000000000000000000000000';
const ENV_KEY = 'CAP-GJS-KEYRING-ENV-0000000000000000000000000000000000000000000000000';
const OTHER_URL = 'http://127.0.0.1:9/gjs';
const PAGE = 'https://example.com/login';
const SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-';
const NO_HANG_SECONDS = 20;

/** A call of the callback form, as a promise of what its finish returns. */
function callback(start, finishCall) {
    return new Promise((resolve, reject) => {
        start((source, result) => {
            try {
                resolve(finishCall(result));
            } catch (e) {
                reject(e);
            }
        });
    });
}

/** What a call throws, or null. */
function thrown(call) {
    try {
        call();
    } catch (e) {
        return e;
    }
    return null;
}

function isIOError(error, code) {
    return error instanceof GLib.Error && error.matches(Gio.IOErrorEnum, code);
}

function isKeyDenied(error) {
    return error instanceof GLib.Error &&
        error.matches(CapSolver.Error, CapSolver.Error.KEY_DENIED_ACCESS);
}

/* Runs one case with a sandbox that has KEY and ENV_KEY, CAPSOLVER_BASE_URL
 * naming it and CAPSOLVER_API_KEY unset; the checks of verify(state,
 * outcome, ok) run after body(state) has settled. */
function testCase(name, {setup = () => ({}), body = async () => undefined, verify}) {
    const sandbox = CapSolver.Sandbox.new();
    sandbox.start(0);
    sandbox.add_key(KEY, 10);
    sandbox.add_key(ENV_KEY, 10);
    const url = sandbox.get_base_url();
    GLib.unsetenv('CAPSOLVER_API_KEY');
    GLib.setenv('CAPSOLVER_BASE_URL', url, true);
    try {
        const state = {url, ...setup(url)};
        const outcome = runLoop(() => body(state));
        check(!outcome.timedOut, `${name}: finished in time`);
        verify(state, outcome, (condition, what) => check(condition, `${name}: ${what}`));
    } catch (e) {
        check(false, `${name}: unexpected exception ${e}\n${e.stack}`);
    } finally {
        GLib.unsetenv('CAPSOLVER_API_KEY');
        GLib.unsetenv('CAPSOLVER_BASE_URL');
        sandbox.stop();
    }
}

/** Solves a reCAPTCHA task with @client, blocking; its token. */
function solveToken(client) {
    client.first_poll_delay = 10;
    client.poll_interval = 10;
    const task = new CapSolver.ReCaptchaV2Task({website_url: PAGE, website_key: SITE_KEY});
    return client.solve(task, null).get_token();
}

function clientAsync() {
    return callback(done => CapSolver.Client.new_from_environment_async(null, done),
        result => CapSolver.Client.new_from_environment_finish(result));
}

// --- In a session with an unlocked keyring ----------------------------------------

function keyringCases() {
    testCase('keyring/store-lookup-clear', {
        setup: () => {
            CapSolver.keyring_clear_key(OTHER_URL, null);
            return {
                supported: CapSolver.keyring_is_supported(),
                before: CapSolver.keyring_lookup_key(OTHER_URL, null),
                stored: CapSolver.keyring_store_key(OTHER_URL, `${KEY}\n`, null),
                found: CapSolver.keyring_lookup_key(`${OTHER_URL}/`, null),
                elsewhere: CapSolver.keyring_lookup_key(`${OTHER_URL}/other`, null),
                cleared: CapSolver.keyring_clear_key(OTHER_URL, null),
                clearedAgain: CapSolver.keyring_clear_key(OTHER_URL, null),
                after: CapSolver.keyring_lookup_key(OTHER_URL, null),
            };
        },
        verify: (s, outcome, ok) => {
            ok(s.supported, 'the build has libsecret');
            ok(s.before === null, 'nothing is stored at first');
            ok(s.stored === true, 'store returns true');
            ok(s.found === KEY, 'the key is read back, without its newline');
            ok(s.elsewhere === null, 'another address has no key');
            ok(s.cleared === true, 'clear returns true');
            ok(s.clearedAgain === false, 'a second clear returns false');
            ok(s.after === null, 'the key is gone');
        },
    });

    testCase('keyring/async', {
        body: async state => {
            state.stored = await callback(
                done => CapSolver.keyring_store_key_async(OTHER_URL, KEY, null, done),
                result => CapSolver.keyring_store_key_finish(result));
            state.found = await callback(
                done => CapSolver.keyring_lookup_key_async(OTHER_URL, null, done),
                result => CapSolver.keyring_lookup_key_finish(result));
            state.cleared = await callback(
                done => CapSolver.keyring_clear_key_async(OTHER_URL, null, done),
                result => CapSolver.keyring_clear_key_finish(result));
            state.after = await callback(
                done => CapSolver.keyring_lookup_key_async(OTHER_URL, null, done),
                result => CapSolver.keyring_lookup_key_finish(result));
        },
        verify: (s, {error}, ok) => {
            ok(error === undefined, `no error (${error})`);
            ok(s.stored === true, 'stored');
            ok(s.found === KEY, 'read back');
            ok(s.cleared === true, 'cleared');
            ok(s.after === null, 'gone');
        },
    });

    testCase('keyring/invalid-key', {
        setup: () => ({
            errors: ['', 'CAP ONE', 'CAP-\x07'].map(
                key => thrown(() => CapSolver.keyring_store_key(OTHER_URL, key, null))),
            after: CapSolver.keyring_lookup_key(OTHER_URL, null),
        }),
        verify: ({errors, after}, outcome, ok) => {
            for (const error of errors) {
                ok(isIOError(error, Gio.IOErrorEnum.INVALID_ARGUMENT),
                    `G_IO_ERROR_INVALID_ARGUMENT (${error})`);
                ok(error?.message.startsWith('keyring: '), 'the message starts with "keyring: "');
            }
            ok(after === null, 'nothing was stored');
        },
    });

    // Store, read, solve on the sandbox, forget.
    testCase('keyring/client-from-keyring', {
        setup: url => {
            const s = {stored: CapSolver.keyring_store_key(url, KEY, null)};
            const client = CapSolver.Client.new_from_environment();
            s.key = client.get_api_key();
            s.baseUrl = client.get_base_url();
            s.token = solveToken(client);
            // the variable comes first
            GLib.setenv('CAPSOLVER_API_KEY', ENV_KEY, true);
            s.envKey = CapSolver.Client.new_from_environment().get_api_key();
            GLib.unsetenv('CAPSOLVER_API_KEY');
            return s;
        },
        body: async state => {
            const client = await clientAsync();
            state.asyncKey = client.get_api_key();
            client.first_poll_delay = 10;
            client.poll_interval = 10;
            const task = new CapSolver.ReCaptchaV2Task({website_url: PAGE, website_key: SITE_KEY});
            state.asyncToken = (await client.solve_async(task, null)).get_token();

            state.cleared = CapSolver.keyring_clear_key(state.url, null);
            state.blockingError = thrown(() => CapSolver.Client.new_from_environment());
            state.asyncError = await clientAsync().then(() => null, e => e);
        },
        verify: (s, {error}, ok) => {
            ok(error === undefined, `no error (${error})`);
            ok(s.stored === true, 'the key is stored for the sandbox');
            ok(s.key === KEY, 'new_from_environment takes the stored key');
            ok(s.baseUrl === s.url, 'and CAPSOLVER_BASE_URL');
            ok(Boolean(s.token), 'the sandbox solves with it');
            ok(s.envKey === ENV_KEY, 'CAPSOLVER_API_KEY comes before the keyring');
            ok(s.asyncKey === KEY, 'new_from_environment_async takes the stored key');
            ok(Boolean(s.asyncToken), 'the sandbox solves with it asynchronously');
            ok(s.cleared === true, 'the key is forgotten');
            ok(isKeyDenied(s.blockingError), `then no key: KEY_DENIED_ACCESS (${s.blockingError})`);
            ok(s.blockingError?.message.includes(`the keyring has no key for ${s.url}`),
                'the message says the keyring has no key for the address');
            ok(isKeyDenied(s.asyncError), `asynchronously too (${s.asyncError})`);
        },
    });
}

// --- Without a session bus ----------------------------------------------------------

function noKeyringCases() {
    const notConnected = error => isIOError(error, Gio.IOErrorEnum.NOT_CONNECTED) &&
        error.message.startsWith('keyring: no D-Bus session bus');

    testCase('no-keyring/calls-fail-clearly', {
        setup: () => ({
            start: GLib.get_monotonic_time(),
            errors: [
                () => CapSolver.keyring_store_key(OTHER_URL, KEY, null),
                () => CapSolver.keyring_lookup_key(OTHER_URL, null),
                () => CapSolver.keyring_clear_key(OTHER_URL, null),
            ].map(thrown),
        }),
        body: async state => {
            state.asyncError = await callback(
                done => CapSolver.keyring_lookup_key_async(OTHER_URL, null, done),
                result => CapSolver.keyring_lookup_key_finish(result)).then(() => null, e => e);
            state.seconds = (GLib.get_monotonic_time() - state.start) / 1e6;
        },
        verify: (s, {error}, ok) => {
            ok(error === undefined, `no error (${error})`);
            for (const e of s.errors)
                ok(notConnected(e), `G_IO_ERROR_NOT_CONNECTED, no D-Bus session bus (${e})`);
            ok(notConnected(s.asyncError), `asynchronously too (${s.asyncError})`);
            ok(s.seconds < NO_HANG_SECONDS, `at once, not after a wait (${s.seconds} s)`);
        },
    });

    testCase('no-keyring/environment-still-works', {
        setup: () => {
            GLib.setenv('CAPSOLVER_API_KEY', ENV_KEY, true);
            const client = CapSolver.Client.new_from_environment();
            const s = {key: client.get_api_key(), token: solveToken(client)};
            GLib.unsetenv('CAPSOLVER_API_KEY');
            s.error = thrown(() => CapSolver.Client.new_from_environment());
            return s;
        },
        verify: (s, outcome, ok) => {
            ok(s.key === ENV_KEY, 'CAPSOLVER_API_KEY is taken');
            ok(Boolean(s.token), 'the sandbox solves with it');
            ok(isKeyDenied(s.error), `without it, KEY_DENIED_ACCESS (${s.error})`);
            ok(s.error?.message.includes('no D-Bus session bus'), 'whose message says why');
        },
    });
}

if (System.programArgs.includes('--no-keyring'))
    noKeyringCases();
else
    keyringCases();
finish();
