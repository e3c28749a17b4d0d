/* device/identify_http.c — vendor from the embedded web server's front page; see
 * identify_http.h. Licence: see LICENSE. */
#include "device/identify_http.h"

#include <curl/curl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profile/profile.h"
#include "util/text.h"

#define BODY_MAX (256 * 1024)

struct page {
	struct buf body;
	char *server;
	char fingerprint[100];
	long status;
};

static size_t on_body(char *p, size_t sz, size_t n, void *u)
{
	struct page *pg = u;
	size_t len = sz * n;
	if (pg->body.len + len > BODY_MAX)
		return 0; /* enough to recognise a page */
	buf_append(&pg->body, p, len);
	return len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *u)
{
	struct page *pg = u;
	size_t len = sz * n;
	if (len > 7 && strncasecmp(p, "Server:", 7) == 0) {
		free(pg->server);
		char *raw = xstrndup(p + 7, len - 7);
		pg->server = text_trim(text_sanitize(raw, 200, 0));
		free(raw);
	}
	return len;
}

/* SHA-256 of the server certificate (PEM from CURLINFO_CERTINFO), "AB:CD:..". */
static void cert_fingerprint(CURL *h, char *out, size_t outsz)
{
	struct curl_certinfo *ci = NULL;
	out[0] = 0;
	if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
		return;
	for (struct curl_slist *s = ci->certinfo[0]; s; s = s->next) {
		if (strncmp(s->data, "Cert:", 5) != 0)
			continue;
		BIO *bio = BIO_new_mem_buf(s->data + 5, -1);
		X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		if (x && X509_digest(x, EVP_sha256(), md, &mdlen)) {
			size_t off = 0;
			for (unsigned i = 0; i < mdlen && off + 4 < outsz; i++)
				off += (size_t)snprintf(out + off, outsz - off, i ? ":%02X" : "%02X", md[i]);
		}
		X509_free(x);
		BIO_free(bio);
		return;
	}
}

static int fetch(struct device *d, const char *url, long timeout_ms, struct page *pg, char *err, size_t errsz)
{
	CURL *h = curl_easy_init();
	if (!h) {
		snprintf(err, errsz, "libcurl could not start");
		return -1;
	}
	char ebuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mfpdoctor/" MFPDOCTOR_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, pg);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, pg);
	/* Identification only: printers use self-signed certificates; the fingerprint is noted. */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
	d->web_requests++;
	CURLcode rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &pg->status);
	if (strncmp(url, "https:", 6) == 0)
		cert_fingerprint(h, pg->fingerprint, sizeof(pg->fingerprint));
	curl_easy_cleanup(h);
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && pg->body.len)) {
		snprintf(err, errsz, "%s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

static char *page_title(const char *body)
{
	regex_t re;
	regmatch_t m[2];
	char *out = NULL;
	if (regcomp(&re, "<title[^>]*>([^<]*)<", REG_EXTENDED | REG_ICASE) != 0)
		return NULL;
	if (regexec(&re, body, 2, m, 0) == 0 && m[1].rm_eo > m[1].rm_so) {
		char *raw = xstrndup(body + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
		out = text_trim(text_sanitize(raw, 200, 0));
		free(raw);
	}
	regfree(&re);
	return out;
}

static int try_url(struct device *d, const struct ident_vendors *vs, const char *url, long timeout_ms)
{
	struct page pg = {0};
	char err[CURL_ERROR_SIZE + 40];
	int found = 0;
	if (fetch(d, url, timeout_ms, &pg, err, sizeof(err)) < 0) {
		device_note(d, "HTTP identification: %s: %s", url, err);
		goto out;
	}
	if (pg.fingerprint[0])
		device_note(d, "HTTP identification: %s: certificate not verified (identification only); SHA-256 "
			       "fingerprint %s", url, pg.fingerprint);
	const char *body = buf_str(&pg.body);
	char *title = page_title(body);
	char where[400];
	if (pg.server) {
		snprintf(where, sizeof(where), "%s Server header", url);
		device_set(d, "identity.web_server", pg.server, FACT_WEB, where);
	}
	if (title) {
		snprintf(where, sizeof(where), "%s <title>", url);
		device_set(d, "identity.web_title", title, FACT_WEB, where);
	}
	const char *marker = NULL;
	const struct ident_vendor *v = ident_web(vs, title, pg.server, body, &marker);
	if (v) {
		snprintf(where, sizeof(where), "%s (title, Server header or page ~ /%s/)", url, marker ? marker : "");
		device_set(d, "identity.vendor", v->name, FACT_WEB, where);
		device_set(d, "identity.vendor_id", v->id, FACT_WEB, where);
		if (title && !device_get(d, "identity.model")) {
			const json_t *fams = json_object_get(v->root, "families"), *f;
			size_t i;
			json_array_foreach(fams, i, f)
				if (ident_ere_match(profile_str(f, "model"), title)) {
					snprintf(where, sizeof(where), "%s <title>", url);
					device_set(d, "identity.model", title, FACT_WEB, where);
					break;
				}
		}
		found = 1;
	} else
		device_note(d, "HTTP identification: %s answered (status %ld) but matched no vendor's web markers", url,
			    pg.status);
	free(title);
out:
	buf_free(&pg.body);
	free(pg.server);
	return found;
}

int identify_http(struct device *d, const struct ident_vendors *vs, const char *host, const char *base_url,
		  long budget_ms)
{
	static int curl_ready;
	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = 1;
	}
	if (budget_ms < 200) {
		device_note(d, "HTTP identification skipped: no time left in the budget");
		return 0;
	}
	bool v6 = strchr(host, ':') != NULL;
	char *urls[2] = {NULL, NULL};
	if (base_url)
		urls[0] = xasprintf("%s/", base_url);
	else {
		urls[0] = xasprintf(v6 ? "http://[%s]/" : "http://%s/", host);
		urls[1] = xasprintf(v6 ? "https://[%s]/" : "https://%s/", host);
	}
	int found = 0;
	long each = urls[1] ? budget_ms / 2 : budget_ms;
	for (int i = 0; i < 2 && urls[i] && !found; i++)
		found = try_url(d, vs, urls[i], each);
	free(urls[0]);
	free(urls[1]);
	if (found)
		ident_family(d, ident_vendor_by_id(vs, device_value(d, "identity.vendor_id")), FACT_WEB);
	return found;
}
