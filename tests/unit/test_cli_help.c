/* test_cli_help.c — every subcommand's --help and the global help fit 80 display columns; help
 * texts start in one column per command, measured in display columns (the "SHA256:…" metavar
 * counts 8, not 10 bytes); wrapping loses no word; a command's own -V hides the common one's
 * letter; and cli_use_colour decides as documented for --color, NO_COLOR (empty = unset) and
 * TERM, on a pipe and on a pseudo-terminal. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <locale.h>
#include <unistd.h>
#include <wchar.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "cli/cli_help.h"
#include "core/finding.h"

/* Display width with the C library only (mbrtowc + wcwidth in a UTF-8 locale). */
static size_t dwidth(const char *s, size_t n)
{
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	size_t w = 0;
	while (n) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, n, &st);
		if (k == (size_t)-1 || k == (size_t)-2)
			fail_msg("invalid UTF-8 in help text: %s", s);
		if (k == 0)
			break;
		int cw = wcwidth(wc);
		w += cw < 0 ? 0 : (size_t)cw;
		s += k;
		n -= k;
	}
	return w;
}

__attribute__((noinline)) static char *render(const struct cli_cmd *cmd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (cmd)
		cli_print_help(cmd, f);
	else
		cli_print_global_help(f);
	fclose(f);
	return buf;
}

static void check_width(const char *name, const char *text)
{
	size_t lineno = 1;
	for (const char *p = text; *p; lineno++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t w = dwidth(p, n);
		if (w > 80)
			fail_msg("%s --help line %zu is %zu columns: %.*s", name, lineno, w, (int)n, p);
		if (n && p[n - 1] == ' ')
			fail_msg("%s --help line %zu ends in a space", name, lineno);
		p = nl ? nl + 1 : p + n;
	}
}

static size_t spaces(const char *p)
{
	return strspn(p, " ");
}

/* Checks the option sections: each option line "  -x, --name META  help" or a continuation line;
 * every help text (first line and continuations) starts at the same display column. */
static bool section_title(const struct cli_cmd *cmd, const char *line)
{
	size_t n = strlen(line);
	if (!n || line[n - 1] != ':')
		return false;
	if (strncmp(line, "Common options", n - 1) == 0 && n - 1 == strlen("Common options"))
		return true;
	for (size_t i = 0; i < cmd->nopts; i++) {
		const char *c = cmd->opts[i].category ? cmd->opts[i].category : "Options";
		if (strlen(c) == n - 1 && strncmp(line, c, n - 1) == 0)
			return true;
	}
	return false;
}

static void check_alignment(const struct cli_cmd *cmd, const char *text, size_t want_col)
{
	const char *name = cmd->name;
	size_t col = 0, checked = 0;
	bool in_opts = false, lhs_alone = false;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p = nl ? nl + 1 : p + n;
		if (section_title(cmd, line)) { /* the sections come after the description */
			in_opts = true;
			continue;
		}
		if (!in_opts || !n)
			continue;
		size_t lead = spaces(line);
		if ((lead == 2 || lead == 6) && line[lead] == '-') { /* an option line */
			const char *gap = strstr(line + lead, "  ");
			lhs_alone = !gap;
			if (gap) {
				size_t at = dwidth(line, (size_t)(gap - line)) + spaces(gap);
				if (!col)
					col = at;
				if (at != col)
					fail_msg("%s: help text of '%s' starts in column %zu, not %zu", name, line, at, col);
				checked++;
			}
			continue;
		}
		if (lead == 8 && lhs_alone)
			continue; /* a very long list of choices, wrapped */
		if (!col)
			col = lead;
		if (lead != col)
			fail_msg("%s: continuation '%s' indented %zu, help column %zu", name, line, lead, col);
		lhs_alone = false;
		checked++;
	}
	assert_true(checked > 3);
	assert_int_equal(col, want_col);
}

