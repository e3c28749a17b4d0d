"""test_hostile_smtp.py — `mfpdoctor smtp` against scripted misbehaving SMTP servers on loopback:
slow but live servers, servers that stop answering, never greet, keep challenging at AUTH, mix
reply codes, flood replies, echo the password, or put terminal escapes and bidi controls in their
banner. Every case asserts the note the user sees, the exit code and that the run ended inside
its bound. The servers are hand-written here (raw sockets, one thread per connection) because
the point is to break the protocol in ways a real server library never would."""
import base64
import json
import os
import shutil
import socket
import ssl
import tempfile
import threading
import time

from smtptest import Suite, run, run_json
from simworld import Certs

S = Suite()
TMP = tempfile.mkdtemp(prefix="mfpdoctor-hostile-")
CERTS = Certs(os.path.join(TMP, "certs"))
CERTDIR = os.path.join(TMP, "certs")
USER = "scanner@sim.test"
PASSWORD = "Hunter2-Secret!x"
PLAIN_BLOB = base64.b64encode(("\0%s\0%s" % (USER, PASSWORD)).encode()).decode()
PASSWORD_B64 = base64.b64encode(PASSWORD.encode()).decode()
SECRETS = [PASSWORD, PLAIN_BLOB, PASSWORD_B64]


class Conn:
    """One client connection: line I/O with a timeout, every received line recorded."""

    def __init__(self, sock, server):
        self.sock = sock
        self.server = server
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def readline(self, timeout=30):
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, OSError):
                return None
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        text = line.rstrip(b"\r").decode("utf-8", "replace")
        self.server.received.append(text)
        return text

    def starttls(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(CERTDIR, "server.pem"), os.path.join(CERTDIR, "server.key"))
        self.sock.settimeout(20)
        self.sock = ctx.wrap_socket(self.sock, server_side=True)


class Hostile:
    """A scripted server on 127.0.0.1:<free port>; script(conn) runs for each connection.
    implicit_tls wraps the socket in TLS before the script runs."""

    def __init__(self, script, implicit_tls=False):
        self.script = script
        self.implicit_tls = implicit_tls
        self.received = []
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.host, self.port = self.lsock.getsockname()
        self.stopped = False
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                s, _ = self.lsock.accept()
            except OSError:
                return
            self.conns.append(s)
            threading.Thread(target=self._serve, args=(s,), daemon=True).start()

    def _serve(self, s):
        c = Conn(s, self)
        try:
            if self.implicit_tls:
                c.starttls()
            self.script(c)
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            try:
                c.sock.close()
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stopped = True
        self.lsock.close()
        for s in self.conns:
            try:
                s.close()
            except OSError:
                pass


