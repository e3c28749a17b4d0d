/* device/snmp_get.c — scalar GETs that survive a hostile agent: tooBig splits the request,
 * an error-status naming one object drops that object (and says so, by error-status, in one
 * note each), an error-status naming none is narrowed down by halving; see snmp_reader.h.
 * Licence: see LICENSE. */
#include <stdio.h>
#include <string.h>

#include "device/snmp_reader.h"

#define MAX_DEPTH 10

static struct dsnmp_tally *tally_of(struct dsnmp_reader *r, long errstat)
{
	size_t i = errstat >= 0 && errstat < DSNMP_NTALLY - 1 ? (size_t)errstat : DSNMP_NTALLY - 1;
	return &r->tally[i];
}

/* Records that oids[0..n) were not read because of err. */
static void tally_add(struct dsnmp_reader *r, const struct snmpw_err *err, const struct snmpw_oid *oids, size_t n)
{
	struct dsnmp_tally *t = tally_of(r, err->errstat);
	if (!t->count) {
		t->errindex = err->errindex;
		t->nreq = err->nreq;
	}
	t->count += n;
	for (size_t i = 0; i < n && t->nexamples < 3; i++, t->nexamples++) {
		char o[SNMPW_OID_TXT];
		snmpw_oid_str(&oids[i], o, sizeof(o));
		size_t len = strlen(t->examples);
		snprintf(t->examples + len, sizeof(t->examples) - len, "%s%s", len ? ", " : "", o);
	}
	if (err->errstat != 2) /* noSuchName is an answer ("not there"); anything else is a gap */
		r->partial = true;
}

void dsnmp_note_get_errors(struct dsnmp_reader *r)
{
	for (size_t i = 0; i < DSNMP_NTALLY; i++) {
		struct dsnmp_tally *t = &r->tally[i];
		if (!t->count)
			continue;
		char more[64] = "";
		if (t->count > t->nexamples)
			snprintf(more, sizeof(more), " and %zu more", t->count - t->nexamples);
		const char *name = i == DSNMP_NTALLY - 1 ? "an error-status outside RFC 3416" : snmpw_errstat_name((long)i);
		if (i == 2)
			device_note(r->d, "SNMP: the agent answered noSuchName for %s%s: SNMPv1's way of saying the "
					  "object does not exist; not read", t->examples, more);
		else if (i == 1)
			device_note(r->d, "SNMP: the agent answered tooBig for %s%s even when asked for one object alone; "
					  "not read", t->examples, more);
		else
			device_note(r->d, "SNMP: the agent answered %s for %s%s (error-index %ld of %zu in a GET): the "
					  "agent itself failed to read that object, so it is missing from this report",
				    name, t->examples, more, t->errindex, t->nreq);
		memset(t, 0, sizeof(*t));
	}
}

static int out_of_budget(struct dsnmp_reader *r, struct snmpw_err *err)
{
	r->partial = true;
	r->budget_short = true;
	memset(err, 0, sizeof(*err));
	err->status = SNMPW_TIMEOUT;
	snprintf(err->msg, sizeof(err->msg), "time budget used up");
	return -1;
}

static int get_list(struct dsnmp_reader *r, struct snmpw_oid *oids, size_t n, struct snmpw_err *err, int depth)
{
	while (n) {
		if (!dsnmp_budget_next(r))
			return out_of_budget(r, err);
		if (snmpw_get(r->s, oids, n, &r->all, err) == 0) {
			r->answered = true;
			return 0;
		}
		if (err->status != SNMPW_TOOBIG && err->status != SNMPW_PDU_ERROR)
			return -1;
		r->answered = true;
		size_t bad = err->errindex >= 1 && (size_t)err->errindex <= n ? (size_t)err->errindex : 0;
		/* noSuchName naming an object is SNMPv1's "not there": it shortens the list, so it is
		 * bounded by n; anything else counts against the read's error allowance */
		if (!(bad && err->errstat == 2) && ++r->err_answers > DSNMP_MAX_ERR_ANSWERS) {
			tally_add(r, err, oids, n); /* stop asking a broken agent */
			return 0;
		}
		if (n > 1 && depth < MAX_DEPTH && (err->status == SNMPW_TOOBIG || !bad)) {
			if (err->status == SNMPW_TOOBIG)
				dsnmp_note_toobig(r, "GET", n);
			size_t h = n / 2;
			if (get_list(r, oids, h, err, depth + 1) < 0)
				return -1;
			return get_list(r, oids + h, n - h, err, depth + 1);
		}
		if (!bad) {
			tally_add(r, err, oids, n);
			return 0;
		}
		tally_add(r, err, &oids[bad - 1], 1);
		memmove(&oids[bad - 1], &oids[bad], (n - bad) * sizeof(*oids));
		n--;
	}
	return 0;
}

int dsnmp_get_scalars(struct dsnmp_reader *r, struct snmpw_oid *oids, size_t n, struct snmpw_err *err)
{
	memset(err, 0, sizeof(*err));
	return get_list(r, oids, n, err, 0);
}
