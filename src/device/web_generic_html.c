/* device/web_generic_html.c — the candidates of an HTML page for the generic web reader, in
 * document order (one XPath union over libxml2's tree): the title and headings set the section,
 * form controls give their value (input value, selected option, checked radio, checkbox state)
 * under their label (<label for=>, an enclosing <label>, the cell or <dt> before them, the text
 * before them, aria-label/title) and under their name and id; table rows, <dt>/<dd> pairs and
 * "Label: value" items give label and text. See web_generic_int.h. */
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device/web_generic_int.h"
#include "util/text.h"

#define WG_MAX_NODES 4000

static const char *SCAN =
	"//title | //h1 | //h2 | //h3 | //h4 | //h5 | //h6 | //legend | //caption | //input | //select | //tr | "
	"//dt | //li | //p";

static bool is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcasecmp((const char *)n->name, name) == 0;
}

/* The text of a node, whitespace runs (NBSP too) as one space, trimmed (new string). */
static char *text_of(xmlNodePtr n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s = text_sanitize(c ? (const char *)c : "", 1000, 0);
	xmlFree(c);
	struct buf b = {0};
	bool sp = false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == ' ' || (*p == 0xc2 && p[1] == 0xa0)) {
			p += *p == 0xc2;
			sp = true;
			continue;
		}
		if (sp && b.len)
			buf_putc(&b, ' ');
		sp = false;
		buf_putc(&b, (char)*p);
	}
	free(s);
	s = xstrdup(buf_str(&b));
	buf_free(&b);
	return s;
}

static char *attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	if (!v)
		return NULL;
	char *s = text_trim(text_sanitize((const char *)v, 300, 0));
	xmlFree(v);
	return s;
}

static bool has_control(xmlNodePtr n)
{
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (is(c, "input") || is(c, "select") || is(c, "textarea") || has_control(c))
			return true;
	return false;
}

/* <label for="id"> anywhere on the page. */
static char *label_for(xmlNodePtr root, const char *id)
{
	for (xmlNodePtr c = root; c; c = c->next) {
		if (is(c, "label")) {
			char *f = attr(c, "for");
			bool hit = f && strcmp(f, id) == 0;
			free(f);
			if (hit)
				return text_of(c);
		}
		char *r = c->children ? label_for(c->children, id) : NULL;
		if (r)
			return r;
	}
	return NULL;
}

/* The nearest non-empty cell (td, th, dt) before the control's cell in its row or list. */
static char *cell_label(xmlNodePtr n)
{
	xmlNodePtr cell = n->parent;
	while (cell && !is(cell, "td") && !is(cell, "dd") && !is(cell, "th"))
		cell = cell->parent;
	for (xmlNodePtr p = cell ? cell->prev : NULL; p; p = p->prev) {
		if (!is(p, "td") && !is(p, "th") && !is(p, "dt"))
			continue;
		if (has_control(p))
			return NULL;
		char *t = text_of(p);
		if (*t)
			return t;
		free(t);
	}
	return NULL;
}

/* The text just before the control in its parent ("SMTP server: <input>"). */
static char *text_before(xmlNodePtr n)
{
	for (xmlNodePtr p = n->prev; p; p = p->prev) {
		if (is(p, "input") || is(p, "select") || is(p, "br") || is(p, "textarea"))
			return NULL;
		if (p->type != XML_TEXT_NODE && p->type != XML_ELEMENT_NODE)
			continue;
		char *t = text_of(p);
		if (*t)
			return t;
		free(t);
	}
	return NULL;
}

static char *control_label(xmlNodePtr root, xmlNodePtr n, bool radio)
{
	char *id = attr(n, "id");
	char *l = id && *id && !radio ? label_for(root, id) : NULL;
	free(id);
	for (xmlNodePtr p = n->parent; !l && !radio && p; p = p->parent)
		if (is(p, "label"))
			l = text_of(p);
	if (!l && !radio)
		l = attr(n, "aria-label");
	if (!l)
		l = cell_label(n);
	if (!l && !radio)
		l = text_before(n);
	if (!l && !radio)
		l = attr(n, "title");
	return l;
}

/* The text a radio button shows: its <label for>, or the text right after it. */
static char *radio_text(xmlNodePtr root, xmlNodePtr n)
{
	char *id = attr(n, "id");
	char *l = id && *id ? label_for(root, id) : NULL;
	free(id);
	for (xmlNodePtr p = n->next; !l && p; p = p->next) {
		if (is(p, "input") || is(p, "br"))
			break;
		char *t = text_of(p);
		if (*t)
			l = t;
		else
			free(t);
	}
	return l;
}

static void offer_all(struct wg_page *p, xmlNodePtr n, const char *label, const char *value, enum wg_state st)
{
	if (label)
		wg_offer(p, WG_LABEL, label, value, st);
	char *name = attr(n, "name"), *id = attr(n, "id");
	if (name)
		wg_offer(p, WG_FIELD, name, value, st);
	if (id && (!name || strcmp(id, name) != 0))
		wg_offer(p, WG_FIELD, id, value, st);
	free(name);
	free(id);
}

