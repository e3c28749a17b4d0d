"""test_check_plugin.py — `mfpdoctor check` as a monitoring plugin (Monitoring Plugins guidelines)
over simulated printers and mail servers on 127.0.0.1: -H, -t as the limit of the whole run (with
-t N:STATE), -w/-c thresholds changing the state, -v levels, --accept, -C/--password with their
warning in the long output, errors as the one status line on stdout, stderr always empty, the
stable perfdata set; and `diagnose -o -`, diagnose's --password warning."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from smtptest import BIN, SRC, Suite, run
from printer import SimPrinter
from simworld import Certs, Persona

S = Suite()
ART = os.environ.get("MFPDOCTOR_ARTIFACTS") or os.path.join(SRC, "build", "test-artifacts")
os.makedirs(ART, exist_ok=True)
TMP = tempfile.mkdtemp(prefix="check-plugin-", dir=ART)
CERTS = Certs(os.path.join(TMP, "certs"))
CA = os.path.join(TMP, "certs", "ca.pem")
PW = "Plugin-Pw-5678"
USER = "scanner@sim.test"
LOGIN = {"security": "starttls", "auth": "auto", "user": USER, "from": USER, "host": "localhost"}
NAGIOS_STRIPPED = set("`~$&|'\"<>")
PERF = re.compile(r"^time=[0-9.]+s;[^;]*;[^;]*;0 smtp_time=(U|[0-9.]+s);[^;]*;[^;]*;0 cert_days=(U|-?[0-9]+);[^;]*;[^;]*; "
                  r"failures=(U|[0-9]+);;;0 warnings=(U|[0-9]+);;;0 smtp_stages=(U|[0-9]+);;;0$")


def check(args, env=None, timeout=120):
    rc, out, err, secs = run(["check"] + args, env=env, timeout=timeout)
    assert err == "", "check wrote to stderr: %r" % err
    return rc, out, secs


def status(out):
    """(state, text, perfdata) of the first line; asserts the plugin output's form."""
    first = out.splitlines()[0]
    m = re.match(r"^MFPDOCTOR (OK|WARNING|CRITICAL|UNKNOWN) - (.*?)(?: \| (.*))?$", first)
    assert m, first
    text = m.group(2)
    assert not NAGIOS_STRIPPED & set(text), "status text has characters Nagios strips: %r" % text
    long_out = "\n".join(out.splitlines()[1:])
    assert not NAGIOS_STRIPPED & set(long_out), "long output has characters Nagios strips: %r" % long_out
    return m.group(1), text, m.group(3)


def silent_udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s, "127.0.0.1:%d" % s.getsockname()[1]


def healthy_world(fn):
    with Persona("submission", CERTS, user=USER, password=PW) as good:
        with SimPrinter("brother", os.path.join(TMP, "p-ok"), CERTS, dict(LOGIN, port=good.port)) as p:
            fn(p, ["--no-web", "--cafile", CA])


def ok_and_hostname(p, base):
    rc, out, secs = check(["-H", p.snmp_peer] + base, env={"MFPDOCTOR_SMTP_PASSWORD": PW})
    st, text, perf = status(out)
    assert rc == 0 and st == "OK" and text.startswith("scan-to-email works: Brother"), out
    assert "\u2192 localhost:" in text, text          # "->" kept readable, without '>'
    assert len("MFPDOCTOR OK - " + text) < 80, text
    assert PERF.match(perf), perf
    assert re.search(r"smtp_time=[0-9.]+s", perf) and re.search(r"cert_days=[0-9]+", perf), perf
    # the positional host is an alias; both at once is an error
    rc2, out2, _ = check([p.snmp_peer] + base, env={"MFPDOCTOR_SMTP_PASSWORD": PW})
    assert rc2 == 0, out2
    rc3, out3, _ = check([p.snmp_peer, "-H", p.snmp_peer] + base)
    assert rc3 == 3 and "give the printer once" in out3, out3


def accept_and_thresholds(p, base):
    # no mailbox password: WARNING (login not tested) ...
    rc, out, _ = check(["-H", p.snmp_peer] + base)
    st, text, perf = status(out)
    assert rc == 1 and "login was not tested" in text, out
    # ... accepted: OK, and the finding is listed as accepted
    rc, out, _ = check(["-H", p.snmp_peer, "--accept", "login-not-tested"] + base)
    st, text, perf = status(out)
    assert rc == 0 and st == "OK", out
    assert re.search(r"^accepted: \[warn\] The login was not tested.*\(login-not-tested\)$", out, re.M), out
    assert "warnings=0" in perf, perf
    acc = ["-H", p.snmp_peer, "--accept", "login-not-tested,sender-not-tested"] + base
    # thresholds change the state and show in the perfdata
    rc, out, _ = check(acc + ["-w", "time=0.001"])
    st, text, perf = status(out)
    assert rc == 1 and text.startswith("time ") and "warning range 0.001" in text, out
    assert re.match(r"time=[0-9.]+s;0.001;;0 ", perf) and "[threshold]" in out, (perf, out)
    rc, out, _ = check(acc + ["-w", "time=0.001", "-c", "smtp_time=0.0001"])
    st, text, _ = status(out)
    assert rc == 2 and text.startswith("smtp_time ") and "critical range" in text, out
    rc, out, _ = check(acc + ["-c", "cert_days=100000:"])      # the test CA's server cert has fewer days
    st, text, perf = status(out)
    assert rc == 2 and text.startswith("cert_days ") and re.search(r"cert_days=[0-9]+;;100000:;", perf), out
    rc, out, _ = check(acc + ["-w", "time=@0:1000,cert_days=~:1"])   # inside @0:1000 alerts; days above 1 alert
    assert rc == 1, out
    rc, out, _ = check(acc + ["-w", "time=1000,smtp_time=100,cert_days=1:"])
    assert rc == 0, out


