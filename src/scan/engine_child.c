/* scan/engine_child.c — one scan worker: a forked copy of the scan process that diagnoses one
 * printer in-process (diag_run) and sends its report to the parent. Its test send first asks
 * the parent: printers with the same SMTP settings fingerprint share one send, and each mail
 * server and login has a limited number of sends at a time. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "cli/commands.h"
#include "cli/diag_run.h"
#include "kb/kb.h"
#include "kb/vendor.h"
#include "scan/engine_int.h"
#include "smtp/result_json.h"
#include "util/text.h"

static unsigned char scan_key[32]; /* drawn by the parent before any fork, the same in every worker */

int engine_key_init(void)
{
	return RAND_bytes(scan_key, sizeof(scan_key)) == 1 ? 0 : -1;
}

struct worker {
	const struct scan_target *t;
	int fd;
};

static void hex(const unsigned char *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* Everything in the request that can change the test's result. The password only as its
 * HMAC under the per-scan key: equal passwords match, and nothing about it leaves the worker. */
static json_t *settings(const struct smtp_request *req)
{
	char pw[65] = "";
	if (req->password) {
		unsigned char mac[32];
		unsigned int n = 0;
		HMAC(EVP_sha256(), scan_key, sizeof(scan_key), (const unsigned char *)req->password, strlen(req->password),
		     mac, &n);
		hex(mac, n, pw);
	}
	json_t *to = json_array();
	for (size_t i = 0; i < req->nto; i++)
		json_array_append_new(to, json_string(req->to[i] ? req->to[i] : ""));
	json_t *j = json_pack("{s:s?, s:I, s:i, s:i, s:i, s:i, s:s?, s:s, s:s?, s:o, s:s?, s:i, s:b, s:I}", "server",
			      req->server, "port", (json_int_t)req->port, "tls", (int)req->tls, "tls_min", req->tls_min,
			      "tls_max", req->tls_max, "auth", (int)req->auth, "user", req->user, "password", pw, "from",
			      req->from, "to", to, "ehlo", req->ehlo, "stop_after", (int)req->stop_after, "send",
			      req->send, "size", (json_int_t)req->size);
	json_object_set_new(j, "timeout_ms", json_integer((json_int_t)req->timeout_ms));
	json_object_set_new(j, "cafile", req->cafile ? json_string(req->cafile) : json_null());
	json_object_set_new(j, "insecure", json_boolean(req->insecure));
	json_object_set_new(j, "followups", json_boolean(req->followups));
	return j;
}

/* The fingerprint (16 hex digits of SHA-256 over the settings) and the server key
 * ("host:port user") whose sends are limited. */
static void fingerprint(const struct smtp_request *req, char fp[17], char **server)
{
	json_t *j = settings(req);
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char full[2 * EVP_MAX_MD_SIZE + 1];
	EVP_Digest(text ? text : "", text ? strlen(text) : 0, md, &n, EVP_sha256(), NULL);
	hex(md, n, full);
	memcpy(fp, full, 16);
	fp[16] = '\0';
	free(text);
	json_decref(j);
	long port = req->port ? req->port : req->tls == TLS_IMPLICIT ? 465 : 587;
	char *host = xstrdup(req->server ? req->server : "");
	for (char *p = host; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	*server = xasprintf("%s:%ld %s", host, port, req->user ? req->user : "");
	free(host);
}

/* Fills res from another printer's result. Returns 0, or -1 (then the worker runs its own). */
static int reuse(const struct buf *payload, struct smtp_result *res, const char *fp)
{
	json_error_t je;
	json_t *c = json_loadb(payload->data, payload->len, 0, &je);
	char err[300];
	if (!c || smtp_result_from_json(json_object_get(c, "result"), res, err, sizeof(err)) != 0) {
		json_decref(c);
		return -1;
	}
	char *host = text_sanitize(json_string_value(json_object_get(c, "ran_for_host")), 200, 0);
	json_int_t idx = json_integer_value(json_object_get(c, "ran_for"));
	strlist_add_owned(&res->transcript,
			  xasprintf("** shared test send: this is the result of the test run for %s (printer %lld of this "
				    "scan, counting from 0), which has the same SMTP settings (fingerprint %s); it was "
				    "not sent again", host ? host : "?", (long long)idx, fp));
	free(host);
	json_decref(c);
	return 0;
}

/* diag_hooks.test_send: 0 after running the probe here, 1 when res is another printer's
 * result (the last transcript line says whose). */
static int test_send(void *vctx, const struct smtp_request *req, struct smtp_result *res)
{
	struct worker *w = vctx;
	char fp[17], *server;
	fingerprint(req, fp, &server);
	json_t *q = json_pack("{s:s, s:s}", "fingerprint", fp, "server", server);
	char *qs = json_dumps(q, JSON_COMPACT);
	json_decref(q);
	free(server);
	int ok = qs && frame_write(w->fd, FR_TEST, qs, strlen(qs)) == 0;
	free(qs);
	struct buf a = {0};
	int type = ok ? frame_read(w->fd, &a) : -1;
	if (type == FR_CACHED && reuse(&a, res, fp) == 0) {
		buf_free(&a);
		return 1;
	}
	buf_free(&a);
	int rc = smtp_probe(req, res);
	if (type == FR_GO || type == FR_CACHED) { /* the parent waits for it (a place on the server is held) */
		json_t *r = smtp_result_to_json(res);
		char *rs = r ? json_dumps(r, JSON_COMPACT) : NULL;
		frame_write(w->fd, FR_RESULT, rs ? rs : "", rs ? strlen(rs) : 0);
		free(rs);
		json_decref(r);
	}
	return rc;
}

int engine_isolate(int fd)
{
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	for (int sig = 1; sig < NSIG; sig++) /* the caller's handlers (a crash handler too) are not ours */
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int keep = fcntl(fd, F_DUPFD, 10); /* out of the way of 0, 1 and 3 */
	int null = open("/dev/null", O_RDWR);
	if (keep < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(keep, 3) < 0)
		return -1;
	long max = sysconf(_SC_OPEN_MAX);
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 4U, ~0U, 0) == 0)
		max = 0;
#endif
	for (long i = 4; i < (max > 65536 ? 65536 : max); i++)
		close((int)i);
	return 0;
}

