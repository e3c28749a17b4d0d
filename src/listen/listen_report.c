/* listen/listen_report.c — a recorded session as terminal text and Markdown, plus the helpdesk
 * notes both share (and the JSON carries); see listen_report.h. */
#include <stdlib.h>
#include <string.h>

#include "listen/listen_report.h"
#include "util/text.h"

void listen_report_pwchars(const struct listen_auth *a, char *out, size_t n)
{
	const struct { bool on; const char *name; } f[] = {
		{a->pass_nonascii, "non-ASCII"}, {a->pass_space, "space"}, {a->pass_quote, "quote"},
		{a->pass_percent, "'%'"}, {a->pass_plus, "'+'"}, {a->pass_amp, "'&'"},
		{a->pass_backslash, "'\\'"}, {a->pass_hash, "'#'"},
	};
	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		if (f[i].on)
			snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? ", " : "", f[i].name);
}

static bool old_tls(const char *v)
{
	return !strcmp(v, "TLSv1.0") || !strcmp(v, "TLSv1.1") || !strcmp(v, "SSLv3");
}

void listen_report_notes(const struct listen_session *s, struct strlist *l)
{
	char pc[120];
	if (s->hello.seen && old_tls(s->hello.max))
		strlist_add_owned(l, xasprintf("The device offered %s at most. Microsoft 365, Google and most "
			"providers require TLS 1.2: update the device's firmware or enable TLS 1.2 in its "
			"security settings, or send through a local relay that accepts %s.",
			s->hello.max, s->hello.max));
	if (s->hello.error)
		strlist_add_owned(l, xasprintf("The TLS handshake failed (%s): the device may not accept "
			"this certificate or these versions; look at its certificate-verification setting.",
			s->hello.error));
	for (int i = 0; i < s->nauths; i++) {
		listen_report_pwchars(&s->auths[i], pc, sizeof(pc));
		if (*pc)
			strlist_add_owned(l, xasprintf("The password the device sent holds %s: printers often "
				"store or encode such characters wrongly. If the login fails at the real "
				"server, try a password without them.", pc));
		if (s->auths[i].pass_len == 0)
			strlist_add(l, "The device sent an empty password: its SMTP password field is blank.");
	}
	if (!s->nauths && s->nmsgs)
		strlist_add(l, "The device did not log in (no AUTH): a server that requires "
			       "authentication will refuse it; turn SMTP authentication on in the device.");
}

static void text_auth(FILE *out, const struct listen_auth *a)
{
	char pc[120];
	listen_report_pwchars(a, pc, sizeof(pc));
	fprintf(out, "  AUTH           %s, user \"%s\"", a->mech, a->user ? a->user : "");
	if (a->pass_len >= 0)
		fprintf(out, ", password %d characters%s%s", a->pass_len, *pc ? " with " : "", pc);
	fprintf(out, "\n                 -> %s\n", a->reply ? a->reply : "(no reply: the device gave up)");
}

static void text_msg(FILE *out, const struct listen_msg *m, int n)
{
	char hs[32];
	fprintf(out, "  Message %-6d MAIL FROM:<%s>%s%s -> %s\n", n, m->mail_from ? m->mail_from : "",
		m->mail_params ? " " : "", m->mail_params ? m->mail_params : "",
		m->mail_reply ? m->mail_reply : "-");
	for (size_t i = 0; i < m->rcpt.n; i++)
		fprintf(out, "                 RCPT TO:<%s> -> %s\n", m->rcpt.v[i], m->rcpt_replies.v[i]);
	if (!m->data_started)
		return;
	text_human_size(hs, sizeof(hs), m->size);
	fprintf(out, "                 size %lld bytes (%s)%s -> %s\n", m->size, hs,
		m->data_done ? "" : ", incomplete", m->data_reply ? m->data_reply : "-");
	const char *h[][2] = {{"Subject", m->subject}, {"From", m->from}, {"To", m->to},
			      {"Date", m->date}, {"Content-Type", m->content_type},
			      {"MIME-Version", m->mime_version}, {"X-Mailer", m->x_mailer}};
	for (size_t i = 0; i < ARRAY_SIZE(h); i++)
		if (h[i][1])
			fprintf(out, "                 %s: %s\n", h[i][0], h[i][1]);
	for (int i = 0; i < m->nparts; i++) {
		const struct listen_part *p = &m->parts[i];
		text_human_size(hs, sizeof(hs), p->decoded);
		fprintf(out, "                 part: %s%s%s%s, %s (%lld bytes%s%s)\n", p->type,
			p->name ? " \"" : "", p->name ? p->name : "", p->name ? "\"" : "", hs, p->decoded,
			p->encoding ? ", " : "", p->encoding ? p->encoding : "");
	}
	if (m->parts_total > m->nparts)
		fprintf(out, "                 (%d more parts not listed)\n", m->parts_total - m->nparts);
	if (m->kept)
		fprintf(out, "                 kept in %s\n", m->kept);
}

