/* diagnose/run_info.c — what a report says about its own run: when it started (ISO 8601 with
 * the local time zone) and the command as typed, with the values of secret options replaced by
 * "***" (every registered secret is scrubbed again by the redacting output sink). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "diagnose/diagnose.h"
#include "util/text.h"

/* Option names whose value is a secret (or names one): matched as substrings of the long name. */
static const char *const secret_words[] = {"password", "community", "pass", "secret", "token"};
/* Short options whose value is a secret: -C (SNMP community, as net-snmp spells it). */
static const char secret_shorts[] = "C";

static bool secret_name(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(secret_words) / sizeof(secret_words[0]); i++) {
		size_t w = strlen(secret_words[i]);
		for (size_t k = 0; k + w <= n; k++)
			if (strncasecmp(name + k, secret_words[i], w) == 0)
				return true;
	}
	return false;
}

/* 0: not a secret option; 1: its value is the next argument; 2: the value is after '=' (or
 * glued to a short option) in this argument. */
static int secret_option(const char *a, size_t *keep)
{
	if (a[0] != '-' || !a[1])
		return 0;
	if (a[1] == '-') {
		const char *eq = strchr(a + 2, '=');
		size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (!n || !secret_name(a + 2, n))
			return 0;
		*keep = eq ? (size_t)(eq - a) + 1 : strlen(a);
		return eq ? 2 : 1;
	}
	if (!strchr(secret_shorts, a[1]))
		return 0;
	*keep = 2;
	return a[2] ? 2 : 1;
}

/* Appends s, single-quoted for a POSIX shell when it holds anything but plain characters. */
static void shell_word(struct buf *b, const char *s)
{
	bool plain = *s != '\0';
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-*", *p))
			plain = false;
	if (plain) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_puts(b, "'\\''");
		else
			buf_putc(b, *p);
	}
	buf_putc(b, '\'');
}

char *diagnose_command_line(int argc, char *const *argv)
{
	struct buf b = {0};
	buf_puts(&b, "mfpdoctor");
	bool hide_next = false, options = true;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i] ? argv[i] : "";
		size_t keep = 0;
		int kind = options && !hide_next ? secret_option(a, &keep) : 0;
		buf_putc(&b, ' ');
		if (hide_next) {
			buf_puts(&b, "***");
			hide_next = false;
			continue;
		}
		if (strcmp(a, "--") == 0)
			options = false;
		if (kind == 2) {
			char *name = xstrndup(a, keep);
			shell_word(&b, name);
			buf_puts(&b, "***");
			free(name);
			continue;
		}
		hide_next = kind == 1;
		shell_word(&b, a);
	}
	char *clean = text_sanitize(buf_str(&b), 4000, 0);
	buf_free(&b);
	return clean;
}

void diagnose_iso_time(time_t t, char *out, size_t outsz)
{
	struct tm tm;
	char z[8];
	if (!localtime_r(&t, &tm) || !strftime(out, outsz, "%Y-%m-%dT%H:%M:%S", &tm) || !strftime(z, sizeof(z), "%z", &tm)) {
		snprintf(out, outsz, "unknown");
		return;
	}
	/* "+0100" -> "+01:00" (the extended form ISO 8601 and RFC 3339 write) */
	size_t n = strlen(out);
	if (strlen(z) == 5)
		snprintf(out + n, outsz - n, "%.3s:%.2s", z, z + 3);
}

void diagnose_run_info(struct diagnosis *dg, int argc, char *const *argv)
{
	free(dg->command);
	dg->command = diagnose_command_line(argc, argv);
	diagnose_iso_time(time(NULL), dg->started, sizeof(dg->started));
}
