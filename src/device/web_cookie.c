/* device/web_cookie.c — the cookies of a web session (libcurl's jar): read one by name, set one
 * for the device's host (also when the host is an IP address), forget them all. See web_http.h. */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "device/web_http.h"
#include "util/buf.h"

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

void web_http_set_cookie(struct web_http *h, const char *name, const char *value)
{
	CURLU *u = curl_url();
	char *host = NULL;
	if (curl_url_set(u, CURLUPART_URL, h->base, 0) == CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		/* Netscape format: domain, include subdomains, path, secure, expiry (0: session), name, value */
		char *line = xasprintf("%s\tFALSE\t/\tFALSE\t0\t%s\t%s", host, name, value);
		curl_easy_setopt(h->curl, CURLOPT_COOKIELIST, line);
		free(line);
	}
	curl_free(host);
	curl_url_cleanup(u);
}

void web_http_clear_cookies(struct web_http *h)
{
	curl_easy_setopt(h->curl, CURLOPT_COOKIELIST, "ALL");
}
