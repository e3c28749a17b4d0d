/* device/decode_rows.h — the rows of one table column among a read's varbinds: sorted by
 * index, one value per OID (the first read wins), looked up by index in O(log n). Indexes are
 * arcs of any length (up to SNMP's 128), never cut to a buffer, so two long indexes that share
 * a prefix stay two rows. Pure. Licence: see LICENSE. */
#ifndef MFP_DEVICE_DECODE_ROWS_H
#define MFP_DEVICE_DECODE_ROWS_H
#include <stddef.h>

#include "device/snmp_oid.h"

struct drows {
	const struct snmpw_vb **v;   /* borrowed from the varbind list, sorted by OID */
	size_t n;
	size_t rootlen;              /* arcs of the column OID */
};

/* Collects the values under column (dotted) that are present (not NULL, noSuchObject, noSuchInstance or endOfMibView). */
void drows_collect(const struct snmpw_vbs *all, const char *column, struct drows *r);
void drows_free(struct drows *r);
/* Row i's index: the arcs after the column. */
void drows_index(const struct drows *r, size_t i, struct snmpw_oid *idx);
/* The value in row idx, or NULL. */
const struct snmpw_vb *drows_find(const struct drows *r, const struct snmpw_oid *idx);
/* Dotted text of an index (a new string; "" for an empty index). */
char *drows_index_text(const struct snmpw_oid *idx);

/* The sorted, duplicate-free union of the indexes of several columns. */
struct dindexes {
	struct snmpw_oid *v;
	size_t n, cap;
};
void dindexes_add(struct dindexes *x, const struct drows *r);
void dindexes_finish(struct dindexes *x);
void dindexes_free(struct dindexes *x);

#endif
