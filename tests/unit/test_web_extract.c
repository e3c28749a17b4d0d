/* tests/unit/test_web_extract.c — the web extraction engine (XPath, ERE capture, value maps,
 * transforms, malformed HTML/XML, non-UTF-8 pages), pin normalisation, vendor identification
 * scores, validation of every profile's "web" section, the `web` option table, logs cut at their
 * "max" (one note with the counts, the newest kept), the names of request failure reasons, JS
 * values (parseInt, branches, message tables, call arguments, records), JS object literals as
 * JSON, label rules (NBSP colon) and named panel-language maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "device/web_extract.h"
#include "device/web_http.h"
#include "device/web_js.h"
#include "device/web_log.h"
#include "device/web_read.h"
#include "profile/profile.h"


static char *field(const char *body, enum web_parser p, const char *charset, const char *rule_json, char *err)
{
	struct web_doc doc;
	json_error_t je;
	json_t *rule = json_loads(rule_json, 0, &je);
	assert_non_null(rule);
	web_doc_parse(&doc, body, strlen(body), p, charset);
	char *v = web_extract_field(&doc, NULL, rule, err, 240);
	web_doc_free(&doc);
	json_decref(rule);
	return v;
}

static void expect(const char *body, enum web_parser p, const char *rule, const char *want)
{
	char err[240];
	char *v = field(body, p, NULL, rule, err);
	if (want) {
		assert_non_null(v);
		assert_string_equal(v, want);
	} else {
		assert_null(v);
	}
	free(v);
}

static const char *FORM =
	"<html><head><title> Settings \n page </title></head><body><form>"
	"<input name='host' value='smtp.example.com'>"
	"<input name=port value=587>"
	"<select name='sec'><option value='0'>None</option><option value='2' selected>SSL</option></select>"
	"<input type=checkbox name=auth checked>"
	"<table><tr><td>SMTP  Server\n Name</td><td>  mail.example.org  </td></tr></table>"
	"</form></body></html>";

static void test_xpath_basic(void **state)
{
	(void)state;
	expect(FORM, WEB_PARSE_HTML, "{\"xpath\": \"//input[@name='host']/@value\"}", "smtp.example.com");
	expect(FORM, WEB_PARSE_HTML, "{\"xpath\": \"//input[@name='port']/@value\"}", "587");
	expect(FORM, WEB_PARSE_HTML, "{\"xpath\": \"//select[@name='sec']/option[@selected]/@value\"}", "2");
	/* whitespace is collapsed in values and in label matching with normalize-space */
	expect(FORM, WEB_PARSE_HTML,
	       "{\"xpath\": \"//tr[normalize-space(td[1])='SMTP Server Name']/td[2]\"}", "mail.example.org");
	/* boolean and number results */
	expect(FORM, WEB_PARSE_HTML, "{\"xpath\": \"boolean(//input[@name='auth'][@checked])\"}", "true");
	expect(FORM, WEB_PARSE_HTML, "{\"xpath\": \"count(//input)\"}", "3");
	expect(FORM, WEB_PARSE_HTML, "{\"xpath\": \"//input[@name='missing']/@value\"}", NULL);
}

static void test_title(void **state)
{
	(void)state;
	struct web_doc doc;
	web_doc_parse(&doc, FORM, strlen(FORM), WEB_PARSE_HTML, NULL);
	char *t = web_doc_title(&doc);
	assert_string_equal(t, "Settings page");
	free(t);
	web_doc_free(&doc);
}

