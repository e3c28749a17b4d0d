"""test_scan_check.py — the fleet (`mfpdoctor scan`) and the monitoring-plugin form
(`mfpdoctor check`) over simulated printers: a healthy one, one whose mail service refuses the
login, and one that does not answer at all."""
import json
import os
import re
import shutil
import socket
import tempfile

from smtptest import Suite, run
from printer import SimPrinter
from simworld import Certs, Persona

S = Suite()
TMP = tempfile.mkdtemp(prefix="mfpdoctor-scan-")
CERTS = Certs(os.path.join(TMP, "certs"))
CA = os.path.join(TMP, "certs", "ca.pem")
PW = "Fleet-Pw-1234"
USER = "scanner@sim.test"
LOGIN = {"security": "starttls", "auth": "auto", "user": USER, "from": USER, "host": "localhost"}


def silent_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


def fleet():
    with Persona("submission", CERTS, user=USER, password=PW) as good, \
            Persona("m365-auth-disabled", CERTS, user=USER, password=PW) as bad:
        with SimPrinter("brother", os.path.join(TMP, "p1"), CERTS, dict(LOGIN, port=good.port)) as p1, \
                SimPrinter("brother", os.path.join(TMP, "p2"), CERTS, dict(LOGIN, port=bad.port)) as p2:
            sock, port = silent_udp_port()
            dead = "127.0.0.1:%d" % port
            env = {"MFPDOCTOR_SMTP_PASSWORD": PW}
            fwd = ["--", "--no-web", "--cafile", CA, "--timeout", "3"]
            try:
                hosts = os.path.join(TMP, "hosts.txt")
                with open(hosts, "w") as f:
                    f.write("# the third floor\n%s\n\n%s  # legal\n" % (p2.snmp_peer, dead))
                rc, out, err, secs = run(["scan", "--format", "jsonl", "--jobs", "2", p1.snmp_peer, "--hosts-file", hosts] + fwd,
                                         env=env, timeout=180)
                rows = sorted((json.loads(l) for l in out.splitlines() if l.strip()), key=lambda r: r["index"])
                assert rc == 3, (rc, out, err)   # the worst: one printer could not be diagnosed
                assert [r["host"] for r in rows] == [p1.snmp_peer, p2.snmp_peer, dead], rows
                assert [r["status"] for r in rows] == ["ok", "critical", "unknown"], rows
                assert rows[1]["top_finding"]["id"] == "m365-smtp-auth-disabled", rows[1]
                assert rows[2]["top_finding"]["id"] == "snmp-no-answer", rows[2]   # says so first
                assert "Brother" in rows[0]["device"], rows[0]
                rc, out, err, _ = run(["scan", p1.snmp_peer, p2.snmp_peer] + fwd, env=env, timeout=180)
                assert rc == 2 and "HOST" in out.splitlines()[0] and "critical" in out, (rc, out)

                # the same printer twice: one test send, shared; --no-share: one each
                for extra, shared in (([], [False, True]), (["--no-share"], [False, False])):
                    rc, out, err, _ = run(["scan", "--format", "jsonl", p1.snmp_peer, p1.snmp_peer] + extra + fwd,
                                          env=env, timeout=180)
                    rows = [json.loads(l) for l in out.splitlines() if l.strip()]
                    assert rc == 0 and sorted(r["test_send"]["shared"] for r in rows) == shared, (extra, rows, err)
                    assert all(r["test_send"]["fingerprint"] == rows[0]["test_send"]["fingerprint"] for r in rows), rows

                # the plugin form (-t is the whole run there; the per-step limit is --step-timeout)
                chk = ["--no-web", "--cafile", CA, "--step-timeout", "3"]
                rc, out, err, _ = run(["check", p1.snmp_peer] + chk, env=env, timeout=120)
                first = out.splitlines()[0]
                assert rc == 0 and re.match(r"^MFPDOCTOR OK - scan-to-email works: .* \| time=[0-9.]+s;;;0 .*failures=0;;;0", first), (rc, out)
                rc, out, err, _ = run(["check", p2.snmp_peer] + chk, env=env, timeout=120)
                first = out.splitlines()[0]
                assert rc == 2 and first.startswith("MFPDOCTOR CRITICAL - Microsoft 365 has authenticated SMTP turned off"), (rc, out)
                assert "|" in first and "failures=1" in first and "[fail]" in out, out
                assert PW not in out and PW not in err
                rc, out, err, _ = run(["check", dead, "-t", "10", "--no-web"], timeout=60)
                assert rc == 3 and out.startswith("MFPDOCTOR UNKNOWN - The printer does not answer SNMP"), (rc, out)
                rc, out, err, _ = run(["check", "--no-such-option"])
                assert rc == 3 and out.startswith("MFPDOCTOR UNKNOWN - unknown option"), (rc, out)
                assert err == "", err
            finally:
                sock.close()


def usage():
    rc, out, err, _ = run(["scan"])
    assert rc == 64 and "give printers" in err, (rc, err)
    rc, out, err, _ = run(["scan", "--hosts-file", "/nonexistent/hosts"])
    assert rc == 64 and "cannot read" in err, (rc, err)
    rc, out, err, _ = run(["scan", "--jobs", "0", "x"])
    assert rc == 64, rc
    rc, out, err, _ = run(["scan", "--per-server", "0", "x"])
    assert rc == 64 and "--per-server" in err, (rc, err)


S.check("scan: a fleet of three, JSON Lines and table; check: OK, CRITICAL, UNKNOWN", fleet)
S.check("scan: usage errors", usage)
shutil.rmtree(TMP, ignore_errors=True)
S.finish()
