/* device/decode_device.c — varbinds to device facts; see decode_device.h. Licence: see LICENSE. */
#include "device/decode_device.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/decode.h"
#include "device/snmp_std.h"
#include "profile/profile.h"
#include "util/text.h"

#define MAX_TEXT 1000

struct ctx {
	struct device *d;
	const struct snmpw_vbs *all;
	time_t now;
	long long uptime;      /* sysUpTime ticks, -1 unknown */
	time_t dev_clock;      /* device clock (UTC) or 0 */
	const char *code_pattern;
};

/* ---------- lookups ---------- */

static const struct snmpw_vb *find_exact(const struct snmpw_vbs *all, const struct snmpw_oid *o)
{
	for (size_t i = 0; i < all->n; i++)
		if (snmpw_oid_cmp(&all->v[i].name, o) == 0)
			return &all->v[i];
	return NULL;
}

static const struct snmpw_vb *find_str(const struct snmpw_vbs *all, const char *dotted)
{
	struct snmpw_oid o;
	return snmpw_oid_parse(dotted, &o) == 0 ? find_exact(all, &o) : NULL;
}

static bool is_absent(const struct snmpw_vb *vb)
{
	return !vb || vb->type == SNMPW_NULL || vb->type == SNMPW_NOSUCHOBJECT || vb->type == SNMPW_NOSUCHINSTANCE ||
	       vb->type == SNMPW_ENDOFMIB;
}

static bool is_number(const struct snmpw_vb *vb)
{
	return vb->type == SNMPW_INT || vb->type == SNMPW_COUNTER || vb->type == SNMPW_GAUGE ||
	       vb->type == SNMPW_TICKS || vb->type == SNMPW_COUNTER64;
}

static void oid_text(const struct snmpw_vb *vb, char *buf, size_t sz)
{
	snmpw_oid_str(&vb->name, buf, sz);
}

/* Text of an OCTET STRING with notes for oddities. Returns a new string ("" when empty). */
static char *vb_text(struct ctx *c, const struct snmpw_vb *vb, const char *object)
{
	int flags = 0;
	char *s = decode_octets(vb->bytes, vb->len, MAX_TEXT, &flags);
	char oid[300];
	oid_text(vb, oid, sizeof(oid));
	if (flags & DEC_BINARY)
		device_note(c->d, "%s (%s) holds %zu bytes of binary data; shown as hex", object, oid, vb->len);
	else if (flags & DEC_NOT_UTF8)
		device_note(c->d, "%s (%s) is not UTF-8; decoded as ISO-8859-1", object, oid);
	if (flags & DEC_CONTROL)
		device_note(c->d, "%s (%s) contains control characters; replaced by '?'", object, oid);
	if (flags & DEC_TRUNCATED)
		device_note(c->d, "%s (%s) is %zu bytes long; cut to %d", object, oid, vb->len, MAX_TEXT);
	return s;
}

/* Integer value of vb, accepting numbers sent as strings (with a note). Returns 0 or -1. */
static int vb_int(struct ctx *c, const struct snmpw_vb *vb, const char *object, long long *out)
{
	if (is_absent(vb))
		return -1;
	if (is_number(vb)) {
		*out = vb->i;
		return 0;
	}
	char oid[300];
	oid_text(vb, oid, sizeof(oid));
	if (vb->type == SNMPW_STR) {
		char *s = decode_octets(vb->bytes, vb->len, 64, NULL);
		int r = decode_int_text(s, out);
		if (r == 0)
			device_note(c->d, "%s (%s) sent the number as OCTET STRING '%s'; used it", object, oid, s);
		else
			device_note(c->d, "%s (%s) sent OCTET STRING '%s' where a number belongs; ignored", object, oid, s);
		free(s);
		return r;
	}
	device_note(c->d, "%s (%s) has type %s where a number belongs; ignored", object, oid, snmpw_type_name(vb->type));
	return -1;
}

/* ---------- standard scalars ---------- */

