/* test_smtp_hostile.c — the session and rules against a hostile or slow server, by scripted
 * events (no network): the per-step limit and the budget (session_tick), the stage that was
 * waiting, reply and transcript caps, secrets echoed by the server, and the findings that name
 * the cause (final 334, mixed codes, silent server, budget = not tested, exit 3). */
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
				 .stop_after = STAGE_RCPT_TO, .size = 1024, .timeout_ms = 3000};
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

static void start(struct smtp_session *s, const struct smtp_request *q, struct smtp_result *r, bool implicit)
{
	memset(r, 0, sizeof(*r));
	r->host = strdup(q->server);
	r->port_used = q->port;
	r->failed_stage = STAGE_LAST;
	r->ok = true;
	session_init(s, q, r, implicit);
	session_tcp_connected(s);
}

/* The limit runs from the last sign of life: each reply line restarts it. */
static void step_limit_from_last_line(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r, false);
	assert_int_equal(session_pending_stage(&s, false), STAGE_BANNER);
	assert_int_equal(session_tick(&s, s.last_activity + 2999), 0);
	rep(&s, "220 slow but alive\r\n");
	cmd(&s, "EHLO x.example\r\n");
	double t = s.last_activity;
	assert_int_equal(session_tick(&s, t + 2500), 0);
	rep(&s, "250-x\r\n"); /* a line 2.5 s later: the wait starts again */
	assert_int_equal(session_tick(&s, s.last_activity + 2999), 0);
	assert_int_equal(session_pending_stage(&s, false), STAGE_EHLO);
	assert_int_equal(session_tick(&s, s.last_activity + 3000), 1);
	assert_true(r.step_timeout);
	assert_false(r.budget_exhausted);
	assert_int_equal(r.cut_stage, STAGE_EHLO);
	assert_int_equal(session_tick(&s, 0), 1); /* stays cut */
	session_finish(&s);
	smtp_result_free(&r);
}

/* Implicit TLS up, no greeting: the banner is what is waiting, not the handshake. */
static void pending_after_implicit_tls(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	q.tls = TLS_IMPLICIT;
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r, true);
	assert_int_equal(session_pending_stage(&s, false), STAGE_TLS_HANDSHAKE);
	session_tls_start(&s);
	assert_int_equal(session_pending_stage(&s, false), STAGE_TLS_HANDSHAKE);
	session_tls_done(&s, "TLSv1.3", "TLS_AES_128_GCM_SHA256");
	assert_int_equal(session_pending_stage(&s, false), STAGE_BANNER);
	assert_int_equal(session_tick(&s, s.last_activity + 3000), 1);
	assert_int_equal(r.cut_stage, STAGE_BANNER);
	smtp_result_free(&r);

	/* a STARTTLS answered with 220: the handshake is next */
	q.tls = TLS_STARTTLS;
	start(&s, &q, &r, false);
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250-x\r\n250 STARTTLS\r\n");
	cmd(&s, "STARTTLS\r\n");
	assert_int_equal(session_pending_stage(&s, false), STAGE_STARTTLS);
	rep(&s, "220 go ahead\r\n");
	assert_int_equal(session_pending_stage(&s, false), STAGE_TLS_HANDSHAKE);
	/* QUIT after a failure is passed over when asking what failed */
	cmd(&s, "QUIT\r\n");
	assert_int_equal(session_pending_stage(&s, false), STAGE_QUIT);
	assert_int_equal(session_pending_stage(&s, true), STAGE_TLS_HANDSHAKE);
	smtp_result_free(&r);
}

/* The budget ends before the step limit: not tested, exit 3 whatever else was found. */
static void budget_is_not_tested(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r, false);
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	session_set_deadline(&s, s.last_activity + 1000);
	assert_int_equal(session_tick(&s, s.last_activity + 999), 0);
	assert_int_equal(session_tick(&s, s.last_activity + 1500), 1);
	assert_true(r.budget_exhausted);
	assert_false(r.step_timeout);
	assert_int_equal(r.cut_stage, STAGE_EHLO);
	session_finish(&s);
	r.ok = false;
	r.failed_stage = STAGE_EHLO;
	r.error = strdup("not tested: the run's time budget ran out during ehlo");
	smtp_rules_apply(&q, &r);
	const struct finding *f = findings_get(&r.findings, "smtp-not-tested");
	assert_non_null(f);
	assert_non_null(strstr(f->title, "Not tested"));
	assert_null(findings_get(&r.findings, "smtp-failed"));
	findings_add(&r.findings, "x", SEV_FAIL, "t", "e", "f", NULL);
	assert_int_equal(smtp_result_exit(&r), MFP_EXIT_UNKNOWN); /* never CRITICAL */
	r.budget_exhausted = false;
	assert_int_equal(smtp_result_exit(&r), MFP_EXIT_CRITICAL);
	smtp_result_free(&r);
}

