/* kb/explain.c — classifying pasted text and explaining every item in it; see explain.h.
 * Order of classification (single line): empty -> basic code alone -> enhanced code alone ->
 * six-digit vendor shape -> reply line -> reply text that starts with an enhanced code ->
 * vendor code -> log line with embedded replies -> provider wording without any code.
 * Anything with several lines is read as a transcript or log. */
#include "kb/explain.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/finding.h"
#include "kb/kb_internal.h"
#include "kb/vendor.h"
#include "profile/profile.h"
#include "core/smtp_reply.h"
#include "util/text.h"

#define MAX_HITS 16
#define MAX_INPUT (1024 * 1024)
#define MAX_ALSO 6

enum dir { DIR_NONE, DIR_SERVER, DIR_CLIENT, DIR_INFO };

struct scan {
	struct explain_result *res;
	const struct explain_opts *opts;
	const struct kb_vendor *vendor;
	enum stage stage;             /* stage of the last client command */
	bool commands_seen, in_data_body, tls_requested;
	char *hint;                   /* service hint: --service, else host or banner from the text */
	struct buf pending;           /* reply lines being joined */
	int pending_code, pending_line;
	enum dir pending_dir;
	bool nonsense_noted;
};

static struct explain_match *add_match(struct explain_result *res)
{
	if (res->n == res->cap) {
		res->cap = res->cap ? res->cap * 2 : 8;
		res->v = xrealloc(res->v, res->cap * sizeof(*res->v));
	}
	struct explain_match *m = &res->v[res->n++];
	memset(m, 0, sizeof(*m));
	m->observed = STAGE_UNKNOWN;
	m->e.stage = STAGE_UNKNOWN;
	return m;
}

static void match_free(struct explain_match *m)
{
	kb_explanation_free(&m->e);
	free(m->code);
	free(m->reveal);
	free(m->shown_as);
	strlist_free(&m->fixes);
	strlist_free(&m->families);
	strlist_free(&m->replies);
	strlist_free(&m->reply_notes);
	strlist_free(&m->also);
	strlist_free(&m->provider_uses);
}

void explain_result_free(struct explain_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		match_free(&res->v[i]);
	free(res->v);
	free(res->input);
	strlist_free(&res->notes);
	memset(res, 0, sizeof(*res));
}

const char *explain_input_name(enum explain_input k)
{
	static const char *const names[] = {"none", "vendor-code", "smtp-reply", "enhanced-code", "basic-code", "transcript"};
	return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "none";
}

static bool is_failure_class(const char *cls)
{
	return cls && (strcmp(cls, "transient") == 0 || strcmp(cls, "permanent") == 0);
}

static const char *class_of_digit(char c)
{
	return c == '2' ? "positive-completion" : c == '3' ? "positive-intermediate" : c == '4' ? "transient" : "permanent";
}

static void note_no_class(struct explain_result *res, char digit, bool enhanced)
{
	if (enhanced)
		strlist_add_owned(&res->notes, xasprintf("Enhanced status codes have only the classes 2 (success), 4 (temporary) "
							 "and 5 (permanent) (RFC 3463): there is no class %c, so this is not "
							 "an enhanced status code.", digit));
	else if (digit == '1')
		strlist_add(&res->notes, "SMTP does not use 1xx replies: RFC 5321 defines the first digit 1 but no SMTP "
					 "command ever gets one. Codes start with 2, 3, 4 or 5.");
	else
		strlist_add_owned(&res->notes, xasprintf("SMTP has no %cxx class: reply codes start with 2 (done), 3 (go on), "
							 "4 (temporary failure) or 5 (permanent failure) (RFC 5321 §4.2.1). "
							 "Some guides list %cxx codes, but no standard defines them.", digit, digit));
}

/* --- provider alternates ------------------------------------------------------------------ */

static const char *service_name_of(const struct kb_service *s)
{
	return s->name ? s->name : s->id ? s->id : "?";
}

