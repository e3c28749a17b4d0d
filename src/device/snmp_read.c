/* device/snmp_read.c — the SNMP read plan (GET scalars, parallel GETBULK walks, v1 fallback,
 * budget, explaining silence); see snmp_read.h. Licence: see LICENSE. */
#include "device/snmp_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device/decode_device.h"
#include "device/snmp_std.h"
#include "kb/vendor.h"
#include "profile/profile.h"

#define ROUND_VARBINDS 120   /* varbinds asked for per GETBULK round */
#define MAX_REPS 40
#define MAX_ROWS 1000        /* per column */
#define MAX_ROUNDS 60

struct reader {
	const struct dsnmp_request *rq;
	struct device *d;
	struct snmpw *s;
	long deadline;
	int version;
	struct snmpw_vbs all;
	bool partial;
	bool answered;
	long per_cap;             /* longest per-try timeout */
	int retries;
	struct snmpw_err first_err;
};

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static long left_ms(const struct reader *r)
{
	return r->deadline - now_ms();
}

/* Fits the next request's timeout x (retries + 1) into what is left of the budget. Returns
 * false when too little is left to try. */
static bool budget_next(struct reader *r)
{
	long left = left_ms(r);
	if (left < 80)
		return false;
	int retries = r->retries;
	long per = left / (retries + 1);
	if (per > r->per_cap)
		per = r->per_cap;
	snmpw_set_timeout(r->s, per, retries);
	return true;
}

static void note_budget(struct reader *r, const char *what)
{
	r->partial = true;
	device_note(r->d, "SNMP: time budget used up before %s; that part was not read", what);
}

/* GETs oids[0..n), splitting on tooBig and dropping objects an SNMPv1 agent calls noSuchName.
 * Returns 0 when something was read (or nothing needed), -1 on failure (err filled). */
static int get_scalars(struct reader *r, struct snmpw_oid *oids, size_t n, struct snmpw_err *err, int depth)
{
	if (!n)
		return 0;
	for (size_t tries = 0; tries <= n; tries++) {
		if (!budget_next(r)) {
			note_budget(r, "all scalars were read");
			err->status = SNMPW_TIMEOUT;
			snprintf(err->msg, sizeof(err->msg), "time budget used up");
			return -1;
		}
		if (snmpw_get(r->s, oids, n, &r->all, err) == 0) {
			r->answered = true;
			return 0;
		}
		if (err->status == SNMPW_TOOBIG && n > 1 && depth < 8) {
			r->answered = true;
			size_t h = n / 2;
			int a = get_scalars(r, oids, h, err, depth + 1);
			struct snmpw_err e2;
			int b = get_scalars(r, oids + h, n - h, &e2, depth + 1);
			if (a < 0 && b < 0)
				return -1;
			if (a < 0 || b < 0)
				r->partial = true;
			return 0;
		}
		if (err->status == SNMPW_PDU_ERROR && err->errindex >= 1 && (size_t)err->errindex <= n && n > 1) {
			/* v1 noSuchName (or genErr) on one object: drop it and ask again */
			r->answered = true;
			memmove(&oids[err->errindex - 1], &oids[err->errindex], (n - (size_t)err->errindex) * sizeof(*oids));
			n--;
			continue;
		}
		if (err->status == SNMPW_PDU_ERROR && n == 1) {
			r->answered = true;
			return 0; /* the one object is not there */
		}
		return -1;
	}
	return -1;
}

struct column {
	struct snmpw_oid root, last;
	bool done;
	size_t rows;
};

/* Takes one response varbind for column c. Returns false when the column ended. */
static bool take(struct reader *r, struct column *c, const struct snmpw_vb *vb)
{
	if (vb->type == SNMPW_ENDOFMIB || vb->type == SNMPW_NOSUCHOBJECT || vb->type == SNMPW_NOSUCHINSTANCE ||
	    !snmpw_oid_under(&vb->name, &c->root))
		return false;
	if (snmpw_oid_cmp(&vb->name, &c->last) <= 0) {
		char a[300], b[300];
		snmpw_oid_str(&vb->name, a, sizeof(a));
		snmpw_oid_str(&c->last, b, sizeof(b));
		device_note(r->d, "SNMP: the agent returned %s after %s (OIDs not increasing); stopped walking that column",
			    a, b);
		return false;
	}
	snmpw_vbs_add(&r->all, &vb->name, vb->type, vb->i, vb->bytes, vb->len);
	c->last = vb->name;
	if (++c->rows >= MAX_ROWS) {
		char a[300];
		snmpw_oid_str(&c->root, a, sizeof(a));
		device_note(r->d, "SNMP: column %s has more than %d rows; stopped there", a, MAX_ROWS);
		return false;
	}
	return true;
}

