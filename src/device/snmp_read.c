/* device/snmp_read.c — the SNMP read plan: one GET with every scalar (snmp_get.c), SNMPv1
 * once when v2c gets no answer, the vendor's scalars, then the table walk (snmp_walk.c), all
 * inside one time budget; silence explained, the agent's own error answers reported as such.
 * See snmp_read.h. Licence: see LICENSE. */
#include "device/snmp_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device/decode_device.h"
#include "device/snmp_probe.h"
#include "device/snmp_reader.h"
#include "device/snmp_std.h"
#include "kb/vendor.h"
#include "profile/profile.h"

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

long dsnmp_left_ms(const struct dsnmp_reader *r)
{
	return r->deadline - now_ms();
}

bool dsnmp_budget_next(struct dsnmp_reader *r)
{
	long left = dsnmp_left_ms(r);
	if (left < 80)
		return false;
	int retries = r->retries;
	long per = left / (retries + 1);
	r->budget_short = per < r->per_cap;
	if (per > r->per_cap)
		per = r->per_cap;
	snmpw_set_timeout(r->s, per, retries);
	return true;
}

void dsnmp_note_toobig(struct dsnmp_reader *r, const char *op, size_t asked)
{
	if (r->toobig_noted)
		return;
	r->toobig_noted = true;
	device_note(r->d, "SNMP: the agent answered tooBig to a %s of %zu values; mfpdoctor asked again for fewer per "
			  "request (more round trips)", op, asked);
}

