#!/usr/bin/python3
"""tests/integration/test_explain.py — runs the built `mfpdoctor explain` and `checklist`: every
input kind, --vendor/--family narrowing, ambiguity listing, exit codes (0/3/64), JSON shape, and a
conformance pass over shared/research/smtp/provider_replies.tsv (only when that file exists).
Env: MFPDOCTOR_BIN (binary), MFPDOCTOR_SRC (repo root). Offline; exit 77 = skipped."""
import json
import os
import subprocess
import sys

BIN = os.environ.get("MFPDOCTOR_BIN", "")
SRC = os.environ.get("MFPDOCTOR_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
TSV = os.environ.get("MFPDOCTOR_PROVIDER_TSV") or os.path.join(SRC, "..", "shared", "research", "smtp", "provider_replies.tsv")

CLASSES = {"positive-completion", "positive-intermediate", "transient", "permanent"}
CATEGORIES = {"dns", "connect", "tls", "auth", "sender", "recipient", "relay", "size", "rate-limit",
              "policy", "content", "server", "protocol", "config"}
PROVIDER_MAP = [("exchange server", "exchange"), ("microsoft 365", "office365"), ("exchange online", "office365"),
                ("google", "google"), ("gmail", "google"), ("postfix", "postfix"), ("exim", "exim"),
                ("sendmail", "sendmail"), ("yahoo", "yahoo"), ("zoho", "zoho"), ("amazon ses", "amazon-ses"),
                ("sendgrid", "sendgrid"), ("mailgun", "mailgun"), ("mailjet", "mailjet"), ("smtp2go", "smtp2go")]

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)
    return ok


def run(args, stdin=None):
    p = subprocess.run([BIN] + args, input=stdin, capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, NO_COLOR="1"))
    return p.returncode, p.stdout, p.stderr


def explain_json(args, stdin=None):
    rc, out, err = run(["explain", "--format", "json"] + args, stdin)
    try:
        return rc, json.loads(out)
    except ValueError:
        check(False, "explain %r: output is not JSON: %r %r" % (args, out[:200], err[:200]))
        return rc, {"matches": [], "notes": [], "first_failure": None, "ambiguous": False, "input_kind": "none"}


def shape_ok(d, what):
    ok = check(set(d) >= {"input", "matches", "first_failure", "notes"}, what + ": top-level keys")
    for m in d["matches"]:
        for k in ("kind", "class", "stage", "category", "meaning", "fix", "sources", "confidence"):
            ok &= check(k in m, "%s: match lacks %s" % (what, k))
        ok &= check(m["kind"] in ("vendor-code", "smtp-reply", "enhanced-code", "basic-code"), what + ": kind")
        ok &= check(m["class"] is None or m["class"] in CLASSES, what + ": class %r" % m.get("class"))
        ok &= check(m["category"] is None or m["category"] in CATEGORIES, what + ": category %r" % m.get("category"))
        ok &= check(("vendor" in m) == (m["kind"] == "vendor-code"), what + ": vendor only for vendor codes")
        ok &= check(isinstance(m["sources"], list), what + ": sources is a list")
    return ok


def test_vendor_spellings():
    cases = [("017-715", "Xerox", "017-715"), ("017715", "Xerox", "017-715"), ("xerox 017-715", "Xerox", "017-715"),
             ("Xerox 017 715", "Xerox", "017-715"), ("#818", "Canon", "#818"), ("818", "Canon", "#818"),
             ("CE-04", "Sharp", "CE-04"), ("ce 4", "Sharp", "CE-04"), ("E535", "OKI", "E535"),
             ("1102", "Kyocera", "1102"), ("Error 1102", "Kyocera", "1102"), ("2c30", "Toshiba", "2C30")]
    for text, vendor, code in cases:
        rc, d = explain_json([text])
        shape_ok(d, text)
        m = d["matches"]
        check(rc == 0 and d["input_kind"] == "vendor-code" and len(m) == 1, "%r: one vendor code (rc %d, %d matches)" % (text, rc, len(m)))
        if m:
            check(m[0]["vendor"].startswith(vendor) and m[0]["vendor_code"] == code,
                  "%r: %s %s, got %s %s" % (text, vendor, code, m[0].get("vendor"), m[0].get("vendor_code")))
    rc, d = explain_json(["--vendor", "oki", "E-535"])
    check(rc == 0 and d["matches"] and d["matches"][0]["vendor_code"] == "E535", "oki E-535")


