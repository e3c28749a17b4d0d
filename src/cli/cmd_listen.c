/* cli/cmd_listen.c — `mfpdoctor listen`: an SMTP server (capture) or proxy (--relay) a printer is
 * pointed at, to see what it really sends and what it is told. Parses options, picks the reply
 * (--reply-at or --persona), runs listen_run, prints a live line per event on stderr and each
 * session's record on stdout (text, md; JSON once at the end). Exit: 0 at least one session was
 * recorded, 3 none (no device connected in time) or the listener could not start, 64 usage. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/opt_snmp.h"
#include "core/finding.h"
#include "device/identify.h"
#include "device/snmp_read.h"
#include "kb/vendor.h"
#include "listen/listen_learn.h"
#include "listen/listen_persona.h"
#include "listen/listen_report.h"
#include "listen/listen_server.h"
#include "report/smtp_report.h"
#include "util/redact.h"
#include "profile/profile.h"

enum {
	O_BIND, O_CERT, O_DURATION, O_FORMAT, O_IDLE, O_KEEP, O_KEY, O_MAX_SIZE, O_PERSONA, O_PORT, O_QUIET,
	O_RELAY, O_RELAY_CAFILE, O_RELAY_INSECURE, O_RELAY_TIMEOUT, O_RELAY_TLS, O_REPLY_AT, O_SESSIONS,
	O_TLS, O_VERBOSE, O_DEVICE, O_LEARN,
};

/* Sorted by long name (checked by tests/unit/test_cli.c). */
static const struct cli_opt opts[] = {
	{"bind", 'b', CLI_VALUE, O_BIND, "ADDR", "listen on this IP address (default 127.0.0.1; name a LAN address to reach a printer)", "Listen"},
	{"cert", 0, CLI_VALUE, O_CERT, "FILE", "PEM certificate (chain) to present (default: one generated for localhost and --bind)", "TLS"},
	{"community-file", 0, CLI_VALUE, OS_COMMUNITY_FILE, "FILE", "--device: read the SNMP community from FILE (or MFPDOCTOR_SNMP_COMMUNITY; default public)", "Device"},
	{"device", 0, CLI_VALUE, O_DEVICE, "HOST", "read the printer over SNMP before and after: its settings against what it did, its new error events against the replies", "Device"},
	{"duration", 0, CLI_VALUE, O_DURATION, "SECONDS", "stop after SECONDS in all (default: no limit)", "Limits"},
	{"format", 'f', CLI_VALUE, O_FORMAT, "text|md|json", "output format (default text)", "Output"},
	{"idle", 0, CLI_VALUE, O_IDLE, "SECONDS", "close a session idle this long (default 60)", "Limits"},
	{"keep", 0, CLI_VALUE, O_KEEP, "DIR", "write each message into DIR (default: counted, not kept)", "Output"},
	{"key", 0, CLI_VALUE, O_KEY, "FILE", "PEM private key for --cert (default: in the --cert file)", "TLS"},
	{"learn", 0, CLI_FLAG, O_LEARN, NULL, "with --device: add each new event paired with a refused reply to $MFPDOCTOR_PROFILES/observed/<vendor>.json (shown by explain as seen here)", "Device"},
	{"max-size", 0, CLI_VALUE, O_MAX_SIZE, "BYTES", "refuse messages over BYTES with 552 (default 50M; K/M suffixes)", "Limits"},
	{"persona", 0, CLI_VALUE, O_PERSONA, "ID", "answer with a real provider's reply from devices/mail/ ('list' shows them)", "Reply"},
	{"port", 'p', CLI_VALUE, O_PORT, "N", "TCP port (default 2525; 0 picks a free one)", "Listen"},
	{"quiet", 'q', CLI_FLAG, O_QUIET, NULL, "no live event lines on stderr", "Output"},
	{"relay", 0, CLI_VALUE, O_RELAY, "SERVER[:PORT]", "relay mode: pass the session to this server (default port 587)", "Relay"},
	{"relay-cafile", 0, CLI_VALUE, O_RELAY_CAFILE, "FILE", "trust the CA certificates in FILE for the server", "Relay"},
	{"relay-insecure", 'k', CLI_FLAG, O_RELAY_INSECURE, NULL, "do not verify the server's certificate", "Relay"},
	{"relay-timeout", 0, CLI_VALUE, O_RELAY_TIMEOUT, "SECONDS", "limit for connecting to the server and its TLS (default 15)", "Relay"},
	{"relay-tls", 0, CLI_VALUE, O_RELAY_TLS, "none|starttls|implicit", "TLS towards the server (default implicit on 465, else starttls)", "Relay"},
	{"reply-at", 0, CLI_VALUE, O_REPLY_AT, "STAGE", "fail at STAGE (connect, ehlo, starttls, auth, mail, rcpt, data, end-of-data) with the REPLY argument", "Reply"},
	{"sessions", 'n', CLI_VALUE, O_SESSIONS, "N", "exit after N sessions (default 10)", "Limits"},
	{"snmp-version", 0, CLI_VALUE, OS_SNMP_VERSION, "1|2c", "--device: SNMP version (default 2c, falling back to 1)", "Device"},
	{"tls", 0, CLI_VALUE, O_TLS, "none|starttls|implicit", "TLS towards the device (default starttls: offered, optional)", "TLS"},
	{"verbose", 'v', CLI_FLAG, O_VERBOSE, NULL, "add each session's transcript (secrets redacted) to the report", "Output"},
};

