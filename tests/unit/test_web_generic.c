/* tests/unit/test_web_generic.c — the generic web reader over fixture pages of models no profile
 * knows (tests/fixtures/web/generic/): form, table, definition-list, list, script and XML pages in
 * English, German, French, Spanish, Italian and Japanese; decoys (SMTP in prose, a port that is
 * not a number, LDAP and POP3 servers) that must give nothing; guesses never replace values read;
 * same-host links chosen and action links refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "device/web_generic.h"
#include "util/buf.h"

static char *slurp(const char *name, size_t *len)
{
	const char *src = getenv("MFPDOCTOR_SRC");
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/fixtures/web/generic/%s", src ? src : ".", name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	char *s = xstrdup(buf_str(&b));
	buf_free(&b);
	return s;
}

/* Runs the generic reader over a fixture into d (initialised here). Returns the facts set. */
static int read_fixture(struct device *d, const char *name)
{
	size_t len;
	char *body = slurp(name, &len);
	device_init(d, "printer.test");
	char path[200];
	snprintf(path, sizeof(path), "/%s", name);
	int n = web_generic_extract(d, path, body, len, NULL);
	free(body);
	return n;
}

/* The fact is a guess with this value whose "where" names label (or NULL: not set). */
static void expect(const struct device *d, const char *key, const char *value, const char *label)
{
	const struct fact *f = device_get(d, key);
	if (!value) {
		if (f)
			print_error("%s unexpectedly = '%s' (%s)\n", key, f->value, f->where);
		assert_null(f);
		return;
	}
	if (!f)
		print_error("%s not found\n", key);
	assert_non_null(f);
	if (strcmp(f->value, value) != 0)
		print_error("%s = '%s' (%s), want '%s'\n", key, f->value, f->where, value);
	assert_string_equal(f->value, value);
	assert_true(f->guessed);
	assert_int_equal(f->source, FACT_WEB);
	assert_string_equal(fact_confidence_name(f), "guessed");
	assert_non_null(strstr(f->where, "guessed from "));
	if (label && !strstr(f->where, label))
		print_error("%s: where '%s' does not name '%s'\n", key, f->where, label);
	if (label)
		assert_non_null(strstr(f->where, label));
}

static void test_words_load(void **state)
{
	(void)state;
	char err[200] = "";
	assert_int_equal(web_generic_check(err, sizeof(err)), 0);
}

static void test_en_form(void **state)
{
	(void)state;
	struct device d;
	assert_int_equal(read_fixture(&d, "en_form.html"), 6);
	expect(&d, "smtp.host", "mail.example.com", "label 'SMTP Server Address' on /en_form.html");
	expect(&d, "smtp.port", "587", "Port Number");
	expect(&d, "smtp.security", "starttls", "Connection Security");
	expect(&d, "smtp.auth", "login", "Authentication Method");
	expect(&d, "smtp.user", "scanner@example.com", "Login Name");
	expect(&d, "smtp.from", "mfp9000@example.com", "Device E-mail Address");
	for (size_t i = 0; i < d.nfacts; i++)
		assert_null(strstr(d.facts[i].value, "hunter2")); /* a password field is never read */
	device_free(&d);
}

static void test_de_table(void **state)
{
	(void)state;
	struct device d;
	read_fixture(&d, "de_table.html");
	expect(&d, "smtp.host", "smtp.beispiel.de", "label 'SMTP-Server' on /de_table.html");
	expect(&d, "smtp.port", "465", "SMTP-Port");
	expect(&d, "smtp.security", "implicit", "Verschlüsselung");
	expect(&d, "smtp.auth", "cram-md5", "Authentifizierungsmethode");
	expect(&d, "smtp.user", "drucker01", "Benutzername");
	expect(&d, "smtp.from", "Drucker Empfang <drucker01@beispiel.de>", "Absenderadresse");
	device_free(&d);
}

static void test_fr_dl(void **state)
{
	(void)state;
	struct device d;
	read_fixture(&d, "fr_dl.html");
	expect(&d, "smtp.host", "smtp.exemple.fr", "label 'Serveur SMTP");
	expect(&d, "smtp.port", "25", "Numéro de port");
	expect(&d, "smtp.security", "none", "Chiffrement");
	expect(&d, "smtp.auth", "none", "Authentification SMTP");
	expect(&d, "smtp.from", "imprimante@exemple.fr", "expéditeur");
	expect(&d, "smtp.user", NULL, NULL);
	device_free(&d);
}

static void test_es_radio(void **state)
{
	(void)state;
	struct device d;
	read_fixture(&d, "es_radio.html");
	expect(&d, "smtp.host", "10.1.2.3", "Servidor SMTP");
	expect(&d, "smtp.port", "2525", "Puerto");
	expect(&d, "smtp.security", "starttls", "Cifrado");
	expect(&d, "smtp.auth", "auto", "Autenticación SMTP");
	expect(&d, "smtp.user", "escaner", "Nombre de usuario");
	expect(&d, "smtp.from", "escaner@ejemplo.es", "Dirección del remitente");
	device_free(&d);
}

