/* tests/unit/script_smtp.h — a scripted SMTP conversation fed through the real session parser
 * into a diagnosis, with the verdict the probe would reach (the last refused reply), then the
 * SMTP rules. Shared by the unit tests of diagnose and of the reports. */
#ifndef MFP_TESTS_SCRIPT_SMTP_H
#define MFP_TESTS_SCRIPT_SMTP_H
#include <stdlib.h>
#include <string.h>

#include "diagnose/diagnose.h"
#include "smtp/session.h"

/* Each element: ">command" or one or more "<reply line\r\n". */
static inline void script(struct diagnosis *dg, const char *const *lines)
{
	struct smtp_session s;
	dg->smtp.host = strdup(dg->req.server);
	dg->smtp.port_used = dg->req.port;
	session_init(&s, &dg->req, &dg->smtp, false);
	session_tcp_connected(&s);
	/* each element: ">command" or one or more "<reply line\r\n" */
	for (size_t i = 0; lines[i]; i++) {
		if (lines[i][0] == '>') {
			session_command(&s, lines[i] + 1, strlen(lines[i] + 1));
			continue;
		}
		for (const char *p = lines[i]; *p == '<';) {
			const char *end = strstr(p, "\r\n");
			size_t n = end ? (size_t)(end - p) + 2 : strlen(p);
			session_reply(&s, p + 1, n - 1);
			p += n;
		}
	}
	session_finish(&s);
	dg->test_ran = true;
	dg->smtp.ok = true;
	dg->smtp.failed_stage = STAGE_LAST;
	/* the verdict as the probe would decide it: the last failed reply */
	for (size_t i = dg->smtp.nsteps; i-- > 0;)
		if (dg->smtp.steps[i].reply.code >= 400) {
			dg->smtp.ok = false;
			dg->smtp.failed_stage = dg->smtp.steps[i].stage;
			smtp_reply_copy(&dg->smtp.fail_reply, &dg->smtp.steps[i].reply);
			break;
		}
	smtp_rules_apply(&dg->req, &dg->smtp);
}

#endif