def test_vendor_narrowing():
    rc, d = explain_json(["016-764"])
    vendors = sorted(m["vendor"].split()[0] for m in d["matches"])
    check(rc == 0 and d["ambiguous"] and len(vendors) >= 2 and "Xerox" in vendors, "016-764 ambiguous: %r" % vendors)
    check(any("Ambiguous" in n for n in d["notes"]), "016-764: the ambiguity is named in notes")
    rc, d = explain_json(["--vendor", "xerox", "016-764"])
    check(rc == 0 and not d["ambiguous"] and [m["vendor"] for m in d["matches"]] == ["Xerox"], "--vendor xerox narrows")
    rc, d = explain_json(["fuji xerox 016-764"])
    check(rc == 0 and len(d["matches"]) == 1 and d["matches"][0]["vendor"].startswith("FUJIFILM"), "'fuji xerox' prefix")
    rc, d = explain_json(["--vendor", "xerox", "--family", "altalink", "STOP"])
    check(rc == 3, "STOP is not an AltaLink code (rc %d)" % rc)
    rc, d = explain_json(["--vendor", "xerox", "--family", "workcentre-6000", "STOP"])
    check(rc == 0 and d["matches"][0]["vendor_code"] == "STOP", "STOP for WorkCentre 6000")
    rc, d = explain_json(["--family", "AltaLink C8045", "017-715"])
    check(rc == 0 and len(d["matches"]) == 1, "--family by model text")
    rc, out, err = run(["explain", "--vendor", "nosuch", "017-715"])
    check(rc == 64 and "xerox" in err, "unknown vendor: 64 and the list (rc %d)" % rc)
    rc, out, err = run(["explain", "--vendor", "xerox", "--family", "nosuch", "017-715"])
    check(rc == 64 and "altalink" in err, "unknown family: 64 and the list (rc %d)" % rc)
    rc, out, err = run(["explain", "--service", "nosuch", "535"])
    check(rc == 64 and "office365" in err, "unknown service: 64 and the list (rc %d)" % rc)


def test_unverified_and_replies():
    rc, d = explain_json(["017-715"])
    m = d["matches"][0]
    check(m["confidence"] == "unverified" and m["reveal"] and "mfpdoctor smtp" in m["reveal"], "017-715 unverified + reveal")
    check(any("NOT confirmed" in n for n in d["notes"]), "017-715: notes say not confirmed")
    rc, out, err = run(["explain", "017-715"])
    check("To find out:" in out and "NOT confirmed" in out, "text shows the reveal test")
    rc, out, err = run(["explain", "--format", "md", "017-715"])
    check(out.startswith("## ") and "To find out" in out, "markdown output")
    rc, d = explain_json(["1102"])
    m = d["matches"][0]
    check(m["replies"] and all("reply" in r for r in m["replies"]), "1102 lists the SMTP replies that cause it")


def test_replies():
    rc, d = explain_json(["550 5.7.30 Basic authentication is not supported for Client Submission."])
    m = d["matches"][0]
    check(rc == 0 and d["input_kind"] == "smtp-reply" and m.get("provider", "").startswith("Microsoft")
          and m["stage"] == "auth" and m["category"] == "auth", "M365 5.7.30 is not IANA X.7.30: %r" % m.get("provider"))
    rc, d = explain_json(["534-5.7.9 Application-specific password required. Learn more at\n"
                          "534 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor x - gsmtp"])
    m = d["matches"]
    check(rc == 0 and d["input_kind"] == "smtp-reply" and len(m) == 1 and "Google" in m[0].get("provider", "")
          and m[0]["stage"] == "auth", "Gmail multi-line 534 5.7.9")
    rc, d = explain_json(["535", "5.7.3", "Authentication", "unsuccessful"])
    m = d["matches"][0]
    check(rc == 0 and m.get("provider", "").startswith("Microsoft") and m["class"] == "permanent", "M365 535 5.7.3 (args joined)")
    rc, d = explain_json(["550 5.7.1 something no provider says"])
    m = d["matches"][0]
    check(rc == 0 and "provider" not in m and m["meaning"] and m["class"] == "permanent", "registry fallback")
    rc, d = explain_json(["5.7.139"])
    m = d["matches"][0]
    check(rc == 0 and d["input_kind"] == "enhanced-code" and m["class"] == "permanent" and m.get("provider_uses"),
          "5.7.139 alone: class and provider uses")
    rc, d = explain_json(["535"])
    check(rc == 0 and d["input_kind"] == "basic-code" and d["matches"][0]["class"] == "permanent", "535 alone")
    rc, d = explain_json(["--vendor", "oki", "535"])
    check(rc == 0 and any(m.get("vendor_code") == "E535" for m in d["matches"]), "535 with --vendor oki also gives E535")
    rc, d = explain_json(["421 4.7.0 Try again later, closing connection."])
    check(rc == 0 and d["matches"][0]["class"] == "transient", "421 transient")


