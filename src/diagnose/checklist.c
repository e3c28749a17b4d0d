/* diagnose/checklist.c — building the settings checklist from a vendor and a mail-service
 * profile; see checklist.h. Pure: no I/O, no clock (today is an argument). */
#include "diagnose/checklist.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profile/profile.h"
#include "util/text.h"

/* Setting keys in the order a technician walks through them, with the reason each matters. */
static const struct {
	const char *key;
	const char *why;
} keys[] = {
	{"smtp_host", "The device must reach the service's submission endpoint by name."},
	{"smtp_port", "The port decides whether encryption starts at once (465) or after STARTTLS (587, 25)."},
	{"security", "A port/security mismatch makes the session hang at the greeting or fail at STARTTLS."},
	{"tls_version", "Servers refuse TLS versions below their minimum; old firmware may offer only TLS 1.0."},
	{"auth", "Submission services refuse mail from clients that did not log in (530 / 5.7.57)."},
	{"user", "The login name must be exactly what the service expects."},
	{"password", "A wrong or wrong-kind password is the most common cause of 535 replies."},
	{"from", "Services refuse or rewrite senders the login may not use (SendAsDenied, 5.7.60, 553)."},
	{"ehlo_name", "Some servers reject an empty, bare or malformed EHLO name (501 5.5.4)."},
	{"dns", "The device resolves the server name itself; without DNS nothing connects."},
	{"clock", "Certificate checks fail when the device's date is wrong."},
	{"max_size", "A scan bigger than the server's limit fails at the end of DATA (552)."},
	{"firmware", "Old firmware lacks TLS 1.2 and current login methods."},
	{"certificate", "With verification on, the device needs the CA that issued the server's certificate."},
};

const char *checklist_status_name(enum checklist_status s)
{
	return s == CHECK_OK ? "ok" : s == CHECK_WARN ? "warning" : s == CHECK_FAIL ? "fail" : "unknown";
}

static struct checklist_item *add_item(struct checklist *c)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	struct checklist_item *it = &c->v[c->n++];
	memset(it, 0, sizeof(*it));
	return it;
}

struct checklist_item *checklist_add(struct checklist *c, const char *setting, const char *side)
{
	struct checklist_item *it = add_item(c);
	it->setting = xstrdup(setting);
	it->side = xstrdup(side);
	return it;
}

static const char *security_words(const char *s)
{
	if (!s)
		return "not published";
	if (strcmp(s, "starttls") == 0)
		return "STARTTLS (the menu may call it 'STARTTLS' or 'TLS'; not 'SSL')";
	if (strcmp(s, "tls") == 0)
		return "SSL/TLS (implicit TLS from the first byte)";
	if (strcmp(s, "none") == 0)
		return "none (no encryption)";
	return s;
}

static char *port_text(const json_t *set)
{
	long long port = profile_int(set, "port", 0);
	struct buf b = {0};
	if (port)
		buf_printf(&b, "%lld", port);
	else
		buf_puts(&b, "not published");
	size_t i;
	const json_t *a;
	json_array_foreach(json_object_get(set, "alt_ports"), i, a)
		buf_printf(&b, "%s%lld %s", i ? ", " : " (also accepted: ", profile_int(a, "port", 0),
			   profile_str(a, "security") && strcmp(profile_str(a, "security"), "tls") == 0 ? "with SSL/TLS"
				: profile_str(a, "security") && strcmp(profile_str(a, "security"), "none") == 0 ? "unencrypted"
				: "with STARTTLS");
	if (json_array_size(json_object_get(set, "alt_ports")))
		buf_putc(&b, ')');
	return buf_steal(&b);
}

/* "1.2" -> 12; 0 when not a version. */
static int tls_num(const char *v)
{
	if (!v || v[0] < '1' || v[0] > '9' || v[1] != '.' || v[2] < '0' || v[2] > '9')
		return 0;
	return (v[0] - '0') * 10 + (v[2] - '0');
}

