/* smtp/session.c — stage tracking from transport events; see session.h.
 *
 * The client's commands decide which stage a reply belongs to: EHLO/HELO (before or after
 * STARTTLS), STARTTLS, AUTH (with its challenge rounds), MAIL, RCPT (one step per recipient),
 * DATA, the end of data (the reply after the message body) and QUIT. A reply with no command
 * before it is the banner. */
#include "smtp/session.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/clock.h"
#include "util/redact.h"
#include "util/text.h"

static struct smtp_step *cur_step(struct smtp_session *s)
{
	return s->cur >= 0 ? &s->res->steps[s->cur] : NULL;
}

static void step_close(struct smtp_session *s)
{
	struct smtp_step *st = cur_step(s);
	if (st && !st->done) {
		st->elapsed_ms = clock_ms() - s->step_t0;
		st->done = true;
	}
}

static struct smtp_step *step_begin(struct smtp_session *s, enum stage stage, const char *command)
{
	struct smtp_result *r = s->res;
	struct smtp_step *prev = cur_step(s);
	if (prev && !prev->done)
		prev->elapsed_ms = clock_ms() - s->step_t0; /* left without a final reply */
	if (r->nsteps == r->capsteps) {
		r->capsteps = r->capsteps ? r->capsteps * 2 : 16;
		r->steps = xrealloc(r->steps, r->capsteps * sizeof(*r->steps));
	}
	struct smtp_step *st = &r->steps[r->nsteps];
	memset(st, 0, sizeof(*st));
	st->stage = stage;
	st->command = command ? xstrdup(command) : NULL;
	s->cur = (long)r->nsteps++;
	s->step_t0 = clock_ms();
	return st;
}

void session_note(struct smtp_session *s, const char *prefix, const char *text, size_t len)
{
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	struct smtp_result *r = s->res;
	if (r->transcript.n >= SESSION_MAX_TRANSCRIPT_LINES || s->transcript_bytes >= SESSION_MAX_TRANSCRIPT_BYTES) {
		r->transcript_dropped++;
		return;
	}
	/* secrets out before the line is cut, so no prefix of one survives */
	char *raw = xstrndup(text, len);
	for (size_t i = 0; i < len; i++)
		if (!raw[i])
			raw[i] = '?';
	char *safe = redact_scrub(raw);
	char *clean = text_sanitize(safe, 1000, 0);
	char line[1200];
	snprintf(line, sizeof(line), "[%6.0f ms] %s %s", clock_ms() - s->t0, prefix, clean);
	strlist_add(&r->transcript, line);
	s->transcript_bytes += strlen(line);
	free(raw);
	free(clean);
	free(safe);
}

static void alive(struct smtp_session *s)
{
	s->last_activity = clock_ms();
}

void session_data_out(struct smtp_session *s, size_t len)
{
	s->bytes_out += (long long)len;
	alive(s);
}

void session_set_deadline(struct smtp_session *s, double deadline)
{
	s->deadline = deadline;
}

enum stage session_pending_stage(const struct smtp_session *s, bool skip_quit)
{
	const struct smtp_step *st = s->cur >= 0 ? &s->res->steps[s->cur] : NULL;
	if (skip_quit && st && st->stage == STAGE_QUIT && st > s->res->steps)
		st--;
	if (!st)
		return STAGE_CONNECT;
	if (!st->done)
		return st->stage;
	switch (st->stage) {
	case STAGE_CONNECT:
		return s->implicit_tls ? STAGE_TLS_HANDSHAKE : STAGE_BANNER;
	case STAGE_TLS_HANDSHAKE:
		return s->implicit_tls ? STAGE_BANNER : STAGE_EHLO_AFTER_TLS;
	case STAGE_STARTTLS:
		return st->reply.code == 220 ? STAGE_TLS_HANDSHAKE : STAGE_STARTTLS;
	default:
		return st->stage;
	}
}

