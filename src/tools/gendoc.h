/* tools/gendoc.h — mfpdoctor-gendoc: the man page and the shell completions, generated at build
 * time from the same option tables as --help (cli_commands[], cli_common_opts[]) and from the
 * compiled-in profiles (vendor and mail-service ids), so they cannot drift from the binary. */
#ifndef MFP_TOOLS_GENDOC_H
#define MFP_TOOLS_GENDOC_H
#include <stdio.h>

#include "cli/cli.h"
#include "util/buf.h"

/* What the build knows that the tables do not. */
struct gendoc_ctx {
	const char *version;     /* "0.1.0" */
	const char *date;        /* "2026-12-02" (SOURCE_DATE_EPOCH when set) */
	const char *sysconfdir;  /* "/etc": the site profiles are in SYSCONFDIR/mfpdoctor/profiles */
	const char *docdir;      /* "/usr/share/doc/mfpdoctor" */
	struct strlist vendors;  /* vendor ids of the compiled-in profiles, sorted */
	struct strlist services; /* mail-service ids of the compiled-in profiles, sorted */
};

/* How an option's value is completed. */
enum gendoc_kind {
	GENDOC_NONE,     /* a flag: no value */
	GENDOC_FREE,     /* free text (HOST, N, ADDR ...): nothing to offer */
	GENDOC_CHOICE,   /* one of the "|"-separated words of the metavar */
	GENDOC_FILE,     /* a file name */
	GENDOC_DIR,      /* a directory name */
	GENDOC_VENDOR,   /* a vendor id */
	GENDOC_SERVICE,  /* a mail-service id */
};
enum gendoc_kind gendoc_kind(const struct cli_opt *o);

/* Calls fn for each "|"-separated word of s (borrowed, not NUL-terminated: n bytes). */
void gendoc_each_word(const char *s, void (*fn)(const char *w, size_t n, void *user), void *user);

/* Writes the man page from the template (placeholders: see gendoc_man.c). Returns 0, or -1 after
 * a message on stderr. */
int gendoc_man(const struct gendoc_ctx *ctx, FILE *tmpl, FILE *out);
/* Writes the bash completion script. */
void gendoc_bash(const struct gendoc_ctx *ctx, FILE *out);
/* Writes the zsh completion function (file _mfpdoctor). */
void gendoc_zsh(const struct gendoc_ctx *ctx, FILE *out);

#endif
