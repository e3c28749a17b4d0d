/* device/web_generic_words.c — the word lists of the generic web reader (devices/generic/
 * labels.json, loaded once) and the matching of labels and names against them; see
 * web_generic_int.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/web_generic.h"
#include "device/web_generic_int.h"
#include "profile/profile.h"
#include "util/text.h"

#define WG_MAX_LABEL 80      /* bytes of a normalised label; longer text is prose */
#define WG_MAX_WORDS 8

static const char *const key_names[WG_NKEYS] = {"host", "port", "security", "auth_method", "auth", "user", "from"};

static json_t *words;

static char *name_norm(const char *s);

/* A copy of the string array with every entry normalised (labels or names). */
static json_t *normed(const json_t *arr, bool is_name)
{
	json_t *out = json_array();
	size_t i;
	const json_t *v;
	json_array_foreach((json_t *)arr, i, v) {
		char *n = is_name ? name_norm(json_string_value(v)) : wg_norm(json_string_value(v));
		if (*n)
			json_array_append_new(out, json_string(n));
		free(n);
	}
	return out;
}

/* Normalises every list once, at load: matching then compares plain strings. */
static void prepare(json_t *j)
{
	const char *k;
	json_t *f, *row;
	size_t i;
	json_object_foreach(json_object_get(j, "fields"), k, f) {
		json_object_set_new(f, "labels", normed(json_object_get(f, "labels"), false));
		json_object_set_new(f, "labels_weak", normed(json_object_get(f, "labels_weak"), false));
		json_object_set_new(f, "names", normed(json_object_get(f, "names"), true));
		json_object_set_new(f, "names_weak", normed(json_object_get(f, "names_weak"), true));
	}
	json_object_set_new(j, "context_names", normed(json_object_get(j, "context"), true));
	json_object_set_new(j, "context", normed(json_object_get(j, "context"), false));
	json_object_set_new(j, "foreign", normed(json_object_get(j, "foreign"), false));
	json_object_set_new(j, "foreign_names", normed(json_object_get(j, "foreign_names"), true));
	json_object_set_new(j, "never", normed(json_object_get(j, "never"), false));
	json_object_set_new(j, "never_names", normed(json_object_get(j, "never_names"), true));
	json_object_foreach(json_object_get(j, "values"), k, f)
		json_array_foreach(f, i, row)
			json_object_set_new(row, "match", normed(json_object_get(row, "match"), false));
	json_object_foreach(json_object_get(j, "links"), k, f)
		json_object_set_new(json_object_get(j, "links"), k, normed(f, false));
}

const json_t *wg_words(char *err, size_t errsz)
{
	if (words)
		return words;
	struct strlist errs = {0};
	json_t *j = profile_load("generic/labels.json", NULL, &errs);
	if (!j || !json_is_object(json_object_get(j, "fields"))) {
		snprintf(err, errsz, "devices/generic/labels.json could not be loaded%s%s", errs.n ? ": " : "",
			 errs.n ? errs.v[0] : "");
		json_decref(j);
		strlist_free(&errs);
		return NULL;
	}
	strlist_free(&errs);
	prepare(j);
	words = j;
	return words;
}

int web_generic_check(char *err, size_t errsz)
{
	const json_t *w = wg_words(err, errsz);
	if (!w)
		return -1;
	for (int k = 0; k < WG_NKEYS; k++) {
		const json_t *f = json_object_get(json_object_get(w, "fields"), key_names[k]);
		if (!json_array_size(json_object_get(f, "labels")) || !json_array_size(json_object_get(f, "names"))) {
			snprintf(err, errsz, "labels.json: field '%s' has no labels or names", key_names[k]);
			return -1;
		}
	}
	return 0;
}

