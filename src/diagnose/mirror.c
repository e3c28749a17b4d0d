/* diagnose/mirror.c — from what the device says (and what the user overrides) to the test send
 * that mirrors it: same host, port, TLS mode and ceiling, login, From, EHLO name and message
 * size. Every value remembers where it came from. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diagnose/diagnose.h"
#include "kb/vendor.h"
#include "profile/profile.h"
#include "util/text.h"

static void setting(struct diagnosis *dg, const char *name, const char *value, const char *source)
{
	dg->settings = xrealloc(dg->settings, (dg->nsettings + 1) * sizeof(*dg->settings));
	struct diag_setting *s = &dg->settings[dg->nsettings++];
	s->name = name;
	s->value = xstrdup(value ? value : "");
	s->source = xstrdup(source);
}

static char *fact_origin(const struct fact *f)
{
	if (f->source == FACT_USER)
		return xstrdup(f->where ? f->where : "command line");
	return xasprintf("device (%s%s%s)", fact_source_name(f->source), f->where ? ": " : "", f->where ? f->where : "");
}

/* The fact's value and origin, or NULL. */
static const char *take(const struct diagnosis *dg, const char *key, char **origin)
{
	const struct fact *f = device_get(&dg->dev, key);
	if (!f)
		return NULL;
	*origin = fact_origin(f);
	return f->value;
}

static void user_fact(struct device *d, const char *key, const char *value, const char *opt)
{
	if (value)
		device_set(d, key, value, FACT_USER, opt);
}

static void apply_overrides(struct device *d, const struct diag_overrides *o)
{
	char num[32];
	user_fact(d, "smtp.host", o->server, "--server");
	if (o->port) {
		snprintf(num, sizeof(num), "%ld", o->port);
		user_fact(d, "smtp.port", num, "--port");
	}
	if (o->tls >= 0)
		user_fact(d, "smtp.security", tls_mode_name((enum tls_mode)o->tls), "--tls");
	if (o->tls_max)
		user_fact(d, "smtp.tls_max", tls_version_name(o->tls_max), "--tls-max");
	if (o->auth >= 0)
		user_fact(d, "smtp.auth", auth_mode_name((enum auth_mode)o->auth), "--auth");
	user_fact(d, "smtp.user", o->user, "--user");
	user_fact(d, "smtp.from", o->from, "--from");
	user_fact(d, "smtp.ehlo_name", o->ehlo, "--ehlo");
}

static int parse_tls_version(const char *v)
{
	if (!v)
		return 0;
	if (strstr(v, "1.3")) return 13;
	if (strstr(v, "1.2")) return 12;
	if (strstr(v, "1.1")) return 11;
	if (strstr(v, "1.0") || strcasecmp(v, "tls1") == 0) return 10;
	return 0;
}

static enum tls_mode parse_security(const char *v)
{
	if (!v) return TLS_AUTO;
	if (strcasestr(v, "implicit") || strcasestr(v, "ssl") || strcasestr(v, "smtps")) return TLS_IMPLICIT;
	if (strcasestr(v, "starttls") || strcasecmp(v, "tls") == 0) return TLS_STARTTLS;
	if (strcasestr(v, "none") || strcasestr(v, "off") || strcasestr(v, "plain")) return TLS_NONE;
	return TLS_AUTO;
}

static enum auth_mode parse_auth(const char *v, bool *pop)
{
	*pop = false;
	if (!v) return AUTH_AUTO;
	if (strcasestr(v, "pop")) { *pop = true; return AUTH_NONE; }
	if (strcasestr(v, "cram")) return AUTH_CRAM_MD5;
	if (strcasestr(v, "ntlm")) return AUTH_NTLM;
	if (strcasestr(v, "oauth")) return AUTH_XOAUTH2;
	if (strcasestr(v, "plain")) return AUTH_PLAIN;
	if (strcasestr(v, "login")) return AUTH_LOGIN;
	if (strcasestr(v, "none") || strcasestr(v, "off") || strcasecmp(v, "no") == 0) return AUTH_NONE;
	return AUTH_AUTO;
}

/* The family's known TLS ceiling from the vendor profile ("tls_max" on a family). */
static int profile_tls_max(struct diagnosis *dg, char **origin)
{
	const char *vid = device_value(&dg->dev, "identity.vendor_id");
	const char *fam = device_value(&dg->dev, "identity.family");
	const struct kb_vendor *v = vid ? kb_vendor_find(vid) : NULL;
	const json_t *f = v && fam ? kb_vendor_family(v, fam) : NULL;
	const char *m = f ? profile_str(f, "tls_max") : NULL;
	if (!m)
		return 0;
	*origin = xasprintf("profile (%s %s family)", v->name, profile_str(f, "name") ? profile_str(f, "name") : fam);
	return parse_tls_version(m);
}

