/* report/diag_report.h — renderers for a finished diagnosis: terminal text, Markdown, JSON
 * (schema in docs/diagnose.md) and one self-contained HTML file. Pure functions: they never
 * probe. */
#ifndef MFP_REPORT_DIAG_REPORT_H
#define MFP_REPORT_DIAG_REPORT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "diagnose/diagnose.h"

json_t *diag_report_json(const struct diagnosis *dg);
void diag_report_text(FILE *out, const struct diagnosis *dg, bool colour, bool verbose);
void diag_report_md(FILE *out, const struct diagnosis *dg, bool verbose);
void diag_report_html(FILE *out, const struct diagnosis *dg);
/* Nagios/Icinga plugin output (monitoring-plugins guidelines): "MFPDOCTOR STATE - summary |
 * perfdata", then one line per finding. */
void diag_report_nagios(FILE *out, const struct diagnosis *dg);

/* "Xerox WorkCentre 7845" from vendor and model facts, without repeating the vendor when the
 * model already names it; "unknown device" when neither is known. Writes into out. */
const char *diag_device_title(const struct diagnosis *dg, char *out, size_t outsz);

/* "ok", "warning", "critical", "unknown" */
const char *diag_status_name(enum mfp_exit s);

#endif
