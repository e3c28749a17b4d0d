"""smtp_bench.py — wall time and peak memory of a stop-after-rcpt probe against a loopback SMTP
server, side by side with swaks (--quit-after RCPT) and curl (a whole send of a message of the
same size: curl cannot stop after RCPT) on the same server in the same run. Prints medians and
the ratios; targets: mfpdoctor <= 0.5x swaks and <= 1.2x curl.

Usage: /usr/bin/python3 tests/bench/smtp_bench.py [path/to/mfpdoctor] [runs]"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "sim"))
from simworld import Certs, Persona  # noqa: E402


def measure(cmd, runs, env=None):
    """Median wall time (ms) over runs, and peak RSS (KiB) measured by /usr/bin/time (a fork of
    this Python process would report Python's own size)."""
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        code = subprocess.call(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
        walls.append(time.perf_counter() - t0)
        if code not in (0, 1):
            raise SystemExit("%s exited %d" % (cmd[0], code))
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    rss = int(r.stderr.decode().strip().splitlines()[-1])
    return statistics.median(walls) * 1000, rss


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(SRC, "build", "mfpdoctor")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    size = 2 * 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        certs = Certs(os.path.join(tmp, "certs"))
        body = os.path.join(tmp, "msg.eml")
        with open(body, "wb") as f:
            f.write(b"From: a@sim.test\r\nTo: b@sim.test\r\nSubject: bench\r\n\r\n")
            f.write((b"x" * 76 + b"\r\n") * (size // 78))
        with Persona("open", certs) as srv:
            port = str(srv.port)
            env = dict(os.environ, NO_COLOR="1")
            rows = [
                ("mfpdoctor", [binary, "smtp", "--server", "127.0.0.1", "--port", port, "--tls", "none",
                               "--from", "a@sim.test", "--to", "b@sim.test", "--ehlo", "bench.sim.test",
                               "--no-followups", "--size", str(size)]),
                ("swaks", ["swaks", "--server", "127.0.0.1", "--port", port, "--from", "a@sim.test", "--to",
                           "b@sim.test", "--ehlo", "bench.sim.test", "--quit-after", "RCPT"]),
                ("curl", ["curl", "-s", "smtp://127.0.0.1:%s/bench.sim.test" % port, "--mail-from", "a@sim.test",
                          "--mail-rcpt", "b@sim.test", "-T", body]),
            ]
            res = {}
            for name, cmd in rows:
                measure(cmd, 2, env)  # warm-up
                res[name] = measure(cmd, runs, env)
    print("SMTP probe benchmark: %d runs each, loopback server (tests/sim persona 'open')" % runs)
    print("%-10s %12s %14s" % ("tool", "median ms", "peak RSS KiB"))
    for name in ("mfpdoctor", "swaks", "curl"):
        print("%-10s %12.1f %14d" % (name, res[name][0], res[name][1]))
    m, s, c = res["mfpdoctor"], res["swaks"], res["curl"]
    print("ratio time   mfpdoctor/swaks = %.2f (target <= 0.5)   mfpdoctor/curl = %.2f (target <= 1.2)" % (m[0] / s[0], m[0] / c[0]))
    print("ratio memory mfpdoctor/swaks = %.2f   mfpdoctor/curl = %.2f" % (m[1] / s[1], m[1] / c[1]))
    print("note: mfpdoctor declares a %d-byte scan (SIZE= on MAIL FROM when offered) and stops after RCPT; curl sends "
          "a message of the same size in full; swaks stops after RCPT without a message." % size)


if __name__ == "__main__":
    main()
