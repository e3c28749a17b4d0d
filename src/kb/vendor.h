/* kb/vendor.h — printer vendor profiles (devices/<vendor>.json, docs/profiles-vendor.md): loading,
 * normalising codes as people type them ("017715", "xerox 017-715", "818", "CE 4", "E-535"),
 * looking them up by vendor and model family, and turning an entry into an explanation.
 * Loading is lazy: a lookup narrowed to one vendor parses only that vendor's file. */
#ifndef MFP_KB_VENDOR_H
#define MFP_KB_VENDOR_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "kb/kb.h"
#include "util/buf.h"

/* One loaded vendor profile. Every pointer is borrowed from json (valid until kb_vendors_unload). */
struct kb_vendor {
	const char *id;        /* "xerox" (the file name without .json) */
	const char *name;      /* display name, "Xerox" */
	json_t *json;          /* the whole profile (owned by the vendor table) */
};

/* One entry found for a typed code. */
struct kb_vendor_hit {
	const struct kb_vendor *vendor;   /* borrowed */
	const json_t *entry;              /* borrowed: the error_codes[] object */
	char typed_as[64];                /* the normalised spelling that matched */
	char part[8];                     /* "high"/"low": the byte of a split 16-bit value (code_syntax.split16), else "" */
	char whole[16];                   /* that 16-bit value as typed ("0x5460"), else "" */
};

/* Returns the ids of every vendor profile (embedded and overlay), sorted, without parsing
 * them, as a list the caller frees with strlist_free. */
void kb_vendor_ids(struct strlist *out);

/* Resolves a vendor name as a user types it ("xerox", "Konica", "konica-minolta", "Fuji Xerox"
 * maps to the id with the best match: exact id first, then display-name words). Returns the
 * loaded vendor (borrowed) or NULL. */
const struct kb_vendor *kb_vendor_find(const char *name);

/* Loads every vendor profile (idempotent) and returns how many there are. */
size_t kb_vendors_load_all(void);
/* The i-th loaded vendor (after kb_vendors_load_all), or NULL past the end. */
const struct kb_vendor *kb_vendor_at(size_t i);

/* Finds a family of v by id, display name, or by its `model` regex matching the text
 * ("AltaLink C8045" -> altalink). Returns the families[] object (borrowed) or NULL. */
const json_t *kb_vendor_family(const struct kb_vendor *v, const char *text);

/* Upper-cases, trims, collapses blanks, drops a trailing full stop and a leading '#': the key
 * that codes and aliases are compared by (docs/profiles-vendor.md, steps 1-2). out gets at most
 * outsz-1 bytes. This function can't fail. */
void kb_vendor_key(const char *s, char *out, size_t outsz);

/* Looks a typed code up. vendor (NULL = every vendor, or one narrowed by a leading vendor word
 * in the text, like "xerox 017-715") and family (NULL = any) narrow the search. The optional
 * prefix of a vendor (Canon '#', OKI 'E', Brother '0x') is only added when the text has a
 * non-digit or the search is narrowed to a vendor, so "535" alone stays an SMTP code.
 * Fills up to max hits; returns the number found (may exceed max: then hits holds the first
 * max). *vendor_from_text is set (borrowed) when a leading vendor word was recognised. */
size_t kb_vendor_lookup(const char *text, const struct kb_vendor *vendor, const char *family,
			struct kb_vendor_hit *hits, size_t max, const struct kb_vendor **vendor_from_text);

/* Same, without stripping vendor words or lead-in words, and without adding optional prefixes:
 * for scanning tokens of a log line. */
size_t kb_vendor_lookup_exact(const char *token, const struct kb_vendor *vendor, const char *family,
			      struct kb_vendor_hit *hits, size_t max);

/* Fills out (zeroed first) from a hit: kind "vendor-code", vendor name, category, meaning,
 * fixes joined, sources and the confidence of each claim. `confidence` is the meaning's;
 * `stage` is set only when the stage claim is sourced or inferred (an unverified stage goes to
 * `stage_guess`, `stage_confidence` says which); `class_name` follows the first typical reply
 * only when `reply_confidence` is not unverified. Free with kb_explanation_free. Can't fail. */
void kb_vendor_explain(const struct kb_vendor_hit *hit, struct kb_explanation *out);

/* Confidence of one claim of an entry: claim is "meaning", "stage" or "reply". A missing or
 * invalid level counts as "unverified", and no claim is surer than the meaning. Returns a
 * static string: "sourced", "inferred" or "unverified". */
const char *kb_vendor_claim(const json_t *entry, const char *claim);

/* Checks a parsed vendor profile (any JSON value) against docs/profiles-vendor.md: schema, id,
 * code_syntax, and for every error code the fields explain relies on and the per-claim
 * confidence rules (an unverified entry claims no stage or reply as fact; no claim is surer than
 * the meaning). Appends one message per problem (at most 50, prefixed with where) to errors and
 * returns the number of problems found. */
size_t kb_vendor_validate(const json_t *root, const char *where, struct strlist *errors);

void kb_vendors_unload(void);

#endif
