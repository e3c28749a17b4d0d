/* tests/unit/test_kb_observed.c — the observation files of `listen --learn`
 * (kb/observed.h): merge of repeats, the size bound (oldest dropped), invalid entries and broken
 * files give a warning (never a crash, never an overwrite), unsafe vendor ids are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kb/observed.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mfp-observed-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

static void write_file(const char *text)
{
	char *sub = xasprintf("%s/observed", dir), *path = xasprintf("%s/observed/xerox.json", dir);
	char *cmd = xasprintf("mkdir -p '%s'", sub);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(sub);
	free(path);
}

static struct kb_observation ob(const char *code, const char *reply, const char *date)
{
	return (struct kb_observation){(char *)code, (char *)reply, (char *)"auth", (char *)date, (char *)"WorkCentre 7845", 1};
}

static void merges_repeats(void **state)
{
	(void)state;
	char err[300];
	struct kb_observation a[] = {ob("017-715", "535 5.7.139 Authentication unsuccessful", "2026-12-01"),
				     ob("017-715", "535 5.7.139 Authentication unsuccessful", "2026-12-02"),
				     ob("016-764", "421 4.7.0 Try again later", "2026-12-02")};
	assert_int_equal(kb_observed_add(dir, "xerox", a, 2, err, sizeof(err)), 0);
	assert_int_equal(kb_observed_add(dir, "xerox", a + 2, 1, err, sizeof(err)), 0);
	struct kb_observations o;
	struct strlist w = {0};
	assert_int_equal(kb_observed_load(dir, "xerox", &o, &w), 2);
	assert_int_equal(w.n, 0);
	assert_string_equal(o.v[0].code, "017-715");
	assert_int_equal(o.v[0].count, 2);
	assert_string_equal(o.v[0].date, "2026-12-02"); /* the latest sighting */
	assert_string_equal(o.v[0].stage, "AUTH");
	kb_observations_free(&o);
}

static void bounded(void **state)
{
	(void)state;
	char err[300];
	static struct kb_observation many[KB_OBSERVED_MAX + 5];
	static char replies[KB_OBSERVED_MAX + 5][64], dates[KB_OBSERVED_MAX + 5][16];
	for (int i = 0; i < KB_OBSERVED_MAX + 5; i++) {
		snprintf(replies[i], sizeof(replies[i]), "550 5.7.1 reply %d", i);
		snprintf(dates[i], sizeof(dates[i]), "2026-%02d-%02d", 1 + i / 28 % 12, 1 + i % 28);
		many[i] = ob("017-715", replies[i], dates[i]);
	}
	assert_int_equal(kb_observed_add(dir, "xerox", many, KB_OBSERVED_MAX + 5, err, sizeof(err)), 0);
	struct kb_observations o;
	assert_int_equal(kb_observed_load(dir, "xerox", &o, NULL), KB_OBSERVED_MAX);
	for (size_t i = 0; i < o.n; i++) /* the five oldest (January 1-5) were dropped */
		assert_true(strcmp(o.v[i].date, "2026-01-06") >= 0);
	kb_observations_free(&o);
}

static void bad_entries_skipped(void **state)
{
	(void)state;
	write_file("{\"schema\":\"mfpdoctor/observed/1\",\"vendor\":\"xerox\",\"observations\":["
		   "{\"code\":\"017-715\",\"reply\":\"535 5.7.139 x\",\"stage\":\"AUTH\",\"date\":\"2026-12-02\"},"
		   "{\"code\":\"017-715\",\"reply\":\"535\",\"stage\":\"AUTH\",\"date\":\"yesterday\"},"
		   "{\"code\":\"017-715\",\"reply\":\"a\\u0001b\",\"stage\":\"AUTH\",\"date\":\"2026-12-02\"},"
		   "42, {\"code\":7}]}");
	struct kb_observations o;
	struct strlist w = {0};
	assert_int_equal(kb_observed_load(dir, "xerox", &o, &w), 1);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.v[0], "4 invalid observation(s) skipped"));
	assert_null(o.v[0].model);
	kb_observations_free(&o);
	strlist_free(&w);
}

static void broken_file_warns_and_is_kept(void **state)
{
	(void)state;
	const char *garbage = "{\"schema\": \"mfpdoctor/observed/1\", \"observations\": [ {";
	write_file(garbage);
	struct kb_observations o;
	struct strlist w = {0};
	assert_int_equal(kb_observed_load(dir, "xerox", &o, &w), 0);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.v[0], "observed/xerox.json: line"));
	strlist_free(&w);
	char err[300];
	struct kb_observation a = ob("017-715", "535 5.7.139 x", "2026-12-02");
	assert_int_equal(kb_observed_add(dir, "xerox", &a, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not overwriting"));
	char *path = xasprintf("%s/observed/xerox.json", dir), got[200] = "";
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(got, sizeof(got), f));
	fclose(f);
	free(path);
	assert_string_equal(got, garbage); /* left as it was */
	write_file("[1, 2]");
	assert_int_equal(kb_observed_load(dir, "xerox", &o, &w), 0);
	assert_non_null(strstr(w.v[0], "not an observation file"));
	strlist_free(&w);
}

static void unsafe_ids_refused(void **state)
{
	(void)state;
	char err[300];
	struct kb_observation a = ob("017-715", "535 5.7.139 x", "2026-12-02");
	assert_int_equal(kb_observed_add(dir, "../evil", &a, 1, err, sizeof(err)), -1);
	assert_int_equal(kb_observed_add(NULL, "xerox", &a, 1, err, sizeof(err)), -1);
	assert_false(kb_observed_id_ok("Xerox"));
	assert_true(kb_observed_id_ok("konica-minolta"));
	struct kb_observations o;
	assert_int_equal(kb_observed_load(dir, "../evil", &o, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(merges_repeats, setup, teardown),
		cmocka_unit_test_setup_teardown(bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_entries_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(broken_file_warns_and_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(unsafe_ids_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
