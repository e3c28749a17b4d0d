/* cli/cli_help.c — a command's generated --help: usage, description, its options by category and
 * the common options, wrapped to 80 display columns and aligned by display width; see cli_help.h. */
#define _XOPEN_SOURCE 700 /* wcwidth */
#include "cli/cli_help.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "util/buf.h"

#define LHS_MAX 30 /* an option's "-x, --name VALUE" wider than this puts its help on the next line */

/* The width of the code point at *p, which is advanced past it. */
static size_t cp_width(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	uint32_t cp;
	int len = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (len == 0) {
		*p += 1;
		return 1;
	}
	cp = len == 1 ? s[0] : s[0] & (0x7F >> len);
	for (int k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80) {
			*p += 1;
			return 1;
		}
		cp = cp << 6 | (s[k] & 0x3F);
	}
	*p += len;
	if (cp < 0x20 || cp == 0x7F)
		return 0;
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : (size_t)w; /* a locale without UTF-8 knows no width: one column */
}

static size_t width_n(const char *s, size_t n)
{
	size_t w = 0;
	const char *p = s, *end = s + n;
	while (p < end && *p)
		w += cp_width(&p);
	return w;
}

size_t cli_help_width(const char *s)
{
	return width_n(s, strlen(s));
}

static void pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

/* A word wider than a line: as many code points as fit, then the rest on the next lines. */
static size_t put_long_word(FILE *out, const char *w, size_t n, size_t col, size_t indent)
{
	const char *p = w, *end = w + n;
	while (p < end) {
		const char *q = p;
		size_t cw = cp_width(&q);
		if (col + cw > CLI_HELP_WIDTH && col > indent) {
			fputc('\n', out);
			pad(out, indent);
			col = indent;
		}
		fwrite(p, 1, (size_t)(q - p), out);
		col += cw;
		p = q;
	}
	return col;
}

/* brackets: a space inside [...] does not break the line (usage lines: "[--port N]" stays whole). */
static void wrap(FILE *out, const char *text, size_t col, size_t indent, bool brackets)
{
	const char *p = text;
	bool fresh = true; /* no word on this line yet */
	while (*p) {
		if (*p == ' ') {
			p++;
			continue;
		}
		if (*p == '\n') {
			fputc('\n', out);
			pad(out, indent);
			col = indent;
			fresh = true;
			p++;
			continue;
		}
		const char *w = p;
		int depth = 0;
		while (*p && *p != '\n' && (*p != ' ' || depth > 0)) {
			depth += brackets && *p == '[' ? 1 : brackets && *p == ']' && depth > 0 ? -1 : 0;
			p++;
		}
		size_t n = (size_t)(p - w), ww = width_n(w, n);
		if (!fresh && col + 1 + ww > CLI_HELP_WIDTH) {
			fputc('\n', out);
			pad(out, indent);
			col = indent;
			fresh = true;
		}
		if (!fresh) {
			fputc(' ', out);
			col++;
		}
		if (col + ww > CLI_HELP_WIDTH) {
			col = put_long_word(out, w, n, col, indent);
		} else {
			fwrite(w, 1, n, out);
			col += ww;
		}
		fresh = false;
	}
	fputc('\n', out);
}

void cli_help_wrap(FILE *out, const char *text, size_t col, size_t indent)
{
	wrap(out, text, col, indent, false);
}

static bool short_shown(const struct cli_opt *o, const struct cli_cmd *cmd)
{
	if (!o->sname)
		return false;
	bool common = o >= cli_common_opts && o < cli_common_opts + cli_ncommon_opts;
	for (size_t i = 0; common && cmd && i < cmd->nopts; i++)
		if (cmd->opts[i].sname == o->sname)
			return false; /* the command's own option has the letter */
	return true;
}

static void lhs_of(char *lhs, size_t sz, const struct cli_opt *o, const struct cli_cmd *cmd)
{
	const char *mv = o->arg == CLI_VALUE ? (o->metavar ? o->metavar : "VALUE") : "";
	if (short_shown(o, cmd))
		snprintf(lhs, sz, "-%c, --%s%s%s", o->sname, o->lname, *mv ? " " : "", mv);
	else
		snprintf(lhs, sz, "    --%s%s%s", o->lname, *mv ? " " : "", mv);
}

size_t cli_help_column(const struct cli_cmd *cmd)
{
	size_t widest = 0;
	char lhs[200];
	for (int t = 0; t < 2; t++) {
		const struct cli_opt *opts = t ? cli_common_opts : cmd ? cmd->opts : NULL;
		size_t n = t ? cli_ncommon_opts : cmd ? cmd->nopts : 0;
		for (size_t i = 0; i < n; i++) {
			lhs_of(lhs, sizeof(lhs), &opts[i], cmd);
			size_t w = cli_help_width(lhs);
			if (w <= LHS_MAX && w > widest)
				widest = w;
		}
	}
	return 2 + widest + 2;
}

