/* smtp/probe.c — the test send: resolves the TLS mode, runs the transfer, decides the verdict,
 * and runs short confirmation probes when the first run points at a port/TLS mismatch or at
 * AUTH hidden behind STARTTLS. Facts only: smtp/rules.c draws the conclusions. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp.h"
#include "smtp/session.h"
#include "smtp/xfer_curl.h"
#include "util/clock.h"
#include "util/text.h"

const char *tls_mode_name(enum tls_mode m)
{
	static const char *const n[] = {"auto", "none", "starttls", "implicit"};
	return (unsigned)m < ARRAY_SIZE(n) ? n[m] : "?";
}

const char *auth_mode_name(enum auth_mode m)
{
	static const char *const n[] = {"none", "auto", "plain", "login", "cram-md5", "ntlm", "xoauth2"};
	return (unsigned)m < ARRAY_SIZE(n) ? n[m] : "?";
}

const char *tls_version_name(int v)
{
	switch (v) {
	case 10: return "1.0";
	case 11: return "1.1";
	case 12: return "1.2";
	case 13: return "1.3";
	default: return "";
	}
}

static bool reply_failed(const struct smtp_reply *r)
{
	return r->complete && (r->code >= 400 || r->malformed);
}

static void set_failure(struct smtp_result *res, enum stage st, const struct smtp_reply *r, const char *why)
{
	res->ok = false;
	res->failed_stage = st;
	if (r)
		smtp_reply_copy(&res->fail_reply, r);
	if (why && !res->error)
		res->error = xstrdup(why);
}

/* "EHLO", "HELO", "STARTTLS", "AUTH LOGIN", "MAIL FROM", "RCPT TO", "DATA": the command a
 * step waited on, for "no reply to X". */
static void command_name(const struct smtp_step *st, char *out, size_t outsz)
{
	switch (st ? st->stage : STAGE_UNKNOWN) {
	case STAGE_MAIL_FROM: snprintf(out, outsz, "MAIL FROM"); return;
	case STAGE_RCPT_TO: snprintf(out, outsz, "RCPT TO"); return;
	case STAGE_END_OF_DATA: snprintf(out, outsz, "the end of the message"); return;
	default: break;
	}
	const char *c = st && st->command ? st->command : "the command";
	size_t n = strcspn(c, " ");
	if (st && st->stage == STAGE_AUTH && c[n] == ' ')
		n += 1 + strcspn(c + n + 1, " "); /* "AUTH LOGIN" */
	snprintf(out, outsz, "%.*s", (int)(n < 60 ? n : 60), c);
}

/* The step that was waiting, i.e. the last one that is not QUIT. */
static const struct smtp_step *last_step(const struct smtp_result *res)
{
	for (size_t i = res->nsteps; i-- > 0;)
		if (res->steps[i].stage != STAGE_QUIT)
			return &res->steps[i];
	return NULL;
}

/* The run was cut by session_tick(): a step that got no reply in time, or the budget. */
static void cut_failure(const struct smtp_request *req, struct smtp_result *res)
{
	char why[600], cmd[80];
	double secs = (double)req->timeout_ms / 1000.0;
	enum stage st = res->cut_stage;
	const struct smtp_step *last = last_step(res);
	if (res->reply_too_large) {
		snprintf(why, sizeof(why), "the server's reply at %s was too large (more than %d KiB; %lld bytes received): "
			 "the test stopped reading it", stage_name(st), SESSION_MAX_REPLY_BYTES / 1024, res->reply_bytes);
		set_failure(res, st, NULL, why);
		return;
	}
	if (res->budget_exhausted) {
		snprintf(why, sizeof(why), "not tested: the run's time budget ran out during %s (after waiting %.1f s); "
			 "this stage and the ones after it were not tested", stage_name(st), res->cut_wait_ms / 1000.0);
		set_failure(res, st, NULL, why);
		return;
	}
	switch (st) {
	case STAGE_CONNECT:
		snprintf(why, sizeof(why), "no TCP connection to %s port %ld within %g s (filtered by a firewall, or wrong address)",
			 res->host, res->port_used, secs);
		break;
	case STAGE_BANNER:
		snprintf(why, sizeof(why), "%s, but the server sent no greeting (220) within %g s",
			 res->tls.established ? "the TLS handshake completed" : "connected", secs);
		break;
	case STAGE_TLS_HANDSHAKE:
		snprintf(why, sizeof(why), "no answer to the TLS handshake within %g s", secs);
		break;
	default:
		command_name(last, cmd, sizeof(cmd));
		snprintf(why, sizeof(why), "no reply to %s within %g s", cmd, secs);
	}
	set_failure(res, st, NULL, why);
}

