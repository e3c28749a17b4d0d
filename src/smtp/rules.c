/* smtp/rules.c — from a finished test send to findings: each rule is a small function reading
 * facts (the result and the request) and the knowledge base; no I/O. The traps libcurl and
 * most clients hide (AUTH only after STARTTLS, no common mechanism, silent HELO fallback,
 * EHLO name refused, SIZE exceeded, implicit TLS vs STARTTLS ports, certificate problems)
 * each get a named finding. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/session.h"
#include "smtp/smtp.h"
#include "util/text.h"

#define SRC_RFC5321 "RFC 5321 (SMTP) https://www.rfc-editor.org/rfc/rfc5321"
#define SRC_RFC3207 "RFC 3207 (STARTTLS) https://www.rfc-editor.org/rfc/rfc3207"
#define SRC_RFC4954 "RFC 4954 (SMTP AUTH) https://www.rfc-editor.org/rfc/rfc4954"
#define SRC_RFC1870 "RFC 1870 (SIZE) https://www.rfc-editor.org/rfc/rfc1870"
#define SRC_RFC8314 "RFC 8314 (implicit TLS for submission) https://www.rfc-editor.org/rfc/rfc8314"
#define SRC_CURL_SMTP "libcurl smtp.c: AUTH skipped when not advertised, EHLO->HELO fallback (docs/smtp.md)"

static const char *stage_human(enum stage s)
{
	switch (s) {
	case STAGE_CONNECT: return "the connection";
	case STAGE_BANNER: return "the greeting (banner)";
	case STAGE_EHLO: return "the EHLO greeting";
	case STAGE_STARTTLS: return "STARTTLS";
	case STAGE_TLS_HANDSHAKE: return "the TLS handshake";
	case STAGE_EHLO_AFTER_TLS: return "the EHLO greeting after TLS";
	case STAGE_AUTH: return "the login (AUTH)";
	case STAGE_MAIL_FROM: return "the sender address (MAIL FROM)";
	case STAGE_RCPT_TO: return "the recipient (RCPT TO)";
	case STAGE_DATA: return "the start of the message (DATA)";
	case STAGE_END_OF_DATA: return "the message";
	case STAGE_QUIT: return "QUIT";
	default: return stage_name(s);
	}
}

static const struct smtp_caps *effective_caps(const struct smtp_result *r)
{
	return r->caps_after.seen ? &r->caps_after : &r->caps_before;
}

static const struct smtp_followup *followup(const struct smtp_result *r, const char *what)
{
	for (size_t i = 0; i < r->nfollowups; i++)
		if (strstr(r->followups[i].what, what))
			return &r->followups[i];
	return NULL;
}

static void explain_failures(struct smtp_result *r)
{
	const char *hint = r->host;
	const struct smtp_step *b = smtp_result_step(r, STAGE_BANNER);
	char *hintbuf = NULL;
	if (b && b->reply.nlines)
		hint = hintbuf = xasprintf("%s %s", r->host ? r->host : "", buf_str(&b->reply.lines));
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct smtp_reply *rep = &r->steps[i].reply;
		if (!rep->complete || rep->code < 400)
			continue;
		r->explanations = xrealloc(r->explanations, (r->nexplanations + 1) * sizeof(*r->explanations));
		struct kb_explanation *e = &r->explanations[r->nexplanations++];
		char *joined = smtp_reply_joined(rep);
		kb_explain_reply(joined, rep->code, rep->enhanced, hint, e);
		free(joined);
	}
	free(hintbuf);
}

static const struct kb_explanation *explanation_for(const struct smtp_result *r, const struct smtp_reply *rep)
{
	for (size_t i = 0; i < r->nexplanations; i++)
		if (r->explanations[i].code == rep->code && strcmp(r->explanations[i].enhanced, rep->enhanced) == 0)
			return &r->explanations[i];
	return NULL;
}

/* What to do when the test failed at stage st without a refusal from the server: never "see the
 * other findings" (there may be none). */
