/*
 * Thread operations from the moderators' panel: move a thread to another
 * group, split a reply (with its replies) into a new thread, merge a
 * thread into another, edit a thread's subject; the redirects that keep
 * old thread URLs working; the links the thread page shows moderators.
 * Each operation needs daemon/modperm.h MODPERM_POSTS in every group it
 * touches, is CSRF-checked, audited with before/after, and answers a
 * replay with 409 (nothing done twice).
 */
#ifndef MAJLIS_MOD_THREAD_H
#define MAJLIS_MOD_THREAD_H

#include <stdint.h>

#include "daemon/buf.h"
#include "daemon/webpost.h"

struct web_req;

/* Longest thread subject a moderator may set, in bytes. */
#define MOD_THREAD_SUBJECT_MAX	WEBPOST_SUBJECT_MAX

/* GET /mod/thread/ID/move: the groups the viewer moderates besides the
 * thread's; POST (CSRF) group=SLUG: move it there, 303 to its new URL. */
void	mod_thread_move(struct web_req *);
/* GET /mod/thread/ID/merge; POST (CSRF) into=THREAD: the posts of ID go
 * to that thread (its group), 303 to it; ID's URL redirects there. */
void	mod_thread_merge(struct web_req *);
/* GET /mod/thread/ID/subject; POST (CSRF) subject=TEXT (1 to
 * MOD_THREAD_SUBJECT_MAX bytes of UTF-8 text, no control character). */
void	mod_thread_subject(struct web_req *);
/* GET /mod/post/ID/split; POST (CSRF) subject=TEXT: the post and its
 * replies start a new thread, 303 to it. */
void	mod_thread_split(struct web_req *);

/* For a thread URL /g/SLUG/t/ID(suffix) that is not in the group SLUG
 * (moved, or merged into another thread): when the viewer may read the
 * group it is in now, answer 301 to its current URL and return 1; 0 when
 * there is nowhere to go (the caller answers 404), -1 on error. */
int	mod_thread_redirect(struct web_req *, const char *suffix);
/* Whether the viewer may use the operations in group_id (1, 0, -1). */
int	mod_thread_may(struct web_req *, int64_t group_id);
/* Append the thread page's moderation links for thread_id (the caller
 * checked mod_thread_may). */
void	mod_thread_links(struct buf *out, struct web_req *, int64_t thread_id);
/* Append a post's moderation links: hide or restore, and split unless it
 * starts its thread (first). */
void	mod_thread_post_links(struct buf *out, struct web_req *,
	    int64_t post_id, int first);

#endif
