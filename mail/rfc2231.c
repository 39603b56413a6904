/*
 * RFC 2231 parameter values (see rfc2231.h): sort the raw parameters of one
 * name into plain, extended and numbered sections, join, percent-decode and
 * convert; and turn a decoded file name into a safe download name.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "daemon/buf.h"
#include "mail/charset.h"
#include "mail/rfc2047.h"
#include "mail/rfc2231.h"

struct section {
	const char	*value;
	int		 encoded;
};

/* What a parameter is to the name looked up. */
enum param_kind { PARAM_OTHER, PARAM_PLAIN, PARAM_EXTENDED, PARAM_SECTION };

/* Classify pname against name; for a section, *index and *encoded. The
 * section number has no leading zero and is below RFC2231_MAX_SECTIONS. */
static enum param_kind
param_kind(const char *pname, const char *name, size_t *index, int *encoded)
{
	size_t len = strlen(name), i = 0;
	const char *s;

	if (strncasecmp(pname, name, len) != 0)
		return PARAM_OTHER;
	s = pname + len;
	if (s[0] == '\0')
		return PARAM_PLAIN;
	if (s[0] != '*')
		return PARAM_OTHER;
	if (s[1] == '\0')
		return PARAM_EXTENDED;
	s++;
	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return PARAM_OTHER;
	for (*index = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		*index = *index * 10 + (size_t)(s[i] - '0');
		if (*index >= RFC2231_MAX_SECTIONS)
			return PARAM_OTHER;
	}
	*encoded = s[i] == '*';
	if (i == 0 || s[i + (size_t)*encoded] != '\0')
		return PARAM_OTHER;
	return PARAM_SECTION;
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

/* %XX to a byte; a '%' not followed by two hex digits stays. */
static void
percent_decode(struct buf *out, const char *s)
{
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (s[0] == '%' && (hi = hex_value(s[1])) >= 0 &&
		    (lo = hex_value(s[2])) >= 0) {
			buf_putc(out, (char)(hi << 4 | lo));
			s += 2;
		} else
			buf_putc(out, *s);
	}
}

/* Split "charset'language'text": charset into cs, return the text. With
 * fewer than two quotes, there is no charset and all is text. */
static const char *
charset_split(struct buf *cs, const char *v)
{
	const char *q1 = strchr(v, '\''), *q2;

	if (q1 == NULL || (q2 = strchr(q1 + 1, '\'')) == NULL)
		return v;
	buf_append(cs, v, (size_t)(q1 - v));
	return q2 + 1;
}

/* Bytes with no charset: UTF-8 if valid, else windows-1252. */
static void
raw_display(struct buf *out, const char *s, size_t n)
{
	struct buf tmp = BUF_INIT;

	if (charset_utf8_valid(s, n))
		charset_display(out, s, n);
	else {
		charset_to_utf8(&tmp, "windows-1252", s, n);
		charset_display(out, tmp.data, tmp.len);
	}
	buf_free(&tmp);
}

/* Join sections 0 .. up to the first missing one and decode the result. */
static void
sections_decode(struct buf *out, const struct section *sec, size_t count)
{
	struct buf raw = BUF_INIT, cs = BUF_INIT, tmp = BUF_INIT;
	int encoded = 0;

	for (size_t i = 0; i < count && sec[i].value != NULL; i++) {
		const char *v = sec[i].value;
		if (!sec[i].encoded) {
			buf_puts(&raw, v);
			continue;
		}
		if (i == 0)
			v = charset_split(&cs, v);
		percent_decode(&raw, v);
		encoded = 1;
	}
	if (!encoded)
		rfc2047_decode(out, raw.data, raw.len);
	else if (cs.len == 0)
		raw_display(out, raw.data, raw.len);
	else {
		charset_to_utf8(&tmp, buf_cstr(&cs), raw.data, raw.len);
		charset_display(out, tmp.data, tmp.len);
	}
	buf_free(&raw);
	buf_free(&cs);
	buf_free(&tmp);
}

