/* scan/targets.c — scan targets from the command line and hosts files: host names (RFC 1123,
 * not resolved here), IPv4 and IPv6 literals, IPv4 CIDR blocks and ranges, each with an optional
 * :SNMP-PORT; expansion is capped (SCAN_TARGETS_MAX). Inventories are in scan/inventory.c. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scan/targets.h"
#include "util/text.h"

void scan_targets_error(struct scan_targets *t, const char *origin, const char *fmt, ...)
{
	char *s = text_sanitize(origin, 200, 0);
	buf_printf(&t->errs, "%s: ", s);
	free(s);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&t->errs, fmt, ap);
	va_end(ap);
	buf_putc(&t->errs, '\n');
	t->nerrors++;
}

bool scan_hostname_valid(const char *name)
{
	size_t n = strlen(name), label = 0;
	bool numeric = true;
	if (n == 0 || n > 253 || name[0] == '.')
		return false;
	for (size_t i = 0; i <= n; i++) {
		char c = name[i];
		if (c == '.' || c == '\0') {
			if (label == 0 && !(c == '\0' && i == n && i > 0 && name[i - 1] == '.'))
				return false; /* empty label (a trailing dot is the root and allowed) */
			if (label && (name[i - 1] == '-' || name[i - label] == '-'))
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-')
			return false;
		if (!isdigit((unsigned char)c))
			numeric = false;
		if (++label > 63)
			return false;
	}
	return !numeric;
}

bool scan_env_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 64 || isdigit((unsigned char)name[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isupper((unsigned char)name[i]) || isdigit((unsigned char)name[i]) || name[i] == '_'))
			return false;
	return true;
}

static void add_one(struct scan_targets *t, const char *host, const char *origin, const struct strlist *args,
		    const struct strlist *env)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	struct scan_target *g = &t->v[t->n];
	memset(g, 0, sizeof(*g));
	g->index = t->n++;
	g->host = xstrdup(host);
	g->origin = xstrdup(origin);
	for (size_t i = 0; args && i < args->n; i++)
		strlist_add(&g->args, args->v[i]);
	for (size_t i = 0; env && i < env->n; i++)
		strlist_add(&g->env, env->v[i]);
}

/* Splits "BASE[:PORT]" (BASE may be "[IPv6]" or a bare IPv6 literal). Returns 0 or -1 with why. */
static int split_port(const char *entry, char *base, size_t basesz, long *port, const char **why)
{
	const char *colon = strrchr(entry, ':');
	*port = 0;
	if (entry[0] == '[') {
		const char *rb = strchr(entry, ']');
		if (!rb || (rb[1] && rb[1] != ':')) {
			*why = "an IPv6 address in brackets must be written [ADDRESS] or [ADDRESS]:PORT";
			return -1;
		}
		snprintf(base, basesz, "%.*s", (int)(rb - entry - 1), entry + 1);
		colon = rb[1] ? rb + 1 : NULL;
	} else if (colon && strchr(entry, ':') != colon) {
		snprintf(base, basesz, "%s", entry); /* bare IPv6: no port */
		colon = NULL;
	} else {
		snprintf(base, basesz, "%.*s", (int)(colon ? (size_t)(colon - entry) : strlen(entry)), entry);
	}
	if (colon) {
		char *end;
		*port = strtol(colon + 1, &end, 10);
		if (*end || end == colon + 1 || !isdigit((unsigned char)colon[1]) || *port < 1 || *port > 65535) {
			*why = "the SNMP port after ':' must be a number from 1 to 65535";
			return -1;
		}
	}
	return 0;
}

static void add_ipv4(struct scan_targets *t, uint32_t a, long port, const char *origin, const struct strlist *args,
		     const struct strlist *env)
{
	struct in_addr in = {.s_addr = htonl(a)};
	char ip[INET_ADDRSTRLEN], host[INET_ADDRSTRLEN + 8];
	inet_ntop(AF_INET, &in, ip, sizeof(ip));
	if (port)
		snprintf(host, sizeof(host), "%s:%ld", ip, port);
	else
		snprintf(host, sizeof(host), "%s", ip);
	add_one(t, host, origin, args, env);
}

