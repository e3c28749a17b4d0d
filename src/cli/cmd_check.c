/* cli/cmd_check.c — `mfpdoctor check`: the diagnosis as a monitoring plugin (Nagios, Icinga,
 * Naemon, Checkmk), after the Monitoring Plugins guidelines: -H host, -t for the WHOLE run (it
 * ends in time with its own UNKNOWN line, or -t N:STATE), -w/-c range thresholds on time,
 * smtp_time and cert_days, repeatable -v, --accept for known findings. Everything goes to
 * standard output (Icinga 2 merges stderr into it): even a usage error is the one status line. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/diag_cfg.h"
#include "diagnose/finding_ids.h"
#include "util/clock.h"

enum { O_ACCEPT = O_DIAG_NEXT, O_CHECK_TIMEOUT, O_CRITICAL, O_HOSTNAME, O_STEP_TIMEOUT, O_VERBOSITY, O_WARNING };

/* Sorted by long name (checked by tests/unit/test_cli.c). */
static const struct cli_opt opts[] = {
	{"accept", 0, CLI_VALUE, O_ACCEPT, "ID[,ID...]", "known findings that do not set the state", "Plugin"},
	DIAG_OPT_AUTH,
	OPT_SNMP_AUTH_PASS_FILE,
	OPT_SNMP_AUTH_PROTO,
	{"budget", 0, CLI_VALUE, O_CHECK_TIMEOUT, "SECONDS[:STATE]", "older name of -t/--timeout", "Plugin"},
	DIAG_OPT_CAFILE,
	{"community", 'C', CLI_VALUE, OS_COMMUNITY, "COMMUNITY", "SNMP community (e.g. $USER2$; warns)", "SNMP"},
	OPT_SNMP_COMMUNITY_FILE,
	{"critical", 'c', CLI_VALUE, O_CRITICAL, "METRIC=RANGE,...", "critical thresholds (like -w)", "Plugin"},
	DIAG_OPT_EHLO,
	DIAG_OPT_FAMILY,
	DIAG_OPT_FROM,
	{"hostname", 'H', CLI_VALUE, O_HOSTNAME, "HOST[:SNMP-PORT]", "the printer (or the positional HOST)", "Plugin"},
	DIAG_OPT_HTTP,
	DIAG_OPT_INSECURE,
	OPT_SNMP_LEVEL,
	DIAG_OPT_NO_SNMP,
	DIAG_OPT_NO_TEST,
	DIAG_OPT_NO_WEB,
	{"password", 0, CLI_VALUE, O_PASSWORD, "PASS", "SMTP password (e.g. $USER3$; warns, see below)", "SMTP test send"},
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
	{"step-timeout", 0, CLI_VALUE, O_STEP_TIMEOUT, "SECONDS", "limit per network step (default -t/4, max 10)", "Plugin"},
	DIAG_OPT_STOP_AFTER,
	{"timeout", 't', CLI_VALUE, O_CHECK_TIMEOUT, "SECONDS[:STATE]", "limit of the whole run (default 50; UNKNOWN)", "Plugin"},
	DIAG_OPT_TLS,
	DIAG_OPT_TLS_MAX,
	DIAG_OPT_TLS_MIN,
	DIAG_OPT_TO,
	DIAG_OPT_USER,
	DIAG_OPT_VENDOR,
	{"verbose", 'v', CLI_FLAG, O_VERBOSITY, NULL, "more output (repeat, 3 levels; see below)", "Plugin"},
	{"warning", 'w', CLI_VALUE, O_WARNING, "METRIC=RANGE,...", "e.g. time=20,smtp_time=5,cert_days=30:", "Plugin"},
	DIAG_OPT_WEB_CAFILE,
	DIAG_OPT_WEB_INSECURE,
	DIAG_OPT_WEB_PASSWORD_FILE,
	DIAG_OPT_WEB_PIN,
	DIAG_OPT_WEB_PORT,
	DIAG_OPT_WEB_USER,
};

/* Defaults: the whole run below Debian's nagios service_check_timeout=60. */
#define CHECK_DEFAULT_TIMEOUT 50

struct check_cfg {
	struct diag_cfg d;          /* first: the setter gets &d */
	struct plugin_opts po;
	bool step_set, bad_accept;
};