int
rfc2231_lookup(struct buf *out, const struct rfc2231_param *params,
    size_t n, const char *name)
{
	struct section sec[RFC2231_MAX_SECTIONS], ext = { NULL, 1 };
	const char *plain = NULL;
	size_t index = 0;
	int encoded = 0;

	memset(sec, 0, sizeof sec);
	for (size_t i = 0; i < n; i++) {
		if (params[i].name == NULL || params[i].value == NULL)
			continue;
		switch (param_kind(params[i].name, name, &index, &encoded)) {
		case PARAM_PLAIN:
			if (plain == NULL)
				plain = params[i].value;
			break;
		case PARAM_EXTENDED:
			if (ext.value == NULL)
				ext.value = params[i].value;
			break;
		case PARAM_SECTION:
			if (sec[index].value == NULL) {
				sec[index].value = params[i].value;
				sec[index].encoded = encoded;
			}
			break;
		case PARAM_OTHER:
			break;
		}
	}
	if (ext.value != NULL)
		sections_decode(out, &ext, 1);
	else if (sec[0].value != NULL)
		sections_decode(out, sec, RFC2231_MAX_SECTIONS);
	else if (plain != NULL)
		rfc2047_decode(out, plain, strlen(plain));
	else
		return -1;
	return 0;
}

/* The last non-empty path component of s (n bytes). */
static const char *
last_component(const char *s, size_t *n)
{
	const char *start = s, *end = s + *n, *best = s;
	size_t best_len = 0;

	for (const char *p = s; p <= end; p++) {
		if (p < end && *p != '/' && *p != '\\')
			continue;
		if (p > start) {
			best = start;
			best_len = (size_t)(p - start);
		}
		start = p + 1;
	}
	*n = best_len;
	return best;
}

/* Bidirectional controls: LRM, RLM, ALM, embeddings, overrides, isolates. */
static int
bidi_control(const unsigned char *s, size_t k)
{
	if (k == 2)
		return s[0] == 0xd8 && s[1] == 0x9c;
	if (k != 3 || s[0] != 0xe2)
		return 0;
	return (s[1] == 0x80 && (s[2] == 0x8e || s[2] == 0x8f ||
	    (s[2] >= 0xaa && s[2] <= 0xae))) ||
	    (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9);
}

/* Display text minus bidi controls, reserved characters as '_'. */
static void
filename_filter(struct buf *out, const char *s, size_t n)
{
	struct buf disp = BUF_INIT;
	size_t i = 0, k;

	charset_display(&disp, s, n);
	while (i < disp.len) {
		if ((k = charset_utf8_seqlen(disp.data + i, disp.len - i)) == 0)
			k = 1;
		if (k == 1 && strchr("<>:\"|?*", disp.data[i]) != NULL)
			buf_putc(out, '_');
		else if (!bidi_control((unsigned char *)disp.data + i, k))
			buf_append(out, disp.data + i, k);
		i += k;
	}
	buf_free(&disp);
}

/* Length of s cut to at most max bytes between characters, with trailing
 * spaces and dots dropped. */
static size_t
cut_length(const char *s, size_t n, size_t max)
{
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '.'))
		n--;
	return n;
}

void
rfc2231_safe_filename(struct buf *out, const char *utf8)
{
	struct buf f = BUF_INIT;
	size_t n = strlen(utf8), skip = 0, stem, ext = 0;
	const char *s = last_component(utf8, &n), *dot;

	filename_filter(&f, s, n);
	while (skip < f.len && (f.data[skip] == '.' || f.data[skip] == ' '))
		skip++;
	s = f.data != NULL ? f.data + skip : "";	/* empty: no buffer */
	n = cut_length(s, f.len - skip, f.len - skip);
	if (n > RFC2231_FILENAME_MAX) {
		dot = memrchr(s, '.', n);
		if (dot != NULL && dot > s &&
		    (size_t)(s + n - dot) <= RFC2231_EXTENSION_MAX)
			ext = (size_t)(s + n - dot);
		stem = cut_length(s, n - ext, RFC2231_FILENAME_MAX - ext);
		buf_append(out, s, stem);
		buf_append(out, s + n - ext, ext);
	} else if (n > 0)
		buf_append(out, s, n);
	else
		buf_puts(out, "attachment");
	buf_free(&f);
}
