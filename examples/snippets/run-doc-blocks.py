#!/usr/bin/python3
# run-doc-blocks.py: every code block of the guide pages that starts with
# imports is a whole program; this runs each one exactly as the page shows
# it, with nothing added but the two variables the pages name,
# CAPSOLVER_API_KEY and CAPSOLVER_BASE_URL, pointing at a sandbox.
#
#   run-doc-blocks.py PAGE|DIR...        run the blocks of these pages (DIR: its *.md)
#   run-doc-blocks.py --program FILE     run one program the same way
#
# Python blocks run with this Python, JavaScript blocks with `gjs -m`, C
# blocks are built with `cc` and pkg-config (PKG_CONFIG_PATH names the
# uninstalled library when run from the build tree).
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver  # noqa: E402

FENCE = re.compile(r'^```(\w+)\s*$')
STARTS_WITH_IMPORTS = {
    'python': re.compile(r'^(import |from \S+ import )'),
    'js': re.compile(r'^(import |const \{\w+\} = imports\.)'),
    'c': re.compile(r'^#include '),
}
SUFFIX = {'python': '.py', 'js': '.js', 'c': '.c'}
TIMEOUT = 60


def blocks(page):
    """Yields (line, language, text) for each block that starts with imports."""
    lines = open(page, encoding='utf-8').read().split('\n')
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        end = lines.index('```', i + 1)
        language = match.group(1)
        body = lines[i + 1:end]
        first = next((line for line in body if line.strip()), '')
        rule = STARTS_WITH_IMPORTS.get(language)
        if rule and rule.match(first):
            yield i + 2, language, '\n'.join(body) + '\n'
        i = end + 1


def command(language, path, workdir):
    if language == 'python':
        return [sys.executable, path]
    if language == 'js':
        return ['gjs', '-m', path]
    flags = subprocess.run(['pkg-config', '--cflags', '--libs', 'capsolver-glib-1'],
                           check=True, capture_output=True, text=True).stdout
    program = os.path.join(workdir, 'program')
    subprocess.run([os.environ.get('CC', 'cc'), '-Wall', '-Werror', '-o', program, path]
                   + shlex.split(flags), check=True)
    return [program]


def run(language, path, env):
    with tempfile.TemporaryDirectory() as workdir:
        try:
            argv = command(language, path, workdir)
            done = subprocess.run(argv, env=env, timeout=TIMEOUT, cwd=workdir,
                                  capture_output=True, text=True)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
            return False, str(e)
        return done.returncode == 0, done.stdout + done.stderr


def sandbox_env(sandbox):
    env = dict(os.environ)
    env['CAPSOLVER_API_KEY'] = CapSolver.SANDBOX_DEFAULT_KEY
    env['CAPSOLVER_BASE_URL'] = sandbox.get_base_url()
    return env


def main(argv):
    sandbox = CapSolver.Sandbox()
    sandbox.start(0)
    sandbox.set_polls_until_ready(0)   # ready at the first poll
    env = sandbox_env(sandbox)

    if argv[1:2] == ['--program']:
        path = argv[2]
        language = {v: k for k, v in SUFFIX.items()}[os.path.splitext(path)[1]]
        ok, output = run(language, os.path.abspath(path), env)
        sys.stdout.write(output)
        return 0 if ok else 1

    pages = []
    for arg in argv[1:]:
        pages += sorted(glob.glob(os.path.join(arg, '*.md'))) if os.path.isdir(arg) else [arg]
    count, failures = 0, []
    for page in pages:
        for line, language, text in blocks(page):
            count += 1
            with tempfile.NamedTemporaryFile('w', suffix=SUFFIX[language]) as f:
                f.write(text)
                f.flush()
                ok, output = run(language, f.name, env)
            where = '%s:%d (%s)' % (os.path.basename(page), line, language)
            print('%s %s' % ('ok  ' if ok else 'FAIL', where))
            if not ok:
                failures.append(where)
                print(output)
    sandbox.stop()
    print('%d blocks, %d failed' % (count, len(failures)))
    if count == 0:
        print('no block starts with imports: the pages or this test changed')
        return 1
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
