/* Unit tests for mail/rfc2047.c: decoding (corpus header values, hostile
 * input) and encoding (folding, limits, round trips). */
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
#include "mail/rfc2047.h"

#define REPL	"\xef\xbf\xbd"

static void
dec_eq(const char *in, const char *expect)
{
	struct buf b = BUF_INIT;

	rfc2047_decode(&b, in, strlen(in));
	assert_string_equal(buf_cstr(&b), expect);
	buf_free(&b);
}

static void
enc_eq(const char *in, size_t used, const char *expect)
{
	struct buf b = BUF_INIT;

	rfc2047_encode(&b, in, used);
	assert_string_equal(buf_cstr(&b), expect);
	buf_free(&b);
}

static void
phrase_eq(const char *in, const char *expect)
{
	struct buf b = BUF_INIT;

	rfc2047_encode_phrase(&b, in);
	assert_string_equal(buf_cstr(&b), expect);
	buf_free(&b);
}

/* Check the shape of encoder output: CR and LF only in "\r\n ", lines at
 * most max long (the first one starting at column used), encoded-words at
 * most RFC2047_WORD_MAX and each one whole UTF-8 on its own. Returns the
 * longest encoded-word. */
static size_t
check_shape(const char *s, size_t used, size_t max)
{
	size_t col = used, longest = 0;

	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\r') {
			assert_memory_equal(p, "\r\n ", 3);
			assert_true(col <= max);
			col = 0;
			p++;
			continue;
		}
		assert_true(*p != '\n');
		col++;
	}
	assert_true(col <= max);
	for (const char *p = strstr(s, "=?UTF-8?"); p != NULL;
	    p = strstr(p + 1, "=?UTF-8?")) {
		const char *e = strstr(p + 10, "?=");
		struct buf one = BUF_INIT;

		assert_non_null(e);
		e += 2;
		if ((size_t)(e - p) > longest)
			longest = (size_t)(e - p);
		rfc2047_decode(&one, p, (size_t)(e - p));
		assert_null(strstr(buf_cstr(&one), REPL));
		buf_free(&one);
	}
	assert_true(longest <= RFC2047_WORD_MAX);
	return longest;
}

/* encode then decode gives the text back; returns the longest word. */
static size_t
round_trip(const char *text, size_t used)
{
	struct buf e = BUF_INIT, d = BUF_INIT;
	size_t longest;

	rfc2047_encode(&e, text, used);
	longest = check_shape(buf_cstr(&e), used, RFC2047_LINE_SOFT);
	rfc2047_decode(&d, e.data, e.len);
	assert_string_equal(buf_cstr(&d), text);
	buf_free(&e);
	buf_free(&d);
	return longest;
}

/* Header values taken from /work/shared/corpus. */
static void
test_decode_corpus(void **state)
{
	/* ar-cp1256-b64.eml */
	dec_eq("=?windows-1256?B?w83jzyDH4drh5u0=?=", "أحمد العلوي");
	dec_eq("=?windows-1256?B?49Pmz8kgx+HK3tHt0Togx+HT7cfPySDH4dHe4+3J?=",
	    "مسودة التقرير: السيادة الرقمية");
	/* fr-latin1-qp.eml */
	dec_eq("=?ISO-8859-1?Q?Am=E9lie_Dupr=E9?=", "Amélie Dupré");
	dec_eq("=?ISO-8859-1?Q?R=E9union_du_comit=E9_-_=E9t=E9_2026?=",
	    "Réunion du comité - été 2026");
	/* outlook-reply-no-refs.eml, apple-flowed-fr.eml */
	dec_eq("RE: [cloud-souverain] "
	    "=?iso-8859-1?Q?R=E9union_du_comit=E9_-_=E9t=E9_2026?=",
	    "RE: [cloud-souverain] Réunion du comité - été 2026");
	dec_eq("Re: [cloud-souverain] "
	    "=?utf-8?Q?R=C3=A9union_du_comit=C3=A9_-_=C3=A9t=C3=A9_2026?=",
	    "Re: [cloud-souverain] Réunion du comité - été 2026");
	dec_eq("=?utf-8?Q?Karim_Ben=C3=AFssa?=", "Karim Benïssa");
	/* ar-utf8-gmail-reply.eml */
	dec_eq("=?UTF-8?B?UmU6IFtzb3V2ZXJhaW5ldGVdINmF2LPZiNiv2Kkg2KfZhNiq2Y"
	    "LYsdmK2LE6INin2YTYs9mK2KfYr9ipINin2YTYsdmC2YXZitip?=",
	    "Re: [souverainete] مسودة التقرير: السيادة الرقمية");
	/* attachment-rfc2231.eml: raw 8-bit UTF-8 subject */
	dec_eq("Rapport final / التقرير النهائي",
	    "Rapport final / التقرير النهائي");
	/* html-only-xss.eml: text stays text (escaping is the web's job) */
	dec_eq("Hello \"><img src=x onerror=alert(2)>",
	    "Hello \"><img src=x onerror=alert(2)>");
}

