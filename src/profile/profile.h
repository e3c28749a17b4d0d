/* profile/profile.h — access to the profiles in devices/: the copies compiled into the binary,
 * overridden or extended by an overlay directory ($MFPDOCTOR_PROFILES or --profiles DIR) where a
 * site keeps its own. Parsing errors are reported with the file name and line. */
#ifndef MFP_PROFILE_PROFILE_H
#define MFP_PROFILE_PROFILE_H
#include <jansson.h>
#include "util/buf.h"

/* The site profile directory: --profiles DIR (set with profile_set_site_dir), else
 * $MFPDOCTOR_PROFILES, else SYSCONFDIR/mfpdoctor/profiles (/etc/mfpdoctor/profiles) when it is a
 * directory, else NULL. Every overlay lookup below uses it when overlay_dir is NULL. */
const char *profile_site_dir(void);
void profile_set_site_dir(const char *dir);

/* Called for each profile whose path starts with prefix ("mail/", "smtp/", "" for all).
 * path is relative to devices/ ("mail/office365.json"); root is borrowed (valid during the call;
 * json_incref to keep it) and read-only: an embedded profile is parsed once per process and the
 * same tree is handed to every later visit. */
typedef void (*profile_fn)(const char *path, json_t *root, void *user);

/* Visits matching profiles: embedded ones, except where the overlay directory has a file with the
 * same relative path, then the overlay's other files. Files that fail to parse are skipped and
 * a message naming file, line and problem is added to errors. Returns the number visited. */
int profile_each(const char *prefix, const char *overlay_dir, profile_fn fn, void *user,
		 struct strlist *errors);

/* Loads one profile by relative path ("xerox.json"); returns a new reference or NULL. */
json_t *profile_load(const char *path, const char *overlay_dir, struct strlist *errors);

/* Helpers for reading profile fields: a missing or mistyped field gives def / NULL. */
const char *profile_str(const json_t *obj, const char *key);
long long profile_int(const json_t *obj, const char *key, long long def);
/* Copies every string of an array field into l. */
void profile_strings(const json_t *obj, const char *key, struct strlist *l);

#endif
