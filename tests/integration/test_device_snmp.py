#!/usr/bin/python3
"""tests/integration/test_device_snmp.py — `mfpdoctor device` against snmpsimd serving
tests/fixtures/*.snmprec: v1, v2c, v3 (authNoPriv MD5/SHA/SHA-256, authPriv SHA+AES and MD5+DES),
identity, alerts, Brother SMTP settings with their OIDs, odd values becoming notes, the
round-trip count, wrong credentials, the time budget against silent and closed UDP ports, and
the HTTP identification fallback. Exit 77 when snmpsimd or snmpget is missing."""
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

SRC = os.environ.get("MFPDOCTOR_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("MFPDOCTOR_BIN", os.path.join(SRC, "build", "mfpdoctor"))
sys.path.insert(0, os.path.join(SRC, "tests", "sim"))
from snmpsim import SnmpSim, V3_USERS, snmpsimd_command  # noqa: E402

if not snmpsimd_command() or not shutil.which("snmpget"):
    print("snmpsimd or snmpget missing: skipped")
    sys.exit(77)

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok  ", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def run(host, args, env=None, timeout=60):
    e = {k: v for k, v in os.environ.items() if not k.startswith("MFPDOCTOR_SNMP_")}
    e.update(env or {})
    t = time.time()
    r = subprocess.run([BIN, "device", host, "--format", "json"] + args, capture_output=True, text=True,
                       timeout=timeout, env=e)
    el = time.time() - t
    try:
        j = json.loads(r.stdout)
    except ValueError:
        j = None
    return r.returncode, j, el, r.stderr


def notes(j):
    return " | ".join(j["notes"]) if j else ""


def main():
    fixtures = os.path.join(SRC, "tests", "fixtures")
    with SnmpSim(fixtures, users=V3_USERS, probe_community="brother-mfc") as sim:
        host = "127.0.0.1:%d" % sim.port
        # v2c, Brother: identity, SMTP settings with sources, alerts, events, round trips
        rc, j, el, err = run(host, [], {"MFPDOCTOR_SNMP_COMMUNITY": "brother-mfc"})
        check("v2c brother exit 0", rc == 0, (rc, err))
        if j:
            idn = j["identity"]
            check("brother vendor", idn["vendor"] == "Brother", idn)
            check("brother model", idn["model"] == "Brother MFC-L2750DW series", idn["model"])
            check("brother family", idn["family"] == "mfc", idn["family"])
            check("brother serial", idn["serial"] == "E78123A9N654321", idn["serial"])
            check("brother firmware from sysDescr", idn["firmware"] == "1.02", idn["firmware"])
            s = j["smtp"]
            check("smtp.host + where", s["host"] and s["host"]["value"] == "smtp.office365.com"
                  and s["host"]["source"] == "snmp" and s["host"]["where"] == "1.3.6.1.4.1.2435.2.4.3.99.1.10.0", s["host"])
            check("smtp.port", s["port"] and s["port"]["value"] == "587"
                  and s["port"]["where"] == "1.3.6.1.4.1.2435.2.4.3.1240.5.6.155.0", s["port"])
            check("smtp.auth", s["auth"] and s["auth"]["value"] == "auto", s["auth"])
            check("smtp.user", s["user"] and s["user"]["value"] == "scanner@example.org", s["user"])
            check("smtp.from", s["from"] and s["from"]["value"] == "scanner@example.org", s["from"])
            check("smtp.security unknown is null", s["security"] is None, s["security"])
            check("smtp.test_result", s["test_result"] and s["test_result"]["value"] == "0x5300", s["test_result"])
            codes = [e["code"] for e in j["events"]]
            check("POP3 USER failure counter event", "SNMP-POP3-USER-FAILURES" in codes, codes)
            check("test result event 0x5300 (the whole value: the knowledge base splits its bytes)", "0x5300" in codes, codes)
            m = [e.get("meaning") for e in j["events"] if e["code"] == "0x5300"]
            check("0x53 meaning from the knowledge base", m and m[0] and "authenticate" in m[0], m)
            check("alert code 0x52 extracted", "0x52" in codes, codes)
            check("connect failure counter event", "SNMP-SMTP-CONNECT-FAILURES" in codes, codes)
            check("3 alerts", len(j["alerts"]) == 3, len(j["alerts"]))
            a = [x for x in j["alerts"] if x["index"] == "1.9"]
            check("alert columns decoded", a and a[0]["severity"] == "critical(3)" and a[0]["group"] == "generalPrinter(5)"
                  and a[0]["training_level"] == "untrained(3)" and a[0]["location"] == "-2" and a[0]["time"], a)
            check("status decoded", j["status"]["errors"] == "lowToner" and j["status"]["printer"] == "idle(3)"
                  and j["status"]["panel"] == "Toner Low", j["status"])
            check("clock skew known", j["status"]["clock_known"] and j["status"]["clock_skew_s"] is not None)
            check("out-of-range enum noted", "= 255 is outside its enumeration" in notes(j))
            check("2 round trips (GET + one GETBULK)", j["requests"] == 2, j["requests"])
            check("no community in output", "brother-mfc" not in json.dumps(j))
        # text and markdown render
        for fmt in ("text", "md"):
            r = subprocess.run([BIN, "device", host, "--format", fmt], capture_output=True, text=True, timeout=60,
                               env=dict(os.environ, MFPDOCTOR_SNMP_COMMUNITY="brother-mfc"))
            check("format " + fmt, r.returncode == 0 and "office365" in r.stdout and "Brother" in r.stdout, r.stderr)
        # v1 (GETNEXT walk), Xerox scan-to-email service state and a Xerox code in an alert
        rc, j, el, err = run(host, ["--snmp-version", "1"], {"MFPDOCTOR_SNMP_COMMUNITY": "xerox-altalink"})
        check("v1 xerox exit 0", rc == 0, (rc, err))
        if j:
            check("xerox vendor+family", j["identity"]["vendor"] == "Xerox" and j["identity"]["family"] == "altalink",
                  j["identity"])
            check("xerox code 016-764", any(e["code"] == "016-764" for e in j["events"]), j["events"])
            check("xerox scan-to-email state", j["smtp"].get("scan_to_email_state", {}).get("value") == "unavailable",
                  j["smtp"])
            check("xerox errors offline (2 octets)", j["status"]["errors"] == "offline", j["status"])
            check("snmp version 1", j["snmp_version"] == "1")
        # v3 authNoPriv and authPriv
        v3 = [("mfp-md5", "MD5", "md5-auth-key-1", None, None, None),
              ("mfp-sha", "SHA", "sha-auth-key-1", None, None, None),
              ("mfp-sha256", "SHA-256", "sha256-auth-key-1", None, None, None),
              ("mfp-sha-aes", "SHA", "sha-auth-key-2", "AES", "aes-priv-key-2", "priv"),
              ("mfp-md5-des", "MD5", "md5-auth-key-3", "DES", "des-priv-key-3", "priv")]
        for user, ap, ak, pp, pk, lvl in v3:
            args = ["--user", user, "--auth-proto", ap, "--context", "hp-mfp"]
            env = {"MFPDOCTOR_SNMP_AUTH_PASS": ak}
            if pp:
                args += ["--priv-proto", pp, "--level", lvl]
                env["MFPDOCTOR_SNMP_PRIV_PASS"] = pk
            rc, j, el, err = run(host, args, env)
            ok = rc == 0 and j and j["identity"]["vendor"] == "HP" and j["identity"]["model"] == "HP LaserJet MFP M527"
            check("v3 %s %s%s" % (user, ap, "+" + pp if pp else ""), ok, (rc, err, notes(j)))
            if ok and user == "mfp-sha":
                check("hp digital send SMTP gateway down", any(e["code"] == "SNMP-DS-0x02" for e in j["events"]))
                check("v3 secrets not in output", "sha-auth-key-1" not in json.dumps(j))
        # v3 auth pass from a file
        pf = os.path.join(os.environ.get("TMPDIR", "/tmp"), "mfp-authpass-%d" % os.getpid())
        with open(pf, "w") as f:
            f.write("sha-auth-key-1\n")
        try:
            rc, j, el, err = run(host, ["--user", "mfp-sha", "--context", "hp-mfp", "--auth-pass-file", pf])
            check("v3 --auth-pass-file", rc == 0, (rc, err))
        finally:
            os.unlink(pf)
        # wrong v3 credentials: ends fast with a note naming the cause
        rc, j, el, err = run(host, ["--user", "mfp-sha", "--context", "hp-mfp", "--no-http", "--timeout", "3"],
                             {"MFPDOCTOR_SNMP_AUTH_PASS": "not-the-key-at-all"})
        check("v3 wrong key exit 3 + note", rc == 3 and "wrong keys" in notes(j), (rc, notes(j)))
        rc, j, el, err = run(host, ["--user", "nobody-here", "--level", "noauth", "--context", "hp-mfp", "--no-http",
                                    "--timeout", "3"])
        check("v3 unknown user note", rc == 3 and "wrong user" in notes(j), (rc, notes(j)))
        # wrong community: silence, then the probe finds an agent
        rc, j, el, err = run(host, ["--no-http", "--timeout", "3"], {"MFPDOCTOR_SNMP_COMMUNITY": "not-a-community"})
        check("wrong community exit 3 within budget", rc == 3 and el < 3 + 1.0, (rc, el))
        check("wrong community note", "wrong community" in notes(j), notes(j))
        # odd values: notes, not crashes
        rc, j, el, err = run(host, [], {"MFPDOCTOR_SNMP_COMMUNITY": "odd-values"})
        check("odd values exit 0", rc == 0, (rc, err))
        if j:
            n = notes(j)
            for frag in ("'NULL' where a number belongs", "not UTF-8", "control characters", "cut to 1000",
                         "binary data", "outside its enumeration", "not a DateAndTime",
                         "where an OBJECT IDENTIFIER belongs", "sent the number as OCTET STRING"):
                check("odd note: " + frag, frag in n, n[:300])
            check("odd vendor Sharp", j["identity"]["vendor"] == "Sharp", j["identity"])
            check("odd CE-04 event", any(e["code"] == "CE-04" for e in j["events"]), j["events"])
            check("odd empty errstate -> none", j["status"]["errors"] == "none", j["status"])
        # comm with spaces from --community (argv) warns
        rc, j, el, err = run(host, ["--community", "brother-mfc"])
        check("--community warns", rc == 0 and "warning" in err, err)

    # silence: a UDP socket that never answers
    quiet = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    quiet.bind(("127.0.0.1", 0))
    try:
        for t in (2, 4):
            rc, j, el, err = run("127.0.0.1:%d" % quiet.getsockname()[1], ["--no-http", "--timeout", str(t)])
            check("silent port ends within --timeout %d (%.2fs)" % (t, el), rc == 3 and el < t + 0.8, (rc, el))
            check("silent port note", "no answer" in notes(j), notes(j))
    finally:
        quiet.close()
    # closed port: ICMP port unreachable -> agent not running
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
    s.close()
    rc, j, el, err = run("127.0.0.1:%d" % closed, ["--no-http", "--timeout", "2"])
    check("closed port exit 3 within budget", rc == 3 and el < 2.8, (rc, el))
    check("closed port note: no agent listening", "no agent is listening" in notes(j), notes(j))

    # HTTP identification fallback
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<html><head><title>Brother MFC-L2750DW series</title></head><body>/general/status.html</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

        def version_string(self):
            return "debut/1.30"

    srv = http.server.HTTPServer(("127.0.0.1", 0), H)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        rc, j, el, err = run("127.0.0.1:%d" % closed, ["--timeout", "3", "--http-url",
                                                        "http://127.0.0.1:%d" % srv.server_address[1]])
        check("http fallback exit 1", rc == 1, (rc, err))
        if j:
            check("http fallback vendor Brother", j["identity"]["vendor"] == "Brother", j["identity"])
            f = [x for x in j["facts"] if x["key"] == "identity.vendor"]
            check("http fallback source web", f and f[0]["source"] == "web", f)
            check("http fallback model from title", j["identity"]["model"] == "Brother MFC-L2750DW series")
            check("http requests counted", j["http_requests"] == 1, j["http_requests"])
    finally:
        srv.shutdown()
        srv.server_close()
    # usage errors
    r = subprocess.run([BIN, "device"], capture_output=True, text=True, timeout=10)
    check("no host -> 64", r.returncode == 64)
    r = subprocess.run([BIN, "device", "h", "--snmp-version", "3"], capture_output=True, text=True, timeout=10)
    check("v3 without user -> 64", r.returncode == 64)


try:
    main()
except Exception as e:  # a crash in the harness is a failure, not a hang
    import traceback
    traceback.print_exc()
    failed += 1
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
