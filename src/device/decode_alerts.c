/* device/decode_alerts.c — the Printer-MIB alert table (every column) into facts
 * alert.<index>.<field> and one event per row, with the vendor code found in the description
 * (or the location column) and the time the alert was raised; see decode_ctx.h.
 * Licence: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/decode_ctx.h"
#include "device/decode_rows.h"
#include "device/snmp_std.h"

static const struct {
	enum std_col col;
	const char *name;
} fields[] = {
	{COL_ALERT_SEVERITY, "severity"}, {COL_ALERT_TRAINING, "training_level"}, {COL_ALERT_GROUP, "group"},
	{COL_ALERT_GROUP_INDEX, "group_index"}, {COL_ALERT_LOCATION, "location"}, {COL_ALERT_CODE, "code"},
	{COL_ALERT_DESCR, "description"}, {COL_ALERT_TIME, "time_ticks"},
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* What one row gave, for its event. */
struct alert {
	const char *ix;          /* index text */
	char sev[96], code_name[128], when[40];
	char *descr;
	long long location;
	bool have_loc;
};

static void alert_time(struct dctx *c, long long ticks, char *out, size_t outsz)
{
	out[0] = 0;
	if (c->uptime < 0 || ticks < 0 || ticks > c->uptime)
		return;
	time_t base = c->dev_clock ? c->dev_clock : c->now;
	time_t t = base - (time_t)((c->uptime - ticks) / 100);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void time_field(struct dctx *c, struct alert *a, const struct snmpw_vb *vb, const char *obj, const char *key,
		       const char *oid)
{
	long long v;
	char txt[32];
	if (dctx_int(c, vb, obj, &v) < 0)
		return;
	snprintf(txt, sizeof(txt), "%lld", v);
	device_set(c->d, key, txt, FACT_SNMP, oid);
	alert_time(c, v, a->when, sizeof(a->when));
	if (!*a->when)
		return;
	char *k = xasprintf("alert.%s.time", a->ix);
	device_set(c->d, k, a->when, FACT_SNMP,
		   c->dev_clock ? "prtAlertTime, sysUpTime, hrSystemDate" : "prtAlertTime, sysUpTime, local clock");
	free(k);
}

/* One column's value of row a. */
static void field(struct dctx *c, struct alert *a, size_t f, const struct snmpw_vb *vb)
{
	const char *obj = snmp_std_columns[fields[f].col].object;
	char *key = xasprintf("alert.%s.%s", a->ix, fields[f].name), *oid = dctx_oid(vb), txt[128];
	long long v;
	switch (fields[f].col) {
	case COL_ALERT_SEVERITY:
		dctx_enum(c, key, vb, obj, snmp_enum_alert_severity, snmp_enum_alert_severity_n, a->sev, sizeof(a->sev), true);
		break;
	case COL_ALERT_TRAINING:
		dctx_enum(c, key, vb, obj, snmp_enum_alert_training, snmp_enum_alert_training_n, txt, sizeof(txt), true);
		break;
	case COL_ALERT_GROUP:
		dctx_enum(c, key, vb, obj, snmp_enum_alert_group, snmp_enum_alert_group_n, txt, sizeof(txt), true);
		break;
	case COL_ALERT_CODE:
		dctx_enum(c, key, vb, obj, snmp_enum_alert_code, snmp_enum_alert_code_n, a->code_name,
			  sizeof(a->code_name), true);
		break;
	case COL_ALERT_DESCR:
		free(a->descr);
		a->descr = vb->type == SNMPW_STR ? dctx_text(c, vb, obj) : NULL;
		if (a->descr && *a->descr)
			device_set(c->d, key, a->descr, FACT_SNMP, oid);
		break;
	case COL_ALERT_TIME:
		time_field(c, a, vb, obj, key, oid);
		break;
	default: /* group index, location */
		if (dctx_int(c, vb, obj, &v) == 0) {
			snprintf(txt, sizeof(txt), "%lld", v);
			device_set(c->d, key, txt, FACT_SNMP, oid);
			if (fields[f].col == COL_ALERT_LOCATION) {
				a->location = v;
				a->have_loc = true;
			}
		}
	}
	free(oid);
	free(key);
}

/* The row's event: a vendor code from the description, else from the location column. */
static void alert_event(struct dctx *c, struct alert *a)
{
	char *code = a->descr ? decode_find_code(a->descr, c->code_pattern) : NULL;
	if (!code && a->have_loc && a->location >= 0) {
		char tbuf[40];
		snprintf(tbuf, sizeof(tbuf), "%lld", a->location);
		code = decode_find_code(tbuf, c->code_pattern);
	}
	if (code) {
		char *key = xasprintf("alert.%s.vendor_code", a->ix);
		device_set(c->d, key, code, FACT_SNMP,
			   a->descr && strstr(a->descr, code) ? "prtAlertDescription" : "prtAlertLocation");
		free(key);
	}
	char *where = xasprintf("prtAlertTable row %s", a->ix);
	const char *text = a->descr && *a->descr ? a->descr : a->code_name[0] ? a->code_name : "(no description)";
	struct device_event *e = device_add_event(c->d, EV_SNMP_ALERT, code, text, a->when[0] ? a->when : NULL, where);
	char *p = strchr(a->sev, '(');
	if (p)
		*p = 0;
	e->severity = a->sev[0] ? xstrdup(a->sev) : NULL;
	free(where);
	free(code);
}

void decode_alerts(struct dctx *c)
{
	struct drows r[NFIELDS];
	struct dindexes idxs = {0};
	for (size_t f = 0; f < NFIELDS; f++) {
		drows_collect(c->all, snmp_std_columns[fields[f].col].oid, &r[f]);
		dindexes_add(&idxs, &r[f]);
	}
	dindexes_finish(&idxs);
	for (size_t i = 0; i < idxs.n; i++) {
		char *ix = drows_index_text(&idxs.v[i]);
		struct alert a = {.ix = ix, .location = -2};
		for (size_t f = 0; f < NFIELDS; f++) {
			const struct snmpw_vb *vb = drows_find(&r[f], &idxs.v[i]);
			if (vb)
				field(c, &a, f, vb);
		}
		alert_event(c, &a);
		free(a.descr);
		free(ix);
	}
	for (size_t f = 0; f < NFIELDS; f++)
		drows_free(&r[f]);
	dindexes_free(&idxs);
}
