/* test_cli_getopt.c — cli_parse behaves exactly like glibc's getopt_long(3) (RETURN_IN_ORDER:
 * optstring "-...") driven by the same table: struct option[] and the short-option string are
 * built here at run time from the command's table plus cli_common_opts, and thousands of
 * argument vectors (fixed ones and random ones from a seeded generator) go through both. For
 * each: the same success or failure, the same kind of error (unknown / ambiguous / missing
 * value / value not allowed, read from glibc's own message), and on success the same options
 * with the same values in the same order, the same positional arguments, and the same --color. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "core/finding.h"

#define MAXEV 64
struct trace {
	int err;                /* 0 ok, else one of the classes below */
	int n, npos;
	int id[MAXEV];
	const char *val[MAXEV]; /* "" for none */
	const char *pos[MAXEV];
	const char *colour;     /* the last --color value, or NULL */
};
enum { E_UNKNOWN = 1, E_AMBIGUOUS, E_NEEDS_VALUE, E_NO_VALUE, E_OTHER };

struct spec {
	struct option lo[128];
	const struct cli_opt *by_val[128 + 256];
	char shorts[256];
};

static bool letter_taken(const struct cli_cmd *cmd, char c)
{
	for (size_t i = 0; i < cmd->nopts; i++)
		if (cmd->opts[i].sname == c)
			return true;
	return false;
}

/* The getopt_long form of cmd's table plus the common options (a command's letter wins). */
static void build(const struct cli_cmd *cmd, struct spec *sp)
{
	memset(sp, 0, sizeof(*sp));
	size_t k = 0, j = 0;
	sp->shorts[j++] = '-'; /* RETURN_IN_ORDER: positionals come back as 1, argv is not permuted */
	for (int t = 0; t < 2; t++) {
		const struct cli_opt *opts = t ? cli_common_opts : cmd->opts;
		size_t n = t ? cli_ncommon_opts : cmd->nopts;
		for (size_t i = 0; i < n; i++, k++) {
			const struct cli_opt *o = &opts[i];
			sp->lo[k] = (struct option){o->lname, o->arg == CLI_VALUE ? required_argument : no_argument, NULL,
						    (int)(256 + k)};
			sp->by_val[256 + k] = o;
			if (o->sname && !(t && letter_taken(cmd, o->sname))) {
				sp->by_val[(unsigned char)o->sname] = o;
				sp->shorts[j++] = o->sname;
				if (o->arg == CLI_VALUE)
					sp->shorts[j++] = ':';
			}
		}
	}
}

static bool is_common(const struct cli_opt *o)
{
	return o >= cli_common_opts && o < cli_common_opts + cli_ncommon_opts;
}

static int classify(const char *msg)
{
	if (strstr(msg, "ambiguous"))
		return E_AMBIGUOUS;
	if (strstr(msg, "requires an argument") || strstr(msg, "needs a value"))
		return E_NEEDS_VALUE;
	if (strstr(msg, "doesn't allow an argument") || strstr(msg, "takes no value"))
		return E_NO_VALUE;
	if (strstr(msg, "unrecognized option") || strstr(msg, "invalid option") || strstr(msg, "unknown option"))
		return E_UNKNOWN;
	return E_OTHER;
}

static FILE *errlog;

static void run_glibc(const struct spec *sp, int argc, char **argv, struct trace *t)
{
	char *copy[64];
	memcpy(copy, argv, sizeof(*copy) * (size_t)argc);
	copy[argc] = NULL;
	memset(t, 0, sizeof(*t));
	fflush(stderr);
	int saved = dup(2);
	rewind(errlog);
	if (ftruncate(fileno(errlog), 0) != 0)
		fail_msg("ftruncate");
	dup2(fileno(errlog), 2);
	optind = 0; /* full re-initialisation (glibc) */
	opterr = 1;
	int c;
	while ((c = getopt_long(argc, copy, sp->shorts, sp->lo, NULL)) != -1) {
		if (c == 1) {
			t->pos[t->npos++] = optarg;
			continue;
		}
		if (c == '?' || c == ':') {
			t->err = E_OTHER;
			break;
		}
		const struct cli_opt *o = sp->by_val[c];
		assert_non_null(o);
		if (is_common(o)) {
			if (o->id == CLI_COMMON_COLOR)
				t->colour = optarg;
			continue;
		}
		t->id[t->n] = o->id;
		t->val[t->n++] = optarg ? optarg : "";
	}
	if (!t->err)
		while (optind < argc)
			t->pos[t->npos++] = copy[optind++];
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (t->err) {
		char msg[600] = "";
		rewind(errlog);
		size_t n = fread(msg, 1, sizeof(msg) - 1, errlog);
		msg[n] = '\0';
		t->err = classify(msg);
	}
}

