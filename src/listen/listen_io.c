/* listen/listen_io.c — non-blocking plain/TLS connection buffers for the listener; see
 * listen_io.h. */
#include <errno.h>
#include <openssl/err.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "listen/listen_io.h"
#include "listen/listen_tls.h"
#include "util/clock.h"

void listen_io_init(struct listen_io *io, int fd)
{
	memset(io, 0, sizeof(*io));
	io->fd = fd;
}

void listen_io_close(struct listen_io *io)
{
	if (io->ssl) {
		if (!io->handshaking && !io->eof)
			SSL_shutdown(io->ssl);
		SSL_free(io->ssl);
		io->ssl = NULL;
	}
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
	buf_free(&io->out);
	io->out_off = 0;
}

/* Maps an SSL_read/SSL_write result: 1 retry later, -1 closed/error. */
static int ssl_wait(struct listen_io *io, int rc)
{
	int e = SSL_get_error(io->ssl, rc);
	if (e == SSL_ERROR_WANT_READ)
		return 1;
	if (e == SSL_ERROR_WANT_WRITE) {
		io->want_write = true;
		return 1;
	}
	ERR_clear_error();
	return -1;
}

long listen_io_read(struct listen_io *io)
{
	long total = 0;
	if (io->handshaking || io->eof)
		return 0;
	io->want_write = false;
	while (io->in_len < sizeof(io->in)) {
		size_t room = sizeof(io->in) - io->in_len;
		ssize_t n;
		if (io->ssl) {
			int r = SSL_read(io->ssl, io->in + io->in_len, (int)room);
			if (r <= 0) {
				if (ssl_wait(io, r) < 0)
					io->eof = true;
				break;
			}
			n = r;
		} else {
			n = read(io->fd, io->in + io->in_len, room);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				break;
			if (n <= 0) {
				io->eof = true;
				break;
			}
		}
		io->in_len += (size_t)n;
		total += n;
	}
	return total;
}

void listen_io_consume(struct listen_io *io, size_t n)
{
	if (n >= io->in_len) {
		io->in_len = 0;
		return;
	}
	memmove(io->in, io->in + n, io->in_len - n);
	io->in_len -= n;
}

bool listen_io_pending(const struct listen_io *io)
{
	return io->out_off < io->out.len;
}

int listen_io_flush(struct listen_io *io)
{
	while (io->out_off < io->out.len && !io->handshaking) {
		size_t left = io->out.len - io->out_off;
		const char *p = io->out.data + io->out_off;
		ssize_t n;
		if (io->ssl) {
			int r = SSL_write(io->ssl, p, (int)left);
			if (r <= 0) {
				if (ssl_wait(io, r) < 0)
					goto fail;
				return 1;
			}
			n = r;
		} else {
			n = write(io->fd, p, left);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return 1;
			if (n < 0)
				goto fail;
		}
		io->out_off += (size_t)n;
	}
	if (io->out_off < io->out.len)
		return 1;
	buf_reset(&io->out);
	io->out_off = 0;
	return 0;
fail:
	io->eof = true;
	return -1;
}

void listen_io_send(struct listen_io *io, const char *data, size_t n)
{
	buf_append(&io->out, data, n);
	listen_io_flush(io);
}

int listen_io_start_tls(struct listen_io *io, SSL_CTX *ctx, int server, const char *sni, bool verify)
{
	io->ssl = SSL_new(ctx);
	if (!io->ssl || SSL_set_fd(io->ssl, io->fd) != 1)
		return -1;
	if (server) {
		SSL_set_accept_state(io->ssl);
	} else {
		SSL_set_connect_state(io->ssl);
		if (sni) {
			SSL_set_tlsext_host_name(io->ssl, sni);
			if (verify)
				SSL_set1_host(io->ssl, sni);
		}
	}
	io->in_len = 0;
	io->handshaking = true;
	return 0;
}

int listen_io_handshake(struct listen_io *io, char *err, size_t errsz)
{
	io->want_write = false;
	int r = SSL_do_handshake(io->ssl);
	if (r == 1) {
		io->handshaking = false;
		return 1;
	}
	int e = SSL_get_error(io->ssl, r);
	if (e == SSL_ERROR_WANT_READ)
		return 0;
	if (e == SSL_ERROR_WANT_WRITE) {
		io->want_write = true;
		return 0;
	}
	long vr = SSL_get_verify_result(io->ssl);
	if (vr != X509_V_OK)
		snprintf(err, errsz, "certificate not trusted: %s", X509_verify_cert_error_string(vr));
	else
		listen_tls_error(err, errsz);
	io->eof = true;
	return -1;
}

short listen_io_events(const struct listen_io *io)
{
	short ev = POLLIN;
	if (io->want_write || listen_io_pending(io))
		ev |= POLLOUT;
	return ev;
}

static int wait_fd(struct listen_io *io, double deadline)
{
	struct pollfd p = {io->fd, listen_io_events(io), 0};
	int left = (int)(deadline - clock_ms());
	if (left <= 0)
		return -1;
	return poll(&p, 1, left) > 0 ? 0 : -1;
}

int listen_io_wait_handshake(struct listen_io *io, int timeout_ms, char *err, size_t errsz)
{
	double deadline = clock_ms() + timeout_ms;
	for (;;) {
		int r = listen_io_handshake(io, err, errsz);
		if (r)
			return r > 0 ? 0 : -1;
		if (wait_fd(io, deadline)) {
			snprintf(err, errsz, "TLS handshake timed out after %d s", timeout_ms / 1000);
			return -1;
		}
	}
}

size_t listen_io_reply_len(const struct listen_io *io)
{
	size_t i = 0;
	while (i < io->in_len) {
		const char *nl = memchr(io->in + i, '\n', io->in_len - i);
		if (!nl)
			return 0;
		size_t end = (size_t)(nl - io->in) + 1;
		if (end - i >= 4 && io->in[i + 3] != '-')
			return end;
		if (end - i < 4)
			return end;
		i = end;
	}
	return 0;
}

int listen_io_wait_reply(struct listen_io *io, int timeout_ms)
{
	double deadline = clock_ms() + timeout_ms;
	while (!listen_io_reply_len(io)) {
		if (listen_io_flush(io) < 0 || io->eof)
			return -1;
		if (wait_fd(io, deadline))
			return -1;
		listen_io_read(io);
	}
	return 0;
}
