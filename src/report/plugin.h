/* report/plugin.h — the monitoring-plugin form of a diagnosis (`mfpdoctor check`): Nagios range
 * thresholds ([@][start:]end, ~ for minus infinity), the stable perfdata set, the text
 * sanitiser that keeps out what Nagios strips from macros (` ~ $ & | ' " < >), and the
 * renderer: "MFPDOCTOR STATE - summary | perfdata", then the long output by verbosity. */
#ifndef MFP_REPORT_PLUGIN_H
#define MFP_REPORT_PLUGIN_H
#include <stdbool.h>
#include <stdio.h>

#include "diagnose/diagnose.h"

/* A Nagios range: alert when the value is outside [start, end] (inside with '@'). */
struct plugin_range {
	bool set;
	bool inside;          /* '@': alert when start <= value <= end */
	bool no_start;        /* "~": start is minus infinity */
	bool no_end;          /* "N:": end is plus infinity */
	double start, end;
	char text[40];        /* as given, for the perfdata field */
};

/* Parses "[@][start:]end", "start:", "~:end", "@start:end" ... into r. Returns 0, or -1 with a
 * message naming what is wrong in err. */
int plugin_range_parse(const char *s, struct plugin_range *r, char *err, size_t errsz);
/* True when value makes the range alert. */
bool plugin_range_alert(const struct plugin_range *r, double value);

/* The metrics that take thresholds, in perfdata order. */
enum plugin_metric { PM_TIME, PM_SMTP_TIME, PM_CERT_DAYS, PM_COUNT };
extern const char *const plugin_metric_names[PM_COUNT]; /* "time", "smtp_time", "cert_days" */

struct plugin_opts {
	struct plugin_range warn[PM_COUNT], crit[PM_COUNT];
	int verbosity;                   /* 0-3 (-v repeated) */
	int timeout_state;               /* state when the time limit ended the run (-t N:STATE; default 3) */
	long timeout_s;                  /* -t */
	const struct findings *accepted; /* findings taken out by --accept (listed as "accepted:") */
	const struct strlist *notes;     /* extra long-output lines: warnings of this run (e.g. --password) */
};

/* Parses a -w/-c value "METRIC=RANGE[,METRIC=RANGE...]" (a bare RANGE means time) into
 * ranges[PM_COUNT]. what is "-w" or "-c" for messages. Returns 0 or -1 (message in err). */
int plugin_thresholds_parse(const char *s, struct plugin_range *ranges, const char *what, char *err, size_t errsz);

/* Replaces what Nagios strips from macro output, and control characters, in place of a new
 * string: ' → ’, " → ”, ` → ’, < → ‹, > → ›, -> → →, & → +, | → /, $ → ＄, ~ → ∼. Cut to max
 * bytes (on a character boundary, with "…"). */
char *plugin_sanitize(const char *s, size_t max);

/* The metric's value for dg, or false when it is unknown (printed as U). */
bool plugin_metric_value(const struct diagnosis *dg, enum plugin_metric m, double *out);

/* The plugin state (0-3) for dg under the thresholds and the time-limit state. */
int plugin_state(const struct diagnosis *dg, const struct plugin_opts *po);

/* Writes the perfdata (without the leading " | ") for dg. */
void plugin_perfdata(FILE *out, const struct diagnosis *dg, const struct plugin_opts *po);

/* The whole plugin output; returns the state (the exit code). */
int plugin_report(FILE *out, const struct diagnosis *dg, const struct plugin_opts *po);

#endif
