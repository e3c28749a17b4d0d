#!/usr/bin/python3
"""Validate the SMTP knowledge base data in devices/smtp/ and devices/mail/.

Usage: /usr/bin/python3 tests/kb/check_kb_data.py [provider_replies.tsv]

Standard library only. Checks JSON syntax, schema strings, required fields, value sets,
sources, duplicate ids/codes, that every regular expression is POSIX-ERE-safe, compiles
and matches its own example, the 81 enumerated enhanced codes, the >= 100 pattern total
and, when the research TSV exists, that every provider reply in it is covered by a
pattern of the same service and stage.  When glibc is available the expressions are also
compiled with regcomp(REG_EXTENDED|REG_ICASE|REG_NOSUB) and tried with regexec, exactly
as the C tool does.  The last line printed is "N passed, M failed"; the exit code is
non-zero when anything failed.
"""
import ctypes
import ctypes.util
import json
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_TSV = "/work/shared/research/smtp/provider_replies.tsv"

STAGES = {"dns", "connect", "banner", "ehlo", "starttls", "tls-handshake", "ehlo-after-tls", "auth", "mail-from",
          "rcpt-to", "data", "end-of-data", "quit", "ndr", "device", "unknown"}
CATEGORIES = {"dns", "connect", "tls", "auth", "sender", "recipient", "relay", "size", "rate-limit", "policy",
              "content", "server", "protocol", "config"}
CLASSES = {"positive-completion", "positive-intermediate", "transient", "permanent"}
CONFIDENCE = {"sourced", "inferred", "unverified"}
SECURITY = {"starttls", "tls", "none"}
SCOPES = {"self-identifying", "service"}
AUTH = {"required", "optional", "none"}
CLASS_OF_DIGIT = {"2": "positive-completion", "3": "positive-intermediate", "4": "transient", "5": "permanent"}
SERVICES = ["office365", "exchange", "google", "postfix", "exim", "sendmail", "yahoo", "zoho", "amazon-ses",
            "sendgrid", "mailgun", "mailjet", "smtp2go"]
RFC5321_CODES = {211, 214, 220, 221, 250, 251, 252, 354, 421, 450, 451, 452, 455, 500, 501, 502, 503, 504, 550,
                 551, 552, 553, 554, 555}
