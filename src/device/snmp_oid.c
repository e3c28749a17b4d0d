/* device/snmp_oid.c — OIDs, varbind lists, type and error-status names, HOST[:PORT]; see
 * snmp_oid.h. Licence: see LICENSE. */
#include "device/snmp_oid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static const char *const type_names[] = {
	"INTEGER", "OCTET STRING", "OBJECT IDENTIFIER", "IpAddress", "Counter32", "Gauge32",
	"TimeTicks", "Counter64", "NULL", "noSuchObject", "noSuchInstance", "endOfMibView", "other",
};

const char *snmpw_type_name(enum snmpw_type t)
{
	return (unsigned)t < ARRAY_SIZE(type_names) ? type_names[t] : "?";
}

/* RFC 3416 section 3, error-status values 0..18. */
static const char *const errstat_names[] = {
	"noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr", "noAccess", "wrongType",
	"wrongLength", "wrongEncoding", "wrongValue", "noCreation", "inconsistentValue",
	"resourceUnavailable", "commitFailed", "undoFailed", "authorizationError", "notWritable",
	"inconsistentName",
};

const char *snmpw_errstat_name(long e)
{
	static char other[32];
	if (e >= 0 && (size_t)e < ARRAY_SIZE(errstat_names))
		return errstat_names[e];
	snprintf(other, sizeof(other), "error-status %ld", e);
	return other;
}

struct snmpw_vb *snmpw_vbs_add(struct snmpw_vbs *l, const struct snmpw_oid *name, enum snmpw_type t,
			       long long i, const void *bytes, size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	struct snmpw_vb *vb = &l->v[l->n++];
	memset(vb, 0, sizeof(*vb));
	vb->name = *name;
	vb->type = t;
	vb->i = i;
	if (bytes || t == SNMPW_STR || t == SNMPW_IPADDR || t == SNMPW_OIDVAL) {
		vb->bytes = xmalloc(len + 1);
		if (len)
			memcpy(vb->bytes, bytes, len);
		vb->bytes[len] = 0;
		vb->len = len;
	}
	return vb;
}

void snmpw_vbs_free(struct snmpw_vbs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].bytes);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int snmpw_oid_parse(const char *s, struct snmpw_oid *out)
{
	out->n = 0;
	if (!s || !*s)
		return -1;
	if (*s == '.')
		s++;
	while (*s) {
		if (*s < '0' || *s > '9' || out->n >= SNMPW_OID_MAX)
			return -1;
		char *end;
		errno = 0;
		unsigned long v = strtoul(s, &end, 10);
		if (errno || end == s || v > 0xffffffffUL)
			return -1;
		out->a[out->n++] = v;
		s = end;
		if (*s == '.') {
			s++;
			if (!*s)
				return -1;
		} else if (*s)
			return -1;
	}
	return out->n >= 2 ? 0 : -1;
}

void snmpw_oid_str(const struct snmpw_oid *o, char *buf, size_t sz)
{
	size_t off = 0;
	if (!sz)
		return;
	buf[0] = 0;
	for (size_t i = 0; i < o->n && off < sz; i++) {
		int w = snprintf(buf + off, sz - off, i ? ".%lu" : "%lu", o->a[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int snmpw_oid_cmp(const struct snmpw_oid *a, const struct snmpw_oid *b)
{
	size_t n = a->n < b->n ? a->n : b->n;
	for (size_t i = 0; i < n; i++)
		if (a->a[i] != b->a[i])
			return a->a[i] < b->a[i] ? -1 : 1;
	return a->n == b->n ? 0 : (a->n < b->n ? -1 : 1);
}

bool snmpw_oid_under(const struct snmpw_oid *o, const struct snmpw_oid *root)
{
	if (o->n <= root->n)
		return false;
	for (size_t i = 0; i < root->n; i++)
		if (o->a[i] != root->a[i])
			return false;
	return true;
}

int snmpw_split_peer(const char *peer, char *host, size_t hostsz, int *port)
{
	*port = 161;
	if (!peer || !*peer || strlen(peer) >= hostsz)
		return -1;
	const char *colon = strchr(peer, ':');
	if (peer[0] == '[') {
		const char *rb = strchr(peer, ']');
		if (!rb || (size_t)(rb - peer - 1) >= hostsz)
			return -1;
		memcpy(host, peer + 1, (size_t)(rb - peer - 1));
		host[rb - peer - 1] = 0;
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (rb[1] && !colon)
			return -1;
	} else if (colon && strchr(colon + 1, ':')) {
		snprintf(host, hostsz, "%s", peer); /* bare IPv6 */
		colon = NULL;
	} else {
		size_t n = colon ? (size_t)(colon - peer) : strlen(peer);
		memcpy(host, peer, n);
		host[n] = 0;
	}
	if (!*host)
		return -1;
	if (colon) {
		char *end;
		long p = strtol(colon + 1, &end, 10);
		if (*end || end == colon + 1 || p < 1 || p > 65535)
			return -1;
		*port = (int)p;
	}
	return 0;
}