/* Explains a failure that came without an SMTP reply, from libcurl's code. pending is the
 * stage the conversation was waiting on (session_pending_stage()). */
static void transport_failure(const struct smtp_request *req, struct smtp_result *res, enum stage pending)
{
	int rc = res->curl_code;
	const struct smtp_step *last = last_step(res);
	char why[600];
	const char *cerr = res->curl_error ? res->curl_error : "";
	enum stage st = last ? last->stage : STAGE_CONNECT;
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(why, sizeof(why), "DNS lookup failed: the name %s does not resolve", res->host);
		st = STAGE_CONNECT;
		break;
	case CURLE_COULDNT_CONNECT:
		snprintf(why, sizeof(why), "could not connect to %s port %ld (refused or unreachable): %s",
			 res->host, res->port_used, cerr);
		st = STAGE_CONNECT;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		/* libcurl's own limits are all the run's budget (xfer_curl.c) */
		res->budget_exhausted = true;
		res->cut_stage = pending;
		cut_failure(req, res);
		return;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
		snprintf(why, sizeof(why), "TLS handshake failed: %s", cerr);
		st = STAGE_TLS_HANDSHAKE;
		break;
	case CURLE_USE_SSL_FAILED:
		snprintf(why, sizeof(why), "TLS was required but the server does not offer STARTTLS (or refused it): %s", cerr);
		st = STAGE_STARTTLS;
		break;
	case CURLE_LOGIN_DENIED:
		snprintf(why, sizeof(why), "authentication could not be done: %s", cerr);
		st = STAGE_AUTH;
		break;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_WEIRD_SERVER_REPLY:
		/* e.g. implicit TLS completed, then the connection closed: the greeting failed, not TLS */
		st = pending;
		snprintf(why, sizeof(why), "the server closed the connection or answered something that is not SMTP at %s: %s",
			 stage_name(st), cerr);
		break;
	default:
		snprintf(why, sizeof(why), "%s", cerr[0] ? cerr : curl_easy_strerror((CURLcode)rc));
	}
	bool own_reply = last && last->reply.complete && last->stage == st;
	set_failure(res, st, own_reply ? &last->reply : NULL, why);
}

static void decide_verdict(const struct smtp_request *req, struct smtp_result *res, bool stopped, enum stage pending)
{
	res->ok = true;
	res->failed_stage = STAGE_LAST;
	if (res->step_timeout || res->budget_exhausted || res->reply_too_large) {
		cut_failure(req, res);
		return;
	}
	int rc = res->curl_code;
	bool clean = rc == CURLE_OK || (stopped && (rc == CURLE_WRITE_ERROR || rc == CURLE_ABORTED_BY_CALLBACK));
	if (!clean) {
		/* the last failed reply is what stopped libcurl (EHLO failures followed by a working
		 * HELO are not the cause) */
		for (size_t i = res->nsteps; i-- > 0;) {
			const struct smtp_step *s = &res->steps[i];
			if (s->stage == STAGE_QUIT)
				continue; /* libcurl says QUIT after a failure: not the cause */
			if (reply_failed(&s->reply)) {
				set_failure(res, s->stage, &s->reply, NULL);
				break;
			}
			if (s->reply.complete)
				break;
		}
		if (res->ok)
			transport_failure(req, res, pending);
		return;
	}
	res->completed = true;
	/* recipients refused while others passed (libcurl carries on with ALLOWFAILS) */
	for (size_t i = 0; i < res->nsteps; i++) {
		const struct smtp_step *s = &res->steps[i];
		if (s->stage == STAGE_RCPT_TO && reply_failed(&s->reply)) {
			set_failure(res, STAGE_RCPT_TO, &s->reply, NULL);
			return;
		}
	}
}

