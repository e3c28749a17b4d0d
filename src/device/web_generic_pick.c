/* device/web_generic_pick.c — the candidates of one page for the generic web reader: a label or
 * name matched to a setting, its value validated (port 1-65535, host name or address, an e-mail
 * address, a known security or login mode), the best candidate per setting chosen and stored as
 * a guess; see web_generic_int.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/web_generic_int.h"
#include "util/text.h"

void wg_page_init(struct wg_page *p, const char *path)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
}

void wg_section(struct wg_page *p, const char *text)
{
	if (!text || !*text)
		return;
	if (wg_is_foreign_text(text))
		p->ctx = WG_CTX_FOREIGN;
	else if (wg_is_smtp_text(text))
		p->ctx = WG_CTX_SMTP;
	else
		p->ctx = p->page_ctx;
}

static bool host_ok(const char *v)
{
	unsigned char a6[16];
	char tmp[260];
	size_t n = strlen(v);
	if (n == 0 || n > 253)
		return false;
	snprintf(tmp, sizeof(tmp), "%s", v);
	if (tmp[0] == '[' && tmp[n - 1] == ']') {
		tmp[n - 1] = '\0';
		return inet_pton(AF_INET6, tmp + 1, a6) == 1;
	}
	if (inet_pton(AF_INET, v, a6) == 1 || inet_pton(AF_INET6, v, a6) == 1)
		return true;
	bool alpha = false;
	size_t lab = 0;
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '.') {
			if (lab == 0 || p[-1] == '-')
				return false;
			lab = 0;
			continue;
		}
		if (!(isalnum(c) || c == '-') || (c == '-' && lab == 0) || ++lab > 63)
			return false;
		alpha |= isalpha(c) != 0;
	}
	return alpha && v[n - 1] != '-'; /* all digits ("25") or a bad IPv4 is not a host */
}

static bool port_ok(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > 5 || strspn(v, "0123456789") != n)
		return false;
	long x = strtol(v, NULL, 10);
	return x >= 1 && x <= 65535;
}

/* local@domain with no spaces, one '@' and a dotted or bracketed domain. */
static bool addr_ok(const char *a, size_t n)
{
	const char *at = memchr(a, '@', n);
	if (!at || at == a || (size_t)(at - a) + 1 >= n || memchr(at + 1, '@', n - (size_t)(at - a) - 1))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)a[i] <= ' ' || strchr("<>\"(),;:\\", a[i]))
			return false;
	return memchr(at + 1, '.', n - (size_t)(at - a) - 1) != NULL;
}

/* "addr" or "Name <addr>". */
static bool from_ok(const char *v)
{
	const char *lt = strrchr(v, '<');
	size_t n = strlen(v);
	if (lt && n && v[n - 1] == '>')
		return addr_ok(lt + 1, (size_t)(v + n - 1 - (lt + 1)));
	return addr_ok(v, n);
}

static bool user_ok(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > 128)
		return false;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ')
			return false;
	return strspn(v, "*.-_") != n; /* a masked or placeholder value is no login name */
}

/* The canonical value of key from raw text (state: a checkbox), or NULL when it is not one. */
static char *validate(enum wg_key key, const char *label, const char *raw, enum wg_state st)
{
	const char *m;
	if (st != WG_VALUE) {
		if (key == WG_SECURITY) {
			m = wg_map_value("security", label);
			return st == WG_CHECKED && m && strcmp(m, "none") != 0 ? xstrdup(m) : NULL;
		}
		if (key == WG_AUTH || key == WG_AUTH_METHOD) {
			m = wg_map_value("auth", label);
			bool method = m && strcmp(m, "auto") != 0 && strcmp(m, "none") != 0;
			if (st == WG_CHECKED)
				return xstrdup(method ? m : "auto");
			return method ? NULL : xstrdup("none");
		}
		return NULL;
	}
	switch (key) {
	case WG_HOST: return host_ok(raw) ? xstrdup(raw) : NULL;
	case WG_PORT: return port_ok(raw) ? xasprintf("%ld", strtol(raw, NULL, 10)) : NULL;
	case WG_FROM: return from_ok(raw) ? xstrdup(raw) : NULL;
	case WG_USER: return user_ok(raw) ? xstrdup(raw) : NULL;
	case WG_SECURITY:
		m = wg_map_value("security", raw);
		if (!m && (m = wg_map_value("auth", raw)) && (strcmp(m, "auto") == 0 || strcmp(m, "none") == 0)) {
			/* "SSL/TLS: On" — the label names the mode, the value switches it */
			const char *lm = wg_map_value("security", label);
			m = strcmp(m, "none") == 0 ? "none" : (lm && strcmp(lm, "none") != 0 ? lm : NULL);
		}
		return m ? xstrdup(m) : NULL;
	case WG_AUTH:
	case WG_AUTH_METHOD:
		m = wg_map_value("auth", raw);
		return m ? xstrdup(m) : NULL;
	default: return NULL;
	}
}

