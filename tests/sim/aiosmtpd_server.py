#!/usr/bin/python3
"""aiosmtpd_server.py — a second, independent SMTP server implementation for the tests: Debian's
aiosmtpd (python3-aiosmtpd) with its own protocol code, STARTTLS, AUTH (PLAIN and LOGIN, only
after STARTTLS), a SIZE limit and authentication required, accepting mail into a directory.
The scripted personas (smtpsim.py) reproduce providers byte for byte; this one checks that the
client interoperates with a server whose wording and behaviour mfpdoctor's authors did not write.

Usage: aiosmtpd_server.py --certdir DIR --password-file F [--user U] [--size BYTES] [--save-dir D]
Prints "READY <port>" once listening on 127.0.0.1; stops on SIGTERM."""
import argparse
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, save_dir):
        self.save_dir = save_dir
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        if self.save_dir:
            self.n += 1
            with open(os.path.join(self.save_dir, "msg-%d.eml" % self.n), "wb") as f:
                f.write(envelope.original_content or envelope.content)
        return "250 2.0.0 OK: queued"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--certdir", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--user", default="scanner@sim.test")
    ap.add_argument("--size", type=int, default=5 * 1024 * 1024)
    ap.add_argument("--save-dir", default="")
    a = ap.parse_args()
    password = open(a.password_file).read().strip().encode()
    user = a.user.encode()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user and auth_data.password == password
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd replies 535 itself

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(os.path.join(a.certdir, "server.pem"), os.path.join(a.certdir, "server.key"))
    # aiosmtpd 1.4 cannot listen on port 0 (its readiness check connects to the port it was
    # given): take a free port and retry if another process grabs it first
    for attempt in range(5):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        ctl = Controller(Handler(a.save_dir), hostname="127.0.0.1", port=port, server_hostname="mail.sim.test",
                         tls_context=tls, require_starttls=True, auth_required=True, auth_require_tls=True,
                         authenticator=authenticator, data_size_limit=a.size, ready_timeout=10)
        try:
            ctl.start()
            break
        except (OSError, RuntimeError):
            if attempt == 4:
                raise
    print("READY %d" % port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *x: done.set())
    signal.signal(signal.SIGINT, lambda *x: done.set())
    done.wait()
    ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
