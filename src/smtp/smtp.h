/* smtp/smtp.h — the matching test send: what to try (struct smtp_request) and everything it saw
 * (struct smtp_result). The probe only gathers facts; smtp/rules.c turns them into findings. */
#ifndef MFP_SMTP_SMTP_H
#define MFP_SMTP_SMTP_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/finding.h"
#include "core/stage.h"
#include "kb/kb.h"
#include "smtp/caps.h"
#include "core/smtp_reply.h"

enum tls_mode { TLS_AUTO, TLS_NONE, TLS_STARTTLS, TLS_IMPLICIT };
#define TLS_MODE_CHOICES "auto|none|starttls|implicit"
/* TLS protocol versions as 10, 11, 12, 13; 0 = not set. */
#define TLS_VERSION_CHOICES "1.0|1.1|1.2|1.3"
enum auth_mode { AUTH_NONE, AUTH_AUTO, AUTH_PLAIN, AUTH_LOGIN, AUTH_CRAM_MD5, AUTH_NTLM, AUTH_XOAUTH2 };
#define AUTH_MODE_CHOICES "none|auto|plain|login|cram-md5|ntlm|xoauth2"

const char *tls_mode_name(enum tls_mode m);
const char *auth_mode_name(enum auth_mode m);
/* "1.2" for 12; "" for 0. */
const char *tls_version_name(int v);

struct smtp_request {
	const char *server;
	long port;                 /* 0 = by TLS mode: 465 implicit, else 587 */
	enum tls_mode tls;
	int tls_min, tls_max;      /* 10..13 or 0 */
	enum auth_mode auth;       /* AUTH_AUTO when a user is given, else AUTH_NONE (set by caller) */
	const char *user;
	const char *password;      /* secret: never stored in results */
	const char *from;
	const char *const *to;
	size_t nto;
	const char *ehlo;          /* NULL = libcurl's default (local host name) */
	enum stage stop_after;     /* STAGE_CONNECT, STAGE_TLS_HANDSHAKE, STAGE_AUTH, STAGE_MAIL_FROM, STAGE_RCPT_TO */
	bool send;                 /* deliver for real */
	long long size;            /* attachment size in bytes */
	long timeout_ms;           /* per network step: the longest wait for the next reply line (or for
				    * the TCP connection, a TLS handshake, upload progress) */
	long budget_ms;            /* whole run, follow-up probes included */
	const char *cafile;
	bool insecure;
	bool followups;            /* allowed to run short confirmation probes */
};

/* One stage of the conversation. */
struct smtp_step {
	enum stage stage;
	int index;                 /* recipient number for rcpt-to, else 0 */
	char *command;             /* as sent, AUTH payloads redacted; NULL for connect/banner/handshake */
	struct smtp_reply reply;   /* the final reply of the stage */
	int rounds;                /* AUTH: number of 334 challenges */
	double elapsed_ms;
	bool done;                 /* finished (a reply, or the step completed) */
	char *detail;              /* our own note, e.g. "connected to 127.0.0.1:587" */
};

struct tls_facts {
	bool attempted, established;
	char version[16];          /* "TLSv1.2" */
	char cipher[64];
	char *subject, *issuer;
	struct strlist sans;       /* "DNS:mail.example.com", "IP:127.0.0.1" */
	char not_after[32];        /* ISO 8601 UTC */
	long days_left;            /* negative when expired */
	char sha256[100];          /* certificate fingerprint, colon-separated hex */
	bool have_cert;
	bool chain_ok;             /* chain verified to a trusted CA, dates valid */
	char *chain_error;         /* why not (OpenSSL's words) */
	bool name_ok;              /* certificate matches the host name / IP we connected to */
	char *name_error;
	bool verify_enforced;      /* false with --insecure */
	char *alert;               /* TLS alert received or sent during the handshake */
};

