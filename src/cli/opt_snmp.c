/* cli/opt_snmp.c — shared SNMP options; see opt_snmp.h. */
#include "cli/opt_snmp.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/secret.h"
#include "core/finding.h"

void opt_snmp_init(struct opt_snmp *o)
{
	memset(o, 0, sizeof(*o));
	o->rq.conf.version = 2;
	o->rq.conf.retries = 1;
	o->rq.conf.auth_proto = SNMPW_AUTH_SHA;
	o->rq.conf.priv_proto = SNMPW_PRIV_AES;
	o->rq.probe = true;
}

int opt_snmp_set(struct opt_snmp *o, int id, const char *v, char *err, size_t errsz)
{
	struct snmpw_conf *q = &o->rq.conf;
	long n;
	int i;
	switch (id) {
	case OS_AUTH_PASS: o->auth_argv = v; return 0;
	case OS_AUTH_PASS_FILE: o->auth_file = v; return 0;
	case OS_AUTH_PROTO:
		if ((i = cli_parse_choice("auth-proto", v, "MD5|SHA|SHA-256", err, errsz)) < 0)
			return -1;
		q->auth_proto = (enum snmpw_auth_proto)i;
		return 0;
	case OS_COMMUNITY: o->community_argv = v; return 0;
	case OS_COMMUNITY_FILE: o->community_file = v; return 0;
	case OS_CONTEXT: q->context = v; return 0;
	case OS_LEVEL:
		if ((i = cli_parse_choice("level", v, "noauth|auth|priv", err, errsz)) < 0)
			return -1;
		q->level = (enum snmpw_level)i;
		o->level_set = true;
		return 0;
	case OS_PRIV_PASS: o->priv_argv = v; return 0;
	case OS_PRIV_PASS_FILE: o->priv_file = v; return 0;
	case OS_PRIV_PROTO:
		if ((i = cli_parse_choice("priv-proto", v, "DES|AES", err, errsz)) < 0)
			return -1;
		q->priv_proto = (enum snmpw_priv_proto)i;
		return 0;
	case OS_RETRIES:
		if (cli_parse_long("retries", v, 0, 5, &n, err, errsz))
			return -1;
		q->retries = (int)n;
		return 0;
	case OS_SNMP_VERSION:
		if ((i = cli_parse_choice("snmp-version", v, "1|2c|3", err, errsz)) < 0)
			return -1;
		q->version = i + 1;
		o->version_set = true;
		return 0;
	case OS_SNMP_USER:
		if (!*v || strlen(v) > 32) {
			snprintf(err, errsz, "give an SNMPv3 security name of 1 to 32 characters");
			return -1;
		}
		q->user = v;
		return 0;
	}
	return 1;
}

static char *get_secret(const char *cmd, const char *what, const char *env, const char *file, const char *argv_v,
			const char *opt, int prompt, int *bad)
{
	char err[300];
	struct secret_source src = {what, env, file, argv_v, opt, prompt};
	char *s = secret_get_known(&src, strcmp(env, "MFPDOCTOR_SNMP_COMMUNITY") == 0 ? "public" : NULL, err, sizeof(err));
	if (!s && err[0]) {
		fprintf(stderr, "mfpdoctor %s: %s\n", cmd, err);
		*bad = 1;
	}
	return s;
}

int opt_snmp_finish(struct opt_snmp *o, const char *cmd, const char *peer)
{
	struct snmpw_conf *q = &o->rq.conf;
	int bad = 0;
	q->peer = peer;
	if (!o->version_set && q->user)
		q->version = 3;
	o->rq.v1_fallback = !o->version_set && q->version == 2;
	if (q->version != 3) {
		o->community = get_secret(cmd, "SNMP community", "MFPDOCTOR_SNMP_COMMUNITY", o->community_file,
					  o->community_argv, "--community", 0, &bad);
		q->community = o->community ? o->community : "public"; /* the factory default read community */
		return bad ? MFP_EXIT_USAGE : 0;
	}
	if (!q->user) {
		fprintf(stderr, "mfpdoctor %s: SNMPv3 needs a security name (--snmp-user or --user for `device`)\n", cmd);
		return MFP_EXIT_USAGE;
	}
	bool want_auth = !o->level_set || q->level >= SNMPW_LEVEL_AUTH;
	if (want_auth)
		o->auth = get_secret(cmd, "SNMPv3 authentication pass phrase", "MFPDOCTOR_SNMP_AUTH_PASS", o->auth_file,
				     o->auth_argv, "--auth-pass", o->level_set, &bad);
	bool want_priv = o->auth && (!o->level_set || q->level == SNMPW_LEVEL_PRIV);
	if (want_priv)
		o->priv = get_secret(cmd, "SNMPv3 privacy pass phrase", "MFPDOCTOR_SNMP_PRIV_PASS", o->priv_file,
				     o->priv_argv, "--priv-pass", o->level_set, &bad);
	if (bad)
		return MFP_EXIT_USAGE;
	if (!o->level_set)
		q->level = o->priv ? SNMPW_LEVEL_PRIV : o->auth ? SNMPW_LEVEL_AUTH : SNMPW_LEVEL_NOAUTH;
	if (q->level >= SNMPW_LEVEL_AUTH && !o->auth) {
		fprintf(stderr, "mfpdoctor %s: --level auth/priv needs an authentication pass phrase "
			"(MFPDOCTOR_SNMP_AUTH_PASS or --auth-pass-file)\n", cmd);
		return MFP_EXIT_USAGE;
	}
	if (q->level == SNMPW_LEVEL_PRIV && !o->priv) {
		fprintf(stderr, "mfpdoctor %s: --level priv needs a privacy pass phrase (MFPDOCTOR_SNMP_PRIV_PASS or "
			"--priv-pass-file)\n", cmd);
		return MFP_EXIT_USAGE;
	}
	q->auth_pass = o->auth;
	q->priv_pass = o->priv;
	return 0;
}

void opt_snmp_free(struct opt_snmp *o)
{
	secret_free(o->community);
	secret_free(o->auth);
	secret_free(o->priv);
	o->community = o->auth = o->priv = NULL;
}
