/* fuzz_smtp.c — libFuzzer target: SMTP reply lines and EHLO capability lists from a hostile
 * server, fed line by line to the reply parser, the capability parser and the stage tracker. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/caps.h"
#include "core/smtp_reply.h"
#include "smtp/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply r = {0};
	const char *p = (const char *)data;
	size_t left = size;
	while (left) {
		const char *nl = memchr(p, '\n', left);
		size_t n = nl ? (size_t)(nl - p) + 1 : left;
		if (smtp_reply_feed(&r, p, n)) {
			char *j = smtp_reply_joined(&r);
			char *m = smtp_reply_message(&r);
			struct smtp_caps c = {0};
			smtp_caps_parse(&c, buf_str(&r.lines));
			smtp_caps_free(&c);
			free(j);
			free(m);
			smtp_reply_reset(&r);
		}
		p += n;
		left -= n;
	}
	smtp_reply_reset(&r);

	/* the same bytes as a conversation: lines starting with '>' are commands, others replies */
	static const char *const to[] = {"a@b.test"};
	struct smtp_request q = {.server = "x", .port = 25, .tls = TLS_AUTO, .stop_after = STAGE_RCPT_TO, .to = to, .nto = 1};
	struct smtp_result res = {0};
	struct smtp_session s;
	session_init(&s, &q, &res, false);
	p = (const char *)data;
	left = size;
	while (left) {
		const char *nl = memchr(p, '\n', left);
		size_t n = nl ? (size_t)(nl - p) + 1 : left;
		if (n && p[0] == '>')
			session_command(&s, p + 1, n - 1);
		else
			session_reply(&s, p, n);
		p += n;
		left -= n;
	}
	session_finish(&s);
	smtp_result_free(&res);
	return 0;
}
