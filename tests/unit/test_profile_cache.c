/* tests/unit/test_profile_cache.c — profile/profile.c parses each embedded profile once per
 * process: profile_each hands every visit the same tree (so forked scan workers inherit them
 * parsed), while profile_load still returns a private copy a caller may change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "profile/profile.h"

struct seen {
	const char *path[512];
	json_t *root[512];
	size_t n;
};

static void collect(const char *path, json_t *root, void *user)
{
	struct seen *s = user;
	if (s->n < 512) {
		s->path[s->n] = path;
		s->root[s->n++] = root;
	}
}

static void parsed_once(void **state)
{
	(void)state;
	static struct seen a, b;
	struct strlist errs = {0};
	int na = profile_each("", "/nonexistent-overlay", collect, &a, &errs);
	int nb = profile_each("", "/nonexistent-overlay", collect, &b, &errs);
	assert_int_equal(errs.n, 0);
	assert_true(na > 5);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < a.n; i++) {
		assert_string_equal(a.path[i], b.path[i]);
		assert_ptr_equal(a.root[i], b.root[i]); /* the same tree: not parsed again */
	}
	strlist_free(&errs);
}

static void load_is_private(void **state)
{
	(void)state;
	static struct seen a;
	profile_each("mail/", "/nonexistent-overlay", collect, &a, NULL);
	assert_true(a.n > 0);
	json_t *own = profile_load(a.path[0], "/nonexistent-overlay", NULL);
	assert_non_null(own);
	assert_ptr_not_equal(own, a.root[0]);
	assert_true(json_equal(own, a.root[0]));
	json_object_set_new(own, "changed-by-test", json_true());
	assert_null(json_object_get(a.root[0], "changed-by-test"));
	json_decref(own);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(parsed_once), cmocka_unit_test(load_is_private)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
