/* listen/listen_persona.h — `--persona ID`: a real provider's reply, taken from the reply
 * patterns of the mail-service profiles (devices/mail/ profiles: each pattern's "stage" and
 * "example"), so the listener can answer as Microsoft 365 or Gmail would. */
#ifndef MFP_LISTEN_PERSONA_H
#define MFP_LISTEN_PERSONA_H
#include <stdio.h>

#include "core/stage.h"

struct listen_persona {
	enum stage stage;
	char *reply;            /* the pattern's example reply */
	char *pattern;          /* the pattern id it came from */
	char *service;          /* the service's name */
};

/* Finds id: a pattern id ("m365-5.7.139-tenant-disabled"), or SERVICE-WORDS where SERVICE is a
 * profile id ("office365") and WORDS a part of one of its pattern ids ("auth-disabled"; the first
 * such pattern in the file wins). Only patterns with an SMTP stage and an example reply count.
 * Returns 0, or -1 with a message in err. */
int listen_persona_find(const char *id, const char *overlay, struct listen_persona *p, char *err, size_t errsz);
void listen_persona_free(struct listen_persona *p);
/* Prints every usable persona id with its stage and reply. */
void listen_persona_list(FILE *out, const char *overlay);

#endif
