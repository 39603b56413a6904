/*
 * The members page of the moderators' panel, for a group's owners and
 * site administrators (daemon/modperm.h MODPERM_MEMBERS): the list with
 * filters, add one, change role, delivery and moderated flag, reset the
 * bounce state, remove. Every change is audited with before and after.
 */
#ifndef MAJLIS_MOD_MEMBERS_H
#define MAJLIS_MOD_MEMBERS_H

struct web_req;

/* Members listed at most on one page (the filters narrow the list). */
#define MOD_MEMBERS_MAX		500
/* Bytes of the text filter ?q= (matched in address and name). */
#define MOD_MEMBERS_QUERY_MAX	100

/* GET /mod/g/SLUG/members?role=&delivery=&q=; POST (CSRF) with action
 * add, set, remove or reset and the member's email. */
void	mod_members(struct web_req *);

#endif
