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

/* Bytes html_esc_len copies as they are (1): printable ASCII other than
 * & < > " ', and tab, LF, CR. Bytes >= 0x80 are 0 here and checked as
 * UTF-8. */
static const unsigned char html_plain[256] = {
	['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
	[' '] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1,
	['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1,
	['.'] = 1, ['/'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1,
	['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	[':'] = 1, [';'] = 1, ['='] = 1, ['?'] = 1, ['@'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1, ['['] = 1, ['\\'] = 1, [']'] = 1, ['^'] = 1,
	['_'] = 1, ['`'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1,
};

/* Length of the run at p[0..len) that html_esc_len copies unchanged:
 * plain ASCII and well-formed UTF-8 sequences outside C1, U+FFFE and
 * U+FFFF. */
static size_t
html_copy_run(const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (html_plain[p[i]]) {
			i++;
			continue;
		}
		if (p[i] < 0x80)
			break;
		uint32_t cp;
		size_t n = html_utf8_seq(p + i, len - i, &cp);
		if (n == 0 || (cp >= 0x80 && cp < 0xa0) || cp == 0xfffe ||
		    cp == 0xffff)
			break;
		i += n;
	}
	return i;
}

void
html_esc_len(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	/* most text needs no escape: room for it and a little more at once */
	buf_reserve(out, len + len / 8);
	while (len > 0) {
		size_t run = html_copy_run(p, len);
		if (run > 0) {
			buf_append(out, p, run);
			p += run;
			len -= run;
			continue;
		}
		uint32_t cp;
		size_t n = html_utf8_seq(p, len, &cp);
		if (n == 0 || cp == 0) {
			buf_puts(out, HTML_REPLACEMENT);
			n = 1;
		} else if (n == 1)
			html_esc_ascii(out, (char)*p);
		/* else C1, U+FFFE or U+FFFF: dropped */
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
