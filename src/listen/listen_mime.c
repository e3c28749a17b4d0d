/* listen/listen_mime.c — the streaming MIME reader; see listen_mime.h. Every string it keeps is
 * sanitised and bounded; boundaries nest at most LISTEN_MIME_DEPTH deep. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "listen/listen_mime.h"
#include "util/text.h"

void listen_mime_init(struct listen_mime *m, struct listen_msg *msg)
{
	memset(m, 0, sizeof(*m));
	m->msg = msg;
	m->in_headers = m->top = true;
	m->part = -1;
}

static void part_clear(struct listen_part *p)
{
	free(p->type);
	free(p->name);
	free(p->encoding);
	memset(p, 0, sizeof(*p));
}

void listen_mime_free(struct listen_mime *m)
{
	buf_free(&m->hdr);
	for (int i = 0; i < m->depth; i++)
		free(m->bound[i]);
	m->depth = 0;
	part_clear(&m->cur);
	free(m->cur_bound);
	m->cur_bound = NULL;
}

char *listen_mime_param(const char *value, const char *name)
{
	size_t nl = strlen(name);
	const char *p = value;
	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, name, nl) != 0 || p[nl] != '=')
			continue;
		p += nl + 1;
		const char *e;
		if (*p == '"') {
			e = strchr(++p, '"');
			if (!e)
				e = p + strlen(p);
		} else {
			e = p + strcspn(p, "; \t");
		}
		if (e == p || e - p > 200)
			return NULL;
		return xstrndup(p, (size_t)(e - p));
	}
	return NULL;
}

/* "Multipart/Mixed; boundary=x" -> "multipart/mixed" (new string). */
static char *bare_type(const char *v)
{
	size_t n = strcspn(v, "; \t");
	char *t = text_sanitize_n(v, n > 100 ? 100 : n, 0, 0);
	for (char *c = t; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return t;
}

static void top_header(struct listen_mime *m, const char *name, const char *v)
{
	static const char *const names[] = {"subject", "from", "to", "date", "content-type",
					    "mime-version", "x-mailer"};
	struct listen_msg *g = m->msg;
	char **slots[] = {&g->subject, &g->from, &g->to, &g->date, &g->content_type,
			  &g->mime_version, &g->x_mailer};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i]) == 0 && !*slots[i])
			*slots[i] = text_sanitize(v, 300, 0);
	if (strcasecmp(name, "content-type") == 0 && !m->cur_bound &&
	    strncasecmp(v, "multipart/", 10) == 0)
		m->cur_bound = listen_mime_param(v, "boundary");
}

static void part_header(struct listen_mime *m, const char *name, const char *v)
{
	struct listen_part *p = &m->cur;
	if (strcasecmp(name, "content-type") == 0 && !p->type) {
		p->type = bare_type(v);
		if (strncmp(p->type, "multipart/", 10) == 0 && !m->cur_bound)
			m->cur_bound = listen_mime_param(v, "boundary");
		if (!p->name) {
			char *n = listen_mime_param(v, "name");
			p->name = n ? text_sanitize(n, 200, 0) : NULL;
			free(n);
		}
	} else if (strcasecmp(name, "content-disposition") == 0) {
		char *n = listen_mime_param(v, "filename");
		if (n) {
			free(p->name);
			p->name = text_sanitize(n, 200, 0);
			free(n);
		}
	} else if (strcasecmp(name, "content-transfer-encoding") == 0 && !p->encoding) {
		p->encoding = bare_type(v);
	}
}

/* Handles the unfolded header in m->hdr. */
static void header_done(struct listen_mime *m)
{
	char *h = m->hdr.data;
	if (!h)
		return;
	char *colon = strchr(h, ':');
	if (colon && colon != h) {
		*colon = '\0';
		char *v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (m->top)
			top_header(m, h, v);
		else
			part_header(m, h, v);
	}
	buf_reset(&m->hdr);
}

static void push_boundary(struct listen_mime *m)
{
	if (m->cur_bound && m->depth < LISTEN_MIME_DEPTH)
		m->bound[m->depth++] = m->cur_bound;
	else
		free(m->cur_bound);
	m->cur_bound = NULL;
}

/* The blank line after a header block: the part becomes a container or a recorded leaf. */
static void headers_end(struct listen_mime *m)
{
	header_done(m);
	m->in_headers = false;
	bool container = m->cur_bound != NULL;
	push_boundary(m);
	if (m->top) {
		m->top = false;
		return;
	}
	if (container) {
		part_clear(&m->cur);
		return;
	}
	struct listen_msg *g = m->msg;
	g->parts_total++;
	if (g->nparts < LISTEN_MAX_PARTS) {
		m->part = g->nparts++;
		g->parts[m->part] = m->cur;
		if (!g->parts[m->part].type)
			g->parts[m->part].type = xstrdup("text/plain");
		memset(&m->cur, 0, sizeof(m->cur));
	} else {
		part_clear(&m->cur);
	}
	m->b64chars = 0;
}

static void finish_part(struct listen_mime *m)
{
	if (m->part >= 0) {
		struct listen_part *p = &m->msg->parts[m->part];
		bool b64 = p->encoding && strcmp(p->encoding, "base64") == 0;
		p->decoded = b64 ? m->b64chars * 3 / 4 : p->bytes;
	}
	m->part = -1;
}

/* Is line a boundary of an open level? Returns the level (0-based) or -1; *close for "--b--". */
static int boundary_level(struct listen_mime *m, const char *line, size_t n, bool *close)
{
	if (n < 3 || line[0] != '-' || line[1] != '-')
		return -1;
	for (int i = m->depth - 1; i >= 0; i--) {
		size_t bl = strlen(m->bound[i]);
		if (n < 2 + bl || memcmp(line + 2, m->bound[i], bl) != 0)
			continue;
		const char *rest = line + 2 + bl;
		size_t rn = n - 2 - bl;
		*close = rn >= 2 && rest[0] == '-' && rest[1] == '-';
		return i;
	}
	return -1;
}

static void body_line(struct listen_mime *m, const char *line, size_t n)
{
	bool close = false;
	int lv = boundary_level(m, line, n, &close);
	if (lv >= 0) {
		finish_part(m);
		while (m->depth > lv + 1)
			free(m->bound[--m->depth]);
		if (close) {
			free(m->bound[--m->depth]);
		} else {
			part_clear(&m->cur);
			m->in_headers = true;
		}
		return;
	}
	if (m->part < 0)
		return;
	struct listen_part *p = &m->msg->parts[m->part];
	p->bytes += (long long)n + 2;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		m->b64chars += isalnum(c) || c == '+' || c == '/';
	}
}

void listen_mime_line(struct listen_mime *m, const char *line, size_t n)
{
	if (!m->in_headers) {
		body_line(m, line, n);
		return;
	}
	if (n == 0) {
		headers_end(m);
		return;
	}
	if (line[0] == ' ' || line[0] == '\t') {
		if (m->hdr.len + n < LISTEN_MIME_HDR_MAX)
			buf_append(&m->hdr, line, n);
		return;
	}
	header_done(m);
	buf_append(&m->hdr, line, n < LISTEN_MIME_HDR_MAX ? n : LISTEN_MIME_HDR_MAX);
}

void listen_mime_end(struct listen_mime *m)
{
	if (m->in_headers)
		header_done(m);
	finish_part(m);
}
