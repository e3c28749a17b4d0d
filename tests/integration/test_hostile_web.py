#!/usr/bin/python3
"""test_hostile_web.py — `mfpdoctor web` and the HTTP identification of `mfpdoctor device` against
a hostile embedded web server (tests/sim/ews_server.py hostile modes, 127.0.0.1 only).

Each case asserts the note text (the real reason, naming the page), the exit code, and that the
run ended inside its bound: redirect loop, endless redirects, off-host redirect (never followed),
5 MiB page with and without Content-Length, 10 000 headers, a page dripping one byte per second,
a job log with 312 entries, a server echoing the password / Authorization header into settings,
a response header and its login error page, and a self-signed certificate.
Prints "N passed, M failed" last; exits 77 when the binary or openssl is missing.
"""
import base64
import html
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_web as tw  # noqa: E402  (Sim, run: the fixture server and the binary)

BIN = tw.BIN
JOBLOG = "/properties/maintenance/joblog.php"
SMTP = "/properties/protocols/smtp.dhtml"
# a password whose encodings all differ: space, &, =, %, /, quotes, <, non-ASCII
HOSTILE_PW = "pa ss&w=rd%/\u00e4<\"'x"

passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s %s" % (what, str(detail)[:3000] if detail else ""))


def timed(fn, *a, **k):
    t0 = time.time()
    r = fn(*a, **k)
    return r, time.time() - t0


def notes(j):
    return "\n".join(j["notes"]) if j else ""


def web_case(label, certs, sim_args, want_note, want_rc, bound_s, web_args=("--web-insecure",), family="xerox-workcentre",
             tls=True, forbid=(), password=tw.PASSWORD):
    """One `mfpdoctor web` run against a hostile simulator; returns the JSON report."""
    sim = tw.Sim(family, tls=tls, certs=certs, extra=list(sim_args))
    try:
        (rc, j, out), dt = timed(tw.run, sim, *web_args, password=password, timeout=bound_s + 30)
        n = notes(j)
        for w in ([want_note] if isinstance(want_note, str) else want_note):
            check(w in n, "%s: note says %r" % (label, w), n or out)
        for f in forbid:
            check(f not in n, "%s: note does not say %r" % (label, f), n)
        check(rc == want_rc, "%s: exit %d" % (label, want_rc), "rc=%d\n%s" % (rc, n))
        check(dt < bound_s, "%s: ends within %d s" % (label, bound_s), "%.1f s" % dt)
        return j
    finally:
        sim.stop()


def req(j, path):
    return [r for r in (j or {}).get("requests", []) if r["path"].split("?")[0] == path]


def test_redirects(certs):
    j = web_case("redirect loop on a page", certs, ["--redirect-loop", JOBLOG],
                 "redirect loop after 3 hops at %s" % JOBLOG, 1, 20)
    check(j and tw.val(j, "host") == "smtp.office365.com", "redirect loop on a page: the other pages read", notes(j))
    check(req(j, JOBLOG) and req(j, JOBLOG)[-1]["reason"] == "redirect-loop", "redirect loop: JSON reason",
          req(j, JOBLOG))
    web_case("redirect loop at the root", certs, ["--redirect-loop", "/"], "web: GET /: redirect loop after 3 hops at /",
             3, 20, forbid=("not recognised", "no web server answered"))
    web_case("endless redirects", certs, ["--redirect-chain", JOBLOG], "more than 5 redirects", 1, 20)
    j = web_case("off-host redirect", certs, ["--offhost", JOBLOG],
                 "%s: redirect to another host (evil.test) refused" % JOBLOG, 1, 20)
    check(j and all(r["path"].startswith("/") for r in j["requests"]) and req(j, JOBLOG)[-1]["reason"] ==
          "redirect-offhost", "off-host redirect: never followed (every request went to the device)", j and j["requests"])
    web_case("off-host redirect at the root over plain HTTP", certs, ["--offhost", "/"],
             "redirect to another host (evil.test) refused", 3, 20, web_args=("--http",), tls=False,
             forbid=("no web server answered", "not recognised"))


