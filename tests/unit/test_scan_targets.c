/* test_scan_targets.c — scan targets: hosts, HOST:PORT, IPv4 CIDR edge cases (/30, /31, /32, host
 * bits), ranges, the expansion cap, host-name validation, hosts files, and inventory CSV files
 * (RFC 4180 quoting, separators, --columns, per-printer settings to options and credential
 * references, secrets refused, every error with its line number). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "scan/targets.h"

static void hosts_of(const struct scan_targets *t, struct buf *b)
{
	buf_reset(b);
	for (size_t i = 0; i < t->n; i++)
		buf_printf(b, "%s%s", i ? " " : "", t->v[i].host);
}

static void expect_hosts(const char *entry, const char *want)
{
	struct scan_targets t = {0};
	struct buf b = {0};
	int rc = scan_targets_add(&t, entry, "argument 1", NULL, NULL);
	hosts_of(&t, &b);
	if (rc != 0 || strcmp(buf_str(&b), want) != 0)
		fail_msg("%s: rc %d, got \"%s\", want \"%s\"; errors: %s", entry, rc, buf_str(&b), want, buf_str(&t.errs));
	buf_free(&b);
	scan_targets_free(&t);
}

static void expect_error(const char *entry, const char *needle)
{
	struct scan_targets t = {0};
	int rc = scan_targets_add(&t, entry, "argument 3", NULL, NULL);
	if (rc != -1 || t.n != 0 || !strstr(buf_str(&t.errs), needle) || strncmp(buf_str(&t.errs), "argument 3: ", 12))
		fail_msg("%s: rc %d, n %zu, errors \"%s\" (want \"%s\")", entry, rc, t.n, buf_str(&t.errs), needle);
	scan_targets_free(&t);
}

static void cidr(void **state)
{
	(void)state;
	expect_hosts("10.1.0.0/30", "10.1.0.1 10.1.0.2");
	expect_hosts("10.1.0.0/31", "10.1.0.0 10.1.0.1");
	expect_hosts("10.1.0.7/32", "10.1.0.7");
	expect_hosts("127.0.0.0/29:1161", "127.0.0.1:1161 127.0.0.2:1161 127.0.0.3:1161 127.0.0.4:1161 127.0.0.5:1161 "
					  "127.0.0.6:1161");
	struct scan_targets t = {0};
	assert_int_equal(scan_targets_add(&t, "10.1.0.0/28", "argument 1", NULL, NULL), 0);
	assert_int_equal(t.n, 14);
	assert_string_equal(t.v[13].host, "10.1.0.14");
	assert_string_equal(t.v[0].origin, "argument 1 (10.1.0.0/28)");
	assert_int_equal(scan_targets_add(&t, "10.2.0.0/16", "argument 2", NULL, NULL), -1); /* 65534 + 14 > 65536 */
	assert_int_equal(t.n, 14);
	scan_targets_free(&t);
	expect_error("10.1.0.0/33", "is not an IPv4 CIDR block");
	expect_error("10.1.0.0/", "is not an IPv4 CIDR block");
	expect_error("10.1.0.0/2x", "is not an IPv4 CIDR block");
	expect_error("10.1.0.300/24", "is not an IPv4 CIDR block");
	expect_error("10.1.0.5/28", "has host bits set: the block is 10.1.0.0/28");
	expect_error("10.0.0.0/8", "stands for 16777214 addresses; a scan takes at most 65536");
	expect_error("0.0.0.0/0", "stands for");
}

static void cap_counts_everything(void **state)
{
	(void)state;
	struct scan_targets t = {0};
	assert_int_equal(scan_targets_add(&t, "10.2.0.0/16", "argument 1", NULL, NULL), 0);
	assert_int_equal(t.n, 65534);
	assert_int_equal(scan_targets_add(&t, "10.3.0.0/29", "argument 2", NULL, NULL), -1);
	assert_non_null(strstr(buf_str(&t.errs), "argument 2: 10.3.0.0/29 stands for 6 addresses; a scan takes at most 65536"));
	assert_int_equal(scan_targets_add(&t, "10.3.0.1", "argument 3", NULL, NULL), 0);
	assert_int_equal(scan_targets_add(&t, "10.3.0.2", "argument 4", NULL, NULL), 0);
	assert_int_equal(scan_targets_add(&t, "10.3.0.3", "argument 5", NULL, NULL), -1);
	assert_int_equal(t.n, 65536);
	scan_targets_free(&t);
}

