/* cli/opt_replay.h — `--replay DIR` for device, web and diagnose: the host argument becomes
 * optional (the recording names it), the recording is loaded and answers every SNMP and HTTP
 * request in-process (record/rec.h), and a report line says where the device was read from. */
#ifndef MFP_CLI_OPT_REPLAY_H
#define MFP_CLI_OPT_REPLAY_H
#include <stdio.h>

#include "cli/cli.h"
#include "core/device.h"
#include "record/rec.h"

/* Like cli_parse_host, but with *replay set (by the setter) the host may be left out (then
 * *host is NULL). Returns 0, 1 (--help printed) or MFP_EXIT_USAGE (printed). */
int opt_replay_parse(const struct cli_cmd *cmd, int argc, char **argv, void *cfg, cli_setter set,
		     const char **host, const char *what, const char *const *replay);
/* Loads the recording; prints the error naming the file and returns MFP_EXIT_UNKNOWN, or 0. */
int opt_replay_open(struct replay *rp, const char *cmd, const char *dir);
/* "device read from recording DIR, recorded DATE (no request was sent to the device)" (new). */
char *opt_replay_note(const struct replay *rp);
/* Prints that note as the report's last line for the text (format 0) and Markdown (2) reports;
 * JSON carries it as the fact replay.source. Nothing when rp holds no recording. */
void opt_replay_footer(FILE *out, const struct replay *rp, int format);
/* Sets that note as the fact replay.source of d (shown with the device's facts). */
void opt_replay_mark(const struct replay *rp, struct device *d);

#endif
