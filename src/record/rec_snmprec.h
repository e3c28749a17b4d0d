/* record/rec_snmprec.h — the snmpsim recording format, one `OID|TAG|VALUE` line per object,
 * sorted by OID: tags 2 INTEGER, 4 OCTET STRING (4x = hex), 5 NULL, 6 OBJECT IDENTIFIER,
 * 64 IpAddress, 65 Counter32, 66 Gauge32, 67 TimeTicks, 70 Counter64. Turns our plain varbinds
 * (device/snmp_oid.h) into lines and back. Pure; no I/O. */
#ifndef MFP_RECORD_REC_SNMPREC_H
#define MFP_RECORD_REC_SNMPREC_H
#include <stdbool.h>

#include "device/snmp_oid.h"
#include "util/buf.h"

/* Appends the line for v (with "\n") to b; returns false (nothing appended) for an exception
 * value (noSuchObject, noSuchInstance, endOfMibView) or a type the format cannot hold. */
bool rec_snmprec_line(struct buf *b, const struct snmpw_vb *v);
/* Parses one line (without the newline) into a new varbind appended to out. Returns 0, or -1
 * with a reason in why (the caller names the file and the line). */
int rec_snmprec_parse(const char *line, struct snmpw_vbs *out, char *why, size_t whysz);
/* Sorts l by OID and drops duplicates (the later one wins). */
void rec_snmprec_sort(struct snmpw_vbs *l);

#endif
