/* cli/commands.h — every subcommand's descriptor, defined in its cli/cmd_*.c file. */
#ifndef MFP_CLI_COMMANDS_H
#define MFP_CLI_COMMANDS_H
#include "cli/cli.h"

extern const struct cli_cmd cmd_diagnose;
extern const struct cli_cmd cmd_check;
extern const struct cli_cmd cmd_scan;
extern const struct cli_cmd cmd_smtp;
extern const struct cli_cmd cmd_device;
extern const struct cli_cmd cmd_explain;
extern const struct cli_cmd cmd_checklist;
extern const struct cli_cmd cmd_web;
extern const struct cli_cmd cmd_record;
extern const struct cli_cmd cmd_listen;

#endif
