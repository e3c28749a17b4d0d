/* device/web_extract.c — XPath, ERE capture and value maps over page bodies; see web_extract.h. */
#include "device/web_extract.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/web_js.h"
#include "util/text.h"

#define MAX_VALUE 1000

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void silence_libxml(void)
{
	static int done;
	if (!done) {
		xmlSetGenericErrorFunc(NULL, quiet);
		done = 1;
	}
}

enum web_parser web_parser_from_name(const char *name, enum web_parser def)
{
	if (!name)
		return def;
	if (strcasecmp(name, "html") == 0)
		return WEB_PARSE_HTML;
	if (strcasecmp(name, "xml") == 0)
		return WEB_PARSE_XML;
	if (strcasecmp(name, "text") == 0)
		return WEB_PARSE_TEXT;
	if (strcasecmp(name, "json") == 0)
		return WEB_PARSE_JSON;
	return def;
}

/* Strict JSON first; a JS object literal (unquoted keys, single quotes, raw line breaks) is
 * normalised to JSON and parsed again. */
static void parse_json(struct web_doc *doc)
{
	json_error_t je;
	doc->json = json_loadb(doc->body, doc->len, JSON_DECODE_ANY, &je);
	if (doc->json)
		return;
	char *norm = web_js_to_json(doc->body, doc->len);
	doc->json = norm ? json_loads(norm, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &je) : NULL;
	free(norm);
	if (!doc->json)
		snprintf(doc->error, sizeof(doc->error), "neither JSON nor a JS object literal (line %d: %.80s)", je.line,
			 je.text);
}

void web_doc_parse(struct web_doc *doc, const char *body, size_t len, enum web_parser p, const char *charset)
{
	memset(doc, 0, sizeof(*doc));
	silence_libxml();
	doc->parser = p;
	doc->body = xmalloc(len + 1);
	if (len)
		memcpy(doc->body, body, len);
	doc->body[len] = '\0';
	doc->len = len;
	if (p == WEB_PARSE_JSON) {
		parse_json(doc);
		return;
	}
	if (p == WEB_PARSE_TEXT || len == 0 || len > INT32_MAX)
		return;
	if (p == WEB_PARSE_HTML) {
		doc->xml = htmlReadMemory(doc->body, (int)len, "page.html", charset,
					  HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
						  HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED);
		if (!doc->xml)
			snprintf(doc->error, sizeof(doc->error), "the page is not HTML libxml2 could read");
		return;
	}
	/* XML: no network, no entity substitution (no XXE); recover what a broken document allows */
	doc->xml = xmlReadMemory(doc->body, (int)len, "page.xml", charset,
				 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!doc->xml) {
		const xmlError *e = xmlGetLastError();
		char *msg = text_sanitize(e && e->message ? e->message : "not well-formed", 120, 0);
		snprintf(doc->error, sizeof(doc->error), "not well-formed XML (line %d: %s)", e ? e->line : 0,
			 text_trim(msg));
		free(msg);
	}
}

void web_doc_free(struct web_doc *doc)
{
	if (doc->xml)
		xmlFreeDoc(doc->xml);
	json_decref(doc->json);
	free(doc->body);
	memset(doc, 0, sizeof(*doc));
}

/* Trims and collapses whitespace runs into one space; returns a sanitised new string. */
static char *collapse(const char *s)
{
	struct buf b = {0};
	int space = 0;
	for (const char *p = s; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v') {
			space = 1;
			continue;
		}
		/* U+00A0 (&nbsp;) counts as space too */
		if ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0) {
			space = 1;
			p++;
			continue;
		}
		if (space && b.len)
			buf_putc(&b, ' ');
		space = 0;
		buf_putc(&b, *p);
	}
	char *clean = text_sanitize(buf_str(&b), MAX_VALUE, 0);
	buf_free(&b);
	return clean;
}