/* Other services whose pattern also matches the reply, with their meaning. */
static void collect_also(const char *reply, int code, struct explain_match *m)
{
	kb_load(NULL);
	const struct kb_state *kb = kb_state();
	for (size_t i = 0; i < kb->nservices && m->also.n < MAX_ALSO; i++) {
		const struct kb_service *s = &kb->services[i];
		if (m->e.provider && strcmp(m->e.provider, service_name_of(s)) == 0)
			continue;
		for (size_t k = 0; k < s->npatterns; k++) {
			const struct kb_pattern *p = &s->patterns[k];
			if ((p->code && code && p->code != code) || !kb_pattern_matches(p, reply))
				continue;
			strlist_add_owned(&m->also, xasprintf("%s (stage %s): %s", service_name_of(s),
							      profile_str(p->json, "stage") ? profile_str(p->json, "stage") : "unknown",
							      profile_str(p->json, "meaning") ? profile_str(p->json, "meaning") : ""));
			break;
		}
	}
}

/* Providers that use an enhanced code (enh != NULL) with their own meaning. */
static void collect_provider_uses(const char *enh, struct explain_match *m)
{
	kb_load(NULL);
	const struct kb_state *kb = kb_state();
	for (size_t i = 0; i < kb->nservices; i++) {
		const struct kb_service *s = &kb->services[i];
		for (size_t k = 0; k < s->npatterns; k++) {
			const json_t *p = s->patterns[k].json;
			const char *pe = profile_str(p, "enhanced");
			if (!pe || strcmp(pe, enh) != 0)
				continue;
			const char *ex = profile_str(p, "example");
			strlist_add_owned(&m->provider_uses, xasprintf("%s — \"%s\": %s", service_name_of(s), ex ? ex : pe,
								       profile_str(p, "meaning") ? profile_str(p, "meaning") : ""));
		}
	}
}

/* The provider pattern with this id, or NULL. */
static const json_t *pattern_by_id(const char *id)
{
	kb_load(NULL);
	const struct kb_state *kb = kb_state();
	for (size_t i = 0; id && i < kb->nservices; i++)
		for (size_t k = 0; k < kb->services[i].npatterns; k++) {
			const char *pid = profile_str(kb->services[i].patterns[k].json, "id");
			if (pid && strcmp(pid, id) == 0)
				return kb->services[i].patterns[k].json;
		}
	return NULL;
}

/* --- single items --------------------------------------------------------------------------- */

/* Explains one joined reply (code may be 0 when the text starts with an enhanced code or has
 * none). require_provider: only keep it when a provider pattern matched (free text). */
static struct explain_match *explain_reply(struct explain_result *res, const char *hint, const char *joined, int code,
					   enum stage observed, int line, bool require_provider)
{
	char enh[16] = "";
	const char *p = joined;
	if (code) {
		p += 3;
		while (*p == ' ' || *p == '-')
			p++;
	}
	smtp_enhanced_at(p, enh);
	if (code && enh[0] && enh[0] != joined[0])
		enh[0] = '\0'; /* 550 4.7.1: the enhanced class must agree; ignore a mismatched one */
	struct kb_explanation e;
	int r = kb_explain_reply(joined, code, enh[0] ? enh : NULL, hint, &e);
	if (require_provider && !e.provider) {
		kb_explanation_free(&e);
		return NULL;
	}
	struct explain_match *m = add_match(res);
	m->e = e;
	m->line = line;
	m->observed = observed;
	if (!code && enh[0]) {
		free(m->e.class_name);
		m->e.class_name = xstrdup(class_of_digit(enh[0]));
	} else if (!code && !enh[0]) {
		free(m->e.class_name);
		const char *c = profile_str(pattern_by_id(m->e.title), "class");
		m->e.class_name = c ? xstrdup(c) : NULL;
	}
	if (!m->e.provider && observed != STAGE_UNKNOWN && observed != STAGE_LAST)
		m->e.stage = observed;
	if (r != 0 && !m->e.meaning)
		m->e.meaning = xstrdup("The knowledge base has no entry for this code; only its class is known.");
	if (!m->e.confidence)
		m->e.confidence = xstrdup(r == 0 ? "inferred" : "unverified");
	m->failure = is_failure_class(m->e.class_name) || (!m->e.class_name && m->e.provider);
	collect_also(joined, code, m);
	return m;
}