def hold(c, secs=60):
    """Keeps the connection open without a word (until the client leaves); reads and ignores
    whatever comes (a TLS ClientHello may contain a newline byte)."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        c.sock.settimeout(max(0.1, end - time.monotonic()))
        try:
            if not c.sock.recv(65536):
                return
        except socket.timeout:
            return


def dialogue(c, delay=0.0, banner="220 mail.sim.test ESMTP", ehlo=None, hooks=None, line_delay=0.0):
    """A well-behaved submission server, every reply after `delay` seconds (multi-line replies
    with `line_delay` between lines). hooks: {VERB: fn(conn, line) -> True when handled}."""
    hooks = hooks or {}
    ehlo = ehlo or ["250-mail.sim.test", "250-SIZE 10485760", "250-AUTH PLAIN LOGIN", "250 8BITMIME"]

    def reply(lines):
        time.sleep(delay)
        if isinstance(lines, str):
            lines = [lines]
        for i, l in enumerate(lines):
            if i and line_delay:
                time.sleep(line_delay)
            c.send(l + "\r\n")

    reply(banner)
    while True:
        line = c.readline(timeout=60)
        if line is None:
            return
        verb = line.split(" ", 1)[0].upper()
        if verb in hooks and hooks[verb](c, line):
            continue
        if verb == "EHLO":
            reply(ehlo)
        elif verb == "STARTTLS":
            reply("220 2.0.0 Ready to start TLS")
            c.starttls()
        elif verb == "HELO":
            reply("250 mail.sim.test")
        elif verb == "AUTH":
            parts = line.split(" ")
            if parts[1].upper() == "LOGIN":
                if len(parts) < 3:  # user name not sent with the command
                    reply("334 VXNlcm5hbWU6")
                    c.readline()
                reply("334 UGFzc3dvcmQ6")
                c.readline()
            reply("235 2.7.0 Authentication successful")
        elif verb == "MAIL":
            reply("250 2.1.0 Ok")
        elif verb == "RCPT":
            reply("250 2.1.5 Ok")
        elif verb == "QUIT":
            reply("221 2.0.0 Bye")
            return
        else:
            reply("502 5.5.2 Error: command not recognized")


def mfp(srv, *extra, tls="none", timeout=3, user=False, fmt="json", verbose=False, bound=None):
    args = ["smtp", "--server", "127.0.0.1", "--port", srv.port, "--tls", tls, "--timeout", timeout,
            "--from", USER, "--to", "inbox@sim.test", "--ehlo", "scanner1.sim.test", "--cafile",
            os.path.join(CERTDIR, "ca.pem")]
    env = None
    if user:
        args += ["--user", USER]
        env = {"MFPDOCTOR_SMTP_PASSWORD": PASSWORD}
    if verbose:
        args.append("--verbose")
    args += [str(a) for a in extra]
    if fmt == "json":
        rc, j, err, secs = run_json(args, env=env, timeout=(bound or 60) + 30)
        out = json.dumps(j, ensure_ascii=False)
    else:
        rc, out, err, secs = run(args + ["--format", fmt], env=env, timeout=(bound or 60) + 30)
        j = None
    if bound is not None:
        assert secs < bound, "took %.1f s, bound %s s" % (secs, bound)
    return rc, j, out, err, secs


def fids(j):
    return [f["id"] for f in j["findings"]]


def finding(j, fid):
    for f in j["findings"]:
        if f["id"] == fid:
            return f
    raise AssertionError("finding %s missing: %s" % (fid, fids(j)))


def all_text(j):
    return json.dumps(j, ensure_ascii=False)


# --- per-step timeout ---------------------------------------------------------------------
def slow_but_live_passes():
    """Each reply 1.6 s after the command, --timeout 3: the run passes (libcurl's connect timeout
    spanning every step used to fail it at EHLO)."""
    with Hostile(lambda c: dialogue(c, delay=1.6)) as srv:
        rc, j, out, err, secs = mfp(srv, timeout=3, bound=20)
        assert rc == 0, (rc, j["verdict"])
        assert j["verdict"]["ok"] and not j["verdict"]["step_timeout"], j["verdict"]
        assert secs > 4 * 1.6, secs  # it really waited for each slow step


def slow_starttls_login_passes():
    """Banner, EHLO, STARTTLS, EHLO, AUTH LOGIN (2 rounds), MAIL, RCPT: every reply after 1.6 s,
    --timeout 3, 13 s in all: passes (the libcurl connect timeout used to span all of them)."""
    ehlo = ["250-mail.sim.test", "250-STARTTLS", "250-AUTH LOGIN", "250 8BITMIME"]
    with Hostile(lambda c: dialogue(c, delay=1.6, ehlo=ehlo)) as srv:
        rc, j, out, err, secs = mfp(srv, "--auth", "login", tls="starttls", user=True, timeout=3, bound=30)
        assert rc == 0, (rc, j["verdict"], fids(j))
        assert j["tls"]["established"] and j["connection"]["tls_mode"] == "starttls", j["tls"]
        auth = [s for s in j["stages"] if s["stage"] == "auth"][0]
        assert auth["reply"]["code"] == 235 and auth["elapsed_ms"] > 3000, auth
        assert secs > 8 * 1.6, secs


def slow_lines_pass():
    """A 6-line EHLO reply, one line per 1.5 s (9 s in all) with --timeout 3: the limit runs from
    the last line received, not from the command."""
    ehlo = ["250-mail.sim.test", "250-SIZE 10485760", "250-PIPELINING", "250-8BITMIME", "250-DSN", "250 SMTPUTF8"]
    with Hostile(lambda c: dialogue(c, ehlo=ehlo, line_delay=1.5)) as srv:
        rc, j, out, err, secs = mfp(srv, "--stop-after", "tls", timeout=3, bound=25)
        assert rc == 0, (rc, j["verdict"])
        assert j["capabilities"]["before_tls"]["smtputf8"], j["capabilities"]
        assert secs > 7, secs


def step_never_answers(verb, note, stage):
    def body():
        def hook(c, line):
            hold(c)
            return True
        with Hostile(lambda c: dialogue(c, hooks={verb: hook})) as srv:
            rc, j, out, err, secs = mfp(srv, timeout=3, bound=9)
            v = j["verdict"]
            assert rc == 2, (rc, v)
            assert v["step_timeout"] and not v["budget_exhausted"], v
            assert v["failed_stage"] == stage, v
            assert note in v["error"], v["error"]
            assert secs >= 2.9, secs
            f = finding(j, "smtp-failed")
            assert "See the other findings" not in f["fix"], f
    body.__name__ = "no_reply_to_" + verb.lower()
    return body


def tcp_handshake_never_answered():
    """Implicit TLS to a port that accepts the TCP connection and never answers the ClientHello."""
    with Hostile(hold) as srv:
        rc, j, out, err, secs = mfp(srv, "--no-followups", tls="implicit", timeout=3, bound=8)
        v = j["verdict"]
        assert rc == 2, v
        assert v["failed_stage"] == "tls-handshake", v
        assert "no answer to the TLS handshake within 3 s" in v["error"], v


def tcp_connect_never_completes():
    """The TCP connection itself keeps the per-step limit: a listener whose accept queue is full
    drops the SYN, the connect hangs, and the run ends after --timeout naming the connection."""
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(0)
    port = lsock.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            f = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            f.setblocking(False)
            try:
                f.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            fillers.append(f)
        time.sleep(0.3)

        class Srv:
            pass
        srv = Srv()
        srv.port = port
        rc, j, out, err, secs = mfp(srv, timeout=3, bound=6)
        v = j["verdict"]
        assert rc == 2, v
        assert v["failed_stage"] == "connect" and v["step_timeout"], v
        assert "no TCP connection to 127.0.0.1 port %d within 3 s" % port in v["error"], v
        assert "connect-failed" in fids(j), fids(j)
        assert secs >= 2.9, secs
    finally:
        for f in fillers:
            f.close()
        lsock.close()


# --- budget -------------------------------------------------------------------------------
def budget_cut_is_not_tested():
    """A slow but live server and --budget 4: the run is cut mid-conversation; that is 'not
    tested' (exit 3), never a failure."""
    with Hostile(lambda c: dialogue(c, delay=1.6)) as srv:
        rc, j, out, err, secs = mfp(srv, "--budget", 4, timeout=3, bound=8)
        v = j["verdict"]
        assert rc == 3, (rc, v)
        assert j["status"] == "unknown", j["status"]
        assert v["budget_exhausted"] and not v["step_timeout"], v
        assert "not tested: the run's time budget ran out during" in v["error"], v
        f = finding(j, "smtp-not-tested")
        assert "--budget" in f["fix"], f
        assert "smtp-failed" not in fids(j) and "smtp-refused" not in fids(j), fids(j)
    with Hostile(lambda c: dialogue(c, delay=1.6)) as srv:
        rc, out, err, secs = run(["smtp", "--server", "127.0.0.1", "--port", srv.port, "--tls", "none", "--timeout", 3,
                                  "--budget", 4, "--from", USER, "--ehlo", "x.sim.test"], timeout=30)
        assert rc == 3 and "NOT TESTED" in out and "not tested: the run's time budget ran out during" in out, out


