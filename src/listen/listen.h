/* listen/listen.h — `mfpdoctor listen`: an SMTP server (capture) or proxy (relay) that a printer
 * is pointed at, recording what the device really sends and what it is told. The records below
 * are facts only; listen_report.c renders them, listen_loop.c fills them. No password is ever
 * stored: only its length and which characters printers often mangle it holds. */
#ifndef MFP_LISTEN_LISTEN_H
#define MFP_LISTEN_LISTEN_H
#include <stdbool.h>
#include <stddef.h>

#include "core/stage.h"
#include "util/buf.h"

#define LISTEN_MAX_LINE 1000      /* RFC 5321 4.5.3.1.4/6: a command or text line with CRLF */
#define LISTEN_MAX_PARTS 32       /* attachments recorded per message (more are only counted) */
#define LISTEN_MAX_MSGS 16        /* messages recorded per session */
#define LISTEN_MAX_EVENTS 400     /* transcript lines kept per session */

enum listen_tls { LISTEN_TLS_NONE, LISTEN_TLS_STARTTLS, LISTEN_TLS_IMPLICIT };

/* What the device's ClientHello offered and what was agreed. */
struct listen_hello {
	bool seen;
	char *sni;                  /* server_name, sanitised, or NULL */
	char legacy[16];            /* ClientHello.legacy_version, e.g. "TLSv1.0" */
	char max[16];               /* the highest version offered (supported_versions or legacy) */
	struct strlist versions;    /* supported_versions, highest first; empty when absent */
	struct strlist ciphers;     /* offered suites (OpenSSL names or 0xXXXX) */
	char version[16];           /* negotiated, "" when the handshake failed */
	char cipher[64];
	char *error;                /* why the handshake failed, or NULL */
};

/* One AUTH attempt; the password itself is never kept. */
struct listen_auth {
	char *mech;
	char *user;                 /* sanitised */
	int pass_len;               /* -1 when no password was received */
	bool pass_nonascii, pass_space, pass_quote, pass_percent, pass_plus, pass_amp,
	     pass_backslash, pass_hash;
	char *reply;                /* what the device was told */
};

struct listen_part {
	char *type;                 /* Content-Type value without parameters, lower case */
	char *name;                 /* filename or name parameter, sanitised, or NULL */
	char *encoding;             /* Content-Transfer-Encoding or NULL */
	long long bytes;            /* encoded body bytes as sent */
	long long decoded;          /* decoded size (base64), else = bytes */
};

struct listen_msg {
	char *mail_from;            /* the address between < > */
	char *mail_params;          /* "SIZE=123 BODY=8BITMIME" or NULL */
	char *mail_reply;
	struct strlist rcpt;
	struct strlist rcpt_replies;
	bool data_started, data_done;
	long long size;             /* message bytes after dot-unstuffing, CRLF counted */
	bool truncated;             /* over --max-size: counted on but refused */
	char *subject, *from, *to, *date, *content_type, *mime_version, *x_mailer;
	struct listen_part parts[LISTEN_MAX_PARTS];
	int nparts;                 /* recorded */
	int parts_total;            /* seen, including ones beyond LISTEN_MAX_PARTS */
	char *data_reply;           /* the reply to the end of data */
	char *kept;                 /* --keep file, or NULL */
};

struct listen_session {
	int id;
	char peer[64];              /* "127.0.0.1:51234" */
	double t_start_ms, t_end_ms;
	char *ehlo;                 /* EHLO/HELO argument, sanitised */
	bool helo;                  /* HELO rather than EHLO */
	char *tls_how;              /* "none", "starttls", "implicit" */
	struct listen_hello hello;
	struct listen_auth auths[4];
	int nauths;
	struct listen_msg msgs[LISTEN_MAX_MSGS];
	int nmsgs;
	struct strlist events;      /* "C: EHLO x" / "S: 250 ok" / "U: ..." (redacted, sanitised) */
	int events_dropped;
	char *end;                  /* how it ended: "QUIT", "client closed", "idle timeout", ... */
	char *fail_stage;           /* the stage where --reply-at/--persona answered, or NULL */
	char *upstream;             /* relay: "host:port (TLS via starttls, verified)" */
};

void listen_session_free(struct listen_session *s);
/* Appends a transcript line (dir 'C' client, 'S' us, 'U' upstream), redacted and sanitised;
 * live printing is done by the caller's hook. */
void listen_session_event(struct listen_session *s, char dir, const char *text, size_t n);
/* A new message record (the last one is reused once LISTEN_MAX_MSGS are recorded). */
struct listen_msg *listen_session_new_msg(struct listen_session *s);

#endif