def verbosity(p, base):
    args = ["-H", p.snmp_peer] + base
    env = {"MFPDOCTOR_SMTP_PASSWORD": PW}
    outs = []
    for n in range(4):
        rc, out, _ = check(args + ["-v"] * n + ["-w", "time=0.001"], env=env)   # a warning: something to show
        assert rc == 1, out
        outs.append(out)
    assert "evidence:" not in outs[0] and "note:" not in outs[0] and "smtp: " not in outs[0], outs[0]
    assert "checklist [" not in outs[1] and "smtp: " not in outs[1], outs[1]
    assert "checklist [" in outs[2] and "smtp: " not in outs[2], outs[2]
    assert re.search(r"^smtp: .*EHLO", outs[3], re.M), outs[3]
    assert PW not in outs[3] and "AUTH" in outs[3], outs[3]
    assert len(outs[0]) < len(outs[2]) < len(outs[3])
    # evidence lines (level 1): with a finding that has evidence
    rc, out, _ = check(["-H", p.snmp_peer, "-v"] + base)
    assert rc == 1 and re.search(r"^    evidence: ", out, re.M), out
    rc, out, _ = check(["-H", p.snmp_peer] + base)
    assert "evidence:" not in out, out


def secrets_on_argv(p, base):
    rc, out, _ = check(["-H", p.snmp_peer, "--password", PW, "-C", "public"] + base)
    st, text, _ = status(out)
    assert rc == 0, out
    assert PW not in out, out
    warn = [l for l in out.splitlines() if l.startswith("warning: ")]
    assert any("SMTP password on the command line" in l for l in warn), out
    assert any("SNMP community on the command line" in l for l in warn), out
    # diagnose: the same options, the warning on stderr; -o - is standard output
    rc, out, err, _ = run(["diagnose", p.snmp_peer, "--password", PW, "-o", "-"] + base)
    assert rc == 0 and "visible to other users" in err and PW not in out + err, (rc, out, err)
    assert "scan-to-email" in out.lower() or "ok" in out.lower(), out
    assert not os.path.exists("-"), "diagnose -o - wrote a file named '-'"


def errors_on_stdout():
    pwfile = os.path.join(TMP, "no-such-password-file")
    cases = [
        (["-X"], r"^MFPDOCTOR UNKNOWN - unknown option \u2019-X\u2019 \(see mfpdoctor check --help\)$"),
        (["-H", "127.0.0.1", "--password-file", pwfile],
         r"^MFPDOCTOR UNKNOWN - configuration error: cannot read password file .*no-such-password-file( \(for the SMTP password\))?: No such file or directory$"),
        (["-H", "127.0.0.1", "--community-file", pwfile],
         r"^MFPDOCTOR UNKNOWN - configuration error: cannot read password file .*no-such-password-file.*: No such file or directory$"),
        (["-H", "127.0.0.1", "-w", "time=10:5"], r"--warning time: range \u201910:5\u2019: the start is greater than the end"),
        (["-H", "127.0.0.1", "-c", "speed=5"], r"--critical: unknown metric \u2019speed\u2019"),
        (["-H", "127.0.0.1", "-t", "3"], r"--timeout: \u20193\u2019 is not a whole number between 5 and 3600"),
        (["-H", "127.0.0.1", "-t", "10:SOMETIMES"], r"the state after \u2019:\u2019 .* is not one of OK, WARNING, CRITICAL, UNKNOWN"),
        ([], r"give exactly one printer HOST"),
        (["-H", "127.0.0.1", "--accept", "login-untested"], r"--accept: \u2019login-untested\u2019 is not a finding id"),
        (["-H", "127.0.0.1", "--vendor", "nosuch"], r"--vendor nosuch is not a known vendor"),
    ]
    for args, want in cases:
        rc, out, _ = check(args, timeout=30)
        assert rc == 3, (args, rc, out)
        first = out.splitlines()[0]
        assert re.search(want, first), (args, first)
        assert "diagnose" not in first, first
    # the unknown --accept id: the valid ids follow the status line
    rc, out, _ = check(["-H", "127.0.0.1", "--accept", "login-untested"])
    ids = out.splitlines()[1].split(": ", 1)[1].split()
    assert "login-not-tested" in ids and "snmp-no-answer" in ids, out
    # every id a rule can raise is in that catalogue (read out of the sources)
    found = set()
    for d in ("src/diagnose", "src/smtp"):
        for name in os.listdir(os.path.join(SRC, d)):
            if name.endswith(".c") and name != "finding_ids.c":
                text = open(os.path.join(SRC, d, name), encoding="utf-8").read()
                for call in re.findall(r"(?:findings_add\(&[\w>.-]+, |[^\w]add\(dg, )([^,]+),", text):
                    found.update(re.findall(r'"([a-z0-9]+(?:-[a-z0-9]+)+)"', call))
    assert len(found) > 30, found
    missing = found - set(ids)
    assert not missing, "finding ids missing from --accept's catalogue: %s" % sorted(missing)
    # --help: stdout, exit 0
    rc, out, _ = check(["--help"])
    assert rc == 0 and "-H, --hostname" in out and "-t, --timeout" in out and "--step-timeout" in out, out
    # -V (when the common options are handled by the parser)
    rc, out, _ = check(["-V"])
    if "unknown option" not in out:
        assert rc in (0, 3) and "mfpdoctor" in out.lower(), out


