# mainloop.py: what the Python tests share: an asynchronous call run on a
# main loop with a guard timeout, so that the test asserts after the loop.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

from gi.repository import GLib

TIMEOUT_SECONDS = 20


def run_async(start, finish, before_loop=None, timeout=TIMEOUT_SECONDS):
    """Starts a call with start(callback), runs a main loop until the
    callback or the guard timeout, and returns (value, error, timed_out),
    value being what finish(result) returned and error what it raised."""
    loop = GLib.MainLoop()
    outcome = {'timed out': False}

    def done(source, result):
        try:
            outcome['value'] = finish(result)
        except Exception as e:  # noqa: BLE001 - checked after the loop
            outcome['error'] = e
        loop.quit()

    def timed_out():
        outcome['timed out'] = True
        loop.quit()
        return GLib.SOURCE_REMOVE

    guard = GLib.timeout_add_seconds(timeout, timed_out)
    start(done)
    if before_loop is not None:
        before_loop()
    loop.run()
    if not outcome['timed out']:
        GLib.source_remove(guard)
    return outcome.get('value'), outcome.get('error'), outcome['timed out']
