/* util/redact.h — keeping secrets out of every output: a process-wide set of secret strings
 * (and their base64 forms) scrubbed from any text before it is stored or printed. */
#ifndef MFP_UTIL_REDACT_H
#define MFP_UTIL_REDACT_H

#include <stdio.h>

#define REDACTED "[redacted]"

/* Registers a secret: the string itself and its base64 encoding are scrubbed from then on.
 * Strings shorter than 3 bytes are ignored (they would scrub ordinary text). Copies s. */
void redact_add_secret(const char *s);
/* Registers the SASL PLAIN blob "\0user\0password" (and "user\0user\0password") in base64. */
void redact_add_plain_blob(const char *user, const char *password);
/* Registers the SASL XOAUTH2 initial response "user=U\1auth=Bearer T\1\1" in base64. */
void redact_add_xoauth2_blob(const char *user, const char *token);
/* Registers every form a secret can take in our output before anything is printed: the string,
 * its base64, its URL/form encodings (%XX upper and lower case, '+' for space), its JSON- and
 * HTML-escaped forms, HTTP Basic base64(user:secret), the SASL PLAIN blobs and the XOAUTH2
 * initial response. user may be NULL. Call it as soon as the secret is known. */
void redact_add_credential(const char *user, const char *secret);
/* Returns a new string with every registered secret replaced by REDACTED. */
char *redact_scrub(const char *s);
/* An output filter: the final safety net behind every renderer. redact_sink_open() returns a
 * stream to print to; redact_sink_close() scrubs everything printed to it and writes the result
 * to dst (returns 0, or -1 when writing failed). */
struct redact_sink {
	FILE *f;
	char *data;
	size_t len;
};
FILE *redact_sink_open(struct redact_sink *k);
int redact_sink_close(struct redact_sink *k, FILE *dst);
/* Forgets every secret (wiping the memory). */
void redact_clear(void);

/* Base64 of data[0..n), a new string (OpenSSL's encoder). */
char *redact_base64(const void *data, int n);

#endif
