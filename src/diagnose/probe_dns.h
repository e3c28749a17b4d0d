/* diagnose/probe_dns.h — does the sender's domain exist? A DNS fact for the rules: MX, then
 * A/AAAA. Only an authoritative "no such domain" counts as not resolving; a resolver that cannot
 * be reached (no network) leaves the question open. */
#ifndef MFP_DIAGNOSE_PROBE_DNS_H
#define MFP_DIAGNOSE_PROBE_DNS_H
#include "core/device.h"

/* Looks up the domain of the address from and records the fact "dns.from_domain" as
 * "resolves", "does not resolve" or "unknown" (with a note saying why). */
void probe_sender_domain(struct device *d, const char *from);

/* 1: dom never exists in public DNS (invalid, localhost, local, ... and their subdomains);
 * 2: reserved for tests and documentation (test, example); 0: an ordinary name. */
int probe_special_domain(const char *dom);

#endif