/* header-injection-2047.eml: CR LF inside encoded-words. */
static void
test_decode_injection(void **state)
{
	dec_eq("=?utf-8?B?RXZlDQpCY2M6IHhAZXhhbXBsZS5jb20=?=",
	    "Eve Bcc: x@example.com");
	dec_eq("=?utf-8?B?SGVsbG8NCkJjYzogdmljdGltQGV4YW1wbGUuY29tDQpYLUV2aW"
	    "w6IDE=?=", "Hello Bcc: victim@example.com X-Evil: 1");
	dec_eq("=?utf-8?Q?a=0D=0A=0D=0Ab=00c=09d=7Fe=C2=85f?=",
	    "a b c d e f");
	dec_eq("=?iso-8859-2?Q?x=85y?=", "x y");
}

static void
test_decode_folding_and_joining(void **state)
{
	dec_eq("Hello\r\n world\r\n\tagain", "Hello world again");
	dec_eq("Hello\n world", "Hello world");
	/* adjacent words: the whitespace between them goes, even folded */
	dec_eq("=?utf-8?q?a?= =?utf-8?q?b?=", "ab");
	dec_eq("=?utf-8?q?a?=\r\n =?utf-8?q?b?=\r\n\t=?utf-8?q?_c?=", "ab c");
	dec_eq("=?utf-8?q?a?==?utf-8?q?b?=", "ab");
	/* text between words keeps its spaces */
	dec_eq("=?utf-8?q?a?= x =?utf-8?q?b?=", "a x b");
	dec_eq("x =?utf-8?q?a?= y", "x a y");
	dec_eq("x=?utf-8?q?a?=y", "xay");
	/* a character split across two words is joined before decoding */
	dec_eq("=?utf-8?B?2A==?= =?utf-8?B?pw==?=", "ا");
	dec_eq("=?utf-8?Q?=D8?= =?UTF-8?Q?=A7?=", "ا");
	/* different charsets, adjacent */
	dec_eq("=?iso-8859-1?q?=E9?= =?utf-8?q?=C3=A9?=", "éé");
	dec_eq("=?utf-8*fr?q?caf=C3=A9?=", "café");
	dec_eq("=?utf-8?b?Y2Fmw6k?=", "café");
	dec_eq("=?utf-8?q?=3F_=3d=?=", "? ==");
	dec_eq("=?utf-8?q?" "?= x", "x");
}