# --- misnamed causes ----------------------------------------------------------------------
def silent_banner():
    """Connects, never greets: the failure is the banner, the fix says what such a server usually
    is (proxy/antivirus, tarpit, another service, implicit-TLS port), never 'see the other findings'."""
    with Hostile(hold) as srv:
        rc, j, out, err, secs = mfp(srv, timeout=3, bound=12)
        v = j["verdict"]
        assert rc == 2, v
        assert v["failed_stage"] == "banner", v
        assert "sent no greeting (220) within 3 s" in v["error"], v
        f = finding(j, "smtp-failed")
        for word in ("proxy", "antivirus", "tarpit", "another service", "SSL/TLS"):
            assert word in f["fix"], (word, f["fix"])
        assert "other findings" not in all_text(j)


def implicit_tls_then_silence():
    """TLS completes, then no 220: the greeting failed, not the handshake."""
    with Hostile(hold, implicit_tls=True) as srv:
        rc, j, out, err, secs = mfp(srv, "--no-followups", tls="implicit", timeout=3, bound=8)
        v = j["verdict"]
        assert rc == 2, v
        assert v["failed_stage"] == "banner", v
        assert "TLS handshake completed, but the server sent no greeting (220) within 3 s" in v["error"], v
        assert j["tls"]["established"] is True, j["tls"]
        assert "no SMTP greeting followed" in finding(j, "smtp-failed")["fix"], finding(j, "smtp-failed")


