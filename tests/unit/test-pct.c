/* Unit tests for daemon/pct.c: %XX escapes in either case decoded, plain
 * bytes kept, a bad or cut escape and a control character (escaped or
 * not) refused, and the length limit crossed by one byte, escaped or not. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/pct.h"

/* Decode the NUL-terminated s with limit max and compare with want (NULL
 * for a refusal). */
static void
check(const char *s, size_t max, const char *want)
{
	char *got = pct_decode(s, strlen(s), max);
	if (want == NULL) {
		if (got != NULL)
			fail_msg("'%s' decoded to '%s', want a refusal", s, got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_decodes(void **state)
{
	(void)state;
	check("", 10, "");
	check("alice", 10, "alice");
	check("a%40b%3Ac", 10, "a@b:c");
	check("%2f%2F", 10, "//");
	check("%C3%A9t%C3%A9", 10, "\xc3\xa9t\xc3\xa9");
	check("100%25", 10, "100%");
	check("+ sign", 10, "+ sign");	/* no form decoding: '+' stays */
}

/* Only s[0..n) is read: the bytes after it are not part of the value. */
static void
test_length_given(void **state)
{
	(void)state;
	char *got = pct_decode("user:pass", 4, 10);
	assert_non_null(got);
	assert_string_equal(got, "user");
	free(got);
	/* an escape cut by n is bad even when the bytes after n complete it */
	assert_null(pct_decode("ab%41", 4, 10));
	assert_null(pct_decode("ab%41", 3, 10));
}

static void
test_bad_escapes(void **state)
{
	(void)state;
	check("%", 10, NULL);
	check("a%", 10, NULL);
	check("a%4", 10, NULL);
	check("%G1", 10, NULL);
	check("%4g", 10, NULL);
	check("%%41", 10, NULL);
	check("% 41", 10, NULL);
}

static void
test_control_characters(void **state)
{
	(void)state;
	check("a%00b", 10, NULL);
	check("a%0D%0Ab", 10, NULL);
	check("a%0ab", 10, NULL);
	check("a%1Fb", 10, NULL);
	check("a%7Fb", 10, NULL);
	check("a\tb", 10, NULL);
	check("a\x7f" "b", 10, NULL);
	check("a%20b", 10, "a b");
	check("a%7Eb", 10, "a~b");
}

/* max bytes of result pass, max + 1 do not, whether the last byte came
 * plain or escaped; the limit counts decoded bytes, not input bytes. */
static void
test_limit(void **state)
{
	(void)state;
	check("abcd", 4, "abcd");
	check("abcde", 4, NULL);
	check("abc%41", 4, "abcA");
	check("abcd%41", 4, NULL);
	check("%41%42%43%44", 4, "ABCD");
	check("%41%42%43%44%45", 4, NULL);
	check("a", 0, NULL);
	check("", 0, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decodes),
		cmocka_unit_test(test_length_given),
		cmocka_unit_test(test_bad_escapes),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
