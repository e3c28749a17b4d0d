"""test_scan_fleet.py — `mfpdoctor scan` as a fleet tool over simulated printers on distinct
loopback addresses (127.0.0.2-5): an inventory CSV whose per-printer SMTP overrides go to two
different mail servers (credentials by environment-variable reference), a printer whose mail
server never greets (slow), one whose SNMP does not answer, rows streamed in completion order,
Ctrl-C keeping the finished rows (exit 130), --output-dir, CSV for a spreadsheet, the progress
line on a terminal and not in a pipe, and invalid inventories refused before anything runs."""
import csv
import io
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import tempfile
import time

from smtptest import BIN, Suite, run
from printer import SimPrinter
from simworld import Certs, Persona

S = Suite()
ART = os.environ.get("MFPDOCTOR_ARTIFACTS") or os.path.join(os.path.dirname(BIN), "test-artifacts")
os.makedirs(ART, exist_ok=True)
TMP = tempfile.mkdtemp(prefix="mfpdoctor-scanfleet-", dir=ART)
CERTS = Certs(os.path.join(TMP, "certs"))
CA = os.path.join(TMP, "certs", "ca.pem")
USER = "scanner@sim.test"
PW1, PW2 = "Site1-Pw-4711", "Site2-Pw-0815"
LOGIN = {"security": "starttls", "auth": "auto", "user": USER, "from": USER, "host": "mail.wrong.invalid", "port": 25}
ENV = {"SITE1_SMTP_PW": PW1, "SITE2_SMTP_PW": PW2}


PROCS = []


def reap_all():
    """Ends any scan a failed check left running (and so its diagnose children, which end with their budget)."""
    for p in PROCS:
        if p.poll() is None:
            p.kill()
            p.wait()


def start_scan(args, env=None, stderr=subprocess.PIPE):
    e = dict(os.environ)
    e.pop("MFPDOCTOR_SMTP_PASSWORD", None)
    e["NO_COLOR"] = "1"
    e.update(env or {})
    PROCS.append(subprocess.Popen([BIN, "scan"] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=stderr, env=e))
    return PROCS[-1]


def read_lines(proc, until, timeout=120):
    """Rows as they arrive: [(seconds since start, parsed row)] until until(rows) is true or EOF."""
    t0, rows, buf = time.monotonic(), [], b""
    fd = proc.stdout.fileno()
    while time.monotonic() - t0 < timeout and not until(rows):
        r, _, _ = select.select([fd], [], [], 0.2)
        if not r:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            rows.append((time.monotonic() - t0, json.loads(line)))
    return rows


class Fleet:
    def __init__(self, stack):
        self.good = stack(Persona("submission", CERTS, user=USER, password=PW1))
        self.m365 = stack(Persona("m365-auth-disabled", CERTS, user=USER, password=PW2))
        self.silent = stack(Persona("silent", CERTS, user=USER, password=PW2))
        self.p = [stack(SimPrinter("brother", os.path.join(TMP, "p%d" % i), CERTS, LOGIN, snmp_address="127.0.0.%d" % (i + 2),
                                   hostname="mfp-%d.sim.test" % i)) for i in range(3)]
        self.dead = "127.0.0.5:%d" % self.p[0].snmp.port   # nothing listens on that address

    def inventory(self, path, extra_rows=""):
        rows = [
            # host, name, location, smtp_server, smtp_port, tls, smtp_user, smtp_password_env
            (self.p[0].snmp_peer, "Reception", "Site 1, ground floor", "localhost", self.good.port, "starttls", USER, "SITE1_SMTP_PW"),
            (self.p[1].snmp_peer, "Legal \"B\"", "Site 2", "localhost", self.m365.port, "starttls", USER, "SITE2_SMTP_PW"),
            (self.p[2].snmp_peer, "Archive", "Site 2", "localhost", self.silent.port, "", "", "SITE2_SMTP_PW"),
            (self.dead, "Broken", "Site 1", "", "", "", "", ""),
            (self.p[0].snmp_peer, "Reception again", "Site 1", "localhost", self.good.port, "", USER, "UNSET_SITE3_PW"),
        ]
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["host", "name", "location", "smtp_server", "smtp_port", "tls", "smtp_user", "smtp_password_env"])
            w.writerows(rows)
            f.write(extra_rows)
        return path


def with_fleet(fn):
    stack = []

    def push(x):
        stack.append(x.__enter__())
        return stack[-1]
    try:
        fn(Fleet(push))
    finally:
        reap_all()
        for x in reversed(stack):
            x.__exit__(None, None, None)


