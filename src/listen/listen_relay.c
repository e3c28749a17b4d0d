/* listen/listen_relay.c — relay mode: the device's session goes, line by line, to the real
 * server and the server's replies come back byte for byte. TLS is separate on each leg: the
 * device's STARTTLS (or implicit TLS) ends here with our certificate; towards the server the relay
 * speaks implicit TLS or does its own EHLO + STARTTLS before the device's EHLO goes up, verifying
 * the server's certificate. The one rewrite: the EHLO reply's STARTTLS line describes the device's
 * leg (offered while that leg is plain and --tls starttls), and CHUNKING is dropped. AUTH payloads are logged as
 * "[redacted]" and every secret in them is registered for redaction as soon as it is seen. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen/listen_parse.h"
#include "listen/listen_server.h"
#include "util/clock.h"
#include "util/redact.h"
#include "util/text.h"

/* Logs each line of a reply block (dir 'U' the server, 'S' ours to the device). */
static void log_lines(struct listen_conn *c, char dir, const char *p, size_t n)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) + 1 : n;
		size_t t = len;
		while (t && (p[t - 1] == '\n' || p[t - 1] == '\r'))
			t--;
		listen_conn_event(c, dir, p, t);
		p += len;
		n -= len;
	}
}

static void say(struct listen_conn *c, const char *line)
{
	listen_conn_event(c, 'S', line, strlen(line));
	listen_io_send(&c->dev, line, strlen(line));
	listen_io_send(&c->dev, "\r\n", 2);
}

static int tcp_connect(const char *host, int port, int timeout_ms, char *err, size_t errsz)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai, *a;
	char ps[8];
	snprintf(ps, sizeof(ps), "%d", port);
	int rc = getaddrinfo(host, ps, &hints, &ai);
	if (rc) {
		snprintf(err, errsz, "cannot resolve %.100s: %s", host, gai_strerror(rc));
		return -1;
	}
	int fd = -1;
	snprintf(err, errsz, "cannot connect to %.100s port %d", host, port);
	for (a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		int cr = connect(fd, a->ai_addr, a->ai_addrlen);
		if (cr && errno != EINPROGRESS) {
			snprintf(err, errsz, "cannot connect to %.100s port %d: %s", host, port, strerror(errno));
			close(fd);
			fd = -1;
		} else if (cr) {
			struct pollfd p = {fd, POLLOUT, 0};
			int e = 0;
			socklen_t el = sizeof(e);
			if (poll(&p, 1, timeout_ms) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) || e) {
				snprintf(err, errsz, "cannot connect to %.100s port %d: %s", host, port,
					 e ? strerror(e) : "timed out");
				close(fd);
				fd = -1;
			}
		}
	}
	freeaddrinfo(ai);
	return fd;
}

/* Sends a line to the server during setup and waits for the whole reply (logged). */
static int setup_cmd(struct listen_conn *c, const char *cmd, int tmo, char *err, size_t errsz)
{
	listen_conn_event(c, 'R', cmd, strlen(cmd));
	listen_io_send(&c->up, cmd, strlen(cmd));
	listen_io_send(&c->up, "\r\n", 2);
	if (listen_io_wait_reply(&c->up, tmo)) {
		snprintf(err, errsz, "the server did not answer %s", cmd);
		return -1;
	}
	size_t n = listen_io_reply_len(&c->up);
	log_lines(c, 'U', c->up.in, n);
	return 0;
}

static int upstream_starttls(struct listen_conn *c, int tmo, char *err, size_t errsz)
{
	char ehlo[300];
	snprintf(ehlo, sizeof(ehlo), "EHLO %s", c->o->hostname);
	if (setup_cmd(c, ehlo, tmo, err, errsz))
		return -1;
	size_t n = listen_io_reply_len(&c->up);
	bool offered = false;
	for (size_t i = 0; i + 12 <= n; i++)
		offered |= (i == 0 || c->up.in[i - 1] == '\n') && !strncasecmp(c->up.in + i + 4, "STARTTLS", 8);
	listen_io_consume(&c->up, n);
	if (!offered) {
		snprintf(err, errsz, "the server does not offer STARTTLS (use --relay-tls none or implicit)");
		return -1;
	}
	if (setup_cmd(c, "STARTTLS", tmo, err, errsz))
		return -1;
	bool ok = c->up.in[0] == '2';
	listen_io_consume(&c->up, listen_io_reply_len(&c->up));
	if (!ok) {
		snprintf(err, errsz, "the server refused STARTTLS");
		return -1;
	}
	if (listen_io_start_tls(&c->up, c->cli_ctx, 0, c->o->relay_host, !c->o->relay_insecure))
		return -1;
	return listen_io_wait_handshake(&c->up, tmo, err, errsz);
}

