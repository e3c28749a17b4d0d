/* device/snmp_sess.h — a thin wrapper over net-snmp's single-session API: open a v1, v2c or v3
 * session, send GET, GETNEXT and GETBULK PDUs (never SET), and hand the varbinds back as plain
 * values so the reading logic (snmp_read.c) never touches net-snmp types. Every PDU sent is
 * counted. Also: a raw "is anything listening on UDP 161?" probe used to explain silence.
 * Licence: see LICENSE. */
#ifndef MFP_DEVICE_SNMP_SESS_H
#define MFP_DEVICE_SNMP_SESS_H
#include <stdbool.h>
#include <stddef.h>

#define SNMPW_OID_MAX 128

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
 * allowed). snmpw_oid_str writes dotted text (cut to sz). cmp is lexicographic (SNMP order). */
int snmpw_oid_parse(const char *dotted, struct snmpw_oid *out);
void snmpw_oid_str(const struct snmpw_oid *o, char *buf, size_t sz);
int snmpw_oid_cmp(const struct snmpw_oid *a, const struct snmpw_oid *b);
bool snmpw_oid_under(const struct snmpw_oid *o, const struct snmpw_oid *root); /* strictly below */

enum snmpw_auth_proto { SNMPW_AUTH_MD5, SNMPW_AUTH_SHA, SNMPW_AUTH_SHA256 };
enum snmpw_priv_proto { SNMPW_PRIV_DES, SNMPW_PRIV_AES };
enum snmpw_level { SNMPW_LEVEL_NOAUTH, SNMPW_LEVEL_AUTH, SNMPW_LEVEL_PRIV };

struct snmpw_conf {
	const char *peer;          /* HOST, HOST:PORT, [v6addr]:PORT */
	int version;               /* 1, 2 (v2c) or 3 */
	const char *community;     /* v1/v2c */
	const char *user;          /* v3 security name */
	const char *context;       /* v3 context name or NULL ("") */
	enum snmpw_level level;
	enum snmpw_auth_proto auth_proto;
	const char *auth_pass;
	enum snmpw_priv_proto priv_proto;
	const char *priv_pass;
	long timeout_ms;           /* per try */
	int retries;
};

enum snmpw_status {
	SNMPW_OK,
	SNMPW_TIMEOUT,     /* no answer within timeout x (retries + 1) */
	SNMPW_TOOBIG,      /* agent answered tooBig */
	SNMPW_PDU_ERROR,   /* agent answered with another error-status (errstat, errindex) */
	SNMPW_AUTH,        /* SNMPv3 USM failure: unknown user, wrong keys, time window, engine */
	SNMPW_SESSION,     /* local failure: bad address, unknown host, encoding */
};

/* Our message plus the peer's own words: errstat/errindex and the library's error text. */
struct snmpw_err {
	enum snmpw_status status;
	long errstat, errindex;    /* from the response PDU (errindex is 1-based) */
	int liberr;                /* net-snmp SNMPERR_* or 0 */
	char msg[256];
	char hint[160];            /* our reading of a USM failure, or "" */
};

struct snmpw;

/* Opens a session (for v3 this runs net-snmp's engine-ID discovery, one round trip, counted).
 * Secrets in conf are used and not kept beyond the session's derived keys. Returns a new
 * session to close with snmpw_close, or NULL with err filled. */
struct snmpw *snmpw_open(const struct snmpw_conf *conf, struct snmpw_err *err);
/* Each sends one PDU (plus net-snmp's retries) and appends the response varbinds to out.
 * Returns 0 on a response with error-status 0, else -1 with err filled (out unchanged). */
int snmpw_get(struct snmpw *s, const struct snmpw_oid *oids, size_t n, struct snmpw_vbs *out,
	      struct snmpw_err *err);
int snmpw_getnext(struct snmpw *s, const struct snmpw_oid *oids, size_t n, struct snmpw_vbs *out,
		  struct snmpw_err *err);
int snmpw_getbulk(struct snmpw *s, const struct snmpw_oid *oids, size_t n, int nonrep, int maxrep,
		  struct snmpw_vbs *out, struct snmpw_err *err);
/* Changes the per-try timeout and retries for the next requests (deadline budgeting). */
void snmpw_set_timeout(struct snmpw *s, long timeout_ms, int retries);
int snmpw_requests(const struct snmpw *s);   /* PDUs sent, retries not counted */
int snmpw_version(const struct snmpw *s);
void snmpw_close(struct snmpw *s);

/* Sends one SNMPv3 discovery message (no secrets in it) to peer on a connected UDP socket and
 * waits up to timeout_ms. Returns 1 when something answered, 0 on silence, -1 when the host
 * said ICMP port unreachable (nothing listens), -2 on a local error; msg says which. */
int snmpw_probe_alive(const char *peer, long timeout_ms, char *msg, size_t msgsz);

/* Splits "HOST", "HOST:PORT", "[v6]:PORT" or a bare IPv6 address. Returns 0 or -1. host gets
 * the name without brackets, *port the port (161 when absent). */
int snmpw_split_peer(const char *peer, char *host, size_t hostsz, int *port);

#endif
