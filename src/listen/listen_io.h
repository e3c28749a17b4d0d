/* listen/listen_io.h — one non-blocking connection of the listener (device or upstream side):
 * an input buffer, an output queue, and TLS on top when started (server or client role). The
 * poll loop asks listen_io_events what to wait for and calls read/flush/handshake when ready. */
#ifndef MFP_LISTEN_IO_H
#define MFP_LISTEN_IO_H
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define LISTEN_IO_INCAP 65536

struct listen_io {
	int fd;
	SSL *ssl;
	bool handshaking;
	bool want_write;            /* TLS needs the socket writable to go on */
	bool eof;                   /* peer closed or error */
	char in[LISTEN_IO_INCAP];
	size_t in_len;
	struct buf out;
	size_t out_off;
};

void listen_io_init(struct listen_io *io, int fd);
/* Closes the socket and frees TLS and buffers. */
void listen_io_close(struct listen_io *io);
/* Reads what is available into in (until it is full). Returns bytes read (0: nothing yet);
 * sets eof when the peer closed. */
long listen_io_read(struct listen_io *io);
/* Drops the first n input bytes. */
void listen_io_consume(struct listen_io *io, size_t n);
/* Queues bytes and tries to send them. */
void listen_io_send(struct listen_io *io, const char *data, size_t n);
/* Sends queued bytes. Returns 0 all sent, 1 some pending, -1 error (eof set). */
int listen_io_flush(struct listen_io *io);
bool listen_io_pending(const struct listen_io *io);
/* Starts TLS (server when server != 0). Unread plaintext input is discarded (no injection
 * across STARTTLS). sni: the name to send and verify as a client (NULL: none). */
int listen_io_start_tls(struct listen_io *io, SSL_CTX *ctx, int server, const char *sni, bool verify);
/* Continues the handshake: 1 done, 0 in progress, -1 failed (message in err). */
int listen_io_handshake(struct listen_io *io, char *err, size_t errsz);
/* poll() events to wait for. */
short listen_io_events(const struct listen_io *io);
/* Blocks up to timeout_ms (polling just this connection) until the handshake is done or a whole
 * SMTP reply is in the input buffer. Used only while the relay sets up its upstream leg. */
int listen_io_wait_handshake(struct listen_io *io, int timeout_ms, char *err, size_t errsz);
/* Returns the length of the complete SMTP reply at the start of in (0: not complete yet). */
size_t listen_io_reply_len(const struct listen_io *io);
int listen_io_wait_reply(struct listen_io *io, int timeout_ms);

#endif
