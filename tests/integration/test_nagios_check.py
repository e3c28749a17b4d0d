"""test_nagios_check.py — `mfpdoctor check` under a REAL Nagios 4 (Debian nagios4-core), with the
command definitions of docs/monitoring/nagios.cfg (included as they are, not copied). A scratch
nagios.cfg under the build dir (own log, status, perfdata, check results, lock file; nagios_user =
the current user; Debian's service_check_timeout=60 and illegal_macro_output_chars) runs Nagios in
the foreground against simulated printers and mail servers on 127.0.0.1. Asserted from what Nagios
recorded (service_perfdata_file, status.dat): a CRITICAL naming the Microsoft 365 tenant cause, an
OK, an UNKNOWN for a usage error with its reason, and a -t 20 check on a black-holed SNMP and a
silent server that ends by itself within 20 s with UNKNOWN (never killed by Nagios). The Icinga 2
side is tests/integration/test_icinga2_check.py."""
import getpass
import grp
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from smtptest import BIN, SRC, Suite
from printer import SimPrinter
from simworld import Certs, Persona

NAGIOS = "/usr/sbin/nagios4"
if not os.path.exists(NAGIOS):
    print("skipped: %s not installed (tests/setup.sh installs nagios4-core)" % NAGIOS)
    sys.exit(77)

