/* Unit tests for mail/charset.c: labels, iconv conversion, UTF-8 repair and
 * display cleaning. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "mail/charset.h"

#define REPL	"\xef\xbf\xbd"

/* charset_to_utf8 on a byte string; checks the return value. */
static void
conv_eq(const char *label, const char *in, size_t len, const char *expect,
    int rc)
{
	struct buf b = BUF_INIT;

	assert_int_equal(charset_to_utf8(&b, label, in, len), rc);
	assert_string_equal(buf_cstr(&b), expect);
	assert_int_equal(b.len, strlen(expect));
	buf_free(&b);
}

static void
repair_eq(const char *in, size_t len, const char *expect)
{
	struct buf b = BUF_INIT;

	charset_utf8_repair(&b, in, len);
	assert_int_equal(b.len, strlen(expect));
	assert_memory_equal(buf_cstr(&b), expect, b.len);
	assert_true(charset_utf8_valid(b.data ? b.data : "", b.len));
	buf_free(&b);
}

static void
display_eq(const char *in, size_t len, const char *expect)
{
	struct buf b = BUF_INIT;

	charset_display(&b, in, len);
	assert_string_equal(buf_cstr(&b), expect);
	buf_free(&b);
}

static void
test_canonical(void **state)
{
	assert_string_equal(charset_canonical("utf-8"), "UTF-8");
	assert_string_equal(charset_canonical("UTF8"), "UTF-8");
	assert_string_equal(charset_canonical(" Utf-8\t"), "UTF-8");
	assert_string_equal(charset_canonical("us-ascii"), "windows-1252");
	assert_string_equal(charset_canonical("ASCII"), "windows-1252");
	assert_string_equal(charset_canonical("ANSI_X3.4-1968"),
	    "windows-1252");
	assert_string_equal(charset_canonical("latin1"), "windows-1252");
	assert_string_equal(charset_canonical("L1"), "windows-1252");
	assert_string_equal(charset_canonical("ISO-8859-1"), "windows-1252");
	assert_string_equal(charset_canonical("iso_8859-1"), "windows-1252");
	assert_string_equal(charset_canonical("ISO_8859-1:1987"),
	    "windows-1252");
	assert_string_equal(charset_canonical("iso8859-15"), "ISO-8859-15");
	assert_string_equal(charset_canonical("ISO-8859-6"), "ISO-8859-6");
	assert_string_equal(charset_canonical("arabic"), "ISO-8859-6");
	assert_string_equal(charset_canonical("iso-8859-9"), "windows-1254");
	assert_string_equal(charset_canonical("windows-1256"), "windows-1256");
	assert_string_equal(charset_canonical("CP1256"), "windows-1256");
	assert_string_equal(charset_canonical("x-cp1250"), "windows-1250");
	assert_string_equal(charset_canonical("gb2312"), "GBK");
	assert_string_equal(charset_canonical("KOI8-R"), "KOI8-R");
	assert_string_equal(charset_canonical("Shift_JIS"), "Shift_JIS");
	assert_string_equal(charset_canonical("sjis"), "Shift_JIS");
	assert_string_equal(charset_canonical("ks_c_5601-1987"), "EUC-KR");
	assert_string_equal(charset_canonical("iso-2022-jp"), "ISO-2022-JP");
	assert_null(charset_canonical("iso-8859-12"));
	assert_null(charset_canonical("iso-8859-17"));
	assert_null(charset_canonical("iso-8859-"));
	assert_null(charset_canonical("windows-1259"));
	assert_null(charset_canonical("cp12560"));
	assert_null(charset_canonical("x-unknown"));
	assert_null(charset_canonical(""));
	assert_null(charset_canonical(NULL));
}

/* A label of CHARSET_LABEL_MAX bytes is read; one byte more is unknown. */
static void
test_label_max(void **state)
{
	char lab[CHARSET_LABEL_MAX + 2];

	memset(lab, ' ', sizeof lab);
	memcpy(lab, "utf-8", 5);
	lab[CHARSET_LABEL_MAX] = '\0';
	assert_string_equal(charset_canonical(lab), "UTF-8");
	lab[CHARSET_LABEL_MAX] = ' ';
	lab[CHARSET_LABEL_MAX + 1] = '\0';
	assert_null(charset_canonical(lab));
	conv_eq(lab, "\xe9", 1, REPL, -1);
}

