/* kb/explain_scan.c — reading a pasted transcript or log for `explain`: transcript prefixes
 * (swaks, curl -v, openssl s_client, "S:"/"C:"), multi-line replies, the stage of each reply
 * from the client command it answers, Postfix/Exim log lines with embedded replies, and vendor
 * codes among a log line's words. See explain_internal.h. */
#include "kb/explain_internal.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

/* --- transcript and log scanning ------------------------------------------------------------ */

/* Splits a transcript prefix off line; returns the direction and sets *body. */
static enum explain_dir split_prefix(const char *line, const char **body)
{
	static const struct { const char *p; enum explain_dir d; } pre[] = {
		{"SERVER -> CLIENT: ", DIR_SERVER}, {"CLIENT -> SERVER: ", DIR_CLIENT},
		{"<** ", DIR_SERVER}, {"<~* ", DIR_SERVER}, {"<~ ", DIR_SERVER}, {"<- ", DIR_SERVER},
		{"<<< ", DIR_SERVER}, {"S: ", DIR_SERVER}, {"< ", DIR_SERVER},
		{"**> ", DIR_CLIENT}, {"*~> ", DIR_CLIENT}, {"~> ", DIR_CLIENT}, {"-> ", DIR_CLIENT},
		{">>> ", DIR_CLIENT}, {"C: ", DIR_CLIENT}, {"> ", DIR_CLIENT},
		{"=== ", DIR_INFO}, {"*** ", DIR_INFO}, {"* ", DIR_INFO},
	};
	const char *l = line;
	while (*l == ' ' || *l == '\t')
		l++;
	for (size_t i = 0; i < ARRAY_SIZE(pre); i++) {
		size_t n = strlen(pre[i].p);
		if (strncmp(l, pre[i].p, n) == 0 || (strncmp(l, pre[i].p, n - 1) == 0 && l[n - 1] == '\0')) {
			const char *b = l[n - 1] ? l + n : l + n - 1;
			while (*b == ' ' || *b == '\t')
				b++; /* swaks pads with two blanks: "<-  220 ..." */
			*body = b;
			return pre[i].d;
		}
	}
	*body = l;
	return DIR_NONE;
}

/* 3 digits followed by a blank, '-' or the end. */
int explain_reply_code_at(const char *s)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
		return 0;
	if (s[3] && s[3] != ' ' && s[3] != '-' && s[3] != '\t')
		return 0;
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

static enum stage stage_of_command(const char *cmd)
{
	static const struct { const char *w; enum stage s; } cmds[] = {
		{"EHLO", STAGE_EHLO}, {"HELO", STAGE_EHLO}, {"STARTTLS", STAGE_STARTTLS}, {"AUTH", STAGE_AUTH},
		{"MAIL", STAGE_MAIL_FROM}, {"RCPT", STAGE_RCPT_TO}, {"DATA", STAGE_DATA}, {"BDAT", STAGE_DATA},
		{"QUIT", STAGE_QUIT}, {"RSET", STAGE_QUIT}, {"NOOP", STAGE_QUIT},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		size_t n = strlen(cmds[i].w);
		if (strncasecmp(cmd, cmds[i].w, n) == 0 && (!cmd[n] || cmd[n] == ' ' || cmd[n] == ':'))
			return cmds[i].s;
	}
	return STAGE_LAST;
}

static void flush_reply(struct scan *sc)
{
	if (!sc->pending.len)
		return;
	int code = sc->pending_code;
	enum stage st = sc->stage;
	if (!sc->commands_seen && (code == 220 || code == 421 || code == 554) && st == STAGE_UNKNOWN)
		st = STAGE_BANNER;
	if (code == 220 && st == STAGE_BANNER && !sc->hint)
		sc->hint = xstrdup(buf_str(&sc->pending));
	if (code < 200 || code >= 600) {
		if (!sc->nonsense_noted)
			explain_note_no_class(sc->res, (char)('0' + code / 100), false);
		sc->nonsense_noted = true;
	} else {
		explain_reply_item(sc->res, sc->hint, buf_str(&sc->pending), code, st, sc->pending_line, false);
		if (code == 354 && sc->commands_seen)
			sc->in_data_body = true;
		if (st == STAGE_DATA && code == 354)
			sc->stage = STAGE_END_OF_DATA;
	}
	buf_reset(&sc->pending);
	sc->pending_code = 0;
}

