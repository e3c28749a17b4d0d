/* device/web_log.c — job and error log pages into device events; see web_log.h. */
#include "device/web_log.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/web_js.h"
#include "device/web_match.h"
#include "profile/profile.h"
#include "util/buf.h"
#include "util/text.h"

struct row {
	char *code, *text, *time, *severity;
	size_t idx;                  /* position on the page (0-based, all rows) */
};

/* The relevant rows of one log, in page order. */
struct rows {
	struct row *v;
	size_t n, cap;
	bool more;                   /* WEB_LOG_SCAN_MAX rows examined, more were on the page */
};

static enum event_origin origin_of(const char *s)
{
	if (s && strcasecmp(s, "web-joblog") == 0)
		return EV_WEB_JOBLOG;
	return EV_WEB_ERRORLOG;
}

static void row_free(struct row *w)
{
	free(w->code);
	free(w->text);
	free(w->time);
	free(w->severity);
	memset(w, 0, sizeof(*w));
}

static void rows_free(struct rows *l)
{
	for (size_t i = 0; i < l->n; i++)
		row_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool keep_row(const json_t *ev, const struct row *w)
{
	const char *filter = profile_str(ev, "filter");
	if (!filter)
		return w->code || w->text;
	char *all = xasprintf("%s\t%s\t%s", w->code ? w->code : "", w->text ? w->text : "", w->severity ? w->severity : "");
	bool m = web_ere_match(filter, all);
	free(all);
	return m;
}

/* Keeps w (taking its strings) when the filter wants it; frees it otherwise. */
static void rows_take(struct rows *l, const json_t *ev, struct row *w)
{
	if (!keep_row(ev, w)) {
		row_free(w);
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = *w;
	memset(w, 0, sizeof(*w));
}

static void event_fields(const struct web_doc *doc, void *node, const json_t *fields, struct row *w, char *err,
			 size_t errsz)
{
	static const char *const names[] = {"code", "text", "time", "severity"};
	char **slots[] = {&w->code, &w->text, &w->time, &w->severity};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const json_t *rule = json_object_get(fields, names[i]);
		if (rule && !err[0])
			*slots[i] = web_extract_field(doc, node, rule, err, errsz);
	}
}

/* Rows selected by XPath ("rows", fields relative to each row). Returns 0 or -1 (noted). */
static int rows_xpath(struct device *d, const char *path, const struct web_doc *doc, const json_t *ev, struct rows *l)
{
	char err[240] = "";
	const char *container = profile_str(ev, "container");
	if (container) {
		size_t nc = 0;
		free(web_xpath_nodes(doc, container, &nc, err, sizeof(err)));
		if (!nc) {
			device_note(d, "page %s: the log (%s) was not found on the page%s%s (firmware changed?)", path,
				    container, err[0] ? ": " : "", err);
			return -1;
		}
	}
	size_t n = 0;
	void **nodes = web_xpath_nodes(doc, profile_str(ev, "rows"), &n, err, sizeof(err));
	if (err[0]) {
		device_note(d, "page %s: log not read: %s", path, err);
		free(nodes);
		return -1;
	}
	const json_t *fields = json_object_get(ev, "fields");
	for (size_t i = 0; i < n; i++) {
		if (i >= WEB_LOG_SCAN_MAX) {
			l->more = true;
			break;
		}
		struct row w = {.idx = i};
		event_fields(doc, nodes[i], fields, &w, err, sizeof(err));
		if (err[0]) {
			device_note(d, "page %s: log row %zu: %s", path, i + 1, err);
			row_free(&w);
			break;
		}
		rows_take(l, ev, &w);
	}
	free(nodes);
	return 0;
}

static char *group_value(const json_t *rule, const char *s, const regmatch_t *m, size_t nsub)
{
	long g = (long)profile_int(rule, "group", 0);
	if (g <= 0 || (size_t)g > nsub || m[g].rm_so < 0)
		return NULL;
	char *raw = text_sanitize_n(s + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so), 1000, 0);
	text_trim(raw);
	const json_t *map = json_object_get(rule, "map");
	const char *mv = map ? web_map_lookup(map, raw) : NULL;
	if (mv) {
		free(raw);
		return xstrdup(mv);
	}
	if (!*raw) {
		free(raw);
		return NULL;
	}
	return raw;
}

/* Rows matched by an ERE over the raw body ("rows_regex", fields name capture groups). */
static int rows_regex(struct device *d, const char *path, const struct web_doc *doc, const json_t *ev, struct rows *l)
{
	regex_t re;
	const char *ere = profile_str(ev, "rows_regex");
	if (regcomp(&re, ere, REG_EXTENDED | REG_ICASE) != 0) {
		device_note(d, "page %s: profile error: rows_regex does not compile", path);
		return -1;
	}
	const json_t *fields = json_object_get(ev, "fields");
	regmatch_t m[10];
	const char *p = doc->body;
	int flags = 0;
	size_t nsub = re.re_nsub < 9 ? re.re_nsub : 9;
	for (size_t idx = 0; *p && regexec(&re, p, 10, m, flags) == 0; idx++) {
		if (idx >= WEB_LOG_SCAN_MAX) {
			l->more = true;
			break;
		}
		struct row w = {.idx = idx};
		w.code = group_value(json_object_get(fields, "code"), p, m, nsub);
		w.text = group_value(json_object_get(fields, "text"), p, m, nsub);
		w.time = group_value(json_object_get(fields, "time"), p, m, nsub);
		w.severity = group_value(json_object_get(fields, "severity"), p, m, nsub);
		rows_take(l, ev, &w);
		p += m[0].rm_eo > 0 ? m[0].rm_eo : 1;
		flags = REG_NOTBOL;
	}
	regfree(&re);
	return 0;
}

