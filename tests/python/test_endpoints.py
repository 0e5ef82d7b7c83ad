#!/usr/bin/python3
# test_endpoints.py: a client's endpoints from Python: base-urls is a list
# whose first is base-url, CapSolver's two servers by default, and a
# client whose first endpoint refuses connections moves to the second,
# which active-endpoint says, notifies and the usage counts.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import socket
import unittest

import gi
gi.require_version('CapSolver', '1')
from gi.repository import CapSolver  # noqa: E402

KEY = 'CAP-PYTHON-ENDPOINTS-KEY'
SITE_KEY = '6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-'


def refused_url():
    """A loopback URL on a port that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    return 'http://127.0.0.1:%d' % port


class EndpointsTest(unittest.TestCase):
    def test_defaults(self):
        client = CapSolver.Client(api_key=KEY)
        self.assertEqual(list(client.props.base_urls),
                         ['https://api.capsolver.com', 'https://api-stable.capsolver.com'])
        self.assertEqual(client.props.base_url, 'https://api.capsolver.com')
        self.assertEqual(client.props.active_endpoint, 'https://api.capsolver.com')

        client.props.base_url = 'http://127.0.0.1:1/'
        self.assertEqual(list(client.get_base_urls()), ['http://127.0.0.1:1'])
        client.set_base_urls(['http://127.0.0.1:2', 'http://127.0.0.1:3'])
        self.assertEqual(client.props.base_url, 'http://127.0.0.1:2')
        self.assertEqual(client.dup_active_endpoint(), 'http://127.0.0.1:2')

    def test_refused_first(self):
        sandbox = CapSolver.Sandbox.new()
        sandbox.add_key(KEY, 100.0)
        sandbox.start(0)
        try:
            first = refused_url()
            client = CapSolver.Client(api_key=KEY, base_urls=[first, sandbox.get_base_url()],
                                      adaptive_polling=False, first_poll_delay=5,
                                      poll_interval=5)
            moves = []
            client.connect('notify::active-endpoint',
                           lambda c, pspec: moves.append(c.props.active_endpoint))
            task = CapSolver.ReCaptchaV2Task(website_url='https://www.example.com/',
                                             website_key=SITE_KEY)
            self.assertTrue(client.solve(task).get_token())
            self.assertEqual(moves, [sandbox.get_base_url()])
            self.assertEqual(client.props.active_endpoint, sandbox.get_base_url())
            self.assertEqual(client.get_usage().get_endpoint_switches(), 1)
            self.assertEqual(sandbox.get_request_count('createTask'), 1)
        finally:
            sandbox.stop()


if __name__ == '__main__':
    unittest.main()
