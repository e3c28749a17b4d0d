/* device/web_generic.h — the generic web reader for printer models no vendor profile knows: the
 * SMTP server, port, security, login (on/off, method), login name and From address are guessed
 * from what any settings page shows a person or a script: form field names/ids and their values
 * (input value, selected option, checked radio/checkbox), labels next to values (table cells,
 * <th>, <dt>/<dd>, <label for=>, "Label: value"), script assignments (var smtpServer = "…",
 * _pp.smtpPort = parseInt('25', 10)) and XML element names (<SmtpServer>). The words it knows, in
 * English, German, French, Spanish, Italian and Japanese, are data: devices/generic/labels.json.
 * Every value is validated (a port is 1-65535, a server a host name or address, a From an
 * address) and stored as a guessed fact (device_guess: lower confidence, where = "guessed from
 * label 'Serveur SMTP' on /page"); a guess never replaces a value read any other way.
 * See docs/web.md, "Unknown models: the generic reader". */
#ifndef MFP_DEVICE_WEB_GENERIC_H
#define MFP_DEVICE_WEB_GENERIC_H
#include <stddef.h>

#include "core/device.h"
#include "device/web_http.h"

#define WEB_GENERIC_MAX_PAGES 10    /* pages fetched after the root page, at most */

/* Guesses SMTP settings from one page body (HTML, XML or script; content_type may be NULL).
 * path names the page in the facts' "where". Pure: no I/O. Keys already known in d are left
 * alone. Returns the number of facts set. */
int web_generic_extract(struct device *d, const char *path, const char *body, size_t len,
			const char *content_type);

/* Same-host links of a page worth following for e-mail settings, best first: absolute paths
 * ("/net/smtp.html") resolved against base ("https://host:port") and the page path, with their
 * scores. Links leaving the host, script and mail links, and links whose text or target looks
 * like an action (logout, reset, delete, print, apply, …) are never returned. Appends to out
 * (paths) at most max entries. Pure. Returns the number appended. */
int web_generic_links(const char *base, const char *page_path, const char *body, size_t len,
		      struct strlist *out, size_t max);

/* The fallback run by the web reader when no profile applies or the profile read no SMTP server:
 * guesses from root (already fetched as "/"), then follows the best same-host links (GET only,
 * at most WEB_GENERIC_MAX_PAGES pages, inside the session's time budget) until every setting is
 * found. Notes what it did in d. prev_rc is the reader's result so far (-1 = nothing read);
 * returns the new result: prev_rc plus the facts guessed (or prev_rc when none). */
int web_generic_fallback(struct web_http *h, struct device *d, const struct web_response *root,
			 int prev_rc);

/* The loaded word lists (devices/generic/labels.json, or the overlay's copy), for tests and
 * checks: 0 when they load and every field has labels, else -1 with a message in err. */
int web_generic_check(char *err, size_t errsz);

#endif
