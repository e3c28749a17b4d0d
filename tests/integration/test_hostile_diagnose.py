"""test_hostile_diagnose.py — `mfpdoctor diagnose` against a hostile or starved world: SNMP that
never answers eating the budget, mail servers that answer slowly or echo the password back,
devices whose From carries ESMTP keywords or whose size limit overflows, a tenant-level login
block, and --no-web next to a web server counting connections. Every case asserts the verdict
(exit code), the note or finding a helpdesk reads, and that the run ended inside its bound.
Servers bind 127.0.0.0/8 only and are always stopped."""
import base64
import json
import os
import re
import socket
import tempfile
import threading
import time
import urllib.parse

from smtptest import Suite, finding_ids, run, run_json
from printer import SimPrinter
from simworld import Certs, Persona

S = Suite()
TMP = tempfile.mkdtemp(prefix="mfpdoctor-hostile-diag-")
CERTS = Certs(os.path.join(TMP, "certs"))
CA = os.path.join(TMP, "certs", "ca.pem")
USER = "scanner@sim.test"
STARTTLS_LOGIN = {"security": "starttls", "auth": "auto", "user": USER, "from": USER}
HOSTILE_FROM = "a@b.test> RET=FULL ENVID=X ORCPT=rfc822;spy@evil.test"


class BlackHole:
    """A UDP port that receives SNMP requests and never answers."""

    def __init__(self, host="127.0.0.1"):
        self.host = host

    def __enter__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((self.host, 0))
        self.peer = "%s:%d" % (self.host, self.sock.getsockname()[1])
        return self

    def __exit__(self, *exc):
        self.sock.close()


class ScriptedSMTP:
    """Plain SMTP on 127.0.0.1, one thread per session. Answers every command correctly after
    `delay` seconds; `auth_reply(user, password, blob)` (when given) answers AUTH PLAIN.
    `log` holds every line the client sent."""

    def __init__(self, delay=0.0, auth_reply=None):
        self.delay, self.auth_reply = delay, auth_reply
        self.log, self.stopped = [], False

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped = True
        self.thread.join(5)
        self.sock.close()

    def _serve(self):
        while not self.stopped:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._session, args=(c,), daemon=True).start()

    def _send(self, c, text):
        time.sleep(self.delay)
        c.sendall(text.encode())

    def _reply(self, cmd):
        u = cmd.upper()
        if u.startswith("EHLO"):
            return "250-slow.sim.test\r\n250-SIZE 10485760\r\n%s250 8BITMIME\r\n" % (
                "250-AUTH PLAIN\r\n" if self.auth_reply else "")
        if u.startswith("AUTH PLAIN") and self.auth_reply:
            blob = cmd.split(" ", 2)[2] if cmd.count(" ") >= 2 else ""
            parts = base64.b64decode(blob + "==").decode("utf-8", "replace").split("\0")
            return self.auth_reply(parts[1] if len(parts) > 1 else "", parts[-1], blob)
        if u.startswith("QUIT"):
            return "221 bye\r\n"
        return "354 go\r\n" if u.startswith("DATA") else "250 ok\r\n"

    def _session(self, c):
        c.settimeout(30)
        f = c.makefile("rb")
        try:
            self._send(c, "220 slow.sim.test ESMTP\r\n")
            while not self.stopped:
                line = f.readline()
                if not line:
                    return
                cmd = line.decode("latin-1").rstrip("\r\n")
                self.log.append(cmd)
                self._send(c, self._reply(cmd))
                if cmd.upper().startswith("QUIT"):
                    return
        except OSError:
            pass
        finally:
            c.close()


class ConnCounter:
    """Listens on host:port (TCP) and counts every connection (an HTTP or HTTPS request would
    open one); closes each at once."""

    def __init__(self, host, port):
        self.host, self.port, self.count, self.stopped = host, port, 0, False

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((self.host, self.port))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        return self

    def _serve(self):
        while not self.stopped:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            self.count += 1
            c.close()

    def __exit__(self, *exc):
        self.stopped = True
        self.thread.join(5)
        self.sock.close()


def server_args(port, *extra):
    return ["--server", "localhost", "--port", str(port), "--tls", "none", "--from", USER, "--no-web"] + list(extra)


def not_tested(j, phase):
    return [c for c in j.get("not_tested", []) if c["phase"] == phase]


