/* kb/observed.c — the local observation files of `listen --learn`; see observed.h and
 * docs/profiles-observed.md. The file is small JSON (bounded); anything invalid is skipped with a
 * warning, never trusted. */
#include "kb/observed.h"
#include "profile/profile.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_MAX (1L << 20) /* a file larger than 1 MiB is not ours */

int kb_observed_id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > 40)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static const char *str_ok(const json_t *o, const char *key, size_t max)
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s || !*s || strlen(s) > max)
		return NULL;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
	return s;
}

static int date_ok(const char *d)
{
	if (!d || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)d[i]))
			return 0;
	return 1;
}

static void obs_set(struct kb_observation *o, const char *code, const char *reply, const char *stage,
		    const char *date, const char *model, long count)
{
	o->code = xstrdup(code);
	o->reply = xstrdup(reply);
	o->stage = xstrdup(stage);
	for (char *p = o->stage; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	o->date = xstrdup(date);
	o->model = model && *model ? xstrdup(model) : NULL;
	o->count = count > 0 ? count : 1;
}

static void obs_push(struct kb_observations *out, const struct kb_observation *o)
{
	out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	obs_set(&out->v[out->n++], o->code, o->reply, o->stage, o->date, o->model, o->count);
}

/* One entry of the file into out; returns 0 or -1 when it is invalid. */
static int entry_load(const json_t *e, struct kb_observations *out)
{
	const char *code = str_ok(e, "code", 32), *reply = str_ok(e, "reply", 512);
	const char *stage = str_ok(e, "stage", 24), *date = str_ok(e, "date", 10);
	const json_t *mj = json_object_get(e, "model"), *cj = json_object_get(e, "count");
	const char *model = mj && !json_is_null(mj) ? str_ok(e, "model", 128) : NULL;
	if (!json_is_object(e) || !code || !reply || !stage || !date_ok(date) || (mj && !json_is_null(mj) && !model) ||
	    (cj && (!json_is_integer(cj) || json_integer_value(cj) < 1)))
		return -1;
	struct kb_observation o = {(char *)code, (char *)reply, (char *)stage, (char *)date, (char *)model,
				   cj ? (long)json_integer_value(cj) : 1};
	obs_push(out, &o);
	return 0;
}

static char *file_of(const char *dir, const char *vendor_id)
{
	return xasprintf("%s/observed/%s.json", dir, vendor_id);
}

/* Loads the file; returns 0 (also when missing), -1 when it exists but cannot be used. */
static int load_file(const char *path, const char *rel, struct kb_observations *out, struct strlist *warnings)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		if (warnings)
			strlist_add_owned(warnings, xasprintf("%s: not a regular file under 1 MiB; ignored", rel));
		return -1;
	}
	json_error_t err;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	const char *schema = json_string_value(json_object_get(j, "schema"));
	const json_t *list = json_object_get(j, "observations");
	if (!j || !schema || strcmp(schema, KB_OBSERVED_SCHEMA) != 0 || !json_is_array(list)) {
		if (warnings)
			strlist_add_owned(warnings, j ? xasprintf("%s: not an observation file (schema %s with an "
								  "\"observations\" list); ignored", rel, KB_OBSERVED_SCHEMA)
						      : xasprintf("%s: line %d: %s; ignored", rel, err.line, err.text));
		json_decref(j);
		return -1;
	}
	size_t i, bad = 0;
	const json_t *e;
	json_array_foreach(list, i, e) {
		if (out->n >= KB_OBSERVED_MAX)
			break;
		if (entry_load(e, out) != 0)
			bad++;
	}
	if (bad && warnings)
		strlist_add_owned(warnings, xasprintf("%s: %zu invalid observation(s) skipped", rel, bad));
	json_decref(j);
	return 0;
}

size_t kb_observed_load(const char *dir, const char *vendor_id, struct kb_observations *out,
			struct strlist *warnings)
{
	memset(out, 0, sizeof(*out));
	if (!dir || !*dir || !kb_observed_id_ok(vendor_id))
		return 0;
	char *path = file_of(dir, vendor_id), *rel = xasprintf("observed/%s.json", vendor_id);
	load_file(path, rel, out, warnings);
	free(path);
	free(rel);
	return out->n;
}

/* Typed-code comparison: letters upper-cased, blanks and dashes dropped. */
static void code_key(const char *s, char *out, size_t outsz)
{
	size_t k = 0;
	for (; s && *s && k + 1 < outsz; s++)
		if (!isspace((unsigned char)*s) && *s != '-')
			out[k++] = (char)toupper((unsigned char)*s);
	out[k] = '\0';
}

size_t kb_observed_for_code(const char *vendor_id, const char *code, struct kb_observations *out)
{
	struct kb_observations all;
	struct strlist warn = {0};
	kb_observed_load(profile_site_dir(), vendor_id, &all, &warn);
	for (size_t i = 0; i < warn.n; i++)
		fprintf(stderr, "mfpdoctor: warning: profile %s\n", warn.v[i]);
	strlist_free(&warn);
	memset(out, 0, sizeof(*out));
	char want[40], have[40];
	code_key(code, want, sizeof(want));
	for (size_t i = 0; *want && i < all.n; i++) {
		code_key(all.v[i].code, have, sizeof(have));
		if (strcmp(want, have) == 0)
			obs_push(out, &all.v[i]);
	}
	kb_observations_free(&all);
	return out->n;
}