def test_sizes(certs):
    j = web_case("5 MiB page with Content-Length", certs, ["--huge", JOBLOG, "--huge-mb", "5"],
                 ["page larger than 2 MiB", "refused, not read", JOBLOG], 1, 20)
    check(j and req(j, JOBLOG) and req(j, JOBLOG)[0]["bytes"] == 0 and req(j, JOBLOG)[0]["reason"] == "refused-size",
          "5 MiB announced: refused before reading", req(j, JOBLOG) if j else None)
    j = web_case("5 MiB page without Content-Length", certs, ["--huge", JOBLOG, "--huge-mb", "5", "--huge-chunked"],
                 ["page larger than 2 MiB", "cut at 2 MiB", JOBLOG], 1, 20)
    check(j and req(j, JOBLOG) and req(j, JOBLOG)[0]["bytes"] <= 2 * 1024 * 1024 and
          req(j, JOBLOG)[0]["reason"] == "too-large", "5 MiB streamed: cut at the limit", req(j, JOBLOG) if j else None)
    web_case("10 000 headers on a page", certs, ["--header-flood", JOBLOG],
             ["%s: more than 100 response headers" % JOBLOG], 1, 20, forbid=("could not be parsed",))
    web_case("10 000 headers at the root over plain HTTP", certs, ["--header-flood", "/"],
             ["more than 100 response headers", "was reached over plain HTTP"], 3, 20, web_args=("--http",), tls=False,
             forbid=("no web server answered",))


def test_slow(certs):
    j = web_case("slow drip on a page", certs, ["--drip", JOBLOG], "GET %s timed out" % JOBLOG, 1, 15,
                 web_args=("--web-insecure", "--timeout", "2"))
    check(j and tw.val(j, "host") == "smtp.office365.com", "slow drip: the other pages read", notes(j))
    web_case("slow drip at the root", certs, ["--drip", "/"], "web: GET / timed out: no complete answer within 2000 ms",
             3, 15, web_args=("--web-insecure", "--timeout", "2"))
    # the login form itself dripping: the login page of the Xerox page set
    web_case("slow drip on the login page", certs, ["--drip", "/header.php"],
             ["web login: the login page /header.php?tab=status could not be read", "timed out"], 1, 15,
             web_args=("--web-insecure", "--timeout", "2"))


def test_log(certs):
    j = web_case("job log with 312 entries", certs, ["--log-entries", "312"],
                 "job log: 50 of 312 entries read; 262 older ones not read", 1, 30)
    if j:
        check(sum("entries read" in n for n in j["notes"]) == 1, "312 entries: one note, not one per row", j["notes"])
        check(len(j["events"]) == 50, "312 entries: 50 events kept", len(j["events"]))
        check(j["events"] and j["events"][0]["text"].endswith("failure 312"), "312 entries: the newest kept",
              j["events"][:1])


def secret_forms(user, pw):
    q = urllib.parse.quote
    forms = {pw, q(pw, safe=""), q(pw, safe="").lower(), urllib.parse.quote_plus(pw, safe=""),
             base64.b64encode(pw.encode()).decode(), base64.b64encode(("%s:%s" % (user, pw)).encode()).decode(),
             json.dumps(pw)[1:-1], json.dumps(pw, ensure_ascii=False)[1:-1],
             html.escape(pw, quote=True), html.escape(pw, quote=True).replace("&#x27;", "&#39;"),
             html.escape(pw, quote=False)}
    return forms


def all_outputs(sim, password, *args):
    """The report in text, JSON, Markdown and text --verbose (each with exit code)."""
    outs = []
    for fmt in (["--format", "text"], ["--format", "json"], ["--format", "md"], ["--format", "text", "--verbose"],
                ["--format", "json", "--verbose"]):
        env = dict(os.environ, MFPDOCTOR_WEB_PASSWORD=password)
        p = subprocess.run([BIN, "web", "127.0.0.1", "--web-port", str(sim.port)] + list(args) + fmt,
                           capture_output=True, text=True, env=env, timeout=60)
        outs.append((" ".join(fmt), p.returncode, p.stdout + p.stderr))
    return outs


def no_leak(label, outs, user, pw, want_rc, want=None):
    for fmt, rc, out in outs:
        hits = [f for f in secret_forms(user, pw) if f in out]
        check(not hits, "%s (%s): no form of the password in the output" % (label, fmt), hits)
        check(rc == want_rc, "%s (%s): exit %d" % (label, fmt, want_rc), "rc=%d %s" % (rc, out[-800:]))
        if want:
            check(want in out, "%s (%s): shows %r" % (label, fmt, want), out[-1500:])


