/* Unit tests for daemon/mimetypes.c: reading a typed list of allowed MIME
 * types (separators, case, duplicates, bad entries, the limits) and
 * matching a part's type against it (exact, a whole type, empty list). */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "daemon/mimetypes.h"

static int
parse(const char *in, struct buf *out)
{
	const char *err = NULL;
	int rc = mimetypes_parse(in, out, &err);
	if (rc == -1)
		assert_non_null(err);
	return rc;
}

static void
test_parse(void **state)
{
	(void)state;
	struct buf out = BUF_INIT;
	assert_int_equal(parse(" Text/*,image/PNG  application/pdf,\n"
	    "text/* ,, image/png", &out), 0);
	assert_string_equal(buf_cstr(&out), "text/*, image/png, application/pdf");
	assert_int_equal(parse("", &out), 0);
	assert_string_equal(buf_cstr(&out), "");
	assert_int_equal(parse(" , ", &out), 0);
	assert_string_equal(buf_cstr(&out), "");
	assert_int_equal(parse("application/vnd.oasis.opendocument.text,"
	    " application/x-tar+gzip", &out), 0);
	static const char *const bad[] = { "text", "text/", "/plain", "*/*",
	    "text/pl*", "te xt/plain", "text/plain;charset=utf-8", "-x/y",
	    "text/\xc3\xa9", "a/b/c", NULL };
	for (int i = 0; bad[i]; i++)
		assert_int_equal(parse(bad[i], &out), -1);
	buf_free(&out);
}

static void
test_limits(void **state)
{
	(void)state;
	struct buf in = BUF_INIT, out = BUF_INIT;
	/* an entry of MIMETYPES_ITEM_MAX bytes passes, one more does not */
	buf_puts(&in, "a/");
	while (in.len < MIMETYPES_ITEM_MAX)
		buf_putc(&in, 'b');
	assert_int_equal(parse(buf_cstr(&in), &out), 0);
	buf_putc(&in, 'b');
	assert_int_equal(parse(buf_cstr(&in), &out), -1);
	/* MIMETYPES_MAX different entries pass, one more does not */
	buf_reset(&in);
	for (int i = 0; i < MIMETYPES_MAX; i++)
		buf_printf(&in, "x/t%d ", i);
	assert_int_equal(parse(buf_cstr(&in), &out), 0);
	buf_puts(&in, "x/t0 x/t1");		/* duplicates do not count */
	assert_int_equal(parse(buf_cstr(&in), &out), 0);
	buf_puts(&in, " x/extra");
	assert_int_equal(parse(buf_cstr(&in), &out), -1);
	/* typed text longer than MIMETYPES_LIST_MAX is refused whole */
	buf_reset(&in);
	buf_puts(&in, "a/b");
	while (in.len <= MIMETYPES_LIST_MAX)
		buf_putc(&in, ' ');
	assert_int_equal(parse(buf_cstr(&in), &out), -1);
	buf_truncate(&in, MIMETYPES_LIST_MAX);
	assert_int_equal(parse(buf_cstr(&in), &out), 0);
	buf_free(&in);
	buf_free(&out);
}

static void
test_allowed(void **state)
{
	(void)state;
	const char *list = "text/*, image/png, application/pdf";
	assert_int_equal(mimetypes_allowed(list, "text/plain"), 1);
	assert_int_equal(mimetypes_allowed(list, "TEXT/CSV"), 1);
	assert_int_equal(mimetypes_allowed(list, "image/png"), 1);
	assert_int_equal(mimetypes_allowed(list, "application/pdf"), 1);
	assert_int_equal(mimetypes_allowed(list, "image/jpeg"), 0);
	assert_int_equal(mimetypes_allowed(list, "application/pdfx"), 0);
	assert_int_equal(mimetypes_allowed(list, "application/x-msdownload"),
	    0);
	assert_int_equal(mimetypes_allowed(list, "textual/plain"), 0);
	assert_int_equal(mimetypes_allowed(list, "text"), 0);
	assert_int_equal(mimetypes_allowed("image/png", "image/pn"), 0);
	assert_int_equal(mimetypes_allowed("", "application/x-msdownload"), 1);
	assert_int_equal(mimetypes_allowed(NULL, "x/y"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_allowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
