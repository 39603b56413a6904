/*
 * Publishing a post: the post, its thread, its attachments and one outbox row
 * per recipient, in the caller's transaction. Mail posts and web posts both
 * come through here.
 */
#ifndef MAJLIS_PUBLISH_H
#define MAJLIS_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/store_post.h"

struct db;

struct publish_attachment {
	const char	*filename;
	const char	*content_type;
	const void	*data;
	size_t		 len;
};

/* Publish p with its attachments inside the caller's transaction (the
 * caller commits). Returns the post id (and the number of copies queued in
 * *copies), 0 when a post with the same Message-ID already exists in the
 * group (nothing written), or -1 on error. */
int64_t	publish_post(struct db *, const struct post_new *p,
	    const struct publish_attachment *att, size_t natt, int64_t *copies);

#endif
