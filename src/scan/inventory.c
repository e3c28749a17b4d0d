/* scan/inventory.c — scan targets from an inventory CSV (a header row, RFC 4180 quoting parsed by
 * libcsv; ',' ';' or tab): the host column, the inventory's name and location, and per-printer
 * settings turned into diagnose options and credential references (never secrets themselves).
 * Columns are our names, or any export's headers chosen with --columns field=Header,... */
#include <csv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan/targets.h"
#include "smtp/smtp.h"
#include "util/text.h"

enum col_kind { K_HOST, K_NAME, K_LOCATION, K_TEXT, K_PORT, K_CHOICE, K_SERVER, K_ADDR, K_ID, K_FILE, K_ENV };

struct col {
	const char *name;
	enum col_kind kind;
	const char *opt;   /* diagnose option, or the environment variable an _env column sets */
	const char *choices;
};

static const struct col cols[] = {
	{"community_env", K_ENV, "MFPDOCTOR_SNMP_COMMUNITY", NULL},
	{"community_file", K_FILE, "--community-file", NULL},
	{"from", K_ADDR, "--from", NULL},
	{"host", K_HOST, NULL, NULL},
	{"location", K_LOCATION, NULL, NULL},
	{"name", K_NAME, NULL, NULL},
	{"smtp_password_env", K_ENV, "MFPDOCTOR_SMTP_PASSWORD", NULL},
	{"smtp_password_file", K_FILE, "--password-file", NULL},
	{"smtp_port", K_PORT, "--port", NULL},
	{"smtp_server", K_SERVER, "--server", NULL},
	{"smtp_user", K_TEXT, "--user", NULL},
	{"snmp_auth_pass_env", K_ENV, "MFPDOCTOR_SNMP_AUTH_PASS", NULL},
	{"snmp_auth_pass_file", K_FILE, "--auth-pass-file", NULL},
	{"snmp_priv_pass_env", K_ENV, "MFPDOCTOR_SNMP_PRIV_PASS", NULL},
	{"snmp_priv_pass_file", K_FILE, "--priv-pass-file", NULL},
	{"snmp_user", K_TEXT, "--snmp-user", NULL},
	{"snmp_version", K_CHOICE, "--snmp-version", "1|2c|3"},
	{"tls", K_CHOICE, "--tls", TLS_MODE_CHOICES},
	{"vendor", K_ID, "--vendor", NULL},
	{"web_password_env", K_ENV, "MFPDOCTOR_WEB_PASSWORD", NULL},
	{"web_password_file", K_FILE, "--web-password-file", NULL},
	{"web_port", K_PORT, "--web-port", NULL},
	{"web_user", K_TEXT, "--web-user", NULL},
};
#define NCOLS ARRAY_SIZE(cols)

/* Columns that would hold a secret itself: refused, with the reference column to use instead. */
static const char *const secret_cols[][2] = {
	{"password", "smtp_password_env or smtp_password_file"},
	{"smtp_password", "smtp_password_env or smtp_password_file"},
	{"web_password", "web_password_env or web_password_file"},
	{"community", "community_env or community_file"},
	{"snmp_community", "community_env or community_file"},
	{"auth_pass", "snmp_auth_pass_env or snmp_auth_pass_file"},
	{"priv_pass", "snmp_priv_pass_env or snmp_priv_pass_file"},
	{"secret", "a *_env or *_file column"},
};

struct inv {
	struct scan_targets *t;
	const char *name;
	const char *columns;
	size_t line;          /* physical line being parsed */
	size_t row_line;      /* where the current row starts */
	size_t header_line;
	bool in_row, have_header, fatal;
	struct strlist fields;
	struct strlist header;
	int map[NCOLS];       /* header position of each column, -1 */
};

static const struct col *col_find(const char *name)
{
	for (size_t i = 0; i < NCOLS; i++)
		if (strcasecmp(cols[i].name, name) == 0)
			return &cols[i];
	if (!strcasecmp(name, "ip") || !strcasecmp(name, "address") || !strcasecmp(name, "hostname"))
		return &cols[3]; /* "host" */
	return NULL;
}

