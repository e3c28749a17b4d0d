"""test_smtp.py — `mfpdoctor smtp` against every SMTP persona (aiosmtpd scripts reproducing real
providers' replies) and a real Postfix: the verdict's stage and code, the named findings and the
exit code are asserted; for each failure swaks, run against the same server, must report the
same failing stage and code."""
import base64
import json
import os
import shutil
import socket
import tempfile

from smtptest import Suite, finding_ids, run, run_json
from simworld import AiosmtpdServer, Certs, Persona, RealMTA, swaks_run

S = Suite()
TMP = tempfile.mkdtemp(prefix="mfpdoctor-smtp-")
CERTS = Certs(os.path.join(TMP, "certs"))
CA = CERTS.path("ca") if hasattr(CERTS, "path") else os.path.join(TMP, "certs", "ca.pem")


def mfp(srv, *extra, password=None, user=True, tls=None, timeout=None):
    args = ["smtp", "--server", srv.host, "--port", srv.port, "--cafile", CA,
            "--from", "scanner@sim.test", "--to", "inbox@sim.test", "--ehlo", "scanner1.sim.test"]
    if tls or getattr(srv, "tls", None):
        args += ["--tls", tls or srv.tls]
    if user:
        args += ["--user", srv.user]
    if timeout:
        args += ["--timeout", timeout]
    args += list(extra)
    env = {"MFPDOCTOR_SMTP_PASSWORD": password if password is not None else srv.password}
    return run_json(args, env=env)


def swaks(srv, *extra, password=None, user=True, tls=None, optional_auth=False):
    mode = tls or srv.tls
    args = ["--server", srv.host, "--port", srv.port, "--from", "scanner@sim.test", "--to", "inbox@sim.test",
            "--ehlo", "scanner1.sim.test", "--quit-after", "RCPT"]
    if mode == "starttls":
        args.append("-tls")
    elif mode == "implicit":
        args.append("-tlsc")
    if user:
        args += ["-ao" if optional_auth else "-a", "--auth-user", srv.user, "--auth-password", password if password is not None else srv.password]
    return swaks_run(args + list(extra))


def expect_failure(j, rc, stage, code=None, enhanced=None, findings=(), exit_code=2):
    assert rc == exit_code, "exit %d, want %d: %s" % (rc, exit_code, j["verdict"])
    v = j["verdict"]
    assert not v["ok"], v
    assert v["failed_stage"] == stage, "failed at %s, want %s (%s)" % (v["failed_stage"], stage, v)
    if code is not None:
        assert v["reply"] and v["reply"]["code"] == code, v
    if enhanced is not None:
        assert v["reply"]["enhanced"] == enhanced, v
    for f in findings:
        assert f in finding_ids(j), "finding %s missing: %s" % (f, finding_ids(j))


def same_as_swaks(j, sw, stage=None):
    rc, sstage, scode, senh, out = sw
    want = stage or j["verdict"]["failed_stage"]
    assert sstage == want, "swaks stage %s, mfpdoctor %s\n%s" % (sstage, want, out[-1500:])
    reply = j["verdict"]["reply"]
    if reply:
        assert scode == reply["code"], "swaks code %s, mfpdoctor %s\n%s" % (scode, reply["code"], out[-1500:])
        if senh or reply["enhanced"]:
            assert senh == reply["enhanced"], (senh, reply["enhanced"])


def scenario(persona, fn, **kw):
    def body():
        with Persona(persona, CERTS, **kw) as srv:
            fn(srv)
    S.check(persona + ": " + fn.__name__, body)