static void server_line(struct scan *sc, const char *body, int lineno)
{
	int code = explain_reply_code_at(body);
	if (!code)
		return;
	if (sc->pending.len && code != sc->pending_code)
		flush_reply(sc);
	if (!sc->pending.len) {
		sc->pending_code = code;
		sc->pending_line = lineno;
	} else
		buf_putc(&sc->pending, ' ');
	buf_puts(&sc->pending, body);
	if (body[3] != '-')
		flush_reply(sc);
}

static void client_line(struct scan *sc, const char *body)
{
	flush_reply(sc);
	if (sc->in_data_body) {
		if (strcmp(body, ".") == 0) {
			sc->in_data_body = false;
			sc->stage = STAGE_END_OF_DATA;
		}
		return;
	}
	enum stage s = stage_of_command(body);
	if (s == STAGE_STARTTLS)
		sc->tls_requested = true;
	if (s == STAGE_EHLO && sc->tls_requested)
		s = STAGE_EHLO_AFTER_TLS;
	if (s != STAGE_LAST) {
		sc->stage = s;
		sc->commands_seen = true;
	}
}

static void info_line(struct scan *sc, const char *body)
{
	static const char *const keys[] = {"Trying ", "Connected to ", "connected to ", "Connecting to "};
	if (sc->hint)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *p = strstr(body, keys[i]);
		if (!p)
			continue;
		p += strlen(keys[i]);
		size_t n = strcspn(p, " :()[]\t");
		if (n > 3 && n < 200) {
			sc->hint = xstrndup(p, n);
			return;
		}
	}
}

/* Cuts Postfix decorations from an embedded reply and reads the stage they name. */
static char *clean_log_reply(const char *start, const char *line, enum stage *st)
{
	char *t = xstrdup(start);
	static const struct { const char *w; enum stage s; } rej[] = {
		{"reject: RCPT", STAGE_RCPT_TO}, {"reject: MAIL", STAGE_MAIL_FROM}, {"reject: DATA", STAGE_DATA},
		{"reject: END-OF-MESSAGE", STAGE_END_OF_DATA}, {"reject: CONNECT", STAGE_CONNECT},
		{"reject: EHLO", STAGE_EHLO}, {"reject: HELO", STAGE_EHLO}, {"reject: AUTH", STAGE_AUTH},
	};
	for (size_t i = 0; i < ARRAY_SIZE(rej); i++)
		if (strstr(line, rej[i].w))
			*st = rej[i].s;
	char *irt = strstr(t, "(in reply to ");
	if (irt) {
		const char *cmd = irt + strlen("(in reply to ");
		if (strncasecmp(cmd, "end of DATA", 11) == 0)
			*st = STAGE_END_OF_DATA;
		else if (stage_of_command(cmd) != STAGE_LAST)
			*st = stage_of_command(cmd);
		*irt = '\0';
	}
	char *semi = strstr(t, "; from=<");
	if (semi)
		*semi = '\0';
	text_trim(t);
	size_t n = strlen(t);
	/* "(host x said: 535 ... )": drop closing parentheses that were never opened */
	int depth = 0;
	for (size_t i = 0; i < n; i++)
		depth += t[i] == '(' ? 1 : t[i] == ')' ? -1 : 0;
	while (n && t[n - 1] == ')' && depth < 0) {
		t[--n] = '\0';
		depth++;
		text_trim(t);
		n = strlen(t);
	}
	return t;
}

static regex_t re_embedded_full, re_embedded_kw, re_embedded_enh;
static bool re_ready;

static void compile_res(void)
{
	if (re_ready)
		return;
	/* "... 535 5.7.8 text", "said: 550 text", "Error: 5.7.139 text" */
	if (regcomp(&re_embedded_full, "(^|[^0-9.])([2-5][0-9][0-9][ -][245]\\.[0-9]{1,3}\\.[0-9]{1,3}([ ,;]|$))", REG_EXTENDED) ||
	    regcomp(&re_embedded_kw, "(said|reply|response|responded|answered|replied|returned|server|error|failed)[:=]? *\\(?([2-5][0-9][0-9]([ -]|$))",
		    REG_EXTENDED | REG_ICASE) ||
	    regcomp(&re_embedded_enh, "(^|[ :(\\[])([245]\\.[0-9]{1,3}\\.[0-9]{1,3} [A-Za-z])", REG_EXTENDED)) {
		fputs("mfpdoctor: internal error: built-in expression does not compile\n", stderr);
		abort();
	}
	re_ready = true;
}

