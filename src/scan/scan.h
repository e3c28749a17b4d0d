/* scan/scan.h — a fleet scan: the targets (which printers, with what per-printer options) and
 * the engine that diagnoses them a few at a time, each isolated from the others, handing back
 * each printer's report the moment it finishes. The front end (cli/cmd_scan.c) turns results
 * into rows; the engine (scan/engine*.c) never prints. */
#ifndef MFP_SCAN_SCAN_H
#define MFP_SCAN_SCAN_H
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

struct scan_target {
	size_t index;          /* 0-based position in the expanded input */
	char *host;            /* HOST[:SNMP-PORT] handed to diagnose */
	char *origin;          /* where it came from, for messages: "argument 2", "inventory.csv line 12" */
	struct strlist args;   /* per-printer diagnose options (from an inventory), put after the common ones
				* (options after "--"), so a printer's own setting wins */
	struct strlist env;    /* "DEST=SRC": in this printer's run, environment variable DEST gets the value
				* of SRC (a credential *reference*, e.g. MFPDOCTOR_SMTP_PASSWORD=SITE1_SMTP_PW) */
	char *name;            /* the inventory's name for the printer, or NULL */
	char *location;        /* the inventory's location, or NULL */
	char *stem;            /* file name stem for --output-dir: "<index>-<sanitised host>" (0007-10.1.0.5) */
};

struct scan_result {
	const struct scan_target *target;
	json_t *report;        /* diagnose's JSON report (borrowed for the callback), or NULL */
	int exit_code;         /* diagnose's exit code, or -1 when there is no report */
	const char *error;     /* why there is no report (crashed, killed, timed out, bad output), or NULL */
	double started;        /* wall clock at start, seconds since the epoch */
	double elapsed_s;
	json_t *test_send;     /* how the test send was shared, or NULL when none ran:
				* {"fingerprint": "…", "shared": bool, "ran_for": index of the printer whose run
				*  made it, "ran_for_host": "…"} */
};

typedef void (*scan_row_fn)(void *ctx, const struct scan_result *r);

struct scan_engine_cfg {
	int jobs;                          /* printers diagnosed at a time (1-256) */
	int per_server;                    /* test sends at a time per mail server and login (default 3) */
	bool share_tests;                  /* one test send per SMTP settings fingerprint (default true) */
	const struct strlist *common_args; /* options after "--", for every printer */
	const char *output_dir;            /* keep each printer's full report (json/md/html) here, or NULL */
	volatile sig_atomic_t *stop;       /* set (e.g. by SIGINT): start nothing new, end the running ones */
	void (*progress)(void *ctx, size_t done, size_t running, size_t total); /* may be NULL */
};

/* Diagnoses n targets; calls row (from the calling thread) once per target as soon as it is done,
 * in completion order, and progress whenever the counts change. Returns 0, or -1 when it could not
 * start at all (message on stderr). Targets not started because of *stop get no row. */
int scan_engine_run(const struct scan_target *targets, size_t n, const struct scan_engine_cfg *cfg,
		    scan_row_fn row, void *ctx);

#endif
