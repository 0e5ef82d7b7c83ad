#!/usr/bin/python3
# site-dir.py PREFIX: where, under PREFIX, this interpreter reads packages.
#
# Prints two lines: the directory, and "yes" when it is on the interpreter's
# own sys.path (no PYTHONPATH needed) or "no". Debian reads
# /usr/lib/python3/dist-packages and /usr/local/lib/python3.X/dist-packages;
# other systems PREFIX/lib/python3.X/site-packages.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import sysconfig

prefix = os.path.normpath(sys.argv[1])
version = 'python%d.%d' % sys.version_info[:2]
candidates = [
    os.path.join(prefix, 'lib', 'python3', 'dist-packages'),
    os.path.join(prefix, 'lib', version, 'dist-packages'),
    os.path.join(prefix, 'lib', version, 'site-packages'),
]
on_path = [c for c in candidates if c in map(os.path.normpath, sys.path)]
if on_path:
    print(on_path[0])
    print('yes')
else:
    print(sysconfig.get_path('purelib', 'posix_prefix', vars={'base': prefix}))
    print('no')
