# gi.repository for type checkers: CapSolver has its stub next to this
# file; every other namespace is left untyped (pygobject-stubs types them).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import typing

def __getattr__(name: str) -> typing.Any: ...
