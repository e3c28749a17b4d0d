/* device/web_read.c — the profile-driven web reader; see web_read.h and docs/web.md. */
#include "device/web_read.h"

#include <curl/curl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "device/web_extract.h"
#include "profile/profile.h"
#include "util/redact.h"
#include "util/text.h"

#define MARKER_SCAN_BYTES (256 * 1024)
#define DEFAULT_MAX_EVENTS 50

struct reader {
	struct device *d;
	const struct web_options *o;
	struct web_http h;
	const json_t *profile;       /* borrowed */
	const json_t *pageset;       /* borrowed */
	const json_t *login;         /* borrowed or NULL */
	const char *family;
	const char *user;
	bool need_login;
	bool logged_in;
	bool login_failed;
	bool relogged;
	bool budget_noted;
	char *token;                 /* CSRF token from the login page */
	int nread;
};

/* ---- small helpers ---- */

static bool ere_match(const char *ere, const char *text)
{
	if (!ere || !text)
		return false;
	regex_t re;
	if (regcomp(&re, ere, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
		return false;
	bool m = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

/* The first capture group (or whole match) of ere in text, sanitised, or NULL. */
static char *ere_capture(const char *ere, const char *text)
{
	struct strlist l = {0};
	char err[200];
	char *v = NULL;
	regex_t re;
	if (!ere || regcomp(&re, ere, REG_EXTENDED | REG_ICASE) != 0)
		return NULL;
	int g = re.re_nsub > 0 ? 1 : 0;
	regfree(&re);
	if (web_regex_all(text, ere, g, 1, &l, err, sizeof(err)) > 0)
		v = xstrdup(l.v[0]);
	strlist_free(&l);
	return v;
}

static bool in_array(const json_t *arr, const char *s)
{
	size_t i;
	const json_t *v;
	if (!s)
		return false;
	json_array_foreach((json_t *)arr, i, v)
		if (json_is_string(v) && strcasecmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* Does a page set or page apply to the chosen family? No "families" means all. */
static bool family_ok(const json_t *obj, const char *family)
{
	const json_t *f = json_object_get(obj, "families");
	if (!json_is_array(f) || json_array_size(f) == 0 || !family)
		return true;
	return in_array(f, family) || in_array(f, "*");
}

static char *host_for_url(const char *host)
{
	if (strchr(host, ':') && host[0] != '[')
		return xasprintf("[%s]", host); /* IPv6 literal */
	return xstrdup(host);
}

/* Root-page text for markers: title, Server header and the start of the body. */
static char *marker_text(const char *title, const char *server, const char *body)
{
	size_t n = body ? strlen(body) : 0;
	if (n > MARKER_SCAN_BYTES)
		n = MARKER_SCAN_BYTES;
	return xasprintf("%s\n%s\n%.*s", title ? title : "", server ? server : "", (int)n, body ? body : "");
}

int web_identify_score(const json_t *profile, const char *title, const char *server, const char *body)
{
	const json_t *markers = json_object_get(json_object_get(profile, "match"), "web_markers");
	if (!json_is_array(markers))
		return 0;
	char *text = marker_text(title, server, body);
	int score = 0;
	size_t i;
	const json_t *m;
	json_array_foreach((json_t *)markers, i, m)
		if (json_is_string(m) && ere_match(json_string_value(m), text))
			score++;
	free(text);
	return score;
}

/* ---- identification ---- */

struct ident {
	const char *title, *server, *body;
	int best;
	char *best_path;
	json_t *best_profile;
	bool tie;
};

static void ident_cb(const char *path, json_t *root, void *user)
{
	struct ident *id = user;
	if (strchr(path, '/') || !json_is_object(json_object_get(root, "match")))
		return;
	int s = web_identify_score(root, id->title, id->server, id->body);
	if (s <= 0)
		return;
	if (s == id->best)
		id->tie = true;
	if (s > id->best) {
		id->best = s;
		id->tie = false;
		free(id->best_path);
		id->best_path = xstrdup(path);
		json_decref(id->best_profile);
		id->best_profile = json_incref(root);
	}
}

/* ---- templates for login fields ---- */

static char *b64(const char *s)
{
	char *v = redact_base64(s ? s : "", (int)strlen(s ? s : ""));
	return v ? v : xstrdup("");
}

/* Expands ${user} ${password} ${user_b64} ${password_b64} ${token} ${ms} in t (raw, unescaped). */
static char *expand(struct reader *r, const char *t)
{
	struct buf b = {0};
	for (const char *p = t; *p;) {
		if (p[0] == '$' && p[1] == '{') {
			const char *end = strchr(p, '}');
			if (end) {
				size_t n = (size_t)(end - p - 2);
				char name[32];
				snprintf(name, sizeof(name), "%.*s", (int)(n < 31 ? n : 31), p + 2);
				char *v = NULL;
				if (strcmp(name, "user") == 0)
					v = xstrdup(r->user ? r->user : "");
				else if (strcmp(name, "password") == 0)
					v = xstrdup(r->o->password ? r->o->password : "");
				else if (strcmp(name, "user_b64") == 0)
					v = b64(r->user);
				else if (strcmp(name, "password_b64") == 0)
					v = b64(r->o->password);
				else if (strcmp(name, "token") == 0)
					v = xstrdup(r->token ? r->token : "");
				else if (strcmp(name, "ms") == 0)
					v = xasprintf("%lld", (long long)time(NULL) * 1000);
				if (v) {
					buf_puts(&b, v);
					free(v);
					p = end + 1;
					continue;
				}
			}
		}
		buf_putc(&b, *p++);
	}
	return buf_steal(&b);
}

/* Builds "a=1&b=2" from the login "fields" object; every value is expanded and escaped. The
 * escaped forms of the secrets are registered for redaction (a GET login puts them in the URL). */
static char *form_body(struct reader *r, const json_t *fields)
{
	struct buf b = {0};
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)fields, k, v) {
		if (!json_is_string(v))
			continue;
		char *raw = expand(r, json_string_value(v));
		char *ek = web_http_escape(&r->h, k);
		char *ev = web_http_escape(&r->h, raw);
		if (strstr(json_string_value(v), "${password") && strlen(raw) >= 3) {
			redact_add_secret(raw);
			redact_add_secret(ev);
		}
		buf_printf(&b, "%s%s=%s", b.len ? "&" : "", ek, ev);
		free(raw);
		free(ek);
		free(ev);
	}
	return buf_steal(&b);
}

/* ---- login ---- */

static const char *login_method(const json_t *login)
{
	const char *m = profile_str(login, "method");
	return m ? m : "none";
}

/* Text for ERE checks on a response: final URL, then the body. */
static char *response_text(const struct web_response *w)
{
	return xasprintf("%s\n%.*s", w->effective_url ? w->effective_url : "",
			 (int)(w->len < MARKER_SCAN_BYTES ? w->len : MARKER_SCAN_BYTES), w->body ? w->body : "");
}

static bool looks_like_login(const struct reader *r, const struct web_response *w)
{
	const char *ere = profile_str(r->login, "expired_regex");
	if (!ere)
		return false;
	char *t = response_text(w);
	bool m = ere_match(ere, t);
	free(t);
	return m;
}

static int form_login(struct reader *r)
{
	const json_t *L = r->login;
	const char *page = profile_str(L, "page");
	struct web_response w;
	free(r->token);
	r->token = NULL;
	if (page) {
		if (web_http_get(&r->h, page, &w) != 0 || w.status >= 400) {
			device_note(r->d, "web login: the login page %s could not be read (%s)", page,
				    w.error[0] ? w.error : "HTTP error");
			if (!w.error[0])
				device_note(r->d, "web login: %s answered HTTP %ld", page, w.status);
			web_response_free(&w);
			return -1;
		}
		const json_t *tok = json_object_get(L, "token");
		if (tok) {
			struct web_doc doc;
			char err[200];
			web_doc_parse(&doc, w.body, w.len, WEB_PARSE_HTML, profile_str(L, "charset"));
			r->token = web_extract_field(&doc, NULL, tok, err, sizeof(err));
			web_doc_free(&doc);
			if (!r->token) {
				device_note(r->d, "web login: the login page %s has no CSRF token where the profile expects it%s%s "
					    "(firmware changed?)", page, err[0] ? ": " : "", err);
				web_response_free(&w);
				return -1;
			}
		}
		web_response_free(&w);
	}
	const char *action = profile_str(L, "action");
	if (!action)
		action = page;
	if (!action) {
		device_note(r->d, "web login: profile error: form login without \"action\" or \"page\"");
		return -1;
	}
	char *body = form_body(r, json_object_get(L, "fields"));
	const char *submit = profile_str(L, "submit");
	int rc;
	if (submit && strcasecmp(submit, "GET") == 0) {
		char *path = xasprintf("%s%s%s", action, strchr(action, '?') ? "&" : "?", body);
		rc = web_http_get(&r->h, path, &w);
		free(path);
	} else {
		rc = web_http_post_form(&r->h, action, body, &w);
	}
	free(body);
	if (rc != 0) {
		device_note(r->d, "web login: %s", w.error);
		web_response_free(&w);
		return -1;
	}
	char *text = response_text(&w);
	const char *fail = profile_str(L, "failure_regex");
	const char *ok = profile_str(L, "success_regex");
	const char *cookie = profile_str(L, "success_cookie");
	char *why = NULL;
	if (fail && ere_match(fail, text)) {
		char *words = ere_capture(fail, text);
		why = xasprintf("the device answered '%s'", words ? words : "login failed");
		free(words);
	} else if (w.status >= 400) {
		why = xasprintf("HTTP %ld", w.status);
	} else if (ok && !ere_match(ok, text)) {
		why = xstrdup("the answer did not show a successful login");
	} else if (cookie) {
		char *c = web_http_cookie(&r->h, cookie);
		if (!c || !*c)
			why = xasprintf("no session cookie '%s' was set", cookie);
		free(c);
	}
	free(text);
	web_response_free(&w);
	if (why) {
		device_note(r->d, "web login refused for user '%s': %s. Check the administrator password "
			    "(MFPDOCTOR_WEB_PASSWORD or --web-password-file); pages needing the login are skipped",
			    r->user ? r->user : "", why);
		free(why);
		return -1;
	}
	return 0;
}

static int do_login(struct reader *r)
{
	const char *m = login_method(r->login);
	if (strcasecmp(m, "basic") == 0 || strcasecmp(m, "digest") == 0) {
		web_http_set_auth(&r->h, strcasecmp(m, "digest") == 0 ? WEB_AUTH_DIGEST : WEB_AUTH_BASIC, r->user,
				  r->o->password);
		return 0; /* judged on the first page (401) */
	}
	if (strcasecmp(m, "form") == 0)
		return form_login(r);
	device_note(r->d, "web login: profile error: unknown login method '%s'", m);
	return -1;
}

/* ---- pages ---- */

static char *where_of(const char *path, const char *key, const json_t *rule)
{
	const json_t *first = json_is_array(rule) ? json_array_get(rule, 0) : rule;
	const char *name = profile_str(first, "name");
	char *clean = text_sanitize(path, 200, 0);
	char *w = xasprintf("%s: %s", clean, name ? name : key);
	free(clean);
	return w;
}

static bool rule_optional(const json_t *rule)
{
	const json_t *first = json_is_array(rule) ? json_array_get(rule, 0) : rule;
	return json_is_true(json_object_get(first, "optional"));
}

static void read_fields(struct reader *r, const char *path, const struct web_doc *doc, const json_t *fields)
{
	struct buf missing = {0};
	const char *key;
	json_t *rule;
	json_object_foreach((json_t *)fields, key, rule) {
		char err[240];
		char *v = web_extract_field(doc, NULL, rule, err, sizeof(err));
		if (v) {
			char *w = where_of(path, key, rule);
			device_set(r->d, key, v, FACT_WEB, w);
			r->nread++;
			free(w);
			free(v);
			continue;
		}
		if (err[0]) {
			device_note(r->d, "page %s: field %s not read: %s", path, key, err);
			continue;
		}
		if (!rule_optional(rule)) {
			const json_t *first = json_is_array(rule) ? json_array_get(rule, 0) : rule;
			const char *name = profile_str(first, "name");
			buf_printf(&missing, "%s%s", missing.len ? ", " : "", key);
			if (name)
				buf_printf(&missing, " (%s)", name);
		}
	}
	if (missing.len)
		device_note(r->d, "page %s: the page structure did not match the profile; fields not found: %s "
			    "(firmware changed? compare the page with docs/web.md)", path, buf_str(&missing));
	buf_free(&missing);
}

static enum event_origin origin_of(const char *s)
{
	if (s && strcasecmp(s, "web-joblog") == 0)
		return EV_WEB_JOBLOG;
	return EV_WEB_ERRORLOG;
}

struct row {
	char *code, *text, *time, *severity;
};

static void row_free(struct row *w)
{
	free(w->code);
	free(w->text);
	free(w->time);
	free(w->severity);
	memset(w, 0, sizeof(*w));
}

static bool keep_row(const json_t *ev, const struct row *w)
{
	const char *filter = profile_str(ev, "filter");
	if (!filter)
		return w->code || w->text;
	char *all = xasprintf("%s\t%s\t%s", w->code ? w->code : "", w->text ? w->text : "", w->severity ? w->severity : "");
	bool m = ere_match(filter, all);
	free(all);
	return m;
}

static void add_row(struct reader *r, const json_t *ev, const char *path, size_t idx, struct row *w)
{
	if (!keep_row(ev, w))
		return;
	char *clean = text_sanitize(path, 200, 0);
	char *where = xasprintf("%s: row %zu", clean, idx + 1);
	struct device_event *e = device_add_event(r->d, origin_of(profile_str(ev, "origin")), w->code, w->text,
						  w->time, where);
	if (w->severity)
		e->severity = text_sanitize(w->severity, 64, 0);
	r->nread++;
	free(where);
	free(clean);
}

static void event_fields(const struct web_doc *doc, void *node, const json_t *fields, struct row *w, char *err,
			 size_t errsz)
{
	static const char *const names[] = {"code", "text", "time", "severity"};
	char **slots[] = {&w->code, &w->text, &w->time, &w->severity};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const json_t *rule = json_object_get(fields, names[i]);
		if (rule && !err[0])
			*slots[i] = web_extract_field(doc, node, rule, err, errsz);
	}
}

static void read_event_rows_xpath(struct reader *r, const char *path, const struct web_doc *doc, const json_t *ev)
{
	char err[240] = "";
	size_t n = 0;
	const char *container = profile_str(ev, "container");
	if (container) {
		struct strlist l = {0};
		size_t nc = 0;
		void **c = web_xpath_nodes(doc, container, &nc, err, sizeof(err));
		free(c);
		strlist_free(&l);
		if (!nc) {
			device_note(r->d, "page %s: the log (%s) was not found on the page%s%s (firmware changed?)", path,
				    container, err[0] ? ": " : "", err);
			return;
		}
	}
	void **rows = web_xpath_nodes(doc, profile_str(ev, "rows"), &n, err, sizeof(err));
	if (err[0]) {
		device_note(r->d, "page %s: log not read: %s", path, err);
		free(rows);
		return;
	}
	long max = (long)profile_int(ev, "max", DEFAULT_MAX_EVENTS);
	const json_t *fields = json_object_get(ev, "fields");
	long kept = 0;
	for (size_t i = 0; i < n && kept < max; i++) {
		struct row w = {0};
		event_fields(doc, rows[i], fields, &w, err, sizeof(err));
		if (err[0]) {
			device_note(r->d, "page %s: log row %zu: %s", path, i + 1, err);
			row_free(&w);
			break;
		}
		size_t before = r->d->nevents;
		add_row(r, ev, path, i, &w);
		kept += r->d->nevents > before;
		row_free(&w);
	}
	free(rows);
}

static char *group_value(const json_t *rule, const char *s, const regmatch_t *m, size_t nsub)
{
	long g = (long)profile_int(rule, "group", 0);
	if (g <= 0 || (size_t)g > nsub || m[g].rm_so < 0)
		return NULL;
	char *raw = text_sanitize_n(s + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so), 1000, 0);
	text_trim(raw);
	const json_t *map = json_object_get(rule, "map");
	const char *mv = map ? web_map_lookup(map, raw) : NULL;
	if (mv) {
		free(raw);
		return xstrdup(mv);
	}
	if (!*raw) {
		free(raw);
		return NULL;
	}
	return raw;
}

static void read_event_rows_regex(struct reader *r, const char *path, const struct web_doc *doc, const json_t *ev)
{
	regex_t re;
	const char *ere = profile_str(ev, "rows_regex");
	if (regcomp(&re, ere, REG_EXTENDED | REG_ICASE) != 0) {
		device_note(r->d, "page %s: profile error: rows_regex does not compile", path);
		return;
	}
	long max = (long)profile_int(ev, "max", DEFAULT_MAX_EVENTS);
	const json_t *fields = json_object_get(ev, "fields");
	regmatch_t m[10];
	const char *p = doc->body;
	int flags = 0;
	size_t idx = 0;
	long kept = 0;
	while (kept < max && *p && regexec(&re, p, 10, m, flags) == 0) {
		struct row w = {0};
		size_t nsub = re.re_nsub < 9 ? re.re_nsub : 9;
		w.code = group_value(json_object_get(fields, "code"), p, m, nsub);
		w.text = group_value(json_object_get(fields, "text"), p, m, nsub);
		w.time = group_value(json_object_get(fields, "time"), p, m, nsub);
		w.severity = group_value(json_object_get(fields, "severity"), p, m, nsub);
		size_t before = r->d->nevents;
		add_row(r, ev, path, idx++, &w);
		kept += r->d->nevents > before;
		row_free(&w);
		p += m[0].rm_eo > 0 ? m[0].rm_eo : 1;
		flags = REG_NOTBOL;
	}
	regfree(&re);
}

static void read_events(struct reader *r, const char *path, const struct web_doc *doc, const json_t *evs)
{
	const json_t *list = evs;
	json_t *wrap = NULL;
	if (json_is_object(evs))
		list = wrap = json_pack("[O]", evs);
	size_t i;
	const json_t *ev;
	json_array_foreach((json_t *)list, i, ev) {
		if (profile_str(ev, "rows"))
			read_event_rows_xpath(r, path, doc, ev);
		else if (profile_str(ev, "rows_regex"))
			read_event_rows_regex(r, path, doc, ev);
		else
			device_note(r->d, "page %s: profile error: events need \"rows\" or \"rows_regex\"", path);
	}
	json_decref(wrap);
}

/* Fetches a page, re-logging in once when the device sends the login page instead.
 * Returns 0 with w filled, or -1 after a note. */
static int fetch_page(struct reader *r, const char *path, bool auth, struct web_response *w)
{
	if (web_http_budget_left(&r->h) <= 0) {
		if (!r->budget_noted)
			device_note(r->d, "web: the time budget for the web pages ran out before %s; the remaining pages "
				    "were not read (raise --timeout)", path);
		r->budget_noted = true;
		memset(w, 0, sizeof(*w));
		return -1;
	}
	if (web_http_get(&r->h, path, w) != 0) {
		device_note(r->d, "page %s not read: %s", path, w->error);
		web_response_free(w);
		return -1;
	}
	if (auth && r->logged_in && looks_like_login(r, w)) {
		web_response_free(w);
		if (r->relogged) {
			device_note(r->d, "page %s: the device sent its login page again (session expired); already logged "
				    "in twice, so the page was skipped", path);
			return -1;
		}
		r->relogged = true;
		if (do_login(r) != 0) {
			r->logged_in = false;
			device_note(r->d, "page %s: the session expired and logging in again failed", path);
			return -1;
		}
		device_note(r->d, "page %s: the session expired (the device sent its login page); logged in again once",
			    path);
		if (web_http_get(&r->h, path, w) != 0) {
			device_note(r->d, "page %s not read: %s", path, w->error);
			web_response_free(w);
			return -1;
		}
		if (looks_like_login(r, w)) {
			device_note(r->d, "page %s: the device still asks for the login after logging in again; skipped", path);
			web_response_free(w);
			return -1;
		}
	}
	if (w->status == 404) {
		device_note(r->d, "page %s: not found (HTTP 404) — moved or absent on this model/firmware", path);
		web_response_free(w);
		return -1;
	}
	if (w->status == 401 || w->status == 403) {
		const char *m = login_method(r->login);
		if (auth && (strcasecmp(m, "basic") == 0 || strcasecmp(m, "digest") == 0))
			device_note(r->d, "page %s: login refused (HTTP %ld) for user '%s' with %s authentication; check the "
				    "administrator password", path, w->status, r->user ? r->user : "", m);
		else
			device_note(r->d, "page %s: access refused (HTTP %ld)", path, w->status);
		if (auth)
			r->login_failed = true;
		web_response_free(w);
		return -1;
	}
	if (w->status >= 400 || w->status < 200) {
		device_note(r->d, "page %s: HTTP %ld — not read", path, w->status);
		web_response_free(w);
		return -1;
	}
	if (auth && looks_like_login(r, w)) {
		device_note(r->d, "page %s: the device answered with its login page; not read", path);
		web_response_free(w);
		return -1;
	}
	return 0;
}

static bool page_needs_auth(const struct reader *r, const json_t *page)
{
	const json_t *a = json_object_get(page, "auth");
	if (json_is_boolean(a))
		return json_is_true(a);
	return r->need_login;
}

static void read_page(struct reader *r, const json_t *page)
{
	const char *path = profile_str(page, "path");
	if (!path)
		return;
	bool auth = page_needs_auth(r, page);
	if (auth && !r->logged_in)
		return; /* noted once by the caller */
	struct web_response w;
	if (fetch_page(r, path, auth, &w) != 0)
		return;
	struct web_doc doc;
	web_doc_parse(&doc, w.body, w.len, web_parser_from_name(profile_str(page, "parser"), WEB_PARSE_HTML),
		      profile_str(page, "charset"));
	doc.namespaces = json_object_get(page, "namespaces");
	if (!doc.xml && doc.parser != WEB_PARSE_TEXT && doc.error[0])
		device_note(r->d, "page %s: %s; only regex rules could be applied", path, doc.error);
	const json_t *fields = json_object_get(page, "fields");
	if (json_is_object(fields))
		read_fields(r, path, &doc, fields);
	const json_t *evs = json_object_get(page, "events");
	if (evs)
		read_events(r, path, &doc, evs);
	web_doc_free(&doc);
	web_response_free(&w);
}

static void note_skipped(struct reader *r, const char *why)
{
	struct buf b = {0};
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(r->pageset, "pages"), i, p)
		if (family_ok(p, r->family) && page_needs_auth(r, p))
			buf_printf(&b, "%s%s", b.len ? ", " : "", profile_str(p, "path") ? profile_str(p, "path") : "?");
	if (b.len)
		device_note(r->d, "web: pages needing the administrator login were not read (%s): %s", why, buf_str(&b));
	buf_free(&b);
}

