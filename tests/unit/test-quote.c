/* Unit tests for daemon/quote.c, with the bodies of the sample corpus
 * (QP/base64 and format=flowed decoded by hand). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "daemon/quote.h"

#define NBSP	"\xc2\xa0"
#define NNBSP	"\xe2\x80\xaf"
#define T	QUOTE_TEXT
#define Q	QUOTE_QUOTED
#define S	QUOTE_SIGNATURE

/* fr-latin1-qp.eml */
static const char fr_body[] =
	    "Bonjour à tous,\n"
	    "\n"
	    "La réunion du comité « Cloud souverain » aura lieu jeudi à 10h.\n"
	    "Ordre du jour : hébergement des données publiques, état des lieux.\n"
	    "\n"
	    "Cordialement,\n"
	    "Amélie Dupré\n";

/* outlook-reply-no-refs.eml */
static const char outlook_body[] =
	    "Bonjour Amélie,\n"
	    "\n"
	    "Je confirme ma présence. Pourriez-vous ajouter un point sur la loi 09-08 ?\n"
	    "\n"
	    "Youssef\n"
	    "\n"
	    "-----Message d'origine-----\n"
	    "De" NBSP ": Amélie Dupré <amelie.dupre@example.fr>\n"
	    "Envoyé" NBSP ": jeudi 12 novembre 2026 09:14\n"
	    "À" NBSP ": cloud-souverain@lists.example.org\n"
	    "Objet" NBSP ": [cloud-souverain] Réunion du comité - été 2026\n"
	    "\n"
	    "Bonjour à tous,\n"
	    "\n"
	    "La réunion du comité « Cloud souverain » aura lieu jeudi à 10h.\n";

/* apple-flowed-fr.eml, flowed lines joined */
static const char apple_body[] =
	    "Depuis Montréal je pourrai me connecter en visio. Est-ce que la réunion sera enregistrée ?\n"
	    "\n"
	    "Karim\n"
	    "-- \n"
	    "Karim Benïssa — Ingénieur cloud, Montréal\n"
	    "\n"
	    "> Le 12 nov. 2026 à 03:14, Amélie Dupré <amelie.dupre@example.fr> a écrit :\n"
	    ">\n"
	    "> Bonjour à tous,\n"
	    ">\n"
	    "> La réunion du comité « Cloud souverain » aura lieu jeudi à 10h.\n";

/* ar-utf8-gmail-reply.eml, text/plain part */
static const char gmail_ar_body[] =
	    "شكرا أحمد، لدي ملاحظتان:\n"
	    "1. يجب توضيح تعريف \"البيانات الحساسة\".\n"
	    "2. أقترح إضافة فقرة عن الحوسبة السحابية الوطنية.\n"
	    "\n"
	    "فاطمة\n"
	    "\n"
	    "في الجمعة، 13 نوفمبر 2026 في 11:02 ص، كتب أحمد العلوي <ahmed.alaoui@example.ma>:\n"
	    "> السلام عليكم،\n"
	    ">\n"
	    "> أرفق لكم مسودة التقرير حول السيادة الرقمية ومراكز البيانات في المغرب.\n"
	    "> نرجو إرسال ملاحظاتكم قبل يوم الجمعة.\n";

/* Split text and compare with the expected kinds, each span starting where
 * the matching marker string (NULL: at 0) first occurs. */
static void
expect(const char *text, size_t max, int n, const enum quote_kind *kinds,
    const char *const *marks)
{
	struct quote_span sp[QUOTE_MAX_SPANS + 8];
	size_t len = strlen(text), got, pos = 0;

	memset(sp, 0xa5, sizeof sp);
	got = quote_split(text, len, sp, max);
	if (got != (size_t)n) {
		for (size_t i = 0; i < got && i < QUOTE_MAX_SPANS + 8; i++)
			print_message("span %zu kind %d [%zu,+%zu)\n", i,
			    sp[i].kind, sp[i].start, sp[i].len);
		fail_msg("%zu spans, want %d", got, n);
	}
	for (int i = 0; i < n; i++) {
		size_t start = 0;
		if (marks[i] != NULL) {
			const char *m = strstr(text, marks[i]);
			assert_non_null(m);
			start = (size_t)(m - text);
		}
		assert_int_equal(sp[i].kind, kinds[i]);
		assert_int_equal(sp[i].start, start);
		assert_int_equal(sp[i].start, pos);
		pos += sp[i].len;
	}
	assert_int_equal(pos, len);
}

