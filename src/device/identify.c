/* device/identify.c — vendor and family identification; see identify.h. Licence: see LICENSE. */
#include "device/identify.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/snmp_std.h"
#include "profile/profile.h"

bool ident_ere_match(const char *pattern, const char *text)
{
	if (!pattern || !text)
		return false;
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
		return false;
	bool m = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

static void add_vendor(const char *path, json_t *root, void *user)
{
	struct ident_vendors *vs = user;
	const char *schema = profile_str(root, "schema");
	if (strchr(path, '/') || !schema || strcmp(schema, "mfpdoctor/vendor/1") != 0)
		return;
	const char *id = profile_str(root, "id");
	vs->v = xrealloc(vs->v, (vs->n + 1) * sizeof(*vs->v));
	struct ident_vendor *v = &vs->v[vs->n++];
	v->id = xstrdup(id ? id : path);
	const char *name = profile_str(root, "vendor");
	v->name = xstrdup(name ? name : v->id);
	v->root = json_incref(root);
}

void ident_vendors_load(struct ident_vendors *vs, const char *overlay_dir, struct strlist *errors)
{
	memset(vs, 0, sizeof(*vs));
	profile_each("", overlay_dir, add_vendor, vs, errors);
}

void ident_vendors_free(struct ident_vendors *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].id);
		free(vs->v[i].name);
		json_decref(vs->v[i].root);
	}
	free(vs->v);
	memset(vs, 0, sizeof(*vs));
}

const struct ident_vendor *ident_vendor_by_id(const struct ident_vendors *vs, const char *id)
{
	for (size_t i = 0; id && i < vs->n; i++)
		if (strcmp(vs->v[i].id, id) == 0)
			return &vs->v[i];
	return NULL;
}

unsigned long ident_enterprise(const char *oid)
{
	static const char pfx[] = "1.3.6.1.4.1.";
	if (!oid)
		return 0;
	if (*oid == '.')
		oid++;
	if (strncmp(oid, pfx, sizeof(pfx) - 1) != 0)
		return 0;
	char *end;
	unsigned long n = strtoul(oid + sizeof(pfx) - 1, &end, 10);
	return (*end == '.' || !*end) ? n : 0;
}

static const json_t *match_of(const struct ident_vendor *v)
{
	return json_object_get(v->root, "match");
}

static bool enterprise_matches(const struct ident_vendor *v, unsigned long ent)
{
	const json_t *a = json_object_get(match_of(v), "enterprise"), *x;
	size_t i;
	json_array_foreach(a, i, x)
		if (json_is_integer(x) && (unsigned long)json_integer_value(x) == ent)
			return true;
	return false;
}

/* Length of the longest sysobjectid_prefix that oid starts with (at an arc boundary), or 0. */
static size_t prefix_len(const struct ident_vendor *v, const char *oid)
{
	const json_t *a = json_object_get(match_of(v), "sysobjectid_prefix"), *x;
	size_t i, best = 0;
	if (!oid)
		return 0;
	json_array_foreach(a, i, x) {
		const char *p = json_string_value(x);
		size_t n = p ? strlen(p) : 0;
		if (n && strncmp(oid, p, n) == 0 && (oid[n] == '.' || !oid[n]) && n > best)
			best = n;
	}
	return best;
}

static const char *any_ere(const struct ident_vendor *v, const char *field, const char *text)
{
	const json_t *a = json_object_get(match_of(v), field), *x;
	size_t i;
	if (!text || !*text)
		return NULL;
	json_array_foreach(a, i, x)
		if (json_is_string(x) && ident_ere_match(json_string_value(x), text))
			return json_string_value(x);
	return NULL;
}

/* The descriptions that may name the maker: hrDeviceDescr of each device row, printer name. */
static void model_texts(const struct device *d, struct strlist *out)
{
	for (size_t i = 0; i < d->nfacts; i++) {
		const char *k = d->facts[i].key;
		size_t n = strlen(k);
		if ((strncmp(k, "hr.device.", 10) == 0 && n > 6 && strcmp(k + n - 6, ".descr") == 0) ||
		    strcmp(k, "identity.printer_name") == 0 || strcmp(k, "identity.model") == 0)
			strlist_add(out, d->facts[i].value);
	}
}

