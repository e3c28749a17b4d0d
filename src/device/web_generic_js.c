/* device/web_generic_js.c — the candidates of scripts and XML for the generic web reader:
 * assignments and object members with a quoted or parseInt value (var smtpServer = "…";
 * _pp.smtpPort = parseInt('25', 10); smtpFrom: "…") found with POSIX EREs, and XML leaf elements
 * or name/value attributes named after a setting (<SmtpServer>, <Smtp><Port>, <Item
 * name="SmtpPort" value="25"/>). See web_generic_int.h. */
#include <libxml/tree.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "device/web_generic_int.h"
#include "util/text.h"

#define WG_MAX_ASSIGN 2000
#define WG_MAX_XML_NODES 5000

/* name (group 1), then = or :, then 'v' or "v" or parseInt('v' or a bare number. */
static const char *const ASSIGN[] = {
	"([A-Za-z_$][A-Za-z0-9_$.]*)[\"']?[[:space:]]*[:=][[:space:]]*(parseInt[[:space:]]*\\([[:space:]]*)?'([^'\n]{0,300})'",
	"([A-Za-z_$][A-Za-z0-9_$.]*)[\"']?[[:space:]]*[:=][[:space:]]*(parseInt[[:space:]]*\\([[:space:]]*)?\"([^\"\n]{0,300})\"",
	"([A-Za-z_$][A-Za-z0-9_$.]*)[\"']?[[:space:]]*[:=][[:space:]]*()([0-9]{1,5})[[:space:]]*[;,}\n]",
};

static char *span(const char *s, regmatch_t m)
{
	char *r = xmalloc((size_t)(m.rm_eo - m.rm_so) + 1);
	memcpy(r, s + m.rm_so, (size_t)(m.rm_eo - m.rm_so));
	r[m.rm_eo - m.rm_so] = '\0';
	return r;
}

struct assign {
	long at;
	char *name, *value;
};

static void collect(const char *text, const char *ere, struct assign **v, size_t *n)
{
	regex_t re;
	if (regcomp(&re, ere, REG_EXTENDED) != 0)
		return;
	regmatch_t m[4];
	for (const char *s = text; *n < WG_MAX_ASSIGN && *s && regexec(&re, s, 4, m, 0) == 0;
	     s += m[0].rm_eo > 0 ? m[0].rm_eo : 1) {
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = (struct assign){(long)(s - text) + m[0].rm_so, span(s, m[1]), span(s, m[3])};
	}
	regfree(&re);
}

static int by_offset(const void *a, const void *b)
{
	const struct assign *x = a, *y = b;
	return x->at < y->at ? -1 : x->at > y->at;
}

void wg_scan_script(struct wg_page *p, const char *text)
{
	if (!text)
		return;
	struct assign *v = NULL;
	size_t n = 0;
	for (size_t i = 0; i < sizeof(ASSIGN) / sizeof(ASSIGN[0]); i++)
		collect(text, ASSIGN[i], &v, &n);
	if (n)
		qsort(v, n, sizeof(*v), by_offset); /* in the order the script says them */
	for (size_t i = 0; i < n; i++) {
		/* "name=" inside markup is an attribute, not a variable: keep identifiers only */
		if (strcmp(v[i].name, "name") != 0 && strcmp(v[i].name, "id") != 0 && strcmp(v[i].name, "value") != 0)
			wg_offer(p, WG_SCRIPT, v[i].name, v[i].value, WG_VALUE);
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

static bool leaf(xmlNodePtr n)
{
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return false;
	return true;
}

static char *prop(xmlNodePtr n, const char *const *names, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		xmlChar *v = xmlGetProp(n, BAD_CAST names[i]);
		if (v) {
			char *s = text_sanitize((const char *)v, 300, 0);
			xmlFree(v);
			return s;
		}
	}
	return NULL;
}

/* A leaf's name with its parent's and grandparent's ("Smtp" + "Port"). */
static char *path_name(xmlNodePtr n)
{
	const char *a = n->parent && n->parent->type == XML_ELEMENT_NODE ? (const char *)n->parent->name : "";
	xmlNodePtr g = n->parent ? n->parent->parent : NULL;
	const char *b = g && g->type == XML_ELEMENT_NODE ? (const char *)g->name : "";
	return xasprintf("%s%s%s%s%s", b, *b ? "/" : "", a, *a ? "/" : "", (const char *)n->name);
}

static void scan_xml_node(struct wg_page *p, xmlNodePtr n, int *budget)
{
	static const char *const key_attrs[] = {"name", "key", "id", "code"};
	static const char *const val_attrs[] = {"value", "val"};
	for (; n && *budget > 0; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		(*budget)--;
		char *k = prop(n, key_attrs, 4);
		if (k) {
			char *v = prop(n, val_attrs, 2);
			if (!v && leaf(n)) {
				xmlChar *c = xmlNodeGetContent(n);
				v = text_sanitize(c ? (const char *)c : "", 300, 0);
				xmlFree(c);
			}
			if (v && *text_trim(v))
				wg_offer(p, WG_XML, k, v, WG_VALUE);
			free(v);
		}
		free(k);
		if (leaf(n)) {
			xmlChar *c = xmlNodeGetContent(n);
			char *v = text_trim(text_sanitize(c ? (const char *)c : "", 300, 0));
			xmlFree(c);
			char *name = path_name(n);
			/* the path first ("Pop3/Port" is POP's), then the bare name inside its section */
			if (*v && !wg_offer(p, WG_XML, name, v, WG_VALUE) && p->ctx != WG_CTX_FOREIGN)
				wg_offer(p, WG_XML, (const char *)n->name, v, WG_VALUE);
			free(name);
			free(v);
		} else {
			scan_xml_node(p, n->children, budget);
		}
	}
}

void wg_scan_xml(struct wg_page *p, void *xmldoc)
{
	int budget = WG_MAX_XML_NODES;
	xmlDocPtr doc = xmldoc;
	if (doc)
		scan_xml_node(p, xmlDocGetRootElement(doc), &budget);
}