/* A server that echoes the password or the PLAIN blob: no stored reply line shows it. */
static void echoed_secrets_scrubbed(void **state)
{
	(void)state;
	const char *pw = "Corr3ct-Horse!";
	redact_add_credential("scanner@example.com", pw);
	char *blob = NULL;
	{
		char raw[128];
		int n = snprintf(raw, sizeof(raw), "%c%s%c%s", 0, "scanner@example.com", 0, pw);
		blob = redact_base64(raw, n);
	}
	struct smtp_request q = base_req();
	q.user = "scanner@example.com";
	q.password = pw;
	q.auth = AUTH_PLAIN;
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r, false);
	char line[300];
	snprintf(line, sizeof(line), "220 hi %s\r\n", pw);
	rep(&s, line);
	cmd(&s, "EHLO x.example\r\n");
	snprintf(line, sizeof(line), "250-x\r\n250-X-ECHO %s\r\n250 AUTH PLAIN\r\n", blob);
	rep(&s, line);
	snprintf(line, sizeof(line), "AUTH PLAIN %s\r\n", blob);
	cmd(&s, line);
	snprintf(line, sizeof(line), "535 5.7.8 bad password %s for %s\r\n", pw, blob);
	rep(&s, line);
	session_finish(&s);
	r.ok = false;
	r.failed_stage = STAGE_AUTH;
	smtp_reply_copy(&r.fail_reply, &r.steps[r.nsteps - 1].reply);
	smtp_rules_apply(&q, &r);
	for (size_t i = 0; i < r.nsteps; i++) {
		assert_null(strstr(buf_str(&r.steps[i].reply.lines), pw));
		assert_null(strstr(buf_str(&r.steps[i].reply.lines), blob));
		if (r.steps[i].command)
			assert_null(strstr(r.steps[i].command, blob));
	}
	for (size_t i = 0; i < r.caps_before.keywords.n; i++)
		assert_null(strstr(r.caps_before.keywords.v[i], blob));
	for (size_t i = 0; i < r.findings.n; i++) {
		assert_null(strstr(r.findings.v[i].title, pw));
		assert_null(strstr(r.findings.v[i].evidence, pw));
		assert_null(strstr(r.findings.v[i].evidence, blob));
	}
	for (size_t i = 0; i < r.transcript.n; i++)
		assert_null(strstr(r.transcript.v[i], pw));
	assert_non_null(strstr(buf_str(&r.fail_reply.lines), REDACTED));
	free(blob);
	smtp_result_free(&r);
	redact_clear();
}

/* Caps: lines per reply, bytes per line, transcript lines, one reply's bytes. */
static void caps_on_replies_and_transcript(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r, false);
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	for (int i = 0; i < 3000; i++)
		rep(&s, "250-X\r\n");
	rep(&s, "250 AUTH PLAIN\r\n");
	const struct smtp_step *e = &r.steps[r.nsteps - 1];
	assert_int_equal(e->reply.nlines, SMTP_REPLY_MAX_LINES);
	assert_int_equal(e->reply.total_lines, 3001);
	char *note = smtp_reply_cut_note(&e->reply);
	assert_string_equal(note, "reply cut at 100 lines (2901 more not kept)");
	free(note);
	assert_true(r.caps_before.cut);
	assert_false(s.cut);
	/* unsolicited replies: each is a step, up to SESSION_MAX_STEPS, then transcript only */
	for (int i = 0; i < 500; i++)
		rep(&s, "421 go away\r\n");
	assert_int_equal(r.nsteps, SESSION_MAX_STEPS);
	assert_false(s.cut);
	/* a reply of more than SESSION_MAX_REPLY_BYTES ends the test */
	cmd(&s, "MAIL FROM:<a@example.com>\r\n");
	char big[1200];
	memset(big, 'A', sizeof(big));
	memcpy(big, "250-", 4);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 200 && !s.cut; i++)
		rep(&s, big);
	assert_true(s.cut);
	assert_true(r.reply_too_large);
	assert_int_equal(r.cut_stage, STAGE_MAIL_FROM);
	const struct smtp_step *m = &r.steps[r.nsteps - 1];
	assert_true(m->reply.line_cut);
	assert_true(strlen(buf_str(&m->reply.lines)) < SMTP_REPLY_MAX_LINES * (SMTP_REPLY_MAX_LINE + 8));
	assert_int_equal(session_tick(&s, s.last_activity), 1);
	session_finish(&s);
	assert_true(r.transcript.n <= SESSION_MAX_TRANSCRIPT_LINES + 1);
	assert_true(r.transcript_dropped > 0);
	assert_non_null(strstr(r.transcript.v[r.transcript.n - 1], "transcript cut at"));
	smtp_result_free(&r);
}

