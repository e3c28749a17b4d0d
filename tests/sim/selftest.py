#!/usr/bin/python3
"""Self-test of the simulated SMTP world (tests/sim).

    /usr/bin/python3 tests/sim/selftest.py [-v] [-k SUBSTRING] [-j JOBS]

Starts every persona of personas.json and the real Postfix MTA, and checks
with swaks, Python's smtplib/ssl, a byte-exact raw client and openssl
s_client that each behaves as specified.  Exit status 0 = all passed.
The last line printed is always "N passed, M failed".
"""
import argparse
import base64
import concurrent.futures
import hashlib
import hmac
import os
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import simworld  # noqa: E402
import smtpsim   # noqa: E402
from simworld import Certs, Persona, RealMTA, RawSMTP, swaks_run, swaks_failure_lines  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)
PERSONAS = smtpsim.load_all()
TLS_PROTO = {"tlsv1": ssl.TLSVersion.TLSv1, "tlsv1_1": ssl.TLSVersion.TLSv1_1,
             "tlsv1_2": ssl.TLSVersion.TLSv1_2, "tlsv1_3": ssl.TLSVersion.TLSv1_3}


def proto_ctx(proto):
    """Client context like swaks --tls-protocol PROTO --tls-cipher DEFAULT:@SECLEVEL=0."""
    if not proto:
        return RawSMTP.insecure_context()
    v = TLS_PROTO[proto]
    return RawSMTP.insecure_context(v, v, "DEFAULT:@SECLEVEL=0")


class T:
    """Collects the checks of one test."""

    def __init__(self, name):
        self.name = name
        self.results = []

    def check(self, what, cond, detail=""):
        self.results.append((what, bool(cond), detail))
        return bool(cond)

    def eq(self, what, got, want):
        return self.check(what, got == want, "" if got == want else "got %r, want %r" % (got, want))


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


# --------------------------------------------------------------------------- helpers
def expected_lines(persona, lines):
    ctx = {"hostname": persona.get("hostname", "mail.sim.test"), "client_ip": "127.0.0.1"}
    ctx.update(persona.get("vars") or {})
    return [smtpsim.render(x, ctx) for x in lines]


