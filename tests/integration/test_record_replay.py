#!/usr/bin/python3
"""test_record_replay.py — `mfpdoctor record` and `--replay`, against simulated printers
(tests/sim/printer.py: snmpsimd + the fixture web server with its form login), loopback only:
  * a recording holds no secret: the SNMP community, the web password in all its encodings, the
    session cookie values and CSRF tokens the web server handed out (every file is searched);
  * --anonymize replaces the serial, the host name and the IP addresses, the same way in every file,
    keeping their form (an IPv4 address in a documentation range);
  * replaying a recording gives the same report (identity, SMTP settings, events) as the live run,
    for `device`, `web` and `diagnose`, in-process (no packet to the device), and says so;
  * a recording with a missing or corrupt file ends with an error naming that file;
  * the simulated world serves a recording (SimPrinter.from_recording) like a live printer.
Every run is bounded."""
import base64
import json
import os
import re
import shutil
import tempfile
import urllib.parse

from smtptest import Suite, run, run_json
from printer import SimPrinter
from simworld import Certs, Persona
from snmpsim import V3_USERS

S = Suite()
TMP = tempfile.mkdtemp(prefix="mfpdoctor-record-")
CERTS = Certs(os.path.join(TMP, "certs"))
CA = os.path.join(TMP, "certs", "ca.pem")
COMMUNITY = "Comm-s3cret-42"
WEB_PW = "Ews-Adm1n-p@ss w0rd"
SMTP = {"host": "smtp.example.com", "port": 587, "security": "starttls", "auth": "auto", "user": "scan@x.test",
        "from": "scan@x.test"}
EVENTS = [("016-764", "Unable to connect to SMTP server")]
BOUND = 60


def web_args(p):
    return ["--web-port", str(p.web_port), "--web-cafile", CA] if p.web_port else []


def record(p, out, *extra):
    rc, o, e, secs = run(["record", p.snmp_peer, "-o", out] + web_args(p) + list(extra), env=p.env(), timeout=BOUND + 30)
    assert secs < BOUND, secs
    assert rc in (0, 1), (rc, o, e)
    assert "Recorded" in o, o
    return o


def files(d):
    for root, _, names in os.walk(d):
        for n in names:
            yield os.path.join(root, n)


def secret_forms(s):
    """The forms a secret takes on the wire and in pages."""
    forms = {s, urllib.parse.quote(s), urllib.parse.quote_plus(s), urllib.parse.quote(s, safe="").lower(),
             base64.b64encode(s.encode()).decode(), json.dumps(s)[1:-1]}
    for user in ("admin", "Admin", "11111", "7654321", ""):
        forms.add(base64.b64encode(("%s:%s" % (user, s)).encode()).decode())
    return forms


def assert_no_secrets(d, secrets):
    for f in files(d):
        data = open(f, "rb").read().decode("utf-8", "replace")
        for s in secrets:
            assert s not in data, "secret %r found in %s" % (s, f)


def same_device(a, b, what):
    """identity, SMTP settings and events of two device reports (JSON) agree."""
    for key in ("identity", "smtp"):
        assert a.get(key) == b.get(key), "%s: %s differs:\nlive   %s\nreplay %s" % (what, key, a.get(key), b.get(key))
    ea = [(e.get("code"), e.get("text")) for e in a.get("events", [])]
    eb = [(e.get("code"), e.get("text")) for e in b.get("events", [])]
    assert ea == eb, "%s: events differ:\nlive   %s\nreplay %s" % (what, ea, eb)


def replay_json(cmd, rec, *extra):
    rc, j, e, secs = run_json([cmd, "--replay", rec] + list(extra), env={"MFPDOCTOR_SNMP_COMMUNITY": "Unused-c0mmunity"})
    assert secs < 20, secs
    return rc, j, e


