/* record/rec_scrub.c — redaction and anonymization of recorded text; see rec_scrub.h. Regular
 * expressions (POSIX ERE) find the structures; the replacements keep the text around them. */
#define _GNU_SOURCE /* strcasestr */
#include "record/rec_scrub.h"

#include <ctype.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/redact.h"

/* A name that holds a secret: tokens, CSRF, nonces, session ids, passwords (one group). */
#define TOK "[A-Za-z0-9_.-]*(token|csrf|xsrf|nonce|sessid|sesid|session_?id|passwd|password|pwd|secret|" \
	    "ticket|apikey|authkey)[A-Za-z0-9_.-]*"

/* pattern, the group holding the value to replace */
static const struct {
	const char *re;
	int group;
} rules[] = {
	/* <input ... name=TOKENISH ... value="x">: value after the name */
	{"<input[^>]*name[[:space:]]*=[[:space:]]*[\"']?" TOK "[\"']?[^>]*value[[:space:]]*=[[:space:]]*[\"']?([^\"'>]*)", 2},
	/* value before the name */
	{"<input[^>]*value[[:space:]]*=[[:space:]]*[\"']?([^\"'>]*)[\"']?[^>]*name[[:space:]]*=[[:space:]]*[\"']?" TOK, 1},
	/* <input type=password ... value="x"> (either order) */
	{"<input[^>]*type[[:space:]]*=[[:space:]]*[\"']?password[^>]*value[[:space:]]*=[[:space:]]*[\"']?([^\"'>]*)", 1},
	{"<input[^>]*value[[:space:]]*=[[:space:]]*[\"']?([^\"'>]*)[\"']?[^>]*type[[:space:]]*=[[:space:]]*[\"']?password", 1},
	/* <meta name="csrf-token" content="x"> */
	{"<meta[^>]*name[[:space:]]*=[[:space:]]*[\"']?" TOK "[\"']?[^>]*content[[:space:]]*=[[:space:]]*[\"']?([^\"'>]*)", 2},
	/* URL and form parameters: ?wimToken=x&…, token2=x */
	{"(^|[?&;\"' ,(/])" TOK "=([^&#\"'<>[:space:];,)]*)", 3},
	/* JS and JSON: var token = "x"; "csrfToken": "x"; _pp.password = 'x' */
	{TOK "[\"']?[[:space:]]*[:=][[:space:]]*[\"']([^\"'<>]*)[\"']", 2},
};

static regex_t compiled[ARRAY_SIZE(rules)];
static regex_t re_mac, re_ip;
static bool ready;

static void compile_all(void)
{
	if (ready)
		return;
	ready = true;
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (regcomp(&compiled[i], rules[i].re, REG_EXTENDED | REG_ICASE) != 0)
			abort(); /* a table error: caught by the unit and integration tests */
	if (regcomp(&re_mac, "[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}", REG_EXTENDED) != 0 ||
	    regcomp(&re_ip, "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}", REG_EXTENDED) != 0)
		abort();
}

/* Replaces group g of every match of re in s with repl (empty values stay empty). */
static char *replace_group(const char *s, const regex_t *re, int g, const char *repl)
{
	struct buf b = {0};
	regmatch_t m[8];
	const char *p = s;
	int flags = 0;
	while (*p && regexec(re, p, 8, m, flags) == 0) {
		if (m[0].rm_eo == 0) { /* empty match: step on */
			buf_putc(&b, *p++);
			flags = REG_NOTBOL;
			continue;
		}
		if (m[g].rm_so >= 0 && m[g].rm_eo > m[g].rm_so) {
			buf_append(&b, p, (size_t)m[g].rm_so);
			buf_puts(&b, repl);
			buf_append(&b, p + m[g].rm_eo, (size_t)(m[0].rm_eo - m[g].rm_eo));
		} else {
			buf_append(&b, p, (size_t)m[0].rm_eo);
		}
		p += m[0].rm_eo;
		flags = REG_NOTBOL;
	}
	buf_puts(&b, p);
	return buf_steal(&b);
}

static char *structural(const char *s)
{
	char *cur = xstrdup(s);
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		char *next = replace_group(cur, &compiled[i], rules[i].group, REC_REDACTED);
		free(cur);
		cur = next;
	}
	return cur;
}

void rec_anon_init(struct rec_anon *a, bool on)
{
	memset(a, 0, sizeof(*a));
	a->on = on;
	if (RAND_bytes(a->key, sizeof(a->key)) != 1)
		for (size_t i = 0; i < sizeof(a->key); i++)
			a->key[i] = (unsigned char)rand();
}

void rec_anon_free(struct rec_anon *a)
{
	strlist_free(&a->from);
	strlist_free(&a->to);
	memset(a, 0, sizeof(*a));
}

