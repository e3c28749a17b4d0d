/* cli/cmd_smtp.c — `mfpdoctor smtp`: the stage-by-stage test send, swaks-like, with every
 * option a printer can have. Parses options into a request, runs the probe, applies the rules,
 * renders, and maps the result to the exit-code contract. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/secret.h"
#include "report/smtp_report.h"
#include "smtp/smtp.h"
#include "util/redact.h"

enum {
	O_AUTH, O_BUDGET, O_CAFILE, O_EHLO, O_FORMAT, O_FROM, O_INSECURE, O_NO_FOLLOWUPS, O_PASSWORD, O_PASSWORD_FILE,
	O_PORT, O_SEND, O_SERVER, O_SIZE, O_STOP_AFTER, O_TIMEOUT, O_TLS, O_TLS_MAX, O_TLS_MIN, O_TO, O_USER,
	O_VERBOSE,
};

/* Sorted by long name (checked by tests/unit/test_cli.c). */
static const struct cli_opt opts[] = {
	{"auth", 'a', CLI_VALUE, O_AUTH, AUTH_MODE_CHOICES, "login method (default: auto when --user is given, else none)", "Login"},
	{"budget", 0, CLI_VALUE, O_BUDGET, "SECONDS", "time limit for the whole run, confirmation probes included (default 4x --timeout + 10 s); stages it cuts off are reported as not tested (exit 3)", "Connection"},
	{"cafile", 0, CLI_VALUE, O_CAFILE, "FILE", "trust the CA certificates in FILE (PEM) as well", "TLS"},
	{"ehlo", 0, CLI_VALUE, O_EHLO, "NAME", "name sent in EHLO, as the device would (default: this host's name)", "Message"},
	{"format", 'f', CLI_VALUE, O_FORMAT, "text|json|md", "output format (default text)", "Output"},
	{"from", 0, CLI_VALUE, O_FROM, "ADDR", "envelope and header sender (default: --user if it is an address)", "Message"},
	{"insecure", 'k', CLI_FLAG, O_INSECURE, NULL, "do not enforce certificate checks (still reported)", "TLS"},
	{"no-followups", 0, CLI_FLAG, O_NO_FOLLOWUPS, NULL, "no confirmation probes (other TLS mode on the same port)", "Connection"},
	{"password", 0, CLI_VALUE, O_PASSWORD, "PASS", "password on the command line (discouraged: warns; use MFPDOCTOR_SMTP_PASSWORD)", "Login"},
	{"password-file", 0, CLI_VALUE, O_PASSWORD_FILE, "FILE", "read the password from the first line of FILE", "Login"},
	{"port", 'p', CLI_VALUE, O_PORT, "N", "server port (default 465 with --tls implicit, else 587)", "Connection"},
	{"send", 0, CLI_FLAG, O_SEND, NULL, "deliver for real, with a PDF attachment of --size bytes", "Message"},
	{"server", 's', CLI_VALUE, O_SERVER, "HOST", "SMTP server name or address (required)", "Connection"},
	{"size", 0, CLI_VALUE, O_SIZE, "BYTES", "attachment size like a scan: 2M (default), 500K, 10485760", "Message"},
	{"stop-after", 0, CLI_VALUE, O_STOP_AFTER, "connect|tls|auth|mail|rcpt|data", "last stage to run without --send (default rcpt; data: the server's answer to DATA, no message sent)", "Connection"},
	{"timeout", 't', CLI_VALUE, O_TIMEOUT, "SECONDS", "limit for each network step: the longest wait for the next reply line, the TCP connection or a TLS handshake (default 15)", "Connection"},
	{"tls", 0, CLI_VALUE, O_TLS, TLS_MODE_CHOICES, "auto: implicit on 465, else STARTTLS when offered", "TLS"},
	{"tls-max", 0, CLI_VALUE, O_TLS_MAX, TLS_VERSION_CHOICES, "highest TLS version, to emulate old firmware", "TLS"},
	{"tls-min", 0, CLI_VALUE, O_TLS_MIN, TLS_VERSION_CHOICES, "lowest TLS version (1.0 really works, despite OpenSSL's default floor)", "TLS"},
	{"to", 0, CLI_VALUE, O_TO, "ADDR", "recipient, repeatable (default: the sender)", "Message"},
	{"user", 'u', CLI_VALUE, O_USER, "USER", "login name (password from MFPDOCTOR_SMTP_PASSWORD, --password-file or a prompt)", "Login"},
	{"verbose", 'v', CLI_FLAG, O_VERBOSE, NULL, "add the redacted transcript", "Output"},
};

