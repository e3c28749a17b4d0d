/* diagnose/conclude.c — from gathered facts to conclusions: device events explained and compared
 * with the test send, the rules, the checklist with observed values, and the overall status.
 * No I/O. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diagnose/diagnose.h"
#include "kb/explain.h"
#include "kb/vendor.h"
#include "profile/profile.h"
#include "util/text.h"

void diagnose_explain_events(struct diagnosis *dg)
{
	const struct device *d = &dg->dev;
	dg->events = xcalloc(d->nevents ? d->nevents : 1, sizeof(*dg->events));
	dg->nevents = d->nevents;
	struct explain_opts opts = {.vendor = dg->vendor_id, .family = dg->family_id, .service = dg->service_id};
	for (size_t i = 0; i < d->nevents; i++) {
		struct diag_event *ev = &dg->events[i];
		ev->index = i;
		const struct device_event *de = &d->events[i];
		const char *input = de->code && *de->code ? de->code : de->text;
		if (!input || !*input)
			continue;
		struct explain_result r;
		explain_text(input, &opts, &r);
		if (r.n == 0 && de->code && de->text && *de->text) {
			explain_result_free(&r);
			explain_text(de->text, &opts, &r);
		}
		if (r.n) {
			long k = r.first_failure >= 0 ? r.first_failure : 0;
			kb_explanation_copy(&ev->e, &r.v[k].e);
			ev->explained = true;
		}
		explain_result_free(&r);
	}
}

/* Compares each explained event's stage with how far the test got. */
static void compare_events(struct diagnosis *dg)
{
	const struct smtp_result *r = &dg->smtp;
	for (size_t i = 0; i < dg->nevents; i++) {
		struct diag_event *ev = &dg->events[i];
		enum stage s = ev->e.stage;
		if (!ev->explained)
			continue;
		if (!diagnose_tested(dg)) {
			ev->reproduced = xstrdup("unknown");
			ev->note = xstrdup(dg->test_ran ? "the time budget ended the test send before a verdict"
							: "no test send ran");
			continue;
		}
		if (s == STAGE_DNS) {
			bool dns = findings_get(&r->findings, "dns-unresolved") != NULL;
			ev->reproduced = xstrdup(dns ? "yes" : "no");
			ev->note = xstrdup(dns ? "the test could not resolve the server name either"
					       : "the test resolved the server name from here (the device may use other DNS servers)");
			continue;
		}
		if (s == STAGE_UNKNOWN && !r->ok) {
			bool guess = ev->e.stage_guess != STAGE_UNKNOWN && ev->e.stage_guess != STAGE_LAST;
			ev->reproduced = xstrdup("possibly");
			ev->note = xasprintf("%s%s%s; the test failed at %s%s%s - most likely what the device ran into as well",
					     guess ? "the code's stage is not confirmed (an unverified guess: " : "the code's stage is not known",
					     guess ? stage_name(ev->e.stage_guess) : "", guess ? ")" : "", stage_name(r->failed_stage),
					     r->fail_reply.nlines ? " with: " : "",
					     r->fail_reply.nlines ? buf_str(&r->fail_reply.lines) : "");
			continue;
		}
		if (s > STAGE_LAST_SMTP) {
			ev->reproduced = xstrdup("unknown");
			ev->note = xasprintf("this code happens %s, which a test send cannot reproduce",
					     s == STAGE_DEVICE ? "inside the device" : s == STAGE_NDR ? "after delivery (a bounce)" : "at an unknown stage");
			continue;
		}
		if (!r->ok) {
			if (r->failed_stage == s) {
				ev->reproduced = xstrdup("yes");
				ev->note = xasprintf("the test failed at the same stage (%s)%s%s", stage_name(s),
						     r->fail_reply.nlines ? " with: " : "", r->fail_reply.nlines ? buf_str(&r->fail_reply.lines) : "");
			} else {
				ev->reproduced = xstrdup("different-stage");
				ev->note = xasprintf("the code points at %s; the test failed at %s%s%s", stage_name(s),
						     stage_name(r->failed_stage), r->fail_reply.nlines ? " with: " : "",
						     r->fail_reply.nlines ? buf_str(&r->fail_reply.lines) : (r->error ? r->error : ""));
			}
		} else if (s > dg->req.stop_after && !dg->req.send) {
			ev->reproduced = xstrdup("not-reached");
			ev->note = xasprintf("the test stopped after %s without sending; the code's stage (%s) is reached only "
					     "with --send", stage_name(dg->req.stop_after), stage_name(s));
		} else {
			ev->reproduced = xstrdup("no");
			ev->note = xasprintf("the test passed %s: the problem may be intermittent, already fixed, or depend on "
					     "something the test does not mirror", stage_name(s));
		}
	}
}

