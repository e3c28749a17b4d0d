/* test_profile_site.c — the site profile folder: --profiles DIR (profile_set_site_dir) wins over
 * $MFPDOCTOR_PROFILES, which wins over MFPDOCTOR_SYSCONFDIR/mfpdoctor/profiles; that last one is
 * used only when it is a directory; MFPDOCTOR_SYSCONFDIR is the configured install location
 * (CMAKE_INSTALL_FULL_SYSCONFDIR), never the placeholder default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "profile/profile.h"

static void t_order(void **state)
{
	(void)state;
	profile_set_site_dir(NULL);
	setenv("MFPDOCTOR_PROFILES", "/srv/site-a", 1);
	assert_string_equal(profile_site_dir(), "/srv/site-a");
	profile_set_site_dir("/srv/site-b");
	assert_string_equal(profile_site_dir(), "/srv/site-b");
	profile_set_site_dir("");      /* an empty --profiles is no folder: the next source applies */
	assert_string_equal(profile_site_dir(), "/srv/site-a");
	setenv("MFPDOCTOR_PROFILES", "", 1);
	const char *d = profile_site_dir();
	struct stat st;
	const char *sys = MFPDOCTOR_SYSCONFDIR "/mfpdoctor/profiles";
	if (stat(sys, &st) == 0 && S_ISDIR(st.st_mode))
		assert_string_equal(d, sys);
	else
		assert_null(d);
	unsetenv("MFPDOCTOR_PROFILES");
}

static void t_sysconfdir_configured(void **state)
{
	(void)state;
	/* CMake passes the absolute configured directory: /etc for prefix /usr, PREFIX/etc otherwise */
	assert_true(MFPDOCTOR_SYSCONFDIR[0] == '/');
	assert_true(strcmp(MFPDOCTOR_SYSCONFDIR, "/etc") == 0 || strstr(MFPDOCTOR_SYSCONFDIR, "/etc") != NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_order),
		cmocka_unit_test(t_sysconfdir_configured),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
