/*
 * Read queries behind the web archive: groups with counts, a page of
 * threads, the posts of a thread, attachments, the latest posts of a group.
 */
#ifndef MAJLIS_STORE_ARCHIVE_H
#define MAJLIS_STORE_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"
#include "daemon/store_group.h"
#include "daemon/store_post.h"

struct db;

/* A group with the counts shown on the group list. */
struct archive_group {
	const struct group *g;
	int64_t	 threads, posts, last_post;	/* last_post 0: no post yet */
};

/* A post as the archive shows it (visible posts only). Strings borrowed
 * for the duration of the callback. */
struct archive_post {
	int64_t		 id, thread_id, parent_id, created;
	const char	*author_name;
	const char	*subject;
	const char	*body;
	int		 from_mail;	/* 1 when a raw message is stored */
	int64_t		 member_id;	/* the author, 0: not a member */
	int		 from_web;	/* 1: written on the web (Markdown) */
	int64_t		 edited;	/* when last edited on the web, 0: never */
};

/* Attachment metadata; data is only filled by store_archive_attachment. */
struct archive_attachment {
	int64_t	 id, post_id, group_id, size;
	char	*filename;
	char	*content_type;
	struct buf data;
};

/* Call fn for every group ordered by slug with its thread and post counts
 * (hidden posts not counted); fn returning -1 stops. 0, or -1 on error. */
int	store_archive_groups(struct db *, int (*fn)(void *,
	    const struct archive_group *), void *arg);
/* Counts of one group (threads, visible posts, last post time). 0 or -1. */
int	store_archive_group_counts(struct db *, int64_t group_id,
	    struct archive_group *out);
/* Threads of a group by last activity (pinned first), skipping offset,
 * at most limit; the struct is borrowed by fn. 0 or -1. */
int	store_archive_threads(struct db *, int64_t group_id, int64_t offset,
	    int64_t limit, int (*fn)(void *, const struct thread *), void *arg);
/* A thread by id within a group: 1 found (out filled, free out->subject),
 * 0 not found or in another group, -1 error. */
int	store_archive_thread(struct db *, int64_t group_id, int64_t thread_id,
	    struct thread *out);
/* Visible posts of a thread in order. 0 or -1. */
int	store_archive_posts(struct db *, int64_t thread_id,
	    int (*fn)(void *, const struct archive_post *), void *arg);
/* The latest visible posts of a group, newest first, at most limit. */
int	store_archive_recent(struct db *, int64_t group_id, int64_t limit,
	    int (*fn)(void *, const struct archive_post *), void *arg);
/* Attachments of a post (metadata only, data left empty) in order; the
 * struct is borrowed by fn. 0 or -1. */
int	store_archive_attachments(struct db *, int64_t post_id,
	    int (*fn)(void *, const struct archive_attachment *), void *arg);
/* One attachment of a visible post with its data: 1 found (release with
 * store_archive_attachment_clear), 0 not found, -1 error. */
int	store_archive_attachment(struct db *, int64_t id,
	    struct archive_attachment *out);
void	store_archive_attachment_clear(struct archive_attachment *);
/* 1 when the member belongs to the group (any role, not suspended), 0 not,
 * -1 error. */
int	store_archive_is_member(struct db *, int64_t group_id, int64_t member_id);

#endif
