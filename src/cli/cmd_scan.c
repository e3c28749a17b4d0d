/* cli/cmd_scan.c — `mfpdoctor scan`: the diagnosis for a whole fleet. Runs `mfpdoctor diagnose
 * HOST --format json` for every host, a few at a time, each in its own process (a crash or a hang
 * on one device cannot take the others down; each child has the diagnose budget), then prints a
 * summary table, JSON Lines or one JSON array. Options after "--" go to every diagnose. */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/finding.h"
#include "report/smtp_report.h"
#include "scan/scan.h"
#include "util/text.h"

enum { O_FORMAT, O_HOSTS_FILE, O_JOBS };

static const struct cli_opt opts[] = {
	{"format", 'f', CLI_VALUE, O_FORMAT, "text|jsonl|json", "summary table (default), JSON Lines, or one JSON array", "Output"},
	{"hosts-file", 0, CLI_VALUE, O_HOSTS_FILE, "FILE", "read hosts from FILE, one per line ('#' starts a comment)", "Hosts"},
	{"jobs", 'j', CLI_VALUE, O_JOBS, "N", "diagnose N printers at a time (default 4, at most 32)", "Hosts"},
};

struct scan_cfg {
	int format;
	const char *hosts_file;
	long jobs;
};

struct job {
	const char *host;
	pid_t pid;
	int fd;              /* read end of the child's stdout, -1 when done */
	struct buf out;
	int status;          /* the child's exit code, or -1 */
	json_t *result;      /* the summary row */
};

static int set(void *vcfg, int id, const char *v, char *err, size_t errsz)
{
	struct scan_cfg *c = vcfg;
	int i;
	switch (id) {
	case O_FORMAT:
		if ((i = cli_parse_choice("format", v, "text|jsonl|json", err, errsz)) < 0)
			return -1;
		c->format = i;
		return 0;
	case O_HOSTS_FILE: c->hosts_file = v; return 0;
	case O_JOBS: return cli_parse_long("jobs", v, 1, 32, &c->jobs, err, errsz);
	}
	return -1;
}

static int read_hosts(const char *path, struct strlist *hosts)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f) {
		fprintf(stderr, "mfpdoctor scan: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "#")] = '\0';
		text_trim(line);
		if (*line)
			strlist_add(hosts, line);
	}
	if (f != stdin)
		fclose(f);
	return 0;
}

/* The summary row of one host from its diagnose JSON. */
static json_t *summarise(struct job *j, const json_t *d)
{
	const json_t *f0 = json_array_get(json_object_get(d, "findings"), 0);
	const json_t *id = json_object_get(json_object_get(d, "device"), "identity");
	char title[300] = "";
	const char *v = json_string_value(json_object_get(id, "vendor")), *m = json_string_value(json_object_get(id, "model"));
	if (m && v && strncasecmp(m, v, strlen(v)) == 0)
		v = NULL;
	snprintf(title, sizeof(title), "%s%s%s", v ? v : "", v && m ? " " : "", m ? m : "");
	static const char *const names[] = {"ok", "warning", "critical", "unknown"};
	int st = j->status >= 0 && j->status <= 3 ? j->status : 3;
	const json_t *service = json_object_get(json_object_get(d, "service"), "name");
	json_t *row = json_pack("{s:o, s:s, s:i, s:o, s:o, s:o, s:o, s:o}", "host", json_text(j->host), "status", names[st],
				"exit_code", j->status, "device", json_text(title[0] ? title : NULL), "service",
				json_text(json_string_value(service)),
				"top_finding", f0 ? json_pack("{s:O, s:O, s:O}", "id", json_object_get(f0, "id"), "severity",
							      json_object_get(f0, "severity"), "title", json_object_get(f0, "title"))
						  : json_null(),
				"findings", json_integer((json_int_t)json_array_size(json_object_get(d, "findings"))),
				"error", d ? json_null() : json_text("diagnose produced no report (crashed or was killed)"));
	return row;
}

/* scan/engine.c's row callback (temporary bridge until the scan front end lands). */
static void engine_row(void *ctx, const struct scan_result *r)
{
	struct job *j = &((struct job *)ctx)[r->target->index];
	j->status = r->exit_code >= 0 && r->exit_code <= 3 ? r->exit_code : 3;
	j->result = summarise(j, r->report);
	if (r->error)
		json_object_set_new(j->result, "error", json_text(r->error));
	if (r->test_send)
		json_object_set(j->result, "test_send", r->test_send);
}