/* text with every run of spaces and newlines made one space */
static char *flatten(const char *text)
{
	char *out = malloc(strlen(text) + 1);
	size_t j = 0;
	bool sp = false;
	for (const char *p = text; *p; p++) {
		if (*p == ' ' || *p == '\n') {
			sp = true;
			continue;
		}
		if (sp && j)
			out[j++] = ' ';
		sp = false;
		out[j++] = *p;
	}
	out[j] = '\0';
	return out;
}

/* Wrapping only replaces spaces by a newline and an indent: the words stay, in order. */
static void words_kept(const char *name, const char *flat_text, const char *help)
{
	char *want = flatten(help);
	if (!strstr(flat_text, want))
		fail_msg("%s --help lost words of: %s", name, help);
	free(want);
}

static void every_help_fits(void **state)
{
	(void)state;
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cli_cmd *c = cli_commands[i];
		char *h = render(c);
		check_width(c->name, h);
		check_alignment(c, h, cli_help_column(c));
		char *flat = flatten(h);
		for (size_t k = 0; k < c->nopts; k++)
			words_kept(c->name, flat, c->opts[k].help);
		for (size_t k = 0; k < cli_ncommon_opts; k++)
			words_kept(c->name, flat, cli_common_opts[k].help);
		if (c->description)
			words_kept(c->name, flat, c->description);
		words_kept(c->name, flat, c->usage);
		assert_non_null(strstr(h, "\nCommon options:\n"));
		free(flat);
		free(h);
	}
	char *g = render(NULL);
	check_width("global", g);
	char *flat = flatten(g);
	for (size_t i = 0; i < cli_ncommands; i++)
		words_kept("global", flat, cli_commands[i]->summary);
	free(flat);
	assert_non_null(strstr(g, "mfpdoctor help COMMAND"));
	assert_non_null(strstr(g, "  -V, --version"));
	assert_non_null(strstr(g, "      --color auto|always|never"));
	free(g);
}

/* "SHA256:…" is 8 columns and 10 bytes: the help after it must start in the common column. */
static void aligned_by_display_width(void **state)
{
	(void)state;
	static const struct cli_opt o[] = {
		{"pin", 0, CLI_VALUE, 1, "SHA256:…", "trust this fingerprint", "Web"},
		{"port", 'p', CLI_VALUE, 2, "N", "port", "Web"},
		{"wide", 0, CLI_VALUE, 3, "名前", "a name in two-column characters, and a help text long enough to be wrapped onto a second line", "Web"},
	};
	static const struct cli_cmd c = {"demo", "demo", "demo [options]", NULL, o, 3, NULL};
	char *h = render(&c);
	check_width("demo", h);
	size_t col = cli_help_column(&c);
	check_alignment(&c, h, col);
	const char *pin = strstr(h, "      --pin SHA256:…");
	assert_non_null(pin);
	const char *t = strstr(pin, "trust");
	assert_int_equal(dwidth(pin, (size_t)(t - pin)), col);
	assert_int_equal((size_t)(t - pin), col + 2); /* two more bytes than columns */
	const char *wide = strstr(h, "      --wide 名前");
	assert_non_null(wide);
	t = strstr(wide, "a name");
	assert_int_equal(dwidth(wide, (size_t)(t - wide)), col);
	free(h);
	/* the real case from the review: diagnose --web-pin SHA256:… */
	h = render(cli_find_command("diagnose"));
	pin = strstr(h, "--web-pin SHA256:…");
	assert_non_null(pin);
	while (pin > h && pin[-1] != '\n')
		pin--;
	t = strstr(pin, "trust the device");
	assert_int_equal(dwidth(pin, (size_t)(t - pin)), cli_help_column(cli_find_command("diagnose")));
	free(h);
}