COMMON = ["--", "--no-web", "--cafile", CA, "--timeout", "4", "--budget", "30"]


def streamed(f):
    inv = f.inventory(os.path.join(TMP, "inv.csv"))
    out_dir = os.path.join(TMP, "reports")
    proc = start_scan(["--inventory", inv, "--format", "jsonl", "--jobs", "5", "--output-dir", out_dir] + COMMON, env=ENV)
    rows = read_lines(proc, lambda r: len(r) == 5)
    rc = proc.wait(60)
    err = proc.stderr.read().decode()
    assert rc == 3, (rc, rows, err)                      # the worst: an error row
    by = {r["index"]: (t, r) for t, r in rows}
    assert sorted(by) == [0, 1, 2, 3, 4], rows
    t_ok, ok = by[0]
    assert ok["status"] == "ok" and ok["exit_code"] == 0, ok
    assert ok["inventory"] == {"name": "Reception", "location": "Site 1, ground floor"}, ok
    assert ok["vendor"] == "Brother" and ok["serial"] == "E78123A9N654321" and ok["sysname"] == "mfp-0.sim.test", ok
    assert ok["location"] == "2nd floor" and ok["firmware"] == "1.02", ok
    assert ok["smtp"] == {"server": "localhost", "port": f.good.port, "tls": "starttls"}, ok
    assert ok["origin"] == "%s line 2" % inv and ok["error"] is None, ok
    assert ok["test_send"]["shared"] is False and ok["test_send"]["ran_for"] == 0, ok
    assert ok["started"].endswith("Z") and ok["duration_s"] < 10, ok
    crit = by[1][1]
    assert crit["status"] == "critical" and crit["top_finding"]["id"] == "m365-smtp-auth-disabled", crit
    assert "m365-smtp-auth-disabled" in [x["id"] for x in crit["findings"]] and crit["counts"]["fail"] >= 1, crit
    assert crit["smtp"]["port"] == f.m365.port and crit["inventory"]["name"] == 'Legal "B"', crit
    t_slow, slow = by[2]
    assert slow["status"] != "ok" and slow["duration_s"] >= 3.5, slow
    # streamed: the fast printer's row came well before the slow one was done
    assert t_slow - t_ok >= 2.5, (t_ok, t_slow)
    print("     streamed: the fast printer's row at %.2f s, the slow one's at %.2f s" % (t_ok, t_slow))
    assert rows[0][1]["index"] in (0, 1, 3, 4) and rows[-1][1]["index"] == 2, [r["index"] for _, r in rows]
    dead = by[3][1]
    assert dead["status"] not in ("ok", "error") and dead["vendor"] is None, dead
    rep = json.load(open(dead["report"]))
    notes = " ".join(rep["device"]["notes"])
    assert "SNMP: no agent is listening" in notes, rep["device"]["notes"]   # the cause, in the kept report
    unset = by[4][1]
    assert unset["status"] == "error" and unset["exit_code"] == -1, unset
    assert "UNSET_SITE3_PW is not set" in unset["error"] and "line 6" in unset["error"], unset
    # --output-dir: one full report per printer that has one, named <index>-<host>, in json, md and html
    names = sorted(os.listdir(out_dir))
    assert names == sorted("%04d-%s.%s" % (i, by[i][1]["host"].replace(":", "_"), ext)
                           for i in range(4) for ext in ("json", "md", "html")), names
    assert json.load(open(os.path.join(out_dir, names[1])))["schema"] == "mfpdoctor/diagnosis/1"
    assert ok["report"] == os.path.join(out_dir, names[1]), ok
    html = open(os.path.join(out_dir, names[0])).read()
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html, html[:200]
    assert open(os.path.join(out_dir, names[2])).read().startswith("# "), names[2]
    assert "note: the environment variable UNSET_SITE3_PW is not set (first needed by %s line 6)" % inv in err, err
    everything = json.dumps(rows) + err + "".join(open(os.path.join(out_dir, n)).read() for n in names)
    assert PW1 not in everything and PW2 not in everything