static xmlXPathContextPtr new_ctx(const struct web_doc *doc, void *ctx_node)
{
	xmlXPathContextPtr x = xmlXPathNewContext(doc->xml);
	if (!x)
		return NULL;
	if (ctx_node)
		x->node = ctx_node;
	const char *prefix;
	json_t *uri;
	if (doc->namespaces && json_is_object(doc->namespaces))
		json_object_foreach((json_t *)doc->namespaces, prefix, uri)
			if (json_is_string(uri))
				xmlXPathRegisterNs(x, BAD_CAST prefix, BAD_CAST json_string_value(uri));
	return x;
}

static xmlXPathObjectPtr eval(const struct web_doc *doc, void *ctx_node, const char *expr, char *err, size_t errsz)
{
	if (!doc->xml) {
		snprintf(err, errsz, "%s", doc->error[0] ? doc->error : "the page could not be parsed");
		return NULL;
	}
	xmlXPathCompExprPtr comp = xmlXPathCompile(BAD_CAST expr);
	if (!comp) {
		snprintf(err, errsz, "XPath '%.100s' does not compile", expr);
		return NULL;
	}
	xmlXPathContextPtr x = new_ctx(doc, ctx_node);
	xmlXPathObjectPtr r = x ? xmlXPathCompiledEval(comp, x) : NULL;
	if (!r)
		snprintf(err, errsz, "XPath '%.100s' could not be evaluated (unknown namespace prefix or function?)", expr);
	xmlXPathFreeContext(x);
	xmlXPathFreeCompExpr(comp);
	return r;
}

static void add_nonempty(struct strlist *out, char *s, int *n)
{
	if (s && *s) {
		strlist_add_owned(out, s);
		(*n)++;
	} else {
		free(s);
	}
}

int web_xpath_strings(const struct web_doc *doc, void *ctx_node, const char *expr, struct strlist *out,
		      char *err, size_t errsz)
{
	xmlXPathObjectPtr r = eval(doc, ctx_node, expr, err, errsz);
	if (!r)
		return -1;
	int n = 0;
	switch (r->type) {
	case XPATH_NODESET:
		for (int i = 0; r->nodesetval && i < r->nodesetval->nodeNr; i++) {
			xmlChar *s = xmlXPathCastNodeToString(r->nodesetval->nodeTab[i]);
			add_nonempty(out, collapse(s ? (const char *)s : ""), &n);
			xmlFree(s);
		}
		break;
	case XPATH_STRING:
		add_nonempty(out, collapse(r->stringval ? (const char *)r->stringval : ""), &n);
		break;
	case XPATH_NUMBER:
		if (!isnan(r->floatval)) {
			double v = r->floatval;
			if (v == floor(v) && fabs(v) < 1e15)
				add_nonempty(out, xasprintf("%lld", (long long)v), &n);
			else
				add_nonempty(out, xasprintf("%g", v), &n);
		}
		break;
	case XPATH_BOOLEAN:
		add_nonempty(out, xstrdup(r->boolval ? "true" : "false"), &n);
		break;
	default:
		break;
	}
	xmlXPathFreeObject(r);
	return n;
}

void **web_xpath_nodes(const struct web_doc *doc, const char *expr, size_t *n, char *err, size_t errsz)
{
	*n = 0;
	xmlXPathObjectPtr r = eval(doc, NULL, expr, err, errsz);
	if (!r)
		return NULL;
	void **v = NULL;
	if (r->type == XPATH_NODESET && r->nodesetval && r->nodesetval->nodeNr > 0) {
		*n = (size_t)r->nodesetval->nodeNr;
		v = xcalloc(*n, sizeof(*v));
		for (size_t i = 0; i < *n; i++)
			v[i] = r->nodesetval->nodeTab[i];
	} else if (r->type != XPATH_NODESET) {
		snprintf(err, errsz, "XPath '%.100s' must select nodes (rows)", expr);
	}
	xmlXPathFreeObject(r);
	return v;
}

