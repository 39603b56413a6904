/*
 * Posting policies of a group: its SQL. post_policy, language, visibility
 * and description live in groups; the first-post hold, the size limit and
 * the posting rate in group_policy (schema migration 10). Values are
 * checked here too, so that every caller gets the same limits.
 */
#ifndef MAJLIS_STORE_POLICY_H
#define MAJLIS_STORE_POLICY_H

#include <stdint.h>

#include "daemon/buf.h"

struct db;

/* Largest size limit of a group, in KiB (the site's max_message_size
 * still applies at SMTP). */
#define STORE_POLICY_KIB_MAX		(64 * 1024)
/* Largest posting rate, posts per member per hour. */
#define STORE_POLICY_RATE_MAX		1000
/* The window of the posting rate, in seconds. */
#define STORE_POLICY_RATE_WINDOW	3600
/* Bytes of a group description. */
#define STORE_POLICY_DESCRIPTION_MAX	4000

struct group_policy {
	char	 post_policy[16];	/* members, anyone, announce */
	char	 language[4];		/* ar, fr, en */
	char	 visibility[16];	/* public, members, private */
	char	*description;		/* the caller frees it */
	int	 first_post_held;	/* 0 or 1 */
	int	 max_kib;		/* 0: no group limit */
	int	 rate_per_hour;		/* 0: no limit */
	int	 member_notices;	/* 0 or 1 (daemon/modnotice.h) */
};

/* Load a group's policy: 1 found, 0 no such group, -1. Free with
 * store_policy_clear. */
int	store_policy_get(struct db *, int64_t group_id, struct group_policy *);
void	store_policy_clear(struct group_policy *);
/* Check every value: 0, or -1 with err naming the first bad field and
 * what it accepts. */
int	store_policy_check(const struct group_policy *, struct buf *err);
/* Write every value (checked first) inside the caller's transaction: 0,
 * or -1 with err set. */
int	store_policy_set(struct db *, int64_t group_id,
	    const struct group_policy *, struct buf *err);
/* The policy as a JSON object appended to out (for the audit log). */
void	store_policy_json(struct buf *out, const struct group_policy *);

/* Posts member_id published in group_id since time since; -1 on error. */
int64_t	store_policy_posts_since(struct db *, int64_t group_id,
	    int64_t member_id, int64_t since);

#endif
