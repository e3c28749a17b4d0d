/* cli/commands.c — the subcommand registry, global help and --version. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/finding.h"
#include "core/versions.h"

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

static void print_global_help(FILE *out)
{
	fputs("mfpdoctor — why does this printer's scan-to-email fail, and what to change.\n\n"
	      "Usage: mfpdoctor COMMAND [options]   (mfpdoctor COMMAND --help for details)\n\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < cli_ncommands; i++)
		fprintf(out, "  %-10s  %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fputs("\nExit codes: 0 passed/no problem · 1 warnings · 2 failed (scan-to-email will fail)\n"
	      "            3 could not test/diagnose · 64 usage error\n"
	      "\n  --version   print mfpdoctor, libcurl (with its TLS backend) and net-snmp versions\n", out);
}

static void print_version(void)
{
	struct versions v;
	versions_get(&v);
	printf("mfpdoctor %s\nlibcurl %s (%s)\nnet-snmp %s\njansson %s\nlibxml2 %s\n", v.mfpdoctor,
	       v.libcurl, v.tls_backend, v.netsnmp, v.jansson, v.libxml2);
}

int cli_main(int argc, char **argv)
{
	if (argc < 2) {
		print_global_help(stderr);
		return MFP_EXIT_USAGE;
	}
	const char *c = argv[1];
	if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 || strcmp(c, "help") == 0) {
		print_global_help(stdout);
		return MFP_EXIT_OK;
	}
	if (strcmp(c, "--version") == 0 || strcmp(c, "version") == 0) {
		print_version();
		return MFP_EXIT_OK;
	}
	const struct cli_cmd *cmd = cli_find_command(c);
	if (cmd)
		return cmd->run(cmd, argc - 1, argv + 1);
	fprintf(stderr, "mfpdoctor: unknown command '%.60s'. Try 'mfpdoctor --help'.\n", c);
	return MFP_EXIT_USAGE;
}
