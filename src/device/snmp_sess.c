/* device/snmp_sess.c — net-snmp session wrapper; see snmp_sess.h. The only file that includes
 * net-snmp headers for requests. Licence: see LICENSE. */
#include "device/snmp_sess.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "util/buf.h"

struct snmpw {
	void *sessp;               /* net-snmp single-session handle; NULL when the tap answers */
	int version;
	int requests;
};

static const struct snmpw_tap *tap;

void snmpw_set_tap(const struct snmpw_tap *t)
{
	tap = t;
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
	if (tap && tap->answer) {
		struct snmpw *s = xcalloc(1, sizeof(*s));
		s->version = c->version;
		return s;
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

/* The agent answered with an error-status: keep its words (status, index, the OID named). */
static void fill_pdu_error(struct snmpw_err *err, const netsnmp_pdu *resp, const struct snmpw_oid *oids, size_t n)
{
	err->status = resp->errstat == SNMP_ERR_TOOBIG ? SNMPW_TOOBIG : SNMPW_PDU_ERROR;
	err->errstat = resp->errstat;
	err->errindex = resp->errindex;
	if (resp->errindex >= 1 && (size_t)resp->errindex <= n)
		snmpw_oid_str(&oids[resp->errindex - 1], err->oid, sizeof(err->oid));
	snprintf(err->msg, sizeof(err->msg), "%s: the agent answered %s (error-status %ld, error-index %ld of %zu)",
		 err->op, snmpw_errstat_name(resp->errstat), resp->errstat, resp->errindex, n);
}

/* No response: a timeout, a USM failure or a local error. parse_errs: net-snmp's count of
 * undecodable messages received while waiting (an answer it dropped is not silence). */
static void fill_no_response(struct snmpw *s, int st, unsigned parse_errs, struct snmpw_err *err)
{
	if (st == STAT_TIMEOUT && parse_errs) {
		err->status = SNMPW_BADREPLY;
		snprintf(err->msg, sizeof(err->msg), "%s: the agent answered, but net-snmp could not decode the answer (%u "
			 "malformed message%s, e.g. an OID longer than SNMP's 128 sub-identifiers)", err->op, parse_errs,
			 parse_errs == 1 ? "" : "s");
		return;
	}
	if (st == STAT_TIMEOUT) {
		err->status = SNMPW_TIMEOUT;
		err->liberr = SNMPERR_TIMEOUT;
		snprintf(err->msg, sizeof(err->msg), "%s: no answer (timeout)", err->op);
		return;
	}
	int liberr = 0, syserr = 0;
	char *es = NULL;
	snmp_sess_error(s->sessp, &liberr, &syserr, &es);
	if (!liberr && es)
		liberr = liberr_from_text(es, s->version);
	fill_liberr(err, liberr, err->op);
	if (es && *es)
		snprintf(err->msg, sizeof(err->msg), "%s: %s (net-snmp error %d)", err->op, es, liberr);
	free(es);
}

static int request(struct snmpw *s, int cmd, const struct snmpw_oid *oids, size_t n, int nonrep, int maxrep,
		   struct snmpw_vbs *out, struct snmpw_err *err)
{
	memset(err, 0, sizeof(*err));
	err->op = cmd == SNMP_MSG_GET ? "GET" : cmd == SNMP_MSG_GETNEXT ? "GETNEXT" : "GETBULK";
	err->nreq = n;
	if (!s->sessp) {
		s->requests++;
		size_t n0 = out->n;
		int arc = tap && tap->answer ? tap->answer(tap->u, err->op, oids, n, nonrep, maxrep, out, err) : -1;
		for (size_t i = n0; arc == 0 && tap->observe && i < out->n; i++)
			tap->observe(tap->u, &out->v[i]);
		return arc;
	}
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
	unsigned parse0 = snmp_get_statistic(STAT_SNMPINASNPARSEERRS);
	int st = snmp_sess_synch_response(s->sessp, pdu, &resp);
	int rc = -1;
	if (st != STAT_SUCCESS || !resp)
		fill_no_response(s, st == STAT_TIMEOUT ? st : STAT_ERROR, snmp_get_statistic(STAT_SNMPINASNPARSEERRS) - parse0,
				 err);
	else if (resp->errstat != SNMP_ERR_NOERROR)
		fill_pdu_error(err, resp, oids, n);
	else {
		for (netsnmp_variable_list *v = resp->variables; v; v = v->next_variable) {
			copy_vb(out, v);
			if (tap && tap->observe)
				tap->observe(tap->u, &out->v[out->n - 1]);
		}
		rc = 0;
	}
	if (resp)
		snmp_free_pdu(resp);
	return rc;
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
	netsnmp_session *ss = s->sessp ? snmp_sess_session(s->sessp) : NULL;
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
	if (s->sessp)
		snmp_sess_close(s->sessp);
	free(s);
}
