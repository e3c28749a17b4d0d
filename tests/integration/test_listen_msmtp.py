"""test_listen_msmtp — `mfpdoctor listen` with msmtp (a client we did not write) acting as the
printer: STARTTLS + AUTH PLAIN, STARTTLS + AUTH LOGIN and implicit TLS + PLAIN, each sending a
small message. msmtp's configuration is a temporary file (--file); the password comes through
`passwordeval` reading a 0600 file, so it is on no command line. Asserts the recorded EHLO name,
TLS mode, AUTH mechanism, user, password length, MAIL FROM and RCPT TO, and that the password
appears in no output (listen's stdout and stderr, msmtp's log). Loopback only; bounded."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_listen  # noqa: E402
from smtptest import Suite  # noqa: E402
from test_listen import PASSWORD, Listener, no_secret  # noqa: E402

TMP = tempfile.mkdtemp(prefix="listen-msmtp-")
USER = "scan@x.test"
MESSAGE = ("From: scanner@example.com\r\nTo: inbox@example.com\r\nSubject: Scan from XRX-7845\r\n"
           "Date: Wed, 02 Dec 2026 02:00:00 +0000\r\nMessage-ID: <msmtp-1@x.test>\r\n\r\nScanned page.\r\n")


def msmtp(port, auth, tls="starttls"):
    """Sends MESSAGE with msmtp; returns (rc, msmtp's output and log)."""
    pw = os.path.join(TMP, "password")
    with open(pw, "w") as f:
        f.write(PASSWORD)
    os.chmod(pw, 0o600)
    log = os.path.join(TMP, "msmtp-%s-%s.log" % (auth, tls))
    cfg = os.path.join(TMP, "msmtprc-%s-%s" % (auth, tls))
    with open(cfg, "w") as f:
        f.write("account printer\nhost 127.0.0.1\nport %d\ndomain XRX-7845.scan\nfrom scanner@example.com\n"
                "auth %s\nuser %s\npasswordeval \"cat %s\"\ntls on\ntls_starttls %s\ntls_certcheck off\n"
                "timeout 15\nlogfile %s\naccount default : printer\n"
                % (port, auth, USER, pw, "on" if tls == "starttls" else "off", log))
    os.chmod(cfg, 0o600)
    r = subprocess.run(["msmtp", "--file=" + cfg, "inbox@example.com"], input=MESSAGE.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    text = r.stdout.decode("utf-8", "replace")
    if os.path.exists(log):
        text += open(log, encoding="utf-8", errors="replace").read()
    return r.returncode, text


def one(auth, tls, mech):
    args = ["--sessions", "1"] + (["--tls", "implicit"] if tls == "implicit" else [])
    with Listener(*args) as L:
        rc, out = msmtp(L.port, auth, tls)
        lrc, j, err, secs = L.json()
    assert rc == 0 and lrc == 0 and secs < 60, (rc, lrc, out[-3000:], err[-2000:])
    s = j["sessions"][0]
    assert s["ehlo"] == "XRX-7845.scan" and not s["helo"], s["ehlo"]
    assert s["tls"]["mode"] == tls and s["tls"]["version"], s["tls"]
    a = s["auth"]
    assert len(a) == 1 and a[0]["mechanism"] == mech and a[0]["user"] == USER, a
    assert a[0]["password_length"] == len(PASSWORD) and a[0]["reply"].startswith("235"), a
    assert "space" in a[0]["password_risky_chars"], a
    m = s["messages"][0]
    assert m["mail_from"] == "scanner@example.com" and m["rcpt"] == ["inbox@example.com"], m
    assert m["complete"] and m["headers"]["subject"] == "Scan from XRX-7845", m
    no_secret(json.dumps(j), err, out)
    assert "Sc4n" not in json.dumps(j) + err, "password part leaked"


def t_msmtp_starttls_plain():
    one("plain", "starttls", "PLAIN")


def t_msmtp_starttls_login():
    one("login", "starttls", "LOGIN")


def t_msmtp_implicit_plain():
    one("plain", "implicit", "PLAIN")


def main():
    if not shutil.which("msmtp"):
        print("msmtp missing: skipped")
        sys.exit(77)
    s = Suite()
    for name, fn in sorted((k, v) for k, v in globals().items() if k.startswith("t_")):
        s.check(name[2:], fn)
    shutil.rmtree(TMP, ignore_errors=True)
    shutil.rmtree(test_listen.TMP, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
