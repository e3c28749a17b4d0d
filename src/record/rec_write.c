/* record/rec_write.c — writing a recording directory: device.snmprec (sorted, one line per
 * object), web/exchanges.json plus one body file per exchange, manifest.json. Everything written
 * passes rec_scrub first (secrets always; addresses, names and serials with --anonymize). */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/versions.h"
#include "device/web_http.h"
#include "record/rec.h"
#include "record/rec_snmprec.h"

static int werr(char *err, size_t errsz, const char *dir, const char *file, const char *what)
{
	snprintf(err, errsz, "cannot write %s/%s: %s", dir, file, what);
	return -1;
}

static int write_file(const char *dir, const char *name, const char *data, size_t n, char *err, size_t errsz)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	int rc = 0;
	if (!f || (n && fwrite(data, 1, n, f) != n))
		rc = werr(err, errsz, dir, name, strerror(errno));
	if (f && fclose(f) != 0 && rc == 0)
		rc = werr(err, errsz, dir, name, strerror(errno));
	free(p);
	return rc;
}

static int write_json(const char *dir, const char *name, json_t *j, char *err, size_t errsz)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc = s ? write_file(dir, name, s, strlen(s), err, errsz) : werr(err, errsz, dir, name, "JSON encoding");
	free(s);
	return rc;
}

/* An empty (or new) directory for the recording. */
static int make_dir(const char *dir, char *err, size_t errsz)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errsz, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errsz, "cannot open %s: %s", dir, strerror(errno));
		return -1;
	}
	struct dirent *e;
	bool empty = true;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	if (!empty) {
		snprintf(err, errsz, "%s is not empty: give a new directory for the recording", dir);
		return -1;
	}
	char *w = xasprintf("%s/web", dir);
	int rc = mkdir(w, 0755);
	if (rc != 0)
		snprintf(err, errsz, "cannot create %s: %s", w, strerror(errno));
	free(w);
	return rc;
}

static int write_snmprec(struct recorder *r, struct rec_anon *an, const char *dir, size_t *n, char *err, size_t errsz)
{
	rec_snmprec_sort(&r->vbs);
	struct buf b = {0};
	*n = 0;
	for (size_t i = 0; i < r->vbs.n; i++) {
		rec_scrub_vb(an, &r->vbs.v[i]);
		if (rec_snmprec_line(&b, &r->vbs.v[i]))
			(*n)++;
	}
	int rc = write_file(dir, REC_SNMPREC, b.data ? b.data : "", b.len, err, errsz);
	buf_free(&b);
	return rc;
}

static json_t *jstr(struct rec_anon *an, const char *s)
{
	if (!s)
		return json_null();
	char *c = rec_scrub(an, s);
	json_t *j = json_string(c);
	free(c);
	return j ? j : json_string("(not UTF-8)");
}

static json_t *exchange_json(struct rec_anon *an, const struct rec_exchange *x, const char *body_file, size_t n)
{
	const char *loc = x->location;
	if (loc && x->base && strncmp(loc, x->base, strlen(x->base)) == 0 && loc[strlen(x->base)] == '/')
		loc += strlen(x->base); /* same server: kept as a path, replayed against any base */
	json_t *names = json_array();
	for (size_t i = 0; i < x->cookie_names.n; i++)
		json_array_append_new(names, jstr(an, x->cookie_names.v[i]));
	return json_pack("{s:o s:s s:o s:o s:I s:o s:o s:o s:o s:s s:I s:b s:i s:s s:o}", "base", jstr(an, x->base),
			 "method", x->method, "path", jstr(an, x->path), "request_body", jstr(an, x->req_body),
			 "status", (json_int_t)x->status, "content_type", jstr(an, x->content_type), "server",
			 jstr(an, x->server), "location", jstr(an, loc), "set_cookie_names", names, "body_file", body_file,
			 "bytes", (json_int_t)n, "truncated", x->truncated, "curl_code", x->curl_code, "why",
			 web_why_name((enum web_why)x->why), "error", jstr(an, x->error));
}

static int write_web(struct recorder *r, struct rec_anon *an, const char *dir, char *err, size_t errsz)
{
	json_t *list = json_array();
	int rc = 0;
	for (size_t i = 0; i < r->nx && rc == 0; i++) {
		struct rec_exchange *x = &r->x[i];
		char name[40];
		snprintf(name, sizeof(name), "web/%03zu.body", i + 1);
		size_t n;
		char *body = rec_scrub_n(an, x->body, x->len, &n);
		rc = write_file(dir, name, body, n, err, errsz);
		free(body);
		json_array_append_new(list, exchange_json(an, x, name, n));
	}
	if (rc == 0)
		rc = write_json(dir, REC_EXCHANGES, list, err, errsz);
	json_decref(list);
	return rc;
}

static json_t *strlist_json(struct rec_anon *an, const struct strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, jstr(an, l->v[i]));
	return a;
}

static json_t *cert_json(struct rec_anon *an, const struct recorder *r)
{
	if (!r->cert.seen)
		return json_null();
	return json_pack("{s:o s:s s:o s:o s:b s:o}", "base", jstr(an, r->cert_base), "sha256", r->cert.sha256,
			 "subject", jstr(an, r->cert.subject), "issuer", jstr(an, r->cert.issuer), "verified",
			 r->cert.verified, "verify_how", jstr(an, r->cert.verify_how));
}

static json_t *manifest(struct recorder *r, struct rec_anon *an, const struct rec_meta *m, size_t nobj)
{
	struct versions v;
	versions_get(&v);
	char when[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *j = json_pack("{s:s s:s s:s s:s s:s s:s s:o s:b}", "format", "mfpdoctor-recording 1", "mfpdoctor",
			      v.mfpdoctor, "libcurl", v.libcurl, "tls_backend", v.tls_backend, "net-snmp", v.netsnmp,
			      "recorded", when, "host", jstr(an, m->host), "anonymized", m->anonymized);
	json_object_set_new(j, "snmp", json_pack("{s:o s:i s:s s:I}", "peer", jstr(an, m->snmp_peer), "version",
						 m->snmp_version, "file", REC_SNMPREC, "objects", (json_int_t)nobj));
	json_object_set_new(j, "web", json_pack("{s:i s:s s:I s:o s:b}", "port", m->web_port, "file", REC_EXCHANGES,
						"exchanges", (json_int_t)r->nx, "certificate", cert_json(an, r), "login",
						m->web_login));
	json_object_set_new(j, "device", json_pack("{s:o s:o}", "vendor_id", jstr(an, m->vendor_id), "family",
						   jstr(an, m->family)));
	json_object_set_new(j, "read", strlist_json(an, &r->read));
	json_object_set_new(j, "failed", strlist_json(an, &r->failed));
	json_object_set_new(j, "limits", strlist_json(an, &r->limits));
	json_object_set_new(j, "redaction", json_string(
		"passwords, tokens, session cookie values, CSRF fields, SNMP community and SNMPv3 keys replaced by "
		REC_REDACTED " or [redacted]; Set-Cookie headers kept by name only"));
	return j;
}

int rec_write(struct recorder *r, struct rec_anon *an, const struct rec_meta *m, const char *dir, char *err,
	      size_t errsz)
{
	if (make_dir(dir, err, errsz) != 0)
		return -1;
	size_t nobj = 0;
	if (write_snmprec(r, an, dir, &nobj, err, errsz) != 0 || write_web(r, an, dir, err, errsz) != 0)
		return -1;
	json_t *j = manifest(r, an, m, nobj);
	int rc = write_json(dir, REC_MANIFEST, j, err, errsz);
	json_decref(j);
	return rc;
}
