/*
 * Markdown rendering (see markdown.h). cmark 0.29 and later are safe by
 * default; CMARK_OPT_SAFE is given as well so an older library is too.
 */
#include <config.h>

#include <stdlib.h>

#include <cmark.h>

#include "web/markdown.h"

#if CMARK_VERSION < ((0 << 16) | (28 << 8))
#error "cmark 0.28 or later is needed (safe mode)"
#endif

int
markdown_html(struct buf *out, const char *src, size_t len)
{
	if (len > MARKDOWN_SOURCE_MAX)
		return -1;
	char *html = cmark_markdown_to_html(src ? src : "", src ? len : 0,
	    CMARK_OPT_SAFE | CMARK_OPT_HARDBREAKS | CMARK_OPT_VALIDATE_UTF8);
	if (html == NULL)
		return -1;
	buf_puts(out, html);
	free(html);
	return 0;
}