/* "N" or "N:STATE" (newer plugins' -t): STATE is OK, WARNING, CRITICAL, UNKNOWN or 0-3. */
static int set_timeout(struct check_cfg *k, const char *v, char *err, size_t errsz)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	char num[16];
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	long t;
	snprintf(num, sizeof(num), "%.*s", (int)(n < 15 ? n : 15), v);
	if (n >= 15 || cli_parse_long("timeout", num, 5, 3600, &t, err, errsz))
		return -1;
	k->d.budget_s = k->po.timeout_s = t;
	if (!colon)
		return 0;
	for (int i = 0; i < 4; i++)
		if (strcasecmp(colon + 1, names[i]) == 0 || (colon[1] == '0' + i && !colon[2])) {
			k->po.timeout_state = i;
			return 0;
		}
	snprintf(err, errsz, "--timeout: the state after ':' in '%.40s' is not one of OK, WARNING, CRITICAL, UNKNOWN", v);
	return -1;
}

static int set_accept(struct check_cfg *k, const char *v, char *err, size_t errsz)
{
	char id[64];
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ",");
		snprintf(id, sizeof(id), "%.*s", (int)(n < 63 ? n : 63), p);
		if (!diagnose_finding_id_known(id)) {
			k->bad_accept = true;
			snprintf(err, errsz, "--accept: '%.60s' is not a finding id (the valid ids follow)", id);
			return -1;
		}
		strlist_add(&k->d.accept, id);
		p += n + (p[n] == ',');
	}
	return 0;
}

static int check_set(void *cfg, int id, const char *v, char *err, size_t errsz)
{
	struct check_cfg *k = cfg;
	long n;
	switch (id) {
	case O_ACCEPT: return set_accept(k, v, err, errsz);
	case O_CHECK_TIMEOUT: return set_timeout(k, v, err, errsz);
	case O_CRITICAL: return plugin_thresholds_parse(v, k->po.crit, "--critical", err, errsz);
	case O_WARNING: return plugin_thresholds_parse(v, k->po.warn, "--warning", err, errsz);
	case O_HOSTNAME:
		if (!*v) {
			snprintf(err, errsz, "--hostname: give the printer's address or name");
			return -1;
		}
		k->d.hostname = k->d.host_or_replay = v;
		return 0;
	case O_STEP_TIMEOUT:
		if (cli_parse_long("step-timeout", v, 1, 300, &n, err, errsz))
			return -1;
		k->d.timeout_s = n;
		k->step_set = true;
		return 0;
	case O_VERBOSITY:
		k->po.verbosity += k->po.verbosity < 3;
		return 0;
	}
	return diag_cfg_set(&k->d, id, v, err, errsz);
}

/* stderr, captured for the whole run: Icinga 2 puts it before our status line. What arrives
 * there (our own and the libraries' messages) goes into the status line or the long output. */
struct capture {
	FILE *tmp;
	int saved;
	long pos;
};

static void capture_start(struct capture *cp)
{
	fflush(stderr);
	cp->saved = -1;
	cp->pos = 0;
	cp->tmp = tmpfile();
	if (cp->tmp && (cp->saved = dup(STDERR_FILENO)) >= 0)
		dup2(fileno(cp->tmp), STDERR_FILENO);
}

/* What arrived since the last call, one entry per line, without "mfpdoctor CMD: ". */
static void capture_take(struct capture *cp, struct strlist *out)
{
	if (cp->saved < 0)
		return;
	fflush(stderr);
	char chunk[4096];
	struct buf b = {0};
	ssize_t n;
	while ((n = pread(fileno(cp->tmp), chunk, sizeof(chunk), cp->pos)) > 0 && b.len < 65536) {
		buf_append(&b, chunk, (size_t)n);
		cp->pos += n;
	}
	for (char *line = b.data, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!*line || strncmp(line, "Try 'mfpdoctor", 14) == 0)
			continue;
		const char *s = line;
		if (strncmp(s, "mfpdoctor", 9) == 0 && strstr(s, ": "))
			s = strstr(s, ": ") + 2;
		strlist_add(out, s);
	}
	buf_free(&b);
}

static void capture_end(struct capture *cp)
{
	if (cp->saved >= 0) {
		fflush(stderr);
		dup2(cp->saved, STDERR_FILENO);
		close(cp->saved);
	}
	if (cp->tmp)
		fclose(cp->tmp);
	cp->tmp = NULL;
	cp->saved = -1;
}

