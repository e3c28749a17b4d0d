/* device/web_js.c — reading values out of page JavaScript without running it; see web_js.h. */
#include "device/web_js.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/text.h"

#define MAX_HITS 256
#define MAX_DEPTH 4     /* references followed (x = y; y = z; …) */
#define MAX_VALUE 1000

struct src {
	const char *t;
	size_t n;
	const char *tables;  /* extra script text for table lookups, or NULL */
	int depth;           /* references followed so far */
};

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* When i starts a string or a comment, returns the offset after it; otherwise i. */
static size_t skip_noncode(const char *t, size_t n, size_t i)
{
	if (t[i] == '"' || t[i] == '\'' || t[i] == '`') {
		char q = t[i++];
		while (i < n && t[i] != q) {
			if (t[i] == '\\' && i + 1 < n)
				i++;
			i++;
		}
		return i < n ? i + 1 : n;
	}
	if (t[i] == '/' && i + 1 < n && t[i + 1] == '/') {
		while (i < n && t[i] != '\n')
			i++;
		return i;
	}
	if (t[i] == '/' && i + 1 < n && t[i + 1] == '*') {
		const char *e = NULL;
		for (size_t k = i + 2; k + 1 < n && !e; k++)
			if (t[k] == '*' && t[k + 1] == '/')
				e = t + k;
		return e ? (size_t)(e - t) + 2 : n;
	}
	return i;
}

static size_t skip_space(const char *t, size_t n, size_t i)
{
	while (i < n && isspace((unsigned char)t[i]))
		i++;
	return i;
}

/* Does name occur at i as a whole name (not part of a longer one or a property of another)? */
static bool name_at(const char *t, size_t n, size_t i, const char *name, size_t nl)
{
	if (i + nl > n || memcmp(t + i, name, nl) != 0)
		return false;
	if (i > 0 && (ident_char(t[i - 1]) || t[i - 1] == '.'))
		return false;
	return !(i + nl < n && ident_char(name[nl - 1]) && ident_char(t[i + nl]));
}

struct hit {
	size_t rhs;          /* offset of the assigned expression (or of the call's '(') */
	int depth;           /* brace depth of the statement */
};

/* Finds "name = …" (call: "name(") in t[from..to) outside strings and comments. */
static size_t find_in(const char *t, size_t from, size_t to, const char *name, bool call, struct hit *hits, size_t max)
{
	size_t nl = strlen(name), nh = 0;
	int depth = 0;
	for (size_t i = from; i < to && nh < max;) {
		size_t j = skip_noncode(t, to, i);
		if (j != i) {
			i = j;
			continue;
		}
		if (t[i] == '{')
			depth++;
		else if (t[i] == '}' && depth > 0)
			depth--;
		if (nl && name_at(t, to, i, name, nl)) {
			size_t k = skip_space(t, to, i + nl);
			bool assign = !call && k < to && t[k] == '=' && (k + 1 >= to || t[k + 1] != '=');
			if (assign || (call && k < to && t[k] == '(')) {
				hits[nh].rhs = call ? k : skip_space(t, to, k + 1);
				hits[nh++].depth = depth;
				i = k + 1;
				continue;
			}
		}
		i++;
	}
	return nh;
}

/* Case-insensitive search for needle in t[from..n). */
static size_t ci_find(const char *t, size_t n, size_t from, const char *needle)
{
	size_t nl = strlen(needle);
	for (size_t i = from; i + nl <= n; i++)
		if (strncasecmp(t + i, needle, nl) == 0)
			return i;
	return n;
}

/* Finds the assignments (or calls) of name. In an HTML page only the <script> elements are
 * scanned: an apostrophe in the page text is not the start of a JS string. */
static size_t find(const char *t, size_t n, const char *name, bool call, struct hit *hits, size_t max)
{
	size_t s0 = ci_find(t, n, 0, "<script");
	if (s0 == n)
		return find_in(t, 0, n, name, call, hits, max);
	size_t nh = 0;
	while (s0 < n && nh < max) {
		size_t open = ci_find(t, n, s0, ">");
		size_t close = ci_find(t, n, open, "</script");
		if (open < n)
			nh += find_in(t, open + 1, close, name, call, hits + nh, max - nh);
		s0 = ci_find(t, n, close, "<script");
	}
	return nh;
}

/* The hit to read: the last one at the shallowest depth (-1 when none). */
static long pick(const struct hit *h, size_t nh)
{
	long best = -1;
	for (size_t i = 0; i < nh; i++)
		if (best < 0 || h[i].depth <= h[best].depth)
			best = (long)i;
	return best;
}

static char *eval(const struct src *s, size_t i, size_t *end);

/* A quoted literal at i (unescaped, new string); *end after the closing quote. */
static char *string_lit(const char *t, size_t n, size_t i, size_t *end)
{
	char q = t[i++];
	struct buf b = {0};
	while (i < n && t[i] != q && b.len < MAX_VALUE) {
		char c = t[i];
		if (c == '\\' && i + 1 < n) {
			c = t[++i];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
		}
		buf_putc(&b, c);
		i++;
	}
	*end = i < n ? i + 1 : n;
	char *raw = buf_steal(&b);
	char *v = text_sanitize(raw ? raw : "", MAX_VALUE, 0);
	free(raw);
	return v;
}

