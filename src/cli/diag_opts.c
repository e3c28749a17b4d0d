/* cli/diag_opts.c — the options `diagnose` and `check` share: defaults, the checked setter,
 * and where errors go; see diag_cfg.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/diag_cfg.h"
#include "diagnose/address.h"
#include "util/buf.h"

void diag_cfg_init(struct diag_cfg *c)
{
	memset(c, 0, sizeof(*c));
	opt_snmp_init(&c->snmp);
	c->ov.tls = -1;
	c->ov.auth = -1;
	c->ov.stop_after = STAGE_LAST;
	c->timeout_s = 10;
	c->budget_s = 120;
	c->budget_opt = "--budget";
}

void diag_error(struct diag_cfg *c, const char *cmd, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->plugin)
		fprintf(stderr, "mfpdoctor %s: %s\n", cmd, msg);
	else if (!c->err[0])
		snprintf(c->err, sizeof(c->err), "%s", msg);
}

/* An address on the command line must be one RFC 5321 address: anything else is a usage error. */
static int address_arg(const char *opt, const char *v, char *err, size_t errsz)
{
	char why[160];
	if (mail_address_valid(v, why, sizeof(why)))
		return 0;
	snprintf(err, errsz, "%s: '%.60s' is not an e-mail address: %s", opt, v, why);
	return -1;
}

/* The test send's options with checked values; returns 1 when id is not one of them. */
static int set_smtp(struct diag_cfg *c, int id, const char *v, char *err, size_t errsz)
{
	struct diag_overrides *o = &c->ov;
	long n;
	int i;
	switch (id) {
	case O_AUTH:
		if ((i = cli_parse_choice("auth", v, AUTH_MODE_CHOICES, err, errsz)) < 0)
			return -1;
		o->auth = i;
		return 0;
	case O_FROM:
		if (address_arg("--from", v, err, errsz))
			return -1;
		o->from = v;
		return 0;
	case O_PORT:
		if (cli_parse_long("port", v, 1, 65535, &n, err, errsz))
			return -1;
		o->port = n;
		return 0;
	case O_SERVER:
		if (!mail_host_valid(v)) {
			snprintf(err, errsz, "--server: '%.60s' is not a host name or address", v);
			return -1;
		}
		o->server = v;
		return 0;
	case O_SIZE: return cli_parse_size("size", v, &o->size, err, errsz);
	case O_STOP_AFTER: {
		static const enum stage map[] = {STAGE_CONNECT, STAGE_TLS_HANDSHAKE, STAGE_AUTH, STAGE_MAIL_FROM, STAGE_RCPT_TO,
						 STAGE_DATA};
		if ((i = cli_parse_choice("stop-after", v, "connect|tls|auth|mail|rcpt|data", err, errsz)) < 0)
			return -1;
		o->stop_after = map[i];
		return 0;
	}
	case O_TLS:
		if ((i = cli_parse_choice("tls", v, TLS_MODE_CHOICES, err, errsz)) < 0)
			return -1;
		o->tls = i;
		return 0;
	case O_TLS_MAX:
	case O_TLS_MIN:
		if ((i = cli_parse_choice(id == O_TLS_MAX ? "tls-max" : "tls-min", v, TLS_VERSION_CHOICES, err, errsz)) < 0)
			return -1;
		*(id == O_TLS_MAX ? &o->tls_max : &o->tls_min) = 10 + i;
		return 0;
	case O_TO:
		if (o->nto >= DIAG_MAX_TO) {
			snprintf(err, errsz, "--to: at most %d recipients", DIAG_MAX_TO);
			return -1;
		}
		if (address_arg("--to", v, err, errsz))
			return -1;
		c->to[o->nto++] = v;
		return 0;
	}
	return 1;
}

int diag_cfg_set(void *vcfg, int id, const char *v, char *err, size_t errsz)
{
	struct diag_cfg *c = vcfg;
	long n;
	int i, r = opt_snmp_set(&c->snmp, id, v, err, errsz);
	if (r <= 0 || (r = set_smtp(c, id, v, err, errsz)) <= 0)
		return r;
	struct diag_overrides *o = &c->ov;
	switch (id) {
	case O_BUDGET:
		if (cli_parse_long("budget", v, 5, 3600, &n, err, errsz))
			return -1;
		c->budget_s = n;
		return 0;
	case O_CAFILE: o->cafile = v; return 0;
	case O_EHLO: o->ehlo = v; return 0;
	case O_FAMILY: c->family = v; return 0;
	case O_FORMAT:
		if ((i = cli_parse_choice("format", v, "text|json|md|html", err, errsz)) < 0)
			return -1;
		c->format = i;
		return 0;
	case O_HTTP: c->web.allow_http = true; return 0;
	case O_INSECURE: o->insecure = true; return 0;
	case O_NO_SNMP: c->no_snmp = true; return 0;
	case O_NO_TEST: o->no_test = true; return 0;
	case O_NO_WEB: c->no_web = true; return 0;
	case O_OUTPUT: c->output = v; return 0; /* "-" is standard output */
	case O_PASSWORD: c->password_argv = v; return 0;
	case O_PASSWORD_FILE: c->password_file = v; return 0;
	case O_SEND: o->send = true; return 0;
	case O_SERVICE: c->service = v; return 0;
	case O_TIMEOUT:
		if (cli_parse_long("timeout", v, 1, 300, &n, err, errsz))
			return -1;
		c->timeout_s = n;
		return 0;
	case O_USER: o->user = v; return 0;
	case O_VENDOR: c->vendor = v; return 0;
	case O_VERBOSE: c->verbose = true; return 0;
	case O_WEB_CAFILE: c->web.cafile = v; return 0;
	case O_WEB_INSECURE: c->web.insecure = true; return 0;
	case O_WEB_PASSWORD_FILE: c->web_password_file = v; return 0;
	case O_WEB_PIN: c->web.pin = v; return 0;
	case O_WEB_PORT:
		if (cli_parse_long("web-port", v, 1, 65535, &n, err, errsz))
			return -1;
		c->web.port = (int)n;
		return 0;
	case O_WEB_USER: c->web.user = v; return 0;
	case O_REPLAY: c->replay = c->host_or_replay = v; return 0;
	}
	return -1;
}