static void scan_input(struct wg_page *p, xmlNodePtr root, xmlNodePtr n)
{
	char *type = attr(n, "type");
	const char *t = type ? type : "text";
	if (!strcasecmp(t, "password") || !strcasecmp(t, "submit") || !strcasecmp(t, "button") ||
	    !strcasecmp(t, "reset") || !strcasecmp(t, "image") || !strcasecmp(t, "file")) {
		free(type);
		return;
	}
	bool hidden = !strcasecmp(t, "hidden"), radio = !strcasecmp(t, "radio");
	bool checked = xmlHasProp(n, BAD_CAST "checked") != NULL;
	char *label = hidden ? NULL : control_label(root, n, radio);
	if (!strcasecmp(t, "checkbox")) {
		offer_all(p, n, label, NULL, checked ? WG_CHECKED : WG_UNCHECKED);
	} else if (radio) {
		if (checked) {
			char *shown = radio_text(root, n), *v = attr(n, "value");
			if (!shown || !(label && wg_offer(p, WG_LABEL, label, shown, WG_VALUE)))
				offer_all(p, n, label, v, WG_VALUE);
			else
				offer_all(p, n, NULL, shown, WG_VALUE);
			free(shown);
			free(v);
		}
	} else {
		char *v = attr(n, "value");
		if (v && *v)
			offer_all(p, n, label, v, WG_VALUE);
		free(v);
	}
	free(label);
	free(type);
}

/* The first option and the selected one under n (options may sit in an optgroup). */
static void options(xmlNodePtr n, xmlNodePtr *first, xmlNodePtr *chosen)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (is(c, "optgroup"))
			options(c, first, chosen);
		if (!is(c, "option"))
			continue;
		if (!*first)
			*first = c;
		if (!*chosen && xmlHasProp(c, BAD_CAST "selected"))
			*chosen = c;
	}
}

static void scan_select(struct wg_page *p, xmlNodePtr root, xmlNodePtr n)
{
	xmlNodePtr chosen = NULL, first = NULL;
	options(n, &first, &chosen);
	if (!chosen)
		chosen = first; /* a browser shows the first option */
	if (!chosen)
		return;
	char *label = control_label(root, n, false), *shown = text_of(chosen), *v = attr(chosen, "value");
	bool kept = *shown && label && wg_offer(p, WG_LABEL, label, shown, WG_VALUE);
	offer_all(p, n, kept ? NULL : label, *shown ? shown : v, WG_VALUE);
	if (!kept && v && *shown)
		offer_all(p, n, label, v, WG_VALUE);
	free(label);
	free(shown);
	free(v);
}

/* "Label: value" in one element. */
static void offer_split(struct wg_page *p, const char *text)
{
	const char *c = strchr(text, ':');
	const char *fw = strstr(text, "\xef\xbc\x9a");
	size_t skip = 1;
	if (fw && (!c || fw < c)) {
		c = fw;
		skip = 3;
	}
	if (!c || c == text)
		return;
	char *label = xstrdup(text);
	label[c - text] = '\0';
	char *value = xstrdup(c + skip);
	wg_offer(p, WG_LABEL, text_trim(label), text_trim(value), WG_VALUE);
	free(label);
	free(value);
}

static void scan_row(struct wg_page *p, xmlNodePtr tr)
{
	xmlNodePtr cells[8];
	int n = 0;
	for (xmlNodePtr c = tr->children; c && n < 8; c = c->next)
		if (is(c, "td") || is(c, "th"))
			cells[n++] = c;
	if (n == 1 && !has_control(cells[0])) {
		char *t = text_of(cells[0]);
		if (strchr(t, ':') || strstr(t, "\xef\xbc\x9a"))
			offer_split(p, t);
		else
			wg_section(p, t);
		free(t);
		return;
	}
	for (int i = 0; i + 1 < n; i += 2) {
		if (has_control(cells[i + 1]) || has_control(cells[i]))
			continue;
		char *l = text_of(cells[i]), *v = text_of(cells[i + 1]);
		if (*l && *v)
			wg_offer(p, WG_LABEL, l, v, WG_VALUE);
		free(l);
		free(v);
	}
}

static void scan_node(struct wg_page *p, xmlNodePtr root, xmlNodePtr n)
{
	const char *name = (const char *)n->name;
	if (is(n, "input")) {
		scan_input(p, root, n);
	} else if (is(n, "select")) {
		scan_select(p, root, n);
	} else if (is(n, "tr")) {
		scan_row(p, n);
	} else if (is(n, "dt")) {
		xmlNodePtr dd = n->next;
		while (dd && dd->type != XML_ELEMENT_NODE)
			dd = dd->next;
		if (is(dd, "dd") && !has_control(dd)) {
			char *l = text_of(n), *v = text_of(dd);
			wg_offer(p, WG_LABEL, l, v, WG_VALUE);
			free(l);
			free(v);
		}
	} else if (is(n, "li") || is(n, "p")) {
		if (!has_control(n)) {
			char *t = text_of(n);
			offer_split(p, t);
			free(t);
		}
	} else if (is(n, "title")) {
		char *t = text_of(n);
		p->page_ctx = wg_is_smtp_text(t) && !wg_is_foreign_text(t) ? WG_CTX_SMTP : WG_CTX_NONE;
		p->ctx = p->page_ctx;
		free(t);
	} else if (name) {
		char *t = text_of(n);
		wg_section(p, t);
		free(t);
	}
}

void wg_scan_html(struct wg_page *p, void *xmldoc)
{
	xmlDocPtr doc = xmldoc;
	xmlXPathContextPtr x = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr o = x ? xmlXPathEvalExpression(BAD_CAST SCAN, x) : NULL;
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (o && o->nodesetval)
		for (int i = 0; i < o->nodesetval->nodeNr && i < WG_MAX_NODES; i++)
			scan_node(p, root, o->nodesetval->nodeTab[i]);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(x);
}