static void ranges(void **state)
{
	(void)state;
	expect_hosts("10.1.0.10-12", "10.1.0.10 10.1.0.11 10.1.0.12");
	expect_hosts("10.1.0.254-10.1.1.1", "10.1.0.254 10.1.0.255 10.1.1.0 10.1.1.1");
	expect_hosts("127.0.0.2-3:1161", "127.0.0.2:1161 127.0.0.3:1161");
	expect_hosts("10.1.0.10-10", "10.1.0.10");
	expect_error("10.1.0.10-9", "ends before it starts");
	expect_error("10.1.0.10-256", "ends before it starts, or its end is above 255");
	expect_error("10.1.0.10-x", "is not an address range");
	expect_error("10.1.0.10-10.1.0.300", "is not an address range");
	expect_error("10.0.0.1-10.1.0.1", "stands for 65537 addresses");
	expect_hosts("mfp-3rdfloor", "mfp-3rdfloor"); /* a host name with '-' is no range */
}

static void hosts_and_names(void **state)
{
	(void)state;
	expect_hosts("mfp-3rdfloor.example.com", "mfp-3rdfloor.example.com");
	expect_hosts("mfp1.example.com.:1161", "mfp1.example.com.:1161");
	expect_hosts("192.0.2.7:161", "192.0.2.7:161");
	expect_hosts("[2001:db8::7]:1161", "[2001:db8::7]:1161");
	expect_hosts("2001:db8::7", "2001:db8::7");
	expect_error("10.1.0.256", "is not an IPv4 address");
	expect_error("10.1.0", "is not an IPv4 address");
	expect_error("ip,name,location", "is this a CSV file? Read it with --inventory");
	expect_error("mfp_3", "is not a host name");
	expect_error("-mfp", "is not a host name");
	expect_error("mfp-.example.com", "is not a host name");
	expect_error("a..b", "is not a host name");
	expect_error("mfp:0", "SNMP port after ':' must be a number from 1 to 65535");
	expect_error("mfp:70000", "SNMP port");
	expect_error("mfp:", "SNMP port");
	expect_error("[2001:db8::7", "[ADDRESS]:PORT");
	assert_true(scan_hostname_valid("a"));
	assert_true(scan_hostname_valid("xn--bcher-kva.example"));
	assert_false(scan_hostname_valid(""));
	assert_false(scan_hostname_valid("1.2.3"));
	char label[70];
	memset(label, 'a', 64);
	label[64] = 0;
	assert_false(scan_hostname_valid(label));
	label[63] = 0;
	assert_true(scan_hostname_valid(label));
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	for (size_t i = 60; i < sizeof(longname) - 1; i += 61)
		longname[i] = '.';
	longname[254] = 0;
	assert_false(scan_hostname_valid(longname));
}

static void hosts_file(void **state)
{
	(void)state;
	const char *text = "# third floor\n10.1.0.5   # legal\n\n  mfp-2.example.com  \n10.1.0.0/30\nip,name,location\n"
			   "10.1.0.300\n";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct scan_targets t = {0};
	assert_int_equal(scan_targets_read_hosts(&t, f, "hosts.txt"), 2);
	fclose(f);
	struct buf b = {0};
	hosts_of(&t, &b);
	assert_string_equal(buf_str(&b), "10.1.0.5 mfp-2.example.com 10.1.0.1 10.1.0.2");
	assert_string_equal(t.v[0].origin, "hosts.txt line 2");
	assert_string_equal(t.v[2].origin, "hosts.txt line 5 (10.1.0.0/30)");
	assert_non_null(strstr(buf_str(&t.errs), "hosts.txt line 6: \"ip,name,location\" is not a host name"));
	assert_non_null(strstr(buf_str(&t.errs), "hosts.txt line 7: \"10.1.0.300\" is not an IPv4 address"));
	scan_targets_finish(&t);
	assert_string_equal(t.v[1].stem, "0001-mfp-2.example.com");
	buf_free(&b);
	scan_targets_free(&t);
}

