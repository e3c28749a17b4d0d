/* report/diag_html_util.c — escaping for the HTML report, and links for http(s) URLs (only
 * plain URLs of safe characters become links; everything is escaped). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/diag_html.h"
#include "report/fact_labels.h"
#include "util/text.h"

void html_esc(FILE *out, const char *s)
{
	struct buf b = {0};
	text_html_escape(&b, s ? s : "");
	fputs(buf_str(&b), out);
	buf_free(&b);
}

static void esc_n(FILE *out, const char *s, size_t n)
{
	char *part = xstrndup(s, n);
	html_esc(out, part);
	free(part);
}

/* Length of the URL at s ("http://" or "https://" then URL characters), trailing punctuation
 * that usually ends a sentence left out; 0 when s does not start one. */
static size_t url_len(const char *s)
{
	size_t n;
	if (strncmp(s, "https://", 8) == 0)
		n = 8;
	else if (strncmp(s, "http://", 7) == 0)
		n = 7;
	else
		return 0;
	size_t start = n;
	while (s[n] && strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&*+,;=%()", s[n]))
		n++;
	while (n > start && strchr(".,;:!?)]", s[n - 1]) && !(s[n - 1] == ')' && memchr(s + start, '(', n - start)))
		n--;
	return n > start ? n : 0;
}

void html_linked(FILE *out, const char *s)
{
	if (!s)
		return;
	const char *p = s, *text = s;
	while (*p) {
		size_t n = (p == s || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", p[-1])) ? url_len(p) : 0;
		if (!n) {
			p++;
			continue;
		}
		esc_n(out, text, (size_t)(p - text));
		fputs("<a href=\"", out);
		esc_n(out, p, n);
		fputs("\" rel=\"noreferrer\">", out);
		esc_n(out, p, n);
		fputs("</a>", out);
		p += n;
		text = p;
	}
	html_esc(out, text);
}

void html_fact_key(FILE *out, const char *key)
{
	char buf[160];
	bool derived;
	const char *label = fact_label(key, buf, sizeof(buf), &derived);
	fputs("<span class=\"key\" title=\"", out);
	html_esc(out, key);
	fputs("\">", out);
	html_esc(out, label);
	fputs("</span><span class=\"raw\">", out);
	html_esc(out, key);
	fputs("</span>", out);
}
