/* core/smtp_reply.c — SMTP reply parsing; see smtp_reply.h. */
#include "core/smtp_reply.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

size_t smtp_enhanced_at(const char *s, char out[16])
{
	const char *p = s;
	if (*p != '2' && *p != '4' && *p != '5')
		return 0;
	p++;
	for (int part = 0; part < 2; part++) {
		if (*p != '.')
			return 0;
		p++;
		int digits = 0;
		while (isdigit((unsigned char)*p) && digits < 4) {
			p++;
			digits++;
		}
		if (digits == 0 || digits > 3)
			return 0;
	}
	if (*p && !isspace((unsigned char)*p) && *p != ',' && *p != ';')
		return 0;
	size_t n = (size_t)(p - s);
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}

int smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	char *clean = text_sanitize_n(line, len, 2000, 0);
	if (r->nlines)
		buf_putc(&r->lines, '\n');
	buf_puts(&r->lines, clean);
	r->nlines++;
	const char *c = clean;
	int ok = isdigit((unsigned char)c[0]) && isdigit((unsigned char)c[1]) &&
		 isdigit((unsigned char)c[2]) && (c[3] == '\0' || c[3] == ' ' || c[3] == '-');
	if (!ok) {
		r->malformed = true;
		r->complete = true;
		free(clean);
		return 1;
	}
	int code = (c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0');
	if (code < 100 || code > 599)
		r->malformed = true;
	if (r->nlines == 1)
		r->code = code;
	else if (code != r->code)
		r->malformed = true;
	if (!r->enhanced[0] && c[3] != '\0') {
		char enh[16];
		const char *t = c + 4;
		while (*t == ' ')
			t++;
		if (smtp_enhanced_at(t, enh) && enh[0] == c[0])
			memcpy(r->enhanced, enh, sizeof(enh));
	}
	int final = c[3] != '-';
	if (final)
		r->complete = true;
	free(clean);
	return final;
}

int smtp_reply_parse(struct smtp_reply *r, const char *text)
{
	int n = 0;
	const char *p = text;
	while (p && *p && !r->complete) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len || nl) {
			smtp_reply_feed(r, p, len);
			n++;
		}
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

char *smtp_reply_joined(const struct smtp_reply *r)
{
	char *s = xstrdup(buf_str(&r->lines));
	for (char *p = s; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return s;
}

char *smtp_reply_message(const struct smtp_reply *r)
{
	struct buf b = {0};
	const char *p = buf_str(&r->lines);
	buf_puts(&b, "");
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *t = p;
		if (len >= 3 && isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1]) &&
		    isdigit((unsigned char)t[2])) {
			t += 3;
			if (t < p + len && (*t == ' ' || *t == '-'))
				t++;
			char enh[16];
			size_t el = smtp_enhanced_at(t, enh);
			if (el && strcmp(enh, r->enhanced) == 0) {
				t += el;
				while (t < p + len && *t == ' ')
					t++;
			}
		}
		if (t < p + len) {
			if (b.len)
				buf_putc(&b, ' ');
			buf_append(&b, t, (size_t)(p + len - t));
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return buf_steal(&b);
}

const char *smtp_reply_class(int code)
{
	switch (code / 100) {
	case 2: return "positive-completion";
	case 3: return "positive-intermediate";
	case 4: return "transient";
	case 5: return "permanent";
	default: return "invalid";
	}
}

void smtp_reply_reset(struct smtp_reply *r)
{
	buf_free(&r->lines);
	memset(r, 0, sizeof(*r));
}

void smtp_reply_copy(struct smtp_reply *dst, const struct smtp_reply *src)
{
	smtp_reply_reset(dst);
	*dst = *src;
	memset(&dst->lines, 0, sizeof(dst->lines));
	buf_puts(&dst->lines, buf_str(&src->lines));
}
