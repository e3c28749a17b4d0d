/* tests/unit/test_record.c — record/: structural redaction (password inputs, token-named fields,
 * URL and form parameters, JS/JSON assignments, meta tags) keeps the text around the value;
 * --anonymize maps MACs, IPv4 addresses, serials and names consistently and in the same form;
 * snmprec lines round-trip, hex for what is not plain text, and corrupt lines are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/rec_scrub.h"
#include "record/rec_snmprec.h"
#include "util/redact.h"

static void check(struct rec_anon *a, const char *in, const char *secret, const char *kept)
{
	char *s = rec_scrub(a, in);
	if (strstr(s, secret) || !strstr(s, kept))
		fprintf(stderr, "in:  %s\nout: %s\n", in, s);
	assert_null(strstr(s, secret));
	assert_non_null(strstr(s, kept));
	free(s);
}

static void structural(void **state)
{
	(void)state;
	check(NULL, "<input type=\"hidden\" name=\"wimToken\" value=\"81726354\">", "81726354", "name=\"wimToken\" value=\"REDACTED\"");
	check(NULL, "<input value='abc123xyz' name='CSRFToken' type=hidden>", "abc123xyz", "name='CSRFToken'");
	check(NULL, "<input type=password name=\"smtp_pw\" value=\"hunter22\">", "hunter22", "type=password");
	check(NULL, "<a href=\"/x.cgi?a=1&wimToken=5566778&b=2\">", "5566778", "&b=2");
	check(NULL, "var token2 = \"f00dfeed99\";", "f00dfeed99", "var token2 = \"REDACTED\"");
	check(NULL, "{\"sessionId\": \"s3ss10n\", \"port\": 25}", "s3ss10n", "\"port\": 25");
	check(NULL, "<meta name=\"csrf-token\" content=\"m3t4t0k\">", "m3t4t0k", "csrf-token");
	check(NULL, "_pp.smtpPassword = 'pa55pa55';", "pa55pa55", "_pp.smtpPassword");
	/* ordinary settings stay */
	check(NULL, "<input name=\"GSI_SMTP_PORT_NUMBER\" value=\"587\">", "REDACTED", "value=\"587\"");
	redact_add_credential("admin", "Adm1n-pw!");
	check(NULL, "login=admin&pw=Adm1n-pw%21", "Adm1n", "login=admin");
	redact_clear();
}

static void anonymize(void **state)
{
	(void)state;
	struct rec_anon a;
	rec_anon_init(&a, true);
	rec_anon_serial(&a, "3TB123456");
	rec_anon_host(&a, "mfp-3rdfloor.sim.test");
	char *s = rec_scrub(&a, "MAC 00:1b:a9:12:34:56 IP 10.1.2.3 gw 10.1.2.3 mask 255.255.255.0 fw 071.040.224.04800 "
				"sn 3TB123456 host mfp-3rdfloor.sim.test short mfp-3rdfloor");
	char *t = rec_scrub(&a, "again 10.1.2.3 00-1B-A9-12-34-56 3TB123456");
	assert_non_null(strstr(s, "00:00:5e:00:53:00"));
	assert_non_null(strstr(s, "IP 192.0.2.1 gw 192.0.2.1"));
	assert_non_null(strstr(s, "mask 255.255.255.0"));
	assert_non_null(strstr(s, "fw 071.040.224.04800"));
	assert_non_null(strstr(s, "host printer-1.example.net short printer-1"));
	assert_null(strstr(s, "3TB123456"));
	assert_non_null(strstr(t, "again 192.0.2.1 00-00-5E-00-53-00"));
	const char *sn = strstr(s, "sn ") + 3;
	assert_memory_equal(sn, strstr(t, "00 ") + 3, 9); /* the same serial in every file */
	assert_true(sn[0] >= '0' && sn[0] <= '9' && sn[1] >= 'A' && sn[1] <= 'Z');
	free(s);
	free(t);
	struct snmpw_vb v = {.type = SNMPW_STR, .bytes = (unsigned char *)xstrndup("\x00\x1b\xa9\x12\x34\x56", 6), .len = 6};
	rec_scrub_vb(&a, &v);
	assert_memory_equal(v.bytes, "\x00\x00\x5e\x00\x53\x00", 6); /* binary MAC: same mapping */
	free(v.bytes);
	rec_anon_free(&a);
}

static void snmprec(void **state)
{
	(void)state;
	struct snmpw_vbs l = {0};
	char why[200];
	const char *lines[] = {"1.3.6.1.2.1.1.1.0|4|Xerox WorkCentre", "1.3.6.1.2.1.25.1.2.0|4x|07ea0b1c0a0000002b0000",
			       "1.3.6.1.2.1.1.3.0|67|4280423", "1.3.6.1.2.1.4.20.1.1.10.0.0.1|64|10.0.0.1",
			       "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.253.8", "1.3.6.1.2.1.2.2.1.10.1|65|12"};
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		assert_int_equal(rec_snmprec_parse(lines[i], &l, why, sizeof(why)), 0);
	rec_snmprec_sort(&l);
	struct buf b = {0};
	for (size_t i = 0; i < l.n; i++)
		assert_true(rec_snmprec_line(&b, &l.v[i]));
	assert_string_equal(buf_str(&b), "1.3.6.1.2.1.1.1.0|4|Xerox WorkCentre\n1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.253.8\n"
			    "1.3.6.1.2.1.1.3.0|67|4280423\n1.3.6.1.2.1.2.2.1.10.1|65|12\n"
			    "1.3.6.1.2.1.4.20.1.1.10.0.0.1|64|10.0.0.1\n1.3.6.1.2.1.25.1.2.0|4x|07ea0b1c0a0000002b0000\n");
	buf_free(&b);
	assert_int_equal(rec_snmprec_parse("1.3.6.1.2.1.1.9.0|4x|zz", &l, why, sizeof(why)), -1);
	assert_int_equal(rec_snmprec_parse("not a line", &l, why, sizeof(why)), -1);
	assert_int_equal(rec_snmprec_parse("1.3.6|2|twelve", &l, why, sizeof(why)), -1);
	snmpw_vbs_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(structural),
		cmocka_unit_test(anonymize),
		cmocka_unit_test(snmprec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
