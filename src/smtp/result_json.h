/* smtp/result_json.h — a finished test send's raw facts (struct smtp_result, before the rules)
 * as JSON and back, so one process can run the test and another apply the rules to the same
 * facts (scan: printers with the same SMTP settings share one test send). Internal format, not
 * the report schema (that is report/smtp_json.c). */
#ifndef MFP_SMTP_RESULT_JSON_H
#define MFP_SMTP_RESULT_JSON_H
#include <jansson.h>
#include <stddef.h>

#include "smtp/smtp.h"

#define SMTP_RESULT_JSON_SCHEMA "mfpdoctor/smtp-result/1"

/* Every fact of res: steps and their replies, capabilities, TLS facts, verdict, cut flags,
 * transport error, transcript, follow-ups. Not the rules' output (findings, explanations):
 * smtp_rules_apply rebuilds those from the facts. Returns a new reference. */
json_t *smtp_result_to_json(const struct smtp_result *res);

/* Fills res (zeroed by the caller) from j. Returns 0, or -1 with a message naming the field and
 * what is wrong with it in err ("steps[1].reply.code: expected an integer"); res is then freed
 * and zeroed again. */
int smtp_result_from_json(const json_t *j, struct smtp_result *res, char *err, size_t errsz);

#endif