static const char *failure_fix(const struct smtp_result *r, enum stage st)
{
	switch (st) {
	case STAGE_CONNECT:
		return "Check the server name and port on the device (587 for STARTTLS, 465 for SSL/TLS, 25 for relay), "
		       "and whether a firewall or the Internet provider blocks that port from the printer's network.";
	case STAGE_BANNER:
		if (r->tls.established)
			return "The TLS handshake worked but no SMTP greeting followed. Usually the port expects plain "
			       "SMTP/STARTTLS instead (try --tls starttls, or port 587), or a proxy or security appliance "
			       "that terminates TLS holds the connection. Check the port and TLS mode with the mail administrator.";
		return "A server that accepts the connection and then stays silent is usually one of: an SMTP proxy or "
		       "antivirus/firewall that scans outbound mail (it holds the connection while it reaches the real "
		       "server: exclude the printer or port 25/587 from mail scanning), a tarpit or greylisting delay (try "
		       "again later, or with a larger --timeout), another service listening on that port (check the port "
		       "number), or a port that expects SSL/TLS first (port 465: set the device to SSL/TLS, or try --tls implicit).";
	case STAGE_TLS_HANDSHAKE:
		return "Make the device's connection security match the port (SSL/TLS on 465, STARTTLS on 587) and allow "
		       "TLS 1.2; a server that does not answer the handshake may not speak TLS on this port. The TLS "
		       "section of this report shows what was negotiated.";
	case STAGE_STARTTLS:
		return "The server did not start TLS when asked. Use the port where it offers encryption (587 with STARTTLS "
		       "or 465 with SSL/TLS), or ask the administrator to enable STARTTLS on this port.";
	case STAGE_AUTH:
		return "Check the user name (often the full e-mail address), the password and the authentication method "
		       "on the device, and ask the mail administrator whether this account may log in by SMTP.";
	default:
		if (r->step_timeout)
			return "The server stopped answering at this point. Check whether a firewall, antivirus or SMTP "
			       "proxy on the printer's network intercepts mail, try again later, or use a larger --timeout "
			       "if this server is known to be slow; show the conversation (--verbose) to the mail administrator.";
		return "The server (or a device in between) broke off the conversation at this point. Run the test again "
		       "with --verbose and show the conversation to the mail administrator.";
	}
}

/* The run was cut by its time budget: not tested, and said so. */
static void rule_not_tested(struct smtp_result *r)
{
	char title[300];
	snprintf(title, sizeof(title), "Not tested: the run's time budget ran out during %s", stage_human(r->failed_stage));
	struct buf ev = {0};
	buf_printf(&ev, "%s.", r->error ? r->error : "the time budget ran out");
	bool any = false;
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct smtp_step *s = &r->steps[i];
		if (s->done && s->stage != r->failed_stage && (!s->reply.nlines || s->reply.code < 400)) {
			buf_printf(&ev, "%s%s", any ? ", " : " Passed before the cut: ", stage_name(s->stage));
			any = true;
		}
	}
	findings_add(&r->findings, "smtp-not-tested", SEV_WARN, title, buf_str(&ev),
		     "Nothing is known yet about this stage and the ones after it. Run the test again with more time "
		     "(mfpdoctor smtp --budget SECONDS, or a larger --budget for diagnose).", NULL);
	buf_free(&ev);
}

/* A final 334 at AUTH: the server kept challenging and the client gave up. */
static void rule_auth_challenges(struct smtp_result *r, const struct smtp_reply *rep)
{
	const struct smtp_step *a = smtp_result_step(r, STAGE_AUTH);
	struct buf ev = {0};
	int n = a ? a->rounds : 0;
	if (n)
		buf_printf(&ev, "Server reply: %s, after %d answer%s from the client", buf_str(&rep->lines), n, n == 1 ? "" : "s");
	else
		buf_printf(&ev, "Server reply: %s, although the credentials went with the AUTH command", buf_str(&rep->lines));
	if (r->error)
		buf_printf(&ev, "; %s", r->error);
	findings_add(&r->findings, "auth-challenge-loop", SEV_FAIL,
		     "The login (AUTH) never finished: the server kept asking for more (334) and the client gave up",
		     buf_str(&ev),
		     "The server expects a different login exchange than the one used. Select another authentication "
		     "method on the device (LOGIN or PLAIN), check the user name format (often the full e-mail address), "
		     "and ask the mail administrator which method this account supports.",
		     (const char *[]){SRC_RFC4954, NULL});
	buf_free(&ev);
}

