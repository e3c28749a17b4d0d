/* device/identify_http.c — vendor from the embedded web server's front page; see
 * identify_http.h. Licence: see LICENSE. */
#include "device/identify_http.h"

#include <curl/curl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/web_http.h"
#include "profile/profile.h"
#include "util/text.h"

#define BODY_MAX (256 * 1024)

struct page {
	struct web_response w;
	char fingerprint[100];
};

/* GET / on base ("http://host" or "https://host:port") through the web reader's session: the
 * same bounds (time, size, headers) and the same redirect rule (same host, port and scheme only,
 * never a loop, never another host). Certificates are not verified for this identification only;
 * the fingerprint is noted. A page over BODY_MAX is cut and its start is used. */
static int fetch(struct device *d, const char *base, long timeout_ms, struct page *pg, char *err, size_t errsz)
{
	struct web_http h;
	struct web_http_opts o = {.insecure = true, .timeout_ms = timeout_ms, .budget_ms = timeout_ms,
				  .max_bytes = BODY_MAX, .cut_ok = true};
	if (web_http_open(&h, base, &o) != 0) {
		snprintf(err, errsz, "%s", h.errbuf);
		web_http_close(&h);
		return -1;
	}
	int rc = web_http_get(&h, "/", &pg->w);
	d->web_requests += (int)h.nreqs;
	if (h.cert.seen)
		snprintf(pg->fingerprint, sizeof(pg->fingerprint), "%s", h.cert.sha256);
	web_http_close(&h);
	if (rc != 0) {
		snprintf(err, errsz, "%s", pg->w.error);
		return -1;
	}
	if (pg->w.truncated)
		device_note(d, "HTTP identification: %s/: %s; its first %d KiB were used", base, pg->w.error, BODY_MAX / 1024);
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

static int try_url(struct device *d, const struct ident_vendors *vs, const char *base, long timeout_ms)
{
	struct page pg = {0};
	char err[sizeof(pg.w.error) + 40];
	int found = 0;
	char *url = xasprintf("%s/", base);
	if (fetch(d, base, timeout_ms, &pg, err, sizeof(err)) < 0) {
		device_note(d, "HTTP identification: %s: %s", url, err);
		goto out;
	}
	if (pg.fingerprint[0])
		device_note(d, "HTTP identification: %s: certificate not verified (identification only); SHA-256 "
			       "fingerprint %s", url, pg.fingerprint);
	const char *body = pg.w.body ? pg.w.body : "";
	char *title = page_title(body);
	char where[400];
	if (pg.w.server) {
		snprintf(where, sizeof(where), "%s Server header", url);
		device_set(d, "identity.web_server", pg.w.server, FACT_WEB, where);
	}
	if (title) {
		snprintf(where, sizeof(where), "%s <title>", url);
		device_set(d, "identity.web_title", title, FACT_WEB, where);
	}
	const char *marker = NULL;
	const struct ident_vendor *v = ident_web(vs, title, pg.w.server, body, &marker);
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
			    pg.w.status);
	free(title);
out:
	web_response_free(&pg.w);
	free(url);
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
	if (base_url) {
		urls[0] = xstrdup(base_url);
		for (size_t n = strlen(urls[0]); n > 0 && urls[0][n - 1] == '/'; n--)
			urls[0][n - 1] = '\0';
	} else {
		urls[0] = xasprintf(v6 ? "http://[%s]" : "http://%s", host);
		urls[1] = xasprintf(v6 ? "https://[%s]" : "https://%s", host);
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