static const struct finding *fail_finding(struct smtp_result *r, const struct smtp_request *q)
{
	smtp_rules_apply(q, r);
	const struct finding *f = findings_get(&r->findings, "smtp-failed");
	if (!f)
		f = findings_get(&r->findings, "smtp-refused");
	if (!f)
		f = findings_get(&r->findings, "auth-challenge-loop");
	return f;
}

/* A final 334 at AUTH is not "a temporary failure"; a silent server gets a real fix text. */
static void causes_named(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	q.user = "u@example.com";
	q.password = "pw-pw-pw";
	q.auth = AUTH_PLAIN;
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r, false);
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250 AUTH PLAIN\r\n");
	cmd(&s, "AUTH PLAIN AHVAZXhhbXBsZS5jb20AcHctcHctcHc=\r\n");
	rep(&s, "334 \r\n");
	session_finish(&s);
	r.ok = false;
	r.failed_stage = STAGE_AUTH;
	smtp_reply_copy(&r.fail_reply, &r.steps[r.nsteps - 1].reply);
	const struct finding *f = fail_finding(&r, &q);
	assert_non_null(f);
	assert_string_equal(f->id, "auth-challenge-loop");
	assert_null(strstr(f->fix, "temporary"));
	smtp_result_free(&r);

	/* connected, never greeted */
	q = base_req();
	start(&s, &q, &r, false);
	session_finish(&s);
	r.ok = false;
	r.failed_stage = STAGE_BANNER;
	r.step_timeout = true;
	r.cut_stage = STAGE_BANNER;
	r.error = strdup("connected, but the server sent no greeting (220) within 3 s");
	f = fail_finding(&r, &q);
	assert_non_null(f);
	assert_null(strstr(f->fix, "other findings"));
	assert_non_null(strstr(f->fix, "proxy"));
	assert_non_null(strstr(f->fix, "tarpit"));
	assert_non_null(strstr(f->fix, "another service"));
	smtp_result_free(&r);

	/* no stage falls through to "see the other findings" */
	for (int st = STAGE_CONNECT; st < STAGE_LAST; st++) {
		start(&s, &q, &r, false);
		session_finish(&s);
		r.ok = false;
		r.failed_stage = (enum stage)st;
		f = fail_finding(&r, &q);
		assert_non_null(f);
		assert_null(strstr(f->fix, "other findings"));
		smtp_result_free(&r);
	}
}

/* Mixed codes: the final line decides, and the reply is flagged. */
static void mixed_codes(void **state)
{
	(void)state;
	struct smtp_request q = base_req();
	struct smtp_result r;
	struct smtp_session s;
	start(&s, &q, &r, false);
	rep(&s, "220 hi\r\n");
	cmd(&s, "EHLO x.example\r\n");
	rep(&s, "250 x\r\n");
	cmd(&s, "MAIL FROM:<a@example.com>\r\n");
	rep(&s, "550-5.7.1 blocked\r\n250 2.1.0 ok\r\n");
	cmd(&s, "RCPT TO:<scan@example.com>\r\n");
	rep(&s, "250 ok\r\n");
	session_finish(&s);
	const struct smtp_step *m = smtp_result_step(&r, STAGE_MAIL_FROM);
	assert_int_equal(m->reply.code, 250);
	assert_true(m->reply.mixed_codes);
	smtp_rules_apply(&q, &r);
	const struct finding *f = findings_get(&r.findings, "reply-mixed-codes");
	assert_non_null(f);
	assert_int_equal(f->sev, SEV_WARN);
	assert_int_equal(smtp_result_exit(&r), MFP_EXIT_WARNING);
	smtp_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(step_limit_from_last_line),
		cmocka_unit_test(pending_after_implicit_tls),
		cmocka_unit_test(budget_is_not_tested),
		cmocka_unit_test(echoed_secrets_scrubbed),
		cmocka_unit_test(caps_on_replies_and_transcript),
		cmocka_unit_test(causes_named),
		cmocka_unit_test(mixed_codes),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	kb_unload();
	return rc;
}