static void
test_decode_malformed(void **state)
{
	struct buf b = BUF_INIT;

	dec_eq("=?utf-8?B?@@@@?=", "=?utf-8?B?@@@@?=");
	dec_eq("=?utf-8?B?QUJDR?=", "=?utf-8?B?QUJDR?=");
	dec_eq("=?utf-8?X?abc?=", "=?utf-8?X?abc?=");
	dec_eq("=?utf-8?q?abc", "=?utf-8?q?abc");
	dec_eq("=?utf-8?q?a b?=", "=?utf-8?q?a b?=");
	dec_eq("=??q?abc?=", "=??q?abc?=");
	dec_eq("=?utf-8?q?a=ZZ=4?=", "a=ZZ=4");
	dec_eq("=?=?=?=?", "=?=?=?=?");
	dec_eq("=?utf-8?q?a?= =?utf-8?B?!?= =?utf-8?q?b?=",
	    "a =?utf-8?B?!?= b");
	/* unknown charset: read as UTF-8, repaired */
	dec_eq("=?x-unknown?q?caf=C3=A9=FF?=", "café" REPL);
	/* raw 8-bit text: UTF-8 if valid, else windows-1252 */
	dec_eq("caf\xc3\xa9", "café");
	dec_eq("caf\xe9 \x80", "café €");
	dec_eq("caf\xe9 =?utf-8?q?=C3=A9?= \xc3\xa9", "café é é");
	dec_eq("a\0b", "a");
	dec_eq("", "");
	dec_eq(" \r\n\t ", "");
	rfc2047_decode(&b, NULL, 0);
	assert_int_equal(b.len, 0);
}

/* A charset label of CHARSET_LABEL_MAX bytes is a word, one more is text. */
static void
test_decode_charset_max(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	char label[CHARSET_LABEL_MAX + 2];

	memset(label, 'x', sizeof label);
	label[CHARSET_LABEL_MAX] = '\0';
	buf_printf(&in, "=?%s?q?abc?=", label);
	rfc2047_decode(&out, in.data, in.len);
	assert_string_equal(buf_cstr(&out), "abc");
	buf_reset(&in);
	buf_reset(&out);
	label[CHARSET_LABEL_MAX] = 'x';
	label[CHARSET_LABEL_MAX + 1] = '\0';
	buf_printf(&in, "=?%s?q?abc?=", label);
	rfc2047_decode(&out, in.data, in.len);
	assert_string_equal(buf_cstr(&out), in.data);
	buf_free(&in);
	buf_free(&out);
}

/* Big hostile values: output is exact, the pass stays linear. */
static void
test_decode_huge(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t i;

	for (i = 0; i < 500000; i++)
		buf_puts(&in, "=?");
	rfc2047_decode(&out, in.data, in.len);
	assert_int_equal(out.len, in.len);
	buf_reset(&in);
	buf_reset(&out);
	for (i = 0; i < 100000; i++)
		buf_puts(&in, "=?iso-8859-1?q?=E9?= \r\n ");
	rfc2047_decode(&out, in.data, in.len);
	assert_int_equal(out.len, 2 * 100000);
	assert_true(charset_utf8_valid(out.data, out.len));
	buf_reset(&in);
	buf_reset(&out);
	for (i = 0; i < 100000; i++)
		buf_puts(&in, "=?koi8-r?q?=D0?= x ");
	rfc2047_decode(&out, in.data, in.len);
	assert_int_equal(out.len, 5 * 100000 - 1);
	buf_reset(&in);
	buf_reset(&out);
	for (i = 0; i < 1000000; i++)
		buf_puts(&in, "\r\n\0");
	rfc2047_decode(&out, in.data, in.len);
	assert_int_equal(out.len, 0);
	buf_free(&in);
	buf_free(&out);
}

static void
test_encode_ascii(void **state)
{
	enc_eq("Hello world", 9, "Hello world");
	enc_eq("", 9, "");
	enc_eq("  Hello \t  world  ", 9, "Hello world");
	/* controls become spaces: no header can be injected */
	enc_eq("Hello\r\nBcc: victim@example.com", 9,
	    "Hello Bcc: victim@example.com");
	enc_eq("a\0b", 9, "a");
	/* anything that reads as an encoded-word is encoded */
	enc_eq("x =?utf-8?q?y?= z", 9, "x =?UTF-8?B?PT91dGYtOD9xP3k/PQ==?= z");
}

