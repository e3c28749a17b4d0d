/* core/stage.c — stage names; see stage.h. */
#include "core/stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAGE_NAME(id, name) name,
static const char *const names[STAGE_LAST] = {STAGE_LIST(STAGE_NAME)};
#undef STAGE_NAME

const char *stage_name(enum stage s)
{
	if ((unsigned)s >= STAGE_LAST) {
		fprintf(stderr, "mfpdoctor: internal error: impossible stage %d\n", (int)s);
		abort();
	}
	return names[s];
}

enum stage stage_parse(const char *name)
{
	static const struct { const char *alias; enum stage s; } aliases[] = {
		{"tls", STAGE_TLS_HANDSHAKE}, {"mail", STAGE_MAIL_FROM},
		{"rcpt", STAGE_RCPT_TO}, {"helo", STAGE_EHLO}, {"dot", STAGE_END_OF_DATA},
	};
	if (!name)
		return STAGE_LAST;
	for (int i = 0; i < STAGE_LAST; i++)
		if (strcmp(names[i], name) == 0)
			return (enum stage)i;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(aliases[i].alias, name) == 0)
			return aliases[i].s;
	return STAGE_LAST;
}