static void common_letters_in_help(void **state)
{
	(void)state;
	static const struct cli_opt o[] = {{"verify", 'V', CLI_FLAG, 1, NULL, "verify", NULL}};
	static const struct cli_cmd c = {"demo", "demo", "demo", NULL, o, 1, NULL};
	char *h = render(&c);
	assert_non_null(strstr(h, "  -V, --verify"));
	assert_non_null(strstr(h, "      --version"));
	assert_null(strstr(h, "-V, --version"));
	assert_non_null(strstr(h, "  -h, --help"));
	free(h);
	/* a description line that is too long is re-wrapped; one that fits is kept as written */
	static const struct cli_cmd d = {"demo", "demo",
		"demo --first-option VALUE --second-option VALUE [--third-option VALUE] [--fourth VALUE] HOST",
		"Short line one.\nShort line two.\n\n"
		"A very long line that goes on and on well past the eightieth column of the terminal, and then some.\n"
		"  an indented example line that is kept as an example line\nExit: 0 fine, 64 usage.", o, 1, NULL};
	h = render(&d);
	check_width("demo", h);
	assert_non_null(strstr(h, "\nShort line one.\nShort line two.\n\nA very long line"));
	/* the long paragraph was re-wrapped */
	assert_null(strstr(h, "A very long line that goes on and on well past the eightieth column of the terminal,"));
	assert_non_null(strstr(h, "\n  an indented example line that is kept as an example line\nExit: 0 fine, 64 usage.\n"));
	assert_non_null(strstr(h, "[--third-option VALUE]")); /* a usage line breaks between [...] groups */
	free(h);
}

/* Colour: a pipe and a pseudo-terminal, under each mode and environment. */
static void colour_decisions(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	FILE *pipe_out = fdopen(p[1], "w");
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	int sfd = open(ptsname(m), O_RDWR | O_NOCTTY);
	assert_true(sfd >= 0);
	FILE *tty = fdopen(sfd, "w");
	struct {
		enum cli_colour mode;
		const char *no_color, *term;
		bool on_tty, on_pipe;
	} cases[] = {
		{CLI_COLOUR_AUTO, NULL, "xterm", true, false},
		{CLI_COLOUR_AUTO, "", "xterm", true, false},     /* empty NO_COLOR = unset */
		{CLI_COLOUR_AUTO, "1", "xterm", false, false},
		{CLI_COLOUR_AUTO, "0", "xterm", false, false},   /* any non-empty value */
		{CLI_COLOUR_AUTO, NULL, "dumb", false, false},
		{CLI_COLOUR_AUTO, NULL, NULL, false, false},     /* TERM unset */
		{CLI_COLOUR_AUTO, NULL, "", false, false},
		{CLI_COLOUR_ALWAYS, NULL, "xterm", true, true},  /* | less -R */
		{CLI_COLOUR_ALWAYS, "1", "dumb", true, true},    /* the command line wins */
		{CLI_COLOUR_NEVER, NULL, "xterm", false, false},
		{CLI_COLOUR_NEVER, "", "xterm-256color", false, false},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cli_set_colour(cases[i].mode);
		if (cases[i].no_color)
			setenv("NO_COLOR", cases[i].no_color, 1);
		else
			unsetenv("NO_COLOR");
		if (cases[i].term)
			setenv("TERM", cases[i].term, 1);
		else
			unsetenv("TERM");
		if (cli_use_colour(tty) != cases[i].on_tty || cli_use_colour(pipe_out) != cases[i].on_pipe)
			fail_msg("case %zu: mode %d NO_COLOR=%s TERM=%s: tty %d pipe %d", i, cases[i].mode,
				 cases[i].no_color ? cases[i].no_color : "(unset)", cases[i].term ? cases[i].term : "(unset)",
				 cli_use_colour(tty), cli_use_colour(pipe_out));
	}
	cli_set_colour(CLI_COLOUR_AUTO);
	fclose(tty);
	close(m);
	fclose(pipe_out);
	close(p[0]);
}

int main(void)
{
	setlocale(LC_CTYPE, "C.UTF-8"); /* as main() does */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_help_fits), cmocka_unit_test(aligned_by_display_width),
		cmocka_unit_test(common_letters_in_help), cmocka_unit_test(colour_decisions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