static void nmap_and_duplicates(void **state)
{
	(void)state;
	const char *text = "# Nmap 7.93 scan initiated as: nmap -sU -p161 -oG - 10.1.0.0/29\n"
			   "Host: 10.1.0.1 (mfp-1.example)\tStatus: Up\n"
			   "Host: 10.1.0.1 (mfp-1.example)\tPorts: 161/open/udp//snmp///\n"
			   "Host: 10.1.0.2 ()\tStatus: Down\n"
			   "Host: 10.1.0.3 ()\tStatus: Up\n"
			   "10.1.0.3\n"
			   "# Nmap done at Wed Dec  2 03:40:32 2026 -- 8 IP addresses (2 hosts up) scanned in 2.05 seconds\n";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct scan_targets t = {0};
	assert_int_equal(scan_targets_read_hosts(&t, f, "nmap.gnmap"), 0);
	fclose(f);
	struct buf b = {0};
	hosts_of(&t, &b);
	assert_string_equal(buf_str(&b), "10.1.0.1 10.1.0.3 10.1.0.3");
	char *out = NULL;
	size_t outsz = 0;
	FILE *o = open_memstream(&out, &outsz);
	assert_int_equal(scan_targets_warn_duplicates(&t, o), 1);
	fclose(o);
	assert_non_null(strstr(out, "10.1.0.3 is listed more than once (nmap.gnmap line 5, and nmap.gnmap line 6)"));
	free(out);
	buf_free(&b);
	scan_targets_free(&t);
}

/* Reads an inventory from text; returns the number of errors. */
static size_t inv(struct scan_targets *t, const char *text, const char *columns)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	size_t n = scan_inventory_read(t, f, "inv.csv", columns);
	fclose(f);
	return n;
}

static void expect_inv_error(const char *text, const char *columns, const char *needle)
{
	struct scan_targets t = {0};
	size_t n = inv(&t, text, columns);
	if (n == 0 || !strstr(buf_str(&t.errs), needle))
		fail_msg("errors %zu \"%s\", want \"%s\"", n, buf_str(&t.errs), needle);
	scan_targets_free(&t);
}

static void inventory_quoting(void **state)
{
	(void)state;
	struct scan_targets t = {0};
	const char *text = "\xEF\xBB\xBFhost,name,location\r\n10.1.0.5,\"Reception, ground floor\",\"Building \"\"A\"\"\"\r\n"
			   "\r\nmfp-2.example.com,\"two\nlines\",\r\n";
	assert_int_equal(inv(&t, text, NULL), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.v[0].host, "10.1.0.5");
	assert_string_equal(t.v[0].name, "Reception, ground floor");
	assert_string_equal(t.v[0].location, "Building \"A\"");
	assert_string_equal(t.v[0].origin, "inv.csv line 2");
	assert_string_equal(t.v[1].origin, "inv.csv line 4");
	assert_string_equal(t.v[1].name, "two lines"); /* control characters never reach a report */
	assert_null(t.v[1].location);
	scan_targets_free(&t);
	/* GLPI exports use ';' */
	assert_int_equal(inv(&t, "Name;Entity;Location;IP\nMFP-1;Root > Paris;Floor 2;10.1.0.9\n", "host=IP,name=Name,location=Location"), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.v[0].host, "10.1.0.9");
	assert_string_equal(t.v[0].name, "MFP-1");
	assert_string_equal(t.v[0].location, "Floor 2");
	scan_targets_free(&t);
	/* a CIDR in the host column stands for its printers, with the row's settings */
	assert_int_equal(inv(&t, "ip,smtp_port\n10.1.0.0/30,587\n", NULL), 0);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.v[1].args.v[1], "587");
	scan_targets_free(&t);
}

