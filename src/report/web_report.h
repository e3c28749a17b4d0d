/* report/web_report.h — renderers for `mfpdoctor web`: what was read from the printer's web
 * pages (SMTP settings with source and place, log events, identity, certificate, notes and the
 * requests sent). Pure functions of the device record and the web trace; they never probe.
 * JSON schema: docs/web.md ("Output"). */
#ifndef MFP_REPORT_WEB_REPORT_H
#define MFP_REPORT_WEB_REPORT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/device.h"
#include "device/web_read.h"

/* Returns a new JSON object: host, url, vendor, pageset, identity, smtp {host, port, security,
 * auth, user, from, max_size — each {value, source, where} or null}, events, certificate,
 * conflicts, notes, requests, request_count, versions. */
json_t *web_report_json(const struct device *d, const struct web_trace *t);
/* colour: ANSI colours (the caller decides: a tty and no NO_COLOR). */
void web_report_text(FILE *out, const struct device *d, const struct web_trace *t, bool colour);
void web_report_md(FILE *out, const struct device *d, const struct web_trace *t);

#endif