char *wg_norm(const char *s)
{
	struct buf b = {0};
	bool space = false;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		unsigned char c = *p;
		bool sp = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '-' ||
			  c == '_' || c == '/';
		if (c == 0xc2 && p[1] == 0xa0) { /* NBSP */
			sp = true;
			p++;
		} else if (c == 0xe3 && p[1] == 0x80 && p[2] == 0x80) { /* ideographic space */
			sp = true;
			p += 2;
		}
		if (sp) {
			space = true;
			continue;
		}
		if (space && b.len)
			buf_putc(&b, ' ');
		space = false;
		if (c == 0xe2 && p[1] == 0x80 && p[2] == 0x99) { /* ’ */
			buf_putc(&b, '\'');
			p += 2;
		} else if (c == 0xef && p[1] == 0xbc && p[2] == 0x9a) { /* fullwidth colon */
			buf_putc(&b, ':');
			p += 2;
		} else if (c == 0xc3 && p[1] >= 0x80 && p[1] <= 0x9e && p[1] != 0x97) { /* À..Þ */
			buf_putc(&b, (char)c);
			buf_putc(&b, (char)(p[1] + 0x20));
			p++;
		} else {
			buf_putc(&b, (char)(c < 0x80 ? tolower(c) : c));
		}
	}
	char *out = xstrdup(buf_str(&b));
	buf_free(&b);
	size_t n = strlen(out);
	while (n && (out[n - 1] == ':' || out[n - 1] == '*' || out[n - 1] == ' '))
		out[--n] = '\0';
	return out;
}

/* Only letters and digits, lower case (names: "GSI_SMTP_SERVER" → "gsismtpserver"). */
static char *name_norm(const char *s)
{
	char *out = xstrdup(s ? s : "");
	size_t j = 0;
	for (const char *p = out; *p; p++)
		if (isalnum((unsigned char)*p))
			out[j++] = (char)tolower((unsigned char)*p);
	out[j] = '\0';
	return out;
}

static bool word_char(unsigned char c)
{
	return c < 0x80 && isalnum(c);
}

long wg_find_word(const char *s, const char *w, long from)
{
	size_t wl = strlen(w);
	if (!wl)
		return -1;
	for (const char *p = strstr(s + from, w); p; p = strstr(p + 1, w)) {
		bool before = p == s || !word_char((unsigned char)p[-1]) || !word_char((unsigned char)w[0]);
		bool after = !word_char((unsigned char)p[wl]) || !word_char((unsigned char)w[wl - 1]);
		if (before && after)
			return p - s;
	}
	return -1;
}

/* Finds w in s from offset from: whole words for labels, a substring for names. */
static long find(const char *s, const char *w, bool is_name, long from)
{
	if (!is_name)
		return wg_find_word(s, w, from);
	const char *p = strstr(s + from, w);
	return p ? p - s : -1;
}

/* Does s hold a word of the array outside [a, b)? */
static bool has_other(const char *s, const json_t *arr, bool is_name, long a, long b)
{
	size_t i;
	const json_t *v;
	bool hit = false;
	json_array_foreach((json_t *)arr, i, v) {
		const char *w = json_string_value(v);
		for (long at = find(s, w, is_name, 0); at >= 0 && !hit; at = find(s, w, is_name, at + 1))
			hit = at + (long)strlen(w) <= a || at >= b;
		if (hit)
			break;
	}
	return hit;
}

/* A weak name must end the identifier, or be followed only by one of these ("userName",
 * "serverAddr"; not "loginStatus"). */
static bool tail_ok(const char *rest)
{
	static const char *const ok[] = {"", "name", "addr", "address", "number", "no", "num", "value", "val", "str",
					 "s"};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (strcmp(rest, ok[i]) == 0)
			return true;
	return false;
}

/* The longest pattern of arr found in s: its length (0 = none) and span. */
static size_t longest(const char *s, const json_t *arr, bool is_name, bool tail, long *a)
{
	size_t best = 0, i;
	const json_t *v;
	json_array_foreach((json_t *)arr, i, v) {
		const char *w = json_string_value(v);
		long at = find(s, w, is_name, 0);
		while (tail && at >= 0 && !tail_ok(s + at + strlen(w)))
			at = find(s, w, is_name, at + 1);
		if (at >= 0 && strlen(w) > best) {
			best = strlen(w);
			*a = at;
		}
	}
	return best;
}

