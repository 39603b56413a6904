/*
 * Writing from the web: new topic, reply (with an optional quote of the
 * parent), preview, edit of one's own post for a short window, and the
 * page that follows a post until it is published or held. A post is
 * handed to daemon/webpost.c, which sends it down the mail path.
 */
#ifndef MAJLIS_WRITE_H
#define MAJLIS_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

struct web_req;
struct archive_post;

/* Seconds after publication during which the author may edit a web post. */
#define WRITE_EDIT_WINDOW	(15 * 60)
/* Posts a member may send from the web per WRITE_RATE_WINDOW seconds. */
#define WRITE_POSTS_PER_HOUR	20
#define WRITE_RATE_WINDOW	3600
/* Seconds between reloads of the "being published" page. */
#define WRITE_PENDING_REFRESH	1
/* Most bytes of the parent's text put in a reply as a quote; the quote
 * ends at a line boundary. */
#define WRITE_QUOTE_MAX		4096

/* Route handlers (web/routes_write.def). */
void	write_new(struct web_req *);	/* GET/POST /g/SLUG/new */
void	write_reply(struct web_req *);	/* GET/POST /g/SLUG/p/ID/reply[?quote=1] */
void	write_edit(struct web_req *);	/* GET/POST /g/SLUG/p/ID/edit */
void	write_status(struct web_req *);	/* GET /g/SLUG/w/INBOUND */
void	write_css(struct web_req *);	/* GET /static/write.css */

/* 1 when the viewer may post in w->group (signed in, a member who is not
 * suspended, the group not archived, and for an announce-only group a
 * moderator or owner), 0 when not, -1 on a database error. */
int	write_may_post(struct web_req *);
/* 1 when the viewer may still edit post p (their own web post, within
 * WRITE_EDIT_WINDOW), else 0. */
int	write_may_edit(struct web_req *, const struct archive_post *p);
/* The <link> of the writing styles, for layout_begin's head_html. */
const char *write_head(void);
/* Append the reply form of a thread page: a reply to post parent_id. */
void	write_reply_form(struct buf *out, struct web_req *, int64_t parent_id);
/* Append text as a Markdown quote: every line prefixed with "> " (">"
 * alone for an empty one), leading and trailing blank lines left out, at
 * most WRITE_QUOTE_MAX bytes of text (cut at a line end, "> …" marking
 * the cut), then an empty line. */
void	write_quote(struct buf *out, const char *text);

#endif