static void rule_verdict(const struct smtp_request *q, struct smtp_result *r)
{
	if (r->ok)
		return;
	if (r->budget_exhausted) {
		rule_not_tested(r);
		return;
	}
	char title[300];
	const struct smtp_reply *rep = &r->fail_reply;
	if (rep->complete && rep->code && rep->code < 400 && !rep->malformed) {
		if (r->failed_stage == STAGE_AUTH && rep->code == 334) {
			rule_auth_challenges(r, rep);
			return;
		}
		snprintf(title, sizeof(title), "The test stopped at %s after a %d reply, which is not a refusal",
			 stage_human(r->failed_stage), rep->code);
		struct buf ev = {0};
		buf_printf(&ev, "Server reply: %s%s%s", buf_str(&rep->lines), r->error ? "; " : "", r->error ? r->error : "");
		findings_add(&r->findings, "smtp-failed", SEV_FAIL, title, buf_str(&ev), failure_fix(r, r->failed_stage), NULL);
		buf_free(&ev);
	} else if (rep->complete && rep->code) {
		const struct kb_explanation *e = explanation_for(r, rep);
		snprintf(title, sizeof(title), "The server refused %s: %d%s%s", stage_human(r->failed_stage), rep->code,
			 rep->enhanced[0] ? " " : "", rep->enhanced);
		struct buf ev = {0};
		buf_printf(&ev, "Server reply: %s", buf_str(&rep->lines));
		if (rep->mixed_codes)
			buf_printf(&ev, "\nSuspicious reply: its lines carry different codes (first %d, final %d); the final "
				   "line decides (RFC 5321 §4.2.1)", rep->first_code, rep->code);
		if (e && e->meaning)
			buf_printf(&ev, "\nMeaning%s%s: %s", e->provider ? " for " : "", e->provider ? e->provider : "", e->meaning);
		const char *fix = e && e->fix ? e->fix
				  : rep->code < 500 ? "A temporary refusal (4xx): try again later; if it persists, ask the mail administrator what the reply means."
						    : "Ask the mail administrator what this reply means for this account and device.";
		const char *srcs[] = {SRC_RFC5321, NULL};
		struct finding *f = findings_add(&r->findings, "smtp-refused", SEV_FAIL, title, buf_str(&ev), fix,
						 e && e->sources.n ? NULL : srcs);
		for (size_t i = 0; e && i < e->sources.n; i++)
			strlist_add(&f->sources, e->sources.v[i]);
		buf_free(&ev);
	} else if (findings_worst(&r->findings) < SEV_FAIL) {
		/* only when no other rule named the cause */
		if (r->step_timeout)
			snprintf(title, sizeof(title), "The server did not answer in time at %s", stage_human(r->failed_stage));
		else if (rep->malformed)
			snprintf(title, sizeof(title), "The server answered something that is not SMTP at %s", stage_human(r->failed_stage));
		else
			snprintf(title, sizeof(title), "The test send failed at %s", stage_human(r->failed_stage));
		struct buf ev = {0};
		buf_puts(&ev, r->error ? r->error : (r->curl_error ? r->curl_error : "no details"));
		if (rep->nlines)
			buf_printf(&ev, "; server sent: %s", buf_str(&rep->lines));
		findings_add(&r->findings, "smtp-failed", SEV_FAIL, title, buf_str(&ev), failure_fix(r, r->failed_stage), NULL);
		buf_free(&ev);
	}
	(void)q;
}

static const char *step_what(const struct smtp_step *s)
{
	return s->command ? s->command : stage_name(s->stage);
}

