#!/usr/bin/python3
# check-snippets.py: the code blocks of docs/ that come from a snippet are
# that snippet's [doc] part, to the character.
#
#   check-snippets.py [--update] DOCS_DIR SNIPPETS_DIR
#
# A block comes from a snippet when the line before its opening fence is
# <!-- snippet: FILE -->. Each snippet is run by a test (meson.build here),
# so the code a page shows is code that runs. --update rewrites the blocks.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import glob
import os
import re
import sys
import textwrap

MARKER = re.compile(r'^<!-- snippet: (\S+) -->$')


def region(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    starts = [i for i, line in enumerate(lines) if '[doc]' in line]
    ends = [i for i, line in enumerate(lines) if '[/doc]' in line]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise SystemExit('%s: needs one [doc] … [/doc] part' % path)
    return textwrap.dedent('\n'.join(lines[starts[0] + 1:ends[0]])).strip('\n').split('\n')


def check_page(page, snippets, update):
    lines = open(page, encoding='utf-8').read().split('\n')
    out, problems, used = [], [], set()
    i = 0
    while i < len(lines):
        out.append(lines[i])
        match = MARKER.match(lines[i])
        if not match:
            i += 1
            continue
        name = match.group(1)
        used.add(name)
        fence = lines[i + 1]
        if not fence.startswith('```'):
            problems.append('%s:%d: no code block after the snippet marker' % (page, i + 1))
            i += 1
            continue
        end = lines.index('```', i + 2)
        wanted = region(os.path.join(snippets, name))
        if lines[i + 2:end] != wanted:
            problems.append('%s:%d: the block differs from %s' % (page, i + 3, name))
        out += [fence] + wanted + ['```']
        i = end + 1
    if update and problems:
        with open(page, 'w', encoding='utf-8') as f:
            f.write('\n'.join(out))
    return problems, used


def main(argv):
    update = '--update' in argv
    docs, snippets = [a for a in argv[1:] if a != '--update']
    problems, used = [], set()
    for page in sorted(glob.glob(os.path.join(docs, '*.md'))):
        page_problems, page_used = check_page(page, snippets, update)
        problems += page_problems
        used |= page_used
    programs = {os.path.basename(p) for p in glob.glob(os.path.join(snippets, '*'))
                if re.match(r'[a-z-]+\.(c|py|js|vala)$', os.path.basename(p))
                and not os.path.basename(p).startswith(('snippet.', 'check-', 'run-'))}
    for name in sorted(programs - used):
        problems.append('%s: no page shows it' % name)
    for problem in problems:
        print(problem)
    if problems and not update:
        print('run %s --update %s %s' % (argv[0], docs, snippets))
    return 1 if problems and not update else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
