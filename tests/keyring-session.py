#!/usr/bin/python3
# keyring-session.py: runs a test in a D-Bus session of its own, with a home
# of its own, and a keyring in it.
#
#   keyring-session.py [--no-secret-service] COMMAND [ARGUMENT...]
#
# By default the session has gnome-keyring-daemon (its Secret Service only),
# whose login keyring is created and unlocked with a test password: the
# tests store, read and remove keys in it, never in the user's keyring.
# With --no-secret-service the session bus has nothing on it that provides
# the Secret Service, and nothing it could start for it.
#
# It exits with the status of COMMAND, whose standard output (TAP, for the
# C tests) passes through untouched. It fails, not skips, when
# dbus-run-session or gnome-keyring-daemon is missing.
#
# Python standard library, and PyGObject for the D-Bus calls.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TEST_PASSWORD = b'capsolver-glib-test-password'
SECRETS_NAME = 'org.freedesktop.secrets'
START_TIMEOUT = 20   # s, for the daemon to own its name on the bus

# A session bus that can start nothing: no <servicedir>, so no
# org.freedesktop.secrets.service either.
BARE_BUS_CONFIG = '''<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
'''


def fail(message):
    print('keyring-session: %s' % message, file=sys.stderr)
    sys.exit(1)


def scratch_environment(root):
    """The environment of the session: a home and XDG directories under
    @root, so that nothing of the user's is read or written."""
    env = dict(os.environ)
    for name in ('home', 'data', 'config', 'cache', 'runtime'):
        os.mkdir(os.path.join(root, name), 0o700)
    env['HOME'] = os.path.join(root, 'home')
    env['XDG_DATA_HOME'] = os.path.join(root, 'data')
    env['XDG_CONFIG_HOME'] = os.path.join(root, 'config')
    env['XDG_CACHE_HOME'] = os.path.join(root, 'cache')
    env['XDG_RUNTIME_DIR'] = os.path.join(root, 'runtime')
    # no prompter: nothing may wait for a user
    env.pop('DISPLAY', None)
    env.pop('WAYLAND_DISPLAY', None)
    for name in ('DBUS_SESSION_BUS_ADDRESS', 'GNOME_KEYRING_CONTROL', 'SSH_AUTH_SOCK'):
        env.pop(name, None)
    return env


def outside(argv):
    """Makes the scratch home, and runs this script again inside
    dbus-run-session."""
    no_service = argv[:1] == ['--no-secret-service']
    command = argv[1:] if no_service else argv
    if not command:
        fail('usage: keyring-session.py [--no-secret-service] COMMAND [ARGUMENT...]')
    for program in ('dbus-run-session', 'dbus-daemon') + (() if no_service else
                                                          ('gnome-keyring-daemon',)):
        if shutil.which(program) is None:
            fail('%s is missing (tools/quickstart installs it)' % program)

    root = tempfile.mkdtemp(prefix='capsolver-keyring-')
    try:
        env = scratch_environment(root)
        session = ['dbus-run-session']
        if no_service:
            config = os.path.join(root, 'bus.conf')
            with open(config, 'w') as f:
                f.write(BARE_BUS_CONFIG % root)
            session += ['--config-file', config]
        inner = [sys.executable, os.path.abspath(__file__), '--inside',
                 'none' if no_service else 'keyring', '--', *command]
        return subprocess.run(session + ['--'] + inner, env=env).returncode
    finally:
        shutil.rmtree(root, ignore_errors=True)


def bus_call(method, *args):
    from gi.repository import Gio, GLib
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    signature = '(%s)' % ('s' * len(args))
    reply = bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                          'org.freedesktop.DBus', method,
                          GLib.Variant(signature, args) if args else None,
                          None, Gio.DBusCallFlags.NONE, -1, None)
    return reply.unpack()[0]


def start_keyring():
    """Starts gnome-keyring-daemon on this session's bus, its login keyring
    created and unlocked with the test password; returns its pid."""
    # the daemon is not under test: none of the test's G_DEBUG or malloc
    # checks for it
    env = {k: v for k, v in os.environ.items()
           if k not in ('G_DEBUG', 'G_SLICE') and not k.startswith('MALLOC_')}
    daemon = subprocess.run(['gnome-keyring-daemon', '--unlock', '--components=secrets',
                             '--daemonize'],
                            input=TEST_PASSWORD, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, timeout=START_TIMEOUT)
    if daemon.returncode != 0:
        fail('gnome-keyring-daemon failed: %s' % daemon.stderr.decode(errors='replace'))
    deadline = time.monotonic() + START_TIMEOUT
    while not bus_call('NameHasOwner', SECRETS_NAME):
        if time.monotonic() > deadline:
            fail('gnome-keyring-daemon did not own %s in %d s' % (SECRETS_NAME, START_TIMEOUT))
        time.sleep(0.05)
    return bus_call('GetConnectionUnixProcessID', SECRETS_NAME)


def stop_keyring(pid):
    """Stops the daemon started, and the one that owns the name now if a
    test replaced it; either may be gone already (a test killed it)."""
    pids = {pid}
    try:
        if bus_call('NameHasOwner', SECRETS_NAME):
            pids.add(bus_call('GetConnectionUnixProcessID', SECRETS_NAME))
    except Exception:   # the name's owner left between the two calls
        pass
    for daemon in pids:
        try:
            os.kill(daemon, signal.SIGCONT)   # a test may have stopped it
            os.kill(daemon, signal.SIGTERM)
        except ProcessLookupError:
            pass


def inside(mode, command):
    pid = start_keyring() if mode == 'keyring' else None
    try:
        return subprocess.run(command).returncode
    finally:
        if pid is not None:
            # it would leave with the bus; the test should not wait for that
            stop_keyring(pid)


def main():
    if sys.argv[1:2] == ['--inside']:
        mode = sys.argv[2]
        assert sys.argv[3] == '--'
        return inside(mode, sys.argv[4:])
    return outside(sys.argv[1:])


if __name__ == '__main__':
    sys.exit(main())