def body_file(env, nbytes):
    path = os.path.join(env["tmp"], "body-%d.txt" % nbytes)
    if not os.path.exists(path):
        line = "A" * 76 + "\n"
        with open(path + ".tmp", "w") as f:
            f.write(line * (nbytes // len(line) + 1))
        os.replace(path + ".tmp", path)
    return path


def swaks_args(srv, client, env, password=None):
    a = ["--server", srv.host, "--port", str(srv.port),
         "--ehlo", client.get("ehlo", "client.sim.test"),
         "--from", client.get("from", srv.user), "--to", client.get("to", "inbox@sim.test")]
    tls = client.get("tls")
    if tls == "starttls":
        a.append("-tls")
    elif tls == "implicit":
        a.append("--tls-on-connect")
    if client.get("tls_protocol"):
        a += ["--tls-protocol", client["tls_protocol"], "--tls-cipher", "DEFAULT:@SECLEVEL=0"]
    if client.get("auth"):
        a += ["--auth", client["auth"], "--auth-user", srv.user,
              "--auth-password", password if password is not None else srv.password]
    if client.get("body_bytes"):
        a += ["--body", "@" + body_file(env, client["body_bytes"])]
    if client.get("timeout"):
        a += ["--timeout", str(client["timeout"])]
    return a


def b64(s):
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


def raw_run(srv, client, password=None, timeout=5.0, port=None):
    """Drive one session like swaks would; returns (stage, raw reply bytes) of the
    first 4xx/5xx reply, (stage, None) if the connection failed/closed/timed out
    there, or (None, None) when the message was accepted."""
    password = srv.password if password is None else password
    ctx = proto_ctx(client.get("tls_protocol"))
    bad = lambda r: r[:1] in (b"4", b"5")
    stage = "tls-handshake" if client.get("tls") == "implicit" else "banner"
    c = None
    try:
        c = RawSMTP(port or srv.port, implicit_tls=client.get("tls") == "implicit", ctx=ctx,
                    timeout=client.get("timeout", timeout), read_banner=False)
        stage = "banner"
        r = c.read_reply()
        if bad(r):
            return stage, r
        stage = "ehlo"
        r = c.cmd("EHLO " + client.get("ehlo", "client.sim.test"))
        if r[:3] in (b"500", b"502"):          # HELO fallback, as swaks and libcurl do
            r = c.cmd("HELO " + client.get("ehlo", "client.sim.test"))
        if bad(r):
            return stage, r
        if client.get("tls") == "starttls":
            stage = "starttls"
            r = c.cmd("STARTTLS")
            if bad(r):
                return stage, r
            stage = "tls-handshake"
            c._wrap(ctx)
            stage = "ehlo-after-tls"
            r = c.cmd("EHLO " + client.get("ehlo", "client.sim.test"))
            if bad(r):
                return stage, r
        if client.get("auth"):
            stage = "auth"
            mech = client["auth"]
            if mech == "PLAIN":
                r = c.cmd("AUTH PLAIN " + b64("\0%s\0%s" % (srv.user, password)))
            elif mech == "LOGIN":
                r = c.cmd("AUTH LOGIN")
                if r.startswith(b"334"):
                    r = c.cmd(b64(srv.user))
                if r.startswith(b"334"):
                    r = c.cmd(b64(password))
            elif mech == "CRAM-MD5":
                r = c.cmd("AUTH CRAM-MD5")
                if r.startswith(b"334"):
                    chal = base64.b64decode(r[4:].strip())
                    dig = hmac.new(password.encode(), chal, hashlib.md5).hexdigest()
                    r = c.cmd(b64("%s %s" % (srv.user, dig)))
            if bad(r):
                return stage, r
        stage = "mail-from"
        r = c.cmd("MAIL FROM:<%s>%s" % (client.get("from", srv.user),
                                         (" SIZE=%d" % client["size"]) if client.get("size") else ""))
        if bad(r):
            return stage, r
        stage = "rcpt-to"
        r = c.cmd("RCPT TO:<%s>" % client.get("to", "inbox@sim.test"))
        if bad(r):
            return stage, r
        stage = "data"
        r = c.cmd("DATA")
        if bad(r):
            return stage, r
        stage = "end-of-data"
        body = b"Subject: raw test\r\n\r\n"
        if client.get("body_bytes"):
            body += (b"A" * 76 + b"\r\n") * (client["body_bytes"] // 78 + 1)
        else:
            body += b"hello\r\n"
        c.send(body + b".\r\n")
        r = c.read_reply()
        if bad(r):
            return stage, r
        stage = "quit"
        c.cmd("QUIT")
        return None, None
    except (OSError, ssl.SSLError, ConnectionError):  # socket.timeout is an OSError
        return stage, None
    finally:
        if c is not None:
            c.close()


def ehlo_caps(raw):
    """EHLO reply bytes -> list of keyword lines (without the greeting line)."""
    lines = raw.decode().split("\r\n")[:-1]
    return [ln[4:] for ln in lines[1:]]


def openssl_sclient(port, extra, starttls=True, timeout=10):
    cmd = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port] + \
          (["-starttls", "smtp"] if starttls else []) + extra
    try:
        r = subprocess.run(cmd, input=b"QUIT\r\n", capture_output=True, timeout=timeout)
        return r.returncode, (r.stdout + r.stderr).decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return -1, ((e.stdout or b"") + (e.stderr or b"")).decode("utf-8", "replace")


def verifying_ctx(env, hostname_check=True):
    ctx = ssl.create_default_context(cafile=os.path.join(env["certs"], "ca.pem"))
    ctx.check_hostname = hostname_check
    return ctx


def tls_verify_error(port, env, server_hostname="localhost", starttls=True):
    """Connect with a verifying client; returns None if OK else the SSL error text."""
    try:
        c = RawSMTP(port, implicit_tls=not starttls, ctx=verifying_ctx(env),
                    server_hostname=server_hostname, read_banner=starttls)
        try:
            if starttls:
                c.cmd("EHLO client.sim.test")
                c.starttls(verifying_ctx(env))
            return None
        finally:
            c.close()
    except ssl.SSLCertVerificationError as e:
        return "%s" % (e.verify_message or e)
    except ssl.SSLError as e:
        return "%s" % e


# --------------------------------------------------------------------------- generic vectors
def make_vector_test(name):
    def fn(t, env):
        p = PERSONAS[name]
        exp = p["expect"]
        client = exp.get("client", {})
        want = expected_lines(p, exp["reply"]) if exp.get("reply") else None
        with Persona(name, env["certs"]) as srv:
            code, stage, rc, enh, out = swaks_run(swaks_args(srv, client, env))
            ok = t.eq("swaks stage", stage, exp["stage"])
            if want:
                t.eq("swaks failing reply lines", swaks_failure_lines(out), want)
                t.eq("swaks reply code", rc, int(want[0][:3]))
                m = re.match(r"^\d{3}[ -]([245]\.\d+\.\d+)", want[0])
                t.eq("swaks enhanced code", enh, m.group(1) if m else None)
            elif exp["stage"] is not None:
                t.eq("no reply code (connection/TLS/timeout failure)", rc, None)
            if not ok:
                t.check("swaks transcript", False, out[-1500:])
            rstage, raw = raw_run(srv, client)
            t.eq("raw client stage", rstage, exp["stage"])
            if want:
                t.eq("raw reply bytes", raw, ("\r\n".join(want) + "\r\n").encode())
        if exp["stage"] is None:
            t.check("session log has the DATA exchange", any("C: <message data:" in ln for ln in srv.log_lines()))
    fn.__name__ = "vector[%s]" % name
    return fn


for _n, _p in PERSONAS.items():
    if not _p.get("abstract") and _p.get("expect"):
        TESTS.append(make_vector_test(_n))


# --------------------------------------------------------------------------- certs
@test
def certs(t, env):
    d = env["certs"]
    for n in Certs.NAMES:
        t.check("%s.pem/.key exist" % n, os.path.getsize(os.path.join(d, n + ".pem")) > 0
                and os.path.getsize(os.path.join(d, n + ".key")) > 0)
    mt = os.path.getmtime(os.path.join(d, "server.pem"))
    t0 = time.monotonic()
    Certs(d)
    dt = time.monotonic() - t0
    t.check("idempotent re-run is fast (%.2fs) and keeps files" % dt,
            dt < 15 and os.path.getmtime(os.path.join(d, "server.pem")) == mt)
    ca = os.path.join(d, "ca.pem")

    def verify(name, *extra):
        r = subprocess.run(["openssl", "verify", "-CAfile", ca] + list(extra) + [os.path.join(d, name + ".pem")],
                           capture_output=True, text=True)
        return r.returncode, r.stdout + r.stderr
    rc, out = verify("server", "-verify_hostname", "localhost")
    t.eq("server.pem verifies for localhost", rc, 0)
    t.eq("server.pem verifies for mail.sim.test", verify("server", "-verify_hostname", "mail.sim.test")[0], 0)
    t.eq("server.pem verifies for IP 127.0.0.1", verify("server", "-verify_ip", "127.0.0.1")[0], 0)
    rc, out = verify("expired")
    t.check("expired.pem: 'certificate has expired'", rc != 0 and "certificate has expired" in out, out)
    r = subprocess.run(["openssl", "x509", "-noout", "-checkend", "0", "-in", os.path.join(d, "expired.pem")],
                       capture_output=True, text=True)
    t.check("expired.pem notAfter is in the past", r.returncode != 0, r.stdout)
    rc, out = verify("expired", "-attime", str(int(time.time()) - 500 * 86400))
    t.eq("expired.pem is CA-signed (valid at a past time)", rc, 0)
    t.eq("wrongname.pem chains to the CA", verify("wrongname")[0], 0)
    rc, out = verify("wrongname", "-verify_hostname", "localhost")
    t.check("wrongname.pem fails hostname localhost", rc != 0 and "hostname mismatch" in out, out)
    san = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in",
                          os.path.join(d, "wrongname.pem")], capture_output=True, text=True).stdout
    t.check("wrongname SAN is only DNS:other.example.net",
            "DNS:other.example.net" in san and "localhost" not in san and "127.0.0.1" not in san, san)
    rc, out = verify("selfsigned")
    t.check("selfsigned.pem is not CA-signed", rc != 0 and "self-signed" in out, out)


# --------------------------------------------------------------------------- personas: specifics
@test
def open_persona(t, env):
    save = os.path.join(env["tmp"], "open-msgs")
    with Persona("open", env["certs"], save_dir=save) as srv:
        with RawSMTP(srv.port) as c:
            t.eq("banner bytes", c.banner, b"220 mail.sim.test ESMTP smtpsim\r\n")
            caps = ehlo_caps(c.cmd("EHLO client.sim.test"))
            t.check("no STARTTLS, no AUTH offered", "STARTTLS" not in caps and not any(x.startswith("AUTH") for x in caps), caps)
            # pipelining: three commands in one write, replies in order
            c.send(b"MAIL FROM:<a@sim.test>\r\nRCPT TO:<b@external.example>\r\nDATA\r\n")
            rs = [c.read_reply() for _ in range(3)]
            t.eq("pipelined replies", [r[:3] for r in rs], [b"250", b"250", b"354"])
            c.send(b"Subject: hi\r\n\r\n..dot-stuffed line\r\nbody\r\n.\r\n")
            t.check("message accepted", c.read_reply().startswith(b"250 2.0.0 Ok: queued as "))
            t.eq("AUTH not available", c.cmd("AUTH PLAIN AGEAYg==")[:3], b"503")
            t.eq("QUIT", c.cmd("QUIT"), b"221 2.0.0 Bye\r\n")
        msgs = srv.messages()
        t.check("message saved, dot-unstuffed", len(msgs) == 1 and b"\r\n.dot-stuffed line\r\n" in msgs[0], msgs)
        cmds = srv.commands()
        t.check("commands logged", "MAIL FROM:<a@sim.test>" in cmds and "RCPT TO:<b@external.example>" in cmds, cmds)
        # open accepts every recipient via smtplib too
        with smtplib.SMTP(srv.host, srv.port, timeout=5) as s:
            refused = s.sendmail("x@sim.test", ["y@anywhere.example"], "Subject: s\r\n\r\nx\r\n")
            t.eq("smtplib sendmail accepted", refused, {})


