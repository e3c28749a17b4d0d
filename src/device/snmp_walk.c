/* device/snmp_walk.c — walking table columns in parallel against agents that misbehave:
 * GETBULK (GETNEXT for SNMPv1, or from the moment GETBULK answers out of order, loops or
 * answers nothing), tooBig shrinking the request (fewer rows, then fewer columns), error-status
 * answers ending the column they name, and bounds on rows, requests and time. A table that was
 * not read to its end gets ONE note saying how many rows were read and why it stopped; a stop
 * of the whole walk gets one note naming the tables it left unfinished. See snmp_reader.h.
 * Licence: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/snmp_reader.h"
#include "device/snmp_std.h"

#define ROUND_VARBINDS 120   /* varbinds asked for per GETBULK round */
#define MAX_REPS 40
#define MAX_ROWS 500         /* per table (per column) */
#define MAX_ROUNDS 100       /* requests per walk */

/* Why a column stopped before its end. */
enum cut { CUT_NONE, CUT_ROWS, CUT_ROUNDS, CUT_TOOBIG, CUT_ERROR, CUT_STOP };

struct column {
	struct snmpw_oid root, last;
	bool done;
	size_t rows;
	enum cut cut;
	char *detail;            /* CUT_TOOBIG / CUT_ERROR: the agent's answer */
};

struct walk {
	struct dsnmp_reader *r;
	struct column *cols;
	size_t n;
	int round_vbs;
	size_t max_cols;         /* columns per request (tooBig or an unnamed error shrinks it) */
	bool getnext;
	char *stop;              /* why the whole walk stopped, or NULL */
};

static void oid_txt(const struct snmpw_oid *o, char *buf)
{
	snmpw_oid_str(o, buf, SNMPW_OID_TXT);
}

/* Ends every unfinished column: the walk stops for reason (a new string, owned). */
static void stop_walk(struct walk *w, char *reason)
{
	for (size_t i = 0; i < w->n; i++)
		if (!w->cols[i].done) {
			w->cols[i].done = true;
			w->cols[i].cut = CUT_STOP;
		}
	if (!w->stop)
		w->stop = reason;
	else
		free(reason);
}

static void cut_column(struct column *c, enum cut why, char *detail)
{
	c->done = true;
	c->cut = why;
	free(c->detail);
	c->detail = detail;
}

/* GETBULK went wrong (out of order, duplicates, nothing): GETNEXT from here on, said once. */
static void fall_back(struct walk *w, const char *why)
{
	if (w->getnext)
		return;
	w->getnext = true;
	device_note(w->r->d, "SNMP: %s; walked the tables with GETNEXT instead (slower, one row per request)", why);
}

/* One response varbind for column c: 1 taken, 0 the column ended, -1 out of order. */
static int take(struct dsnmp_reader *r, struct column *c, const struct snmpw_vb *vb)
{
	if (vb->type == SNMPW_ENDOFMIB)
		return 0;
	if (snmpw_oid_cmp(&vb->name, &c->last) <= 0)
		return -1;
	if (!snmpw_oid_under(&vb->name, &c->root) || vb->type == SNMPW_NOSUCHOBJECT ||
	    vb->type == SNMPW_NOSUCHINSTANCE)
		return 0;
	snmpw_vbs_add(&r->all, &vb->name, vb->type, vb->i, vb->bytes, vb->len);
	c->last = vb->name;
	if (++c->rows >= MAX_ROWS) {
		cut_column(c, CUT_ROWS, NULL);
		return 0;
	}
	return 1;
}

static void out_of_order(struct walk *w, bool bulk, struct column *c, const struct snmpw_vb *vb)
{
	char a[SNMPW_OID_TXT], b[SNMPW_OID_TXT], why[2 * SNMPW_OID_TXT + 120];
	oid_txt(&vb->name, a);
	oid_txt(&c->last, b);
	if (bulk) {
		snprintf(why, sizeof(why), "the agent's GETBULK answer went out of order at %s (after %s)", a, b);
		fall_back(w, why);
		return;
	}
	stop_walk(w, xasprintf("the agent returned OIDs out of order at %s (after %s), with GETBULK and with GETNEXT", a, b));
}

/* Hands the response to the columns asked (map), varbind k to column k % na. */
static void distribute(struct walk *w, const struct snmpw_vbs *resp, const size_t *map, size_t na)
{
	bool ended[COL_STD_LAST + 64] = {false}, bulk = !w->getnext;
	for (size_t k = 0; k < resp->n && !w->stop; k++) {
		size_t a = k % na;
		struct column *c = &w->cols[map[a]];
		if (ended[a] || c->done)
			continue;
		int t = take(w->r, c, &resp->v[k]);
		if (t == 0)
			c->done = true;
		if (t <= 0)
			ended[a] = true;
		if (t < 0)
			out_of_order(w, bulk, c, &resp->v[k]);
	}
}

