/* report/smtp_json.c — the test send as JSON; the schema is documented in docs/smtp-json.md. */
#include <stdlib.h>
#include <string.h>

#include "core/versions.h"
#include "report/smtp_report.h"
#include "util/text.h"

json_t *json_text(const char *s)
{
	if (!s)
		return json_null();
	char *clean = text_sanitize(s, 0, 1);
	json_t *j = json_string(clean);
	free(clean);
	return j ? j : json_string("?");
}

static json_t *strlist_json(const struct strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_text(l->v[i]));
	return a;
}

void json_print(FILE *out, const json_t *j)
{
	json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
}

json_t *smtp_json_reply(const struct smtp_reply *r)
{
	if (!r->nlines)
		return json_null();
	json_t *lines = json_array();
	const char *p = buf_str(&r->lines);
	while (*p) {
		const char *nl = strchr(p, '\n');
		char *l = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
		json_array_append_new(lines, json_text(l));
		free(l);
		if (!nl)
			break;
		p = nl + 1;
	}
	char *msg = smtp_reply_message(r);
	json_t *j = json_pack("{s:o, s:o, s:s, s:o, s:o, s:b}", "code", r->code ? json_integer(r->code) : json_null(),
			      "enhanced", r->enhanced[0] ? json_string(r->enhanced) : json_null(), "class",
			      smtp_reply_class(r->code), "text", json_text(msg), "lines", lines, "malformed", r->malformed);
	free(msg);
	json_object_set_new(j, "mixed_codes", json_boolean(r->mixed_codes));
	json_object_set_new(j, "first_code", r->mixed_codes ? json_integer(r->first_code) : json_null());
	json_object_set_new(j, "total_lines", json_integer(r->total_lines));
	char *cut = smtp_reply_cut_note(r);
	json_object_set_new(j, "cut", json_text(cut));
	free(cut);
	return j;
}

json_t *smtp_json_caps(const struct smtp_caps *c)
{
	if (!c->seen)
		return json_null();
	json_t *size = json_null();
	if (c->size_present) {
		char human[32];
		text_human_size(human, sizeof(human), c->size);
		size = json_pack("{s:I, s:s}", "bytes", (json_int_t)c->size, "human", c->size ? human : "no limit");
	}
	return json_pack("{s:o, s:o, s:o, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:o, s:b}", "greeting", json_text(c->greeting),
			 "size", size, "auth", strlist_json(&c->auth), "starttls", c->starttls, "pipelining", c->pipelining,
			 "8bitmime", c->eightbitmime, "smtputf8", c->smtputf8, "dsn", c->dsn, "chunking", c->chunking,
			 "enhancedstatuscodes", c->enhancedstatuscodes, "keywords", strlist_json(&c->keywords), "cut", c->cut);
}

json_t *smtp_json_tls(const struct tls_facts *t)
{
	if (!t->attempted)
		return json_null();
	json_t *cert = json_null();
	if (t->have_cert)
		cert = json_pack("{s:o, s:o, s:o, s:s, s:I, s:s}", "subject", json_text(t->subject), "issuer",
				 json_text(t->issuer), "sans", strlist_json(&t->sans), "not_after", t->not_after,
				 "days_left", (json_int_t)t->days_left, "sha256", t->sha256);
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "established", t->established,
			 "version", t->version[0] ? json_string(t->version) : json_null(), "cipher",
			 t->cipher[0] ? json_string(t->cipher) : json_null(), "certificate", cert, "chain_verified",
			 t->have_cert ? json_boolean(!t->chain_error) : json_null(), "chain_error", json_text(t->chain_error),
			 "name_verified", t->have_cert ? json_boolean(t->name_ok) : json_null(), "name_error",
			 json_text(t->name_error), "alert", json_text(t->alert), "verification_enforced", t->verify_enforced);
}

json_t *smtp_json_explanation(const struct kb_explanation *e)
{
	json_t *j = json_pack("{s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "kind", e->kind ? e->kind : "smtp-reply",
			 "code", e->code ? json_integer(e->code) : json_null(), "enhanced",
			 e->enhanced[0] ? json_string(e->enhanced) : json_null(), "class", json_text(e->class_name),
			 "stage", stage_name(e->stage), "category", json_text(e->category), "title", json_text(e->title),
			 "meaning", json_text(e->meaning), "fix", json_text(e->fix), "provider", json_text(e->provider),
			 "matched", json_text(e->matched), "sources", strlist_json(&e->sources), "confidence",
			 json_text(e->confidence));
	/* each claim's confidence: a guessed stage or reply is never shown as fact */
	json_object_set_new(j, "stage_confidence", json_text(e->stage_confidence));
	json_object_set_new(j, "reply_confidence", json_text(e->reply_confidence));
	if (e->stage == STAGE_UNKNOWN && e->stage_guess != STAGE_UNKNOWN && e->stage_guess != STAGE_LAST)
		json_object_set_new(j, "stage_guess", json_string(stage_name(e->stage_guess)));
	json_object_set_new(j, "provider_basis", json_text(e->provider_basis));
	return j;
}