/* The value to set for key, from the service settings; a new string. */
static char *expected_for(const char *key, const json_t *set, const char *service_name)
{
	const char *host = profile_str(set, "host");
	bool name_not_ip = json_is_true(json_object_get(set, "name_not_ip"));
	if (strcmp(key, "smtp_host") == 0)
		return host ? xasprintf("%s%s", host, name_not_ip ? " (the DNS name, never an IP address: the certificate is issued for the name)" : "")
			    : xasprintf("your own %s server's DNS name (this service is self-hosted)", service_name);
	if (strcmp(key, "smtp_port") == 0)
		return port_text(set);
	if (strcmp(key, "security") == 0)
		return xstrdup(security_words(profile_str(set, "security")));
	if (strcmp(key, "tls_version") == 0) {
		const char *m = profile_str(set, "tls_min");
		return m ? xasprintf("TLS %s or higher (the service refuses older versions)", m)
			 : xstrdup("not published by the service; allow TLS 1.2 or higher");
	}
	if (strcmp(key, "auth") == 0) {
		const char *a = profile_str(set, "auth");
		struct buf b = {0};
		if (a && strcmp(a, "required") == 0)
			buf_puts(&b, "on (SMTP AUTH required)");
		else if (a && strcmp(a, "optional") == 0)
			buf_puts(&b, "on with a mailbox login, or off only on a relay connector that trusts the device's address");
		else if (a && strcmp(a, "none") == 0)
			buf_puts(&b, "off (the service does not use SMTP AUTH)");
		else
			buf_puts(&b, "as the server requires");
		size_t i;
		const json_t *m;
		json_array_foreach(json_object_get(set, "mechanisms"), i, m)
			if (json_is_string(m))
				buf_printf(&b, "%s%s", i ? ", " : "; methods offered: ", json_string_value(m));
		return buf_steal(&b);
	}
	if (strcmp(key, "user") == 0)
		return xstrdup(profile_str(set, "user_rule") ? profile_str(set, "user_rule") : "the mailbox's login name");
	if (strcmp(key, "password") == 0)
		return xstrdup("the password, app password or key that belongs to the login above (see the user rule)");
	if (strcmp(key, "from") == 0)
		return xstrdup(profile_str(set, "from_rule") ? profile_str(set, "from_rule") : "an address the login may send as");
	if (strcmp(key, "ehlo_name") == 0)
		return xstrdup("a real host name for the device (letters, digits, '-' and dots; no spaces or underscores)");
	if (strcmp(key, "dns") == 0)
		return host ? xasprintf("a working DNS server that resolves %s", host)
			    : xstrdup("a working DNS server that resolves your mail server's name");
	if (strcmp(key, "clock") == 0)
		return xstrdup("the correct date, time and time zone (NTP on)");
	if (strcmp(key, "max_size") == 0) {
		long long max = profile_int(set, "max_size_bytes", 0);
		char human[32];
		if (max > 0) {
			text_human_size(human, sizeof(human), max);
			return xasprintf("below %s (%lld bytes) for the whole encoded message; base64 makes a scan about a third "
					 "bigger", human, max);
		}
		return xstrdup("not published: read SIZE from the server's EHLO reply (mfpdoctor smtp shows it) and keep "
			       "the device's e-mail size limit below it");
	}
	if (strcmp(key, "firmware") == 0)
		return xstrdup("the latest firmware for the model (TLS 1.2 or newer, current login methods)");
	if (strcmp(key, "certificate") == 0)
		return xstrdup("server certificate verification on, with the issuing root CA installed on the device");
	return xstrdup("");
}

static bool applies(const json_t *item, const char *fid)
{
	const json_t *fs = json_object_get(item, "families");
	size_t i;
	const json_t *f;
	if (!fid || !json_array_size(fs))
		return true;
	json_array_foreach(fs, i, f)
		if (json_is_string(f) && (strcmp(json_string_value(f), "*") == 0 || strcmp(json_string_value(f), fid) == 0))
			return true;
	return false;
}

static char *family_names(const json_t *vendor, const json_t *item)
{
	const json_t *fs = json_object_get(item, "families");
	struct buf b = {0};
	size_t i, k;
	const json_t *f, *fam;
	json_array_foreach(fs, i, f) {
		const char *id = json_string_value(f);
		const char *name = id;
		if (!id)
			continue;
		if (strcmp(id, "*") == 0)
			name = "all";
		json_array_foreach(json_object_get(vendor, "families"), k, fam)
			if (profile_str(fam, "id") && strcmp(profile_str(fam, "id"), id) == 0 && profile_str(fam, "name"))
				name = profile_str(fam, "name");
		buf_printf(&b, "%s%s", b.len ? ", " : "", name);
	}
	return b.len ? buf_steal(&b) : xstrdup("all");
}

