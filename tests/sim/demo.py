"""demo.py — the bundled simulated world for newcomers: starts a Microsoft-365-like SMTP server
on 127.0.0.1 that refuses the login the way Exchange Online does when authenticated SMTP is off
for the tenant, runs `mfpdoctor smtp` against it exactly as a printer would connect, shows the
report, and stops the server. Run through tests/demo.sh (which builds first)."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from simworld import Certs, Persona  # noqa: E402


def main():
    binary = sys.argv[1]
    extra = sys.argv[2:]
    with tempfile.TemporaryDirectory(prefix="mfpdoctor-demo-") as tmp:
        certs = Certs(os.path.join(tmp, "certs"))
        with Persona("m365-auth-disabled", certs, user="scanner@contoso.example") as srv:
            cmd = [binary, "smtp", "--server", srv.host, "--port", str(srv.port), "--tls", "starttls",
                   "--cafile", os.path.join(tmp, "certs", "ca.pem"), "--user", "scanner@contoso.example",
                   "--to", "helpdesk@contoso.example", "--ehlo", "mfp-3rd-floor.contoso.example"] + extra
            print("Simulated Microsoft 365 endpoint on %s:%d (STARTTLS, authenticated SMTP disabled for the tenant)"
                  % (srv.host, srv.port))
            print("$ MFPDOCTOR_SMTP_PASSWORD=… mfpdoctor smtp --server %s --port %d --tls starttls --user "
                  "scanner@contoso.example --to helpdesk@contoso.example %s\n" % (srv.host, srv.port, " ".join(extra)))
            env = dict(os.environ, MFPDOCTOR_SMTP_PASSWORD=srv.password)
            rc = subprocess.call(cmd, env=env)
            print("\n(exit status %d: 0 passed, 1 warnings, 2 failed, 3 could not test)" % rc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
