/*
 * Subject normalisation and list tagging (see subject.h). Works on UTF-8
 * bytes: prefix words are compared ignoring ASCII case only.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "daemon/buf.h"
#include "mail/subject.h"

enum prefix { PFX_NONE, PFX_REPLY, PFX_FORWARD, PFX_TAG };

/* Prefix words, lowercase for ASCII; each is followed by an optional
 * counter, optional spaces and a colon. */
static const struct {
	const char	*word;
	enum prefix	 kind;
} words[] = {
	{ "re", PFX_REPLY },
	{ "aw", PFX_REPLY },
	{ "sv", PFX_REPLY },
	{ "antw", PFX_REPLY },
	{ "r\xc3\xa9" "f", PFX_REPLY },		/* réf */
	{ "r\xc3\x89" "f", PFX_REPLY },		/* rÉf (RÉF) */
	{ "ref", PFX_REPLY },
	{ "\xd8\xb1\xd8\xaf", PFX_REPLY },	/* رد */
	{ "\xd8\xb1", PFX_REPLY },		/* ر */
	{ "fwd", PFX_FORWARD },
	{ "fw", PFX_FORWARD },
	{ "tr", PFX_FORWARD },
	/* إعادة توجيه */
	{ "\xd8\xa5\xd8\xb9\xd8\xa7\xd8\xaf\xd8\xa9 "
	  "\xd8\xaa\xd9\x88\xd8\xac\xd9\x8a\xd9\x87", PFX_FORWARD },
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Byte length of the white space character at s, 0 if none: ASCII blanks,
 * NBSP, thin space, narrow NBSP, LRM and RLM. */
static size_t
ws_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] == ' ' || u[0] == '\t' || u[0] == '\r' || u[0] == '\n')
		return 1;
	if (u[0] == 0xc2 && u[1] == 0xa0)
		return 2;
	if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0x89 || u[2] == 0xaf ||
	    u[2] == 0x8e || u[2] == 0x8f))
		return 3;
	return 0;
}

static const char *
skip_ws(const char *s)
{
	size_t n;

	while ((n = ws_len(s)) > 0)
		s += n;
	return s;
}

/* Length of s[0..n) without trailing white space. */
static size_t
rtrim(const char *s, size_t n)
{
	for (;;) {
		if (n >= 1 && ws_len(s + n - 1) == 1)
			n--;
		else if (n >= 2 && ws_len(s + n - 2) == 2)
			n -= 2;
		else if (n >= 3 && ws_len(s + n - 3) == 3)
			n -= 3;
		else
			return n;
	}
}

/* Does s start with w, ignoring ASCII case? Returns the length matched. */
static size_t
starts_with(const char *s, const char *w)
{
	size_t i;

	for (i = 0; w[i] != '\0'; i++)
		if (lower((unsigned char)s[i]) != (unsigned char)w[i])
			return 0;
	return i;
}

/* After a prefix word at s: "[n]" or "(n)", an optional '.', spaces and a
 * colon. Returns the position after the colon, or NULL. */
static const char *
prefix_tail(const char *s)
{
	if ((s[0] == '[' || s[0] == '(') && s[1] >= '0' && s[1] <= '9') {
		char close = s[0] == '[' ? ']' : ')';
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
		if (*s++ != close)
			return NULL;
	}
	if (*s == '.')
		s++;
	s = skip_ws(s);
	return *s == ':' ? s + 1 : NULL;
}

/* "[slug]" (slug ignoring case, spaces allowed inside) or, when slug is
 * NULL, any tag of at most SUBJECT_MAX_TAG bytes. Returns the position
 * after ']' or NULL. */
static const char *
tag_end(const char *s, const char *slug)
{
	size_t n;

	if (*s++ != '[')
		return NULL;
	if (slug == NULL) {
		for (n = 0; n < SUBJECT_MAX_TAG && s[n] != '\0' &&
		    s[n] != '[' && s[n] != ']'; n++)
			;
		return s[n] == ']' ? s + n + 1 : NULL;
	}
	s = skip_ws(s);
	for (; *slug != '\0'; s++, slug++)
		if (lower((unsigned char)*s) != lower((unsigned char)*slug))
			return NULL;
	s = skip_ws(s);
	return *s == ']' ? s + 1 : NULL;
}

/* Recognise one prefix at s; *end gets the position after it. Tags are
 * only recognised when match_tags is set. */
static enum prefix
prefix_at(const char *s, int match_tags, const char *slug, const char **end)
{
	const char *e;

	if (*s == '[' && match_tags) {
		if ((e = tag_end(s, slug)) == NULL)
			return PFX_NONE;
		*end = e;
		return PFX_TAG;
	}
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t n = starts_with(s, words[i].word);
		if (n > 0 && (e = prefix_tail(s + n)) != NULL) {
			*end = e;
			return words[i].kind;
		}
	}
	return PFX_NONE;
}