/* Replies that break the protocol without failing the test: mixed codes, oversized replies. */
static void rule_reply_quality(struct smtp_result *r)
{
	if (r->reply_too_large) {
		char title[300];
		snprintf(title, sizeof(title), "The server's reply at %s was too large to read (more than %d KiB)",
			 stage_human(r->cut_stage), SESSION_MAX_REPLY_BYTES / 1024);
		findings_add(&r->findings, "reply-oversized", SEV_FAIL, title, r->error ? r->error : "",
			     "No SMTP server sends replies this large (RFC 5321 allows 512 bytes per line, real replies are a "
			     "few lines): the port probably belongs to another service, or something in between is "
			     "misbehaving. Check the server name and port on the device; a printer will fail here too.",
			     (const char *[]){SRC_RFC5321, NULL});
	}
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct smtp_step *s = &r->steps[i];
		const struct smtp_reply *rep = &s->reply;
		char title[300];
		/* the refusal's own finding already says so for the failing reply */
		bool is_refusal = !r->ok && rep->code >= 400 && s == smtp_result_step(r, r->failed_stage);
		if (rep->mixed_codes && !is_refusal && !findings_get(&r->findings, "reply-mixed-codes")) {
			snprintf(title, sizeof(title), "The server's reply to %.80s mixes reply codes (%d, then %d)", step_what(s),
				 rep->first_code, rep->code);
			struct buf ev = {0};
			buf_printf(&ev, "Server reply: %s", buf_str(&rep->lines));
			findings_add(&r->findings, "reply-mixed-codes", SEV_WARN, title, buf_str(&ev),
				     "Every line of a multi-line reply must carry the same code; this test decided by the final "
				     "line (RFC 5321 §4.2.1), a device that reads the first line may decide otherwise. The server "
				     "(or an SMTP proxy in between) is broken or suspicious: report it to the mail administrator.",
				     (const char *[]){SRC_RFC5321, NULL});
			buf_free(&ev);
		}
		char *note = smtp_reply_cut_note(rep);
		if (note && !findings_get(&r->findings, "reply-oversized")) {
			snprintf(title, sizeof(title), "The server's reply to %.80s was oversized: %s", step_what(s), note);
			struct buf ev = {0};
			buf_printf(&ev, "%d lines received; mfpdoctor keeps at most %d lines of %d bytes per reply.",
				   rep->total_lines, SMTP_REPLY_MAX_LINES, SMTP_REPLY_MAX_LINE);
			findings_add(&r->findings, "reply-oversized", SEV_WARN, title, buf_str(&ev),
				     "A real SMTP server's replies are a few short lines (RFC 5321 allows 512 bytes per line); a "
				     "printer's small buffers may choke on this. Check that the port really belongs to the mail "
				     "server, and report the reply to the mail administrator.", (const char *[]){SRC_RFC5321, NULL});
			buf_free(&ev);
		}
		free(note);
	}
}

static void rule_dns_connect(const struct smtp_request *q, struct smtp_result *r)
{
	char ev[600];
	if (r->curl_code == 6) {
		snprintf(ev, sizeof(ev), "libcurl: %s", r->curl_error ? r->curl_error : "could not resolve host");
		const char *s[] = {"libcurl CURLE_COULDNT_RESOLVE_HOST", NULL};
		char t[400];
		snprintf(t, sizeof(t), "The SMTP server name %s does not resolve in DNS", r->host);
		findings_add(&r->findings, "dns-unresolved", SEV_FAIL, t, ev,
			     "Check the spelling of the SMTP server name on the device and that the device's DNS servers "
			     "can resolve it (the device needs working DNS settings). Test by entering the name into nslookup "
			     "on a PC in the same network.", s);
	} else if (r->curl_code == 7 || (r->step_timeout && r->cut_stage == STAGE_CONNECT)) {
		snprintf(ev, sizeof(ev), "%s", r->error ? r->error : "no connection");
		char t[400];
		snprintf(t, sizeof(t), "No connection to %s port %ld", r->host, r->port_used);
		findings_add(&r->findings, "connect-failed", SEV_FAIL, t, ev,
			     "Check the server name and port on the device (587 for STARTTLS, 465 for SSL/TLS, 25 for relay), "
			     "and whether a firewall or the Internet provider blocks that port from the printer's network.", NULL);
	}
	(void)q;
}