static void clock_fact(struct ctx *c, const struct snmpw_vb *vb, const char *oid)
{
	char iso[64];
	time_t utc;
	if (vb->type != SNMPW_STR || decode_date_and_time(vb->bytes, vb->len, iso, sizeof(iso), &utc) < 0) {
		if (vb->type == SNMPW_STR && vb->len == 0)
			return;
		device_note(c->d, "hrSystemDate (%s) is not a DateAndTime (%zu octets, %s); device clock unknown", oid,
			    vb->len, snmpw_type_name(vb->type));
		return;
	}
	device_set(c->d, "status.clock", iso, FACT_SNMP, oid);
	c->dev_clock = utc;
	c->d->clock_skew_s = (long)(utc - c->now);
	c->d->clock_known = true;
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%ld", c->d->clock_skew_s);
	device_set(c->d, "status.clock_skew_s", tmp, FACT_SNMP, "hrSystemDate minus local clock");
	if (vb->len == 8)
		device_note(c->d, "hrSystemDate has no UTC offset; skew computed as if the device clock were UTC");
}

static void apply_scalars(struct ctx *c)
{
	for (size_t i = 0; i < snmp_std_nscalars; i++) {
		const struct std_scalar *s = &snmp_std_scalars[i];
		const struct snmpw_vb *vb = find_str(c->all, s->oid);
		if (is_absent(vb))
			continue;
		char num[32];
		long long v;
		switch (s->kind) {
		case STD_STRING:
			if (vb->type != SNMPW_STR) {
				if (is_number(vb)) {
					snprintf(num, sizeof(num), "%lld", vb->i);
					device_note(c->d, "%s (%s) has type %s where a string belongs", s->object, s->oid,
						    snmpw_type_name(vb->type));
					device_set(c->d, s->key, num, FACT_SNMP, s->oid);
				}
				break;
			}
			char *t = vb_text(c, vb, s->object);
			if (strcasecmp(t, "NULL") == 0)
				device_note(c->d, "%s (%s) is the string 'NULL'; treated as empty", s->object, s->oid);
			else
				device_set(c->d, s->key, t, FACT_SNMP, s->oid);
			free(t);
			break;
		case STD_OID:
			if (vb->type == SNMPW_OIDVAL)
				device_set(c->d, s->key, (const char *)vb->bytes, FACT_SNMP, s->oid);
			else {
				char *ot = vb->type == SNMPW_STR ? decode_octets(vb->bytes, vb->len, 300, NULL) : xstrdup("");
				struct snmpw_oid o;
				device_note(c->d, "%s (%s) has type %s where an OBJECT IDENTIFIER belongs", s->object, s->oid,
					    snmpw_type_name(vb->type));
				if (snmpw_oid_parse(ot, &o) == 0)
					device_set(c->d, s->key, ot, FACT_SNMP, s->oid);
				free(ot);
			}
			break;
		case STD_TICKS:
		case STD_COUNTER:
			if (vb_int(c, vb, s->object, &v) == 0) {
				snprintf(num, sizeof(num), "%lld", v);
				device_set(c->d, s->key, num, FACT_SNMP, s->oid);
				if (s->kind == STD_TICKS)
					c->uptime = v;
			}
			break;
		case STD_DATE:
			clock_fact(c, vb, s->oid);
			break;
		}
	}
}

/* ---------- tables ---------- */

/* Varbinds under root, in list order, first value per OID. rows get borrowed pointers. */
struct rows {
	const struct snmpw_vb **v;
	size_t n;
};

static void collect(const struct snmpw_vbs *all, const char *dotted, struct rows *r)
{
	struct snmpw_oid root;
	r->v = NULL;
	r->n = 0;
	if (snmpw_oid_parse(dotted, &root) < 0)
		return;
	for (size_t i = 0; i < all->n; i++) {
		const struct snmpw_vb *vb = &all->v[i];
		if (!snmpw_oid_under(&vb->name, &root) || is_absent(vb))
			continue;
		bool dup = false;
		for (size_t k = 0; k < r->n && !dup; k++)
			dup = snmpw_oid_cmp(&r->v[k]->name, &vb->name) == 0;
		if (dup)
			continue;
		r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
		r->v[r->n++] = vb;
	}
}

/* Row index (the arcs after root) as dotted text. */
static void row_index(const struct snmpw_vb *vb, size_t rootlen, char *buf, size_t sz)
{
	struct snmpw_oid idx = {.n = 0};
	for (size_t i = rootlen; i < vb->name.n; i++)
		idx.a[idx.n++] = vb->name.a[i];
	if (idx.n == 1) /* snmpw_oid_str wants >= 1 arc; fine */
		snprintf(buf, sz, "%lu", idx.a[0]);
	else
		snmpw_oid_str(&idx, buf, sz);
}

