/* report/device_report.c — a device read as JSON, text and Markdown; see device_report.h.
 * Licence: see LICENSE. */
#include "report/device_report.h"

#include <stdlib.h>
#include <string.h>

#include "report/fact_labels.h"
#include "report/smtp_report.h"
#include "util/redact.h"
#include "util/text.h"

static const char *const identity_keys[] = {
	"vendor", "vendor_id", "model", "family", "serial", "firmware", "sysdescr", "sysobjectid", "enterprise",
	"sysname", "location", "contact", "printer_name", "web_server", "web_title",
};
static const char *const smtp_keys[] = {
	"host", "port", "security", "auth", "user", "from", "password_set", "enabled", "test_result",
};
static const char *const status_keys[] = {
	"device", "printer", "errors", "panel", "clock", "clock_skew_s", "uptime_ticks", "alerts_critical_total",
	"alerts_all_total",
};
/* Columns of one alert as stored under alert.<index>.<field>. */
static const char *const alert_fields[] = {
	"severity", "training_level", "group", "group_index", "location", "code", "description", "time_ticks",
	"time", "vendor_code",
};

static const char *val(const struct device *d, const char *group, const char *k)
{
	char key[128];
	snprintf(key, sizeof(key), "%s.%s", group, k);
	return device_value(d, key);
}

json_t *device_json_identity(const struct device *d)
{
	json_t *o = json_object();
	for (size_t i = 0; i < ARRAY_SIZE(identity_keys); i++)
		json_object_set_new(o, identity_keys[i], json_text(val(d, "identity", identity_keys[i])));
	return o;
}

json_t *device_json_status(const struct device *d)
{
	json_t *o = json_object();
	for (size_t i = 0; i < ARRAY_SIZE(status_keys); i++)
		json_object_set_new(o, status_keys[i], json_text(val(d, "status", status_keys[i])));
	json_object_set_new(o, "clock_known", json_boolean(d->clock_known));
	return o;
}

json_t *device_json_smtp(const struct device *d)
{
	json_t *o = json_object();
	char key[64];
	for (size_t i = 0; i < ARRAY_SIZE(smtp_keys); i++) {
		snprintf(key, sizeof(key), "smtp.%s", smtp_keys[i]);
		const struct fact *f = device_get(d, key);
		json_object_set_new(o, smtp_keys[i],
				    f ? json_pack("{s:o, s:s, s:o, s:s}", "value", json_text(f->value), "source",
						  fact_source_name(f->source), "where", json_text(f->where), "confidence",
						  fact_confidence_name(f))
				      : json_null());
	}
	/* other smtp.* facts (counters, vendor extras) */
	for (size_t i = 0; i < d->nfacts; i++) {
		const struct fact *f = &d->facts[i];
		if (strncmp(f->key, "smtp.", 5) || json_object_get(o, f->key + 5))
			continue;
		json_object_set_new(o, f->key + 5, json_pack("{s:o, s:s, s:o, s:s}", "value", json_text(f->value), "source",
							      fact_source_name(f->source), "where", json_text(f->where),
							      "confidence", fact_confidence_name(f)));
	}
	return o;
}

/* Splits "alert.<ix>.<field>" (the index may be long and hold dots; the field is after the
 * last dot): returns the field and sets *ixlen, or NULL for other keys. */
static const char *alert_key(const char *key, size_t *ixlen)
{
	if (strncmp(key, "alert.", 6) != 0)
		return NULL;
	const char *last = strrchr(key, '.');
	if (last <= key + 6)
		return NULL;
	*ixlen = (size_t)(last - (key + 6));
	return last + 1;
}

