/* cli/cmd_device.c — `mfpdoctor device HOST`: read a printer over SNMP (identity, state, alerts,
 * vendor e-mail settings) within one time budget, fall back to HTTP identification when SNMP
 * gives nothing, render, and map the outcome to the exit code (0 read, 1 partial: a table cut
 * or an object not read, 3 nothing, 64 usage). Policy lives here; reading in device/,
 * rendering in report/. Licence: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/opt_replay.h"
#include "cli/opt_snmp.h"
#include "cli/secret.h"
#include "core/device.h"
#include "core/finding.h"
#include "device/identify.h"
#include "device/identify_http.h"
#include "device/snmp_read.h"
#include "kb/vendor.h"
#include "report/device_report.h"
#include "report/smtp_report.h"
#include "util/redact.h"

/* The SNMP options' ids (OS_*) and setter are shared with `diagnose` (cli/opt_snmp.h). */
enum { O_FORMAT, O_HTTP_URL, O_NO_HTTP, O_REPLAY, O_TIMEOUT };

/* Sorted by long name (checked by tests/unit/test_cli.c). */
static const struct cli_opt opts[] = {
	{"auth-pass", 0, CLI_VALUE, OS_AUTH_PASS, "PASS", "SNMPv3 authentication pass phrase on the command line (warns; use MFPDOCTOR_SNMP_AUTH_PASS)", "SNMP"},
	OPT_SNMP_AUTH_PASS_FILE,
	OPT_SNMP_AUTH_PROTO,
	{"community", 0, CLI_VALUE, OS_COMMUNITY, "NAME", "v1/v2c community on the command line (warns; use MFPDOCTOR_SNMP_COMMUNITY); default: public", "SNMP"},
	OPT_SNMP_COMMUNITY_FILE,
	OPT_SNMP_CONTEXT,
	{"format", 'f', CLI_VALUE, O_FORMAT, "text|json|md", "output format (default text)", "Output"},
	{"http-url", 0, CLI_VALUE, O_HTTP_URL, "URL", "base URL for the HTTP identification instead of http(s)://HOST (e.g. http://HOST:8000)", "HTTP"},
	OPT_SNMP_LEVEL,
	{"no-http", 0, CLI_FLAG, O_NO_HTTP, NULL, "no HTTP identification when SNMP gives nothing", "HTTP"},
	{"priv-pass", 0, CLI_VALUE, OS_PRIV_PASS, "PASS", "SNMPv3 privacy pass phrase on the command line (warns; use MFPDOCTOR_SNMP_PRIV_PASS)", "SNMP"},
	OPT_SNMP_PRIV_PASS_FILE,
	OPT_SNMP_PRIV_PROTO,
	{"replay", 0, CLI_VALUE, O_REPLAY, "DIR", "read the device from a recording (mfpdoctor record) instead of the network; HOST may be left out", "Device"},
	OPT_SNMP_RETRIES,
	OPT_SNMP_SNMP_VERSION,
	{"timeout", 't', CLI_VALUE, O_TIMEOUT, "SECONDS", "the whole read ends within this, HTTP fallback included (default 10)", "SNMP"},
	{"user", 'u', CLI_VALUE, OS_SNMP_USER, "NAME", "SNMPv3 security name (selects SNMPv3 unless --snmp-version says otherwise)", "SNMP"},
};

struct device_cfg {
	struct opt_snmp snmp;
	bool no_http;
	const char *http_url, *replay;
	int format;
	long timeout_s;
};

static int set(void *vcfg, int id, const char *v, char *err, size_t errsz)
{
	struct device_cfg *c = vcfg;
	long n;
	int i, r = opt_snmp_set(&c->snmp, id, v, err, errsz);
	if (r <= 0)
		return r;
	switch (id) {
	case O_FORMAT:
		if ((i = cli_parse_choice("format", v, "text|json|md", err, errsz)) < 0)
			return -1;
		c->format = i;
		return 0;
	case O_HTTP_URL:
		if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) {
			snprintf(err, errsz, "--http-url: '%.60s' is not an http:// or https:// URL", v);
			return -1;
		}
		c->http_url = v;
		return 0;
	case O_NO_HTTP: c->no_http = true; return 0;
	case O_REPLAY: c->replay = v; return 0;
	case O_TIMEOUT:
		if (cli_parse_long("timeout", v, 1, 300, &n, err, errsz))
			return -1;
		c->timeout_s = n;
		return 0;
	}
	return -1;
}

static long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The host part of HOST[:PORT] for HTTP. */
static void http_host(const char *peer, char *out, size_t outsz)
{
	int port;
	if (snmpw_split_peer(peer, out, outsz, &port) < 0)
		snprintf(out, outsz, "%s", peer);
}

