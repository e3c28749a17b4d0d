/* device/decode_ctx.h — what the decode_*.c files share while turning one read's varbinds into
 * the device record: the context, value lookups, typed reads that note oddities, and notes
 * that collapse repeats (the same oddity in 500 rows is one note with a count, not 500).
 * Internal to device/; callers use decode_device.h. Licence: see LICENSE. */
#ifndef MFP_DEVICE_DECODE_CTX_H
#define MFP_DEVICE_DECODE_CTX_H
#include <stdbool.h>
#include <time.h>

#include <jansson.h>

#include "core/device.h"
#include "device/decode.h"
#include "device/identify.h"
#include "device/snmp_oid.h"

#define DECODE_MAX_TEXT 1000

struct dctx_note {
	char *key;             /* what repeats: "<object>|<kind>" */
	size_t note;           /* index in d->notes of the first one */
	size_t more;           /* repeats not written */
};

struct dctx {
	struct device *d;
	const struct snmpw_vbs *all;
	time_t now;
	long long uptime;      /* sysUpTime ticks, -1 unknown */
	time_t dev_clock;      /* device clock (UTC) or 0 */
	const char *code_pattern;
	struct dctx_note *notes;
	size_t nnotes;
};

/* A note about object's value; a second one with the same object and kind only counts. */
void dctx_note(struct dctx *c, const char *object, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Appends "(the same in N more rows)" to the notes that repeated; frees the bookkeeping. */
void dctx_notes_finish(struct dctx *c);

const struct snmpw_vb *dctx_find(const struct snmpw_vbs *all, const char *dotted);
bool dctx_absent(const struct snmpw_vb *vb);
bool dctx_number(const struct snmpw_vb *vb);
/* The varbind's OID as dotted text (a new string). */
char *dctx_oid(const struct snmpw_vb *vb);
/* Text of an OCTET STRING with notes for oddities. Returns a new string ("" when empty). */
char *dctx_text(struct dctx *c, const struct snmpw_vb *vb, const char *object);
/* Integer value of vb, accepting numbers sent as strings (with a note). Returns 0 or -1. */
int dctx_int(struct dctx *c, const struct snmpw_vb *vb, const char *object, long long *out);
/* An enumerated value as "name(N)" into out (and as fact key when key is not NULL); note:
 * say when N is outside the enumeration. */
void dctx_enum(struct dctx *c, const char *key, const struct snmpw_vb *vb, const char *object,
	       const struct decode_enum *tab, size_t n, char *out, size_t outsz, bool note);

/* decode_std.c */
void decode_std_scalars(struct dctx *c);
/* Reads hrDeviceTable/hrPrinterTable; *printer gets the printer's hrDeviceIndex (n = 0: none). */
void decode_std_hr(struct dctx *c, struct snmpw_oid *printer);
void decode_std_console(struct dctx *c);
/* decode_alerts.c */
void decode_alerts(struct dctx *c);
/* decode_vendor.c */
const json_t *decode_snmp_section(const struct ident_vendor *v);
void decode_vendor_settings(struct dctx *c, const json_t *sec);
void decode_vendor_events(struct dctx *c, const json_t *sec);

#endif
