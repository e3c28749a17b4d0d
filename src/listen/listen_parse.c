/* listen/listen_parse.c — SMTP command, path and SASL payload parsing for the listener; see
 * listen_parse.h. Everything here reads bytes an untrusted device sent. */
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "listen/listen_parse.h"
#include "util/redact.h"
#include "util/text.h"

int listen_cmd_parse(const char *line, size_t n, struct listen_cmd *c)
{
	size_t i = 0, v = 0;
	memset(c, 0, sizeof(*c));
	while (i < n && line[i] == ' ')
		i++;
	while (i < n && line[i] != ' ') {
		if (v < sizeof(c->verb) - 1)
			c->verb[v++] = (char)toupper((unsigned char)line[i]);
		i++;
	}
	if (!v)
		return -1;
	while (i < n && line[i] == ' ')
		i++;
	c->arg = line + i;
	c->arglen = n - i;
	while (c->arglen && (c->arg[c->arglen - 1] == ' ' || c->arg[c->arglen - 1] == '\t'))
		c->arglen--;
	return 0;
}

int listen_path_parse(const char *arg, size_t n, const char *prefix, char **addr, char **params)
{
	size_t pl = strlen(prefix), i;
	*addr = *params = NULL;
	if (n < pl || strncasecmp(arg, prefix, pl) != 0)
		return -1;
	i = pl;
	while (i < n && arg[i] == ' ')
		i++;
	if (i >= n || arg[i] != '<')
		return -1;
	size_t start = ++i;
	while (i < n && arg[i] != '>')
		i++;
	if (i >= n)
		return -1;
	*addr = text_sanitize_n(arg + start, i - start, 300, 0);
	i++;
	while (i < n && arg[i] == ' ')
		i++;
	if (i < n)
		*params = text_sanitize_n(arg + i, n - i, 500, 0);
	return 0;
}

int listen_b64decode(const char *text, size_t n, unsigned char *out, size_t cap)
{
	if (n > 4096 || cap < (n / 4 + 1) * 3)
		return -1;
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	if (!ctx)
		return -1;
	int len = 0, fin = 0;
	EVP_DecodeInit(ctx);
	int rc = EVP_DecodeUpdate(ctx, out, &len, (const unsigned char *)text, (int)n);
	if (rc >= 0 && EVP_DecodeFinal(ctx, out + len, &fin) == 1)
		len += fin;
	else
		len = -1;
	EVP_ENCODE_CTX_free(ctx);
	return len;
}

void listen_password_facts(struct listen_auth *a, const unsigned char *pw, size_t n)
{
	a->pass_len = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = pw[i];
		a->pass_len += (ch & 0xc0) != 0x80; /* characters, not UTF-8 continuation bytes */
		a->pass_nonascii |= ch >= 0x80;
		a->pass_space |= ch == ' ';
		a->pass_quote |= ch == '"' || ch == '\'' || ch == '`';
		a->pass_percent |= ch == '%';
		a->pass_plus |= ch == '+';
		a->pass_amp |= ch == '&';
		a->pass_backslash |= ch == '\\';
		a->pass_hash |= ch == '#';
	}
}

/* Registers pw (NUL-terminated inside buf) for redaction, records its facts, wipes buf. */
static void take_password(struct listen_auth *a, unsigned char *pw, size_t n)
{
	char *s = xstrndup((const char *)pw, n);
	listen_password_facts(a, pw, n);
	redact_add_credential(a->user, s);
	redact_add_secret(s);
	OPENSSL_cleanse(s, n);
	free(s);
}

int listen_auth_plain(struct listen_auth *a, const char *text, size_t n)
{
	unsigned char buf[3100];
	int len = listen_b64decode(text, n, buf, sizeof(buf));
	if (len < 0)
		return -1;
	unsigned char *z1 = memchr(buf, 0, (size_t)len);
	unsigned char *z2 = z1 ? memchr(z1 + 1, 0, (size_t)(buf + len - (z1 + 1))) : NULL;
	if (!z2) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return -1;
	}
	free(a->user);
	a->user = text_sanitize_n((const char *)z1 + 1, (size_t)(z2 - z1 - 1), 200, 0);
	take_password(a, z2 + 1, (size_t)(buf + len - (z2 + 1)));
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

int listen_auth_login(struct listen_auth *a, const char *text, size_t n, int is_pass)
{
	unsigned char buf[3100];
	int len = listen_b64decode(text, n, buf, sizeof(buf));
	if (len < 0)
		return -1;
	if (is_pass) {
		take_password(a, buf, (size_t)len);
	} else {
		free(a->user);
		a->user = text_sanitize_n((const char *)buf, (size_t)len, 200, 0);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

long long listen_param_size(const char *params)
{
	for (const char *p = params; p && *p;) {
		while (*p == ' ')
			p++;
		if (!strncasecmp(p, "SIZE=", 5))
			return strtoll(p + 5, NULL, 10);
		p += strcspn(p, " ");
	}
	return -1;
}