# --- personas ---------------------------------------------------------------------------
def submission_passes(srv):
    rc, j, err, _ = mfp(srv)
    assert rc == 0, (rc, j["findings"], j["verdict"])
    assert j["verdict"]["ok"] and j["verdict"]["completed"] and not j["verdict"]["delivered"]
    stages = [s["stage"] for s in j["stages"]]
    assert stages == ["connect", "banner", "ehlo", "starttls", "tls-handshake", "ehlo-after-tls", "auth",
                      "mail-from", "rcpt-to"], stages
    assert j["capabilities"]["before_tls"]["auth"] == [] and j["capabilities"]["before_tls"]["starttls"]
    assert "PLAIN" in j["capabilities"]["after_tls"]["auth"]
    assert j["capabilities"]["after_tls"]["size"]["bytes"] == 10485760
    t = j["tls"]
    assert t["established"] and t["chain_verified"] and t["name_verified"], t
    assert t["certificate"]["days_left"] > 0 and t["certificate"]["sha256"].count(":") == 31
    # nothing was delivered and no DATA was sent
    assert not any(c.upper().startswith("DATA") for c in srv.commands()), srv.commands()
    sw = swaks(srv)
    assert sw[0] == 0, sw[4][-1500:]


def submission_bad_password(srv):
    rc, j, _, _ = mfp(srv, password="wrong-password")
    expect_failure(j, rc, "auth", 535)
    same_as_swaks(j, swaks(srv, password="wrong-password"))


def submission_mechanisms(srv):
    for mech in ("plain", "login", "cram-md5"):
        rc, j, _, _ = mfp(srv, "--auth", mech, "--stop-after", "auth")
        assert rc == 0, (mech, j["verdict"], j["findings"])
        auth = [s for s in j["stages"] if s["stage"] == "auth"][0]
        assert auth["command"].upper().startswith("AUTH " + mech.upper()), auth
        assert auth["reply"]["code"] == 235
    rc, j, _, _ = mfp(srv, "--auth", "xoauth2")
    expect_failure(j, rc, "auth", findings=["auth-no-common-mechanism"])


def submission_without_tls(srv):
    """AUTH is offered only after STARTTLS; a device set to no encryption skips the login."""
    rc, j, _, _ = mfp(srv, tls="none")
    expect_failure(j, rc, "mail-from", 530, findings=["auth-after-starttls"])
    assert j["findings"][0]["id"] == "auth-after-starttls", finding_ids(j)
    same_as_swaks(j, swaks(srv, tls="none", optional_auth=True))


def submission_as_implicit(srv):
    """Device set to SSL/TLS against a STARTTLS port."""
    rc, j, _, secs = mfp(srv, tls="implicit", timeout=5)
    expect_failure(j, rc, "tls-handshake", findings=["port-expects-starttls"])
    assert secs < 30
    same_as_swaks(j, swaks(srv, tls="implicit"))


def implicit_as_starttls(srv):
    """Device set to STARTTLS against an implicit-TLS (465-style) port: no greeting ever comes."""
    rc, j, _, secs = mfp(srv, tls="starttls", timeout=3)
    expect_failure(j, rc, "banner", findings=["port-expects-implicit-tls"])
    assert secs < 25, secs
    rc2, sstage, _, _, out = swaks_run(
        ["--server", srv.host, "--port", srv.port, "--timeout", "3", "-tls", "--quit-after", "RCPT",
         "--from", "a@sim.test", "--to", "b@sim.test"])
    assert sstage in ("banner", "connect"), (rc2, sstage, out[-800:])


def implicit_passes(srv):
    rc, j, _, _ = mfp(srv)
    assert rc == 0, (j["verdict"], j["findings"])
    assert [s["stage"] for s in j["stages"]][:3] == ["connect", "tls-handshake", "banner"], j["stages"]


def m365_auth_disabled(srv):
    rc, j, _, _ = mfp(srv)
    expect_failure(j, rc, "auth", 535, "5.7.139")
    e = j["explanations"][0]
    assert e["provider"] and "Microsoft" in e["provider"], e
    assert "Authenticated SMTP" in e["fix"] or "SMTP AUTH" in e["fix"] or "SmtpClientAuthentication" in e["fix"], e
    same_as_swaks(j, swaks(srv))


