/*
 * HTML/XML escaping, URL segments and the small template (see html.h).
 * The UTF-8 decoder follows RFC 3629's table of well-formed sequences.
 */
#include <config.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "daemon/log.h"
#include "web/html.h"

#define HTML_REPLACEMENT	"\xef\xbf\xbd"

/* Length of the well-formed UTF-8 sequence at s (1-4), or 0 when the bytes
 * there are not one; *cp receives the code point. */
static size_t
html_utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; v = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; v = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; v = c & 0x07; min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

int
html_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	while (len > 0) {
		uint32_t cp;
		size_t n = html_utf8_seq(p, len, &cp);
		if (n == 0 || cp == 0)
			return 0;
		p += n;
		len -= n;
	}
	return 1;
}

static void
html_esc_ascii(struct buf *out, char c)
{
	switch (c) {
	case '&': buf_puts(out, "&amp;"); break;
	case '<': buf_puts(out, "&lt;"); break;
	case '>': buf_puts(out, "&gt;"); break;
	case '"': buf_puts(out, "&quot;"); break;
	case '\'': buf_puts(out, "&#39;"); break;
	case '\t': case '\n': case '\r': buf_putc(out, c); break;
	default:
		if ((unsigned char)c >= 0x20 && c != 0x7f)
			buf_putc(out, c);
	}
}

void
html_esc_len(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	while (len > 0) {
		uint32_t cp;
		size_t n = html_utf8_seq(p, len, &cp);
		if (n == 0 || cp == 0) {
			buf_puts(out, HTML_REPLACEMENT);
			n = 1;
		} else if (n == 1)
			html_esc_ascii(out, (char)*p);
		else if (!(cp >= 0x80 && cp < 0xa0) && cp != 0xfffe && cp != 0xffff)
			buf_append(out, p, n);
		p += n;
		len -= n;
	}
}

void
html_esc(struct buf *out, const char *s)
{
	if (s != NULL)
		html_esc_len(out, s, strlen(s));
}

void
html_url_segment(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~')
			buf_putc(out, (char)*p);
		else {
			buf_putc(out, '%');
			buf_putc(out, hex[*p >> 4]);
			buf_putc(out, hex[*p & 15]);
		}
	}
}

void
html_printf(struct buf *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++) {
		const char *pct = strchr(f, '%');
		if (pct == NULL) {
			buf_puts(out, f);
			break;
		}
		buf_append(out, f, (size_t)(pct - f));
		f = pct + 1;
		switch (*f) {
		case 's': html_esc(out, va_arg(ap, const char *)); break;
		case 'u': html_url_segment(out, va_arg(ap, const char *)); break;
		case 'H': buf_puts(out, va_arg(ap, const char *)); break;
		case 'd': buf_printf(out, "%d", va_arg(ap, int)); break;
		case 'D': buf_printf(out, "%" PRId64, va_arg(ap, int64_t)); break;
		case '%': buf_putc(out, '%'); break;
		default: fatalx("html_printf: bad conversion in \"%s\"", fmt);
		}
	}
	va_end(ap);
}
