#!/usr/bin/python3
"""Validate the printer-vendor knowledge base (devices/<vendor>.json, schema mfpdoctor/vendor/1).

Standard library only. Usage:
    /usr/bin/python3 tests/kb/check_vendor_data.py [DEVICES_DIR] [--min-codes N]

Checks every top-level devices/*.json whose "schema" is mfpdoctor/vendor/1 (files in
sub-directories such as devices/mail/ belong to other profile kinds and are skipped):
  * valid JSON, schema string, required fields and their types
  * documented value sets (stage, category, confidence, checklist setting keys)
  * every error code has sources, or is confidence "unverified"; unverified entries have "reveal"
  * per-claim confidence: stage_confidence and reply_confidence present, never stronger than the
    meaning's `confidence`; an unverified entry presents no stage/reply as fact and cites pages only
    as "(context: ...)" or "(conflicting, ...)"; a sourced/inferred entry cites a page that could
    state the meaning (not only RFC or context links); RFC-inferred replies are not "sourced"
  * no duplicate codes/aliases within a vendor (after normalisation)
  * families referenced by codes and checklist items exist in the file
  * every code matches the vendor's code_syntax.pattern
  * every regular expression is POSIX ERE: rejects \\d \\s \\w (and upper-case forms), (?, lazy
    quantifiers; and compiles with glibc regcomp(REG_EXTENDED|REG_ICASE|REG_NOSUB) via ctypes (falls back
    to Python re when libc cannot be loaded)
  * at least --min-codes error codes in total (default 200)
Prints one line per failed check and, last, "N passed, M failed"; exits 1 on any failure.
"""
import ctypes
import ctypes.util
import glob
import json
import os
import re
import sys

SCHEMA = "mfpdoctor/vendor/1"
STAGES = {"dns", "connect", "banner", "ehlo", "starttls", "tls-handshake", "ehlo-after-tls", "auth",
          "mail-from", "rcpt-to", "data", "end-of-data", "quit", "ndr", "device", "unknown"}
CATEGORIES = {"dns", "connect", "tls", "auth", "sender", "recipient", "relay", "size", "rate-limit",
              "policy", "content", "server", "protocol", "config"}
CONFIDENCE = {"sourced", "inferred", "unverified"}
SETTINGS = {"smtp_host", "smtp_port", "security", "tls_version", "auth", "user", "password", "from",
            "ehlo_name", "dns", "clock", "max_size", "firmware", "certificate"}
NON_POSIX = [(r"\\[dDsSwWbB]", "Perl class escape (use [0-9], [[:space:]], [[:alnum:]_])"),
             (r"\(\?", "'(?' group/lookaround"),
             (r"[*+?}]\?", "lazy quantifier")]


