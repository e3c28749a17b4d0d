/* cli/cli_help.h — the help text's layout, shared by a command's --help (cli_help.c) and the
 * global help (commands.c): 80 columns, measured in display columns, not bytes. */
#ifndef MFP_CLI_CLI_HELP_H
#define MFP_CLI_CLI_HELP_H
#include <stddef.h>
#include <stdio.h>

#include "cli/cli.h"

/* Lines are wrapped to this many display columns; no help line is wider than 80. */
#define CLI_HELP_WIDTH 79

/* Display columns of UTF-8 text s (wcwidth per code point; invalid bytes count 1). */
size_t cli_help_width(const char *s);

/* Prints text word by word starting at display column col (the caller has printed that many
 * columns of the line already), continuation lines indented by indent spaces; '\n' in text
 * forces a line break; a word wider than a whole line is cut. Ends with a newline. */
void cli_help_wrap(FILE *out, const char *text, size_t col, size_t indent);

/* The column where help texts start for cmd's options plus the common ones (cmd NULL: the
 * common options only). */
size_t cli_help_column(const struct cli_cmd *cmd);

/* Prints "\nTITLE:\n" and every option of opts[0..n) in category (NULL: all), help texts at
 * column col. For common options, a short letter cmd's own table uses is not shown. */
void cli_help_section(FILE *out, const char *title, const struct cli_opt *opts, size_t n, const char *category,
		      const struct cli_cmd *cmd, size_t col);

#endif
