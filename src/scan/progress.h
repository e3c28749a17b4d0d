/* scan/progress.h — the fleet scan's progress line on a terminal's stderr: done/total, failing,
 * running, rate and time left; redrawn in place, cleared before each row and at the end. */
#ifndef MFP_SCAN_PROGRESS_H
#define MFP_SCAN_PROGRESS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct scan_progress {
	bool on;
	FILE *out;
	size_t total, done, running, failing;
	double t0;
	bool shown;
};

/* on: draw at all (default: when out is a terminal). */
void scan_progress_init(struct scan_progress *p, FILE *out, size_t total, bool on);
void scan_progress_counts(struct scan_progress *p, size_t done, size_t running);
/* A finished printer whose status is not ok. */
void scan_progress_failing(struct scan_progress *p);
/* Removes the line (before a row is written to the same terminal, and at the end). */
void scan_progress_clear(struct scan_progress *p);
void scan_progress_draw(struct scan_progress *p);

#endif
