#!/usr/bin/python3
"""test_web_generic.py — the generic web reader against an unknown model: a small embedded web
server (http.server on 127.0.0.1, a free port) whose root page matches no vendor profile and links
to a status page, a logout and reset link (never to be followed), an off-host link and a network
menu that links to the e-mail settings page (French labels, a POP3 section as a decoy).
`mfpdoctor web` must report the guessed values with their labels and confidence "guessed", follow
only GET same-host links and never the action links; `diagnose` must use the guesses for its test
send (against an SMTP persona) and show where they came from. Prints "N passed, M failed" last."""
import http.server
import json
import os
import socketserver
import sys
import tempfile
import threading
import time

from smtptest import BIN, Suite, run, run_json
from simworld import Certs, Persona

S = Suite()
TMP = tempfile.mkdtemp(prefix="mfpdoctor-generic-")
USER = "scanner@sim.test"

ROOT = """<html><head><title>Zorblax OfficeJet 77 - Home</title></head><body>
<h1>Zorblax OfficeJet 77</h1>
<a href="/status.html">Status</a> <a href="/cgi-bin/logout.cgi">Log out</a>
<a href="/cgi-bin/reset.cgi?all=1">Reset</a> <a href="http://203.0.113.9/smtp.html">SMTP (remote)</a>
<a href="net/menu.html">Network</a></body></html>"""
MENU = """<html><head><title>Réseau</title></head><body><ul>
<li><a href="/net/tcpip.html">TCP/IP</a></li><li><a href="/net/courriel.html">Courrier électronique</a></li>
<li><a href="/net/delete_all.html">Supprimer</a></li></ul></body></html>"""
MAIL = """<html><head><meta charset="utf-8"><title>Paramètres du courrier électronique</title></head><body>
<form action="/net/courriel.cgi" method="post"><table>
<tr><th colspan="2">Envoi (SMTP)</th></tr>
<tr><td>Serveur SMTP&nbsp;:</td><td><input name="a1" value="localhost"></td></tr>
<tr><td>Numéro de port&nbsp;:</td><td><input name="a2" value="%(port)d"></td></tr>
<tr><td>Chiffrement&nbsp;:</td><td><select name="a3"><option value="0">Aucun</option><option value="1" selected>STARTTLS</option><option value="2">SSL/TLS</option></select></td></tr>
<tr><td>Authentification SMTP&nbsp;:</td><td><input type="checkbox" name="a4" checked></td></tr>
<tr><td>Nom d'utilisateur&nbsp;:</td><td><input name="a5" value="%(user)s"></td></tr>
<tr><td>Mot de passe&nbsp;:</td><td><input type="password" name="a6" value="********"></td></tr>
<tr><td>Adresse de l'expéditeur&nbsp;:</td><td><input name="a7" value="%(user)s"></td></tr>
<tr><th colspan="2">Réception (POP3)</th></tr>
<tr><td>Serveur POP3&nbsp;:</td><td><input name="b1" value="pop.sim.test"></td></tr>
<tr><td>Numéro de port&nbsp;:</td><td><input name="b2" value="110"></td></tr>
</table></form></body></html>"""


class EWS:
    """The unknown model's web server: records every request; anything but GET is a violation."""

    def __init__(self, smtp_port, only_root=False):
        self.requests, self.violations = [], []
        pages = {"/": ROOT} if only_root else {"/": ROOT, "/net/menu.html": MENU, "/status.html": "<html><title>Status</title>Ready</html>",
                 "/net/tcpip.html": "<html><title>TCP/IP</title><table><tr><td>Port</td><td>80</td></tr></table></html>",
                 "/net/courriel.html": MAIL % {"port": smtp_port, "user": USER}}
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                outer.requests.append(self.path)
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                data = (body or "not found").encode()
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                outer.violations.append("POST " + self.path)
                self.send_response(405)
                self.end_headers()

            do_PUT = do_DELETE = do_PATCH = do_POST

        socketserver.TCPServer.allow_reuse_address = True
        self.srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), H)
        self.srv.daemon_threads = True
        self.port = self.srv.server_address[1]
        self.thread = threading.Thread(target=self.srv.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *a):
        self.srv.shutdown()
        self.srv.server_close()


def web_json(ews):
    t0 = time.time()
    rc, j, err, secs = run_json(["web", "127.0.0.1", "--web-port", ews.port, "--http", "--timeout", "5"], timeout=60)
    assert time.time() - t0 < 60
    return rc, j, err