#define MAX_TO 64

struct smtp_cfg {
	struct smtp_request req;
	const char *to[MAX_TO];
	bool auth_set;
	const char *password_argv, *password_file;
	int format; /* 0 text, 1 json, 2 md */
	bool verbose;
	long budget_ms; /* 0 = from --timeout */
};

static int parse_tlsver(const char *opt, const char *v, int *out, char *err, size_t errsz)
{
	int i = cli_parse_choice(opt, v, TLS_VERSION_CHOICES, err, errsz);
	if (i < 0)
		return -1;
	*out = 10 + i;
	return 0;
}

static int set_ehlo(struct smtp_request *q, const char *v, char *err, size_t errsz)
{
	for (const char *p = v; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr(".-_[]:", *p))) {
			snprintf(err, errsz, "--ehlo: '%.60s' is not a host name (letters, digits, '.', '-')", v);
			return -1;
		}
	if (!*v || strlen(v) > 255) {
		snprintf(err, errsz, "--ehlo: give a host name of 1 to 255 characters");
		return -1;
	}
	q->ehlo = v;
	return 0;
}

/* Stage names are accepted too (explain's "reveal" commands use them). */
static int set_stop_after(struct smtp_request *q, const char *v, char *err, size_t errsz)
{
	static const enum stage map[] = {STAGE_CONNECT, STAGE_TLS_HANDSHAKE, STAGE_AUTH, STAGE_MAIL_FROM,
					 STAGE_RCPT_TO, STAGE_DATA, STAGE_CONNECT, STAGE_TLS_HANDSHAKE,
					 STAGE_TLS_HANDSHAKE, STAGE_TLS_HANDSHAKE, STAGE_TLS_HANDSHAKE, STAGE_MAIL_FROM,
					 STAGE_RCPT_TO};
	if (strcmp(v, "end-of-data") == 0 || strcmp(v, "quit") == 0) {
		snprintf(err, errsz, "--stop-after %s: that stage is reached only by delivering a message; use --send instead", v);
		return -1;
	}
	int i = cli_parse_choice("stop-after", v,
				 "connect|tls|auth|mail|rcpt|data|banner|ehlo|starttls|tls-handshake|ehlo-after-tls|mail-from|rcpt-to",
				 err, errsz);
	if (i < 0)
		return -1;
	q->stop_after = map[i];
	return 0;
}

static int set_to(struct smtp_cfg *c, const char *v, char *err, size_t errsz)
{
	struct smtp_request *q = &c->req;
	if (q->nto >= MAX_TO) {
		snprintf(err, errsz, "--to: at most %d recipients", MAX_TO);
		return -1;
	}
	if (!strchr(v, '@') || strpbrk(v, " <>\r\n")) {
		snprintf(err, errsz, "--to: '%.60s' is not an e-mail address", v);
		return -1;
	}
	c->to[q->nto++] = v;
	return 0;
}

