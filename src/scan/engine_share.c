/* scan/engine_share.c — the parent's table of test sends during a scan: which identical test
 * (same SMTP settings fingerprint) is running or done, and how many sends each mail server and
 * login has open. A worker asks before its test send; it runs it, reuses a finished one's raw
 * result, or waits. Bounded: at most SHARE_KEEP results are kept (the oldest go first: a later
 * printer with that fingerprint then runs its own test). */
#include <stdlib.h>
#include <string.h>

#include "scan/engine_int.h"

#define SHARE_KEEP 256

struct done_test {
	char *fingerprint;
	json_t *result;      /* the raw result (smtp/result_json.h) */
	json_int_t ran_for;
	char *host;
};

struct busy {                /* a test send in progress */
	size_t slot;
	char *fingerprint, *server;
	json_int_t index;
	char *host;
};

struct share {
	int per_server;
	bool share_tests;
	struct done_test done[SHARE_KEEP];
	size_t ndone, next;      /* next: where the next result goes once the table is full */
	struct busy *busy;
	size_t nbusy, capbusy;
};

struct share *share_new(int per_server, bool share_tests)
{
	struct share *s = xcalloc(1, sizeof(*s));
	s->per_server = per_server > 0 ? per_server : 1;
	s->share_tests = share_tests;
	return s;
}

static void done_clear(struct done_test *d)
{
	free(d->fingerprint);
	json_decref(d->result);
	free(d->host);
	memset(d, 0, sizeof(*d));
}

static void busy_clear(struct busy *b)
{
	free(b->fingerprint);
	free(b->server);
	free(b->host);
}

void share_free(struct share *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ndone; i++)
		done_clear(&s->done[i]);
	for (size_t i = 0; i < s->nbusy; i++)
		busy_clear(&s->busy[i]);
	free(s->busy);
	free(s);
}

static json_t *info(const char *fp, bool shared, json_int_t ran_for, const char *host)
{
	return json_pack("{s:s, s:b, s:I, s:s}", "fingerprint", fp, "shared", shared, "ran_for", ran_for, "ran_for_host",
			 host ? host : "");
}

static const struct done_test *find_done(const struct share *s, const char *fp)
{
	for (size_t i = 0; i < s->ndone; i++)
		if (strcmp(s->done[i].fingerprint, fp) == 0)
			return &s->done[i];
	return NULL;
}

enum share_answer share_decide(struct share *s, const struct share_ask *q, char **cached, json_t **inf)
{
	*cached = NULL;
	*inf = NULL;
	const struct done_test *d = s->share_tests ? find_done(s, q->fingerprint) : NULL;
	if (d) {
		json_t *c = json_pack("{s:O, s:I, s:s}", "result", d->result, "ran_for", d->ran_for, "ran_for_host", d->host);
		*cached = json_dumps(c, JSON_COMPACT);
		json_decref(c);
		*inf = info(q->fingerprint, true, d->ran_for, d->host);
		return SHARE_CACHED;
	}
	int open = 0;
	for (size_t i = 0; i < s->nbusy; i++) {
		if (s->share_tests && strcmp(s->busy[i].fingerprint, q->fingerprint) == 0)
			return SHARE_WAIT; /* the same test is running: its result comes soon */
		open += strcmp(s->busy[i].server, q->server) == 0;
	}
	if (open >= s->per_server)
		return SHARE_WAIT;
	if (s->nbusy == s->capbusy) {
		s->capbusy = s->capbusy ? 2 * s->capbusy : 16;
		s->busy = xrealloc(s->busy, s->capbusy * sizeof(*s->busy));
	}
	s->busy[s->nbusy++] = (struct busy){q->slot, xstrdup(q->fingerprint), xstrdup(q->server),
					    (json_int_t)q->t->index, xstrdup(q->t->host)};
	*inf = info(q->fingerprint, false, (json_int_t)q->t->index, q->t->host);
	return SHARE_GO;
}

static struct busy *busy_of(struct share *s, size_t slot)
{
	for (size_t i = 0; i < s->nbusy; i++)
		if (s->busy[i].slot == slot)
			return &s->busy[i];
	return NULL;
}

static void busy_drop(struct share *s, struct busy *b)
{
	busy_clear(b);
	*b = s->busy[--s->nbusy];
}

/* A result is kept for others unless the run's budget cut it ("not tested" is that printer's
 * own outcome: the next one with the same settings tries again). */
static void keep(struct share *s, struct busy *b, const char *raw, size_t rawlen)
{
	json_t *r = raw && rawlen ? json_loadb(raw, rawlen, 0, NULL) : NULL;
	if (!json_is_object(r) || json_is_true(json_object_get(r, "budget_exhausted"))) {
		json_decref(r);
		return;
	}
	struct done_test *d = s->ndone < SHARE_KEEP ? &s->done[s->ndone++] : &s->done[s->next++ % SHARE_KEEP];
	done_clear(d);
	d->fingerprint = xstrdup(b->fingerprint);
	d->result = r;
	d->ran_for = b->index;
	d->host = xstrdup(b->host);
}

void share_done(struct share *s, size_t slot, const char *raw, size_t rawlen)
{
	struct busy *b = busy_of(s, slot);
	if (!b)
		return;
	if (s->share_tests)
		keep(s, b, raw, rawlen);
	busy_drop(s, b);
}

void share_gone(struct share *s, size_t slot)
{
	struct busy *b = busy_of(s, slot);
	if (b)
		busy_drop(s, b);
}