json_t *json_findings(const struct findings *fs)
{
	json_t *a = json_array();
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->v[i];
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "id", f->id, "severity",
						   severity_name(f->sev), "title", json_text(f->title), "evidence",
						   json_text(f->evidence), "fix", json_text(f->fix), "sources",
						   strlist_json(&f->sources)));
	}
	return a;
}

json_t *json_versions(void)
{
	struct versions v;
	versions_get(&v);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "mfpdoctor", v.mfpdoctor, "libcurl", v.libcurl, "tls_backend",
			 v.tls_backend, "net_snmp", v.netsnmp, "jansson", v.jansson, "libxml2", v.libxml2);
}

static json_t *steps_json(const struct smtp_result *res)
{
	json_t *a = json_array();
	for (size_t i = 0; i < res->nsteps; i++) {
		const struct smtp_step *s = &res->steps[i];
		const char *status = smtp_step_state_name(smtp_step_state(res, s));
		json_t *j = json_pack("{s:s, s:o, s:o, s:s, s:o, s:f, s:o}", "stage", stage_name(s->stage), "index",
				      s->index ? json_integer(s->index) : json_null(), "command", json_text(s->command),
				      "status", status, "reply", smtp_json_reply(&s->reply), "elapsed_ms",
				      (double)((long long)(s->elapsed_ms * 10)) / 10.0, "detail", json_text(s->detail));
		if (s->stage == STAGE_AUTH)
			json_object_set_new(j, "challenges", json_integer(s->rounds));
		json_array_append_new(a, j);
	}
	return a;
}

json_t *smtp_report_json(const struct smtp_request *req, const struct smtp_result *res)
{
	json_t *to = json_array();
	for (size_t i = 0; i < req->nto; i++)
		json_array_append_new(to, json_text(req->to[i]));
	json_t *request = json_pack("{s:o, s:I, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:s, s:b, s:I, s:I, s:b}",
				    "server", json_text(req->server), "port", (json_int_t)res->port_used, "tls",
				    tls_mode_name(req->tls), "tls_min",
				    req->tls_min ? json_string(tls_version_name(req->tls_min)) : json_null(), "tls_max",
				    req->tls_max ? json_string(tls_version_name(req->tls_max)) : json_null(), "auth",
				    auth_mode_name(req->auth), "user", json_text(req->user), "from", json_text(req->from),
				    "to", to, "ehlo", json_text(req->ehlo), "stop_after", stage_name(req->stop_after),
				    "send", req->send, "size", (json_int_t)req->size, "timeout_ms",
				    (json_int_t)req->timeout_ms, "password_given", req->password != NULL);
	json_object_set_new(request, "budget_ms", json_integer((json_int_t)req->budget_ms));
	json_t *verdict = json_pack("{s:b, s:b, s:o, s:o, s:o, s:b}", "ok", res->ok, "completed", res->completed,
				    "failed_stage", res->ok ? json_null() : json_string(stage_name(res->failed_stage)),
				    "reply", res->ok ? json_null() : smtp_json_reply(&res->fail_reply), "error",
				    json_text(res->ok ? NULL : res->error), "delivered", res->delivered);
	json_object_set_new(verdict, "budget_exhausted", json_boolean(res->budget_exhausted));
	json_object_set_new(verdict, "step_timeout", json_boolean(res->step_timeout));
	json_object_set_new(verdict, "cut_stage", res->budget_exhausted || res->step_timeout
							  ? json_string(stage_name(res->cut_stage)) : json_null());
	json_t *expl = json_array();
	for (size_t i = 0; i < res->nexplanations; i++)
		json_array_append_new(expl, smtp_json_explanation(&res->explanations[i]));
	json_t *fu = json_array();
	for (size_t i = 0; i < res->nfollowups; i++)
		json_array_append_new(fu, json_pack("{s:o, s:o, s:b}", "what", json_text(res->followups[i].what), "result",
						    json_text(res->followups[i].result), "positive", res->followups[i].positive));
	static const char *const status[] = {"ok", "warning", "critical", "unknown"};
	int ex = smtp_result_exit(res);
	json_t *j = json_pack("{s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:f}",
			      "schema", "mfpdoctor/smtp/1", "status", status[ex <= 3 ? ex : 3], "exit_code", ex, "verdict",
			      verdict, "request", request, "connection",
			      json_pack("{s:o, s:o, s:s}", "host", json_text(res->host), "ip", json_text(res->ip), "tls_mode",
					tls_mode_name(res->tls_used)),
			      "stages", steps_json(res), "capabilities",
			      json_pack("{s:o, s:o}", "before_tls", smtp_json_caps(&res->caps_before), "after_tls",
					smtp_json_caps(&res->caps_after)),
			      "tls", smtp_json_tls(&res->tls), "explanations", expl, "findings", json_findings(&res->findings),
			      "followups", fu, "versions", json_versions(), "message_size", (json_int_t)res->message_size,
			      "elapsed_ms", (double)((long long)res->total_ms));
	if (res->curl_code)
		json_object_set_new(j, "transport", json_pack("{s:i, s:o}", "curl_code", res->curl_code, "curl_error",
							       json_text(res->curl_error)));
	return j;
}
