/* listen/listen_smtp.c — the capture server: answers a device's SMTP session (accepting
 * everything, or failing at the chosen stage with the chosen reply) and records what it sends.
 * Commands are read a line at a time from the connection buffer; lines over 1000 bytes get 500. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "listen/listen_parse.h"
#include "listen/listen_server.h"
#include "util/text.h"

#define DATA_CHUNK 8192

/* Sends reply lines ('\n'-separated, each with or without its code), logging each line. */
static void send_lines(struct listen_conn *c, const char *r)
{
	char code[4] = "250";
	if (strlen(r) >= 3)
		memcpy(code, r, 3);
	struct buf b = {0};
	const char *p = r;
	while (*p) {
		size_t n = strcspn(p, "\n");
		const char *t = p;
		size_t tn = n;
		if (tn >= 3 && !memcmp(t, code, 3) && (tn == 3 || t[3] == ' ' || t[3] == '-')) {
			t += tn > 3 ? 4 : 3;
			tn -= tn > 3 ? 4 : 3;
		}
		bool last = !p[n] || !p[n + 1];
		size_t start = b.len;
		buf_printf(&b, "%s%c%.*s", code, last ? ' ' : '-', (int)tn, t);
		listen_conn_event(c, 'S', b.data + start, b.len - start);
		buf_puts(&b, "\r\n");
		p += n + (p[n] ? 1 : 0);
	}
	listen_io_send(&c->dev, b.data, b.len);
	buf_free(&b);
	if (!strncmp(code, "421", 3))
		c->closing = true;
}

/* Replies at stage st: the chosen failure when st is the --reply-at stage, else ok.
 * Returns 1 when the chosen reply was a failure (4xx/5xx), else 0. *used gets the reply text. */
static int answer(struct listen_conn *c, enum stage st, const char *ok, char **used)
{
	const char *r = ok;
	if (c->o->reply && c->o->reply_stage == st) {
		r = c->o->reply;
		if (!c->s.fail_stage)
			c->s.fail_stage = xstrdup(stage_name(st));
	}
	send_lines(c, r);
	if (used) {
		free(*used);
		*used = text_sanitize(r, 500, 1);
	}
	return r[0] == '4' || r[0] == '5';
}

void listen_smtp_greet(struct listen_conn *c)
{
	char ok[200];
	snprintf(ok, sizeof(ok), "220 %s ESMTP mfpdoctor listen", c->o->hostname);
	answer(c, STAGE_CONNECT, ok, NULL);
}

static void ehlo_reply(struct listen_conn *c, bool helo)
{
	struct buf b = {0};
	buf_printf(&b, "250-%s", c->o->hostname);
	if (!helo) {
		buf_printf(&b, "\nSIZE %lld\n8BITMIME\nENHANCEDSTATUSCODES", c->o->max_size);
		if (c->o->tls == LISTEN_TLS_STARTTLS && !c->tls_active)
			buf_puts(&b, "\nSTARTTLS");
		buf_puts(&b, "\nAUTH PLAIN LOGIN\nAUTH=PLAIN LOGIN");
		buf_puts(&b, "\nHELP");
	}
	answer(c, c->tls_active && c->o->reply_stage == STAGE_EHLO_AFTER_TLS ? STAGE_EHLO_AFTER_TLS : STAGE_EHLO,
	       b.data, NULL);
	buf_free(&b);
}

static void cmd_ehlo(struct listen_conn *c, const struct listen_cmd *k, bool helo)
{
	free(c->s.ehlo);
	c->s.ehlo = text_sanitize_n(k->arg, k->arglen, 255, 0);
	c->s.helo = helo;
	if (helo) {
		char ok[300];
		snprintf(ok, sizeof(ok), "250 %s", c->o->hostname);
		answer(c, STAGE_EHLO, ok, NULL);
		return;
	}
	ehlo_reply(c, false);
}