/* Every byte goes through the redacting sink: no form of the community or v3 keys. */
static void device_print(const struct device_cfg *c, const struct device *d, const struct replay *rp)
{
	struct redact_sink k;
	FILE *out = redact_sink_open(&k);
	if (!out)
		out = stdout;
	if (c->format == 1) {
		json_t *j = device_report_json(d);
		json_print(out, j);
		json_decref(j);
	} else if (c->format == 2)
		device_report_md(out, d);
	else
		device_report_text(out, d, cli_use_colour(stdout));
	opt_replay_footer(out, rp, c->format);
	if (out != stdout)
		redact_sink_close(&k, stdout);
}

static int run(const struct cli_cmd *self, int argc, char **argv)
{
	struct device_cfg c = {.timeout_s = 10};
	opt_snmp_init(&c.snmp);
	const char *host;
	int rc = opt_replay_parse(self, argc, argv, &c, set, &host, "HOST[:PORT]", &c.replay);
	if (rc)
		return rc == 1 ? MFP_EXIT_OK : rc;
	struct replay rp = {0};
	if (c.replay && (rc = opt_replay_open(&rp, "device", c.replay)) != 0)
		return rc;
	if (c.replay)
		host = rp.snmp_peer ? rp.snmp_peer : rp.host; /* the recorded device, whatever HOST says */
	char hbuf[300];
	int port;
	if (snmpw_split_peer(host, hbuf, sizeof(hbuf), &port) < 0 || strpbrk(hbuf, " /\\@?#\r\n\t")) {
		fprintf(stderr, "mfpdoctor device: '%.60s' is not HOST, HOST:PORT or [IPv6]:PORT\n", host);
		return MFP_EXIT_USAGE;
	}
	if ((rc = opt_snmp_finish(&c.snmp, "device", host)) != 0) {
		opt_snmp_free(&c.snmp);
		replay_close(&rp);
		redact_clear();
		return rc;
	}
	long start = mono_ms(), total = c.timeout_s * 1000;
	c.snmp.rq.budget_ms = c.no_http ? total : total * 7 / 10;

	struct ident_vendors vs;
	struct strlist perr = {0};
	ident_vendors_load(&vs, NULL, &perr);
	struct device d;
	device_init(&d, host);
	for (size_t i = 0; i < perr.n; i++)
		device_note(&d, "%s", perr.v[i]);
	strlist_free(&perr);
	if (c.replay)
		opt_replay_mark(&rp, &d);

	enum dsnmp_result res = dsnmp_read(&c.snmp.rq, &vs, &d);
	int ex = res == DSNMP_OK ? MFP_EXIT_OK : res == DSNMP_PARTIAL ? MFP_EXIT_WARNING : MFP_EXIT_UNKNOWN;
	if (res == DSNMP_NONE && !c.no_http) {
		char hh[300];
		http_host(host, hh, sizeof(hh));
		long left = total - (mono_ms() - start) - 100;
		if (identify_http(&d, &vs, hh, c.http_url, left))
			ex = MFP_EXIT_WARNING; /* identified, but nothing read over SNMP */
	}
	device_print(&c, &d, &rp);
	device_free(&d);
	ident_vendors_free(&vs);
	kb_vendors_unload();
	opt_snmp_free(&c.snmp);
	replay_close(&rp);
	redact_clear();
	return ex;
}

const struct cli_cmd cmd_device = {
	.name = "device",
	.summary = "read a printer over SNMP: identity, state, alerts, e-mail settings",
	.usage = "device HOST[:PORT] [--snmp-version 1|2c|3] [--user NAME ...] [--timeout S] [--format F] | device --replay DIR",
	.description =
		"Reads the printer's identity, state, Printer-MIB alerts, front-panel text and (where the vendor\n"
		"exposes them) its e-mail settings over SNMP, read-only, in a few round trips. When SNMP gives\n"
		"nothing it says why (agent off, wrong community/firewall, SNMPv3 credentials) and identifies the\n"
		"maker from the web server's front page instead (unless --no-http).\n"
		"Community: MFPDOCTOR_SNMP_COMMUNITY, --community-file, else the factory default 'public'.\n"
		"SNMPv3 pass phrases: MFPDOCTOR_SNMP_AUTH_PASS / MFPDOCTOR_SNMP_PRIV_PASS or the -file options.\n"
		"Error answers are reported as such (genErr/noSuchName/tooBig for OID X); a table cut at a limit\n"
		"(500 rows, 100 requests) or by the budget says so in one note.\n"
		"Exit: 0 read, 1 partly read (a table cut, an object the agent failed on, the budget; or only\n"
		"identified over HTTP), 3 nothing could be read (silence, or error answers only), 64 usage.",
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.run = run,
};
