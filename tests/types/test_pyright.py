#!/usr/bin/python3
# test_pyright.py: the generated Python stub of the CapSolver namespace under
# pyright, installed as it is installed (gi-stubs, a partial stub package).
#
#   test_pyright.py STUB NODE_MODULES WORK_DIR
#
# python/correct.py must type-check without an error; python/mistakes.py
# must give, on each line marked "# error: RULE", an error of that rule, and
# no error anywhere else. NODE_MODULES is tests/types/node_modules, which
# `tools/quickstart test` fills (npm ci): without it the test fails.
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

STUB, NODE_MODULES, WORK = [os.path.abspath(a) for a in sys.argv[1:4]]
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_STUBS = os.path.join(HERE, '..', '..', 'bindings', 'python', 'gi-stubs')
CORRECT = os.path.join(HERE, 'python', 'correct.py')
MISTAKES = os.path.join(HERE, 'python', 'mistakes.py')


def run_pyright():
    """{file: [(line, rule, message)]} of pyright's errors on both files."""
    node = shutil.which('node')
    pyright = os.path.join(NODE_MODULES, 'pyright', 'index.js')
    if node is None or not os.path.exists(pyright):
        raise SystemExit('test_pyright.py: %s is missing: run `tools/quickstart test`, or '
                         '`npm ci` in tests/types (it needs node and npm)'
                         % (pyright if node else 'node'))
    stubs = os.path.join(WORK, 'site')
    shutil.rmtree(stubs, ignore_errors=True)
    shutil.copytree(SOURCE_STUBS, os.path.join(stubs, 'gi-stubs'))
    shutil.copy(STUB, os.path.join(stubs, 'gi-stubs', 'repository', 'CapSolver.pyi'))
    config = {'extraPaths': [stubs], 'typeCheckingMode': 'standard',
              'include': [os.path.relpath(path, WORK) for path in (CORRECT, MISTAKES)]}
    with open(os.path.join(WORK, 'pyrightconfig.json'), 'w', encoding='utf-8') as f:
        json.dump(config, f, indent=2)
    result = subprocess.run([node, pyright, '--outputjson', '--pythonpath', sys.executable,
                             '-p', WORK], stdout=subprocess.PIPE, text=True, cwd=WORK)
    report = json.loads(result.stdout)
    if report['summary']['filesAnalyzed'] != 2:
        raise SystemExit('test_pyright.py: pyright checked %d files, not 2'
                         % report['summary']['filesAnalyzed'])
    errors = {}
    for d in report['generalDiagnostics']:
        if d['severity'] == 'error':
            errors.setdefault(os.path.normpath(d['file']), []).append(
                (d['range']['start']['line'] + 1, d.get('rule', ''), d['message']))
    print(json.dumps(errors, indent=1))
    return errors


class PyrightTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        os.makedirs(WORK, exist_ok=True)
        cls.errors = run_pyright()

    def test_correct_uses_pass(self):
        self.assertEqual(self.errors.get(CORRECT, []), [])

    def test_mistakes_flagged(self):
        expected = set()
        with open(MISTAKES, encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                marker = re.search(r'# error: (\w+)$', line.rstrip())
                if marker:
                    expected.add((number, marker.group(1)))
        self.assertGreaterEqual(len(expected), 10)
        found = {(line, rule) for line, rule, _ in self.errors.get(MISTAKES, [])}
        self.assertEqual(found, expected)

    def test_nothing_else(self):
        self.assertEqual(set(self.errors) - {CORRECT, MISTAKES}, set())


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
