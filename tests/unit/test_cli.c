/* test_cli.c — every subcommand's option table is sorted, unique and documented; the parser
 * follows getopt_long's conventions (bundling, attached values, --opt=value, unambiguous
 * prefixes, ambiguity errors, "--", "-", repeated options), handles the common options
 * (--color, -h/--help, --profiles, -V/--version) itself, and reports usage errors GNU style
 * (or into a caller's buffer); `help CMD` and `CMD --version` through cli_main. Help layout and
 * colour: test_cli_help.c; a differential test against glibc's getopt_long: test_cli_getopt.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "core/finding.h"
#include "profile/profile.h"

static void tables_sorted(void **state)
{
	(void)state;
	char err[256];
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cli_cmd *c = cli_commands[i];
		if (cli_table_check(c->opts, c->nopts, err, sizeof(err)) != 0)
			fail_msg("%s: %s", c->name, err);
		assert_non_null(c->summary);
		assert_non_null(c->usage);
	}
	assert_int_equal(cli_table_check(cli_common_opts, cli_ncommon_opts, err, sizeof(err)), 0);
	/* a command may not reuse a common long name */
	static const struct cli_opt reuse[] = {
		{"alpha", 'a', CLI_FLAG, 1, NULL, "alpha", NULL},
		{"color", 0, CLI_VALUE, 2, "X", "my own colour", NULL},
	};
	assert_int_equal(cli_table_check(reuse, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--color"));
	assert_non_null(strstr(err, "common option"));
	/* ... but it may take a common short letter (its own option wins) */
	static const struct cli_opt letter[] = {{"verify", 'V', CLI_FLAG, 1, NULL, "verify", NULL}};
	assert_int_equal(cli_table_check(letter, 1, err, sizeof(err)), 0);
	static const struct cli_opt nometa[] = {{"alpha", 'a', CLI_VALUE, 1, NULL, "alpha", NULL}};
	assert_int_equal(cli_table_check(nometa, 1, err, sizeof(err)), -1);
}

struct seen {
	int ids[32];
	const char *vals[32];
	int n;
};

static int record(void *cfg, int id, const char *v, char *err, size_t errsz)
{
	struct seen *s = cfg;
	if (v && strcmp(v, "bad") == 0) {
		snprintf(err, errsz, "--x: 'bad' is a bad value");
		return -1;
	}
	if (s->n < 32) {
		s->ids[s->n] = id;
		s->vals[s->n++] = v;
	}
	return 0;
}

static const struct cli_opt demo_opts[] = {
	{"alpha", 'a', CLI_VALUE, 1, "X", "alpha", NULL},
	{"beta", 0, CLI_FLAG, 2, NULL, "beta", NULL},
	{"gamma", 'g', CLI_VALUE, 3, "Y", "gamma", NULL},
	{"kilo", 'k', CLI_FLAG, 4, NULL, "kilo", NULL},
	{"send", 0, CLI_FLAG, 5, NULL, "send", NULL},
	{"server", 's', CLI_VALUE, 6, "HOST", "server", NULL},
	{"tls", 0, CLI_VALUE, 7, "MODE", "tls", NULL},
	{"tls-max", 0, CLI_VALUE, 8, "V", "tls-max", NULL},
	{"tls-min", 0, CLI_VALUE, 9, "V", "tls-min", NULL},
	{"to", 0, CLI_VALUE, 10, "ADDR", "to", NULL},
	{"verbose", 'v', CLI_FLAG, 11, NULL, "verbose", NULL},
};
static const struct cli_cmd demo = {"demo", "demo", "demo", NULL, demo_opts, ARRAY_SIZE(demo_opts), NULL};

/* Parses the NULL-terminated argument list into s (cleared) and pos; returns cli_parse_err's
 * result with the message in err. */
static int parse_v(struct seen *s, char **pos, int *npos, char *err, size_t errsz, ...)
{
	static char *argv[40];
	va_list ap;
	va_start(ap, errsz);
	int argc = 0;
	argv[argc++] = "demo";
	for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 39;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	memset(s, 0, sizeof(*s));
	return cli_parse_err(&demo, argc, argv, s, record, pos, npos, err, errsz);
}
#define PARSE(...) parse_v(&s, pos, &npos, err, sizeof(err), __VA_ARGS__, (char *)NULL)

static void parser(void **state)
{
	(void)state;
	struct seen s = {0};
	char *pos[8];
	int npos = 0;
	char *argv[] = {"demo", "--alpha=1", "host", "-g", "2", "--beta", "--", "--beta", NULL};
	assert_int_equal(cli_parse(&demo, 8, argv, &s, record, pos, &npos), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.vals[0], "1");
	assert_string_equal(s.vals[1], "2");
	assert_null(s.vals[2]);
	assert_int_equal(npos, 2);
	assert_string_equal(pos[0], "host");
	assert_string_equal(pos[1], "--beta");

	char *bad1[] = {"demo", "--nope"};
	assert_int_equal(cli_parse(&demo, 2, bad1, &s, record, pos, &npos), MFP_EXIT_USAGE);
	char *bad2[] = {"demo", "--alpha"};
	assert_int_equal(cli_parse(&demo, 2, bad2, &s, record, pos, &npos), MFP_EXIT_USAGE);
	char *bad3[] = {"demo", "--beta=x"};
	assert_int_equal(cli_parse(&demo, 2, bad3, &s, record, pos, &npos), MFP_EXIT_USAGE);
	char *bad4[] = {"demo", "--alpha", "bad"};
	assert_int_equal(cli_parse(&demo, 3, bad4, &s, record, pos, &npos), MFP_EXIT_USAGE);
}

static void bundling_and_attached(void **state)
{
	(void)state;
	struct seen s;
	char *pos[40], err[300];
	int npos;
	assert_int_equal(PARSE("-vk"), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ids[0], 11);
	assert_int_equal(s.ids[1], 4);
	assert_int_equal(PARSE("-a25"), 0); /* like -p25 */
	assert_int_equal(s.ids[0], 1);
	assert_string_equal(s.vals[0], "25");
	assert_int_equal(PARSE("-vka", "x y"), 0); /* the last letter of a bundle takes the next argument */
	assert_int_equal(s.n, 3);
	assert_string_equal(s.vals[2], "x y");
	assert_int_equal(PARSE("-vgjson"), 0); /* like -vfjson */
	assert_int_equal(s.ids[1], 3);
	assert_string_equal(s.vals[1], "json");
	assert_int_equal(PARSE("-a", "-v"), 0); /* a value may look like an option */
	assert_int_equal(s.n, 1);
	assert_string_equal(s.vals[0], "-v");
	assert_int_equal(PARSE("--alpha=", "--to", "--"), 0); /* empty value; "--" as a value */
	assert_string_equal(s.vals[0], "");
	assert_string_equal(s.vals[1], "--");
	assert_int_equal(npos, 0);
	assert_int_equal(PARSE("-vx"), MFP_EXIT_USAGE);
	assert_string_equal(err, "unknown option '-x' (in '-vx')");
	assert_int_equal(s.n, 1); /* -v was handled before the error, as getopt does */
	assert_int_equal(PARSE("-x"), MFP_EXIT_USAGE);
	assert_string_equal(err, "unknown option '-x'");
	assert_int_equal(PARSE("-va"), MFP_EXIT_USAGE);
	assert_string_equal(err, "option '--alpha' needs a value (X)");
	assert_int_equal(PARSE("-v-"), MFP_EXIT_USAGE);
	assert_non_null(strstr(err, "unknown option '--'"));
}

static void long_prefixes(void **state)
{
	(void)state;
	struct seen s;
	char *pos[40], err[300];
	int npos;
	assert_int_equal(PARSE("--serv", "h1", "--serve=h2", "--al", "3"), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ids[0], 6);
	assert_string_equal(s.vals[0], "h1");
	assert_int_equal(s.ids[1], 6);
	assert_string_equal(s.vals[1], "h2");
	assert_int_equal(s.ids[2], 1);
	assert_int_equal(PARSE("--tls", "auto", "--tls-ma", "1.2", "--t", "x"), MFP_EXIT_USAGE);
	assert_int_equal(s.ids[0], 7); /* the exact name wins over tls-max/tls-min */
	assert_int_equal(s.ids[1], 8);
	assert_string_equal(err, "option '--t' is ambiguous; possibilities: '--tls' '--tls-max' '--tls-min' '--to'");
	assert_int_equal(PARSE("--se", "x"), MFP_EXIT_USAGE);
	assert_string_equal(err, "option '--se' is ambiguous; possibilities: '--send' '--server'");
	assert_int_equal(PARSE("--ver"), MFP_EXIT_USAGE); /* the common options count too */
	assert_string_equal(err, "option '--ver' is ambiguous; possibilities: '--verbose' '--version'");
	assert_int_equal(PARSE("--verb"), 0);
	assert_int_equal(s.ids[0], 11);
	assert_int_equal(PARSE("--verb=1"), MFP_EXIT_USAGE);
	assert_string_equal(err, "option '--verbose' takes no value");
	assert_int_equal(PARSE("--nope=3"), MFP_EXIT_USAGE);
	assert_string_equal(err, "unknown option '--nope'");
	assert_int_equal(PARSE("--tls-max"), MFP_EXIT_USAGE);
	assert_string_equal(err, "option '--tls-max' needs a value (V)");
	assert_int_equal(PARSE("--alpha", "bad"), MFP_EXIT_USAGE);
	assert_string_equal(err, "--x: 'bad' is a bad value");
	assert_int_equal(PARSE("--=x"), MFP_EXIT_USAGE);
	assert_non_null(strstr(err, "unknown option"));
}

static void positionals(void **state)
{
	(void)state;
	struct seen s;
	char *pos[40], err[300];
	int npos;
	assert_int_equal(PARSE("one", "-", "-v", "two", "--", "-k", "-", "--alpha"), 0);
	assert_int_equal(s.n, 1); /* only -v: after "--" everything is positional */
	assert_int_equal(npos, 6);
	const char *want[] = {"one", "-", "two", "-k", "-", "--alpha"};
	for (int i = 0; i < 6; i++)
		assert_string_equal(pos[i], want[i]);
	/* repeated options reach the setter each time, in order */
	assert_int_equal(PARSE("--to", "a@x", "-v", "--to=b@x", "-vv", "--verbose"), 0);
	assert_int_equal(s.n, 6);
	assert_string_equal(s.vals[0], "a@x");
	assert_string_equal(s.vals[2], "b@x");
	assert_int_equal(s.ids[5], 11);
}

/* Runs fn with standard output (fd 1) or standard error (fd 2) sent to a file; returns its text. */
static char *capture(int fd, int (*fn)(void *), void *arg, int *rc)
{
	fflush(stdout);
	fflush(stderr);
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	int saved = dup(fd);
	dup2(fileno(tmp), fd);
	*rc = fn(arg);
	fflush(stdout);
	fflush(stderr);
	dup2(saved, fd);
	close(saved);
	fseek(tmp, 0, SEEK_END);
	long n = ftell(tmp);
	rewind(tmp);
	char *s = calloc(1, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, tmp) != (size_t)n)
		fail_msg("short read of captured output");
	fclose(tmp);
	return s;
}