/* Connects, does the server's TLS, and reads its banner (left in c->up.in). */
static int upstream_setup(struct listen_conn *c, char *err, size_t errsz)
{
	const struct listen_opts *o = c->o;
	int tmo = o->relay_timeout_s * 1000;
	int fd = tcp_connect(o->relay_host, o->relay_port, tmo, err, errsz);
	if (fd < 0)
		return -1;
	listen_io_init(&c->up, fd);
	if (o->relay_tls == LISTEN_TLS_IMPLICIT &&
	    (listen_io_start_tls(&c->up, c->cli_ctx, 0, o->relay_host, !o->relay_insecure) ||
	     listen_io_wait_handshake(&c->up, tmo, err, errsz)))
		return -1;
	if (listen_io_wait_reply(&c->up, tmo)) {
		snprintf(err, errsz, "the server sent no greeting");
		return -1;
	}
	if (o->relay_tls != LISTEN_TLS_STARTTLS)
		return 0;
	/* keep the banner for the device; do the TLS exchange after it */
	size_t bn = listen_io_reply_len(&c->up);
	char *banner = xstrndup(c->up.in, bn);
	listen_io_consume(&c->up, bn);
	int rc = upstream_starttls(c, tmo, err, errsz);
	if (rc == 0) {
		memcpy(c->up.in, banner, bn);
		c->up.in_len = bn;
	}
	free(banner);
	return rc;
}

int listen_relay_open(struct listen_conn *c)
{
	char err[300] = "", ev[400];
	static const char *const how[] = {"plain", "STARTTLS", "implicit TLS"};
	if (upstream_setup(c, err, sizeof(err))) {
		snprintf(ev, sizeof(ev), "[relay: %s]", err);
		listen_conn_event(c, 'S', ev, strlen(ev));
		say(c, "421 4.3.0 mfpdoctor listen: the relay could not reach the server, closing");
		free(c->s.upstream);
		c->s.upstream = xasprintf("%s:%d: %s", c->o->relay_host, c->o->relay_port, err);
		listen_conn_end(c, "server unreachable");
		c->closing = true;
		return 0;
	}
	const char *ver = c->up.ssl ? SSL_get_version(c->up.ssl) : "";
	c->s.upstream = xasprintf("%s:%d (%s%s%s%s)", c->o->relay_host, c->o->relay_port,
				  how[c->o->relay_tls], c->up.ssl ? " " : "", ver,
				  !c->up.ssl ? "" : c->o->relay_insecure ? ", certificate NOT verified" :
				  ", certificate verified");
	snprintf(ev, sizeof(ev), "[relay: connected to %.300s]", c->s.upstream);
	listen_conn_event(c, 'S', ev, strlen(ev));
	listen_relay_upstream_input(c);
	return 0;
}

/* The EHLO reply for the device: the server's lines, STARTTLS describing our leg. */
static void ehlo_forward(struct listen_conn *c, const char *p, size_t n)
{
	struct strlist lines = {0};
	bool add = c->o->tls == LISTEN_TLS_STARTTLS && !c->tls_active;
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) + 1 : n, t = len;
		while (t && (p[t - 1] == '\n' || p[t - 1] == '\r'))
			t--;
		/* STARTTLS is the device leg's; CHUNKING (BDAT) cannot pass a line-based relay */
		if (!(t == 12 && (!strncasecmp(p + 4, "STARTTLS", 8) || !strncasecmp(p + 4, "CHUNKING", 8))))
			strlist_add_owned(&lines, xstrndup(p, t));
		p += len;
		n -= len;
	}
	if (add && lines.n)
		strlist_add_owned(&lines, xasprintf("%.3s STARTTLS", lines.v[0]));
	struct buf b = {0};
	for (size_t i = 0; i < lines.n; i++) {
		if (strlen(lines.v[i]) >= 4)
			lines.v[i][3] = i + 1 < lines.n ? '-' : ' ';
		buf_printf(&b, "%s\r\n", lines.v[i]);
	}
	listen_io_send(&c->dev, b.data ? b.data : "", b.len);
	buf_free(&b);
	strlist_free(&lines);
}