static int compile(regex_t *re, const char *ere, char *err, size_t errsz)
{
	int rc = regcomp(re, ere, REG_EXTENDED | REG_ICASE);
	if (rc != 0) {
		char m[120];
		regerror(rc, re, m, sizeof(m));
		snprintf(err, errsz, "ERE '%.80s' does not compile: %s", ere, m);
		return -1;
	}
	return 0;
}

static int regex_run(const regex_t *re, const char *text, int group, int max, struct strlist *out)
{
	regmatch_t m[10];
	int n = 0;
	const char *p = text;
	int flags = 0;
	if (max <= 0)
		max = 1;
	if (group < 0 || group > 9 || (size_t)group > re->re_nsub)
		return 0;
	while (n < max && *p && regexec(re, p, 10, m, flags) == 0) {
		if (m[group].rm_so >= 0) {
			char *v = text_sanitize_n(p + m[group].rm_so, (size_t)(m[group].rm_eo - m[group].rm_so), MAX_VALUE, 0);
			char *c = collapse(v);
			free(v);
			add_nonempty(out, c, &n);
		}
		p += m[0].rm_eo > 0 ? m[0].rm_eo : 1;
		flags = REG_NOTBOL;
	}
	return n;
}

int web_regex_all(const char *text, const char *ere, int group, int max, struct strlist *out, char *err, size_t errsz)
{
	regex_t re;
	if (compile(&re, ere, err, errsz) != 0)
		return -1;
	int n = regex_run(&re, text ? text : "", group, max, out);
	regfree(&re);
	return n;
}

const char *web_map_lookup(const json_t *map, const char *raw)
{
	if (!json_is_object(map) || !raw)
		return NULL;
	char *t = text_trim(xstrdup(raw));
	const char *key;
	json_t *v;
	const char *hit = NULL;
	json_object_foreach((json_t *)map, key, v)
		if (json_is_string(v) && strcasecmp(key, t) == 0) {
			hit = json_string_value(v);
			break;
		}
	free(t);
	if (!hit) {
		json_t *d = json_object_get(map, "*");
		hit = json_is_string(d) ? json_string_value(d) : NULL;
	}
	return hit;
}

static char *apply_transforms(const struct web_doc *doc, const json_t *rule, char *v)
{
	const json_t *map = json_object_get(rule, "map");
	if (json_is_string(map))
		map = json_object_get(doc->maps, json_string_value(map));
	if (map) {
		const char *m = web_map_lookup(map, v);
		if (m) {
			free(v);
			v = xstrdup(m);
		} else if (json_is_true(json_object_get(rule, "map_strict"))) {
			free(v);
			return NULL;
		}
	}
	const json_t *mul = json_object_get(rule, "multiply");
	if (json_is_number(mul)) {
		char *end;
		double d = strtod(v, &end);
		if (end != v) {
			free(v);
			v = xasprintf("%lld", (long long)llround(d * json_number_value(mul)));
		}
	}
	return v;
}

static int rule_group(const json_t *rule, const regex_t *re)
{
	const json_t *g = json_object_get(rule, "group");
	if (json_is_integer(g))
		return (int)json_integer_value(g);
	return re->re_nsub > 0 ? 1 : 0;
}

/* The member at a dotted path ("identity.model_name", "servers.0.host") as text, or NULL. */
static char *json_path(const json_t *j, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	for (char *seg = strtok_r(copy, ".", &save); seg && j; seg = strtok_r(NULL, ".", &save)) {
		char *end;
		long i = strtol(seg, &end, 10);
		j = json_is_array(j) && *end == '\0' ? json_array_get(j, (size_t)i) : json_object_get(j, seg);
	}
	free(copy);
	if (json_is_string(j))
		return collapse(json_string_value(j));
	if (json_is_integer(j))
		return xasprintf("%lld", (long long)json_integer_value(j));
	if (json_is_real(j))
		return xasprintf("%g", json_real_value(j));
	if (json_is_boolean(j))
		return xstrdup(json_is_true(j) ? "true" : "false");
	return NULL;
}

