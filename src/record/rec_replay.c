/* record/rec_replay.c — replaying a recording in-process: an SNMP backend behind the session
 * wrapper answering GET, GETNEXT and GETBULK from device.snmprec, and an HTTP backend behind
 * the web session serving the recorded exchanges in the order they were recorded (the same page
 * fetched twice gets its two answers in turn). A missing or corrupt file is named in the error. */
#define _GNU_SOURCE /* strptime, timegm */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "record/rec.h"
#include "record/rec_snmprec.h"

#define REPLAY_MAX_VBS 2000

/* Index of the first object after o (n when none). */
static size_t after(const struct snmpw_vbs *l, const struct snmpw_oid *o)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (snmpw_oid_cmp(&l->v[mid].name, o) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void add_copy(struct snmpw_vbs *out, const struct snmpw_vb *v)
{
	snmpw_vbs_add(out, &v->name, v->type, v->i, v->bytes, v->len);
}

/* GETNEXT of o into out; returns the name answered (o itself at the end of the MIB). */
static struct snmpw_oid next_of(const struct replay *p, const struct snmpw_oid *o, struct snmpw_vbs *out)
{
	size_t i = after(&p->vbs, o);
	if (i < p->vbs.n) {
		add_copy(out, &p->vbs.v[i]);
		return p->vbs.v[i].name;
	}
	snmpw_vbs_add(out, o, SNMPW_ENDOFMIB, 0, NULL, 0);
	return *o;
}

static int snmp_answer(void *u, const char *op, const struct snmpw_oid *oids, size_t n, int nonrep, int maxrep,
		       struct snmpw_vbs *out, struct snmpw_err *err)
{
	const struct replay *p = u;
	(void)err;
	if (strcmp(op, "GET") == 0) {
		for (size_t k = 0; k < n; k++) {
			size_t i = after(&p->vbs, &oids[k]);
			if (i > 0 && snmpw_oid_cmp(&p->vbs.v[i - 1].name, &oids[k]) == 0)
				add_copy(out, &p->vbs.v[i - 1]);
			else
				snmpw_vbs_add(out, &oids[k], SNMPW_NOSUCHOBJECT, 0, NULL, 0);
		}
		return 0;
	}
	if (strcmp(op, "GETNEXT") == 0 || nonrep >= (int)n) {
		for (size_t k = 0; k < n; k++)
			next_of(p, &oids[k], out);
		return 0;
	}
	size_t nr = nonrep > 0 ? (size_t)nonrep : 0, rep = n - nr;
	for (size_t k = 0; k < nr; k++)
		next_of(p, &oids[k], out);
	struct snmpw_oid *cur = xcalloc(rep, sizeof(*cur));
	for (size_t k = 0; k < rep; k++)
		cur[k] = oids[nr + k];
	for (int r = 0; r < (maxrep > 0 ? maxrep : 1) && out->n + rep <= REPLAY_MAX_VBS; r++)
		for (size_t k = 0; k < rep; k++)
			cur[k] = next_of(p, &cur[k], out);
	free(cur);
	return 0;
}

static bool same_scheme(const char *a, const char *b)
{
	size_t la = strcspn(a, ":"), lb = strcspn(b, ":");
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* Does recorded exchange x answer the request e (path as sent or as the recording stores it)? */
static bool matches(const struct rec_exchange *x, const struct web_exchange *e, const char *want)
{
	return same_scheme(x->base, e->base) && strcmp(x->method, e->method) == 0 &&
	       (strcmp(x->path, e->path) == 0 || strcmp(x->path, want) == 0);
}

/* The answer for e: the first unused one with the same request body (read-only POSTs that send
 * different commands to one path), else the first unused one, else the last one again. */
static struct rec_exchange *find(struct replay *p, const struct web_exchange *e)
{
	char *want = rec_scrub(NULL, e->path), *body = rec_scrub(NULL, e->req_body);
	struct rec_exchange *same = NULL, *fresh = NULL, *last = NULL;
	for (size_t i = 0; i < p->nx && !same; i++) {
		struct rec_exchange *x = &p->x[i];
		if (!matches(x, e, want))
			continue;
		last = x;
		if (!x->served && !fresh)
			fresh = x;
		if (!x->served && body && x->req_body && strcmp(body, x->req_body) == 0)
			same = x;
	}
	free(want);
	free(body);
	return same ? same : fresh ? fresh : last;
}

static int web_answer(void *u, struct web_exchange *e, struct strlist *cookie_names)
{
	struct replay *p = u;
	struct rec_exchange *hit = find(p, e);
	if (!hit) {
		e->why = WEB_WHY_CONNECT;
		e->curl_code = 7; /* CURLE_COULDNT_CONNECT */
		e->error = "not in the recording (the recorded run did not request it)";
		return -1;
	}
	hit->served = true;
	e->status = hit->status;
	e->content_type = hit->content_type;
	e->server = hit->server;
	free(p->served_loc);
	p->served_loc = hit->location && hit->location[0] == '/' ? xasprintf("%s%s", e->base, hit->location)
								: xstrdup(hit->location);
	e->location = p->served_loc;
	e->body = hit->body;
	e->len = hit->len;
	e->truncated = hit->truncated;
	e->curl_code = hit->curl_code;
	e->why = (enum web_why)hit->why;
	e->error = hit->error;
	for (size_t i = 0; i < hit->cookie_names.n; i++)
		strlist_add(cookie_names, hit->cookie_names.v[i]);
	return 0;
}

static int web_cert(void *u, const char *base, struct web_cert *c, char *err, size_t errsz)
{
	const struct replay *p = u;
	(void)base;
	if (!p->have_cert) {
		snprintf(err, errsz, "the recording holds no certificate for %s (it was read over plain HTTP, or not at all)",
			 base);
		return -1;
	}
	c->seen = true;
	memcpy(c->sha256, p->cert.sha256, sizeof(c->sha256));
	free(c->subject);
	free(c->issuer);
	free(c->verify_how);
	c->subject = xstrdup(p->cert.subject);
	c->issuer = xstrdup(p->cert.issuer);
	c->verified = p->cert.verified;
	c->verify_how = xstrdup(p->cert.verify_how ? p->cert.verify_how : "as recorded");
	if (c->verified)
		return 0;
	snprintf(err, errsz, "the certificate of %s was not trusted when recorded (%s)", base, c->verify_how);
	return -1;
}

static int bad(char *err, size_t errsz, const char *dir, const char *file, const char *why)
{
	snprintf(err, errsz, "recording %s: %s/%s %s", dir, dir, file, why);
	return -1;
}

static bool access_missing(const char *dir, const char *file)
{
	char *path = xasprintf("%s/%s", dir, file);
	struct stat st;
	bool missing = stat(path, &st) != 0;
	free(path);
	return missing;
}

static const char *jget(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *load_json(const char *dir, const char *file, char *err, size_t errsz)
{
	char *path = xasprintf("%s/%s", dir, file);
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	free(path);
	if (!j) {
		char why[300];
		if (access_missing(dir, file))
			snprintf(why, sizeof(why), "is missing: not a complete mfpdoctor recording");
		else
			snprintf(why, sizeof(why), "is corrupt: line %d: %s", je.line, je.text);
		bad(err, errsz, dir, file, why);
	}
	return j;
}

static int load_manifest(struct replay *p, char *err, size_t errsz)
{
	json_t *m = load_json(p->dir, REC_MANIFEST, err, errsz);
	if (!m)
		return -1;
	const char *fmt = jget(m, "format");
	int rc = 0;
	if (!fmt || strncmp(fmt, "mfpdoctor-recording ", 20) != 0)
		rc = bad(err, errsz, p->dir, REC_MANIFEST, "is not an mfpdoctor recording manifest (no \"format\")");
	const json_t *snmp = json_object_get(m, "snmp"), *web = json_object_get(m, "web"),
		     *dev = json_object_get(m, "device");
	p->host = xstrdup(jget(m, "host"));
	p->recorded = xstrdup(jget(m, "recorded"));
	p->snmp_peer = xstrdup(jget(snmp, "peer"));
	p->anonymized = json_is_true(json_object_get(m, "anonymized"));
	p->web_port = (int)json_integer_value(json_object_get(web, "port"));
	p->web_login = json_is_true(json_object_get(web, "login"));
	p->vendor_id = xstrdup(jget(dev, "vendor_id"));
	p->family = xstrdup(jget(dev, "family"));
	const json_t *c = json_object_get(web, "certificate");
	if (json_is_object(c) && jget(c, "sha256")) {
		p->have_cert = true;
		p->cert.seen = true;
		snprintf(p->cert.sha256, sizeof(p->cert.sha256), "%s", jget(c, "sha256"));
		p->cert.subject = xstrdup(jget(c, "subject"));
		p->cert.issuer = xstrdup(jget(c, "issuer"));
		p->cert.verify_how = xstrdup(jget(c, "verify_how"));
		p->cert.verified = json_is_true(json_object_get(c, "verified"));
	}
	if (rc == 0 && !p->host)
		rc = bad(err, errsz, p->dir, REC_MANIFEST, "names no \"host\"");
	json_decref(m);
	return rc;
}

/* hrSystemDate moves on with the time since the recording, so the device's clock error (device
 * clock minus ours) is replayed as it was, not grown by the recording's age. */
static void shift_clock(struct replay *p)
{
	struct snmpw_oid hr;
	struct tm rt = {0};
	if (!p->recorded || !strptime(p->recorded, "%Y-%m-%dT%H:%M:%SZ", &rt) || snmpw_oid_parse("1.3.6.1.2.1.25.1.2.0", &hr))
		return;
	time_t age = time(NULL) - timegm(&rt);
	for (size_t i = 0; i < p->vbs.n; i++) {
		struct snmpw_vb *v = &p->vbs.v[i];
		if (snmpw_oid_cmp(&v->name, &hr) != 0 || v->type != SNMPW_STR || (v->len != 8 && v->len != 11))
			continue;
		unsigned char *b = v->bytes;
		struct tm t = {.tm_year = (b[0] << 8 | b[1]) - 1900, .tm_mon = b[2] - 1, .tm_mday = b[3], .tm_hour = b[4],
			       .tm_min = b[5], .tm_sec = b[6]};
		time_t when = timegm(&t) + age;
		struct tm n;
		gmtime_r(&when, &n);
		int y = n.tm_year + 1900;
		b[0] = (unsigned char)(y >> 8);
		b[1] = (unsigned char)(y & 0xff);
		b[2] = (unsigned char)(n.tm_mon + 1);
		b[3] = (unsigned char)n.tm_mday;
		b[4] = (unsigned char)n.tm_hour;
		b[5] = (unsigned char)n.tm_min;
		b[6] = (unsigned char)n.tm_sec;
	}
}

static int load_snmprec(struct replay *p, char *err, size_t errsz)
{
	char *path = xasprintf("%s/%s", p->dir, REC_SNMPREC);
	FILE *f = fopen(path, "r");
	free(path);
	if (!f)
		return bad(err, errsz, p->dir, REC_SNMPREC, errno == ENOENT ? "is missing: not a complete mfpdoctor recording"
								       : strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	long no = 0;
	int rc = 0;
	ssize_t got;
	while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
		no++;
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		if (!*line || *line == '#')
			continue;
		char why[200], msg[300];
		if (rec_snmprec_parse(line, &p->vbs, why, sizeof(why)) != 0) {
			snprintf(msg, sizeof(msg), "is corrupt: line %ld: %s", no, why);
			rc = bad(err, errsz, p->dir, REC_SNMPREC, msg);
		}
	}
	free(line);
	fclose(f);
	rec_snmprec_sort(&p->vbs);
	shift_clock(p);
	return rc;
}

static char *read_body(const char *dir, const char *file, size_t want, char *err, size_t errsz)
{
	if (!file || strstr(file, "..") || file[0] == '/') {
		bad(err, errsz, dir, REC_EXCHANGES, "is corrupt: an exchange without a valid body_file");
		return NULL;
	}
	char *path = xasprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "rb");
	free(path);
	if (!f) {
		bad(err, errsz, dir, file, "is missing (listed in " REC_EXCHANGES ")");
		return NULL;
	}
	char *b = xmalloc(want + 1);
	size_t n = fread(b, 1, want, f);
	int extra = fgetc(f);
	fclose(f);
	if (n != want || extra != EOF) {
		char why[200];
		snprintf(why, sizeof(why), "is corrupt: %s bytes, %zu expected (" REC_EXCHANGES ")",
			 n != want ? "fewer" : "more", want);
		bad(err, errsz, dir, file, why);
		free(b);
		return NULL;
	}
	b[n] = '\0';
	return b;
}

static int why_of(const char *name)
{
	for (int w = 0; w < WEB_WHY_LAST; w++)
		if (name && strcmp(web_why_name((enum web_why)w), name) == 0)
			return w;
	return WEB_WHY_NONE;
}

static int load_exchange(struct replay *p, const json_t *o, struct rec_exchange *x, char *err, size_t errsz)
{
	x->base = xstrdup(jget(o, "base"));
	x->method = xstrdup(jget(o, "method"));
	x->path = xstrdup(jget(o, "path"));
	if (!x->base || !x->method || !x->path)
		return bad(err, errsz, p->dir, REC_EXCHANGES, "is corrupt: an exchange without base, method or path");
	x->req_body = xstrdup(jget(o, "request_body"));
	x->content_type = xstrdup(jget(o, "content_type"));
	x->server = xstrdup(jget(o, "server"));
	x->location = xstrdup(jget(o, "location"));
	x->error = xstrdup(jget(o, "error"));
	x->status = (long)json_integer_value(json_object_get(o, "status"));
	x->truncated = json_is_true(json_object_get(o, "truncated"));
	x->curl_code = (int)json_integer_value(json_object_get(o, "curl_code"));
	x->why = why_of(jget(o, "why"));
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(o, "set_cookie_names"), i, v)
		if (json_is_string(v))
			strlist_add(&x->cookie_names, json_string_value(v));
	json_int_t n = json_integer_value(json_object_get(o, "bytes"));
	if (n < 0 || n > 256L * 1024 * 1024)
		return bad(err, errsz, p->dir, REC_EXCHANGES, "is corrupt: an exchange with an impossible size");
	x->len = (size_t)n;
	x->body = read_body(p->dir, jget(o, "body_file"), x->len, err, errsz);
	return x->body ? 0 : -1;
}

static int load_web(struct replay *p, char *err, size_t errsz)
{
	json_t *list = load_json(p->dir, REC_EXCHANGES, err, errsz);
	if (!list)
		return -1;
	int rc = 0;
	if (!json_is_array(list))
		rc = bad(err, errsz, p->dir, REC_EXCHANGES, "is corrupt: not a list of exchanges");
	size_t n = json_is_array(list) ? json_array_size(list) : 0;
	p->x = xcalloc(n ? n : 1, sizeof(*p->x));
	for (size_t i = 0; i < n && rc == 0; i++) {
		p->nx++;
		rc = load_exchange(p, json_array_get(list, i), &p->x[i], err, errsz);
	}
	json_decref(list);
	return rc;
}

int replay_open(struct replay *p, const char *dir, char *err, size_t errsz)
{
	memset(p, 0, sizeof(*p));
	p->dir = xstrdup(dir);
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errsz, "recording %s: not a directory (%s)", dir, stat(dir, &st) ? strerror(errno) : "a file");
		return -1;
	}
	if (load_manifest(p, err, errsz) != 0 || load_snmprec(p, err, errsz) != 0 || load_web(p, err, errsz) != 0)
		return -1;
	p->stap = (struct snmpw_tap){.answer = snmp_answer, .u = p};
	p->wtap = (struct web_tap){.answer = web_answer, .cert = web_cert, .u = p};
	snmpw_set_tap(&p->stap);
	web_http_set_tap(&p->wtap);
	return 0;
}

void replay_close(struct replay *p)
{
	snmpw_set_tap(NULL);
	web_http_set_tap(NULL);
	snmpw_vbs_free(&p->vbs);
	for (size_t i = 0; i < p->nx; i++) {
		struct rec_exchange *x = &p->x[i];
		free(x->base); free(x->method); free(x->path); free(x->req_body); free(x->content_type);
		free(x->server); free(x->location); free(x->error); free(x->body);
		strlist_free(&x->cookie_names);
	}
	free(p->x);
	free(p->cert.subject);
	free(p->cert.issuer);
	free(p->cert.verify_how);
	free(p->dir); free(p->host); free(p->snmp_peer); free(p->recorded); free(p->vendor_id); free(p->family);
	free(p->served_loc);
	memset(p, 0, sizeof(*p));
}
