/* util/text.h — making untrusted device and server text safe to print, and escaping it per format. */
#ifndef MFP_UTIL_TEXT_H
#define MFP_UTIL_TEXT_H
#include <stddef.h>
#include "util/buf.h"

/* Returns a new string: control characters (C0 except none, DEL, C1) become '?'
 * unless keep_newlines and the byte is '\n' or '\t'; invalid UTF-8 bytes become
 * '?'; Unicode bidi controls (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069) are
 * removed; the result is cut to at most max bytes (0 = no limit) with "…" appended.
 * NULL gives NULL. */
char *text_sanitize(const char *s, size_t max, int keep_newlines);

/* Sanitises s[0..n) (bytes may contain NUL) into a new string. */
char *text_sanitize_n(const char *s, size_t n, size_t max, int keep_newlines);

/* Appends s to b, escaped for Markdown inline text (sanitised first). */
void text_md_escape(struct buf *b, const char *s);
/* Appends s to b, escaped for HTML text or attribute values (sanitised first). */
void text_html_escape(struct buf *b, const char *s);

/* Trims ASCII whitespace at both ends, in place; returns s. */
char *text_trim(char *s);

/* Human size: 10485760 -> "10 MiB", 5242880 -> "5 MiB", 1536 -> "1.5 KiB". */
void text_human_size(char *out, size_t outsz, long long bytes);

#endif