static void add_vendor_match(struct explain_result *res, const struct kb_vendor_hit *h, int line)
{
	struct explain_match *m = add_match(res);
	kb_vendor_explain(h, &m->e);
	m->line = line;
	m->failure = true;
	const json_t *e = h->entry;
	m->code = xstrdup(profile_str(e, "code"));
	m->reveal = xstrdup(profile_str(e, "reveal"));
	m->shown_as = xstrdup(profile_str(e, "shown_as"));
	profile_strings(e, "fixes", &m->fixes);
	size_t i;
	const json_t *f;
	json_array_foreach(json_object_get(e, "families"), i, f) {
		if (!json_is_string(f))
			continue;
		const char *fid = json_string_value(f);
		const json_t *fam = strcmp(fid, "*") == 0 ? NULL : kb_vendor_family(h->vendor, fid);
		strlist_add(&m->families, strcmp(fid, "*") == 0 ? "all" : profile_str(fam, "name") ? profile_str(fam, "name") : fid);
	}
	json_array_foreach(json_object_get(e, "replies"), i, f) {
		if (!json_is_string(f))
			continue;
		const char *rep = json_string_value(f);
		strlist_add(&m->replies, rep);
		char *note = NULL;
		if (isdigit((unsigned char)rep[0]) && isdigit((unsigned char)rep[1]) && isdigit((unsigned char)rep[2]) &&
		    (rep[3] == ' ' || rep[3] == '-' || !rep[3]) && rep[0] >= '2' && rep[0] <= '5') {
			struct kb_explanation x;
			char enh[16] = "";
			const char *t = rep + 3;
			while (*t == ' ' || *t == '-')
				t++;
			smtp_enhanced_at(t, enh);
			if (kb_explain_reply(rep, atoi(rep), enh[0] ? enh : NULL, NULL, &x) == 0 && x.meaning)
				note = x.provider ? xasprintf("%s (%s)", x.meaning, x.provider) : xstrdup(x.meaning);
			kb_explanation_free(&x);
		}
		strlist_add_owned(&m->reply_notes, note ? note : xstrdup(""));
	}
	/* the vendor's class follows the first reply that causes it, when there is one */
	if (m->replies.n && m->replies.v[0][0] >= '2' && m->replies.v[0][0] <= '5' && isdigit((unsigned char)m->replies.v[0][1]))
		m->e.class_name = xstrdup(class_of_digit(m->replies.v[0][0]));
}

static void add_vendor_hits(struct explain_result *res, const struct kb_vendor_hit *hits, size_t n, int line)
{
	for (size_t i = 0; i < n && i < MAX_HITS; i++)
		add_vendor_match(res, &hits[i], line);
	if (n > 1) {
		res->ambiguous = true;
		struct buf b = {0};
		for (size_t i = 0; i < n && i < MAX_HITS; i++)
			buf_printf(&b, "%s%s %s", i ? ", " : "", hits[i].vendor->name, profile_str(hits[i].entry, "code"));
		strlist_add_owned(&res->notes, xasprintf("Ambiguous: %zu candidates (%s). Narrow it down with --vendor "
							 "(and --family).", n, buf_str(&b)));
		buf_free(&b);
	}
}

static void note_unverified(struct explain_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		const struct explain_match *m = &res->v[i];
		if (strcmp(m->e.kind, "vendor-code") != 0 || !m->e.confidence || strcmp(m->e.confidence, "sourced") == 0)
			continue;
		if (strcmp(m->e.confidence, "unverified") == 0)
			strlist_add_owned(&res->notes, xasprintf("%s %s: the meaning is NOT confirmed by any source we could read. "
								 "Treat it as a hint and run the test below before telling anyone "
								 "the cause.", m->e.vendor, m->code));
		else
			strlist_add_owned(&res->notes, xasprintf("%s %s: the meaning is derived from a documented rule, not "
								 "seen for this code itself.", m->e.vendor, m->code));
	}
}

