/* Unit tests for web/write.c's pure part: the quote of a parent put in a
 * reply (every line marked, blank edges left out, WRITE_QUOTE_MAX crossed
 * and cut at a line end), and the writing routes in the real table. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "web/route.h"
#include "web/write.h"

static void
quote(struct buf *out, const char *text)
{
	buf_reset(out);
	write_quote(out, text);
}

static void
test_quote_lines(void **state)
{
	struct buf out = BUF_INIT;
	quote(&out, "\r\n\r\nFirst line.\r\n\r\n> older\r\nمرحبا\r\n\r\n  \r\n");
	assert_string_equal(buf_cstr(&out),
	    "> First line.\n>\n> > older\n> مرحبا\n\n");
	quote(&out, "one\nlast without end");
	assert_string_equal(buf_cstr(&out), "> one\n> last without end\n\n");
	quote(&out, "");
	assert_string_equal(buf_cstr(&out), "\n");
	quote(&out, NULL);
	assert_string_equal(buf_cstr(&out), "\n");
	buf_free(&out);
}

static void
test_quote_cap(void **state)
{
	struct buf text = BUF_INIT, out = BUF_INIT;
	/* lines of 64 bytes: exactly WRITE_QUOTE_MAX is kept whole */
	while (text.len < WRITE_QUOTE_MAX) {
		for (int i = 0; i < 63; i++)
			buf_putc(&text, 'a' + (char)(text.len / 64 % 26));
		buf_putc(&text, '\n');
	}
	assert_int_equal(text.len, WRITE_QUOTE_MAX);
	quote(&out, buf_cstr(&text));
	assert_null(strstr(buf_cstr(&out), "…"));
	assert_int_equal(out.len, WRITE_QUOTE_MAX + 2 * (WRITE_QUOTE_MAX / 64)
	    + 1);
	/* one byte more: the last line goes, the cut is marked */
	buf_putc(&text, '#');
	quote(&out, buf_cstr(&text));
	assert_null(strstr(buf_cstr(&out), "#"));
	assert_non_null(strstr(buf_cstr(&out), "\n> …\n\n"));
	assert_int_equal(out.len, WRITE_QUOTE_MAX + 2 * (WRITE_QUOTE_MAX / 64)
	    + strlen("> …\n") + 1);
	/* a single line longer than the cap: nothing of it but the mark */
	buf_reset(&text);
	for (int i = 0; i <= WRITE_QUOTE_MAX; i++)
		buf_putc(&text, 'x');
	quote(&out, buf_cstr(&text));
	assert_string_equal(buf_cstr(&out), "> …\n\n");
	buf_free(&text);
	buf_free(&out);
}

static void
test_write_routes(void **state)
{
	static const struct { const char *path; int method; const char *pattern;
	    int csrf; } cases[] = {
	    { "/g/cloud/new", ROUTE_GET, "/g/{slug}/new", 1 },
	    { "/g/cloud/new", ROUTE_POST, "/g/{slug}/new", 1 },
	    { "/g/cloud/p/12/reply", ROUTE_POST, "/g/{slug}/p/{id}/reply", 1 },
	    { "/g/cloud/p/12/edit", ROUTE_GET, "/g/{slug}/p/{id}/edit", 1 },
	    { "/g/cloud/w/7", ROUTE_GET, "/g/{slug}/w/{id}", 0 },
	    { "/static/write.css", ROUTE_GET, "/static/write.css", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct route *r;
		struct route_params p;
		assert_int_equal(route_match(route_table, route_count(),
		    cases[i].method, cases[i].path, &r, &p), ROUTE_OK);
		assert_string_equal(r->pattern, cases[i].pattern);
		assert_int_equal(r->csrf, cases[i].csrf);
		if (strncmp(cases[i].path, "/g/", 3) == 0) {
			assert_string_equal(p.slug, "cloud");
			assert_int_equal(r->perm, ROUTE_PERM_GROUP_READ);
		}
	}
	const struct route *r;
	struct route_params p;
	/* the status page takes no POST; ids are numbers */
	assert_int_equal(route_match(route_table, route_count(), ROUTE_POST,
	    "/g/cloud/w/7", &r, &p), ROUTE_BAD_METHOD);
	assert_int_equal(route_match(route_table, route_count(), ROUTE_GET,
	    "/g/cloud/p/x/reply", &r, &p), ROUTE_NOT_FOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_lines),
		cmocka_unit_test(test_quote_cap),
		cmocka_unit_test(test_write_routes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