@test
def submission(t, env):
    with Persona("submission", env["certs"], password="Corr3ct-Horse") as srv:
        with RawSMTP(srv.port) as c:
            pre = ehlo_caps(c.cmd("EHLO client.sim.test"))
            t.check("pre-TLS caps: STARTTLS + SIZE, no AUTH",
                    "STARTTLS" in pre and "SIZE 10485760" in pre and not any(x.startswith("AUTH") for x in pre), pre)
            t.eq("AUTH before TLS refused", c.cmd("AUTH PLAIN " + b64("\0%s\0%s" % (srv.user, srv.password))),
                 b"503 5.5.1 Error: authentication not enabled\r\n")
            t.eq("MAIL before TLS refused", c.cmd("MAIL FROM:<a@sim.test>"),
                 b"530 5.7.0 Must issue a STARTTLS command first\r\n")
            t.eq("STARTTLS", c.starttls(), b"220 2.0.0 Ready to start TLS\r\n")
            post = ehlo_caps(c.cmd("EHLO client.sim.test"))
            t.check("post-TLS caps: AUTH PLAIN LOGIN CRAM-MD5, no STARTTLS",
                    "AUTH PLAIN LOGIN CRAM-MD5" in post and "STARTTLS" not in post, post)
            t.eq("MAIL without AUTH refused", c.cmd("MAIL FROM:<a@sim.test>"), b"530 5.7.0 Authentication required\r\n")
            t.eq("AUTH PLAIN ok", c.cmd("AUTH PLAIN " + b64("\0%s\0%s" % (srv.user, srv.password))),
                 b"235 2.7.0 Authentication successful\r\n")
            t.eq("SIZE= over the limit at MAIL", c.cmd("MAIL FROM:<a@sim.test> SIZE=10485761"),
                 b"552 5.3.4 Message size exceeds fixed limit\r\n")
            t.eq("SIZE= at the limit accepted", c.cmd("MAIL FROM:<a@sim.test> SIZE=10485760"), b"250 2.1.0 Ok\r\n")
        for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
            code, stage, rc, enh, out = swaks_run(swaks_args(srv, {"tls": "starttls", "auth": mech}, env))
            t.check("swaks AUTH %s right password -> delivered" % mech, code == 0 and stage is None, out[-600:])
            code, stage, rc, enh, out = swaks_run(swaks_args(srv, {"tls": "starttls", "auth": mech}, env, password="wrong"))
            t.eq("swaks AUTH %s wrong password -> (auth, 535, 5.7.8)" % mech, (code, stage, rc, enh), (28, "auth", 535, "5.7.8"))
        for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
            t.eq("raw AUTH %s right password" % mech, raw_run(srv, {"tls": "starttls", "auth": mech}), (None, None))
            st, raw = raw_run(srv, {"tls": "starttls", "auth": mech}, password="nope")
            t.eq("raw AUTH %s wrong password" % mech, (st, raw),
                 ("auth", b"535 5.7.8 Error: authentication failed: authentication failure\r\n"))
        # smtplib: STARTTLS + login + 11 MB of data -> 552 at end of data
        big = "Subject: big\r\n\r\n" + ("B" * 998 + "\r\n") * 10500
        try:
            with smtplib.SMTP(srv.host, srv.port, timeout=10) as s:
                s.starttls(context=RawSMTP.insecure_context())
                s.login(srv.user, srv.password)
                s.mail(srv.user)            # no SIZE= on purpose: the limit must bite on the data
                s.rcpt("inbox@sim.test")
                code, msg = s.data(big)
                raise smtplib.SMTPDataError(code, msg)
        except smtplib.SMTPDataError as e:
            t.eq("data over 10485760 bytes -> 552 at end-of-data", (e.smtp_code, e.smtp_error),
                 (552, b"5.3.4 Message size exceeds fixed limit"))
        log = "\n".join(srv.log_lines())
        t.check("password never logged", srv.password not in log and b64(srv.password) not in log)
        t.check("AUTH payload redacted", "AUTH PLAIN [payload redacted]" in log and
                b64("\0%s\0%s" % (srv.user, srv.password)) not in log and "[auth continuation redacted]" in log)
        t.check("auth results logged", "*: auth PLAIN ok" in log and "*: auth CRAM-MD5 failed" in log)


@test
def implicit_tls(t, env):
    with Persona("implicit", env["certs"]) as srv:
        # plaintext client: the server waits for a ClientHello and never sends a banner
        s = socket.create_connection((srv.host, srv.port), timeout=1)
        try:
            s.recv(100)
            t.check("no plaintext banner on implicit TLS", False)
        except socket.timeout:
            t.check("no plaintext banner on implicit TLS", True)
        finally:
            s.close()
        with RawSMTP(srv.port, implicit_tls=True) as c:
            t.eq("TLS banner", c.banner, b"220 mail.sim.test ESMTP smtpsim\r\n")
            caps = ehlo_caps(c.cmd("EHLO client.sim.test"))
            t.check("AUTH offered at once, no STARTTLS", "AUTH PLAIN LOGIN CRAM-MD5" in caps and "STARTTLS" not in caps, caps)
            t.eq("STARTTLS refused", c.cmd("STARTTLS")[:3], b"502")
        t.eq("verifying client OK (localhost)", tls_verify_error(srv.port, env, starttls=False), None)
        with smtplib.SMTP_SSL(srv.host, srv.port, timeout=5, context=verifying_ctx(env, False)) as s:
            s.login(srv.user, srv.password)
            t.eq("smtplib SMTP_SSL login+send", s.sendmail(srv.user, ["inbox@sim.test"], "Subject: x\r\n\r\nx\r\n"), {})


