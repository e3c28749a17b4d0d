/* report/diag_html_sections.c — the HTML report's findings (with linked sources), the phases
 * the budget cut, the device's logged errors and the checklist. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/diag_html.h"
#include "report/explain_report.h"
#include "report/fact_labels.h"

void html_findings(FILE *out, const struct diagnosis *dg)
{
	fputs("<section id=\"findings\"><h2>What is wrong, and what to change</h2>\n", out);
	if (!dg->findings.n)
		fputs(dg->ncuts ? "<div class=\"card\"><h3>Nothing found in the parts that were tested (see 'Not tested').</h3></div>\n"
				: "<div class=\"card sev-ok\"><h3>Nothing: every check passed.</h3></div>\n", out);
	for (size_t i = 0; i < dg->findings.n; i++) {
		const struct finding *f = &dg->findings.v[i];
		fprintf(out, "<div class=\"card sev-%s\" id=\"finding-%zu\"><h3>%zu. ", severity_name(f->sev), i + 1, i + 1);
		html_esc(out, f->title);
		fputs("</h3>", out);
		if (f->evidence && *f->evidence) {
			fputs("<div class=\"label\">Evidence</div><div class=\"evidence\">", out);
			html_esc(out, f->evidence);
			fputs("</div>", out);
		}
		fputs("<div class=\"label\">Fix</div><div class=\"fix\">", out);
		html_esc(out, f->fix);
		fputs("</div>", out);
		for (size_t k = 0; k < f->sources.n; k++) {
			fputs("<div class=\"src\">Source: ", out);
			html_linked(out, f->sources.v[k]);
			fputs("</div>", out);
		}
		fputs("</div>\n", out);
	}
	fputs("</section>\n", out);
}

void html_cuts(FILE *out, const struct diagnosis *dg)
{
	if (!dg->ncuts)
		return;
	fputs("<h2>Not tested (the time budget ran out)</h2>\n<div class=\"card\" id=\"not-tested\"><ul>", out);
	for (size_t i = 0; i < dg->ncuts; i++) {
		fputs("<li>", out);
		html_esc(out, dg->cuts[i].why);
		fputs("</li>", out);
	}
	fputs("</ul></div>\n", out);
}

static void event_row(FILE *out, const struct device_event *e, const struct diag_event *x)
{
	fputs("<tr><td class=\"code\">", out);
	html_esc(out, e->code);
	fputs("</td><td class=\"k\">", out);
	html_esc(out, e->text);
	if (e->time) {
		fputs("<div class=\"src\"><time>", out);
		html_esc(out, e->time);
		fprintf(out, "</time> · <span class=\"nowrap\">%s</span></div>", event_origin_name(e->origin));
	}
	fputs("</td><td class=\"text wide\">", out);
	if (x && x->explained) {
		html_esc(out, x->e.meaning);
		char *how = explain_claims_brief(&x->e);
		fputs("<div class=\"src\">", out);
		html_esc(out, how);
		fputs("</div>", out);
		free(how);
	}
	fputs("</td><td class=\"text\">", out);
	if (x && x->reproduced) {
		fputs("<span class=\"nowrap\">", out);
		html_esc(out, x->reproduced);
		fputs("</span>: ", out);
		html_esc(out, x->note);
	}
	fputs("</td></tr>", out);
}

void html_events(FILE *out, const struct diagnosis *dg)
{
	if (!dg->dev.nevents)
		return;
	fputs("<section id=\"events\"><h2>Errors the device logged</h2>\n<table id=\"events-table\"><tr><th>code</th>"
	      "<th>as logged</th><th>meaning</th><th>reproduced by the test</th></tr>", out);
	for (size_t i = 0; i < dg->dev.nevents; i++)
		event_row(out, &dg->dev.events[i], i < dg->nevents ? &dg->events[i] : NULL);
	fputs("</table></section>\n", out);
}

/* The finding whose fix an item repeats (blame.c copies it), or 0: the item then points there. */
static size_t finding_with_fix(const struct diagnosis *dg, const char *fix)
{
	for (size_t i = 0; fix && i < dg->findings.n; i++)
		if (dg->findings.v[i].fix && strcmp(dg->findings.v[i].fix, fix) == 0)
			return i + 1;
	return 0;
}

static void item_name(FILE *out, const struct checklist_item *it)
{
	const char *name = strcmp(it->side, "device") == 0 ? setting_label(it->setting) : NULL;
	fputs("<span class=\"key\">", out);
	html_esc(out, name ? name : it->label ? it->label : it->setting);
	fputs("</span>", out);
	if (name && it->label && strcasecmp(name, it->label) != 0) {
		fputs("<span class=\"raw\" title=\"the field's name on the device\">", out);
		html_esc(out, it->label);
		fputs("</span>", out);
	}
}

static void item_row(FILE *out, const struct diagnosis *dg, const struct checklist_item *it)
{
	const char *st = checklist_status_name(it->status);
	fputs("<tr><td class=\"k\">", out);
	item_name(out, it);
	fputs("</td><td class=\"text\">", out);
	html_esc(out, it->where ? it->where : "not placed in the vendor profile: the device's e-mail/SMTP settings");
	fputs("</td><td class=\"text\">", out);
	html_esc(out, it->expected);
	fputs("</td><td class=\"text\">", out);
	html_esc(out, it->observed);
	fprintf(out, "</td><td class=\"st st-%s\">%s</td><td class=\"text\">", st, st);
	if (it->status == CHECK_FAIL || it->status == CHECK_WARN) {
		size_t n = finding_with_fix(dg, it->fix);
		if (n)
			fprintf(out, "<a href=\"#finding-%zu\">See finding %zu above</a>", n, n);
		else
			html_esc(out, it->fix);
	}
	fputs("</td></tr>", out);
}

void html_checklist(FILE *out, const struct diagnosis *dg)
{
	if (!dg->have_checklist)
		return;
	const struct checklist *c = &dg->checklist;
	fputs("<section id=\"checklist-section\"><h2>Checklist</h2>\n<table id=\"checklist\"><colgroup><col class=\"c-set\"><col class=\"c-where\">"
	      "<col class=\"c-exp\"><col class=\"c-obs\"><col class=\"c-st\"><col class=\"c-fix\"></colgroup>"
	      "<tr><th>setting</th><th>where</th>"
	      "<th>expected</th><th>observed</th><th>status</th><th>fix</th></tr>", out);
	for (int side = 0; side < 2; side++) {
		fprintf(out, "<tr class=\"side\"><th colspan=\"6\">%s</th></tr>", side ? "On the mail service" : "On the printer");
		for (size_t i = 0; i < c->n; i++)
			if ((strcmp(c->v[i].side, "device") == 0) == (side == 0))
				item_row(out, dg, &c->v[i]);
	}
	fputs("</table></section>\n", out);
}
