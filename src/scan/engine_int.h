/* scan/engine_int.h — inside the fork engine (scan/engine*.c): the frames a worker and the
 * parent exchange over their socket pair, the worker's entry point, and the parent's table of
 * shared test sends. Not for other modules. */
#ifndef MFP_SCAN_ENGINE_INT_H
#define MFP_SCAN_ENGINE_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "scan/scan.h"
#include "util/buf.h"

/* A frame: one type byte, a 4-byte big-endian payload length, the payload. */
enum {
	FR_TEST = 'T',   /* worker: may I run this test send? payload {"fingerprint", "server"} */
	FR_RESULT = 'S', /* worker: the test I ran, raw (smtp/result_json.h); "" when it could not be encoded */
	FR_REPORT = 'R', /* worker: 4-byte exit code, then diagnose's JSON report */
	FR_GO = 'G',     /* parent: run it yourself */
	FR_CACHED = 'C', /* parent: {"result": raw result, "ran_for": index, "ran_for_host": host} */
};
#define FRAME_MAX (64u << 20)

/* Blocking: writes a whole frame (worker side). Returns 0 or -1. */
int frame_write(int fd, int type, const char *data, size_t len);
/* Blocking: reads one frame into payload (reset first). Returns the type, or -1 at EOF/error. */
int frame_read(int fd, struct buf *payload);
/* Appends a frame to an output buffer (parent side, sent when the socket is writable). */
void frame_put(struct buf *out, int type, const char *data, size_t len);
/* Takes the first complete frame off in (consumed bytes removed) into payload. Returns its
 * type, 0 when more bytes are needed, -1 when the header is impossible. */
int frame_take(struct buf *in, struct buf *payload);

/* The worker: runs diagnose for t in this (forked) process and sends its frames over fd.
 * Never returns. */
void engine_child(const struct scan_target *t, const struct scan_engine_cfg *cfg, int fd)
	__attribute__((noreturn));
/* A fresh process state for the zygote and each worker: default signals (SIGINT ignored: the
 * scan ends its workers itself), /dev/null as standard input and output, nothing of the
 * parent's open files but fd, which becomes fd 3; killed when its parent dies. Returns 0 or -1. */
int engine_isolate(int fd);
/* Draws the per-scan key that the password's place in a fingerprint is hashed with. */
int engine_key_init(void);

/* The process workers are forked from (scan/engine_zygote.c), forked once after the warm-up. */
struct zygote_end {
	pid_t pid;
	int status;             /* as waitpid gives it */
};
struct zygote {
	pid_t pid;
	int fd;
	struct zygote_end *ended; /* workers that ended, not yet taken by the caller */
	size_t nended, capended;
};
int zygote_start(struct zygote *z, const struct scan_target *targets, size_t n, const struct scan_engine_cfg *cfg);
/* A worker for targets[index]: its pid and the parent's end of its socket. Returns 0 or -1. */
int zygote_spawn(struct zygote *z, size_t index, pid_t *pid, int *fd);
/* Reads one message from the zygote (call when z->fd is readable): an ended worker lands in
 * z->ended. Returns 0, or -1 when the zygote is gone. */
int zygote_read(struct zygote *z);
void zygote_stop(struct zygote *z);

/* The parent's table of test sends (scan/engine_share.c). */
struct share;
struct share_ask {          /* one worker's question */
	size_t slot;            /* worker slot number */
	const struct scan_target *t;
	char *fingerprint, *server;
	double since;           /* when it was asked (queued from then) */
};
enum share_answer { SHARE_WAIT, SHARE_GO, SHARE_CACHED };

struct share *share_new(int per_server, bool share_tests);
void share_free(struct share *s);
/* Decides a question: run it (a free place on its server, nobody else running the same test),
 * a cached result (*cached = {"result", "ran_for", "ran_for_host"}, a new reference; also
 * *info = the row's test_send), or wait. info (new reference) is set for GO and CACHED. */
enum share_answer share_decide(struct share *s, const struct share_ask *q, char **cached, json_t **info);
/* The worker in slot finished the test it was told to run; raw is its result (or NULL). */
void share_done(struct share *s, size_t slot, const char *raw, size_t rawlen);
/* The worker in slot ended: whatever it held is released (nothing is cached). */
void share_gone(struct share *s, size_t slot);

#endif
