/* report/diag_html.h — internal to the HTML report (diag_html*.c): escaping, links, the
 * stylesheet and the sections, each rendering one part of a finished diagnosis. */
#ifndef MFP_REPORT_DIAG_HTML_H
#define MFP_REPORT_DIAG_HTML_H
#include <stdio.h>

#include "diagnose/diagnose.h"

/* The page's stylesheet (screen and @media print). */
extern const char *const diag_html_css;

/* s escaped for HTML text and attribute values (control characters stripped). */
void html_esc(FILE *out, const char *s);
/* s escaped, with every http(s) URL in it made a link (rel="noreferrer"); other text stays text. */
void html_linked(FILE *out, const char *s);
/* A fact key as its readable label, the raw key in the title attribute and in small grey text. */
void html_fact_key(FILE *out, const char *key);

void html_findings(FILE *out, const struct diagnosis *dg);
void html_cuts(FILE *out, const struct diagnosis *dg);
void html_events(FILE *out, const struct diagnosis *dg);
void html_checklist(FILE *out, const struct diagnosis *dg);
void html_sequence(FILE *out, const struct diagnosis *dg);
void html_device(FILE *out, const struct diagnosis *dg);

#endif
