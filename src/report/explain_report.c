/* report/explain_report.c — text, Markdown and JSON for `explain`; see explain_report.h. Every
 * string that came from the input or a profile goes through json_text / text_sanitize /
 * text_md_escape before it is written. */
#include "report/explain_report.h"

#include <stdlib.h>
#include <string.h>

#include "report/smtp_report.h"
#include "util/text.h"

const char *explain_stage_words(enum stage s)
{
	switch (s) {
	case STAGE_CONNECT: return "connecting to the server";
	case STAGE_BANNER: return "the server's greeting";
	case STAGE_EHLO: return "EHLO (the device introduces itself)";
	case STAGE_STARTTLS: return "STARTTLS (switching to encryption)";
	case STAGE_TLS_HANDSHAKE: return "the TLS handshake (encryption)";
	case STAGE_EHLO_AFTER_TLS: return "EHLO after encryption started";
	case STAGE_AUTH: return "login (AUTH)";
	case STAGE_MAIL_FROM: return "sender address (MAIL FROM)";
	case STAGE_RCPT_TO: return "recipient address (RCPT TO)";
	case STAGE_DATA: return "starting the message (DATA)";
	case STAGE_END_OF_DATA: return "after the message was sent (end of DATA)";
	case STAGE_QUIT: return "closing the session (QUIT)";
	case STAGE_DNS: return "looking up the server name (DNS)";
	case STAGE_NDR: return "a bounce message after the server accepted the mail";
	case STAGE_DEVICE: return "inside the printer, before any SMTP traffic";
	case STAGE_UNKNOWN:
	case STAGE_LAST: break;
	}
	return "not known";
}

const char *explain_class_words(const char *cls)
{
	if (!cls)
		return "not an SMTP reply";
	if (strcmp(cls, "positive-completion") == 0)
		return "success (2xx)";
	if (strcmp(cls, "positive-intermediate") == 0)
		return "so far so good (3xx): the server waits for more";
	if (strcmp(cls, "transient") == 0)
		return "temporary failure (4xx): may work later, but a scanner rarely retries";
	if (strcmp(cls, "permanent") == 0)
		return "permanent failure (5xx): fails every time until something is changed";
	return "not a valid SMTP class";
}

const char *explain_confidence_words(const char *c)
{
	if (!c)
		return "unknown";
	if (strcmp(c, "sourced") == 0)
		return "documented: a source we read says so";
	if (strcmp(c, "inferred") == 0)
		return "likely: derived from a documented rule, not seen for this exact case";
	return "NOT confirmed: no source we could read says so; treat it as a hint";
}

/* Short words for the confidence of one claim (stage, replies). */
static const char *claim_words(const char *c)
{
	if (!c)
		return NULL;
	if (strcmp(c, "sourced") == 0)
		return "documented (a source we read says so)";
	if (strcmp(c, "inferred") == 0)
		return "likely (derived from a documented rule)";
	return "unverified guess (no source we could read says so)";
}

/* The stage in words; an unverified stage is shown as a guess, never as the stage. */
static char *stage_text(const struct kb_explanation *e)
{
	if (e->stage == STAGE_UNKNOWN && e->stage_guess != STAGE_UNKNOWN && e->stage_guess != STAGE_LAST)
		return xasprintf("not known (unverified guess: %s)", explain_stage_words(e->stage_guess));
	return xstrdup(explain_stage_words(e->stage));
}

char *explain_claims_brief(const struct kb_explanation *e)
{
	struct buf b = {0};
	bool guess = e->stage == STAGE_UNKNOWN && e->stage_guess != STAGE_UNKNOWN && e->stage_guess != STAGE_LAST;
	if (guess)
		buf_printf(&b, "stage not confirmed (unverified guess: %s)", explain_stage_words(e->stage_guess));
	else if (e->stage == STAGE_UNKNOWN)
		buf_puts(&b, "stage not known");
	else
		buf_printf(&b, "stage %s%s%s", explain_stage_words(e->stage), e->stage_confidence ? ", " : "",
			   e->stage_confidence ? e->stage_confidence : "");
	buf_printf(&b, " · meaning %s", e->confidence ? e->confidence : "unverified");
	if (e->reply_confidence)
		buf_printf(&b, " · replies %s", e->reply_confidence);
	return buf_steal(&b);
}

