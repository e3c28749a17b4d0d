#!/usr/bin/python3
"""ews_server.py — a fixture embedded web server (EWS) that behaves like one printer family.

Standard library only (http.server + ssl). One process simulates one family (--family, see
FAMILIES below): its root page and Server header, its login (form with cookies and CSRF token,
GET login, HTTP Basic or Digest), session cookies that expire (--expire-after N pages), its
settings and log pages from tests/fixtures/web/<dir>/ (a "changed firmware" variant with
--variant changed, a localised one with --variant de), HTTPS with a certificate given on the
command line, and limit tests (--huge PATH serves 3 MiB, --slow PATH answers after --slow-s).

Hostile modes (tests/integration/test_hostile_web.py), each for one PATH ("/" included):
--redirect-loop (PATH -> PATH?hop=1 -> PATH?hop=2 -> PATH), --redirect-chain (endless distinct
redirects), --offhost (Location: http://evil.test/...), --huge with --huge-mb and --huge-chunked
(no Content-Length), --header-flood (--headers-n header lines), --drip (one body byte per
second), --log-entries N (the Xerox job log with N e-mail failures, newest first), and
--echo-secret (the submitted password, its encoded form and the Authorization header are echoed
into settings values, a response header and the login error page).
Real-device behaviour: --lang XX (path language segments, Ricoh), --login-answer FILE (the login
always answers with that fixture: Konica Minolta's err XML, Ricoh's cookie error page), Ricoh's
cookie check (login.cgi without cookieOnOffChecker=on answers with the cookie error page),
Kyocera's refused login (the same page as a success, with cookies; only var LoginStatus differs).

Read-only proof: any request other than GET, or a POST other than the family's login form (or,
for TopAccess, an XML GetValue read command), is recorded as a violation, listed at GET /__violations (JSON) and makes the process exit 3 at
shutdown (SIGTERM or GET /__shutdown). Prints "READY <port>" on stdout once listening.

Usage: ews_server.py --family F [--port 0] [--tls CERT KEY] [--user U] [--password P] ...
"""
import argparse
import base64
import hashlib
import html
import http.server
import json
import os
import re
import secrets
import signal
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "web")

from ews_families import FAMILIES  # noqa: E402 (per-family data: fixtures, login, pages)


def relang(obj, lang):
    """The family with /en/ path segments in the device language (Ricoh /web/guest/<lang>/)."""
    if isinstance(obj, str):
        return obj.replace("/en/", "/%s/" % lang)
    if isinstance(obj, dict):
        return {relang(k, lang): relang(v, lang) for k, v in obj.items()}
    if isinstance(obj, list):
        return [relang(v, lang) for v in obj]
    if isinstance(obj, tuple):
        return tuple(relang(v, lang) for v in obj)
    return obj


class State:
    def __init__(self, args):
        self.args = args
        self.fam = FAMILIES[args.family]
        if args.lang:
            self.fam = relang(self.fam, args.lang)
        if args.user is None:
            args.user = self.fam.get("user", "admin")
        self.lock = threading.Lock()
        self.violations = []
        self.sessions = {}       # cookie value -> pages served
        self.tokens = set()
        self.logins = 0
        self.nonces = set()
        self.requests = []
        self.echo_pw = None      # --echo-secret: last submitted password (decoded) ...
        self.echo_enc = None     # ... and as it was encoded on the wire


def issued(st, kind, value):
    """--issued-log: every CSRF token and session cookie value handed out, one "kind value" line
    (tests check that a recording holds none of them)."""
    if st.args.issued_log:
        with st.lock, open(st.args.issued_log, "a") as f:
            f.write("%s %s\n" % (kind, value))


