/* device/web_extract.h — pulling values out of embedded-web-server pages: libxml2's HTML or XML
 * parser plus XPath, POSIX ERE capture for values embedded in scripts, and value maps
 * (e.g. {"0": "none", "1": "starttls"} or localised labels). Pure functions over a page body:
 * no I/O, so the engine is unit-tested on fixed inputs (tests/unit/test_web_extract.c).
 *
 * A field rule is a JSON object (from a devices/<vendor>.json "web" section):
 *   {"xpath": "EXPR"}            first non-empty string value of the result
 *   {"regex": "ERE"}             first capture group (or the whole match without a group),
 *                                searched in the raw body
 *   both                         regex applied to the XPath result
 *   {"js": "NAME"}               the value assigned to NAME in the page's JavaScript (web_js.h:
 *                                parseInt, message tables, shallowest-then-last assignment)
 *   {"js_call": "F", "arg": N}   argument N (default 0) of the first call F(...)
 *   {"json": "a.b.0.c"}          a member of a JSON page (parser "json": strict JSON or a JS
 *                                object literal, normalised)
 *   {"label": "L" or ["L", …]}   the value next to the label L in the DOM: the <dd> after a <dt>,
 *                                or the next cell after a <td>/<th>; NBSP, whitespace runs and a
 *                                trailing ':' are ignored ("Device Name&nbsp;:")
 *   regex with one of the above  applied to its result
 *   "group": N                   capture group to use (default 1 when the ERE has one, else 0)
 *   an array of such rules       alternatives tried in order (firmware variants)
 *   "map": {"raw": "value", …}   case-insensitive exact match after trimming; "*" is the default;
 *                                a string names a map of the profile's "web.maps" (shared
 *                                panel-language words);
 *                                an unmapped value is kept as is unless "map_strict" is true
 *   "multiply": N                numeric value times N (e.g. KB → bytes)
 *   "optional": true             missing is not reported as a structure mismatch
 * Every extracted string is valid, sanitised UTF-8 (text_sanitize). */
#ifndef MFP_DEVICE_WEB_EXTRACT_H
#define MFP_DEVICE_WEB_EXTRACT_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

enum web_parser { WEB_PARSE_HTML, WEB_PARSE_XML, WEB_PARSE_TEXT, WEB_PARSE_JSON };

/* A parsed page. body is copied. */
struct web_doc {
	enum web_parser parser;
	char *body;          /* the raw body, NUL-terminated; owned */
	size_t len;
	void *xml;           /* xmlDocPtr or NULL (text pages, or XML that did not parse) */
	const json_t *namespaces; /* borrowed {"prefix": "uri"} for XPath, or NULL */
	json_t *json;        /* parser "json": the document (owned), or NULL */
	const json_t *maps;  /* borrowed web.maps of the profile (named value maps), or NULL */
	const char *scripts; /* borrowed extra script text for JS table lookups, or NULL */
	char error[200];     /* why xml is NULL, when it should not be */
};

/* Parses body[0..len) with the given parser. charset names the encoding when the page does not
 * declare one (NULL: libxml2 detects it from the BOM, <?xml encoding?> or <meta charset>; HTML with
 * undeclared bytes that are not valid UTF-8 is read as ISO-8859-1). Malformed HTML is recovered as a browser would; malformed XML leaves xml NULL and sets
 * error. Never fails otherwise; free with web_doc_free. */
void web_doc_parse(struct web_doc *doc, const char *body, size_t len, enum web_parser p,
		   const char *charset);
void web_doc_free(struct web_doc *doc);

/* "html" | "xml" | "text" | "json" → enum; NULL or unknown gives def. */
enum web_parser web_parser_from_name(const char *name, enum web_parser def);

/* Evaluates expr on doc (or relative to ctx_node, an xmlNodePtr, when not NULL) and appends the
 * string value of each result to out: one entry per node of a node set (trimmed, whitespace runs
 * collapsed), or the single string/number/boolean ("true"/"false"; integral numbers without a
 * decimal point). Empty strings are skipped. Returns the number appended, or -1 with a message in
 * err when expr does not compile or the page could not be parsed. */
int web_xpath_strings(const struct web_doc *doc, void *ctx_node, const char *expr,
		      struct strlist *out, char *err, size_t errsz);

/* Returns the node set of expr as a newly allocated array of xmlNodePtr (count in *n), or NULL
 * with *n = 0 (err set when expr is invalid). The nodes belong to doc. */
void **web_xpath_nodes(const struct web_doc *doc, const char *expr, size_t *n, char *err, size_t errsz);

/* Searches text with ERE (REG_EXTENDED|REG_ICASE). Appends capture group `group` (0 = whole
 * match) of up to max successive matches (0 = 1) to out. Returns the number appended or -1
 * (err: the regcomp message). */
int web_regex_all(const char *text, const char *ere, int group, int max, struct strlist *out,
		  char *err, size_t errsz);

/* Applies a value map: returns a borrowed pointer to the mapped value, to map["*"] when nothing
 * matches, or NULL when nothing matches and there is no default. */
const char *web_map_lookup(const json_t *map, const char *raw);

/* Extracts one field with a rule (see above). Returns a new string, or NULL when the rule found
 * nothing (err left empty) or is broken (err says why: bad XPath or ERE). */
char *web_extract_field(const struct web_doc *doc, void *ctx_node, const json_t *rule,
			char *err, size_t errsz);

/* The page title (sanitised, new string) or NULL. */
char *web_doc_title(const struct web_doc *doc);

/* Validates a field rule without a page: XPath compiles, ERE compiles, map is an object of
 * strings. Returns 0 or -1 with err. */
int web_rule_check(const json_t *rule, char *err, size_t errsz);

#endif
