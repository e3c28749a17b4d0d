/* device/snmp_sess.c — net-snmp session wrapper; see snmp_sess.h. The only file that includes
 * net-snmp headers for requests. Licence: see LICENSE. */
#include "device/snmp_sess.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "util/buf.h"

struct snmpw {
	void *sessp;               /* net-snmp single-session handle */
	int version;
	int requests;
};

static const char *const type_names[] = {
	"INTEGER", "OCTET STRING", "OBJECT IDENTIFIER", "IpAddress", "Counter32", "Gauge32",
	"TimeTicks", "Counter64", "NULL", "noSuchObject", "noSuchInstance", "endOfMibView", "other",
};

const char *snmpw_type_name(enum snmpw_type t)
{
	return (unsigned)t < ARRAY_SIZE(type_names) ? type_names[t] : "?";
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

/* net-snmp once per process: no config files, no MIB loading, no persistent state, no logging
 * to stderr (errors come back through our structs). */
static void lib_init(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
	netsnmp_set_mib_directory("/nonexistent-mfpdoctor");
	setenv("MIBS", "", 1);
	snmp_disable_log();
	init_snmp("mfpdoctor");
	snmp_disable_log(); /* init_snmp may have installed a stderr handler */
}

static bool is_usm_error(int e)
{
	switch (e) {
	case SNMPERR_UNKNOWN_SEC_MODEL: case SNMPERR_UNKNOWN_ENG_ID: case SNMPERR_UNKNOWN_USER_NAME:
	case SNMPERR_AUTHENTICATION_FAILURE: case SNMPERR_NOT_IN_TIME_WINDOW: case SNMPERR_DECRYPTION_ERR:
	case SNMPERR_USM_GENERICERROR: case SNMPERR_USM_UNKNOWNSECURITYNAME:
	case SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL: case SNMPERR_USM_ENCRYPTIONERROR:
	case SNMPERR_USM_AUTHENTICATIONFAILURE: case SNMPERR_USM_PARSEERROR: case SNMPERR_USM_UNKNOWNENGINEID:
	case SNMPERR_USM_NOTINTIMEWINDOW: case SNMPERR_USM_DECRYPTIONERROR:
		return true;
	}
	return false;
}

static void fill_liberr(struct snmpw_err *err, int liberr, const char *what)
{
	err->liberr = liberr;
	err->errstat = err->errindex = 0;
	if (liberr == SNMPERR_TIMEOUT)
		err->status = SNMPW_TIMEOUT;
	else if (is_usm_error(liberr))
		err->status = SNMPW_AUTH;
	else
		err->status = SNMPW_SESSION;
	snprintf(err->msg, sizeof(err->msg), "%s: %s", what, snmp_api_errstring(liberr));
	const char *h = "";
	switch (liberr) {
	case SNMPERR_UNKNOWN_USER_NAME: case SNMPERR_USM_UNKNOWNSECURITYNAME:
		h = "wrong user: this security name is not configured on the device"; break;
	case SNMPERR_AUTHENTICATION_FAILURE: case SNMPERR_USM_AUTHENTICATIONFAILURE:
		h = "wrong keys: the authentication pass phrase or protocol (MD5/SHA/SHA-256) does not match"; break;
	case SNMPERR_DECRYPTION_ERR: case SNMPERR_USM_DECRYPTIONERROR:
		h = "wrong keys: the privacy pass phrase or protocol (DES/AES) does not match"; break;
	case SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL:
		h = "the user exists but not with this security level (--level)"; break;
	case SNMPERR_NOT_IN_TIME_WINDOW: case SNMPERR_USM_NOTINTIMEWINDOW:
		h = "engine boots/time out of window (device rebooted or clock jumped); retry"; break;
	case SNMPERR_UNKNOWN_ENG_ID: case SNMPERR_USM_UNKNOWNENGINEID:
		h = "SNMPv3 engine discovery failed"; break;
	}
	snprintf(err->hint, sizeof(err->hint), "%s", h);
}

/* snmp_sess_error sometimes gives the text without the number: find the number back. */
static int liberr_from_text(const char *es, int version)
{
	static const int codes[] = {
		SNMPERR_TIMEOUT, SNMPERR_UNKNOWN_SEC_MODEL, SNMPERR_UNKNOWN_ENG_ID, SNMPERR_UNKNOWN_USER_NAME,
		SNMPERR_AUTHENTICATION_FAILURE, SNMPERR_NOT_IN_TIME_WINDOW, SNMPERR_DECRYPTION_ERR,
		SNMPERR_USM_GENERICERROR, SNMPERR_USM_UNKNOWNSECURITYNAME, SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL,
		SNMPERR_USM_ENCRYPTIONERROR, SNMPERR_USM_AUTHENTICATIONFAILURE, SNMPERR_USM_PARSEERROR,
		SNMPERR_USM_UNKNOWNENGINEID, SNMPERR_USM_NOTINTIMEWINDOW, SNMPERR_USM_DECRYPTIONERROR,
		SNMPERR_BAD_PARSE,
	};
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		const char *t = snmp_api_errstring(codes[i]);
		if (t && strcmp(t, es) == 0)
			/* an answer we cannot parse under SNMPv3 is one we cannot authenticate */
			return codes[i] == SNMPERR_BAD_PARSE && version == 3 ? SNMPERR_USM_AUTHENTICATIONFAILURE : codes[i];
	}
	return 0;
}

