/* test_explain.c — the `explain` classifier for every input spelling, provider-first matching
 * with the known collisions (Microsoft 550 5.7.30 vs IANA X.7.30, Gmail 534 5.7.9 vs X.7.9,
 * Microsoft 535 5.7.3), provider wording only in context, the confidence of each claim (no
 * class or stage from a guess), registry fallback, transcript and log parsing, impossible codes,
 * the checklist builder (pure, on inline profiles) and the option tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "core/finding.h"
#include "diagnose/checklist.h"
#include "kb/explain.h"
#include "kb/vendor.h"
#include "report/explain_report.h"


static int setup(void **state)
{
	(void)state;
	unsetenv("MFPDOCTOR_PROFILES");
	return kb_load(NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	kb_vendors_unload();
	kb_unload();
	return 0;
}

/* Explains text and checks the input kind and the first match's kind/vendor code. */
static void expect(const char *text, const char *vendor, enum explain_input kind, const char *mkind,
		   const char *code)
{
	struct explain_opts o = {.vendor = vendor};
	struct explain_result r;
	int rc = explain_text(text, &o, &r);
	if (rc != MFP_EXIT_OK || r.kind != kind || !r.n)
		fail_msg("'%s': rc %d kind %s n %zu", text, rc, explain_input_name(r.kind), r.n);
	assert_string_equal(r.v[0].e.kind, mkind);
	if (code)
		assert_string_equal(r.v[0].code, code);
	explain_result_free(&r);
}

static void vendor_spellings(void **state)
{
	(void)state;
	expect("017-715", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "017-715");
	expect("017715", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "017-715");
	expect("017.715", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "017-715");
	expect("xerox 017-715", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "017-715");
	expect("  XEROX   017715. ", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "017-715");
	expect("#818", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "#818");
	expect("818", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "#818");
	expect("CE-04", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "CE-04");
	expect("CE04", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "CE-04");
	expect("CE-4", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "CE-04");
	expect("E535", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "E535");
	expect("E-535", "oki", EXPLAIN_IN_VENDOR_CODE, "vendor-code", "E535");
	expect("1102", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "1102");
	expect("Error 1102", NULL, EXPLAIN_IN_VENDOR_CODE, "vendor-code", "1102");
	expect("20h", "brother", EXPLAIN_IN_VENDOR_CODE, "vendor-code", "0x20");
}

static void smtp_spellings(void **state)
{
	(void)state;
	expect("5.7.139", NULL, EXPLAIN_IN_ENHANCED, "enhanced-code", NULL);
	expect("535", NULL, EXPLAIN_IN_BASIC, "basic-code", NULL);
	expect("535 5.7.8 Error: authentication failed", NULL, EXPLAIN_IN_REPLY, "smtp-reply", NULL);
	expect("534-5.7.9 Application-specific password required. Learn more at\n534 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor x - gsmtp",
	       NULL, EXPLAIN_IN_REPLY, "smtp-reply", NULL);
	/* 535 alone stays an SMTP code even though OKI has E535; with --vendor oki both are given */
	struct explain_opts o = {.vendor = "oki"};
	struct explain_result r;
	assert_int_equal(explain_text("535", &o, &r), MFP_EXIT_OK);
	assert_int_equal(r.kind, EXPLAIN_IN_BASIC);
	assert_true(r.n == 2 && strcmp(r.v[1].code, "E535") == 0);
	explain_result_free(&r);
}

static void ambiguous_lists_all(void **state)
{
	(void)state;
	struct explain_result r;
	assert_int_equal(explain_text("016-764", NULL, &r), MFP_EXIT_OK);
	assert_true(r.ambiguous);
	assert_true(r.n >= 2);
	explain_result_free(&r);
	struct explain_opts o = {.vendor = "xerox"};
	assert_int_equal(explain_text("016-764", &o, &r), MFP_EXIT_OK);
	assert_false(r.ambiguous);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].e.vendor, "Xerox");
	explain_result_free(&r);
}

/* Explains one reply line; returns a new result the caller frees. */
static void reply(const char *text, struct explain_result *r)
{
	assert_int_equal(explain_text(text, NULL, r), MFP_EXIT_OK);
	assert_int_equal(r->n, 1);
}

