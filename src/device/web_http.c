/* device/web_http.c — HTTP(S) session for embedded web servers over libcurl; see web_http.h. */
#include "device/web_http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/redact.h"
#include "util/text.h"

#define USER_AGENT "Mozilla/5.0 (compatible; mfpdoctor/" MFPDOCTOR_VERSION "; read-only)"

struct sink {
	struct buf body;
	long max;
	bool truncated;
	char *server;
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
	if (len > 7 && strncasecmp(p, "Server:", 7) == 0) {
		free(s->server);
		s->server = text_trim(text_sanitize_n(p + 7, len - 7, 200, 0));
	}
	return len;
}

int web_pin_normalise(const char *pin, char *out, size_t outsz)
{
	if (!pin)
		return -1;
	if (strncasecmp(pin, "sha256:", 7) == 0)
		pin += 7;
	else if (strncasecmp(pin, "sha256//", 8) == 0)
		pin += 8;
	char hex[65];
	size_t n = 0;
	for (const char *p = pin; *p; p++) {
		if (*p == ':' || *p == ' ')
			continue;
		if (!isxdigit((unsigned char)*p) || n >= 64)
			return -1;
		hex[n++] = (char)toupper((unsigned char)*p);
	}
	if (n != 64 || outsz < 96)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < 64; i += 2) {
		if (i)
			out[o++] = ':';
		out[o++] = hex[i];
		out[o++] = hex[i + 1];
	}
	out[o] = '\0';
	return 0;
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

static X509 *leaf_from_certinfo(CURL *c)
{
	struct curl_certinfo *ci = NULL;
	if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
		return NULL;
	for (struct curl_slist *s = ci->certinfo[0]; s; s = s->next) {
		if (strncmp(s->data, "Cert:", 5) != 0)
			continue;
		BIO *bio = BIO_new_mem_buf(s->data + 5, -1);
		X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		return x;
	}
	return NULL;
}

static char *name_line(X509_NAME *n)
{
	char b[512];
	X509_NAME_oneline(n, b, sizeof(b));
	return text_sanitize(b, 500, 0);
}

/* Records the leaf certificate and computes the libcurl public-key pin. Returns 0 or -1. */
static int record_cert(struct web_http *h)
{
	X509 *x = leaf_from_certinfo(h->curl);
	if (!x)
		return -1;
	struct web_cert *wc = &h->cert;
	wc->seen = true;
	free(wc->subject);
	free(wc->issuer);
	wc->subject = name_line(X509_get_subject_name(x));
	wc->issuer = name_line(X509_get_issuer_name(x));
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	wc->sha256[0] = '\0';
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1) {
		size_t o = 0;
		for (unsigned i = 0; i < mdlen && o + 4 < sizeof(wc->sha256); i++)
			o += (size_t)snprintf(wc->sha256 + o, sizeof(wc->sha256) - o, "%s%02X", i ? ":" : "", md[i]);
	}
	/* libcurl pins the SHA-256 of the DER SubjectPublicKeyInfo */
	unsigned char *spki = NULL;
	int spkilen = i2d_PUBKEY(X509_get0_pubkey(x), &spki);
	if (spkilen > 0 && EVP_Digest(spki, (size_t)spkilen, md, &mdlen, EVP_sha256(), NULL) == 1) {
		char *b64 = redact_base64(md, (int)mdlen);
		snprintf(h->spki_pin, sizeof(h->spki_pin), "sha256//%s", b64 ? b64 : "");
		free(b64);
	}
	OPENSSL_free(spki);
	X509_free(x);
	return 0;
}

static void set_how(struct web_http *h, bool verified, const char *how)
{
	h->cert.verified = verified;
	free(h->cert.verify_how);
	h->cert.verify_how = xstrdup(how);
}

/* A TLS handshake that sends nothing (CURLOPT_CONNECT_ONLY) to learn the certificate. */
static int handshake_only(struct web_http *h, bool verify, char *err, size_t errsz)
{
	CURL *c = h->curl;
	char *url = xasprintf("%s/", h->base);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	long left = web_http_budget_left(h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left < h->opts.timeout_ms ? (left > 0 ? left : 1) : h->opts.timeout_ms);
	h->errbuf[0] = '\0';
	CURLcode rc = curl_easy_perform(c);
	h->handshake_rc = rc;
	if (rc == CURLE_OK)
		record_cert(h);
	else
		snprintf(err, errsz, "TLS handshake with %s failed: %s", h->base, h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 0L);
	/* a connect-only connection is never reused for a transfer; close it now */
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	free(url);
	return rc == CURLE_OK ? 0 : -1;
}