def implicit_tls_then_close():
    """TLS completes, then the server hangs up without a greeting: again the banner's failure."""
    with Hostile(lambda c: time.sleep(0.3), implicit_tls=True) as srv:
        rc, j, out, err, secs = mfp(srv, "--no-followups", tls="implicit", timeout=3, bound=8)
        v = j["verdict"]
        assert rc == 2, v
        assert v["failed_stage"] == "banner", v


def auth_334_loop():
    """The server answers every AUTH line with another 334 (PLAIN and LOGIN): the login never
    finished, which is not 'a temporary failure'."""
    def auth(c, line):
        for _ in range(20):
            c.send("334 UGFzc3dvcmQ6\r\n")
            if c.readline() is None:
                return True
        c.send("535 5.7.8 giving up\r\n")
        return True
    for mech in ("plain", "login"):
        with Hostile(lambda c: dialogue(c, hooks={"AUTH": auth})) as srv:
            rc, j, out, err, secs = mfp(srv, "--auth", mech, user=True, timeout=3, bound=10)
            v = j["verdict"]
            assert rc == 2, (mech, v)
            assert "temporary" not in all_text(j).lower(), (mech, [f["fix"] for f in j["findings"]])
            assert v["failed_stage"] == "auth" and v["reply"]["code"] == 334, (mech, v)
            f = finding(j, "auth-challenge-loop")
            assert "kept asking for more (334)" in f["title"], f
            assert "authentication method" in f["fix"], f
            auth_stage = [s for s in j["stages"] if s["stage"] == "auth"][0]
            assert auth_stage["status"] == "failed", auth_stage


def mixed_codes_final_refusal():
    """'250-...' then '550 ...' to RCPT: the reply's code is the final line's (550), and the
    evidence says the codes disagree."""
    def rcpt(c, line):
        c.send("250-2.1.5 looks fine\r\n550 5.1.1 <inbox@sim.test>: Recipient address rejected\r\n")
        return True
    with Hostile(lambda c: dialogue(c, hooks={"RCPT": rcpt})) as srv:
        rc, j, out, err, secs = mfp(srv, timeout=3, bound=8)
        v = j["verdict"]
        assert rc == 2, v
        assert v["failed_stage"] == "rcpt-to" and v["reply"]["code"] == 550, v
        assert v["reply"]["mixed_codes"] and v["reply"]["first_code"] == 250, v["reply"]
        assert v["reply"]["enhanced"] == "5.1.1", v["reply"]
        f = finding(j, "smtp-refused")
        assert "550" in f["title"] and "different codes" in f["evidence"], f
        assert "reply-mixed-codes" not in fids(j), fids(j)  # said once, in the refusal


def mixed_codes_final_ok():
    """'550-...' then '250 ...' to MAIL: the conversation went on (the final line decides), so the
    test passes with a warning about the suspicious reply, not a failure."""
    def mail(c, line):
        c.send("550-5.7.1 you are blocked\r\n250 2.1.0 Ok\r\n")
        return True
    with Hostile(lambda c: dialogue(c, hooks={"MAIL": mail})) as srv:
        rc, j, out, err, secs = mfp(srv, timeout=3, bound=8)
        assert rc == 1, (rc, j["verdict"], fids(j))
        f = finding(j, "reply-mixed-codes")
        assert "550, then 250" in f["title"], f