static void cmd_starttls(struct listen_conn *c)
{
	if (c->o->tls != LISTEN_TLS_STARTTLS || c->tls_active) {
		send_lines(c, "454 4.7.0 TLS not available");
		return;
	}
	if (!answer(c, STAGE_STARTTLS, "220 2.0.0 Ready to start TLS", NULL))
		c->starttls_pending = true;
}

static struct listen_auth *new_auth(struct listen_conn *c, const char *mech, size_t n)
{
	if (c->s.nauths < (int)ARRAY_SIZE(c->s.auths))
		c->s.nauths++;
	struct listen_auth *a = &c->s.auths[c->s.nauths - 1];
	free(a->mech);
	free(a->user);
	free(a->reply);
	memset(a, 0, sizeof(*a));
	a->mech = text_sanitize_n(mech, n, 40, 0);
	for (char *p = a->mech; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	a->pass_len = -1;
	return a;
}

static void auth_final(struct listen_conn *c)
{
	c->st = LS_CMD;
	answer(c, STAGE_AUTH, "235 2.7.0 Authentication successful", &c->auth->reply);
}

static void auth_fail(struct listen_conn *c, const char *r)
{
	c->st = LS_CMD;
	send_lines(c, r);
	free(c->auth->reply);
	c->auth->reply = xstrdup(r);
}

static void cmd_auth(struct listen_conn *c, const struct listen_cmd *k)
{
	size_t ml = strcspn(k->arg, " ");
	if (ml > k->arglen)
		ml = k->arglen;
	const char *ir = ml < k->arglen ? k->arg + ml + 1 : NULL;
	size_t irn = ir ? k->arglen - ml - 1 : 0;
	c->auth = new_auth(c, k->arg, ml);
	char *ev = xasprintf("AUTH %s%s", c->auth->mech, ir ? " [redacted]" : "");
	listen_conn_event(c, 'C', ev, strlen(ev));
	free(ev);
	if (!strcmp(c->auth->mech, "PLAIN")) {
		if (!ir) {
			c->st = LS_AUTH_PLAIN;
			send_lines(c, "334 ");
		} else if (listen_auth_plain(c->auth, ir, irn)) {
			auth_fail(c, "501 5.5.2 Cannot decode the AUTH PLAIN response");
		} else {
			auth_final(c);
		}
	} else if (!strcmp(c->auth->mech, "LOGIN")) {
		if (ir && listen_auth_login(c->auth, ir, irn, 0)) {
			auth_fail(c, "501 5.5.2 Cannot decode the user name");
			return;
		}
		c->st = ir ? LS_AUTH_PASS : LS_AUTH_USER;
		send_lines(c, ir ? "334 UGFzc3dvcmQ6" : "334 VXNlcm5hbWU6");
	} else {
		auth_fail(c, "504 5.5.4 Unrecognized authentication type");
	}
}

/* A line answering a 334 challenge: never logged, only decoded. */
static void auth_payload(struct listen_conn *c, const char *line, size_t n)
{
	listen_conn_event(c, 'C', "[redacted]", 10);
	if (n == 1 && line[0] == '*') {
		auth_fail(c, "501 5.0.0 Authentication cancelled");
		return;
	}
	if (c->st == LS_AUTH_USER) {
		if (listen_auth_login(c->auth, line, n, 0)) {
			auth_fail(c, "501 5.5.2 Cannot decode the user name");
			return;
		}
		c->st = LS_AUTH_PASS;
		send_lines(c, "334 UGFzc3dvcmQ6");
		return;
	}
	int rc = c->st == LS_AUTH_PLAIN ? listen_auth_plain(c->auth, line, n)
					 : listen_auth_login(c->auth, line, n, 1);
	if (rc)
		auth_fail(c, "501 5.5.2 Cannot decode the AUTH response");
	else
		auth_final(c);
}

static void cmd_mail(struct listen_conn *c, const struct listen_cmd *k)
{
	char *addr, *params;
	if (listen_path_parse(k->arg, k->arglen, "FROM:", &addr, &params)) {
		send_lines(c, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	struct listen_msg *m = c->msg = listen_session_new_msg(&c->s);
	m->mail_from = addr;
	m->mail_params = params;
	if (listen_param_size(params) > c->o->max_size) {
		send_lines(c, "552 5.3.4 Message size exceeds fixed limit");
		m->mail_reply = xstrdup("552 5.3.4 Message size exceeds fixed limit");
		return;
	}
	answer(c, STAGE_MAIL_FROM, "250 2.1.0 Ok", &m->mail_reply);
}

static void cmd_rcpt(struct listen_conn *c, const struct listen_cmd *k)
{
	char *addr, *params;
	if (!c->msg) {
		send_lines(c, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (listen_path_parse(k->arg, k->arglen, "TO:", &addr, &params)) {
		send_lines(c, "501 5.5.4 Syntax: RCPT TO:<address>");
		return;
	}
	char *used = NULL;
	answer(c, STAGE_RCPT_TO, "250 2.1.5 Ok", &used);
	if (c->msg->rcpt.n < 100) {
		strlist_add_owned(&c->msg->rcpt, addr);
		strlist_add_owned(&c->msg->rcpt_replies, used);
	} else {
		free(addr);
		free(used);
	}
	free(params);
}

static void cmd_data(struct listen_conn *c)
{
	if (!c->msg || !c->msg->rcpt.n) {
		send_lines(c, c->msg ? "554 5.5.1 Error: no valid recipients" : "503 5.5.1 Error: need MAIL command");
		return;
	}
	c->msg->data_started = true;
	if (answer(c, STAGE_DATA, "354 End data with <CR><LF>.<CR><LF>", NULL))
		return;
	listen_smtp_data_begin(c);
	c->st = LS_DATA;
}

static void command(struct listen_conn *c, const char *line, size_t n)
{
	struct listen_cmd k;
	if (listen_cmd_parse(line, n, &k)) {
		listen_conn_event(c, 'C', line, n);
		send_lines(c, "500 5.5.2 Error: bad syntax");
		return;
	}
	if (strcmp(k.verb, "AUTH") != 0)
		listen_conn_event(c, 'C', line, n);
	if (!strcmp(k.verb, "EHLO") || !strcmp(k.verb, "HELO"))
		cmd_ehlo(c, &k, k.verb[0] == 'H');
	else if (!strcmp(k.verb, "STARTTLS"))
		cmd_starttls(c);
	else if (!strcmp(k.verb, "AUTH"))
		cmd_auth(c, &k);
	else if (!strcmp(k.verb, "MAIL"))
		cmd_mail(c, &k);
	else if (!strcmp(k.verb, "RCPT"))
		cmd_rcpt(c, &k);
	else if (!strcmp(k.verb, "DATA"))
		cmd_data(c);
	else if (!strcmp(k.verb, "RSET"))
		c->msg = NULL, send_lines(c, "250 2.0.0 Ok");
	else if (!strcmp(k.verb, "NOOP"))
		send_lines(c, "250 2.0.0 Ok");
	else if (!strcmp(k.verb, "VRFY"))
		send_lines(c, "252 2.0.0 Cannot VRFY user");
	else if (!strcmp(k.verb, "QUIT")) {
		answer(c, STAGE_QUIT, "221 2.0.0 Bye", NULL);
		c->closing = true;
		listen_conn_end(c, "QUIT");
	} else
		send_lines(c, "502 5.5.2 Error: command not recognized");
}

void listen_smtp_data_begin(struct listen_conn *c)
{
	listen_mime_init(&c->mime, c->msg);
	c->data_line_start = true;
	if (c->o->keep && !c->keep) {
		char *path = xasprintf("%s/session-%d-msg-%d.eml", c->o->keep, c->s.id, c->s.nmsgs);
		c->keep = fopen(path, "wb");
		if (c->keep) {
			c->msg->kept = path;
		} else {
			char *ev = xasprintf("[--keep: cannot write %s: %s]", path, strerror(errno));
			listen_conn_event(c, 'S', ev, strlen(ev));
			free(ev);
			free(path);
		}
	}
}

/* One line (whole: it ended with LF) or a DATA_CHUNK piece of a longer one, CRLF removed. */
void listen_smtp_data_line(struct listen_conn *c, const char *line, size_t n, bool whole)
{
	if (c->data_line_start && n && line[0] == '.') {
		line++;
		n--;
	}
	c->msg->size += (long long)n + (whole ? 2 : 0);
	if (c->data_line_start || whole)
		listen_mime_line(&c->mime, line, n);
	if (c->keep && c->msg->size <= c->o->max_size) {
		fwrite(line, 1, n, c->keep);
		if (whole)
			fputs("\r\n", c->keep);
	}
	c->data_line_start = whole;
}

void listen_smtp_data_end(struct listen_conn *c)
{
	listen_mime_end(&c->mime);
	listen_mime_free(&c->mime);
	if (c->keep)
		fclose(c->keep);
	c->keep = NULL;
	c->msg->data_done = true;
	c->msg->truncated = c->msg->size > c->o->max_size;
	char sz[80];
	snprintf(sz, sizeof(sz), "[message: %lld bytes]", c->msg->size);
	listen_conn_event(c, 'C', sz, strlen(sz));
}

static void data_input(struct listen_conn *c, const char *line, size_t n, bool whole)
{
	if (whole && c->data_line_start && n == 1 && line[0] == '.') {
		listen_smtp_data_end(c);
		c->st = LS_CMD;
		if (c->msg->truncated) {
			send_lines(c, "552 5.3.4 Message size exceeds fixed limit");
			c->msg->data_reply = xstrdup("552 5.3.4 Message size exceeds fixed limit");
		} else {
			answer(c, STAGE_END_OF_DATA, "250 2.0.0 Ok: queued by mfpdoctor listen", &c->msg->data_reply);
		}
		c->msg = NULL;
		return;
	}
	listen_smtp_data_line(c, line, n, whole);
}

static void one_line(struct listen_conn *c, const char *line, size_t n)
{
	if (c->st == LS_CMD)
		command(c, line, n);
	else
		auth_payload(c, line, n);
}

/* Handles a line that ends at LF (n counts it); returns false to stop reading (STARTTLS). */
static bool line_in(struct listen_conn *c, const char *p, size_t n)
{
	size_t len = n - 1;
	if (len && p[len - 1] == '\r')
		len--;
	if (c->st == LS_DATA) {
		data_input(c, p, len, true);
		return true;
	}
	if (c->discarding || n > LISTEN_MAX_LINE) {
		c->discarding = false;
		listen_conn_event(c, 'C', p, len > 80 ? 80 : len);
		send_lines(c, "500 5.5.2 Line too long");
		return true;
	}
	one_line(c, p, len);
	return !c->starttls_pending && !c->closing;
}

void listen_smtp_input(struct listen_conn *c)
{
	size_t off = 0;
	while (off < c->dev.in_len && !c->closing && !c->starttls_pending) {
		const char *p = c->dev.in + off;
		size_t left = c->dev.in_len - off;
		const char *nl = memchr(p, '\n', left);
		if (nl) {
			off += (size_t)(nl - p) + 1;
			if (!line_in(c, p, (size_t)(nl - p) + 1))
				break;
			continue;
		}
		if (c->st == LS_DATA && left >= DATA_CHUNK) {
			data_input(c, p, left, false);
			off += left;
		} else if (c->st != LS_DATA && left > LISTEN_MAX_LINE) {
			c->discarding = true;
			off += left;
		}
		break;
	}
	listen_io_consume(&c->dev, off);
}