static void inventory_settings(void **state)
{
	(void)state;
	char pwfile[] = "/tmp/mfp-test-pwXXXXXX";
	int fd = mkstemp(pwfile);
	assert_true(fd >= 0);
	close(fd);
	struct buf text = {0};
	buf_printf(&text, "host,snmp_version,community_env,snmp_user,vendor,web_port,smtp_server,smtp_port,tls,smtp_user,from,"
			  "smtp_password_env,web_password_file\n"
			  "10.1.0.5,2c,SITE1_COMMUNITY,,brother,8443,smtp.office365.com,587,starttls,scan@site1.example,"
			  "scan@site1.example,SITE1_SMTP_PW,%s\n10.1.0.6,,,,,,,,,,,,\n",
		   pwfile);
	struct scan_targets t = {0};
	assert_int_equal(inv(&t, buf_str(&text), NULL), 0);
	assert_int_equal(t.n, 2);
	struct buf b = {0};
	for (size_t i = 0; i < t.v[0].args.n; i++)
		buf_printf(&b, "%s ", t.v[0].args.v[i]);
	/* options come in the column table's order; check membership and pairs */
	assert_non_null(strstr(buf_str(&b), "--server smtp.office365.com "));
	assert_non_null(strstr(buf_str(&b), "--port 587 "));
	assert_non_null(strstr(buf_str(&b), "--tls starttls "));
	assert_non_null(strstr(buf_str(&b), "--user scan@site1.example "));
	assert_non_null(strstr(buf_str(&b), "--from scan@site1.example "));
	assert_non_null(strstr(buf_str(&b), "--snmp-version 2c "));
	assert_non_null(strstr(buf_str(&b), "--vendor brother "));
	assert_non_null(strstr(buf_str(&b), "--web-port 8443 "));
	assert_int_equal(t.v[0].args.n, 18);
	assert_int_equal(t.v[0].env.n, 2);
	assert_string_equal(t.v[0].env.v[0], "MFPDOCTOR_SNMP_COMMUNITY=SITE1_COMMUNITY");
	assert_string_equal(t.v[0].env.v[1], "MFPDOCTOR_SMTP_PASSWORD=SITE1_SMTP_PW");
	assert_int_equal(t.v[1].args.n, 0); /* empty cells: no override */
	assert_int_equal(t.v[1].env.n, 0);
	unlink(pwfile);
	buf_free(&b);
	buf_free(&text);
	scan_targets_free(&t);
}

static void inventory_secrets_refused(void **state)
{
	(void)state;
	struct scan_targets t = {0};
	assert_int_equal(inv(&t, "host,smtp_password_env\n10.1.0.5,Summer2024!\n", NULL), 1);
	assert_non_null(strstr(buf_str(&t.errs), "inv.csv line 2: column smtp_password_env: the value is not the name of "
						  "an environment variable"));
	assert_null(strstr(buf_str(&t.errs), "Summer2024")); /* never echoed */
	assert_int_equal(t.n, 0);
	scan_targets_free(&t);
	assert_int_equal(inv(&t, "host,web_password_file\n10.1.0.5,Hunter2-pw\n", NULL), 1);
	assert_non_null(strstr(buf_str(&t.errs), "line 2: column web_password_file: the value names no readable file"));
	assert_null(strstr(buf_str(&t.errs), "Hunter2"));
	scan_targets_free(&t);
	assert_int_equal(inv(&t, "host,smtp_password\n10.1.0.5,x\n", NULL), 1);
	assert_non_null(strstr(buf_str(&t.errs), "line 1: column \"smtp_password\" would hold a secret"));
	assert_non_null(strstr(buf_str(&t.errs), "smtp_password_env or smtp_password_file"));
	scan_targets_free(&t);
	assert_int_equal(inv(&t, "host,community_env\n10.1.0.5,public\n", NULL), 1); /* lower case: a value, not a name */
	assert_null(strstr(buf_str(&t.errs), "public"));
	scan_targets_free(&t);
	assert_true(scan_env_name_valid("SITE1_SMTP_PW"));
	assert_false(scan_env_name_valid("1ABC"));
	assert_false(scan_env_name_valid("pa$$word"));
}

