/* tests/unit/test_scan_engine.c — scan/engine.c against a simulated fleet (tests/sim/fleet.py:
 * printers on 127.0.1.x served by snmpsimd, two SMTP personas that greet after 0.3 s, a silent
 * UDP port): one test send per SMTP settings fingerprint, rows naming the shared result, the
 * per-server cap on concurrent sends, credential references, a crash and a hang confined to
 * their own printer, no file descriptor of the parent in a worker, and the stop flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <time.h>

#include "scan/scan.h"
#include "sim_world.h"

static struct sim_world world;
static char common_timeout[8] = "3";

static int setup(void **state)
{
	(void)state;
	static const char *const args[] = {"--printers", "14", "--persona", "submission=a", "--persona", "submission=b",
					   "--banner-delay", "0.3", "--silent", NULL};
	if (sim_world_start(&world, "scan-engine", args) != 0)
		return -1;
	setenv("MFPDOCTOR_SMTP_PASSWORD", sim_str(&world, "password"), 1);
	setenv("SCAN_PW_GOOD", sim_str(&world, "password"), 1);
	setenv("SCAN_PW_BAD", "Not-The-Password-77", 1);
	unsetenv("SCAN_PW_MISSING");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sim_world_stop(&world);
	return 0;
}

struct row {
	bool got;
	int exit_code;
	char *error, *notes;
	json_t *test_send;
	double elapsed;
};

struct run {
	struct row rows[16];
	int nrows;
	int victim_sig;            /* send this to the last running worker (0: none) */
	pid_t victim;
	bool stop_after_first;
	volatile sig_atomic_t stop;
	int marker_fd;
	bool fd_clean;             /* the victim had none of the test's files open */
};

static void on_row(void *ctx, const struct scan_result *r)
{
	struct run *run = ctx;
	struct row *w = &run->rows[r->target->index];
	assert_false(w->got);
	w->got = true;
	run->nrows++;
	w->exit_code = r->exit_code;
	w->error = r->error ? strdup(r->error) : NULL;
	w->test_send = json_incref(r->test_send);
	w->notes = r->report ? json_dumps(json_object_get(json_object_get(r->report, "device"), "notes"), 0) : NULL;
	w->elapsed = r->elapsed_s;
}

static size_t children_of(pid_t pid, pid_t *out, size_t max)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0, k = 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	for (char *p = strtok(buf, " \n"); p && k < max; p = strtok(NULL, " \n"))
		out[k++] = atoi(p);
	return k;
}

/* The running worker: a child of the engine's zygote (our child that is not the fleet). */
static pid_t one_worker(void)
{
	pid_t kids[64], workers[64];
	size_t n = children_of(getpid(), kids, 64);
	pid_t found = 0;
	for (size_t i = 0; i < n; i++)
		if (kids[i] != world.pid && children_of(kids[i], workers, 64) == 1)
			found = workers[0];
	return found;
}

/* No descriptor of the worker points at the test's marker file. */
static bool fds_clean(pid_t pid, const char *marker)
{
	char dir[64], link[400], target[600];
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool clean = true;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		ssize_t k = readlink(link, target, sizeof(target) - 1);
		if (k > 0) {
			target[k] = '\0';
			if (strstr(target, marker))
				clean = false;
		}
	}
	closedir(d);
	return clean;
}

static void on_progress(void *ctx, size_t done, size_t running, size_t total)
{
	struct run *run = ctx;
	if (run->stop_after_first && done >= 1)
		run->stop = 1;
	if (run->victim_sig && !run->victim && done == total - 1 && running == 1) {
		usleep(200000); /* let it get into its SNMP read */
		run->victim = one_worker();
		assert_true(run->victim > 0);
		run->fd_clean = fds_clean(run->victim, "scan-engine-marker");
		kill(run->victim, run->victim_sig);
	}
}

