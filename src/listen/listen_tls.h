/* listen/listen_tls.h — OpenSSL for the listener: the server context (a certificate generated on
 * the fly for localhost and the bind address, or the one given), the ClientHello recorder, and
 * the client context the relay uses towards the real server (verified unless told otherwise). */
#ifndef MFP_LISTEN_TLS_H
#define MFP_LISTEN_TLS_H
#include <openssl/ssl.h>
#include <stdbool.h>

#include "listen/listen.h"

/* A server context accepting TLS 1.0 to 1.3 at security level 0 (a printer's old TLS must be
 * seen, not refused). cert/key NULL: a self-signed RSA certificate for localhost, 127.0.0.1 and
 * bind_addr is generated. Returns NULL with a message in err. */
SSL_CTX *listen_tls_server_ctx(const char *cert, const char *key, const char *bind_addr,
			       char *err, size_t errsz);
/* Attaches the record the ClientHello callback fills for this connection. */
void listen_tls_watch(SSL *ssl, struct listen_hello *h);
/* Records the negotiated version and cipher after the handshake. */
void listen_tls_done(SSL *ssl, struct listen_hello *h);
/* The last OpenSSL error as text (for a failed handshake). */
void listen_tls_error(char *out, size_t outsz);

/* A client context for the relay: verifies against cafile (or the system store) unless insecure. */
SSL_CTX *listen_tls_client_ctx(const char *cafile, bool insecure, char *err, size_t errsz);

#endif
