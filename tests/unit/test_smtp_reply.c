/* test_smtp_reply.c — unit tests for the SMTP reply and EHLO capability parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "smtp/caps.h"
#include "smtp/message.h"
#include "core/smtp_reply.h"

static void single_line(void **state)
{
	(void)state;
	struct smtp_reply r = {0};
	assert_int_equal(smtp_reply_feed(&r, "535 5.7.139 Authentication unsuccessful\r\n", 41), 1);
	assert_true(r.complete);
	assert_false(r.malformed);
	assert_int_equal(r.code, 535);
	assert_string_equal(r.enhanced, "5.7.139");
	char *m = smtp_reply_message(&r);
	assert_string_equal(m, "Authentication unsuccessful");
	free(m);
	smtp_reply_reset(&r);
}

static void multi_line_gmail(void **state)
{
	(void)state;
	struct smtp_reply r = {0};
	const char *l1 = "534-5.7.9 Application-specific password required. Learn more at\r\n";
	const char *l2 = "534 5.7.9 https://support.google.com/mail/?p=InvalidSecondFactor x - gsmtp\r\n";
	assert_int_equal(smtp_reply_feed(&r, l1, strlen(l1)), 0);
	assert_false(r.complete);
	assert_int_equal(smtp_reply_feed(&r, l2, strlen(l2)), 1);
	assert_int_equal(r.nlines, 2);
	assert_string_equal(r.enhanced, "5.7.9");
	char *j = smtp_reply_joined(&r);
	assert_string_equal(j, "534-5.7.9 Application-specific password required. Learn more at 534 5.7.9 "
			       "https://support.google.com/mail/?p=InvalidSecondFactor x - gsmtp");
	free(j);
	char *m = smtp_reply_message(&r);
	assert_string_equal(m, "Application-specific password required. Learn more at "
			       "https://support.google.com/mail/?p=InvalidSecondFactor x - gsmtp");
	free(m);
	smtp_reply_reset(&r);
}

static void parse_text(void **state)
{
	(void)state;
	struct smtp_reply r = {0};
	assert_int_equal(smtp_reply_parse(&r, "250-first\n250-SIZE 100\n250 last\nextra"), 3);
	assert_true(r.complete);
	assert_int_equal(r.code, 250);
	assert_string_equal(r.enhanced, "");
	smtp_reply_reset(&r);
}

static void garbage(void **state)
{
	(void)state;
	struct smtp_reply r = {0};
	assert_int_equal(smtp_reply_feed(&r, "HTTP/1.1 400 Bad Request", 24), 1);
	assert_true(r.malformed);
	assert_int_equal(r.code, 0);
	smtp_reply_reset(&r);
	/* codes that disagree between lines: the final line decides (RFC 5321 4.2.1), flagged */
	smtp_reply_feed(&r, "250-a", 5);
	smtp_reply_feed(&r, "550 5.1.1 b", 11);
	assert_false(r.malformed);
	assert_true(r.mixed_codes);
	assert_int_equal(r.code, 550);
	assert_int_equal(r.first_code, 250);
	assert_string_equal(r.enhanced, "5.1.1");
	smtp_reply_reset(&r);
	smtp_reply_feed(&r, "550-5.7.1 blocked", 17);
	smtp_reply_feed(&r, "250 ok", 6);
	assert_true(r.mixed_codes);
	assert_int_equal(r.code, 250);
	assert_string_equal(r.enhanced, ""); /* 5.7.1 is not of the final code's class */
	smtp_reply_reset(&r);
	/* control characters and invalid UTF-8 are neutralised */
	smtp_reply_feed(&r, "550 bad\x1b[31m\xff text", 19);
	assert_null(strchr(buf_str(&r.lines), '\x1b'));
	assert_null(strchr(buf_str(&r.lines), '\xff'));
	smtp_reply_reset(&r);
	/* a 6xx "code" is not SMTP */
	smtp_reply_feed(&r, "650 nope", 8);
	assert_true(r.malformed);
	smtp_reply_reset(&r);
}

