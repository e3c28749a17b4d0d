/* cli/cmd_record.c — `mfpdoctor record HOST -o DIR`: read a printer the way `diagnose` does (SNMP,
 * then its web pages), plus a bounded walk of the subtrees it reads (system, Host Resources,
 * Printer-MIB, the vendor's enterprise subtree), and save everything read as a recording that
 * `--replay DIR` runs against (docs/record.md). Secrets are redacted; --anonymize also replaces
 * serials, MACs, addresses and the device's names. Exit: 0 recorded, 1 recorded with failures or
 * limits hit, 3 nothing read, 64 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/opt_snmp.h"
#include "cli/secret.h"
#include "core/device.h"
#include "core/finding.h"
#include "device/identify.h"
#include "device/snmp_read.h"
#include "device/web_read.h"
#include "kb/vendor.h"
#include "record/rec.h"
#include "util/clock.h"
#include "util/redact.h"

enum { O_ANONYMIZE, O_FAMILY, O_HTTP, O_MAX_OBJECTS, O_OUTPUT, O_TIMEOUT, O_VENDOR, O_WEB_CAFILE, O_WEB_INSECURE,
	O_WEB_PASSWORD_FILE, O_WEB_PIN, O_WEB_PORT, O_WEB_USER, O_NO_WEB };

/* Sorted by long name (checked by tests/unit/test_cli.c). */
static const struct cli_opt opts[] = {
	{"anonymize", 0, CLI_FLAG, O_ANONYMIZE, NULL, "also replace serial numbers, MAC and IP addresses and the device's host names (consistently)", "Recording"},
	OPT_SNMP_AUTH_PASS_FILE,
	OPT_SNMP_AUTH_PROTO,
	OPT_SNMP_COMMUNITY_FILE,
	OPT_SNMP_CONTEXT,
	{"family", 0, CLI_VALUE, O_FAMILY, "ID", "model family id (from devices/<vendor>.json), instead of detecting it", "Device"},
	{"http", 0, CLI_FLAG, O_HTTP, NULL, "allow reading the web pages over plain HTTP when the device has no HTTPS", "Web pages"},
	OPT_SNMP_LEVEL,
	{"max-objects", 0, CLI_VALUE, O_MAX_OBJECTS, "N", "walk at most N SNMP objects in all (default 20000)", "Recording"},
	{"no-web", 0, CLI_FLAG, O_NO_WEB, NULL, "do not read the device's web pages", "Web pages"},
	{"output", 'o', CLI_VALUE, O_OUTPUT, "DIR", "the recording's directory (new or empty; required)", "Recording"},
	OPT_SNMP_PRIV_PASS_FILE,
	OPT_SNMP_PRIV_PROTO,
	OPT_SNMP_RETRIES,
	OPT_SNMP_SNMP_USER,
	OPT_SNMP_SNMP_VERSION,
	{"timeout", 't', CLI_VALUE, O_TIMEOUT, "SECONDS", "limit for each network step (default 10); the whole recording ends within 6x + 20 s", "Device"},
	{"vendor", 0, CLI_VALUE, O_VENDOR, "ID", "printer vendor id (devices/ID.json), instead of identifying it", "Device"},
	{"web-cafile", 0, CLI_VALUE, O_WEB_CAFILE, "FILE", "trust the device's web certificate through this CA file", "Web pages"},
	{"web-insecure", 0, CLI_FLAG, O_WEB_INSECURE, NULL, "read the web pages without verifying the certificate (fingerprint still recorded)", "Web pages"},
	{"web-password-file", 0, CLI_VALUE, O_WEB_PASSWORD_FILE, "FILE", "web admin password file (or MFPDOCTOR_WEB_PASSWORD)", "Web pages"},
	{"web-pin", 0, CLI_VALUE, O_WEB_PIN, "SHA256:…", "trust the device's web certificate with this fingerprint", "Web pages"},
	{"web-port", 0, CLI_VALUE, O_WEB_PORT, "N", "web server port (default 443, or 80 with --http)", "Web pages"},
	{"web-user", 0, CLI_VALUE, O_WEB_USER, "USER", "web admin login (or MFPDOCTOR_WEB_USER; default: the profile's)", "Web pages"},
};

struct record_cfg {
	struct opt_snmp snmp;
	struct web_options web;
	const char *output, *password_file, *vendor, *family;
	bool anonymize, no_web;
	long timeout_s, max_objects;
};