struct listen_cfg {
	struct listen_opts o;
	int format;
	bool quiet, verbose, relay_tls_set, learn_on;
	const char *persona;
	const char *reply_at;
	json_t *sessions;
	const char *device;
	struct opt_snmp snmp;
	struct listen_learn learn;
	int port;
};

static int set_relay(struct listen_cfg *c, const char *v, char *err, size_t errsz)
{
	static char host[256];
	const char *colon = strrchr(v, ':');
	long n = 587;
	size_t hl = colon && !strchr(v, ']') ? (size_t)(colon - v) : strlen(v);
	if (!hl || hl >= sizeof(host) || strpbrk(v, " /\\@?#")) {
		snprintf(err, errsz, "--relay: '%.60s' is not SERVER[:PORT]", v);
		return -1;
	}
	if (colon && hl < strlen(v) && cli_parse_long("relay", colon + 1, 1, 65535, &n, err, errsz))
		return -1;
	memcpy(host, v, hl);
	host[hl] = '\0';
	c->o.relay_host = host;
	c->o.relay_port = (int)n;
	return 0;
}

static int set_num(const char *name, const char *v, long lo, long hi, int *out, char *err, size_t errsz)
{
	long n;
	if (cli_parse_long(name, v, lo, hi, &n, err, errsz))
		return -1;
	*out = (int)n;
	return 0;
}

