/*
 * Invitations by mail: an owner of a group (daemon/modperm.h
 * MODPERM_MEMBERS) names one or several addresses; each that is not a
 * member gets a mail, in its account's language when it chose one on the
 * web, else in the group's, with a single-use link (/invite/TOKEN, the
 * token stored hashed, valid INVITE_TTL seconds) whose page subscribes it
 * by a POST. Inviting again replaces the link; an owner lists and
 * revokes pending invitations. Everything is audited.
 */
#ifndef MAJLIS_INVITE_H
#define MAJLIS_INVITE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/buf.h"
#include "daemon/store_invite.h"

struct db;
struct group;

/* Seconds an invitation link stays valid. */
#define INVITE_TTL		(7 * 24 * 3600)
/* Addresses in one request. */
#define INVITE_BATCH_MAX	50
/* Bytes of the text holding them (an address and a separator each). */
#define INVITE_TEXT_MAX		(INVITE_BATCH_MAX * (ACCOUNT_EMAIL_MAX + 2))
/* Seconds before the same address may be invited again (a second click,
 * a replayed form: no second mail). */
#define INVITE_RESEND_MIN	60
/* Pending invitations listed on a group's page. */
#define INVITE_LIST_MAX		500

enum invite_parse_result {
	INVITE_PARSE_OK,
	INVITE_PARSE_EMPTY,		/* no address */
	INVITE_PARSE_TOO_LONG,		/* over INVITE_TEXT_MAX bytes */
	INVITE_PARSE_TOO_MANY,		/* over INVITE_BATCH_MAX addresses */
	INVITE_PARSE_BAD,		/* one is not an address */
};

struct invite_list {
	char	*addr[INVITE_BATCH_MAX];
	size_t	 n;
};

/*
 * Split text into addresses separated by white space, commas or
 * semicolons; an address given twice (in any case) counts once. OK: the
 * addresses in out (free with invite_list_free); BAD: bad holds the first
 * one that is not an address (nothing in out); the other results leave
 * out empty.
 */
enum invite_parse_result invite_parse(const char *text,
	    struct invite_list *out, struct buf *bad);
void	invite_list_free(struct invite_list *);

enum invite_send_result {
	INVITE_SENT,		/* mail queued, the older link replaced */
	INVITE_IS_MEMBER,	/* already a member: no mail */
	INVITE_RECENT,		/* invited less than INVITE_RESEND_MIN
				 * seconds ago: no mail */
	INVITE_ARCHIVED,	/* the group is archived: nothing done */
	INVITE_FAILED,
};

/*
 * Invite email to g on behalf of inviter, inside the caller's transaction:
 * the link's token, the mail in the outbox (from slug-owner@list_domain;
 * signed at delivery like all mail), the audit row "member.invite".
 * site_url is the base of the link.
 */
enum invite_send_result invite_send(struct db *, const char *list_domain,
	    const char *site_url, const struct group *g, const char *email,
	    const char *inviter);
/* Revoke the pending invitation of email to g, audited
 * ("member.invite-revoke"), inside the caller's transaction: 1, 0 none
 * pending, -1. */
int	invite_revoke(struct db *, const struct group *g, const char *email,
	    const char *actor);

enum invite_accept_result {
	INVITE_JOINED,		/* now a member */
	INVITE_ALREADY,		/* was one already (the link is used up) */
	INVITE_INVALID,		/* unknown, replaced, revoked, used or expired */
	INVITE_CLOSED,		/* the group was archived since: nothing
				 * done, the link still valid once reopened */
	INVITE_ERROR,
};

/*
 * Accept the invitation of token, inside the caller's transaction: the
 * token is used up; the address becomes a member (created when unknown,
 * delivery of each post), audited ("member.invite-accept"), and gets the
 * group's membership notice unless the group turned them off
 * (daemon/modnotice.h). info is filled unless INVALID.
 */
enum invite_accept_result invite_accept(struct db *, const char *list_domain,
	    const char *token, struct invite *info);

#endif
