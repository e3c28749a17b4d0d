/* kb/vendor_check.c — validating a vendor profile as it is loaded (the C side of
 * tests/kb/check_vendor_data.py): the fields `explain` relies on and the per-claim confidence
 * rules of docs/profiles-vendor.md. Works on any JSON value (a site overlay, or a fuzzer's
 * bytes); problems become warnings, and the reader (vendor_explain.c) treats a bad claim as
 * unverified anyway. */
#include "kb/vendor.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "profile/profile.h"

#define MAX_PROBLEMS 50

struct check {
	const char *where;
	struct strlist *errors;
	size_t n;
};

static void problem(struct check *c, const char *code, const char *fmt, ...) MFP_PRINTF(3, 4);

static void problem(struct check *c, const char *code, const char *fmt, ...)
{
	if (c->n++ >= MAX_PROBLEMS)
		return;
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strlist_add_owned(c->errors, xasprintf("%s%s%.60s: %s", c->where ? c->where : "vendor profile",
					       code ? " code " : "", code ? code : "", msg));
}

static bool level_ok(const char *v)
{
	return v && (strcmp(v, "sourced") == 0 || strcmp(v, "inferred") == 0 || strcmp(v, "unverified") == 0);
}

static bool strings_only(const json_t *a)
{
	size_t i;
	const json_t *v;
	if (a && !json_is_array(a))
		return false;
	json_array_foreach(a, i, v)
		if (!json_is_string(v))
			return false;
	return true;
}

static void check_claims(struct check *c, const json_t *e, const char *code)
{
	const char *conf = profile_str(e, "confidence");
	if (!level_ok(conf))
		problem(c, code, "confidence must be sourced, inferred or unverified");
	static const char *const keys[] = {"stage_confidence", "reply_confidence"};
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		const char *v = profile_str(e, keys[k]);
		if (!level_ok(v))
			problem(c, code, "%s missing or invalid (read as unverified)", keys[k]);
		else if (level_ok(conf) && strcmp(conf, "unverified") == 0 && strcmp(v, "unverified") != 0)
			problem(c, code, "an unverified entry cannot claim its %s as fact (read as unverified)",
				k ? "replies" : "stage");
		else if (strcmp(kb_vendor_claim(e, k ? "reply" : "stage"), v) != 0)
			problem(c, code, "%s is surer than the meaning (read as %s)", keys[k], kb_vendor_claim(e, k ? "reply" : "stage"));
	}
}

static void check_entry(struct check *c, const json_t *e, const regex_t *syntax)
{
	if (!json_is_object(e)) {
		problem(c, NULL, "an error_codes entry is not an object");
		return;
	}
	const char *code = profile_str(e, "code");
	if (!code || !*code) {
		problem(c, NULL, "an entry has no code");
		return;
	}
	if (syntax && regexec(syntax, code, 0, NULL, 0) != 0)
		problem(c, code, "does not match code_syntax.pattern");
	if (!profile_str(e, "meaning"))
		problem(c, code, "no meaning");
	const char *st = profile_str(e, "stage");
	if (!st || stage_parse(st) == STAGE_LAST)
		problem(c, code, "stage missing or not in the value set");
	static const char *const lists[] = {"aliases", "families", "replies", "fixes", "sources"};
	for (size_t k = 0; k < ARRAY_SIZE(lists); k++)
		if (!strings_only(json_object_get(e, lists[k])))
			problem(c, code, "%s must be a list of strings", lists[k]);
	const char *byte = profile_str(e, "byte");
	if (json_object_get(e, "byte") && (!byte || (strcmp(byte, "high") != 0 && strcmp(byte, "low") != 0)))
		problem(c, code, "byte must be \"high\" or \"low\"");
	if (json_object_get(e, "failure") && !json_is_boolean(json_object_get(e, "failure")))
		problem(c, code, "failure must be true or false");
	check_claims(c, e, code);
}

size_t kb_vendor_validate(const json_t *root, const char *where, struct strlist *errors)
{
	struct check c = {where, errors, 0};
	if (!json_is_object(root)) {
		problem(&c, NULL, "not a JSON object");
		return c.n;
	}
	const char *schema = profile_str(root, "schema");
	if (!schema || strncmp(schema, "mfpdoctor/vendor/", 17) != 0)
		problem(&c, NULL, "schema is not mfpdoctor/vendor/N");
	if (!profile_str(root, "id"))
		problem(&c, NULL, "no id");
	const char *pat = profile_str(json_object_get(root, "code_syntax"), "pattern");
	regex_t syntax;
	bool have = pat && regcomp(&syntax, pat, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0;
	if (pat && !have)
		problem(&c, NULL, "code_syntax.pattern does not compile");
	const json_t *codes = json_object_get(root, "error_codes");
	if (codes && !json_is_array(codes))
		problem(&c, NULL, "error_codes is not a list");
	size_t i;
	const json_t *e;
	json_array_foreach(codes, i, e)
		check_entry(&c, e, have ? &syntax : NULL);
	if (have)
		regfree(&syntax);
	if (c.n > MAX_PROBLEMS)
		strlist_add_owned(errors, xasprintf("%s: %zu more problems not listed", where ? where : "vendor profile",
						    c.n - MAX_PROBLEMS));
	return c.n;
}
