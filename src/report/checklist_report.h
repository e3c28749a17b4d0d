/* report/checklist_report.h — renderers for the settings checklist (diagnose/checklist.h): JSON
 * (schema in docs/checklist.md), terminal text and Markdown. Pure functions of a built checklist. */
#ifndef MFP_REPORT_CHECKLIST_REPORT_H
#define MFP_REPORT_CHECKLIST_REPORT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "diagnose/checklist.h"

/* Returns a new JSON object. */
json_t *checklist_report_json(const struct checklist *c);
void checklist_report_text(FILE *out, const struct checklist *c, bool colour);
void checklist_report_md(FILE *out, const struct checklist *c);

#endif
