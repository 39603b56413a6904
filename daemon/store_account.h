/*
 * Web accounts in the database: the account side of a member (password
 * hash, language, time zone), sessions (only a hash of the cookie token is
 * stored), rate-limit buckets, and registrations waiting for their
 * confirmation. The SQL of accounts lives here and nowhere else.
 */
#ifndef MAJLIS_STORE_ACCOUNT_H
#define MAJLIS_STORE_ACCOUNT_H

#include <stdint.h>

#include "daemon/buf.h"

struct db;

#define ACCOUNT_EMAIL_MAX	254	/* bytes of an address */
#define ACCOUNT_NAME_MAX	100	/* bytes of a display name */
#define ACCOUNT_ZONE_MAX	64	/* bytes of a time zone name */
#define ACCOUNT_HASH_MAX	160	/* bytes of a stored password hash */
#define STORE_SESSION_HASH_LEN	64	/* hex of a 32-byte digest */
#define STORE_SESSION_CSRF_MAX	64	/* bytes of a session's CSRF secret */

/* A member as an account. has_password is 0 for a member known only by
 * mail (no web account yet). */
struct account {
	int64_t	 id;
	char	 email[ACCOUNT_EMAIL_MAX + 1];
	char	 name[ACCOUNT_NAME_MAX + 1];
	char	 locale[4];
	char	 timezone[ACCOUNT_ZONE_MAX + 1];
	char	 password_hash[ACCOUNT_HASH_MAX + 1];
	int	 has_password;
	int	 is_admin;
};

/* A live session with its member. */
struct session_row {
	int64_t		 id;
	int64_t		 created, last_seen, expires;
	char		 csrf[STORE_SESSION_CSRF_MAX + 1];
	struct account	 account;
};

/* One group of a member, for the settings page. */
struct account_group {
	int64_t		 group_id;
	const char	*slug, *name, *delivery;
	int		 receive_own;
};

/* Member by address (case-insensitive) or id: 1 found, 0 not, -1 error. */
int	store_account_by_email(struct db *, const char *email, struct account *);
int	store_account_by_id(struct db *, int64_t id, struct account *);
/* Set the password hash of a member and void its unused reset links
 * (tokens of kind ACCOUNT_KIND_RESET for its address): a link mailed
 * before the change, or a second link, must not undo it. 0 or -1. */
int	store_account_set_password(struct db *, int64_t member_id,
	    const char *hash);
/* 1 when the member's stored password hash is still hash ("" for none),
 * 0 when it changed (a fresh salt makes every new hash differ), -1 error.
 * A check done off the transaction (daemon/hashq.c) is acted on only
 * when this holds inside it. */
int	store_account_hash_is(struct db *, int64_t member_id, const char *hash);
/* Set the display name; set or clear site administration. 0 or -1. */
int	store_account_set_name(struct db *, int64_t member_id, const char *name);
int	store_account_set_admin(struct db *, int64_t member_id, int is_admin);
/* Set name, language and time zone (values validated by the caller). */
int	store_account_set_profile(struct db *, int64_t member_id,
	    const char *name, const char *locale, const char *timezone);
/* The groups of a member ordered by slug; stops when fn returns -1. */
int	store_account_groups(struct db *, int64_t member_id,
	    int (*fn)(void *, const struct account_group *), void *arg);

/* A registration waiting for its confirmation, keyed by the hash of its
 * token (a row of tokens): the password hash and language chosen. */
int	store_account_pending_add(struct db *, const char *token_hash,
	    const char *password_hash, const char *locale);
/* 1 found (hash and locale filled), 0 not, -1 error. */
int	store_account_pending_get(struct db *, const char *token_hash,
	    char hash[ACCOUNT_HASH_MAX + 1], char locale[4]);

/* Sessions. hash is the hex digest of the cookie token. */
int64_t	store_session_add(struct db *, const char *hash, int64_t member_id,
	    int64_t now, int64_t expires, const char *csrf);
/* The session of hash that is not past expires nor idle for more than
 * idle seconds at now: 1 found, 0 none, -1 error. */
int	store_session_get(struct db *, const char *hash, int64_t now,
	    int64_t idle, struct session_row *);
int	store_session_touch(struct db *, int64_t id, int64_t now);
/* 1 when session id still exists (not ended since it was read), 0 not,
 * -1 error. */
int	store_session_exists(struct db *, int64_t id);
int	store_session_delete(struct db *, int64_t id);
/* Every session of a member (password change, reset). */
int	store_session_delete_member(struct db *, int64_t member_id);
/* Forget sessions past their expiry or idle limit. */
int	store_session_purge(struct db *, int64_t now, int64_t idle);
/* Number of sessions of a member (tests, majlisctl). */
int64_t	store_session_count(struct db *, int64_t member_id);

/*
 * Rate limits: one bucket per key ("login-ip:192.0.2.1") counts events in
 * a fixed window of `window` seconds starting at the first event.
 * store_rate_hit counts one event and returns 1 while the count stays
 * within max, 0 once it would go over (not counted), -1 on error.
 * store_rate_ok only looks (1 within, 0 at the limit). store_rate_clear
 * forgets a bucket.
 */
int	store_rate_hit(struct db *, const char *key, int64_t window, int max,
	    int64_t now);
int	store_rate_ok(struct db *, const char *key, int64_t window, int max,
	    int64_t now);
int	store_rate_clear(struct db *, const char *key);
/* Forget buckets whose window started before `before`. */
int	store_rate_purge(struct db *, int64_t before);

#endif
