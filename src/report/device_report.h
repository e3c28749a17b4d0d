/* report/device_report.h — renderers for a device read: JSON, terminal text and Markdown.
 * Pure functions of a finished struct device (never probe), reused by `diagnose`.
 * JSON schema: docs/device.md. Licence: see LICENSE. */
#ifndef MFP_REPORT_DEVICE_REPORT_H
#define MFP_REPORT_DEVICE_REPORT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/device.h"

/* Returns a new JSON object: host, identity, status, alerts, smtp, events, notes, tables_cut,
 * conflicts, facts, requests, http_requests. */
json_t *device_report_json(const struct device *d);
/* Parts, each a new reference. */
json_t *device_json_identity(const struct device *d);
json_t *device_json_status(const struct device *d);
json_t *device_json_alerts(const struct device *d);
json_t *device_json_smtp(const struct device *d);   /* each field {value, source, where} or null */
json_t *device_json_events(const struct device *d);

/* colour: ANSI colours (the caller decides: a tty and no NO_COLOR). */
void device_report_text(FILE *out, const struct device *d, bool colour);
void device_report_md(FILE *out, const struct device *d);

#endif
