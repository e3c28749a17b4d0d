#!/usr/bin/python3
"""test_ews_real_conformance.py — the vendor profiles against pages captured from real printers.

The captures live outside the project, in $MFPDOCTOR_SRC/../shared/research/ews-real (or
$MFPDOCTOR_EWS_REAL; see its NOTES.md and SOURCES.tsv); without them the test is skipped (exit 77). A small in-process HTTP
server on 127.0.0.1 serves each capture at the path it came from; `mfpdoctor web --http` then
reads it with the built-in profile, and the test asserts what NOTES.md says can be read from each
capture. Pages that were never captured answer 404, and the root page is a stand-in where the
capture set has none (said per case). Prints "N passed, M failed" last.
"""
import http.server
import json
import os
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading

BIN = os.environ.get("MFPDOCTOR_BIN", "")
SRC = os.environ.get("MFPDOCTOR_SRC", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
REAL = os.environ.get("MFPDOCTOR_EWS_REAL") or os.path.join(SRC, "..", "shared", "research", "ews-real")

passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s %s" % (what, detail[:3000] if detail else ""))


def cap(rel):
    with open(os.path.join(REAL, rel), "rb") as f:
        return f.read()


class Site:
    """Serves routes {path: (status, body, ctype) or callable(handler)}; records requests."""

    def __init__(self, routes, post_routes=None):
        self.routes, self.post_routes, self.requests = routes, post_routes or {}, []
        site = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def answer(self, table):
                site.requests.append("%s %s" % (self.command, self.path))
                r = table.get(self.path.split("?")[0])
                if r is None:
                    r = (404, b"<html><title>404 Not Found</title></html>", "text/html")
                status, body, ctype = r[:3]
                self.send_response(status)
                for k, v in (r[3] if len(r) > 3 else {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self.answer(site.routes)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                if n:
                    self.rfile.read(n)
                self.answer(site.post_routes)

        class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.srv = S(("127.0.0.1", 0), H)
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


def web(site, *args, password="real-capture-pw", env_extra=None):
    env = dict(os.environ, MFPDOCTOR_WEB_PASSWORD=password)
    env.update(env_extra or {})
    p = subprocess.run([BIN, "web", "127.0.0.1", "--http", "--web-port", str(site.port), "--format", "json",
                        "--timeout", "5"] + list(args), capture_output=True, text=True, env=env, timeout=60)
    try:
        return p.returncode, json.loads(p.stdout), p.stdout + p.stderr
    except ValueError:
        return p.returncode, None, p.stdout + p.stderr


def notes(j):
    return "\n".join(j["notes"]) if j else ""


def ident(j, k):
    return (j or {}).get("identity", {}).get(k, {}) or {}


HTML, XML = "text/html", "text/xml"
STANDIN = (200, b"<html><head><title>stand-in root page</title></head><body></body></html>", HTML)


def test_hp():
    d = "hp/officejet_pro_9022e_DevMgmt_"
    site = Site({"/": STANDIN, "/DevMgmt/DiscoveryTree.xml": (200, cap(d + "DiscoveryTree.xml"), XML),
                 "/DevMgmt/ProductConfigDyn.xml": (200, cap(d + "ProductConfigDyn.xml"), XML),
                 "/DevMgmt/ProductLogsDyn.xml": (200, cap(d + "ProductLogsDyn.xml"), XML)})
    try:
        rc, j, out = web(site, "--vendor", "hp", "--family", "laserjet-pro")
        n = notes(j)
        check(ident(j, "model").get("value") == "HP OfficeJet Pro 9020 series", "hp: MakeAndModel (the family)", out)
        check(ident(j, "firmware").get("value") == "MANHHIPP1N005.2623A.00",
              "hp: firmware from ProductInformation/Version/Revision (not the schema revision)", out)
        ev = j["events"] if j else []
        check(len(ev) == 20 and ev[0]["code"] == "71.00.ED" and ev[0]["severity"] == "Warning" and
              ev[0]["time"] == "2024-12-06T11:00:23.0Z" and ev[0]["where"] == "/DevMgmt/ProductLogsDyn.xml: row 1",
              "hp: the 20 EventLog/Event rows with TimeStamp, EventCode, Severity", json.dumps(ev[:2]))
        check("/DevMgmt/Email/EmailServiceManifest.xml" in " ".join(site.requests) and
              not any("EmailConfigDyn" in q for q in site.requests),
              "hp: e-mail looked for behind the manifest DiscoveryTree lists, no guessed EmailConfigDyn.xml",
              str(site.requests))
        check("EmailServiceManifest.xml" in n and "HTTP 404" in n and "ledm_smtp" in n,
              "hp: the missing (uncaptured) manifest is a note naming it", n)
        check("GET /cdm/servicesDiscovery" in site.requests, "hp: CDM looked up where the tree points", str(site.requests))
    finally:
        site.stop()


def kyocera_site(login_answer):
    start = cap("kyocera/taskalfa5501i_Start_Wlm.html")
    return Site({"/": (200, start, HTML), "/startwlm/Start_Wlm.htm": (200, start, HTML)},
                {"/startwlm/login.cgi": (200, cap(login_answer), HTML, {"Set-Cookie": "rtl=1; Path=/"})})


def test_kyocera():
    site = kyocera_site("kyocera/taskalfa5501i_login_cgi_success.html")
    try:
        rc, j, out = web(site, "--vendor", "kyocera")
        n = notes(j)
        check("web login refused" not in n and "outcome could not be told" not in n,
              "kyocera: LoginStatus \"7\" answer -> logged in", n)
        check(ident(j, "model").get("value") == "TASKalfa 5501i", "kyocera: model from HeaderStatusPC(...)", out)
        check(any("FuncSet_Email_EmailSet.model.htm" in q for q in site.requests),
              "kyocera: the e-mail model page asked for after the login", str(site.requests))
    finally:
        site.stop()
    # the page before a login (LoginStatus "") is what an unrecognised answer looks like: never a success
    site = kyocera_site("kyocera/taskalfa5501i_Start_Wlm.html")
    try:
        rc, j, out = web(site, "--vendor", "kyocera")
        n = notes(j)
        check("outcome could not be told" in n and not any("FuncSet_Email" in q for q in site.requests) and rc == 1,
              "kyocera: an answer with LoginStatus \"\" -> outcome unknown, no settings page read", n)
    finally:
        site.stop()


def test_kyocera_joblog():
    """The real print job log through the JS record rules (an overlay profile adds the page)."""
    tmp = tempfile.mkdtemp(prefix="mfpreal-")
    try:
        with open(os.path.join(SRC, "devices", "kyocera.json"), encoding="utf-8") as f:
            prof = json.load(f)
        ps = prof["web"]["pagesets"][0]
        ps["login"] = {"method": "none"}
        ps["pages"] = [{"path": "/job/JobSts_PrnJobLog_PrnJobs.htm?arg1=3&arg2=3&arg3=1&arg7=1", "parser": "text",
                        "events": {"origin": "web-joblog", "js_rows": "Index", "max": 50,
                                   "fields": {"time": {"js": "JobTime[Index]"}, "text": {"js": "JobStatusPrint[Index]"},
                                              "code": {"js": "JobKey[Index]"}}}}]
        with open(os.path.join(tmp, "kyocera.json"), "w", encoding="utf-8") as f:
            json.dump(prof, f)
        site = Site({"/": (200, cap("kyocera/taskalfa5501i_Start_Wlm.html"), HTML),
                     "/job/JobSts_PrnJobLog_PrnJobs.htm": (200, cap("kyocera/taskalfa5501i_JobSts_PrnJobLog_PrnJobs.html"), HTML)})
        try:
            rc, j, out = web(site, "--vendor", "kyocera", env_extra={"MFPDOCTOR_PROFILES": tmp})
            ev = j["events"] if j else []
            check(len(ev) == 10 and ev[0]["code"] == "2885" and ev[0]["time"] == "11/16 12:13" and
                  ev[0]["text"] == "sJobStatus[5]" and ev[1]["code"] == "2884",
                  "kyocera: 10 jobs as JS records; the result is an index into sJobStatus (table not captured)",
                  json.dumps(ev[:2]))
        finally:
            site.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_ricoh():
    err = cap("ricoh/aficio_mp301_web_guest_fr_websys_webArch_login_cgi_cookie_error.html")
    # stand-in: the root page redirects to the device-language frame, as Web Image Monitor does
    site = Site({"/": (302, b"", HTML, {"Location": "/web/guest/fr/websys/webArch/mainFrame.cgi"}),
                 "/web/guest/fr/websys/webArch/mainFrame.cgi": (200, b"<html><title>Web Image Monitor</title></html>", HTML),
                 "/web/guest/fr/websys/webArch/authForm.cgi": (200, err, HTML)},
                {"/web/guest/fr/websys/webArch/login.cgi": (200, err, HTML)})
    try:
        rc, j, out = web(site, "--vendor", "ricoh")
        n = notes(j)
        posts = [q for q in site.requests if q.startswith("POST")]
        check(posts == ["POST /web/guest/fr/websys/webArch/login.cgi"],
              "ricoh: the language segment fr discovered; one login, no loop", str(site.requests))
        check("cookie error page" in n and "Activer les cookies dans le navigateur." in n and "session expired" not in n,
              "ricoh: the real cookie error answer -> a clear note quoting the device", n)
    finally:
        site.stop()


def test_epson():
    e = "epson/"
    site = Site({"/": (200, cap(e + "et_8500_PRESENTATION_HTML_TOP_PRTINFO.html"), HTML),
                 "/PRESENTATION/HTML/TOP/PRTINFO.HTML": (200, cap(e + "et_8500_PRESENTATION_HTML_TOP_PRTINFO.html"), HTML),
                 "/PRESENTATION/ADVANCED/INFO_NWINFO/TOP": (200, cap(e + "et4950_PRESENTATION_ADVANCED_INFO_NWINFO_TOP.html"), HTML)})
    try:
        rc, j, out = web(site, password="")
        check(j and j["vendor"] == "epson", "epson: recognised by <meta name=Author content=SEIKO EPSON>", out)
        check(ident(j, "model").get("value") == "ET-8500 Series", "epson: model from the title", out)
        host = ident(j, "hostname")
        check(host.get("value") in ("EPSON0C9E89", "EPSON0C85BF") and host.get("where", "").endswith("Device Name"),
              "epson: 'Device Name&nbsp;:' label read", json.dumps(host))
    finally:
        site.stop()
    site = Site({"/": STANDIN, "/PRESENTATION/HTML/TOP/PRTINFO.HTML": (200, cap(e + "wf_3540_PRESENTATION_HTML_TOP_PRTINFO.html"), HTML)})
    try:
        rc, j, out = web(site, "--vendor", "epson", password="")
        check(ident(j, "model").get("value", "").startswith("WF-3540"), "epson: WF-3540 layout read", out)
    finally:
        site.stop()


def test_samsung():
    site = Site({"/": (200, b"<html><title>SyncThru Web Service</title></html>", HTML),
                 "/sws/app/information/home/home.json": (200, cap("samsung/m2070_sws_app_information_home_home.json"),
                                                         "application/json")})
    try:
        rc, j, out = web(site, "--vendor", "hp", password="")
        check(j and j["pageset"] == "syncthru" and ident(j, "model").get("value") == "M2070 Series" and
              ident(j, "serial").get("value") == "ZFAYB8KGGGG1GZP" and
              ident(j, "model").get("where") == "/sws/app/information/home/home.json: identity.model_name",
              "samsung: home.json (a JS literal, not JSON) read", out)
    finally:
        site.stop()


def test_dell():
    d = "dell-fujixerox-oem/c1765nfw_"
    site = Site({"/": STANDIN, "/status.asp": (200, cap(d + "status_asp.html"), HTML),
                 "/events.asp": (200, cap(d + "events_asp.html"), HTML)})
    try:
        rc, j, out = web(site, "--vendor", "fujifilm", password="")
        ev = j["events"] if j else []
        check(len(ev) == 1 and ev[0]["code"] == "024-969" and
              ev[0]["text"].startswith("Paper is not loaded in the selected tray") and ev[0]["severity"] == "error",
              "dell: code and text split from one cell ('024-969:Paper is not loaded…')", json.dumps(ev))
        check(ident(j, "model").get("value") == "Dell C1765nfw Color MFP", "dell: model", out)
    finally:
        site.stop()


def test_toshiba():
    site = Site({"/": (200, cap("toshiba/topaccess_root_index_frameset.html"), "text/html; charset=windows-1252")})
    try:
        rc, j, out = web(site, password="")
        check(j and j["vendor"] == "toshiba", "toshiba: the TopAccess frameset recognised", out)
        check(not any(q.startswith("POST") and "login" in q.lower() for q in site.requests),
              "toshiba: no login POST without a password", str(site.requests))
    finally:
        site.stop()


def main():
    if not BIN or not os.access(BIN, os.X_OK):
        print("0 passed, 0 failed (skipped: MFPDOCTOR_BIN missing)")
        return 77
    if not os.path.isfile(os.path.join(REAL, "NOTES.md")):
        print("0 passed, 0 failed (skipped: no captures at %s)" % REAL)
        return 77
    for t in (test_hp, test_kyocera, test_kyocera_joblog, test_ricoh, test_epson, test_samsung, test_dell, test_toshiba):
        try:
            t()
        except Exception:  # noqa: BLE001
            import traceback
            check(False, t.__name__ + " raised", traceback.format_exc())
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
