/* device/web_http.c — HTTP(S) session for embedded web servers over libcurl; see web_http.h.
 * Each transfer is bounded (time, body size, header count and size); redirects are followed
 * here, one hop at a time, only on the same host, port and scheme, and never in a loop. Every
 * failure keeps its reason (enum web_why + a sentence naming the page) for the caller's note. */
#include "device/web_http.h"

#include <curl/curl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/web_tap.h"
#include "device/web_tls.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/redact.h"
#include "util/text.h"

#define USER_AGENT "Mozilla/5.0 (compatible; mfpdoctor/" MFPDOCTOR_VERSION "; read-only)"

#define WEB_WHY_NAME(e, n) n,
static const char *const why_names[WEB_WHY_LAST] = {WEB_WHY_LIST(WEB_WHY_NAME)};
#undef WEB_WHY_NAME

const char *web_why_name(enum web_why w)
{
	return w >= 0 && w < WEB_WHY_LAST ? why_names[w] : "other";
}

char *web_size_words(long bytes)
{
	if (bytes >= 1024L * 1024 && bytes % (1024L * 1024) == 0)
		return xasprintf("%ld MiB", bytes / (1024L * 1024));
	if (bytes >= 1024 && bytes % 1024 == 0)
		return xasprintf("%ld KiB", bytes / 1024);
	return xasprintf("%ld bytes", bytes);
}

struct sink {
	struct buf body;
	long max;
	bool truncated;
	char *server;
	long nheaders;           /* header lines of the current response */
	long header_bytes;
	bool header_flood;
	struct strlist *keep;    /* header lines for --verbose, or NULL */
	struct strlist cookies;  /* Set-Cookie values, only while a tap observes */
	bool want_cookies;
};


static size_t on_body(char *p, size_t sz, size_t n, void *u)
{
	struct sink *s = u;
	size_t len = sz * n;
	if ((long)(s->body.len + len) > s->max) {
		size_t room = (size_t)s->max > s->body.len ? (size_t)s->max - s->body.len : 0;
		buf_append(&s->body, p, room);
		s->truncated = true;
		return 0; /* aborts with CURLE_WRITE_ERROR */
	}
	buf_append(&s->body, p, len);
	return len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *u)
{
	struct sink *s = u;
	size_t len = sz * n;
	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		s->nheaders = 0; /* a new response (after 100 Continue or an auth challenge) */
		s->header_bytes = 0;
	}
	s->nheaders++;
	s->header_bytes += (long)len;
	if (s->nheaders > WEB_MAX_HEADERS + 1 || s->header_bytes > WEB_MAX_HEADER_BYTES) {
		s->header_flood = true;
		return 0; /* aborts with CURLE_WRITE_ERROR */
	}
	if (s->keep && s->keep->n < WEB_KEEP_HEADERS && len > 2) {
		char *raw = text_trim(text_sanitize_n(p, len, 200, 0));
		if (*raw)
			strlist_add_owned(s->keep, redact_scrub(raw));
		free(raw);
	}
	if (s->want_cookies && len > 11 && strncasecmp(p, "Set-Cookie:", 11) == 0) {
		char *v = text_trim(text_sanitize_n(p + 11, len - 11, 4000, 0));
		strlist_add_owned(&s->cookies, v);
	}
	if (len > 7 && strncasecmp(p, "Server:", 7) == 0) {
		free(s->server);
		s->server = text_trim(text_sanitize_n(p + 7, len - 7, 200, 0));
	}
	return len;
}

int web_http_open(struct web_http *h, const char *base, const struct web_http_opts *o)
{
	memset(h, 0, sizeof(*h));
	h->opts = *o;
	if (h->opts.max_bytes <= 0)
		h->opts.max_bytes = WEB_MAX_BYTES_DEFAULT;
	if (h->opts.timeout_ms <= 0)
		h->opts.timeout_ms = 15000;
	h->base = xstrdup(base);
	h->tls = strncasecmp(base, "https:", 6) == 0;
	h->started_ms = clock_ms();
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(h->errbuf, sizeof(h->errbuf), "libcurl could not start a session");
		return -1;
	}
	h->curl = c;
	curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");          /* in-memory cookie engine */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);      /* redirects handled here, bounded */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	if (!h->opts.cut_ok) /* refuse up front what the server announces as too large */
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->opts.max_bytes);
	if (h->opts.cafile)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->opts.cafile);
	bool verify = !h->opts.insecure && !h->opts.pin;
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	return 0;
}