static const char *secret_col(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(secret_cols); i++)
		if (strcasecmp(secret_cols[i][0], name) == 0)
			return secret_cols[i][1];
	return NULL;
}

static void known_list(struct buf *b)
{
	for (size_t i = 0; i < NCOLS; i++)
		buf_printf(b, "%s%s", i ? ", " : "", cols[i].name);
}

static void inv_error(struct inv *v, size_t line, const char *fmt, ...) MFP_PRINTF(3, 4);
static void inv_error(struct inv *v, size_t line, const char *fmt, ...)
{
	char *o = xasprintf("%s line %zu", v->name, line);
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	scan_targets_error(v->t, o, "%s", buf_str(&b));
	buf_free(&b);
	free(o);
}

static bool choice_ok(const char *choices, const char *s)
{
	size_t n = strlen(s);
	for (const char *p = choices; *p;) {
		size_t k = strcspn(p, "|");
		if (k == n && strncasecmp(p, s, n) == 0)
			return true;
		p += k + (p[k] == '|');
	}
	return false;
}

/* Without --columns: every header is one of our column names. */
static int map_own(struct inv *v)
{
	int bad = 0;
	for (size_t i = 0; i < v->header.n; i++) {
		const char *h = v->header.v[i], *ref = secret_col(h);
		const struct col *c = col_find(h);
		struct buf known = {0};
		known_list(&known);
		if (ref) {
			inv_error(v, v->header_line, "column \"%s\" would hold a secret: an inventory takes only references to "
				  "secrets (use %s)", h, ref);
			bad = 1;
		} else if (!c) {
			const char *hint = scan_hostname_valid(h) || strspn(h, "0123456789.") == strlen(h)
						   ? " -- this looks like a printer, not a header: the first line must name the columns"
						   : "";
			inv_error(v, v->header_line, "unknown column \"%s\"%s (known: %s; to read another tool's export, "
				  "choose its columns with --columns host=IP,name=Name,...)", h, hint, buf_str(&known));
			bad = 1;
		} else if (v->map[c - cols] >= 0) {
			inv_error(v, v->header_line, "column \"%s\" appears twice", h);
			bad = 1;
		} else {
			v->map[c - cols] = (int)i;
		}
		buf_free(&known);
	}
	return bad ? -1 : 0;
}

static int header_pos(const struct inv *v, const char *h)
{
	for (size_t i = 0; i < v->header.n; i++)
		if (strcasecmp(v->header.v[i], h) == 0)
			return (int)i;
	return -1;
}