static int set(void *vcfg, int id, const char *v, char *err, size_t errsz)
{
	struct smtp_cfg *c = vcfg;
	struct smtp_request *q = &c->req;
	long n;
	int i;
	switch (id) {
	case O_AUTH:
		if ((i = cli_parse_choice("auth", v, AUTH_MODE_CHOICES, err, errsz)) < 0)
			return -1;
		q->auth = (enum auth_mode)i;
		c->auth_set = true;
		return 0;
	case O_BUDGET:
		if (cli_parse_long("budget", v, 1, 3600, &n, err, errsz))
			return -1;
		c->budget_ms = n * 1000;
		return 0;
	case O_CAFILE: q->cafile = v; return 0;
	case O_EHLO: return set_ehlo(q, v, err, errsz);
	case O_FORMAT:
		if ((i = cli_parse_choice("format", v, "text|json|md", err, errsz)) < 0)
			return -1;
		c->format = i;
		return 0;
	case O_FROM: q->from = v; return 0;
	case O_INSECURE: q->insecure = true; return 0;
	case O_NO_FOLLOWUPS: q->followups = false; return 0;
	case O_PASSWORD: c->password_argv = v; return 0;
	case O_PASSWORD_FILE: c->password_file = v; return 0;
	case O_PORT:
		if (cli_parse_long("port", v, 1, 65535, &n, err, errsz))
			return -1;
		q->port = n;
		return 0;
	case O_SEND: q->send = true; return 0;
	case O_SERVER:
		if (!*v || strlen(v) > 253 || strpbrk(v, " /\\@?#\r\n\t")) {
			snprintf(err, errsz, "--server: '%.60s' is not a host name or address", v);
			return -1;
		}
		q->server = v;
		return 0;
	case O_SIZE: return cli_parse_size("size", v, &q->size, err, errsz);
	case O_STOP_AFTER: return set_stop_after(q, v, err, errsz);
	case O_TIMEOUT:
		if (cli_parse_long("timeout", v, 1, 600, &n, err, errsz))
			return -1;
		q->timeout_ms = n * 1000;
		return 0;
	case O_TLS:
		if ((i = cli_parse_choice("tls", v, TLS_MODE_CHOICES, err, errsz)) < 0)
			return -1;
		q->tls = (enum tls_mode)i;
		return 0;
	case O_TLS_MAX: return parse_tlsver("tls-max", v, &q->tls_max, err, errsz);
	case O_TLS_MIN: return parse_tlsver("tls-min", v, &q->tls_min, err, errsz);
	case O_TO: return set_to(c, v, err, errsz);
	case O_USER: q->user = v; return 0;
	case O_VERBOSE: c->verbose = true; return 0;
	}
	return -1;
}

/* Parses the command line and checks that the request can run. Returns 0, or the exit code. */
static int smtp_args(const struct cli_cmd *self, int argc, char **argv, struct smtp_cfg *c)
{
	char **pos = calloc((size_t)argc + 1, sizeof(*pos));
	int npos = 0;
	int rc = cli_parse(self, argc, argv, c, set, pos, &npos);
	if (rc) {
		free(pos);
		return rc == 1 ? -1 : rc;
	}
	if (npos == 1 && !c->req.server)
		c->req.server = pos[0];
	else if (npos) {
		fprintf(stderr, "mfpdoctor smtp: unexpected argument '%.60s'\nTry 'mfpdoctor smtp --help'.\n", pos[0]);
		free(pos);
		return MFP_EXIT_USAGE;
	}
	free(pos);
	struct smtp_request *q = &c->req;
	const char *why = NULL;
	if (!c->auth_set)
		q->auth = q->user ? AUTH_AUTO : AUTH_NONE;
	if (!q->from && q->user && strchr(q->user, '@'))
		q->from = q->user;
	if (!q->server)
		why = "--server HOST is required\nTry 'mfpdoctor smtp --help'.";
	else if (q->tls_min && q->tls_max && q->tls_min > q->tls_max)
		why = "--tls-min is higher than --tls-max";
	else if (q->auth != AUTH_NONE && !q->user)
		why = "--auth needs --user";
	else if (!q->from)
		why = "--from ADDR is required (the device's sender address)";
	if (why) {
		fprintf(stderr, "mfpdoctor smtp: %s\n", why);
		return MFP_EXIT_USAGE;
	}
	if (!q->nto)
		c->to[q->nto++] = q->from;
	q->to = c->to;
	q->budget_ms = c->budget_ms ? c->budget_ms : q->timeout_ms * 4 + 10000;
	return 0;
}