/* One object per alert index, in the order the facts were set; linear in the facts. */
json_t *device_json_alerts(const struct device *d)
{
	json_t *a = json_array(), *byix = json_object();
	for (size_t i = 0; i < d->nfacts; i++) {
		size_t n;
		const char *field = alert_key(d->facts[i].key, &n);
		if (!field)
			continue;
		char *ix = xstrndup(d->facts[i].key + 6, n);
		json_t *o = json_object_get(byix, ix);
		if (!o) {
			o = json_object();
			json_object_set_new(o, "index", json_string(ix));
			for (size_t k = 0; k < ARRAY_SIZE(alert_fields); k++)
				json_object_set_new(o, alert_fields[k], json_null());
			json_object_set(byix, ix, o);
			json_array_append_new(a, o);
		}
		json_object_set_new(o, field, json_text(d->facts[i].value));
		if (strcmp(field, "severity") == 0)
			json_object_set_new(o, "where", json_text(d->facts[i].where));
		free(ix);
	}
	json_decref(byix);
	return a;
}

json_t *device_json_events(const struct device *d)
{
	json_t *a = json_array();
	for (size_t i = 0; i < d->nevents; i++) {
		const struct device_event *e = &d->events[i];
		char key[64];
		snprintf(key, sizeof(key), "event.%zu.meaning", i);
		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "origin",
						   event_origin_name(e->origin), "code", json_text(e->code), "text",
						   json_text(e->text), "time", json_text(e->time), "severity",
						   json_text(e->severity), "where", json_text(e->where), "meaning",
						   json_text(device_value(d, key))));
	}
	return a;
}

static json_t *notes_json(const struct device *d)
{
	json_t *a = json_array();
	for (size_t i = 0; i < d->notes.n; i++) {
		char *s = redact_scrub(d->notes.v[i]);
		json_array_append_new(a, json_text(s));
		free(s);
	}
	return a;
}

/* Tables not read to their end: [{"table", "rows_read", "column"}] from snmp.table_cut.* facts. */
static json_t *tables_cut_json(const struct device *d)
{
	json_t *a = json_array();
	for (size_t i = 0; i < d->nfacts; i++) {
		const struct fact *f = &d->facts[i];
		if (strncmp(f->key, "snmp.table_cut.", 15) == 0)
			json_array_append_new(a, json_pack("{s:o, s:I, s:o}", "table", json_text(f->key + 15), "rows_read",
							   (json_int_t)strtoll(f->value, NULL, 10), "column",
							   json_text(f->where)));
	}
	return a;
}

json_t *device_report_json(const struct device *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "host", json_text(d->host));
	json_object_set_new(o, "identity", device_json_identity(d));
	json_object_set_new(o, "status", device_json_status(d));
	json_object_set_new(o, "alerts", device_json_alerts(d));
	json_object_set_new(o, "smtp", device_json_smtp(d));
	json_object_set_new(o, "events", device_json_events(d));
	json_object_set_new(o, "notes", notes_json(d));
	json_object_set_new(o, "tables_cut", tables_cut_json(d));
	json_t *conf = json_array();
	for (size_t i = 0; i < d->nconflicts; i++) {
		const struct device_conflict *c = &d->conflicts[i];
		json_array_append_new(conf, json_pack("{s:o, s:o, s:s, s:o, s:s}", "key", json_text(c->key), "value_a",
						      json_text(c->value_a), "source_a", fact_source_name(c->source_a),
						      "value_b", json_text(c->value_b), "source_b",
						      fact_source_name(c->source_b)));
	}
	json_object_set_new(o, "conflicts", conf);
	json_t *facts = json_array();
	for (size_t i = 0; i < d->nfacts; i++) {
		const struct fact *f = &d->facts[i];
		json_array_append_new(facts, json_pack("{s:o, s:o, s:s, s:o, s:s}", "key", json_text(f->key), "value",
						       json_text(f->value), "source", fact_source_name(f->source), "where",
						       json_text(f->where), "confidence", fact_confidence_name(f)));
	}
	json_object_set_new(o, "facts", facts);
	json_object_set_new(o, "snmp_version", json_text(device_value(d, "snmp.version")));
	json_object_set_new(o, "requests", json_integer(d->snmp_requests));
	json_object_set_new(o, "http_requests", json_integer(d->web_requests));
	return o;
}

/* ---------- text and Markdown ---------- */

#define C_BLD "\033[1m"
#define C_YEL "\033[33m"
#define C_OFF "\033[0m"

