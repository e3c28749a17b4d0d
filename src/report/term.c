/* report/term.c — terminal helpers; see term.h. */
#include "report/term.h"

#include <stdlib.h>
#include <string.h>

#include "util/text.h"

const char *term_col(bool on, const char *code)
{
	return on ? code : "";
}

void term_put(FILE *out, const char *s)
{
	char *c = text_sanitize(s ? s : "", 0, 0);
	fputs(c, out);
	free(c);
}

void term_block(FILE *out, const char *indent, const char *s)
{
	char *c = text_sanitize(s ? s : "", 0, 1);
	for (char *p = c, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		fprintf(out, "%s%.*s\n", indent, nl ? (int)(nl - p) : (int)strlen(p), p);
	}
	free(c);
}

void term_md(FILE *out, const char *s)
{
	struct buf b = {0};
	text_md_escape(&b, s ? s : "");
	fputs(buf_str(&b), out);
	buf_free(&b);
}