int session_tick(struct smtp_session *s, double now)
{
	if (s->cut)
		return 1;
	struct smtp_result *r = s->res;
	double step_at = s->req->timeout_ms > 0 ? s->last_activity + (double)s->req->timeout_ms : 0;
	bool step = step_at > 0 && now >= step_at && (s->deadline <= 0 || step_at <= s->deadline);
	bool budget = !step && s->deadline > 0 && now >= s->deadline;
	if (!step && !budget)
		return 0;
	s->cut = true;
	enum stage st = session_pending_stage(s, false);
	char msg[200];
	if (st == STAGE_QUIT) {
		/* the test is over: a server that does not answer QUIT changes nothing */
		snprintf(msg, sizeof(msg), "no reply to QUIT within %.0f ms: closing", now - s->last_activity);
		session_note(s, "**", msg, strlen(msg));
		return 1;
	}
	r->cut_stage = st;
	r->cut_wait_ms = now - s->last_activity;
	if (step)
		r->step_timeout = true;
	else
		r->budget_exhausted = true;
	snprintf(msg, sizeof(msg), "%s at %s after %.0f ms without a reply: stopping",
		 step ? "step time limit (--timeout) reached" : "the run's time budget ran out", stage_name(st),
		 r->cut_wait_ms);
	session_note(s, "**", msg, strlen(msg));
	return 1;
}

void session_init(struct smtp_session *s, const struct smtp_request *req, struct smtp_result *res,
		  bool implicit_tls)
{
	memset(s, 0, sizeof(*s));
	s->req = req;
	s->res = res;
	s->cur = -1;
	s->implicit_tls = implicit_tls;
	s->t0 = clock_ms();
	s->last_activity = s->t0;
	step_begin(s, STAGE_CONNECT, NULL);
}

void session_tcp_connected(struct smtp_session *s)
{
	struct smtp_step *st = cur_step(s);
	if (!s->connected_at) {
		s->connected_at = clock_ms();
		alive(s);
	}
	if (st && st->stage == STAGE_CONNECT && !st->done)
		step_close(s);
}

/* A reply too large to read: the test stops at the stage that was waiting for it. */
static void too_large(struct smtp_session *s)
{
	struct smtp_result *r = s->res;
	if (r->reply_too_large)
		return;
	r->reply_too_large = true;
	r->reply_bytes = (long long)s->reply_bytes;
	r->cut_stage = session_pending_stage(s, false);
	s->cut = true;
	char msg[160];
	snprintf(msg, sizeof(msg), "reply larger than %d KiB at %s (%zu bytes so far): stopping",
		 SESSION_MAX_REPLY_BYTES / 1024, stage_name(r->cut_stage), s->reply_bytes);
	session_note(s, "**", msg, strlen(msg));
}

void session_info(struct smtp_session *s, const char *data, size_t len)
{
	session_note(s, "**", data, len);
	if (len > 12 && strncmp(data, "Connected to", 12) == 0)
		session_tcp_connected(s);
	/* libcurl drops what it will not read: count it (its words; the cap below is ours) */
	static const char excessive[] = "Excessive server response line length received, ";
	if (len > sizeof(excessive) && strncmp(data, excessive, sizeof(excessive) - 1) == 0) {
		s->reply_bytes += strtoul(data + sizeof(excessive) - 1, NULL, 10);
		alive(s);
	}
	static const char large[] = "Too large response";
	if (s->reply_bytes > SESSION_MAX_REPLY_BYTES ||
	    (len >= sizeof(large) - 1 && strncmp(data, large, sizeof(large) - 1) == 0)) {
		if (s->reply_bytes < SESSION_MAX_REPLY_BYTES)
			s->reply_bytes = SESSION_MAX_REPLY_BYTES; /* libcurl counted more than it showed */
		too_large(s);
	}
}

void session_tls_start(struct smtp_session *s)
{
	if (s->hs_started)
		return;
	s->hs_started = true;
	session_tcp_connected(s);
	alive(s);
	s->res->tls.attempted = true;
	step_begin(s, STAGE_TLS_HANDSHAKE, NULL);
	session_note(s, "**", "TLS handshake started", 21);
}

