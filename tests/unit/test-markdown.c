/* Unit tests for web/markdown.c: CommonMark through cmark's safe mode
 * (script tags, event handlers and javascript: links never come out), line
 * breaks kept, the source size cap. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "web/markdown.h"

static void
render(struct buf *out, const char *src)
{
	buf_reset(out);
	assert_int_equal(markdown_html(out, src, strlen(src)), 0);
}

/* 1 when needle occurs in hay, ASCII case ignored. */
static int
has(const struct buf *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *s = buf_cstr(hay); *s; s++)
		if (strncasecmp(s, needle, n) == 0)
			return 1;
	return 0;
}

static void
test_markdown_basics(void **state)
{
	struct buf out = BUF_INIT;
	render(&out, "Hello *world* and **more**.\nSecond line.\n\n"
	    "> quoted\n\n- one\n- two\n\n`code` [site](https://example.org/a?b=1&c=2)\n");
	assert_non_null(strstr(buf_cstr(&out), "<em>world</em>"));
	assert_non_null(strstr(buf_cstr(&out), "<strong>more</strong>"));
	assert_non_null(strstr(buf_cstr(&out), ".<br />\nSecond line."));
	assert_non_null(strstr(buf_cstr(&out), "<blockquote>\n<p>quoted</p>"));
	assert_non_null(strstr(buf_cstr(&out), "<li>one</li>"));
	assert_non_null(strstr(buf_cstr(&out), "<code>code</code>"));
	assert_non_null(strstr(buf_cstr(&out),
	    "<a href=\"https://example.org/a?b=1&amp;c=2\">site</a>"));
	render(&out, "مرحبا **بالجميع**\n");
	assert_string_equal(buf_cstr(&out), "<p>مرحبا <strong>بالجميع</strong></p>\n");
	/* invalid UTF-8 is replaced, never passed on */
	render(&out, "a\xff" "b\n");
	assert_non_null(strstr(buf_cstr(&out), "a\xef\xbf\xbd" "b"));
	buf_free(&out);
}

static void
test_markdown_unsafe_dropped(void **state)
{
	static const char *const evil[] = {
	    "<script>alert(1)</script>\n",
	    "text <script>alert(1)</script> inline\n",
	    "<img src=x onerror=alert(1)>\n",
	    "\"><img src=x onerror=alert(1)>\n",
	    "[click](javascript:alert(1))\n",
	    "[click](JaVaScRiPt:alert(1))\n",
	    "[click](vbscript:msgbox(1))\n",
	    "[click](data:text/html;base64,PHNjcmlwdD4=)\n",
	    "<a href=\"javascript:alert(1)\">x</a>\n",
	    "![i](javascript:alert(1))\n",
	    "<javascript:alert(1)>\n",
	    "[ref]\n\n[ref]: javascript:alert(1)\n",
	    "<iframe src=\"https://evil.example\"></iframe>\n",
	    "<svg onload=alert(1)>\n",
	    "<div style=\"x\" onclick=\"alert(1)\">y</div>\n",
	};
	struct buf out = BUF_INIT;
	for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
		render(&out, evil[i]);
		assert_false(has(&out, "<script"));
		assert_false(has(&out, "<img src=\"x"));
		assert_false(has(&out, "<img src=x"));
		assert_false(has(&out, "onerror="));
		assert_false(has(&out, "onload="));
		assert_false(has(&out, "onclick="));
		assert_false(has(&out, "<iframe"));
		assert_false(has(&out, "<svg"));
		assert_false(has(&out, "href=\"javascript:"));
		assert_false(has(&out, "src=\"javascript:"));
		assert_false(has(&out, "href=\"vbscript:"));
		assert_false(has(&out, "href=\"data:"));
	}
	/* the text of a dropped link stays */
	render(&out, "[click](javascript:alert(1))\n");
	assert_string_equal(buf_cstr(&out), "<p><a href=\"\">click</a></p>\n");
	buf_free(&out);
}

static void
test_markdown_cap(void **state)
{
	struct buf src = BUF_INIT, out = BUF_INIT;
	while (src.len < MARKDOWN_SOURCE_MAX)
		buf_putc(&src, src.len % 70 == 69 ? '\n' : '>');
	assert_int_equal(markdown_html(&out, src.data, src.len), 0);
	assert_true(out.len > 0);
	buf_putc(&src, 'x');
	buf_reset(&out);
	assert_int_equal(markdown_html(&out, src.data, src.len), -1);
	assert_int_equal(out.len, 0);
	buf_free(&src);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markdown_basics),
		cmocka_unit_test(test_markdown_unsafe_dropped),
		cmocka_unit_test(test_markdown_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
