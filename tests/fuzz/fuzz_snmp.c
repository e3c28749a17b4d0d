/* fuzz_snmp.c — libFuzzer target: SNMP values as a hostile agent could send them, turned into
 * device facts the way a read does (decode_device over every standard and vendor-profile OID,
 * any type, any octets, row indexes of any length), then rendered as JSON and text; plus the
 * single-value decoders (octet strings, error-state bits, DateAndTime, numbers in text, vendor
 * codes in free text). Input: records of [type][root][index arcs][value] (see next_vb). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "device/decode.h"
#include "device/decode_device.h"
#include "device/identify.h"
#include "device/snmp_std.h"
#include "report/device_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ident_vendors vs;
static struct decode_oids roots;
static FILE *devnull;

static void init(void)
{
	ident_vendors_load(&vs, NULL, NULL);
	for (size_t i = 0; i < snmp_std_nscalars; i++)
		decode_oids_add(&roots, snmp_std_scalars[i].oid);
	for (size_t i = 0; i < COL_STD_LAST; i++)
		decode_oids_add(&roots, snmp_std_columns[i].oid);
	for (size_t i = 0; i < vs.n; i++)
		decode_vendor_oids(&vs.v[i], &roots, &roots);
	devnull = fopen("/dev/null", "w");
}

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* One varbind: type byte, root byte (index into roots), arc count, arcs (0xff = 4-byte arc),
 * value length (2 bytes) and value (INTEGER kinds: up to 8 bytes big-endian). Returns 0 at end. */
static int next_vb(struct in *in, struct snmpw_vbs *l)
{
	if (in->n < 3)
		return 0;
	enum snmpw_type t = (enum snmpw_type)(take(in) % (SNMPW_OTHER + 1));
	struct snmpw_oid name = roots.v[take(in) % roots.n];
	size_t arcs = take(in) % 140;
	for (size_t k = 0; k < arcs && name.n < SNMPW_OID_MAX; k++) {
		unsigned long a = take(in);
		if (a == 0xff)
			for (int b = 0, first = 1; b < 4; b++, first = 0)
				a = (first ? 0 : a << 8) | take(in);
		name.a[name.n++] = a;
	}
	size_t len = (size_t)take(in) << 8;
	len |= take(in);
	len = len < in->n ? len : in->n;
	long long iv = 0;
	for (size_t k = 0; k < len && k < 8; k++)
		iv = (long long)((unsigned long long)iv << 8 | in->p[k]);
	snmpw_vbs_add(l, &name, t, iv, in->p, len);
	in->p += len;
	in->n -= len;
	return 1;
}

static void single_values(const uint8_t *data, size_t size)
{
	int flags;
	char *s = decode_octets(data, size, 1000, &flags);
	long long v;
	decode_int_text(s, &v);
	char *code = decode_find_code(s, "^([0-9]{3}-[0-9]{3}|0x[0-9A-F]{2}|[A-Z]{1,2}-?[0-9]{2,4})$");
	free(code);
	free(s);
	s = decode_octets(data, size, 3, NULL);
	free(s);
	struct strlist names = {0};
	decode_errstate(data, size, &names);
	decode_errstate_severity(data, size);
	strlist_free(&names);
	char iso[64];
	time_t utc;
	decode_date_and_time(data, size < 11 ? size : 11, iso, sizeof(iso), &utc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!roots.n)
		init();
	single_values(data, size);
	struct snmpw_vbs l = {0};
	struct in in = {data, size};
	while (l.n < 4000 && next_vb(&in, &l))
		;
	struct device d;
	device_init(&d, "fuzz");
	decode_device(&d, &vs, &l, 1700000000);
	json_t *j = device_report_json(&d);
	json_decref(j);
	if (devnull) {
		device_report_text(devnull, &d, false);
		device_report_md(devnull, &d);
	}
	device_free(&d);
	snmpw_vbs_free(&l);
	return 0;
}