/* --- transcript and log scanning ------------------------------------------------------------ */

/* Splits a transcript prefix off line; returns the direction and sets *body. */
static enum dir split_prefix(const char *line, const char **body)
{
	static const struct { const char *p; enum dir d; } pre[] = {
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
static int reply_code_at(const char *s)
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
			note_no_class(sc->res, (char)('0' + code / 100), false);
		sc->nonsense_noted = true;
	} else {
		explain_reply(sc->res, sc->hint, buf_str(&sc->pending), code, st, sc->pending_line, false);
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
	int code = reply_code_at(body);
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
		struct kb_vendor_hit hits[MAX_HITS];
		size_t k = 0;
		if (token_shape(tok))
			k = kb_vendor_lookup_exact(tok, sc->vendor, sc->opts->family, hits, MAX_HITS);
		else if (after_code_word && n >= 3 && n <= 8 && isdigit((unsigned char)tok[0]))
			k = kb_vendor_lookup(tok, sc->vendor, sc->opts->family, hits, MAX_HITS, NULL);
		if (k) {
			add_vendor_hits(sc->res, hits, k, lineno);
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
		int code = reply_code_at(t);
		if (code || isdigit((unsigned char)t[0]))
			explain_reply(sc->res, sc->hint, t, code, st, lineno, false);
		free(t);
	}
	if (sc->res->n == before && strlen(line) > 12)
		explain_reply(sc->res, sc->hint, line, 0, STAGE_UNKNOWN, lineno, true);
}

static void scan_text(struct scan *sc, const char *text)
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
		enum dir d = split_prefix(raw, &body);
		if (d == DIR_NONE && reply_code_at(body) && (!sc->in_data_body || sc->pending.len))
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

/* --- classification ------------------------------------------------------------------------- */

static bool is_basic_alone(const char *t)
{
	return strlen(t) == 3 && isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1]) && isdigit((unsigned char)t[2]);
}

/* N.N.N with 1-3 digits each; *cls = first digit. */
static bool is_enhanced_alone(const char *t, char *cls)
{
	int parts = 0, digits = 0;
	for (const char *p = t;; p++) {
		if (isdigit((unsigned char)*p)) {
			if (++digits > 3)
				return false;
		} else if (*p == '.' || !*p) {
			if (!digits)
				return false;
			parts++;
			digits = 0;
			if (!*p)
				break;
		} else
			return false;
	}
	*cls = t[0];
	return parts == 3 && t[1] == '.';
}

static bool six_digit_shape(const char *t)
{
	size_t n = strlen(t);
	if (n == 6)
		return strspn(t, "0123456789") == 6;
	return n == 7 && strspn(t, "0123456789") == 3 && strchr(" ._-", t[3]) && strspn(t + 4, "0123456789") == 3;
}

static void explain_basic_alone(struct explain_result *res, const struct scan *sc, int code)
{
	struct explain_match *m = add_match(res);
	m->e.kind = xstrdup("basic-code");
	m->e.matched = xstrdup(res->input);
	m->e.stage = STAGE_UNKNOWN;
	int r = kb_explain_basic(code, &m->e);
	if (r != 0)
		m->e.meaning = xstrdup("The knowledge base has no entry for this code; only its class is known.");
	if (!m->e.confidence)
		m->e.confidence = xstrdup("unverified");
	m->failure = is_failure_class(m->e.class_name);
	res->kind = EXPLAIN_IN_BASIC;
	strlist_add(&res->notes, "A basic code alone says little: providers attach their own text and an enhanced code "
				 "(like 5.7.139). Paste the whole reply line for a precise reading.");
	if (sc->vendor) {
		struct kb_vendor_hit hits[MAX_HITS];
		char buf[8];
		snprintf(buf, sizeof(buf), "%d", code);
		size_t k = kb_vendor_lookup(buf, sc->vendor, sc->opts->family, hits, MAX_HITS, NULL);
		for (size_t i = 0; i < k && i < MAX_HITS; i++) {
			add_vendor_match(res, &hits[i], 0);
			strlist_add_owned(&res->notes, xasprintf("%s shows this reply as %s.", hits[i].vendor->name,
								 profile_str(hits[i].entry, "code")));
		}
	}
}

