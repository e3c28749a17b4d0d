/* fuzz_listen.c — libFuzzer target: what a hostile device sends to `mfpdoctor listen`. The input
 * is split into lines; each goes through the command splitter, the MAIL/RCPT path parser, SIZE=,
 * and the SASL PLAIN and LOGIN decoders, and all of them through the streaming MIME reader as one
 * message. Checks the bounds the report relies on: verbs stay short and upper case, a password
 * length never exceeds its line, recorded parts never exceed LISTEN_MAX_PARTS. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "listen/listen_mime.h"
#include "listen/listen_parse.h"
#include "util/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void auth_free(struct listen_auth *a)
{
	free(a->user);
	a->user = NULL;
}

static void one_line(const char *p, size_t n)
{
	struct listen_cmd k;
	if (listen_cmd_parse(p, n, &k) == 0) {
		if (strlen(k.verb) > 15 || k.arg < p || k.arg + k.arglen > p + n)
			abort();
		for (const char *v = k.verb; *v; v++)
			if (islower((unsigned char)*v))
				abort();
	}
	char *a, *prm;
	if (listen_path_parse(p, n, "FROM:", &a, &prm) == 0) {
		listen_param_size(prm);
		free(a);
		free(prm);
	}
	struct listen_auth au = {.pass_len = -1};
	if (listen_auth_plain(&au, p, n) == 0 && (au.pass_len < 0 || (size_t)au.pass_len > n))
		abort();
	auth_free(&au);
	au.pass_len = -1;
	if (listen_auth_login(&au, p, n, n & 1) == 0 && (size_t)au.pass_len > n && au.pass_len != -1)
		abort();
	auth_free(&au);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct listen_msg g = {0};
	struct listen_mime m;
	listen_mime_init(&m, &g);
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t t = n && p[n - 1] == '\r' ? n - 1 : n;
		one_line(p, t);
		listen_mime_line(&m, p, t);
		p += n + 1;
	}
	listen_mime_end(&m);
	listen_mime_free(&m);
	if (g.nparts > LISTEN_MAX_PARTS || g.parts_total < g.nparts)
		abort();
	for (int i = 0; i < g.nparts; i++) {
		if (g.parts[i].bytes < 0 || g.parts[i].decoded < 0 || !g.parts[i].type)
			abort();
		free(g.parts[i].type);
		free(g.parts[i].name);
		free(g.parts[i].encoding);
	}
	char *hs[] = {g.subject, g.from, g.to, g.date, g.content_type, g.mime_version, g.x_mailer};
	for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++)
		free(hs[i]);
	redact_clear();
	return 0;
}