/* Finds an embedded reply in a log line; returns its start or NULL. */
static const char *find_embedded(const char *line)
{
	regmatch_t m[4];
	compile_res();
	if (regexec(&re_embedded_full, line, 4, m, 0) == 0)
		return line + m[2].rm_so;
	if (regexec(&re_embedded_kw, line, 4, m, 0) == 0)
		return line + m[2].rm_so;
	if (regexec(&re_embedded_enh, line, 4, m, 0) == 0)
		return line + m[2].rm_so;
	return NULL;
}

static bool token_shape(const char *t)
{
	size_t n = strlen(t);
	bool digit = false, letter = false;
	for (size_t i = 0; i < n; i++) {
		digit |= isdigit((unsigned char)t[i]) != 0;
		letter |= isalpha((unsigned char)t[i]) != 0;
	}
	if (!digit)
		return false;
	if (n == 7 && isdigit((unsigned char)t[0]) && t[3] == '-' && isdigit((unsigned char)t[4]) && isdigit((unsigned char)t[6]))
		return true;  /* 017-715 */
	if (t[0] == '#' && n >= 4 && n <= 5)
		return true;  /* #818 */
	if (letter && n >= 3 && n <= 6 && !strchr(t, '.'))
		return true;  /* CE-04, E535, 2C30, 0x54 */
	return false;
}

/* Vendor codes in a log line (only before end, where an embedded reply starts). */
static size_t scan_tokens(struct scan *sc, const char *line, const char *end, int lineno)
{
	char *copy = xstrndup(line, end ? (size_t)(end - line) : strlen(line));
	size_t found = 0;
	bool after_code_word = false;
	char *save = NULL;
	for (char *tok = strtok_r(copy, " \t,;:()[]{}\"'=/|", &save); tok; tok = strtok_r(NULL, " \t,;:()[]{}\"'=/|", &save)) {
		size_t n = strlen(tok);
		while (n && tok[n - 1] == '.')
			tok[--n] = '\0';
		struct kb_vendor_hit hits[EXPLAIN_MAX_HITS];
		size_t k = 0;
		if (token_shape(tok))
			k = kb_vendor_lookup_exact(tok, sc->vendor, sc->opts->family, hits, EXPLAIN_MAX_HITS);
		else if (after_code_word && n >= 3 && n <= 8 && isdigit((unsigned char)tok[0]))
			k = kb_vendor_lookup(tok, sc->vendor, sc->opts->family, hits, EXPLAIN_MAX_HITS, NULL);
		if (k) {
			explain_add_vendor_hits(sc->res, hits, k, lineno);
			found += k;
		}
		after_code_word = strcasecmp(tok, "error") == 0 || strcasecmp(tok, "code") == 0 || strcasecmp(tok, "err") == 0;
	}
	free(copy);
	return found;
}

static void log_line(struct scan *sc, const char *line, int lineno)
{
	const char *emb = find_embedded(line);
	size_t before = sc->res->n;
	scan_tokens(sc, line, emb, lineno);
	if (emb) {
		enum stage st = STAGE_UNKNOWN;
		char *t = clean_log_reply(emb, line, &st);
		int code = explain_reply_code_at(t);
		if (code || isdigit((unsigned char)t[0]))
			explain_reply_item(sc->res, sc->hint, t, code, st, lineno, false);
		free(t);
	}
	if (sc->res->n == before && strlen(line) > 12)
		explain_reply_item(sc->res, sc->hint, line, 0, STAGE_UNKNOWN, lineno, true);
}

void explain_scan_text(struct scan *sc, const char *text)
{
	const char *p = text;
	int lineno = 0;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *raw = xstrndup(p, len);
		lineno++;
		size_t rl = strlen(raw);
		while (rl && (raw[rl - 1] == '\r' || raw[rl - 1] == ' ' || raw[rl - 1] == '\t'))
			raw[--rl] = '\0';
		const char *body;
		enum explain_dir d = split_prefix(raw, &body);
		if (d == DIR_NONE && explain_reply_code_at(body) && (!sc->in_data_body || sc->pending.len))
			d = DIR_SERVER;
		if (d == DIR_SERVER)
			server_line(sc, body, lineno);
		else if (d == DIR_CLIENT)
			client_line(sc, body);
		else {
			flush_reply(sc);
			if (d == DIR_INFO)
				info_line(sc, body);
			else if (*body && !sc->in_data_body)
				log_line(sc, body, lineno);
		}
		free(raw);
		p = nl ? nl + 1 : NULL;
	}
	flush_reply(sc);
}

