/* device/web_login.c — logging in to an embedded web server as the profile's page set says:
 * HTTP Basic or Digest (credentials handed to libcurl), or a login form (optional login page
 * with a CSRF token, fields built from ${user}/${password}/… templates, POST or GET submit,
 * pre-set cookies, success judged by content: an outcomes table, regexes, a session cookie;
 * an answer that shows neither success nor failure is "unknown", never a success). Every encoding of the password that is sent
 * is registered for redaction before the first byte goes out. See web_reader.h. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "device/web_extract.h"
#include "device/web_match.h"
#include "device/web_reader.h"
#include "profile/profile.h"
#include "util/buf.h"
#include "util/redact.h"
#include "util/text.h"

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
				else
					v = web_vars_get(r, name);
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

/* Builds "a=1&b=2" from the login "fields" object; every value is expanded and escaped. Each
 * value built from the password is registered for redaction in every form before it is sent:
 * the value as expanded (raw, base64, …), its URL/form/JSON/HTML encodings, and curl's escape of
 * it (a GET login puts it in the URL). */
static char *form_body(struct reader *r, const json_t *fields)
{
	struct buf b = {0};
	const char *k;
	json_t *v;
	bool have_pw = r->o->password && *r->o->password;
	json_object_foreach((json_t *)fields, k, v) {
		if (!json_is_string(v))
			continue;
		char *raw = expand(r, json_string_value(v));
		char *ek = web_http_escape(&r->h, k);
		char *ev = web_http_escape(&r->h, raw);
		if (have_pw && strstr(json_string_value(v), "${password")) {
			redact_add_credential(r->user, raw);
			redact_add_secret(ev);
		}
		buf_printf(&b, "%s%s=%s", b.len ? "&" : "", ek, ev);
		free(raw);
		free(ek);
		free(ev);
	}
	return buf_steal(&b);
}

const char *web_login_method(const json_t *login)
{
	const char *m = profile_str(login, "method");
	return m ? m : "none";
}

bool web_login_page_seen(const struct reader *r, const struct web_response *w)
{
	const char *ere = profile_str(r->login, "expired_regex");
	if (!ere)
		return false;
	char *t = web_response_text(w);
	bool m = web_ere_match(ere, t);
	free(t);
	return m;
}

/* Reads the login page (when the profile names one) and its CSRF token into r->token.
 * Returns 0 or -1 (noted). */
static int login_page(struct reader *r, const char *page)
{
	const json_t *L = r->login;
	struct web_response w;
	if (web_http_get(&r->h, page, &w) != 0 || w.status >= 400) {
		if (w.error[0])
			device_note(r->d, "web login: the login page %s could not be read: %s", page, w.error);
		else
			device_note(r->d, "web login: the login page %s could not be read: HTTP %ld", page, w.status);
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
	return 0;
}

enum verdict { V_SUCCESS, V_FAILED, V_UNKNOWN };

struct outcome {
	enum verdict v;
	char *why;       /* what the answer showed (new string) */
	char *fix;       /* what to do, or NULL for the default advice */
};

/* The capture groups of ere in text joined by ": " (sanitised, new string), or NULL. */
static char *groups(const char *ere, const char *text)
{
	regex_t re;
	regmatch_t m[6];
	if (regcomp(&re, ere, REG_EXTENDED | REG_ICASE) != 0)
		return NULL;
	struct buf b = {0};
	if (regexec(&re, text, 6, m, 0) == 0)
		for (size_t g = 1; g <= re.re_nsub && g < 6; g++)
			if (m[g].rm_so >= 0 && m[g].rm_eo > m[g].rm_so) {
				char *v = text_trim(text_sanitize_n(text + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so), 120, 0));
				if (*v)
					buf_printf(&b, "%s%s", b.len ? ": " : "", v);
				free(v);
			}
	regfree(&re);
	return b.len ? buf_steal(&b) : (buf_free(&b), NULL);
}

/* The profile's "outcomes" table: the first rule whose regex matches decides. */
static bool outcome_table(const json_t *L, const char *text, struct outcome *o)
{
	size_t i;
	const json_t *rule;
	json_array_foreach(json_object_get(L, "outcomes"), i, rule) {
		const char *ere = profile_str(rule, "regex");
		if (!ere || !web_ere_match(ere, text))
			continue;
		const char *res = profile_str(rule, "result");
		o->v = res && strcasecmp(res, "success") == 0 ? V_SUCCESS : V_FAILED;
		const char *say = profile_str(rule, "say");
		char *g = groups(ere, text);
		o->why = g ? xasprintf("%s (the device answered '%s')", say ? say : "login refused", g)
			   : xstrdup(say ? say : "login refused");
		o->fix = profile_str(rule, "fix") ? xstrdup(profile_str(rule, "fix")) : NULL;
		free(g);
		return true;
	}
	return false;
}