static void test_value_maps(void **state)
{
	(void)state;
	const char *r = "{\"xpath\": \"//select[@name='sec']/option[@selected]/@value\","
			" \"map\": {\"0\": \"none\", \"1\": \"starttls\", \"2\": \"implicit\"}}";
	expect(FORM, WEB_PARSE_HTML, r, "implicit");
	/* case-insensitive match on the trimmed value, "*" default, strict maps drop unknowns */
	expect("<p> EIN </p>", WEB_PARSE_HTML, "{\"xpath\": \"//p\", \"map\": {\"ein\": \"on\"}}", "on");
	expect("<p>weird</p>", WEB_PARSE_HTML, "{\"xpath\": \"//p\", \"map\": {\"a\": \"b\", \"*\": \"other\"}}", "other");
	expect("<p>weird</p>", WEB_PARSE_HTML, "{\"xpath\": \"//p\", \"map\": {\"a\": \"b\"}}", "weird");
	expect("<p>weird</p>", WEB_PARSE_HTML, "{\"xpath\": \"//p\", \"map\": {\"a\": \"b\"}, \"map_strict\": true}", NULL);
	json_t *m = json_pack("{s:s}", "有効", "auto");
	assert_string_equal(web_map_lookup(m, " 有効 "), "auto");
	assert_null(web_map_lookup(m, "無効"));
	json_decref(m);
}

