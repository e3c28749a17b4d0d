/* diagnose/mirror.c — from what the device says (and what the user overrides) to the test send
 * that mirrors it: same host, port, TLS mode and ceiling, login, From, EHLO name and message
 * size. Every value remembers where it came from. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diagnose/address.h"
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

/* Records a device value that cannot be used (see rule_rejected_values). */
static void reject(struct diagnosis *dg, const char *name, const struct fact *f, const char *why)
{
	dg->rejected = xrealloc(dg->rejected, (dg->nrejected + 1) * sizeof(*dg->rejected));
	struct diag_rejected *x = &dg->rejected[dg->nrejected++];
	x->name = name;
	x->value = text_sanitize(f->value, 200, 0);
	x->why = xstrdup(why);
	x->where = fact_origin(f);
	x->from_device = f->source != FACT_USER;
}

static bool mirror_server(struct diagnosis *dg)
{
	char *origin = NULL;
	const struct fact *f = device_get(&dg->dev, "smtp.host");
	if (!f) {
		dg->test_skipped = xstrdup("the device did not tell its SMTP server (give it with --server)");
		return false;
	}
	if (!mail_host_valid(f->value)) {
		reject(dg, "server", f, "it is not a host name or an IP address");
		dg->test_skipped = xstrdup("the device's SMTP server setting is not a host name (give it with --server)");
		return false;
	}
	dg->req.server = take(dg, "smtp.host", &origin);
	setting(dg, "server", dg->req.server, origin);
	free(origin);
	return true;
}

static void mirror_port_tls(struct diagnosis *dg)
{
	struct smtp_request *q = &dg->req;
	char *origin = NULL, num[32];
	const char *sec = take(dg, "smtp.security", &origin);
	q->tls = parse_security(sec);
	setting(dg, "tls", tls_mode_name(q->tls), sec ? origin : "default (auto: STARTTLS when offered, implicit on 465)");
	free(origin);
	origin = NULL;
	const char *port = take(dg, "smtp.port", &origin);
	char *end = NULL;
	long p = port ? strtol(port, &end, 10) : 0;
	bool valid = port && *end == '\0' && p > 0 && p <= 65535;
	q->port = valid ? p : 0;
	if (!valid) {
		if (port)
			device_note(&dg->dev, "the SMTP port the device reports (%s) is not a port number; using the default", port);
		q->port = q->tls == TLS_IMPLICIT ? 465 : 25;
	}
	snprintf(num, sizeof(num), "%ld", q->port);
	setting(dg, "port", num, valid ? origin : "default (the device's usual default)");
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
}

/* Returns true when the test must stop before AUTH (no password). */
static bool mirror_auth(struct diagnosis *dg, const char *password)
{
	struct device *d = &dg->dev;
	struct smtp_request *q = &dg->req;
	char *origin = NULL;
	bool pop = false;
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
	if (q->auth == AUTH_NONE)
		return false;
	q->user = take(dg, "smtp.user", &origin);
	if (q->user)
		setting(dg, "user", q->user, origin);
	free(origin);
	q->password = password;
	if (password)
		return false;
	device_note(d, "no SMTP password was given (MFPDOCTOR_SMTP_PASSWORD or --password-file): a device's "
		       "password cannot be read from it, so the test stops before the login and cannot check it");
	return true;
}

/* The From address: the device's (or --from), else the login when it is an address. A value
 * that is not an RFC 5321 address is rejected and never sent; with no usable From the test
 * stops before MAIL FROM (dg->from_placeholder). */
static void mirror_from(struct diagnosis *dg)
{
	struct smtp_request *q = &dg->req;
	char why[160];
	const struct fact *f = device_get(&dg->dev, "smtp.from");
	char *origin = f ? fact_origin(f) : NULL;
	q->from = f ? f->value : NULL;
	if (f && !mail_address_valid(f->value, why, sizeof(why))) {
		if (mail_address_in_brackets(f->value, dg->from_addr, sizeof(dg->from_addr))) {
			device_note(&dg->dev, "the device's From has a display name; the test uses the address in it (%s)", dg->from_addr);
			q->from = dg->from_addr;
		} else {
			reject(dg, "from", f, why);
			q->from = NULL;
			free(origin);
			origin = NULL;
		}
	}
	if (!q->from && !dg->nrejected && q->user && strchr(q->user, '@')) {
		if (mail_address_valid(q->user, why, sizeof(why))) {
			q->from = q->user;
			origin = xstrdup("default (the login name)");
		} else {
			device_note(&dg->dev, "the login name is not a valid e-mail address (%s), so it is not used as the sender", why);
		}
	}
	dg->from_placeholder = q->from == NULL;
	if (dg->from_placeholder)
		device_note(&dg->dev, "no usable From address: the test stops before MAIL FROM (give --from to test the "
				      "sender and the recipient)");
	setting(dg, "from", q->from ? q->from : "(not known)",
		q->from ? origin : dg->nrejected ? "not used: the device's value is not a valid address"
						  : "none (the device gave no From address)");
	free(origin);
}

