/* scan/engine.c — the fleet scan engine: diagnoses each printer in a forked worker (no exec:
 * the profiles, libcurl and OpenSSL are set up once in the parent and shared copy-on-write; a
 * crash or a hang stays in its worker), at most cfg->jobs at a time. One poll() loop reads
 * every worker's socket, answers their test-send questions (scan/engine_share.c), kills a
 * worker that outlives its diagnose budget, and hands each report to row() as soon as the
 * worker ends, then frees it: memory grows with jobs, not with the fleet. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "kb/kb.h"
#include "kb/vendor.h"
#include "profile/profile.h"
#include "scan/engine_int.h"
#include "util/clock.h"

#define SLACK_MS(budget_ms) (5000 + (budget_ms) / 10) /* a worker's time beyond its budget */
#define REPORT_MAX (16u << 20)

struct slot {
	bool used;
	const struct scan_target *t;
	pid_t pid;
	int fd;
	struct buf in, out;       /* bytes from the worker; bytes waiting to go to it */
	double wall0, t0, deadline;
	long budget_ms;
	bool asking;              /* waiting for an answer to its test-send question */
	struct share_ask ask;
	json_t *test_send;
	bool got_report;
	int exit_code;
	struct buf report;
	bool eof, have_status;    /* its socket closed; the zygote said how it ended */
	double eof_at;            /* when its socket closed */
	int status;               /* as waitpid gives it */
	const char *ended_by;     /* NULL, "timeout" or "stop": why we killed it */
	double term_at;           /* when SIGTERM was sent (stop) */
};

struct engine {
	const struct scan_target *targets;
	size_t n, next, running, done;
	const struct scan_engine_cfg *cfg;
	scan_row_fn row;
	void *ctx;
	struct slot *slots;
	size_t nslots;
	struct share *share;
	struct zygote z;
	bool zygote_gone;
};

static double wall_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void progress(struct engine *e)
{
	if (e->cfg->progress)
		e->cfg->progress(e->ctx, e->done, e->running, e->n);
}

/* The printer's --budget (its last value among its options and the common ones; default 120 s). */
static long budget_ms_of(const struct scan_target *t, const struct strlist *common)
{
	long b = 120;
	const struct strlist *ls[] = {common, &t->args}; /* diagnose's order: the printer's own last */
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; ls[k] && i < ls[k]->n; i++) {
			const char *a = ls[k]->v[i], *v = NULL;
			if (strcmp(a, "--budget") == 0 && i + 1 < ls[k]->n)
				v = ls[k]->v[++i];
			else if (strncmp(a, "--budget=", 9) == 0)
				v = a + 9;
			if (v && atol(v) > 0)
				b = atol(v);
		}
	return b * 1000;
}

static void emit(struct engine *e, const struct scan_target *t, json_t *report, int exit_code, const char *error,
		 double wall0, double elapsed_s, json_t *test_send)
{
	struct scan_result r = {t, report, exit_code, error, wall0, elapsed_s, test_send};
	e->done++;
	e->row(e->ctx, &r);
	progress(e);
}

/* A "DEST=SRC" whose SRC is not set: the row's error, or NULL when every reference resolves. */
static char *missing_env(const struct scan_target *t)
{
	for (size_t i = 0; i < t->env.n; i++) {
		const char *eq = strchr(t->env.v[i], '=');
		if (!eq || eq == t->env.v[i] || !eq[1])
			return xasprintf("%s: the credential reference '%.80s' is not of the form DEST=SOURCE", t->origin,
					 t->env.v[i]);
		if (!getenv(eq + 1))
			return xasprintf("%s: the environment variable %.80s is not set (it should hold %.*s for this "
					 "printer); set it before the scan, or remove the reference", t->origin, eq + 1,
					 (int)(eq - t->env.v[i]), t->env.v[i]);
	}
	return NULL;
}

static int start(struct engine *e, struct slot *s, const struct scan_target *t)
{
	pid_t pid;
	int fd;
	if (e->zygote_gone || zygote_spawn(&e->z, (size_t)(t - e->targets), &pid, &fd) != 0)
		return -1;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->t = t;
	s->pid = pid;
	s->fd = fd;
	s->wall0 = wall_now();
	s->t0 = clock_ms();
	s->budget_ms = budget_ms_of(t, e->cfg->common_args);
	s->deadline = s->t0 + (double)s->budget_ms + SLACK_MS(s->budget_ms);
	s->exit_code = -1;
	e->running++;
	return 0;
}