/* Lines are folded before RFC2047_LINE_SOFT columns. */
static void
test_encode_fold_soft(void **state)
{
	struct buf t = BUF_INIT, b = BUF_INIT;

	/* 8 + 68 + " x" is 78 columns: one line; from 9 it is 79: folded */
	for (int i = 0; i < 68; i++)
		buf_putc(&t, 'a');
	buf_puts(&t, " x");
	rfc2047_encode(&b, t.data, 8);
	assert_string_equal(buf_cstr(&b), t.data);
	buf_reset(&b);
	rfc2047_encode(&b, t.data, 9);
	assert_int_equal(b.len, 68 + 4);
	assert_memory_equal(b.data + 68, "\r\n x", 4);
	buf_free(&t);
	buf_free(&b);
	enc_eq("one two three four five six seven eight nine ten eleven "
	    "twelve thirteen fourteen fifteen", 9,
	    "one two three four five six seven eight nine ten eleven "
	    "twelve\r\n thirteen fourteen fifteen");
}

/* "x " and a word of n bytes: where the word is written. */
static void
encode_long_word(struct buf *b, size_t first, size_t n)
{
	struct buf t = BUF_INIT;

	for (size_t i = 0; i < first; i++)
		buf_putc(&t, 'v');
	if (first > 0)
		buf_putc(&t, ' ');
	for (size_t i = 0; i < n; i++)
		buf_putc(&t, 'w');
	buf_reset(b);
	rfc2047_encode(b, t.data, 9);
	buf_free(&t);
}

/* A plain word that would pass RFC2047_LINE_MAX is encoded instead. */
static void
test_encode_line_max(void **state)
{
	struct buf b = BUF_INIT, d = BUF_INIT;

	/* alone: it goes to the next line, where the space takes a column */
	encode_long_word(&b, 0, RFC2047_LINE_MAX - 1);
	assert_int_equal(b.len, 3 + RFC2047_LINE_MAX - 1);
	assert_memory_equal(b.data, "\r\n www", 6);
	check_shape(buf_cstr(&b), 9, RFC2047_LINE_MAX);
	encode_long_word(&b, 0, RFC2047_LINE_MAX);
	assert_memory_equal(b.data, "=?UTF-8?Q?www", 13);
	assert_int_equal(check_shape(buf_cstr(&b), 9, RFC2047_LINE_SOFT),
	    RFC2047_WORD_MAX);
	rfc2047_decode(&d, b.data, b.len);
	assert_int_equal(d.len, RFC2047_LINE_MAX);
	/* after another word */
	encode_long_word(&b, 1, RFC2047_LINE_MAX - 1);
	assert_int_equal(b.len, 1 + 3 + RFC2047_LINE_MAX - 1);
	assert_memory_equal(b.data, "v\r\n www", 7);
	check_shape(buf_cstr(&b), 9, RFC2047_LINE_MAX);
	encode_long_word(&b, 1, RFC2047_LINE_MAX);
	assert_memory_equal(b.data, "v =?UTF-8?Q?www", 15);
	check_shape(buf_cstr(&b), 9, RFC2047_LINE_SOFT);
	buf_free(&b);
	buf_free(&d);
}

/* A first word too long for the line after "Name: " starts a new line. */
static void
test_encode_fold_first(void **state)
{
	struct buf t = BUF_INIT, b = BUF_INIT;

	for (int i = 0; i < 69; i++)
		buf_putc(&t, 'u');
	rfc2047_encode(&b, t.data, 9);
	assert_string_equal(buf_cstr(&b), t.data);
	buf_reset(&b);
	buf_putc(&t, 'u');
	rfc2047_encode(&b, t.data, 9);
	assert_int_equal(b.len, 3 + 70);
	assert_memory_equal(b.data, "\r\n uuu", 6);
	enc_eq("éé", 58, "=?UTF-8?B?w6nDqQ==?=");
	enc_eq("éé", 59, "\r\n =?UTF-8?B?w6nDqQ==?=");
	buf_free(&t);
	buf_free(&b);
}

