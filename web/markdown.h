/*
 * Markdown of web posts to HTML through cmark with its safe defaults: raw
 * HTML is dropped and links or images with javascript:, vbscript:, file:
 * or non-image data: URLs lose their destination.
 */
#ifndef MAJLIS_MARKDOWN_H
#define MAJLIS_MARKDOWN_H

#include <stddef.h>

#include "daemon/buf.h"
#include "daemon/webpost.h"

/* Longest source rendered (cmark has super-linear inputs): twice what a
 * member may type, since a post's text may grow a little on its way
 * through mail (line ends, quote marks). */
#define MARKDOWN_SOURCE_MAX	(2 * WEBPOST_BODY_MAX)

/* Append the HTML of src[0..len) to out: CommonMark, safe mode, a line
 * break typed in the text kept as <br>, invalid UTF-8 replaced. Returns 0,
 * or -1 (nothing appended) when len passes MARKDOWN_SOURCE_MAX or cmark
 * fails; the caller then shows the text escaped. */
int	markdown_html(struct buf *out, const char *src, size_t len);

#endif
