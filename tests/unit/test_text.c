/* test_text.c — util/text.c: sanitising untrusted text (control characters, invalid UTF-8,
 * Unicode bidi controls) and the cut to a maximum length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/text.h"

static void check(const char *in, const char *want)
{
	char *out = text_sanitize(in, 0, 0);
	assert_string_equal(out, want);
	free(out);
}

static void controls_and_utf8(void **state)
{
	(void)state;
	check("plain text", "plain text");
	check("red \x1b[31mX\x1b[0m", "red ?[31mX?[0m");
	check("bad \xff byte", "bad ? byte");
	check("C1 \xc2\x9b" " here", "C1 ?? here");
	check("caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"); /* é € kept */
	char *cut = text_sanitize("abcdefgh", 4, 0);
	assert_string_equal(cut, "abcd\xe2\x80\xa6");
	free(cut);
}

/* Bidi controls reorder what a terminal shows ("Trojan Source"): removed. */
static void bidi_controls_stripped(void **state)
{
	(void)state;
	check("a\xe2\x80\xae" "b", "ab");                 /* U+202E RLO */
	check("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", ""); /* U+202A..U+202D */
	check("x\xe2\x81\xa6" "y\xe2\x81\xa7" "z\xe2\x81\xa8" "w\xe2\x81\xa9", "xyzw"); /* U+2066..U+2069 */
	check("l\xe2\x80\x8e" "r\xe2\x80\x8f", "lr");      /* U+200E LRM, U+200F RLM */
	check("ar\xd8\x9c", "ar");                      /* U+061C ALM */
	/* neighbours are not bidi controls: U+202F (narrow no-break space) and letters are kept */
	check("n\xe2\x80\xaf", "n\xe2\x80\xaf");
	check("\xd8\xa7", "\xd8\xa7"); /* Arabic alef kept */
	char *n = text_sanitize_n("a\xe2\x80\xae\0" "b", 6, 0, 0);
	assert_string_equal(n, "a?b");
	free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(controls_and_utf8),
		cmocka_unit_test(bidi_controls_stripped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
