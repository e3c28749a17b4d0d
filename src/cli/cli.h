/* cli/cli.h — subcommands and their option tables. One sorted table per subcommand feeds the
 * parser (getopt_long's rules), the generated --help text, the man page and the completions.
 *
 * Command-line conventions (the same for every subcommand, like getopt_long(3) in
 * RETURN_IN_ORDER mode — see cli_parse):
 *   -vk          short options bundle; -p25, -fjson: a value attached to its short option
 *   --opt=value  or --opt value; --opt= gives the empty value
 *   --serv       an unambiguous prefix of a long option (an exact name always wins); an ambiguous
 *                prefix is a usage error listing the candidates
 *   --           ends the options; "-" alone is a positional argument (standard input/output)
 *   options and positional arguments may mix; a repeated option reaches the setter each time */
#ifndef MFP_CLI_CLI_H
#define MFP_CLI_CLI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cli_arg {
	CLI_FLAG,    /* no argument */
	CLI_VALUE,   /* one argument */
};

/* Stable layout: other tools (man page and completion generators) walk these tables; fields
 * may be added at the end, never removed or reordered. */
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
 * man page and the shell completions list them. Ids are negative (CLI_COMMON_*).
 * A command's table may not reuse their long names (cli_table_check); when it defines one of
 * their short letters its own option wins and the common one is long-only for that command. */
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

/* Parses argv (argv[0] is the subcommand name) against cmd's table plus the common options, by
 * the conventions above; argv is not reordered. Positional arguments are collected in order into
 * pos (an array of argc pointers the caller provides; borrowed from argv) and counted in *npos.
 * Returns 0; 1 when --help or --version was given (already printed to stdout: the caller exits
 * 0); or MFP_EXIT_USAGE after printing a GNU-style error to stderr:
 *   mfpdoctor CMD: unknown option '--x'
 *   Try 'mfpdoctor CMD --help'.
 * Messages: "unknown option '-x'", "option '--se' is ambiguous; possibilities: '--send'
 * '--server'", "option '--port' needs a value (N)", "option '--verbose' takes no value", or
 * the setter's own message. Re-entrant (no getopt global state); --color and --profiles set
 * process-wide settings. */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *cfg, cli_setter set,
	      char **pos, int *npos);

/* cli_parse, except that when err is non-NULL a usage error is not printed: its one-line
 * message (without the "mfpdoctor CMD: " prefix and the "Try" line) goes into err (errsz
 * bytes) for the caller to print where it wants (e.g. `check` on stdout, Nagios style).
 * --help and --version still print to stdout and return 1. err NULL = cli_parse. */
int cli_parse_err(const struct cli_cmd *cmd, int argc, char **argv, void *cfg, cli_setter set,
		  char **pos, int *npos, char *err, size_t errsz);

/* Prints the generated help for cmd: usage, description, the table by category, then the
 * common options; at most 80 display columns (long texts are wrapped, help texts aligned by
 * display width, so "SHA256:…" counts 8 columns). */
void cli_print_help(const struct cli_cmd *cmd, FILE *out);
/* The global help (`mfpdoctor --help`, `mfpdoctor help`), same width rules (cli/commands.c). */
void cli_print_global_help(FILE *out);
/* `mfpdoctor --version` = `mfpdoctor CMD --version`: mfpdoctor and library versions (commands.c). */
void cli_print_version(FILE *out);

/* Checks that a table is sorted by long name, free of duplicate long and short names, does not
 * reuse a common option's long name, and documents every option.
 * Returns 0 when it is, else -1 with a message in err. */
int cli_table_check(const struct cli_opt *opts, size_t n, char *err, size_t errsz);

/* Colour in terminal output. --color (a common option) sets the mode; auto is the default. */
enum cli_colour { CLI_COLOUR_AUTO, CLI_COLOUR_ALWAYS, CLI_COLOUR_NEVER };
void cli_set_colour(enum cli_colour mode);
enum cli_colour cli_colour_mode(void);
/* Whether to write ANSI colour to out: always → yes (even into a pipe, for `| less -R`, and
 * whatever NO_COLOR says: the command line wins); never → no; auto → only when out is a terminal,
 * NO_COLOR is unset or empty (no-color.org), and TERM is set and not "dumb". */
bool cli_use_colour(FILE *out);

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
