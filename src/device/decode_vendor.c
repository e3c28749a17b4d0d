/* device/decode_vendor.c — a vendor profile's `snmp` section: the OIDs it asks for, its
 * settings (typed: string, int, enum, ipaddress, bits, hex16; scalars or table rows chosen by
 * another column's value) and its events (hex16, nonzero, bits, text); see
 * decode_device.h and decode_ctx.h. Licence: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/decode_ctx.h"
#include "device/decode_device.h"
#include "device/decode_rows.h"
#include "profile/profile.h"

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

const json_t *decode_snmp_section(const struct ident_vendor *v)
{
	return v ? json_object_get(v->root, "snmp") : NULL;
}

void decode_vendor_oids(const struct ident_vendor *v, struct decode_oids *scalars, struct decode_oids *columns)
{
	static const char *const lists[] = {"settings", "events"};
	const json_t *sec = decode_snmp_section(v);
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

/* The row of r whose where-column (w) value is wv, or NULL. */
static const struct snmpw_vb *row_where(const struct drows *r, const struct drows *w, const char *wv)
{
	char buf[64];
	for (size_t i = 0; i < w->n; i++) {
		const struct snmpw_vb *vb = w->v[i];
		if (vb->type == SNMPW_STR)
			snprintf(buf, sizeof(buf), "%.*s", (int)(vb->len < 60 ? vb->len : 60), (const char *)vb->bytes);
		else
			snprintf(buf, sizeof(buf), "%lld", vb->i);
		if (strcmp(buf, wv) != 0)
			continue;
		struct snmpw_oid idx;
		drows_index(w, i, &idx);
		const struct snmpw_vb *pick = drows_find(r, &idx);
		if (pick)
			return pick;
	}
	return NULL;
}

/* The value of a setting or event: the scalar, or the first (or where_column-selected) row. */
static const struct snmpw_vb *setting_vb(struct dctx *c, const json_t *s)
{
	const char *oid = profile_str(s, "oid");
	if (!oid)
		return NULL;
	if (!json_is_true(json_object_get(s, "table")))
		return dctx_find(c->all, oid);
	struct drows r;
	drows_collect(c->all, oid, &r);
	const struct snmpw_vb *pick = r.n ? r.v[0] : NULL;
	const char *wc = profile_str(s, "where_column"), *wv = profile_str(s, "where_value");
	if (wc && wv) {
		struct drows w;
		drows_collect(c->all, wc, &w);
		pick = row_where(&r, &w, wv);
		drows_free(&w);
	}
	drows_free(&r);
	return pick;
}

static char *ipaddress_value(struct dctx *c, const struct snmpw_vb *vb, const char *object)
{
	if ((vb->type != SNMPW_IPADDR && vb->type != SNMPW_STR) || vb->len != 4)
		return vb->type == SNMPW_STR ? dctx_text(c, vb, object) : NULL;
	if (!vb->bytes[0] && !vb->bytes[1] && !vb->bytes[2] && !vb->bytes[3])
		return NULL; /* 0.0.0.0 = not set */
	return xasprintf("%u.%u.%u.%u", vb->bytes[0], vb->bytes[1], vb->bytes[2], vb->bytes[3]);
}

static char *string_value(struct dctx *c, const struct snmpw_vb *vb, const char *object)
{
	if (vb->type == SNMPW_STR) {
		char *t = dctx_text(c, vb, object);
		if (strcasecmp(t, "NULL") == 0) {
			free(t);
			return NULL;
		}
		return t;
	}
	return dctx_number(vb) ? xasprintf("%lld", vb->i) : NULL;
}

static char *bits_value(const json_t *s, long long v)
{
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

/* Formats a setting's value by its declared type. Returns a new string or NULL (unset). */
static char *setting_value(struct dctx *c, const json_t *s, const struct snmpw_vb *vb, const char *object)
{
	const char *type = profile_str(s, "type");
	long long v;
	if (!type || strcmp(type, "string") == 0)
		return string_value(c, vb, object);
	if (strcmp(type, "ipaddress") == 0)
		return ipaddress_value(c, vb, object);
	if (dctx_int(c, vb, object, &v) < 0)
		return NULL;
	if (strcmp(type, "enum") == 0) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%lld", v);
		const char *name = profile_str(json_object_get(s, "enum"), buf);
		if (name)
			return xstrdup(name);
		char *oid = dctx_oid(vb);
		dctx_note(c, object, "profile-enum", "%s (%s) = %lld is not in the profile's enumeration", object, oid, v);
		free(oid);
		return xasprintf("unknown(%lld)", v);
	}
	if (strcmp(type, "hex16") == 0)
		return xasprintf("0x%04llX", (unsigned long long)(v & 0xffff));
	if (strcmp(type, "bits") == 0)
		return bits_value(s, v);
	return xasprintf("%lld", v);
}