static int expand(struct scan_targets *t, uint32_t first, uint32_t last, long port, const char *entry,
		  const char *origin, const struct strlist *args, const struct strlist *env)
{
	uint64_t count = (uint64_t)last - first + 1;
	if (count + t->n > SCAN_TARGETS_MAX) {
		scan_targets_error(t, origin, "%s stands for %llu addresses; a scan takes at most %d printers in all "
				   "(split the network into smaller blocks, e.g. /24s, and scan them one after the other)",
				   entry, (unsigned long long)count, SCAN_TARGETS_MAX);
		return -1;
	}
	char *o = xasprintf("%s (%s)", origin, entry);
	for (uint64_t a = first; a <= last; a++)
		add_ipv4(t, (uint32_t)a, port, o, args, env);
	free(o);
	return 0;
}

static int add_cidr(struct scan_targets *t, const char *base, long port, const char *entry, const char *origin,
		    const struct strlist *args, const struct strlist *env)
{
	unsigned char b[4] = {0};
	const char *slash = strchr(base, '/');
	int bits = inet_net_pton(AF_INET, base, b, sizeof(b));
	if (bits < 0 || !isdigit((unsigned char)slash[1]) || strspn(slash + 1, "0123456789") != strlen(slash + 1)) {
		scan_targets_error(t, origin, "%s is not an IPv4 CIDR block (write it as ADDRESS/BITS, e.g. 10.1.0.0/24; "
				   "BITS from 0 to 32)", entry);
		return -1;
	}
	uint32_t a = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
	uint32_t mask = bits ? 0xffffffffu << (32 - bits) : 0;
	if (a & ~mask) {
		struct in_addr in = {.s_addr = htonl(a & mask)};
		char net[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &in, net, sizeof(net));
		scan_targets_error(t, origin, "%s has host bits set: the block is %s/%d (write that, or list the "
				   "address alone)", entry, net, bits);
		return -1;
	}
	uint32_t first = a, last = a | ~mask;
	if (bits <= 30) { /* network and broadcast address are no printers; /31 and /32: RFC 3021 */
		first++;
		last--;
	}
	return expand(t, first, last, port, entry, origin, args, env);
}

static int parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr in;
	if (inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*out = ntohl(in.s_addr);
	return 0;
}

/* "a.b.c.d-e" or "a.b.c.d-a.b.c.e"; returns 1 when base is no range at all (a host name with '-'). */
static int add_range(struct scan_targets *t, const char *base, long port, const char *entry, const char *origin,
		     const struct strlist *args, const struct strlist *env)
{
	const char *dash = strchr(base, '-');
	char left[64];
	uint32_t first, last;
	if ((size_t)(dash - base) >= sizeof(left))
		return 1;
	snprintf(left, sizeof(left), "%.*s", (int)(dash - base), base);
	if (parse_ipv4(left, &first) != 0)
		return 1;
	const char *right = dash + 1;
	if (*right && strspn(right, "0123456789") == strlen(right) && strlen(right) <= 3) {
		last = (first & 0xffffff00u) | (uint32_t)atoi(right);
		if (atoi(right) > 255)
			last = 0;
	} else if (parse_ipv4(right, &last) != 0) {
		scan_targets_error(t, origin, "%s is not an address range (write a.b.c.d-e for the last number, e.g. "
				   "10.1.0.10-40, or a.b.c.d-a.b.c.e)", entry);
		return -1;
	}
	if (last < first) {
		scan_targets_error(t, origin, "%s is not an address range: it ends before it starts, or its end is "
				   "above 255 (e.g. 10.1.0.10-40)", entry);
		return -1;
	}
	return expand(t, first, last, port, entry, origin, args, env);
}

static int add_host(struct scan_targets *t, const char *base, const char *entry, const char *origin,
		    const struct strlist *args, const struct strlist *env)
{
	struct in6_addr a6;
	uint32_t a4;
	if (parse_ipv4(base, &a4) == 0 || inet_pton(AF_INET6, base, &a6) == 1 || scan_hostname_valid(base)) {
		add_one(t, entry, origin, args, env);
		return 0;
	}
	char *s = text_sanitize(entry, 80, 0);
	if (strspn(base, "0123456789.") == strlen(base))
		scan_targets_error(t, origin, "\"%s\" is not an IPv4 address (four numbers 0-255 with dots)", s);
	else if (strchr(base, ',') || strchr(base, ';'))
		scan_targets_error(t, origin, "\"%s\" is not a host name (it holds a comma or semicolon: is this a CSV "
				   "file? Read it with --inventory FILE)", s);
	else
		scan_targets_error(t, origin, "\"%s\" is not a host name, an IP address, a range or a CIDR block (a host "
				   "name has letters, digits, '-' and dots only, e.g. mfp-3rdfloor.example.com)", s);
	free(s);
	return -1;
}

