/*
 * The outbox: one row per (post, recipient) copy, or one system message
 * (confirmation, notice). Rows are filled in the publishing transaction.
 */
#ifndef MAJLIS_STORE_OUTBOX_H
#define MAJLIS_STORE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

struct db;

struct outbox_row {
	int64_t		 id;
	char		 kind[8];	/* "post" or "system" */
	int64_t		 post_id, group_id, member_id;
	char		*rcpt;
	struct buf	 message;	/* system messages only */
	char		 state[8];
	int		 attempts;
	int64_t		 created, next_attempt, updated;
	char		*last_reply;
	char		 unsub_token[48];	/* the member's, "" if none */
	int64_t		 body_id;	/* a digest copy's shared body, or 0 */
};

void	store_outbox_clear(struct outbox_row *);
/* Queue a copy of post for every member of the group whose delivery is each
 * post and not suspended, except the author unless they receive their own.
 * Inside the caller's transaction. Returns the number of rows or -1. */
int64_t	store_outbox_fanout(struct db *, int64_t post_id, int64_t group_id,
	    int64_t author_member_id);
/* Queue a complete system message to rcpt. Returns the id or -1. */
int64_t	store_outbox_add_system(struct db *, int64_t group_id, int64_t member_id,
	    const char *rcpt, const char *msg, size_t len);
/* Queue a digest copy to rcpt made from stored body body_id (see
 * store_digest.h) when it is sent. Returns the id or -1. */
int64_t	store_outbox_add_digest(struct db *, int64_t group_id,
	    int64_t member_id, const char *rcpt, int64_t body_id);
/* Queued rows due at `now`, ordered by (next_attempt, id) after the cursor
 * (cur_next, cur_id), at most max; fn gets each row (message loaded). */
int	store_outbox_due(struct db *, int64_t now, int64_t cur_next,
	    int64_t cur_id, int max, int (*fn)(void *, const struct outbox_row *),
	    void *arg);
/* Record an attempt: state "queued" (retry at next_attempt), "sent" or
 * "failed". Inside the caller's transaction. 0 or -1. */
int	store_outbox_update(struct db *, int64_t id, const char *state,
	    int attempts, int64_t next_attempt, const char *reply);
/* Every row, newest first, at most max (0: all); for majlisctl queue list. */
int	store_outbox_each(struct db *, int max,
	    int (*fn)(void *, const struct outbox_row *), void *arg);
/* Is row id a digest copy whose shared body was dropped (it was deleted
 * when the last queued copy using it left the queue, so a failed copy
 * cannot be sent again)? 1, 0 (no such row, or its message is there), -1. */
int	store_outbox_body_gone(struct db *, int64_t id);
/* Make queued (or, with id, also failed) rows due now; never a digest copy
 * whose body is gone. Returns the count. */
int64_t	store_outbox_retry(struct db *, int64_t id);
/* Count rows in a state. */
int64_t	store_outbox_count(struct db *, const char *state);

#endif
