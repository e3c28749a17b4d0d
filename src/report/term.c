/* report/term.c — terminal helpers; see term.h. */
#include "report/term.h"

#include <stdlib.h>
#include <string.h>

#include "core/finding.h"
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

void term_findings(FILE *out, const struct findings *fs, bool colour, bool numbered, bool sources, bool say_none)
{
	if (!fs->n && !say_none)
		return;
	fprintf(out, "\n%sWhat is wrong, and what to change%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
	if (!fs->n)
		fputs("  Nothing: every check passed.\n", out);
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		const char *c = f->sev == SEV_FAIL ? C_RED : f->sev == SEV_WARN ? C_YEL : "";
		if (numbered)
			fprintf(out, " %2zu. ", i + 1);
		else
			fputs("  ", out);
		fprintf(out, "%s[%s]%s ", term_col(colour, c), severity_name(f->sev), term_col(colour, C_OFF));
		term_put(out, f->title);
		fputc('\n', out);
		if (f->evidence && *f->evidence) {
			fputs("      Evidence:\n", out);
			term_block(out, "        ", f->evidence);
		}
		if (f->fix) {
			fputs("      Fix: ", out);
			term_put(out, f->fix);
			fputc('\n', out);
		}
		for (size_t k = 0; sources && k < f->sources.n; k++) {
			fputs("      Source: ", out);
			term_put(out, f->sources.v[k]);
			fputc('\n', out);
		}
	}
}

void term_md_findings(FILE *out, const struct findings *fs, bool numbered)
{
	const char *indent = numbered ? "   " : "  ";
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		if (numbered)
			fprintf(out, "%zu. **%s:** ", i + 1, severity_name(f->sev));
		else
			fprintf(out, "- **%s:** ", severity_name(f->sev));
		term_md(out, f->title);
		fprintf(out, "\n%s- Evidence: ", indent);
		term_md(out, f->evidence);
		fprintf(out, "\n%s- Fix: ", indent);
		term_md(out, f->fix);
		for (size_t k = 0; k < f->sources.n; k++) {
			fprintf(out, "\n%s- Source: ", indent);
			term_md(out, f->sources.v[k]);
		}
		fputc('\n', out);
	}
}
