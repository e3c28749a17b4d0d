/* device/web_generic_int.h — internal to the generic web reader (web_generic_*.c): the word
 * lists of devices/generic/labels.json, label and name matching, and the candidates of one page.
 * Not for other modules; the public interface is web_generic.h. */
#ifndef MFP_DEVICE_WEB_GENERIC_INT_H
#define MFP_DEVICE_WEB_GENERIC_INT_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/device.h"

/* The settings looked for, in the order of labels.json "fields". */
enum wg_key { WG_HOST, WG_PORT, WG_SECURITY, WG_AUTH_METHOD, WG_AUTH, WG_USER, WG_FROM, WG_NKEYS };
/* How a value was found (the words of its "where"). */
enum wg_kind { WG_LABEL, WG_FIELD, WG_SCRIPT, WG_XML };
/* The section a candidate sits in: e-mail/SMTP, another protocol's, or not known. */
enum wg_ctx { WG_CTX_NONE, WG_CTX_SMTP, WG_CTX_FOREIGN };
/* A checkbox's state, for wg_offer (WG_VALUE: an ordinary value). */
enum wg_state { WG_VALUE, WG_CHECKED, WG_UNCHECKED };

/* What a label or name matched: keys ranked by the length of the matched words, each strong
 * (enough alone) or weak (needs an SMTP section); foreign: another protocol's word outside the
 * match; never: a word of a field never taken (administrator, recipient, password); smtp: a
 * context word ("e-mail", "SMTP", "メール"). */
struct wg_hits {
	int n;
	enum wg_key key[WG_NKEYS];
	bool weak[WG_NKEYS];
	bool foreign;
	bool never;
	bool smtp;
};

/* Returns the loaded lists (borrowed; loaded once), or NULL with err. */
const json_t *wg_words(char *err, size_t errsz);
/* Lower case, '-' '_' '/' NBSP and whitespace runs as one space, typographic apostrophe as "'",
 * trailing ':' '*' dropped (new string). */
char *wg_norm(const char *s);
/* Matches a visible label (kind WG_LABEL) or a name (others: field name, variable, element). */
void wg_match(const char *text, bool is_name, struct wg_hits *h);
/* Does the normalised text contain a context / foreign word? */
bool wg_is_smtp_text(const char *text);
bool wg_is_foreign_text(const char *text);
/* The value of a labels.json "values" map ("security", "auth") for raw text, or NULL. */
const char *wg_map_value(const char *map, const char *raw);
/* Whole-word search of normalised word w in normalised s; returns the offset or -1. */
long wg_find_word(const char *s, const char *w, long from);

struct wg_cand {
	enum wg_key key;
	char *value;        /* validated, canonical */
	char *shown;        /* the label or name as found (sanitised) */
	enum wg_kind kind;
	bool weak;
	int order;
};

struct wg_page {
	const char *path;
	struct wg_cand *c;
	size_t n, cap;
	enum wg_ctx page_ctx;   /* from the title */
	enum wg_ctx ctx;        /* current section */
	int order;
};

void wg_page_init(struct wg_page *p, const char *path);
/* A heading, legend, caption or title: sets the section. */
void wg_section(struct wg_page *p, const char *text);
/* A label or name with its value (state for checkboxes): matched, validated and kept when it
 * names a setting. Returns true when a candidate was kept. */
bool wg_offer(struct wg_page *p, enum wg_kind kind, const char *label, const char *value, enum wg_state st);
/* Chooses the best candidate per setting and stores new guesses in d. Returns the facts set. */
int wg_page_commit(struct wg_page *p, struct device *d);
void wg_page_free(struct wg_page *p);

/* web_generic_html.c / web_generic_js.c: candidates of a parsed HTML page, of script text and of
 * an XML document (xmlDocPtr). */
void wg_scan_html(struct wg_page *p, void *xmldoc);
void wg_scan_script(struct wg_page *p, const char *text);
void wg_scan_xml(struct wg_page *p, void *xmldoc);

#endif
