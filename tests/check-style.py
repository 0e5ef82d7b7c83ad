#!/usr/bin/python3
# check-style.py: the layout rules of the project's C that a rename breaks
# first, checked on every source and header of the library, the command and
# the tests:
#
#   - the parameters of a function written over several lines start in the
#     column after its opening parenthesis, and their names line up (a
#     function renamed without moving its parameters fails here);
#   - no line is longer than 100 columns (but a #define of one string),
#     none ends in white space, none holds a tab;
#   - doc comments link with gi-docgen's forms ([class@Client],
#     [method@Client.solve]), never a gtk-doc #Type sigil.
#
#   check-style.py [--fix] SOURCE_ROOT
#
# --fix lays out again the parameter lists it finds out of line (long lines
# are left to a person).
#
# Only what the project writes is checked: generated files and the code
# valac writes are not in these folders.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import glob
import os
import re
import sys

FOLDERS = ['capsolver-glib', 'capsolver-glib/sandbox', 'tools', 'examples/c',
           'examples/snippets']
MAX_COLUMNS = 100
# "name (type  *param," at the start of a definition or prototype line,
# with a return type before the name or on the line above.
OPENING = re.compile(r'^(?P<head>(?:[\w\s\*]*?\s)?\**(?P<name>[a-z_][a-z0-9_]*)\s*\()'
                     r'(?P<param>[^()]*,)\s*$')
PARAMETER = re.compile(r'^(?P<type>.*?)\s*(?P<stars>\**)(?P<name>\w+(?:\[[^\]]*\])?)'
                       r'(?P<rest>\s*[,)].*)$')


def name_columns(params):
    """The column of each typed parameter's name (stars hang to its left),
    counted from the parameter's start."""
    columns = []
    for text in params:
        m = PARAMETER.match(text.strip())
        if m is not None and m.group('type'):
            columns.append(len(text.strip()) - len(m.group('name')) - len(m.group('rest')))
    return columns


def lay_out(params, width=0):
    """@params (the text of each line from the parameter on) laid out in
    the project's way: types in a column, names in the next, stars hanging
    to the left of the names, the names at @width at least."""
    parsed = [PARAMETER.match(p.strip()) for p in params]
    typed = [m for m in parsed if m is not None and m.group('type')]
    if not typed:
        return params
    width = max(width, max(len(m.group('type')) for m in typed) + 1 +
                max(len(m.group('stars')) for m in typed))
    out = []
    for text, m in zip(params, parsed):
        if m is None or not m.group('type'):
            out.append(text.strip())
            continue
        stars = m.group('stars')
        out.append(m.group('type').ljust(width - len(stars)) + stars + m.group('name') +
                   m.group('rest').lstrip())
    return out


def check_parameters(path, lines, problems, fix):
    i = 0
    while i < len(lines):
        line = lines[i]
        match = OPENING.match(line) if line[:1] not in ' \t#/*}' else None
        if match is None:
            i += 1
            continue
        column = len(match.group('head'))
        j, bad = i, False
        while True:
            follow = lines[j]
            if j > i and len(follow) - len(follow.lstrip(' ')) != column:
                bad = True
            if not follow.rstrip().endswith(',') or j + 1 >= len(lines) or \
                    lines[j + 1].strip() == '':
                break
            j += 1
        params = [lines[i][column:]] + [lines[k].strip() for k in range(i + 1, j + 1)]
        columns = name_columns(params)
        if bad or len(set(columns)) > 1:
            if fix:
                laid = lay_out(params, columns[0] if columns else 0)
                lines[i] = lines[i][:column] + laid[0]
                for k, text in enumerate(laid[1:], i + 1):
                    lines[k] = ' ' * column + text
            else:
                problems.append('%s:%d: the parameters of %s are out of line'
                                % (path, i + 1, match.group('name')))
        i = j + 1


DOC_COMMENT = re.compile(r'/\*\*.*?\*/', re.S)
TYPE_SIGIL = re.compile(r'(?<![\w&#])#[A-Z][A-Za-z_]+')


def check_doc_links(path, text, problems):
    for comment in DOC_COMMENT.finditer(text):
        for sigil in TYPE_SIGIL.finditer(comment.group(0)):
            line = text.count('\n', 0, comment.start() + sigil.start()) + 1
            problems.append('%s:%d: %s: link with the gi-docgen form instead'
                            % (path, line, sigil.group(0)))


def check_lines(path, lines, problems):
    for number, line in enumerate(lines, 1):
        # a string that cannot be cut (the sandbox's key) may run on
        if len(line) > MAX_COLUMNS and not re.match(r'^#define \w+ "[^"]*"$', line):
            problems.append('%s:%d: %d columns, more than %d'
                            % (path, number, len(line), MAX_COLUMNS))
        if line != line.rstrip():
            problems.append('%s:%d: white space at the end' % (path, number))
        if '\t' in line:
            problems.append('%s:%d: a tab' % (path, number))


def main(argv):
    fix = '--fix' in argv
    root = [a for a in argv[1:] if a != '--fix'][0]
    problems, files = [], []
    for folder in FOLDERS:
        for pattern in ('*.c', '*.h'):
            files += sorted(glob.glob(os.path.join(root, folder, pattern)))
    for path in files:
        with open(path, encoding='utf-8') as f:
            lines = f.read().split('\n')
        name = os.path.relpath(path, root)
        check_parameters(name, lines, problems, fix)
        check_lines(name, lines, problems)
        check_doc_links(name, '\n'.join(lines), problems)
        if fix:
            with open(path, 'w', encoding='utf-8') as f:
                f.write('\n'.join(lines))
    for problem in problems:
        print(problem)
    print('%d files, %d problems' % (len(files), len(problems)))
    return 1 if problems or not files else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
