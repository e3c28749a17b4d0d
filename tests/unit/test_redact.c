/* tests/unit/test_redact.c — util/redact: every registered form of a credential is scrubbed
 * (raw, base64, URL/form-encoded, JSON/HTML-escaped, HTTP Basic, SASL PLAIN/XOAUTH2), longer
 * forms go whole, and the output sink scrubs whatever a renderer printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/redact.h"

static void assert_scrubbed(const char *text)
{
	char *s = redact_scrub(text);
	if (!strstr(s, REDACTED))
		fprintf(stderr, "not scrubbed: %s\n", text);
	assert_non_null(strstr(s, REDACTED));
	assert_null(strstr(s, "p&ss"));
	assert_null(strstr(s, "p%26ss"));
	assert_null(strstr(s, "w0rd"));
	free(s);
}

static void credential_forms(void **state)
{
	(void)state;
	/* password: p&ss w0rd"<x> */
	const char *pw = "p&ss w0rd\"<x>";
	redact_add_credential("admin", pw);
	char *b64 = redact_base64(pw, (int)strlen(pw));
	char *basic_raw = xasprintf("admin:%s", pw);
	char *basic = redact_base64(basic_raw, (int)strlen(basic_raw));
	char *t;
	assert_scrubbed(pw);
	assert_scrubbed("value=p%26ss%20w0rd%22%3Cx%3E;");
	assert_scrubbed("value=p%26ss+w0rd%22%3cx%3e;");
	assert_scrubbed("{\"v\": \"p&ss w0rd\\\"<x>\"}");
	assert_scrubbed("<td>p&amp;ss w0rd&quot;&lt;x&gt;</td>");
	t = xasprintf("Authorization: Basic %s", basic);
	char *s = redact_scrub(t);
	/* longest first: the Basic form goes whole, the user name does not stay around the marker */
	assert_string_equal(s, "Authorization: Basic " REDACTED);
	free(s);
	free(t);
	t = xasprintf("334 echo %s", b64);
	s = redact_scrub(t);
	assert_string_equal(s, "334 echo " REDACTED);
	free(s);
	free(t);
	free(b64);
	free(basic);
	free(basic_raw);
	redact_clear();
	s = redact_scrub(pw);
	assert_string_equal(s, pw); /* forgotten */
	free(s);
}

static void short_secrets_ignored(void **state)
{
	(void)state;
	redact_add_credential("u", "ab");
	char *s = redact_scrub("about ab");
	assert_string_equal(s, "about ab");
	free(s);
	redact_clear();
}

static void sink_scrubs_output(void **state)
{
	(void)state;
	redact_add_credential(NULL, "hunter22");
	struct redact_sink k;
	FILE *f = redact_sink_open(&k);
	assert_non_null(f);
	fprintf(f, "server said: 535 hunter22 is wrong\n");
	char *out = NULL;
	size_t n = 0;
	FILE *dst = open_memstream(&out, &n);
	assert_int_equal(redact_sink_close(&k, dst), 0);
	fclose(dst);
	assert_string_equal(out, "server said: 535 " REDACTED " is wrong\n");
	free(out);
	redact_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(credential_forms),
		cmocka_unit_test(short_secrets_ignored),
		cmocka_unit_test(sink_scrubs_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
