#!/usr/bin/python3
"""smtpsim -- a generic, scripted SMTP server for mfpdoctor tests.

One server, many behaviours: every behaviour ("persona") is data in
personas.json (see README.md for the schema).  The server speaks real SMTP
over real TCP (and real TLS) on 127.0.0.1 only.

    /usr/bin/python3 tests/sim/smtpsim.py --persona NAME --certdir DIR \
        [--port 0] [--ready-file F] [--log F] [--user U --password-file F] \
        [--save-dir D] [--personas FILE] [--exit-with-parent]
    /usr/bin/python3 tests/sim/smtpsim.py --list
    /usr/bin/python3 tests/sim/smtpsim.py --dump NAME       (resolved persona as JSON)

* Binds 127.0.0.1 only (never any other address); --port 0 = ephemeral port.
* Writes the actual port number (and a newline) to --ready-file atomically,
  only once the listening socket accepts connections.
* Logs every received command and every reply line to --log (default stderr):
      "<session> C: <command>"   received from the client
      "<session> S: <reply line>" sent to the client
      "<session> *: <event>"      connect / TLS / auth result / close ...
  AUTH payloads (initial responses and continuation lines) are never logged:
  only "AUTH <MECH> [payload redacted]" and "*: auth <MECH> ok|failed".
  Message content is not logged either, only its size.
* Exits cleanly (status 0) on SIGTERM / SIGINT: stops listening, sends
  "421 ... shutting down" to sessions idle in the command phase, closes all.
* --exit-with-parent: exit when the process that started us goes away
  (simworld.py passes it so a killed test run leaves nothing behind).

Implementation note: written directly on asyncio (Protocol + loop.start_tls)
rather than on aiosmtpd, because the personas need byte-exact control of every
reply (EHLO lines in provider order, AUTH prompts, multi-line replies), replies
gated on the negotiated TLS version, implicit TLS with handshake errors logged,
never-greeting servers and closes at arbitrary stages -- aiosmtpd generates its
own wording for EHLO/AUTH/STARTTLS and would need nearly every handler replaced.
"""
import argparse
import asyncio
import base64
import binascii
import copy
import datetime
import email.utils
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import ssl
import sys
import time
import warnings

HOST = "127.0.0.1"          # loopback only, by design; there is no option to change it
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PERSONAS = os.path.join(HERE, "personas.json")

STAGES = ["banner", "ehlo", "helo", "starttls", "tls-established", "ehlo-after-tls",
          "auth", "mail-from", "rcpt-to", "data", "end-of-data", "quit"]

warnings.filterwarnings("ignore", category=DeprecationWarning, module="ssl")
TLS_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3,
}
# ssl_object.version() strings -> comparable numbers
TLS_RANK = {"SSLv3": 3, "TLSv1": 10, "TLSv1.1": 11, "TLSv1.2": 12, "TLSv1.3": 13}
TLS_ARG_RANK = {"1.0": 10, "1.1": 11, "1.2": 12, "1.3": 13}

CERTS = {"server", "expired", "wrongname", "selfsigned"}

DEFAULT_REPLIES = {
    "banner": "220 {hostname} ESMTP smtpsim",
    "helo": "250 {hostname}",
    "ehlo_syntax": "501 5.5.4 Syntax: EHLO hostname",
    "helo_syntax": "501 5.5.4 Syntax: HELO hostname",
    "need_ehlo": "503 5.5.1 Error: send HELO/EHLO first",
    "starttls_ready": "220 2.0.0 Ready to start TLS",
    "starttls_unavailable": "502 5.5.1 Error: command not implemented",
    "starttls_syntax": "501 5.5.4 Syntax: STARTTLS",
    "tls_already": "554 5.5.1 Error: TLS already active",
    "tls_required": "530 5.7.0 Must issue a STARTTLS command first",
    "auth_prompt_plain": "334 ",
    "auth_prompt_login_user": "334 VXNlcm5hbWU6",
    "auth_prompt_login_pass": "334 UGFzc3dvcmQ6",
    "auth_prompt_xoauth2": "334 ",
    "auth_ok": "235 2.7.0 Authentication successful",
    "auth_failed": "535 5.7.8 Error: authentication failed: authentication failure",
    "auth_not_available": "503 5.5.1 Error: authentication not enabled",
    "auth_unsupported": "504 5.5.4 Unrecognized authentication type",
    "auth_already": "503 5.5.1 Error: already authenticated",
    "auth_in_transaction": "503 5.5.1 Error: MAIL transaction in progress",
    "auth_aborted": "501 5.7.0 Authentication aborted",
    "auth_bad_base64": "501 5.5.2 Cannot decode response",
    "auth_required": "530 5.7.0 Authentication required",
    "mail_ok": "250 2.1.0 Ok",
    "mail_syntax": "501 5.5.4 Syntax: MAIL FROM:<address>",
    "mail_nested": "503 5.5.1 Error: nested MAIL command",
    "size_exceeded_mail": "552 5.3.4 Message size exceeds fixed limit",
    "size_exceeded_data": "552 5.3.4 Message size exceeds fixed limit",
    "rcpt_ok": "250 2.1.5 Ok",
    "rcpt_syntax": "501 5.5.4 Syntax: RCPT TO:<address>",
    "need_mail": "503 5.5.1 Error: need MAIL command",
    "need_rcpt": "503 5.5.1 Error: need RCPT command",
    "data_go": "354 End data with <CR><LF>.<CR><LF>",
    "data_syntax": "501 5.5.4 Syntax: DATA",
    "data_ok": "250 2.0.0 Ok: queued as {queue_id}",
    "bdat_chunk_ok": "250 2.0.0 {chunk_size} octets received",
    "bdat_syntax": "501 5.5.4 Syntax: BDAT size [LAST]",
    "bdat_unavailable": "502 5.5.2 Error: command not recognized",
    "rset": "250 2.0.0 Ok",
    "noop": "250 2.0.0 Ok",
    "vrfy": "252 2.0.0 {arg}",
    "help": "214 2.0.0 See RFC 5321",
    "quit": "221 2.0.0 Bye",
    "unknown": "502 5.5.2 Error: command not recognized",
    "line_too_long": "500 5.5.2 Error: line too long",
    "timeout": "421 4.4.2 {hostname} Error: timeout exceeded",
    "rejected_session": "503 5.5.1 Error: no valid session",
    "shutdown": "421 4.3.2 {hostname} Service shutting down",
}

