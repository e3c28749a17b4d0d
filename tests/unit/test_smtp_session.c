/* test_smtp_session.c — stage tracking, redaction and every named finding, driven by scripted
 * transport events (no network): the session and rules see exactly what libcurl would report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "smtp/session.h"
#include "smtp/smtp.h"
#include "util/redact.h"

static const char *const one_rcpt[] = {"scan@example.com"};

static struct smtp_request base_req(void)
{
	struct smtp_request q = {.server = "mail.example.com", .port = 587, .tls = TLS_NONE, .auth = AUTH_NONE,
				 .from = "scanner@example.com", .to = one_rcpt, .nto = 1,
				 .stop_after = STAGE_RCPT_TO, .size = 2 * 1024 * 1024, .timeout_ms = 15000};
	return q;
}

static void cmd(struct smtp_session *s, const char *c)
{
	session_command(s, c, strlen(c));
}

static void rep(struct smtp_session *s, const char *r)
{
	session_reply(s, r, strlen(r));
}

static void start(struct smtp_session *s, const struct smtp_request *q, struct smtp_result *r)
{
	memset(r, 0, sizeof(*r));
	r->host = strdup(q->server);
	r->port_used = q->port;
	r->failed_stage = STAGE_LAST;
	r->ok = true;
	session_init(s, q, r, false);
	session_tcp_connected(s);
}

static bool transcript_has(const struct smtp_result *r, const char *needle)
{
	for (size_t i = 0; i < r->transcript.n; i++)
		if (strstr(r->transcript.v[i], needle))
			return true;
	return false;
}

static void stages_and_stop(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r);
	rep(&s, "220 mail.example.com ESMTP\r\n");
	cmd(&s, "EHLO printer.example.com\r\n");
	rep(&s, "250-mail.example.com\r\n250-SIZE 10485760\r\n250 8BITMIME\r\n");
	cmd(&s, "MAIL FROM:<scanner@example.com> SIZE=2800000\r\n");
	rep(&s, "250 2.1.0 Ok\r\n");
	assert_false(s.stop_now);
	cmd(&s, "RCPT TO:<scan@example.com>\r\n");
	rep(&s, "250 2.1.5 Ok\r\n");
	assert_true(s.stop_now); /* the last recipient answered: stop before DATA */
	session_finish(&s);
	assert_int_equal(r.nsteps, 5);
	assert_int_equal(r.steps[0].stage, STAGE_CONNECT);
	assert_int_equal(r.steps[1].stage, STAGE_BANNER);
	assert_int_equal(r.steps[2].stage, STAGE_EHLO);
	assert_int_equal(r.steps[3].stage, STAGE_MAIL_FROM);
	assert_int_equal(r.steps[4].stage, STAGE_RCPT_TO);
	assert_int_equal(r.steps[4].index, 1);
	assert_true(r.caps_before.size_present);
	assert_int_equal(r.caps_before.size, 10485760);
	smtp_result_free(&r);
}

static void stop_after_connect_and_tls(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	struct smtp_result r;
	struct smtp_session s;
	q.stop_after = STAGE_CONNECT;
	start(&s, &q, &r);
	rep(&s, "220-first\r\n");
	assert_false(s.stop_now);
	rep(&s, "220 ready\r\n");
	assert_true(s.stop_now);
	smtp_result_free(&r);

	q.stop_after = STAGE_TLS_HANDSHAKE;
	q.tls = TLS_STARTTLS;
	start(&s, &q, &r);
	rep(&s, "220 ready\r\n");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250-x\r\n250 STARTTLS\r\n");
	assert_false(s.stop_now); /* STARTTLS follows */
	cmd(&s, "STARTTLS\r\n");
	rep(&s, "220 2.0.0 go ahead\r\n");
	session_tls_start(&s);
	session_tls_done(&s, "TLSv1.3", "TLS_AES_256_GCM_SHA384");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250-x\r\n250 AUTH PLAIN LOGIN\r\n");
	assert_true(s.stop_now);
	assert_int_equal(r.steps[r.nsteps - 1].stage, STAGE_EHLO_AFTER_TLS);
	assert_int_equal(r.steps[r.nsteps - 2].stage, STAGE_TLS_HANDSHAKE);
	assert_true(r.caps_after.seen);
	assert_true(smtp_caps_has_auth(&r.caps_after, "PLAIN"));
	assert_false(smtp_caps_has_auth(&r.caps_before, "PLAIN"));
	smtp_result_free(&r);
}

