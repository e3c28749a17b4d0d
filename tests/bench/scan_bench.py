#!/usr/bin/python3
"""tests/bench/scan_bench.py — the fleet scan against a parallel snmpbulkwalk, in the same run.
For each fleet size N: N simulated printers on distinct loopback addresses (tests/sim/fleet.py:
snmpsimd processes with many endpoints, one Brother recording) and one shared SMTP persona;
(a) `snmpbulkwalk -v2c -c public ADDR 1.3.6.1.2.1.43` over all N, --jobs at a time (xargs -P),
(b) `mfpdoctor scan --jobs J --hosts-file … -- --no-web --cafile CA` (the whole diagnosis:
SNMP read, one shared test send, report per printer). Prints wall times, the ratio, the cost
per printer, and the peak memory of the scan's whole process tree (sum of RSS and of PSS over
the parent and its workers, sampled every 20 ms). Not a ctest test (the suite is not timed).

Usage: scan_bench.py [--quick] [--sizes 100,500,2000] [--jobs 32] [--snmpsim-procs K] [--bin B]
  --quick: N = 50 only (a smoke run, ~30 s)."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

SRC = os.environ.get("MFPDOCTOR_SRC", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "sim"))
import fleet  # noqa: E402
import printer  # noqa: E402
from simworld import Certs, Persona  # noqa: E402


def descendants(root):
    """pid -> ppid over /proc, then every process under root (root included)."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    parent[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += [c for c, pp in parent.items() if pp == p]
    return out


