/* kb/vendor.c — vendor profiles: lazy loading, code normalisation and lookup; see vendor.h. */
#include "kb/vendor.h"
#include "kb/kb_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/embedded.h"
#include "profile/profile.h"

#define MAX_VENDORS 64

static struct {
	struct kb_vendor v[MAX_VENDORS];
	size_t n;
	bool all;                 /* every vendor file has been loaded */
	struct strlist errors;
} vt;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "xerox.json" -> "xerox"; NULL for files in sub-directories or not ending in .json. */
static char *id_of(const char *path)
{
	size_t n = strlen(path);
	if (strchr(path, '/') || n <= 5 || strcmp(path + n - 5, ".json") != 0)
		return NULL;
	return xstrndup(path, n - 5);
}

void kb_vendor_ids(struct strlist *out)
{
	for (size_t i = 0; i < profile_blob_count; i++) {
		char *id = id_of(profile_blobs[i].path);
		if (id && !strlist_has(out, id))
			strlist_add_owned(out, id);
		else
			free(id);
	}
	const char *dir = profile_site_dir();
	DIR *d = dir && *dir ? opendir(dir) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		char *id = e->d_name[0] != '.' ? id_of(e->d_name) : NULL;
		if (id && !strlist_has(out, id))
			strlist_add_owned(out, id);
		else
			free(id);
	}
	if (d)
		closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

static const struct kb_vendor *loaded(const char *id)
{
	for (size_t i = 0; i < vt.n; i++)
		if (strcmp(vt.v[i].id, id) == 0)
			return &vt.v[i];
	return NULL;
}

static const struct kb_vendor *load_one(const char *id)
{
	const struct kb_vendor *have = loaded(id);
	if (have || vt.n >= MAX_VENDORS)
		return have;
	char *path = xasprintf("%s.json", id);
	size_t before = vt.errors.n;
	json_t *j = profile_load(path, NULL, &vt.errors);
	kb_warn_errors(&vt.errors, before);
	free(path);
	const char *schema = profile_str(j, "schema");
	if (!j || !schema || strncmp(schema, "mfpdoctor/vendor/", 17) != 0 || !profile_str(j, "id")) {
		json_decref(j);
		return NULL;
	}
	before = vt.errors.n;
	char *where = xasprintf("profile %s.json", id);
	kb_vendor_validate(j, where, &vt.errors);
	free(where);
	kb_warn_errors(&vt.errors, before);
	struct kb_vendor *v = &vt.v[vt.n++];
	v->json = j;
	v->id = profile_str(j, "id");
	v->name = profile_str(j, "vendor") ? profile_str(j, "vendor") : v->id;
	return v;
}

size_t kb_vendors_load_all(void)
{
	if (vt.all)
		return vt.n;
	struct strlist ids = {0};
	kb_vendor_ids(&ids);
	for (size_t i = 0; i < ids.n; i++)
		load_one(ids.v[i]);
	strlist_free(&ids);
	vt.all = true;
	return vt.n;
}

const struct kb_vendor *kb_vendor_at(size_t i)
{
	return i < vt.n ? &vt.v[i] : NULL;
}

void kb_vendors_unload(void)
{
	for (size_t i = 0; i < vt.n; i++)
		json_decref(vt.v[i].json);
	strlist_free(&vt.errors);
	memset(&vt, 0, sizeof(vt));
}

/* Compares a word with a name case-insensitively, ignoring '-', ' ' and '_' in both. */
static bool loose_eq(const char *a, size_t an, const char *b)
{
	size_t i = 0, k = 0, bn = strlen(b);
	for (;;) {
		while (i < an && strchr("- _", a[i]))
			i++;
		while (k < bn && strchr("- _", b[k]))
			k++;
		if (i == an || k == bn)
			return i == an && k == bn;
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[k]))
			return false;
		i++, k++;
	}
}

/* True when word (length n) names vendor v by a display-name word (first word, or one in the
 * parentheses listing rebadges), compared loosely. */
static bool names_vendor(const struct kb_vendor *v, const char *word, size_t n)
{
	if (n < 2)
		return false;
	const char *p = v->name;
	bool first = true;
	while (*p) {
		while (*p && !isalnum((unsigned char)*p))
			p++;
		const char *s = p;
		while (*p && (isalnum((unsigned char)*p) || *p == '-'))
			p++;
		size_t wl = (size_t)(p - s);
		if (!wl)
			break;
		bool in_parens = memchr(v->name, '(', (size_t)(s - v->name)) != NULL;
		if ((first || (in_parens && wl >= 3)) && wl == n && strncasecmp(s, word, n) == 0)
			return true;
		first = false;
	}
	return false;
}