PERSONA_KEYS = {
    "description", "source", "extends", "abstract", "hostname", "vars", "banner",
    "ehlo_greeting", "extensions", "extensions_tls", "tls", "cert", "tls_min", "tls_max",
    "tls_ciphers", "auth", "require_tls", "size_limit", "silent", "idle_timeout",
    "replies", "script", "expect", "notes", "handshake_timeout", "banner_delay",
}
AUTH_KEYS = {"mechanisms", "require_tls", "required"}
RULE_KEYS = {"reply", "close", "when", "before_exchange", "source", "comment"}
WHEN_KEYS = {"tls", "tls_below", "tls_at_least", "authenticated", "arg_match",
             "arg_not_match", "auth_ok", "mail_from_ne_user", "concurrent_min"}
MAX_CMD_LINE = 4096


class PersonaError(Exception):
    pass


# --------------------------------------------------------------------------- personas
def deep_merge(base, over):
    out = copy.deepcopy(base)
    for k, v in over.items():
        if k in ("extends", "abstract"):
            continue
        if isinstance(v, dict) and isinstance(out.get(k), dict) and k not in ("when", "expect"):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_all(path=DEFAULT_PERSONAS):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    raw = doc["personas"]
    resolved = {}

    def resolve(name, chain=()):
        if name in resolved:
            return resolved[name]
        if name not in raw:
            raise PersonaError("unknown persona %r (extends chain %s)" % (name, " -> ".join(chain)))
        if name in chain:
            raise PersonaError("extends loop: %s" % " -> ".join(chain + (name,)))
        p = raw[name]
        bases = p.get("extends") or []
        if isinstance(bases, str):
            bases = [bases]
        acc = {}
        for b in bases:
            acc = deep_merge(acc, resolve(b, chain + (name,)))
        acc = deep_merge(acc, p)
        acc["abstract"] = bool(p.get("abstract", False))
        acc["name"] = name
        resolved[name] = acc
        return acc

    for n in raw:
        resolve(n)
    for n, p in resolved.items():
        validate(n, p)
    return resolved


def _as_lines(reply):
    if reply is None:
        return []
    if isinstance(reply, str):
        return [reply]
    if isinstance(reply, dict) and "raw" in reply:
        return reply
    if isinstance(reply, list) and all(isinstance(x, str) for x in reply):
        return reply
    raise PersonaError("bad reply spec %r" % (reply,))


def rules_for(p, stage):
    r = (p.get("script") or {}).get(stage)
    if r is None:
        return []
    return r if isinstance(r, list) else [r]


def validate(name, p):
    def err(msg):
        raise PersonaError("persona %s: %s" % (name, msg))
    extra = set(p) - PERSONA_KEYS - {"name"}
    if extra:
        err("unknown keys %s" % sorted(extra))
    if p.get("abstract"):
        return
    tls = p.get("tls", "none")
    if tls not in ("none", "starttls", "implicit"):
        err("tls must be none|starttls|implicit")
    if p.get("cert", "server") not in CERTS:
        err("cert must be one of %s" % sorted(CERTS))
    for k in ("tls_min", "tls_max"):
        if k in p and p[k] not in TLS_VERSIONS:
            err("%s must be one of %s" % (k, sorted(TLS_VERSIONS)))
    a = p.get("auth")
    if a is not None:
        if set(a) - AUTH_KEYS:
            err("unknown auth keys %s" % sorted(set(a) - AUTH_KEYS))
        for m in a.get("mechanisms", []):
            if m not in ("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"):
                err("unsupported mechanism %s" % m)
    for k in (p.get("replies") or {}):
        if k not in DEFAULT_REPLIES:
            err("unknown reply key %s" % k)
        _as_lines(p["replies"][k])
    _as_lines(p.get("banner"))
    for stage in (p.get("script") or {}):
        if stage not in STAGES:
            err("unknown script stage %s (stages: %s)" % (stage, ", ".join(STAGES)))
        for rule in rules_for(p, stage):
            if set(rule) - RULE_KEYS:
                err("stage %s: unknown rule keys %s" % (stage, sorted(set(rule) - RULE_KEYS)))
            if set(rule.get("when") or {}) - WHEN_KEYS:
                err("stage %s: unknown conditions %s" % (stage, sorted(set(rule["when"]) - WHEN_KEYS)))
            for k in ("arg_match", "arg_not_match"):
                if k in (rule.get("when") or {}):
                    re.compile(rule["when"][k])
            _as_lines(rule.get("reply"))


