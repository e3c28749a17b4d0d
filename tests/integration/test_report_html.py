"""test_report_html.py — the demo report (tests/sim/demo.py's world: a Xerox WorkCentre and a
Microsoft 365 tenant with SMTP AUTH off) as a ticket attachment, checked in headless Chromium:
the title and header name the printer and the run (date/time, version, the command with the
secret option values hidden), no secret anywhere, every http(s) source a link, the checklist of
a tenant-level block, codes that do not wrap (measured by Chromium over its DevTools pipe, on
screen and in print), and print-to-PDF on at most 4 A4 pages in the order evidence and fixes
first. Screenshot and PDF are kept in the build's test-artifacts."""
import base64
import datetime
import fcntl
import html.parser
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

from smtptest import BIN, Suite, run
from printer import SimPrinter
from simworld import Certs, Persona

S = Suite()
BUILD = os.path.dirname(BIN)
TMP = tempfile.mkdtemp(prefix="mfpdoctor-report-html-")
ARTIFACTS = os.environ.get("MFPDOCTOR_ARTIFACTS") or os.path.join(BUILD, "test-artifacts")
PASSWORD = "Sc4n-P@ss-" + base64.b32encode(os.urandom(5)).decode()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUT = {}


def demo_reports():
    """The demo world (as tests/sim/demo.py builds it), diagnosed from the build directory."""
    certs = Certs(os.path.join(TMP, "certs"))
    ca = os.path.join(TMP, "certs", "ca.pem")
    pwfile = os.path.join(TMP, "smtp-password")
    with open(pwfile, "w") as f:
        f.write(PASSWORD + "\n")
    with Persona("m365-auth-disabled", certs, user="scanner@contoso.test", password=PASSWORD) as mail:
        smtp = {"host": "localhost", "port": mail.port, "security": "starttls", "auth": "auto",
                "user": "scanner@contoso.test", "from": "xerox-3rdfloor@contoso.test"}
        events = [("017-715", "Scan to e-mail failed"), ("016-764", "Unable to connect to SMTP server")]
        with SimPrinter("xerox-workcentre", os.path.join(TMP, "printer"), certs, smtp, events=events,
                        hostname="xrx-3rdfloor.contoso.test") as printer:
            OUT["web_password"] = printer.web_password
            base = ["diagnose", printer.snmp_peer, "--cafile", ca, "--tls-max", "1.2", "--password-file", pwfile] \
                + printer.diagnose_args()
            for fmt in ("html", "json", "md"):
                path = os.path.join(TMP, "report." + fmt)
                cwd = os.getcwd()
                os.chdir(BUILD)
                try:
                    rc, out, err, _ = run(base + ["--format", fmt, "--output", path], env=printer.env(), timeout=120)
                finally:
                    os.chdir(cwd)
                assert rc == 2, (fmt, rc, err)
                OUT[fmt] = open(path, encoding="utf-8").read()
                OUT[fmt + "_path"] = path
            OUT["pwfile"] = pwfile
    os.makedirs(ARTIFACTS, exist_ok=True)
    shutil.copy(OUT["html_path"], os.path.join(ARTIFACTS, "demo-report.html"))


S.check("the demo world diagnosed in html, json and md", demo_reports)
if "html" not in OUT:
    S.finish()
HTML, J, MD = OUT["html"], json.loads(OUT["json"]), OUT["md"]
ISO = r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"


