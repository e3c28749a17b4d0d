/* util/redact.c — the secret set and scrubbing; see redact.h. */
#include "util/redact.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
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
	if (s && strlen(s) >= 3 && !strlist_has(&secrets, s))
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

char *redact_scrub(const char *s)
{
	if (!s)
		return NULL;
	struct buf b = {0};
	buf_puts(&b, s);
	for (size_t i = 0; i < secrets.n; i++) {
		const char *sec = secrets.v[i];
		size_t sl = strlen(sec);
		char *hit;
		size_t from = 0;
		while ((hit = strstr(b.data + from, sec)) != NULL) {
			size_t at = (size_t)(hit - b.data);
			struct buf nb = {0};
			buf_append(&nb, b.data, at);
			buf_puts(&nb, REDACTED);
			from = nb.len;
			buf_puts(&nb, b.data + at + sl);
			buf_free(&b);
			b = nb;
		}
	}
	return buf_steal(&b);
}

void redact_clear(void)
{
	for (size_t i = 0; i < secrets.n; i++)
		OPENSSL_cleanse(secrets.v[i], strlen(secrets.v[i]));
	strlist_free(&secrets);
}
