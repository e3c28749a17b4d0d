/* smtp/result_json.c — a test send's raw facts as JSON and back; see result_json.h. */
#include "smtp/result_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

/* ---- writing ---- */

static json_t *jstr(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	char *clean = text_sanitize(s, 0, 1); /* not UTF-8 (the probe sanitises, so never expected) */
	j = json_string(clean);
	free(clean);
	return j ? j : json_string("?");
}

static json_t *jlist(const struct strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, jstr(l->v[i]));
	return a;
}

static json_t *jstage(enum stage s)
{
	return (int)s >= 0 && s < STAGE_LAST ? json_string(stage_name(s)) : json_null();
}

static json_t *reply_json(const struct smtp_reply *r)
{
	json_t *j = json_pack("{s:i, s:s, s:o, s:i, s:i, s:i}", "code", r->code, "enhanced", r->enhanced, "lines",
			      jstr(buf_str(&r->lines)), "nlines", r->nlines, "total_lines", r->total_lines, "first_code",
			      r->first_code);
	json_object_set_new(j, "complete", json_boolean(r->complete));
	json_object_set_new(j, "malformed", json_boolean(r->malformed));
	json_object_set_new(j, "mixed_codes", json_boolean(r->mixed_codes));
	json_object_set_new(j, "line_cut", json_boolean(r->line_cut));
	return j;
}

static json_t *caps_json(const struct smtp_caps *c)
{
	json_t *j = json_pack("{s:b, s:b, s:I, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "seen", c->seen, "size_present",
			      c->size_present, "size", (json_int_t)c->size, "starttls", c->starttls, "pipelining",
			      c->pipelining, "eightbitmime", c->eightbitmime, "smtputf8", c->smtputf8, "dsn", c->dsn,
			      "chunking", c->chunking, "enhancedstatuscodes", c->enhancedstatuscodes);
	json_object_set_new(j, "auth", jlist(&c->auth));
	json_object_set_new(j, "keywords", jlist(&c->keywords));
	json_object_set_new(j, "greeting", jstr(c->greeting));
	json_object_set_new(j, "cut", json_boolean(c->cut));
	return j;
}

static json_t *tls_json(const struct tls_facts *t)
{
	json_t *j = json_pack("{s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:s, s:I, s:s}", "attempted", t->attempted,
			      "established", t->established, "version", jstr(t->version), "cipher", jstr(t->cipher),
			      "subject", jstr(t->subject), "issuer", jstr(t->issuer), "sans", jlist(&t->sans), "not_after",
			      t->not_after, "days_left", (json_int_t)t->days_left, "sha256", t->sha256);
	json_object_set_new(j, "have_cert", json_boolean(t->have_cert));
	json_object_set_new(j, "chain_ok", json_boolean(t->chain_ok));
	json_object_set_new(j, "chain_error", jstr(t->chain_error));
	json_object_set_new(j, "name_ok", json_boolean(t->name_ok));
	json_object_set_new(j, "name_error", jstr(t->name_error));
	json_object_set_new(j, "verify_enforced", json_boolean(t->verify_enforced));
	json_object_set_new(j, "alert", jstr(t->alert));
	return j;
}

static json_t *steps_json(const struct smtp_result *res)
{
	json_t *a = json_array();
	for (size_t i = 0; i < res->nsteps; i++) {
		const struct smtp_step *s = &res->steps[i];
		json_array_append_new(a, json_pack("{s:o, s:i, s:o, s:o, s:i, s:f, s:b, s:o}", "stage", jstage(s->stage),
						   "index", s->index, "command", jstr(s->command), "reply",
						   reply_json(&s->reply), "rounds", s->rounds, "elapsed_ms", s->elapsed_ms,
						   "done", s->done, "detail", jstr(s->detail)));
	}
	return a;
}

static json_t *followups_json(const struct smtp_result *res)
{
	json_t *a = json_array();
	for (size_t i = 0; i < res->nfollowups; i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:b}", "what", jstr(res->followups[i].what), "result",
						   jstr(res->followups[i].result), "positive", res->followups[i].positive));
	return a;
}

