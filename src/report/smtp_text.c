/* report/smtp_text.c — the test send for people: terminal text (colour optional) and Markdown. */
#include <stdlib.h>
#include <string.h>

#include "report/smtp_report.h"
#include "report/term.h"
#include "util/text.h"

/* A step's state in the words of the conversation table. */
static const char *step_status(const struct smtp_result *res, const struct smtp_step *s)
{
	switch (smtp_step_state(res, s)) {
	case STEP_FAILED: return "FAIL";
	case STEP_CUT: return "cut";
	case STEP_NO_REPLY: return "no reply";
	default: return "ok";
	}
}

static void caps_line(struct buf *b, const struct smtp_caps *c)
{
	if (!c->seen) {
		buf_puts(b, "(not seen)");
		return;
	}
	char human[32];
	if (c->size_present) {
		text_human_size(human, sizeof(human), c->size);
		buf_printf(b, "SIZE %s, ", c->size ? human : "no limit");
	} else {
		buf_puts(b, "no SIZE, ");
	}
	if (c->starttls) buf_puts(b, "STARTTLS, ");
	if (c->pipelining) buf_puts(b, "PIPELINING, ");
	if (c->eightbitmime) buf_puts(b, "8BITMIME, ");
	if (c->smtputf8) buf_puts(b, "SMTPUTF8, ");
	if (c->dsn) buf_puts(b, "DSN, ");
	if (c->chunking) buf_puts(b, "CHUNKING, ");
	if (c->auth.n) {
		buf_puts(b, "AUTH");
		for (size_t i = 0; i < c->auth.n; i++)
			buf_printf(b, " %s", c->auth.v[i]);
	} else {
		buf_puts(b, "no AUTH");
	}
	if (c->cut)
		buf_printf(b, " (reply cut at %d lines: later keywords not seen)", SMTP_REPLY_MAX_LINES);
}

static void verdict_line(struct buf *b, const struct smtp_request *req, const struct smtp_result *res)
{
	if (res->ok && res->delivered)
		buf_puts(b, "PASSED: the message was accepted for delivery");
	else if (res->ok)
		buf_printf(b, "PASSED up to %s (nothing was delivered; use --send to deliver)", stage_name(req->stop_after));
	else if (res->budget_exhausted)
		buf_printf(b, "NOT TESTED from %s on: the run's time budget ran out (after waiting %.1f s at that stage)",
			   stage_name(res->failed_stage), res->cut_wait_ms / 1000.0);
	else if (res->fail_reply.nlines) {
		char *j = smtp_reply_joined(&res->fail_reply);
		buf_printf(b, "FAILED at %s: %s", stage_name(res->failed_stage), j);
		free(j);
	} else
		buf_printf(b, "FAILED at %s: %s", stage_name(res->failed_stage), res->error ? res->error : "?");
}

