/* profile/profile.c — embedded and overlay profiles; see profile.h. */
#include "profile/profile.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "profile/embedded.h"

#ifndef MFPDOCTOR_SYSCONFDIR
#define MFPDOCTOR_SYSCONFDIR "/etc"
#endif

static const char *site_dir_opt; /* --profiles DIR */

void profile_set_site_dir(const char *dir)
{
	site_dir_opt = dir && *dir ? dir : NULL;
}

const char *profile_site_dir(void)
{
	if (site_dir_opt)
		return site_dir_opt;
	const char *e = getenv("MFPDOCTOR_PROFILES");
	if (e && *e)
		return e;
	struct stat st;
	static const char sys[] = MFPDOCTOR_SYSCONFDIR "/mfpdoctor/profiles";
	return stat(sys, &st) == 0 && S_ISDIR(st.st_mode) ? sys : NULL;
}

static const char *overlay(const char *dir)
{
	if (dir && *dir)
		return dir;
	return profile_site_dir();
}

static json_t *parse_file(const char *full, const char *rel, struct strlist *errors)
{
	json_error_t err;
	json_t *j = json_load_file(full, JSON_REJECT_DUPLICATES, &err);
	if (!j && errors)
		strlist_add_owned(errors, xasprintf("profile %s: line %d: %s", rel, err.line, err.text));
	return j;
}

static json_t *parse_blob(const struct profile_blob *b, struct strlist *errors)
{
	json_error_t err;
	json_t *j = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES, &err);
	if (!j && errors)
		strlist_add_owned(errors, xasprintf("built-in profile %s: line %d: %s", b->path, err.line, err.text));
	return j;
}

/* The embedded profiles, each parsed once per process (they never change): profile_each hands
 * the callbacks these shared trees, read-only. A fleet scan's workers, forked after a warm-up,
 * share them too instead of parsing every profile for every printer. profile_load still
 * returns a private copy (callers may modify it). */
static json_t **parsed;

static json_t *cached_blob(size_t i, struct strlist *errors)
{
	if (!parsed)
		parsed = xcalloc(profile_blob_count + 1, sizeof(*parsed));
	if (!parsed[i])
		parsed[i] = parse_blob(&profile_blobs[i], errors); /* a broken one is reported on every visit */
	return parsed[i];
}

static int overlay_has(const char *dir, const char *rel)
{
	if (!dir)
		return 0;
	char *full = xasprintf("%s/%s", dir, rel);
	struct stat st;
	int r = stat(full, &st) == 0 && S_ISREG(st.st_mode);
	free(full);
	return r;
}

/* Lists *.json files under dir/sub (one level of subfolders), relative paths. */
static void list_overlay(const char *dir, const char *sub, struct strlist *out)
{
	char *path = xasprintf("%s%s%s", dir, *sub ? "/" : "", sub);
	DIR *d = opendir(path);
	free(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *rel = xasprintf("%s%s%s", sub, *sub ? "/" : "", e->d_name);
		size_t n = strlen(e->d_name);
		if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0)
			strlist_add_owned(out, rel);
		else if (!*sub) {
			list_overlay(dir, rel, out);
			free(rel);
		} else
			free(rel);
	}
	closedir(d);
}

int profile_each(const char *prefix, const char *overlay_dir, profile_fn fn, void *user,
		 struct strlist *errors)
{
	const char *dir = overlay(overlay_dir);
	size_t pl = strlen(prefix);
	int n = 0;
	for (size_t i = 0; i < profile_blob_count; i++) {
		const struct profile_blob *b = &profile_blobs[i];
		if (strncmp(b->path, prefix, pl) != 0 || overlay_has(dir, b->path))
			continue;
		json_t *j = cached_blob(i, errors);
		if (j) {
			fn(b->path, j, user);
			n++;
		}
	}
	if (dir) {
		struct strlist files = {0};
		list_overlay(dir, "", &files);
		for (size_t i = 0; i < files.n; i++) {
			if (strncmp(files.v[i], prefix, pl) != 0)
				continue;
			char *full = xasprintf("%s/%s", dir, files.v[i]);
			json_t *j = parse_file(full, files.v[i], errors);
			free(full);
			if (j) {
				fn(files.v[i], j, user);
				json_decref(j);
				n++;
			}
		}
		strlist_free(&files);
	}
	return n;
}

json_t *profile_load(const char *path, const char *overlay_dir, struct strlist *errors)
{
	const char *dir = overlay(overlay_dir);
	if (overlay_has(dir, path)) {
		char *full = xasprintf("%s/%s", dir, path);
		json_t *j = parse_file(full, path, errors);
		free(full);
		return j;
	}
	for (size_t i = 0; i < profile_blob_count; i++)
		if (strcmp(profile_blobs[i].path, path) == 0)
			return parse_blob(&profile_blobs[i], errors);
	return NULL;
}

const char *profile_str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

long long profile_int(const json_t *obj, const char *key, long long def)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

void profile_strings(const json_t *obj, const char *key, struct strlist *l)
{
	const json_t *a = json_object_get(obj, key);
	size_t i;
	const json_t *v;
	if (json_is_string(a)) {
		strlist_add(l, json_string_value(a));
		return;
	}
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			strlist_add(l, json_string_value(v));
}
