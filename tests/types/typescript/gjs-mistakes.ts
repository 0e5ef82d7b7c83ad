// gjs-mistakes.ts: mistakes that tsc --strict must flag, each on the line
// that names the error it must give (test_typescript.py checks that every
// marked line, and no other, has that error).
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import CapSolver from 'gi://CapSolver';

async function mistakes(): Promise<void> {
    const client = CapSolver.Client.new_from_environment();
    const task = CapSolver.ReCaptchaV2Task.new('https://example.com/login', 'key');

    // Without imports.capsolver nothing is promisified: GJS throws.
    await client.solve_async(task, null);   // error TS2554
    await client.get_balance_async(null);   // error TS2554

    const {CapSolver: Awaitable} = imports.capsolver;
    const awaitable = Awaitable.Client.new_from_environment();
    await awaitable.solve_async(task);   // error TS2554
    await awaitable.solve_asnyc(task, null);   // error TS2551
    const token: string = (await awaitable.solve_async(task, null)).get_token();   // error TS2322

    new Awaitable.Client({base_url: 42});   // error TS2322
    new Awaitable.ReCaptchaV2Task({website_ulr: 'https://example.com'});   // error TS2561
    print(`${Awaitable.Error.NO_SUCH_CODE}`);   // error TS2339
    new CapSolver.TaskType();   // error TS2673
    CapSolver.TaskType.lookup('ReCaptchaV2Task').get_name();   // error TS2531
    task.connect('solved', () => {});   // error TS2345
    print(token);
}

mistakes().catch(logError);
