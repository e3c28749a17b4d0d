/* report/diag_html_test.c — the HTML report's test send (its settings and where each came from,
 * the conversation stage by stage, TLS) and the device facts with readable labels. In print a
 * multi-line reply keeps its first line; the full conversation is in the JSON report. */
#include <stdlib.h>
#include <string.h>

#include "report/diag_html.h"
#include "report/fact_labels.h"
#include "report/smtp_report.h"

static void settings_html(FILE *out, const struct diagnosis *dg)
{
	fputs("<table id=\"settings\"><tr><th>setting</th><th>value</th><th>taken from</th></tr>", out);
	for (size_t i = 0; i < dg->nsettings; i++) {
		const char *label = setting_label(dg->settings[i].name);
		fputs("<tr><td class=\"k\"><span class=\"key\">", out);
		html_esc(out, label ? label : dg->settings[i].name);
		fputs("</span><span class=\"raw\">", out);
		html_esc(out, dg->settings[i].name);
		fputs("</span></td><td class=\"text\">", out);
		html_esc(out, dg->settings[i].value);
		fputs("</td><td class=\"text\">", out);
		html_esc(out, dg->settings[i].source);
		fputs("</td></tr>", out);
	}
	fputs("</table>\n", out);
}

/* A server reply: the first line always, the others hidden in print. */
static void reply_html(FILE *out, const char *lines, bool bad)
{
	const char *nl = strchr(lines, '\n');
	fprintf(out, "<div class=\"msg in%s\">", bad ? " bad" : "");
	if (!nl || !nl[1]) {
		html_esc(out, lines);
		fputs("</div>", out);
		return;
	}
	char *first = xstrndup(lines, (size_t)(nl - lines));
	html_esc(out, first);
	free(first);
	size_t more = 0;
	for (const char *p = nl + 1; *p; p++)
		more += *p == '\n' || !p[1];
	fputs("<span class=\"more\">\n", out);
	html_esc(out, nl + 1);
	fprintf(out, "</span><span class=\"print-only src\">(%zu more line%s: full transcript in the JSON report)</span></div>",
		more, more == 1 ? "" : "s");
}

static void step_html(FILE *out, const struct diagnosis *dg, size_t i)
{
	const struct smtp_step *s = &dg->smtp.steps[i];
	enum smtp_step_state st = smtp_step_state(&dg->smtp, s);
	bool bad = st == STEP_FAILED, none = st == STEP_NO_REPLY || st == STEP_CUT;
	fprintf(out, "<div class=\"step\"><div class=\"stage%s\">%s</div><div>", bad ? " bad" : none ? " none" : "",
		stage_name(s->stage));
	if (s->command) {
		fputs("<div class=\"msg out\">", out);
		html_esc(out, s->command);
		fputs("</div>", out);
	}
	if (s->reply.nlines) {
		reply_html(out, buf_str(&s->reply.lines), bad);
	} else {
		fputs("<div class=\"msg\">", out);
		bool cut = dg->smtp.budget_exhausted && i + 1 == dg->smtp.nsteps && none;
		html_esc(out, s->detail ? s->detail : cut ? "(not tested: the time budget ended the test here)" : none ? "(no reply)" : "");
		fputs("</div>", out);
	}
	fprintf(out, "<div class=\"src\">%.1f ms</div></div></div>\n", s->elapsed_ms);
}

static void tls_html(FILE *out, const struct tls_facts *t)
{
	if (!t->have_cert)
		return;
	fputs("<table id=\"tls\"><tr><th colspan=2>TLS</th></tr><tr><td class=\"k\">version</td><td class=\"text\">", out);
	html_esc(out, t->version);
	fputs(" ", out);
	html_esc(out, t->cipher);
	fputs("</td></tr><tr><td class=\"k\">certificate</td><td class=\"text\">", out);
	html_esc(out, t->subject);
	fputs("</td></tr><tr><td class=\"k\">issuer</td><td class=\"text\">", out);
	html_esc(out, t->issuer);
	fputs("</td></tr><tr><td class=\"k\">valid until</td><td class=\"text\">", out);
	html_esc(out, t->not_after);
	fprintf(out, " (%ld days left)</td></tr>", t->days_left);
	fprintf(out, "<tr><td class=\"k\">verified</td><td>chain: %s; name: %s</td></tr></table>\n", t->chain_error ? "no" : "yes",
		t->name_ok ? "yes" : "no");
}

void html_sequence(FILE *out, const struct diagnosis *dg)
{
	fputs("<section id=\"test\"><h2>The test send, stage by stage</h2>\n", out);
	settings_html(out, dg);
	if (!dg->test_ran) {
		fputs("<div class=\"card sev-warn\"><h3>The test send did not run</h3>", out);
		html_esc(out, dg->test_skipped);
		fputs("</div></section>\n", out);
		return;
	}
	fputs("<div class=\"seq\" id=\"sequence\"><div class=\"ends\"><div>Printer (mirrored by mfpdoctor)</div><div>Mail server ", out);
	html_esc(out, dg->smtp.host);
	fprintf(out, ":%ld</div></div>\n", dg->smtp.port_used);
	for (size_t i = 0; i < dg->smtp.nsteps; i++)
		step_html(out, dg, i);
	fputs("</div>\n", out);
	tls_html(out, &dg->smtp.tls);
	fputs("</section>\n", out);
}

void html_device(FILE *out, const struct diagnosis *dg)
{
	const struct device *d = &dg->dev;
	fputs("<section id=\"facts\"><h2>Device facts</h2>\n<table id=\"facts-table\"><tr><th>fact</th><th>value</th><th>source</th></tr>", out);
	for (size_t i = 0; i < d->nfacts; i++) {
		fputs("<tr><td class=\"k\">", out);
		html_fact_key(out, d->facts[i].key);
		fputs("</td><td class=\"text long\">", out);
		html_esc(out, d->facts[i].value);
		fprintf(out, "</td><td class=\"text\">%s ", fact_source_name(d->facts[i].source));
		html_esc(out, d->facts[i].where);
		fputs("</td></tr>", out);
	}
	fputs("</table>\n", out);
	if (d->notes.n) {
		fputs("<h2>Notes: what could not be read, and why</h2>\n<ul id=\"notes\">", out);
		for (size_t i = 0; i < d->notes.n; i++) {
			fputs("<li>", out);
			html_esc(out, d->notes.v[i]);
			fputs("</li>", out);
		}
		fputs("</ul>\n", out);
	}
	fputs("</section>\n", out);
}