static void
test_convert_single_byte(void **state)
{
	/* windows-1256 (ar-cp1256-b64.eml) and ISO-8859-6 Arabic. */
	conv_eq("windows-1256", "\xe3\xd3\xe6\xcf\xc9", 5,
	    "\xd9\x85\xd8\xb3\xd9\x88\xd8\xaf\xd8\xa9", 0);
	conv_eq("iso-8859-6", "\xd3\xe4\xc7\xe5", 4,
	    "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", 0);
	/* latin1 and us-ascii are windows-1252: 0x80 is the euro sign. */
	conv_eq("ISO-8859-1", "R\xe9union \x80 \x93x\x94", 13,
	    "R\xc3\xa9union \xe2\x82\xac \xe2\x80\x9cx\xe2\x80\x9d", 0);
	conv_eq("us-ascii", "caf\xe9", 4, "caf\xc3\xa9", 0);
	/* valid UTF-8 under an ASCII label is UTF-8 (a forgotten label) */
	conv_eq("us-ascii", "\xd8\xb4\xd9\x83\xd8\xb1\xd8\xa7", 8,
	    "\xd8\xb4\xd9\x83\xd8\xb1\xd8\xa7", 0);
	conv_eq("US-ASCII", "caf\xc3\xa9", 5, "caf\xc3\xa9", 0);
	/* Bytes windows-1252 leaves undefined become U+FFFD. */
	conv_eq("latin1", "a\x81" "b\x8d" "c", 5, "a" REPL "b" REPL "c", 0);
	conv_eq("koi8-r", "\xd0\xd2\xc9\xd7\xc5\xd4", 6,
	    "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", 0);
	/* ISO-8859-2 maps 0x85 to the C1 control U+0085, kept here. */
	conv_eq("iso-8859-2", "\x85", 1, "\xc2\x85", 0);
}

/* NUL bytes are data, kept as they are. */
static void
test_convert_nul(void **state)
{
	struct buf b = BUF_INIT;

	assert_int_equal(charset_to_utf8(&b, "windows-1252", "a\0\xe9", 3), 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "a\0\xc3\xa9", 4);
	buf_free(&b);
}

static void
test_convert_multi_byte(void **state)
{
	conv_eq("shift_jis", "\x93\xfa\x96\x7b\x8c\xea", 6,
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 0);
	conv_eq("gb2312", "\xd6\xd0\xce\xc4", 4,
	    "\xe4\xb8\xad\xe6\x96\x87", 0);
	conv_eq("ks_c_5601-1987", "\xc7\xd1\xb1\xb9\xbe\xee", 6,
	    "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4", 0);
	conv_eq("ISO-2022-JP", "\x1b$BF|K\\\x1b(B", 10,
	    "\xe6\x97\xa5\xe6\x9c\xac", 0);
	conv_eq("utf-16le", "a\0\xe9\0", 4, "a\xc3\xa9", 0);
	/* Truncated at the end: one U+FFFD, nothing dropped before it. */
	conv_eq("shift_jis", "\x93\xfa\x96", 3, "\xe6\x97\xa5" REPL, 0);
	conv_eq("utf-16le", "a\0b", 3, "a" REPL, 0);
	/* Invalid in the middle: U+FFFD and the conversion goes on. */
	conv_eq("shift_jis", "a\x93\x20" "b", 4, "a" REPL " b", 0);
	conv_eq("euc-jp", "\xff" "abc", 4, REPL "abc", 0);
}

static void
test_convert_utf8_and_unknown(void **state)
{
	conv_eq("utf-8", "caf\xc3\xa9", 5, "caf\xc3\xa9", 0);
	conv_eq("UTF8", "caf\xe9!", 5, "caf" REPL "!", 0);
	conv_eq("x-klingon", "caf\xc3\xa9\xff", 6, "caf\xc3\xa9" REPL, -1);
	conv_eq(NULL, "abc", 3, "abc", -1);
	conv_eq("windows-1252", "", 0, "", 0);
	conv_eq("windows-1252", NULL, 0, "", 0);
	conv_eq("utf-8", NULL, 0, "", 0);
	repair_eq(NULL, 0, "");
	display_eq(NULL, 0, "");
}

/* The result is appended to what out already holds. */
static void
test_convert_appends(void **state)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "x:");
	assert_int_equal(charset_to_utf8(&b, "latin1", "\xe9", 1), 0);
	assert_int_equal(charset_to_utf8(&b, "nope", "\xe9", 1), -1);
	assert_string_equal(buf_cstr(&b), "x:\xc3\xa9" REPL);
	buf_free(&b);
}

/* A megabyte of invalid Shift_JIS: one U+FFFD per bad byte, no abort. */
static void
test_convert_large_invalid(void **state)
{
	size_t n = 1 << 20;
	char *in = malloc(n);
	struct buf b = BUF_INIT;

	assert_non_null(in);
	memset(in, 0xff, n);
	in[n - 1] = 'z';
	assert_int_equal(charset_to_utf8(&b, "sjis", in, n), 0);
	assert_int_equal(b.len, (n - 1) * 3 + 1);
	assert_memory_equal(b.data, REPL REPL, 6);
	assert_int_equal(b.data[b.len - 1], 'z');
	buf_reset(&b);
	memset(in, 0xe9, n);
	assert_int_equal(charset_to_utf8(&b, "latin1", in, n), 0);
	assert_int_equal(b.len, 2 * n);
	assert_true(charset_utf8_valid(b.data, b.len));
	buf_free(&b);
	free(in);
}

