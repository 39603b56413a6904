/* Unit tests for web/form.c: form bodies and their limits. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "web/form.h"

static enum form_result
parse(struct form *f, const char *s)
{
	return form_parse(f, s, strlen(s));
}

static void
test_form_basic(void **state)
{
	struct form f;
	(void)state;
	assert_int_equal(parse(&f, "a=1&b=x+y%20z&c=&d&a=2&&e=%C3%A9"), FORM_OK);
	assert_int_equal(f.n, 6);
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(form_get(&f, "b"), "x y z");
	assert_string_equal(form_get(&f, "c"), "");
	assert_string_equal(form_get(&f, "d"), "");
	assert_string_equal(form_get(&f, "e"), "\xc3\xa9");
	assert_null(form_get(&f, "zz"));
	form_clear(&f);
	assert_int_equal(parse(&f, ""), FORM_OK);
	assert_int_equal(f.n, 0);
	assert_null(form_get(&f, "a"));
	assert_null(form_get(NULL, "a"));
	form_clear(&f);
	assert_int_equal(parse(&f, "t=line1%0D%0Aline2"), FORM_OK);
	assert_string_equal(form_get(&f, "t"), "line1\r\nline2");
	form_clear(&f);
}

static void
test_form_bad(void **state)
{
	static const char *const bad[] = {
		"a=%00", "a=%zz", "a=%4", "a=%", "a=%C3", "a=%FF",
		"%00=1", "=1", "a%0A=1", "a%7F=x", "a=ok&b=%E2%82",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct form f;
		assert_int_equal(parse(&f, bad[i]), FORM_BAD);
		form_clear(&f);
	}
	struct form f;
	const char nul[] = "a=x\0y";
	assert_int_equal(form_parse(&f, nul, sizeof nul - 1), FORM_BAD);
	form_clear(&f);
}

static void
test_form_limits(void **state)
{
	struct form f;
	struct buf b = BUF_INIT;
	(void)state;
	/* field count: FORM_FIELDS_MAX passes, one more does not */
	for (int i = 0; i < FORM_FIELDS_MAX; i++)
		buf_printf(&b, "%sf%d=1", i ? "&" : "", i);
	assert_int_equal(form_parse(&f, b.data, b.len), FORM_OK);
	assert_int_equal(f.n, FORM_FIELDS_MAX);
	form_clear(&f);
	buf_puts(&b, "&x=1");
	assert_int_equal(form_parse(&f, b.data, b.len), FORM_TOO_BIG);
	form_clear(&f);
	/* name length */
	buf_reset(&b);
	for (int i = 0; i < FORM_NAME_MAX; i++)
		buf_putc(&b, 'n');
	buf_puts(&b, "=v");
	assert_int_equal(form_parse(&f, b.data, b.len), FORM_OK);
	form_clear(&f);
	buf_reset(&b);
	for (int i = 0; i <= FORM_NAME_MAX; i++)
		buf_putc(&b, 'n');
	buf_puts(&b, "=v");
	assert_int_equal(form_parse(&f, b.data, b.len), FORM_TOO_BIG);
	form_clear(&f);
	/* value length, counted decoded */
	buf_reset(&b);
	buf_puts(&b, "v=");
	for (int i = 0; i < FORM_VALUE_MAX; i++)
		buf_putc(&b, 'x');
	assert_int_equal(form_parse(&f, b.data, b.len), FORM_OK);
	assert_int_equal(strlen(form_get(&f, "v")), FORM_VALUE_MAX);
	form_clear(&f);
	buf_putc(&b, 'x');
	assert_int_equal(form_parse(&f, b.data, b.len), FORM_TOO_BIG);
	form_clear(&f);
	/* body size */
	buf_reset(&b);
	buf_puts(&b, "v=");
	while (b.len <= FORM_BODY_MAX)
		buf_putc(&b, 'x');
	assert_int_equal(form_parse(&f, b.data, b.len), FORM_TOO_BIG);
	form_clear(&f);
	/* 100,000 fields */
	buf_reset(&b);
	for (int i = 0; i < 100000 && b.len < FORM_BODY_MAX - 8; i++)
		buf_puts(&b, "a=&");
	assert_int_equal(form_parse(&f, b.data, b.len), FORM_TOO_BIG);
	form_clear(&f);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_basic),
		cmocka_unit_test(test_form_bad),
		cmocka_unit_test(test_form_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
