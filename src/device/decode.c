/* device/decode.c — pure SNMP value decoders; see decode.h. Licence: see LICENSE. */
#include "device/decode.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

const char *decode_enum_name(const struct decode_enum *tab, size_t n, long v)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].value == v)
			return tab[i].name;
	return NULL;
}

void decode_enum_text(const struct decode_enum *tab, size_t n, long v, char *out, size_t outsz)
{
	const char *name = decode_enum_name(tab, n, v);
	snprintf(out, outsz, "%s(%ld)", name ? name : "unknown", v);
}

/* RFC 3805 section 2.2.13.4 / HOST-RESOURCES-MIB hrPrinterDetectedErrorState. */
static const char *const errstate_bits[] = {
	"lowPaper", "noPaper", "lowToner", "noToner", "doorOpen", "jammed", "offline", "serviceRequested",
	"inputTrayMissing", "outputTrayMissing", "markerSupplyMissing", "outputNearFull", "outputFull",
	"inputTrayEmpty", "overduePreventMaint",
};
/* hrDeviceStatus implied per bit (HP-LASERJET-COMMON-MIB): 3 warning, 5 down. */
static const int errstate_sev[] = {3, 5, 3, 5, 5, 5, 5, 3, 3, 3, 3, 3, 5, 3, 3};

int decode_errstate(const unsigned char *b, size_t len, struct strlist *names)
{
	int n = 0;
	for (size_t bit = 0; bit < len * 8 && bit < 64 * 8; bit++) {
		if (!(b[bit / 8] & (0x80 >> (bit % 8))))
			continue;
		n++;
		if (!names)
			continue;
		if (bit < ARRAY_SIZE(errstate_bits))
			strlist_add(names, errstate_bits[bit]);
		else {
			char tmp[24];
			snprintf(tmp, sizeof(tmp), "bit%zu", bit);
			strlist_add(names, tmp);
		}
	}
	return n;
}

int decode_errstate_severity(const unsigned char *b, size_t len)
{
	int worst = 2;
	for (size_t bit = 0; bit < len * 8 && bit < ARRAY_SIZE(errstate_sev); bit++)
		if ((b[bit / 8] & (0x80 >> (bit % 8))) && errstate_sev[bit] > worst)
			worst = errstate_sev[bit];
	return worst;
}

int decode_date_and_time(const unsigned char *b, size_t len, char *iso, size_t isosz, time_t *utc)
{
	if (len != 8 && len != 11)
		return -1;
	int year = b[0] << 8 | b[1], mon = b[2], day = b[3], h = b[4], mi = b[5], s = b[6];
	if (year < 1970 || year > 2200 || mon < 1 || mon > 12 || day < 1 || day > 31 || h > 23 || mi > 59 ||
	    s > 60)
		return -1;
	int off_min = 0;
	char offtxt[16] = "";
	if (len == 11) {
		if ((b[8] != '+' && b[8] != '-') || b[9] > 14 || b[10] > 59)
			return -1;
		off_min = (b[9] * 60 + b[10]) * (b[8] == '-' ? -1 : 1);
		snprintf(offtxt, sizeof(offtxt), "%c%02d:%02d", b[8], b[9], b[10]);
	}
	snprintf(iso, isosz, "%04d-%02d-%02dT%02d:%02d:%02d%s", year, mon, day, h, mi, s, offtxt);
	struct tm tm = {.tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day, .tm_hour = h, .tm_min = mi,
			.tm_sec = s};
	time_t t = timegm(&tm);
	if (utc)
		*utc = t - (time_t)off_min * 60;
	return 0;
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
		if (k == 9 || (k == 1 && c < 0xc2) || i + k >= n + (k ? 0 : 1))
			return false;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

char *decode_octets(const unsigned char *b, size_t len, size_t max, int *flags)
{
	int f = 0;
	if (!b)
		len = 0;
	while (len && b[len - 1] == 0) {
		len--;
		f |= DEC_NUL;
	}
	if (!len) {
		if (flags)
			*flags = f | DEC_EMPTY;
		return xstrdup("");
	}
	size_t ctl = 0, high = 0, nul = 0;
	for (size_t i = 0; i < len; i++) {
		if (b[i] == 0)
			nul++;
		else if ((b[i] < 0x20 && b[i] != '\t' && b[i] != '\n' && b[i] != '\r') || b[i] == 0x7f)
			ctl++;
		else if (b[i] >= 0x80)
			high++;
	}
	struct buf out = {0};
	bool utf8 = valid_utf8(b, len);
	if (nul || (ctl + (utf8 ? 0 : high)) * 4 > len) {
		/* binary: show as hex */
		f |= DEC_BINARY;
		buf_puts(&out, "0x");
		for (size_t i = 0; i < len && out.len < (max ? max : 4096); i++)
			buf_printf(&out, "%02X", b[i]);
	} else if (utf8) {
		buf_append(&out, (const char *)b, len);
	} else {
		f |= DEC_NOT_UTF8;
		for (size_t i = 0; i < len; i++) { /* ISO-8859-1 → UTF-8 */
			if (b[i] < 0x80)
				buf_putc(&out, (char)b[i]);
			else {
				buf_putc(&out, (char)(0xc0 | (b[i] >> 6)));
				buf_putc(&out, (char)(0x80 | (b[i] & 0x3f)));
			}
		}
	}
	if (ctl)
		f |= DEC_CONTROL;
	char *clean = text_sanitize(buf_str(&out), max, 0);
	buf_free(&out);
	size_t before = strlen(clean);
	text_trim(clean);
	if (strlen(clean) != before)
		f |= DEC_PADDED;
	if (max && len > max)
		f |= DEC_TRUNCATED;
	if (flags)
		*flags = f;
	return clean;
}

int decode_int_text(const char *s, long long *out)
{
	if (!s)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	char *end;
	long long v = strtoll(s, &end, 0);
	if (end == s)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static bool has_digit(const char *s)
{
	for (; *s; s++)
		if (isdigit((unsigned char)*s))
			return true;
	return false;
}

char *decode_find_code(const char *text, const char *pattern)
{
	if (!text || !pattern || !*pattern)
		return NULL;
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
		return NULL;
	char *copy = xstrdup(text), *save = NULL, *found = NULL;
	for (char *tok = strtok_r(copy, " \t\r\n,;:()[]{}=\"'<>|", &save); tok && !found;
	     tok = strtok_r(NULL, " \t\r\n,;:()[]{}=\"'<>|", &save)) {
		size_t n = strlen(tok);
		while (n && (tok[n - 1] == '.' || tok[n - 1] == '!' || tok[n - 1] == '?'))
			tok[--n] = 0;
		if (n && n <= 32 && has_digit(tok) && regexec(&re, tok, 0, NULL, 0) == 0)
			found = xstrdup(tok);
	}
	free(copy);
	regfree(&re);
	return found;
}