static void rule_port_mode(const struct smtp_request *q, struct smtp_result *r)
{
	const struct smtp_followup *f = followup(r, "implicit TLS");
	char t[300], fix[500];
	const char *src[] = {SRC_RFC8314, SRC_RFC3207, NULL};
	if (f && f->positive) {
		snprintf(t, sizeof(t), "Port %ld expects SSL/TLS (implicit TLS); the test used %s", r->port_used,
			 q->tls == TLS_NONE ? "no encryption" : "STARTTLS");
		snprintf(fix, sizeof(fix), "On the device set the connection security for port %ld to SSL/TLS (sometimes "
			 "labelled \"SSL\" or \"SMTPS\"), or keep STARTTLS and use port 587.", r->port_used);
		findings_add(&r->findings, "port-expects-implicit-tls", SEV_FAIL, t,
			     "Connected but no greeting arrived in plain text; a second probe with a TLS handshake first "
			     "was answered with a greeting.", fix, src);
	}
	f = followup(r, "plain SMTP");
	if (f && f->positive) {
		snprintf(t, sizeof(t), "Port %ld expects STARTTLS; the test used SSL/TLS (implicit TLS)", r->port_used);
		snprintf(fix, sizeof(fix), "On the device set the connection security for port %ld to STARTTLS (sometimes "
			 "labelled \"TLS\"), or keep SSL/TLS and use port 465 if the server offers it.", r->port_used);
		struct buf ev = {0};
		buf_printf(&ev, "The TLS handshake failed (%s); a second probe in plain text got: %s",
			   r->tls.alert ? r->tls.alert : (r->curl_error ? r->curl_error : "no TLS"), f->result);
		findings_add(&r->findings, "port-expects-starttls", SEV_FAIL, t, buf_str(&ev), fix, src);
		buf_free(&ev);
	}
}

static void rule_tls_version(const struct smtp_request *q, struct smtp_result *r)
{
	bool alert = (r->tls.alert && strstr(r->tls.alert, "protocol version")) ||
		     (r->curl_error && (strstr(r->curl_error, "unsupported protocol") || strstr(r->curl_error, "no protocols available") ||
					strstr(r->curl_error, "protocol version")));
	const struct smtp_step *s = NULL;
	for (size_t i = 0; i < r->nsteps; i++)
		if (r->steps[i].reply.enhanced[0] && strcmp(r->steps[i].reply.enhanced, "4.7.66") == 0)
			s = &r->steps[i];
	bool old_ceiling = q->tls_max && q->tls_max < 12;
	const struct smtp_followup *f = followup(r, "TLS without the device's ceiling");
	bool confirmed = f && f->positive;
	if (!(alert || s || confirmed))
		return;
	char t[300];
	snprintf(t, sizeof(t), "The server refuses the TLS version %s", old_ceiling ? "this device can use" : "offered");
	struct buf ev = {0};
	if (old_ceiling)
		buf_printf(&ev, "Device TLS ceiling: TLS %s. ", tls_version_name(q->tls_max));
	if (r->tls.version[0])
		buf_printf(&ev, "Negotiated: %s. ", r->tls.version);
	if (alert)
		buf_printf(&ev, "%s. ", r->tls.alert);
	if (s)
		buf_printf(&ev, "Server reply: %s", buf_str(&s->reply.lines));
	if (confirmed)
		buf_printf(&ev, "The handshake failed (%s); %s.", r->curl_error ? r->curl_error : "no details", f->result);
	const char *src[] = {"RFC 8997 (TLS 1.0/1.1 deprecated) https://www.rfc-editor.org/rfc/rfc8997",
			     "Microsoft: 421 4.7.66 TLS 1.0 and 1.1 are not supported https://aka.ms/smtp_auth_tls", NULL};
	findings_add(&r->findings, "tls-version-too-old", SEV_FAIL, t, buf_str(&ev),
		     "Update the printer's firmware and enable TLS 1.2 in its security settings. If the model cannot do "
		     "TLS 1.2, send through a local relay that accepts the printer and speaks TLS 1.2 to the mail service.",
		     src);
	buf_free(&ev);
}

