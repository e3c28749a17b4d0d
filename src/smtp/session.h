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
};

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
/* Closes the session: the current step gets its elapsed time. */
void session_finish(struct smtp_session *s);

/* Adds a transcript line ("** text"), sanitised and scrubbed of secrets. */
void session_note(struct smtp_session *s, const char *prefix, const char *text, size_t len);

#endif
