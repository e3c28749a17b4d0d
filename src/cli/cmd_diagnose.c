/* cli/cmd_diagnose.c — `mfpdoctor diagnose HOST`: the main job. Reads the printer (SNMP, then its
 * web pages), explains its logged errors, runs the test send that mirrors its settings, applies
 * the rules, builds the checklist and renders the report. Policy (budgets, which steps run,
 * secrets, output) lives here; the work is in device/, smtp/, diagnose/ and report/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/diag_cfg.h"
#include "cli/diag_run.h"
#include "cli/opt_replay.h"
#include "cli/opt_snmp.h"
#include "cli/secret.h"
#include "profile/profile.h"
#include "device/identify.h"
#include "device/web_read.h"
#include "diagnose/diagnose.h"
#include "diagnose/probe_dns.h"
#include "kb/vendor.h"
#include "report/diag_report.h"
#include "report/smtp_report.h"
#include "util/clock.h"
#include "util/redact.h"

/* Sorted by long name (checked by tests/unit/test_cli.c). */
static const struct cli_opt opts[] = {
	DIAG_OPT_AUTH,
	OPT_SNMP_AUTH_PASS_FILE,
	OPT_SNMP_AUTH_PROTO,
	{"budget", 0, CLI_VALUE, O_BUDGET, "SECONDS", "the whole run ends within this (default 120); the test send keeps 40-60 % of it", "Device"},
	DIAG_OPT_CAFILE,
	{"community", 'C', CLI_VALUE, OS_COMMUNITY, "COMMUNITY", "SNMP community on the command line (discouraged: warns; visible in ps)", "SNMP"},
	OPT_SNMP_COMMUNITY_FILE,
	DIAG_OPT_EHLO,
	DIAG_OPT_FAMILY,
	{"format", 'f', CLI_VALUE, O_FORMAT, "text|json|md|html", "report format (default text)", "Output"},
	DIAG_OPT_FROM,
	DIAG_OPT_HTTP,
	DIAG_OPT_INSECURE,
	OPT_SNMP_LEVEL,
	DIAG_OPT_NO_SNMP,
	DIAG_OPT_NO_TEST,
	DIAG_OPT_NO_WEB,
	{"output", 'o', CLI_VALUE, O_OUTPUT, "FILE", "write the report to FILE instead of standard output ('-': standard output)", "Output"},
	{"password", 0, CLI_VALUE, O_PASSWORD, "PASS", "SMTP password on the command line (discouraged: warns; visible in ps)", "SMTP test send"},
	DIAG_OPT_PASSWORD_FILE,
	DIAG_OPT_PORT,
	OPT_SNMP_PRIV_PASS_FILE,
	OPT_SNMP_PRIV_PROTO,
	DIAG_OPT_REPLAY,
	OPT_SNMP_RETRIES,
	DIAG_OPT_SEND,
	DIAG_OPT_SERVER,
	DIAG_OPT_SERVICE,
	DIAG_OPT_SIZE,
	OPT_SNMP_SNMP_USER,
	OPT_SNMP_SNMP_VERSION,
	DIAG_OPT_STOP_AFTER,
	{"timeout", 't', CLI_VALUE, O_TIMEOUT, "SECONDS", "limit for each network step (default 10); each phase has a budget from it", "Device"},
	DIAG_OPT_TLS,
	DIAG_OPT_TLS_MAX,
	DIAG_OPT_TLS_MIN,
	DIAG_OPT_TO,
	DIAG_OPT_USER,
	DIAG_OPT_VENDOR,
	{"verbose", 'v', CLI_FLAG, O_VERBOSE, NULL, "add sources and the redacted SMTP transcript", "Output"},
	DIAG_OPT_WEB_CAFILE,
	DIAG_OPT_WEB_INSECURE,
	DIAG_OPT_WEB_PASSWORD_FILE,
	DIAG_OPT_WEB_PIN,
	DIAG_OPT_WEB_PORT,
	DIAG_OPT_WEB_USER,
};

