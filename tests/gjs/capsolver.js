// capsolver.js: capsolver-glib from GJS, against an in-process CsSandbox
// (its HTTP server runs in its own thread, so blocking calls work here).
//
// The cases carry the scenario names shared with the Python and Vala
// suites (tests/README.md). Each case runs its asynchronous part on the main loop, with a guard
// timeout, and returns what happened; the checks run after the loop
// returns. The output is TAP; any failed check makes the exit status 1.
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Json from 'gi://Json';

import {check, finish, runLoop} from './harness.js';

const {CapSolver, promisifyAll} = imports.capsolver;

// The sample image of the examples, and the answer its
// capsolver-sandbox-answer PNG chunk gives the sandbox.
const CAPTCHA = GLib.build_filenamev([GLib.getenv('G_TEST_SRCDIR'),
    '..', 'examples', 'data', 'sample-captcha.png']);
const CAPTCHA_ANSWER = 'K7WP3R';
const PAGE = 'https://example.com/login';
const SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-';
const ZERO_KEY = 'CAP-GJS-ZERO-BALANCE-0000000000000000000000000000000000000000000000000';
const UNKNOWN_KEY = 'CAP-GJS-UNKNOWN-KEY-00000000000000000000000000000000000000000000000000';

/* Runs one case with a fresh sandbox: setup(sandbox) returns the state the
 * case works on, body(state) its asynchronous part, verify(state, outcome)
 * the checks, run after the loop. */
function testCase(name, {setup = () => ({}), body = async () => undefined, verify}) {
    const sandbox = CapSolver.Sandbox.new();
    sandbox.start(0);
    try {
        const state = setup(sandbox);
        state.sandbox = sandbox;
        const outcome = runLoop(() => body(state));
        check(!outcome.timedOut, `${name}: finished in time`);
        verify(state, outcome, (condition, what) => check(condition, `${name}: ${what}`));
    } catch (e) {
        check(false, `${name}: unexpected exception ${e}\n${e.stack}`);
    } finally {
        sandbox.stop();
    }
}

function makeClient(sandbox, key = CapSolver.SANDBOX_DEFAULT_KEY, props = {}) {
    return new CapSolver.Client({
        api_key: key,
        base_url: sandbox.get_base_url(),
        first_poll_delay: 10,
        poll_interval: 10,
        ...props,
    });
}

function tokenTask(page = PAGE) {
    return new CapSolver.ReCaptchaV2Task({website_url: page, website_key: SITE_KEY});
}

function watchStatus(task) {
    const statuses = [];
    task.connect('notify::status', t => statuses.push(t.status));
    return statuses;
}

function isCsError(error, code) {
    return error instanceof GLib.Error && error.matches(CapSolver.Error, code);
}

function captchaBytes() {
    const [, contents] = GLib.file_get_contents(CAPTCHA);
    return new GLib.Bytes(contents);
}

// --- Promisification ------------------------------------------------------------

{
    const pairs = promisifyAll(CapSolver);
    for (const method of ['create_task_async', 'get_task_result_async', 'solve_async',
        'get_balance_async', 'feedback_task_async'])
        check(pairs.includes(`Client.${method}`), `Client.${method} is promisified`);
}

// --- Tasks answered at once ---------------------------------------------------

testCase('sync-answer/blocking', {
    setup: sandbox => {
        const client = makeClient(sandbox);
        const task = CapSolver.ImageToTextTask.new_from_file(Gio.File.new_for_path(CAPTCHA));
        return {created: client.create_task(task, null), task};
    },
    verify: ({created, task, sandbox}, outcome, ok) => {
        ok(created, 'create_task returns true');
        ok(task.status === CapSolver.TaskStatus.READY, 'the task is ready at once');
        ok(task.solution?.get_text() === CAPTCHA_ANSWER, 'the text is the answer');
        ok(task.poll_count === 0, 'no poll was made');
        ok(sandbox.get_request_count('getTaskResult') === 0, 'the sandbox saw no getTaskResult');
    },
});