void diagnose_mirror(struct diagnosis *dg, const struct diag_overrides *o, const char *password)
{
	struct device *d = &dg->dev;
	struct smtp_request *q = &dg->req;
	char *origin = NULL, num[64];
	apply_overrides(d, o);
	memset(q, 0, sizeof(*q));
	q->timeout_ms = o->timeout_ms ? o->timeout_ms : 15000;
	q->budget_ms = q->timeout_ms * 4 + 10000;
	q->followups = true;
	q->cafile = o->cafile;
	q->insecure = o->insecure;
	q->send = o->send;

	const char *host = take(dg, "smtp.host", &origin);
	if (!host) {
		dg->test_skipped = xstrdup("the device did not tell its SMTP server (give it with --server)");
		return;
	}
	q->server = host;
	setting(dg, "server", host, origin);
	free(origin);
	origin = NULL;

	const char *sec = take(dg, "smtp.security", &origin);
	q->tls = parse_security(sec);
	setting(dg, "tls", tls_mode_name(q->tls), sec ? origin : "default (auto: STARTTLS when offered, implicit on 465)");
	free(origin);
	origin = NULL;

	const char *port = take(dg, "smtp.port", &origin);
	q->port = port ? atol(port) : 0;
	if (q->port <= 0 || q->port > 65535) {
		if (port)
			device_note(d, "the SMTP port the device reports (%s) is not a port number; using the default", port);
		q->port = q->tls == TLS_IMPLICIT ? 465 : 25;
		snprintf(num, sizeof(num), "%ld", q->port);
		setting(dg, "port", num, "default (the device's usual default)");
	} else {
		snprintf(num, sizeof(num), "%ld", q->port);
		setting(dg, "port", num, origin);
	}
	free(origin);
	origin = NULL;

	const char *tmax = take(dg, "smtp.tls_max", &origin);
	q->tls_max = parse_tls_version(tmax);
	if (!q->tls_max) {
		free(origin);
		origin = NULL;
		q->tls_max = profile_tls_max(dg, &origin);
	}
	if (q->tls_max)
		setting(dg, "tls_max", tls_version_name(q->tls_max), origin);
	free(origin);
	origin = NULL;
	q->tls_min = o->tls_min;

	bool pop = false, cap_at_auth = false;
	const char *auth = take(dg, "smtp.auth", &origin);
	const char *user = device_value(d, "smtp.user");
	q->auth = parse_auth(auth, &pop);
	if (!auth && !user)
		q->auth = AUTH_NONE;
	if (pop)
		device_note(d, "the device uses POP-before-SMTP; the test cannot reproduce the POP3 login and runs without SMTP AUTH");
	setting(dg, "auth", auth_mode_name(q->auth), auth ? origin : (user ? "default (a user is set)" : "default (no user set)"));
	free(origin);
	origin = NULL;
	if (q->auth != AUTH_NONE) {
		const char *u = take(dg, "smtp.user", &origin);
		q->user = u;
		if (u)
			setting(dg, "user", u, origin);
		free(origin);
		origin = NULL;
		q->password = password;
		if (!password) {
			device_note(d, "no SMTP password was given (MFPDOCTOR_SMTP_PASSWORD or --password-file): a device's "
				       "password cannot be read from it, so the test stops before the login and cannot check it");
			cap_at_auth = true;
		}
	}

	const char *from = take(dg, "smtp.from", &origin);
	if (!from && q->user && strchr(q->user, '@')) {
		from = q->user;
		free(origin);
		origin = xstrdup("default (the login name)");
	}
	q->from = from ? from : "scanner@invalid";
	setting(dg, "from", q->from, from ? origin : "default (the device gave no From address)");
	free(origin);
	origin = NULL;

	size_t nto = o->nto ? o->nto : 1;
	dg->to = xcalloc(nto, sizeof(*dg->to));
	for (size_t i = 0; i < o->nto; i++)
		dg->to[i] = o->to[i];
	if (!o->nto)
		dg->to[0] = q->from;
	q->to = dg->to;
	q->nto = nto;
	setting(dg, "to", dg->to[0], o->nto ? "--to" : "default (the device's From address)");

	const char *ehlo = take(dg, "smtp.ehlo_name", &origin);
	if (!ehlo) {
		free(origin);
		origin = NULL;
		ehlo = take(dg, "identity.hostname", &origin);
	}
	if (!ehlo) {
		free(origin);
		origin = NULL;
		ehlo = take(dg, "identity.sysname", &origin);
	}
	/* only names a device could really send: letters, digits, dots, dashes */
	if (ehlo && ehlo[strspn(ehlo, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")] == '\0' && *ehlo) {
		q->ehlo = ehlo;
		setting(dg, "ehlo", ehlo, origin);
	} else if (ehlo) {
		device_note(d, "the device's host name '%s' cannot be sent in EHLO as it is; the test uses this machine's name", ehlo);
	}
	free(origin);
	origin = NULL;

	const char *maxsz = take(dg, "smtp.max_size", &origin);
	if (o->size) {
		q->size = o->size;
		snprintf(num, sizeof(num), "%lld", q->size);
		setting(dg, "size", num, "--size");
	} else if (maxsz && atoll(maxsz) > 0) {
		q->size = atoll(maxsz);
		snprintf(num, sizeof(num), "%lld", q->size);
		setting(dg, "size", num, origin);
	} else {
		q->size = 2 * 1024 * 1024;
		setting(dg, "size", "2097152", "default (a typical scan)");
	}
	free(origin);
	q->stop_after = o->stop_after != STAGE_LAST ? o->stop_after : STAGE_RCPT_TO;
	/* a logged code's stage sets how far the test must go (without delivering anything) */
	for (size_t i = 0; i < dg->nevents && o->stop_after == STAGE_LAST && !q->send; i++) {
		enum stage es = dg->events[i].explained ? dg->events[i].e.stage : STAGE_UNKNOWN;
		if (es == STAGE_DATA)
			q->stop_after = STAGE_DATA;
		else if ((es == STAGE_END_OF_DATA || es == STAGE_QUIT))
			device_note(d, "the device logged %s, which happens at %s: only a test that delivers a message "
				       "(--send) reaches it", dg->dev.events[dg->events[i].index].code ?
				       dg->dev.events[dg->events[i].index].code : "an error", stage_name(es));
	}
	if (cap_at_auth && q->stop_after > STAGE_AUTH)
		q->stop_after = STAGE_AUTH;
	if (o->no_test)
		dg->test_skipped = xstrdup("--no-test was given");
}
