/* diagnose/rules.c — the diagnosis rules: each a small function reading the device facts, the
 * test send's result and the knowledge base, adding findings. No I/O. The SMTP-level traps
 * (smtp/rules.c) are already in dg->smtp.findings; these rules add what needs the device's
 * own settings, its events or the mail service's requirements. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diagnose/diagnose.h"
#include "profile/profile.h"
#include "util/text.h"

static bool has(const struct diagnosis *dg, const char *id)
{
	return findings_get(&dg->findings, id) != NULL;
}

static const json_t *service(const struct diagnosis *dg)
{
	return dg->service_id ? kb_service_json(dg->service_id) : NULL;
}

static const json_t *service_settings(const struct diagnosis *dg)
{
	return json_object_get(service(dg), "settings");
}

static bool is_service(const struct diagnosis *dg, const char *id)
{
	return dg->service_id && strcmp(dg->service_id, id) == 0;
}

static const struct smtp_reply *fail_reply(const struct diagnosis *dg)
{
	return diagnose_tested(dg) && !dg->smtp.ok && dg->smtp.fail_reply.complete ? &dg->smtp.fail_reply : NULL;
}

static bool reply_is(const struct smtp_reply *r, int code, const char *enh)
{
	return r && (!code || r->code == code) && (!enh || strcmp(r->enhanced, enh) == 0);
}

static bool reply_has(const struct smtp_reply *r, const char *text)
{
	return r && strcasestr(buf_str(&r->lines), text) != NULL;
}

static const char *setting_source(const struct diagnosis *dg, const char *name)
{
	for (size_t i = 0; i < dg->nsettings; i++)
		if (strcmp(dg->settings[i].name, name) == 0)
			return dg->settings[i].source;
	return "unknown";
}

static bool is_ip(const char *h)
{
	unsigned char b[16];
	return h && (inet_pton(AF_INET, h, b) == 1 || inet_pton(AF_INET6, h, b) == 1);
}

static void add(struct diagnosis *dg, const char *id, enum severity sev, const char *title, const char *evidence,
		const char *fix, const char *source)
{
	const char *src[] = {source, NULL};
	findings_add(&dg->findings, id, sev, title, evidence, fix, source ? src : NULL);
}

/* The device did not answer SNMP at all (cmd_diagnose sets snmp.no_answer with what was tried):
 * the first thing the helpdesk must know, since everything else the device says is missing. */
static void rule_snmp_no_answer(struct diagnosis *dg)
{
	const char *tried = device_value(&dg->dev, "snmp.no_answer");
	if (!tried)
		return;
	struct buf ev = {0};
	buf_printf(&ev, "%s", tried);
	for (size_t i = 0; i < dg->dev.notes.n; i++)
		if (strncmp(dg->dev.notes.v[i], "SNMP: no ", 9) == 0 || strncmp(dg->dev.notes.v[i], "SNMP: an agent", 14) == 0)
			buf_printf(&ev, " %c%s.", toupper((unsigned char)dg->dev.notes.v[i][6]), dg->dev.notes.v[i] + 7);
	/* with the mail settings known from elsewhere (web pages, the command line) it is a note */
	enum severity sev = dg->req.server && dg->test_ran ? SEV_INFO : SEV_WARN;
	struct finding *f = findings_add(&dg->findings, "snmp-no-answer", sev,
		"The printer does not answer SNMP: its settings and logged errors were not read", buf_str(&ev),
		"Check on the printer that SNMP is enabled (its web page, network or SNMP settings) and that it accepts "
		"this read community (--community-file) or SNMPv3 user (--snmp-user); check that no firewall drops UDP port "
		"161 between this host and the printer; or give --server and --port (and --tls) to test the mail side anyway.",
		NULL);
	f->rank = 2;
	buf_free(&ev);
}

static void rule_no_server(struct diagnosis *dg)
{
	if (dg->req.server)
		return;
	add(dg, "smtp-server-unknown", SEV_WARN, "The device's SMTP server is not known, so no test send could run",
	    "Neither SNMP nor the web pages gave the SMTP server setting (see the notes).",
	    "Look up the SMTP server in the device's web page or panel and run again with --server (and --port, --tls).",
	    NULL);
}

