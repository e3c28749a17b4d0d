/* test_diagnose.c — the diagnosis rules and the mirroring of device settings into the test send,
 * on fabricated devices and scripted SMTP conversations (no network). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diagnose/address.h"
#include "diagnose/diagnose.h"
#include "diagnose/probe_dns.h"
#include "kb/vendor.h"
#include "smtp/message.h"
#include "smtp/session.h"
#include "script_smtp.h"

static struct diag_overrides no_overrides(void)
{
	struct diag_overrides o = {.tls = -1, .auth = -1, .stop_after = STAGE_LAST};
	return o;
}

static void xerox_device(struct diagnosis *dg)
{
	device_init(&dg->dev, "192.0.2.10");
	device_set(&dg->dev, "identity.vendor", "Xerox", FACT_SNMP, "sysObjectID");
	device_set(&dg->dev, "identity.vendor_id", "xerox", FACT_SNMP, "sysObjectID");
	device_set(&dg->dev, "identity.model", "AltaLink C8045", FACT_SNMP, "hrDeviceDescr");
	device_set(&dg->dev, "smtp.host", "smtp.office365.com", FACT_WEB, "/properties/smtp: Server");
	device_set(&dg->dev, "smtp.port", "465", FACT_WEB, "/properties/smtp: Port");
	device_set(&dg->dev, "smtp.security", "starttls", FACT_WEB, "/properties/smtp: Encryption");
	device_set(&dg->dev, "smtp.auth", "login", FACT_WEB, "/properties/smtp: Authentication");
	device_set(&dg->dev, "smtp.user", "scanner@contoso.com", FACT_WEB, "/properties/smtp: Login");
	device_set(&dg->dev, "smtp.from", "xerox@contoso.com", FACT_WEB, "/properties/smtp: Device e-mail");
	device_set(&dg->dev, "identity.hostname", "xrx-3rdfloor.contoso.com", FACT_SNMP, "sysName");
	dg->vendor_id = "xerox";
	dg->service_id = "office365";
	dg->service_name = "Microsoft 365 / Exchange Online";
}

static bool has(const struct diagnosis *dg, const char *id)
{
	return findings_get(&dg->findings, id) != NULL;
}

static const char *setting(const struct diagnosis *dg, const char *name, const char **source)
{
	for (size_t i = 0; i < dg->nsettings; i++)
		if (strcmp(dg->settings[i].name, name) == 0) {
			if (source)
				*source = dg->settings[i].source;
			return dg->settings[i].value;
		}
	return NULL;
}

/* The one failed checklist item as "side:setting" ("" when none, "several" when more). */
static const char *only_failed(const struct diagnosis *dg)
{
	static char out[128];
	int n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < dg->checklist.n; i++)
		if (dg->checklist.v[i].status == CHECK_FAIL && n++ == 0)
			snprintf(out, sizeof(out), "%s:%s", dg->checklist.v[i].side, dg->checklist.v[i].setting);
	return n > 1 ? "several" : out;
}

static enum checklist_status item_status(const struct diagnosis *dg, const char *side, const char *setting)
{
	for (size_t i = 0; i < dg->checklist.n; i++)
		if (strcmp(dg->checklist.v[i].side, side) == 0 && strcmp(dg->checklist.v[i].setting, setting) == 0)
			return dg->checklist.v[i].status;
	return (enum checklist_status)-1;
}

static void mirror_takes_device_settings(void **state)
{
	(void)state;
	struct diagnosis dg = {0};
	xerox_device(&dg);
	struct diag_overrides o = no_overrides();
	diagnose_mirror(&dg, &o, "pw");
	assert_string_equal(dg.req.server, "smtp.office365.com");
	assert_int_equal(dg.req.port, 465);
	assert_int_equal(dg.req.tls, TLS_STARTTLS);
	assert_int_equal(dg.req.auth, AUTH_LOGIN);
	assert_string_equal(dg.req.user, "scanner@contoso.com");
	assert_string_equal(dg.req.from, "xerox@contoso.com");
	assert_string_equal(dg.req.ehlo, "xrx-3rdfloor.contoso.com");
	assert_int_equal(dg.req.stop_after, STAGE_RCPT_TO);
	const char *src = NULL;
	assert_string_equal(setting(&dg, "port", &src), "465");
	assert_non_null(strstr(src, "web"));
	diagnosis_free(&dg);
}

