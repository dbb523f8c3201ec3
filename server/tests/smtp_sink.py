#!/usr/bin/env python3
"""A real SMTP server on loopback for the email tests (aiosmtpd, installed by scripts/test).

Prints its port on stdout once listening, then stores every accepted message as
DIR/<n>.eml. With --fail-first N it answers "451 try again later" to the first N messages
(after DATA), the way a greylisting or overloaded server does. With --delay S it waits S
seconds before answering each message (so a test can kill a sender mid-queue).
"""

import argparse
import asyncio
import os
import socket
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, fail_first, delay):
        self.directory = directory
        self.fail_left = fail_first
        self.delay = delay
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_left > 0:
            self.fail_left -= 1
            return "451 4.3.0 try again later"
        self.count += 1
        path = os.path.join(self.directory, "%05d.eml" % self.count)
        with open(path + ".tmp", "wb") as f:
            f.write(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 OK"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--delay", type=float, default=0.0)
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    c = Controller(Sink(a.dir, a.fail_first, a.delay), hostname="127.0.0.1", port=port)
    c.start()
    print(port, flush=True)
    try:
        sys.stdin.read()  # runs until the test closes stdin (or kills it)
    finally:
        c.stop()


if __name__ == "__main__":
    main()
