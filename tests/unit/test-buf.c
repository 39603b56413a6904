/* Unit tests for daemon/buf.c. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"

static void
test_append_and_cstr(void **state)
{
	struct buf b = BUF_INIT;
	assert_string_equal(buf_cstr(&b), "");
	buf_puts(&b, "hello");
	buf_putc(&b, ' ');
	buf_printf(&b, "%d-%s", 42, "x");
	assert_string_equal(buf_cstr(&b), "hello 42-x");
	assert_int_equal(b.len, 10);
	buf_truncate(&b, 5);
	assert_string_equal(buf_cstr(&b), "hello");
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_cstr(&b), "");
	buf_free(&b);
}

static void
test_growth_binary(void **state)
{
	struct buf b = BUF_INIT;
	char chunk[1000];
	memset(chunk, 0, sizeof chunk);
	for (int i = 0; i < 1000; i++)
		buf_append(&b, chunk, sizeof chunk);
	assert_int_equal(b.len, 1000000);
	assert_true(b.cap > b.len);
	assert_int_equal(b.data[b.len], 0);
	char *s = buf_steal(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(s);
	s = buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
}

static void
test_printf_large(void **state)
{
	struct buf b = BUF_INIT;
	char big[5000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(&b, "<%s>", big);
	assert_int_equal(b.len, 5001);
	assert_int_equal(b.data[0], '<');
	assert_int_equal(b.data[5000], '>');
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_cstr),
		cmocka_unit_test(test_growth_binary),
		cmocka_unit_test(test_printf_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
