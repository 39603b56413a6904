/* Unit tests for mail/rfc2231.c: parameter lookup with charsets and
 * continuations, and safe download names. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "mail/rfc2231.h"

#define REPL	"\xef\xbf\xbd"
#define NPARAMS(p)	(sizeof(p) / sizeof((p)[0]))

static void
lookup_eq(const struct rfc2231_param *p, size_t n, const char *name,
    const char *expect)
{
	struct buf b = BUF_INIT;

	assert_int_equal(rfc2231_lookup(&b, p, n, name), 0);
	assert_string_equal(buf_cstr(&b), expect);
	buf_free(&b);
}

static void
safe_eq(const char *in, const char *expect)
{
	struct buf b = BUF_INIT;

	rfc2231_safe_filename(&b, in);
	assert_string_equal(buf_cstr(&b), expect);
	buf_free(&b);
}

/* attachment-rfc2231.eml, Content-Type and Content-Disposition. */
static void
test_corpus(void **state)
{
	const struct rfc2231_param ct[] = {
		{ "name*0*", "utf-8''%D8%A7%D9%84%D8%AA%D9%82%D8%B1%D9%8A%D8%B1" },
		{ "name*1*", "%20%D8%A7%D9%84%D9%86%D9%87%D8%A7%D8%A6%D9%8A.pdf" },
	};
	const struct rfc2231_param cd[] = {
		{ "filename*0*",
		    "utf-8''%D8%A7%D9%84%D8%AA%D9%82%D8%B1%D9%8A%D8%B1" },
		{ "filename*1*",
		    "%20%D8%A7%D9%84%D9%86%D9%87%D8%A7%D8%A6%D9%8A.pdf" },
	};
	struct buf b = BUF_INIT, safe = BUF_INIT;

	lookup_eq(ct, NPARAMS(ct), "name", "التقرير النهائي.pdf");
	assert_int_equal(rfc2231_lookup(&b, cd, NPARAMS(cd), "filename"), 0);
	assert_string_equal(buf_cstr(&b), "التقرير النهائي.pdf");
	rfc2231_safe_filename(&safe, b.data);
	assert_string_equal(buf_cstr(&safe), "التقرير النهائي.pdf");
	buf_free(&b);
	buf_free(&safe);
}

static void
test_sections(void **state)
{
	const struct rfc2231_param reversed[] = {
		{ "boundary", "x" },
		{ "FILENAME*2", ".pdf" },
		{ "Filename*1*", "%C3%A9" },
		{ "filename*0*", "UTF-8'fr'caf" },
	};
	const struct rfc2231_param gap[] = {
		{ "name*0", "one" }, { "name*2", "three" },
	};
	const struct rfc2231_param mixed[] = {
		{ "name*0*", "iso-8859-1'fr'caf%E9" },
		{ "name*1", " au lait 100%" },
		{ "name*2*", "%E9t%E9" },
	};
	const struct rfc2231_param plain_parts[] = {
		{ "name*0", "=?utf-8?q?caf" }, { "name*1", "=C3=A9?= noir" },
	};
	const struct rfc2231_param dup[] = {
		{ "name*0", "first" }, { "name*0", "second" },
	};
	const struct rfc2231_param cp1256[] = {
		{ "name*0*", "windows-1256''%E3%D3%E6%CF%C9" },
		{ "name*1", ".txt" },
	};

	lookup_eq(reversed, NPARAMS(reversed), "filename", "café.pdf");
	lookup_eq(gap, NPARAMS(gap), "name", "one");
	lookup_eq(mixed, NPARAMS(mixed), "name", "café au lait 100%été");
	lookup_eq(plain_parts, NPARAMS(plain_parts), "name", "café noir");
	lookup_eq(dup, NPARAMS(dup), "name", "first");
	lookup_eq(cp1256, NPARAMS(cp1256), "name", "مسودة.txt");
}