/* No profile matched: a maker known by enterprise number or sysDescr, else "not recognised". */
static void no_profile(struct device *d, unsigned long ent, const char *oid, const char *descr)
{
	for (size_t i = 0; i < snmp_std_nmakers; i++) {
		const struct std_maker *m = &snmp_std_makers[i];
		bool by_ent = ent && m->enterprise == ent;
		if (by_ent || (m->sysdescr && ident_ere_match(m->sysdescr, descr))) {
			device_set(d, "identity.vendor", m->name, FACT_SNMP,
				   by_ent ? "sysObjectID 1.3.6.1.2.1.1.2.0 (enterprise number)" : "sysDescr 1.3.6.1.2.1.1.1.0");
			device_note(d, "%s has no vendor profile in devices/: no vendor codes, settings or checklist for it",
				    m->name);
			return;
		}
	}
	if (descr)
		device_note(d, "vendor not recognised (enterprise %lu, sysDescr '%.80s')", ent, descr);
	else if (oid)
		device_note(d, "vendor not recognised (enterprise %lu, no sysDescr read)", ent);
}

const struct ident_vendor *ident_snmp(struct device *d, const struct ident_vendors *vs)
{
	const char *oid = device_value(d, "identity.sysobjectid");
	const char *descr = device_value(d, "identity.sysdescr");
	unsigned long ent = ident_enterprise(oid);
	struct strlist texts = {0};
	model_texts(d, &texts);
	const struct ident_vendor *by_oid = NULL, *by_text = NULL;
	size_t best_pfx = 0;
	const char *text_sig = NULL;
	for (size_t i = 0; i < vs->n; i++) {
		const struct ident_vendor *v = &vs->v[i];
		size_t pl = prefix_len(v, oid);
		if ((enterprise_matches(v, ent) || pl) && (!by_oid || pl > best_pfx)) {
			by_oid = v;
			best_pfx = pl;
		}
		if (!by_text && any_ere(v, "sysdescr", descr)) {
			by_text = v;
			text_sig = "sysDescr";
		}
		for (size_t t = 0; !by_text && t < texts.n; t++)
			if (any_ere(v, "sysdescr", texts.v[t])) {
				by_text = v;
				text_sig = "hrDeviceDescr/prtGeneralPrinterName";
			}
	}
	strlist_free(&texts);
	if (ent) {
		char tmp[24];
		snprintf(tmp, sizeof(tmp), "%lu", ent);
		device_set(d, "identity.enterprise", tmp, FACT_SNMP, "sysObjectID 1.3.6.1.2.1.1.2.0");
	}
	const struct ident_vendor *chosen = by_oid ? by_oid : by_text;
	if (by_oid && by_text && by_oid != by_text)
		device_note(d, "vendor signals disagree: sysObjectID (enterprise %lu) says %s, %s says %s; "
			       "using %s (a print server or OEM device may carry another maker's identity)",
			    ent, by_oid->name, text_sig, by_text->name, by_oid->name);
	if (chosen) {
		const char *where = chosen == by_oid ? "sysObjectID 1.3.6.1.2.1.1.2.0 (enterprise number)"
						     : chosen == by_text && text_sig[0] == 's' ? "sysDescr 1.3.6.1.2.1.1.1.0"
						     : "hrDeviceDescr 1.3.6.1.2.1.25.3.2.1.3";
		device_set(d, "identity.vendor", chosen->name, FACT_SNMP, where);
		device_set(d, "identity.vendor_id", chosen->id, FACT_SNMP, where);
		return chosen;
	}
	no_profile(d, ent, oid, descr);
	return NULL;
}

const struct ident_vendor *ident_web(const struct ident_vendors *vs, const char *title, const char *server,
				     const char *body, const char **marker)
{
	const struct ident_vendor *best = NULL;
	int best_score = 0;
	for (size_t i = 0; i < vs->n; i++) {
		const char *m1 = any_ere(&vs->v[i], "web_markers", title);
		const char *m2 = any_ere(&vs->v[i], "web_markers", server);
		const char *m3 = any_ere(&vs->v[i], "web_markers", body);
		int score = (m1 ? 3 : 0) + (m2 ? 3 : 0) + (m3 ? 1 : 0);
		if (score > best_score) {
			best_score = score;
			best = &vs->v[i];
			if (marker)
				*marker = m1 ? m1 : m2 ? m2 : m3;
		}
	}
	return best;
}

const char *ident_family(struct device *d, const struct ident_vendor *v, enum fact_source src)
{
	if (!v)
		return NULL;
	const char *texts[] = {device_value(d, "identity.model"), device_value(d, "identity.sysdescr")};
	const json_t *fams = json_object_get(v->root, "families"), *f;
	for (size_t t = 0; t < ARRAY_SIZE(texts); t++) {
		size_t i;
		if (!texts[t])
			continue;
		json_array_foreach(fams, i, f) {
			const char *re = profile_str(f, "model"), *id = profile_str(f, "id");
			if (id && re && ident_ere_match(re, texts[t])) {
				char *where = xasprintf("families[%s].model ~ %s", id, t == 0 ? "identity.model" : "sysDescr");
				device_set(d, "identity.family", id, FACT_PROFILE, where);
				free(where);
				(void)src;
				return id;
			}
		}
	}
	return NULL;
}
