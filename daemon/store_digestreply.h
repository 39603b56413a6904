/*
 * The SQL behind recognising a reply to a digest (mail/digestreply.c;
 * posts by Message-ID are store_post_by_msgid's): threads by id, the
 * recent threads' subjects and posts' bodies of one group, and when an
 * author was last told their reply waits.
 */
#ifndef MAJLIS_STORE_DIGESTREPLY_H
#define MAJLIS_STORE_DIGESTREPLY_H

#include <stdint.h>

struct db;

/* Thread id of group: 1 with *root set to its first post, 0 when the group
 * has no such thread (or it has no post), -1 error. */
int	store_digestreply_thread(struct db *, int64_t group_id,
	    int64_t thread_id, int64_t *root);
/* The group's max most recently active threads, newest first: fn gets each
 * id and subject (-1 from fn stops). 0, or -1 on error. */
int	store_digestreply_subjects(struct db *, int64_t group_id, int max,
	    int (*fn)(void *, int64_t thread_id, const char *subject),
	    void *arg);
/* The bodies of the posts of the group's `threads` most recently active
 * threads (as store_digestreply_subjects), newest post first, at most
 * posts of them: fn gets each thread id, post id and body (-1 from fn
 * stops). 0, or -1 on error. */
int	store_digestreply_bodies(struct db *, int64_t group_id, int threads,
	    int posts, int (*fn)(void *, int64_t thread_id, int64_t post_id,
	    const char *body), void *arg);
/* May the author at email be told now (at time now) that a reply of theirs
 * to a digest of group waits? 1 when no notice went to them in the last
 * min seconds: the time is recorded (inside the caller's transaction),
 * and the group's rows older than min seconds are deleted (they decide
 * nothing any more); 0 when one did; -1 error. */
int	store_digestreply_notice_take(struct db *, int64_t group_id,
	    const char *email, int64_t now, int64_t min);

#endif
