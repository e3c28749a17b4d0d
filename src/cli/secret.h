/* cli/secret.h — reading secrets: from an environment variable, a file, a no-echo prompt, or
 * (discouraged, with a warning) the command line. Every secret read is registered for redaction. */
#ifndef MFP_CLI_SECRET_H
#define MFP_CLI_SECRET_H
#include <stddef.h>

struct secret_source {
	const char *what;        /* "SMTP password" */
	const char *env;         /* "MFPDOCTOR_SMTP_PASSWORD" */
	const char *file;        /* --password-file value or NULL; "-" = the first line of standard
				  * input (not echoed on a terminal; one secret per run) */
	const char *argv_value;  /* --password value or NULL (warns) */
	const char *argv_option; /* "--password", for the warning */
	int prompt;              /* may prompt on the terminal when nothing else gave one */
};

/* Returns a new string the caller frees with secret_free, or NULL when no source gave one.
 * On a source that exists but fails (unreadable file), returns NULL and writes err. */
char *secret_get(const struct secret_source *src, char *err, size_t errsz);
/* The same, but a value equal to well_known (a factory default that is no secret, "public" for
 * an SNMP community) is not registered for scrubbing: hiding the word would garble reports. */
char *secret_get_known(const struct secret_source *src, const char *well_known, char *err, size_t errsz);
void secret_free(char *s);

#endif
