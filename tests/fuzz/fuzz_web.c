/* fuzz_web.c — libFuzzer target: a printer's web page (HTML, XML or text), parsed and queried the
 * way the web reader does, plus the text sanitiser and escapers every renderer relies on. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "device/web_extract.h"
#include "util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum web_parser parsers[] = {WEB_PARSE_HTML, WEB_PARSE_XML, WEB_PARSE_TEXT};
	for (size_t i = 0; i < 3; i++) {
		struct web_doc doc;
		web_doc_parse(&doc, (const char *)data, size, parsers[i], NULL);
		struct strlist out = {0};
		char err[200];
		web_xpath_strings(&doc, NULL, "//input[@name]/@value | //title | //td", &out, err, sizeof(err));
		char *t = web_doc_title(&doc);
		free(t);
		strlist_free(&out);
		web_doc_free(&doc);
	}
	char *s = text_sanitize_n((const char *)data, size, 0, 1);
	struct buf b = {0};
	text_md_escape(&b, s);
	text_html_escape(&b, s);
	buf_free(&b);
	free(s);
	return 0;
}
