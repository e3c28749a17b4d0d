/* kb/explain_internal.h — what the explain_*.c files share: the scanning state and the item
 * builders. Not for use outside kb/. */
#ifndef MFP_KB_EXPLAIN_INTERNAL_H
#define MFP_KB_EXPLAIN_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>

#include "kb/explain.h"
#include "kb/vendor.h"
#include "util/buf.h"

#define EXPLAIN_MAX_HITS 16

enum explain_dir { DIR_NONE, DIR_SERVER, DIR_CLIENT, DIR_INFO };

/* State while reading one input (a line, or a transcript/log line by line). */
struct scan {
	struct explain_result *res;
	const struct explain_opts *opts;
	const struct kb_vendor *vendor;
	enum stage stage;             /* stage of the last client command */
	bool commands_seen, in_data_body, tls_requested;
	char *hint;                   /* service hint: --service, else host or banner from the text */
	struct buf pending;           /* reply lines being joined */
	int pending_code, pending_line;
	enum explain_dir pending_dir;
	bool nonsense_noted;
};

/* explain_match.c */
struct explain_match *explain_add_match(struct explain_result *res);
bool explain_is_failure_class(const char *cls);
const char *explain_class_of_digit(char c);
/* Adds a note that digit is no SMTP (or, with enhanced, no enhanced-code) class. */
void explain_note_no_class(struct explain_result *res, char digit, bool enhanced);
/* Explains one joined reply (code 0 when the text starts with an enhanced code or has none),
 * observed at stage observed, from input line line. require_provider: keep it only when a
 * provider pattern matched (free text). Returns the new match or NULL. */
struct explain_match *explain_reply_item(struct explain_result *res, const char *hint, const char *joined, int code,
					 enum stage observed, int line, bool require_provider);
/* Adds the vendor hits as matches (at most EXPLAIN_MAX_HITS), noting an ambiguity. */
void explain_add_vendor_hits(struct explain_result *res, const struct kb_vendor_hit *hits, size_t n, int line);
void explain_add_vendor_match(struct explain_result *res, const struct kb_vendor_hit *h, int line);
/* Providers that use the enhanced code enh with their own meaning, into m->provider_uses. */
void explain_collect_provider_uses(const char *enh, struct explain_match *m);
/* Notes for every vendor match whose meaning, stage or replies are not sourced. */
void explain_note_claims(struct explain_result *res);

/* explain_scan.c */
/* 3 digits followed by a blank, '-' or the end: the code, else 0. */
int explain_reply_code_at(const char *s);
/* Reads text as a transcript or log, line by line, adding every reply and vendor code found. */
void explain_scan_text(struct scan *sc, const char *text);

#endif