/* Skips one expression (to the next ',' ')' ']' ';' at bracket depth 0). */
static size_t skip_expr(const char *t, size_t n, size_t i)
{
	int d = 0;
	while (i < n) {
		size_t j = skip_noncode(t, n, i);
		if (j != i) {
			i = j;
			continue;
		}
		char c = t[i];
		if (c == '(' || c == '[' || c == '{')
			d++;
		else if ((c == ')' || c == ']' || c == '}') && d-- == 0)
			return i;
		else if ((c == ',' || c == ';' || c == '\n') && d == 0)
			return i;
		i++;
	}
	return i;
}

/* Element idx of the array literal ("[…]" or "new Array(…)") at i, or NULL. */
static char *array_elem(const struct src *s, size_t i, long idx)
{
	const char *t = s->t;
	if (strncmp(t + i, "new Array", 9) == 0)
		i = skip_space(t, s->n, i + 9);
	if (i >= s->n || (t[i] != '[' && t[i] != '('))
		return NULL;
	char close = t[i] == '[' ? ']' : ')';
	i++;
	for (long k = 0; i < s->n; k++) {
		i = skip_space(t, s->n, i);
		if (i >= s->n || t[i] == close)
			return NULL;
		size_t end = i;
		if (k == idx)
			return eval(s, i, &end);
		end = skip_expr(t, s->n, i);
		if (end >= s->n || t[end] != ',')
			return NULL;
		i = end + 1;
	}
	return NULL;
}

static char *value_in(const char *t, size_t n, const char *name, const char *tables, int depth);

/* table[key]: an element assignment, an array literal, or the expression itself. */
static char *lookup(const struct src *s, const char *table, const char *key)
{
	char *name = xasprintf("%s[%s]", table, key);
	char *q = xasprintf("%s[\"%s\"]", table, key);
	char *v = value_in(s->t, s->n, name, s->tables, s->depth + 1);
	if (!v)
		v = value_in(s->t, s->n, q, s->tables, s->depth + 1);
	char *endp;
	long idx = strtol(key, &endp, 10);
	for (int pass = 0; !v && *endp == '\0' && pass < 2; pass++) {
		const char *t = pass == 0 ? s->t : s->tables;
		size_t n = pass == 0 ? s->n : (t ? strlen(t) : 0);
		struct hit h[MAX_HITS];
		size_t nh = t ? find(t, n, table, false, h, MAX_HITS) : 0;
		struct src sub = {.t = t, .n = n, .tables = s->tables, .depth = s->depth + 1};
		for (size_t k = nh; k-- > 0 && !v;)
			v = array_elem(&sub, h[k].rhs, idx);
	}
	if (!v)
		v = xstrdup(name); /* unknown table: keep the expression for a value map */
	free(q);
	free(name);
	return v;
}

/* The leading number of v (parseInt: integer only), or NULL. */
static char *leading_number(const char *v, bool integer)
{
	const char *p = v;
	while (isspace((unsigned char)*p))
		p++;
	char *end;
	if (integer) {
		long long x = strtoll(p, &end, 10);
		return end == p ? NULL : xasprintf("%lld", x);
	}
	(void)strtod(p, &end);
	if (end == p)
		return NULL;
	return xasprintf("%.*s", (int)(end - p), p);
}

/* An identifier at i: a call of a converter, an index lookup, or a reference. */
static char *eval_ident(const struct src *s, size_t i, size_t *end)
{
	const char *t = s->t;
	size_t a = i;
	while (i < s->n && (ident_char(t[i]) || t[i] == '.'))
		i++;
	char *id = xasprintf("%.*s", (int)(i - a), t + a);
	size_t k = skip_space(t, s->n, i);
	char *v = NULL;
	*end = skip_expr(t, s->n, a);
	if (k < s->n && t[k] == '(' &&
	    (!strcmp(id, "parseInt") || !strcmp(id, "parseFloat") || !strcmp(id, "Number") || !strcmp(id, "String"))) {
		size_t e;
		char *in = eval(s, skip_space(t, s->n, k + 1), &e);
		if (in && id[0] != 'S') {
			v = leading_number(in, id[5] == 'I');
			free(in);
		} else {
			v = in;
		}
	} else if (k < s->n && t[k] == '[') {
		size_t ks = skip_space(t, s->n, k + 1), ke;
		char *key = NULL;
		if (ks < s->n && (t[ks] == '"' || t[ks] == '\''))
			key = string_lit(t, s->n, ks, &ke);
		else if (ks < s->n && isdigit((unsigned char)t[ks]))
			key = leading_number(t + ks, true);
		if (key)
			v = lookup(s, id, key);
		free(key);
	} else if (!strcmp(id, "true") || !strcmp(id, "false")) {
		v = xstrdup(id);
	} else if (s->depth < MAX_DEPTH && k < s->n && t[k] != '(') {
		v = value_in(s->t, s->n, id, s->tables, s->depth + 1);
	}
	free(id);
	return v;
}