struct smtp_followup {
	char *what;                /* "implicit TLS on the same port" */
	char *result;              /* "TLS handshake completed, banner: 220 ..." */
	bool positive;             /* the alternative worked */
};

struct smtp_result {
	struct smtp_step *steps;
	size_t nsteps, capsteps;
	struct smtp_caps caps_before, caps_after;
	struct tls_facts tls;
	enum tls_mode tls_used;    /* after auto resolution */
	long port_used;
	char *host;                /* server as asked (sanitised) */
	char *ip;                  /* address connected to */
	/* verdict */
	bool ok;                   /* every stage attempted passed */
	bool completed;            /* reached the requested stop point (or delivered) */
	enum stage failed_stage;   /* STAGE_LAST when none */
	struct smtp_reply fail_reply;
	char *error;               /* our description of a failure without a reply (timeouts, TLS) */
	/* The run's time budget (req->budget_ms) ran out during cut_stage: that stage and every later
	 * one are NOT TESTED (not failed). ok is false, failed_stage = cut_stage, error says "not
	 * tested: the run's time budget ran out during STAGE", and smtp_result_exit() returns 3
	 * (UNKNOWN), never 2, whatever else was found. Callers that share a budget (diagnose) rely on it. */
	bool budget_exhausted;
	/* One step got no reply (nor any other sign of life) within req->timeout_ms: a real
	 * failure of cut_stage, e.g. "no reply to EHLO within 3 s". */
	bool step_timeout;
	/* One reply was larger than SESSION_MAX_REPLY_BYTES, or libcurl refused it as too large:
	 * the test stopped reading at cut_stage (a failure). */
	bool reply_too_large;
	long long reply_bytes;     /* how much of it had arrived */
	enum stage cut_stage;      /* the stage that was waiting when the run was cut (any of the flags) */
	double cut_wait_ms;        /* how long it had been waiting */
	size_t transcript_dropped; /* transcript lines not kept (SESSION_MAX_TRANSCRIPT_*) */
	int curl_code;
	char *curl_error;
	bool delivered;
	bool helo_fallback;        /* client fell back from EHLO to HELO */
	bool auth_attempted;
	long long message_size;    /* bytes of the message as it would go on the wire */
	double total_ms;
	struct strlist transcript; /* redacted, sanitised: "-> EHLO x", "<- 250 ...", "** info" */
	struct smtp_followup *followups;
	size_t nfollowups;
	struct findings findings;
	struct kb_explanation *explanations; /* every failed reply, explained (smtp/rules.c) */
	size_t nexplanations;
};

/* Runs the test send described by req. Always fills res (zeroed by the caller), even on failure:
 * every failure is recorded in the result. Returns 0 when the probe ran (whatever its verdict),
 * -1 when it could not start (message in res->error). */
int smtp_probe(const struct smtp_request *req, struct smtp_result *res);

/* Applies the rules (smtp/rules.c) to a finished result: fills res->findings. No I/O. */
void smtp_rules_apply(const struct smtp_request *req, struct smtp_result *res);

/* Returns the step for stage (the last one of that stage), or NULL. */
const struct smtp_step *smtp_result_step(const struct smtp_result *res, enum stage s);

/* How a step ended, as every report shows it: ok, failed (a refusal, or the step the test
 * stopped at without a positive reply, e.g. a final 334), no reply, or cut by the run's budget
 * (not tested). */
enum smtp_step_state { STEP_OK, STEP_FAILED, STEP_NO_REPLY, STEP_CUT };
enum smtp_step_state smtp_step_state(const struct smtp_result *res, const struct smtp_step *s);
/* "ok", "failed", "no-reply", "cut". */
const char *smtp_step_state_name(enum smtp_step_state st);

/* Exit code for a finished result (0 ok, 1 warnings, 2 failed, 3 could not test: always 3 when
 * res->budget_exhausted). */
int smtp_result_exit(const struct smtp_result *res);

void smtp_result_free(struct smtp_result *res);

#endif