/* "How sure" lines: the meaning, then the stage and the replies when they are claimed. */
static void claim_lines(const struct kb_explanation *e, struct strlist *out)
{
	strlist_add_owned(out, xasprintf("meaning: %s", explain_confidence_words(e->confidence)));
	if (e->stage_confidence && (e->stage != STAGE_UNKNOWN || e->stage_guess != STAGE_UNKNOWN))
		strlist_add_owned(out, xasprintf("stage: %s", claim_words(e->stage_confidence)));
	if (e->reply_confidence)
		strlist_add_owned(out, xasprintf("typical replies%s: %s", e->vendor ? " and class" : "",
						 claim_words(e->reply_confidence)));
}

/* The "Result:" value: the class, hedged when it rests on inferred replies; NULL for none. */
static char *result_text(const struct kb_explanation *e)
{
	if (e->class_name && e->reply_confidence && strcmp(e->reply_confidence, "inferred") == 0)
		return xasprintf("%s (likely: derived from the typical replies)", explain_class_words(e->class_name));
	if (e->class_name || !e->vendor)
		return xstrdup(explain_class_words(e->class_name));
	if (e->reply_confidence && strcmp(e->reply_confidence, "unverified") == 0)
		return xstrdup("not given: the typical replies are an unverified guess");
	return NULL;
}

static const char *replies_label(const struct kb_explanation *e)
{
	if (e->reply_confidence && strcmp(e->reply_confidence, "unverified") == 0)
		return "Typical replies (unverified guess):";
	if (e->reply_confidence && strcmp(e->reply_confidence, "inferred") == 0)
		return "Typical replies (likely):";
	return "Typical replies:";
}

static char *provider_text(const struct kb_explanation *e, bool long_form)
{
	const char *basis = !e->provider_basis ? "" : strcmp(e->provider_basis, "service") == 0 ? "; the service was recognised"
						  : strcmp(e->provider_basis, "reply text") == 0 ? "; the reply text names the service"
						  : "; this wording is the provider's own";
	return xasprintf("%s's own wording (pattern %s%s)%s", e->provider, e->title ? e->title : "?", basis,
			 long_form ? ", checked before the generic meaning" : "");
}

/* --- JSON --------------------------------------------------------------------------------- */

static json_t *list_json(const struct strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_text(l->v[i]));
	return a;
}

/* "535 5.7.139 ... at AUTH, 2026-12-02, WorkCentre 7845 (local observation, not a published source)" */
static char *seen_text(const struct kb_observation *o)
{
	char times[40] = "";
	if (o->count > 1)
		snprintf(times, sizeof(times), "seen %ld times; ", o->count);
	return xasprintf("%s at %s, %s%s%s (%slocal observation, not a published source)", o->reply, o->stage, o->date,
			 o->model ? ", " : "", o->model ? o->model : "", times);
}

static json_t *seen_json(const struct kb_observations *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->n; i++) {
		const struct kb_observation *o = &s->v[i];
		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:o, s:I, s:s}", "reply", json_text(o->reply), "stage",
						   json_text(o->stage), "date", json_text(o->date), "model",
						   o->model ? json_text(o->model) : json_null(), "count", (json_int_t)o->count,
						   "source", "local observation"));
	}
	return a;
}

