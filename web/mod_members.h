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

/* Members in one CSV import (more: the whole import is refused). */
#define MOD_MEMBERS_IMPORT_MAX	1000
/* Bytes of one CSV line of an import. */
#define MOD_MEMBERS_LINE_MAX	1000
/* Fields of one CSV line: email, name, role, delivery, moderated. */
#define MOD_MEMBERS_FIELDS	5

/* GET /mod/g/SLUG/members?role=&delivery=&q=&bounce=ok|bouncing|suspended
 * &moderated=yes|no (an unknown value: 400); POST (CSRF) with action
 * add, set, remove or reset and the member's email, or import-preview /
 * import with the CSV text in csv (preview lists what each line would do,
 * with line numbers; import adds the good lines in one transaction and
 * lists what it did). */
void	mod_members(struct web_req *);
/* GET /mod/g/SLUG/members.csv: every member as CSV (a header line, then
 * email, name, role, delivery, moderated), readable by the import. */
void	mod_members_csv(struct web_req *);

#endif
