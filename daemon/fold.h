/*
 * Text normalisation for full-text search: the fold that both the index
 * (through the same mapping written in SQL, see daemon/schema.c) and the
 * queries apply, and the word walker that finds query words in original
 * text for highlighting.
 */
#ifndef MAJLIS_FOLD_H
#define MAJLIS_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

/* Most code points one input code point folds into (œ → o e). */
#define FOLD_EXPAND_MAX	2
/* Longest word (bytes of its match key) fold_words reports; longer words
 * are cut there and still reported. */
#define FOLD_WORD_MAX	128
/* What fold_decode returns for a byte that starts no valid sequence. */
#define FOLD_INVALID	0xFFFFFFFFu

/*
 * Decode the UTF-8 sequence at s[0..len) (len >= 1): returns its length
 * and sets *cp. A byte that does not start a valid sequence (stray
 * continuation, overlong form, surrogate, above U+10FFFF, truncated)
 * gives length 1 and *cp = FOLD_INVALID.
 */
size_t	fold_decode(const char *s, size_t len, uint32_t *cp);
/* Append code point cp as UTF-8 (cp must be valid). */
void	fold_put(struct buf *out, uint32_t cp);

/*
 * The search fold of one code point, what FTS5's unicode61 tokenizer does
 * not do itself: Arabic harakat (U+064B-U+065F, U+0670) and tatweel
 * (U+0640) removed; alef forms أ إ آ ٱ → ا; alef maqsura ى → ي and
 * ta marbuta ة → ه (both are written either way in everyday Arabic, so
 * a search for one must find the other); French ligatures œ Œ → oe and
 * æ Æ → ae. Everything else maps to itself. Writes 0..FOLD_EXPAND_MAX
 * code points to out and returns how many.
 */
int	fold_cp(uint32_t cp, uint32_t out[FOLD_EXPAND_MAX]);
/*
 * Append the fold of s[0..len) to out: fold_cp on every code point,
 * each invalid byte becoming a space (a word break). Case and Latin
 * diacritics are left to the tokenizer (remove_diacritics 2).
 */
void	fold_text(struct buf *out, const char *s, size_t len);

/*
 * The match key of a folded code point, close to what unicode61 with
 * remove_diacritics 2 indexes: ASCII and Latin-1/Latin Extended-A letters
 * lowered and stripped of their diacritics (É → e), combining marks
 * U+0300-U+036F dropped (0). Other code points map to themselves.
 */
uint32_t fold_key(uint32_t cp);
/* 1 when a (keyed) code point belongs to a word: letters and digits;
 * ASCII punctuation, spaces, controls, general and Arabic punctuation,
 * symbols and U+FFFD break words. */
int	fold_is_word(uint32_t cp);

/*
 * Walk the words of s[0..len) as search sees them (fold_cp, then
 * fold_key, then fold_is_word): for each word call fn with its match key
 * (UTF-8, NUL-terminated, at most FOLD_WORD_MAX bytes) and the byte span
 * [start, end) it covers in s (marks inside or right after a word belong
 * to it). fn returning non-zero stops the walk. Returns the number of
 * words reported.
 */
size_t	fold_words(const char *s, size_t len, int (*fn)(void *arg,
	    const char *key, size_t start, size_t end), void *arg);

#endif