static void put_clean(FILE *out, const char *s)
{
	char *c = text_sanitize(s ? s : "", 0, 0);
	char *r = redact_scrub(c);
	fputs(r, out);
	free(r);
	free(c);
}

static void text_fact(FILE *out, const struct device *d, const char *label, const char *key, bool where)
{
	const struct fact *f = device_get(d, key);
	if (!f)
		return;
	fprintf(out, "  %-14s ", label);
	put_clean(out, f->value);
	if (f->guessed)
		fputs(" (guessed)", out);
	if (where) {
		fprintf(out, "   [%s: ", fact_source_name(f->source));
		put_clean(out, f->where);
		fputc(']', out);
	}
	fputc('\n', out);
}

static void text_alerts(FILE *out, const struct device *d, const char *b, const char *o)
{
	json_t *alerts = device_json_alerts(d);
	fprintf(out, "\n%sAlerts (Printer-MIB)%s: %zu%s\n", b, o, json_array_size(alerts),
		device_get(d, "snmp.table_cut.alert") ? " read; the table has more (cut, see Notes)" : "");
	size_t i;
	json_t *a;
	json_array_foreach(alerts, i, a) {
		fprintf(out, "  - ");
		put_clean(out, json_string_value(json_object_get(a, "severity")));
		fputs(" ", out);
		put_clean(out, json_string_value(json_object_get(a, "code")));
		fputs(" \"", out);
		put_clean(out, json_string_value(json_object_get(a, "description")));
		fputs("\" group ", out);
		put_clean(out, json_string_value(json_object_get(a, "group")));
		fputs(", location ", out);
		put_clean(out, json_string_value(json_object_get(a, "location")));
		const char *t = json_string_value(json_object_get(a, "time"));
		if (t) {
			fputs(", at ", out);
			put_clean(out, t);
		}
		fputc('\n', out);
	}
	json_decref(alerts);
}

void device_report_text(FILE *out, const struct device *d, bool colour)
{
	const char *b = colour ? C_BLD : "", *y = colour ? C_YEL : "", *o = colour ? C_OFF : "";
	char key[160];
	fprintf(out, "%sDevice %s", b, "");
	put_clean(out, d->host);
	fprintf(out, "%s\n\n%sIdentity%s\n", o, b, o);
	for (size_t i = 0; i < ARRAY_SIZE(identity_keys); i++) {
		snprintf(key, sizeof(key), "identity.%s", identity_keys[i]);
		text_fact(out, d, identity_keys[i], key, strcmp(identity_keys[i], "sysdescr") != 0);
	}
	fprintf(out, "\n%sStatus%s\n", b, o);
	for (size_t i = 0; i < ARRAY_SIZE(status_keys); i++) {
		snprintf(key, sizeof(key), "status.%s", status_keys[i]);
		text_fact(out, d, status_keys[i], key, false);
	}
	fprintf(out, "\n%sE-mail settings read from the device%s\n", b, o);
	bool any = false;
	for (size_t i = 0; i < d->nfacts; i++)
		if (strncmp(d->facts[i].key, "smtp.", 5) == 0) {
			text_fact(out, d, d->facts[i].key + 5, d->facts[i].key, true);
			any = true;
		}
	if (!any)
		fputs("  (none: this vendor exposes no e-mail settings over SNMP, or they could not be read)\n", out);
	text_alerts(out, d, b, o);
	fprintf(out, "\n%sEvents%s: %zu\n", b, o, d->nevents);
	for (size_t k = 0; k < d->nevents; k++) {
		const struct device_event *e = &d->events[k];
		fprintf(out, "  - [%s] %s%s%s", event_origin_name(e->origin), y, e->code ? e->code : "", o);
		fputs(e->code ? " " : "", out);
		put_clean(out, e->text);
		snprintf(key, sizeof(key), "event.%zu.meaning", k);
		if (device_value(d, key)) {
			fputs("\n      meaning: ", out);
			put_clean(out, device_value(d, key));
		}
		fputc('\n', out);
	}
	if (d->notes.n) {
		fprintf(out, "\n%sNotes%s\n", b, o);
		for (size_t k = 0; k < d->notes.n; k++) {
			fputs("  - ", out);
			put_clean(out, d->notes.v[k]);
			fputc('\n', out);
		}
	}
	fprintf(out, "\nSNMP requests: %d   HTTP requests: %d\n", d->snmp_requests, d->web_requests);
}