static const struct kb_vendor *find_word(const char *word, size_t n)
{
	struct strlist ids = {0};
	const struct kb_vendor *hit = NULL;
	kb_vendor_ids(&ids);
	for (size_t i = 0; !hit && i < ids.n; i++)
		if (loose_eq(word, n, ids.v[i]))
			hit = load_one(ids.v[i]);
	strlist_free(&ids);
	if (hit || n < 2)
		return hit;
	kb_vendors_load_all();
	for (size_t i = 0; !hit && i < vt.n; i++)
		if (names_vendor(&vt.v[i], word, n))
			hit = &vt.v[i];
	return hit;
}

const struct kb_vendor *kb_vendor_find(const char *name)
{
	if (!name || !*name)
		return NULL;
	return find_word(name, strlen(name));
}

const json_t *kb_vendor_family(const struct kb_vendor *v, const char *text)
{
	size_t i;
	const json_t *f;
	if (!v || !text)
		return NULL;
	json_array_foreach(json_object_get(v->json, "families"), i, f) {
		const char *id = profile_str(f, "id"), *name = profile_str(f, "name");
		if ((id && loose_eq(text, strlen(text), id)) || (name && strcasecmp(name, text) == 0))
			return f;
	}
	json_array_foreach(json_object_get(v->json, "families"), i, f) {
		const char *m = profile_str(f, "model");
		regex_t re;
		if (!m || regcomp(&re, m, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
			continue;
		int r = regexec(&re, text, 0, NULL, 0);
		regfree(&re);
		if (r == 0)
			return f;
	}
	return NULL;
}

void kb_vendor_key(const char *s, char *out, size_t outsz)
{
	size_t n = 0;
	bool blank = false;
	if (!outsz)
		return;
	while (*s && isspace((unsigned char)*s))
		s++;
	if (*s == '#')
		s++;
	for (; *s && n + 1 < outsz; s++) {
		if (isspace((unsigned char)*s)) {
			blank = true;
			continue;
		}
		if (blank && n)
			out[n++] = ' ';
		blank = false;
		if (n + 1 < outsz)
			out[n++] = (char)toupper((unsigned char)*s);
	}
	while (n && out[n - 1] == '.')
		n--;
	out[n] = '\0';
}

/* Does entry e apply to family id fam (NULL = any)? */
static bool entry_in_family(const json_t *e, const char *fam)
{
	const json_t *fs = json_object_get(e, "families");
	size_t i;
	const json_t *f;
	if (!fam || !json_array_size(fs))
		return true;
	json_array_foreach(fs, i, f)
		if (json_is_string(f) && (strcmp(json_string_value(f), "*") == 0 || strcmp(json_string_value(f), fam) == 0))
			return true;
	return false;
}

static bool key_matches(const json_t *e, const char *key)
{
	char k[256];
	kb_vendor_key(profile_str(e, "code") ? profile_str(e, "code") : "", k, sizeof(k));
	if (strcmp(k, key) == 0)
		return true;
	size_t i;
	const json_t *a;
	json_array_foreach(json_object_get(e, "aliases"), i, a) {
		if (!json_is_string(a))
			continue;
		kb_vendor_key(json_string_value(a), k, sizeof(k));
		if (strcmp(k, key) == 0)
			return true;
	}
	return false;
}

struct hits {
	struct kb_vendor_hit *v;
	size_t max, n;
};

static struct kb_vendor_hit *add_hit(struct hits *h, const struct kb_vendor *v, const json_t *e, const char *key)
{
	for (size_t i = 0; i < h->n && i < h->max; i++)
		if (h->v[i].entry == e)
			return NULL;
	struct kb_vendor_hit *hit = NULL;
	if (h->n < h->max) {
		hit = &h->v[h->n];
		memset(hit, 0, sizeof(*hit));
		hit->vendor = v;
		hit->entry = e;
		snprintf(hit->typed_as, sizeof(hit->typed_as), "%s", key);
	}
	h->n++;
	return hit;
}

/* Resolves the family text for vendor v: a family id, or NULL when fam is NULL. Returns false
 * when fam is given but v has no such family (v is then skipped). */
static bool family_id(const struct kb_vendor *v, const char *fam, const char **id)
{
	*id = NULL;
	if (!fam)
		return true;
	const json_t *f = kb_vendor_family(v, fam);
	*id = profile_str(f, "id");
	return *id != NULL;
}

static void search_vendor(const struct kb_vendor *v, const char *fam, const struct strlist *keys, struct hits *h)
{
	const char *fid;
	if (!family_id(v, fam, &fid))
		return;
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(v->json, "error_codes"), i, e) {
		if (!entry_in_family(e, fid))
			continue;
		for (size_t k = 0; k < keys->n; k++)
			if (key_matches(e, keys->v[k])) {
				add_hit(h, v, e, keys->v[k]);
				break;
			}
	}
}

static void add_key(struct strlist *keys, const char *s)
{
	char k[256];
	kb_vendor_key(s, k, sizeof(k));
	if (*k && !strlist_has(keys, k))
		strlist_add(keys, k);
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* A whole 16-bit value as typed (a key): "0X5460" always, a decimal 256-65535 only when the
 * search is narrowed to a vendor (a bare 535 stays an SMTP code). Returns it, or -1. */
static long word16(const char *t, bool narrowed)
{
	size_t n = strlen(t);
	if (n == 6 && t[0] == '0' && t[1] == 'X' && strspn(t + 2, "0123456789ABCDEF") == 4)
		return strtol(t + 2, NULL, 16);
	if (narrowed && n >= 3 && n <= 5 && all_digits(t, n)) {
		long v = atol(t);
		return v >= 256 && v <= 65535 ? v : -1;
	}
	return -1;
}

/* For a vendor whose code_syntax has "split16" (Brother's brpsEmailTestResult), looks up both
 * bytes of a 16-bit value: the high byte among entries not marked "byte": "low", the low byte
 * among entries not marked "high". A zero byte next to a non-zero one carries nothing. */
static void search_split(const struct kb_vendor *v, const char *fam, long val, struct hits *h)
{
	const char *fid;
	if (val < 0 || !json_is_object(json_object_get(json_object_get(v->json, "code_syntax"), "split16")) ||
	    !family_id(v, fam, &fid))
		return;
	int hi = (int)(val >> 8) & 0xff, lo = (int)val & 0xff;
	const struct { int b; const char *part, *not; } parts[] = {{hi, "high", "low"}, {lo, "low", "high"}};
	for (size_t p = 0; p < ARRAY_SIZE(parts); p++) {
		if (parts[p].b == 0 && (p == 0 || hi))
			continue;
		char key[8];
		snprintf(key, sizeof(key), "0X%02X", (unsigned)parts[p].b);
		size_t i;
		const json_t *e;
		json_array_foreach(json_object_get(v->json, "error_codes"), i, e) {
			const char *byte = profile_str(e, "byte");
			if (!entry_in_family(e, fid) || !key_matches(e, key) || (byte && strcmp(byte, parts[p].not) == 0))
				continue;
			struct kb_vendor_hit *hit = add_hit(h, v, e, key);
			if (hit) {
				snprintf(hit->part, sizeof(hit->part), "%s", parts[p].part);
				snprintf(hit->whole, sizeof(hit->whole), "0x%04X", (unsigned)(val & 0xffff));
			}
		}
	}
}

/* The spellings worth trying for key t (already a key: upper case, single blanks).
 * prefix: the vendor's optional prefix or NULL (not narrowed: prefixes only for non-numbers). */
static void candidates(const char *t, const char *prefix, bool narrowed, struct strlist *keys)
{
	size_t n = strlen(t);
	char buf[300];
	add_key(keys, t);
	/* 017715, 017 715, 017.715, 017_715 -> 017-715 */
	if ((n == 6 && all_digits(t, 6)) || (n == 7 && all_digits(t, 3) && strchr(" ._-", t[3]) && all_digits(t + 4, 3))) {
		snprintf(buf, sizeof(buf), "%.3s-%.3s", t, t + n - 3);
		add_key(keys, buf);
	}
	/* CE04, CE 04, CE-4 -> CE-04 */
	if (strncmp(t, "CE", 2) == 0) {
		const char *d = t + 2 + (t[2] == '-' || t[2] == ' ');
		if (*d && all_digits(d, strlen(d)) && strlen(d) <= 2) {
			snprintf(buf, sizeof(buf), "CE-%02d", atoi(d));
			add_key(keys, buf);
		}
	}
	/* E-535, E 535 -> E535 */
	if (t[0] == 'E' && (t[1] == '-' || t[1] == ' ') && all_digits(t + 2, strlen(t + 2))) {
		snprintf(buf, sizeof(buf), "E%s", t + 2);
		add_key(keys, buf);
	}
	if (!prefix || !*prefix)
		return;
	bool numeric = all_digits(t, n);
	if (strcmp(prefix, "0x") == 0) {
		if (!narrowed)
			return;
		/* Brother: 20h -> 0x20; decimal -> 0xNN */
		if (n >= 2 && n <= 3 && t[n - 1] == 'H' && isxdigit((unsigned char)t[0]) && isxdigit((unsigned char)t[n - 2])) {
			snprintf(buf, sizeof(buf), "0x%s%.*s", n == 2 ? "0" : "", (int)(n - 1), t);
			add_key(keys, buf);
		} else if (numeric && n <= 3 && atoi(t) <= 255) {
			snprintf(buf, sizeof(buf), "0x%02X", (unsigned)atoi(t));
			add_key(keys, buf);
		} else if (n == 2 && isxdigit((unsigned char)t[0]) && isxdigit((unsigned char)t[1])) {
			snprintf(buf, sizeof(buf), "0x%s", t);
			add_key(keys, buf);
		}
		return;
	}
	/* '#' is dropped by the key anyway; 'E' for OKI only when narrowed (535 is an SMTP code) */
	if ((narrowed || !numeric) && strncasecmp(t, prefix, strlen(prefix)) != 0) {
		snprintf(buf, sizeof(buf), "%s%s", prefix, t);
		add_key(keys, buf);
	}
}

/* Lead-in words dropped before the code (docs/profiles-vendor.md step 3). */
static const char *skip_leadin(const char *t)
{
	static const char *const words[] = {"ERROR CODE ", "FAULT CODE ", "STATUS CODE ", "ERROR ", "FAULT ",
					    "CODE ", "ERR ", "E "};
	bool again = true;
	while (again) {
		again = false;
		for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
			size_t n = strlen(words[i]);
			/* "E " only before digits (Kyocera "E 1102"), never eats the whole text */
			if (strncmp(t, words[i], n) == 0 && t[n] && (i + 1 < ARRAY_SIZE(words) || isdigit((unsigned char)t[n]))) {
				t += n;
				while (*t == ':' || *t == ' ')
					t++;
				again = true;
			}
		}
	}
	return t;
}

static size_t lookup(const char *text, const struct kb_vendor *vendor, const char *family, struct kb_vendor_hit *hits,
		     size_t max, const struct kb_vendor **from_text, bool exact)
{
	char key[256];
	struct hits h = {hits, max, 0};
	kb_vendor_key(text, key, sizeof(key));
	const char *t = key;
	if (from_text)
		*from_text = NULL;
	if (!exact) {
		/* a leading vendor word: "xerox 017-715", "Fuji Xerox 016-764" */
		for (int words = 0; words < 3; words++) {
			const char *sp = strchr(t, ' ');
			if (sp && vendor && names_vendor(vendor, t, (size_t)(sp - t))) {
				t = sp + 1; /* "Fuji Xerox": both words name FUJIFILM */
				continue;
			}
			const struct kb_vendor *named = sp ? find_word(t, (size_t)(sp - t)) : NULL;
			if (!named || (vendor && vendor != named))
				break;
			vendor = named;
			if (from_text)
				*from_text = named;
			t = sp + 1;
		}
		t = skip_leadin(t);
	}
	if (vendor) {
		struct strlist keys = {0};
		if (exact)
			add_key(&keys, t);
		else
			candidates(t, profile_str(json_object_get(vendor->json, "code_syntax"), "prefix_optional"), true, &keys);
		search_vendor(vendor, family, &keys, &h);
		strlist_free(&keys);
		if (!h.n)
			search_split(vendor, family, word16(t, !exact), &h);
		return h.n;
	}
	kb_vendors_load_all();
	for (size_t i = 0; i < vt.n; i++) {
		struct strlist keys = {0};
		if (exact)
			add_key(&keys, t);
		else
			candidates(t, profile_str(json_object_get(vt.v[i].json, "code_syntax"), "prefix_optional"), false, &keys);
		search_vendor(&vt.v[i], family, &keys, &h);
		strlist_free(&keys);
	}
	for (size_t i = 0; !h.n && i < vt.n; i++)
		search_split(&vt.v[i], family, word16(t, false), &h);
	return h.n;
}

size_t kb_vendor_lookup(const char *text, const struct kb_vendor *vendor, const char *family,
			struct kb_vendor_hit *hits, size_t max, const struct kb_vendor **vendor_from_text)
{
	return lookup(text, vendor, family, hits, max, vendor_from_text, false);
}

size_t kb_vendor_lookup_exact(const char *token, const struct kb_vendor *vendor, const char *family,
			      struct kb_vendor_hit *hits, size_t max)
{
	return lookup(token, vendor, family, hits, max, NULL, true);
}
