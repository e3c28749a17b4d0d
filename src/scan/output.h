/* scan/output.h — writing fleet-scan rows as they come: a text table (then a summary), JSON
 * Lines (one flushed line per printer), one JSON array (written at the end), or CSV. */
#ifndef MFP_SCAN_OUTPUT_H
#define MFP_SCAN_OUTPUT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

enum scan_format { SCAN_FMT_TEXT, SCAN_FMT_JSONL, SCAN_FMT_JSON, SCAN_FMT_CSV };
#define SCAN_FORMAT_CHOICES "text|jsonl|json|csv"

struct scan_output {
	enum scan_format fmt;
	FILE *out;
	json_t *all;          /* every row (the json format, and the summary) */
};

void scan_output_begin(struct scan_output *o, enum scan_format fmt, FILE *out);
/* Writes one row now (json: kept for the end) and flushes. */
void scan_output_row(struct scan_output *o, const json_t *row);
/* Ends the output: the text summary (counts per status and per finding id; not_scanned > 0 says
 * the scan was stopped), the JSON array. Frees what it kept. */
void scan_output_end(struct scan_output *o, size_t total, size_t not_scanned);

#endif
