/* fuzz_web_profiles.c — libFuzzer target: arbitrary bytes as a page, read through the extraction
 * rules of every embedded vendor profile exactly as the web reader does (web_page_extract: the
 * page's parser and charset, its settings fields and its job/error log rules, with the log
 * limits and notes), plus the root-page markers and the login page's token and failure/expired
 * regexes of the page set. The first input byte picks the profile page; the rest is the body. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "device/web_extract.h"
#include "device/web_match.h"
#include "device/web_page.h"
#include "device/web_read.h"
#include "profile/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct target {
	json_t *profile;            /* owned reference */
	const json_t *pageset;      /* borrowed from profile */
	const json_t *page;         /* borrowed from profile */
};

static struct target *targets;
static size_t ntargets;

static void add_target(json_t *root, const json_t *set, const json_t *page)
{
	targets = xrealloc(targets, (ntargets + 1) * sizeof(*targets));
	targets[ntargets++] = (struct target){json_incref(root), set, page};
}

static void collect(const char *path, json_t *root, void *user)
{
	(void)path;
	(void)user;
	size_t i, j;
	const json_t *set, *page;
	json_array_foreach(json_object_get(json_object_get(root, "web"), "pagesets"), i, set)
		json_array_foreach(json_object_get(set, "pages"), j, page)
			if (profile_str(page, "path"))
				add_target(root, set, page);
}

static void load_targets(void)
{
	struct strlist errs = {0};
	profile_each("", NULL, collect, NULL, &errs);
	strlist_free(&errs);
	if (!ntargets)
		abort(); /* no embedded profile with web pages: the target would test nothing */
}

/* What the login code does with a page: token rule, failure/expired regexes. */
static void login_rules(const json_t *login, const char *body, size_t len)
{
	const json_t *tok = json_object_get(login, "token");
	if (tok) {
		struct web_doc doc;
		char err[200];
		web_doc_parse(&doc, body, len, WEB_PARSE_HTML, profile_str(login, "charset"));
		free(web_extract_field(&doc, NULL, tok, err, sizeof(err)));
		web_doc_free(&doc);
	}
	static const char *const keys[] = {"failure_regex", "success_regex", "expired_regex"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		free(web_ere_capture(profile_str(login, keys[i]), body));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!targets)
		load_targets();
	if (size < 1)
		return 0;
	const struct target *t = &targets[data[0] % ntargets];
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	char *text = xstrndup(body, len); /* the reader's regexes see a NUL-terminated body */
	struct device d;
	device_init(&d, "fuzz.invalid");
	web_page_extract(&d, t->page, profile_str(t->page, "path"), body, len);
	web_identify_score(t->profile, text, text, text);
	login_rules(json_object_get(t->pageset, "login"), text, strlen(text));
	device_free(&d);
	free(text);
	return 0;
}