RFC4954_CODES = {334, 235, 432, 454, 500, 501, 530, 534, 535, 538}
RFC3207_CODES = {220, 454, 501, 530, 554}
ENH_RE = re.compile(r"^[245]\.[0-9]{1,3}\.[0-9]{1,3}$")
REG_CODE_RE = re.compile(r"^X\.[0-7]\.[0-9]{1,3}$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

# provider column of provider_replies.tsv -> service id
PROVIDER_MAP = [("exchange server", "exchange"), ("microsoft 365", "office365"), ("exchange online", "office365"),
                ("google", "google"), ("gmail", "google"), ("postfix", "postfix"), ("exim", "exim"),
                ("sendmail", "sendmail"), ("yahoo", "yahoo"), ("zoho", "zoho"), ("amazon ses", "amazon-ses"),
                ("sendgrid", "sendgrid"), ("mailgun", "mailgun"), ("mailjet", "mailjet"), ("smtp2go", "smtp2go")]


class Result:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: " + what)
        return ok


R = Result()


# ---------------------------------------------------------------- POSIX regcomp via glibc
class Posix:
    REG_EXTENDED, REG_ICASE, REG_NOSUB = 1, 2, 8

    def __init__(self):
        self.libc = None
        try:
            name = ctypes.util.find_library("c")
            libc = ctypes.CDLL(name) if name else None
            if libc is not None and hasattr(libc, "regcomp") and hasattr(libc, "gnu_get_libc_version"):
                libc.setlocale.restype = ctypes.c_char_p
                libc.setlocale(6, b"C.UTF-8")  # LC_ALL; falls back silently if missing
                self.libc = libc
        except OSError:
            self.libc = None

    def compile_and_match(self, pattern, text=None):
        """Returns (compiled_ok, matched_or_None)."""
        buf = ctypes.create_string_buffer(1024)
        flags = self.REG_EXTENDED | self.REG_ICASE | self.REG_NOSUB
        rc = self.libc.regcomp(buf, pattern.encode("utf-8"), flags)
        if rc != 0:
            return False, None
        matched = None
        if text is not None:
            matched = self.libc.regexec(buf, text.encode("utf-8"), 0, None, 0) == 0
        self.libc.regfree(buf)
        return True, matched


POSIX = Posix()

ALLOWED_ESCAPED = set(".[]()*+?{}|^$\\/-")


def ere_problems(pattern):
    """Syntax that POSIX ERE does not have (or treats differently)."""
    probs = []
    for tok in ("\\d", "\\s", "\\w", "\\D", "\\S", "\\W", "\\b", "\\B"):
        if tok in pattern:
            probs.append("uses %s" % tok)
    i = 0
    stripped = []
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1] if i + 1 < len(pattern) else ""
            if nxt not in ALLOWED_ESCAPED:
                probs.append("escape \\%s is not POSIX ERE" % nxt)
            stripped.append("_")
            i += 2
            continue
        stripped.append(ch)
        i += 1
    s = "".join(stripped)
    if "(?" in s:
        probs.append("uses (? group syntax (lookaround/non-capturing/flags)")
    for lazy in ("*?", "+?", "??", "}?"):
        if lazy in s:
            probs.append("uses lazy quantifier %s" % lazy)
    return probs


def check_regex(pattern, where, example=None):
    if not R.check(isinstance(pattern, str) and pattern != "", "%s: regex must be a non-empty string" % where):
        return
    probs = ere_problems(pattern)
    R.check(not probs, "%s: %r not POSIX-ERE-safe: %s" % (where, pattern, "; ".join(probs)))
    try:
        rx = re.compile(pattern, re.I)
        R.check(True, "")
    except re.error as e:
        R.check(False, "%s: %r does not compile: %s" % (where, pattern, e))
        rx = None
    if example is not None and rx is not None:
        R.check(rx.search(example) is not None, "%s: %r does not match its example %r" % (where, pattern, example))
    if POSIX.libc is not None:
        ok, matched = POSIX.compile_and_match(pattern, example)
        R.check(ok, "%s: regcomp(REG_EXTENDED|REG_ICASE|REG_NOSUB) rejects %r" % (where, pattern))
        if ok and example is not None:
            R.check(matched, "%s: regexec does not match example for %r" % (where, pattern))


# ---------------------------------------------------------------- helpers
def load(rel):
    path = os.path.join(ROOT, rel)
    if not R.check(os.path.isfile(path), "%s: file missing" % rel):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        R.check(isinstance(data, dict), "%s: top level must be an object" % rel)
        return data if isinstance(data, dict) else None
    except (ValueError, UnicodeDecodeError) as e:
        R.check(False, "%s: invalid JSON: %s" % (rel, e))
        return None


def nonempty_str(v):
    return isinstance(v, str) and v.strip() != ""


def req_str(obj, key, where):
    return R.check(nonempty_str(obj.get(key)), "%s: '%s' must be a non-empty string" % (where, key))


def check_sources(obj, where):
    src = obj.get("sources")
    ok = isinstance(src, list) and len(src) > 0 and all(nonempty_str(s) for s in src)
    if obj.get("confidence") == "unverified":
        ok = ok and any(s.lower().startswith("unverified") for s in src)
        R.check(ok, "%s: unverified entry must say 'unverified: ...' in sources" % where)
    else:
        R.check(ok, "%s: 'sources' must be a non-empty list of strings" % where)


