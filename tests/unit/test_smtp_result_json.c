/* tests/unit/test_smtp_result_json.c — smtp/result_json.c: real test sends against the sim's
 * personas (a delivery-ready submission server, refused logins, a multi-line refusal, a bad
 * certificate, a server that never greets, a greeting refusal, a HELO-only server) survive the
 * JSON round trip field for field, and give the same report once the rules ran; malformed
 * input is refused with a message naming the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "report/smtp_report.h"
#include "sim_world.h"
#include "smtp/result_json.h"

static struct sim_world world;

static int setup(void **state)
{
	(void)state;
	static const char *const args[] = {"--persona", "submission", "--persona", "m365-auth-disabled", "--persona",
					   "gmail-app-password", "--persona", "expired-cert", "--persona", "silent",
					   "--persona", "banner-reject", "--persona", "no-ehlo", "--persona", "implicit",
					   NULL};
	return sim_world_start(&world, "result-json", args);
}

static int teardown(void **state)
{
	(void)state;
	sim_world_stop(&world);
	return 0;
}

static void same_reply(const struct smtp_reply *a, const struct smtp_reply *b)
{
	assert_int_equal(a->code, b->code);
	assert_string_equal(a->enhanced, b->enhanced);
	assert_string_equal(buf_str(&a->lines), buf_str(&b->lines));
	assert_int_equal(a->nlines, b->nlines);
	assert_int_equal(a->total_lines, b->total_lines);
	assert_int_equal(a->first_code, b->first_code);
	assert_int_equal(a->complete, b->complete);
	assert_int_equal(a->malformed, b->malformed);
	assert_int_equal(a->mixed_codes, b->mixed_codes);
	assert_int_equal(a->line_cut, b->line_cut);
}

static void same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void same_list(const struct strlist *a, const struct strlist *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
}

static void same_caps(const struct smtp_caps *a, const struct smtp_caps *b)
{
	assert_int_equal(a->seen, b->seen);
	assert_int_equal(a->size_present, b->size_present);
	assert_int_equal(a->size, b->size);
	assert_int_equal(a->starttls + 2 * a->pipelining + 4 * a->eightbitmime + 8 * a->smtputf8 + 16 * a->dsn +
				 32 * a->chunking + 64 * a->enhancedstatuscodes,
			 b->starttls + 2 * b->pipelining + 4 * b->eightbitmime + 8 * b->smtputf8 + 16 * b->dsn +
				 32 * b->chunking + 64 * b->enhancedstatuscodes);
	same_list(&a->auth, &b->auth);
	same_list(&a->keywords, &b->keywords);
	same_str(a->greeting, b->greeting);
	assert_int_equal(a->cut, b->cut);
}

static void same_tls(const struct tls_facts *a, const struct tls_facts *b)
{
	assert_int_equal(a->attempted, b->attempted);
	assert_int_equal(a->established, b->established);
	assert_string_equal(a->version, b->version);
	assert_string_equal(a->cipher, b->cipher);
	same_str(a->subject, b->subject);
	same_str(a->issuer, b->issuer);
	same_list(&a->sans, &b->sans);
	assert_string_equal(a->not_after, b->not_after);
	assert_int_equal(a->days_left, b->days_left);
	assert_string_equal(a->sha256, b->sha256);
	assert_int_equal(a->have_cert, b->have_cert);
	assert_int_equal(a->chain_ok, b->chain_ok);
	same_str(a->chain_error, b->chain_error);
	assert_int_equal(a->name_ok, b->name_ok);
	same_str(a->name_error, b->name_error);
	assert_int_equal(a->verify_enforced, b->verify_enforced);
	same_str(a->alert, b->alert);
}

/* Every field of struct smtp_result (smtp/smtp.h) but the rules' output. */
static void same_result(const struct smtp_result *a, const struct smtp_result *b)
{
	assert_int_equal(a->nsteps, b->nsteps);
	for (size_t i = 0; i < a->nsteps; i++) {
		const struct smtp_step *x = &a->steps[i], *y = &b->steps[i];
		assert_int_equal(x->stage, y->stage);
		assert_int_equal(x->index, y->index);
		same_str(x->command, y->command);
		same_reply(&x->reply, &y->reply);
		assert_int_equal(x->rounds, y->rounds);
		assert_true(x->elapsed_ms == y->elapsed_ms);
		assert_int_equal(x->done, y->done);
		same_str(x->detail, y->detail);
	}
	same_caps(&a->caps_before, &b->caps_before);
	same_caps(&a->caps_after, &b->caps_after);
	same_tls(&a->tls, &b->tls);
	assert_int_equal(a->tls_used, b->tls_used);
	assert_int_equal(a->port_used, b->port_used);
	same_str(a->host, b->host);
	same_str(a->ip, b->ip);
	assert_int_equal(a->ok, b->ok);
	assert_int_equal(a->completed, b->completed);
	assert_int_equal(a->failed_stage, b->failed_stage);
	same_reply(&a->fail_reply, &b->fail_reply);
	same_str(a->error, b->error);
	assert_int_equal(a->budget_exhausted, b->budget_exhausted);
	assert_int_equal(a->step_timeout, b->step_timeout);
	assert_int_equal(a->reply_too_large, b->reply_too_large);
	assert_int_equal(a->reply_bytes, b->reply_bytes);
	assert_int_equal(a->cut_stage, b->cut_stage);
	assert_true(a->cut_wait_ms == b->cut_wait_ms);
	assert_int_equal(a->transcript_dropped, b->transcript_dropped);
	assert_int_equal(a->curl_code, b->curl_code);
	same_str(a->curl_error, b->curl_error);
	assert_int_equal(a->delivered, b->delivered);
	assert_int_equal(a->helo_fallback, b->helo_fallback);
	assert_int_equal(a->auth_attempted, b->auth_attempted);
	assert_int_equal(a->message_size, b->message_size);
	assert_true(a->total_ms == b->total_ms);
	same_list(&a->transcript, &b->transcript);
	assert_int_equal(a->nfollowups, b->nfollowups);
	for (size_t i = 0; i < a->nfollowups; i++) {
		same_str(a->followups[i].what, b->followups[i].what);
		same_str(a->followups[i].result, b->followups[i].result);
		assert_int_equal(a->followups[i].positive, b->followups[i].positive);
	}
}

