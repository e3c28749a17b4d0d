/* device/snmp_sess.h — a thin wrapper over net-snmp's single-session API: open a v1, v2c or v3
 * session, send GET, GETNEXT and GETBULK PDUs (never SET), and hand the varbinds back as plain
 * values (snmp_oid.h) so the reading logic (snmp_read.c) never touches net-snmp types. Every
 * PDU sent is counted. An error answer keeps the peer's own words: error-status, error-index
 * and the OID it names. Licence: see LICENSE. */
#ifndef MFP_DEVICE_SNMP_SESS_H
#define MFP_DEVICE_SNMP_SESS_H
#include <stdbool.h>
#include <stddef.h>

#include "device/snmp_oid.h"

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
	SNMPW_BADREPLY,    /* an answer came that net-snmp could not decode (dropped) */
	SNMPW_AUTH,        /* SNMPv3 USM failure: unknown user, wrong keys, time window, engine */
	SNMPW_SESSION,     /* local failure: bad address, unknown host, encoding */
};

/* Our message plus the peer's own words: errstat/errindex, the OID the error-index names and
 * the library's error text. */
struct snmpw_err {
	enum snmpw_status status;
	long errstat, errindex;    /* from the response PDU (errindex is 1-based, 0 = none named) */
	size_t nreq;               /* varbinds in the request that got the error */
	const char *op;            /* "GET", "GETNEXT", "GETBULK" */
	char oid[SNMPW_OID_TXT];   /* the request OID errindex names, or "" when it names none */
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

/* A tap between every session and the agent, for `record` and `--replay` (src/record/):
 * observe (when set) sees each varbind of each successful response; answer (when set) answers
 * every request instead of net-snmp (no packet is sent; snmpw_open opens no socket) and returns
 * like snmpw_get. op is "GET", "GETNEXT" or "GETBULK". Process-wide; NULL removes it. The tap
 * is borrowed and must outlive the sessions. */
struct snmpw_tap {
	void (*observe)(void *u, const struct snmpw_vb *vb);
	int (*answer)(void *u, const char *op, const struct snmpw_oid *oids, size_t n, int nonrep, int maxrep,
		      struct snmpw_vbs *out, struct snmpw_err *err);
	void *u;
};
void snmpw_set_tap(const struct snmpw_tap *t);

#endif
