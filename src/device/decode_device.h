/* device/decode_device.h — turns the varbinds an SNMP read collected into the device record:
 * identity, state, the Printer-MIB alert table (every column), the front panel, the vendor
 * profile's `snmp` settings and events, the device clock and its skew. Pure (no I/O) so unit
 * tests feed it recorded values. Every oddity (wrong type, "NULL", out-of-range enum, binary or
 * huge strings) becomes a device_note, never a failure. Licence: see LICENSE. */
#ifndef MFP_DEVICE_DECODE_DEVICE_H
#define MFP_DEVICE_DECODE_DEVICE_H
#include <time.h>

#include "core/device.h"
#include "device/identify.h"
#include "device/snmp_sess.h"

/* Decodes all (the union of GET and walk results; order and duplicates do not matter, the first
 * value of an OID wins) into d. vs gives the vendor profiles; now is the local clock. Returns
 * the vendor profile matched (borrowed from vs) or NULL. */
const struct ident_vendor *decode_device(struct device *d, const struct ident_vendors *vs,
					 const struct snmpw_vbs *all, time_t now);

/* A list of OIDs. */
struct decode_oids {
	struct snmpw_oid *v;
	size_t n, cap;
};
/* Adds a parsed OID unless it is invalid or already listed; returns 0 or -1 (invalid). */
int decode_oids_add(struct decode_oids *l, const char *dotted);
void decode_oids_free(struct decode_oids *l);

/* The OIDs a vendor profile's `snmp` section reads: scalar instances to GET and table columns
 * to walk. Invalid OIDs in the profile are skipped. */
void decode_vendor_oids(const struct ident_vendor *v, struct decode_oids *scalars,
			struct decode_oids *columns);

#endif