/* The trust decision, made once before the first request on a TLS session. Nothing is sent
 * before it is made. Returns 0 when requests may go ahead, -1 with err filled otherwise. */
static int decide_trust(struct web_http *h, char *err, size_t errsz)
{
	CURL *c = h->curl;
	if (h->opts.pin) {
		char want[100];
		if (web_pin_normalise(h->opts.pin, want, sizeof(want)) != 0) {
			snprintf(err, errsz, "--web-pin: not a SHA-256 fingerprint (SHA256:AB:CD:… with 32 bytes)");
			return -1;
		}
		if (handshake_only(h, false, err, errsz) != 0)
			return -1;
		if (!h->cert.seen) {
			snprintf(err, errsz, "no certificate received from %s: cannot compare with --web-pin", h->base);
			return -1;
		}
		if (strcmp(want, h->cert.sha256) != 0) {
			set_how(h, false, "pinned fingerprint does not match");
			snprintf(err, errsz, "the certificate of %s (SHA-256 %s) is not the pinned one (%s): nothing was sent",
				 h->base, h->cert.sha256, want);
			return -1;
		}
		set_how(h, true, "pinned fingerprint");
		/* every later connection must present the same public key (checked by libcurl) */
		curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, h->spki_pin);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		return 0;
	}
	if (h->opts.insecure) {
		if (handshake_only(h, false, err, errsz) != 0)
			return -1;
		set_how(h, false, "not verified (--web-insecure)");
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		return 0;
	}
	char verr[300] = "";
	if (handshake_only(h, true, verr, sizeof(verr)) == 0) {
		set_how(h, true, h->opts.cafile ? "CA (--web-cafile)" : "CA (system trust store)");
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
		return 0;
	}
	/* Learn the fingerprint over an unverified handshake; still send nothing. */
	char e2[300] = "";
	if (handshake_only(h, false, e2, sizeof(e2)) != 0) {
		snprintf(err, errsz, "%s", verr);
		return -1;
	}
	char how[340];
	snprintf(how, sizeof(how), "not verified: %s", verr);
	set_how(h, false, how);
	snprintf(err, errsz,
		 "%s — nothing was sent. Check the fingerprint on the device's panel or certificate page, then "
		 "rerun with --web-pin SHA256:%s (or --web-cafile FILE, or --web-insecure)",
		 verr, h->cert.sha256);
	return -1;
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

/* Path part of an absolute URL under base, or NULL when it leaves base (other host/scheme). */
static const char *under_base(const struct web_http *h, const char *url)
{
	size_t n = strlen(h->base);
	if (strncasecmp(url, h->base, n) != 0)
		return NULL;
	if (url[n] == '/')
		return url + n;
	return url[n] == '\0' ? "/" : NULL;
}