def interrupted(f):
    inv = f.inventory(os.path.join(TMP, "inv2.csv"))
    slow_common = ["--", "--no-web", "--cafile", CA, "--timeout", "25", "--budget", "60"]
    proc = start_scan(["--inventory", inv, "--format", "jsonl", "--jobs", "5"] + slow_common, env=ENV)
    rows = read_lines(proc, lambda r: {0, 1} <= {x["index"] for _, x in r}, timeout=40)
    t = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    rows += [(0, json.loads(line)) for line in out.decode().splitlines()]
    assert proc.returncode == 130, (proc.returncode, err)
    assert time.monotonic() - t < 10, "the stop took too long"
    # finished rows kept; the slow one, ended by the stop, has a row that says so (or none)
    stopped = {r["index"] for _, r in rows if (r.get("error") or "").startswith("stopped:")}
    idx = {r["index"] for _, r in rows} - stopped
    assert {0, 1} <= idx and 2 not in idx, (idx, rows)
    assert all(r["status"] == "error" and r["exit_code"] == -1 for _, r in rows if r["index"] in stopped), rows
    last = err.decode().strip().splitlines()[-1]
    assert "stopped by Ctrl-C" in last and "%d not scanned" % (5 - len(idx)) in last, last
    # json: the array is closed with what finished
    proc = start_scan(["--inventory", inv, "--format", "json", "--jobs", "5"] + slow_common, env=ENV)
    time.sleep(6)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    arr = json.loads(out)
    done = {r["index"] for r in arr if not (r.get("error") or "").startswith("stopped:")}
    assert proc.returncode == 143 and {0, 1} <= done and 2 not in done, (arr, err)


def spreadsheet_and_table(f):
    inv = f.inventory(os.path.join(TMP, "inv3.csv"))
    rc, out, err, _ = run(["scan", "--inventory", inv, "--format", "csv", "--jobs", "5"] + COMMON, env=ENV, timeout=120)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rc == 3 and len(rows) == 5, (rc, out, err)
    r = {int(x["index"]): x for x in rows}
    assert r[1]["status"] == "critical" and r[1]["top_finding"] == "m365-smtp-auth-disabled", r[1]
    assert r[1]["inventory_name"] == 'Legal "B"' and r[0]["inventory_location"] == "Site 1, ground floor", r
    assert r[0]["smtp_port"] == str(f.good.port) and r[0]["serial"] == "E78123A9N654321", r[0]
    assert "not set" in r[4]["error"], r[4]
    # the table: a row per printer, then counts per status and per finding; no progress in a pipe
    rc, out, err, _ = run(["scan", f.p[0].snmp_peer, f.p[1].snmp_peer, "--hosts-file", "-"] + COMMON[:1] +
                          ["--no-web", "--cafile", CA, "--timeout", "4", "--server", "localhost", "--port", str(f.m365.port)],
                          env={"MFPDOCTOR_SMTP_PASSWORD": PW2}, stdin=open(os.devnull), timeout=120)
    lines = out.splitlines()
    assert rc == 2 and lines[0].split()[:3] == ["#", "HOST", "DEVICE"], (rc, out, err)
    assert "2 of 2 printers scanned: 0 ok, 0 warning, 2 critical" in out and "m365-smtp-auth-disabled" in lines[-1], out
    assert "[" not in err and "\r" not in err, err


def read_pty(master):
    """What the child wrote to the terminal (it has exited); closes master."""
    data = b""
    while True:
        r, _, _ = select.select([master], [], [], 0.5)
        try:
            chunk = os.read(master, 65536) if r else b""
        except OSError:   # EIO: the other side is closed
            chunk = b""
        if not chunk:
            break
        data += chunk
    os.close(master)
    return data


def progress_on_a_terminal(f):
    master, slave = pty.openpty()
    proc = start_scan([f.p[0].snmp_peer, f.p[1].snmp_peer, f.dead, "--format", "jsonl", "--jobs", "1"] + COMMON
                      + ["--server", "localhost", "--port", str(f.good.port)], env={"MFPDOCTOR_SMTP_PASSWORD": PW1}, stderr=slave)
    os.close(slave)
    out, _ = proc.communicate(timeout=120)
    text = read_pty(master).decode("utf-8", "replace")
    assert "\r[0/3] 0 failing, " in text and "[3/3]" in text and "/s" in text, repr(text)
    assert "left" in text, repr(text)                     # the time-left estimate once a printer is done
    assert text.endswith("\r\x1b[K"), repr(text[-40:])   # cleared at the end
    assert len(out.decode().splitlines()) == 3 and "\r" not in out.decode()
    # --no-progress on a terminal, --progress into a pipe
    master, slave = pty.openpty()
    proc = start_scan([f.dead, "--no-progress"] + COMMON, stderr=slave)
    os.close(slave)
    proc.communicate(timeout=60)
    data = read_pty(master)
    assert b"[0/1]" not in data, data
    rc, out, err, _ = run(["scan", f.dead, "--progress"] + COMMON, timeout=60)
    assert "\r[1/1]" in err, err


