/*
 * Moderation: its SQL. Roles, the groups a person moderates with their
 * queue sizes, the text of held messages, allowed and banned senders,
 * the tokens of the approve/reject addresses, and the audit log.
 */
#ifndef MAJLIS_STORE_MOD_H
#define MAJLIS_STORE_MOD_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"
#include "daemon/token.h"

struct db;

/* A token of a moderation address expires after this many seconds. */
#define STORE_MOD_TOKEN_TTL	(14 * 24 * 3600)
/* Rows of the audit log shown at most per page. */
#define STORE_MOD_LOG_MAX	200

/* The member's role in the group copied to role: 1 found, 0 not a member,
 * -1 error. */
int	store_mod_role(struct db *, int64_t member_id, int64_t group_id,
	    char *role, size_t rolesz);

struct mod_group {
	int64_t		 id;
	const char	*slug;
	const char	*name;
	int64_t		 pending;	/* held messages waiting */
};
/* Every group member_id moderates or owns (every group for an
 * administrator), by slug, with its pending count; fn returning -1 stops.
 * 0 or -1. */
int	store_mod_groups(struct db *, int64_t member_id, int is_admin,
	    int (*fn)(void *, const struct mod_group *), void *arg);
/* Whether member_id moderates a group (an administrator: whether a group
 * exists): 1 with *pending set to the held messages waiting in those
 * groups, 0 not, -1 on error. */
int	store_mod_pending(struct db *, int64_t member_id, int is_admin,
	    int64_t *pending);

/* Keep the sender's display name and the text of held message id. 0/-1. */
int	store_mod_held_set_text(struct db *, int64_t held_id,
	    const char *from_name, const char *text);
/* Append the stored display name and text of held message id. 1, 0 when
 * there is no such message, -1. */
int	store_mod_held_text(struct db *, int64_t held_id, struct buf *from_name,
	    struct buf *text);

enum store_mod_sender { STORE_MOD_SENDER_NONE, STORE_MOD_SENDER_ALLOW,
	STORE_MOD_SENDER_BAN };
/* Put addr on the group's allow list or ban it (an exact-address ban of
 * daemon/store_ban.h), replacing what it was; NONE takes it off both.
 * Inside the caller's transaction. 0/-1. */
int	store_mod_sender_set(struct db *, int64_t group_id, const char *addr,
	    enum store_mod_sender kind, const char *by);
/* Which list addr is on (ASCII case ignored; BAN only for an exact-address
 * ban of this group, store_ban_check sees domains and patterns too); -1 on
 * error. */
int	store_mod_sender_get(struct db *, int64_t group_id, const char *addr);

/* A token for action ("approve" or "reject") of held_id by member_id,
 * valid STORE_MOD_TOKEN_TTL seconds; the clear token goes to out. 0/-1. */
int	store_mod_token_add(struct db *, int64_t held_id, int64_t member_id,
	    const char *action, char out[TOKEN_LEN + 1]);
struct mod_token {
	int64_t	 held_id, member_id;
	char	 action[16];
};
/* Look a token up: 1 valid, unused and unexpired (out filled), 0 not, -1. */
int	store_mod_token_peek(struct db *, const char *token, struct mod_token *);
/* Use it once (inside the caller's transaction): 1 when this call used it,
 * 0 unknown, expired or used, -1. */
int	store_mod_token_use(struct db *, const char *token, struct mod_token *);

/* Hide (1) or show (0) a post: 1 changed, 0 already so or no such post,
 * -1. */
int	store_mod_post_hide(struct db *, int64_t post_id, int hidden);

struct mod_thread {
	int64_t	 id, group_id;
	int	 locked, pinned;
	char	*subject;	/* the caller frees it */
};
/* Load a thread: 1 found, 0 not, -1. */
int	store_mod_thread_get(struct db *, int64_t thread_id, struct mod_thread *);
/* Whether replies to the thread are closed: 1 locked, 0 not, no such
 * thread or a database error (logged). */
int	store_mod_thread_locked(struct db *, int64_t thread_id);
/* Set locked (pin 0) or pinned (pin 1) to on: 1 changed, 0 already so,
 * -1. */
