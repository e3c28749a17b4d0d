/* core/stage.h — the stages of an SMTP submission, generated from one X-macro list so the enum,
 * the count and the names cannot drift. Knowledge-base stages add dns/ndr/device/unknown. */
#ifndef MFP_CORE_STAGE_H
#define MFP_CORE_STAGE_H

#define STAGE_LIST(X)                          \
	X(CONNECT, "connect")                  \
	X(BANNER, "banner")                    \
	X(EHLO, "ehlo")                        \
	X(STARTTLS, "starttls")                \
	X(TLS_HANDSHAKE, "tls-handshake")      \
	X(EHLO_AFTER_TLS, "ehlo-after-tls")    \
	X(AUTH, "auth")                        \
	X(MAIL_FROM, "mail-from")              \
	X(RCPT_TO, "rcpt-to")                  \
	X(DATA, "data")                        \
	X(END_OF_DATA, "end-of-data")          \
	X(QUIT, "quit")                        \
	X(DNS, "dns")                          \
	X(NDR, "ndr")                          \
	X(DEVICE, "device")                    \
	X(UNKNOWN, "unknown")

#define STAGE_ENUM(id, name) STAGE_##id,
enum stage { STAGE_LIST(STAGE_ENUM) STAGE_LAST };
#undef STAGE_ENUM

/* The last stage that occurs inside a live SMTP session. */
#define STAGE_LAST_SMTP STAGE_QUIT

/* Returns the stage's name; aborts on an impossible value. */
const char *stage_name(enum stage s);
/* Parses a stage name; returns STAGE_LAST when unknown. Also accepts short forms
 * used on the command line: tls (= tls-handshake), mail (= mail-from), rcpt (= rcpt-to). */
enum stage stage_parse(const char *name);

#endif
