// polling.js: resuming a task after the deadline (docs/polling.md)
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import {run, sandbox, SITE_KEY} from './snippet.js';

const {CapSolver} = imports.capsolver;

const service = sandbox();
service.set_ready_delay(1500);   // the task takes 1.5 s
run(async () => {
    const client = CapSolver.Client.new_from_environment();
    const task = CapSolver.ReCaptchaV2Task.new('https://example.com/login', SITE_KEY);
    let solution;
    // [doc]
    client.deadline = 500;   // milliseconds
    client.poll_interval = 200;
    try {
        solution = await client.solve_async(task, null);
    } catch (e) {
        if (!e.matches?.(CapSolver.Error, CapSolver.Error.TIMEOUT))
            throw e;
        print(`still solving: task ${task.task_id}`);
        client.deadline = 150000;
        // The same task again: polled, not created (nor billed) twice.
        solution = await client.solve_async(task, null);
    }
    // [/doc]
    print(`token: ${solution.get_token()}`);
    service.stop();
    if (service.get_request_count('createTask') !== 1)
        throw new Error('the task was created twice');
});
