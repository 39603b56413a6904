/* Unit tests for daemon/csv.c: splitting records (quotes, doubled quotes,
 * empty fields, the field limit, malformed quoting) and quoting fields so
 * that splitting gives them back. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "daemon/csv.h"

#define MAXF	4

static int
split(const char *s, struct buf *f, size_t *n)
{
	const char *err = NULL;
	int rc = csv_split(s, strlen(s), f, MAXF, n, &err);
	if (rc == -1)
		assert_non_null(err);
	return rc;
}

static void
test_split(void **state)
{
	(void)state;
	struct buf f[MAXF] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	size_t n;
	assert_int_equal(split("a@x.org,Ann,member,each", f, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(buf_cstr(&f[1]), "Ann");
	assert_int_equal(split("a@x.org", f, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(split("", f, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(buf_cstr(&f[0]), "");
	assert_int_equal(split("a,,", f, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(buf_cstr(&f[2]), "");
	assert_int_equal(split("a,\"Doe, \"\"J\"\"\",x", f, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(buf_cstr(&f[1]), "Doe, \"J\"");
	assert_int_equal(split("\"\"", f, &n), 0);
	assert_string_equal(buf_cstr(&f[0]), "");
	/* the limit: MAXF fields pass, one more fails */
	assert_int_equal(split("a,b,c,d", f, &n), 0);
	assert_int_equal(split("a,b,c,d,e", f, &n), -1);
	assert_int_equal(split("a,b,c,d,", f, &n), -1);
	/* bad quoting */
	assert_int_equal(split("\"open", f, &n), -1);
	assert_int_equal(split("\"a\"b", f, &n), -1);
	assert_int_equal(split("a\"b", f, &n), -1);
	for (int i = 0; i < MAXF; i++)
		buf_free(&f[i]);
}

static void
test_round_trip(void **state)
{
	(void)state;
	static const char *const v[] = { "plain", "with, comma", "say \"hi\"",
	    " lead", "trail ", "", "سلام", "a\"", "=HYPERLINK(\"x\")", "+1",
	    "-2", "@SUM(A1)", "\tTab", "'=already", "''+two", "'plain", "'" };
	struct buf line = BUF_INIT, f[MAXF] = { BUF_INIT, BUF_INIT, BUF_INIT,
	    BUF_INIT };
	size_t n;
	const char *err;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		buf_reset(&line);
		csv_field(&line, v[i]);
		buf_putc(&line, ',');
		csv_field(&line, "x");
		assert_int_equal(csv_split(line.data, line.len, f, MAXF, &n, &err),
		    0);
		assert_int_equal(n, 2);
		assert_string_equal(buf_cstr(&f[0]), v[i]);
	}
	buf_reset(&line);
	csv_field(&line, "x,y");
	assert_string_equal(buf_cstr(&line), "\"x,y\"");
	/* formula-like values are written so a spreadsheet shows text */
	buf_reset(&line);
	csv_field(&line, "=1+1");
	assert_string_equal(buf_cstr(&line), "\"'=1+1\"");
	buf_reset(&line);
	csv_field(&line, "'plain");
	assert_string_equal(buf_cstr(&line), "'plain");
	buf_free(&line);
	for (int i = 0; i < MAXF; i++)
		buf_free(&f[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
