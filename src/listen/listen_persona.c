/* listen/listen_persona.c — persona look-up over the mail-service profiles; see listen_persona.h. */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "listen/listen_persona.h"
#include "profile/profile.h"
#include "util/buf.h"

struct walk {
	const char *id;
	struct listen_persona *found;
	FILE *list;
};

/* The pattern's stage when it is one the listener can answer at, else STAGE_LAST. */
static enum stage usable(const json_t *pat, const char **example)
{
	*example = profile_str(pat, "example");
	enum stage st = stage_parse(profile_str(pat, "stage"));
	if (st > STAGE_LAST_SMTP || st == STAGE_TLS_HANDSHAKE || !*example)
		return STAGE_LAST;
	for (int i = 0; i < 3; i++)
		if (!isdigit((unsigned char)(*example)[i]))
			return STAGE_LAST;
	return (*example)[0] >= '2' && (*example)[0] <= '5' ? st : STAGE_LAST;
}

static bool matches(const char *want, const char *service, const char *pid)
{
	if (!strcmp(want, pid))
		return true;
	size_t sl = strlen(service);
	return !strncmp(want, service, sl) && want[sl] == '-' && want[sl + 1] && strstr(pid, want + sl + 1);
}

static void visit(const char *path, json_t *root, void *user)
{
	struct walk *w = user;
	const char *service = profile_str(root, "id");
	json_t *pats = json_object_get(root, "patterns"), *pat;
	size_t i;
	if (!service || !json_is_array(pats))
		return;
	json_array_foreach(pats, i, pat) {
		const char *ex, *pid = profile_str(pat, "id");
		enum stage st = usable(pat, &ex);
		if (!pid || st == STAGE_LAST)
			continue;
		if (w->list) {
			fprintf(w->list, "  %-44s %-12s %.70s\n", pid, stage_name(st), ex);
			continue;
		}
		if (w->found->reply || !matches(w->id, service, pid))
			continue;
		w->found->stage = st;
		w->found->reply = xstrdup(ex);
		w->found->pattern = xstrdup(pid);
		w->found->service = xstrdup(profile_str(root, "name") ? profile_str(root, "name") : service);
	}
}

int listen_persona_find(const char *id, const char *overlay, struct listen_persona *p, char *err, size_t errsz)
{
	struct strlist errs = {0};
	memset(p, 0, sizeof(*p));
	struct walk w = {id, p, NULL};
	profile_each("mail/", overlay, visit, &w, &errs);
	strlist_free(&errs);
	if (!p->reply) {
		snprintf(err, errsz, "--persona %.60s: no reply pattern of that name in devices/mail/ "
			 "(`mfpdoctor listen --persona list` shows them)", id);
		return -1;
	}
	return 0;
}

void listen_persona_free(struct listen_persona *p)
{
	free(p->reply);
	free(p->pattern);
	free(p->service);
	memset(p, 0, sizeof(*p));
}

void listen_persona_list(FILE *out, const char *overlay)
{
	struct strlist errs = {0};
	struct walk w = {NULL, NULL, out};
	fputs("Personas (reply patterns of devices/mail/*.json; SERVICE-WORDS also matches):\n", out);
	profile_each("mail/", overlay, visit, &w, &errs);
	strlist_free(&errs);
}