#define EXPECT(text, n, ...) do { \
	static const enum quote_kind k_[] = { __VA_ARGS__ }; \
	expect(text, QUOTE_MAX_SPANS, n, k_, m_); \
} while (0)

static void
test_corpus_bodies(void **state)
{
	{
		static const char *const m_[] = { NULL };
		EXPECT(fr_body, 1, T);
	}
	{
		static const char *const m_[] = { NULL,
		    "-----Message d'origine" };
		EXPECT(outlook_body, 2, T, Q);
	}
	{
		static const char *const m_[] = { NULL, "-- \n" };
		EXPECT(apple_body, 2, T, S);
	}
	{
		static const char *const m_[] = { NULL, "في الجمعة" };
		EXPECT(gmail_ar_body, 2, T, Q);
	}
}

static void
test_attributions(void **state)
{
	static const char *const m_[] = { NULL, "On ", NULL };
	static const char *const fr_[] = { NULL, "Le ", NULL };
	static const char *const es_[] = { NULL, "El ", NULL };
	static const char *const de_[] = { NULL, "Am ", NULL };
	static const enum quote_kind tq[] = { T, Q };

	EXPECT("Thanks!\n\nOn Mon, 16 Nov 2026 at 10:00, John <j@x.example> "
	    "wrote:\n> hello\n> world\n", 2, T, Q);
	EXPECT("Ok\n\nOn Mon, 16 Nov 2026 at 10:00, John Smith <\n"
	    "john@example.com> wrote:\n\n> hi\n", 2, T, Q);
	EXPECT("Ok\nOn a\nb\nc wrote:\n> q\n", 2, T, Q);
	expect("D'accord.\n\nLe 12/11/2026 à 09:14, Amélie a écrit" NBSP ":\n"
	    "> Bonjour\n", QUOTE_MAX_SPANS, 2, tq, fr_);
	expect("D'accord.\nLe 12/11/2026, Amélie a écrit" NNBSP ":\n\n\n"
	    "> Bonjour\n\n", QUOTE_MAX_SPANS, 2, tq, fr_);
	expect("D'accord.\nLe 12/11/2026, Amélie a écrit:\n> Bonjour\n",
	    QUOTE_MAX_SPANS, 2, tq, fr_);
	expect("Sí.\nEl lun, 16 nov 2026, Juan escribió:\n> hola\n",
	    QUOTE_MAX_SPANS, 2, tq, es_);
	expect("Ja.\nAm 16.11.2026 um 10:00 schrieb Hans <h@x.example>:\n"
	    "> hallo\n", QUOTE_MAX_SPANS, 2, tq, de_);
	{
		static const char *const ar_[] = { NULL, "\xe2\x80\xab" };
		expect("نعم\n\xe2\x80\xab" "في الجمعة، كتب أحمد:\xe2\x80\xac\n"
		    "> نص\n", QUOTE_MAX_SPANS, 2, tq, ar_);
	}
}

/* Lines that look like an attribution but are not one. */
static void
test_not_attributions(void **state)
{
	static const char *const m_[] = { NULL, "> q" };

	EXPECT("On Monday I wrote:\nsome text\n", 1, T);
	EXPECT("Ok\nOn a\nb\nc\nd wrote:\n> q\n", 2, T, Q);
	EXPECT("Le 12 novembre nous avons dit :\n> q\n", 2, T, Q);
	EXPECT("في الجمعة قلت:\n> q\n", 2, T, Q);
	EXPECT("Am Montag:\n> q\n", 2, T, Q);
	EXPECT("Ok\nOn x\n\nwrote:\n> q\n", 2, T, Q);
}

/* The attribution may be wrapped over QUOTE_MAX_ATTRIBUTION_LINES lines,
 * not more. */
static void
test_attribution_limit(void **state)
{
	struct buf b = BUF_INIT;
	static const enum quote_kind tq[] = { T, Q };
	static const char *const at[] = { NULL, "On " };
	static const char *const qq[] = { NULL, "> q" };

	buf_puts(&b, "Ok\nOn x\n");
	for (int i = 2; i < QUOTE_MAX_ATTRIBUTION_LINES; i++)
		buf_puts(&b, "y\n");
	buf_puts(&b, "z wrote:\n> q\n");
	expect(buf_cstr(&b), QUOTE_MAX_SPANS, 2, tq, at);
	buf_reset(&b);
	buf_puts(&b, "Ok\nOn x\n");
	for (int i = 1; i < QUOTE_MAX_ATTRIBUTION_LINES; i++)
		buf_puts(&b, "y\n");
	buf_puts(&b, "z wrote:\n> q\n");
	expect(buf_cstr(&b), QUOTE_MAX_SPANS, 2, tq, qq);
	buf_free(&b);
}

