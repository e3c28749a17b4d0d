/* fuzz_explain.c — libFuzzer target: whatever a helpdesk pastes into `mfpdoctor explain`
 * (codes, replies, transcripts, logs, garbage), through the classifier and the knowledge base. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kb/explain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct explain_opts o = {0};
	struct explain_result r;
	explain_text(text, &o, &r);
	explain_result_free(&r);
	free(text);
	return 0;
}
