/* device/web_page.h — one profile page's body into device facts and events: the page is parsed
 * with the page's parser and charset, its "fields" become settings (FACT_WEB, where = "path:
 * field name") and its "events" become log events (web_log.h). Pure: no I/O, so the fuzz target
 * (tests/fuzz/fuzz_web_profiles.c) feeds arbitrary bytes through every profile's rules. */
#ifndef MFP_DEVICE_WEB_PAGE_H
#define MFP_DEVICE_WEB_PAGE_H
#include <jansson.h>
#include <stddef.h>

#include "core/device.h"

/* Extracts page (a profile page object; path is its "path") from body[0..len). Notes what was
 * missing or could not be parsed in d. Returns the number of settings and events read. */
int web_page_extract(struct device *d, const json_t *page, const char *path, const char *body, size_t len);
/* The same with the profile's named value maps (web.maps, or NULL) and extra script text for JS
 * table lookups (or NULL). */
int web_page_extract_ctx(struct device *d, const json_t *page, const char *path, const char *body, size_t len,
			 const json_t *maps, const char *scripts);

#endif
