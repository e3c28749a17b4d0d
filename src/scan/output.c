/* scan/output.c — fleet-scan rows on standard output, each written and flushed the moment its
 * printer is done: text (a table, then counts per status and per finding), jsonl (one compact
 * object per line), json (one array, written at the end with what finished), csv (RFC 4180 via
 * libcsv's csv_fwrite; cells that a spreadsheet would run as a formula are defused). */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "scan/output.h"
#include "util/buf.h"
#include "util/text.h"

static const char *const csv_cols[] = {
	"index", "host", "origin", "inventory_name", "inventory_location", "status", "exit_code", "vendor", "model",
	"serial", "sysname", "location", "firmware", "smtp_server", "smtp_port", "smtp_tls", "top_finding",
	"top_severity", "top_title", "findings", "fail", "warn", "info", "duration_s", "started", "test_send_shared",
	"error", "report",
};

static void csv_cell(FILE *f, bool first, const char *s)
{
	if (!first)
		fputc(',', f);
	if (!s || !*s)
		return;
	if (strchr("=+-@", s[0]) && strspn(s, "-0123456789.") != strlen(s)) {
		char *d = xasprintf("'%s", s); /* a formula in a spreadsheet: shown as text instead */
		csv_fwrite(f, d, strlen(d));
		free(d);
		return;
	}
	csv_fwrite(f, s, strlen(s));
}