/* ---- page-set choice ---- */

static const json_t *choose_pageset(struct reader *r, const json_t *web, const char *roottext)
{
	const json_t *sets = json_object_get(web, "pagesets");
	size_t i;
	const json_t *s;
	if (r->family) {
		json_array_foreach((json_t *)sets, i, s)
			if (in_array(json_object_get(s, "families"), r->family))
				return s;
		json_array_foreach((json_t *)sets, i, s)
			if (!json_object_get(s, "families"))
				return s;
		return NULL;
	}
	json_array_foreach((json_t *)sets, i, s) {
		const char *det = profile_str(s, "detect");
		if (det && ere_match(det, roottext))
			return s;
	}
	json_array_foreach((json_t *)sets, i, s)
		if (!profile_str(s, "detect"))
			return s;
	return json_array_get(sets, 0);
}

/* ---- the session ---- */

static bool no_https_there(int code)
{
	return code == CURLE_COULDNT_CONNECT || code == CURLE_SSL_CONNECT_ERROR || code == CURLE_GOT_NOTHING ||
	       code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR || code == CURLE_OPERATION_TIMEDOUT;
}

static void fill_trace(struct reader *r)
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
		t->reqs[i] = r->h.reqs[i];
		t->reqs[i].path = xstrdup(r->h.reqs[i].path);
		t->reqs[i].error = xstrdup(r->h.reqs[i].error);
	}
}