static void print_option(FILE *out, const struct cli_opt *o, const struct cli_cmd *cmd, size_t col)
{
	char lhs[200];
	lhs_of(lhs, sizeof(lhs), o, cmd);
	size_t w = cli_help_width(lhs);
	if (2 + w > CLI_HELP_WIDTH) { /* a very long list of choices: wrapped at its "|" */
		fputs("  ", out);
		size_t c = 2;
		for (const char *p = lhs; *p; p++) {
			fputc(*p, out);
			c++;
			if (*p == '|' && c > CLI_HELP_WIDTH - 20) {
				fputs("\n        ", out);
				c = 8;
			}
		}
		fputc('\n', out);
		pad(out, col);
	} else if (2 + w + 2 > col) {
		fprintf(out, "  %s\n", lhs);
		pad(out, col);
	} else {
		fprintf(out, "  %s", lhs);
		pad(out, col - 2 - w);
	}
	cli_help_wrap(out, o->help, col, col);
}

void cli_help_section(FILE *out, const char *title, const struct cli_opt *opts, size_t n, const char *category,
		      const struct cli_cmd *cmd, size_t col)
{
	fprintf(out, "\n%s:\n", title);
	for (size_t i = 0; i < n; i++) {
		const char *c = opts[i].category ? opts[i].category : "Options";
		if (!category || strcmp(c, category) == 0)
			print_option(out, &opts[i], cmd, col);
	}
}

/* "Exit: ...", "Community: ...": a line that starts a labelled paragraph of its own. */
static bool label_line(const char *l)
{
	if (*l < 'A' || *l > 'Z')
		return false;
	for (size_t i = 1; i < 28 && l[i]; i++) {
		if (l[i] == ':')
			return l[i + 1] == ' ' || l[i + 1] == '\0';
		if (!(l[i] == ' ' || l[i] == '/' || l[i] == '-' || (l[i] >= 'a' && l[i] <= 'z') ||
		      (l[i] >= 'A' && l[i] <= 'Z') || (l[i] >= '0' && l[i] <= '9')))
			return false;
	}
	return false;
}

/* Prints lines[0..n) (one paragraph) as written when every line fits, else re-wrapped. */
static void print_paragraph(FILE *out, char **lines, size_t n)
{
	bool fits = true;
	for (size_t i = 0; i < n; i++)
		if (cli_help_width(lines[i]) > CLI_HELP_WIDTH)
			fits = false;
	if (fits) {
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%s\n", lines[i]);
		return;
	}
	size_t indent = strspn(lines[0], " ");
	struct buf b = {0};
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", lines[i] + strspn(lines[i], " "));
	pad(out, indent);
	cli_help_wrap(out, b.data, indent, indent ? indent + 2 : 0);
	buf_free(&b);
}

/* A description: paragraphs are runs of lines that are not empty, not indented (an indented line
 * is an example or a list item: a paragraph of its own) and not labelled ("Exit: ..."). A
 * paragraph wider than the screen is re-wrapped as a whole; one that fits is kept as written. */
static void print_text(FILE *out, const char *text)
{
	char *copy = xstrdup(text);
	size_t cap = 1;
	for (const char *p = text; *p; p++)
		cap += *p == '\n';
	char **lines = xcalloc(cap, sizeof(*lines));
	size_t n = 0;
	for (char *p = copy; p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (*p || nl)
			lines[n++] = p;
		p = nl && nl[1] ? nl + 1 : NULL;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		if (lines[i][0] && lines[i][0] != ' ')
			while (j < n && lines[j][0] && lines[j][0] != ' ' && !label_line(lines[j]))
				j++;
		print_paragraph(out, lines + i, j - i);
		i = j;
	}
	free(lines);
	free(copy);
}

void cli_print_help(const struct cli_cmd *cmd, FILE *out)
{
	fputs("Usage: mfpdoctor ", out);
	size_t lead = 17 + strlen(cmd->name) + 1;
	if (17 + cli_help_width(cmd->usage) <= CLI_HELP_WIDTH)
		fprintf(out, "%s\n", cmd->usage);
	else
		wrap(out, cmd->usage, 17, lead > 30 ? 8 : lead, true);
	fputc('\n', out);
	if (cmd->description)
		print_text(out, cmd->description);
	/* Categories in order of first appearance in the table. */
	const char *cats[32];
	size_t ncats = 0;
	for (size_t i = 0; i < cmd->nopts; i++) {
		const char *c = cmd->opts[i].category ? cmd->opts[i].category : "Options";
		size_t k;
		for (k = 0; k < ncats; k++)
			if (strcmp(cats[k], c) == 0)
				break;
		if (k == ncats && ncats < ARRAY_SIZE(cats))
			cats[ncats++] = c;
	}
	size_t col = cli_help_column(cmd);
	for (size_t k = 0; k < ncats; k++)
		cli_help_section(out, cats[k], cmd->opts, cmd->nopts, cats[k], cmd, col);
	cli_help_section(out, "Common options", cli_common_opts, cli_ncommon_opts, NULL, cmd, col);
}
