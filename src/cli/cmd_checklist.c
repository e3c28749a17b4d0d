/* cli/cmd_checklist.c — `mfpdoctor checklist --vendor V [--family F] --service S`: offline, the
 * settings a printer of that vendor (and family) needs to send through that mail service, with
 * the device's menu paths, the values, why, and the service-side steps and deadlines.
 * Exit: 0 printed, 64 usage (unknown vendor, family or service). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/finding.h"
#include "diagnose/checklist.h"
#include "kb/kb.h"
#include "kb/kb_internal.h"
#include "kb/vendor.h"
#include "profile/profile.h"
#include "report/checklist_report.h"
#include "report/smtp_report.h"

enum { O_FAMILY, O_FORMAT, O_SERVICE, O_VENDOR };

/* Sorted by long name (checked by tests/unit/test_explain.c). */
static const struct cli_opt opts[] = {
	{"family", 0, CLI_VALUE, O_FAMILY, "FAMILY", "model family id, name or model (altalink, \"AltaLink C8045\")", "Selection"},
	{"format", 'f', CLI_VALUE, O_FORMAT, "text|json|md", "output format (default text)", "Output"},
	{"service", 0, CLI_VALUE, O_SERVICE, "ID", "mail service: office365, google, postfix, ... (required)", "Selection"},
	{"vendor", 0, CLI_VALUE, O_VENDOR, "VENDOR", "printer vendor: xerox, canon, hp, ... (required)", "Selection"},
};

struct checklist_cfg {
	const char *vendor, *family, *service;
	int format; /* 0 text, 1 json, 2 md */
};

static int set(void *vcfg, int id, const char *v, char *err, size_t errsz)
{
	struct checklist_cfg *c = vcfg;
	int i;
	switch (id) {
	case O_FAMILY: c->family = v; return 0;
	case O_FORMAT:
		if ((i = cli_parse_choice("format", v, "text|json|md", err, errsz)) < 0)
			return -1;
		c->format = i;
		return 0;
	case O_SERVICE: c->service = v; return 0;
	case O_VENDOR: c->vendor = v; return 0;
	}
	return -1;
}

static void list_vendors(void)
{
	struct strlist ids = {0};
	kb_vendor_ids(&ids);
	fputs("Known vendors: ", stderr);
	for (size_t i = 0; i < ids.n; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", ids.v[i]);
	fputc('\n', stderr);
	strlist_free(&ids);
}

static void list_services(void)
{
	const struct kb_state *kb = kb_state();
	fputs("Known services: ", stderr);
	for (size_t i = 0; i < kb->nservices; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", kb->services[i].id);
	fputc('\n', stderr);
}

static const json_t *find_service(const char *id)
{
	const struct kb_state *kb = kb_state();
	for (size_t i = 0; i < kb->nservices; i++)
		if (kb->services[i].id && strcasecmp(kb->services[i].id, id) == 0)
			return kb->services[i].json;
	const char *sid = NULL;
	int k = kb_service_identify(id, NULL, &sid, NULL); /* a host name like smtp.gmail.com */
	return k >= 0 ? kb->services[k].json : NULL;
}

static int usage(const char *msg)
{
	fprintf(stderr, "mfpdoctor checklist: %s\n", msg);
	return MFP_EXIT_USAGE;
}

static int run_checked(const struct checklist_cfg *c)
{
	if (!c->vendor || !c->service) {
		usage("--vendor V and --service S are required");
		if (!c->vendor)
			list_vendors();
		if (!c->service)
			list_services();
		return MFP_EXIT_USAGE;
	}
	const struct kb_vendor *v = kb_vendor_find(c->vendor);
	if (!v) {
		fprintf(stderr, "mfpdoctor checklist: unknown vendor '%.60s'\n", c->vendor);
		list_vendors();
		return MFP_EXIT_USAGE;
	}
	const json_t *fam = NULL;
	if (c->family && !(fam = kb_vendor_family(v, c->family))) {
		size_t i;
		const json_t *f;
		fprintf(stderr, "mfpdoctor checklist: %s has no model family '%.60s'. Known families: ", v->name, c->family);
		json_array_foreach(json_object_get(v->json, "families"), i, f)
			fprintf(stderr, "%s%s", i ? ", " : "", profile_str(f, "id"));
		fputc('\n', stderr);
		return MFP_EXIT_USAGE;
	}
	const json_t *svc = find_service(c->service);
	if (!svc) {
		fprintf(stderr, "mfpdoctor checklist: unknown mail service '%.60s'\n", c->service);
		list_services();
		return MFP_EXIT_USAGE;
	}
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	strftime(today, sizeof(today), "%Y-%m-%d", localtime_r(&now, &tm));
	struct checklist cl;
	checklist_build(v->json, fam, svc, today, &cl);
	if (c->format == 1) {
		json_t *j = checklist_report_json(&cl);
		json_print(stdout, j);
		json_decref(j);
	} else if (c->format == 2)
		checklist_report_md(stdout, &cl);
	else
		checklist_report_text(stdout, &cl, cli_use_colour(stdout));
	checklist_free(&cl);
	return MFP_EXIT_OK;
}

static int run(const struct cli_cmd *self, int argc, char **argv)
{
	struct checklist_cfg c = {0};
	char **pos = calloc((size_t)argc + 1, sizeof(*pos));
	int npos = 0;
	int rc = cli_parse(self, argc, argv, &c, set, pos, &npos);
	if (rc == 0 && npos) {
		fprintf(stderr, "mfpdoctor checklist: unexpected argument '%.60s'\nTry 'mfpdoctor checklist --help'.\n", pos[0]);
		rc = MFP_EXIT_USAGE;
	}
	free(pos);
	if (rc)
		return rc == 1 ? MFP_EXIT_OK : rc;
	kb_load(NULL);
	rc = run_checked(&c);
	kb_vendors_unload();
	kb_unload();
	return rc;
}

const struct cli_cmd cmd_checklist = {
	.name = "checklist",
	.summary = "offline settings checklist for a printer vendor and a mail service",
	.usage = "checklist --vendor V [--family F] --service S [--format text|json|md]",
	.description =
		"Lists every setting a printer of vendor V (and model family F) needs to send scans through mail\n"
		"service S: where it is in the device's menus, the value to set and why, then the steps on the\n"
		"service side and dated deprecations (e.g. Microsoft 365 Basic-auth retirement). Offline.\n"
		"Exit: 0 printed, 64 usage error (unknown vendor, family or service: the valid ids are listed).",
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.run = run,
};
