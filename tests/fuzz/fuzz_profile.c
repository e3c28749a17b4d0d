/* fuzz_profile.c — libFuzzer target: a vendor profile (devices/<vendor>.json or a site overlay)
 * as arbitrary bytes, through the JSON parser, the loader's validator (kb_vendor_validate) and,
 * for whatever parses, the code lookup (normalisation, aliases, family regexes, the 16-bit split)
 * and the per-claim explanation of every hit. Seeds: tests/fuzz/corpus/fuzz_profile/ plus
 * the shipped vendor profiles in devices/ (tests/fuzz/run.sh copies them). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "kb/kb.h"
#include "kb/vendor.h"
#include "profile/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void explain_hits(const struct kb_vendor_hit *hits, size_t n)
{
	for (size_t i = 0; i < n && i < 8; i++) {
		struct kb_explanation x;
		kb_vendor_explain(&hits[i], &x);
		kb_explanation_free(&x);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, &err);
	if (!root)
		return 0;
	struct strlist problems = {0};
	kb_vendor_validate(root, "fuzz", &problems);
	strlist_free(&problems);
	struct kb_vendor v = {.id = "fuzz", .name = profile_str(root, "vendor") ? profile_str(root, "vendor") : "Fuzz",
			      .json = root};
	struct kb_vendor_hit hits[8];
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(root, "error_codes"), i, e) {
		const char *code = profile_str(e, "code");
		if (!code || i >= 64)
			continue;
		explain_hits(hits, kb_vendor_lookup_exact(code, &v, NULL, hits, 8));
		const json_t *fam = json_array_get(json_object_get(e, "families"), 0);
		explain_hits(hits, kb_vendor_lookup(code, &v, json_string_value(fam), hits, 8, NULL));
	}
	static const char *const typed[] = {"0x5460", "21504", "017715", "CE 4", "E-535", "error 1102", "#818"};
	for (size_t k = 0; k < sizeof(typed) / sizeof(typed[0]); k++)
		explain_hits(hits, kb_vendor_lookup(typed[k], &v, NULL, hits, 8, NULL));
	json_decref(root);
	return 0;
}
