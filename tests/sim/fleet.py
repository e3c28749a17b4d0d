#!/usr/bin/python3
"""tests/sim/fleet.py — a simulated fleet for the scan engine's tests and benchmark: N printers
on distinct loopback addresses (127.0.1.1, 127.0.1.2, …, one UDP port; served by K snmpsimd
processes, each with many --agent-udpv4-endpoint), all replaying one Brother recording whose
SMTP settings point at the first persona, plus SMTP personas (smtpsim.py) and, on request, a
silent UDP port (an SNMP agent that never answers).

    fleet.py --workdir DIR [--printers N] [--snmpsim-procs K] [--persona NAME[=LABEL]]...
             [--banner-delay SECONDS] [--silent]

Prints one JSON line once everything answers, then serves until its standard input closes
(or SIGTERM), and stops every process it started:
    {"printers": ["127.0.1.1:PORT", …], "personas": {"LABEL": {"port": …, "log": …}},
     "user": …, "password": …, "ca": …, "silent": "127.0.0.1:PORT" or null}
A persona's log has "<session> *: connect from …" and "<session> *: disconnect" lines:
sessions_max_concurrent(log) counts sessions and the most open at once."""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import printer  # noqa: E402
from snmpsim import snmpsimd_command, free_udp_port  # noqa: E402
from simworld import Certs, Persona  # noqa: E402

USER = "scanner@sim.test"
PASSWORD = "Fleet-Sim-Pw-4321"


def address(i):
    """The i-th printer's loopback address (0-based): 127.0.1.1 … 127.0.1.250, 127.0.2.1 …"""
    return "127.0.%d.%d" % (1 + i // 250, 1 + i % 250)


def sessions_max_concurrent(log_path):
    """(sessions, most open at once) from a smtpsim session log."""
    open_now = peak = total = 0
    with open(log_path, errors="replace") as f:
        for line in f:
            sid, _, rest = line.partition(" ")
            if rest.startswith("*: connect from"):
                total += 1
                open_now += 1
                peak = max(peak, open_now)
            elif rest.startswith("*: disconnect"):
                open_now -= 1
    return total, peak


class SnmpFleet:
    """K snmpsimd processes serving one recording on n loopback addresses, one UDP port."""

    def __init__(self, rows, n, procs):
        self.rows, self.n, self.procs = rows, n, max(1, min(procs, n))
        self.tmp = tempfile.mkdtemp(prefix="mfp-fleet-snmp-")
        self.port = None
        self.p = []

    def start(self):
        os.chmod(self.tmp, 0o755)
        data = os.path.join(self.tmp, "data")
        os.mkdir(data)
        os.chmod(data, 0o755)
        rec = os.path.join(data, "public.snmprec")
        printer._write_snmprec(rec, self.rows)
        os.chmod(rec, 0o644)
        exe = snmpsimd_command()
        if not exe:
            raise RuntimeError("snmpsimd not installed (Debian package snmpsim)")
        for attempt in range(3):
            self.port = free_udp_port()
            if self._start_all(exe, data):
                return self
            self.stop(keep=True)
        raise RuntimeError("snmpsimd did not become ready on %d addresses" % self.n)

    def _start_all(self, exe, data):
        addrs = [address(i) for i in range(self.n)]
        chunks = [addrs[k::self.procs] for k in range(self.procs)]
        for k, chunk in enumerate(chunks):
            cache = os.path.join(self.tmp, "cache%d" % k)
            os.makedirs(cache, exist_ok=True)
            os.chmod(cache, 0o777)
            args = [exe, "--data-dir=" + data, "--cache-dir=" + cache, "--logging-method=null"]
            args += ["--agent-udpv4-endpoint=%s:%d" % (a, self.port) for a in chunk]
            if os.geteuid() == 0:
                args += ["--process-user=nobody", "--process-group=nogroup"]
            self.p.append(subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL, start_new_session=True))
        deadline = time.time() + 60 + self.n / 20
        for k, chunk in enumerate(chunks):
            for a in (chunk[0], chunk[-1]):
                if not self._ready(self.p[k], a, deadline):
                    return False
        return True

    def _ready(self, proc, addr, deadline):
        while time.time() < deadline:
            if proc.poll() is not None:
                return False
            r = subprocess.run(["snmpget", "-v2c", "-c", "public", "-t", "0.5", "-r", "0", "-On",
                                "%s:%d" % (addr, self.port), "1.3.6.1.2.1.1.1.0"], capture_output=True, timeout=5)
            if r.returncode == 0:
                return True
            time.sleep(0.3)
        return False

    def stop(self, keep=False):
        for proc in self.p:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(5)
                except (OSError, subprocess.TimeoutExpired):
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except OSError:
                        pass
                    proc.wait()
        self.p = []
        if not keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def personas_file(workdir, delay):
    """A copy of personas.json where every persona waits `delay` s before its banner."""
    src = json.load(open(os.path.join(HERE, "personas.json")))
    for name, p in src["personas"].items():
        if not p.get("abstract") or name == "_base":
            p["banner_delay"] = delay
    path = os.path.join(workdir, "personas-slow.json")
    json.dump(src, open(path, "w"))
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--printers", type=int, default=0)
    ap.add_argument("--snmpsim-procs", type=int, default=1)
    ap.add_argument("--persona", action="append", default=[])
    ap.add_argument("--banner-delay", type=float, default=0)
    ap.add_argument("--silent", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *x: sys.exit(0))
    certs = Certs(os.path.join(a.workdir, "certs"))
    pfile = personas_file(a.workdir, a.banner_delay) if a.banner_delay else None
    started, out, fleet, silent = [], {"personas": {}}, None, None
    try:
        for spec in a.persona:
            name, _, label = spec.partition("=")
            p = Persona(name, certs, user=USER, password=PASSWORD, personas_file=pfile).start()
            started.append(p)
            out["personas"][label or name] = {"port": p.port, "log": p.log_file, "name": name}
        if a.printers:
            port = started[0].port if started else 25
            smtp = {"security": "starttls", "auth": "auto", "user": USER, "from": USER, "host": "localhost",
                    "port": port}
            rows = printer._snmp_identity("brother", "mfp-fleet.sim.test") + printer._brother_smtp(smtp)
            fleet = SnmpFleet(rows, a.printers, a.snmpsim_procs).start()
            out["printers"] = ["%s:%d" % (address(i), fleet.port) for i in range(a.printers)]
        if a.silent:
            silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            silent.bind(("127.0.0.1", 0))
        out.update({"user": USER, "password": PASSWORD, "ca": os.path.join(certs.dir, "ca.pem"),
                    "silent": "127.0.0.1:%d" % silent.getsockname()[1] if silent else None,
                    "snmpsimd_pids": [p.pid for p in fleet.p] if fleet else []})
        print(json.dumps(out), flush=True)
        sys.stdin.read()
    finally:
        if fleet:
            fleet.stop()
        for p in started:
            p.stop()
        if silent:
            silent.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
