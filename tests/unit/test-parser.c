/* Unit tests for mail/parser.c (in-process, no worker): every corpus file
 * parsed to the fields majlis relies on. The corpus is $MAJLIS_CORPUS. */
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
#include "mail/parser.h"

static void
load(const char *name, struct buf *out)
{
	const char *dir = getenv("MAJLIS_CORPUS");
	char path[1024];
	assert_non_null(dir);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
}

static void
parse_file(const char *name, struct parsed *p)
{
	struct buf raw = BUF_INIT;
	load(name, &raw);
	parser_parse(raw.data, raw.len, p);
	buf_free(&raw);
}

static void
test_french_latin1(void **state)
{
	struct parsed p;
	parse_file("fr-latin1-qp.eml", &p);
	assert_int_equal(p.ok, 1);
	assert_string_equal(p.subject, "Réunion du comité - été 2026");
	assert_string_equal(p.from_name, "Amélie Dupré");
	assert_string_equal(p.from_addr, "amelie.dupre@example.fr");
	assert_string_equal(p.message_id, "20261112091403.4711@mail.example.fr");
	assert_non_null(strstr(p.text, "comité"));
	assert_true(p.date > 0);
	parsed_clear(&p);
}

static void
test_arabic(void **state)
{
	struct parsed p;
	parse_file("ar-cp1256-b64.eml", &p);
	assert_int_equal(p.ok, 1);
	assert_string_equal(p.from_name, "أحمد العلوي");
	assert_non_null(strstr(p.subject, "مسودة"));
	assert_true(strlen(p.text) > 10);
	parsed_clear(&p);
	parse_file("ar-utf8-gmail-reply.eml", &p);
	assert_string_equal(p.in_reply_to, "CAB1234-ar-001@mail.example.ma");
	assert_string_equal(p.references, "CAB1234-ar-001@mail.example.ma");
	assert_int_equal(p.text_from_html, 0);	/* text/plain preferred */
	assert_true(strlen(p.html) > 0);
	parsed_clear(&p);
}

static void
test_flowed(void **state)
{
	struct parsed p;
	parse_file("apple-flowed-fr.eml", &p);
	assert_string_equal(p.from_name, "Karim Benïssa");
	assert_string_equal(p.in_reply_to, "20261112091403.4711@mail.example.fr");
	/* soft breaks joined into one line; the signature separator kept */
	assert_non_null(strstr(p.text, "Depuis Montréal je pourrai me connecter"
	    " en visio. Est-ce que la réunion sera enregistrée ?\n"));
	assert_non_null(strstr(p.text, "\n-- \n"));
	parsed_clear(&p);
}

static void
test_attachment_2231(void **state)
{
	struct parsed p;
	parse_file("attachment-rfc2231.eml", &p);
	assert_int_equal(p.nattach, 1);
	assert_string_equal(p.attach[0].filename, "التقرير النهائي.pdf");
	assert_string_equal(p.attach[0].content_type, "application/pdf");
	assert_true(p.attach[0].data.len > 0);
	assert_string_equal(p.subject, "Rapport final / التقرير النهائي");
	parsed_clear(&p);
}

static void
test_html_only(void **state)
{
	struct parsed p;
	parse_file("html-only-xss.eml", &p);
	assert_int_equal(p.text_from_html, 1);
	assert_null(strstr(p.text, "<script"));
	assert_null(strstr(p.text, "alert(1)"));	/* script content dropped */
	assert_string_equal(p.from_name, "<script>alert(1)</script>");
	parsed_clear(&p);
}

static void
test_injection(void **state)
{
	struct parsed p;
	parse_file("header-injection-2047.eml", &p);
	assert_null(strchr(p.subject, '\r'));
	assert_null(strchr(p.subject, '\n'));
	assert_null(strchr(p.from_name, '\n'));
	assert_non_null(strstr(p.subject, "Bcc"));	/* kept as harmless text */
	parsed_clear(&p);
}

static void
test_dsn_and_auto(void **state)
{
	struct parsed p;
	parse_file("dsn-bounce.eml", &p);
	assert_int_equal(p.is_dsn, 1);
	assert_string_equal(p.dsn_action, "failed");
	assert_true(strncmp(p.dsn_status, "5.", 2) == 0);
	assert_non_null(strchr(p.dsn_recipient, '@'));
	assert_int_equal(p.nattach, 0);
	parsed_clear(&p);
	parse_file("auto-reply-ooo.eml", &p);
	assert_string_equal(p.auto_submitted, "auto-replied");
	parsed_clear(&p);
}

static void
test_hostile(void **state)
{
	struct parsed p;
	parse_file("crash-boundary-quote.eml", &p);
	assert_int_equal(p.ok, 0);	/* refused by the pre-scan */
	parsed_clear(&p);
	parse_file("boundary-never-present.eml", &p);
	assert_int_equal(p.ok, 1);
	assert_true(strlen(p.text) > 0);
	parsed_clear(&p);
	parser_parse("", 0, &p);
	parsed_clear(&p);
	parser_parse("Subject: x\r\n", 12, &p);
	assert_string_equal(p.subject, "x");
	parsed_clear(&p);
}

/* Found by fuzzing: a value folded right after the colon, and a Date whose
 * zone overflows the offset computation. */
static void
test_fold_after_colon_and_bad_zone(void **state)
{
	static const char m1[] = "Subject:\r\n hello\r\n"
	    "Date: Mon, 16 Nov 2026 08:00:00 +0100\r\n\r\nbody\r\n";
	static const char m2[] = "Subject: x\r\n"
	    "Date: Mon, 16 Nov 2026 08:00:00 -477218500\r\n\r\nbody\r\n";
	struct parsed p;
	parser_parse(m1, sizeof m1 - 1, &p);
	assert_string_equal(p.subject, "hello");
	assert_int_equal(p.date, 1794812400);	/* 07:00 UTC */
	parsed_clear(&p);
	parser_parse(m2, sizeof m2 - 1, &p);
	assert_string_equal(p.subject, "x");
	assert_int_equal(p.date, 0);	/* no usable date */
	parsed_clear(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_french_latin1),
		cmocka_unit_test(test_arabic),
		cmocka_unit_test(test_flowed),
		cmocka_unit_test(test_attachment_2231),
		cmocka_unit_test(test_html_only),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_dsn_and_auto),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_fold_after_colon_and_bad_zone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
