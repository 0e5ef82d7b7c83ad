#!/usr/bin/python3
# doap.py: the project's DOAP file, written for a build and checked.
#
#   doap.py write SOURCE OUTPUT [--website URL] [--source URL]
#       copies SOURCE to OUTPUT, with <homepage> for the website and a
#       <repository> to browse for the source when they are given
#   doap.py check FILE --name NAME --license SPDX-ID... [--website URL] [--source URL]
#       FILE is well-formed XML, a DOAP project of that name and those
#       licences (--license once for each licence of meson.build),
#       with a short description, a description, a programming language and
#       a maintainer, and its homepage and repository are those given (none
#       when none is given)
#
# Python standard library only.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import sys
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

DOAP = '{http://usefulinc.com/ns/doap#}'
RDF = '{http://www.w3.org/1999/02/22-rdf-syntax-ns#}'
FOAF = '{http://xmlns.com/foaf/0.1/}'
# The licence as an RDF resource: SPDX's identifier of it.
SPDX_LICENSES = 'http://spdx.org/licenses/'
END = '</Project>'


def write(args):
    with open(args.source, encoding='utf-8') as f:
        text = f.read()
    if text.count(END) != 1:
        sys.exit('doap.py: %s has no single %s' % (args.source, END))
    added = ''
    if args.website:
        added += '  <homepage rdf:resource=%s/>\n' % quoteattr(args.website)
    if args.source_url:
        added += ('  <repository>\n    <GitRepository>\n'
                  '      <browse rdf:resource=%s/>\n'
                  '    </GitRepository>\n  </repository>\n') % quoteattr(args.source_url)
    if added:
        text = text.replace(END, '\n' + added + END)
    with open(args.output, 'w', encoding='utf-8') as f:
        f.write(text)
    return 0


def texts(root, path):
    return [(e.text or '').strip() for e in root.findall(path)]


def resources(root, path):
    return [e.get(RDF + 'resource', '') for e in root.findall(path)]


def check(args):
    try:
        root = ET.parse(args.file).getroot()
    except (OSError, ET.ParseError) as e:
        print('%s: not well-formed XML: %s' % (args.file, e))
        return 1
    problems = []
    if root.tag != DOAP + 'Project':
        problems.append('the root is %s, not a DOAP Project' % root.tag)
    if texts(root, DOAP + 'name') != [args.name]:
        problems.append('the name is %s, meson.build says %r' % (texts(root, DOAP + 'name'),
                                                                  args.name))
    # every licence meson.build names, and no other
    wanted = sorted(SPDX_LICENSES + spdx for spdx in args.license)
    if sorted(resources(root, DOAP + 'license')) != wanted:
        problems.append('the licences are %s, meson.build says %s' % (
            resources(root, DOAP + 'license'), wanted))
    for element in ('shortdesc', 'description', 'programming-language'):
        found = texts(root, DOAP + element)
        if len(found) < 1 or not all(found):
            problems.append('no %s, or an empty one' % element)
    names = texts(root, '%smaintainer/%sPerson/%sname' % (DOAP, FOAF, FOAF))
    if len(names) < 1 or not all(names):
        problems.append('no maintainer with a foaf:name')
    for what, path, given in (
            ('homepage', DOAP + 'homepage', args.website),
            ('repository', '%srepository/*/%sbrowse' % (DOAP, DOAP), args.source_url)):
        found = resources(root, path)
        if found != ([given] if given else []):
            problems.append('the %s is %s, the build says %r' % (what, found, given or None))
    for problem in problems:
        print('%s: %s' % (args.file, problem))
    print('%s: %d problems' % (args.file, len(problems)))
    return 1 if problems else 0


def main(argv):
    parser = argparse.ArgumentParser(prog='doap.py')
    commands = parser.add_subparsers(dest='command', required=True)
    w = commands.add_parser('write')
    w.add_argument('source')
    w.add_argument('output')
    c = commands.add_parser('check')
    c.add_argument('file')
    c.add_argument('--name', required=True)
    c.add_argument('--license', required=True, action='append',
                   help='an SPDX identifier; once per licence')
    for p in (w, c):
        p.add_argument('--website', default='')
        p.add_argument('--source', dest='source_url', default='')
    args = parser.parse_args(argv[1:])
    return write(args) if args.command == 'write' else check(args)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