static char *eval(const struct src *s, size_t i, size_t *end)
{
	const char *t = s->t;
	i = skip_space(t, s->n, i);
	*end = i;
	if (i >= s->n || s->depth > MAX_DEPTH)
		return NULL;
	if (t[i] == '"' || t[i] == '\'')
		return string_lit(t, s->n, i, end);
	if (isdigit((unsigned char)t[i]) || (t[i] == '-' && i + 1 < s->n && isdigit((unsigned char)t[i + 1]))) {
		size_t a = i++;
		while (i < s->n && (isalnum((unsigned char)t[i]) || t[i] == '.'))
			i++;
		*end = i;
		return xasprintf("%.*s", (int)(i - a), t + a);
	}
	if (ident_char(t[i]))
		return eval_ident(s, i, end);
	return NULL;
}

static char *value_in(const char *t, size_t n, const char *name, const char *tables, int depth)
{
	struct hit h[MAX_HITS];
	size_t nh = t ? find(t, n, name, false, h, MAX_HITS) : 0;
	long b = pick(h, nh);
	if (b < 0 && tables && t != tables)
		return value_in(tables, strlen(tables), name, NULL, depth);
	if (b < 0)
		return NULL;
	struct src s = {.t = t, .n = n, .tables = tables == t ? NULL : tables, .depth = depth};
	size_t end;
	return eval(&s, h[b].rhs, &end);
}

char *web_js_value(const char *text, size_t len, const char *name, const char *tables)
{
	if (!text || !name || !*name)
		return NULL;
	return value_in(text, len, name, tables, 0);
}

char *web_js_call_arg(const char *text, size_t len, const char *name, int argno, const char *tables)
{
	struct hit h[1];
	if (!text || !name || !*name || find(text, len, name, true, h, 1) == 0)
		return NULL;
	struct src s = {.t = text, .n = len, .tables = tables};
	size_t i = h[0].rhs + 1;
	for (int k = 0; k < argno; k++) {
		i = skip_expr(text, len, skip_space(text, len, i));
		if (i >= len || text[i] != ',')
			return NULL;
		i++;
	}
	size_t end;
	return eval(&s, i, &end);
}

size_t web_js_records(const char *text, size_t len, const char *sep, size_t *starts, size_t *ends, size_t max)
{
	struct hit *h = xcalloc(max ? max : 1, sizeof(*h)); /* one record per assignment, up to max */
	size_t nh = text && sep ? find(text, len, sep, false, h, max) : 0, nr = 0;
	for (size_t i = 0; i < nh && nr < max; i++) {
		if (!isdigit((unsigned char)text[h[i].rhs]))
			continue; /* Index = Index + 1 and the like: not a record start */
		size_t e = skip_expr(text, len, h[i].rhs);
		if (nr > 0)
			ends[nr - 1] = h[i].rhs;
		starts[nr] = e;
		ends[nr++] = len;
	}
	free(h);
	return nr;
}

/* Copies the string literal at i as a JSON string into b; returns the offset after it. */
static size_t json_string(struct buf *b, const char *t, size_t n, size_t i)
{
	char q = t[i++];
	buf_putc(b, '"');
	for (; i < n && t[i] != q; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c == '\\' && i + 1 < n) {
			if (t[i + 1] == '\'')
				buf_putc(b, '\'');
			else
				buf_printf(b, "\\%c", t[i + 1]);
			i++;
		} else if (c == '"') {
			buf_puts(b, "\\\"");
		} else if (c < 0x20) {
			buf_printf(b, "\\u%04x", c);
		} else {
			buf_putc(b, (char)c);
		}
	}
	buf_putc(b, '"');
	return i < n ? i + 1 : n;
}

char *web_js_to_json(const char *text, size_t len)
{
	struct buf b = {0};
	size_t i = 0;
	while (i < len && text[i] != '{' && text[i] != '[')
		i++;
	while (i < len) {
		char c = text[i];
		if (c == '/' && i + 1 < len && (text[i + 1] == '/' || text[i + 1] == '*')) {
			i = skip_noncode(text, len, i);
		} else if (c == '"' || c == '\'') {
			i = json_string(&b, text, len, i);
		} else if (isalpha((unsigned char)c) || c == '_' || c == '$') {
			size_t a = i;
			while (i < len && ident_char(text[i]))
				i++;
			bool key = skip_space(text, len, i) < len && text[skip_space(text, len, i)] == ':';
			buf_printf(&b, key ? "\"%.*s\"" : "%.*s", (int)(i - a), text + a);
		} else if (c == ',') {
			size_t k = i + 1;
			while (k < len && (isspace((unsigned char)text[k]) || (text[k] == '/' && k + 1 < len &&
									      (text[k + 1] == '/' || text[k + 1] == '*'))))
				k = isspace((unsigned char)text[k]) ? k + 1 : skip_noncode(text, len, k); /* spaces, comments */
			if (k >= len || (text[k] != '}' && text[k] != ']'))
				buf_putc(&b, ',');
			i++;
		} else {
			buf_putc(&b, c);
			i++;
		}
	}
	return buf_steal(&b);
}