def m365_bad_creds(srv):
    rc, j, _, _ = mfp(srv, password="not-it")
    expect_failure(j, rc, "auth", 535, "5.7.3")
    assert j["explanations"][0]["provider"], j["explanations"]
    same_as_swaks(j, swaks(srv, password="not-it"))


def m365_unauthenticated(srv):
    rc, j, _, _ = mfp(srv, user=False)
    expect_failure(j, rc, "mail-from", 530, "5.7.57")
    same_as_swaks(j, swaks(srv, user=False))


def m365_legacy_tls(srv):
    rc, j, _, _ = mfp(srv, "--tls-max", "1.0")
    expect_failure(j, rc, "ehlo-after-tls", 421, "4.7.66", findings=["tls-version-too-old"])
    assert j["tls"]["version"] == "TLSv1", j["tls"]
    sw = swaks(srv, "--tls-protocol", "tlsv1", "--tls-cipher", "DEFAULT:@SECLEVEL=0")
    same_as_swaks(j, sw)


def m365_basic_retired(srv):
    rc, j, _, _ = mfp(srv)
    expect_failure(j, rc, "auth", 550, "5.7.30")
    # the way out Microsoft names: OAuth (XOAUTH2, the token given as the password) still works
    rc2, j2, out2, _ = mfp(srv, "--auth", "xoauth2", "--verbose")
    assert rc2 == 0 and [s["command"] for s in j2["stages"] if s["stage"] == "auth"] == ["AUTH XOAUTH2 [redacted]"], j2
    import base64 as b64
    blob = b64.b64encode(("user=%s\x01auth=Bearer %s\x01\x01" % (srv.user, srv.password)).encode()).decode()
    assert blob not in json.dumps(j2) and srv.password not in json.dumps(j2)
    e = j["explanations"][0]
    # Microsoft's meaning, not IANA's X.7.30 "REQUIRETLS support required"
    assert e["provider"] and "Microsoft" in e["provider"] and "asic" in e["meaning"], e
    same_as_swaks(j, swaks(srv))


def gmail_app_password(srv):
    rc, j, _, _ = mfp(srv)
    expect_failure(j, rc, "auth", 534, "5.7.9")
    assert len(j["verdict"]["reply"]["lines"]) == 2, j["verdict"]["reply"]
    assert "App" in j["explanations"][0]["fix"] or "app" in j["explanations"][0]["fix"], j["explanations"][0]
    same_as_swaks(j, swaks(srv))


def gmail_starttls_first(srv):
    rc, j, _, _ = mfp(srv, tls="none")
    expect_failure(j, rc, "mail-from", 530, "5.7.0")
    same_as_swaks(j, swaks(srv, tls="none", optional_auth=True))


def postfix_relay_denied(srv):
    rc, j, _, _ = mfp(srv, "--to", "someone@external.example", user=False)
    expect_failure(j, rc, "rcpt-to", 554, "5.7.1")
    sw = swaks_run(["--server", srv.host, "--port", srv.port, "--from", "scanner@sim.test", "--to",
                    "someone@external.example", "--quit-after", "RCPT", "--ehlo", "scanner1.sim.test"])
    same_as_swaks(j, sw)


def exchange_relay_54(srv):
    rc, j, _, _ = mfp(srv, "--to", "someone@external.example", user=False)
    expect_failure(j, rc, "rcpt-to", 550, "5.7.54")


def size_5mb(srv):
    rc, j, _, _ = mfp(srv, "--size", "10M", user=False, tls="none")
    expect_failure(j, rc, "mail-from", 552, "5.3.4", findings=["size-over-limit"])
    assert j["findings"][0]["id"] == "size-over-limit", finding_ids(j)
    rc, j, _, _ = mfp(srv, "--size", "1M", user=False, tls="none")
    assert j["verdict"]["ok"], j["verdict"]