/* The SMTP test's reserved share of the budget, set aside before the device is read (0 with
 * --no-test): what its conversation may need (4 step limits + 10 s, as diagnose_mirror plans
 * it), but at least 40 % and at most 60 % of the budget. Device reading may not eat it. */
static long smtp_reserve(const struct diag_cfg *c)
{
	if (c->ov.no_test)
		return 0;
	long b = c->budget_s * 1000, need = c->timeout_s * 4000 + 10000;
	long lo = b * 2 / 5, hi = b * 3 / 5;
	return need < lo ? lo : need > hi ? hi : need;
}

/* What is left of the run's budget for a phase, capped at want_ms; reserve_ms stays untouched
 * for the test send. 0 when nothing is left. */
static long share(const struct diag_cfg *c, long want_ms, long reserve_ms)
{
	double left = c->deadline - reserve_ms - clock_ms();
	long l = left > 0 ? (long)left : 0;
	return l < want_ms ? l : want_ms;
}

/* A device phase got less time than it wanted and used all of it: the budget cut it. */
static void note_cut(struct diagnosis *dg, const struct diag_cfg *c, const char *phase, const char *what, long want,
		     long given, double t0, bool complete)
{
	double used = clock_ms() - t0;
	if (complete || given >= want || used + 50 < given)
		return;
	diagnose_cut(dg, phase, "%s: stopped when its share of the run's time budget ran out (%.1f s of %s %ld; it "
		     "may take up to %.0f s). What it did not read was not tested: run again with a larger %s.",
		     what, given / 1000.0, c->budget_opt, c->budget_s, want / 1000.0, c->budget_opt);
}

/* SNMP got no answer at all: what was tried, for the snmp-no-answer finding (diagnose/rules.c). */
static void note_silence(const struct diag_cfg *c, struct diagnosis *dg, double waited_ms)
{
	const struct snmpw_conf *q = &c->snmp.rq.conf;
	const char *who = q->version == 3 ? "SNMPv3 user" : c->snmp.community_file ? "the community from --community-file"
			  : c->snmp.community_argv ? "the community from -C/--community"
			  : getenv("MFPDOCTOR_SNMP_COMMUNITY") ? "the community from MFPDOCTOR_SNMP_COMMUNITY"
			  : "the default community public";
	char *s = xasprintf("No answer over UDP from %s%s to %s%s with %s%s%s, within %.1f s (%d retr%s; the limit for "
			    "each step is %ld s).", q->peer ? q->peer : dg->dev.host, strchr(q->peer ? q->peer : "", ':') ? "" : ":161",
			    q->version == 3 ? "SNMPv3" : q->version == 1 ? "SNMPv1" : "SNMPv2c",
			    c->snmp.rq.v1_fallback ? " and SNMPv1" : "", who, q->version == 3 ? " " : "",
			    q->version == 3 && q->user ? q->user : "", waited_ms / 1000.0, q->retries, q->retries == 1 ? "y" : "ies",
			    c->timeout_s);
	device_set(&dg->dev, "snmp.no_answer", s, FACT_SNMP, "no answer");
	free(s);
}

/* Reads the device over SNMP, inside its share of the budget. */
static void read_snmp(struct diag_cfg *c, struct diagnosis *dg, const struct ident_vendors *vs)
{
	long want = c->timeout_s * 1000, given = share(c, want, smtp_reserve(c));
	if (c->no_snmp) {
		device_note(&dg->dev, "SNMP not read (--no-snmp)");
		return;
	}
	if (given < 200) {
		diagnose_cut(dg, "snmp", "SNMP: not read, no time left in the budget (%s %ld) before the test send's "
			     "reserved share", c->budget_opt, c->budget_s);
		return;
	}
	double t0 = clock_ms();
	c->snmp.rq.budget_ms = given;
	enum dsnmp_result r = dsnmp_read(&c->snmp.rq, vs, &dg->dev);
	note_cut(dg, c, "snmp", "SNMP", want, given, t0, r == DSNMP_OK);
	if (r == DSNMP_NONE && !device_get(&dg->dev, "snmp.version"))
		note_silence(c, dg, clock_ms() - t0);
}

