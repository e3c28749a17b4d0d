/* device/web_fetch.c — fetching the profile's pages one by one: the time budget, one re-login
 * when the session expired, the HTTP status turned into a note that says what happened to which
 * page (with the real reason of a failed request: timeout, redirect loop, size limit, …), then
 * the check that the page is the one the profile describes ("expect" markers), then the page
 * body handed to web_page_extract. Paths may use discovered ${names}; a page may be a declared
 * read-only POST (Toshiba). See web_reader.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/web_extract.h"
#include "device/web_match.h"
#include "device/web_page.h"
#include "device/web_reader.h"
#include "profile/profile.h"
#include "util/buf.h"

/* GET path (or the page's declared read-only POST); a failed request is noted with its reason.
 * Returns 0 or -1. */
static int get_noted(struct reader *r, const char *path, struct web_response *w)
{
	const json_t *post = r->post;
	int rc = post ? web_http_post_read(&r->h, path, profile_str(post, "content_type"), profile_str(post, "body"), w)
		      : web_http_get(&r->h, path, w);
	if (rc == 0)
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

/* Is this the page the profile describes? Its "expect" markers (EREs over the body, any one) must match before any value is taken. Returns true, or false after a note. */
static bool page_expected(struct reader *r, const json_t *page, const char *path, const struct web_response *w)
{
	const json_t *expect = json_object_get(page, "expect");
	if (!json_is_array(expect) || json_array_size(expect) == 0)
		return true;
	char *text = xasprintf("%.*s", (int)(w->len < WEB_MARKER_SCAN_BYTES ? w->len : WEB_MARKER_SCAN_BYTES),
			       w->body ? w->body : ""); /* the body only: the URL names the page asked for */
	bool ok = false;
	size_t i;
	const json_t *m;
	struct buf want = {0};
	json_array_foreach(expect, i, m) {
		ok = ok || web_ere_match(json_string_value(m), text);
		buf_printf(&want, "%s'%s'", want.len ? ", " : "", json_string_value(m));
	}
	bool login = !ok && (web_login_page_seen(r, w) || web_ere_match("type *= *[\"']?password", text));
	if (!ok) {
		const char *what = json_object_get(page, "fields") ? "settings page" : "log page";
		if (login)
			device_note(r->d, "page %s is not the %s (looks like a login page); no values were taken from it%s", path,
				    what, r->logged_in ? ": the login was not accepted after all, or the session ended" : "");
		else
			device_note(r->d, "page %s is not the %s: none of the markers the profile expects (%s) are on it; no "
				    "values were taken from it (firmware changed, or another page was served)", path, what,
				    buf_str(&want));
	}
	buf_free(&want);
	free(text);
	return ok;
}

/* The page set's "page_token" rule: a token that rotates on every page (Canon Token=, Sharp
 * token2) is taken from each page read, for ${token} in the next paths. */
static void rotate_token(struct reader *r, const struct web_response *w)
{
	const json_t *rule = json_object_get(r->pageset, "page_token");
	if (!rule)
		return;
	struct web_doc doc;
	char err[200];
	web_doc_parse(&doc, w->body, w->len, WEB_PARSE_HTML, NULL);
	char *t = web_extract_field(&doc, NULL, rule, err, sizeof(err));
	web_doc_free(&doc);
	if (t) {
		free(r->token);
		r->token = t;
	}
}

/* Script pages the page's JS refers to (message tables such as Kyocera's jsallWLM.js), read
 * for lookups only (new string, or NULL). */
static char *page_scripts(struct reader *r, const json_t *page)
{
	struct buf b = {0};
	size_t i;
	const json_t *sp;
	json_array_foreach(json_object_get(page, "scripts"), i, sp) {
		struct web_response w;
		if (!json_is_string(sp) || web_http_budget_left(&r->h) <= 0)
			continue;
		if (web_http_get(&r->h, json_string_value(sp), &w) == 0 && w.status == 200)
			buf_printf(&b, "%.*s\n", (int)w.len, w.body);
		else
			device_note(r->d, "page %s: the script %s with its message tables could not be read; coded values are "
				    "shown as the code", profile_str(page, "path"), json_string_value(sp));
		web_response_free(&w);
	}
	return b.len ? buf_steal(&b) : (buf_free(&b), NULL);
}

/* The path to read (new string), or NULL after a note when a ${name} was not discovered. */
static char *page_path(struct reader *r, const json_t *page)
{
	const char *t = profile_str(page, "path");
	char *miss = t ? web_vars_missing(r, t) : NULL;
	if (!miss)
		return t ? web_vars_expand(r, t) : NULL;
	if (json_is_true(json_object_get(page, "when_listed"))) {
		free(miss); /* an alternative tree (CDM next to LEDM): absent is normal */
		return NULL;
	}
	const char *why = web_vars_why(r, miss);
	device_note(r->d, "page %s not read: the device does not list it (${%s} %s)", t, miss,
		    why ? why : "was not discovered");
	free(miss);
	return NULL;
}

void web_fetch_page(struct reader *r, const json_t *page)
{
	bool auth = web_fetch_needs_auth(r, page);
	if (auth && !r->logged_in)
		return; /* noted once by the caller */
	const json_t *post = json_object_get(page, "post");
	if (post && !profile_str(post, "read_only")) {
		device_note(r->d, "page %s: profile error: a POST page must say why it only reads (\"read_only\"); not sent",
			    profile_str(page, "path"));
		return;
	}
	char *path = page_path(r, page);
	if (!path)
		return;
	struct web_response w;
	r->post = post;
	int rc = fetch(r, path, auth, &w);
	r->post = NULL;
	if (rc == 0) {
		rotate_token(r, &w);
		if (page_expected(r, page, path, &w)) {
			char *scripts = page_scripts(r, page);
			r->nread += web_page_extract_ctx(r->d, page, path, w.body, w.len,
							 json_object_get(json_object_get(r->profile, "web"), "maps"), scripts);
			free(scripts);
		}
		web_response_free(&w);
	}
	free(path);
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
