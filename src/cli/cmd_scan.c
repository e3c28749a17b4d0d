/* cli/cmd_scan.c — `mfpdoctor scan`: the diagnosis for a whole fleet. Options and wiring only:
 * the printer list (scan/targets.c, scan/inventory.c), the engine that diagnoses them a few at a
 * time, each isolated (scan/engine*.c), rows (scan/rows.c) written as each printer finishes
 * (scan/output.c), the progress line (scan/progress.c), and a clean stop on Ctrl-C / SIGTERM. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/finding.h"
#include "scan/output.h"
#include "scan/progress.h"
#include "scan/rows.h"
#include "scan/scan.h"
#include "scan/targets.h"

enum { O_COLUMNS, O_FORMAT, O_HOSTS_FILE, O_INVENTORY, O_JOBS, O_NO_PROGRESS, O_NO_SHARE, O_OUTPUT_DIR, O_PER_SERVER, O_PROGRESS };

static const struct cli_opt opts[] = {
	{"columns", 0, CLI_VALUE, O_COLUMNS, "FIELD=HEADER,...", "which inventory columns to read, e.g. host=IP,name=Name,location=Location", "Printers"},
	{"format", 'f', CLI_VALUE, O_FORMAT, SCAN_FORMAT_CHOICES, "table (default), JSON Lines (streamed), one JSON array (at the end), or CSV", "Output"},
	{"hosts-file", 0, CLI_VALUE, O_HOSTS_FILE, "FILE", "printers from FILE, one per line ('#' comments), or nmap -oG output; '-' = standard input", "Printers"},
	{"inventory", 0, CLI_VALUE, O_INVENTORY, "FILE.csv", "printers and per-printer settings from a CSV file with a header row ('-' = standard input)", "Printers"},
	{"jobs", 'j', CLI_VALUE, O_JOBS, "N", "diagnose N printers at a time (default 4, at most 256)", "Printers"},
	{"no-progress", 0, CLI_FLAG, O_NO_PROGRESS, NULL, "no progress line, even on a terminal", "Output"},
	{"no-share", 0, CLI_FLAG, O_NO_SHARE, NULL, "one test send per printer, even when printers have the same SMTP settings", "Test sends"},
	{"output-dir", 0, CLI_VALUE, O_OUTPUT_DIR, "DIR", "keep each printer's full report in DIR as <index>-<host>.json, .md and .html (e.g. 0007-10.1.0.28.html)", "Output"},
	{"per-server", 0, CLI_VALUE, O_PER_SERVER, "N", "at most N test sends at a time per mail server and login (default 3: Microsoft 365's limit per mailbox)", "Test sends"},
	{"progress", 0, CLI_FLAG, O_PROGRESS, NULL, "a progress line on standard error even when it is not a terminal", "Output"},
};

struct scan_cfg {
	int format;
	long jobs;
	int progress;              /* -1 auto, 0 off, 1 on */
	long per_server;           /* test sends at a time per mail server and login */
	bool no_share;
	const char *columns, *output_dir;
	struct strlist hosts_files, inventories;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int set(void *vcfg, int id, const char *v, char *err, size_t errsz)
{
	struct scan_cfg *c = vcfg;
	int i;
	switch (id) {
	case O_COLUMNS: c->columns = v; return 0;
	case O_FORMAT:
		if ((i = cli_parse_choice("format", v, SCAN_FORMAT_CHOICES, err, errsz)) < 0)
			return -1;
		c->format = i;
		return 0;
	case O_HOSTS_FILE: strlist_add(&c->hosts_files, v); return 0;
	case O_INVENTORY: strlist_add(&c->inventories, v); return 0;
	case O_JOBS: return cli_parse_long("jobs", v, 1, 256, &c->jobs, err, errsz);
	case O_NO_PROGRESS: c->progress = 0; return 0;
	case O_NO_SHARE: c->no_share = true; return 0;
	case O_PER_SERVER: return cli_parse_long("per-server", v, 1, 32, &c->per_server, err, errsz);
	case O_OUTPUT_DIR: c->output_dir = v; return 0;
	case O_PROGRESS: c->progress = 1; return 0;
	}
	return -1;
}