/* Reads the device's web pages (never with --no-web: no HTTP request at all then). */
static void read_web(struct diag_cfg *c, struct diagnosis *dg, const char *hostonly, const char *web_password)
{
	if (c->no_web) {
		device_note(&dg->dev, "web pages not read (--no-web)");
		return;
	}
	long want = c->timeout_s * 2000 + 5000, given = share(c, want, smtp_reserve(c));
	if (given < 500) {
		diagnose_cut(dg, "web", "web pages: not read, no time left in the budget (%s %ld) before the test "
			     "send's reserved share", c->budget_opt, c->budget_s);
		return;
	}
	c->web.host = hostonly;
	c->web.vendor = device_value(&dg->dev, "identity.vendor_id");
	c->web.family = device_value(&dg->dev, "identity.family");
	c->web.password = web_password;
	c->web.timeout_ms = c->timeout_s * 1000 < given ? c->timeout_s * 1000 : given;
	c->web.budget_ms = given;
	double t0 = clock_ms();
	int n = web_read(&dg->dev, &c->web);
	note_cut(dg, c, "web", "web pages", want, given, t0, n > 0 && clock_ms() - t0 + 50 < given);
}

/* Reads the device: SNMP, then the web pages, each inside its share of the budget. */
static void read_device(struct diag_cfg *c, struct diagnosis *dg, const char *host, const char *web_password)
{
	struct ident_vendors vs;
	struct strlist perr = {0};
	ident_vendors_load(&vs, NULL, &perr);
	for (size_t i = 0; i < perr.n; i++)
		device_note(&dg->dev, "%s", perr.v[i]);
	strlist_free(&perr);
	char hostonly[300];
	int port;
	if (snmpw_split_peer(host, hostonly, sizeof(hostonly), &port) < 0)
		snprintf(hostonly, sizeof(hostonly), "%s", host);
	if (c->vendor)
		device_set(&dg->dev, "identity.vendor_id", c->vendor, FACT_USER, "--vendor");
	if (c->family)
		device_set(&dg->dev, "identity.family", c->family, FACT_USER, "--family");
	read_snmp(c, dg, &vs);
	read_web(c, dg, hostonly, web_password);
	ident_vendors_free(&vs);
}

/* Runs the test send with what is left of the budget (at least its reserved share). A test the
 * budget ended before a verdict is "not tested" (smtp.budget_exhausted), never a failure. */
static void run_test(struct diag_cfg *c, struct diagnosis *dg, double t0)
{
	long given = share(c, dg->req.budget_ms, 0);
	if (given < 200) {
		free(dg->test_skipped);
		dg->test_skipped = xasprintf("no time left in the budget (%s %ld) for the test send", c->budget_opt, c->budget_s);
		diagnose_cut(dg, "smtp-test", "the SMTP test send: not run, no time left in the budget (%s %ld)", c->budget_opt,
			     c->budget_s);
		return;
	}
	dg->req.budget_ms = given;
	double start = clock_ms();
	if (c->hooks && c->hooks->test_send) {
		/* 1: another printer's identical test (scan); the hook's last transcript line says whose */
		if (c->hooks->test_send(c->hooks->ctx, &dg->req, &dg->smtp) == 1 && dg->smtp.transcript.n) {
			const char *l = dg->smtp.transcript.v[dg->smtp.transcript.n - 1];
			device_note(&dg->dev, "%s", strncmp(l, "** ", 3) == 0 ? l + 3 : l);
		}
	} else
		smtp_probe(&dg->req, &dg->smtp);
	struct smtp_result *r = &dg->smtp;
	/* the probe tells a budget cut (not tested) from a step that got no reply (a failure) */
	smtp_rules_apply(&dg->req, r);
	dg->test_ran = true;
	if (!r->budget_exhausted)
		return;
	diagnose_cut(dg, "smtp-test", "the SMTP test send: not tested to the end. The run's time budget (%s %ld) ended "
		     "it after %.1f s, at the stage %s (reading the device took %.1f s, and the test keeps a reserved share). "
		     "No verdict: this is not a failure. Run again with a larger %s.", c->budget_opt, c->budget_s,
		     (clock_ms() - start) / 1000.0, stage_name(r->cut_stage), (start - t0) / 1000.0, c->budget_opt);
}

