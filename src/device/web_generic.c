/* device/web_generic.c — the generic web reader's page entry points: one page body into guessed
 * settings (HTML, XML or script, parsed with libxml2) and the same-host links worth following;
 * see web_generic.h. */
#define _GNU_SOURCE
#include "device/web_generic.h"

#include <curl/curl.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/web_extract.h"
#include "device/web_generic_int.h"
#include "profile/profile.h"
#include "util/text.h"

#define WG_MAX_LINKS 400

static const char *skip_space(const char *s, size_t len, size_t *left)
{
	size_t i = 0;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	*left = len - i;
	return s + i;
}

static bool looks_xml(const char *body, size_t len, const char *ct)
{
	size_t left;
	const char *s = skip_space(body, len, &left);
	if (ct && strcasestr(ct, "html"))
		return false;
	if (ct && strcasestr(ct, "xml"))
		return true;
	return left >= 5 && strncasecmp(s, "<?xml", 5) == 0 && !strcasestr(body, "<html");
}

static bool looks_script(const char *body, size_t len, const char *ct)
{
	size_t left;
	const char *s = skip_space(body, len, &left);
	if (ct && (strcasestr(ct, "javascript") || strcasestr(ct, "json") || strcasestr(ct, "text/plain")))
		return true;
	return left && s[0] != '<';
}

/* The text of every <script> element, one after the other (new string). */
static char *scripts(const struct web_doc *doc)
{
	struct buf b = {0};
	size_t n = 0;
	char err[200];
	void **nodes = web_xpath_nodes(doc, "//script", &n, err, sizeof(err));
	for (size_t i = 0; i < n; i++) {
		xmlChar *c = xmlNodeGetContent((xmlNodePtr)nodes[i]);
		if (c)
			buf_printf(&b, "%s\n", (const char *)c);
		xmlFree(c);
	}
	free(nodes);
	char *s = xstrdup(buf_str(&b));
	buf_free(&b);
	return s;
}

int web_generic_extract(struct device *d, const char *path, const char *raw, size_t len, const char *content_type)
{
	char err[200];
	if (!raw || !len || !wg_words(err, sizeof(err)))
		return 0;
	char *body = xmalloc(len + 1); /* the sniffing below reads a C string */
	memcpy(body, raw, len);
	body[len] = '\0';
	struct wg_page p;
	wg_page_init(&p, path);
	struct web_doc doc;
	if (looks_script(body, len, content_type)) {
		web_doc_parse(&doc, body, len, WEB_PARSE_TEXT, NULL);
		wg_scan_script(&p, doc.body);
	} else {
		bool xml = looks_xml(body, len, content_type);
		web_doc_parse(&doc, body, len, xml ? WEB_PARSE_XML : WEB_PARSE_HTML, NULL);
		if (xml && !doc.xml) { /* not well-formed: read it as a browser would */
			web_doc_free(&doc);
			web_doc_parse(&doc, body, len, WEB_PARSE_HTML, NULL);
			xml = false;
		}
		if (xml) {
			wg_scan_xml(&p, doc.xml);
		} else {
			wg_scan_html(&p, doc.xml);
			p.ctx = p.page_ctx;
			char *js = scripts(&doc);
			wg_scan_script(&p, js);
			free(js);
		}
	}
	int n = wg_page_commit(&p, d);
	wg_page_free(&p);
	web_doc_free(&doc);
	free(body);
	return n;
}

/* ---- links ---- */

struct link {
	char *path;
	int score, order;
};

static bool any_word(const char *s, const json_t *arr)
{
	size_t i;
	const json_t *v;
	json_array_foreach((json_t *)arr, i, v) {
		if (wg_find_word(s, json_string_value(v), 0) >= 0)
			return true;
	}
	return false;
}

/* The score of a link from its text and target: 0 = not followed. */
static int score(const char *text, const char *href, bool frame)
{
	char err[200];
	const json_t *links = json_object_get(wg_words(err, sizeof(err)), "links");
	char *both = xasprintf("%s %s", text ? text : "", href);
	char *s = wg_norm(both);
	free(both);
	int sc = 0;
	if (!any_word(s, json_object_get(links, "never"))) {
		if (frame)
			sc = 50;
		if (any_word(s, json_object_get(links, "strong")))
			sc += 20;
		if (any_word(s, json_object_get(links, "follow")))
			sc += 5;
	}
	free(s);
	return sc;
}

/* href resolved against base+page_path: the path and query when it stays on the same scheme,
 * host and port (new string), else NULL. */