static void auth_is_redacted(void **state)
{
	(void)state;
	const char *pw = "Tr0ub4dor&3";
	redact_add_secret(pw);
	redact_add_plain_blob("scanner@example.com", pw);
	struct smtp_request q = base_req();
	q.user = "scanner@example.com";
	q.password = pw;
	q.auth = AUTH_LOGIN;
	q.stop_after = STAGE_AUTH;
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r);
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250-x\r\n250 AUTH LOGIN PLAIN\r\n");
	assert_false(s.stop_now);
	/* base64("scanner@example.com") as initial response, then the password */
	cmd(&s, "AUTH LOGIN c2Nhbm5lckBleGFtcGxlLmNvbQ==\r\n");
	rep(&s, "334 UGFzc3dvcmQ6\r\n");
	char *b64 = redact_base64(pw, (int)strlen(pw));
	char line[128];
	snprintf(line, sizeof(line), "%s\r\n", b64);
	cmd(&s, line);
	rep(&s, "235 2.7.0 Authentication successful\r\n");
	assert_true(s.stop_now);
	const struct smtp_step *a = &r.steps[r.nsteps - 1];
	assert_int_equal(a->stage, STAGE_AUTH);
	assert_int_equal(a->rounds, 1);
	assert_int_equal(a->reply.code, 235);
	assert_string_equal(a->command, "AUTH LOGIN " REDACTED);
	assert_false(transcript_has(&r, b64));
	assert_false(transcript_has(&r, pw));
	assert_false(transcript_has(&r, "c2Nhbm5lckBleGFtcGxlLmNvbQ=="));
	assert_true(transcript_has(&r, REDACTED));
	/* the scrubber also catches the secret anywhere else, e.g. echoed by a server */
	char *echo = redact_scrub("535 bad password Tr0ub4dor&3 given");
	assert_null(strstr(echo, pw));
	free(echo);
	free(b64);
	smtp_result_free(&r);
	redact_clear();
}

static void data_and_end_of_data(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	q.send = true;
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r);
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250 x\r\n");
	cmd(&s, "MAIL FROM:<a@example.com>\r\n");
	rep(&s, "250 ok\r\n");
	cmd(&s, "RCPT TO:<scan@example.com>\r\n");
	rep(&s, "250 ok\r\n");
	assert_false(s.stop_now); /* --send: no stop */
	cmd(&s, "DATA\r\n");
	rep(&s, "354 go\r\n");
	rep(&s, "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
	assert_int_equal(r.steps[r.nsteps - 1].stage, STAGE_END_OF_DATA);
	assert_int_equal(r.steps[r.nsteps - 1].reply.code, 552);
	assert_int_equal(r.steps[r.nsteps - 2].stage, STAGE_DATA);
	smtp_result_free(&r);
}

/* Runs the rules on a scripted conversation and returns whether finding id is present. */
static const struct finding *finding(struct smtp_result *r, const struct smtp_request *q, const char *id)
{
	smtp_rules_apply(q, r);
	return findings_get(&r->findings, id);
}

static void finding_helo_fallback_and_name(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	q.ehlo = "PRN01";
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r);
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO PRN01\r\n");
	rep(&s, "504 5.5.2 <PRN01>: Helo command rejected: need fully-qualified hostname\r\n");
	cmd(&s, "HELO PRN01\r\n");
	rep(&s, "504 5.5.2 <PRN01>: Helo command rejected: need fully-qualified hostname\r\n");
	session_finish(&s);
	r.ok = false;
	r.failed_stage = STAGE_EHLO;
	assert_true(r.helo_fallback);
	assert_non_null(finding(&r, &q, "ehlo-name-rejected"));
	assert_non_null(findings_get(&r.findings, "helo-fallback"));
	assert_int_equal(r.findings.v[0].sev, SEV_FAIL);
	smtp_result_free(&r);
}