void session_tls_done(struct smtp_session *s, const char *version, const char *cipher)
{
	if (s->hs_done)
		return;
	s->hs_done = true;
	alive(s);
	struct tls_facts *t = &s->res->tls;
	t->established = true;
	snprintf(t->version, sizeof(t->version), "%s", version ? version : "");
	snprintf(t->cipher, sizeof(t->cipher), "%s", cipher ? cipher : "");
	struct smtp_step *st = cur_step(s);
	if (st && st->stage == STAGE_TLS_HANDSHAKE) {
		free(st->detail);
		st->detail = xasprintf("%s, %s", t->version, t->cipher);
		step_close(s);
	}
	if (!s->implicit_tls)
		s->starttls_done = true;
	char msg[160];
	snprintf(msg, sizeof(msg), "TLS established: %s %s", t->version, t->cipher);
	session_note(s, "**", msg, strlen(msg));
}

static bool is_verb(const char *line, const char *verb)
{
	size_t n = strlen(verb);
	return strncasecmp(line, verb, n) == 0 && (line[n] == '\0' || line[n] == ' ' || line[n] == ':');
}

/* AUTH <mech> [initial-response] -> "AUTH <mech> [redacted]" */
static char *redact_auth(const char *line)
{
	const char *p = line + 4;
	while (*p == ' ')
		p++;
	size_t n = strcspn(p, " ");
	if (p[n] == ' ')
		return xasprintf("AUTH %.*s %s", (int)n, p, REDACTED);
	return xasprintf("AUTH %.*s", (int)n, p);
}

void session_command(struct smtp_session *s, const char *data, size_t len)
{
	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	char *line = xstrndup(data, len);
	struct smtp_step *st = cur_step(s);
	char *shown = NULL;

	alive(s);
	s->reply_bytes = 0;
	if (st && st->stage == STAGE_AUTH && st->reply.complete && st->reply.code == 334) {
		/* a SASL response line: always secret; the step waits for the next reply again */
		st->rounds++;
		st->done = false;
		smtp_reply_reset(&st->reply);
		session_note(s, "->", REDACTED, strlen(REDACTED));
		free(line);
		return;
	}
	enum stage stage = STAGE_UNKNOWN;
	if (is_verb(line, "EHLO") || is_verb(line, "HELO")) {
		stage = s->starttls_done ? STAGE_EHLO_AFTER_TLS : STAGE_EHLO;
		if (is_verb(line, "HELO"))
			s->res->helo_fallback = true;
	} else if (is_verb(line, "STARTTLS")) {
		stage = STAGE_STARTTLS;
	} else if (is_verb(line, "AUTH")) {
		stage = STAGE_AUTH;
		shown = redact_auth(line);
		s->res->auth_attempted = true;
	} else if (is_verb(line, "MAIL")) {
		stage = STAGE_MAIL_FROM;
	} else if (is_verb(line, "RCPT")) {
		stage = STAGE_RCPT_TO;
	} else if (is_verb(line, "DATA")) {
		stage = STAGE_DATA;
	} else if (is_verb(line, "QUIT")) {
		stage = STAGE_QUIT;
	}
	if (!shown)
		shown = redact_scrub(line);
	char *clean = text_sanitize(shown, 1000, 0);
	st = step_begin(s, stage, clean);
	if (stage == STAGE_RCPT_TO)
		st->index = ++s->rcpt;
	session_note(s, "->", clean, strlen(clean));
	free(clean);
	free(shown);
	free(line);
}

/* Will the client send STARTTLS after the EHLO that just completed? */
static bool starttls_follows(const struct smtp_session *s)
{
	if (s->implicit_tls || s->starttls_done)
		return false;
	if (s->req->tls == TLS_STARTTLS)
		return true;
	return s->req->tls == TLS_AUTO && s->res->caps_before.starttls;
}

