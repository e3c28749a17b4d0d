/* tools/gendoc_man.c — mfpdoctor.1 from docs/man/mfpdoctor.1.in: fixed prose from the template,
 * everything about commands and options from the tables, every piece of table text roff-escaped.
 * Template placeholders: a line that is just @SYNOPSIS@, @COMMAND_LIST@, @COMMANDS@,
 * @COMMON_OPTIONS@, @VENDORS@ or @SERVICES@ is replaced by the generated block; @VERSION@, @DATE@,
 * @SYSCONFDIR@ and @DOCDIR@ are replaced anywhere (escaped). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "tools/gendoc.h"

/* Length of the UTF-8 sequence at s and its code point; 0 for an invalid sequence. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	if (!len || len > n)
		return 0;
	uint32_t v = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	*cp = v;
	return len;
}

/* Writes n bytes of s as roff text. at_line_start says whether s begins an output line: a '.' or
 * '\'' there would be read as a request. Blanks leading a line are dropped (they force a break);
 * control characters are dropped; non-ASCII characters become \[uXXXX]. */
static void roff_n(FILE *out, const char *s, size_t n, bool at_line_start)
{
	bool bol = at_line_start;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n') {
			fputc('\n', out);
			bol = true;
			continue;
		}
		if (bol && (c == ' ' || c == '\t'))
			continue;
		if (bol && (c == '.' || c == '\''))
			fputs("\\&", out);
		bol = false;
		if (c == '\\')
			fputs("\\e", out);
		else if (c == '-')
			fputs("\\-", out);
		else if (c >= 0x80) {
			uint32_t cp;
			size_t len = utf8_decode((const unsigned char *)s + i, n - i, &cp);
			if (len) {
				fprintf(out, "\\[u%04X]", (unsigned)cp);
				i += len - 1;
			}
		} else if (c >= 0x20 && c != 0x7f)
			fputc(c, out);
	}
}

static void roff(FILE *out, const char *s, bool at_line_start)
{
	roff_n(out, s, strlen(s), at_line_start);
}

/* The option's tag line: "\fB\-s\fR, \fB\-\-server\fR \fIHOST\fR". */
static void opt_tag(FILE *out, const struct cli_opt *o)
{
	if (o->sname) {
		fputs("\\fB", out);
		roff_n(out, (char[]){'-', o->sname}, 2, false);
		fputs("\\fR, ", out);
	}
	fputs("\\fB\\-\\-", out);
	roff(out, o->lname, false);
	fputs("\\fR", out);
	if (o->arg == CLI_VALUE) {
		fputs(" \\fI", out);
		roff(out, o->metavar ? o->metavar : "VALUE", false);
		fputs("\\fR", out);
	}
	fputc('\n', out);
}

static void opt_entry(FILE *out, const struct cli_opt *o)
{
	fputs(".TP\n", out);
	opt_tag(out, o);
	roff(out, o->help, true);
	fputc('\n', out);
}

static const char *category(const struct cli_opt *o)
{
	return o->category ? o->category : "Options";
}

/* Options grouped by category, categories in order of first appearance (as --help does); with
 * headings false (one group, named by the section itself) the category line is left out. */
static void opt_groups(FILE *out, const struct cli_opt *opts, size_t n, bool headings)
{
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(category(&opts[j]), category(&opts[i])) == 0;
		if (seen)
			continue;
		if (headings) {
			fputs(".PP\n\\fI", out);
			roff(out, category(&opts[i]), false);
			fputs("\\fR\n", out);
		}
		for (size_t k = i; k < n; k++)
			if (strcmp(category(&opts[k]), category(&opts[i])) == 0)
				opt_entry(out, &opts[k]);
	}
}

/* The description's lines are filled into paragraphs; an "Exit:" line starts its own. */
static void description(FILE *out, const char *d)
{
	fputs(".PP\n", out);
	while (d && *d) {
		size_t n = strcspn(d, "\n");
		if (strncmp(d, "Exit:", 5) == 0)
			fputs(".PP\n", out);
		if (n) {
			roff_n(out, d, n, true);
			fputc('\n', out);
		}
		d += n + (d[n] == '\n');
	}
}

static void command(FILE *out, const struct cli_cmd *c)
{
	fputs(".SS ", out);
	roff(out, c->name, false);
	fputs("\n\\fBmfpdoctor\\fR ", out);
	roff(out, c->usage, false);
	fputs("\n.PP\n", out);
	roff(out, c->summary, true);
	fputs(".\n", out);
	if (c->description)
		description(out, c->description);
	opt_groups(out, c->opts, c->nopts, true);
}

static void synopsis(FILE *out)
{
	for (size_t i = 0; i < cli_ncommands; i++) {
		fputs(i ? ".br\n\\fBmfpdoctor\\fR " : "\\fBmfpdoctor\\fR ", out);
		roff(out, cli_commands[i]->usage, false);
		fputc('\n', out);
	}
}

static void command_list(FILE *out)
{
	for (size_t i = 0; i < cli_ncommands; i++) {
		fputs(".TP\n\\fB", out);
		roff(out, cli_commands[i]->name, false);
		fputs("\\fR\n", out);
		roff(out, cli_commands[i]->summary, true);
		fputc('\n', out);
	}
}

static void id_list(FILE *out, const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		roff(out, l->v[i], i == 0);
		fputs(i + 1 < l->n ? ",\n" : "\n", out);
	}
}

/* Expands the @NAME@ words of one template line. */
static void inline_line(const struct gendoc_ctx *ctx, FILE *out, const char *line)
{
	static const char *const names[] = {"@VERSION@", "@DATE@", "@SYSCONFDIR@", "@DOCDIR@"};
	const char *vals[] = {ctx->version, ctx->date, ctx->sysconfdir, ctx->docdir};
	for (const char *p = line; *p;) {
		size_t k = 0;
		while (k < 4 && strncmp(p, names[k], strlen(names[k])) != 0)
			k++;
		if (k < 4) {
			roff(out, vals[k], false);
			p += strlen(names[k]);
		} else
			fputc(*p++, out);
	}
}

int gendoc_man(const struct gendoc_ctx *ctx, FILE *tmpl, FILE *out)
{
	char line[2048];
	fputs(".\\\" mfpdoctor.1: generated by mfpdoctor-gendoc from docs/man/mfpdoctor.1.in and the option tables.\n"
	      ".\\\" Do not edit: change the template or the tables in src/cli/.\n", out);
	while (fgets(line, sizeof(line), tmpl)) {
		if (strcmp(line, "@SYNOPSIS@\n") == 0)
			synopsis(out);
		else if (strcmp(line, "@COMMAND_LIST@\n") == 0)
			command_list(out);
		else if (strcmp(line, "@COMMANDS@\n") == 0)
			for (size_t i = 0; i < cli_ncommands; i++)
				command(out, cli_commands[i]);
		else if (strcmp(line, "@COMMON_OPTIONS@\n") == 0)
			opt_groups(out, cli_common_opts, cli_ncommon_opts, false);
		else if (strcmp(line, "@VENDORS@\n") == 0)
			id_list(out, &ctx->vendors);
		else if (strcmp(line, "@SERVICES@\n") == 0)
			id_list(out, &ctx->services);
		else
			inline_line(ctx, out, line);
	}
	if (ferror(tmpl)) {
		fputs("mfpdoctor-gendoc: error reading the man page template\n", stderr);
		return -1;
	}
	return 0;
}
