/* device/web_fetch.c — fetching the profile's pages one by one: the time budget, one re-login
 * when the session expired, the HTTP status turned into a note that says what happened to which
 * page (with the real reason of a failed request: timeout, redirect loop, size limit, …), then
 * the page body handed to web_page_extract. See web_reader.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/web_match.h"
#include "device/web_page.h"
#include "device/web_reader.h"
#include "profile/profile.h"
#include "util/buf.h"

/* GET path; a failed request is noted with its reason. Returns 0 or -1. */
static int get_noted(struct reader *r, const char *path, struct web_response *w)
{
	if (web_http_get(&r->h, path, w) == 0)
		return 0;
	device_note(r->d, "page %s not read: %s", path, w->error);
	if (w->why == WEB_WHY_BUDGET)
		r->budget_noted = true;
	web_response_free(w);
	return -1;
}

/* The device sent its login page for a page that needs the login: log in again once and
 * re-fetch. Returns 0 with w filled, or -1 after a note. */
static int relogin(struct reader *r, const char *path, struct web_response *w)
{
	web_response_free(w);
	if (r->relogged) {
		device_note(r->d, "page %s: the device sent its login page again (session expired); already logged "
			    "in twice, so the page was skipped", path);
		return -1;
	}
	r->relogged = true;
	if (web_login(r) != 0) {
		r->logged_in = false;
		device_note(r->d, "page %s: the session expired and logging in again failed", path);
		return -1;
	}
	device_note(r->d, "page %s: the session expired (the device sent its login page); logged in again once", path);
	if (get_noted(r, path, w) != 0)
		return -1;
	if (web_login_page_seen(r, w)) {
		device_note(r->d, "page %s: the device still asks for the login after logging in again; skipped", path);
		web_response_free(w);
		return -1;
	}
	return 0;
}

/* Judges the status of a page that arrived. Returns 0 when the body is to be read, -1 (noted). */
static int status_ok(struct reader *r, const char *path, bool auth, const struct web_response *w)
{
	if (w->status == 404) {
		device_note(r->d, "page %s: not found (HTTP 404) — moved or absent on this model/firmware", path);
		return -1;
	}
	if (w->status == 401 || w->status == 403) {
		const char *m = web_login_method(r->login);
		if (auth && (strcasecmp(m, "basic") == 0 || strcasecmp(m, "digest") == 0))
			device_note(r->d, "page %s: login refused (HTTP %ld) for user '%s' with %s authentication; check the "
				    "administrator password", path, w->status, r->user ? r->user : "", m);
		else
			device_note(r->d, "page %s: access refused (HTTP %ld)", path, w->status);
		if (auth)
			r->login_failed = true;
		return -1;
	}
	if (w->status >= 400 || w->status < 200) {
		device_note(r->d, "page %s: HTTP %ld — not read", path, w->status);
		return -1;
	}
	if (auth && web_login_page_seen(r, w)) {
		device_note(r->d, "page %s: the device answered with its login page; not read", path);
		return -1;
	}
	return 0;
}

/* Fetches a page. Returns 0 with w filled, or -1 after a note. */
static int fetch(struct reader *r, const char *path, bool auth, struct web_response *w)
{
	memset(w, 0, sizeof(*w));
	if (web_http_budget_left(&r->h) <= 0) {
		if (!r->budget_noted)
			device_note(r->d, "web: the time budget for the web pages ran out before %s; the remaining pages "
				    "were not read (raise --timeout)", path);
		r->budget_noted = true;
		return -1;
	}
	if (get_noted(r, path, w) != 0)
		return -1;
	if (auth && r->logged_in && web_login_page_seen(r, w) && relogin(r, path, w) != 0)
		return -1;
	if (status_ok(r, path, auth, w) != 0) {
		web_response_free(w);
		return -1;
	}
	return 0;
}

bool web_fetch_needs_auth(const struct reader *r, const json_t *page)
{
	const json_t *a = json_object_get(page, "auth");
	if (json_is_boolean(a))
		return json_is_true(a);
	return r->need_login;
}

void web_fetch_page(struct reader *r, const json_t *page)
{
	const char *path = profile_str(page, "path");
	if (!path)
		return;
	bool auth = web_fetch_needs_auth(r, page);
	if (auth && !r->logged_in)
		return; /* noted once by the caller */
	struct web_response w;
	if (fetch(r, path, auth, &w) != 0)
		return;
	r->nread += web_page_extract(r->d, page, path, w.body, w.len);
	web_response_free(&w);
}

void web_fetch_note_skipped(struct reader *r, const char *why)
{
	struct buf b = {0};
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(r->pageset, "pages"), i, p)
		if (web_family_ok(p, r->family) && web_fetch_needs_auth(r, p))
			buf_printf(&b, "%s%s", b.len ? ", " : "", profile_str(p, "path") ? profile_str(p, "path") : "?");
	if (b.len)
		device_note(r->d, "web: pages needing the administrator login were not read (%s): %s", why, buf_str(&b));
	buf_free(&b);
}