def test_nonsense():
    for text, needle in [("650", "no 6xx class"), ("650 5.0.0 Whatever", "no 6xx class"), ("6.5.1", "no class 6"),
                         ("", "Nothing to explain"), ("hello world", "Nothing recognised"), ("~~~###", "Nothing recognised")]:
        rc, d = explain_json([text])
        check(rc == 3 and not d["matches"] and any(needle in n for n in d["notes"]), "%r: rc 3 and %r (rc %d, %r)" % (text, needle, rc, d["notes"]))
    rc, out, err = run(["explain", "650"])
    check(rc == 3 and "no 6xx class" in out, "650 text output says so")
    rc, d = explain_json(["-"], stdin="")
    check(rc == 3, "empty stdin: rc 3")
    rc, out, err = run(["explain", "--format", "xml", "535"])
    check(rc == 64, "bad --format: 64")
    rc, out, err = run(["explain", "--bogus"])
    check(rc == 64, "unknown option: 64")


SWAKS = """=== Trying smtp.office365.com:587...
=== Connected to smtp.office365.com.
<-  220 AM0PR02CA0001.outlook.office365.com Microsoft ESMTP MAIL Service ready
 -> EHLO scanner.example.com
<-  250-AM0PR02CA0001.outlook.office365.com Hello [192.0.2.10]
<-  250-STARTTLS
<-  250 SMTPUTF8
 -> STARTTLS
<-  220 2.0.0 SMTP server ready
=== TLS started with cipher TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256
 ~> EHLO scanner.example.com
<~  250-AM0PR02CA0001.outlook.office365.com Hello [192.0.2.10]
<~  250 AUTH LOGIN XOAUTH2
 ~> AUTH LOGIN
<~  334 VXNlcm5hbWU6
 ~> c2Nhbm5lckBleGFtcGxlLmNvbQ==
<~  334 UGFzc3dvcmQ6
 ~> cGFzc3dvcmQ=
<~* 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.
 ~> QUIT
<~  221 2.0.0 Service closing transmission channel
"""

CURL = """*   Trying 142.250.102.108:587...
* Connected to smtp.gmail.com (142.250.102.108) port 587 (#0)
< 220 smtp.gmail.com ESMTP a1sm123 - gsmtp
> EHLO scanner
< 250-smtp.gmail.com at your service
< 250 STARTTLS
> STARTTLS
< 220 2.0.0 Ready to start TLS
> EHLO scanner
< 250 AUTH LOGIN PLAIN XOAUTH2
> AUTH PLAIN AGZvbwBiYXI=
< 534-5.7.9 Application-specific password required. Learn more at
< 534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor a1sm123 - gsmtp
* Closing connection 0
"""


def test_transcripts():
    rc, d = explain_json(["-"], stdin=SWAKS)
    shape_ok(d, "swaks")
    ff = d["first_failure"]
    codes = [m["matched"][:3] for m in d["matches"]]
    check(rc == 0 and d["input_kind"] == "transcript" and codes[0] == "220" and codes[-1] == "221", "swaks: all replies in order %r" % codes)
    check(ff and ff["matched"].startswith("535 5.7.139") and ff["stage"] == "auth" and ff["line"] == 19,
          "swaks: first failure 535 5.7.139 at auth, line 19: %r" % ff)
    check(d["matches"][ff["index"]].get("provider", "").startswith("Microsoft"), "swaks: provider pattern")
    rc, d = explain_json(["-"], stdin=CURL)
    ff = d["first_failure"]
    check(rc == 0 and ff and ff["matched"].startswith("534-5.7.9") and ff["stage"] == "auth", "curl -v: first failure 534")
    stages = [m.get("observed_stage") for m in d["matches"]]
    check(stages[:3] == ["banner", "ehlo", "starttls"], "curl -v: observed stages %r" % stages)
    logs = [("Jan  1 10:00:00 mx postfix/smtp[1]: 4AB: to=<a@example.com>, status=deferred (SASL authentication failed; "
             "server smtp.example.com[192.0.2.1] said: 535 5.7.8 Error: authentication failed: authentication failure)", "535", "auth"),
            ("Jan  1 10:00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[192.0.2.10]: 554 5.7.1 "
             "<user@example.com>: Relay access denied; from=<s@example.com> to=<user@example.com> proto=ESMTP helo=<x>", "554", "rcpt-to"),
            ("status=bounced (host x[192.0.2.1] said: 552 5.3.4 Message size exceeds fixed limit (in reply to end of DATA command))",
             "552", "end-of-data"),
            ("2024/05/02 10:14 Scan to E-mail job 1234 failed 017-715", "017-715", "unknown")]
    for line, code, stage in logs:
        rc, d = explain_json([line])
        ff = d["first_failure"]
        m = d["matches"][ff["index"]] if ff else {}
        got = m.get("vendor_code") or m.get("matched", "")[:3]
        check(rc == 0 and got == code and ff["stage"] == stage, "log line -> %s at %s, got %r %r" % (code, stage, got, ff and ff["stage"]))
    rc, d = explain_json(["-"], stdin="random words\nnothing here\n")
    check(rc == 3, "transcript without replies: rc 3")