static void rule_certificate(const struct smtp_request *q, struct smtp_result *r)
{
	const struct tls_facts *t = &r->tls;
	if (!t->have_cert)
		return;
	enum severity sev = t->verify_enforced ? SEV_FAIL : SEV_WARN;
	const char *why_warn = t->verify_enforced ? "" : " (the test ignored it because of --insecure; a device that checks certificates will refuse it)";
	char title[400];
	struct buf ev = {0};
	buf_printf(&ev, "Subject: %s; issuer: %s; valid until %s", t->subject ? t->subject : "?", t->issuer ? t->issuer : "?",
		   t->not_after);
	if (t->days_left < 0) {
		snprintf(title, sizeof(title), "The server's certificate expired %ld days ago%s", -t->days_left, why_warn);
		findings_add(&r->findings, "cert-expired", sev, title, buf_str(&ev),
			     "The mail server's administrator must renew the certificate. If the date looks wrong, check "
			     "the clock of the device and of the server.", NULL);
	} else if (t->days_left < 21) {
		snprintf(title, sizeof(title), "The server's certificate expires in %ld days", t->days_left);
		findings_add(&r->findings, "cert-expiring", SEV_WARN, title, buf_str(&ev),
			     "Ask the mail server's administrator to renew the certificate before it expires.", NULL);
	}
	if (!t->name_ok && t->name_error) {
		struct buf e2 = {0};
		buf_printf(&e2, "%s. The certificate names:", t->name_error);
		for (size_t i = 0; i < t->sans.n; i++)
			buf_printf(&e2, " %s", t->sans.v[i]);
		snprintf(title, sizeof(title), "The server's certificate is not valid for the name %s%s", r->host, why_warn);
		findings_add(&r->findings, "cert-name-mismatch", sev, title, buf_str(&e2),
			     "Enter the SMTP server on the device by the host name its certificate names (not by IP "
			     "address), or have the administrator issue a certificate for the name the device uses.", NULL);
		buf_free(&e2);
	}
	if (t->chain_error && t->days_left >= 0) {
		snprintf(title, sizeof(title), "The server's certificate is not trusted%s", why_warn);
		struct buf e3 = {0};
		buf_printf(&e3, "%s. %s", t->chain_error, buf_str(&ev));
		findings_add(&r->findings, "cert-untrusted", sev, title, buf_str(&e3),
			     "Import the issuing CA certificate into the device's trusted certificates (and into mfpdoctor "
			     "with --cafile), or use a certificate from a public CA on the server.", NULL);
		buf_free(&e3);
	}
	buf_free(&ev);
	(void)q;
}

static void rule_starttls(const struct smtp_request *q, struct smtp_result *r)
{
	if (r->tls_used != TLS_NONE || !r->caps_before.seen || r->caps_before.starttls)
		return;
	if (q->tls != TLS_AUTO && q->tls != TLS_STARTTLS)
		return;
	findings_add(&r->findings, "starttls-not-offered", q->tls == TLS_STARTTLS ? SEV_FAIL : SEV_WARN,
		     "The server does not offer STARTTLS: mail and passwords would travel unencrypted",
		     "The EHLO reply has no STARTTLS line.",
		     "Use the port where the service offers encryption (587 with STARTTLS or 465 with SSL/TLS), or ask the "
		     "administrator to enable TLS on this port.", (const char *[]){SRC_RFC3207, NULL});
}

