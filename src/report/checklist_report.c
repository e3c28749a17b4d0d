/* report/checklist_report.c — text, Markdown and JSON for the settings checklist; see
 * checklist_report.h. Profile text is sanitised (json_text, text_sanitize, text_md_escape). */
#include "report/checklist_report.h"

#include <stdlib.h>
#include <string.h>

#include "report/smtp_report.h"
#include "util/text.h"

static json_t *opt_text(const char *s)
{
	return s ? json_text(s) : json_null();
}

static json_t *list_json(const struct strlist *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_text(l->v[i]));
	return a;
}

json_t *checklist_report_json(const struct checklist *c)
{
	json_t *items = json_array(), *dl = json_array();
	for (size_t i = 0; i < c->n; i++) {
		const struct checklist_item *it = &c->v[i];
		json_t *j = json_object();
		json_object_set_new(j, "setting", json_text(it->setting));
		json_object_set_new(j, "side", json_text(it->side));
		json_object_set_new(j, "where", opt_text(it->where));
		json_object_set_new(j, "label", opt_text(it->label));
		json_object_set_new(j, "expected", opt_text(it->expected));
		json_object_set_new(j, "observed", opt_text(it->observed));
		json_object_set_new(j, "status", json_string(checklist_status_name(it->status)));
		json_object_set_new(j, "fix", opt_text(it->fix));
		json_object_set_new(j, "why", opt_text(it->why));
		json_object_set_new(j, "families", opt_text(it->families));
		json_object_set_new(j, "confidence", opt_text(it->confidence));
		json_object_set_new(j, "sources", list_json(&it->sources));
		json_array_append_new(items, j);
	}
	for (size_t i = 0; i < c->nd; i++) {
		const struct checklist_deadline *d = &c->d[i];
		json_array_append_new(dl, json_pack("{s:o, s:o, s:o, s:o, s:b, s:o}", "id", opt_text(d->id), "what",
						    opt_text(d->what), "date", opt_text(d->date), "detail", opt_text(d->detail),
						    "past", d->past, "sources", list_json(&d->sources)));
	}
	return json_pack("{s:{s:o, s:o}, s:o, s:{s:o, s:o}, s:o, s:o, s:o}", "vendor", "id", opt_text(c->vendor_id),
			 "name", opt_text(c->vendor_name), "family",
			 c->family_id ? json_pack("{s:o, s:o}", "id", json_text(c->family_id), "name", opt_text(c->family_name))
				      : json_null(),
			 "service", "id", opt_text(c->service_id), "name", opt_text(c->service_name), "items", items,
			 "deadlines", dl, "notes", list_json(&c->notes));
}

static void line(FILE *out, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	char *v = text_sanitize(value, 4000, 0);
	fprintf(out, "    %-10s %s\n", label, v);
	free(v);
}

static void text_items(FILE *out, const struct checklist *c, const char *side, bool colour)
{
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct checklist_item *it = &c->v[i];
		if (strcmp(it->side, side) != 0)
			continue;
		const char *mark = it->status == CHECK_FAIL ? "[FAIL]" : it->status == CHECK_WARN ? "[warn]"
				   : it->status == CHECK_OK ? "[ ok ]" : "[    ]";
		char *label = text_sanitize(it->label ? it->label : it->setting, 300, 0);
		fprintf(out, "%s%s%s %2zu. %s%s%s (%s)\n", colour && it->status == CHECK_FAIL ? "\033[31m" : "", mark,
			colour && it->status == CHECK_FAIL ? "\033[0m" : "", ++k, colour ? "\033[1m" : "", label,
			colour ? "\033[0m" : "", it->setting);
		free(label);
		line(out, "Where:", it->where ? it->where : "not placed in the vendor profile: look in the device's "
							     "e-mail/SMTP or network settings");
		if (it->where && it->confidence && strcmp(it->confidence, "unverified") == 0)
			line(out, "", "(menu path not confirmed in a source: check it on the device)");
		if (it->families && strcmp(it->families, "all") != 0)
			line(out, "Models:", it->families);
		line(out, "Set to:", it->expected);
		line(out, "Found:", it->observed);
		if (it->status == CHECK_FAIL || it->status == CHECK_WARN)
			line(out, "Fix:", it->fix);
		line(out, "Why:", it->why);
		for (size_t s = 0; s < it->sources.n; s++)
			line(out, s ? "" : "Source:", it->sources.v[s]);
	}
}

