/* smtp/session.h — turning the transport's events (commands sent, reply lines received, TLS
 * handshake progress) into stage records. No I/O here, so it is unit-tested with scripted events. */
#ifndef MFP_SMTP_SESSION_H
#define MFP_SMTP_SESSION_H
#include <stdbool.h>
#include <stddef.h>
#include "smtp/smtp.h"

struct smtp_session {
	const struct smtp_request *req;
	struct smtp_result *res;
	long cur;                 /* index of the current step, -1 before any */
	bool implicit_tls;        /* TLS from the first byte */
	bool starttls_done;       /* a STARTTLS handshake completed */
	bool stop_now;            /* the requested stop point is reached: abort the transfer */
	int rcpt;                 /* recipients sent so far */
	double t0, step_t0;       /* clock_ms() at start and at the current step's start */
	double connected_at;      /* clock_ms() when TCP connected (0 = not yet) */
	bool hs_started, hs_done;
	long long bytes_out;      /* message bytes sent after DATA */
	double last_activity;     /* clock_ms() of the last sign of life: connect, command, reply line, TLS */
	double deadline;          /* clock_ms() when the run's budget ends (0 = none) */
	bool cut;                 /* session_tick() ended the transfer (step timeout or budget) */
	size_t transcript_bytes;  /* bytes kept in the transcript */
	size_t reply_bytes;       /* bytes of the reply being received */
};

/* Caps on what a session keeps (a hostile server can talk forever). */
#define SESSION_MAX_TRANSCRIPT_LINES 2000
#define SESSION_MAX_TRANSCRIPT_BYTES (256 * 1024)
#define SESSION_MAX_STEPS 128
/* One reply larger than this ends the test (no SMTP server sends that much; libcurl has its
 * own, build-dependent limit): res->reply_too_large. */
#define SESSION_MAX_REPLY_BYTES (128 * 1024)

void session_init(struct smtp_session *s, const struct smtp_request *req, struct smtp_result *res,
		  bool implicit_tls);
/* A command line as sent by the client (may end in CRLF). */
void session_command(struct smtp_session *s, const char *data, size_t len);
/* One or more reply lines as received. */
void session_reply(struct smtp_session *s, const char *data, size_t len);
/* Transport information text (libcurl's own words). */
void session_info(struct smtp_session *s, const char *data, size_t len);
void session_tcp_connected(struct smtp_session *s);
void session_tls_start(struct smtp_session *s);
void session_tls_done(struct smtp_session *s, const char *version, const char *cipher);
/* Outgoing message bytes (a sign of life while the message is uploaded). */
void session_data_out(struct smtp_session *s, size_t len);
/* The run's budget ends at deadline (a clock_ms() value; 0 = no budget). */
void session_set_deadline(struct smtp_session *s, double deadline);
/* The stage the conversation is waiting on right now: the current step's when it has no final
 * reply yet, else the one that comes next (the banner after the TCP connection or after an
 * implicit TLS handshake, the handshake after "220" to STARTTLS). With skip_quit, a QUIT the
 * client sent after a failure is passed over (the failure is the step before it). */
enum stage session_pending_stage(const struct smtp_session *s, bool skip_quit);
/* Called often while the transfer runs (libcurl's progress callback), now = clock_ms().
 * Returns 1 when the transfer must end: the step limit (req->timeout_ms since the last sign of
 * life) or the run's budget is used up; res->step_timeout / res->budget_exhausted, cut_stage,
 * cut_wait_ms and error record which. Returns 0 otherwise. */
int session_tick(struct smtp_session *s, double now);
/* Closes the session: the current step gets its elapsed time. */
void session_finish(struct smtp_session *s);

/* Adds a transcript line ("** text"), sanitised and scrubbed of secrets. */
void session_note(struct smtp_session *s, const char *prefix, const char *text, size_t len);

#endif