static int set(void *vcfg, int id, const char *v, char *err, size_t errsz)
{
	struct listen_cfg *c = vcfg;
	int i = opt_snmp_set(&c->snmp, id, v, err, errsz);
	if (i != 1)
		return i;
	switch (id) {
	case O_DEVICE:
		if (!*v || strlen(v) > 253 || strpbrk(v, " /\\@?#")) {
			snprintf(err, errsz, "--device: '%.60s' is not a host name or address", v);
			return -1;
		}
		c->device = v;
		return 0;
	case O_BIND: c->o.bind = v; return 0;
	case O_CERT: c->o.cert = v; return 0;
	case O_DURATION: return set_num("duration", v, 1, 86400, &c->o.duration_s, err, errsz);
	case O_FORMAT:
		if ((i = cli_parse_choice("format", v, "text|md|json", err, errsz)) < 0)
			return -1;
		c->format = i;
		return 0;
	case O_IDLE: return set_num("idle", v, 1, 3600, &c->o.idle_s, err, errsz);
	case O_KEEP: c->o.keep = v; return 0;
	case O_LEARN: c->learn_on = true; return 0;
	case O_KEY: c->o.key = v; return 0;
	case O_MAX_SIZE: return cli_parse_size("max-size", v, &c->o.max_size, err, errsz);
	case O_PERSONA: c->persona = v; return 0;
	case O_PORT: return set_num("port", v, 0, 65535, &c->o.port, err, errsz);
	case O_QUIET: c->quiet = true; return 0;
	case O_RELAY: return set_relay(c, v, err, errsz);
	case O_RELAY_CAFILE: c->o.relay_cafile = v; return 0;
	case O_RELAY_INSECURE: c->o.relay_insecure = true; return 0;
	case O_RELAY_TIMEOUT: return set_num("relay-timeout", v, 1, 600, &c->o.relay_timeout_s, err, errsz);
	case O_RELAY_TLS:
		if ((i = cli_parse_choice("relay-tls", v, "none|starttls|implicit", err, errsz)) < 0)
			return -1;
		c->o.relay_tls = (enum listen_tls)i;
		c->relay_tls_set = true;
		return 0;
	case O_REPLY_AT: c->reply_at = v; return 0;
	case O_SESSIONS: return set_num("sessions", v, 1, 1000, &c->o.sessions, err, errsz);
	case O_TLS:
		if ((i = cli_parse_choice("tls", v, "none|starttls|implicit", err, errsz)) < 0)
			return -1;
		c->o.tls = (enum listen_tls)i;
		return 0;
	case O_VERBOSE: c->verbose = true; return 0;
	}
	return -1;
}

static void on_event(void *user, const struct listen_session *s, const char *line)
{
	struct listen_cfg *c = user;
	if (!c->quiet)
		fprintf(stderr, "[%d] %s\n", s->id, line);
}

static void on_ready(void *user, const char *addr, int port)
{
	struct listen_cfg *c = user;
	static const char *const tls[] = {"none", "starttls", "implicit"};
	c->port = port;
	fprintf(stderr, "mfpdoctor listen: listening on %s port %d (TLS %s, up to %d sessions%s%s)\n", addr, port,
		tls[c->o.tls], c->o.sessions, c->o.relay_host ? ", relaying to " : "",
		c->o.relay_host ? c->o.relay_host : "");
	fflush(stderr);
}

static void on_session(void *user, struct listen_session *s)
{
	struct listen_cfg *c = user;
	listen_learn_keep(&c->learn, s);
	if (c->format == 2) {
		json_array_append_new(c->sessions, listen_report_json(s));
		return;
	}
	struct redact_sink k;
	FILE *out = redact_sink_open(&k);
	if (!out)
		out = stdout;
	if (c->format == 1)
		listen_report_md(out, s, c->verbose);
	else
		listen_report_text(out, s, c->verbose);
	if (out != stdout)
		redact_sink_close(&k, stdout);
	fflush(stdout);
}

static void on_signal(int sig)
{
	listen_stop();
}

/* A reply for --reply-at: lines of "NNN text", NNN in 200-599, no CR, each at most 510 bytes. */
static int check_reply(const char *r)
{
	if (strlen(r) < 3 || r[0] < '2' || r[0] > '5' || r[1] < '0' || r[1] > '9' || r[2] < '0' || r[2] > '9' ||
	    strchr(r, '\r'))
		return -1;
	for (const char *p = r; *p;) {
		size_t n = strcspn(p, "\n");
		if (n > 510)
			return -1;
		p += n + (p[n] ? 1 : 0);
	}
	return 0;
}

