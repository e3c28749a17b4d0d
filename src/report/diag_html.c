/* report/diag_html.c — the diagnosis as one self-contained HTML file: inline CSS, no scripts, no
 * external requests; every device and server string escaped. The SMTP conversation is drawn as a
 * sequence of stages between the printer and the mail server. */
#include <stdlib.h>
#include <string.h>

#include "report/explain_report.h"
#include "report/diag_report.h"
#include "report/smtp_report.h"
#include "util/text.h"

static void esc(FILE *out, const char *s)
{
	struct buf b = {0};
	text_html_escape(&b, s ? s : "");
	fputs(buf_str(&b), out);
	buf_free(&b);
}

static const char *const css =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}"
	"main{max-width:1000px;margin:0 auto;padding:24px}"
	"h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.15rem;margin:28px 0 10px;border-bottom:1px solid #d7dbe2;padding-bottom:4px}"
	".sub{color:#5b6475;margin:0 0 16px}"
	".status{padding:14px 18px;border-radius:8px;font-weight:600;font-size:1.1rem;color:#fff}"
	".s-ok{background:#1e7d45}.s-warning{background:#b7791f}.s-critical{background:#c0392b}.s-unknown{background:#5b6475}"
	".card{background:#fff;border-radius:8px;padding:14px 18px;margin:10px 0;border-left:6px solid #5b6475;box-shadow:0 1px 2px rgba(0,0,0,.06)}"
	".sev-fail{border-left-color:#c0392b}.sev-warn{border-left-color:#b7791f}.sev-info{border-left-color:#2d6cdf}.sev-ok{border-left-color:#1e7d45}"
	".card h3{margin:0 0 8px;font-size:1rem}.label{font-weight:600;color:#5b6475;font-size:.85rem;text-transform:uppercase;letter-spacing:.03em}"
	".evidence{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;background:#f4f5f7;padding:8px;border-radius:4px;margin:4px 0 8px}"
	".fix{margin:4px 0}.src{font-size:.8rem;color:#5b6475;word-break:break-all}"
	".seq{background:#fff;border-radius:8px;padding:12px 18px}"
	".seq .ends{display:grid;grid-template-columns:1fr 1fr;font-weight:600;margin-bottom:8px}.seq .ends div:last-child{text-align:right}"
	".step{display:grid;grid-template-columns:130px 1fr;gap:10px;align-items:start;padding:6px 0;border-top:1px dashed #e1e4ea}"
	".stage{font-weight:600;font-size:.85rem;padding:3px 8px;border-radius:12px;text-align:center;color:#fff;background:#1e7d45}"
	".stage.bad{background:#c0392b}.stage.none{background:#8a93a3}"
	".msg{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.82rem;word-break:break-word;white-space:pre-wrap}"
	".out{color:#1d2330}.out:before{content:'printer \\2192  ';color:#5b6475}"
	".in{color:#1e7d45}.in.bad{color:#c0392b}.in:before{content:'\\2190  server ';color:#5b6475}"
	"table{border-collapse:collapse;width:100%;background:#fff;border-radius:8px;overflow:hidden;font-size:.9rem}"
	"th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #eceef2;vertical-align:top;word-break:break-word}th{background:#eceef2}"
	"#checklist{table-layout:fixed}"
	".st-ok{color:#1e7d45;font-weight:600}.st-fail{color:#c0392b;font-weight:600}.st-unknown{color:#5b6475}"
	"footer{color:#5b6475;font-size:.8rem;margin-top:28px}";

static void findings_html(FILE *out, const struct diagnosis *dg)
{
	fputs("<h2>What is wrong, and what to change</h2>\n", out);
	if (!dg->findings.n)
		fputs(dg->ncuts ? "<div class=\"card\"><h3>Nothing found in the parts that were tested (see 'Not tested').</h3></div>\n"
				: "<div class=\"card sev-ok\"><h3>Nothing: every check passed.</h3></div>\n", out);
	for (size_t i = 0; i < dg->findings.n; i++) {
		const struct finding *f = &dg->findings.v[i];
		fprintf(out, "<div class=\"card sev-%s\" id=\"finding-%zu\"><h3>%zu. ", severity_name(f->sev), i + 1, i + 1);
		esc(out, f->title);
		fputs("</h3>", out);
		if (f->evidence && *f->evidence) {
			fputs("<div class=\"label\">Evidence</div><div class=\"evidence\">", out);
			esc(out, f->evidence);
			fputs("</div>", out);
		}
		fputs("<div class=\"label\">Fix</div><div class=\"fix\">", out);
		esc(out, f->fix);
		fputs("</div>", out);
		for (size_t k = 0; k < f->sources.n; k++) {
			fputs("<div class=\"src\">Source: ", out);
			esc(out, f->sources.v[k]);
			fputs("</div>", out);
		}
		fputs("</div>\n", out);
	}
}

