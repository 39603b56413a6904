/*
 * Quote and signature detection (see quote.h): one pass over the lines with
 * bounded look-ahead (attribution lines, blank runs, Outlook headers).
 */
#include <config.h>

#include <string.h>

#include "daemon/quote.h"

struct line {
	const char	*s;	/* content, line end excluded */
	size_t		 n;
	size_t		 off;	/* offset of the line in the text */
	size_t		 next;	/* offset of the next line */
};

struct spans {
	struct quote_span *v;
	size_t		 n, max;
	int		 has_text;	/* a text span shows more than blanks */
};

/* Attribution forms: first word, a word the lines must contain, the word
 * before the final colon. */
static const struct {
	const char	*start, *contains, *end;
} attributions[] = {
	{ "On ", NULL, "wrote" },
	{ "Le ", NULL, "\xc3\xa9" "crit" },			/* écrit */
	{ "El ", NULL, "escribi\xc3\xb3" },			/* escribió */
	{ "Am ", "schrieb", NULL },
	{ "\xd9\x81\xd9\x8a ", "\xd9\x83\xd8\xaa\xd8\xa8", NULL }, /* في, كتب */
};

/* Outlook separators, between runs of dashes. */
static const char *separators[] = {
	"original message",
	"message d'origine",
	/* الرسالة الأصلية */
	"\xd8\xa7\xd9\x84\xd8\xb1\xd8\xb3\xd8\xa7\xd9\x84\xd8\xa9 "
	"\xd8\xa7\xd9\x84\xd8\xa3\xd8\xb5\xd9\x84\xd9\x8a\xd8\xa9",
};

/* Header labels that follow a line of underscores. */
static const char *outlook_labels[] = {
	"from", "de", "von", "\xd9\x85\xd9\x86",	/* من */
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Byte length of a blank at s[0..n): ASCII space or tab, NBSP, narrow
 * NBSP, or a bidi mark (LRM, RLM, embeddings, isolates); 0 if none. */
static size_t
blank_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n >= 1 && (u[0] == ' ' || u[0] == '\t' || u[0] == '\r'))
		return 1;
	if (n >= 2 && u[0] == 0xc2 && u[1] == 0xa0)
		return 2;
	if (n >= 3 && u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0x8e ||
	    u[2] == 0x8f || u[2] == 0xaf || (u[2] >= 0xaa && u[2] <= 0xae)))
		return 3;
	if (n >= 3 && u[0] == 0xe2 && u[1] == 0x81 && u[2] >= 0xa6 &&
	    u[2] <= 0xa9)
		return 3;
	return 0;
}

/* Strip blanks from both ends of s[0..n). */
static void
trim(const char **s, size_t *n)
{
	size_t k;

	while ((k = blank_len(*s, *n)) > 0) {
		*s += k;
		*n -= k;
	}
	for (;;) {
		if (*n >= 1 && blank_len(*s + *n - 1, 1) == 1)
			*n -= 1;
		else if (*n >= 2 && blank_len(*s + *n - 2, 2) == 2)
			*n -= 2;
		else if (*n >= 3 && blank_len(*s + *n - 3, 3) == 3)
			*n -= 3;
		else
			return;
	}
}

/* Does s[0..n) start with w, ignoring ASCII case? */
static int
has_prefix(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	if (wl > n)
		return 0;
	for (size_t i = 0; i < wl; i++)
		if (lower((unsigned char)s[i]) != lower((unsigned char)w[i]))
			return 0;
	return 1;
}

static int
has_suffix(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	return wl <= n && has_prefix(s + n - wl, wl, w);
}

/* Read the line at off; returns 0 at the end of the text. */
static int
get_line(const char *text, size_t len, size_t off, struct line *l)
{
	const char *nl;

	if (off >= len)
		return 0;
	nl = memchr(text + off, '\n', len - off);
	l->s = text + off;
	l->off = off;
	l->next = nl != NULL ? (size_t)(nl - text) + 1 : len;
	l->n = (nl != NULL ? (size_t)(nl - text) : len) - off;
	if (l->n > 0 && l->s[l->n - 1] == '\r')
		l->n--;
	return 1;
}