# 1. The case: SNMP black-holed, --budget 10 (default --timeout 10), a healthy server
#    that answers each step in 2 s. The test keeps its reserved share (6 s) and is cut inside it:
#    "not tested", exit 3, never CRITICAL, and the run ends within the budget.
def starved_budget():
    with BlackHole() as snmp, ScriptedSMTP(delay=2.0) as srv:
        rc, j, err, secs = run_json(["diagnose", snmp.peer, "--budget", "10"] + server_args(srv.port))
        assert rc == 3 and j["status"] == "unknown", (rc, j["status"], finding_ids(j))
        cut = not_tested(j, "smtp-test")
        assert cut and "time budget" in cut[0]["why"] and "not a failure" in cut[0]["why"], j.get("not_tested")
        assert j["smtp_test"]["budget_exhausted"] is True
        assert not [f for f in j["findings"] if f["severity"] == "fail"], j["findings"]
        assert "smtp-failed" not in finding_ids(j)
        assert any(c.startswith("MAIL FROM") for c in srv.log), srv.log  # it got past EHLO: a real share
        assert secs < 10 + 3, secs
        rc, out, err, secs = run(["diagnose", snmp.peer, "--budget", "10"] + server_args(srv.port))
        assert rc == 3 and "Not tested (the time budget ran out)" in out and "SMTP test send" in out, out[:1500]
        assert "CRITICAL" not in out and "failed at" not in out, out[:1500]
        for fmt, marker in (("md", "## Not tested"), ("html", 'id="not-tested"')):
            rc, out, err, secs = run(["diagnose", snmp.peer, "--budget", "10", "--format", fmt] + server_args(srv.port))
            assert rc == 3 and marker in out, (fmt, rc, out[:800])
        # check: -t is the whole run there (diagnose's --budget), the step limit --step-timeout
        rc, out, err, secs = run(["check", snmp.peer, "-t", "10", "--step-timeout", "10"] + server_args(srv.port))
        assert rc == 3 and out.startswith("MFPDOCTOR UNKNOWN - out of time (-t 10): "), out[:500]
        assert "test send not tested" in out.splitlines()[0] and secs < 10.5 and err == "", (secs, out[:500], err)


S.check("starved budget (SNMP black-holed, --budget 10): UNKNOWN, the cut phase named", starved_budget)


# 2. The reserved share: SNMP black-holed may not eat the test's time. A server answering in
#    0.5 s per step needs ~2.5 s; with --budget 10 it gets its share and passes.
def reserved_share():
    with BlackHole() as snmp, ScriptedSMTP(delay=0.5) as srv:
        rc, j, err, secs = run_json(["diagnose", snmp.peer, "--budget", "10"] + server_args(srv.port))
        assert rc == 0 and j["smtp_test"]["verdict"]["ok"] and j["smtp_test"]["verdict"]["completed"], (rc, j["smtp_test"])
        assert not not_tested(j, "smtp-test"), j["not_tested"]
        assert not_tested(j, "snmp"), j["not_tested"]  # SNMP was the phase that got less
        assert secs < 10 + 3, secs


S.check("the SMTP test keeps a reserved share of the budget", reserved_share)


# 3. The same slow server with a budget big enough: OK.
def budget_big_enough():
    with BlackHole() as snmp, ScriptedSMTP(delay=2.0) as srv:
        rc, j, err, secs = run_json(["diagnose", snmp.peer, "--budget", "40", "--timeout", "5"] + server_args(srv.port))
        assert rc == 0 and j["status"] == "ok", (rc, finding_ids(j), j.get("not_tested"))
        assert j["not_tested"] == [], j["not_tested"]
        assert secs < 40 + 3, secs


S.check("a budget big enough: the slow server is OK", budget_big_enough)


# 4. No From on the device: nothing made up is sent, looked up or judged.
def placeholder_sender():
    with Persona("open", CERTS) as srv:
        conf = {"host": "localhost", "port": srv.port, "auth": "none"}
        with SimPrinter("brother", os.path.join(TMP, "nofrom"), CERTS, conf) as p:
            rc, j, err, secs = run_json(["diagnose", p.snmp_peer, "--timeout", "5"] + p.diagnose_args())
        ids = finding_ids(j)
        assert "sender-domain-unresolved" not in ids, ids
        assert "sender-not-tested" in ids and rc == 1, (rc, ids)
        assert not any("invalid" in c for c in srv.commands()), srv.commands()
        assert not any(c.startswith(("MAIL", "RCPT")) for c in srv.commands()), srv.commands()
        assert "dns.from_domain" not in json.dumps(j["device"]), j["device"]
        assert secs < 30, secs


S.check("placeholder sender: no DNS probe, no finding, nothing sent", placeholder_sender)


