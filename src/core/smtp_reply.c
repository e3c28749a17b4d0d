/* core/smtp_reply.c — SMTP reply parsing; see smtp_reply.h. */
#include "core/smtp_reply.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/redact.h"
#include "util/text.h"

#define MFP_STR_(x) #x
#define MFP_STR(x) MFP_STR_(x)

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

/* The received line, secrets scrubbed (before any cut, so no part of a secret survives), then
 * sanitised and cut to SMTP_REPLY_MAX_LINE bytes. NUL bytes become '?' first. */
static char *clean_line(const char *line, size_t len, bool *cut)
{
	char *raw = xstrndup(line, len);
	for (size_t i = 0; i < len; i++)
		if (!raw[i])
			raw[i] = '?';
	char *safe = redact_scrub(raw);
	free(raw);
	*cut = strlen(safe) > SMTP_REPLY_MAX_LINE;
	char *clean = text_sanitize(safe, SMTP_REPLY_MAX_LINE, 0);
	free(safe);
	return clean;
}

static void keep_line(struct smtp_reply *r, const char *clean)
{
	r->total_lines++;
	if (r->nlines >= SMTP_REPLY_MAX_LINES)
		return;
	if (r->nlines)
		buf_putc(&r->lines, '\n');
	buf_puts(&r->lines, clean);
	r->nlines++;
}

/* The enhanced code of a line's text (after "NNN "/"NNN-"), of the line's own class. */
static void line_enhanced(const char *c, char out[16])
{
	out[0] = '\0';
	if (c[3] == '\0')
		return;
	const char *t = c + 4;
	while (*t == ' ')
		t++;
	char enh[16];
	if (smtp_enhanced_at(t, enh) && enh[0] == c[0])
		memcpy(out, enh, sizeof(enh));
}

int smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len)
{
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	bool cut = false;
	char *clean = clean_line(line, len, &cut);
	if (cut)
		r->line_cut = true;
	keep_line(r, clean);
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
	if (r->total_lines == 1)
		r->first_code = code;
	else if (code != r->code)
		r->mixed_codes = true;
	r->code = code; /* the final line decides (RFC 5321 §4.2.1) */
	char enh[16];
	line_enhanced(c, enh);
	if (enh[0] && (!r->enhanced[0] || r->enhanced[0] != c[0]))
		memcpy(r->enhanced, enh, sizeof(enh));
	int final = c[3] != '-';
	if (final) {
		r->complete = true;
		if (r->enhanced[0] && r->enhanced[0] != c[0])
			r->enhanced[0] = '\0'; /* an earlier line's code of another class */
	}
	free(clean);
	return final;
}

char *smtp_reply_cut_note(const struct smtp_reply *r)
{
	if (r->total_lines > r->nlines)
		return xasprintf("reply cut at %d lines (%d more not kept)%s", r->nlines, r->total_lines - r->nlines,
				 r->line_cut ? "; a line was cut at " MFP_STR(SMTP_REPLY_MAX_LINE) " bytes" : "");
	if (r->line_cut)
		return xstrdup("a reply line was cut at " MFP_STR(SMTP_REPLY_MAX_LINE) " bytes");
	return NULL;
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
