/* test_report_html.c — what a report says about its printer and its run: the command line with
 * secrets hidden, the ISO 8601 time, readable labels for internal keys, the SMTP server that
 * differs from the service's recommended name (a checklist warning), and the HTML/JSON/Markdown
 * header, links and escaping, on a fabricated Microsoft 365 tenant-block diagnosis. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diagnose/diagnose.h"
#include "kb/vendor.h"
#include "report/diag_report.h"
#include "report/fact_labels.h"
#include "smtp/session.h"
#include "script_smtp.h"

static char *cmdline(int argc, const char **argv)
{
	return diagnose_command_line(argc, (char *const *)argv);
}

static void command_line_hides_secrets(void **state)
{
	(void)state;
	const char *a[] = {"diagnose", "192.0.2.10", "--password", "Sc4n-P@ss", "--community=s3cret-comm", "-C", "pub2",
			   "-Cpub3", "--web-password-file", "/etc/pw", "--auth-pass-file=/k", "--from", "a b@x.test", "--",
			   "--password"};
	char *s = cmdline((int)(sizeof(a) / sizeof(a[0])), a);
	assert_string_equal(s, "mfpdoctor diagnose 192.0.2.10 --password *** --community=*** -C *** -C*** "
			       "--web-password-file *** --auth-pass-file=*** --from 'a b@x.test' -- --password");
	free(s);
	/* quoting and control characters */
	const char *b[] = {"check", "it's", "x\x1b[31my", ""};
	s = cmdline(4, b);
	assert_string_equal(s, "mfpdoctor check 'it'\\''s' 'x?[31my' ''"); /* control characters: '?' */
	free(s);
}

static void iso_time_has_the_zone(void **state)
{
	(void)state;
	char out[40];
	setenv("TZ", "UTC0", 1);
	tzset();
	diagnose_iso_time(1795000000, out, sizeof(out));
	assert_string_equal(out, "2026-11-18T11:06:40+00:00");
	setenv("TZ", "<+0530>-5:30", 1);
	tzset();
	diagnose_iso_time(1795000000, out, sizeof(out));
	assert_string_equal(out, "2026-11-18T16:36:40+05:30");
	setenv("TZ", "UTC0", 1);
	tzset();
}

static void labels_for_keys(void **state)
{
	(void)state;
	char buf[80];
	bool derived;
	assert_string_equal(fact_label("identity.location", buf, sizeof(buf), &derived), "Location");
	assert_false(derived);
	assert_string_equal(fact_label("status.clock_skew_s", buf, sizeof(buf), &derived), "Clock difference (s)");
	assert_string_equal(fact_label("hr.device.1.descr", buf, sizeof(buf), &derived), "Device description");
	assert_false(derived);
	assert_string_equal(fact_label("hr.device.3.status", buf, sizeof(buf), &derived), "Device 3 state");
	assert_string_equal(fact_label("smtp.scan_to_email_state", buf, sizeof(buf), &derived), "Scan-to-email state");
	assert_string_equal(fact_label("web.some_new_thing", buf, sizeof(buf), &derived), "Some new thing");
	assert_true(derived);
	assert_string_equal(fact_label("GSI_SMTP_ACCOUNT", buf, sizeof(buf), &derived), "GSI SMTP ACCOUNT");
	assert_true(derived);
	assert_string_equal(setting_label("smtp_host"), "SMTP server");
	assert_string_equal(setting_label("tls_max"), "Highest TLS version");
	assert_null(setting_label("no-such-setting"));
}

static struct checklist_item *host_item(struct checklist *c, const char *observed, enum checklist_status st)
{
	struct checklist_item *it = checklist_add(c, "smtp_host", "device");
	it->observed = observed ? strdup(observed) : NULL;
	it->status = st;
	it->label = strdup("SMTP Server Address");
	return it;
}