def round_trip(kind):
    def body():
        d = os.path.join(TMP, kind)
        rec = os.path.join(d, "rec")
        with SimPrinter(kind, os.path.join(d, "printer"), CERTS, SMTP, events=EVENTS, community=COMMUNITY,
                        web_password=WEB_PW) as p:
            rc_dev, live_dev, _, _ = run_json(["device", p.snmp_peer], env=p.env())
            live_web = None
            if p.web_port:
                rc_web, live_web, _, _ = run_json(["web", "127.0.0.1"] + web_args(p), env=p.env())
            rc_diag, live_diag, _, _ = run_json(["diagnose", p.snmp_peer, "--no-test"] + web_args(p), env=p.env())
            record(p, rec)
            issued = p.issued()
        assert not p.violations(), p.violations()
        # no secret survives
        secrets = secret_forms(WEB_PW) | {COMMUNITY} | set(issued)
        assert_no_secrets(rec, secrets)
        if kind in ("xerox-workcentre", "ricoh", "kyocera"):  # form logins with cookies (and tokens)
            assert issued, "the web server issued no token or cookie: the check would prove nothing"
        man = json.load(open(os.path.join(rec, "manifest.json")))
        for k in ("mfpdoctor", "libcurl", "net-snmp", "recorded", "host", "read", "failed", "limits"):
            assert k in man, k
        lines = open(os.path.join(rec, "device.snmprec")).read().splitlines()
        assert lines and all(re.match(r"^[0-9.]+\|(2|4|4x|5|6|64|65|66|67|70)\|", x) for x in lines), lines[:5]
        keys = [tuple(int(a) for a in x.split("|")[0].split(".")) for x in lines]
        assert keys == sorted(keys), "snmprec not sorted by OID"
        # replay == live
        rc, rep_dev, _ = replay_json("device", rec)
        assert rc == rc_dev, (rc, rc_dev)
        same_device(live_dev, rep_dev, "device")
        facts = {f["key"]: f["value"] for f in rep_dev["facts"]}
        assert "recorded" in facts.get("replay.source", ""), facts
        assert rep_dev["host"] == live_dev["host"], (rep_dev["host"], live_dev["host"])
        if live_web:
            rc, rep_web, _ = replay_json("web", rec)
            assert rc == rc_web, (rc, rc_web, rep_web["notes"])
            same_device(live_web, rep_web, "web")
            assert [r["path"] for r in rep_web["requests"]] == [r["path"] for r in live_web["requests"]]
            assert rep_web["certificate"]["sha256"] == live_web["certificate"]["sha256"]
        rc, rep_diag, _ = replay_json("diagnose", rec, "--no-test")
        assert rc == rc_diag, (rc, rc_diag)
        same_device(live_diag["device"], rep_diag["device"], "diagnose")
        assert [f["id"] for f in rep_diag["findings"]] == [f["id"] for f in live_diag["findings"]]
        for cmd in (["device"], ["web"] if live_web else [], ["diagnose", "--no-test"]):
            if cmd:
                rc, out, e, _ = run(cmd + ["--replay", rec], timeout=20)
                assert "device read from recording %s, recorded" % rec in out, out[-500:]
        # without --server the test send does not run, and the report says why
        rc, rep2, _ = replay_json("diagnose", rec)
        text = json.dumps(rep2)
        assert "recording" in text and "--server" in text, text[:3000]
    S.check("record -> replay round trip, no secret in the recording: %s" % kind, body)


for k in ("xerox-workcentre", "ricoh", "kyocera", "hp-ledm", "brother"):
    round_trip(k)


def replay_with_server():
    rec = os.path.join(TMP, "xerox-workcentre", "rec")
    assert os.path.exists(os.path.join(rec, "manifest.json")), "the xerox round trip made no recording"
    with Persona("open", CERTS) as srv:
        rc, j, e, secs = run_json(["diagnose", "--replay", rec, "--server", "127.0.0.1", "--port", srv.port,
                                   "--tls", "none"], env={"MFPDOCTOR_SMTP_PASSWORD": "x"}, timeout=BOUND)
        cmds = srv.commands()
    assert secs < BOUND, secs
    assert any(c.startswith("MAIL FROM:<scan@x.test>") for c in cmds), cmds  # the recorded From, for real
    assert j["smtp_test"], j
    facts = {f["key"]: f["value"] for f in j["device"]["facts"]}
    assert "recorded" in facts.get("replay.source", ""), facts