static void mirror_overrides_and_no_password(void **state)
{
	(void)state;
	struct diagnosis dg = {0};
	xerox_device(&dg);
	struct diag_overrides o = no_overrides();
	o.port = 587;
	diagnose_mirror(&dg, &o, NULL);
	assert_int_equal(dg.req.port, 587);
	const char *src = NULL;
	setting(&dg, "port", &src);
	assert_string_equal(src, "--port");
	assert_int_equal(dg.dev.nconflicts, 1); /* the device says 465 */
	assert_int_equal(dg.req.stop_after, STAGE_AUTH); /* no password: stop before the login */
	diagnosis_free(&dg);
}

static void mirror_without_server(void **state)
{
	(void)state;
	struct diagnosis dg = {0};
	device_init(&dg.dev, "192.0.2.11");
	struct diag_overrides o = no_overrides();
	diagnose_mirror(&dg, &o, NULL);
	assert_non_null(dg.test_skipped);
	diagnose_conclude(&dg, "2026-11-28");
	assert_true(has(&dg, "smtp-server-unknown"));
	assert_int_equal(dg.status, MFP_EXIT_UNKNOWN);
	diagnosis_free(&dg);
}

static void port_mode_and_retirement(void **state)
{
	(void)state;
	struct diagnosis dg = {0};
	xerox_device(&dg);
	struct diag_overrides o = no_overrides();
	diagnose_mirror(&dg, &o, "pw");
	static const char *const conv[] = {NULL};
	script(&dg, conv);
	dg.smtp.ok = false; /* no banner: the probe would fail at banner */
	dg.smtp.failed_stage = STAGE_BANNER;
	diagnose_conclude(&dg, "2026-11-28");
	assert_true(has(&dg, "port-mode-mismatch"));
	assert_true(has(&dg, "m365-basic-auth-retirement"));
	assert_true(has(&dg, "from-differs-from-login"));
	assert_int_equal(dg.status, MFP_EXIT_CRITICAL);
	assert_int_equal(dg.findings.v[0].sev, SEV_FAIL);
	diagnosis_free(&dg);
}

static void tenant_auth_disabled_and_event_reproduced(void **state)
{
	(void)state;
	struct diagnosis dg = {0};
	xerox_device(&dg);
	device_set(&dg.dev, "smtp.port", "587", FACT_USER, "--port");
	device_add_event(&dg.dev, EV_WEB_JOBLOG, NULL, "SMTP error: 535 5.7.139 Authentication unsuccessful", "2026-11-28 09:12",
			 "/jobhistory");
	struct diag_overrides o = no_overrides();
	diagnose_mirror(&dg, &o, "pw");
	diagnose_explain_events(&dg);
	assert_true(dg.events[0].explained);
	assert_int_equal(dg.events[0].e.stage, STAGE_AUTH);
	static const char *const conv[] = {
		"<220 x.outlook.office365.com Microsoft ESMTP MAIL Service ready\r\n", ">EHLO xrx\r\n",
		"<250-x\r\n<250 STARTTLS\r\n", ">STARTTLS\r\n", "<220 2.0.0 SMTP server ready\r\n", ">EHLO xrx\r\n",
		"<250-x\r\n<250 AUTH LOGIN XOAUTH2\r\n", ">AUTH LOGIN eA==\r\n",
		"<535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.\r\n", NULL};
	script(&dg, conv);
	diagnose_conclude(&dg, "2026-11-28");
	assert_true(has(&dg, "m365-smtp-auth-disabled"));
	assert_string_equal(dg.events[0].reproduced, "yes");
	assert_int_equal(dg.status, MFP_EXIT_CRITICAL);
	/* the tenant turned SMTP AUTH off: the checklist blames the tenant setting, and only that */
	assert_true(dg.have_checklist);
	assert_int_equal(item_status(&dg, "service", "m365-smtp-auth-tenant"), CHECK_FAIL);
	assert_int_equal(item_status(&dg, "service", "m365-smtp-auth-enabled"), CHECK_UNKNOWN);
	assert_int_equal(item_status(&dg, "device", "user"), CHECK_UNKNOWN);
	assert_int_equal(item_status(&dg, "device", "password"), CHECK_UNKNOWN);
	for (size_t i = 0; i < dg.checklist.n; i++) /* the From differs from the login: the only other blame */
		if (dg.checklist.v[i].status == CHECK_FAIL && strcmp(dg.checklist.v[i].side, "device") == 0)
			assert_string_equal(dg.checklist.v[i].setting, "from");
	diagnosis_free(&dg);
}