static void md_text(FILE *out, const char *s)
{
	struct buf b = {0};
	char *r = redact_scrub(s ? s : "");
	text_md_escape(&b, r);
	fputs(buf_str(&b), out);
	buf_free(&b);
	free(r);
}

/* The fact's readable label (report/fact_labels.h); a derived one keeps the raw key beside it. */
static void md_row(FILE *out, const struct fact *f)
{
	char buf[160];
	bool derived;
	const char *label = fact_label(f->key, buf, sizeof(buf), &derived);
	fputs("| ", out);
	md_text(out, label);
	if (derived) {
		fputs(" (", out);
		md_text(out, f->key);
		fputc(')', out);
	}
	fputs(" | ", out);
	md_text(out, f->value);
	if (f->guessed)
		fputs(" (guessed)", out);
	fprintf(out, " | %s: ", fact_source_name(f->source));
	md_text(out, f->where);
	fputs(" |\n", out);
}

static void md_alerts(FILE *out, const struct device *d)
{
	json_t *alerts = device_json_alerts(d);
	fprintf(out, "\n## Alerts (Printer-MIB): %zu%s\n\n", json_array_size(alerts),
		device_get(d, "snmp.table_cut.alert") ? " read; the table has more (cut, see Notes)" : "");
	if (json_array_size(alerts))
		fputs("| severity | code | description | group | location | time |\n|---|---|---|---|---|---|\n", out);
	size_t i;
	json_t *a;
	static const char *const cols[] = {"severity", "code", "description", "group", "location", "time"};
	json_array_foreach(alerts, i, a) {
		for (size_t k = 0; k < ARRAY_SIZE(cols); k++) {
			fputs("| ", out);
			md_text(out, json_string_value(json_object_get(a, cols[k])));
			fputc(' ', out);
		}
		fputs("|\n", out);
	}
	json_decref(alerts);
}

void device_report_md(FILE *out, const struct device *d)
{
	fputs("# Device ", out);
	md_text(out, d->host);
	fputs("\n\n## Identity and status\n\n| field | value | source |\n|---|---|---|\n", out);
	for (size_t i = 0; i < d->nfacts; i++) {
		const struct fact *f = &d->facts[i];
		if (!strncmp(f->key, "identity.", 9) || !strncmp(f->key, "status.", 7))
			md_row(out, f);
	}
	fputs("\n## E-mail settings read from the device\n\n", out);
	bool any = false;
	for (size_t i = 0; i < d->nfacts; i++)
		if (!strncmp(d->facts[i].key, "smtp.", 5)) {
			if (!any)
				fputs("| setting | value | source |\n|---|---|---|\n", out);
			any = true;
			md_row(out, &d->facts[i]);
		}
	if (!any)
		fputs("None read over SNMP.\n", out);
	md_alerts(out, d);
	fprintf(out, "\n## Events: %zu\n\n", d->nevents);
	for (size_t k = 0; k < d->nevents; k++) {
		const struct device_event *e = &d->events[k];
		fprintf(out, "- %s", event_origin_name(e->origin));
		if (e->code) {
			fputs(" **", out);
			md_text(out, e->code);
			fputs("**", out);
		}
		fputs(": ", out);
		md_text(out, e->text);
		fputc('\n', out);
	}
	if (d->notes.n) {
		fputs("\n## Notes\n\n", out);
		for (size_t k = 0; k < d->notes.n; k++) {
			fputs("- ", out);
			md_text(out, d->notes.v[k]);
			fputc('\n', out);
		}
	}
	fprintf(out, "\nSNMP requests: %d, HTTP requests: %d\n", d->snmp_requests, d->web_requests);
}