void smtp_report_text(FILE *out, const struct smtp_request *req, const struct smtp_result *res, bool colour,
		      bool verbose)
{
	struct buf b = {0};
	fprintf(out, "%smfpdoctor smtp%s: ", term_col(colour, C_BLD), term_col(colour, C_OFF));
	term_put(out, res->host);
	fprintf(out, " port %ld, %s%s%s\n", res->port_used, tls_mode_name(res->tls_used),
		res->ip ? ", address " : "", res->ip ? res->ip : "");
	verdict_line(&b, req, res);
	fprintf(out, "%sVerdict: ", term_col(colour, res->ok ? C_GRN : res->budget_exhausted ? C_YEL : C_RED));
	term_put(out, buf_str(&b));
	fprintf(out, "%s\n", term_col(colour, C_OFF));
	buf_free(&b);

	term_findings(out, &res->findings, colour, false, true, false);

	fprintf(out, "\n%sConversation%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
	for (size_t i = 0; i < res->nsteps; i++) {
		const struct smtp_step *s = &res->steps[i];
		const char *st = step_status(res, s);
		fprintf(out, "  %s%-8s%s %-15s %7.1f ms  ", term_col(colour, strcmp(st, "ok") ? C_RED : C_GRN), st,
			term_col(colour, C_OFF), stage_name(s->stage), s->elapsed_ms);
		if (s->command) {
			term_put(out, s->command);
			fputs("  ", out);
		}
		if (s->reply.nlines) {
			char *j = smtp_reply_joined(&s->reply);
			fputs("=> ", out);
			term_put(out, strlen(j) > 160 ? "" : j);
			if (strlen(j) > 160) {
				j[157] = '\0';
				term_put(out, j);
				fputs("...", out);
			}
			free(j);
			char *note = smtp_reply_cut_note(&s->reply);
			if (note) {
				fputs("  [", out);
				term_put(out, note);
				fputc(']', out);
				free(note);
			}
		} else if (s->detail) {
			term_put(out, s->detail);
		}
		fputc('\n', out);
	}

	fprintf(out, "\n%sServer capabilities%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
	caps_line(&b, &res->caps_before);
	fputs("  before TLS: ", out);
	term_put(out, buf_str(&b));
	fputc('\n', out);
	buf_reset(&b);
	if (res->caps_after.seen) {
		caps_line(&b, &res->caps_after);
		fputs("  after TLS:  ", out);
		term_put(out, buf_str(&b));
		fputc('\n', out);
	}
	buf_free(&b);

	const struct tls_facts *t = &res->tls;
	if (t->attempted) {
		fprintf(out, "\n%sTLS%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
		fprintf(out, "  %s %s %s\n", t->established ? "established:" : "not established", t->version, t->cipher);
		if (t->have_cert) {
			fputs("  certificate: ", out);
			term_put(out, t->subject);
			fputs("\n  issuer:      ", out);
			term_put(out, t->issuer);
			fputs("\n  names:      ", out);
			for (size_t i = 0; i < t->sans.n; i++) {
				fputc(' ', out);
				term_put(out, t->sans.v[i]);
			}
			fprintf(out, "\n  valid until: %s (%ld days left)\n  sha256:      %s\n", t->not_after, t->days_left,
				t->sha256);
			fprintf(out, "  chain verified: %s", t->chain_error ? "no — " : "yes");
			term_put(out, t->chain_error ? t->chain_error : "");
			fprintf(out, "\n  name verified:  %s", t->name_ok ? "yes" : "no — ");
			term_put(out, t->name_ok ? "" : t->name_error);
			fputc('\n', out);
		}
		if (t->alert) {
			fputs("  ", out);
			term_put(out, t->alert);
			fputc('\n', out);
		}
	}

	if (res->nexplanations) {
		fprintf(out, "\n%sWhat the server's replies mean%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
		for (size_t i = 0; i < res->nexplanations; i++) {
			const struct kb_explanation *e = &res->explanations[i];
			fprintf(out, "  %d%s%s (%s%s%s, stage %s): ", e->code, e->enhanced[0] ? " " : "", e->enhanced,
				e->class_name ? e->class_name : "", e->provider ? ", " : "", e->provider ? e->provider : "",
				stage_name(e->stage));
			term_put(out, e->meaning ? e->meaning : "no entry in the knowledge base");
			fputc('\n', out);
			if (e->fix) {
				fputs("      Fix: ", out);
				term_put(out, e->fix);
				fputc('\n', out);
			}
		}
	}
	if (res->nfollowups) {
		fprintf(out, "\n%sConfirmation probes%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
		for (size_t i = 0; i < res->nfollowups; i++) {
			fputs("  ", out);
			term_put(out, res->followups[i].what);
			fputs(": ", out);
			term_put(out, res->followups[i].result);
			fputc('\n', out);
		}
	}
	if (verbose) {
		fprintf(out, "\n%sTranscript (secrets redacted)%s\n", term_col(colour, C_BLD), term_col(colour, C_OFF));
		for (size_t i = 0; i < res->transcript.n; i++) {
			fputs("  ", out);
			term_put(out, res->transcript.v[i]);
			fputc('\n', out);
		}
	}
}

/* Untrusted text inside a fenced code block: sanitised, and fences broken up. */
static void md_code(FILE *out, const char *s)
{
	char *c = text_sanitize(s ? s : "", 0, 1);
	for (char *p = strstr(c, "```"); p; p = strstr(p, "```"))
		p[1] = '\'';
	fputs(c, out);
	free(c);
}

static void md_conversation(FILE *out, const struct smtp_result *res)
{
	fputs("### Conversation\n\n| stage | status | ms | command | reply |\n|---|---|---:|---|---|\n", out);
	for (size_t i = 0; i < res->nsteps; i++) {
		const struct smtp_step *s = &res->steps[i];
		char *j = smtp_reply_joined(&s->reply);
		fprintf(out, "| %s | %s | %.1f | ", stage_name(s->stage), step_status(res, s), s->elapsed_ms);
		term_md(out, s->command ? s->command : "");
		fputs(" | ", out);
		term_md(out, s->reply.nlines ? j : (s->detail ? s->detail : ""));
		char *note = smtp_reply_cut_note(&s->reply);
		if (note) {
			fputs(" [", out);
			term_md(out, note);
			fputc(']', out);
			free(note);
		}
		fputs(" |\n", out);
		free(j);
	}
}

static void md_caps_tls(FILE *out, const struct smtp_result *res)
{
	struct buf b = {0};
	fputs("\n### Server capabilities\n\n- Before TLS: ", out);
	caps_line(&b, &res->caps_before);
	term_md(out, buf_str(&b));
	buf_reset(&b);
	if (res->caps_after.seen) {
		fputs("\n- After TLS: ", out);
		caps_line(&b, &res->caps_after);
		term_md(out, buf_str(&b));
	}
	buf_free(&b);
	fputs("\n", out);
	const struct tls_facts *t = &res->tls;
	if (t->have_cert) {
		fprintf(out, "\n### TLS\n\n- %s %s\n- Certificate: ", t->version, t->cipher);
		term_md(out, t->subject);
		fputs("\n- Issuer: ", out);
		term_md(out, t->issuer);
		fprintf(out, "\n- Valid until: %s (%ld days left)\n- Chain verified: %s\n- Name verified: %s\n", t->not_after,
			t->days_left, t->chain_error ? "no" : "yes", t->name_ok ? "yes" : "no");
	}
}

static void md_explanations(FILE *out, const struct smtp_result *res)
{
	if (res->nexplanations) {
		fputs("\n### What the server's replies mean\n\n", out);
		for (size_t i = 0; i < res->nexplanations; i++) {
			const struct kb_explanation *e = &res->explanations[i];
			fprintf(out, "- **%d %s**", e->code, e->enhanced);
			if (e->provider) {
				fputs(" (", out);
				term_md(out, e->provider);
				fputs(")", out);
			}
			fputs(": ", out);
			term_md(out, e->meaning ? e->meaning : "no entry in the knowledge base");
			if (e->fix) {
				fputs(" Fix: ", out);
				term_md(out, e->fix);
			}
			fputc('\n', out);
		}
	}
}

void smtp_report_md(FILE *out, const struct smtp_request *req, const struct smtp_result *res, bool verbose)
{
	struct buf b = {0};
	fputs("## SMTP test send: ", out);
	term_md(out, res->host);
	fprintf(out, " port %ld (%s)\n\n", res->port_used, tls_mode_name(res->tls_used));
	verdict_line(&b, req, res);
	fputs("**Verdict:** ", out);
	term_md(out, buf_str(&b));
	fputs("\n\n", out);
	buf_free(&b);
	if (res->findings.n) {
		fputs("### What is wrong, and what to change\n\n", out);
		term_md_findings(out, &res->findings, false);
		fputc('\n', out);
	}
	md_conversation(out, res);
	md_caps_tls(out, res);
	md_explanations(out, res);
	if (verbose) {
		fputs("\n### Transcript (secrets redacted)\n\n```\n", out);
		for (size_t i = 0; i < res->transcript.n; i++) {
			md_code(out, res->transcript.v[i]);
			fputc('\n', out);
		}
		fputs("```\n", out);
	}
}