@test
def tls_versions(t, env):
    V = ssl.TLSVersion
    def try_version(port, vmin, vmax, ciphers="DEFAULT:@SECLEVEL=0"):
        try:
            c = RawSMTP(port)
            try:
                c.cmd("EHLO client.sim.test")
                c.starttls(RawSMTP.insecure_context(vmin, vmax, ciphers))
                return c.tls_version
            finally:
                c.close()
        except (ssl.SSLError, OSError):
            return "error"
    with Persona("tls12-only", env["certs"]) as srv:
        t.eq("tls12-only: TLS 1.0 client refused", try_version(srv.port, V.TLSv1, V.TLSv1), "error")
        t.eq("tls12-only: TLS 1.1 client refused", try_version(srv.port, V.TLSv1_1, V.TLSv1_1), "error")
        t.eq("tls12-only: TLS 1.2 client ok", try_version(srv.port, V.TLSv1_2, V.TLSv1_2), "TLSv1.2")
        t.eq("tls12-only: TLS 1.3-only client refused", try_version(srv.port, V.TLSv1_3, V.TLSv1_3), "error")
        t.eq("tls12-only: default client gets TLS 1.2", try_version(srv.port, None, None, None), "TLSv1.2")
        rc, out = openssl_sclient(srv.port, ["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"])
        t.check("tls12-only: openssl s_client -tls1 fails",
                not re.search(r"New, TLSv1(\.0)?, Cipher is [A-Z]", out) and "Cipher is (NONE)" in out, out[-400:])
    with Persona("legacy-tls10", env["certs"]) as srv:
        rc, out = openssl_sclient(srv.port, ["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"])
        t.check("legacy-tls10: openssl s_client -tls1 negotiates TLSv1",
                re.search(r"New, TLSv1(\.0)?, Cipher is [A-Z]", out) and re.search(r"Protocol\s*:\s*TLSv1\n", out), out[-600:])
        t.eq("legacy-tls10: python TLS 1.0 client", try_version(srv.port, V.TLSv1, V.TLSv1), "TLSv1")
        t.eq("legacy-tls10: TLS 1.1 client", try_version(srv.port, V.TLSv1_1, V.TLSv1_1), "TLSv1.1")
        t.eq("legacy-tls10: modern client gets TLS 1.3", try_version(srv.port, None, None, None), "TLSv1.3")
        st = raw_run(srv, {"tls": "starttls", "auth": "LOGIN", "tls_protocol": "tlsv1"})
        t.eq("legacy-tls10: AUTH + send over TLS 1.0", st, (None, None))
        t.check("legacy-tls10: server log shows TLSv1", any("TLS established TLSv1 " in ln for ln in srv.log_lines()))
    with Persona("tls10-only", env["certs"]) as srv:
        t.eq("tls10-only: TLS 1.0 client ok", try_version(srv.port, V.TLSv1, V.TLSv1), "TLSv1")
        t.eq("tls10-only: default client (SECLEVEL 2) fails", try_version(srv.port, None, None, None), "error")
        t.eq("tls10-only: client requiring TLS >= 1.2 fails", try_version(srv.port, V.TLSv1_2, None, None), "error")
        t.check("tls10-only: handshake failure logged", any("TLS handshake failed" in ln for ln in srv.log_lines()))


@test
def certificates_on_the_wire(t, env):
    with Persona("submission", env["certs"]) as srv:
        for host in ("localhost", "mail.sim.test", "127.0.0.1"):
            t.eq("good cert verifies as %s" % host, tls_verify_error(srv.port, env, host), None)
    with Persona("expired-cert", env["certs"]) as srv:
        err = tls_verify_error(srv.port, env)
        t.check("expired-cert: verifying client fails 'certificate has expired'", err and "expired" in err, err)
        rc, out = openssl_sclient(srv.port, ["-CAfile", os.path.join(env["certs"], "ca.pem"), "-verify_return_error"])
        t.check("expired-cert: openssl s_client verify error 10 (expired)", "certificate has expired" in out, out[-500:])
    with Persona("wrong-name-cert", env["certs"]) as srv:
        err = tls_verify_error(srv.port, env)
        t.check("wrong-name-cert: hostname mismatch", err and "mismatch" in err.lower(), err)
        err = tls_verify_error(srv.port, env, "127.0.0.1")
        t.check("wrong-name-cert: IP mismatch", err and "mismatch" in err.lower(), err)
        c = RawSMTP(srv.port)
        try:
            c.cmd("EHLO x.sim.test")
            c.starttls(verifying_ctx(env, hostname_check=False))
            t.check("wrong-name-cert: chain itself is valid (CA-signed)", c.tls_version is not None)
        finally:
            c.close()
        t.eq("wrong-name-cert: verifies as other.example.net", tls_verify_error(srv.port, env, "other.example.net"), None)
    with Persona("self-signed", env["certs"]) as srv:
        err = tls_verify_error(srv.port, env)
        t.check("self-signed: verifying client fails 'self-signed certificate'", err and "self-signed" in err, err)


@test
def m365_family(t, env):
    banner_re = re.compile(rb"^220 SN4PR0201CA0045\.outlook\.office365\.com Microsoft ESMTP MAIL Service ready at "
                           rb"\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000 \[08DE2A6028D26C22\]\r\n$")
    with Persona("m365", env["certs"]) as srv:
        with RawSMTP(srv.port) as c:
            t.check("M365 banner format", banner_re.match(c.banner), c.banner)
            r = c.cmd("EHLO client.sim.test")
            t.check("M365 EHLO greeting", r.startswith(b"250-SN4PR0201CA0045.outlook.office365.com Hello [127.0.0.1]\r\n"), r)
            pre = ehlo_caps(r)
            t.eq("M365 EHLO before TLS", pre, ["SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS",
                                               "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"])
            t.eq("M365 STARTTLS reply", c.starttls(), b"220 2.0.0 SMTP server ready\r\n")
            t.eq("M365 negotiated TLS 1.2+", c.tls_version in ("TLSv1.2", "TLSv1.3"), True)
            post = ehlo_caps(c.cmd("EHLO client.sim.test"))
            t.eq("M365 EHLO after TLS", post, ["SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES",
                                               "AUTH LOGIN XOAUTH2", "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"])
            t.eq("M365 AUTH PLAIN not offered", c.cmd("AUTH PLAIN AGEAYg==")[:9], b"504 5.7.4")
            t.eq("M365 XOAUTH2 (token = password) ok",
                 c.cmd("AUTH XOAUTH2 " + b64("user=%s\x01auth=Bearer %s\x01\x01" % (srv.user, srv.password))),
                 b"235 2.7.0 Authentication successful\r\n")
            t.eq("M365 MAIL", c.cmd("MAIL FROM:<%s>" % srv.user), b"250 2.1.0 Sender OK\r\n")
            t.eq("M365 RCPT", c.cmd("RCPT TO:<x@sim.test>"), b"250 2.1.5 Recipient OK\r\n")
            t.eq("M365 DATA", c.cmd("DATA"), b"354 Start mail input; end with <CRLF>.<CRLF>\r\n")
        t.eq("m365: AUTH LOGIN right password -> accepted", raw_run(srv, {"tls": "starttls", "auth": "LOGIN"}), (None, None))
        st, raw = raw_run(srv, {"tls": "starttls", "auth": "LOGIN"}, password="bad")
        t.eq("m365: wrong password -> 535 5.7.3",
             (st, raw), ("auth", b"535 5.7.3 Authentication unsuccessful [SN4PR0201CA0045.namprd02.prod.outlook.com]\r\n"))
        st, raw = raw_run(srv, {"tls": "starttls"})
        t.check("m365: no AUTH -> 530 5.7.57 at MAIL", st == "mail-from" and raw.startswith(b"530 5.7.57 "), raw)
    with Persona("m365-basic-retired", env["certs"]) as srv:
        with RawSMTP(srv.port) as c:
            c.cmd("EHLO c.sim.test"); c.starttls(); c.cmd("EHLO c.sim.test")
            t.eq("m365-basic-retired: XOAUTH2 still works",
                 c.cmd("AUTH XOAUTH2 " + b64("user=%s\x01auth=Bearer %s\x01\x01" % (srv.user, srv.password)))[:3], b"235")
    with Persona("m365-legacy-tls", env["certs"]) as srv:
        t.eq("m365-legacy-tls: TLS 1.2 client -> normal session with AUTH",
             raw_run(srv, {"tls": "starttls", "auth": "LOGIN"}), (None, None))
        rc, out = openssl_sclient(srv.port, ["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0", "-crlf", "-ign_eof"], timeout=10)
        t.check("m365-legacy-tls: TLS 1.0 handshake really succeeds",
                re.search(r"New, TLSv1(\.0)?, Cipher is [A-Z]", out), out[-400:])
    with Persona("m365-sendas-strict", env["certs"]) as srv:
        t.eq("m365-sendas-strict: From == user accepted",
             raw_run(srv, {"tls": "starttls", "auth": "LOGIN"}), (None, None))


