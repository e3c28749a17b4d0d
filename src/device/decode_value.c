/* device/decode_value.c — typed reads of single varbinds that turn every oddity into a note,
 * and notes that collapse repeats; see decode_ctx.h. Licence: see LICENSE. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/decode_ctx.h"

void dctx_note(struct dctx *c, const char *object, const char *kind, const char *fmt, ...)
{
	char *key = xasprintf("%s|%s", object ? object : "", kind);
	for (size_t i = 0; i < c->nnotes; i++)
		if (strcmp(c->notes[i].key, key) == 0) {
			c->notes[i].more++;
			free(key);
			return;
		}
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	device_note(c->d, "%s", buf_str(&b));
	buf_free(&b);
	c->notes = xrealloc(c->notes, (c->nnotes + 1) * sizeof(*c->notes));
	c->notes[c->nnotes++] = (struct dctx_note){.key = key, .note = c->d->notes.n - 1};
}

void dctx_notes_finish(struct dctx *c)
{
	for (size_t i = 0; i < c->nnotes; i++) {
		struct dctx_note *n = &c->notes[i];
		if (n->more && n->note < c->d->notes.n) {
			char *old = c->d->notes.v[n->note];
			c->d->notes.v[n->note] = xasprintf("%s (and in %zu more rows)", old, n->more);
			free(old);
		}
		free(n->key);
	}
	free(c->notes);
	c->notes = NULL;
	c->nnotes = 0;
}

const struct snmpw_vb *dctx_find(const struct snmpw_vbs *all, const char *dotted)
{
	struct snmpw_oid o;
	if (snmpw_oid_parse(dotted, &o) < 0)
		return NULL;
	for (size_t i = 0; i < all->n; i++)
		if (snmpw_oid_cmp(&all->v[i].name, &o) == 0)
			return &all->v[i];
	return NULL;
}

bool dctx_absent(const struct snmpw_vb *vb)
{
	return !vb || vb->type == SNMPW_NULL || vb->type == SNMPW_NOSUCHOBJECT || vb->type == SNMPW_NOSUCHINSTANCE ||
	       vb->type == SNMPW_ENDOFMIB;
}

bool dctx_number(const struct snmpw_vb *vb)
{
	return vb->type == SNMPW_INT || vb->type == SNMPW_COUNTER || vb->type == SNMPW_GAUGE ||
	       vb->type == SNMPW_TICKS || vb->type == SNMPW_COUNTER64;
}

char *dctx_oid(const struct snmpw_vb *vb)
{
	char *s = xmalloc(SNMPW_OID_TXT);
	snmpw_oid_str(&vb->name, s, SNMPW_OID_TXT);
	return s;
}

char *dctx_text(struct dctx *c, const struct snmpw_vb *vb, const char *object)
{
	int flags = 0;
	char *s = decode_octets(vb->bytes, vb->len, DECODE_MAX_TEXT, &flags);
	char *oid = dctx_oid(vb);
	if (flags & DEC_BINARY)
		dctx_note(c, object, "binary", "%s (%s) holds %zu bytes of binary data; shown as hex", object, oid, vb->len);
	else if (flags & DEC_NOT_UTF8)
		dctx_note(c, object, "latin1", "%s (%s) is not UTF-8; decoded as ISO-8859-1", object, oid);
	if (flags & DEC_CONTROL)
		dctx_note(c, object, "control", "%s (%s) contains control characters; replaced by '?'", object, oid);
	if (flags & DEC_TRUNCATED)
		dctx_note(c, object, "long", "%s (%s) is %zu bytes long; cut to %d", object, oid, vb->len,
			  DECODE_MAX_TEXT);
	free(oid);
	return s;
}

int dctx_int(struct dctx *c, const struct snmpw_vb *vb, const char *object, long long *out)
{
	if (dctx_absent(vb))
		return -1;
	if (dctx_number(vb)) {
		*out = vb->i;
		return 0;
	}
	char *oid = dctx_oid(vb);
	int r = -1;
	if (vb->type == SNMPW_STR) {
		char *s = decode_octets(vb->bytes, vb->len, 64, NULL);
		r = decode_int_text(s, out);
		if (r == 0)
			dctx_note(c, object, "numstr", "%s (%s) sent the number as OCTET STRING '%s'; used it", object, oid, s);
		else
			dctx_note(c, object, "notnum", "%s (%s) sent OCTET STRING '%s' where a number belongs; ignored", object,
				  oid, s);
		free(s);
	} else
		dctx_note(c, object, "type", "%s (%s) has type %s where a number belongs; ignored", object, oid,
			  snmpw_type_name(vb->type));
	free(oid);
	return r;
}

void dctx_enum(struct dctx *c, const char *key, const struct snmpw_vb *vb, const char *object,
	       const struct decode_enum *tab, size_t n, char *out, size_t outsz, bool note)
{
	long long v;
	out[0] = 0;
	if (!vb || dctx_int(c, vb, object, &v) < 0)
		return;
	char *oid = dctx_oid(vb);
	decode_enum_text(tab, n, (long)v, out, outsz);
	if (note && !decode_enum_name(tab, n, (long)v))
		dctx_note(c, object, "enum", "%s (%s) = %lld is outside its enumeration; shown as unknown", object, oid, v);
	if (key)
		device_set(c->d, key, out, FACT_SNMP, oid);
	free(oid);
}
