/* listen/listen_learn.c — the device's settings against what it did, and its new error events
 * paired with the replies it got; see listen_learn.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "listen/listen_learn.h"
#include "report/smtp_report.h"

static bool refused(const char *r)
{
	return r && (r[0] == '4' || r[0] == '5');
}

/* The first refused reply of the session: stage and text (borrowed), or 0. */
static int first_refusal(const struct listen_session *s, const char **stage, const char **reply)
{
	for (int i = 0; i < s->nauths; i++)
		if (refused(s->auths[i].reply))
			return *stage = "auth", *reply = s->auths[i].reply, 1;
	for (int i = 0; i < s->nmsgs; i++) {
		const struct listen_msg *m = &s->msgs[i];
		if (refused(m->mail_reply))
			return *stage = "mail-from", *reply = m->mail_reply, 1;
		for (size_t r = 0; r < m->rcpt_replies.n; r++)
			if (refused(m->rcpt_replies.v[r]))
				return *stage = "rcpt-to", *reply = m->rcpt_replies.v[r], 1;
		if (refused(m->data_reply))
			return *stage = "end-of-data", *reply = m->data_reply, 1;
	}
	return 0;
}

void listen_learn_keep(struct listen_learn *l, const struct listen_session *s)
{
	if (l->nseen >= (int)ARRAY_SIZE(l->seen))
		return;
	struct listen_seen *v = &l->seen[l->nseen++];
	v->id = s->id;
	snprintf(v->tls, sizeof(v->tls), "%s", s->tls_how ? s->tls_how : "none");
	snprintf(v->tls_max, sizeof(v->tls_max), "%s", s->hello.seen ? s->hello.max : "");
	if (s->nauths) {
		v->mech = xstrdup(s->auths[s->nauths - 1].mech);
		v->user = xstrdup(s->auths[s->nauths - 1].user);
	}
	v->ehlo = xstrdup(s->ehlo);
	const char *st, *r;
	if (first_refusal(s, &st, &r)) {
		v->fail_stage = xstrdup(st);
		v->fail_reply = xstrdup(r);
	}
}

static void cmp_session(struct listen_learn *l, const struct device *d, const struct listen_seen *v)
{
	const char *sec = device_value(d, "smtp.security"), *auth = device_value(d, "smtp.auth");
	const char *user = device_value(d, "smtp.user"), *tmax = device_value(d, "smtp.tls_max");
	if (sec && strcmp(sec, v->tls))
		strlist_add_owned(&l->compare, xasprintf("session %d: the device is set to %s, but it used %s",
							 v->id, sec, v->tls));
	if (auth && !strcmp(auth, "none") && v->mech)
		strlist_add_owned(&l->compare, xasprintf("session %d: the device is set to no authentication, "
							 "but it logged in (%s)", v->id, v->mech));
	if (auth && strcmp(auth, "none") && !v->mech)
		strlist_add_owned(&l->compare, xasprintf("session %d: the device is set to log in (%s), but it "
							 "sent no AUTH: it may only log in when the server offers "
							 "a mechanism it knows", v->id, auth));
	if (user && v->user && strcmp(user, v->user))
		strlist_add_owned(&l->compare, xasprintf("session %d: the device's login name is set to '%s', "
							 "but it sent '%s'", v->id, user, v->user));
	if (*v->tls_max && tmax && strncmp(v->tls_max + 4, tmax, strlen(tmax)))
		strlist_add_owned(&l->compare, xasprintf("session %d: the device is set to TLS up to %s, but it "
							 "offered up to %s", v->id, tmax, v->tls_max));
	if (*v->tls_max && (!strcmp(v->tls_max, "TLSv1.0") || !strcmp(v->tls_max, "TLSv1.1")))
		strlist_add_owned(&l->compare, xasprintf("session %d: the device offered %s only; Microsoft 365, "
							 "Google and most providers need TLS 1.2", v->id, v->tls_max));
}

void listen_learn_compare(struct listen_learn *l, const struct device *d, const char *bind, int port)
{
	const char *host = device_value(d, "smtp.host"), *p = device_value(d, "smtp.port");
	if (host && bind && strcasecmp(host, bind))
		strlist_add_owned(&l->compare, xasprintf("the device's SMTP server is set to %s, not this "
							 "listener (%s): set it to this machine's address for the test", host, bind));
	if (p && atoi(p) != port)
		strlist_add_owned(&l->compare, xasprintf("the device's SMTP port is set to %s, this listener is "
							 "on port %d", p, port));
	for (int i = 0; i < l->nseen; i++)
		cmp_session(l, d, &l->seen[i]);
}