static struct slot *free_slot(struct engine *e)
{
	for (size_t k = 0; k < e->nslots; k++)
		if (!e->slots[k].used)
			return &e->slots[k];
	return NULL;
}

/* Starts the next targets while there is room. */
static void fill(struct engine *e)
{
	struct slot *s;
	while (e->next < e->n && !*e->cfg->stop && (s = free_slot(e)) != NULL) {
		const struct scan_target *t = &e->targets[e->next++];
		char *err = missing_env(t);
		if (!err && start(e, s, t) == 0) {
			progress(e);
			continue;
		}
		if (!err)
			err = xasprintf("could not start a worker process for this printer: %s", strerror(errno));
		emit(e, t, NULL, -1, err, wall_now(), 0, NULL);
		free(err);
	}
}

static void flush_out(struct slot *s)
{
	while (s->out.len) {
		ssize_t w = send(s->fd, s->out.data, s->out.len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				buf_reset(&s->out); /* the worker is gone: its end is handled on EOF */
			return;
		}
		memmove(s->out.data, s->out.data + w, s->out.len - (size_t)w);
		s->out.len -= (size_t)w;
	}
}

static void answer(struct engine *e, struct slot *s)
{
	char *cached;
	json_t *info;
	enum share_answer a = share_decide(e->share, &s->ask, &cached, &info);
	if (a == SHARE_WAIT)
		return;
	s->asking = false;
	s->deadline += clock_ms() - s->ask.since; /* waiting for a place on the server is not its time */
	json_decref(s->test_send);
	s->test_send = info;
	if (a == SHARE_CACHED)
		frame_put(&s->out, FR_CACHED, cached, strlen(cached));
	else
		frame_put(&s->out, FR_GO, "", 0);
	free(cached);
	flush_out(s);
}

static int by_since(const void *a, const void *b)
{
	const struct slot *x = *(struct slot *const *)a, *y = *(struct slot *const *)b;
	return x->ask.since < y->ask.since ? -1 : x->ask.since > y->ask.since;
}

/* Answers the waiting workers, in the order they asked (one pass: an answer only takes places). */
static void dispatch(struct engine *e)
{
	struct slot *wait[256];
	size_t n = 0;
	for (size_t k = 0; k < e->nslots && n < ARRAY_SIZE(wait); k++)
		if (e->slots[k].used && e->slots[k].asking)
			wait[n++] = &e->slots[k];
	qsort(wait, n, sizeof(*wait), by_since);
	for (size_t i = 0; i < n; i++)
		answer(e, wait[i]);
}

static void on_question(struct engine *e, struct slot *s, const struct buf *p)
{
	json_t *q = json_loadb(p->data, p->len, 0, NULL);
	const char *fp = json_string_value(json_object_get(q, "fingerprint"));
	const char *server = json_string_value(json_object_get(q, "server"));
	free(s->ask.fingerprint);
	free(s->ask.server);
	s->ask = (struct share_ask){(size_t)(s - e->slots), s->t, xstrdup(fp ? fp : "?"), xstrdup(server ? server : "?"),
				    clock_ms()};
	s->asking = true;
	json_decref(q);
	answer(e, s);
}

static void on_frame(struct engine *e, struct slot *s, int type, const struct buf *p)
{
	if (type == FR_TEST) {
		on_question(e, s, p);
	} else if (type == FR_RESULT) {
		share_done(e->share, (size_t)(s - e->slots), p->data, p->len);
		dispatch(e); /* a place on its server is free, and its result may answer others */
	} else if (type == FR_REPORT && p->len >= 4) {
		const unsigned char *c = (const unsigned char *)p->data;
		s->exit_code = (int)((unsigned)c[0] << 24 | (unsigned)c[1] << 16 | (unsigned)c[2] << 8 | c[3]);
		buf_reset(&s->report);
		buf_append(&s->report, p->data + 4, p->len - 4);
		s->got_report = true;
	}
}

static void end_worker(struct slot *s, const char *why, int sig)
{
	if (!s->ended_by)
		s->ended_by = why;
	kill(s->pid, sig);
}