static void server_differs_from_recommended(void **state)
{
	(void)state;
	struct checklist c;
	memset(&c, 0, sizeof(c));
	c.service_host = strdup("smtp.office365.com");
	c.service_name = strdup("Microsoft 365");
	strlist_add(&c.service_hosts, "^smtp\\.office365\\.com$");
	strlist_add(&c.service_hosts, "^[a-z0-9-]+\\.mail\\.protection\\.outlook\\.com$");
	struct checklist_item *local = host_item(&c, "localhost", CHECK_OK);
	struct checklist_item *same = host_item(&c, "SMTP.Office365.com.", CHECK_OK);
	struct checklist_item *mx = host_item(&c, "contoso-com.mail.protection.outlook.com", CHECK_OK);
	struct checklist_item *failed = host_item(&c, "mail.contoso.test", CHECK_FAIL);
	struct checklist_item *unknown = host_item(&c, "mail.contoso.test", CHECK_UNKNOWN);
	checklist_judge_host(&c);
	assert_int_equal(local->status, CHECK_WARN);
	assert_string_equal(local->observed, "localhost — differs from recommended: smtp.office365.com");
	assert_non_null(strstr(local->fix, "set 'SMTP Server Address' to smtp.office365.com"));
	assert_string_equal(checklist_status_name(local->status), "warning");
	assert_int_equal(same->status, CHECK_OK);
	assert_int_equal(mx->status, CHECK_OK); /* another of the service's own host names */
	assert_int_equal(failed->status, CHECK_FAIL);
	assert_int_equal(unknown->status, CHECK_UNKNOWN);
	assert_string_equal(unknown->observed, "mail.contoso.test");
	checklist_free(&c);
	/* a self-hosted service recommends no name: nothing to compare */
	memset(&c, 0, sizeof(c));
	local = host_item(&c, "localhost", CHECK_OK);
	checklist_judge_host(&c);
	assert_int_equal(local->status, CHECK_OK);
	checklist_free(&c);
}

/* The demo world in miniature: a Xerox on localhost relaying to a Microsoft 365 tenant with SMTP AUTH off. */
static void tenant_block(struct diagnosis *dg, bool named)
{
	memset(dg, 0, sizeof(*dg));
	const char *argv[] = {"diagnose", "192.0.2.10", "--password", "Sc4n-P@ss", "--tls-max", "1.2"};
	diagnose_run_info(dg, 6, (char *const *)argv);
	device_init(&dg->dev, "192.0.2.10:161");
	device_set(&dg->dev, "identity.vendor", "Xerox", FACT_SNMP, "sysObjectID");
	device_set(&dg->dev, "identity.vendor_id", "xerox", FACT_SNMP, "sysObjectID");
	device_set(&dg->dev, "identity.model", "Xerox WorkCentre 7845", FACT_SNMP, "hrDeviceDescr");
	if (named) {
		device_set(&dg->dev, "identity.sysname", "xrx-3rdfloor", FACT_SNMP, "sysName");
		device_set(&dg->dev, "identity.location", "Building <B>", FACT_SNMP, "sysLocation");
		device_set(&dg->dev, "identity.serial", "3TB123456", FACT_SNMP, "prtGeneralSerialNumber");
	}
	device_set(&dg->dev, "status.clock_skew_s", "-1", FACT_SNMP, "hrSystemDate");
	device_set(&dg->dev, "smtp.host", "localhost", FACT_WEB, "/properties/smtp: GSI_SMTP_SERVER_IP_ADDR");
	device_set(&dg->dev, "smtp.port", "587", FACT_WEB, "/properties/smtp: Port");
	device_set(&dg->dev, "smtp.security", "starttls", FACT_WEB, "/properties/smtp: Encryption");
	device_set(&dg->dev, "smtp.auth", "login", FACT_WEB, "/properties/smtp: Authentication");
	device_set(&dg->dev, "smtp.user", "scanner@contoso.com", FACT_WEB, "/properties/smtp: GSI_SMTP_ACCOUNT");
	device_set(&dg->dev, "smtp.from", "scanner@contoso.com", FACT_WEB, "/properties/smtp: GSI_SMTP_DEVICE_EMAIL");
	device_add_event(&dg->dev, EV_WEB_JOBLOG, "017-715", "Scan to e-mail failed", "2026-11-28 09:10:00", "/jobhistory");
	dg->vendor_id = "xerox";
	dg->service_id = "office365";
	dg->service_name = "Microsoft 365 / Exchange Online";
	struct diag_overrides o = {.tls = -1, .auth = -1, .stop_after = STAGE_LAST};
	diagnose_explain_events(dg);
	diagnose_mirror(dg, &o, "Sc4n-P@ss");
	static const char *const conv[] = {
		"<220 x.outlook.office365.com Microsoft ESMTP MAIL Service ready\r\n", ">EHLO xrx\r\n",
		"<250-x\r\n<250 STARTTLS\r\n", ">STARTTLS\r\n", "<220 2.0.0 SMTP server ready\r\n", ">EHLO xrx\r\n",
		"<250-x\r\n<250-SIZE 157286400\r\n<250 AUTH LOGIN XOAUTH2\r\n", ">AUTH LOGIN eA==\r\n",
		"<535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.\r\n", NULL};
	script(dg, conv);
	diagnose_conclude(dg, "2026-11-28");
	/* a source with characters that must not end the attribute */
	strlist_add(&dg->findings.v[0].sources, "https://x.test/a\"onclick=alert(1)<b>, see also http://y.test/(p).");
}

