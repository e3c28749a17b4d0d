/* diagnose/address.h — is a string an e-mail address that may go into MAIL FROM / RCPT TO as it
 * is? RFC 5321 §4.1.2 Mailbox syntax (Local-part "@" Domain / address-literal; the local part a
 * dot-string or a quoted string) and the §4.5.3.1 length limits (local part 64, domain 255,
 * path 256 octets). Device and command-line values are checked before they are used: a value
 * with spaces, angle brackets or ESMTP keywords after it must never reach the server. */
#ifndef MFP_DIAGNOSE_ADDRESS_H
#define MFP_DIAGNOSE_ADDRESS_H
#include <stdbool.h>
#include <stddef.h>

/* Returns true when s is a valid RFC 5321 Mailbox. Otherwise false, with why (one short
 * phrase, e.g. "it contains a space outside quotes") written to why[0..whysz) when why is not
 * NULL. */
bool mail_address_valid(const char *s, char *why, size_t whysz);

/* "Name <addr>" (a display name, then one address in angle brackets and nothing after it):
 * copies addr into out and returns true when addr is valid; false otherwise. */
bool mail_address_in_brackets(const char *s, char *out, size_t outsz);

/* Returns true when s is a host name (RFC 1123 labels: letters, digits, '-', dots; at most 253
 * octets) or an IPv4/IPv6 address. */
bool mail_host_valid(const char *s);

#endif
