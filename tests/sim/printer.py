"""printer.py — a simulated office printer for `mfpdoctor diagnose`: an SNMP agent (snmpsimd
replaying a recording generated for the scenario) and, for vendors whose e-mail settings live
in their web pages, the fixture embedded web server (ews_server.py) serving per-scenario copies
of the vendor's pages. Configure it the way real offices get it wrong:

    with SimPrinter("xerox-workcentre", tmp, certs, smtp={"host": "localhost", "port": 2525,
                    "security": "implicit", "auth": "auto", "user": "scan@x.test",
                    "from": "scan@x.test"}, events=[("016-764", "Unable to connect to SMTP server")]) as p:
        p.snmp_peer ("127.0.0.1:PORT"), p.web_port, p.web_args (options for diagnose)

Kinds: "brother" (settings and alerts over SNMP, BROTHER-MIB), "xerox-workcentre" (identity over
SNMP, settings and job log on CentreWare pages, form login over HTTPS), "hp-ledm" (LEDM XML,
no login), "kyocera" (Command Center RX model pages, form login), "ricoh" (Web Image Monitor, form
login with a token). Standard library only."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "fixtures"))
from snmpsim import SnmpSim  # noqa: E402
import mk_snmprec as rec  # noqa: E402

PY = "/usr/bin/python3"
BRO = "1.3.6.1.4.1.2435.2.4.3.1240.5.6"
WEB_PASSWORD = "Ews-Adm1n-pw"

KINDS = {
    "brother": {"web": None},
    "xerox-workcentre": {"web": "xerox-workcentre", "dir": "xerox"},
    "hp-ledm": {"web": "hp-ledm", "dir": "hp"},
    "kyocera": {"web": "kyocera", "dir": "kyocera"},
    "ricoh": {"web": "ricoh", "dir": "ricoh"},
}


def _now_hex(offset_s=0):
    """hrSystemDate (DateAndTime, 11 bytes with UTC offset) for now + offset_s, UTC."""
    t = time.gmtime(time.time() + offset_s)
    return "%04x%02x%02x%02x%02x%02x00" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec) + "2b0000"


def _snmp_identity(kind, hostname, clock_offset_s=0):
    now = _now_hex(clock_offset_s)
    if kind == "brother":
        return (rec.system("Brother NC-8800w, Firmware Ver.1.02  (19.05.31),MID 8C5-K9G,FID 2", "1.3.6.1.4.1.2435.2.3.9.1",
                           8640000, "it@sim.test", hostname, "2nd floor")
                + rec.hr("Brother MFC-L2750DW series", 2, 3, "00", now)
                + [("1.3.6.1.2.1.43.5.1.1.16.1", "4", "Brother MFC-L2750DW series"),
                   ("1.3.6.1.2.1.43.5.1.1.17.1", "4", "E78123A9N654321")])
    if kind == "xerox-workcentre":
        return (rec.system("Xerox WorkCentre 7845 v1 Multifunction System; System Software 071.040.224.04800, ESS 061.070.104.13100",
                           "1.3.6.1.4.1.253.8.62.1.20.2.3.1.1", 4280423, "", hostname, "Building B")
                + rec.hr("Xerox WorkCentre 7845 v1 Multifunction System", 2, 3, "00", now)
                + [("1.3.6.1.2.1.43.5.1.1.17.1", "4", "3TB123456")])
    if kind == "hp-ledm":
        return (rec.system("HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI23900012", "1.3.6.1.4.1.11.2.3.9.1",
                           99000, "", hostname, "")
                + rec.hr("HP LaserJet Pro MFP M428fdw", 2, 3, "00", now)
                + [("1.3.6.1.2.1.43.5.1.1.16.1", "4", "HP LaserJet Pro MFP M428fdw"),
                   ("1.3.6.1.2.1.43.5.1.1.17.1", "4", "PHBBB12345")])
    if kind == "kyocera":
        return (rec.system("KYOCERA Document Solutions Printing System", "1.3.6.1.4.1.1347.41", 99000, "", hostname, "")
                + rec.hr("TASKalfa 3253ci", 2, 3, "00", now)
                + [("1.3.6.1.2.1.43.5.1.1.16.1", "4", "TASKalfa 3253ci"),
                   ("1.3.6.1.2.1.43.5.1.1.17.1", "4", "W2X1234567"),
                   ("1.3.6.1.4.1.1347.40.35.1.1.2.1", "4", "TASKalfa 3253ci")])
    if kind == "ricoh":
        return (rec.system("RICOH IM C3000 1.03 / RICOH Network Printer C model / RICOH Network Scanner C model",
                           "1.3.6.1.4.1.367.1.1", 99000, "", hostname, "2nd floor")
                + rec.hr("RICOH IM C3000", 2, 3, "00", now)
                + [("1.3.6.1.2.1.43.5.1.1.16.1", "4", "RICOH IM C3000"),
                   ("1.3.6.1.2.1.43.5.1.1.17.1", "4", "3110R123456")])
    raise ValueError(kind)


def _brother_smtp(smtp):
    auth = {"none": 0, "auto": 1, "login": 1, "plain": 1, "pop-before-smtp": 2}.get(smtp.get("auth", "none"), 1)
    rows = [(BRO + ".2.0", "2", 1), (BRO + ".102.0", "2", auth)]
    if smtp.get("host"):
        rows.append(("1.3.6.1.4.1.2435.2.4.3.99.1.10.0", "4", smtp["host"]))
    if smtp.get("port"):
        rows.append((BRO + ".155.0", "2", int(smtp["port"])))
    if smtp.get("user"):
        rows.append((BRO + ".103.0", "4", smtp["user"]))
    if smtp.get("from"):
        rows.append(("1.3.6.1.4.1.2435.2.4.3.99.2.6.0", "4", smtp["from"]))
    return rows


def _write_snmprec(path, rows):
    lines = sorted(rows, key=rec.oidkey)
    with open(path, "w") as f:
        for o, t, v in lines:
            f.write(rec.fmt(o, t, v) + "\n")


def _sub(text, pattern, repl, what):
    new, n = re.subn(pattern, repl, text, count=1, flags=re.S)
    if n != 1:
        raise RuntimeError("printer.py: fixture field %s not found (pattern %s)" % (what, pattern))
    return new


def _select(text, name, value):
    """Marks option `value` as the selected one of <select name=name>."""
    m = re.search(r'(<select name="%s">)(.*?)(</select>)' % re.escape(name), text, flags=re.S)
    if not m:
        raise RuntimeError("printer.py: select %s not found" % name)
    opts = re.sub(r" selected", "", m.group(2))
    opts = opts.replace('<option value="%s">' % value, '<option value="%s" selected>' % value)
    return text[:m.start(2)] + opts + text[m.end(2):]


def _xerox_pages(d, smtp, events, hostname):
    p = os.path.join(d, "wc_smtp.dhtml")
    t = open(p, encoding="utf-8").read()
    t = _sub(t, r'(name="GSI_SMTP_SERVER_IP_ADDR" value=")[^"]*', r"\g<1>" + smtp.get("host", ""), "host")
    t = _sub(t, r"(name=GSI_SMTP_PORT_NUMBER value=)[0-9]+", r"\g<1>%s" % smtp.get("port", 25), "port")
    t = _sub(t, r'(name="GSI_SMTP_DEVICE_EMAIL" value=")[^"]*', r"\g<1>" + smtp.get("from", ""), "from")
    t = _sub(t, r'(name="GSI_SMTP_ACCOUNT" value=")[^"]*', r"\g<1>" + smtp.get("user", ""), "user")
    t = _sub(t, r"(name= 'GSI_SMTP_SERVER_DOMAIN' value = ')[^']*", r"\g<1>" + hostname, "ehlo")
    if "max_size_kb" in smtp:
        t = _sub(t, r'(name="GSI_SMTP_MAX_MSG_SIZE" value=")[0-9]*', r"\g<1>%d" % smtp["max_size_kb"], "max size")
    t = _select(t, "GSI_SMTP_SSL", {"none": "0", "starttls": "1", "implicit": "2"}[smtp.get("security", "starttls")])
    t = _select(t, "GSI_SMTP_ENAUTH", {"none": "0", "auto": "1", "login": "1", "pop-before-smtp": "2"}[smtp.get("auth", "auto")])
    open(p, "w", encoding="utf-8").write(t)
    p = os.path.join(d, "wc_joblog.html")
    t = open(p, encoding="utf-8").read()
    rows = "".join('<tr><td>2026-11-28 09:%02d:00</td><td>Email</td><td>Deleted</td><td>%s</td><td>%s</td></tr>\n'
                   % (10 + i, text, code) for i, (code, text) in enumerate(events))
    t = _sub(t, r"(<tbody>).*?(</tbody>)", r"\g<1>\n" + rows.replace("\\", "\\\\") + r"\g<2>", "job log rows")
    open(p, "w", encoding="utf-8").write(t)


def _xml_text(t, tag, value, what):
    return _sub(t, r"(<emaildyn:%s>)[^<]*(</emaildyn:%s>)" % (tag, tag), r"\g<1>%s\g<2>" % value, what)


def _hp_pages(d, smtp, events, hostname):
    p = os.path.join(d, "SmtpServers.xml")  # found through DiscoveryTree.xml and EmailServiceManifest.xml
    t = open(p, encoding="utf-8").read()
    t = _xml_text(t, "NetworkAddress", smtp.get("host", ""), "host")
    t = _xml_text(t, "Port", smtp.get("port", 25), "port")
    t = _xml_text(t, "Security", {"none": "none", "implicit": "ssl", "starttls": "starttls"}[smtp.get("security", "starttls")],
                  "security")
    t = _xml_text(t, "AuthenticationEnabled", "false" if smtp.get("auth") == "none" else "true", "auth")
    t = _xml_text(t, "UserName", smtp.get("user", ""), "user")
    t = _xml_text(t, "FromAddress", smtp.get("from", ""), "from")
    if "max_size_kb" in smtp:
        t = _xml_text(t, "MaxAttachmentSizeKB", smtp["max_size_kb"], "max size")
    open(p, "w", encoding="utf-8").write(t)


def _kyocera_pages(d, smtp, events, hostname):
    p = os.path.join(d, "FuncSet_Email_EmailSet.model.htm")
    t = open(p, encoding="utf-8").read()

    def js(t, var, val):  # quoted strings and parseInt('…', 10); the first (unconditional) assignment
        return _sub(t, r"(_pp\.%s = (?:parseInt\()?')[^']*" % var, r"\g<1>%s" % val, var)
    t = js(t, "smtpServerName", smtp.get("host", ""))
    t = js(t, "smtpPort", smtp.get("port", 25))
    t = js(t, "smtpSecurity", {"none": "0", "implicit": "1", "starttls": "2"}[smtp.get("security", "none")])
    t = js(t, "smtpAuthMode", "_mode_off" if smtp.get("auth") == "none" else "_mode_on")
    t = js(t, "smtpLoginUserName", smtp.get("user", ""))
    t = js(t, "senderAddress", smtp.get("from", ""))
    if "max_size_kb" in smtp:
        t = js(t, "emailSize", smtp["max_size_kb"])
    open(p, "w", encoding="utf-8").write(t)


def _ricoh_pages(d, smtp, events, hostname):
    p = os.path.join(d, "getSmtp.html")
    t = open(p, encoding="utf-8").read()

    def row(t, label, value):
        return _sub(t, r"(<td class=\"label\">%s</td><td>:</td><td>)[^<]*" % re.escape(label), r"\g<1>%s" % value, label)
    t = row(t, "SMTP Server Name", smtp.get("host", ""))
    t = row(t, "SMTP Port No.", smtp.get("port", 25))
    t = row(t, "Use Secure Connection (SSL)", {"none": "Off", "implicit": "On", "starttls": "STARTTLS"}[smtp.get("security", "none")])
    t = row(t, "SMTP Authentication", "Off" if smtp.get("auth") == "none" else "On")
    t = row(t, "SMTP Auth. User Name", smtp.get("user", ""))
    t = row(t, "Administrator E-mail Address", smtp.get("from", ""))
    if "max_size_kb" in smtp:
        t = row(t, "Max. E-mail Size", "%d KB" % smtp["max_size_kb"])
    open(p, "w", encoding="utf-8").write(t)


PAGES = {"xerox-workcentre": _xerox_pages, "hp-ledm": _hp_pages, "kyocera": _kyocera_pages, "ricoh": _ricoh_pages}


class SimPrinter:
    def __init__(self, kind, tmpdir, certs, smtp, events=(), hostname="mfp-3rdfloor.sim.test", alerts=(),
                 clock_offset_s=0, web_password=WEB_PASSWORD, community="public", snmp_users=None,
                 snmp_address="127.0.0.1"):
        if kind not in KINDS:
            raise ValueError("unknown printer kind %s (one of %s)" % (kind, ", ".join(KINDS)))
        self.kind, self.dir, self.certs = kind, os.path.abspath(tmpdir), certs
        self.smtp, self.events, self.hostname, self.alerts = dict(smtp), list(events), hostname, list(alerts)
        self.clock_offset_s = clock_offset_s
        self._violations = ""
        self.snmp = None
        self.web = None
        self.web_port = None
        self.web_password = web_password
        self.community = community
        self.snmp_users = snmp_users      # SNMPv3 users (snmpsim.py V3_USERS form); context = community
        self.snmp_address = snmp_address  # the agent's 127.0.0.0/8 address (a fleet on distinct addresses)
        self.issued_log = os.path.join(self.dir, "issued.log")   # CSRF tokens and cookie values handed out

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        # snmpsimd drops root privileges to "nobody": its data must be readable outside tmpdir
        data = self._snmp_dir = tempfile.mkdtemp(prefix="mfp-printer-snmp-")
        os.chmod(data, 0o755)
        rows = _snmp_identity(self.kind, self.hostname, self.clock_offset_s)
        for i, (code, text) in enumerate(self.alerts):
            rows += rec.alert("1.%d" % (i + 5), 3, 4, 5, -1, -2, 1, ("%s %s" % (code, text)).strip(), 8000000 + i)
        if self.kind == "brother":
            rows += _brother_smtp(self.smtp)
        rec_file = os.path.join(data, self.community + ".snmprec")
        _write_snmprec(rec_file, rows)
        os.chmod(rec_file, 0o644)
        self.snmp = SnmpSim(data, users=self.snmp_users, address=self.snmp_address)
        self.snmp.start()
        web = KINDS[self.kind]["web"]
        if web:
            root = os.path.join(self.dir, "web")
            shutil.copytree(os.path.join(SRC, "tests", "fixtures", "web", KINDS[self.kind]["dir"]),
                            os.path.join(root, KINDS[self.kind]["dir"]))
            PAGES[self.kind](os.path.join(root, KINDS[self.kind]["dir"]), self.smtp, self.events, self.hostname)
            cdir = self.certs.dir if hasattr(self.certs, "dir") else str(self.certs)
            cmd = [PY, os.path.join(HERE, "ews_server.py"), "--family", web, "--fixtures", root, "--password",
                   self.web_password, "--tls", os.path.join(cdir, "server.pem"), os.path.join(cdir, "server.key"),
                   "--issued-log", self.issued_log]
            self.web = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + 15
            line = b""
            while time.monotonic() < deadline:
                line = self.web.stdout.readline()
                if line.startswith(b"READY") or not line:
                    break
            if not line.startswith(b"READY"):
                self.stop()
                raise RuntimeError("ews_server did not start: %s" % self.web.stderr.read(2000))
            self.web_port = int(line.split()[1])
        return self

    @property
    def snmp_peer(self):
        return "%s:%d" % (self.snmp_address, self.snmp.port)

    def diagnose_args(self):
        """Options that point `mfpdoctor diagnose` at this printer's web server."""
        if not self.web_port:
            return ["--no-web"]
        cdir = self.certs.dir if hasattr(self.certs, "dir") else str(self.certs)
        return ["--web-port", str(self.web_port), "--web-cafile", os.path.join(cdir, "ca.pem")]

    def env(self):
        return {"MFPDOCTOR_WEB_PASSWORD": self.web_password, "MFPDOCTOR_SNMP_COMMUNITY": self.community}

    def issued(self):
        """The CSRF token and session cookie values the web server handed out (strings)."""
        if not os.path.exists(self.issued_log):
            return []
        return [line.split(" ", 1)[1].strip() for line in open(self.issued_log) if " " in line]

    @staticmethod
    def from_recording(rec_dir, tmpdir, certs):
        """A printer that replays a recording made by `mfpdoctor record` (a user's printer as a test
        case): snmpsimd serves its device.snmprec, replay_web.py its web exchanges (over HTTPS with
        the sim's certificate when the recording was HTTPS). Same interface as a SimPrinter."""
        return RecordedPrinter(rec_dir, tmpdir, certs)

    def violations(self):
        """After stop(): the requests the web server counted against read-only behaviour (anything
        but GET and the login form), as text; "" when there were none."""
        return self._violations

    def stop(self):
        if self.web and self.web.poll() is None:
            self.web.terminate()
            try:
                self.web.wait(5)
            except subprocess.TimeoutExpired:
                self.web.kill()
                self.web.wait()
        if self.web is not None:
            err = self.web.stderr.read().decode("utf-8", "replace") if self.web.stderr else ""
            self._violations = err if self.web.returncode == 3 else ""
            self.web = None
        if self.snmp:
            self.snmp.stop()
            self.snmp = None
        if getattr(self, "_snmp_dir", None):
            shutil.rmtree(self._snmp_dir, ignore_errors=True)
            self._snmp_dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class RecordedPrinter:
    """See SimPrinter.from_recording. The SNMP community is "recording" (the recorded one was
    redacted); the web password is not checked (the recorded login answers are replayed)."""
    community = "recording"
    web_password = "any"
    snmp_address = "127.0.0.1"

    def __init__(self, rec_dir, tmpdir, certs):
        self.rec_dir, self.dir, self.certs = os.path.abspath(rec_dir), os.path.abspath(tmpdir), certs
        self.snmp = self.web = self.web_port = None
        self._snmp_dir = None

    def start(self):
        import json
        os.makedirs(self.dir, exist_ok=True)
        man = json.load(open(os.path.join(self.rec_dir, "manifest.json")))
        self._snmp_dir = tempfile.mkdtemp(prefix="mfp-recorded-snmp-")
        os.chmod(self._snmp_dir, 0o755)
        dst = os.path.join(self._snmp_dir, self.community + ".snmprec")
        shutil.copy(os.path.join(self.rec_dir, man["snmp"]["file"]), dst)
        os.chmod(dst, 0o644)
        self.snmp = SnmpSim(self._snmp_dir)
        self.snmp.start()
        if man.get("web", {}).get("exchanges"):
            cdir = self.certs.dir if hasattr(self.certs, "dir") else str(self.certs)
            cmd = [PY, os.path.join(HERE, "replay_web.py"), self.rec_dir, "--tls", os.path.join(cdir, "server.pem"),
                   os.path.join(cdir, "server.key")]
            self.web = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
            line = self.web.stdout.readline()
            if not line.startswith(b"READY"):
                self.stop()
                raise RuntimeError("replay_web did not start: %s" % self.web.stderr.read(2000))
            self.web_port = int(line.split()[1])
        return self

    snmp_peer = SimPrinter.snmp_peer
    diagnose_args = SimPrinter.diagnose_args

    def env(self):
        return {"MFPDOCTOR_WEB_PASSWORD": self.web_password, "MFPDOCTOR_SNMP_COMMUNITY": self.community}

    def violations(self):
        return ""

    def stop(self):
        if self.web and self.web.poll() is None:
            self.web.terminate()
            try:
                self.web.wait(5)
            except subprocess.TimeoutExpired:
                self.web.kill()
                self.web.wait()
        self.web = None
        if self.snmp:
            self.snmp.stop()
            self.snmp = None
        if self._snmp_dir:
            shutil.rmtree(self._snmp_dir, ignore_errors=True)
            self._snmp_dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
