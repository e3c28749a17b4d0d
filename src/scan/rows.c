/* scan/rows.c — a fleet-scan row from one printer's result: index, host, origin and the
 * inventory's name/location; status and exit code; identity (vendor, model, serial, sysName,
 * location, firmware) and the SMTP endpoint tested from diagnose's JSON report (schema
 * mfpdoctor/diagnosis/1); every finding id with its severity, the top finding, counts per
 * severity; duration, start time, test-send sharing and the error when there is no report. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "scan/rows.h"
#include "util/text.h"

static json_t *text(const char *s)
{
	if (!s)
		return json_null();
	char *c = text_sanitize(s, 500, 0);
	json_t *j = json_string(c);
	free(c);
	return j ? j : json_null();
}

static const char *str_at(const json_t *o, const char *a, const char *b)
{
	const json_t *v = json_object_get(o, a);
	return json_string_value(b ? json_object_get(v, b) : v);
}

void scan_iso8601(double t, char *out, size_t outsz)
{
	time_t s = (time_t)t;
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *setting(const json_t *rep, const char *name)
{
	const json_t *s;
	size_t i;
	json_array_foreach(json_object_get(rep, "settings"), i, s)
		if (strcmp(str_at(s, "name", NULL) ? str_at(s, "name", NULL) : "", name) == 0)
			return str_at(s, "value", NULL);
	return NULL;
}

/* The SMTP endpoint diagnose used: server, port, security (what the connection did, else the setting). */
static json_t *smtp_endpoint(const json_t *rep)
{
	const char *server = setting(rep, "server"), *port = setting(rep, "port"), *tls = setting(rep, "tls");
	const json_t *conn = json_object_get(json_object_get(rep, "smtp_test"), "connection");
	if (str_at(conn, "tls_mode", NULL))
		tls = str_at(conn, "tls_mode", NULL);
	if (!server)
		return json_null();
	long p = port ? strtol(port, NULL, 10) : 0;
	return json_pack("{s:o, s:o, s:o}", "server", text(server), "port", p > 0 ? json_integer(p) : json_null(), "tls",
			 text(tls));
}

static void add_findings(json_t *row, const json_t *rep)
{
	json_t *all = json_array(), *counts = json_pack("{s:i, s:i, s:i}", "fail", 0, "warn", 0, "info", 0);
	const json_t *f, *top = NULL;
	size_t i;
	json_array_foreach(json_object_get(rep, "findings"), i, f) {
		const char *sev = str_at(f, "severity", NULL);
		if (!top)
			top = f;
		json_array_append_new(all, json_pack("{s:o, s:o}", "id", text(str_at(f, "id", NULL)), "severity", text(sev)));
		json_t *c = sev ? json_object_get(counts, sev) : NULL;
		if (c)
			json_integer_set(c, json_integer_value(c) + 1);
	}
	json_object_set_new(row, "top_finding", top ? json_pack("{s:o, s:o, s:o}", "id", text(str_at(top, "id", NULL)),
								 "severity", text(str_at(top, "severity", NULL)),
								 "title", text(str_at(top, "title", NULL)))
						    : json_null());
	json_object_set_new(row, "findings", all);
	json_object_set_new(counts, "total", json_integer((json_int_t)json_array_size(all)));
	json_object_set_new(row, "counts", counts);
}

static const char *status_name(int exit_code, bool report)
{
	static const char *const n[] = {"ok", "warning", "critical", "unknown"};
	if (!report)
		return "error";
	return exit_code >= 0 && exit_code <= 3 ? n[exit_code] : "unknown";
}

static void add_identity(json_t *row, const json_t *rep)
{
	const json_t *id = json_object_get(json_object_get(rep, "device"), "identity");
	static const char *const keys[][2] = {{"vendor", "vendor"}, {"model", "model"}, {"serial", "serial"},
					      {"sysname", "sysname"}, {"location", "location"}, {"firmware", "firmware"}};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_set_new(row, keys[i][0], text(str_at(id, keys[i][1], NULL)));
	const char *v = str_at(id, "vendor", NULL), *m = str_at(id, "model", NULL);
	if (m && v && strncasecmp(m, v, strlen(v)) == 0)
		v = NULL; /* "Brother MFC-L2750DW series", not "Brother Brother …" */
	char *title = v || m ? xasprintf("%s%s%s", v ? v : "", v && m ? " " : "", m ? m : "") : NULL;
	json_object_set_new(row, "device", text(title));
	free(title);
	json_object_set_new(row, "service", text(str_at(rep, "service", "name")));
}

json_t *scan_row(const struct scan_result *r, const char *output_dir)
{
	const struct scan_target *t = r->target;
	const json_t *rep = r->report;
	char when[32];
	scan_iso8601(r->started, when, sizeof(when));
	json_t *row = json_pack("{s:I, s:o, s:o, s:s, s:i}", "index", (json_int_t)t->index, "host", text(t->host),
				"origin", text(t->origin), "status", status_name(r->exit_code, rep != NULL), "exit_code",
				rep ? r->exit_code : -1);
	json_object_set_new(row, "inventory", t->name || t->location ? json_pack("{s:o, s:o}", "name", text(t->name),
									      "location", text(t->location))
								   : json_null());
	add_identity(row, rep);
	json_object_set_new(row, "smtp", rep ? smtp_endpoint(rep) : json_null());
	add_findings(row, rep);
	json_object_set_new(row, "duration_s", json_real(round(r->elapsed_s * 100) / 100));
	json_object_set_new(row, "started", json_string(when));
	json_object_set_new(row, "test_send", r->test_send ? json_deep_copy(r->test_send) : json_null());
	json_object_set_new(row, "error", text(r->error));
	char *path = rep && output_dir && t->stem ? xasprintf("%s/%s.json", output_dir, t->stem) : NULL;
	json_object_set_new(row, "report", text(path));
	free(path);
	return row;
}

int scan_row_exit(const json_t *row)
{
	const json_t *e = json_object_get(row, "exit_code");
	json_int_t v = json_integer_value(e);
	return v >= 0 && v <= 3 ? (int)v : 3;
}