def fqdn_required(srv):
    rc, j, _, _ = run_json(["smtp", "--server", srv.host, "--port", srv.port, "--from", "scanner@sim.test",
                            "--to", "inbox@sim.test", "--ehlo", "PRN01", "--tls", "none"])
    expect_failure(j, rc, "ehlo", 504, "5.5.2", findings=["ehlo-name-rejected"])
    sw = swaks_run(["--server", srv.host, "--port", srv.port, "--from", "scanner@sim.test", "--to",
                    "inbox@sim.test", "--ehlo", "PRN01", "--quit-after", "RCPT"])
    same_as_swaks(j, sw)


def no_ehlo(srv):
    rc, j, _, _ = mfp(srv, user=False, tls="none")
    assert rc == 1, (rc, j["verdict"], finding_ids(j))
    assert j["verdict"]["ok"]
    assert "helo-fallback" in finding_ids(j)
    assert any((s["command"] or "").startswith("HELO") for s in j["stages"])


def expired_cert(srv):
    rc, j, _, _ = mfp(srv)
    expect_failure(j, rc, "tls-handshake", findings=["cert-expired"])
    assert j["tls"]["certificate"]["days_left"] < 0 and j["tls"]["chain_verified"] is False
    sw = swaks(srv, "--tls-verify", "--tls-ca-path", CA)
    assert sw[1] == "tls-handshake", sw[4][-1000:]
    rc, j, _, _ = mfp(srv, "--insecure")
    assert rc == 1 and j["verdict"]["ok"], (rc, j["verdict"])   # passes, but warns
    assert "cert-expired" in finding_ids(j)


def wrong_name_cert(srv):
    rc, j, _, _ = mfp(srv)
    expect_failure(j, rc, "tls-handshake", findings=["cert-name-mismatch"])
    assert j["tls"]["name_verified"] is False and any("other.example.net" in s for s in j["tls"]["certificate"]["sans"])


def self_signed(srv):
    rc, j, _, _ = mfp(srv)
    expect_failure(j, rc, "tls-handshake", findings=["cert-untrusted"])


def tls12_only(srv):
    rc, j, _, _ = mfp(srv, "--tls-max", "1.0")
    expect_failure(j, rc, "tls-handshake", findings=["tls-version-too-old"])
    sw = swaks(srv, "--tls-protocol", "tlsv1", "--tls-cipher", "DEFAULT:@SECLEVEL=0")
    assert sw[1] == "tls-handshake", sw[4][-800:]
    rc, j, _, _ = mfp(srv, "--tls-min", "1.2")
    assert rc == 0 and j["tls"]["version"] == "TLSv1.2", (rc, j["tls"], j["verdict"])


def legacy_tls10(srv):
    rc, j, _, _ = mfp(srv, "--tls-min", "1.0", "--tls-max", "1.0")
    assert rc == 0, (rc, j["verdict"], j["findings"], j["tls"])
    assert j["tls"]["version"] == "TLSv1", j["tls"]


def silent(srv):
    rc, j, _, secs = mfp(srv, user=False, tls="none", timeout=2)
    expect_failure(j, rc, "banner")
    assert secs < 20, secs


def banner_reject(srv):
    rc, j, _, _ = mfp(srv, user=False, tls="none")
    expect_failure(j, rc, "banner", 554)
    same_as_swaks(j, swaks(srv, user=False, tls="none"))


def drop_at_mail(srv):
    rc, j, _, secs = mfp(srv, user=False, tls="none", timeout=5)
    expect_failure(j, rc, "mail-from")
    assert secs < 30


def m365_sendas(srv):
    rc, j, _, _ = mfp(srv, "--send", "--size", "100K")
    expect_failure(j, rc, "end-of-data", 550, "5.7.60")
    stages = [s["stage"] for s in j["stages"]]
    assert "data" in stages and "end-of-data" in stages, stages


def rate_limit(srv):
    rc, j, _, _ = mfp(srv, user=False, tls="none")
    expect_failure(j, rc, "mail-from", 451)
    assert j["verdict"]["reply"]["class"] == "transient"


