/*
 * Bans: their SQL. Per group or site-wide (group 0), added, listed,
 * removed, and the check of a sender against every ban that applies.
 */
#ifndef MAJLIS_STORE_BAN_H
#define MAJLIS_STORE_BAN_H

#include <stdint.h>

#include "daemon/ban.h"
#include "daemon/buf.h"

struct db;

/* Bans at most in one scope (a group, or the site): a check costs at most
 * this many matches, each bounded by ban.h. */
#define STORE_BAN_MAX		1000

struct ban_row {
	int64_t		 id, group_id;	/* group 0: site-wide */
	const char	*slug;		/* "" for site-wide */
	enum ban_kind	 kind;
	const char	*value, *added_by;
	int		 subdomains;
	int64_t		 created;
};

/*
 * Add a ban (value as ban_parse normalised it) to group_id (0: the site),
 * inside the caller's transaction. Returns the new id, 0 when the scope
 * already has this value, -2 when the scope holds STORE_BAN_MAX bans,
 * -1 on error.
 */
int64_t	store_ban_add(struct db *, int64_t group_id, enum ban_kind,
	    const char *value, int subdomains, const char *by);
/* Remove ban id: 1 removed, 0 no such ban, -1. */
int	store_ban_remove(struct db *, int64_t id);
/* Load ban id; strings live until the next call on db (copy them). 1, 0
 * for no such ban, -1. */
int	store_ban_get(struct db *, int64_t id, struct ban_row *out);
/* Remove the exact-address ban of addr in group_id: 1, 0 none, -1. */
int	store_ban_remove_address(struct db *, int64_t group_id,
	    const char *addr);

enum store_ban_scope { STORE_BAN_ALL, STORE_BAN_SITE, STORE_BAN_GROUP };
/* Each ban of the scope (every ban, the site's, or group_id's), by group
 * then id; fn returning -1 stops. 0/-1. */
int	store_ban_each(struct db *, enum store_ban_scope, int64_t group_id,
	    int (*fn)(void *, const struct ban_row *), void *arg);

/*
 * Whether addr is banned in group_id (by the group's or a site-wide ban):
 * 1 with why replaced by "KIND VALUE" of the first ban that matched, 0
 * not, -1 on error.
 */
int	store_ban_check(struct db *, int64_t group_id, const char *addr,
	    struct buf *why);

#endif
