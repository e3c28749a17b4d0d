/* report/diag_nagios.c — the diagnosis as Nagios/Icinga plugin output (monitoring-plugins
 * guidelines): "MFPDOCTOR STATE - summary | perfdata" on the first line (the summary short,
 * under 80 characters before the perfdata), then the long output by verbosity. All text goes
 * through plugin_sanitize, so nothing Nagios strips from macros reaches it. See plugin.h. */
#include <stdlib.h>
#include <string.h>

#include "report/diag_report.h"
#include "report/plugin.h"
#include "util/text.h"

static const char *const state_name[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

/* How bad a state is when two are combined: CRITICAL > UNKNOWN > WARNING > OK. */
static int rank(int st)
{
	static const int r[] = {0, 1, 3, 2};
	return st >= 0 && st <= 3 ? r[st] : 2;
}

static int worse(int a, int b)
{
	return rank(b) > rank(a) ? b : a;
}

/* The line of plugin text: sanitised for Nagios, cut to max characters. */
static void put(FILE *out, const char *s, size_t max)
{
	char *c = plugin_sanitize(s ? s : "", max);
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

bool plugin_metric_value(const struct diagnosis *dg, enum plugin_metric m, double *out)
{
	switch (m) {
	case PM_TIME: *out = dg->elapsed_ms / 1000.0; return true;
	case PM_SMTP_TIME: *out = dg->smtp.total_ms / 1000.0; return dg->test_ran;
	case PM_CERT_DAYS: *out = (double)dg->smtp.tls.days_left; return dg->test_ran && dg->smtp.tls.have_cert;
	case PM_COUNT: break;
	}
	return false;
}

/* The worst threshold state (0, 1 or 2); *which gets the metric that set it (or -1). */
static int threshold_state(const struct diagnosis *dg, const struct plugin_opts *po, int *which)
{
	int st = 0;
	*which = -1;
	for (int m = 0; po && m < PM_COUNT; m++) {
		double v;
		if (!plugin_metric_value(dg, (enum plugin_metric)m, &v))
			continue;
		int s = plugin_range_alert(&po->crit[m], v) ? 2 : plugin_range_alert(&po->warn[m], v) ? 1 : 0;
		if (s > st)
			st = s, *which = m;
	}
	return st;
}

/* The diagnosis's own state; a run the time limit cut short takes -t N:STATE. */
static int diag_state(const struct diagnosis *dg, const struct plugin_opts *po)
{
	int st = dg->status <= MFP_EXIT_UNKNOWN ? (int)dg->status : 3;
	if (st == 3 && dg->ncuts && po)
		st = po->timeout_state;
	return st;
}

int plugin_state(const struct diagnosis *dg, const struct plugin_opts *po)
{
	int which;
	return worse(diag_state(dg, po), threshold_state(dg, po, &which));
}

static void metric(FILE *out, const struct diagnosis *dg, const struct plugin_opts *po, enum plugin_metric m,
		   int decimals, const char *uom)
{
	double v;
	fprintf(out, "%s=", plugin_metric_names[m]);
	if (plugin_metric_value(dg, m, &v))
		fprintf(out, "%.*f%s", decimals, v, uom);
	else
		fputc('U', out); /* unknown: no unit (guidelines: "U" as the value) */
	fprintf(out, ";%s;%s;%s ", po && po->warn[m].set ? po->warn[m].text : "",
		po && po->crit[m].set ? po->crit[m].text : "", m == PM_CERT_DAYS ? "" : "0");
}

void plugin_perfdata(FILE *out, const struct diagnosis *dg, const struct plugin_opts *po)
{
	int reached = 0;
	for (size_t i = 0; dg->test_ran && i < dg->smtp.nsteps; i++)
		reached += dg->smtp.steps[i].done && dg->smtp.steps[i].stage <= STAGE_LAST_SMTP;
	metric(out, dg, po, PM_TIME, 2, "s");
	metric(out, dg, po, PM_SMTP_TIME, 3, "s");
	metric(out, dg, po, PM_CERT_DAYS, 0, "");
	fprintf(out, "failures=%d;;;0 warnings=%d;;;0 smtp_stages=", count(dg, SEV_FAIL), count(dg, SEV_WARN));
	if (dg->test_ran)
		fprintf(out, "%d;;;0", reached);
	else
		fputs("U;;;0", out);
}

/* "out of time (-t 20): SNMP, the test send not tested" */
static void cut_summary(FILE *out, const struct diagnosis *dg, const struct plugin_opts *po, size_t max)
{
	struct buf b = {0};
	buf_printf(&b, "out of time (-t %ld): ", po ? po->timeout_s : 0);
	for (size_t i = 0; i < dg->ncuts; i++) {
		const char *p = dg->cuts[i].phase;
		buf_printf(&b, "%s%s", i ? ", " : "", strcmp(p, "snmp") == 0 ? "SNMP" : strcmp(p, "web") == 0 ? "web pages"
				       : strcmp(p, "smtp-test") == 0 ? "test send" : p);
	}
	buf_printf(&b, " not tested");
	put(out, buf_str(&b), max);
	buf_free(&b);
}

static void threshold_summary(FILE *out, const struct diagnosis *dg, const struct plugin_opts *po, int m, int st,
			      size_t max)
{
	double v = 0;
	plugin_metric_value(dg, (enum plugin_metric)m, &v);
	const struct plugin_range *r = st == 2 ? &po->crit[m] : &po->warn[m];
	char line[160];
	snprintf(line, sizeof(line), "%s %.*f%s is outside the %s range %s", plugin_metric_names[m], m == PM_CERT_DAYS ? 0 : 2,
		 v, m == PM_CERT_DAYS ? " days" : " s", st == 2 ? "critical" : "warning", r->text);
	put(out, line, max);
}

/* The first line's text before the perfdata. */
static void summary(FILE *out, const struct diagnosis *dg, const struct plugin_opts *po, int st)
{
	size_t max = 79 - strlen("MFPDOCTOR  - ") - strlen(state_name[st]); /* characters before the perfdata */
	int which, tst = threshold_state(dg, po, &which);
	const struct finding *top = dg->findings.n ? &dg->findings.v[0] : NULL;
	char title[300], more[32] = "";
	if (dg->findings.n > 1)
		snprintf(more, sizeof(more), " (+%zu more)", dg->findings.n - 1);
	if (tst && st == tst && !(top && (int)top->sev - 1 >= tst)) {
		threshold_summary(out, dg, po, which, st, max);
	} else if (diag_state(dg, po) != 0 && dg->status == MFP_EXIT_UNKNOWN && dg->ncuts) {
		cut_summary(out, dg, po, max);
	} else if (top && top->sev >= SEV_WARN) {
		put(out, top->title, max - strlen(more));
		fputs(more, out);
	} else if (dg->status == MFP_EXIT_UNKNOWN) {
		put(out, dg->test_skipped ? dg->test_skipped : "could not diagnose", max);
	} else { /* the device's name gives way to the server, which is what was tested */
		char *to = xasprintf(" -> %s:%ld", dg->req.server ? dg->req.server : "?", dg->req.port);
		size_t room = max > strlen(to) + 30 ? max - strlen(to) - 20 : 10;
		fputs("scan-to-email works: ", out);
		put(out, diag_device_title(dg, title, sizeof(title)), room);
		put(out, to, 0);
		free(to);
	}
}

/* Every threshold that alerts, one line each. */
static void threshold_lines(FILE *out, const struct diagnosis *dg, const struct plugin_opts *po)
{
	for (int m = 0; po && m < PM_COUNT; m++) {
		double v;
		if (!plugin_metric_value(dg, (enum plugin_metric)m, &v))
			continue;
		int s = plugin_range_alert(&po->crit[m], v) ? 2 : plugin_range_alert(&po->warn[m], v) ? 1 : 0;
		if (!s)
			continue;
		fputs("[threshold] ", out);
		threshold_summary(out, dg, po, m, s, 0);
		fputc('\n', out);
	}
}

static void finding_line(FILE *out, const char *prefix, const struct finding *f, int verbosity)
{
	fprintf(out, "%s[%s] ", prefix, severity_name(f->sev));
	put(out, f->title, 0);
	fputs(" -- fix: ", out);
	put(out, f->fix, 0);
	fprintf(out, " (%s)\n", f->id);
	if (verbosity >= 1 && f->evidence && *f->evidence) {
		fputs("    evidence: ", out);
		put(out, f->evidence, 0);
		fputc('\n', out);
	}
}

static void checklist_lines(FILE *out, const struct diagnosis *dg)
{
	for (size_t i = 0; dg->have_checklist && i < dg->checklist.n; i++) {
		const struct checklist_item *it = &dg->checklist.v[i];
		struct buf b = {0};
		buf_printf(&b, "checklist [%s] %s %s", checklist_status_name(it->status), it->side,
			   it->label ? it->label : it->setting);
		if (it->where)
			buf_printf(&b, " (%s)", it->where);
		if (it->expected)
			buf_printf(&b, ": set %s", it->expected);
		if (it->observed)
			buf_printf(&b, "; the device has %s", it->observed);
		put(out, buf_str(&b), 0);
		fputc('\n', out);
		buf_free(&b);
	}
}

static void lines(FILE *out, const char *prefix, const struct strlist *l)
{
	for (size_t i = 0; l && i < l->n; i++) {
		fputs(prefix, out);
		put(out, l->v[i], 0);
		fputc('\n', out);
	}
}

/* The long output: what the -v level asks for (0 findings, 1 evidence, 2 notes and the
 * checklist, 3 the redacted SMTP transcript). */
static void long_output(FILE *out, const struct diagnosis *dg, const struct plugin_opts *po)
{
	char title[300];
	int v = po ? po->verbosity : 0;
	put(out, diag_device_title(dg, title, sizeof(title)), 0);
	fputc('\n', out);
	threshold_lines(out, dg, po);
	for (size_t i = 0; i < dg->findings.n; i++)
		finding_line(out, "", &dg->findings.v[i], v);
	for (size_t i = 0; po && po->accepted && i < po->accepted->n; i++)
		finding_line(out, "accepted: ", &po->accepted->v[i], v);
	for (size_t i = 0; i < dg->ncuts; i++) {
		fputs("not tested: ", out);
		put(out, dg->cuts[i].why, 0);
		fputc('\n', out);
	}
	lines(out, "", po ? po->notes : NULL);
	if (v >= 2) {
		lines(out, "note: ", &dg->dev.notes);
		checklist_lines(out, dg);
	}
	if (v >= 3 && dg->test_ran)
		lines(out, "smtp: ", &dg->smtp.transcript);
}

int plugin_report(FILE *out, const struct diagnosis *dg, const struct plugin_opts *po)
{
	int st = plugin_state(dg, po);
	fprintf(out, "MFPDOCTOR %s - ", state_name[st]);
	summary(out, dg, po, st);
	fputs(" | ", out);
	plugin_perfdata(out, dg, po);
	fputc('\n', out);
	long_output(out, dg, po);
	return st;
}

void diag_report_nagios(FILE *out, const struct diagnosis *dg)
{
	plugin_report(out, dg, NULL);
}