static int key_from_pass(const oid *proto, size_t protolen, const char *pass, u_char *key, size_t *keylen,
			 struct snmpw_err *err, const char *what)
{
	if (!pass || strlen(pass) < 8) {
		err->status = SNMPW_SESSION;
		snprintf(err->msg, sizeof(err->msg), "SNMPv3 %s pass phrase must have at least 8 characters", what);
		return -1;
	}
	*keylen = USM_AUTH_KU_LEN;
	if (generate_Ku(proto, (u_int)protolen, (const u_char *)pass, strlen(pass), key, keylen) != SNMPERR_SUCCESS) {
		err->status = SNMPW_SESSION;
		snprintf(err->msg, sizeof(err->msg), "could not derive the SNMPv3 %s key", what);
		return -1;
	}
	return 0;
}

static int setup_v3(netsnmp_session *ss, const struct snmpw_conf *c, struct snmpw_err *err)
{
	ss->version = SNMP_VERSION_3;
	ss->securityName = (char *)(c->user ? c->user : "");
	ss->securityNameLen = strlen(ss->securityName);
	ss->contextName = (char *)(c->context ? c->context : "");
	ss->contextNameLen = strlen(ss->contextName);
	ss->securityLevel = c->level == SNMPW_LEVEL_PRIV ? SNMP_SEC_LEVEL_AUTHPRIV
			  : c->level == SNMPW_LEVEL_AUTH ? SNMP_SEC_LEVEL_AUTHNOPRIV : SNMP_SEC_LEVEL_NOAUTH;
	if (c->level == SNMPW_LEVEL_NOAUTH)
		return 0;
	const oid *ap = c->auth_proto == SNMPW_AUTH_MD5 ? usmHMACMD5AuthProtocol
		      : c->auth_proto == SNMPW_AUTH_SHA256 ? usmHMAC192SHA256AuthProtocol : usmHMACSHA1AuthProtocol;
	ss->securityAuthProto = snmp_duplicate_objid(ap, USM_AUTH_PROTO_MD5_LEN);
	ss->securityAuthProtoLen = USM_AUTH_PROTO_MD5_LEN;
	ss->securityAuthKeyLen = USM_AUTH_KU_LEN;
	if (key_from_pass(ss->securityAuthProto, ss->securityAuthProtoLen, c->auth_pass, ss->securityAuthKey,
			  &ss->securityAuthKeyLen, err, "authentication") < 0)
		return -1;
	if (c->level != SNMPW_LEVEL_PRIV)
		return 0;
	const oid *pp = c->priv_proto == SNMPW_PRIV_AES ? usmAESPrivProtocol : usmDESPrivProtocol;
	ss->securityPrivProto = snmp_duplicate_objid(pp, USM_PRIV_PROTO_DES_LEN);
	ss->securityPrivProtoLen = USM_PRIV_PROTO_DES_LEN;
	ss->securityPrivKeyLen = USM_PRIV_KU_LEN;
	return key_from_pass(ss->securityAuthProto, ss->securityAuthProtoLen, c->priv_pass, ss->securityPrivKey,
			     &ss->securityPrivKeyLen, err, "privacy");
}

