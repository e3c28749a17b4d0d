/* listen/listen_report.h — renderers for one recorded listen session: terminal text, Markdown and
 * JSON (schema in docs/listen.md). Pure functions of the record; they never touch the network.
 * The record holds no password, and callers still print through the redaction sink. */
#ifndef MFP_LISTEN_REPORT_H
#define MFP_LISTEN_REPORT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "listen/listen.h"

void listen_report_text(FILE *out, const struct listen_session *s, bool transcript);
void listen_report_md(FILE *out, const struct listen_session *s, bool transcript);
json_t *listen_report_json(const struct listen_session *s);
/* Fills out with the mangling-prone characters the password held ("space, '%'"), "" if none. */
void listen_report_pwchars(const struct listen_auth *a, char *out, size_t n);
/* The helpdesk notes for a session (new strings, added to l): old TLS, risky password, ... */
void listen_report_notes(const struct listen_session *s, struct strlist *l);

#endif
