/* Unit tests for daemon/fold.c: UTF-8 decoding, the search fold (Arabic
 * harakat, tatweel, alef forms, alef maqsura, ta marbuta, French
 * ligatures), match keys and the word walker. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/buf.h"
#include "daemon/fold.h"

static void
check_fold(const char *in, const char *want)
{
	struct buf out = BUF_INIT;
	fold_text(&out, in, strlen(in));
	assert_string_equal(buf_cstr(&out), want);
	buf_free(&out);
}

static void
test_decode(void **state)
{
	uint32_t cp;
	(void)state;
	assert_int_equal(fold_decode("a", 1, &cp), 1);
	assert_int_equal(cp, 'a');
	assert_int_equal(fold_decode("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xE9);
	assert_int_equal(fold_decode("\xd9\x8e", 2, &cp), 2);
	assert_int_equal(cp, 0x064E);
	assert_int_equal(fold_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);
	/* overlong, surrogate, past U+10FFFF, stray continuation, truncated */
	static const char *const bad[] = { "\xc0\x80", "\xe0\x80\xaf",
	    "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\x80",
	    "\xe2\x82", "\xc3(" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(fold_decode(bad[i], strlen(bad[i]), &cp), 1);
		assert_true(cp == FOLD_INVALID);
	}
	struct buf b = BUF_INIT;
	fold_put(&b, 0x1F600);
	fold_put(&b, 0x627);
	fold_put(&b, 0xE9);
	fold_put(&b, 'x');
	assert_string_equal(buf_cstr(&b), "\xf0\x9f\x98\x80\xd8\xa7\xc3\xa9x");
	buf_free(&b);
}

static void
test_fold_arabic(void **state)
{
	(void)state;
	/* harakat and shadda */
	check_fold("مُحَمَّدٌ", "محمد");
	check_fold("الحَوْسَبَةُ السَّحابِيَّةُ", "الحوسبه السحابيه");
	/* superscript alef, tatweel */
	check_fold("هٰذا الـــسحاب", "هذا السحاب");
	/* alef forms */
	check_fold("أحمد إسلام آمال ٱلله", "احمد اسلام امال الله");
	/* alef maqsura and ta marbuta */
	check_fold("على مدرسة", "علي مدرسه");
	/* the whole harakat block U+064B..U+065F goes */
	struct buf in = BUF_INIT;
	buf_puts(&in, "ب");
	for (uint32_t c = 0x064B; c <= 0x065F; c++)
		fold_put(&in, c);
	buf_puts(&in, "ت");
	check_fold(buf_cstr(&in), "بت");
	buf_free(&in);
	/* other Arabic letters and hamza seats stay */
	check_fold("ؤ ئ ء ك ی", "ؤ ئ ء ك ی");
}

static void
test_fold_latin(void **state)
{
	(void)state;
	/* accents and case are the tokenizer's, ligatures are ours */
	check_fold("Élève cœur ŒUVRE Æther ex æquo",
	    "Élève coeur oeUVRE aether ex aequo");
	check_fold("plain ASCII, 123!", "plain ASCII, 123!");
}

static void
test_fold_invalid(void **state)
{
	(void)state;
	check_fold("a\xff" "b\xc3", "a b ");
	check_fold("\xed\xa0\x80x", "   x");
	check_fold("", "");
	check_fold("\xd9\x8e\xd9\x8f", "");	/* only harakat */
}

static void
test_key(void **state)
{
	(void)state;
	assert_int_equal(fold_key('A'), 'a');
	assert_int_equal(fold_key(0xC9), 'e');		/* É */
	assert_int_equal(fold_key(0xE7), 'c');		/* ç */
	assert_int_equal(fold_key(0xFF), 'y');		/* ÿ */
	assert_int_equal(fold_key(0x0178), 'y');	/* Ÿ */
	assert_int_equal(fold_key(0x0161), 's');	/* š */
	assert_int_equal(fold_key(0x017F), 's');	/* ſ */
	assert_int_equal(fold_key(0xDF), 0xDF);		/* ß kept */
	assert_int_equal(fold_key(0xD7), 0xD7);		/* × kept */
	assert_int_equal(fold_key(0x0301), 0);		/* combining acute */
	assert_int_equal(fold_key(0x0627), 0x0627);
	assert_true(fold_is_word('a') && fold_is_word('7'));
	assert_true(fold_is_word(0x0627) && fold_is_word(0x4E2D));
	assert_false(fold_is_word(' ') || fold_is_word('"') ||
	    fold_is_word('*') || fold_is_word(':') || fold_is_word(0xA0));
	assert_false(fold_is_word(0x060C) || fold_is_word(0x061F) ||
	    fold_is_word(0x2026) || fold_is_word(0xFFFD) ||
	    fold_is_word(0x1F600));
}

