/* device/decode_rows.c — table rows by index; see decode_rows.h. Licence: see LICENSE. */
#include "device/decode_rows.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

struct ranked {
	const struct snmpw_vb *vb;
	size_t pos;                  /* order in the read: the first value of an OID wins */
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = snmpw_oid_cmp(&x->vb->name, &y->vb->name);
	return c ? c : x->pos < y->pos ? -1 : x->pos > y->pos;
}

static bool present(const struct snmpw_vb *vb)
{
	return vb->type != SNMPW_NULL && vb->type != SNMPW_NOSUCHOBJECT && vb->type != SNMPW_NOSUCHINSTANCE &&
	       vb->type != SNMPW_ENDOFMIB;
}

void drows_collect(const struct snmpw_vbs *all, const char *column, struct drows *r)
{
	struct snmpw_oid root;
	memset(r, 0, sizeof(*r));
	if (snmpw_oid_parse(column, &root) < 0)
		return;
	r->rootlen = root.n;
	struct ranked *tmp = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < all->n; i++)
		if (snmpw_oid_under(&all->v[i].name, &root) && present(&all->v[i])) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				tmp = xrealloc(tmp, cap * sizeof(*tmp));
			}
			tmp[n].vb = &all->v[i];
			tmp[n].pos = i;
			n++;
		}
	if (!n)
		return;
	qsort(tmp, n, sizeof(*tmp), cmp_ranked);
	r->v = xcalloc(n, sizeof(*r->v));
	for (size_t i = 0; i < n; i++)
		if (!r->n || snmpw_oid_cmp(&r->v[r->n - 1]->name, &tmp[i].vb->name) != 0)
			r->v[r->n++] = tmp[i].vb;
	free(tmp);
}

void drows_free(struct drows *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

void drows_index(const struct drows *r, size_t i, struct snmpw_oid *idx)
{
	const struct snmpw_oid *o = &r->v[i]->name;
	idx->n = 0;
	for (size_t k = r->rootlen; k < o->n; k++)
		idx->a[idx->n++] = o->a[k];
}

/* Compares row i's index with idx. */
static int cmp_index(const struct drows *r, size_t i, const struct snmpw_oid *idx)
{
	const struct snmpw_oid *o = &r->v[i]->name;
	size_t n = o->n - r->rootlen;
	for (size_t k = 0; k < n && k < idx->n; k++)
		if (o->a[r->rootlen + k] != idx->a[k])
			return o->a[r->rootlen + k] < idx->a[k] ? -1 : 1;
	return n == idx->n ? 0 : n < idx->n ? -1 : 1;
}

const struct snmpw_vb *drows_find(const struct drows *r, const struct snmpw_oid *idx)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_index(r, mid, idx);
		if (!c)
			return r->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

char *drows_index_text(const struct snmpw_oid *idx)
{
	char *s = xmalloc(SNMPW_OID_TXT);
	s[0] = 0;
	snmpw_oid_str(idx, s, SNMPW_OID_TXT);
	return s;
}

void dindexes_add(struct dindexes *x, const struct drows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		if (x->n == x->cap) {
			x->cap = x->cap ? x->cap * 2 : 16;
			x->v = xrealloc(x->v, x->cap * sizeof(*x->v));
		}
		drows_index(r, i, &x->v[x->n++]);
	}
}

static int cmp_oid(const void *a, const void *b)
{
	return snmpw_oid_cmp(a, b);
}

void dindexes_finish(struct dindexes *x)
{
	if (!x->n)
		return;
	qsort(x->v, x->n, sizeof(*x->v), cmp_oid);
	size_t k = 1;
	for (size_t i = 1; i < x->n; i++)
		if (snmpw_oid_cmp(&x->v[k - 1], &x->v[i]) != 0)
			x->v[k++] = x->v[i];
	x->n = k;
}

void dindexes_free(struct dindexes *x)
{
	free(x->v);
	memset(x, 0, sizeof(*x));
}
