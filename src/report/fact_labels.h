/* report/fact_labels.h — readable labels for internal keys shown in reports: device facts
 * ("identity.location" -> "Location"), checklist setting keys ("smtp_host" -> "SMTP server") and
 * the test send's settings ("tls_max" -> "Highest TLS version"). */
#ifndef MFP_REPORT_FACT_LABELS_H
#define MFP_REPORT_FACT_LABELS_H
#include <stdbool.h>
#include <stddef.h>

/* The label of a device fact key. Known keys come from a table (numbered rows such as
 * "hr.device.2.descr" keep their number: "Device 2 description"); any other key gets a label
 * derived from its last component: underscores to spaces, first letter capitalised
 * ("identity.web_title" -> "Web title"), and *derived is set (callers then show the raw key).
 * Writes into buf when it derives; returns buf or a static string. */
const char *fact_label(const char *key, char *buf, size_t bufsz, bool *derived);

/* The readable name of a checklist setting key or a test-send setting name; NULL when unknown. */
const char *setting_label(const char *key);

#endif
