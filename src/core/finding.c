/* core/finding.c — finding lists; see finding.h. */
#include "core/finding.h"

#include <stdlib.h>
#include <string.h>

#include "util/text.h"

struct finding *findings_add(struct findings *fs, const char *id, enum severity sev,
			     const char *title, const char *evidence, const char *fix,
			     const char *const *sources)
{
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 8;
		fs->v = xrealloc(fs->v, fs->cap * sizeof(*fs->v));
	}
	struct finding *f = &fs->v[fs->n++];
	memset(f, 0, sizeof(*f));
	f->id = xstrdup(id);
	f->sev = sev;
	f->title = xstrdup(title);
	f->evidence = text_sanitize(evidence, 4000, 1);
	f->fix = xstrdup(fix);
	for (size_t i = 0; sources && sources[i]; i++)
		strlist_add(&f->sources, sources[i]);
	return f;
}

const struct finding *findings_get(const struct findings *fs, const char *id)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->v[i].id, id) == 0)
			return &fs->v[i];
	return NULL;
}

void findings_sort(struct findings *fs)
{
	/* insertion sort: stable, lists are short */
	for (size_t i = 1; i < fs->n; i++) {
		struct finding t = fs->v[i];
		size_t j = i;
		while (j > 0 && (fs->v[j - 1].sev < t.sev || (fs->v[j - 1].sev == t.sev && fs->v[j - 1].rank < t.rank))) {
			fs->v[j] = fs->v[j - 1];
			j--;
		}
		fs->v[j] = t;
	}
}

enum severity findings_worst(const struct findings *fs)
{
	enum severity w = SEV_OK;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->v[i].sev > w)
			w = fs->v[i].sev;
	return w;
}

void findings_free(struct findings *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		struct finding *f = &fs->v[i];
		free(f->id);
		free(f->title);
		free(f->evidence);
		free(f->fix);
		strlist_free(&f->sources);
	}
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

const char *severity_name(enum severity s)
{
	static const char *const n[] = {"ok", "info", "warn", "fail"};
	return (unsigned)s < ARRAY_SIZE(n) ? n[s] : "fail";
}
