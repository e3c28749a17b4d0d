/* cli/opt_replay.c — the shared part of `--replay DIR`; see opt_replay.h. */
#include "cli/opt_replay.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/finding.h"

int opt_replay_parse(const struct cli_cmd *cmd, int argc, char **argv, void *cfg, cli_setter set,
		     const char **host, const char *what, const char *const *replay)
{
	char **pos = xcalloc((size_t)argc + 1, sizeof(*pos));
	int npos = 0;
	int rc = cli_parse(cmd, argc, argv, cfg, set, pos, &npos);
	if (rc == 0 && (npos > 1 || (npos == 0 && !*replay))) {
		fprintf(stderr, "mfpdoctor %s: give exactly one %s%s\nTry 'mfpdoctor %s --help'.\n", cmd->name, what,
			npos ? " (unexpected extra argument)" : " (or --replay DIR)", cmd->name);
		rc = MFP_EXIT_USAGE;
	}
	*host = rc == 0 && npos ? pos[0] : NULL;
	free(pos);
	return rc;
}

int opt_replay_open(struct replay *rp, const char *cmd, const char *dir)
{
	char err[600];
	if (replay_open(rp, dir, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "mfpdoctor %s: --replay: %s\n", cmd, err);
	replay_close(rp);
	return MFP_EXIT_UNKNOWN;
}

char *opt_replay_note(const struct replay *rp)
{
	return xasprintf("device read from recording %s, recorded %s%s (no request was sent to the device)", rp->dir,
			 rp->recorded ? rp->recorded : "(date unknown)", rp->anonymized ? ", anonymized" : "");
}

void opt_replay_mark(const struct replay *rp, struct device *d)
{
	char *n = opt_replay_note(rp);
	device_set(d, "replay.source", n, FACT_USER, "--replay");
	free(n);
}

void opt_replay_footer(FILE *out, const struct replay *rp, int format)
{
	if (!rp->dir || (format != 0 && format != 2))
		return;
	char *n = opt_replay_note(rp);
	if (format == 2)
		fprintf(out, "\n*Note: %s.*\n", n);
	else
		fprintf(out, "\nNote: %s.\n", n);
	free(n);
}
