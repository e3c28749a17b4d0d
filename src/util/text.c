/* util/text.c — sanitising and escaping untrusted text; see text.h. */
#include "util/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of a valid UTF-8 sequence starting at p (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t need;
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (need == 3 && c == 0xe0 && p[1] < 0xa0)
		return 0;
	if (need == 3 && c == 0xed && p[1] >= 0xa0)
		return 0; /* surrogates */
	if (need == 4 && c == 0xf0 && p[1] < 0x90)
		return 0;
	if (need == 4 && c == 0xf4 && p[1] >= 0x90)
		return 0;
	if (need == 2 && c == 0xc2 && p[1] < 0xa0)
		return 0; /* C1 control characters */
	return need;
}

/* Unicode bidirectional controls (they reorder what a terminal or browser shows, so device text
 * could disguise itself): U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069. */
static int is_bidi_control(const unsigned char *p, size_t l)
{
	if (l == 2)
		return p[0] == 0xd8 && p[1] == 0x9c;
	if (l != 3 || p[0] != 0xe2)
		return 0;
	if (p[1] == 0x80)
		return p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xaa && p[2] <= 0xae);
	return p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9;
}

char *text_sanitize_n(const char *s, size_t n, size_t max, int keep_newlines)
{
	struct buf b = {0};
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	buf_puts(&b, "");
	while (i < n) {
		if (max && b.len >= max) {
			buf_puts(&b, "\xe2\x80\xa6");
			break;
		}
		unsigned c = p[i];
		if (c == '\r' && keep_newlines) {
			i++;
			continue;
		}
		if ((c == '\n' || c == '\t') && keep_newlines) {
			buf_putc(&b, (char)c);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			buf_putc(&b, c == '\t' || c == '\n' || c == '\r' ? ' ' : '?');
			i++;
			continue;
		}
		size_t l = utf8_len(p + i, n - i);
		if (!l) {
			buf_putc(&b, '?');
			i++;
			continue;
		}
		if (is_bidi_control(p + i, l)) {
			i += l; /* stripped */
			continue;
		}
		buf_append(&b, s + i, l);
		i += l;
	}
	return buf_steal(&b);
}

char *text_sanitize(const char *s, size_t max, int keep_newlines)
{
	if (!s)
		return NULL;
	return text_sanitize_n(s, strlen(s), max, keep_newlines);
}

void text_md_escape(struct buf *b, const char *s)
{
	char *clean = text_sanitize(s ? s : "", 0, 0);
	for (const char *p = clean; *p; p++) {
		/* the characters that change inline Markdown; '.', '-', '(' stay readable */
		if (strchr("\\`*_[]<>#|~", *p))
			buf_putc(b, '\\');
		buf_putc(b, *p);
	}
	free(clean);
}

void text_html_escape(struct buf *b, const char *s)
{
	char *clean = text_sanitize(s ? s : "", 0, 1);
	for (const char *p = clean; *p; p++) {
		switch (*p) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_putc(b, *p);
		}
	}
	free(clean);
}

char *text_trim(char *s)
{
	if (!s)
		return s;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	size_t i = 0;
	while (s[i] && isspace((unsigned char)s[i]))
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
	return s;
}

void text_human_size(char *out, size_t outsz, long long bytes)
{
	static const char *unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(unit)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, outsz, "%lld bytes", bytes);
	else if (v == (long long)v)
		snprintf(out, outsz, "%lld %s", (long long)v, unit[u]);
	else
		snprintf(out, outsz, "%.1f %s", v, unit[u]);
}
