/* report/plugin_text.c — plugin_sanitize (see plugin.h): text a monitoring engine passes on
 * unchanged. Nagios removes ` ~ $ & | ' " < > from $SERVICEOUTPUT$ and $LONGSERVICEOUTPUT$
 * (illegal_macro_output_chars), and '|' starts the perfdata: each gets a look-alike it keeps. */
#include <stdlib.h>
#include <string.h>

#include "report/plugin.h"
#include "util/buf.h"
#include "util/text.h"

static const char *replacement(const char *p, size_t *used)
{
	*used = 1;
	if (p[0] == '-' && p[1] == '>') {
		*used = 2;
		return "\u2192";
	}
	switch (*p) {
	case '\'': case '`': return "\u2019";
	case '"': return "\u201d";
	case '<': return "\u2039";
	case '>': return "\u203a";
	case '&': return "+";
	case '|': return "/";
	case '$': return "\uff04";
	case '~': return "\u223c";
	}
	return NULL;
}

/* s cut to max characters (UTF-8), the last one "…" when cut; at a word's end when one is near. */
static void cut(char *s, size_t max)
{
	size_t chars = 0;
	char *space = NULL;
	size_t space_at = 0;
	for (char *p = s; *p; p++) {
		if (*p == ' ')
			space = p, space_at = chars;
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;
		if (++chars == max) {
			/* keep this position for the ellipsis only if more text follows */
			char *q = p + 1;
			while (((unsigned char)*q & 0xC0) == 0x80)
				q++;
			if (*q && space && chars - space_at < 16)
				p = space;
			if (*q)
				memcpy(p, "\u2026", sizeof("\u2026"));
			return;
		}
	}
}

char *plugin_sanitize(const char *s, size_t max)
{
	char *clean = text_sanitize(s ? s : "", 0, 0);
	struct buf b = {0};
	buf_printf(&b, "%s", "");
	for (const char *p = clean; *p;) {
		size_t used;
		const char *r = replacement(p, &used);
		if (r)
			buf_printf(&b, "%s", r);
		else
			buf_append(&b, p, 1);
		p += used;
	}
	free(clean);
	char *out = buf_steal(&b);
	if (max)
		cut(out, max);
	return out;
}
