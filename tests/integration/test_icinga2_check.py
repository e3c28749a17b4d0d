"""test_icinga2_check.py — the Icinga 2 CheckCommand of docs/monitoring/icinga2.conf (included as
it is): `icinga2 daemon -C` validates it, and a real Icinga 2 (icinga2-bin, in the foreground, a
scratch configuration and state under the build dir) runs it against a simulated printer whose
mail service is Microsoft 365 with SMTP AUTH off. Asserted from what Icinga 2 recorded (its
PerfdataWriter file): CRITICAL with the tenant cause as the FIRST line (Icinga 2 merges stderr into
the output: nothing may come before it), the password passed in the environment (env) and never
in the output, the --accept array (repeat_key), and the perfdata set."""
import getpass
import grp
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from smtptest import BIN, SRC, Suite
from printer import SimPrinter
from simworld import Certs, Persona

ICINGA = "/usr/sbin/icinga2"
if not os.path.exists(ICINGA):
    print("skipped: %s not installed (tests/setup.sh installs icinga2-bin)" % ICINGA)
    sys.exit(77)

S = Suite()
ART = os.environ.get("MFPDOCTOR_ARTIFACTS") or os.path.join(SRC, "build", "test-artifacts")
os.makedirs(ART, exist_ok=True)
TMP = tempfile.mkdtemp(prefix="icinga2-check-", dir=ART)
os.chmod(TMP, 0o755)
CERTS = Certs(os.path.join(TMP, "certs"))
CA = os.path.join(TMP, "certs", "ca.pem")
PW = "Icinga-Pw-3456"
USER = "scanner@sim.test"
LOGIN = {"security": "starttls", "auth": "auto", "user": USER, "from": USER, "host": "localhost"}
DOC = os.path.join(SRC, "docs", "monitoring", "icinga2.conf")
D = os.path.join(TMP, "icinga2")


def consts():
    for sub in ("log", "cache", "run", "spool", "lib", "perf"):
        os.makedirs(os.path.join(D, sub), exist_ok=True)
    return ["-DLogDir=" + os.path.join(D, "log"), "-DCacheDir=" + os.path.join(D, "cache"),
            "-DSpoolDir=" + os.path.join(D, "spool"), "-DDataDir=" + os.path.join(D, "lib"),
            "-DInitRunDir=" + os.path.join(D, "run"), "-DPluginDir=/usr/lib/nagios/plugins",
            "-DRunAsUser=" + getpass.getuser(), "-DRunAsGroup=" + grp.getgrgid(os.getgid()).gr_name]