def stop_after_data(srv):
    """--stop-after data: the server's answer to DATA is seen, no message is sent or delivered."""
    rc, j, _, _ = mfp(srv, "--stop-after", "data")
    assert rc == 0, (rc, j["verdict"])
    d = [s for s in j["stages"] if s["stage"] == "data"]
    assert d and d[0]["reply"]["code"] == 354, j["stages"]
    assert not any(s["stage"] == "end-of-data" for s in j["stages"]), j["stages"]
    assert srv.messages() == [], "a message was delivered"


def send_delivers(srv):
    rc, j, _, _ = mfp(srv, "--send", "--size", "300K")
    assert rc == 0 and j["verdict"]["delivered"], (rc, j["verdict"], j["findings"])
    msgs = srv.messages()
    assert len(msgs) == 1, msgs
    m = msgs[0]
    assert b"application/pdf" in m and b"scan.pdf" in m and b"Subject: mfpdoctor test scan" in m
    assert 300 * 1024 * 4 // 3 < len(m) < 300 * 1024 * 3 // 2, len(m)


scenario("submission", submission_passes)
scenario("submission", submission_bad_password)
scenario("submission", submission_mechanisms)
scenario("submission", submission_without_tls)
scenario("submission", submission_as_implicit)
scenario("implicit", implicit_as_starttls)
scenario("implicit", implicit_passes)
scenario("m365-auth-disabled", m365_auth_disabled)
scenario("m365-bad-creds", m365_bad_creds)
scenario("m365-unauthenticated", m365_unauthenticated)
scenario("m365-legacy-tls", m365_legacy_tls)
scenario("m365-basic-retired", m365_basic_retired)
scenario("gmail-app-password", gmail_app_password)
scenario("gmail-starttls-first", gmail_starttls_first)
scenario("postfix-relay-denied", postfix_relay_denied)
scenario("exchange-relay-54", exchange_relay_54)
scenario("size-5mb", size_5mb)
scenario("fqdn-required", fqdn_required)
scenario("no-ehlo", no_ehlo)
scenario("expired-cert", expired_cert)
scenario("wrong-name-cert", wrong_name_cert)
scenario("self-signed", self_signed)
scenario("tls12-only", tls12_only)
scenario("legacy-tls10", legacy_tls10)
scenario("silent", silent)
scenario("banner-reject", banner_reject)
scenario("drop-at-mail", drop_at_mail)
scenario("m365-sendas", m365_sendas)
scenario("rate-limit-451", rate_limit)


def send_scenario():
    with Persona("submission", CERTS, save_dir=os.path.join(TMP, "saved")) as srv:
        send_delivers(srv)


S.check("submission: send_delivers", send_scenario)


def data_scenario():
    with Persona("submission", CERTS, save_dir=os.path.join(TMP, "saved-data")) as srv:
        stop_after_data(srv)


S.check("submission: stop_after_data (354 seen, nothing delivered)", data_scenario)


# --- transport failures --------------------------------------------------------------------
def dns_unresolved():
    rc, j, _, _ = run_json(["smtp", "--server", "no-such-host.invalid", "--from", "a@sim.test", "--timeout", "5"])
    expect_failure(j, rc, "connect", findings=["dns-unresolved"])


def refused():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    rc, j, _, _ = run_json(["smtp", "--server", "127.0.0.1", "--port", port, "--from", "a@sim.test", "--timeout", "3"])
    expect_failure(j, rc, "connect", findings=["connect-failed"])


S.check("dns: unresolvable name", dns_unresolved)
S.check("connect: refused port", refused)