struct snmpw *snmpw_open(const struct snmpw_conf *c, struct snmpw_err *err)
{
	memset(err, 0, sizeof(*err));
	char host[300], peername[340];
	int port;
	if (snmpw_split_peer(c->peer, host, sizeof(host), &port) < 0) {
		err->status = SNMPW_SESSION;
		snprintf(err->msg, sizeof(err->msg), "'%.80s' is not HOST[:PORT]", c->peer ? c->peer : "");
		return NULL;
	}
	lib_init();
	snprintf(peername, sizeof(peername), strchr(host, ':') ? "udp6:[%s]:%d" : "udp:%s:%d", host, port);
	netsnmp_session ss;
	snmp_sess_init(&ss);
	ss.peername = peername;
	ss.timeout = c->timeout_ms * 1000L;
	ss.retries = c->retries;
	if (c->version == 3) {
		if (setup_v3(&ss, c, err) < 0) {
			free(ss.securityAuthProto);
			free(ss.securityPrivProto);
			return NULL;
		}
	} else {
		ss.version = c->version == 1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
		ss.community = (u_char *)(c->community ? c->community : "");
		ss.community_len = strlen((const char *)ss.community);
	}
	struct snmpw *s = xcalloc(1, sizeof(*s));
	s->version = c->version;
	if (c->version == 3)
		s->requests++; /* engine-ID discovery inside snmp_sess_open */
	s->sessp = snmp_sess_open(&ss);
	free(ss.securityAuthProto);
	free(ss.securityPrivProto);
	memset(ss.securityAuthKey, 0, sizeof(ss.securityAuthKey));
	memset(ss.securityPrivKey, 0, sizeof(ss.securityPrivKey));
	if (!s->sessp) {
		int liberr = 0, syserr = 0;
		char *es = NULL;
		snmp_error(&ss, &liberr, &syserr, &es);
		fill_liberr(err, liberr ? liberr : snmp_errno, c->version == 3 ? "SNMPv3 engine discovery" : "session");
		if (liberr == SNMPERR_BAD_ADDRESS || liberr == SNMPERR_BAD_SENDTO)
			err->status = SNMPW_SESSION;
		if (es && *es)
			snprintf(err->msg, sizeof(err->msg), "%s", es);
		free(es);
		free(s);
		return NULL;
	}
	return s;
}

static enum snmpw_type map_type(u_char t)
{
	switch (t) {
	case ASN_INTEGER: return SNMPW_INT;
	case ASN_OCTET_STR: return SNMPW_STR;
	case ASN_OBJECT_ID: return SNMPW_OIDVAL;
	case ASN_IPADDRESS: return SNMPW_IPADDR;
	case ASN_COUNTER: return SNMPW_COUNTER;
	case ASN_GAUGE: return SNMPW_GAUGE;
	case ASN_TIMETICKS: return SNMPW_TICKS;
	case ASN_COUNTER64: return SNMPW_COUNTER64;
	case ASN_NULL: return SNMPW_NULL;
	case SNMP_NOSUCHOBJECT: return SNMPW_NOSUCHOBJECT;
	case SNMP_NOSUCHINSTANCE: return SNMPW_NOSUCHINSTANCE;
	case SNMP_ENDOFMIBVIEW: return SNMPW_ENDOFMIB;
	}
	return SNMPW_OTHER;
}

