/* cli/diag_cfg.h — what `diagnose` and `check` share inside cli/: the option ids of the shared
 * options, the run's configuration, the setter for those options, and the run in steps (parse
 * and read the secrets, diagnose, render, clean up). Each command has its own sorted table;
 * `check` adds its own options (cli/cmd_check.c) and calls these steps itself. */
#ifndef MFP_CLI_DIAG_CFG_H
#define MFP_CLI_DIAG_CFG_H
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/diag_run.h"
#include "cli/opt_snmp.h"
#include "device/web_read.h"
#include "diagnose/diagnose.h"
#include "record/rec.h"
#include "report/plugin.h"

/* Ids of the shared options (SNMP options use OS_* from opt_snmp.h). */
enum {
	O_AUTH, O_BUDGET, O_CAFILE, O_EHLO, O_FAMILY, O_FORMAT, O_FROM, O_HTTP, O_INSECURE, O_NO_SNMP, O_NO_TEST, O_NO_WEB,
	O_OUTPUT, O_PASSWORD, O_PASSWORD_FILE, O_PORT, O_SEND, O_SERVER, O_SERVICE, O_SIZE, O_STOP_AFTER, O_TIMEOUT,
	O_TLS, O_TLS_MAX, O_TLS_MIN, O_TO, O_USER, O_VENDOR, O_VERBOSE, O_WEB_CAFILE, O_WEB_INSECURE,
	O_WEB_PASSWORD_FILE, O_WEB_PIN, O_WEB_PORT, O_WEB_USER, O_REPLAY,
	O_DIAG_NEXT /* the first id a command may use for its own options */
};

#define DIAG_MAX_TO 32

/* The option rows `diagnose` and `check` share, written once; each command places them in its own
 * sorted table. */
#define DIAG_OPT_AUTH {"auth", 'a', CLI_VALUE, O_AUTH, AUTH_MODE_CHOICES, "SMTP login method, instead of the device's", "SMTP test send"}
#define DIAG_OPT_CAFILE {"cafile", 0, CLI_VALUE, O_CAFILE, "FILE", "extra CA certificates (PEM) for the mail server", "SMTP test send"}
#define DIAG_OPT_EHLO {"ehlo", 0, CLI_VALUE, O_EHLO, "NAME", "EHLO name, instead of the device's host name", "SMTP test send"}
#define DIAG_OPT_FAMILY {"family", 0, CLI_VALUE, O_FAMILY, "ID", "model family id (from devices/<vendor>.json), instead of detecting it", "Device"}
#define DIAG_OPT_FROM {"from", 0, CLI_VALUE, O_FROM, "ADDR", "sender address, instead of the device's", "SMTP test send"}
#define DIAG_OPT_HTTP {"http", 0, CLI_FLAG, O_HTTP, NULL, "allow reading the web pages over plain HTTP when the device has no HTTPS", "Web pages"}
#define DIAG_OPT_INSECURE {"insecure", 'k', CLI_FLAG, O_INSECURE, NULL, "do not enforce the mail server's certificate checks (still reported)", "SMTP test send"}
#define DIAG_OPT_NO_SNMP {"no-snmp", 0, CLI_FLAG, O_NO_SNMP, NULL, "do not read the device over SNMP", "Device"}
#define DIAG_OPT_NO_TEST {"no-test", 0, CLI_FLAG, O_NO_TEST, NULL, "do not run the test send (read and explain only)", "SMTP test send"}
#define DIAG_OPT_NO_WEB {"no-web", 0, CLI_FLAG, O_NO_WEB, NULL, "do not read the device's web pages (no HTTP request at all)", "Device"}
#define DIAG_OPT_PASSWORD_FILE {"password-file", 0, CLI_VALUE, O_PASSWORD_FILE, "FILE", "SMTP password file (or MFPDOCTOR_SMTP_PASSWORD, or a prompt)", "SMTP test send"}
#define DIAG_OPT_PORT {"port", 'p', CLI_VALUE, O_PORT, "N", "SMTP port, instead of the device's", "SMTP test send"}
#define DIAG_OPT_REPLAY {"replay", 0, CLI_VALUE, O_REPLAY, "DIR", "read the device from a recording (mfpdoctor record), not the network; the test send runs only with --server", "Device"}
#define DIAG_OPT_SEND {"send", 0, CLI_FLAG, O_SEND, NULL, "deliver a test message for real (reaches data and end-of-data)", "SMTP test send"}
#define DIAG_OPT_SERVER {"server", 's', CLI_VALUE, O_SERVER, "HOST", "SMTP server, instead of the device's", "SMTP test send"}
#define DIAG_OPT_SERVICE {"service", 0, CLI_VALUE, O_SERVICE, "ID", "mail service id (devices/mail/ID.json), instead of recognising it", "SMTP test send"}
#define DIAG_OPT_SIZE {"size", 0, CLI_VALUE, O_SIZE, "BYTES", "scan size for the test message (default: the device's limit, else 2M)", "SMTP test send"}
#define DIAG_OPT_STOP_AFTER {"stop-after", 0, CLI_VALUE, O_STOP_AFTER, "connect|tls|auth|mail|rcpt|data", "last stage of the test send without --send (default: rcpt, or data when a logged code points there)", "SMTP test send"}
#define DIAG_OPT_TLS {"tls", 0, CLI_VALUE, O_TLS, TLS_MODE_CHOICES, "SMTP connection security, instead of the device's", "SMTP test send"}
#define DIAG_OPT_TLS_MAX {"tls-max", 0, CLI_VALUE, O_TLS_MAX, TLS_VERSION_CHOICES, "highest TLS version, instead of the device's", "SMTP test send"}
#define DIAG_OPT_TLS_MIN {"tls-min", 0, CLI_VALUE, O_TLS_MIN, TLS_VERSION_CHOICES, "lowest TLS version for the test send", "SMTP test send"}
#define DIAG_OPT_TO {"to", 0, CLI_VALUE, O_TO, "ADDR", "recipient of the test (repeatable; default: the device's From address)", "SMTP test send"}
#define DIAG_OPT_USER {"user", 'u', CLI_VALUE, O_USER, "USER", "SMTP login name, instead of the device's", "SMTP test send"}
#define DIAG_OPT_VENDOR {"vendor", 0, CLI_VALUE, O_VENDOR, "ID", "printer vendor id (devices/ID.json), instead of identifying it", "Device"}
#define DIAG_OPT_WEB_CAFILE {"web-cafile", 0, CLI_VALUE, O_WEB_CAFILE, "FILE", "trust the device's web certificate through this CA file", "Web pages"}
#define DIAG_OPT_WEB_INSECURE {"web-insecure", 0, CLI_FLAG, O_WEB_INSECURE, NULL, "read the web pages without verifying the certificate (fingerprint still shown)", "Web pages"}
#define DIAG_OPT_WEB_PASSWORD_FILE {"web-password-file", 0, CLI_VALUE, O_WEB_PASSWORD_FILE, "FILE", "web admin password file (or MFPDOCTOR_WEB_PASSWORD)", "Web pages"}
#define DIAG_OPT_WEB_PIN {"web-pin", 0, CLI_VALUE, O_WEB_PIN, "SHA256:…", "trust the device's web certificate with this fingerprint", "Web pages"}
#define DIAG_OPT_WEB_PORT {"web-port", 0, CLI_VALUE, O_WEB_PORT, "N", "web server port (default 443, or 80 with --http)", "Web pages"}
#define DIAG_OPT_WEB_USER {"web-user", 0, CLI_VALUE, O_WEB_USER, "USER", "web admin login (or MFPDOCTOR_WEB_USER; default: the profile's)", "Web pages"}

