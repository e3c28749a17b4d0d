/* scan/engine_spawn.c — the simple scan engine: one `mfpdoctor diagnose HOST <printer's options>
 * <common options> --format json` process per printer (posix_spawn of /proc/self/exe, stdin
 * /dev/null, stdout and stderr captured), cfg->jobs at a time, credential references resolved
 * into the child's environment, a row handed back the moment each child ends, a child that
 * overruns its budget ended, and *cfg->stop honoured. No shared test sends (test_send = NULL);
 * --output-dir keeps the JSON report only. Replaced by the fork-based engine at merge. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scan/scan.h"
#include "util/text.h"

extern char **environ;

#define OUT_MAX (16 * 1024 * 1024)
#define ERR_MAX (64 * 1024)
#define GRACE_S 15.0      /* beyond diagnose's own --budget before the child is ended */

struct child {
	const struct scan_target *t;
	pid_t pid;
	int fd[2];            /* stdout, stderr read ends; -1 when closed */
	struct buf out, err;
	double started, t0, deadline;
	bool overran;
	bool reaped;          /* waited for by end_all */
};

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* diagnose's --budget among the options (the last one wins, as in diagnose), default 120 s. */
static double budget_of(const struct strlist *a, const struct strlist *b)
{
	double v = 120;
	const struct strlist *l[2] = {a, b};
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; l[k] && i < l[k]->n; i++) {
			const char *s = l[k]->v[i];
			if (strncmp(s, "--budget=", 9) == 0)
				v = atof(s + 9);
			else if (strcmp(s, "--budget") == 0 && i + 1 < l[k]->n)
				v = atof(l[k]->v[i + 1]);
		}
	return v > 0 ? v : 120;
}

/* The child's environment: ours, with each "DEST=SRC" reference resolved. NULL (why in *why,
 * a new string) when a SRC is not set. */
static char **child_env(const struct scan_target *t, char **why)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **e = xcalloc(n + t->env.n + 1, sizeof(*e));
	size_t k = 0;
	for (size_t i = 0; i < t->env.n; i++) {
		const char *ref = t->env.v[i], *eq = strchr(ref, '=');
		const char *val = eq ? getenv(eq + 1) : NULL;
		if (!val) {
			*why = xasprintf("the environment variable %s is not set (this printer's %.*s comes from it, see "
					 "%s): export it before the scan", eq ? eq + 1 : ref, (int)(eq ? (size_t)(eq - ref) : strlen(ref)),
					 ref, t->origin);
			for (size_t j = 0; j < k; j++)
				free(e[j]);
			free(e);
			return NULL;
		}
		e[k++] = xasprintf("%.*s=%s", (int)(eq - ref), ref, val);
	}
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;
		for (size_t j = 0; j < t->env.n && !replaced; j++) {
			size_t dl = strcspn(t->env.v[j], "=");
			replaced = strncmp(environ[i], t->env.v[j], dl) == 0 && environ[i][dl] == '=';
		}
		if (!replaced)
			e[k++] = xstrdup(environ[i]);
	}
	return e;
}

static void free_env(char **e)
{
	for (size_t i = 0; e && e[i]; i++)
		free(e[i]);
	free(e);
}

static char **child_argv(const struct scan_target *t, const struct strlist *common)
{
	size_t nc = common ? common->n : 0, k = 0;
	char **argv = xcalloc(t->args.n + nc + 6, sizeof(*argv));
	argv[k++] = "mfpdoctor";
	argv[k++] = "diagnose";
	argv[k++] = t->host;
	for (size_t i = 0; i < t->args.n; i++)
		argv[k++] = t->args.v[i];
	for (size_t i = 0; i < nc; i++)
		argv[k++] = common->v[i];
	argv[k++] = "--format";
	argv[k++] = "json";
	return argv;
}

static int spawn(struct child *c, const struct strlist *common, char **envp)
{
	int po[2], pe[2];
	if (pipe(po) != 0)
		return -1;
	if (pipe(pe) != 0) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pe[1], STDERR_FILENO);
	for (int i = 0; i < 2; i++) {
		posix_spawn_file_actions_addclose(&fa, po[i]);
		posix_spawn_file_actions_addclose(&fa, pe[i]);
	}
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0); /* never prompt */
	posix_spawnattr_t at; /* its own process group: Ctrl-C reaches scan, which ends the children itself */
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	char **argv = child_argv(c->t, common);
	int rc = posix_spawn(&c->pid, "/proc/self/exe", &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(argv);
	close(po[1]);
	close(pe[1]);
	if (rc != 0) {
		close(po[0]);
		close(pe[0]);
		errno = rc;
		return -1;
	}
	c->fd[0] = po[0];
	c->fd[1] = pe[0];
	return 0;
}