static int choose_reply(struct listen_cfg *c, int npos, char **pos, struct listen_persona *pe)
{
	char err[300];
	if (c->reply_at && c->persona) {
		fputs("mfpdoctor listen: --reply-at and --persona exclude each other\n", stderr);
		return MFP_EXIT_USAGE;
	}
	if ((c->reply_at || c->persona) && c->o.relay_host) {
		fputs("mfpdoctor listen: --relay passes the server's own replies; --reply-at and --persona "
		      "are for capture mode\n", stderr);
		return MFP_EXIT_USAGE;
	}
	if (c->persona) {
		if (listen_persona_find(c->persona, NULL, pe, err, sizeof(err))) {
			fprintf(stderr, "mfpdoctor listen: %s\n", err);
			return MFP_EXIT_USAGE;
		}
		c->o.reply_stage = pe->stage;
		c->o.reply = pe->reply;
		c->o.reply_source = pe->pattern;
		return npos ? MFP_EXIT_USAGE : 0;
	}
	if (!c->reply_at)
		return npos ? MFP_EXIT_USAGE : 0;
	c->o.reply_stage = stage_parse(c->reply_at);
	if (c->o.reply_stage == STAGE_BANNER)
		c->o.reply_stage = STAGE_CONNECT; /* the banner is the answer to the connection */
	if (c->o.reply_stage > STAGE_LAST_SMTP || c->o.reply_stage == STAGE_TLS_HANDSHAKE) {
		fprintf(stderr, "mfpdoctor listen: --reply-at: '%.40s' is not a stage (connect, ehlo, "
			"starttls, auth, mail, rcpt, data, end-of-data, quit)\n", c->reply_at);
		return MFP_EXIT_USAGE;
	}
	if (npos != 1 || check_reply(pos[0])) {
		fputs("mfpdoctor listen: --reply-at STAGE needs one REPLY argument like "
		      "\"535 5.7.139 Authentication unsuccessful\" (code 200-599)\n", stderr);
		return MFP_EXIT_USAGE;
	}
	c->o.reply = pos[0];
	c->o.reply_source = "--reply-at";
	return 0;
}

static void print_json(struct listen_cfg *c, int nsessions)
{
	static const char *const tls[] = {"none", "starttls", "implicit"};
	json_t *j = json_object();
	json_object_set_new(j, "mfpdoctor", json_versions());
	json_t *l = json_object();
	json_object_set_new(l, "bind", json_string(c->o.bind));
	json_object_set_new(l, "tls", json_string(tls[c->o.tls]));
	json_object_set_new(l, "relay", c->o.relay_host ? json_text(c->o.relay_host) : json_null());
	json_object_set_new(l, "reply_at", c->o.reply ? json_string(stage_name(c->o.reply_stage)) : json_null());
	json_object_set_new(l, "reply", c->o.reply ? json_text(c->o.reply) : json_null());
	json_object_set_new(l, "reply_source", c->o.reply_source ? json_text(c->o.reply_source) : json_null());
	json_object_set_new(j, "listen", l);
	json_object_set_new(j, "sessions", c->sessions);
	c->sessions = NULL;
	if (c->device)
		json_object_set_new(j, "device", listen_learn_json(&c->learn, c->device));
	struct redact_sink k;
	FILE *out = redact_sink_open(&k);
	json_print(out ? out : stdout, j);
	if (out)
		redact_sink_close(&k, stdout);
	json_decref(j);
}

/* Reads the printer over SNMP (read-only, bounded to 10 s) for --device. */
static void read_device(struct listen_cfg *c, struct device *d, const char *when)
{
	struct ident_vendors vs;
	ident_vendors_load(&vs, NULL, NULL);
	device_init(d, c->device);
	c->snmp.rq.budget_ms = 10000;
	enum dsnmp_result r = dsnmp_read(&c->snmp.rq, &vs, d);
	fprintf(stderr, "mfpdoctor listen: read %s %s over SNMP: %s\n", c->device, when,
		r == DSNMP_NONE ? "nothing could be read" : r == DSNMP_PARTIAL ? "partly" : "ok");
	ident_vendors_free(&vs);
}

