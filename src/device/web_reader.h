/* device/web_reader.h — internal to the web reader (web_read.c, web_session.c, web_login.c,
 * web_fetch.c): the state of one read and the functions the files share. Not for other modules;
 * the public interface is web_read.h. */
#ifndef MFP_DEVICE_WEB_READER_H
#define MFP_DEVICE_WEB_READER_H
#include <jansson.h>
#include <stdbool.h>

#include "core/device.h"
#include "device/web_http.h"
#include "device/web_read.h"

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
	bool login_unknown;          /* the login's outcome could not be told (not a success) */
	char *token;                 /* CSRF token from the login page (or the last page that rotates it) */
	const json_t *post;          /* the read-only POST of the page being fetched, or NULL */
	json_t *vars;                /* discovered ${names} (web_discover.c): {"name": "value"}, owned */
	int nread;
};

/* web_session.c: opens the session (HTTPS, or plain HTTP when allowed and HTTPS is absent) and
 * reads "/" into root. Returns 0 or -1 (noted with the real reason). */
int web_session_open(struct reader *r, struct web_response *root);
/* Certificate facts (web.certificate_*) of a TLS session. */
void web_session_cert_facts(struct reader *r);
/* Copies URL, certificate and request log into r->o->trace (when set). */
void web_session_trace(struct reader *r);

/* web_login.c: "none", "basic", "digest" or "form" (the profile's login.method). */
const char *web_login_method(const json_t *login);
/* Logs in as the page set's login describes (Basic/Digest: sets the credentials, judged on the
 * first page). Returns 0, -1 (refused) or -2 (the outcome could not be told: not a success),
 * after a note saying why. */
int web_login(struct reader *r);
/* Does the response look like the device's login page (login.expired_regex)? */
bool web_login_page_seen(const struct reader *r, const struct web_response *w);

/* web_discover.c: runs the page set's "discover" steps (index pages such as HP's
 * DiscoveryTree.xml and manifests, or the language segment in a redirect) into r->vars. */
void web_discover(struct reader *r, const struct web_response *root);
/* The value of ${name}: a discovered variable or NULL (new string). */
char *web_vars_get(const struct reader *r, const char *name);
/* t with ${name} replaced by discovered values and ${token} by r->token (new string; NULL when t
 * is NULL or names a variable that was not discovered). */
char *web_vars_expand(const struct reader *r, const char *t);
/* The first ${name} in t that has no value (new string), or NULL. */
char *web_vars_missing(const struct reader *r, const char *t);
/* Why ${name} was not discovered ("not listed in /DevMgmt/DiscoveryTree.xml"), or NULL. */
const char *web_vars_why(const struct reader *r, const char *name);

/* web_fetch.c: does this page need the administrator login? */
bool web_fetch_needs_auth(const struct reader *r, const json_t *page);
/* Fetches one profile page (re-logging in once when the session expired) and extracts it. */
void web_fetch_page(struct reader *r, const json_t *page);
/* One note listing the pages needing the login that were not read, and why. */
void web_fetch_note_skipped(struct reader *r, const char *why);

#endif
