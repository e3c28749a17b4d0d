/* report/diag_json.c — the diagnosis as JSON (schema mfpdoctor/diagnosis/1, docs/diagnose.md). */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "report/checklist_report.h"
#include "report/device_report.h"
#include "report/diag_report.h"
#include "report/smtp_report.h"

const char *diag_device_title(const struct diagnosis *dg, char *out, size_t outsz)
{
	const char *v = device_value(&dg->dev, "identity.vendor"), *m = device_value(&dg->dev, "identity.model");
	if (m && v && strncasecmp(m, v, strlen(v)) == 0)
		v = NULL;
	snprintf(out, outsz, "%s%s%s", v ? v : "", v && m ? " " : "", m ? m : "");
	if (!out[0])
		snprintf(out, outsz, "unknown device");
	return out;
}

const char *diag_status_name(enum mfp_exit s)
{
	switch (s) {
	case MFP_EXIT_OK: return "ok";
	case MFP_EXIT_WARNING: return "warning";
	case MFP_EXIT_CRITICAL: return "critical";
	default: return "unknown";
	}
}

static json_t *events_json(const struct diagnosis *dg)
{
	json_t *a = json_array();
	for (size_t i = 0; i < dg->dev.nevents; i++) {
		const struct device_event *e = &dg->dev.events[i];
		const struct diag_event *x = i < dg->nevents ? &dg->events[i] : NULL;
		json_t *j = json_pack("{s:o, s:o, s:o, s:s, s:o}", "code", json_text(e->code), "text", json_text(e->text),
				      "time", json_text(e->time), "origin", event_origin_name(e->origin), "where",
				      json_text(e->where));
		json_object_set_new(j, "explanation", x && x->explained ? smtp_json_explanation(&x->e) : json_null());
		json_object_set_new(j, "reproduced", json_text(x ? x->reproduced : NULL));
		json_object_set_new(j, "comparison", json_text(x ? x->note : NULL));
		json_array_append_new(a, j);
	}
	return a;
}

json_t *diag_report_json(const struct diagnosis *dg)
{
	json_t *settings = json_array();
	for (size_t i = 0; i < dg->nsettings; i++)
		json_array_append_new(settings, json_pack("{s:s, s:o, s:o}", "name", dg->settings[i].name, "value",
							  json_text(dg->settings[i].value), "source",
							  json_text(dg->settings[i].source)));
	json_t *test;
	if (dg->test_ran) {
		test = smtp_report_json(&dg->req, &dg->smtp);
	} else {
		test = json_pack("{s:b, s:o}", "ran", 0, "skipped", json_text(dg->test_skipped));
	}
	if (dg->test_ran)
		json_object_set_new(test, "ran", json_true());
	json_t *j = json_pack("{s:s, s:s, s:i, s:o}", "schema", "mfpdoctor/diagnosis/1", "status",
			      diag_status_name(dg->status), "exit_code", (int)dg->status, "host", json_text(dg->dev.host));
	json_object_set_new(j, "device", device_report_json(&dg->dev));
	json_object_set_new(j, "service", dg->service_id ? json_pack("{s:s, s:s}", "id", dg->service_id, "name", dg->service_name)
							 : json_null());
	json_object_set_new(j, "settings", settings);
	json_object_set_new(j, "smtp_test", test);
	json_object_set_new(j, "events", events_json(dg));
	json_t *cuts = json_array();
	for (size_t i = 0; i < dg->ncuts; i++)
		json_array_append_new(cuts, json_pack("{s:o, s:o}", "phase", json_text(dg->cuts[i].phase), "why",
						      json_text(dg->cuts[i].why)));
	json_object_set_new(j, "not_tested", cuts);
	json_object_set_new(test, "budget_exhausted", json_boolean(dg->smtp.budget_exhausted));
	json_object_set_new(j, "findings", json_findings(&dg->findings));
	json_object_set_new(j, "checklist", dg->have_checklist ? checklist_report_json(&dg->checklist) : json_null());
	json_object_set_new(j, "versions", json_versions());
	json_object_set_new(j, "run", json_pack("{s:o, s:o}", "started", json_text(dg->started[0] ? dg->started : NULL),
						"command", json_text(dg->command)));
	json_object_set_new(j, "elapsed_ms", json_integer((json_int_t)dg->elapsed_ms));
	return j;
}