S.check("diagnose --replay with --server runs the test send with the recorded settings", replay_with_server)


def snmpv3():
    d = os.path.join(TMP, "v3")
    rec = os.path.join(d, "rec")
    auth, priv = V3_USERS["mfp-sha-aes"][1], V3_USERS["mfp-sha-aes"][3]
    env = {"MFPDOCTOR_SNMP_AUTH_PASS": auth, "MFPDOCTOR_SNMP_PRIV_PASS": priv}
    args = ["--snmp-user", "mfp-sha-aes", "--context", COMMUNITY, "--auth-proto", "SHA", "--priv-proto", "AES"]
    with SimPrinter("brother", os.path.join(d, "printer"), CERTS, SMTP, community=COMMUNITY,
                    snmp_users={"mfp-sha-aes": V3_USERS["mfp-sha-aes"]}) as p:
        dargs = ["--user" if a == "--snmp-user" else a for a in args]
        rc_live, live, _, _ = run_json(["device", p.snmp_peer] + dargs, env=env)
        assert live["identity"].get("serial"), live
        rc, o, e, secs = run(["record", p.snmp_peer, "-o", rec] + args, env=env, timeout=BOUND)
        assert rc in (0, 1) and secs < BOUND, (rc, o, e)
    assert_no_secrets(rec, secret_forms(auth) | secret_forms(priv) | {COMMUNITY})
    rc, rep, _ = replay_json("device", rec)
    same_device(live, rep, "device over SNMPv3")


S.check("SNMPv3: the keys never reach the recording; the replay equals the live read", snmpv3)


def anonymize():
    d = os.path.join(TMP, "anon")
    rec = os.path.join(d, "rec")
    host = "mfp-3rdfloor.sim.test"
    with SimPrinter("xerox-workcentre", os.path.join(d, "printer"), CERTS, SMTP, events=EVENTS, community=COMMUNITY,
                    web_password=WEB_PW, hostname=host) as p:
        record(p, rec, "--anonymize")
    serial = "3TB123456"
    blob = {f: open(f, "rb").read().decode("utf-8", "replace") for f in files(rec)}
    for f, t in blob.items():
        for s in (serial, host, "mfp-3rdfloor", "127.0.0.1"):
            assert s not in t, "%r still in %s" % (s, f)
    allt = "\n".join(blob.values())
    ips = set(re.findall(r"(?<![0-9.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?![0-9])", allt))
    addr = [i for i in ips if not i.startswith(("192.0.2.", "198.51.100.", "203.0.113.", "255.", "0."))]
    # OIDs and version strings may look like addresses only inside OIDs (x.y.z.w.v...)
    addr = [i for i in addr if re.search(r"(?<![0-9.])%s(?![0-9.])" % re.escape(i), allt)]
    assert not addr, addr
    man = json.load(open(os.path.join(rec, "manifest.json")))
    assert man["anonymized"] is True
    assert re.match(r"^192\.0\.2\.\d+$", man["host"]), man["host"]
    x = json.load(open(os.path.join(rec, "web", "exchanges.json")))
    assert all(e["base"].split("//")[1].split(":")[0] == man["host"] for e in x), "the address is not replaced consistently"
    assert man["snmp"]["peer"].split(":")[0] == man["host"]
    snmprec = blob[os.path.join(rec, "device.snmprec")]
    m = re.search(r"^1\.3\.6\.1\.2\.1\.43\.5\.1\.1\.17\.1\|4\|(.*)$", snmprec, re.M)
    assert m and len(m.group(1)) == len(serial) and re.match(r"^\d[A-Z]{2}\d{6}$", m.group(1)), m and m.group(1)
    names = set(re.findall(r"printer-\d+\.example\.net", allt))
    assert len(names) == 1, names  # sysName and the page's EHLO domain: one replacement
    assert names.pop() in snmprec
    rc, j, _ = replay_json("device", rec)
    assert j["identity"].get("serial") == m.group(1), j["identity"]
    assert rc in (0, 1)