static void cuts_html(FILE *out, const struct diagnosis *dg)
{
	if (!dg->ncuts)
		return;
	fputs("<h2>Not tested (the time budget ran out)</h2>\n<div class=\"card\" id=\"not-tested\"><ul>", out);
	for (size_t i = 0; i < dg->ncuts; i++) {
		fputs("<li>", out);
		esc(out, dg->cuts[i].why);
		fputs("</li>", out);
	}
	fputs("</ul></div>\n", out);
}

static void sequence_html(FILE *out, const struct diagnosis *dg)
{
	fputs("<h2>The test send, stage by stage</h2>\n<table><tr><th>setting</th><th>value</th><th>taken from</th></tr>", out);
	for (size_t i = 0; i < dg->nsettings; i++) {
		fprintf(out, "<tr><td>%s</td><td>", dg->settings[i].name);
		esc(out, dg->settings[i].value);
		fputs("</td><td>", out);
		esc(out, dg->settings[i].source);
		fputs("</td></tr>", out);
	}
	fputs("</table>\n", out);
	if (!dg->test_ran) {
		fputs("<div class=\"card sev-warn\"><h3>The test send did not run</h3>", out);
		esc(out, dg->test_skipped);
		fputs("</div>\n", out);
		return;
	}
	fputs("<div class=\"seq\" id=\"sequence\"><div class=\"ends\"><div>Printer (mirrored by mfpdoctor)</div><div>Mail server ", out);
	esc(out, dg->smtp.host);
	fprintf(out, ":%ld</div></div>\n", dg->smtp.port_used);
	for (size_t i = 0; i < dg->smtp.nsteps; i++) {
		const struct smtp_step *s = &dg->smtp.steps[i];
		enum smtp_step_state st = smtp_step_state(&dg->smtp, s);
		bool bad = st == STEP_FAILED, none = st == STEP_NO_REPLY || st == STEP_CUT;
		fprintf(out, "<div class=\"step\"><div class=\"stage%s\">%s</div><div>", bad ? " bad" : none ? " none" : "",
			stage_name(s->stage));
		if (s->command) {
			fputs("<div class=\"msg out\">", out);
			esc(out, s->command);
			fputs("</div>", out);
		}
		if (s->reply.nlines) {
			fprintf(out, "<div class=\"msg in%s\">", bad ? " bad" : "");
			esc(out, buf_str(&s->reply.lines));
			fputs("</div>", out);
		} else {
			fputs("<div class=\"msg\">", out);
			bool cut = dg->smtp.budget_exhausted && i + 1 == dg->smtp.nsteps && none;
			esc(out, s->detail ? s->detail : cut ? "(not tested: the time budget ended the test here)" : none ? "(no reply)" : "");
			fputs("</div>", out);
		}
		fprintf(out, "<div class=\"src\">%.1f ms</div></div></div>\n", s->elapsed_ms);
	}
	fputs("</div>\n", out);
	const struct tls_facts *t = &dg->smtp.tls;
	if (t->have_cert) {
		fputs("<table><tr><th colspan=2>TLS</th></tr><tr><td>version</td><td>", out);
		esc(out, t->version);
		fputs(" ", out);
		esc(out, t->cipher);
		fputs("</td></tr><tr><td>certificate</td><td>", out);
		esc(out, t->subject);
		fputs("</td></tr><tr><td>issuer</td><td>", out);
		esc(out, t->issuer);
		fprintf(out, "</td></tr><tr><td>valid until</td><td>%s (%ld days left)</td></tr>", t->not_after, t->days_left);
		fprintf(out, "<tr><td>verified</td><td>chain: %s; name: %s</td></tr></table>\n", t->chain_error ? "no" : "yes",
			t->name_ok ? "yes" : "no");
	}
}

