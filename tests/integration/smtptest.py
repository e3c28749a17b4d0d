"""smtptest — shared helpers for the integration tests: run the built mfpdoctor, collect
results, print the closing 'N passed, M failed' line. Used by test_*.py in this folder."""
import json
import os
import subprocess
import sys
import time
import traceback

SRC = os.environ.get("MFPDOCTOR_SRC") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("MFPDOCTOR_BIN") or os.path.join(SRC, "build", "mfpdoctor")
sys.path.insert(0, os.path.join(SRC, "tests", "sim"))
sys.path.insert(0, os.path.join(SRC, "tests", "fixtures"))


def run(args, env=None, timeout=120, stdin=subprocess.DEVNULL):
    """Runs mfpdoctor; returns (exit_code, stdout, stderr, seconds)."""
    e = dict(os.environ)
    e.pop("MFPDOCTOR_SMTP_PASSWORD", None)
    e["NO_COLOR"] = "1"
    if env:
        e.update(env)
    t0 = time.monotonic()
    r = subprocess.run([BIN] + [str(a) for a in args], stdin=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=e, timeout=timeout)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace"), time.monotonic() - t0


def run_json(args, env=None, timeout=120):
    rc, out, err, secs = run(list(args) + ["--format", "json"], env=env, timeout=timeout)
    try:
        return rc, json.loads(out), err, secs
    except ValueError:
        raise AssertionError("not JSON (exit %d): %s\nstderr: %s" % (rc, out[:2000], err[:2000]))


class Suite:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, fn, *a, **kw):
        try:
            fn(*a, **kw)
            self.passed += 1
            print("ok   %s" % name, flush=True)
        except Exception:  # noqa: BLE001 - report every failure and go on
            self.failed += 1
            print("FAIL %s" % name, flush=True)
            traceback.print_exc()
            sys.stdout.flush()

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def finding_ids(j):
    return [f["id"] for f in j.get("findings", [])]