def overrun():
    """A diagnose that stops making progress (SIGSTOP) is ended after its budget plus the grace."""
    proc = start_scan(["127.0.0.1:9", "--format", "jsonl", "--", "--no-web", "--timeout", "1", "--budget", "5"])
    def children(pid):
        try:
            return open("/proc/%d/task/%d/children" % (pid, pid)).read().split()
        except OSError:
            return []
    kids = []
    t0 = time.monotonic()
    while not kids and time.monotonic() - t0 < 5:
        # scan -> the fork helper (prepared once) -> one worker per printer: stop the worker
        kids = [g for c in children(proc.pid) for g in children(int(c))]
    assert kids, "no diagnose worker seen"
    time.sleep(0.3)   # past its exec
    os.kill(int(kids[0]), signal.SIGSTOP)
    out, err = proc.communicate(timeout=60)
    row = json.loads(out)
    secs = time.monotonic() - t0
    assert proc.returncode == 3 and row["status"] == "error" and "did not end (its budget is 5 s)" in row["error"], (row, err)
    assert 9 <= secs <= 20, secs   # budget 5 s + 5 s + a tenth of the budget


def invalid_lists():
    bad = os.path.join(TMP, "bad.csv")
    with open(bad, "w") as f:
        f.write("host,name,smtp_port\n10.1.0.5,a,587\n,empty,25\n10.1.0.0/33,b,25\n10.1.0.6,c,x\n")
    rc, out, err, secs = run(["scan", "--inventory", bad, "--", "--no-web"])
    assert rc == 64 and out == "", (rc, out, err)
    for needle in ("bad.csv line 3: the host column (host) is empty", "bad.csv line 4: 10.1.0.0/33 is not an IPv4 CIDR block",
                   "bad.csv line 5: column smtp_port: \"x\" is not a port number", "3 errors in the printer list; nothing was scanned"):
        assert needle in err, (needle, err)
    hosts = os.path.join(TMP, "hosts.txt")
    with open(hosts, "w") as f:
        f.write("ip,name,location\n127.0.0.0/30\n127.0.0.1-3\n")
    rc, out, err, _ = run(["scan", "--hosts-file", hosts])
    assert rc == 64 and "hosts.txt line 1: \"ip,name,location\" is not a host name" in err, err
    with open(os.path.join(TMP, "sec.csv"), "w") as f:
        f.write("host,smtp_password_env\n10.1.0.5,Winter-2025!\n")
    rc, out, err, _ = run(["scan", "--inventory", os.path.join(TMP, "sec.csv")])
    assert rc == 64 and "the value is not the name of an environment variable" in err and "Winter" not in err, err
    rc, out, err, _ = run(["scan", "--inventory", bad, "--columns", "host=IP"])
    assert rc == 64 and "the header row has no column \"IP\"" in err, err
    with open(os.path.join(TMP, "stdin.txt"), "w") as f:
        f.write("10.1.0.5\nip,name\n")
    rc, out, err, _ = run(["scan", "--hosts-file", "-"], stdin=open(os.path.join(TMP, "stdin.txt")))
    assert rc == 64 and "standard input line 2: \"ip,name\" is not a host name" in err, err
    rc, out, err, _ = run(["scan", "10.0.0.0/8"])
    assert rc == 64 and "stands for 16777214 addresses" in err, err
    rc, out, err, _ = run(["scan", "127.0.0.1", "--", "--no-such-option"])
    assert rc == 64 and "no-such-option" in err, err
    rc, out, err, _ = run(["scan", "--help"])
    assert rc == 0 and "--inventory" in out and "130 after Ctrl-C" in out, out


S.check("scan: inventory with per-printer SMTP overrides, rows streamed, --output-dir, env references", with_fleet, streamed)
S.check("scan: Ctrl-C keeps finished rows (exit 130); SIGTERM closes the JSON array (143)", with_fleet, interrupted)
S.check("scan: CSV for a spreadsheet; the table and its summary; stdin hosts", with_fleet, spreadsheet_and_table)
S.check("scan: progress line on a terminal only", with_fleet, progress_on_a_terminal)
S.check("scan: a diagnose that overruns its budget is ended (error row)", overrun)
S.check("scan: invalid printer lists refused before anything runs", invalid_lists)
reap_all()
shutil.rmtree(TMP, ignore_errors=True)
S.finish()