static void
test_quoted_runs(void **state)
{
	{
		static const char *const m_[] = { NULL, "answer1", "> q2",
		    "answer2" };
		EXPECT("> q1\nanswer1\n> q2\nanswer2\n", 4, Q, T, Q, T);
	}
	{
		static const char *const m_[] = { NULL, "\ntext", "> c" };
		EXPECT("> a\n\n> b\n\ntext\n\n> c\n\n", 3, Q, T, Q);
	}
	{
		static const char *const m_[] = { NULL, "  > b" };
		EXPECT("a\n  > b\n\t>c\n", 2, T, Q);
	}
	{
		static const char *const m_[] = { NULL, "> b" };
		EXPECT("a\r\n\r\n> b\r\n", 2, T, Q);
	}
	{
		static const char *const m_[] = { NULL, "> b" };
		EXPECT("a\n> b", 2, T, Q);
	}
}

static void
test_signatures(void **state)
{
	{
		static const char *const m_[] = { NULL, "--\n" };
		EXPECT("Hi\n--\nJean\n", 2, T, S);
	}
	{
		static const char *const m_[] = { NULL, "-- \r\n" };
		EXPECT("Hi\r\n-- \r\nJean\r\n", 2, T, S);
	}
	{
		static const char *const m_[] = { NULL };
		EXPECT("Hi\n--x\n --\n-- x\n", 1, T);
	}
	{
		static const char *const m_[] = { NULL, "> q", "-- " };
		EXPECT("Hi\n> q\n-- \nsig\n> after\n", 3, T, Q, S);
	}
}

static void
sep(const char *text, const char *mark)
{
	static const enum quote_kind tq[] = { QUOTE_TEXT, QUOTE_QUOTED };
	const char *marks[] = { NULL, mark };

	expect(text, QUOTE_MAX_SPANS, mark != NULL ? 2 : 1, tq, marks);
}

static void
test_outlook_separators(void **state)
{
	sep("Reply\n\n________________________________\nFrom: X <x@y.example>"
	    "\nSent: Monday\n\nold text\n", "__");
	sep("Reply\n________________________________\n\n"
	    "De" NBSP ": X\nold\n", "__");
	sep("Reply\n" "__________" "\n" "من: أحمد\nold\n", "__");
	sep("a\n__________\nb\n", NULL);
	sep("a\n_________\nFrom: x\n", NULL);
	sep("a\n__________ x\nFrom: x\n", NULL);
	sep("a\n__________\n", NULL);
	sep("Ok\n-----Original Message-----\nFrom: x\n> not a quote run\n",
	    "---");
	sep("Ok\n  ----- Original Message -----  \nold\n", "  -");
	sep("Ok\n-----ORIGINAL MESSAGE-----\nold\n", "---");
	sep("Ok\n-----الرسالة الأصلية-----\nold\n", "---");
	sep("Ok\n---------- Forwarded message ---------\nold\n", NULL);
	sep("Ok\n--Original Message--\nold\n", NULL);
}

/* Everything folded would hide the post: one text span instead. */
static void
test_never_fold_all(void **state)
{
	struct quote_span sp[4];
	const char *all[] = {
		"> a\n> b\n",
		"\n\n> a\n\n",
		"-- \nsig\n",
		"-----Original Message-----\nold\n",
		"On x wrote:\n> q\n",
		" \n\t\n" NBSP "\n> q\n",
	};

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		memset(sp, 0, sizeof sp);
		assert_int_equal(quote_split(all[i], strlen(all[i]), sp, 4), 1);
		assert_int_equal(sp[0].kind, QUOTE_TEXT);
		assert_int_equal(sp[0].start, 0);
		assert_int_equal(sp[0].len, strlen(all[i]));
	}
	assert_int_equal(quote_split("", 0, sp, 4), 0);
	assert_int_equal(quote_split("text", 4, sp, 0), 0);
	/* a text that is all blanks is shown as it is */
	assert_int_equal(quote_split("\n\n", 2, sp, 4), 1);
	assert_int_equal(sp[0].kind, QUOTE_TEXT);
	assert_int_equal(sp[0].len, 2);
}