def test_secrets(certs):
    # form login (Xerox): the submitted password comes back in settings values (raw and as sent on
    # the wire) and in a Set-Cookie header (--verbose shows headers)
    sim = tw.Sim("xerox-workcentre", certs=certs, extra=["--echo-secret", "--password", HOSTILE_PW])
    try:
        outs = all_outputs(sim, HOSTILE_PW, "--web-insecure")
        no_leak("echo of a form password", outs, "admin", HOSTILE_PW, 0, want="redacted")
        check("lastpw=[redacted]" in outs[3][2], "echo of a form password: --verbose shows the header, redacted",
              outs[3][2][-2000:])
    finally:
        sim.stop()
    # HTTP Basic (Lexmark): the Authorization header comes back in two settings values (a user name
    # whose "user:" is not a multiple of 3 bytes, so base64(user:password) does not contain
    # base64(password))
    sim = tw.Sim("lexmark", certs=certs, extra=["--echo-secret", "--password", HOSTILE_PW, "--user", "root"])
    try:
        outs = all_outputs(sim, HOSTILE_PW, "--web-insecure", "--web-user", "root")
        no_leak("echo of the Basic Authorization header", outs, "root", HOSTILE_PW, 0, want="redacted")
    finally:
        sim.stop()
    # the login error page quotes the wrong password, HTML-escaped and URL-encoded (Brother)
    wrong = "wr&ng <pw> 100%"
    sim = tw.Sim("brother", certs=certs, extra=["--echo-secret"])
    try:
        outs = all_outputs(sim, wrong, "--web-insecure")
        no_leak("login error page quoting the password", outs, "admin", wrong, 1, want="redacted")
    finally:
        sim.stop()


def test_tls(certs):
    sim = tw.Sim("canon", certs=certs)
    try:
        (rc, j, out), dt = timed(tw.run, sim)
        n = notes(j)
        check(rc == 3 and "--web-pin SHA256:" in n and "nothing was sent" in n, "self-signed: refused with the pin advice",
              "rc=%d %s" % (rc, n))
        check(dt < 20, "self-signed: ends within 20 s", dt)
        st = json.loads(sim.get("/__stats"))
        check(st["requests"] == ["GET /__stats"], "self-signed: no request reached the device", st["requests"])
    finally:
        sim.stop()


def device_case(label, sim_args, want_note, bound_s=15, tls=False, certs=None):
    """HTTP identification (`mfpdoctor device` with SNMP getting no answer) against a hostile root."""
    sim = tw.Sim("brother", tls=tls, certs=certs, extra=list(sim_args))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
    s.close()
    try:
        t0 = time.time()
        p = subprocess.run([BIN, "device", "127.0.0.1:%d" % closed, "--timeout", "6", "--retries", "0", "--format",
                            "json", "--http-url", sim.url("")], capture_output=True, text=True, timeout=bound_s + 30)
        dt = time.time() - t0
        try:
            j = json.loads(p.stdout)
        except ValueError:
            j = None
        n = "\n".join(j.get("notes", [])) if j else p.stdout + p.stderr
        check(want_note in n, "%s: note says %r" % (label, want_note), n)
        check(p.returncode == 3, "%s: exit 3 (nothing identified)" % label, p.returncode)
        check(dt < bound_s, "%s: ends within %d s" % (label, bound_s), dt)
    finally:
        sim.stop()


def test_identify(certs):
    device_case("identification: off-host redirect", ["--offhost", "/"], "redirect to another host (evil.test) refused")
    device_case("identification: redirect loop", ["--redirect-loop", "/"], "redirect loop after 3 hops at /")
    device_case("identification: header flood", ["--header-flood", "/"], "more than 100 response headers")
    device_case("identification: slow drip", ["--drip", "/"], "GET / timed out")


def main():
    if not BIN or not os.access(BIN, os.X_OK) or not shutil.which("openssl"):
        print("0 passed, 0 failed (skipped: MFPDOCTOR_BIN or openssl missing)")
        return 77
    tmp = tempfile.mkdtemp(prefix="mfphostile-")
    try:
        certs = {"cert": os.path.join(tmp, "cert.pem"), "key": os.path.join(tmp, "key.pem")}
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", certs["key"], "-out",
                        certs["cert"], "-days", "2", "-subj", "/CN=127.0.0.1/O=mfpdoctor hostile EWS",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
        only = sys.argv[1:]
        for t in (test_redirects, test_sizes, test_slow, test_log, test_secrets, test_tls, test_identify):
            if only and t.__name__ not in only:
                continue
            try:
                t(certs)
            except Exception:  # noqa: BLE001
                import traceback
                check(False, t.__name__ + " raised", traceback.format_exc())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
