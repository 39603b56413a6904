/*
 * Invitations by mail (daemon/invite.h) on the web: a group's owners
 * (daemon/modperm.h MODPERM_MEMBERS) invite addresses, see the pending
 * invitations and revoke them; the invitee's link opens a page whose
 * button (a POST: mail scanners follow links) makes them a member.
 */
#ifndef MAJLIS_MOD_INVITE_H
#define MAJLIS_MOD_INVITE_H

struct web_req;

/* GET /mod/g/SLUG/invites: the invitation form and the pending ones;
 * POST (CSRF) action=invite with addresses (at most INVITE_BATCH_MAX,
 * separated by spaces, commas, semicolons or lines: a bad one refuses the
 * whole request with 400, naming it; an archived group: 409) or
 * action=revoke with email (none pending: 409). */
void	mod_invite(struct web_req *);
/* GET /invite/TOKEN: what the link offers and a button; POST: accept it.
 * An unknown, used, replaced, revoked or expired link answers 404; the
 * link of a group archived since answers 409 and stays valid. */
void	mod_invite_accept(struct web_req *);

#endif
