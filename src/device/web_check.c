/* device/web_check.c — validating the "web" sections of vendor profiles (every XPath and ERE
 * compiles, maps are string maps, login descriptions are complete, families exist); see
 * web_read.h (web_profile_check). Used by tests/unit/test_web_extract.c over every profile. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/web_extract.h"
#include "device/web_read.h"
#include "profile/profile.h"

static const char *login_method(const json_t *login)
{
	const char *m = profile_str(login, "method");
	return m ? m : "none";
}

static void check_rules(const char *where, const json_t *fields, struct strlist *errors, int *n)
{
	const char *k;
	json_t *rule;
	json_object_foreach((json_t *)fields, k, rule) {
		char err[240];
		if (web_rule_check(rule, err, sizeof(err)) != 0) {
			strlist_add_owned(errors, xasprintf("%s field %s: %s", where, k, err));
			(*n)++;
		}
	}
}

static void check_ere(const char *where, const char *what, const char *ere, struct strlist *errors, int *n)
{
	regex_t re;
	if (!ere)
		return;
	if (regcomp(&re, ere, REG_EXTENDED | REG_ICASE) != 0) {
		strlist_add_owned(errors, xasprintf("%s %s: ERE does not compile", where, what));
		(*n)++;
		return;
	}
	regfree(&re);
}

static void check_families(const char *where, const json_t *obj, const json_t *profile, struct strlist *errors, int *n)
{
	size_t i, j;
	const json_t *f, *fam;
	json_array_foreach(json_object_get(obj, "families"), i, f) {
		bool found = false;
		json_array_foreach(json_object_get(profile, "families"), j, fam)
			if (json_is_string(f) && profile_str(fam, "id") && strcmp(profile_str(fam, "id"), json_string_value(f)) == 0)
				found = true;
		if (!found) {
			strlist_add_owned(errors, xasprintf("%s: unknown family '%s'", where, json_is_string(f) ? json_string_value(f) : "?"));
			(*n)++;
		}
	}
}

static void check_page(const char *ps, const json_t *page, const json_t *profile, struct strlist *errors, int *n)
{
	const char *path = profile_str(page, "path");
	char *where = xasprintf("%s page %s", ps, path ? path : "?");
	if (!path || (path[0] != '/' && strncmp(path, "${", 2) != 0)) {
		strlist_add_owned(errors, xasprintf("%s: \"path\" must start with / or a discovered ${name}", where));
		(*n)++;
	}
	const char *parser = profile_str(page, "parser");
	if (parser && web_parser_from_name(parser, (enum web_parser)99) == (enum web_parser)99) {
		strlist_add_owned(errors, xasprintf("%s: parser must be html, xml, text or json", where));
		(*n)++;
	}
	size_t mi;
	const json_t *m;
	json_array_foreach(json_object_get(page, "expect"), mi, m)
		check_ere(where, "expect", json_is_string(m) ? json_string_value(m) : "(", errors, n);
	const json_t *post = json_object_get(page, "post");
	if (post && (!profile_str(post, "read_only") || !profile_str(post, "body"))) {
		strlist_add_owned(errors, xasprintf("%s: a \"post\" page needs \"body\" and \"read_only\" (why the POST only reads)", where));
		(*n)++;
	}
	check_families(where, page, profile, errors, n);
	check_rules(where, json_object_get(page, "fields"), errors, n);
	const json_t *evs = json_object_get(page, "events");
	json_t *wrap = json_is_object(evs) ? json_pack("[O]", evs) : NULL;
	size_t i;
	const json_t *ev;
	json_array_foreach(wrap ? wrap : evs, i, ev) {
		const char *rows = profile_str(ev, "rows");
		const char *rx = profile_str(ev, "rows_regex");
		const char *js = profile_str(ev, "js_rows");
		if (!rows && !rx && !js) {
			strlist_add_owned(errors, xasprintf("%s events: need \"rows\", \"rows_regex\" or \"js_rows\"", where));
			(*n)++;
		}
		check_ere(where, "rows_regex", rx, errors, n);
		check_ere(where, "filter", profile_str(ev, "filter"), errors, n);
		const char *origin = profile_str(ev, "origin");
		if (origin && strcmp(origin, "web-joblog") && strcmp(origin, "web-errorlog")) {
			strlist_add_owned(errors, xasprintf("%s events: origin must be web-joblog or web-errorlog", where));
			(*n)++;
		}
		if (rows || js) {
			json_t *f = json_object_get(ev, "fields");
			const char *k;
			json_t *rule;
			json_object_foreach(f, k, rule) {
				char err[240];
				if (web_rule_check(rule, err, sizeof(err)) != 0) {
					strlist_add_owned(errors, xasprintf("%s events field %s: %s", where, k, err));
					(*n)++;
				}
			}
		}
	}
	json_decref(wrap);
	free(where);
}

/* login.outcomes (regex + result success|failed) and login.cookies (strings). */
static void check_login_extra(const char *where, const json_t *login, struct strlist *errors, int *n)
{
	size_t i;
	const json_t *o;
	json_array_foreach(json_object_get(login, "outcomes"), i, o) {
		const char *res = profile_str(o, "result");
		check_ere(where, "outcomes regex", profile_str(o, "regex") ? profile_str(o, "regex") : "(", errors, n);
		if (!res || (strcmp(res, "success") && strcmp(res, "failed"))) {
			strlist_add_owned(errors, xasprintf("%s login outcomes: result must be success or failed", where));
			(*n)++;
		}
	}
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(login, "cookies"), k, v)
		if (!json_is_string(v)) {
			strlist_add_owned(errors, xasprintf("%s login cookies: '%s' must be a string", where, k));
			(*n)++;
		}
}