static void identify_service(struct diag_cfg *c, struct diagnosis *dg)
{
	const char *id = NULL, *name = NULL;
	if (c->service) {
		const json_t *s = kb_service_json(c->service);
		if (s) {
			dg->service_id = profile_str(s, "id");
			dg->service_name = profile_str(s, "name");
		} else {
			device_note(&dg->dev, "--service %s is not a known mail service; recognising it instead", c->service);
		}
	}
	if (dg->service_id)
		return;
	const struct smtp_step *b = dg->test_ran ? smtp_result_step(&dg->smtp, STAGE_BANNER) : NULL;
	if (kb_service_identify(dg->req.server, b ? buf_str(&b->reply.lines) : NULL, &id, &name) >= 0) {
		dg->service_id = id;
		dg->service_name = name;
	}
}

static void today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static int render_to(struct diag_cfg *c, struct diagnosis *dg, FILE *out, bool colour)
{
	int st = (int)dg->status;
	switch (c->format) {
	case 1: {
		json_t *j = diag_report_json(dg);
		json_print(out, j);
		json_decref(j);
		break;
	}
	case 2: diag_report_md(out, dg, c->verbose); break;
	case 3: diag_report_html(out, dg); break;
	case 4: st = plugin_report(out, dg, c->plugin); break;
	default: diag_report_text(out, dg, colour, c->verbose);
	}
	opt_replay_footer(out, &c->rp, c->format);
	return st;
}

int diag_render(struct diag_cfg *c, struct diagnosis *dg, FILE *out)
{
	bool colour = cli_use_colour(out);
	struct redact_sink k;
	FILE *f = redact_sink_open(&k);
	if (!f) {
		fprintf(stderr, "mfpdoctor diagnose: out of memory\n");
		return MFP_EXIT_UNKNOWN;
	}
	int st = render_to(c, dg, f, colour);
	if (redact_sink_close(&k, out) != 0 && !c->plugin)
		fprintf(stderr, "mfpdoctor diagnose: could not write the report\n");
	return st;
}

/* scan --output-dir: the full report in every file format, next to the one printed. */
static void save_copies(struct diag_cfg *c, struct diagnosis *dg, const char *stem)
{
	static const struct { int format; const char *ext; } kinds[] = {{1, "json"}, {2, "md"}, {3, "html"}};
	int keep = c->format;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		char *path = xasprintf("%s.%s", stem, kinds[i].ext);
		FILE *f = fopen(path, "w");
		if (f) {
			c->format = kinds[i].format;
			diag_render(c, dg, f);
			if (fclose(f) != 0)
				f = NULL;
		}
		if (!f)
			fprintf(stderr, "mfpdoctor diagnose: cannot write %s\n", path);
		free(path);
	}
	c->format = keep;
}

/* With --replay the device comes from a recording: the report says so, and the test send (which
 * would go to the real mail server) runs only when the user names a server. */
static void replay_test_policy(struct diag_cfg *c, struct diagnosis *dg)
{
	char *note = opt_replay_note(&c->rp);
	device_set(&dg->dev, "replay.source", note, FACT_USER, "--replay");
	if (!c->ov.server && !dg->test_skipped)
		dg->test_skipped = xasprintf("%s: the test send runs only when you give a server (--server); the "
					     "recording holds the device's SMTP settings", note);
	free(note);
}

