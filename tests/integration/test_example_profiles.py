"""test_example_profiles.py — the example site profile folder shipped in docs/examples/profiles/
(installed to share/doc/mfpdoctor/examples/profiles): it loads without a warning, `checklist` and
`explain` use its mail relay, `explain` shows its observation as "Seen here", and its mail-service
file passes the knowledge-base validator (tests/kb/check_kb_data.py) next to the built-in ones."""
import os
import shutil
import subprocess
import tempfile

from smtptest import SRC, Suite, run, run_json

S = Suite()
EX = os.path.join(SRC, "docs", "examples", "profiles")
ENV = {"MFPDOCTOR_PROFILES": EX}
ART = os.environ.get("MFPDOCTOR_ARTIFACTS") or os.path.join(os.path.dirname(os.environ.get("MFPDOCTOR_BIN", SRC)),
                                                            "test-artifacts")
os.makedirs(ART, exist_ok=True)
REPLY = "452 4.2.2 [example-relay] daily quota exceeded for svc-scan-hq"


def t_checklist():
    rc, j, err, _ = run_json(["checklist", "--vendor", "xerox", "--service", "example-relay"], env=ENV)
    assert rc == 0 and err == "", (rc, err)
    assert j["service"] == {"id": "example-relay", "name": "Example Corp internal mail relay (example site profile)"}
    sets = " ".join(str(i) for i in j["items"])
    assert "relay.example.org" in sets and "svc-scan-<site>" in sets, sets[:2000]
    assert any("TLS 1.0" in str(d) for d in j["deadlines"]), j["deadlines"]
    # text output, run from another directory: nothing depends on the current directory
    r = subprocess.run([os.environ.get("MFPDOCTOR_BIN"), "checklist", "--vendor", "xerox", "--service",
                        "example-relay"], cwd="/", capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, NO_COLOR="1", **ENV))
    assert r.returncode == 0 and "Example Corp internal mail relay" in r.stdout, (r.returncode, r.stderr)


def t_explain():
    rc, j, err, _ = run_json(["explain", REPLY], env=ENV)
    m = j["matches"][0]
    assert rc == 0 and err == "" and m["title"] == "example-relay-dept-quota" and m["category"] == "rate-limit", m
    rc, out, err, _ = run(["explain", "--vendor", "xerox", "017-715"], env=ENV)
    assert rc == 0 and err == "" and "Seen here" in out and "535 5.7.8 Authentication credentials invalid" in out, out
    # without the site folder the relay's wording is unknown: the example is what made the difference
    rc, j, err, _ = run_json(["explain", REPLY])
    assert rc == 0 and j["matches"][0].get("title") != "example-relay-dept-quota", j["matches"][0]


def t_validator():
    tmp = tempfile.mkdtemp(prefix="example-profiles-", dir=ART)
    try:
        shutil.copytree(os.path.join(SRC, "devices"), os.path.join(tmp, "devices"))
        os.makedirs(os.path.join(tmp, "tests", "kb"))
        shutil.copy(os.path.join(SRC, "tests", "kb", "check_kb_data.py"), os.path.join(tmp, "tests", "kb"))
        shutil.copy(os.path.join(EX, "mail", "example-relay.json"), os.path.join(tmp, "devices", "mail"))
        r = subprocess.run(["/usr/bin/python3", os.path.join(tmp, "tests", "kb", "check_kb_data.py")],
                           capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        last = r.stdout.strip().splitlines()[-1]
        assert r.returncode == 0 and last.endswith(" 0 failed"), r.stdout[-3000:]
        n = len([f for f in os.listdir(os.path.join(SRC, "devices", "mail")) if f.endswith(".json")]) + 1
        assert "in %d services" % n in r.stdout, r.stdout[-500:]   # the example was among those checked
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


S.check("checklist --service example-relay from the example folder (no warnings, from /)", t_checklist)
S.check("explain: the relay's own reply and the 'Seen here' observation", t_explain)
S.check("the example mail-service file passes check_kb_data.py", t_validator)
S.finish()