static void provider_first(void **state)
{
	(void)state;
	struct explain_result r;
	reply("550 5.7.30 Basic authentication is not supported for Client Submission.", &r);
	assert_non_null(r.v[0].e.provider);
	assert_non_null(strstr(r.v[0].e.provider, "Microsoft"));
	assert_int_equal(r.v[0].e.stage, STAGE_AUTH);
	assert_string_equal(r.v[0].e.title, "m365-5.7.30-basic-auth-not-supported"); /* not IANA REQUIRETLS */
	explain_result_free(&r);
	reply("534-5.7.9 Application-specific password required. Learn more at", &r);
	assert_non_null(strstr(r.v[0].e.provider, "Google"));
	assert_string_equal(r.v[0].e.category, "auth");
	explain_result_free(&r);
	reply("535 5.7.3 Authentication unsuccessful", &r);
	assert_non_null(strstr(r.v[0].e.provider, "Microsoft"));
	assert_string_equal(r.v[0].e.class_name, "permanent");
	explain_result_free(&r);
	/* the service hint (an id) puts that service first: Zoho's 530 is at mail-from */
	struct explain_opts o = {.service = "zoho"};
	assert_int_equal(explain_text("530 Must issue a STARTTLS command first.", &o, &r), MFP_EXIT_OK);
	assert_non_null(strstr(r.v[0].e.provider, "Zoho"));
	assert_int_equal(r.v[0].e.stage, STAGE_MAIL_FROM);
	explain_result_free(&r);
}

static void registry_fallback(void **state)
{
	(void)state;
	struct explain_result r;
	reply("550 5.7.30 REQUIRETLS support required but not offered by this server", &r);
	assert_null(r.v[0].e.provider);
	assert_non_null(r.v[0].e.meaning);
	assert_string_equal(r.v[0].e.enhanced, "5.7.30");
	explain_result_free(&r);
	reply("451 4.3.0 something nobody documents", &r);
	assert_null(r.v[0].e.provider);
	assert_string_equal(r.v[0].e.class_name, "transient");
	assert_true(r.v[0].failure);
	explain_result_free(&r);
	/* enhanced code alone: registry meaning plus every provider's own use of it */
	assert_int_equal(explain_text("5.7.139", NULL, &r), MFP_EXIT_OK);
	assert_true(r.v[0].provider_uses.n >= 1);
	explain_result_free(&r);
}

static void nonsense(void **state)
{
	(void)state;
	static const char *const bad[] = {"", "   ", "650", "650 5.7.1 no such class", "6.5.1", "199", "xyzzy plugh",
					  "\x01\x02\x03", "99999999999999999999"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct explain_result r;
		int rc = explain_text(bad[i], NULL, &r);
		if (rc != MFP_EXIT_UNKNOWN || r.n || !r.notes.n)
			fail_msg("'%s' gave rc %d n %zu", bad[i], rc, r.n);
		explain_result_free(&r);
	}
	struct explain_result r;
	explain_text("650", NULL, &r);
	assert_non_null(strstr(r.notes.v[0], "no 6xx class"));
	explain_result_free(&r);
}

