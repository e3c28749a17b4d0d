/* core/smtp_reply.h — parsing SMTP replies: basic code, continuation lines, RFC 3463 enhanced code.
 * Below both smtp/ (the test send) and kb/ (explanations), which both read replies. */
#ifndef MFP_CORE_SMTP_REPLY_H
#define MFP_CORE_SMTP_REPLY_H
#include <stdbool.h>
#include <stddef.h>
#include "util/buf.h"

struct smtp_reply {
	int code;             /* 100..599, 0 when none or malformed */
	char enhanced[16];    /* "5.7.139" or "" */
	struct buf lines;     /* every line as received, CR/LF removed, sanitised, joined with '\n' */
	int nlines;
	bool complete;        /* the final line ("NNN " or "NNN") has been seen */
	bool malformed;       /* a line did not start with a 3-digit code, or codes disagreed */
};

/* Feeds one received line (with or without CRLF). Returns 1 when the line completes the reply,
 * 0 when continuation lines are expected. A malformed line sets r->malformed and completes the
 * reply (servers that send garbage do not get more patience). This function can't fail. */
int smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len);

/* Parses a whole reply given as text (lines separated by LF or CRLF). Returns the number of
 * lines consumed; r is complete when the text held a final line. */
int smtp_reply_parse(struct smtp_reply *r, const char *text);

/* Returns the reply's lines joined with single spaces (codes kept), as a new string. */
char *smtp_reply_joined(const struct smtp_reply *r);
/* Returns the text of the reply without codes (first line's code and enhanced code stripped from
 * every line), joined with spaces, as a new string. */
char *smtp_reply_message(const struct smtp_reply *r);

/* Finds an RFC 3463 enhanced code ("5.7.8") at the start of s; copies it into out (16 bytes)
 * and returns its length, or 0 when there is none. */
size_t smtp_enhanced_at(const char *s, char out[16]);

/* "positive-completion", "positive-intermediate", "transient", "permanent", or "invalid". */
const char *smtp_reply_class(int code);

void smtp_reply_reset(struct smtp_reply *r);
void smtp_reply_copy(struct smtp_reply *dst, const struct smtp_reply *src);

#endif