static const char *jstr(const json_t *row, const char *a, const char *b, char *tmp, size_t tmpsz)
{
	const json_t *v = json_object_get(row, a);
	if (b)
		v = json_object_get(v, b);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(tmp, tmpsz, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(tmp, tmpsz, "%.2f", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(tmp, tmpsz, "%s", json_is_true(v) ? "true" : "false");
	else
		return NULL;
	return tmp;
}

static void csv_row(FILE *f, const json_t *row)
{
	static const char *const path[][2] = {
		{"index", NULL}, {"host", NULL}, {"origin", NULL}, {"inventory", "name"}, {"inventory", "location"},
		{"status", NULL}, {"exit_code", NULL}, {"vendor", NULL}, {"model", NULL}, {"serial", NULL},
		{"sysname", NULL}, {"location", NULL}, {"firmware", NULL}, {"smtp", "server"}, {"smtp", "port"},
		{"smtp", "tls"}, {"top_finding", "id"}, {"top_finding", "severity"}, {"top_finding", "title"},
		{NULL, NULL}, {"counts", "fail"}, {"counts", "warn"}, {"counts", "info"}, {"duration_s", NULL},
		{"started", NULL}, {"test_send", "shared"}, {"error", NULL}, {"report", NULL},
	};
	char tmp[64];
	for (size_t i = 0; i < ARRAY_SIZE(path); i++) {
		if (!path[i][0]) { /* every finding id, space-separated */
			struct buf b = {0};
			const json_t *x;
			size_t k;
			json_array_foreach(json_object_get(row, "findings"), k, x)
				buf_printf(&b, "%s%s", k ? " " : "", json_string_value(json_object_get(x, "id")));
			csv_cell(f, false, buf_str(&b));
			buf_free(&b);
			continue;
		}
		csv_cell(f, i == 0, jstr(row, path[i][0], path[i][1], tmp, sizeof(tmp)));
	}
	fputs("\r\n", f);
}

static void text_row(FILE *f, const json_t *row)
{
	char tmp[64];
	const char *dev = json_string_value(json_object_get(row, "device"));
	const char *top = jstr(row, "top_finding", "title", tmp, sizeof(tmp));
	const char *err = jstr(row, "error", NULL, tmp, sizeof(tmp));
	char *h = text_sanitize(json_string_value(json_object_get(row, "host")), 22, 0);
	char *d = text_sanitize(dev ? dev : "-", 30, 0);
	char *t = text_sanitize(top ? top : err ? err : "-", 160, 0);
	fprintf(f, "%5lld  %-22s %-30s %-9s %6.1fs  %s\n", (long long)json_integer_value(json_object_get(row, "index")),
		h, d, json_string_value(json_object_get(row, "status")),
		json_real_value(json_object_get(row, "duration_s")), t);
	free(h);
	free(d);
	free(t);
}

void scan_output_begin(struct scan_output *o, enum scan_format fmt, FILE *out)
{
	o->fmt = fmt;
	o->out = out;
	o->all = json_array();
	if (fmt == SCAN_FMT_TEXT)
		fprintf(out, "%5s  %-22s %-30s %-9s %7s  %s\n", "#", "HOST", "DEVICE", "STATUS", "TIME", "TOP FINDING");
	if (fmt == SCAN_FMT_CSV) {
		for (size_t i = 0; i < ARRAY_SIZE(csv_cols); i++)
			fprintf(out, "%s%s", i ? "," : "", csv_cols[i]);
		fputs("\r\n", out);
	}
	fflush(out);
}

void scan_output_row(struct scan_output *o, const json_t *row)
{
	json_array_append(o->all, (json_t *)row);
	if (o->fmt == SCAN_FMT_JSONL) {
		char *line = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		fprintf(o->out, "%s\n", line);
		free(line);
	} else if (o->fmt == SCAN_FMT_CSV) {
		csv_row(o->out, row);
	} else if (o->fmt == SCAN_FMT_TEXT) {
		text_row(o->out, row);
	}
	fflush(o->out);
}

/* Adds 1 to counts[key]. */
static void bump(json_t *counts, const char *key)
{
	json_t *c = json_object_get(counts, key);
	json_object_set_new(counts, key, json_integer(c ? json_integer_value(c) + 1 : 1));
}

struct idn {
	const char *id;
	long long n;
};

static int by_count(const void *a, const void *b)
{
	const struct idn *x = a, *y = b;
	return x->n != y->n ? (x->n < y->n ? 1 : -1) : strcmp(x->id, y->id);
}

/* "Printers with each finding", the commonest first. */
static void print_by_count(FILE *f, const json_t *ids)
{
	size_t n = json_object_size(ids), k = 0;
	if (!n)
		return;
	struct idn *v = xcalloc(n, sizeof(*v));
	const char *id;
	const json_t *x;
	json_object_foreach((json_t *)ids, id, x)
		v[k++] = (struct idn){id, (long long)json_integer_value(x)};
	qsort(v, n, sizeof(*v), by_count);
	fprintf(f, "Printers with each finding:\n");
	for (k = 0; k < n; k++) {
		char *s = text_sanitize(v[k].id, 60, 0);
		fprintf(f, "  %-40s %lld\n", s, v[k].n);
		free(s);
	}
	free(v);
}

static void text_summary(FILE *f, const json_t *all, size_t total, size_t not_scanned)
{
	static const char *const statuses[] = {"ok", "warning", "critical", "unknown", "error"};
	json_t *st = json_object(), *ids = json_object();
	const json_t *row, *x;
	size_t i, k;
	json_array_foreach(all, i, row) {
		bump(st, json_string_value(json_object_get(row, "status")));
		json_array_foreach(json_object_get(row, "findings"), k, x)
			bump(ids, json_string_value(json_object_get(x, "id")));
	}
	fprintf(f, "\n%zu of %zu printers scanned:", json_array_size(all), total);
	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		fprintf(f, "%s %lld %s", i ? "," : "", (long long)json_integer_value(json_object_get(st, statuses[i])),
			statuses[i]);
	fputc('\n', f);
	if (not_scanned)
		fprintf(f, "Stopped before the end: %zu printers not scanned.\n", not_scanned);
	print_by_count(f, ids);
	json_decref(st);
	json_decref(ids);
}

void scan_output_end(struct scan_output *o, size_t total, size_t not_scanned)
{
	if (o->fmt == SCAN_FMT_TEXT)
		text_summary(o->out, o->all, total, not_scanned);
	else if (o->fmt == SCAN_FMT_JSON) {
		json_dumpf(o->all, o->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		fputc('\n', o->out);
	}
	fflush(o->out);
	json_decref(o->all);
	o->all = NULL;
}