def size_limit_of(p):
    if p.get("size_limit") is not None:
        return int(p["size_limit"])
    for ext in (p.get("extensions") or []) + (p.get("extensions_tls") or []):
        m = re.match(r"(?i)^SIZE\s+(\d+)$", ext)
        if m and int(m.group(1)) > 0:
            return int(m.group(1))
    return None


_TEMPLATE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def render(text, ctx):
    return _TEMPLATE.sub(lambda m: str(ctx[m.group(1)]) if m.group(1) in ctx else m.group(0), text)


def redact(line):
    """Command line as logged: AUTH initial responses are never written to the log."""
    verb, _, arg = line.partition(" ")
    if verb.upper() != "AUTH":
        return line
    parts = arg.split()
    return "%s %s%s" % (verb, parts[0] if parts else "", " [payload redacted]" if len(parts) > 1 else "")


def b64d(s):
    s = s.strip()
    if s == "=":
        return b""
    return base64.b64decode(s, validate=True)


# --------------------------------------------------------------------------- server
class Sim:
    def __init__(self, persona, certdir, user, password, log, save_dir=None):
        self.p = persona
        self.certdir = certdir
        self.user = user
        self.password = password
        self.logf = log
        self.save_dir = save_dir
        self.sessions = set()
        self.counter = 0
        self.msg_counter = 0
        self.loop = None
        self.ssl_ctx = self._make_ctx() if persona.get("tls", "none") != "none" else None

    def log(self, sid, kind, text):
        try:
            self.logf.write("%s %s: %s\n" % (sid, kind, text))
            self.logf.flush()
        except (OSError, ValueError):
            pass

    def _make_ctx(self):
        p = self.p
        cert = p.get("cert", "server")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if p.get("tls_ciphers"):
            ctx.set_ciphers(p["tls_ciphers"])   # before versions: SECLEVEL affects them
        with warnings.catch_warnings():     # TLSv1/TLSv1_1 are deprecated -- on purpose here
            warnings.simplefilter("ignore", DeprecationWarning)
            if "tls_min" in p:
                ctx.minimum_version = TLS_VERSIONS[p["tls_min"]]
            if "tls_max" in p:
                ctx.maximum_version = TLS_VERSIONS[p["tls_max"]]
        ctx.load_cert_chain(os.path.join(self.certdir, cert + ".pem"),
                            os.path.join(self.certdir, cert + ".key"))
        return ctx


class Conn(asyncio.Protocol):
    """Byte-buffering protocol; the Session coroutine pulls lines/bytes from it."""

    def __init__(self, sim):
        self.sim = sim
        self.buf = bytearray()
        self.eof = False
        self.waiter = None
        self.transport = None
        self.paused = False
        self.session = None
        self.task = None

    # -- asyncio callbacks
    def connection_made(self, transport):
        self.transport = transport
        if self.sim.p.get("tls") == "implicit":
            transport.pause_reading()   # nothing may reach the plaintext buffer
        self.session = Session(self.sim, self)
        self.task = self.sim.loop.create_task(self.session.run())

    def data_received(self, data):
        self.buf += data
        if len(self.buf) > 8 * 1024 * 1024 and not self.paused:
            try:
                self.transport.pause_reading()
                self.paused = True
            except Exception:
                pass
        self._wake()

    def eof_received(self):
        self.eof = True
        self._wake()
        return False

    def connection_lost(self, exc):
        self.eof = True
        self._wake()

    def _wake(self):
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    # -- used by Session
    async def wait_data(self, timeout):
        if self.paused and len(self.buf) < 1024 * 1024:
            try:
                self.transport.resume_reading()
            except Exception:
                pass
            self.paused = False
        if self.eof:
            raise EOFError()
        self.waiter = self.sim.loop.create_future()
        try:
            await asyncio.wait_for(self.waiter, timeout)
        finally:
            self.waiter = None

    def write(self, data):
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)


