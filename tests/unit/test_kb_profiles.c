/* test_kb_profiles.c — loads ALL embedded profiles through the C loader (the C-side counterpart of
 * tests/kb/check_*.py): every entry has sources or is unverified; stages, categories, confidence
 * and checklist keys are in the documented sets; no duplicate codes or aliases per vendor after
 * normalisation; every regular expression compiles with regcomp(REG_EXTENDED|REG_ICASE); every
 * vendor code matches its code_syntax.pattern and is found again by kb_vendor_lookup; every
 * provider pattern matches its own example and declares its scope; the loader's vendor validator
 * (per-claim confidence) finds nothing in the shipped profiles and rejects overclaiming entries. */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kb/kb.h"
#include "kb/vendor.h"
#include "profile/profile.h"

static const char *const categories[] = {"dns", "connect", "tls", "auth", "sender", "recipient", "relay",
					 "size", "rate-limit", "policy", "content", "server", "protocol", "config"};
static const char *const confidences[] = {"sourced", "inferred", "unverified"};
static const char *const settings[] = {"smtp_host", "smtp_port", "security", "tls_version", "auth", "user",
				       "password", "from", "ehlo_name", "dns", "clock", "max_size", "firmware",
				       "certificate"};

struct tally {
	int files, vendors, codes, patterns, regexes;
	struct strlist problems;
};

static bool in_set(const char *v, const char *const *set, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		if (strcmp(v, set[i]) == 0)
			return true;
	return false;
}

static bool stage_ok(const char *s)
{
	enum stage st = stage_parse(s);
	return s && st != STAGE_LAST && strcmp(stage_name(st), s) == 0;
}

static void problem(struct tally *t, const char *path, const char *what, const char *detail)
{
	strlist_add_owned(&t->problems, xasprintf("%s: %s: %s", path, what, detail ? detail : "(missing)"));
}

/* Compiles re; returns true when it does (the compiled form is freed). */
static bool compiles(struct tally *t, const char *path, const char *re)
{
	regex_t r;
	t->regexes++;
	if (!re || regcomp(&r, re, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
		problem(t, path, "regex does not compile", re);
		return false;
	}
	regfree(&r);
	return true;
}

static void regex_list(struct tally *t, const char *path, const json_t *arr)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v)
		compiles(t, path, json_string_value(v));
}

static bool has_sources(const json_t *e)
{
	const json_t *s = json_object_get(e, "sources");
	return (json_is_array(s) && json_array_size(s) > 0) || json_is_string(s);
}

static void check_vendor_code(struct tally *t, const char *path, const json_t *e, const regex_t *syntax,
			      struct strlist *keys)
{
	const char *code = profile_str(e, "code"), *conf = profile_str(e, "confidence");
	t->codes++;
	if (!code) {
		problem(t, path, "error code without code", NULL);
		return;
	}
	if (!has_sources(e) && !(conf && strcmp(conf, "unverified") == 0))
		problem(t, path, "no sources and not unverified", code);
	if (!in_set(conf, confidences, ARRAY_SIZE(confidences)))
		problem(t, path, "confidence not in the set", code);
	if (conf && strcmp(conf, "sourced") != 0 && !profile_str(e, "reveal"))
		problem(t, path, "not sourced but no reveal", code);
	if (!stage_ok(profile_str(e, "stage")))
		problem(t, path, "stage not in the set", code);
	if (!in_set(profile_str(e, "category"), categories, ARRAY_SIZE(categories)))
		problem(t, path, "category not in the set", code);
	if (syntax && regexec(syntax, code, 0, NULL, 0) != 0)
		problem(t, path, "code does not match code_syntax.pattern", code);
	char k[256];
	kb_vendor_key(code, k, sizeof(k));
	if (strlist_has(keys, k))
		problem(t, path, "duplicate code or alias", code);
	strlist_add(keys, k);
	size_t i;
	const json_t *a;
	json_array_foreach(json_object_get(e, "aliases"), i, a) {
		kb_vendor_key(json_string_value(a) ? json_string_value(a) : "", k, sizeof(k));
		if (strlist_has(keys, k))
			problem(t, path, "duplicate code or alias", json_string_value(a));
		strlist_add(keys, k);
	}
}

