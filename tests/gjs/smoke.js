// smoke.js: the uninstalled typelib solves one task against a Soup.Server
// running in this process, on the same main loop.
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Soup from 'gi://Soup?version=3.0';

import {check, finish, runLoop} from './harness.js';

const {CapSolver} = imports.capsolver;

const KEY = 'CAP-SMOKE-TEST-KEY';

const requests = [];
const server = new Soup.Server();

function reply(msg, object) {
    msg.set_status(200, null);
    msg.set_response('application/json', Soup.MemoryUse.COPY,
        new TextEncoder().encode(JSON.stringify(object)));
}

server.add_handler(null, (_server, msg, path) => {
    const body = msg.get_request_body().flatten().get_data();
    const request = JSON.parse(new TextDecoder().decode(body));
    requests.push([path, request]);
    if (request.clientKey !== KEY) {
        reply(msg, {errorId: 1, errorCode: 'ERROR_KEY_DENIED_ACCESS', errorDescription: 'wrong key'});
    } else if (path === '/createTask') {
        reply(msg, {errorId: 0, taskId: 'smoke-1', status: 'idle'});
    } else if (path === '/getTaskResult') {
        const polls = requests.filter(([p]) => p === '/getTaskResult').length;
        if (polls < 2) {
            reply(msg, {errorId: 0, taskId: 'smoke-1', status: 'processing'});
        } else {
            reply(msg, {
                errorId: 0, taskId: 'smoke-1', status: 'ready',
                solution: {gRecaptchaResponse: 'smoke-token', userAgent: 'smoke-agent'},
            });
        }
    } else {
        msg.set_status(404, null);
    }
});
server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
const baseUrl = server.get_uris()[0].to_string().replace(/\/$/, '');

function makeClient(key) {
    return new CapSolver.Client({
        api_key: key,
        base_url: baseUrl,
        first_poll_delay: 10,
        poll_interval: 10,
    });
}

function makeTask() {
    const task = new CapSolver.Task({type_name: 'ReCaptchaV2TaskProxyLess'});
    task.set_string('websiteURL', 'https://example.com/');
    task.set_string('websiteKey', 'site-key');
    return task;
}

// Everything the checks need, filled in by the main loop.
const outcome = {statuses: []};

async function run() {
    const task = makeTask();
    task.connect('notify::status', t => outcome.statuses.push(t.status));
    outcome.solution = await makeClient(KEY).solve_async(task, null);
    outcome.task = task;
    try {
        await makeClient('CAP-WRONG').solve_async(makeTask(), null);
    } catch (e) {
        outcome.error = e;
    }
}

const {timedOut, error} = runLoop(run);
server.disconnect();

// The checks, after the loop, named after the scenarios shared with the
// Python and Vala suites (tests/README.md).
check(!timedOut, 'smoke/solve: the solves finished in time');
check(error === undefined, `smoke/solve: no unexpected error (${error})`);
check(outcome.solution?.get_token() === 'smoke-token', 'smoke/solve: the solution carries the token');
check(outcome.solution?.get_user_agent() === 'smoke-agent', 'smoke/solve: the solution carries the user agent');
check(outcome.task?.task_id === 'smoke-1', 'smoke/solve: the task keeps its id');
check(outcome.task?.status === CapSolver.TaskStatus.READY, 'smoke/solve: the task is ready');
check(outcome.statuses.includes(CapSolver.TaskStatus.PROCESSING), 'smoke/solve: notify::status reported processing');
check(outcome.statuses.at(-1) === CapSolver.TaskStatus.READY, 'smoke/solve: notify::status reported ready last');
check(requests.length > 0 && requests[0][0] === '/createTask', 'smoke/solve: the first request is createTask');
check(requests.length > 0 && requests[0][1].task.websiteKey === 'site-key', 'smoke/solve: the task fields are sent');
check(outcome.error instanceof GLib.Error, 'smoke/error-domain: a wrong key fails with a GLib.Error');
check(outcome.error?.matches(CapSolver.Error, CapSolver.Error.KEY_DENIED_ACCESS),
    'smoke/error-domain: the error matches CapSolver.Error.KEY_DENIED_ACCESS');

finish();
