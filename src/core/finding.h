/* core/finding.h — what rules conclude: a finding with severity, evidence, fix and sources,
 * and the one mapping from the worst severity to the exit-code contract. */
#ifndef MFP_CORE_FINDING_H
#define MFP_CORE_FINDING_H
#include <stddef.h>
#include "util/buf.h"

/* Ordered: a larger value is worse (worst_severity relies on it). */
enum severity { SEV_OK = 0, SEV_INFO, SEV_WARN, SEV_FAIL };

struct finding {
	char *id;        /* stable identifier, e.g. "auth-after-starttls" */
	enum severity sev;
	char *title;     /* what is wrong, one line, in helpdesk words */
	char *evidence;  /* what we saw (server's own words quoted, already sanitised) */
	char *fix;       /* what to change */
	struct strlist sources;
	int rank;        /* among equal severities, higher first (e.g. the cause of the test's failure) */
};

struct findings {
	struct finding *v;
	size_t n, cap;
};

/* Adds a finding; copies every string. sources is a NULL-terminated list or NULL.
 * Returns a borrowed pointer to the new finding (valid until the next add). */
struct finding *findings_add(struct findings *fs, const char *id, enum severity sev,
			     const char *title, const char *evidence, const char *fix,
			     const char *const *sources);
const struct finding *findings_get(const struct findings *fs, const char *id);
void findings_sort(struct findings *fs);          /* worst first, then higher rank, stable */
enum severity findings_worst(const struct findings *fs);
void findings_free(struct findings *fs);

const char *severity_name(enum severity s);

/* Exit-code contract shared by every subcommand (README "Exit codes"). */
enum mfp_exit {
	MFP_EXIT_OK = 0,        /* passed / no problem found */
	MFP_EXIT_WARNING = 1,   /* passed with warnings */
	MFP_EXIT_CRITICAL = 2,  /* failed: scan-to-email will fail */
	MFP_EXIT_UNKNOWN = 3,   /* could not test / could not diagnose / nothing to explain */
	MFP_EXIT_USAGE = 64,    /* usage error (EX_USAGE) */
};

#endif