static json_t *match_json(const struct explain_match *m)
{
	const struct kb_explanation *e = &m->e;
	json_t *j = json_object();
	json_object_set_new(j, "kind", json_text(e->kind));
	json_object_set_new(j, "matched", json_text(e->matched));
	if (e->code)
		json_object_set_new(j, "code", json_integer(e->code));
	if (e->enhanced[0])
		json_object_set_new(j, "enhanced", json_string(e->enhanced));
	json_object_set_new(j, "class", e->class_name ? json_text(e->class_name) : json_null());
	json_object_set_new(j, "stage", json_string(stage_name(e->stage)));
	json_object_set_new(j, "category", e->category ? json_text(e->category) : json_null());
	json_object_set_new(j, "title", e->title ? json_text(e->title) : json_null());
	json_object_set_new(j, "meaning", e->meaning ? json_text(e->meaning) : json_null());
	json_object_set_new(j, "fix", e->fix ? json_text(e->fix) : json_null());
	if (e->provider)
		json_object_set_new(j, "provider", json_text(e->provider));
	if (e->vendor)
		json_object_set_new(j, "vendor", json_text(e->vendor));
	json_object_set_new(j, "sources", list_json(&e->sources));
	json_object_set_new(j, "confidence", e->confidence ? json_text(e->confidence) : json_null());
	json_object_set_new(j, "meaning_confidence", e->confidence ? json_text(e->confidence) : json_null());
	json_object_set_new(j, "stage_confidence", e->stage_confidence ? json_text(e->stage_confidence) : json_null());
	json_object_set_new(j, "reply_confidence", e->reply_confidence ? json_text(e->reply_confidence) : json_null());
	if (e->stage_guess != STAGE_UNKNOWN && e->stage_guess != STAGE_LAST && e->stage == STAGE_UNKNOWN)
		json_object_set_new(j, "stage_guess", json_string(stage_name(e->stage_guess)));
	if (e->provider_basis)
		json_object_set_new(j, "provider_basis", json_text(e->provider_basis));
	json_object_set_new(j, "failure", json_boolean(m->failure));
	if (m->line)
		json_object_set_new(j, "line", json_integer(m->line));
	if (m->observed != STAGE_UNKNOWN)
		json_object_set_new(j, "observed_stage", json_string(stage_name(m->observed)));
	if (e->vendor) {
		json_object_set_new(j, "vendor_code", json_text(m->code));
		json_object_set_new(j, "shown_as", m->shown_as ? json_text(m->shown_as) : json_null());
		json_object_set_new(j, "fixes", list_json(&m->fixes));
		json_object_set_new(j, "families", list_json(&m->families));
		json_t *reps = json_array();
		for (size_t i = 0; i < m->replies.n; i++)
			json_array_append_new(reps, json_pack("{s:o, s:o, s:o}", "reply", json_text(m->replies.v[i]), "meaning",
							      i < m->reply_notes.n && *m->reply_notes.v[i]
								      ? json_text(m->reply_notes.v[i]) : json_null(),
							      "confidence", e->reply_confidence ? json_text(e->reply_confidence)
												: json_null()));
		json_object_set_new(j, "replies", reps);
		json_object_set_new(j, "reveal", m->reveal ? json_text(m->reveal) : json_null());
		json_object_set_new(j, "observed", seen_json(&m->seen_here));
	}
	if (m->also.n)
		json_object_set_new(j, "also_matches", list_json(&m->also));
	if (m->provider_uses.n)
		json_object_set_new(j, "provider_uses", list_json(&m->provider_uses));
	return j;
}

json_t *explain_report_json(const struct explain_result *r)
{
	json_t *matches = json_array();
	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(matches, match_json(&r->v[i]));
	json_t *ff = json_null();
	if (r->first_failure >= 0) {
		const struct explain_match *m = &r->v[r->first_failure];
		ff = json_pack("{s:I, s:o, s:s, s:o}", "index", (json_int_t)r->first_failure, "matched", json_text(m->e.matched),
			       "stage", stage_name(m->e.stage), "meaning", m->e.meaning ? json_text(m->e.meaning) : json_null());
		if (m->line)
			json_object_set_new(ff, "line", json_integer(m->line));
	}
	return json_pack("{s:o, s:s, s:o, s:o, s:b, s:o}", "input", json_text(r->input), "input_kind",
			 explain_input_name(r->kind), "matches", matches, "first_failure", ff, "ambiguous", r->ambiguous,
			 "notes", list_json(&r->notes));
}

/* --- text --------------------------------------------------------------------------------- */

struct style {
	const char *bold, *red, *green, *yellow, *off;
};

static void field(FILE *out, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	char *v = text_sanitize(value, 4000, 0);
	fprintf(out, "  %-16s %s\n", label, v);
	free(v);
}

static const char *headline_of(const struct explain_match *m, char *buf, size_t n)
{
	const struct kb_explanation *e = &m->e;
	if (e->vendor)
		snprintf(buf, n, "%s error code %s", e->vendor, m->code ? m->code : "?");
	else if (strcmp(e->kind, "enhanced-code") == 0)
		snprintf(buf, n, "Enhanced status code %s", e->matched ? e->matched : "");
	else if (strcmp(e->kind, "basic-code") == 0)
		snprintf(buf, n, "SMTP reply code %d", e->code);
	else
		snprintf(buf, n, "SMTP reply: %.300s", e->matched ? e->matched : "");
	return buf;
}

static void text_list(FILE *out, const char *label, const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		field(out, i ? "" : label, l->v[i]);
}

/* Result, provider, meaning and stage. */
static void text_what(FILE *out, const struct explain_match *m)
{
	const struct kb_explanation *e = &m->e;
	char *res = result_text(e);
	field(out, "Result:", res);
	free(res);
	if (e->provider) {
		char *p = provider_text(e, true);
		field(out, "Recognised as:", p);
		free(p);
	} else if (e->title && !e->vendor)
		field(out, "Registry name:", e->title);
	if (m->shown_as)
		field(out, "Shown as:", m->shown_as);
	field(out, "What it means:", e->meaning);
	char *st = stage_text(e);
	char *stage = xasprintf("%s%s%s", st, e->category ? "; kind of problem: " : "", e->category ? e->category : "");
	field(out, "When:", stage);
	free(stage);
	free(st);
}

