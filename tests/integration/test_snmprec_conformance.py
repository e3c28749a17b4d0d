#!/usr/bin/python3
"""tests/integration/test_snmprec_conformance.py — serves every real recording in
$MFPDOCTOR_SRC/../shared/snmprec with snmpsimd and checks that `mfpdoctor device` names the
vendor, and the model where sysDescr or hrDeviceDescr names it, without crashing. Exit 77 when
the recordings or snmpsimd are missing."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("MFPDOCTOR_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("MFPDOCTOR_BIN", os.path.join(SRC, "build", "mfpdoctor"))
REC = os.path.join(SRC, "..", "shared", "snmprec")
sys.path.insert(0, os.path.join(SRC, "tests", "sim"))
from snmpsim import SnmpSim, snmpsimd_command  # noqa: E402

if not os.path.isdir(REC) or not snmpsimd_command() or not shutil.which("snmpget"):
    print("no shared/snmprec recordings or no snmpsimd: skipped")
    sys.exit(77)

# file -> (vendor substring, model substring or None, extra check)
EXPECT = {
    "brother-nc7700w": ("Brother", None), "brother": ("Brother", "MFC-L2710DW"),
    "canonprinter_lbp": ("Canon", "LBP6670"), "canonprinter_mf": ("Canon", None), "dell-laser": ("Dell", None),
    "hp-lj500": ("HP", "M551"), "jetdirect": ("HP", None), "jetdirect_1": ("Kyocera", None), "jetdirect_2": ("HP", None),
    "konica": ("Konica", None), "lexmarkprinter": ("Lexmark", None), "ricoh": ("Ricoh", "MP 3053"),
    "samsung-ml": ("Samsung", "ML-2850"), "samsungprinter_ml": ("Samsung", "ML-2850"),
    "samsungprinter_scx": ("Samsung", None), "sharp": ("Sharp", "MX-3570N"), "xerox": ("Xerox", "AltaLink C8045"),
}
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok  ", name)
    else:
        failed += 1
        print("FAIL", name, detail)


files = sorted(f[:-8] for f in os.listdir(REC) if f.endswith(".snmprec"))
tmp = tempfile.mkdtemp(prefix="mfp-conf-")
try:
    for f in files:
        shutil.copy(os.path.join(REC, f + ".snmprec"), os.path.join(tmp, f + ".snmprec"))
    os.chmod(tmp, 0o755)
    with SnmpSim(tmp, probe_community="xerox" if "xerox" in files else files[0]) as sim:
        for f in files:
            env = dict(os.environ, MFPDOCTOR_SNMP_COMMUNITY=f)
            r = subprocess.run([BIN, "device", "127.0.0.1:%d" % sim.port, "--format", "json", "--no-http",
                                "--timeout", "10"], capture_output=True, text=True, timeout=60, env=env)
            try:
                j = json.loads(r.stdout)
            except ValueError:
                j = None
            check(f + ": runs (exit 0/1)", r.returncode in (0, 1) and j is not None, (r.returncode, r.stderr[-300:]))
            if not j:
                continue
            exp = EXPECT.get(f)
            if not exp:
                print("note", f, "has no expectation; vendor", j["identity"]["vendor"])
                continue
            v = j["identity"]["vendor"] or ""
            check(f + ": vendor " + exp[0], exp[0].lower() in v.lower(), v)
            if exp[1]:
                m = j["identity"]["model"] or ""
                check(f + ": model " + exp[1], exp[1].lower() in m.lower(), m)
            if f == "jetdirect_1":
                check(f + ": disagreement noted", any("disagree" in n for n in j["notes"]), j["notes"])
            check(f + ": few round trips (%d)" % j["requests"], j["requests"] <= 6, j["requests"])
finally:
    shutil.rmtree(tmp, ignore_errors=True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
