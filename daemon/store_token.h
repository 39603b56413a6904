/*
 * Single-use tokens (subscription confirmations and the like), stored hashed.
 */
#ifndef MAJLIS_STORE_TOKEN_H
#define MAJLIS_STORE_TOKEN_H

#include <stdint.h>

#include "daemon/token.h"

struct db;

#define STORE_TOKEN_TTL	(7 * 24 * 3600)	/* confirmations expire after a week */

struct token_info {
	char	 kind[16];
	int64_t	 group_id;
	char	 email[256];
	char	 name[256];
	int64_t	 created, expires;
	int	 used;
};

/* Create a token of kind for (group, email, name) valid ttl seconds; the
 * clear token (TOKEN_LEN chars) is written to out. Returns 0 or -1. */
int	store_token_add(struct db *, const char *kind, int64_t group_id,
	    const char *email, const char *name, int64_t ttl,
	    char out[TOKEN_LEN + 1]);
/* Look a token up without using it: 1 valid (info filled), 0 unknown,
 * expired or used, -1 error. */
int	store_token_peek(struct db *, const char *token, struct token_info *info);
/* Use a token once (inside the caller's transaction): 1 when this call used
 * it (info filled), 0 unknown/expired/already used, -1 error. */
int	store_token_use(struct db *, const char *token, struct token_info *info);

#endif
