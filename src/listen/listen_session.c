/* listen/listen_session.c — the per-session record: transcript lines (redacted, sanitised,
 * bounded) and freeing; see listen.h. */
#include <stdlib.h>
#include <string.h>

#include "listen/listen.h"
#include "util/redact.h"
#include "util/text.h"

void listen_session_event(struct listen_session *s, char dir, const char *text, size_t n)
{
	if (s->events.n >= LISTEN_MAX_EVENTS) {
		s->events_dropped++;
		return;
	}
	char *clean = text_sanitize_n(text, n, 300, 0);
	char *scrubbed = redact_scrub(clean);
	strlist_add_owned(&s->events, xasprintf("%c: %s", dir, scrubbed));
	free(clean);
	free(scrubbed);
}

struct listen_msg *listen_session_new_msg(struct listen_session *s)
{
	if (s->nmsgs < LISTEN_MAX_MSGS)
		s->nmsgs++;
	struct listen_msg *m = &s->msgs[s->nmsgs - 1];
	return m;
}

static void msg_free(struct listen_msg *m)
{
	free(m->mail_from);
	free(m->mail_params);
	free(m->mail_reply);
	strlist_free(&m->rcpt);
	strlist_free(&m->rcpt_replies);
	char *hs[] = {m->subject, m->from, m->to, m->date, m->content_type, m->mime_version,
		      m->x_mailer, m->data_reply, m->kept};
	for (size_t i = 0; i < ARRAY_SIZE(hs); i++)
		free(hs[i]);
	for (int i = 0; i < m->nparts; i++) {
		free(m->parts[i].type);
		free(m->parts[i].name);
		free(m->parts[i].encoding);
	}
	memset(m, 0, sizeof(*m));
}

void listen_session_free(struct listen_session *s)
{
	free(s->ehlo);
	free(s->tls_how);
	free(s->hello.sni);
	free(s->hello.error);
	strlist_free(&s->hello.versions);
	strlist_free(&s->hello.ciphers);
	for (int i = 0; i < s->nauths; i++) {
		free(s->auths[i].mech);
		free(s->auths[i].user);
		free(s->auths[i].reply);
	}
	for (int i = 0; i < s->nmsgs; i++)
		msg_free(&s->msgs[i]);
	strlist_free(&s->events);
	free(s->end);
	free(s->fail_stage);
	free(s->upstream);
	memset(s, 0, sizeof(*s));
}
