/* diagnose/checklist.h — the settings checklist for one printer vendor (and model family) sending
 * through one mail service: for each setting, where it lives in the device's menus (vendor
 * profile `checklist`), the value it must have (mail profile `settings`), why, and the service-side
 * steps and dated deprecations. The builder is pure (profiles in, items out); `checklist` prints
 * it offline, and `diagnose` can later fill `observed`/`status` from a real device. */
#ifndef MFP_DIAGNOSE_CHECKLIST_H
#define MFP_DIAGNOSE_CHECKLIST_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Ordered so that a larger value is worse. */
/* CHECK_WARN: works now, but differs from what the service recommends. */
enum checklist_status { CHECK_UNKNOWN = 0, CHECK_OK, CHECK_WARN, CHECK_FAIL };

struct checklist_item {
	char *setting;       /* vendor setting key (smtp_host, smtp_port, security, tls_version, auth, user,
				password, from, ehlo_name, dns, clock, max_size, firmware, certificate) or, for
				service-side steps, the mail profile's checklist id */
	char *side;          /* "device" or "service" */
	char *where;         /* menu path / admin console path; NULL when the profile does not place it */
	char *label;         /* the field's label there, or the step's title */
	char *expected;      /* the value to set */
	char *observed;      /* what the device has (NULL until diagnose fills it) */
	enum checklist_status status;   /* CHECK_UNKNOWN offline */
	char *fix;           /* what to do when it is wrong */
	char *why;
	char *families;      /* family names the menu path applies to ("all"), or NULL */
	char *confidence;    /* sourced | unverified: is the menu path itself confirmed */
	struct strlist sources;
};

struct checklist_deadline {
	char *id, *what, *date, *detail;   /* date YYYY-MM-DD */
	bool past;                         /* date < today (given to the builder) */
	struct strlist sources;
};

struct checklist {
	char *vendor_id, *vendor_name, *family_id, *family_name, *service_id, *service_name;
	struct checklist_item *v;
	size_t n, cap;
	struct checklist_deadline *d;
	size_t nd;
	struct strlist notes;              /* service notes and caveats */
	char *service_host;                /* the service's recommended SMTP host, or NULL */
	struct strlist service_hosts;      /* regexes of the service's other valid host names */
};

/* Builds the checklist. vendor and service are profile roots (borrowed); family is a families[]
 * object of vendor or NULL (then items for every family are included, each naming its families);
 * today is "YYYY-MM-DD" (deadlines before it are marked past). out is zeroed first; free it with
 * checklist_free. This function can't fail. */
void checklist_build(const json_t *vendor, const json_t *family, const json_t *service, const char *today,
		     struct checklist *out);

/* Appends an empty item (setting and side copied; everything else NULL, status unknown). */
struct checklist_item *checklist_add(struct checklist *c, const char *setting, const char *side);

void checklist_free(struct checklist *c);

/* After the observed values are filled: an SMTP server item that is "ok" (the test connected)
 * but names another host than the service recommends (nor one of its other host names,
 * recognise.hosts: smtp-relay.gmail.com, an SES region) becomes a warning, observed "HOST —
 * differs from recommended: RECOMMENDED", with the fix to set the recommended name. */
void checklist_judge_host(struct checklist *c);

/* "ok", "warning", "fail", "unknown". */
const char *checklist_status_name(enum checklist_status s);

#endif