static void finding_size(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	q.size = 10 * 1024 * 1024;
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r);
	r.message_size = 14000000;
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250-x\r\n250 SIZE 5242880\r\n");
	session_finish(&s);
	const struct finding *f = finding(&r, &q, "size-over-limit");
	assert_non_null(f);
	assert_non_null(strstr(f->title, "10 MiB"));
	assert_non_null(strstr(f->title, "5 MiB"));
	smtp_result_free(&r);
}

static void finding_auth_not_offered_and_mechanism(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	q.user = "scanner@example.com";
	q.password = "x";
	q.auth = AUTH_AUTO;
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r);
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250-x\r\n250 STARTTLS\r\n");
	cmd(&s, "MAIL FROM:<a@example.com>\r\n");
	rep(&s, "530 5.7.0 Authentication required\r\n");
	session_finish(&s);
	r.ok = false;
	r.failed_stage = STAGE_MAIL_FROM;
	const struct finding *f = finding(&r, &q, "auth-not-offered");
	assert_non_null(f);
	assert_int_equal(f->sev, SEV_FAIL);
	smtp_result_free(&r);

	/* with the follow-up probe showing AUTH behind STARTTLS, the finding is more precise */
	start(&s, &q, &r);
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250-x\r\n250 STARTTLS\r\n");
	session_finish(&s);
	r.followups = calloc(1, sizeof(*r.followups));
	r.nfollowups = 1;
	r.followups[0].what = strdup("AUTH after STARTTLS");
	r.followups[0].result = strdup("after STARTTLS the server offers AUTH PLAIN LOGIN");
	r.followups[0].positive = true;
	assert_non_null(finding(&r, &q, "auth-after-starttls"));
	assert_null(findings_get(&r.findings, "auth-not-offered"));
	smtp_result_free(&r);

	q.auth = AUTH_CRAM_MD5;
	start(&s, &q, &r);
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250-x\r\n250 AUTH LOGIN XOAUTH2\r\n");
	session_finish(&s);
	f = finding(&r, &q, "auth-no-common-mechanism");
	assert_non_null(f);
	assert_non_null(strstr(f->evidence, "CRAM-MD5"));
	smtp_result_free(&r);
}

static void finding_certificates_and_ports(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	q.tls = TLS_IMPLICIT;
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r);
	r.tls.attempted = true;
	r.tls.have_cert = true;
	r.tls.verify_enforced = true;
	r.tls.days_left = -30;
	r.tls.subject = strdup("/CN=mail.example.com");
	r.tls.issuer = strdup("/CN=Example CA");
	r.tls.name_ok = false;
	r.tls.name_error = strdup("the certificate is not valid for mail.example.com");
	r.tls.chain_error = strdup("certificate has expired (certificate at depth 0)");
	r.followups = calloc(1, sizeof(*r.followups));
	r.nfollowups = 1;
	r.followups[0].what = strdup("plain SMTP / STARTTLS on the same port");
	r.followups[0].result = strdup("the server greeted in plain text: 220 hi");
	r.followups[0].positive = true;
	session_finish(&s);
	smtp_rules_apply(&q, &r);
	assert_non_null(findings_get(&r.findings, "cert-expired"));
	assert_non_null(findings_get(&r.findings, "cert-name-mismatch"));
	assert_null(findings_get(&r.findings, "cert-untrusted")); /* expiry explains the chain error */
	const struct finding *p = findings_get(&r.findings, "port-expects-starttls");
	assert_non_null(p);
	assert_non_null(strstr(p->title, "587"));
	smtp_result_free(&r);
}

static void finding_tls_version(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	q.tls = TLS_STARTTLS;
	q.tls_max = 10;
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r);
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250-x\r\n250 STARTTLS\r\n");
	cmd(&s, "STARTTLS\r\n");
	rep(&s, "220 go ahead\r\n");
	session_tls_start(&s);
	session_tls_done(&s, "TLSv1", "ECDHE-RSA-AES256-SHA");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. "
		"Visit https://aka.ms/smtp_auth_tls. [X]\r\n");
	session_finish(&s);
	r.ok = false;
	r.failed_stage = STAGE_EHLO_AFTER_TLS;
	const struct finding *f = finding(&r, &q, "tls-version-too-old");
	assert_non_null(f);
	assert_non_null(strstr(f->evidence, "TLS 1.0"));
	smtp_result_free(&r);
}