testCase('sync-answer/async', {
    setup: sandbox => ({client: makeClient(sandbox), task: CapSolver.ImageToTextTask.new_from_bytes(captchaBytes())}),
    body: ({client, task}) => client.solve_async(task, null),
    verify: ({task}, {value, error}, ok) => {
        ok(error === undefined, `no error (${error})`);
        ok(value?.get_text() === CAPTCHA_ANSWER, 'the text is the answer');
        ok(task.poll_count === 0, 'no poll was made');
    },
});

// --- Polled tasks -----------------------------------------------------------------

function pollingSetup(sandbox) {
    sandbox.set_polls_until_ready(3);
    const task = tokenTask();
    return {client: makeClient(sandbox), task, statuses: watchStatus(task)};
}

function verifySolvedTokenTask({task, statuses}, solution, ok) {
    ok(Boolean(solution?.get_token()), 'the solution has a token');
    ok(task.solution === solution, 'the task holds the solution');
    ok(Boolean(task.task_id), 'the task has an id');
    ok(task.poll_count >= 2, 'the task was polled');
    ok(statuses.includes(CapSolver.TaskStatus.PROCESSING), 'notify::status reported processing');
    ok(statuses.at(-1) === CapSolver.TaskStatus.READY, 'notify::status reported ready last');
}

testCase('polled/blocking', {
    setup: sandbox => {
        const state = pollingSetup(sandbox);
        state.solution = state.client.solve(state.task, null);
        return state;
    },
    verify: (state, outcome, ok) => verifySolvedTokenTask(state, state.solution, ok),
});

testCase('polled/async', {
    setup: pollingSetup,
    body: ({client, task}) => client.solve_async(task, null),
    verify: (state, {value, error}, ok) => {
        ok(error === undefined, `no error (${error})`);
        verifySolvedTokenTask(state, value, ok);
    },
});

testCase('polled/create-then-poll', {
    setup: pollingSetup,
    body: async ({client, task}) => {
        const created = await client.create_task_async(task, null);
        const idAfterCreate = task.task_id;
        const results = [];
        while (task.status !== CapSolver.TaskStatus.READY && results.length < 10)
            results.push(await client.get_task_result_async(task, null));
        return {created, idAfterCreate, results};
    },
    verify: ({task}, {value, error}, ok) => {
        ok(error === undefined, `no error (${error})`);
        ok(value?.created === true, 'create_task_async resolves to true');
        ok(Boolean(value?.idAfterCreate), 'the task has an id after createTask');
        ok(value?.results.every(r => r === true), 'every get_task_result_async resolves to true');
        ok(task.status === CapSolver.TaskStatus.READY, 'the task ends ready');
        ok(Boolean(task.solution?.get_token()), 'the task has a token');
    },
});

// --- Account ----------------------------------------------------------------

testCase('account/balance-and-feedback', {
    setup: sandbox => {
        const client = makeClient(sandbox);
        const task = tokenTask();
        client.solve(task, null);
        return {
            client, task,
            balance: client.get_balance(null),
            feedback: client.feedback_task(task, false, 0, 'accepted', null),
        };
    },
    body: async ({client, task}) => ({
        balance: await client.get_balance_async(null),
        feedback: await client.feedback_task_async(task, true, 1001, 'rejected', null),
    }),
    verify: (state, {value, error}, ok) => {
        // The solved token task is charged its price.
        const expected = 100 - state.sandbox.get_price('ReCaptchaV2TaskProxyLess');
        ok(error === undefined, `no error (${error})`);
        ok(Math.abs(state.balance.get_amount() - expected) < 1e-9, 'the blocking balance is 100 less the price');
        ok(state.feedback === true, 'the blocking feedback is accepted');
        ok(Math.abs(value?.balance.get_amount() - expected) < 1e-9, 'the async balance is 100 less the price');
        ok(value?.feedback === true, 'the async feedback is accepted');
        // What was spent: one solve, two feedbacks, the price as estimate.
        const usage = state.client.get_usage();
        ok(usage.get_submitted() === 1 && usage.get_solved() === 1, 'one solve, solved');
        ok(usage.get_feedback_sent() === 2, 'two feedbacks counted');
        ok(Math.abs(usage.get_estimated_cost() - (100 - expected)) < 1e-9,
            'the cost is the price, estimated');
    },
});

