/* report/diag_nagios.c — the diagnosis as Nagios/Icinga plugin output: a first line
 * "MFPDOCTOR STATE - summary | perfdata" (monitoring-plugins guidelines), then the findings as
 * long output. Device and server text is sanitised and '|' (the perfdata separator) replaced. */
#include <stdlib.h>
#include <string.h>

#include "report/diag_report.h"
#include "util/text.h"

/* One line of plugin text: sanitised, '|' replaced by '/'. */
static void plugin_text(FILE *out, const char *s)
{
	char *c = text_sanitize(s ? s : "", 300, 0);
	for (char *p = c; *p; p++)
		if (*p == '|')
			*p = '/';
	fputs(c, out);
	free(c);
}

static int count(const struct diagnosis *dg, enum severity sev)
{
	int n = 0;
	for (size_t i = 0; i < dg->findings.n; i++)
		n += dg->findings.v[i].sev == sev;
	return n;
}

void diag_report_nagios(FILE *out, const struct diagnosis *dg)
{
	static const char *const state[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	int st = dg->status <= MFP_EXIT_UNKNOWN ? (int)dg->status : 3;
	char title[300];
	fprintf(out, "MFPDOCTOR %s - ", state[st]);
	const struct finding *top = dg->findings.n ? &dg->findings.v[0] : NULL;
	if (st == 3 && dg->ncuts) {
		fputs("not tested: ", out);
		plugin_text(out, dg->cuts[dg->ncuts - 1].why);
	} else if (top && top->sev >= SEV_WARN) {
		plugin_text(out, top->title);
		if (dg->findings.n > 1)
			fprintf(out, " (+%zu more)", dg->findings.n - 1);
	} else if (st == 3) {
		plugin_text(out, dg->test_skipped ? dg->test_skipped : "could not diagnose");
	} else {
		fputs("scan-to-email works: ", out);
		plugin_text(out, diag_device_title(dg, title, sizeof(title)));
		fputs(" -> ", out);
		plugin_text(out, dg->req.server);
		fprintf(out, ":%ld", dg->req.port);
	}
	fprintf(out, " | time=%.2fs;;;0 fail=%d;;;0 warn=%d;;;0", dg->elapsed_ms / 1000.0, count(dg, SEV_FAIL),
		count(dg, SEV_WARN));
	if (dg->test_ran) {
		int reached = 0;
		for (size_t i = 0; i < dg->smtp.nsteps; i++)
			if (dg->smtp.steps[i].done && dg->smtp.steps[i].stage <= STAGE_LAST_SMTP)
				reached++;
		fprintf(out, " smtp_stages=%d;;;0 smtp_ms=%.0fms;;;0", reached, dg->smtp.total_ms);
	}
	fputc('\n', out);
	plugin_text(out, diag_device_title(dg, title, sizeof(title)));
	fputc('\n', out);
	for (size_t i = 0; i < dg->findings.n; i++) {
		const struct finding *f = &dg->findings.v[i];
		fprintf(out, "[%s] ", severity_name(f->sev));
		plugin_text(out, f->title);
		fputs(" -- fix: ", out);
		plugin_text(out, f->fix);
		fputc('\n', out);
	}
	for (size_t i = 0; i < dg->ncuts; i++) {
		fputs("not tested: ", out);
		plugin_text(out, dg->cuts[i].why);
		fputc('\n', out);
	}
	for (size_t i = 0; i < dg->dev.notes.n; i++) {
		fputs("note: ", out);
		plugin_text(out, dg->dev.notes.v[i]);
		fputc('\n', out);
	}
}
