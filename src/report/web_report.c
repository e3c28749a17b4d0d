/* report/web_report.c — text, Markdown and JSON for `mfpdoctor web`; see web_report.h. */
#include "report/web_report.h"

#include <stdlib.h>
#include <string.h>

#include "report/smtp_report.h"
#include "util/buf.h"
#include "util/text.h"

/* The SMTP settings shown, in order: JSON key, fact key, label. */
static const struct {
	const char *json, *fact, *label;
} smtp_fields[] = {
	{"host", "smtp.host", "SMTP server"},
	{"port", "smtp.port", "Port"},
	{"security", "smtp.security", "Security"},
	{"auth", "smtp.auth", "Login"},
	{"user", "smtp.user", "Login name"},
	{"from", "smtp.from", "From"},
	{"max_size", "smtp.max_size", "Size limit (bytes)"},
};

static json_t *fact_json(const struct fact *f)
{
	if (!f)
		return json_null();
	return json_pack("{s:o, s:s, s:o, s:s}", "value", json_text(f->value), "source", fact_source_name(f->source),
			 "where", f->where ? json_text(f->where) : json_null(), "confidence", fact_confidence_name(f));
}

static json_t *opt_text(const char *s)
{
	return s ? json_text(s) : json_null();
}

static json_t *identity_json(const struct device *d)
{
	json_t *id = json_object();
	for (size_t i = 0; i < d->nfacts; i++)
		if (strncmp(d->facts[i].key, "identity.", 9) == 0)
			json_object_set_new(id, d->facts[i].key + 9, fact_json(&d->facts[i]));
	return id;
}

static bool known_smtp_key(const char *k)
{
	for (size_t s = 0; s < ARRAY_SIZE(smtp_fields); s++)
		if (strcmp(k, smtp_fields[s].fact) == 0)
			return true;
	return false;
}

static json_t *smtp_json(const struct device *d)
{
	json_t *smtp = json_object();
	for (size_t i = 0; i < ARRAY_SIZE(smtp_fields); i++)
		json_object_set_new(smtp, smtp_fields[i].json, fact_json(device_get(d, smtp_fields[i].fact)));
	json_t *other = json_object();
	for (size_t i = 0; i < d->nfacts; i++) {
		const char *k = d->facts[i].key;
		if (!known_smtp_key(k) && strncmp(k, "smtp.", 5) == 0)
			json_object_set_new(other, k + 5, fact_json(&d->facts[i]));
	}
	json_object_set_new(smtp, "other", other);
	return smtp;
}

static json_t *events_json(const struct device *d)
{
	json_t *ev = json_array();
	for (size_t i = 0; i < d->nevents; i++) {
		const struct device_event *e = &d->events[i];
		json_array_append_new(ev, json_pack("{s:o, s:o, s:o, s:s, s:o, s:o}", "code", opt_text(e->code), "text",
						    opt_text(e->text), "time", opt_text(e->time), "origin",
						    event_origin_name(e->origin), "where", opt_text(e->where), "severity",
						    opt_text(e->severity)));
	}
	return ev;
}

static json_t *cert_json(const struct web_trace *t)
{
	if (!t || !t->cert.seen)
		return json_null();
	return json_pack("{s:s, s:b, s:o, s:o, s:o}", "sha256", t->cert.sha256, "verified", t->cert.verified, "subject",
			 opt_text(t->cert.subject), "issuer", opt_text(t->cert.issuer), "how", opt_text(t->cert.verify_how));
}

static json_t *conflicts_json(const struct device *d)
{
	json_t *conf = json_array();
	for (size_t i = 0; i < d->nconflicts; i++) {
		const struct device_conflict *c = &d->conflicts[i];
		json_array_append_new(conf, json_pack("{s:s, s:o, s:s, s:o, s:s}", "key", c->key, "value_a",
						      json_text(c->value_a), "source_a", fact_source_name(c->source_a),
						      "value_b", json_text(c->value_b), "source_b",
						      fact_source_name(c->source_b)));
	}
	return conf;
}

/* One request: method, path, status, bytes, ms, error, reason ("redirect-loop", … or null),
 * libcurl's result code and, with --verbose, the response header lines. */
static json_t *request_json(const struct web_request_rec *q)
{
	json_t *o = json_pack("{s:s, s:o, s:I, s:I, s:I, s:o, s:o, s:i}", "method", q->method, "path", json_text(q->path),
			      "status", (json_int_t)q->status, "bytes", (json_int_t)q->bytes, "ms", (json_int_t)q->ms,
			      "error", opt_text(q->error), "reason",
			      q->why != WEB_WHY_NONE ? json_string(web_why_name(q->why)) : json_null(), "curl_code",
			      q->curl_code);
	if (q->headers.n) {
		json_t *h = json_array();
		for (size_t i = 0; i < q->headers.n; i++)
			json_array_append_new(h, json_text(q->headers.v[i]));
		json_object_set_new(o, "headers", h);
	}
	return o;
}