static long remaining(double deadline)
{
	double r = deadline - clock_ms();
	return r > 0 ? (long)r : 0;
}

static void add_followup(struct smtp_result *res, const char *what, const char *result, bool positive)
{
	res->followups = xrealloc(res->followups, (res->nfollowups + 1) * sizeof(*res->followups));
	struct smtp_followup *f = &res->followups[res->nfollowups++];
	f->what = xstrdup(what);
	f->result = xstrdup(result);
	f->positive = positive;
}

static int run_once(const struct smtp_request *req, enum tls_mode mode, long budget,
		    struct smtp_result *res)
{
	enum xfer_tls x = mode == TLS_IMPLICIT ? XFER_TLS_IMPLICIT
			  : mode == TLS_STARTTLS ? XFER_TLS_STARTTLS
			  : mode == TLS_AUTO ? XFER_TLS_TRY : XFER_TLS_NONE;
	struct smtp_session sess;
	res->host = text_sanitize(req->server, 255, 0);
	res->port_used = req->port;
	session_init(&sess, req, res, mode == TLS_IMPLICIT);
	if (budget > 0) {
		xfer_run(req, x, budget, res, &sess);
	} else {
		/* nothing left of the budget: not tested (never a failure) */
		res->budget_exhausted = true;
		res->cut_stage = STAGE_CONNECT;
	}
	session_finish(&sess);
	bool stopped = sess.stop_now;
	if (mode == TLS_AUTO)
		res->tls_used = res->tls.established ? TLS_STARTTLS : TLS_NONE;
	else
		res->tls_used = mode;
	decide_verdict(req, res, stopped, session_pending_stage(&sess, true));
	return 0;
}

/* A short second probe: same server, another TLS mode, stop after the greeting (or TLS). */
static void confirm(const struct smtp_request *req, enum tls_mode mode, enum stage stop, double deadline,
		    struct smtp_result *out)
{
	struct smtp_request q = *req;
	q.tls = mode;
	q.stop_after = stop;
	q.send = false;
	q.followups = false;
	q.user = NULL;
	q.password = NULL;
	q.auth = AUTH_NONE;
	q.timeout_ms = req->timeout_ms < 5000 ? req->timeout_ms : 5000;
	long b = remaining(deadline);
	if (b > q.timeout_ms * 3)
		b = q.timeout_ms * 3;
	run_once(&q, mode, b, out);
}

/* A negative follow-up says "no: why", unless it ran out of time (its error says "not tested"). */
static const char *no_prefix(const struct smtp_result *t)
{
	return t->budget_exhausted ? "" : "no: ";
}

static bool followup_positive(const struct smtp_result *res, const char *what)
{
	for (size_t i = 0; i < res->nfollowups; i++)
		if (strstr(res->followups[i].what, what))
			return res->followups[i].positive;
	return false;
}

static void followup_auth_after_starttls(const struct smtp_request *req, struct smtp_result *res, double deadline)
{
	struct smtp_result t = {0};
	confirm(req, TLS_STARTTLS, STAGE_TLS_HANDSHAKE, deadline, &t);
	bool pos = t.caps_after.seen && t.caps_after.auth.n > 0;
	struct buf b = {0};
	if (pos) {
		buf_puts(&b, "after STARTTLS the server offers AUTH");
		for (size_t i = 0; i < t.caps_after.auth.n; i++)
			buf_printf(&b, " %s", t.caps_after.auth.v[i]);
	} else if (t.budget_exhausted) {
		buf_puts(&b, t.error ? t.error : "not tested");
	} else {
		buf_printf(&b, "no AUTH after STARTTLS either%s%s", t.error ? ": " : "", t.error ? t.error : "");
	}
	add_followup(res, "AUTH after STARTTLS", buf_str(&b), pos);
	buf_free(&b);
	smtp_result_free(&t);
}