static const char *lookup(const struct rec_anon *a, const char *from)
{
	for (size_t i = 0; i < a->from.n; i++)
		if (strcmp(a->from.v[i], from) == 0)
			return a->to.v[i];
	return NULL;
}

static void add_map(struct rec_anon *a, const char *from, char *to)
{
	strlist_add(&a->from, from);
	strlist_add_owned(&a->to, to);
}

void rec_anon_serial(struct rec_anon *a, const char *serial)
{
	if (!a->on || !serial || strlen(serial) < 4 || lookup(a, serial))
		return;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mlen = 0;
	HMAC(EVP_sha256(), a->key, sizeof(a->key), (const unsigned char *)serial, strlen(serial), mac, &mlen);
	char *to = xstrdup(serial);
	for (size_t i = 0; to[i]; i++) {
		unsigned char h = mac[i % mlen] ^ (unsigned char)(i / mlen * 31);
		if (isdigit((unsigned char)to[i]))
			to[i] = (char)('0' + h % 10);
		else if (isupper((unsigned char)to[i]))
			to[i] = (char)('A' + h % 26);
		else if (islower((unsigned char)to[i]))
			to[i] = (char)('a' + h % 26);
	}
	if (strcmp(to, serial) == 0)
		to[0] = to[0] == 'X' ? 'Y' : 'X';
	add_map(a, serial, to);
}

static bool is_ipv4(const char *s)
{
	unsigned x[4];
	char end;
	return sscanf(s, "%u.%u.%u.%u%c", &x[0], &x[1], &x[2], &x[3], &end) == 4;
}

void rec_anon_host(struct rec_anon *a, const char *name)
{
	if (!a->on || !name || strlen(name) < 3 || is_ipv4(name) || strchr(name, ':') || lookup(a, name))
		return;
	const char *dot = strchr(name, '.');
	char *label = xstrndup(name, dot ? (size_t)(dot - name) : strlen(name));
	const char *short_to = lookup(a, label);
	char *mapped = short_to ? xstrdup(short_to) : xasprintf("printer-%d", ++a->nhost);
	if (dot)
		add_map(a, name, xasprintf("%s.example.net", mapped));
	if (!short_to && strlen(label) >= 3)
		add_map(a, label, xstrdup(mapped));
	free(mapped);
	free(label);
}

/* The documentation address for a new IPv4 address (k-th one mapped). */
static char *doc_ip(int k)
{
	static const char *const nets[] = {"192.0.2", "198.51.100", "203.0.113"};
	return xasprintf("%s.%d", nets[(k / 254) % 3], k % 254 + 1);
}

static bool ip_ok(const char *s, size_t n)
{
	char tmp[20];
	snprintf(tmp, sizeof(tmp), "%.*s", (int)n, s);
	unsigned x[4];
	if (sscanf(tmp, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]) != 4)
		return false;
	for (const char *p = tmp; *p; p++) /* leading zeros: a version number, not an address */
		if (*p == '0' && (p == tmp || p[-1] == '.') && isdigit((unsigned char)p[1]))
			return false;
	if (x[0] > 255 || x[1] > 255 || x[2] > 255 || x[3] > 255 || x[0] == 255 || (x[0] | x[1] | x[2] | x[3]) == 0)
		return false; /* masks, broadcast and 0.0.0.0 say nothing about a site */
	return true;
}

/* Finds MACs (kind 0) or IPv4 addresses (kind 1) standing alone and maps each. */
static char *anon_pattern(struct rec_anon *a, const char *s, int kind)
{
	const regex_t *re = kind ? &re_ip : &re_mac;
	struct buf b = {0};
	regmatch_t m[2];
	const char *p = s;
	while (regexec(re, p, 2, m, p == s ? 0 : REG_NOTBOL) == 0) {
		const char *st = p + m[0].rm_so, *en = p + m[0].rm_eo;
		bool alone = kind ? (st == s || (!isdigit((unsigned char)st[-1]) && st[-1] != '.')) &&
					    !isdigit((unsigned char)*en) && !(*en == '.' && isdigit((unsigned char)en[1]))
				  : (st == s || (!isxdigit((unsigned char)st[-1]) && st[-1] != ':' && st[-1] != '-')) &&
					    !isxdigit((unsigned char)*en) && *en != ':' && *en != '-';
		if (!alone || (kind && !ip_ok(st, (size_t)(en - st)))) {
			buf_append(&b, p, (size_t)(st - p) + 1);
			p = st + 1;
			continue;
		}
		char *from = xstrndup(st, (size_t)(en - st));
		bool lower = false;
		if (!kind)
			for (char *q = from; *q; q++) { /* one key for 00:1b:… and 00-1B-… */
				lower = lower || islower((unsigned char)*q);
				*q = *q == '-' ? ':' : (char)toupper((unsigned char)*q);
			}
		const char *to = lookup(a, from);
		if (!to) {
			char *t = kind ? doc_ip(a->nip++) : xasprintf("00:00:5E:00:53:%02X", a->nmac++ % 256);
			add_map(a, from, t);
			to = t;
		}
		buf_append(&b, p, (size_t)(st - p));
		for (size_t i = 0; to[i]; i++) /* keep the separator and the case of the original */
			buf_putc(&b, !kind && (i % 3) == 2 ? st[2]
				     : lower ? (char)tolower((unsigned char)to[i]) : to[i]);
		free(from);
		p = en;
	}
	buf_puts(&b, p);
	return buf_steal(&b);
}