/* The one status line of a run that could not start (usage or configuration error). */
static int fail_line(struct check_cfg *k, const struct strlist *captured)
{
	const char *why = k->d.err[0] ? k->d.err : NULL;
	for (size_t i = 0; !why && i < captured->n; i++)
		if (strncmp(captured->v[i], "warning:", 8) != 0) /* a warning is not the reason */
			why = captured->v[i];
	if (!why)
		why = "invalid command line";
	bool file = strncmp(why, "cannot read ", 12) == 0; /* e.g. --community-file, read by opt_snmp */
	bool config = file || strncmp(why, "configuration error", 19) == 0;
	char *line = xasprintf("MFPDOCTOR UNKNOWN - %s%s%s", file ? "configuration error: " : "", why,
			       config ? "" : " (see mfpdoctor check --help)");
	char *s = plugin_sanitize(line, 0);
	printf("%s\n", s);
	if (k->bad_accept) {
		printf("valid finding ids:");
		for (size_t i = 0; i < diagnose_nfinding_ids; i++)
			printf(" %s", diagnose_finding_ids[i]);
		printf("\n");
	}
	free(s);
	free(line);
	return MFP_EXIT_UNKNOWN;
}

/* The watchdog: if the run is still going when -t is nearly up, it prints its own status line
 * and ends the process: the engine never has to kill us. It is a thread (no signal handler), so
 * it may format its line when it fires. */
static atomic_int output_owner; /* 0 free, 1 the run, 2 the watchdog */
static struct {
	const struct plugin_opts *po;
	double t0, at_ms;
} watchdog;

static void *watchdog_main(void *arg)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	(void)arg;
	double left = watchdog.at_ms - clock_ms();
	if (left > 0) {
		struct timespec ts = {(time_t)(left / 1000), (long)((left - (double)(long)(left / 1000) * 1000) * 1e6)};
		while (nanosleep(&ts, &ts) != 0)
			;
	}
	int expected = 0;
	if (!atomic_compare_exchange_strong(&output_owner, &expected, 2))
		return NULL; /* the run is printing its result */
	const struct plugin_opts *po = watchdog.po;
	char line[900];
	int n = snprintf(line, sizeof(line),
		 "MFPDOCTOR %s - plugin time-out: no result within -t %ld s | time=%.2fs;%s;%s;0 smtp_time=U;%s;%s;0 "
		 "cert_days=U;%s;%s; failures=U;;;0 warnings=U;;;0 smtp_stages=U;;;0\n"
		 "The run did not end within the time limit (-t %ld): a network step did not give up in time. Raise -t "
		 "(and the check timeout of the engine), or lower --step-timeout.\n", names[po->timeout_state],
		 po->timeout_s, (clock_ms() - watchdog.t0) / 1000, po->warn[PM_TIME].text, po->crit[PM_TIME].text,
		 po->warn[PM_SMTP_TIME].text, po->crit[PM_SMTP_TIME].text, po->warn[PM_CERT_DAYS].text,
		 po->crit[PM_CERT_DAYS].text, po->timeout_s);
	ssize_t w = write(STDOUT_FILENO, line, n > 0 && (size_t)n < sizeof(line) ? (size_t)n : strlen(line));
	(void)w;
	_exit(po->timeout_state);
}

static void watchdog_start(const struct check_cfg *k, double t0)
{
	watchdog.po = &k->po;
	watchdog.t0 = t0;
	watchdog.at_ms = t0 + (double)k->po.timeout_s * 1000 - 200;
	atomic_store(&output_owner, 0);
	pthread_t th;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_create(&th, &a, watchdog_main, NULL); /* without it the budget alone keeps the time */
	pthread_attr_destroy(&a);
}

/* After parsing: the per-step limit from -t, the end margin, the accepted ids. */
static void derive(struct check_cfg *k)
{
	struct diag_cfg *c = &k->d;
	if (!k->step_set) {
		long s = c->budget_s / 4;
		c->timeout_s = s < 1 ? 1 : s > 10 ? 10 : s;
	}
	c->end_margin_ms = c->budget_s >= 10 ? 1000 : 500; /* time to conclude and print before -t */
	if (k->po.warn[PM_CERT_DAYS].set || k->po.crit[PM_CERT_DAYS].set)
		strlist_add(&c->accept, "cert-expiring"); /* the thresholds replace the fixed 21-day warning */
}

