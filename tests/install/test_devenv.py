#!/usr/bin/python3
# test_devenv.py: `meson devenv -C BUILD_ROOT` is all a program of any
# language needs to use the build tree: C through pkg-config, Python with the
# override of the source tree, GJS with its helper module, Vala through the
# VAPI. Each program starts from an environment with none of the variables
# the test suite sets, and solves a task on the library's own sandbox.
#
#   test_devenv.py MESON BUILD_ROOT SOURCE_ROOT
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

MESON, BUILD_ROOT, SOURCE_ROOT = sys.argv[1:4]

PYTHON_PROGRAM = r'''
import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver
import gi.overrides.CapSolver as override

print(override.__file__)
with CapSolver.Sandbox() as sandbox:
    client = CapSolver.Client(CapSolver.SANDBOX_DEFAULT_KEY, base_url=sandbox.get_base_url(),
                              first_poll_delay=10, poll_interval=10)
    task = CapSolver.ReCaptchaV2Task(website_url='https://example.com/', website_key='key')
    try:
        client.solve_async(task)   # no callback and no asyncio loop: refused
        print('not refused')
    except TypeError:
        print('refused')
    print(client.solve(task).get_token()[:8])
'''

GJS_PROGRAM = r'''
const {CapSolver} = imports.capsolver;
const sandbox = new CapSolver.Sandbox();
sandbox.start(0);
const client = new CapSolver.Client({api_key: CapSolver.SANDBOX_DEFAULT_KEY,
    base_url: sandbox.get_base_url(), first_poll_delay: 10, poll_interval: 10});
const task = CapSolver.ReCaptchaV2Task.new('https://example.com/', 'key');
const solution = await client.solve_async(task, null);
sandbox.stop();
print(solution.get_token().slice(0, 8));
'''

C_PROGRAM = r'''
#include <capsolver-glib.h>

int
main (void)
{
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  g_autoptr(CsClient) client = NULL;
  g_autoptr(CsTask) task = NULL;
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  if (!cs_sandbox_start (sandbox, 0, &error))
    return 1;
  client = g_object_new (CS_TYPE_CLIENT, "api-key", CS_SANDBOX_DEFAULT_KEY,
                         "base-url", cs_sandbox_get_base_url (sandbox),
                         "first-poll-delay", 10, "poll-interval", 10, NULL);
  task = cs_recaptcha_v2_task_new ("https://example.com/", "key");
  solution = cs_client_solve (client, task, NULL, &error);
  if (solution == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print ("%.8s\n", cs_solution_get_token (solution));
  cs_sandbox_stop (sandbox);
  return 0;
}
'''

VALA_PROGRAM = r'''
int main () {
    var sandbox = new CapSolver.Sandbox ();
    try {
        sandbox.start (0);
        var client = (CapSolver.Client) Object.new (typeof (CapSolver.Client),
            "api-key", CapSolver.SANDBOX_DEFAULT_KEY, "base-url", sandbox.get_base_url (),
            "first-poll-delay", 10, "poll-interval", 10);
        var task = new CapSolver.ReCaptchaV2Task ("https://example.com/", "key");
        print ("%.8s\n", client.solve (task, null).get_token ());
    } catch (Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }
    sandbox.stop ();
    return 0;
}
'''


class DevenvTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix='capsolver-devenv-')
        # None of the test suite's variables: only what meson devenv sets.
        cls.env = {'PATH': '/usr/bin:/bin', 'HOME': cls.workdir, 'LANG': 'C.UTF-8',
                   'G_DEBUG': 'fatal-warnings', 'GIO_USE_PROXY_RESOLVER': 'dummy',
                   'PYTHONDONTWRITEBYTECODE': '1'}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workdir)

    def in_devenv(self, argv):
        done = subprocess.run([MESON, 'devenv', '-C', BUILD_ROOT] + argv, env=self.env,
                              cwd=self.workdir, capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        return done.stdout.split('\n')

    def write(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def test_python_uses_the_override_of_the_source_tree(self):
        program = self.write('program.py', PYTHON_PROGRAM)
        override, refused, token = self.in_devenv(['/usr/bin/python3', program])[:3]
        self.assertEqual(os.path.realpath(override),
                         os.path.realpath(os.path.join(SOURCE_ROOT, 'bindings', 'python', 'gi',
                                                       'overrides', 'CapSolver.py')))
        self.assertEqual(refused, 'refused')
        self.assertEqual(len(token), 8)

    def test_gjs(self):
        program = self.write('program.js', GJS_PROGRAM)
        self.assertEqual(len(self.in_devenv(['gjs', '-m', program])[0]), 8)

    def test_c_through_pkg_config(self):
        source = self.write('program.c', C_PROGRAM)
        program = os.path.join(self.workdir, 'program-c')
        self.in_devenv(['sh', '-c', 'cc -Wall -Werror -o "$0" "$1" '
                        '$(pkg-config --cflags --libs capsolver-glib-1)', program, source])
        self.assertEqual(len(self.in_devenv([program])[0]), 8)

    def test_vala_through_the_vapi(self):
        source = self.write('program.vala', VALA_PROGRAM)
        program = os.path.join(self.workdir, 'program-vala')
        self.in_devenv(['valac', '--pkg', 'capsolver-glib-1', '-X', '-w', '-o', program, source])
        self.assertEqual(len(self.in_devenv([program])[0]), 8)


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
