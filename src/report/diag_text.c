/* report/diag_text.c — the diagnosis for people: terminal text (colour optional) and Markdown
 * for tickets. Order: verdict, what is wrong and the fix, the device's own errors, the test
 * send, the checklist, then the device facts and notes. */
#include <stdlib.h>
#include <string.h>

#include "report/explain_report.h"
#include "report/checklist_report.h"
#include "report/device_report.h"
#include "report/diag_report.h"
#include "report/smtp_report.h"
#include "report/term.h"
#include "util/text.h"

static const char *status_line(const struct diagnosis *dg)
{
	switch (dg->status) {
	case MFP_EXIT_OK: return "OK - scan-to-email should work";
	case MFP_EXIT_WARNING: return "WARNING - works now, but something needs attention";
	case MFP_EXIT_CRITICAL: return "CRITICAL - scan-to-email will fail";
	default:
		return dg->ncuts ? "UNKNOWN - not tested: the time budget ran out before a verdict (see 'Not tested')"
				 : "UNKNOWN - could not diagnose (see the notes)";
	}
}

static void cuts_text(FILE *out, const struct diagnosis *dg, bool colour)
{
	if (!dg->ncuts)
		return;
	fprintf(out, "\n%sNot tested (the time budget ran out)%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
	for (size_t i = 0; i < dg->ncuts; i++) {
		fputs("  - ", out);
		term_put(out, dg->cuts[i].why);
		fputc('\n', out);
	}
}

static void identity_line(FILE *out, const struct diagnosis *dg)
{
	const struct device *d = &dg->dev;
	char title[300];
	const char *fw = device_value(d, "identity.firmware"), *sn = device_value(d, "identity.serial");
	term_put(out, diag_device_title(dg, title, sizeof(title)));
	if (sn) {
		fputs(", serial ", out);
		term_put(out, sn);
	}
	if (fw) {
		fputs(", firmware ", out);
		term_put(out, fw);
	}
}

/* One step of the conversation; "cut" = the time budget ended the test here (not a failure). */
static void stage_row(FILE *out, const struct smtp_result *res, const struct smtp_step *s, bool colour)
{
	enum smtp_step_state st = smtp_step_state(res, s);
	bool cut = st == STEP_CUT, bad = st == STEP_FAILED || st == STEP_NO_REPLY;
	fprintf(out, "    %s%-4s%s %-15s ", term_col(colour, cut ? C_YEL : bad ? C_RED : C_GRN), cut ? "cut" : bad ? "FAIL" : "ok",
		term_col(colour, C_OFF), stage_name(s->stage));
	if (s->command) {
		term_put(out, s->command);
		fputs("  ", out);
	}
	if (s->reply.nlines) {
		char *j = smtp_reply_joined(&s->reply);
		if (strlen(j) > 140)
			strcpy(j + 137, "...");
		fputs("=> ", out);
		term_put(out, j);
		free(j);
	} else if (s->detail) {
		term_put(out, s->detail);
	} else if (cut) {
		fputs("(not tested: the time budget ended the test here)", out);
	} else if (!s->done) {
		fputs("(no reply)", out);
	}
	fputc('\n', out);
}

static void events_text(FILE *out, const struct diagnosis *dg, bool colour)
{
	if (!dg->dev.nevents)
		return;
	fprintf(out, "\n%sErrors the device logged%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
	for (size_t i = 0; i < dg->dev.nevents; i++) {
		const struct device_event *e = &dg->dev.events[i];
		const struct diag_event *x = i < dg->nevents ? &dg->events[i] : NULL;
		fputs("  - ", out);
		term_put(out, e->code ? e->code : "");
		fputs(e->code ? " " : "", out);
		term_put(out, e->text);
		fprintf(out, " (%s%s", event_origin_name(e->origin), e->time ? ", " : "");
		term_put(out, e->time ? e->time : "");
		fputs(")\n", out);
		if (x && x->explained) {
			fputs("      Meaning: ", out);
			term_put(out, x->e.meaning ? x->e.meaning : "not in the knowledge base");
			char *how = explain_claims_brief(&x->e);
			fprintf(out, " [%s]\n", how);
			free(how);
		}
		if (x && x->reproduced) {
			fprintf(out, "      Reproduced by the test: %s — ", x->reproduced);
			term_put(out, x->note);
			fputc('\n', out);
		}
	}

}

static void test_text(FILE *out, const struct diagnosis *dg, bool colour)
{
	fprintf(out, "\n%sThe test send (mirrors the device's settings)%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
	for (size_t i = 0; i < dg->nsettings; i++) {
		fprintf(out, "  %-8s ", dg->settings[i].name);
		term_put(out, dg->settings[i].value);
		fputs("   <- ", out);
		term_put(out, dg->settings[i].source);
		fputc('\n', out);
	}
	if (!dg->test_ran) {
		fputs("  Not run: ", out);
		term_put(out, dg->test_skipped);
		fputc('\n', out);
	} else {
		fputs("  Conversation:\n", out);
		for (size_t i = 0; i < dg->smtp.nsteps; i++)
			stage_row(out, &dg->smtp, &dg->smtp.steps[i], colour);
		if (dg->smtp.tls.have_cert) {
			fprintf(out, "  TLS: %s %s; certificate ", dg->smtp.tls.version, dg->smtp.tls.cipher);
			term_put(out, dg->smtp.tls.subject);
			fprintf(out, ", valid until %s; chain %s, name %s\n", dg->smtp.tls.not_after,
				dg->smtp.tls.chain_error ? "NOT verified" : "verified", dg->smtp.tls.name_ok ? "verified" : "NOT verified");
		}
	}

}

void diag_report_text(FILE *out, const struct diagnosis *dg, bool colour, bool verbose)
{
	fprintf(out, "%smfpdoctor diagnose %s%s: ", term_col(colour, C_BLD), dg->dev.host, term_col(colour, C_OFF));
	identity_line(out, dg);
	fputc('\n', out);
	const char *sc = dg->status == MFP_EXIT_OK ? C_GRN : dg->status == MFP_EXIT_WARNING ? C_YEL : C_RED;
	fprintf(out, "%s%sStatus: %s%s\n", term_col(colour, C_BLD), term_col(colour, sc), status_line(dg), term_col(colour, C_OFF));

	cuts_text(out, dg, colour);
	if (dg->ncuts && !dg->findings.n)
		fprintf(out, "\n%sWhat is wrong, and what to change%s\n  Nothing found in the parts that were tested "
			     "(see 'Not tested').\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
	else
		term_findings(out, &dg->findings, colour, true, verbose, true);

	events_text(out, dg, colour);
	test_text(out, dg, colour);
	if (dg->have_checklist) {
		fprintf(out, "\n%sChecklist%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
		checklist_report_text(out, &dg->checklist, colour);
	}
	fprintf(out, "\n%sDevice%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
	device_report_text(out, &dg->dev, colour);
	if (verbose && dg->test_ran) {
		fprintf(out, "\n%sTranscript (secrets redacted)%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
		for (size_t i = 0; i < dg->smtp.transcript.n; i++) {
			fputs("  ", out);
			term_put(out, dg->smtp.transcript.v[i]);
			fputc('\n', out);
		}
	}
}

static void events_md(FILE *out, const struct diagnosis *dg)
{
	if (!dg->dev.nevents)
		return;
	fputs("\n## Errors the device logged\n\n| code | text | when | meaning | reproduced |\n|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < dg->dev.nevents; i++) {
		const struct device_event *e = &dg->dev.events[i];
		const struct diag_event *x = i < dg->nevents ? &dg->events[i] : NULL;
		fputs("| ", out);
		term_md(out, e->code);
		fputs(" | ", out);
		term_md(out, e->text);
		fputs(" | ", out);
		term_md(out, e->time);
		fputs(" | ", out);
		term_md(out, x && x->explained ? x->e.meaning : "");
		fputs(" | ", out);
		term_md(out, x ? x->note : "");
		fputs(" |\n", out);
	}
}

static void test_md(FILE *out, const struct diagnosis *dg)
{
	fputs("\n## The test send\n\n| setting | value | from |\n|---|---|---|\n", out);
	for (size_t i = 0; i < dg->nsettings; i++) {
		fprintf(out, "| %s | ", dg->settings[i].name);
		term_md(out, dg->settings[i].value);
		fputs(" | ", out);
		term_md(out, dg->settings[i].source);
		fputs(" |\n", out);
	}
	if (dg->test_ran) {
		fputs("\n| stage | state | command | reply |\n|---|---|---|---|\n", out);
		for (size_t i = 0; i < dg->smtp.nsteps; i++) {
			const struct smtp_step *s = &dg->smtp.steps[i];
			char *j = smtp_reply_joined(&s->reply);
			enum smtp_step_state st = smtp_step_state(&dg->smtp, s);
			fprintf(out, "| %s | %s | ", stage_name(s->stage), smtp_step_state_name(st));
			term_md(out, s->command ? s->command : "");
			fputs(" | ", out);
			bool cut = st == STEP_CUT;
			term_md(out, s->reply.nlines ? j : (s->detail ? s->detail : (s->done ? "" : cut ? "(not tested: the time budget ended the test here)" : "(no reply)")));
			fputs(" |\n", out);
			free(j);
		}
	} else {
		fputs("\nNot run: ", out);
		term_md(out, dg->test_skipped);
		fputc('\n', out);
	}
}

/* Name, location and serial after the model; then the run: when, which version, the command. */
static void md_identity(FILE *out, const struct diagnosis *dg)
{
	static const char *const keys[][2] = {{"identity.sysname", "name"}, {"identity.location", "location"},
					      {"identity.serial", "serial"}};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = device_value(&dg->dev, keys[i][0]);
		if (!v || !*v)
			continue;
		fprintf(out, ", %s ", keys[i][1]);
		term_md(out, v);
	}
	json_t *v = json_versions();
	fputs("  \n**Run:** ", out);
	term_md(out, dg->started[0] ? dg->started : "unknown");
	fputs(", mfpdoctor ", out);
	term_md(out, json_string_value(json_object_get(v, "mfpdoctor")));
	json_decref(v);
	if (dg->command) {
		fputs("  \n**Command:** ", out);
		term_md(out, dg->command);
	}
}

void diag_report_md(FILE *out, const struct diagnosis *dg, bool verbose)
{
	const char *name = device_value(&dg->dev, "identity.sysname");
	fputs("# Scan-to-email diagnosis: ", out);
	if (name && *name) {
		term_md(out, name);
		fputs(" (address ", out);
		term_md(out, dg->dev.host);
		fputc(')', out);
	} else {
		term_md(out, dg->dev.host);
	}
	fputs("\n\n**Device:** ", out);
	char title[300];
	term_md(out, diag_device_title(dg, title, sizeof(title)));
	md_identity(out, dg);
	fputs("  \n**Status:** ", out);
	term_md(out, status_line(dg));
	if (dg->ncuts)
		fputs("\n\n## Not tested (the time budget ran out)\n\n", out);
	for (size_t i = 0; i < dg->ncuts; i++) {
		fputs("- ", out);
		term_md(out, dg->cuts[i].why);
		fputc('\n', out);
	}
	fputs(dg->ncuts ? "\n## What is wrong, and what to change\n\n" : "\n\n## What is wrong, and what to change\n\n", out);
	if (!dg->findings.n)
		fputs(dg->ncuts ? "Nothing found in the parts that were tested (see \"Not tested\").\n"
				: "Nothing: every check passed.\n", out);
	term_md_findings(out, &dg->findings, true);
	events_md(out, dg);
	test_md(out, dg);
	if (dg->have_checklist) {
		fputs("\n", out);
		checklist_report_md(out, &dg->checklist);
	}
	fputs("\n", out);
	device_report_md(out, &dg->dev);
	(void)verbose;
}