static void pop(struct listen_conn *c, char *verb)
{
	verb[0] = '\0';
	if (!c->npend)
		return;
	snprintf(verb, 16, "%s", c->pending[0]);
	memmove(c->pending[0], c->pending[1], sizeof(c->pending[0]) * (size_t)(c->npend - 1));
	c->npend--;
}

static void push(struct listen_conn *c, const char *verb)
{
	if (c->npend < LISTEN_PENDING)
		snprintf(c->pending[c->npend++], 16, "%s", verb);
}

/* Records what a reply to verb means for the session record and our state. */
static void note_reply(struct listen_conn *c, const char *verb, const char *r, size_t n)
{
	char *first = text_sanitize_n(r, strcspn(r, "\r\n") < n ? strcspn(r, "\r\n") : n, 500, 0);
	if (!strcmp(verb, "AUTH") && c->auth) {
		if (!strncmp(r, "334", 3)) {
			c->st = !strcmp(c->auth->mech, "PLAIN") ? LS_AUTH_PLAIN
			      : !strcmp(c->auth->mech, "LOGIN") && c->auth_step == 0 ? LS_AUTH_USER : LS_AUTH_PASS;
		} else {
			c->st = LS_CMD;
			free(c->auth->reply);
			c->auth->reply = xstrdup(first);
		}
	} else if (!strcmp(verb, "MAIL") && c->msg && !c->msg->mail_reply) {
		c->msg->mail_reply = xstrdup(first);
	} else if (!strcmp(verb, "RCPT") && c->msg) {
		strlist_add(&c->msg->rcpt_replies, first);
	} else if (!strcmp(verb, "DATA") && c->msg && !strncmp(r, "354", 3)) {
		c->msg->data_started = true;
		listen_smtp_data_begin(c);
		c->st = LS_DATA;
	} else if (!strcmp(verb, ".") && c->msg) {
		c->msg->data_reply = xstrdup(first);
		c->msg = NULL;
	} else if (!strncmp(r, "421", 3) || (!strcmp(verb, "QUIT") && r[0] == '2')) {
		c->closing = true;
	}
	free(first);
}

void listen_relay_upstream_input(struct listen_conn *c)
{
	size_t n;
	char verb[16];
	while ((n = listen_io_reply_len(&c->up)) > 0) {
		const char *r = c->up.in;
		log_lines(c, 'U', r, n);
		pop(c, verb);
		if (!strcmp(verb, "EHLO") && !strncmp(r, "250", 3))
			ehlo_forward(c, r, n);
		else
			listen_io_send(&c->dev, r, n);
		note_reply(c, verb, r, n);
		listen_io_consume(&c->up, n);
	}
}

static void forward(struct listen_conn *c, const char *line, size_t n)
{
	listen_io_send(&c->up, line, n);
}