void web_http_set_auth(struct web_http *h, enum web_auth a, const char *user, const char *password)
{
	CURL *c = h->curl;
	if (a == WEB_AUTH_NONE || !user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_NONE);
		curl_easy_setopt(c, CURLOPT_USERNAME, NULL);
		curl_easy_setopt(c, CURLOPT_PASSWORD, NULL);
		return;
	}
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, a == WEB_AUTH_DIGEST ? CURLAUTH_DIGEST : CURLAUTH_BASIC);
	curl_easy_setopt(c, CURLOPT_USERNAME, user);
	curl_easy_setopt(c, CURLOPT_PASSWORD, password ? password : "");
}

long web_http_budget_left(const struct web_http *h)
{
	if (h->opts.budget_ms <= 0)
		return LONG_MAX;
	return h->opts.budget_ms - (long)(clock_ms() - h->started_ms);
}

static struct web_request_rec *add_rec(struct web_http *h, const char *method, const char *path)
{
	if (h->nreqs == h->capreqs) {
		h->capreqs = h->capreqs ? h->capreqs * 2 : 16;
		h->reqs = xrealloc(h->reqs, h->capreqs * sizeof(*h->reqs));
	}
	struct web_request_rec *q = &h->reqs[h->nreqs++];
	memset(q, 0, sizeof(*q));
	snprintf(q->method, sizeof(q->method), "%s", method);
	char *scrubbed = redact_scrub(path);
	q->path = text_sanitize(scrubbed, 300, 0);
	free(scrubbed);
	return q;
}

void web_request_rec_copy(struct web_request_rec *dst, const struct web_request_rec *src)
{
	*dst = *src;
	dst->path = xstrdup(src->path);
	dst->error = xstrdup(src->error);
	memset(&dst->headers, 0, sizeof(dst->headers));
	for (size_t i = 0; i < src->headers.n; i++)
		strlist_add(&dst->headers, src->headers.v[i]);
}

void web_request_rec_free(struct web_request_rec *q)
{
	free(q->path);
	free(q->error);
	strlist_free(&q->headers);
	memset(q, 0, sizeof(*q));
}

/* Sets the failure of r (and of the request record q, when not NULL). */
static void fail(struct web_response *r, struct web_request_rec *q, enum web_why why, const char *fmt, ...)
	MFP_PRINTF(4, 5);
static void fail(struct web_response *r, struct web_request_rec *q, enum web_why why, const char *fmt, ...)
{
	va_list ap;
	struct buf b = {0};
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *raw = buf_steal(&b);
	char *scrubbed = redact_scrub(raw);
	char *clean = text_sanitize(scrubbed, sizeof(r->error) - 1, 0);
	snprintf(r->error, sizeof(r->error), "%s", clean);
	r->why = why;
	if (q) {
		free(q->error);
		q->error = xstrdup(clean);
		q->why = why;
	}
	free(clean);
	free(scrubbed);
	free(raw);
}

static enum web_why why_of_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY:
		return WEB_WHY_CONNECT;
	case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return WEB_WHY_TLS;
	case CURLE_OPERATION_TIMEDOUT:
		return WEB_WHY_TIMEOUT;
	case CURLE_FILESIZE_EXCEEDED:
		return WEB_WHY_REFUSED_SIZE;
	case CURLE_WEIRD_SERVER_REPLY: case CURLE_GOT_NOTHING: case CURLE_RECV_ERROR: case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_HTTP2: case CURLE_PARTIAL_FILE:
		return WEB_WHY_PROTOCOL;
	default:
		return WEB_WHY_OTHER;
	}
}

/* Turns a failed transfer into its reason: what libcurl said and what we decided. */
static void explain_failure(struct web_http *h, const char *method, struct web_request_rec *q, CURLcode rc,
			    const struct sink *s, long limit_ms, struct web_response *r)
{
	const char *curlw = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
	char *max = web_size_words(h->opts.max_bytes);
	curl_off_t announced = -1;
	curl_easy_getinfo(h->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
	if (s->header_flood)
		fail(r, q, WEB_WHY_HEADERS, "%s %s: more than %d response headers (or over %d KiB of them): a header flood; "
		     "stopped reading", method, q->path, WEB_MAX_HEADERS, WEB_MAX_HEADER_BYTES / 1024);
	else if (s->truncated && h->opts.cut_ok)
		fail(r, q, WEB_WHY_TOO_LARGE, "%s %s: page larger than %s: cut at %s", method, q->path, max, max);
	else if (s->truncated)
		fail(r, q, WEB_WHY_TOO_LARGE, "%s %s: page larger than %s (--max-page-size): cut at %s, not read",
		     method, q->path, max, max);
	else if (rc == CURLE_FILESIZE_EXCEEDED)
		fail(r, q, WEB_WHY_REFUSED_SIZE, "%s %s: page larger than %s (--max-page-size): the server announced %lld "
		     "bytes; refused, not read", method, q->path, max, (long long)announced);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		fail(r, q, WEB_WHY_TIMEOUT, "%s %s timed out: no complete answer within %ld ms (%ld bytes received; a slow "
		     "or stalled web server)%s", method, q->path, limit_ms, (long)s->body.len,
		     limit_ms < h->opts.timeout_ms ? "; the time budget for the web pages ran out" : "");
	else
		fail(r, q, why_of_curl(rc), "%s %s failed: %s (curl error %d)", method, q->path, curlw, (int)rc);
	free(max);
}

/* Applies the per-request options for one transfer. */
static void setup_transfer(struct web_http *h, const char *url, const char *body, struct sink *s, long limit_ms)
{
	CURL *c = h->curl;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, limit_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, limit_ms);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	else
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
}

