/* diagnose/address.c — RFC 5321 Mailbox syntax check; see address.h. */
#include "diagnose/address.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_LOCAL 64
#define MAX_DOMAIN 255
#define MAX_PATH 256 /* "<" Mailbox ">" */

static bool fail(char *why, size_t whysz, const char *msg)
{
	if (why && whysz)
		snprintf(why, whysz, "%s", msg);
	return false;
}

static bool is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 5322 atext, as RFC 5321 uses it */
static bool is_atext(int c)
{
	return is_alnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* Dot-string = Atom *("." Atom); returns its length or 0. */
static size_t dot_string(const char *s)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (is_atext((unsigned char)s[i]))
			i++;
		if (i == start)
			return 0; /* empty atom: leading, trailing or double dot */
		if (s[i] != '.')
			return i;
		i++;
	}
}

/* Quoted-string = DQUOTE *QcontentSMTP DQUOTE; returns its length or 0. */
static size_t quoted_string(const char *s)
{
	if (s[0] != '"')
		return 0;
	for (size_t i = 1; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"')
			return i + 1;
		if (c == '\\') {
			unsigned char n = (unsigned char)s[i + 1];
			if (n < 32 || n > 126)
				return 0;
			i++;
		} else if (c < 32 || c > 126) {
			return 0;
		}
	}
	return 0;
}

/* sub-domain = Let-dig [Ldh-str]; Domain = sub-domain *("." sub-domain) */
static bool domain_ok(const char *d, size_t n)
{
	size_t i = 0;
	if (n == 0 || n > MAX_DOMAIN)
		return false;
	while (i < n) {
		size_t start = i;
		while (i < n && (is_alnum((unsigned char)d[i]) || d[i] == '-'))
			i++;
		if (i == start || d[start] == '-' || d[i - 1] == '-' || i - start > 63)
			return false;
		if (i < n && d[i] != '.')
			return false;
		if (i < n && ++i == n)
			return false; /* trailing dot */
	}
	return true;
}

/* address-literal = "[" ( IPv4 / "IPv6:" IPv6 / tag ":" dcontent ) "]" */
static bool literal_ok(const char *d, size_t n)
{
	char in[MAX_DOMAIN + 1];
	unsigned char bin[16];
	if (n < 3 || n > MAX_DOMAIN || d[0] != '[' || d[n - 1] != ']')
		return false;
	memcpy(in, d + 1, n - 2);
	in[n - 2] = '\0';
	if (inet_pton(AF_INET, in, bin) == 1)
		return true;
	if (strncasecmp(in, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, in + 5, bin) == 1;
	const char *colon = strchr(in, ':');
	if (!colon || colon == in || !domain_ok(in, (size_t)(colon - in)) || !colon[1])
		return false;
	for (const char *p = colon + 1; *p; p++)
		if (*p < 33 || *p > 126 || *p == '[' || *p == '\\' || *p == ']')
			return false;
	return true;
}

bool mail_address_valid(const char *s, char *why, size_t whysz)
{
	if (!s || !*s)
		return fail(why, whysz, "it is empty");
	size_t len = strlen(s);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return fail(why, whysz, "it contains non-ASCII characters");
	if (len + 2 > MAX_PATH)
		return fail(why, whysz, "it is longer than SMTP allows (254 characters)");
	size_t lp = s[0] == '"' ? quoted_string(s) : dot_string(s);
	if (lp == 0 || s[lp] != '@') {
		if (!strchr(s, '@'))
			return fail(why, whysz, "it has no '@'");
		if (strpbrk(s, " \t"))
			return fail(why, whysz, "it contains a space outside quotes");
		if (strpbrk(s, "<>"))
			return fail(why, whysz, "it contains '<' or '>'");
		return fail(why, whysz, "the part before the '@' is not a valid mailbox name");
	}
	if (lp > MAX_LOCAL)
		return fail(why, whysz, "the part before the '@' is longer than 64 characters");
	const char *dom = s + lp + 1;
	size_t dn = strlen(dom);
	if (dom[0] == '[' ? literal_ok(dom, dn) : domain_ok(dom, dn))
		return true;
	if (strpbrk(dom, " \t"))
		return fail(why, whysz, "it contains a space after the domain (text that is not part of an address)");
	if (strpbrk(dom, "<>"))
		return fail(why, whysz, "it contains '<' or '>'");
	if (strchr(dom, '@'))
		return fail(why, whysz, "it has more than one '@'");
	return fail(why, whysz, "the part after the '@' is not a valid domain name");
}

bool mail_host_valid(const char *s)
{
	unsigned char bin[16];
	if (!s || !*s)
		return false;
	if (inet_pton(AF_INET, s, bin) == 1 || inet_pton(AF_INET6, s, bin) == 1)
		return true;
	size_t n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		n--; /* a fully qualified name may end with a dot */
	return n <= 253 && domain_ok(s, n);
}

bool mail_address_in_brackets(const char *s, char *out, size_t outsz)
{
	const char *lt = s ? strchr(s, '<') : NULL;
	const char *gt = lt ? strchr(lt, '>') : NULL;
	if (!lt || !gt || strchr(lt + 1, '<') || strchr(gt + 1, '>') || strchr(gt + 1, '<'))
		return false;
	for (const char *p = gt + 1; *p; p++)
		if (*p != ' ' && *p != '\t')
			return false; /* text after the address: ESMTP parameters, never "a display name" */
	for (const char *p = s; p < lt; p++)
		if (*p == '@' || *p == '"')
			return false;
	size_t n = (size_t)(gt - lt - 1);
	if (n == 0 || n >= outsz)
		return false;
	memcpy(out, lt + 1, n);
	out[n] = '\0';
	return mail_address_valid(out, NULL, 0);
}