static void explain_enhanced_alone(struct explain_result *res, const struct scan *sc, const char *enh)
{
	struct explain_match *m = add_match(res);
	m->e.kind = xstrdup("enhanced-code");
	m->e.matched = xstrdup(enh);
	m->e.stage = STAGE_UNKNOWN;
	int r = kb_explain_enhanced(enh, &m->e);
	if (!m->e.class_name)
		m->e.class_name = xstrdup(class_of_digit(enh[0]));
	if (r != 0)
		m->e.meaning = xstrdup("Neither the IANA registry nor its subject list has an entry for this code.");
	if (!m->e.confidence)
		m->e.confidence = xstrdup("unverified");
	m->failure = is_failure_class(m->e.class_name);
	collect_provider_uses(enh, m);
	res->kind = EXPLAIN_IN_ENHANCED;
	if (m->provider_uses.n)
		strlist_add_owned(&res->notes, xasprintf("Mail services use %s with their own meaning (%zu known); the "
							 "registry meaning may not apply. Paste the whole reply line to "
							 "tell them apart.", enh, m->provider_uses.n));
	if (sc->vendor) {
		struct kb_vendor_hit hits[MAX_HITS];
		size_t k = kb_vendor_lookup_exact(enh, sc->vendor, sc->opts->family, hits, MAX_HITS);
		add_vendor_hits(res, hits, k, 0);
	}
}

static void finish(struct explain_result *res)
{
	res->first_failure = -1;
	for (size_t i = 0; i < res->n; i++)
		if (res->v[i].failure) {
			res->first_failure = (long)i;
			break;
		}
	note_unverified(res);
}

static int classify_line(struct explain_result *res, struct scan *sc, const char *t)
{
	struct kb_vendor_hit hits[MAX_HITS];
	const struct kb_vendor *named = NULL;
	size_t k;
	char cls;
	if (is_basic_alone(t)) {
		if (t[0] >= '2' && t[0] <= '5') {
			explain_basic_alone(res, sc, atoi(t));
			return 0;
		}
		if ((k = kb_vendor_lookup(t, sc->vendor, sc->opts->family, hits, MAX_HITS, &named)) > 0) {
			res->kind = EXPLAIN_IN_VENDOR_CODE;
			add_vendor_hits(res, hits, k, 0);
			return 0;
		}
		note_no_class(res, t[0], false);
		return -1;
	}
	if (is_enhanced_alone(t, &cls)) {
		if (cls == '2' || cls == '4' || cls == '5') {
			explain_enhanced_alone(res, sc, t);
			return 0;
		}
		note_no_class(res, cls, true);
		return -1;
	}
	if (six_digit_shape(t) && (k = kb_vendor_lookup(t, sc->vendor, sc->opts->family, hits, MAX_HITS, &named)) > 0) {
		res->kind = EXPLAIN_IN_VENDOR_CODE;
		add_vendor_hits(res, hits, k, 0);
		return 0;
	}
	int code = reply_code_at(t);
	if (code && !six_digit_shape(t)) {
		if (t[0] < '2' || t[0] > '5') {
			note_no_class(res, t[0], false);
			return -1;
		}
		res->kind = EXPLAIN_IN_REPLY;
		explain_reply(res, sc->hint, t, code, STAGE_UNKNOWN, 0, false);
		return 0;
	}
	char enh[16];
	if (smtp_enhanced_at(t, enh) && t[strlen(enh)] == ' ') {
		res->kind = EXPLAIN_IN_REPLY;
		explain_reply(res, sc->hint, t, 0, STAGE_UNKNOWN, 0, false);
		return 0;
	}
	if ((k = kb_vendor_lookup(t, sc->vendor, sc->opts->family, hits, MAX_HITS, &named)) > 0) {
		res->kind = EXPLAIN_IN_VENDOR_CODE;
		add_vendor_hits(res, hits, k, 0);
		return 0;
	}
	if (named)
		strlist_add_owned(&res->notes, xasprintf("%s has no code '%s' in the knowledge base%s.", named->name, t,
							 sc->opts->family ? " for that family" : ""));
	else if (sc->vendor)
		strlist_add_owned(&res->notes, xasprintf("%s has no code '%s' in the knowledge base%s.", sc->vendor->name, t,
							 sc->opts->family ? " for that family" : ""));
	/* a log line with an embedded reply, or provider wording without a code */
	res->kind = EXPLAIN_IN_TRANSCRIPT;
	scan_text(sc, t);
	return res->n ? 0 : -1;
}

