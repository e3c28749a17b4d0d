/* device/web_http.h — the HTTP(S) session used to read a printer's embedded web server: one
 * libcurl easy handle with an in-memory cookie engine, bounded redirects, a response size limit,
 * per-request and whole-run time limits, HTTP Basic/Digest or form login, and the peer
 * certificate's SHA-256 fingerprint with the trust decision (CA file, pinned fingerprint or an
 * explicit --web-insecure). Only GET is offered, plus web_http_post_form for a login form.
 * Every request is recorded (method, path, status, bytes, time) for the report. */
#ifndef MFP_DEVICE_WEB_HTTP_H
#define MFP_DEVICE_WEB_HTTP_H
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define WEB_MAX_BYTES_DEFAULT (2L * 1024 * 1024)
#define WEB_MAX_REDIRECTS 5
#define WEB_MAX_HEADERS 100            /* response header lines per response */
#define WEB_MAX_HEADER_BYTES (64 * 1024) /* all header lines of one response */

/* Why a request gave no usable response: what libcurl said (CURLcode) and what we decided.
 * X(enum suffix, JSON name). The message in web_response.error says the same in words. */
#define WEB_WHY_LIST(X) \
	X(NONE, "none")                   /* a response arrived and is usable */ \
	X(CONNECT, "connect")             /* no connection: refused, unreachable, name unknown */ \
	X(TLS, "tls")                     /* TLS handshake failed or the certificate was not trusted */ \
	X(TIMEOUT, "timeout")             /* no complete answer within the per-request limit */ \
	X(BUDGET, "budget")               /* the session's time budget was used up */ \
	X(TOO_LARGE, "too-large")         /* the body passed the size limit: cut */ \
	X(REFUSED_SIZE, "refused-size")   /* the announced Content-Length passes the limit: refused */ \
	X(HEADERS, "header-flood")        /* too many or too large response headers */ \
	X(REDIRECT_LOOP, "redirect-loop") /* a redirect back to a page already visited */ \
	X(REDIRECT_LIMIT, "redirect-limit") /* more than WEB_MAX_REDIRECTS redirects */ \
	X(REDIRECT_OFFHOST, "redirect-offhost") /* to another host, port or scheme: never followed */ \
	X(PROTOCOL, "protocol")           /* the server's answer was not valid HTTP */ \
	X(OTHER, "other")

#define WEB_WHY_ENUM(e, n) WEB_WHY_##e,
enum web_why { WEB_WHY_LIST(WEB_WHY_ENUM) WEB_WHY_LAST };
#undef WEB_WHY_ENUM

/* "redirect-loop", … (JSON "reason" of a request). */
const char *web_why_name(enum web_why w);

enum web_auth { WEB_AUTH_NONE, WEB_AUTH_BASIC, WEB_AUTH_DIGEST };

struct web_http_opts {
	const char *cafile;      /* extra CA bundle (PEM) or NULL */
	const char *pin;         /* "SHA256:AB:CD:…" (colons optional, any case) or NULL */
	bool insecure;           /* do not enforce certificate checks (still reported) */
	long timeout_ms;         /* per request (connect + transfer) */
	long budget_ms;          /* whole session; 0 = no limit */
	long max_bytes;          /* response body limit; 0 = WEB_MAX_BYTES_DEFAULT */
	bool cut_ok;             /* a body over the limit is cut and returned as a response (truncated,
				  * error says so) instead of failing the request: identification only */
	bool keep_headers;       /* record response header lines per request (--verbose) */
};

#define WEB_KEEP_HEADERS 40      /* header lines recorded per request at most (--verbose) */

/* One request as shown in the report. */
struct web_request_rec {
	char method[8];
	char *path;              /* path and query as requested (secrets scrubbed) */
	long status;             /* HTTP status of the final response, 0 when none */
	long bytes;              /* body bytes received (up to the limit) */
	long ms;
	enum web_why why;        /* WEB_WHY_NONE when the response was usable */
	int curl_code;           /* CURLcode of the transfer (0 = CURLE_OK) */
	char *error;             /* our message plus curl's words, or NULL */
	struct strlist headers;  /* response header lines, sanitised and scrubbed (keep_headers) */
};

/* Deep copy and release of a request record. */
void web_request_rec_copy(struct web_request_rec *dst, const struct web_request_rec *src);
void web_request_rec_free(struct web_request_rec *q);

struct web_response {
	long status;
	char *body;              /* NUL-terminated (may contain other NULs); owned */
	size_t len;
	bool truncated;          /* the size limit stopped the transfer */
	char *content_type;      /* owned or NULL */
	char *server;            /* Server: header (sanitised) or NULL */
	char *effective_url;     /* after redirects; owned */
	int curl_code;           /* CURLcode */
	enum web_why why;        /* why the request failed (WEB_WHY_NONE when it did not) */
	char error[400];         /* our message + curl's error buffer when curl_code != 0 */
};

struct web_cert {
	bool seen;               /* a certificate was received */
	char sha256[100];        /* "AB:CD:…" upper case */
	char *subject;           /* sanitised, owned */
	char *issuer;
	bool verified;           /* by CA (system or --web-cafile) or by the pinned fingerprint */
	char *verify_how;        /* "CA", "pinned fingerprint", "not verified (--web-insecure)", … */
};