def test_web():
    with EWS(2525) as ews:
        rc, j, err = web_json(ews)
        smtp = j["smtp"]
        want = {"host": ("localhost", "Serveur SMTP"), "port": ("2525", "Numéro de port"),
                "security": ("starttls", "Chiffrement"), "auth": ("auto", "Authentification SMTP"),
                "user": (USER, "Nom d'utilisateur"), "from": (USER, "Adresse de l'expéditeur")}
        for k, (value, label) in want.items():
            f = smtp[k]
            assert f and f["value"] == value, "%s: %s (notes %s)" % (k, f, j["notes"])
            assert f["confidence"] == "guessed", f
            assert f["where"] == "guessed from label '%s' on /net/courriel.html" % label, f
            assert f["source"] == "web", f
        assert any("generic reader guessed 6" in n for n in j["notes"]), j["notes"]
        assert rc == 1, rc  # read, with notes (the vendor was not recognised)
        assert not ews.violations, ews.violations
        bad = [p for p in ews.requests if "logout" in p or "reset" in p or "delete" in p]
        assert not bad, ews.requests
        assert len(ews.requests) <= 1 + 10 + 2, ews.requests  # root + at most 10 pages (+ the HTTPS probe)
        assert "/net/courriel.html" in ews.requests, ews.requests
        assert "********" not in json.dumps(j)
        rc, out, err, secs = run(["web", "127.0.0.1", "--web-port", ews.port, "--http", "--timeout", "5"], timeout=60)
        assert "localhost (guessed)" in out and "guessed from label 'Serveur SMTP' on /net/courriel.html" in out, out


def test_known_profile_fallback():
    """A known profile whose pages are absent here: the generic reader still finds the settings."""
    with EWS(25) as ews:
        rc, j, err, secs = run_json(["web", "127.0.0.1", "--web-port", ews.port, "--http", "--timeout", "5",
                                     "--vendor", "xerox"], timeout=60)
        assert j["smtp"]["host"]["value"] == "localhost", (j["smtp"], j["notes"])
        assert j["smtp"]["host"]["confidence"] == "guessed"
        assert not ews.violations, ews.violations


def test_nothing_to_guess():
    """Only a root page with nothing to guess: exit 3 as before, with a note saying what was tried."""
    with EWS(25, only_root=True) as ews:
        rc, j, err, secs = run_json(["web", "127.0.0.1", "--web-port", ews.port, "--http", "--timeout", "5"],
                                    timeout=60)
        assert rc == 3, rc
        assert any("generic reader found no e-mail settings" in n for n in j["notes"]), j["notes"]
        assert j["smtp"]["host"] is None


def test_diagnose():
    certs = Certs(os.path.join(TMP, "certs"))
    with Persona("submission", certs, user=USER) as srv:
        with EWS(int(srv.port)) as ews:
            env = {"MFPDOCTOR_SMTP_PASSWORD": srv.password}
            rc, j, err, secs = run_json(["diagnose", "127.0.0.1", "--no-snmp", "--web-port", ews.port, "--http",
                                         "--timeout", "5", "--cafile", os.path.join(TMP, "certs", "ca.pem")],
                                        env=env, timeout=120)
            assert secs < 90, secs
            settings = {s["name"]: s for s in j["settings"]}
            assert settings["server"]["value"] == "localhost", settings
            assert "guessed from label 'Serveur SMTP' on /net/courriel.html" in settings["server"]["source"], settings
            assert settings["port"]["value"] == str(srv.port), settings
            assert "guessed from label" in settings["port"]["source"], settings
            assert "guessed from label 'Chiffrement'" in settings["tls"]["source"], settings
            assert settings["from"]["value"] == USER, settings
            dev = j["device"]["smtp"]
            assert dev["host"]["confidence"] == "guessed", dev
            assert j["smtp_test"]["verdict"]["ok"] is True, j["smtp_test"]["verdict"]
            assert j["smtp_test"]["request"]["port"] == int(srv.port), j["smtp_test"]["request"]
            g = [f for f in j["findings"] if f["id"] == "settings-guessed"]
            assert g and g[0]["severity"] == "info", j["findings"]
            assert "host 'localhost' (guessed from label 'Serveur SMTP' on /net/courriel.html)" in g[0]["evidence"], g
            assert rc == 0, (rc, [f.get("id") for f in j.get("findings", [])])
            assert not ews.violations, ews.violations


S.check("web: guessed settings with labels and confidence", test_web)
S.check("web: a known profile whose pages are absent falls back", test_known_profile_fallback)
S.check("web: nothing to guess", test_nothing_to_guess)
S.check("diagnose: the test send uses the guesses, source shown", test_diagnose)
sys.exit(S.finish())
