/*
 * Hiding a post with a reason, and restoring it; locking, unlocking,
 * pinning and unpinning a thread: from the moderators' panel
 * (daemon/modperm.h MODPERM_POSTS in the group). A hidden post stays in
 * the database; the reason is in the audit log. A reply of a plain member
 * to a locked thread is held (mail/process.c).
 */
#ifndef MAJLIS_MOD_POST_H
#define MAJLIS_MOD_POST_H

struct web_req;

/* GET /mod/post/ID: the post, its state and the form; POST (CSRF) with
 * action hide (reason required, at most MODDECIDE_REASON_MAX bytes) or
 * restore. */
void	mod_post(struct web_req *);
/* GET /mod/thread/ID: the thread's state and buttons; POST (CSRF) with
 * action lock, unlock, pin or unpin. */
void	mod_thread(struct web_req *);

#endif