/* The label as shown in "where": sanitised, without the trailing ':' or '*' of the page. */
static char *shown_label(const char *label)
{
	char *s = text_trim(text_sanitize(label, 80, 0));
	size_t n = strlen(s);
	for (;;) {
		if (n && (s[n - 1] == ':' || s[n - 1] == '*' || s[n - 1] == ' '))
			s[--n] = '\0';
		else if (n >= 3 && memcmp(s + n - 3, "\xef\xbc\x9a", 3) == 0) /* fullwidth colon */
			s[n -= 3] = '\0';
		else if (n >= 2 && memcmp(s + n - 2, "\xc2\xa0", 2) == 0)
			s[n -= 2] = '\0';
		else
			break;
	}
	return s;
}

bool wg_offer(struct wg_page *p, enum wg_kind kind, const char *label, const char *value, enum wg_state st)
{
	if (!label || (st == WG_VALUE && !value))
		return false;
	struct wg_hits h;
	wg_match(label, kind != WG_LABEL, &h);
	if (h.never)
		return false; /* "Administrator e-mail address", "Password": never taken, the section goes on */
	if (h.foreign) {
		if (h.n || kind == WG_LABEL)
			p->ctx = WG_CTX_FOREIGN; /* "POP3 Server", "LDAP Port": another protocol's section */
		return false;
	}
	char *raw = value ? text_trim(text_sanitize(value, 300, 0)) : NULL;
	bool kept = false;
	for (int i = 0; i < h.n && !kept; i++) {
		if (h.weak[i] && p->ctx != WG_CTX_SMTP)
			continue;
		if (p->ctx == WG_CTX_FOREIGN && !h.smtp)
			continue; /* "User name" under "POP3": only an explicit SMTP/e-mail label counts there */
		char *v = validate(h.key[i], label, raw, st);
		if (!v)
			continue;
		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 16;
			p->c = xrealloc(p->c, p->cap * sizeof(*p->c));
		}
		p->c[p->n++] = (struct wg_cand){h.key[i], v, shown_label(label), kind, h.weak[i],
						p->order++};
		kept = true;
	}
	if (kept && !h.weak[0])
		p->ctx = WG_CTX_SMTP; /* a strong label opens an SMTP section */
	free(raw);
	return kept;
}

/* The best candidate for key: strong before weak, then the first on the page, a visible label
 * before a name. */
static const struct wg_cand *best(const struct wg_page *p, enum wg_key key)
{
	const struct wg_cand *b = NULL;
	for (size_t i = 0; i < p->n; i++) {
		const struct wg_cand *c = &p->c[i];
		if (c->key != key)
			continue;
		if (!b || (b->weak && !c->weak) || (b->weak == c->weak && b->kind != WG_LABEL && c->kind == WG_LABEL &&
						     strcmp(b->value, c->value) == 0))
			b = c;
	}
	return b;
}

static char *where_of(const struct wg_page *p, const struct wg_cand *c)
{
	static const char *const what[] = {"label", "field name", "script variable", "XML element"};
	char *path = text_sanitize(p->path ? p->path : "/", 200, 0);
	char *w = xasprintf("guessed from %s '%s' on %s", what[c->kind], c->shown, path);
	free(path);
	return w;
}

static int guess(struct device *d, const struct wg_page *p, const char *key, const struct wg_cand *c,
		 const char *value)
{
	if (!c)
		return 0;
	char *w = where_of(p, c);
	bool set = device_guess(d, key, value ? value : c->value, FACT_WEB, w);
	free(w);
	return set ? 1 : 0;
}

int wg_page_commit(struct wg_page *p, struct device *d)
{
	static const char *const facts[WG_NKEYS] = {"smtp.host", "smtp.port", "smtp.security", NULL, NULL,
						    "smtp.user", "smtp.from"};
	int n = 0;
	for (int k = 0; k < WG_NKEYS; k++)
		if (facts[k])
			n += guess(d, p, facts[k], best(p, (enum wg_key)k), NULL);
	/* the login: off wins; a method found beside "on" names it; "on" alone is "auto" */
	const struct wg_cand *a = best(p, WG_AUTH), *m = best(p, WG_AUTH_METHOD);
	if (a && strcmp(a->value, "none") == 0)
		n += guess(d, p, "smtp.auth", a, NULL);
	else if (m && strcmp(m->value, "none") != 0)
		n += guess(d, p, "smtp.auth", m, NULL);
	else if (a)
		n += guess(d, p, "smtp.auth", a, NULL);
	return n;
}

void wg_page_free(struct wg_page *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->c[i].value);
		free(p->c[i].shown);
	}
	free(p->c);
	memset(p, 0, sizeof(*p));
}
