"""demo.py — the bundled simulated world for newcomers, no hardware needed: a simulated Xerox
WorkCentre (SNMP agent + its CentreWare web pages, with a job log showing fault 017-715)
configured the way real offices get it wrong, sending through a simulated Microsoft 365
submission endpoint that refuses the login because authenticated SMTP is disabled for the
tenant. Runs `mfpdoctor diagnose` against the printer, shows the report, stops everything.
Run through tests/demo.sh (which installs and builds first). Extra arguments go to mfpdoctor,
e.g. --format md, --format html --output report.html, --verbose."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from printer import SimPrinter  # noqa: E402
from simworld import Certs, Persona  # noqa: E402


def main():
    binary = sys.argv[1]
    extra = sys.argv[2:]
    with tempfile.TemporaryDirectory(prefix="mfpdoctor-demo-") as tmp:
        certs = Certs(os.path.join(tmp, "certs"))
        ca = os.path.join(tmp, "certs", "ca.pem")
        with Persona("m365-auth-disabled", certs, user="scanner@contoso.test") as mail:
            smtp = {"host": "localhost", "port": mail.port, "security": "starttls", "auth": "auto",
                    "user": "scanner@contoso.test", "from": "xerox-3rdfloor@contoso.test"}
            events = [("017-715", "Scan to e-mail failed"), ("016-764", "Unable to connect to SMTP server")]
            with SimPrinter("xerox-workcentre", os.path.join(tmp, "printer"), certs, smtp, events=events,
                            hostname="xrx-3rdfloor.contoso.test") as printer:
                print("Simulated printer: Xerox WorkCentre 7845 at %s (SNMP) and https://127.0.0.1:%d (web pages)"
                      % (printer.snmp_peer, printer.web_port))
                print("Simulated mail service: Microsoft 365-like submission endpoint on localhost:%d "
                      "(authenticated SMTP disabled for the tenant)" % mail.port)
                print("(the WorkCentre family's firmware stops at TLS 1.0; this one was updated, hence --tls-max 1.2)\n")
                cmd = [binary, "diagnose", printer.snmp_peer, "--cafile", ca, "--tls-max", "1.2"] \
                    + printer.diagnose_args() + extra
                print("$ MFPDOCTOR_SMTP_PASSWORD=… MFPDOCTOR_WEB_PASSWORD=… mfpdoctor diagnose %s --tls-max 1.2 %s\n"
                      % (printer.snmp_peer, " ".join(printer.diagnose_args()[:2] + extra)))
                env = dict(os.environ, MFPDOCTOR_SMTP_PASSWORD=mail.password, **printer.env())
                rc = subprocess.call(cmd, env=env)
                print("\n(exit status %d: 0 ok, 1 warning, 2 critical, 3 unknown)" % rc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
