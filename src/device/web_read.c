/* device/web_read.c — the profile-driven web reader; see web_read.h and docs/web.md. This file
 * runs a read: session (web_session.c), vendor identification from the root page, page-set
 * choice, discovery of index pages and ${names} (web_discover.c), login (web_login.c), then each
 * page (web_fetch.c → web_page.c, web_log.c). */
#include "device/web_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/web_extract.h"
#include "device/web_generic.h"
#include "device/web_match.h"
#include "device/web_reader.h"
#include "profile/profile.h"
#include "util/redact.h"
#include "util/text.h"

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

static const json_t *choose_pageset(struct reader *r, const json_t *web, const char *roottext)
{
	const json_t *sets = json_object_get(web, "pagesets");
	size_t i;
	const json_t *s;
	if (r->family) {
		json_array_foreach((json_t *)sets, i, s)
			if (web_in_array(json_object_get(s, "families"), r->family))
				return s;
		json_array_foreach((json_t *)sets, i, s)
			if (!json_object_get(s, "families"))
				return s;
		return NULL;
	}
	json_array_foreach((json_t *)sets, i, s) {
		const char *det = profile_str(s, "detect");
		if (det && web_ere_match(det, roottext))
			return s;
	}
	json_array_foreach((json_t *)sets, i, s)
		if (!profile_str(s, "detect"))
			return s;
	return json_array_get(sets, 0);
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
	const char *m = web_login_method(r->login);
	r->need_login = strcasecmp(m, "none") != 0;
	r->user = r->o->user ? r->o->user : profile_str(r->login, "default_user");
	redact_add_credential(r->user, r->o->password); /* the profile's default user is known only now */
	if (r->need_login) {
		if (!r->o->password) {
			web_fetch_note_skipped(r, "no password given: set MFPDOCTOR_WEB_PASSWORD or use --web-password-file; a "
					"default password is never tried");
		} else {
			int lr = web_login(r);
			r->logged_in = lr == 0;
			r->login_failed = lr != 0;
			r->login_unknown = lr == -2;
			if (lr != 0)
				web_fetch_note_skipped(r, lr == -2 ? "the outcome of the login could not be told" : "login refused");
		}
	}
	size_t i;
	const json_t *p;
	json_array_foreach((json_t *)pages, i, p) {
		if (!web_family_ok(p, r->family))
			continue;
		if (r->login_failed && web_fetch_needs_auth(r, p) && r->logged_in) {
			/* Basic/Digest refused on an earlier page: do not hammer the device */
			continue;
		}
		web_fetch_page(r, p);
		if (r->budget_noted)
			break;
	}
	if (r->login_failed && r->logged_in)
		web_fetch_note_skipped(r, "login refused");
	char *logout = web_vars_expand(r, profile_str(r->login, "logout"));
	if (r->logged_in && logout && web_http_budget_left(&r->h) > 0) {
		struct web_response w;
		web_http_get(&r->h, logout, &w); /* frees an exclusive admin session (Konica Minolta) */
		web_response_free(&w);
	}
	free(logout);
}

int web_read(struct device *d, const struct web_options *o)
{
	struct reader r = {.d = d, .o = o, .family = o->family};
	struct web_response root;
	memset(&root, 0, sizeof(root));
	json_t *profile = NULL;
	char *title = NULL;
	int rc = -1;
	redact_add_credential(o->user, o->password); /* before the first byte is sent or printed */
	if (web_session_open(&r, &root) != 0)
		goto done;
	web_session_cert_facts(&r);
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
	char *roottext = web_marker_text(title, root.server, root.body);
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
	r.vars = json_object();
	web_discover(&r, &root);
	run_pages(&r);
	rc = r.nread;
done:
	if (root.body && root.status >= 200 && root.status < 400 && !r.login_failed && !device_get(d, "smtp.host"))
		rc = web_generic_fallback(&r.h, d, &root, rc); /* no profile, or it read no SMTP server */
	d->web_requests += (int)r.h.nreqs;
	web_session_trace(&r);
	web_response_free(&root);
	free(title);
	free(r.token);
	json_decref(r.vars);
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
	for (size_t i = 0; i < t->nreqs; i++)
		web_request_rec_free(&t->reqs[i]);
	free(t->reqs);
	memset(t, 0, sizeof(*t));
}