/* The label rule as an XPath: the element whose text is one of the labels, then its value. */
static char *label_xpath(const json_t *labels)
{
	struct buf b = {0};
	size_t i;
	const json_t *l;
	json_t *wrap = json_is_string(labels) ? json_pack("[O]", labels) : NULL;
	buf_puts(&b, "(//*[self::dt or self::th or self::td or self::span or self::label or self::bdi or self::b][");
	json_array_foreach(wrap ? wrap : (json_t *)labels, i, l)
		buf_printf(&b, "%snormalize-space(translate(normalize-space(translate(., '\xc2\xa0', ' ')), ':', ' '))='%s'",
			   i ? " or " : "", json_string_value(l));
	buf_puts(&b, "])[1]/following::*[self::dd or self::td][1]");
	json_decref(wrap);
	return buf_steal(&b);
}

/* The raw values a rule's locator (xpath, label, js, js_call, json) gives; 0 or -1 (err). */
static int locate(const struct web_doc *doc, void *ctx_node, const json_t *rule, struct strlist *vals, char *err,
		  size_t errsz)
{
	const char *xp = json_string_value(json_object_get(rule, "xpath"));
	const json_t *label = json_object_get(rule, "label");
	const char *js = json_string_value(json_object_get(rule, "js"));
	const char *call = json_string_value(json_object_get(rule, "js_call"));
	const char *jp = json_string_value(json_object_get(rule, "json"));
	char *v = NULL;
	if (xp || label) {
		char *lx = xp ? NULL : label_xpath(label);
		int n = web_xpath_strings(doc, ctx_node, xp ? xp : lx, vals, err, errsz);
		free(lx);
		return n < 0 ? -1 : 0;
	}
	if (js)
		v = web_js_value(doc->body, doc->len, js, doc->scripts);
	else if (call)
		v = web_js_call_arg(doc->body, doc->len, call, (int)json_integer_value(json_object_get(rule, "arg")),
				    doc->scripts);
	else if (jp)
		v = json_path(doc->json, jp);
	if (v)
		strlist_add_owned(vals, v);
	return 0;
}

static bool has_locator(const json_t *rule)
{
	static const char *const keys[] = {"xpath", "label", "js", "js_call", "json"};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (json_object_get(rule, keys[i]))
			return true;
	return false;
}

static char *extract_one(const struct web_doc *doc, void *ctx_node, const json_t *rule, char *err, size_t errsz)
{
	const char *ere = json_string_value(json_object_get(rule, "regex"));
	bool loc = has_locator(rule);
	if (!loc && !ere) {
		snprintf(err, errsz, "rule has neither \"xpath\", \"label\", \"js\", \"js_call\", \"json\" nor \"regex\"");
		return NULL;
	}
	regex_t re;
	if (ere && compile(&re, ere, err, errsz) != 0)
		return NULL;
	struct strlist found = {0};
	char *v = NULL;
	if (loc) {
		struct strlist vals = {0};
		if (locate(doc, ctx_node, rule, &vals, err, errsz) >= 0) {
			for (size_t i = 0; i < vals.n && !found.n; i++) {
				if (ere)
					regex_run(&re, vals.v[i], rule_group(rule, &re), 1, &found);
				else
					strlist_add(&found, vals.v[i]);
			}
		}
		strlist_free(&vals);
	} else {
		regex_run(&re, doc->body, rule_group(rule, &re), 1, &found);
	}
	if (ere)
		regfree(&re);
	if (found.n) {
		v = xstrdup(found.v[0]);
		v = apply_transforms(doc, rule, v);
	}
	strlist_free(&found);
	return v;
}