static char *read_secret(struct diag_cfg *c, const char *cmd, const char *what, const char *env, const char *file,
			 const char *argv_v, int prompt, int *bad)
{
	char err[300];
	struct secret_source src = {what, env, file, argv_v, "--password", prompt};
	char *s = secret_get(&src, err, sizeof(err));
	if (!s && err[0]) {
		diag_error(c, cmd, "%s%s", c->plugin ? "configuration error: " : "", err);
		*bad = 1;
	}
	return s;
}

/* The secrets, each registered for redaction at once (before anything is printed), and the
 * output file. Returns 0, or 1 after an error (reported). */
static int read_secrets(const struct cli_cmd *self, struct diag_cfg *c)
{
	int bad = 0;
	c->smtp_pw = read_secret(c, self->name, "SMTP password", "MFPDOCTOR_SMTP_PASSWORD", c->password_file,
				 c->password_argv, !c->plugin, &bad);
	if (c->smtp_pw)
		redact_add_credential(c->ov.user, c->smtp_pw);
	if (!c->web.user)
		c->web.user = getenv("MFPDOCTOR_WEB_USER");
	c->web_pw = c->no_web ? NULL : read_secret(c, self->name, "web admin password", "MFPDOCTOR_WEB_PASSWORD",
						   c->web_password_file, NULL, 0, &bad);
	if (c->web_pw)
		redact_add_credential(c->web.user, c->web_pw);
	if (!c->web_pw && c->replay && c->rp.web_login && !c->no_web)
		c->web_pw = xstrdup(REC_REDACTED); /* the recorded login is replayed; its password was never kept */
	c->out = stdout;
	if (!bad && c->output && strcmp(c->output, "-") != 0 && !(c->out = fopen(c->output, "w"))) {
		diag_error(c, self->name, "cannot write %s", c->output);
		c->out = stdout;
		bad = 1;
	}
	return bad;
}

int diag_setup(const struct cli_cmd *self, int argc, char **argv, struct diag_cfg *c, cli_setter set, const char **host)
{
	c->argc = argc;
	c->argv = argv;
	int rc = opt_replay_parse(self, argc, argv, c, set, host, "printer HOST[:SNMP-PORT]", &c->host_or_replay);
	if (rc == 0 && c->hostname) {
		if (*host && c->replay == NULL) {
			diag_error(c, self->name, "give the printer once: -H %s or the argument %s, not both", c->hostname, *host);
			rc = MFP_EXIT_USAGE;
		}
		*host = c->hostname;
	}
	if (rc == 0 && c->replay && (rc = opt_replay_open(&c->rp, self->name, c->replay)) == 0) {
		*host = c->rp.snmp_peer ? c->rp.snmp_peer : c->rp.host; /* the recorded device, whatever HOST says */
		if (!c->web.port)
			c->web.port = c->rp.web_port;
	}
	if (rc == 0 && c->vendor && !kb_vendor_find(c->vendor)) {
		diag_error(c, self->name, "--vendor %.40s is not a known vendor (see devices/)", c->vendor);
		rc = MFP_EXIT_USAGE;
	}
	if (rc == 0 && !c->no_snmp && (rc = opt_snmp_finish(&c->snmp, self->name, *host)) != 0)
		opt_snmp_free(&c->snmp);
	if (rc)
		return rc;
	if (read_secrets(self, c) == 0)
		return -1;
	diag_cleanup(c);
	return MFP_EXIT_USAGE;
}

void diag_cleanup(struct diag_cfg *c)
{
	secret_free(c->smtp_pw);
	secret_free(c->web_pw);
	c->smtp_pw = c->web_pw = NULL;
	opt_snmp_free(&c->snmp);
	replay_close(&c->rp);
	strlist_free(&c->accept);
	redact_clear();
	if (c->hooks && c->hooks->worker)
		return; /* a scan worker: its process ends now, the parent's knowledge base is not freed */
	kb_unload();
	kb_vendors_unload();
}