/* Moves what the transfer received into r. */
static void take_response(const char *url, struct sink *s, long status, CURLcode rc, char *ct,
			  struct web_response *r)
{
	r->status = status;
	r->curl_code = rc;
	r->truncated = s->truncated;
	free(r->body);
	r->len = s->body.len;
	r->body = buf_steal(&s->body);
	free(r->server);
	r->server = s->server;
	s->server = NULL;
	free(r->content_type);
	r->content_type = ct ? text_sanitize(ct, 120, 0) : NULL;
	free(r->effective_url);
	r->effective_url = xstrdup(url);
}

/* A live transfer: status, Content-Type and the redirect target (new strings or NULL). */
static CURLcode curl_transfer(CURL *c, long *status, char **ct, char **loc)
{
	CURLcode rc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 0L);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	char *t = NULL, *l = NULL;
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &t) == CURLE_OK && t)
		*ct = xstrdup(t);
	if (rc == CURLE_OK && *status >= 300 && *status < 400 &&
	    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &l) == CURLE_OK && l)
		*loc = xstrdup(l);
	return rc;
}

/* Replay: the tap's recorded answer instead of a transfer, same outputs as curl_transfer; a
 * request the recording lacks (or one that failed when recorded) fails r and q here. */
static CURLcode tap_transfer(struct web_http *h, const char *method, const char *path, const char *body,
			     struct sink *s, long *status, char **ct, char **loc, struct web_response *r,
			     struct web_request_rec *q)
{
	struct web_exchange x = {.base = h->base, .method = method, .path = path, .req_body = body};
	int arc = web_tap_answer(h, &x);
	*status = x.status;
	if (x.body)
		buf_append(&s->body, x.body, x.len);
	s->truncated = x.truncated;
	s->server = x.server ? text_sanitize(x.server, 200, 0) : NULL;
	*ct = xstrdup(x.content_type);
	*loc = xstrdup(x.location);
	if (arc == 0 && x.curl_code == 0)
		return CURLE_OK;
	fail(r, q, x.why != WEB_WHY_NONE ? x.why : WEB_WHY_CONNECT, "%s", x.error ? x.error : "not in the recording");
	return x.curl_code ? (CURLcode)x.curl_code : CURLE_COULDNT_CONNECT;
}

static int one_transfer(struct web_http *h, const char *method, const char *path, const char *body,
			struct web_response *r, char **redirect)
{
	CURL *c = h->curl;
	struct web_request_rec *q = add_rec(h, method, path);
	long left = web_http_budget_left(h);
	if (left <= 0) {
		fail(r, q, WEB_WHY_BUDGET, "%s %s not sent: the time budget for the web pages is used up", method, q->path);
		return -1;
	}
	long limit_ms = h->opts.timeout_ms < left ? h->opts.timeout_ms : left;
	struct sink s = {.max = h->opts.max_bytes, .keep = h->opts.keep_headers ? &q->headers : NULL};
	char *url = xasprintf("%s%s", h->base, path);
	char *referer = xasprintf("%s/", h->base);
	curl_easy_setopt(c, CURLOPT_REFERER, referer); /* some servers (Kyocera) answer 500 without one */
	setup_transfer(h, url, body, &s, limit_ms);
	h->errbuf[0] = '\0';
	double t0 = clock_ms();
	long status = 0;
	char *ct = NULL, *loc = NULL;
	const struct web_tap *tap = web_tap_get();
	s.want_cookies = tap && tap->observe;
	CURLcode rc = tap && tap->answer ? tap_transfer(h, method, path, body, &s, &status, &ct, &loc, r, q)
		      : curl_transfer(c, &status, &ct, &loc);
	q->ms = (long)(clock_ms() - t0);
	q->status = status;
	q->bytes = (long)s.body.len;
	q->curl_code = (int)rc;
	if (body)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L); /* never leave the handle in POST mode */
	bool cut = rc == CURLE_WRITE_ERROR && s.truncated && !s.header_flood && h->opts.cut_ok;
	if (rc != CURLE_OK && !(tap && tap->answer))
		explain_failure(h, method, q, rc, &s, limit_ms, r);
	take_response(url, &s, status, rc, ct, r);
	free(ct);
	if (tap && tap->observe)
		web_tap_observe(h, method, path, body, r, loc, &s.cookies);
	if (rc == CURLE_OK && status >= 300 && status < 400 && loc)
		*redirect = loc;
	else
		free(loc);
	strlist_free(&s.cookies);
	buf_free(&s.body);
	free(s.server);
	free(referer);
	free(url);
	return rc == CURLE_OK || cut ? 0 : -1;
}

