/* record/rec_record.c — the recorder: observing taps on the SNMP and HTTP transports, and the
 * bounded walk of whole subtrees (so a recording holds more than the objects decode uses). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/rec.h"
#include "util/clock.h"

static void on_vb(void *u, const struct snmpw_vb *vb)
{
	struct recorder *r = u;
	if (vb->type == SNMPW_NOSUCHOBJECT || vb->type == SNMPW_NOSUCHINSTANCE || vb->type == SNMPW_ENDOFMIB)
		return;
	snmpw_vbs_add(&r->vbs, &vb->name, vb->type, vb->i, vb->bytes, vb->len);
}

/* "name" of "name=value; Path=/" */
static char *cookie_name(const char *set_cookie)
{
	size_t n = strcspn(set_cookie, "=;");
	return xstrndup(set_cookie, n);
}

static void copy_cert(struct recorder *r, const char *base, const struct web_cert *c)
{
	if (!c || !c->seen || r->cert.seen)
		return;
	r->cert.seen = true;
	memcpy(r->cert.sha256, c->sha256, sizeof(r->cert.sha256));
	r->cert.subject = xstrdup(c->subject);
	r->cert.issuer = xstrdup(c->issuer);
	r->cert.verified = c->verified;
	r->cert.verify_how = xstrdup(c->verify_how);
	r->cert_base = xstrdup(base);
}

static void on_exchange(void *u, const struct web_exchange *e)
{
	struct recorder *r = u;
	if (r->nx == r->capx) {
		r->capx = r->capx ? r->capx * 2 : 16;
		r->x = xrealloc(r->x, r->capx * sizeof(*r->x));
	}
	struct rec_exchange *x = &r->x[r->nx++];
	memset(x, 0, sizeof(*x));
	x->base = xstrdup(e->base);
	x->method = xstrdup(e->method);
	x->path = xstrdup(e->path);
	x->req_body = xstrdup(e->req_body);
	x->content_type = xstrdup(e->content_type);
	x->server = xstrdup(e->server);
	x->location = xstrdup(e->location);
	x->error = xstrdup(e->error);
	for (size_t i = 0; e->cookies && i < e->cookies->n; i++)
		strlist_add_owned(&x->cookie_names, cookie_name(e->cookies->v[i]));
	x->status = e->status;
	x->body = xmalloc(e->len + 1);
	if (e->len)
		memcpy(x->body, e->body, e->len);
	x->body[e->len] = '\0';
	x->len = e->len;
	x->truncated = e->truncated;
	x->curl_code = e->curl_code;
	x->why = (int)e->why;
	copy_cert(r, e->base, e->cert);
}

void rec_start(struct recorder *r)
{
	memset(r, 0, sizeof(*r));
	r->stap = (struct snmpw_tap){.observe = on_vb, .u = r};
	r->wtap = (struct web_tap){.observe = on_exchange, .u = r};
	snmpw_set_tap(&r->stap);
	web_http_set_tap(&r->wtap);
}

void rec_stop(struct recorder *r)
{
	(void)r;
	snmpw_set_tap(NULL);
	web_http_set_tap(NULL);
}

void rec_free(struct recorder *r)
{
	snmpw_vbs_free(&r->vbs);
	for (size_t i = 0; i < r->nx; i++) {
		struct rec_exchange *x = &r->x[i];
		free(x->base); free(x->method); free(x->path); free(x->req_body); free(x->content_type);
		free(x->server); free(x->location); free(x->error); free(x->body);
		strlist_free(&x->cookie_names);
	}
	free(r->x);
	free(r->cert.subject);
	free(r->cert.issuer);
	free(r->cert.verify_how);
	free(r->cert_base);
	strlist_free(&r->read);
	strlist_free(&r->failed);
	strlist_free(&r->limits);
	memset(r, 0, sizeof(*r));
}

/* Walks one subtree; returns the varbinds it added. */
static long walk_one(struct recorder *r, struct snmpw *s, bool bulk, const char *root, long room, double deadline)
{
	struct snmpw_oid base, cur;
	if (snmpw_oid_parse(root, &base) < 0)
		return 0;
	cur = base;
	long got = 0;
	for (;;) {
		if (got >= room) {
			strlist_add_owned(&r->limits, xasprintf("walk of %s stopped at the limit of varbinds", root));
			break;
		}
		long left = (long)(deadline - clock_ms());
		if (left < 100) {
			strlist_add_owned(&r->limits, xasprintf("walk of %s stopped: time limit", root));
			break;
		}
		snmpw_set_timeout(s, left < 2000 ? left : 2000, 0);
		struct snmpw_vbs out = {0};
		struct snmpw_err err;
		int rc = bulk ? snmpw_getbulk(s, &cur, 1, 0, 25, &out, &err) : snmpw_getnext(s, &cur, 1, &out, &err);
		if (rc != 0) {
			strlist_add_owned(&r->failed, xasprintf("walk of %s: %s", root, err.msg));
			snmpw_vbs_free(&out);
			break;
		}
		bool done = out.n == 0;
		for (size_t i = 0; i < out.n && !done; i++) {
			struct snmpw_vb *v = &out.v[i];
			if (v->type == SNMPW_ENDOFMIB || !snmpw_oid_under(&v->name, &base) ||
			    snmpw_oid_cmp(&v->name, &cur) <= 0)
				done = true; /* end of the subtree (or an agent going backwards) */
			else {
				cur = v->name;
				got++;
			}
		}
		snmpw_vbs_free(&out);
		if (done)
			break;
	}
	return got;
}

void rec_walk(struct recorder *r, const struct snmpw_conf *conf, const char *const *roots, size_t nroots,
	      long max_vbs, long budget_ms)
{
	double deadline = clock_ms() + budget_ms;
	struct snmpw_conf c = *conf;
	c.timeout_ms = 2000;
	c.retries = 0;
	struct snmpw_err err;
	struct snmpw *s = snmpw_open(&c, &err);
	if (!s) {
		strlist_add_owned(&r->failed, xasprintf("SNMP walk: %s", err.msg));
		return;
	}
	long total = 0;
	for (size_t i = 0; i < nroots; i++) {
		long n = walk_one(r, s, c.version != 1, roots[i], max_vbs - total, deadline);
		total += n;
		strlist_add_owned(&r->read, xasprintf("SNMP subtree %s: %ld objects", roots[i], n));
	}
	snmpw_close(s);
}