static void test_it_list(void **state)
{
	(void)state;
	struct device d;
	read_fixture(&d, "it_list.html");
	expect(&d, "smtp.host", "posta.esempio.it", "Server SMTP");
	expect(&d, "smtp.port", "587", "Porta SMTP");
	expect(&d, "smtp.security", "starttls", "Crittografia");
	expect(&d, "smtp.auth", "auto", "Autenticazione SMTP");
	expect(&d, "smtp.user", "stampante@esempio.it", "Nome utente");
	expect(&d, "smtp.from", "stampante@esempio.it", "Indirizzo mittente");
	device_free(&d);
}

static void test_ja_table(void **state)
{
	(void)state;
	struct device d;
	read_fixture(&d, "ja_table.html");
	expect(&d, "smtp.host", "smtp.example.jp", "label '送信メールサーバー（SMTP）' on");
	expect(&d, "smtp.port", "587", "ポート番号");
	expect(&d, "smtp.security", "starttls", "暗号化");
	expect(&d, "smtp.auth", "auto", "SMTP認証");
	expect(&d, "smtp.user", "fukugouki", "ユーザー名");
	expect(&d, "smtp.from", "fukugouki@example.jp", "送信者アドレス");
	device_free(&d);
}

static void test_js_model(void **state)
{
	(void)state;
	struct device d;
	read_fixture(&d, "js_model.html");
	expect(&d, "smtp.host", "relay.example.net", "script variable '_pp.smtpServerName'");
	expect(&d, "smtp.port", "25", "_pp.smtpPort");
	expect(&d, "smtp.security", "starttls", "_pp.smtpSecurity");
	expect(&d, "smtp.from", "PK-NETPRT039@example.net", "_pp.senderAddress");
	expect(&d, "smtp.user", NULL, NULL);
	device_free(&d);
}

static void test_xml(void **state)
{
	(void)state;
	struct device d;
	read_fixture(&d, "xml_config.xml");
	expect(&d, "smtp.host", "smtp.example.org", "XML element 'EmailConfig/Smtp/Server'");
	expect(&d, "smtp.port", "465", "Port");
	expect(&d, "smtp.security", "implicit", "SslMode");
	expect(&d, "smtp.auth", "plain", "AuthType");
	expect(&d, "smtp.user", "mfp@example.org", "UserName");
	expect(&d, "smtp.from", "mfp@example.org", "SenderAddress");
	device_free(&d);
}

static void test_decoys(void **state)
{
	(void)state;
	struct device d;
	assert_int_equal(read_fixture(&d, "decoy_prose.html"), 0);
	device_free(&d);
	read_fixture(&d, "decoy_port.html");
	expect(&d, "smtp.host", "mail.decoy.test", "SMTP Server");
	expect(&d, "smtp.port", NULL, NULL);
	assert_int_equal(d.notes.n, 0); /* an invalid value is not a device fault: no note */
	device_free(&d);
	assert_int_equal(read_fixture(&d, "decoy_ldap.html"), 0);
	device_free(&d);
	assert_int_equal(read_fixture(&d, "decoy_pop3.html"), 0);
	device_free(&d);
}

/* A guess never replaces a value read; a value read replaces a guess (with a conflict). */
static void test_guess_confidence(void **state)
{
	(void)state;
	struct device d;
	device_init(&d, "p");
	device_set(&d, "smtp.host", "real.example.com", FACT_SNMP, "1.3.6.1.4.1.x");
	size_t len;
	char *body = slurp("en_form.html", &len);
	web_generic_extract(&d, "/e", body, len, "text/html");
	const struct fact *f = device_get(&d, "smtp.host");
	assert_string_equal(f->value, "real.example.com");
	assert_false(f->guessed);
	assert_string_equal(fact_confidence_name(f), "read");
	device_set(&d, "smtp.port", "25", FACT_SNMP, "oid");
	f = device_get(&d, "smtp.port");
	assert_string_equal(f->value, "25");
	assert_false(f->guessed);
	assert_int_equal(d.nconflicts, 1);
	device_set(&d, "smtp.from", "mfp9000@example.com", FACT_SNMP, "oid2");
	f = device_get(&d, "smtp.from");
	assert_false(f->guessed);
	assert_string_equal(f->where, "oid2");
	free(body);
	device_free(&d);
}

