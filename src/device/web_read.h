/* device/web_read.h — reading a printer's embedded web server the way an administrator would,
 * read-only, driven by the "web" section of devices/<vendor>.json (format: docs/web.md):
 * identify the vendor from the root page, log in (none, Basic, Digest, or a login form with
 * cookies and a CSRF token), fetch the SMTP settings and log pages, and extract settings and
 * events into struct device (source FACT_WEB, where = "page path: field").
 * Only GET requests are sent, except the login form's own submission and the read-only POSTs a
 * profile page declares ("post" with "read_only": Toshiba TopAccess XML read commands). A login
 * is judged by the answer's content (an answer that shows neither outcome is not a success), and
 * a page is read only when it is the page the profile describes ("expect"). Every failure (login
 * refused, session expired, page moved, page structure changed, size/time limit) becomes a note
 * in d->notes and the rest of the run continues. */
#ifndef MFP_DEVICE_WEB_READ_H
#define MFP_DEVICE_WEB_READ_H
#include <jansson.h>
#include <stdbool.h>

#include "core/device.h"
#include "device/web_http.h"

/* What the report shows besides the device facts: URL, certificate, requests. */
struct web_trace {
	char *base;                     /* "https://host:port" used, or NULL */
	char *vendor_id;                /* profile used ("xerox"), or NULL */
	char *pageset;                  /* page set id used, or NULL */
	bool plain_http;                /* the pages were read without TLS */
	struct web_cert cert;           /* copy; strings owned */
	struct web_request_rec *reqs;   /* copy; owned */
	size_t nreqs;
};
void web_trace_free(struct web_trace *t);

struct web_options {
	const char *host;               /* name or address; NULL = d->host */
	const char *vendor;             /* profile id ("xerox"); NULL = identify from the root page */
	const char *family;             /* family id for page-set selection, or NULL */
	const char *user;               /* login name, or NULL (profile's default user, if any) */
	const char *password;           /* borrowed secret, or NULL (pages needing login are skipped) */
	const char *cafile;
	const char *pin;                /* "SHA256:…" */
	bool insecure;
	int port;                       /* 0 = 443 for HTTPS, 80 for HTTP */
	bool allow_http;                /* plain HTTP when the device offers no HTTPS */
	long timeout_ms;                /* per request; 0 = 15 s */
	long budget_ms;                 /* whole read; 0 = 4 x timeout + 10 s */
	long max_bytes;                 /* per response; 0 = 2 MiB */
	bool verbose;                   /* record response headers per request (trace) */
	const char *profiles_dir;       /* overlay directory, or NULL ($MFPDOCTOR_PROFILES) */
	struct web_trace *trace;        /* filled when not NULL (caller frees with web_trace_free) */
};

/* Reads the device's web pages into d. Returns the number of settings and events read (0 is
 * possible with notes saying why), or -1 when nothing could be read at all (no web server,
 * certificate not trusted, vendor not recognised); the reason is always in d->notes. */
int web_read(struct device *d, const struct web_options *o);

/* Scores how well a root page matches a vendor profile's match.web_markers (title, Server
 * header and body are searched): the number of markers that match. For tests and the reader. */
int web_identify_score(const json_t *profile, const char *title, const char *server, const char *body);

/* Checks every "web" section rule of a profile (XPath and ERE compile, maps, login fields,
 * known families). Appends one message per problem to errors; returns the number of problems. */
int web_profile_check(const char *path, const json_t *profile, struct strlist *errors);

#endif
