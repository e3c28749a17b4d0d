/* device/web_tap.h — the web session's side of the record/replay tap (web_http.h: struct
 * web_tap): the process-wide tap, the replayed answer with its cookies put into the session's
 * jar, and the exchange handed to an observing tap. Internal to web_http.c. */
#ifndef MFP_DEVICE_WEB_TAP_H
#define MFP_DEVICE_WEB_TAP_H
#include "device/web_http.h"

/* The tap set with web_http_set_tap, or NULL. */
const struct web_tap *web_tap_get(void);
/* Asks the answering tap for x (base, method, path, req_body filled); the cookies it names go
 * into h's jar. Returns the tap's answer (0, or -1: not recorded). */
int web_tap_answer(struct web_http *h, struct web_exchange *x);
/* Hands one finished exchange (r, the redirect target, the Set-Cookie values) to the observer. */
void web_tap_observe(struct web_http *h, const char *method, const char *path, const char *body,
		     const struct web_response *r, const char *loc, const struct strlist *cookies);

#endif
