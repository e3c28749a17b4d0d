/* device/web_tap.c — the record/replay tap of the web session; see web_tap.h. */
#include "device/web_tap.h"

#include <curl/curl.h>
#include <stdlib.h>

static const struct web_tap *tap;

void web_http_set_tap(const struct web_tap *t)
{
	tap = t;
}

const struct web_tap *web_tap_get(void)
{
	return tap;
}

/* Puts a cookie the recording names into the jar (its value was never recorded). */
static void tap_cookie(struct web_http *h, const char *name)
{
	CURLU *u = curl_url();
	char *host = NULL;
	if (curl_url_set(u, CURLUPART_URL, h->base, 0) == CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		char *line = xasprintf("%s\tFALSE\t/\tFALSE\t0\t%s\tredacted", host, name);
		curl_easy_setopt(h->curl, CURLOPT_COOKIELIST, line);
		free(line);
	}
	curl_free(host);
	curl_url_cleanup(u);
}

int web_tap_answer(struct web_http *h, struct web_exchange *x)
{
	struct strlist names = {0};
	int arc = tap->answer(tap->u, x, &names);
	for (size_t i = 0; i < names.n; i++)
		tap_cookie(h, names.v[i]);
	strlist_free(&names);
	return arc;
}

void web_tap_observe(struct web_http *h, const char *method, const char *path, const char *body,
		     const struct web_response *r, const char *loc, const struct strlist *cookies)
{
	struct web_exchange x = {.base = h->base, .method = method, .path = path, .req_body = body,
				 .status = r->status, .content_type = r->content_type, .server = r->server,
				 .location = loc, .cookies = cookies, .body = r->body, .len = r->len,
				 .truncated = r->truncated, .curl_code = r->curl_code, .why = r->why,
				 .error = r->error[0] ? r->error : NULL, .cert = &h->cert};
	tap->observe(tap->u, &x);
}
