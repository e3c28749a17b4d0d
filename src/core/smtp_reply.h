/* core/smtp_reply.h — parsing SMTP replies: basic code, continuation lines, RFC 3463 enhanced code.
 * Below both smtp/ (the test send) and kb/ (explanations), which both read replies. */
#ifndef MFP_CORE_SMTP_REPLY_H
#define MFP_CORE_SMTP_REPLY_H
#include <stdbool.h>
#include <stddef.h>
#include "util/buf.h"

/* Caps on what one reply may hold (a hostile server can send megabytes): lines longer than
 * SMTP_REPLY_MAX_LINE bytes are cut (with "…"), lines after SMTP_REPLY_MAX_LINES are counted but
 * not kept. RFC 5321 §4.5.3.1.5 allows 512 bytes per reply line; real EHLO replies have < 30 lines. */
#define SMTP_REPLY_MAX_LINE 1000
#define SMTP_REPLY_MAX_LINES 100

struct smtp_reply {
	int code;             /* 100..599 from the final line (RFC 5321 §4.2.1), 0 when none or malformed */
	char enhanced[16];    /* "5.7.139" or "" (of the final code's class) */
	struct buf lines;     /* the lines kept, CR/LF removed, secrets scrubbed, sanitised, joined with '\n' */
	int nlines;           /* lines kept in lines */
	int total_lines;      /* lines received (nlines + dropped) */
	int first_code;       /* the first line's code */
	bool complete;        /* the final line ("NNN " or "NNN") has been seen */
	bool malformed;       /* a line did not start with a 3-digit code (or a code outside 100..599) */
	bool mixed_codes;     /* the lines carry different codes (a broken or suspicious server) */
	bool line_cut;        /* at least one line was longer than SMTP_REPLY_MAX_LINE and was cut */
};

/* Feeds one received line (with or without CRLF). Returns 1 when the line completes the reply,
 * 0 when continuation lines are expected. A malformed line sets r->malformed and completes the
 * reply (servers that send garbage do not get more patience). Lines whose codes disagree set
 * r->mixed_codes; the reply's code is the final line's. Registered secrets (util/redact.h) are
 * scrubbed from every line before it is stored. This function can't fail. */
int smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len);

/* Parses a whole reply given as text (lines separated by LF or CRLF). Returns the number of
 * lines consumed; r is complete when the text held a final line. */
int smtp_reply_parse(struct smtp_reply *r, const char *text);

/* The reply's caps note, e.g. "reply cut at 100 lines (9900 more not kept)" or "a reply line was
 * cut at 1000 bytes", as a new string; NULL when the reply was kept whole. */
char *smtp_reply_cut_note(const struct smtp_reply *r);

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