def test_checklist():
    rc, out, err = run(["checklist", "--vendor", "xerox", "--service", "office365", "--format", "json"])
    d = json.loads(out) if rc == 0 else {}
    items = d.get("items", [])
    check(rc == 0 and items, "checklist json")
    keys = {"setting", "where", "label", "expected", "observed", "status", "fix", "why", "sources"}
    check(all(keys <= set(i) and i["status"] in ("ok", "fail", "unknown") for i in items), "checklist item fields")
    host = [i for i in items if i["setting"] == "smtp_host"]
    check(host and "smtp.office365.com" in host[0]["expected"] and host[0]["where"], "smtp_host: value and menu path")
    check(any(i["side"] == "service" for i in items), "service-side steps")
    check(any(x["date"] == "2026-12-31" for x in d.get("deadlines", [])), "Basic-auth retirement deadline")
    rc, d2 = run(["checklist", "--vendor", "xerox", "--family", "workcentre", "--service", "office365", "--format", "json"])[:2]
    tls = [i for i in json.loads(d2)["items"] if i["setting"] == "tls_version"] if rc == 0 else []
    check(tls and all(i["status"] == "fail" for i in tls), "WorkCentre (TLS 1.0) vs M365 (TLS 1.2): fail")
    rc, out, err = run(["checklist", "--vendor", "xerox", "--service", "office365"])
    check(rc == 0 and "On the printer:" in out and "Deadlines:" in out, "checklist text")
    rc, out, err = run(["checklist", "--vendor", "canon", "--service", "google", "--format", "md"])
    check(rc == 0 and "| # | Setting |" in out, "checklist markdown")
    rc, out, err = run(["checklist", "--vendor", "nosuch", "--service", "office365"])
    check(rc == 64 and "xerox" in err, "checklist unknown vendor: 64 + list")
    rc, out, err = run(["checklist", "--vendor", "xerox", "--service", "nosuch"])
    check(rc == 64 and "office365" in err, "checklist unknown service: 64 + list")
    rc, out, err = run(["checklist", "--vendor", "xerox", "--family", "nosuch", "--service", "google"])
    check(rc == 64 and "altalink" in err, "checklist unknown family: 64 + list")
    rc, out, err = run(["checklist", "--vendor", "xerox"])
    check(rc == 64, "checklist without --service: 64")


def provider_id(name):
    n = name.lower()
    for key, sid in PROVIDER_MAP:
        if key in n:
            return sid
    return None