static void target(struct scan_target *t, size_t index, const char *host)
{
	memset(t, 0, sizeof(*t));
	t->index = index;
	t->host = (char *)host;
	t->origin = "test";
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the engine; rows land in run. Returns the seconds it took. */
static double scan(struct scan_target *t, size_t n, struct run *run, int jobs, int per_server, bool share,
		   const char *output_dir)
{
	struct strlist common = {0};
	const char *c[] = {"--no-web", "--cafile", sim_str(&world, "ca"), "--timeout", common_timeout};
	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		strlist_add(&common, c[i]);
	struct scan_engine_cfg cfg = {.jobs = jobs, .per_server = per_server, .share_tests = share, .common_args = &common,
				      .output_dir = output_dir, .stop = &run->stop, .progress = on_progress};
	double t0 = now_s();
	assert_int_equal(scan_engine_run(t, n, &cfg, on_row, run), 0);
	strlist_free(&common);
	return now_s() - t0;
}

static void run_free(struct run *run)
{
	for (size_t i = 0; i < ARRAY_SIZE(run->rows); i++) {
		free(run->rows[i].error);
		free(run->rows[i].notes);
		json_decref(run->rows[i].test_send);
	}
}

static const char *fp(const struct row *r)
{
	return json_string_value(json_object_get(r->test_send, "fingerprint"));
}

static bool shared(const struct row *r)
{
	return json_is_true(json_object_get(r->test_send, "shared"));
}

/* Rows [from, to) share one fingerprint: exactly one ran it, the others name it. */
static void one_group(struct run *run, size_t from, size_t to, struct scan_target *t)
{
	size_t runner = SIZE_MAX;
	for (size_t i = from; i < to; i++) {
		assert_true(run->rows[i].got);
		assert_int_equal(run->rows[i].exit_code, 0);
		assert_non_null(fp(&run->rows[i]));
		assert_string_equal(fp(&run->rows[i]), fp(&run->rows[from]));
		if (!shared(&run->rows[i])) {
			assert_true(runner == SIZE_MAX);
			runner = i;
		}
	}
	assert_true(runner != SIZE_MAX);
	for (size_t i = from; i < to; i++) {
		const json_t *ts = run->rows[i].test_send;
		assert_int_equal(json_integer_value(json_object_get(ts, "ran_for")), (json_int_t)runner);
		assert_string_equal(json_string_value(json_object_get(ts, "ran_for_host")), t[runner].host);
		if (i != runner && !strstr(run->rows[i].notes, "shared test send"))
			fail_msg("row %zu: the report does not say its test was shared: %s", i, run->rows[i].notes);
	}
}

static void sessions_during(const char *label, long from, int *sessions, int *peak)
{
	sim_log_sessions(sim_persona_log(&world, label), from, sessions, peak);
}

static void one_send_per_fingerprint(void **state)
{
	(void)state;
	struct scan_target t[6];
	char port_b[16];
	snprintf(port_b, sizeof(port_b), "%d", sim_persona_port(&world, "b"));
	for (size_t i = 0; i < 6; i++) {
		target(&t[i], i, sim_printer(&world, i));
		if (i >= 4) {
			strlist_add(&t[i].args, "--port");
			strlist_add(&t[i].args, port_b);
		}
	}
	long a0 = sim_log_size(sim_persona_log(&world, "a")), b0 = sim_log_size(sim_persona_log(&world, "b"));
	char outdir[600];
	snprintf(outdir, sizeof(outdir), "%s/reports", world.dir);
	mkdir(outdir, 0755);
	struct run run = {0};
	scan(t, 6, &run, 6, 3, true, outdir);
	assert_int_equal(run.nrows, 6);
	one_group(&run, 0, 4, t);
	one_group(&run, 4, 6, t);
	assert_string_not_equal(fp(&run.rows[0]), fp(&run.rows[4]));
	int sa, sb, peak;
	sessions_during("a", a0, &sa, &peak);
	sessions_during("b", b0, &sb, &peak);
	assert_int_equal(sa, 1);
	assert_int_equal(sb, 1);
	char path[900];
	snprintf(path, sizeof(path), "%s/0-%s.html", outdir, t[0].host);
	for (char *p = path + strlen(outdir) + 1; *p; p++)
		*p = *p == ':' ? '_' : *p;
	assert_int_equal(access(path, R_OK), 0);
	run_free(&run);

	/* without sharing: every printer sends its own */
	a0 = sim_log_size(sim_persona_log(&world, "a"));
	struct run solo = {0};
	scan(t, 6, &solo, 6, 3, false, NULL);
	for (size_t i = 0; i < 6; i++)
		assert_false(shared(&solo.rows[i]));
	sessions_during("a", a0, &sa, &peak);
	assert_int_equal(sa, 4);
	run_free(&solo);
	for (size_t i = 0; i < 6; i++)
		strlist_free(&t[i].args);
}

static void credential_references(void **state)
{
	(void)state;
	static const char *const refs[] = {"MFPDOCTOR_SMTP_PASSWORD=SCAN_PW_GOOD", "MFPDOCTOR_SMTP_PASSWORD=SCAN_PW_GOOD",
					   "MFPDOCTOR_SMTP_PASSWORD=SCAN_PW_BAD", "MFPDOCTOR_SMTP_PASSWORD=SCAN_PW_MISSING"};
	struct scan_target t[4];
	for (size_t i = 0; i < 4; i++) {
		target(&t[i], i, sim_printer(&world, 8 + i));
		strlist_add(&t[i].env, refs[i]);
	}
	long a0 = sim_log_size(sim_persona_log(&world, "a"));
	struct run run = {0};
	scan(t, 4, &run, 4, 3, true, NULL);
	assert_int_equal(run.nrows, 4);
	assert_int_equal(run.rows[0].exit_code, 0);
	assert_int_equal(run.rows[1].exit_code, 0);
	assert_string_equal(fp(&run.rows[0]), fp(&run.rows[1]));
	assert_true(shared(&run.rows[0]) != shared(&run.rows[1]));
	assert_int_equal(run.rows[2].exit_code, 2); /* the wrong password: refused login */
	assert_string_not_equal(fp(&run.rows[2]), fp(&run.rows[0]));
	assert_int_equal(run.rows[3].exit_code, -1);
	assert_null(run.rows[3].test_send);
	assert_non_null(strstr(run.rows[3].error, "SCAN_PW_MISSING is not set"));
	for (size_t i = 0; i < 4; i++) {
		assert_null(strstr(run.rows[i].notes ? run.rows[i].notes : "", sim_str(&world, "password")));
		assert_null(strstr(run.rows[i].error ? run.rows[i].error : "", sim_str(&world, "password")));
	}
	int sa, peak;
	sessions_during("a", a0, &sa, &peak);
	assert_int_equal(sa, 2);
	run_free(&run);
	for (size_t i = 0; i < 4; i++)
		strlist_free(&t[i].env);
}

/* 8 printers, 8 From addresses (8 fingerprints), one server and login. */
static int cap_run(int per_server, int *sessions)
{
	struct scan_target t[8];
	char from[8][40];
	for (size_t i = 0; i < 8; i++) {
		target(&t[i], i, sim_printer(&world, i));
		snprintf(from[i], sizeof(from[i]), "scanner%zu@sim.test", i);
		strlist_add(&t[i].args, "--from");
		strlist_add(&t[i].args, from[i]);
	}
	long a0 = sim_log_size(sim_persona_log(&world, "a"));
	struct run run = {0};
	scan(t, 8, &run, 8, per_server, true, NULL);
	assert_int_equal(run.nrows, 8);
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(run.rows[i].exit_code, 0);
		assert_false(shared(&run.rows[i]));
	}
	int peak;
	sessions_during("a", a0, sessions, &peak);
	run_free(&run);
	for (size_t i = 0; i < 8; i++)
		strlist_free(&t[i].args);
	return peak;
}