@test
def gmail_family(t, env):
    with Persona("gmail", env["certs"]) as srv:
        with RawSMTP(srv.port) as c:
            t.eq("Gmail banner", c.banner, b"220 smtp.gmail.com ESMTP a640c23a62f3a-ab67b6ecd3esm1234567a66.81 - gsmtp\r\n")
            r = c.cmd("EHLO client.sim.test")
            t.eq("Gmail EHLO before TLS", r, b"250-smtp.gmail.com at your service, [127.0.0.1]\r\n250-SIZE 35882577\r\n"
                 b"250-8BITMIME\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n")
            c.starttls()
            post = ehlo_caps(c.cmd("EHLO client.sim.test"))
            t.check("Gmail AUTH line after TLS", "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH" in post, post)
            t.eq("Gmail AUTH ok", c.cmd("AUTH PLAIN " + b64("\0%s\0%s" % (srv.user, srv.password))), b"235 2.7.0 Accepted\r\n")
            # BDAT (CHUNKING is advertised)
            c.cmd("MAIL FROM:<%s>" % srv.user); c.cmd("RCPT TO:<x@sim.test>")
            chunk = b"Subject: x\r\n\r\nhello\r\n"
            c.send(b"BDAT %d\r\n" % len(chunk) + chunk)
            t.eq("BDAT chunk", c.read_reply(), b"250 2.0.0 %d octets received\r\n" % len(chunk))
            c.send(b"BDAT 0 LAST\r\n")
            t.check("BDAT LAST accepted", c.read_reply().startswith(b"250 2.0.0 OK  "))
        st, raw = raw_run(srv, {"tls": "starttls", "auth": "PLAIN"}, password="bad")
        t.eq("gmail: wrong password -> multi-line 535-5.7.8 (exact bytes)", (st, raw),
             ("auth", b"535-5.7.8 Username and Password not accepted. Learn more at\r\n"
                      b"535 5.7.8 https://support.google.com/mail/?p=BadCredentials a640c23a62f3a-ab67b6ecd3esm1234567a66.81 - gsmtp\r\n"))
        code, stage, rc, enh, out = swaks_run(swaks_args(srv, {"tls": "starttls", "auth": "PLAIN"}, env, password="bad"))
        t.eq("gmail: swaks sees (auth, 535, 5.7.8)", (stage, rc, enh), ("auth", 535, "5.7.8"))
    with Persona("gmail-starttls-first", env["certs"]) as srv:
        t.eq("gmail-starttls-first: with STARTTLS + AUTH it works",
             raw_run(srv, {"tls": "starttls", "auth": "LOGIN"}), (None, None))
        with RawSMTP(srv.port) as c:
            c.cmd("EHLO c.sim.test")
            t.eq("gmail-starttls-first: AUTH in plaintext -> 530 5.7.0 without a 334",
                 c.cmd("AUTH LOGIN")[:10], b"530 5.7.0 ")


@test
def relay_personas(t, env):
    with Persona("postfix-relay-denied", env["certs"]) as srv:
        t.eq("postfix-relay-denied: local recipient accepted", raw_run(srv, {"to": "inbox@sim.test"}), (None, None))
        with RawSMTP(srv.port) as c:
            t.eq("Postfix banner", c.banner, b"220 mail.sim.test ESMTP Postfix (Debian/GNU)\r\n")
            c.cmd("EHLO c.sim.test"); c.cmd("MAIL FROM:<a@sim.test>")
            t.eq("second external recipient also denied", c.cmd("RCPT TO:<boss@corp.example.com>"),
                 b"554 5.7.1 <boss@corp.example.com>: Relay access denied\r\n")
    with Persona("exchange-relay-54", env["certs"]) as srv:
        t.eq("exchange-relay-54: local recipient accepted", raw_run(srv, {"to": "inbox@sim.test"}), (None, None))


@test
def size_5mb(t, env):
    with Persona("size-5mb", env["certs"]) as srv:
        with RawSMTP(srv.port) as c:
            caps = ehlo_caps(c.cmd("EHLO c.sim.test"))
            t.check("SIZE 5242880 advertised", "SIZE 5242880" in caps, caps)
        st = raw_run(srv, {"size": 6000000})
        t.eq("SIZE=6000000 -> 552 at mail-from", st,
             ("mail-from", b"552 5.3.4 Message size exceeds fixed maximum message size\r\n"))
        t.eq("SIZE=5242880 + small data accepted", raw_run(srv, {"size": 5242880}), (None, None))
        t.eq("1 MB of data accepted", raw_run(srv, {"body_bytes": 1000000}), (None, None))
        try:
            with smtplib.SMTP(srv.host, srv.port, timeout=10) as s:
                s.sendmail("a@sim.test", ["b@sim.test"], "Subject: x\r\n\r\n" + "C" * 76 * 70000)
            t.check("smtplib big message refused", False)
        except smtplib.SMTPSenderRefused as e:
            t.eq("smtplib (declares SIZE=) refused at MAIL with 552", e.smtp_code, 552)


@test
def ehlo_personas(t, env):
    with Persona("fqdn-required", env["certs"]) as srv:
        t.eq("fqdn-required: dotted EHLO name accepted", raw_run(srv, {"ehlo": "scanner.corp.example"}), (None, None))
        with RawSMTP(srv.port) as c:
            t.eq("fqdn-required: HELO without dot",
                 c.cmd("HELO printer"), b"504 5.5.2 <printer>: Helo command rejected: need fully-qualified hostname\r\n")
            t.eq("fqdn-required: address literal accepted", c.cmd("HELO [127.0.0.1]")[:3], b"250")
    with Persona("no-ehlo", env["certs"]) as srv:
        with smtplib.SMTP(srv.host, srv.port, timeout=5) as s:
            t.eq("no-ehlo: smtplib falls back to HELO and sends", s.sendmail("a@sim.test", ["b@sim.test"], "Subject: x\r\n\r\nx\r\n"), {})
        cmds = srv.commands()
        t.check("no-ehlo: log shows EHLO then HELO", any(c.upper().startswith("EHLO") for c in cmds) and any(c.upper().startswith("HELO") for c in cmds), cmds)
        with RawSMTP(srv.port) as c:
            t.eq("no-ehlo: EHLO refused", c.cmd("EHLO c.sim.test"), b"502 5.5.2 Error: command not recognized\r\n")
            t.eq("no-ehlo: HELO reply", c.cmd("HELO c.sim.test"), b"250 mail.sim.test\r\n")
        code, stage, rc, enh, out = swaks_run(swaks_args(srv, {}, env))
        t.check("no-ehlo: swaks shows the 502 to EHLO, then succeeds via HELO",
                code == 0 and "<** 502 5.5.2 Error: command not recognized" in out and " -> HELO client.sim.test" in out, out[-800:])