# --- the real MTA ---------------------------------------------------------------------------
def real_mta():
    with RealMTA(os.path.join(TMP, "mta"), CERTS) as mta:
        base = ["smtp", "--server", mta.host, "--cafile", CA, "--from", mta.user, "--ehlo", "scanner1.sim.test"]
        env = {"MFPDOCTOR_SMTP_PASSWORD": mta.password}
        rc, j, _, _ = run_json(base + ["--port", mta.port, "--tls", "starttls", "--user", mta.user,
                                       "--to", "inbox@sim.test"], env=env)
        assert rc == 0, (rc, j["verdict"], j["findings"])
        assert "PLAIN" in j["capabilities"]["after_tls"]["auth"] and not j["capabilities"]["before_tls"]["auth"]
        # wrong password
        rc, j, _, _ = run_json(base + ["--port", mta.port, "--tls", "starttls", "--user", mta.user,
                                       "--to", "inbox@sim.test"], env={"MFPDOCTOR_SMTP_PASSWORD": "wrong-one"})
        expect_failure(j, rc, "auth", 535, "5.7.8")
        sw = swaks_run(["--server", mta.host, "--port", mta.port, "-tls", "-a", "--auth-user", mta.user,
                        "--auth-password", "wrong-one", "--from", mta.user, "--to", "inbox@sim.test",
                        "--quit-after", "RCPT"])
        same_as_swaks(j, sw)
        # relay to an external domain without login
        rc, j, _, _ = run_json(base + ["--port", mta.plain_port, "--tls", "none", "--to", "x@external.example"])
        expect_failure(j, rc, "rcpt-to", 554, "5.7.1")
        sw = swaks_run(["--server", mta.host, "--port", mta.plain_port, "--from", mta.user, "--to",
                        "x@external.example", "--quit-after", "RCPT", "--ehlo", "scanner1.sim.test"])
        same_as_swaks(j, sw)
        # a 8 MB scan against the 5 MB limit: refused at MAIL thanks to SIZE=
        rc, j, _, _ = run_json(base + ["--port", mta.port, "--tls", "starttls", "--user", mta.user,
                                       "--to", "inbox@sim.test", "--size", "8M"], env=env)
        expect_failure(j, rc, "mail-from", 552, "5.3.4", findings=["size-over-limit"])
        # deliver for real
        rc, j, _, _ = run_json(base + ["--port", mta.port, "--tls", "starttls", "--user", mta.user,
                                       "--to", "inbox@sim.test", "--send", "--size", "200K"], env=env)
        assert rc == 0 and j["verdict"]["delivered"], (rc, j["verdict"], j["findings"])
        assert len(mta.messages(wait=10)) >= 1


S.check("real MTA (Postfix): pass, bad password, relay denied, size, delivery", real_mta)


# --- aiosmtpd: an independent server implementation ----------------------------------------
def aiosmtpd_interop():
    with AiosmtpdServer(CERTS, save_dir=os.path.join(TMP, "aio-saved")) as srv:
        base = ["smtp", "--server", srv.host, "--port", srv.port, "--cafile", CA, "--from", srv.user,
                "--to", "inbox@sim.test", "--ehlo", "scanner1.sim.test"]
        env = {"MFPDOCTOR_SMTP_PASSWORD": srv.password}
        for mech in ("plain", "login"):
            rc, j, _, _ = run_json(base + ["--tls", "starttls", "--user", srv.user, "--auth", mech], env=env)
            assert rc == 0, (mech, rc, j["verdict"], j["findings"])
        # wrong password: aiosmtpd's own wording, same stage and code as swaks sees
        rc, j, _, _ = run_json(base + ["--tls", "starttls", "--user", srv.user], env={"MFPDOCTOR_SMTP_PASSWORD": "nope"})
        expect_failure(j, rc, "auth", 535, "5.7.8")
        sw = swaks_run(["--server", srv.host, "--port", srv.port, "-tls", "-a", "PLAIN", "--auth-user", srv.user,
                        "--auth-password", "nope", "--from", srv.user, "--to", "inbox@sim.test", "--quit-after", "RCPT"])
        same_as_swaks(j, sw)
        # no STARTTLS: AUTH is not offered, MAIL is refused
        rc, j, _, _ = run_json(base + ["--tls", "none", "--user", srv.user], env=env)
        expect_failure(j, rc, "mail-from", 530, findings=["auth-after-starttls"])
        # 8 MB against its 5 MB limit, refused at MAIL thanks to SIZE=
        rc, j, _, _ = run_json(base + ["--tls", "starttls", "--user", srv.user, "--size", "8M"], env=env)
        expect_failure(j, rc, "mail-from", 552, findings=["size-over-limit"])
        # and a real delivery
        rc, j, _, _ = run_json(base + ["--tls", "starttls", "--user", srv.user, "--send", "--size", "300K"], env=env)
        assert rc == 0 and j["verdict"]["delivered"], (rc, j["verdict"])
        msgs = os.listdir(os.path.join(TMP, "aio-saved"))
        assert len(msgs) == 1, msgs


