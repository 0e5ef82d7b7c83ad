#!/usr/bin/python3
# generate.py: runs gi-docgen, then takes out of the index the rows of the
# project's information that have nothing in them.
#
#   generate.py GI-DOCGEN ARGUMENT... --output-dir=DIR ...
#
# gi-docgen 2023.1's theme writes the Website and Source rows whatever the
# configuration holds, as an empty link when it holds no address; the
# project has none unless -Dwebsite_url and -Dsource_url give them.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import subprocess
import sys

# A row of a table whose value is empty, or an empty link.
EMPTY_ROW = re.compile(r'^[ \t]*<tr><td><em>[^<]*</em></td><td>\s*(?:<a href=""[^>]*>\s*</a>)?\s*'
                       r'</td></tr>[ \t]*\n', re.MULTILINE)


def output_dir(arguments):
    for i, argument in enumerate(arguments):
        if argument.startswith('--output-dir='):
            return argument.split('=', 1)[1]
        if argument == '--output-dir' and i + 1 < len(arguments):
            return arguments[i + 1]
    sys.exit('generate.py: no --output-dir')


def main(argv):
    status = subprocess.run(argv[1:]).returncode
    if status != 0:
        return status
    index = os.path.join(output_dir(argv[2:]), 'index.html')
    with open(index, encoding='utf-8') as f:
        page = f.read()
    with open(index, 'w', encoding='utf-8') as f:
        f.write(EMPTY_ROW.sub('', page))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