json_t *smtp_result_to_json(const struct smtp_result *res)
{
	json_t *j = json_pack("{s:s, s:o, s:o, s:o, s:o, s:s, s:I, s:o, s:o}", "schema", SMTP_RESULT_JSON_SCHEMA, "steps",
			      steps_json(res), "caps_before", caps_json(&res->caps_before), "caps_after",
			      caps_json(&res->caps_after), "tls", tls_json(&res->tls), "tls_used", tls_mode_name(res->tls_used),
			      "port_used", (json_int_t)res->port_used, "host", jstr(res->host), "ip", jstr(res->ip));
	json_t *v = json_pack("{s:b, s:b, s:o, s:o, s:o, s:b, s:b, s:b, s:I, s:o, s:f}", "ok", res->ok, "completed",
			      res->completed, "failed_stage", jstage(res->failed_stage), "fail_reply",
			      reply_json(&res->fail_reply), "error", jstr(res->error), "budget_exhausted",
			      res->budget_exhausted, "step_timeout", res->step_timeout, "reply_too_large",
			      res->reply_too_large, "reply_bytes", (json_int_t)res->reply_bytes, "cut_stage",
			      jstage(res->cut_stage), "cut_wait_ms", res->cut_wait_ms);
	json_object_update_new(j, v);
	json_object_update_new(j, json_pack("{s:I, s:i, s:o, s:b, s:b, s:b, s:I, s:f, s:o, s:o}", "transcript_dropped",
					   (json_int_t)res->transcript_dropped, "curl_code", res->curl_code, "curl_error",
					   jstr(res->curl_error), "delivered", res->delivered, "helo_fallback",
					   res->helo_fallback, "auth_attempted", res->auth_attempted, "message_size",
					   (json_int_t)res->message_size, "total_ms", res->total_ms, "transcript",
					   jlist(&res->transcript), "followups", followups_json(res)));
	return j;
}

/* ---- reading ---- */

struct rd {
	char *err;
	size_t errsz;
	bool bad;
};

static void MFP_PRINTF(3, 4) fail(struct rd *r, const char *where, const char *fmt, ...)
{
	if (r->bad)
		return; /* the first problem is the one reported */
	r->bad = true;
	char what[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errsz, "%s: %s", where, what);
}

static void mkpath(char path[200], const char *where, const char *key)
{
	snprintf(path, 200, "%s%s%s", where, *where ? "." : "", key);
}

/* The member key of o, or NULL with a message when it is missing. */
static const json_t *get(struct rd *r, const json_t *o, const char *where, const char *key, char path[200])
{
	mkpath(path, where, key);
	const json_t *v = json_object_get(o, key);
	if (!v)
		fail(r, path, "missing");
	return v;
}

static bool rboolean(struct rd *r, const json_t *o, const char *where, const char *key)
{
	char p[200];
	const json_t *v = get(r, o, where, key, p);
	if (v && !json_is_boolean(v))
		fail(r, p, "expected true or false");
	return json_is_true(v);
}

static long long rinteger(struct rd *r, const json_t *o, const char *where, const char *key, long long lo, long long hi)
{
	char p[200];
	const json_t *v = get(r, o, where, key, p);
	if (v && !json_is_integer(v))
		fail(r, p, "expected an integer");
	long long n = json_is_integer(v) ? (long long)json_integer_value(v) : 0;
	if (n < lo || n > hi) {
		fail(r, p, "%lld is out of range (%lld to %lld)", n, lo, hi);
		n = 0;
	}
	return n;
}

static double rnum(struct rd *r, const json_t *o, const char *where, const char *key)
{
	char p[200];
	const json_t *v = get(r, o, where, key, p);
	if (v && !json_is_number(v))
		fail(r, p, "expected a number");
	return json_is_number(v) ? json_number_value(v) : 0;
}

/* A string or null (NULL), as a new string. */
static char *rstr(struct rd *r, const json_t *o, const char *where, const char *key)
{
	char p[200];
	const json_t *v = get(r, o, where, key, p);
	if (v && !json_is_string(v) && !json_is_null(v))
		fail(r, p, "expected a string or null");
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

/* A string of at most cap - 1 bytes into a fixed array (null: ""). */
static void rfixed(struct rd *r, const json_t *o, const char *where, const char *key, char *dst, size_t cap)
{
	char *s = rstr(r, o, where, key);
	char p[200];
	mkpath(p, where, key);
	if (s && strlen(s) >= cap)
		fail(r, p, "longer than %zu bytes", cap - 1);
	else
		snprintf(dst, cap, "%s", s ? s : "");
	free(s);
}

static void rlist(struct rd *r, const json_t *o, const char *where, const char *key, struct strlist *l)
{
	char p[200];
	const json_t *a = get(r, o, where, key, p);
	if (a && !json_is_array(a))
		fail(r, p, "expected an array of strings");
	size_t i;
	const json_t *v;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			fail(r, p, "item %zu is not a string", i);
			return;
		}
		strlist_add(l, json_string_value(v));
	}
}

/* A stage name, or null for "none" (STAGE_LAST) when allowed. */
static enum stage rstage(struct rd *r, const json_t *o, const char *where, const char *key, bool allow_none)
{
	char *s = rstr(r, o, where, key);
	enum stage st = s ? stage_parse(s) : STAGE_LAST;
	char p[200];
	mkpath(p, where, key);
	if (s && st == STAGE_LAST)
		fail(r, p, "'%.40s' is not a stage", s);
	else if (!s && !allow_none && !r->bad)
		fail(r, p, "expected a stage name");
	free(s);
	return st;
}

