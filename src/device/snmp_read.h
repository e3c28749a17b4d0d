/* device/snmp_read.h — reading a printer over SNMP in as few round trips as possible: one GET
 * with every scalar (split on tooBig), then GETBULK walks of all table columns in parallel
 * (GETNEXT for SNMPv1 or when GETBULK misbehaves), inside one time budget. Silence is explained
 * (agent not running, wrong community or firewall, SNMPv3 credentials); error answers are
 * reported as what they are (genErr for OID X, tooBig, noSuchName); a table not read to its end
 * says so. Uses snmp_sess.h for transport and decode_device.h to turn the values into facts.
 * Read-only: never sends SET. Licence: see LICENSE. */
#ifndef MFP_DEVICE_SNMP_READ_H
#define MFP_DEVICE_SNMP_READ_H
#include <stdbool.h>

#include "core/device.h"
#include "device/identify.h"
#include "device/snmp_sess.h"

struct dsnmp_request {
	struct snmpw_conf conf;  /* version, credentials, retries; conf.timeout_ms is ignored */
	bool v1_fallback;        /* v2c got no answer at all: try SNMPv1 once */
	long budget_ms;          /* the whole read ends within this */
	bool probe;              /* explain silence with a raw SNMPv3 discovery probe */
};

/* The read's outcome, in exit-code order (device command: 0, 1, 3). */
enum dsnmp_result { DSNMP_OK = 0, DSNMP_PARTIAL = 1, DSNMP_NONE = 3 };

/* Reads the device into d (facts, events, notes, d->snmp_requests). vs: vendor profiles.
 * Writes what could not be read, and why, as notes. Returns the outcome: DSNMP_NONE when no
 * value was read (silence, or error answers only), DSNMP_PARTIAL when something the device has
 * was not read (a table cut, an object the agent failed on, the budget), else DSNMP_OK. */
enum dsnmp_result dsnmp_read(const struct dsnmp_request *rq, const struct ident_vendors *vs, struct device *d);

/* Attaches the knowledge base's meaning (kb_vendor_lookup) to every event with a vendor code,
 * as facts event.<index>.meaning (source profile, where = the profile entry). */
void dsnmp_explain_events(struct device *d);

#endif