static void mirror_to(struct diagnosis *dg, const struct diag_overrides *o)
{
	size_t nto = o->nto ? o->nto : 1;
	dg->to = xcalloc(nto, sizeof(*dg->to));
	for (size_t i = 0; i < o->nto; i++)
		dg->to[i] = o->to[i];
	if (!o->nto)
		dg->to[0] = dg->req.from;
	dg->req.to = dg->to;
	dg->req.nto = dg->to[0] ? nto : 0;
	if (dg->to[0])
		setting(dg, "to", dg->to[0], o->nto ? "--to" : "default (the device's From address)");
}

static void mirror_ehlo(struct diagnosis *dg)
{
	char *origin = NULL;
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
		dg->req.ehlo = ehlo;
		setting(dg, "ehlo", ehlo, origin);
	} else if (ehlo) {
		device_note(&dg->dev, "the device's host name '%s' cannot be sent in EHLO as it is; the test uses this machine's name", ehlo);
	}
	free(origin);
}

static void mirror_size(struct diagnosis *dg, const struct diag_overrides *o)
{
	struct smtp_request *q = &dg->req;
	char *origin = NULL, num[64], *end = NULL;
	const char *maxsz = take(dg, "smtp.max_size", &origin);
	long long dev = maxsz ? strtoll(maxsz, &end, 10) : 0;
	if (o->size) {
		q->size = o->size;
		snprintf(num, sizeof(num), "%lld", q->size);
		setting(dg, "size", num, "--size");
	} else if (maxsz && *end == '\0' && dev > 0 && dev < DEVICE_MAX_SIZE) {
		q->size = dev;
		snprintf(num, sizeof(num), "%lld", q->size);
		setting(dg, "size", num, origin);
	} else {
		q->size = 2 * 1024 * 1024;
		setting(dg, "size", "2097152", maxsz ? "default (the device's maximum size is implausible)" : "default (a typical scan)");
	}
	free(origin);
}

/* How far the test goes: --stop-after, a logged code's stage, and what is missing. */
static void mirror_stop(struct diagnosis *dg, const struct diag_overrides *o, bool cap_at_auth)
{
	struct smtp_request *q = &dg->req;
	q->stop_after = o->stop_after != STAGE_LAST ? o->stop_after : STAGE_RCPT_TO;
	/* a logged code's stage sets how far the test must go (without delivering anything) */
	for (size_t i = 0; i < dg->nevents && o->stop_after == STAGE_LAST && !q->send; i++) {
		enum stage es = dg->events[i].explained ? dg->events[i].e.stage : STAGE_UNKNOWN;
		const char *code = dg->dev.events[dg->events[i].index].code;
		if (es == STAGE_DATA)
			q->stop_after = STAGE_DATA;
		else if (es == STAGE_END_OF_DATA || es == STAGE_QUIT)
			device_note(&dg->dev, "the device logged %s, which happens at %s: only a test that delivers a message "
					      "(--send) reaches it", code ? code : "an error", stage_name(es));
	}
	if (dg->from_placeholder && (q->send || q->stop_after > STAGE_AUTH)) {
		if (q->send)
			device_note(&dg->dev, "--send needs the device's From address: nothing is delivered");
		q->send = false;
		cap_at_auth = true;
	}
	if (cap_at_auth && q->stop_after > STAGE_AUTH)
		q->stop_after = STAGE_AUTH;
	if (o->no_test)
		dg->test_skipped = xstrdup("--no-test was given");
}

void diagnose_mirror(struct diagnosis *dg, const struct diag_overrides *o, const char *password)
{
	struct smtp_request *q = &dg->req;
	apply_overrides(&dg->dev, o);
	memset(q, 0, sizeof(*q));
	q->timeout_ms = o->timeout_ms ? o->timeout_ms : 15000;
	q->budget_ms = q->timeout_ms * 4 + 10000;
	q->followups = true;
	q->cafile = o->cafile;
	q->insecure = o->insecure;
	q->send = o->send;
	if (!mirror_server(dg))
		return;
	mirror_port_tls(dg);
	q->tls_min = o->tls_min;
	bool cap_at_auth = mirror_auth(dg, password);
	mirror_from(dg);
	mirror_to(dg, o);
	mirror_ehlo(dg);
	mirror_size(dg, o);
	mirror_stop(dg, o, cap_at_auth);
}
