#!/usr/bin/python3
# check-rendered.py: the rendered API pages show no gtk-doc sigil that
# gi-docgen left as text (#CS_ERROR, %CS_…, #CsClient: a link form it could
# not resolve), no empty link and no empty row; the index has a Website and
# a Source row when, and only when, the build was given those addresses.
#
#   check-rendered.py HTML_DIR [--website URL] [--source URL]
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import glob
import html
import os
import re
import sys

TAG = re.compile(r'<[^>]+>')
SIGIL = re.compile(r'(?<![\w&])[#%@](CS_[A-Z0-9_]+|Cs[A-Z]\w*)')
EMPTY_LINK = re.compile(r'<a href=""')
# A row of a table: its name, and its value as HTML.
ROW = re.compile(r'<tr>\s*<td>\s*<em>([^<]*)</em>\s*</td>\s*<td>(.*?)</td>\s*</tr>', re.DOTALL)
# The address of a link, as written (escaped as the generator chose to).
HREF = re.compile(r'href="([^"]*)"')


def row_problems(name, source):
    problems = []
    if EMPTY_LINK.search(source):
        problems.append('%s: a link to nowhere (href="")' % name)
    for title, value in ROW.findall(source):
        if not html.unescape(TAG.sub('', value)).strip():
            problems.append('%s: an empty row: %s' % (name, title))
    return problems


def index_problems(source, website, browse):
    """The Website and Source rows of the index: each there with its
    address when one was given, absent when none was."""
    problems = []
    rows = {title: value for title, value in ROW.findall(source)}
    for title, url in (('Website', website), ('Source', browse)):
        # compared unescaped: &#39; and &#x27; are both a quote
        hrefs = [html.unescape(h) for h in HREF.findall(rows.get(title, ''))]
        if url and url not in hrefs:
            problems.append('index.html: no %s row linking to %s' % (title, url))
        if not url and title in rows:
            problems.append('index.html: a %s row, but the build has no such address' % title)
    return problems


def main(argv):
    parser = argparse.ArgumentParser(prog='check-rendered.py')
    parser.add_argument('html_dir')
    parser.add_argument('--website', default='')
    parser.add_argument('--source', default='')
    args = parser.parse_args(argv[1:])
    website, browse = args.website, args.source
    problems = []
    pages = sorted(glob.glob(os.path.join(args.html_dir, '*.html')))
    for page in pages:
        with open(page, encoding='utf-8') as f:
            source = f.read()
        name = os.path.basename(page)
        text = html.unescape(TAG.sub(' ', source))
        for match in sorted(set(SIGIL.findall(text))):
            problems.append('%s: a sigil left as text: %s' % (name, match))
        problems += row_problems(name, source)
        if name == 'index.html':
            problems += index_problems(source, website, browse)
    for problem in problems:
        print(problem)
    print('%d pages, %d problems' % (len(pages), len(problems)))
    return 1 if problems or not pages else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
