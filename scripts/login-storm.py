#!/usr/bin/env python3
"""Memory of the server under a login storm: starts `terreno-server serve` on a fresh SQLite
database on 127.0.0.1, fires N concurrent logins with unknown usernames (each costs an Argon2
hash), and prints the server's VmRSS before, right after, and after a quiet spell, with VmHWM
(the peak) and the answers by status.

Loopback only; bounded (one round of N requests, every request has a timeout); stops the
server it started.

    scripts/login-storm.py path/to/terreno-server [--logins 200] [--quiet 10] [--addresses N]
"""

import argparse
import collections
import concurrent.futures
import http.client
import json
import os
import socket
import subprocess
import tempfile
import time


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(port, i, addresses):
    """One bad login, sent from 127.0.0.(2 + i % addresses) (all loopback), so the
    per-address limit does not hide the hashing behind 429s when addresses > 1."""
    source = f"127.0.{(i % addresses) // 250}.{2 + (i % addresses) % 250}"
    body = json.dumps({"username": f"nobody{i}", "password": "guess-guess"})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60,
                                      source_address=(source, 0))
    try:
        conn.request("POST", "/api/v1/auth/login", body,
                     {"content-type": "application/json"})
        return conn.getresponse().status
    except OSError as e:
        return type(e).__name__
    finally:
        conn.close()


def wait_ready(port, deadline):
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start listening")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--logins", type=int, default=200)
    ap.add_argument("--quiet", type=float, default=10.0)
    ap.add_argument("--addresses", type=int, default=0,
                    help="source addresses to spread the logins over (default: one each)")
    args = ap.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TERRENO_LOG="warn")
        server = subprocess.Popen(
            [args.binary, "--db", os.path.join(tmp, "t.db"), "serve",
             "--listen", f"127.0.0.1:{port}"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            wait_ready(port, time.time() + 30)
            time.sleep(1)
            idle = status_kib(server.pid, "VmRSS")
            addresses = args.addresses or args.logins
            start = time.time()
            with concurrent.futures.ThreadPoolExecutor(args.logins) as pool:
                answers = list(pool.map(lambda i: login(port, i, addresses),
                                        range(args.logins)))
            took = time.time() - start
            after = status_kib(server.pid, "VmRSS")
            time.sleep(args.quiet)
            settled = status_kib(server.pid, "VmRSS")
            peak = status_kib(server.pid, "VmHWM")
        finally:
            server.terminate()
            server.wait(timeout=30)
    mib = lambda kib: f"{kib / 1024:.0f} MiB"
    print(f"logins: {args.logins} concurrent from {addresses} addresses, "
          f"answered in {took:.1f} s: "
          f"{dict(collections.Counter(answers))}")
    print(f"VmRSS idle {mib(idle)}, right after {mib(after)}, "
          f"after {args.quiet:.0f} s quiet {mib(settled)}; VmHWM {mib(peak)}")


if __name__ == "__main__":
    main()