static void cert_facts(struct reader *r)
{
	if (!r->h.tls || !r->h.cert.seen)
		return;
	device_set(r->d, "web.certificate_sha256", r->h.cert.sha256, FACT_WEB, "TLS handshake");
	device_set(r->d, "web.certificate_subject", r->h.cert.subject, FACT_WEB, "TLS handshake");
	device_set(r->d, "web.certificate_verified", r->h.cert.verified ? "yes" : "no", FACT_WEB,
		   r->h.cert.verify_how ? r->h.cert.verify_how : "TLS handshake");
}

/* Opens the session: HTTPS, or plain HTTP when allowed and HTTPS is not there. Reads "/" into
 * root. Returns 0 or -1 (noted). */
static int open_session(struct reader *r, struct web_response *root)
{
	const struct web_options *o = r->o;
	struct web_http_opts ho = {.cafile = o->cafile, .pin = o->pin, .insecure = o->insecure,
				   .timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 15000,
				   .max_bytes = o->max_bytes};
	ho.budget_ms = o->budget_ms > 0 ? o->budget_ms : ho.timeout_ms * 4 + 10000;
	char *host = host_for_url(o->host ? o->host : r->d->host);
	char *base = o->port ? xasprintf("https://%s:%d", host, o->port) : xasprintf("https://%s", host);
	int rc = -1;
	if (web_http_open(&r->h, base, &ho) != 0) {
		device_note(r->d, "web: %s", r->h.errbuf);
		goto out;
	}
	if (web_http_get(&r->h, "/", root) == 0) {
		rc = 0;
		goto out;
	}
	if (!no_https_there(root->curl_code) || r->h.cert.verify_how) {
		device_note(r->d, "web: %s", root->error);
		cert_facts(r);
		goto out;
	}
	char https_err[320];
	snprintf(https_err, sizeof(https_err), "%s", root->error);
	if (!o->allow_http) {
		device_note(r->d, "web: no HTTPS answer from %s (%s); rerun with --http to read the pages over plain "
			    "HTTP if the device offers nothing else", base, https_err);
		goto out;
	}
	/* keep the request log of the HTTPS attempt */
	struct web_request_rec *keep = r->h.reqs;
	size_t nkeep = r->h.nreqs;
	r->h.reqs = NULL;
	r->h.nreqs = r->h.capreqs = 0;
	web_http_close(&r->h);
	web_response_free(root);
	free(base);
	base = o->port ? xasprintf("http://%s:%d", host, o->port) : xasprintf("http://%s", host);
	int orc = web_http_open(&r->h, base, &ho);
	if (orc == 0) {
		r->h.reqs = keep;
		r->h.nreqs = r->h.capreqs = nkeep;
	} else {
		for (size_t i = 0; i < nkeep; i++) {
			free(keep[i].path);
			free(keep[i].error);
		}
		free(keep);
		device_note(r->d, "web: %s", r->h.errbuf);
		goto out;
	}
	if (web_http_get(&r->h, "/", root) != 0) {
		device_note(r->d, "web: no web server answered: HTTPS: %s; HTTP: %s", https_err, root->error);
		goto out;
	}
	device_note(r->d, "web: the device offers no HTTPS (%s); the pages were read over plain HTTP (--http), so the "
		    "login and settings crossed the network unencrypted", https_err);
	rc = 0;
out:
	free(host);
	free(base);
	return rc;
}