def mem_kb(pid):
    rss = pss = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class TreeMemory(threading.Thread):
    """Peak sum of RSS and PSS over a process and all its descendants."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.stop, self.peak_rss, self.peak_pss, self.peak_procs = pid, False, 0, 0, 0

    def run(self):
        while not self.stop:
            pids = descendants(self.pid)
            rss = pss = 0
            for p in pids:
                r, s = mem_kb(p)
                rss, pss = rss + r, pss + s
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.peak_procs = max(self.peak_procs, len(pids))
            time.sleep(0.02)


def cpu_s(pids):
    """User + system CPU seconds used so far by these processes (the simulators)."""
    tck, total = os.sysconf("SC_CLK_TCK"), 0
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / tck


def run_measured(cmd, stdin=None, env=None, on_start=None):
    """(seconds, CPU seconds of cmd and its children, stdout, stderr, exit code, on_start's value)."""
    t = time.monotonic()
    p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    extra = on_start(p) if on_start else None
    out, err = b"", b""
    import selectors
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    sel.register(p.stderr, selectors.EVENT_READ)
    while sel.get_map():
        for key, _ in sel.select():
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                sel.unregister(key.fileobj)
            elif key.fileobj is p.stdout:
                out += chunk
            else:
                err += chunk
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - t, ru.ru_utime + ru.ru_stime, out, err, p.returncode, extra


def bulkwalk(hosts_file, jobs, sims):
    c0 = cpu_s(sims)
    with open(hosts_file) as f:
        secs, cpu, out, err, rc, _ = run_measured(["xargs", "-P", str(jobs), "-I{}", "snmpbulkwalk", "-v2c", "-c",
                                                   "public", "-t", "5", "{}", "1.3.6.1.2.1.43"], stdin=f)
    if rc != 0:
        raise RuntimeError("snmpbulkwalk failed: %s" % err[:500])
    return secs, cpu, cpu_s(sims) - c0


def scan(binary, hosts_file, jobs, ca, password, n, sims):
    env = dict(os.environ, MFPDOCTOR_SMTP_PASSWORD=password, NO_COLOR="1")

    def watch(p):
        m = TreeMemory(p.pid)
        m.start()
        return m
    c0 = cpu_s(sims)
    secs, cpu, out, err, rc, mem = run_measured([binary, "scan", "--jobs", str(jobs), "--format", "jsonl",
                                                 "--hosts-file", hosts_file, "--", "--no-web", "--cafile", ca],
                                                env=env, on_start=watch)
    sim_cpu = cpu_s(sims) - c0
    mem.stop = True
    mem.join()
    rows = [l for l in out.decode().splitlines() if l.strip()]
    ok = sum('"status":"ok"' in l for l in rows)
    if len(rows) != n or ok != n:
        raise RuntimeError("scan: %d rows, %d ok, of %d (exit %d): %s %s" % (len(rows), ok, n, rc, rows[:2], err[:500]))
    return secs, cpu, sim_cpu, mem


def one_size(n, args, certs, persona, work):
    smtp = {"security": "starttls", "auth": "auto", "user": persona.user, "from": persona.user, "host": "localhost",
            "port": persona.port}
    rows = printer._snmp_identity("brother", "mfp-fleet.sim.test") + printer._brother_smtp(smtp)
    sf = fleet.SnmpFleet(rows, n, args.snmpsim_procs).start()
    try:
        hosts = os.path.join(work, "hosts-%d.txt" % n)
        with open(hosts, "w") as f:
            f.write("".join("%s:%d\n" % (fleet.address(i), sf.port) for i in range(n)))
        sims = [p.pid for p in sf.p]
        sessions0 = fleet.sessions_max_concurrent(persona.log_file)[0]
        bw = bulkwalk(hosts, args.jobs, sims)
        sc = scan(args.bin, hosts, args.jobs, os.path.join(certs.dir, "ca.pem"), persona.password, n, sims)
        sends = fleet.sessions_max_concurrent(persona.log_file)[0] - sessions0
        bw2 = bulkwalk(hosts, args.jobs, sims)   # again after the scan: the machine's load may change
        return min(bw, bw2), sc, sends
    finally:
        sf.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes", default="100,500,2000")
    ap.add_argument("--jobs", type=int, default=32)
    ap.add_argument("--snmpsim-procs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--bin", default=os.environ.get("MFPDOCTOR_BIN") or os.path.join(SRC, "build", "mfpdoctor"))
    args = ap.parse_args()
    sizes = [50] if args.quick else [int(x) for x in args.sizes.split(",")]
    work = tempfile.mkdtemp(prefix="mfp-scan-bench-")
    certs = Certs(os.path.join(work, "certs"))
    print("scan_bench: %s, --jobs %d, %d snmpsimd processes, %d CPUs, load %.1f" % (
        args.bin, args.jobs, args.snmpsim_procs, os.cpu_count() or 0, os.getloadavg()[0]), flush=True)
    print("%6s %8s %7s %6s %6s %9s | %-22s | %-22s | %8s %7s %5s" % (
        "N", "walk s", "scan s", "ratio", "ms/p", "walk ms/p", "walk CPU s: tool+sim", "scan CPU s: tool+sim",
        "peak RSS", "PSS", "sends"), flush=True)
    try:
        run_sizes(sizes, args, certs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("walk: parallel snmpbulkwalk of the Printer-MIB (the faster of a run before and one after the scan); "
          "CPU s: the tool's processes + the snmpsimd processes during that run; peak RSS/PSS: the scan's "
          "process tree; sends: SMTP sessions the persona saw during the scan")
    return 0


def run_sizes(sizes, args, certs, work):
    with Persona("submission", certs, user=fleet.USER, password=fleet.PASSWORD) as persona:
        for n in sizes:
            (bw, bwc, bws), (sc, scc, scs, mem), sends = one_size(n, args, certs, persona, work)
            print("%6d %8.2f %7.2f %6.2f %6.2f %9.2f | %9.2f + %-10.2f | %9.2f + %-10.2f | %7.0fM %6.0fM %5d" % (
                n, bw, sc, sc / bw, 1000 * sc / n, 1000 * bw / n, bwc, bws, scc, scs, mem.peak_rss / 1024,
                mem.peak_pss / 1024, sends), flush=True)


if __name__ == "__main__":
    sys.exit(main())