struct call {
	const struct cli_cmd *cmd;
	char **argv;
	int argc;
	char *err;
};

static int call_parse(void *p)
{
	struct call *c = p;
	struct seen s = {0};
	char *pos[40];
	int npos;
	return cli_parse_err(c->cmd, c->argc, c->argv, &s, record, pos, &npos, c->err, c->err ? 300 : 0);
}

static int call_main(void *p)
{
	struct call *c = p;
	return cli_main(c->argc, c->argv);
}

static int print_help_smtp(void *p)
{
	(void)p;
	cli_print_help(cli_find_command("smtp"), stdout);
	return 0;
}

static int print_version(void *p)
{
	(void)p;
	cli_print_version(stdout);
	return 0;
}

static const struct cli_opt shadow_opts[] = {
	{"host", 'h', CLI_VALUE, 1, "HOST", "host", NULL},
	{"verify", 'V', CLI_FLAG, 2, NULL, "verify", NULL},
};
static const struct cli_cmd shadow = {"shadow", "s", "shadow", NULL, shadow_opts, 2, NULL};

static void common_options(void **state)
{
	(void)state;
	struct seen s;
	char *pos[40], err[300];
	int npos;
	cli_set_colour(CLI_COLOUR_AUTO);
	assert_int_equal(PARSE("--color", "never"), 0);
	assert_int_equal(s.n, 0); /* never reaches the command's setter */
	assert_int_equal(cli_colour_mode(), CLI_COLOUR_NEVER);
	assert_int_equal(PARSE("--col=always"), 0);
	assert_int_equal(cli_colour_mode(), CLI_COLOUR_ALWAYS);
	assert_int_equal(PARSE("--color", "sometimes"), MFP_EXIT_USAGE);
	assert_non_null(strstr(err, "auto|always|never"));
	cli_set_colour(CLI_COLOUR_AUTO);

	char dir[] = "/tmp/test_cli_profilesXXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_int_equal(PARSE("--profiles", dir), 0);
	assert_string_equal(profile_site_dir(), dir);
	assert_int_equal(PARSE("--profiles=/nonexistent/profiles"), MFP_EXIT_USAGE);
	assert_non_null(strstr(err, "'/nonexistent/profiles'"));
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(PARSE("--profiles", "/etc/passwd"), MFP_EXIT_USAGE);
	assert_non_null(strstr(err, "not a directory"));
	profile_set_site_dir(NULL);
	rmdir(dir);
}