static const char *fact(const struct diagnosis *dg, const char *key)
{
	return device_value(&dg->dev, key);
}

static void observe(struct checklist_item *it, const char *observed, enum checklist_status st, const char *fix)
{
	free(it->observed);
	it->observed = observed ? xstrdup(observed) : NULL;
	it->status = st;
	if (fix && st == CHECK_FAIL) {
		free(it->fix);
		it->fix = xstrdup(fix);
	}
}

static const struct finding *first_of(const struct diagnosis *dg, const char *const *ids)
{
	for (size_t i = 0; ids[i]; i++) {
		const struct finding *f = findings_get(&dg->findings, ids[i]);
		if (f)
			return f;
	}
	return NULL;
}

static enum checklist_status passed(bool ok)
{
	return ok ? CHECK_OK : CHECK_UNKNOWN;
}

static bool step_code(const struct smtp_result *r, enum stage s, int code)
{
	const struct smtp_step *st = smtp_result_step(r, s);
	return st && st->reply.code == code;
}

/* What the test showed to work for a device setting (the blame comes from the findings). */
static enum checklist_status evidence_ok(const struct diagnosis *dg, const char *k)
{
	const struct smtp_result *r = &dg->smtp;
	bool ran = dg->test_ran;
	if (strcmp(k, "smtp_host") == 0)
		return passed(ran && r->nsteps && r->steps[0].done);
	if (strcmp(k, "smtp_port") == 0 || strcmp(k, "security") == 0)
		return passed(ran && smtp_result_step(r, STAGE_BANNER));
	if (strcmp(k, "tls_version") == 0)
		return passed(r->tls.established);
	if (strcmp(k, "auth") == 0 || strcmp(k, "user") == 0 || strcmp(k, "password") == 0)
		return passed(step_code(r, STAGE_AUTH, 235));
	if (strcmp(k, "from") == 0)
		return passed(!dg->from_placeholder && step_code(r, STAGE_MAIL_FROM, 250));
	if (strcmp(k, "ehlo_name") == 0)
		return passed(step_code(r, STAGE_EHLO, 250));
	if (strcmp(k, "dns") == 0)
		return passed(ran && r->ip);
	if (strcmp(k, "clock") == 0)
		return passed(dg->dev.clock_known);
	if (strcmp(k, "certificate") == 0)
		return passed(r->tls.have_cert && !r->tls.chain_error && r->tls.name_ok);
	return CHECK_UNKNOWN;
}

static const char *observed_value(const struct diagnosis *dg, const char *k, char *buf, size_t bufsz)
{
	const struct smtp_result *r = &dg->smtp;
	if (strcmp(k, "smtp_host") == 0) return fact(dg, "smtp.host");
	if (strcmp(k, "smtp_port") == 0) return dg->req.server ? (snprintf(buf, bufsz, "%ld", dg->req.port), buf) : NULL;
	if (strcmp(k, "security") == 0) return dg->req.server ? tls_mode_name(dg->req.tls) : NULL;
	if (strcmp(k, "tls_version") == 0)
		return dg->req.tls_max ? tls_version_name(dg->req.tls_max) : (r->tls.version[0] ? r->tls.version : NULL);
	if (strcmp(k, "auth") == 0) return auth_mode_name(dg->req.auth);
	if (strcmp(k, "user") == 0) return fact(dg, "smtp.user");
	if (strcmp(k, "password") == 0) return dg->password || dg->req.password ? "(given, not shown)" : "(not given)";
	if (strcmp(k, "from") == 0) return fact(dg, "smtp.from");
	if (strcmp(k, "ehlo_name") == 0) return dg->req.ehlo;
	if (strcmp(k, "clock") == 0) return fact(dg, "status.clock");
	if (strcmp(k, "max_size") == 0) return fact(dg, "smtp.max_size");
	if (strcmp(k, "certificate") == 0) return r->tls.subject;
	if (strcmp(k, "firmware") == 0) return fact(dg, "identity.firmware");
	return NULL;
}

/* An item fails when a finding blames it (diagnose_blamed), is ok when the test showed it
 * working, and stays unknown otherwise. */
