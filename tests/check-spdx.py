#!/usr/bin/python3
# check-spdx.py: every source file of the tree names its licence and its
# copyright holders in its first lines, so that files added later are not
# left without them.
#
#   check-spdx.py SOURCE_ROOT
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import subprocess
import sys

TAGS = ('SPDX-License-Identifier: LGPL-2.1-or-later', 'SPDX-FileCopyrightText: ')
EXTENSIONS = ('.c', '.h', '.in', '.py', '.js', '.vala', '.metadata', '.supp', '.doap')
NAMES = ('meson.build', 'meson_options.txt', '.editorconfig')
SKIPPED_DIRS = ('tests/fuzz/corpus', 'tests/requests', 'examples/data')
HEAD_LINES = 30


def tracked_files(root):
    """The files git tracks, or every file outside build directories."""
    try:
        out = subprocess.run(['git', '-C', root, 'ls-files', '-z', '--cached', '--others',
                              '--exclude-standard'], check=True,
                             capture_output=True).stdout
        return [path for path in out.decode().split('\0') if path]
    except (OSError, subprocess.CalledProcessError):
        paths = []
        for directory, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(('.git', '_build', 'build'))]
            paths += [os.path.relpath(os.path.join(directory, f), root) for f in files]
        return paths


def is_source(root, path):
    if path.startswith(SKIPPED_DIRS) or not os.path.isfile(os.path.join(root, path)):
        return False
    name = os.path.basename(path)
    if name in NAMES or name.endswith(EXTENSIONS):
        return True
    with open(os.path.join(root, path), 'rb') as f:
        return f.read(2) == b'#!'


def missing_tags(root, path):
    with open(os.path.join(root, path), encoding='utf-8', errors='replace') as f:
        head = ''.join(f.readline() for _ in range(HEAD_LINES))
    return [tag.rstrip(': ') for tag in TAGS if tag not in head]


def main():
    root = sys.argv[1]
    failures = 0
    for path in sorted(tracked_files(root)):
        if is_source(root, path):
            missing = missing_tags(root, path)
            if missing:
                print('%s: no %s in its first %d lines' % (path, ' or '.join(missing), HEAD_LINES))
                failures += 1
    if failures:
        print('%d files lack SPDX lines; add, next to the others in a comment:' % failures)
        print('  SPDX-FileCopyrightText: <year> The capsolver-glib authors')
        print('  SPDX-License-Identifier: LGPL-2.1-or-later')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