static void transcript(void **state)
{
	(void)state;
	const char *t = "=== Trying smtp.office365.com:587...\n"
			"<-  220 x.outlook.office365.com Microsoft ESMTP MAIL Service ready\n"
			" -> EHLO scanner\n"
			"<-  250-x Hello\n<-  250 STARTTLS\n"
			" -> STARTTLS\n<-  220 2.0.0 SMTP server ready\n"
			" ~> EHLO scanner\n<~  250 AUTH LOGIN\n"
			" ~> AUTH LOGIN\n<~  334 VXNlcm5hbWU6\n ~> dXNlcg==\n<~  334 UGFzc3dvcmQ6\n ~> cGFzcw==\n"
			"<~* 535 5.7.3 Authentication unsuccessful [x.prod.outlook.com]\n"
			" ~> QUIT\n<~  221 2.0.0 Service closing transmission channel\n";
	struct explain_result r;
	assert_int_equal(explain_text(t, NULL, &r), MFP_EXIT_OK);
	assert_int_equal(r.kind, EXPLAIN_IN_TRANSCRIPT);
	assert_int_equal(r.n, 8);
	assert_int_equal(r.v[0].observed, STAGE_BANNER);
	assert_int_equal(r.v[3].observed, STAGE_EHLO_AFTER_TLS);
	assert_int_equal(r.first_failure, 6);
	assert_int_equal(r.v[6].line, 15);
	assert_int_equal(r.v[6].e.stage, STAGE_AUTH);
	assert_non_null(strstr(r.v[6].e.provider, "Microsoft"));
	explain_result_free(&r);

	const char *c = "* Connected to smtp.gmail.com (1.2.3.4) port 587\n< 220 smtp.gmail.com ESMTP - gsmtp\n"
			"> MAIL FROM:<a@b>\n< 530-5.7.0 Must issue a STARTTLS command first. For more information\n"
			"< 530 5.7.0 go to About SMTP error messages - gsmtp\n";
	assert_int_equal(explain_text(c, NULL, &r), MFP_EXIT_OK);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.first_failure, 1);
	assert_non_null(strstr(r.v[1].e.provider, "Google"));
	assert_int_equal(r.v[1].observed, STAGE_MAIL_FROM);
	explain_result_free(&r);

	const char *pf = "Jan 1 00:00:00 mx postfix/smtpd[9]: NOQUEUE: reject: RCPT from unknown[192.0.2.10]: 554 5.7.1 "
			 "<u@example.com>: Relay access denied; from=<s@example.com> to=<u@example.com> proto=ESMTP";
	assert_int_equal(explain_text(pf, NULL, &r), MFP_EXIT_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].e.stage, STAGE_RCPT_TO);
	assert_string_equal(r.v[0].e.matched, "554 5.7.1 <u@example.com>: Relay access denied");
	explain_result_free(&r);

	const char *said = "status=deferred (host h[192.0.2.1] said: 535 5.7.8 Error: authentication failed: "
			   "authentication failure (in reply to AUTH command))";
	assert_int_equal(explain_text(said, NULL, &r), MFP_EXIT_OK);
	assert_int_equal(r.v[0].observed, STAGE_AUTH);
	assert_int_equal(r.v[0].e.code, 535);
	explain_result_free(&r);

	const char *job = "2024-05-02 10:14 Scan to E-mail Failed #818 (job 12)";
	assert_int_equal(explain_text(job, NULL, &r), MFP_EXIT_OK);
	assert_string_equal(r.v[0].code, "#818");
	explain_result_free(&r);
}

static void json_shape(void **state)
{
	(void)state;
	struct explain_result r;
	explain_text("017-715", NULL, &r);
	json_t *j = explain_report_json(&r);
	json_t *m = json_array_get(json_object_get(j, "matches"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "kind")), "vendor-code");
	assert_string_equal(json_string_value(json_object_get(m, "confidence")), "unverified");
	assert_non_null(json_string_value(json_object_get(m, "reveal")));
	assert_null(json_object_get(m, "provider"));
	assert_true(json_is_object(json_object_get(j, "first_failure")));
	json_decref(j);
	explain_result_free(&r);
}

/* Each claim has its own confidence; an unverified stage or reply never becomes the stage or a class. */
static void claim_confidence(void **state)
{
	(void)state;
	struct explain_opts o = {.vendor = "xerox"};
	struct explain_result r;
	assert_int_equal(explain_text("016-767", &o, &r), MFP_EXIT_OK);
	const struct kb_explanation *e = &r.v[0].e;
	assert_string_equal(e->confidence, "unverified");
	assert_string_equal(e->stage_confidence, "unverified");
	assert_string_equal(e->reply_confidence, "unverified");
	assert_null(e->class_name);               /* replies 550 5.1.1 ... are a guess: no permanent class */
	assert_int_equal(e->stage, STAGE_UNKNOWN); /* what diagnose reads */
	assert_int_equal(e->stage_guess, STAGE_RCPT_TO);
	assert_true(r.v[0].replies.n > 0);
	json_t *j = explain_report_json(&r);
	json_t *m = json_array_get(json_object_get(j, "matches"), 0);
	assert_true(json_is_null(json_object_get(m, "class")));
	assert_string_equal(json_string_value(json_object_get(m, "stage")), "unknown");
	assert_string_equal(json_string_value(json_object_get(m, "stage_guess")), "rcpt-to");
	assert_string_equal(json_string_value(json_object_get(m, "reply_confidence")), "unverified");
	json_decref(j);
	struct kb_explanation copy; /* what diagnose keeps of an event's explanation */
	kb_explanation_copy(&copy, e);
	assert_int_equal(copy.stage, STAGE_UNKNOWN);
	assert_int_equal(copy.stage_guess, STAGE_RCPT_TO);
	assert_string_equal(copy.stage_confidence, "unverified");
	assert_null(copy.class_name);
	kb_explanation_free(&copy);
	explain_result_free(&r);

	/* sourced meaning, sourced stage, replies inferred from the RFC: a class, but as "likely" */
	struct explain_opts b = {.vendor = "brother"};
	assert_int_equal(explain_text("0x54", &b, &r), MFP_EXIT_OK);
	e = &r.v[0].e;
	assert_string_equal(e->confidence, "sourced");
	assert_string_equal(e->stage_confidence, "sourced");
	assert_string_equal(e->reply_confidence, "inferred");
	assert_int_equal(e->stage, STAGE_AUTH);
	assert_string_equal(e->class_name, "permanent");
	explain_result_free(&r);

	/* a stored-setting check: no SMTP stage, no server reply, no class */
	assert_int_equal(explain_text("0x21", &b, &r), MFP_EXIT_OK);
	assert_int_equal(r.v[0].e.stage, STAGE_DEVICE);
	assert_null(r.v[0].e.class_name);
	assert_int_equal(r.v[0].replies.n, 0);
	explain_result_free(&r);

	/* a 16-bit value: both bytes; the low-byte test states decode; "busy" is not a failure */
	assert_int_equal(explain_text("0x5460", &b, &r), MFP_EXIT_OK);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].code, "0x54");
	assert_string_equal(r.v[1].code, "0x60");
	explain_result_free(&r);
	assert_int_equal(explain_text("0x0001", &b, &r), MFP_EXIT_OK);
	assert_string_equal(r.v[0].code, "0x01");
	assert_false(r.v[0].failure);
	explain_result_free(&r);
	assert_int_equal(explain_text("0x0300", &b, &r), MFP_EXIT_UNKNOWN); /* 0x03 never is a sending result */
	explain_result_free(&r);
}