static void fill_item(struct diagnosis *dg, struct checklist_item *it)
{
	char buf[64];
	const struct finding *f = diagnose_blamed(dg, it->side, it->setting);
	if (strcmp(it->side, "device") != 0) {
		if (f) {
			it->status = CHECK_FAIL;
			free(it->fix);
			it->fix = xstrdup(f->fix);
		}
		return;
	}
	const char *obs = observed_value(dg, it->setting, buf, sizeof(buf));
	observe(it, obs, f ? CHECK_FAIL : evidence_ok(dg, it->setting),
		f && strcmp(it->setting, "firmware") != 0 ? f->fix : NULL);
}

static void build_checklist(struct diagnosis *dg, const char *today)
{
	const struct kb_vendor *v = dg->vendor_id ? kb_vendor_find(dg->vendor_id) : NULL;
	if (!v)
		return;
	const json_t *fam = dg->family_id ? kb_vendor_family(v, dg->family_id) : NULL;
	if (!fam && fact(dg, "identity.model"))
		fam = kb_vendor_family(v, fact(dg, "identity.model"));
	const json_t *svc = dg->service_id ? kb_service_json(dg->service_id) : NULL;
	/* an unrecognised service: the device side of the checklist still applies */
	json_t *generic = json_pack("{s:s, s:s, s:{}}", "id", "unrecognised", "name", "your mail server", "settings");
	checklist_build(v->json, fam, svc ? svc : generic, today, &dg->checklist);
	json_decref(generic);
	dg->have_checklist = true;
	for (size_t i = 0; i < dg->checklist.n; i++)
		fill_item(dg, &dg->checklist.v[i]);
	checklist_judge_host(&dg->checklist); /* connected, but not the recommended name: a warning */
	diagnose_blame_missing(dg);
}

/* A rule that names the cause of the server's refusal makes the generic "the server refused"
 * finding redundant (its reply is in the rule's evidence, its explanation in the test's). */
static void drop_generic_refusal(struct diagnosis *dg)
{
	static const char *const specific[] = {"m365-smtp-auth-disabled", "m365-security-defaults", "credentials-rejected",
					       "gmail-app-password", "relay-denied", "auth-required-not-sent",
					       "auth-after-starttls", "size-over-limit", "ehlo-name-rejected",
					       "tls-version-too-old", NULL};
	const struct finding *sendas = findings_get(&dg->findings, "from-differs-from-login");
	if (!first_of(dg, specific) && !(sendas && sendas->sev == SEV_FAIL))
		return;
	struct findings *fs = &dg->findings;
	for (size_t i = 0; i < fs->n; i++) {
		if (strcmp(fs->v[i].id, "smtp-refused") != 0)
			continue;
		struct finding gone = fs->v[i];
		memmove(&fs->v[i], &fs->v[i + 1], (fs->n - i - 1) * sizeof(*fs->v));
		fs->n--;
		free(gone.id);
		free(gone.title);
		free(gone.evidence);
		free(gone.fix);
		strlist_free(&gone.sources);
		return;
	}
}

/* The findings that explain why the test send failed come before static misconfigurations of
 * the same severity: the server's own refusal is the strongest evidence. */
static void rank_causes(struct diagnosis *dg)
{
	static const char *const causes[] = {
		"dns-unresolved", "connect-failed", "port-expects-implicit-tls", "port-expects-starttls",
		"tls-version-too-old", "cert-expired", "cert-name-mismatch", "cert-untrusted", "auth-after-starttls",
		"auth-not-offered", "auth-no-common-mechanism", "ehlo-name-rejected", "size-over-limit",
		"auth-required-not-sent", "credentials-rejected", "m365-smtp-auth-disabled", "m365-security-defaults",
		"gmail-app-password", "relay-denied", "rate-limited", "smtp-refused", "smtp-failed", NULL};
	if (!diagnose_tested(dg) || dg->smtp.ok)
		return;
	for (size_t i = 0; i < dg->findings.n; i++)
		for (size_t k = 0; causes[k]; k++)
			if (strcmp(dg->findings.v[i].id, causes[k]) == 0)
				dg->findings.v[i].rank = 1;
	const struct finding *f = findings_get(&dg->findings, "from-differs-from-login");
	if (f && f->sev == SEV_FAIL)
		((struct finding *)f)->rank = 1;
}

void diagnose_cut(struct diagnosis *dg, const char *phase, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	dg->cuts = xrealloc(dg->cuts, (dg->ncuts + 1) * sizeof(*dg->cuts));
	dg->cuts[dg->ncuts].phase = xstrdup(phase);
	dg->cuts[dg->ncuts++].why = text_sanitize(buf_str(&b), 1000, 0);
	buf_free(&b);
}

