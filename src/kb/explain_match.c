/* kb/explain_match.c — one explained item of `explain`: result memory, a reply explained
 * from the knowledge base (provider patterns in context, then the registries), a vendor code
 * with the confidence of each claim, and the other providers that use the same wording or
 * code. See explain.h and explain_internal.h. */
#include "kb/explain_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/smtp_reply.h"
#include "kb/kb_internal.h"
#include "profile/profile.h"
#include "util/text.h"

#define MAX_ALSO 6

struct explain_match *explain_add_match(struct explain_result *res)
{
	if (res->n == res->cap) {
		res->cap = res->cap ? res->cap * 2 : 8;
		res->v = xrealloc(res->v, res->cap * sizeof(*res->v));
	}
	struct explain_match *m = &res->v[res->n++];
	memset(m, 0, sizeof(*m));
	m->observed = STAGE_UNKNOWN;
	m->e.stage = m->e.stage_guess = STAGE_UNKNOWN;
	return m;
}

static void match_free(struct explain_match *m)
{
	kb_explanation_free(&m->e);
	free(m->code);
	free(m->reveal);
	free(m->shown_as);
	strlist_free(&m->fixes);
	strlist_free(&m->families);
	strlist_free(&m->replies);
	strlist_free(&m->reply_notes);
	kb_observations_free(&m->seen_here);
	strlist_free(&m->also);
	strlist_free(&m->provider_uses);
}

void explain_result_free(struct explain_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		match_free(&res->v[i]);
	free(res->v);
	free(res->input);
	strlist_free(&res->notes);
	memset(res, 0, sizeof(*res));
}

const char *explain_input_name(enum explain_input k)
{
	static const char *const names[] = {"none", "vendor-code", "smtp-reply", "enhanced-code", "basic-code", "transcript"};
	return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "none";
}

bool explain_is_failure_class(const char *cls)
{
	return cls && (strcmp(cls, "transient") == 0 || strcmp(cls, "permanent") == 0);
}

const char *explain_class_of_digit(char c)
{
	return c == '2' ? "positive-completion" : c == '3' ? "positive-intermediate" : c == '4' ? "transient" : "permanent";
}

void explain_note_no_class(struct explain_result *res, char digit, bool enhanced)
{
	if (enhanced)
		strlist_add_owned(&res->notes, xasprintf("Enhanced status codes have only the classes 2 (success), 4 (temporary) "
							 "and 5 (permanent) (RFC 3463): there is no class %c, so this is not "
							 "an enhanced status code.", digit));
	else if (digit == '1')
		strlist_add(&res->notes, "SMTP does not use 1xx replies: RFC 5321 defines the first digit 1 but no SMTP "
					 "command ever gets one. Codes start with 2, 3, 4 or 5.");
	else
		strlist_add_owned(&res->notes, xasprintf("SMTP has no %cxx class: reply codes start with 2 (done), 3 (go on), "
							 "4 (temporary failure) or 5 (permanent failure) (RFC 5321 §4.2.1). "
							 "Some guides list %cxx codes, but no standard defines them.", digit, digit));
}

/* --- provider alternates ------------------------------------------------------------------ */

static const char *service_name_of(const struct kb_service *s)
{
	return s->name ? s->name : s->id ? s->id : "?";
}

/* Other services whose pattern also matches the reply, with their meaning. */
static void collect_also(const char *reply, int code, struct explain_match *m)
{
	kb_load(NULL);
	const struct kb_state *kb = kb_state();
	for (size_t i = 0; i < kb->nservices && m->also.n < MAX_ALSO; i++) {
		const struct kb_service *s = &kb->services[i];
		if (m->e.provider && strcmp(m->e.provider, service_name_of(s)) == 0)
			continue;
		for (size_t k = 0; k < s->npatterns; k++) {
			const struct kb_pattern *p = &s->patterns[k];
			if ((p->code && code && p->code != code) || !kb_pattern_matches(p, reply))
				continue;
			strlist_add_owned(&m->also, xasprintf("%s (stage %s): %s", service_name_of(s),
							      profile_str(p->json, "stage") ? profile_str(p->json, "stage") : "unknown",
							      profile_str(p->json, "meaning") ? profile_str(p->json, "meaning") : ""));
			break;
		}
	}
}

