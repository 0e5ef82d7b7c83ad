#!/usr/bin/python3
# test_install.py: `meson install` into a scratch DESTDIR, then Python and
# GJS load the installed library, typelib, override and helper module with
# nothing but the environment `meson setup` prints (pointing into DESTDIR),
# and solve a task on the installed library's own sandbox.
#
#   test_install.py MESON BUILD_ROOT NAME=DIR...
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

MESON, BUILD_ROOT = sys.argv[1:3]
PLACES = dict(arg.split('=', 1) for arg in sys.argv[3:])

PYTHON_CHECK = r'''
import asyncio, sys
import gi
gi.require_version('CapSolver', '1')
gi.require_version('GIRepository', '2.0')
from gi.repository import CapSolver, GIRepository
import gi.overrides.CapSolver as override

print(GIRepository.Repository.get_default().get_typelib_path('CapSolver'))
print(override.__file__)

async def solve(sandbox):
    client = CapSolver.Client.new_from_environment()
    client.props.first_poll_delay = client.props.poll_interval = 10
    task = CapSolver.ReCaptchaV2Task(website_url='https://example.com/', website_key='key')
    return await client.solve_async(task)

with CapSolver.Sandbox() as sandbox:
    import os
    os.environ['CAPSOLVER_API_KEY'] = CapSolver.SANDBOX_DEFAULT_KEY
    os.environ['CAPSOLVER_BASE_URL'] = sandbox.get_base_url()
    print(asyncio.run(solve(sandbox)).get_token()[:8])
'''

GJS_CHECK = r'''
import GLib from 'gi://GLib';
const {CapSolver} = imports.capsolver;
const sandbox = new CapSolver.Sandbox();
sandbox.start(0);
GLib.setenv('CAPSOLVER_API_KEY', CapSolver.SANDBOX_DEFAULT_KEY, true);
GLib.setenv('CAPSOLVER_BASE_URL', sandbox.get_base_url(), true);
const client = CapSolver.Client.new_from_environment();
client.first_poll_delay = client.poll_interval = 10;
const loop = new GLib.MainLoop(null, false);
let token = 'none';
client.solve_async(CapSolver.ReCaptchaV2Task.new('https://example.com/', 'key'), null)
    .then(s => (token = s.get_token()), e => printerr(e)).finally(() => loop.quit());
loop.run();
sandbox.stop();
print(token.slice(0, 8));
'''


class InstallTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.destdir = tempfile.mkdtemp(prefix='capsolver-install-')
        subprocess.run([MESON, 'install', '-C', BUILD_ROOT, '--destdir', cls.destdir,
                        '--no-rebuild', '--quiet'], check=True, stdout=subprocess.DEVNULL)
        # Only the documented variables, pointing into DESTDIR.
        cls.env = {'PATH': '/usr/bin:/bin', 'HOME': cls.destdir, 'LANG': 'C.UTF-8',
                   'G_DEBUG': 'fatal-warnings', 'GIO_USE_PROXY_RESOLVER': 'dummy',
                   'PYTHONDONTWRITEBYTECODE': '1'}
        for name, place in PLACES.items():
            cls.env[name] = cls.destdir + place

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.destdir)

    def run_program(self, argv):
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout.split('\n')

    def test_python(self):
        typelib, override, token = self.run_program(['/usr/bin/python3', '-c', PYTHON_CHECK])[:3]
        self.assertTrue(typelib.startswith(self.destdir), typelib)
        self.assertTrue(override.startswith(self.destdir), override)
        self.assertEqual(len(token), 8)

    def test_type_declarations(self):
        stub = os.path.join(self.env['PYTHONPATH'], 'gi-stubs', 'repository', 'CapSolver.pyi')
        partial = os.path.join(self.env['PYTHONPATH'], 'gi-stubs', 'py.typed')
        self.assertTrue(os.path.isfile(stub), stub)
        with open(partial) as f:
            self.assertEqual(f.read().strip(), 'partial')
        share = os.path.dirname(self.env['GJS_PATH'])
        declarations = os.path.join(share, 'capsolver-glib-1', 'typescript', 'capsolver-1.d.ts')
        self.assertTrue(os.path.isfile(declarations), declarations)

    def test_gjs(self):
        script = os.path.join(self.destdir, 'check.js')
        with open(script, 'w') as f:
            f.write(GJS_CHECK)
        token = self.run_program(['/usr/bin/gjs', '-m', script])[0]
        self.assertEqual(len(token), 8)
        self.assertNotEqual(token, 'none')


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1], verbosity=2)
