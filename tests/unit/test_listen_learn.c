/* tests/unit/test_listen_learn.c — listen --device: an error event that appeared during the
 * sessions is paired with the reply the device got; events already there before are not; the
 * device's settings are compared with what the session did. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen/listen_learn.h"

static void session(struct listen_session *s)
{
	memset(s, 0, sizeof(*s));
	s->id = 1;
	s->tls_how = xstrdup("starttls");
	s->hello.seen = true;
	strcpy(s->hello.max, "TLSv1.0");
	s->nauths = 1;
	s->auths[0].mech = xstrdup("LOGIN");
	s->auths[0].user = xstrdup("scan@example.com");
	s->auths[0].reply = xstrdup("535 5.7.139 Authentication unsuccessful");
}

/* --learn: the pair becomes an observation in <dir>/observed/xerox.json that explain's reader
 * finds under the code as typed. */
static void learn_writes(const struct listen_learn *l)
{
	char dir[] = "/tmp/mfp-learn-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct kb_observations obs, back;
	assert_int_equal(listen_learn_observations(l, "WorkCentre 7845", "2026-12-02", &obs), 1);
	char err[300];
	assert_int_equal(kb_observed_add(dir, "xerox", obs.v, obs.n, err, sizeof(err)), 0);
	kb_observations_free(&obs);
	/* a multi-line reply and an over-long model are kept on one line, cut to the file's bounds */
	struct listen_learn l2 = {0};
	l2.npairs = 1;
	l2.pairs[0] = (struct listen_pair){(char *)"017-715", NULL, 1, (char *)"auth", (char *)"535-5.7.139 first\r\n535 5.7.139 second"};
	char model[300];
	memset(model, 'M', sizeof(model) - 1);
	model[sizeof(model) - 1] = '\0';
	assert_int_equal(listen_learn_observations(&l2, model, "2026-12-03", &obs), 1);
	assert_string_equal(obs.v[0].reply, "535-5.7.139 first  535 5.7.139 second");
	assert_int_equal(strlen(obs.v[0].model), 128);
	assert_int_equal(kb_observed_add(dir, "xerox", obs.v, obs.n, err, sizeof(err)), 0);
	kb_observations_free(&obs);
	setenv("MFPDOCTOR_PROFILES", dir, 1);
	assert_int_equal(kb_observed_for_code("xerox", "017715", &back), 2);
	assert_string_equal(back.v[0].reply, "535 5.7.139 Authentication unsuccessful");
	assert_string_equal(back.v[0].stage, "AUTH");
	assert_string_equal(back.v[0].date, "2026-12-02");
	assert_string_equal(back.v[0].model, "WorkCentre 7845");
	kb_observations_free(&back);
	unsetenv("MFPDOCTOR_PROFILES");
	char *f = xasprintf("%s/observed/xerox.json", dir), *sub = xasprintf("%s/observed", dir);
	assert_int_equal(unlink(f), 0);
	assert_int_equal(rmdir(sub), 0); /* nothing else (no temporary file) was left */
	assert_int_equal(rmdir(dir), 0);
	free(f);
	free(sub);
}

static void pairs_new_events(void **state)
{
	struct device before, after;
	device_init(&before, "mfp");
	device_init(&after, "mfp");
	device_add_event(&before, EV_WEB_JOBLOG, "016-764", "SMTP connect failed", "2026-12-01 10:00", "log");
	device_add_event(&after, EV_WEB_JOBLOG, "016-764", "SMTP connect failed", "2026-12-01 10:00", "log");
	device_add_event(&after, EV_WEB_JOBLOG, "017-715", "SMTP authentication failed", "2026-12-02 01:00", "log");
	device_set(&before, "smtp.security", "implicit", FACT_WEB, "page");
	device_set(&before, "smtp.tls_max", "1.2", FACT_WEB, "page");
	struct listen_session s;
	session(&s);
	struct listen_learn l = {0};
	listen_learn_keep(&l, &s);
	listen_session_free(&s);
	listen_learn_compare(&l, &before, "127.0.0.1", 2525);
	listen_learn_pair(&l, &before, &after);
	assert_int_equal(l.npairs, 1);
	assert_string_equal(l.pairs[0].code, "017-715");
	assert_string_equal(l.pairs[0].stage, "auth");
	assert_string_equal(l.pairs[0].reply, "535 5.7.139 Authentication unsuccessful");
	assert_int_equal(l.pairs[0].session, 1);
	bool sec = false, tls = false;
	for (size_t i = 0; i < l.compare.n; i++) {
		sec |= strstr(l.compare.v[i], "set to implicit, but it used starttls") != NULL;
		tls |= strstr(l.compare.v[i], "set to TLS up to 1.2, but it offered up to TLSv1.0") != NULL;
	}
	assert_true(sec && tls);
	learn_writes(&l);
	listen_learn_free(&l);
	device_free(&before);
	device_free(&after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(pairs_new_events)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