S.check("--anonymize replaces serial, host name and addresses consistently", anonymize)


def broken():
    d = os.path.join(TMP, "broken")
    good = os.path.join(d, "good")
    with SimPrinter("xerox-workcentre", os.path.join(d, "printer"), CERTS, SMTP, community=COMMUNITY,
                    web_password=WEB_PW) as p:
        record(p, good)
        small = os.path.join(d, "small")
        rc, o, e, secs = run(["record", p.snmp_peer, "-o", small, "--max-objects", "3", "--no-web"], env=p.env(),
                             timeout=BOUND)
        assert rc == 1 and secs < BOUND, (rc, o, e)
        lim = json.load(open(os.path.join(small, "manifest.json")))["limits"]
        assert any("limit" in x for x in lim), lim
    cases = []
    c = os.path.join(d, "nobody")
    shutil.copytree(good, c)
    os.remove(os.path.join(c, "web", "003.body"))
    cases.append((c, "web/003.body", "missing"))
    c = os.path.join(d, "badline")
    shutil.copytree(good, c)
    with open(os.path.join(c, "device.snmprec"), "a") as f:
        f.write("1.3.6.1.2.1.1.9.0|4x|zz\n")
    cases.append((c, "device.snmprec", "line"))
    c = os.path.join(d, "nomanifest")
    shutil.copytree(good, c)
    os.remove(os.path.join(c, "manifest.json"))
    cases.append((c, "manifest.json", "missing"))
    c = os.path.join(d, "badjson")
    shutil.copytree(good, c)
    open(os.path.join(c, "web", "exchanges.json"), "w").write("[{")
    cases.append((c, "web/exchanges.json", "corrupt"))
    c = os.path.join(d, "cut")
    shutil.copytree(good, c)
    p5 = os.path.join(c, "web", "005.body")
    data = open(p5, "rb").read()
    open(p5, "wb").write(data[: len(data) // 2])
    cases.append((c, "web/005.body", "corrupt"))
    for cmd in ("device", "web", "diagnose"):
        for c, name, word in cases:
            rc, o, e, secs = run([cmd, "--replay", c], timeout=20)
            assert secs < 10, secs
            assert rc == 3, (cmd, c, rc, o, e)
            assert name in e and word in e, (cmd, name, e)
    rc, o, e, _ = run(["record", "127.0.0.1", "-o", good], timeout=20)
    assert rc != 0 and "not empty" in e, (rc, e)


S.check("a missing or corrupt recording file is named in the error (exit 3)", broken)


def sim_from_recording():
    d = os.path.join(TMP, "simrec")
    rec = os.path.join(d, "rec")
    with SimPrinter("ricoh", os.path.join(d, "printer"), CERTS, SMTP, community=COMMUNITY, web_password=WEB_PW) as p:
        rc_live, live, _, _ = run_json(["diagnose", p.snmp_peer, "--no-test"] + web_args(p), env=p.env())
        record(p, rec)
    with SimPrinter.from_recording(rec, os.path.join(d, "replayed"), CERTS) as q:
        rc, j, _, secs = run_json(["diagnose", q.snmp_peer, "--no-test"] + web_args(q), env=q.env(), timeout=BOUND)
        assert secs < BOUND
    assert rc == rc_live, (rc, rc_live, j["device"]["notes"])
    same_device(live["device"], j["device"], "sim from recording")


S.check("tests/sim serves a recording like a live printer (SimPrinter.from_recording)", sim_from_recording)

shutil.rmtree(TMP, ignore_errors=True)
S.finish()
