/*
 * The policies page of a group in the moderators' panel: who may post,
 * first post held, size limit, posting rate, allowed MIME types and what
 * happens to other parts, the reminder interval of held mail
 * (moderators); language, visibility, description, subject prefix,
 * Reply-To and digest schedule (owners and administrators only); and the
 * group's bans (moderators). Every change is audited with before and
 * after.
 */
#ifndef MAJLIS_MOD_POLICY_H
#define MAJLIS_MOD_POLICY_H

struct web_req;

/* Digits of a number typed in the form (more is refused, not cut). */
#define MOD_POLICY_NUMBER_MAX	9

/* GET /mod/g/SLUG/policy; POST (CSRF) with action "policy" (the fields),
 * "ban" (value, subdomains) or "unban" (id). */
void	mod_policy(struct web_req *);

#endif
