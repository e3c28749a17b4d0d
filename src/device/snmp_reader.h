/* device/snmp_reader.h — the state one SNMP read shares between its steps: snmp_read.c (the
 * plan, first contact, silence), snmp_get.c (scalar GETs and the agent's error answers) and
 * snmp_walk.c (table walks). Internal to device/; callers use snmp_read.h.
 * Licence: see LICENSE. */
#ifndef MFP_DEVICE_SNMP_READER_H
#define MFP_DEVICE_SNMP_READER_H
#include <stdbool.h>

#include "device/decode_device.h"
#include "device/snmp_read.h"
#include "device/snmp_sess.h"

/* Error-status answers one read accepts before it gives up asking (a broken agent that answers
 * genErr to everything must not cost hundreds of round trips). */
#define DSNMP_MAX_ERR_ANSWERS 24
/* Tallies of error-status answers to GETs, by error-status (the last slot: outside RFC 3416). */
#define DSNMP_NTALLY 20

struct dsnmp_tally {
	size_t count;          /* objects not read for this error-status */
	long errindex;         /* of the first answer */
	size_t nreq;
	char examples[400];    /* the first OIDs, ", "-separated */
	size_t nexamples;
};

struct dsnmp_reader {
	const struct dsnmp_request *rq;
	struct device *d;
	struct snmpw *s;
	long deadline;             /* monotonic ms */
	int version;
	struct snmpw_vbs all;      /* every value read */
	bool partial;              /* something the device has was not read */
	bool answered;             /* the agent answered at least once (values or an error-status) */
	long per_cap;              /* longest per-try timeout */
	bool budget_short;         /* the last request's timeout was cut to fit the budget */
	int retries;
	int err_answers;           /* error-status answers so far */
	bool toobig_noted;
	struct snmpw_err first_err; /* the first request that got no answer */
	struct dsnmp_tally tally[DSNMP_NTALLY];
};

long dsnmp_left_ms(const struct dsnmp_reader *r);
/* Fits the next request's timeout x (retries + 1) into what is left of the budget (noting in
 * budget_short when that made it shorter than usual). Returns false when too little is left. */
bool dsnmp_budget_next(struct dsnmp_reader *r);
/* Says once per read that the agent answered tooBig and mfpdoctor asks for less. */
void dsnmp_note_toobig(struct dsnmp_reader *r, const char *op, size_t asked);

/* snmp_get.c: GETs oids[0..n) (the array is reordered). tooBig, or an error-status that names
 * no object, splits the list in halves; an error-status naming one object drops it (tallied)
 * and asks again. Returns 0 when the agent answered (values, errors or both), -1 when a request
 * got no answer or the budget ran out (err filled). */
int dsnmp_get_scalars(struct dsnmp_reader *r, struct snmpw_oid *oids, size_t n, struct snmpw_err *err);
/* One note per error-status tallied by dsnmp_get_scalars; clears the tallies. */
void dsnmp_note_get_errors(struct dsnmp_reader *r);

/* snmp_walk.c: walks the columns (GETBULK, GETNEXT for v1 or when GETBULK answers out of
 * order), appending to r->all; a table that could not be read to its end gets one note. */
void dsnmp_walk(struct dsnmp_reader *r, const struct decode_oids *roots);

#endif
