/* kb/kb_internal.h — the loaded knowledge base, shared by the kb/ files only. */
#ifndef MFP_KB_INTERNAL_H
#define MFP_KB_INTERNAL_H
#include <jansson.h>
#include <regex.h>
#include <stdbool.h>

#include "util/buf.h"

struct kb_regexes {
	regex_t *v;
	size_t n;
};

struct kb_pattern {
	regex_t re;           /* valid when compiled */
	bool compiled, broken;
	const json_t *json;   /* borrowed from the service's root */
	int code;
	bool self_identifying;/* "scope": "self-identifying": the text alone names the provider */
};

struct kb_service {
	json_t *json;         /* the profile (owned) */
	const char *id, *name;
	struct kb_regexes hosts, banner, ehlo, reply; /* reply: markers in a reply's text ("gsmtp") */
	struct kb_pattern *patterns;
	size_t npatterns;
};

struct kb_state {
	bool loaded;
	char *overlay;
	json_t *basic, *enhanced;     /* devices/smtp/ files */
	struct kb_service *services;  /* devices/mail/ files */
	size_t nservices;
	struct strlist errors;
};

const struct kb_state *kb_state(void);
/* Prints errors[from..] to stderr as warnings (a broken site profile must not pass silently). */
void kb_warn_errors(const struct strlist *errors, size_t from);
/* Whether a provider pattern matches text; the regex is compiled on first use. */
bool kb_pattern_matches(const struct kb_pattern *p, const char *text);
/* Index of the service whose `recognise.reply` markers occur in a reply's text, or -1. */
int kb_service_from_reply(const char *reply);

#endif