// --- Typed tasks ---------------------------------------------------------------------

testCase('typed-tasks/construction', {
    setup: sandbox => {
        const fromProps = new CapSolver.ReCaptchaV2Task({
            website_url: PAGE, website_key: SITE_KEY, invisible: true, page_action: 'login',
        });
        const fromNew = CapSolver.ReCaptchaV2Task.new(PAGE, SITE_KEY);
        const turnstile = new CapSolver.TurnstileTask({website_url: PAGE, website_key: '0x4AAAAAAA'});
        const geetest = new CapSolver.GeeTestTask({website_url: PAGE, captcha_id: 'geetest-v4-id'});
        const generic = new CapSolver.Task({type_name: 'ReCaptchaV3TaskProxyLess'});
        generic.set_string('websiteURL', PAGE);
        generic.set_string('websiteKey', SITE_KEY);
        generic.set_string('pageAction', 'submit');
        return {fromProps, fromNew, turnstile, geetest, generic, client: makeClient(sandbox)};
    },
    body: async ({client, fromProps, turnstile, geetest, generic}) => [
        await client.solve_async(fromProps, null),
        await client.solve_async(turnstile, null),
        await client.solve_async(generic, null),
        await client.solve_async(geetest, null),
    ],
    verify: ({fromProps, fromNew, geetest, generic}, {value, error}, ok) => {
        const json = fromProps.to_json();
        ok(json.get_string_member('type') === 'ReCaptchaV2TaskProxyLess', 'the type follows the proxy');
        ok(json.get_string_member('websiteURL') === PAGE, 'website-url is websiteURL');
        ok(json.get_boolean_member('isInvisible') === true, 'invisible is isInvisible');
        ok(fromNew.website_key === SITE_KEY, 'the C constructor sets website-key');
        ok(fromNew instanceof CapSolver.Task, 'a typed task is a CapSolver.Task');
        ok(generic.get_field('pageAction')?.get_string() === 'submit', 'generic fields read back');
        ok(error === undefined, `no error (${error})`);
        ok(value?.length === 4 && value.slice(0, 3).every(s => Boolean(s.get_token())), 'the token tasks are solved');
        ok(geetest.to_json().get_string_member('captchaId') === 'geetest-v4-id', 'captcha-id is captchaId');
        ok(geetest.get_type_name() === 'GeeTestTaskProxyLess', 'GeeTest without a proxy is ProxyLess');
        ok(Boolean(value?.[3]?.get_geetest_captcha_output()), 'GeeTest v4 answers captcha_output');
    },
});

// --- Task types -----------------------------------------------------------------

/* A task of the first variant of a type, its required fields filled from
 * the schema: their examples, the sample image for an image field. */
function taskFromSchema(type, image) {
    const task = type.new_task();
    const chosen = new Set();
    if (type.get_proxy_requirement() === CapSolver.ProxyRequirement.REQUIRED)
        task.proxy = CapSolver.Proxy.new_from_string('http:192.0.2.10:8080:user:pass');
    for (const field of type.get_fields()) {
        const unless = field.get_required_unless();
        const member = field.get_member();
        if (!field.is_required() || (unless !== null && chosen.has(unless)))
            continue;
        chosen.add(member);
        if (field.is_image() && field.get_kind() === CapSolver.TaskFieldKind.STRV)
            task.set_json(member, Json.from_string(JSON.stringify([image])));
        else if (field.is_image() || field.get_kind() === CapSolver.TaskFieldKind.STRING)
            task.set_string(member, field.is_image() ? image : field.get_example());
        else
            task.set_json(member, Json.from_string(field.get_example()));
    }
    return task;
}

