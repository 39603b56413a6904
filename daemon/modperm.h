/*
 * Who may do what in the moderation of a group: roles member < moderator <
 * owner per group (memberships.role), site administrators above all. Every
 * moderation page, form, JSON answer and mail token asks modperm_check.
 */
#ifndef MAJLIS_MODPERM_H
#define MAJLIS_MODPERM_H

#include <stdint.h>

struct db;

enum modperm_role {
	MODPERM_NONE,		/* not a member of the group */
	MODPERM_MEMBER,
	MODPERM_MODERATOR,
	MODPERM_OWNER,
	MODPERM_ADMIN,		/* site administrator */
	MODPERM_NROLES
};

enum modperm_action {
	MODPERM_QUEUE,		/* see the held queue and read held messages */
	MODPERM_DECIDE,		/* approve, reject, discard */
	MODPERM_ALLOW,		/* approve and allow the sender */
	MODPERM_BAN,		/* ban a sender */
	MODPERM_LOG,		/* read the group's audit log */
	MODPERM_MEMBERS,	/* add, remove, change members */
	MODPERM_ROLES,		/* make moderators and owners */
	MODPERM_POSTS,		/* hide and restore posts, lock and pin threads */
	MODPERM_NACTIONS
};

/* The role of a memberships.role value ("member", "moderator", "owner";
 * anything else or NULL: MODPERM_NONE), or MODPERM_ADMIN when is_admin. */
enum modperm_role modperm_role(const char *role, int is_admin);
/* 1 when role may do action, else 0 (out-of-range values: 0). */
int	modperm_allows(enum modperm_role, enum modperm_action);
/* Whether member_id (is_admin: a site administrator) may do action in
 * group_id: 1 yes, 0 no (also for member 0 or group 0), -1 on a database
 * error. */
int	modperm_check(struct db *, int64_t member_id, int is_admin,
	    int64_t group_id, enum modperm_action);
/* The action's name for logs ("queue", "decide", ...). */
const char *modperm_action_name(enum modperm_action);

#endif