struct diag_cfg {
	struct opt_snmp snmp;
	struct web_options web;
	struct diag_overrides ov;
	const char *to[DIAG_MAX_TO];
	const char *password_argv, *password_file, *web_password_file, *output, *vendor, *family, *service, *replay;
	const char *host_or_replay; /* set by --replay (and by check's -H): the positional host may be left out */
	const char *hostname;       /* check's -H */
	struct replay rp;           /* loaded with --replay */
	bool no_snmp, no_web, verbose;
	int format;                 /* 0 text 1 json 2 md 3 html 4 plugin */
	long timeout_s, budget_s;
	long end_margin_ms;         /* the run's deadline comes this much before budget_s (check: time to print) */
	const char *budget_opt;     /* how messages name the budget: "--budget" or "-t" */
	double deadline;            /* clock_ms() by which the run ends */
	const struct diag_hooks *hooks; /* NULL from the command line */
	/* check only: its options and where errors go (the status line) instead of stderr */
	struct plugin_opts *plugin;
	struct strlist accept;      /* --accept ids */
	char err[400];
	/* the command line (diag_setup keeps it for the report) */
	int argc;
	char **argv;
	/* the secrets, read by diag_setup */
	char *smtp_pw, *web_pw;
	FILE *out;
};

/* Defaults of `diagnose` (per-step limit 10 s, budget 120 s). */
void diag_cfg_init(struct diag_cfg *c);
/* The setter for the shared options (cli_setter). */
int diag_cfg_set(void *cfg, int id, const char *v, char *err, size_t errsz);
/* Reports an error: on stderr as "mfpdoctor CMD: ...", or (check) kept in c->err (the first). */
void diag_error(struct diag_cfg *c, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Parses argv with set (which handles the command's own ids and hands the rest to
 * diag_cfg_set), opens --replay, reads the secrets (registered for redaction at once) and the
 * output file. Returns -1 to go on, 1 after --help, or the exit code of the error (reported). */
int diag_setup(const struct cli_cmd *self, int argc, char **argv, struct diag_cfg *c, cli_setter set,
	       const char **host);
/* Reads the device, runs the test send and concludes, inside the budget: dg is filled. */
void diag_execute(struct diag_cfg *c, struct diagnosis *dg, const char *host);
/* Renders dg in c->format through the redacting sink to out; returns the plugin state for
 * format 4, else dg->status. */
int diag_render(struct diag_cfg *c, struct diagnosis *dg, FILE *out);
/* Frees the secrets, the recording and global state (redaction registry, profiles). */
void diag_cleanup(struct diag_cfg *c);

/* `check` (cli/cmd_check.c): the plugin run; diag_run(plugin=true) comes here. */
int check_run(const struct cli_cmd *self, int argc, char **argv, const struct diag_hooks *hooks);

#endif
