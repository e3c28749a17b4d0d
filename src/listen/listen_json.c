/* listen/listen_json.c — a recorded listen session as JSON (schema in docs/listen.md). */
#include <string.h>

#include "listen/listen_report.h"
#include "report/smtp_report.h"

static json_t *list(const struct strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_text(l->v[i]));
	return a;
}

static json_t *opt_str(const char *s)
{
	return s && *s ? json_text(s) : json_null();
}

static json_t *tls_json(const struct listen_session *s)
{
	const struct listen_hello *h = &s->hello;
	json_t *j = json_object();
	json_object_set_new(j, "mode", json_text(s->tls_how));
	json_object_set_new(j, "version", opt_str(h->version));
	json_object_set_new(j, "cipher", opt_str(h->cipher));
	json_object_set_new(j, "error", opt_str(h->error));
	if (h->seen) {
		json_t *o = json_object();
		json_object_set_new(o, "max_version", json_text(h->max));
		json_object_set_new(o, "legacy_version", json_text(h->legacy));
		json_object_set_new(o, "versions", list(&h->versions));
		json_object_set_new(o, "ciphers", list(&h->ciphers));
		json_object_set_new(o, "sni", opt_str(h->sni));
		json_object_set_new(j, "offered", o);
	} else {
		json_object_set_new(j, "offered", json_null());
	}
	return j;
}

static json_t *auth_json(const struct listen_auth *a)
{
	char pc[120];
	json_t *j = json_object();
	json_object_set_new(j, "mechanism", json_text(a->mech));
	json_object_set_new(j, "user", opt_str(a->user));
	json_object_set_new(j, "password_length", a->pass_len >= 0 ? json_integer(a->pass_len) : json_null());
	listen_report_pwchars(a, pc, sizeof(pc));
	json_t *chars = json_array();
	for (char *p = strtok(pc, ","); p; p = strtok(NULL, ","))
		json_array_append_new(chars, json_text(p + (*p == ' ')));
	json_object_set_new(j, "password_risky_chars", chars);
	json_object_set_new(j, "reply", opt_str(a->reply));
	return j;
}

static json_t *parts_json(const struct listen_msg *m)
{
	json_t *a = json_array();
	for (int i = 0; i < m->nparts; i++) {
		const struct listen_part *p = &m->parts[i];
		json_t *j = json_object();
		json_object_set_new(j, "type", json_text(p->type));
		json_object_set_new(j, "name", opt_str(p->name));
		json_object_set_new(j, "encoding", opt_str(p->encoding));
		json_object_set_new(j, "bytes", json_integer(p->bytes));
		json_object_set_new(j, "decoded_bytes", json_integer(p->decoded));
		json_array_append_new(a, j);
	}
	return a;
}

static json_t *msg_json(const struct listen_msg *m)
{
	json_t *j = json_object();
	json_object_set_new(j, "mail_from", json_text(m->mail_from ? m->mail_from : ""));
	json_object_set_new(j, "mail_params", opt_str(m->mail_params));
	json_object_set_new(j, "mail_reply", opt_str(m->mail_reply));
	json_object_set_new(j, "rcpt", list(&m->rcpt));
	json_object_set_new(j, "rcpt_replies", list(&m->rcpt_replies));
	json_object_set_new(j, "data", json_boolean(m->data_started));
	json_object_set_new(j, "complete", json_boolean(m->data_done));
	json_object_set_new(j, "size", json_integer(m->size));
	json_object_set_new(j, "over_max_size", json_boolean(m->truncated));
	json_t *h = json_object();
	const char *hs[][2] = {{"subject", m->subject}, {"from", m->from}, {"to", m->to},
			       {"date", m->date}, {"content_type", m->content_type},
			       {"mime_version", m->mime_version}, {"x_mailer", m->x_mailer}};
	for (size_t i = 0; i < ARRAY_SIZE(hs); i++)
		json_object_set_new(h, hs[i][0], opt_str(hs[i][1]));
	json_object_set_new(j, "headers", h);
	json_object_set_new(j, "parts", parts_json(m));
	json_object_set_new(j, "parts_total", json_integer(m->parts_total));
	json_object_set_new(j, "data_reply", opt_str(m->data_reply));
	json_object_set_new(j, "kept", opt_str(m->kept));
	return j;
}

json_t *listen_report_json(const struct listen_session *s)
{
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(s->id));
	json_object_set_new(j, "peer", json_text(s->peer));
	json_object_set_new(j, "seconds", json_real((s->t_end_ms - s->t_start_ms) / 1000.0));
	json_object_set_new(j, "ended", json_text(s->end ? s->end : "?"));
	json_object_set_new(j, "upstream", opt_str(s->upstream));
	json_object_set_new(j, "ehlo", opt_str(s->ehlo));
	json_object_set_new(j, "helo", json_boolean(s->helo));
	json_object_set_new(j, "tls", tls_json(s));
	json_t *a = json_array();
	for (int i = 0; i < s->nauths; i++)
		json_array_append_new(a, auth_json(&s->auths[i]));
	json_object_set_new(j, "auth", a);
	json_t *m = json_array();
	for (int i = 0; i < s->nmsgs; i++)
		json_array_append_new(m, msg_json(&s->msgs[i]));
	json_object_set_new(j, "messages", m);
	json_object_set_new(j, "failed_at", opt_str(s->fail_stage));
	struct strlist notes = {0};
	listen_report_notes(s, &notes);
	json_object_set_new(j, "notes", list(&notes));
	strlist_free(&notes);
	json_object_set_new(j, "transcript", list(&s->events));
	json_object_set_new(j, "transcript_dropped", json_integer(s->events_dropped));
	return j;
}
