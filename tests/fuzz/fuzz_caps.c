/* fuzz_caps.c — libFuzzer target: EHLO capability lists from a hostile server. The input is
 * parsed twice: as raw text straight into smtp_caps_parse(), and line by line through the reply
 * parser (with its caps) as the session does. Checks what the rules rely on: AUTH mechanisms are
 * non-empty, upper case, unique; a SIZE limit is never negative. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/smtp_reply.h"
#include "smtp/caps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct smtp_caps *c)
{
	if (c->size < 0)
		abort();
	for (size_t i = 0; i < c->auth.n; i++) {
		const char *m = c->auth.v[i];
		if (!m[0])
			abort();
		for (const char *p = m; *p; p++)
			if (islower((unsigned char)*p) || *p == ' ')
				abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->auth.v[j], m) == 0)
				abort();
		if (!smtp_caps_has_auth(c, m))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct smtp_caps c = {0};
	smtp_caps_parse(&c, text);
	check(&c);
	smtp_caps_parse(&c, text); /* parsing again resets first */
	check(&c);
	smtp_caps_free(&c);

	struct smtp_reply r = {0};
	const char *p = (const char *)data;
	size_t left = size;
	while (left) {
		const char *nl = memchr(p, '\n', left);
		size_t n = nl ? (size_t)(nl - p) + 1 : left;
		if (smtp_reply_feed(&r, p, n) || n == left) {
			if (r.nlines > SMTP_REPLY_MAX_LINES)
				abort();
			smtp_caps_parse(&c, buf_str(&r.lines));
			c.cut = r.total_lines > r.nlines;
			check(&c);
			smtp_caps_free(&c);
			smtp_reply_reset(&r);
		}
		p += n;
		left -= n;
	}
	smtp_reply_reset(&r);
	free(text);
	return 0;
}
