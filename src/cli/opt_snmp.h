/* cli/opt_snmp.h — the SNMP options shared by `device` and `diagnose`: one setter for the rows
 * each command lists in its own (sorted) table, and the secret loading (community, SNMPv3 pass
 * phrases from environment, file, or argv with a warning). */
#ifndef MFP_CLI_OPT_SNMP_H
#define MFP_CLI_OPT_SNMP_H
#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"
#include "device/snmp_read.h"

/* Option ids; commands put them in their tables with these ids. */
enum {
	OS_AUTH_PASS = 1000, OS_AUTH_PASS_FILE, OS_AUTH_PROTO, OS_COMMUNITY, OS_COMMUNITY_FILE, OS_CONTEXT,
	OS_LEVEL, OS_PRIV_PASS, OS_PRIV_PASS_FILE, OS_PRIV_PROTO, OS_RETRIES, OS_SNMP_VERSION, OS_SNMP_USER,
};

/* The rows of the SNMP options, written once: each command puts the ones it takes into its own
 * sorted table (`OPT_SNMP_ROW(RETRIES),`). Category "SNMP". */
#define OPT_SNMP_AUTH_PASS_FILE {"auth-pass-file", 0, CLI_VALUE, OS_AUTH_PASS_FILE, "FILE", \
	"SNMPv3 authentication pass phrase file (or MFPDOCTOR_SNMP_AUTH_PASS)", "SNMP"}
#define OPT_SNMP_AUTH_PROTO {"auth-proto", 0, CLI_VALUE, OS_AUTH_PROTO, "MD5|SHA|SHA-256", \
	"SNMPv3 authentication protocol (default SHA)", "SNMP"}
#define OPT_SNMP_COMMUNITY_FILE {"community-file", 0, CLI_VALUE, OS_COMMUNITY_FILE, "FILE", \
	"SNMP v1/v2c community file (or MFPDOCTOR_SNMP_COMMUNITY; default public)", "SNMP"}
#define OPT_SNMP_CONTEXT {"context", 0, CLI_VALUE, OS_CONTEXT, "NAME", "SNMPv3 context name (default empty)", "SNMP"}
#define OPT_SNMP_LEVEL {"level", 0, CLI_VALUE, OS_LEVEL, "noauth|auth|priv", \
	"SNMPv3 security level (default: priv with a privacy pass phrase, auth with an authentication one)", "SNMP"}
#define OPT_SNMP_PRIV_PASS_FILE {"priv-pass-file", 0, CLI_VALUE, OS_PRIV_PASS_FILE, "FILE", \
	"SNMPv3 privacy pass phrase file (or MFPDOCTOR_SNMP_PRIV_PASS)", "SNMP"}
#define OPT_SNMP_PRIV_PROTO {"priv-proto", 0, CLI_VALUE, OS_PRIV_PROTO, "DES|AES", \
	"SNMPv3 privacy protocol (default AES, i.e. AES-128)", "SNMP"}
#define OPT_SNMP_RETRIES {"retries", 0, CLI_VALUE, OS_RETRIES, "N", "SNMP retries per request, 0-5 (default 1)", "SNMP"}
#define OPT_SNMP_SNMP_USER {"snmp-user", 0, CLI_VALUE, OS_SNMP_USER, "NAME", "SNMPv3 security name (selects SNMPv3)", "SNMP"}
#define OPT_SNMP_SNMP_VERSION {"snmp-version", 0, CLI_VALUE, OS_SNMP_VERSION, "1|2c|3", \
	"SNMP version (default 2c, falling back to 1 once when 2c gets no answer)", "SNMP"}

struct opt_snmp {
	struct dsnmp_request rq;
	bool version_set, level_set;
	const char *community_argv, *community_file, *auth_argv, *auth_file, *priv_argv, *priv_file;
	char *community, *auth, *priv;    /* owned secrets after opt_snmp_finish */
};

/* Defaults: SNMPv2c with v1 fallback, 1 retry, SHA/AES for v3, discovery probe on. */
void opt_snmp_init(struct opt_snmp *o);
/* Applies one option; returns 0, -1 (message in err), or 1 when id is not an SNMP option. */
int opt_snmp_set(struct opt_snmp *o, int id, const char *v, char *err, size_t errsz);
/* After parsing: selects the version, reads the secrets. cmd names the command for messages.
 * Returns 0 or MFP_EXIT_USAGE (message printed). */
int opt_snmp_finish(struct opt_snmp *o, const char *cmd, const char *peer);
void opt_snmp_free(struct opt_snmp *o);

#endif