@test
def silent_and_closing(t, env):
    with Persona("silent", env["certs"]) as srv:
        t0 = time.monotonic()
        st = raw_run(srv, {"timeout": 1.5})
        t.eq("silent: no banner within 1.5 s", st, ("banner", None))
        t.check("silent: raw client waited ~1.5 s", 1.3 < time.monotonic() - t0 < 5)
        s = socket.create_connection((srv.host, srv.port), timeout=1)
        s.sendall(b"EHLO early.sim.test\r\n")
        try:
            t.check("silent: does not answer commands either", s.recv(10) == b"")
        except socket.timeout:
            t.check("silent: does not answer commands either", True)
        s.close()
        time.sleep(0.2)
        t.check("silent: logged what the client sent", "EHLO early.sim.test" in srv.commands(), srv.log_lines())
    with Persona("banner-reject", env["certs"]) as srv:
        with RawSMTP(srv.port) as c:
            t.eq("banner-reject: EHLO after 554 refused", c.cmd("EHLO c.sim.test")[:3], b"503")
            t.eq("banner-reject: QUIT answered", c.cmd("QUIT"), b"221 2.0.0 Bye\r\n")
    with Persona("drop-at-mail", env["certs"]) as srv:
        with RawSMTP(srv.port) as c:
            c.cmd("EHLO c.sim.test")
            try:
                c.cmd("MAIL FROM:<a@sim.test>")
                t.check("drop-at-mail: connection closed without reply", False)
            except ConnectionError:
                t.check("drop-at-mail: connection closed without reply", True)


@test
def server_lifecycle(t, env):
    # fixed --port, SIGTERM exit status, no leftover process, ready file semantics
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    with Persona("open", env["certs"], port=port) as srv:
        t.eq("--port N honoured", srv.port, port)
        with RawSMTP(srv.port) as c:
            c.cmd("EHLO c.sim.test")
            proc = srv.proc
            t0 = time.monotonic()
            proc.send_signal(15)
            rc = proc.wait(timeout=5)
            t.eq("SIGTERM -> exit status 0", rc, 0)
            t.check("SIGTERM handled quickly", time.monotonic() - t0 < 3)
            try:
                r = c.read_reply()
                t.check("idle session told 421 on shutdown", r.startswith(b"421 4.3.2 "), r)
            except ConnectionError:
                t.check("idle session told 421 on shutdown", False, "closed without 421")
        t.check("log says stopped", any(ln.endswith("*: stopped") for ln in srv.log_lines()))
    # bad persona name fails loudly
    try:
        with Persona("no-such-persona", env["certs"]):
            t.check("unknown persona raises SimError", False)
    except simworld.SimError as e:
        t.check("unknown persona raises SimError", "no-such-persona" in str(e) or "must be one of" in str(e), str(e))
    # CLI without simworld: ready file only once listening, port inside it
    d = tempfile.mkdtemp(dir=env["tmp"])
    rf = os.path.join(d, "ready")
    p = subprocess.Popen([simworld.PY, simworld.SMTPSIM, "--persona", "open", "--ready-file", rf,
                          "--log", os.path.join(d, "log")], stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(rf) and time.monotonic() < deadline:
            time.sleep(0.02)
        port = int(open(rf).read())
        with RawSMTP(port) as c:
            t.check("CLI: listening when the ready file appears", c.banner.startswith(b"220 "))
    finally:
        p.terminate()
        t.eq("CLI: SIGTERM exit 0", p.wait(timeout=5), 0)
    r = subprocess.run([simworld.PY, simworld.SMTPSIM, "--list"], capture_output=True, text=True, timeout=20)
    names = [ln.split()[0] for ln in r.stdout.splitlines() if ln.strip()]
    required = ["open", "submission", "implicit", "tls12-only", "legacy-tls10", "m365-auth-disabled",
                "m365-security-defaults", "m365-bad-creds", "m365-unauthenticated", "m365-legacy-tls",
                "m365-sendas", "m365-basic-retired", "m365-rate-limit", "gmail-app-password",
                "gmail-bad-creds", "gmail-starttls-first", "postfix-relay-denied", "exchange-relay-54",
                "size-5mb", "fqdn-required", "no-ehlo", "expired-cert", "wrong-name-cert", "self-signed",
                "silent", "banner-reject", "drop-at-mail", "rate-limit-451"]
    missing = [n for n in required if n not in names]
    t.eq("every contract persona exists (--list)", missing, [])
    for n, p in PERSONAS.items():
        if not p.get("abstract"):
            t.check("persona %s has description and source" % n, p.get("description") and p.get("source"))


@test
def swaks_stage_mapping(t, env):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); free = s.getsockname()[1]; s.close()
    base = lambda port: ["--server", "127.0.0.1", "--port", str(port), "--from", "a@sim.test", "--to", "b@sim.test"]
    t.eq("closed port -> connect", swaks_run(base(free))[:4], (2, "connect", None, None))
    with Persona("open", env["certs"]) as srv:
        t.eq("implicit TLS against a plaintext server -> tls-handshake",
             swaks_run(base(srv.port) + ["--tls-on-connect"])[:4], (29, "tls-handshake", None, None))
        t.eq("-tls but STARTTLS not advertised -> starttls",
             swaks_run(base(srv.port) + ["-tls"])[:4], (29, "starttls", None, None))
        t.eq("AUTH not advertised -> auth",
             swaks_run(base(srv.port) + ["--auth", "PLAIN", "--auth-user", "u", "--auth-password", "p"])[:4],
             (28, "auth", None, None))
        t.eq("success -> no stage", swaks_run(base(srv.port))[:4], (0, None, None, None))
    with Persona("implicit", env["certs"]) as srv:
        r = swaks_run(base(srv.port) + ["--timeout", "2"])
        t.eq("plaintext client against implicit TLS -> banner timeout", r[:4], (21, "banner", None, None))
        t.eq("swaks timeout note is not taken for a reply", swaks_failure_lines(r[4]), [])
    with Persona("tls12-only", env["certs"]) as srv:
        t.eq("TLS 1.0 client against tls12-only -> tls-handshake",
             swaks_run(base(srv.port) + ["-tls", "--tls-protocol", "tlsv1", "--tls-cipher", "DEFAULT:@SECLEVEL=0"])[:4],
             (29, "tls-handshake", None, None))
        t.check("server logged the failed handshake", any("TLS handshake failed" in ln for ln in srv.log_lines()))