/* A test send against persona, its round trip, and the reports after the rules. */
static void round_trip(const char *persona, enum tls_mode tls, long timeout_ms, bool check_ok)
{
	const char *to[] = {"inbox@sim.test"};
	struct smtp_request req = {.server = "127.0.0.1", .port = sim_persona_port(&world, persona), .tls = tls,
				   .auth = AUTH_AUTO, .user = sim_str(&world, "user"), .password = sim_str(&world, "password"),
				   .from = sim_str(&world, "user"), .to = to, .nto = 1, .ehlo = "mfp.sim.test",
				   .stop_after = STAGE_RCPT_TO, .size = 1000, .timeout_ms = timeout_ms, .budget_ms = 20000,
				   .cafile = sim_str(&world, "ca"), .followups = true};
	struct smtp_result a = {0}, b = {0};
	assert_int_equal(smtp_probe(&req, &a), 0);
	if (check_ok)
		assert_true(a.ok);
	assert_true(a.nsteps > 0);
	json_t *j = smtp_result_to_json(&a);
	char *text = json_dumps(j, JSON_COMPACT);
	json_t *back = json_loads(text, 0, NULL); /* through text, as between processes */
	char err[300] = "";
	assert_int_equal(smtp_result_from_json(back, &b, err, sizeof(err)), 0);
	same_result(&a, &b);
	json_t *j2 = smtp_result_to_json(&b);
	assert_true(json_equal(j, j2));
	smtp_rules_apply(&req, &a);
	smtp_rules_apply(&req, &b);
	assert_true(a.findings.n > 0 || a.ok);
	json_t *ra = smtp_report_json(&req, &a), *rb = smtp_report_json(&req, &b);
	assert_true(json_equal(ra, rb));
	json_decref(ra);
	json_decref(rb);
	json_decref(j);
	json_decref(j2);
	json_decref(back);
	free(text);
	smtp_result_free(&a);
	smtp_result_free(&b);
}