class Session:
    def __init__(self, sim, conn):
        sim.counter += 1
        self.sid = sim.counter
        self.sim = sim
        self.p = sim.p
        self.conn = conn
        peer = conn.transport.get_extra_info("peername") or ("?", 0)
        self.client_ip, self.client_port = peer[0], peer[1]
        self.tls = False
        self.tls_version = None
        self.after_starttls = False
        self.greeted = False
        self.session_ok = True
        self.authenticated = False
        self.auth_user = None
        self.closing = False
        self.in_command_phase = False
        self.reset_txn()
        self.replies = dict(DEFAULT_REPLIES)
        self.replies.update(self.p.get("replies") or {})
        self.idle = float(self.p.get("idle_timeout", 120))
        self.size_limit = size_limit_of(self.p)
        self.vars = dict(self.p.get("vars") or {})

    # -- helpers
    def reset_txn(self):
        self.mail_from = None
        self.mail_params = {}
        self.rcpts = []
        self.bdat = None

    def log(self, kind, text):
        self.sim.log(self.sid, kind, text)

    def ctx(self, arg="", **extra):
        c = {
            "hostname": self.p.get("hostname", "mail.sim.test"),
            "client_ip": self.client_ip, "client_port": self.client_port,
            "session": self.sid, "arg": arg,
            "date": email.utils.format_datetime(datetime.datetime.now(datetime.timezone.utc)),
            "queue_id": "%X%06d" % (int(time.time()) & 0xFFFFF, self.sim.msg_counter),
            "epoch": int(time.time()),
            "tls_version": self.tls_version or "",
            "size_limit": self.size_limit or 0,
            "mail_from": self.mail_from or "",
            "auth_user": self.auth_user or "",
        }
        c.update(self.vars)
        c.update(extra)
        return c

    def send(self, reply, **ctxargs):
        """reply: str | [str] | {"raw": str}.  Lines get CRLF; raw is sent verbatim."""
        c = self.ctx(**ctxargs)
        if isinstance(reply, dict):
            data = render(reply["raw"], c)
            for ln in data.split("\n"):
                if ln:
                    self.log("S", ln.rstrip("\r") + "  [raw]")
            self.conn.write(data.encode("utf-8"))
            return
        lines = [render(x, c) for x in _as_lines(reply)]
        for ln in lines:
            self.log("S", ln)
        self.conn.write(b"".join(ln.encode("utf-8") + b"\r\n" for ln in lines))

    def r(self, key):
        return self.replies[key]

    @staticmethod
    def code_ok(reply):
        lines = reply["raw"] if isinstance(reply, dict) else _as_lines(reply)
        first = lines if isinstance(lines, str) else (lines[0] if lines else "")
        return first[:1] in ("2", "3")

    def match(self, when, arg="", auth_ok=None):
        for k, v in (when or {}).items():
            if k == "tls":
                if bool(self.tls) != bool(v):
                    return False
            elif k == "tls_below":
                if not self.tls or TLS_RANK.get(self.tls_version, 0) >= TLS_ARG_RANK[v]:
                    return False
            elif k == "tls_at_least":
                if not self.tls or TLS_RANK.get(self.tls_version, 0) < TLS_ARG_RANK[v]:
                    return False
            elif k == "authenticated":
                if bool(self.authenticated) != bool(v):
                    return False
            elif k == "arg_match":
                if not re.search(v, arg or ""):
                    return False
            elif k == "arg_not_match":
                if re.search(v, arg or ""):
                    return False
            elif k == "auth_ok":
                if auth_ok is None or bool(auth_ok) != bool(v):
                    return False
            elif k == "mail_from_ne_user":
                differs = (self.mail_from or "").lower() != (self.auth_user or "").lower()
                if differs != bool(v):
                    return False
            elif k == "concurrent_min":
                if len(self.sim.sessions) < int(v):
                    return False
        return True

    def rule(self, stage, arg="", auth_ok=None, before_exchange=None):
        for rl in rules_for(self.p, stage):
            if before_exchange is not None and bool(rl.get("before_exchange")) != before_exchange:
                continue
            if self.match(rl.get("when"), arg, auth_ok):
                return rl
        return None

    def apply_rule(self, rl, **ctxargs):
        """Send a rule's reply; returns True if the session must close now."""
        if rl.get("reply") is not None:
            self.send(rl["reply"], **ctxargs)
        if rl.get("close"):
            self.log("*", "closing connection (scripted)")
            return True
        return False

    # -- reading
    async def readline(self, limit=MAX_CMD_LINE):
        c = self.conn
        while True:
            i = c.buf.find(b"\n")
            if i >= 0:
                line = bytes(c.buf[:i + 1])
                del c.buf[:i + 1]
                if len(line) > limit:
                    return None
                return line.rstrip(b"\r\n").decode("utf-8", "replace")
            if len(c.buf) > limit:
                # swallow the overlong line up to its end
                while c.buf.find(b"\n") < 0:
                    del c.buf[:]
                    await c.wait_data(self.idle)
                del c.buf[:c.buf.find(b"\n") + 1]
                return None
            await c.wait_data(self.idle)

    async def read_exact(self, n):
        c = self.conn
        out = bytearray()
        while len(out) < n:
            if not c.buf:
                await c.wait_data(self.idle)
                continue
            take = min(n - len(out), len(c.buf))
            if self.size_limit is None or len(out) <= self.size_limit + 1024 * 1024:
                out += c.buf[:take]
            del c.buf[:take]
        return bytes(out)

    async def read_data(self):
        """Read DATA content up to CRLF.CRLF; returns (body or None if too big, raw_size)."""
        c = self.conn
        cap = (self.size_limit + 1024 * 1024) if self.size_limit else 256 * 1024 * 1024
        acc = bytearray(b"\r\n")    # virtual CRLF before the first line
        dropped = 0
        too_big = False
        scan = 0
        while True:
            acc += c.buf
            del c.buf[:]
            idx = acc.find(b"\r\n.\r\n", scan)
            if idx >= 0:
                rest = bytes(acc[idx + 5:])
                body = bytes(acc[2:idx + 2]) if not too_big else None
                size = dropped + idx          # bytes before the terminator (minus sentinel)
                c.buf[:0] = rest             # pipelined commands after the dot
                if body is not None:
                    body = (b"\r\n" + body).replace(b"\r\n..", b"\r\n.")[2:]
                return body, size
            scan = max(0, len(acc) - 4)
            if len(acc) > cap:
                too_big = True
                keep = acc[-4:]
                dropped += len(acc) - 4
                acc = bytearray(keep)
                scan = 0
            await c.wait_data(self.idle)

    # -- TLS
    async def do_tls(self):
        self.log("*", "TLS handshake starting (%s)" % ("implicit" if not self.after_starttls and self.p.get("tls") == "implicit" else "STARTTLS"))
        loop = self.sim.loop
        try:
            new_tr = await loop.start_tls(self.conn.transport, self.conn, self.sim.ssl_ctx,
                                          server_side=True,
                                          ssl_handshake_timeout=float(self.p.get("handshake_timeout", 15)))
        except (ssl.SSLError, ConnectionError, OSError, asyncio.TimeoutError, EOFError) as e:
            self.log("*", "TLS handshake failed: %s: %s" % (type(e).__name__, e))
            return False
        if new_tr is None:
            self.log("*", "TLS handshake failed: connection closed")
            return False
        self.conn.transport = new_tr
        so = new_tr.get_extra_info("ssl_object")
        self.tls = True
        self.tls_version = so.version() if so else "?"
        cipher = so.cipher() if so else None
        self.log("*", "TLS established %s %s" % (self.tls_version, cipher[0] if cipher else ""))
        return True

    # -- main loop
    async def run(self):
        self.sim.sessions.add(self)
        self.log("*", "connect from %s:%s" % (self.client_ip, self.client_port))
        try:
            await self._run()
        except EOFError:
            self.log("*", "client closed the connection")
        except asyncio.TimeoutError:
            self.log("*", "idle timeout")
            if not self.p.get("silent"):
                self.send(self.r("timeout"))
        except asyncio.CancelledError:
            pass
        except Exception as e:  # never let one session kill the server
            self.log("*", "internal error: %s: %r" % (type(e).__name__, e))
        finally:
            self.sim.sessions.discard(self)
            tr = self.conn.transport
            if tr is not None and not tr.is_closing():
                tr.close()
            self.log("*", "disconnect")

    async def _run(self):
        p = self.p
        if p.get("tls") == "implicit":
            if not await self.do_tls():
                return
            rl = self.rule("tls-established")
            if rl and self.apply_rule(rl):
                return
        if p.get("silent"):
            self.log("*", "silent persona: never sending a banner")
            while True:
                line = await self.readline(limit=1 << 20)
                self.log("C", redact(line) if line is not None else "<overlong line>")
        if p.get("banner_delay"):   # a slow greeting keeps sessions open (concurrency tests)
            await asyncio.sleep(float(p["banner_delay"]))
        rl = self.rule("banner")
        if rl:
            if self.apply_rule(rl):
                return
            self.session_ok = self.code_ok(rl["reply"]) if rl.get("reply") is not None else True
        else:
            banner = p.get("banner", self.r("banner"))
            self.send(banner)
            self.session_ok = self.code_ok(banner)
        while True:
            self.in_command_phase = True
            line = await self.readline()
            self.in_command_phase = False
            if line is None:
                self.log("C", "<line too long>")
                self.send(self.r("line_too_long"))
                continue
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            arg = arg.strip()
            self.log("C", redact(line))
            if not self.session_ok and verb != "QUIT":
                self.send(self.r("rejected_session"))
                continue
            handler = getattr(self, "cmd_" + verb, None)
            if handler is None:
                self.send(self.r("unknown"), arg=line)
                continue
            if await handler(arg):
                return

    # -- commands (return True to close the connection)
    def ehlo_lines(self):
        p = self.p
        exts = p.get("extensions_tls") if (self.tls and "extensions_tls" in p) else p.get("extensions", [])
        c = self.ctx()
        greeting = render(p.get("ehlo_greeting", "{hostname}"), c)
        lines = [greeting] + [render(e, c) for e in exts]
        return ["250%s%s" % ("-" if i < len(lines) - 1 else " ", ln) for i, ln in enumerate(lines)]

    async def cmd_EHLO(self, arg):
        stage = "ehlo-after-tls" if self.after_starttls else "ehlo"
        rl = self.rule(stage, arg)
        if rl:
            ok = self.code_ok(rl["reply"]) if rl.get("reply") is not None else False
            if ok:
                self.greeted = True
                self.reset_txn()
            return self.apply_rule(rl, arg=arg)
        if not arg:
            self.send(self.r("ehlo_syntax"))
            return False
        self.greeted = True
        self.reset_txn()
        self.send(self.ehlo_lines(), arg=arg)
        return False

    async def cmd_HELO(self, arg):
        rl = self.rule("helo", arg)
        if rl:
            ok = self.code_ok(rl["reply"]) if rl.get("reply") is not None else False
            if ok:
                self.greeted = True
                self.reset_txn()
            return self.apply_rule(rl, arg=arg)
        if not arg:
            self.send(self.r("helo_syntax"))
            return False
        self.greeted = True
        self.reset_txn()
        self.send(self.r("helo"), arg=arg)
        return False

    async def cmd_STARTTLS(self, arg):
        if self.p.get("tls") != "starttls":
            self.send(self.r("starttls_unavailable"))
            return False
        if self.tls:
            self.send(self.r("tls_already"))
            return False
        if arg:
            self.send(self.r("starttls_syntax"))
            return False
        rl = self.rule("starttls", arg)
        if rl:
            ok = self.code_ok(rl["reply"]) if rl.get("reply") is not None else False
            if self.apply_rule(rl):
                return True
            if not ok:
                return False
        else:
            self.send(self.r("starttls_ready"))
        if self.conn.buf:
            self.log("*", "discarding %d plaintext bytes pipelined after STARTTLS" % len(self.conn.buf))
            del self.conn.buf[:]
        self.after_starttls = True
        if not await self.do_tls():
            return True
        # RFC 3207: forget everything learned before TLS
        self.greeted = False
        self.authenticated = False
        self.auth_user = None
        self.reset_txn()
        rl = self.rule("tls-established")
        if rl and self.apply_rule(rl):
            return True
        return False

    def auth_available(self):
        a = self.p.get("auth")
        if not a:
            return False
        if a.get("require_tls") and not self.tls:
            return False
        return True

    def check_password(self, user, password):
        if self.sim.user is None or self.sim.password is None:
            return False
        return (hmac.compare_digest(user.encode(), self.sim.user.encode())
                and hmac.compare_digest(password.encode(), self.sim.password.encode()))

    async def auth_line(self, prompt):
        self.send(prompt)
        line = await self.readline()
        if line is None:
            raise ValueError("bad_base64")
        self.log("C", "[auth continuation redacted]")
        if line.strip() == "*":
            raise KeyError("aborted")
        return line

    async def cmd_AUTH(self, arg):
        if not self.greeted:
            self.send(self.r("need_ehlo"))
            return False
        parts = arg.split()
        mech = parts[0].upper() if parts else ""
        ir = parts[1] if len(parts) > 1 else None
        rl = self.rule("auth", mech, before_exchange=True)
        if rl:
            return self.apply_rule(rl, arg=mech)
        if not self.auth_available():
            self.send(self.r("auth_not_available"))
            return False
        if self.authenticated:
            self.send(self.r("auth_already"))
            return False
        if self.mail_from is not None:
            self.send(self.r("auth_in_transaction"))
            return False
        if mech not in self.p["auth"].get("mechanisms", []):
            self.send(self.r("auth_unsupported"))
            return False
        try:
            ok, user = await self.auth_exchange(mech, ir)
        except KeyError:
            self.send(self.r("auth_aborted"))
            return False
        except (ValueError, binascii.Error, UnicodeDecodeError):
            self.send(self.r("auth_bad_base64"))
            return False
        self.log("*", "auth %s %s" % (mech, "ok" if ok else "failed"))
        rl = self.rule("auth", mech, auth_ok=ok, before_exchange=False)
        if rl:
            if rl.get("reply") is not None and self.code_ok(rl["reply"]):
                self.authenticated, self.auth_user = True, user
            return self.apply_rule(rl, arg=mech)
        if ok:
            self.authenticated, self.auth_user = True, user
            self.send(self.r("auth_ok"))
        else:
            self.send(self.r("auth_failed"))
        return False

    async def auth_exchange(self, mech, ir):
        if mech == "PLAIN":
            resp = ir if ir is not None else await self.auth_line(self.r("auth_prompt_plain"))
            parts = b64d(resp).split(b"\0")
            if len(parts) != 3:
                return False, None
            user, pw = parts[1].decode("utf-8"), parts[2].decode("utf-8")
            return self.check_password(user, pw), user
        if mech == "LOGIN":
            u = ir if ir is not None else await self.auth_line(self.r("auth_prompt_login_user"))
            user = b64d(u).decode("utf-8")
            pw = b64d(await self.auth_line(self.r("auth_prompt_login_pass"))).decode("utf-8")
            return self.check_password(user, pw), user
        if mech == "CRAM-MD5":
            if ir is not None:
                raise ValueError("CRAM-MD5 takes no initial response")
            challenge = "<%d.%d@%s>" % (secrets.randbelow(10 ** 9), int(time.time()),
                                        self.p.get("hostname", "mail.sim.test"))
            resp = b64d(await self.auth_line("334 " + base64.b64encode(challenge.encode()).decode()))
            user, _, digest = resp.decode("utf-8").rpartition(" ")
            if self.sim.password is None or self.sim.user is None:
                return False, user
            want = hmac.new(self.sim.password.encode(), challenge.encode(), hashlib.md5).hexdigest()
            ok = hmac.compare_digest(user.encode(), self.sim.user.encode()) and \
                hmac.compare_digest(digest.lower().encode(), want.encode())
            return ok, user
        if mech == "XOAUTH2":
            resp = ir if ir is not None else await self.auth_line(self.r("auth_prompt_xoauth2"))
            fields = dict(kv.split("=", 1) for kv in b64d(resp).decode("utf-8").split("\x01") if "=" in kv)
            user = fields.get("user", "")
            token = fields.get("auth", "")
            token = token[7:] if token.lower().startswith("bearer ") else token
            return self.check_password(user, token), user
        raise ValueError("mechanism")

    _ADDR = re.compile(r"^(?i:(FROM|TO)):\s*<([^<>]*)>\s*(.*)$")

    async def cmd_MAIL(self, arg):
        if not self.greeted:
            self.send(self.r("need_ehlo"))
            return False
        m = self._ADDR.match(arg)
        if not m or m.group(1).upper() != "FROM":
            self.send(self.r("mail_syntax"))
            return False
        if self.mail_from is not None:
            self.send(self.r("mail_nested"))
            return False
        addr = m.group(2)
        params = {}
        for tok in m.group(3).split():
            k, _, v = tok.partition("=")
            params[k.upper()] = v
        rl = self.rule("mail-from", addr)
        if rl:
            if rl.get("reply") is not None and self.code_ok(rl["reply"]):
                self.mail_from, self.mail_params = addr, params
            return self.apply_rule(rl, arg=arg, addr=addr)
        if self.p.get("require_tls") and not self.tls:
            self.send(self.r("tls_required"))
            return False
        a = self.p.get("auth") or {}
        if a.get("required") and not self.authenticated:
            self.send(self.r("auth_required"), addr=addr)
            return False
        if self.size_limit and "SIZE" in params:
            try:
                declared = int(params["SIZE"])
            except ValueError:
                self.send(self.r("mail_syntax"))
                return False
            if declared > self.size_limit:
                self.send(self.r("size_exceeded_mail"), addr=addr)
                return False
        self.mail_from, self.mail_params = addr, params
        self.send(self.r("mail_ok"), addr=addr)
        return False

    async def cmd_RCPT(self, arg):
        if self.mail_from is None:
            self.send(self.r("need_mail"))
            return False
        m = self._ADDR.match(arg)
        if not m or m.group(1).upper() != "TO":
            self.send(self.r("rcpt_syntax"))
            return False
        addr = m.group(2)
        rl = self.rule("rcpt-to", addr)
        if rl:
            if rl.get("reply") is not None and self.code_ok(rl["reply"]):
                self.rcpts.append(addr)
            return self.apply_rule(rl, arg=arg, addr=addr)
        self.rcpts.append(addr)
        self.send(self.r("rcpt_ok"), addr=addr)
        return False

    async def cmd_DATA(self, arg):
        if self.mail_from is None:
            self.send(self.r("need_mail"))
            return False
        if not self.rcpts:
            self.send(self.r("need_rcpt"))
            return False
        if arg:
            self.send(self.r("data_syntax"))
            return False
        rl = self.rule("data", arg)
        if rl:
            ok = rl.get("reply") is not None and self.code_ok(rl["reply"])
            if self.apply_rule(rl):
                return True
            if not ok:
                return False
        else:
            self.send(self.r("data_go"))
        body, size = await self.read_data()
        self.log("C", "<message data: %d bytes>" % size)
        return self.finish_message(body, size)

    async def cmd_BDAT(self, arg):
        exts = " ".join((self.p.get("extensions_tls") if self.tls and "extensions_tls" in self.p
                         else self.p.get("extensions")) or []).upper()
        if "CHUNKING" not in exts:
            self.send(self.r("bdat_unavailable"))
            return False
        m = re.match(r"^(\d+)(\s+LAST)?$", arg, re.I)
        if not m:
            self.send(self.r("bdat_syntax"))
            return False
        n, last = int(m.group(1)), bool(m.group(2))
        chunk = await self.read_exact(n)
        if self.mail_from is None or not self.rcpts:
            self.send(self.r("need_mail") if self.mail_from is None else self.r("need_rcpt"))
            return False
        if self.bdat is None:
            self.bdat = [bytearray(), 0]
        self.bdat[1] += n
        if self.size_limit is None or len(self.bdat[0]) <= self.size_limit:
            self.bdat[0] += chunk
        self.log("C", "<BDAT chunk: %d bytes%s>" % (n, ", LAST" if last else ""))
        if not last:
            self.send(self.r("bdat_chunk_ok"), chunk_size=n)
            return False
        body, size = bytes(self.bdat[0]), self.bdat[1]
        return self.finish_message(body if (not self.size_limit or size <= self.size_limit) else None, size)

    def finish_message(self, body, size):
        try:
            if self.size_limit and size > self.size_limit:
                self.send(self.r("size_exceeded_data"))
                return False
            rl = self.rule("end-of-data", self.mail_from or "")
            if rl:
                return self.apply_rule(rl, addr=self.mail_from or "")
            self.sim.msg_counter += 1
            if self.sim.save_dir and body is not None:
                os.makedirs(self.sim.save_dir, exist_ok=True)
                path = os.path.join(self.sim.save_dir, "%06d.eml" % self.sim.msg_counter)
                with open(path + ".tmp", "wb") as f:
                    f.write(body)
                os.replace(path + ".tmp", path)
                with open(os.path.join(self.sim.save_dir, "%06d.env" % self.sim.msg_counter), "w") as f:
                    json.dump({"mail_from": self.mail_from, "rcpts": self.rcpts,
                               "params": self.mail_params, "size": size, "tls": self.tls_version,
                               "authenticated": self.authenticated}, f)
            self.send(self.r("data_ok"))
            return False
        finally:
            self.reset_txn()

    async def cmd_RSET(self, arg):
        self.reset_txn()
        self.send(self.r("rset"))
        return False

    async def cmd_NOOP(self, arg):
        self.send(self.r("noop"))
        return False

    async def cmd_VRFY(self, arg):
        self.send(self.r("vrfy"), arg=arg)
        return False

    async def cmd_HELP(self, arg):
        self.send(self.r("help"))
        return False

    async def cmd_QUIT(self, arg):
        rl = self.rule("quit", arg)
        if rl:
            if rl.get("reply") is not None:
                self.send(rl["reply"])
            return True
        self.send(self.r("quit"))
        return True


