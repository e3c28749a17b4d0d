/* device/web_page.c — settings and logs out of one page body; see web_page.h. */
#include "device/web_page.h"

#include <stdio.h>
#include <stdlib.h>

#include "device/web_extract.h"
#include "device/web_log.h"
#include "profile/profile.h"
#include "util/buf.h"
#include "util/text.h"

static char *where_of(const char *path, const char *key, const json_t *rule)
{
	const json_t *first = json_is_array(rule) ? json_array_get(rule, 0) : rule;
	const char *name = profile_str(first, "name");
	char *clean = text_sanitize(path, 200, 0);
	char *w = xasprintf("%s: %s", clean, name ? name : key);
	free(clean);
	return w;
}

static bool rule_optional(const json_t *rule)
{
	const json_t *first = json_is_array(rule) ? json_array_get(rule, 0) : rule;
	return json_is_true(json_object_get(first, "optional"));
}

/* The settings of a page; returns how many were read. */
static int read_fields(struct device *d, const char *path, const struct web_doc *doc, const json_t *fields)
{
	int n = 0;
	struct buf missing = {0};
	const char *key;
	json_t *rule;
	json_object_foreach((json_t *)fields, key, rule) {
		char err[240];
		char *v = web_extract_field(doc, NULL, rule, err, sizeof(err));
		if (v) {
			char *w = where_of(path, key, rule);
			device_set(d, key, v, FACT_WEB, w);
			n++;
			free(w);
			free(v);
			continue;
		}
		if (err[0]) {
			device_note(d, "page %s: field %s not read: %s", path, key, err);
			continue;
		}
		if (!rule_optional(rule)) {
			const json_t *first = json_is_array(rule) ? json_array_get(rule, 0) : rule;
			const char *name = profile_str(first, "name");
			buf_printf(&missing, "%s%s", missing.len ? ", " : "", key);
			if (name)
				buf_printf(&missing, " (%s)", name);
		}
	}
	if (missing.len)
		device_note(d, "page %s: the page structure did not match the profile; fields not found: %s "
			    "(firmware changed? compare the page with docs/web.md)", path, buf_str(&missing));
	buf_free(&missing);
	return n;
}

int web_page_extract(struct device *d, const json_t *page, const char *path, const char *body, size_t len)
{
	return web_page_extract_ctx(d, page, path, body, len, NULL, NULL);
}

int web_page_extract_ctx(struct device *d, const json_t *page, const char *path, const char *body, size_t len,
			 const json_t *maps, const char *scripts)
{
	struct web_doc doc;
	web_doc_parse(&doc, body, len, web_parser_from_name(profile_str(page, "parser"), WEB_PARSE_HTML),
		      profile_str(page, "charset"));
	doc.namespaces = json_object_get(page, "namespaces");
	doc.maps = maps;
	doc.scripts = scripts;
	if (!doc.xml && doc.parser != WEB_PARSE_TEXT && doc.error[0])
		device_note(d, "page %s: %s; only regex rules could be applied", path, doc.error);
	int n = 0;
	const json_t *fields = json_object_get(page, "fields");
	if (json_is_object(fields))
		n += read_fields(d, path, &doc, fields);
	const json_t *evs = json_object_get(page, "events");
	if (evs)
		n += web_log_read(d, path, &doc, evs);
	web_doc_free(&doc);
	return n;
}