def _load_regcomp():
    """glibc regcomp via ctypes, so EREs are checked by the same engine the C tool uses."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.regcomp.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        libc.regfree.argtypes = [ctypes.c_void_p]
        return libc
    except (OSError, AttributeError):
        return None


LIBC = _load_regcomp()
REG_EXTENDED, REG_ICASE, REG_NOSUB = 1, 2, 8  # glibc values


def posix_compiles(rx):
    """True/False from regcomp(REG_EXTENDED|REG_ICASE|REG_NOSUB); None if libc is unavailable."""
    if LIBC is None:
        return None
    buf = ctypes.create_string_buffer(1024)  # larger than any regex_t
    rc = LIBC.regcomp(buf, rx.encode("utf-8"), REG_EXTENDED | REG_ICASE | REG_NOSUB)
    if rc == 0:
        LIBC.regfree(buf)
    return rc == 0


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, where, msg):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {where}: {msg}")
        return ok


def norm(s):
    """Normalise a code or alias for duplicate detection: upper-case, collapse blanks, drop a
    trailing full stop and a leading '#'."""
    s = re.sub(r"\s+", " ", str(s).strip().upper())
    s = s.rstrip(".")
    return s[1:] if s.startswith("#") else s


def check_ere(c, where, rx):
    if not c.check(isinstance(rx, str) and rx != "", where, "regex must be a non-empty string"):
        return None
    ok = True
    for pat, why in NON_POSIX:
        # ignore an escaped backslash before the class letter (\\d is a literal backslash + d)
        for m in re.finditer(pat, rx):
            start = m.start()
            nbs = 0
            while start - 1 - nbs >= 0 and rx[start - 1 - nbs] == "\\":
                nbs += 1
            if pat.startswith(r"\\") and nbs % 2 == 1:
                continue
            ok = c.check(False, where, f"not POSIX ERE: {why} in {rx!r}") and ok
            break
    if not ok:
        return None
    pc = posix_compiles(rx)
    if pc is False:
        c.check(False, where, f"regcomp(REG_EXTENDED|REG_ICASE|REG_NOSUB) rejects {rx!r}")
        return None
    try:
        compiled = re.compile(rx, re.IGNORECASE)
        c.check(True, where, "")
        return compiled
    except re.error as e:
        c.check(False, where, f"regex does not compile: {rx!r}: {e}")
        return None


def need(c, obj, key, typ, where):
    return c.check(isinstance(obj, dict) and isinstance(obj.get(key), typ), where,
                   f"missing or wrong type for '{key}' (want {typ.__name__ if isinstance(typ, type) else typ})")


def str_list(c, v, where, nonempty=False):
    ok = isinstance(v, list) and all(isinstance(x, str) and x for x in v)
    if nonempty:
        ok = ok and len(v) > 0
    return c.check(ok, where, "must be a list of non-empty strings" + (" (at least one)" if nonempty else ""))


RANK = {"unverified": 0, "inferred": 1, "sourced": 2}
RFC_NOTE = "replies inferred from RFC semantics"


def is_url(s):
    return isinstance(s, str) and "http" in s


def note_of(s):
    """The parenthesised note after a source URL, lower-cased ("" when none)."""
    m = re.search(r"\((.*)\)\s*$", s)
    return m.group(1).strip().lower() if m else ""


def is_meaning_url(s):
    """A URL that could state the meaning: not an RFC, not marked as context or conflicting."""
    n = note_of(s)
    return (is_url(s) and "rfc-editor.org" not in s and "ietf.org/rfc" not in s
            and not n.startswith("context") and not n.startswith("conflicting"))


def check_claims(c, e, w):
    """Per-claim confidence (docs/profiles-vendor.md): meaning (`confidence`), stage and replies."""
    conf = e.get("confidence")
    srcs = [s for s in e.get("sources", []) if isinstance(s, str)]
    for key in ("stage_confidence", "reply_confidence"):
        v = e.get(key)
        if not c.check(v in CONFIDENCE, w, f"{key} '{v}' missing or not in the value set"):
            continue
        if conf in RANK:
            c.check(RANK[v] <= RANK[conf], w, f"{key} '{v}' is stronger than the meaning's confidence '{conf}'")
    if conf == "unverified":
        c.check(e.get("stage_confidence") == "unverified", w,
                "an unverified entry cannot present its stage as fact (stage_confidence must be 'unverified')")
        c.check(e.get("reply_confidence") == "unverified", w,
                "an unverified entry cannot present replies (or a class) as fact (reply_confidence must be 'unverified')")
        for s in srcs:
            if is_url(s):
                c.check(not is_meaning_url(s), w, "an unverified entry cites a page as if it stated the meaning; "
                        f"mark it '(context: ...)' or '(conflicting, ...)': {s[:80]}")
    elif conf in ("sourced", "inferred"):
        c.check(any(is_meaning_url(s) for s in srcs), w,
                f"a '{conf}' entry needs a source that states the meaning; RFC and context links do not count")
    if e.get("reply_confidence") == "sourced" and e.get("replies"):
        c.check(not any(RFC_NOTE in s for s in srcs), w,
                "replies marked 'inferred from RFC semantics' in sources cannot have reply_confidence 'sourced'")
    c.check(re.search(r"existence (and meaning )?recalled", e.get("meaning", ""), re.IGNORECASE) is None, w,
            "a code whose existence is only recalled does not belong in the knowledge base")
    if "byte" in e:
        c.check(e["byte"] in ("high", "low"), w, "byte must be 'high' or 'low'")
    if "failure" in e:
        c.check(isinstance(e["failure"], bool), w, "failure must be true or false")


def check_file(c, path):
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        c.check(False, name, f"invalid JSON: {e}")
        return 0, None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        return 0, None  # another kind of profile
    c.check(True, name, "valid JSON")
    for k, t in (("id", str), ("vendor", str), ("match", dict), ("families", list),
                 ("code_syntax", dict), ("error_codes", list), ("checklist", list)):
        need(c, doc, k, t, name)
    c.check(doc.get("id") == name[:-5], name, f"id '{doc.get('id')}' must equal the file name")

    m = doc.get("match") if isinstance(doc.get("match"), dict) else {}
    ent = m.get("enterprise")
    c.check(isinstance(ent, list) and ent and all(isinstance(x, int) and x > 0 for x in ent),
            name + " match.enterprise", "must be a non-empty list of positive integers")
    pre = m.get("sysobjectid_prefix", [])
    if str_list(c, pre, name + " match.sysobjectid_prefix", nonempty=True):
        for p in pre:
            c.check(re.fullmatch(r"1\.3\.6\.1\.4\.1(\.[0-9]+)+", p) is not None,
                    name + " match.sysobjectid_prefix", f"not an enterprise OID prefix: {p}")
            c.check(any(p == f"1.3.6.1.4.1.{e}" or p.startswith(f"1.3.6.1.4.1.{e}.") for e in ent or []),
                    name + " match.sysobjectid_prefix", f"{p} is not under a listed enterprise number")
    for key in ("sysdescr", "web_markers"):
        if str_list(c, m.get(key, []), f"{name} match.{key}", nonempty=True):
            for rx in m[key]:
                check_ere(c, f"{name} match.{key}", rx)

    fam_ids = set()
    for i, fam in enumerate(doc.get("families") or []):
        w = f"{name} families[{i}]"
        for k in ("id", "name", "model", "tls_max", "tls_max_source"):
            need(c, fam, k, str, w)
        if isinstance(fam, dict):
            c.check(fam.get("id") not in fam_ids, w, f"duplicate family id {fam.get('id')}")
            fam_ids.add(fam.get("id"))
            if isinstance(fam.get("model"), str):
                check_ere(c, w + ".model", fam["model"])
    c.check(len(fam_ids) > 0, name, "at least one family is required")

    def fam_ok(fams, where):
        if not str_list(c, fams, where, nonempty=True):
            return
        for fid in fams:
            c.check(fid == "*" or fid in fam_ids, where, f"unknown family '{fid}'")

    cs = doc.get("code_syntax") if isinstance(doc.get("code_syntax"), dict) else {}
    for k in ("pattern", "normalise", "prefix_optional"):
        need(c, cs, k, str, name + " code_syntax")
    code_rx = check_ere(c, name + " code_syntax.pattern", cs.get("pattern"))

    seen = {}
    n = 0
    for i, e in enumerate(doc.get("error_codes") or []):
        n += 1
        w = f"{name} error_codes[{i}]"
        if not c.check(isinstance(e, dict), w, "entry must be an object"):
            continue
        w = f"{name} {e.get('code', '?')}"
        for k in ("code", "shown_as", "meaning", "stage", "category", "confidence"):
            need(c, e, k, str, w)
        for k in ("aliases", "families", "replies", "fixes", "sources"):
            need(c, e, k, list, w)
        c.check(e.get("stage") in STAGES, w, f"stage '{e.get('stage')}' not in the value set")
        c.check(e.get("category") in CATEGORIES, w, f"category '{e.get('category')}' not in the value set")
        conf = e.get("confidence")
        c.check(conf in CONFIDENCE, w, f"confidence '{conf}' not in the value set")
        fam_ok(e.get("families"), w + " families")
        str_list(c, e.get("aliases", []), w + " aliases")
        str_list(c, e.get("replies", []), w + " replies")
        str_list(c, e.get("fixes", []), w + " fixes", nonempty=True)
        srcs = e.get("sources", [])
        str_list(c, srcs, w + " sources")
        if conf != "unverified":
            c.check(isinstance(srcs, list) and any(isinstance(s, str) and "http" in s for s in srcs), w,
                    f"confidence '{conf}' needs at least one source URL")
        if conf != "sourced":
            c.check(isinstance(e.get("reveal"), str) and e["reveal"].startswith("mfpdoctor ") or
                    (isinstance(e.get("reveal"), str) and "mfpdoctor " in e["reveal"]), w,
                    f"a '{conf}' entry needs 'reveal' with the mfpdoctor test that would reveal it")
        if conf == "unverified":
            c.check(re.search(r"not confirmed|not found|not known|unconfirmed|could not find|NOT",
                              e.get("meaning", ""), re.IGNORECASE) is not None, w,
                    "an unverified meaning must say plainly that it is not confirmed")
        check_claims(c, e, w)
        if code_rx is not None and isinstance(e.get("code"), str):
            c.check(code_rx.search(e["code"]) is not None, w,
                    f"code does not match code_syntax.pattern {cs.get('pattern')!r}")
        for s in [e.get("code")] + list(e.get("aliases") or []):
            if not isinstance(s, str):
                continue
            k = norm(s)
            c.check(k not in seen, w, f"duplicate code/alias '{s}' (also in {seen.get(k)})")
            seen.setdefault(k, e.get("code"))

    have = set()
    for i, it in enumerate(doc.get("checklist") or []):
        w = f"{name} checklist[{i}]"
        for k in ("setting", "where", "label"):
            need(c, it, k, str, w)
        need(c, it, "sources", list, w)
        if not isinstance(it, dict):
            continue
        c.check(it.get("setting") in SETTINGS, w, f"setting '{it.get('setting')}' not in the value set")
        have.add(it.get("setting"))
        fam_ok(it.get("families", ["*"]), w + " families")
        conf = it.get("confidence", "sourced")
        c.check(conf in CONFIDENCE, w, f"confidence '{conf}' not in the value set")
        if conf == "sourced":
            c.check(any(isinstance(s, str) and "http" in s for s in it.get("sources", [])), w,
                    "a sourced checklist item needs a source URL (else mark it unverified)")
    c.check(len(have) > 0, name, "checklist is empty")
    return n, doc.get("id")


def main(argv):
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "devices")
    min_codes = 200
    args = list(argv[1:])
    while args:
        a = args.pop(0)
        if a == "--min-codes":
            min_codes = int(args.pop(0))
        else:
            root = a
    c = Checker()
    files = sorted(glob.glob(os.path.join(root, "*.json")))
    total = 0
    vendors = 0
    for p in files:
        n, vid = check_file(c, p)
        if vid:
            vendors += 1
            total += n
            print(f"ok   {os.path.basename(p)}: {n} codes")
    c.check(vendors > 0, root, "no vendor files found")
    c.check(total >= min_codes, root, f"only {total} error codes in total (need at least {min_codes})")
    print(f"{vendors} vendor files, {total} error codes")
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
