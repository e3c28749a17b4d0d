/* device/decode_std.c — the standard objects into facts: SNMPv2-MIB and Printer-MIB scalars,
 * the device clock and its skew, hrDeviceTable/hrPrinterTable (which row is the printer, its
 * status and error bits) and the front-panel text; see decode_ctx.h. Licence: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/decode_ctx.h"
#include "device/decode_rows.h"
#include "device/snmp_std.h"

/* ---------- scalars ---------- */

static void clock_fact(struct dctx *c, const struct snmpw_vb *vb, const char *oid)
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

static void string_fact(struct dctx *c, const struct std_scalar *s, const struct snmpw_vb *vb)
{
	if (vb->type != SNMPW_STR) {
		if (dctx_number(vb)) {
			char num[32];
			snprintf(num, sizeof(num), "%lld", vb->i);
			device_note(c->d, "%s (%s) has type %s where a string belongs", s->object, s->oid,
				    snmpw_type_name(vb->type));
			device_set(c->d, s->key, num, FACT_SNMP, s->oid);
		}
		return;
	}
	char *t = dctx_text(c, vb, s->object);
	if (strcasecmp(t, "NULL") == 0)
		device_note(c->d, "%s (%s) is the string 'NULL'; treated as empty", s->object, s->oid);
	else
		device_set(c->d, s->key, t, FACT_SNMP, s->oid);
	free(t);
}

static void oid_fact(struct dctx *c, const struct std_scalar *s, const struct snmpw_vb *vb)
{
	if (vb->type == SNMPW_OIDVAL) {
		device_set(c->d, s->key, (const char *)vb->bytes, FACT_SNMP, s->oid);
		return;
	}
	char *ot = vb->type == SNMPW_STR ? decode_octets(vb->bytes, vb->len, 300, NULL) : xstrdup("");
	struct snmpw_oid o;
	device_note(c->d, "%s (%s) has type %s where an OBJECT IDENTIFIER belongs", s->object, s->oid,
		    snmpw_type_name(vb->type));
	if (snmpw_oid_parse(ot, &o) == 0)
		device_set(c->d, s->key, ot, FACT_SNMP, s->oid);
	free(ot);
}

