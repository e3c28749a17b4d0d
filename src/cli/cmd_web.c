/* cli/cmd_web.c — `mfpdoctor web HOST`: read the printer's own web pages (read-only) for its
 * e-mail settings and send errors, and print what was read with where each value came from.
 * Parses options, reads the password with secret_get, runs web_read, renders, and maps the
 * outcome to the exit-code contract: 0 read without problems, 1 read with notes (something
 * could not be read), 3 nothing could be read, 64 usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/opt_replay.h"
#include "cli/secret.h"
#include "core/device.h"
#include "core/finding.h"
#include "device/web_read.h"
#include "report/smtp_report.h"
#include "report/web_report.h"
#include "util/redact.h"

enum {
	O_FAMILY, O_FORMAT, O_HTTP, O_MAX_PAGE, O_TIMEOUT, O_VENDOR, O_VERBOSE, O_CAFILE, O_INSECURE, O_PASSWORD_FILE,
	O_PIN, O_PORT, O_USER, O_REPLAY,
};

/* Sorted by long name (checked by tests/unit/test_web_extract.c). */
static const struct cli_opt opts[] = {
	{"family", 0, CLI_VALUE, O_FAMILY, "ID", "model family id from devices/<vendor>.json (chooses the page set)", "Device"},
	{"format", 'f', CLI_VALUE, O_FORMAT, "text|json|md", "output format (default text)", "Output"},
	{"http", 0, CLI_FLAG, O_HTTP, NULL, "allow plain HTTP when the device offers no HTTPS (the report says so)", "Connection"},
	{"max-page-size", 0, CLI_VALUE, O_MAX_PAGE, "BYTES", "stop reading a page after BYTES (default 2097152)", "Connection"},
	{"replay", 0, CLI_VALUE, O_REPLAY, "DIR", "read the pages from a recording (mfpdoctor record) instead of the network; HOST may be left out", "Connection"},
	{"timeout", 't', CLI_VALUE, O_TIMEOUT, "SECONDS", "limit for each request (default 15); the whole read gets 4x + 10 s", "Connection"},
	{"vendor", 0, CLI_VALUE, O_VENDOR, "ID", "vendor profile (xerox, hp, kyocera, …): skip identification", "Device"},
	{"verbose", 'v', CLI_FLAG, O_VERBOSE, NULL, "add each response's header lines to the request list (secrets redacted)", "Output"},
	{"web-cafile", 0, CLI_VALUE, O_CAFILE, "FILE", "trust the CA certificates in FILE (PEM) for the device's HTTPS", "TLS"},
	{"web-insecure", 'k', CLI_FLAG, O_INSECURE, NULL, "do not verify the device's certificate (fingerprint still shown)", "TLS"},
	{"web-password-file", 0, CLI_VALUE, O_PASSWORD_FILE, "FILE", "read the web admin password from the first line of FILE", "Login"},
	{"web-pin", 0, CLI_VALUE, O_PIN, "SHA256:…", "trust exactly the certificate with this SHA-256 fingerprint", "TLS"},
	{"web-port", 'p', CLI_VALUE, O_PORT, "N", "web server port (default 443, or 80 with --http when HTTPS is absent)", "Connection"},
	{"web-user", 'u', CLI_VALUE, O_USER, "USER", "web admin login name (or MFPDOCTOR_WEB_USER; default: the profile's)", "Login"},
};

struct web_cfg {
	struct web_options o;
	const char *password_file, *replay;
	int format;
};

static int set(void *vcfg, int id, const char *v, char *err, size_t errsz)
{
	struct web_cfg *c = vcfg;
	long n;
	int i;
	char pin[100];
	switch (id) {
	case O_FAMILY: c->o.family = v; return 0;
	case O_FORMAT:
		if ((i = cli_parse_choice("format", v, "text|json|md", err, errsz)) < 0)
			return -1;
		c->format = i;
		return 0;
	case O_HTTP: c->o.allow_http = true; return 0;
	case O_MAX_PAGE:
		if (cli_parse_long("max-page-size", v, 1024, 64L * 1024 * 1024, &n, err, errsz))
			return -1;
		c->o.max_bytes = n;
		return 0;
	case O_TIMEOUT:
		if (cli_parse_long("timeout", v, 1, 600, &n, err, errsz))
			return -1;
		c->o.timeout_ms = n * 1000;
		return 0;
	case O_VENDOR:
		if (!*v || strpbrk(v, "/\\.") || strlen(v) > 40) {
			snprintf(err, errsz, "--vendor: '%.40s' is not a profile id (xerox, hp, kyocera, …)", v);
			return -1;
		}
		c->o.vendor = v;
		return 0;
	case O_VERBOSE: c->o.verbose = true; return 0;
	case O_CAFILE: c->o.cafile = v; return 0;
	case O_INSECURE: c->o.insecure = true; return 0;
	case O_PASSWORD_FILE: c->password_file = v; return 0;
	case O_PIN:
		if (web_pin_normalise(v, pin, sizeof(pin)) != 0) {
			snprintf(err, errsz, "--web-pin: '%.80s' is not a SHA-256 fingerprint (SHA256:AB:CD:… 32 bytes)", v);
			return -1;
		}
		c->o.pin = v;
		return 0;
	case O_PORT:
		if (cli_parse_long("web-port", v, 1, 65535, &n, err, errsz))
			return -1;
		c->o.port = (int)n;
		return 0;
	case O_USER: c->o.user = v; return 0;
	case O_REPLAY: c->replay = v; return 0;
	}
	return -1;
}

