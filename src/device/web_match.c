/* device/web_match.c — ERE helpers, family filters and marker scoring for the web reader; see
 * web_match.h and web_read.h (web_identify_score). */
#include "device/web_match.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/web_extract.h"
#include "device/web_read.h"
#include "util/buf.h"

bool web_ere_match(const char *ere, const char *text)
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
char *web_ere_capture(const char *ere, const char *text)
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

bool web_in_array(const json_t *arr, const char *s)
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
bool web_family_ok(const json_t *obj, const char *family)
{
	const json_t *f = json_object_get(obj, "families");
	if (!json_is_array(f) || json_array_size(f) == 0 || !family)
		return true;
	return web_in_array(f, family) || web_in_array(f, "*");
}

/* Root-page text for markers: title, Server header and the start of the body. */
char *web_marker_text(const char *title, const char *server, const char *body)
{
	size_t n = body ? strlen(body) : 0;
	if (n > WEB_MARKER_SCAN_BYTES)
		n = WEB_MARKER_SCAN_BYTES;
	return xasprintf("%s\n%s\n%.*s", title ? title : "", server ? server : "", (int)n, body ? body : "");
}

int web_identify_score(const json_t *profile, const char *title, const char *server, const char *body)
{
	const json_t *markers = json_object_get(json_object_get(profile, "match"), "web_markers");
	if (!json_is_array(markers))
		return 0;
	char *text = web_marker_text(title, server, body);
	int score = 0;
	size_t i;
	const json_t *m;
	json_array_foreach((json_t *)markers, i, m)
		if (json_is_string(m) && web_ere_match(json_string_value(m), text))
			score++;
	free(text);
	return score;
}

/* Text for ERE checks on a response: final URL, then the body. */
char *web_response_text(const struct web_response *w)
{
	return xasprintf("%s\n%.*s", w->effective_url ? w->effective_url : "",
			 (int)(w->len < WEB_MARKER_SCAN_BYTES ? w->len : WEB_MARKER_SCAN_BYTES), w->body ? w->body : "");
}