static void rule_ip_needs_name(struct diagnosis *dg)
{
	if (!is_ip(dg->req.server))
		return;
	const json_t *st = service_settings(dg);
	bool needs = json_is_true(json_object_get(st, "name_not_ip"));
	if (!needs && !has(dg, "cert-name-mismatch"))
		return;
	char title[300], ev[400];
	snprintf(title, sizeof(title), "The device uses an IP address (%s) where %s needs the server's name",
		 dg->req.server, dg->service_name ? dg->service_name : "the certificate");
	snprintf(ev, sizeof(ev), "SMTP server set to %s (%s).%s", dg->req.server, setting_source(dg, "server"),
		 has(dg, "cert-name-mismatch") ? " The server's certificate does not name this address." : "");
	const char *host = profile_str(st, "host");
	char fix[300];
	snprintf(fix, sizeof(fix), "Enter the server by name%s%s%s: certificates name hosts, not addresses.",
		 host ? " (" : "", host ? host : "", host ? ")" : "");
	add(dg, "ip-instead-of-name", SEV_FAIL, title, ev, fix, NULL);
}

static void rule_port_mode(struct diagnosis *dg)
{
	const struct smtp_request *q = &dg->req;
	if (!q->server || has(dg, "port-expects-implicit-tls") || has(dg, "port-expects-starttls"))
		return;
	char title[300], ev[300];
	if (q->port == 465 && (q->tls == TLS_STARTTLS || q->tls == TLS_NONE)) {
		snprintf(title, sizeof(title), "Port 465 expects SSL/TLS, but the device is set to %s",
			 q->tls == TLS_NONE ? "no encryption" : "STARTTLS");
		snprintf(ev, sizeof(ev), "Port: 465 (%s); security: %s (%s).", setting_source(dg, "port"),
			 tls_mode_name(q->tls), setting_source(dg, "tls"));
		add(dg, "port-mode-mismatch", SEV_FAIL, title, ev,
		    "Set the connection security to SSL/TLS for port 465, or use port 587 with STARTTLS.",
		    "RFC 8314 (implicit TLS on 465) https://www.rfc-editor.org/rfc/rfc8314");
	} else if ((q->port == 587 || q->port == 25) && q->tls == TLS_IMPLICIT) {
		snprintf(title, sizeof(title), "Port %ld expects STARTTLS; the device is set to SSL/TLS", q->port);
		snprintf(ev, sizeof(ev), "Port: %ld (%s); security: implicit TLS (%s).", q->port, setting_source(dg, "port"),
			 setting_source(dg, "tls"));
		add(dg, "port-mode-mismatch", SEV_FAIL, title, ev,
		    "Set the connection security to STARTTLS for this port, or use port 465 with SSL/TLS if the service offers it.",
		    "RFC 3207 (STARTTLS) https://www.rfc-editor.org/rfc/rfc3207");
	}
}

static void rule_tls_floor(struct diagnosis *dg)
{
	const char *floor = profile_str(service_settings(dg), "tls_min");
	int need = floor ? (floor[0] == '1' && floor[2] ? 10 + (floor[2] - '0') : 0) : 0;
	if (!need || !dg->req.tls_max || dg->req.tls_max >= need || has(dg, "tls-version-too-old"))
		return;
	char title[300], ev[300];
	snprintf(title, sizeof(title), "The device's TLS ceiling (TLS %s) is below what %s requires (TLS %s)",
		 tls_version_name(dg->req.tls_max), dg->service_name, floor);
	snprintf(ev, sizeof(ev), "Device TLS ceiling: %s (%s).", tls_version_name(dg->req.tls_max), setting_source(dg, "tls_max"));
	add(dg, "tls-ceiling-below-floor", SEV_FAIL, title, ev,
	    "Update the device's firmware and enable TLS 1.2; if the model cannot, relay through a local server that "
	    "accepts the device and speaks TLS 1.2 to the service.", NULL);
}