static bool had_event(const struct device *d, const struct device_event *e)
{
	for (size_t i = 0; i < d->nevents; i++) {
		const struct device_event *o = &d->events[i];
		bool code = (!o->code && !e->code) || (o->code && e->code && !strcmp(o->code, e->code));
		bool text = (!o->text && !e->text) || (o->text && e->text && !strcmp(o->text, e->text));
		bool time = (!o->time && !e->time) || (o->time && e->time && !strcmp(o->time, e->time));
		if (code && text && time)
			return true;
	}
	return false;
}

void listen_learn_pair(struct listen_learn *l, const struct device *before, const struct device *after)
{
	const struct listen_seen *last = NULL;
	for (int i = 0; i < l->nseen; i++)
		if (l->seen[i].fail_reply)
			last = &l->seen[i];
	for (size_t i = 0; i < after->nevents && l->npairs < (int)ARRAY_SIZE(l->pairs); i++) {
		const struct device_event *e = &after->events[i];
		if (had_event(before, e))
			continue;
		struct listen_pair *p = &l->pairs[l->npairs++];
		p->code = xstrdup(e->code);
		p->text = xstrdup(e->text);
		p->session = last ? last->id : 0;
		p->stage = last ? xstrdup(last->fail_stage) : NULL;
		p->reply = last ? xstrdup(last->fail_reply) : NULL;
	}
}

/* s on one line (control characters become spaces), cut to max bytes at a UTF-8 boundary, so
 * that the observation file accepts it (kb/observed.h bounds). */
static char *one_line(const char *s, size_t max)
{
	if (!s || !*s)
		return NULL;
	size_t n = strlen(s);
	if (n > max) {
		n = max;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	char *o = xstrndup(s, n);
	for (char *p = o; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return o;
}

size_t listen_learn_observations(const struct listen_learn *l, const char *model, const char *date,
				 struct kb_observations *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < l->npairs; i++) {
		const struct listen_pair *q = &l->pairs[i];
		if (!q->code || !q->reply || !q->stage)
			continue;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] = (struct kb_observation){one_line(q->code, 32), one_line(q->reply, 512),
							   one_line(q->stage, 24), xstrdup(date), one_line(model, 128), 1};
	}
	return out->n;
}

json_t *listen_learn_json(const struct listen_learn *l, const char *host)
{
	json_t *j = json_object(), *c = json_array(), *p = json_array();
	json_object_set_new(j, "host", json_text(host));
	for (size_t i = 0; i < l->compare.n; i++)
		json_array_append_new(c, json_text(l->compare.v[i]));
	json_object_set_new(j, "settings_vs_session", c);
	for (int i = 0; i < l->npairs; i++) {
		const struct listen_pair *q = &l->pairs[i];
		json_t *o = json_object();
		json_object_set_new(o, "code", json_text(q->code));
		json_object_set_new(o, "text", json_text(q->text));
		json_object_set_new(o, "session", q->session ? json_integer(q->session) : json_null());
		json_object_set_new(o, "stage", json_text(q->stage));
		json_object_set_new(o, "reply", json_text(q->reply));
		json_array_append_new(p, o);
	}
	json_object_set_new(j, "new_events", p);
	return j;
}

void listen_learn_text(FILE *out, const struct listen_learn *l, const char *host)
{
	fprintf(out, "Device %s, settings against what it did:\n", host);
	if (!l->compare.n)
		fputs("  no difference found\n", out);
	for (size_t i = 0; i < l->compare.n; i++)
		fprintf(out, "  - %s\n", l->compare.v[i]);
	fprintf(out, "Events the device logged during the sessions: %s\n", l->npairs ? "" : "none");
	for (int i = 0; i < l->npairs; i++) {
		const struct listen_pair *q = &l->pairs[i];
		fprintf(out, "  - %s %s", q->code ? q->code : "", q->text ? q->text : "");
		if (q->reply)
			fprintf(out, "  <- after %s at %s (session %d)", q->reply, q->stage, q->session);
		fputc('\n', out);
	}
}

void listen_learn_free(struct listen_learn *l)
{
	for (int i = 0; i < l->nseen; i++) {
		struct listen_seen *v = &l->seen[i];
		free(v->mech);
		free(v->user);
		free(v->ehlo);
		free(v->fail_stage);
		free(v->fail_reply);
	}
	for (int i = 0; i < l->npairs; i++) {
		free(l->pairs[i].code);
		free(l->pairs[i].text);
		free(l->pairs[i].stage);
		free(l->pairs[i].reply);
	}
	strlist_free(&l->compare);
	memset(l, 0, sizeof(*l));
}
