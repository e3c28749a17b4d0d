/* cli/commands.c — the subcommand registry, global help and --version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_help.h"
#include "cli/commands.h"
#include "core/finding.h"
#include "core/versions.h"
#include "util/buf.h"

const struct cli_cmd *const cli_commands[] = {
	&cmd_diagnose,
	&cmd_check,
	&cmd_scan,
	&cmd_smtp,
	&cmd_device,
	&cmd_explain,
	&cmd_checklist,
	&cmd_web,
	&cmd_record,
	&cmd_listen,
};
const size_t cli_ncommands = sizeof(cli_commands) / sizeof(cli_commands[0]);

const struct cli_cmd *cli_find_command(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		if (strcmp(cli_commands[i]->name, name) == 0)
			return cli_commands[i];
	return NULL;
}

void cli_print_global_help(FILE *out)
{
	fputs("mfpdoctor — why does this printer's scan-to-email fail, and what to change.\n\n"
	      "Usage: mfpdoctor COMMAND [options]\n"
	      "       mfpdoctor help COMMAND     (the same as: mfpdoctor COMMAND --help)\n\n"
	      "Commands:\n", out);
	size_t w = 0;
	for (size_t i = 0; i < cli_ncommands; i++)
		if (strlen(cli_commands[i]->name) > w)
			w = strlen(cli_commands[i]->name);
	for (size_t i = 0; i < cli_ncommands; i++) {
		fprintf(out, "  %-*s  ", (int)w, cli_commands[i]->name);
		cli_help_wrap(out, cli_commands[i]->summary, w + 4, w + 4);
	}
	cli_help_section(out, "Common options (every command)", cli_common_opts, cli_ncommon_opts, NULL, NULL,
			 cli_help_column(NULL));
	fputs("\nOptions work as in other GNU tools: -vk is -v -k; -p25, --port=25 and --port 25\n"
	      "are the same; --serv is short for --server (when no other option starts so);\n"
	      "-- ends the options; '-' as a FILE is standard input (a secret: its first line)\n"
	      "or standard output.\n"
	      "\nExit codes: 0 passed/no problem · 1 warnings · 2 failed (scan-to-email will\n"
	      "            fail) · 3 could not test/diagnose · 64 usage error\n", out);
}

void cli_print_version(FILE *out)
{
	struct versions v;
	versions_get(&v);
	fprintf(out, "mfpdoctor %s\nlibcurl %s (%s)\nnet-snmp %s\njansson %s\nlibxml2 %s\n", v.mfpdoctor, v.libcurl,
		v.tls_backend, v.netsnmp, v.jansson, v.libxml2);
}

/* `mfpdoctor help [COMMAND]`: the global help, or COMMAND's (the same text as COMMAND --help). */
static int help_command(int argc, char **argv)
{
	if (argc < 3) {
		cli_print_global_help(stdout);
		return MFP_EXIT_OK;
	}
	const struct cli_cmd *cmd = cli_find_command(argv[2]);
	if (!cmd || argc > 3) {
		if (!cmd)
			fprintf(stderr, "mfpdoctor help: unknown command '%.60s'\n", argv[2]);
		else
			fprintf(stderr, "mfpdoctor help: give one command (unexpected '%.60s')\n", argv[3]);
		fputs("Try 'mfpdoctor help' for the list of commands.\n", stderr);
		return MFP_EXIT_USAGE;
	}
	cli_print_help(cmd, stdout);
	return MFP_EXIT_OK;
}

/* Common options with a value given before the command (`mfpdoctor --color always smtp …`):
 * how many argv entries from argv[1] they take, or 0. */
static int leading_common(int argc, char **argv)
{
	int i = 1;
	while (i < argc) {
		const char *a = argv[i];
		if (strncmp(a, "--color=", 8) == 0 || strncmp(a, "--profiles=", 11) == 0)
			i++;
		else if ((strcmp(a, "--color") == 0 || strcmp(a, "--profiles") == 0) && i + 1 < argc)
			i += 2;
		else
			break;
	}
	return i - 1;
}

/* Runs cmd with the leading common options moved after its name, where its parser reads them. */
static int run_moved(const struct cli_cmd *cmd, int argc, char **argv, int nlead)
{
	char **v = xcalloc((size_t)argc + 1, sizeof(*v));
	int k = 0;
	v[k++] = argv[1 + nlead];
	for (int i = 1; i <= nlead; i++)
		v[k++] = argv[i];
	for (int i = 2 + nlead; i < argc; i++)
		v[k++] = argv[i];
	int rc = cmd->run(cmd, k, v);
	free(v);
	return rc;
}

int cli_main(int argc, char **argv)
{
	int nlead = argc > 1 ? leading_common(argc, argv) : 0;
	if (nlead && 1 + nlead < argc && cli_find_command(argv[1 + nlead]))
		return run_moved(cli_find_command(argv[1 + nlead]), argc, argv, nlead);
	if (argc < 2) {
		cli_print_global_help(stderr);
		return MFP_EXIT_USAGE;
	}
	const char *c = argv[1];
	if (strcmp(c, "help") == 0)
		return help_command(argc, argv);
	if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0) {
		cli_print_global_help(stdout);
		return MFP_EXIT_OK;
	}
	if (strcmp(c, "--version") == 0 || strcmp(c, "-V") == 0 || strcmp(c, "version") == 0) {
		cli_print_version(stdout);
		return MFP_EXIT_OK;
	}
	const struct cli_cmd *cmd = cli_find_command(c);
	if (cmd)
		return cmd->run(cmd, argc - 1, argv + 1);
	fprintf(stderr, "mfpdoctor: unknown command '%.60s'\nTry 'mfpdoctor help' for the list of commands.\n", c);
	return MFP_EXIT_USAGE;
}