static void rule_auth(const struct smtp_request *q, struct smtp_result *r)
{
	bool wants = q->user && q->auth != AUTH_NONE;
	const struct smtp_caps *caps = effective_caps(r);
	const struct smtp_followup *f = followup(r, "AUTH after STARTTLS");
	if (wants && !r->auth_attempted && f && f->positive) {
		findings_add(&r->findings, "auth-after-starttls", SEV_FAIL,
			     "The server offers login (AUTH) only after STARTTLS, but the connection is not encrypted",
			     f->result,
			     "Set the device's connection security to STARTTLS (port 587), or SSL/TLS on port 465. Without it "
			     "the device skips the login silently and the server rejects the sender (530 5.7.0 / 5.7.57).",
			     (const char *[]){SRC_RFC4954, SRC_CURL_SMTP, NULL});
		return;
	}
	/* a STARTTLS that never completed says nothing about AUTH after TLS */
	bool tls_incomplete = r->tls.attempted && !r->tls.established;
	if (wants && caps->seen && caps->auth.n == 0 && !r->auth_attempted && !tls_incomplete) {
		findings_add(&r->findings, "auth-not-offered", r->ok ? SEV_WARN : SEV_FAIL,
			     "The server does not offer login (AUTH) on this connection: the device's user name and password are not used",
			     "The EHLO reply has no AUTH line; libcurl and most printers then skip the login without an error.",
			     "Check the port and TLS mode (many servers offer AUTH only on 587 after STARTTLS). If this server is "
			     "an IP-based relay, turn authentication off on the device instead.",
			     (const char *[]){SRC_RFC4954, SRC_CURL_SMTP, NULL});
		return;
	}
	const char *want_mech = q->auth == AUTH_PLAIN ? "PLAIN" : q->auth == AUTH_LOGIN ? "LOGIN"
				: q->auth == AUTH_CRAM_MD5 ? "CRAM-MD5" : q->auth == AUTH_NTLM ? "NTLM"
				: q->auth == AUTH_XOAUTH2 ? "XOAUTH2" : NULL;
	if (wants && caps->auth.n && !r->auth_attempted &&
	    ((want_mech && !smtp_caps_has_auth(caps, want_mech)) || r->curl_code == 67)) {
		struct buf ev = {0};
		buf_puts(&ev, "Server offers:");
		for (size_t i = 0; i < caps->auth.n; i++)
			buf_printf(&ev, " %s", caps->auth.v[i]);
		buf_printf(&ev, "; the device uses: %s", want_mech ? want_mech : "none the client supports");
		findings_add(&r->findings, "auth-no-common-mechanism", SEV_FAIL,
			     "The device and the server have no login method (AUTH mechanism) in common", buf_str(&ev),
			     "Change the device's SMTP authentication method to one the server offers (usually LOGIN or PLAIN), "
			     "or update the firmware if it only offers one the server does not accept.",
			     (const char *[]){SRC_RFC4954, NULL});
		buf_free(&ev);
	}
	if (r->auth_attempted && r->tls_used == TLS_NONE)
		findings_add(&r->findings, "auth-in-clear", SEV_WARN,
			     "The password was sent over an unencrypted connection",
			     "AUTH happened without STARTTLS or SSL/TLS.",
			     "Use STARTTLS on port 587 or SSL/TLS on port 465 so the password is encrypted.",
			     (const char *[]){SRC_RFC4954, NULL});
}

static void rule_ehlo(const struct smtp_request *q, struct smtp_result *r)
{
	const struct smtp_step *ehlo = NULL, *helo = NULL;
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct smtp_step *s = &r->steps[i];
		if (s->stage != STAGE_EHLO && s->stage != STAGE_EHLO_AFTER_TLS)
			continue;
		if (s->command && strncmp(s->command, "HELO", 4) == 0)
			helo = s;
		else if (!ehlo || s->reply.code >= 400)
			ehlo = s;
	}
	bool name_refused = false;
	for (const struct smtp_step *s = ehlo; s; s = (s == ehlo ? helo : NULL)) {
		if (s->reply.code == 501 || s->reply.code == 504 || s->reply.code == 550 || s->reply.code == 553) {
			const char *txt = buf_str(&s->reply.lines);
			if (strcasestr(txt, "helo") || strcasestr(txt, "ehlo") || strcasestr(txt, "hostname") ||
			    strcasestr(txt, "domain") || strcasestr(txt, "argument"))
				name_refused = true;
		}
	}
	if (name_refused) {
		char t[300];
		const char *cmd = (ehlo && ehlo->command) ? ehlo->command : "EHLO";
		snprintf(t, sizeof(t), "The server refused the device's EHLO name (%s)", cmd);
		struct buf ev = {0};
		buf_printf(&ev, "Server reply: %s", ehlo ? buf_str(&ehlo->reply.lines) : "");
		if (helo)
			buf_printf(&ev, "\nAfter falling back to HELO: %s", buf_str(&helo->reply.lines));
		findings_add(&r->findings, "ehlo-name-rejected", SEV_FAIL, t, buf_str(&ev),
			     "Give the device a fully qualified host name (host name plus DNS domain, e.g. "
			     "scanner1.example.com) in its network settings; that is the name it sends in EHLO.",
			     (const char *[]){"RFC 5321 §4.1.1.1 (EHLO takes the client's fully qualified domain name)", NULL});
		buf_free(&ev);
	}
	if (r->helo_fallback && ehlo && ehlo->reply.code >= 400) {
		struct buf ev = {0};
		buf_printf(&ev, "EHLO got: %s; the client then sent HELO", buf_str(&ehlo->reply.lines));
		findings_add(&r->findings, "helo-fallback", SEV_WARN,
			     "EHLO was refused and the conversation fell back to HELO: no STARTTLS, AUTH or SIZE are possible",
			     buf_str(&ev),
			     "Find out why the server refuses EHLO (see its reply); with HELO the device can neither encrypt "
			     "nor log in.", (const char *[]){SRC_RFC5321, SRC_CURL_SMTP, NULL});
		buf_free(&ev);
	}
	(void)q;
}