def validates():
    main = os.path.join(D, "validate.conf")
    os.makedirs(D, exist_ok=True)
    with open(main, "w") as f:
        f.write('include <itl>\ninclude "%s"\n'
                'object Host "mfp-3rdfloor" {\n  address = "192.0.2.10"\n  check_command = "dummy"\n'
                '  vars.mfpdoctor_accept = [ "login-not-tested" ]\n  vars.mfpdoctor_warning = "time=30,cert_days=30:"\n}\n'
                'object Service "scan-to-email" {\n  host_name = "mfp-3rdfloor"\n  check_command = "mfpdoctor"\n}\n' % DOC)
    r = subprocess.run([ICINGA, "daemon", "-C", "-c", main] + consts(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    text = r.stdout.decode("utf-8", "replace")
    # the Service names check_command "mfpdoctor": without the CheckCommand validation fails
    assert r.returncode == 0 and "Finished validating the configuration" in text, text[-3000:]


CONF = '''include <itl>
include "%(doc)s"
object IcingaApplication "app" { }
object CheckerComponent "checker" { }
object PerfdataWriter "perfdata" {
  service_perfdata_path = "%(d)s/perf/service.perf"
  service_temp_path = "%(d)s/perf/service.tmp"
  host_perfdata_path = "%(d)s/perf/host.perf"
  host_temp_path = "%(d)s/perf/host.tmp"
  service_format_template = "SERVICE::$service.name$\\tSTATE::$service.state$\\tOUTPUT::$service.output$\\tPERF::$service.perfdata$"
  rotation_interval = 1s
}
object Host "mfp-m365" {
  address = "%(peer)s"
  check_command = "dummy"
  enable_active_checks = false
  vars.mfpdoctor_bin = "%(bin)s"
  vars.mfpdoctor_no_web = true
  vars.mfpdoctor_cafile = "%(ca)s"
  vars.mfpdoctor_password = "%(pw)s"
}
object Service "scan-to-email" {
  host_name = "mfp-m365"
  check_command = "mfpdoctor"
  check_interval = 2s
  retry_interval = 2s
  vars.mfpdoctor_step_timeout = 3
  vars.mfpdoctor_timeout = 30
  vars.mfpdoctor_accept = [ "m365-basic-auth-retirement", "sender-not-tested" ]
}
'''


def perf_records():
    text = ""
    for f in os.listdir(os.path.join(D, "perf")):
        if f.startswith("service.perf"):
            text += open(os.path.join(D, "perf", f), encoding="utf-8", errors="replace").read()
    return text


def runs():
    with Persona("m365-auth-disabled", CERTS, user=USER, password=PW) as m365, \
            SimPrinter("brother", os.path.join(TMP, "p"), CERTS, dict(LOGIN, port=m365.port)) as p:
        main = os.path.join(D, "run.conf")
        c = consts()
        with open(main, "w") as f:
            f.write(CONF % {"doc": DOC, "d": D, "peer": p.snmp_peer, "bin": BIN, "ca": CA, "pw": PW})
        log = open(os.path.join(D, "daemon.log"), "w")
        pr = subprocess.Popen([ICINGA, "daemon", "-c", main] + c, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
        text = ""
        try:
            deadline = time.monotonic() + 60
            # kept as read now: on stop Icinga 2 rotates its file again, and a rotation in the same
            # second reuses the name (the result would be overwritten by an empty file)
            while time.monotonic() < deadline and "SERVICE::scan-to-email" not in text:
                assert pr.poll() is None, open(os.path.join(D, "daemon.log")).read()[-3000:]
                time.sleep(0.5)
                text = perf_records()
        finally:
            os.killpg(pr.pid, signal.SIGTERM)   # Icinga 2 and its helpers, by the PID we started
            try:
                pr.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(pr.pid, signal.SIGKILL)
                pr.wait()
            log.close()
    rec = [l for l in text.split("SERVICE::") if l.startswith("scan-to-email")]
    assert rec, "no check result from Icinga 2:\n" + open(os.path.join(D, "daemon.log")).read()[-3000:]
    r = dict(x.split("::", 1) for x in ("SERVICE::" + rec[0]).rstrip("\n").split("\t"))
    assert r["STATE"] == "CRITICAL", r
    out = r["OUTPUT"]
    assert out.startswith("MFPDOCTOR CRITICAL - Microsoft 365 has authenticated SMTP turned off"), out
    assert "(m365-smtp-auth-disabled)" in out and "accepted: [warn] Microsoft is retiring" in out, out
    assert PW not in text, "the password reached Icinga 2's output"
    assert re.match(r"^time=[0-9.]+s;;;0 smtp_time=[0-9.]+s;;;0 cert_days=[0-9]+;;; failures=1;;;0 warnings=0;;;0 "
                    r"smtp_stages=[0-9]+;;;0\s*$", r["PERF"]), r["PERF"]


S.check("icinga2: docs/monitoring/icinga2.conf validates (icinga2 daemon -C)", validates)
S.check("icinga2: a real Icinga 2 runs the CheckCommand (env password, --accept array): CRITICAL, tenant cause", runs)
shutil.rmtree(TMP, ignore_errors=True)
S.finish()