static void followups(const struct smtp_request *req, struct smtp_result *res, double deadline)
{
	const struct smtp_step *banner = smtp_result_step(res, STAGE_BANNER);
	bool connected = res->nsteps && res->steps[0].done;
	char msg[700];

	/* 1. connected, no greeting, not implicit TLS: is the port waiting for a TLS handshake? */
	if (connected && !banner && res->tls_used != TLS_IMPLICIT && remaining(deadline) > 1000) {
		struct smtp_result t = {0};
		confirm(req, TLS_IMPLICIT, STAGE_CONNECT, deadline, &t);
		const struct smtp_step *b = smtp_result_step(&t, STAGE_BANNER);
		bool pos = t.tls.established && b && b->reply.code == 220;
		snprintf(msg, sizeof(msg), "%s%s", pos ? "TLS handshake completed and the server greeted: " : no_prefix(&t),
			 pos ? buf_str(&b->reply.lines) : (t.error ? t.error : "no greeting"));
		add_followup(res, "implicit TLS (SSL/TLS) on the same port", msg, pos);
		smtp_result_free(&t);
	}
	/* 2. implicit TLS failed before any greeting: is the port speaking plain SMTP (STARTTLS)? */
	if (res->tls_used == TLS_IMPLICIT && !banner && connected && remaining(deadline) > 1000) {
		struct smtp_result t = {0};
		confirm(req, TLS_NONE, STAGE_TLS_HANDSHAKE, deadline, &t);
		const struct smtp_step *b = smtp_result_step(&t, STAGE_BANNER);
		bool pos = b && b->reply.code == 220;
		snprintf(msg, sizeof(msg), "%s%s%s", pos ? "the server greeted in plain text: " : no_prefix(&t),
			 pos ? buf_str(&b->reply.lines) : (t.error ? t.error : "no greeting"),
			 pos && t.caps_before.starttls ? " (and offers STARTTLS)" : "");
		add_followup(res, "plain SMTP / STARTTLS on the same port", msg, pos);
		smtp_result_free(&t);
	}
	/* 3. the handshake failed with an old TLS ceiling: does it work with the library's default range? */
	if (req->tls_max && req->tls_max < 12 && res->tls.attempted && !res->tls.established &&
	    (res->tls_used == TLS_STARTTLS || (res->tls_used == TLS_IMPLICIT && !followup_positive(res, "plain SMTP"))) &&
	    remaining(deadline) > 1000) {
		struct smtp_request q2 = *req;
		q2.tls_max = 0;
		q2.tls_min = 0;
		struct smtp_result t = {0};
		confirm(&q2, res->tls_used, STAGE_TLS_HANDSHAKE, deadline, &t);
		bool pos = t.tls.established;
		snprintf(msg, sizeof(msg), "%s%s", pos ? "without the TLS ceiling the handshake succeeds with " : no_prefix(&t),
			 pos ? t.tls.version : (t.error ? t.error : "the handshake fails too"));
		add_followup(res, "TLS without the device's ceiling", msg, pos);
		smtp_result_free(&t);
	}
	/* 4. no TLS used and no AUTH offered, but STARTTLS is: is AUTH behind STARTTLS? */
	if (res->tls_used == TLS_NONE && res->caps_before.seen && res->caps_before.auth.n == 0 &&
	    res->caps_before.starttls && remaining(deadline) > 1000)
		followup_auth_after_starttls(req, res, deadline);
}

int smtp_probe(const struct smtp_request *req, struct smtp_result *res)
{
	double start = clock_ms();
	double deadline = start + (double)req->budget_ms;
	struct smtp_request q = *req;
	if (!q.port)
		q.port = q.tls == TLS_IMPLICIT ? 465 : 587;
	enum tls_mode mode = q.tls;
	if (mode == TLS_AUTO && q.port == 465)
		mode = TLS_IMPLICIT;
	run_once(&q, mode, remaining(deadline), res);
	if (q.followups)
		followups(&q, res, deadline);
	res->total_ms = clock_ms() - start;
	return 0;
}
