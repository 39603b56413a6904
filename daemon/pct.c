/*
 * Percent-decoding for the configuration's URLs (see pct.h): one pass,
 * stopping at the first bad escape, control character or byte over the
 * caller's limit.
 */
#include <config.h>

#include "daemon/buf.h"
#include "daemon/pct.h"

/* The value of hex digit c, or -1. */
static int
pct_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
pct_decode(const char *s, size_t n, size_t max)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n || pct_hex(s[i + 1]) < 0 ||
			    pct_hex(s[i + 2]) < 0)
				goto bad;
			c = (unsigned char)(pct_hex(s[i + 1]) * 16 +
			    pct_hex(s[i + 2]));
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || b.len >= max)
			goto bad;
		buf_putc(&b, (char)c);
	}
	return buf_steal(&b);
bad:
	buf_free(&b);
	return NULL;
}