static struct trace *ours_trace;

static int record(void *cfg, int id, const char *v, char *err, size_t errsz)
{
	(void)cfg;
	(void)err;
	(void)errsz;
	struct trace *t = ours_trace;
	t->id[t->n] = id;
	t->val[t->n++] = v ? v : "";
	return 0;
}

static void run_ours(const struct cli_cmd *cmd, int argc, char **argv, struct trace *t)
{
	memset(t, 0, sizeof(*t));
	ours_trace = t;
	char *pos[64], err[700];
	cli_set_colour(CLI_COLOUR_AUTO);
	int rc = cli_parse_err(cmd, argc, argv, NULL, record, pos, &t->npos, err, sizeof(err));
	if (rc == 1)
		fail_msg("help or version in a test vector");
	if (rc) {
		t->err = classify(err);
		return;
	}
	for (int i = 0; i < t->npos; i++)
		t->pos[i] = pos[i];
	enum cli_colour m = cli_colour_mode();
	t->colour = m == CLI_COLOUR_ALWAYS ? "always" : m == CLI_COLOUR_NEVER ? "never" : NULL;
}

static void describe(char *buf, size_t sz, int argc, char **argv)
{
	size_t off = 0;
	for (int i = 1; i < argc && off < sz; i++)
		off += (size_t)snprintf(buf + off, sz - off, " [%s]", argv[i]);
}

static void compare(const struct cli_cmd *cmd, const struct spec *sp, int argc, char **argv)
{
	struct trace g, o;
	run_glibc(sp, argc, argv, &g);
	run_ours(cmd, argc, argv, &o);
	char d[1000];
	describe(d, sizeof(d), argc, argv);
	if (g.err != o.err)
		fail_msg("%s%s: glibc error class %d, ours %d", cmd->name, d, g.err, o.err);
	if (g.err)
		return;
	if (g.n != o.n || g.npos != o.npos)
		fail_msg("%s%s: glibc %d options %d positionals, ours %d and %d", cmd->name, d, g.n, g.npos, o.n, o.npos);
	for (int i = 0; i < g.n; i++)
		if (g.id[i] != o.id[i] || strcmp(g.val[i], o.val[i]) != 0)
			fail_msg("%s%s: option %d: glibc id %d '%s', ours id %d '%s'", cmd->name, d, i, g.id[i], g.val[i],
				 o.id[i], o.val[i]);
	for (int i = 0; i < g.npos; i++)
		if (strcmp(g.pos[i], o.pos[i]) != 0)
			fail_msg("%s%s: positional %d: glibc '%s', ours '%s'", cmd->name, d, i, g.pos[i], o.pos[i]);
	const char *gc = g.colour && strcmp(g.colour, "auto") != 0 ? g.colour : NULL;
	if ((gc == NULL) != (o.colour == NULL) || (gc && strcmp(gc, o.colour) != 0))
		fail_msg("%s%s: --color: glibc %s, ours %s", cmd->name, d, gc ? gc : "-", o.colour ? o.colour : "-");
}

/* Tokens for smtp (a token with a space is two arguments: a common option and a value it
 * accepts, since cli_parse checks those values and getopt does not): bundles, attached values, prefixes (unique and ambiguous), "--", "-". No
 * --help / --version prefixes (they print and stop); --color only with valid values. */
static const char *const smtp_tokens[] = {
	"-v", "-k", "-vk", "-kv", "-p25", "-p", "25", "-vp", "-vp25", "-kvp587", "-fjson", "-f", "json", "-s",
	"127.0.0.1", "--serv", "--server", "--server=h", "--se", "--s", "--send", "--tls", "--tls=auto", "--tls-m",
	"--tls-max", "1.2", "--tls-min=1.0", "--to", "a@b.c", "--to=x@y.z", "--verb", "--verbose=1", "--ver", "--v",
	"--color never", "--col=always", "--colo=auto", "--", "-", "pos1", "-x", "-vx", "-:", "--nosuch",
	"--password-file", "--password-file=-", "--pass", "--password", "--stop", "connect", "--stop-after=rcpt",
	"-k-", "--user", "-uuser", "--no", "--no-followups", "--budget", "--prof /tmp", "--sen=1", "-u", "",
	"--from=", "--e", "--ehlo", "-t5", "--time=5", "-vkt", "--a", "--au=login",
};
/* A table that takes the common letters -h and -V for itself. */
static const struct cli_opt shadow_opts[] = {
	{"host", 'h', CLI_VALUE, 1, "HOST", "host", NULL},
	{"verify", 'V', CLI_FLAG, 2, NULL, "verify", NULL},
	{"very", 'y', CLI_VALUE, 3, "X", "very", NULL},
};
static const struct cli_cmd shadow = {"shadow", "s", "shadow", NULL, shadow_opts, 3, NULL};
static const char *const shadow_tokens[] = {
	"-h", "x", "-V", "-hV", "-Vh", "y", "--ho", "--host=z", "--ver", "--veri", "--very", "--ve", "-yV",
	"-Vy", "--", "-", "p", "--color=never", "--pro /", "-q", "--hos", "--color always",
};