static void text_tls(FILE *out, const struct listen_session *s)
{
	const struct listen_hello *h = &s->hello;
	fprintf(out, "  TLS            %s", s->tls_how);
	if (*h->version)
		fprintf(out, ": negotiated %s %s", h->version, h->cipher);
	fputc('\n', out);
	if (!h->seen)
		return;
	fprintf(out, "  ClientHello    up to %s (record version %s), SNI %s\n", h->max, h->legacy,
		h->sni ? h->sni : "(none)");
	if (h->versions.n) {
		fputs("                 versions:", out);
		for (size_t i = 0; i < h->versions.n; i++)
			fprintf(out, " %s", h->versions.v[i]);
		fputc('\n', out);
	}
	fprintf(out, "                 %zu cipher suites:", h->ciphers.n);
	for (size_t i = 0; i < h->ciphers.n; i++)
		fprintf(out, "%s%s", i % 4 ? " " : "\n                   ", h->ciphers.v[i]);
	fputc('\n', out);
	if (h->error)
		fprintf(out, "                 handshake failed: %s\n", h->error);
}

void listen_report_text(FILE *out, const struct listen_session *s, bool transcript)
{
	fprintf(out, "Session %d from %s (%.1f s, ended: %s)\n", s->id, s->peer,
		(s->t_end_ms - s->t_start_ms) / 1000.0, s->end ? s->end : "?");
	if (s->upstream)
		fprintf(out, "  Relayed to     %s\n", s->upstream);
	fprintf(out, "  %-14s %s\n", s->helo ? "HELO name" : "EHLO name", s->ehlo ? s->ehlo : "(none sent)");
	text_tls(out, s);
	for (int i = 0; i < s->nauths; i++)
		text_auth(out, &s->auths[i]);
	for (int i = 0; i < s->nmsgs; i++)
		text_msg(out, &s->msgs[i], i + 1);
	if (s->fail_stage)
		fprintf(out, "  Answered       the chosen reply at stage %s\n", s->fail_stage);
	struct strlist notes = {0};
	listen_report_notes(s, &notes);
	for (size_t i = 0; i < notes.n; i++)
		fprintf(out, "  Note: %s\n", notes.v[i]);
	strlist_free(&notes);
	if (transcript) {
		fputs("  Transcript (passwords and AUTH exchanges redacted):\n", out);
		for (size_t i = 0; i < s->events.n; i++)
			fprintf(out, "    %s\n", s->events.v[i]);
	}
	fputc('\n', out);
}

static void md_row(FILE *out, const char *k, const char *v)
{
	struct buf b = {0};
	text_md_escape(&b, v ? v : "");
	fprintf(out, "| %s | %s |\n", k, buf_str(&b));
	buf_free(&b);
}

static void md_msgs(FILE *out, const struct listen_session *s)
{
	for (int i = 0; i < s->nmsgs; i++) {
		const struct listen_msg *m = &s->msgs[i];
		char *v = xasprintf("<%s> %s → %s", m->mail_from ? m->mail_from : "",
				    m->mail_params ? m->mail_params : "", m->mail_reply ? m->mail_reply : "-");
		md_row(out, "MAIL FROM", v);
		free(v);
		for (size_t r = 0; r < m->rcpt.n; r++) {
			v = xasprintf("<%s> → %s", m->rcpt.v[r], m->rcpt_replies.v[r]);
			md_row(out, "RCPT TO", v);
			free(v);
		}
		if (!m->data_started)
			continue;
		v = xasprintf("%lld bytes → %s; Subject: %s; X-Mailer: %s", m->size,
			      m->data_reply ? m->data_reply : "-", m->subject ? m->subject : "-",
			      m->x_mailer ? m->x_mailer : "-");
		md_row(out, "Message", v);
		free(v);
		for (int p = 0; p < m->nparts; p++) {
			v = xasprintf("%s %s %lld bytes", m->parts[p].type, m->parts[p].name ? m->parts[p].name : "",
				      m->parts[p].decoded);
			md_row(out, "Part", v);
			free(v);
		}
	}
}

void listen_report_md(FILE *out, const struct listen_session *s, bool transcript)
{
	char pc[120];
	fprintf(out, "## Session %d\n\n| | |\n|---|---|\n", s->id);
	md_row(out, "Device", s->peer);
	md_row(out, "Ended", s->end);
	md_row(out, s->helo ? "HELO" : "EHLO", s->ehlo);
	char *tls = xasprintf("%s %s %s; offered up to %s; SNI %s", s->tls_how, s->hello.version,
			      s->hello.cipher, s->hello.seen ? s->hello.max : "-", s->hello.sni ? s->hello.sni : "-");
	md_row(out, "TLS", tls);
	free(tls);
	for (int i = 0; i < s->nauths; i++) {
		const struct listen_auth *a = &s->auths[i];
		listen_report_pwchars(a, pc, sizeof(pc));
		char *v = xasprintf("%s user %s, password %d characters %s → %s", a->mech, a->user ? a->user : "",
				    a->pass_len, pc, a->reply ? a->reply : "-");
		md_row(out, "AUTH", v);
		free(v);
	}
	md_msgs(out, s);
	struct strlist notes = {0};
	listen_report_notes(s, &notes);
	for (size_t i = 0; i < notes.n; i++)
		md_row(out, "Note", notes.v[i]);
	strlist_free(&notes);
	if (transcript) {
		fputs("\n```\n", out);
		for (size_t i = 0; i < s->events.n; i++)
			fprintf(out, "%s\n", s->events.v[i]);
		fputs("```\n", out);
	}
	fputc('\n', out);
}
