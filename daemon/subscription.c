/*
 * Token-confirmed subscription changes (see subscription.h).
 */
#include <config.h>

#include <string.h>

#include "daemon/db.h"
#include "daemon/deliverylink.h"
#include "daemon/log.h"
#include "daemon/store_group.h"
#include "daemon/store_held.h"
#include "daemon/subscription.h"

enum subscription_result
subscription_confirm(struct db *db, const char *token, const char *actor,
    struct token_info *info)
{
	int rc = store_token_use(db, token, info);
	if (rc == -1)
		return SUBSCRIPTION_ERROR;
	if (rc == 0)
		return SUBSCRIPTION_INVALID;
	struct buf err = BUF_INIT;
	enum subscription_result res = SUBSCRIPTION_ERROR;
	if (strcmp(info->kind, SUBSCRIPTION_KIND_SUBSCRIBE) == 0) {
		int64_t m = store_member_ensure(db, info->email, info->name);
		rc = m == -1 ? -1 : store_membership_add(db, info->group_id, m,
		    "member", "each", &err);
		if (rc != -1)
			res = rc == 1 ? SUBSCRIPTION_SUBSCRIBED : SUBSCRIPTION_UNCHANGED;
	} else if (strcmp(info->kind, SUBSCRIPTION_KIND_UNSUBSCRIBE) == 0) {
		struct membership ms;
		rc = store_membership_get(db, info->group_id, info->email, &ms);
		if (rc == 1) {
			rc = store_membership_remove(db, info->group_id, ms.member_id);
			store_membership_clear(&ms);
		}
		if (rc != -1)
			res = rc == 1 ? SUBSCRIPTION_UNSUBSCRIBED : SUBSCRIPTION_UNCHANGED;
	} else if (deliverylink_kind_mode(info->kind) != NULL) {
		struct membership ms;
		rc = store_membership_get(db, info->group_id, info->email, &ms);
		if (rc == 0)	/* left the group since */
			res = SUBSCRIPTION_INVALID;
		else if (rc == 1) {
			rc = deliverylink_apply(db, &ms,
			    deliverylink_kind_mode(info->kind), actor);
			store_membership_clear(&ms);
			if (rc != -1)
				res = rc == 1 ? SUBSCRIPTION_DELIVERY :
				    SUBSCRIPTION_UNCHANGED;
		}
	} else
		res = SUBSCRIPTION_INVALID;
	if (res == SUBSCRIPTION_SUBSCRIBED || res == SUBSCRIPTION_UNSUBSCRIBED)
		if (store_audit(db, actor, info->kind, info->group_id, info->email,
		    "confirmed") == -1)
			res = SUBSCRIPTION_ERROR;
	buf_free(&err);
	return res;
}

int
subscription_unsubscribe_token(struct db *db, const char *unsub_token,
    int64_t *group_id, struct buf *email)
{
	struct membership ms;
	int rc = store_membership_by_token(db, unsub_token, &ms);
	if (rc != 1)
		return rc;
	*group_id = ms.group_id;
	buf_puts(email, ms.email);
	rc = store_membership_remove(db, ms.group_id, ms.member_id);
	if (rc == 1 && store_audit(db, "one-click", "unsubscribe", ms.group_id,
	    ms.email, "List-Unsubscribe") == -1)
		rc = -1;
	store_membership_clear(&ms);
	return rc;
}