/* Judges the answer to the login form by its content: the outcomes table, failure_regex, the
 * HTTP status, success_regex, success_cookie. An answer none of them decides is "unknown",
 * never a success: devices answer a failed login with an ordinary page (Kyocera, Konica Minolta). */
static struct outcome login_outcome(struct reader *r, const struct web_response *w)
{
	const json_t *L = r->login;
	struct outcome o = {V_UNKNOWN, NULL, NULL};
	char *text = web_response_text(w);
	const char *fail = profile_str(L, "failure_regex");
	const char *ok = profile_str(L, "success_regex");
	const char *cookie = profile_str(L, "success_cookie");
	if (outcome_table(L, text, &o)) {
		/* decided */
	} else if (fail && web_ere_match(fail, text)) {
		char *words = web_ere_capture(fail, text);
		o.v = V_FAILED;
		o.why = xasprintf("the device answered '%s'", words ? words : "login failed");
		free(words);
	} else if (w->status >= 400) {
		o.v = V_FAILED;
		o.why = xasprintf("HTTP %ld", w->status);
	} else if (ok) {
		o.v = web_ere_match(ok, text) ? V_SUCCESS : V_FAILED;
		if (o.v == V_FAILED)
			o.why = xstrdup("the answer did not show a successful login");
	}
	if (o.v != V_FAILED && cookie) {
		char *c = web_http_cookie(&r->h, cookie);
		if (!c || !*c) {
			o.v = V_FAILED;
			free(o.why);
			o.why = xasprintf("no session cookie '%s' was set", cookie);
		} else if (o.v == V_UNKNOWN) {
			o.v = V_SUCCESS;
		}
		free(c);
	}
	free(text);
	return o;
}

/* Sets the profile's pre-login cookies (e.g. Ricoh's cookieOnOffChecker=on: without it the
 * device answers every login with its "cookie error" page). */
static void preset_cookies(struct reader *r)
{
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(r->login, "cookies"), k, v)
		if (json_is_string(v))
			web_http_set_cookie(&r->h, k, json_string_value(v));
}

static void note_outcome(struct reader *r, const struct web_response *w, struct outcome *o)
{
	const char *u = r->user ? r->user : "";
	if (o->v == V_FAILED) {
		device_note(r->d, "web login refused for user '%s': %s. %s; pages needing the login are skipped", u, o->why,
			    o->fix ? o->fix : "Check the administrator password (MFPDOCTOR_WEB_PASSWORD or --web-password-file)");
	} else if (o->v == V_UNKNOWN) {
		char *title = NULL;
		struct web_doc doc;
		web_doc_parse(&doc, w->body, w->len, WEB_PARSE_HTML, NULL);
		title = web_doc_title(&doc);
		web_doc_free(&doc);
		device_note(r->d, "web login for user '%s': the outcome could not be told from the device's answer (HTTP %ld, "
			    "%zu bytes, title '%s'%s%s); it is not taken as a success, so pages needing the login are not read. "
			    "Log in with a browser to check the password; if it works, the profile's login.outcomes need this "
			    "firmware's answer (docs/web.md)", u, w->status, w->len, title ? title : "", o->why ? "; " : "",
			    o->why ? o->why : "");
		free(title);
	}
	free(o->why);
	free(o->fix);
}

static int form_login(struct reader *r)
{
	const json_t *L = r->login;
	char *page = web_vars_expand(r, profile_str(L, "page"));
	char *action = web_vars_expand(r, profile_str(L, "action"));
	free(r->token);
	r->token = NULL;
	preset_cookies(r);
	int rc = -1;
	if (page && login_page(r, page) != 0)
		goto out;
	if (!action)
		action = page ? xstrdup(page) : NULL;
	if (!action) {
		device_note(r->d, "web login: profile error: form login without \"action\" or \"page\"");
		goto out;
	}
	char *body = form_body(r, json_object_get(L, "fields"));
	const char *submit = profile_str(L, "submit");
	struct web_response w;
	int hr;
	if (submit && strcasecmp(submit, "GET") == 0) {
		char *path = xasprintf("%s%s%s", action, strchr(action, '?') ? "&" : "?", body);
		hr = web_http_get(&r->h, path, &w);
		free(path);
	} else {
		hr = web_http_post_form(&r->h, action, body, &w);
	}
	free(body);
	if (hr != 0) {
		device_note(r->d, "web login: %s", w.error);
	} else {
		struct outcome o = login_outcome(r, &w);
		rc = o.v == V_SUCCESS ? 0 : o.v == V_FAILED ? -1 : -2;
		note_outcome(r, &w, &o);
	}
	web_response_free(&w);
out:
	free(page);
	free(action);
	return rc;
}

int web_login(struct reader *r)
{
	const char *m = web_login_method(r->login);
	/* every form of the credential, before anything is sent or printed */
	redact_add_credential(r->user, r->o->password);
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
