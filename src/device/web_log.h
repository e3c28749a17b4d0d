/* device/web_log.h — reading a job or error log page into device events, per the "events" rules
 * of a profile page (XPath rows or an ERE over the raw body; see docs/web.md). Pure: no I/O.
 * A log longer than the rule's "max" (default WEB_LOG_MAX_DEFAULT) keeps the newest entries
 * when the order can be told from the times, and says in one note how many were not read. */
#ifndef MFP_DEVICE_WEB_LOG_H
#define MFP_DEVICE_WEB_LOG_H
#include <jansson.h>

#include "core/device.h"
#include "device/web_extract.h"

#define WEB_LOG_MAX_DEFAULT 50
#define WEB_LOG_SCAN_MAX 5000 /* rows examined per log at most (a bigger log is counted as "more than") */

/* Reads the events of doc (page path, for notes and "where") with evs: one rule object or an
 * array of them. Adds events and notes to d; returns the number of events added. */
int web_log_read(struct device *d, const char *path, const struct web_doc *doc, const json_t *evs);

#endif
