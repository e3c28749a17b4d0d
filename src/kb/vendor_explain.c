/* kb/vendor_explain.c — turning a vendor error-code entry into an explanation with the
 * confidence of each claim (meaning, stage, replies) kept apart; see vendor.h and
 * docs/profiles-vendor.md. A claim the data cannot back is never given as fact: an unverified
 * stage leaves `stage` unknown (the guess goes to `stage_guess`), unverified replies give no
 * SMTP class. Missing or invalid confidence values count as unverified. */
#include "kb/vendor.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "profile/profile.h"

static int rank(const char *c)
{
	if (!c)
		return -1;
	if (strcmp(c, "sourced") == 0)
		return 2;
	if (strcmp(c, "inferred") == 0)
		return 1;
	return strcmp(c, "unverified") == 0 ? 0 : -1;
}

const char *kb_vendor_claim(const json_t *entry, const char *claim)
{
	static const char *const names[] = {"unverified", "inferred", "sourced"};
	int meaning = rank(profile_str(entry, "confidence"));
	if (meaning < 0)
		meaning = 0;
	if (strcmp(claim, "meaning") == 0)
		return names[meaning];
	char key[40];
	snprintf(key, sizeof(key), "%s_confidence", claim);
	int r = rank(profile_str(entry, key));
	if (r < 0)
		r = 0; /* a claim without a valid level is a guess */
	return names[r < meaning ? r : meaning];
}

/* The SMTP class of the first reply that looks like one ("535 5.7.8"), or NULL. */
static const char *class_of_replies(const json_t *entry)
{
	const char *rep = json_string_value(json_array_get(json_object_get(entry, "replies"), 0));
	if (!rep || rep[0] < '2' || rep[0] > '5' || !isdigit((unsigned char)rep[1]) || !isdigit((unsigned char)rep[2]))
		return NULL;
	static const char *const cls[] = {"positive-completion", "positive-intermediate", "transient", "permanent"};
	return cls[rep[0] - '2'];
}

static void claims(const json_t *e, struct kb_explanation *out)
{
	const char *st = profile_str(e, "stage");
	enum stage s = stage_parse(st);
	if (s == STAGE_LAST)
		s = STAGE_UNKNOWN;
	const char *sc = kb_vendor_claim(e, "stage");
	out->stage = out->stage_guess = STAGE_UNKNOWN;
	if (s != STAGE_UNKNOWN) {
		out->stage_confidence = xstrdup(sc);
		if (strcmp(sc, "unverified") == 0)
			out->stage_guess = s;
		else
			out->stage = s;
	}
	if (json_array_size(json_object_get(e, "replies"))) {
		const char *rc = kb_vendor_claim(e, "reply");
		out->reply_confidence = xstrdup(rc);
		const char *cls = class_of_replies(e);
		if (cls && strcmp(rc, "unverified") != 0)
			out->class_name = xstrdup(cls);
	}
}

void kb_vendor_explain(const struct kb_vendor_hit *hit, struct kb_explanation *out)
{
	const json_t *e = hit->entry;
	memset(out, 0, sizeof(*out));
	out->kind = xstrdup("vendor-code");
	out->vendor = xstrdup(hit->vendor->name);
	out->matched = xstrdup(profile_str(e, "code"));
	out->title = xstrdup(profile_str(e, "shown_as"));
	out->category = xstrdup(profile_str(e, "category"));
	out->meaning = xstrdup(profile_str(e, "meaning"));
	struct buf fix = {0};
	size_t i;
	const json_t *f;
	json_array_foreach(json_object_get(e, "fixes"), i, f)
		if (json_is_string(f))
			buf_printf(&fix, "%s%s", fix.len ? "; " : "", json_string_value(f));
	out->fix = fix.len ? buf_steal(&fix) : NULL;
	buf_free(&fix);
	profile_strings(e, "sources", &out->sources);
	out->confidence = xstrdup(kb_vendor_claim(e, "meaning"));
	claims(e, out);
}