/* One GETBULK (or v1 GETNEXT) round over the active columns. Returns 0, or -1 when the walk
 * must stop (error, budget). */
static int walk_round(struct reader *r, struct column *cols, size_t ncols, int *round_vbs)
{
	struct snmpw_oid req[COL_STD_LAST + 64];
	size_t map[COL_STD_LAST + 64], na = 0;
	for (size_t i = 0; i < ncols && na < ARRAY_SIZE(req); i++)
		if (!cols[i].done) {
			req[na] = cols[i].last;
			map[na++] = i;
		}
	if (!na)
		return 0;
	if (!budget_next(r)) {
		note_budget(r, "all tables were walked");
		return -1;
	}
	struct snmpw_vbs resp = {0};
	struct snmpw_err err;
	int rc;
	int maxrep = *round_vbs / (int)na;
	if (maxrep < 1)
		maxrep = 1;
	if (maxrep > MAX_REPS)
		maxrep = MAX_REPS;
	if (r->version == 1)
		rc = snmpw_getnext(r->s, req, na, &resp, &err);
	else
		rc = snmpw_getbulk(r->s, req, na, 0, maxrep, &resp, &err);
	if (rc < 0) {
		snmpw_vbs_free(&resp);
		if (err.status == SNMPW_TOOBIG && *round_vbs > (int)na) {
			*round_vbs /= 2;
			return 0;
		}
		if (err.status == SNMPW_TOOBIG) { /* even one row per column is too big: one column per round */
			for (size_t i = 1; i < na; i++)
				cols[map[i]].done = true;
			r->partial = true;
			device_note(r->d, "SNMP: responses too big even with one row per column; some tables skipped");
			return 0;
		}
		if (r->version == 1 && err.status == SNMPW_PDU_ERROR && err.errindex >= 1 && (size_t)err.errindex <= na) {
			cols[map[err.errindex - 1]].done = true; /* v1 end of MIB for that column */
			return 0;
		}
		r->partial = true;
		device_note(r->d, "SNMP: table walk stopped: %s", err.msg);
		return -1;
	}
	if (!resp.n) {
		for (size_t i = 0; i < na; i++)
			cols[map[i]].done = true;
		device_note(r->d, "SNMP: the agent answered a walk request with no values");
		snmpw_vbs_free(&resp);
		return 0;
	}
	bool ended[COL_STD_LAST + 64] = {false};
	for (size_t k = 0; k < resp.n; k++) {
		size_t a = k % na;
		struct column *c = &cols[map[a]];
		if (ended[a])
			continue;
		if (!take(r, c, &resp.v[k])) {
			ended[a] = true;
			c->done = true;
		}
	}
	/* A column that got its full share stays active; one cut short by a truncated response too. */
	snmpw_vbs_free(&resp);
	return 0;
}

static void walk(struct reader *r, const struct decode_oids *roots)
{
	struct column *cols = xcalloc(roots->n ? roots->n : 1, sizeof(*cols));
	size_t n = roots->n < COL_STD_LAST + 64 ? roots->n : COL_STD_LAST + 64;
	for (size_t i = 0; i < n; i++)
		cols[i].root = cols[i].last = roots->v[i];
	int round_vbs = ROUND_VARBINDS;
	for (int round = 0; round < MAX_ROUNDS; round++) {
		bool any = false;
		for (size_t i = 0; i < n; i++)
			any |= !cols[i].done;
		if (!any || walk_round(r, cols, n, &round_vbs) < 0)
			break;
	}
	free(cols);
}

