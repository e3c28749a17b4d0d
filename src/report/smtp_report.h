/* report/smtp_report.h — renderers for a finished test send: JSON, terminal text and Markdown.
 * Pure functions of the request (without secrets) and the result; they never probe. */
#ifndef MFP_REPORT_SMTP_REPORT_H
#define MFP_REPORT_SMTP_REPORT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "smtp/smtp.h"

/* Returns a new JSON object (schema in docs/smtp-json.md). */
json_t *smtp_report_json(const struct smtp_request *req, const struct smtp_result *res);
/* Individual parts, reused by the diagnosis report. Each returns a new reference. */
json_t *smtp_json_caps(const struct smtp_caps *c);
json_t *smtp_json_tls(const struct tls_facts *t);
json_t *smtp_json_reply(const struct smtp_reply *r);
json_t *smtp_json_explanation(const struct kb_explanation *e);
json_t *json_findings(const struct findings *fs);
json_t *json_versions(void);

/* colour: use ANSI colours (the caller decides: a tty and no NO_COLOR). verbose adds the
 * redacted transcript. */
void smtp_report_text(FILE *out, const struct smtp_request *req, const struct smtp_result *res,
		      bool colour, bool verbose);
void smtp_report_md(FILE *out, const struct smtp_request *req, const struct smtp_result *res,
		    bool verbose);

/* Writes a JSON value, pretty-printed, followed by a newline. */
void json_print(FILE *out, const json_t *j);
/* A JSON string from untrusted text: sanitised (valid UTF-8, no control characters except \n). */
json_t *json_text(const char *s);

#endif
