/* report/plugin_range.c — Nagios threshold ranges and the -w/-c metric lists; see plugin.h.
 * Range syntax (monitoring-plugins developer guidelines, "Threshold and ranges"):
 * "10" = 0..10, "10:" = 10..+inf, "~:10" = -inf..10, "10:20", "@10:20" (alert inside). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/plugin.h"

const char *const plugin_metric_names[PM_COUNT] = {"time", "smtp_time", "cert_days"};

/* One number of a range; the whole of s must be it. */
static int number(const char *s, size_t n, double *out)
{
	char tmp[40], *end;
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (strspn(tmp, "+-0123456789.") != n) /* no "inf", "nan", hex or exponents */
		return -1;
	*out = strtod(tmp, &end);
	return *end || !isfinite(*out) ? -1 : 0;
}

int plugin_range_parse(const char *s, struct plugin_range *r, char *err, size_t errsz)
{
	memset(r, 0, sizeof(*r));
	const char *p = s;
	if (strlen(s) >= sizeof(r->text)) {
		snprintf(err, errsz, "range '%.40s…' is too long", s);
		return -1;
	}
	if (*p == '@')
		r->inside = true, p++;
	const char *colon = strchr(p, ':');
	if (colon && strchr(colon + 1, ':')) {
		snprintf(err, errsz, "range '%s' has more than one ':' (give [@][START:]END)", s);
		return -1;
	}
	if (!colon) {
		r->start = 0;
		if (number(p, strlen(p), &r->end)) {
			snprintf(err, errsz, "range '%s' is not a number or [@][START:]END (examples: 20, 30:, ~:5, 10:20, @10:20)", s);
			return -1;
		}
	} else {
		size_t ns = (size_t)(colon - p);
		if (ns == 1 && *p == '~')
			r->no_start = true;
		else if (number(p, ns, &r->start)) {
			snprintf(err, errsz, "range '%s': the start '%.*s' is not a number or ~", s, (int)(ns > 20 ? 20 : ns), p);
			return -1;
		}
		if (!colon[1])
			r->no_end = true;
		else if (number(colon + 1, strlen(colon + 1), &r->end)) {
			snprintf(err, errsz, "range '%s': the end '%.20s' is not a number", s, colon + 1);
			return -1;
		}
	}
	if (!r->no_start && !r->no_end && r->start > r->end) {
		snprintf(err, errsz, "range '%s': the start is greater than the end", s);
		return -1;
	}
	snprintf(r->text, sizeof(r->text), "%s", s);
	r->set = true;
	return 0;
}

bool plugin_range_alert(const struct plugin_range *r, double v)
{
	if (!r->set)
		return false;
	bool in = (r->no_start || v >= r->start) && (r->no_end || v <= r->end);
	return r->inside ? in : !in;
}

static int metric_index(const char *name, size_t n)
{
	for (int i = 0; i < PM_COUNT; i++)
		if (strlen(plugin_metric_names[i]) == n && strncmp(plugin_metric_names[i], name, n) == 0)
			return i;
	return -1;
}

int plugin_thresholds_parse(const char *s, struct plugin_range *ranges, const char *what, char *err, size_t errsz)
{
	char item[80], why[200];
	const char *p = s;
	if (!*s) {
		snprintf(err, errsz, "%s: give METRIC=RANGE[,METRIC=RANGE] (metrics: time, smtp_time, cert_days)", what);
		return -1;
	}
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(item)) {
			snprintf(err, errsz, "%s '%.60s': an empty or over-long item", what, s);
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		char *eq = strchr(item, '=');
		int m = eq ? metric_index(item, (size_t)(eq - item)) : PM_TIME;
		if (m < 0) {
			snprintf(err, errsz, "%s: unknown metric '%.*s' (metrics: time, smtp_time, cert_days)", what,
				 (int)(eq - item), item);
			return -1;
		}
		if (plugin_range_parse(eq ? eq + 1 : item, &ranges[m], why, sizeof(why))) {
			snprintf(err, errsz, "%s %s: %s", what, plugin_metric_names[m], why);
			return -1;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}
