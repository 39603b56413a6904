/*
 * RFC 2047 (see rfc2047.h): a one-pass decoder that joins adjacent
 * encoded-words before charset conversion, and an encoder that folds words
 * into lines and splits runs of non-ASCII words into encoded-words.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "daemon/buf.h"
#include "mail/charset.h"
#include "mail/rfc2047.h"

/* "=?UTF-8?Q?" and "?=" around the encoded text. */
#define EW_OVERHEAD	12
#define EW_TEXT_MAX	(RFC2047_WORD_MAX - EW_OVERHEAD)

/* One encoded-word found in the input. */
struct eword {
	const char	*charset;
	size_t		 charset_len;	/* without any "*language" */
	char		 enc;		/* 'B' or 'Q' */
	const char	*text;
	size_t		 text_len;
	size_t		 len;		/* of the whole word */
};

struct decoder {
	struct buf	 text;		/* decoded UTF-8 so far */
	struct buf	 bytes;		/* pending encoded-word bytes */
	struct buf	 scratch;
	char		 charset[CHARSET_LABEL_MAX + 1];
	int		 after_word;
};

/* Output being folded: the column reached, whether nothing is written yet. */
struct fold {
	struct buf	*out;
	size_t		 col;
	int		 first;
};

static int
word_char(char c)
{
	return c > ' ' && c < 0x7f && c != '?';
}

static int
blank_char(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parse the encoded-word syntax at s (which starts with "=?"). */
static int
eword_parse(struct eword *w, const char *s, size_t n)
{
	size_t i = 2;

	while (i < n && word_char(s[i]) && i - 2 <= CHARSET_LABEL_MAX)
		i++;
	if (i == 2 || i - 2 > CHARSET_LABEL_MAX || i + 2 >= n ||
	    s[i] != '?' || s[i + 2] != '?')
		return -1;
	w->charset = s + 2;
	w->charset_len = i - 2;
	for (size_t k = 0; k < w->charset_len; k++)
		if (w->charset[k] == '*')
			w->charset_len = k;
	w->enc = s[i + 1] == 'b' ? 'B' : s[i + 1] == 'q' ? 'Q' : s[i + 1];
	if (w->enc != 'B' && w->enc != 'Q')
		return -1;
	i += 3;
	w->text = s + i;
	while (i < n && word_char(s[i]))
		i++;
	if (i + 1 >= n || s[i] != '?' || s[i + 1] != '=')
		return -1;
	w->text_len = (size_t)(s + i - w->text);
	w->len = i + 2;
	return 0;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void
q_decode(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '_')
			buf_putc(out, ' ');
		else if (s[i] == '=' && i + 2 < n &&
		    (hi = hex_value(s[i + 1])) >= 0 &&
		    (lo = hex_value(s[i + 2])) >= 0) {
			buf_putc(out, (char)(hi << 4 | lo));
			i += 2;
		} else
			buf_putc(out, s[i]);
	}
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	return c == '/' ? 63 : -1;
}

/* Base64 with or without padding; -1 on a stray character. */
static int
b_decode(struct buf *out, const char *s, size_t n)
{
	uint32_t acc = 0;
	int bits = 0, v;

	for (int pad = 0; n > 0 && s[n - 1] == '=' && pad < 2; pad++)
		n--;
	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((v = b64_value(s[i])) < 0)
			return -1;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_putc(out, (char)(acc >> bits & 0xff));
		}
	}
	return 0;
}

/* Convert the pending encoded-word bytes. */
static void
decoder_flush(struct decoder *d)
{
	if (d->bytes.len > 0)
		charset_to_utf8(&d->text, d->charset, d->bytes.data,
		    d->bytes.len);
	buf_reset(&d->bytes);
	d->charset[0] = '\0';
}

/* Text outside encoded-words: UTF-8 if valid, else windows-1252. */
static void
decoder_literal(struct decoder *d, const char *s, size_t n)
{
	if (n == 0)
		return;
	decoder_flush(d);
	d->after_word = 0;
	if (charset_utf8_valid(s, n))
		buf_append(&d->text, s, n);
	else
		charset_to_utf8(&d->text, "windows-1252", s, n);
}

static int
all_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!blank_char(s[i]))
			return 0;
	return 1;
}

/* Try an encoded-word at s; on success handle the literal text lit..s
 * before it and return the word's length, else 0. */