static int set(void *vcfg, int id, const char *v, char *err, size_t errsz)
{
	struct record_cfg *c = vcfg;
	long n;
	char pin[100];
	int r = opt_snmp_set(&c->snmp, id, v, err, errsz);
	if (r <= 0)
		return r;
	switch (id) {
	case O_ANONYMIZE: c->anonymize = true; return 0;
	case O_FAMILY: c->family = v; return 0;
	case O_HTTP: c->web.allow_http = true; return 0;
	case O_MAX_OBJECTS:
		if (cli_parse_long("max-objects", v, 1, 1000000, &n, err, errsz))
			return -1;
		c->max_objects = n;
		return 0;
	case O_NO_WEB: c->no_web = true; return 0;
	case O_OUTPUT:
		if (strcmp(v, "-") == 0) { /* '-' is standard output elsewhere; a recording is several files */
			snprintf(err, errsz, "--output: a recording is a directory of several files, so it cannot go to "
				 "standard output ('-'); give a new or empty directory, e.g. -o rec-printer1");
			return -1;
		}
		c->output = v;
		return 0;
	case O_TIMEOUT:
		if (cli_parse_long("timeout", v, 1, 120, &n, err, errsz))
			return -1;
		c->timeout_s = n;
		return 0;
	case O_VENDOR: c->vendor = v; return 0;
	case O_WEB_CAFILE: c->web.cafile = v; return 0;
	case O_WEB_INSECURE: c->web.insecure = true; return 0;
	case O_WEB_PASSWORD_FILE: c->password_file = v; return 0;
	case O_WEB_PIN:
		if (web_pin_normalise(v, pin, sizeof(pin)) != 0) {
			snprintf(err, errsz, "--web-pin: '%.80s' is not a SHA-256 fingerprint", v);
			return -1;
		}
		c->web.pin = v;
		return 0;
	case O_WEB_PORT:
		if (cli_parse_long("web-port", v, 1, 65535, &n, err, errsz))
			return -1;
		c->web.port = (int)n;
		return 0;
	case O_WEB_USER: c->web.user = v; return 0;
	}
	return -1;
}

/* The subtrees walked besides what the readers read: system, Host Resources, Printer-MIB and the
 * vendor's enterprise subtree (from sysObjectID). */
static void walk(struct recorder *r, struct record_cfg *c, const struct device *d, long budget_ms)
{
	char ent[64] = "";
	const char *so = device_value(d, "identity.sysobjectid");
	unsigned long e = so ? ident_enterprise(so) : 0;
	if (e)
		snprintf(ent, sizeof(ent), "1.3.6.1.4.1.%lu", e);
	const char *roots[] = {"1.3.6.1.2.1.1", "1.3.6.1.2.1.25", "1.3.6.1.2.1.43", ent};
	struct snmpw_conf conf = c->snmp.rq.conf;
	const char *v = device_value(d, "snmp.version"); /* the version that answered (2c may have fallen back) */
	if (v && strcmp(v, "1") == 0)
		conf.version = 1;
	rec_walk(r, &conf, roots, e ? 4 : 3, c->max_objects, budget_ms);
}

/* With --anonymize: the device's own serial and names, replaced wherever they appear. */
static void anon_names(struct rec_anon *an, const struct device *d, const char *hostonly)
{
	rec_anon_serial(an, device_value(d, "identity.serial"));
	rec_anon_host(an, device_value(d, "identity.sysname"));
	rec_anon_host(an, hostonly);
}

static void secrets(struct record_cfg *c, const char *web_pw)
{
	const struct snmpw_conf *q = &c->snmp.rq.conf;
	/* the factory default "public" is no secret, and scrubbing the word would break pages and paths */
	if (q->community && strcmp(q->community, "public") != 0)
		redact_add_credential(NULL, q->community);
	redact_add_credential(q->user, q->auth_pass);
	redact_add_credential(q->user, q->priv_pass);
	redact_add_credential(c->web.user, web_pw);
}

static void read_all(struct record_cfg *c, struct recorder *r, struct device *d, const char *hostonly, const char *pw)
{
	long step = c->timeout_s * 1000;
	struct ident_vendors vs;
	struct strlist perr = {0};
	ident_vendors_load(&vs, NULL, &perr);
	strlist_free(&perr);
	if (c->vendor)
		device_set(d, "identity.vendor_id", c->vendor, FACT_USER, "--vendor");
	if (c->family)
		device_set(d, "identity.family", c->family, FACT_USER, "--family");
	c->snmp.rq.budget_ms = step;
	enum dsnmp_result sr = dsnmp_read(&c->snmp.rq, &vs, d);
	strlist_add_owned(&r->read, xasprintf("SNMP read as `device` does: %s", sr == DSNMP_OK ? "complete"
					      : sr == DSNMP_PARTIAL ? "partly" : "nothing read"));
	if (sr != DSNMP_NONE)
		walk(r, c, d, step * 2);
	if (!c->no_web) {
		c->web.host = hostonly;
		c->web.vendor = device_value(d, "identity.vendor_id");
		c->web.family = device_value(d, "identity.family");
		c->web.password = pw;
		c->web.timeout_ms = step;
		c->web.budget_ms = step * 3 + 10000;
		int n = web_read(d, &c->web);
		strlist_add_owned(&r->read, xasprintf("web pages as `web` does: %d values read, %zu exchanges", n, r->nx));
	}
	for (size_t i = 0; i < d->notes.n; i++)
		strlist_add(&r->failed, d->notes.v[i]);
	ident_vendors_free(&vs);
}

