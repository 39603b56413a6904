/*
 * The digests' SQL: per-group schedules, one row per digest issued, the
 * members each went to (written with their outbox row), per-member marks
 * (the last post a member got by digest or by each-post copies), and the
 * posts and members a digest is built from.
 */
#ifndef MAJLIS_STORE_DIGEST_H
#define MAJLIS_STORE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"

struct db;

#define DIGEST_TZ_MAX		64	/* bytes of an IANA zone name */
#define DIGEST_DEFAULT_WEEKDAY	1	/* Monday (0 is Sunday) */
#define DIGEST_DEFAULT_HOUR	8
#define DIGEST_DEFAULT_TZ	"Africa/Casablanca"

struct digest_schedule {
	int	 weekday;			/* 0 Sunday .. 6 Saturday */
	int	 hour;				/* 0 .. 23, local */
	char	 tz[DIGEST_TZ_MAX];		/* IANA name */
};

struct digest_row {
	int64_t	 id, group_id;
	char	 kind[8];			/* "daily" or "weekly" */
	int64_t	 period_start, period_end;
	int	 volume, issue;
	int64_t	 base_post_id;	/* last post before the period (default mark) */
	int64_t	 max_post_id;	/* last post of the group when it was made */
	char	 state[8];			/* "sending" or "done" */
};

/* A member a digest still has to go to, with what it is built for. */
struct digest_member {
	int64_t	 member_id;
	char	*email, *name;
	char	 locale[4];
	char	 timezone[DIGEST_TZ_MAX];
	char	 unsub_token[48];
	int64_t	 mark;		/* posts after this one are theirs */
};

/* A post of a digest (hidden posts are never loaded). */
struct digest_post {
	int64_t	 id, thread_id, parent_id, created;
	int64_t	 thread_first;	/* first post of the thread */
	char	*thread_subject, *author_name, *subject, *body, *message_id;
	char	*attachments;	/* "ID\tNAME\n" lines, "" when none */
};

void	store_digest_member_clear(struct digest_member *);
void	store_digest_post_clear(struct digest_post *);

/* The group's schedule (defaults when none was set): 0, or -1. */
int	store_digest_schedule_get(struct db *, int64_t group_id,
	    struct digest_schedule *out);
/* Set it (inside the caller's transaction): 0 or -1. */
int	store_digest_schedule_set(struct db *, int64_t group_id,
	    const struct digest_schedule *);
/* The latest digest of (group, kind): 1 found, 0 none, -1 error. */
int	store_digest_last(struct db *, int64_t group_id, const char *kind,
	    struct digest_row *out);
int	store_digest_get(struct db *, int64_t id, struct digest_row *out);
/* The oldest digest still being sent: 1 found, 0 none, -1 error. */
int	store_digest_next_sending(struct db *, struct digest_row *out);
/*
 * Issue a digest of (group, kind) ending at period_end (inside the caller's
 * transaction): the period starts where the previous one ended (or at
 * period_start_dflt), max_post_id is the group's last post now, volume is
 * the year of the group's life and issue counts within it. Returns the new
 * id, 0 when one already ends at period_end, -1 on error.
 */
int64_t	store_digest_create(struct db *, int64_t group_id, const char *kind,
	    int64_t period_start_dflt, int64_t period_end, int64_t group_created);
/* Members of d's kind not yet done, in member id order after `after`, at
 * most max; fn gets each (borrowed). Returns the count or -1. */
int	store_digest_members(struct db *, const struct digest_row *d,
	    int64_t after, int max,
	    int (*fn)(void *, const struct digest_member *), void *arg);
/* Lowest mark of the members d still has to go to (d->max_post_id when
 * none). */
int64_t	store_digest_low_mark(struct db *, const struct digest_row *d);
/* The visible posts of the group with after < id <= upto, at most max (the
 * newest), in id order; fn gets each (borrowed). Count or -1. */
int	store_digest_posts(struct db *, int64_t group_id, int64_t after,
	    int64_t upto, int max,
	    int (*fn)(void *, const struct digest_post *), void *arg);
/* The same posts' ids and times only (what a slice counts and localises
 * with): fn gets each. Count or -1. */
int	store_digest_post_times(struct db *, int64_t group_id, int64_t after,
	    int64_t upto, int max,
	    int (*fn)(void *, int64_t id, int64_t created), void *arg);
/*
 * Record that digest d went to member (inside the caller's transaction):
 * their progress row (outbox_id 0: nothing to send), and their mark moved
 * to d->max_post_id. Returns 1, 0 when it was recorded already (the
 * caller must roll back what it queued), -1 on error.
 */
int	store_digest_record(struct db *, const struct digest_row *d,
	    int64_t member_id, int64_t outbox_id, int posts);
/* The key of a stored body: the copies of a digest with the same key
 * share it. */
struct digest_body_key {
	int64_t		 digest_id, mark;
	const char	*locale, *timezone;
};

/* A stored body (a template of mail/digest.c, kept as its parts). */
struct digest_body {
	int64_t		 id, digest_id;
	struct buf	 head, text, html;
	char		*holes;
	char		*boundary;
};

void	store_digest_body_clear(struct digest_body *);
/* The id of the body with key k: the id, 0 none, -1 error. */
int64_t	store_digest_body_find(struct db *, const struct digest_body_key *k);
/* Store a body made at time `created` under key k (inside the caller's
 * transaction). Returns its id or -1. */
int64_t	store_digest_body_add(struct db *, const struct digest_body_key *k,
	    const struct buf *head, const struct buf *text,
	    const struct buf *html, const char *holes, const char *boundary,
	    int64_t created);
/* Load body id: 1 found, 0 gone, -1 error. */
int	store_digest_body_get(struct db *, int64_t id, struct digest_body *out);
/* Bodies stored (all digests). */
int64_t	store_digest_body_count(struct db *);
/* Mark a digest done (inside the caller's transaction) and drop its bodies
 * that no queued outbox row needs: 0 or -1. */
int	store_digest_finish(struct db *, int64_t id);
/* Copies queued for a digest (progress rows with an outbox row). */
int64_t	store_digest_copies(struct db *, int64_t id);

#endif
