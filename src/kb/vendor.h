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

/* Fills out (zeroed first) from a hit: kind "vendor-code", vendor name, stage, category,
 * meaning, fixes joined, sources, confidence. class_name stays NULL: a vendor code is not an
 * SMTP reply. Free with kb_explanation_free. This function can't fail. */
void kb_vendor_explain(const struct kb_vendor_hit *hit, struct kb_explanation *out);

void kb_vendors_unload(void);

#endif
