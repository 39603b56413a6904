/*
 * HTML to text (see html2text.h). A single pass with a small state: inside a
 * tag, inside script/style (skipped to its closing tag), blockquote depth.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/charset.h"
#include "mail/html2text.h"

#define HTML2TEXT_MAX_QUOTE	10

struct h2t {
	struct buf	*out;
	int		 quote;		/* blockquote depth */
	int		 at_line_start;
	int		 pending_space;
	int		 blank_lines;
};

static void
h2t_newline(struct h2t *h)
{
	if (h->at_line_start) {
		if (h->blank_lines >= 1 || h->out->len == 0)
			return;
		h->blank_lines++;
	}
	buf_putc(h->out, '\n');
	h->at_line_start = 1;
	h->pending_space = 0;
}

static void
h2t_text(struct h2t *h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			h->pending_space = !h->at_line_start;
			continue;
		}
		if (h->at_line_start) {
			for (int q = 0; q < h->quote && q < HTML2TEXT_MAX_QUOTE; q++)
				buf_puts(h->out, "> ");
			h->at_line_start = 0;
			h->blank_lines = 0;
		} else if (h->pending_space)
			buf_putc(h->out, ' ');
		h->pending_space = 0;
		buf_putc(h->out, (char)c);
	}
}

static void
h2t_utf8(struct buf *out, uint32_t cp)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp < 0x20)
		cp = 0xfffd;
	if (cp < 0x80)
		buf_putc(out, (char)cp);
	else if (cp < 0x800) {
		buf_putc(out, (char)(0xc0 | (cp >> 6)));
		buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_putc(out, (char)(0xe0 | (cp >> 12)));
		buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_putc(out, (char)(0xf0 | (cp >> 18)));
		buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Decode the entity at s (after '&'); returns bytes consumed (0: literal &). */
static size_t
h2t_entity(struct buf *out, const char *s, size_t n)
{
	static const struct { const char *name; uint32_t cp; } ents[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' }, { "nbsp", 0xa0 }, { "eacute", 0xe9 },
		{ "egrave", 0xe8 }, { "agrave", 0xe0 }, { "ccedil", 0xe7 },
		{ "ecirc", 0xea }, { "laquo", 0xab }, { "raquo", 0xbb },
		{ "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 },
		{ "rsquo", 0x2019 }, { "lsquo", 0x2018 }, { "euro", 0x20ac },
	};
	size_t semi = 0;
	while (semi < n && semi < 12 && s[semi] != ';')
		semi++;
	if (semi == n || s[semi] != ';' || semi == 0)
		return 0;
	if (s[0] == '#') {
		uint32_t cp = 0;
		int hex = semi > 1 && (s[1] == 'x' || s[1] == 'X');
		size_t i = hex ? 2 : 1;
		if (i == semi)
			return 0;
		for (; i < semi; i++) {
			int d;
			char c = s[i];
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				return 0;
			cp = cp * (hex ? 16 : 10) + (uint32_t)d;
			if (cp > 0x10ffff)
				cp = 0x110000;
		}
		h2t_utf8(out, cp);
		return semi + 1;
	}
	for (size_t k = 0; k < sizeof ents / sizeof ents[0]; k++)
		if (strlen(ents[k].name) == semi &&
		    strncmp(ents[k].name, s, semi) == 0) {
			h2t_utf8(out, ents[k].cp);
			return semi + 1;
		}
	return 0;
}

static int
h2t_tag_is(const char *name, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && strncasecmp(*list, name, n) == 0)
			return 1;
	return 0;
}

/* Handle the tag between '<' and '>' (exclusive). Returns the name of an
 * element whose content is skipped (script/style), or NULL. */
static const char *
h2t_tag(struct h2t *h, const char *t, size_t n)
{
	static const char *const blocks[] = { "p", "div", "br", "li", "tr",
	    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "hr",
	    "pre", "section", "article", "header", "footer", NULL };
	int closing = n > 0 && t[0] == '/';
	size_t i = closing ? 1 : 0, start;
	start = i;
	while (i < n && t[i] != ' ' && t[i] != '\t' && t[i] != '\n' &&
	    t[i] != '\r' && t[i] != '/' && t[i] != '>')
		i++;
	const char *name = t + start;
	size_t nl = i - start;
	if (!closing && nl == 6 && strncasecmp(name, "script", 6) == 0)
		return "script";
	if (!closing && nl == 5 && strncasecmp(name, "style", 5) == 0)
		return "style";
	if (!closing && nl == 5 && strncasecmp(name, "title", 5) == 0)
		return "title";
	if (nl == 10 && strncasecmp(name, "blockquote", 10) == 0) {
		h2t_newline(h);
		h->quote += closing ? (h->quote > 0 ? -1 : 0) : 1;
		return NULL;
	}
	if (h2t_tag_is(name, nl, blocks))
		h2t_newline(h);
	return NULL;
}

/* Find "</name" case-insensitively from s; returns its offset or n. */
static size_t
h2t_find_close(const char *s, size_t n, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i + 2 + nl <= n; i++)
		if (s[i] == '<' && s[i + 1] == '/' &&
		    strncasecmp(s + i + 2, name, nl) == 0)
			return i;
	return n;
}

void
html2text(struct buf *out, const char *html, size_t len)
{
	struct buf tmp = BUF_INIT;
	struct h2t h = { &tmp, 0, 1, 0, 0 };
	size_t i = 0;
	while (i < len) {
		if (html[i] == '<') {
			if (i + 3 < len && strncmp(html + i, "<!--", 4) == 0) {
				const char *e = NULL;
				for (size_t k = i + 4; k + 2 < len; k++)
					if (html[k] == '-' && html[k + 1] == '-' &&
					    html[k + 2] == '>') {
						e = html + k + 3;
						break;
					}
				i = e ? (size_t)(e - html) : len;
				continue;
			}
			const char *gt = memchr(html + i, '>', len - i);
			if (gt == NULL)
				break;
			const char *skip = h2t_tag(&h, html + i + 1,
			    (size_t)(gt - html - i - 1));
			i = (size_t)(gt - html) + 1;
			if (skip) {
				i += h2t_find_close(html + i, len - i, skip);
				const char *g2 = memchr(html + i, '>', len - i);
				i = g2 ? (size_t)(g2 - html) + 1 : len;
			}
			continue;
		}
		if (html[i] == '&') {
			struct buf ent = BUF_INIT;
			size_t used = h2t_entity(&ent, html + i + 1, len - i - 1);
			if (used) {
				h2t_text(&h, ent.data, ent.len);
				i += used + 1;
			} else {
				h2t_text(&h, "&", 1);
				i++;
			}
			buf_free(&ent);
			continue;
		}
		size_t j = i;
		while (j < len && html[j] != '<' && html[j] != '&')
			j++;
		h2t_text(&h, html + i, j - i);
		i = j;
	}
	while (tmp.len > 0 && tmp.data[tmp.len - 1] == '\n')
		buf_truncate(&tmp, tmp.len - 1);
	charset_utf8_repair(out, tmp.data ? tmp.data : "", tmp.len);
	buf_free(&tmp);
}