static size_t arcs(const char *dotted)
{
	size_t n = 1;
	for (; *dotted; dotted++)
		n += *dotted == '.';
	return n;
}

static const struct snmpw_vb *row_of(const struct rows *r, size_t rootlen, const char *idx)
{
	char buf[128];
	for (size_t i = 0; i < r->n; i++) {
		row_index(r->v[i], rootlen, buf, sizeof(buf));
		if (strcmp(buf, idx) == 0)
			return r->v[i];
	}
	return NULL;
}

static void enum_fact(struct ctx *c, const char *key, const struct snmpw_vb *vb, const char *object,
		      const struct decode_enum *tab, size_t n, char *out, size_t outsz, bool note)
{
	long long v;
	char oid[300];
	out[0] = 0;
	if (!vb || vb_int(c, vb, object, &v) < 0)
		return;
	oid_text(vb, oid, sizeof(oid));
	decode_enum_text(tab, n, (long)v, out, outsz);
	if (note && !decode_enum_name(tab, n, (long)v))
		device_note(c->d, "%s (%s) = %lld is outside its enumeration; shown as unknown", object, oid, v);
	if (key)
		device_set(c->d, key, out, FACT_SNMP, oid);
}

static void apply_hr(struct ctx *c, char *printer_idx, size_t pisz)
{
	const struct std_column *cols = snmp_std_columns;
	struct rows type, descr, status, pstatus, errs;
	collect(c->all, cols[COL_HR_DEV_TYPE].oid, &type);
	collect(c->all, cols[COL_HR_DEV_DESCR].oid, &descr);
	collect(c->all, cols[COL_HR_DEV_STATUS].oid, &status);
	collect(c->all, cols[COL_HR_PRN_STATUS].oid, &pstatus);
	collect(c->all, cols[COL_HR_PRN_ERRSTATE].oid, &errs);
	size_t hrlen = arcs(cols[COL_HR_DEV_TYPE].oid), prlen = arcs(cols[COL_HR_PRN_STATUS].oid);
	char idx[128], key[200], txt[96], oid[300];
	/* Which hrDeviceIndex is the printer: a row of hrPrinterTable, else hrDeviceType printer. */
	printer_idx[0] = 0;
	if (pstatus.n)
		row_index(pstatus.v[0], prlen, printer_idx, pisz);
	else if (errs.n)
		row_index(errs.v[0], prlen, printer_idx, pisz);
	for (size_t i = 0; i < type.n; i++) {
		const struct snmpw_vb *vb = type.v[i];
		row_index(vb, hrlen, idx, sizeof(idx));
		const char *t = vb->type == SNMPW_OIDVAL ? (const char *)vb->bytes : "?";
		bool prn = strcmp(t, STD_OID_HR_DEVICE_PRINTER) == 0;
		snprintf(key, sizeof(key), "hr.device.%s.type", idx);
		oid_text(vb, oid, sizeof(oid));
		device_set(c->d, key, prn ? "printer" : t, FACT_SNMP, oid);
		if (prn && !printer_idx[0])
			snprintf(printer_idx, pisz, "%s", idx);
	}
	for (size_t i = 0; i < descr.n; i++) {
		row_index(descr.v[i], hrlen, idx, sizeof(idx));
		char *t = descr.v[i]->type == SNMPW_STR ? vb_text(c, descr.v[i], "hrDeviceDescr") : xstrdup("");
		snprintf(key, sizeof(key), "hr.device.%s.descr", idx);
		oid_text(descr.v[i], oid, sizeof(oid));
		device_set(c->d, key, t, FACT_SNMP, oid);
		free(t);
	}
	for (size_t i = 0; i < status.n; i++) {
		row_index(status.v[i], hrlen, idx, sizeof(idx));
		snprintf(key, sizeof(key), "hr.device.%s.status", idx);
		enum_fact(c, key, status.v[i], "hrDeviceStatus", snmp_enum_hr_device_status,
			  snmp_enum_hr_device_status_n, txt, sizeof(txt), true);
	}
	if (!printer_idx[0] && descr.n)
		row_index(descr.v[0], hrlen, printer_idx, pisz);
	if (printer_idx[0]) {
		enum_fact(c, "status.device", row_of(&status, hrlen, printer_idx), "hrDeviceStatus",
			  snmp_enum_hr_device_status, snmp_enum_hr_device_status_n, txt, sizeof(txt), false);
		enum_fact(c, "status.printer", row_of(&pstatus, prlen, printer_idx), "hrPrinterStatus",
			  snmp_enum_hr_printer_status, snmp_enum_hr_printer_status_n, txt, sizeof(txt), true);
		const struct snmpw_vb *e = row_of(&errs, prlen, printer_idx);
		if (!e && errs.n)
			e = errs.v[0];
		if (e) {
			unsigned char bytes[8];
			const unsigned char *b = e->bytes;
			size_t len = e->len;
			oid_text(e, oid, sizeof(oid));
			if (e->type != SNMPW_STR) {
				device_note(c->d, "hrPrinterDetectedErrorState (%s) has type %s, not OCTET STRING; "
						  "decoded its value as bits", oid, snmpw_type_name(e->type));
				unsigned long long v = (unsigned long long)e->i;
				len = v > 0xffff ? 4 : v > 0xff ? 2 : 1;
				for (size_t k = 0; k < len; k++)
					bytes[k] = (unsigned char)(v >> (8 * (len - 1 - k)));
				b = bytes;
			}
			struct strlist names = {0};
			decode_errstate(b, len, &names);
			struct buf j = {0};
			for (size_t k = 0; k < names.n; k++)
				buf_printf(&j, "%s%s", k ? ", " : "", names.v[k]);
			device_set(c->d, "status.errors", names.n ? buf_str(&j) : "none", FACT_SNMP, oid);
			if (len > 2)
				device_note(c->d, "hrPrinterDetectedErrorState (%s) has %zu octets (0 to 2 are usual)", oid, len);
			buf_free(&j);
			strlist_free(&names);
		}
	}
	free(type.v);
	free(descr.v);
	free(status.v);
	free(pstatus.v);
	free(errs.v);
}