static void save_json(const char *dir, const struct scan_target *t, const json_t *report)
{
	char *path = t->stem ? xasprintf("%s/%s.json", dir, t->stem) : xasprintf("%s/%04zu.json", dir, t->index);
	if (json_dump_file(report, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) != 0)
		fprintf(stderr, "mfpdoctor scan: cannot write %s: %s\n", path, strerror(errno));
	free(path);
}

/* The first line of the child's stderr, sanitised, for a row without a report. */
static char *first_err_line(const struct buf *b)
{
	const char *s = buf_str(b);
	return text_sanitize_n(s, strcspn(s, "\n"), 300, 0);
}

static void finish(struct child *c, int ws, const struct scan_engine_cfg *cfg, scan_row_fn row, void *ctx)
{
	struct scan_result r = {.target = c->t, .exit_code = -1, .started = c->started};
	r.elapsed_s = now_mono() - c->t0;
	json_error_t je;
	json_t *rep = json_loads(buf_str(&c->out), 0, &je);
	char *msg = NULL, *line = first_err_line(&c->err);
	if (WIFEXITED(ws) && rep && json_is_object(rep)) {
		r.exit_code = WEXITSTATUS(ws);
		r.report = rep;
	} else if (c->overran) {
		msg = xasprintf("diagnose was still running %.0f s after it started, beyond its budget, and was ended",
				r.elapsed_s);
	} else if (WIFSIGNALED(ws)) {
		msg = xasprintf("diagnose was killed by signal %d (%s)%s%s", WTERMSIG(ws), strsignal(WTERMSIG(ws)),
				*line ? ": " : "", line);
	} else {
		msg = xasprintf("diagnose ended with exit code %d and no report%s%s", WEXITSTATUS(ws), *line ? ": " : "",
				line);
	}
	r.error = msg;
	if (r.report && cfg->output_dir)
		save_json(cfg->output_dir, c->t, r.report);
	row(ctx, &r);
	json_decref(rep);
	free(msg);
	free(line);
}

static bool start(struct child *c, const struct scan_target *t, const struct scan_engine_cfg *cfg, scan_row_fn row,
		  void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	c->fd[0] = c->fd[1] = -1;
	c->started = now_wall();
	c->t0 = now_mono();
	c->deadline = c->t0 + budget_of(&t->args, cfg->common_args) + GRACE_S;
	char *why = NULL;
	char **envp = child_env(t, &why);
	if (envp && spawn(c, cfg->common_args, envp) == 0) {
		free_env(envp);
		return true;
	}
	if (!why)
		why = xasprintf("could not start diagnose: %s", strerror(errno));
	struct scan_result r = {.target = t, .exit_code = -1, .error = why, .started = c->started};
	row(ctx, &r);
	free(why);
	free_env(envp);
	return false;
}