/* Reads what the worker sent and acts on every whole frame. Returns true at end of file. */
static bool read_slot(struct engine *e, struct slot *s)
{
	char chunk[65536];
	bool eof = false;
	for (;;) {
		ssize_t r = read(s->fd, chunk, sizeof(chunk));
		if (r > 0) {
			buf_append(&s->in, chunk, (size_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		eof = r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
		break;
	}
	struct buf p = {0};
	int type;
	while ((type = frame_take(&s->in, &p)) > 0)
		on_frame(e, s, type, &p);
	buf_free(&p);
	if (type < 0 || s->in.len > REPORT_MAX + 5) {
		end_worker(s, type < 0 ? "garbled" : "too-big", SIGKILL);
		buf_reset(&s->in);
	}
	return eof;
}

static char *why_no_report(const struct slot *s, int ws, double elapsed)
{
	if (s->ended_by && strcmp(s->ended_by, "timeout") == 0)
		return xasprintf("killed after %.0f s: the printer's diagnosis did not end (its budget is %ld s); the "
				 "other printers were not affected", elapsed, s->budget_ms / 1000);
	if (s->ended_by && strcmp(s->ended_by, "stop") == 0)
		return xstrdup("stopped: the scan was interrupted before this printer's diagnosis ended");
	if (s->ended_by)
		return xasprintf("killed: its worker sent %s; the other printers were not affected",
				 strcmp(s->ended_by, "garbled") == 0 ? "data that is not a report" : "a report over 16 MB");
	if (WIFSIGNALED(ws))
		return xasprintf("the diagnosis crashed: its worker was killed by signal %d (%s); the other printers were "
				 "not affected. Run 'mfpdoctor diagnose %s' alone to see where", WTERMSIG(ws),
				 strsignal(WTERMSIG(ws)), s->t->host);
	if (!s->got_report)
		return xasprintf("the diagnosis ended (worker exit status %d) without a report",
				 WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
	if (!s->report.len)
		return xasprintf("diagnose ended with exit code %d before it read the printer: its options were "
				 "refused (the message is on standard error); check this printer's options", s->exit_code);
	return NULL;
}

static void finish(struct engine *e, struct slot *s)
{
	int ws = s->status;
	close(s->fd);
	share_gone(e->share, (size_t)(s - e->slots));
	double elapsed = (clock_ms() - s->t0) / 1000.0;
	char *err = why_no_report(s, ws, elapsed);
	json_t *rep = NULL;
	if (!err) {
		json_error_t je;
		rep = json_loadb(s->report.data, s->report.len, 0, &je);
		if (!rep)
			err = xasprintf("diagnose's report is not valid JSON (line %d: %s)", je.line, je.text);
	}
	e->running--;
	emit(e, s->t, rep, rep ? s->exit_code : -1, err, s->wall0, elapsed, s->test_send);
	json_decref(rep);
	free(err);
	json_decref(s->test_send);
	free(s->ask.fingerprint);
	free(s->ask.server);
	buf_free(&s->in);
	buf_free(&s->out);
	buf_free(&s->report);
	memset(s, 0, sizeof(*s));
	dispatch(e); /* whatever it held on a mail server is free */
}

/* Kills workers past their time, and (on stop) every worker: SIGTERM, SIGKILL a second later.
 * Returns the poll timeout until the next thing to check, in ms. */
static int timers(struct engine *e)
{
	double now = clock_ms(), next = now + 250;
	for (size_t k = 0; k < e->nslots; k++) {
		struct slot *s = &e->slots[k];
		if (!s->used || s->eof)
			continue; /* done: only its exit status is still on its way */
		if (*e->cfg->stop && !s->ended_by) {
			end_worker(s, "stop", SIGTERM);
			s->term_at = now;
		}
		if (s->ended_by && strcmp(s->ended_by, "stop") == 0 && now - s->term_at >= 1000)
			kill(s->pid, SIGKILL);
		else if (s->ended_by && strcmp(s->ended_by, "stop") == 0 && s->term_at + 1000 < next)
			next = s->term_at + 1000;
		if (!s->asking && !s->ended_by && now >= s->deadline)
			end_worker(s, "timeout", SIGKILL);
		else if (!s->asking && !s->ended_by && s->deadline < next)
			next = s->deadline;
	}
	return next <= now ? 0 : (int)(next - now) + 1;
}

/* Matches the zygote's reports of ended workers to their slots (a gone zygote took its
 * workers with it: they count as killed). */
static void take_statuses(struct engine *e)
{
	for (size_t i = 0; i < e->z.nended; i++)
		for (size_t k = 0; k < e->nslots; k++)
			if (e->slots[k].used && e->slots[k].pid == e->z.ended[i].pid) {
				e->slots[k].status = e->z.ended[i].status;
				e->slots[k].have_status = true;
			}
	e->z.nended = 0;
	for (size_t k = 0; e->zygote_gone && k < e->nslots; k++)
		if (e->slots[k].used && !e->slots[k].have_status) {
			e->slots[k].status = SIGKILL; /* a wait status: killed by SIGKILL */
			e->slots[k].have_status = e->slots[k].eof = true;
		}
	/* a worker whose socket closed 3 s ago and whose end the zygote never reported (the zygote
	 * is stuck): it is gone all the same; without this the scan would wait for ever */
	double now = clock_ms();
	for (size_t k = 0; k < e->nslots; k++)
		if (e->slots[k].used && e->slots[k].eof && !e->slots[k].have_status && now - e->slots[k].eof_at > 3000) {
			e->slots[k].status = e->slots[k].got_report ? 0 : SIGKILL;
			e->slots[k].have_status = true;
		}
	for (size_t k = 0; k < e->nslots; k++)
		if (e->slots[k].used && e->slots[k].eof && e->slots[k].have_status)
			finish(e, &e->slots[k]);
}

static void loop(struct engine *e)
{
	struct pollfd *pf = xcalloc(e->nslots + 1, sizeof(*pf));
	size_t *at = xcalloc(e->nslots + 1, sizeof(*at));
	while (e->running || (e->next < e->n && !*e->cfg->stop)) {
		fill(e);
		take_statuses(e);
		size_t np = 0;
		for (size_t k = 0; k < e->nslots; k++)
			if (e->slots[k].used && !e->slots[k].eof) {
				pf[np] = (struct pollfd){e->slots[k].fd, POLLIN | (e->slots[k].out.len ? POLLOUT : 0), 0};
				at[np++] = k;
			}
		pf[np] = (struct pollfd){e->zygote_gone ? -1 : e->z.fd, POLLIN, 0};
		if (!e->running)
			continue;
		if (poll(pf, np + 1, timers(e)) < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < np; i++) {
			struct slot *s = &e->slots[at[i]];
			if (pf[i].revents & POLLOUT)
				flush_out(s);
			if ((pf[i].revents & (POLLIN | POLLHUP | POLLERR)) && read_slot(e, s)) {
				s->eof = true;
				s->eof_at = clock_ms();
			}
		}
		if ((pf[np].revents & (POLLIN | POLLHUP | POLLERR)) && zygote_read(&e->z) != 0)
			e->zygote_gone = true;
		take_statuses(e);
		timers(e);
	}
	free(pf);
	free(at);
}

static void no_profile(const char *path, json_t *root, void *user)
{
	(void)path, (void)root, (void)user;
}

/* What every worker would otherwise do itself: libcurl and OpenSSL, the knowledge base (SMTP
 * codes, mail services, vendor codes), every embedded profile parsed (profile/profile.c keeps
 * them), the per-scan fingerprint key. */
static int warm_up(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("mfpdoctor scan: libcurl could not be initialised\n", stderr);
		return -1;
	}
	if (engine_key_init() != 0) {
		fputs("mfpdoctor scan: no random key for the SMTP settings fingerprints (OpenSSL RAND_bytes failed)\n", stderr);
		return -1;
	}
	kb_load(NULL);
	kb_vendors_load_all();
	profile_each("", NULL, no_profile, NULL, NULL);
	return 0;
}

int scan_engine_run(const struct scan_target *targets, size_t n, const struct scan_engine_cfg *cfg, scan_row_fn row,
		    void *ctx)
{
	static volatile sig_atomic_t never;
	struct scan_engine_cfg c = *cfg;
	if (!c.stop)
		c.stop = &never;
	if (warm_up() != 0)
		return -1;
	struct engine e = {.targets = targets, .n = n, .cfg = &c, .row = row, .ctx = ctx};
	e.nslots = (size_t)(c.jobs < 1 ? 1 : c.jobs > 256 ? 256 : c.jobs);
	if (e.nslots > n && n)
		e.nslots = n;
	e.slots = xcalloc(e.nslots, sizeof(*e.slots));
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
	sigaction(SIGCHLD, &dfl, &old); /* with SIGCHLD ignored the kernel would reap workers before we see how they ended */
	if (zygote_start(&e.z, targets, n, &c) != 0) {
		fprintf(stderr, "mfpdoctor scan: cannot start the worker process: %s\n", strerror(errno));
		sigaction(SIGCHLD, &old, NULL);
		free(e.slots);
		return -1;
	}
	e.share = share_new(c.per_server > 0 ? c.per_server : 3, c.share_tests);
	progress(&e);
	loop(&e);
	zygote_stop(&e.z);
	sigaction(SIGCHLD, &old, NULL);
	share_free(e.share);
	free(e.slots);
	return 0;
}
