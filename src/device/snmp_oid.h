/* device/snmp_oid.h — the plain SNMP values the rest of mfpdoctor sees (no net-snmp types):
 * object identifiers as arcs, variable bindings and lists of them, the value type and
 * error-status names (RFC 3416), and HOST[:PORT] splitting. Pure; no I/O.
 * Licence: see LICENSE. */
#ifndef MFP_DEVICE_SNMP_OID_H
#define MFP_DEVICE_SNMP_OID_H
#include <stdbool.h>
#include <stddef.h>

/* SNMP allows at most 128 sub-identifiers (RFC 2578 section 3.5). */
#define SNMPW_OID_MAX 128
/* Room for the dotted text of any OID: 128 arcs of up to 10 digits and a dot, plus the NUL. */
#define SNMPW_OID_TXT (SNMPW_OID_MAX * 11 + 1)

/* An object identifier as arcs. */
struct snmpw_oid {
	unsigned long a[SNMPW_OID_MAX];
	size_t n;
};

enum snmpw_type {
	SNMPW_INT, SNMPW_STR, SNMPW_OIDVAL, SNMPW_IPADDR, SNMPW_COUNTER, SNMPW_GAUGE, SNMPW_TICKS,
	SNMPW_COUNTER64, SNMPW_NULL, SNMPW_NOSUCHOBJECT, SNMPW_NOSUCHINSTANCE, SNMPW_ENDOFMIB,
	SNMPW_OTHER,
};
/* "INTEGER", "OCTET STRING", ... "noSuchObject", "endOfMibView". This function can't fail. */
const char *snmpw_type_name(enum snmpw_type t);
/* The RFC 3416 name of an error-status: "tooBig", "noSuchName", "genErr", ... or
 * "error-status N" for values outside the RFC (in a static buffer). */
const char *snmpw_errstat_name(long errstat);

/* One variable binding. bytes holds the raw OCTET STRING / IpAddress octets (NUL-terminated
 * copy, len excludes the NUL), or the dotted text of an OBJECT IDENTIFIER value. */
struct snmpw_vb {
	struct snmpw_oid name;
	enum snmpw_type type;
	long long i;            /* INTEGER, Counter32/64, Gauge32, TimeTicks */
	unsigned char *bytes;   /* owned */
	size_t len;
};

struct snmpw_vbs {
	struct snmpw_vb *v;
	size_t n, cap;
};
/* Appends a copy of bytes[0..len) (may be NULL) as a new varbind; returns a borrowed pointer. */
struct snmpw_vb *snmpw_vbs_add(struct snmpw_vbs *l, const struct snmpw_oid *name, enum snmpw_type t,
			       long long i, const void *bytes, size_t len);
void snmpw_vbs_free(struct snmpw_vbs *l);

/* OID helpers. snmpw_oid_parse returns 0, or -1 on anything but digits and dots (leading dot
 * allowed). snmpw_oid_str writes dotted text (cut to sz; SNMPW_OID_TXT always fits).
 * cmp is lexicographic (SNMP order). */
int snmpw_oid_parse(const char *dotted, struct snmpw_oid *out);
void snmpw_oid_str(const struct snmpw_oid *o, char *buf, size_t sz);
int snmpw_oid_cmp(const struct snmpw_oid *a, const struct snmpw_oid *b);
bool snmpw_oid_under(const struct snmpw_oid *o, const struct snmpw_oid *root); /* strictly below */

/* Splits "HOST", "HOST:PORT", "[v6]:PORT" or a bare IPv6 address. Returns 0 or -1. host gets
 * the name without brackets, *port the port (161 when absent). */
int snmpw_split_peer(const char *peer, char *host, size_t hostsz, int *port);

#endif