static size_t
decoder_word(struct decoder *d, const char *lit, const char *s, size_t n)
{
	struct eword w;
	char cs[CHARSET_LABEL_MAX + 1];

	if (eword_parse(&w, s, n) == -1)
		return 0;
	buf_reset(&d->scratch);
	if (w.enc == 'Q')
		q_decode(&d->scratch, w.text, w.text_len);
	else if (b_decode(&d->scratch, w.text, w.text_len) == -1)
		return 0;
	if (!(d->after_word && all_blank(lit, (size_t)(s - lit))))
		decoder_literal(d, lit, (size_t)(s - lit));
	memcpy(cs, w.charset, w.charset_len);
	cs[w.charset_len] = '\0';
	if (strcasecmp(cs, d->charset) != 0)
		decoder_flush(d);
	memcpy(d->charset, cs, w.charset_len + 1);
	buf_append(&d->bytes, d->scratch.data, d->scratch.len);
	d->after_word = 1;
	return w.len;
}

void
rfc2047_decode(struct buf *out, const char *in, size_t len)
{
	struct decoder d = { BUF_INIT, BUF_INIT, BUF_INIT, "", 0 };
	const char *lit = in, *end = in + len, *p = in, *eq;
	size_t k;

	while (p < end && (eq = memchr(p, '=', (size_t)(end - p))) != NULL) {
		p = eq + 1;
		if (p < end && *p == '?' &&
		    (k = decoder_word(&d, lit, eq, (size_t)(end - eq))) > 0)
			lit = p = eq + k;
	}
	decoder_literal(&d, lit, (size_t)(end - lit));
	decoder_flush(&d);
	charset_display(out, d.text.data, d.text.len);
	buf_free(&d.text);
	buf_free(&d.bytes);
	buf_free(&d.scratch);
}

/* Write s (n bytes) on the current line after a space, or on a new line
 * when it would pass RFC2047_LINE_SOFT. The first item may go to a new line
 * too, after the space of "Name: ", unless nothing is before it. */
static void
fold_put(struct fold *f, const char *s, size_t n)
{
	size_t sep = f->first ? 0 : 1;

	if (f->col + sep + n > RFC2047_LINE_SOFT && f->col > 0) {
		buf_puts(f->out, "\r\n ");
		f->col = 1;
	} else if (sep) {
		buf_putc(f->out, ' ');
		f->col++;
	}
	buf_append(f->out, s, n);
	f->col += n;
	f->first = 0;
}

/* Room for encoded text in a word that would stay on the current line. */
static size_t
fold_room(const struct fold *f)
{
	size_t need = f->col + (f->first ? 0 : 1) + EW_OVERHEAD;

	if (need >= RFC2047_LINE_SOFT)
		return 0;
	need = RFC2047_LINE_SOFT - need;
	return need < EW_TEXT_MAX ? need : EW_TEXT_MAX;
}

/* Characters left as they are in Q text (safe in phrases too). */
static int
q_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' ||
	    c == '-' || c == '/' || c == ' ';
}

static size_t
q_size(const char *s, size_t n)
{
	size_t size = 0;

	for (size_t i = 0; i < n; i++)
		size += q_plain((unsigned char)s[i]) ? 1 : 3;
	return size;
}

static size_t
b_size(size_t n)
{
	return (n + 2) / 3 * 4;
}

/* How many bytes of s, in whole characters, fit in room encoded chars;
 * *words gets the longest such prefix ending after a space or at the end of
 * s (0 if none). Stops as soon as room is passed. */
static size_t
chunk_fit(const char *s, size_t n, int q, size_t room, size_t *words)
{
	size_t take = 0, k, qsize = 0;

	*words = 0;
	while (take < n) {
		if ((k = charset_utf8_seqlen(s + take, n - take)) == 0)
			k = 1;
		qsize += q ? q_size(s + take, k) : 0;
		if ((q ? qsize : b_size(take + k)) > room)
			break;
		take += k;
		if (take == n || s[take - 1] == ' ')
			*words = take;
	}
	return take;
}

/* The next piece of a run: whole words on this line, else whole words on
 * the next, else a word too long for one encoded-word cut by characters. */
static size_t
chunk_next(const struct fold *f, const char *s, size_t n, int q)
{
	size_t here, next, words;

	here = chunk_fit(s, n, q, fold_room(f), &words);
	if (words > 0)
		return words;
	next = chunk_fit(s, n, q, EW_TEXT_MAX, &words);
	if (words > 0)
		return words;
	return here > 0 ? here : next;
}

