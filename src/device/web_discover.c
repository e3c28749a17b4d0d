/* device/web_discover.c — what the device says about itself before any page is read: the page
 * set's "discover" steps fetch index pages (HP LEDM /DevMgmt/DiscoveryTree.xml, then the
 * manifests it lists, or CDM JSON) or search a page and where it redirected to ("text" steps:
 * Ricoh's /web/guest/<lang>/…), and set ${names} that later page, login and discovery paths use.
 * A value is used in a path only when it is a plain path or path segment of the same device.
 * A page whose ${name} was not discovered is skipped with a note saying which index lacked it.
 * See web_reader.h and docs/web.md ("discover"). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/web_extract.h"
#include "device/web_match.h"
#include "device/web_reader.h"
#include "profile/profile.h"
#include "util/buf.h"
#include "util/text.h"

#define WHY_PREFIX "\x01why:" /* r->vars key prefix: why a name was not discovered */

/* A discovered value as it may go into a path (new string), or NULL when it cannot: an absolute
 * URL keeps only its path (the request still goes to the session's own host). */
static char *path_safe(const char *v)
{
	const char *p = v;
	const char *scheme = strstr(v, "://");
	if (scheme) {
		p = strchr(scheme + 3, '/');
		if (!p)
			return NULL;
	}
	size_t n = strlen(p);
	if (n == 0 || n > 300 || strstr(p, "..") || strncmp(p, "//", 2) == 0)
		return NULL;
	for (const char *c = p; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("/._~%?&=:+-,;", *c))
			return NULL;
	return xstrdup(p);
}

char *web_vars_get(const struct reader *r, const char *name)
{
	if (strcmp(name, "token") == 0)
		return r->token ? xstrdup(r->token) : NULL;
	const char *v = json_string_value(json_object_get(r->vars, name));
	return v ? xstrdup(v) : NULL;
}

/* Calls fn for each ${name} of t; stops when fn returns false. */
static void each_var(const char *t, bool (*fn)(const char *name, size_t n, void *u), void *u)
{
	for (const char *p = t ? strstr(t, "${") : NULL; p; p = strstr(p + 2, "${")) {
		const char *e = strchr(p, '}');
		if (!e || !fn(p + 2, (size_t)(e - p - 2), u))
			return;
	}
}

struct miss {
	const struct reader *r;
	char *name;
};

static bool miss_cb(const char *name, size_t n, void *u)
{
	struct miss *m = u;
	char *k = xasprintf("%.*s", (int)n, name);
	char *v = web_vars_get(m->r, k);
	if (v) {
		free(v);
		free(k);
		return true;
	}
	m->name = k;
	return false;
}

char *web_vars_missing(const struct reader *r, const char *t)
{
	struct miss m = {r, NULL};
	each_var(t, miss_cb, &m);
	return m.name;
}

char *web_vars_expand(const struct reader *r, const char *t)
{
	if (!t)
		return NULL;
	char *miss = web_vars_missing(r, t);
	if (miss) {
		free(miss);
		return NULL;
	}
	struct buf b = {0};
	for (const char *p = t; *p;) {
		const char *e = p[0] == '$' && p[1] == '{' ? strchr(p, '}') : NULL;
		if (!e) {
			buf_putc(&b, *p++);
			continue;
		}
		char *k = xasprintf("%.*s", (int)(e - p - 2), p + 2);
		char *v = web_vars_get(r, k);
		buf_puts(&b, v ? v : "");
		free(v);
		free(k);
		p = e + 1;
	}
	return buf_steal(&b);
}

const char *web_vars_why(const struct reader *r, const char *name)
{
	char *k = xasprintf(WHY_PREFIX "%s", name);
	const char *v = json_string_value(json_object_get(r->vars, k));
	free(k);
	return v;
}

/* Records why name was not discovered (takes why). */
static void set_why(struct reader *r, const char *name, char *why)
{
	char *k = xasprintf(WHY_PREFIX "%s", name);
	json_object_set_new(r->vars, k, json_string(why));
	free(why);
	free(k);
}

/* Reads one step's page (the root page when its path is "/"); 0 with w filled, or -1 (noted). */
static int step_page(struct reader *r, const char *path, const struct web_response *root, struct web_response *w)
{
	memset(w, 0, sizeof(*w));
	if (strcmp(path, "/") == 0) {
		w->body = xmalloc(root->len + 1);
		memcpy(w->body, root->body ? root->body : "", root->len);
		w->body[root->len] = '\0';
		w->len = root->len;
		w->status = root->status;
		w->effective_url = xstrdup(root->effective_url);
		return 0;
	}
	if (web_http_get(&r->h, path, w) != 0) {
		device_note(r->d, "web discovery: %s not read: %s", path, w->error);
		web_response_free(w);
		return -1;
	}
	if (w->status >= 400) {
		device_note(r->d, "web discovery: %s: HTTP %ld%s", path, w->status,
			    w->status == 404 ? " (not found: the device does not offer this index)" : "");
		web_response_free(w);
		return -1;
	}
	return 0;
}

/* Sets the names of one step from its page. */
static void step_names(struct reader *r, const json_t *step, const char *path, const struct web_response *w)
{
	/* a text step searches the final URL (after redirects) and the body */
	enum web_parser p = web_parser_from_name(profile_str(step, "parser"), WEB_PARSE_XML);
	char *text = p == WEB_PARSE_TEXT ? web_response_text(w) : NULL;
	struct web_doc doc;
	web_doc_parse(&doc, text ? text : w->body, text ? strlen(text) : w->len, p, NULL);
	free(text);
	const char *name;
	json_t *rule;
	json_object_foreach(json_object_get(step, "set"), name, rule) {
		char err[240];
		char *v = web_extract_field(&doc, NULL, rule, err, sizeof(err));
		char *safe = v ? path_safe(v) : NULL;
		char *clean = text_sanitize(path, 200, 0);
		if (safe) {
			json_object_set_new(r->vars, name, json_string(safe));
		} else if (v) {
			set_why(r, name, xasprintf("%s gave a value that is not a path of this device", clean));
		} else if (profile_str(rule, "default")) {
			json_object_set_new(r->vars, name, json_string(profile_str(rule, "default")));
			device_note(r->d, "web discovery: %s not found in %s (%s); assumed '%s'", name, clean,
				    err[0] ? err : "not listed", profile_str(rule, "default"));
		} else {
			set_why(r, name, err[0] ? xasprintf("%s could not be searched (profile error: %s)", clean, err)
					        : xasprintf("not listed in %s", clean));
		}
		free(clean);
		free(safe);
		free(v);
	}
	web_doc_free(&doc);
}

void web_discover(struct reader *r, const struct web_response *root)
{
	size_t i;
	const json_t *step;
	json_array_foreach(json_object_get(r->pageset, "discover"), i, step) {
		const char *t = profile_str(step, "path");
		char *miss = web_vars_missing(r, t);
		if (!t || miss) {
			const char *name;
			json_t *rule;
			json_object_foreach(json_object_get(step, "set"), name, rule)
				set_why(r, name, xasprintf("not looked for: ${%s} (the index that lists it) was not discovered",
							   miss ? miss : "?"));
			free(miss);
			continue;
		}
		char *path = web_vars_expand(r, t);
		struct web_response w;
		if (web_http_budget_left(&r->h) > 0 && step_page(r, path, root, &w) == 0) {
			step_names(r, step, path, &w);
			web_response_free(&w);
		} else {
			const char *name;
			json_t *rule;
			json_object_foreach(json_object_get(step, "set"), name, rule)
				set_why(r, name, xasprintf("%s could not be read", path));
		}
		free(path);
	}
}
