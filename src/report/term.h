/* report/term.h — small helpers shared by the terminal renderers: ANSI colours when wanted, and
 * printing untrusted text sanitised (one line, or a block with every line indented). */
#ifndef MFP_REPORT_TERM_H
#define MFP_REPORT_TERM_H
#include <stdbool.h>
#include <stdio.h>

#define C_RED "\033[31m"
#define C_GRN "\033[32m"
#define C_YEL "\033[33m"
#define C_BLD "\033[1m"
#define C_OFF "\033[0m"

/* code when colour is on, else "". */
const char *term_col(bool on, const char *code);
/* Prints s sanitised on one line (control characters neutralised). */
void term_put(FILE *out, const char *s);
/* Prints multi-line s sanitised, each line prefixed by indent and ended by a newline. */
void term_block(FILE *out, const char *indent, const char *s);

struct findings;
/* Prints findings under "What is wrong, and what to change": severity, title, evidence, fix and
 * (with sources) their sources; numbered when asked; "Nothing..." when there are none and
 * say_none is set. */
void term_findings(FILE *out, const struct findings *fs, bool colour, bool numbered, bool sources, bool say_none);

/* Prints findings as a Markdown list (numbered or bulleted): severity, title, evidence, fix and
 * sources, every text escaped. */
void term_md_findings(FILE *out, const struct findings *fs, bool numbered);

/* Prints s escaped for inline Markdown (sanitised first). */
void term_md(FILE *out, const char *s);

#endif
