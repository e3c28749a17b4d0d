/* cli/secret.c — secrets from env, file (or "-": standard input), prompt or argv; see secret.h. */
#include "cli/secret.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/redact.h"

static char *read_file(const char *what, const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errsz, "cannot read password file %s (for the %s): %s", path, what, strerror(errno));
		return NULL;
	}
	struct buf b = {0};
	char chunk[256];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < 65536)
		buf_append(&b, chunk, n);
	fclose(f);
	OPENSSL_cleanse(chunk, sizeof(chunk));
	/* the first line only, without its newline */
	char *s = buf_steal(&b);
	s[strcspn(s, "\r\n")] = '\0';
	return s;
}

static bool stdin_taken; /* one secret per run may come from "-" */

/* "-": the first line of standard input, read up to its newline only (the rest stays unread),
 * never echoed when standard input is a terminal. */
static char *read_stdin(const char *what, char *err, size_t errsz)
{
	if (stdin_taken) {
		snprintf(err, errsz, "the %s cannot come from standard input ('-'): another secret was already read "
			 "from it; give this one in a file or the environment", what);
		return NULL;
	}
	stdin_taken = true;
	struct termios old;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		struct termios noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho); /* echo off before the hint: nothing typed is shown */
		fprintf(stderr, "%s (standard input, not echoed): ", what);
		fflush(stderr);
	}
	char line[8192];
	size_t n = 0;
	int ch = EOF;
	bool any = false, cut = false;
	while ((ch = getc(stdin)) != EOF && ch != '\n') {
		any = true;
		if (n + 1 < sizeof(line))
			line[n++] = (char)ch;
		else
			cut = true;
	}
	line[n] = '\0';
	bool failed = ferror(stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (failed || cut || (!any && ch == EOF)) {
		snprintf(err, errsz, "the %s was to come from standard input ('-'), but %s", what,
			 failed ? "reading it failed" : cut ? "its first line is longer than 8 KiB" :
			 "it was empty (pipe the secret in, e.g. from a file or a vault command)");
		OPENSSL_cleanse(line, sizeof(line));
		return NULL;
	}
	line[strcspn(line, "\r")] = '\0';
	char *s = xstrdup(line);
	OPENSSL_cleanse(line, sizeof(line));
	return s;
}

static char *prompt(const char *what)
{
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return NULL;
	struct termios old, noecho;
	int fd = fileno(tty);
	if (tcgetattr(fd, &old) != 0) {
		fclose(tty);
		return NULL;
	}
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fd, TCSAFLUSH, &noecho);
	fprintf(tty, "%s: ", what);
	fflush(tty);
	char line[1024];
	char *r = fgets(line, sizeof(line), tty);
	tcsetattr(fd, TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (!r)
		return NULL;
	line[strcspn(line, "\r\n")] = '\0';
	char *s = xstrdup(line);
	OPENSSL_cleanse(line, sizeof(line));
	return s;
}

char *secret_get(const struct secret_source *src, char *err, size_t errsz)
{
	return secret_get_known(src, NULL, err, errsz);
}

char *secret_get_known(const struct secret_source *src, const char *well_known, char *err, size_t errsz)
{
	char *s = NULL;
	err[0] = '\0';
	if (src->file) {
		s = strcmp(src->file, "-") == 0 ? read_stdin(src->what, err, errsz)
						  : read_file(src->what, src->file, err, errsz);
		if (!s)
			return NULL;
	} else if (src->argv_value) {
		fprintf(stderr, "mfpdoctor: warning: a %s on the command line is visible to other users (ps) and "
			"in shell history; prefer %s or %s-file\n", src->what, src->env, src->argv_option);
		s = xstrdup(src->argv_value);
	} else if (src->env && getenv(src->env) && *getenv(src->env)) { /* empty: not given (Icinga 2 env of an unset var) */
		s = xstrdup(getenv(src->env));
	} else if (src->prompt && isatty(STDIN_FILENO)) {
		s = prompt(src->what);
	}
	/* the factory default "public" is no secret: scrubbing the word would garble every report */
	if (s && !(well_known && strcmp(s, well_known) == 0))
		redact_add_secret(s);
	return s;
}

void secret_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}
