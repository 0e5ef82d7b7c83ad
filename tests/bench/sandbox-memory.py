#!/usr/bin/python3
# sandbox-memory.py: what `capsolver sandbox` keeps resident for its tasks
#
# Starts the sandbox as a process with --max-tasks N and --task-lifetime S,
# fills it with N createTask requests over HTTP (two kept-alive
# connections), checks that one more is refused (all N kept at once), then
# prints its resident memory every 5 s until WAIT seconds after the last
# task was created, with no request meanwhile: the sandbox must sweep the
# expired tasks and give their memory back on its own.
#
#   tests/bench/sandbox-memory.py _build/tools/capsolver [N [S [WAIT]]]
#
# 100,000 tasks take a minute or two over HTTP; S must be longer than that,
# and WAIT longer than S. Standard library only.
#
# SPDX-FileCopyrightText: 2026 The capsolver-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import json
import socket
import subprocess
import sys
import threading
import time


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise RuntimeError('no VmRSS')


def create_request(key, i):
    body = json.dumps({'clientKey': key,
                       'task': {'type': 'ReCaptchaV2TaskProxyLess',
                                'websiteURL': 'https://t%d.example/' % i,
                                'websiteKey': 'k'}}).encode()
    return (b'POST /createTask HTTP/1.1\r\nHost: 127.0.0.1\r\n'
            b'Content-Type: application/json\r\nContent-Length: %d\r\n\r\n' % len(body) + body)


def read_status(sock, buffer):
    """Reads one reply; returns its status line and the bytes after it."""
    while b'\r\n\r\n' not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError('the sandbox closed the connection')
        buffer += chunk
    head, _, rest = buffer.partition(b'\r\n\r\n')
    length = 0
    for line in head.split(b'\r\n')[1:]:
        name, _, value = line.partition(b':')
        if name.strip().lower() == b'content-length':
            length = int(value)
    while len(rest) < length:
        rest += sock.recv(65536)
    return head.split(b'\r\n')[0], rest[length:]


def create(port, key, first, count, statuses):
    with socket.create_connection(('127.0.0.1', port)) as sock:
        buffer = b''
        for i in range(first, first + count):
            sock.sendall(create_request(key, i))
            status, buffer = read_status(sock, buffer)
            statuses.append(status)


def main(capsolver, n=100000, lifetime=150, wait=200):
    process = subprocess.Popen([capsolver, 'sandbox', '--port', '0', '--max-tasks', str(n),
                                '--task-lifetime', str(lifetime)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        port = int(process.stdout.readline().decode().strip().rsplit(':', 1)[1])
        key = process.stdout.readline().decode().strip()
        statuses = []
        create(port, key, 0, 10, statuses)
        time.sleep(0.5)
        fresh = rss_kib(process.pid)

        started = time.monotonic()
        half = (n - 10) // 2
        threads = [threading.Thread(target=create, args=(port, key, 10 + k * half, half, statuses))
                   for k in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        created = time.monotonic()
        refused = []
        create(port, key, n, 1, refused)
        full = rss_kib(process.pid)
        print('%d tasks created in %.1f s (%d accepted; one more: %s)'
              % (len(statuses), created - started,
                 sum(status.endswith(b' 200 OK') for status in statuses), refused[0].decode()))
        print('resident: fresh %d KiB, with the tasks %d KiB' % (fresh, full), flush=True)
        while time.monotonic() - created < wait:
            time.sleep(5)
            print('%3.0f s after the last was created: %d KiB'
                  % (time.monotonic() - created, rss_kib(process.pid)), flush=True)
    finally:
        process.terminate()
        process.wait()
        process.stdout.close()


if __name__ == '__main__':
    main(sys.argv[1], *(int(arg) for arg in sys.argv[2:]))