def check_stage_list(obj, where):
    st = obj.get("stage")
    R.check(isinstance(st, list) and st and all(s in STAGES for s in st),
            "%s: 'stage' must be a non-empty list of %s (got %r)" % (where, sorted(STAGES), st))


# ---------------------------------------------------------------- basic codes
def check_basic():
    rel = "devices/smtp/basic-codes.json"
    d = load(rel)
    if d is None:
        return
    R.check(d.get("schema") == "mfpdoctor/smtp-basic-codes/1", "%s: wrong schema %r" % (rel, d.get("schema")))
    codes = d.get("codes")
    if not R.check(isinstance(codes, list) and codes, "%s: 'codes' must be a non-empty list" % rel):
        return
    seen = set()
    by_rfc = {}
    for i, c in enumerate(codes):
        w = "%s codes[%d]" % (rel, i)
        if not R.check(isinstance(c, dict), w + ": must be an object"):
            continue
        code = c.get("code")
        if not R.check(isinstance(code, int) and 200 <= code <= 599, w + ": 'code' must be an integer 200-599"):
            continue
        w = "%s code %s (%s)" % (rel, code, c.get("context"))
        for k in ("rfc", "context", "meaning", "cause", "fix"):
            req_str(c, k, w)
        key = (code, c.get("context"))
        R.check(key not in seen, w + ": duplicate code+context")
        seen.add(key)
        if "enhanced" in c:
            e = c["enhanced"]
            R.check(isinstance(e, str) and ENH_RE.match(e) and e[0] == str(code)[0],
                    w + ": 'enhanced' %r malformed or class differs from code" % e)
        if "class" in c:
            R.check(c["class"] == CLASS_OF_DIGIT[str(code)[0]], w + ": 'class' inconsistent with code")
        check_stage_list(c, w)
        R.check(c.get("category") in CATEGORIES, w + ": bad category %r" % c.get("category"))
        check_sources(c, w)
        rfc = c.get("rfc") or ""
        for name in ("RFC 5321", "RFC 4954", "RFC 3207", "RFC 1870", "RFC 2920"):
            if rfc.startswith(name):
                by_rfc.setdefault(name, set()).add(code)
    R.check(RFC5321_CODES <= by_rfc.get("RFC 5321", set()),
            "%s: RFC 5321 codes missing: %s" % (rel, sorted(RFC5321_CODES - by_rfc.get("RFC 5321", set()))))
    R.check(RFC4954_CODES <= by_rfc.get("RFC 4954", set()),
            "%s: RFC 4954 codes missing: %s" % (rel, sorted(RFC4954_CODES - by_rfc.get("RFC 4954", set()))))
    R.check(RFC3207_CODES <= by_rfc.get("RFC 3207", set()),
            "%s: RFC 3207 codes missing: %s" % (rel, sorted(RFC3207_CODES - by_rfc.get("RFC 3207", set()))))
    R.check({552, 452} <= by_rfc.get("RFC 1870", set()), "%s: RFC 1870 552/452 missing" % rel)
    R.check(503 in by_rfc.get("RFC 2920", set()), "%s: RFC 2920 503 missing" % rel)


