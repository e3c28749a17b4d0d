/* device/web_session.c — opening the web session of a read: HTTPS first, plain HTTP only when
 * allowed (--http) and HTTPS is not there, the root page, certificate facts, and the copy of the
 * session (URL, certificate, request log) into the caller's trace. Notes keep the real reason
 * a root page could not be read (no server, certificate, timeout, redirect, size, headers). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/web_reader.h"
#include "util/buf.h"

static char *host_for_url(const char *host)
{
	if (strchr(host, ':') && host[0] != '[')
		return xasprintf("[%s]", host); /* IPv6 literal */
	return xstrdup(host);
}

static bool no_https_there(int code)
{
	return code == CURLE_COULDNT_CONNECT || code == CURLE_SSL_CONNECT_ERROR || code == CURLE_GOT_NOTHING ||
	       code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR || code == CURLE_OPERATION_TIMEDOUT;
}

void web_session_trace(struct reader *r)
{
	struct web_trace *t = r->o->trace;
	if (!t)
		return;
	free(t->base);
	t->base = xstrdup(r->h.base);
	t->plain_http = r->h.base && !r->h.tls;
	t->cert.seen = r->h.cert.seen;
	memcpy(t->cert.sha256, r->h.cert.sha256, sizeof(t->cert.sha256));
	t->cert.verified = r->h.cert.verified;
	t->cert.subject = xstrdup(r->h.cert.subject);
	t->cert.issuer = xstrdup(r->h.cert.issuer);
	t->cert.verify_how = xstrdup(r->h.cert.verify_how);
	t->nreqs = r->h.nreqs;
	t->reqs = xcalloc(r->h.nreqs ? r->h.nreqs : 1, sizeof(*t->reqs));
	for (size_t i = 0; i < r->h.nreqs; i++) {
		web_request_rec_copy(&t->reqs[i], &r->h.reqs[i]);
	}
}

void web_session_cert_facts(struct reader *r)
{
	if (!r->h.tls || !r->h.cert.seen)
		return;
	device_set(r->d, "web.certificate_sha256", r->h.cert.sha256, FACT_WEB, "TLS handshake");
	device_set(r->d, "web.certificate_subject", r->h.cert.subject, FACT_WEB, "TLS handshake");
	device_set(r->d, "web.certificate_verified", r->h.cert.verified ? "yes" : "no", FACT_WEB,
		   r->h.cert.verify_how ? r->h.cert.verify_how : "TLS handshake");
}

/* Moves the request log of the HTTPS attempt to a new plain-HTTP session at base. */
static int reopen_plain(struct reader *r, const char *base, const struct web_http_opts *ho)
{
	struct web_request_rec *keep = r->h.reqs;
	size_t nkeep = r->h.nreqs;
	r->h.reqs = NULL;
	r->h.nreqs = r->h.capreqs = 0;
	web_http_close(&r->h);
	if (web_http_open(&r->h, base, ho) == 0) {
		r->h.reqs = keep;
		r->h.nreqs = r->h.capreqs = nkeep;
		return 0;
	}
	for (size_t i = 0; i < nkeep; i++)
		web_request_rec_free(&keep[i]);
	free(keep);
	device_note(r->d, "web: %s", r->h.errbuf);
	return -1;
}

/* HTTPS is not there and --http allows plain HTTP: read "/" over HTTP. Returns 0 or -1 (noted). */
static int plain_fallback(struct reader *r, const char *host, const struct web_http_opts *ho,
			  struct web_response *root)
{
	const struct web_options *o = r->o;
	char *https_err = xstrdup(root->error);
	web_response_free(root);
	char *base = o->port ? xasprintf("http://%s:%d", host, o->port) : xasprintf("http://%s", host);
	int rc = -1;
	if (reopen_plain(r, base, ho) != 0)
		goto out;
	if (web_http_get(&r->h, "/", root) != 0) {
		if (root->why == WEB_WHY_CONNECT)
			device_note(r->d, "web: no web server answered: HTTPS: %s; HTTP: %s", https_err, root->error);
		else
			device_note(r->d, "web: the web server at %s was reached over plain HTTP, but the root page could not "
				    "be used: %s (HTTPS: %s)", base, root->error, https_err);
		goto out;
	}
	device_note(r->d, "web: the device offers no HTTPS (%s); the pages were read over plain HTTP (--http), so the "
		    "login and settings crossed the network unencrypted", https_err);
	rc = 0;
out:
	free(base);
	free(https_err);
	return rc;
}

int web_session_open(struct reader *r, struct web_response *root)
{
	const struct web_options *o = r->o;
	struct web_http_opts ho = {.cafile = o->cafile, .pin = o->pin, .insecure = o->insecure,
				   .timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 15000,
				   .max_bytes = o->max_bytes, .keep_headers = o->verbose};
	ho.budget_ms = o->budget_ms > 0 ? o->budget_ms : ho.timeout_ms * 4 + 10000;
	char *host = host_for_url(o->host ? o->host : r->d->host);
	char *base = o->port ? xasprintf("https://%s:%d", host, o->port) : xasprintf("https://%s", host);
	int rc = -1;
	memset(root, 0, sizeof(*root));
	if (web_http_open(&r->h, base, &ho) != 0) {
		device_note(r->d, "web: %s", r->h.errbuf);
	} else if (web_http_get(&r->h, "/", root) == 0) {
		rc = 0;
	} else if (!no_https_there(root->curl_code) || r->h.cert.verify_how) {
		device_note(r->d, "web: %s", root->error);
		web_session_cert_facts(r);
	} else if (!o->allow_http) {
		device_note(r->d, "web: no HTTPS answer from %s (%s); rerun with --http to read the pages over plain "
			    "HTTP if the device offers nothing else", base, root->error);
	} else {
		rc = plain_fallback(r, host, &ho, root);
	}
	free(host);
	free(base);
	return rc;
}