/* Not NUL-terminated: the split stays inside len. */
static void
test_length_bound(void **state)
{
	struct quote_span sp[4];
	const char text[] = "a\n> b\nXXXX";

	assert_int_equal(quote_split(text, 6, sp, 4), 2);
	assert_int_equal(sp[1].start, 2);
	assert_int_equal(sp[1].len, 4);
	assert_int_equal(quote_split("a\n__________", 12, sp, 4), 1);
}

static void
check_cover(const struct quote_span *sp, size_t n, size_t len)
{
	size_t pos = 0;

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sp[i].start, pos);
		assert_true(sp[i].len > 0);
		if (i > 0)
			assert_int_not_equal(sp[i].kind, sp[i - 1].kind);
		pos += sp[i].len;
	}
	assert_int_equal(pos, len);
}

static void
test_span_limit(void **state)
{
	struct quote_span sp[QUOTE_MAX_SPANS + 8];
	struct buf b = BUF_INIT;
	size_t n;

	for (int i = 0; i < QUOTE_MAX_SPANS / 2; i++)
		buf_puts(&b, "t\n> q\n");
	n = quote_split(b.data, b.len, sp, QUOTE_MAX_SPANS + 8);
	assert_int_equal(n, QUOTE_MAX_SPANS);
	check_cover(sp, n, b.len);
	assert_int_equal(sp[QUOTE_MAX_SPANS - 1].kind, QUOTE_QUOTED);
	assert_int_equal(sp[QUOTE_MAX_SPANS - 1].len, 4);

	/* one more text line at the cap: the last span takes it and turns to
	 * text, so it joins the text before it, which frees a span for the
	 * quote that follows (never two adjacent spans of one kind) */
	buf_puts(&b, "u\n> r\n");
	n = quote_split(b.data, b.len, sp, QUOTE_MAX_SPANS + 8);
	assert_int_equal(n, QUOTE_MAX_SPANS);
	check_cover(sp, n, b.len);
	assert_int_equal(sp[QUOTE_MAX_SPANS - 2].kind, QUOTE_TEXT);
	assert_int_equal(sp[QUOTE_MAX_SPANS - 2].start, b.len - 12);
	assert_int_equal(sp[QUOTE_MAX_SPANS - 2].len, 8);
	assert_int_equal(sp[QUOTE_MAX_SPANS - 1].kind, QUOTE_QUOTED);
	assert_int_equal(sp[QUOTE_MAX_SPANS - 1].len, 4);

	/* a smaller array */
	buf_reset(&b);
	buf_puts(&b, "t\n> q\nt\n> q\n> r\n");
	assert_int_equal(quote_split(b.data, b.len, sp, 4), 4);
	check_cover(sp, 4, b.len);
	assert_int_equal(sp[3].kind, QUOTE_QUOTED);
	buf_puts(&b, "-- \nsig\n");
	assert_int_equal(quote_split(b.data, b.len, sp, 4), 4);
	assert_int_equal(sp[3].kind, QUOTE_QUOTED);
	assert_int_equal(sp[3].len, 16);
	buf_puts(&b, "u\n");
	assert_int_equal(quote_split(b.data, b.len, sp, 3), 3);
	assert_int_equal(sp[2].kind, QUOTE_TEXT);
	assert_int_equal(sp[2].start, 6);
	buf_free(&b);
}

/* Big hostile bodies: exact and linear. */
static void
test_large(void **state)
{
	struct quote_span sp[QUOTE_MAX_SPANS];
	struct buf b = BUF_INIT;

	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "On x\n");
	assert_int_equal(quote_split(b.data, b.len, sp, QUOTE_MAX_SPANS), 1);
	buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "__________\n\n");
	assert_int_equal(quote_split(b.data, b.len, sp, QUOTE_MAX_SPANS), 1);
	buf_reset(&b);
	buf_puts(&b, "top\n");
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "> q\n\n");
	assert_int_equal(quote_split(b.data, b.len, sp, QUOTE_MAX_SPANS), 2);
	assert_int_equal(sp[1].start, 4);
	assert_int_equal(sp[1].len, b.len - 4);
	buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "t\n> q\n");
	assert_int_equal(quote_split(b.data, b.len, sp, QUOTE_MAX_SPANS),
	    QUOTE_MAX_SPANS);
	check_cover(sp, QUOTE_MAX_SPANS, b.len);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_bodies),
		cmocka_unit_test(test_attributions),
		cmocka_unit_test(test_not_attributions),
		cmocka_unit_test(test_attribution_limit),
		cmocka_unit_test(test_quoted_runs),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_outlook_separators),
		cmocka_unit_test(test_never_fold_all),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_span_limit),
		cmocka_unit_test(test_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
