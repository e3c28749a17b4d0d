/* listen/listen_parse.h — parsers for untrusted client input: SMTP command lines, MAIL/RCPT
 * arguments, SASL PLAIN/LOGIN payloads (OpenSSL's base64 decoder), and the password facts we keep
 * instead of the password. Pure functions, no I/O (fuzzed by tests/fuzz/fuzz_listen.c). */
#ifndef MFP_LISTEN_PARSE_H
#define MFP_LISTEN_PARSE_H
#include <stddef.h>

#include "listen/listen.h"

/* A command line split into verb (upper-cased, at most 15 chars) and argument (borrowed). */
struct listen_cmd {
	char verb[16];
	const char *arg;            /* after the first space, "" when none; not NUL-terminated */
	size_t arglen;
};

/* Splits line[0..n) (CRLF already removed). Returns 0, or -1 when the line holds no verb. */
int listen_cmd_parse(const char *line, size_t n, struct listen_cmd *c);

/* Parses "FROM:<addr> params" (prefix "FROM:" or "TO:") into new strings *addr and *params
 * (NULL when none). Returns 0, or -1 on a syntax error. */
int listen_path_parse(const char *arg, size_t n, const char *prefix, char **addr, char **params);

/* Decodes base64 text[0..n) into out (capacity cap). Returns the decoded length, or -1 when the
 * text is not base64 or does not fit. */
int listen_b64decode(const char *text, size_t n, unsigned char *out, size_t cap);

/* Fills the password facts of a from pw[0..n) (never keeps the password): its length in
 * characters (UTF-8 sequences count once) and the risky characters it holds. */
void listen_password_facts(struct listen_auth *a, const unsigned char *pw, size_t n);

/* Decodes a SASL PLAIN blob "authzid\0user\0password" from base64 text: sets a->user and the
 * password facts, registers the password for redaction, and wipes it. Returns 0 or -1. */
int listen_auth_plain(struct listen_auth *a, const char *text, size_t n);
/* Decodes an AUTH LOGIN user name or password line from base64 (is_pass selects which).
 * Returns 0 or -1. The password is registered for redaction and wiped. */
int listen_auth_login(struct listen_auth *a, const char *text, size_t n, int is_pass);

/* The SIZE= value among MAIL FROM parameters, or -1. */
long long listen_param_size(const char *params);

#endif