/* Decides whether to follow a redirect to the absolute URL loc: returns the path to request
 * next (new string), or NULL after failing r with the reason. seen holds the paths already
 * requested in this chain. */
static char *follow(struct web_http *h, const char *method, const char *cur, const char *loc,
		    const struct strlist *seen, int hop, struct web_response *r)
{
	const char *first = seen->v[0]; /* the page asked for: named in every message */
	char *clean = text_sanitize(loc, 200, 0);
	char *path = NULL;
	CURLU *base = curl_url(), *to = curl_url();
	char *bh = NULL, *th = NULL, *bs = NULL, *ts = NULL, *bp = NULL, *tp = NULL, *tpath = NULL, *tq = NULL;
	curl_url_set(base, CURLUPART_URL, h->base, 0);
	bool parsed = curl_url_set(to, CURLUPART_URL, loc, 0) == CURLUE_OK;
	curl_url_get(base, CURLUPART_HOST, &bh, 0);
	curl_url_get(base, CURLUPART_SCHEME, &bs, 0);
	curl_url_get(base, CURLUPART_PORT, &bp, CURLU_DEFAULT_PORT);
	if (parsed) {
		curl_url_get(to, CURLUPART_HOST, &th, 0);
		curl_url_get(to, CURLUPART_SCHEME, &ts, 0);
		curl_url_get(to, CURLUPART_PORT, &tp, CURLU_DEFAULT_PORT);
		curl_url_get(to, CURLUPART_PATH, &tpath, 0);
		curl_url_get(to, CURLUPART_QUERY, &tq, 0);
	}
	char *thc = text_sanitize(th ? th : "?", 100, 0);
	if (!parsed)
		fail(r, NULL, WEB_WHY_REDIRECT_OFFHOST, "%s %s: redirect to something that is not a URL (%s) refused",
		     method, first, clean);
	else if (!th || !bh || strcasecmp(th, bh) != 0)
		fail(r, NULL, WEB_WHY_REDIRECT_OFFHOST, "%s %s: redirect to another host (%s) refused: %s was not "
		     "followed, nothing was sent there", method, first, thc, clean);
	else if (!ts || !bs || strcasecmp(ts, bs) != 0 || !tp || !bp || strcmp(tp, bp) != 0)
		fail(r, NULL, WEB_WHY_REDIRECT_OFFHOST, "%s %s: redirect to another scheme or port (%s) refused: only "
		     "%s is read", method, first, clean, h->base);
	else {
		path = xasprintf("%s%s%s", tpath ? tpath : "/", tq ? "?" : "", tq ? tq : "");
		bool again = false;
		for (size_t i = 0; i < seen->n && !again; i++)
			again = strcmp(seen->v[i], path) == 0;
		if (again)
			fail(r, NULL, WEB_WHY_REDIRECT_LOOP, "%s %s: redirect loop after %d hops at %s (the server keeps "
			     "sending back to a page it already redirected from, last from %s)", method, first, hop + 1,
			     path, cur);
		else if (hop >= WEB_MAX_REDIRECTS)
			fail(r, NULL, WEB_WHY_REDIRECT_LIMIT, "%s %s: more than %d redirects; stopped before %s", method,
			     first, WEB_MAX_REDIRECTS, path);
		if (r->why != WEB_WHY_NONE) {
			free(path);
			path = NULL;
		}
	}
	free(thc);
	curl_free(bh); curl_free(th); curl_free(bs); curl_free(ts); curl_free(bp); curl_free(tp);
	curl_free(tpath); curl_free(tq);
	curl_url_cleanup(base);
	curl_url_cleanup(to);
	free(clean);
	return path;
}