static void auth_required_and_relay(void **state)
{
	(void)state;
	struct diagnosis dg = {0};
	device_init(&dg.dev, "192.0.2.12");
	device_set(&dg.dev, "smtp.host", "mail.example.net", FACT_SNMP, "1.3.6.1.4.1.2435.x");
	device_set(&dg.dev, "smtp.port", "25", FACT_SNMP, "1.3.6.1.4.1.2435.y");
	device_set(&dg.dev, "smtp.from", "mfp@example.net", FACT_SNMP, "1.3.6.1.4.1.2435.z");
	struct diag_overrides o = no_overrides();
	diagnose_mirror(&dg, &o, NULL);
	assert_int_equal(dg.req.auth, AUTH_NONE);
	static const char *const conv[] = {"<220 mail ESMTP\r\n", ">EHLO brn\r\n", "<250 mail\r\n",
					   ">MAIL FROM:<mfp@example.net>\r\n", "<530 5.7.0 Authentication required\r\n", NULL};
	script(&dg, conv);
	diagnose_conclude(&dg, "2026-11-28");
	assert_true(has(&dg, "auth-required-not-sent"));
	diagnosis_free(&dg);

	memset(&dg, 0, sizeof(dg));
	device_init(&dg.dev, "192.0.2.12");
	device_set(&dg.dev, "smtp.host", "mail.example.net", FACT_SNMP, "x");
	device_set(&dg.dev, "smtp.from", "mfp@example.net", FACT_SNMP, "z");
	diagnose_mirror(&dg, &o, NULL);
	static const char *const conv2[] = {"<220 mail ESMTP\r\n", ">EHLO brn\r\n", "<250 mail\r\n",
					    ">MAIL FROM:<mfp@example.net>\r\n", "<250 ok\r\n", ">RCPT TO:<a@external.example>\r\n",
					    "<554 5.7.1 <a@external.example>: Relay access denied\r\n", NULL};
	script(&dg, conv2);
	diagnose_conclude(&dg, "2026-11-28");
	assert_true(has(&dg, "relay-denied"));
	diagnosis_free(&dg);
}

static void clock_tls_floor_and_conflicts(void **state)
{
	(void)state;
	struct diagnosis dg = {0};
	xerox_device(&dg);
	device_set(&dg.dev, "smtp.tls_max", "1.0", FACT_WEB, "/properties/security: TLS");
	device_set(&dg.dev, "smtp.port", "25", FACT_SNMP, "oid"); /* web said 465: a conflict */
	dg.dev.clock_known = true;
	dg.dev.clock_skew_s = -3 * 86400;
	struct diag_overrides o = no_overrides();
	o.no_test = true;
	diagnose_mirror(&dg, &o, "pw");
	assert_int_equal(dg.req.tls_max, 10);
	diagnose_conclude(&dg, "2026-11-28");
	assert_true(has(&dg, "tls-ceiling-below-floor"));
	assert_true(has(&dg, "clock-skew"));
	assert_true(has(&dg, "source-conflict"));
	diagnosis_free(&dg);
}

/* A device sending to server with the given reply at stage; returns the diagnosis concluded. */
static void conclude_with(struct diagnosis *dg, const char *server, const char *const *conv, const char *from,
			  const char *user)
{
	device_init(&dg->dev, "192.0.2.20");
	device_set(&dg->dev, "smtp.host", server, FACT_WEB, "page");
	device_set(&dg->dev, "smtp.port", "587", FACT_WEB, "page");
	device_set(&dg->dev, "smtp.from", from, FACT_WEB, "page");
	if (user) {
		device_set(&dg->dev, "smtp.user", user, FACT_WEB, "page");
		device_set(&dg->dev, "smtp.auth", "login", FACT_WEB, "page");
	}
	struct diag_overrides o = no_overrides();
	static const char *const to_ext[] = {"boss@partner.example"};
	if (strstr(server, "mail.protection.outlook.com")) {
		o.to = to_ext;
		o.nto = 1;
	}
	diagnose_mirror(dg, &o, "pw");
	if (conv)
		script(dg, conv);
	diagnose_conclude(dg, "2026-11-28");
}

