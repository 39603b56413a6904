/* Unit tests for mail/mimepolicy.c and the parts it has built
 * (compose_mime_part_mixed, compose_replace_body): which attachments a
 * list refuses, the stripped post (notes, kept attachments, base64 lines,
 * hostile types and names), and the raw copy with its body replaced. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "mail/compose.h"
#include "mail/header.h"
#include "mail/mimepolicy.h"
#include "mail/parsed.h"

static void
add(struct parsed *p, const char *name, const char *ct, const char *data,
    size_t n)
{
	p->attach = realloc(p->attach, (p->nattach + 1) * sizeof *p->attach);
	struct parsed_attachment *a = &p->attach[p->nattach++];
	a->filename = strdup(name);
	a->content_type = strdup(ct);
	buf_init(&a->data);
	buf_append(&a->data, data, n);
}

static void
test_refused_and_strip(void **state)
{
	(void)state;
	struct parsed p;
	struct mimepolicy_strip s;
	char big[200];
	memset(big, 'x', sizeof big);
	parsed_init(&p);
	free(p.text);
	p.text = strdup("Hello.\n\n");
	add(&p, "chart.png", "image/png", "PNGDATA", 7);
	add(&p, "tool.exe", "application/x-msdownload", "MZ", 2);
	add(&p, "notes.csv", "text/csv", big, sizeof big);
	add(&p, "", "application/zip", "PK", 2);
	assert_int_equal(mimepolicy_refused(&p, ""), 0);
	assert_int_equal(mimepolicy_refused(&p, "text/*, image/png"), 2);
	assert_int_equal(mimepolicy_strip(&p, "", &s), 0);
	assert_int_equal(s.part.len, 0);
	assert_int_equal(mimepolicy_strip(&p, "text/*, image/png", &s), 2);
	assert_string_equal(buf_cstr(&s.text), "Hello.\n\n[attachment tool.exe"
	    " of type application/x-msdownload removed]\n[attachment (no name)"
	    " of type application/zip removed]\n");
	assert_int_equal(s.nkeep, 2);
	assert_int_equal(s.keep[0], 0);
	assert_int_equal(s.keep[1], 2);
	const char *part = buf_cstr(&s.part);
	assert_non_null(strstr(part, "Content-Type: multipart/mixed;"));
	assert_non_null(strstr(part, "filename=\"chart.png\""));
	assert_non_null(strstr(part, "UE5HREFUQQ==\r\n"));	/* PNGDATA */
	assert_null(strstr(part, "tool.exe\""));
	assert_null(strstr(part, "TVo="));			/* MZ */
	/* 200 bytes of base64 in lines of COMPOSE_B64_LINE */
	const char *l = strstr(part, "eHh4");
	assert_non_null(l);
	assert_int_equal(strcspn(l, "\r"), COMPOSE_B64_LINE);
	mimepolicy_strip_free(&s);
	/* nothing kept: a plain text part */
	assert_int_equal(mimepolicy_strip(&p, "text/html", &s), 4);
	assert_non_null(strstr(buf_cstr(&s.part), "Content-Type: text/plain;"));
	assert_null(strstr(buf_cstr(&s.part), "multipart"));
	mimepolicy_strip_free(&s);
	parsed_clear(&p);
}

static void
test_hostile_names(void **state)
{
	(void)state;
	struct buf out = BUF_INIT;
	struct compose_attachment a[] = {
		{ "rapport é\"x.pdf", "application/pdf", "x", 1 },
		{ "a\r\nBcc: x@evil.example", "text/plain\r\nBcc: y@evil", "y", 1 },
		{ "b.bin", "no-slash", "z", 1 },
	};
	compose_mime_part_mixed(&out, "t", a, 3);
	const char *s = buf_cstr(&out);
	assert_non_null(strstr(s, "filename*=utf-8''rapport%20%C3%A9%22x.pdf"));
	assert_null(strstr(s, "\r\nBcc:"));
	assert_non_null(strstr(s, "Content-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment;"
	    " filename=\"b.bin\""));
	buf_free(&out);
}

static void
test_replace_body(void **state)
{
	(void)state;
	static const char raw[] = "From: <a@example.org>\r\nSubject: Hi\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n"
	    " boundary=\"b1\"\r\nX-Other: kept\r\n\r\n--b1\r\nbody\r\n--b1--\r\n";
	static const char part[] = "Content-Type: text/plain; charset=utf-8\r\n"
	    "\r\nnew body\r\n";
	struct buf out = BUF_INIT, v = BUF_INIT;
	compose_replace_body(&out, raw, sizeof raw - 1, part, sizeof part - 1);
	assert_string_equal(buf_cstr(&out), "From: <a@example.org>\r\n"
	    "Subject: Hi\r\nX-Other: kept\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\nnew body\r\n");
	assert_int_equal(header_count(out.data, out.len, "Content-Type"), 1);
	buf_free(&out);
	buf_free(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_and_strip),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_replace_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
