/*
 * Pending invitations to groups: their SQL (schema migration 15). One row
 * per group and address; only the SHA-256 of the token is stored.
 */
#ifndef MAJLIS_STORE_INVITE_H
#define MAJLIS_STORE_INVITE_H

#include <stdint.h>

#include "daemon/store_account.h"
#include "daemon/token.h"

struct db;

struct invite {
	int64_t	 group_id;
	char	 email[ACCOUNT_EMAIL_MAX + 1];
	char	 invited_by[ACCOUNT_EMAIL_MAX + 1];
	int64_t	 created, expires;
};

/* Invite email to group_id for ttl seconds on behalf of invited_by,
 * inside the caller's transaction: a fresh token goes to out (TOKEN_LEN
 * chars) and replaces the one of an earlier invitation of the same
 * address; expired invitations are dropped. 0 or -1. */
int	store_invite_put(struct db *, int64_t group_id, const char *email,
	    const char *invited_by, int64_t ttl, char out[TOKEN_LEN + 1]);
/* The invitation of token, not expired: 1 (out filled), 0 unknown,
 * replaced, used, revoked or expired, -1. */
int	store_invite_get(struct db *, const char *token, struct invite *out);
/* Use the invitation of token (deleted), inside the caller's
 * transaction: 1 (out filled), 0 as store_invite_get, -1. */
int	store_invite_take(struct db *, const char *token, struct invite *out);
/* When the pending invitation of email to group_id was made: 1 (*created
 * set), 0 none pending, -1. */
int	store_invite_created(struct db *, int64_t group_id, const char *email,
	    int64_t *created);
/* Revoke the invitation of email to group_id: 1, 0 none pending, -1. */
int	store_invite_revoke(struct db *, int64_t group_id, const char *email);
/* Call fn for each pending (unexpired) invitation of group_id, oldest
 * first, at most limit of them; stops when fn returns -1. 0 or -1. */
int	store_invite_each(struct db *, int64_t group_id, int limit,
	    int (*fn)(void *, const struct invite *), void *arg);

#endif