json_t *web_report_json(const struct device *d, const struct web_trace *t)
{
	json_t *j = json_object();
	json_object_set_new(j, "host", json_text(d->host));
	json_object_set_new(j, "url", opt_text(t ? t->base : NULL));
	json_object_set_new(j, "plain_http", json_boolean(t && t->plain_http));
	json_object_set_new(j, "vendor", opt_text(t ? t->vendor_id : NULL));
	json_object_set_new(j, "pageset", opt_text(t ? t->pageset : NULL));
	json_object_set_new(j, "identity", identity_json(d));
	json_object_set_new(j, "smtp", smtp_json(d));
	json_object_set_new(j, "events", events_json(d));
	json_object_set_new(j, "certificate", cert_json(t));
	json_object_set_new(j, "conflicts", conflicts_json(d));
	json_t *notes = json_array();
	for (size_t i = 0; i < d->notes.n; i++)
		json_array_append_new(notes, json_text(d->notes.v[i]));
	json_object_set_new(j, "notes", notes);
	json_t *reqs = json_array();
	for (size_t i = 0; t && i < t->nreqs; i++)
		json_array_append_new(reqs, request_json(&t->reqs[i]));
	json_object_set_new(j, "requests", reqs);
	json_object_set_new(j, "request_count", json_integer(d->web_requests));
	json_object_set_new(j, "versions", json_versions());
	return j;
}

/* ---- text ---- */

static const char *bold(bool c) { return c ? "\033[1m" : ""; }
static const char *dim(bool c) { return c ? "\033[2m" : ""; }
static const char *yellow(bool c) { return c ? "\033[33m" : ""; }
static const char *green(bool c) { return c ? "\033[32m" : ""; }
static const char *reset(bool c) { return c ? "\033[0m" : ""; }

static void text_fact(FILE *out, const char *label, const struct fact *f, bool c)
{
	if (!f) {
		fprintf(out, "  %-20s %s(not read)%s\n", label, dim(c), reset(c));
		return;
	}
	fprintf(out, "  %-20s %s%s%s%s  %s[%s: %s]%s\n", label, f->value, yellow(c), f->guessed ? " (guessed)" : "",
		reset(c), dim(c), fact_source_name(f->source), f->where ? f->where : "", reset(c));
}

void web_report_text(FILE *out, const struct device *d, const struct web_trace *t, bool c)
{
	fprintf(out, "%sWeb pages of %s%s", bold(c), d->host, reset(c));
	if (t && t->base)
		fprintf(out, " (%s%s)", t->base, t->plain_http ? ", plain HTTP" : "");
	fputc('\n', out);
	if (t && t->vendor_id)
		fprintf(out, "  %-20s %s%s%s\n", "Profile", t->vendor_id, t->pageset ? " / " : "", t->pageset ? t->pageset : "");
	for (size_t i = 0; i < d->nfacts; i++)
		if (strncmp(d->facts[i].key, "identity.", 9) == 0)
			text_fact(out, d->facts[i].key + 9, &d->facts[i], c);

	fprintf(out, "\n%sCertificate%s\n", bold(c), reset(c));
	if (t && t->cert.seen) {
		fprintf(out, "  %-20s SHA256:%s\n", "Fingerprint", t->cert.sha256);
		fprintf(out, "  %-20s %s\n", "Subject", t->cert.subject ? t->cert.subject : "");
		fprintf(out, "  %-20s %s%s%s\n", "Verified", t->cert.verified ? green(c) : yellow(c),
			t->cert.verify_how ? t->cert.verify_how : (t->cert.verified ? "yes" : "no"), reset(c));
	} else {
		fprintf(out, "  %s(none: %s)%s\n", dim(c), t && t->plain_http ? "plain HTTP" : "no TLS connection", reset(c));
	}

	fprintf(out, "\n%sE-mail (SMTP) settings%s\n", bold(c), reset(c));
	for (size_t i = 0; i < ARRAY_SIZE(smtp_fields); i++)
		text_fact(out, smtp_fields[i].label, device_get(d, smtp_fields[i].fact), c);
	for (size_t i = 0; i < d->nfacts; i++) {
		const char *k = d->facts[i].key;
		if (!known_smtp_key(k) && strncmp(k, "smtp.", 5) == 0)
			text_fact(out, k, &d->facts[i], c);
	}

	fprintf(out, "\n%sEvents (%zu)%s\n", bold(c), d->nevents, reset(c));
	for (size_t i = 0; i < d->nevents; i++) {
		const struct device_event *e = &d->events[i];
		fprintf(out, "  %s%-19s%s %-10s %s  %s[%s %s]%s\n", dim(c), e->time ? e->time : "", reset(c),
			e->code ? e->code : "-", e->text ? e->text : "", dim(c), event_origin_name(e->origin),
			e->where ? e->where : "", reset(c));
	}
	if (d->nconflicts) {
		fprintf(out, "\n%sConflicts between sources%s\n", bold(c), reset(c));
		for (size_t i = 0; i < d->nconflicts; i++)
			fprintf(out, "  %s: %s (%s) vs %s (%s)\n", d->conflicts[i].key, d->conflicts[i].value_a,
				fact_source_name(d->conflicts[i].source_a), d->conflicts[i].value_b,
				fact_source_name(d->conflicts[i].source_b));
	}
	if (d->notes.n) {
		fprintf(out, "\n%sNotes%s\n", bold(c), reset(c));
		for (size_t i = 0; i < d->notes.n; i++)
			fprintf(out, "  %s!%s %s\n", yellow(c), reset(c), d->notes.v[i]);
	}
	fprintf(out, "\n%sRequests (%d, GET only except a login form or a profile's read command)%s\n", bold(c), d->web_requests, reset(c));
	for (size_t i = 0; t && i < t->nreqs; i++) {
		const struct web_request_rec *q = &t->reqs[i];
		fprintf(out, "  %-4s %s → %ld, %ld bytes, %ld ms%s%s\n", q->method, q->path, q->status, q->bytes, q->ms,
			q->error ? ": " : "", q->error ? q->error : "");
		for (size_t h = 0; h < q->headers.n; h++)
			fprintf(out, "       %s< %s%s\n", dim(c), q->headers.v[h], reset(c));
	}
}