static void rank(struct wg_hits *h, const size_t *len, const bool *weak)
{
	for (int k = 0; k < WG_NKEYS; k++) {
		if (!len[k])
			continue;
		int at = h->n++;
		while (at > 0 && len[h->key[at - 1]] < len[k]) {
			h->key[at] = h->key[at - 1];
			h->weak[at] = h->weak[at - 1];
			at--;
		}
		h->key[at] = (enum wg_key)k;
		h->weak[at] = weak[k];
	}
}

void wg_match(const char *text, bool is_name, struct wg_hits *h)
{
	memset(h, 0, sizeof(*h));
	char err[200];
	const json_t *w = wg_words(err, sizeof(err));
	if (!w || !text)
		return;
	char *s = is_name ? name_norm(text) : wg_norm(text);
	size_t nspaces = 0;
	for (const char *p = s; *p; p++)
		nspaces += *p == ' ';
	if (!*s || strlen(s) > WG_MAX_LABEL || nspaces >= WG_MAX_WORDS) {
		free(s);
		return;
	}
	const json_t *fields = json_object_get(w, "fields");
	size_t len[WG_NKEYS] = {0};
	bool weak[WG_NKEYS] = {0};
	long span_a = 0, span_b = 0, best = 0;
	for (int k = 0; k < WG_NKEYS; k++) {
		const json_t *f = json_object_get(fields, key_names[k]);
		long a = 0, aw = 0;
		size_t strong = longest(s, json_object_get(f, is_name ? "names" : "labels"), is_name, false, &a);
		size_t wk = longest(s, json_object_get(f, is_name ? "names_weak" : "labels_weak"), is_name, is_name,
			    &aw);
		len[k] = strong >= wk ? strong : wk;
		weak[k] = strong < wk;
		if (len[k] > (size_t)best) {
			best = (long)len[k];
			span_a = weak[k] ? aw : a;
			span_b = span_a + best;
		}
	}
	rank(h, len, weak);
	h->foreign = has_other(s, json_object_get(w, is_name ? "foreign_names" : "foreign"), is_name, span_a, span_b);
	h->never = has_other(s, json_object_get(w, is_name ? "never_names" : "never"), is_name, span_a, span_b);
	h->smtp = !h->foreign && has_other(s, json_object_get(w, is_name ? "context_names" : "context"), is_name, 0, 0);
	free(s);
}

bool wg_is_smtp_text(const char *text)
{
	char err[200];
	const json_t *w = wg_words(err, sizeof(err));
	char *s = wg_norm(text);
	bool r = w && has_other(s, json_object_get(w, "context"), false, 0, 0);
	free(s);
	return r;
}

bool wg_is_foreign_text(const char *text)
{
	char err[200];
	const json_t *w = wg_words(err, sizeof(err));
	char *s = wg_norm(text);
	bool r = w && has_other(s, json_object_get(w, "foreign"), false, 0, 0);
	free(s);
	return r;
}

const char *wg_map_value(const char *map, const char *raw)
{
	char err[200];
	const json_t *w = wg_words(err, sizeof(err));
	if (!w || !raw)
		return NULL;
	char *s = wg_norm(raw);
	const char *found = NULL;
	size_t i, j;
	const json_t *row, *m;
	json_array_foreach(json_object_get(json_object_get(w, "values"), map), i, row) {
		json_array_foreach(json_object_get(row, "match"), j, m) {
			if (wg_find_word(s, json_string_value(m), 0) >= 0) {
				found = profile_str(row, "value");
				break;
			}
		}
		if (found)
			break;
	}
	free(s);
	return found;
}