static void enhanced_edge_cases(void **state)
{
	(void)state;
	char e[16];
	assert_int_equal(smtp_enhanced_at("5.7.8 text", e), 5);
	assert_string_equal(e, "5.7.8");
	assert_int_equal(smtp_enhanced_at("4.7.66", e), 6);
	assert_int_equal(smtp_enhanced_at("3.1.1 x", e), 0);   /* no class 3 */
	assert_int_equal(smtp_enhanced_at("5.7 x", e), 0);
	assert_int_equal(smtp_enhanced_at("5.7.1234 x", e), 0);
	assert_int_equal(smtp_enhanced_at("5.7.8x", e), 0);
	/* an enhanced code whose class differs from the basic code is not taken */
	struct smtp_reply r = {0};
	smtp_reply_feed(&r, "250 5.0.0 odd", 13);
	assert_string_equal(r.enhanced, "");
	smtp_reply_reset(&r);
	assert_string_equal(smtp_reply_class(250), "positive-completion");
	assert_string_equal(smtp_reply_class(354), "positive-intermediate");
	assert_string_equal(smtp_reply_class(421), "transient");
	assert_string_equal(smtp_reply_class(554), "permanent");
	assert_string_equal(smtp_reply_class(650), "invalid");
}

static void caps(void **state)
{
	(void)state;
	struct smtp_caps c = {0};
	smtp_caps_parse(&c, "250-mail.example.com Hello\n250-SIZE 35882577\n250-8BITMIME\n250-AUTH LOGIN PLAIN "
			    "XOAUTH2\n250-AUTH=LOGIN\n250-ENHANCEDSTATUSCODES\n250-PIPELINING\n250-CHUNKING\n250 SMTPUTF8");
	assert_true(c.seen);
	assert_string_equal(c.greeting, "mail.example.com Hello");
	assert_true(c.size_present);
	assert_int_equal(c.size, 35882577);
	assert_true(c.eightbitmime && c.pipelining && c.chunking && c.smtputf8 && c.enhancedstatuscodes);
	assert_false(c.starttls);
	assert_false(c.dsn);
	assert_int_equal(c.auth.n, 3); /* AUTH=LOGIN repeats LOGIN */
	assert_true(smtp_caps_has_auth(&c, "xoauth2"));
	assert_false(smtp_caps_has_auth(&c, "CRAM-MD5"));
	smtp_caps_parse(&c, "250-x\n250-STARTTLS\n250-SIZE\n250 DSN");
	assert_true(c.starttls && c.dsn);
	assert_true(c.size_present);
	assert_int_equal(c.size, 0);
	assert_int_equal(c.auth.n, 0);
	smtp_caps_free(&c);
}

static void pdf_generator(void **state)
{
	(void)state;
	static const long long sizes[] = {10, 1000, 2 * 1024 * 1024 + 7};
	for (size_t i = 0; i < 3; i++) {
		size_t len = 0;
		unsigned char *pdf = message_pdf(sizes[i], &len);
		if (sizes[i] >= 1000)
			assert_int_equal(len, (size_t)sizes[i]); /* exactly the scan size asked for */
		assert_memory_equal(pdf, "%PDF-1.4\n", 9);
		assert_memory_equal(pdf + len - 6, "%%EOF\n", 6);
		/* startxref points at the cross-reference table */
		const char *sx = strstr((const char *)pdf + len - 40, "startxref\n");
		assert_non_null(sx);
		long off = atol(sx + 10);
		assert_memory_equal(pdf + off, "xref\n", 5);
		free(pdf);
	}
	/* base64 on the wire: 4/3, plus CRLF every 76 characters */
	assert_int_equal(message_base64_size(57), 76 + 2);
	assert_true(message_wire_size(2 * 1024 * 1024) > 2 * 1024 * 1024 * 4 / 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_line),     cmocka_unit_test(multi_line_gmail),
		cmocka_unit_test(parse_text),      cmocka_unit_test(garbage),
		cmocka_unit_test(enhanced_edge_cases), cmocka_unit_test(caps), cmocka_unit_test(pdf_generator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
