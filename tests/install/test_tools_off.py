#!/usr/bin/python3
# test_tools_off.py: `meson setup -Dtools=false` configures the library
# alone, with its GIR, typelib and VAPI, and no command, test or example that
# needs the command: the tests, on by default, are turned off, and the
# summary says why. Configured only, not built: the library's build is the
# same as in every other configuration.
#
#   test_tools_off.py MESON SOURCE_ROOT
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import subprocess
import sys
import tempfile
import unittest

MESON, SOURCE_ROOT = sys.argv[1:3]


class ToolsOffTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory(prefix='capsolver-tools-off-')
        cls.build = os.path.join(cls.scratch.name, 'build')
        cls.setup = subprocess.run([MESON, 'setup', cls.build, SOURCE_ROOT, '-Dtools=false',
                                    '-Ddocumentation=disabled'],
                                   capture_output=True, text=True)

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def introspect(self, what):
        out = subprocess.run([MESON, 'introspect', self.build, what],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    def test_configures(self):
        self.assertEqual(self.setup.returncode, 0, self.setup.stdout + self.setup.stderr)

    def test_summary_says_why(self):
        self.assertEqual(self.setup.returncode, 0, self.setup.stderr)
        lines = [line.strip() for line in self.setup.stdout.splitlines()]
        self.assertIn('Tests              : NO (-Dtools=false: the test suite runs the '
                      'capsolver command)', lines)
        self.assertIn('Command            : NO', lines)

    def test_library_gir_vapi_and_nothing_else(self):
        self.assertEqual(self.setup.returncode, 0, self.setup.stderr)
        names = {t['name'] for t in self.introspect('--targets')}
        for wanted in ('capsolver-glib-1', 'CapSolver-1.gir', 'CapSolver-1.typelib',
                       'capsolver-glib-1.vapi'):
            self.assertIn(wanted, names)
        self.assertNotIn('capsolver', names)
        self.assertEqual(self.introspect('--tests'), [])


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1])