int web_profile_check(const char *path, const json_t *profile, struct strlist *errors)
{
	int n = 0;
	const json_t *web = json_object_get(profile, "web");
	if (!web)
		return 0;
	const json_t *sets = json_object_get(web, "pagesets");
	if (!json_is_array(sets) || json_array_size(sets) == 0) {
		strlist_add_owned(errors, xasprintf("%s: web.pagesets must be a non-empty array", path));
		return 1;
	}
	size_t i, j;
	const json_t *s, *p;
	json_array_foreach((json_t *)sets, i, s) {
		char *where = xasprintf("%s pageset %s", path, profile_str(s, "id") ? profile_str(s, "id") : "?");
		check_families(where, s, profile, errors, &n);
		check_ere(where, "detect", profile_str(s, "detect"), errors, &n);
		const json_t *login = json_object_get(s, "login");
		const char *m = login ? login_method(login) : "none";
		if (strcasecmp(m, "none") && strcasecmp(m, "basic") && strcasecmp(m, "digest") && strcasecmp(m, "form")) {
			strlist_add_owned(errors, xasprintf("%s: login method '%s' unknown", where, m));
			n++;
		}
		if (strcasecmp(m, "form") == 0) {
			if (!json_is_object(json_object_get(login, "fields")) ||
			    (!profile_str(login, "action") && !profile_str(login, "page"))) {
				strlist_add_owned(errors, xasprintf("%s: form login needs \"fields\" and \"action\" or \"page\"", where));
				n++;
			}
			const json_t *tok = json_object_get(login, "token");
			char err[240];
			if (tok && web_rule_check(tok, err, sizeof(err)) != 0) {
				strlist_add_owned(errors, xasprintf("%s login token: %s", where, err));
				n++;
			}
		}
		check_ere(where, "failure_regex", profile_str(login, "failure_regex"), errors, &n);
		check_ere(where, "success_regex", profile_str(login, "success_regex"), errors, &n);
		check_ere(where, "expired_regex", profile_str(login, "expired_regex"), errors, &n);
		check_login_extra(where, login, errors, &n);
		json_array_foreach(json_object_get(s, "discover"), j, p) {
			if (!profile_str(p, "path") || !json_is_object(json_object_get(p, "set"))) {
				strlist_add_owned(errors, xasprintf("%s discover: a step needs \"path\" and \"set\"", where));
				n++;
			}
			check_rules(where, json_object_get(p, "set"), errors, &n);
		}
		json_array_foreach(json_object_get(s, "pages"), j, p)
			check_page(where, p, profile, errors, &n);
		free(where);
	}
	return n;
}