static void more_rules(void **state)
{
	(void)state;
	struct diagnosis dg;

	/* an IP address where Microsoft 365 needs the name */
	memset(&dg, 0, sizeof(dg));
	dg.service_id = "office365";
	dg.service_name = "Microsoft 365";
	conclude_with(&dg, "52.96.1.1", NULL, "scan@contoso.com", "scan@contoso.com");
	assert_true(has(&dg, "ip-instead-of-name"));
	diagnosis_free(&dg);

	/* the sender's domain does not exist (a device default) */
	memset(&dg, 0, sizeof(dg));
	conclude_with(&dg, "mail.example.net", NULL, "mfp@printer.local", NULL);
	device_set(&dg.dev, "dns.from_domain", "does not resolve", FACT_PROFILE, "test");
	findings_free(&dg.findings);
	diagnose_rules(&dg);
	assert_true(has(&dg, "sender-domain-unresolved"));
	diagnosis_free(&dg);

	/* a temporary rate limit */
	memset(&dg, 0, sizeof(dg));
	static const char *const rate[] = {"<220 x\r\n", ">EHLO a.b\r\n", "<250 x\r\n", ">MAIL FROM:<a@b.c>\r\n",
					   "<432 4.3.2 Concurrent connections limit exceeded\r\n", NULL};
	conclude_with(&dg, "mail.example.net", rate, "a@b.c", NULL);
	assert_true(has(&dg, "rate-limited"));
	diagnosis_free(&dg);

	/* Microsoft 365 security defaults */
	memset(&dg, 0, sizeof(dg));
	static const char *const secdef[] = {"<220 x\r\n", ">EHLO a.b\r\n", "<250-x\r\n<250 AUTH LOGIN\r\n", ">AUTH LOGIN eA==\r\n",
					     "<535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy.\r\n",
					     NULL};
	conclude_with(&dg, "smtp.office365.com", secdef, "scan@contoso.com", "scan@contoso.com");
	assert_true(has(&dg, "m365-security-defaults"));
	assert_null(findings_get(&dg.findings, "smtp-refused")); /* the named cause replaces the generic one */
	diagnosis_free(&dg);

	/* plain wrong credentials, and Google's app-password reply */
	memset(&dg, 0, sizeof(dg));
	static const char *const bad[] = {"<220 x\r\n", ">EHLO a.b\r\n", "<250-x\r\n<250 AUTH PLAIN\r\n", ">AUTH PLAIN eA==\r\n",
					  "<535 5.7.8 Error: authentication failed\r\n", NULL};
	conclude_with(&dg, "mail.example.net", bad, "a@example.net", "a@example.net");
	assert_true(has(&dg, "credentials-rejected"));
	diagnosis_free(&dg);
	memset(&dg, 0, sizeof(dg));
	dg.service_id = "google";
	dg.service_name = "Google";
	static const char *const gm[] = {"<220 smtp.gmail.com ESMTP x - gsmtp\r\n", ">EHLO a.b\r\n", "<250-x\r\n<250 AUTH PLAIN LOGIN\r\n",
					 ">AUTH PLAIN eA==\r\n", "<534-5.7.9 Application-specific password required.\r\n<534 5.7.9 https://x - gsmtp\r\n",
					 NULL};
	conclude_with(&dg, "smtp.gmail.com", gm, "a@gmail.com", "a@gmail.com");
	assert_true(has(&dg, "gmail-app-password"));
	diagnosis_free(&dg);

	/* direct send to an external recipient */
	memset(&dg, 0, sizeof(dg));
	conclude_with(&dg, "contoso-com.mail.protection.outlook.com", NULL, "scan@contoso.com", NULL);
	assert_true(has(&dg, "direct-send-internal-only"));
	diagnosis_free(&dg);

	/* the device may send more than the server accepts */
	memset(&dg, 0, sizeof(dg));
	static const char *const sz[] = {"<220 x\r\n", ">EHLO a.b\r\n", "<250-x\r\n<250 SIZE 5242880\r\n", NULL};
	device_init(&dg.dev, "192.0.2.21");
	device_set(&dg.dev, "smtp.host", "mail.example.net", FACT_WEB, "page");
	device_set(&dg.dev, "smtp.from", "a@example.net", FACT_WEB, "page");
	device_set(&dg.dev, "smtp.max_size", "10485760", FACT_WEB, "page");
	struct diag_overrides o = no_overrides();
	o.size = 1024; /* this test's scan is small: only the device's limit is too high */
	diagnose_mirror(&dg, &o, NULL);
	script(&dg, sz);
	diagnose_conclude(&dg, "2026-11-28");
	assert_true(has(&dg, "device-size-above-server"));
	diagnosis_free(&dg);
}

