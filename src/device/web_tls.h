/* device/web_tls.h — certificate recording and the trust decision for a web session (web_http.h):
 * made once, before the first request on an HTTPS session, over a handshake that sends nothing. */
#ifndef MFP_DEVICE_WEB_TLS_H
#define MFP_DEVICE_WEB_TLS_H
#include <stddef.h>

#include "device/web_http.h"

/* Learns the peer certificate of h->base and decides whether it is trusted (pinned fingerprint,
 * CA, or --web-insecure). Returns 0 when requests may go ahead (the handle is set up to enforce
 * the decision), -1 with err filled otherwise (h->cert.verify_how is set when a certificate was
 * seen and refused; h->handshake_rc holds the CURLcode when the handshake itself failed). */
int web_tls_decide(struct web_http *h, char *err, size_t errsz);

#endif
