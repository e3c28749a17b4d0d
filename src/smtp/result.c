/* smtp/result.c — reading a finished test send: the step of a stage, each step's state as the
 * reports show it, the exit code, and freeing. No I/O. */
#include <stdlib.h>
#include <string.h>

#include "core/finding.h"
#include "smtp/smtp.h"

const struct smtp_step *smtp_result_step(const struct smtp_result *res, enum stage s)
{
	for (size_t i = res->nsteps; i-- > 0;)
		if (res->steps[i].stage == s)
			return &res->steps[i];
	return NULL;
}

enum smtp_step_state smtp_step_state(const struct smtp_result *res, const struct smtp_step *s)
{
	bool at_stop = s == smtp_result_step(res, res->failed_stage);
	if (!s->done)
		return res->budget_exhausted && at_stop ? STEP_CUT : STEP_NO_REPLY;
	if (s->reply.nlines && (s->reply.code >= 400 || s->reply.malformed))
		return STEP_FAILED;
	/* the step the test stopped at is not "ok" even when its reply was no refusal (a final 334) */
	if (!res->ok && !res->budget_exhausted && at_stop && (s->reply.code / 100 == 3 || !s->reply.nlines))
		return STEP_FAILED;
	return STEP_OK;
}

const char *smtp_step_state_name(enum smtp_step_state st)
{
	switch (st) {
	case STEP_OK: return "ok";
	case STEP_FAILED: return "failed";
	case STEP_CUT: return "cut";
	default: return "no-reply";
	}
}

int smtp_result_exit(const struct smtp_result *res)
{
	if (res->budget_exhausted)
		return MFP_EXIT_UNKNOWN; /* not tested, whatever was found before the cut */
	if (!res->ok)
		return MFP_EXIT_CRITICAL;
	enum severity w = findings_worst(&res->findings);
	if (w >= SEV_FAIL)
		return MFP_EXIT_CRITICAL;
	if (w == SEV_WARN)
		return MFP_EXIT_WARNING;
	return MFP_EXIT_OK;
}

void smtp_result_free(struct smtp_result *res)
{
	for (size_t i = 0; i < res->nsteps; i++) {
		free(res->steps[i].command);
		free(res->steps[i].detail);
		smtp_reply_reset(&res->steps[i].reply);
	}
	free(res->steps);
	smtp_caps_free(&res->caps_before);
	smtp_caps_free(&res->caps_after);
	struct tls_facts *t = &res->tls;
	free(t->subject);
	free(t->issuer);
	strlist_free(&t->sans);
	free(t->chain_error);
	free(t->name_error);
	free(t->alert);
	free(res->host);
	free(res->ip);
	smtp_reply_reset(&res->fail_reply);
	free(res->error);
	free(res->curl_error);
	strlist_free(&res->transcript);
	for (size_t i = 0; i < res->nfollowups; i++) {
		free(res->followups[i].what);
		free(res->followups[i].result);
	}
	free(res->followups);
	findings_free(&res->findings);
	for (size_t i = 0; i < res->nexplanations; i++)
		kb_explanation_free(&res->explanations[i]);
	free(res->explanations);
	memset(res, 0, sizeof(*res));
}
