/* Unit tests for daemon/json.c. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "daemon/json.h"

/* Escape len bytes and compare with the expected JSON text. */
static void
check_escape(const char *in, size_t len, const char *want)
{
	struct buf b = BUF_INIT;
	json_escape(&b, in, len);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

#define ESC(in, want)	check_escape(in, sizeof(in) - 1, want)

static void
test_nesting_commas(void **state)
{
	struct buf b = BUF_INIT;
	struct json j;
	json_init(&j, &b);
	json_begin_array(&j);
	json_begin_object(&j);
	json_kv_string(&j, "slug", "data-gov");
	json_kv_int(&j, "members", 3);
	json_kv_bool(&j, "archived", 0);
	json_key(&j, "tags");
	json_begin_array(&j);
	json_int(&j, -1);
	json_bool(&j, 1);
	json_null(&j);
	json_string(&j, NULL);
	json_begin_array(&j);
	json_end_array(&j);
	json_begin_object(&j);
	json_end_object(&j);
	json_end_array(&j);
	json_end_object(&j);
	json_begin_object(&j);
	json_end_object(&j);
	json_end_array(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(buf_cstr(&b),
	    "[{\"slug\":\"data-gov\",\"members\":3,\"archived\":false,"
	    "\"tags\":[-1,true,null,null,[],{}]},{}]");
	buf_free(&b);
}

static void
test_scalars_top_level(void **state)
{
	struct buf b = BUF_INIT;
	struct json j;
	buf_puts(&b, "x=");
	json_init(&j, &b);
	assert_int_equal(json_finish(&j), -1);	/* nothing written yet */
	json_int(&j, INT64_MIN);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(buf_cstr(&b), "x=-9223372036854775808");
	json_int(&j, INT64_MAX);		/* a second top-level value */
	assert_int_equal(json_finish(&j), -1);
	assert_string_equal(buf_cstr(&b), "x=-9223372036854775808");
	buf_free(&b);
}

static void
test_escapes(void **state)
{
	ESC("", "\"\"");
	ESC("plain text", "\"plain text\"");
	ESC("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	ESC("\n\r\t\b\f", "\"\\u000a\\u000d\\u0009\\u0008\\u000c\"");
	ESC("\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"");
	ESC("a\0b", "\"a\\u0000b\"");
	ESC("<script>&", "\"<script>&\"");
}

static void
test_utf8_kept(void **state)
{
	/* Arabic with harakat, French, a 4-byte emoji, U+2028. */
	ESC("مَجلِس", "\"مَجلِس\"");
	ESC("Gouvernance des données", "\"Gouvernance des données\"");
	ESC("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
	ESC("\xe2\x80\xa8", "\"\xe2\x80\xa8\"");
	ESC("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");
	ESC("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");	/* U+10FFFF */
}

#define R	"\xef\xbf\xbd"

static void
test_utf8_invalid(void **state)
{
	ESC("\x80", "\"" R "\"");			/* stray continuation */
	ESC("a\xbf" "b", "\"a" R "b\"");
	ESC("\xc0\x80", "\"" R R "\"");			/* overlong NUL */
	ESC("\xc1\xbf", "\"" R R "\"");
	ESC("\xe0\x80\xaf", "\"" R R R "\"");		/* overlong 3-byte */
	ESC("\xed\xa0\x80", "\"" R R R "\"");		/* surrogate */
	ESC("\xf4\x90\x80\x80", "\"" R R R R "\"");	/* above U+10FFFF */
	ESC("\xf5\x80", "\"" R R "\"");
	ESC("\xff\xfe", "\"" R R "\"");
	ESC("\xe2\x82", "\"" R "\"");			/* truncated at end */
	ESC("\xe2\x82x", "\"" R "x\"");			/* truncated inside */
	ESC("\xf0\x9f\x98", "\"" R "\"");
	ESC("\xf0\x9f\x98\"", "\"" R "\\\"\"");
	ESC("\xc3", "\"" R "\"");
	ESC("\xc3\xc3\xa9", "\"" R "\xc3\xa9\"");
}

static void
test_string_len_nul(void **state)
{
	struct buf b = BUF_INIT;
	struct json j;
	json_init(&j, &b);
	json_string_len(&j, "a\0\xff", 3);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(buf_cstr(&b), "\"a\\u0000" R "\"");
	buf_free(&b);
}

static void
test_keys_escaped(void **state)
{
	struct buf b = BUF_INIT;
	struct json j;
	json_init(&j, &b);
	json_begin_object(&j);
	json_kv_string(&j, "k\"\n", "v");
	json_end_object(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(buf_cstr(&b), "{\"k\\\"\\u000a\":\"v\"}");
	buf_free(&b);
}

/* Run one misuse after a prefix and check the error and the frozen output. */
static void
test_misuse(void **state)
{
	struct buf b = BUF_INIT;
	struct json j;

	json_init(&j, &b);			/* value without a key */
	json_begin_object(&j);
	json_int(&j, 1);
	json_end_object(&j);
	assert_int_equal(json_finish(&j), -1);
	assert_string_equal(buf_cstr(&b), "{");

	buf_reset(&b);				/* key inside an array */
	json_init(&j, &b);
	json_begin_array(&j);
	json_key(&j, "k");
	assert_int_equal(json_finish(&j), -1);
	assert_string_equal(buf_cstr(&b), "[");

	buf_reset(&b);				/* mismatched end */
	json_init(&j, &b);
	json_begin_array(&j);
	json_end_object(&j);
	json_end_array(&j);
	assert_int_equal(json_finish(&j), -1);

	buf_reset(&b);				/* end with a key pending */
	json_init(&j, &b);
	json_begin_object(&j);
	json_key(&j, "k");
	json_end_object(&j);
	assert_int_equal(json_finish(&j), -1);
	assert_string_equal(buf_cstr(&b), "{\"k\":");

	buf_reset(&b);				/* two keys in a row */
	json_init(&j, &b);
	json_begin_object(&j);
	json_key(&j, "a");
	json_key(&j, "b");
	assert_int_equal(json_finish(&j), -1);

	buf_reset(&b);				/* end at top level */
	json_init(&j, &b);
	json_end_array(&j);
	assert_int_equal(json_finish(&j), -1);

	buf_reset(&b);				/* key at top level, NULL key */
	json_init(&j, &b);
	json_key(&j, "k");
	assert_int_equal(json_finish(&j), -1);
	json_init(&j, &b);
	json_begin_object(&j);
	json_key(&j, NULL);
	assert_int_equal(json_finish(&j), -1);

	buf_reset(&b);				/* unclosed */
	json_init(&j, &b);
	json_begin_array(&j);
	assert_int_equal(json_finish(&j), -1);
	buf_free(&b);
}

static void
test_depth_limit(void **state)
{
	struct buf b = BUF_INIT;
	struct json j;

	json_init(&j, &b);
	for (int i = 0; i < JSON_DEPTH_MAX; i++)
		json_begin_array(&j);
	for (int i = 0; i < JSON_DEPTH_MAX; i++)
		json_end_array(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_int_equal(b.len, 2 * JSON_DEPTH_MAX);

	buf_reset(&b);
	json_init(&j, &b);
	for (int i = 0; i < JSON_DEPTH_MAX + 1; i++)
		json_begin_array(&j);
	for (int i = 0; i < JSON_DEPTH_MAX + 1; i++)
		json_end_array(&j);
	assert_int_equal(json_finish(&j), -1);
	assert_int_equal(b.len, JSON_DEPTH_MAX);
	buf_free(&b);
}

static void
test_huge_hostile(void **state)
{
	size_t n = 1 << 20;
	char *in = malloc(n);
	assert_non_null(in);
	for (size_t i = 0; i < n; i++)
		in[i] = (char)(i * 7 + 3);	/* every byte value, mixed */
	struct buf b = BUF_INIT;
	json_escape(&b, in, n);
	/* The output is quoted, valid UTF-8 with no raw control bytes. */
	assert_int_equal(b.data[0], '"');
	assert_int_equal(b.data[b.len - 1], '"');
	for (size_t i = 1; i + 1 < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];
		assert_true(c >= 0x20);
		if (c == '"')
			assert_int_equal(b.data[i - 1], '\\');
	}
	buf_free(&b);
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting_commas),
		cmocka_unit_test(test_scalars_top_level),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8_kept),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_string_len_nul),
		cmocka_unit_test(test_keys_escaped),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_huge_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