static char *render(const struct diagnosis *dg, int fmt)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	if (fmt == 0)
		diag_report_html(f, dg);
	else
		diag_report_md(f, dg, false);
	fclose(f);
	return out;
}

static const struct checklist_item *item(const struct diagnosis *dg, const char *setting)
{
	for (size_t i = 0; i < dg->checklist.n; i++)
		if (strcmp(dg->checklist.v[i].setting, setting) == 0)
			return &dg->checklist.v[i];
	return NULL;
}

static void checklist_of_a_tenant_block(void **state)
{
	(void)state;
	struct diagnosis dg;
	tenant_block(&dg, true);
	assert_true(dg.have_checklist);
	assert_int_equal(item(&dg, "smtp_host")->status, CHECK_WARN);
	assert_non_null(strstr(item(&dg, "smtp_host")->observed, "differs from recommended: smtp.office365.com"));
	assert_int_equal(item(&dg, "password")->status, CHECK_UNKNOWN);
	assert_string_equal(item(&dg, "password")->observed, "(given, not shown)"); /* it was given */
	assert_int_equal(item(&dg, "user")->status, CHECK_UNKNOWN);
	assert_int_equal(item(&dg, "m365-smtp-auth-tenant")->status, CHECK_FAIL);
	diagnosis_free(&dg);
}

