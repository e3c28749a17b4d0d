/* report/explain_report.h — renderers for `explain`: JSON (schema in docs/explain.md), terminal
 * text and Markdown written for a non-expert (what it means, at which stage, what to change,
 * how sure we are). Pure functions of a finished explain_result. */
#ifndef MFP_REPORT_EXPLAIN_REPORT_H
#define MFP_REPORT_EXPLAIN_REPORT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "kb/explain.h"

/* Returns a new JSON object. */
json_t *explain_report_json(const struct explain_result *r);
/* colour: ANSI colours (the caller decides: a tty and no NO_COLOR). */
void explain_report_text(FILE *out, const struct explain_result *r, bool colour);
void explain_report_md(FILE *out, const struct explain_result *r);

/* Plain-words helpers shared with the checklist renderer. Each returns a static string. */
const char *explain_stage_words(enum stage s);        /* "login (AUTH)" */
const char *explain_class_words(const char *cls);     /* "permanent failure (5xx): ..." */
const char *explain_confidence_words(const char *c);  /* "documented: ..." */
/* One line on how sure each claim of an explanation is, for reports that show an explanation
 * in a table cell: "stage login (AUTH), sourced · meaning sourced · replies inferred", or
 * "stage not confirmed (unverified guess: login (AUTH)) · meaning unverified". A new string. */
char *explain_claims_brief(const struct kb_explanation *e);

#endif
