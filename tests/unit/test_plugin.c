/* test_plugin.c — report/plugin_range.c, plugin_text.c and diag_nagios.c: every Nagios range form
 * and the invalid ones (with their messages), the -w/-c metric lists, the sanitiser that keeps out
 * what Nagios strips from macros, the stable perfdata set (U when unknown) and the state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report/plugin.h"

static struct plugin_range parse_ok(const char *s)
{
	struct plugin_range r;
	char err[200] = "";
	assert_int_equal(plugin_range_parse(s, &r, err, sizeof(err)), 0);
	assert_true(r.set);
	assert_string_equal(r.text, s);
	return r;
}

static void parse_bad(const char *s, const char *want_in_msg)
{
	struct plugin_range r;
	char err[200] = "";
	assert_int_equal(plugin_range_parse(s, &r, err, sizeof(err)), -1);
	if (!strstr(err, want_in_msg))
		fail_msg("range '%s': message '%s' lacks '%s'", s, err, want_in_msg);
	assert_false(r.set);
}

static void range_forms(void **state)
{
	(void)state;
	struct plugin_range r = parse_ok("10"); /* 0..10 */
	assert_true(plugin_range_alert(&r, -0.5));
	assert_true(plugin_range_alert(&r, 10.01));
	assert_false(plugin_range_alert(&r, 0));
	assert_false(plugin_range_alert(&r, 10));
	r = parse_ok("10:"); /* 10..+inf */
	assert_true(plugin_range_alert(&r, 9.99));
	assert_false(plugin_range_alert(&r, 10));
	assert_false(plugin_range_alert(&r, 1e12));
	r = parse_ok("~:10"); /* -inf..10 */
	assert_true(plugin_range_alert(&r, 10.5));
	assert_false(plugin_range_alert(&r, -1e12));
	r = parse_ok("10:20");
	assert_true(plugin_range_alert(&r, 9));
	assert_true(plugin_range_alert(&r, 21));
	assert_false(plugin_range_alert(&r, 15));
	r = parse_ok("@10:20"); /* alert inside, ends included */
	assert_true(plugin_range_alert(&r, 10));
	assert_true(plugin_range_alert(&r, 15));
	assert_true(plugin_range_alert(&r, 20));
	assert_false(plugin_range_alert(&r, 9.9));
	assert_false(plugin_range_alert(&r, 20.1));
	r = parse_ok("@5"); /* alert inside 0..5 */
	assert_true(plugin_range_alert(&r, 3));
	assert_false(plugin_range_alert(&r, 6));
	r = parse_ok("-5:-1");
	assert_true(plugin_range_alert(&r, 0));
	assert_false(plugin_range_alert(&r, -3));
	r = parse_ok("1.5");
	assert_true(plugin_range_alert(&r, 1.6));
	r = parse_ok("~:"); /* everything inside: never alerts */
	assert_false(plugin_range_alert(&r, -1e9));
	assert_false(plugin_range_alert(&r, 1e9));
	struct plugin_range none = {0};
	assert_false(plugin_range_alert(&none, 1e9)); /* not set: no alert */
}

static void range_invalid(void **state)
{
	(void)state;
	parse_bad("", "is not a number");
	parse_bad("abc", "is not a number");
	parse_bad("@", "is not a number");
	parse_bad("~", "is not a number");
	parse_bad("20:10", "start is greater than the end");
	parse_bad("1:2:3", "more than one ':'");
	parse_bad(":5", "the start '' is not a number or ~");
	parse_bad("10:x", "the end 'x' is not a number");
	parse_bad("x:10", "the start 'x' is not a number");
	parse_bad("inf", "is not a number");
	parse_bad("nan", "is not a number");
	parse_bad("1e3", "is not a number");
	parse_bad("0x10", "is not a number");
	parse_bad("1..2", "is not a number");
	parse_bad("12345678901234567890123456789012345678901234567890", "too long");
}