# ---------------------------------------------------------------- enhanced codes
def check_enhanced():
    rel = "devices/smtp/enhanced-codes.json"
    d = load(rel)
    if d is None:
        return
    R.check(d.get("schema") == "mfpdoctor/smtp-enhanced-codes/1", "%s: wrong schema" % rel)
    req_str(d, "registry", rel)
    R.check(isinstance(d.get("registry_updated"), str) and DATE_RE.match(d["registry_updated"]),
            rel + ": 'registry_updated' must be YYYY-MM-DD")
    classes = d.get("classes") or []
    R.check(sorted(c.get("class") for c in classes if isinstance(c, dict)) == [2, 4, 5],
            rel + ": classes must be exactly 2, 4, 5")
    for c in classes:
        w = "%s class %s" % (rel, c.get("class"))
        req_str(c, "title", w)
        req_str(c, "meaning", w)
        check_sources(c, w)
    subjects = d.get("subjects") or []
    R.check(sorted(s.get("subject") for s in subjects if isinstance(s, dict)) == list(range(8)),
            rel + ": subjects must be exactly 0..7")
    for s in subjects:
        w = "%s subject %s" % (rel, s.get("subject"))
        req_str(s, "title", w)
        req_str(s, "meaning", w)
        R.check(s.get("category") in CATEGORIES, w + ": bad category")
        check_sources(s, w)
    codes = d.get("codes") or []
    R.check(len(codes) == 81, "%s: expected 81 enumerated codes, found %d" % (rel, len(codes)))
    seen = set()
    deprecated = []
    for i, c in enumerate(codes):
        code = c.get("code") if isinstance(c, dict) else None
        w = "%s code %s" % (rel, code if code else "[%d]" % i)
        if not R.check(isinstance(code, str) and REG_CODE_RE.match(code), w + ": code must look like X.7.8"):
            continue
        R.check(code not in seen, w + ": duplicate code")
        seen.add(code)
        for k in ("title", "rfc", "meaning", "fix"):
            req_str(c, k, w)
        b = c.get("basic")
        R.check(isinstance(b, list) and all(isinstance(x, int) and 200 <= x <= 599 for x in b),
                w + ": 'basic' must be a list of reply codes")
        R.check(c.get("category") in CATEGORIES, w + ": bad category")
        check_stage_list(c, w)
        R.check(isinstance(c.get("deprecated"), bool), w + ": 'deprecated' must be true/false")
        if c.get("deprecated"):
            deprecated.append(code)
        check_sources(c, w)
    for must in ("X.0.0", "X.1.1", "X.3.4", "X.5.6", "X.7.1", "X.7.8", "X.7.9", "X.7.30"):
        R.check(must in seen, "%s: %s missing" % (rel, must))
    R.check(deprecated == ["X.6.10"], "%s: exactly X.6.10 must be deprecated (got %s)" % (rel, deprecated))


