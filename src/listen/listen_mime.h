/* listen/listen_mime.h — a bounded, streaming MIME reader for the message a device sends: the
 * top-level headers we report (Subject, From, To, Date, Content-Type, MIME-Version, X-Mailer) and,
 * through multipart boundaries (nested up to LISTEN_MIME_DEPTH), each leaf part's type, file name,
 * transfer encoding and size. Fed one line at a time; keeps no body bytes. */
#ifndef MFP_LISTEN_MIME_H
#define MFP_LISTEN_MIME_H
#include <stdbool.h>
#include <stddef.h>

#include "listen/listen.h"
#include "util/buf.h"

#define LISTEN_MIME_DEPTH 8
#define LISTEN_MIME_HDR_MAX 4096

struct listen_mime {
	struct listen_msg *msg;
	bool in_headers;            /* reading the top or a part's header block */
	bool top;                   /* that block is the message's own */
	struct buf hdr;             /* the header being unfolded */
	char *bound[LISTEN_MIME_DEPTH];
	int depth;
	struct listen_part cur;     /* the part whose headers are being read */
	char *cur_bound;            /* its boundary when it is multipart */
	int part;                   /* index in msg->parts receiving body bytes, -1 none */
	long long b64chars;         /* base64 alphabet characters in the current part */
};

void listen_mime_init(struct listen_mime *m, struct listen_msg *msg);
/* One line of the message, CRLF removed (a partial line of an over-long line is fine). */
void listen_mime_line(struct listen_mime *m, const char *line, size_t n);
/* Ends the message: finishes the open part. */
void listen_mime_end(struct listen_mime *m);
void listen_mime_free(struct listen_mime *m);

/* The value of parameter name in a header value ("multipart/mixed; boundary=x"), a new string,
 * or NULL. Exposed for the tests. */
char *listen_mime_param(const char *value, const char *name);

#endif