static void threshold_lists(void **state)
{
	(void)state;
	struct plugin_range w[PM_COUNT];
	char err[300];
	memset(w, 0, sizeof(w));
	assert_int_equal(plugin_thresholds_parse("time=20,smtp_time=5,cert_days=30:", w, "-w", err, sizeof(err)), 0);
	assert_true(w[PM_TIME].set && w[PM_SMTP_TIME].set && w[PM_CERT_DAYS].set);
	assert_string_equal(w[PM_CERT_DAYS].text, "30:");
	assert_true(plugin_range_alert(&w[PM_CERT_DAYS], 29));
	memset(w, 0, sizeof(w));
	assert_int_equal(plugin_thresholds_parse("25", w, "-w", err, sizeof(err)), 0); /* bare = time */
	assert_true(w[PM_TIME].set && !w[PM_SMTP_TIME].set);
	assert_int_equal(plugin_thresholds_parse("speed=3", w, "--warning", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--warning: unknown metric 'speed' (metrics: time, smtp_time, cert_days)"));
	assert_int_equal(plugin_thresholds_parse("time=", w, "-c", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "-c time: range '' is not a number"));
	assert_int_equal(plugin_thresholds_parse("time=5,,smtp_time=1", w, "-c", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(plugin_thresholds_parse("", w, "-c", err, sizeof(err)), -1);
}

static void check_clean(const char *in, size_t max, const char *want)
{
	char *out = plugin_sanitize(in, max);
	assert_string_equal(out, want);
	free(out);
}

static void sanitiser(void **state)
{
	(void)state;
	check_clean("The device's From", 0, "The device\u2019s From");
	check_clean("Users > Active users > Mail", 0, "Users \u203a Active users \u203a Mail");
	check_clean("model -> server:587", 0, "model \u2192 server:587");
	check_clean("say \"hi\" <a@b> a|b $USER1$ ~x `y` R&D", 0,
		    "say \u201dhi\u201d \u2039a@b\u203a a/b \uff04USER1\uff04 \u223cx \u2019y\u2019 R+D");
	check_clean("bell\x07 esc\x1b", 0, "bell? esc?");
	/* every char Nagios strips by default is gone */
	char *s = plugin_sanitize("`~$&|'\"<>", 0);
	assert_null(strpbrk(s, "`~$&|'\"<>"));
	free(s);
	/* cut to characters, at a word's end when one is near, with an ellipsis */
	check_clean("abcdefghij", 5, "abcd\u2026");
	check_clean("one two three four", 12, "one two\u2026");
	check_clean("caf\u00e9 caf\u00e9", 4, "caf\u2026");
	check_clean("short", 10, "short");
}

static char *perf(const struct diagnosis *dg, const struct plugin_opts *po)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	plugin_perfdata(f, dg, po);
	fclose(f);
	return buf;
}

static void perfdata_and_state(void **state)
{
	(void)state;
	struct diagnosis dg;
	memset(&dg, 0, sizeof(dg));
	dg.elapsed_ms = 12345;
	dg.status = MFP_EXIT_OK;
	char *p = perf(&dg, NULL); /* no test: the same metrics, U for what is unknown */
	assert_string_equal(p, "time=12.35s;;;0 smtp_time=U;;;0 cert_days=U;;; failures=0;;;0 warnings=0;;;0 smtp_stages=U;;;0");
	free(p);
	dg.test_ran = true;
	dg.smtp.total_ms = 5;
	dg.smtp.tls.have_cert = true;
	dg.smtp.tls.days_left = 12;
	findings_add(&dg.findings, "x-warn", SEV_WARN, "t", "e", "f", NULL);
	struct plugin_opts po;
	memset(&po, 0, sizeof(po));
	po.timeout_state = 3;
	char err[200];
	assert_int_equal(plugin_thresholds_parse("time=20,cert_days=30:", po.warn, "-w", err, sizeof(err)), 0);
	assert_int_equal(plugin_thresholds_parse("smtp_time=1,cert_days=7:", po.crit, "-c", err, sizeof(err)), 0);
	p = perf(&dg, &po);
	assert_string_equal(p, "time=12.35s;20;;0 smtp_time=0.005s;;1;0 cert_days=12;30:;7:; failures=0;;;0 warnings=1;;;0 smtp_stages=0;;;0");
	free(p);
	assert_int_equal(plugin_state(&dg, &po), 1); /* cert_days 12 < 30: warning */
	dg.smtp.tls.days_left = 3;
	assert_int_equal(plugin_state(&dg, &po), 2); /* < 7: critical */
	dg.smtp.tls.days_left = 90;
	dg.smtp.total_ms = 1500;
	assert_int_equal(plugin_state(&dg, &po), 2); /* smtp_time 1.5 s > 1 */
	dg.smtp.total_ms = 5;
	assert_int_equal(plugin_state(&dg, &po), 0);
	dg.status = MFP_EXIT_UNKNOWN; /* a time cut takes -t N:STATE */
	dg.ncuts = 1;
	po.timeout_state = 1;
	assert_int_equal(plugin_state(&dg, &po), 1);
	findings_free(&dg.findings);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(range_forms),
		cmocka_unit_test(range_invalid),
		cmocka_unit_test(threshold_lists),
		cmocka_unit_test(sanitiser),
		cmocka_unit_test(perfdata_and_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
