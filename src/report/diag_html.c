/* report/diag_html.c — the diagnosis as one self-contained HTML file for a ticket: inline CSS,
 * no scripts, no external requests (CSP), every device and server string escaped. The header
 * names the printer (name, model, location, serial; the address), the run (date and time,
 * version, the command with secrets hidden); then the verdict, the findings, and the details.
 * Printing (A4) puts the evidence and fixes first (diag_html_css.c). */
#include <stdlib.h>
#include <string.h>

#include "report/diag_html.h"
#include "report/diag_report.h"
#include "report/smtp_report.h"

struct printer_id {
	const char *name, *location, *serial;
	char model[300];
	bool model_known;
};

static void printer_id(const struct diagnosis *dg, struct printer_id *p)
{
	const struct device *d = &dg->dev;
	p->name = device_value(d, "identity.sysname");
	if (!p->name || !*p->name)
		p->name = device_value(d, "identity.printer_name");
	if (!p->name || !*p->name)
		p->name = device_value(d, "identity.hostname");
	p->location = device_value(d, "identity.location");
	p->serial = device_value(d, "identity.serial");
	p->model_known = device_value(d, "identity.model") || device_value(d, "identity.vendor");
	diag_device_title(dg, p->model, sizeof(p->model));
}

/* "NAME — MODEL, LOCATION, serial SERIAL": the parts that are known; the address when none is. */
static void title_text(FILE *out, const struct printer_id *p, const char *host)
{
	bool any = false;
	if (p->name && *p->name) {
		html_esc(out, p->name);
		any = true;
	}
	if (p->model_known) {
		fputs(any ? " — " : "", out);
		html_esc(out, p->model);
		any = true;
	}
	if (p->location && *p->location) {
		fputs(any ? ", " : "", out);
		html_esc(out, p->location);
		any = true;
	}
	if (p->serial && *p->serial) {
		fputs(any ? ", serial " : "serial ", out);
		html_esc(out, p->serial);
		any = true;
	}
	if (!any) {
		fputs("unknown printer at ", out);
		html_esc(out, host);
	}
}

static void meta(FILE *out, const char *term, const char *value, const char *cls)
{
	fprintf(out, "<div%s%s%s><dt>%s</dt><dd>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "", term);
	if (value && *value)
		html_esc(out, value);
	else
		fputs("<span class=\"none\">not reported by the device</span>", out);
	fputs("</dd></div>", out);
}

static void header_html(FILE *out, const struct diagnosis *dg, const struct printer_id *p)
{
	fputs("<header id=\"report-header\"><h1>Scan-to-email diagnosis: ", out);
	title_text(out, p, dg->dev.host);
	fputs("</h1>\n<dl class=\"meta\" id=\"meta\">", out);
	meta(out, "Printer name", p->name, NULL);
	meta(out, "Model", p->model_known ? p->model : NULL, NULL);
	meta(out, "Location", p->location, NULL);
	meta(out, "Serial number", p->serial, NULL);
	meta(out, "Address", dg->dev.host, NULL);
	meta(out, "Mail service", dg->service_name ? dg->service_name : "not recognised", NULL);
	fputs("<div id=\"run-started\"><dt>Run</dt><dd><time datetime=\"", out);
	html_esc(out, dg->started);
	fputs("\">", out);
	html_esc(out, dg->started[0] ? dg->started : "unknown");
	fputs("</time></dd></div>", out);
	json_t *v = json_versions();
	meta(out, "mfpdoctor version", json_string_value(json_object_get(v, "mfpdoctor")), NULL);
	json_decref(v);
	fputs("<div class=\"wide\" id=\"run-command\"><dt>Command</dt><dd><code>", out);
	html_esc(out, dg->command ? dg->command : "mfpdoctor diagnose");
	fputs("</code></dd></div></dl>\n", out);
	fputs("<nav class=\"screen-only\"><a href=\"#findings\">What is wrong</a><a href=\"#checklist-section\">Checklist</a>"
	      "<a href=\"#events\">Device errors</a><a href=\"#test\">Test send</a><a href=\"#facts\">Device facts</a></nav>"
	      "</header>\n", out);
}

static const char *verdict_text(const struct diagnosis *dg)
{
	switch (dg->status) {
	case MFP_EXIT_OK: return "OK — scan-to-email should work";
	case MFP_EXIT_WARNING: return "Warning — works now, but something needs attention";
	case MFP_EXIT_CRITICAL: return "Critical — scan-to-email will fail";
	default:
		return dg->ncuts ? "Unknown — not tested: the time budget ran out before a verdict"
				 : "Unknown — could not diagnose (see the notes)";
	}
}

void diag_report_html(FILE *out, const struct diagnosis *dg)
{
	struct printer_id p;
	printer_id(dg, &p);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
	      "<meta name=\"referrer\" content=\"no-referrer\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Scan-to-email diagnosis: ", out);
	title_text(out, &p, dg->dev.host);
	fprintf(out, "</title><style>%s</style></head><body><main>\n", diag_html_css);
	header_html(out, dg, &p);
	fprintf(out, "<section id=\"verdict\"><div class=\"status s-%s\" id=\"status\">%s</div>\n", diag_status_name(dg->status),
		verdict_text(dg));
	html_cuts(out, dg);
	fputs("</section>\n", out);
	html_findings(out, dg);
	html_events(out, dg);
	html_sequence(out, dg);
	html_checklist(out, dg);
	html_device(out, dg);
	json_t *v = json_versions();
	fputs("<footer>Run ", out);
	html_esc(out, dg->started);
	fprintf(out, " · mfpdoctor %s · libcurl %s (%s) · net-snmp %s · took %.1f s</footer>\n</main></body></html>\n",
		json_string_value(json_object_get(v, "mfpdoctor")), json_string_value(json_object_get(v, "libcurl")),
		json_string_value(json_object_get(v, "tls_backend")), json_string_value(json_object_get(v, "net_snmp")),
		dg->elapsed_ms / 1000.0);
	json_decref(v);
}
