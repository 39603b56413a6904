/*
 * Subscription changes confirmed by a token (double opt-in), shared by the
 * mail path (reply to slug-confirm+TOKEN@) and the web path (/c/TOKEN).
 */
#ifndef MAJLIS_SUBSCRIPTION_H
#define MAJLIS_SUBSCRIPTION_H

#include <stdint.h>

#include "daemon/buf.h"
#include "daemon/store_token.h"

struct db;

#define SUBSCRIPTION_KIND_SUBSCRIBE	"subscribe"
#define SUBSCRIPTION_KIND_UNSUBSCRIBE	"unsubscribe"

enum subscription_result {
	SUBSCRIPTION_INVALID,		/* unknown, expired or used token */
	SUBSCRIPTION_SUBSCRIBED,
	SUBSCRIPTION_UNSUBSCRIBED,
	SUBSCRIPTION_UNCHANGED,		/* already in the wanted state */
	SUBSCRIPTION_DELIVERY,		/* delivery mode changed */
	SUBSCRIPTION_ERROR,
};

/* Use token and apply what it confirms, inside the caller's transaction.
 * info is filled when the token was valid. actor names who did it in the
 * audit log ("mail", "web"). */
enum subscription_result subscription_confirm(struct db *, const char *token,
	    const char *actor, struct token_info *info);
/* Leave a group by one-click unsubscribe token, inside the caller's
 * transaction: 1 removed, 0 unknown token, -1 error; *group_id set. */
int	subscription_unsubscribe_token(struct db *, const char *unsub_token,
	    int64_t *group_id, struct buf *email);

#endif
