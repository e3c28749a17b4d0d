/* core/device.h — everything learnt about one printer: identity, state, SMTP settings, events
 * and notes. Probes (SNMP, web, the command line) add facts; each fact keeps its source and where
 * it was read; a second source disagreeing with the first is recorded as a conflict. Rules and
 * renderers only read it. */
#ifndef MFP_CORE_DEVICE_H
#define MFP_CORE_DEVICE_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/buf.h"

enum fact_source { FACT_SNMP, FACT_WEB, FACT_USER, FACT_PROFILE };
const char *fact_source_name(enum fact_source s); /* "snmp" | "web" | "user" | "profile" */

/* Well-known fact keys (others may be used; keep them "group.name"):
 *   identity.vendor identity.vendor_id identity.model identity.family identity.firmware
 *   identity.serial identity.sysdescr identity.sysobjectid identity.sysname identity.location
 *   identity.contact identity.hostname identity.web_server
 *   status.device status.printer status.errors status.panel status.clock
 *   smtp.host smtp.port smtp.security (none|starttls|implicit) smtp.auth (none|plain|login|cram-md5|
 *   ntlm|xoauth2|auto|pop-before-smtp) smtp.user smtp.from smtp.ehlo_name smtp.tls_max (1.0..1.3)
 *   smtp.max_size (bytes) smtp.test_result */
/* The largest message size a device may sensibly report (2 GiB): larger values are capped, with
 * a note ("the device reports an implausible max size"); negative or non-numeric ones dropped.
 * smtp.port must be 1-65535. device_set() enforces both. */
#define DEVICE_MAX_SIZE 2147483648LL

struct fact {
	char *key;
	char *value;          /* sanitised text */
	enum fact_source source;
	char *where;          /* OID, or page path + field, or "--option" */
	bool guessed;         /* lower confidence: guessed from a label or name by the generic web
			       * reader (device_guess), not read from a field a profile knows */
};

enum event_origin { EV_SNMP_ALERT, EV_WEB_JOBLOG, EV_WEB_ERRORLOG, EV_PANEL, EV_SNMP_VENDOR };
const char *event_origin_name(enum event_origin o); /* snmp-alert web-joblog web-errorlog panel snmp-vendor */

struct device_event {
	char *code;           /* vendor code as shown, e.g. "017-715", or NULL */
	char *text;           /* description as the device gives it (sanitised) */
	char *time;           /* as reported, or NULL */
	enum event_origin origin;
	char *where;
	char *severity;       /* as reported, or NULL */
};

struct device_conflict {
	char *key;
	char *value_a, *value_b;
	enum fact_source source_a, source_b;
};

struct device {
	char *host;                    /* as given by the user */
	struct fact *facts;
	size_t nfacts, capfacts;
	struct device_event *events;
	size_t nevents, capevents;
	struct device_conflict *conflicts;
	size_t nconflicts;
	struct strlist notes;          /* what could not be read and why, oddities seen */
	int snmp_requests;             /* SNMP PDUs sent */
	int web_requests;              /* HTTP requests sent */
	long clock_skew_s;             /* device clock minus local clock */
	bool clock_known;
};

void device_init(struct device *d, const char *host);
/* Sets a fact (copies everything; value is sanitised). An existing fact with the same key from
 * the same source is replaced; from another source with a different value, the first stays and
 * a conflict is recorded. A NULL or empty value is ignored. */
void device_set(struct device *d, const char *key, const char *value, enum fact_source src,
		const char *where);
/* Sets a guessed fact (fact.guessed; where says from what, e.g. "guessed from label 'Serveur
 * SMTP' on /mail.html"): only when no fact has the key yet. A later device_set from any source
 * replaces a guess (recording a conflict when the values differ). Returns true when set. */
bool device_guess(struct device *d, const char *key, const char *value, enum fact_source src, const char *where);
/* "guessed" or "read" (JSON "confidence" of a fact). */
const char *fact_confidence_name(const struct fact *f);
/* Returns the fact for key or NULL (borrowed). */
const struct fact *device_get(const struct device *d, const char *key);
/* Returns the value for key or NULL (borrowed). */
const char *device_value(const struct device *d, const char *key);
/* Adds an event (copies; text sanitised). Returns a borrowed pointer. */
struct device_event *device_add_event(struct device *d, enum event_origin origin, const char *code,
				      const char *text, const char *time, const char *where);
void device_note(struct device *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void device_free(struct device *d);

#endif
