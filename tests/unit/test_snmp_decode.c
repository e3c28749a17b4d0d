/* test_snmp_decode.c — the pure SNMP decoders: hrPrinterDetectedErrorState bits (0, 1, 2 octets),
 * enumerations out of range, DateAndTime, odd octet strings, numbers sent as text, vendor codes
 * in free text, OID helpers, HOST[:PORT], error-status names, and decode_device on odd varbinds
 * (notes, no crash), on row indexes longer than 128 characters (two rows stay two) and on the
 * same oddity in many rows (one note with a count). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "device/decode.h"
#include "device/decode_device.h"
#include "device/decode_rows.h"
#include "device/identify.h"
#include "device/snmp_sess.h"
#include "device/snmp_std.h"

static void errstate(void **state)
{
	(void)state;
	struct strlist n = {0};
	assert_int_equal(decode_errstate(NULL, 0, &n), 0);
	const unsigned char one[] = {0x20};
	assert_int_equal(decode_errstate(one, 1, &n), 1);
	assert_string_equal(n.v[0], "lowToner");
	strlist_free(&n);
	const unsigned char two[] = {0x0A, 0x82}; /* bits 4, 6, 8, 14 */
	assert_int_equal(decode_errstate(two, 2, &n), 4);
	assert_string_equal(n.v[0], "doorOpen");
	assert_string_equal(n.v[1], "offline");
	assert_string_equal(n.v[2], "inputTrayMissing");
	assert_string_equal(n.v[3], "overduePreventMaint");
	strlist_free(&n);
	const unsigned char three[] = {0, 0, 0x40};
	assert_int_equal(decode_errstate(three, 3, &n), 1);
	assert_string_equal(n.v[0], "bit17");
	strlist_free(&n);
	assert_int_equal(decode_errstate_severity(one, 1), 3);
	assert_int_equal(decode_errstate_severity(two, 2), 5);
	assert_int_equal(decode_errstate_severity(NULL, 0), 2);
}

static void enums(void **state)
{
	(void)state;
	char buf[64];
	decode_enum_text(snmp_enum_alert_severity, snmp_enum_alert_severity_n, 3, buf, sizeof(buf));
	assert_string_equal(buf, "critical(3)");
	decode_enum_text(snmp_enum_alert_severity, snmp_enum_alert_severity_n, 255, buf, sizeof(buf));
	assert_string_equal(buf, "unknown(255)");
	assert_null(decode_enum_name(snmp_enum_alert_code, snmp_enum_alert_code_n, -1));
	assert_string_equal(decode_enum_name(snmp_enum_alert_code, snmp_enum_alert_code_n, 1801),
			    "alertRemovalOfBinaryChangeEntry");
}

static void dates(void **state)
{
	(void)state;
	char iso[64];
	time_t t;
	const unsigned char d11[] = {0x07, 0xe8, 5, 30, 14, 30, 0, 0, '+', 2, 0};
	assert_int_equal(decode_date_and_time(d11, 11, iso, sizeof(iso), &t), 0);
	assert_string_equal(iso, "2024-05-30T14:30:00+02:00");
	assert_int_equal((long long)t, 1717072200LL); /* 12:30 UTC */
	const unsigned char d8[] = {0x07, 0xe8, 5, 30, 14, 30, 0, 0};
	assert_int_equal(decode_date_and_time(d8, 8, iso, sizeof(iso), &t), 0);
	const unsigned char bad[] = {0, 0, 13, 40, 0, 0, 0, 0};
	assert_int_equal(decode_date_and_time(bad, 8, iso, sizeof(iso), &t), -1);
	assert_int_equal(decode_date_and_time(d8, 2, iso, sizeof(iso), &t), -1);
}

