/* diagnose/blame.c — which checklist item a finding blames. Each finding names its cause; the
 * checklist marks that item, and only that one: a tenant that turned SMTP AUTH off is a
 * service-side setting, never the device's password. No I/O. */
#define _GNU_SOURCE
#include <string.h>
#include <strings.h>

#include "diagnose/diagnose.h"
#include "util/text.h"

/* A finding and the items it blames ("device:<setting>" or "service:<checklist id>"). */
static const struct {
	const char *finding;
	const char *items[3];
} table[] = {
	{"dns-unresolved", {"device:smtp_host", "device:dns"}},
	{"ip-instead-of-name", {"device:smtp_host"}},
	{"connect-failed", {"device:smtp_host"}},
	{"smtp-host-invalid", {"device:smtp_host"}},
	{"port-expects-implicit-tls", {"device:smtp_port", "device:security"}},
	{"port-expects-starttls", {"device:smtp_port", "device:security"}},
	{"port-mode-mismatch", {"device:smtp_port", "device:security"}},
	{"starttls-not-offered", {"device:security"}},
	{"auth-after-starttls", {"device:security"}},
	{"tls-version-too-old", {"device:tls_version", "device:firmware"}},
	{"tls-ceiling-below-floor", {"device:tls_version"}},
	{"auth-required-not-sent", {"device:auth"}},
	{"auth-no-common-mechanism", {"device:auth"}},
	{"auth-not-offered", {"device:auth"}},
	/* a credentials rejection (535 5.7.8, 535 5.7.3): the login or the password */
	{"credentials-rejected", {"device:user", "device:password"}},
	/* Google wants an app password: the password field, not the login */
	{"gmail-app-password", {"device:password"}},
	{"m365-security-defaults", {"service:m365-security-defaults"}},
	{"from-differs-from-login", {"device:from"}},
	{"from-invalid", {"device:from"}},
	{"sender-domain-unresolved", {"device:from"}},
	{"ehlo-name-rejected", {"device:ehlo_name"}},
	{"clock-skew", {"device:clock"}},
	{"size-over-limit", {"device:max_size"}},
	{"device-size-above-server", {"device:max_size"}},
	{"cert-expired", {"device:certificate"}},
	{"cert-name-mismatch", {"device:certificate"}},
	{"cert-untrusted", {"device:certificate"}},
};

/* Microsoft 365 with SMTP AUTH off: the reply says whether the tenant or the mailbox did it. */
static const char *m365_auth_item(const struct finding *f)
{
	if (f->evidence && (strcasestr(f->evidence, "tenant") || strcasestr(f->evidence, "organization")))
		return "service:m365-smtp-auth-tenant";
	return "service:m365-smtp-auth-enabled";
}

/* The items f blames, into out[0..3) (NULL-padded); returns their number. */
static size_t items_of(const struct finding *f, const char *out[3])
{
	out[0] = out[1] = out[2] = NULL;
	if (f->sev < SEV_WARN)
		return 0;
	if (strcmp(f->id, "m365-smtp-auth-disabled") == 0) {
		out[0] = m365_auth_item(f);
		return 1;
	}
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(table[i].finding, f->id) != 0)
			continue;
		size_t n = 0;
		for (; n < 3 && table[i].items[n]; n++)
			out[n] = table[i].items[n];
		return n;
	}
	return 0;
}

static bool item_is(const char *item, const char *side, const char *setting)
{
	size_t n = strlen(side);
	return item && strncmp(item, side, n) == 0 && item[n] == ':' && strcmp(item + n + 1, setting) == 0;
}

const struct finding *diagnose_blamed(const struct diagnosis *dg, const char *side, const char *setting)
{
	const struct finding *best = NULL;
	for (size_t i = 0; i < dg->findings.n; i++) {
		const struct finding *f = &dg->findings.v[i];
		const char *items[3];
		size_t n = items_of(f, items);
		for (size_t k = 0; k < n; k++)
			if (item_is(items[k], side, setting) && (!best || f->sev > best->sev))
				best = f;
	}
	return best;
}

static bool in_checklist(const struct checklist *c, const char *side, const char *setting)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].side, side) == 0 && strcmp(c->v[i].setting, setting) == 0)
			return true;
	return false;
}

void diagnose_blame_missing(struct diagnosis *dg)
{
	for (size_t i = 0; i < dg->findings.n; i++) {
		const struct finding *f = &dg->findings.v[i];
		const char *items[3];
		size_t n = items_of(f, items);
		for (size_t k = 0; k < n; k++) {
			if (strncmp(items[k], "service:", 8) != 0 || in_checklist(&dg->checklist, "service", items[k] + 8))
				continue;
			/* the service's profile has no such step (the service was not recognised): the
			 * finding itself says what to change */
			struct checklist_item *it = checklist_add(&dg->checklist, items[k] + 8, "service");
			it->label = xstrdup(f->title);
			it->fix = xstrdup(f->fix);
			it->confidence = xstrdup("inferred");
			it->status = CHECK_FAIL;
		}
	}
}