static bool only_reply_lines(const char *text)
{
	const char *p = text;
	int finals = 0;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (len) {
			if (finals || len < 3 || !reply_code_at(p))
				return false;
			if (len == 3 || p[3] == ' ')
				finals++;
		}
		p = nl ? nl + 1 : NULL;
	}
	return finals == 1;
}

int explain_text(const char *text, const struct explain_opts *opts, struct explain_result *res)
{
	static const struct explain_opts none = {0};
	struct scan sc = {.res = res, .opts = opts ? opts : &none, .stage = STAGE_UNKNOWN};
	memset(res, 0, sizeof(*res));
	res->first_failure = -1; /* the SMTP knowledge is loaded on first use: a vendor code does not need it */
	char *clean = text_sanitize(text ? text : "", MAX_INPUT, 1);
	text_trim(clean);
	res->input = xstrdup(clean);
	if (sc.opts->vendor)
		sc.vendor = kb_vendor_find(sc.opts->vendor);
	if (sc.opts->service)
		sc.hint = xstrdup(sc.opts->service);
	int rc = -1;
	if (!*clean) {
		strlist_add(&res->notes, "Nothing to explain: give a printer error code (017-715, #818, CE-04), an SMTP "
					 "reply line (535 5.7.8 ...), a code (5.7.139, 535) or paste a transcript or log.");
	} else if (strchr(clean, '\n')) {
		bool single = only_reply_lines(clean);
		res->kind = single ? EXPLAIN_IN_REPLY : EXPLAIN_IN_TRANSCRIPT;
		scan_text(&sc, clean);
		rc = res->n ? 0 : -1;
	} else {
		rc = classify_line(res, &sc, clean);
	}
	if (rc != 0 || !res->n) {
		res->kind = EXPLAIN_IN_NONE;
		if (*clean && !res->notes.n)
			strlist_add(&res->notes, "Nothing recognised: this is not a known printer error code, not an SMTP reply "
						 "(3 digits, 2xx-5xx, then text), not an enhanced status code (like 5.7.8) and "
						 "no reply was found in it as a transcript or log. Check the spelling, or add "
						 "--vendor.");
	}
	if (res->kind == EXPLAIN_IN_TRANSCRIPT && res->n) {
		size_t fails = 0;
		for (size_t i = 0; i < res->n; i++)
			fails += res->v[i].failure;
		strlist_add_owned(&res->notes, xasprintf("Read as a transcript or log: %zu item%s explained in order, %zu "
							 "failure%s.", res->n, res->n == 1 ? "" : "s", fails,
							 fails == 1 ? "" : "s"));
	}
	finish(res);
	free(clean);
	free(sc.hint);
	buf_free(&sc.pending);
	return res->n ? MFP_EXIT_OK : MFP_EXIT_UNKNOWN;
}
