/* tools/gendoc_main.c — mfpdoctor-gendoc's command line: which document to write, the facts the
 * build passes in, and the ids read from the compiled-in profiles. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kb/vendor.h"
#include "profile/profile.h"
#include "tools/gendoc.h"

static const char usage[] =
	"Usage: mfpdoctor-gendoc man|bash|zsh -o OUT [--template FILE] [--version V] [--sysconfdir DIR]\n"
	"                        [--docdir DIR]\n"
	"Writes the man page (needs --template) or a shell completion from mfpdoctor's option tables.\n";

enum gendoc_kind gendoc_kind(const struct cli_opt *o)
{
	if (o->arg == CLI_FLAG)
		return GENDOC_NONE;
	if (strcmp(o->lname, "vendor") == 0)
		return GENDOC_VENDOR;
	if (strcmp(o->lname, "service") == 0)
		return GENDOC_SERVICE;
	const char *m = o->metavar ? o->metavar : "";
	size_t n = strlen(m);
	if (n >= 4 && strcmp(m + n - 4, "FILE") == 0)
		return GENDOC_FILE;
	if (n >= 3 && strcmp(m + n - 3, "DIR") == 0)
		return GENDOC_DIR;
	if (!strchr(m, '|'))
		return GENDOC_FREE;
	/* "ID|HOST" is two placeholders, "MD5|SHA|SHA-256" three values: a value has no blank and is
	 * not one of the placeholder words the tables use. */
	static const char *const placeholders[] = {"ID", "HOST", "FILE", "DIR", "N", "NAME", "ADDR", "URL",
						   "USER", "PASS", "SECONDS", "BYTES", "STAGE", "VENDOR", "FAMILY"};
	for (const char *p = m; *p;) {
		size_t w = strcspn(p, "|");
		for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
			if (strlen(placeholders[i]) == w && strncmp(p, placeholders[i], w) == 0)
				return GENDOC_FREE;
		if (memchr(p, ' ', w) || memchr(p, '[', w))
			return GENDOC_FREE;
		p += w + (p[w] == '|');
	}
	return GENDOC_CHOICE;
}

void gendoc_each_word(const char *s, void (*fn)(const char *w, size_t n, void *user), void *user)
{
	while (s && *s) {
		size_t w = strcspn(s, "|");
		fn(s, w, user);
		s += w + (s[w] == '|');
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_service(const char *path, json_t *root, void *user)
{
	struct strlist *l = user;
	const char *id = profile_str(root, "id");
	if (id && *id && !strlist_has(l, id))
		strlist_add(l, id);
}

/* Only the compiled-in profiles: a site folder on the build machine must not leak into the
 * installed documents. */
static void collect_ids(struct gendoc_ctx *ctx)
{
	profile_set_site_dir("/nonexistent/mfpdoctor-gendoc/no-site-profiles");
	kb_vendor_ids(&ctx->vendors);
	struct strlist errors = {0};
	profile_each("mail/", NULL, add_service, &ctx->services, &errors);
	for (size_t i = 0; i < errors.n; i++)
		fprintf(stderr, "mfpdoctor-gendoc: %s\n", errors.v[i]);
	strlist_free(&errors);
	if (ctx->services.n > 1)
		qsort(ctx->services.v, ctx->services.n, sizeof(*ctx->services.v), cmp_str);
}

static const char *build_date(char *buf, size_t n)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%d", &tm);
	return buf;
}

static int write_doc(const char *what, const char *tmpl_path, const struct gendoc_ctx *ctx, FILE *out)
{
	if (strcmp(what, "bash") == 0)
		gendoc_bash(ctx, out);
	else if (strcmp(what, "zsh") == 0)
		gendoc_zsh(ctx, out);
	else {
		FILE *tmpl = tmpl_path ? fopen(tmpl_path, "r") : NULL;
		if (!tmpl) {
			fprintf(stderr, "mfpdoctor-gendoc: man needs --template FILE (%s: cannot read it)\n",
				tmpl_path ? tmpl_path : "none given");
			return -1;
		}
		int rc = gendoc_man(ctx, tmpl, out);
		fclose(tmpl);
		return rc;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char date[16];
	struct gendoc_ctx ctx = {.version = MFPDOCTOR_VERSION, .date = build_date(date, sizeof(date)),
				 .sysconfdir = "/etc", .docdir = "/usr/share/doc/mfpdoctor"};
	const char *out_path = NULL, *tmpl = NULL;
	const char *what = argc > 1 ? argv[1] : "";
	if (strcmp(what, "man") != 0 && strcmp(what, "bash") != 0 && strcmp(what, "zsh") != 0) {
		fputs(usage, stderr);
		return 64;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];
		if (strcmp(o, "-o") == 0)
			out_path = v;
		else if (strcmp(o, "--template") == 0)
			tmpl = v;
		else if (strcmp(o, "--version") == 0)
			ctx.version = v;
		else if (strcmp(o, "--sysconfdir") == 0)
			ctx.sysconfdir = v;
		else if (strcmp(o, "--docdir") == 0)
			ctx.docdir = v;
		else {
			fprintf(stderr, "mfpdoctor-gendoc: unknown option '%s'\n%s", o, usage);
			return 64;
		}
	}
	if (!out_path || argc % 2) {
		fputs(usage, stderr);
		return 64;
	}
	collect_ids(&ctx);
	/* Write to OUT.tmp and rename: a failed run never leaves a half-written OUT for make. */
	char *tmp = xasprintf("%s.tmp", out_path);
	FILE *out = fopen(tmp, "w");
	int rc = out ? write_doc(what, tmpl, &ctx, out) : -1;
	if (out && fclose(out) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, out_path) != 0)
		rc = -1;
	if (rc != 0) {
		fprintf(stderr, "mfpdoctor-gendoc: could not write %s\n", out_path);
		remove(tmp);
	}
	free(tmp);
	strlist_free(&ctx.vendors);
	strlist_free(&ctx.services);
	return rc == 0 ? 0 : 1;
}