static void alert_time(struct ctx *c, long long ticks, char *out, size_t outsz)
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

static void apply_alerts(struct ctx *c)
{
	static const struct {
		enum std_col col;
		const char *name;
	} fields[] = {
		{COL_ALERT_SEVERITY, "severity"}, {COL_ALERT_TRAINING, "training_level"}, {COL_ALERT_GROUP, "group"},
		{COL_ALERT_GROUP_INDEX, "group_index"}, {COL_ALERT_LOCATION, "location"}, {COL_ALERT_CODE, "code"},
		{COL_ALERT_DESCR, "description"}, {COL_ALERT_TIME, "time_ticks"},
	};
	struct rows r[ARRAY_SIZE(fields)];
	size_t rootlen = arcs(snmp_std_columns[COL_ALERT_SEVERITY].oid);
	struct strlist idxs = {0};
	char idx[128], key[200], txt[128], oid[300], tbuf[40];
	for (size_t f = 0; f < ARRAY_SIZE(fields); f++) {
		collect(c->all, snmp_std_columns[fields[f].col].oid, &r[f]);
		for (size_t i = 0; i < r[f].n; i++) {
			row_index(r[f].v[i], rootlen, idx, sizeof(idx));
			if (!strlist_has(&idxs, idx))
				strlist_add(&idxs, idx);
		}
	}
	for (size_t a = 0; a < idxs.n; a++) {
		const char *ix = idxs.v[a];
		char sev[96] = "", code_name[128] = "", *descr = NULL, when[40] = "";
		long long location = -2;
		bool have_loc = false;
		for (size_t f = 0; f < ARRAY_SIZE(fields); f++) {
			const struct snmpw_vb *vb = row_of(&r[f], rootlen, ix);
			if (!vb)
				continue;
			const char *obj = snmp_std_columns[fields[f].col].object;
			snprintf(key, sizeof(key), "alert.%s.%s", ix, fields[f].name);
			oid_text(vb, oid, sizeof(oid));
			long long v;
			switch (fields[f].col) {
			case COL_ALERT_SEVERITY:
				enum_fact(c, key, vb, obj, snmp_enum_alert_severity, snmp_enum_alert_severity_n, sev, sizeof(sev), true);
				break;
			case COL_ALERT_TRAINING:
				enum_fact(c, key, vb, obj, snmp_enum_alert_training, snmp_enum_alert_training_n, txt, sizeof(txt), true);
				break;
			case COL_ALERT_GROUP:
				enum_fact(c, key, vb, obj, snmp_enum_alert_group, snmp_enum_alert_group_n, txt, sizeof(txt), true);
				break;
			case COL_ALERT_CODE:
				enum_fact(c, key, vb, obj, snmp_enum_alert_code, snmp_enum_alert_code_n, code_name,
					  sizeof(code_name), true);
				break;
			case COL_ALERT_DESCR:
				free(descr);
				descr = vb->type == SNMPW_STR ? vb_text(c, vb, obj) : NULL;
				if (descr && *descr)
					device_set(c->d, key, descr, FACT_SNMP, oid);
				break;
			case COL_ALERT_TIME:
				if (vb_int(c, vb, obj, &v) == 0) {
					snprintf(txt, sizeof(txt), "%lld", v);
					device_set(c->d, key, txt, FACT_SNMP, oid);
					alert_time(c, v, when, sizeof(when));
					if (*when) {
						snprintf(key, sizeof(key), "alert.%s.time", ix);
						device_set(c->d, key, when, FACT_SNMP, c->dev_clock ? "prtAlertTime, sysUpTime, hrSystemDate"
												   : "prtAlertTime, sysUpTime, local clock");
					}
				}
				break;
			default: /* group index, location */
				if (vb_int(c, vb, obj, &v) == 0) {
					snprintf(txt, sizeof(txt), "%lld", v);
					device_set(c->d, key, txt, FACT_SNMP, oid);
					if (fields[f].col == COL_ALERT_LOCATION) {
						location = v;
						have_loc = true;
					}
				}
			}
		}
		/* The event: a vendor code from the description, else from the location column. */
		char *code = descr ? decode_find_code(descr, c->code_pattern) : NULL;
		if (!code && have_loc && location >= 0) {
			snprintf(tbuf, sizeof(tbuf), "%lld", location);
			code = decode_find_code(tbuf, c->code_pattern);
		}
		if (code) {
			snprintf(key, sizeof(key), "alert.%s.vendor_code", ix);
			device_set(c->d, key, code, FACT_SNMP, descr && strstr(descr, code) ? "prtAlertDescription" : "prtAlertLocation");
		}
		snprintf(key, sizeof(key), "prtAlertTable row %s", ix);
		const char *text = descr && *descr ? descr : code_name[0] ? code_name : "(no description)";
		struct device_event *e = device_add_event(c->d, EV_SNMP_ALERT, code, text, when[0] ? when : NULL, key);
		char *p = strchr(sev, '(');
		if (p)
			*p = 0;
		e->severity = sev[0] ? xstrdup(sev) : NULL;
		free(code);
		free(descr);
	}
	for (size_t f = 0; f < ARRAY_SIZE(fields); f++)
		free(r[f].v);
	strlist_free(&idxs);
}