static void check_vendor(const char *path, json_t *root, struct tally *t)
{
	t->vendors++;
	kb_vendor_validate(root, path, &t->problems); /* what the loader checks: per-claim confidence */
	const json_t *m = json_object_get(root, "match");
	regex_list(t, path, json_object_get(m, "sysdescr"));
	regex_list(t, path, json_object_get(m, "web_markers"));
	size_t i;
	const json_t *e;
	struct strlist fams = {0}, keys = {0};
	json_array_foreach(json_object_get(root, "families"), i, e) {
		compiles(t, path, profile_str(e, "model"));
		strlist_add(&fams, profile_str(e, "id") ? profile_str(e, "id") : "?");
	}
	regex_t syntax;
	const char *pat = profile_str(json_object_get(root, "code_syntax"), "pattern");
	bool have = compiles(t, path, pat) && regcomp(&syntax, pat, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0;
	json_array_foreach(json_object_get(root, "error_codes"), i, e) {
		check_vendor_code(t, path, e, have ? &syntax : NULL, &keys);
		size_t k;
		const json_t *f;
		json_array_foreach(json_object_get(e, "families"), k, f)
			if (strcmp(json_string_value(f) ? json_string_value(f) : "", "*") != 0 && !strlist_has(&fams, json_string_value(f)))
				problem(t, path, "unknown family referenced", json_string_value(f));
	}
	json_array_foreach(json_object_get(root, "checklist"), i, e) {
		if (!in_set(profile_str(e, "setting"), settings, ARRAY_SIZE(settings)))
			problem(t, path, "checklist setting not in the set", profile_str(e, "setting"));
		if (!profile_str(e, "where"))
			problem(t, path, "checklist item without where", profile_str(e, "setting"));
		const char *conf = profile_str(e, "confidence");
		if (conf && !in_set(conf, confidences, ARRAY_SIZE(confidences)))
			problem(t, path, "checklist confidence not in the set", conf);
	}
	if (have)
		regfree(&syntax);
	strlist_free(&fams);
	strlist_free(&keys);
}

static void check_mail(const char *path, json_t *root, struct tally *t)
{
	const json_t *rec = json_object_get(root, "recognise");
	regex_list(t, path, json_object_get(rec, "hosts"));
	regex_list(t, path, json_object_get(rec, "banner"));
	regex_list(t, path, json_object_get(rec, "ehlo"));
	regex_list(t, path, json_object_get(rec, "reply"));
	if (!has_sources(json_object_get(root, "settings")))
		problem(t, path, "settings without sources", NULL);
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(root, "patterns"), i, p) {
		const char *id = profile_str(p, "id"), *re = profile_str(p, "match"), *ex = profile_str(p, "example");
		t->patterns++;
		if (!has_sources(p))
			problem(t, path, "pattern without sources", id);
		if (!stage_ok(profile_str(p, "stage")))
			problem(t, path, "pattern stage not in the set", id);
		if (!in_set(profile_str(p, "category"), categories, ARRAY_SIZE(categories)))
			problem(t, path, "pattern category not in the set", id);
		if (!in_set(profile_str(p, "confidence"), confidences, ARRAY_SIZE(confidences)))
			problem(t, path, "pattern confidence not in the set", id);
		const char *scope = profile_str(p, "scope");
		if (!scope || (strcmp(scope, "self-identifying") != 0 && strcmp(scope, "service") != 0))
			problem(t, path, "pattern scope must be self-identifying or service", id);
		regex_t r;
		if (compiles(t, path, re) && ex && regcomp(&r, re, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0) {
			if (regexec(&r, ex, 0, NULL, 0) != 0)
				problem(t, path, "pattern does not match its example", id);
			regfree(&r);
		}
	}
}

static void check_registry(const char *path, json_t *root, struct tally *t)
{
	size_t i, k;
	const json_t *c, *s;
	json_array_foreach(json_object_get(root, "codes"), i, c) {
		if (!has_sources(c))
			problem(t, path, "code without sources", profile_str(c, "code"));
		if (!in_set(profile_str(c, "category"), categories, ARRAY_SIZE(categories)))
			problem(t, path, "category not in the set", profile_str(c, "code"));
		json_array_foreach(json_object_get(c, "stage"), k, s)
			if (!stage_ok(json_string_value(s)))
				problem(t, path, "stage not in the set", json_string_value(s));
	}
}

static void visit(const char *path, json_t *root, void *user)
{
	struct tally *t = user;
	t->files++;
	if (strncmp(path, "mail/", 5) == 0)
		check_mail(path, root, t);
	else if (strncmp(path, "smtp/", 5) == 0)
		check_registry(path, root, t);
	else if (!strchr(path, '/'))
		check_vendor(path, root, t);
}

static void all_profiles(void **state)
{
	(void)state;
	struct tally t = {0};
	struct strlist errors = {0};
	unsetenv("MFPDOCTOR_PROFILES");
	profile_each("", NULL, visit, &t, &errors);
	for (size_t i = 0; i < errors.n; i++)
		print_error("load: %s\n", errors.v[i]);
	for (size_t i = 0; i < t.problems.n; i++)
		print_error("%s\n", t.problems.v[i]);
	print_message("%d files, %d vendors, %d vendor codes, %d provider patterns, %d regexes\n", t.files, t.vendors,
		      t.codes, t.patterns, t.regexes);
	assert_int_equal(errors.n, 0);
	assert_int_equal(t.problems.n, 0);
	assert_true(t.vendors >= 13);
	assert_true(t.patterns >= 100);
	strlist_free(&errors);
	strlist_free(&t.problems);
}

static void kb_loader_clean(void **state)
{
	(void)state;
	unsetenv("MFPDOCTOR_PROFILES");
	assert_int_equal(kb_load(NULL), 0);
	const struct strlist *e = kb_load_errors();
	for (size_t i = 0; i < e->n; i++)
		print_error("%s\n", e->v[i]);
	assert_int_equal(e->n, 0);
	kb_unload();
}

/* The normaliser finds every code again under its own vendor, by code and by each alias. */
static void lookup_round_trip(void **state)
{
	(void)state;
	size_t n = kb_vendors_load_all();
	assert_true(n >= 13);
	for (size_t i = 0; i < n; i++) {
		const struct kb_vendor *v = kb_vendor_at(i);
		size_t k;
		const json_t *e;
		json_array_foreach(json_object_get(v->json, "error_codes"), k, e) {
			struct kb_vendor_hit hits[8];
			size_t found = kb_vendor_lookup(profile_str(e, "code"), v, NULL, hits, 8, NULL);
			bool ok = false;
			for (size_t h = 0; h < found && h < 8; h++)
				ok |= hits[h].entry == e;
			if (!ok)
				fail_msg("%s: code '%s' not found again", v->id, profile_str(e, "code"));
		}
	}
	kb_vendors_unload();
}

/* The loader's validator rejects overclaiming entries and survives any JSON shape. */
static void validator_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		/* an unverified entry presenting its stage and replies as fact */
		"{\"schema\":\"mfpdoctor/vendor/1\",\"id\":\"a\",\"error_codes\":[{\"code\":\"X1\",\"meaning\":\"m\","
		"\"stage\":\"auth\",\"confidence\":\"unverified\",\"stage_confidence\":\"sourced\",\"reply_confidence\":\"sourced\"}]}",
		/* a stage claim surer than the meaning */
		"{\"schema\":\"mfpdoctor/vendor/1\",\"id\":\"a\",\"error_codes\":[{\"code\":\"X1\",\"meaning\":\"m\","
		"\"stage\":\"auth\",\"confidence\":\"inferred\",\"stage_confidence\":\"sourced\",\"reply_confidence\":\"inferred\"}]}",
		/* claims missing */
		"{\"schema\":\"mfpdoctor/vendor/1\",\"id\":\"a\",\"error_codes\":[{\"code\":\"X1\",\"meaning\":\"m\","
		"\"stage\":\"auth\",\"confidence\":\"sourced\"}]}",
		/* wrong shapes */
		"[1,2]", "{\"schema\":7,\"error_codes\":{}}", "{\"schema\":\"mfpdoctor/vendor/1\",\"id\":\"a\",\"error_codes\":[3,{}]}",
		"{\"schema\":\"mfpdoctor/vendor/1\",\"id\":\"a\",\"code_syntax\":{\"pattern\":\"(\"},\"error_codes\":[]}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_error_t err;
		json_t *j = json_loads(bad[i], JSON_DECODE_ANY, &err);
		assert_non_null(j);
		struct strlist problems = {0};
		if (kb_vendor_validate(j, "inline", &problems) == 0)
			fail_msg("case %zu accepted: %s", i, bad[i]);
		strlist_free(&problems);
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_profiles),
		cmocka_unit_test(kb_loader_clean),
		cmocka_unit_test(lookup_round_trip),
		cmocka_unit_test(validator_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