static json_t *identify(struct reader *r, const struct web_response *root, char **title_out)
{
	struct web_doc doc;
	web_doc_parse(&doc, root->body, root->len, WEB_PARSE_HTML, NULL);
	char *title = web_doc_title(&doc);
	web_doc_free(&doc);
	*title_out = title;
	if (root->server)
		device_set(r->d, "identity.web_server", root->server, FACT_WEB, "/: Server header");
	if (r->o->vendor) {
		char *path = xasprintf("%s.json", r->o->vendor);
		struct strlist errs = {0};
		json_t *p = profile_load(path, r->o->profiles_dir, &errs);
		if (!p)
			device_note(r->d, "web: no vendor profile '%s'%s%s", r->o->vendor, errs.n ? ": " : "",
				    errs.n ? errs.v[0] : "");
		strlist_free(&errs);
		free(path);
		return p;
	}
	struct ident id = {.title = title, .server = root->server, .body = root->body};
	struct strlist errs = {0};
	profile_each("", r->o->profiles_dir, ident_cb, &id, &errs);
	strlist_free(&errs);
	if (!id.best_profile) {
		device_note(r->d, "web: the vendor was not recognised from the root page (title '%s', Server '%s'); give "
			    "--vendor", title ? title : "", root->server ? root->server : "");
		return NULL;
	}
	if (id.tie)
		device_note(r->d, "web: the root page matches several vendors equally; using %s (give --vendor to choose)",
			    id.best_path);
	device_set(r->d, "identity.vendor_id", profile_str(id.best_profile, "id"), FACT_WEB, "/: web markers");
	free(id.best_path);
	return id.best_profile;
}