# ---------------------------------------------------------------- services
def check_service(sid, pattern_ids, all_patterns):
    rel = "devices/mail/%s.json" % sid
    d = load(rel)
    if d is None:
        return
    R.check(d.get("schema") == "mfpdoctor/mail-service/1", rel + ": wrong schema")
    R.check(d.get("id") == sid, rel + ": 'id' must equal the file name")
    req_str(d, "name", rel)
    rec = d.get("recognise")
    if R.check(isinstance(rec, dict), rel + ": 'recognise' must be an object"):
        for k in ("hosts", "banner", "ehlo", "reply"):
            lst = rec.get(k)
            if R.check(isinstance(lst, list), "%s: recognise.%s must be a list" % (rel, k)):
                for j, rx in enumerate(lst):
                    check_regex(rx, "%s recognise.%s[%d]" % (rel, k, j))
        if "priority" in rec:
            R.check(isinstance(rec["priority"], int), rel + ": recognise.priority must be an integer")
    st = d.get("settings")
    if R.check(isinstance(st, dict), rel + ": 'settings' must be an object"):
        w = rel + " settings"
        R.check(st.get("host") is None or nonempty_str(st.get("host")), w + ": host must be a string or null")
        R.check(isinstance(st.get("port"), int), w + ": port must be an integer")
        R.check(st.get("security") in SECURITY, w + ": security must be one of %s" % sorted(SECURITY))
        ap = st.get("alt_ports")
        R.check(isinstance(ap, list) and all(isinstance(a, dict) and isinstance(a.get("port"), int)
                                             and a.get("security") in SECURITY for a in ap),
                w + ": alt_ports must be a list of {port, security}")
        R.check(st.get("tls_min") is None or st.get("tls_min") in ("1.0", "1.1", "1.2", "1.3"),
                w + ": tls_min must be null or 1.0-1.3")
        R.check(st.get("auth") in AUTH, w + ": auth must be one of %s" % sorted(AUTH))
        R.check(isinstance(st.get("mechanisms"), list) and all(nonempty_str(m) for m in st["mechanisms"]),
                w + ": mechanisms must be a list of strings")
        req_str(st, "user_rule", w)
        req_str(st, "from_rule", w)
        R.check(st.get("max_size_bytes") is None or (isinstance(st.get("max_size_bytes"), int) and st["max_size_bytes"] > 0),
                w + ": max_size_bytes must be a positive integer or null")
        req_str(st, "max_size_source", w)
        R.check(isinstance(st.get("name_not_ip"), bool), w + ": name_not_ip must be true/false")
        notes = st.get("notes")
        R.check(isinstance(notes, list) and all(nonempty_str(n) for n in notes), w + ": notes must be a list of strings")
        if st.get("host") is None or st.get("tls_min") is None:
            R.check(isinstance(notes, list) and len(notes) > 0, w + ": null values need an explanation in notes")
        check_sources(st, w)
    deps = d.get("deprecations")
    if R.check(isinstance(deps, list), rel + ": 'deprecations' must be a list"):
        seen = set()
        for j, dep in enumerate(deps):
            w = "%s deprecations[%d]" % (rel, j)
            req_str(dep, "id", w)
            R.check(dep.get("id") not in seen, w + ": duplicate id")
            seen.add(dep.get("id"))
            req_str(dep, "what", w)
            R.check(isinstance(dep.get("date"), str) and DATE_RE.match(dep["date"]), w + ": date must be YYYY-MM-DD")
            req_str(dep, "detail", w)
            check_sources(dep, w)
    pats = d.get("patterns")
    if R.check(isinstance(pats, list) and pats, rel + ": 'patterns' must be a non-empty list"):
        for j, p in enumerate(pats):
            pid = p.get("id") if isinstance(p, dict) else None
            w = "%s pattern %s" % (rel, pid or "[%d]" % j)
            if not R.check(nonempty_str(pid), w + ": id required"):
                continue
            R.check(pid not in pattern_ids, w + ": duplicate pattern id")
            pattern_ids.add(pid)
            for k in ("match", "meaning", "fix", "example"):
                req_str(p, k, w)
            code = p.get("code")
            R.check(code is None or (isinstance(code, int) and 200 <= code <= 599), w + ": code must be a reply code or null")
            enh = p.get("enhanced")
            R.check(enh is None or (isinstance(enh, str) and ENH_RE.match(enh)), w + ": enhanced malformed")
            R.check(p.get("class") in CLASSES, w + ": bad class")
            if isinstance(code, int):
                R.check(p.get("class") == CLASS_OF_DIGIT[str(code)[0]], w + ": class inconsistent with code")
                if nonempty_str(p.get("example")):
                    R.check(p["example"].startswith(str(code)), w + ": example should start with its basic code")
            elif isinstance(enh, str):
                R.check(p.get("class") == CLASS_OF_DIGIT[enh[0]], w + ": class inconsistent with enhanced code")
            R.check(p.get("stage") in STAGES, w + ": stage %r not in value set" % p.get("stage"))
            R.check(p.get("category") in CATEGORIES, w + ": category %r not in value set" % p.get("category"))
            R.check(p.get("confidence") in CONFIDENCE, w + ": confidence must be one of %s" % sorted(CONFIDENCE))
            R.check(p.get("scope") in SCOPES, w + ": scope must be one of %s (does the text alone identify the "
                    "service, or does the pattern need the service context?)" % sorted(SCOPES))
            check_sources(p, w)
            if nonempty_str(p.get("match")):
                check_regex(p["match"], w, p.get("example") if nonempty_str(p.get("example")) else None)
            all_patterns.append((sid, p))
    cl = d.get("checklist")
    if R.check(isinstance(cl, list) and cl, rel + ": 'checklist' must be a non-empty list"):
        seen = set()
        for j, c in enumerate(cl):
            w = "%s checklist[%d]" % (rel, j)
            for k in ("id", "title", "where", "value", "why"):
                req_str(c, k, w)
            R.check(c.get("id") not in seen, w + ": duplicate id")
            seen.add(c.get("id"))
            check_sources(c, w)


