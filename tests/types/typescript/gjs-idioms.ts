// gjs-idioms.ts: every idiom of the GJS pages of the guide (docs/gjs.md,
// overview.md, errors.md, polling.md, sandbox.md), as a TypeScript program.
// test_typescript.py type-checks it with tsc --strict against the
// generated capsolver-1.d.ts and ts-for-gir's GLib, GObject and Gio: it
// must pass without a single error.
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';

// The one line of setup: every *_async method now returns a Promise.
const {CapSolver} = imports.capsolver;

const SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-';

async function overview(): Promise<string | null> {
    const client = CapSolver.Client.new_from_environment();   // CAPSOLVER_API_KEY
    const task = new CapSolver.ReCaptchaV2Task({
        website_url: 'https://example.com/login',
        website_key: SITE_KEY,
    });
    try {
        const solution = await client.solve_async(task, null);
        print(solution.get_token());
        return solution.get_token();
    } catch (e) {
        if (e instanceof GLib.Error)
            print(`task ${task.task_id}: ${CapSolver.error_get_code_text(e)} (${e.message})`);
        return null;
    }
}

async function errors(client: InstanceType<typeof CapSolver.Client>): Promise<void> {
    const task = CapSolver.ReCaptchaV2Task.new('https://example.com/login', SITE_KEY);
    try {
        await client.solve_async(task, null);
    } catch (e) {
        if (e instanceof GLib.Error && e.matches(CapSolver.Error, CapSolver.Error.ZERO_BALANCE)) {
            print(`top up the account (${CapSolver.error_to_code(e.code)})`);
        } else if (e instanceof CapSolver.Error &&
                   CapSolver.error_get_retry_class(e) === CapSolver.RetryClass.COOLDOWN) {
            // An error of the domain is a CapSolver.Error at run time too.
            print(`wait ${CapSolver.error_get_cooldown(e)} s`);
        } else {
            throw e;
        }
    }
}

async function polling(): Promise<void> {
    const client = CapSolver.Client.new_from_environment();
    const task = CapSolver.ReCaptchaV2Task.new('https://example.com/login', SITE_KEY);
    let solution;
    client.deadline = 500;   // milliseconds
    client.poll_interval = 200;
    try {
        solution = await client.solve_async(task, null);
    } catch (e) {
        if (!(e instanceof GLib.Error && e.matches(CapSolver.Error, CapSolver.Error.TIMEOUT)))
            throw e;
        print(`still solving: task ${task.task_id}`);
        client.deadline = 150000;
        solution = await client.solve_async(task, null);
    }
    print(`token: ${solution.get_token()}`);
}

async function sandboxed(): Promise<void> {
    const sandbox = new CapSolver.Sandbox();
    sandbox.start(0);   // any free port
    const client = new CapSolver.Client({
        api_key: CapSolver.SANDBOX_DEFAULT_KEY,
        base_url: sandbox.get_base_url(),
        first_poll_delay: 10,   // tests need not wait
        poll_interval: 10,
    });
    sandbox.fail_next_task('ERROR_CAPTCHA_UNSOLVABLE');
    const task = CapSolver.ReCaptchaV2Task.new('https://example.com/login', SITE_KEY);
    let error: unknown = null;
    try {
        await client.solve_async(task, null);
    } catch (e) {
        error = e;
    }
    sandbox.stop();
    if (!(error instanceof CapSolver.Error &&
          error.matches(CapSolver.Error, CapSolver.Error.CAPTCHA_UNSOLVABLE)))
        throw new Error(`expected ERROR_CAPTCHA_UNSOLVABLE, got ${error}`);
    GLib.setenv('CAPSOLVER_BASE_URL', sandbox.get_base_url() ?? '', true);
    sandbox.add_key('CAP-OTHER', 0);
    sandbox.set_polls_until_ready(0);
    sandbox.set_ready_delay(1500);
    sandbox.fault_delay = 5000;
    sandbox.inject_fault(CapSolver.SandboxFault.DELAY, 1);
    print(`${sandbox.get_request_count('createTask')}`);
    errors(client).catch(logError);
}

async function example(image: string): Promise<void> {
    const client = new CapSolver.Client({api_key: 'CAP-KEY'});
    const imageTask = CapSolver.ImageToTextTask.new_from_file(
        Gio.File.new_for_commandline_arg(image));
    const solution = await client.solve_async(imageTask, null);
    print(`image text: ${solution.get_text()}`);
    const recaptcha = new CapSolver.ReCaptchaV2Task({website_url: 'u', website_key: SITE_KEY});
    recaptcha.connect('notify::status', task => {
        print(`  status: ${Object.keys(CapSolver.TaskStatus).find(
            k => CapSolver.TaskStatus[k as keyof typeof CapSolver.TaskStatus] === task.status)}`);
    });
    const cancellable = new Gio.Cancellable();
    GLib.timeout_add(GLib.PRIORITY_DEFAULT, 200, () => {
        cancellable.cancel();
        return GLib.SOURCE_REMOVE;
    });
    try {
        await client.solve_async(CapSolver.ReCaptchaV2Task.new('u', SITE_KEY), cancellable);
    } catch (e) {
        if (!(e instanceof GLib.Error && e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED)))
            throw e;
    }
    // The callback forms stay.
    client.get_balance_async(null, (source, result) => {
        print(`${source?.get_balance_finish(result).get_amount()} USD`);
    });
    const balance = await client.get_balance_async(null);
    print(`${balance.get_amount()}`);
    // The schema of task types.
    const type = CapSolver.TaskType.lookup('ReCaptchaV2Task');
    if (type !== null)
        print(`${type.get_name()}: ${type.get_fields().map(f => f.get_member()).join(', ')}`);
}

// The namespace through imports.gi and gi:// is the same, less the Promises.
imports.gi.versions.CapSolver = '1';
const plain = imports.gi.CapSolver;
plain.Client.new_from_environment().solve_async(
    plain.ReCaptchaV2Task.new('u', SITE_KEY), null, (client, result) => {
        print(`${client?.solve_finish(result).get_token()}`);
    });

const loop = new GLib.MainLoop(null, false);
Promise.all([overview(), polling(), sandboxed(), example('captcha.png')])
    .catch(logError)
    .finally(() => loop.quit());
loop.run();