/* The reader downgrades claims a profile states badly (a site overlay, a hand edit). */
static void claim_reader_defaults(void **state)
{
	(void)state;
	json_error_t err;
	json_t *e = json_loads("{\"code\":\"A1\",\"confidence\":\"inferred\",\"stage\":\"auth\",\"stage_confidence\":\"sourced\","
			       "\"replies\":[\"535 5.7.8\"]}", 0, &err);
	assert_non_null(e);
	assert_string_equal(kb_vendor_claim(e, "meaning"), "inferred");
	assert_string_equal(kb_vendor_claim(e, "stage"), "inferred");  /* capped at the meaning */
	assert_string_equal(kb_vendor_claim(e, "reply"), "unverified"); /* missing: a guess */
	struct kb_vendor v = {.id = "acme", .name = "Acme", .json = NULL};
	struct kb_vendor_hit h = {.vendor = &v, .entry = e};
	struct kb_explanation x;
	kb_vendor_explain(&h, &x);
	assert_int_equal(x.stage, STAGE_AUTH);
	assert_null(x.class_name);
	assert_string_equal(x.reply_confidence, "unverified");
	kb_explanation_free(&x);
	struct strlist problems = {0};
	assert_true(kb_vendor_validate(e, "test", &problems) > 0);
	strlist_free(&problems);
	json_decref(e);
}

/* Provider wording applies only in context: generic text from an unknown server gets the
 * registry meaning; the same text with the provider's marker, or with the service, gets its. */
static void provider_in_context(void **state)
{
	(void)state;
	struct explain_result r;
	reply("530 5.7.0 Authentication Required", &r);
	assert_null(r.v[0].e.provider);
	assert_string_equal(r.v[0].e.class_name, "permanent");
	assert_null(strstr(r.v[0].e.meaning, "Google"));
	assert_null(strstr(r.v[0].e.fix ? r.v[0].e.fix : "", "Workspace"));
	explain_result_free(&r);
	reply("530 5.7.0 Authentication Required - gsmtp", &r);
	assert_non_null(strstr(r.v[0].e.provider, "Google"));
	assert_string_equal(r.v[0].e.provider_basis, "reply text");
	explain_result_free(&r);
	struct explain_opts o = {.service = "google"};
	assert_int_equal(explain_text("530 5.7.0 Authentication Required", &o, &r), MFP_EXIT_OK);
	assert_non_null(strstr(r.v[0].e.provider, "Google"));
	assert_string_equal(r.v[0].e.provider_basis, "service");
	explain_result_free(&r);
	/* a generic banner in a transcript is no service hint */
	const char *t = "< 220 mail.sim.test ESMTP\n> MAIL FROM:<a@b.test>\n< 530 5.7.0 Authentication Required\n";
	assert_int_equal(explain_text(t, NULL, &r), MFP_EXIT_OK);
	assert_null(r.v[1].e.provider);
	assert_int_equal(r.v[1].e.stage, STAGE_MAIL_FROM);
	explain_result_free(&r);
	/* the kb API itself, as smtp/ and diagnose/ call it */
	struct kb_explanation x;
	kb_explain_reply("530 5.7.0 Authentication Required", 530, "5.7.0", "220 mail.sim.test ESMTP", &x);
	assert_null(x.provider);
	kb_explanation_free(&x);
	kb_explain_reply("530 5.7.0 Authentication Required", 530, "5.7.0", "smtp.gmail.com", &x);
	assert_non_null(x.provider);
	kb_explanation_free(&x);
}

