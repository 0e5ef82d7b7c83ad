#!/usr/bin/python3
# keyring-daemon-gone.py: run by keyring-session.py, kills its keyring
# daemon and waits until the process is gone, as a test of a daemon that
# crashes does: keyring-session.py must still exit with this script's
# status, 0.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import signal
import sys
import time

from gi.repository import Gio, GLib

bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
pid = bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                    'GetConnectionUnixProcessID',
                    GLib.Variant('(s)', ('org.freedesktop.secrets',)),
                    None, Gio.DBusCallFlags.NONE, -1, None).unpack()[0]
os.kill(pid, signal.SIGKILL)
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(0)
    time.sleep(0.05)
sys.exit('the keyring daemon %d did not go' % pid)
