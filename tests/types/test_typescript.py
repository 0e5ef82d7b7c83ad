#!/usr/bin/python3
# test_typescript.py: the generated TypeScript declarations of gi://CapSolver
# against tsc --strict, beside ts-for-gir's declarations of GLib, GObject,
# Gio, Soup and Json (generated here from the system's GIR files).
#
#   test_typescript.py DTS NODE_MODULES WORK_DIR
#
# typescript/gjs-idioms.ts, every idiom of the GJS pages, must type-check
# without an error; typescript/gjs-mistakes.ts must give, on each line
# marked "// error TSnnnn", that error, and no error anywhere else.
# NODE_MODULES is tests/types/node_modules, which `tools/quickstart test`
# fills (npm ci, from package-lock.json): without it the test fails.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import re
import shutil
import subprocess
import sys
import unittest

DTS, NODE_MODULES, WORK = [os.path.abspath(a) for a in sys.argv[1:4]]
HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, 'typescript')
IDIOMS = os.path.join(PROGRAMS, 'gjs-idioms.ts')
MISTAKES = os.path.join(PROGRAMS, 'gjs-mistakes.ts')
DEPENDENCIES = ['GLib-2.0', 'GObject-2.0', 'Gio-2.0', 'Soup-3.0', 'Json-1.0']
ERROR = re.compile(r'^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$')


def tool(package, script):
    node = shutil.which('node')
    path = os.path.join(NODE_MODULES, package, script)
    if node is None or not os.path.exists(path):
        raise SystemExit('test_typescript.py: %s is missing: run `tools/quickstart test`, or '
                         '`npm ci` in tests/types (it needs node and npm)'
                         % (path if node else 'node'))
    return [node, path]


def run_tsc():
    """Generates the dependencies' declarations, type-checks both programs
    in one tsc run, and returns {file: [(line, code, message)]}."""
    girs = os.path.join(WORK, 'girs')
    shutil.rmtree(girs, ignore_errors=True)
    os.makedirs(WORK, exist_ok=True)
    subprocess.run(tool('@ts-for-gir/cli', 'bin/ts-for-gir') +
                   ['generate'] + DEPENDENCIES +
                   ['--outdir', girs, '--ignoreVersionConflicts', '--noComments'],
                   check=True, stdout=subprocess.DEVNULL, cwd=WORK)
    files = [os.path.join(girs, 'index.d.ts')]
    files += [os.path.join(girs, name.lower() + '.d.ts') for name in DEPENDENCIES]
    config = {
        'compilerOptions': {
            'strict': True, 'noEmit': True, 'target': 'ES2022', 'module': 'ES2022',
            'moduleResolution': 'bundler', 'lib': ['ES2022'], 'types': [],
        },
        'files': files + [DTS, IDIOMS, MISTAKES],
    }
    with open(os.path.join(WORK, 'tsconfig.json'), 'w', encoding='utf-8') as f:
        json.dump(config, f, indent=2)
    result = subprocess.run(tool('typescript', 'bin/tsc') + ['-p', WORK, '--pretty', 'false'],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=WORK)
    print(result.stdout)
    errors = {}
    for line in result.stdout.splitlines():
        match = ERROR.match(line)
        if match:
            path = os.path.normpath(os.path.join(WORK, match.group(1)))
            errors.setdefault(path, []).append((int(match.group(2)), match.group(3),
                                                match.group(4)))
        elif line and not line.startswith(' '):
            # Anything else tsc prints is a failure of the run itself.
            errors.setdefault('tsc', []).append((0, '', line))
    return errors


class TypeScriptTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.errors = run_tsc()

    def test_idioms_type_check(self):
        self.assertEqual(self.errors.get(IDIOMS, []), [])

    def test_declarations_type_check(self):
        # Without skipLibCheck: the generated file is checked too.
        self.assertEqual(self.errors.get(DTS, []), [])
        self.assertEqual(self.errors.get('tsc', []), [])

    def test_mistakes_flagged(self):
        expected = set()
        with open(MISTAKES, encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                marker = re.search(r'// error (TS\d+)$', line.rstrip())
                if marker:
                    expected.add((number, marker.group(1)))
        self.assertGreaterEqual(len(expected), 10)
        found = {(line, code) for line, code, _ in self.errors.get(MISTAKES, [])}
        self.assertEqual(found, expected)

    def test_nothing_else(self):
        self.assertEqual(set(self.errors) - {IDIOMS, MISTAKES, DTS, 'tsc'}, set(),
                         'errors in the dependencies\' declarations')


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
