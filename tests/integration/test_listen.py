"""test_listen — `mfpdoctor listen` driven by clients we did not write acting as the printer
(swaks, Python smtplib, raw sockets) and by `mfpdoctor smtp`; asserts what was recorded, the
replies the client saw, that no password appears anywhere, and that every run ends in its bound.
Loopback only; each listener gets a free port (--port 0, read from its ready line)."""
import json
import os
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smtptest import BIN, Suite, run  # noqa: E402

PASSWORD = 'Sc4n "pa%ss" #7'
TMP = tempfile.mkdtemp(prefix="listen-test-")


class Listener:
    """Runs `mfpdoctor listen --port 0 ...`; ready once its 'listening on' line names the port."""

    def __init__(self, *args, fmt="json", timeout=60):
        self.args = ["listen", "--port", "0", "--format", fmt] + [str(a) for a in args]
        self.timeout = timeout
        self.err_lines = []
        self.port = None

    def __enter__(self):
        env = dict(os.environ, NO_COLOR="1")
        self.t0 = time.monotonic()
        self.p = subprocess.Popen([BIN] + self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env)
        ready = threading.Event()

        def reader():
            for raw in self.p.stderr:
                line = raw.decode("utf-8", "replace")
                self.err_lines.append(line)
                m = re.search(r"listening on \S+ port (\d+)", line)
                if m:
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()
        self.out = []
        self.th = threading.Thread(target=reader, daemon=True)
        self.th.start()
        self.tho = threading.Thread(target=lambda: self.out.append(self.p.stdout.read()), daemon=True)
        self.tho.start()
        if not ready.wait(20) or not self.port:
            self.p.kill()
            raise AssertionError("listen not ready: %s" % "".join(self.err_lines))
        return self

    def result(self):
        """Waits for the listener to exit; returns (rc, stdout, stderr, seconds)."""
        try:
            self.p.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait(5)
            raise AssertionError("listen did not end inside %ss" % self.timeout)
        self.th.join(5)
        self.tho.join(5)
        out = self.out[0] if self.out else b""
        err = "".join(self.err_lines)
        assert "Sanitizer" not in err and "runtime error" not in err, err[-3000:]
        return self.p.returncode, out.decode("utf-8", "replace"), "".join(self.err_lines), time.monotonic() - self.t0

    def json(self):
        rc, out, err, secs = self.result()
        try:
            return rc, json.loads(out), err, secs
        except ValueError:
            raise AssertionError("not JSON (exit %d): %s\nstderr: %s" % (rc, out[:2000], err[:2000]))

    def __exit__(self, *exc):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait(5)


def swaks(port, *extra, timeout=60):
    args = ["swaks", "--server", "127.0.0.1:%d" % port, "--timeout", "15", "--ehlo", "XRX-7845.scan",
            "--from", "scanner@example.com", "--to", "inbox@example.com"] + [str(a) for a in extra]
    r = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def no_secret(*texts):
    for t in texts:
        assert PASSWORD not in t, "password leaked"
        assert "pa%ss" not in t, "password part leaked"


def five_mb_pdf():
    path = os.path.join(TMP, "scan.pdf")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(b"%PDF-1.4\n" + os.urandom(5 * 1024 * 1024 - 9))
    return path