static void octets(void **state)
{
	(void)state;
	int f;
	char *s = decode_octets((const unsigned char *)"", 0, 100, &f);
	assert_string_equal(s, "");
	assert_true(f & DEC_EMPTY);
	free(s);
	s = decode_octets((const unsigned char *)"Sleep     ", 10, 100, &f);
	assert_string_equal(s, "Sleep");
	assert_true(f & DEC_PADDED);
	free(s);
	s = decode_octets((const unsigned char *)"F\xe4rbe", 5, 100, &f);
	assert_string_equal(s, "F\xc3\xa4rbe");
	assert_true(f & DEC_NOT_UTF8);
	free(s);
	s = decode_octets((const unsigned char *)"\x00\x01\x02\xff", 4, 100, &f);
	assert_string_equal(s, "0x000102FF");
	assert_true(f & DEC_BINARY);
	free(s);
	s = decode_octets((const unsigned char *)"ab\x1b[31mcd", 9, 100, &f);
	assert_null(strchr(s, 0x1b));
	assert_true(f & DEC_CONTROL);
	free(s);
	char big[3000];
	memset(big, 'A', sizeof(big));
	s = decode_octets((const unsigned char *)big, sizeof(big), 1000, &f);
	assert_true(strlen(s) <= 1004);
	assert_true(f & DEC_TRUNCATED);
	free(s);
	s = decode_octets((const unsigned char *)"Ready\0\0", 7, 100, &f);
	assert_string_equal(s, "Ready");
	free(s);
	s = decode_octets(NULL, 5, 100, NULL);
	assert_string_equal(s, "");
	free(s);
}