static int
is_blank(const struct line *l)
{
	const char *s = l->s;
	size_t n = l->n;

	trim(&s, &n);
	return n == 0;
}

static int
is_quoted(const struct line *l)
{
	size_t i = 0;

	while (i < l->n && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	return i < l->n && l->s[i] == '>';
}

static int
is_signature(const struct line *l)
{
	return (l->n == 3 && memcmp(l->s, "-- ", 3) == 0) ||
	    (l->n == 2 && memcmp(l->s, "--", 2) == 0);
}

/* Offset of the first line at or after off that is not blank (len if
 * none). */
static size_t
skip_blank_lines(const char *text, size_t len, size_t off)
{
	struct line l;

	while (get_line(text, len, off, &l) && is_blank(&l))
		off = l.next;
	return off;
}

/* "-----Original Message-----" and its translations. */
static int
is_dash_separator(const struct line *l)
{
	const char *s = l->s;
	size_t n = l->n, lead = 0, tail = 0;

	trim(&s, &n);
	while (lead < n && s[lead] == '-')
		lead++;
	while (tail < n - lead && s[n - 1 - tail] == '-')
		tail++;
	if (lead < 3 || tail < 3)
		return 0;
	s += lead;
	n -= lead + tail;
	trim(&s, &n);
	for (size_t i = 0; i < sizeof separators / sizeof separators[0]; i++)
		if (n == strlen(separators[i]) &&
		    has_prefix(s, n, separators[i]))
			return 1;
	return 0;
}

/* "From:", "De :", "من:"... */
static int
is_outlook_header(const struct line *l)
{
	const char *s = l->s;
	size_t n = l->n;

	trim(&s, &n);
	for (size_t i = 0; i < sizeof outlook_labels / sizeof outlook_labels[0];
	    i++) {
		size_t wl = strlen(outlook_labels[i]), k;
		if (!has_prefix(s, n, outlook_labels[i]))
			continue;
		const char *p = s + wl;
		size_t m = n - wl;
		while ((k = blank_len(p, m)) > 0) {
			p += k;
			m -= k;
		}
		if (m > 0 && *p == ':')
			return 1;
	}
	return 0;
}

/* A line of underscores followed by an Outlook header line. */
static int
is_underscore_separator(const char *text, size_t len, const struct line *l)
{
	const char *s = l->s;
	size_t n = l->n;
	struct line h;

	trim(&s, &n);
	if (n < 10)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '_')
			return 0;
	return get_line(text, len, skip_blank_lines(text, len, l->next), &h) &&
	    is_outlook_header(&h);
}

/* Does the trimmed line end the attribution form a (colon, end word)? */
static int
attribution_last(const struct line *l, size_t a)
{
	const char *s = l->s;
	size_t n = l->n;

	trim(&s, &n);
	if (n == 0 || s[n - 1] != ':')
		return 0;
	n--;
	trim(&s, &n);
	return attributions[a].end == NULL ||
	    has_suffix(s, n, attributions[a].end);
}

static int
line_contains(const struct line *l, const char *w)
{
	return memmem(l->s, l->n, w, strlen(w)) != NULL;
}

/* If an attribution starts at line l and is followed (after blank lines)
 * by a '>' line, return the offset of that quoted line; else 0. */