/* The agent answered tooBig: fewer rows per column, then fewer columns, then give the column up. */
static void on_toobig(struct walk *w, const struct snmpw_err *err, const size_t *map, size_t na, int maxrep)
{
	dsnmp_note_toobig(w->r, err->op, w->getnext ? na : na * (size_t)maxrep);
	if (!w->getnext && maxrep > 1) {
		w->round_vbs = (int)na * maxrep / 2;
		return;
	}
	if (na > 1) {
		w->max_cols = na / 2;
		return;
	}
	cut_column(&w->cols[map[0]], CUT_TOOBIG,
		   xasprintf("the agent answered tooBig even to a %s for one value of %s", err->op, err->oid));
}

/* An error-status other than tooBig: the column it names ends (SNMPv1 noSuchName is its end of
 * the MIB); one that names none is narrowed down by asking fewer columns at a time. */
static void on_pdu_error(struct walk *w, const struct snmpw_err *err, const size_t *map, size_t na)
{
	struct dsnmp_reader *r = w->r;
	size_t bad = err->errindex >= 1 && (size_t)err->errindex <= na ? (size_t)err->errindex : 0;
	if (bad && err->errstat == 2 && r->version == 1) {
		w->cols[map[bad - 1]].done = true;
		return;
	}
	if (++r->err_answers > DSNMP_MAX_ERR_ANSWERS) {
		stop_walk(w, xasprintf("the agent answered %s again and again (last: %s)", snmpw_errstat_name(err->errstat),
				       err->msg));
		return;
	}
	if (!bad && na > 1) {
		w->max_cols = na / 2;
		return;
	}
	if (!bad)
		bad = 1;
	char o[SNMPW_OID_TXT];
	oid_txt(&w->cols[map[bad - 1]].last, o);
	cut_column(&w->cols[map[bad - 1]], CUT_ERROR,
		   xasprintf("the agent answered %s for %s (error-index %ld of %zu in a %s)", snmpw_errstat_name(err->errstat),
			     o, err->errindex, na, err->op));
}

/* Picks up to max_cols unfinished columns; returns how many. */
static size_t pick(struct walk *w, struct snmpw_oid *req, size_t *map)
{
	size_t na = 0;
	for (size_t i = 0; i < w->n && na < w->max_cols; i++)
		if (!w->cols[i].done) {
			req[na] = w->cols[i].last;
			map[na++] = i;
		}
	return na;
}

/* One request over the unfinished columns. Returns 1 when nothing is left, else 0. */
static int walk_round(struct walk *w)
{
	struct dsnmp_reader *r = w->r;
	struct snmpw_oid req[COL_STD_LAST + 64];
	size_t map[COL_STD_LAST + 64], na = pick(w, req, map);
	if (!na)
		return 1;
	if (!dsnmp_budget_next(r)) {
		stop_walk(w, xstrdup("the time budget ran out (raise --timeout)"));
		return 1;
	}
	struct snmpw_vbs resp = {0};
	struct snmpw_err err;
	int maxrep = w->round_vbs / (int)na, rc;
	maxrep = maxrep < 1 ? 1 : maxrep > MAX_REPS ? MAX_REPS : maxrep;
	if (w->getnext)
		rc = snmpw_getnext(r->s, req, na, &resp, &err);
	else
		rc = snmpw_getbulk(r->s, req, na, 0, maxrep, &resp, &err);
	if (rc == 0)
		r->answered = true;
	if (rc < 0 && err.status == SNMPW_TOOBIG)
		on_toobig(w, &err, map, na, maxrep);
	else if (rc < 0 && err.status == SNMPW_PDU_ERROR)
		on_pdu_error(w, &err, map, na);
	else if (rc < 0 && err.status == SNMPW_TIMEOUT && r->budget_short)
		stop_walk(w, xstrdup("the time budget ran out (raise --timeout)"));
	else if (rc < 0 && err.status == SNMPW_BADREPLY)
		stop_walk(w, xstrdup(err.msg));
	else if (rc < 0)
		stop_walk(w, xasprintf("the agent stopped answering (%s)", err.msg));
	else if (!resp.n && !w->getnext)
		fall_back(w, "the agent answered a GETBULK with no values");
	else if (w->getnext && resp.n != na)
		stop_walk(w, xasprintf("the agent answered a GETNEXT for %zu objects with %zu values", na, resp.n));
	else
		distribute(w, &resp, map, na);
	snmpw_vbs_free(&resp);
	return 0;
}

