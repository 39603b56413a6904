/*
 * The frame of every HTML page (language, direction, head, site header,
 * landmarks, footer) and the style sheet embedded in the binary.
 */
#ifndef MAJLIS_LAYOUT_H
#define MAJLIS_LAYOUT_H

#include "daemon/buf.h"

struct web_req;

/* Append the page start: <html lang dir>, head with title (plain text,
 * escaped here) and head_html (trusted markup of ours, may be NULL), the
 * skip link, the site header and <main>. */
void	layout_begin(struct buf *out, struct web_req *, const char *title,
	    const char *head_html);
/* Close <main>, add the footer, close the document. */
void	layout_end(struct buf *out, struct web_req *);
/* GET /static/majlis.css. */
void	layout_css(struct web_req *);
/* GET /favicon.ico: 204, cached, so browsers stop asking (no image is
 * shipped). */
void	layout_favicon(struct web_req *);

#endif
