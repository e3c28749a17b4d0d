/* tests/unit/sim_world.h — for unit tests that need the simulated world: starts tests/sim/fleet.py
 * (printers on loopback addresses, SMTP personas, a silent UDP port), reads the one JSON line
 * that describes it, and stops it by closing its standard input. Also reads a persona's session
 * log: how many sessions, and the most that were open at once. Header-only (static functions). */
#ifndef MFP_TESTS_SIM_WORLD_H
#define MFP_TESTS_SIM_WORLD_H
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct sim_world {
	pid_t pid;
	int in_fd;      /* its standard input: closing it stops the world */
	json_t *info;   /* the description it printed */
	char dir[512];
};

static __attribute__((unused)) const char *sim_src(void)
{
	const char *s = getenv("MFPDOCTOR_SRC");
	return s && *s ? s : ".";
}

/* Starts fleet.py with extra (NULL-terminated) arguments; waits up to 180 s for its line. */
static __attribute__((unused)) int sim_world_start(struct sim_world *w, const char *name, const char *const *extra)
{
	memset(w, 0, sizeof(*w));
	mkdir("test-artifacts", 0755);
	snprintf(w->dir, sizeof(w->dir), "test-artifacts/%s-XXXXXX", name);
	if (!mkdtemp(w->dir))
		return -1;
	char script[600];
	snprintf(script, sizeof(script), "%s/tests/sim/fleet.py", sim_src());
	const char *argv[64] = {"/usr/bin/python3", script, "--workdir", w->dir};
	size_t k = 4;
	for (size_t i = 0; extra && extra[i] && k < 62; i++)
		argv[k++] = extra[i];
	argv[k] = NULL;
	int in[2], out[2];
	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	w->pid = fork();
	if (w->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	w->in_fd = in[1];
	char line[65536];
	size_t n = 0;
	struct pollfd p = {out[0], POLLIN, 0};
	while (n < sizeof(line) - 1 && poll(&p, 1, 180000) > 0) {
		ssize_t r = read(out[0], line + n, sizeof(line) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (memchr(line, '\n', n))
			break;
	}
	close(out[0]);
	line[n] = '\0';
	w->info = json_loads(line, JSON_DISABLE_EOF_CHECK, NULL);
	if (!w->info)
		fprintf(stderr, "sim_world: fleet.py did not describe the world (got '%.300s')\n", line);
	return w->info ? 0 : -1;
}

/* Stops the world and removes its work folder. */
static __attribute__((unused)) void sim_world_stop(struct sim_world *w)
{
	if (w->in_fd > 0)
		close(w->in_fd);
	if (w->pid > 0) {
		int st;
		for (int i = 0; i < 200 && waitpid(w->pid, &st, WNOHANG) == 0; i++)
			usleep(50000);
		if (kill(w->pid, 0) == 0) {
			kill(w->pid, SIGTERM);
			waitpid(w->pid, &st, 0);
		}
	}
	json_decref(w->info);
	pid_t rm = w->dir[0] ? fork() : -1;
	if (rm == 0) {
		execl("/bin/rm", "rm", "-rf", "--", w->dir, (char *)NULL);
		_exit(127);
	}
	if (rm > 0)
		waitpid(rm, NULL, 0);
	memset(w, 0, sizeof(*w));
}

static __attribute__((unused)) const char *sim_str(const struct sim_world *w, const char *key)
{
	return json_string_value(json_object_get(w->info, key));
}

static __attribute__((unused)) int sim_persona_port(const struct sim_world *w, const char *label)
{
	return (int)json_integer_value(json_object_get(json_object_get(json_object_get(w->info, "personas"), label), "port"));
}

static __attribute__((unused)) const char *sim_persona_log(const struct sim_world *w, const char *label)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(w->info, "personas"), label), "log"));
}

static __attribute__((unused)) const char *sim_printer(const struct sim_world *w, size_t i)
{
	return json_string_value(json_array_get(json_object_get(w->info, "printers"), i));
}

static __attribute__((unused)) long sim_log_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* Sessions in the log after byte offset from, and the most open at once. A session counts as
 * open from its "connect from" line to its last client command (or its disconnect when it sent
 * none): the next client can only connect after the previous one's last reply, so this never
 * counts a session that is merely waiting for the server to log its end. */
static __attribute__((unused)) void sim_log_sessions(const char *path, long from, int *sessions, int *peak)
{
	enum { MAXS = 4096 };
	static long start[MAXS], end[MAXS];
	memset(start, 0, sizeof(start));
	memset(end, 0, sizeof(end));
	*sessions = *peak = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	fseek(f, from, SEEK_SET);
	char line[4096];
	long no = 0;
	while (fgets(line, sizeof(line), f)) {
		no++;
		int sid = atoi(line);
		const char *rest = strchr(line, ' ');
		if (sid <= 0 || sid >= MAXS || !rest)
			continue;
		rest++;
		if (strncmp(rest, "*: connect from", 15) == 0) {
			start[sid] = no;
			end[sid] = 0;
			(*sessions)++;
		} else if (strncmp(rest, "C: ", 3) == 0 || (strncmp(rest, "*: disconnect", 13) == 0 && !end[sid])) {
			end[sid] = no;
		}
	}
	fclose(f);
	for (int a = 1; a < MAXS; a++) {
		if (!start[a])
			continue;
		int open = 0; /* sessions open at a's start */
		for (int b = 1; b < MAXS; b++)
			if (start[b] && start[b] <= start[a] && (!end[b] || end[b] >= start[a]))
				open++;
		if (open > *peak)
			*peak = open;
	}
}

#endif
