/* device/web_generic_crawl.c — the generic web reader's fetching: the root page, then the
 * same-host links that look like e-mail, SMTP or network settings, best first, two levels deep,
 * GET only, at most WEB_GENERIC_MAX_PAGES pages inside the session's budget, stopping once every
 * setting is known. See web_generic.h. */
#include <stdlib.h>
#include <string.h>

#include "device/web_generic.h"
#include "util/text.h"

static const char *const wanted[] = {"smtp.host", "smtp.port", "smtp.security", "smtp.auth", "smtp.user", "smtp.from"};

static bool all_known(const struct device *d)
{
	for (size_t i = 0; i < ARRAY_SIZE(wanted); i++)
		if (!device_get(d, wanted[i]))
			return false;
	return true;
}

/* The path of the root page after redirects ("/index.html"), from its final URL. */
static const char *root_path(const struct web_http *h, const struct web_response *root)
{
	size_t bl = strlen(h->base);
	const char *u = root->effective_url;
	if (u && strncmp(u, h->base, bl) == 0 && u[bl] == '/')
		return u + bl;
	return "/";
}

/* Fetches one page and guesses from it; links of level-1 pages join the queue. */
static int one_page(struct web_http *h, struct device *d, const char *path, bool expand, struct strlist *queue,
		    int *depth_of, size_t *nq, int depth, int *read)
{
	struct web_response w;
	memset(&w, 0, sizeof(w));
	if (web_http_get(h, path, &w) != 0) {
		device_note(d, "web (generic reader): page %s not read: %s", path, w.error);
		web_response_free(&w);
		return 0;
	}
	(*read)++;
	int n = 0;
	if (w.status == 401 || w.status == 403)
		device_note(d, "web (generic reader): page %s needs a login (HTTP %ld); the generic reader does not log "
			    "in to models no profile knows", path, w.status);
	else if (w.status >= 200 && w.status < 400)
		n = web_generic_extract(d, path, w.body, w.len, w.content_type);
	if (expand && w.status >= 200 && w.status < 400) {
		size_t before = queue->n;
		web_generic_links(h->base, path, w.body, w.len, queue, WEB_GENERIC_MAX_PAGES * 2);
		for (size_t i = before; i < queue->n && i < *nq; i++)
			depth_of[i] = depth + 1;
	}
	web_response_free(&w);
	return n;
}

int web_generic_fallback(struct web_http *h, struct device *d, const struct web_response *root, int prev_rc)
{
	if (!h || !h->base || !root || !root->body)
		return prev_rc;
	const char *rp = root_path(h, root);
	int n = web_generic_extract(d, rp, root->body, root->len, root->content_type);
	struct strlist queue = {0};
	strlist_add(&queue, "/");
	if (strcmp(rp, "/") != 0)
		strlist_add(&queue, rp);
	size_t first = queue.n, nq = WEB_GENERIC_MAX_PAGES * 8;
	int *depth_of = xmalloc(nq * sizeof(int));
	memset(depth_of, 0, nq * sizeof(int));
	web_generic_links(h->base, rp, root->body, root->len, &queue, WEB_GENERIC_MAX_PAGES * 2);
	for (size_t i = first; i < queue.n && i < nq; i++)
		depth_of[i] = 1;
	int read = 0;
	bool budget = false;
	for (size_t i = first; i < queue.n && read < WEB_GENERIC_MAX_PAGES && !all_known(d); i++) {
		if (web_http_budget_left(h) <= 0) {
			budget = true;
			break;
		}
		int depth = i < nq ? depth_of[i] : 2;
		n += one_page(h, d, queue.v[i], depth < 2 && queue.n < nq, &queue, depth_of, &nq, depth, &read);
	}
	if (n)
		device_note(d, "web: no vendor profile read this model's e-mail settings, so the generic reader guessed %d "
			    "from labels and field names on %d page(s); guessed values are marked 'guessed from …': "
			    "check them on the device's own pages (or give --vendor)", n, read + 1);
	else
		device_note(d, "web: the generic reader found no e-mail settings on the %d page(s) it read (the root page "
			    "and links that looked like e-mail or network settings)", read + 1);
	if (budget)
		device_note(d, "web (generic reader): the time budget ran out; the remaining pages were not read (raise "
			    "--timeout)");
	free(depth_of);
	strlist_free(&queue);
	if (!n)
		return prev_rc;
	return (prev_rc < 0 ? 0 : prev_rc) + n;
}
