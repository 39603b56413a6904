/*
 * The reading pages of the archive and their JSON twins: the group list,
 * a group's threads (by last activity, paginated) and a thread's posts
 * with quotes and signatures folded.
 */
#ifndef MAJLIS_BOARD_H
#define MAJLIS_BOARD_H

#include <stddef.h>

#include "daemon/buf.h"

struct web_req;

#define BOARD_THREADS_PER_PAGE	30

/* GET / and /index.json: the groups the viewer may read, with counts. */
void	board_index(struct web_req *);
void	board_index_json(struct web_req *);
/* GET /g/SLUG and /g/SLUG.json (?page=N). */
void	board_group(struct web_req *);
void	board_group_json(struct web_req *);
/* GET /g/SLUG/t/ID and /g/SLUG/t/ID.json. */
void	board_thread(struct web_req *);
void	board_thread_json(struct web_req *);

/* Append a post body as HTML: text spans as they are, quoted text and
 * signatures each folded in a <details> element (summary in the reader's
 * language given as quoted_label and signature_label). Every byte of text
 * is escaped. */
void	board_body_html(struct buf *out, const char *text, size_t len,
	    const char *quoted_label, const char *signature_label);
/* Send json (a complete JSON document) as application/json, with '<', '>'
 * and '&' written as \u escapes so no markup appears even inside strings. */
void	board_reply_json(struct web_req *, const struct buf *json);

#endif