# --- memory caps --------------------------------------------------------------------------
def long_reply_capped():
    """A 152-line EHLO reply: the first 100 lines are kept, with a visible note; the test goes on."""
    ehlo = ["250-mail.sim.test"] + ["250-X-FILLER-%05d" % i for i in range(150)] + ["250 8BITMIME"]
    with Hostile(lambda c: dialogue(c, ehlo=ehlo)) as srv:
        rc, j, out, err, secs = mfp(srv, "--stop-after", "tls", timeout=3, bound=8)
        assert rc == 1, (rc, j["verdict"])
        f = finding(j, "reply-oversized")
        assert f["severity"] == "warn" and "reply cut at 100 lines (52 more not kept)" in f["title"], f
        st = [s for s in j["stages"] if s["stage"] == "ehlo"][0]
        assert len(st["reply"]["lines"]) == 100 and st["reply"]["total_lines"] == 152, st["reply"]["total_lines"]
        assert st["reply"]["cut"] == "reply cut at 100 lines (52 more not kept)", st["reply"]["cut"]
        assert j["capabilities"]["before_tls"]["cut"] is True, j["capabilities"]


def flood_reply_stopped():
    """An EHLO reply of 10 000 lines (800 KB): the test stops reading, says why, bounded time and output."""
    ehlo = ["250-mail.sim.test"] + ["250-X-FILLER-%05d %s" % (i, "y" * 60) for i in range(10000)] + ["250 8BITMIME"]
    with Hostile(lambda c: dialogue(c, ehlo=ehlo)) as srv:
        rc, j, out, err, secs = mfp(srv, "--stop-after", "tls", timeout=3, bound=10)
        v = j["verdict"]
        assert rc == 2, (rc, v)
        assert v["failed_stage"] == "ehlo" and "too large" in v["error"], v
        f = finding(j, "reply-oversized")
        assert f["severity"] == "fail" and "too large to read" in f["title"], f
        assert "other findings" not in out and len(out) < 100000, len(out)
    with Hostile(lambda c: dialogue(c, ehlo=ehlo)) as srv:
        rc, _, text, err, secs = mfp(srv, "--stop-after", "tls", timeout=3, fmt="text", verbose=True, bound=10)
        assert rc == 2 and "too large" in text, text[-800:]
        assert len(text) < 300000, len(text)


def megabyte_line_stopped():
    """A 1 MB banner line without a break: stopped, noted, bounded time and output."""
    big = "220 " + "A" * (1024 * 1024)
    with Hostile(lambda c: dialogue(c, banner=big)) as srv:
        rc, j, out, err, secs = mfp(srv, "--stop-after", "connect", "--no-followups", timeout=3, bound=8)
        v = j["verdict"]
        assert rc == 2, (rc, v)
        assert v["failed_stage"] == "banner" and "too large" in v["error"], v
        assert "proxy" not in finding(j, "reply-oversized")["fix"]  # not the silent-server text
        assert len(out) < 100000, len(out)


# --- secrets ------------------------------------------------------------------------------
def assert_no_secret(outputs):
    for name, text in outputs.items():
        for sec in SECRETS:
            assert sec not in text, "secret %r in %s output" % (sec[:4] + "...", name)
        assert "[redacted]" in text, "nothing redacted in %s output (the server did echo)" % name


def echo_secret(reply_fn, name):
    def body():
        def auth(c, line):
            c.send(reply_fn(line) + "\r\n")
            return True
        outputs = {}
        for fmt in ("json", "text", "md"):
            with Hostile(lambda c: dialogue(c, hooks={"AUTH": auth})) as srv:
                rc, j, out, err, secs = mfp(srv, "--auth", "plain", user=True, fmt=fmt, verbose=fmt != "json",
                                            timeout=3, bound=10)
                assert rc == 2, (fmt, rc)
                outputs[fmt] = out + err
        assert_no_secret(outputs)
    body.__name__ = "server_echoes_" + name
    return body


