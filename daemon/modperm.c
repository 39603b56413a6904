/*
 * The role × action table of moderation (see modperm.h).
 */
#include <config.h>

#include <string.h>

#include "daemon/modperm.h"
#include "daemon/store_mod.h"

/* The lowest role that may do each action. */
static const enum modperm_role modperm_min[MODPERM_NACTIONS] = {
	[MODPERM_QUEUE] = MODPERM_MODERATOR,
	[MODPERM_DECIDE] = MODPERM_MODERATOR,
	[MODPERM_ALLOW] = MODPERM_MODERATOR,
	[MODPERM_BAN] = MODPERM_MODERATOR,
	[MODPERM_LOG] = MODPERM_MODERATOR,
	[MODPERM_MEMBERS] = MODPERM_OWNER,
	[MODPERM_ROLES] = MODPERM_OWNER,
	[MODPERM_POSTS] = MODPERM_MODERATOR,
};

static const char *const modperm_names[MODPERM_NACTIONS] = {
	"queue", "decide", "allow", "ban", "log", "members", "roles",
	"posts" };

enum modperm_role
modperm_role(const char *role, int is_admin)
{
	if (is_admin)
		return MODPERM_ADMIN;
	if (role == NULL)
		return MODPERM_NONE;
	if (strcmp(role, "member") == 0)
		return MODPERM_MEMBER;
	if (strcmp(role, "moderator") == 0)
		return MODPERM_MODERATOR;
	if (strcmp(role, "owner") == 0)
		return MODPERM_OWNER;
	return MODPERM_NONE;
}

int
modperm_allows(enum modperm_role role, enum modperm_action action)
{
	if ((int)action < 0 || action >= MODPERM_NACTIONS || (int)role < 0 ||
	    role >= MODPERM_NROLES || role == MODPERM_NONE)
		return 0;
	return role >= modperm_min[action];
}

int
modperm_check(struct db *db, int64_t member_id, int is_admin,
    int64_t group_id, enum modperm_action action)
{
	char role[16];
	if (member_id <= 0 || group_id <= 0)
		return 0;
	if (is_admin)
		return modperm_allows(MODPERM_ADMIN, action);
	int rc = store_mod_role(db, member_id, group_id, role, sizeof role);
	if (rc != 1)
		return rc;
	return modperm_allows(modperm_role(role, 0), action);
}

const char *
modperm_action_name(enum modperm_action action)
{
	if ((int)action < 0 || action >= MODPERM_NACTIONS)
		return "?";
	return modperm_names[action];
}