/* Decides whether the requested stop point has been reached after step st completed. */
static void check_stop(struct smtp_session *s, const struct smtp_step *st)
{
	const struct smtp_request *q = s->req;
	if (q->send)
		return;
	int code = st->reply.code;
	bool ok = code >= 200 && code < 400;
	bool greeted = ok && (st->stage == STAGE_EHLO_AFTER_TLS ||
			      (st->stage == STAGE_EHLO && !starttls_follows(s)));
	const struct smtp_caps *caps =
		st->stage == STAGE_EHLO_AFTER_TLS ? &s->res->caps_after : &s->res->caps_before;
	switch (q->stop_after) {
	case STAGE_CONNECT:
		if (st->stage == STAGE_BANNER)
			s->stop_now = true;
		break;
	case STAGE_TLS_HANDSHAKE:
		if (greeted)
			s->stop_now = true;
		break;
	case STAGE_AUTH:
		if (st->stage == STAGE_AUTH && code != 334)
			s->stop_now = true;
		/* no AUTH will follow this greeting: stop here rather than let MAIL go out */
		if (greeted && (!q->user || !q->password || q->auth == AUTH_NONE || caps->auth.n == 0))
			s->stop_now = true;
		break;
	case STAGE_MAIL_FROM:
		if (st->stage == STAGE_MAIL_FROM)
			s->stop_now = true;
		break;
	case STAGE_RCPT_TO:
		if (st->stage == STAGE_RCPT_TO && (size_t)st->index >= q->nto)
			s->stop_now = true;
		break;
	case STAGE_DATA:
		/* the server's answer to DATA; the message itself is never sent */
		if (st->stage == STAGE_DATA)
			s->stop_now = true;
		break;
	default:
		break;
	}
}

static void reply_complete(struct smtp_session *s, struct smtp_step *st)
{
	step_close(s);
	int code = st->reply.code;
	if ((st->stage == STAGE_EHLO || st->stage == STAGE_EHLO_AFTER_TLS) && code == 250 &&
	    st->command && strncasecmp(st->command, "EHLO", 4) == 0) {
		struct smtp_caps *c = st->stage == STAGE_EHLO ? &s->res->caps_before : &s->res->caps_after;
		smtp_caps_parse(c, buf_str(&st->reply.lines));
		c->cut = st->reply.total_lines > st->reply.nlines;
	}
	check_stop(s, st);
	if (st->stage == STAGE_DATA && code == 354 && !s->stop_now) {
		char cmd[96];
		snprintf(cmd, sizeof(cmd), "<message, about %lld bytes> CRLF.CRLF", s->res->message_size);
		step_begin(s, STAGE_END_OF_DATA, cmd);
	}
}

static void reply_line(struct smtp_session *s, const char *line, size_t len)
{
	struct smtp_step *st = cur_step(s);
	alive(s);
	if (s->cut)
		return; /* past a cap: nothing more is kept */
	s->reply_bytes += len;
	if (s->reply_bytes > SESSION_MAX_REPLY_BYTES) {
		too_large(s);
		return;
	}
	if (!st || st->stage == STAGE_CONNECT || (st->stage == STAGE_TLS_HANDSHAKE && s->implicit_tls) ||
	    (st->done && st->reply.complete && st->stage != STAGE_AUTH)) {
		session_tcp_connected(s);
		if (!st || st->stage == STAGE_CONNECT || st->stage == STAGE_TLS_HANDSHAKE) {
			st = step_begin(s, STAGE_BANNER, NULL);
			/* the greeting's wait starts when the connection (and implicit TLS) is up */
			s->step_t0 = s->hs_done ? s->step_t0 : s->connected_at ? s->connected_at : s->step_t0;
		} else if (s->res->nsteps >= SESSION_MAX_STEPS) {
			session_note(s, "<-", line, len); /* unsolicited, past the cap: transcript only */
			return;
		} else {
			st = step_begin(s, STAGE_UNKNOWN, NULL); /* unsolicited reply */
		}
	}
	session_note(s, "<-", line, len);
	if (smtp_reply_feed(&st->reply, line, len)) {
		s->reply_bytes = 0;
		char *note = smtp_reply_cut_note(&st->reply);
		if (note) {
			session_note(s, "**", note, strlen(note));
			free(note);
		}
		reply_complete(s, st);
	}
}

void session_reply(struct smtp_session *s, const char *data, size_t len)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) + 1 : len;
		reply_line(s, data, n);
		data += n;
		len -= n;
	}
}

void session_finish(struct smtp_session *s)
{
	struct smtp_step *st = cur_step(s);
	if (st && !st->done)
		st->elapsed_ms = clock_ms() - s->step_t0;
	struct smtp_result *r = s->res;
	if (r->transcript_dropped) {
		char msg[160];
		snprintf(msg, sizeof(msg), "** transcript cut at %zu lines (%zu more lines not kept)", r->transcript.n,
			 r->transcript_dropped);
		strlist_add(&r->transcript, msg);
	}
}