int scan_targets_add(struct scan_targets *t, const char *entry, const char *origin, const struct strlist *args,
		     const struct strlist *env)
{
	char base[300];
	long port;
	const char *why = NULL;
	if (strlen(entry) >= sizeof(base) - 8) {
		scan_targets_error(t, origin, "an entry of %zu characters is no host name (at most 253)", strlen(entry));
		return -1;
	}
	if (split_port(entry, base, sizeof(base), &port, &why) != 0) {
		char *s = text_sanitize(entry, 80, 0);
		scan_targets_error(t, origin, "\"%s\": %s", s, why);
		free(s);
		return -1;
	}
	if (t->n >= SCAN_TARGETS_MAX) {
		scan_targets_error(t, origin, "more than %d printers in one scan (split the list)", SCAN_TARGETS_MAX);
		return -1;
	}
	if (strchr(base, '/'))
		return add_cidr(t, base, port, entry, origin, args, env);
	if (strchr(base, '-')) {
		int rc = add_range(t, base, port, entry, origin, args, env);
		if (rc <= 0)
			return rc;
	}
	return add_host(t, base, entry, origin, args, env);
}

/* An nmap greppable line ("Host: 10.1.0.5 (mfp.example)\tStatus: Up" or "...\tPorts: ..."):
 * the address into addr; false for a host that is down. */
static bool nmap_host(const char *line, char *addr, size_t addrsz)
{
	if (strstr(line, "Status: Down"))
		return false;
	snprintf(addr, addrsz, "%.*s", (int)strcspn(line + 6, " \t"), line + 6);
	return *addr != '\0';
}

size_t scan_targets_read_hosts(struct scan_targets *t, FILE *f, const char *name)
{
	size_t before = t->nerrors, lineno = 0, cap = 0;
	char *line = NULL, addr[256];
	struct strlist nmap_seen = {0};
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		line[strcspn(line, "#")] = '\0';
		text_trim(line);
		const char *entry = line;
		if (strncmp(line, "Host: ", 6) == 0) { /* nmap -oG: one line per host and kind of result */
			if (!nmap_host(line, addr, sizeof(addr)) || strlist_has(&nmap_seen, addr))
				continue;
			strlist_add(&nmap_seen, addr);
			entry = addr;
		}
		if (!*entry)
			continue;
		char *origin = xasprintf("%s line %zu", name, lineno);
		scan_targets_add(t, entry, origin, NULL, NULL);
		free(origin);
	}
	free(line);
	strlist_free(&nmap_seen);
	return t->nerrors - before;
}

static int by_host(const void *a, const void *b)
{
	const struct scan_target *const *x = a, *const *y = b;
	int c = strcasecmp((*x)->host, (*y)->host);
	return c ? c : ((*x)->index > (*y)->index) - ((*x)->index < (*y)->index);
}

size_t scan_targets_warn_duplicates(const struct scan_targets *t, FILE *out)
{
	const struct scan_target **v = xcalloc(t->n ? t->n : 1, sizeof(*v));
	size_t dups = 0;
	for (size_t i = 0; i < t->n; i++)
		v[i] = &t->v[i];
	qsort(v, t->n, sizeof(*v), by_host);
	for (size_t i = 1; i < t->n; i++)
		if (strcasecmp(v[i]->host, v[i - 1]->host) == 0 && dups++ < 20)
			fprintf(out, "mfpdoctor scan: note: %s is listed more than once (%s, and %s); it is scanned each time\n",
				v[i]->host, v[i - 1]->origin, v[i]->origin);
	if (dups > 20)
		fprintf(out, "mfpdoctor scan: note: %zu more printers are listed more than once\n", dups - 20);
	free(v);
	return dups;
}

void scan_targets_finish(struct scan_targets *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct scan_target *g = &t->v[i];
		char *s = xasprintf("%04zu-%s", g->index, g->host);
		for (char *p = s + 5; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
				*p = '_';
		free(g->stem);
		g->stem = s;
	}
}

void scan_targets_free(struct scan_targets *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].host);
		free(t->v[i].origin);
		strlist_free(&t->v[i].args);
		strlist_free(&t->v[i].env);
		free(t->v[i].name);
		free(t->v[i].location);
		free(t->v[i].stem);
	}
	free(t->v);
	buf_free(&t->errs);
	memset(t, 0, sizeof(*t));
}
