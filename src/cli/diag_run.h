/* cli/diag_run.h — the diagnosis as a function, for callers other than main (scan's workers):
 * the same command line as `mfpdoctor diagnose`, with hooks to route the report and to share a
 * test send between printers with the same SMTP settings. */
#ifndef MFP_CLI_DIAG_RUN_H
#define MFP_CLI_DIAG_RUN_H
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "smtp/smtp.h"

struct diag_hooks {
	void *ctx;
	/* Runs the test send for req into res (default: smtp_probe). It may instead fill res with
	 * the raw result of an identical test run elsewhere; the rules are applied afterwards.
	 * Returns 1 in that case, its last res->transcript line being "** " + a sentence that says
	 * whose result it is (diagnose adds that sentence to the report's notes); else 0 or -1. */
	int (*test_send)(void *ctx, const struct smtp_request *req, struct smtp_result *res);
	/* Where the report goes instead of standard output / --output (NULL: as the options say). */
	FILE *out;
	/* When set, the report is also written as STEM.json, STEM.md and STEM.html (scan --output-dir). */
	const char *save_stem;
	/* A scan worker whose process ends right after: the knowledge base and vendor profiles it
	 * inherited loaded are left as they are (freeing them would copy every page they are on). */
	bool worker;
};

/* Runs diagnose (plugin false) or check (plugin true) on argv (argv[0] is the subcommand name);
 * hooks may be NULL. Returns the exit code. Global state (secrets registry, loaded profiles) is
 * cleared before it returns (loaded profiles not for a worker), so it may be called again in the
 * same process. */
int diag_run(const struct cli_cmd *self, int argc, char **argv, bool plugin, const struct diag_hooks *hooks);

#endif