static const json_t *robj(struct rd *r, const json_t *o, const char *where, const char *key, char path[200])
{
	const json_t *v = get(r, o, where, key, path);
	if (v && !json_is_object(v))
		fail(r, path, "expected an object");
	return v;
}

static void read_reply(struct rd *r, const json_t *o, const char *where, const char *key, struct smtp_reply *rp)
{
	char p[200];
	const json_t *j = robj(r, o, where, key, p);
	rp->code = (int)rinteger(r, j, p, "code", 0, 999);
	rfixed(r, j, p, "enhanced", rp->enhanced, sizeof(rp->enhanced));
	char *lines = rstr(r, j, p, "lines");
	if (lines)
		buf_puts(&rp->lines, lines);
	free(lines);
	rp->nlines = (int)rinteger(r, j, p, "nlines", 0, SMTP_REPLY_MAX_LINES);
	rp->total_lines = (int)rinteger(r, j, p, "total_lines", 0, 1LL << 30);
	rp->first_code = (int)rinteger(r, j, p, "first_code", 0, 999);
	rp->complete = rboolean(r, j, p, "complete");
	rp->malformed = rboolean(r, j, p, "malformed");
	rp->mixed_codes = rboolean(r, j, p, "mixed_codes");
	rp->line_cut = rboolean(r, j, p, "line_cut");
}

static void read_caps(struct rd *r, const json_t *o, const char *key, struct smtp_caps *c)
{
	char p[200];
	const json_t *j = robj(r, o, "", key, p);
	c->seen = rboolean(r, j, p, "seen");
	c->size_present = rboolean(r, j, p, "size_present");
	c->size = rinteger(r, j, p, "size", 0, 1LL << 62);
	c->starttls = rboolean(r, j, p, "starttls");
	c->pipelining = rboolean(r, j, p, "pipelining");
	c->eightbitmime = rboolean(r, j, p, "eightbitmime");
	c->smtputf8 = rboolean(r, j, p, "smtputf8");
	c->dsn = rboolean(r, j, p, "dsn");
	c->chunking = rboolean(r, j, p, "chunking");
	c->enhancedstatuscodes = rboolean(r, j, p, "enhancedstatuscodes");
	rlist(r, j, p, "auth", &c->auth);
	rlist(r, j, p, "keywords", &c->keywords);
	c->greeting = rstr(r, j, p, "greeting");
	c->cut = rboolean(r, j, p, "cut");
}

static void read_tls(struct rd *r, const json_t *o, struct tls_facts *t)
{
	char p[200];
	const json_t *j = robj(r, o, "", "tls", p);
	t->attempted = rboolean(r, j, p, "attempted");
	t->established = rboolean(r, j, p, "established");
	rfixed(r, j, p, "version", t->version, sizeof(t->version));
	rfixed(r, j, p, "cipher", t->cipher, sizeof(t->cipher));
	t->subject = rstr(r, j, p, "subject");
	t->issuer = rstr(r, j, p, "issuer");
	rlist(r, j, p, "sans", &t->sans);
	rfixed(r, j, p, "not_after", t->not_after, sizeof(t->not_after));
	t->days_left = (long)rinteger(r, j, p, "days_left", -(1LL << 31), 1LL << 31);
	rfixed(r, j, p, "sha256", t->sha256, sizeof(t->sha256));
	t->have_cert = rboolean(r, j, p, "have_cert");
	t->chain_ok = rboolean(r, j, p, "chain_ok");
	t->chain_error = rstr(r, j, p, "chain_error");
	t->name_ok = rboolean(r, j, p, "name_ok");
	t->name_error = rstr(r, j, p, "name_error");
	t->verify_enforced = rboolean(r, j, p, "verify_enforced");
	t->alert = rstr(r, j, p, "alert");
}

/* An array member as (array, size); a message when it is not an array. */
static size_t rarray(struct rd *r, const json_t *o, const char *key, const json_t **a)
{
	char p[200];
	*a = get(r, o, "", key, p);
	if (*a && !json_is_array(*a)) {
		fail(r, p, "expected an array");
		*a = NULL;
	}
	return json_array_size(*a);
}

