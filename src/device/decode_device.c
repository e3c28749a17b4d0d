/* device/decode_device.c — varbinds to device facts: runs the decoders of decode_std.c,
 * decode_alerts.c and decode_vendor.c in order and derives the model and firmware; see
 * decode_device.h. Licence: see LICENSE. */
#include "device/decode_device.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/decode_ctx.h"
#include "device/decode_rows.h"
#include "profile/profile.h"
#include "util/text.h"

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

static void derive_identity(struct dctx *c, const struct ident_vendor *v, const struct snmpw_oid *printer)
{
	struct device *d = c->d;
	if (!device_get(d, "identity.model") && printer->n) {
		char *ix = drows_index_text(printer), *key = xasprintf("hr.device.%s.descr", ix);
		const struct fact *f = device_get(d, key);
		if (f && has_digit(f->value))
			device_set(d, "identity.model", f->value, FACT_SNMP, f->where);
		free(key);
		free(ix);
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
		char *fw = ere_group(profile_str(decode_snmp_section(v), "firmware_sysdescr"), descr);
		if (fw)
			device_set(d, "identity.firmware", fw, FACT_SNMP, "sysDescr 1.3.6.1.2.1.1.1.0 (snmp.firmware_sysdescr)");
		free(fw);
	}
}

const struct ident_vendor *decode_device(struct device *d, const struct ident_vendors *vs, const struct snmpw_vbs *all,
					 time_t now)
{
	struct dctx c = {.d = d, .all = all, .now = now, .uptime = -1};
	struct snmpw_oid printer;
	decode_std_scalars(&c);
	decode_std_hr(&c, &printer);
	const struct ident_vendor *v = ident_snmp(d, vs); /* after hr: hrDeviceDescr may name the maker */
	if (v)
		c.code_pattern = profile_str(json_object_get(v->root, "code_syntax"), "pattern");
	decode_alerts(&c);
	decode_std_console(&c);
	const json_t *sec = decode_snmp_section(v);
	if (sec) {
		decode_vendor_settings(&c, sec);
		decode_vendor_events(&c, sec);
	}
	derive_identity(&c, v, &printer);
	ident_family(d, v, FACT_SNMP);
	dctx_notes_finish(&c);
	return v;
}