/* Literal replacements, longest first so a FQDN wins over its first label. */
static char *anon_literals(const struct rec_anon *a, const char *s)
{
	char *cur = xstrdup(s);
	bool *done = xcalloc(a->from.n + 1, sizeof(bool));
	for (;;) {
		size_t best = (size_t)-1, bl = 0;
		for (size_t i = 0; i < a->from.n; i++)
			if (!done[i] && strlen(a->from.v[i]) > bl) {
				best = i;
				bl = strlen(a->from.v[i]);
			}
		if (best == (size_t)-1)
			break;
		done[best] = true;
		struct buf b = {0};
		const char *p = cur, *f;
		while ((f = strcasestr(p, a->from.v[best])) != NULL) {
			buf_append(&b, p, (size_t)(f - p));
			buf_puts(&b, a->to.v[best]);
			p = f + bl;
		}
		buf_puts(&b, p);
		free(cur);
		cur = buf_steal(&b);
	}
	free(done);
	return cur;
}

char *rec_scrub(struct rec_anon *a, const char *s)
{
	if (!s)
		return NULL;
	compile_all();
	char *r1 = redact_scrub(s);
	char *r2 = structural(r1);
	free(r1);
	if (!a || !a->on)
		return r2;
	char *r3 = anon_pattern(a, r2, 0);
	char *r4 = anon_pattern(a, r3, 1);
	char *r5 = anon_literals(a, r4);
	free(r2);
	free(r3);
	free(r4);
	return r5;
}

char *rec_scrub_n(struct rec_anon *a, const char *s, size_t n, size_t *outn)
{
	struct buf b = {0};
	size_t i = 0;
	while (i < n) {
		const char *z = memchr(s + i, '\0', n - i);
		size_t len = z ? (size_t)(z - (s + i)) : n - i;
		char *piece = xstrndup(s + i, len);
		char *clean = rec_scrub(a, piece);
		buf_puts(&b, clean);
		free(clean);
		free(piece);
		i += len;
		if (z) {
			buf_append(&b, "", 1);
			i++;
		}
	}
	*outn = b.len;
	if (!b.data)
		return xstrdup("");
	return buf_steal(&b);
}

static bool printable(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return false;
	return true;
}

/* Maps a binary MAC or IPv4 address through the same table as the text forms. */
static void anon_binary(struct rec_anon *a, struct snmpw_vb *v, bool mac)
{
	char txt[40];
	if (mac)
		snprintf(txt, sizeof(txt), "%02X:%02X:%02X:%02X:%02X:%02X", v->bytes[0], v->bytes[1], v->bytes[2],
			 v->bytes[3], v->bytes[4], v->bytes[5]);
	else
		snprintf(txt, sizeof(txt), "%u.%u.%u.%u", v->bytes[0], v->bytes[1], v->bytes[2], v->bytes[3]);
	if ((!mac && !ip_ok(txt, strlen(txt))) || (mac && strcmp(txt, "00:00:00:00:00:00") == 0))
		return;
	char *m = anon_pattern(a, txt, mac ? 0 : 1);
	unsigned x[6];
	if (mac && sscanf(m, "%x:%x:%x:%x:%x:%x", &x[0], &x[1], &x[2], &x[3], &x[4], &x[5]) == 6)
		for (int i = 0; i < 6; i++)
			v->bytes[i] = (unsigned char)x[i];
	else if (!mac && sscanf(m, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]) == 4)
		for (int i = 0; i < 4; i++)
			v->bytes[i] = (unsigned char)x[i];
	free(m);
}

void rec_scrub_vb(struct rec_anon *a, struct snmpw_vb *v)
{
	compile_all();
	if (v->type == SNMPW_IPADDR && v->len == 4 && a->on) {
		anon_binary(a, v, false);
		return;
	}
	if (v->type != SNMPW_STR || !v->bytes)
		return;
	if (v->len == 6 && !printable(v->bytes, v->len)) {
		if (a->on)
			anon_binary(a, v, true);
		return;
	}
	size_t n;
	char *s = rec_scrub_n(a, (const char *)v->bytes, v->len, &n);
	free(v->bytes);
	v->bytes = (unsigned char *)s;
	v->len = n;
}