/* Applies the target's "DEST=SRC" credential references (the parent checked every SRC). */
static void apply_env(const struct scan_target *t)
{
	for (size_t i = 0; i < t->env.n; i++) {
		const char *eq = strchr(t->env.v[i], '=');
		if (!eq)
			continue;
		char *dest = xstrndup(t->env.v[i], (size_t)(eq - t->env.v[i]));
		const char *v = getenv(eq + 1);
		if (v)
			setenv(dest, v, 1);
		free(dest);
	}
}

static bool has_profiles_opt(const struct strlist *l)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (strncmp(l->v[i], "--profiles", 10) == 0)
			return true;
	return false;
}

/* "DIR/<stem>": the front end's name for the printer (scan_targets_stems), else
 * "<index>-<host, with anything but letters, digits, '.' and '-' as '_'>". */
static char *save_stem(const struct scan_target *t, const char *dir)
{
	if (t->stem)
		return xasprintf("%s/%s", dir, t->stem);
	char *h = xstrdup(t->host);
	for (char *p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			*p = '_';
	char *s = xasprintf("%s/%zu-%s", dir, t->index, h);
	free(h);
	return s;
}

static char **make_argv(const struct scan_target *t, const struct strlist *common, int *argc)
{
	size_t n = 2 + t->args.n + (common ? common->n : 0) + 2, k = 0;
	char **argv = xcalloc(n + 1, sizeof(*argv));
	argv[k++] = "diagnose";
	argv[k++] = t->host;
	/* the printer's own settings (inventory columns) after the common ones: the last value wins */
	for (size_t i = 0; common && i < common->n; i++)
		argv[k++] = common->v[i];
	for (size_t i = 0; i < t->args.n; i++)
		argv[k++] = t->args.v[i];
	argv[k++] = "--format";
	argv[k++] = "json";
	*argc = (int)k;
	return argv;
}

void engine_child(const struct scan_target *t, const struct scan_engine_cfg *cfg, int fd)
{
	if (engine_isolate(fd) != 0)
		_exit(121);
	struct worker w = {t, 3};
	apply_env(t);
	if (has_profiles_opt(&t->args) || has_profiles_opt(cfg->common_args)) {
		kb_unload(); /* the parent's copies came from the default profile folder */
		kb_vendors_unload();
	}
	char *report = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&report, &len);
	if (!mem)
		_exit(122);
	char *stem = cfg->output_dir ? save_stem(t, cfg->output_dir) : NULL;
	struct diag_hooks hooks = {.ctx = &w, .test_send = test_send, .out = mem, .save_stem = stem,
				  .worker = true};
	int argc;
	char **argv = make_argv(t, cfg->common_args, &argc);
	int rc = diag_run(&cmd_diagnose, argc, argv, false, &hooks);
	if (fclose(mem) != 0)
		_exit(123);
	struct buf out = {0};
	unsigned char code[4] = {(unsigned char)(rc >> 24), (unsigned char)(rc >> 16), (unsigned char)(rc >> 8),
				 (unsigned char)rc};
	buf_append(&out, (const char *)code, 4);
	buf_append(&out, report, len);
	int w_ok = frame_write(3, FR_REPORT, out.data, out.len);
	_exit(w_ok == 0 ? 0 : 124); /* _exit: the parent's stdio buffers are not ours to flush */
}