static void
ew_write(struct buf *w, const char *s, size_t n, int q)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = (const unsigned char *)s;

	buf_puts(w, q ? "=?UTF-8?Q?" : "=?UTF-8?B?");
	for (size_t i = 0; q && i < n; i++) {
		if (u[i] == ' ')
			buf_putc(w, '_');
		else if (q_plain(u[i]))
			buf_putc(w, (char)u[i]);
		else
			buf_printf(w, "=%02X", u[i]);
	}
	for (size_t i = 0; !q && i < n; i += 3) {
		uint32_t v = (uint32_t)u[i] << 16 |
		    (i + 1 < n ? (uint32_t)u[i + 1] << 8 : 0) |
		    (i + 2 < n ? u[i + 2] : 0);
		buf_putc(w, b64[v >> 18 & 63]);
		buf_putc(w, b64[v >> 12 & 63]);
		buf_putc(w, i + 1 < n ? b64[v >> 6 & 63] : '=');
		buf_putc(w, i + 2 < n ? b64[v & 63] : '=');
	}
	buf_puts(w, "?=");
}

/* Write s (n bytes of UTF-8, spaces included) as encoded-words. */
static void
run_encode(struct fold *f, const char *s, size_t n)
{
	struct buf w = BUF_INIT;
	int q = q_size(s, n) <= b_size(n);
	size_t take;

	while (n > 0) {
		take = chunk_next(f, s, n, q);
		buf_reset(&w);
		ew_write(&w, s, take, q);
		fold_put(f, w.data, w.len);
		s += take;
		n -= take;
	}
	buf_free(&w);
}

/* Whether a word must be encoded: not printable ASCII, would read as an
 * encoded-word, or too long for a line where col columns are taken. */
static int
word_needs_encoding(const char *s, size_t n, size_t col)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x7f)
			return 1;
	if (memmem(s, n, "=?", 2) != NULL)
		return 1;
	return col + n > RFC2047_LINE_MAX;
}

void
rfc2047_encode(struct buf *out, const char *utf8, size_t used)
{
	struct buf norm = BUF_INIT;
	struct fold f = { out, used, 1 };
	const char *s, *e, *end, *run = NULL, *run_end = NULL;

	charset_display(&norm, utf8, strlen(utf8));
	s = buf_cstr(&norm);
	end = s + norm.len;
	while (s < end) {
		if ((e = memchr(s, ' ', (size_t)(end - s))) == NULL)
			e = end;
		if (word_needs_encoding(s, (size_t)(e - s), used > 0)) {
			if (run == NULL)
				run = s;
			run_end = e;
		} else {
			if (run != NULL)
				run_encode(&f, run, (size_t)(run_end - run));
			run = NULL;
			fold_put(&f, s, (size_t)(e - s));
		}
		s = e == end ? end : e + 1;
	}
	if (run != NULL)
		run_encode(&f, run, (size_t)(run_end - run));
	buf_free(&norm);
}

/* RFC 5322 atext. */
static int
atext_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* 0: atoms, 1: quoted-string, 2: encoded-words. */
static int
phrase_kind(const char *s, size_t n)
{
	int kind = 0;
	size_t word = 0;

	if (word_needs_encoding(s, n, 0))
		return 2;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ') {
			word = 0;
			continue;
		}
		if (!atext_char(s[i]))
			kind = 1;
		word += s[i] == '"' || s[i] == '\\' ? 2 : 1;
		/* a word, its quotes and a leading space must fit a line */
		if (word + 3 > RFC2047_LINE_MAX)
			return 2;
	}
	return kind;
}

/* A quoted-string folded at its spaces. */
static void
phrase_quoted(struct fold *f, const char *s, size_t n)
{
	struct buf w = BUF_INIT;

	buf_putc(&w, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ') {
			fold_put(f, w.data, w.len);
			buf_reset(&w);
			continue;
		}
		if (s[i] == '"' || s[i] == '\\')
			buf_putc(&w, '\\');
		buf_putc(&w, s[i]);
	}
	buf_putc(&w, '"');
	fold_put(f, w.data, w.len);
	buf_free(&w);
}

void
rfc2047_encode_phrase(struct buf *out, const char *utf8)
{
	struct buf norm = BUF_INIT;
	struct fold f = { out, 0, 1 };
	const char *s, *e, *end;

	charset_display(&norm, utf8, strlen(utf8));
	s = buf_cstr(&norm);
	end = s + norm.len;
	switch (norm.len == 0 ? -1 : phrase_kind(s, norm.len)) {
	case 0:
		for (; s < end; s = e == end ? end : e + 1) {
			if ((e = memchr(s, ' ', (size_t)(end - s))) == NULL)
				e = end;
			fold_put(&f, s, (size_t)(e - s));
		}
		break;
	case 1:
		phrase_quoted(&f, s, norm.len);
		break;
	case 2:
		run_encode(&f, s, norm.len);
		break;
	default:
		break;
	}
	buf_free(&norm);
}
