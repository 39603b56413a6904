/*
 * Site administration (/admin), for site administrators only (others get
 * 404): create a group (slug checked by daemon/store_group.h, as majlisctl
 * group add does), archive it (read-only: pages stay, web posting closes,
 * mail to it is refused at RCPT with 550 5.7.1) or reopen it, delete it
 * (the slug typed again; its data is deleted, see store_group_delete),
 * edit its name, description and visibility (taken into account by the
 * next request of every page: the read check of web/access.c runs on
 * the group as loaded per request, before any kept rendering), and give
 * an address a role in it (member, moderator, owner). Every
 * change is CSRF-checked, audited with before/after, and a replay answers
 * 409.
 */
#ifndef MAJLIS_ADMIN_H
#define MAJLIS_ADMIN_H

struct web_req;

/* GET /admin: the groups and the creation form; POST (CSRF) slug, name,
 * language, visibility: create it, 303 to its page. */
void	admin_index(struct web_req *);
/* GET /admin/g/SLUG; POST (CSRF) action=archive|unarchive,
 * action=edit with name, description and visibility, action=role with
 * email and role, action=delete with confirm=SLUG. */
void	admin_group(struct web_req *);

#endif