/* Offline check that needs no device: the family's TLS ceiling against the service's floor. */
static void judge_tls(struct checklist_item *it, const json_t *family, const json_t *set)
{
	const char *max = profile_str(family, "tls_max");
	int need = tls_num(profile_str(set, "tls_min")), have = tls_num(max);
	if (!family || !max)
		return;
	if (strcmp(max, "none") == 0)
		it->observed = xstrdup("the family's e-mail client has no TLS (vendor profile)");
	else if (have)
		it->observed = xasprintf("the family's e-mail client offers at most TLS %s (vendor profile%s)", max,
					 profile_str(family, "tls_max_source") && strstr(profile_str(family, "tls_max_source"), "not confirmed")
						 ? ", not confirmed" : "");
	else
		return;
	if (need && (have ? have < need : true)) {
		it->status = CHECK_FAIL;
		free(it->fix);
		it->fix = xasprintf("Update the firmware to a release with TLS %s or newer; if none exists, send through "
				    "a relay that accepts the device's TLS version and forwards with TLS %s.",
				    profile_str(set, "tls_min"), profile_str(set, "tls_min"));
	} else if (need && have >= need)
		it->status = CHECK_OK;
}

static void device_items(struct checklist *c, const json_t *vendor, const json_t *family, const json_t *set)
{
	const char *fid = profile_str(family, "id");
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		size_t before = c->n, i;
		const json_t *e;
		char *expected = expected_for(keys[k].key, set, c->service_name);
		json_array_foreach(json_object_get(vendor, "checklist"), i, e) {
			const char *s = profile_str(e, "setting");
			if (!s || strcmp(s, keys[k].key) != 0 || !applies(e, fid))
				continue;
			struct checklist_item *it = add_item(c);
			it->setting = xstrdup(keys[k].key);
			it->side = xstrdup("device");
			it->where = xstrdup(profile_str(e, "where"));
			it->label = xstrdup(profile_str(e, "label"));
			it->expected = xstrdup(expected);
			it->why = profile_str(e, "notes") && *profile_str(e, "notes")
					  ? xasprintf("%s %s", keys[k].why, profile_str(e, "notes")) : xstrdup(keys[k].why);
			it->families = family_names(vendor, e);
			it->confidence = xstrdup(profile_str(e, "confidence") ? profile_str(e, "confidence") : "sourced");
			it->fix = xasprintf("Set '%s' to: %s", it->label ? it->label : keys[k].key, expected);
			profile_strings(e, "sources", &it->sources);
		}
		if (c->n == before) {
			struct checklist_item *it = add_item(c);
			it->setting = xstrdup(keys[k].key);
			it->side = xstrdup("device");
			it->expected = xstrdup(expected);
			it->why = xstrdup(keys[k].why);
			it->confidence = xstrdup("unverified");
			it->fix = xasprintf("Find this setting in the device's e-mail/SMTP or network menus and set it to: %s",
					    expected);
		}
		if (strcmp(keys[k].key, "tls_version") == 0)
			for (size_t j = before; j < c->n; j++)
				judge_tls(&c->v[j], family, set);
		free(expected);
	}
}

static void service_items(struct checklist *c, const json_t *service)
{
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(service, "checklist"), i, e) {
		struct checklist_item *it = add_item(c);
		it->setting = xstrdup(profile_str(e, "id") ? profile_str(e, "id") : "service");
		it->side = xstrdup("service");
		it->where = xstrdup(profile_str(e, "where"));
		it->label = xstrdup(profile_str(e, "title"));
		it->expected = xstrdup(profile_str(e, "value"));
		it->why = xstrdup(profile_str(e, "why"));
		it->confidence = xstrdup("sourced");
		it->fix = it->where && it->expected ? xasprintf("In %s, set: %s", it->where, it->expected) : NULL;
		profile_strings(e, "sources", &it->sources);
	}
	json_array_foreach(json_object_get(service, "deprecations"), i, e) {
		c->d = xrealloc(c->d, (c->nd + 1) * sizeof(*c->d));
		struct checklist_deadline *d = &c->d[c->nd++];
		memset(d, 0, sizeof(*d));
		d->id = xstrdup(profile_str(e, "id"));
		d->what = xstrdup(profile_str(e, "what"));
		d->date = xstrdup(profile_str(e, "date"));
		d->detail = xstrdup(profile_str(e, "detail"));
		profile_strings(e, "sources", &d->sources);
	}
}

