/* diagnose/diagnose.h — the whole diagnosis of one printer: what the device says (SNMP, web,
 * the command line), its events explained, the matching test send that mirrors its settings,
 * the findings of the rules, and the checklist. Data flows one way: diagnose_read() and
 * diagnose_test() gather facts, diagnose_conclude() applies the rules (no I/O), and the
 * renderers in report/diag_report.h print the finished diagnosis. */
#ifndef MFP_DIAGNOSE_DIAGNOSE_H
#define MFP_DIAGNOSE_DIAGNOSE_H
#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "core/device.h"
#include "core/finding.h"
#include "diagnose/checklist.h"
#include "kb/kb.h"
#include "smtp/smtp.h"

/* One setting of the test send and where its value came from. */
struct diag_setting {
	const char *name;     /* "server", "port", "tls", "tls_max", "auth", "user", "from", "to", "ehlo", "size" */
	char *value;
	char *source;         /* "device (snmp 1.3.6…)", "device (web /properties/smtp: Port)", "--port",
				 "profile (AltaLink family)", "default" */
};

/* A device event, explained, and whether the test reproduced it. */
struct diag_event {
	size_t index;                 /* into dev.events */
	bool explained;
	struct kb_explanation e;      /* from the knowledge base (vendor code or SMTP reply) */
	char *reproduced;             /* "yes", "no", "not-reached", "unknown" */
	char *note;                   /* one sentence on the comparison */
};

/* A phase of the run that the time budget cut short: not tested, never a failure. */
struct diag_cut {
	char *phase;                  /* "snmp", "web", "http-identification", "smtp-test" */
	char *why;                    /* one sentence: what was cut, when, and what to do */
};

/* A device value that cannot be used as it is (a malformed address): reported, never sent. */
struct diag_rejected {
	const char *name;             /* setting name: "from" */
	char *value;                  /* sanitised */
	char *why;                    /* what is wrong with it */
	char *where;                  /* where it was read */
	bool from_device;             /* false: the command line */
};

struct diagnosis {
	struct device dev;
	/* the mail service recognised from the SMTP host / banner, or NULL */
	const char *service_id, *service_name;
	/* the vendor and family profiles used, or NULL */
	const char *vendor_id, *family_id;
	/* test send */
	struct smtp_request req;
	struct diag_setting *settings;
	size_t nsettings;
	char *password;               /* owned secret (from env/file/prompt), wiped on free */
	const char **to;              /* owned array of borrowed strings */
	bool test_ran;
	char *test_skipped;           /* why no test send, or NULL */
	bool from_placeholder;        /* no usable From: the test stops before MAIL FROM */
	char from_addr[257];          /* the address inside a device From "Name <addr>" */
	struct diag_rejected *rejected;
	size_t nrejected;
	struct smtp_result smtp;
	/* phases the budget cut short (the SMTP test: smtp.budget_exhausted) */
	struct diag_cut *cuts;
	size_t ncuts;
	/* conclusions */
	struct diag_event *events;
	size_t nevents;
	struct findings findings;
	struct checklist checklist;
	bool have_checklist;
	enum mfp_exit status;         /* 0 ok, 1 warning, 2 critical, 3 unknown */
	double elapsed_ms;
	/* the run itself (diagnose_run_info): the command as typed, secret option values as "***",
	 * and when it started, ISO 8601 with the local time zone ("2026-12-02T04:41:21+01:00") */
	char *command;
	char started[40];
};

/* What the user tells diagnose on the command line (NULL/0 = not given). */
struct diag_overrides {
	const char *server, *from, *user, *ehlo, *service;
	const char *const *to;
	size_t nto;
	long port;
	int tls;                      /* -1 = not given, else enum tls_mode */
	int tls_min, tls_max;         /* 0 = not given */
	int auth;                     /* -1 = not given, else enum auth_mode */
	long long size;               /* 0 = not given */
	enum stage stop_after;        /* STAGE_LAST = not given */
	bool send, insecure, no_test;
	const char *cafile;
	long timeout_ms;
};

/* Adds the user's overrides to the device record as FACT_USER facts (conflicts with what the
 * device said are recorded), then derives the test request from the facts (after
 * diagnose_explain_events: a logged code at the DATA stage makes the test go that far). Each value of the
 * request records its source in dg->settings. Sets dg->test_skipped when no test can run.
 * password (borrowed; may be NULL) is only used, never read from the device. */
void diagnose_mirror(struct diagnosis *dg, const struct diag_overrides *o, const char *password);

/* Explains every device event from the knowledge base (vendor codes narrowed to the device's
 * vendor and family). No I/O. */
void diagnose_explain_events(struct diagnosis *dg);

/* After the test: compares each event's stage with the test's outcome, applies the rules,
 * builds the checklist and fills its observed values, and sets dg->status. No I/O. */
void diagnose_conclude(struct diagnosis *dg, const char *today);

/* Moves every finding whose id is in ids into accepted (--accept: the user knows and accepts
 * it) and sets dg->status again without them. No I/O. */
void diagnose_accept(struct diagnosis *dg, const struct strlist *ids, struct findings *accepted);

/* The rules, each a small pure function (diagnose/rules.c). */
void diagnose_rules(struct diagnosis *dg);

/* Records that the budget cut phase short (why: printf format). */
void diagnose_cut(struct diagnosis *dg, const char *phase, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* True when the test send ran to a verdict (it ran and the budget did not cut it). */
bool diagnose_tested(const struct diagnosis *dg);

/* The finding that puts the blame on a checklist item (side "device" or "service", setting key
 * or service checklist id), or NULL. The blame comes from what each finding names as the cause
 * (diagnose/blame.c), never from the failed stage alone. */
const struct finding *diagnose_blamed(const struct diagnosis *dg, const char *side, const char *setting);

/* Adds a failed service-side item for every blame on a service step the checklist lacks (the
 * mail service was not recognised, so its profile's steps are missing). */
void diagnose_blame_missing(struct diagnosis *dg);

/* Records the run in dg: the command line (argv[0] is the subcommand name; secret option
 * values replaced, see diagnose_command_line) and the start time (now). */
void diagnose_run_info(struct diagnosis *dg, int argc, char *const *argv);

/* "mfpdoctor diagnose HOST --password-file *** ...": argv joined and shell-quoted, the value of
 * every option whose name holds "password", "community", "pass", "secret" or "token" (and of
 * -C) replaced by "***", control characters stripped. A new string. */
char *diagnose_command_line(int argc, char *const *argv);

/* t as "YYYY-MM-DDTHH:MM:SS+HH:MM" in the local time zone. */
void diagnose_iso_time(time_t t, char *out, size_t outsz);

void diagnosis_free(struct diagnosis *dg);

#endif