/* Rows as JS records ("js_rows": the index variable, e.g. "Index": each "Index = N;" starts a
 * record; the column rules, usually {"js": "JobTime[Index]"}, are read inside it, with the
 * whole page and its scripts for message-table lookups). */
static int rows_js(struct device *d, const char *path, const struct web_doc *doc, const json_t *ev, struct rows *l)
{
	size_t *starts = xcalloc(WEB_LOG_SCAN_MAX, sizeof(*starts)), *ends = xcalloc(WEB_LOG_SCAN_MAX, sizeof(*ends));
	size_t n = web_js_records(doc->body, doc->len, profile_str(ev, "js_rows"), starts, ends, WEB_LOG_SCAN_MAX);
	/* the page, then its scripts (wrapped so that an HTML page and plain JS are both scanned) */
	char *tables = xasprintf("%s\n<script>\n%s\n</script>", doc->body, doc->scripts ? doc->scripts : "");
	const json_t *fields = json_object_get(ev, "fields");
	char err[240] = "";
	for (size_t i = 0; i < n && !err[0]; i++) {
		struct web_doc rec;
		web_doc_parse(&rec, doc->body + starts[i], ends[i] - starts[i], WEB_PARSE_TEXT, NULL);
		rec.scripts = tables;
		rec.maps = doc->maps;
		struct row w = {.idx = i};
		event_fields(&rec, NULL, fields, &w, err, sizeof(err));
		if (err[0])
			device_note(d, "page %s: log record %zu: %s", path, i + 1, err);
		rows_take(l, ev, &w);
		web_doc_free(&rec);
	}
	l->more = n == WEB_LOG_SCAN_MAX;
	free(tables);
	free(starts);
	free(ends);
	return 0;
}

/* A time that sorts as text: starts YYYY-MM-DD or YYYY/MM/DD. */
static bool sortable_time(const char *t)
{
	if (!t || strlen(t) < 10)
		return false;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? (t[i] != '-' && t[i] != '/') : !isdigit((unsigned char)t[i]))
			return false;
	return true;
}

/* +1 when the page lists the newest entry first, -1 oldest first, 0 when it cannot be told. */
static int log_order(const struct rows *l)
{
	if (l->n < 2)
		return 0;
	const char *a = l->v[0].time, *b = l->v[l->n - 1].time;
	if (!sortable_time(a) || !sortable_time(b))
		return 0;
	int c = strcmp(a, b);
	return c > 0 ? 1 : c < 0 ? -1 : 0;
}

/* Adds the kept rows [from, from + count) as events. */
static void add_events(struct device *d, const json_t *ev, const char *path, const struct rows *l, size_t from,
		       size_t count)
{
	char *clean = text_sanitize(path, 200, 0);
	enum event_origin origin = origin_of(profile_str(ev, "origin"));
	for (size_t i = from; i < from + count; i++) {
		const struct row *w = &l->v[i];
		char *where = xasprintf("%s: row %zu", clean, w->idx + 1);
		struct device_event *e = device_add_event(d, origin, w->code, w->text, w->time, where);
		if (w->severity)
			e->severity = text_sanitize(w->severity, 64, 0);
		free(where);
	}
	free(clean);
}

/* Keeps at most "max" entries (the newest when the order is known) and says what was left out. */
static int log_keep(struct device *d, const json_t *ev, const char *path, const struct rows *l)
{
	long max = (long)profile_int(ev, "max", WEB_LOG_MAX_DEFAULT);
	if (max < 1)
		max = 1;
	if ((long)l->n <= max && !l->more) {
		add_events(d, ev, path, l, 0, l->n);
		return (int)l->n;
	}
	int order = log_order(l);
	size_t keep = (long)l->n < max ? l->n : (size_t)max;
	size_t from = order < 0 ? l->n - keep : 0; /* oldest first: the newest are at the end */
	add_events(d, ev, path, l, from, keep);
	const char *what = origin_of(profile_str(ev, "origin")) == EV_WEB_JOBLOG ? "job log" : "error log";
	char total[40], past[80] = "";
	snprintf(total, sizeof(total), "%s%zu", l->more ? "more than " : "", l->n);
	if (l->more)
		snprintf(past, sizeof(past), "; rows past the first %d were not examined", WEB_LOG_SCAN_MAX);
	device_note(d, "page %s: %s: %zu of %s entries read; %s%zu %s ones not read (%s; the profile reads at most %ld%s)",
		    path, what, keep, total, l->more ? "at least " : "", l->n - keep, order ? "older" : "other",
		    order ? "the newest were kept" : "the order of the log is unknown: the first ones on the page were kept",
		    max, past);
	return (int)keep;
}

int web_log_read(struct device *d, const char *path, const struct web_doc *doc, const json_t *evs)
{
	const json_t *list = evs;
	json_t *wrap = NULL;
	if (json_is_object(evs))
		list = wrap = json_pack("[O]", evs);
	int added = 0;
	size_t i;
	const json_t *ev;
	json_array_foreach((json_t *)list, i, ev) {
		struct rows l = {0};
		int rc = -1;
		if (profile_str(ev, "rows"))
			rc = rows_xpath(d, path, doc, ev, &l);
		else if (profile_str(ev, "rows_regex"))
			rc = rows_regex(d, path, doc, ev, &l);
		else if (profile_str(ev, "js_rows"))
			rc = rows_js(d, path, doc, ev, &l);
		else
			device_note(d, "page %s: profile error: events need \"rows\", \"rows_regex\" or \"js_rows\"", path);
		if (rc == 0)
			added += log_keep(d, ev, path, &l);
		rows_free(&l);
	}
	json_decref(wrap);
	return added;
}
