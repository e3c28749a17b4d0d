/* scan/targets.h — turning what the user gives `mfpdoctor scan` (host names, HOST:PORT, IPv4
 * CIDR blocks and ranges, hosts files, inventory CSV files) into the list of scan targets, with
 * per-printer diagnose options and credential references. Nothing is resolved or contacted here;
 * every invalid entry is an error naming where it came from (file and line). */
#ifndef MFP_SCAN_TARGETS_H
#define MFP_SCAN_TARGETS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "scan/scan.h"
#include "util/buf.h"

/* At most this many printers in one scan (a /16); a larger input is refused before anything runs. */
#define SCAN_TARGETS_MAX 65536

struct scan_targets {
	struct scan_target *v;
	size_t n, cap;
	size_t nerrors;       /* errors appended to errs */
	struct buf errs;      /* one line per error: "inventory.csv line 4: …" */
};

/* Adds the printers one entry stands for: HOST, HOST:PORT, [IPv6]:PORT, an IPv4 address, a CIDR
 * block a.b.c.d/n, a range a.b.c.d-e or a.b.c.d-a.b.c.e, each optionally followed by :SNMP-PORT.
 * origin ("argument 2", "hosts.txt line 3") names it in errors; args/env (may be NULL) are
 * copied into every target. Returns 0, or -1 after appending an error to t->errs. */
int scan_targets_add(struct scan_targets *t, const char *entry, const char *origin, const struct strlist *args,
		     const struct strlist *env);

/* Reads a hosts file: one entry per line (any form scan_targets_add takes), '#' starts a comment,
 * blank lines are skipped; nmap greppable output (-oG) is taken too (hosts that are up, each once).
 * name names the file in errors. Returns the number of errors added. */
size_t scan_targets_read_hosts(struct scan_targets *t, FILE *f, const char *name);

/* Reads an inventory CSV (header row, RFC 4180 quoting; ',' ';' or tab, chosen from the header
 * line). columns is NULL (every header must be a known column name) or "field=Header,..." (only
 * the named headers are used, the others ignored). Returns the number of errors added. */
size_t scan_inventory_read(struct scan_targets *t, FILE *f, const char *name, const char *columns);

/* Appends one error line "origin: message" to t->errs. */
void scan_targets_error(struct scan_targets *t, const char *origin, const char *fmt, ...) MFP_PRINTF(3, 4);

/* RFC 1123 host name: labels of 1-63 letters, digits and hyphens, not starting or ending with a
 * hyphen, at most 253 characters, not all-numeric (that must be an IPv4 address). */
bool scan_hostname_valid(const char *name);

/* A credential reference that is the NAME of an environment variable: upper-case letters, digits
 * and '_', not starting with a digit, at most 64 characters. */
bool scan_env_name_valid(const char *name);

/* Prints a note to out for each printer listed more than once (they are not merged: each entry
 * may carry its own settings). Returns how many repeats there are. */
size_t scan_targets_warn_duplicates(const struct scan_targets *t, FILE *out);

/* Gives every target its file name stem for --output-dir ("<index>-<sanitised host>"). */
void scan_targets_finish(struct scan_targets *t);

void scan_targets_free(struct scan_targets *t);

#endif
