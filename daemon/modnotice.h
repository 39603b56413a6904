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
 * Queue one system mail from the owner address of group g
 * (slug-owner@list_domain, the group's name, its List-Id, Auto-Submitted:
 * auto-replied) to email, inside the caller's transaction; subject and
 * text are UTF-8 (the subject is RFC 2047-encoded when it needs it); lang
 * ("ar", "fr", "en") is written as Content-Language, NULL for none. The
 * outbox signs it (DKIM) like any mail. Strings are borrowed. 0 or -1.
 */
int	modnotice_owner_mail(struct db *, const struct group *g,
	    const char *list_domain, const char *email, const char *subject,
	    const char *text, const char *lang);

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