static void copy_vb(struct snmpw_vbs *out, const netsnmp_variable_list *v)
{
	struct snmpw_oid name = {.n = v->name_length < SNMPW_OID_MAX ? v->name_length : SNMPW_OID_MAX};
	for (size_t i = 0; i < name.n; i++)
		name.a[i] = v->name[i];
	enum snmpw_type t = map_type(v->type);
	switch (t) {
	case SNMPW_INT:
		snmpw_vbs_add(out, &name, t, v->val.integer ? *v->val.integer : 0, NULL, 0);
		break;
	case SNMPW_COUNTER: case SNMPW_GAUGE: case SNMPW_TICKS:
		snmpw_vbs_add(out, &name, t, v->val.integer ? (long long)(unsigned long)*v->val.integer : 0, NULL, 0);
		break;
	case SNMPW_COUNTER64: {
		long long x = v->val.counter64 ? (long long)(((unsigned long long)v->val.counter64->high << 32) |
							     v->val.counter64->low) : 0;
		snmpw_vbs_add(out, &name, t, x, NULL, 0);
		break;
	}
	case SNMPW_STR: case SNMPW_IPADDR:
		snmpw_vbs_add(out, &name, t, 0, v->val.string, v->val.string ? v->val_len : 0);
		break;
	case SNMPW_OIDVAL: {
		struct snmpw_oid o = {.n = 0};
		size_t n = v->val_len / sizeof(oid);
		for (size_t i = 0; i < n && i < SNMPW_OID_MAX && v->val.objid; i++)
			o.a[o.n++] = v->val.objid[i];
		char txt[SNMPW_OID_MAX * 11];
		snmpw_oid_str(&o, txt, sizeof(txt));
		snmpw_vbs_add(out, &name, t, 0, txt, strlen(txt));
		break;
	}
	default:
		snmpw_vbs_add(out, &name, t, 0, NULL, 0);
	}
}

static int request(struct snmpw *s, int cmd, const struct snmpw_oid *oids, size_t n, int nonrep, int maxrep,
		   struct snmpw_vbs *out, struct snmpw_err *err)
{
	memset(err, 0, sizeof(*err));
	netsnmp_pdu *pdu = snmp_pdu_create(cmd);
	if (cmd == SNMP_MSG_GETBULK) {
		pdu->non_repeaters = nonrep;
		pdu->max_repetitions = maxrep;
	}
	for (size_t i = 0; i < n; i++) {
		oid tmp[SNMPW_OID_MAX];
		for (size_t k = 0; k < oids[i].n; k++)
			tmp[k] = oids[i].a[k];
		snmp_add_null_var(pdu, tmp, oids[i].n);
	}
	netsnmp_pdu *resp = NULL;
	s->requests++;
	int st = snmp_sess_synch_response(s->sessp, pdu, &resp);
	const char *what = cmd == SNMP_MSG_GET ? "GET" : cmd == SNMP_MSG_GETNEXT ? "GETNEXT" : "GETBULK";
	if (st == STAT_TIMEOUT) {
		err->status = SNMPW_TIMEOUT;
		err->liberr = SNMPERR_TIMEOUT;
		snprintf(err->msg, sizeof(err->msg), "%s: no answer (timeout)", what);
		if (resp)
			snmp_free_pdu(resp);
		return -1;
	}
	if (st != STAT_SUCCESS || !resp) {
		int liberr = 0, syserr = 0;
		char *es = NULL;
		snmp_sess_error(s->sessp, &liberr, &syserr, &es);
		if (!liberr && es)
			liberr = liberr_from_text(es, s->version);
		fill_liberr(err, liberr, what);
		if (es && *es)
			snprintf(err->msg, sizeof(err->msg), "%s: %s (net-snmp error %d)", what, es, liberr);
		free(es);
		if (resp)
			snmp_free_pdu(resp);
		return -1;
	}
	if (resp->errstat != SNMP_ERR_NOERROR) {
		err->status = resp->errstat == SNMP_ERR_TOOBIG ? SNMPW_TOOBIG : SNMPW_PDU_ERROR;
		err->errstat = resp->errstat;
		err->errindex = resp->errindex;
		snprintf(err->msg, sizeof(err->msg), "%s: agent answered %s (error-status %ld, index %ld)", what,
			 snmp_errstring((int)resp->errstat), resp->errstat, resp->errindex);
		snmp_free_pdu(resp);
		return -1;
	}
	for (netsnmp_variable_list *v = resp->variables; v; v = v->next_variable)
		copy_vb(out, v);
	snmp_free_pdu(resp);
	return 0;
}

int snmpw_get(struct snmpw *s, const struct snmpw_oid *oids, size_t n, struct snmpw_vbs *out, struct snmpw_err *err)
{
	return request(s, SNMP_MSG_GET, oids, n, 0, 0, out, err);
}

int snmpw_getnext(struct snmpw *s, const struct snmpw_oid *oids, size_t n, struct snmpw_vbs *out,
		  struct snmpw_err *err)
{
	return request(s, SNMP_MSG_GETNEXT, oids, n, 0, 0, out, err);
}