static int one_transfer(struct web_http *h, const char *method, const char *path, const char *body,
			struct web_response *r, char **redirect)
{
	CURL *c = h->curl;
	struct sink s = {.max = h->opts.max_bytes};
	char *url = xasprintf("%s%s", h->base, path);
	struct web_request_rec *q = add_rec(h, method, path);
	long left = web_http_budget_left(h);
	if (left <= 0) {
		snprintf(r->error, sizeof(r->error), "GET %s not sent: the time budget for the web pages is used up", q->path);
		q->error = xstrdup(r->error);
		free(url);
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->opts.timeout_ms < left ? h->opts.timeout_ms : left);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->opts.timeout_ms < left ? h->opts.timeout_ms : left);
	char *referer = xasprintf("%s/", h->base);
	curl_easy_setopt(c, CURLOPT_REFERER, referer); /* some servers (Kyocera) answer 500 without one */
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	h->errbuf[0] = '\0';
	double t0 = clock_ms();
	CURLcode rc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 0L);
	q->ms = (long)(clock_ms() - t0);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	q->status = status;
	q->bytes = (long)s.body.len;
	if (body)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L); /* never leave the handle in POST mode */
	r->status = status;
	r->curl_code = rc;
	r->truncated = s.truncated;
	free(r->body);
	r->len = s.body.len;
	r->body = buf_steal(&s.body);
	free(r->server);
	r->server = s.server;
	free(r->content_type);
	char *ct = NULL;
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	r->content_type = ct ? text_sanitize(ct, 120, 0) : NULL;
	free(r->effective_url);
	r->effective_url = xstrdup(url);
	if (rc != CURLE_OK) {
		if (s.truncated)
			snprintf(r->error, sizeof(r->error), "%s %s: response larger than the %ld-byte limit; stopped reading",
				 method, q->path, h->opts.max_bytes);
		else if (rc == CURLE_OPERATION_TIMEDOUT)
			snprintf(r->error, sizeof(r->error), "%s %s: no complete answer within %ld ms (%s)", method, q->path,
				 h->opts.timeout_ms < left ? h->opts.timeout_ms : left, h->errbuf[0] ? h->errbuf : "timeout");
		else
			snprintf(r->error, sizeof(r->error), "%s %s failed: %s", method, q->path,
				 h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
		q->error = text_sanitize(r->error, 320, 0);
	}
	char *loc = NULL;
	if (rc == CURLE_OK && status >= 300 && status < 400 &&
	    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
		*redirect = xstrdup(loc);
	free(referer);
	free(url);
	return rc == CURLE_OK ? 0 : -1;
}

static int request(struct web_http *h, const char *method, const char *path, const char *body, struct web_response *r)
{
	memset(r, 0, sizeof(*r));
	if (!h->curl) {
		snprintf(r->error, sizeof(r->error), "no HTTP session");
		return -1;
	}
	if (h->trust_refused) {
		snprintf(r->error, sizeof(r->error), "%s %s not sent: the certificate of %s was not trusted", method, path, h->base);
		r->curl_code = CURLE_PEER_FAILED_VERIFICATION;
		return -1;
	}
	if (h->tls && !h->cert.verify_how) {
		char err[sizeof(r->error)];
		if (decide_trust(h, err, sizeof(err)) != 0) {
			h->trust_refused = h->cert.verify_how != NULL;
			snprintf(r->error, sizeof(r->error), "%s", err);
			struct web_request_rec *q = add_rec(h, method, path);
			q->error = text_sanitize(err, 320, 0);
			/* the handshake itself failed (no TLS there), or the certificate is not trusted */
			r->curl_code = h->cert.verify_how ? CURLE_PEER_FAILED_VERIFICATION
				       : (h->handshake_rc ? h->handshake_rc : CURLE_SSL_CONNECT_ERROR);
			return -1;
		}
	}
	char *cur = xstrdup(path);
	const char *m = method;
	const char *b = body;
	int rc = -1;
	for (int hop = 0;; hop++) {
		char *redirect = NULL;
		rc = one_transfer(h, m, cur, b, r, &redirect);
		if (rc != 0 || !redirect) {
			free(redirect);
			break;
		}
		const char *next = under_base(h, redirect);
		if (!next || hop >= WEB_MAX_REDIRECTS) {
			char *clean = text_sanitize(redirect, 200, 0);
			snprintf(r->error, sizeof(r->error), "%s %s: redirect to %s not followed (%s)", m, cur, clean,
				 next ? "too many redirects" : "another host or scheme");
			free(clean);
			free(redirect);
			break;
		}
		free(cur);
		cur = xstrdup(next);
		free(redirect);
		/* after a POST, 301/302/303 continue as GET, as browsers do */
		if (b && (r->status == 301 || r->status == 302 || r->status == 303)) {
			m = "GET";
			b = NULL;
		}
	}
	free(cur);
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

char *web_http_cookie(struct web_http *h, const char *name)
{
	struct curl_slist *list = NULL;
	char *val = NULL;
	if (curl_easy_getinfo(h->curl, CURLINFO_COOKIELIST, &list) != CURLE_OK)
		return NULL;
	/* Netscape format: domain \t flag \t path \t secure \t expiry \t name \t value */
	for (struct curl_slist *s = list; s && !val; s = s->next) {
		const char *f = s->data;
		for (int i = 0; i < 5 && f; i++) {
			f = strchr(f, '\t');
			if (f)
				f++;
		}
		if (!f)
			continue;
		const char *tab = strchr(f, '\t');
		if (tab && (size_t)(tab - f) == strlen(name) && strncmp(f, name, (size_t)(tab - f)) == 0)
			val = xstrdup(tab + 1);
	}
	curl_slist_free_all(list);
	return val;
}

void web_http_clear_cookies(struct web_http *h)
{
	curl_easy_setopt(h->curl, CURLOPT_COOKIELIST, "ALL");
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
	for (size_t i = 0; i < h->nreqs; i++) {
		free(h->reqs[i].path);
		free(h->reqs[i].error);
	}
	free(h->reqs);
	free(h->cert.subject);
	free(h->cert.issuer);
	free(h->cert.verify_how);
	free(h->base);
	memset(h, 0, sizeof(*h));
}
