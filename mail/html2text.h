/*
 * HTML to plain text for HTML-only mail: tags dropped, script/style content
 * dropped, block elements to line breaks, entities decoded. Linear time.
 */
#ifndef MAJLIS_HTML2TEXT_H
#define MAJLIS_HTML2TEXT_H

#include <stddef.h>

#include "daemon/buf.h"

/* Append the text of the UTF-8 html to out; blockquote content is prefixed
 * with "> " so quote folding sees it. Output is valid UTF-8 with "\n" lines. */
void	html2text(struct buf *out, const char *html, size_t len);

#endif
