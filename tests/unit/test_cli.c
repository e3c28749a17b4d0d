/* test_cli.c — every subcommand's option table is sorted, unique and documented; the parser
 * handles --opt=value, short options, missing values and unknown options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "core/finding.h"

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
}

struct seen {
	int ids[16];
	const char *vals[16];
	int n;
};

static int record(void *cfg, int id, const char *v, char *err, size_t errsz)
{
	struct seen *s = cfg;
	if (v && strcmp(v, "bad") == 0) {
		snprintf(err, errsz, "bad value");
		return -1;
	}
	s->ids[s->n] = id;
	s->vals[s->n++] = v;
	return 0;
}

static const struct cli_opt demo_opts[] = {
	{"alpha", 'a', CLI_VALUE, 1, "X", "alpha", NULL},
	{"beta", 0, CLI_FLAG, 2, NULL, "beta", NULL},
	{"gamma", 'g', CLI_VALUE, 3, "Y", "gamma", NULL},
};
static const struct cli_cmd demo = {"demo", "demo", "demo", NULL, demo_opts, 3, NULL};

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

static void helpers(void **state)
{
	(void)state;
	char err[200];
	long v;
	assert_int_equal(cli_parse_long("port", "587", 1, 65535, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 587);
	assert_int_equal(cli_parse_long("port", "70000", 1, 65535, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--port"));
	assert_int_equal(cli_parse_long("port", "5x", 1, 65535, &v, err, sizeof(err)), -1);
	assert_int_equal(cli_parse_choice("tls", "implicit", "auto|none|starttls|implicit", err, sizeof(err)), 3);
	assert_int_equal(cli_parse_choice("tls", "ssl", "auto|none|starttls|implicit", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "auto|none|starttls|implicit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(tables_sorted), cmocka_unit_test(parser),
					   cmocka_unit_test(helpers)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
