/* diagnose/probe_dns.c — the sender-domain lookup; see probe_dns.h. */
#include "diagnose/probe_dns.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <resolv.h>
#include <string.h>
#include <strings.h>

enum lookup { L_YES, L_NXDOMAIN, L_UNKNOWN };

static enum lookup query(const char *domain, int type)
{
	unsigned char answer[1024];
	struct __res_state st;
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0)
		return L_UNKNOWN;
	st.retrans = 2;
	st.retry = 1;
	int n = res_nquery(&st, domain, ns_c_in, type, answer, sizeof(answer));
	int herr = st.res_h_errno;
	res_nclose(&st);
	if (n >= 0)
		return L_YES;
	if (herr == HOST_NOT_FOUND)
		return L_NXDOMAIN;
	if (herr == NO_DATA)
		return L_NXDOMAIN; /* the name exists, but not this type: handled by the caller */
	return L_UNKNOWN;
}

void probe_sender_domain(struct device *d, const char *from)
{
	const char *at = from ? strrchr(from, '@') : NULL;
	if (!at || !at[1])
		return;
	const char *dom = at + 1;
	/* names that never exist in public DNS (RFC 6761, RFC 6762 and common device defaults) */
	static const char *const local[] = {".local", ".localdomain", ".invalid", ".lan", ".home", ".internal", ".localhost"};
	size_t dl = strlen(dom);
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		size_t l = strlen(local[i]);
		if (dl >= l && strcasecmp(dom + dl - l, local[i]) == 0) {
			device_set(d, "dns.from_domain", "does not resolve", FACT_PROFILE, "special-use domain (RFC 6761)");
			return;
		}
	}
	/* RFC 2606/6761 names reserved for tests and documentation (.test, .example): not looked up */
	if ((dl >= 5 && strcasecmp(dom + dl - 5, ".test") == 0) || (dl >= 8 && strcasecmp(dom + dl - 8, ".example") == 0))
		return;
	enum lookup mx = query(dom, ns_t_mx);
	enum lookup a = mx == L_YES ? L_YES : query(dom, ns_t_a);
	if (mx == L_YES || a == L_YES)
		device_set(d, "dns.from_domain", "resolves", FACT_PROFILE, "DNS MX/A lookup");
	else if (mx == L_NXDOMAIN && a == L_NXDOMAIN)
		device_set(d, "dns.from_domain", "does not resolve", FACT_PROFILE, "DNS MX/A lookup");
	else
		device_note(d, "could not check whether the sender domain %s exists: no answer from the DNS resolver", dom);
}
