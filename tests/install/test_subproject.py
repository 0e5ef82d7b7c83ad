#!/usr/bin/python3
# test_subproject.py: a parent project builds capsolver-glib as a subproject
# with the wrap file the README shows (its [provide] section, so that a plain
# dependency('capsolver-glib-1') falls back to it), the library alone
# (-Dtools=false -Dtests=false), and its program solves on the sandbox. The
# parent's `meson setup` shows no install section of the subproject's.
#
#   test_subproject.py MESON SOURCE_ROOT
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

MESON, SOURCE_ROOT = sys.argv[1:3]

PARENT_MESON = '''project('parent', 'c', meson_version: '>= 1.0.0')
capsolver_dep = dependency('capsolver-glib-1', default_options: [
  'tools=false', 'tests=false', 'examples=false', 'introspection=disabled',
])
executable('parent', 'parent.c', dependencies: capsolver_dep)
'''

PARENT_C = r'''
#include <capsolver-glib.h>

int
main (void)
{
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  g_autoptr(CsClient) client = NULL;
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/", "key");

  if (!cs_sandbox_start (sandbox, 0, NULL))
    return 1;
  client = g_object_new (CS_TYPE_CLIENT, "api-key", CS_SANDBOX_DEFAULT_KEY,
                         "base-url", cs_sandbox_get_base_url (sandbox),
                         "first-poll-delay", 10, "poll-interval", 10, NULL);
  solution = cs_client_solve (client, task, NULL, NULL);
  g_print ("%s\n", solution != NULL ? "solved" : "failed");
  return solution != NULL ? 0 : 1;
}
'''


def readme_wrap():
    """The wrap file of the README's "As a subproject" section."""
    with open(os.path.join(SOURCE_ROOT, 'README.md'), encoding='utf-8') as f:
        text = f.read()
    match = re.search(r'`subprojects/capsolver-glib\.wrap`:\n\n```ini\n(.*?)```', text, re.S)
    if match is None:
        raise AssertionError('README.md shows no subprojects/capsolver-glib.wrap')
    return match.group(1)


class SubprojectTest(unittest.TestCase):

    def setUp(self):
        self.parent = tempfile.mkdtemp(prefix='capsolver-parent-')
        os.mkdir(os.path.join(self.parent, 'subprojects'))
        # The wrap names the directory; it is here already, so nothing is
        # fetched.
        os.symlink(SOURCE_ROOT, os.path.join(self.parent, 'subprojects', 'capsolver-glib'))
        for name, text in [('meson.build', PARENT_MESON), ('parent.c', PARENT_C),
                           ('subprojects/capsolver-glib.wrap', readme_wrap())]:
            with open(os.path.join(self.parent, name), 'w') as f:
                f.write(text)

    def tearDown(self):
        shutil.rmtree(self.parent)

    def run_ok(self, argv):
        done = subprocess.run(argv, cwd=self.parent, capture_output=True, text=True,
                              timeout=600)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        return done.stdout

    def test_library_alone_as_a_subproject(self):
        setup = self.run_ok([MESON, 'setup', '_build', '--wrap-mode=nodownload'])
        self.assertNotIn('Environment for the installed library', setup)
        self.run_ok([MESON, 'compile', '-C', '_build'])
        self.assertFalse(os.path.exists(os.path.join(self.parent, '_build', 'subprojects',
                                                     'capsolver-glib', 'tools')))
        self.assertEqual(self.run_ok([os.path.join('_build', 'parent')]).strip(), 'solved')


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
