/* kb/kb.h — the knowledge base: SMTP reply codes (RFC 5321/4954/3207/1870/2920), the IANA
 * enhanced status code registry, mail-service reply patterns and vendor error codes, all loaded
 * from the profiles in devices/ (compiled in, plus an optional overlay directory). */
#ifndef MFP_KB_KB_H
#define MFP_KB_KB_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "core/stage.h"
#include "util/buf.h"

/* What the knowledge base says about one reply, code or vendor code. */
struct kb_explanation {
	char *kind;            /* "smtp-reply", "enhanced-code", "basic-code", "vendor-code" */
	int code;              /* basic code, 0 when none */
	char enhanced[16];     /* "5.7.139" or "" */
	char *class_name;      /* positive-completion | positive-intermediate | transient | permanent */
	enum stage stage;      /* STAGE_UNKNOWN when the knowledge base does not say */
	char *category;        /* dns, connect, tls, auth, sender, recipient, relay, size, rate-limit,
				  policy, content, server, protocol, config */
	char *title;           /* short name: registry title or pattern id */
	char *meaning;
	char *fix;
	char *provider;        /* mail service whose pattern matched, or NULL */
	char *vendor;          /* printer vendor for vendor codes, or NULL */
	char *matched;         /* the code or reply text that was explained */
	struct strlist sources;
	/* How sure each claim is (sourced | inferred | unverified). A claim the knowledge base cannot
	 * back is never presented as fact: when the stage is unverified, `stage` is STAGE_UNKNOWN and
	 * the guess is in `stage_guess`; when the replies are unverified, `class_name` is NULL. */
	char *confidence;      /* of the meaning */
	char *stage_confidence;/* of `stage`; NULL when no stage is known or guessed */
	char *reply_confidence;/* vendor codes: of the typical replies and the class derived from them; else NULL */
	enum stage stage_guess;/* the stage an unverified claim suggests (STAGE_UNKNOWN when none) */
	char *provider_basis;  /* why a provider pattern applied: "service" (the service was recognised from
				  the hint), "reply text" (the reply names the service) or "unique wording"
				  (the pattern's text is the provider's own); NULL without a provider */
};

/* Explains a reply. reply_joined is the whole reply with lines joined by spaces (codes kept);
 * code/enhanced come from the parser. service_hint (a service id such as "office365", or a host
 * name or banner; may be NULL) recognises the service. A provider's patterns apply only when its
 * service is recognised (from the hint, or from markers in the reply text such as "gsmtp") or
 * when the pattern is self-identifying (its wording is unique to the provider); otherwise the
 * IANA/RFC registries explain the reply. Fills out and returns 0; returns -1 when nothing at all
 * is known (out still holds the class). */
int kb_explain_reply(const char *reply_joined, int code, const char *enhanced,
		     const char *service_hint, struct kb_explanation *out);

/* Meaning of an enhanced code alone (registry only). Returns 0 or -1 when not in the registry. */
int kb_explain_enhanced(const char *enhanced, struct kb_explanation *out);
/* Meaning of a basic code alone (registry only). Returns 0 or -1. */
int kb_explain_basic(int code, struct kb_explanation *out);

/* Identifies the mail service from a host name, banner or EHLO text; returns its id
 * ("office365") and name through the pointers (borrowed, valid until kb_unload), or -1. */
int kb_service_identify(const char *host, const char *banner, const char **id, const char **name);

/* The mail-service profile with this id (borrowed, valid until kb_unload), or NULL. */
const json_t *kb_service_json(const char *id);

/* Loads the profiles (idempotent). overlay_dir (may be NULL; else also $MFPDOCTOR_PROFILES)
 * adds site profiles. Problems are collected in kb_load_errors(). Returns 0 or -1. */
int kb_load(const char *overlay_dir);
const struct strlist *kb_load_errors(void);
void kb_unload(void);

void kb_explanation_free(struct kb_explanation *e);
/* Deep copy of s into d (d is overwritten, not freed first). Can't fail. */
void kb_explanation_copy(struct kb_explanation *d, const struct kb_explanation *s);

#endif
