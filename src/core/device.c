/* core/device.c — the device record; see device.h. */
#include "core/device.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/redact.h"
#include "util/text.h"

const char *fact_source_name(enum fact_source s)
{
	static const char *const n[] = {"snmp", "web", "user", "profile"};
	return (unsigned)s < ARRAY_SIZE(n) ? n[s] : "?";
}

const char *event_origin_name(enum event_origin o)
{
	static const char *const n[] = {"snmp-alert", "web-joblog", "web-errorlog", "panel", "snmp-vendor"};
	return (unsigned)o < ARRAY_SIZE(n) ? n[o] : "?";
}

void device_init(struct device *d, const char *host)
{
	memset(d, 0, sizeof(*d));
	d->host = text_sanitize(host ? host : "", 255, 0);
}

static struct fact *find(const struct device *d, const char *key)
{
	for (size_t i = 0; i < d->nfacts; i++)
		if (strcmp(d->facts[i].key, key) == 0)
			return &d->facts[i];
	return NULL;
}

/* Device numbers become facts only inside their range: returns the value to store (a new
 * string), or NULL with a note when it cannot be used at all. Other keys: a copy. */
static char *checked_number(struct device *d, const char *key, const char *v)
{
	bool port = strcmp(key, "smtp.port") == 0, size = strcmp(key, "smtp.max_size") == 0;
	if (!port && !size)
		return xstrdup(v);
	char *end = NULL;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	bool num = end != v && *end == '\0' && errno == 0;
	if (port && (!num || n < 1 || n > 65535)) {
		device_note(d, "the device reports SMTP port '%.40s', which is not a port number (1-65535); ignored", v);
		return NULL;
	}
	if (size && (!num && errno != ERANGE)) {
		device_note(d, "the device reports an implausible max size ('%.40s'); ignored", v);
		return NULL;
	}
	if (size && (n <= 0 || errno == ERANGE || n > DEVICE_MAX_SIZE)) {
		bool big = errno == ERANGE ? v[0] != '-' : n > 0;
		if (big)
			device_note(d, "the device reports an implausible max size (%.40s bytes, more than 2 GiB); treated as 2 GiB", v);
		else
			device_note(d, "the device reports an implausible max size (%s); ignored",
				    n == 0 ? "0 bytes" : "a negative number: the value is out of range or wrong");
		return big ? xasprintf("%lld", DEVICE_MAX_SIZE) : NULL;
	}
	return xstrdup(v);
}

/* A value for a key another source already gave: a different value is a conflict (the user's
 * word, or any value read over a guess, replaces the first); the same value confirms a guess.
 * Takes ownership of clean. */
static void other_source(struct device *d, struct fact *f, const char *key, char *clean, enum fact_source src,
			 const char *where)
{
	bool replace = f->guessed || (src == FACT_USER && strcasecmp(f->value, clean) != 0);
	if (strcasecmp(f->value, clean) != 0) {
		d->conflicts = xrealloc(d->conflicts, (d->nconflicts + 1) * sizeof(*d->conflicts));
		struct device_conflict *c = &d->conflicts[d->nconflicts++];
		c->key = xstrdup(key);
		c->value_a = xstrdup(f->value);
		c->value_b = xstrdup(clean);
		c->source_a = f->source;
		c->source_b = src;
	}
	if (replace) {
		free(f->value);
		f->value = clean;
		f->source = src;
		f->guessed = false;
		free(f->where);
		f->where = xstrdup(where);
		return;
	}
	free(clean);
}

void device_set(struct device *d, const char *key, const char *value, enum fact_source src, const char *where)
{
	if (!value)
		return;
	/* a device may echo a secret back in a page or object (a pre-filled password field):
	 * nothing that reaches a report may carry one */
	char *scrubbed = redact_scrub(value);
	char *clean = text_trim(text_sanitize(scrubbed, 1000, 0));
	free(scrubbed);
	if (!*clean) {
		free(clean);
		return;
	}
	char *checked = checked_number(d, key, clean);
	free(clean);
	if (!checked)
		return;
	clean = checked;
	struct fact *f = find(d, key);
	if (f && f->source != src) {
		other_source(d, f, key, clean, src, where);
		return;
	}
	if (!f) {
		if (d->nfacts == d->capfacts) {
			d->capfacts = d->capfacts ? d->capfacts * 2 : 32;
			d->facts = xrealloc(d->facts, d->capfacts * sizeof(*d->facts));
		}
		f = &d->facts[d->nfacts++];
		memset(f, 0, sizeof(*f));
		f->key = xstrdup(key);
	}
	free(f->value);
	free(f->where);
	f->value = clean;
	f->source = src;
	f->where = xstrdup(where);
	f->guessed = false;
}

bool device_guess(struct device *d, const char *key, const char *value, enum fact_source src, const char *where)
{
	if (find(d, key))
		return false;
	device_set(d, key, value, src, where);
	struct fact *f = find(d, key);
	if (!f)
		return false;
	f->guessed = true;
	return true;
}

const char *fact_confidence_name(const struct fact *f)
{
	return f && f->guessed ? "guessed" : "read";
}

const struct fact *device_get(const struct device *d, const char *key)
{
	return find(d, key);
}

const char *device_value(const struct device *d, const char *key)
{
	const struct fact *f = find(d, key);
	return f ? f->value : NULL;
}

struct device_event *device_add_event(struct device *d, enum event_origin origin, const char *code, const char *text,
				      const char *time, const char *where)
{
	if (d->nevents == d->capevents) {
		d->capevents = d->capevents ? d->capevents * 2 : 16;
		d->events = xrealloc(d->events, d->capevents * sizeof(*d->events));
	}
	struct device_event *e = &d->events[d->nevents++];
	memset(e, 0, sizeof(*e));
	e->origin = origin;
	e->code = text_sanitize(code, 64, 0);
	char *scrubbed = redact_scrub(text);
	e->text = text_sanitize(scrubbed, 1000, 0);
	free(scrubbed);
	e->time = text_sanitize(time, 64, 0);
	e->where = xstrdup(where);
	return e;
}

void device_note(struct device *d, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *scrubbed = redact_scrub(buf_str(&b));
	char *clean = text_sanitize(scrubbed, 1000, 0);
	free(scrubbed);
	strlist_add_owned(&d->notes, clean);
	buf_free(&b);
}

void device_free(struct device *d)
{
	for (size_t i = 0; i < d->nfacts; i++) {
		free(d->facts[i].key);
		free(d->facts[i].value);
		free(d->facts[i].where);
	}
	free(d->facts);
	for (size_t i = 0; i < d->nevents; i++) {
		struct device_event *e = &d->events[i];
		free(e->code);
		free(e->text);
		free(e->time);
		free(e->where);
		free(e->severity);
	}
	free(d->events);
	for (size_t i = 0; i < d->nconflicts; i++) {
		free(d->conflicts[i].key);
		free(d->conflicts[i].value_a);
		free(d->conflicts[i].value_b);
	}
	free(d->conflicts);
	strlist_free(&d->notes);
	free(d->host);
	memset(d, 0, sizeof(*d));
}
