/*
 * Signed delivery links, their form tokens and the mode change (see
 * deliverylink.h).
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/deliverylink.h"
#include "daemon/log.h"
#include "daemon/store_group.h"
#include "daemon/store_held.h"
#include "daemon/token.h"

#define DELIVERYLINK_ID_DIGITS	18	/* digits of an id in a token */

const char *const deliverylink_modes[] = { "each", "daily", "weekly", "none",
	NULL };

int
deliverylink_mode_valid(const char *mode)
{
	for (int i = 0; deliverylink_modes[i] != NULL; i++)
		if (strcmp(mode, deliverylink_modes[i]) == 0)
			return 1;
	return 0;
}

static void
deliverylink_mac(char *mac, int64_t group_id, int64_t member_id,
    const char *key)
{
	char msg[64];
	snprintf(msg, sizeof msg, "delivery:%" PRId64 ":%" PRId64, group_id,
	    member_id);
	token_mac(key, msg, mac, DELIVERYLINK_MAC_LEN);
}

void
deliverylink_token(struct buf *out, int64_t group_id, int64_t member_id,
    const char *key)
{
	char mac[DELIVERYLINK_MAC_LEN + 1];
	deliverylink_mac(mac, group_id, member_id, key);
	buf_printf(out, "%" PRId64 "-%" PRId64 "-%s", group_id, member_id, mac);
}

void
deliverylink_url(struct buf *out, const char *site_url, int64_t group_id,
    int64_t member_id, const char *key)
{
	buf_printf(out, "%s/d/", site_url);
	deliverylink_token(out, group_id, member_id, key);
}

/* A positive decimal id ending at '-': its length, or 0. */
static size_t
deliverylink_id(const char *s, int64_t *id)
{
	size_t n = strspn(s, "0123456789");
	if (n == 0 || n > DELIVERYLINK_ID_DIGITS || s[0] == '0' || s[n] != '-')
		return 0;
	*id = strtoll(s, NULL, 10);
	return n;
}

int
deliverylink_parse(const char *token, int64_t *group_id, int64_t *member_id)
{
	int64_t g, m;
	if (strlen(token) > DELIVERYLINK_TOKEN_MAX)
		return 0;
	size_t a = deliverylink_id(token, &g);
	size_t b = a ? deliverylink_id(token + a + 1, &m) : 0;
	if (b == 0)
		return 0;
	const char *mac = token + a + 1 + b + 1;
	if (strlen(mac) != DELIVERYLINK_MAC_LEN || strspn(mac,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
	    != DELIVERYLINK_MAC_LEN)
		return 0;
	*group_id = g;
	*member_id = m;
	return 1;
}

int
deliverylink_verify(const char *token, const char *key)
{
	int64_t g, m;
	if (key[0] == '\0' || !deliverylink_parse(token, &g, &m))
		return 0;
	struct buf want = BUF_INIT;
	deliverylink_token(&want, g, m, key);
	int ok = token_equal(buf_cstr(&want), token);
	buf_free(&want);
	return ok;
}

static void
deliverylink_form_mac(char *mac, const char *secret, const char *token,
    int64_t t)
{
	struct buf msg = BUF_INIT;
	buf_printf(&msg, "delivery-form:%" PRId64 ":%s", t, token);
	token_mac(secret, buf_cstr(&msg), mac, DELIVERYLINK_MAC_LEN);
	buf_free(&msg);
}

void
deliverylink_form_token(struct buf *out, const char *secret,
    const char *token, int64_t now)
{
	char mac[DELIVERYLINK_MAC_LEN + 1];
	deliverylink_form_mac(mac, secret, token, now);
	buf_printf(out, "%" PRId64 ".%s", now, mac);
}

int
deliverylink_form_check(const char *form, const char *secret,
    const char *token, int64_t now)
{
	size_t n = strspn(form, "0123456789");
	if (n == 0 || n > DELIVERYLINK_ID_DIGITS || form[n] != '.')
		return 0;
	int64_t t = strtoll(form, NULL, 10);
	if (t > now || now - t > DELIVERYLINK_FORM_TTL)
		return 0;
	char mac[DELIVERYLINK_MAC_LEN + 1];
	deliverylink_form_mac(mac, secret, token, t);
	return token_equal(form + n + 1, mac);
}

const char *
deliverylink_kind_mode(const char *kind)
{
	size_t n = strlen(DELIVERYLINK_KIND_PREFIX);
	if (strncmp(kind, DELIVERYLINK_KIND_PREFIX, n) != 0)
		return NULL;
	for (int i = 0; deliverylink_modes[i] != NULL; i++)
		if (strcmp(kind + n, deliverylink_modes[i]) == 0)
			return deliverylink_modes[i];
	return NULL;
}

int
deliverylink_apply(struct db *db, const struct membership *ms,
    const char *mode, const char *actor)
{
	if (!deliverylink_mode_valid(mode))
		return -1;
	if (strcmp(ms->delivery, mode) == 0)
		return 0;
	struct buf err = BUF_INIT, detail = BUF_INIT;
	int rc = store_membership_set(db, ms->group_id, ms->member_id,
	    "delivery", mode, &err);
	if (rc == 1) {
		buf_printf(&detail, "%s -> %s", ms->delivery, mode);
		rc = store_audit(db, actor, "delivery", ms->group_id, ms->email,
		    buf_cstr(&detail)) == -1 ? -1 : 1;
	} else if (rc == 0)
		rc = -1;
	if (rc == -1)
		log_warnx("delivery of %s in group %" PRId64 " not changed: %s",
		    ms->email, ms->group_id, err.len ? buf_cstr(&err) :
		    "database error");
	else
		log_info("delivery of %s in group %" PRId64 ": %s -> %s (%s)",
		    ms->email, ms->group_id, ms->delivery, mode, actor);
	buf_free(&err);
	buf_free(&detail);
	return rc;
}
