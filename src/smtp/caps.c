/* smtp/caps.c — EHLO capability parsing; see caps.h. */
#include "smtp/caps.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void parse_auth(struct smtp_caps *caps, const char *args)
{
	const char *p = args;
	while (*p) {
		while (*p == ' ' || *p == '=')
			p++;
		const char *s = p;
		while (*p && *p != ' ')
			p++;
		if (p > s) {
			char *m = xstrndup(s, (size_t)(p - s));
			for (char *q = m; *q; q++)
				*q = (char)toupper((unsigned char)*q);
			if (!strlist_has(&caps->auth, m))
				strlist_add_owned(&caps->auth, m);
			else
				free(m);
		}
	}
}

static void parse_keyword(struct smtp_caps *caps, const char *kw)
{
	size_t n = strcspn(kw, " =");
	const char *args = kw + n;
#define IS(k) (n == strlen(k) && strncasecmp(kw, k, n) == 0)
	if (IS("SIZE")) {
		caps->size_present = true;
		caps->size = strtoll(args, NULL, 10); /* saturates at LLONG_MAX */
		if (caps->size < 0)
			caps->size = 0;
	} else if (IS("AUTH")) {
		parse_auth(caps, args);
	} else if (IS("STARTTLS")) {
		caps->starttls = true;
	} else if (IS("PIPELINING")) {
		caps->pipelining = true;
	} else if (IS("8BITMIME")) {
		caps->eightbitmime = true;
	} else if (IS("SMTPUTF8")) {
		caps->smtputf8 = true;
	} else if (IS("DSN")) {
		caps->dsn = true;
	} else if (IS("CHUNKING")) {
		caps->chunking = true;
	} else if (IS("ENHANCEDSTATUSCODES")) {
		caps->enhancedstatuscodes = true;
	}
#undef IS
}

void smtp_caps_parse(struct smtp_caps *caps, const char *lines)
{
	smtp_caps_free(caps);
	caps->seen = true;
	const char *p = lines;
	int idx = 0;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);
		const char *t = line;
		if (len >= 4 && isdigit((unsigned char)t[0]))
			t += 4;
		else if (len == 3)
			t += 3;
		if (idx == 0) {
			caps->greeting = xstrdup(t);
		} else if (*t) {
			strlist_add(&caps->keywords, t);
			parse_keyword(caps, t);
		}
		free(line);
		idx++;
		p = nl ? nl + 1 : NULL;
	}
}

bool smtp_caps_has_auth(const struct smtp_caps *caps, const char *mech)
{
	return strlist_has(&caps->auth, mech);
}

void smtp_caps_free(struct smtp_caps *caps)
{
	strlist_free(&caps->auth);
	strlist_free(&caps->keywords);
	free(caps->greeting);
	memset(caps, 0, sizeof(*caps));
}
