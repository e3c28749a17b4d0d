/* device/decode.h — pure decoders for what printers send over SNMP: the
 * hrPrinterDetectedErrorState bit map, enumerations with out-of-range values, DateAndTime,
 * octet strings that may be binary, empty, huge or not UTF-8, and vendor codes inside free
 * text. No I/O; every function is safe on any input. Licence: see LICENSE. */
#ifndef MFP_DEVICE_DECODE_H
#define MFP_DEVICE_DECODE_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/buf.h"

/* An enumeration row; tables are bounded by their size (ARRAY_SIZE), never by a sentinel. */
struct decode_enum {
	long value;
	const char *name;
};

/* Returns the name for v, or NULL when v is not in tab[0..n). This function can't fail. */
const char *decode_enum_name(const struct decode_enum *tab, size_t n, long v);
/* Writes "name(v)" or "unknown(v)" into out. */
void decode_enum_text(const struct decode_enum *tab, size_t n, long v, char *out, size_t outsz);

/* hrPrinterDetectedErrorState (RFC 3805 / RFC 2790): bit 0 is the MSB of the first octet.
 * Appends the names of the set bits to names ("lowToner", ... "bit17" beyond the defined 16).
 * Accepts any length (0, 1, 2 octets are common). Returns the number of bits set. */
int decode_errstate(const unsigned char *b, size_t len, struct strlist *names);
/* The worst hrDeviceStatus the set bits imply per HP-LASERJET-COMMON-MIB: 2 running,
 * 3 warning, 5 down. */
int decode_errstate_severity(const unsigned char *b, size_t len);

/* DateAndTime (RFC 2579): 8 or 11 octets. Writes ISO 8601 text ("2024-05-01T10:20:30+02:00",
 * or without offset for 8 octets) and the UTC time (local offset 0 assumed for 8 octets).
 * Returns 0, or -1 when the octets are not a plausible date. */
int decode_date_and_time(const unsigned char *b, size_t len, char *iso, size_t isosz, time_t *utc);

/* Flags for decode_octets: what was odd about the octets. */
enum {
	DEC_EMPTY = 1, DEC_NOT_UTF8 = 2, DEC_CONTROL = 4, DEC_TRUNCATED = 8, DEC_BINARY = 16,
	DEC_NUL = 32, DEC_PADDED = 64,
};
/* Turns octets into display text (a new string): valid UTF-8 kept (control characters → '?'),
 * other bytes decoded as ISO-8859-1 when mostly printable, else hex "0x..." (DEC_BINARY).
 * Trailing NULs and surrounding spaces are trimmed (DEC_NUL / DEC_PADDED). Cut at max bytes.
 * *flags (may be NULL) gets DEC_* bits. */
char *decode_octets(const unsigned char *b, size_t len, size_t max, int *flags);

/* Reads an integer from text sent where a number belongs ("42", " 42 ", "0x2A"). Returns 0, or
 * -1 for anything else (including "NULL"). */
int decode_int_text(const char *s, long long *out);

/* Finds a vendor code in free text (an alert description, a log line) with the vendor's
 * code_syntax.pattern (POSIX ERE, anchored, matched case-insensitively against each token).
 * Only tokens containing a digit are considered (plain words are messages, not codes).
 * Returns a new string (the first match) or NULL. */
char *decode_find_code(const char *text, const char *pattern);

#endif