/* Providers that use an enhanced code (enh != NULL) with their own meaning. */
void explain_collect_provider_uses(const char *enh, struct explain_match *m)
{
	kb_load(NULL);
	const struct kb_state *kb = kb_state();
	for (size_t i = 0; i < kb->nservices; i++) {
		const struct kb_service *s = &kb->services[i];
		for (size_t k = 0; k < s->npatterns; k++) {
			const json_t *p = s->patterns[k].json;
			const char *pe = profile_str(p, "enhanced");
			if (!pe || strcmp(pe, enh) != 0)
				continue;
			const char *ex = profile_str(p, "example");
			strlist_add_owned(&m->provider_uses, xasprintf("%s — \"%s\": %s", service_name_of(s), ex ? ex : pe,
								       profile_str(p, "meaning") ? profile_str(p, "meaning") : ""));
		}
	}
}

/* The provider pattern with this id, or NULL. */
static const json_t *pattern_by_id(const char *id)
{
	kb_load(NULL);
	const struct kb_state *kb = kb_state();
	for (size_t i = 0; id && i < kb->nservices; i++)
		for (size_t k = 0; k < kb->services[i].npatterns; k++) {
			const char *pid = profile_str(kb->services[i].patterns[k].json, "id");
			if (pid && strcmp(pid, id) == 0)
				return kb->services[i].patterns[k].json;
		}
	return NULL;
}

/* --- single items --------------------------------------------------------------------------- */

/* Explains one joined reply (code may be 0 when the text starts with an enhanced code or has
 * none). require_provider: only keep it when a provider pattern matched (free text). */
struct explain_match *explain_reply_item(struct explain_result *res, const char *hint, const char *joined, int code,
					   enum stage observed, int line, bool require_provider)
{
	char enh[16] = "";
	const char *p = joined;
	if (code) {
		p += 3;
		while (*p == ' ' || *p == '-')
			p++;
	}
	smtp_enhanced_at(p, enh);
	if (code && enh[0] && enh[0] != joined[0])
		enh[0] = '\0'; /* 550 4.7.1: the enhanced class must agree; ignore a mismatched one */
	struct kb_explanation e;
	int r = kb_explain_reply(joined, code, enh[0] ? enh : NULL, hint, &e);
	if (require_provider && !e.provider) {
		kb_explanation_free(&e);
		return NULL;
	}
	struct explain_match *m = explain_add_match(res);
	m->e = e;
	m->line = line;
	m->observed = observed;
	if (!code && enh[0]) {
		free(m->e.class_name);
		m->e.class_name = xstrdup(explain_class_of_digit(enh[0]));
	} else if (!code && !enh[0]) {
		free(m->e.class_name);
		const char *c = profile_str(pattern_by_id(m->e.title), "class");
		m->e.class_name = c ? xstrdup(c) : NULL;
	}
	if (!m->e.provider && observed != STAGE_UNKNOWN && observed != STAGE_LAST) {
		m->e.stage = observed; /* seen in the transcript: the command it answered */
		free(m->e.stage_confidence);
		m->e.stage_confidence = xstrdup("sourced");
	}
	if (r != 0 && !m->e.meaning)
		m->e.meaning = xstrdup("The knowledge base has no entry for this code; only its class is known.");
	if (!m->e.confidence)
		m->e.confidence = xstrdup(r == 0 ? "inferred" : "unverified");
	m->failure = explain_is_failure_class(m->e.class_name) || (!m->e.class_name && m->e.provider);
	collect_also(joined, code, m);
	return m;
}

/* Our one-line reading of a typical reply ("535 5.7.8": the registry meaning), or "". */
static char *reply_note(const char *rep)
{
	char *note = NULL;
	if (explain_reply_code_at(rep) && rep[0] >= '2' && rep[0] <= '5') {
		struct kb_explanation x;
		char enh[16] = "";
		const char *t = rep + 3;
		while (*t == ' ' || *t == '-')
			t++;
		smtp_enhanced_at(t, enh);
		if (kb_explain_reply(rep, atoi(rep), enh[0] ? enh : NULL, NULL, &x) == 0 && x.meaning)
			note = x.provider ? xasprintf("%s (%s)", x.meaning, x.provider) : xstrdup(x.meaning);
		kb_explanation_free(&x);
	}
	return note ? note : xstrdup("");
}

static void vendor_families(struct explain_match *m, const struct kb_vendor_hit *h)
{
	size_t i;
	const json_t *f;
	json_array_foreach(json_object_get(h->entry, "families"), i, f) {
		if (!json_is_string(f))
			continue;
		const char *fid = json_string_value(f);
		const json_t *fam = strcmp(fid, "*") == 0 ? NULL : kb_vendor_family(h->vendor, fid);
		strlist_add(&m->families, strcmp(fid, "*") == 0 ? "all" : profile_str(fam, "name") ? profile_str(fam, "name") : fid);
	}
}