/* Why nothing answered: our message and the peer's evidence. */
static void explain_silence(struct reader *r, const struct snmpw_err *err)
{
	const struct snmpw_conf *c = &r->rq->conf;
	if (err->status == SNMPW_AUTH) {
		device_note(r->d, "SNMP: the agent rejected our SNMPv3 request with a USM report (%s): %s", err->msg,
			    err->hint[0] ? err->hint : "check the user, security level, protocols and pass phrases");
		return;
	}
	if (err->status == SNMPW_SESSION) {
		device_note(r->d, "SNMP: %s", err->msg);
		return;
	}
	const char *ver = c->version == 3 ? "SNMPv3" : c->version == 1 ? "SNMPv1" : "SNMPv2c";
	if (!r->rq->probe || left_ms(r) < 100) {
		device_note(r->d, "SNMP: no answer to %s within the time budget: SNMP disabled, a firewall, or (v1/v2c) a "
				  "wrong community — agents ignore wrong communities silently", ver);
		return;
	}
	char msg[200];
	int p = snmpw_probe_alive(c->peer, left_ms(r) - 20, msg, sizeof(msg));
	if (p == -1)
		device_note(r->d, "SNMP: no agent is listening on the SNMP port (%s): SNMP is turned off on the device, or "
				  "the port is wrong", msg);
	else if (p == 1)
		device_note(r->d, "SNMP: an agent is running (%s) but ignored our %s request: %s", msg, ver,
			    c->version == 3 ? "user, keys or context name (--context) wrong, or SNMPv3 not enabled for this user"
					    : "wrong community, or the agent only accepts other managers (access list)");
	else if (p == 0)
		device_note(r->d, "SNMP: no answer to %s and %s: SNMP disabled with packets dropped, a firewall in between, "
				  "or a wrong community on an agent without SNMPv3", ver, msg);
	else
		device_note(r->d, "SNMP: no answer to %s; probe failed: %s", ver, msg);
}

static struct snmpw *open_session(struct reader *r, int version, long per_try, struct snmpw_err *err)
{
	struct snmpw_conf c = r->rq->conf;
	c.version = version;
	c.timeout_ms = per_try < 50 ? 50 : per_try;
	r->version = version;
	return snmpw_open(&c, err);
}

/* The first GET: every standard scalar, plus (v2c/v3) every vendor profile's scalars. */
static void scalar_list(const struct ident_vendors *vs, bool vendors, struct decode_oids *l)
{
	for (size_t i = 0; i < snmp_std_nscalars; i++)
		decode_oids_add(l, snmp_std_scalars[i].oid);
	struct decode_oids cols = {0};
	for (size_t i = 0; vendors && i < vs->n; i++)
		decode_vendor_oids(&vs->v[i], l, &cols);
	decode_oids_free(&cols);
}

/* Which vendor the values so far point to (decoded into a scratch record). */
static const struct ident_vendor *peek_vendor(struct reader *r, const struct ident_vendors *vs)
{
	struct device tmp;
	device_init(&tmp, r->d->host);
	const struct ident_vendor *v = decode_device(&tmp, vs, &r->all, time(NULL));
	device_free(&tmp);
	return v;
}

static int first_contact(struct reader *r, const struct ident_vendors *vs, struct decode_oids *scalars)
{
	const struct dsnmp_request *rq = r->rq;
	int v = rq->conf.version;
	bool fallback = v == 2 && rq->v1_fallback;
	long per = (long)((double)rq->budget_ms * (fallback ? 0.5 : 0.7)) / (rq->conf.retries + 1);
	struct snmpw_err err;
	r->per_cap = per;
	r->retries = rq->conf.retries;
	r->s = open_session(r, v, per, &err);
	if (r->s) {
		scalar_list(vs, v != 1, scalars);
		snmpw_set_timeout(r->s, per, rq->conf.retries);
		if (get_scalars(r, scalars->v, scalars->n, &err, 0) == 0)
			return 0;
	}
	r->first_err = err;
	if (fallback && err.status == SNMPW_TIMEOUT) {
		int sent = snmpw_requests(r->s);
		snmpw_close(r->s);
		long per1 = (long)((double)rq->budget_ms * 0.25);
		r->per_cap = per1;
		r->retries = 0;
		r->s = open_session(r, 1, per1, &err);
		if (r->s) {
			struct snmpw_oid *keep = xcalloc(snmp_std_nscalars, sizeof(*keep));
			size_t nk = 0;
			for (size_t i = 0; i < snmp_std_nscalars; i++)
				if (snmpw_oid_parse(snmp_std_scalars[i].oid, &keep[nk]) == 0)
					nk++;
			snmpw_set_timeout(r->s, per1 < left_ms(r) ? per1 : left_ms(r), 0);
			int rc = get_scalars(r, keep, nk, &err, 0);
			free(keep);
			r->d->snmp_requests += sent;
			if (rc == 0) {
				device_note(r->d, "SNMP: no answer to SNMPv2c; the agent answered SNMPv1 (used it from then on)");
				decode_oids_free(scalars);
				return 0;
			}
		} else
			r->d->snmp_requests += sent;
	}
	explain_silence(r, &r->first_err);
	return -1;
}

