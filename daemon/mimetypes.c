/*
 * A group's allowed MIME types (see mimetypes.h).
 */
#include <config.h>

#include <string.h>
#include <strings.h>

#include "daemon/mimetypes.h"

/* RFC 6838 restricted-name characters (after the first, which must be
 * alphanumeric). */
static int
mimetypes_name_char(unsigned char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return !first && c != '\0' && strchr("!#$&-^_.+", c) != NULL;
}

/* Length of a name at s (0 when there is none). */
static size_t
mimetypes_name(const char *s)
{
	size_t n = 0;
	while (mimetypes_name_char((unsigned char)s[n], n == 0))
		n++;
	return n;
}

/* One entry at s of n bytes: 1 when it is "name/name" or "name/" and a star. */
static int
mimetypes_item_valid(const char *s, size_t n)
{
	size_t t = mimetypes_name(s);
	if (t == 0 || t >= n || s[t] != '/')
		return 0;
	const char *sub = s + t + 1;
	size_t rest = n - t - 1;
	if (rest == 1 && *sub == '*')
		return 1;
	return rest > 0 && mimetypes_name(sub) == rest;
}

/* Is the entry s[0..n) already in the normalised list? */
static int
mimetypes_has(const struct buf *list, const char *s, size_t n)
{
	const char *p = buf_cstr(list);
	while (*p) {
		size_t len = strcspn(p, ",");
		if (len == n && strncasecmp(p, s, n) == 0)
			return 1;
		p += len;
		p += strspn(p, ", ");
	}
	return 0;
}

int
mimetypes_parse(const char *in, struct buf *out, const char **err)
{
	static const char sep[] = ", \t\r\n";
	int count = 0;
	buf_reset(out);
	if (strlen(in) > MIMETYPES_LIST_MAX) {
		*err = "the list is too long";
		return -1;
	}
	for (const char *s = in + strspn(in, sep); *s; s += strspn(s, sep)) {
		size_t n = strcspn(s, sep);
		if (n > MIMETYPES_ITEM_MAX || !mimetypes_item_valid(s, n)) {
			*err = "each entry is type/subtype or type/* (letters,"
			    " digits and !#$&-^_.+)";
			return -1;
		}
		if (!mimetypes_has(out, s, n)) {
			if (++count > MIMETYPES_MAX) {
				*err = "too many entries";
				return -1;
			}
			if (out->len)
				buf_puts(out, ", ");
			for (size_t i = 0; i < n; i++)
				buf_putc(out, (char)(s[i] >= 'A' && s[i] <= 'Z' ?
				    s[i] - 'A' + 'a' : s[i]));
		}
		s += n;
	}
	buf_cstr(out);
	return 0;
}

int
mimetypes_allowed(const char *list, const char *ctype)
{
	if (list == NULL || *list == '\0')
		return 1;
	size_t tn = strcspn(ctype, "/");
	for (const char *p = list; *p; p += strspn(p, ", ")) {
		size_t n = strcspn(p, ",");
		if (n == tn + 2 && p[tn] == '/' && p[tn + 1] == '*' &&
		    ctype[tn] == '/' && strncasecmp(p, ctype, tn) == 0)
			return 1;
		if (n == strlen(ctype) && strncasecmp(p, ctype, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}
