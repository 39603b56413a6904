/*
 * The search pages: GET /search?q=…[&page=N][&g=SLUG] (HTML) and
 * /search.json (the same results as JSON), with snippets cut from the
 * original text and the query's words highlighted.
 */
#ifndef MAJLIS_SEARCH_H
#define MAJLIS_SEARCH_H

#include <stddef.h>

#include "daemon/buf.h"
#include "daemon/store_search.h"

struct web_req;

/* Bytes of original text around the first match shown in a snippet. */
#define SEARCH_SNIPPET_BYTES	240
/* Bytes shown before the first match. */
#define SEARCH_SNIPPET_BEFORE	60
/* Bytes of a body scanned for matches; past it a snippet shows the
 * start of the body. */
#define SEARCH_SNIPPET_SCAN	(64 * 1024)
/* Matches marked in one snippet at most. */
#define SEARCH_SNIPPET_MARKS	32

void	search_page(struct web_req *);
void	search_json(struct web_req *);

/*
 * Append an excerpt of text[0..len) to out: about SEARCH_SNIPPET_BYTES
 * around the first word of text that matches one of sq's keys (the start
 * of text when none does), cut at character boundaries, runs of white
 * space shown as one space, "…" where text was cut. width 0 means the
 * whole text. With html, the excerpt is escaped and each matching word
 * wrapped in <mark></mark> (the only markup); without, it is plain text.
 */
void	search_snippet(struct buf *out, const char *text, size_t len,
	    const struct search_query *sq, size_t width, int html);

#endif