static void
test_encode_non_ascii(void **state)
{
	enc_eq("Réunion du comité - été 2026", 9,
	    "=?UTF-8?Q?R=C3=A9union?= du =?UTF-8?Q?comit=C3=A9?= -\r\n"
	    " =?UTF-8?B?w6l0w6k=?= 2026");
	/* runs are cut between words when they can be */
	enc_eq("Re: [cloud-souverain] Réunion du comité « Cloud souverain » "
	    "aura lieu jeudi à 10h, été 2026", 9,
	    "Re: [cloud-souverain] =?UTF-8?Q?R=C3=A9union?= du\r\n"
	    " =?UTF-8?B?Y29taXTDqSDCqw==?= Cloud souverain =?UTF-8?B?wrs=?="
	    " aura lieu jeudi\r\n"
	    " =?UTF-8?B?w6A=?= 10h, =?UTF-8?B?w6l0w6k=?= 2026");
	enc_eq("مسودة التقرير: السيادة الرقمية", 9,
	    "=?UTF-8?B?2YXYs9mI2K/YqSDYp9mE2KrZgtix2YrYsTog2KfZhNiz2YrYp9iv2Kkg?="
	    "\r\n =?UTF-8?B?2KfZhNix2YLZhdmK2Kk=?=");
	/* a word longer than one encoded-word is cut between characters */
	enc_eq("ééééééééééééééééééééééééééééééééééééééééé", 9,
	    "=?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOp?="
	    "\r\n =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqQ==?=");
	/* Q when not longer than B */
	enc_eq("Amélie Dupré et Karim Benïssa", 9,
	    "=?UTF-8?B?QW3DqWxpZSBEdXByw6k=?= et Karim =?UTF-8?Q?Ben=C3=AFssa?=");
	enc_eq("مسودة التقرير", 9,
	    "=?UTF-8?B?2YXYs9mI2K/YqSDYp9mE2KrZgtix2YrYsQ==?=");
	enc_eq("😀😀😀", 9, "=?UTF-8?B?8J+YgPCfmIDwn5iA?=");
	enc_eq("Re: [souverainete] café", 9,
	    "Re: [souverainete] =?UTF-8?B?Y2Fmw6k=?=");
	/* bad UTF-8 becomes U+FFFD, a C1 control a space */
	enc_eq("a\xff\xc2\x85z", 9, "=?UTF-8?B?Ye+/vQ==?= z");
}

/* Encoded-words never pass RFC2047_WORD_MAX; the longest reach it. */
static void
test_encode_word_max(void **state)
{
	struct buf t = BUF_INIT, b = BUF_INIT;

	buf_puts(&t, "é");
	for (int i = 0; i < 200; i++)
		buf_putc(&t, 'a');
	rfc2047_encode(&b, t.data, 0);
	assert_int_equal(check_shape(buf_cstr(&b), 0, RFC2047_LINE_SOFT),
	    RFC2047_WORD_MAX);
	assert_int_equal(strcspn(b.data, "\r"), RFC2047_WORD_MAX);
	buf_free(&t);
	buf_free(&b);
}

static void
test_round_trip(void **state)
{
	struct buf t = BUF_INIT;

	round_trip("مسودة التقرير: السيادة الرقمية", 9);
	round_trip("Réunion du comité « Cloud souverain » - été 2026", 9);
	round_trip("Re: [cloud-souverain] Réunion du comité", 9);
	round_trip("😀 emoji 🎉🎉🎉 party", 9);
	round_trip("a_b=c?d \"q\" (c) <x@y> ; : , . \\", 9);
	round_trip("=?utf-8?q?x?=", 9);
	for (int i = 0; i < 60; i++)
		buf_puts(&t, "الرقمية 😀 été ");
	buf_puts(&t, "fin");
	round_trip(t.data, 9);
	round_trip(t.data, 70);
	buf_reset(&t);
	for (int i = 0; i < 300; i++)
		buf_puts(&t, "😀");
	round_trip(t.data, 9);
	buf_reset(&t);
	for (int i = 0; i < 300; i++)
		buf_puts(&t, "word ");
	buf_puts(&t, "end");
	round_trip(t.data, 9);
	buf_free(&t);
}

