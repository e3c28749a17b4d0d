/* cli/cmd_explain.c — `mfpdoctor explain TEXT...`: what a printer error code, an SMTP reply, an
 * enhanced or basic code, or a pasted transcript/log means, at which stage, what to change and how
 * sure we are. Offline. Exit: 0 explained, 3 nothing recognised, 64 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/finding.h"
#include "kb/explain.h"
#include "kb/kb_internal.h"
#include "kb/vendor.h"
#include "profile/profile.h"
#include "report/explain_report.h"
#include "report/smtp_report.h"

enum { O_FAMILY, O_FORMAT, O_SERVICE, O_VENDOR };

#define MAX_STDIN (1024 * 1024)

/* Sorted by long name (checked by tests/unit/test_explain.c). */
static const struct cli_opt opts[] = {
	{"family", 0, CLI_VALUE, O_FAMILY, "FAMILY", "model family id, name or model (altalink, \"AltaLink C8045\")", "Narrowing"},
	{"format", 'f', CLI_VALUE, O_FORMAT, "text|json|md", "output format (default text)", "Output"},
	{"service", 0, CLI_VALUE, O_SERVICE, "ID|HOST", "mail service the replies come from, so its own wording applies (office365, smtp.gmail.com)", "Narrowing"},
	{"vendor", 0, CLI_VALUE, O_VENDOR, "VENDOR", "printer vendor (xerox, canon, ...): narrows vendor codes", "Narrowing"},
};

struct explain_cfg {
	struct explain_opts o;
	int format; /* 0 text, 1 json, 2 md */
};

static int set(void *vcfg, int id, const char *v, char *err, size_t errsz)
{
	struct explain_cfg *c = vcfg;
	int i;
	switch (id) {
	case O_FAMILY: c->o.family = v; return 0;
	case O_FORMAT:
		if ((i = cli_parse_choice("format", v, "text|json|md", err, errsz)) < 0)
			return -1;
		c->format = i;
		return 0;
	case O_SERVICE: c->o.service = v; return 0;
	case O_VENDOR: c->o.vendor = v; return 0;
	}
	return -1;
}

static char *read_stdin(void)
{
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0 && b.len < MAX_STDIN)
		buf_append(&b, chunk, n);
	return buf_steal(&b);
}

static void list_vendor_ids(FILE *out)
{
	struct strlist ids = {0};
	kb_vendor_ids(&ids);
	for (size_t i = 0; i < ids.n; i++)
		fprintf(out, "%s%s", i ? ", " : "", ids.v[i]);
	fputc('\n', out);
	strlist_free(&ids);
}

/* Checks --vendor, --family and --service; returns 0 or MFP_EXIT_USAGE after a message. */
static int check_narrowing(const struct explain_opts *o)
{
	const struct kb_vendor *v = NULL;
	if (o->vendor && !(v = kb_vendor_find(o->vendor))) {
		fprintf(stderr, "mfpdoctor explain: unknown vendor '%.60s'. Known vendors: ", o->vendor);
		list_vendor_ids(stderr);
		return MFP_EXIT_USAGE;
	}
	if (o->family) {
		bool found = false;
		size_t n = v ? 1 : kb_vendors_load_all();
		for (size_t i = 0; i < n && !found; i++)
			found = kb_vendor_family(v ? v : kb_vendor_at(i), o->family) != NULL;
		if (!found) {
			fprintf(stderr, "mfpdoctor explain: unknown model family '%.60s'%s%s. Known families: ", o->family,
				v ? " for " : "", v ? v->name : "");
			size_t nv = v ? 1 : kb_vendors_load_all(), k = 0;
			for (size_t i = 0; i < nv; i++) {
				const struct kb_vendor *x = v ? v : kb_vendor_at(i);
				size_t j;
				const json_t *f;
				json_array_foreach(json_object_get(x->json, "families"), j, f)
					fprintf(stderr, "%s%s/%s", k++ ? ", " : "", x->id, profile_str(f, "id"));
			}
			fputc('\n', stderr);
			return MFP_EXIT_USAGE;
		}
	}
	if (o->service && !strpbrk(o->service, ". ")) {
		const struct kb_state *kb = kb_state();
		bool found = false;
		for (size_t i = 0; i < kb->nservices && !found; i++)
			found = kb->services[i].id && strcmp(kb->services[i].id, o->service) == 0;
		if (!found) {
			fprintf(stderr, "mfpdoctor explain: unknown mail service '%.60s'. Known services: ", o->service);
			for (size_t i = 0; i < kb->nservices; i++)
				fprintf(stderr, "%s%s", i ? ", " : "", kb->services[i].id);
			fputs(" (or give the server's host name)\n", stderr);
			return MFP_EXIT_USAGE;
		}
	}
	return 0;
}

