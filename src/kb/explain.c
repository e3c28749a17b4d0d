/* kb/explain.c — classifying pasted text and explaining every item in it; see explain.h.
 * Order of classification (single line): empty -> basic code alone -> enhanced code alone ->
 * six-digit vendor shape -> reply line -> reply text that starts with an enhanced code ->
 * vendor code -> log line with embedded replies -> provider wording without any code.
 * Anything with several lines is read as a transcript or log (explain_scan.c); single items
 * are explained in explain_match.c. */
#include "kb/explain_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/finding.h"
#include "core/smtp_reply.h"
#include "profile/profile.h"
#include "util/text.h"

#define MAX_INPUT (1024 * 1024)


static bool is_basic_alone(const char *t)
{
	return strlen(t) == 3 && isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1]) && isdigit((unsigned char)t[2]);
}

/* N.N.N with 1-3 digits each; *cls = first digit. */
static bool is_enhanced_alone(const char *t, char *cls)
{
	int parts = 0, digits = 0;
	for (const char *p = t;; p++) {
		if (isdigit((unsigned char)*p)) {
			if (++digits > 3)
				return false;
		} else if (*p == '.' || !*p) {
			if (!digits)
				return false;
			parts++;
			digits = 0;
			if (!*p)
				break;
		} else
			return false;
	}
	*cls = t[0];
	return parts == 3 && t[1] == '.';
}

static bool six_digit_shape(const char *t)
{
	size_t n = strlen(t);
	if (n == 6)
		return strspn(t, "0123456789") == 6;
	return n == 7 && strspn(t, "0123456789") == 3 && strchr(" ._-", t[3]) && strspn(t + 4, "0123456789") == 3;
}

static void explain_basic_alone(struct explain_result *res, const struct scan *sc, int code)
{
	struct explain_match *m = explain_add_match(res);
	m->e.kind = xstrdup("basic-code");
	m->e.matched = xstrdup(res->input);
	m->e.stage = STAGE_UNKNOWN;
	int r = kb_explain_basic(code, &m->e);
	if (r != 0)
		m->e.meaning = xstrdup("The knowledge base has no entry for this code; only its class is known.");
	if (!m->e.confidence)
		m->e.confidence = xstrdup("unverified");
	m->failure = explain_is_failure_class(m->e.class_name);
	res->kind = EXPLAIN_IN_BASIC;
	strlist_add(&res->notes, "A basic code alone says little: providers attach their own text and an enhanced code "
				 "(like 5.7.139). Paste the whole reply line for a precise reading.");
	if (sc->vendor) {
		struct kb_vendor_hit hits[EXPLAIN_MAX_HITS];
		char buf[8];
		snprintf(buf, sizeof(buf), "%d", code);
		size_t k = kb_vendor_lookup(buf, sc->vendor, sc->opts->family, hits, EXPLAIN_MAX_HITS, NULL);
		for (size_t i = 0; i < k && i < EXPLAIN_MAX_HITS; i++) {
			explain_add_vendor_match(res, &hits[i], 0);
			strlist_add_owned(&res->notes, xasprintf("%s shows this reply as %s.", hits[i].vendor->name,
								 profile_str(hits[i].entry, "code")));
		}
	}
}

static void explain_enhanced_alone(struct explain_result *res, const struct scan *sc, const char *enh)
{
	struct explain_match *m = explain_add_match(res);
	m->e.kind = xstrdup("enhanced-code");
	m->e.matched = xstrdup(enh);
	m->e.stage = STAGE_UNKNOWN;
	int r = kb_explain_enhanced(enh, &m->e);
	if (!m->e.class_name)
		m->e.class_name = xstrdup(explain_class_of_digit(enh[0]));
	if (r != 0)
		m->e.meaning = xstrdup("Neither the IANA registry nor its subject list has an entry for this code.");
	if (!m->e.confidence)
		m->e.confidence = xstrdup("unverified");
	m->failure = explain_is_failure_class(m->e.class_name);
	explain_collect_provider_uses(enh, m);
	res->kind = EXPLAIN_IN_ENHANCED;
	if (m->provider_uses.n)
		strlist_add_owned(&res->notes, xasprintf("Mail services use %s with their own meaning (%zu known); the "
							 "registry meaning may not apply. Paste the whole reply line to "
							 "tell them apart.", enh, m->provider_uses.n));
	if (sc->vendor) {
		struct kb_vendor_hit hits[EXPLAIN_MAX_HITS];
		size_t k = kb_vendor_lookup_exact(enh, sc->vendor, sc->opts->family, hits, EXPLAIN_MAX_HITS);
		explain_add_vendor_hits(res, hits, k, 0);
	}
}

static void finish(struct explain_result *res)
{
	res->first_failure = -1;
	for (size_t i = 0; i < res->n; i++)
		if (res->v[i].failure) {
			res->first_failure = (long)i;
			break;
		}
	explain_note_claims(res);
}

static int vendor_codes(struct explain_result *res, const struct kb_vendor_hit *hits, size_t k)
{
	res->kind = EXPLAIN_IN_VENDOR_CODE;
	explain_add_vendor_hits(res, hits, k, 0);
	return 0;
}

/* A basic or enhanced code typed alone: explains it (0), or notes an impossible class (-1).
 * Returns 1 when t is neither. */