static size_t
attribution_end(const char *text, size_t len, const struct line *l)
{
	const char *s = l->s;
	size_t n = l->n, a, off;
	struct line cur = *l, q;
	int found = 0;

	trim(&s, &n);
	for (a = 0; a < sizeof attributions / sizeof attributions[0]; a++)
		if (has_prefix(s, n, attributions[a].start))
			break;
	if (a == sizeof attributions / sizeof attributions[0])
		return 0;
	for (int i = 0; i < QUOTE_MAX_ATTRIBUTION_LINES; i++) {
		if (i > 0 && (!get_line(text, len, cur.next, &cur) ||
		    is_blank(&cur) || is_quoted(&cur)))
			return 0;
		if (attributions[a].contains != NULL && !found)
			found = line_contains(&cur, attributions[a].contains);
		if (attribution_last(&cur, a))
			break;
		if (i == QUOTE_MAX_ATTRIBUTION_LINES - 1)
			return 0;
	}
	if (attributions[a].contains != NULL && !found)
		return 0;
	off = skip_blank_lines(text, len, cur.next);
	return get_line(text, len, off, &q) && is_quoted(&q) ? off : 0;
}

static int
shows_text(const char *s, size_t n)
{
	struct line l = { s, n, 0, 0 };
	size_t i = 0, start = 0;

	for (; i <= n; i++) {
		if (i == n || s[i] == '\n') {
			l.s = s + start;
			l.n = i - start;
			if (!is_blank(&l))
				return 1;
			start = i + 1;
		}
	}
	return 0;
}

static void
emit(struct spans *sp, const char *text, enum quote_kind k, size_t start,
    size_t len)
{
	struct quote_span *last = sp->n > 0 ? &sp->v[sp->n - 1] : NULL;

	if (len == 0)
		return;
	if (k == QUOTE_TEXT && !sp->has_text)
		sp->has_text = shows_text(text + start, len);
	if (last != NULL && (last->kind == k || sp->n == sp->max)) {
		last->len += len;
		if (k == QUOTE_TEXT)
			last->kind = QUOTE_TEXT;
		/* at the cap, a span turned to text joins text before it */
		if (sp->n >= 2 && sp->v[sp->n - 2].kind == last->kind) {
			sp->v[sp->n - 2].len += last->len;
			sp->n--;
		}
		return;
	}
	sp->v[sp->n].kind = k;
	sp->v[sp->n].start = start;
	sp->v[sp->n].len = len;
	sp->n++;
}

/* Blank lines at l: quoted between or after quoted lines, text otherwise.
 * Returns the offset after the run. */
static size_t
blank_run(struct spans *sp, const char *text, size_t len,
    const struct line *l)
{
	struct line q;
	size_t end = skip_blank_lines(text, len, l->off);
	int quoted = sp->n > 0 && sp->v[sp->n - 1].kind == QUOTE_QUOTED &&
	    (!get_line(text, len, end, &q) || is_quoted(&q));

	emit(sp, text, quoted ? QUOTE_QUOTED : QUOTE_TEXT, l->off,
	    end - l->off);
	return end;
}

size_t
quote_split(const char *text, size_t len, struct quote_span *spans,
    size_t max)
{
	struct spans sp = { spans, 0, max < QUOTE_MAX_SPANS ? max :
	    QUOTE_MAX_SPANS, 0 };
	struct line l;
	size_t off = 0, end;

	if (len == 0 || sp.max == 0)
		return 0;
	while (get_line(text, len, off, &l)) {
		off = l.next;
		if (is_signature(&l)) {
			emit(&sp, text, QUOTE_SIGNATURE, l.off, len - l.off);
			break;
		}
		if (is_dash_separator(&l) ||
		    is_underscore_separator(text, len, &l)) {
			emit(&sp, text, QUOTE_QUOTED, l.off, len - l.off);
			break;
		}
		if (is_quoted(&l))
			emit(&sp, text, QUOTE_QUOTED, l.off, l.next - l.off);
		else if (is_blank(&l))
			off = blank_run(&sp, text, len, &l);
		else if ((end = attribution_end(text, len, &l)) > 0) {
			emit(&sp, text, QUOTE_QUOTED, l.off, end - l.off);
			off = end;
		} else
			emit(&sp, text, QUOTE_TEXT, l.off, l.next - l.off);
	}
	if (!sp.has_text) {
		spans[0].kind = QUOTE_TEXT;
		spans[0].start = 0;
		spans[0].len = len;
		return 1;
	}
	return sp.n;
}