void decode_std_scalars(struct dctx *c)
{
	for (size_t i = 0; i < snmp_std_nscalars; i++) {
		const struct std_scalar *s = &snmp_std_scalars[i];
		const struct snmpw_vb *vb = dctx_find(c->all, s->oid);
		char num[32];
		long long v;
		if (dctx_absent(vb))
			continue;
		switch (s->kind) {
		case STD_STRING:
			string_fact(c, s, vb);
			break;
		case STD_OID:
			oid_fact(c, s, vb);
			break;
		case STD_TICKS:
		case STD_COUNTER:
			if (dctx_int(c, vb, s->object, &v) == 0) {
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

/* ---------- hrDeviceTable, hrPrinterTable ---------- */

/* Sets hr.device.<index>.<field> = value (where = the varbind's OID). */
static void hr_fact(struct dctx *c, const struct drows *r, size_t i, const char *field, const char *value)
{
	struct snmpw_oid idx;
	drows_index(r, i, &idx);
	char *ix = drows_index_text(&idx), *key = xasprintf("hr.device.%s.%s", ix, field), *oid = dctx_oid(r->v[i]);
	device_set(c->d, key, value, FACT_SNMP, oid);
	free(oid);
	free(key);
	free(ix);
}

/* hrPrinterDetectedErrorState as names; an INTEGER sent instead is read as its bits. */
static void errstate_fact(struct dctx *c, const struct snmpw_vb *e)
{
	unsigned char bytes[8];
	const unsigned char *b = e->bytes;
	size_t len = e->len;
	char *oid = dctx_oid(e);
	if (e->type != SNMPW_STR) {
		device_note(c->d, "hrPrinterDetectedErrorState (%s) has type %s, not OCTET STRING; decoded its value as bits",
			    oid, snmpw_type_name(e->type));
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
	free(oid);
}

/* The printer's rows: status, printer status, error bits. */
static void printer_facts(struct dctx *c, const struct drows *status, const struct drows *pstatus,
			  const struct drows *errs, const struct snmpw_oid *printer)
{
	char txt[96];
	dctx_enum(c, "status.device", drows_find(status, printer), "hrDeviceStatus", snmp_enum_hr_device_status,
		  snmp_enum_hr_device_status_n, txt, sizeof(txt), false);
	dctx_enum(c, "status.printer", drows_find(pstatus, printer), "hrPrinterStatus", snmp_enum_hr_printer_status,
		  snmp_enum_hr_printer_status_n, txt, sizeof(txt), true);
	const struct snmpw_vb *e = drows_find(errs, printer);
	if (!e && errs->n)
		e = errs->v[0];
	if (e)
		errstate_fact(c, e);
}

static void hr_rows(struct dctx *c, const struct drows *type, const struct drows *descr, const struct drows *status,
		    struct snmpw_oid *printer)
{
	char txt[96];
	for (size_t i = 0; i < type->n; i++) {
		const struct snmpw_vb *vb = type->v[i];
		const char *t = vb->type == SNMPW_OIDVAL ? (const char *)vb->bytes : "?";
		bool prn = strcmp(t, STD_OID_HR_DEVICE_PRINTER) == 0;
		hr_fact(c, type, i, "type", prn ? "printer" : t);
		if (prn && !printer->n)
			drows_index(type, i, printer);
	}
	for (size_t i = 0; i < descr->n; i++) {
		char *t = descr->v[i]->type == SNMPW_STR ? dctx_text(c, descr->v[i], "hrDeviceDescr") : xstrdup("");
		hr_fact(c, descr, i, "descr", t);
		free(t);
	}
	for (size_t i = 0; i < status->n; i++) {
		struct snmpw_oid idx;
		drows_index(status, i, &idx);
		char *ix = drows_index_text(&idx), *key = xasprintf("hr.device.%s.status", ix);
		dctx_enum(c, key, status->v[i], "hrDeviceStatus", snmp_enum_hr_device_status, snmp_enum_hr_device_status_n,
			  txt, sizeof(txt), true);
		free(key);
		free(ix);
	}
}

void decode_std_hr(struct dctx *c, struct snmpw_oid *printer)
{
	const struct std_column *cols = snmp_std_columns;
	struct drows type, descr, status, pstatus, errs;
	drows_collect(c->all, cols[COL_HR_DEV_TYPE].oid, &type);
	drows_collect(c->all, cols[COL_HR_DEV_DESCR].oid, &descr);
	drows_collect(c->all, cols[COL_HR_DEV_STATUS].oid, &status);
	drows_collect(c->all, cols[COL_HR_PRN_STATUS].oid, &pstatus);
	drows_collect(c->all, cols[COL_HR_PRN_ERRSTATE].oid, &errs);
	/* Which hrDeviceIndex is the printer: a row of hrPrinterTable, else hrDeviceType printer. */
	printer->n = 0;
	if (pstatus.n)
		drows_index(&pstatus, 0, printer);
	else if (errs.n)
		drows_index(&errs, 0, printer);
	hr_rows(c, &type, &descr, &status, printer);
	if (!printer->n && descr.n)
		drows_index(&descr, 0, printer);
	if (printer->n)
		printer_facts(c, &status, &pstatus, &errs, printer);
	drows_free(&type);
	drows_free(&descr);
	drows_free(&status);
	drows_free(&pstatus);
	drows_free(&errs);
}

/* ---------- front panel ---------- */

void decode_std_console(struct dctx *c)
{
	struct drows r;
	drows_collect(c->all, snmp_std_columns[COL_CONSOLE_TEXT].oid, &r);
	struct buf j = {0};
	for (size_t i = 0; i < r.n; i++) {
		if (r.v[i]->type != SNMPW_STR)
			continue;
		char *t = dctx_text(c, r.v[i], "prtConsoleDisplayBufferText");
		if (*t) {
			buf_printf(&j, "%s%s", j.len ? " | " : "", t);
			char *code = decode_find_code(t, c->code_pattern);
			if (code) {
				char *oid = dctx_oid(r.v[i]);
				device_add_event(c->d, EV_PANEL, code, t, NULL, oid);
				free(oid);
			}
			free(code);
		}
		free(t);
	}
	if (j.len)
		device_set(c->d, "status.panel", buf_str(&j), FACT_SNMP, snmp_std_columns[COL_CONSOLE_TEXT].oid);
	buf_free(&j);
	drows_free(&r);
}