static int classify_code_alone(struct explain_result *res, struct scan *sc, const char *t)
{
	struct kb_vendor_hit hits[EXPLAIN_MAX_HITS];
	size_t k;
	char cls;
	if (is_basic_alone(t)) {
		if (t[0] >= '2' && t[0] <= '5') {
			explain_basic_alone(res, sc, atoi(t));
			return 0;
		}
		if ((k = kb_vendor_lookup(t, sc->vendor, sc->opts->family, hits, EXPLAIN_MAX_HITS, NULL)) > 0)
			return vendor_codes(res, hits, k);
		explain_note_no_class(res, t[0], false);
		return -1;
	}
	if (is_enhanced_alone(t, &cls)) {
		if (cls == '2' || cls == '4' || cls == '5') {
			explain_enhanced_alone(res, sc, t);
			return 0;
		}
		explain_note_no_class(res, cls, true);
		return -1;
	}
	return 1;
}

static int classify_line(struct explain_result *res, struct scan *sc, const char *t)
{
	struct kb_vendor_hit hits[EXPLAIN_MAX_HITS];
	const struct kb_vendor *named = NULL;
	size_t k;
	int r = classify_code_alone(res, sc, t);
	if (r <= 0)
		return r;
	if (six_digit_shape(t) && (k = kb_vendor_lookup(t, sc->vendor, sc->opts->family, hits, EXPLAIN_MAX_HITS, &named)) > 0)
		return vendor_codes(res, hits, k);
	int code = explain_reply_code_at(t);
	char enh[16];
	if (code && !six_digit_shape(t)) {
		if (t[0] < '2' || t[0] > '5') {
			explain_note_no_class(res, t[0], false);
			return -1;
		}
	} else if (!(smtp_enhanced_at(t, enh) && t[strlen(enh)] == ' ')) {
		if ((k = kb_vendor_lookup(t, sc->vendor, sc->opts->family, hits, EXPLAIN_MAX_HITS, &named)) > 0)
			return vendor_codes(res, hits, k);
		const struct kb_vendor *v = named ? named : sc->vendor;
		if (v)
			strlist_add_owned(&res->notes, xasprintf("%s has no code '%s' in the knowledge base%s.", v->name, t,
								 sc->opts->family ? " for that family" : ""));
		/* a log line with an embedded reply, or provider wording without a code */
		res->kind = EXPLAIN_IN_TRANSCRIPT;
		explain_scan_text(sc, t);
		return res->n ? 0 : -1;
	}
	res->kind = EXPLAIN_IN_REPLY;
	explain_reply_item(res, sc->hint, t, code, STAGE_UNKNOWN, 0, false);
	return 0;
}

static bool only_reply_lines(const char *text)
{
	const char *p = text;
	int finals = 0;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (len) {
			if (finals || len < 3 || !explain_reply_code_at(p))
				return false;
			if (len == 3 || p[3] == ' ')
				finals++;
		}
		p = nl ? nl + 1 : NULL;
	}
	return finals == 1;
}

int explain_text(const char *text, const struct explain_opts *opts, struct explain_result *res)
{
	static const struct explain_opts none = {0};
	struct scan sc = {.res = res, .opts = opts ? opts : &none, .stage = STAGE_UNKNOWN};
	memset(res, 0, sizeof(*res));
	res->first_failure = -1; /* the SMTP knowledge is loaded on first use: a vendor code does not need it */
	char *clean = text_sanitize(text ? text : "", MAX_INPUT, 1);
	text_trim(clean);
	res->input = xstrdup(clean);
	if (sc.opts->vendor)
		sc.vendor = kb_vendor_find(sc.opts->vendor);
	if (sc.opts->service)
		sc.hint = xstrdup(sc.opts->service);
	int rc = -1;
	if (!*clean) {
		strlist_add(&res->notes, "Nothing to explain: give a printer error code (017-715, #818, CE-04), an SMTP "
					 "reply line (535 5.7.8 ...), a code (5.7.139, 535) or paste a transcript or log.");
	} else if (strchr(clean, '\n')) {
		bool single = only_reply_lines(clean);
		res->kind = single ? EXPLAIN_IN_REPLY : EXPLAIN_IN_TRANSCRIPT;
		explain_scan_text(&sc, clean);
		rc = res->n ? 0 : -1;
	} else {
		rc = classify_line(res, &sc, clean);
	}
	if (rc != 0 || !res->n) {
		res->kind = EXPLAIN_IN_NONE;
		if (*clean && !res->notes.n)
			strlist_add(&res->notes, "Nothing recognised: this is not a known printer error code, not an SMTP reply "
						 "(3 digits, 2xx-5xx, then text), not an enhanced status code (like 5.7.8) and "
						 "no reply was found in it as a transcript or log. Check the spelling, or add "
						 "--vendor.");
	}
	if (res->kind == EXPLAIN_IN_TRANSCRIPT && res->n) {
		size_t fails = 0;
		for (size_t i = 0; i < res->n; i++)
			fails += res->v[i].failure;
		strlist_add_owned(&res->notes, xasprintf("Read as a transcript or log: %zu item%s explained in order, %zu "
							 "failure%s.", res->n, res->n == 1 ? "" : "s", fails,
							 fails == 1 ? "" : "s"));
	}
	finish(res);
	free(clean);
	free(sc.hint);
	buf_free(&sc.pending);
	return res->n ? MFP_EXIT_OK : MFP_EXIT_UNKNOWN;
}
