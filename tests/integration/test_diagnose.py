"""test_diagnose.py — `mfpdoctor diagnose` end to end: a simulated printer (snmpsimd replaying a
recording made for the scenario, and the vendor's embedded web server serving its settings and
job log) configured the way real offices get it wrong, against an SMTP persona reproducing a
real provider or a real Postfix. Each scenario asserts the top finding, the exit status and
checklist items; every run proves the printer's web server saw only GETs and the login form.
One report is rendered as HTML in headless Chromium, checked, and kept as a screenshot."""
import os
import re
import shutil
import socket
import subprocess
import tempfile

from smtptest import BIN, SRC, Suite, finding_ids, run, run_json
from printer import SimPrinter
from simworld import Certs, Persona, RealMTA

S = Suite()
TMP = tempfile.mkdtemp(prefix="mfpdoctor-diagnose-")
CERTS = Certs(os.path.join(TMP, "certs"))
CA = os.path.join(TMP, "certs", "ca.pem")
ARTIFACTS = os.environ.get("MFPDOCTOR_ARTIFACTS") or os.path.join(os.path.dirname(BIN), "test-artifacts")
USER = "scanner@sim.test"


def diagnose(printer, srv_password, *extra, fmt="json", env_extra=None):
    env = dict(printer.env())
    if srv_password is not None:
        env["MFPDOCTOR_SMTP_PASSWORD"] = srv_password
    env.update(env_extra or {})
    args = ["diagnose", printer.snmp_peer, "--timeout", "5", "--cafile", CA] + printer.diagnose_args() + list(extra)
    if fmt == "json":
        return run_json(args, env=env, timeout=180)
    rc, out, err, secs = run(args + ["--format", fmt], env=env, timeout=180)
    return rc, out, err, secs


def checklist_status(j, setting):
    for it in (j.get("checklist") or {}).get("items", []):
        if it.get("setting") == setting:
            return it.get("status")
    return None


def expect(j, rc, top, exit_code, also=(), checklist=None):
    ids = finding_ids(j)
    assert rc == exit_code, "exit %d, want %d; findings %s; notes %s" % (rc, exit_code, ids, j["device"].get("notes"))
    if top:
        assert ids and ids[0] == top, "top finding %s, want %s (all: %s)" % (ids[:1], top, ids)
    for f in also:
        assert f in ids, "finding %s missing: %s" % (f, ids)
    for setting, status in (checklist or {}).items():
        got = checklist_status(j, setting)
        assert got == status, "checklist %s is %s, want %s" % (setting, got, status)


def scenario(name, kind, persona, smtp, check, events=(), extra=(), password="right", persona_user=USER, **pkw):
    def body():
        with Persona(persona, CERTS, user=persona_user) as srv:
            conf = dict(smtp)
            conf.setdefault("host", "localhost")
            conf.setdefault("port", srv.port)
            p = SimPrinter(kind, os.path.join(TMP, name), CERTS, conf, events=events, **pkw)
            with p:
                pw = srv.password if password == "right" else password
                rc, j, err, secs = diagnose(p, pw, *extra)
                assert secs < 120, secs
                check(j, rc, srv, p)
            assert not p.violations(), "the printer's web server saw a write: %s" % p.violations()
    S.check(name, body)


STARTTLS_LOGIN = {"security": "starttls", "auth": "auto", "user": USER, "from": USER}

# 1. Xerox set to SSL/TLS (port 465 style) against a STARTTLS-only submission port.
scenario("xerox SSL/TLS against a STARTTLS port", "xerox-workcentre", "submission",
         dict(STARTTLS_LOGIN, security="implicit"),
         lambda j, rc, srv, p: expect(j, rc, "port-expects-starttls", 2, checklist={"security": "fail"}))

# 2. Old Xerox WorkCentre firmware (TLS 1.0 ceiling, from the family profile) against Microsoft 365.
def old_xerox(j, rc, srv, p):
    expect(j, rc, "tls-version-too-old", 2, checklist={"tls_version": "fail"})
    assert j["service"]["id"] == "office365", j["service"]
    s = [x for x in j["settings"] if x["name"] == "tls_max"][0]
    assert s["value"] == "1.0" and "profile" in s["source"], s
    assert j["smtp_test"]["verdict"]["reply"]["enhanced"] == "4.7.66"


