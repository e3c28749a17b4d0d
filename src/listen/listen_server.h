/* listen/listen_server.h — the listener's options, its per-connection state, and the functions
 * the poll loop (listen_loop.c) calls into the capture server (listen_smtp.c) and the relay
 * (listen_relay.c). Internal to src/listen/ and cli/cmd_listen.c. */
#ifndef MFP_LISTEN_SERVER_H
#define MFP_LISTEN_SERVER_H
#include <openssl/ssl.h>
#include <stdio.h>

#include "listen/listen.h"
#include "listen/listen_io.h"
#include "listen/listen_mime.h"

struct listen_opts {
	const char *bind;            /* default 127.0.0.1 */
	int port;                    /* 0: any free port (printed) */
	enum listen_tls tls;         /* device leg */
	const char *cert, *key;
	enum stage reply_stage;      /* STAGE_LAST: accept everything */
	const char *reply;           /* lines separated by '\n' */
	const char *reply_source;    /* "--reply-at" or the persona pattern id */
	int sessions;                /* exit after this many (default 10) */
	int idle_s;                  /* per-session idle limit (default 60) */
	int duration_s;              /* total run limit (default 0: none) */
	long long max_size;          /* message bytes accepted (default 50 MiB) */
	const char *keep;            /* directory for the messages, or NULL */
	const char *hostname;        /* our name in the banner */
	const char *relay_host;      /* relay mode when set */
	int relay_port;
	enum listen_tls relay_tls;
	const char *relay_cafile;
	bool relay_insecure;
	int relay_timeout_s;
	/* Hooks: a transcript line (live view) and a finished session (report). */
	void (*on_event)(void *user, const struct listen_session *s, const char *line);
	void (*on_session)(void *user, struct listen_session *s);
	void (*on_ready)(void *user, const char *addr, int port);
	void *user;
};

enum listen_state { LS_CMD, LS_DATA, LS_AUTH_PLAIN, LS_AUTH_USER, LS_AUTH_PASS };

#define LISTEN_PENDING 32

struct listen_conn {
	struct listen_session s;
	const struct listen_opts *o;
	SSL_CTX *srv_ctx, *cli_ctx;
	struct listen_io dev, up;
	enum listen_state st;
	bool tls_active, starttls_pending, discarding, closing, done;
	bool data_line_start;
	struct listen_auth *auth;
	struct listen_msg *msg;
	struct listen_mime mime;
	FILE *keep;
	double last_ms;
	/* relay: the client commands sent upstream whose replies are still due */
	char pending[LISTEN_PENDING][16];
	int npend;
	int auth_step;
};

/* Records a transcript line and hands it to the live hook. */
void listen_conn_event(struct listen_conn *c, char dir, const char *text, size_t n);
/* Ends the session with a reason (kept when one is set already). */
void listen_conn_end(struct listen_conn *c, const char *why);

/* Capture server: the greeting (after implicit TLS if any) and input processing. */
void listen_smtp_greet(struct listen_conn *c);
void listen_smtp_input(struct listen_conn *c);
/* Shared with the relay: DATA lines for the message record, the --keep file. */
void listen_smtp_data_begin(struct listen_conn *c);
void listen_smtp_data_line(struct listen_conn *c, const char *line, size_t n, bool whole);
void listen_smtp_data_end(struct listen_conn *c);
/* Relay: set up the upstream leg (blocking, bounded) and forward its banner; returns 0 or -1. */
int listen_relay_open(struct listen_conn *c);
void listen_relay_device_input(struct listen_conn *c);
void listen_relay_upstream_input(struct listen_conn *c);

/* Runs the listener until the session count, the duration or a signal ends it.
 * Returns the number of sessions seen, or -1 with a message in err. */
int listen_run(const struct listen_opts *o, char *err, size_t errsz);
/* Asks a running listen_run to stop (async-signal-safe). */
void listen_stop(void);

#endif