static void numbers_and_codes(void **state)
{
	(void)state;
	long long v;
	assert_int_equal(decode_int_text(" 42 ", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(decode_int_text("0x2A", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(decode_int_text("NULL", &v), -1);
	assert_int_equal(decode_int_text("", &v), -1);
	const char *xerox = "^([0-9]{3}-[0-9]{3}|STOP|NOT CONNECTED)$";
	char *c = decode_find_code("Job failed: 016-764 SMTP server connection error.", xerox);
	assert_string_equal(c, "016-764");
	free(c);
	assert_null(decode_find_code("STOP the job", xerox)); /* words without digits are not codes */
	c = decode_find_code("E-mail send failed 0x52: cannot connect", "^(0x[0-9A-F]{2}|SNMP-SMTP-[A-Z-]+)$");
	assert_string_equal(c, "0x52");
	free(c);
	c = decode_find_code("Error (#818) sending", "^#?[0-9]{3,4}$");
	assert_string_equal(c, "#818");
	free(c);
	assert_null(decode_find_code("anything", "([unbalanced"));
	assert_null(decode_find_code(NULL, xerox));
}

static void oids(void **state)
{
	(void)state;
	struct snmpw_oid a, b, root;
	char buf[64];
	assert_int_equal(snmpw_oid_parse(".1.3.6.1.2.1.1.1.0", &a), 0);
	assert_int_equal(a.n, 9);
	snmpw_oid_str(&a, buf, sizeof(buf));
	assert_string_equal(buf, "1.3.6.1.2.1.1.1.0");
	assert_int_equal(snmpw_oid_parse("1.3.x", &b), -1);
	assert_int_equal(snmpw_oid_parse("1..3", &b), -1);
	assert_int_equal(snmpw_oid_parse("1.3.", &b), -1);
	assert_int_equal(snmpw_oid_parse("", &b), -1);
	assert_int_equal(snmpw_oid_parse("1.3.6.1.2.1.1.2", &b), 0);
	assert_true(snmpw_oid_cmp(&a, &b) < 0);
	assert_int_equal(snmpw_oid_parse("1.3.6.1.2.1.1", &root), 0);
	assert_true(snmpw_oid_under(&a, &root));
	assert_false(snmpw_oid_under(&root, &root));
	char host[64];
	int port;
	assert_int_equal(snmpw_split_peer("printer.example:1161", host, sizeof(host), &port), 0);
	assert_string_equal(host, "printer.example");
	assert_int_equal(port, 1161);
	assert_int_equal(snmpw_split_peer("[fe80::1]:162", host, sizeof(host), &port), 0);
	assert_string_equal(host, "fe80::1");
	assert_int_equal(port, 162);
	assert_int_equal(snmpw_split_peer("fe80::1", host, sizeof(host), &port), 0);
	assert_int_equal(port, 161);
	assert_int_equal(snmpw_split_peer("host:0", host, sizeof(host), &port), -1);
	assert_int_equal(snmpw_split_peer("host:99999", host, sizeof(host), &port), -1);
	assert_int_equal(snmpw_split_peer("", host, sizeof(host), &port), -1);
	assert_int_equal(ident_enterprise("1.3.6.1.4.1.2435.2.3.9.1"), 2435);
	assert_int_equal(ident_enterprise("1.3.6.1.2.1.1"), 0);
	assert_int_equal(ident_enterprise(NULL), 0);
}

static void add(struct snmpw_vbs *l, const char *oid, enum snmpw_type t, long long i, const char *s, size_t n)
{
	struct snmpw_oid o;
	assert_int_equal(snmpw_oid_parse(oid, &o), 0);
	snmpw_vbs_add(l, &o, t, i, s, s ? n : 0);
}

static bool has_note(const struct device *d, const char *frag)
{
	for (size_t i = 0; i < d->notes.n; i++)
		if (strstr(d->notes.v[i], frag))
			return true;
	return false;
}

static void device_odd(void **state)
{
	(void)state;
	struct ident_vendors vs;
	ident_vendors_load(&vs, NULL, NULL);
	assert_true(vs.n >= 10);
	struct snmpw_vbs l = {0};
	add(&l, "1.3.6.1.2.1.1.1.0", SNMPW_STR, 0, "Xerox AltaLink C8045; SS 100.002.057.09608", 42);
	add(&l, "1.3.6.1.2.1.1.2.0", SNMPW_OIDVAL, 0, "1.3.6.1.4.1.253.8.62.1", 22);
	add(&l, "1.3.6.1.2.1.1.3.0", SNMPW_STR, 0, "NULL", 4);
	add(&l, "1.3.6.1.2.1.43.5.1.1.18.1", SNMPW_NOSUCHOBJECT, 0, NULL, 0);
	add(&l, "1.3.6.1.2.1.25.3.5.1.2.1", SNMPW_INT, 0x0200, NULL, 0); /* errstate as INTEGER */
	add(&l, "1.3.6.1.2.1.43.18.1.1.2.1.5", SNMPW_INT, 77, NULL, 0);
	add(&l, "1.3.6.1.2.1.43.18.1.1.8.1.5", SNMPW_STR, 0, "Fehler 016-764 beim Senden", 26);
	add(&l, "1.3.6.1.2.1.43.18.1.1.8.1.5", SNMPW_STR, 0, "duplicate ignored", 17);
	add(&l, "1.3.6.1.2.1.43.18.1.1.7.1.5", SNMPW_ENDOFMIB, 0, NULL, 0);
	struct device d;
	device_init(&d, "test");
	const struct ident_vendor *v = decode_device(&d, &vs, &l, 1700000000);
	assert_non_null(v);
	assert_string_equal(v->id, "xerox");
	assert_string_equal(device_value(&d, "identity.model"), "Xerox AltaLink C8045");
	assert_string_equal(device_value(&d, "identity.firmware"), "100.002.057.09608");
	assert_string_equal(device_value(&d, "identity.family"), "altalink");
	assert_string_equal(device_value(&d, "status.errors"), "offline"); /* 0x0200 -> 02 00 -> bit 6 */
	assert_true(has_note(&d, "'NULL' where a number belongs"));
	assert_true(has_note(&d, "not OCTET STRING"));
	assert_true(has_note(&d, "outside its enumeration"));
	assert_int_equal(d.nevents, 1);
	assert_string_equal(d.events[0].code, "016-764");
	assert_string_equal(d.events[0].text, "Fehler 016-764 beim Senden");
	device_free(&d);
	snmpw_vbs_free(&l);
	ident_vendors_free(&vs);
}

static size_t count_notes(const struct device *d, const char *frag)
{
	size_t n = 0;
	for (size_t i = 0; i < d->notes.n; i++)
		n += strstr(d->notes.v[i], frag) != NULL;
	return n;
}

/* Two alert rows whose indexes are 40 arcs (~370 characters) and share the first 39. */
static void long_indexes(void **state)
{
	(void)state;
	struct ident_vendors vs;
	ident_vendors_load(&vs, NULL, NULL);
	struct snmpw_vbs l = {0};
	char idx[2][600], oid[700];
	for (int r = 0; r < 2; r++) {
		size_t off = (size_t)snprintf(idx[r], sizeof(idx[r]), "1");
		for (int k = 0; k < 39; k++)
			off += (size_t)snprintf(idx[r] + off, sizeof(idx[r]) - off, ".%d", 123456789);
		snprintf(idx[r] + off, sizeof(idx[r]) - off, ".%d", r + 1);
		assert_true(strlen(idx[r]) > 128);
		snprintf(oid, sizeof(oid), "1.3.6.1.2.1.43.18.1.1.8.%s", idx[r]);
		add(&l, oid, SNMPW_STR, 0, r ? "second row" : "first row", r ? 10 : 9);
		snprintf(oid, sizeof(oid), "1.3.6.1.2.1.43.18.1.1.2.%s", idx[r]);
		add(&l, oid, SNMPW_INT, r ? 3 : 4, NULL, 0);
	}
	struct device d;
	device_init(&d, "test");
	decode_device(&d, &vs, &l, 1700000000);
	assert_int_equal(d.nevents, 2);
	assert_string_equal(d.events[0].text, "first row");
	assert_string_equal(d.events[1].text, "second row");
	char key[700];
	snprintf(key, sizeof(key), "alert.%s.severity", idx[1]);
	assert_string_equal(device_value(&d, key), "critical(3)");
	snprintf(key, sizeof(key), "alert.%s.description", idx[0]);
	assert_string_equal(device_value(&d, key), "first row");
	device_free(&d);
	snmpw_vbs_free(&l);
	ident_vendors_free(&vs);
}

/* The same out-of-range value in 50 rows: one note that counts the others. */
static void repeated_oddity(void **state)
{
	(void)state;
	struct ident_vendors vs;
	ident_vendors_load(&vs, NULL, NULL);
	struct snmpw_vbs l = {0};
	char oid[80];
	for (int r = 1; r <= 50; r++) {
		snprintf(oid, sizeof(oid), "1.3.6.1.2.1.43.18.1.1.2.1.%d", r);
		add(&l, oid, SNMPW_INT, 255, NULL, 0);
	}
	struct device d;
	device_init(&d, "test");
	decode_device(&d, &vs, &l, 1700000000);
	assert_int_equal(d.nevents, 50);
	assert_int_equal(count_notes(&d, "outside its enumeration"), 1);
	assert_true(has_note(&d, "= 255 is outside its enumeration; shown as unknown (and in 49 more rows)"));
	device_free(&d);
	snmpw_vbs_free(&l);
	ident_vendors_free(&vs);
}

static void rows_and_names(void **state)
{
	(void)state;
	struct snmpw_vbs l = {0};
	add(&l, "1.3.6.1.2.1.25.3.2.1.3.5", SNMPW_STR, 0, "five", 4);
	add(&l, "1.3.6.1.2.1.25.3.2.1.3.1", SNMPW_STR, 0, "one", 3);
	add(&l, "1.3.6.1.2.1.25.3.2.1.3.5", SNMPW_STR, 0, "later", 5); /* the first value wins */
	add(&l, "1.3.6.1.2.1.25.3.2.1.3.7", SNMPW_NOSUCHINSTANCE, 0, NULL, 0);
	struct drows r;
	drows_collect(&l, "1.3.6.1.2.1.25.3.2.1.3", &r);
	assert_int_equal(r.n, 2);
	struct snmpw_oid idx = {.a = {5}, .n = 1};
	const struct snmpw_vb *vb = drows_find(&r, &idx);
	assert_non_null(vb);
	assert_string_equal((const char *)vb->bytes, "five");
	idx.a[0] = 7;
	assert_null(drows_find(&r, &idx));
	drows_free(&r);
	snmpw_vbs_free(&l);
	assert_string_equal(snmpw_errstat_name(5), "genErr");
	assert_string_equal(snmpw_errstat_name(1), "tooBig");
	assert_string_equal(snmpw_errstat_name(2), "noSuchName");
	assert_string_equal(snmpw_errstat_name(99), "error-status 99");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(errstate), cmocka_unit_test(enums), cmocka_unit_test(dates),
		cmocka_unit_test(octets), cmocka_unit_test(numbers_and_codes), cmocka_unit_test(oids),
		cmocka_unit_test(device_odd), cmocka_unit_test(long_indexes), cmocka_unit_test(repeated_oddity),
		cmocka_unit_test(rows_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