/* The diagnosis and its status line; returns the state. */
static int run_plugin(struct check_cfg *k, const char *host, struct capture *cp, const struct diag_hooks *hooks)
{
	struct diag_cfg *c = &k->d;
	struct findings accepted = {0};
	struct strlist notes = {0};
	struct diagnosis dg;
	c->hooks = hooks;
	double t0 = clock_ms();
	if (!hooks)
		watchdog_start(k, t0);
	diag_execute(c, &dg, host);
	diagnose_accept(&dg, &c->accept, &accepted);
	capture_take(cp, &notes);
	k->po.accepted = &accepted;
	k->po.notes = &notes;
	int expected = 0;
	if (!hooks && !atomic_compare_exchange_strong(&output_owner, &expected, 1))
		for (;;)
			pause(); /* the watchdog is printing and ends the process */
	int st = diag_render(c, &dg, hooks && hooks->out ? hooks->out : stdout);
	fflush(stdout);
	diagnosis_free(&dg);
	findings_free(&accepted);
	strlist_free(&notes);
	return st;
}

int check_run(const struct cli_cmd *self, int argc, char **argv, const struct diag_hooks *hooks)
{
	struct check_cfg k;
	struct capture cp = {NULL, -1, 0};
	struct strlist captured = {0};
	diag_cfg_init(&k.d);
	memset(&k.po, 0, sizeof(k.po));
	k.step_set = k.bad_accept = false;
	k.d.plugin = &k.po;
	k.d.format = 4;
	k.d.budget_s = k.po.timeout_s = CHECK_DEFAULT_TIMEOUT;
	k.d.budget_opt = "-t";
	k.po.timeout_state = MFP_EXIT_UNKNOWN;
	if (!hooks)
		capture_start(&cp); /* the parser's own messages (and any library's) arrive here */
	const char *host = NULL;
	int rc = diag_setup(self, argc, argv, &k.d, check_set, &host);
	if (rc >= 0) {
		capture_take(&cp, &captured);
		capture_end(&cp);
		rc = rc == 1 ? MFP_EXIT_OK : fail_line(&k, &captured);
		strlist_free(&captured);
		strlist_free(&k.d.accept);
		return rc;
	}
	derive(&k);
	rc = run_plugin(&k, host, &cp, hooks);
	capture_end(&cp);
	diag_cleanup(&k.d);
	return rc;
}

static int run(const struct cli_cmd *self, int argc, char **argv)
{
	return check_run(self, argc, argv, NULL);
}

const struct cli_cmd cmd_check = {
	.name = "check",
	.summary = "diagnose as a Nagios/Icinga plugin: one status line, performance data, exit 0-3",
	.usage = "check -H HOST[:SNMP-PORT] [options]   (or HOST as an argument)",
	.description =
		"The whole diagnosis as a monitoring plugin (Monitoring Plugins guidelines):\n"
		"'MFPDOCTOR STATE - summary | perfdata', then the findings with their fixes.\n"
		"-t N[:STATE] limits the WHOLE run (default 50 s, below the engines' 60 s):\n"
		"it ends by itself, UNKNOWN (or STATE) when time ran out before a verdict.\n"
		"-w/-c METRIC=RANGE,... on time, smtp_time (seconds) and cert_days, with\n"
		"Nagios ranges [@][START:]END (~ = minus infinity); cert_days=30: warns\n"
		"below 30 days (instead of the fixed 21). Perfdata, always the same set\n"
		"(U = not measured): time smtp_time cert_days failures warnings smtp_stages.\n"
		"-v evidence, -v -v notes and checklist, -v -v -v the SMTP transcript.\n"
		"--accept ID: a known finding, listed as 'accepted:', does not set the state.\n"
		"Secrets: files or the environment (MFPDOCTOR_SMTP_PASSWORD and\n"
		"MFPDOCTOR_SNMP_COMMUNITY); --password and -C (for $USERn$ macros) work,\n"
		"with a warning in the long output. Nothing goes to stderr: a usage error\n"
		"is the status line. It never prompts.\n"
		"Exit: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for a bad command line).",
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.run = run,
};