S.check("aiosmtpd: mechanisms, wrong password (= swaks), no STARTTLS, size, delivery", aiosmtpd_interop)


# --- secrets never appear -------------------------------------------------------------------
def no_secrets():
    pw = "S3cret-P@ss-" + base64.b32encode(os.urandom(5)).decode()
    forms = [pw, base64.b64encode(pw.encode()).decode(),
             base64.b64encode(b"\0scanner@sim.test\0" + pw.encode()).decode(),
             base64.b64encode(b"scanner@sim.test\0scanner@sim.test\0" + pw.encode()).decode()]
    for persona, mech in (("submission", "plain"), ("submission", "login"), ("m365-auth-disabled", "login"),
                          ("gmail-bad-creds", "plain")):
        with Persona(persona, CERTS, password=pw) as srv:
            for fmt in ("text", "json", "md"):
                for wrong in (False, True):
                    env = {"MFPDOCTOR_SMTP_PASSWORD": pw if not wrong else pw + "x"}
                    rc, out, err, _ = run(["smtp", "--server", srv.host, "--port", srv.port, "--cafile", CA,
                                           "--tls", srv.tls, "--user", srv.user, "--auth", mech, "--from",
                                           "scanner@sim.test", "--format", fmt, "--verbose"], env=env)
                    text = out + err
                    bad = forms + ([base64.b64encode((pw + "x").encode()).decode(), pw + "x"] if wrong else [])
                    for f in bad:
                        assert f not in text, "secret form %r leaked in %s/%s/%s" % (f[:6], persona, mech, fmt)
                    assert "[redacted]" in text, (persona, mech, fmt, text[-500:])
            # on argv it still works, with a warning, and is still redacted
            rc, out, err, _ = run(["smtp", "--server", srv.host, "--port", srv.port, "--cafile", CA, "--tls", srv.tls,
                                   "--user", srv.user, "--password", pw, "--from", "scanner@sim.test", "-v"])
            assert "warning" in err and pw not in out and pw not in err, err


S.check("secrets: password, base64 and AUTH PLAIN blob never printed", no_secrets)


# --- usage errors ----------------------------------------------------------------------------
def usage():
    for args in (["smtp"], ["smtp", "--server", "x", "--port", "99999", "--from", "a@b"],
                 ["smtp", "--server", "x", "--tls", "ssl", "--from", "a@b"], ["smtp", "--bogus"],
                 ["smtp", "--server", "x"], ["smtp", "--server", "x", "--from", "a@b", "--size", "lots"],
                 ["smtp", "--server", "x", "--from", "a@b", "--tls-min", "1.3", "--tls-max", "1.0"],
                 ["nosuchcommand"]):
        rc, out, err, _ = run(args)
        assert rc == 64, (args, rc, out, err)
        assert err.strip(), args
    rc, out, err, _ = run(["--version"])
    assert rc == 0 and "libcurl" in out and "net-snmp" in out and "OpenSSL" in out, out
    rc, out, err, _ = run(["smtp", "--help"])
    assert rc == 0 and "--stop-after" in out and "--tls-max" in out


S.check("usage errors and --version", usage)

shutil.rmtree(TMP, ignore_errors=True)
S.finish()