@test
def engine_features(t, env):
    """Features of smtpsim not used by the shipped personas, via a private personas file."""
    import json
    pf = os.path.join(env["tmp"], "feature-personas.json")
    with open(pf, "w") as f:
        json.dump({"personas": {
            "_b": {"abstract": True, "hostname": "feat.sim.test", "description": "base", "source": "selftest"},
            "feat-raw": {"extends": "_b", "tls": "none", "vars": {"tag": "XYZ"},
                         "script": {"ehlo": {"reply": {"raw": "250-{hostname} {tag}\r\n250 LAST\n"}},
                                    "mail-from": {"when": {"concurrent_min": 2}, "reply": "421 4.3.2 too busy", "close": True}}},
            "feat-tls-est": {"extends": "_b", "tls": "starttls", "cert": "server", "extensions": ["STARTTLS"],
                             "script": {"tls-established": {"reply": "421 4.7.0 go away", "close": True}}},
            "feat-quit": {"extends": "_b", "tls": "none", "script": {"quit": {"reply": ["221-bye", "221 really"]}},
                          "replies": {"unknown": "500 5.5.1 what?"}},
            "feat-idle": {"extends": "_b", "tls": "none", "idle_timeout": 1},
        }}, f)
    with Persona("feat-raw", env["certs"], personas_file=pf) as srv:
        with RawSMTP(srv.port) as a, RawSMTP(srv.port) as b:
            t.eq("raw reply sent verbatim (bare LF kept), vars expanded", a.cmd("EHLO a.sim.test"),
                 b"250-feat.sim.test XYZ\r\n250 LAST\n")
            b.cmd("EHLO b.sim.test")
            t.eq("concurrent_min: 2 sessions -> 421", b.cmd("MAIL FROM:<x@sim.test>"), b"421 4.3.2 too busy\r\n")
            try:
                b.cmd("NOOP")
                t.check("closed after the scripted 421", False)
            except (ConnectionError, OSError):
                t.check("closed after the scripted 421", True)
            time.sleep(0.1)
            t.eq("single session again: MAIL accepted", a.cmd("MAIL FROM:<x@sim.test>"), b"250 2.1.0 Ok\r\n")
    with Persona("feat-tls-est", env["certs"], personas_file=pf) as srv:
        with RawSMTP(srv.port) as c:
            c.cmd("EHLO c.sim.test")
            c.starttls()
            t.eq("tls-established: unsolicited reply right after the handshake", c.read_reply(), b"421 4.7.0 go away\r\n")
    with Persona("feat-quit", env["certs"], personas_file=pf) as srv:
        with RawSMTP(srv.port) as c:
            t.eq("reply override (unknown command)", c.cmd("FOO"), b"500 5.5.1 what?\r\n")
            t.eq("multi-line QUIT reply", c.cmd("QUIT"), b"221-bye\r\n221 really\r\n")
    with Persona("feat-idle", env["certs"], personas_file=pf) as srv:
        with RawSMTP(srv.port) as c:
            t0 = time.monotonic()
            t.eq("idle timeout -> 421", c.read_reply(), b"421 4.4.2 feat.sim.test Error: timeout exceeded\r\n")
            t.check("idle timeout after ~1 s", 0.8 < time.monotonic() - t0 < 4)
    bad = os.path.join(env["tmp"], "bad-personas.json")
    with open(bad, "w") as f:
        json.dump({"personas": {"x": {"tls": "none", "scirpt": {}}}}, f)
    r = subprocess.run([simworld.PY, simworld.SMTPSIM, "--personas", bad, "--persona", "x"],
                       capture_output=True, text=True, timeout=20)
    t.check("invalid persona file rejected loudly", r.returncode == 2 and "unknown keys" in r.stderr, r.stderr)