class Page(html.parser.HTMLParser):
    """The parts of the page the checks need: title, links, source texts, header cells."""

    def __init__(self):
        super().__init__()
        self.title, self.hrefs, self.srcs, self.stack, self.text = "", [], [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a":
            self.hrefs.append(a.get("href"))
            assert a.get("rel") == "noreferrer" or a["href"].startswith("#"), a
        self.stack.append((tag, a.get("class") or "", a.get("id") or ""))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        tags = [t for t, _, _ in self.stack]
        if tags and tags[-1] == "title":
            self.title += data
        if any(c == "src" and t == "div" for t, c, _ in self.stack):
            self.srcs.append(data)
        self.text.append(data)


P = Page()
P.feed(HTML)


def header():
    ident = J["device"]["identity"]
    for v in (ident["sysname"], ident["serial"], "WorkCentre 7845", ident["location"]):
        assert v and v in P.title, (v, P.title)
    assert J["host"] not in P.title, "the title names the SNMP address, not the printer: " + P.title
    head = HTML[HTML.index("<header"):HTML.index("</header>")]
    assert "<dt>Address</dt><dd>%s</dd>" % J["host"] in head, "the address is not in the header"
    m = re.search(r'<time datetime="(%s)">' % ISO, head)
    assert m, "no ISO 8601 date/time with zone in the header"
    t = [datetime.datetime.fromisoformat(x) for x in (m.group(1), J["run"]["started"])]
    assert abs((t[0] - t[1]).total_seconds()) < 120, (m.group(1), J["run"])  # two runs, a few seconds apart
    version = J["versions"]["mfpdoctor"]
    assert "<dt>mfpdoctor version</dt><dd>%s</dd>" % version in head
    cmd = J["run"]["command"]
    assert cmd.startswith("mfpdoctor diagnose %s " % J["host"]) and "--password-file ***" in cmd, cmd
    assert "--tls-max 1.2" in cmd and "--format json" in cmd, cmd
    assert cmd.replace("--format json", "--format html").replace("report.json", "report.html") in \
        head.replace("&#39;", "'"), "the command is not in the header"
    assert re.search(r"\*\*Run:\*\* %s, mfpdoctor " % ISO, MD) and "**Command:** mfpdoctor diagnose" in MD, MD[:600]


def no_secrets():
    secrets = [PASSWORD, base64.b64encode(PASSWORD.encode()).decode(), OUT["web_password"],
               base64.b64encode(("scanner@contoso.test:" + PASSWORD).encode()).decode(), OUT["pwfile"]]
    for name in ("html", "json", "md"):
        for s in secrets:
            assert s not in OUT[name], "secret %r in the %s report" % (s[:6], name)


def sources_are_links():
    urls = [s for f in J["findings"] for s in f["sources"] if re.match(r"https?://", s)]
    assert urls, "the demo's findings name no web source"
    for u in urls:
        assert u in P.hrefs, "source %s is not a link" % u
    for text in P.srcs:  # no http(s) URL left as plain text in a source line
        assert not re.search(r"https?://", text) or text.strip() in P.hrefs, text
    assert not re.search(r'\bsrc\s*=|<link\b|@import|url\(', HTML), "the page loads something"
    assert "content=\"default-src 'none'; style-src 'unsafe-inline'\"" in HTML, "the CSP is gone"


def checklist_of_a_tenant_block():
    items = {(i["side"], i["setting"]): i for i in J["checklist"]["items"]}
    pw, user = items[("device", "password")], items[("device", "user")]
    assert pw["status"] != "fail" and pw["observed"] == "(given, not shown)", pw
    assert user["status"] != "fail", user
    assert items[("service", "m365-smtp-auth-tenant")]["status"] == "fail"
    host = items[("device", "smtp_host")]
    assert host["status"] == "warning" and "differs from recommended: smtp.office365.com" in host["observed"], host
    table = HTML[HTML.index('<table id="checklist"'):]
    table = table[:table.index("</table>")]
    assert table.count('class="st st-fail"') == 2, "the tenant step and the From, nothing else"
    assert '<a href="#finding-1">See finding 1 above</a>' in table, "the checklist repeats the finding's fix"
    fix1 = J["findings"][0]["fix"]
    assert fix1[:60] not in table.replace("&gt;", ">").replace("&#39;", "'"), "the long fix is repeated"
    assert 'class="st st-warning">warning<' in table


S.check("title and header name the printer and the run", header)
S.check("no secret in any report (nor the password file's name)", no_secrets)
S.check("every http(s) source is a link; nothing is loaded; CSP kept", sources_are_links)
S.check("checklist of a tenant-level block: no login/password blame, server warning", checklist_of_a_tenant_block)


class DevTools:
    """Chromium over --remote-debugging-pipe (fd 3 in, fd 4 out; NUL-terminated JSON)."""

    def __init__(self, profile):
        r_in, self.w = os.pipe()     # we write commands -> chromium reads fd 3
        self.r, w_out = os.pipe()    # chromium writes fd 4 -> we read

        def fds():  # fds 3 and 4 in the child, whatever numbers the pipes got here
            a, b = fcntl.fcntl(r_in, fcntl.F_DUPFD, 10), fcntl.fcntl(w_out, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                      "--disable-background-networking", "--disable-component-update",
                                      "--disable-sync", "--user-data-dir=" + profile, "--remote-debugging-pipe",
                                      "about:blank"], pass_fds=(3, 4), preexec_fn=fds,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r_in)
        os.close(w_out)
        self.n, self.buf, self.events = 0, b"", []

    def call(self, method, session=None, timeout=60, **params):
        self.n += 1
        msg = {"id": self.n, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\0" in self.buf:
                raw, self.buf = self.buf.split(b"\0", 1)
                m = json.loads(raw)
                if m.get("id") == self.n:
                    assert "error" not in m, (method, m["error"])
                    return m["result"]
                self.events.append(m)
            ready, _, _ = select.select([self.r], [], [], max(0.0, deadline - time.monotonic()))
            if ready:
                chunk = os.read(self.r, 1 << 20)
                assert chunk, "chromium closed the DevTools pipe"
                self.buf += chunk
        raise AssertionError("DevTools %s: no answer in %d s" % (method, timeout))

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.w)
        os.close(self.r)


