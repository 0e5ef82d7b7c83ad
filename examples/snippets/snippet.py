# snippet.py: what the Python snippets of the documentation share. Each
# snippet is a program whose part between the [doc] and [/doc] lines is
# shown in a page of docs/; around it, a sandbox stands in for the service.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os

import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver  # noqa: E402

SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'


def sandbox(api_key=CapSolver.SANDBOX_DEFAULT_KEY):
    """Starts a sandbox and points CAPSOLVER_API_KEY and CAPSOLVER_BASE_URL
    at it (a key other than the default one has no balance)."""
    service = CapSolver.Sandbox()
    service.start(0)
    if api_key != CapSolver.SANDBOX_DEFAULT_KEY:
        service.add_key(api_key, 0)
    service.set_polls_until_ready(0)   # ready at the first poll
    os.environ['CAPSOLVER_API_KEY'] = api_key
    os.environ['CAPSOLVER_BASE_URL'] = service.get_base_url()
    return service