testCase('task-types/every-type', {
    setup: sandbox => {
        const image = GLib.base64_encode(captchaBytes().toArray());
        const types = CapSolver.TaskType.get_all();
        const tasks = types.map(type => taskFromSchema(type, image));
        return {types, tasks, client: makeClient(sandbox)};
    },
    body: async ({client, tasks}) => {
        const solutions = [];
        for (const task of tasks)
            solutions.push(await client.solve_async(task, null));
        return solutions;
    },
    verify: ({types, tasks}, {value, error}, ok) => {
        ok(types.length >= 14, 'the schema lists the types');
        ok(error === undefined, `no error (${error})`);
        ok(tasks.every((task, i) => task.get_task_type().get_name() === types[i].get_name()),
            'each task is of its type');
        ok(value?.length === types.length &&
            tasks.every(t => t.status === CapSolver.TaskStatus.READY), 'every type is solved');
    },
});

// --- Errors ---------------------------------------------------------------------

function captureError(call) {
    try {
        call();
    } catch (e) {
        return e;
    }
    return null;
}

testCase('errors/zero-balance', {
    setup: sandbox => {
        sandbox.add_key(ZERO_KEY, 0);
        const client = makeClient(sandbox, ZERO_KEY);
        return {client, blocking: captureError(() => client.solve(tokenTask(), null))};
    },
    body: ({client}) => client.solve_async(tokenTask(), null),
    verify: ({blocking}, {error}, ok) => {
        ok(isCsError(blocking, CapSolver.Error.ZERO_BALANCE), `blocking: ZERO_BALANCE (${blocking})`);
        ok(isCsError(error, CapSolver.Error.ZERO_BALANCE), `async: ZERO_BALANCE (${error})`);
        ok(error?.code === CapSolver.Error.ZERO_BALANCE, 'the code is ZERO_BALANCE');
        ok(CapSolver.error_to_code(error?.code) === 'ERROR_ZERO_BALANCE', 'the code text');
        ok(error?.message.startsWith('ERROR_ZERO_BALANCE: '), 'the message starts with the code');
        ok(CapSolver.error_get_retry_class(error) === CapSolver.RetryClass.PERMANENT, 'permanent');
    },
});

testCase('errors/key-denied-access', {
    setup: sandbox => {
        const client = makeClient(sandbox, UNKNOWN_KEY);
        return {client, blocking: captureError(() => client.get_balance(null))};
    },
    body: ({client}) => client.solve_async(tokenTask(), null),
    verify: ({blocking}, {error}, ok) => {
        ok(isCsError(blocking, CapSolver.Error.KEY_DENIED_ACCESS), `blocking: KEY_DENIED_ACCESS (${blocking})`);
        ok(isCsError(error, CapSolver.Error.KEY_DENIED_ACCESS), `async: KEY_DENIED_ACCESS (${error})`);
        ok(!error?.message.includes(UNKNOWN_KEY), 'the key is not in the message');
    },
});

testCase('errors/captcha-unsolvable', {
    setup: sandbox => {
        const client = makeClient(sandbox);
        sandbox.fail_next_task('ERROR_CAPTCHA_UNSOLVABLE');
        const blocking = captureError(() => client.solve(tokenTask(), null));
        return {client, blocking, task: tokenTask(`${CapSolver.SANDBOX_ERROR_URL_PREFIX}ERROR_CAPTCHA_UNSOLVABLE`)};
    },
    body: ({client, task}) => client.solve_async(task, null),
    verify: ({blocking, task}, {error}, ok) => {
        ok(isCsError(blocking, CapSolver.Error.CAPTCHA_UNSOLVABLE), `blocking: CAPTCHA_UNSOLVABLE (${blocking})`);
        ok(isCsError(error, CapSolver.Error.CAPTCHA_UNSOLVABLE), `async: CAPTCHA_UNSOLVABLE (${error})`);
        ok(CapSolver.error_get_retry_class(error) === CapSolver.RetryClass.NEW_TASK, 'a new task may succeed');
        ok(task.status === CapSolver.TaskStatus.FAILED, 'the task failed');
    },
});

