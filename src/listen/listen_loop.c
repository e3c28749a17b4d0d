/* listen/listen_loop.c — the listener's poll() loop: binds (loopback unless told), accepts up to
 * the session bound, drives each connection's TLS handshake, input and output, enforces the idle
 * and total time limits, and hands every finished session to the report hook. No threads. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen/listen_server.h"
#include "listen/listen_tls.h"
#include "util/clock.h"
#include "util/text.h"

#define MAX_CONNS 8

static volatile sig_atomic_t stop_flag;

void listen_stop(void)
{
	stop_flag = 1;
}

void listen_conn_event(struct listen_conn *c, char dir, const char *text, size_t n)
{
	listen_session_event(&c->s, dir, text, n);
	if (c->o->on_event && c->s.events.n && !c->s.events_dropped)
		c->o->on_event(c->o->user, &c->s, c->s.events.v[c->s.events.n - 1]);
}

void listen_conn_end(struct listen_conn *c, const char *why)
{
	if (!c->s.end)
		c->s.end = xstrdup(why);
}

static int bind_socket(const struct listen_opts *o, int *port, char *err, size_t errsz)
{
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE, .ai_socktype = SOCK_STREAM}, *ai;
	char ps[16];
	snprintf(ps, sizeof(ps), "%d", o->port);
	int rc = getaddrinfo(o->bind, ps, &hints, &ai);
	if (rc) {
		snprintf(err, errsz, "--bind %.60s: not an IP address (%s)", o->bind, gai_strerror(rc));
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16)) {
		snprintf(err, errsz, "cannot listen on %.60s port %d: %s", o->bind, o->port, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					       : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static void peer_name(int fd, char *out, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
		getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), port, sizeof(port),
			    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(out, n, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
}

/* The device's TLS handshake is done (or failed). */
static void device_tls(struct listen_conn *c)
{
	char e[200];
	int r = listen_io_handshake(&c->dev, e, sizeof(e));
	if (r == 0)
		return;
	if (r < 0) {
		c->s.hello.error = text_sanitize(e, 200, 0);
		listen_conn_event(c, 'S', "[TLS handshake failed]", 22);
		listen_conn_end(c, "TLS handshake failed");
		c->done = true;
		return;
	}
	listen_tls_done(c->dev.ssl, &c->s.hello);
	c->tls_active = true;
	char ev[120];
	snprintf(ev, sizeof(ev), "[TLS %s %s]", c->s.hello.version, c->s.hello.cipher);
	listen_conn_event(c, 'S', ev, strlen(ev));
	if (!strcmp(c->s.tls_how, "implicit")) {
		if (c->o->relay_host ? listen_relay_open(c) : (listen_smtp_greet(c), 0))
			c->done = true;
	}
}

static void start_device_tls(struct listen_conn *c, const char *how)
{
	free(c->s.tls_how);
	c->s.tls_how = xstrdup(how);
	listen_tls_watch(c->dev.ssl, &c->s.hello);
}

static struct listen_conn *accept_one(int lfd, const struct listen_opts *o, SSL_CTX *srv, SSL_CTX *cli, int id)
{
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	struct listen_conn *c = xcalloc(1, sizeof(*c));
	c->o = o;
	c->srv_ctx = srv;
	c->cli_ctx = cli;
	listen_io_init(&c->dev, fd);
	listen_io_init(&c->up, -1);
	c->s.id = id;
	c->s.t_start_ms = c->last_ms = clock_ms();
	c->s.tls_how = xstrdup("none");
	peer_name(fd, c->s.peer, sizeof(c->s.peer));
	char ev[100];
	snprintf(ev, sizeof(ev), "[connection from %s]", c->s.peer);
	listen_conn_event(c, 'S', ev, strlen(ev));
	if (o->tls == LISTEN_TLS_IMPLICIT) {
		listen_io_start_tls(&c->dev, srv, 1, NULL, false);
		start_device_tls(c, "implicit");
	} else if (o->relay_host ? listen_relay_open(c) : (listen_smtp_greet(c), 0)) {
		c->done = true;
	}
	return c;
}

static void finish(struct listen_conn *c)
{
	listen_io_flush(&c->dev);
	listen_io_close(&c->dev);
	listen_io_close(&c->up);
	if (c->keep)
		fclose(c->keep);
	if (c->st == LS_DATA)
		listen_mime_free(&c->mime);
	c->s.t_end_ms = clock_ms();
	listen_conn_end(c, "closed");
	if (c->o->on_session)
		c->o->on_session(c->o->user, &c->s);
	listen_session_free(&c->s);
	free(c);
}

/* Bytes TLS has decrypted already: poll() cannot see them on the socket. */
static bool buffered(const struct listen_io *io)
{
	return io->fd >= 0 && io->ssl && !io->handshaking && SSL_has_pending(io->ssl);
}

/* Reads and handles input until the connection has nothing more for now (the input buffer is
 * 64 KiB; TLS may hold more than one read's worth). */
static void drain(struct listen_conn *c, struct listen_io *io, void (*handle)(struct listen_conn *))
{
	for (;;) {
		long n = listen_io_read(io);
		size_t before = io->in_len;
		if (!n && !before)
			return;
		handle(c);
		if (!n && io->in_len == before)
			return;
		if (c->starttls_pending || c->closing || io->eof)
			return;
		/* relay: stop reading the device while 1 MiB waits for the server */
		if (io == &c->dev && c->up.fd >= 0 && c->up.out.len - c->up.out_off > (1u << 20))
			return;
	}
}

