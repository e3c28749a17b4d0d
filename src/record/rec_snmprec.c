/* record/rec_snmprec.c — snmprec lines to and from varbinds; see rec_snmprec.h. */
#include "record/rec_snmprec.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	enum snmpw_type t;
	const char *tag;
} tags[] = {
	{SNMPW_INT, "2"}, {SNMPW_STR, "4"}, {SNMPW_NULL, "5"}, {SNMPW_OIDVAL, "6"}, {SNMPW_IPADDR, "64"},
	{SNMPW_COUNTER, "65"}, {SNMPW_GAUGE, "66"}, {SNMPW_TICKS, "67"}, {SNMPW_COUNTER64, "70"},
};

/* Printable text that survives the line format as it is ('|' and line breaks do not). */
static bool plain_text(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '|')
			return false;
	return n == 0 || (p[0] != ' ' && p[n - 1] != ' ');
}

bool rec_snmprec_line(struct buf *b, const struct snmpw_vb *v)
{
	const char *tag = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(tags) && !tag; i++)
		if (tags[i].t == v->type)
			tag = tags[i].tag;
	if (!tag)
		return false;
	char oid[SNMPW_OID_TXT];
	snmpw_oid_str(&v->name, oid, sizeof(oid));
	switch (v->type) {
	case SNMPW_STR:
		if (plain_text(v->bytes, v->len)) {
			buf_printf(b, "%s|4|", oid);
			buf_append(b, (const char *)v->bytes, v->len);
		} else {
			buf_printf(b, "%s|4x|", oid);
			for (size_t i = 0; i < v->len; i++)
				buf_printf(b, "%02x", v->bytes[i]);
		}
		break;
	case SNMPW_IPADDR:
		if (v->len != 4)
			return false;
		buf_printf(b, "%s|64|%u.%u.%u.%u", oid, v->bytes[0], v->bytes[1], v->bytes[2], v->bytes[3]);
		break;
	case SNMPW_OIDVAL:
		buf_printf(b, "%s|6|%s", oid, v->bytes ? (const char *)v->bytes : "0.0");
		break;
	case SNMPW_NULL:
		buf_printf(b, "%s|5|", oid);
		break;
	default:
		buf_printf(b, "%s|%s|%lld", oid, tag, v->i);
	}
	buf_putc(b, '\n');
	return true;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* A 4x (hex) OCTET STRING value. */
static int parse_hex(struct snmpw_vbs *out, const struct snmpw_oid *name, const char *val, char *why, size_t whysz)
{
	size_t n = strlen(val);
	if (n % 2) {
		snprintf(why, whysz, "odd number of hex digits in a 4x value");
		return -1;
	}
	unsigned char *bytes = xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)val[2 * i]), lo = hexval((unsigned char)val[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(bytes);
			snprintf(why, whysz, "'%c%c' is not a hex byte", val[2 * i], val[2 * i + 1]);
			return -1;
		}
		bytes[i] = (unsigned char)(hi * 16 + lo);
	}
	snmpw_vbs_add(out, name, SNMPW_STR, 0, bytes, n / 2);
	free(bytes);
	return 0;
}

static int parse_value(struct snmpw_vbs *out, const struct snmpw_oid *name, const char *tag, const char *val,
		       char *why, size_t whysz)
{
	if (strcmp(tag, "4x") == 0)
		return parse_hex(out, name, val, why, whysz);
	if (strcmp(tag, "4") == 0) {
		snmpw_vbs_add(out, name, SNMPW_STR, 0, val, strlen(val));
		return 0;
	}
	if (strcmp(tag, "5") == 0) {
		snmpw_vbs_add(out, name, SNMPW_NULL, 0, NULL, 0);
		return 0;
	}
	if (strcmp(tag, "6") == 0) {
		struct snmpw_oid o;
		if (snmpw_oid_parse(val, &o) < 0) {
			snprintf(why, whysz, "'%.60s' is not an OID value", val);
			return -1;
		}
		snmpw_vbs_add(out, name, SNMPW_OIDVAL, 0, val, strlen(val));
		return 0;
	}
	if (strcmp(tag, "64") == 0) {
		unsigned a[4];
		char end;
		if (sscanf(val, "%u.%u.%u.%u%c", &a[0], &a[1], &a[2], &a[3], &end) != 4 || a[0] > 255 || a[1] > 255 ||
		    a[2] > 255 || a[3] > 255) {
			snprintf(why, whysz, "'%.60s' is not an IPv4 address", val);
			return -1;
		}
		unsigned char ip[4] = {(unsigned char)a[0], (unsigned char)a[1], (unsigned char)a[2], (unsigned char)a[3]};
		snmpw_vbs_add(out, name, SNMPW_IPADDR, 0, ip, 4);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(tags); i++) {
		if (strcmp(tags[i].tag, tag) != 0)
			continue;
		char *e;
		errno = 0;
		long long x = strtoll(val, &e, 10);
		if (!*val || *e || errno) {
			snprintf(why, whysz, "'%.60s' is not a number (tag %s)", val, tag);
			return -1;
		}
		snmpw_vbs_add(out, name, tags[i].t, x, NULL, 0);
		return 0;
	}
	snprintf(why, whysz, "unknown type tag '%.10s'", tag);
	return -1;
}

int rec_snmprec_parse(const char *line, struct snmpw_vbs *out, char *why, size_t whysz)
{
	const char *p1 = strchr(line, '|'), *p2 = p1 ? strchr(p1 + 1, '|') : NULL;
	if (!p1 || !p2 || p2 - p1 > 10 || p1 - line >= SNMPW_OID_TXT) {
		snprintf(why, whysz, "not an OID|TYPE|VALUE line");
		return -1;
	}
	char oid[SNMPW_OID_TXT], tag[12];
	snprintf(oid, sizeof(oid), "%.*s", (int)(p1 - line), line);
	snprintf(tag, sizeof(tag), "%.*s", (int)(p2 - p1 - 1), p1 + 1);
	struct snmpw_oid name;
	if (snmpw_oid_parse(oid, &name) < 0 || name.n < 2) {
		snprintf(why, whysz, "'%.60s' is not an OID", oid);
		return -1;
	}
	return parse_value(out, &name, tag, p2 + 1, why, whysz);
}

static int cmp_vb(const void *a, const void *b)
{
	const struct snmpw_vb *x = a, *y = b;
	return snmpw_oid_cmp(&x->name, &y->name);
}

void rec_snmprec_sort(struct snmpw_vbs *l)
{
	if (l->n < 2)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp_vb);
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (w && snmpw_oid_cmp(&l->v[w - 1].name, &l->v[i].name) == 0) {
			free(l->v[i].bytes); /* the same object read twice: one line */
			continue;
		}
		l->v[w++] = l->v[i];
	}
	l->n = w;
}
