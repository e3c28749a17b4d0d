/* cli/cli.c — option-table parser and help generator; see cli.h. */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/finding.h"
#include "util/buf.h"

/* Sorted by long name, like every table. */
const struct cli_opt cli_common_opts[] = {
	{"color", 0, CLI_VALUE, CLI_COMMON_COLOR, "auto|always|never", "colour in terminal output (default auto: a terminal, NO_COLOR unset or empty, TERM not dumb)", "Common options"},
	{"help", 'h', CLI_FLAG, CLI_COMMON_HELP, NULL, "show this help", "Common options"},
	{"profiles", 0, CLI_VALUE, CLI_COMMON_PROFILES, "DIR", "site profile folder (default $MFPDOCTOR_PROFILES, else /etc/mfpdoctor/profiles)", "Common options"},
	{"version", 'V', CLI_FLAG, CLI_COMMON_VERSION, NULL, "print the version of mfpdoctor and its libraries", "Common options"},
};
const size_t cli_ncommon_opts = sizeof(cli_common_opts) / sizeof(cli_common_opts[0]);

static int cmp_opt(const void *key, const void *elem)
{
	const struct cli_opt *o = elem;
	return strcmp((const char *)key, o->lname);
}

static const struct cli_opt *find_long(const struct cli_cmd *cmd, const char *name)
{
	return bsearch(name, cmd->opts, cmd->nopts, sizeof(*cmd->opts), cmp_opt);
}

static const struct cli_opt *find_short(const struct cli_cmd *cmd, char c)
{
	for (size_t i = 0; i < cmd->nopts; i++)
		if (cmd->opts[i].sname == c)
			return &cmd->opts[i];
	return NULL;
}

static int usage_error(const struct cli_cmd *cmd, const char *msg)
{
	fprintf(stderr, "mfpdoctor %s: %s\n", cmd->name, msg);
	fprintf(stderr, "Try 'mfpdoctor %s --help'.\n", cmd->name);
	return MFP_EXIT_USAGE;
}

static int apply(const struct cli_cmd *cmd, const struct cli_opt *o, const char *val, void *cfg,
		 cli_setter set)
{
	char err[512] = "";
	if (set(cfg, o->id, val, err, sizeof(err)) != 0) {
		if (!err[0])
			snprintf(err, sizeof(err), "invalid value for --%s", o->lname);
		return usage_error(cmd, err);
	}
	return 0;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *cfg, cli_setter set,
	      char **pos, int *npos)
{
	char msg[300];
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			while (++i < argc)
				pos[(*npos)++] = argv[i];
			break;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_print_help(cmd, stdout);
			return 1;
		}
		const struct cli_opt *o = NULL;
		const char *val = NULL;
		if (a[0] == '-' && a[1] == '-') {
			char name[64];
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (n >= sizeof(name)) {
				snprintf(msg, sizeof(msg), "unknown option '%.40s…'", a);
				return usage_error(cmd, msg);
			}
			memcpy(name, a + 2, n);
			name[n] = '\0';
			o = find_long(cmd, name);
			if (!o) {
				snprintf(msg, sizeof(msg), "unknown option '--%s'", name);
				return usage_error(cmd, msg);
			}
			if (eq) {
				if (o->arg == CLI_FLAG) {
					snprintf(msg, sizeof(msg), "option '--%s' takes no value", name);
					return usage_error(cmd, msg);
				}
				val = eq + 1;
			}
		} else if (a[0] == '-' && a[1] && a[2] == '\0') {
			o = find_short(cmd, a[1]);
			if (!o) {
				snprintf(msg, sizeof(msg), "unknown option '%s'", a);
				return usage_error(cmd, msg);
			}
		} else {
			pos[(*npos)++] = a;
			continue;
		}
		if (o->arg == CLI_VALUE && !val) {
			if (i + 1 >= argc) {
				snprintf(msg, sizeof(msg), "option '--%s' needs a value (%s)", o->lname,
					 o->metavar ? o->metavar : "VALUE");
				return usage_error(cmd, msg);
			}
			val = argv[++i];
		}
		int rc = apply(cmd, o, val, cfg, set);
		if (rc)
			return rc;
	}
	return 0;
}

void cli_print_help(const struct cli_cmd *cmd, FILE *out)
{
	fprintf(out, "Usage: mfpdoctor %s\n\n", cmd->usage);
	if (cmd->description)
		fprintf(out, "%s\n", cmd->description);
	/* Categories in order of first appearance in the table. */
	const char *cats[32];
	size_t ncats = 0;
	for (size_t i = 0; i < cmd->nopts; i++) {
		const char *c = cmd->opts[i].category ? cmd->opts[i].category : "Options";
		size_t k;
		for (k = 0; k < ncats; k++)
			if (strcmp(cats[k], c) == 0)
				break;
		if (k == ncats && ncats < ARRAY_SIZE(cats))
			cats[ncats++] = c;
	}
	for (size_t k = 0; k < ncats; k++) {
		fprintf(out, "\n%s:\n", cats[k]);
		for (size_t i = 0; i < cmd->nopts; i++) {
			const struct cli_opt *o = &cmd->opts[i];
			const char *c = o->category ? o->category : "Options";
			if (strcmp(c, cats[k]) != 0)
				continue;
			char lhs[96];
			if (o->sname)
				snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", o->sname, o->lname,
					 o->arg == CLI_VALUE ? " " : "", o->arg == CLI_VALUE ? o->metavar : "");
			else
				snprintf(lhs, sizeof(lhs), "    --%s%s%s", o->lname,
					 o->arg == CLI_VALUE ? " " : "", o->arg == CLI_VALUE ? o->metavar : "");
			if (strlen(lhs) > 30)
				fprintf(out, "  %s\n  %-30s  %s\n", lhs, "", o->help);
			else
				fprintf(out, "  %-30s  %s\n", lhs, o->help);
		}
	}
	fprintf(out, "\n  -h, --help                      show this help\n");
}

int cli_table_check(const struct cli_opt *opts, size_t n, char *err, size_t errsz)
{
	for (size_t i = 0; i < n; i++) {
		if (i && strcmp(opts[i - 1].lname, opts[i].lname) >= 0) {
			snprintf(err, errsz, "option table not sorted/unique at '%s' after '%s'",
				 opts[i].lname, opts[i - 1].lname);
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