def curl_send(env, srv, scheme="smtp", extra=(), password=None, user=True, port=None):
    """Send one message with the curl CLI (libcurl, the library mfpdoctor uses)."""
    msg = os.path.join(env["tmp"], "curl-msg.txt")
    if not os.path.exists(msg):
        with open(msg, "w") as f:
            f.write("From: scanner@sim.test\r\nTo: inbox@sim.test\r\nSubject: curl\r\n\r\nscan attached\r\n")
    cmd = ["curl", "-sS", "-v", "--max-time", "15", "--url", "%s://127.0.0.1:%d" % (scheme, port or srv.port),
           "--mail-from", srv.user, "--mail-rcpt", "inbox@sim.test", "--upload-file", msg, "-k"] + list(extra)
    if user:
        cmd += ["--user", "%s:%s" % (srv.user, srv.password if password is None else password)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    return r.returncode, r.stderr


@test
def libcurl_client(t, env):
    if not shutil.which("curl"):
        t.check("curl installed (needed for this test)", False)
        return
    with Persona("submission", env["certs"]) as srv:
        rc, err = curl_send(env, srv, extra=["--ssl-reqd"])
        t.eq("curl: submission STARTTLS + AUTH + send", rc, 0)
        t.check("curl picked CRAM-MD5 and it verified", any("*: auth CRAM-MD5 ok" in ln for ln in srv.log_lines()))
        rc, err = curl_send(env, srv, extra=["--ssl-reqd"], password="wrong")
        t.check("curl: wrong password -> 67 Login denied + 535 in the trace", rc == 67 and "< 535 5.7.8 " in err, err[-300:])
    with Persona("implicit", env["certs"]) as srv:
        t.eq("curl: smtps:// implicit TLS", curl_send(env, srv, scheme="smtps")[0], 0)
    with Persona("m365", env["certs"]) as srv:
        rc, err = curl_send(env, srv, extra=["--ssl-reqd"])
        t.check("curl: m365 AUTH LOGIN + send", rc == 0 and "> AUTH LOGIN" in err, err[-300:])
    with Persona("gmail-app-password", env["certs"]) as srv:
        rc, err = curl_send(env, srv, extra=["--ssl-reqd"])
        t.check("curl: gmail-app-password -> 67, both 534 lines in the trace",
                rc == 67 and "< 534-5.7.9 Application-specific password required. Learn more at" in err
                and "< 534 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor" in err, err[-400:])
    with Persona("m365-legacy-tls", env["certs"]) as srv:
        rc, err = curl_send(env, srv, extra=["--ssl-reqd", "--tlsv1.0", "--tls-max", "1.0", "--ciphers", "DEFAULT:@SECLEVEL=0"])
        t.check("curl: TLS 1.0 -> 421 4.7.66 in the trace (libcurl then tries HELO on the closed connection: 56)",
                rc == 56 and "< 421 4.7.66 TLS 1.0 and 1.1 are not supported." in err, err[-400:])
    with Persona("tls10-only", env["certs"]) as srv:
        rc, err = curl_send(env, srv, extra=["--ssl-reqd"])
        t.eq("curl (default TLS settings) vs tls10-only -> 35 handshake error", rc, 35)
    with Persona("no-ehlo", env["certs"]) as srv:
        rc, err = curl_send(env, srv, user=False)
        t.check("curl: falls back to HELO after 502", rc == 0 and "> HELO " in err, err[-300:])


# --------------------------------------------------------------------------- real MTA
@test
def real_mta(t, env):
    mdir = os.path.join(env["tmp"], "mta")
    t0 = time.monotonic()
    with RealMTA(mdir, env["certs"]) as mta:
        t.check("MTA ready in %.1fs" % (time.monotonic() - t0), mta.port and mta.plain_port and mta.smtps_port)
        cfg = "MAIL_CONFIG=" + os.path.realpath(os.path.join(mdir, "instance")) + "/etc"
        pids = our_mta_pids(cfg)
        t.check("Postfix processes of this instance are running", len(pids) >= 3, pids)
        with RawSMTP(mta.port) as c:
            t.eq("banner", c.banner, b"220 mail.sim.test ESMTP Postfix (mfpdoctor sim)\r\n")
            pre = ehlo_caps(c.cmd("EHLO client.sim.test"))
            t.check("pre-TLS: STARTTLS, SIZE 5242880, no AUTH",
                    "STARTTLS" in pre and "SIZE 5242880" in pre and not any(x.startswith("AUTH") for x in pre), pre)
            c.starttls(verifying_ctx(env))
            t.check("STARTTLS with a verifying client (CA + hostname)", c.tls_version in ("TLSv1.2", "TLSv1.3"), c.tls_version)
            post = ehlo_caps(c.cmd("EHLO client.sim.test"))
            t.check("post-TLS: AUTH PLAIN LOGIN CRAM-MD5", any(x.startswith("AUTH ") and "PLAIN" in x and "LOGIN" in x
                                                              and "CRAM-MD5" in x for x in post), post)
        for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
            t.eq("AUTH %s right password, relay to external" % mech,
                 raw_run(mta, {"tls": "starttls", "auth": mech, "to": "boss@external.example"}), (None, None))
        st, raw = raw_run(mta, {"tls": "starttls", "auth": "PLAIN"}, password="wrong")
        t.check("wrong password -> 535 5.7.8 at auth", st == "auth" and raw.startswith(b"535 5.7.8 "), raw)
        code, stage, rc, enh, out = swaks_run(swaks_args(mta, {"tls": "starttls", "auth": "LOGIN"}, env, password="wrong"))
        t.eq("swaks wrong password -> (auth, 535, 5.7.8)", (stage, rc, enh), ("auth", 535, "5.7.8"))
        st, raw = raw_run(mta, {"to": "user@external.example"})
        t.eq("unauthenticated external recipient -> 554 5.7.1 Relay access denied", (st, raw),
             ("rcpt-to", b"554 5.7.1 <user@external.example>: Relay access denied\r\n"))
        code, stage, rc, enh, out = swaks_run(swaks_args(mta, {"to": "user@external.example"}, env))
        t.eq("swaks relay denied -> (rcpt-to, 554, 5.7.1)", (stage, rc, enh), ("rcpt-to", 554, "5.7.1"))
        t.eq("unauthenticated local recipient accepted", raw_run(mta, {"to": "inbox@sim.test"}), (None, None))
        st, raw = raw_run(mta, {"size": 6000000})
        t.check("MAIL SIZE=6000000 -> 552 5.3.4 at mail-from", st == "mail-from" and raw.startswith(b"552 5.3.4 "), raw)
        st, raw = raw_run(mta, {"tls": "starttls", "auth": "PLAIN", "body_bytes": 6000000})
        t.check("6 MB of data -> 552 5.3.4 at end-of-data", st == "end-of-data" and raw.startswith(b"552 5.3.4 "), raw)
        with RawSMTP(mta.plain_port) as c:
            caps = ehlo_caps(c.cmd("EHLO c.sim.test"))
            t.check("plain port: no STARTTLS, no AUTH", "STARTTLS" not in caps and not any(x.startswith("AUTH") for x in caps), caps)
        t.eq("smtps port: implicit TLS + AUTH", raw_run(mta, {"tls": "implicit", "auth": "PLAIN"}, port=mta.smtps_port), (None, None))
        msgs = mta.messages(wait=5)
        deadline = time.monotonic() + 10
        while len(msgs) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
            msgs = mta.messages()
        t.check("accepted messages delivered to the Maildir (%d)" % len(msgs), len(msgs) == 5)
        t.check("relayed external mail kept locally", any(b"X-Original-To: boss@external.example" in m for m in msgs))
    t.eq("no Postfix process of this instance after stop", our_mta_pids(cfg), [])
    for p in (mta.port, mta.plain_port, mta.smtps_port):
        try:
            socket.create_connection(("127.0.0.1", p), timeout=1).close()
            t.check("port %d closed after stop" % p, False)
        except OSError:
            t.check("port %d closed after stop" % p, True)


def children_of(pid):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/stat" % p) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid and fields[0] != "Z":
                    with open("/proc/%s/cmdline" % p, "rb") as f:
                        out.append((int(p), f.read().replace(b"\0", b" ").decode(errors="replace")))
            except (OSError, IndexError, ValueError):
                pass
    return out


def our_mta_pids(cfg):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/environ" % p, "rb") as f:
                    if cfg.encode() in f.read().split(b"\0"):
                        out.append(int(p))
            except OSError:
                pass
    return out


# --------------------------------------------------------------------------- runner
def run_one(fn, env):
    t = T(fn.__name__)
    t0 = time.monotonic()
    try:
        fn(t, env)
    except Exception:
        t.check("no exception", False, traceback.format_exc())
    t.elapsed = time.monotonic() - t0
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-k", default="", help="only tests whose name contains this")
    ap.add_argument("-j", type=int, default=8, help="parallel tests (default 8)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("warning: not root -- the real MTA test will fail", file=sys.stderr)
    t_start = time.monotonic()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="simselftest-") as tmp:
        env = {"tmp": tmp, "certs": os.path.join(tmp, "certs")}
        Certs(env["certs"])
        tests = [fn for fn in TESTS if args.k in fn.__name__]
        # the slow ones first
        tests.sort(key=lambda f: 0 if f.__name__ in ("real_mta", "submission", "silent_and_closing", "tls_versions") else 1)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as ex:
            futs = [ex.submit(run_one, fn, env) for fn in tests]
            results = [f.result() for f in futs]
        for t in sorted(results, key=lambda r: r.name):
            bad = [r for r in t.results if not r[1]]
            print("%s %-34s %3d checks %5.1fs" % ("FAIL" if bad else "ok  ", t.name, len(t.results), t.elapsed))
            for what, ok, detail in t.results:
                if not ok or args.verbose:
                    print("     %s %s%s" % ("ok  " if ok else "FAIL", what,
                                          ("\n         " + str(detail).replace("\n", "\n         ")) if (detail and not ok) else ""))
            passed += sum(1 for r in t.results if r[1])
            failed += len(bad)
    leftovers = [o for o in list(simworld._live)]
    if leftovers:
        print("FAIL leftover servers: %r" % leftovers)
        failed += 1
    time.sleep(0.2)
    kids = children_of(os.getpid())
    if kids:
        print("FAIL leftover child processes: %r" % kids)
        failed += 1
    else:
        passed += 1
        if args.verbose:
            print("ok   no leftover child processes")
    print("selftest took %.1fs" % (time.monotonic() - t_start))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