char *web_extract_field(const struct web_doc *doc, void *ctx_node, const json_t *rule, char *err, size_t errsz)
{
	err[0] = '\0';
	if (json_is_array(rule)) {
		size_t i;
		const json_t *alt;
		json_array_foreach((json_t *)rule, i, alt) {
			char *v = extract_one(doc, ctx_node, alt, err, errsz);
			if (v)
				return v;
			if (err[0])
				return NULL;
		}
		return NULL;
	}
	if (!json_is_object(rule)) {
		snprintf(err, errsz, "a field rule must be an object or an array of objects");
		return NULL;
	}
	return extract_one(doc, ctx_node, rule, err, errsz);
}

char *web_doc_title(const struct web_doc *doc)
{
	struct strlist l = {0};
	char err[200];
	char *t = NULL;
	if (doc->xml && web_xpath_strings(doc, NULL, "//title", &l, err, sizeof(err)) > 0)
		t = xstrdup(l.v[0]);
	strlist_free(&l);
	return t;
}

/* Labels are strings without quotes (they are put into an XPath literal). */
static int check_label(const json_t *label, char *err, size_t errsz)
{
	size_t i;
	const json_t *l;
	json_t *wrap = json_is_string(label) ? json_pack("[O]", label) : NULL;
	int rc = 0;
	if (label && !wrap && !json_is_array(label))
		rc = -1;
	json_array_foreach(wrap ? wrap : (json_t *)label, i, l)
		if (!json_is_string(l) || strchr(json_string_value(l), '\'') || strchr(json_string_value(l), '"'))
			rc = -1;
	json_decref(wrap);
	if (rc)
		snprintf(err, errsz, "\"label\" must be a string or an array of strings without quotes");
	return rc;
}

static int check_one(const json_t *rule, char *err, size_t errsz)
{
	if (!json_is_object(rule)) {
		snprintf(err, errsz, "a field rule must be an object");
		return -1;
	}
	const char *xp = json_string_value(json_object_get(rule, "xpath"));
	const char *ere = json_string_value(json_object_get(rule, "regex"));
	if (!has_locator(rule) && !ere) {
		snprintf(err, errsz, "rule has neither \"xpath\", \"label\", \"js\", \"js_call\", \"json\" nor \"regex\"");
		return -1;
	}
	if (check_label(json_object_get(rule, "label"), err, errsz) != 0)
		return -1;
	if (xp) {
		xmlXPathCompExprPtr c = xmlXPathCompile(BAD_CAST xp);
		if (!c) {
			snprintf(err, errsz, "XPath '%.100s' does not compile", xp);
			return -1;
		}
		xmlXPathFreeCompExpr(c);
	}
	if (ere) {
		regex_t re;
		if (compile(&re, ere, err, errsz) != 0)
			return -1;
		const json_t *g = json_object_get(rule, "group");
		if (json_is_integer(g) && (json_integer_value(g) < 0 || (size_t)json_integer_value(g) > re.re_nsub)) {
			snprintf(err, errsz, "ERE '%.80s' has no group %lld", ere, (long long)json_integer_value(g));
			regfree(&re);
			return -1;
		}
		regfree(&re);
	}
	const json_t *map = json_object_get(rule, "map");
	if (map && !json_is_string(map)) {
		const char *k;
		json_t *v;
		if (!json_is_object(map)) {
			snprintf(err, errsz, "\"map\" must be an object");
			return -1;
		}
		json_object_foreach((json_t *)map, k, v)
			if (!json_is_string(v)) {
				snprintf(err, errsz, "map value for '%.40s' must be a string", k);
				return -1;
			}
	}
	return 0;
}

int web_rule_check(const json_t *rule, char *err, size_t errsz)
{
	silence_libxml();
	if (json_is_array(rule)) {
		size_t i;
		const json_t *alt;
		if (json_array_size(rule) == 0) {
			snprintf(err, errsz, "empty list of alternatives");
			return -1;
		}
		json_array_foreach((json_t *)rule, i, alt)
			if (check_one(alt, err, errsz) != 0)
				return -1;
		return 0;
	}
	return check_one(rule, err, errsz);
}