static void per_server_cap(void **state)
{
	(void)state;
	int sessions;
	int peak = cap_run(3, &sessions);
	assert_int_equal(sessions, 8);
	if (peak > 3 || peak < 2)
		fail_msg("per_server 3: the server saw %d sessions at once", peak);
	peak = cap_run(8, &sessions); /* the measure can fail: without the cap they overlap */
	assert_int_equal(sessions, 8);
	if (peak <= 3)
		fail_msg("per_server 8: only %d sessions at once, the cap test proves nothing", peak);
}

/* Two healthy printers and one whose SNMP never answers, which gets sig while it waits. */
static void fault(int sig, const char *budget, struct run *run)
{
	struct scan_target t[3];
	target(&t[0], 0, sim_printer(&world, 12));
	target(&t[1], 1, sim_str(&world, "silent"));
	target(&t[2], 2, sim_printer(&world, 13));
	strlist_add(&t[1].args, "--budget");
	strlist_add(&t[1].args, budget);
	strlist_add(&t[1].args, "--timeout");
	strlist_add(&t[1].args, "30");
	char marker[600];
	snprintf(marker, sizeof(marker), "%s/scan-engine-marker", world.dir);
	run->marker_fd = open(marker, O_CREAT | O_RDWR, 0644); /* inherited by every fork: must be closed */
	run->victim_sig = sig;
	scan(t, 3, run, 3, 3, true, NULL);
	close(run->marker_fd);
	assert_int_equal(run->nrows, 3);
	assert_true(run->fd_clean);
	assert_int_equal(run->rows[0].exit_code, 0);
	assert_int_equal(run->rows[2].exit_code, 0);
	assert_int_equal(run->rows[1].exit_code, -1);
	strlist_free(&t[1].args);
}