scenario("Xerox WorkCentre TLS 1.0 against Microsoft 365", "xerox-workcentre", "m365-legacy-tls", STARTTLS_LOGIN, old_xerox)

# 3. HP whose firmware is known to stop at TLS 1.0 against a TLS-1.2-only service.
scenario("HP with a TLS 1.0 ceiling against a TLS 1.2 service", "hp-ledm", "tls12-only", STARTTLS_LOGIN,
         lambda j, rc, srv, p: expect(j, rc, "tls-version-too-old", 2, checklist={"tls_version": "fail"}),
         extra=("--tls-max", "1.0"))

# 4. Kyocera with no authentication against a server that requires it.
scenario("Kyocera without login against a server that requires it", "kyocera", "submission",
         dict(STARTTLS_LOGIN, auth="none", user=""),
         lambda j, rc, srv, p: expect(j, rc, "auth-required-not-sent", 2, checklist={"auth": "fail"}))

# 5. Kyocera with login but no encryption: AUTH is offered only after STARTTLS.
scenario("Kyocera login without TLS (AUTH only after STARTTLS)", "kyocera", "submission",
         dict(STARTTLS_LOGIN, security="none"),
         lambda j, rc, srv, p: expect(j, rc, "auth-after-starttls", 2))

# 6. Brother whose From differs from the login, against Microsoft 365 Send As rules (with --send).
def sendas(j, rc, srv, p):
    expect(j, rc, "from-differs-from-login", 2, also=["m365-basic-auth-retirement"])
    assert j["smtp_test"]["verdict"]["reply"]["enhanced"] == "5.7.60", j["smtp_test"]["verdict"]
    f = j["findings"][0]
    assert f["severity"] == "fail" and "other@sim.test" in f["evidence"], f


scenario("Brother From differs from the login (Microsoft 365 Send As)", "brother", "m365-sendas-strict",
         dict(STARTTLS_LOGIN, **{"from": "other@sim.test"}), sendas, extra=("--send", "--size", "100K"))

# 7. Ricoh set to send up to 10 MB against a 5 MB limit (and HP, below, the same through LEDM XML).
def ricoh_size(j, rc, srv, p):
    expect(j, rc, "size-over-limit", 2, checklist={"max_size": "fail"})
    assert "RICOH" in j["device"]["identity"]["model"], j["device"]["identity"]
    s = [x for x in j["settings"] if x["name"] == "size"][0]
    assert s["value"] == str(10240 * 1024) and "web" in s["source"], s


scenario("Ricoh 10 MB scans against a 5 MB limit", "ricoh", "size-5mb",
         {"security": "none", "auth": "none", "user": "", "from": USER, "max_size_kb": 10240}, ricoh_size)

# 7b. HP set to send up to 10 MB against a 5 MB limit.
def size(j, rc, srv, p):
    expect(j, rc, "size-over-limit", 2, checklist={"max_size": "fail"})
    s = [x for x in j["settings"] if x["name"] == "size"][0]
    assert s["value"] == str(10240 * 1024) and "web" in s["source"], s


scenario("HP 10 MB scans against a 5 MB limit", "hp-ledm", "size-5mb",
         {"security": "none", "auth": "none", "user": "", "from": USER, "max_size_kb": 10240}, size)

# 8. A device whose SMTP host name does not resolve.
scenario("Brother SMTP host that does not resolve", "brother", "open",
         dict(STARTTLS_LOGIN, host="smtp.no-such-host.invalid"),
         lambda j, rc, srv, p: expect(j, rc, "dns-unresolved", 2, checklist={"smtp_host": "fail"}))

# 9. A healthy device: exit 0.
def healthy(j, rc, srv, p):
    expect(j, rc, None, 0)
    assert j["status"] == "ok" and not [f for f in j["findings"] if f["severity"] in ("warn", "fail")], j["findings"]
    assert j["smtp_test"]["verdict"]["ok"] and j["smtp_test"]["verdict"]["completed"]
    assert checklist_status(j, "auth") == "ok" and checklist_status(j, "security") == "ok"
    ident = j["device"]["identity"]
    assert "Brother" in (ident.get("vendor") or ""), ident


