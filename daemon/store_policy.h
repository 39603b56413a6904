/*
 * Posting policies of a group: its SQL. post_policy, language, visibility
 * and description live in groups; the first-post hold, the size limit,
 * the posting rate (schema migration 10), the allowed MIME types, the
 * subject prefix, the Reply-To and the reminder interval (migration 16) in
 * group_policy; the digest schedule in digest_schedule
 * (daemon/store_digest.c). Values are checked here too, so that every
 * caller gets the same limits.
 */
#ifndef MAJLIS_STORE_POLICY_H
#define MAJLIS_STORE_POLICY_H

#include <stdint.h>

#include "daemon/buf.h"
#include "daemon/store_digest.h"

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

/* Bytes of a subject prefix (UTF-8, no control character). */
#define STORE_POLICY_PREFIX_MAX		64
/* The reminder interval of pending held mail, in hours (0: the site's). */
#define STORE_POLICY_PENDING_HOURS_MIN	1
#define STORE_POLICY_PENDING_HOURS_MAX	(30 * 24)

struct group_policy {
	char	 post_policy[16];	/* members, anyone, announce */
	char	 language[4];		/* ar, fr, en */
	char	 visibility[16];	/* public, members, private */
	char	*description;		/* the caller frees it */
	int	 first_post_held;	/* 0 or 1 */
	int	 max_kib;		/* 0: no group limit */
	int	 rate_per_hour;		/* 0: no limit */
	int	 member_notices;	/* 0 or 1 (daemon/modnotice.h) */
	char	*mime_types;		/* normalised (daemon/mimetypes.h), ""
					   allows all; the caller frees it */
	char	 mime_action[8];	/* other parts: strip or hold */
	char	*subject_prefix;	/* "[slug]" unless set, may be "";
					   the caller frees it */
	char	 reply_to[8];		/* list, author or both */
	int	 pending_hours;		/* 0: the site's mod_pending_interval */
	struct digest_schedule digest;
};

/* Load a group's policy: 1 found, 0 no such group, -1. Free with
 * store_policy_clear. */
int	store_policy_get(struct db *, int64_t group_id, struct group_policy *);
void	store_policy_clear(struct group_policy *);
/* Check every value: 0, or -1 with err naming the first bad field and
 * what it accepts (mime_types must be normalised). */
int	store_policy_check(const struct group_policy *, struct buf *err);
/* Write every value (checked first) inside the caller's transaction: 0,
 * or -1 with err set. */
int	store_policy_set(struct db *, int64_t group_id,
	    const struct group_policy *, struct buf *err);
/* The policy as a JSON object appended to out (for the audit log). */
void	store_policy_json(struct buf *out, const struct group_policy *);

/* A subject prefix as typed: 0 with out set to it trimmed of spaces, or
 * -1 when it is longer than STORE_POLICY_PREFIX_MAX, not UTF-8 or holds a
 * control character. */
int	store_policy_prefix_parse(const char *in, struct buf *out);

/* "sun" .. "sat" for 0 .. 6 ("" otherwise), and back (-1: unknown). */
const char *store_policy_weekday_name(int weekday);
int	store_policy_weekday(const char *name);

/* Posts member_id published in group_id since time since; -1 on error. */
int64_t	store_policy_posts_since(struct db *, int64_t group_id,
	    int64_t member_id, int64_t since);

#endif