static void rule_clock(struct diagnosis *dg)
{
	if (!dg->dev.clock_known)
		return;
	long s = labs(dg->dev.clock_skew_s);
	if (s < 300)
		return;
	char title[200], ev[200];
	snprintf(title, sizeof(title), "The device's clock is %s by %ld %s", dg->dev.clock_skew_s > 0 ? "ahead" : "behind",
		 s >= 86400 ? s / 86400 : s >= 3600 ? s / 3600 : s / 60, s >= 86400 ? "days" : s >= 3600 ? "hours" : "minutes");
	snprintf(ev, sizeof(ev), "Device clock %s (%s); difference %ld s from this machine.",
		 device_value(&dg->dev, "status.clock") ? device_value(&dg->dev, "status.clock") : "?", "hrSystemDate", dg->dev.clock_skew_s);
	add(dg, "clock-skew", s >= 86400 ? SEV_FAIL : SEV_WARN, title, ev,
	    "Set the device's date and time, preferably from an NTP server: with a wrong clock it rejects valid "
	    "certificates as not yet valid or expired.", NULL);
}

static void rule_auth_required(struct diagnosis *dg)
{
	const struct smtp_reply *r = fail_reply(dg);
	if (!r || dg->smtp.failed_stage != STAGE_MAIL_FROM || r->code != 530 || dg->req.auth != AUTH_NONE)
		return;
	char ev[600];
	snprintf(ev, sizeof(ev), "Device authentication: none (%s). Server reply to MAIL FROM: %s", setting_source(dg, "auth"),
		 buf_str(&r->lines));
	add(dg, "auth-required-not-sent", SEV_FAIL, "The server requires a login, but the device does not send one", ev,
	    "Turn on SMTP authentication in the device with the mailbox's user name and password (and STARTTLS on "
	    "port 587), or ask the mail administrator for a relay that accepts the device by its IP address.",
	    "RFC 4954 §6 (530 Authentication required)");
}

static void rule_credentials(struct diagnosis *dg)
{
	const struct smtp_reply *r = fail_reply(dg);
	if (!r || dg->smtp.failed_stage != STAGE_AUTH || (r->code != 535 && r->code != 534))
		return;
	if (reply_is(r, 0, "5.7.139")) {
		bool secdef = reply_has(r, "security defaults");
		add(dg, secdef ? "m365-security-defaults" : "m365-smtp-auth-disabled", SEV_FAIL,
		    secdef ? "Microsoft 365 security defaults block this mailbox's SMTP login"
			   : "Microsoft 365 has authenticated SMTP turned off for this tenant or mailbox",
		    buf_str(&r->lines),
		    secdef ? "Security defaults block basic SMTP AUTH: use OAuth, an SMTP relay connector or direct send, or "
			     "replace security defaults with Conditional Access that excludes a dedicated scanner account."
			   : "A Microsoft 365 administrator enables Authenticated SMTP for the scanner mailbox (admin center > "
			     "Users > Active users > mailbox > Mail > Manage email apps) and checks the organisation setting "
			     "(Get-TransportConfig SmtpClientAuthenticationDisabled).",
		    "https://aka.ms/smtp_auth_disabled");
		return;
	}
	if (is_service(dg, "google") && (reply_is(r, 534, "5.7.9") || reply_is(r, 535, "5.7.8"))) {
		add(dg, "gmail-app-password", SEV_FAIL, "Google refuses the account's normal password: the device needs an app password",
		    buf_str(&r->lines),
		    "Turn on 2-Step Verification for the account, create a 16-character App Password and enter it on the "
		    "device without spaces (a Workspace admin must allow app passwords), or use smtp-relay.gmail.com with "
		    "the device's IP address registered.", "https://support.google.com/mail/?p=InvalidSecondFactor");
		return;
	}
	/* only a credentials rejection blames the login and password (RFC 4954 535; 5.7.8 in the
	 * IANA registry, 5.7.3 at Microsoft); other refusals keep the explained generic finding */
	if (r->code != 535 || !(reply_is(r, 0, "") || reply_is(r, 0, "5.7.8") || reply_is(r, 0, "5.7.3")))
		return;
	char ev[600];
	snprintf(ev, sizeof(ev), "User: %s (%s). Server reply: %s", dg->req.user ? dg->req.user : "?",
		 setting_source(dg, "user"), buf_str(&r->lines));
	add(dg, "credentials-rejected", SEV_FAIL, "The server rejected the device's user name or password", ev,
	    "Re-enter the full e-mail address as the user name and the current password on the device (some firmware "
	    "mangles special characters: try a password without them); check the account is not locked and that "
	    "this mailbox may use SMTP.", "RFC 4954 §6 (535 Authentication credentials invalid)");
}