static void inventory_errors(void **state)
{
	(void)state;
	expect_inv_error("10.1.0.5,Reception\n10.1.0.6,Office\n", NULL,
			 "inv.csv line 1: unknown column \"10.1.0.5\" -- this looks like a printer, not a header");
	expect_inv_error("host,smtp_sever\n10.1.0.5,x\n", NULL, "inv.csv line 1: unknown column \"smtp_sever\" (known: ");
	expect_inv_error("name,location\nx,y\n", NULL, "line 1: the header row has no host column");
	expect_inv_error("host,host\nx,y\n", NULL, "line 1: column \"host\" appears twice");
	expect_inv_error("host,name\n10.1.0.5,a\n,b\n", NULL, "inv.csv line 3: the host column (host) is empty");
	expect_inv_error("host,name\n10.1.0.5,a,b\n", NULL, "inv.csv line 2: 3 fields where the header row (line 1) has 2");
	expect_inv_error("host,name\n10.1.0.0/33,a\n", NULL, "inv.csv line 2: 10.1.0.0/33 is not an IPv4 CIDR block");
	expect_inv_error("host,name\n10.1.0.5,a\nmfp_1,b\n", NULL, "inv.csv line 3: \"mfp_1\" is not a host name");
	expect_inv_error("host,smtp_port\n10.1.0.5,99999\n", NULL, "inv.csv line 2: column smtp_port: \"99999\" is not a port");
	expect_inv_error("host,tls\n10.1.0.5,ssl\n", NULL, "line 2: column tls: \"ssl\" is not one of auto|none|starttls|implicit");
	expect_inv_error("host,snmp_version\n10.1.0.5,2\n", NULL, "line 2: column snmp_version: \"2\" is not one of 1|2c|3");
	expect_inv_error("host,from\n10.1.0.5,scanner\n", NULL, "line 2: column from: \"scanner\" is not an e-mail address");
	expect_inv_error("host,smtp_user\n10.1.0.5,--send\n", NULL, "line 2: column smtp_user: \"--send\" starts with '-'");
	expect_inv_error("host,name\n10.1.0.5,a \"b\" c\n", NULL, "inv.csv line 2: CSV syntax error");
	expect_inv_error("host,name\n10.1.0.5,\"abc\n", NULL, "inv.csv line 2: a quoted value is never closed");
	expect_inv_error("", NULL, "inv.csv: the inventory is empty");
	expect_inv_error("Name;IP\nx;10.1.0.5\n", "host=Address", "line 1: --columns: the header row has no column \"Address\"");
	expect_inv_error("Name;IP\nx;10.1.0.5\n", "hots=IP", "line 1: --columns: \"hots\" is not FIELD=HEADER");
	expect_inv_error("Name;IP\nx;10.1.0.5\n", "name=Name", "--columns must say which column holds the printer's address");
	expect_inv_error("Name;IP\nx;10.1.0.5\n", "host=IP,smtp_password=Name", "\"smtp_password\" is not FIELD=HEADER");
	/* errors on several lines are all reported, and nothing from the file is kept as a target */
	struct scan_targets t = {0};
	assert_int_equal(inv(&t, "host,smtp_port\n10.1.0.5,x\n10.1.0.6,25\n10.1.0.7,y\n", NULL), 2);
	assert_non_null(strstr(buf_str(&t.errs), "inv.csv line 2: "));
	assert_non_null(strstr(buf_str(&t.errs), "inv.csv line 4: "));
	scan_targets_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cidr),
		cmocka_unit_test(cap_counts_everything),
		cmocka_unit_test(ranges),
		cmocka_unit_test(hosts_and_names),
		cmocka_unit_test(hosts_file),
		cmocka_unit_test(nmap_and_duplicates),
		cmocka_unit_test(inventory_quoting),
		cmocka_unit_test(inventory_settings),
		cmocka_unit_test(inventory_secrets_refused),
		cmocka_unit_test(inventory_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