static void crash_is_confined(void **state)
{
	(void)state;
	struct run run = {0};
	fault(SIGSEGV, "60", &run);
	if (!strstr(run.rows[1].error, "crashed") || !strstr(run.rows[1].error, "signal 11"))
		fail_msg("crash row: %s", run.rows[1].error);
	run_free(&run);
}

static void hang_is_killed(void **state)
{
	(void)state;
	struct run run = {0};
	fault(SIGSTOP, "5", &run); /* stopped: it cannot end by itself; budget 5 s + slack 5.5 s */
	if (strncmp(run.rows[1].error, "killed after", 12) != 0)
		fail_msg("hang row: %s", run.rows[1].error);
	assert_true(run.rows[1].elapsed > 10 && run.rows[1].elapsed < 14);
	run_free(&run);
}

static void stop_ends_quickly(void **state)
{
	(void)state;
	struct scan_target t[4];
	target(&t[0], 0, sim_printer(&world, 0));
	for (size_t i = 1; i < 4; i++) {
		target(&t[i], i, sim_str(&world, "silent"));
		strlist_add(&t[i].args, "--timeout");
		strlist_add(&t[i].args, "30");
	}
	struct run run = {.stop_after_first = true};
	double secs = scan(t, 4, &run, 2, 3, true, NULL);
	assert_true(secs < 5);
	assert_true(run.rows[0].got);
	assert_int_equal(run.rows[0].exit_code, 0);
	assert_true(run.rows[1].got);
	assert_non_null(strstr(run.rows[1].error, "stopped"));
	assert_false(run.rows[2].got); /* never started */
	assert_false(run.rows[3].got);
	assert_int_equal(run.nrows, 2);
	run_free(&run);
	for (size_t i = 1; i < 4; i++)
		strlist_free(&t[i].args);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_send_per_fingerprint), cmocka_unit_test(credential_references),
		cmocka_unit_test(per_server_cap),          cmocka_unit_test(crash_is_confined),
		cmocka_unit_test(hang_is_killed),          cmocka_unit_test(stop_ends_quickly),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