def time_limit():
    sock, dead = silent_udp()
    try:
        with Persona("silent", CERTS) as silent:
            base = ["-H", dead, "--no-web", "--server", "localhost", "--port", str(silent.port), "--tls", "none"]
            # the step limit is larger than the whole run: the run limit (-t) ends it, by itself, in time
            rc, out, secs = check(base + ["-t", "8", "--step-timeout", "20"], timeout=30)
            st, text, perf = status(out)
            assert rc == 3 and st == "UNKNOWN" and secs <= 8.3, (rc, secs, out)
            assert text.startswith("out of time (-t 8):") and "test send" in text, text
            assert PERF.match(perf) and "smtp_stages=" in perf, perf
            assert "not tested: " in out and "-t 8" in out, out
            rc, out, secs = check(base + ["-t", "8:CRITICAL", "--step-timeout", "20"], timeout=30)
            assert rc == 2 and out.startswith("MFPDOCTOR CRITICAL - out of time (-t 8)") and secs <= 8.3, (rc, secs, out)
            # with the derived step limit (-t/4 = 2 s) the silent server is a real failure, found in time
            rc, out, secs = check(base + ["-t", "8"], timeout=30)
            st, text, _ = status(out)
            assert rc == 2 and secs <= 8.3, (rc, secs, out)
            # SNMP that does not answer is the top finding, naming what was tried
            rc, out, secs = check(["-H", dead, "--no-web", "-t", "6", "-v"], timeout=30)
            st, text, _ = status(out)
            assert rc == 3 and text.startswith("The printer does not answer SNMP"), out
            assert re.search(r"evidence: No answer over UDP from %s to SNMPv2c and SNMPv1" % re.escape(dead), out), out
            assert "the limit for each step is 1 s" in out, out
    finally:
        sock.close()


def watchdog():
    """A run stalled past -t (here: stopped with SIGSTOP for longer than -t) still ends at once
    with an UNKNOWN line of its own, the same perfdata set, and exit 3; nothing on stderr."""
    sock, dead = silent_udp()
    try:
        t0 = time.monotonic()
        p = subprocess.Popen([BIN, "check", "-H", dead, "--no-web", "-t", "6", "--step-timeout", "20", "--server",
                              "127.0.0.1", "--port", "9", "--tls", "none"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.5)
        p.send_signal(signal.SIGSTOP)
        time.sleep(7)
        p.send_signal(signal.SIGCONT)
        out, err = p.communicate(timeout=20)
        secs = time.monotonic() - t0
        out = out.decode()
        assert err == b"" and p.returncode == 3 and secs < 8.5, (p.returncode, secs, out, err)
        st, text, perf = status(out)
        assert st == "UNKNOWN" and PERF.match(perf), out
        # who wins after SIGCONT is a race between the watchdog and the run's own deadline; both end in time
        assert text.startswith("plugin time-out: no result within -t 6 s") or text.startswith("out of time (-t 6)"), out
    finally:
        sock.close()


S.check("check: OK with -H, perfdata set, positional alias", healthy_world, ok_and_hostname)
S.check("check: --accept, -w/-c thresholds on time, smtp_time, cert_days", healthy_world, accept_and_thresholds)
S.check("check: -v levels 0-3", healthy_world, verbosity)
S.check("check/diagnose: --password and -C warn (check: in the long output); diagnose -o -", healthy_world,
        secrets_on_argv)
S.check("check: usage and configuration errors are the status line; stderr empty; id catalogue", errors_on_stdout)
S.check("check: -t is the whole run (UNKNOWN or -t N:STATE in time); snmp-no-answer", time_limit)
S.check("check: a run stalled past -t ends at once with its own UNKNOWN line (watchdog)", watchdog)
shutil.rmtree(TMP, ignore_errors=True)
S.finish()