void dsnmp_explain_events(struct device *d)
{
	const char *vid = device_value(d, "identity.vendor_id");
	const struct kb_vendor *kv = vid ? kb_vendor_find(vid) : NULL;
	if (!kv)
		return;
	const char *family = device_value(d, "identity.family");
	for (size_t i = 0; i < d->nevents; i++) {
		const struct device_event *e = &d->events[i];
		struct kb_vendor_hit hit;
		if (!e->code || kb_vendor_lookup(e->code, kv, family, &hit, 1, NULL) == 0)
			continue;
		const char *meaning = json_string_value(json_object_get(hit.entry, "meaning"));
		char key[64], *where = xasprintf("devices/%s.json error_codes[%s]", kv->id, hit.typed_as);
		snprintf(key, sizeof(key), "event.%zu.meaning", i);
		device_set(d, key, meaning, FACT_PROFILE, where);
		free(where);
	}
}

enum dsnmp_result dsnmp_read(const struct dsnmp_request *rq, const struct ident_vendors *vs, struct device *d)
{
	struct reader r = {.rq = rq, .d = d, .deadline = now_ms() + rq->budget_ms};
	struct decode_oids scalars = {0}, cols = {0};
	enum dsnmp_result res = DSNMP_OK;
	if (first_contact(&r, vs, &scalars) < 0) {
		res = r.answered ? DSNMP_PARTIAL : DSNMP_NONE;
		goto out;
	}
	const struct ident_vendor *v = peek_vendor(&r, vs);
	if (r.version == 1 && v) { /* v1: vendor scalars only now (a missing one costs a round trip) */
		struct decode_oids vsc = {0}, vcol = {0};
		decode_vendor_oids(v, &vsc, &vcol);
		struct snmpw_err err;
		if (vsc.n && get_scalars(&r, vsc.v, vsc.n, &err, 0) < 0) {
			r.partial = true;
			device_note(d, "SNMP: vendor objects not read: %s", err.msg);
		}
		decode_oids_free(&vsc);
		decode_oids_free(&vcol);
	}
	for (size_t i = 0; i < COL_STD_LAST; i++)
		decode_oids_add(&cols, snmp_std_columns[i].oid);
	struct decode_oids unused = {0};
	decode_vendor_oids(v, &unused, &cols);
	decode_oids_free(&unused);
	walk(&r, &cols);
	res = r.partial ? DSNMP_PARTIAL : DSNMP_OK;
out:
	if (r.all.n) {
		decode_device(d, vs, &r.all, time(NULL));
		dsnmp_explain_events(d);
	}
	d->snmp_requests += snmpw_requests(r.s);
	const char *vn = r.version == 3 ? "3" : r.version == 1 ? "1" : "2c";
	if (r.answered) {
		device_set(d, "snmp.version", vn, FACT_SNMP, "version that answered");
		if (!device_get(d, "identity.sysdescr") && !device_get(d, "identity.sysobjectid"))
			device_note(d, "SNMP: the agent answered but gave neither sysDescr nor sysObjectID");
	}
	snmpw_close(r.s);
	snmpw_vbs_free(&r.all);
	decode_oids_free(&scalars);
	decode_oids_free(&cols);
	return res;
}
