/* record/rec_scrub.h — what a recording may keep: every text written into a recording passes
 * through rec_scrub. Always: the registered secrets in all their encodings (util/redact.h) and,
 * structurally, the values of password inputs, of form fields, URL/form parameters, JS/JSON
 * assignments and <meta> tags whose names look like tokens, CSRF fields, session ids or
 * passwords (replaced by REC_REDACTED). With anonymize on: serial numbers and the device's own
 * host names (registered), MAC addresses and IPv4 addresses (found anywhere) are replaced,
 * consistently within one recording (same input, same replacement, in every file), keeping their
 * form: a MAC stays a MAC (00:00:5E:00:53:xx, RFC 7042's documentation range), an IPv4 address
 * stays one (192.0.2.0/24, then 198.51.100.0/24, then 203.0.113.0/24), a serial keeps its length
 * and its letters/digits pattern. */
#ifndef MFP_RECORD_REC_SCRUB_H
#define MFP_RECORD_REC_SCRUB_H
#include <stdbool.h>
#include <stddef.h>

#include "device/snmp_oid.h"
#include "util/buf.h"

#define REC_REDACTED "REDACTED"

struct rec_anon {
	bool on;
	unsigned char key[32];         /* random per recording: replacements cannot be reversed */
	struct strlist from, to;       /* literal replacements (serials, names, MACs, addresses) */
	int nmac, nip, nhost;
};

void rec_anon_init(struct rec_anon *a, bool on);
void rec_anon_free(struct rec_anon *a);
/* Registers a value to replace everywhere (anonymize only; ignored when off or too short). */
void rec_anon_serial(struct rec_anon *a, const char *serial);
void rec_anon_host(struct rec_anon *a, const char *name);

/* Redacts (and anonymizes) s[0..n): a new buffer, NUL-terminated, *outn its length. Text with
 * NUL bytes is processed piece by piece. */
char *rec_scrub_n(struct rec_anon *a, const char *s, size_t n, size_t *outn);
/* The same for a NUL-terminated string (NULL stays NULL). */
char *rec_scrub(struct rec_anon *a, const char *s);
/* An SNMP value: strings as text; with anonymize on, a 6-byte binary string is taken for a MAC
 * address and an IpAddress is mapped like any other address. Changes v in place. */
void rec_scrub_vb(struct rec_anon *a, struct snmpw_vb *v);

#endif
