/* device/identify.h — which maker and model family a device is, from the vendor profiles'
 * `match` sections (enterprise number, sysObjectID prefix, sysDescr and web-marker EREs) and
 * `families[].model` EREs. Pure: works on facts and strings; loading profiles is the only I/O.
 * Licence: see LICENSE. */
#ifndef MFP_DEVICE_IDENTIFY_H
#define MFP_DEVICE_IDENTIFY_H
#include <jansson.h>
#include <stdbool.h>

#include "core/device.h"

struct ident_vendor {
	char *id;          /* profile id, "brother" */
	char *name;        /* display name, "Brother" */
	json_t *root;      /* the whole profile (owned reference) */
};

struct ident_vendors {
	struct ident_vendor *v;
	size_t n;
};

/* Loads every vendor profile (schema mfpdoctor/vendor/1) from the embedded set plus overlay_dir
 * (may be NULL). Parse problems are added to errors (may be NULL). Free with ident_vendors_free. */
void ident_vendors_load(struct ident_vendors *vs, const char *overlay_dir, struct strlist *errors);
void ident_vendors_free(struct ident_vendors *vs);
/* Returns the vendor with profile id, or NULL (borrowed). */
const struct ident_vendor *ident_vendor_by_id(const struct ident_vendors *vs, const char *id);

/* Returns the enterprise number in a sysObjectID (its 7th arc under 1.3.6.1.4.1), or 0. */
unsigned long ident_enterprise(const char *sysobjectid);

/* Decides the vendor from identity.sysobjectid, identity.sysdescr and the hr.device.*.descr /
 * identity.printer_name facts of d, and sets identity.vendor, identity.vendor_id,
 * identity.enterprise (source src, where naming the signal). Disagreeing signals become a
 * note. Returns the matched profile (borrowed) or NULL (a maker without profile may still be
 * named from the built-in table). */
const struct ident_vendor *ident_snmp(struct device *d, const struct ident_vendors *vs);

/* Scores web evidence (page title, Server header, body) against every profile's web_markers.
 * Returns the best vendor or NULL; *marker gets the matching ERE (borrowed). */
const struct ident_vendor *ident_web(const struct ident_vendors *vs, const char *title, const char *server,
				     const char *body, const char **marker);

/* Sets identity.family from identity.model (else sysDescr) with the vendor's families[].model
 * EREs. Returns the family id (borrowed from the profile) or NULL. */
const char *ident_family(struct device *d, const struct ident_vendor *v, enum fact_source src);

/* Case-insensitive POSIX ERE match; an invalid pattern never matches. */
bool ident_ere_match(const char *pattern, const char *text);

#endif