/* How sure each claim is, and the test that settles what is not sourced. */
static void text_sure(FILE *out, const struct explain_match *m, const struct style *st)
{
	const struct kb_explanation *e = &m->e;
	struct strlist lines = {0};
	claim_lines(e, &lines);
	bool unsure = e->confidence && strcmp(e->confidence, "sourced") != 0;
	for (size_t i = 0; i < lines.n; i++) {
		char *v = text_sanitize(lines.v[i], 400, 0);
		bool weak = strstr(v, "sourced") == NULL && strstr(v, "documented") == NULL;
		fprintf(out, "  %-16s %s%s%s\n", i ? "" : "How sure:", weak ? st->yellow : "", v, weak ? st->off : "");
		unsure |= weak;
		free(v);
	}
	strlist_free(&lines);
	if (m->reveal && unsure)
		field(out, "To find out:", m->reveal);
}

static void text_match(FILE *out, const struct explain_result *r, size_t idx, const struct style *st)
{
	const struct explain_match *m = &r->v[idx];
	const struct kb_explanation *e = &m->e;
	char head[400];
	char *h = text_sanitize(headline_of(m, head, sizeof(head)), 400, 0);
	fprintf(out, "%s%s[%zu]%s %s%s%s", st->bold, m->failure ? st->red : st->green, idx + 1, st->off, st->bold, h, st->off);
	if (m->line)
		fprintf(out, "  (line %d)", m->line);
	fputc('\n', out);
	free(h);
	text_what(out, m);
	if (m->fixes.n) {
		fprintf(out, "  %-16s\n", "What to change:");
		for (size_t i = 0; i < m->fixes.n; i++) {
			char *f = text_sanitize(m->fixes.v[i], 2000, 0);
			fprintf(out, "    %zu. %s\n", i + 1, f);
			free(f);
		}
	} else
		field(out, "What to change:", e->fix);
	text_sure(out, m, st);
	for (size_t i = 0; i < m->replies.n; i++) {
		char *line = xasprintf("%s%s%s", m->replies.v[i], i < m->reply_notes.n && *m->reply_notes.v[i] ? " — " : "",
				       i < m->reply_notes.n ? m->reply_notes.v[i] : "");
		field(out, i ? "" : replies_label(e), line);
		free(line);
	}
	if (m->families.n) {
		struct buf b = {0};
		for (size_t i = 0; i < m->families.n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", m->families.v[i]);
		field(out, "Model families:", buf_str(&b));
		buf_free(&b);
	}
	for (size_t i = 0; i < m->seen_here.n; i++) {
		char *t = seen_text(&m->seen_here.v[i]);
		field(out, i ? "" : "Seen here:", t);
		free(t);
	}
	text_list(out, "Provider uses:", &m->provider_uses);
	text_list(out, "If the server is:", &m->also);
	text_list(out, "Sources:", &e->sources);
	if (!e->sources.n)
		field(out, "Sources:", "none");
	fputc('\n', out);
}

void explain_report_text(FILE *out, const struct explain_result *r, bool colour)
{
	struct style st = colour ? (struct style){"\033[1m", "\033[31m", "\033[32m", "\033[33m", "\033[0m"}
				 : (struct style){"", "", "", "", ""};
	for (size_t i = 0; i < r->n; i++)
		text_match(out, r, i, &st);
	if (r->first_failure >= 0 && (r->kind == EXPLAIN_IN_TRANSCRIPT || r->n > 1)) {
		const struct explain_match *m = &r->v[r->first_failure];
		char head[400];
		char *h = text_sanitize(headline_of(m, head, sizeof(head)), 400, 0);
		char *stg = stage_text(&m->e);
		fprintf(out, "%sFirst failure:%s [%ld] %s, at %s.\n", st.bold, st.off, r->first_failure + 1, h, stg);
		free(stg);
		free(h);
	} else if (r->kind == EXPLAIN_IN_TRANSCRIPT && r->n)
		fprintf(out, "%sNo failure%s among the replies found.\n", st.bold, st.off);
	for (size_t i = 0; i < r->notes.n; i++) {
		char *n = text_sanitize(r->notes.v[i], 2000, 0);
		fprintf(out, "Note: %s\n", n);
		free(n);
	}
}

/* --- Markdown ----------------------------------------------------------------------------- */

static void md_field(struct buf *b, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	buf_printf(b, "- **%s** ", label);
	text_md_escape(b, value);
	buf_putc(b, '\n');
}

static void md_list(struct buf *b, const char *label, const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			buf_puts(b, "  - ");
		else
			buf_printf(b, "- **%s**\n  - ", label);
		text_md_escape(b, l->v[i]);
		buf_putc(b, '\n');
	}
}