# Every code, key label, status and time: how many line boxes its text takes, and whether any
# table is wider than the page.
MEASURE = r"""(() => {
  const lines = el => { const r = document.createRange(); r.selectNodeContents(el);
    const tops = new Set(); for (const b of r.getClientRects()) if (b.width > 0) tops.add(Math.round(b.top));
    return tops.size; };
  const out = {cells: [], wide: []};
  for (const el of document.querySelectorAll('td.code, td.st, span.key, time, .stage, th'))
    out.cells.push({what: el.tagName + '.' + el.className, text: el.textContent, lines: lines(el),
                    width: Math.round(el.getBoundingClientRect().width)});
  for (const t of document.querySelectorAll('table'))
    if (t.scrollWidth > t.parentElement.clientWidth + 1) out.wide.push(t.id || 'table');
  const c = document.querySelector('#events-table td.code');
  if (c) { const r = document.createRange(); r.selectNodeContents(c);
    out.code = {text: c.textContent, height: r.getBoundingClientRect().height, width: r.getBoundingClientRect().width,
                font: parseFloat(getComputedStyle(c).fontSize), ws: getComputedStyle(c).whiteSpace}; }
  return JSON.stringify(out);
})()"""


def measured(dt, session, media):
    dt.call("Emulation.setEmulatedMedia", session, media=media)
    r = dt.call("Runtime.evaluate", session, expression=MEASURE, returnByValue=True)
    return json.loads(r["result"]["value"])


