/* test_diagnose.c — the diagnosis rules and the mirroring of device settings into the test send,
 * on fabricated devices and scripted SMTP conversations (no network). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diagnose/diagnose.h"
#include "kb/vendor.h"
#include "smtp/session.h"

static struct diag_overrides no_overrides(void)
{
	struct diag_overrides o = {.tls = -1, .auth = -1, .stop_after = STAGE_LAST};
	return o;
}

static void script(struct diagnosis *dg, const char *const *lines)
{
	struct smtp_session s;
	dg->smtp.host = strdup(dg->req.server);
	dg->smtp.port_used = dg->req.port;
	session_init(&s, &dg->req, &dg->smtp, false);
	session_tcp_connected(&s);
	/* each element: ">command" or one or more "<reply line\r\n" */
	for (size_t i = 0; lines[i]; i++) {
		if (lines[i][0] == '>') {
			session_command(&s, lines[i] + 1, strlen(lines[i] + 1));
			continue;
		}
		for (const char *p = lines[i]; *p == '<';) {
			const char *end = strstr(p, "\r\n");
			size_t n = end ? (size_t)(end - p) + 2 : strlen(p);
			session_reply(&s, p + 1, n - 1);
			p += n;
		}
	}
	session_finish(&s);
	dg->test_ran = true;
	dg->smtp.ok = true;
	dg->smtp.failed_stage = STAGE_LAST;
	/* the verdict as the probe would decide it: the last failed reply */
	for (size_t i = dg->smtp.nsteps; i-- > 0;)
		if (dg->smtp.steps[i].reply.code >= 400) {
			dg->smtp.ok = false;
			dg->smtp.failed_stage = dg->smtp.steps[i].stage;
			smtp_reply_copy(&dg->smtp.fail_reply, &dg->smtp.steps[i].reply);
			break;
		}
	smtp_rules_apply(&dg->req, &dg->smtp);
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
	/* the checklist marks the user/password rows failed */
	bool user_fail = false;
	for (size_t i = 0; i < dg.checklist.n; i++)
		if (strcmp(dg.checklist.v[i].setting, "user") == 0 && dg.checklist.v[i].status == CHECK_FAIL)
			user_fail = true;
	assert_true(dg.have_checklist);
	assert_true(user_fail);
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
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	kb_unload();
	kb_vendors_unload();
	return rc;
}