static void events_html(FILE *out, const struct diagnosis *dg)
{
	if (!dg->dev.nevents)
		return;
	fputs("<h2>Errors the device logged</h2>\n<table><tr><th>code</th><th>as logged</th><th>meaning</th><th>reproduced by the test</th></tr>", out);
	for (size_t i = 0; i < dg->dev.nevents; i++) {
		const struct device_event *e = &dg->dev.events[i];
		const struct diag_event *x = i < dg->nevents ? &dg->events[i] : NULL;
		fputs("<tr><td>", out);
		esc(out, e->code);
		fputs("</td><td>", out);
		esc(out, e->text);
		if (e->time) {
			fputs("<div class=\"src\">", out);
			esc(out, e->time);
			fprintf(out, " · %s</div>", event_origin_name(e->origin));
		}
		fputs("</td><td>", out);
		if (x && x->explained) {
			esc(out, x->e.meaning);
			char *how = explain_claims_brief(&x->e);
			fputs("<div class=\"src\">", out);
			esc(out, how);
			fputs("</div>", out);
			free(how);
		}
		fputs("</td><td>", out);
		if (x && x->reproduced) {
			esc(out, x->reproduced);
			fputs(": ", out);
			esc(out, x->note);
		}
		fputs("</td></tr>", out);
	}
	fputs("</table>\n", out);
}

static void checklist_html(FILE *out, const struct diagnosis *dg)
{
	if (!dg->have_checklist)
		return;
	const struct checklist *c = &dg->checklist;
	fputs("<h2>Checklist</h2>\n<table id=\"checklist\"><tr><th>setting</th><th>where</th><th>expected</th><th>observed</th><th>status</th><th>fix</th></tr>", out);
	for (size_t i = 0; i < c->n; i++) {
		const struct checklist_item *it = &c->v[i];
		fputs("<tr><td>", out);
		esc(out, it->label ? it->label : it->setting);
		fputs("</td><td>", out);
		esc(out, it->where);
		fputs("</td><td>", out);
		esc(out, it->expected);
		fputs("</td><td>", out);
		esc(out, it->observed);
		fprintf(out, "</td><td class=\"st-%s\">%s</td><td>", checklist_status_name(it->status), checklist_status_name(it->status));
		esc(out, it->status == CHECK_FAIL ? it->fix : "");
		fputs("</td></tr>", out);
	}
	fputs("</table>\n", out);
}

static void device_html(FILE *out, const struct diagnosis *dg)
{
	const struct device *d = &dg->dev;
	fputs("<h2>Device facts</h2>\n<table><tr><th>fact</th><th>value</th><th>source</th></tr>", out);
	for (size_t i = 0; i < d->nfacts; i++) {
		fputs("<tr><td>", out);
		esc(out, d->facts[i].key);
		fputs("</td><td>", out);
		esc(out, d->facts[i].value);
		fprintf(out, "</td><td>%s ", fact_source_name(d->facts[i].source));
		esc(out, d->facts[i].where);
		fputs("</td></tr>", out);
	}
	fputs("</table>\n", out);
	if (d->notes.n) {
		fputs("<h2>Notes: what could not be read, and why</h2>\n<ul>", out);
		for (size_t i = 0; i < d->notes.n; i++) {
			fputs("<li>", out);
			esc(out, d->notes.v[i]);
			fputs("</li>", out);
		}
		fputs("</ul>\n", out);
	}
}

void diag_report_html(FILE *out, const struct diagnosis *dg)
{
	const char *st = diag_status_name(dg->status);
	char title[300];
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Scan-to-email diagnosis: ", out);
	esc(out, dg->dev.host);
	fprintf(out, "</title><style>%s</style></head><body><main>\n<h1>Scan-to-email diagnosis: ", css);
	esc(out, dg->dev.host);
	fputs("</h1><p class=\"sub\">", out);
	esc(out, diag_device_title(dg, title, sizeof(title)));
	if (dg->service_name) {
		fputs(" · mail service: ", out);
		esc(out, dg->service_name);
	}
	fprintf(out, "</p>\n<div class=\"status s-%s\" id=\"status\">", st);
	fputs(dg->status == MFP_EXIT_OK ? "OK — scan-to-email should work"
	      : dg->status == MFP_EXIT_WARNING ? "Warning — works now, but something needs attention"
	      : dg->status == MFP_EXIT_CRITICAL ? "Critical — scan-to-email will fail"
	      : dg->ncuts ? "Unknown — not tested: the time budget ran out before a verdict"
			  : "Unknown — could not diagnose (see the notes)", out);
	fputs("</div>\n", out);
	cuts_html(out, dg);
	findings_html(out, dg);
	events_html(out, dg);
	sequence_html(out, dg);
	checklist_html(out, dg);
	device_html(out, dg);
	json_t *v = json_versions();
	fprintf(out, "<footer>mfpdoctor %s · libcurl %s (%s) · net-snmp %s · took %.1f s</footer>\n</main></body></html>\n",
		json_string_value(json_object_get(v, "mfpdoctor")), json_string_value(json_object_get(v, "libcurl")),
		json_string_value(json_object_get(v, "tls_backend")), json_string_value(json_object_get(v, "net_snmp")),
		dg->elapsed_ms / 1000.0);
	json_decref(v);
}