/* One poll round's work for a connection. */
static void service(struct listen_conn *c, short dev_ev, short up_ev)
{
	if (dev_ev || buffered(&c->dev)) {
		c->last_ms = clock_ms();
		if (c->dev.handshaking) {
			device_tls(c);
		} else {
			listen_io_flush(&c->dev);
			drain(c, &c->dev, c->o->relay_host ? listen_relay_device_input : listen_smtp_input);
		}
	}
	if ((up_ev || buffered(&c->up)) && c->up.fd >= 0) {
		listen_io_flush(&c->up);
		drain(c, &c->up, listen_relay_upstream_input);
		if (c->up.eof) {
			listen_conn_end(c, "server closed");
			c->closing = true;
		}
	}
	if (c->starttls_pending && !listen_io_pending(&c->dev)) {
		c->starttls_pending = false;
		listen_io_start_tls(&c->dev, c->srv_ctx, 1, NULL, false);
		start_device_tls(c, "starttls");
	}
	if (c->dev.eof && !c->done) {
		listen_conn_end(c, c->st == LS_DATA ? "client closed during DATA" : "client closed");
		c->done = true;
	}
	if (c->closing && !listen_io_pending(&c->dev))
		c->done = true;
}

static void idle_check(struct listen_conn *c, int idle_s)
{
	if (c->done || clock_ms() - c->last_ms < idle_s * 1000.0)
		return;
	listen_conn_end(c, "idle timeout");
	if (!c->dev.handshaking) {
		const char *r = "421 4.4.2 Idle timeout, closing connection\r\n";
		listen_conn_event(c, 'S', r, strlen(r) - 2);
		listen_io_send(&c->dev, r, strlen(r));
	}
	c->done = true;
}

struct loop {
	int lfd;
	struct listen_conn *conns[MAX_CONNS];
	int nconns, accepted, finished;
};

/* Polls once; returns -1 when poll failed other than by a signal. */
static int round_once(struct loop *L, const struct listen_opts *o, SSL_CTX *srv, SSL_CTX *cli)
{
	struct pollfd p[1 + 2 * MAX_CONNS];
	int np = 0;
	bool can_accept = L->accepted < o->sessions && L->nconns < MAX_CONNS;
	p[np++] = (struct pollfd){can_accept ? L->lfd : -1, POLLIN, 0};
	for (int i = 0; i < L->nconns; i++) {
		p[np++] = (struct pollfd){L->conns[i]->dev.fd, listen_io_events(&L->conns[i]->dev), 0};
		p[np++] = (struct pollfd){L->conns[i]->up.fd, listen_io_events(&L->conns[i]->up), 0};
	}
	int wait = 200;
	for (int i = 0; i < L->nconns; i++) {
		const struct listen_conn *c = L->conns[i];
		bool backlog = c->up.fd >= 0 && c->up.out.len - c->up.out_off > (1u << 20);
		if ((buffered(&c->dev) && !backlog) || buffered(&c->up))
			wait = 0;
	}
	int r = poll(p, (nfds_t)np, wait);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < L->nconns; i++) {
		struct listen_conn *c = L->conns[i];
		service(c, p[1 + 2 * i].revents, p[2 + 2 * i].revents);
		idle_check(c, o->idle_s);
	}
	for (int i = 0; i < L->nconns;) {
		if (!L->conns[i]->done) {
			i++;
			continue;
		}
		finish(L->conns[i]);
		L->conns[i] = L->conns[--L->nconns];
		L->finished++;
	}
	if (can_accept && (p[0].revents & POLLIN)) {
		struct listen_conn *c = accept_one(L->lfd, o, srv, cli, L->accepted + 1);
		if (c) {
			L->conns[L->nconns++] = c;
			L->accepted++;
		}
	}
	return 0;
}

static int make_ctxs(const struct listen_opts *o, SSL_CTX **srv, SSL_CTX **cli, char *err, size_t errsz)
{
	*srv = *cli = NULL;
	if (o->tls != LISTEN_TLS_NONE &&
	    !(*srv = listen_tls_server_ctx(o->cert, o->key, o->bind, err, errsz)))
		return -1;
	if (o->relay_host && o->relay_tls != LISTEN_TLS_NONE &&
	    !(*cli = listen_tls_client_ctx(o->relay_cafile, o->relay_insecure, err, errsz))) {
		SSL_CTX_free(*srv);
		return -1;
	}
	return 0;
}

int listen_run(const struct listen_opts *o, char *err, size_t errsz)
{
	struct loop L = {0};
	SSL_CTX *srv, *cli;
	int port;
	signal(SIGPIPE, SIG_IGN);
	if (make_ctxs(o, &srv, &cli, err, errsz))
		return -1;
	if ((L.lfd = bind_socket(o, &port, err, errsz)) < 0) {
		SSL_CTX_free(srv);
		SSL_CTX_free(cli);
		return -1;
	}
	if (o->on_ready)
		o->on_ready(o->user, o->bind, port);
	double end = o->duration_s ? clock_ms() + o->duration_s * 1000.0 : 0;
	while (!stop_flag && (L.finished < o->sessions || L.nconns)) {
		if (end && clock_ms() > end)
			break;
		if (round_once(&L, o, srv, cli))
			break;
	}
	for (int i = 0; i < L.nconns; i++) {
		listen_conn_end(L.conns[i], stop_flag ? "listener stopped" : "time limit (--duration)");
		finish(L.conns[i]);
	}
	close(L.lfd);
	SSL_CTX_free(srv);
	SSL_CTX_free(cli);
	return L.accepted;
}