void kb_observations_free(struct kb_observations *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].code);
		free(o->v[i].reply);
		free(o->v[i].stage);
		free(o->v[i].date);
		free(o->v[i].model);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}

/* --- writing ------------------------------------------------------------------------------ */

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void merge_one(struct kb_observations *all, const struct kb_observation *o)
{
	for (size_t i = 0; i < all->n; i++) {
		struct kb_observation *h = &all->v[i];
		if (same(h->code, o->code) && same(h->reply, o->reply) && strcasecmp(h->stage, o->stage) == 0 &&
		    same(h->model, o->model)) {
			h->count += o->count > 0 ? o->count : 1;
			if (strcmp(o->date, h->date) > 0) {
				free(h->date);
				h->date = xstrdup(o->date);
			}
			return;
		}
	}
	obs_push(all, o);
}

/* Merges o when it passes the same checks as a loaded entry (so the file always reloads). */
static void merge_valid(struct kb_observations *all, const struct kb_observation *o)
{
	json_t *e = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:I}", "code", o->code, "reply", o->reply, "stage",
			      o->stage, "date", o->date, "model", o->model, "count", (json_int_t)(o->count > 0 ? o->count : 1));
	struct kb_observations one = {0};
	if (e && entry_load(e, &one) == 0)
		merge_one(all, &one.v[0]);
	kb_observations_free(&one);
	json_decref(e);
}

static int by_date(const void *a, const void *b)
{
	return strcmp(((const struct kb_observation *)a)->date, ((const struct kb_observation *)b)->date);
}

static json_t *file_json(const char *vendor_id, const struct kb_observations *all)
{
	json_t *list = json_array();
	for (size_t i = 0; i < all->n; i++) {
		const struct kb_observation *o = &all->v[i];
		json_t *e = json_pack("{s:s?, s:s?, s:s?, s:s?, s:I}", "code", o->code, "reply", o->reply, "stage", o->stage,
				      "date", o->date, "count", (json_int_t)o->count);
		if (e && o->model)
			json_object_set_new(e, "model", json_string(o->model));
		if (e)
			json_array_append_new(list, e);
	}
	return json_pack("{s:s, s:s, s:s, s:o}", "schema", KB_OBSERVED_SCHEMA, "vendor", vendor_id, "note",
			 "local observations by mfpdoctor listen --learn; not a published source", "observations", list);
}

/* Writes j to path through a temporary file in the same folder and a rename. */
static int write_atomic(const char *path, const json_t *j, char *err, size_t errsz)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int ok = f && json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0;
	if (f) {
		ok &= fputc('\n', f) != EOF && fflush(f) == 0 && fsync(fd) == 0;
		ok &= fclose(f) == 0;
	} else if (fd >= 0)
		close(fd);
	if (ok && rename(tmp, path) != 0)
		ok = 0;
	if (!ok) {
		snprintf(err, errsz, "could not write %s: %s", path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
	}
	free(tmp);
	return ok ? 0 : -1;
}

int kb_observed_add(const char *dir, const char *vendor_id, const struct kb_observation *obs, size_t n,
		    char *err, size_t errsz)
{
	if (!dir || !*dir || !kb_observed_id_ok(vendor_id)) {
		snprintf(err, errsz, "no overlay folder, or the vendor id '%.40s' is not usable as a file name",
			 vendor_id ? vendor_id : "");
		return -1;
	}
	char *sub = xasprintf("%s/observed", dir), *path = file_of(dir, vendor_id);
	char *rel = xasprintf("observed/%s.json", vendor_id);
	struct kb_observations all = {0};
	struct strlist warn = {0};
	int rc = -1;
	if (mkdir(sub, 0755) != 0 && errno != EEXIST)
		snprintf(err, errsz, "could not create %s: %s", sub, strerror(errno));
	else if (load_file(path, rel, &all, &warn) != 0)
		snprintf(err, errsz, "%s exists but cannot be read (%s); not overwriting it", path,
			 warn.n ? warn.v[0] : "unreadable");
	else {
		for (size_t i = 0; i < n; i++)
			merge_valid(&all, &obs[i]);
		qsort(all.v, all.n, sizeof(*all.v), by_date);
		struct kb_observations keep = all;
		if (keep.n > KB_OBSERVED_MAX) {
			keep.v += keep.n - KB_OBSERVED_MAX;
			keep.n = KB_OBSERVED_MAX;
		}
		json_t *j = file_json(vendor_id, &keep);
		rc = write_atomic(path, j, err, errsz);
		json_decref(j);
	}
	kb_observations_free(&all);
	strlist_free(&warn);
	free(sub);
	free(path);
	free(rel);
	return rc;
}