/* ---- Markdown ---- */

static void md_cell(FILE *out, const char *s)
{
	struct buf b = {0};
	text_md_escape(&b, s ? s : "");
	fprintf(out, " %s |", buf_str(&b));
	buf_free(&b);
}

static void md_fact_row(FILE *out, const char *label, const struct fact *f)
{
	fputc('|', out);
	md_cell(out, label);
	char *v = f && f->guessed ? xasprintf("%s (guessed)", f->value) : NULL;
	md_cell(out, v ? v : f ? f->value : "(not read)");
	free(v);
	md_cell(out, f ? fact_source_name(f->source) : "");
	md_cell(out, f ? f->where : "");
	fputc('\n', out);
}

static void md_requests(FILE *out, const struct device *d, const struct web_trace *t)
{
	fprintf(out, "\n### Requests (%d, GET only, except a login form or a profile's read command)\n\n", d->web_requests);
	if (!t || !t->nreqs)
		return;
	fputs("| method | path | status | bytes | ms | error |\n|---|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < t->nreqs; i++) {
		const struct web_request_rec *q = &t->reqs[i];
		fputc('|', out);
		md_cell(out, q->method);
		md_cell(out, q->path);
		fprintf(out, " %ld | %ld | %ld |", q->status, q->bytes, q->ms);
		md_cell(out, q->error);
		fputc('\n', out);
	}
	for (size_t i = 0; i < t->nreqs; i++) {
		const struct web_request_rec *q = &t->reqs[i];
		if (!q->headers.n)
			continue;
		struct buf b = {0};
		text_md_escape(&b, q->path);
		fprintf(out, "\nResponse headers of %s %s:\n\n", q->method, buf_str(&b));
		buf_free(&b);
		for (size_t h = 0; h < q->headers.n; h++) {
			struct buf l = {0};
			text_md_escape(&l, q->headers.v[h]);
			fprintf(out, "- %s\n", buf_str(&l));
			buf_free(&l);
		}
	}
}

void web_report_md(FILE *out, const struct device *d, const struct web_trace *t)
{
	struct buf b = {0};
	text_md_escape(&b, d->host);
	fprintf(out, "## Web pages of %s\n\n", buf_str(&b));
	buf_free(&b);
	if (t && t->base) {
		fputs("- URL:", out);
		md_cell(out, t->base);
		fprintf(out, "%s\n", t->plain_http ? " (plain HTTP)" : "");
	}
	if (t && t->cert.seen) {
		fprintf(out, "- Certificate SHA-256: `%s`\n- Verified: %s (", t->cert.sha256, t->cert.verified ? "yes" : "no");
		struct buf h = {0};
		text_md_escape(&h, t->cert.verify_how ? t->cert.verify_how : "");
		fprintf(out, "%s)\n", buf_str(&h));
		buf_free(&h);
	}
	fputs("\n### E-mail (SMTP) settings\n\n| setting | value | source | where |\n|---|---|---|---|\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(smtp_fields); i++)
		md_fact_row(out, smtp_fields[i].label, device_get(d, smtp_fields[i].fact));
	for (size_t i = 0; i < d->nfacts; i++)
		if (strncmp(d->facts[i].key, "identity.", 9) == 0)
			md_fact_row(out, d->facts[i].key, &d->facts[i]);
	fprintf(out, "\n### Events (%zu)\n\n", d->nevents);
	if (d->nevents) {
		fputs("| time | code | text | origin | where |\n|---|---|---|---|---|\n", out);
		for (size_t i = 0; i < d->nevents; i++) {
			const struct device_event *e = &d->events[i];
			fputc('|', out);
			md_cell(out, e->time);
			md_cell(out, e->code);
			md_cell(out, e->text);
			md_cell(out, event_origin_name(e->origin));
			md_cell(out, e->where);
			fputc('\n', out);
		}
	}
	if (d->notes.n) {
		fputs("\n### Notes\n\n", out);
		for (size_t i = 0; i < d->notes.n; i++) {
			struct buf n = {0};
			text_md_escape(&n, d->notes.v[i]);
			fprintf(out, "- %s\n", buf_str(&n));
			buf_free(&n);
		}
	}
	md_requests(out, d, t);
}