static void md_what(struct buf *b, const struct explain_match *m)
{
	const struct kb_explanation *e = &m->e;
	char *res = result_text(e);
	md_field(b, "Result:", res);
	free(res);
	if (e->provider) {
		char *p = provider_text(e, false);
		md_field(b, "Recognised as:", p);
		free(p);
	}
	md_field(b, "Shown as:", m->shown_as);
	md_field(b, "What it means:", e->meaning);
	char *st = stage_text(e);
	char *stage = xasprintf("%s%s%s", st, e->category ? "; kind of problem: " : "", e->category ? e->category : "");
	md_field(b, "When:", stage);
	free(stage);
	free(st);
}

static void md_sure(struct buf *b, const struct explain_match *m)
{
	const struct kb_explanation *e = &m->e;
	struct strlist lines = {0};
	claim_lines(e, &lines);
	md_list(b, "How sure:", &lines);
	bool unsure = false;
	for (size_t i = 0; i < lines.n; i++)
		unsure |= strstr(lines.v[i], "documented") == NULL;
	strlist_free(&lines);
	if (m->reveal && unsure) {
		char *rv = text_sanitize(m->reveal, 2000, 0);
		buf_puts(b, "- **To find out:**\n\n  ```\n  ");
		for (const char *p = rv; *p; p++)
			buf_putc(b, *p == '`' ? '\'' : *p);
		buf_puts(b, "\n  ```\n");
		free(rv);
	}
}

static void md_match(struct buf *b, const struct explain_result *r, size_t idx)
{
	const struct explain_match *m = &r->v[idx];
	const struct kb_explanation *e = &m->e;
	char head[400];
	buf_printf(b, "### %zu. ", idx + 1);
	text_md_escape(b, headline_of(m, head, sizeof(head)));
	if (m->line)
		buf_printf(b, " (line %d)", m->line);
	buf_puts(b, "\n\n");
	md_what(b, m);
	if (m->fixes.n) {
		buf_puts(b, "- **What to change:**\n");
		for (size_t i = 0; i < m->fixes.n; i++) {
			buf_printf(b, "  %zu. ", i + 1);
			text_md_escape(b, m->fixes.v[i]);
			buf_putc(b, '\n');
		}
	} else
		md_field(b, "What to change:", e->fix);
	md_sure(b, m);
	for (size_t i = 0; i < m->replies.n; i++) {
		if (i)
			buf_puts(b, "  - ");
		else
			buf_printf(b, "- **%s**\n  - ", replies_label(e));
		text_md_escape(b, m->replies.v[i]);
		if (i < m->reply_notes.n && *m->reply_notes.v[i]) {
			buf_puts(b, " — ");
			text_md_escape(b, m->reply_notes.v[i]);
		}
		buf_putc(b, '\n');
	}
	struct strlist seen = {0};
	for (size_t i = 0; i < m->seen_here.n; i++)
		strlist_add_owned(&seen, seen_text(&m->seen_here.v[i]));
	md_list(b, "Seen here:", &seen);
	strlist_free(&seen);
	md_list(b, "Provider uses:", &m->provider_uses);
	md_list(b, "If the server is:", &m->also);
	md_list(b, "Sources:", &e->sources);
	buf_putc(b, '\n');
}

void explain_report_md(FILE *out, const struct explain_result *r)
{
	struct buf b = {0};
	buf_puts(&b, "## mfpdoctor explain\n\n");
	for (size_t i = 0; i < r->n; i++)
		md_match(&b, r, i);
	if (r->first_failure >= 0 && (r->kind == EXPLAIN_IN_TRANSCRIPT || r->n > 1)) {
		char head[400];
		const struct explain_match *m = &r->v[r->first_failure];
		buf_printf(&b, "**First failure:** item %ld, ", r->first_failure + 1);
		text_md_escape(&b, headline_of(m, head, sizeof(head)));
		char *stg = stage_text(&m->e);
		buf_printf(&b, ", at %s.\n\n", stg);
		free(stg);
	}
	for (size_t i = 0; i < r->notes.n; i++) {
		buf_puts(&b, "> ");
		text_md_escape(&b, r->notes.v[i]);
		buf_puts(&b, "\n>\n");
	}
	fputs(buf_str(&b), out);
	buf_free(&b);
}