static void run_pages(struct reader *r)
{
	const json_t *pages = json_object_get(r->pageset, "pages");
	r->login = json_object_get(r->pageset, "login");
	const char *m = login_method(r->login);
	r->need_login = strcasecmp(m, "none") != 0;
	r->user = r->o->user ? r->o->user : profile_str(r->login, "default_user");
	if (r->need_login) {
		if (!r->o->password) {
			note_skipped(r, "no password given: set MFPDOCTOR_WEB_PASSWORD or use --web-password-file; a "
					"default password is never tried");
		} else if (do_login(r) == 0) {
			r->logged_in = true;
		} else {
			r->login_failed = true;
			note_skipped(r, "login refused");
		}
	}
	size_t i;
	const json_t *p;
	json_array_foreach((json_t *)pages, i, p) {
		if (!family_ok(p, r->family))
			continue;
		if (r->login_failed && page_needs_auth(r, p) && r->logged_in) {
			/* Basic/Digest refused on an earlier page: do not hammer the device */
			continue;
		}
		read_page(r, p);
		if (r->budget_noted)
			break;
	}
	if (r->login_failed && r->logged_in)
		note_skipped(r, "login refused");
	const char *logout = profile_str(r->login, "logout");
	if (r->logged_in && logout && web_http_budget_left(&r->h) > 0) {
		struct web_response w;
		web_http_get(&r->h, logout, &w); /* frees an exclusive admin session (Konica Minolta) */
		web_response_free(&w);
	}
}