static void
test_extended(void **state)
{
	const struct rfc2231_param p[] = {
		{ "title*", "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A" },
		{ "a*", "iso-8859-1''caf%E9" },
		{ "b*", "caf%C3%A9" },
		{ "c*", "caf%E9" },
		{ "d*", "x-unknown''caf%C3%A9%FF" },
		{ "e*", "utf-8''%ZZ%4%" },
		{ "f*", "utf-8''a%0D%0ABcc:%20x%00y" },
		{ "g*", "utf-8''" },
		{ "h*", "utf-8'en'it's" },
		{ "i*", "''%E9" },
	};

	lookup_eq(p, NPARAMS(p), "title", "This is ***fun***");
	lookup_eq(p, NPARAMS(p), "a", "café");
	lookup_eq(p, NPARAMS(p), "b", "café");
	lookup_eq(p, NPARAMS(p), "c", "café");
	lookup_eq(p, NPARAMS(p), "d", "café" REPL);
	lookup_eq(p, NPARAMS(p), "e", "%ZZ%4%");
	lookup_eq(p, NPARAMS(p), "f", "a Bcc: x y");
	lookup_eq(p, NPARAMS(p), "g", "");
	lookup_eq(p, NPARAMS(p), "h", "it's");
	lookup_eq(p, NPARAMS(p), "i", "é");
}

/* name* before name*0 before name. */
static void
test_preference(void **state)
{
	const struct rfc2231_param all[] = {
		{ "name", "plain" }, { "name*0", "section" },
		{ "name*", "utf-8''extended" },
	};
	const struct rfc2231_param two[] = {
		{ "name", "plain" }, { "name*0", "section" },
	};

	lookup_eq(all, NPARAMS(all), "name", "extended");
	lookup_eq(two, NPARAMS(two), "name", "section");
	lookup_eq(two, 1, "name", "plain");
}

static void
test_plain(void **state)
{
	const struct rfc2231_param p[] = {
		{ "filename", "report.pdf" },
		{ "a", "=?UTF-8?B?2KfZhNiq2YLYsdmK2LEucGRm?=" },
		{ "b", "=?iso-8859-1?q?caf=E9?= .txt" },
		{ "c", "caf\xe9.txt" },
		{ "d", "  two\r\n\tlines\0" },
	};

	lookup_eq(p, NPARAMS(p), "FileName", "report.pdf");
	lookup_eq(p, NPARAMS(p), "a", "التقرير.pdf");
	lookup_eq(p, NPARAMS(p), "b", "café .txt");
	lookup_eq(p, NPARAMS(p), "c", "café.txt");
	lookup_eq(p, NPARAMS(p), "d", "two lines");
}

/* Empty values are found and give empty text. */
static void
test_empty(void **state)
{
	const struct rfc2231_param p[] = {
		{ "a*0", "" }, { "b", "" }, { "c*", "" }, { "d*0*", "" },
	};

	lookup_eq(p, NPARAMS(p), "a", "");
	lookup_eq(p, NPARAMS(p), "b", "");
	lookup_eq(p, NPARAMS(p), "c", "");
	lookup_eq(p, NPARAMS(p), "d", "");
}

static void
test_not_found(void **state)
{
	const struct rfc2231_param p[] = {
		{ "filenames", "a" }, { "file", "b" }, { "filename*x", "c" },
		{ "filename*01", "d" }, { "filename*-1", "e" },
		{ "filename**", "f" }, { "filename*0**", "g" },
		{ "filename*1", "h" }, { NULL, "i" }, { "filename", NULL },
	};
	struct buf b = BUF_INIT;

	buf_puts(&b, "kept");
	assert_int_equal(rfc2231_lookup(&b, p, NPARAMS(p), "filename"), -1);
	assert_int_equal(rfc2231_lookup(&b, NULL, 0, "filename"), -1);
	assert_string_equal(buf_cstr(&b), "kept");
	buf_free(&b);
}

/* Sections past RFC2231_MAX_SECTIONS are not read. */
static void
test_max_sections(void **state)
{
	struct rfc2231_param p[RFC2231_MAX_SECTIONS + 1];
	char names[RFC2231_MAX_SECTIONS + 1][16];
	char expect[RFC2231_MAX_SECTIONS + 1];
	struct buf b = BUF_INIT;

	for (size_t i = 0; i <= RFC2231_MAX_SECTIONS; i++) {
		snprintf(names[i], sizeof names[i], "name*%zu", i);
		p[i].name = names[i];
		p[i].value = i == RFC2231_MAX_SECTIONS ? "Z" : "a";
	}
	memset(expect, 'a', RFC2231_MAX_SECTIONS);
	expect[RFC2231_MAX_SECTIONS] = '\0';
	assert_int_equal(rfc2231_lookup(&b, p, RFC2231_MAX_SECTIONS + 1,
	    "name"), 0);
	assert_string_equal(buf_cstr(&b), expect);
	buf_reset(&b);
	p[RFC2231_MAX_SECTIONS - 1].value = "Y";
	assert_int_equal(rfc2231_lookup(&b, p, RFC2231_MAX_SECTIONS, "name"),
	    0);
	assert_int_equal(b.len, RFC2231_MAX_SECTIONS);
	assert_int_equal(b.data[RFC2231_MAX_SECTIONS - 1], 'Y');
	/* only a section at the limit: nothing found */
	assert_int_equal(rfc2231_lookup(&b, p + RFC2231_MAX_SECTIONS, 1,
	    "name"), -1);
	buf_free(&b);
}

