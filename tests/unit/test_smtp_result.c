/* tests/unit/test_smtp_result.c — smtp/result.c: how each step of a finished test send is shown
 * (a final 334 at the stop point is a failure, a budget cut is "cut", not a failure) and the
 * exit code of a budget-cut result (3, never 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/finding.h"
#include "smtp/smtp.h"

static struct smtp_step *add_step(struct smtp_result *r, enum stage st, const char *reply)
{
	r->steps = realloc(r->steps, (r->nsteps + 1) * sizeof(*r->steps));
	struct smtp_step *s = &r->steps[r->nsteps++];
	memset(s, 0, sizeof(*s));
	s->stage = st;
	if (reply) {
		smtp_reply_parse(&s->reply, reply);
		s->done = true;
	}
	return s;
}

static void final_334_is_failed(void **state)
{
	(void)state;
	struct smtp_result r = {0};
	add_step(&r, STAGE_BANNER, "220 mail.sim.test ESMTP");
	add_step(&r, STAGE_EHLO, "250 mail.sim.test");
	add_step(&r, STAGE_AUTH, "334 UGFzc3dvcmQ6");
	r.failed_stage = STAGE_AUTH;
	assert_int_equal(smtp_step_state(&r, &r.steps[0]), STEP_OK);
	assert_int_equal(smtp_step_state(&r, &r.steps[2]), STEP_FAILED);
	assert_string_equal(smtp_step_state_name(STEP_FAILED), "failed");
	assert_int_equal(smtp_result_exit(&r), MFP_EXIT_CRITICAL);
	smtp_result_free(&r);
}

static void budget_cut_is_cut(void **state)
{
	(void)state;
	struct smtp_result r = {0};
	add_step(&r, STAGE_BANNER, "220 mail.sim.test ESMTP");
	add_step(&r, STAGE_EHLO, NULL);
	r.failed_stage = STAGE_EHLO;
	r.budget_exhausted = true;
	assert_int_equal(smtp_step_state(&r, &r.steps[1]), STEP_CUT);
	assert_string_equal(smtp_step_state_name(STEP_CUT), "cut");
	assert_int_equal(smtp_result_exit(&r), MFP_EXIT_UNKNOWN);
	r.budget_exhausted = false; /* the same silence without a budget cut: no reply, a failure */
	assert_int_equal(smtp_step_state(&r, &r.steps[1]), STEP_NO_REPLY);
	assert_int_equal(smtp_result_exit(&r), MFP_EXIT_CRITICAL);
	smtp_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(final_334_is_failed),
		cmocka_unit_test(budget_cut_is_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