static void read_steps(struct rd *r, const json_t *o, struct smtp_result *res)
{
	const json_t *a;
	size_t n = rarray(r, o, "steps", &a);
	res->steps = n ? xcalloc(n, sizeof(*res->steps)) : NULL;
	res->capsteps = n;
	for (size_t i = 0; i < n && !r->bad; i++) {
		char p[40];
		snprintf(p, sizeof(p), "steps[%zu]", i);
		const json_t *s = json_array_get(a, i);
		if (!json_is_object(s)) {
			fail(r, p, "expected an object");
			break;
		}
		struct smtp_step *st = &res->steps[res->nsteps++];
		st->stage = rstage(r, s, p, "stage", false);
		st->index = (int)rinteger(r, s, p, "index", 0, 1 << 20);
		st->command = rstr(r, s, p, "command");
		read_reply(r, s, p, "reply", &st->reply);
		st->rounds = (int)rinteger(r, s, p, "rounds", 0, 1 << 20);
		st->elapsed_ms = rnum(r, s, p, "elapsed_ms");
		st->done = rboolean(r, s, p, "done");
		st->detail = rstr(r, s, p, "detail");
	}
}

static void read_followups(struct rd *r, const json_t *o, struct smtp_result *res)
{
	const json_t *a;
	size_t n = rarray(r, o, "followups", &a);
	res->followups = n ? xcalloc(n, sizeof(*res->followups)) : NULL;
	for (size_t i = 0; i < n && !r->bad; i++) {
		char p[40];
		snprintf(p, sizeof(p), "followups[%zu]", i);
		const json_t *f = json_array_get(a, i);
		struct smtp_followup *fu = &res->followups[res->nfollowups++];
		fu->what = rstr(r, f, p, "what");
		fu->result = rstr(r, f, p, "result");
		fu->positive = rboolean(r, f, p, "positive");
	}
}

static enum tls_mode rtls_mode(struct rd *r, const json_t *o)
{
	char *s = rstr(r, o, "", "tls_used");
	int m = TLS_AUTO;
	while (s && m <= TLS_IMPLICIT && strcmp(tls_mode_name((enum tls_mode)m), s) != 0)
		m++;
	if (!r->bad && (!s || m > TLS_IMPLICIT))
		fail(r, "tls_used", "expected one of " TLS_MODE_CHOICES);
	free(s);
	return m > TLS_IMPLICIT ? TLS_AUTO : (enum tls_mode)m;
}

static void read_verdict(struct rd *r, const json_t *j, struct smtp_result *res)
{
	res->ok = rboolean(r, j, "", "ok");
	res->completed = rboolean(r, j, "", "completed");
	res->failed_stage = rstage(r, j, "", "failed_stage", true);
	read_reply(r, j, "", "fail_reply", &res->fail_reply);
	res->error = rstr(r, j, "", "error");
	res->budget_exhausted = rboolean(r, j, "", "budget_exhausted");
	res->step_timeout = rboolean(r, j, "", "step_timeout");
	res->reply_too_large = rboolean(r, j, "", "reply_too_large");
	res->reply_bytes = rinteger(r, j, "", "reply_bytes", 0, 1LL << 62);
	res->cut_stage = rstage(r, j, "", "cut_stage", true);
	res->cut_wait_ms = rnum(r, j, "", "cut_wait_ms");
}

int smtp_result_from_json(const json_t *j, struct smtp_result *res, char *err, size_t errsz)
{
	struct rd r = {err, errsz, false};
	const char *schema = json_string_value(json_object_get(j, "schema"));
	if (!json_is_object(j) || !schema || strcmp(schema, SMTP_RESULT_JSON_SCHEMA) != 0) {
		snprintf(err, errsz, "not a test-send result (expected an object with \"schema\": \"%s\")",
			 SMTP_RESULT_JSON_SCHEMA);
		return -1;
	}
	read_steps(&r, j, res);
	read_caps(&r, j, "caps_before", &res->caps_before);
	read_caps(&r, j, "caps_after", &res->caps_after);
	read_tls(&r, j, &res->tls);
	res->tls_used = rtls_mode(&r, j);
	res->port_used = (long)rinteger(&r, j, "", "port_used", 0, 65535);
	res->host = rstr(&r, j, "", "host");
	res->ip = rstr(&r, j, "", "ip");
	read_verdict(&r, j, res);
	res->transcript_dropped = (size_t)rinteger(&r, j, "", "transcript_dropped", 0, 1LL << 40);
	res->curl_code = (int)rinteger(&r, j, "", "curl_code", 0, 1 << 16);
	res->curl_error = rstr(&r, j, "", "curl_error");
	res->delivered = rboolean(&r, j, "", "delivered");
	res->helo_fallback = rboolean(&r, j, "", "helo_fallback");
	res->auth_attempted = rboolean(&r, j, "", "auth_attempted");
	res->message_size = rinteger(&r, j, "", "message_size", 0, 1LL << 62);
	res->total_ms = rnum(&r, j, "", "total_ms");
	rlist(&r, j, "", "transcript", &res->transcript);
	read_followups(&r, j, res);
	if (!r.bad)
		return 0;
	smtp_result_free(res);
	return -1;
}
