/* device/web_match.h — small pure helpers of the web reader: POSIX ERE match and capture,
 * family filters of profile page sets and pages, the text that markers and login checks are
 * matched against. No I/O. */
#ifndef MFP_DEVICE_WEB_MATCH_H
#define MFP_DEVICE_WEB_MATCH_H
#include <jansson.h>
#include <stdbool.h>

#include "device/web_http.h"

#define WEB_MARKER_SCAN_BYTES (256 * 1024)

/* Does ere (REG_EXTENDED|REG_ICASE) match text? false when either is NULL or ere is invalid. */
bool web_ere_match(const char *ere, const char *text);
/* The first capture group (or the whole match) of ere in text, sanitised (new string), or NULL. */
char *web_ere_capture(const char *ere, const char *text);
/* Is s (case-insensitive) one of the strings of the JSON array arr? */
bool web_in_array(const json_t *arr, const char *s);
/* Does a page set or page apply to family? No "families" (or no family) means all. */
bool web_family_ok(const json_t *obj, const char *family);
/* Root-page text for markers: title, Server header and the first WEB_MARKER_SCAN_BYTES of the
 * body (new string). */
char *web_marker_text(const char *title, const char *server, const char *body);
/* Text for ERE checks on a response: the final URL, then the start of the body (new string). */
char *web_response_text(const struct web_response *w);

#endif