static void test_links(void **state)
{
	(void)state;
	const char *page =
		"<html><body><a href='/status.html'>Status</a> <a href='net/email.html'>E-mail settings</a>"
		"<a href='/logout.cgi'>Log out</a> <a href='http://evil.test/smtp.html'>SMTP</a>"
		"<a href='javascript:go()'>Mail</a> <a href='/cgi-bin/reset?all=1'>Reset network settings</a>"
		"<a href='/network/protocols.html?lang=en#x'>Network</a><frame src='/menu.html'>"
		"<a href='https://127.0.0.1:8443/smtp.html'>SMTP</a></body></html>";
	struct strlist out = {0};
	int n = web_generic_links("https://127.0.0.1:8443", "/top/index.html", page, strlen(page), &out, 10);
	for (size_t i = 0; i < out.n; i++)
		print_message("link %s\n", out.v[i]);
	assert_int_equal(n, 4);
	assert_string_equal(out.v[0], "/menu.html");
	assert_string_equal(out.v[1], "/top/net/email.html");
	assert_string_equal(out.v[2], "/smtp.html");
	assert_string_equal(out.v[3], "/network/protocols.html?lang=en");
	strlist_free(&out);
}

/* Vocabulary of other firmware families: "SMTP Server Port Number" is a port, not a server;
 * "Return Email Address" is the From; a method inside "SMTP AUTH (CRAM-MD5)"; fullwidth colons;
 * Kyocera-style _mode_on values under field names. */
static void test_vocabulary(void **state)
{
	(void)state;
	const char *page =
		"<html><head><title>Properties</title></head><body><table>"
		"<tr><td>SMTP Server Address</td><td><input name='104002' value='smtp.corp.example'></td></tr>"
		"<tr><td>SMTP Server Port Number</td><td><input name='104006' value='2525'></td></tr>"
		"<tr><td>Return Email Address</td><td><input name='104001' value='mfp@corp.example'></td></tr>"
		"<tr><td>Email Send Authentication</td><td><select name='x'><option>No Authentication</option>"
		"<option selected>SMTP AUTH (CRAM-MD5)</option><option>POP before SMTP (APOP)</option></select></td></tr>"
		"</table></body></html>";
	struct device d;
	device_init(&d, "p");
	assert_int_equal(web_generic_extract(&d, "/p", page, strlen(page), NULL), 4);
	expect(&d, "smtp.host", "smtp.corp.example", "SMTP Server Address");
	expect(&d, "smtp.port", "2525", "label 'SMTP Server Port Number'");
	expect(&d, "smtp.from", "mfp@corp.example", "Return Email Address");
	expect(&d, "smtp.auth", "cram-md5", "Email Send Authentication");
	device_free(&d);
	const char *ja = "<html><body><ul><li>SMTPサーバー：smtp.example.jp</li><li>SMTPポート番号：25</li>"
			 "<li>差出人：kiki@example.jp</li></ul></body></html>";
	device_init(&d, "p");
	web_generic_extract(&d, "/ja", ja, strlen(ja), NULL);
	expect(&d, "smtp.host", "smtp.example.jp", "label 'SMTPサーバー' on /ja");
	expect(&d, "smtp.port", "25", "SMTPポート番号");
	expect(&d, "smtp.from", "kiki@example.jp", "差出人");
	device_free(&d);
	const char *kyo = "<html><body><form><input type=hidden name='smtpServerName' value='relay.k.example'>"
			  "<input type=hidden name='smtpAuth' value='_mode_off'><input type=hidden name='smtpSsl' "
			  "value='_mode_off'></form></body></html>";
	device_init(&d, "p");
	web_generic_extract(&d, "/k", kyo, strlen(kyo), NULL);
	expect(&d, "smtp.host", "relay.k.example", "field name 'smtpServerName' on /k");
	expect(&d, "smtp.auth", "none", "smtpAuth");
	expect(&d, "smtp.security", "none", "smtpSsl");
	device_free(&d);
}

static void test_garbage(void **state)
{
	(void)state;
	static const char *const bodies[] = {"", "<", "<?xml version='1.0'?><a><b>", "var = ;", "\xff\xfe<html>",
					     "<html><input name=smtpPort value=0><input name=smtpPort value=65536></html>"};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct device d;
		device_init(&d, "p");
		assert_int_equal(web_generic_extract(&d, "/", bodies[i], strlen(bodies[i]), NULL), 0);
		device_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_load),   cmocka_unit_test(test_en_form),  cmocka_unit_test(test_de_table),
		cmocka_unit_test(test_fr_dl),        cmocka_unit_test(test_es_radio), cmocka_unit_test(test_it_list),
		cmocka_unit_test(test_ja_table),     cmocka_unit_test(test_js_model), cmocka_unit_test(test_xml),
		cmocka_unit_test(test_decoys),       cmocka_unit_test(test_guess_confidence),
		cmocka_unit_test(test_links),        cmocka_unit_test(test_vocabulary), cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