static int run_all(struct job *jobs, size_t n, long maxjobs, char *const *fwd, size_t nfwd)
{
	struct scan_target *t = xcalloc(n, sizeof(*t));
	struct strlist common = {0};
	for (size_t i = 0; i < nfwd; i++)
		strlist_add(&common, fwd[i]);
	for (size_t i = 0; i < n; i++)
		t[i] = (struct scan_target){.index = i, .host = (char *)jobs[i].host, .origin = "argument"};
	struct scan_engine_cfg cfg = {.jobs = (int)maxjobs, .per_server = 3, .share_tests = true, .common_args = &common};
	int rc = scan_engine_run(t, n, &cfg, engine_row, jobs);
	strlist_free(&common);
	free(t);
	return rc;
}

static void print_text(const struct job *jobs, size_t n)
{
	printf("%-22s %-34s %-9s %s\n", "HOST", "DEVICE", "STATUS", "TOP FINDING");
	for (size_t i = 0; i < n; i++) {
		const json_t *r = jobs[i].result;
		const json_t *f = json_object_get(r, "top_finding");
		char *host = text_sanitize(jobs[i].host, 22, 0);
		char *dev = text_sanitize(json_string_value(json_object_get(r, "device")) ? json_string_value(json_object_get(r, "device")) : "unknown device", 34, 0);
		const char *t = json_string_value(json_object_get(f, "title"));
		const char *err = json_string_value(json_object_get(r, "error"));
		char *top = text_sanitize(t ? t : err ? err : "-", 200, 0);
		printf("%-22s %-34s %-9s %s\n", host, dev, json_string_value(json_object_get(r, "status")), top);
		free(host);
		free(dev);
		free(top);
	}
}

static int run(const struct cli_cmd *self, int argc, char **argv)
{
	struct scan_cfg c = {.jobs = 4};
	/* options for diagnose follow "--" */
	int split = argc;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			split = i;
			break;
		}
	char **pos = xcalloc((size_t)argc + 1, sizeof(*pos));
	int npos = 0;
	int rc = cli_parse(self, split, argv, &c, set, pos, &npos);
	if (rc) {
		free(pos);
		return rc == 1 ? MFP_EXIT_OK : rc;
	}
	struct strlist hosts = {0};
	for (int i = 0; i < npos; i++)
		strlist_add(&hosts, pos[i]);
	free(pos);
	if (c.hosts_file && read_hosts(c.hosts_file, &hosts) != 0) {
		strlist_free(&hosts);
		return MFP_EXIT_USAGE;
	}
	if (!hosts.n) {
		fputs("mfpdoctor scan: give printers as arguments or with --hosts-file\nTry 'mfpdoctor scan --help'.\n", stderr);
		strlist_free(&hosts);
		return MFP_EXIT_USAGE;
	}
	struct job *jobs = xcalloc(hosts.n, sizeof(*jobs));
	for (size_t i = 0; i < hosts.n; i++) {
		jobs[i].host = hosts.v[i];
		jobs[i].fd = -1;
		jobs[i].status = -1;
	}
	signal(SIGPIPE, SIG_IGN);
	run_all(jobs, hosts.n, c.jobs, split < argc ? argv + split + 1 : NULL, split < argc ? (size_t)(argc - split - 1) : 0);
	int worst = 0;
	json_t *all = json_array();
	for (size_t i = 0; i < hosts.n; i++) {
		if (jobs[i].status > worst)
			worst = jobs[i].status;
		if (c.format == 1) {
			char *line = json_dumps(jobs[i].result, JSON_COMPACT | JSON_PRESERVE_ORDER);
			puts(line);
			free(line);
		}
		json_array_append(all, jobs[i].result);
	}
	if (c.format == 0)
		print_text(jobs, hosts.n);
	else if (c.format == 2)
		json_print(stdout, all);
	json_decref(all);
	for (size_t i = 0; i < hosts.n; i++)
		json_decref(jobs[i].result);
	free(jobs);
	strlist_free(&hosts);
	return worst;
}

const struct cli_cmd cmd_scan = {
	.name = "scan",
	.summary = "diagnose a whole fleet: a summary table or JSON Lines, one row per printer",
	.usage = "scan [--jobs N] [--format text|jsonl|json] [--hosts-file FILE] HOST... [-- diagnose options]",
	.description =
		"Runs `mfpdoctor diagnose HOST --format json` for every printer, N at a time, each in its own\n"
		"process with the diagnose budget, and prints one row per printer: status and top finding.\n"
		"Options after \"--\" go to every diagnose (e.g. -- --timeout 5 --no-web); secrets come from the\n"
		"environment as for diagnose (no prompt).\n"
		"Exit: the worst status over all printers (0 ok, 1 warning, 2 critical, 3 unknown); 64 usage.",
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.run = run,
};
