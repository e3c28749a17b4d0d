/* device/identify_http.h — the small HTTP fallback used when SNMP gives nothing: GET / on ports
 * 80 and 443 through the web reader's session (web_http.h: bounded time, size and headers;
 * redirects only on the same host, port and scheme, never a loop; certificate checks off for
 * this identification only, with the certificate's SHA-256 fingerprint noted) and recognise the
 * maker from the page title, the Server header and the profiles' match.web_markers. A failure
 * is noted with its real reason (timeout, redirect refused, header flood, …). The full web reader lives in
 * device/web*.c. Licence: see LICENSE. */
#ifndef MFP_DEVICE_IDENTIFY_HTTP_H
#define MFP_DEVICE_IDENTIFY_HTTP_H
#include "core/device.h"
#include "device/identify.h"

/* host is a name or address without port (IPv6 without brackets). base_url, when not NULL,
 * replaces "http://HOST" and "https://HOST" with that one URL (tests). Adds identity.vendor,
 * identity.vendor_id, identity.web_server, identity.web_title, identity.model (when the title
 * matches a family) as FACT_WEB, notes, and counts d->web_requests. Returns 1 when the vendor
 * was recognised, 0 when not. The whole call ends within budget_ms (+ a few ms). */
int identify_http(struct device *d, const struct ident_vendors *vs, const char *host, const char *base_url,
		  long budget_ms);

#endif
