/* smtp/caps.h — the EHLO capability list, parsed (libcurl keeps its own parse private). */
#ifndef MFP_SMTP_CAPS_H
#define MFP_SMTP_CAPS_H
#include <stdbool.h>
#include "util/buf.h"

struct smtp_caps {
	bool seen;              /* an EHLO reply was parsed */
	bool size_present;
	long long size;         /* SIZE limit in bytes; 0 = advertised without a limit */
	bool starttls, pipelining, eightbitmime, smtputf8, dsn, chunking, enhancedstatuscodes;
	struct strlist auth;    /* AUTH mechanisms, upper case, in the server's order */
	struct strlist keywords;/* every extension line as sent (sanitised), greeting line excluded */
	char *greeting;         /* the first line's text (server name and greeting) */
	bool cut;               /* the reply was cut (SMTP_REPLY_MAX_LINES): later keywords were not seen */
};

/* Parses a 250 EHLO reply given as its lines joined by '\n' (codes included, as in
 * smtp_reply.lines). Resets caps first. This function can't fail; unknown keywords are kept. */
void smtp_caps_parse(struct smtp_caps *caps, const char *lines);
bool smtp_caps_has_auth(const struct smtp_caps *caps, const char *mech);
void smtp_caps_free(struct smtp_caps *caps);

#endif