static void fixed_vectors(void **state)
{
	(void)state;
	struct spec sp;
	const struct cli_cmd *smtp = cli_find_command("smtp");
	build(smtp, &sp);
	char *v1[] = {"smtp", "-s", "127.0.0.1", "-p25", "-vk", "--serv=x", "--", "-v"};
	compare(smtp, &sp, 8, v1);
	char *v2[] = {"smtp", "-fjson", "-", "--stop", "connect", "--to", "-v", "pos"};
	compare(smtp, &sp, 8, v2);
	char *v3[] = {"smtp", "--se", "x"};
	compare(smtp, &sp, 3, v3);
	char *v4[] = {"smtp", "-p"};
	compare(smtp, &sp, 2, v4);
	char *v5[] = {"smtp", "--send=yes"};
	compare(smtp, &sp, 2, v5);
}

static unsigned long long rng = 0x9E3779B97F4A7C15ull;
static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static size_t random_vectors(const struct cli_cmd *cmd, const char *const *tokens, size_t ntok, size_t count)
{
	struct spec sp;
	build(cmd, &sp);
	static char split[2][16][40];
	char *argv[24];
	for (size_t k = 0; k < count; k++) {
		int want = (int)next(8), argc = 1;
		argv[0] = (char *)cmd->name;
		for (int i = 0; i < want; i++) {
			const char *t = tokens[next((unsigned)ntok)];
			const char *sp_ = strchr(t, ' ');
			if (!sp_) {
				argv[argc++] = (char *)t;
				continue;
			}
			snprintf(split[0][i], sizeof(split[0][i]), "%.*s", (int)(sp_ - t), t);
			snprintf(split[1][i], sizeof(split[1][i]), "%s", sp_ + 1);
			argv[argc++] = split[0][i];
			argv[argc++] = split[1][i];
		}
		compare(cmd, &sp, argc, argv);
	}
	return count;
}

static void against_glibc(void **state)
{
	(void)state;
	size_t n = random_vectors(cli_find_command("smtp"), smtp_tokens, ARRAY_SIZE(smtp_tokens), 6000);
	n += random_vectors(&shadow, shadow_tokens, ARRAY_SIZE(shadow_tokens), 3000);
	/* every real table, with each of its options given in each form */
	for (size_t c = 0; c < cli_ncommands; c++) {
		const struct cli_cmd *cmd = cli_commands[c];
		struct spec sp;
		build(cmd, &sp);
		for (size_t i = 0; i < cmd->nopts; i++) {
			const struct cli_opt *o = &cmd->opts[i];
			char l[80], pre[80], eq[80], sh[8], att[16];
			snprintf(l, sizeof(l), "--%s", o->lname);
			snprintf(pre, sizeof(pre), "--%.*s", (int)(strlen(o->lname) > 3 ? strlen(o->lname) - 1 : strlen(o->lname)), o->lname);
			snprintf(eq, sizeof(eq), "--%s=v1", o->lname);
			snprintf(sh, sizeof(sh), "-%c", o->sname ? o->sname : 'Z');
			snprintf(att, sizeof(att), "-%cv2", o->sname ? o->sname : 'Z');
			char *nm = (char *)cmd->name;
			char *forms[][4] = {{nm, l, "val", "pos"}, {nm, pre, "val", "pos"}, {nm, eq, "pos", "--"},
					    {nm, sh, "val", "-"}, {nm, att, "-", "pos"}};
			for (size_t f = 0; f < ARRAY_SIZE(forms); f++, n++)
				compare(cmd, &sp, 4, forms[f]);
		}
	}
	print_message("%zu argument vectors: cli_parse == getopt_long\n", n);
}

int main(void)
{
	errlog = tmpfile();
	if (!errlog)
		return 1;
	const struct CMUnitTest tests[] = {cmocka_unit_test(fixed_vectors), cmocka_unit_test(against_glibc)};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	fclose(errlog);
	return rc;
}
