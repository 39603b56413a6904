/*
 * Search normalisation (see fold.h): strict UTF-8 decoding, the fold that
 * the index and queries share, match keys and the word walker used to
 * highlight query words in original text.
 */
#include <config.h>

#include <string.h>

#include "daemon/fold.h"

/* Base letters of U+00C0..U+017F once their diacritic is removed,
 * lowercase; '.' keeps the code point (×, ÷, Æ, ß, þ, Ĳ, ŋ, Œ ...). */
static const char fold_latin[] =
	/* U+00C0 À..U+00DF ß */
	"aaaaaa.ceeeeiiiidnooooo.ouuuuy.."
	/* U+00E0 à..U+00FF ÿ */
	"aaaaaa.ceeeeiiiidnooooo.ouuuuy.y"
	/* U+0100 Ā..U+017F ſ, by letter */
	"aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh"
	"iiiiiiiiii" ".." "jj" "kkk" "llllllllll" "nnnnnnn" ".." "oooooo"
	".." "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz"
	"s";

_Static_assert(sizeof fold_latin - 1 == 0x180 - 0xC0,
    "one entry per code point of U+00C0..U+017F");

size_t
fold_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;
	uint32_t c, min;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		c = s[0] & 0x1F;
		min = 0x80;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		c = s[0] & 0x0F;
		min = 0x800;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		*cp = FOLD_INVALID;
		return 1;
	}
	if (len < n) {
		*cp = FOLD_INVALID;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = FOLD_INVALID;
			return 1;
		}
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = FOLD_INVALID;
		return 1;
	}
	*cp = c;
	return n;
}

/* Encode cp as UTF-8 into b; returns the length. */
static size_t
fold_enc(uint32_t cp, char b[4])
{
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return n;
}

void
fold_put(struct buf *out, uint32_t cp)
{
	char b[4];
	buf_append(out, b, fold_enc(cp, b));
}

int
fold_cp(uint32_t cp, uint32_t out[FOLD_EXPAND_MAX])
{
	if ((cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || cp == 0x0640)
		return 0;
	switch (cp) {
	case 0x0622: case 0x0623: case 0x0625: case 0x0671:
		out[0] = 0x0627;
		return 1;
	case 0x0649:
		out[0] = 0x064A;
		return 1;
	case 0x0629:
		out[0] = 0x0647;
		return 1;
	case 0x0152: case 0x0153:
		out[0] = 'o';
		out[1] = 'e';
		return 2;
	case 0x00C6: case 0x00E6:
		out[0] = 'a';
		out[1] = 'e';
		return 2;
	default:
		out[0] = cp;
		return 1;
	}
}

void
fold_text(struct buf *out, const char *s, size_t len)
{
	uint32_t cp, f[FOLD_EXPAND_MAX];
	for (size_t i = 0; i < len;) {
		size_t n = fold_decode(s + i, len - i, &cp);
		i += n;
		if (cp == FOLD_INVALID) {
			buf_putc(out, ' ');
			continue;
		}
		if (cp < 0x80) {	/* the common case, unchanged */
			buf_putc(out, (char)cp);
			continue;
		}
		int k = fold_cp(cp, f);
		for (int j = 0; j < k; j++)
			fold_put(out, f[j]);
	}
}

uint32_t
fold_key(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + ('a' - 'A');
	if (cp >= 0x0300 && cp <= 0x036F)
		return 0;
	if (cp >= 0xC0 && cp < 0x180 && fold_latin[cp - 0xC0] != '.')
		return (uint32_t)fold_latin[cp - 0xC0];
	return cp;
}

int
fold_is_word(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= 'A' && cp <= 'Z');
	if (cp <= 0xBF || cp == 0xD7 || cp == 0xF7)
		return 0;	/* C1 controls, Latin-1 punctuation, × ÷ */
	if (cp == 0x060C || cp == 0x061B || cp == 0x061E || cp == 0x061F ||
	    (cp >= 0x066A && cp <= 0x066D) || cp == 0x06D4)
		return 0;	/* Arabic punctuation */
	if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x2E00 && cp <= 0x2E7F) ||
	    (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE10 && cp <= 0xFE1F) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
	    (cp >= 0xFF1A && cp <= 0xFF20) || cp == 0xFEFF || cp == 0xFFFD ||
	    (cp >= 0x1F000 && cp <= 0x1FAFF))
		return 0;	/* punctuation, symbols, arrows, emoji */
	return 1;
}

struct fold_word {
	char	 key[FOLD_WORD_MAX + 4];
	size_t	 keylen;
	size_t	 start, end;
	int	 open;
};

/* Add the keyed code point k (from s[i..i+n)) to the word being built. */
static void
fold_word_add(struct fold_word *w, uint32_t k, size_t i, size_t n)
{
	char b[4];
	size_t bn = fold_enc(k, b);
	if (!w->open) {
		w->open = 1;
		w->start = i;
		w->keylen = 0;
	}
	w->end = i + n;
	if (w->keylen + bn <= FOLD_WORD_MAX) {
		memcpy(w->key + w->keylen, b, bn);
		w->keylen += bn;
	}
}

size_t
fold_words(const char *s, size_t len, int (*fn)(void *, const char *, size_t,
    size_t), void *arg)
{
	struct fold_word w = { .open = 0 };
	size_t count = 0;
	uint32_t cp, f[FOLD_EXPAND_MAX];
	for (size_t i = 0; i < len;) {
		size_t n = fold_decode(s + i, len - i, &cp);
		int k = cp == FOLD_INVALID ? 0 : fold_cp(cp, f);
		int brk = cp == FOLD_INVALID;
		for (int j = 0; j < k && !brk; j++) {
			uint32_t key = fold_key(f[j]);
			if (key == 0)
				continue;
			if (fold_is_word(key))
				fold_word_add(&w, key, i, n);
			else
				brk = 1;
		}
		if (k == 0 && !brk && w.open)
			w.end = i + n;	/* a dropped mark inside the word */
		else if (k > 0 && !brk && w.open && fold_key(f[0]) == 0)
			w.end = i + n;	/* a combining mark */
		if (brk && w.open) {
			w.open = 0;
			w.key[w.keylen] = '\0';
			count++;
			if (fn(arg, w.key, w.start, w.end) != 0)
				return count;
		}
		i += n;
	}
	if (w.open) {
		w.key[w.keylen] = '\0';
		count++;
		fn(arg, w.key, w.start, w.end);
	}
	return count;
}