/* Reads what is there; returns true when both pipes are closed. */
static bool drain(struct child *c, const struct pollfd *pf)
{
	for (int k = 0; k < 2; k++) {
		if (c->fd[k] < 0 || !(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		char chunk[16384];
		ssize_t r = read(c->fd[k], chunk, sizeof(chunk));
		struct buf *b = k ? &c->err : &c->out;
		if (r > 0 && b->len < (k ? ERR_MAX : OUT_MAX))
			buf_append(b, chunk, (size_t)r);
		else if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
			close(c->fd[k]);
			c->fd[k] = -1;
		}
	}
	return c->fd[0] < 0 && c->fd[1] < 0;
}

static int reap(struct child *c)
{
	int ws = 0;
	while (waitpid(c->pid, &ws, 0) < 0 && errno == EINTR)
		;
	buf_free(&c->out);
	buf_free(&c->err);
	return ws;
}

struct run {
	const struct scan_target *targets;
	size_t n, next, done, running;
	struct child *kids;           /* cfg->jobs slots; pid 0 = free */
	const struct scan_engine_cfg *cfg;
	scan_row_fn row;
	void *ctx;
};

static bool stopping(const struct run *R)
{
	return R->cfg->stop && *R->cfg->stop;
}

static void fill(struct run *R)
{
	for (int s = 0; s < R->cfg->jobs && R->next < R->n && !stopping(R); s++) {
		if (R->kids[s].pid)
			continue;
		if (start(&R->kids[s], &R->targets[R->next++], R->cfg, R->row, R->ctx))
			R->running++;
		else
			R->done++;
		if (R->cfg->progress)
			R->cfg->progress(R->ctx, R->done, R->running, R->n);
	}
}

/* Ends every running child (on stop): SIGTERM to all, SIGKILL to those still there after 2 s.
 * They get no row. */
static void end_all(struct run *R)
{
	int alive = 0;
	for (int s = 0; s < R->cfg->jobs; s++)
		if (R->kids[s].pid && kill(R->kids[s].pid, SIGTERM) == 0)
			alive++;
	for (double until = now_mono() + 2; alive && now_mono() < until; usleep(20000))
		for (int s = 0; s < R->cfg->jobs; s++) {
			struct child *c = &R->kids[s];
			int ws;
			if (c->pid && !c->reaped && waitpid(c->pid, &ws, WNOHANG) == c->pid) {
				c->reaped = true;
				alive--;
			}
		}
	for (int s = 0; s < R->cfg->jobs; s++) {
		struct child *c = &R->kids[s];
		if (!c->pid)
			continue;
		if (!c->reaped) {
			kill(c->pid, SIGKILL);
			reap(c);
		}
		for (int k = 0; k < 2; k++)
			if (c->fd[k] >= 0)
				close(c->fd[k]);
		buf_free(&c->out);
		buf_free(&c->err);
		c->pid = 0;
		R->running--;
	}
}

static void overrun_check(struct run *R, double t)
{
	for (int s = 0; s < R->cfg->jobs; s++) {
		struct child *c = &R->kids[s];
		if (c->pid && !c->overran && t > c->deadline) {
			c->overran = true;
			kill(c->pid, SIGKILL);
		}
	}
}

static void poll_once(struct run *R)
{
	struct pollfd pf[2 * 256];
	int slot[256], np = 0;
	for (int s = 0; s < R->cfg->jobs; s++)
		if (R->kids[s].pid) {
			pf[2 * np] = (struct pollfd){.fd = R->kids[s].fd[0], .events = POLLIN};
			pf[2 * np + 1] = (struct pollfd){.fd = R->kids[s].fd[1], .events = POLLIN};
			slot[np++] = s;
		}
	if (np == 0)
		return;
	if (poll(pf, (nfds_t)(2 * np), 250) < 0)
		return; /* EINTR: the caller looks at the stop flag */
	for (int i = 0; i < np; i++) {
		struct child *c = &R->kids[slot[i]];
		if (!drain(c, &pf[2 * i]))
			continue;
		int ws = 0;
		while (waitpid(c->pid, &ws, 0) < 0 && errno == EINTR)
			;
		if (!(stopping(R) && WIFSIGNALED(ws))) /* ended by the stop: not scanned, no row */
			finish(c, ws, R->cfg, R->row, R->ctx);
		buf_free(&c->out);
		buf_free(&c->err);
		c->pid = 0;
		R->running--;
		R->done++;
		if (R->cfg->progress)
			R->cfg->progress(R->ctx, R->done, R->running, R->n);
	}
}

int scan_engine_run(const struct scan_target *targets, size_t n, const struct scan_engine_cfg *cfg, scan_row_fn row,
		    void *ctx)
{
	if (cfg->jobs < 1 || cfg->jobs > 256) {
		fprintf(stderr, "mfpdoctor scan: %d printers at a time is out of range (1-256)\n", cfg->jobs);
		return -1;
	}
	struct run R = {.targets = targets, .n = n, .cfg = cfg, .row = row, .ctx = ctx};
	R.kids = xcalloc((size_t)cfg->jobs, sizeof(*R.kids));
	while (R.done < n) {
		if (stopping(&R)) {
			end_all(&R);
			break;
		}
		fill(&R);
		if (R.running == 0 && R.next >= n)
			break;
		poll_once(&R);
		overrun_check(&R, now_mono());
	}
	free(R.kids);
	return 0;
}