static void rule_basic_auth_retirement(struct diagnosis *dg)
{
	if (!is_service(dg, "office365") || dg->req.auth == AUTH_NONE || dg->req.auth == AUTH_XOAUTH2)
		return;
	const json_t *deps = json_object_get(service(dg), "deprecations");
	size_t i;
	const json_t *d;
	json_array_foreach(deps, i, d) {
		const char *id = profile_str(d, "id");
		if (!id || !strstr(id, "basic"))
			continue;
		char ev[800];
		snprintf(ev, sizeof(ev), "The device logs in with a password (%s) to %s. %s (%s)", auth_mode_name(dg->req.auth),
			 dg->service_name, profile_str(d, "detail") ? profile_str(d, "detail") : "", profile_str(d, "date") ? profile_str(d, "date") : "");
		const json_t *srcs = json_object_get(d, "sources");
		add(dg, "m365-basic-auth-retirement", SEV_WARN,
		    "Microsoft is retiring password (Basic) login for SMTP: it is off by default for existing tenants from the end of December 2026",
		    ev, "Plan the move now: OAuth 2.0 if the firmware supports it, an SMTP relay connector, direct send for "
			"internal recipients, or a local relay. An administrator can re-enable Basic SMTP AUTH for a while.",
		    json_is_string(json_array_get(srcs, 0)) ? json_string_value(json_array_get(srcs, 0)) : NULL);
		return;
	}
}

static void rule_from_vs_login(struct diagnosis *dg)
{
	const struct smtp_request *q = &dg->req;
	const struct smtp_reply *r = fail_reply(dg);
	bool sendas = r && (reply_is(r, 0, "5.7.60") || reply_has(r, "SendAsDenied"));
	bool differs = q->user && q->from && strchr(q->user, '@') && strcasecmp(q->user, q->from) != 0;
	if (!sendas && !(differs && (is_service(dg, "office365") || is_service(dg, "google") || is_service(dg, "yahoo") ||
				     is_service(dg, "zoho"))))
		return;
	char ev[600];
	snprintf(ev, sizeof(ev), "From: %s (%s); login: %s (%s).%s%s", q->from, setting_source(dg, "from"),
		 q->user ? q->user : "?", setting_source(dg, "user"), sendas ? " Server reply: " : "",
		 sendas ? buf_str(&r->lines) : "");
	add(dg, "from-differs-from-login", sendas ? SEV_FAIL : SEV_WARN,
	    "The device's From address is not the mailbox it logs in with",
	    ev, "Set the device's From (sender) address to the login mailbox, or have the administrator grant that mailbox "
		"Send As permission on the From address (Microsoft 365: Add-RecipientPermission; it can take an hour).",
	    NULL);
}

static void rule_relay(struct diagnosis *dg)
{
	const struct smtp_reply *r = fail_reply(dg);
	if (!r || dg->smtp.failed_stage != STAGE_RCPT_TO)
		return;
	bool relay = reply_is(r, 0, "5.7.54") || reply_is(r, 0, "5.7.64") || reply_has(r, "relay") ||
		     (r->code == 554 && reply_is(r, 0, "5.7.1"));
	if (!relay)
		return;
	add(dg, "relay-denied", SEV_FAIL, "The server refuses to pass mail on to this recipient (relaying denied)",
	    buf_str(&r->lines),
	    "Log in (SMTP AUTH) so the server relays for the device, or have the administrator allow the device's IP "
	    "address to relay (Exchange: a receive connector with Ms-Exch-SMTP-Accept-Any-Recipient; Microsoft 365: an "
	    "inbound connector; Postfix: mynetworks). Internal recipients may work while external ones fail.",
	    "RFC 5321 §3.6.2 (relaying)");
}

static void rule_device_size(struct diagnosis *dg)
{
	const struct fact *f = device_get(&dg->dev, "smtp.max_size");
	const struct smtp_caps *c = dg->smtp.caps_after.seen ? &dg->smtp.caps_after : &dg->smtp.caps_before;
	if (!f || !c->size_present || c->size <= 0 || has(dg, "size-over-limit"))
		return;
	long long dev = atoll(f->value);
	if (dev <= c->size)
		return;
	char a[32], b[32], title[200], ev[300];
	text_human_size(a, sizeof(a), dev);
	text_human_size(b, sizeof(b), c->size);
	snprintf(title, sizeof(title), "The device may send messages up to %s; the server accepts %s", a, b);
	snprintf(ev, sizeof(ev), "Device maximum message size %s (%s); server SIZE %lld.", a,
		 f->where ? f->where : fact_source_name(f->source), c->size);
	add(dg, "device-size-above-server", SEV_WARN, title, ev,
	    "Set the device's maximum e-mail size (or \"split e-mail\") below the server's limit, remembering that "
	    "encoding adds about a third.", "RFC 1870 (SIZE)");
}

