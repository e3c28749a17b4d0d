/* cli/cli.c — the option parser (getopt_long's rules, driven by the tables), the common options
 * and the colour decision; see cli.h. The help text is laid out in cli/cli_help.c. */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/finding.h"
#include "profile/profile.h"
#include "util/buf.h"

/* Sorted by long name, like every table. */
const struct cli_opt cli_common_opts[] = {
	{"color", 0, CLI_VALUE, CLI_COMMON_COLOR, "auto|always|never", "colour: auto (default: on a terminal, unless NO_COLOR is non-empty or TERM is dumb), always (also into a pipe, for less -R), never", "Common options"},
	{"help", 'h', CLI_FLAG, CLI_COMMON_HELP, NULL, "show this help", "Common options"},
	{"profiles", 0, CLI_VALUE, CLI_COMMON_PROFILES, "DIR", "site profile folder (default $MFPDOCTOR_PROFILES, else " MFPDOCTOR_SYSCONFDIR "/mfpdoctor/profiles)", "Common options"},
	{"version", 'V', CLI_FLAG, CLI_COMMON_VERSION, NULL, "print the version of mfpdoctor and its libraries", "Common options"},
};
const size_t cli_ncommon_opts = sizeof(cli_common_opts) / sizeof(cli_common_opts[0]);

static enum cli_colour colour_mode = CLI_COLOUR_AUTO;

void cli_set_colour(enum cli_colour mode)
{
	colour_mode = mode;
}

enum cli_colour cli_colour_mode(void)
{
	return colour_mode;
}

bool cli_use_colour(FILE *out)
{
	if (colour_mode != CLI_COLOUR_AUTO)
		return colour_mode == CLI_COLOUR_ALWAYS;
	if (!out || !isatty(fileno(out)))
		return false;
	const char *no = getenv("NO_COLOR");
	if (no && *no)
		return false;
	const char *term = getenv("TERM");
	return term && *term && strcmp(term, "dumb") != 0;
}

/* One parse: where options go and where a usage error goes (err NULL: stderr). */
struct parser {
	const struct cli_cmd *cmd;
	void *cfg;
	cli_setter set;
	char *err;
	size_t errsz;
};

MFP_PRINTF(2, 3) static int fail(const struct parser *p, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err)
		snprintf(p->err, p->errsz, "%s", msg);
	else
		fprintf(stderr, "mfpdoctor %s: %s\nTry 'mfpdoctor %s --help'.\n", p->cmd->name, msg, p->cmd->name);
	return MFP_EXIT_USAGE;
}

static bool is_common(const struct cli_opt *o)
{
	return o >= cli_common_opts && o < cli_common_opts + cli_ncommon_opts;
}

/* The command's own option with letter c, else the common one. */
static const struct cli_opt *find_short(const struct cli_cmd *cmd, char c)
{
	for (size_t i = 0; i < cmd->nopts; i++)
		if (cmd->opts[i].sname == c)
			return &cmd->opts[i];
	for (size_t i = 0; i < cli_ncommon_opts; i++)
		if (cli_common_opts[i].sname == c)
			return &cli_common_opts[i];
	return NULL;
}

#define MAX_CANDIDATES 16

/* getopt_long's rule: an exact name wins; else every option name is a prefix of is a
 * candidate (one: that option; more: ambiguous). Returns the number of candidates. */
static size_t find_long(const struct cli_cmd *cmd, const char *name, size_t n, const struct cli_opt **cand)
{
	const struct cli_opt *tabs[2] = {cmd->opts, cli_common_opts};
	size_t ns[2] = {cmd->nopts, cli_ncommon_opts}, nc = 0;
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < ns[t]; i++)
			if (strncmp(tabs[t][i].lname, name, n) == 0 && tabs[t][i].lname[n] == '\0') {
				cand[0] = &tabs[t][i];
				return 1;
			}
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < ns[t]; i++)
			if (strncmp(tabs[t][i].lname, name, n) == 0) {
				if (nc < MAX_CANDIDATES)
					cand[nc] = &tabs[t][i];
				nc++;
			}
	return nc;
}