/* --learn: the pairs with a reply go to the overlay's observation file of the device's vendor. */
static void save_learnt(struct listen_cfg *c, const struct device *before, const struct device *after)
{
	const char *vendor = device_value(after, "identity.vendor_id");
	const char *model = device_value(after, "identity.model");
	if (!vendor)
		vendor = device_value(before, "identity.vendor_id");
	char date[16], err[400];
	time_t now = time(NULL);
	struct tm tm;
	strftime(date, sizeof(date), "%Y-%m-%d", gmtime_r(&now, &tm));
	struct kb_observations obs;
	size_t n = listen_learn_observations(&c->learn, model ? model : device_value(before, "identity.model"), date, &obs);
	const char *dir = profile_site_dir();
	if (!n)
		fputs("mfpdoctor listen: --learn: nothing to learn (no new device event after a refused reply)\n", stderr);
	else if (!vendor || !kb_observed_id_ok(vendor))
		fprintf(stderr, "mfpdoctor listen: --learn: the vendor of %s was not recognised over SNMP, so the %zu "
			"observation(s) were not saved; check the SNMP community\n", c->device, n);
	else if (kb_observed_add(dir, vendor, obs.v, n, err, sizeof(err)) != 0)
		fprintf(stderr, "mfpdoctor listen: --learn: %s\n", err);
	else
		fprintf(stderr, "mfpdoctor listen: --learn: %zu observation(s) saved to %s/observed/%s.json\n", n, dir, vendor);
	kb_observations_free(&obs);
}

static void print_learn(struct listen_cfg *c)
{
	struct redact_sink k;
	FILE *out = redact_sink_open(&k);
	listen_learn_text(out ? out : stdout, &c->learn, c->device);
	if (out)
		redact_sink_close(&k, stdout);
}

/* Runs the listener (with the --device reads around it) and prints; returns the session count. */
static int serve(struct listen_cfg *c)
{
	struct device before = {0}, after = {0};
	c->o.on_event = on_event;
	c->o.on_session = on_session;
	c->o.on_ready = on_ready;
	c->o.user = c;
	c->sessions = json_array();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (c->device)
		read_device(c, &before, "before the sessions");
	char err[300] = "";
	int n = listen_run(&c->o, err, sizeof(err));
	if (n < 0)
		fprintf(stderr, "mfpdoctor listen: %s\n", err);
	if (c->device && n >= 0) {
		read_device(c, &after, "after the sessions");
		listen_learn_compare(&c->learn, &before, c->o.bind, c->port);
		listen_learn_pair(&c->learn, &before, &after);
		if (c->learn_on)
			save_learnt(c, &before, &after);
		if (c->format != 2)
			print_learn(c);
	}
	if (n >= 0 && c->format == 2)
		print_json(c, n);
	if (n == 0)
		fputs("mfpdoctor listen: no device connected; point the printer's SMTP server at this "
		      "machine's address and port, then send a scan\n", stderr);
	if (c->device) {
		device_free(&before);
		device_free(&after);
		kb_vendors_unload();
	}
	listen_learn_free(&c->learn);
	json_decref(c->sessions);
	return n;
}

/* --learn needs --device and an overlay folder to write to. */
static int check_learn(const struct listen_cfg *c)
{
	const char *dir = profile_site_dir();
	struct stat st;
	if (!c->device)
		fputs("mfpdoctor listen: --learn needs --device HOST (the printer whose error events are paired with "
		      "the replies)\n", stderr);
	else if (!dir || !*dir)
		fputs("mfpdoctor listen: --learn writes to the site profile folder, but there is none: the first of "
		      "--profiles DIR, $MFPDOCTOR_PROFILES and " MFPDOCTOR_SYSCONFDIR "/mfpdoctor/profiles (when it "
		      "exists) is used; give --profiles DIR, set MFPDOCTOR_PROFILES, or create "
		      MFPDOCTOR_SYSCONFDIR "/mfpdoctor/profiles\n", stderr);
	else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		fprintf(stderr, "mfpdoctor listen: --learn: the site profile folder %.200s (from --profiles or "
			"MFPDOCTOR_PROFILES) is not a folder; create it or point --profiles DIR / MFPDOCTOR_PROFILES "
			"at your site profiles folder\n", dir);
	else
		return 0;
	return MFP_EXIT_USAGE;
}