static void finding_transport_and_clear_text(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	struct smtp_result r;
	struct smtp_session s;

	/* DNS failure, refused port */
	start(&s, &q, &r);
	session_finish(&s);
	r.curl_code = 6;
	r.curl_error = strdup("Could not resolve host: mail.example.com");
	r.ok = false;
	r.failed_stage = STAGE_CONNECT;
	assert_non_null(finding(&r, &q, "dns-unresolved"));
	smtp_result_free(&r);
	start(&s, &q, &r);
	session_finish(&s);
	r.curl_code = 7;
	r.ok = false;
	r.failed_stage = STAGE_CONNECT;
	assert_non_null(finding(&r, &q, "connect-failed"));
	smtp_result_free(&r);

	/* no greeting in plain text, but a TLS-first probe was greeted */
	start(&s, &q, &r);
	session_finish(&s);
	r.ok = false;
	r.failed_stage = STAGE_BANNER;
	r.followups = calloc(1, sizeof(*r.followups));
	r.nfollowups = 1;
	r.followups[0].what = strdup("implicit TLS (SSL/TLS) on the same port");
	r.followups[0].result = strdup("TLS handshake completed and the server greeted: 220 x");
	r.followups[0].positive = true;
	const struct finding *f = finding(&r, &q, "port-expects-implicit-tls");
	assert_non_null(f);
	assert_int_equal(f->sev, SEV_FAIL);
	smtp_result_free(&r);

	/* STARTTLS not offered with --tls auto, then a login in clear text, one recipient refused */
	q.tls = TLS_AUTO;
	q.user = "u@example.com";
	q.password = "pw";
	q.auth = AUTH_AUTO;
	static const char *const two[] = {"a@example.com", "b@external.example"};
	q.to = two;
	q.nto = 2;
	start(&s, &q, &r);
	r.tls_used = TLS_NONE;
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250-x\r\n250 AUTH PLAIN\r\n");
	cmd(&s, "AUTH PLAIN AHUAcHc=\r\n");
	rep(&s, "235 2.7.0 ok\r\n");
	cmd(&s, "MAIL FROM:<u@example.com>\r\n");
	rep(&s, "250 ok\r\n");
	cmd(&s, "RCPT TO:<a@example.com>\r\n");
	rep(&s, "250 ok\r\n");
	cmd(&s, "RCPT TO:<b@external.example>\r\n");
	rep(&s, "554 5.7.1 <b@external.example>: Relay access denied\r\n");
	session_finish(&s);
	assert_non_null(finding(&r, &q, "starttls-not-offered"));
	assert_non_null(findings_get(&r.findings, "auth-in-clear"));
	assert_non_null(findings_get(&r.findings, "rcpt-some-refused"));
	smtp_result_free(&r);
}

static void finding_certificate_trust_and_expiry(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	q.tls = TLS_STARTTLS;
	q.insecure = true;
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r);
	session_finish(&s);
	r.tls.attempted = r.tls.established = r.tls.have_cert = true;
	r.tls.verify_enforced = false;
	r.tls.days_left = 10;
	r.tls.name_ok = true;
	r.tls.chain_error = strdup("self-signed certificate (certificate at depth 0)");
	smtp_rules_apply(&q, &r);
	const struct finding *u = findings_get(&r.findings, "cert-untrusted");
	assert_non_null(u);
	assert_int_equal(u->sev, SEV_WARN); /* --insecure: reported, not fatal */
	assert_non_null(strstr(u->title, "--insecure"));
	assert_non_null(findings_get(&r.findings, "cert-expiring"));
	smtp_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stages_and_stop),
		cmocka_unit_test(stop_after_connect_and_tls),
		cmocka_unit_test(auth_is_redacted),
		cmocka_unit_test(data_and_end_of_data),
		cmocka_unit_test(finding_helo_fallback_and_name),
		cmocka_unit_test(finding_size),
		cmocka_unit_test(finding_auth_not_offered_and_mechanism),
		cmocka_unit_test(finding_certificates_and_ports),
		cmocka_unit_test(finding_tls_version),
		cmocka_unit_test(finding_transport_and_clear_text),
		cmocka_unit_test(finding_certificate_trust_and_expiry),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	kb_unload();
	return rc;
}