# --------------------------------------------------------------------------- main
async def serve(args, persona, password):
    loop = asyncio.get_running_loop()
    if args.log:
        logf = open(args.log, "a", buffering=1, encoding="utf-8")
    else:
        logf = sys.stderr
    sim = Sim(persona, args.certdir, args.user, password, logf, args.save_dir)
    sim.loop = loop
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    server = await loop.create_server(lambda: Conn(sim), HOST, args.port,
                                      reuse_address=True, backlog=64)
    port = server.sockets[0].getsockname()[1]
    sim.log("-", "*", "listening %s:%d persona=%s" % (HOST, port, persona["name"]))
    if persona.get("auth") and args.user is None:
        sim.log("-", "*", "warning: persona has AUTH but no --user given; every AUTH will fail")
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.ready_file)

    async def watch_parent(ppid):
        while not stop.is_set():
            if os.getppid() != ppid:
                sim.log("-", "*", "parent went away; exiting")
                stop.set()
            await asyncio.sleep(0.5)

    watcher = loop.create_task(watch_parent(os.getppid())) if args.exit_with_parent else None
    await stop.wait()
    sim.log("-", "*", "shutting down")
    server.close()
    for s in list(sim.sessions):
        if s.in_command_phase and not s.p.get("silent"):
            try:
                s.send(s.r("shutdown"))
            except Exception:
                pass
        tr = s.conn.transport
        if tr is not None:
            tr.abort() if s.p.get("silent") else tr.close()
        if s.conn.task is not None:
            s.conn.task.cancel()
    try:
        await asyncio.wait_for(server.wait_closed(), 2)
    except asyncio.TimeoutError:
        pass
    if watcher:
        watcher.cancel()
    await asyncio.sleep(0.05)
    for s in list(sim.sessions):
        if s.conn.transport is not None:
            s.conn.transport.abort()
    sim.log("-", "*", "stopped")