scenario("Brother configured right (healthy)", "brother", "submission", STARTTLS_LOGIN, healthy)

# 10. Microsoft 365 with authenticated SMTP disabled, and the Xerox job log showing 017-715.
def m365_disabled(j, rc, srv, p):
    expect(j, rc, "m365-smtp-auth-disabled", 2, checklist={"password": "unknown", "m365-smtp-auth-tenant": "fail"})
    ev = [e for e in j["events"] if e["code"] == "017-715"]
    assert ev and ev[0]["explanation"]["confidence"] == "unverified", j["events"]
    assert ev[0]["reproduced"] == "possibly" and "auth" in ev[0]["comparison"], ev


# (the WorkCentre family's firmware stops at TLS 1.0; this one was updated: --tls-max 1.2 says so)
scenario("Microsoft 365 SMTP AUTH disabled, Xerox logged 017-715", "xerox-workcentre", "m365-auth-disabled",
         STARTTLS_LOGIN, m365_disabled, events=[("017-715", "SMTP error")], extra=("--tls-max", "1.2"))

# 11. Gmail without an app password.
scenario("Kyocera to Gmail without an app password", "kyocera", "gmail-app-password", STARTTLS_LOGIN,
         lambda j, rc, srv, p: expect(j, rc, "gmail-app-password", 2))

# 12. Relaying to an external recipient refused.
scenario("Brother relays to an external recipient without login", "brother", "postfix-relay-denied",
         {"auth": "none", "from": USER}, lambda j, rc, srv, p: expect(j, rc, "relay-denied", 2),
         extra=("--to", "boss@external.example"))

# 13. The mail server's certificate has expired.
scenario("HP against an expired certificate", "hp-ledm", "expired-cert", STARTTLS_LOGIN,
         lambda j, rc, srv, p: expect(j, rc, "cert-expired", 2, checklist={"certificate": "fail"}))

# 14. An EHLO name the server refuses (no domain).
scenario("Xerox with a host name without a domain", "xerox-workcentre", "fqdn-required",
         {"security": "none", "auth": "none", "user": "", "from": USER},
         lambda j, rc, srv, p: expect(j, rc, "ehlo-name-rejected", 2, checklist={"ehlo_name": "fail"}),
         hostname="PRN01")

# 15. The device clock is three days behind (certificates will look "not yet valid").
scenario("Brother with a clock three days behind", "brother", "submission", STARTTLS_LOGIN,
         lambda j, rc, srv, p: expect(j, rc, "clock-skew", 2, checklist={"clock": "fail"}), clock_offset_s=-3 * 86400)

# 16. No SMTP password given: the test stops before AUTH and says so.
def no_password(j, rc, srv, p):
    expect(j, rc, "login-not-tested", 1)
    assert j["smtp_test"]["request"]["stop_after"] == "auth", j["smtp_test"]["request"]
    assert not any(s["stage"] == "auth" for s in j["smtp_test"]["stages"])


scenario("Brother, no SMTP password given", "brother", "submission", STARTTLS_LOGIN, no_password, password=None)


# 16b. A mail server that never greets: the whole run still ends within --budget.
def budget(j, rc, srv, p):
    expect(j, rc, None, 2)
    assert j["smtp_test"]["verdict"]["failed_stage"] == "banner", j["smtp_test"]["verdict"]


def budget_scenario():
    with Persona("silent", CERTS) as srv:
        conf = dict(STARTTLS_LOGIN, host="localhost", port=srv.port)
        with SimPrinter("brother", os.path.join(TMP, "budget"), CERTS, conf) as p:
            rc, j, err, secs = diagnose(p, "pw", "--budget", "8")
            budget(j, rc, srv, p)
            assert secs < 8 + 3, "the run took %.1f s with --budget 8" % secs


S.check("a silent mail server: the run ends within --budget", budget_scenario)

