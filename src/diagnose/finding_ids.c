/* diagnose/finding_ids.c — the finding id catalogue; see finding_ids.h. Sorted. */
#include "diagnose/finding_ids.h"

#include <string.h>

const char *const diagnose_finding_ids[] = {
	"auth-after-starttls",
	"auth-challenge-loop",
	"auth-in-clear",
	"auth-no-common-mechanism",
	"auth-not-offered",
	"auth-required-not-sent",
	"cert-expired",
	"cert-expiring",
	"cert-name-mismatch",
	"cert-untrusted",
	"clock-skew",
	"connect-failed",
	"credentials-rejected",
	"device-size-above-server",
	"direct-send-internal-only",
	"dns-unresolved",
	"ehlo-name-rejected",
	"event-stage-mismatch",
	"from-differs-from-login",
	"from-invalid",
	"gmail-app-password",
	"helo-fallback",
	"ip-instead-of-name",
	"login-not-tested",
	"m365-basic-auth-retirement",
	"m365-security-defaults",
	"m365-smtp-auth-disabled",
	"port-expects-implicit-tls",
	"port-expects-starttls",
	"port-mode-mismatch",
	"rate-limited",
	"rcpt-some-refused",
	"relay-denied",
	"reply-mixed-codes",
	"reply-oversized",
	"sender-domain-unresolved",
	"sender-not-tested",
	"settings-guessed",
	"size-over-limit",
	"smtp-failed",
	"smtp-host-invalid",
	"smtp-not-tested",
	"smtp-refused",
	"smtp-server-unknown",
	"snmp-no-answer",
	"source-conflict",
	"starttls-not-offered",
	"tls-ceiling-below-floor",
	"tls-version-too-old",
};
const size_t diagnose_nfinding_ids = sizeof(diagnose_finding_ids) / sizeof(diagnose_finding_ids[0]);

bool diagnose_finding_id_known(const char *id)
{
	for (size_t i = 0; i < diagnose_nfinding_ids; i++)
		if (strcmp(diagnose_finding_ids[i], id) == 0)
			return true;
	return false;
}
