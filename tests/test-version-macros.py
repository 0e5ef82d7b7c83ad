#!/usr/bin/python3
# test-version-macros.py: the version macros of cs-version.h, compiled.
#
#   test-version-macros.py VERSION BUILD_INCLUDE SOURCE_INCLUDE CC [CC ARGS…]
#
# Each case compiles a small program against the headers with
# -Werror=deprecated-declarations: a symbol newer than
# CS_VERSION_MAX_ALLOWED, or deprecated at CS_VERSION_MIN_REQUIRED, must
# fail the build; the same program without those settings must build.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import shlex
import subprocess
import sys
import tempfile
import unittest

VERSION = BUILD_INCLUDE = SOURCE_INCLUDE = None
CC = []

PROGRAM = '''
#include <capsolver-glib.h>

%(declarations)s

int
main (void)
{
  %(body)s
  return (int) cs_get_major_version () - CS_MAJOR_VERSION;
}
'''


def pkg_config_cflags():
    out = subprocess.run(['pkg-config', '--cflags', 'gio-2.0', 'json-glib-1.0', 'libsoup-3.0'],
                         check=True, capture_output=True, text=True).stdout
    return shlex.split(out)


class VersionMacrosTest(unittest.TestCase):

    def compile(self, defines=(), declarations='', body=''):
        with tempfile.TemporaryDirectory() as directory:
            source = os.path.join(directory, 'program.c')
            with open(source, 'w') as f:
                f.write(PROGRAM % {'declarations': declarations, 'body': body})
            command = [*CC, '-c', '-o', os.path.join(directory, 'program.o'),
                       '-Werror=deprecated-declarations', '-I' + BUILD_INCLUDE,
                       '-I' + SOURCE_INCLUDE, *pkg_config_cflags(),
                       *('-D' + d for d in defines), source]
            return subprocess.run(command, capture_output=True, text=True)

    def assertBuilds(self, *args, **kwargs):
        result = self.compile(*args, **kwargs)
        self.assertEqual(result.returncode, 0, result.stderr)

    def assertRefused(self, words, *args, **kwargs):
        result = self.compile(*args, **kwargs)
        self.assertNotEqual(result.returncode, 0, 'the program built')
        self.assertIn(words, result.stderr)

    def test_current_version_macros_exist(self):
        major, minor = VERSION.split('.')[:2]
        macros = ['CS_VERSION_%s_%s' % (major, minor), 'CS_AVAILABLE_IN_%s_%s' % (major, minor),
                  'CS_DEPRECATED_IN_%s_%s' % (major, minor)]
        checks = '\n'.join('#ifndef %s\n#error "%s is missing"\n#endif' % (m, m) for m in macros)
        self.assertBuilds(declarations=checks + '''
#if CS_VERSION_CUR_STABLE != CS_ENCODE_VERSION (%s, %s)
#error "CS_VERSION_CUR_STABLE is not the project version"
#endif''' % (major, minor))

    def test_pinned_to_1_0(self):
        self.assertBuilds(('CS_VERSION_MIN_REQUIRED=CS_VERSION_1_0',
                           'CS_VERSION_MAX_ALLOWED=CS_VERSION_1_0'),
                          'CS_AVAILABLE_IN_1_0 void since_1_0 (void);',
                          'since_1_0 ();')

    def test_newer_than_max_allowed_warns(self):
        older = ('CS_VERSION_MIN_REQUIRED=CS_ENCODE_VERSION(0,9)',
                 'CS_VERSION_MAX_ALLOWED=CS_ENCODE_VERSION(0,9)')
        declaration = 'CS_AVAILABLE_IN_1_0 void since_1_0 (void);'
        self.assertRefused('Not available before 1.0', older, declaration, 'since_1_0 ();')
        self.assertBuilds(older, declaration)

    def test_deprecated_at_min_required_warns(self):
        declaration = 'CS_DEPRECATED_IN_1_0_FOR (cs_get_major_version) void old (void);'
        self.assertRefused('cs_get_major_version', ('CS_VERSION_MIN_REQUIRED=CS_VERSION_1_0',),
                           declaration, 'old ();')
        self.assertBuilds(('CS_VERSION_MIN_REQUIRED=CS_ENCODE_VERSION(0,9)',),
                          declaration, 'old ();')

    def test_max_below_min_is_an_error(self):
        self.assertRefused('CS_VERSION_MAX_ALLOWED',
                           ('CS_VERSION_MAX_ALLOWED=CS_ENCODE_VERSION(0,9)',))


if __name__ == '__main__':
    VERSION, BUILD_INCLUDE, SOURCE_INCLUDE = sys.argv[1:4]
    CC = sys.argv[4:]
    unittest.main(argv=sys.argv[:1], verbosity=2)
