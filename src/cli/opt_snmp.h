/* cli/opt_snmp.h — the SNMP options shared by `device` and `diagnose`: one setter for the rows
 * each command lists in its own (sorted) table, and the secret loading (community, SNMPv3 pass
 * phrases from environment, file, or argv with a warning). */
#ifndef MFP_CLI_OPT_SNMP_H
#define MFP_CLI_OPT_SNMP_H
#include <stdbool.h>
#include <stddef.h>

#include "device/snmp_read.h"

/* Option ids; commands put them in their tables with these ids. */
enum {
	OS_AUTH_PASS = 1000, OS_AUTH_PASS_FILE, OS_AUTH_PROTO, OS_COMMUNITY, OS_COMMUNITY_FILE, OS_CONTEXT,
	OS_LEVEL, OS_PRIV_PASS, OS_PRIV_PASS_FILE, OS_PRIV_PROTO, OS_RETRIES, OS_SNMP_VERSION, OS_SNMP_USER,
};

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