static void cleanup(void)
{
	kb_vendors_unload();
	kb_unload();
}

static int run(const struct cli_cmd *self, int argc, char **argv)
{
	struct explain_cfg c = {0};
	char **pos = calloc((size_t)argc + 1, sizeof(*pos));
	int npos = 0;
	int rc = cli_parse(self, argc, argv, &c, set, pos, &npos);
	if (rc) {
		free(pos);
		return rc == 1 ? MFP_EXIT_OK : rc;
	}
	char *text = NULL;
	if (npos == 0 || (npos == 1 && strcmp(pos[0], "-") == 0)) {
		if (npos == 0 && isatty(STDIN_FILENO)) {
			fputs("mfpdoctor explain: give TEXT (a code, a reply line or a transcript), or '-' to read it from "
			      "standard input\nTry 'mfpdoctor explain --help'.\n", stderr);
			free(pos);
			return MFP_EXIT_USAGE;
		}
		text = read_stdin();
	} else {
		struct buf b = {0};
		for (int i = 0; i < npos; i++)
			buf_printf(&b, "%s%s", i ? " " : "", pos[i]);
		text = buf_steal(&b);
	}
	free(pos);
	if (c.o.service)
		kb_load(NULL); /* else loaded on first use: vendor codes need only their own profile */
	if ((rc = check_narrowing(&c.o)) != 0) {
		free(text);
		cleanup();
		return rc;
	}
	struct explain_result res;
	int ex = explain_text(text, &c.o, &res);
	free(text);
	if (c.format == 1) {
		json_t *j = explain_report_json(&res);
		json_print(stdout, j);
		json_decref(j);
	} else if (c.format == 2) {
		explain_report_md(stdout, &res);
	} else {
		bool colour = cli_use_colour(stdout);
		explain_report_text(stdout, &res, colour);
	}
	explain_result_free(&res);
	cleanup();
	return ex;
}

const struct cli_cmd cmd_explain = {
	.name = "explain",
	.summary = "what a printer error code, SMTP reply or pasted transcript/log means",
	.usage = "explain [--vendor V] [--family F] [--service S] [--format F] TEXT... | -",
	.description =
		"TEXT is a printer error code (017-715, 'xerox 017-715', #818, CE-04, E535, 1102), an SMTP reply\n"
		"line ('535 5.7.139 Authentication unsuccessful ...', several lines for a multi-line reply), an\n"
		"enhanced code (5.7.139), a basic code (535), or a pasted transcript or log (swaks, curl -v, a\n"
		"Postfix log line, a printer job log). '-' or no TEXT reads standard input. A mail service's own\n"
		"wording is used only when the service is known (--service, a host or banner in the transcript,\n"
		"a marker such as 'gsmtp' in the reply) or the wording is unique to it; otherwise the generic\n"
		"registry meaning is given. 'How sure' rates the meaning, the stage and the typical replies\n"
		"separately; a guess is never shown as the stage or the SMTP class. Offline: nothing is sent.\n"
		"Exit: 0 explained, 3 nothing recognised, 64 usage error.",
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.run = run,
};