static void logged_code_sets_the_stop(void **state)
{
	(void)state;
	struct diagnosis dg;
	memset(&dg, 0, sizeof(dg));
	device_init(&dg.dev, "192.0.2.30");
	device_set(&dg.dev, "identity.vendor_id", "oki", FACT_SNMP, "sysObjectID");
	device_set(&dg.dev, "smtp.host", "mail.example.net", FACT_WEB, "page");
	device_set(&dg.dev, "smtp.from", "mfp@example.net", FACT_WEB, "page");
	device_add_event(&dg.dev, EV_WEB_JOBLOG, "E554", "Send failed", NULL, "log");
	device_add_event(&dg.dev, EV_WEB_JOBLOG, "E552", "Send failed", NULL, "log");
	dg.vendor_id = "oki";
	diagnose_explain_events(&dg);
	assert_true(dg.events[0].explained);
	assert_int_equal(dg.events[0].e.stage, STAGE_DATA);
	struct diag_overrides o = no_overrides();
	diagnose_mirror(&dg, &o, NULL);
	assert_int_equal(dg.req.stop_after, STAGE_DATA); /* as far as the code, without a message */
	bool noted = false;
	for (size_t i = 0; i < dg.dev.notes.n; i++)
		noted |= strstr(dg.dev.notes.v[i], "E552") && strstr(dg.dev.notes.v[i], "--send");
	assert_true(noted); /* end-of-data needs a real delivery: said, not done */
	diagnosis_free(&dg);
}


