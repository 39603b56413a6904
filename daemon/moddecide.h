/*
 * Decisions on held messages, from the web panel and from the approve /
 * reject addresses alike: one decision per message (the first wins, later
 * ones learn who took it), its follow-up (release for publication, notice
 * to the author, allow or ban list) and its audit row, in one transaction.
 */
#ifndef MAJLIS_MODDECIDE_H
#define MAJLIS_MODDECIDE_H

#include <stdint.h>

#include "daemon/buf.h"
#include "daemon/modperm.h"

struct db;
struct engine;
struct held;

/* Bytes of a rejection reason kept (longer ones are refused on the web and
 * cut at a character boundary from mail). */
#define MODDECIDE_REASON_MAX	1000

enum moddecide_action {
	MODDECIDE_APPROVE,
	MODDECIDE_APPROVE_ALLOW,	/* approve and allow the sender */
	MODDECIDE_REJECT,		/* with a reason mailed to the author */
	MODDECIDE_DISCARD,
	MODDECIDE_BAN,			/* discard and ban the sender */
	MODDECIDE_NACTIONS
};

enum moddecide_result {
	MODDECIDE_DONE,
	MODDECIDE_ALREADY,	/* decided before; decided_by says by whom */
	MODDECIDE_NOTFOUND,	/* no such message, or not the actor's group */
	MODDECIDE_ERROR
};

/* The action called name ("approve", "approve-allow", "reject", "discard",
 * "ban"): 0 and *out set, or -1. */
int	moddecide_parse(const char *name, enum moddecide_action *out);
const char *moddecide_name(enum moddecide_action);
/* What permission an action needs. */
enum modperm_action moddecide_perm(enum moddecide_action);

/* Whether member_id may take action on held message id: 1 yes, 0 no such
 * message or not allowed (both answered alike), -1 error. */
int	moddecide_may(struct engine *, int64_t held_id, int64_t member_id,
	    int is_admin, enum moddecide_action);
/* Decide held message id as member_id (actor: their address, recorded as
 * decided_by), in its own transaction, checking the permission first.
 * reason may be NULL. An approval with thread > 0 publishes the message
 * in that thread of its group, under its first post (MODDECIDE_NOTFOUND
 * when the group has no such thread); other actions ignore thread. On
 * MODDECIDE_ALREADY, decided_by (may be NULL) receives who decided and
 * the state. */
enum moddecide_result moddecide_held(struct engine *, int64_t held_id,
	    int64_t member_id, int is_admin, const char *actor,
	    enum moddecide_action, const char *reason, int64_t thread,
	    struct buf *decided_by);
/* Decide by the token of a moderation address (inside the caller's
 * transaction): the token is used once; it must belong to a held message of
 * group_id, and sender must be the moderator it was made for, still
 * allowed to decide. reason may be NULL. An approval with thread > 0
 * publishes the message in that thread; when it is no thread of group_id,
 * or thread < 0 (the mail named several, or another group's), nothing is
 * decided, the token stays valid and the moderator is told by mail. A
 * line on what happened is appended to note. Returns the result
 * (MODDECIDE_NOTFOUND for any refused token). When already decided, the
 * sender is told by mail. */
enum moddecide_result moddecide_token(struct engine *, int64_t group_id,
	    const char *token, const char *sender, const char *reason,
	    int64_t thread, struct buf *note);
/* Queue the notice telling the author of rejected message h why (reason
 * may be NULL), in the author's language when they are a known member,
 * else the group's (inside the caller's transaction; majlisctl uses it
 * too). 0 or -1. */
int	moddecide_notify_rejected(struct db *, const char *list_domain,
	    const struct held *, const char *reason);
/* The reason a moderator wrote on the first line of a mail reply (quoted
 * lines, quote headers and blank lines skipped), at most
 * MODDECIDE_REASON_MAX bytes cut at a UTF-8 boundary, replacing out
 * (empty when none). */
void	moddecide_reason_from_text(struct buf *out, const char *text);

#endif