static int record(struct record_cfg *c, const char *host, const char *pw)
{
	char hostonly[300];
	int port;
	if (snmpw_split_peer(host, hostonly, sizeof(hostonly), &port) < 0)
		snprintf(hostonly, sizeof(hostonly), "%s", host);
	struct recorder r;
	rec_start(&r);
	struct device d;
	device_init(&d, host);
	read_all(c, &r, &d, hostonly, pw);
	rec_stop(&r);
	struct rec_anon an;
	rec_anon_init(&an, c->anonymize);
	anon_names(&an, &d, hostonly);
	struct rec_meta m = {.host = hostonly, .snmp_peer = host, .snmp_version = c->snmp.rq.conf.version,
			     .web_port = c->web.port, .anonymized = c->anonymize, .web_login = pw != NULL,
			     .vendor_id = device_value(&d, "identity.vendor_id"), .family = device_value(&d, "identity.family")};
	char err[600];
	size_t nx = r.nx, nfail = r.failed.n + r.limits.n;
	int ex = MFP_EXIT_OK;
	int wrc = rec_write(&r, &an, &m, c->output, err, sizeof(err));
	size_t nvb = r.vbs.n; /* distinct objects, after the write sorted them */
	if (wrc != 0) {
		fprintf(stderr, "mfpdoctor record: %s\n", err);
		ex = MFP_EXIT_UNKNOWN;
	} else {
		printf("Recorded %s into %s: %zu SNMP values, %zu web exchanges%s.\n"
		       "Passwords, tokens, session cookies, CSRF fields, the SNMP community and SNMPv3 keys are redacted%s.\n"
		       "Check: mfpdoctor diagnose --replay %s    Send it in: see docs/record.md.\n",
		       host, c->output, nvb, nx, nfail ? " (some reads failed or hit a limit: see manifest.json)" : "",
		       c->anonymize ? "; serials, MAC and IP addresses and host names are replaced" : "", c->output);
		ex = nvb + nx == 0 ? MFP_EXIT_UNKNOWN : nfail ? MFP_EXIT_WARNING : MFP_EXIT_OK;
	}
	rec_anon_free(&an);
	rec_free(&r);
	device_free(&d);
	return ex;
}

static int run(const struct cli_cmd *self, int argc, char **argv)
{
	struct record_cfg c = {.timeout_s = 10, .max_objects = 20000};
	opt_snmp_init(&c.snmp);
	const char *host;
	int rc = cli_parse_host(self, argc, argv, &c, set, &host, "printer HOST[:SNMP-PORT]");
	if (rc)
		return rc == 1 ? MFP_EXIT_OK : rc;
	if (!c.output) {
		fputs("mfpdoctor record: give the recording's directory with -o DIR\n", stderr);
		return MFP_EXIT_USAGE;
	}
	if ((rc = opt_snmp_finish(&c.snmp, "record", host)) != 0) {
		opt_snmp_free(&c.snmp);
		return rc;
	}
	if (!c.web.user)
		c.web.user = getenv("MFPDOCTOR_WEB_USER");
	char err[300] = "";
	struct secret_source src = {"web admin password", "MFPDOCTOR_WEB_PASSWORD", c.password_file, NULL, NULL, 0};
	char *pw = c.no_web ? NULL : secret_get(&src, err, sizeof(err));
	if (!pw && err[0]) {
		fprintf(stderr, "mfpdoctor record: %s\n", err);
		opt_snmp_free(&c.snmp);
		return MFP_EXIT_USAGE;
	}
	secrets(&c, pw);
	int ex = record(&c, host, pw);
	secret_free(pw);
	opt_snmp_free(&c.snmp);
	redact_clear();
	kb_vendors_unload();
	return ex;
}

const struct cli_cmd cmd_record = {
	.name = "record",
	.summary = "save what mfpdoctor reads from a printer (SNMP and web pages, secrets redacted) for --replay",
	.usage = "record HOST[:SNMP-PORT] -o DIR [--anonymize] [SNMP and web options of diagnose]",
	.description =
		"Reads the printer read-only as `diagnose` does (SNMP, then its web pages, with the same options),\n"
		"walks the SNMP subtrees it reads (system, Host Resources, Printer-MIB, the vendor's enterprise\n"
		"subtree; at most --max-objects, inside the time limit) and saves it all in DIR: device.snmprec\n"
		"(snmpsim format), web/exchanges.json with every page fetched, and manifest.json (versions, date,\n"
		"what was read, what failed, limits hit). Passwords, tokens, session cookie values, CSRF fields,\n"
		"the SNMP community and SNMPv3 keys never reach DIR. --anonymize also replaces serial numbers,\n"
		"MAC and IP addresses and the device's host names, the same way in every file.\n"
		"Replay: mfpdoctor diagnose|device|web --replay DIR. How to send one in: docs/record.md.\n"
		"Exit: 0 recorded, 1 recorded but something failed or hit a limit, 3 nothing read, 64 usage.",
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.run = run,
};
