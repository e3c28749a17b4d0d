/* cli/cli.h — subcommands and their option tables. One sorted table per subcommand feeds both
 * the parser (binary search on the long name) and the generated --help text. */
#ifndef MFP_CLI_CLI_H
#define MFP_CLI_CLI_H
#include <stddef.h>
#include <stdio.h>

enum cli_arg {
	CLI_FLAG,    /* no argument */
	CLI_VALUE,   /* one argument */
};

struct cli_opt {
	const char *lname;            /* long name without "--"; the table is sorted by it */
	char sname;                   /* short letter or 0 */
	enum cli_arg arg;
	int id;                       /* handed to the subcommand's setter */
	const char *metavar;          /* "HOST", "auto|none|starttls|implicit" ... */
	const char *help;             /* one line */
	const char *category;         /* help section, e.g. "Connection" */
};

/* Options every subcommand takes besides its own table: --color, -h/--help, --profiles DIR,
 * -V/--version. cli_parse handles them itself (they never reach a command's setter); help, the
 * man page and the shell completions list them. Ids are negative (CLI_COMMON_*). */
enum { CLI_COMMON_COLOR = -100, CLI_COMMON_HELP, CLI_COMMON_PROFILES, CLI_COMMON_VERSION };
extern const struct cli_opt cli_common_opts[];
extern const size_t cli_ncommon_opts;

/* The setter gets each option as it is parsed. It returns 0, or -1 after writing a message
 * naming what was wrong into err (errsz bytes). */
typedef int (*cli_setter)(void *cfg, int id, const char *value, char *err, size_t errsz);

struct cli_cmd {
	const char *name;
	const char *summary;          /* one line for the global help */
	const char *usage;            /* e.g. "smtp --server HOST [options]" */
	const char *description;      /* paragraph(s) printed under the usage line */
	const struct cli_opt *opts;
	size_t nopts;
	int (*run)(const struct cli_cmd *self, int argc, char **argv);
};

/* Parses argv (argv[0] is the subcommand name) against cmd's table; options and positional
 * arguments may mix; "--" ends options. Positional arguments are collected into pos (an array
 * of argc pointers the caller provides; borrowed from argv) and counted in *npos.
 * Returns 0, 1 when --help was given (help already printed to stdout), or MFP_EXIT_USAGE
 * after printing the error to stderr. */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *cfg, cli_setter set,
	      char **pos, int *npos);

/* Prints the generated help for cmd. */
void cli_print_help(const struct cli_cmd *cmd, FILE *out);

/* Checks that a table is sorted by long name and free of duplicate long and short names.
 * Returns 0 when it is, else -1 with a message in err. */
int cli_table_check(const struct cli_opt *opts, size_t n, char *err, size_t errsz);

/* Parses a decimal integer in [min,max]; returns 0 or -1 (message in err naming opt). */
int cli_parse_long(const char *opt, const char *s, long min, long max, long *out,
		   char *err, size_t errsz);
/* Matches s against a "|"-separated list of choices; returns the index or -1 (message in err). */
int cli_parse_choice(const char *opt, const char *s, const char *choices, char *err, size_t errsz);

/* Parses argv like cli_parse and requires exactly one positional argument (the host), borrowed
 * from argv into *host; what names it in the error ("HOST[:PORT]"). Returns 0, 1 when --help was
 * printed, or MFP_EXIT_USAGE after printing the error. */
int cli_parse_host(const struct cli_cmd *cmd, int argc, char **argv, void *cfg, cli_setter set,
		   const char **host, const char *what);

/* Parses a size like "2M", "500K", "10485760" (K and M are binary; a trailing B is allowed) in
 * (0, 512M]; returns 0 or -1 with a message naming opt. */
int cli_parse_size(const char *opt, const char *s, long long *out, char *err, size_t errsz);

/* The registry of subcommands (cli/commands.c). */
extern const struct cli_cmd *const cli_commands[];
extern const size_t cli_ncommands;
/* The subcommand named name, or NULL. */
const struct cli_cmd *cli_find_command(const char *name);

int cli_main(int argc, char **argv);

#endif
