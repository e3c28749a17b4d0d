/* record/rec.h — recording a printer and replaying the recording (docs/record.md).
 * A recording is a directory: manifest.json (versions, date, host, what was read, what failed,
 * limits hit), device.snmprec (every object read, snmpsim format) and web/exchanges.json with one
 * body file per exchange (web/NNN.body). The recorder sits on the transport taps
 * (device/snmp_sess.h, device/web_http.h) and sees exactly what the readers read; the replay
 * answers the same taps from the files, in-process: no packet and no connection is made. */
#ifndef MFP_RECORD_REC_H
#define MFP_RECORD_REC_H
#include <stdbool.h>
#include <stddef.h>

#include "device/snmp_sess.h"
#include "device/web_http.h"
#include "record/rec_scrub.h"
#include "util/buf.h"

#define REC_MANIFEST "manifest.json"
#define REC_SNMPREC "device.snmprec"
#define REC_EXCHANGES "web/exchanges.json"

/* One recorded HTTP exchange (strings owned; body may hold NULs). */
struct rec_exchange {
	char *base, *method, *path, *req_body, *content_type, *server, *location, *error;
	struct strlist cookie_names;
	long status;
	char *body;
	size_t len;
	bool truncated;
	int curl_code;
	int why;                  /* enum web_why */
	bool served;              /* replay: handed out already */
};

struct recorder {
	struct snmpw_vbs vbs;     /* every varbind seen */
	struct rec_exchange *x;
	size_t nx, capx;
	struct web_cert cert;     /* the HTTPS certificate facts seen (copy) */
	char *cert_base;
	struct strlist read, failed, limits;  /* manifest: what was read, what failed, limits hit */
	struct snmpw_tap stap;
	struct web_tap wtap;
};

/* Installs the observing taps; rec_stop removes them. */
void rec_start(struct recorder *r);
void rec_stop(struct recorder *r);
void rec_free(struct recorder *r);

/* Walks each subtree (dotted roots) fully, within max_vbs varbinds in all and budget_ms; what a
 * bound or an error cut goes to r->limits / r->failed. Uses conf's version (GETBULK for v2c/v3). */
void rec_walk(struct recorder *r, const struct snmpw_conf *conf, const char *const *roots, size_t nroots,
	      long max_vbs, long budget_ms);

/* What the manifest says about the run besides what the recorder saw. */
struct rec_meta {
	const char *host;         /* HOST as given */
	const char *snmp_peer;    /* HOST[:PORT] */
	int snmp_version;
	int web_port;             /* 0 = default */
	bool anonymized;
	bool web_login;           /* a web password was given (the pages behind the login were read) */
	const char *vendor_id, *family;
};

/* Writes the recording into dir (created; must be empty or absent). Every text passes rec_scrub.
 * Returns 0, or -1 with a message naming the file in err. */
int rec_write(struct recorder *r, struct rec_anon *an, const struct rec_meta *m, const char *dir, char *err,
	      size_t errsz);

/* A loaded recording, answering the taps. */
struct replay {
	char *dir;
	char *host, *snmp_peer, *recorded, *vendor_id, *family;
	int web_port;
	bool anonymized, web_login;
	struct snmpw_vbs vbs;     /* sorted */
	struct rec_exchange *x;
	size_t nx;
	struct web_cert cert;
	bool have_cert;
	struct snmpw_tap stap;
	struct web_tap wtap;
	char *served_loc;         /* the absolute location handed to the last answer */
};

/* Loads dir and installs the answering taps. Returns 0, or -1 with a message naming the missing
 * or corrupt file (and line) in err. */
int replay_open(struct replay *p, const char *dir, char *err, size_t errsz);
void replay_close(struct replay *p);

#endif
