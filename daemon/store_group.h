/*
 * Groups and memberships in the database.
 */
#ifndef MAJLIS_STORE_GROUP_H
#define MAJLIS_STORE_GROUP_H

#include <stdint.h>

#include "daemon/buf.h"

struct db;

#define GROUP_SLUG_MAX	64
#define GROUP_NAME_MAX	200

struct group {
	int64_t	 id;
	char	 slug[GROUP_SLUG_MAX];
	char	*name;
	char	*description;
	char	 visibility[16];
	char	 language[4];
	char	 post_policy[16];
	int64_t	 created;
	int	 archived;
	char	*subject_prefix;	/* of list copies (group_policy); NULL
					   is read as "[slug]" */
	char	 reply_to[8];		/* list, author or both; "": list */
};

struct membership {
	int64_t	 group_id;
	int64_t	 member_id;
	char	*email;
	char	*name;
	char	 role[16];
	char	 delivery[16];
	int	 moderated;
	int	 receive_own;
	int	 bounce_score;
	int	 suspended;
	char	 unsub_token[48];
	int64_t	 joined;
};

/* Free the strings of a group / membership (the struct itself is the
 * caller's) and zero it. */
void	store_group_clear(struct group *);
/* Make dst a copy of src owning its own strings (free with
 * store_group_clear): a job handed to another thread keeps its group. */
void	store_group_copy(struct group *dst, const struct group *src);
void	store_membership_clear(struct membership *);

/* Add a group; returns its id, or -1 with err set (duplicate slug, bad value). */
int64_t	store_group_add(struct db *, const char *slug, const char *name,
	    const char *description, const char *visibility, const char *language,
	    struct buf *err);
/* 1 when slug may name a group: 1 to GROUP_SLUG_MAX - 1 lower-case
 * letters, digits or hyphens, not starting with a hyphen, not ending with
 * a command suffix (-request, -join, -leave, -owner, -bounces, -confirm,
 * -moderate); else 0. */
int	store_group_slug_valid(const char *slug);
/* Set a group's name, description and visibility (values checked by the
 * caller): 1 changed, 0 already so (or no such group), -1. */
int	store_group_edit(struct db *, int64_t group_id, const char *name,
	    const char *description, const char *visibility);
/* Archive (1) or reopen (0) a group: 1 changed, 0 already so, -1. */
int	store_group_set_archived(struct db *, int64_t group_id, int archived);
/* Delete a group and everything of it, inside the caller's transaction:
 * memberships, threads, posts, attachments, held messages, tokens,
 * outbox rows, digests, bans, policies (ON DELETE CASCADE), the raw
 * messages no other group holds (inbound rows of its posts and held
 * messages); its audit rows stay, detached from the group id (which a
 * later group may get). 1 deleted, 0 no such group, -1. */
int	store_group_delete(struct db *, int64_t group_id);
/* Look a group up by slug or id: 1 found (out filled), 0 not found, -1 error. */
int	store_group_get(struct db *, const char *slug, struct group *out);
int	store_group_get_id(struct db *, int64_t id, struct group *out);
/* Call fn for every group ordered by slug; stops early when fn returns -1. */
int	store_group_each(struct db *, int (*fn)(void *, const struct group *),
	    void *arg);
/* Number of current members of a group. */
int64_t	store_group_count_members(struct db *, int64_t group_id);

/* Find a member by address or create one (name updated when it was empty).
 * Returns the member id or -1. */
int64_t	store_member_ensure(struct db *, const char *email, const char *name);
/* Find a member by address or create one with this name: an existing
 * member's name is never touched (what an owner adds or imports must not
 * name someone else's account on every group). Returns the id or -1. */
int64_t	store_member_find_or_add(struct db *, const char *email,
	    const char *name);

/* Add a member to a group: 1 added, 0 already a member, -1 error (err set). */
int	store_membership_add(struct db *, int64_t group_id, int64_t member_id,
	    const char *role, const char *delivery, struct buf *err);
/* Membership of an address in a group: 1 found, 0 not, -1 error. */
int	store_membership_get(struct db *, int64_t group_id, const char *email,
	    struct membership *out);
/* Membership of member_id in a group: 1 found, 0 not, -1 error. */
int	store_membership_by_member(struct db *, int64_t group_id,
	    int64_t member_id, struct membership *out);
/* Membership by its one-click unsubscribe token: 1 found, 0 not, -1 error. */
int	store_membership_by_token(struct db *, const char *token,
	    struct membership *out);
/* Remove a membership: 1 removed, 0 none, -1 error. */
int	store_membership_remove(struct db *, int64_t group_id, int64_t member_id);
/* Change one field: field is "delivery", "role", "moderated", "receive_own",
 * "suspended" or "bounce_score"; value is text or a number as text.
 * Returns 1 changed, 0 no such membership, -1 error (err set). */
int	store_membership_set(struct db *, int64_t group_id, int64_t member_id,
	    const char *field, const char *value, struct buf *err);
/* Every membership of a group ordered by address; stops when fn returns -1. */
int	store_membership_each(struct db *, int64_t group_id,
	    int (*fn)(void *, const struct membership *), void *arg);
/* Add n to the bounce score; returns the new score or -1. */
int	store_membership_bounce(struct db *, int64_t group_id, int64_t member_id,
	    int n);

#endif
