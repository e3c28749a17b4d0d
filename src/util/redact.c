/* util/redact.c — the secret set and scrubbing; see redact.h. */
#include "util/redact.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static struct strlist secrets;

char *redact_base64(const void *data, int n)
{
	char *out = xmalloc((size_t)(4 * ((n + 2) / 3) + 1));
	EVP_EncodeBlock((unsigned char *)out, data, n);
	return out;
}

static void add_one(const char *s)
{
	if (!s || strlen(s) < 3)
		return;
	for (size_t i = 0; i < secrets.n; i++)
		if (strcmp(secrets.v[i], s) == 0) /* exact: strlist_has ignores case */
			return;
	strlist_add(&secrets, s);
}

void redact_add_secret(const char *s)
{
	if (!s || strlen(s) < 3)
		return;
	add_one(s);
	char *b = redact_base64(s, (int)strlen(s));
	add_one(b);
	free(b);
}

static void add_blob(const char *authz, const char *user, const char *pw)
{
	size_t la = strlen(authz), lu = strlen(user), lp = strlen(pw);
	size_t n = la + 1 + lu + 1 + lp;
	char *blob = xmalloc(n);
	memcpy(blob, authz, la);
	blob[la] = '\0';
	memcpy(blob + la + 1, user, lu);
	blob[la + 1 + lu] = '\0';
	memcpy(blob + la + 2 + lu, pw, lp);
	char *b = redact_base64(blob, (int)n);
	add_one(b);
	OPENSSL_cleanse(blob, n);
	free(blob);
	free(b);
}

void redact_add_plain_blob(const char *user, const char *password)
{
	if (!password || !*password)
		return;
	add_blob("", user ? user : "", password);
	if (user && *user)
		add_blob(user, user, password);
}

void redact_add_xoauth2_blob(const char *user, const char *token)
{
	if (!token || !*token)
		return;
	char *blob = xasprintf("user=%s\001auth=Bearer %s\001\001", user ? user : "", token);
	char *b = redact_base64(blob, (int)strlen(blob));
	add_one(b);
	OPENSSL_cleanse(blob, strlen(blob));
	free(blob);
	free(b);
}

static void add_urlencoded(const char *s, int lower, int plus)
{
	static const char hexu[] = "0123456789ABCDEF", hexl[] = "0123456789abcdef";
	const char *hex = lower ? hexl : hexu;
	struct buf b = {0};
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			buf_append(&b, (const char *)p, 1);
		else if (*p == ' ' && plus)
			buf_puts(&b, "+");
		else
			buf_printf(&b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
	if (b.data)
		add_one(b.data);
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	buf_free(&b);
}

static void add_json_escaped(const char *s)
{
	json_t *j = json_string(s);
	char *d = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_ESCAPE_SLASH) : NULL;
	char *d2 = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	for (char *x = d; x; x = (x == d ? d2 : NULL)) {
		size_t n = strlen(x);
		if (n >= 2) {
			x[n - 1] = '\0';
			add_one(x + 1);
		}
		OPENSSL_cleanse(x, n);
	}
	free(d);
	free(d2);
	json_decref(j);
}

static void add_html_escaped(const char *s)
{
	struct buf b = {0};
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '&': buf_puts(&b, "&amp;"); break;
		case '<': buf_puts(&b, "&lt;"); break;
		case '>': buf_puts(&b, "&gt;"); break;
		case '"': buf_puts(&b, "&quot;"); break;
		case '\'': buf_puts(&b, "&#39;"); break;
		default: buf_append(&b, p, 1);
		}
	}
	if (b.data) {
		add_one(b.data);
		OPENSSL_cleanse(b.data, b.len);
	}
	buf_free(&b);
}

void redact_add_credential(const char *user, const char *secret)
{
	if (!secret || strlen(secret) < 3)
		return;
	redact_add_secret(secret);
	add_urlencoded(secret, 0, 0);
	add_urlencoded(secret, 1, 0);
	add_urlencoded(secret, 0, 1);
	add_urlencoded(secret, 1, 1);
	add_json_escaped(secret);
	add_html_escaped(secret);
	if (user && *user) {
		char *basic = xasprintf("%s:%s", user, secret);
		char *b = redact_base64(basic, (int)strlen(basic));
		add_one(b);
		OPENSSL_cleanse(basic, strlen(basic));
		free(basic);
		free(b);
	}
	redact_add_plain_blob(user, secret);
	redact_add_xoauth2_blob(user, secret);
}

FILE *redact_sink_open(struct redact_sink *k)
{
	memset(k, 0, sizeof(*k));
	k->f = open_memstream(&k->data, &k->len);
	return k->f;
}

int redact_sink_close(struct redact_sink *k, FILE *dst)
{
	if (!k->f)
		return -1;
	fclose(k->f);
	k->f = NULL;
	int rc = 0;
	if (k->data && k->len) {
		/* Renderers never print NUL bytes: the buffer is one string. */
		char *clean = redact_scrub(k->data);
		size_t n = strlen(clean);
		if (fwrite(clean, 1, n, dst) != n || fflush(dst) != 0)
			rc = -1;
		free(clean);
		OPENSSL_cleanse(k->data, k->len);
	}
	free(k->data);
	k->data = NULL;
	return rc;
}

static int longer_first(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Replaces every occurrence of sec in b with REDACTED. */
static void scrub_one(struct buf *b, const char *sec)
{
	size_t sl = strlen(sec), from = 0;
	char *hit;
	while ((hit = strstr(b->data + from, sec)) != NULL) {
		size_t at = (size_t)(hit - b->data);
		struct buf nb = {0};
		buf_append(&nb, b->data, at);
		buf_puts(&nb, REDACTED);
		from = nb.len;
		buf_puts(&nb, b->data + at + sl);
		buf_free(b);
		*b = nb;
	}
}

char *redact_scrub(const char *s)
{
	if (!s)
		return NULL;
	struct buf b = {0};
	buf_puts(&b, s);
	/* Longest first: a secret's encoded forms can contain another registered form (base64 of
	 * "user:password" shares its tail with base64 of the password), and the longer one must go
	 * whole so no fragment of it (the user name) is left around the marker. */
	if (secrets.n > 1)
		qsort(secrets.v, secrets.n, sizeof(secrets.v[0]), longer_first);
	for (size_t i = 0; i < secrets.n; i++)
		scrub_one(&b, secrets.v[i]);
	return buf_steal(&b);
}

void redact_clear(void)
{
	for (size_t i = 0; i < secrets.n; i++)
		OPENSSL_cleanse(secrets.v[i], strlen(secrets.v[i]));
	strlist_free(&secrets);
}