/* Skip the leading run of prefixes of the kinds allowed; returns the first
 * character after them and sets *reply if a reply prefix was among them. */
static const char *
strip_run(const char *s, const char *slug, int forward_too, int *reply)
{
	const char *e;
	enum prefix k;

	*reply = 0;
	for (;;) {
		s = skip_ws(s);
		k = prefix_at(s, slug != NULL && *slug != '\0', slug, &e);
		if (k == PFX_NONE || (k == PFX_FORWARD && !forward_too))
			return s;
		if (k == PFX_REPLY)
			*reply = 1;
		s = e;
	}
}

/* Does s start with the group's own prefix (ASCII case ignored), as a
 * whole word? The position after it, or NULL. */
static const char *
prefix_own(const char *s, const char *prefix)
{
	size_t n = prefix != NULL ? strlen(prefix) : 0;
	if (n == 0 || strncasecmp(s, prefix, n) != 0)
		return NULL;
	unsigned char last = (unsigned char)prefix[n - 1], next =
	    (unsigned char)s[n];
	int word = (last >= '0' && last <= '9') || (lower(last) >= 'a' &&
	    lower(last) <= 'z');
	if (word && next != '\0' && ws_len(s + n) == 0)
		return NULL;
	return s + n;
}

void
subject_normalize_prefix(struct buf *out, const char *subject_utf8,
    const char *slug, const char *prefix)
{
	const char *s = subject_utf8, *e;
	int reply, space = 0;
	size_t n;

	buf_reset(out);
	/* the leading run of reply and forward prefixes, slug tags and the
	 * group's own prefix */
	for (;;) {
		s = strip_run(s, slug, 1, &reply);
		if ((e = prefix_own(s, prefix)) == NULL)
			break;
		s = e;
	}
	while (*s != '\0') {
		if ((n = ws_len(s)) > 0) {
			space = 1;
			s += n;
			continue;
		}
		if (space && out->len > 0)
			buf_putc(out, ' ');
		space = 0;
		buf_putc(out, (char)lower((unsigned char)*s++));
	}
}

void
subject_normalize(struct buf *out, const char *subject_utf8, const char *slug)
{
	subject_normalize_prefix(out, subject_utf8, slug, NULL);
}

/* Copy the prefixes after the leading run, dropping slug tags. */
static const char *
copy_prefixes(struct buf *out, const char *s, const char *slug)
{
	const char *e;
	enum prefix k;

	for (;;) {
		s = skip_ws(s);
		k = prefix_at(s, 1, slug, &e);
		if (k == PFX_NONE)
			return s;
		if (k != PFX_TAG) {
			buf_append(out, s, (size_t)(e - s));
			buf_putc(out, ' ');
		}
		s = e;
	}
}

void
subject_for_list_prefix(struct buf *out, const char *subject_utf8,
    const char *slug, const char *prefix)
{
	const char *s = subject_utf8, *e;
	int reply = 0, r;
	size_t mark, n;

	buf_reset(out);
	/* the leading run of reply prefixes, slug tags and the own prefix */
	for (;;) {
		s = strip_run(s, slug, 0, &r);
		reply |= r;
		if ((e = prefix_own(s, prefix)) == NULL)
			break;
		s = e;
	}
	/* a reply behind another list's tag ("[other] Re: x") is one too */
	if (reply || subject_is_reply(subject_utf8))
		buf_puts(out, "Re: ");
	if (*prefix != '\0')
		buf_printf(out, "%s ", prefix);
	mark = out->len;
	s = copy_prefixes(out, s, slug);
	n = rtrim(s, strlen(s));
	buf_append(out, s, n);
	if (out->len == mark)
		buf_puts(out, "(no subject)");
	buf_truncate(out, rtrim(out->data, out->len));
}

void
subject_for_list(struct buf *out, const char *subject_utf8, const char *slug)
{
	struct buf tag = BUF_INIT;
	buf_printf(&tag, "[%s]", slug);
	subject_for_list_prefix(out, subject_utf8, slug, buf_cstr(&tag));
	buf_free(&tag);
}

int
subject_is_reply(const char *subject_utf8)
{
	const char *s = subject_utf8, *e;
	enum prefix k;

	for (;;) {
		s = skip_ws(s);
		k = prefix_at(s, 1, NULL, &e);
		if (k != PFX_TAG)
			return k == PFX_REPLY;
		s = e;
	}
}