static int common_option(const struct parser *p, const struct cli_opt *o, const char *val)
{
	char msg[300];
	struct stat st;
	switch (o->id) {
	case CLI_COMMON_HELP:
		cli_print_help(p->cmd, stdout);
		return 1;
	case CLI_COMMON_VERSION:
		cli_print_version(stdout);
		return 1;
	case CLI_COMMON_COLOR: {
		int i = cli_parse_choice("color", val, "auto|always|never", msg, sizeof(msg));
		if (i < 0)
			return fail(p, "%s", msg);
		cli_set_colour((enum cli_colour)i);
		return 0;
	}
	case CLI_COMMON_PROFILES:
		if (stat(val, &st) != 0)
			return fail(p, "--profiles: cannot use '%.200s': %s (give the folder that holds the site's "
				    "profiles)", val, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return fail(p, "--profiles: '%.200s' is not a directory (give the folder that holds the site's "
				    "profiles, not a file in it)", val);
		profile_set_site_dir(val);
		return 0;
	}
	return fail(p, "option '--%s' is not handled", o->lname);
}

static int dispatch(const struct parser *p, const struct cli_opt *o, const char *val)
{
	if (is_common(o))
		return common_option(p, o, val);
	char err[512] = "";
	if (p->set(p->cfg, o->id, val, err, sizeof(err)) != 0)
		return err[0] ? fail(p, "%s", err) : fail(p, "invalid value for --%s", o->lname);
	return 0;
}

static int ambiguous(const struct parser *p, const char *arg, size_t n, const struct cli_opt **cand, size_t nc)
{
	struct buf b = {0};
	for (size_t k = 0; k < nc && k < MAX_CANDIDATES; k++)
		buf_printf(&b, " '--%s'", cand[k]->lname);
	if (nc > MAX_CANDIDATES)
		buf_printf(&b, " ...");
	int rc = fail(p, "option '--%.*s' is ambiguous; possibilities:%s", (int)(n > 60 ? 60 : n), arg, b.data);
	buf_free(&b);
	return rc;
}

/* argv[*i] is "--name", "--name=value" or "--prefix[=value]". */
static int long_option(const struct parser *p, int argc, char **argv, int *i)
{
	const char *a = argv[*i] + 2;
	const char *eq = strchr(a, '=');
	size_t n = eq ? (size_t)(eq - a) : strlen(a);
	const struct cli_opt *cand[MAX_CANDIDATES];
	size_t nc = n ? find_long(p->cmd, a, n, cand) : 0;
	if (nc == 0)
		return fail(p, "unknown option '--%.*s'", (int)(n > 60 ? 60 : n), a);
	if (nc > 1)
		return ambiguous(p, a, n, cand, nc);
	const struct cli_opt *o = cand[0];
	const char *val = NULL;
	if (eq) {
		if (o->arg == CLI_FLAG)
			return fail(p, "option '--%s' takes no value", o->lname);
		val = eq + 1;
	} else if (o->arg == CLI_VALUE) {
		if (*i + 1 >= argc)
			return fail(p, "option '--%s' needs a value (%s)", o->lname, o->metavar ? o->metavar : "VALUE");
		val = argv[++*i];
	}
	return dispatch(p, o, val);
}

/* argv[*i] is "-x", a bundle "-vk", or "-p25" / "-vp25" / "-vp 25". */
static int short_options(const struct parser *p, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	for (size_t k = 1; a[k]; k++) {
		const struct cli_opt *o = find_short(p->cmd, a[k]);
		if (!o && isgraph((unsigned char)a[k]) && (k > 1 || a[k + 1]))
			return fail(p, "unknown option '-%c' (in '%.60s')", a[k], a);
		if (!o)
			return fail(p, "unknown option '%.60s'", a);
		if (o->arg == CLI_FLAG) {
			int rc = dispatch(p, o, NULL);
			if (rc)
				return rc;
			continue;
		}
		if (a[k + 1])
			return dispatch(p, o, a + k + 1);
		if (*i + 1 >= argc)
			return fail(p, "option '--%s' needs a value (%s)", o->lname, o->metavar ? o->metavar : "VALUE");
		return dispatch(p, o, argv[++*i]);
	}
	return 0;
}

int cli_parse_err(const struct cli_cmd *cmd, int argc, char **argv, void *cfg, cli_setter set,
		  char **pos, int *npos, char *err, size_t errsz)
{
	struct parser p = {cmd, cfg, set, err && errsz ? err : NULL, errsz};
	if (p.err)
		p.err[0] = '\0';
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0') { /* "-" is a positional argument */
			pos[(*npos)++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			while (++i < argc)
				pos[(*npos)++] = argv[i];
			break;
		}
		int rc = a[1] == '-' ? long_option(&p, argc, argv, &i) : short_options(&p, argc, argv, &i);
		if (rc)
			return rc;
	}
	return 0;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *cfg, cli_setter set,
	      char **pos, int *npos)
{
	return cli_parse_err(cmd, argc, argv, cfg, set, pos, npos, NULL, 0);
}