static int outcome(int rc, const struct device *d)
{
	if (rc < 0)
		return MFP_EXIT_UNKNOWN;
	return d->notes.n ? MFP_EXIT_WARNING : MFP_EXIT_OK;
}

/* Prints the report through the redaction sink: whatever a renderer prints is scrubbed once
 * more of every registered secret form before it reaches stdout. */
static void render(const struct web_cfg *c, const struct device *d, const struct web_trace *t)
{
	struct redact_sink k;
	FILE *out = redact_sink_open(&k);
	if (!out)
		out = stdout;
	if (c->format == 1) {
		json_t *j = web_report_json(d, t);
		json_print(out, j);
		json_decref(j);
	} else if (c->format == 2) {
		web_report_md(out, d, t);
	} else {
		bool colour = cli_use_colour(stdout);
		web_report_text(out, d, t, colour);
	}
	if (out != stdout)
		redact_sink_close(&k, stdout);
}

/* The host and the certificate options, checked before anything is sent. */
static int web_args_check(const struct web_cfg *c, const char *host)
{
	if (!*host || strlen(host) > 253 || strpbrk(host, " /\\@?#\r\n\t")) {
		fprintf(stderr, "mfpdoctor web: '%.60s' is not a host name or address\n", host);
		return MFP_EXIT_USAGE;
	}
	if (c->o.pin && c->o.insecure) {
		fputs("mfpdoctor web: --web-pin and --web-insecure exclude each other\n", stderr);
		return MFP_EXIT_USAGE;
	}
	return 0;
}

static int run(const struct cli_cmd *self, int argc, char **argv)
{
	struct web_cfg c = {.o = {.timeout_ms = 15000}};
	const char *host;
	int rc = opt_replay_parse(self, argc, argv, &c, set, &host, "HOST", &c.replay);
	if (rc)
		return rc == 1 ? MFP_EXIT_OK : rc;
	struct replay rp = {0};
	if (c.replay && (rc = opt_replay_open(&rp, "web", c.replay)) != 0)
		return rc;
	if (c.replay) {
		host = rp.host; /* the recorded device, whatever HOST says */
		if (!c.o.port)
			c.o.port = rp.web_port;
	}
	if ((rc = web_args_check(&c, host)) != 0) {
		replay_close(&rp);
		return rc;
	}
	if (!c.o.user) {
		const char *e = getenv("MFPDOCTOR_WEB_USER");
		c.o.user = e && *e ? e : NULL;
	}
	char err[300] = "";
	struct secret_source src = {"web admin password", "MFPDOCTOR_WEB_PASSWORD", c.password_file, NULL, NULL,
				    c.o.user != NULL};
	char *password = secret_get(&src, err, sizeof(err));
	if (!password && err[0]) {
		fprintf(stderr, "mfpdoctor web: %s\n", err);
		replay_close(&rp);
		return MFP_EXIT_USAGE;
	}

	/* every form of the credential (raw, URL/JSON/HTML-encoded, Basic base64(user:password), SASL
	 * blobs) before the first byte is sent or printed; web_read adds the profile's default user */
	redact_add_credential(c.o.user, password);
	if (!password && c.replay && rp.web_login)
		password = xstrdup(REC_REDACTED); /* the recorded login is replayed; its password was never kept */
	c.o.password = password;
	c.o.host = host;
	c.o.budget_ms = c.o.timeout_ms * 4 + 10000;

	struct device d;
	device_init(&d, host);
	struct web_trace trace = {0};
	c.o.trace = &trace;
	if (c.replay)
		opt_replay_mark(&rp, &d);
	rc = web_read(&d, &c.o);
	int ex = outcome(rc, &d);
	render(&c, &d, &trace);
	opt_replay_footer(stdout, &rp, c.format);
	web_trace_free(&trace);
	device_free(&d);
	secret_free(password);
	replay_close(&rp);
	redact_clear();
	return ex;
}

const struct cli_cmd cmd_web = {
	.name = "web",
	.summary = "read the printer's web pages (read-only): e-mail settings and send errors",
	.usage = "web HOST [--vendor V] [--family F] [--web-user U] [--web-password-file F] [--verbose] [options] | web --replay DIR",
	.description =
		"Reads the device's embedded web server as an administrator would, GET only (a login form, and a\n"
		"read command where the profile names one, e.g. Toshiba TopAccess, are the only POSTs), for the\n"
		"SMTP settings (server, port, TLS, login, From, size limit) and the job or error log. A login counts\n"
		"only when the device's answer shows it worked. The password comes from MFPDOCTOR_WEB_PASSWORD or\n"
		"--web-password-file; a default password is never tried. HTTPS certificates: the SHA-256\n"
		"fingerprint is always shown; trust comes from the\n"
		"system store, --web-cafile, --web-pin or an explicit --web-insecure. Every request is bounded (--timeout,\n"
		"--max-page-size, 100 headers, 5 redirects on the same host only); a refused redirect, a cut page, a\n"
		"header flood or a timeout is reported with the page it happened on.\n"
		"A model no profile knows is read by the generic reader: settings guessed from labels, field names,\n"
		"scripts and XML (six languages), shown as \"(guessed)\" with the label they came from (docs/web.md).\n"
		"Exit: 0 read, 1 read with notes (something could not be read), 3 nothing read, 64 usage error.",
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.run = run,
};