def normalise_reply(reply):
    """Multi-line rows are written 'line1 / line2' in the TSV; join them with one space."""
    return re.sub(r" / (?=[2-5][0-9][0-9][ -])", " ", reply.strip())


def provider_service(provider):
    p = provider.lower()
    for key, sid in PROVIDER_MAP:
        if key in p:
            return sid
    return None


def check_self_identifying(all_patterns):
    """A pattern that claims its text alone identifies the service must not match the example reply
    of another service's pattern (its wording would then not be unique)."""
    for sid, p in all_patterns:
        if p.get("scope") != "self-identifying" or not nonempty_str(p.get("match")):
            continue
        try:
            rx = re.compile(p["match"], re.I)
        except re.error:
            continue
        for other, q in all_patterns:
            if other != sid and nonempty_str(q.get("example")):
                R.check(rx.search(q["example"]) is None, "%s pattern %s is marked self-identifying but also matches "
                        "%s's example %r" % (sid, p.get("id"), other, q["example"][:60]))


def check_tsv(path, all_patterns):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    header = lines[0].split("\t") if lines else []
    try:
        ip, ir, ist = header.index("provider"), header.index("reply"), header.index("stage")
    except ValueError:
        R.check(False, "%s: header must have provider, reply, stage" % path)
        return
    rows = 0
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) <= max(ip, ir, ist):
            R.check(False, "%s:%d: short row" % (path, n))
            continue
        rows += 1
        sid = provider_service(cols[ip])
        reply, stage = normalise_reply(cols[ir]), cols[ist].strip()
        w = "%s:%d (%s, %s)" % (os.path.basename(path), n, cols[ip], stage)
        if not R.check(sid is not None, w + ": provider not mapped to a service"):
            continue
        cands = [p for s, p in all_patterns if s == sid and p.get("stage") == stage]
        hit = [p for p in cands if nonempty_str(p.get("match")) and re.search(p["match"], reply, re.I)]
        R.check(bool(hit), "%s: reply %r not matched by any %s pattern with stage %s" % (w, reply, sid, stage))
        R.check(any(p.get("example") == reply for p in cands),
                "%s: no %s pattern has this reply as its example" % (w, sid))
    R.check(rows > 0, "%s: no data rows" % path)


def main():
    tsv = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_TSV
    print("kb root: %s; POSIX regcomp check: %s" % (ROOT, "on" if POSIX.libc is not None else "off (no glibc)"))
    check_basic()
    check_enhanced()
    pattern_ids, all_patterns = set(), []
    for sid in SERVICES:
        check_service(sid, pattern_ids, all_patterns)
    extra = sorted(f[:-5] for f in os.listdir(os.path.join(ROOT, "devices", "mail"))
                   if f.endswith(".json") and f[:-5] not in SERVICES) if os.path.isdir(os.path.join(ROOT, "devices", "mail")) else []
    for sid in extra:  # services added later are validated the same way
        check_service(sid, pattern_ids, all_patterns)
    R.check(len(all_patterns) >= 100, "only %d patterns in total (need >= 100)" % len(all_patterns))
    check_self_identifying(all_patterns)
    if os.path.isfile(tsv):
        check_tsv(tsv, all_patterns)
    else:
        print("note: %s not found; provider reply coverage not checked" % tsv)
    print("patterns: %d in %d services" % (len(all_patterns), len(SERVICES) + len(extra)))
    print("%d passed, %d failed" % (R.passed, R.failed))
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