static void common_help_version(void **state)
{
	(void)state;
	char *pos[40];
	int npos, rc;
	/* -h and --help print the help to stdout and return 1; -V/--version the version */
	char *help = capture(1, print_help_smtp, NULL, &rc);
	char *version = capture(1, print_version, NULL, &rc);
	assert_non_null(strstr(version, "mfpdoctor "));
	char *a1[] = {"smtp", "-vh"}, *a2[] = {"smtp", "--hel"}, *a3[] = {"smtp", "-V"}, *a4[] = {"smtp", "--vers"};
	struct call c1 = {cli_find_command("smtp"), a1, 2, NULL}, c2 = {cli_find_command("smtp"), a2, 2, NULL};
	struct call c3 = {cli_find_command("smtp"), a3, 2, NULL}, c4 = {cli_find_command("smtp"), a4, 2, NULL};
	char *o;
	o = capture(1, call_parse, &c1, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(o, help);
	free(o);
	o = capture(1, call_parse, &c2, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(o, help);
	free(o);
	o = capture(1, call_parse, &c3, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(o, version);
	free(o);
	o = capture(1, call_parse, &c4, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(o, version);
	free(o);

	/* a command's own -h / -V win; the common ones stay reachable by their long names */
	char *a5[] = {"shadow", "-hV", "-V"}, *a6[] = {"shadow", "--version"};
	struct seen sh = {0};
	assert_int_equal(cli_parse(&shadow, 3, a5, &sh, record, pos, &npos), 0);
	assert_int_equal(sh.n, 2);
	assert_int_equal(sh.ids[0], 1);
	assert_string_equal(sh.vals[0], "V");
	assert_int_equal(sh.ids[1], 2);
	struct call c6 = {&shadow, a6, 2, NULL};
	o = capture(1, call_parse, &c6, &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(o, version);
	free(o);
	free(help);
	free(version);
}

static void error_destination(void **state)
{
	(void)state;
	int rc;
	char *argv[] = {"smtp", "--nope"};
	struct call c = {cli_find_command("smtp"), argv, 2, NULL};
	char *e = capture(2, call_parse, &c, &rc); /* cli_parse: GNU style on stderr */
	assert_int_equal(rc, MFP_EXIT_USAGE);
	assert_string_equal(e, "mfpdoctor smtp: unknown option '--nope'\nTry 'mfpdoctor smtp --help'.\n");
	free(e);
	char buf[300] = "junk";
	c.err = buf; /* cli_parse_err: the message for the caller, nothing on stderr or stdout */
	e = capture(2, call_parse, &c, &rc);
	assert_int_equal(rc, MFP_EXIT_USAGE);
	assert_string_equal(e, "");
	assert_string_equal(buf, "unknown option '--nope'");
	free(e);
	e = capture(1, call_parse, &c, &rc);
	assert_string_equal(e, "");
	free(e);
}

static void main_help_and_version(void **state)
{
	(void)state;
	int rc;
	char *help = capture(1, print_help_smtp, NULL, &rc);
	char *version = capture(1, print_version, NULL, &rc);
	char *a1[] = {"mfpdoctor", "help", "smtp"}, *a2[] = {"mfpdoctor", "smtp", "--version"};
	char *a3[] = {"mfpdoctor", "help", "nosuch"}, *a4[] = {"mfpdoctor", "help"}, *a5[] = {"mfpdoctor", "--help"};
	char *a6[] = {"mfpdoctor", "-V"};
	struct call c1 = {NULL, a1, 3, NULL}, c2 = {NULL, a2, 3, NULL}, c3 = {NULL, a3, 3, NULL};
	struct call c4 = {NULL, a4, 2, NULL}, c5 = {NULL, a5, 2, NULL}, c6 = {NULL, a6, 2, NULL};
	char *o = capture(1, call_main, &c1, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(o, help); /* help smtp == smtp --help */
	free(o);
	o = capture(1, call_main, &c2, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(o, version);
	free(o);
	o = capture(2, call_main, &c3, &rc);
	assert_int_equal(rc, MFP_EXIT_USAGE);
	assert_non_null(strstr(o, "unknown command 'nosuch'"));
	free(o);
	char *g1 = capture(1, call_main, &c4, &rc);
	assert_int_equal(rc, 0);
	char *g2 = capture(1, call_main, &c5, &rc);
	assert_string_equal(g1, g2);
	assert_non_null(strstr(g1, "mfpdoctor help COMMAND"));
	free(g1);
	free(g2);
	o = capture(1, call_main, &c6, &rc);
	assert_string_equal(o, version);
	free(o);
	/* every command: CMD --version and help CMD */
	for (size_t i = 0; i < cli_ncommands; i++) {
		char *av[] = {"mfpdoctor", (char *)cli_commands[i]->name, "--version"};
		struct call cv = {NULL, av, 3, NULL};
		o = capture(1, call_main, &cv, &rc);
		if (rc != 0 || strcmp(o, version) != 0)
			fail_msg("%s --version: rc %d, output %s", cli_commands[i]->name, rc, o);
		free(o);
	}
	free(help);
	free(version);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tables_sorted), cmocka_unit_test(parser), cmocka_unit_test(bundling_and_attached),
		cmocka_unit_test(long_prefixes), cmocka_unit_test(positionals), cmocka_unit_test(common_options),
		cmocka_unit_test(common_help_version),
		cmocka_unit_test(error_destination), cmocka_unit_test(main_help_and_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