static void
test_safe_filename(void **state)
{
	safe_eq("report.pdf", "report.pdf");
	safe_eq("../../etc/passwd", "passwd");
	safe_eq("C:\\Users\\me\\doc.pdf", "doc.pdf");
	safe_eq("dir/sub//", "sub");
	safe_eq("/", "attachment");
	safe_eq("", "attachment");
	safe_eq("...", "attachment");
	safe_eq(" . . ", "attachment");
	safe_eq(".htaccess", "htaccess");
	safe_eq("..\\..\\.bashrc", "bashrc");
	safe_eq(" name. . ", "name");
	safe_eq("a\x01" "b\tc\r\nd.txt", "a b c d.txt");
	safe_eq("\xe2\x80\xae" "fdp.exe", "fdp.exe");
	safe_eq("a\xe2\x80\x8f" "b\xd8\x9c" "c\xe2\x81\xa6" "d", "abcd");
	safe_eq("a<b>c:d\"e|f?g*h.txt", "a_b_c_d_e_f_g_h.txt");
	safe_eq("a\xff" "b", "a" REPL "b");
	safe_eq("التقرير النهائي.pdf", "التقرير النهائي.pdf");
}

/* Names are cut at RFC2231_FILENAME_MAX bytes, between characters, with an
 * extension of up to RFC2231_EXTENSION_MAX bytes kept. */
static void
test_safe_filename_max(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t i;

	for (i = 0; i < RFC2231_FILENAME_MAX - 4; i++)
		buf_putc(&in, 'x');
	buf_puts(&in, ".pdf");
	rfc2231_safe_filename(&out, in.data);
	assert_string_equal(buf_cstr(&out), in.data);
	buf_reset(&out);
	buf_truncate(&in, in.len - 4);
	buf_puts(&in, "x.pdf");
	rfc2231_safe_filename(&out, in.data);
	assert_int_equal(out.len, RFC2231_FILENAME_MAX);
	assert_string_equal(out.data + out.len - 5, "x.pdf");
	/* a multibyte character is never cut */
	buf_reset(&in);
	buf_reset(&out);
	buf_putc(&in, 'a');
	for (i = 0; i < 100; i++)
		buf_puts(&in, "é");
	buf_puts(&in, ".pdf");
	rfc2231_safe_filename(&out, in.data);
	assert_int_equal(out.len, RFC2231_FILENAME_MAX - 1);
	assert_string_equal(out.data + out.len - 6, "é.pdf");
	/* extension of RFC2231_EXTENSION_MAX bytes kept, one more not */
	buf_reset(&in);
	buf_reset(&out);
	for (i = 0; i < RFC2231_FILENAME_MAX; i++)
		buf_putc(&in, 'y');
	buf_putc(&in, '.');
	for (i = 1; i < RFC2231_EXTENSION_MAX; i++)
		buf_putc(&in, 'e');
	rfc2231_safe_filename(&out, in.data);
	assert_int_equal(out.len, RFC2231_FILENAME_MAX);
	assert_int_equal(out.data[RFC2231_FILENAME_MAX -
	    RFC2231_EXTENSION_MAX], '.');
	buf_reset(&out);
	buf_putc(&in, 'e');
	rfc2231_safe_filename(&out, in.data);
	assert_int_equal(out.len, RFC2231_FILENAME_MAX);
	assert_null(strchr(out.data, '.'));
	/* no trailing space or dot left by the cut */
	buf_reset(&in);
	buf_reset(&out);
	for (i = 0; i < RFC2231_FILENAME_MAX - 1; i++)
		buf_putc(&in, 'z');
	buf_puts(&in, ". tail-longer-than-an-extension");
	rfc2231_safe_filename(&out, in.data);
	assert_int_equal(out.len, RFC2231_FILENAME_MAX - 1);
	buf_free(&in);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_extended),
		cmocka_unit_test(test_preference),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_max_sections),
		cmocka_unit_test(test_safe_filename),
		cmocka_unit_test(test_safe_filename_max),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