/* The trust decision before the first request of a TLS session. Returns 0 or -1 (r failed). */
static int trust_first(struct web_http *h, const char *method, const char *path, struct web_response *r)
{
	if (h->trust_refused) {
		fail(r, NULL, WEB_WHY_TLS, "%s %s not sent: the certificate of %s was not trusted", method, path, h->base);
		r->curl_code = CURLE_PEER_FAILED_VERIFICATION;
		return -1;
	}
	if (!h->tls || h->cert.verify_how)
		return 0;
	char err[sizeof(r->error)];
	const struct web_tap *tap = web_tap_get();
	if (tap && tap->cert ? tap->cert(tap->u, h->base, &h->cert, err, sizeof(err)) == 0
			     : web_tls_decide(h, err, sizeof(err)) == 0)
		return 0;
	h->trust_refused = h->cert.verify_how != NULL;
	struct web_request_rec *q = add_rec(h, method, path);
	/* the handshake itself failed (no TLS there, or it timed out), or the certificate is not trusted */
	r->curl_code = h->cert.verify_how ? CURLE_PEER_FAILED_VERIFICATION
		       : (h->handshake_rc ? h->handshake_rc : CURLE_SSL_CONNECT_ERROR);
	enum web_why why = h->cert.verify_how ? WEB_WHY_TLS : why_of_curl((CURLcode)r->curl_code);
	fail(r, q, why == WEB_WHY_OTHER || why == WEB_WHY_PROTOCOL ? WEB_WHY_TLS : why, "%s", err);
	if (tap && tap->observe)
		web_tap_observe(h, method, path, NULL, r, NULL, NULL);
	return -1;
}

static int request(struct web_http *h, const char *method, const char *path, const char *body, struct web_response *r)
{
	memset(r, 0, sizeof(*r));
	if (!h->curl) {
		fail(r, NULL, WEB_WHY_OTHER, "no HTTP session");
		return -1;
	}
	if (trust_first(h, method, path, r) != 0)
		return -1;
	struct strlist seen = {0};
	char *cur = xstrdup(path);
	const char *m = method;
	const char *b = body;
	int rc = -1;
	for (int hop = 0;; hop++) {
		char *redirect = NULL;
		strlist_add(&seen, cur);
		rc = one_transfer(h, m, cur, b, r, &redirect);
		if (rc != 0 || !redirect)
			break;
		char *next = follow(h, m, cur, redirect, &seen, hop, r);
		free(redirect);
		if (!next) {
			struct web_request_rec *q = &h->reqs[h->nreqs - 1]; /* the redirect not followed */
			q->why = r->why;
			free(q->error);
			q->error = xstrdup(r->error);
			rc = -1;
			break;
		}
		free(cur);
		cur = next;
		/* after a POST, 301/302/303 continue as GET, as browsers do */
		if (b && (r->status == 301 || r->status == 302 || r->status == 303)) {
			m = "GET";
			b = NULL;
		}
	}
	free(cur);
	strlist_free(&seen);
	return rc;
}

int web_http_get(struct web_http *h, const char *path, struct web_response *r)
{
	return request(h, "GET", path, NULL, r);
}

int web_http_post_form(struct web_http *h, const char *path, const char *body, struct web_response *r)
{
	return request(h, "POST", path, body ? body : "", r);
}

char *web_http_escape(struct web_http *h, const char *s)
{
	char *e = curl_easy_escape(h->curl, s ? s : "", 0);
	char *out = xstrdup(e ? e : "");
	curl_free(e);
	return out;
}

int web_http_post_read(struct web_http *h, const char *path, const char *ctype, const char *body,
		       struct web_response *r)
{
	char *hdr = xasprintf("Content-Type: %s", ctype ? ctype : "text/xml; charset=UTF-8");
	struct curl_slist *l = curl_slist_append(NULL, hdr);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, l);
	int rc = request(h, "POST", path, body ? body : "", r);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(l);
	free(hdr);
	return rc;
}

void web_response_free(struct web_response *r)
{
	free(r->body);
	free(r->content_type);
	free(r->server);
	free(r->effective_url);
	memset(r, 0, sizeof(*r));
}

void web_http_close(struct web_http *h)
{
	if (h->curl)
		curl_easy_cleanup(h->curl);
	for (size_t i = 0; i < h->nreqs; i++)
		web_request_rec_free(&h->reqs[i]);
	free(h->reqs);
	free(h->cert.subject);
	free(h->cert.issuer);
	free(h->cert.verify_how);
	free(h->base);
	memset(h, 0, sizeof(*h));
}