static void apply_console(struct ctx *c)
{
	struct rows r;
	collect(c->all, snmp_std_columns[COL_CONSOLE_TEXT].oid, &r);
	struct buf j = {0};
	char oid[300] = "";
	for (size_t i = 0; i < r.n; i++) {
		if (r.v[i]->type != SNMPW_STR)
			continue;
		char *t = vb_text(c, r.v[i], "prtConsoleDisplayBufferText");
		if (*t) {
			buf_printf(&j, "%s%s", j.len ? " | " : "", t);
			char *code = decode_find_code(t, c->code_pattern);
			if (code) {
				oid_text(r.v[i], oid, sizeof(oid));
				device_add_event(c->d, EV_PANEL, code, t, NULL, oid);
			}
			free(code);
		}
		free(t);
	}
	if (j.len)
		device_set(c->d, "status.panel", buf_str(&j), FACT_SNMP, snmp_std_columns[COL_CONSOLE_TEXT].oid);
	buf_free(&j);
	free(r.v);
}

/* ---------- vendor profile `snmp` section ---------- */

int decode_oids_add(struct decode_oids *l, const char *dotted)
{
	struct snmpw_oid o;
	if (!dotted || snmpw_oid_parse(dotted, &o) < 0)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		if (snmpw_oid_cmp(&l->v[i], &o) == 0)
			return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = o;
	return 0;
}

