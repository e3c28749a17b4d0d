"""test_listen_learn — `listen --device HOST --learn` end to end, then `explain`: a simulated Xerox
(snmpsimd) shows no alert before the session; while the listener waits for its second session the
SNMP data is swapped (snmpsimd restarted on the same port) so an alert "016-764" has appeared; the
listener pairs it with the refused AUTH reply, saves it to $MFPDOCTOR_PROFILES/observed/xerox.json,
and `explain 016-764` then shows it as "Seen here" (text, md, JSON), marked as a local
observation, with the entry's confidence unchanged. Also: --learn without MFPDOCTOR_PROFILES is a
usage error (64). Loopback only; every run is bounded."""
import json
import os
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_listen  # noqa: E402
from smtptest import BIN, SRC, Suite  # noqa: E402
from test_listen import PASSWORD, Listener, no_secret, swaks  # noqa: E402
import snmpsim  # noqa: E402  (tests/sim is on sys.path through smtptest)

TMP = tempfile.mkdtemp(prefix="listen-learn-")
REPLY = "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect"
ALERT = re.compile(r"^1\.3\.6\.1\.2\.1\.43\.18\.1\.1\.\d+\.1\.12\|")


def snmp_data(with_alert):
    text = open(os.path.join(SRC, "tests", "fixtures", "xerox-altalink.snmprec")).read()
    rows = [r for r in text.splitlines(True) if with_alert or not ALERT.match(r)]
    d = tempfile.mkdtemp(dir=TMP)
    os.chmod(d, 0o755)
    with open(os.path.join(d, "public.snmprec"), "w") as f:
        f.writelines(rows)
    return d


def restart_on_same_port(sim, data_dir):
    """Stops sim and serves data_dir on the same UDP port (snmpsimd indexes its data at start)."""
    port = sim.port
    sim.stop()
    sim.data_dir = data_dir
    orig = snmpsim.free_udp_port
    snmpsim.free_udp_port = lambda: port
    try:
        sim.start()
    finally:
        snmpsim.free_udp_port = orig


def explain(ov, *args):
    r = subprocess.run([BIN, "explain"] + list(args), capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, MFPDOCTOR_PROFILES=ov, NO_COLOR="1"))
    return r.returncode, r.stdout, r.stderr


def t_learn_then_explain():
    ov = tempfile.mkdtemp(dir=TMP)
    sim = snmpsim.SnmpSim(snmp_data(False))
    sim.start()
    os.environ["MFPDOCTOR_PROFILES"] = ov
    try:
        with Listener("--sessions", "2", "--device", "127.0.0.1:%d" % sim.port, "--learn", "--reply-at", "auth",
                      REPLY) as L:
            rc, out = swaks(L.port, "--tls", "--auth", "LOGIN", "--auth-user", "scan@x.test",
                            "--auth-password", PASSWORD)
            assert "535 5.7.139" in out, out[-2000:]
            restart_on_same_port(sim, snmp_data(True))
            with smtplib.SMTP("127.0.0.1", L.port, timeout=15) as c:
                c.ehlo("XRX-7845.scan")
            lrc, j, err, secs = L.json()
    finally:
        os.environ.pop("MFPDOCTOR_PROFILES", None)
        sim.stop()
    assert lrc == 0 and secs < 60, (lrc, err)
    pairs = j["device"]["new_events"]
    assert [p["code"] for p in pairs] == ["016-764"] and pairs[0]["reply"] == REPLY, pairs
    assert "1 observation(s) saved to %s/observed/xerox.json" % ov in err, err
    f = json.load(open(os.path.join(ov, "observed", "xerox.json")))
    assert f["schema"] == "mfpdoctor/observed/1" and f["vendor"] == "xerox", f
    o = f["observations"]
    assert len(o) == 1 and o[0]["code"] == "016-764" and o[0]["stage"] == "AUTH" and o[0]["reply"] == REPLY, o
    assert re.match(r"^\d{4}-\d\d-\d\d$", o[0]["date"]) and o[0]["count"] == 1, o
    assert not [n for n in os.listdir(os.path.join(ov, "observed")) if n != "xerox.json"]  # no temp file left
    no_secret(json.dumps(j), err, json.dumps(f))
    # the reader, end to end: text, Markdown and JSON
    date = o[0]["date"]
    rc, out, e = explain(ov, "016-764")
    want = "Seen here:       %s at AUTH, %s" % (REPLY, date)
    assert rc == 0 and want in out and "(local observation, not a published source)" in out, out
    rc, md, e = explain(ov, "--format", "md", "--vendor", "xerox", "016-764")
    assert rc == 0 and "- **Seen here:**\n  - %s at AUTH, %s" % (REPLY, date) in md, md
    rc, js, e = explain(ov, "--format", "json", "--vendor", "xerox", "016-764")
    m = json.loads(js)["matches"][0]
    assert m["observed"][0]["reply"] == REPLY and m["observed"][0]["stage"] == "AUTH", m
    assert m["observed"][0]["source"] == "local observation" and m["observed"][0]["date"] == date, m
    rc, plain, e = explain(tempfile.mkdtemp(dir=TMP), "--format", "json", "--vendor", "xerox", "016-764")
    p = json.loads(plain)["matches"][0]
    assert p["observed"] == [] and "Seen here" not in explain(TMP + "/none", "016-764")[1]
    for k in ("confidence", "meaning_confidence", "stage", "stage_confidence", "class", "reply_confidence"):
        assert m[k] == p[k], (k, m[k], p[k])   # an observation changes no claim


def t_broken_observation_file_warns():
    ov = tempfile.mkdtemp(dir=TMP)
    os.makedirs(os.path.join(ov, "observed"))
    with open(os.path.join(ov, "observed", "xerox.json"), "w") as f:
        f.write('{"schema": "mfpdoctor/observed/1", "observations": [')
    t0 = time.monotonic()
    rc, out, err = explain(ov, "016-764")
    assert rc == 0 and "Seen here" not in out and "observed/xerox.json: line" in err, (rc, err)
    assert time.monotonic() - t0 < 30


def t_learn_needs_overlay():
    env = {k: v for k, v in os.environ.items() if k != "MFPDOCTOR_PROFILES"}
    r = subprocess.run([BIN, "listen", "--device", "127.0.0.1", "--learn"], capture_output=True, text=True,
                       timeout=20, env=env)
    assert r.returncode == 64 and "there is none" in r.stderr and "--profiles DIR" in r.stderr, (r.returncode, r.stderr)
    r = subprocess.run([BIN, "listen", "--learn"], capture_output=True, text=True, timeout=20,
                       env=dict(env, MFPDOCTOR_PROFILES=TMP))
    assert r.returncode == 64 and "--learn needs --device HOST" in r.stderr, (r.returncode, r.stderr)


def main():
    if not shutil.which("swaks") or not snmpsim.snmpsimd_command():
        print("swaks or snmpsimd missing: skipped")
        sys.exit(77)
    s = Suite()
    for name, fn in sorted((k, v) for k, v in globals().items() if k.startswith("t_")):
        s.check(name[2:], fn)
    shutil.rmtree(TMP, ignore_errors=True)
    shutil.rmtree(test_listen.TMP, ignore_errors=True)
    s.finish()


if __name__ == "__main__":
    main()
