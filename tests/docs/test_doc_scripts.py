#!/usr/bin/python3
# test_doc_scripts.py: the checks of docs/ on pages and files made up to
# fool them: check-rendered.py compares addresses unescaped, as a browser
# reads them, and doap.py compares every licence.
#
#   test_doc_scripts.py DOCS_DIR
#
# Python standard library only.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import subprocess
import sys
import tempfile
import unittest

DOCS = None

INDEX = '''<html><body><table>
<tr><td><em>Website</em></td><td><a href="%s">site</a></td></tr>
</table></body></html>
'''

DOAP = '''<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:foaf="http://xmlns.com/foaf/0.1/"
         xmlns="http://usefulinc.com/ns/doap#">
  <name>capsolver-glib</name>
  <shortdesc>short</shortdesc>
  <description>long</description>
  <programming-language>C</programming-language>
%s  <maintainer><foaf:Person><foaf:name>Someone</foaf:name></foaf:Person></maintainer>
</Project>
'''


def run(script, *args):
    return subprocess.run([sys.executable, os.path.join(DOCS, script), *args],
                          capture_output=True, text=True)


def licences(*spdx):
    return ''.join('  <license rdf:resource="http://spdx.org/licenses/%s"/>\n' % s
                   for s in spdx)


class CheckRenderedTest(unittest.TestCase):
    URL = "https://example.com/it's/?a=1&b=2"

    def check_index(self, href):
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, 'index.html'), 'w') as f:
                f.write(INDEX % href)
            return run('check-rendered.py', folder, '--website=' + self.URL)

    def test_quote_escaped_either_way(self):
        # gi-docgen writes &#39;, Python's html.escape &#x27;: one address
        for href in ("https://example.com/it&#39;s/?a=1&amp;b=2",
                     "https://example.com/it&#x27;s/?a=1&amp;b=2"):
            result = self.check_index(href)
            self.assertEqual(result.returncode, 0, result.stdout)

    def test_another_address_fails(self):
        result = self.check_index('https://example.com/its/?a=1&amp;b=2')
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn('no Website row', result.stdout)


class DoapTest(unittest.TestCase):
    def check(self, in_file, *given):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, 'p.doap')
            with open(path, 'w') as f:
                f.write(DOAP % licences(*in_file))
            args = ['check', path, '--name', 'capsolver-glib']
            for spdx in given:
                args += ['--license', spdx]
            return run('doap.py', *args)

    def test_one_licence(self):
        result = self.check(['LGPL-2.1-or-later'], 'LGPL-2.1-or-later')
        self.assertEqual(result.returncode, 0, result.stdout)

    def test_every_licence(self):
        both = ['LGPL-2.1-or-later', 'MIT']
        result = self.check(both, *both)
        self.assertEqual(result.returncode, 0, result.stdout)
        result = self.check(list(reversed(both)), *both)
        self.assertEqual(result.returncode, 0, result.stdout)

    def test_a_licence_missing(self):
        # meson.build names two, the .doap one: the second is not forgotten
        result = self.check(['LGPL-2.1-or-later'], 'LGPL-2.1-or-later', 'MIT')
        self.assertEqual(result.returncode, 1, result.stdout)
        result = self.check(['LGPL-2.1-or-later', 'MIT'], 'LGPL-2.1-or-later')
        self.assertEqual(result.returncode, 1, result.stdout)


if __name__ == '__main__':
    DOCS = sys.argv.pop(1)
    unittest.main()