static char *same_host_path(const char *base, const char *page_path, const char *href)
{
	if (!strncasecmp(href, "javascript:", 11) || !strncasecmp(href, "mailto:", 7) || href[0] == '#' || !*href)
		return NULL;
	CURLU *u = curl_url(), *b = curl_url();
	char *page = xasprintf("%s%s", base, page_path && page_path[0] == '/' ? page_path : "/");
	char *out = NULL, *h1 = NULL, *h2 = NULL, *p = NULL, *q = NULL;
	if (curl_url_set(u, CURLUPART_URL, page, 0) == CURLUE_OK && curl_url_set(b, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, href, 0) == CURLUE_OK) {
		char *s1 = NULL, *s2 = NULL;
		curl_url_get(u, CURLUPART_SCHEME, &s1, 0);
		curl_url_get(b, CURLUPART_SCHEME, &s2, 0);
		curl_url_get(u, CURLUPART_HOST, &h1, 0);
		curl_url_get(b, CURLUPART_HOST, &h2, 0);
		char *p1 = NULL, *p2 = NULL;
		curl_url_get(u, CURLUPART_PORT, &p1, CURLU_DEFAULT_PORT);
		curl_url_get(b, CURLUPART_PORT, &p2, CURLU_DEFAULT_PORT);
		bool same = s1 && s2 && h1 && h2 && p1 && p2 && !strcasecmp(s1, s2) && !strcasecmp(h1, h2) && !strcmp(p1, p2);
		if (same && curl_url_get(u, CURLUPART_PATH, &p, 0) == CURLUE_OK) {
			curl_url_get(u, CURLUPART_QUERY, &q, 0);
			out = q ? xasprintf("%s?%s", p, q) : xstrdup(p);
		}
		curl_free(s1);
		curl_free(s2);
		curl_free(p1);
		curl_free(p2);
	}
	curl_free(h1);
	curl_free(h2);
	curl_free(p);
	curl_free(q);
	free(page);
	curl_url_cleanup(u);
	curl_url_cleanup(b);
	return out;
}

/* The target of a link node: href, src, or a meta refresh's url=. New string or NULL. */
static char *target(xmlNodePtr n, bool *frame)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST "href");
	*frame = false;
	if (!v) {
		v = xmlGetProp(n, BAD_CAST "src");
		*frame = v != NULL;
	}
	if (!v && (v = xmlGetProp(n, BAD_CAST "content"))) {
		const char *u = strcasestr((const char *)v, "url=");
		char *r = u ? text_trim(text_sanitize(u + 4, 500, 0)) : NULL;
		xmlFree(v);
		*frame = r != NULL;
		if (r && (r[0] == '\'' || r[0] == '"')) {
			memmove(r, r + 1, strlen(r));
			r[strcspn(r, "'\"")] = '\0';
		}
		return r;
	}
	char *r = v ? text_trim(text_sanitize((const char *)v, 500, 0)) : NULL;
	xmlFree(v);
	return r;
}

static int by_score(const void *a, const void *b)
{
	const struct link *x = a, *y = b;
	return x->score != y->score ? y->score - x->score : x->order - y->order;
}

int web_generic_links(const char *base, const char *page_path, const char *body, size_t len, struct strlist *out,
		      size_t max)
{
	char err[200];
	if (!body || !len || !wg_words(err, sizeof(err)))
		return 0;
	struct web_doc doc;
	web_doc_parse(&doc, body, len, WEB_PARSE_HTML, NULL);
	size_t n = 0;
	void **nodes = web_xpath_nodes(&doc, "//a[@href] | //area[@href] | //frame[@src] | //iframe[@src] | "
					     "//meta[translate(@http-equiv,'REFSH','refsh')='refresh']", &n, err, sizeof(err));
	struct link *l = xmalloc((n ? n : 1) * sizeof(*l));
	size_t k = 0;
	for (size_t i = 0; i < n && i < WG_MAX_LINKS; i++) {
		bool frame;
		char *href = target((xmlNodePtr)nodes[i], &frame);
		char *path = href ? same_host_path(base, page_path, href) : NULL;
		xmlChar *t = xmlNodeGetContent((xmlNodePtr)nodes[i]);
		int sc = path ? score((const char *)t, path, frame) : 0;
		xmlFree(t);
		free(href);
		if (sc > 0)
			l[k++] = (struct link){path, sc, (int)i};
		else
			free(path);
	}
	qsort(l, k, sizeof(*l), by_score);
	int added = 0;
	for (size_t i = 0; i < k; i++) {
		bool dup = false;
		for (size_t j = 0; j < out->n && !dup; j++)
			dup = strcmp(out->v[j], l[i].path) == 0;
		if (!dup && (size_t)added < max) {
			strlist_add(out, l[i].path);
			added++;
		}
		free(l[i].path);
	}
	free(l);
	free(nodes);
	web_doc_free(&doc);
	return added;
}