static void
test_repair(void **state)
{
	repair_eq("plain", 5, "plain");
	repair_eq("\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80");
	repair_eq("\xef\xbf\xbf\xf4\x8f\xbf\xbf", 7,
	    "\xef\xbf\xbf\xf4\x8f\xbf\xbf");
	/* Overlong forms. */
	repair_eq("\xc0\x80", 2, REPL REPL);
	repair_eq("\xc1\xbf", 2, REPL REPL);
	repair_eq("\xe0\x80\x80", 3, REPL REPL REPL);
	repair_eq("\xf0\x80\x80\x80", 4, REPL REPL REPL REPL);
	/* Surrogates and above U+10FFFF. */
	repair_eq("\xed\xa0\x80", 3, REPL REPL REPL);
	repair_eq("\xed\x9f\xbf", 3, "\xed\x9f\xbf");
	repair_eq("\xf4\x90\x80\x80", 4, REPL REPL REPL REPL);
	repair_eq("\xf5\x80", 2, REPL REPL);
	repair_eq("\xff\xfe", 2, REPL REPL);
	/* Truncated: the maximal subpart is one U+FFFD. */
	repair_eq("\xe2\x82", 2, REPL);
	repair_eq("\xe2\x82" "A", 3, REPL "A");
	repair_eq("\xf0\x9f\x98", 3, REPL);
	repair_eq("a\xf0\x9f\x98" "b\xc3", 6, "a" REPL "b" REPL);
	/* Stray continuation bytes, one each. */
	repair_eq("\x80\xbf", 2, REPL REPL);
	repair_eq("", 0, "");
}

/* NUL is valid UTF-8 and kept. */
static void
test_repair_nul(void **state)
{
	struct buf b = BUF_INIT;

	charset_utf8_repair(&b, "a\0\xff", 3);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "a\0" REPL, 5);
	buf_free(&b);
}

static void
test_valid_and_seqlen(void **state)
{
	assert_true(charset_utf8_valid("", 0));
	assert_true(charset_utf8_valid("a\0b", 3));
	assert_true(charset_utf8_valid("\xd8\xa7\xf0\x9f\x98\x80", 6));
	assert_false(charset_utf8_valid("\xd8", 1));
	assert_false(charset_utf8_valid("\xc0\xaf", 2));
	assert_false(charset_utf8_valid("\xed\xbf\xbf", 3));
	assert_false(charset_utf8_valid("ok\xe9", 3));
	assert_int_equal(charset_utf8_seqlen("a", 1), 1);
	assert_int_equal(charset_utf8_seqlen("\xc3\xa9", 2), 2);
	assert_int_equal(charset_utf8_seqlen("\xe2\x82\xac", 3), 3);
	assert_int_equal(charset_utf8_seqlen("\xf0\x9f\x98\x80", 4), 4);
	assert_int_equal(charset_utf8_seqlen("\xf0\x9f\x98\x80", 3), 0);
	assert_int_equal(charset_utf8_seqlen("\x80", 1), 0);
	assert_int_equal(charset_utf8_seqlen("", 0), 0);
}

static void
test_display(void **state)
{
	display_eq("  Hello\r\n\tworld  ", 17, "Hello world");
	display_eq("a\0b", 3, "a b");
	display_eq("a\x7f" "b\x01\x1f" "c", 6, "a b c");
	/* C1 controls (U+0085 NEL) and U+2028 are blanks; U+00A0 is not. */
	display_eq("a\xc2\x85" "b\xe2\x80\xa8" "c\xc2\xa0:", 11,
	    "a b c\xc2\xa0:");
	display_eq("x\xff" "y", 3, "x" REPL "y");
	display_eq(" \r\n ", 4, "");
	display_eq("", 0, "");
}

/* Display text is appended: no space is added before the new text. */
static void
test_display_appends(void **state)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "[");
	charset_display(&b, "  x  ", 5);
	buf_puts(&b, "]");
	assert_string_equal(buf_cstr(&b), "[x]");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_label_max),
		cmocka_unit_test(test_convert_single_byte),
		cmocka_unit_test(test_convert_nul),
		cmocka_unit_test(test_convert_multi_byte),
		cmocka_unit_test(test_convert_utf8_and_unknown),
		cmocka_unit_test(test_convert_appends),
		cmocka_unit_test(test_convert_large_invalid),
		cmocka_unit_test(test_repair),
		cmocka_unit_test(test_repair_nul),
		cmocka_unit_test(test_valid_and_seqlen),
		cmocka_unit_test(test_display),
		cmocka_unit_test(test_display_appends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