int snmpw_getbulk(struct snmpw *s, const struct snmpw_oid *oids, size_t n, int nonrep, int maxrep,
		  struct snmpw_vbs *out, struct snmpw_err *err)
{
	return request(s, SNMP_MSG_GETBULK, oids, n, nonrep, maxrep, out, err);
}

void snmpw_set_timeout(struct snmpw *s, long timeout_ms, int retries)
{
	netsnmp_session *ss = snmp_sess_session(s->sessp);
	if (ss) {
		ss->timeout = (timeout_ms < 50 ? 50 : timeout_ms) * 1000L;
		ss->retries = retries < 0 ? 0 : retries;
	}
}

int snmpw_requests(const struct snmpw *s)
{
	return s ? s->requests : 0;
}

int snmpw_version(const struct snmpw *s)
{
	return s ? s->version : 0;
}

void snmpw_close(struct snmpw *s)
{
	if (!s)
		return;
	snmp_sess_close(s->sessp);
	free(s);
}

/* A fixed SNMPv3 discovery message: msgID/requestID set per call, empty user, noAuthNoPriv,
 * reportable, empty scoped GetRequest (RFC 3414 section 4). */
static size_t discovery_msg(unsigned char *m, unsigned id)
{
	static const unsigned char tmpl[] = {
		0x30, 0x3a, 0x02, 0x01, 0x03,
		0x30, 0x0f, 0x02, 0x02, 0x00, 0x00, 0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x04, 0x02, 0x01, 0x03,
		0x04, 0x10, 0x30, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
		0x04, 0x00,
		0x30, 0x12, 0x04, 0x00, 0x04, 0x00, 0xa0, 0x0c, 0x02, 0x02, 0x00, 0x00, 0x02, 0x01, 0x00, 0x02,
		0x01, 0x00, 0x30, 0x00,
	};
	memcpy(m, tmpl, sizeof(tmpl));
	m[9] = (unsigned char)((id >> 8) & 0x7f);
	m[10] = (unsigned char)(id & 0xff);
	m[50] = m[9];
	m[51] = m[10];
	return sizeof(tmpl);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int snmpw_probe_alive(const char *peer, long timeout_ms, char *msg, size_t msgsz)
{
	char host[300], portstr[16];
	int port;
	if (snmpw_split_peer(peer, host, sizeof(host), &port) < 0) {
		snprintf(msg, msgsz, "'%.80s' is not HOST[:PORT]", peer ? peer : "");
		return -2;
	}
	snprintf(portstr, sizeof(portstr), "%d", port);
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
	int g = getaddrinfo(host, portstr, &hints, &ai);
	if (g) {
		snprintf(msg, msgsz, "cannot resolve %.80s: %s", host, gai_strerror(g));
		return -2;
	}
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		snprintf(msg, msgsz, "local socket error: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -2;
	}
	freeaddrinfo(ai);
	unsigned char m[64], in[1500];
	size_t len = discovery_msg(m, (unsigned)(now_ms() & 0x7fff));
	int rc = 0;
	long deadline = now_ms() + timeout_ms;
	/* Send twice (start and middle) in case the first datagram is lost. */
	for (int attempt = 0; attempt < 2 && rc == 0; attempt++) {
		if (send(fd, m, len, 0) < 0) {
			rc = errno == ECONNREFUSED ? -1 : -2;
			snprintf(msg, msgsz, "%s", rc == -1 ? "ICMP port unreachable (connection refused)" : strerror(errno));
			break;
		}
		long until = attempt == 0 ? now_ms() + timeout_ms / 2 : deadline;
		for (;;) {
			long left = until - now_ms();
			if (left <= 0)
				break;
			struct pollfd p = {.fd = fd, .events = POLLIN};
			int pr = poll(&p, 1, (int)left);
			if (pr <= 0)
				break;
			ssize_t r = recv(fd, in, sizeof(in), 0);
			if (r < 0 && errno == ECONNREFUSED) {
				rc = -1;
				snprintf(msg, msgsz, "ICMP port unreachable (connection refused)");
			} else if (r > 0) {
				rc = 1;
				snprintf(msg, msgsz, "an SNMPv3 discovery message got a %zd-byte answer", r);
			} else
				continue;
			break;
		}
	}
	if (rc == 0)
		snprintf(msg, msgsz, "no answer to an SNMPv3 discovery message either");
	close(fd);
	return rc;
}