/* Host names compare without case and without a trailing dot. */
static bool same_host(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	na -= na && a[na - 1] == '.';
	nb -= nb && b[nb - 1] == '.';
	return na == nb && strncasecmp(a, b, na) == 0;
}

/* The host is the recommended one or matches one of the service's host patterns. */
static bool service_host(const struct checklist *c, const char *host)
{
	if (same_host(host, c->service_host))
		return true;
	for (size_t i = 0; i < c->service_hosts.n; i++) {
		regex_t re;
		if (regcomp(&re, c->service_hosts.v[i], REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
			continue;
		bool m = regexec(&re, host, 0, NULL, 0) == 0;
		regfree(&re);
		if (m)
			return true;
	}
	return false;
}

void checklist_judge_host(struct checklist *c)
{
	for (size_t i = 0; c->service_host && i < c->n; i++) {
		struct checklist_item *it = &c->v[i];
		if (strcmp(it->side, "device") != 0 || strcmp(it->setting, "smtp_host") != 0 || it->status != CHECK_OK ||
		    !it->observed || service_host(c, it->observed))
			continue;
		char *host = it->observed;
		it->observed = xasprintf("%s — differs from recommended: %s", host, c->service_host);
		it->status = CHECK_WARN;
		free(it->fix);
		it->fix = xasprintf("Works, but set '%s' to %s: the name %s publishes and issues its certificate for.",
				    it->label ? it->label : "SMTP server", c->service_host,
				    c->service_name ? c->service_name : "the mail service");
		free(host);
	}
}

void checklist_build(const json_t *vendor, const json_t *family, const json_t *service, const char *today,
		     struct checklist *out)
{
	memset(out, 0, sizeof(*out));
	const json_t *set = json_object_get(service, "settings");
	out->vendor_id = xstrdup(profile_str(vendor, "id"));
	out->vendor_name = xstrdup(profile_str(vendor, "vendor") ? profile_str(vendor, "vendor") : profile_str(vendor, "id"));
	out->family_id = xstrdup(profile_str(family, "id"));
	out->family_name = xstrdup(profile_str(family, "name"));
	out->service_id = xstrdup(profile_str(service, "id"));
	out->service_name = xstrdup(profile_str(service, "name") ? profile_str(service, "name") : profile_str(service, "id"));
	out->service_host = xstrdup(profile_str(set, "host"));
	profile_strings(json_object_get(service, "recognise"), "hosts", &out->service_hosts);
	device_items(out, vendor, family, set);
	service_items(out, service);
	for (size_t i = 0; i < out->nd; i++)
		out->d[i].past = today && out->d[i].date && strcmp(out->d[i].date, today) < 0;
	profile_strings(set, "notes", &out->notes);
	if (profile_str(set, "max_size_source"))
		strlist_add_owned(&out->notes, xasprintf("Size limit: %s", profile_str(set, "max_size_source")));
}

void checklist_free(struct checklist *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct checklist_item *it = &c->v[i];
		free(it->setting);
		free(it->side);
		free(it->where);
		free(it->label);
		free(it->expected);
		free(it->observed);
		free(it->fix);
		free(it->why);
		free(it->families);
		free(it->confidence);
		strlist_free(&it->sources);
	}
	for (size_t i = 0; i < c->nd; i++) {
		free(c->d[i].id);
		free(c->d[i].what);
		free(c->d[i].date);
		free(c->d[i].detail);
		strlist_free(&c->d[i].sources);
	}
	free(c->v);
	free(c->d);
	free(c->vendor_id);
	free(c->vendor_name);
	free(c->family_id);
	free(c->family_name);
	free(c->service_id);
	free(c->service_name);
	strlist_free(&c->notes);
	free(c->service_host);
	strlist_free(&c->service_hosts);
	memset(c, 0, sizeof(*c));
}
