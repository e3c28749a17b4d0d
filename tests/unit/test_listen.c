/* tests/unit/test_listen.c — listen's parsers of untrusted client input: command split, MAIL/RCPT
 * paths, SIZE=, base64 SASL PLAIN/LOGIN (user kept, password only measured and registered for
 * redaction), and the streaming MIME reader (headers, nested multipart, base64 sizes, bounds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listen/listen_mime.h"
#include "listen/listen_parse.h"
#include "util/redact.h"

static void cmd_split(void **state)
{
	struct listen_cmd k;
	assert_int_equal(listen_cmd_parse("  ehlo  printer.local  ", 23, &k), 0);
	assert_string_equal(k.verb, "EHLO");
	assert_int_equal(k.arglen, 13);
	assert_memory_equal(k.arg, "printer.local", 13);
	assert_int_equal(listen_cmd_parse("   ", 3, &k), -1);
	assert_int_equal(listen_cmd_parse("AVERYLONGVERBTHATGOESON x", 25, &k), 0);
	assert_int_equal(strlen(k.verb), 15);
}

static void paths(void **state)
{
	char *a, *p;
	const char *m = "FROM:<scan@example.com> SIZE=5242880 BODY=8BITMIME";
	assert_int_equal(listen_path_parse(m, strlen(m), "FROM:", &a, &p), 0);
	assert_string_equal(a, "scan@example.com");
	assert_string_equal(p, "SIZE=5242880 BODY=8BITMIME");
	assert_int_equal(listen_param_size(p), 5242880);
	assert_int_equal(listen_param_size("BODY=8BITMIME"), -1);
	free(a);
	free(p);
	assert_int_equal(listen_path_parse("to: <>", 6, "TO:", &a, &p), 0);
	assert_string_equal(a, "");
	assert_null(p);
	free(a);
	assert_int_equal(listen_path_parse("TO:<unterminated", 16, "TO:", &a, &p), -1);
	assert_int_equal(listen_path_parse("FROM:x@y", 8, "FROM:", &a, &p), -1);
}

static void sasl_plain(void **state)
{
	struct listen_auth a = {.pass_len = -1};
	/* "\0scan@example.com\0pa%s s#" */
	const char *b64 = "AHNjYW5AZXhhbXBsZS5jb20AcGElcyBzIw==";
	assert_int_equal(listen_auth_plain(&a, b64, strlen(b64)), 0);
	assert_string_equal(a.user, "scan@example.com");
	assert_int_equal(a.pass_len, 7);
	assert_true(a.pass_percent && a.pass_space && a.pass_hash);
	assert_false(a.pass_quote || a.pass_nonascii || a.pass_plus);
	char *s = redact_scrub("the password pa%s s# leaked");
	assert_null(strstr(s, "pa%s s#"));
	free(s);
	assert_int_equal(listen_auth_plain(&a, "!!!", 3), -1);
	assert_int_equal(listen_auth_plain(&a, "c2Nhbg==", 8), -1); /* no NULs */
	free(a.user);
	redact_clear();
}

static void sasl_login(void **state)
{
	struct listen_auth a = {.pass_len = -1};
	assert_int_equal(listen_auth_login(&a, "dXNlcg==", 8, 0), 0);
	assert_string_equal(a.user, "user");
	/* "Pässwort\"" in UTF-8 */
	assert_int_equal(listen_auth_login(&a, "UMOkc3N3b3J0Ig==", 16, 1), 0);
	assert_int_equal(a.pass_len, 9);
	assert_true(a.pass_nonascii && a.pass_quote);
	free(a.user);
	unsigned char out[8];
	assert_int_equal(listen_b64decode("AAAAAAAAAAAAAAAAAAAA", 20, out, sizeof(out)), -1); /* too long */
	redact_clear();
}

static void feed(struct listen_mime *m, const char *text)
{
	const char *p = text;
	while (*p) {
		size_t n = strcspn(p, "\n");
		listen_mime_line(m, p, n);
		p += n + (p[n] ? 1 : 0);
	}
	listen_mime_end(m);
	listen_mime_free(m);
}

static void free_msg(struct listen_msg *g)
{
	char *hs[] = {g->subject, g->from, g->to, g->date, g->content_type, g->mime_version, g->x_mailer};
	for (size_t i = 0; i < ARRAY_SIZE(hs); i++)
		free(hs[i]);
	for (int i = 0; i < g->nparts; i++) {
		free(g->parts[i].type);
		free(g->parts[i].name);
		free(g->parts[i].encoding);
	}
}

static void mime_nested(void **state)
{
	struct listen_msg g = {0};
	struct listen_mime m;
	listen_mime_init(&m, &g);
	feed(&m, "Subject: Scan from\n  XRX-7845\nFrom: scanner@example.com\nX-Mailer: Xerox\n"
		 "MIME-Version: 1.0\nContent-Type: multipart/mixed;\n boundary=\"outer\"\n\npreamble\n"
		 "--outer\nContent-Type: multipart/alternative; boundary=inner\n\n"
		 "--inner\nContent-Type: text/plain\n\nhello\n--inner--\n"
		 "--outer\nContent-Type: application/pdf; name=\"scan 1.pdf\"\n"
		 "Content-Transfer-Encoding: base64\n\nAAAA\nAAA=\n--outer--\nepilogue\n");
	assert_string_equal(g.subject, "Scan from  XRX-7845");
	assert_string_equal(g.x_mailer, "Xerox");
	assert_int_equal(g.nparts, 2);
	assert_string_equal(g.parts[0].type, "text/plain");
	assert_int_equal(g.parts[0].bytes, 7);
	assert_string_equal(g.parts[1].type, "application/pdf");
	assert_string_equal(g.parts[1].name, "scan 1.pdf");
	assert_string_equal(g.parts[1].encoding, "base64");
	assert_int_equal(g.parts[1].decoded, 5);
	free_msg(&g);
}

static void mime_bounds(void **state)
{
	struct listen_msg g = {0};
	struct listen_mime m;
	struct buf b = {0};
	listen_mime_init(&m, &g);
	buf_puts(&b, "Content-Type: multipart/mixed; boundary=b\n\n");
	for (int i = 0; i < 40; i++)
		buf_puts(&b, "--b\nContent-Disposition: attachment; filename=x.tif\nContent-Type: image/tiff\n\nx\n");
	buf_puts(&b, "--b--\n");
	feed(&m, b.data);
	assert_int_equal(g.nparts, LISTEN_MAX_PARTS);
	assert_int_equal(g.parts_total, 40);
	assert_string_equal(g.parts[3].name, "x.tif");
	free_msg(&g);
	buf_free(&b);
	/* boundaries nested beyond the depth limit and an unterminated quote stay harmless */
	struct listen_msg h = {0};
	listen_mime_init(&m, &h);
	buf_puts(&b, "Content-Type: multipart/mixed; boundary=\"l0\n\n");
	for (int i = 1; i < 20; i++)
		buf_printf(&b, "--l%d\nContent-Type: multipart/mixed; boundary=l%d\n\n", i - 1, i);
	feed(&m, b.data);
	free_msg(&h);
	buf_free(&b);
	char *v = listen_mime_param("text/plain; charset=utf-8; name=a.txt", "name");
	assert_string_equal(v, "a.txt");
	free(v);
	assert_null(listen_mime_param("text/plain; names=a", "name"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cmd_split),   cmocka_unit_test(paths),       cmocka_unit_test(sasl_plain),
		cmocka_unit_test(sasl_login),  cmocka_unit_test(mime_nested), cmocka_unit_test(mime_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
