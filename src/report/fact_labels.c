/* report/fact_labels.c — the label table for internal keys in reports; see fact_labels.h. */
#include "report/fact_labels.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exact keys (device facts). */
static const struct {
	const char *key, *label;
} facts[] = {
	{"identity.vendor", "Vendor"},
	{"identity.vendor_id", "Vendor profile"},
	{"identity.model", "Model"},
	{"identity.model_name", "Model name"},
	{"identity.family", "Model family"},
	{"identity.serial", "Serial number"},
	{"identity.firmware", "Firmware"},
	{"identity.sysdescr", "System description"},
	{"identity.sysobjectid", "SNMP system object id"},
	{"identity.enterprise", "SNMP enterprise number"},
	{"identity.sysname", "Name"},
	{"identity.hostname", "Host name"},
	{"identity.location", "Location"},
	{"identity.contact", "Contact"},
	{"identity.printer_name", "Printer name"},
	{"identity.web_server", "Web server"},
	{"identity.web_title", "Web page title"},
	{"status.device", "Device state"},
	{"status.printer", "Printer state"},
	{"status.errors", "Error state"},
	{"status.panel", "Control panel message"},
	{"status.clock", "Device clock"},
	{"status.clock_skew_s", "Clock difference (s)"},
	{"status.uptime_ticks", "Uptime (1/100 s)"},
	{"status.alerts_critical_total", "Critical alerts"},
	{"status.alerts_all_total", "Alerts"},
	{"snmp.version", "SNMP version"},
	{"smtp.host", "SMTP server"},
	{"smtp.port", "SMTP port"},
	{"smtp.security", "Connection security"},
	{"smtp.auth", "SMTP login (AUTH)"},
	{"smtp.user", "SMTP login name"},
	{"smtp.from", "From address"},
	{"smtp.password_set", "SMTP password set"},
	{"smtp.enabled", "E-mail enabled"},
	{"smtp.test_result", "Device's own test result"},
	{"smtp.max_size", "Maximum e-mail size"},
	{"smtp.ehlo_name", "EHLO host name"},
	{"smtp.tls_max", "Highest TLS version"},
	{"smtp.connect_failures", "Connection failures"},
	{"smtp.total_messages", "Messages sent"},
	{"smtp.digital_send_status", "Digital send status"},
	{"smtp.scan_to_email_state", "Scan-to-email state"},
	{"smtp.scan_to_email_detail", "Scan-to-email detail"},
	{"web.url", "Web pages address"},
	{"web.certificate_sha256", "Web certificate fingerprint (SHA-256)"},
	{"web.certificate_subject", "Web certificate subject"},
	{"web.certificate_verified", "Web certificate verified"},
	{"dns.from_domain", "Sender domain in DNS"},
	{"replay.source", "Read from a recording"},
};

/* Numbered rows: "<prefix><n>.<field>" -> "<label> n <what>" (n omitted when it is 1). */
static const struct {
	const char *prefix, *field, *what;
} numbered[] = {
	{"hr.device.", "descr", "description"},
	{"hr.device.", "type", "type"},
	{"hr.device.", "status", "state"},
	{"hr.device.", "errors", "errors"},
};

/* Checklist setting keys and test-send setting names. */
static const struct {
	const char *key, *label;
} settings[] = {
	{"smtp_host", "SMTP server"},
	{"smtp_port", "SMTP port"},
	{"security", "Connection security"},
	{"tls_version", "TLS version"},
	{"auth", "SMTP login (AUTH)"},
	{"user", "SMTP login name"},
	{"password", "SMTP password"},
	{"from", "From address"},
	{"ehlo_name", "EHLO host name"},
	{"dns", "DNS"},
	{"clock", "Date and time"},
	{"max_size", "Maximum e-mail size"},
	{"firmware", "Firmware"},
	{"certificate", "Certificates"},
	{"server", "SMTP server"},
	{"port", "Port"},
	{"tls", "Connection security"},
	{"tls_max", "Highest TLS version"},
	{"tls_min", "Lowest TLS version"},
	{"to", "Test recipient"},
	{"ehlo", "EHLO host name"},
	{"size", "Test message size"},
};

const char *setting_label(const char *key)
{
	for (size_t i = 0; key && i < sizeof(settings) / sizeof(settings[0]); i++)
		if (strcmp(settings[i].key, key) == 0)
			return settings[i].label;
	return NULL;
}

static const char *numbered_label(const char *key, char *buf, size_t bufsz)
{
	for (size_t i = 0; i < sizeof(numbered) / sizeof(numbered[0]); i++) {
		size_t n = strlen(numbered[i].prefix);
		if (strncmp(key, numbered[i].prefix, n) != 0)
			continue;
		char *end;
		unsigned long ix = strtoul(key + n, &end, 10);
		if (end == key + n || *end != '.' || strcmp(end + 1, numbered[i].field) != 0)
			continue;
		if (ix == 1)
			snprintf(buf, bufsz, "Device %s", numbered[i].what);
		else
			snprintf(buf, bufsz, "Device %lu %s", ix, numbered[i].what);
		return buf;
	}
	return NULL;
}

const char *fact_label(const char *key, char *buf, size_t bufsz, bool *derived)
{
	*derived = false;
	if (!key || !*key)
		return "";
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
		if (strcmp(facts[i].key, key) == 0)
			return facts[i].label;
	if (numbered_label(key, buf, bufsz))
		return buf;
	*derived = true;
	const char *last = strrchr(key, '.');
	last = last && last[1] ? last + 1 : key;
	size_t k = 0;
	for (const char *p = last; *p && k + 1 < bufsz; p++)
		buf[k++] = *p == '_' ? ' ' : *p;
	buf[k] = '\0';
	if (k)
		buf[0] = (char)toupper((unsigned char)buf[0]);
	return buf;
}