S = Suite()
ART = os.environ.get("MFPDOCTOR_ARTIFACTS") or os.path.join(SRC, "build", "test-artifacts")
os.makedirs(ART, exist_ok=True)
TMP = tempfile.mkdtemp(prefix="nagios-check-", dir=ART)
os.chmod(TMP, 0o755)
CERTS = Certs(os.path.join(TMP, "certs"))
CA = os.path.join(TMP, "certs", "ca.pem")
PW = "Nagios-Pw-9012"
USER = "scanner@sim.test"
LOGIN = {"security": "starttls", "auth": "auto", "user": USER, "from": USER, "host": "localhost"}
DOC_CFG = os.path.join(SRC, "docs", "monitoring", "nagios.cfg")
RESULTS = {}


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def nagios_config(d, hosts, services):
    """The scratch configuration: nagios.cfg, resource.cfg (mode 0600) and the objects."""
    me, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
    for sub in ("checkresults", "spool", "archives"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    write(os.path.join(d, "resource.cfg"), "$USER9$=%s\n$USER11$=public\n$USER12$=%s\n" % (BIN, PW), 0o600)
    objs = ["define timeperiod {\n timeperiod_name always\n alias always\n sunday 00:00-24:00\n monday 00:00-24:00\n"
            " tuesday 00:00-24:00\n wednesday 00:00-24:00\n thursday 00:00-24:00\n friday 00:00-24:00\n"
            " saturday 00:00-24:00\n}\n",
            "define contact {\n contact_name nobody\n host_notifications_enabled 0\n service_notifications_enabled 0\n"
            " host_notification_period always\n service_notification_period always\n host_notification_options n\n"
            " service_notification_options n\n host_notification_commands none\n service_notification_commands none\n}\n",
            "define command {\n command_name none\n command_line /bin/true\n}\n"]
    for name, addr in hosts:
        objs.append("define host {\n host_name %s\n address %s\n max_check_attempts 1\n check_period always\n"
                    " contacts nobody\n notification_period always\n active_checks_enabled 0\n}\n" % (name, addr))
    for host, desc, cmd in services:
        objs.append("define service {\n host_name %s\n service_description %s\n check_command %s\n"
                    " max_check_attempts 1\n check_interval 3600\n retry_interval 3600\n check_period always\n"
                    " notification_period always\n contacts nobody\n notifications_enabled 0\n}\n" % (host, desc, cmd))
    write(os.path.join(d, "objects.cfg"), "".join(objs))
    cfg = {
        "log_file": "nagios.log", "cfg_file": [os.path.join(d, "objects.cfg"), DOC_CFG],
        "resource_file": "resource.cfg", "status_file": "status.dat", "status_update_interval": "1",
        "object_cache_file": "objects.cache", "precached_object_file": "objects.precache",
        "temp_file": "nagios.tmp", "temp_path": d, "lock_file": "nagios.lock", "check_result_path": "checkresults",
        "command_file": "nagios.cmd", "query_socket": "nagios.qh", "log_archive_path": "archives",
        "state_retention_file": "retention.dat", "retain_state_information": "0", "use_retained_program_state": "0",
        "use_retained_scheduling_info": "0", "nagios_user": me, "nagios_group": group, "check_external_commands": "1",
        "command_check_interval": "-1", "use_syslog": "0", "log_rotation_method": "n", "enable_notifications": "0",
        "execute_service_checks": "1", "execute_host_checks": "0", "check_service_freshness": "0",
        "interval_length": "1", "max_service_check_spread": "1", "service_inter_check_delay_method": "n",
        "service_interleave_factor": "s", "check_result_reaper_frequency": "1", "max_concurrent_checks": "8",
        "check_workers": "2", "process_performance_data": "1", "service_perfdata_file": "perfdata.log",
        "service_perfdata_file_mode": "a", "service_perfdata_file_processing_interval": "0",
        "service_perfdata_file_template":
            "desc=$SERVICEDESC$\tstate=$SERVICESTATE$\texec=$SERVICEEXECUTIONTIME$\toutput=$SERVICEOUTPUT$"
            "\tperf=$SERVICEPERFDATA$\tlong=$LONGSERVICEOUTPUT$",
        "service_check_timeout": "60", "service_check_timeout_state": "c", "host_check_timeout": "30",
        "illegal_macro_output_chars": "`~$&|'\"<>", "illegal_object_name_chars": "`~!$%^&*|'\"<>?,()=",
        "enable_environment_macros": "0", "debug_level": "0", "debug_file": "debug.log", "daemon_dumps_core": "0",
        "event_broker_options": "0", "enable_flap_detection": "0", "allow_empty_hostgroup_assignment": "1",
    }
    lines = []
    for k, v in cfg.items():
        for x in (v if isinstance(v, list) else [v]):
            path_keys = ("log_file", "resource_file", "status_file", "object_cache_file", "precached_object_file",
                         "temp_file", "lock_file", "check_result_path", "command_file", "query_socket",
                         "log_archive_path", "state_retention_file", "service_perfdata_file", "debug_file")
            lines.append("%s=%s" % (k, os.path.join(d, x) if k in path_keys else x))
    write(os.path.join(d, "nagios.cfg"), "\n".join(lines) + "\n")
    return os.path.join(d, "nagios.cfg")


def records(path):
    """The perfdata file's records by service (the last one of each)."""
    out = {}
    if not os.path.exists(path):
        return out
    for line in open(path, encoding="utf-8", errors="replace"):
        f = dict(x.split("=", 1) for x in line.rstrip("\n").split("\t") if "=" in x)
        if "desc" in f:
            out[f["desc"]] = f
    return out


def run_nagios(hosts, services, want, wait_s):
    d = os.path.join(TMP, "nagios")
    os.makedirs(d, exist_ok=True)
    cfg = nagios_config(d, hosts, services)
    v = subprocess.run([NAGIOS, "-v", cfg], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    assert v.returncode == 0, v.stdout.decode()[-3000:]
    log = open(os.path.join(d, "stdout.log"), "w")
    p = subprocess.Popen([NAGIOS, cfg], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        cmd = os.path.join(d, "nagios.cmd")
        t0 = time.monotonic()
        while not os.path.exists(cmd) and time.monotonic() - t0 < 30:
            assert p.poll() is None, open(os.path.join(d, "stdout.log")).read()[-3000:]
            time.sleep(0.2)
        assert os.path.exists(cmd), "Nagios made no command file"
        now = int(time.time())
        with open(cmd, "w") as f:   # check everything now, whatever the schedule says
            for host, desc, _ in services:
                f.write("[%d] SCHEDULE_FORCED_SVC_CHECK;%s;%s;%d\n" % (now, host, desc, now))
        perf = os.path.join(d, "perfdata.log")
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and not set(want) <= set(records(perf)):
            assert p.poll() is None, "Nagios ended: " + open(os.path.join(d, "stdout.log")).read()[-3000:]
            time.sleep(0.5)
        RESULTS.update(records(perf))
        RESULTS["_nagios_log"] = open(os.path.join(d, "nagios.log"), encoding="utf-8", errors="replace").read()
        RESULTS["_status"] = open(os.path.join(d, "status.dat"), encoding="utf-8", errors="replace").read()
        missing = set(want) - set(RESULTS)
        assert not missing, "no result from Nagios for %s; log:\n%s" % (missing, RESULTS["_nagios_log"][-3000:])
    finally:
        os.killpg(p.pid, signal.SIGTERM)   # Nagios and its workers, by the PID we started
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        log.close()


def world():
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)   # SNMP black hole: never answers
    udp.bind(("127.0.0.1", 0))
    dead = "127.0.0.1:%d" % udp.getsockname()[1]
    try:
        with Persona("submission", CERTS, user=USER, password=PW) as good, \
                Persona("m365-auth-disabled", CERTS, user=USER, password=PW) as m365, \
                Persona("silent", CERTS) as silent, \
                SimPrinter("brother", os.path.join(TMP, "p-ok"), CERTS, dict(LOGIN, port=good.port)) as p_ok, \
                SimPrinter("brother", os.path.join(TMP, "p-m365"), CERTS, dict(LOGIN, port=m365.port)) as p_m365:
            opts = "--no-web --cafile %s --step-timeout 3" % CA
            hosts = [("mfp-ok", p_ok.snmp_peer), ("mfp-m365", p_m365.snmp_peer), ("mfp-dead", dead)]
            services = [
                ("mfp-m365", "m365", "check_mfpdoctor_argv!%s" % opts),
                ("mfp-ok", "ok", "check_mfpdoctor!%s --accept login-not-tested -w cert_days=30:" % opts),
                ("mfp-ok", "usage", "check_mfpdoctor!--no-such-option"),
                ("mfp-dead", "slow", "check_mfpdoctor!--no-web --server localhost --port %d --tls none -t 20 "
                                     "--step-timeout 20" % silent.port),
            ]
            run_nagios(hosts, services, [s[1] for s in services], wait_s=90)
    finally:
        udp.close()


def critical_tenant():
    r = RESULTS["m365"]
    assert r["state"] == "CRITICAL", r
    assert r["output"].startswith("MFPDOCTOR CRITICAL - Microsoft 365 has authenticated SMTP turned off"), r
    assert re.match(r"^time=[0-9.]+s;;;0 smtp_time=[0-9.]+s;;;0 cert_days=[0-9]+;;; failures=[1-9][0-9]*;;;0 "
                    r"warnings=[0-9]+;;;0 smtp_stages=[0-9]+;;;0$", r["perf"]), r["perf"]
    # the long output reached Nagios whole: the fix with its admin-centre path, nothing stripped
    assert "m365-smtp-auth-disabled" in r["long"] and "[fail]" in r["long"], r["long"]
    assert "\u203a" in r["long"] or "admin" in r["long"].lower(), r["long"]
    assert "warning: a SMTP password on the command line" in r["long"], r["long"]
    assert PW not in r["long"] + r["output"] + RESULTS["_status"], "the password reached Nagios"


def ok_state():
    r = RESULTS["ok"]
    assert r["state"] == "OK", r
    assert r["output"].startswith("MFPDOCTOR OK - scan-to-email works: Brother"), r
    assert "\u2192 localhost:" in r["output"], r["output"]
    assert re.search(r"cert_days=[0-9]+;30:;;", r["perf"]), r["perf"]
    assert "accepted: [warn] The login was not tested" in r["long"], r["long"]


def usage_unknown():
    r = RESULTS["usage"]
    assert r["state"] == "UNKNOWN", r
    assert r["output"] == "MFPDOCTOR UNKNOWN - unknown option \u2019--no-such-option\u2019 (see mfpdoctor check --help)", r


def time_limit():
    r = RESULTS["slow"]
    assert r["state"] == "UNKNOWN", r
    assert r["output"].startswith("MFPDOCTOR UNKNOWN - out of time (-t 20):"), r
    assert float(r["exec"]) <= 20.5, "the check took %s s under Nagios" % r["exec"]
    assert "timed out" not in RESULTS["_nagios_log"], RESULTS["_nagios_log"][-2000:]
    assert "smtp_time=" in r["perf"] and "cert_days=U" in r["perf"], r["perf"]
    assert "The printer does not answer SNMP" in r["long"] or "not tested: SNMP" in r["long"], r["long"]


S.check("nagios: the simulated world under Nagios 4 (docs/monitoring/nagios.cfg)", world)
if "m365" in RESULTS:
    S.check("nagios: CRITICAL with the Microsoft 365 tenant cause, long output and perfdata", critical_tenant)
    S.check("nagios: OK (login accepted), cert_days threshold in the perfdata", ok_state)
    S.check("nagios: UNKNOWN for a usage error, the reason in the output", usage_unknown)
    S.check("nagios: -t 20 on black-holed SNMP + silent server ends by itself with UNKNOWN", time_limit)
shutil.rmtree(TMP, ignore_errors=True)
S.finish()