def fixture(st, name):
    d = os.path.join(FIXTURES, st.fam["dir"])
    for variant in (st.args.variant,):
        if variant:
            base, ext = os.path.splitext(name)
            p = os.path.join(d, "%s.%s%s" % (base, variant, ext))
            if os.path.exists(p):
                return open(p, "rb").read()
    return open(os.path.join(d, name), "rb").read()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "x"
    sys_version = ""

    def log_message(self, fmt, *a):
        if self.server.st.args.verbose:
            sys.stderr.write("ews: " + fmt % a + "\n")

    # --- helpers ---
    @property
    def st(self):
        return self.server.st

    def cookies(self):
        out = {}
        for part in self.headers.get("Cookie", "").split(";"):
            if "=" in part:
                k, v = part.strip().split("=", 1)
                out[k] = v
        return out

    def send(self, status, body=b"", ctype="text/html; charset=utf-8", headers=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Server", self.st.fam["server"])
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, where, headers=()):
        self.send(302, "", headers=[("Location", where)] + list(headers))

    def violation(self, why):
        with self.st.lock:
            self.st.violations.append("%s %s: %s" % (self.command, self.path, why))
        self.send(405, "not allowed in this simulation")

    def ctype_for(self, name):
        if name.endswith(".xml"):
            return "text/xml; charset=utf-8"
        if name.endswith(".json"):
            return "application/json"
        if self.st.args.variant == "sjis" and name.endswith(".html"):
            return "text/html"
        return "text/html; charset=utf-8"

    def render(self, name):
        body = fixture(self.st, name)
        if self.st.args.lang:
            body = body.replace(b"/en/", b"/%s/" % self.st.args.lang.encode())
        if b"{{TOKEN}}" in body:
            tok = secrets.token_hex(12)
            with self.st.lock:
                self.st.tokens.add(tok)
            body = body.replace(b"{{TOKEN}}", tok.encode())
            issued(self.st, "token", tok)
        return body

    def session_ok(self):
        lg = self.st.fam["login"]
        c = self.cookies().get(lg.get("cookie", ""), "")
        with self.st.lock:
            if c not in self.st.sessions:
                return False
            self.st.sessions[c] += 1
            if self.st.args.expire_after and self.st.sessions[c] > self.st.args.expire_after:
                del self.st.sessions[c]
                return False
            return True

    def new_session(self):
        lg = self.st.fam["login"]
        v = secrets.token_hex(8)
        issued(self.st, "cookie", v)
        with self.st.lock:
            self.st.sessions[v] = 0
            self.st.logins += 1
        dom = "; Domain=127.0.0.1" if lg.get("cookie_on_ip") else ""  # Canon sets cookies on the IP host
        hdrs = [("Set-Cookie", "%s=%s; Path=/; HttpOnly%s" % (lg["cookie"], v, dom))]
        if lg.get("extra_cookie"):
            hdrs.append(("Set-Cookie", "%s=%s; Path=/" % lg["extra_cookie"]))
        return hdrs

    def http_auth_ok(self):
        lg = self.st.fam["login"]
        a = self.headers.get("Authorization", "")
        if lg["kind"] == "basic":
            if not a.startswith("Basic "):
                return False
            try:
                u, p = base64.b64decode(a[6:]).decode().split(":", 1)
            except Exception:
                return False
            return u == self.st.args.user and p == self.st.args.password
        if lg["kind"] == "digest":
            if not a.startswith("Digest "):
                return False
            f = dict(re.findall(r'(\w+)="?([^",]*)"?', a[7:]))
            if f.get("nonce") not in self.st.nonces or f.get("username") != self.st.args.user:
                return False
            ha1 = hashlib.md5(("%s:%s:%s" % (self.st.args.user, lg["realm"], self.st.args.password)).encode()).hexdigest()
            ha2 = hashlib.md5(("%s:%s" % (self.command, f.get("uri", ""))).encode()).hexdigest()
            if f.get("qop"):
                resp = hashlib.md5(("%s:%s:%s:%s:%s:%s" % (ha1, f["nonce"], f.get("nc", ""), f.get("cnonce", ""), f["qop"], ha2)).encode()).hexdigest()
            else:
                resp = hashlib.md5(("%s:%s:%s" % (ha1, f["nonce"], ha2)).encode()).hexdigest()
            return resp == f.get("response")
        return True

    def challenge(self):
        lg = self.st.fam["login"]
        if lg["kind"] == "basic":
            h = 'Basic realm="%s"' % lg["realm"]
        else:
            n = secrets.token_hex(16)
            with self.st.lock:
                self.st.nonces.add(n)
            h = 'Digest realm="%s", qop="auth", nonce="%s", algorithm=MD5' % (lg["realm"], n)
        self.send(401, "<html><title>401 Unauthorized</title></html>", headers=[("WWW-Authenticate", h)])

    # --- login ---
    def do_login(self, fields, wire=""):
        lg = self.st.fam["login"]
        if self.st.args.login_answer:  # a fixed answer whatever was sent (refusals of real devices)
            name = self.st.args.login_answer
            return self.send(200, self.render(name), ctype="text/xml" if name.endswith(".xml") else "text/html; charset=utf-8")
        chk = lg.get("cookie_check")
        if chk and self.cookies().get(chk[0]) != chk[1]:
            return self.send(200, self.render(chk[2]))
        pw = fields.get(lg["pass_field"], "")
        if self.st.args.echo_secret:
            m = re.search(r"(?:^|&)%s=([^&]*)" % re.escape(urllib.parse.quote(lg["pass_field"], safe="")), wire)
            with self.st.lock:
                self.st.echo_enc = m.group(1) if m else None
        user = fields.get(lg["user_field"], "") if lg.get("user_field") else self.st.args.user
        if lg.get("b64"):
            try:
                pw = base64.b64decode(pw).decode()
                user = base64.b64decode(user).decode() if lg.get("user_field") else user
            except Exception:
                pw = None
        if self.st.args.echo_secret:
            with self.st.lock:
                self.st.echo_pw = pw
        if lg.get("token_field"):
            tok = fields.get(lg["token_field"], "")
            with self.st.lock:
                ok_tok = tok in self.st.tokens
                self.st.tokens.discard(tok)  # one-shot
            if not ok_tok:
                with self.st.lock:
                    self.st.violations.append("login without a valid CSRF token (%r)" % tok)
                return self.send(403, "<html><title>Forbidden</title><body>invalid token</body></html>")
        if lg.get("need_referer") and not self.headers.get("Referer"):
            return self.send(500, "<html>Internal Server Error</html>")
        if pw == self.st.args.password and user == self.st.args.user:
            hdrs = self.new_session()
            if lg.get("ok_redirect"):
                return self.redirect(lg["ok_redirect"], hdrs)
            if lg.get("ok_file"):
                return self.send(200, self.render(lg["ok_file"]), headers=hdrs)
            return self.send(200, lg["ok_body"], ctype="application/json" if lg["ok_body"].startswith("{") else "text/html", headers=hdrs)
        if lg.get("fail_redirect"):
            return self.redirect(lg["fail_redirect"])
        if lg.get("fail_file"):
            hdrs = []
            if lg.get("fail_cookies"):  # cookies that open nothing (not a session)
                hdrs = [("Set-Cookie", "%s=%s; Path=/" % (lg["cookie"], secrets.token_hex(8)))]
                if lg.get("extra_cookie"):
                    hdrs.append(("Set-Cookie", "%s=%s; Path=/" % lg["extra_cookie"]))
            return self.send(200, self.echo(self.render(lg["fail_file"])), headers=hdrs)
        return self.send(200, lg["fail_body"], ctype="application/json" if lg["fail_body"].startswith("{") else "text/xml")

    # --- verbs ---
    def do_GET(self):
        st = self.st
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        with st.lock:
            st.requests.append("GET " + self.path)
        if path == "/__violations":
            return self.send(200, json.dumps(st.violations), ctype="application/json")
        if path == "/__stats":
            return self.send(200, json.dumps({"logins": st.logins, "requests": st.requests}), ctype="application/json")
        if path == "/__shutdown":
            self.send(200, "bye")
            threading.Thread(target=self.server.shutdown, daemon=True).start()
            return
        if self.hostile(path, url):
            return
        fam = st.fam
        lg = fam["login"]
        full = self.path
        if st.args.slow and path == st.args.slow:
            time.sleep(st.args.slow_s)
        if path == "/":
            return self.send(200, self.render(fam["root"]))
        if lg["kind"] == "form" and lg.get("method") == "GET" and path == lg["action"]:
            q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            return self.do_login(q, url.query)
        if lg["kind"] == "form" and lg.get("page") == full:
            return self.send(200, self.render(lg["page_file"]))
        if lg.get("logout") and path == lg["logout"]:
            c = self.cookies().get(lg.get("cookie", ""), "")
            with st.lock:
                st.sessions.pop(c, None)
            return self.send(200, "<html>logged out</html>")
        if st.args.wrong_page and path == st.args.wrong_page:  # a device that answers with its login/home page
            return self.send(200, self.render(fam["root"]))
        if path not in fam["pages"]:
            return self.send(404, "<html><title>404 Not Found</title></html>")
        name = fam["pages"][path]
        if st.args.missing and path == st.args.missing:
            return self.send(404, "<html><title>404 Not Found</title></html>")
        public = path in fam.get("public", [])
        if not public and lg["kind"] in ("basic", "digest"):
            if not self.http_auth_ok():
                return self.challenge()
        elif not public and lg["kind"] == "form":
            if not self.session_ok():
                if lg.get("stub_file"):
                    return self.send(200, self.render(lg["stub_file"]), ctype="text/html")
                return self.redirect(lg["login_redirect"])
        if st.args.log_entries and name == "wc_joblog.html":
            return self.send(200, joblog(st.args.log_entries))
        body = self.echo(self.render(name))
        hdrs = []
        if st.args.echo_secret and st.echo_enc:
            hdrs.append(("Set-Cookie", "lastpw=%s; Path=/" % st.echo_enc))
        return self.send(200, body, ctype=self.ctype_for(name), headers=hdrs)

    # --- hostile modes ---
    def hostile(self, path, url):
        """Answers a request for a hostile PATH; returns True when it did."""
        a = self.st.args
        if a.redirect_loop and path == a.redirect_loop:
            hop = int(dict(urllib.parse.parse_qsl(url.query)).get("hop", "0"))
            self.redirect(a.redirect_loop + "?hop=%d" % (hop + 1) if hop < 2 else a.redirect_loop)
        elif a.redirect_chain and path == a.redirect_chain:
            n = int(dict(urllib.parse.parse_qsl(url.query)).get("n", "0"))
            self.redirect("%s?n=%d" % (a.redirect_chain, n + 1))
        elif a.offhost and path == a.offhost:
            self.redirect("http://evil.test/steal?from=" + urllib.parse.quote(path))
        elif a.huge and path == a.huge:
            self.huge(int(a.huge_mb * 1024 * 1024), a.huge_chunked)
        elif a.header_flood and path == a.header_flood:
            head = ["HTTP/1.1 200 OK", "Server: " + self.st.fam["server"], "Content-Type: text/html"]
            head += ["X-Flood-%d: %s" % (i, "v" * 10) for i in range(a.headers_n)]
            body = b"<html><title>flood</title></html>"
            head.append("Content-Length: %d" % len(body))
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        elif a.drip and path == a.drip:
            self.drip(b"<html><head><title>drip</title></head><body>" + b"." * 200 + b"</body></html>")
        else:
            return False
        return True

    def huge(self, size, chunked):
        row = b"<tr><td>" + b"x" * 1000 + b"</td></tr>\n"
        body = b"<html><body><table>" + row * (size // len(row) + 1) + b"</table></body></html>"
        if not chunked:
            return self.send(200, body)
        self.close_connection = True
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
        try:
            for i in range(0, len(body), 65536):
                self.wfile.write(body[i:i + 65536])
        except OSError:
            pass

    def drip(self, body):
        self.close_connection = True
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body))
            self.wfile.flush()
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass

    def echo(self, body):
        """--echo-secret: puts the submitted secrets into settings values and the error text."""
        st = self.st
        if not st.args.echo_secret:
            return body
        pw, enc = st.echo_pw or "", st.echo_enc or ""
        auth = self.headers.get("Authorization", "")
        esc = html.escape(pw, quote=True)
        subs = [(r'(name="GSI_SMTP_ACCOUNT" value=")[^"]*', esc),
                (r"(GSI_SMTP_SERVER_DOMAIN' value = ')[^']*", enc),
                (r'(name="DeviceUserID" value=")[^"]*', html.escape(auth, quote=True)),
                (r'(name="ReplyAddress" value=")[^"]*', html.escape(auth[6:], quote=True) + "@lex.example"),
                (r"(id=\"LoginErr\"[^>]*>)[^<]*", "Wrong password %s (sent as %s)" % (esc, enc))]
        text = body.decode("utf-8", "replace")
        for pat, val in subs:
            text = re.sub(pat, lambda m: m.group(1) + val, text)
        return text.encode("utf-8")

    def do_POST(self):
        st = self.st
        lg = st.fam["login"]
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        with st.lock:
            st.requests.append("POST " + self.path)
        if lg["kind"] == "form" and lg.get("method") == "POST" and self.path == lg["action"]:
            return self.do_login(dict(urllib.parse.parse_qsl(body, keep_blank_values=True)), body)
        reads = st.fam.get("read_posts", {})
        if self.path in reads and "<GetValue>" in body and "Set" not in body:
            return self.send(200, self.render(reads[self.path]), ctype="text/xml; charset=utf-8")
        return self.violation("POST is only allowed to the login form (or a TopAccess GetValue read command)")

    def _bad(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        self.violation("method not allowed: the tool must only read")

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_TRACE = do_CONNECT = _bad


def joblog(n):
    """A Xerox job log with n e-mail failures, newest first (one a minute back from noon)."""
    rows = []
    for i in range(n):
        t = 12 * 60 * 60 - 60 * i
        rows.append("<tr><td>2024-05-02 %02d:%02d:%02d</td><td>Email</td><td>Deleted</td><td>SMTP server authentication "
                    "failure %d</td><td>016-786</td></tr>" % (t // 3600, t // 60 % 60, t % 60, n - i))
    return ('<html><head><title>XEROX WORKCENTRE - Job Log</title></head><body><table id="jobLogTable"><thead><tr>'
            "<th>Date/Time</th></tr></thead><tbody>%s</tbody></table></body></html>" % "\n".join(rows))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--family", required=True, choices=sorted(FAMILIES))
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--user", default=None, help="login name (default: the family's usual one)")
    ap.add_argument("--password", default="s3cret-Pw")
    ap.add_argument("--variant", default="", help="fixture variant suffix: changed, de, ja ...")
    ap.add_argument("--expire-after", type=int, default=0, help="a session dies after N protected pages")
    ap.add_argument("--huge", default="", help="path answered with --huge-mb MiB (default 3)")
    ap.add_argument("--huge-mb", type=float, default=3.0)
    ap.add_argument("--huge-chunked", action="store_true", help="send the huge page without Content-Length")
    ap.add_argument("--redirect-loop", default="", help="path that redirects in a loop")
    ap.add_argument("--redirect-chain", default="", help="path that redirects without end (distinct URLs)")
    ap.add_argument("--offhost", default="", help="path that redirects to http://evil.test/")
    ap.add_argument("--header-flood", default="", help="path answered with --headers-n header lines")
    ap.add_argument("--headers-n", type=int, default=10000)
    ap.add_argument("--drip", default="", help="path whose body is sent one byte per second")
    ap.add_argument("--log-entries", type=int, default=0, help="the Xerox job log holds N e-mail failures")
    ap.add_argument("--echo-secret", action="store_true", help="echo submitted secrets into pages and headers")
    ap.add_argument("--slow", default="", help="path answered after --slow-s seconds")
    ap.add_argument("--slow-s", type=float, default=5.0)
    ap.add_argument("--missing", default="", help="path answered with 404")
    ap.add_argument("--wrong-page", default="", help="path answered with the root (login) page, HTTP 200")
    ap.add_argument("--lang", default="", help="device language in path segments (/en/ -> /LANG/, Ricoh)")
    ap.add_argument("--login-answer", default="", help="fixture file the login always answers with (HTTP 200)")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--issued-log", default="", help="append every CSRF token and session cookie value issued to FILE")
    ap.add_argument("--fixtures", default="", help="fixture root instead of tests/fixtures/web (printer.py writes "
                    "per-scenario copies there)")
    args = ap.parse_args()
    if args.fixtures:
        global FIXTURES
        FIXTURES = args.fixtures
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.st = State(args)
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=srv.shutdown, daemon=True).start())
    print("READY %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever(poll_interval=0.1)
    finally:
        srv.server_close()
    if srv.st.violations:
        sys.stderr.write("ews: VIOLATIONS:\n  " + "\n  ".join(srv.st.violations) + "\n")
        sys.exit(3)


if __name__ == "__main__":
    main()
