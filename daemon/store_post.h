/*
 * Threads, posts and attachments in the database.
 */
#ifndef MAJLIS_STORE_POST_H
#define MAJLIS_STORE_POST_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

struct db;

/* What publishing writes; strings are borrowed. thread_id 0 starts a new
 * thread titled subject (normalised subject_norm). */
struct post_new {
	int64_t		 group_id;
	int64_t		 thread_id;
	int64_t		 parent_id;	/* 0: none */
	int64_t		 member_id;	/* 0: not a member */
	const char	*author_name;
	const char	*author_email;
	const char	*subject;
	const char	*subject_norm;
	const char	*body;
	const char	*mime_part;	/* Content-* headers, blank line, body */
	size_t		 mime_part_len;
	const char	*message_id;	/* without angle brackets */
	const char	*refs;		/* space-separated ids, no brackets */
	const char	*source;	/* "mail" or "web" */
	int64_t		 inbound_id;	/* 0: none */
};

struct post {
	int64_t		 id, thread_id, group_id, parent_id, member_id;
	char		*author_name;
	char		*author_email;
	char		*subject;
	char		*body;
	struct buf	 mime_part;
	char		*message_id;
	char		*refs;
	char		*parent_message_id;	/* "" when no parent */
	int64_t		 created;
	char		 source[8];
	int		 hidden;
};

void	store_post_clear(struct post *);
/* Insert a post (and its thread when thread_id is 0) inside the caller's
 * transaction; updates the thread's counters. Returns the post id or -1. */
int64_t	store_post_add(struct db *, const struct post_new *);
/* Post and thread by Message-ID within a group: 1 found, 0 not, -1 error. */
int	store_post_by_msgid(struct db *, int64_t group_id, const char *msgid,
	    int64_t *post_id, int64_t *thread_id);
/* Latest thread of the group with this normalised subject active since
 * `since`; returns 1 with its id and first post, 0 none, -1 error. */
int	store_thread_by_subject(struct db *, int64_t group_id, const char *norm,
	    int64_t since, int64_t *thread_id, int64_t *first_post_id);
/* Load a post with its parent's Message-ID: 1, 0 not found, -1 error. */
int	store_post_get(struct db *, int64_t id, struct post *out);
/* Every post of a thread, in order (bodies included). */
int	store_post_each_in_thread(struct db *, int64_t thread_id,
	    int (*fn)(void *, const struct post *), void *arg);

struct thread {
	int64_t	 id, group_id, created, last_post;
	int	 post_count, locked, pinned;
	char	*subject;
};
/* The thread's version: moved by triggers at every change to its posts or
 * their attachments (schema migration 14), by any connection. -1 when the
 * thread is unknown or on error. */
int64_t	store_thread_version(struct db *, int64_t thread_id);
/* Threads of a group by last activity. */
int	store_thread_each(struct db *, int64_t group_id,
	    int (*fn)(void *, const struct thread *), void *arg);
/* Add an attachment (inside the caller's transaction). 0 or -1. */
int	store_attachment_add(struct db *, int64_t post_id, const char *filename,
	    const char *content_type, const void *data, size_t len);
/* Append the raw message a post came from (mail posts); 1 found, 0 none
 * (web post or unknown id), -1 error. */
int	store_post_raw(struct db *, int64_t post_id, struct buf *out);
/* Number of attachments of a post. */
int64_t	store_attachment_count(struct db *, int64_t post_id);

#endif