int web_read(struct device *d, const struct web_options *o)
{
	struct reader r = {.d = d, .o = o, .family = o->family};
	struct web_response root;
	memset(&root, 0, sizeof(root));
	json_t *profile = NULL;
	char *title = NULL;
	int rc = -1;
	if (open_session(&r, &root) != 0)
		goto done;
	cert_facts(&r);
	device_set(d, "web.url", r.h.base, FACT_WEB, "web session");
	profile = identify(&r, &root, &title);
	if (!profile)
		goto done;
	r.profile = profile;
	const json_t *web = json_object_get(profile, "web");
	const char *vid = profile_str(profile, "id");
	if (o->trace)
		o->trace->vendor_id = xstrdup(vid);
	if (!json_is_object(web) || !json_is_array(json_object_get(web, "pagesets"))) {
		device_note(d, "web: the %s profile describes no web pages yet", vid ? vid : "vendor");
		rc = 0;
		goto done;
	}
	char *roottext = marker_text(title, root.server, root.body);
	r.pageset = choose_pageset(&r, web, roottext);
	free(roottext);
	if (!r.pageset) {
		device_note(d, "web: no page set of the %s profile applies to family '%s'", vid, r.family);
		rc = 0;
		goto done;
	}
	const char *psid = profile_str(r.pageset, "id");
	if (o->trace)
		o->trace->pageset = xstrdup(psid);
	if (!r.family && json_array_size(json_object_get(r.pageset, "families")) == 1)
		r.family = json_string_value(json_array_get(json_object_get(r.pageset, "families"), 0));
	if (r.family)
		device_set(d, "identity.family", r.family, o->family ? FACT_USER : FACT_WEB,
			   o->family ? "--family" : "web page set");
	run_pages(&r);
	rc = r.nread;
done:
	d->web_requests += (int)r.h.nreqs;
	fill_trace(&r);
	web_response_free(&root);
	free(title);
	free(r.token);
	json_decref(profile);
	web_http_close(&r.h);
	return rc;
}

void web_trace_free(struct web_trace *t)
{
	free(t->base);
	free(t->vendor_id);
	free(t->pageset);
	free(t->cert.subject);
	free(t->cert.issuer);
	free(t->cert.verify_how);
	for (size_t i = 0; i < t->nreqs; i++) {
		free(t->reqs[i].path);
		free(t->reqs[i].error);
	}
	free(t->reqs);
	memset(t, 0, sizeof(*t));
}
