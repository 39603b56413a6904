/*
 * The short notice a member gets when a group's owner changes their
 * membership (added, removed, role or delivery changed, bounce state
 * reset), in their language; a group turns these off on its policies page
 * (group_policy.member_notices).
 */
#ifndef MAJLIS_MODNOTICE_H
#define MAJLIS_MODNOTICE_H

#include <stdint.h>

struct db;
struct group;

enum modnotice_kind { MODNOTICE_ADDED, MODNOTICE_REMOVED, MODNOTICE_CHANGED,
	MODNOTICE_RESET };

/*
 * Queue the notice of kind to email about group g (role and delivery: the
 * membership after the change; ignored for MODNOTICE_REMOVED), from the
 * group's owner address, inside the caller's transaction, unless the group
 * turned notices off. 0 (queued or off) or -1.
 */
int	modnotice_member(struct db *, const char *list_domain,
	    const struct group *g, const char *email, enum modnotice_kind,
	    const char *role, const char *delivery);

#endif