/* The password, registered for redaction in every encoded form before any output. Returns 0, or
 * the exit code when a password source was given and could not be read. */
static int smtp_password(struct smtp_cfg *c, char **password)
{
	struct smtp_request *q = &c->req;
	*password = NULL;
	if (!q->user || q->auth == AUTH_NONE)
		return 0;
	char err[300];
	struct secret_source src = {"SMTP password", "MFPDOCTOR_SMTP_PASSWORD", c->password_file, c->password_argv,
				    "--password", 1};
	*password = secret_get(&src, err, sizeof(err));
	if (!*password && err[0]) {
		fprintf(stderr, "mfpdoctor smtp: %s\n", err);
		return MFP_EXIT_USAGE;
	}
	if (!*password) {
		fputs("mfpdoctor smtp: no password given (MFPDOCTOR_SMTP_PASSWORD, --password-file); the test stops "
		      "before the login and cannot check it\n", stderr);
		if (q->stop_after > STAGE_AUTH)
			q->stop_after = STAGE_AUTH;
	}
	q->password = *password;
	if (*password)
		redact_add_credential(q->user, *password);
	return 0;
}

/* Prints the report through the redacting sink: the final safety net for every form of a secret. */
static void smtp_print(const struct smtp_cfg *c, const struct smtp_result *res)
{
	struct redact_sink k;
	FILE *out = redact_sink_open(&k);
	if (!out)
		out = stdout;
	if (c->format == 1) {
		json_t *j = smtp_report_json(&c->req, res);
		json_print(out, j);
		json_decref(j);
	} else if (c->format == 2) {
		smtp_report_md(out, &c->req, res, c->verbose);
	} else {
		smtp_report_text(out, &c->req, res, cli_use_colour(stdout), c->verbose);
	}
	if (out != stdout)
		redact_sink_close(&k, stdout);
}

static int run(const struct cli_cmd *self, int argc, char **argv)
{
	struct smtp_cfg c = {
		.req = {.tls = TLS_AUTO, .auth = AUTH_NONE, .stop_after = STAGE_RCPT_TO, .size = 2 * 1024 * 1024,
			.timeout_ms = 15000, .followups = true},
	};
	int rc = smtp_args(self, argc, argv, &c);
	if (rc)
		return rc < 0 ? MFP_EXIT_OK : rc;
	char *password;
	if ((rc = smtp_password(&c, &password)) != 0)
		return rc;
	struct smtp_result res = {0};
	smtp_probe(&c.req, &res);
	smtp_rules_apply(&c.req, &res);
	int ex = smtp_result_exit(&res);
	smtp_print(&c, &res);
	smtp_result_free(&res);
	secret_free(password);
	redact_clear();
	kb_unload();
	return ex;
}

const struct cli_cmd cmd_smtp = {
	.name = "smtp",
	.summary = "stage-by-stage SMTP test send that behaves like a printer",
	.usage = "smtp --server HOST [--port N] [--tls MODE] [--user U] --from ADDR [--to ADDR]... [options]",
	.description =
		"Connects like a printer would, runs every SMTP stage (connect, banner, EHLO, STARTTLS, TLS,\n"
		"AUTH, MAIL FROM, RCPT TO), and says where and why it fails. Nothing is delivered unless --send.\n"
		"The password comes from MFPDOCTOR_SMTP_PASSWORD, --password-file or a prompt.\n"
		"--timeout is per step: each reply line (or the connection, a TLS handshake) may take that long;\n"
		"a slow but answering server passes. --budget caps the whole run; what it cuts off is not tested.\n"
		"Exit: 0 passed, 1 passed with warnings, 2 failed, 3 could not test, 64 usage error.",
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.run = run,
};