static void html_header_links_and_labels(void **state)
{
	(void)state;
	struct diagnosis dg;
	tenant_block(&dg, true);
	char *h = render(&dg, 0);
	assert_non_null(strstr(h, "<title>Scan-to-email diagnosis: xrx-3rdfloor — Xerox WorkCentre 7845, Building &lt;B&gt;, "
				  "serial 3TB123456</title>"));
	assert_non_null(strstr(h, "<dt>Address</dt><dd>192.0.2.10:161</dd>"));
	assert_non_null(strstr(h, "<time datetime=\"20"));
	assert_non_null(strstr(h, "mfpdoctor diagnose 192.0.2.10 --password *** --tls-max 1.2"));
	assert_null(strstr(h, "Sc4n-P@ss"));
	assert_non_null(strstr(h, "content=\"default-src 'none'; style-src 'unsafe-inline'\""));
	/* sources: the URL up to the first unsafe character is the link; the rest is escaped text */
	assert_non_null(strstr(h, "<a href=\"https://x.test/a\" rel=\"noreferrer\">https://x.test/a</a>&quot;onclick=alert(1)&lt;b&gt;"));
	assert_non_null(strstr(h, "<a href=\"http://y.test/(p)\" rel=\"noreferrer\">http://y.test/(p)</a>."));
	assert_null(strstr(h, "<b>"));
	/* labels, raw keys kept small; codes in their own no-wrap cells */
	assert_non_null(strstr(h, "<span class=\"key\" title=\"status.clock_skew_s\">Clock difference (s)</span>"
				  "<span class=\"raw\">status.clock_skew_s</span>"));
	assert_non_null(strstr(h, "<td class=\"code\">017-715</td>"));
	assert_non_null(strstr(h, "td.code,td.st,.nowrap,time{white-space:nowrap}"));
	assert_non_null(strstr(h, "@page{size:A4;"));
	assert_non_null(strstr(h, "break-inside:avoid"));
	/* the checklist points at the finding instead of repeating its fix, and warns about the server */
	assert_non_null(strstr(h, "<a href=\"#finding-1\">See finding 1 above</a>"));
	assert_non_null(strstr(h, "differs from recommended: smtp.office365.com</td><td class=\"st st-warning\">warning</td>"));
	free(h);
	diagnosis_free(&dg);
	/* nothing but the address known: the title falls back to it */
	tenant_block(&dg, false);
	h = render(&dg, 0);
	assert_non_null(strstr(h, "<title>Scan-to-email diagnosis: Xerox WorkCentre 7845</title>"));
	assert_non_null(strstr(h, "<dt>Location</dt><dd><span class=\"none\">not reported by the device</span>"));
	free(h);
	device_free(&dg.dev);
	device_init(&dg.dev, "192.0.2.99");
	h = render(&dg, 0);
	assert_non_null(strstr(h, "<title>Scan-to-email diagnosis: unknown printer at 192.0.2.99</title>"));
	free(h);
	diagnosis_free(&dg);
}

static void json_and_md_carry_the_run(void **state)
{
	(void)state;
	struct diagnosis dg;
	tenant_block(&dg, true);
	json_t *j = diag_report_json(&dg);
	json_t *run = json_object_get(j, "run");
	assert_non_null(run);
	assert_string_equal(json_string_value(json_object_get(run, "command")),
			    "mfpdoctor diagnose 192.0.2.10 --password *** --tls-max 1.2");
	assert_string_equal(json_string_value(json_object_get(run, "started")), dg.started);
	assert_int_equal(strlen(dg.started), 25);
	assert_non_null(json_object_get(j, "versions")); /* existing keys stay */
	assert_string_equal(json_string_value(json_object_get(j, "schema")), "mfpdoctor/diagnosis/1");
	json_decref(j);
	char *m = render(&dg, 1);
	assert_non_null(strstr(m, "# Scan-to-email diagnosis: xrx-3rdfloor (address 192.0.2.10:161)"));
	assert_non_null(strstr(m, "serial 3TB123456"));
	assert_non_null(strstr(m, "**Run:** 20"));
	assert_non_null(strstr(m, "**Command:** mfpdoctor diagnose 192.0.2.10 --password \\*\\*\\* --tls-max 1.2"));
	assert_non_null(strstr(m, "| Clock difference (s) | -1 |")); /* device facts with their labels */
	assert_non_null(strstr(m, "| SMTP login name | scanner@contoso.com |"));
	assert_null(strstr(m, "| status.clock_skew_s |"));
	free(m);
	diagnosis_free(&dg);
}

int main(void)
{
	setenv("TZ", "UTC0", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(command_line_hides_secrets),
		cmocka_unit_test(iso_time_has_the_zone),
		cmocka_unit_test(labels_for_keys),
		cmocka_unit_test(server_differs_from_recommended),
		cmocka_unit_test(checklist_of_a_tenant_block),
		cmocka_unit_test(html_header_links_and_labels),
		cmocka_unit_test(json_and_md_carry_the_run),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	kb_unload();
	kb_vendors_unload();
	return rc;
}