def test_conformance():
    """Every provider reply of the research TSV. A row whose text identifies its provider (unique wording
    or a marker such as "gsmtp") must be recognised without --service; any other row is checked with the
    service context, and without it must not be explained with another provider's wording."""
    if not os.path.isfile(TSV):
        print("note: %s not found; conformance part skipped" % TSV)
        return
    with open(TSV, encoding="utf-8") as f:
        lines = f.read().splitlines()
    head = lines[0].split("\t")
    ip, ir, ist = head.index("provider"), head.index("reply"), head.index("stage")
    self_rows = 0
    for n, line in enumerate(lines[1:], start=2):
        cols = line.split("\t")
        if len(cols) <= max(ip, ir, ist) or not cols[ir].strip():
            continue
        reply, stage, sid = cols[ir].strip(), cols[ist].strip(), provider_id(cols[ip])
        text = "\n".join(part.strip() for part in reply.split(" / ")) if " / " in reply and reply[:3].isdigit() else reply
        w = "tsv line %d (%s): %r" % (n, cols[ip], reply[:60])
        rc, d = explain_json(["-"], stdin=text)
        m = d["matches"][0] if d["matches"] else {}
        if m.get("provider"):
            self_rows += 1
            check(m.get("provider_basis") in ("unique wording", "reply text"),
                  w + ": a provider without context must come from the text itself (%r)" % m.get("provider_basis"))
        elif sid:
            rc, d = explain_json(["--service", sid, "-"], stdin=text)
            m = d["matches"][0] if d["matches"] else {}
        want_class = None
        if reply[:3].isdigit():
            want_class = {"2": "positive-completion", "3": "positive-intermediate", "4": "transient", "5": "permanent"}[reply[0]]
        elif reply[:1] in "245" and reply[1:2] == ".":
            want_class = {"2": "positive-completion", "4": "transient", "5": "permanent"}[reply[0]]
        if not check(rc == 0 and m, w + ": explained (rc %d)" % rc):
            continue
        if want_class:
            check(m["class"] == want_class, w + ": class %r, want %r" % (m["class"], want_class))
        check(m["stage"] == stage, w + ": stage %r, want %r" % (m["stage"], stage))
    check(self_rows > 0, "conformance: some rows identify their provider by their text alone")


def test_provider_context():
    """Provider wording applies only when the service is recognised or the text is the provider's."""
    generic = "530 5.7.0 Authentication Required"
    rc, d = explain_json([generic])
    m = d["matches"][0] if d["matches"] else {}
    check(rc == 0 and "provider" not in m and m.get("class") == "permanent"
          and "Google" not in (m.get("meaning") or "") and "Workspace" not in (m.get("fix") or ""),
          "generic 530 5.7.0: the registry meaning, not Gmail's wording: %r" % {k: m.get(k) for k in ("provider", "meaning", "fix")})
    rc, out, err = run(["explain", generic])
    check(rc == 0 and "Recognised as" not in out.split("If the server is")[0] and "Gmail" in out.split("If the server is")[-1],
          "generic 530 5.7.0 text: Gmail only as a conditional reading")
    rc, d = explain_json([generic + " - gsmtp"])
    m = d["matches"][0] if d["matches"] else {}
    check(rc == 0 and "Google" in m.get("provider", "") and m.get("provider_basis") == "reply text",
          "530 5.7.0 ... gsmtp: Google's wording, recognised from the reply: %r" % m.get("provider_basis"))
    rc, d = explain_json(["--service", "google", generic])
    m = d["matches"][0] if d["matches"] else {}
    check(rc == 0 and "Google" in m.get("provider", "") and m.get("provider_basis") == "service" and m["stage"] == "mail-from",
          "--service google: Google's wording")
    rc, d = explain_json(["--service", "smtp.gmail.com", generic])
    check(rc == 0 and "Google" in d["matches"][0].get("provider", ""), "--service by host name")
    trans = ("< 220 mail.sim.test ESMTP\n> EHLO scanner\n< 250 mail.sim.test\n> MAIL FROM:<a@b.test>\n"
             "< 530 5.7.0 Authentication Required\n")
    rc, d = explain_json(["-"], stdin=trans)
    ff = d["first_failure"]
    m = d["matches"][ff["index"]] if ff else {}
    check(rc == 0 and ff and "provider" not in m and ff["stage"] == "mail-from",
          "generic server transcript: no Gmail wording, stage from the transcript: %r" % m.get("provider"))
    rc, d = explain_json(["530 5.5.1 Authentication Required"])
    check(rc == 0 and "provider" not in d["matches"][0], "530 5.5.1 (Google and Zoho wording) needs the service")
    rc, d = explain_json(["535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."])
    m = d["matches"][0]
    check(rc == 0 and "Microsoft" in m.get("provider", "") and m.get("provider_basis") == "unique wording",
          "M365 5.7.139 text identifies itself")