# 17. A real Postfix refusing the device's password.
def real_mta():
    with RealMTA(os.path.join(TMP, "mta"), CERTS) as mta:
        conf = dict(STARTTLS_LOGIN, host="localhost", port=mta.port, user=mta.user, **{"from": mta.user})
        with SimPrinter("brother", os.path.join(TMP, "mta-printer"), CERTS, conf) as p:
            rc, j, err, _ = diagnose(p, "not-the-password")
            expect(j, rc, "credentials-rejected", 2, checklist={"password": "fail"})
            assert j["smtp_test"]["verdict"]["reply"]["enhanced"] == "5.7.8"
            rc, j, err, _ = diagnose(p, mta.password)
            expect(j, rc, None, 0)


S.check("Brother against a real Postfix: wrong password, then right", real_mta)


# 18. Nothing answers: no SNMP, no web server, no SMTP server known -> unknown (3), quickly.
def nothing():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]   # bound and silent: SNMP requests get no answer
    try:
        rc, j, err, secs = run_json(["diagnose", "127.0.0.1:%d" % port, "--timeout", "2", "--web-port", "1"])
    finally:
        s.close()
    assert rc == 3 and j["status"] == "unknown", (rc, j["status"], finding_ids(j))
    assert "smtp-server-unknown" in finding_ids(j)
    assert j["device"]["notes"], j["device"]
    assert secs < 30, secs


S.check("nothing answers: unknown, within the budget", nothing)


# 19. Every format of one report; secrets never printed; HTML checked in headless Chromium.
def formats_and_html():
    pw = "Sc4n-P@ss-Word"
    with Persona("m365-auth-disabled", CERTS, user=USER, password=pw) as srv:
        conf = dict(STARTTLS_LOGIN, port=srv.port, host="localhost")
        with SimPrinter("xerox-workcentre", os.path.join(TMP, "html"), CERTS, conf,
                        events=[("016-764", "Unable to connect &lt;img src=x onerror=alert(1)&gt;")]) as p:
            outs = {}
            for fmt in ("text", "md", "html"):
                rc, out, err, _ = diagnose(p, pw, "--verbose", "--tls-max", "1.2", fmt=fmt)
                assert rc == 2, (fmt, rc, err)
                outs[fmt] = out
            rc, j, err, _ = diagnose(p, pw, "--tls-max", "1.2")
            outs["json"] = str(j)
            assert any("<img src=x" in (e["text"] or "") for e in j["events"]), j["events"]
        import base64
        for fmt, text in outs.items():
            for secret in (pw, base64.b64encode(pw.encode()).decode(), p.web_password):
                assert secret not in text, "secret leaked in %s" % fmt
        html = outs["html"]
        assert "<img src=x" not in html and "&lt;img src=x" in html, "device text not escaped in HTML"
        assert not re.search(r"(?<!\\)<img src=x", outs["md"]), "device text not escaped in Markdown"
        assert not re.search(r'(src\s*=|<link\b[^>]*href\s*=)\s*["\']?(https?:)?//', html), "the HTML loads something external"
        os.makedirs(ARTIFACTS, exist_ok=True)
        path = os.path.join(ARTIFACTS, "diagnose-report.html")
        with open(path, "w") as f:
            f.write(html)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is not installed (tests/setup.sh installs it)"
    prof = tempfile.mkdtemp(prefix="chromium-")
    flags = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + prof, "--window-size=1100,2600"]
    png = os.path.join(ARTIFACTS, "diagnose-report.png")
    subprocess.run(flags + ["--screenshot=" + png, "file://" + path], capture_output=True, timeout=120)
    assert os.path.exists(png) and os.path.getsize(png) > 20000, "no screenshot"
    dom = subprocess.run(flags + ["--dump-dom", "file://" + path], capture_output=True, text=True, timeout=120).stdout
    assert 'id="status"' in dom and "Critical" in dom, dom[:500]
    assert dom.count('class="card sev-') >= 1 and 'id="sequence"' in dom and 'class="stage bad"' in dom
    assert 'id="checklist"' in dom
    shutil.rmtree(prof, ignore_errors=True)
    print("     screenshot kept at %s" % png)


S.check("formats, secrets, HTML in headless Chromium", formats_and_html)

shutil.rmtree(TMP, ignore_errors=True)
S.finish()
