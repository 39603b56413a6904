/*
 * Held messages awaiting a moderator's decision, and the audit log.
 */
#ifndef MAJLIS_STORE_HELD_H
#define MAJLIS_STORE_HELD_H

#include <stdint.h>

#include "daemon/buf.h"

struct db;

struct held {
	int64_t	 id, group_id, inbound_id, created, decided_at;
	char	 slug[64];
	char	*sender;
	char	*subject;
	char	*reason;
	char	 state[16];
	char	*decided_by;
	char	*note;
};

void	store_held_clear(struct held *);
/* Hold an inbound message for a group (inside the caller's transaction).
 * Returns the id, 0 when it was already held for that group, or -1. */
int64_t	store_held_add(struct db *, int64_t group_id, int64_t inbound_id,
	    const char *sender, const char *subject, const char *reason);
/* 1 found, 0 not, -1 error. */
int	store_held_get(struct db *, int64_t id, struct held *out);
/* Pending held messages (group_id 0: all groups), oldest first. */
int	store_held_each(struct db *, int64_t group_id,
	    int (*fn)(void *, const struct held *), void *arg);
/* Decide a pending message: state approved, rejected or discarded. Returns 1
 * when this call decided it, 0 when it was already decided, -1 on error. */
int	store_held_decide(struct db *, int64_t id, const char *state,
	    const char *actor, const char *note);
/* Record the thread a moderator places pending message id in (inside the
 * transaction that approves it; 0: none). 0 or -1. */
int	store_held_place(struct db *, int64_t id, int64_t thread_id);
/* Whether the approval of (group, inbound) was granted: 1 yes, with
 * *thread_id set to the thread a moderator placed it in (0: none), else
 * 0. */
int	store_held_approved(struct db *, int64_t group_id, int64_t inbound_id,
	    int64_t *thread_id);

/* Append to the audit log (inside the caller's transaction). 0 or -1. */
int	store_audit(struct db *, const char *actor, const char *action,
	    int64_t group_id, const char *target, const char *detail);

/* Site settings (key/value). store_setting_get appends the value to out and
 * returns 1, or 0 when unset. */
int	store_setting_get(struct db *, const char *key, struct buf *out);
int	store_setting_set(struct db *, const char *key, const char *value);
/* The site secret (random, created on first use): keys the VERP MACs. */
int	store_site_secret(struct db *, struct buf *out);

#endif