def main(argv=None):
    ap = argparse.ArgumentParser(description="scripted SMTP server for mfpdoctor tests (127.0.0.1 only)")
    ap.add_argument("--persona")
    ap.add_argument("--personas", default=DEFAULT_PERSONAS, help="persona file (default: personas.json next to this script)")
    ap.add_argument("--certdir", help="directory made by mkcerts.sh (needed for TLS personas)")
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = pick a free one)")
    ap.add_argument("--ready-file", help="write the bound port here once accepting connections")
    ap.add_argument("--log", help="append the session log here (default: stderr)")
    ap.add_argument("--user", help="the one valid AUTH user")
    ap.add_argument("--password-file", help="file holding the user's password (first line)")
    ap.add_argument("--save-dir", help="store accepted messages here as NNNNNN.eml (+ .env JSON)")
    ap.add_argument("--exit-with-parent", action="store_true", help="exit when the parent process dies")
    ap.add_argument("--list", action="store_true", help="list personas and exit")
    ap.add_argument("--dump", metavar="NAME", help="print the resolved persona as JSON and exit")
    args = ap.parse_args(argv)
    try:
        personas = load_all(args.personas)
    except (PersonaError, OSError, ValueError, re.error) as e:
        print("smtpsim: cannot load personas: %s" % e, file=sys.stderr)
        return 2
    if args.list:
        for n, p in personas.items():
            if not p.get("abstract"):
                print("%-24s %s" % (n, p.get("description", "")))
        return 0
    if args.dump:
        if args.dump not in personas:
            print("smtpsim: unknown persona %s" % args.dump, file=sys.stderr)
            return 2
        print(json.dumps(personas[args.dump], indent=2))
        return 0
    if not args.persona or args.persona not in personas or personas[args.persona].get("abstract"):
        print("smtpsim: --persona must be one of: %s" % ", ".join(
            n for n, p in personas.items() if not p.get("abstract")), file=sys.stderr)
        return 2
    persona = personas[args.persona]
    if persona.get("tls", "none") != "none" and not args.certdir:
        print("smtpsim: persona %s uses TLS: --certdir is required" % args.persona, file=sys.stderr)
        return 2
    password = None
    if args.password_file:
        with open(args.password_file, encoding="utf-8") as f:
            password = f.readline().rstrip("\r\n")
    if (args.user is None) != (password is None):
        print("smtpsim: --user and --password-file go together", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(args, persona, password))
    except OSError as e:
        print("smtpsim: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
