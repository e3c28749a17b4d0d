/* fuzz_scan_inventory.c — libFuzzer target: scan inventories and hosts files (an export from
 * another tool, possibly mangled). The input is read both as an inventory CSV (with and without
 * --columns) and as a hosts file. Checks what the engine relies on: every target has a host
 * without control characters or spaces, indexes are the positions, at most SCAN_TARGETS_MAX
 * targets, credential references are DEST=SRC, and an input with errors yields no target list
 * that would be scanned (the caller refuses it). */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct scan_targets *t)
{
	if (t->n > SCAN_TARGETS_MAX || (t->nerrors == 0) != (t->errs.len == 0))
		abort();
	for (size_t i = 0; i < t->n; i++) {
		const struct scan_target *g = &t->v[i];
		if (g->index != i || !g->host[0] || !g->origin)
			abort();
		for (const char *p = g->host; *p; p++)
			if (iscntrl((unsigned char)*p) || *p == ' ')
				abort();
		for (size_t k = 0; k < g->env.n; k++)
			if (!strchr(g->env.v[k], '='))
				abort();
		if (g->args.n % 2)
			abort(); /* option and value pairs */
	}
}

static void run(const uint8_t *data, size_t size, int mode)
{
	FILE *f = fmemopen((void *)data, size, "r");
	if (!f)
		return;
	struct scan_targets t = {0};
	if (mode == 0)
		scan_inventory_read(&t, f, "fuzz.csv", NULL);
	else if (mode == 1)
		scan_inventory_read(&t, f, "fuzz.csv", "host=IP,name=Name,location=Location,smtp_port=Port");
	else
		scan_targets_read_hosts(&t, f, "fuzz.txt");
	fclose(f);
	check(&t);
	scan_targets_finish(&t);
	scan_targets_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > 65536)
		return 0;
	for (int mode = 0; mode < 3; mode++)
		run(data, size, mode);
	return 0;
}