void explain_add_vendor_match(struct explain_result *res, const struct kb_vendor_hit *h, int line)
{
	struct explain_match *m = explain_add_match(res);
	kb_vendor_explain(h, &m->e); /* per-claim confidence; class and stage only when not unverified */
	m->line = line;
	const json_t *e = h->entry;
	m->failure = !json_is_false(json_object_get(e, "failure")); /* "Sending OK", "busy" are not failures */
	m->code = xstrdup(profile_str(e, "code"));
	m->reveal = xstrdup(profile_str(e, "reveal"));
	m->shown_as = xstrdup(profile_str(e, "shown_as"));
	profile_strings(e, "fixes", &m->fixes);
	vendor_families(m, h);
	kb_observed_for_code(h->vendor->id, m->code, &m->seen_here);
	size_t i;
	const json_t *f;
	json_array_foreach(json_object_get(e, "replies"), i, f) {
		if (!json_is_string(f))
			continue;
		strlist_add(&m->replies, json_string_value(f));
		strlist_add_owned(&m->reply_notes, reply_note(json_string_value(f)));
	}
	if (h->part[0]) {
		const json_t *split = json_object_get(json_object_get(h->vendor->json, "code_syntax"), "split16");
		const char *what = profile_str(split, h->part);
		strlist_add_owned(&res->notes, xasprintf("%s %s: read from the %s byte of %s%s%s%s.", h->vendor->name, m->code,
							 h->part, h->whole, what ? " (" : "", what ? what : "", what ? ")" : ""));
	}
}

void explain_add_vendor_hits(struct explain_result *res, const struct kb_vendor_hit *hits, size_t n, int line)
{
	for (size_t i = 0; i < n && i < EXPLAIN_MAX_HITS; i++)
		explain_add_vendor_match(res, &hits[i], line);
	if (n > 1 && !hits[0].part[0]) { /* the two bytes of one value both apply: not ambiguous */
		res->ambiguous = true;
		struct buf b = {0};
		for (size_t i = 0; i < n && i < EXPLAIN_MAX_HITS; i++)
			buf_printf(&b, "%s%s %s", i ? ", " : "", hits[i].vendor->name, profile_str(hits[i].entry, "code"));
		strlist_add_owned(&res->notes, xasprintf("Ambiguous: %zu candidates (%s). Narrow it down with --vendor "
							 "(and --family).", n, buf_str(&b)));
		buf_free(&b);
	}
}

/* The notes for one vendor match: what is not confirmed, claim by claim. */
static void note_claims_of(struct explain_result *res, const struct explain_match *m)
{
	const struct kb_explanation *e = &m->e;
	bool stage_guess = e->stage_confidence && strcmp(e->stage_confidence, "unverified") == 0;
	bool reply_guess = e->reply_confidence && strcmp(e->reply_confidence, "unverified") == 0;
	if (strcmp(e->confidence, "unverified") == 0) {
		strlist_add_owned(&res->notes, xasprintf("%s %s: the meaning is NOT confirmed by any source we could read%s. "
							 "Treat it as a hint and run the test below before telling anyone "
							 "the cause.", e->vendor, m->code,
							 stage_guess || reply_guess ? ", nor are its stage and typical replies "
										      "(shown as guesses; no SMTP class is given)" : ""));
		return;
	}
	if (strcmp(e->confidence, "inferred") == 0)
		strlist_add_owned(&res->notes, xasprintf("%s %s: the meaning is derived from a documented rule, not "
							 "seen for this code itself.", e->vendor, m->code));
	if (stage_guess)
		strlist_add_owned(&res->notes, xasprintf("%s %s: the stage (%s) is an unverified guess, so it is not given "
							 "as the stage.", e->vendor, m->code, stage_name(e->stage_guess)));
	if (reply_guess)
		strlist_add_owned(&res->notes, xasprintf("%s %s: the typical replies are an unverified guess, so no SMTP "
							 "class is given.", e->vendor, m->code));
}

void explain_note_claims(struct explain_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		if (strcmp(res->v[i].e.kind, "vendor-code") == 0 && res->v[i].e.confidence)
			note_claims_of(res, &res->v[i]);
}