void decode_vendor_settings(struct dctx *c, const json_t *sec)
{
	const json_t *a = json_object_get(sec, "settings"), *s;
	size_t i;
	json_array_foreach(a, i, s) {
		const char *fact = profile_str(s, "fact");
		const char *object = profile_str(s, "name");
		const struct snmpw_vb *vb = setting_vb(c, s);
		if (!fact || dctx_absent(vb) || device_get(c->d, fact))
			continue;
		char *val = setting_value(c, s, vb, object ? object : fact), *oid = dctx_oid(vb);
		if (val && *val)
			device_set(c->d, fact, val, FACT_SNMP, oid);
		free(oid);
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

/* kind "text": each row's text as an event, the vendor code found in it. */
static void text_event(struct dctx *c, const char *label, const struct snmpw_vb *vb, const char *object,
		       const char *oid)
{
	if (vb->type != SNMPW_STR)
		return;
	char *t = dctx_text(c, vb, object);
	if (*t) {
		char *cd = decode_find_code(t, c->code_pattern), *text = xasprintf("%s: %s", label, t);
		device_add_event(c->d, EV_SNMP_VENDOR, cd, text, NULL, oid);
		free(text);
		free(cd);
	}
	free(t);
}

static void bits_event(struct dctx *c, const json_t *ev, const char *label, long long v, const char *oid)
{
	const char *k;
	const json_t *cd;
	json_object_foreach((json_t *)json_object_get(ev, "bits"), k, cd) {
		long long bit = strtoll(k, NULL, 0);
		if (bit > 0 && (v & bit) && json_is_string(cd)) {
			char *text = xasprintf("%s = 0x%llX: bit %s set", label, (unsigned long long)v, k);
			device_add_event(c->d, EV_SNMP_VENDOR, json_string_value(cd), text, NULL, oid);
			free(text);
		}
	}
}

static void vendor_event(struct dctx *c, const json_t *ev, const struct snmpw_vb *vb, const char *object)
{
	const char *kind = profile_str(ev, "kind"), *label = profile_str(ev, "text");
	long long v;
	if (!kind || !label)
		return;
	char *oid = dctx_oid(vb), *text = NULL;
	if (strcmp(kind, "text") == 0)
		text_event(c, label, vb, object, oid);
	else if (dctx_int(c, vb, object, &v) < 0 || in_ignore(json_object_get(ev, "ignore"), v))
		;
	else if (strcmp(kind, "hex16") == 0 || strcmp(kind, "hex-high-byte") == 0) {
		/* The whole 16-bit value is the code: the knowledge base splits it into its bytes
		 * (Brother: sending result in bits 15-8, receiving result and test state in 7-0). */
		char code[16];
		snprintf(code, sizeof(code), "0x%04llX", (unsigned long long)(v & 0xffff));
		text = xasprintf("%s = %s", label, code);
		device_add_event(c->d, EV_SNMP_VENDOR, code, text, NULL, oid);
	} else if (strcmp(kind, "nonzero") == 0 && v > 0) {
		text = xasprintf("%s = %lld", label, v);
		device_add_event(c->d, EV_SNMP_VENDOR, profile_str(ev, "code"), text, NULL, oid);
	} else if (strcmp(kind, "bits") == 0)
		bits_event(c, ev, label, v, oid);
	free(text);
	free(oid);
}

void decode_vendor_events(struct dctx *c, const json_t *sec)
{
	const json_t *a = json_object_get(sec, "events"), *ev;
	size_t i;
	json_array_foreach(a, i, ev) {
		const char *oid = profile_str(ev, "oid"), *object = profile_str(ev, "name");
		if (!oid)
			continue;
		if (json_is_true(json_object_get(ev, "table"))) {
			struct drows r;
			drows_collect(c->all, oid, &r);
			for (size_t k = 0; k < r.n; k++)
				vendor_event(c, ev, r.v[k], object ? object : oid);
			drows_free(&r);
		} else {
			const struct snmpw_vb *vb = dctx_find(c->all, oid);
			if (!dctx_absent(vb))
				vendor_event(c, ev, vb, object ? object : oid);
		}
	}
}
