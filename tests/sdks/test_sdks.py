#!/usr/bin/python3
# test_sdks.py: the providers' own SDKs, unmodified, against `capsolver
# sandbox --dialect NAME` started as a separate process.
#
#   test_sdks.py NODE CAPSOLVER NODE_MODULES IMAGE
#
# NODE is node's path (empty when meson found none); NODE_MODULES is
# tests/sdks/node_modules, which `tools/quickstart test` fills (npm ci, from
# package-lock.json). Without either the test fails, it does not skip.
# Each SDK's script (capmonster.js, ...) prints TAP and exits non-zero on a
# failed check; here the sandbox's own records confirm what it served.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import os
import signal
import subprocess
import sys
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
NODE = CAPSOLVER = NODE_MODULES = IMAGE = None
START_TIMEOUT = 20      # s, a bound that proves no hang
SDK_TIMEOUT = 60        # s, likewise


def start_sandbox(dialect):
    process = subprocess.Popen([CAPSOLVER, 'sandbox', '--port', '0', '--dialect', dialect],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    url = process.stdout.readline().decode().strip()
    key = process.stdout.readline().decode().strip()
    if not url.startswith('http://127.0.0.1:'):
        process.kill()
        raise RuntimeError('capsolver sandbox printed %r' % url)
    return process, url, key


def timings(url):
    with urllib.request.urlopen(url + '/sandbox/timings', timeout=10) as reply:
        return json.load(reply)


class SdkTestCase(unittest.TestCase):

    def run_sdk(self, dialect, script, package):
        if not NODE:
            self.fail('node is missing: install nodejs (tools/quickstart test does)')
        if not os.path.isdir(os.path.join(NODE_MODULES, package)):
            self.fail('%s is missing from %s: run `tools/quickstart test`, or `npm ci` '
                      'in tests/sdks' % (package, NODE_MODULES))
        process, url, key = start_sandbox(dialect)
        self.addCleanup(process.stdout.close)
        self.addCleanup(process.wait, 10)
        self.addCleanup(process.send_signal, signal.SIGTERM)
        result = subprocess.run([NODE, os.path.join(HERE, script), NODE_MODULES, url, key, IMAGE],
                                capture_output=True, text=True, timeout=SDK_TIMEOUT)
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        self.assertEqual(result.returncode, 0, 'a check of %s failed (above)' % script)
        return timings(url)

    def test_capmonster_cloud_client(self):
        served = self.run_sdk('capmonster', 'capmonster.js',
                              os.path.join('@zennolab_com', 'capmonstercloud-client'))
        # the SDK's tasks reached this sandbox, read into CapSolver's types
        self.assertEqual(sorted(task['type'] for task in served['tasks']),
                         ['GeeTestTaskProxyLess', 'ImageToTextTask', 'ReCaptchaV2Task',
                          'ReCaptchaV2TaskProxyLess',
                          'ReCaptchaV3EnterpriseTaskProxyLess', 'ReCaptchaV3TaskProxyLess'])
        self.assertTrue(all(task['state'] == 'ready' for task in served['tasks']))


if __name__ == '__main__':
    NODE, CAPSOLVER, NODE_MODULES, IMAGE = sys.argv[1:5]
    del sys.argv[1:5]
    unittest.main(verbosity=2)
