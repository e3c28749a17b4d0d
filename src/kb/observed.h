/* kb/observed.h — local observations learnt by `listen --device HOST --learn`: which server reply
 * (and at which stage) a printer answered with which of its error codes, on this site. Kept in the
 * site overlay as $MFPDOCTOR_PROFILES/observed/<vendor>.json (docs/profiles-observed.md); shown by
 * `explain` as "seen here", never as a published source: observations change no entry's meaning,
 * class, stage or confidence. */
#ifndef MFP_KB_OBSERVED_H
#define MFP_KB_OBSERVED_H
#include <stddef.h>

#include "util/buf.h"

#define KB_OBSERVED_SCHEMA "mfpdoctor/observed/1"
#define KB_OBSERVED_MAX 200        /* observations kept per vendor file; the oldest go first */

/* One observation. All strings owned; model may be NULL. */
struct kb_observation {
	char *code;    /* the device's code as logged, "017-715" */
	char *reply;   /* the server reply it got, "535 5.7.139 Authentication unsuccessful" */
	char *stage;   /* the stage of that reply, upper case, "AUTH" */
	char *date;    /* YYYY-MM-DD (UTC) when it was last seen */
	char *model;   /* device model, or NULL */
	long count;    /* how many times it was seen (>= 1) */
};

struct kb_observations {
	struct kb_observation *v;
	size_t n;
};

/* Reads dir/observed/<vendor_id>.json. A missing file is no observations; an unreadable,
 * malformed or oversized file, or an invalid entry, adds a sentence to warnings and is skipped
 * (the valid rest is kept). Returns the number loaded. */
size_t kb_observed_load(const char *dir, const char *vendor_id, struct kb_observations *out,
			struct strlist *warnings);

/* The observations of out whose code is this code (compared like typed codes: case, blanks,
 * dashes ignored) from $MFPDOCTOR_PROFILES (none when it is unset). Warnings go to stderr. */
size_t kb_observed_for_code(const char *vendor_id, const char *code, struct kb_observations *out);

/* Merges obs into dir/observed/<vendor_id>.json: the same (code, reply, stage, model) bumps the
 * count and the date; the file is bounded to KB_OBSERVED_MAX (the oldest dropped) and written
 * atomically (a temporary file renamed over it). Refuses to overwrite a file it cannot read.
 * Returns 0, or -1 with a sentence in err. */
int kb_observed_add(const char *dir, const char *vendor_id, const struct kb_observation *obs, size_t n,
		    char *err, size_t errsz);

/* Whether s is a usable vendor id for a file name ([a-z0-9-], 1-40 characters). */
int kb_observed_id_ok(const char *s);

void kb_observations_free(struct kb_observations *o);

#endif