/* ---------- what was not read ---------- */

/* "alert" for a standard table, else "vendor table 1.3.6.1.4.1.…" (entry = column minus one arc). */
static void table_name(const struct snmpw_oid *col, char *out, size_t sz)
{
	struct snmpw_oid entry = *col, t;
	if (entry.n > 1)
		entry.n--;
	for (size_t i = 0; i < snmp_std_ntables; i++)
		if (snmpw_oid_parse(snmp_std_tables[i].entry, &t) == 0 && snmpw_oid_cmp(&t, &entry) == 0) {
			snprintf(out, sz, "%s", snmp_std_tables[i].name);
			return;
		}
	char o[SNMPW_OID_TXT];
	oid_txt(&entry, o);
	snprintf(out, sz, "vendor table %s", o);
}

static bool same_table(const struct column *a, const struct column *b)
{
	if (a->root.n != b->root.n || a->root.n < 2)
		return false;
	struct snmpw_oid x = a->root, y = b->root;
	x.n--;
	y.n--;
	return snmpw_oid_cmp(&x, &y) == 0;
}

/* One note for table t (columns i.. sharing its entry). */
static void note_table(struct walk *w, size_t first, struct buf *stopped)
{
	size_t rows = 0;
	const struct column *why = NULL;
	for (size_t i = first; i < w->n; i++)
		if (same_table(&w->cols[i], &w->cols[first])) {
			rows = w->cols[i].rows > rows ? w->cols[i].rows : rows;
			if (!why && w->cols[i].cut != CUT_NONE)
				why = &w->cols[i];
		}
	if (!why)
		return;
	w->r->partial = true;
	char name[SNMPW_OID_TXT + 20], *key, rowtxt[32], *oid = xmalloc(SNMPW_OID_TXT);
	table_name(&w->cols[first].root, name, sizeof(name));
	snmpw_oid_str(&w->cols[first].root, oid, SNMPW_OID_TXT);
	key = xasprintf("snmp.table_cut.%s", name);
	snprintf(rowtxt, sizeof(rowtxt), "%zu", rows);
	device_set(w->r->d, key, rowtxt, FACT_SNMP, oid); /* rows read before the cut (report: tables_cut) */
	free(key);
	free(oid);
	if (why->cut == CUT_STOP) {
		buf_printf(stopped, "%s%s table (%zu rows read)", stopped->len ? ", " : "", name, rows);
		return;
	}
	if (why->cut == CUT_ROWS || why->cut == CUT_ROUNDS)
		device_note(w->r->d, "SNMP: %s table cut after %zu rows: the device has more than mfpdoctor reads (limit: %d %s)",
			    name, rows, why->cut == CUT_ROWS ? MAX_ROWS : MAX_ROUNDS,
			    why->cut == CUT_ROWS ? "rows per table" : "requests per table walk");
	else
		device_note(w->r->d, "SNMP: %s table cut after %zu rows: %s", name, rows, why->detail);
}

static void note_cuts(struct walk *w)
{
	struct buf stopped = {0};
	for (size_t i = 0; i < w->n; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = same_table(&w->cols[k], &w->cols[i]);
		if (!seen)
			note_table(w, i, &stopped);
	}
	if (w->stop && stopped.len)
		device_note(w->r->d, "SNMP: %s; stopped walking, so these were not read to their end: %s", w->stop,
			    buf_str(&stopped));
	buf_free(&stopped);
}

void dsnmp_walk(struct dsnmp_reader *r, const struct decode_oids *roots)
{
	struct walk w = {.r = r, .round_vbs = ROUND_VARBINDS, .getnext = r->version == 1};
	w.n = roots->n < COL_STD_LAST + 64 ? roots->n : COL_STD_LAST + 64;
	w.max_cols = w.n;
	w.cols = xcalloc(w.n ? w.n : 1, sizeof(*w.cols));
	for (size_t i = 0; i < w.n; i++)
		w.cols[i].root = w.cols[i].last = roots->v[i];
	int round = 0;
	while (walk_round(&w) == 0)
		if (++round >= MAX_ROUNDS) {
			for (size_t i = 0; i < w.n; i++)
				if (!w.cols[i].done)
					cut_column(&w.cols[i], CUT_ROUNDS, NULL);
			break;
		}
	note_cuts(&w);
	for (size_t i = 0; i < w.n; i++)
		free(w.cols[i].detail);
	free(w.cols);
	free(w.stop);
}