/* --columns field=Header,...: only the named headers are read. */
static int map_columns(struct inv *v)
{
	char *spec = xstrdup(v->columns), *save = NULL;
	int bad = 0;
	for (char *it = strtok_r(spec, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(it, '=');
		const struct col *c = NULL;
		if (eq)
			*eq = '\0';
		text_trim(it);
		if (!eq || !(c = col_find(it)) || secret_col(it)) {
			struct buf known = {0};
			known_list(&known);
			char *si = text_sanitize(it, 80, 0);
			inv_error(v, v->header_line, "--columns: \"%s\" is not FIELD=HEADER with a known field (fields: %s)",
				  si, buf_str(&known));
			free(si);
			buf_free(&known);
			bad = 1;
			continue;
		}
		char *h = text_trim(eq + 1);
		int pos = header_pos(v, h);
		if (pos < 0) {
			char *sh = text_sanitize(h, 80, 0);
			inv_error(v, v->header_line, "--columns: the header row has no column \"%s\" (check the spelling "
				  "and the export's separator)", sh);
			free(sh);
			bad = 1;
		} else {
			v->map[c - cols] = pos;
		}
	}
	free(spec);
	if (!bad && v->map[3] < 0) {
		inv_error(v, v->header_line, "--columns must say which column holds the printer's address, e.g. "
			  "host=IP");
		bad = 1;
	}
	return bad ? -1 : 0;
}

static int take_header(struct inv *v)
{
	v->have_header = true;
	v->header_line = v->row_line;
	for (size_t i = 0; i < NCOLS; i++)
		v->map[i] = -1;
	for (size_t i = 0; i < v->fields.n; i++) {
		char *h = text_sanitize(text_trim(v->fields.v[i]), 80, 0);
		free(v->fields.v[i]);
		v->fields.v[i] = h;
	}
	v->header = v->fields;
	memset(&v->fields, 0, sizeof(v->fields));
	int rc = v->columns ? map_columns(v) : map_own(v);
	if (rc == 0 && v->map[3] < 0) {
		inv_error(v, v->header_line, "the header row has no host column (name it host, ip or address, or choose "
			  "it with --columns host=HEADER)");
		rc = -1;
	}
	return rc;
}

/* Checks one setting; returns NULL or the reason (a static string) it is refused. */
static const char *check_value(const struct col *c, const char *s)
{
	struct stat st;
	long n;
	char *end;
	if (strlen(s) > 255 || strcspn(s, "\r\n\t") != strlen(s))
		return "too long or holds line breaks or tabs";
	if (s[0] == '-')
		return "starts with '-' (it would be read as an option)";
	switch (c->kind) {
	case K_PORT:
		n = strtol(s, &end, 10);
		return *end || n < 1 || n > 65535 ? "is not a port number (1-65535)" : NULL;
	case K_CHOICE: return choice_ok(c->choices, s) ? NULL : "is not one of the choices";
	case K_SERVER: return scan_hostname_valid(s) || strspn(s, "0123456789.:") == strlen(s) ? NULL
					 : "is not a host name or address";
	case K_ADDR: return strchr(s, '@') && !strchr(s, ' ') ? NULL : "is not an e-mail address (name@domain)";
	case K_ID: return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(s) ? NULL
			  : "is not a vendor id (lower-case letters, digits, '-', e.g. brother, xerox, hp)";
	case K_FILE:
		return stat(s, &st) != 0 || !S_ISREG(st.st_mode) || access(s, R_OK) != 0
			       ? "names no readable file: this column takes the NAME of a file that holds the secret, "
				 "never the secret itself (the value is not shown, in case it is one)"
			       : NULL;
	case K_ENV:
		return scan_env_name_valid(s) ? NULL
					      : "is not the name of an environment variable (A-Z, 0-9, _): this column "
						"takes the NAME of a variable that holds the secret, never the secret itself "
						"(the value is not shown, in case it is one)";
	default: return NULL;
	}
}

static int apply(struct inv *v, const struct col *c, const char *s, struct strlist *args, struct strlist *env)
{
	const char *why = check_value(c, s);
	if (why) {
		char *sv = text_sanitize(s, 80, 0);
		if (c->kind == K_FILE || c->kind == K_ENV)
			inv_error(v, v->row_line, "column %s: the value %s", c->name, why);
		else if (c->kind == K_CHOICE)
			inv_error(v, v->row_line, "column %s: \"%s\" is not one of %s", c->name, sv, c->choices);
		else
			inv_error(v, v->row_line, "column %s: \"%s\" %s", c->name, sv, why);
		free(sv);
		return -1;
	}
	if (c->kind == K_ENV) {
		strlist_add_owned(env, xasprintf("%s=%s", c->opt, s));
	} else if (c->opt) {
		strlist_add(args, c->opt);
		strlist_add(args, s);
	}
	return 0;
}

static void take_row(struct inv *v)
{
	bool blank = true;
	for (size_t i = 0; i < v->fields.n; i++)
		if (*text_trim(v->fields.v[i]))
			blank = false;
	if (blank)
		return;
	if (v->fields.n != v->header.n) {
		inv_error(v, v->row_line, "%zu fields where the header row (line %zu) has %zu (a missing or extra "
			  "separator, or a value with the separator that is not in quotes)", v->fields.n, v->header_line,
			  v->header.n);
		return;
	}
	const char *host = v->fields.v[v->map[3]];
	if (!*host) {
		inv_error(v, v->row_line, "the host column (%s) is empty", v->header.v[v->map[3]]);
		return;
	}
	struct strlist args = {0}, env = {0};
	int bad = 0;
	for (size_t i = 0; i < NCOLS; i++)
		if (v->map[i] >= 0 && cols[i].kind > K_LOCATION && *v->fields.v[v->map[i]])
			bad |= apply(v, &cols[i], v->fields.v[v->map[i]], &args, &env);
	size_t first = v->t->n;
	char *origin = xasprintf("%s line %zu", v->name, v->row_line);
	if (!bad && scan_targets_add(v->t, host, origin, &args, &env) == 0) {
		const int ni = v->map[5], li = v->map[4];
		for (size_t i = first; i < v->t->n; i++) {
			v->t->v[i].name = ni >= 0 && *v->fields.v[ni] ? text_sanitize(v->fields.v[ni], 200, 0) : NULL;
			v->t->v[i].location = li >= 0 && *v->fields.v[li] ? text_sanitize(v->fields.v[li], 200, 0) : NULL;
		}
	}
	free(origin);
	strlist_free(&args);
	strlist_free(&env);
}

static void on_field(void *s, size_t len, void *data)
{
	struct inv *v = data;
	if (!v->in_row) {
		size_t nl = 0;
		for (size_t i = 0; i < len; i++)
			nl += ((char *)s)[i] == '\n';
		v->row_line = v->line - nl;
		v->in_row = true;
	}
	strlist_add_owned(&v->fields, xstrndup(s ? s : "", len));
}

static void on_row(int c, void *data)
{
	struct inv *v = data;
	(void)c;
	if (!v->fatal) {
		if (!v->have_header)
			v->fatal = take_header(v) != 0;
		else
			take_row(v);
	}
	strlist_free(&v->fields);
	v->in_row = false;
}

/* The separator the header line uses most: ',', ';' (GLPI) or tab. */
static unsigned char pick_delim(const char *line)
{
	size_t n[3] = {0};
	bool q = false;
	for (const char *p = line; *p && *p != '\n'; p++) {
		if (*p == '"')
			q = !q;
		else if (!q)
			n[0] += *p == ',', n[1] += *p == ';', n[2] += *p == '\t';
	}
	return n[1] > n[0] && n[1] >= n[2] ? ';' : n[2] > n[0] ? '\t' : ',';
}

static void parse_lines(struct inv *v, struct csv_parser *p, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while (!v->fatal && (len = getline(&line, &cap, f)) >= 0) {
		v->line++;
		char *s = line;
		if (v->line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) { /* Excel's byte order mark */
			s += 3;
			len -= 3;
		}
		if (v->line == 1)
			csv_set_delim(p, pick_delim(s));
		if (csv_parse(p, s, (size_t)len, on_field, on_row, v) != (size_t)len) {
			inv_error(v, v->line, "CSV syntax error (%s): a quote inside a value that does not start with one, "
				  "or text after a closing quote; put the whole value in quotes and double the quotes in "
				  "it (\"say \"\"hi\"\"\")", csv_strerror(csv_error(p)));
			v->fatal = true;
		}
	}
	free(line);
}

size_t scan_inventory_read(struct scan_targets *t, FILE *f, const char *name, const char *columns)
{
	struct inv v = {.t = t, .name = name, .columns = columns};
	size_t before = t->nerrors;
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		scan_targets_error(t, name, "out of memory");
		return 1;
	}
	parse_lines(&v, &p, f);
	if (!v.fatal && csv_fini(&p, on_field, on_row, &v) != 0)
		inv_error(&v, v.row_line ? v.row_line : v.line, "a quoted value is never closed (it starts on this line; "
			  "a closing quote \" is missing)");
	if (!v.have_header && t->nerrors == before)
		scan_targets_error(t, name, "the inventory is empty (it needs a header row, e.g. host,name,location)");
	csv_free(&p);
	strlist_free(&v.fields);
	strlist_free(&v.header);
	return t->nerrors - before;
}
