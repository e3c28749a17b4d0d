/* diagnose/probe_dns.c — the sender-domain lookup; see probe_dns.h. */
#include "diagnose/probe_dns.h"

#include <arpa/nameser.h>
#include <stdbool.h>
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

/* dom is name itself or a subdomain of it (case-insensitive; a trailing dot is ignored). */
static bool under(const char *dom, size_t dl, const char *name)
{
	size_t l = strlen(name);
	if (dl == l)
		return strncasecmp(dom, name, l) == 0;
	return dl > l && dom[dl - l - 1] == '.' && strncasecmp(dom + dl - l, name, l) == 0;
}

/* 1: never exists in public DNS (RFC 6761 invalid/localhost, RFC 6762 local, common device
 * defaults); 2: reserved for tests and documentation (RFC 2606/6761 test, example): not looked
 * up and not judged; 0: a name to look up. Bare names count as well as subdomains. */
int probe_special_domain(const char *dom)
{
	static const char *const never[] = {"local", "localdomain", "invalid", "lan", "home", "internal", "localhost"};
	static const char *const reserved[] = {"test", "example"};
	size_t dl = dom ? strlen(dom) : 0;
	if (dl && dom[dl - 1] == '.')
		dl--;
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (under(dom, dl, never[i]))
			return 1;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (under(dom, dl, reserved[i]))
			return 2;
	return 0;
}

void probe_sender_domain(struct device *d, const char *from)
{
	const char *at = from ? strrchr(from, '@') : NULL;
	if (!at || !at[1])
		return;
	const char *dom = at + 1;
	switch (probe_special_domain(dom)) {
	case 1:
		device_set(d, "dns.from_domain", "does not resolve", FACT_PROFILE, "special-use domain (RFC 6761)");
		return;
	case 2:
		return;
	}
	enum lookup mx = query(dom, ns_t_mx);
	enum lookup a = mx == L_YES ? L_YES : query(dom, ns_t_a);
	if (mx == L_YES || a == L_YES)
		device_set(d, "dns.from_domain", "resolves", FACT_PROFILE, "DNS MX/A lookup");
	else if (mx == L_NXDOMAIN && a == L_NXDOMAIN)
		device_set(d, "dns.from_domain", "does not resolve", FACT_PROFILE, "DNS MX/A lookup");
	else
		device_note(d, "could not check whether the sender domain %s exists: no answer from the DNS resolver", dom);
}