def test_claim_confidence():
    """Each claim (meaning, stage, replies/class) carries its own confidence; guesses are never facts."""
    rc, d = explain_json(["--vendor", "xerox", "016-767"])
    m = d["matches"][0] if d["matches"] else {}
    check(rc == 0 and m.get("meaning_confidence") == "unverified" and m.get("stage_confidence") == "unverified"
          and m.get("reply_confidence") == "unverified", "016-767: three unverified claims %r" %
          [m.get(k) for k in ("meaning_confidence", "stage_confidence", "reply_confidence")])
    check(m.get("class") is None and m.get("stage") == "unknown" and m.get("stage_guess") == "rcpt-to",
          "016-767: no class, stage unknown, the guess kept apart: %r %r %r" % (m.get("class"), m.get("stage"), m.get("stage_guess")))
    check(m.get("replies") and all(r.get("confidence") == "unverified" for r in m["replies"]), "016-767: replies marked as guesses")
    check(d["first_failure"] and d["first_failure"]["stage"] == "unknown", "016-767: first failure has no guessed stage")
    rc, out, err = run(["explain", "--vendor", "xerox", "016-767"])
    check("unverified guess" in out and "Result:          not given" in out and "permanent failure" not in out,
          "016-767 text: guesses shown as such, no class")
    rc, out, err = run(["explain", "--format", "md", "--vendor", "xerox", "016-767"])
    check("unverified guess" in out and "permanent failure" not in out, "016-767 markdown: guesses shown as such")
    rc, d = explain_json(["--vendor", "brother", "0x54"])
    m = d["matches"][0]
    check(m["meaning_confidence"] == "sourced" and m["stage"] == "auth" and m["stage_confidence"] == "sourced"
          and m["reply_confidence"] == "inferred" and m["class"] == "permanent", "brother 0x54: sourced meaning, inferred replies")
    for code in ("0x21", "0x22", "0x31", "0x32", "0x40", "0x41"):
        rc, d = explain_json(["--vendor", "brother", code])
        m = d["matches"][0] if d["matches"] else {}
        check(rc == 0 and m.get("stage") == "device" and m.get("class") is None and not m.get("replies")
              and "not a rejection by the server" in m.get("meaning", ""), "brother %s: a stored-setting check, no server reply" % code)
    rc, d = explain_json(["--vendor", "brother", "0x0001"])
    m = d["matches"][0] if d["matches"] else {}
    check(rc == 0 and m.get("vendor_code") == "0x01" and m.get("failure") is False, "brother 0x0001: low-byte busy, not a failure")
    rc, d = explain_json(["--vendor", "brother", "0x5460"])
    codes = [x.get("vendor_code") for x in d["matches"]]
    check(rc == 0 and codes == ["0x54", "0x60"] and any("high byte of 0x5460" in n for n in d["notes"])
          and not d["ambiguous"],
          "brother 0x5460: both bytes, named: %r" % codes)
    rc, d = explain_json(["--vendor", "brother", "21504"])
    check(rc == 0 and [x.get("vendor_code") for x in d["matches"]] == ["0x54"], "brother decimal 21504 = 0x5400")
    rc, d = explain_json(["--vendor", "brother", "SNMP-SMTP-FROM-FAILURES"])
    m = d["matches"][0] if d["matches"] else {}
    check(rc == 0 and m.get("vendor_code") == "SNMP-SMTP-RECVFROM-ERRORS" and m.get("stage") != "mail-from"
          and "recvfrom" in m.get("meaning", ""), "brother recvfrom counter is a socket error, not MAIL FROM")
    rc, d = explain_json(["--vendor", "ricoh", "Transmission has failed."])
    m = d["matches"][0] if d["matches"] else {}
    check(rc == 0 and m.get("stage") == "end-of-data" and m.get("stage_confidence") == "inferred", "ricoh: end of DATA, inferred")
    rc, d = explain_json(["--vendor", "xerox", "027-779"])
    m = d["matches"][0] if d["matches"] else {}
    check(rc == 0 and "conflict" in m.get("meaning", "") and "authentication" in m.get("meaning", "")
          and any("conflicting" in s for s in m.get("sources", [])), "027-779: the conflicting source is shown")
    rc, d = explain_json(["017-715"])
    check("forum" not in d["matches"][0]["meaning"], "017-715: no unsourced forum claim")
    for code in ("016-771", "1131", "9181"):
        rc, d = explain_json([code])
        check(not any(x.get("vendor_code") == code for x in d["matches"]), "%s (existence only recalled) is not in the KB" % code)


def main():
    if not BIN or not os.access(BIN, os.X_OK):
        print("MFPDOCTOR_BIN not set or not executable; skipped")
        return 77
    for t in (test_vendor_spellings, test_vendor_narrowing, test_unverified_and_replies, test_replies, test_nonsense,
              test_transcripts, test_checklist, test_conformance, test_provider_context, test_claim_confidence):
        try:
            t()
        except Exception as e:  # one broken part must not hide the others
            check(False, "%s raised %r" % (t.__name__, e))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
