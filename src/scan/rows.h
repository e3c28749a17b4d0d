/* scan/rows.h — one row per printer of a fleet scan, built from the engine's result: where it
 * came from, what diagnose learned (identity, SMTP endpoint, every finding), how long it took. */
#ifndef MFP_SCAN_ROWS_H
#define MFP_SCAN_ROWS_H
#include <jansson.h>

#include "scan/scan.h"

/* The row (a new object; key order is stable, absent values are null). output_dir is the
 * --output-dir (the row names the report file kept there), or NULL. */
json_t *scan_row(const struct scan_result *r, const char *output_dir);

/* The exit-code contract of a row: 0 ok, 1 warning, 2 critical, 3 unknown or error. */
int scan_row_exit(const json_t *row);

/* "2026-12-02T03:40:32Z" for t (seconds since the epoch) into out (at least 21 bytes). */
void scan_iso8601(double t, char *out, size_t outsz);

#endif