static void test_regex_capture(void **state)
{
	(void)state;
	const char *js = "var _pp = {};\n_pp.smtpServerName = 'smtp.kyo.example';\n_pp.smtpPort = '465';\n";
	expect(js, WEB_PARSE_TEXT, "{\"regex\": \"_pp\\\\.smtpPort *= *'([0-9]*)'\"}", "465");
	/* no group: the whole match */
	expect(js, WEB_PARSE_TEXT, "{\"regex\": \"smtp\\\\.[a-z]+\\\\.example\"}", "smtp.kyo.example");
	/* explicit group */
	expect(js, WEB_PARSE_TEXT, "{\"regex\": \"(smtpServerName) *= *'([^']*)'\", \"group\": 2}", "smtp.kyo.example");
	/* regex applied to the XPath result; case-insensitive */
	expect("<td>2048 KB</td>", WEB_PARSE_HTML, "{\"xpath\": \"//td\", \"regex\": \"([0-9]+) kb\", \"multiply\": 1024}",
	       "2097152");
	/* the single-quoted attribute quirk of Xerox pages */
	expect("x = \"<input name= 'GSI_SMTP_SERVER_DOMAIN' value = 'a.b.c' max='1'>\";", WEB_PARSE_TEXT,
	       "{\"regex\": \"name= *'GSI_SMTP_SERVER_DOMAIN' +value *= *'([^']*)'\"}", "a.b.c");
	struct strlist l = {0};
	char err[200];
	assert_int_equal(web_regex_all("a=1 a=2 a=3", "a=([0-9])", 1, 10, &l, err, sizeof(err)), 3);
	assert_string_equal(l.v[2], "3");
	strlist_free(&l);
	assert_int_equal(web_regex_all("x", "(", 1, 1, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not compile"));
}

static void test_alternatives_and_errors(void **state)
{
	(void)state;
	const char *r = "[{\"xpath\": \"//input[@name='old']/@value\"}, {\"xpath\": \"//input[@name='host']/@value\"}]";
	expect(FORM, WEB_PARSE_HTML, r, "smtp.example.com");
	char err[240];
	char *v = field(FORM, WEB_PARSE_HTML, NULL, "{\"xpath\": \"//input[\"}", err);
	assert_null(v);
	assert_non_null(strstr(err, "does not compile"));
	v = field(FORM, WEB_PARSE_HTML, NULL, "{\"name\": \"x\"}", err);
	assert_null(v);
	assert_non_null(strstr(err, "neither"));
	/* unknown namespace prefix is an error, not a crash */
	v = field("<a/>", WEB_PARSE_XML, NULL, "{\"xpath\": \"//zz:a\"}", err);
	assert_null(v);
	assert_true(err[0] != '\0');
}

static void test_malformed_html(void **state)
{
	(void)state;
	/* unclosed tags, stray end tags, unquoted attributes, a NUL byte: recovered like a browser */
	const char body[] = "<html><body><table><tr><td>Port<td><input name=port value=25>"
			    "</div></span><tr><td>From<td><b>scan@example.com</table><p>tail\0hidden";
	struct web_doc doc;
	web_doc_parse(&doc, body, sizeof(body) - 1, WEB_PARSE_HTML, NULL);
	assert_non_null(doc.xml);
	json_t *r1 = json_pack("{s:s}", "xpath", "//input[@name='port']/@value");
	json_t *r2 = json_pack("{s:s}", "xpath", "//tr[normalize-space(td[1])='From']/td[2]");
	char err[240];
	char *a = web_extract_field(&doc, NULL, r1, err, sizeof(err));
	char *b = web_extract_field(&doc, NULL, r2, err, sizeof(err));
	assert_string_equal(a, "25");
	assert_string_equal(b, "scan@example.com");
	free(a);
	free(b);
	json_decref(r1);
	json_decref(r2);
	web_doc_free(&doc);
	/* empty page */
	expect("", WEB_PARSE_HTML, "{\"xpath\": \"//p\"}", NULL);
}

static void test_malformed_xml(void **state)
{
	(void)state;
	const char *bad = "<?xml version='1.0'?><MFP><Smtp><ServerAddress>x</Smtp>";
	struct web_doc doc;
	web_doc_parse(&doc, bad, strlen(bad), WEB_PARSE_XML, NULL);
	assert_null(doc.xml);
	assert_non_null(strstr(doc.error, "not well-formed"));
	/* regex rules still work on the raw body */
	json_t *r = json_pack("{s:s}", "regex", "<ServerAddress>([^<]*)");
	char err[240];
	char *v = web_extract_field(&doc, NULL, r, err, sizeof(err));
	assert_string_equal(v, "x");
	free(v);
	json_decref(r);
	web_doc_free(&doc);
	/* no external entities are fetched or expanded */
	const char *xxe = "<?xml version='1.0'?><!DOCTYPE a [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><a>&e;</a>";
	char err2[240];
	char *w = field(xxe, WEB_PARSE_XML, NULL, "{\"xpath\": \"string(/a)\"}", err2);
	assert_true(w == NULL || strstr(w, "root:") == NULL);
	free(w);
}

static void test_namespaces(void **state)
{
	(void)state;
	const char *x = "<?xml version='1.0'?><em:C xmlns:em='urn:e' xmlns:dd='urn:d'><em:S><em:Address>h</em:Address>"
			"<dd:Port>25</dd:Port></em:S></em:C>";
	struct web_doc doc;
	web_doc_parse(&doc, x, strlen(x), WEB_PARSE_XML, NULL);
	json_t *ns = json_pack("{s:s}", "q", "urn:e");
	doc.namespaces = ns;
	json_t *r1 = json_pack("{s:s}", "xpath", "//q:S/q:Address");
	json_t *r2 = json_pack("{s:s}", "xpath", "//*[local-name()='Port']");
	char err[240];
	char *a = web_extract_field(&doc, NULL, r1, err, sizeof(err));
	char *b = web_extract_field(&doc, NULL, r2, err, sizeof(err));
	assert_string_equal(a, "h");
	assert_string_equal(b, "25");
	free(a);
	free(b);
	json_decref(r1);
	json_decref(r2);
	json_decref(ns);
	web_doc_free(&doc);
}

static void test_non_utf8(void **state)
{
	(void)state;
	char err[240];
	/* declared ISO-8859-1: converted to UTF-8 */
	const char *latin = "<html><head><meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'></head>"
			    "<body><p>Gr\xf6\xdf" "e</p></body></html>";
	char *v = field(latin, WEB_PARSE_HTML, NULL, "{\"xpath\": \"//p\"}", err);
	assert_string_equal(v, "Größe");
	free(v);
	/* undeclared Shift_JIS, with the profile's charset hint */
	const char *sjis = "<html><body><p>\x97\x4c\x8c\xf8</p></body></html>"; /* 有効 */
	v = field(sjis, WEB_PARSE_HTML, "Shift_JIS", "{\"xpath\": \"//p\", \"map\": {\"有効\": \"auto\"}}", err);
	assert_string_equal(v, "auto");
	free(v);
	/* undeclared invalid UTF-8 and control characters: the result is always valid, clean UTF-8 */
	const char *junk = "<html><body><p>a\xff\xfe" "b\x01" "c</p></body></html>";
	v = field(junk, WEB_PARSE_HTML, NULL, "{\"xpath\": \"//p\"}", err);
	assert_non_null(v);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		assert_true(*p >= 0x20);
	assert_non_null(strchr(v, 'a'));
	assert_non_null(strchr(v, 'c'));
	free(v);
	/* regex over a Latin-1 text body: captured bytes are sanitised */
	v = field("x='caf\xe9'", WEB_PARSE_TEXT, NULL, "{\"regex\": \"x='([^']*)'\"}", err);
	assert_non_null(v);
	assert_int_equal(strncmp(v, "caf", 3), 0);
	free(v);
}

static void test_rule_check(void **state)
{
	(void)state;
	char err[240];
	json_t *ok = json_pack("{s:s, s:{s:s}}", "xpath", "//a", "map", "1", "x");
	json_t *bad1 = json_pack("{s:s}", "xpath", "//a[");
	json_t *bad2 = json_pack("{s:s, s:i}", "regex", "a(b)", "group", 2);
	json_t *bad3 = json_pack("{s:s, s:{s:i}}", "xpath", "//a", "map", "1", 2);
	assert_int_equal(web_rule_check(ok, err, sizeof(err)), 0);
	assert_int_equal(web_rule_check(bad1, err, sizeof(err)), -1);
	assert_int_equal(web_rule_check(bad2, err, sizeof(err)), -1);
	assert_int_equal(web_rule_check(bad3, err, sizeof(err)), -1);
	json_decref(ok);
	json_decref(bad1);
	json_decref(bad2);
	json_decref(bad3);
}

static void test_pin(void **state)
{
	(void)state;
	char out[100];
	const char *hex = "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89";
	char *in = xasprintf("SHA256:%s", hex);
	assert_int_equal(web_pin_normalise(in, out, sizeof(out)), 0);
	assert_int_equal(strncmp(out, "AB:CD:EF:01", 11), 0);
	assert_int_equal(strlen(out), 95);
	free(in);
	assert_int_equal(web_pin_normalise("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", out, sizeof(out)), 0);
	assert_int_equal(web_pin_normalise("SHA256:abcd", out, sizeof(out)), -1);
	assert_int_equal(web_pin_normalise("SHA256:zz", out, sizeof(out)), -1);
	assert_int_equal(web_pin_normalise(NULL, out, sizeof(out)), -1);
}

static void test_identify_score(void **state)
{
	(void)state;
	json_t *p = json_pack("{s:{s:[s,s,s]}}", "match", "web_markers", "CentreWare", "Xerox_MicroServer", "/LOGIN\\.cmd");
	assert_int_equal(web_identify_score(p, "XEROX WORKCENTRE", "Xerox_MicroServer/Xerox11", "CentreWare IS"), 2);
	assert_int_equal(web_identify_score(p, "Brother", "debut/1.30", "<html/>"), 0);
	assert_int_equal(web_identify_score(p, NULL, NULL, NULL), 0);
	json_decref(p);
}

struct check_ctx {
	int problems, with_web;
	struct strlist errors;
};

static void check_cb(const char *path, json_t *root, void *user)
{
	struct check_ctx *c = user;
	if (strchr(path, '/'))
		return;
	if (json_object_get(root, "web"))
		c->with_web++;
	c->problems += web_profile_check(path, root, &c->errors);
}

static void test_every_profile_web_section(void **state)
{
	(void)state;
	struct check_ctx c = {0};
	struct strlist errs = {0};
	profile_each("", NULL, check_cb, &c, &errs);
	for (size_t i = 0; i < c.errors.n; i++)
		print_error("%s\n", c.errors.v[i]);
	assert_int_equal(errs.n, 0);
	assert_int_equal(c.problems, 0);
	assert_true(c.with_web >= 10);
	strlist_free(&c.errors);
	strlist_free(&errs);
}

static void test_profile_check_catches(void **state)
{
	(void)state;
	json_error_t je;
	json_t *p = json_loads("{\"families\": [{\"id\": \"a\"}], \"web\": {\"pagesets\": [{\"id\": \"x\", \"families\": [\"b\"],"
			       " \"login\": {\"method\": \"form\"}, \"pages\": [{\"path\": \"nope\", \"fields\": {\"smtp.host\":"
			       " {\"xpath\": \"//[\"}}, \"events\": {\"origin\": \"bad\"}}]}]}}", 0, &je);
	assert_non_null(p);
	struct strlist e = {0};
	int n = web_profile_check("t.json", p, &e);
	assert_true(n >= 5); /* family, form fields, path, xpath, events rows, origin */
	strlist_free(&e);
	json_decref(p);
}

static void test_option_table(void **state)
{
	(void)state;
	const struct cli_cmd *c = cli_find_command("web");
	char err[200];
	assert_non_null(c);
	assert_int_equal(cli_table_check(c->opts, c->nopts, err, sizeof(err)), 0);
}

/* A job log of n e-mail failures; times descending (newest first) when newest, ascending when
 * !newest, none at all when notime. */
static char *log_page(int n, bool newest, bool notime)
{
	struct buf b = {0};
	buf_puts(&b, "<html><body><table id='t'><tbody>");
	for (int i = 0; i < n; i++) {
		int k = newest ? n - i : i + 1; /* entry number: higher is newer */
		if (notime)
			buf_printf(&b, "<tr><td></td><td>failure %d</td></tr>", k);
		else
			buf_printf(&b, "<tr><td>2024-05-02 %02d:%02d</td><td>failure %d</td></tr>", k / 60, k % 60, k);
	}
	buf_puts(&b, "</tbody></table></body></html>");
	return buf_steal(&b);
}

static void read_log(struct device *d, const char *page, const char *max)
{
	char *rule = xasprintf("{\"origin\": \"web-joblog\", \"rows\": \"//table[@id='t']/tbody/tr\", %s \"fields\": "
			       "{\"time\": {\"xpath\": \"td[1]\"}, \"text\": {\"xpath\": \"td[2]\"}}}", max);
	json_error_t je;
	json_t *ev = json_loads(rule, 0, &je);
	assert_non_null(ev);
	struct web_doc doc;
	device_init(d, "h");
	web_doc_parse(&doc, page, strlen(page), WEB_PARSE_HTML, NULL);
	web_log_read(d, "/log", &doc, ev);
	web_doc_free(&doc);
	json_decref(ev);
	free(rule);
}

static void test_log_cut(void **state)
{
	(void)state;
	struct device d;
	char *p = log_page(312, true, false);
	read_log(&d, p, "");
	assert_int_equal(d.nevents, 50);
	assert_int_equal(d.notes.n, 1);
	assert_string_equal(d.notes.v[0], "page /log: job log: 50 of 312 entries read; 262 older ones not read (the "
					  "newest were kept; the profile reads at most 50)");
	assert_string_equal(d.events[0].text, "failure 312");
	device_free(&d);
	free(p);
	/* oldest first: the newest (the last rows) are kept */
	p = log_page(312, false, false);
	read_log(&d, p, "\"max\": 10,");
	assert_int_equal(d.nevents, 10);
	assert_string_equal(d.events[9].text, "failure 312");
	assert_non_null(strstr(d.notes.v[0], "job log: 10 of 312 entries read; 302 older ones not read"));
	device_free(&d);
	free(p);
	/* no times: the order is unknown and the note does not claim the dropped ones are older */
	p = log_page(60, true, true);
	read_log(&d, p, "");
	assert_int_equal(d.nevents, 50);
	assert_non_null(strstr(d.notes.v[0], "50 of 60 entries read; 10 other ones not read (the order of the log is unknown"));
	device_free(&d);
	free(p);
	/* within the limit: no note */
	p = log_page(50, true, false);
	read_log(&d, p, "");
	assert_int_equal(d.nevents, 50);
	assert_int_equal(d.notes.n, 0);
	device_free(&d);
	free(p);
}

static void test_reason_words(void **state)
{
	(void)state;
	char *s = web_size_words(2097152);
	assert_string_equal(s, "2 MiB");
	free(s);
	s = web_size_words(1536);
	assert_string_equal(s, "1536 bytes");
	free(s);
	assert_string_equal(web_why_name(WEB_WHY_REDIRECT_LOOP), "redirect-loop");
	assert_string_equal(web_why_name(WEB_WHY_HEADERS), "header-flood");
	assert_string_equal(web_why_name(WEB_WHY_NONE), "none");
	assert_string_equal(web_why_name(WEB_WHY_LAST), "other");
}

static void js_is(const char *text, const char *name, const char *tables, const char *want)
{
	char *v = web_js_value(text, strlen(text), name, tables);
	if (want) {
		assert_non_null(v);
		assert_string_equal(v, want);
	} else {
		assert_null(v);
	}
	free(v);
}

/* Kyocera model files: parseInt, assignments in branches that do not run, comments, strings. */
static void test_js_values(void **state)
{
	(void)state;
	const char *m = "(function(){ var _pp = self.pp().properties;\n"
			"_pp.smtpPort = parseInt('465', 10);\n// _pp.smtpPort = parseInt('1', 10);\n"
			"var s = \"_pp.smtpPort = '9'\";\n_pp.name = 'a\\'b';\n_pp.flag = true;\n"
			"switch (_pp.x) { case '0': _pp.smtpPort = parseInt('25', 10); break; }\n"
			"_pp.late = '1'; _pp.late = '2';\n_pp.ref = _pp.name;\n})();";
	js_is(m, "_pp.smtpPort", NULL, "465"); /* not the branch, not the comment, not the string */
	js_is(m, "_pp.name", NULL, "a'b");
	js_is(m, "_pp.flag", NULL, "true");
	js_is(m, "_pp.late", NULL, "2"); /* last at the same depth */
	js_is(m, "_pp.ref", NULL, "a'b");
	js_is(m, "_pp.missing", NULL, NULL);
	js_is(m, "smtpPort", NULL, NULL); /* a property, not the variable smtpPort */
	/* message tables: array literal, new Array, element assignment, in the page or its scripts */
	const char *log = "Index = 0;\nJobSt[Index] = sJobStatus[2];\nJobT[Index] = \"11/16 12:13\";\n"
			  "Index = 1;\nJobSt[Index] = sJobStatus[7];\nJobT[Index] = \"11/16 12:12\";\n";
	const char *tab = "var sJobStatus = new Array(\"OK\", 'Canceled', \"Error\");\nsJobStatus[7] = \"Busy\";";
	char *v = web_js_value(log, strlen(log), "JobSt[Index]", tab);
	assert_string_equal(v, "Busy"); /* last record wins for a whole-page lookup */
	free(v);
	size_t st[4], en[4];
	assert_int_equal(web_js_records(log, strlen(log), "Index", st, en, 4), 2);
	v = web_js_value(log + st[0], en[0] - st[0], "JobSt[Index]", tab);
	assert_string_equal(v, "Error");
	free(v);
	v = web_js_value(log + st[0], en[0] - st[0], "JobSt[Index]", NULL);
	assert_string_equal(v, "sJobStatus[2]"); /* table unknown: the expression, for a value map */
	free(v);
	const char *arr = "var t = ['x', \"y\", parseInt('3', 10)]; v = t[2];";
	js_is(arr, "v", NULL, "3");
	/* HTML: only <script> is scanned (an apostrophe in the text is no JS string) */
	const char *html = "<html><!-- the form's page --><script>HeaderStatusPC(\"TASKalfa 3253ci\",\"x\", a);"
			   "var LoginStatus = \"7\";</script><p>it's</p></html>";
	v = web_js_call_arg(html, strlen(html), "HeaderStatusPC", 0, NULL);
	assert_string_equal(v, "TASKalfa 3253ci");
	free(v);
	v = web_js_call_arg(html, strlen(html), "HeaderStatusPC", 1, NULL);
	assert_string_equal(v, "x");
	free(v);
	js_is(html, "LoginStatus", NULL, "7");
}

/* Samsung home.json: a JS object literal, read through JSON after normalising. */
static void test_js_literal_json(void **state)
{
	(void)state;
	const char *lit = "{\r\n\tstatus: {\r\n\thrDeviceStatus: 2,\r\n\tstatus1: \"  Warming Up\r\n Please Wait\"\r\n\t},\r\n"
			  "\tidentity: {\r\n\tmodel_name: 'C480 Series', // comment\r\n\tserial_num: \"Z1\",\r\n\t},\r\n"
			  "\toutputTray: [\r\n\t[1, 100, \"\"]\r\n\t],\r\n}\r\n";
	struct web_doc doc;
	char err[240];
	web_doc_parse(&doc, lit, strlen(lit), WEB_PARSE_JSON, NULL);
	assert_non_null(doc.json);
	json_t *r = json_loads("{\"json\": \"identity.model_name\"}", 0, NULL);
	char *v = web_extract_field(&doc, NULL, r, err, sizeof(err));
	assert_string_equal(v, "C480 Series");
	free(v);
	json_decref(r);
	r = json_loads("{\"json\": \"outputTray.0.1\"}", 0, NULL);
	v = web_extract_field(&doc, NULL, r, err, sizeof(err));
	assert_string_equal(v, "100");
	free(v);
	json_decref(r);
	r = json_loads("{\"json\": \"status.status1\"}", 0, NULL);
	v = web_extract_field(&doc, NULL, r, err, sizeof(err));
	assert_string_equal(v, "Warming Up Please Wait");
	free(v);
	json_decref(r);
	web_doc_free(&doc);
}

/* Labels ending in "&nbsp;:" (Epson), dt/dd and td layouts; named maps in the panel language. */
static void test_labels_and_named_maps(void **state)
{
	(void)state;
	const char *dl = "<dl><dt class=key><span class=key>Device Name&nbsp;:</span></dt><dd><div>EPSON1</div></dd>"
			 "<dt><span>Mode&nbsp;:</span></dt><dd>Ein</dd></dl>";
	const char *tb = "<table><tr><td class=item-key><bdi>Device Name</bdi>&nbsp;:</td><td>EPSON2</td></tr></table>";
	expect(dl, WEB_PARSE_HTML, "{\"label\": \"Device Name\"}", "EPSON1");
	expect(tb, WEB_PARSE_HTML, "{\"label\": [\"Ger\\u00e4tename\", \"Device Name\"]}", "EPSON2");
	expect(tb, WEB_PARSE_HTML, "{\"label\": \"Name\"}", NULL);
	struct web_doc doc;
	char err[240];
	json_t *maps = json_loads("{\"onoff\": {\"On\": \"on\", \"Ein\": \"on\", \"Aus\": \"off\"}}", 0, NULL);
	json_t *rule = json_loads("{\"label\": \"Mode\", \"map\": \"onoff\"}", 0, NULL);
	web_doc_parse(&doc, dl, strlen(dl), WEB_PARSE_HTML, NULL);
	doc.maps = maps;
	char *v = web_extract_field(&doc, NULL, rule, err, sizeof(err));
	assert_string_equal(v, "on");
	free(v);
	web_doc_free(&doc);
	json_decref(rule);
	json_decref(maps);
	rule = json_loads("{\"label\": \"it's\"}", 0, NULL);
	assert_int_equal(web_rule_check(rule, err, sizeof(err)), -1);
	json_decref(rule);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xpath_basic),
		cmocka_unit_test(test_title),
		cmocka_unit_test(test_value_maps),
		cmocka_unit_test(test_regex_capture),
		cmocka_unit_test(test_alternatives_and_errors),
		cmocka_unit_test(test_malformed_html),
		cmocka_unit_test(test_malformed_xml),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_non_utf8),
		cmocka_unit_test(test_rule_check),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_identify_score),
		cmocka_unit_test(test_every_profile_web_section),
		cmocka_unit_test(test_profile_check_catches),
		cmocka_unit_test(test_option_table),
		cmocka_unit_test(test_log_cut),
		cmocka_unit_test(test_reason_words),
		cmocka_unit_test(test_js_values),
		cmocka_unit_test(test_js_literal_json),
		cmocka_unit_test(test_labels_and_named_maps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
