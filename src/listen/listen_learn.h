/* listen/listen_learn.h — `listen --device HOST`: the printer's own settings (read over SNMP before
 * the sessions) against what it actually did in them, and the error events it logged during the
 * sessions paired with the server reply it got. Pure functions over the records: the CLI reads
 * the device; nothing here does I/O. */
#ifndef MFP_LISTEN_LEARN_H
#define MFP_LISTEN_LEARN_H
#include <jansson.h>

#include "core/device.h"
#include "kb/observed.h"
#include "listen/listen.h"

/* What one session did, kept after the session record is freed. */
struct listen_seen {
	int id;
	char tls[16];          /* none | starttls | implicit */
	char tls_max[16];      /* highest version offered, "" when no ClientHello */
	char *mech, *user, *ehlo;
	char *fail_stage;      /* the first refused stage, or NULL */
	char *fail_reply;
};

struct listen_pair {
	char *code, *text;     /* the device's event */
	int session;
	char *stage, *reply;   /* the reply it got */
};

struct listen_learn {
	struct listen_seen seen[32];
	int nseen;
	struct strlist compare;       /* "device setting X, but it did Y" */
	struct listen_pair pairs[16];
	int npairs;
};

/* Keeps what session s did (the first 32 sessions). */
void listen_learn_keep(struct listen_learn *l, const struct listen_session *s);
/* Compares the device's settings (before) with every kept session; bind/port: this listener. */
void listen_learn_compare(struct listen_learn *l, const struct device *before, const char *bind, int port);
/* Pairs each event in after that was not in before with the last refused reply of the sessions. */
void listen_learn_pair(struct listen_learn *l, const struct device *before, const struct device *after);
/* The pairs that got a refused reply, as observations for `--learn` (model may be NULL; date is
 * YYYY-MM-DD). Pairs without a reply teach nothing and are left out. Returns out->n. */
size_t listen_learn_observations(const struct listen_learn *l, const char *model, const char *date,
				 struct kb_observations *out);
json_t *listen_learn_json(const struct listen_learn *l, const char *host);
void listen_learn_text(FILE *out, const struct listen_learn *l, const char *host);
void listen_learn_free(struct listen_learn *l);

#endif