static void rule_size(const struct smtp_request *q, struct smtp_result *r)
{
	const struct smtp_caps *caps = effective_caps(r);
	if (!caps->size_present || caps->size <= 0 || r->message_size <= caps->size)
		return;
	char lim[32], msg[32], scan[32], t[300];
	text_human_size(lim, sizeof(lim), caps->size);
	text_human_size(msg, sizeof(msg), r->message_size);
	text_human_size(scan, sizeof(scan), q->size);
	snprintf(t, sizeof(t), "A %s scan is too large for this server (limit %s)", scan, lim);
	char ev[300];
	snprintf(ev, sizeof(ev), "The server's EHLO says SIZE %lld (%s); a %s attachment becomes about %s once "
		 "encoded (base64 adds a third).", caps->size, lim, scan, msg);
	findings_add(&r->findings, "size-over-limit", SEV_FAIL, t, ev,
		     "Lower the scan size on the device (lower resolution, black and white, PDF compression, or its "
		     "\"split e-mail\"/maximum size setting below the server limit), or ask the administrator to raise "
		     "the limit.", (const char *[]){SRC_RFC1870, NULL});
}

static void rule_recipients(const struct smtp_request *q, struct smtp_result *r)
{
	int refused = 0, total = 0;
	for (size_t i = 0; i < r->nsteps; i++)
		if (r->steps[i].stage == STAGE_RCPT_TO) {
			total++;
			if (r->steps[i].reply.code >= 400)
				refused++;
		}
	if (refused && refused < total) {
		char t[200];
		snprintf(t, sizeof(t), "%d of %d recipients were refused", refused, total);
		struct buf ev = {0};
		for (size_t i = 0; i < r->nsteps; i++) {
			const struct smtp_step *s = &r->steps[i];
			if (s->stage == STAGE_RCPT_TO && s->reply.code >= 400)
				buf_printf(&ev, "%s%s => %s", ev.len ? "\n" : "", s->command ? s->command : "RCPT TO",
					   buf_str(&s->reply.lines));
		}
		findings_add(&r->findings, "rcpt-some-refused", SEV_FAIL, t, buf_str(&ev),
			     "Check the refused addresses and whether the server allows relaying to them.", NULL);
		buf_free(&ev);
	}
	(void)q;
}

void smtp_rules_apply(const struct smtp_request *req, struct smtp_result *res)
{
	explain_failures(res);
	rule_dns_connect(req, res);
	rule_port_mode(req, res);
	rule_tls_version(req, res);
	rule_certificate(req, res);
	rule_starttls(req, res);
	rule_auth(req, res);
	rule_ehlo(req, res);
	rule_size(req, res);
	rule_recipients(req, res);
	rule_reply_quality(res);
	rule_verdict(req, res);
	findings_sort(&res->findings);
}