def hostile_from(kind, name):
    with Persona("submission", CERTS) as srv:
        conf = dict(STARTTLS_LOGIN, host="localhost", port=srv.port, **{"from": HOSTILE_FROM})
        with SimPrinter(kind, os.path.join(TMP, name), CERTS, conf) as p:
            env = dict(p.env(), MFPDOCTOR_SMTP_PASSWORD=srv.password)
            rc, j, err, secs = run_json(["diagnose", p.snmp_peer, "--timeout", "5", "--cafile", CA, "--send"]
                                        + p.diagnose_args(), env=env)
        f = [x for x in j["findings"] if x["id"] == "from-invalid"]
        assert f and f[0]["severity"] == "fail", finding_ids(j)
        assert f[0]["title"].startswith("The device's From address is not a valid address: a@b.test> RET=FULL"), f[0]["title"]
        assert "From (sender) address" in f[0]["fix"], f[0]["fix"]
        assert rc == 2, rc
        log = "\n".join(srv.log_lines())
        for kw in ("RET=", "ORCPT=", "ENVID=", "spy@evil.test"):
            assert kw not in log, "the server saw %s:\n%s" % (kw, log)
        assert not any(c.startswith(("MAIL", "RCPT", "DATA")) for c in srv.commands()), srv.commands()
        assert j["smtp_test"]["verdict"]["delivered"] is False
        assert secs < 60, secs


# 5./6. A From with ESMTP keywords, read over SNMP (Brother) and from the web pages (HP LEDM XML).
S.check("hostile From over SNMP: a finding, never sent", hostile_from, "brother", "evil-from-snmp")
S.check("hostile From in the web pages: a finding, never sent", hostile_from, "hp-ledm", "evil-from-web")


def hp_size(kb, name):
    with Persona("submission", CERTS) as srv:
        conf = dict(STARTTLS_LOGIN, host="localhost", port=srv.port, max_size_kb=kb)
        with SimPrinter("hp-ledm", os.path.join(TMP, name), CERTS, conf) as p:
            env = dict(p.env(), MFPDOCTOR_SMTP_PASSWORD=srv.password)
            args = ["diagnose", p.snmp_peer, "--timeout", "5", "--cafile", CA] + p.diagnose_args()
            rc, j, err, secs = run_json(args, env=env)
            rc2, text, err2, _ = run(args, env=env)
        assert "runtime error" not in err + err2, err + err2  # UBSan (sanitizer build)
        notes = " ".join(j["device"]["notes"])
        assert "implausible max size" in notes, notes
        sizes = [int(m) for c in srv.commands() for m in re.findall(r"SIZE=(-?\d+)", c)]
        assert sizes and all(0 < s < 3 * 2 ** 30 for s in sizes), sizes
        s = [x for x in j["settings"] if x["name"] == "size"][0]
        assert s["value"] == "2097152" and s["source"].startswith("default"), s
        assert not re.search(r"-\d{6,}", text), re.findall(r".*-\d{6,}.*", text)
        assert rc in (0, 1), (rc, finding_ids(j))
        assert secs < 60, secs


# 7./8. HP max size 8000000000000000 KB (overflows the size arithmetic) and 2^63-1 KB (negative).
S.check("HP max size 8000000000000000 KB: capped, sane note", hp_size, 8000000000000000, "hp-huge")
S.check("HP max size 2^63-1 KB: no negative size", hp_size, 2 ** 63 - 1, "hp-max")


# 9. A tenant-level block (535 5.7.139): the checklist fails the tenant setting, and only that.
def tenant_blame():
    with Persona("m365-auth-disabled", CERTS, user=USER) as srv:
        conf = dict(STARTTLS_LOGIN, host="localhost", port=srv.port)
        with SimPrinter("xerox-workcentre", os.path.join(TMP, "tenant"), CERTS, conf) as p:
            env = dict(p.env(), MFPDOCTOR_SMTP_PASSWORD=srv.password)
            rc, j, err, secs = run_json(["diagnose", p.snmp_peer, "--timeout", "5", "--cafile", CA, "--tls-max", "1.2"]
                                        + p.diagnose_args(), env=env)
        assert rc == 2 and finding_ids(j)[0] == "m365-smtp-auth-disabled", (rc, finding_ids(j))
        failed = [(i["side"], i["setting"]) for i in j["checklist"]["items"] if i["status"] == "fail"]
        assert failed == [("service", "m365-smtp-auth-tenant")], failed
        assert secs < 60, secs


S.check("535 5.7.139: the checklist fails only the tenant item", tenant_blame)