// --- Cancellation -------------------------------------------------------------------

testCase('cancel/async', {
    setup: sandbox => {
        sandbox.fault_delay = 5000;
        sandbox.inject_fault(CapSolver.SandboxFault.DELAY, 1);
        return {client: makeClient(sandbox), cancellable: new Gio.Cancellable()};
    },
    body: ({client, cancellable}) => {
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 100, () => {
            cancellable.cancel();
            return GLib.SOURCE_REMOVE;
        });
        return client.solve_async(tokenTask(), cancellable);
    },
    verify: (state, {error}, ok) => {
        ok(error instanceof GLib.Error && error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED),
            `the solve is cancelled (${error})`);
    },
});

testCase('cancel/blocking', {
    setup: sandbox => {
        const cancellable = new Gio.Cancellable();
        cancellable.cancel();
        return {error: captureError(() => makeClient(sandbox).solve(tokenTask(), cancellable))};
    },
    verify: ({error}, outcome, ok) => {
        ok(error instanceof GLib.Error && error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED),
            `the solve is cancelled (${error})`);
    },
});

// --- Deadline, then resume ------------------------------------------------------------

// The sandbox holds the task back for 2 s after createTask, far beyond the
// 200 ms deadline of the first solve, whatever the load of the machine.
testCase('deadline/timeout-then-resume', {
    setup: sandbox => {
        sandbox.set_ready_delay(2000);
        const client = makeClient(sandbox, CapSolver.SANDBOX_DEFAULT_KEY, {poll_interval: 100});
        const task = tokenTask();
        return {client, task, created: client.create_task(task, null), idAfterCreate: task.task_id};
    },
    body: async ({client, task}) => {
        let timeout = null;
        client.deadline = 200;
        try {
            await client.solve_async(task, null);
        } catch (e) {
            timeout = e;
        }
        const idAfterTimeout = task.task_id;
        client.deadline = 20000;
        const solution = await client.solve_async(task, null);
        return {timeout, idAfterTimeout, solution};
    },
    verify: ({task, sandbox, created, idAfterCreate}, {value, error}, ok) => {
        ok(created && Boolean(idAfterCreate), 'the task is created');
        ok(error === undefined, `no error on resume (${error})`);
        ok(isCsError(value?.timeout, CapSolver.Error.TIMEOUT), `the deadline gives TIMEOUT (${value?.timeout})`);
        ok(value?.idAfterTimeout === idAfterCreate, 'the task keeps its id after the timeout');
        ok(task.task_id === idAfterCreate, 'the resumed task has the same id');
        ok(Boolean(value?.solution?.get_token()), 'the resumed solve has a token');
        ok(sandbox.get_request_count('createTask') === 1, 'only one task was created');
    },
});

// --- A client from the environment ---------------------------------------------------

testCase('environment/new-from-environment', {
    setup: sandbox => {
        GLib.setenv('CAPSOLVER_API_KEY', CapSolver.SANDBOX_DEFAULT_KEY, true);
        GLib.setenv('CAPSOLVER_BASE_URL', sandbox.get_base_url(), true);
        const client = CapSolver.Client.new_from_environment();
        GLib.unsetenv('CAPSOLVER_API_KEY');
        const denied = captureError(() => CapSolver.Client.new_from_environment());
        GLib.unsetenv('CAPSOLVER_BASE_URL');
        return {client, denied};
    },
    body: ({client}) => client.get_balance_async(null),
    verify: ({client, sandbox, denied}, {value, error}, ok) => {
        ok(client.base_url === sandbox.get_base_url(), 'the base URL comes from CAPSOLVER_BASE_URL');
        ok(error === undefined && value?.get_amount() === 100, `the key comes from CAPSOLVER_API_KEY (${error})`);
        ok(isCsError(denied, CapSolver.Error.KEY_DENIED_ACCESS), `no key: KEY_DENIED_ACCESS (${denied})`);
    },
});

finish();