static int run(const struct cli_cmd *self, int argc, char **argv)
{
	struct listen_cfg c = {.o = {.bind = "127.0.0.1", .port = 2525, .tls = LISTEN_TLS_STARTTLS,
				     .reply_stage = STAGE_LAST, .sessions = 10, .idle_s = 60,
				     .max_size = 50LL << 20, .hostname = "mfpdoctor.listen", .relay_timeout_s = 15}};
	opt_snmp_init(&c.snmp);
	char **pos = xcalloc((size_t)argc + 1, sizeof(char *));
	int npos = 0, rc = cli_parse(self, argc, argv, &c, set, pos, &npos);
	struct listen_persona pe = {0};
	if (rc == 0 && c.persona && !strcmp(c.persona, "list")) {
		listen_persona_list(stdout, NULL);
		opt_snmp_free(&c.snmp);
		free(pos);
		return MFP_EXIT_OK;
	}
	if (rc == 0 && (rc = choose_reply(&c, npos, pos, &pe)) != 0 && npos && !c.reply_at)
		fprintf(stderr, "mfpdoctor listen: unexpected argument '%.60s'\n", pos[0]);
	if (rc == 0 && c.o.relay_host && !c.relay_tls_set)
		c.o.relay_tls = c.o.relay_port == 465 ? LISTEN_TLS_IMPLICIT : LISTEN_TLS_STARTTLS;
	if (rc) {
		free(pos);
		listen_persona_free(&pe);
		opt_snmp_free(&c.snmp);
		return rc == 1 ? MFP_EXIT_OK : rc;
	}
	if (c.learn_on && (rc = check_learn(&c)) != 0) {
		free(pos);
		listen_persona_free(&pe);
		opt_snmp_free(&c.snmp);
		return rc;
	}
	if (c.device && (rc = opt_snmp_finish(&c.snmp, "listen", c.device)) != 0) {
		free(pos);
		listen_persona_free(&pe);
		opt_snmp_free(&c.snmp);
		return rc;
	}
	int n = serve(&c);
	listen_persona_free(&pe);
	free(pos);
	opt_snmp_free(&c.snmp);
	redact_clear();
	return n > 0 ? MFP_EXIT_OK : MFP_EXIT_UNKNOWN;
}

const struct cli_cmd cmd_listen = {
	.name = "listen",
	.summary = "be the printer's SMTP server (or a relay to the real one) and record what it sends",
	.usage = "listen [--port N] [--bind ADDR] [--tls none|starttls|implicit] [--reply-at STAGE \"REPLY\" | "
		 "--persona ID] [--relay SERVER[:PORT]] [options]",
	.description =
		"Point the printer's SMTP server setting at this machine for a minute and send a scan. Per\n"
		"session it records the device's address, EHLO name, STARTTLS or implicit TLS, the TLS versions,\n"
		"cipher suites and SNI its ClientHello offered and what was negotiated, the AUTH mechanism and user\n"
		"(never the password: only its length and risky characters), MAIL FROM with parameters, RCPT TO,\n"
		"the message size, headers and attachment types. It accepts everything, or answers at one stage\n"
		"with a chosen reply (--reply-at auth \"535 5.7.139 Authentication unsuccessful\") or a provider's\n"
		"(--persona office365-auth-disabled), so you see which code the panel shows for which reply.\n"
		"With --relay it passes the session to the real server instead (TLS terminated here with a\n"
		"generated certificate, the server's certificate verified) and logs both sides, secrets redacted.\n"
		"With --device HOST it reads the printer over SNMP before and after, compares its settings with\n"
		"what it did, and pairs the error events it logged meanwhile with the replies it got; --learn\n"
		"adds those pairs to $MFPDOCTOR_PROFILES/observed/<vendor>.json, which `explain CODE` then shows\n"
		"as \"Seen here\" (a local observation, never a published source).\n"
		"Exit: 0 at least one session recorded, 3 none or could not listen, 64 usage error.",
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.run = run,
};