void decode_oids_free(struct decode_oids *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static const json_t *snmp_section(const struct ident_vendor *v)
{
	return v ? json_object_get(v->root, "snmp") : NULL;
}

void decode_vendor_oids(const struct ident_vendor *v, struct decode_oids *scalars, struct decode_oids *columns)
{
	static const char *const lists[] = {"settings", "events"};
	const json_t *sec = snmp_section(v);
	for (size_t k = 0; k < ARRAY_SIZE(lists); k++) {
		const json_t *a = json_object_get(sec, lists[k]), *x;
		size_t i;
		json_array_foreach(a, i, x) {
			const char *oid = profile_str(x, "oid");
			if (json_is_true(json_object_get(x, "table"))) {
				decode_oids_add(columns, oid);
				decode_oids_add(columns, profile_str(x, "where_column"));
			} else
				decode_oids_add(scalars, oid);
		}
	}
}

/* The value of a setting or event: the scalar, or the first (or where_column-selected) row. */
static const struct snmpw_vb *setting_vb(struct ctx *c, const json_t *s)
{
	const char *oid = profile_str(s, "oid");
	if (!oid)
		return NULL;
	if (!json_is_true(json_object_get(s, "table")))
		return find_str(c->all, oid);
	struct rows r;
	collect(c->all, oid, &r);
	const struct snmpw_vb *pick = r.n ? r.v[0] : NULL;
	const char *wc = profile_str(s, "where_column"), *wv = profile_str(s, "where_value");
	if (wc && wv) {
		pick = NULL;
		struct rows w;
		collect(c->all, wc, &w);
		size_t wl = arcs(wc), ol = arcs(oid);
		char idx[128], buf[64];
		for (size_t i = 0; i < w.n && !pick; i++) {
			const struct snmpw_vb *vb = w.v[i];
			if (vb->type == SNMPW_STR)
				snprintf(buf, sizeof(buf), "%.*s", (int)(vb->len < 60 ? vb->len : 60), (const char *)vb->bytes);
			else
				snprintf(buf, sizeof(buf), "%lld", vb->i);
			if (strcmp(buf, wv) != 0)
				continue;
			row_index(vb, wl, idx, sizeof(idx));
			pick = row_of(&r, ol, idx);
		}
		free(w.v);
	}
	free(r.v);
	return pick;
}

/* Formats a setting's value by its declared type. Returns a new string or NULL (unset). */
static char *setting_value(struct ctx *c, const json_t *s, const struct snmpw_vb *vb, const char *object)
{
	const char *type = profile_str(s, "type");
	if (!type)
		type = "string";
	long long v;
	char buf[64];
	if (strcmp(type, "ipaddress") == 0) {
		if ((vb->type != SNMPW_IPADDR && vb->type != SNMPW_STR) || vb->len != 4) {
			if (vb->type == SNMPW_STR)
				return vb_text(c, vb, object);
			return NULL;
		}
		if (!vb->bytes[0] && !vb->bytes[1] && !vb->bytes[2] && !vb->bytes[3])
			return NULL; /* 0.0.0.0 = not set */
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u", vb->bytes[0], vb->bytes[1], vb->bytes[2], vb->bytes[3]);
		return xstrdup(buf);
	}
	if (strcmp(type, "string") == 0) {
		if (vb->type == SNMPW_STR) {
			char *t = vb_text(c, vb, object);
			if (strcasecmp(t, "NULL") == 0) {
				free(t);
				return NULL;
			}
			return t;
		}
		if (is_number(vb)) {
			snprintf(buf, sizeof(buf), "%lld", vb->i);
			return xstrdup(buf);
		}
		return NULL;
	}
	if (vb_int(c, vb, object, &v) < 0)
		return NULL;
	if (strcmp(type, "enum") == 0) {
		snprintf(buf, sizeof(buf), "%lld", v);
		const char *name = profile_str(json_object_get(s, "enum"), buf);
		if (name)
			return xstrdup(name);
		char oid[300];
		oid_text(vb, oid, sizeof(oid));
		device_note(c->d, "%s (%s) = %lld is not in the profile's enumeration", object, oid, v);
		return xasprintf("unknown(%lld)", v);
	}
	if (strcmp(type, "hex16") == 0) {
		snprintf(buf, sizeof(buf), "0x%04llX", (unsigned long long)(v & 0xffff));
		return xstrdup(buf);
	}
	if (strcmp(type, "bits") == 0) {
		const json_t *bits = json_object_get(s, "bits");
		const char *k;
		const json_t *name;
		struct buf b = {0};
		json_object_foreach((json_t *)bits, k, name) {
			long long bit = strtoll(k, NULL, 0);
			if (bit > 0 && (v & bit) && json_is_string(name))
				buf_printf(&b, "%s%s", b.len ? ", " : "", json_string_value(name));
		}
		if (!b.len)
			buf_puts(&b, "none");
		return buf_steal(&b);
	}
	snprintf(buf, sizeof(buf), "%lld", v);
	return xstrdup(buf);
}

static void apply_settings(struct ctx *c, const json_t *sec)
{
	const json_t *a = json_object_get(sec, "settings"), *s;
	size_t i;
	json_array_foreach(a, i, s) {
		const char *fact = profile_str(s, "fact");
		const char *object = profile_str(s, "name");
		const struct snmpw_vb *vb = setting_vb(c, s);
		if (!fact || is_absent(vb) || device_get(c->d, fact))
			continue;
		char *val = setting_value(c, s, vb, object ? object : fact);
		char oid[300];
		oid_text(vb, oid, sizeof(oid));
		if (val && *val)
			device_set(c->d, fact, val, FACT_SNMP, oid);
		free(val);
	}
}

static bool in_ignore(const json_t *ign, long long v)
{
	const json_t *x;
	size_t i;
	json_array_foreach(ign, i, x)
		if (json_is_integer(x) && json_integer_value(x) == v)
			return true;
	return false;
}

static void vendor_event(struct ctx *c, const json_t *ev, const struct snmpw_vb *vb, const char *object)
{
	const char *kind = profile_str(ev, "kind");
	const char *label = profile_str(ev, "text");
	char oid[300], code[64], *text;
	long long v;
	oid_text(vb, oid, sizeof(oid));
	if (!kind || !label)
		return;
	if (strcmp(kind, "text") == 0) {
		if (vb->type != SNMPW_STR)
			return;
		char *t = vb_text(c, vb, object);
		if (*t) {
			char *cd = decode_find_code(t, c->code_pattern);
			text = xasprintf("%s: %s", label, t);
			device_add_event(c->d, EV_SNMP_VENDOR, cd, text, NULL, oid);
			free(text);
			free(cd);
		}
		free(t);
		return;
	}
	if (vb_int(c, vb, object, &v) < 0 || in_ignore(json_object_get(ev, "ignore"), v))
		return;
	if (strcmp(kind, "hex-high-byte") == 0) {
		snprintf(code, sizeof(code), "0x%02llX", (unsigned long long)((v >> 8) & 0xff));
		text = xasprintf("%s = 0x%04llX (high byte %s)", label, (unsigned long long)(v & 0xffff), code);
		device_add_event(c->d, EV_SNMP_VENDOR, code, text, NULL, oid);
		free(text);
	} else if (strcmp(kind, "nonzero") == 0) {
		if (v > 0) {
			text = xasprintf("%s = %lld", label, v);
			device_add_event(c->d, EV_SNMP_VENDOR, profile_str(ev, "code"), text, NULL, oid);
			free(text);
		}
	} else if (strcmp(kind, "bits") == 0) {
		const char *k;
		const json_t *cd;
		json_object_foreach((json_t *)json_object_get(ev, "bits"), k, cd) {
			long long bit = strtoll(k, NULL, 0);
			if (bit > 0 && (v & bit) && json_is_string(cd)) {
				text = xasprintf("%s = 0x%llX: bit %s set", label, (unsigned long long)v, k);
				device_add_event(c->d, EV_SNMP_VENDOR, json_string_value(cd), text, NULL, oid);
				free(text);
			}
		}
	}
}

static void apply_events(struct ctx *c, const json_t *sec)
{
	const json_t *a = json_object_get(sec, "events"), *ev;
	size_t i;
	json_array_foreach(a, i, ev) {
		const char *oid = profile_str(ev, "oid"), *object = profile_str(ev, "name");
		if (!oid)
			continue;
		if (json_is_true(json_object_get(ev, "table"))) {
			struct rows r;
			collect(c->all, oid, &r);
			for (size_t k = 0; k < r.n; k++)
				vendor_event(c, ev, r.v[k], object ? object : oid);
			free(r.v);
		} else {
			const struct snmpw_vb *vb = find_str(c->all, oid);
			if (!is_absent(vb))
				vendor_event(c, ev, vb, object ? object : oid);
		}
	}
}

/* First capture group of an ERE in text, or NULL. */
static char *ere_group(const char *pattern, const char *text)
{
	regex_t re;
	regmatch_t m[2];
	char *out = NULL;
	if (!pattern || !text || regcomp(&re, pattern, REG_EXTENDED | REG_ICASE) != 0)
		return NULL;
	if (regexec(&re, text, 2, m, 0) == 0 && m[1].rm_so >= 0 && m[1].rm_eo > m[1].rm_so)
		out = xstrndup(text + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
	regfree(&re);
	return out;
}

/* ---------- identity: model, firmware ---------- */

static bool has_digit(const char *s)
{
	for (; s && *s; s++)
		if (isdigit((unsigned char)*s))
			return true;
	return false;
}

/* A model from sysDescr: the first segment, without firmware words and version numbers. */
static char *model_from_sysdescr(const char *descr)
{
	static const char *const cuts[] = {";", ",", " / ", " /", " OS ", " Firmware", " Ver", " version"};
	char *m = xstrdup(descr);
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		char *p = strstr(m, cuts[i]);
		if (p)
			*p = 0;
	}
	text_trim(m);
	for (;;) { /* drop trailing version numbers like "1.09" */
		char *sp = strrchr(m, ' ');
		if (!sp || !strchr(sp, '.') || strspn(sp + 1, "0123456789.") != strlen(sp + 1))
			break;
		*sp = 0;
	}
	if (!has_digit(m) || strlen(m) < 3) {
		free(m);
		return NULL;
	}
	return m;
}

static void derive_identity(struct ctx *c, const struct ident_vendor *v, const char *printer_idx)
{
	struct device *d = c->d;
	char key[200];
	if (!device_get(d, "identity.model")) {
		snprintf(key, sizeof(key), "hr.device.%s.descr", printer_idx);
		const struct fact *f = printer_idx[0] ? device_get(d, key) : NULL;
		if (f && has_digit(f->value))
			device_set(d, "identity.model", f->value, FACT_SNMP, f->where);
	}
	if (!device_get(d, "identity.model")) {
		const struct fact *f = device_get(d, "identity.printer_name");
		if (f && has_digit(f->value))
			device_set(d, "identity.model", f->value, FACT_SNMP, f->where);
	}
	const char *descr = device_value(d, "identity.sysdescr");
	if (!device_get(d, "identity.model") && descr) {
		char *m = model_from_sysdescr(descr);
		if (m)
			device_set(d, "identity.model", m, FACT_SNMP, "sysDescr 1.3.6.1.2.1.1.1.0 (first part)");
		free(m);
	}
	if (!device_get(d, "identity.firmware") && descr && v) {
		char *fw = ere_group(profile_str(snmp_section(v), "firmware_sysdescr"), descr);
		if (fw)
			device_set(d, "identity.firmware", fw, FACT_SNMP, "sysDescr 1.3.6.1.2.1.1.1.0 (snmp.firmware_sysdescr)");
		free(fw);
	}
}

const struct ident_vendor *decode_device(struct device *d, const struct ident_vendors *vs, const struct snmpw_vbs *all,
					 time_t now)
{
	struct ctx c = {.d = d, .all = all, .now = now, .uptime = -1};
	char printer_idx[128];
	apply_scalars(&c);
	apply_hr(&c, printer_idx, sizeof(printer_idx));
	const struct ident_vendor *v = ident_snmp(d, vs); /* after hr: hrDeviceDescr may name the maker */
	if (v)
		c.code_pattern = profile_str(json_object_get(v->root, "code_syntax"), "pattern");
	apply_alerts(&c);
	apply_console(&c);
	const json_t *sec = snmp_section(v);
	if (sec) {
		apply_settings(&c, sec);
		apply_events(&c, sec);
	}
	derive_identity(&c, v, printer_idx);
	ident_family(d, v, FACT_SNMP);
	return v;
}
