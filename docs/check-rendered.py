#!/usr/bin/python3
# check-rendered.py: the rendered API pages show no gtk-doc sigil that
# gi-docgen left as text (#CS_ERROR, %CS_…, #CsClient: a link form it could
# not resolve).
#
#   check-rendered.py HTML_DIR
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import glob
import html
import os
import re
import sys

TAG = re.compile(r'<[^>]+>')
SIGIL = re.compile(r'(?<![\w&])[#%@](CS_[A-Z0-9_]+|Cs[A-Z]\w*)')


def main(argv):
    problems = []
    pages = sorted(glob.glob(os.path.join(argv[1], '*.html')))
    for page in pages:
        with open(page, encoding='utf-8') as f:
            source = f.read()
        name = os.path.basename(page)
        text = html.unescape(TAG.sub(' ', source))
        for match in sorted(set(SIGIL.findall(text))):
            problems.append('%s: a sigil left as text: %s' % (name, match))
    for problem in problems:
        print(problem)
    print('%d pages, %d problems' % (len(pages), len(problems)))
    return 1 if problems or not pages else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