/* Reads one hosts file or inventory into t; -1 when it cannot be opened (message printed). */
static int read_list(struct scan_targets *t, const char *path, bool inventory, const char *columns, int *stdin_used)
{
	bool is_stdin = strcmp(path, "-") == 0;
	if (is_stdin && (*stdin_used)++) {
		fputs("mfpdoctor scan: standard input ('-') can be read only once\n", stderr);
		return -1;
	}
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	if (!f) {
		fprintf(stderr, "mfpdoctor scan: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	const char *name = is_stdin ? "standard input" : path;
	if (inventory)
		scan_inventory_read(t, f, name, columns);
	else
		scan_targets_read_hosts(t, f, name);
	if (!is_stdin)
		fclose(f);
	return 0;
}

/* A note before the scan for each credential reference whose variable is not set (those printers
 * will get an error row). */
static void warn_unset(const struct scan_targets *t)
{
	struct strlist seen = {0};
	for (size_t i = 0; i < t->n; i++)
		for (size_t k = 0; k < t->v[i].env.n; k++) {
			const char *src = strchr(t->v[i].env.v[k], '=');
			if (!src || getenv(src + 1) || strlist_has(&seen, src + 1))
				continue;
			strlist_add(&seen, src + 1);
			fprintf(stderr, "mfpdoctor scan: note: the environment variable %s is not set (first needed by %s); "
				"the printers that use it will get an error row\n", src + 1, t->v[i].origin);
		}
	strlist_free(&seen);
}

/* The whole printer list; MFP_EXIT_OK, or MFP_EXIT_USAGE after printing every error. */
static int build_targets(struct scan_targets *t, const struct scan_cfg *c, char **pos, int npos)
{
	int stdin_used = 0;
	if (c->columns && !c->inventories.n) {
		fputs("mfpdoctor scan: --columns chooses the columns of an --inventory file; give one\n", stderr);
		return MFP_EXIT_USAGE;
	}
	for (int i = 0; i < npos; i++) {
		char origin[32];
		snprintf(origin, sizeof(origin), "argument %d", i + 1);
		scan_targets_add(t, pos[i], origin, NULL, NULL);
	}
	for (size_t i = 0; i < c->hosts_files.n; i++)
		if (read_list(t, c->hosts_files.v[i], false, NULL, &stdin_used) != 0)
			return MFP_EXIT_USAGE;
	for (size_t i = 0; i < c->inventories.n; i++)
		if (read_list(t, c->inventories.v[i], true, c->columns, &stdin_used) != 0)
			return MFP_EXIT_USAGE;
	if (t->nerrors) {
		fputs(buf_str(&t->errs), stderr);
		fprintf(stderr, "mfpdoctor scan: %zu error%s in the printer list; nothing was scanned (fix %s and run "
			"again)\n", t->nerrors, t->nerrors == 1 ? "" : "s", t->nerrors == 1 ? "it" : "them");
		return MFP_EXIT_USAGE;
	}
	if (!t->n) {
		fputs("mfpdoctor scan: give printers as arguments (HOST, 10.1.0.0/24, 10.1.0.10-40), with --hosts-file "
		      "FILE or with --inventory FILE.csv\nTry 'mfpdoctor scan --help'.\n", stderr);
		return MFP_EXIT_USAGE;
	}
	scan_targets_finish(t);
	scan_targets_warn_duplicates(t, stderr);
	warn_unset(t);
	return MFP_EXIT_OK;
}

static int accept_any(void *cfg, int id, const char *v, char *err, size_t errsz)
{
	return 0;
}

/* The options after "--" must be diagnose's: checked once here rather than failing on every printer. */
static int check_common(int argc, char **argv)
{
	char **pos = xcalloc((size_t)argc + 2, sizeof(*pos));
	char **av = xcalloc((size_t)argc + 2, sizeof(*av));
	int npos = 0;
	av[0] = "diagnose";
	for (int i = 0; i < argc; i++)
		av[i + 1] = argv[i];
	int rc = cli_parse(&cmd_diagnose, argc + 1, av, NULL, accept_any, pos, &npos);
	if (rc == 0 && npos)
		fprintf(stderr, "mfpdoctor scan: \"%s\" after \"--\" is not an option; the printers go before \"--\"\n",
			pos[0]);
	else if (rc != 0)
		fputs("mfpdoctor scan: (that is in the options after \"--\", which go to every diagnose)\n", stderr);
	free(pos);
	free(av);
	return rc == 0 && npos == 0 ? 0 : -1;
}

struct front {
	struct scan_output out;
	struct scan_progress prog;
	const char *output_dir;
	size_t rows;
	int worst;
	volatile sig_atomic_t *stop;
};

static void on_row(void *ctx, const struct scan_result *r)
{
	struct front *f = ctx;
	json_t *row = scan_row(r, f->output_dir);
	int e = scan_row_exit(row);
	if (e > f->worst)
		f->worst = e;
	if (e != 0)
		scan_progress_failing(&f->prog);
	/* a printer the stop ended mid-way keeps its row ("stopped: …") but was not scanned */
	if (!(r->error && strncmp(r->error, "stopped:", 8) == 0))
		f->rows++;
	scan_progress_clear(&f->prog);
	scan_output_row(&f->out, row);
	if (ferror(f->out.out) && !*f->stop)
		*f->stop = SIGPIPE; /* nobody reads the rows any more */
	scan_progress_draw(&f->prog);
	json_decref(row);
}

static void on_progress(void *ctx, size_t done, size_t running, size_t total)
{
	struct front *f = ctx;
	scan_progress_counts(&f->prog, done, running);
}

static int prepare_dir(const char *dir)
{
	if (!dir || mkdir(dir, 0750) == 0 || errno == EEXIST) {
		struct stat st;
		if (!dir || (stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && access(dir, W_OK) == 0))
			return 0;
	}
	fprintf(stderr, "mfpdoctor scan: --output-dir %s is not a directory this user can write to (%s)\n", dir,
		strerror(errno ? errno : ENOTDIR));
	return -1;
}

static int scan_all(const struct scan_cfg *c, const struct scan_targets *t, struct strlist *common)
{
	struct front f = {.output_dir = c->output_dir, .stop = &stop_signal};
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: the engine's poll wakes up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	scan_progress_init(&f.prog, stderr, t->n, c->progress < 0 ? isatty(STDERR_FILENO) : c->progress);
	scan_output_begin(&f.out, (enum scan_format)c->format, stdout);
	struct scan_engine_cfg ec = {.jobs = (int)c->jobs, .per_server = (int)c->per_server, .share_tests = !c->no_share, .common_args = common,
				     .output_dir = c->output_dir, .stop = &stop_signal, .progress = on_progress};
	scan_progress_draw(&f.prog);
	int rc = scan_engine_run(t->v, t->n, &ec, on_row, &f);
	scan_progress_clear(&f.prog);
	scan_output_end(&f.out, t->n, stop_signal ? t->n - f.rows : 0);
	if (rc != 0)
		return MFP_EXIT_UNKNOWN;
	if (stop_signal && stop_signal != SIGPIPE) {
		fprintf(stderr, "mfpdoctor scan: stopped by %s: %zu of %zu printers scanned, %zu not scanned\n",
			stop_signal == SIGINT ? "Ctrl-C (SIGINT)" : "SIGTERM", f.rows, t->n, t->n - f.rows);
		return 128 + (int)stop_signal;
	}
	return f.worst;
}

static int run(const struct cli_cmd *self, int argc, char **argv)
{
	struct scan_cfg c = {.jobs = 4, .progress = -1, .per_server = 3};
	int split = argc; /* options for diagnose follow "--" */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			split = i;
			break;
		}
	char **pos = xcalloc((size_t)argc + 1, sizeof(*pos));
	int npos = 0;
	struct scan_targets t = {0};
	struct strlist common = {0};
	int rc = cli_parse(self, split, argv, &c, set, pos, &npos);
	if (rc == 0 && split < argc && check_common(argc - split - 1, argv + split + 1) != 0)
		rc = MFP_EXIT_USAGE;
	if (rc == 0)
		rc = build_targets(&t, &c, pos, npos);
	if (rc == 0 && prepare_dir(c.output_dir) != 0)
		rc = MFP_EXIT_USAGE;
	if (rc == 0) {
		for (int i = split + 1; i < argc; i++)
			strlist_add(&common, argv[i]);
		rc = scan_all(&c, &t, &common);
	} else if (rc == 1) {
		rc = MFP_EXIT_OK;
	}
	free(pos);
	strlist_free(&common);
	strlist_free(&c.hosts_files);
	strlist_free(&c.inventories);
	scan_targets_free(&t);
	return rc;
}

const struct cli_cmd cmd_scan = {
	.name = "scan",
	.summary = "diagnose a whole fleet: one row per printer as each finishes (table, JSON Lines, JSON, CSV)",
	.usage = "scan [options] [PRINTER...] [--hosts-file FILE] [--inventory FILE.csv] [-- diagnose options]",
	.description =
		"Runs `mfpdoctor diagnose` for every printer, N at a time, each in its own process with the\n"
		"diagnose budget, and writes one row per printer the moment it is done (completion order; \"index\"\n"
		"is the input position): status, identity, SMTP endpoint, every finding, duration.\n"
		"PRINTER is HOST, HOST:SNMP-PORT, an IPv4 block 10.1.0.0/24 (network and broadcast left out from /30\n"
		"up), a range 10.1.0.10-40 or 10.1.0.10-10.1.1.20, each optionally with :SNMP-PORT; at most 65536.\n"
		"An inventory CSV has a header row: host (or ip, address), name, location, and per-printer settings\n"
		"snmp_version, community_env/_file, snmp_user, vendor, web_port, web_user, smtp_server, smtp_port,\n"
		"tls, smtp_user, from, smtp_password_env/_file, web_password_env/_file (secrets by reference only:\n"
		"the NAME of an environment variable or a file). Any invalid entry stops the scan before it starts.\n"
		"Standard input is read only when given as '-' (--hosts-file - or --inventory -).\n"
		"Options after \"--\" go to every diagnose (e.g. -- --timeout 5 --no-web); they come after a\n"
		"printer's inventory options, so the same option after \"--\" wins.\n"
		"On a terminal a progress line is drawn on standard error. Ctrl-C or SIGTERM: no new printer starts,\n"
		"the running ones are ended, every finished row is kept (json: the array is closed).\n"
		"Exit: the worst status over all printers (0 ok, 1 warning, 2 critical, 3 unknown or error);\n"
		"64 usage or an invalid printer list; 130 after Ctrl-C, 143 after SIGTERM.",
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.run = run,
};