def echo_after_login():
    """The login succeeds and the server echoes the password in its MAIL reply: the stages, the
    capabilities and the transcript never show it."""
    def mail(c, line):
        c.send("250 2.1.0 Ok, sender ok for password %s\r\n" % PASSWORD)
        return True
    with Hostile(lambda c: dialogue(c, hooks={"MAIL": mail},
                                    ehlo=["250-mail.sim.test", "250-X-ECHO %s" % PLAIN_BLOB, "250 AUTH PLAIN"])) as srv:
        rc, j, out, err, secs = mfp(srv, "--auth", "plain", user=True, timeout=3, bound=10)
        assert rc in (0, 1), (rc, j["verdict"])
        outs = {"json": out}
    with Hostile(lambda c: dialogue(c, hooks={"MAIL": mail},
                                    ehlo=["250-mail.sim.test", "250-X-ECHO %s" % PLAIN_BLOB, "250 AUTH PLAIN"])) as srv:
        rc, _, text, err, secs = mfp(srv, "--auth", "plain", user=True, fmt="text", verbose=True, timeout=3, bound=10)
        outs["text"] = text + err
    assert_no_secret(outs)


# --- hostile text -------------------------------------------------------------------------
def bidi_and_ansi_banner():
    """Bidi controls and ANSI escapes in the banner and the EHLO reply are stripped everywhere."""
    banner = "220 mail.sim.test\u202e\u2066 ESMTP \x1b[31mRED\x1b[0m \u200fok\u061c"
    ehlo = ["250-mail.sim.test \u202egreets\x1b]0;title\x07", "250 AUTH PLAIN"]
    bad = ["\u202e", "\u2066", "\u200f", "\u061c", "\x1b", "\x07"]
    for fmt in ("json", "text", "md"):
        with Hostile(lambda c: dialogue(c, banner=banner, ehlo=ehlo)) as srv:
            rc, j, out, err, secs = mfp(srv, "--stop-after", "tls", fmt=fmt, verbose=fmt != "json", timeout=3, bound=8)
            assert rc in (0, 1), (fmt, rc)
            text = out if fmt != "json" else json.dumps(j, ensure_ascii=False)
            for b in bad:
                assert b not in text, (fmt, repr(b))
            assert "ESMTP" in text


def budget_starved():
    """--budget 1 against a server that greets after 1.5 s: never CRITICAL."""
    with Hostile(lambda c: dialogue(c, delay=1.5)) as srv:
        rc, j, out, err, secs = mfp(srv, "--budget", 1, timeout=3, bound=5)
        assert rc == 3, (rc, j["verdict"])
        assert j["verdict"]["budget_exhausted"] and j["verdict"]["failed_stage"] == "banner", j["verdict"]


CASES = [
    slow_but_live_passes,
    slow_starttls_login_passes,
    slow_lines_pass,
    step_never_answers("EHLO", "no reply to EHLO within 3 s", "ehlo"),
    step_never_answers("MAIL", "no reply to MAIL FROM within 3 s", "mail-from"),
    step_never_answers("RCPT", "no reply to RCPT TO within 3 s", "rcpt-to"),
    tcp_handshake_never_answered,
    tcp_connect_never_completes,
    budget_cut_is_not_tested,
    budget_starved,
    silent_banner,
    implicit_tls_then_silence,
    implicit_tls_then_close,
    auth_334_loop,
    mixed_codes_final_refusal,
    mixed_codes_final_ok,
    long_reply_capped,
    flood_reply_stopped,
    megabyte_line_stopped,
    echo_secret(lambda line: "535 5.7.8 Authentication failed: password %s is wrong" % PASSWORD, "password"),
    echo_secret(lambda line: "535 5.7.8 Authentication failed for %s" % line.split(" ")[-1], "plain_blob"),
    echo_after_login,
    bidi_and_ansi_banner,
]

if __name__ == "__main__":
    only = os.environ.get("HOSTILE_ONLY")
    for case in CASES:
        if only and only not in case.__name__:
            continue
        S.check(case.__name__, case)
    shutil.rmtree(TMP, ignore_errors=True)
    S.finish()