static void relay_auth(struct listen_conn *c, const struct listen_cmd *k)
{
	size_t ml = strcspn(k->arg, " ");
	ml = ml > k->arglen ? k->arglen : ml;
	const char *ir = ml < k->arglen ? k->arg + ml + 1 : NULL;
	size_t irn = ir ? k->arglen - ml - 1 : 0;
	if (c->s.nauths < (int)ARRAY_SIZE(c->s.auths))
		c->s.nauths++;
	c->auth = &c->s.auths[c->s.nauths - 1];
	c->auth->mech = text_sanitize_n(k->arg, ml, 40, 0);
	for (char *p = c->auth->mech; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	c->auth->pass_len = -1;
	c->auth_step = 0;
	if (ir) {
		char *s = xstrndup(ir, irn);
		redact_add_secret(s);
		free(s);
		if (!strcmp(c->auth->mech, "PLAIN"))
			listen_auth_plain(c->auth, ir, irn);
		else if (!strcmp(c->auth->mech, "LOGIN"))
			listen_auth_login(c->auth, ir, irn, 0);
		c->auth_step = 1;
	}
	char *ev = xasprintf("AUTH %s%s", c->auth->mech, ir ? " [redacted]" : "");
	listen_conn_event(c, 'C', ev, strlen(ev));
	free(ev);
	push(c, "AUTH");
}

static void relay_payload(struct listen_conn *c, const char *p, size_t len)
{
	char *s = xstrndup(p, len);
	redact_add_secret(s);
	free(s);
	listen_conn_event(c, 'C', "[redacted]", 10);
	if (c->st == LS_AUTH_PLAIN)
		listen_auth_plain(c->auth, p, len);
	else if (!strcmp(c->auth->mech, "LOGIN"))
		listen_auth_login(c->auth, p, len, c->st == LS_AUTH_PASS);
	c->auth_step++;
	c->st = LS_CMD;
	push(c, "AUTH");
}

static void relay_record(struct listen_conn *c, const struct listen_cmd *k)
{
	char *a, *pr;
	if (!strcmp(k->verb, "EHLO") || !strcmp(k->verb, "HELO")) {
		free(c->s.ehlo);
		c->s.ehlo = text_sanitize_n(k->arg, k->arglen, 255, 0);
		c->s.helo = k->verb[0] == 'H';
	} else if (!strcmp(k->verb, "MAIL") && !listen_path_parse(k->arg, k->arglen, "FROM:", &a, &pr)) {
		c->msg = listen_session_new_msg(&c->s);
		c->msg->mail_from = a;
		c->msg->mail_params = pr;
	} else if (!strcmp(k->verb, "RCPT") && c->msg && !listen_path_parse(k->arg, k->arglen, "TO:", &a, &pr)) {
		strlist_add_owned(&c->msg->rcpt, a);
		free(pr);
	} else if (!strcmp(k->verb, "QUIT")) {
		listen_conn_end(c, "QUIT");
	}
}

/* One command line from the device (p[0..n) ends at LF). Returns false to stop (STARTTLS). */
static bool relay_line(struct listen_conn *c, const char *p, size_t n)
{
	size_t len = n - 1;
	len -= len && p[len - 1] == '\r';
	if (c->st == LS_DATA) {
		forward(c, p, n);
		if (c->data_line_start && len == 1 && p[0] == '.') {
			listen_smtp_data_end(c);
			c->st = LS_CMD;
			push(c, ".");
		} else {
			listen_smtp_data_line(c, p, len, true);
		}
		return true;
	}
	if (c->st != LS_CMD) {
		forward(c, p, n);
		relay_payload(c, p, len);
		return true;
	}
	struct listen_cmd k;
	if (listen_cmd_parse(p, len, &k))
		strcpy(k.verb, "?");
	if (!strcmp(k.verb, "STARTTLS")) {
		listen_conn_event(c, 'C', p, len);
		if (c->o->tls != LISTEN_TLS_STARTTLS || c->tls_active) {
			say(c, "454 4.7.0 TLS not available");
			return true;
		}
		say(c, "220 2.0.0 Ready to start TLS");
		c->starttls_pending = true;
		return false;
	}
	forward(c, p, n);
	if (!strcmp(k.verb, "AUTH"))
		return relay_auth(c, &k), true;
	listen_conn_event(c, 'C', p, len);
	relay_record(c, &k);
	push(c, k.verb);
	return true;
}

void listen_relay_device_input(struct listen_conn *c)
{
	size_t off = 0;
	while (off < c->dev.in_len && !c->starttls_pending) {
		const char *p = c->dev.in + off;
		size_t left = c->dev.in_len - off;
		const char *nl = memchr(p, '\n', left);
		if (nl) {
			off += (size_t)(nl - p) + 1;
			if (!relay_line(c, p, (size_t)(nl - p) + 1))
				break;
			continue;
		}
		if (c->st == LS_DATA && left >= 8192) {
			forward(c, p, left);
			listen_smtp_data_line(c, p, left, false);
			off += left;
		} else if (left > LISTEN_MAX_LINE) {
			say(c, "500 5.5.2 Line too long");
			off += left;
		}
		break;
	}
	listen_io_consume(&c->dev, off);
}
