"""test_profiles_overlay.py — site profiles in an overlay directory (MFPDOCTOR_PROFILES): a new
mail service's reply pattern is used, a site copy overrides the built-in file, and a broken file
or pattern is reported as a warning while the rest of the knowledge base keeps working."""
import json
import os
import shutil
import tempfile

from smtptest import Suite, run, run_json

S = Suite()
TMP = tempfile.mkdtemp(prefix="mfpdoctor-overlay-")


def overlay():
    os.makedirs(os.path.join(TMP, "mail"))
    site = {"schema": "mfpdoctor/mail-service/1", "id": "acme-relay", "name": "ACME internal relay",
            "recognise": {"hosts": ["^relay\\.acme\\.test$"], "banner": ["ACME relay"]},
            "settings": {"host": "relay.acme.test", "port": 25, "security": "starttls"},
            "patterns": [{"id": "acme-quota", "match": "^452 4\\.2\\.2 ACME quota", "code": 452, "enhanced": "4.2.2",
                          "class": "transient", "stage": "rcpt-to", "category": "rate-limit",
                          "meaning": "The ACME relay's daily quota for this department is used up.",
                          "fix": "Ask the ACME mail team to raise the department quota.", "sources": ["site runbook"],
                          "confidence": "sourced", "scope": "self-identifying"}]}
    with open(os.path.join(TMP, "mail", "acme.json"), "w") as f:
        json.dump(site, f)
    with open(os.path.join(TMP, "mail", "broken.json"), "w") as f:
        f.write('{"schema": "mfpdoctor/mail-service/1", "id": "broken"')
    env = {"MFPDOCTOR_PROFILES": TMP}
    rc, j, err, _ = run_json(["explain", "452 4.2.2 ACME quota exceeded for dept 7"], env=env)
    m = j["matches"][0]
    assert rc == 0 and m["provider"] == "ACME internal relay" and m["category"] == "rate-limit", (rc, m)
    assert "broken.json" in err and "warning" in err, err
    # the built-in knowledge still answers
    rc, j, err, _ = run_json(["explain", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
                              "disabled for the Tenant."], env=env)
    assert rc == 0 and "Microsoft" in j["matches"][0].get("provider", ""), j["matches"][0]
    # without the overlay the site pattern is unknown and falls back to the IANA registry
    rc, j, err, _ = run_json(["explain", "452 4.2.2 ACME quota exceeded for dept 7"])
    assert rc == 0 and not j["matches"][0].get("provider") and "broken" not in err, j["matches"][0]


S.check("overlay profiles: site pattern used, broken file warned, built-ins intact", overlay)
shutil.rmtree(TMP, ignore_errors=True)
S.finish()