static void address_validator(void **state)
{
	(void)state;
	char why[160];
	static const char *const good[] = {"scanner@example.com", "a.b-c+d@sub.example.co.uk", "\"scan ner\"@example.com",
					   "x@[192.0.2.1]", "x@[IPv6:2001:db8::1]", "o'brien@example.com", "a@b", NULL};
	for (size_t i = 0; good[i]; i++) {
		if (!mail_address_valid(good[i], why, sizeof(why)))
			fail_msg("%s rejected: %s", good[i], why);
	}
	static const char *const bad[] = {"a@b.test> RET=FULL ENVID=X ORCPT=rfc822;spy@evil.test", "a b@example.com",
					  "scanner", "@example.com", "a@", "a..b@example.com", ".a@example.com",
					  "a@-x.example.com", "a@example..com", "a@example.com.", "<a@example.com>",
					  "a@b@example.com", "a@[300.1.1.1]", "\"open@example.com", "a@exa_mple.com",
					  "J\xc3\xbcrgen@example.com", "", NULL};
	for (size_t i = 0; bad[i]; i++)
		if (mail_address_valid(bad[i], why, sizeof(why)) || !why[0])
			fail_msg("%s accepted", bad[i]);
	assert_false(mail_address_valid("a@b.test> RET=FULL ENVID=X", why, sizeof(why)));
	assert_non_null(strstr(why, "space"));
	char local[90], dom[300];
	memset(local, 'a', 65);
	snprintf(local + 65, sizeof(local) - 65, "@example.com");
	assert_false(mail_address_valid(local, why, sizeof(why))); /* local part over 64 */
	memset(local, 'a', 64);
	snprintf(local + 64, sizeof(local) - 64, "@example.com");
	assert_true(mail_address_valid(local, NULL, 0));
	/* a path over 256 octets */
	memset(dom, 0, sizeof(dom));
	strcpy(dom, "a@");
	for (int i = 0; i < 5; i++)
		strcat(dom, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	strcat(dom, "com");
	assert_false(mail_address_valid(dom, why, sizeof(why)));
	char inner[300];
	assert_true(mail_address_in_brackets("Scanner 3rd floor <scan@example.com>", inner, sizeof(inner)));
	assert_string_equal(inner, "scan@example.com");
	assert_false(mail_address_in_brackets("a@b.test> RET=FULL ENVID=X ORCPT=rfc822;spy@evil.test", inner, sizeof(inner)));
	assert_false(mail_address_in_brackets("<a@b.test> RET=FULL", inner, sizeof(inner)));
	assert_false(mail_address_in_brackets("x <a b@c.test>", inner, sizeof(inner)));
	assert_true(mail_host_valid("smtp.office365.com"));
	assert_true(mail_host_valid("192.0.2.1"));
	assert_true(mail_host_valid("::1"));
	assert_false(mail_host_valid("smtp.example.com/x?y"));
	assert_false(mail_host_valid("smtp example.com"));
}

static void special_use_domains_bare_and_sub(void **state)
{
	(void)state;
	assert_int_equal(probe_special_domain("invalid"), 1);
	assert_int_equal(probe_special_domain("INVALID"), 1);
	assert_int_equal(probe_special_domain("localhost"), 1);
	assert_int_equal(probe_special_domain("local"), 1);
	assert_int_equal(probe_special_domain("printer.local"), 1);
	assert_int_equal(probe_special_domain("x.invalid."), 1);
	assert_int_equal(probe_special_domain("test"), 2);
	assert_int_equal(probe_special_domain("example"), 2);
	assert_int_equal(probe_special_domain("sim.test"), 2);
	assert_int_equal(probe_special_domain("notinvalid"), 0);
	assert_int_equal(probe_special_domain("invalid.example.com"), 0);
	assert_int_equal(probe_special_domain("contoso.com"), 0);
}

static bool noted(const struct diagnosis *dg, const char *text)
{
	for (size_t i = 0; i < dg->dev.notes.n; i++)
		if (strstr(dg->dev.notes.v[i], text))
			return true;
	return false;
}

static void placeholder_and_hostile_sender(void **state)
{
	(void)state;
	struct diagnosis dg = {0};
	struct diag_overrides o = no_overrides();
	/* no From on the device: nothing is made up, the test stops before MAIL FROM */
	device_init(&dg.dev, "192.0.2.40");
	device_set(&dg.dev, "smtp.host", "mail.example.net", FACT_SNMP, "oid");
	diagnose_mirror(&dg, &o, NULL);
	assert_true(dg.from_placeholder);
	assert_null(dg.req.from);
	assert_int_equal(dg.req.nto, 0);
	assert_true(dg.req.stop_after <= STAGE_AUTH);
	static const char *const conv[] = {"<220 mail ESMTP\r\n", ">EHLO brn\r\n", "<250 mail\r\n", NULL};
	script(&dg, conv);
	diagnose_conclude(&dg, "2026-11-28");
	assert_true(has(&dg, "sender-not-tested"));
	assert_false(has(&dg, "sender-domain-unresolved"));
	assert_int_equal(dg.status, MFP_EXIT_WARNING);
	diagnosis_free(&dg);

	/* a From with ESMTP keywords after it: a finding, never sent */
	memset(&dg, 0, sizeof(dg));
	device_init(&dg.dev, "192.0.2.41");
	device_set(&dg.dev, "smtp.host", "mail.example.net", FACT_WEB, "page");
	device_set(&dg.dev, "smtp.from", "a@b.test> RET=FULL ENVID=X ORCPT=rfc822;spy@evil.test", FACT_WEB, "page: From");
	o.send = true;
	diagnose_mirror(&dg, &o, NULL);
	assert_null(dg.req.from);
	assert_false(dg.req.send);
	assert_true(dg.req.stop_after <= STAGE_AUTH);
	for (size_t i = 0; i < dg.req.nto; i++)
		assert_null(strstr(dg.req.to[i], "RET="));
	diagnose_conclude(&dg, "2026-11-28");
	const struct finding *f = findings_get(&dg.findings, "from-invalid");
	assert_non_null(f);
	assert_int_equal(f->sev, SEV_FAIL);
	assert_non_null(strstr(f->title, "The device's From address is not a valid address: a@b.test> RET=FULL"));
	assert_non_null(strstr(f->evidence, "not sent"));
	assert_false(has(&dg, "sender-not-tested"));
	diagnosis_free(&dg);

	/* a display name around one address: the address is used, nothing else */
	memset(&dg, 0, sizeof(dg));
	o = no_overrides();
	device_init(&dg.dev, "192.0.2.43");
	device_set(&dg.dev, "smtp.host", "mail.example.net", FACT_WEB, "page");
	device_set(&dg.dev, "smtp.from", "Scanner 3rd floor <scan@example.net>", FACT_WEB, "page: From");
	diagnose_mirror(&dg, &o, NULL);
	assert_string_equal(dg.req.from, "scan@example.net");
	assert_false(dg.from_placeholder);
	assert_int_equal(dg.nrejected, 0);
	diagnosis_free(&dg);

	/* a login that is used as the From must be an address too */
	memset(&dg, 0, sizeof(dg));
	o = no_overrides();
	device_init(&dg.dev, "192.0.2.42");
	device_set(&dg.dev, "smtp.host", "mail.example.net", FACT_WEB, "page");
	device_set(&dg.dev, "smtp.user", "a@b.test ORCPT=x", FACT_WEB, "page: Login");
	diagnose_mirror(&dg, &o, "pw");
	assert_null(dg.req.from);
	assert_true(noted(&dg, "not a valid e-mail address"));
	diagnosis_free(&dg);
}

static void device_numbers_in_range(void **state)
{
	(void)state;
	struct diagnosis dg = {0};
	/* a server setting that is not a host name: reported, no test */
	struct diag_overrides o0 = no_overrides();
	device_init(&dg.dev, "192.0.2.49");
	device_set(&dg.dev, "smtp.host", "mail.example.net/x?y=1 z", FACT_WEB, "page: Server");
	diagnose_mirror(&dg, &o0, NULL);
	assert_non_null(dg.test_skipped);
	assert_null(dg.req.server);
	diagnose_conclude(&dg, "2026-11-28");
	assert_true(has(&dg, "smtp-host-invalid"));
	assert_int_equal(dg.status, MFP_EXIT_CRITICAL);
	diagnosis_free(&dg);
	memset(&dg, 0, sizeof(dg));
	device_init(&dg.dev, "192.0.2.50");
	device_set(&dg.dev, "smtp.port", "70000", FACT_SNMP, "oid");
	assert_null(device_value(&dg.dev, "smtp.port"));
	device_set(&dg.dev, "smtp.port", "-1", FACT_SNMP, "oid");
	device_set(&dg.dev, "smtp.port", "25x", FACT_SNMP, "oid");
	assert_null(device_value(&dg.dev, "smtp.port"));
	device_set(&dg.dev, "smtp.port", "587", FACT_SNMP, "oid");
	assert_string_equal(device_value(&dg.dev, "smtp.port"), "587");
	/* 8000000000000000 KB, and 2^63-1 KB (which the KB-to-bytes step turns negative) */
	device_set(&dg.dev, "smtp.max_size", "8192000000000000000", FACT_WEB, "page");
	assert_string_equal(device_value(&dg.dev, "smtp.max_size"), "2147483648");
	assert_true(noted(&dg, "implausible max size"));
	device_set(&dg.dev, "smtp.max_size", "-9223372036854775808", FACT_WEB, "page");
	assert_string_equal(device_value(&dg.dev, "smtp.max_size"), "2147483648"); /* unchanged */
	device_set(&dg.dev, "smtp.max_size", "99999999999999999999999", FACT_WEB, "page");
	device_set(&dg.dev, "smtp.host", "mail.example.net", FACT_WEB, "page");
	device_set(&dg.dev, "smtp.from", "a@example.net", FACT_WEB, "page");
	struct diag_overrides o = no_overrides();
	diagnose_mirror(&dg, &o, NULL);
	assert_int_equal(dg.req.port, 587);
	assert_int_equal(dg.req.size, 2 * 1024 * 1024); /* an implausible limit is not a test size */
	for (size_t i = 0; i < dg.dev.notes.n; i++)
		assert_null(strstr(dg.dev.notes.v[i], "-9223372036854775808"));
	diagnosis_free(&dg);
	/* the message size arithmetic cannot overflow (UBSan checks this in the sanitizer build) */
	assert_true(message_wire_size(8192000000000000000LL) > 0);
	assert_true(message_wire_size(9223372036854775807LL) > 0);
	assert_true(message_base64_size(9223372036854775807LL) > 0);
	assert_true(message_wire_size(-5) > 0);
}

static void budget_cut_is_not_tested(void **state)
{
	(void)state;
	struct diagnosis dg = {0};
	device_init(&dg.dev, "192.0.2.60");
	device_set(&dg.dev, "smtp.host", "mail.example.net", FACT_USER, "--server");
	device_set(&dg.dev, "smtp.from", "a@example.net", FACT_USER, "--from");
	device_add_event(&dg.dev, EV_WEB_JOBLOG, NULL, "SMTP error: 535 5.7.139 Authentication unsuccessful", NULL, "log");
	diagnose_explain_events(&dg);
	struct diag_overrides o = no_overrides();
	diagnose_mirror(&dg, &o, NULL);
	static const char *const conv[] = {"<220 mail ESMTP\r\n", ">EHLO brn\r\n", NULL};
	script(&dg, conv);
	/* what the probe reports when the budget ended it: no verdict */
	dg.smtp.ok = false;
	dg.smtp.failed_stage = STAGE_EHLO;
	dg.smtp.curl_code = 28;
	dg.smtp.budget_exhausted = true;
	findings_free(&dg.smtp.findings);
	smtp_rules_apply(&dg.req, &dg.smtp);
	diagnose_cut(&dg, "smtp-test", "the SMTP test send: cut by the budget");
	diagnose_conclude(&dg, "2026-11-28");
	assert_int_equal(dg.status, MFP_EXIT_UNKNOWN);
	assert_false(has(&dg, "smtp-failed"));
	assert_false(has(&dg, "connect-failed"));
	assert_false(diagnose_tested(&dg));
	assert_string_equal(dg.events[0].reproduced, "unknown");
	assert_int_equal(dg.ncuts, 1);
	diagnosis_free(&dg);
}

static void checklist_blames_the_cause(void **state)
{
	(void)state;
	struct diagnosis dg;
	/* Microsoft 365 security defaults: the Entra setting, not the password */
	memset(&dg, 0, sizeof(dg));
	xerox_device(&dg);
	static const char *const secdef[] = {"<220 x\r\n", ">EHLO a.b\r\n", "<250-x\r\n<250 AUTH LOGIN\r\n", ">AUTH LOGIN eA==\r\n",
					     "<535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy.\r\n",
					     NULL};
	struct diag_overrides o = no_overrides();
	diagnose_mirror(&dg, &o, "pw");
	script(&dg, secdef);
	diagnose_conclude(&dg, "2026-11-28");
	assert_true(has(&dg, "m365-security-defaults"));
	assert_int_equal(item_status(&dg, "device", "password"), CHECK_UNKNOWN);
	assert_int_equal(item_status(&dg, "device", "user"), CHECK_UNKNOWN);
	assert_int_equal(item_status(&dg, "service", "m365-security-defaults"), CHECK_FAIL);
	diagnosis_free(&dg);

	/* a credentials rejection blames the login and the password, nothing else */
	memset(&dg, 0, sizeof(dg));
	xerox_device(&dg);
	dg.service_id = NULL;
	dg.service_name = NULL;
	device_set(&dg.dev, "smtp.port", "587", FACT_USER, "--port");
	static const char *const bad[] = {"<220 x\r\n", ">EHLO a.b\r\n", "<250-x\r\n<250 AUTH PLAIN\r\n", ">AUTH PLAIN eA==\r\n",
					  "<535 5.7.8 Error: authentication failed\r\n", NULL};
	diagnose_mirror(&dg, &o, "pw");
	script(&dg, bad);
	diagnose_conclude(&dg, "2026-11-28");
	assert_int_equal(item_status(&dg, "device", "password"), CHECK_FAIL);
	assert_int_equal(item_status(&dg, "device", "user"), CHECK_FAIL);
	for (size_t i = 0; i < dg.checklist.n; i++)
		if (dg.checklist.v[i].status == CHECK_FAIL)
			assert_true(strcmp(dg.checklist.v[i].setting, "user") == 0 || strcmp(dg.checklist.v[i].setting, "password") == 0);
	diagnosis_free(&dg);

	/* 5.7.139 from a service that was not recognised: the blame still lands on a service step */
	memset(&dg, 0, sizeof(dg));
	xerox_device(&dg);
	dg.service_id = NULL;
	dg.service_name = NULL;
	device_set(&dg.dev, "smtp.port", "587", FACT_USER, "--port");
	static const char *const ten[] = {"<220 mail.sim.test ESMTP\r\n", ">EHLO a.b\r\n", "<250-x\r\n<250 AUTH LOGIN\r\n",
					  ">AUTH LOGIN eA==\r\n",
					  "<535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.\r\n",
					  NULL};
	diagnose_mirror(&dg, &o, "pw");
	script(&dg, ten);
	diagnose_conclude(&dg, "2026-11-28");
	assert_string_equal(only_failed(&dg), "service:m365-smtp-auth-tenant");
	diagnosis_free(&dg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mirror_takes_device_settings),
		cmocka_unit_test(mirror_overrides_and_no_password),
		cmocka_unit_test(mirror_without_server),
		cmocka_unit_test(port_mode_and_retirement),
		cmocka_unit_test(tenant_auth_disabled_and_event_reproduced),
		cmocka_unit_test(auth_required_and_relay),
		cmocka_unit_test(clock_tls_floor_and_conflicts),
		cmocka_unit_test(more_rules),
		cmocka_unit_test(logged_code_sets_the_stop),
		cmocka_unit_test(address_validator),
		cmocka_unit_test(special_use_domains_bare_and_sub),
		cmocka_unit_test(placeholder_and_hostile_sender),
		cmocka_unit_test(device_numbers_in_range),
		cmocka_unit_test(budget_cut_is_not_tested),
		cmocka_unit_test(checklist_blames_the_cause),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	kb_unload();
	kb_vendors_unload();
	return rc;
}
