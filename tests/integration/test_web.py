#!/usr/bin/python3
"""test_web.py — `mfpdoctor web` against the fixture embedded web server (tests/sim/ews_server.py).

Per simulated family: settings and log entries extracted exactly; wrong password gives a clear
note; a changed page gives a note naming the missing fields; localised pages (German ISO-8859-1,
Japanese Shift_JIS); session expiry and one re-login; HTTPS fingerprint with verified and
unverified states (CA file, pin, wrong pin, insecure); plain HTTP only with --http; huge, slow and
missing pages; HTTP Digest via an overlay profile; read-only proof (the simulator records any
request other than GET and the login POST and exits non-zero). Only 127.0.0.1 is used.
Prints "N passed, M failed" last; exits 77 when the binary or openssl is missing.
"""
import base64
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import ssl

BIN = os.environ.get("MFPDOCTOR_BIN", "")
SRC = os.environ.get("MFPDOCTOR_SRC", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SIM = os.path.join(SRC, "tests", "sim", "ews_server.py")
PY = "/usr/bin/python3"
PASSWORD = "s3cret-Pw"

passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s %s" % (what, detail[:2000] if detail else ""))


class Sim:
    def __init__(self, family, tls=True, extra=(), certs=None):
        args = [PY, SIM, "--family", family, "--password", PASSWORD]
        if tls:
            args += ["--tls", certs["cert"], certs["key"]]
        args += list(extra)
        self.tls = tls
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 10
        line = ""
        while time.time() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if r:
                line = self.proc.stdout.readline()
                break
            if self.proc.poll() is not None:
                break
        if not line.startswith("READY"):
            self.proc.kill()
            raise RuntimeError("simulator did not start: " + self.proc.stderr.read())
        self.port = int(line.split()[1])

    def url(self, path):
        return "%s://127.0.0.1:%d%s" % ("https" if self.tls else "http", self.port, path)

    def get(self, path):
        ctx = ssl._create_unverified_context()
        with urllib.request.urlopen(self.url(path), timeout=5, context=ctx if self.tls else None) as r:
            return r.read().decode()

    def stop(self):
        """Stops the simulator; returns (exit code, violations)."""
        try:
            v = json.loads(self.get("/__violations"))
        except Exception as e:  # noqa: BLE001
            v = ["could not read violations: %s" % e]
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = -9
        return rc, v


def run(sim, *args, env_extra=None, password=PASSWORD, timeout=60):
    env = dict(os.environ)
    env.pop("MFPDOCTOR_WEB_PASSWORD", None)
    if password is not None:
        env["MFPDOCTOR_WEB_PASSWORD"] = password
    if env_extra:
        env.update(env_extra)
    cmd = [BIN, "web", "127.0.0.1", "--web-port", str(sim.port), "--format", "json"] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    try:
        j = json.loads(p.stdout)
    except ValueError:
        j = None
    return p.returncode, j, p.stdout + p.stderr


def val(j, key):
    f = j["smtp"].get(key) if j else None
    return f["value"] if f else None


def notes(j):
    return "\n".join(j["notes"]) if j else ""


# family -> (extra mfpdoctor args, expected smtp values, expected event codes (in order), expected where of host)
CASES = {
    "xerox-workcentre": ([], {"host": "smtp.office365.com", "port": "587", "security": "starttls", "auth": "auto",
                              "user": "scanner7845@example.com", "from": "scanner7845@example.com", "max_size": "10485760"},
                         ["016-764", "016-786"], "/properties/protocols/smtp.dhtml: GSI_SMTP_SERVER_IP_ADDR"),
    "xerox-altalink": ([], {"host": "mail.example.org", "port": "465", "security": "implicit", "auth": "auto",
                            "user": "altalink@example.org", "from": "altalink@example.org", "max_size": str(20480 * 1024)},
                       [], "/webui/json/email/smtp: smtpServer"),
    "hp-ledm": ([], {"host": "smtp.gmail.com", "port": "587", "security": "starttls", "auth": "auto",
                     "user": "printer.m428@gmail.com", "from": "printer.m428@gmail.com", "max_size": str(5120 * 1024)},
                ["62.10.A3", "31.04.11", "70115"], "/DevMgmt/Email/SmtpServers: SmtpServer/NetworkAddress"),
    "hp-futuresmart": ([], {"host": "relay.corp.example", "port": "25", "security": "none", "auth": "none",
                            "user": None, "from": "mfp-e87660@corp.example", "max_size": str(10 * 1048576)},
                       ["EMAIL-GATEWAY-REJECTED-ADDRESS", "13.B2.D1"], "/hp/device/EmailSetup/Index: SmtpServerAddress"),
    "kyocera": ([], {"host": "smtp.kyo.example", "port": "465", "security": "implicit", "auth": "auto",
                     "user": "taskalfa@kyo.example", "from": "taskalfa@kyo.example", "max_size": str(3072 * 1024)},
                ["1102", "1101"], None),
    "brother": ([], {"host": "smtp.mail.example.net", "port": "587", "security": "starttls", "auth": "auto",
                     "user": "mfc8900", "from": "mfc8900@mail.example.net", "max_size": None},
                [None, None], "/net/net/smtp.html: SMTP Server Address"),
    "ricoh": ([], {"host": "smtp.ricoh-test.example", "port": "25", "security": "none", "auth": "auto",
                   "user": "ricoh-scan", "from": "ricoh-admin@ricoh-test.example", "max_size": str(2048 * 1024)},
              ["SC-E21"], "/web/entry/en/websys/netw/getSmtp.cgi: SMTP Server Name"),
    "canon": ([], {"host": "exch01.corp.example", "port": "587", "security": "starttls", "auth": "auto",
                   "user": "svc-c5535", "from": "c5535@corp.example", "max_size": None},
              ["#818", "#751"], "/rps/cesmtp.cgi: SMTP Server"),
    "konica-minolta": ([], {"host": "smtp.km.example", "port": "25", "security": "starttls", "auth": "none",
                            "user": None, "from": "bizhub@km.example", "max_size": str(4096 * 1024)},
                       ["CE-0001", None], "/wcd/system_network.xml: Smtp/ServerAddress"),
    "sharp": ([], {"host": "smtp.sharp-test.example", "port": "587", "security": "starttls", "auth": "login",
                   "user": "mx3071", "from": "mx3071@sharp-test.example", "max_size": None},
              ["CE-04"], "/nw_email.html: Primary Server"),
    "lexmark": (["--web-user", "admin"], {"host": "smtp.lex.example", "port": "25", "security": "none", "auth": "login",
                                          "user": "mx622", "from": "mx622@lex.example", "max_size": str(8192 * 1024)},
                [], "/cgi-bin/dynamic/printer/config/secure/emailsetup.html: Primary SMTP Gateway"),
    "epson": ([], {"host": "smtp.epson-test.example", "port": "465", "security": "implicit", "auth": "auto",
                   "user": "wf5790", "from": "wf5790@epson-test.example", "max_size": None},
              [], "/PRESENTATION/ADVANCED/NWS_EMAIL_SERVER/TOP: SMTP Server Address"),
}


def finish(sim, label):
    rc, v = sim.stop()
    check(rc == 0 and v == [], "%s: read-only (no violations)" % label, "rc=%s violations=%s" % (rc, v))


def no_secret(out, label):
    b64 = base64.b64encode(PASSWORD.encode()).decode()
    check(PASSWORD not in out and b64 not in out, "%s: password not in output" % label)


def test_families(certs):
    for fam, (extra, smtp, codes, where) in CASES.items():
        sim = Sim(fam, certs=certs)
        try:
            rc, j, out = run(sim, "--web-insecure", *extra)
            check(j is not None, fam + ": JSON output", out)
            if not j:
                continue
            for k, v in smtp.items():
                check(val(j, k) == v, "%s: smtp.%s" % (fam, k), "got %r want %r\n%s" % (val(j, k), v, notes(j)))
                if v is not None:
                    check(j["smtp"][k]["source"] == "web", "%s: smtp.%s source web" % (fam, k))
            got = [e["code"] for e in j["events"]]
            check(got == codes, fam + ": event codes", "got %r want %r\n%s" % (got, codes, notes(j)))
            if where:
                check(j["smtp"]["host"] and j["smtp"]["host"]["where"] == where, fam + ": where", str(j["smtp"]["host"]))
            check(rc == 0, fam + ": exit 0 with nothing missing", "rc=%d notes:\n%s" % (rc, notes(j)))
            check(j["certificate"] and len(j["certificate"]["sha256"]) == 95 and j["certificate"]["verified"] is False,
                  fam + ": certificate fingerprint shown, unverified", str(j.get("certificate")))
            check(j["vendor"] == fam.split("-")[0] if not fam.startswith("konica") else j["vendor"] == "konica-minolta",
                  fam + ": vendor identified from the root page", str(j["vendor"]))
            no_secret(out, fam)
        finally:
            finish(sim, fam)


def test_events_text(certs):
    sim = Sim("brother", certs=certs)
    try:
        rc, j, out = run(sim, "--web-insecure")
        check(j and [e["text"] for e in j["events"]] == ["Send Error: SMTP authentication failed", "Paper Jam Tray 1"],
              "brother: event texts", out)
        check(j and j["events"][0]["time"] == "2024/05/05 14:02" and j["events"][0]["origin"] == "web-errorlog",
              "brother: event time and origin", out)
    finally:
        finish(sim, "brother events")
    sim = Sim("xerox-workcentre", certs=certs)
    try:
        rc, j, out = run(sim, "--web-insecure")
        e = j["events"][1] if j and len(j["events"]) > 1 else {}
        check(e.get("text") == "SMTP server authentication failure" and e.get("time") == "2024-05-02 09:31:50" and
              e.get("origin") == "web-joblog" and e.get("where") == "/properties/maintenance/joblog.php: row 3"
              and e.get("severity") == "Deleted", "xerox: event fields exact", json.dumps(e))
    finally:
        finish(sim, "xerox events")


def test_wrong_password(certs):
    for fam in ("xerox-workcentre", "ricoh", "konica-minolta", "lexmark", "xerox-altalink", "sharp", "kyocera"):
        sim = Sim(fam, certs=certs)
        try:
            rc, j, out = run(sim, "--web-insecure", password="wrong-password")
            n = notes(j)
            check("refused" in n, fam + ": wrong password -> clear note", n or out)
            check(val(j, "host") is None, fam + ": nothing read after a refused login", n)
            check(rc == 1, fam + ": exit 1 (read with notes)", "rc=%d" % rc)
            if fam == "konica-minolta":
                check("CommonLoginError" in n and "Err_2" in n, "km: err XML -> refused with the Err code and the device's words", n)
            if fam == "kyocera":
                # the same page as a success, with cookies: only var LoginStatus tells
                check("user name or password is wrong" in n and "_kmpm_name_pass_err_" in n and len(j["events"]) == 0,
                      "kyocera: LoginStatus _kmpm_name_pass_err_ -> login failed, not success", n)
        finally:
            finish(sim, fam + " wrong password")


def test_no_password(certs):
    sim = Sim("ricoh", certs=certs)
    try:
        rc, j, out = run(sim, "--web-insecure", password=None)
        n = notes(j)
        check("no password given" in n and "getSmtp.cgi" in n, "no password -> note listing skipped pages", n)
        check(j and j["identity"].get("model", {}).get("value") == "RICOH IM C3000", "public page still read", out)
        st = json.loads(sim.get("/__stats"))
        check(not any(r.startswith("POST") for r in st["requests"]), "no login attempted without a password")
    finally:
        finish(sim, "no password")


def test_changed(certs):
    sim = Sim("xerox-workcentre", certs=certs, extra=["--variant", "changed"])
    try:
        rc, j, out = run(sim, "--web-insecure")
        n = notes(j)
        check("/properties/protocols/smtp.dhtml" in n and "smtp.port (GSI_SMTP_PORT_NUMBER)" in n and
              "smtp.from (GSI_SMTP_DEVICE_EMAIL)" in n and "structure did not match" in n,
              "changed firmware: note names the page and missing fields", n)
        check(val(j, "host") == "smtp.office365.com", "changed firmware: other fields still read")
        check(len(j["events"]) == 2, "changed firmware: log still read")
        check(rc == 1, "changed firmware: exit 1")
    finally:
        finish(sim, "changed")


def test_localised(certs):
    sim = Sim("ricoh", certs=certs, extra=["--variant", "de"])
    try:
        rc, j, out = run(sim, "--web-insecure")
        want = {"host": "mail.beispiel.de", "port": "465", "security": "implicit", "auth": "auto",
                "user": "scanner-müller", "from": "drucker@beispiel.de", "max_size": str(5120 * 1024)}
        for k, v in want.items():
            check(val(j, k) == v, "German labels (ISO-8859-1): smtp.%s" % k, "got %r\n%s" % (val(j, k), notes(j)))
    finally:
        finish(sim, "ricoh de")
    sim = Sim("ricoh", certs=certs, extra=["--variant", "ja"])
    try:
        rc, j, out = run(sim, "--web-insecure")
        want = {"host": "smtp.example.jp", "port": "587", "security": "none", "auth": "auto", "user": "scan-jp",
                "from": "admin@example.jp"}
        for k, v in want.items():
            check(val(j, k) == v, "Japanese labels (Shift_JIS): smtp.%s" % k, "got %r\n%s" % (val(j, k), notes(j)))
    finally:
        finish(sim, "ricoh ja")


def test_session_expiry(certs):
    # a session dies after N protected pages (Xerox counts the page after the login redirect)
    for fam, n in (("xerox-workcentre", "2"), ("kyocera", "1"), ("ricoh", "1")):
        sim = Sim(fam, certs=certs, extra=["--expire-after", n])
        try:
            rc, j, out = run(sim, "--web-insecure")
            n = notes(j)
            check("session expired" in n and "logged in again once" in n, fam + ": expiry -> one re-login and a note", n)
            check(val(j, "host") == CASES[fam][1]["host"] and len(j["events"]) == len(CASES[fam][2]),
                  fam + ": everything read after re-login", n)
            st = json.loads(sim.get("/__stats"))
            check(st["logins"] == 2, fam + ": exactly two logins", str(st["logins"]))
        finally:
            finish(sim, fam + " expiry")


def fp_of(sim):
    rc, j, out = run(sim, "--web-insecure")
    return j["certificate"]["sha256"]


def test_https(certs):
    sim = Sim("canon", certs=certs)
    try:
        rc, j, out = run(sim)
        n = notes(j)
        check(rc == 3, "untrusted certificate: exit 3", "rc=%d" % rc)
        check(j and j["certificate"] and j["certificate"]["verified"] is False and "--web-pin SHA256:" in n and
              j["certificate"]["sha256"] in n, "untrusted: fingerprint shown and how to pin", n)
        st = json.loads(sim.get("/__stats"))
        check(st["requests"] == ["GET /__stats"], "untrusted: no request was sent to the device", str(st["requests"]))
        fp = fp_of(sim)
        rc, j, out = run(sim, "--web-pin", "SHA256:" + fp)
        check(j and j["certificate"]["verified"] is True and j["certificate"]["how"] == "pinned fingerprint" and
              val(j, "host") == "exch01.corp.example", "pinned fingerprint: verified and read", out)
        rc, j, out = run(sim, "--web-pin", "sha256//" + fp.replace(":", "").lower())
        check(j and j["certificate"]["verified"] is True, "pin accepted in hex without colons")
        bad = "SHA256:" + ":".join(["00"] * 32)
        rc, j, out = run(sim, "--web-pin", bad)
        check(rc == 3 and j and j["certificate"]["verified"] is False and "not the pinned one" in notes(j),
              "wrong pin: refused, nothing read", notes(j) if j else out)
        rc, j, out = run(sim, "--web-cafile", certs["cert"])
        check(j and j["certificate"]["verified"] is True and j["certificate"]["how"].startswith("CA"),
              "--web-cafile: verified by CA", out)
        check(j and "CN=127.0.0.1" in (j["certificate"]["subject"] or ""), "certificate subject shown")
        rc, j, out = run(sim, "--web-pin", "nonsense")
        check(rc == 64, "invalid pin is a usage error", "rc=%d" % rc)
        p = subprocess.run([BIN, "web", "127.0.0.1", "--web-port", str(sim.port), "--web-insecure"], capture_output=True,
                           text=True, timeout=60, env=dict(os.environ, MFPDOCTOR_WEB_PASSWORD=PASSWORD))
        check("Fingerprint          SHA256:" in p.stdout and "not verified (--web-insecure)" in p.stdout,
              "text output shows fingerprint and state", p.stdout)
    finally:
        finish(sim, "https")


def test_plain_http(certs):
    sim = Sim("lexmark", tls=False)
    try:
        rc, j, out = run(sim, "--web-user", "admin")
        check(rc == 3 and "--http" in notes(j), "plain-HTTP device without --http: refused with advice", notes(j) or out)
        rc, j, out = run(sim, "--web-user", "admin", "--http")
        check(j and j["plain_http"] is True and j["certificate"] is None and "plain HTTP" in notes(j) and
              val(j, "host") == "smtp.lex.example", "--http: read over plain HTTP and said so", out)
    finally:
        finish(sim, "plain http")


def test_limits(certs):
    sim = Sim("xerox-workcentre", certs=certs, extra=["--huge", "/properties/maintenance/joblog.php"])
    try:
        rc, j, out = run(sim, "--web-insecure")
        n = notes(j)
        check("page larger than 2 MiB" in n and "joblog.php" in n, "huge page: note", n)
        check(val(j, "host") == "smtp.office365.com", "huge page: the rest is read")
        req = [r for r in j["requests"] if r["path"].endswith("joblog.php")]
        check(req and req[0]["bytes"] <= 2097152, "huge page: reading stopped at the limit", str(req))
    finally:
        finish(sim, "huge")
    sim = Sim("xerox-workcentre", certs=certs, extra=["--slow", "/properties/maintenance/joblog.php", "--slow-s", "4"])
    try:
        t0 = time.time()
        rc, j, out = run(sim, "--web-insecure", "--timeout", "2")
        dt = time.time() - t0
        n = notes(j)
        check("no complete answer within 2000 ms" in n, "slow page: timeout note", n)
        check(val(j, "host") == "smtp.office365.com" and dt < 15, "slow page: the rest read, run bounded", "%.1fs" % dt)
    finally:
        finish(sim, "slow")
    sim = Sim("xerox-workcentre", certs=certs, extra=["--missing", "/properties/maintenance/joblog.php"])
    try:
        rc, j, out = run(sim, "--web-insecure")
        check("/properties/maintenance/joblog.php: not found (HTTP 404)" in notes(j), "moved page: 404 note", notes(j))
    finally:
        finish(sim, "404")


def test_overlay_digest(certs):
    tmp = tempfile.mkdtemp(prefix="mfpweb-overlay-")
    try:
        with open(os.path.join(SRC, "devices", "lexmark.json"), encoding="utf-8") as f:
            prof = json.load(f)
        prof["web"]["pagesets"][0]["login"]["method"] = "digest"
        with open(os.path.join(tmp, "lexmark.json"), "w", encoding="utf-8") as f:
            json.dump(prof, f)
        sim = Sim("lexmark-digest", certs=certs)
        try:
            rc, j, out = run(sim, "--web-insecure", "--web-user", "admin", env_extra={"MFPDOCTOR_PROFILES": tmp})
            check(val(j, "host") == "smtp.lex.example" and rc == 0, "Digest login via an overlay profile", out)
            rc, j, out = run(sim, "--web-insecure", "--web-user", "admin", password="nope",
                             env_extra={"MFPDOCTOR_PROFILES": tmp})
            check("login refused (HTTP 401)" in notes(j), "Digest wrong password -> note", notes(j))
        finally:
            finish(sim, "digest")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_vendor_family_options(certs):
    sim = Sim("xerox-altalink", certs=certs)
    try:
        rc, j, out = run(sim, "--web-insecure", "--vendor", "xerox", "--family", "altalink")
        check(j and j["pageset"] == "altalink-versalink" and val(j, "host") == "mail.example.org" and
              j["identity"]["family"]["source"] == "user", "--vendor/--family choose the page set", out)
        rc, j, out = run(sim, "--web-insecure", "--vendor", "nosuchvendor")
        check(rc == 3 and "no vendor profile" in notes(j), "unknown --vendor: note, exit 3", notes(j))
    finally:
        finish(sim, "vendor/family")


def stats(sim):
    return json.loads(sim.get("/__stats"))


def test_real_login_answers(certs):
    """Login answers in the structure of real devices (ews-real): judged by content, never by HTTP 200."""
    sim = Sim("konica-minolta", certs=certs, extra=["--login-answer", "login_another_admin.xml"])
    try:
        rc, j, out = run(sim, "--web-insecure")
        n = notes(j)
        check("another administrator is logged in" in n and "Err_4" in n and "AdminAnotherLoginError" in n and
              "Log the other administrator out" in n and val(j, "host") is None and rc == 1,
              "km: HTTP 200 err XML (another admin) -> refused, Err code quoted, the right advice", n)
    finally:
        finish(sim, "km another admin")
    sim = Sim("ricoh", certs=certs, extra=["--login-answer", "login_cookie_error.html"])
    try:
        t0 = time.time()
        rc, j, out = run(sim, "--web-insecure")
        n = notes(j)
        posts = [q for q in stats(sim)["requests"] if q.startswith("POST")]
        check("cookie error page" in n and "Aktivieren Sie Cookies" in n and "not a wrong password" in n and
              "session expired" not in n and val(j, "host") is None and rc == 1,
              "ricoh: cookie error page -> a clear note, not 'session expired'", n)
        check(len(posts) == 1 and time.time() - t0 < 20, "ricoh: cookie error -> one login, no loop", str(posts))
    finally:
        finish(sim, "ricoh cookie error")
    sim = Sim("ricoh", certs=certs)
    try:
        rc, j, out = run(sim, "--web-insecure")
        st = stats(sim)
        check(val(j, "host") == "smtp.ricoh-test.example" and st["logins"] == 1,
              "ricoh: the cookie check cookie is sent with the login (no cookie error)", notes(j))
    finally:
        finish(sim, "ricoh cookie check")
    sim = Sim("kyocera", certs=certs, extra=["--login-answer", "start_wlm_before.html"])
    try:
        rc, j, out = run(sim, "--web-insecure")
        n = notes(j)
        check("outcome could not be told" in n and "not taken as a success" in n and val(j, "host") is None and
              rc == 1, "kyocera: LoginStatus \"\" -> login outcome unknown, never success", n)
    finally:
        finish(sim, "kyocera unknown")


def test_real_pages(certs):
    """Discovery, language segments, settings-page check, JS values, panel-language values."""
    sim = Sim("hp-ledm", certs=certs)
    try:
        rc, j, out = run(sim, "--web-insecure")
        paths = [q["path"] for q in j["requests"]]
        check("/DevMgmt/DiscoveryTree.xml" in paths and "/DevMgmt/Email/EmailServiceManifest.xml" in paths and
              "/DevMgmt/EmailConfigDyn.xml" not in paths and val(j, "port") == "587",
              "hp: e-mail found through DiscoveryTree and the manifest", str(paths))
        ev = j["events"]
        check(len(ev) == 3 and ev[0]["severity"] == "Error" and ev[0]["time"] == "2025-03-14T08:01:22.0Z" and
              ev[2]["time"] is None and ev[2]["severity"] is None and ev[2]["code"] == "70115",
              "hp: EventLog/Event rows; an event without time or severity is kept", json.dumps(ev))
    finally:
        finish(sim, "hp discovery")
    sim = Sim("ricoh", certs=certs, extra=["--lang", "fr"])
    try:
        rc, j, out = run(sim, "--web-insecure")
        check(val(j, "host") == "smtp.ricoh-test.example" and
              j["smtp"]["host"]["where"].startswith("/web/entry/fr/websys/") and rc == 0,
              "ricoh: the language segment (fr) is discovered, not assumed", notes(j))
    finally:
        finish(sim, "ricoh fr")
    sim = Sim("ricoh", certs=certs, extra=["--variant", "panelfr"])
    try:
        rc, j, out = run(sim, "--web-insecure")
        check(val(j, "security") == "none" and val(j, "auth") == "auto",
              "ricoh: values in the panel language on an English page (Désactivé/Activé)", notes(j))
    finally:
        finish(sim, "ricoh panel fr")
    page = "/js/jssrc/model/funcset/email/FuncSet_Email_EmailSet.model.htm"
    sim = Sim("kyocera", certs=certs, extra=["--wrong-page", page])
    try:
        rc, j, out = run(sim, "--web-insecure")
        n = notes(j)
        check("page %s is not the settings page (looks like a login page); no values were taken from it" % page in n
              and val(j, "host") is None and rc == 1, "kyocera: a login page served for the settings page -> no values", n)
    finally:
        finish(sim, "kyocera wrong page")
    sim = Sim("kyocera", certs=certs)
    try:
        rc, j, out = run(sim, "--web-insecure")
        ev = j["events"]
        check([e["text"] for e in ev] == ["Error", "Error"] and ev[0]["time"] == "2024/05/04 10:20" and
              j["identity"].get("model", {}).get("value") == "TASKalfa 3253ci",
              "kyocera: JS values (parseInt, branches not run, sJobStatus[3] from jsallWLM.js, HeaderStatusPC)", out)
        check(j["smtp"]["port"]["where"].endswith("FuncSet_Email_EmailSet.model.htm: _pp.smtpPort"),
              "kyocera: where names page and JS property", str(j["smtp"]["port"]))
    finally:
        finish(sim, "kyocera js")
    sim = Sim("epson", certs=certs)
    try:
        rc, j, out = run(sim, "--web-insecure")
        h = j["identity"].get("hostname", {})
        check(h.get("value") == "EPSON1A2B3C" and h.get("where", "").endswith(": Device Name") and
              j["identity"].get("model", {}).get("value") == "WF-C5790 Series",
              "epson: labels ending in '&nbsp;:' (td and dl layouts)", json.dumps(j["identity"]))
    finally:
        finish(sim, "epson labels")


def test_read_only_post(certs):
    sim = Sim("toshiba", certs=certs)
    try:
        rc, j, out = run(sim, "--web-insecure", password=None)
        posts = [q for q in j["requests"] if q["method"] == "POST"]
        check(j["vendor"] == "toshiba" and j["identity"].get("hostname", {}).get("value") == "MFP-3F-EAST" and
              j["identity"]["model"]["where"] == "/contentwebserver: Device/DeviceCopierModel" and
              [q["path"] for q in posts] == ["/contentwebserver"] and
              # the profile reads no SMTP page: the generic reader looks (GET only) and says it found none
              rc == 1 and any("generic reader found no e-mail settings" in n for n in j["notes"]),
              "toshiba: the profile's declared XML read command is the only POST; values read", out)
    finally:
        finish(sim, "toshiba read post")


def test_simulator_catches_writes(certs):
    sim = Sim("ricoh", certs=certs)
    ctx = ssl._create_unverified_context()
    req = urllib.request.Request(sim.url("/web/entry/en/websys/netw/getSmtp.cgi"), data=b"x=1", method="POST")
    try:
        urllib.request.urlopen(req, timeout=5, context=ctx)
    except Exception:  # noqa: BLE001 (405 expected)
        pass
    rc, v = sim.stop()
    check(rc != 0 and len(v) == 1, "simulator flags a settings POST and exits non-zero", "rc=%s v=%s" % (rc, v))


def main():
    if not BIN or not os.access(BIN, os.X_OK) or not shutil.which("openssl"):
        print("0 passed, 0 failed (skipped: MFPDOCTOR_BIN or openssl missing)")
        return 77
    tmp = tempfile.mkdtemp(prefix="mfpweb-")
    try:
        certs = {"cert": os.path.join(tmp, "cert.pem"), "key": os.path.join(tmp, "key.pem")}
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", certs["key"], "-out",
                        certs["cert"], "-days", "2", "-subj", "/CN=127.0.0.1/O=mfpdoctor EWS simulator",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
        for t in (test_families, test_events_text, test_wrong_password, test_no_password, test_changed, test_localised,
                  test_session_expiry, test_https, test_plain_http, test_limits, test_overlay_digest,
                  test_vendor_family_options, test_real_login_answers, test_real_pages, test_read_only_post,
                  test_simulator_catches_writes):
            try:
                t(certs)
            except Exception as e:  # noqa: BLE001
                import traceback
                check(False, t.__name__ + " raised", traceback.format_exc())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