static void rule_sender_domain(struct diagnosis *dg)
{
	const char *v = device_value(&dg->dev, "dns.from_domain");
	if (!v || strcmp(v, "does not resolve") != 0)
		return;
	const char *at = dg->req.from ? strchr(dg->req.from, '@') : NULL;
	char title[300];
	snprintf(title, sizeof(title), "The sender's domain %s does not exist in DNS", at ? at + 1 : "?");
	add(dg, "sender-domain-unresolved", SEV_FAIL, title,
	    "A DNS lookup of the From address's domain (MX and A records) found nothing.",
	    "Use a From address in a real domain of the organisation (not a device default such as printer.local).",
	    "IANA X.1.8 (bad sender's system address)");
}

static void rule_rate(struct diagnosis *dg)
{
	const struct smtp_reply *r = fail_reply(dg);
	if (!r || r->code / 100 != 4)
		return;
	if (!(reply_is(r, 0, "4.3.2") || reply_is(r, 0, "4.7.0") || reply_has(r, "rate") || reply_has(r, "limit") ||
	      reply_has(r, "concurrent")))
		return;
	add(dg, "rate-limited", SEV_WARN, "The server is limiting how much or how often this account sends (temporary)",
	    buf_str(&r->lines),
	    "Wait and retry; if many devices share one mailbox, give each its own, or use a relay/connector meant for "
	    "volume (Microsoft 365 allows 30 messages a minute and 3 connections per mailbox).", NULL);
}

static void rule_direct_send(struct diagnosis *dg)
{
	const char *h = dg->req.server;
	if (!h || !strcasestr(h, "mail.protection.outlook.com") || !dg->req.from || dg->from_placeholder)
		return;
	const char *fd = strchr(dg->req.from, '@');
	for (size_t i = 0; fd && i < dg->req.nto; i++) {
		const char *td = strchr(dg->req.to[i], '@');
		if (td && strcasecmp(td, fd) != 0) {
			add(dg, "direct-send-internal-only", SEV_WARN,
			    "Direct send (the MX endpoint without login) only reaches the organisation's own mailboxes",
			    "The device sends to the Microsoft 365 MX endpoint without authenticating; recipient domains differ from the sender's.",
			    "For external recipients use authenticated SMTP (smtp.office365.com:587) or an SMTP relay connector.",
			    NULL);
			return;
		}
	}
}

static void rule_events(struct diagnosis *dg)
{
	for (size_t i = 0; i < dg->nevents; i++) {
		const struct diag_event *e = &dg->events[i];
		if (!e->note || !e->reproduced)
			continue;
		const struct device_event *de = &dg->dev.events[e->index];
		char title[300];
		if (strcmp(e->reproduced, "different-stage") == 0) {
			snprintf(title, sizeof(title), "The device's logged error %s points at %s, but the test failed at %s",
				 de->code ? de->code : "", stage_name(e->e.stage), stage_name(dg->smtp.failed_stage));
			add(dg, "event-stage-mismatch", SEV_WARN, title, e->note,
			    "Fix what the test shows first, then scan again; if the device still logs this code, the cause is "
			    "something the test cannot mirror (see the event's meaning).", NULL);
		}
	}
}

static void rule_conflicts(struct diagnosis *dg)
{
	for (size_t i = 0; i < dg->dev.nconflicts; i++) {
		const struct device_conflict *c = &dg->dev.conflicts[i];
		char title[200], ev[600];
		snprintf(title, sizeof(title), "Two sources disagree about %s", c->key);
		snprintf(ev, sizeof(ev), "%s says '%s'; %s says '%s'.", fact_source_name(c->source_a), c->value_a,
			 fact_source_name(c->source_b), c->value_b);
		add(dg, "source-conflict", SEV_INFO, title, ev,
		    c->source_b == FACT_USER ? "The test used the value given on the command line; change the device if that is the right one."
					     : "Check the device's settings page: the test used the first value.",
		    NULL);
	}
}