static void checklist_pure(void **state)
{
	(void)state;
	json_error_t e;
	json_t *v = json_loads("{\"id\":\"acme\",\"vendor\":\"Acme\",\"families\":[{\"id\":\"old\",\"name\":\"Old\",\"tls_max\":\"1.0\"}],"
			       "\"checklist\":[{\"setting\":\"smtp_host\",\"where\":\"Web > E-mail\",\"label\":\"Server\",\"families\":[\"*\"],"
			       "\"sources\":[\"https://example.com/m\"]},{\"setting\":\"tls_version\",\"where\":\"Web > TLS\",\"label\":\"TLS\","
			       "\"families\":[\"old\"],\"confidence\":\"unverified\"}]}", 0, &e);
	json_t *s = json_loads("{\"id\":\"svc\",\"name\":\"Svc\",\"settings\":{\"host\":\"smtp.example.com\",\"port\":587,"
			       "\"security\":\"starttls\",\"tls_min\":\"1.2\",\"auth\":\"required\",\"mechanisms\":[\"LOGIN\"],"
			       "\"max_size_bytes\":10485760,\"name_not_ip\":true,\"notes\":[\"n1\"]},"
			       "\"deprecations\":[{\"id\":\"d\",\"what\":\"w\",\"date\":\"2020-01-01\",\"detail\":\"x\",\"sources\":[\"s\"]}],"
			       "\"checklist\":[{\"id\":\"c1\",\"title\":\"T\",\"where\":\"Admin\",\"value\":\"on\",\"why\":\"because\",\"sources\":[\"s\"]}]}",
			       0, &e);
	assert_non_null(v);
	assert_non_null(s);
	struct checklist c;
	checklist_build(v, json_array_get(json_object_get(v, "families"), 0), s, "2024-06-01", &c);
	const struct checklist_item *host = NULL, *tls = NULL, *svc = NULL, *size = NULL;
	for (size_t i = 0; i < c.n; i++) {
		if (strcmp(c.v[i].setting, "smtp_host") == 0)
			host = &c.v[i];
		if (strcmp(c.v[i].setting, "tls_version") == 0)
			tls = &c.v[i];
		if (strcmp(c.v[i].setting, "max_size") == 0)
			size = &c.v[i];
		if (strcmp(c.v[i].side, "service") == 0)
			svc = &c.v[i];
	}
	assert_non_null(host);
	assert_string_equal(host->where, "Web > E-mail");
	assert_non_null(strstr(host->expected, "smtp.example.com"));
	assert_int_equal(host->status, CHECK_UNKNOWN);
	assert_null(host->observed);
	assert_non_null(tls);
	assert_int_equal(tls->status, CHECK_FAIL);
	assert_non_null(size);
	assert_null(size->where);
	assert_non_null(strstr(size->expected, "10485760"));
	assert_non_null(svc);
	assert_string_equal(svc->expected, "on");
	assert_int_equal(c.nd, 1);
	assert_true(c.d[0].past);
	checklist_free(&c);
	json_decref(v);
	json_decref(s);
}

static void option_tables(void **state)
{
	(void)state;
	char err[256];
	const struct cli_cmd *c = cli_find_command("explain");
	assert_non_null(c);
	assert_int_equal(cli_table_check(c->opts, c->nopts, err, sizeof(err)), 0);
	c = cli_find_command("checklist");
	assert_non_null(c);
	assert_int_equal(cli_table_check(c->opts, c->nopts, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vendor_spellings), cmocka_unit_test(smtp_spellings),
		cmocka_unit_test(ambiguous_lists_all), cmocka_unit_test(provider_first),
		cmocka_unit_test(registry_fallback), cmocka_unit_test(nonsense),
		cmocka_unit_test(transcript), cmocka_unit_test(json_shape),
		cmocka_unit_test(claim_confidence), cmocka_unit_test(claim_reader_defaults),
		cmocka_unit_test(provider_in_context),
		cmocka_unit_test(checklist_pure), cmocka_unit_test(option_tables),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