def t_swaks_starttls_plain_attachment():
    pdf = five_mb_pdf()
    with Listener("--sessions", "1", "--verbose") as L:
        rc, out = swaks(L.port, "--tls", "--auth", "PLAIN", "--auth-user", "scan@example.com",
                        "--auth-password", PASSWORD, "--attach-type", "application/pdf", "--attach", "@" + pdf)
        assert rc == 0, out[-2000:]
        lrc, j, err, secs = L.json()
    assert lrc == 0 and secs < 30
    s = j["sessions"][0]
    assert s["ehlo"] == "XRX-7845.scan", s["ehlo"]
    assert s["tls"]["mode"] == "starttls" and s["tls"]["version"] == "TLSv1.3", s["tls"]
    assert s["tls"]["offered"]["max_version"] == "TLSv1.3"
    assert "TLSv1.2" in s["tls"]["offered"]["versions"] and s["tls"]["offered"]["ciphers"]
    a = s["auth"][0]
    assert (a["mechanism"], a["user"], a["password_length"]) == ("PLAIN", "scan@example.com", len(PASSWORD)), a
    assert set(a["password_risky_chars"]) == {"space", "quote", "'%'", "'#'"}, a
    m = s["messages"][0]
    assert m["mail_from"] == "scanner@example.com" and m["rcpt"] == ["inbox@example.com"]
    assert m["complete"] and m["size"] > 5 * 1024 * 1024 * 4 // 3, m["size"]
    pdfs = [p for p in m["parts"] if p["type"] == "application/pdf"]
    assert pdfs and pdfs[0]["decoded_bytes"] == 5 * 1024 * 1024 and pdfs[0]["name"] == "scan.pdf", m["parts"]
    assert m["headers"]["x_mailer"].startswith("swaks") and m["headers"]["mime_version"] == "1.0"
    assert "C: AUTH PLAIN [redacted]" in s["transcript"]
    no_secret(json.dumps(j), err, out)


def t_mfpdoctor_smtp_tls10_login():
    with Listener("--sessions", "1") as L:
        env = {"MFPDOCTOR_SMTP_PASSWORD": PASSWORD}
        rc, out, err, secs = run(["smtp", "--server", "127.0.0.1", "--port", L.port, "--tls", "starttls",
                                  "--tls-max", "1.0", "--user", "scanner", "--auth", "login", "--from",
                                  "mfp@example.com", "--to", "desk@example.com", "-k", "--no-followups",
                                  "--timeout", "10"], env=env, timeout=60)
        lrc, j, lerr, lsecs = L.json()
    s = j["sessions"][0]
    assert s["tls"]["offered"]["max_version"] == "TLSv1.0", s["tls"]
    assert s["tls"]["version"] == "TLSv1.0", s["tls"]
    a = s["auth"][0]
    assert (a["mechanism"], a["user"], a["password_length"]) == ("LOGIN", "scanner", len(PASSWORD)), a
    m = s["messages"][0]
    assert re.match(r"SIZE=\d+", m["mail_params"] or ""), m
    assert m["rcpt"] == ["desk@example.com"]
    assert any("TLSv1.0 at most" in n for n in s["notes"]), s["notes"]
    no_secret(json.dumps(j), lerr, out, err)


def t_reply_at_auth():
    reply = "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria"
    with Listener("--sessions", "1", "--reply-at", "auth", reply) as L:
        rc, out = swaks(L.port, "--tls", "--auth", "LOGIN", "--auth-user", "u@example.com",
                        "--auth-password", PASSWORD)
        lrc, j, err, secs = L.json()
    assert rc == 28, (rc, out[-1500:])
    assert "<~* " + reply + "\n" in out, out[-1500:]
    s = j["sessions"][0]
    assert s["failed_at"] == "auth" and s["auth"][0]["reply"] == reply
    assert j["listen"]["reply_source"] == "--reply-at"
    no_secret(json.dumps(j), err, out)


def t_persona_office365():
    with Listener("--sessions", "1", "--persona", "office365-auth-disabled") as L:
        rc, out = swaks(L.port, "--tls", "--auth", "LOGIN", "--auth-user", "u@example.com",
                        "--auth-password", PASSWORD)
        lrc, j, err, secs = L.json()
    src = json.load(open(os.path.join(os.environ.get("MFPDOCTOR_SRC", "."), "devices/mail/office365.json")))
    pid = j["listen"]["reply_source"]
    pat = [p for p in src["patterns"] if p["id"] == pid][0]
    assert "auth-disabled" in pid and pat["stage"] == "auth"
    assert rc == 28 and "<~* " + pat["example"] + "\n" in out, out[-1500:]


