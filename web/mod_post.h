/*
 * Hiding a post with a reason, and restoring it, from the moderators'
 * panel (daemon/modperm.h MODPERM_POSTS in the post's group). A hidden
 * post stays in the database; the reason is in the audit log.
 */
#ifndef MAJLIS_MOD_POST_H
#define MAJLIS_MOD_POST_H

struct web_req;

/* GET /mod/post/ID: the post, its state and the form; POST (CSRF) with
 * action hide (reason required, at most MODDECIDE_REASON_MAX bytes) or
 * restore. */
void	mod_post(struct web_req *);

#endif
