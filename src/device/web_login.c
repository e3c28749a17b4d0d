/* device/web_login.c — logging in to an embedded web server as the profile's page set says:
 * HTTP Basic or Digest (credentials handed to libcurl), or a login form (optional login page
 * with a CSRF token, fields built from ${user}/${password}/… templates, POST or GET submit,
 * success judged by regexes or a session cookie). Every encoding of the password that is sent
 * is registered for redaction before the first byte goes out. See web_reader.h. */
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

/* Why the answer to the login form shows a refused login (new string), or NULL when it worked. */
static char *login_refused(struct reader *r, const struct web_response *w)
{
	const json_t *L = r->login;
	char *text = web_response_text(w);
	const char *fail = profile_str(L, "failure_regex");
	const char *ok = profile_str(L, "success_regex");
	const char *cookie = profile_str(L, "success_cookie");
	char *why = NULL;
	if (fail && web_ere_match(fail, text)) {
		char *words = web_ere_capture(fail, text);
		why = xasprintf("the device answered '%s'", words ? words : "login failed");
		free(words);
	} else if (w->status >= 400) {
		why = xasprintf("HTTP %ld", w->status);
	} else if (ok && !web_ere_match(ok, text)) {
		why = xstrdup("the answer did not show a successful login");
	} else if (cookie) {
		char *c = web_http_cookie(&r->h, cookie);
		if (!c || !*c)
			why = xasprintf("no session cookie '%s' was set", cookie);
		free(c);
	}
	free(text);
	return why;
}

static int form_login(struct reader *r)
{
	const json_t *L = r->login;
	const char *page = profile_str(L, "page");
	free(r->token);
	r->token = NULL;
	if (page && login_page(r, page) != 0)
		return -1;
	const char *action = profile_str(L, "action");
	if (!action)
		action = page;
	if (!action) {
		device_note(r->d, "web login: profile error: form login without \"action\" or \"page\"");
		return -1;
	}
	char *body = form_body(r, json_object_get(L, "fields"));
	const char *submit = profile_str(L, "submit");
	struct web_response w;
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
	char *why = login_refused(r, &w);
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
