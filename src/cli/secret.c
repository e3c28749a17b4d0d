/* cli/secret.c — secrets from env, file, prompt or argv; see secret.h. */
#include "cli/secret.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/redact.h"

static char *read_file(const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errsz, "cannot read password file %s: %s", path, strerror(errno));
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
	fprintf(tty, "%s: ", what);
	fflush(tty);
	tcsetattr(fd, TCSAFLUSH, &noecho);
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
	char *s = NULL;
	err[0] = '\0';
	if (src->file) {
		s = read_file(src->file, err, errsz);
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
	if (s)
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