/* Settings the generic web reader guessed from labels (no profile knows the model): the test
 * mirrored them, so its verdict holds only if the guesses are right; say so. */
static void rule_guessed(struct diagnosis *dg)
{
	static const char *const keys[] = {"smtp.host", "smtp.port", "smtp.security", "smtp.auth", "smtp.user", "smtp.from"};
	struct buf b = {0};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct fact *f = device_get(&dg->dev, keys[i]);
		if (f && f->guessed)
			buf_printf(&b, "%s%s '%s' (%s)", b.len ? "; " : "", keys[i] + 5, f->value, f->where ? f->where : "");
	}
	if (b.len)
		add(dg, "settings-guessed", SEV_INFO, "Some device settings were guessed from its web page labels (no profile "
		    "knows this model)", buf_str(&b),
		    "Compare them with the device's own e-mail settings page or panel; if one is wrong, run again with "
		    "--server, --port, --tls, --auth, --user or --from (or --vendor when the vendor is known).", NULL);
	buf_free(&b);
}

static void rule_login_untested(struct diagnosis *dg)
{
	if (!dg->req.server || dg->req.auth == AUTH_NONE || dg->req.password || !dg->test_ran)
		return;
	add(dg, "login-not-tested", SEV_WARN, "The login was not tested: no SMTP password was given",
	    "The device logs in, but its password cannot be read from it; the test stopped before AUTH.",
	    "Run again with the mailbox password in MFPDOCTOR_SMTP_PASSWORD (or --password-file) to test the login, "
	    "the sender and the recipient as well.", NULL);
}

/* A device value that cannot be used as it is: reported with what to correct, never sent. */
static void rule_rejected_values(struct diagnosis *dg)
{
	for (size_t i = 0; i < dg->nrejected; i++) {
		const struct diag_rejected *x = &dg->rejected[i];
		bool host = strcmp(x->name, "server") == 0;
		char title[400], ev[800];
		snprintf(title, sizeof(title), host ? "The device's SMTP server is not a valid host name: %s"
						    : "The device's From address is not a valid address: %s", x->value);
		snprintf(ev, sizeof(ev), "%s (read from %s): %s. %s", host ? "SMTP server" : "From address",
			 x->where ? x->where : "the device", x->why,
			 host ? "No test send was made with it." : "It was not sent to the server: the test stopped before MAIL FROM.");
		add(dg, host ? "smtp-host-invalid" : "from-invalid", SEV_FAIL, title, ev,
		    host ? "On the device, enter the SMTP server as a plain host name or IP address (no spaces, no '/', no port)."
			 : "On the device, set the From (sender) address to one plain e-mail address such as scanner@example.com: "
			   "no spaces, no angle brackets, no name or other text around it.",
		    "RFC 5321 §4.1.2 (Mailbox syntax)");
	}
}

static void rule_sender_untested(struct diagnosis *dg)
{
	if (!dg->from_placeholder || !dg->test_ran || dg->nrejected)
		return;
	add(dg, "sender-not-tested", SEV_WARN, "The sender and the recipient were not tested: the device's From address is not known",
	    "Neither SNMP nor the web pages gave the device's From (sender) address; the test stopped before MAIL FROM "
	    "rather than send an address the device does not use.",
	    "Run again with --from set to the device's From address (and --to with a recipient) to test them as well.", NULL);
}

void diagnose_rules(struct diagnosis *dg)
{
	rule_snmp_no_answer(dg);
	rule_rejected_values(dg);
	rule_sender_untested(dg);
	rule_login_untested(dg);
	rule_no_server(dg);
	rule_ip_needs_name(dg);
	rule_port_mode(dg);
	rule_tls_floor(dg);
	rule_clock(dg);
	rule_auth_required(dg);
	rule_credentials(dg);
	rule_basic_auth_retirement(dg);
	rule_from_vs_login(dg);
	rule_relay(dg);
	rule_device_size(dg);
	rule_sender_domain(dg);
	rule_rate(dg);
	rule_direct_send(dg);
	rule_events(dg);
	rule_conflicts(dg);
	rule_guessed(dg);
}
