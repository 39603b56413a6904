/* Unit tests for mail/flowed.c: the Apple Mail body of the corpus, soft
 * breaks, DelSp, space-stuffing, quote depth, signatures, big input. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libetpan/libetpan.h>

#include "daemon/buf.h"
#include "mail/flowed.h"

static void
flowed_eq(const char *in, int delsp, const char *expect)
{
	struct buf b = BUF_INIT;

	flowed_decode(&b, in, strlen(in), delsp);
	assert_string_equal(buf_cstr(&b), expect);
	buf_free(&b);
}

/* Body of /work/shared/corpus/apple-flowed-fr.eml (quoted-printable,
 * format=flowed; delsp=yes). */
static const char apple_body[] =
    "Depuis Montr=C3=A9al je pourrai me connecter en visio. Est-ce que la =20\r\n"
    "r=C3=A9union sera enregistr=C3=A9e ?\r\n"
    "\r\n"
    "Karim\r\n"
    "--=20\r\n"
    "Karim Ben=C3=AFssa =E2=80=94 Ing=C3=A9nieur cloud, Montr=C3=A9al\r\n"
    "\r\n"
    "> Le 12 nov. 2026 =C3=A0 03:14, Am=C3=A9lie Dupr=C3=A9 =\r\n"
    "<amelie.dupre@example.fr> a =C3=A9crit :\r\n"
    ">\r\n"
    "> Bonjour =C3=A0 tous,\r\n"
    ">\r\n"
    "> La r=C3=A9union du comit=C3=A9 =C2=AB Cloud souverain =C2=BB aura lieu =\r\n"
    "jeudi =C3=A0 10h.\r\n";

static void
test_corpus_apple(void **state)
{
	char *text = NULL;
	size_t idx = 0, text_len = 0;
	struct buf b = BUF_INIT;

	assert_int_equal(mailmime_quoted_printable_body_parse(apple_body,
	    sizeof apple_body - 1, &idx, &text, &text_len, 0),
	    MAILIMF_NO_ERROR);
	flowed_decode(&b, text, text_len, 1);
	assert_string_equal(buf_cstr(&b),
	    "Depuis Montréal je pourrai me connecter en visio. Est-ce que la "
	    "réunion sera enregistrée ?\n"
	    "\n"
	    "Karim\n"
	    "-- \n"
	    "Karim Benïssa — Ingénieur cloud, Montréal\n"
	    "\n"
	    "> Le 12 nov. 2026 à 03:14, Amélie Dupré "
	    "<amelie.dupre@example.fr> a écrit :\n"
	    ">\n"
	    "> Bonjour à tous,\n"
	    ">\n"
	    "> La réunion du comité « Cloud souverain » aura lieu jeudi à "
	    "10h.\n");
	mailmime_decoded_part_free(text);
	buf_free(&b);
}

static void
test_soft_breaks(void **state)
{
	struct buf b = BUF_INIT;

	flowed_eq("Hello \r\nworld\r\n", 0, "Hello world\n");
	flowed_eq("Hello \r\nworld\r\n", 1, "Helloworld\n");
	flowed_eq("one \ntwo \nthree\nfour\n", 0, "one two three\nfour\n");
	flowed_eq("a \r\nb", 0, "a b\n");
	flowed_eq("a\r", 0, "a\n");
	/* a flowed last line still ends the paragraph */
	flowed_eq("a \r\nb ", 0, "a b \n");
	flowed_eq("a \r\nb ", 1, "ab\n");
	/* an empty line after a flowed one joins, then ends it */
	flowed_eq("a \r\n\r\nb\r\n", 0, "a \nb\n");
	flowed_eq("", 0, "");
	flowed_decode(&b, NULL, 0, 1);
	assert_int_equal(b.len, 0);
	flowed_eq("\r\n", 0, "\n");
	flowed_eq("\n\n", 1, "\n\n");
}

static void
test_stuffing(void **state)
{
	flowed_eq(" From here\r\n", 0, "From here\n");
	flowed_eq("  two\r\n", 0, " two\n");
	flowed_eq(" >not a quote\r\n", 0, ">not a quote\n");
	flowed_eq(">  indented\r\n", 0, ">  indented\n");
	flowed_eq("> \r\n", 1, ">\n");
}

static void
test_quotes(void **state)
{
	flowed_eq("> a \r\n> b\r\n", 0, "> a b\n");
	flowed_eq(">>> deep \r\n>>>more\r\n", 0, ">>> deep more\n");
	/* a different depth is never joined */
	flowed_eq("> a \r\n>> b\r\nc\r\n", 0, "> a \n>> b\nc\n");
	flowed_eq("> a \r\n>> b\r\nc\r\n", 1, "> a\n>> b\nc\n");
	flowed_eq(">> x \r\ny\r\n", 1, ">> x\ny\n");
	flowed_eq(">\r\n>\r\n", 0, ">\n>\n");
	flowed_eq("> > nested the other way\r\n", 0,
	    "> > nested the other way\n");
}

static void
test_signature(void **state)
{
	flowed_eq("-- \r\nsig\r\n", 1, "-- \nsig\n");
	flowed_eq("text \r\n-- \r\nsig\r\n", 0, "text \n-- \nsig\n");
	flowed_eq("> text \r\n> -- \r\n> sig\r\n", 1, "> text\n> -- \n> sig\n");
	/* not the separator: flowed */
	flowed_eq("--  \r\nx\r\n", 0, "--  x\n");
	flowed_eq("-- x \r\ny\r\n", 1, "-- xy\n");
}

/* Bytes are passed through, NUL included. */
static void
test_binary(void **state)
{
	struct buf b = BUF_INIT;

	flowed_decode(&b, "a\0b \r\nc\xff\n", 9, 1);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "a\0bc\xff\n", 6);
	buf_free(&b);
}

/* A million soft breaks make one line; a deep quote keeps its depth. */
static void
test_huge(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t i;

	for (i = 0; i < 1000000; i++)
		buf_puts(&in, "ab \r\n");
	buf_puts(&in, "end\r\n");
	flowed_decode(&out, in.data, in.len, 1);
	assert_int_equal(out.len, 2 * 1000000 + 4);
	assert_memory_equal(out.data, "abab", 4);
	assert_string_equal(out.data + out.len - 4, "end\n");
	buf_reset(&in);
	buf_reset(&out);
	for (i = 0; i < 100000; i++)
		buf_putc(&in, '>');
	buf_puts(&in, " x \r\n");
	for (i = 0; i < 100000; i++)
		buf_putc(&in, '>');
	buf_puts(&in, "y\r\n");
	flowed_decode(&out, in.data, in.len, 0);
	assert_int_equal(out.len, 100000 + 5);
	assert_string_equal(out.data + 100000, " x y\n");
	buf_free(&in);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_apple),
		cmocka_unit_test(test_soft_breaks),
		cmocka_unit_test(test_stuffing),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_huge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