/* Why nothing answered: our message and the peer's evidence. */
static void explain_silence(struct dsnmp_reader *r, const struct snmpw_err *err)
{
	const struct snmpw_conf *c = &r->rq->conf;
	if (err->status == SNMPW_AUTH) {
		device_note(r->d, "SNMP: the agent rejected our SNMPv3 request with a USM report (%s): %s", err->msg,
			    err->hint[0] ? err->hint : "check the user, security level, protocols and pass phrases");
		return;
	}
	if (err->status == SNMPW_SESSION || err->status == SNMPW_BADREPLY) {
		device_note(r->d, "SNMP: %s", err->msg);
		return;
	}
	const char *ver = c->version == 3 ? "SNMPv3" : c->version == 1 ? "SNMPv1" : "SNMPv2c";
	if (!r->rq->probe || dsnmp_left_ms(r) < 100) {
		device_note(r->d, "SNMP: no answer to %s within the time budget: SNMP disabled, a firewall, or (v1/v2c) a "
				  "wrong community — agents ignore wrong communities silently", ver);
		return;
	}
	char msg[200];
	int p = snmpw_probe_alive(c->peer, dsnmp_left_ms(r) - 20, msg, sizeof(msg));
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

static struct snmpw *open_session(struct dsnmp_reader *r, int version, long per_try, struct snmpw_err *err)
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
static const struct ident_vendor *peek_vendor(struct dsnmp_reader *r, const struct ident_vendors *vs)
{
	struct device tmp;
	device_init(&tmp, r->d->host);
	const struct ident_vendor *v = decode_device(&tmp, vs, &r->all, time(NULL));
	device_free(&tmp);
	return v;
}

/* SNMPv1 once, standard scalars only, after v2c got no answer at all. Returns 0 when it answered. */
static int try_v1(struct dsnmp_reader *r, struct decode_oids *scalars)
{
	struct snmpw_err err;
	int sent = snmpw_requests(r->s);
	snmpw_close(r->s);
	long per1 = (long)((double)r->rq->budget_ms * 0.25);
	r->per_cap = per1;
	r->retries = 0;
	r->s = open_session(r, 1, per1, &err);
	r->d->snmp_requests += sent;
	if (!r->s)
		return -1;
	struct snmpw_oid *keep = xcalloc(snmp_std_nscalars, sizeof(*keep));
	size_t nk = 0;
	for (size_t i = 0; i < snmp_std_nscalars; i++)
		if (snmpw_oid_parse(snmp_std_scalars[i].oid, &keep[nk]) == 0)
			nk++;
	int rc = dsnmp_get_scalars(r, keep, nk, &err);
	free(keep);
	if (rc < 0 && !r->answered)
		return -1;
	device_note(r->d, "SNMP: no answer to SNMPv2c; the agent answered SNMPv1 (used it from then on)");
	decode_oids_free(scalars);
	return 0;
}

/* The first GET. Returns 0 when the agent answered with values, -1 when nothing was read (and
 * says why: silence explained, or the agent's error answers). */
static int first_contact(struct dsnmp_reader *r, const struct ident_vendors *vs, struct decode_oids *scalars)
{
	const struct dsnmp_request *rq = r->rq;
	int v = rq->conf.version;
	bool fallback = v == 2 && rq->v1_fallback;
	long per = (long)((double)rq->budget_ms * (fallback ? 0.5 : 0.7)) / (rq->conf.retries + 1);
	struct snmpw_err err;
	r->per_cap = per;
	r->retries = rq->conf.retries;
	r->s = open_session(r, v, per, &err);
	int rc = -1;
	if (r->s) {
		scalar_list(vs, v != 1, scalars);
		rc = dsnmp_get_scalars(r, scalars->v, scalars->n, &err);
	}
	if (rc < 0 && !r->answered) {
		r->first_err = err;
		if (!(fallback && err.status == SNMPW_TIMEOUT && try_v1(r, scalars) == 0)) {
			explain_silence(r, &r->first_err);
			return -1;
		}
	} else if (rc < 0 && err.status == SNMPW_TIMEOUT && r->budget_short) {
		r->partial = true;
		device_note(r->d, "SNMP: time budget used up before all scalars were read (raise --timeout); the rest was "
				  "not read");
	} else if (rc < 0) {
		r->partial = true;
		device_note(r->d, "SNMP: the agent stopped answering after its first answers (%s); the rest was not read",
			    err.msg);
	}
	dsnmp_note_get_errors(r);
	if (!r->all.n)
		device_note(r->d, "SNMP: the agent answered, but with errors only: no value could be read (see the "
				  "notes above for what it answered)");
	return r->all.n ? 0 : -1;
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

/* SNMPv1: the vendor's scalars once the vendor is known (a missing one costs a round trip). */
static void v1_vendor_scalars(struct dsnmp_reader *r, const struct ident_vendor *v)
{
	struct decode_oids vsc = {0}, vcol = {0};
	decode_vendor_oids(v, &vsc, &vcol);
	struct snmpw_err err;
	if (vsc.n && dsnmp_get_scalars(r, vsc.v, vsc.n, &err) < 0) {
		r->partial = true;
		device_note(r->d, "SNMP: vendor objects not read: %s", err.msg);
	}
	dsnmp_note_get_errors(r);
	decode_oids_free(&vsc);
	decode_oids_free(&vcol);
}

static void walk_tables(struct dsnmp_reader *r, const struct ident_vendor *v)
{
	struct decode_oids cols = {0}, unused = {0};
	for (size_t i = 0; i < COL_STD_LAST; i++)
		decode_oids_add(&cols, snmp_std_columns[i].oid);
	decode_vendor_oids(v, &unused, &cols);
	decode_oids_free(&unused);
	dsnmp_walk(r, &cols);
	decode_oids_free(&cols);
}

enum dsnmp_result dsnmp_read(const struct dsnmp_request *rq, const struct ident_vendors *vs, struct device *d)
{
	struct dsnmp_reader r = {.rq = rq, .d = d, .deadline = now_ms() + rq->budget_ms};
	struct decode_oids scalars = {0};
	if (first_contact(&r, vs, &scalars) == 0) {
		const struct ident_vendor *v = peek_vendor(&r, vs);
		if (r.version == 1 && v)
			v1_vendor_scalars(&r, v);
		walk_tables(&r, v);
	}
	enum dsnmp_result res = !r.all.n ? DSNMP_NONE : r.partial ? DSNMP_PARTIAL : DSNMP_OK;
	if (r.all.n) {
		decode_device(d, vs, &r.all, time(NULL));
		dsnmp_explain_events(d);
	}
	d->snmp_requests += snmpw_requests(r.s);
	const char *vn = r.version == 3 ? "3" : r.version == 1 ? "1" : "2c";
	if (r.answered) {
		device_set(d, "snmp.version", vn, FACT_SNMP, "version that answered");
		if (r.all.n && !device_get(d, "identity.sysdescr") && !device_get(d, "identity.sysobjectid"))
			device_note(d, "SNMP: the agent answered but gave neither sysDescr nor sysObjectID");
	}
	snmpw_close(r.s);
	snmpw_vbs_free(&r.all);
	decode_oids_free(&scalars);
	return res;
}