void diag_execute(struct diag_cfg *c, struct diagnosis *dg, const char *host)
{
	c->ov.to = c->to;
	c->ov.timeout_ms = c->timeout_s * 1000;
	double t0 = clock_ms();
	c->deadline = t0 + (double)c->budget_s * 1000 - (double)c->end_margin_ms;
	memset(dg, 0, sizeof(*dg));
	diagnose_run_info(dg, c->argc, c->argv); /* the report's date/time and command line */
	device_init(&dg->dev, host);
	read_device(c, dg, host, c->web_pw);
	dg->vendor_id = device_value(&dg->dev, "identity.vendor_id");
	dg->family_id = device_value(&dg->dev, "identity.family");
	diagnose_explain_events(dg); /* first: a logged code's stage decides how far the test goes */
	diagnose_mirror(dg, &c->ov, c->smtp_pw);
	if (c->replay)
		replay_test_policy(c, dg);
	if (dg->req.user && c->smtp_pw)
		redact_add_credential(dg->req.user, c->smtp_pw); /* the device's login: its SASL and Basic forms too */
	if (dg->req.from && !dg->from_placeholder)
		probe_sender_domain(&dg->dev, dg->req.from);
	if (!dg->test_skipped)
		run_test(c, dg, t0);
	identify_service(c, dg); /* by host name, and by the banner the test saw */
	char day[11];
	today(day);
	diagnose_conclude(dg, day);
	dg->elapsed_ms = clock_ms() - t0;
}

/* The whole run of `diagnose` (plugin false) or `check` (plugin true: cli/cmd_check.c). */
int diag_run(const struct cli_cmd *self, int argc, char **argv, bool plugin, const struct diag_hooks *hooks)
{
	if (plugin)
		return check_run(self, argc, argv, hooks);
	struct diag_cfg c;
	const char *host = NULL;
	diag_cfg_init(&c);
	int rc = diag_setup(self, argc, argv, &c, diag_cfg_set, &host);
	if (rc >= 0)
		return rc == 1 ? MFP_EXIT_OK : rc;
	c.hooks = hooks;
	FILE *out = c.out;
	if (hooks && hooks->out) {
		if (out != stdout)
			fclose(out);
		out = hooks->out;
	}
	struct diagnosis dg;
	diag_execute(&c, &dg, host);
	diag_render(&c, &dg, out);
	if (hooks && hooks->save_stem)
		save_copies(&c, &dg, hooks->save_stem);
	if (out != stdout && !(hooks && out == hooks->out))
		fclose(out);
	int ex = (int)dg.status;
	diagnosis_free(&dg);
	diag_cleanup(&c);
	return ex;
}

static int run(const struct cli_cmd *self, int argc, char **argv)
{
	return diag_run(self, argc, argv, false, NULL);
}

const struct cli_cmd cmd_diagnose = {
	.name = "diagnose",
	.summary = "the whole diagnosis of a printer: read it, explain its errors, test-send like it, say what to fix",
	.usage = "diagnose HOST[:SNMP-PORT] [options]   (or: diagnose --replay DIR [--server HOST ...])",
	.description =
		"Reads the printer read-only (SNMP, then its web pages), explains the errors it logged, runs a test\n"
		"send that mirrors its SMTP settings (host, port, TLS mode and ceiling, login, From, EHLO name, size),\n"
		"applies the rules, and prints what is wrong, the evidence, the fix, and a settings checklist.\n"
		"Nothing is delivered unless --send. Passwords: MFPDOCTOR_SMTP_PASSWORD (or --password-file, or a\n"
		"prompt), MFPDOCTOR_WEB_PASSWORD, MFPDOCTOR_SNMP_COMMUNITY (or --community-file). --password and\n"
		"-C/--community work too but warn: other users see them in ps.\n"
		"Device values are checked first: a From that is not an e-mail address is reported, never sent;\n"
		"without a usable From the test stops before MAIL FROM. A phase the --budget cuts short is\n"
		"'not tested' (shown in the report), never a failure.\n"
		"Exit: 0 ok, 1 warning, 2 critical (scan-to-email will fail), 3 unknown (also: the budget ended\n"
		"the test before a verdict), 64 usage error.",
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.run = run,
};