def t_smtplib_implicit_tls_sni():
    with Listener("--sessions", "1", "--tls", "implicit") as L:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with smtplib.SMTP_SSL("localhost", L.port, context=ctx, timeout=15) as c:
            c.ehlo("py-printer")
            c.login("py@example.com", PASSWORD)
            c.sendmail("py@example.com", ["a@example.com", "b@example.com"],
                       "Subject: scan\r\nFrom: py@example.com\r\n\r\n.leading dot\r\nbody\r\n")
        lrc, j, err, secs = L.json()
    s = j["sessions"][0]
    assert s["tls"]["mode"] == "implicit" and s["tls"]["offered"]["sni"] == "localhost", s["tls"]
    assert s["ehlo"] == "py-printer" and s["ended"] == "QUIT"
    m = s["messages"][0]
    assert m["rcpt"] == ["a@example.com", "b@example.com"] and m["headers"]["subject"] == "scan"
    body = "Subject: scan\r\nFrom: py@example.com\r\n\r\n.leading dot\r\nbody\r\n"
    assert m["size"] == len(body), (m["size"], len(body))
    no_secret(json.dumps(j), err)


def raw(port, send, wait=2.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    data = b""
    try:
        data += s.recv(4096)
        s.sendall(send)
        end = time.monotonic() + wait
        while time.monotonic() < end:
            try:
                chunk = s.recv(4096)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    return data.decode("utf-8", "replace")


def t_line_too_long():
    with Listener("--sessions", "1", "--tls", "none") as L:
        got = raw(L.port, b"EHLO " + b"x" * 1200 + b"\r\nNOOP\r\nQUIT\r\n")
        lrc, j, err, secs = L.json()
    assert "500 5.5.2 Line too long\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n" in got, got


def t_idle_timeout_and_bound():
    with Listener("--sessions", "1", "--tls", "none", "--idle", "1") as L:
        got = raw(L.port, b"EHLO idle\r\n", wait=5)
        lrc, j, err, secs = L.json()
    assert "421 4.4.2 Idle timeout" in got, got
    assert j["sessions"][0]["ended"] == "idle timeout" and secs < 15


def t_reply_at_banner():
    with Listener("--sessions", "1", "--tls", "none", "--reply-at", "banner",
                  "554 5.3.2 mail.example.com No SMTP service here") as L:
        got = raw(L.port, b"QUIT\r\n")
        lrc, j, err, secs = L.json()
    assert got == "554 5.3.2 mail.example.com No SMTP service here\r\n221 2.0.0 Bye\r\n", got
    assert j["sessions"][0]["failed_at"] == "connect"


def t_tls_handshake_refused_by_device():
    with Listener("--sessions", "1", "--tls", "implicit") as L:
        ctx = ssl.create_default_context()   # verifies: our generated certificate is not trusted
        try:
            smtplib.SMTP_SSL("127.0.0.1", L.port, context=ctx, timeout=10).quit()
            raise AssertionError("the client accepted an untrusted certificate")
        except ssl.SSLError:
            pass
        lrc, j, err, secs = L.json()
    s = j["sessions"][0]
    assert s["ended"] == "TLS handshake failed" and s["tls"]["error"], s
    assert s["tls"]["offered"]["max_version"] == "TLSv1.3"
    assert any("handshake failed" in n for n in s["notes"]), s["notes"]


def t_no_device_exit3():
    with Listener("--duration", "1", fmt="text") as L:
        rc, out, err, secs = L.result()
    assert rc == 3 and "no device connected" in err and secs < 10, (rc, err)
    assert "listening on 127.0.0.1 port" in err


def t_keep_dir():
    keep = os.path.join(TMP, "keep")
    os.makedirs(keep, exist_ok=True)
    with Listener("--sessions", "1", "--keep", keep) as L:
        rc, out = swaks(L.port, "--body", "kept body")
        lrc, j, err, secs = L.json()
    m = j["sessions"][0]["messages"][0]
    assert m["kept"] and os.path.getsize(m["kept"]) == m["size"], m


def t_text_report():
    with Listener("--sessions", "1", fmt="text") as L:
        rc, out = swaks(L.port, "--tls", "--auth", "PLAIN", "--auth-user", "t@example.com",
                        "--auth-password", PASSWORD)
        lrc, text, err, secs = L.result()
    assert "EHLO name      XRX-7845.scan" in text, text
    assert "PLAIN, user \"t@example.com\", password %d characters" % len(PASSWORD) in text, text
    assert "[1] C: AUTH PLAIN [redacted]" in err, err
    no_secret(text, err)


def t_usage():
    for args in (["--reply-at", "bogus", "500 x"], ["--reply-at", "auth"], ["--reply-at", "auth", "hello"],
                 ["--persona", "no-such-thing"], ["--tls", "maybe"],
                 ["--relay", "127.0.0.1:25", "--reply-at", "auth", "535 no"], ["--port", "70000"]):
        rc, out, err, secs = run(["listen"] + args, timeout=20)
        assert rc == 64, (args, rc, err)
    rc, out, err, secs = run(["listen", "--persona", "list"], timeout=20)
    assert rc == 0 and "m365-5.7.139-tenant-disabled" in out


# ---- relay mode ----------------------------------------------------------------------------

class ScriptedUpstream:
    """A plain SMTP server on a free port that answers each command with fixed bytes (odd
    spacing, multi-line, trailing blanks) and records what it got."""
    REPLIES = [
        (b"EHLO", b"250-odd.example  Hello  there \r\n250-SIZE 1000\r\n250-AUTH LOGIN PLAIN\r\n250-CHUNKING\r\n"
                  b"250 8BITMIME\r\n"),
        (b"AUTH", b"334 VXNlcm5hbWU6\r\n"),
        (b"", b"334 UGFzc3dvcmQ6\r\n"),
        (b"", b"535-5.7.8  Username and Password not accepted. For more information, go to\r\n"
              b"535 5.7.8  https://support.example.com/?p=BadCredentials x12 - gsmtp\r\n"),
        (b"QUIT", b"221 2.0.0 closing connection x12 - gsmtp\r\n"),
    ]
    BANNER = b"220 odd.example ESMTP  ready\t(scripted)\r\n"

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(20)
        self.port = self.sock.getsockname()[1]
        self.got = []
        self.th = threading.Thread(target=self.serve, daemon=True)
        self.th.start()

    def serve(self):
        try:
            c, _ = self.sock.accept()
        except OSError:
            return
        c.settimeout(20)
        f = c.makefile("rb")
        c.sendall(self.BANNER)
        for _verb, reply in self.REPLIES:
            line = f.readline()
            if not line:
                break
            self.got.append(line)
            c.sendall(reply)
        c.close()


def t_relay_byte_for_byte():
    up = ScriptedUpstream()
    import base64
    with Listener("--sessions", "1", "--tls", "none", "--relay", "127.0.0.1:%d" % up.port,
                  "--relay-tls", "none", "--verbose") as L:
        s = socket.create_connection(("127.0.0.1", L.port), timeout=10)
        f = s.makefile("rb")

        def reply():
            out = b""
            while True:
                line = f.readline()
                out += line
                if len(line) < 4 or line[3:4] != b"-":
                    return out
        got = [reply()]
        for cmd in (b"EHLO printer\r\n", b"AUTH LOGIN\r\n", base64.b64encode(b"scan@example.com") + b"\r\n",
                    base64.b64encode(PASSWORD.encode()) + b"\r\n", b"QUIT\r\n"):
            s.sendall(cmd)
            got.append(reply())
        s.close()
        lrc, j, err, secs = L.json()
    want = [up.BANNER] + [r.replace(b"250-CHUNKING\r\n", b"") for _v, r in up.REPLIES]
    assert got == want, (got, want)
    assert up.got[0] == b"EHLO printer\r\n" and up.got[4] == b"QUIT\r\n", up.got
    ss = j["sessions"][0]
    a = ss["auth"][0]
    assert (a["mechanism"], a["user"], a["password_length"]) == ("LOGIN", "scan@example.com", len(PASSWORD))
    assert a["reply"].startswith("535-5.7.8  Username"), a
    tr = ss["transcript"]
    assert "C: EHLO printer" in tr and "U: 535 5.7.8  https://support.example.com/?p=BadCredentials x12 - gsmtp" in tr
    assert tr.count("C: [redacted]") == 2, tr
    b64 = base64.b64encode(PASSWORD.encode()).decode()
    dump = json.dumps(j)
    assert b64 not in dump and b64 not in err
    no_secret(dump, err)


def sim_certs():
    from simworld import Certs
    return Certs(os.path.join(TMP, "certs"))


def t_relay_starttls_both_legs_m365():
    from simworld import Persona
    certs = sim_certs()
    with Persona("m365-auth-disabled", certs, password=PASSWORD) as srv:
        with Listener("--sessions", "1", "--relay", "127.0.0.1:%d" % srv.port, "--relay-cafile", certs.ca) as L:
            rc, out = swaks(L.port, "--tls", "--auth", "LOGIN", "--auth-user", srv.user,
                            "--auth-password", PASSWORD)
            lrc, j, err, secs = L.json()
        log = srv.log_lines()
    sent = [l.split(" S: ", 1)[1] for l in log if " S: " in l]
    assert rc == 28, out[-2000:]
    fail = [l for l in sent if l.startswith("535")]
    assert fail and "<~* " + fail[-1] + "\n" in out, (fail, out[-1500:])
    s = j["sessions"][0]
    assert "certificate verified" in s["upstream"] and s["tls"]["mode"] == "starttls", s
    assert s["auth"][0]["reply"] == fail[-1]
    assert any(t.startswith("U: 535") for t in s["transcript"]) and "C: EHLO XRX-7845.scan" in s["transcript"]
    no_secret(json.dumps(j), err, out)


def t_relay_implicit_upstream_mfpdoctor_smtp():
    from simworld import Persona
    certs = sim_certs()
    with Persona("implicit", certs, password=PASSWORD) as srv:
        with Listener("--sessions", "1", "--relay", "127.0.0.1:%d" % srv.port, "--relay-tls", "implicit",
                      "--relay-cafile", certs.ca) as L:
            rc, out, err, secs = run(["smtp", "--server", "127.0.0.1", "--port", L.port, "--tls", "starttls",
                                      "--user", srv.user, "--auth", "plain", "--from", srv.user, "--to",
                                      "inbox@sim.test", "-k", "--no-followups", "--timeout", "10"],
                                     env={"MFPDOCTOR_SMTP_PASSWORD": PASSWORD}, timeout=60)
            lrc, j, lerr, lsecs = L.json()
    s = j["sessions"][0]
    assert s["auth"][0]["reply"].startswith("235"), s["auth"]
    assert "implicit TLS" in s["upstream"], s["upstream"]
    assert s["messages"][0]["rcpt_replies"][0].startswith("250"), s["messages"]
    no_secret(json.dumps(j), lerr, out, err)


def t_relay_untrusted_upstream():
    from simworld import Persona
    certs = sim_certs()
    with Persona("self-signed", certs, password=PASSWORD) as srv:
        with Listener("--sessions", "1", "--tls", "none", "--relay", "127.0.0.1:%d" % srv.port) as L:
            got = raw(L.port, b"", wait=3)
            lrc, j, err, secs = L.json()
        with Listener("--sessions", "1", "--tls", "none", "--relay", "127.0.0.1:%d" % srv.port,
                      "--relay-insecure") as L:
            got2 = raw(L.port, b"QUIT\r\n", wait=3)
            lrc2, j2, err2, secs2 = L.json()
    assert got.startswith("421 4.3.0"), got
    assert "certificate not trusted" in j["sessions"][0]["upstream"], j["sessions"][0]["upstream"]
    assert got2.startswith("220 ") and "221" in got2, got2
    assert "NOT verified" in j2["sessions"][0]["upstream"]


def t_relay_upstream_drops():
    from simworld import Persona
    certs = sim_certs()
    with Persona("drop-at-mail", certs) as srv:
        with Listener("--sessions", "1", "--tls", "none", "--relay", "127.0.0.1:%d" % srv.port,
                      "--relay-tls", "none", timeout=30) as L:
            got = raw(L.port, b"EHLO x\r\nMAIL FROM:<a@b.c>\r\n", wait=5)
            lrc, j, err, secs = L.json()
    assert j["sessions"][0]["ended"] == "server closed" and secs < 20, j["sessions"][0]


# ---- a real Postfix as the device (relayhost = listen) and as the relay's upstream ----------

def postfix_ok():
    return shutil.which("postfix") and shutil.which("postconf") and os.geteuid() == 0


def pdf_mail(path):
    from email.message import EmailMessage
    m = EmailMessage()
    m["Subject"] = "Scan from Postfix"
    m["From"] = "scanner@sim.test"
    m["To"] = "desk@example.com"
    m.set_content("scan attached")
    with open(path, "rb") as f:
        m.add_attachment(f.read(), maintype="application", subtype="pdf", filename="scan.pdf")
    return m.as_bytes().replace(b"\n", b"\r\n")


def t_postfix_relayhost_tls10_login_5mb():
    if not postfix_ok():
        print("  (skipped: needs root and postfix)")
        return
    from simworld import RealMTA
    certs = sim_certs()
    with Listener("--sessions", "1", "--idle", "30", timeout=90) as L, \
            RealMTA(os.path.join(TMP, "mta-client"), certs) as mta:
        etc = os.path.join(os.path.realpath(os.path.join(mta.dir, "instance")), "etc")
        dest = "[127.0.0.1]:%d" % L.port
        pwmap = os.path.join(etc, "relay_pw")
        fd = os.open(pwmap, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("%s scan@example.com:%s\n" % (dest, PASSWORD))
        subprocess.run(["postmap", "-c", etc, "hash:" + pwmap], check=True, timeout=30)
        subprocess.run(["postconf", "-c", etc, "-e", "virtual_alias_maps=", "default_transport=smtp",
                        "relay_transport=smtp", "relayhost=" + dest, "smtp_tls_security_level=encrypt",
                        "smtp_tls_mandatory_protocols=>=TLSv1,<=TLSv1", "smtp_tls_mandatory_ciphers=low",
                        "tls_low_cipherlist=DEFAULT:@SECLEVEL=0", "smtp_sasl_auth_enable=yes",
                        "smtp_sasl_password_maps=hash:" + pwmap, "smtp_sasl_security_options=noanonymous",
                        "smtp_sasl_mechanism_filter=login", "message_size_limit=20000000"],
                       check=True, timeout=30)
        subprocess.run(["postfix", "-c", etc, "reload"], check=True, timeout=30, capture_output=True)
        subprocess.run(["sendmail", "-C", etc, "-f", "scanner@sim.test", "desk@example.com"],
                       input=pdf_mail(five_mb_pdf()), check=True, timeout=60)
        lrc, j, err, secs = L.json()
    s = j["sessions"][0]
    assert s["ehlo"] == "mail.sim.test", s["ehlo"]
    assert s["tls"]["offered"]["max_version"] == "TLSv1.0" and s["tls"]["version"] == "TLSv1.0", s["tls"]
    a = s["auth"][0]
    assert (a["mechanism"], a["user"], a["password_length"]) == ("LOGIN", "scan@example.com", len(PASSWORD)), a
    m = s["messages"][0]
    assert m["mail_from"] == "scanner@sim.test" and re.match(r"SIZE=\d{7}", m["mail_params"]), m
    assert m["size"] > 5 * 1024 * 1024 and m["complete"], m["size"]
    pdfs = [p for p in m["parts"] if p["type"] == "application/pdf"]
    assert pdfs and pdfs[0]["decoded_bytes"] == 5 * 1024 * 1024, m["parts"]
    no_secret(json.dumps(j), err)


def t_relay_to_real_postfix():
    if not postfix_ok():
        print("  (skipped: needs root and postfix)")
        return
    from simworld import RealMTA
    certs = sim_certs()
    with RealMTA(os.path.join(TMP, "mta-up"), certs, password=PASSWORD) as mta:
        with Listener("--sessions", "1", "--relay", "127.0.0.1:%d" % mta.port, "--relay-cafile", mta.ca) as L:
            rc, out = swaks(L.port, "--tls", "--auth", "PLAIN", "--auth-user", mta.user,
                            "--auth-password", PASSWORD, "--from", mta.user, "--to", "inbox@sim.test")
            lrc, j, err, secs = L.json()
        msgs = mta.messages(wait=10)
    assert rc == 0, out[-2000:]
    s = j["sessions"][0]
    queued = [l for l in out.splitlines() if "queued as" in l][-1]
    assert queued.endswith(s["messages"][0]["data_reply"]), (queued, s["messages"][0])
    assert "Postfix" in " ".join(s["transcript"]) and "certificate verified" in s["upstream"]
    assert s["auth"][0]["reply"].startswith("235")
    assert msgs, "Postfix delivered nothing"
    no_secret(json.dumps(j), err, out)


def t_device_settings_vs_session():
    from printer import SimPrinter
    certs = sim_certs()
    with SimPrinter("brother", os.path.join(TMP, "printer"), certs,
                    smtp={"host": "10.0.0.5", "port": 587, "auth": "none", "user": "scan@x.test"}) as pr:
        peer = pr.snmp_peer
        with Listener("--sessions", "1", "--device", peer) as L:
            rc, out = swaks(L.port, "--tls", "--auth", "LOGIN", "--auth-user", "other@x.test",
                            "--auth-password", PASSWORD)
            lrc, j, err, secs = L.json()
    cmp = j["device"]["settings_vs_session"]
    assert any("set to 10.0.0.5, not this listener" in c for c in cmp), cmp
    assert any("set to no authentication, but it logged in (LOGIN)" in c for c in cmp), cmp
    assert any("login name is set to 'scan@x.test', but it sent 'other@x.test'" in c for c in cmp), cmp
    assert j["device"]["new_events"] == [] and "read %s before the sessions" % peer in err
    no_secret(json.dumps(j), err)


def t_concurrent_sessions():
    with Listener("--sessions", "3", "--tls", "none") as L:
        errs = []

        def one(i):
            try:
                with smtplib.SMTP("127.0.0.1", L.port, timeout=15) as c:
                    c.ehlo("printer-%d" % i)
                    time.sleep(0.3)   # all three are open at once
                    c.sendmail("p%d@example.com" % i, ["d@example.com"], "Subject: %d\r\n\r\nx\r\n" % i)
            except Exception as e:  # noqa: BLE001
                errs.append(e)
        ths = [threading.Thread(target=one, args=(i,)) for i in range(3)]
        for t in ths:
            t.start()
        for t in ths:
            t.join(30)
        lrc, j, err, secs = L.json()
    assert not errs, errs
    assert sorted(s["ehlo"] for s in j["sessions"]) == ["printer-0", "printer-1", "printer-2"]
    assert sorted(s["id"] for s in j["sessions"]) == [1, 2, 3] and lrc == 0


def main():
    if not shutil.which("swaks"):
        print("swaks missing: skipped")
        sys.exit(77)
    s = Suite()
    for name, fn in sorted((k, v) for k, v in globals().items() if k.startswith("t_")):
        s.check(name[2:], fn)
    shutil.rmtree(TMP, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