def no_wrap_in_chromium():
    assert CHROMIUM, "chromium is not installed (tests/setup.sh installs it)"
    prof = tempfile.mkdtemp(prefix="chromium-", dir=TMP)
    dt = DevTools(prof)
    try:
        target = dt.call("Target.createTarget", url="about:blank")["targetId"]
        session = dt.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        dt.call("Log.enable", session)
        dt.call("Emulation.setDeviceMetricsOverride", session, width=1280, height=2400, deviceScaleFactor=1,
                mobile=False)
        dt.call("Page.navigate", session, url="file://" + OUT["html_path"])
        for _ in range(100):
            st = dt.call("Runtime.evaluate", session, expression="document.readyState", returnByValue=True)
            if st["result"]["value"] == "complete":
                break
            time.sleep(0.1)
        for media, width in (("screen", 1280), ("print", 794)):
            if media == "print":  # the width of an A4 page at 96 dpi
                dt.call("Emulation.setDeviceMetricsOverride", session, width=width, height=1123,
                        deviceScaleFactor=1, mobile=False)
            m = measured(dt, session, media)
            codes = [c for c in m["cells"] if c["what"].startswith("TD.code")]
            assert len(codes) >= 2 and any(c["text"] == "017-715" for c in codes), m["cells"][:5]
            wrapped = [c for c in m["cells"] if c["lines"] > 1 and c["what"] != "SPAN.key"]
            assert not wrapped, "%s: wraps inside: %s" % (media, wrapped[:5])
            keys = [c for c in m["cells"] if c["what"] == "SPAN.key" and c["lines"] > 1 and " " not in c["text"]]
            assert not keys, "%s: a one-word label wraps: %s" % (media, keys)
            c = m["code"]
            # one line of text: its box is less than two font sizes high and wider than 5 characters
            assert c["ws"] == "nowrap" and c["height"] < 2 * c["font"] and c["width"] > 2.5 * c["font"], \
                "%s: code cell %s" % (media, c)
            assert not m["wide"], "%s: tables wider than the page: %s" % (media, m["wide"])
            print("     %s: %d code/key/status/time cells, none wraps; '017-715' is %.0f x %.0f px (font %.1f px)"
                  % (media, len(m["cells"]), c["width"], c["height"], c["font"]))
        csp = [e for e in dt.events if e.get("method") == "Log.entryAdded"
               and "Content Security Policy" in e["params"]["entry"].get("text", "")]
        assert not csp, "the page breaks its own CSP: %s" % csp[:2]
        assert "white-space:nowrap" in HTML and "@media print" in HTML and "@page{size:A4" in HTML
    finally:
        dt.close()


def print_to_pdf():
    assert CHROMIUM, "chromium is not installed (tests/setup.sh installs it)"
    prof = tempfile.mkdtemp(prefix="chromium-", dir=TMP)
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + prof]
    png = os.path.join(ARTIFACTS, "demo-report.png")
    pdf = os.path.join(ARTIFACTS, "demo-report.pdf")
    for f in (png, pdf):
        if os.path.exists(f):
            os.unlink(f)
    url = "file://" + OUT["html_path"]
    subprocess.run(flags + ["--window-size=1280,2400", "--screenshot=" + png, url], capture_output=True, timeout=120)
    subprocess.run(flags + ["--no-pdf-header-footer", "--print-to-pdf=" + pdf, url], capture_output=True, timeout=120)
    assert os.path.getsize(png) > 20000, "no screenshot"
    data = open(pdf, "rb").read()
    assert data.startswith(b"%PDF"), "no PDF"
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, timeout=30).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert "A4" in info, info
    else:
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert 1 <= pages <= 4, "the demo report prints on %d pages (at most 4)" % pages
    if shutil.which("pdftotext"):  # the order in print: evidence and fixes first
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, timeout=30).stdout
        order = ["Critical", "What is wrong, and what to change", "Checklist", "Errors the device logged",
                 "The test send, stage by stage", "Device facts"]
        at = [text.find(s) for s in order]
        assert -1 not in at and at == sorted(at), list(zip(order, at))
        assert "full transcript in the JSON report" in text
    print("     %d A4 pages; kept %s and %s" % (pages, pdf, png))


S.check("codes, keys and times never wrap (measured in Chromium, screen and print)", no_wrap_in_chromium)
S.check("print-to-PDF: at most 4 A4 pages, evidence and fixes first", print_to_pdf)
shutil.rmtree(TMP, ignore_errors=True)
S.finish()
