#!/usr/bin/python3
"""tests/kb/check_vendor_rules.py — proves that check_vendor_data.py rejects knowledge that
overclaims: each case writes a one-entry vendor profile into a temporary directory, runs the
validator on it and expects the named rule to fail (and a clean entry to pass). Standard library
only; prints "N passed, M failed" and exits 1 on any failure."""
import copy
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_vendor_data.py")
URL = "https://example.com/manual?p=12"
RFC = "https://www.rfc-editor.org/rfc/rfc4954 (replies inferred from RFC semantics, not stated by the vendor)"

BASE = {
    "schema": "mfpdoctor/vendor/1", "id": "acme", "vendor": "Acme",
    "match": {"enterprise": [99999], "sysobjectid_prefix": ["1.3.6.1.4.1.99999"], "sysdescr": ["^Acme"],
              "web_markers": ["Acme"]},
    "families": [{"id": "one", "name": "One", "model": "One", "tls_max": "unknown", "tls_max_source": "not found"}],
    "code_syntax": {"pattern": "^A[0-9]+$", "normalise": "upper-case", "prefix_optional": ""},
    "error_codes": [],
    "checklist": [{"setting": "smtp_host", "where": "Web", "label": "Server", "sources": [URL]}],
}
GOOD = {"code": "A1", "aliases": [], "families": ["*"], "shown_as": "A1", "meaning": "Login refused by the server.",
        "stage": "auth", "category": "auth", "replies": ["535 5.7.8"], "fixes": ["Check the password"],
        "sources": [URL, RFC], "confidence": "sourced", "stage_confidence": "sourced", "reply_confidence": "inferred"}
UNV = {"code": "A2", "aliases": [], "families": ["*"], "shown_as": "A2",
       "meaning": "Probably a login problem; NOT confirmed.", "stage": "auth", "category": "auth", "replies": [],
       "fixes": ["Check the password"], "sources": [], "confidence": "unverified", "stage_confidence": "unverified",
       "reply_confidence": "unverified", "reveal": "mfpdoctor smtp --server <host> --stop-after auth"}

passed = failed = 0


def run(entries):
    doc = copy.deepcopy(BASE)
    doc["error_codes"] = entries
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "acme.json"), "w", encoding="utf-8") as f:
            json.dump(doc, f)
        p = subprocess.run([sys.executable, CHECKER, d, "--min-codes", "1"], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout


def expect(name, entries, needle):
    global passed, failed
    rc, out = run(entries)
    ok = (rc == 0 and "0 failed" in out) if needle is None else (rc == 1 and needle in out)
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s: want %s, got rc %d:\n%s" % (name, repr(needle) if needle else "a pass", rc, out[-800:]))


def variant(base, **kw):
    e = copy.deepcopy(base)
    for k, v in kw.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


def main():
    expect("clean entries pass", [GOOD, UNV], None)
    expect("unverified entry with a stage as fact", [variant(UNV, stage_confidence="sourced")],
           "cannot present its stage as fact")
    expect("unverified entry with replies as fact", [variant(UNV, replies=["535 5.7.8"], reply_confidence="inferred")],
           "cannot present replies (or a class) as fact")
    expect("unverified entry citing a page as a meaning source", [variant(UNV, sources=[URL])],
           "mark it '(context: ...)'")
    expect("unverified entry with a context link passes", [variant(UNV, sources=[URL + " (context: the settings page)"])], None)
    expect("sourced entry whose only URL is a context link",
           [variant(GOOD, sources=[URL + " (context: settings page)", RFC])], "needs a source that states the meaning")
    expect("sourced entry with only an RFC link", [variant(GOOD, sources=[RFC])], "needs a source that states the meaning")
    expect("RFC-inferred replies presented as sourced", [variant(GOOD, reply_confidence="sourced")],
           "cannot have reply_confidence 'sourced'")
    expect("stage claim stronger than the meaning",
           [variant(GOOD, confidence="inferred", stage_confidence="sourced", reveal="mfpdoctor smtp --server x")],
           "stronger than the meaning's confidence")
    expect("missing stage_confidence", [variant(GOOD, stage_confidence=None)], "stage_confidence 'None' missing")
    expect("code whose existence is only recalled",
           [variant(UNV, meaning="Possibly a TLS error. Existence and meaning recalled; NOT confirmed.")],
           "existence is only recalled")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
