// capsolver.js: makes every asynchronous call of capsolver-glib awaitable
//
// SPDX-FileCopyrightText: 2026 The capsolver-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Load it once, from a script or an ES module, before the first call:
//
//     const {CapSolver} = imports.capsolver;
//     const solution = await client.solve_async(task, null);
//
// Every `foo_async`/`foo_finish` pair of every class of the CapSolver
// namespace (today CapSolver.Client's create_task, get_task_result, solve,
// get_balance and feedback_task) then returns a Promise when it is called
// without a callback; called with one it works as before. The cancellable
// argument stays: pass null for none.
//
// It is installed in GJS's module directory (datadir/gjs-1.0); run
// uninstalled with GJS_PATH pointing at this directory.

/* exported CapSolver, promisifyAll */

const Gio = imports.gi.Gio;
imports.gi.versions.CapSolver = '1';
var CapSolver = imports.gi.CapSolver;

/**
 * Applies Gio._promisify() to every `_async` method of every class of a
 * namespace that has a matching `_finish` method.
 *
 * @param {object} namespace - an introspected namespace, such as CapSolver
 * @returns {string[]} the promisified methods, as "Class.method_async"
 */
function promisifyAll(namespace) {
    const done = [];

    for (const name of Object.keys(namespace)) {
        const klass = namespace[name];
        if (typeof klass !== 'function' || !klass.prototype)
            continue;
        const proto = klass.prototype;
        for (const method of Object.getOwnPropertyNames(proto)) {
            if (!method.endsWith('_async'))
                continue;
            const finish = method.replace(/_async$/, '_finish');
            if (typeof proto[finish] !== 'function')
                continue;
            Gio._promisify(proto, method, finish);
            done.push(`${name}.${method}`);
        }
    }
    return done;
}

promisifyAll(CapSolver);
