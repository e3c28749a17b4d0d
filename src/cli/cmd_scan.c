/* cli/cmd_scan.c — `mfpdoctor scan`: the diagnosis for a whole fleet. Runs `mfpdoctor diagnose
 * HOST --format json` for every host, a few at a time, each in its own process (a crash or a hang
 * on one device cannot take the others down; each child has the diagnose budget), then prints a
 * summary table, JSON Lines or one JSON array. Options after "--" go to every diagnose. */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/finding.h"
#include "report/smtp_report.h"
#include "util/text.h"

extern char **environ;

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

static int start_job(struct job *j, char *const *fwd, size_t nfwd)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	char **argv = xcalloc(nfwd + 8, sizeof(*argv));
	size_t k = 0;
	argv[k++] = "mfpdoctor";
	argv[k++] = "diagnose";
	argv[k++] = (char *)j->host;
	for (size_t i = 0; i < nfwd; i++)
		argv[k++] = fwd[i];
	argv[k++] = "--format";
	argv[k++] = "json";
	argv[k] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", 0, 0); /* never prompt */
	int rc = posix_spawn(&j->pid, "/proc/self/exe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		return -1;
	}
	j->fd = p[0];
	return 0;
}

/* The summary row of one host from its diagnose JSON. */
static json_t *summarise(struct job *j)
{
	json_error_t e;
	json_t *d = json_loads(buf_str(&j->out), 0, &e);
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
	json_decref(d);
	return row;
}

static void finish_job(struct job *j)
{
	int ws = 0;
	while (waitpid(j->pid, &ws, 0) < 0 && errno == EINTR)
		;
	j->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 3;
	if (j->status > 3)
		j->status = 3; /* a usage error inside: nothing could be diagnosed */
	j->result = summarise(j);
	buf_free(&j->out);
}

static int run_all(struct job *jobs, size_t n, long maxjobs, char *const *fwd, size_t nfwd)
{
	size_t next = 0, running = 0, done = 0;
	struct pollfd *pf = xcalloc(n, sizeof(*pf));
	size_t *idx = xcalloc(n, sizeof(*idx));
	while (done < n) {
		while (running < (size_t)maxjobs && next < n) {
			struct job *j = &jobs[next++];
			if (start_job(j, fwd, nfwd) != 0) {
				j->status = 3;
				j->result = summarise(j);
				done++;
				continue;
			}
			running++;
		}
		size_t np = 0;
		for (size_t i = 0; i < n; i++)
			if (jobs[i].fd >= 0) {
				pf[np] = (struct pollfd){.fd = jobs[i].fd, .events = POLLIN};
				idx[np++] = i;
			}
		if (!np)
			continue;
		if (poll(pf, np, -1) < 0 && errno != EINTR)
			break;
		for (size_t k = 0; k < np; k++) {
			if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			struct job *j = &jobs[idx[k]];
			char chunk[16384];
			ssize_t r = read(j->fd, chunk, sizeof(chunk));
			if (r > 0) {
				if (j->out.len < 16 * 1024 * 1024)
					buf_append(&j->out, chunk, (size_t)r);
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			close(j->fd);
			j->fd = -1;
			finish_job(j);
			running--;
			done++;
		}
	}
	free(pf);
	free(idx);
	return 0;
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