int cli_table_check(const struct cli_opt *opts, size_t n, char *err, size_t errsz)
{
	for (size_t i = 0; i < n; i++) {
		if (!opts[i].lname || !opts[i].lname[0] || strchr(opts[i].lname, '=')) {
			snprintf(err, errsz, "option %zu has no usable long name", i);
			return -1;
		}
		if (i && strcmp(opts[i - 1].lname, opts[i].lname) >= 0) {
			snprintf(err, errsz, "option table not sorted/unique at '%s' after '%s'",
				 opts[i].lname, opts[i - 1].lname);
			return -1;
		}
		for (size_t k = 0; opts != cli_common_opts && k < cli_ncommon_opts; k++)
			if (strcmp(opts[i].lname, cli_common_opts[k].lname) == 0) {
				snprintf(err, errsz, "option '--%s' is a common option (cli_common_opts): every command has "
					 "it already; give this one another name", opts[i].lname);
				return -1;
			}
		if (opts[i].sname && !isalnum((unsigned char)opts[i].sname)) {
			snprintf(err, errsz, "option '%s': short option '%c' is not a letter or digit", opts[i].lname,
				 opts[i].sname);
			return -1;
		}
		for (size_t j = i + 1; opts[i].sname && j < n; j++)
			if (opts[i].sname == opts[j].sname) {
				snprintf(err, errsz, "short option -%c used twice", opts[i].sname);
				return -1;
			}
		if (!opts[i].help || !*opts[i].help) {
			snprintf(err, errsz, "option '%s' has no help line", opts[i].lname);
			return -1;
		}
		if (opts[i].arg == CLI_VALUE && (!opts[i].metavar || !*opts[i].metavar)) {
			snprintf(err, errsz, "option '%s' takes a value but names none (metavar)", opts[i].lname);
			return -1;
		}
	}
	return 0;
}

int cli_parse_long(const char *opt, const char *s, long min, long max, long *out,
		   char *err, size_t errsz)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		snprintf(err, errsz, "--%s: '%.60s' is not a whole number between %ld and %ld", opt, s,
			 min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_choice(const char *opt, const char *s, const char *choices, char *err, size_t errsz)
{
	int idx = 0;
	const char *p = choices;
	size_t sl = strlen(s);
	while (*p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == sl && strncmp(p, s, n) == 0)
			return idx;
		idx++;
		if (!bar)
			break;
		p = bar + 1;
	}
	snprintf(err, errsz, "--%s: '%.60s' is not one of %s", opt, s, choices);
	return -1;
}

int cli_parse_host(const struct cli_cmd *cmd, int argc, char **argv, void *cfg, cli_setter set,
		   const char **host, const char *what)
{
	char **pos = xcalloc((size_t)argc + 1, sizeof(*pos));
	int npos = 0;
	int rc = cli_parse(cmd, argc, argv, cfg, set, pos, &npos);
	if (rc == 0 && npos != 1) {
		fprintf(stderr, "mfpdoctor %s: give exactly one %s%s\nTry 'mfpdoctor %s --help'.\n", cmd->name, what,
			npos ? " (unexpected extra argument)" : "", cmd->name);
		rc = MFP_EXIT_USAGE;
	}
	*host = rc == 0 ? pos[0] : NULL;
	free(pos);
	return rc;
}

int cli_parse_size(const char *opt, const char *s, long long *out, char *err, size_t errsz)
{
	char *end;
	double v = strtod(s, &end);
	double mul = 1;
	if (*end == 'K' || *end == 'k')
		mul = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1024 * 1024, end++;
	if (*end == 'B' || *end == 'b' || (*end == 'i' && (end[1] == 'B' || end[1] == 'b')))
		end += *end == 'i' ? 2 : 1;
	if (end == s || *end || !(v > 0) || v * mul > 512.0 * 1024 * 1024) {
		snprintf(err, errsz, "--%s: '%.40s' is not a size up to 512M (examples: 2M, 500K, 10485760)", opt, s);
		return -1;
	}
	*out = (long long)(v * mul);
	return 0;
}