void checklist_report_text(FILE *out, const struct checklist *c, bool colour)
{
	char *v = text_sanitize(c->vendor_name, 200, 0), *s = text_sanitize(c->service_name, 200, 0);
	char *f = text_sanitize(c->family_name, 200, 0);
	fprintf(out, "Scan-to-email checklist: %s%s%s -> %s\n\n", v, f ? " " : "", f ? f : "", s);
	free(v);
	free(s);
	free(f);
	fputs("On the printer:\n", out);
	text_items(out, c, "device", colour);
	fputs("\nOn the mail service:\n", out);
	text_items(out, c, "service", colour);
	if (c->nd)
		fputs("\nDeadlines:\n", out);
	for (size_t i = 0; i < c->nd; i++) {
		char *w = text_sanitize(c->d[i].what, 400, 0);
		fprintf(out, "  %s%s  %s\n", c->d[i].date ? c->d[i].date : "?", c->d[i].past ? " (passed)" : "", w);
		free(w);
		line(out, "", c->d[i].detail);
		for (size_t k = 0; k < c->d[i].sources.n; k++)
			line(out, k ? "" : "Source:", c->d[i].sources.v[k]);
	}
	if (c->notes.n)
		fputs("\nNotes:\n", out);
	for (size_t i = 0; i < c->notes.n; i++) {
		char *n = text_sanitize(c->notes.v[i], 2000, 0);
		fprintf(out, "  - %s\n", n);
		free(n);
	}
}

static void md_cell(struct buf *b, const char *s)
{
	text_md_escape(b, s ? s : ""); /* escapes '|' too, so table cells stay intact */
}

static void md_items(struct buf *b, const struct checklist *c, const char *side)
{
	buf_puts(b, "| # | Setting | Where | Set to | Why | Status |\n|---|---|---|---|---|---|\n");
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct checklist_item *it = &c->v[i];
		if (strcmp(it->side, side) != 0)
			continue;
		buf_printf(b, "| %zu | ", ++k);
		md_cell(b, it->label ? it->label : it->setting);
		buf_puts(b, " | ");
		md_cell(b, it->where ? it->where : "(not placed: look in the e-mail/SMTP settings)");
		if (it->where && it->confidence && strcmp(it->confidence, "unverified") == 0)
			buf_puts(b, " (unconfirmed)");
		if (it->families && strcmp(it->families, "all") != 0) {
			buf_puts(b, " — models: ");
			md_cell(b, it->families);
		}
		buf_puts(b, " | ");
		md_cell(b, it->expected);
		buf_puts(b, " | ");
		md_cell(b, it->why);
		buf_puts(b, " | ");
		buf_puts(b, checklist_status_name(it->status));
		if (it->observed) {
			buf_puts(b, ": ");
			md_cell(b, it->observed);
		}
		buf_puts(b, " |\n");
	}
	buf_putc(b, '\n');
}

void checklist_report_md(FILE *out, const struct checklist *c)
{
	struct buf b = {0};
	buf_puts(&b, "## Scan-to-email checklist: ");
	text_md_escape(&b, c->vendor_name);
	if (c->family_name) {
		buf_putc(&b, ' ');
		text_md_escape(&b, c->family_name);
	}
	buf_puts(&b, " → ");
	text_md_escape(&b, c->service_name);
	buf_puts(&b, "\n\n### On the printer\n\n");
	md_items(&b, c, "device");
	buf_puts(&b, "### On the mail service\n\n");
	md_items(&b, c, "service");
	if (c->nd)
		buf_puts(&b, "### Deadlines\n\n");
	for (size_t i = 0; i < c->nd; i++) {
		buf_puts(&b, "- **");
		text_md_escape(&b, c->d[i].date ? c->d[i].date : "?");
		buf_puts(&b, c->d[i].past ? "** (passed) " : "** ");
		text_md_escape(&b, c->d[i].what);
		buf_puts(&b, ": ");
		text_md_escape(&b, c->d[i].detail);
		buf_putc(&b, '\n');
	}
	if (c->notes.n)
		buf_puts(&b, "\n### Notes\n\n");
	for (size_t i = 0; i < c->notes.n; i++) {
		buf_puts(&b, "- ");
		text_md_escape(&b, c->notes.v[i]);
		buf_putc(&b, '\n');
	}
	fputs(buf_str(&b), out);
	buf_free(&b);
}