# 10. --no-web means no HTTP request at all, even when SNMP gives nothing.
def no_web():
    host = "127.77.0.1"
    with ConnCounter(host, 80) as http, ConnCounter(host, 443) as https, BlackHole(host) as snmp:
        rc, j, err, secs = run_json(["diagnose", snmp.peer, "--no-web", "--no-test", "--timeout", "2", "--budget", "10"])
        assert http.count == 0 and https.count == 0, (http.count, https.count)
        assert j["device"]["http_requests"] == 0, j["device"]
        assert rc == 3, rc
        # without --no-web the reader does look (so the counter does count)
        run_json(["diagnose", snmp.peer, "--no-test", "--timeout", "2", "--budget", "10", "--web-port", "80", "--http"])
        assert http.count > 0, "the counting server saw nothing without --no-web"
        assert secs < 15, secs


S.check("--no-web: zero HTTP requests", no_web)


# 11. A mail server echoing the password and the AUTH PLAIN blob in its reply: 0 hits anywhere.
def smtp_password_echo():
    pw = "Sc4n&Pa ss<w0rd>"

    def echo(user, password, blob):
        return ("535-5.7.8 Authentication failed for %s with password %s\r\n535 5.7.8 you sent %s %s\r\n"
                % (user, password, blob, urllib.parse.quote(password, safe="")))

    with ScriptedSMTP(auth_reply=echo) as srv, BlackHole() as snmp:
        env = {"MFPDOCTOR_SMTP_PASSWORD": pw}
        args = ["diagnose", snmp.peer, "--no-snmp", "--user", USER, "--auth", "plain", "--timeout", "5"] + server_args(srv.port)
        outs = {}
        for fmt in ("text", "md", "html", "json"):
            rc, outs[fmt], err, secs = run(args + ["--format", fmt, "--verbose"], env=env)
            assert rc == 2, (fmt, rc, outs[fmt][:500])
            assert secs < 30, secs
        rc, outs["check"], err, secs = run(["check"] + args[1:], env=env)
        assert any(c.startswith("AUTH PLAIN") for c in srv.log), srv.log
        blob = base64.b64encode(("\0%s\0%s" % (USER, pw)).encode()).decode()
        forms = [pw, base64.b64encode(pw.encode()).decode(), blob, urllib.parse.quote(pw, safe=""), "Sc4n&amp;Pa ss&lt;w0rd&gt;",
                 json.dumps(pw)[1:-1]]
        for fmt, text in outs.items():
            for form in forms:
                assert form not in text, "%r printed in %s" % (form, fmt)
        assert "[redacted]" in outs["text"], outs["text"][:2000]


S.check("SMTP password echoed by the server: 0 hits in every format", smtp_password_echo)


# 12. The device shows the web admin password back, HTML-escaped and in the HTTP Basic form, in
#     its settings fields: 0 hits of any form.
def web_password_echo():
    pw = "Ews&Adm<1n> pw"
    basic = base64.b64encode(("admin:%s" % pw).encode()).decode()
    shown = pw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")   # as the page shows it
    with Persona("open", CERTS) as srv:
        conf = {"host": "localhost", "port": srv.port, "auth": "auto", "security": "none", "from": USER,
                "user": shown.replace("&", "&amp;")}   # the page's HTML source escapes it once more
        with SimPrinter("xerox-workcentre", os.path.join(TMP, "webecho"), CERTS, conf, web_password=pw,
                        events=[("016-764", "login %s failed" % basic)]) as p:
            env = dict(p.env(), MFPDOCTOR_WEB_USER="admin")
            args = ["diagnose", p.snmp_peer, "--timeout", "5"] + p.diagnose_args()
            outs = {}
            for fmt in ("text", "json", "html", "md"):
                rc, outs[fmt], err, secs = run(args + ["--format", fmt, "--verbose"], env=env)
                assert secs < 60, secs
        j = json.loads(outs["json"])
        assert j["device"]["http_requests"] > 0 and j["events"], j["device"]  # the pages were read
        for fmt, text in outs.items():
            for form in (pw, shown, basic, base64.b64encode(pw.encode()).decode(), urllib.parse.quote(pw, safe="")):
                assert form not in text, "%r printed in %s" % (form, fmt)


S.check("web password shown back by the device: 0 hits in every format", web_password_echo)


# 13. Addresses on the command line are checked too: a usage error, nothing sent.
def cli_addresses():
    for opt in ("--from", "--to"):
        rc, out, err, secs = run(["diagnose", "127.0.0.1:1", "--no-snmp", "--no-web", "--server", "localhost",
                                  opt, HOSTILE_FROM])
        assert rc == 64 and "not an e-mail address" in err and "space" in err, (opt, rc, err)
    rc, out, err, secs = run(["check", "127.0.0.1:1", "--from", "a b@c.test"])
    assert rc == 3 and out.startswith("MFPDOCTOR UNKNOWN"), (rc, out)


S.check("hostile --from/--to on the command line: usage error", cli_addresses)

S.finish()