struct web_http {
	void *curl;              /* CURL * */
	char *base;              /* "https://host:port" */
	bool tls;
	struct web_http_opts opts;
	struct web_cert cert;
	char spki_pin[80];       /* "sha256//…" once pinned */
	const char *referer_path;
	double started_ms;
	struct web_request_rec *reqs;
	size_t nreqs, capreqs;
	char errbuf[256];
	bool trust_refused;      /* the certificate was refused: no request is ever sent */
	int handshake_rc;        /* CURLcode of the last handshake-only connection */
};

/* Starts a session for base ("https://host:port", no trailing slash). Copies base and opts
 * (strings in opts are borrowed and must outlive the session). Returns 0 or -1 (libcurl failed
 * to start; message in h->errbuf). */
int web_http_open(struct web_http *h, const char *base, const struct web_http_opts *o);

/* Sets HTTP authentication for every later request (user/password borrowed; NULL clears). */
void web_http_set_auth(struct web_http *h, enum web_auth a, const char *user, const char *password);

/* GET base+path, following at most WEB_MAX_REDIRECTS redirects on the same host, port and
 * scheme (a redirect elsewhere is never followed; a redirect back to a page already visited is a
 * loop). Fills r (the caller frees it with web_response_free). Returns 0 when a usable HTTP
 * response arrived (any status except a redirect that was not followed), -1 otherwise: r->why
 * and r->error say why (timeout with the page, redirect loop/limit/other host, size limit,
 * header flood, certificate, budget). On the first TLS connection the certificate is recorded
 * and the trust decision is made; a pinned fingerprint that does not match fails the request
 * before anything else is sent. */
int web_http_get(struct web_http *h, const char *path, struct web_response *r);

/* POSTs an application/x-www-form-urlencoded body (already encoded) to base+path: used for a
 * login form only. Redirects after it are followed with GET. Same return as web_http_get. */
int web_http_post_form(struct web_http *h, const char *path, const char *body, struct web_response *r);

/* Percent-encodes s for a form body or query; returns a new string. */
char *web_http_escape(struct web_http *h, const char *s);

/* Returns the value of the named cookie in the session's cookie jar (new string) or NULL. */
char *web_http_cookie(struct web_http *h, const char *name);

/* Puts a cookie for the session's host (IP literals included) into the jar, as if the device
 * had set it (path /, session cookie). */
void web_http_set_cookie(struct web_http *h, const char *name, const char *value);

/* POSTs body with the given Content-Type to base+path: only for a read command a profile page
 * declares ("post" with "read_only", e.g. Toshiba TopAccess XML GET commands). Same return as
 * web_http_get. */
int web_http_post_read(struct web_http *h, const char *path, const char *ctype, const char *body,
		       struct web_response *r);

/* Forgets every cookie (a new session). */
void web_http_clear_cookies(struct web_http *h);

/* Milliseconds left of the session budget (LONG_MAX when unlimited). */
long web_http_budget_left(const struct web_http *h);

void web_response_free(struct web_response *r);
void web_http_close(struct web_http *h);

/* Normalises a pin "SHA256:ab:cd…" / "sha256//AB…" / "abcd…" into "AB:CD:…" (64 hex digits).
 * Returns 0, or -1 when it is not a SHA-256 fingerprint. (Implemented in web_tls.c.) */
int web_pin_normalise(const char *pin, char *out, size_t outsz);

/* One HTTP exchange as the tap sees it (record) or supplies it (replay). Strings borrowed. */
struct web_exchange {
	const char *base;              /* the session's "https://host:port" */
	const char *method, *path;     /* as requested */
	const char *req_body;          /* the form body of a POST, or NULL */
	long status;                   /* 0 when no response arrived */
	const char *content_type, *server, *location; /* NULL when absent; location absolute */
	const struct strlist *cookies; /* Set-Cookie header values as received (record only) */
	const char *body;
	size_t len;
	bool truncated;
	int curl_code;                 /* CURLcode; 0 when a response arrived */
	enum web_why why;
	const char *error;             /* our message when the request failed, or NULL */
	const struct web_cert *cert;   /* the session's certificate facts (record only) */
};

/* A tap between every session and the device, for `record` and `--replay` (src/record/):
 * observe (when set) sees every exchange, failed ones too; answer (when set) answers instead
 * of libcurl: it gets base, method, path and req_body in x and fills the rest (0), or fills
 * error and why (-1, not in the recording); x's strings stay valid until the next call.
 * cert (replay) gives the recorded certificate of base in place of a TLS handshake and
 * returns 0 (trusted as recorded) or -1 (refused, err says why). Process-wide; NULL removes. */
struct web_tap {
	void (*observe)(void *u, const struct web_exchange *x);
	int (*answer)(void *u, struct web_exchange *x, struct strlist *cookie_names);
	int (*cert)(void *u, const char *base, struct web_cert *c, char *err, size_t errsz);
	void *u;
};
void web_http_set_tap(const struct web_tap *t);

/* "2 MiB", "512 KiB" or "1500 bytes" for a byte count (new string). */
char *web_size_words(long bytes);

#endif