/* Big inputs: one huge word, many short runs; shape and text kept. */
static void
test_encode_huge(void **state)
{
	struct buf t = BUF_INIT;

	for (int i = 0; i < 500000; i++)
		buf_puts(&t, "é");
	round_trip(t.data, 9);
	buf_reset(&t);
	for (int i = 0; i < 100000; i++)
		buf_puts(&t, "a é ");
	buf_puts(&t, "z Bcc: x");
	round_trip(t.data, 9);
	buf_free(&t);
}

static void
test_phrase(void **state)
{
	phrase_eq("Ahmed Alaoui", "Ahmed Alaoui");
	phrase_eq("  Ahmed\r\n Alaoui ", "Ahmed Alaoui");
	phrase_eq("J. Smith", "\"J. Smith\"");
	phrase_eq("Smith, John", "\"Smith, John\"");
	phrase_eq("a \"b\" \\c", "\"a \\\"b\\\" \\\\c\"");
	phrase_eq("<script>alert(1)</script>", "\"<script>alert(1)</script>\"");
	phrase_eq("Amélie Dupré", "=?UTF-8?B?QW3DqWxpZSBEdXByw6k=?=");
	phrase_eq("Karim Benïssa", "=?UTF-8?Q?Karim_Ben=C3=AFssa?=");
	phrase_eq("أحمد العلوي", "=?UTF-8?B?2KPYrdmF2K8g2KfZhNi52YTZiNmK?=");
	phrase_eq("x =?utf-8?q?y?=", "=?UTF-8?B?eCA9P3V0Zi04P3E/eT89?=");
	phrase_eq("Eve\r\nBcc: x@example.com", "\"Eve Bcc: x@example.com\"");
	phrase_eq("", "");
	phrase_eq(" \r\n ", "");
}

/* Long phrases fold between words and come back whole. */
static void
test_phrase_long(void **state)
{
	struct buf t = BUF_INIT, e = BUF_INIT, d = BUF_INIT;

	for (int i = 0; i < 30; i++)
		buf_puts(&t, "Name. ");
	buf_puts(&t, "End");
	rfc2047_encode_phrase(&e, t.data);
	check_shape(buf_cstr(&e), 0, RFC2047_LINE_SOFT);
	assert_int_equal(e.data[0], '"');
	assert_int_equal(e.data[e.len - 1], '"');
	assert_non_null(strstr(e.data, "\r\n Name."));
	buf_reset(&e);
	buf_reset(&t);
	for (int i = 0; i < 30; i++)
		buf_puts(&t, "Amélie ");
	rfc2047_encode_phrase(&e, t.data);
	check_shape(buf_cstr(&e), 0, RFC2047_LINE_SOFT);
	rfc2047_decode(&d, e.data, e.len);
	buf_truncate(&t, t.len - 1);
	assert_string_equal(buf_cstr(&d), t.data);
	buf_free(&t);
	buf_free(&e);
	buf_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_corpus),
		cmocka_unit_test(test_decode_injection),
		cmocka_unit_test(test_decode_folding_and_joining),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_decode_charset_max),
		cmocka_unit_test(test_decode_huge),
		cmocka_unit_test(test_encode_ascii),
		cmocka_unit_test(test_encode_fold_soft),
		cmocka_unit_test(test_encode_line_max),
		cmocka_unit_test(test_encode_fold_first),
		cmocka_unit_test(test_encode_non_ascii),
		cmocka_unit_test(test_encode_word_max),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_encode_huge),
		cmocka_unit_test(test_phrase),
		cmocka_unit_test(test_phrase_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