static void submission_ok(void **s) { (void)s; round_trip("submission", TLS_STARTTLS, 5000, true); }
static void implicit_ok(void **s) { (void)s; round_trip("implicit", TLS_IMPLICIT, 5000, true); }
static void auth_refused(void **s) { (void)s; round_trip("m365-auth-disabled", TLS_STARTTLS, 5000, false); }
static void multiline_refusal(void **s) { (void)s; round_trip("gmail-app-password", TLS_STARTTLS, 5000, false); }
static void bad_certificate(void **s) { (void)s; round_trip("expired-cert", TLS_STARTTLS, 5000, false); }
static void never_greets(void **s) { (void)s; round_trip("silent", TLS_AUTO, 1000, false); }
static void greeting_refused(void **s) { (void)s; round_trip("banner-reject", TLS_AUTO, 5000, false); }
static void helo_only(void **s) { (void)s; round_trip("no-ehlo", TLS_AUTO, 5000, false); }

/* A valid encoding of a small result, then one change at a time must be refused by name. */
static json_t *valid(void)
{
	struct smtp_result r = {0};
	r.steps = calloc(1, sizeof(*r.steps));
	r.nsteps = r.capsteps = 1;
	r.steps[0].stage = STAGE_BANNER;
	smtp_reply_parse(&r.steps[0].reply, "220 mail.sim.test ESMTP");
	r.steps[0].done = true;
	r.failed_stage = STAGE_LAST;
	r.cut_stage = STAGE_LAST;
	r.host = strdup("127.0.0.1");
	json_t *j = smtp_result_to_json(&r);
	smtp_result_free(&r);
	return j;
}

static void refused(json_t *j, const char *want)
{
	struct smtp_result r = {0};
	char err[300] = "";
	assert_int_equal(smtp_result_from_json(j, &r, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("message '%s' does not name '%s'", err, want);
	assert_int_equal(r.nsteps, 0);
	assert_null(r.host);
	json_decref(j);
}

static void malformed(void **state)
{
	(void)state;
	struct smtp_result r = {0};
	char err[300];
	json_t *ok = valid();
	assert_int_equal(smtp_result_from_json(ok, &r, err, sizeof(err)), 0);
	assert_int_equal(r.steps[0].reply.code, 220);
	assert_int_equal(r.failed_stage, STAGE_LAST);
	smtp_result_free(&r);
	json_decref(ok);
	refused(json_string("x"), "not a test-send result");
	json_t *j = valid();
	json_object_set_new(j, "schema", json_string("mfpdoctor/smtp/1"));
	refused(j, "not a test-send result");
	j = valid();
	json_object_set_new(j, "steps", json_string("x"));
	refused(j, "steps: expected an array");
	j = valid();
	json_object_set_new(json_object_get(json_array_get(json_object_get(j, "steps"), 0), "reply"), "code",
			    json_string("220"));
	refused(j, "steps[0].reply.code: expected an integer");
	j = valid();
	json_object_set_new(json_array_get(json_object_get(j, "steps"), 0), "stage", json_string("bogus"));
	refused(j, "steps[0].stage: 'bogus' is not a stage");
	j = valid();
	json_object_set_new(json_object_get(j, "tls"), "version", json_string("TLSv1.2-with-a-much-too-long-name"));
	refused(j, "tls.version: longer than 15 bytes");
	j = valid();
	json_object_del(j, "ip");
	refused(j, "ip: missing");
	j = valid();
	json_object_set_new(j, "tls_used", json_string("sometimes"));
	refused(j, "tls_used: expected one of auto|none|starttls|implicit");
	j = valid();
	json_object_set_new(j, "port_used", json_integer(70000));
	refused(j, "port_used: 70000 is out of range");
	j = valid();
	json_array_append_new(json_object_get(j, "transcript"), json_integer(3));
	refused(j, "transcript: item 0 is not a string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(submission_ok),   cmocka_unit_test(implicit_ok),   cmocka_unit_test(auth_refused),
		cmocka_unit_test(multiline_refusal), cmocka_unit_test(bad_certificate), cmocka_unit_test(never_greets),
		cmocka_unit_test(greeting_refused), cmocka_unit_test(helo_only),    cmocka_unit_test(malformed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
