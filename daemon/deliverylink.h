/*
 * Delivery mode changes without signing in: the signed link of a
 * membership (/d/TOKEN, in every digest), the short-lived form token its
 * page posts back, and the change itself, audited, shared by that page and
 * the "delivery MODE" mail command once confirmed.
 */
#ifndef MAJLIS_DELIVERYLINK_H
#define MAJLIS_DELIVERYLINK_H

#include <stdint.h>

#include "daemon/buf.h"

struct db;
struct membership;

#define DELIVERYLINK_MAC_LEN	22	/* base64url chars of a link's MAC */
#define DELIVERYLINK_TOKEN_MAX	64	/* a whole link token, bytes */
#define DELIVERYLINK_FORM_TTL	3600	/* seconds a page's form token lives */
#define DELIVERYLINK_KIND_PREFIX "delivery-"	/* token kinds, + the mode */

/* The delivery modes, NULL-terminated, in the order pages show them. */
extern const char *const deliverylink_modes[];

/* 1 when mode is one of deliverylink_modes, else 0. */
int	deliverylink_mode_valid(const char *mode);

/*
 * Append the link token of membership (group_id, member_id):
 * "GROUP-MEMBER-MAC", the MAC an HMAC-SHA-256 of both ids keyed by the
 * membership's own unsubscribe token (so it dies with the membership and
 * needs no row). key must not be empty.
 */
void	deliverylink_token(struct buf *out, int64_t group_id,
	    int64_t member_id, const char *key);
/* Append site_url "/d/" and the link token. */
void	deliverylink_url(struct buf *out, const char *site_url,
	    int64_t group_id, int64_t member_id, const char *key);
/* Split a link token into its ids: 1 when it has the right shape, else 0
 * (ids untouched). Says nothing about the MAC. */
int	deliverylink_parse(const char *token, int64_t *group_id,
	    int64_t *member_id);
/* 1 when token is the link of (its ids, key), compared in constant time;
 * 0 otherwise. */
int	deliverylink_verify(const char *token, const char *key);

/* Append the form token of the page of link token at time now:
 * "TIME.MAC", keyed by the site secret. */
void	deliverylink_form_token(struct buf *out, const char *secret,
	    const char *token, int64_t now);
/* 1 when form is a form token of token issued within
 * DELIVERYLINK_FORM_TTL seconds before now, else 0. */
int	deliverylink_form_check(const char *form, const char *secret,
	    const char *token, int64_t now);

/* The mode a token kind ("delivery-weekly") confirms, or NULL. */
const char *deliverylink_kind_mode(const char *kind);

/*
 * Set ms's delivery mode, inside the caller's transaction, with an audit
 * row (actor, "delivery", "before -> after") when it changes. Returns 1
 * changed, 0 already so (nothing written), -1 on error or a bad mode.
 */
int	deliverylink_apply(struct db *, const struct membership *ms,
	    const char *mode, const char *actor);

#endif
