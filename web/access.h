/*
 * Who may see what. One function decides whether a viewer may read a group;
 * every page, feed, export and count asks it, and a refusal is answered
 * exactly like a group that does not exist.
 */
#ifndef MAJLIS_ACCESS_H
#define MAJLIS_ACCESS_H

#include <stdint.h>

#include "daemon/store_account.h"

struct db;
struct group;

/* The person behind a request, from their session (web/session.h).
 * member_id 0 is an anonymous reader; then the strings are empty. */
struct viewer {
	int64_t	 member_id;
	int	 is_admin;
	char	 name[ACCOUNT_NAME_MAX + 1];	/* display name, may be "" */
	char	 email[ACCOUNT_EMAIL_MAX + 1];
	char	 lang[4];			/* "ar", "fr", "en" or "" */
	char	 tz[ACCOUNT_ZONE_MAX + 1];	/* time zone name or "" */
};

/* 1 when the viewer may read the group's archive, 0 when not, -1 on a
 * database error. public: anyone; members: any signed-in member; private:
 * members of that group; site administrators: every group. */
int	access_group_read(struct db *, const struct viewer *,
	    const struct group *);

#endif
