"""listen_bench.py — what `mfpdoctor listen --relay` adds per SMTP command on loopback. A minimal
upstream (plain SMTP, answers every command at once) is timed directly and through the relay
(plain legs, --quiet): per-command round trips over N NOOPs, median and 95th percentile, and the
difference. Target: the relay adds under 1 ms per command.

Usage: /usr/bin/python3 tests/bench/listen_bench.py [path/to/mfpdoctor] [commands]"""
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))


def upstream():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(4)

    def serve(c):
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        f = c.makefile("rb")
        c.sendall(b"220 bench ESMTP\r\n")
        for line in f:
            if line.upper().startswith(b"QUIT"):
                c.sendall(b"221 bye\r\n")
                break
            c.sendall(b"250 2.0.0 Ok\r\n")
        c.close()

    def loop():
        while True:
            c, _ = s.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def rtts(port, n):
    c = socket.create_connection(("127.0.0.1", port), timeout=10)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = c.makefile("rb")
    f.readline()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        c.sendall(b"NOOP\r\n")
        f.readline()
        out.append((time.perf_counter() - t0) * 1000)
    c.sendall(b"QUIT\r\n")
    f.readline()
    c.close()
    return out


def summary(v):
    v = sorted(v)
    return statistics.median(v), v[int(len(v) * 0.95)]


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(SRC, "build", "mfpdoctor")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    up = upstream()
    direct = rtts(up, n)
    p = subprocess.Popen([binary, "listen", "--port", "0", "--tls", "none", "--sessions", "1", "-q",
                          "--relay", "127.0.0.1:%d" % up, "--relay-tls", "none"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        m = re.search(rb"port (\d+)", p.stderr.readline())
        relayed = rtts(int(m.group(1)), n)
        p.wait(20)
    finally:
        if p.poll() is None:
            p.kill()
    dm, d95 = summary(direct)
    rm, r95 = summary(relayed)
    print("commands: %d per run" % n)
    print("direct:   median %.3f ms, p95 %.3f ms" % (dm, d95))
    print("relayed:  median %.3f ms, p95 %.3f ms" % (rm, r95))
    added = rm - dm
    print("added by the relay: %.3f ms per command (median); target < 1 ms: %s"
          % (added, "met" if added < 1.0 else "NOT met"))
    sys.exit(0 if added < 1.0 else 1)


if __name__ == "__main__":
    main()
