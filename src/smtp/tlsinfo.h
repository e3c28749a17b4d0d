/* smtp/tlsinfo.h — TLS facts from OpenSSL (libcurl's TLS backend here): the peer certificate,
 * chain and name verification, handshake progress and alerts, and old-protocol emulation. */
#ifndef MFP_SMTP_TLSINFO_H
#define MFP_SMTP_TLSINFO_H
#include "smtp/session.h"

/* libcurl CURLOPT_SSL_CTX_FUNCTION callback: installs the info and verify callbacks on the
 * SSL_CTX and, when the request allows TLS < 1.2, lowers OpenSSL's security level so TLS 1.0/1.1
 * can really be negotiated. userp is the struct smtp_session. */
int tlsinfo_ctx_setup(void *curl, void *sslctx, void *userp);

/* Fills name_ok/name_error from the recorded certificate against host (a name or an IP). */
void tlsinfo_check_name(struct tls_facts *t, const char *host);

/* Releases what tlsinfo kept between callbacks. */
void tlsinfo_release(void);

#endif