int	store_mod_thread_set(struct db *, int64_t thread_id, int pin, int on);

/* Thread operations (web/mod_thread.c), each inside the caller's
 * transaction. A merged thread keeps its row, empty, with merged_into set,
 * and is shown nowhere; its URL redirects to the thread it went to. */

/* Where a thread is now: *group_id its group, *merged_into the thread it
 * was merged into (0: none). 1 found, 0 no such thread, -1. */
int	store_mod_thread_where(struct db *, int64_t thread_id, int64_t *group_id,
	    int64_t *merged_into);
/* Number of posts of the thread whose Message-ID group_id already holds
 * (a move there would clash), or -1. */
int64_t	store_mod_thread_clashes(struct db *, int64_t thread_id,
	    int64_t group_id);
/* Move a thread (its posts, and the rows of threads merged into it) to
 * group_id: 1 moved, 0 it is there already or no such thread, -1. */
int	store_mod_thread_move(struct db *, int64_t thread_id, int64_t group_id);
/* Split post_id and its replies (the subtree below it within its thread)
 * into a new thread titled subject: 1 with *new_thread and *moved (posts
 * moved) set, 0 when the post starts its thread already or does not
 * exist, -1. The post loses its parent. The new thread has no subject key
 * (threading by subject never picks it; In-Reply-To does). */
int	store_mod_thread_split(struct db *, int64_t post_id, const char *subject,
	    int64_t *new_thread, int64_t *moved);
/* Merge thread from into thread into (posts take into's group): 1 with
 * *moved set, 0 when from is merged already or does not exist, -1. */
int	store_mod_thread_merge(struct db *, int64_t from, int64_t into,
	    int64_t *moved);
/* Retitle a thread: 1 changed, 0 same subject or no such thread, -1. The
 * subject key used for threading mail by subject is kept, so that replies
 * to copies sent under the old subject still find the thread. */
int	store_mod_thread_subject(struct db *, int64_t thread_id,
	    const char *subject);

/* Reminders of pending held messages (daemon/modpending.c). */
struct mod_pending_group {
	int64_t		 id, pending;
	const char	*slug, *name;
};
/* Every group with held messages waiting, one of them held at least its
 * interval before now, whose last reminder went at least its interval
 * before now (or never), by id; a group's interval is its pending_hours
 * (group_policy) or, when 0, site_interval seconds. pending counts them
 * all. fn returning -1 stops. 0/-1. */
int	store_mod_pending_due(struct db *, int64_t now, int64_t site_interval,
	    int (*fn)(void *, const struct mod_pending_group *), void *arg);
/* Record that the group's reminder went at now for pending messages,
 * inside the caller's transaction. 0/-1. */
int	store_mod_pending_sent(struct db *, int64_t group_id, int64_t now,
	    int64_t pending);
struct mod_pending_held {
	int64_t		 id, created;
	const char	*sender, *subject, *reason;
};
/* The group's oldest max held messages waiting. 0/-1. */
int	store_mod_pending_held(struct db *, int64_t group_id, int max,
	    int (*fn)(void *, const struct mod_pending_held *), void *arg);
struct mod_moderator {
	int64_t		 id;
	const char	*email, *name, *locale;
};
/* The group's moderators and owners who are not suspended, by id. 0/-1. */
int	store_mod_moderators(struct db *, int64_t group_id,
	    int (*fn)(void *, const struct mod_moderator *), void *arg);

/* Append to the audit log with the state before and after (JSON texts,
 * may be NULL), inside the caller's transaction. 0/-1. */
int	store_mod_audit(struct db *, const char *actor, const char *action,
	    int64_t group_id, const char *target, const char *detail,
	    const char *before, const char *after);
struct mod_audit {
	int64_t		 id, time, group_id;
	const char	*slug, *actor, *action, *target, *detail, *before,
			*after;
};
/* The newest STORE_MOD_LOG_MAX rows of the groups member_id moderates
 * (every row for an administrator), restricted to group_id and action
 * when not 0/NULL. 0/-1. */
int	store_mod_audit_each(struct db *, int64_t member_id, int is_admin,
	    int64_t group_id, const char *action,
	    int (*fn)(void *, const struct mod_audit *), void *arg);

#endif