static void set_status(struct diagnosis *dg);

bool diagnose_tested(const struct diagnosis *dg)
{
	return dg->test_ran && !dg->smtp.budget_exhausted;
}

/* A test the budget cut short has no verdict: its "failed at ..." findings are not evidence. */
static bool verdict_finding(const struct diagnosis *dg, const char *id)
{
	return dg->smtp.budget_exhausted && (strcmp(id, "smtp-failed") == 0 || strcmp(id, "connect-failed") == 0);
}

void diagnose_conclude(struct diagnosis *dg, const char *today)
{
	if (dg->test_ran)
		for (size_t i = 0; i < dg->smtp.findings.n; i++) {
			const struct finding *f = &dg->smtp.findings.v[i];
			if (verdict_finding(dg, f->id))
				continue;
			struct finding *c = findings_add(&dg->findings, f->id, f->sev, f->title, f->evidence, f->fix, NULL);
			for (size_t k = 0; k < f->sources.n; k++)
				strlist_add(&c->sources, f->sources.v[k]);
		}
	compare_events(dg);
	diagnose_rules(dg);
	drop_generic_refusal(dg);
	rank_causes(dg);
	findings_sort(&dg->findings);
	build_checklist(dg, today);
	set_status(dg);
}

/* The state from the findings and whether the test send came to a verdict. */
static void set_status(struct diagnosis *dg)
{
	enum severity w = findings_worst(&dg->findings);
	bool tested = diagnose_tested(dg);
	if (tested && !dg->smtp.ok)
		w = SEV_FAIL;
	dg->status = w == SEV_FAIL ? MFP_EXIT_CRITICAL : w == SEV_WARN ? MFP_EXIT_WARNING : MFP_EXIT_OK;
	if (!dg->test_ran && dg->dev.nfacts == 0)
		dg->status = MFP_EXIT_UNKNOWN;
	else if (!tested && w < SEV_FAIL)
		dg->status = MFP_EXIT_UNKNOWN; /* nothing was tested (or the budget cut the test): we cannot say it works */
}

void diagnose_accept(struct diagnosis *dg, const struct strlist *ids, struct findings *accepted)
{
	struct findings *fs = &dg->findings;
	for (size_t i = 0; i < fs->n;) {
		bool hit = false;
		for (size_t k = 0; k < ids->n && !hit; k++)
			hit = strcmp(fs->v[i].id, ids->v[k]) == 0;
		if (!hit) {
			i++;
			continue;
		}
		const struct finding *f = &fs->v[i];
		struct finding *c = findings_add(accepted, f->id, f->sev, f->title, f->evidence, f->fix, NULL);
		for (size_t k = 0; k < f->sources.n; k++)
			strlist_add(&c->sources, f->sources.v[k]);
		struct finding gone = fs->v[i];
		memmove(&fs->v[i], &fs->v[i + 1], (fs->n - i - 1) * sizeof(*fs->v));
		fs->n--;
		free(gone.id);
		free(gone.title);
		free(gone.evidence);
		free(gone.fix);
		strlist_free(&gone.sources);
	}
	set_status(dg);
}

void diagnosis_free(struct diagnosis *dg)
{
	device_free(&dg->dev);
	for (size_t i = 0; i < dg->nsettings; i++) {
		free(dg->settings[i].value);
		free(dg->settings[i].source);
	}
	free(dg->settings);
	if (dg->password) {
		memset(dg->password, 0, strlen(dg->password));
		free(dg->password);
	}
	free(dg->to);
	free(dg->command);
	free(dg->test_skipped);
	for (size_t i = 0; i < dg->ncuts; i++) {
		free(dg->cuts[i].phase);
		free(dg->cuts[i].why);
	}
	free(dg->cuts);
	for (size_t i = 0; i < dg->nrejected; i++) {
		free(dg->rejected[i].value);
		free(dg->rejected[i].why);
		free(dg->rejected[i].where);
	}
	free(dg->rejected);
	smtp_result_free(&dg->smtp);
	for (size_t i = 0; i < dg->nevents; i++) {
		kb_explanation_free(&dg->events[i].e);
		free(dg->events[i].reproduced);
		free(dg->events[i].note);
	}
	free(dg->events);
	findings_free(&dg->findings);
	if (dg->have_checklist)
		checklist_free(&dg->checklist);
	memset(dg, 0, sizeof(*dg));
}