struct words {
	char	 keys[8][FOLD_WORD_MAX + 1];
	size_t	 start[8], end[8];
	int	 n;
	int	 stop_at;
};

static int
collect(void *arg, const char *key, size_t start, size_t end)
{
	struct words *w = arg;
	assert_true(strlen(key) <= FOLD_WORD_MAX);
	if (w->n < 8) {
		strcpy(w->keys[w->n], key);
		w->start[w->n] = start;
		w->end[w->n] = end;
	}
	w->n++;
	return w->stop_at != 0 && w->n == w->stop_at;
}

static void
test_words(void **state)
{
	struct words w = { .n = 0 };
	(void)state;
	const char *s = "L'ÉLÈVE, cœur!";
	assert_int_equal(fold_words(s, strlen(s), collect, &w), 3);
	assert_string_equal(w.keys[0], "l");
	assert_string_equal(w.keys[1], "eleve");
	assert_int_equal(w.start[1], 2);
	assert_int_equal(w.end[1], 2 + strlen("ÉLÈVE"));
	assert_string_equal(w.keys[2], "coeur");
	assert_int_equal(w.end[2], strlen(s) - 1);

	/* decomposed accents belong to their word */
	memset(&w, 0, sizeof w);
	s = "e\xcc\x81le\xcc\x80ve x";
	assert_int_equal(fold_words(s, strlen(s), collect, &w), 2);
	assert_string_equal(w.keys[0], "eleve");
	assert_int_equal(w.end[0], strlen(s) - 2);

	/* harakat inside and at the end stay in the word's span */
	memset(&w, 0, sizeof w);
	s = "قال: مُحَمَّدٌ، أَحْمَد";
	assert_int_equal(fold_words(s, strlen(s), collect, &w), 3);
	assert_string_equal(w.keys[1], "محمد");
	assert_int_equal(w.start[1], strlen("قال: "));
	assert_int_equal(w.end[1], strlen("قال: مُحَمَّدٌ"));
	assert_string_equal(w.keys[2], "احمد");

	/* invalid bytes break words; stopping early */
	memset(&w, 0, sizeof w);
	w.stop_at = 2;
	s = "ab\xff" "cd ef";
	assert_int_equal(fold_words(s, strlen(s), collect, &w), 2);
	assert_string_equal(w.keys[1], "cd");
	assert_int_equal(fold_words("", 0, collect, &w), 0);
}

static void
test_word_limit(void **state)
{
	struct words w = { .n = 0 };
	char s[FOLD_WORD_MAX * 2 + 3];
	(void)state;
	memset(s, 'x', sizeof s - 1);
	s[FOLD_WORD_MAX * 2] = ' ';
	s[FOLD_WORD_MAX * 2 + 1] = 'y';
	s[sizeof s - 1] = '\0';
	assert_int_equal(fold_words(s, strlen(s), collect, &w), 2);
	assert_int_equal(strlen(w.keys[0]), FOLD_WORD_MAX);
	assert_int_equal(w.end[0], FOLD_WORD_MAX * 2);
	/* exactly at the limit: kept whole */
	memset(&w, 0, sizeof w);
	assert_int_equal(fold_words(s, FOLD_WORD_MAX, collect, &w), 1);
	assert_int_equal(strlen(w.keys[0]), FOLD_WORD_MAX);
	/* a multi-byte character is never cut in half */
	char ar[FOLD_WORD_MAX * 2];
	for (size_t i = 0; i + 1 < sizeof ar; i += 2)
		memcpy(ar + i, "\xd8\xa8", 2);
	memset(&w, 0, sizeof w);
	assert_int_equal(fold_words(ar, sizeof ar, collect, &w), 1);
	assert_int_equal(strlen(w.keys[0]), FOLD_WORD_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_fold_arabic),
		cmocka_unit_test(test_fold_latin),
		cmocka_unit_test(test_fold_invalid),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_word_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
